"""``iacguard check``: scan, report, and pick the exit code."""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iacguard.budget import DEFAULT_WORK_BUDGET
from iacguard.cli._app import ExitCode, app, exit_code_contract, fail
from iacguard.cli._diagnostics import (
    enable_debug_logging,
    print_diagnostics,
    shown_diagnostics,
)
from iacguard.cli._options import (
    AccountOption,
    AllowConfigPluginsOption,
    BaseOption,
    ConfigOption,
    DebugOption,
    DisablePluginOption,
    IgnoreOption,
    PluginOption,
    RulesDirOption,
    SelectOption,
    SourceOption,
    TrustedAccountOption,
    VerboseOption,
)
from iacguard.cli._setup import (
    comma_separated,
    load_config,
    plugin_manager,
    plugin_settings,
    read_account_graph,
    refuse_unknown_rules,
    rule_settings,
)
from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.errors import describe
from iacguard.plugins import collect_checks, collect_reporters
from iacguard.registry import Settings
from iacguard.results import DiagnosticLevel
from iacguard.selection import RuleSelection

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from iacguard.report import Reporter


@app.command()
@exit_code_contract
def check(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Plan JSON files (terraform show -json), CloudFormation templates, "
            "Terraform directories, or directories to search.",
        ),
    ],
    output_format: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help=(
                "text, json, sarif, junit, github, markdown, gitlab or concise"
                " (repeatable, see --output) [text]."
            ),
        ),
    ] = None,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the n-th --format to this file (repeatable).",
        ),
    ] = None,
    min_severity: Annotated[
        str | None,
        typer.Option(
            metavar="SEVERITY",
            help="Report only findings at or above: info, low, medium, high, critical.",
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            metavar="SEVERITY",
            help="Exit 1 when a reported finding is at or above this severity [info].",
        ),
    ] = None,
    soft_fail: Annotated[
        bool | None,
        typer.Option(
            "--soft-fail/--no-soft-fail", help="Exit 0 even with findings (errors still exit 2)."
        ),
    ] = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    trusted_account: TrustedAccountOption = None,
    config: ConfigOption = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Report only findings not recorded in this baseline file."
        ),
    ] = None,
    create_baseline: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Record the current findings in this baseline file."),
    ] = None,
    source: SourceOption = None,
    account: AccountOption = None,
    new_only: Annotated[
        bool,
        typer.Option(
            "--new-only",
            help="Report only findings the change introduces: not in the state a plan "
            "starts from, or not at --base.",
        ),
    ] = False,
    base: BaseOption = None,
    plugin: PluginOption = None,
    disable_plugin: DisablePluginOption = None,
    rules_dir: RulesDirOption = None,
    allow_config_plugins: AllowConfigPluginsOption = False,
    work_budget: Annotated[
        int,
        typer.Option(
            min=1,
            metavar="STEPS",
            help="Work the scan may do before it stops as incomplete (exit 2).",
        ),
    ] = DEFAULT_WORK_BUDGET,
    debug: DebugOption = False,
    verbose: VerboseOption = False,
    skip_path: Annotated[
        list[str] | None,
        typer.Option(
            "--skip-path",
            metavar="GLOB",
            help="Do not scan inputs whose path (from the repository root) or a directory "
            "above it matches this glob (repeatable, or comma-separated).",
        ),
    ] = None,
    var_file: Annotated[
        list[Path] | None,
        typer.Option(
            "--var-file",
            metavar="FILE",
            help="Terraform variables (.tfvars or .tfvars.json) for the roots scanned from "
            "source, read after their own terraform.tfvars and *.auto.tfvars (repeatable).",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only errors on stderr (no notes or warnings).")
    ] = False,
) -> None:
    """Scan PATHS and report IAM findings; exit 0 clean, 1 findings, 2 error."""
    from iacguard import suppress, trust
    from iacguard.errors import IacguardError

    if verbose:
        enable_debug_logging()
    cli_settings = {
        "config": config,
        "format": comma_separated(output_format),
        "min-severity": min_severity,
        "fail-on": fail_on,
        "soft-fail": soft_fail,
        **rule_settings(select, ignore, trusted_account),
        "baseline": baseline,
        **plugin_settings(plugin, disable_plugin, rules_dir, allow_config_plugins),
    }
    try:
        settings = load_config(cli_settings, paths[0] if paths else None)
        outputs = list(output or [])
        formats = [f.lower() for f in settings.formats]
        if "format" not in settings.origins and outputs:
            formats = [_format_of(path) for path in outputs]
        if len(outputs) > len(formats):
            fail("more --output files than --format values")
        written = [*outputs, *([create_baseline] if create_baseline else [])]
        trust.refuse_input_outputs(written, paths)
        pm = plugin_manager(settings)
        registry, setup_problems = collect_checks(pm)
        refuse_unknown_rules(settings, registry)
        reporters, reporter_problems = collect_reporters(pm)
        unknown = sorted(set(formats) - set(reporters))
        if unknown:
            available = ", ".join(sorted(reporters))
            fail(f"unknown --format {', '.join(unknown)} (available: {available})")
        baseline_entries = suppress.read_baseline(settings.baseline) if settings.baseline else ()
        account_graph = read_account_graph(account)
        options = ScanOptions(
            selection=RuleSelection(settings.select, settings.ignore),
            min_severity=settings.min_severity,
            settings=Settings(
                trusted_accounts=settings.trusted_accounts,
                max_key_age_days=settings.max_key_age_days,
                max_unused_days=settings.max_unused_days,
            ),
            debug=debug,
            suppressions=settings.suppressions + baseline_entries,
            severity_overrides=settings.severity_overrides,
            source=source,
            skip_paths=tuple(comma_separated(skip_path) or ()),
            var_files=tuple(var_file or ()),
            account=account_graph,
            work_budget=work_budget,
        )
        setup = (*trust.blocked_settings(settings), *setup_problems, *reporter_problems)
        result = scan(paths, registry, options, setup=setup)
        trust.refuse_input_outputs(written, [source.path for source in result.inputs])
        if new_only or base is not None:
            from iacguard.diff import new_findings_only

            result = new_findings_only(result, paths, registry, options, base)
        if create_baseline is not None:
            suppress.write_baseline(create_baseline, result.findings)
    except IacguardError as err:
        fail(str(err))
    unwritten = _render(result, formats, outputs, reporters, debug)
    shown = shown_diagnostics(result.diagnostics, result.skipped, verbose, result.not_evaluated)
    if quiet:
        shown = [d for d in shown if d.level is DiagnosticLevel.ERROR]
    print_diagnostics(shown, sys.stderr)
    if unwritten:
        fail("; ".join(unwritten))
    if not result.complete:
        raise typer.Exit(ExitCode.USAGE_ERROR)
    failing = any(f.severity >= settings.fail_on for f in result.findings)
    raise typer.Exit(ExitCode.FINDINGS if failing and not settings.soft_fail else ExitCode.OK)


