"""Trust policies read: which actions a statement allows, and whom it admits (rules.md
"Can assume"): a principal by ARN or by reference, a whole account, anyone, or a web
identity provider."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Final

from iacguard.analysis.conditions import is_wildcard, known, narrows, read_operator
from iacguard.analysis.grants import names_action
from iacguard.analysis.refs import ID_ATTRIBUTES, named_ref
from iacguard.graph import Graph
from iacguard.model import (
    AttributeRef,
    Condition,
    MaybeStr,
    PrincipalKind,
    PrincipalRef,
    Statement,
    Unknown,
)

#: the actions that let a principal assume a role (sts:TagSession alone does not)
ASSUME_ACTIONS: Final = (
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
)
#: the action an IAM user or role calls to assume a role
ASSUME_ROLE: Final = "sts:AssumeRole"
#: the issuer of GitHub Actions OIDC tokens
GITHUB_ISSUER: Final = "token.actions.githubusercontent.com"
#: a whole account as a principal: its root ARN (any partition) or a bare account ID;
#: CloudFormation's ``${AWS::AccountId}`` is the stack's own account
_ACCOUNT_ID: Final = r"\d{12}|\$\{AWS::AccountId\}"
_ACCOUNT: Final = re.compile(
    rf"^(?:arn:aws(?:-[a-z]+)*:iam::({_ACCOUNT_ID}):root|({_ACCOUNT_ID}))$"
)
#: an IAM user or role ARN (with path), or an assumed-role session ARN
_IDENTITY: Final = re.compile(
    rf"^arn:aws(?:-[a-z]+)*:(?:iam::(?P<account>{_ACCOUNT_ID}):(?P<kind>user|role)/(?:.*/)?"
    rf"|sts::(?P<sts_account>{_ACCOUNT_ID}):assumed-role/)(?P<name>[^/]+)(?:/[^/]*)?$"
)
#: the account ID attribute of ``data "aws_caller_identity"``
_CALLER_ACCOUNT: Final = "account_id"


class Admits(Enum):
    """How a trust statement admits a principal."""

    #: by the principal's ARN or ID written literally
    ARN = "by ARN"
    #: by a reference to the principal (``aws_iam_role.ci.arn``, ``!GetAtt Ci.Arn``)
    REFERENCE = "by reference"
    #: by the principal's account (root ARN or bare ID): its own permission is needed too
    ACCOUNT = "by account"
    #: by ``*`` (or ``NotPrincipal``): its own permission is needed too
    ANYONE = "by '*'"


@dataclass(frozen=True, slots=True)
class Admission:
    """One entry of a trust statement's ``Principal`` that IAM principals can use."""

    how: Admits
    #: for ARN: the principal's kind and name; for ACCOUNT: the account ID (or
    #: ``${AWS::AccountId}``/"" for the configuration's own account)
    kind: PrincipalKind | None = None
    name: str = ""
    account: str = ""
    #: for REFERENCE: the referenced element
    ref: AttributeRef | None = None

    @property
    def needs_identity_permission(self) -> bool:
        """True when the principal must also be allowed ``sts:AssumeRole`` on the role."""
        return self.how in {Admits.ACCOUNT, Admits.ANYONE}


def allows_assume(statement: Statement, *actions: str) -> bool | None:
    """Whether an Allow *statement* covers one of *actions* (default: every AssumeRole*).

    :returns: True, False, or None when an unresolved action could decide.
    """
    if not statement.is_allow:
        return False
    verdicts = [names_action(statement, action) for action in actions or ASSUME_ACTIONS]
    return True if True in verdicts else (None if None in verdicts else False)


def grants_anyone(statement: Statement) -> bool | None:
    """Whether an ``Allow`` *statement* applies to every principal.

    ``Principal: "*"`` / ``{"AWS": "*"}`` does. ``Allow`` with ``NotPrincipal`` grants
    everyone except the listed principals, which AWS documents as almost never intended:
    it counts as anyone, unless ``NotPrincipal`` itself excludes ``*``.

    :returns: True, False, or None when a ``NotPrincipal`` entry is unresolved.
    """
    if not statement.is_allow:
        return False
    if any(ref.is_anyone for ref in statement.principals):
        return True
    if "NotPrincipal" not in statement.keys:
        return False
    excluded: tuple[PrincipalRef, ...] = statement.not_principals
    if any(isinstance(ref.value, Unknown) for ref in excluded):
        return None
    return not any(ref.is_anyone for ref in excluded)


