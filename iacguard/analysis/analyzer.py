"""One graph's analysis, computed on demand and kept for the scan: effective
permissions, escalation paths, can-assume edges and privilege verdicts. Checks and views
ask it, so that they never disagree (``check`` and ``access`` give one verdict).

An analyzer is per-scan state, never global: the engine makes one for each graph it
checks and carries it in the :class:`~iacguard.registry.CheckContext`
(``ctx.analyzer``); a view or the diff makes its own, or takes the scan's. Its answers
live as long as it does, in its own tables and in the scan's
:class:`~iacguard.analysis.matching.Matching`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import final

from iacguard.analysis.assume import AssumeGraph
from iacguard.analysis.evaluate import EffectivePermissions, Evaluator
from iacguard.analysis.matching import Matching
from iacguard.analysis.paths import PathMatch, match_paths
from iacguard.analysis.privilege import Privilege, own_privilege
from iacguard.catalog import ActionCatalog
from iacguard.graph import Graph
from iacguard.model import Principal, PrincipalKind


@final
class Analyzer:
    """What AWS would decide for the principals of one graph.

    :param now: the moment conditions are judged from (a date condition that is false
        for every time from then on grants nothing); default: when the analyzer is made.
    :param matching: the memo tables of the scan, shared by the analyzers of its graphs;
        default: tables of this analyzer's own.
    :raises ValueError: *matching* is about another catalog.
    """

    def __init__(
        self,
        graph: Graph,
        catalog: ActionCatalog,
        now: datetime | None = None,
        matching: Matching | None = None,
    ) -> None:
        if matching is not None and matching.catalog is not catalog:
            raise ValueError("the analyzer's matching tables are of another catalog")
        self.graph = graph
        self.catalog = catalog
        self.now = now or datetime.now(UTC)
        #: the scan's matching answers
        self.matching = matching or Matching(catalog)
        self.evaluator = Evaluator(graph, self.now, self.matching)
        self._paths: dict[str, tuple[PathMatch, ...]] = {}
        self._own: dict[str, Privilege | None] = {}
        self._assume: AssumeGraph | None = None
        self._verdicts: dict[str, Privilege] | None = None

    def permissions(self, principal: Principal) -> EffectivePermissions:
        """The effective permissions of *principal*."""
        return self.evaluator.permissions(principal)

    def paths(self, principal: Principal) -> tuple[PathMatch, ...]:
        """The escalation paths *principal*'s own permissions contain (see
        :func:`~iacguard.analysis.paths.match_paths`)."""
        found = self._paths.get(principal.address)
        if found is None:
            perms = self.permissions(principal)
            found = tuple(match_paths(self.graph, perms, self.matching))
            self._paths[principal.address] = found
        return found

    def own_privilege(self, principal: Principal) -> Privilege | None:
        """Why *principal*'s own permissions make it privileged, or None."""
        if principal.address not in self._own:
            perms = self.permissions(principal)
            paths = () if perms.admin_grants() else self.paths(principal)
            self._own[principal.address] = own_privilege(perms, paths)
        return self._own[principal.address]

    @property
    def assume(self) -> AssumeGraph:
        """The can-assume edges of the graph (built on first use)."""
        if self._assume is None:
            self._assume = AssumeGraph(self.graph, self.permissions, self.now)
        return self._assume

    def privilege(self, principal: Principal) -> Privilege | None:
        """Why *principal* is privileged: by its own permissions, or because it can
        assume, directly or through a chain of roles, a role that is (the shortest such
        chain). Every check and view asks this, so they never disagree."""
        own = self.own_privilege(principal)
        if own is not None:
            return own
        return self.chained(principal)

    def chained(self, principal: Principal) -> Privilege | None:
        """Why *principal* is privileged through a chain of roles it can assume (the
        shortest), whatever its own permissions; None when it can reach no privileged
        role."""
        return self._chained().get(principal.address)

    def _chained(self) -> dict[str, Privilege]:
        verdicts = self._verdicts
        if verdicts is None:
            roles = {r.address: r for r in self.graph.principals(PrincipalKind.ROLE)}
            assumable = self.assume.assumable()
            targets = {
                address: verdict
                for address, role in roles.items()
                if address in assumable and (verdict := self.own_privilege(role)) is not None
            }
            chains = self.assume.chains_to(targets)
            verdicts = {
                address: Privilege(chain=chain, target=targets[chain.last.role.address])
                for address, chain in chains.items()
            }
            self._verdicts = verdicts
        return verdicts
