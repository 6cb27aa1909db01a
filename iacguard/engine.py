"""The scan: discover inputs, parse each into a graph, run the checks, collect findings.

Data flows one way: input -> parser -> graph -> checks -> hits -> findings -> filters ->
sorted result. One bad input or one crashing check never stops the scan, and never
looks clean: each becomes an ERROR :class:`Diagnostic`. Files found in a directory that
are neither a plan nor a template are skipped, and summed up in one NOTE.

Findings stay one per resource and pointer, as checks report them, so that suppressions
and baselines apply to each; reporters show those of one rule at one line as one
(:func:`iacguard.report.merge_repeats`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import functools
import logging
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from iacguard import coverage, suppress
from iacguard._collector import collector_paused
from iacguard._run_checks import check_all
from iacguard._text import first_few
from iacguard.analysis.analyzer import Analyzer
from iacguard.analysis.matching import Matching
from iacguard.budget import DEFAULT_WORK_BUDGET, WorkBudget
from iacguard.catalog import ActionCatalog, default_catalog
from iacguard.coverage import NotEvaluated
from iacguard.errors import (
    DependencyConflictError,
    InputError,
    ParseError,
    UnsupportedInputError,
    WorkBudgetExhausted,
)
from iacguard.graph import Graph
from iacguard.model import Location, Severity
from iacguard.parsers import InputFile, ParsedInput, discover, parse
from iacguard.registry import Check, CheckRegistry, Settings
from iacguard.results import (
    Diagnostic,
    DiagnosticCode,
    DiagnosticLevel,
    Finding,
    SuppressedFinding,
    Suppression,
)
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
    #: accepted risks from configuration and baseline, applied to every input
    suppressions: tuple[Suppression, ...] = ()
    #: rule ID or prefix -> severity replacing the check's own; longest prefix wins
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)
    #: the day suppression expiry is judged against (None: today)
    today: datetime.date | None = None
    #: the Terraform root plans were made from (``--source``), overriding discovery
    source: Path | None = None
    #: steps the scan may spend (:mod:`iacguard.budget`); when they are spent the scan
    #: stops with an ``IAM006`` error and is incomplete
    work_budget: int = DEFAULT_WORK_BUDGET
    #: parses one input instead of :func:`iacguard.parsers.parse` (``iacguard diff``
    #: reads the state a plan starts from, and keeps the graphs it compares)
    parser: Callable[[InputFile, WorkBudget], ParsedInput] | None = None
    #: globs of paths not to scan (``--skip-path``; the command line only, so a scanned
    #: tree cannot use it to hide itself)
    skip_paths: tuple[str, ...] = ()
    #: ``--var-file``: variables files every Terraform root scanned from source reads
    var_files: tuple[Path, ...] = ()
    #: the account a change lands in (``--account``: its authorization details), whose
    #: principals and policies the change may name without defining them
    account: Graph | None = None
    #: called with the analyzer of each graph the checks run on, before they run
    #: (``iacguard diff`` keeps those of the inputs it compares, so that its comparison
    #: reuses the scan's answers instead of evaluating every principal again)
    analyzed: Callable[[Analyzer], None] | None = None

    def severity_of(self, check: Check) -> Severity:
        """The severity findings of *check* get."""
        prefixes = [p for p in self.severity_overrides if check.id.startswith(p)]
        return self.severity_overrides[max(prefixes, key=len)] if prefixes else check.severity


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Findings and diagnostics of one scan, sorted."""

    findings: tuple[Finding, ...]
    diagnostics: tuple[Diagnostic, ...]
    #: the checks that ran, sorted by ID
    checks: tuple[Check, ...]
    #: the files scanned
    inputs: tuple[InputFile, ...]
    #: findings silenced by a suppression, with it; not in :attr:`findings`
    suppressed: tuple[SuppressedFinding, ...] = ()
    #: one NOTE per file found in a directory and skipped as neither a plan nor a
    #: template; :attr:`diagnostics` holds their :func:`skip_summary` instead of them
    skipped: tuple[Diagnostic, ...] = ()
    #: IDs of the rules ``select``/``ignore`` switched off, sorted
    rules_off: tuple[str, ...] = ()
    #: findings left out as below ``min-severity``
    below_min_severity: int = 0
    #: steps of the work budget the scan spent (:mod:`iacguard.budget`)
    work_spent: int = 0
    #: what the scanned inputs hold that could not be evaluated (values known only after
    #: apply, modules not followed ...), sorted by file and line (#17)
    not_evaluated: tuple[NotEvaluated, ...] = ()

    @property
    def inputs_not_evaluated(self) -> tuple[Diagnostic, ...]:
        """One WARNING per input of which not one policy was evaluated (#17)."""
        return tuple(d for d in self.diagnostics if d.code == coverage.NOT_EVALUATED_CODE)

    @property
    def complete(self) -> bool:
        """False when an input failed to parse, a check crashed or the work budget ran
        out."""
        return not any(d.level is DiagnosticLevel.ERROR for d in self.diagnostics)


