"""Effective permissions of a principal: every identity policy that applies, minus denies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeAlias, final

from iacguard.analysis._index import Compiled, StatementIndex, compile_statement
from iacguard.analysis.conditions import can_hold
from iacguard.analysis.grants import Grant, GrantSource
from iacguard.analysis.matching import Matching
from iacguard.analysis.mfa import enforces_mfa, requires_mfa_to_allow
from iacguard.analysis.refs import with_resolved_resources
from iacguard.analysis.resources import ResourceSet
from iacguard.catalog import ActionCatalog, ActionInfo
from iacguard.graph import Graph, outside_target
from iacguard.model import (
    Edge,
    EdgeKind,
    Policy,
    PolicyDocument,
    Principal,
    PrincipalKind,
    Unknown,
)

__all__ = [
    "Decision",
    "EffectivePermissions",
    "Evaluator",
    "Grant",
    "GrantSource",
]

#: the statements naming one action, each with its verdict: Allows, boundary Allows (None
#: without a boundary), Denies
_Named: TypeAlias = tuple[
    tuple[tuple[Grant, bool | None], ...],
    tuple[tuple[Grant, bool | None], ...] | None,
    tuple[tuple[Grant, bool | None], ...],
]
#: a filter over catalog actions (a module-level function: it is part of a cache key)
_Keep: TypeAlias = Callable[[ActionInfo], bool]


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether a principal may call one action, and which statements say so."""

    #: ``service:Name``, spelt as first asked
    action: str
    #: Allow statements that grant it and that no unconditional Deny removes
    allowed_by: tuple[Grant, ...]
    #: unconditional Deny statements that remove some grant of it
    denied_by: tuple[Grant, ...] = ()
    #: Deny statements that remove it only when their conditions hold (e.g. without MFA)
    conditional_denies: tuple[Grant, ...] = ()
    #: an unresolved value, or an unknown document, could change the answer
    undetermined: bool = False

    @property
    def allowed(self) -> bool:
        """True when some statement grants the action and no unconditional Deny removes it."""
        return bool(self.allowed_by)

    @property
    def needs_mfa(self) -> bool:
        """True when the action is allowed only with MFA: every grant requires it, or an
        MFA-enforcement Deny covers it."""
        if not self.allowed:
            return False
        if all(requires_mfa_to_allow(g) for g in self.allowed_by):
            return True
        return any(enforces_mfa(g) for g in self.conditional_denies)


