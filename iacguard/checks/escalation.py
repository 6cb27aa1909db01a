"""IAM306: privilege-escalation paths in a principal's effective permissions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from iacguard._text import first_few
from iacguard.analysis.assume import Chain
from iacguard.analysis.evaluate import EffectivePermissions
from iacguard.analysis.paths import PathMatch
from iacguard.analysis.privilege import Privilege, chain_text
from iacguard.hookspecs import hookimpl
from iacguard.model import PrincipalKind, Severity
from iacguard.registry import CheckContext, RegisterCheck, check
from iacguard.results import Hit

#: how many paths a message names before summarising the rest
_SHOWN: Final = 3


@check("IAM306", severity=Severity.HIGH, tags={"least-privilege", "escalation"})
def privilege_escalation(ctx: CheckContext) -> Iterator[Hit]:
    """Principal can escalate its own privileges

    A user, group or role whose effective permissions contain every action of a known
    privilege-escalation path can make itself (or a principal it controls) more
    powerful: ``iam:AttachUserPolicy`` attaches ``AdministratorAccess`` to itself,
    ``iam:PassRole`` with ``lambda:CreateFunction`` and ``lambda:InvokeFunction`` runs
    code as a stronger role. The actions may come from different policies, a user's
    groups included; an explicit ``Deny`` of one of them breaks the path. For paths that
    pass a role to a service, a PassRole limited to roles of the configuration counts
    only when one of them trusts that service, and one whose ``iam:PassedToService``
    names other services only (AmazonDynamoDBFullAccess: DAX, Auto Scaling) not at all.
    Grants limited to the caller (``${aws:username}``) do not reach other principals. A
    path that one group grants entirely is reported at the group, not at each member.
    Administrators are reported by IAM301 instead. Paths: DataDog/pathfinding.cloud
    (Apache-2.0), plus ``iam:SetDefaultPolicyVersion`` on customer-managed policies (an
    older version may grant more).

    Each action counts only on resources the path can use: ``iam:CreatePolicyVersion``
    on ``arn:aws:iam::aws:policy/*`` (AWS-managed policies) or on an S3 ARN escalates
    nothing. An ``Allow`` whose condition can never hold again (``DateLessThan
    aws:CurrentTime`` a past date) grants nothing; a path that rests on another
    condition is reported with medium confidence, naming it.

    A principal that can assume, directly or through a chain of roles, a role that is
    privileged (administrator, an escalation path, or permissions management on ``*``)
    is privileged too: the finding names the chain (``alice → role/ci → role/admin``).
    Assuming a role is possible when its trust policy names the principal (by ARN or by
    reference), or names its account or ``*`` and the principal is allowed
    ``sts:AssumeRole`` on the role.

    Bad::

        {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"}

    Fix: remove one action of each path, scope it to resources that cannot raise
    privileges, or add an explicit ``Deny``; limit ``iam:PassRole`` to roles that are no
    stronger than the caller.
    """
    analyzer = ctx.analyzer
    for principal in ctx.graph.principals():
        perms = analyzer.permissions(principal)
        if perms.admin_grants():
            continue
        found = [] if perms.partial else [m for m in analyzer.paths(principal) if _own(perms, m)]
        if found:
            shown = first_few(found, _SHOWN, "; ", show=lambda m: m.explain())
            noun = "paths" if len(found) > 1 else "path"
            message = f"{principal.display} can escalate privileges through {noun} {shown}"
            # the most certain path decides the confidence, and its caveat is named
            verdict = max((Privilege(paths=(m,)) for m in found), key=lambda v: v.confidence)
            yield Hit(principal.origin, message + verdict.caveat(), confidence=verdict.confidence)
            continue
        why = analyzer.chained(principal)
        if why is None or why.chain is None or why.target is None:
            continue
        if not _own_chain(perms, why.chain):
            continue
        group = principal.kind is PrincipalKind.GROUP
        can = "lets its members assume" if group else "can assume"
        message = (
            f"{principal.display} {can} {chain_text(why.chain, source=not group)}"
            f"{why.caveat()}, which is privileged ({why.target.reason()})"
        )
        yield Hit(principal.origin, message, confidence=why.confidence)


def _own(perms: EffectivePermissions, match: PathMatch) -> bool:
    """False when one group of the user grants every step: that group is reported."""
    for group in perms.groups:
        if all(any(g.source.via is group for g in grants) for _, grants in match.steps):
            return False
    return True


def _own_chain(perms: EffectivePermissions, chain: Chain) -> bool:
    """False when one group of the user grants the chain's first step (its
    ``sts:AssumeRole``): that group is reported."""
    first = chain.edge
    return not (
        first.grants
        and any(all(g.source.via is group for g in first.grants) for group in perms.groups)
    )


@hookimpl
def iacguard_register_checks(register: RegisterCheck) -> None:
    """Register the privilege-escalation check."""
    register(privilege_escalation)
