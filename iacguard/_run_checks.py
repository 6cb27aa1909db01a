"""Running the checks on one graph: each in isolation (a crash is a diagnostic, not the
end of the scan), and each hit placed at the finest element the graph knows, as a
:class:`~iacguard.results.Finding`."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, final

from iacguard.analysis.analyzer import Analyzer
from iacguard.analysis.matching import Matching
from iacguard.budget import WorkBudget
from iacguard.errors import WorkBudgetExhausted, describe
from iacguard.graph import Graph
from iacguard.model import Origin, Pointer, PolicyDocument, Severity, SourceKind
from iacguard.registry import Check, CheckContext, CheckRegistry
from iacguard.results import Diagnostic, DiagnosticCode, DiagnosticLevel, Finding, Hit

if TYPE_CHECKING:
    from iacguard.engine import ScanOptions

logger = logging.getLogger(__name__)


def check_all(
    checks: Sequence[Check],
    registry: CheckRegistry,
    options: ScanOptions,
    kind: SourceKind,
    graph: Graph,
    matching: Matching,
    budget: WorkBudget,
    diagnostics: list[Diagnostic],
    found: list[Finding],
) -> None:
    """Add every check's findings on *graph* (read from an input of *kind*) to *found*,
    check by check, so that what was found stays when the budget runs out (a crashing
    check adds a diagnostic). The checks share one context, with one analyzer of *graph* whose
    answers use the scan's *matching* tables; both end with the scan.

    :raises WorkBudgetExhausted: the scan's budget is spent.
    """
    catalog = matching.catalog
    analyzer = Analyzer(graph, catalog, matching=matching)
    context = CheckContext(graph, catalog, options.settings, budget, analyzer)
    if options.analyzed is not None:
        options.analyzed(analyzer)
    locator = _Locator(graph)
    for check in checks:
        severity = options.severity_of(check)
        plugin = registry.owner(check.id)
        found += _run_check(
            check, severity, context, kind, locator, plugin, diagnostics, options.debug
        )


def _run_check(
    check: Check,
    severity: Severity,
    context: CheckContext,
    kind: SourceKind,
    locator: _Locator,
    plugin: str,
    diagnostics: list[Diagnostic],
    debug: bool,
) -> list[Finding]:
    """Run one check in isolation: a crash becomes a diagnostic naming the check."""
    try:
        return [_finding(check, severity, hit, kind, locator) for hit in _hits(check, context)]
    except WorkBudgetExhausted:
        raise  # not a crash of the check: the scan's budget is spent (see scan())
    # The single blind except of the engine: a plugin check may raise anything, and one
    # broken check must not stop the others (bandit, cfn-lint E0002 do the same). A check
    # calling sys.exit() is a crash too: it must not decide the exit code (#13);
    # KeyboardInterrupt still stops the scan.
    except (Exception, SystemExit) as err:
        if debug:
            raise
        logger.debug("check %s crashed", check.id, exc_info=True)
        origin = f" of plugin {plugin}" if not plugin.startswith("iacguard.") else ""
        message = f"check {check.id} ({check.slug}){origin} crashed: {describe(err)}"
        diagnostics.append(
            Diagnostic(
                DiagnosticLevel.ERROR, DiagnosticCode.CHECK_CRASHED, message, check_id=check.id
            )
        )
        return []


def _hits(check: Check, context: CheckContext) -> Iterable[Hit]:
    hits = list(check.run(context))
    for hit in hits:
        if not isinstance(hit, Hit):
            raise TypeError(f"yielded {type(hit).__name__}, expected Hit")
    return hits


@final
class _Locator:
    """Places a hit at the deepest element the graph knows an origin for.

    Checks report at a resource with a pointer into it; when that pointer leads to a
    policy statement whose origin has its own line (a CloudFormation or HCL statement)
    or its own deployment condition (``Fn::If``), the finding gets that line and says
    it is conditional.
    """

    def __init__(self, graph: Graph) -> None:
        self._origins: dict[tuple[str, Pointer], Origin] = {}
        for policy in graph.policies():
            if isinstance(policy.document, PolicyDocument):
                for statement in policy.document.statements:
                    key = (statement.origin.address, statement.origin.pointer)
                    self._origins.setdefault(key, statement.origin)

    def place(self, hit: Hit) -> Origin:
        """The origin of *hit* with its full pointer and the finest location known."""
        origin = hit.origin
        pointer = origin.pointer + hit.pointer
        for length in range(len(pointer), len(origin.pointer) - 1, -1):
            inner = self._origins.get((origin.address, pointer[:length]))
            if inner is not None:
                location = inner.location if inner.location.line else origin.location
                condition = origin.condition or inner.condition
                return Origin(origin.source, origin.address, location, pointer, condition)
        return Origin(origin.source, origin.address, origin.location, pointer, origin.condition)


def _finding(
    check: Check, severity: Severity, hit: Hit, kind: SourceKind, locator: _Locator
) -> Finding:
    origin = locator.place(hit)
    message = hit.message
    if origin.condition:
        message += f" (only when condition {origin.condition} holds)"
    return Finding(
        rule_id=check.id,
        severity=severity,
        confidence=hit.confidence,
        title=check.title,
        message=message,
        address=origin.address,
        location=origin.location,
        pointer=origin.pointer,
        source=kind,
    )