@final
class EffectivePermissions:
    """The grants that apply to one principal; actions are matched lazily, on demand.

    Statements are kept as patterns and indexed by service, so asking about one action
    looks only at the statements of its service and the cross-service ones (``*``,
    ``NotAction``). Decisions are cached per action.
    """

    def __init__(
        self,
        principal: Principal,
        grants: tuple[Grant, ...],
        boundary: tuple[Grant, ...] | None,
        unknowns: tuple[str, ...],
        groups: tuple[Principal, ...],
        expand: Callable[[Grant, _Keep | None], tuple[ActionInfo, ...]],
    ) -> None:
        #: the principal whose permissions these are
        self.principal = principal
        #: every statement of every identity policy that applies, in graph order
        self.grants = grants
        #: the statements of the permission boundary; None when there is none
        self.boundary = boundary
        #: what could not be read (unknown documents, undefined groups), for messages
        self.unknowns = unknowns
        #: for a user, the groups defined in the configuration it belongs to
        self.groups = groups
        self._allows = StatementIndex(g for g in grants if g.is_allow)
        self._denies = StatementIndex(
            g for g in (*grants, *(boundary or ())) if g.statement.is_deny
        )
        self._limits = (
            None if boundary is None else StatementIndex(g for g in boundary if g.is_allow)
        )
        self._decisions: dict[tuple[str, ResourceSet | None], Decision] = {}
        self._by_action: dict[str, _Named] = {}
        self._expand = expand

    @property
    def partial(self) -> bool:
        """True when an unknown part might add or remove permissions."""
        return bool(self.unknowns)

    def decide(self, action: str, on: ResourceSet | None = None) -> Decision:
        """Whether the principal may call *action* (``service:Name``, any case), on some
        resource (*on* None) or on the resources of *on*.

        An Allow counts when a statement of the action's service names it (and, with *on*,
        names one of its resources), no unconditional Deny removes it (one that names the
        action and covers the Allow's resources, or every resource of *on*), and the
        permission boundary (if any) allows it too.
        """
        key = (action.lower(), on)
        cached = self._decisions.get(key)
        if cached is None:
            cached = self._decide(key[0], action, on)
            self._decisions[key] = cached
        return cached

    def denies_of(self, action: str) -> tuple[Grant, ...]:
        """The Deny statements (of the boundary too) that name *action* or might, on any
        resource, whatever their conditions."""
        return tuple(grant for grant, _ in self._named(action.lower())[2])

    def may_allow(self, action: str) -> bool:
        """Whether some Allow statement names *action* (any case) or might, on any resource
        and whatever the denies: False means :meth:`decide` allows it nowhere."""
        return bool(self._named(action.lower())[0])

    def allowed_services(self) -> frozenset[str] | None:
        """The (lower-case) services some Allow statement may name, a cheap pre-test:
        :meth:`decide` allows no action of another service. None when any service may
        be named (``*``, ``NotAction``, an unresolved entry)."""
        return self._allows.services()

    def _named(self, action: str) -> _Named:
        """The statements that name *action* (or might), with their verdicts, whatever
        the resource: computed once per action, then filtered per resource question."""
        found = self._by_action.get(action)
        if found is None:
            limits = None if self._limits is None else _naming(self._limits, action)
            found = (_naming(self._allows, action), limits, _naming(self._denies, action))
            self._by_action[action] = found
        return found

    def _decide(self, action: str, spelling: str, on: ResourceSet | None) -> Decision:
        undetermined = self.partial
        named_allows, named_limits, named_denies = self._named(action)
        allows: list[Grant] = []
        for grant, by_action in named_allows:
            verdict = _on(grant, by_action, on)
            if verdict:
                allows.append(grant)
            elif verdict is None and (grant.not_action or by_action):
                undetermined = True  # an unresolved NotAction entry or resource decides
        if allows and named_limits is not None:
            inside = [_on(g, v, on) for g, v in named_limits]
            undetermined = undetermined or (None in inside and True not in inside)
            if True not in inside:
                allows = []
        hard: list[Grant] = []  # unconditional denies that name the action
        soft: list[Grant] = []  # conditional ones that name it or might
        for grant, by_action in named_denies:
            verdict = _on(grant, by_action, on)
            if verdict is False:
                continue
            undetermined = undetermined or verdict is None
            if grant.conditional:
                soft.append(grant)
            elif verdict:
                hard.append(grant)
        kept: list[Grant] = []
        removers: dict[Grant, None] = {}
        for grant in allows:
            removed = False
            for deny in hard:
                verdict = deny.resources_cover(grant)
                if not verdict and on is not None:
                    verdict = deny.covers_resources(on) or verdict
                if verdict:
                    removers[deny] = None
                    removed = True
                elif verdict is None:
                    undetermined = True
            if not removed:
                kept.append(grant)
        return Decision(spelling, tuple(kept), tuple(removers), tuple(soft), undetermined)

    def admin_grants(self) -> tuple[Grant, ...]:
        """The Allow statements of ``*`` on ``*`` when they make the principal an
        administrator: inside the boundary, and no unconditional Deny takes anything away.
        """
        admin = tuple(g for g in self._allows.everything if g.covers_all() and g.on_any_resource)
        if not admin or any(not g.conditional for g in self._denies.all()):
            return ()
        if self._limits is not None and not any(g.covers_all() for g in self._limits.all()):
            return ()
        return admin

    def mfa_enforcement(self) -> tuple[Grant, ...] | None:
        """The statements that enforce MFA on this principal (directly or via a group).

        :returns: the enforcing Deny statements (empty when none); None when an unknown
            document or an unresolved condition might enforce it.
        """
        verdicts = [(g, enforces_mfa(g)) for g in self.grants if g.statement.is_deny]
        found = tuple(g for g, v in verdicts if v)
        if found:
            return found
        return None if self.partial or any(v is None for _, v in verdicts) else ()

    def actions_of(self, grant: Grant, keep: _Keep | None = None) -> tuple[ActionInfo, ...]:
        """The catalog actions *grant* names, those *keep* accepts (see
        :meth:`Evaluator.expand`)."""
        return self._expand(grant, keep)