#: ``-o FILE`` without ``-f``: the format its extension names (else ``text``)
_FORMAT_BY_SUFFIX = {
    ".sarif": "sarif",
    ".json": "json",
    ".xml": "junit",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
}


def _format_of(path: Path) -> str:
    """The format ``-o`` *path* gets when no ``-f`` is given: ``report.sarif`` and
    ``report.sarif.json`` are SARIF, ``gl-code-quality-report.json`` GitLab's."""
    name = path.name.lower()
    if name.endswith(".sarif.json"):
        return "sarif"
    if "code-quality" in name and name.endswith(".json"):
        return "gitlab"
    return _FORMAT_BY_SUFFIX.get(path.suffix.lower(), "text")


def _render(
    result: ScanResult,
    formats: list[str],
    outputs: list[Path],
    reporters: Mapping[str, Reporter],
    debug: bool,
) -> list[str]:
    """The first formats go to the --output files in order, the rest to stdout.

    Each format is written on its own: one that cannot be written, or whose reporter
    crashes, does not stop the others (#13); ``--debug`` re-raises a crash.

    :returns: one problem per format that was not written, naming it.
    """
    problems: list[str] = []
    for index, name in enumerate(formats):
        target = outputs[index] if index < len(outputs) else None
        try:
            if target is None:
                reporters[name].render(result, sys.stdout)
                continue
            with target.open("w", encoding="utf-8", errors="backslashreplace") as stream:
                reporters[name].render(result, stream)
        except OSError as err:
            where = target if target is not None else "stdout"
            problems.append(f"cannot write the {name} report to {where}: {err.strerror or err}")
        # A reporter may come from a plugin, which may raise anything (or exit).
        except (Exception, SystemExit) as err:
            if debug:
                raise
            logger.debug("reporter %s crashed", name, exc_info=True)
            problems.append(f"the {name} report crashed: {describe(err)}")
    return problems