@collector_paused()
def scan(
    paths: Sequence[Path],
    registry: CheckRegistry,
    options: ScanOptions,
    *,
    catalog: ActionCatalog | None = None,
    setup: Iterable[Diagnostic] = (),
) -> ScanResult:
    """Scan *paths* with the checks in *registry*.

    A scan that spends its work budget (``options.work_budget``) stops there: an
    ``IAM006`` error names the input and the work that ran out, the findings made
    before are kept (the configured suppressions still apply to them, with a budget of
    their own), and the result is incomplete.

    The scan's state (its work budget, its :class:`~iacguard.analysis.matching.Matching`
    tables, the :class:`~iacguard.analysis.analyzer.Analyzer` of each graph) is made here
    and dropped on return, and each input's graph builder reads its policy texts once: two
    scans share nothing but immutable bundled data (the action catalog, the AWS-managed
    policies, the escalation paths, the HCL parser). The cyclic garbage
    collector is paused while the scan runs (:func:`~iacguard._collector.collector_paused`)
    and left as the caller had it, enabled or not, on return and on any exception.

    :param setup: diagnostics from loading plugins, carried into the result.

    :raises UnsupportedInputError: a path named by the user does not exist or holds
        nothing to scan (a usage error: the CLI exits 2 without a report).
    """
    checks = tuple(c for c in registry if options.selection.enabled(c.id))
    ran = frozenset(check.id for check in checks)
    catalog = catalog or default_catalog()
    matching = Matching(catalog)  # the scan's memo tables, dropped with the scan
    findings: list[Finding] = []
    diagnostics: list[Diagnostic] = list(setup)
    scanned: list[InputFile] = []
    today = options.today or datetime.date.today()
    suppressed: list[SuppressedFinding] = []
    skipped: list[Diagnostic] = []
    not_evaluated: list[NotEvaluated] = []
    #: the (rule, address) pairs the account has on its own, worked out on first use
    account_alone: AccountAlone | None = None
    budget = WorkBudget(options.work_budget)
    inputs = parse_inputs(paths, options, budget, diagnostics, skipped)
    with contextlib.closing(inputs):  # a budget spent by the checks ends the parse loop
        for source, parsed in inputs:
            scanned.append(source)
            gaps = [*parsed.not_evaluated, *coverage.of_graph(parsed.graph)]
            not_evaluated += gaps
            if coverage.evaluated_nothing(parsed.graph, gaps):
                diagnostics.append(_nothing_evaluated(source, gaps))
            found: list[Finding] = []
            run_checks = functools.partial(
                check_all,
                checks,
                registry,
                options,
                parsed.kind,
                matching=matching,
                budget=budget,
                diagnostics=diagnostics,
            )
            try:
                if options.account is None:
                    diagnostics += _missing_context(parsed.graph, source)
                    run_checks(parsed.graph, found=found)
                else:
                    from iacguard.account_context import AccountAlone, in_context, placed

                    if account_alone is None:
                        alone: list[Finding] = []
                        run_checks(options.account, found=alone)
                        account_alone = AccountAlone.of(options.account, alone)
                    merged = in_context(parsed.graph, options.account)
                    in_merged: list[Finding] = []
                    run_checks(merged, found=in_merged)
                    found += placed(in_merged, merged, parsed.graph, account_alone)
                outcome = suppress.apply(found, parsed.suppressions, today, ran, budget)
            except WorkBudgetExhausted as err:
                diagnostics.append(_budget_diagnostic(err, source))
                findings += found  # the findings made are real; the scan is incomplete
                break
            findings += outcome.kept
            suppressed += outcome.suppressed
            diagnostics += outcome.diagnostics
    # a stopped scan still honours the accepted risks, with a budget of the same size
    stopped = budget.spent > budget.limit
    tail = WorkBudget(options.work_budget) if stopped else budget
    try:
        outcome = suppress.apply(findings, options.suppressions, today, ran, tail)
    except WorkBudgetExhausted as err:
        diagnostics.append(_budget_diagnostic(err, None))
        outcome = suppress.Outcome(tuple(findings), (), ())
    suppressed += outcome.suppressed
    diagnostics += outcome.diagnostics
    kept = sorted(
        (f for f in outcome.kept if f.severity >= options.min_severity), key=lambda f: f.sort_key
    )
    rules_off = tuple(sorted(c.id for c in registry if not options.selection.enabled(c.id)))
    suppressed.sort(key=lambda s: s.finding.sort_key)
    not_evaluated.sort(key=lambda item: item.sort_key)
    return ScanResult(
        tuple(_unique(kept)),
        tuple(diagnostics),
        checks,
        tuple(scanned),
        tuple(suppressed),
        tuple(skipped),
        rules_off,
        len(outcome.kept) - len(kept),
        budget.spent,
        tuple(not_evaluated),
    )


