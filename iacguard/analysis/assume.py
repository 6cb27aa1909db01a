"""Who can become whom: *can assume* edges between the principals of one graph, and the
shortest chain of them from a principal to a set of roles (rules.md "Can assume").

A principal P can assume role R when R's trust policy admits P (by P's ARN or a
reference to P, by P's account, or by ``*``) and, when P is admitted through its account
or ``*``, P's effective permissions allow ``sts:AssumeRole`` on R's ARN. Principals and
roles of one configuration are taken to be in one account unless their ARNs say
otherwise. A trust document known only after apply that references P (a plan's
``configuration`` keeps the reference) admits P, less certainly.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import final

from iacguard.analysis.arn import account_of
from iacguard.analysis.conditions import can_hold, requires_mfa
from iacguard.analysis.evaluate import EffectivePermissions
from iacguard.analysis.grants import Grant
from iacguard.analysis.resources import role_resources
from iacguard.analysis.trust import (
    ASSUME_ROLE,
    Admission,
    Admits,
    admissions,
    allows_assume,
    is_own_account,
)
from iacguard.graph import Graph
from iacguard.model import Condition, PolicyDocument, Principal, PrincipalKind, Statement, Unknown


@dataclass(frozen=True, slots=True, eq=False)
class AssumeEdge:
    """*source* can assume *role*, and why."""

    source: Principal
    role: Principal
    how: Admits
    #: the trust statement that admits the source; None when the trust document is known
    #: only after apply and references the source
    statement: Statement | None
    #: the source's grants of ``sts:AssumeRole`` on the role, when the trust needs them
    grants: tuple[Grant, ...] = ()
    #: the source's Deny statements with a condition that may name the role
    denies: tuple[Grant, ...] = ()

    @property
    def deny_conditions(self) -> tuple[Condition, ...]:
        """The conditions under which a Deny of the source takes the edge away."""
        return tuple(c for g in self.denies for c in g.statement.conditions)

    @property
    def conditions(self) -> tuple[Condition, ...]:
        """The conditions the edge holds under: the trust statement's, and those of the
        identity grants when every one of them has some."""
        found = self.statement.conditions if self.statement is not None else ()
        if self.grants and all(g.conditional for g in self.grants):
            found += tuple(c for g in self.grants for c in g.statement.conditions)
        return found

    @property
    def certain(self) -> bool:
        """True when nothing but the written trust and grants decide the edge."""
        return self.statement is not None and not self.conditions and not self.denies

    @property
    def needs_mfa(self) -> bool:
        """True when the trust (or every identity grant) admits only MFA sessions."""
        if self.statement is not None and requires_mfa(self.statement.conditions):
            return True
        return bool(self.grants) and all(requires_mfa(g.statement.conditions) for g in self.grants)


@dataclass(frozen=True, slots=True, eq=False)
class Chain:
    """A chain of can-assume edges from a principal to a role, as a linked list: this
    edge, then the rest (None at the end). What a rule asks of the whole chain is kept
    on each link, so no question walks it."""

    edge: AssumeEdge
    rest: Chain | None
    #: the number of edges
    length: int
    #: the last edge, into the chain's target
    last: AssumeEdge
    #: the conditions of every edge, without repeats
    conditions: tuple[Condition, ...]
    #: the conditions of Denies that may take an edge away, without repeats
    deny_conditions: tuple[Condition, ...]
    #: True when every edge is certain (see :attr:`AssumeEdge.certain`)
    certain: bool
    #: True when some edge needs MFA
    needs_mfa: bool

    @classmethod
    def link(cls, edge: AssumeEdge, rest: Chain | None) -> Chain:
        """*edge*, then *rest*."""
        if rest is None:
            return cls(
                edge,
                None,
                1,
                edge,
                edge.conditions,
                tuple(dict.fromkeys(edge.deny_conditions)),
                edge.certain,
                edge.needs_mfa,
            )
        return cls(
            edge,
            rest,
            rest.length + 1,
            rest.last,
            tuple(dict.fromkeys((*edge.conditions, *rest.conditions))),
            tuple(dict.fromkeys((*edge.deny_conditions, *rest.deny_conditions))),
            edge.certain and rest.certain,
            edge.needs_mfa or rest.needs_mfa,
        )

    def edges(self) -> Iterator[AssumeEdge]:
        """The edges in order."""
        link: Chain | None = self
        while link is not None:
            yield link.edge
            link = link.rest


@final
class AssumeGraph:
    """The can-assume edges of one graph.

    Edges of trusts that name a principal (by ARN or reference) are built at once.
    Trusts of a whole account or ``*`` admit every caller allowed ``sts:AssumeRole`` on
    the role: their edges are made on demand, per role or per caller, so that many such
    roles and many callers (administrators may assume anything) cost no more than the
    questions asked need.
    """

    def __init__(
        self,
        graph: Graph,
        permissions: Callable[[Principal], EffectivePermissions],
        now: datetime,
    ) -> None:
        self._graph = graph
        self._permissions = permissions
        self._into: dict[str, list[AssumeEdge]] = {}
        self._from: dict[str, list[AssumeEdge]] = {}
        #: role address -> the trust statements that admit an account or ``*``
        self._wide: dict[str, list[tuple[Statement, Admission]]] = {}
        self._roles = {r.address: r for r in graph.principals(PrincipalKind.ROLE)}
        self._callers: _Callers | None = None
        for direct in _direct_edges(graph, now, self._wide):
            edge = _past_denies(direct, permissions(direct.source))
            if edge is not None:
                self._into.setdefault(edge.role.address, []).append(edge)
                self._from.setdefault(edge.source.address, []).append(edge)

    def edges_from(self, principal: Principal) -> tuple[AssumeEdge, ...]:
        """The roles *principal* can assume directly."""
        found = list(self._from.get(principal.address, ()))
        caller = self._all_callers().by_address.get(principal.address)
        if caller is not None:
            for address in self._wide:
                found += self._wide_edges(caller, self._roles[address])
        return tuple(found)

    def assumable(self) -> frozenset[str]:
        """The addresses of the roles some principal may assume: named by a trust, or
        trusting an account or ``*``. No other role can end a chain."""
        return frozenset(self._into) | frozenset(self._wide)

    def named_edges_into(self, role: Principal) -> tuple[AssumeEdge, ...]:
        """The principals that *role*'s trust names (by ARN or reference) and that can
        assume it: cheap, with no question about trusts of an account or ``*``."""
        return tuple(self._into.get(role.address, ()))

    def edges_into(self, role: Principal) -> tuple[AssumeEdge, ...]:
        """The principals that can assume *role* directly."""
        found = list(self._into.get(role.address, ()))
        if role.address in self._wide:
            for caller in self._all_callers().candidates(role):
                found += self._wide_edges(caller, role)
        return tuple(found)

    def chains_to(self, targets: Iterable[str]) -> dict[str, Chain]:
        """For every principal that can reach one of the roles *targets* (addresses), the
        shortest chain of edges that does, found by one breadth-first walk backwards from
        the targets (cycles are walked once). The targets themselves are not keys."""
        goals = set(targets)
        chains: dict[str, Chain] = {}
        queue: deque[str] = deque(goals)
        callers = self._all_callers()
        while queue:
            role = queue.popleft()
            rest = chains.get(role)
            edges: Iterable[AssumeEdge] = self._into.get(role, ())
            if role in self._wide:
                waiting = [
                    c
                    for c in callers.candidates(self._roles[role])
                    if c.principal.address not in chains and c.principal.address not in goals
                ]
                target = self._roles[role]
                edges = [*edges, *(e for c in waiting for e in self._wide_edges(c, target))]
            for edge in edges:
                source = edge.source.address
                if source in goals or source in chains:
                    continue
                chains[source] = Chain.link(edge, rest)
                if edge.source.kind is PrincipalKind.ROLE:
                    queue.append(source)
        return chains

    def _wide_edges(self, caller: _Caller, role: Principal) -> Iterator[AssumeEdge]:
        """The edges from *caller* to *role* through its trusts of an account or ``*``."""
        if caller.principal is role:
            return
        for statement, admission in self._wide[role.address]:
            if not _same_account(caller.principal, role, admission.account):
                continue
            grants: tuple[Grant, ...] | None = caller.everywhere
            denies: tuple[Grant, ...] = ()
            if grants is None:
                decision = caller.perms.decide(ASSUME_ROLE, role_resources(role))
                grants, denies = decision.allowed_by, decision.conditional_denies
            if grants:
                yield AssumeEdge(caller.principal, role, admission.how, statement, grants, denies)
                return

    def _all_callers(self) -> _Callers:
        """The principals allowed ``sts:AssumeRole`` on some resource (a group too: its
        grants reach its members), found once."""
        if self._callers is None:
            found: list[_Caller] = []
            if self._wide:
                for principal in self._graph.principals():
                    perms = self._permissions(principal)
                    decision = perms.decide(ASSUME_ROLE)
                    if decision.allowed:
                        found.append(_caller(principal, perms, decision.allowed_by))
            self._callers = _Callers(found)
        return self._callers


@dataclass(frozen=True, slots=True)
class _Caller:
    """A principal allowed ``sts:AssumeRole`` somewhere."""

    principal: Principal
    perms: EffectivePermissions
    #: the grants that allow it on every role, unconditionally and beyond any Deny or
    #: boundary; None when each role must be asked about
    everywhere: tuple[Grant, ...] | None
    #: the role names and element addresses its grants name exactly; None when a
    #: wildcard, ``NotResource`` or an unresolved entry may name any role
    names: frozenset[str] | None = None


def _caller(
    principal: Principal, perms: EffectivePermissions, grants: tuple[Grant, ...]
) -> _Caller:
    everywhere = _everywhere(perms, grants)
    return _Caller(principal, perms, everywhere, None if everywhere else _named_roles(grants))


def _named_roles(grants: tuple[Grant, ...]) -> frozenset[str] | None:
    """Role names (from ARNs) and referenced addresses the *grants* name; None when one
    of them may name any role."""
    names: set[str] = set()
    for grant in grants:
        statement = grant.statement
        if statement.uses_not_resource:
            return None
        for entry in statement.resources:
            if isinstance(entry, Unknown):
                if not entry.refs:
                    return None
                names.update(ref.address for ref in entry.refs)
            elif "*" in entry or "?" in entry or "${" in entry:
                return None
            else:
                names.add(entry.rpartition("/")[2])
    return frozenset(names)


@final
class _Callers:
    """Callers of ``sts:AssumeRole``, indexed by the roles they may name."""

    def __init__(self, callers: list[_Caller]) -> None:
        self.by_address = {c.principal.address: c for c in callers}
        self._broad = [c for c in callers if c.names is None]
        self._by_name: dict[str, list[_Caller]] = {}
        for caller in callers:
            for name in caller.names or ():
                self._by_name.setdefault(name, []).append(caller)

    def candidates(self, role: Principal) -> list[_Caller]:
        """The callers that may be allowed on *role* (each still to be asked); every
        caller when the role's name is unknown (any ARN may be its)."""
        if not isinstance(role.name, str):
            return list(self.by_address.values())
        named = [c for key in (role.address, role.name) for c in self._by_name.get(key, ())]
        return list(dict.fromkeys([*self._broad, *named]))