@final
@dataclass(slots=True)
class Evaluator:
    """Effective permissions of the principals of one graph, computed once each.

    Policy documents are compiled once per policy, whatever the number of principals
    holding them.
    """

    graph: Graph
    #: conditions are judged from this moment: an Allow or Deny that can never hold
    #: again (a past date) is left out
    now: datetime
    #: the scan's memo tables, shared by the grants compiled here, and its action catalog
    matching: Matching
    _compiled: dict[str, tuple[Compiled, ...]] = field(default_factory=dict)
    _results: dict[str, EffectivePermissions] = field(default_factory=dict)
    _expansions: dict[tuple[tuple[str, ...], bool, _Keep | None], tuple[ActionInfo, ...]] = field(
        default_factory=dict
    )

    def permissions(self, principal: Principal) -> EffectivePermissions:
        """The effective permissions of *principal* (cached)."""
        result = self._results.get(principal.address)
        if result is None:
            result = self._evaluate(principal)
            self._results[principal.address] = result
        return result

    def _evaluate(self, principal: Principal) -> EffectivePermissions:
        grants: list[Grant] = []
        unknowns: list[str] = []
        holders: list[tuple[Principal, Principal | None]] = [(principal, None)]
        groups: tuple[Principal, ...] = ()
        if principal.kind is PrincipalKind.USER:
            groups = self.graph.groups_of(principal)
            holders += [(group, group) for group in groups]
            for edge in self.graph.edges_from(principal.address, EdgeKind.MEMBER_OF):
                if self.graph.principal(edge.target) is None:
                    unknowns.append(_outside(edge.target))
        for holder, via in holders:
            for policy, edge in self.graph.policies_of(holder):
                grants += self._grants(policy, edge, via, False, unknowns)
            for edge in self.graph.unresolved_policies_of(holder):
                unknowns.append(f"{_outside(edge.source)} attached by {edge.origin.address}")
        boundary: list[Grant] | None = None
        for edge in self.graph.edges_to(principal.address, EdgeKind.BOUNDARY):
            limit = self.graph.policy(edge.source)
            if limit is None:
                unknowns.append(f"permission boundary {edge.source}")
                continue
            boundary = self._grants(limit, edge, None, True, unknowns)
        return EffectivePermissions(
            principal,
            tuple(grants),
            None if boundary is None else tuple(boundary),
            tuple(dict.fromkeys(unknowns)),
            groups,
            self.expand,
        )

    def expand(self, grant: Grant, keep: _Keep | None = None) -> tuple[ActionInfo, ...]:
        """The catalog actions *grant* names (for ``NotAction``: every action it does not
        exclude) that *keep* accepts; cached per distinct pattern list and filter, and
        the catalog caches per pattern, so ``*`` is expanded into every service once."""
        key = (grant.patterns, grant.not_action, keep)
        found = self._expansions.get(key)
        if found is None:
            found = _expand(self.matching.catalog, grant.patterns, grant.not_action)
            found = found if keep is None else tuple(filter(keep, found))
            self._expansions[key] = found
        return found

    def _grants(
        self, policy: Policy, edge: Edge, via: Principal | None, boundary: bool, unknowns: list[str]
    ) -> list[Grant]:
        document = policy.document
        if not isinstance(document, PolicyDocument):
            unknowns.append(f"policy {policy.id} {document}")
            return []
        compiled = self._compiled.get(policy.id)
        if compiled is None:
            compiled = tuple(
                compile_statement(with_resolved_resources(s, self.graph), self.matching)
                for s in document.statements
                if not s.conditions or can_hold(s.conditions, self.now) is not False
            )
            self._compiled[policy.id] = compiled
        if any(isinstance(s.effect, Unknown) for s in document.statements):
            unknowns.append(f"an effect in policy {policy.id} (known after apply)")
        source = GrantSource(policy, document, edge, via, boundary)
        return [Grant(s, source, p, n, u, e, g, v, m) for s, p, n, u, e, g, v, m in compiled]


def _outside(node: str) -> str:
    """How messages name a node the input does not define."""
    outside = outside_target(node)
    return node if outside is None else outside.describe()


def _naming(index: StatementIndex, action: str) -> tuple[tuple[Grant, bool | None], ...]:
    """The statements of *index* that name *action* or might (an unresolved entry)."""
    found = [(g, v) for g in index.candidates(action) if (v := g.covers(action)) is not False]
    return tuple(found)


def _on(grant: Grant, by_action: bool | None, on: ResourceSet | None) -> bool | None:
    """Whether *grant*, whose verdict on the action is *by_action* (True or None), names
    the action on some resource of *on* (any resource when None).

    :returns: True, False, or None when an unresolved action or resource decides.
    """
    if on is None:
        return by_action
    reach = grant.reaches(on)
    return False if reach is False else (by_action and reach) or None


def _expand(
    catalog: ActionCatalog, patterns: tuple[str, ...], not_action: bool
) -> tuple[ActionInfo, ...]:
    named = {i.full_name: i for p in patterns for i in catalog.expand(p)}
    if not not_action:
        return tuple(named.values())
    return tuple(i for i in catalog.expand("*") if i.full_name not in named)