def _nothing_evaluated(source: InputFile, gaps: Sequence[NotEvaluated]) -> Diagnostic:
    """The WARNING for an input of which not one policy statement was evaluated (#17):
    its report must not read as clean. It is not an error: values known only after apply
    are what a scan before apply meets, and the scan did all it could (README, "What was
    not evaluated")."""
    counted = "; ".join(group.describe() for group in coverage.groups(gaps))
    message = (
        f"{source.display}: not one policy evaluated ({counted}): "
        "a report without findings here does not mean it is safe"
    )
    return Diagnostic(
        DiagnosticLevel.WARNING, coverage.NOT_EVALUATED_CODE, message, Location(source.display)
    )


def parse_inputs(
    paths: Sequence[Path],
    options: ScanOptions,
    budget: WorkBudget,
    diagnostics: list[Diagnostic],
    skipped: list[Diagnostic],
) -> Generator[tuple[InputFile, ParsedInput], None, None]:
    """Every input under *paths* that parses, in discovery order, with what it parsed to.

    The one parse loop of every command that reads inputs (``check``, ``access``,
    ``graph``), so each handles bad input the same way: a file that fails to parse, or
    crashes its parser, is an ERROR diagnostic appended to *diagnostics* and the loop
    goes on; a parse that spends the work *budget* is an ``IAM006`` error and ends the
    loop; a file found in a directory that is neither a plan nor a template is a NOTE
    appended to *skipped*. The notes of a parsed input go to *diagnostics* before it is
    yielded. When the loop ends, or is closed early, the summary of *skipped*
    (:func:`skip_summary`) goes to *diagnostics*.

    :raises UnsupportedInputError: a path named by the user does not exist or holds
        nothing to scan, or no input parsed and none failed.
    """
    parsed_any = False
    try:
        for source in discover(paths):
            if _skipped_by_option(source, options.skip_paths):
                logger.debug("skipped %s: --skip-path", source.display)
                continue
            if source.refused:
                location = Location(source.display)
                diagnostics.append(
                    Diagnostic(
                        DiagnosticLevel.WARNING,
                        DiagnosticCode.INPUT_NOT_READ,
                        source.refused,
                        location,
                    )
                )
                continue
            if options.source is not None and source.path.is_file():
                source = dataclasses.replace(source, source=options.source)
            if options.var_files and source.path.is_dir():
                source = dataclasses.replace(source, var_files=options.var_files)
            try:
                parsed = (options.parser or parse)(source, budget)
            except WorkBudgetExhausted as err:
                diagnostics.append(_budget_diagnostic(err, source))
                return
            except UnsupportedInputError as err:
                if source.explicit:
                    raise
                location = Location(source.display)
                message = f"skipped: {source.display}: {err.message}"
                skipped.append(
                    Diagnostic(
                        DiagnosticLevel.NOTE, DiagnosticCode.INPUT_NOT_READ, message, location
                    )
                )
                continue
            except InputError as err:
                diagnostics.append(_input_diagnostic(err, source))
                continue
            except DependencyConflictError:
                raise  # the environment, not this file: every further file would fail alike
            # A parser bug on odd input must cost that file, not the scan, and never show
            # a traceback; --debug re-raises it for a bug report.
            except Exception as err:
                if options.debug:
                    raise
                logger.debug("parser crashed on %s", source.display, exc_info=True)
                message = f"{source.display}: internal error while parsing: {type(err).__name__}"
                diagnostics.append(
                    Diagnostic(DiagnosticLevel.ERROR, DiagnosticCode.PARSE_ERROR, message)
                )
                continue
            parsed_any = True
            if source.note:
                location = Location(source.display)
                diagnostics.append(
                    Diagnostic(
                        DiagnosticLevel.NOTE, DiagnosticCode.INPUT_NOT_READ, source.note, location
                    )
                )
            diagnostics += parsed.notes
            yield source, parsed
        if not parsed_any and all(d.level is not DiagnosticLevel.ERROR for d in diagnostics):
            names = ", ".join(str(p) for p in paths) or "."
            raise UnsupportedInputError(Path(names), "holds nothing iacguard can scan")
    finally:
        note = skip_summary(skipped)
        if note is not None:
            diagnostics.append(note)


