"""Who is privileged, and why (rules.md "Privileged"): administrator access, an
escalation path, a "Permissions management" action on ``*``, or a chain of roles to a
principal that is privileged by one of those."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from iacguard.analysis.conditions import describe
from iacguard.analysis.evaluate import Decision, EffectivePermissions
from iacguard.analysis.grants import Grant
from iacguard.analysis.paths import PathMatch, sources_of
from iacguard.catalog import AccessLevel, ActionInfo
from iacguard.model import Condition, Confidence, Principal

if TYPE_CHECKING:
    from iacguard.analysis.assume import Chain

#: names of reading actions (``backup:ListIndexedRecoveryPointsForSearch`` is labelled
#: "Permissions management" in the catalog)
_READ_VERBS: Final = ("get", "list", "describe", "search", "view", "batchget")
#: access levels from the most to the least significant
LEVEL_ORDER: Final = (
    AccessLevel.PERMISSIONS_MANAGEMENT,
    AccessLevel.WRITE,
    AccessLevel.TAGGING,
    AccessLevel.READ,
    AccessLevel.LIST,
)
#: how many permissions-management decisions a verdict keeps
_SHOWN: Final = 3
#: how many roles a chain's text names in full
_CHAIN_SHOWN: Final = 6


@dataclass(frozen=True, slots=True)
class Privilege:
    """Why a principal is privileged; at least one field is non-empty.

    The first three are the principal's own permissions; :attr:`chain` says that it can
    assume, through the roles listed, a role that is privileged for :attr:`target`.
    """

    admin: tuple[Grant, ...] = ()
    paths: tuple[PathMatch, ...] = ()
    permissions_management: tuple[Decision, ...] = ()
    #: the can-assume edges from the principal to the privileged role
    chain: Chain | None = None
    #: the privileged role's own verdict, when :attr:`chain` is set
    target: Privilege | None = None

    @property
    def own(self) -> bool:
        """True when the principal's own permissions make it privileged."""
        return bool(self.admin or self.paths or self.permissions_management)

    def reason(self) -> str:
        """One phrase saying why, naming the policies (and the chain), in the order a
        person gives the reasons: administrator access, then an escalation path, then
        permissions management on ``*``; a chain of roles only when none of these is
        the principal's own."""
        if self.admin:
            return f"'*' on '*' from {sources_of(self.admin)}"
        if self.paths:
            return f"escalation path {self.paths[0].explain()}"
        if self.permissions_management:
            first = self.permissions_management[0]
            more = " ..." if len(self.permissions_management) > 1 else ""
            return (
                f"permissions management on '*': '{first.action}'{more} from "
                f"{sources_of(first.allowed_by)}"
            )
        target = f", which has {self.target.reason()}" if self.target else ""
        return f"can assume {chain_text(self.chain)}{target}" if self.chain else "privileged"

    def conditions(self) -> tuple[Condition, ...]:
        """The conditions the verdict rests on: those of conditional grants (when every
        grant of a step is conditional) and of the chain's edges."""
        found: list[Condition] = []
        # per step, the conditions of each grant that the step does not settle
        steps = [[g.statement.conditions for g in self.admin]] if self.admin else []
        steps += [
            [match.open_conditions(action, g) for g in grants]
            for match in self.paths
            for action, grants in match.steps
        ]
        steps += [
            [g.statement.conditions for g in d.allowed_by] for d in self.permissions_management
        ]
        for conditions in steps:
            if conditions and all(conditions):
                found += [c for each in conditions for c in each]
        if self.chain is not None:
            found += self.chain.conditions
        if self.target is not None:
            found += self.target.conditions()
        return tuple(dict.fromkeys(found))

    def deny_conditions(self) -> tuple[Condition, ...]:
        """The conditions of Deny statements that would take the verdict away when they
        hold (a conditional Deny removes nothing for certain, rules.md)."""
        denies = [g for match in self.paths for g in match.denies]
        denies += [g for d in self.permissions_management for g in d.conditional_denies]
        found = [c for g in denies for c in g.statement.conditions]
        if self.chain is not None:
            found += self.chain.deny_conditions
        if self.target is not None:
            found += self.target.deny_conditions()
        return tuple(dict.fromkeys(found))

    def certain(self) -> bool:
        """True when no condition, and no trust known only after apply, decides it."""
        uncertain = self.chain is not None and not self.chain.certain
        return not uncertain and not self.conditions() and not self.deny_conditions()

    @property
    def confidence(self) -> Confidence:
        """HIGH, or MEDIUM when the verdict rests on a condition or an unknown trust."""
        return Confidence.HIGH if self.certain() else Confidence.MEDIUM

    def caveat(self) -> str:
        """`` (only when StringEquals aws:SourceVpce holds)``: what a message adds when the
        verdict is not certain; empty when it is."""
        parts = []
        if conditions := self.conditions():
            parts.append(f"when {describe(conditions)} holds")
        if denies := self.deny_conditions():
            parts.append(f"unless a Deny applies: {describe(denies)}")
        if not parts and not self.certain():
            parts.append("trust policy known only after apply")
        return f" ({'; '.join(parts)})" if parts else ""


