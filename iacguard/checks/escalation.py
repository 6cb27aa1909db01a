"""IAM306: privilege-escalation paths in a principal's effective permissions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from iacguard.analysis.evaluate import EffectivePermissions, evaluator_for
from iacguard.analysis.privilege import PathMatch, matching_paths
from iacguard.hookspecs import hookimpl
from iacguard.model import Severity
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
    only when one of them trusts that service. Grants limited to the caller
    (``${aws:username}``) do not reach other principals. A path that one group grants
    entirely is reported at the group, not at each member. Administrators are reported
    by IAM301 instead. Paths: DataDog/pathfinding.cloud (Apache-2.0).

    Bad::

        {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*"}

    Fix: remove one action of each path, scope it to resources that cannot raise
    privileges, or add an explicit ``Deny``; limit ``iam:PassRole`` to roles that are no
    stronger than the caller.
    """
    evaluator = evaluator_for(ctx.graph, ctx.catalog)
    for principal in ctx.graph.principals():
        perms = evaluator.permissions(principal)
        if perms.partial or perms.admin_grants():
            continue
        found = [m for m in matching_paths(ctx.graph, perms) if _own(perms, m)]
        if not found:
            continue
        shown = "; ".join(m.explain() for m in found[:_SHOWN])
        rest = f" and {len(found) - _SHOWN} more" if len(found) > _SHOWN else ""
        noun = "paths" if len(found) > 1 else "path"
        message = f"{principal.display} can escalate privileges through {noun} {shown}{rest}"
        yield Hit(principal.origin, message)


def _own(perms: EffectivePermissions, match: PathMatch) -> bool:
    """False when one group of the user grants every step: that group is reported."""
    for group in perms.groups:
        if all(any(g.source.via is group for g in grants) for _, grants in match.steps):
            return False
    return True


@hookimpl
def iacguard_register_checks(register: RegisterCheck) -> None:
    """Register the privilege-escalation check."""
    register(privilege_escalation)
