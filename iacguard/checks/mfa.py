"""IAM203, IAM204, IAM404: MFA for console users, privileged users and privileged roles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from iacguard.analysis.assume import AssumeEdge
from iacguard.analysis.conditions import requires_mfa
from iacguard.analysis.evaluate import EffectivePermissions
from iacguard.analysis.trust import ASSUME_ROLE, Admits, allows_assume, read_aws_principal
from iacguard.checks._documents import pointer_from
from iacguard.graph import Graph
from iacguard.hookspecs import hookimpl
from iacguard.model import Confidence, PolicyDocument, PrincipalKind, Severity, Statement
from iacguard.registry import CheckContext, RegisterCheck, check
from iacguard.results import Hit

#: AWS principals that are IAM users or whole accounts (a role session is neither)
#: IAM users and whole accounts; an account may be CloudFormation's own-account
#: placeholder ``${AWS::AccountId}`` (the stack's account is still an account)
_ACCOUNT: Final = r"(?:\d{12}|\$\{AWS::AccountId\})"
_PEOPLE: Final = re.compile(
    rf"^(?:arn:aws[a-z-]*:iam::{_ACCOUNT}:(?:root|user/.+)|{_ACCOUNT})$", re.IGNORECASE
)
_TAGS: Final = ("mfa",)


def _without_mfa(perms: EffectivePermissions) -> str | None:
    """Why *perms* enforce no MFA (a phrase naming where it was looked for), or None when
    MFA is enforced or an unknown part might enforce it."""
    if perms.mfa_enforcement() != ():
        return None
    groups = ", ".join(f"'{g.address}'" for g in perms.groups)
    scope = f"it or its groups ({groups})" if groups else "it"
    return f"no policy applying to {scope} denies actions without MFA"


def _consoles(graph: Graph) -> dict[str, str]:
    """User address -> the (first) login profile that gives it console access."""
    found: dict[str, str] = {}
    for profile in graph.login_profiles:
        found.setdefault(profile.user, profile.address)
    return found


@check("IAM203", severity=Severity.HIGH, tags=_TAGS)
def console_user_without_mfa(ctx: CheckContext) -> Iterator[Hit]:
    """Console user without MFA enforcement

    A user with a console password (a login profile) and no MFA enforcement can sign
    in with a stolen or guessed password alone. AWS cannot require MFA for a user by a
    setting; a policy does it: a ``Deny`` of every action (``Action: "*"`` or
    ``NotAction`` listing the few calls needed to set up MFA) when
    ``aws:MultiFactorAuthPresent`` is false (``BoolIfExists``/``Bool``) or absent
    (``Null`` true), attached to the user or to one of its groups. When a policy of the
    user is known only after apply, the rule stays silent.

    Bad::

        resource "aws_iam_user_login_profile" "alice" { user = aws_iam_user.alice.name }
        # ... and no MFA-enforcement policy on alice or her groups

    Fix: attach the MFA-enforcement policy (AWS documents it as
    "Allows MFA-authenticated IAM users to manage their own credentials") to a group
    every console user is in, or move people to IAM Identity Center.
    """
    analyzer = ctx.analyzer
    consoles = _consoles(ctx.graph)
    for user in ctx.graph.principals(PrincipalKind.USER):
        profile = consoles.get(user.address)
        if profile is None:
            continue
        missing = _without_mfa(analyzer.permissions(user))
        if missing:
            message = f"{user.display} can sign in to the console ({profile}) and {missing}"
            yield Hit(user.origin, message)


@check("IAM204", severity=Severity.HIGH, tags=_TAGS)
def privileged_user_without_mfa(ctx: CheckContext) -> Iterator[Hit]:
    """Privileged user without MFA enforcement

    A user whose effective permissions are privileged (administrator access, a
    privilege-escalation path of IAM306, or a "Permissions management" action on
    ``Resource: "*"``) and who has no MFA enforcement can take over the account with a
    leaked password or access key alone. Permissions from the user's groups count, and
    AWS-managed policies are judged by their content: ``IAMFullAccess`` is privileged,
    ``ReadOnlyAccess`` is not. MFA enforcement is the same test as IAM203.

    Bad::

        # alice is in group "admins", which has AdministratorAccess attached,
        # and no policy denies her actions without MFA

    Fix: attach the MFA-enforcement policy to the user's group, or give the access
    through a role that requires ``aws:MultiFactorAuthPresent`` to be assumed.
    """
    analyzer = ctx.analyzer
    for user in ctx.graph.principals(PrincipalKind.USER):
        missing = _without_mfa(analyzer.permissions(user))
        if missing is None:
            continue
        why = analyzer.privilege(user)
        if why is None:
            continue
        message = f"{user.display} is privileged ({why.reason()}){why.caveat()} and {missing}"
        confidence = why.confidence
        if why.chain is not None and why.chain.needs_mfa:
            message += " (assuming a role of the chain requires MFA)"
            confidence = Confidence.MEDIUM
        yield Hit(user.origin, message, confidence=confidence)


@check("IAM404", severity=Severity.MEDIUM, tags=(*_TAGS, "trust"))
def privileged_role_without_mfa(ctx: CheckContext) -> Iterator[Hit]:
    """Privileged role assumable without MFA

    A role with privileged permissions (administrator access, a privilege-escalation
    path, or a "Permissions management" action on ``*``) that IAM users or a whole
    account may assume without ``aws:MultiFactorAuthPresent`` true in the trust policy
    turns any leaked user key into the role's power. Service and federated principals,
    and other roles, do not fire. ``Bool`` is required: ``BoolIfExists`` lets requests
    signed with long-term keys (which carry no MFA information) through.

    Bad::

        {"Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"}}

    Fix: add ``"Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}`` to the
    trust statement, or narrow the role's permissions.
    """
    analyzer = ctx.analyzer
    for role in ctx.graph.principals(PrincipalKind.ROLE):
        trust = ctx.graph.trust_policy_of(role)
        if trust is None or not isinstance(trust.document, PolicyDocument):
            continue
        for statement in trust.document.statements:
            people = _people(ctx.graph, statement, analyzer.assume.named_edges_into(role))
            if not people or requires_mfa(statement.conditions) is not False:
                continue
            if not allows_assume(statement, ASSUME_ROLE):
                continue
            why = analyzer.privilege(role)
            if why is None:
                break
            who = ", ".join(people)
            message = (
                f"{role.display} is privileged ({why.reason()}){why.caveat()} and {who} can "
                "assume it without aws:MultiFactorAuthPresent true"
            )
            pointer = pointer_from(statement, role.origin)
            yield Hit(role.origin, message, pointer=pointer, confidence=why.confidence)


def _people(graph: Graph, statement: Statement, edges: tuple[AssumeEdge, ...]) -> list[str]:
    """The IAM users and whole accounts a trust *statement* admits, as messages name
    them: literal ARNs and IDs quoted, users of the configuration named by reference by
    their display (when they can assume the role: *edges* into it, past their Denies)."""
    assumers = {edge.source.address for edge in edges}
    found: list[str] = []
    for ref in statement.principals:
        if ref.kind.upper() != "AWS":
            continue
        if isinstance(ref.value, str) and _PEOPLE.match(ref.value.strip()):
            found.append(f"'{ref.value}'")
            continue
        admission = read_aws_principal(ref.value)
        if admission is None or admission.how is Admits.ANYONE:
            continue
        if admission.how is Admits.ACCOUNT:
            found.append("the configuration's own account")
            continue
        target = graph.principal(admission.ref.address) if admission.ref else None
        user = target is not None and target.kind is PrincipalKind.USER
        if user and target is not None and target.address in assumers:
            found.append(target.display)
    return list(dict.fromkeys(found))


@hookimpl
def iacguard_register_checks(register: RegisterCheck) -> None:
    """Register the MFA checks."""
    for mfa_check in (
        console_user_without_mfa,
        privileged_user_without_mfa,
        privileged_role_without_mfa,
    ):
        register(mfa_check)
