"""IAM4xx: who may assume a role, read from its trust policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from iacguard.analysis.conditions import (
    ASSUME_ROLE_CONTEXT,
    known,
    read_operator,
    requires_mfa,
    restricts_caller,
    specific_values,
    unresolved_block,
)
from iacguard.analysis.exposure import restricted
from iacguard.analysis.grants import names_action
from iacguard.analysis.trust import (
    ASSUME_ACTIONS,
    GITHUB_ISSUER,
    allows_assume,
    federated_issuer,
    github_sub_scoped,
    grants_anyone,
    matches_any_repository,
    whole_accounts,
)
from iacguard.checks._documents import pointer_from
from iacguard.hookspecs import hookimpl
from iacguard.model import Origin, Policy, PolicyDocument, PolicyKind, Severity, Statement
from iacguard.registry import CheckContext, RegisterCheck, check
from iacguard.results import Hit

#: conditions that make whole-account trust acceptable (IAM402), besides MFA
_ACCOUNT_SCOPING_KEYS: Final = ("aws:PrincipalArn", "aws:PrincipalOrgID")
_EXTERNAL_ID: Final = "sts:ExternalId"


def _trust_statements(
    ctx: CheckContext,
) -> Iterator[tuple[Origin, str, Statement, tuple[Statement, ...]]]:
    """Every statement of every known trust policy, with the role to report it at, how
    messages name that role, and every statement of the policy."""
    for policy in ctx.graph.policies(PolicyKind.TRUST):
        if not isinstance(policy.document, PolicyDocument):
            continue
        origin, name = _holder(ctx, policy)
        statements = policy.document.statements
        for statement in statements:
            yield origin, name, statement, statements


def _holder(ctx: CheckContext, policy: Policy) -> tuple[Origin, str]:
    role = ctx.graph.trusted_role_of(policy)
    if role is None:
        return policy.origin, f"trust policy '{policy.origin.address}'"
    return role.origin, role.display


@check("IAM401", severity=Severity.CRITICAL, tags={"trust"})
def trust_any_principal(ctx: CheckContext) -> Iterator[Hit]:
    """Role can be assumed by anyone.

    A trust policy that allows ``sts:AssumeRole*`` to ``"Principal": "*"`` or
    ``{"AWS": "*"}`` lets any AWS account in the world obtain the role's credentials.
    ``Allow`` with ``NotPrincipal`` counts too: it trusts everyone except the listed
    principals. A restricting condition (``aws:PrincipalOrgID``, ``aws:PrincipalAccount``,
    ``aws:PrincipalArn``, ``aws:SourceArn`` ... with a value that is not a wildcard)
    keeps the rule silent, and so does a companion ``Deny`` to ``*`` in the same trust
    policy that names the assume actions the ``Allow`` grants and denies every request
    but those with specific values of such a key (``"StringNotEquals":
    {"aws:PrincipalOrgID": "o-..."}``): the semantics are those of IAM501. Example::

        {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}

    Fix: name the accounts, roles or services that may assume the role, or add a
    condition such as ``"StringEquals": {"aws:PrincipalOrgID": "o-..."}``.

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
    """
    for origin, name, statement, statements in _trust_statements(ctx):
        anyone = grants_anyone(statement)
        if not anyone or not allows_assume(statement):
            continue
        matching = ctx.analyzer.matching
        granted = [
            a
            for a in ASSUME_ACTIONS
            if names_action(statement, a, matching.action_matches) is not False
        ]
        verdict = restricted(
            statement, statements, granted, present=ASSUME_ROLE_CONTEXT, matching=matching
        )
        if verdict is not False:
            continue
        who = (
            "any AWS principal ('*')"
            if statement.principals
            else "every principal outside NotPrincipal"
        )
        yield Hit(origin, f"{name} trusts {who}", pointer=pointer_from(statement, origin))


@check("IAM402", severity=Severity.HIGH, tags={"trust", "cross-account"})
def trust_whole_account(ctx: CheckContext) -> Iterator[Hit]:
    """Whole AWS account trusted without ExternalId or MFA.

    Trusting ``arn:aws:iam::ID:root`` (or the bare ID) delegates the decision to every
    administrator of that account: anyone there who is granted ``sts:AssumeRole`` can
    use the role. For a third-party vendor this also opens the confused-deputy problem.
    Accounts listed as trusted in the configuration (``trusted_accounts``) are exempt.
    Example::

        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
         "Action": "sts:AssumeRole"}

    Fix: add a ``sts:ExternalId`` condition (vendors), require
    ``aws:MultiFactorAuthPresent`` true (people), limit ``aws:PrincipalArn`` or
    ``aws:PrincipalOrgID``, or trust a specific role ARN instead of the account.

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
    """
    trusted = ctx.settings.trusted_accounts
    for origin, name, statement, _ in _trust_statements(ctx):
        if not allows_assume(statement):
            continue
        accounts = [a for a in whole_accounts(statement) if a not in trusted]
        if not accounts or _account_scoped(statement) is not False:
            continue
        noun = "accounts" if len(accounts) > 1 else "account"
        message = (
            f"{name} trusts the whole {noun} {', '.join(accounts)} without sts:ExternalId, "
            "MFA, aws:PrincipalArn or aws:PrincipalOrgID"
        )
        yield Hit(origin, message, pointer=pointer_from(statement, origin))


def _account_scoped(statement: Statement) -> bool | None:
    """Whether whole-account trust is scoped: a specific ``sts:ExternalId`` (not empty,
    no wildcard), MFA required, or ``aws:PrincipalArn``/``aws:PrincipalOrgID`` narrowed."""
    external = [specific_values(c) for c in statement.conditions_on(_EXTERNAL_ID)]
    verdicts = (
        True if True in external else (None if None in external else False),
        restricts_caller(statement.conditions, _ACCOUNT_SCOPING_KEYS),
        requires_mfa(statement.conditions),
        None if unresolved_block(statement.conditions) else False,
    )
    return True if True in verdicts else (None if None in verdicts else False)


@check("IAM403", severity=Severity.CRITICAL, tags={"trust", "federation"})
def trust_unscoped_web_identity(ctx: CheckContext) -> Iterator[Hit]:
    """Web-identity trust is not scoped to a subject.

    A role trusting an OIDC provider accepts every token that provider signs. For
    GitHub Actions (``token.actions.githubusercontent.com``) that is every workflow of
    every repository on GitHub unless ``token.actions.githubusercontent.com:sub`` is
    limited, and a ``sub`` of ``*``, ``repo:*`` or ``repo:*/*`` limits nothing. Other
    OIDC providers (EKS, Cognito, Google ...) need at least a ``:sub`` or ``:aud``
    condition. SAML federation is not covered. Example::

        {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
         "Principal": {"Federated":
           "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
         "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*"}}}

    Fix: pin ``:sub`` to your repositories with ``StringEquals``
    (``repo:acme/app:ref:refs/heads/main``) or to one owner with ``StringLike``
    (``repo:acme/*``); for other providers add ``:aud`` (client ID) and ``:sub``.

    References: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services
    """
    for origin, name, statement, _ in _trust_statements(ctx):
        if not allows_assume(statement, "sts:AssumeRoleWithWebIdentity"):
            continue
        federated = [ref for ref in statement.principals if ref.kind.lower() == "federated"]
        for index, ref in enumerate(federated):
            provider = federated_issuer(ref.value, ctx.graph)
            if provider is None:
                continue
            problem = _web_identity_problem(statement, provider)
            if problem is None:
                continue
            pointer = pointer_from(statement, origin)
            if len(federated) > 1:  # one finding per provider: keep fingerprints distinct
                pointer += ("Principal", "Federated", index)
            yield Hit(origin, f"{name} {problem}", pointer=pointer)


def _web_identity_problem(statement: Statement, provider: str) -> str | None:
    """What is wrong with a web-identity trust of *provider*; None when it is scoped or
    when an unresolved condition decides."""
    if provider.lower().split("/")[0] != GITHUB_ISSUER:
        keys = (f"{provider}:sub", f"{provider}:aud")
        if restricts_caller(statement.conditions, keys) is not False:
            return None
        return f"trusts OIDC provider '{provider}' without a ':sub' or ':aud' condition"
    subs = [
        cond
        for cond in statement.conditions_on(f"{provider}:sub")
        if (operator := read_operator(cond.operator)).positive
        and operator.qualifier != "forallvalues"
    ]
    verdicts = [github_sub_scoped(cond) for cond in subs]
    if True in verdicts or None in verdicts or unresolved_block(statement.conditions):
        return None
    broad = [v for cond in subs for v in known(cond.values) if matches_any_repository(v)]
    if not broad:
        return f"trusts GitHub Actions OIDC without a '{provider}:sub' condition"
    return f"trusts GitHub Actions OIDC for any repository ({', '.join(map(repr, broad))})"


@hookimpl
def iacguard_register_checks(register: RegisterCheck) -> None:
    """Register the trust checks."""
    for trust_check in (trust_any_principal, trust_whole_account, trust_unscoped_web_identity):
        register(trust_check)