def _everywhere(perms: EffectivePermissions, grants: tuple[Grant, ...]) -> tuple[Grant, ...] | None:
    """The unconditional grants of ``sts:AssumeRole`` on ``Resource: "*"`` when nothing
    can take them away (no Deny names the action, no boundary): then every role is
    allowed without asking about each."""
    if perms.boundary is not None or perms.denies_of(ASSUME_ROLE):
        return None
    wide = tuple(g for g in grants if g.statement.covers_all_resources and not g.conditional)
    return wide or None


def _past_denies(edge: AssumeEdge, perms: EffectivePermissions) -> AssumeEdge | None:
    """*edge* as the source's explicit Denies leave it: gone when an unconditional Deny of
    ``sts:AssumeRole`` covers the role (an explicit Deny wins even over a trust that names
    the source), marked with the Denies that apply only under a condition."""
    denies = perms.denies_of(ASSUME_ROLE)
    if not denies:
        return edge
    role = role_resources(edge.role)
    soft: list[Grant] = []
    for deny in denies:
        if deny.conditional:
            if deny.reaches(role) is not False:
                soft.append(deny)
        elif deny.covers(ASSUME_ROLE.lower()) and deny.covers_resources(role):
            return None
    return replace(edge, denies=tuple(soft)) if soft else edge


