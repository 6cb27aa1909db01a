"""The scan: discover inputs, parse each into a graph, run the checks, collect findings.

Data flows one way: input -> parser -> graph -> checks -> hits -> findings -> filters ->
sorted result. One bad input or one crashing check never stops the scan, and never
looks clean: each becomes an ERROR :class:`Diagnostic`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from iacguard.catalog import ActionCatalog, default_catalog
from iacguard.errors import InputError, ParseError, UnsupportedInputError
from iacguard.model import Diagnostic, DiagnosticLevel, Finding, Hit, Location, Severity, SourceKind
from iacguard.parsers import InputFile, discover, parse
from iacguard.registry import Check, CheckContext, CheckRegistry, Settings
from iacguard.selection import RuleSelection

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """What to scan for; the CLI builds it from options and configuration."""

    selection: RuleSelection = field(default_factory=RuleSelection)
    min_severity: Severity = Severity.INFO
    settings: Settings = field(default_factory=Settings)
    #: re-raise a crashing check instead of reporting it (``--debug``)
    debug: bool = False


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Findings and diagnostics of one scan, sorted."""

    findings: tuple[Finding, ...]
    diagnostics: tuple[Diagnostic, ...]
    #: the checks that ran, sorted by ID
    checks: tuple[Check, ...]
    #: the files scanned
    inputs: tuple[InputFile, ...]

    @property
    def complete(self) -> bool:
        """False when an input failed to parse or a check crashed."""
        return not any(d.level is DiagnosticLevel.ERROR for d in self.diagnostics)


def scan(
    paths: Sequence[Path],
    registry: CheckRegistry,
    options: ScanOptions,
    *,
    catalog: ActionCatalog | None = None,
    setup: Iterable[Diagnostic] = (),
) -> ScanResult:
    """Scan *paths* with the checks in *registry*.

    :param setup: diagnostics from loading plugins, carried into the result.

    :raises UnsupportedInputError: a path named by the user does not exist or holds
        nothing to scan (a usage error: the CLI exits 2 without a report).
    """
    checks = tuple(c for c in registry if options.selection.enabled(c.id))
    catalog = catalog or default_catalog()
    findings: list[Finding] = []
    diagnostics: list[Diagnostic] = list(setup)
    scanned: list[InputFile] = []
    for source in discover(paths):
        try:
            kind, graph = parse(source)
        except UnsupportedInputError as err:
            if source.explicit:
                raise
            diagnostics.append(Diagnostic(DiagnosticLevel.NOTE, "IAM003", f"skipped: {err}"))
            continue
        except InputError as err:
            diagnostics.append(_input_diagnostic(err, source))
            continue
        # A parser bug on odd input must cost that file, not the scan, and never show a
        # traceback; --debug re-raises it for a bug report.
        except Exception as err:
            if options.debug:
                raise
            logger.debug("parser crashed on %s", source.display, exc_info=True)
            message = f"{source.display}: internal error while parsing: {type(err).__name__}"
            diagnostics.append(Diagnostic(DiagnosticLevel.ERROR, "IAM001", message))
            continue
        scanned.append(source)
        context = CheckContext(graph, catalog, options.settings)
        for check in checks:
            findings += _run_check(check, context, kind, diagnostics, options.debug)
    if not scanned and all(d.level is not DiagnosticLevel.ERROR for d in diagnostics):
        names = ", ".join(str(p) for p in paths) or "."
        raise UnsupportedInputError(Path(names), "holds no Terraform plan JSON to scan")
    kept = [f for f in findings if f.severity >= options.min_severity]
    kept.sort(key=lambda f: f.sort_key)
    return ScanResult(tuple(_unique(kept)), tuple(diagnostics), checks, tuple(scanned))


def _input_diagnostic(err: InputError, source: InputFile) -> Diagnostic:
    if isinstance(err, ParseError):
        location = Location(source.display, err.line, err.column)
        return Diagnostic(
            DiagnosticLevel.ERROR, "IAM001", f"{source.display}: {err.message}", location
        )
    return Diagnostic(DiagnosticLevel.ERROR, "IAM001", str(err), Location(source.display))


def _run_check(
    check: Check,
    context: CheckContext,
    kind: SourceKind,
    diagnostics: list[Diagnostic],
    debug: bool,
) -> list[Finding]:
    """Run one check in isolation: a crash becomes a diagnostic naming the check."""
    try:
        return [_finding(check, hit, kind) for hit in _hits(check, context)]
    # The single blind except of the engine: a plugin check may raise anything, and one
    # broken check must not stop the others (bandit, cfn-lint E0002 do the same).
    except Exception as err:
        if debug:
            raise
        logger.debug("check %s crashed", check.id, exc_info=True)
        message = f"check {check.id} ({check.slug}) crashed: {type(err).__name__}: {err}"
        diagnostics.append(Diagnostic(DiagnosticLevel.ERROR, "IAM002", message, check_id=check.id))
        return []


def _hits(check: Check, context: CheckContext) -> Iterable[Hit]:
    hits = list(check.run(context))
    for hit in hits:
        if not isinstance(hit, Hit):
            raise TypeError(f"yielded {type(hit).__name__}, expected Hit")
    return hits


def _finding(check: Check, hit: Hit, kind: SourceKind) -> Finding:
    origin = hit.origin
    return Finding(
        rule_id=check.id,
        severity=check.severity,
        confidence=hit.confidence,
        title=check.title,
        message=hit.message,
        address=origin.address,
        location=origin.location,
        pointer=origin.pointer + hit.pointer,
        source=kind,
    )


def _unique(findings: Iterable[Finding]) -> Iterable[Finding]:
    seen: set[Finding] = set()
    for finding in findings:
        if finding not in seen:
            seen.add(finding)
            yield finding
