"""Trust: who a role's trust policy admits, and who can assume whom (rules.md "Can assume")."""

from __future__ import annotations

import re
from typing import Final

from iacguard.analysis.conditions import known
from iacguard.catalog import action_pattern_matches
from iacguard.model import Statement, Unknown

#: the actions that let a principal assume a role (sts:TagSession alone does not)
ASSUME_ACTIONS: Final = (
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
)
#: a whole account as a principal: its root ARN (any partition) or a bare account ID
_ACCOUNT: Final = re.compile(r"^(?:arn:aws(?:-[a-z]+)*:iam::(\d{12}):root|(\d{12}))$")
#: the issuer of GitHub Actions OIDC tokens
GITHUB_ISSUER: Final = "token.actions.githubusercontent.com"


def allows_assume(statement: Statement, *actions: str) -> bool | None:
    """Whether an Allow *statement* covers one of *actions* (default: every AssumeRole*).

    :returns: True, False, or None when an unresolved action could decide.
    """
    wanted = actions or ASSUME_ACTIONS
    if not statement.is_allow:
        return False
    if statement.uses_not_action:
        if any(isinstance(p, Unknown) for p in statement.not_actions):
            return None
        excluded = known(statement.not_actions)
        return any(not any(action_pattern_matches(p, a) for p in excluded) for a in wanted)
    patterns = known(statement.actions)
    if any(action_pattern_matches(p, a) for p in patterns for a in wanted):
        return True
    return None if len(patterns) < len(statement.actions) else False


def whole_accounts(statement: Statement) -> list[str]:
    """The account IDs that *statement* trusts as a whole (root ARN or bare ID)."""
    values = [ref.value for ref in statement.principals if ref.kind.upper() == "AWS"]
    matches = [_ACCOUNT.match(value.strip()) for value in known(values)]
    return list(dict.fromkeys(m.group(1) or m.group(2) for m in matches if m is not None))


def oidc_provider(federated: str) -> str | None:
    """The OIDC issuer a ``Federated`` principal names, as condition keys spell it
    (``token.actions.githubusercontent.com``); None for SAML providers."""
    value = federated.strip()
    if value.startswith("arn:"):
        _, found, provider = value.partition(":oidc-provider/")
        return provider or None if found else None
    return value or None