def _missing_context(graph: Graph, source: InputFile) -> list[Diagnostic]:
    """One note when *graph* gives something to principals it does not define: what
    that means for them is only judged with ``--account``."""
    from iacguard.account_context import outside_principals

    named = outside_principals(graph)
    if not named:
        return []
    shown = first_few(named, 3)
    message = (
        f"{source.display}: gives access to {len(named)} principal(s) it does not define "
        f"({shown}); what they gain is judged only with --account (the account's "
        "authorization details)"
    )
    return [
        Diagnostic(
            DiagnosticLevel.NOTE, DiagnosticCode.INPUT_NOT_READ, message, Location(source.display)
        )
    ]


def _skipped_by_option(source: InputFile, globs: Sequence[str]) -> bool:
    """True when ``--skip-path`` names *source*: a glob (``*`` and ``?``) matching its
    repository-relative path or a directory above it."""
    if not globs:
        return False
    from iacguard._glob import glob_match

    shown = PurePosixPath(source.display)
    candidates = [str(shown), *(str(parent) for parent in shown.parents if str(parent) != ".")]
    return any(glob_match(glob, name) for glob in globs for name in candidates)


def skip_summary(skipped: Sequence[Diagnostic]) -> Diagnostic | None:
    """One NOTE for the files skipped as neither a plan nor a template (#17: a
    repository's ``package.json``, ``tsconfig.json`` and CI YAML are thousands of files,
    not thousands of lines on stderr); the file itself when there is only one."""
    if len(skipped) <= 1:
        return skipped[0] if skipped else None
    message = (
        f"skipped {len(skipped)} files that are not a Terraform plan (terraform show -json) "
        "or a CloudFormation template"
    )
    return Diagnostic(DiagnosticLevel.NOTE, DiagnosticCode.INPUT_NOT_READ, message)


def _input_diagnostic(err: InputError, source: InputFile) -> Diagnostic:
    if isinstance(err, ParseError):
        location = Location(source.display, err.line, err.column)
        return Diagnostic(
            DiagnosticLevel.ERROR,
            DiagnosticCode.PARSE_ERROR,
            f"{source.display}: {err.message}",
            location,
        )
    return Diagnostic(
        DiagnosticLevel.ERROR, DiagnosticCode.PARSE_ERROR, str(err), Location(source.display)
    )


def _budget_diagnostic(err: WorkBudgetExhausted, source: InputFile | None) -> Diagnostic:
    """The ``IAM006`` error of a spent work budget: what ran out, and on which input
    (None: while applying the configured suppressions to every finding)."""
    where = f"{source.display}: " if source is not None else "configured suppressions: "
    message = f"{where}{err}; the scan stopped here and is incomplete (raise it with --work-budget)"
    location = Location(source.display) if source is not None else None
    return Diagnostic(DiagnosticLevel.ERROR, DiagnosticCode.WORK_BUDGET, message, location)


def _unique(findings: Iterable[Finding]) -> Iterable[Finding]:
    seen: set[Finding] = set()
    for finding in findings:
        if finding not in seen:
            seen.add(finding)
            yield finding