def chain_text(chain: Chain, *, source: bool = True) -> str:
    """``alice → role/ci → role/admin``: the principals of a chain, by name (without the
    first when *source* is False); a chain of more than :data:`_CHAIN_SHOWN` roles names
    its first and last ones and counts the others."""
    start = [_name(chain.edge.source)] if source else []
    if chain.length <= _CHAIN_SHOWN:
        return " → ".join([*start, *(f"role/{_name(edge.role)}" for edge in chain.edges())])
    head = [edge.role for edge, _ in zip(chain.edges(), range(_CHAIN_SHOWN - 1), strict=False)]
    hidden = chain.length - len(head) - 1
    parts = [*start, *(f"role/{_name(r)}" for r in head)]
    return " → ".join([*parts, f"({hidden:,} more)", f"role/{_name(chain.last.role)}"])


def _name(principal: Principal) -> str:
    name = principal.name
    return name if isinstance(name, str) and name else principal.address


def own_privilege(perms: EffectivePermissions, paths: tuple[PathMatch, ...]) -> Privilege | None:
    """Why *perms* (with the escalation *paths* they contain) make their principal
    privileged by its own permissions, or None when they do not (or when only an unknown
    part could)."""
    admin = perms.admin_grants()
    if admin:
        return Privilege(admin=admin)
    if perms.partial:
        return None
    decisions = (d for d in permissions_management_on_any(perms) if not d.undetermined)
    managed = tuple(itertools.islice(decisions, _SHOWN))
    if managed or paths:
        return Privilege(paths=paths, permissions_management=managed)
    return None


def permissions_management_on_any(perms: EffectivePermissions) -> Iterator[Decision]:
    """Decisions allowing a "Permissions management" action on ``Resource: "*"``,
    lazily: a caller that needs only the first stops the expansion there."""
    seen: set[str] = set()
    for grant in perms.grants:
        if not grant.is_allow or not grant.on_any_resource:
            continue
        for info in perms.actions_of(grant, manages_permissions):
            key = info.full_name.lower()
            if key in seen:
                continue
            seen.add(key)
            decision = perms.decide(info.full_name)
            if any(g.on_any_resource for g in decision.allowed_by):
                yield decision


def manages_permissions(info: ActionInfo) -> bool:
    """True for a "Permissions management" action (see :func:`primary_level`)."""
    return primary_level(info) is AccessLevel.PERMISSIONS_MANAGEMENT


def primary_level(info: ActionInfo) -> AccessLevel:
    """The most significant access level of *info* (Permissions management, Write,
    Tagging, Read, List). Reads the catalog also labels "Permissions management"
    (``billing:GetResourcePolicy``) count as what else they are: they change nothing."""
    reads = info.name.lower().startswith(_READ_VERBS)
    for level in LEVEL_ORDER:
        if level in info.access_levels and not (reads and level is LEVEL_ORDER[0]):
            return level
    return next(iter(info.access_levels))