def admissions(statement: Statement) -> Iterator[Admission]:
    """Whom an Allow *statement* of a trust policy admits among IAM users and roles:
    ``AWS`` principals by ARN, by reference, by account, or anyone. Service and
    federated principals are not IAM principals; unresolved values without a reference
    admit nobody known (rules.md: unknown is never ``*``)."""
    if grants_anyone(statement):
        yield Admission(Admits.ANYONE)
        return
    for ref in statement.principals:
        if ref.kind.upper() != "AWS":
            continue
        admission = read_aws_principal(ref.value)
        if admission is not None:
            yield admission


def read_aws_principal(value: MaybeStr) -> Admission | None:
    """What one ``AWS`` principal value admits, or None when it admits no IAM principal
    this analysis can name (an unresolved value without a reference, a malformed one)."""
    if isinstance(value, Unknown):
        expr = value.expr.strip()
        own = any(
            r.attribute == _CALLER_ACCOUNT and "aws_caller_identity" in r.address
            for r in value.refs
        )
        if own and (expr.endswith(":root") or ":" not in expr):
            return Admission(Admits.ACCOUNT, account="")
        named = named_ref(value)
        ref = (
            named[0]
            if named
            else next((r for r in value.refs if r.attribute in ID_ATTRIBUTES), None)
        )
        return None if ref is None else Admission(Admits.REFERENCE, ref=ref)
    text = value.strip()
    if text == "*":
        return Admission(Admits.ANYONE)
    account = _ACCOUNT.match(text)
    if account:
        return Admission(Admits.ACCOUNT, account=account.group(1) or account.group(2))
    identity = _IDENTITY.match(text)
    if identity is None:
        return None
    kind = PrincipalKind.USER if identity["kind"] == "user" else PrincipalKind.ROLE
    return Admission(
        Admits.ARN,
        kind=kind,
        name=identity["name"],
        account=identity["account"] or identity["sts_account"],
    )


def whole_accounts(statement: Statement) -> list[str]:
    """The 12-digit account IDs that *statement* trusts as a whole (root ARN or bare ID)."""
    found = (read_aws_principal(r.value) for r in statement.principals if r.kind.upper() == "AWS")
    return list(
        dict.fromkeys(
            a.account
            for a in found
            if a is not None and a.how is Admits.ACCOUNT and a.account.isdigit()
        )
    )


def is_own_account(account: str) -> bool:
    """True for the configuration's own account as a trust names it without an ID
    (``${AWS::AccountId}``, ``data.aws_caller_identity``)."""
    return not account or account.startswith("${")


# --------------------------------------------------------------------------- web identity


def oidc_provider(federated: str) -> str | None:
    """The OIDC issuer a ``Federated`` principal names, as condition keys spell it
    (``token.actions.githubusercontent.com``); None for SAML providers."""
    value = federated.strip()
    if value.startswith("arn:"):
        _, found, provider = value.partition(":oidc-provider/")
        return provider or None if found else None
    return value or None


def federated_issuer(value: MaybeStr, graph: Graph) -> str | None:
    """The issuer of a ``Federated`` principal, read literally or, for a reference to
    an OIDC provider of the configuration, from that provider's URL (without scheme).
    None for SAML providers and unresolved values."""
    if isinstance(value, str):
        return oidc_provider(value)
    providers = {p.address: p for p in graph.oidc_providers}
    for ref in value.refs:
        provider = providers.get(ref.address)
        if provider is not None and isinstance(provider.url, str):
            issuer = provider.url.strip().removeprefix("https://").removeprefix("http://")
            return issuer.rstrip("/") or None
    return None


def github_sub_scoped(condition: Condition) -> bool | None:
    """Whether a GitHub ``:sub`` condition limits tokens to known repositories.

    :returns: True, False, or None when one of its values is unresolved.
    """
    verdict = narrows(condition)
    if not verdict:
        return verdict
    patterns = read_operator(condition.operator).patterns
    return not (patterns and any(matches_any_repository(v) for v in known(condition.values)))


def matches_any_repository(pattern: str) -> bool:
    """True when a ``StringLike`` GitHub ``sub`` pattern accepts repositories of any
    owner: a wildcard in or before the owner (``repo:*``, ``repo:*/*``, ``repo:acme*/x``,
    ``*:ref:refs/heads/main``). ``repo:acme/*`` stays within one owner."""
    if is_wildcard(pattern):
        return True
    owner_part = pattern.split("/", 1)[0]
    return "*" in owner_part or "?" in owner_part