def _direct_edges(
    graph: Graph, now: datetime, wide: dict[str, list[tuple[Statement, Admission]]]
) -> Iterator[AssumeEdge]:
    """Edges of trusts that name their principal; trusts of an account or ``*`` are put
    in *wide*, per role."""
    index = _Index(graph)
    for role in graph.principals(PrincipalKind.ROLE):
        trust = graph.trust_policy_of(role)
        if trust is None:
            continue
        document = trust.document
        if isinstance(document, Unknown):
            for source in index.referenced(r.address for r in document.refs):
                yield AssumeEdge(source, role, Admits.REFERENCE, None)
            continue
        for statement in _assume_statements(document, now):
            for admission in admissions(statement):
                if admission.needs_identity_permission:
                    wide.setdefault(role.address, []).append((statement, admission))
                    continue
                for source in index.admitted(admission):
                    if _same_account(source, role, admission.account):
                        yield AssumeEdge(source, role, admission.how, statement)


def _assume_statements(document: PolicyDocument, now: datetime) -> Iterator[Statement]:
    """The Allow statements of a trust that allow ``sts:AssumeRole`` and can hold."""
    for statement in document.statements:
        holds = can_hold(statement.conditions, now) is not False
        if holds and allows_assume(statement, ASSUME_ROLE):
            yield statement


def _same_account(source: Principal, role: Principal, account: str) -> bool:
    """Whether *source* may be in *account* (and in *role*'s): one configuration is one
    account unless the ARNs known say otherwise."""
    accounts = {account_of(source.arn), account_of(role.arn)}
    if account and not is_own_account(account):
        accounts.add(account)
    accounts.discard("")
    return len(accounts) <= 1


@final
class _Index:
    """Users and roles of a graph by address and by (kind, name)."""

    def __init__(self, graph: Graph) -> None:
        self._by_address = {
            p.address: p for p in graph.principals() if p.kind is not PrincipalKind.GROUP
        }
        self._by_name: dict[tuple[PrincipalKind, str], list[Principal]] = {}
        for principal in self._by_address.values():
            if isinstance(principal.name, str):
                self._by_name.setdefault((principal.kind, principal.name), []).append(principal)

    def referenced(self, addresses: Iterable[str]) -> list[Principal]:
        found = (self._by_address.get(a) for a in addresses)
        return list(dict.fromkeys(p for p in found if p is not None))

    def admitted(self, admission: Admission) -> list[Principal]:
        if admission.how is Admits.REFERENCE and admission.ref is not None:
            return self.referenced([admission.ref.address])
        if admission.how is Admits.ARN and admission.kind is not None:
            return self._by_name.get((admission.kind, admission.name), [])
        return []
