"""The ``iacguard`` command line; the only module that prints errors or picks exit codes."""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO

import typer

from iacguard._version import __version__
from iacguard.budget import DEFAULT_WORK_BUDGET
from iacguard.coverage import NOT_EVALUATED_CODE, NotEvaluated
from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.plugins import collect_checks, collect_reporters
from iacguard.registry import Settings
from iacguard.results import Diagnostic, DiagnosticLevel
from iacguard.selection import RuleSelection

if TYPE_CHECKING:
    import pluggy

    from iacguard.config import Config
    from iacguard.registry import CheckRegistry
    from iacguard.report import Reporter


class ExitCode(IntEnum):
    """Process exit codes, the contract CI pipelines rely on."""

    #: the scan completed and no finding is at or above ``--fail-on``
    OK = 0
    #: the scan completed and at least one finding is at or above ``--fail-on``
    FINDINGS = 1
    #: bad usage, configuration or input, or an incomplete scan (a file failed to
    #: parse, a check crashed); never 0, whatever was found
    USAGE_ERROR = 2


app = typer.Typer(
    name="iacguard",
    help="Catch AWS IAM mistakes in Terraform and CloudFormation before they are deployed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


#: options shared by several commands
PluginOption = Annotated[
    list[str] | None,
    typer.Option("--plugin", metavar="MODULE", help="Also load this plugin module (repeatable)."),
]
DisablePluginOption = Annotated[
    list[str] | None,
    typer.Option("--disable-plugin", metavar="NAME", help="Do not load this plugin (repeatable)."),
]
RulesDirOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules-dir",
        metavar="PATH",
        help="Also load the YAML rules in this file or directory (repeatable).",
    ),
]
SourceOption = Annotated[
    Path | None,
    typer.Option(metavar="DIR", help="Terraform root a plan was made from (file and line)."),
]
BaseOption = Annotated[
    str | None,
    typer.Option(
        "--base",
        metavar="REV",
        help="Compare with PATHS at this git revision (read with git archive; the working "
        "tree is not touched).",
    ),
]
DebugOption = Annotated[bool, typer.Option(help="Re-raise crashes with a traceback.")]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Configuration file [.iacguard.toml or pyproject.toml [tool.iacguard]].",
    ),
]


def _fail(message: str) -> NoReturn:
    """Print one error line on stderr and exit 2."""
    typer.echo(f"iacguard: error: {message}", err=True)
    raise typer.Exit(ExitCode.USAGE_ERROR)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"iacguard {__version__}")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Catch AWS IAM mistakes in Terraform and CloudFormation before they are deployed."""


@app.command()
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
    select: Annotated[
        list[str] | None,
        typer.Option(
            metavar="PREFIX", help="Only rules with this ID prefix (repeatable, e.g. IAM3)."
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(metavar="PREFIX", help="Skip rules with this ID prefix (repeatable)."),
    ] = None,
    trusted_account: Annotated[
        list[str] | None,
        typer.Option(
            metavar="ACCOUNT", help="AWS account ID your organisation trusts (IAM402; repeatable)."
        ),
    ] = None,
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
    account: Annotated[
        Path | None,
        typer.Option(
            "--account",
            metavar="FILE",
            help="The account's authorization details: principals and policies the "
            "change names but does not define come from it.",
        ),
    ] = None,
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
    work_budget: Annotated[
        int,
        typer.Option(
            min=1,
            metavar="STEPS",
            help="Work the scan may do before it stops as incomplete (exit 2).",
        ),
    ] = DEFAULT_WORK_BUDGET,
    debug: DebugOption = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Debug logging on stderr.")
    ] = False,
) -> None:
    """Scan PATHS and report IAM findings; exit 0 clean, 1 findings, 2 error."""
    from iacguard import suppress
    from iacguard.errors import IacguardError

    if verbose:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    cli_settings = {
        "config": config,
        "format": output_format,
        "min-severity": min_severity,
        "fail-on": fail_on,
        "soft-fail": soft_fail,
        "select": select,
        "ignore": ignore,
        "trusted-accounts": trusted_account,
        "baseline": baseline,
        "plugins": plugin,
        "disable-plugins": disable_plugin,
        "rules-dir": [str(p) for p in rules_dir or ()],
    }
    try:
        settings = _load_config(cli_settings)
        formats = [f.lower() for f in settings.formats]
        outputs = list(output or [])
        if len(outputs) > len(formats):
            _fail("more --output files than --format values")
        pm = _plugin_manager(settings)
        registry, setup_problems = collect_checks(pm)
        reporters, reporter_problems = collect_reporters(pm)
        unknown = sorted(set(formats) - set(reporters))
        if unknown:
            available = ", ".join(sorted(reporters))
            _fail(f"unknown --format {', '.join(unknown)} (available: {available})")
        baseline_entries = suppress.read_baseline(settings.baseline) if settings.baseline else ()
        account_graph = None
        if account is not None:
            from iacguard.account_context import read_account

            account_graph = read_account(account)
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
            account=account_graph,
            work_budget=work_budget,
        )
        result = scan(paths, registry, options, setup=setup_problems + reporter_problems)
        if new_only or base is not None:
            from iacguard.diff import new_findings_only

            result = new_findings_only(result, paths, registry, options, base)
        if create_baseline is not None:
            suppress.write_baseline(create_baseline, result.findings)
    except IacguardError as err:
        _fail(str(err))
    _render(result, formats, outputs, reporters)
    _print_diagnostics(_shown_diagnostics(result, verbose), sys.stderr)
    if not result.complete:
        raise typer.Exit(ExitCode.USAGE_ERROR)
    failing = any(f.severity >= settings.fail_on for f in result.findings)
    raise typer.Exit(ExitCode.FINDINGS if failing and not settings.soft_fail else ExitCode.OK)


def _load_config(cli_settings: Mapping[str, object]) -> Config:
    """The effective configuration (file < environment < command line)."""
    from iacguard.config import load

    return load(cli_settings)


def _plugin_manager(settings: Config) -> pluggy.PluginManager:
    """Built-ins, entry points, ``--plugin`` modules and ``--rules-dir`` YAML rules.

    :raises IacguardError: a YAML rule file is invalid.
    """
    from iacguard.declarative import register_rule_dirs
    from iacguard.plugins import get_plugin_manager

    pm = get_plugin_manager(disabled=settings.disable_plugins, extra_modules=settings.plugins)
    register_rule_dirs(pm, settings.rules_dirs)
    return pm


def _render(
    result: ScanResult, formats: list[str], outputs: list[Path], reporters: Mapping[str, Reporter]
) -> None:
    """The first formats go to the --output files in order, the rest to stdout."""
    for index, name in enumerate(formats):
        if index >= len(outputs):
            reporters[name].render(result, sys.stdout)
            continue
        try:
            with outputs[index].open("w", encoding="utf-8") as stream:
                reporters[name].render(result, stream)
        except OSError as err:
            _fail(f"cannot write {outputs[index]}: {err.strerror or err}")


def _shown_diagnostics(result: ScanResult, verbose: bool) -> Iterator[Diagnostic]:
    """The diagnostics for stderr: files skipped in a directory are one line, with a
    hint, or with ``-v`` one line each; so are inputs of which not one policy was
    evaluated; ``-v`` also lists each element that was not evaluated."""
    summary = result.skip_note
    blind = result.inputs_not_evaluated if len(result.inputs_not_evaluated) > 1 else ()
    for diagnostic in result.diagnostics:
        if diagnostic in blind and not verbose:
            if diagnostic == blind[0]:
                yield _blind_summary(blind)
        elif diagnostic != summary or len(result.skipped) == 1:
            yield diagnostic
        elif verbose:
            yield from result.skipped
        else:
            yield dataclasses.replace(diagnostic, message=f"{diagnostic.message} (-v lists them)")
    if verbose:
        yield from (not_evaluated_note(item) for item in result.not_evaluated)


def _blind_summary(blind: tuple[Diagnostic, ...]) -> Diagnostic:
    """One WARNING for the inputs of which not one policy was evaluated."""
    names = [str(d.location.file) for d in blind if d.location]
    shown = ", ".join(names[:_BLIND_SHOWN])
    more = f" and {len(names) - _BLIND_SHOWN} more" if len(names) > _BLIND_SHOWN else ""
    message = (
        f"not one policy evaluated in {len(blind)} inputs: {shown}{more}; a report without "
        "findings there does not mean they are safe (-v lists them)"
    )
    return Diagnostic(DiagnosticLevel.WARNING, NOT_EVALUATED_CODE, message)


#: how many inputs the one warning for inputs with no policy evaluated names
_BLIND_SHOWN = 3


def not_evaluated_note(item: NotEvaluated) -> Diagnostic:
    """The ``-v`` line of one element that was not evaluated."""
    return Diagnostic(DiagnosticLevel.NOTE, NOT_EVALUATED_CODE, item.describe(), item.location)


def _print_diagnostics(diagnostics: Iterable[Diagnostic], stream: TextIO) -> None:
    """One line per diagnostic: ``iacguard: error: <message> [IAM002]``."""
    for diagnostic in diagnostics:
        stream.write(
            f"iacguard: {diagnostic.level.value}: {diagnostic.message} [{diagnostic.code}]\n"
        )


@app.command()
def rules(
    plugin: PluginOption = None,
    rules_dir: RulesDirOption = None,
    markdown: Annotated[
        bool, typer.Option(help="Print a Markdown table (as in the README).")
    ] = False,
) -> None:
    """List every rule with its ID, severity and title."""
    registry = _registry(plugin, rules_dir)
    if markdown:
        typer.echo("| ID | Severity | Rule |\n|---|---|---|")
    for item in registry:
        if markdown:
            typer.echo(f"| {item.id} | {item.severity.label} | {item.title} |")
        else:
            typer.echo(f"{item.id}  {item.severity.label:<8}  {item.title}")


@app.command()
def explain(
    rule_id: Annotated[str, typer.Argument(help="A rule ID, e.g. IAM301.")],
    plugin: PluginOption = None,
    rules_dir: RulesDirOption = None,
) -> None:
    """Show a rule's documentation: what it finds, why it matters, how to fix it."""
    registry = _registry(plugin, rules_dir)
    item = registry.get(rule_id.upper())
    if item is None:
        _fail(f"no rule {rule_id!r}; 'iacguard rules' lists them")
    typer.echo(f"{item.id} ({item.slug}) - {item.title}")
    typer.echo(f"severity: {item.severity.label}; plugin: {registry.owner(item.id)}")
    typer.echo("")
    typer.echo(item.description)
    if item.help_uri:
        typer.echo(f"\nMore: {item.help_uri}")


@app.command("plugins")
def list_plugins(
    plugin: PluginOption = None,
    disable_plugin: DisablePluginOption = None,
    rules_dir: RulesDirOption = None,
    config: ConfigOption = None,
) -> None:
    """List the loaded plugins, their versions and the rules each provides."""
    from iacguard.errors import IacguardError
    from iacguard.hookspecs import PLUGIN_API_VERSION
    from iacguard.plugins import describe_plugins
    from iacguard.results import DiagnosticLevel

    cli_settings = {
        "config": config,
        "plugins": plugin,
        "disable-plugins": disable_plugin,
        "rules-dir": [str(p) for p in rules_dir or ()],
    }
    try:
        pm = _plugin_manager(_load_config(cli_settings))
    except IacguardError as err:
        _fail(str(err))
    infos, problems = describe_plugins(pm)
    typer.echo(f"iacguard {__version__}, plugin API {PLUGIN_API_VERSION}")
    for info in infos:
        typer.echo(f"{info.name}  {info.version}")
        for label, values in (("rules", info.rules), ("formats", info.formats)):
            if values:
                typer.echo(f"  {label}: {' '.join(values)}")
    _print_diagnostics(problems, sys.stderr)
    if any(problem.level is DiagnosticLevel.ERROR for problem in problems):
        raise typer.Exit(ExitCode.USAGE_ERROR)


@app.command("config")
def show_config(config: ConfigOption = None) -> None:
    """Show the effective configuration and where each value comes from."""
    from iacguard.errors import IacguardError
    from iacguard.suppress import describe

    try:
        settings = _load_config({"config": config})
    except IacguardError as err:
        _fail(str(err))
    typer.echo(f"# file: {settings.source or '(none found)'}")
    values = {
        "select": list(settings.select),
        "ignore": list(settings.ignore),
        "format": list(settings.formats),
        "min-severity": settings.min_severity.label,
        "fail-on": settings.fail_on.label,
        "soft-fail": settings.soft_fail,
        "trusted-accounts": sorted(settings.trusted_accounts),
        "max-key-age-days": settings.max_key_age_days,
        "max-unused-days": settings.max_unused_days,
        "plugins": list(settings.plugins),
        "disable-plugins": list(settings.disable_plugins),
        "rules-dir": [str(p) for p in settings.rules_dirs],
        "baseline": str(settings.baseline) if settings.baseline else None,
    }
    for key, value in values.items():
        origin = settings.origins.get(key, "default")
        typer.echo(f"{key} = {json.dumps(value)}  # {origin}")
    for rule, severity in sorted(settings.severity_overrides.items()):
        typer.echo(f"severity.{rule} = {json.dumps(severity.label)}")
    for suppression in settings.suppressions:
        expiry = f", expires {suppression.expires}" if suppression.expires else ""
        typer.echo(f"# {describe(suppression)}: {suppression.reason}{expiry}")


def _registry(plugins: list[str] | None, rules_dirs: list[Path] | None) -> CheckRegistry:
    """The checks of the configured plugins plus *plugins* and *rules_dirs*."""
    from iacguard.errors import IacguardError

    cli_settings = {"plugins": plugins, "rules-dir": [str(p) for p in rules_dirs or ()]}
    try:
        pm = _plugin_manager(_load_config(cli_settings))
    except IacguardError as err:
        _fail(str(err))
    registry, problems = collect_checks(pm)
    _print_diagnostics(problems, sys.stderr)
    return registry


@app.command("diff")
def diff_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Plan JSON files (compared with the state they start from) or, with "
            "--base, Terraform directories and CloudFormation templates.",
        ),
    ],
    base: BaseOption = None,
    output_format: Annotated[
        str,
        typer.Option("--format", "-f", metavar="FORMAT", help="text, json, markdown or sarif."),
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write to this file.")
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            metavar="SEVERITY",
            help="Exit 1 when a new finding is at or above this severity [info].",
        ),
    ] = None,
    soft_fail: Annotated[
        bool | None,
        typer.Option("--soft-fail/--no-soft-fail", help="Exit 0 even when access is added."),
    ] = None,
    select: Annotated[
        list[str] | None, typer.Option(metavar="PREFIX", help="Only rules with this ID prefix.")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(metavar="PREFIX", help="Skip rules with this ID prefix.")
    ] = None,
    trusted_account: Annotated[
        list[str] | None, typer.Option(metavar="ACCOUNT", help="AWS account ID you trust.")
    ] = None,
    config: ConfigOption = None,
    source: SourceOption = None,
    plugin: PluginOption = None,
    disable_plugin: DisablePluginOption = None,
    rules_dir: RulesDirOption = None,
    debug: DebugOption = False,
) -> None:
    """Show the access a change adds and removes, per principal, and its new findings;
    exit 1 when it adds a finding at or above --fail-on or makes a principal newly
    privileged, 0 otherwise, 2 error."""
    from iacguard.catalog import default_catalog
    from iacguard.diff.compare import compare
    from iacguard.diff.render import FORMATS, write_diff
    from iacguard.diff.sides import after_side, before_side, side_diagnostics
    from iacguard.errors import IacguardError
    from iacguard.results import DiagnosticLevel

    fmt = output_format.lower()
    if fmt not in FORMATS:
        _fail(f"unknown --format {output_format} (available: {', '.join(FORMATS)})")
    cli_settings = {
        "config": config,
        "fail-on": fail_on,
        "soft-fail": soft_fail,
        "select": select,
        "ignore": ignore,
        "trusted-accounts": trusted_account,
        "plugins": plugin,
        "disable-plugins": disable_plugin,
        "rules-dir": [str(p) for p in rules_dir or ()],
    }
    try:
        settings = _load_config(cli_settings)
        registry, problems = collect_checks(_plugin_manager(settings))
        options = ScanOptions(
            selection=RuleSelection(settings.select, settings.ignore),
            settings=Settings(trusted_accounts=settings.trusted_accounts),
            debug=debug,
            suppressions=settings.suppressions,
            severity_overrides=settings.severity_overrides,
            source=source,
        )
        before = before_side(paths, registry, options, base)
        after = after_side(paths, registry, options, base)
    except IacguardError as err:
        _fail(str(err))
    result = after.result or before.result
    if result is None:
        _fail(f"{', '.join(str(p) for p in paths)}: nothing to compare")
    catalog = default_catalog()
    change = compare(before.graphs, after.graphs, before.findings, after.findings, catalog)
    named = ", ".join(str(p) for p in paths)
    labels = (base, "working tree") if base is not None else (f"prior state of {named}", named)
    if output is None:
        write_diff(fmt, change, labels, result, sys.stdout)
    else:
        try:
            with output.open("w", encoding="utf-8") as stream:
                write_diff(fmt, change, labels, result, stream)
        except OSError as err:
            _fail(f"cannot write {output}: {err.strerror or err}")
    diagnostics = list(problems) + list(side_diagnostics(before, after))
    _print_diagnostics(diagnostics, sys.stderr)
    if any(d.level is DiagnosticLevel.ERROR for d in diagnostics):
        raise typer.Exit(ExitCode.USAGE_ERROR)
    adds = change.newly_privileged or any(
        f.severity >= settings.fail_on for f in change.new_findings
    )
    raise typer.Exit(ExitCode.FINDINGS if adds and not settings.soft_fail else ExitCode.OK)


# --- views: access and graph (issue #3) --------------------------------------------

if TYPE_CHECKING:
    from iacguard.views.access import AccessInput


def _parsed_inputs(path: Path) -> list[AccessInput]:
    """Parse every input under *path* into a named graph; bad input exits 2."""
    from iacguard.errors import IacguardError, UnsupportedInputError
    from iacguard.parsers import discover, parse
    from iacguard.views.access import AccessInput

    found: list[AccessInput] = []
    try:
        for source in discover([path]):
            try:
                found.append(AccessInput(str(source.display), parse(source).graph))
            except UnsupportedInputError:
                if source.explicit:
                    raise
    except IacguardError as err:
        _fail(str(err))
    if not found:
        _fail(f"{path}: holds nothing iacguard can scan")
    return found


@app.command()
def access(
    path: Annotated[Path, typer.Argument(help="A plan JSON file or a directory to search.")],
    principal: Annotated[
        str | None,
        typer.Option(help="Only this principal, by address (aws_iam_user.alice)."),
    ] = None,
) -> None:
    """Show each principal's effective permissions: admins, escalation paths, MFA."""
    from iacguard.catalog import default_catalog
    from iacguard.views.access import write_access

    inputs = _parsed_inputs(path)
    if not write_access(inputs, sys.stdout, default_catalog(), principal):
        _fail(f"no principal {principal!r} in {path}" if principal else f"no principal in {path}")


@app.command()
def graph(
    path: Annotated[Path, typer.Argument(help="A plan JSON file or a directory to search.")],
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="dot, mermaid or json.")
    ] = "dot",
) -> None:
    """Export the IAM graph (principals, policies, groups, trust) for drawing."""
    from iacguard.catalog import default_catalog
    from iacguard.views.graph_export import GraphFormat, write_graph

    try:
        fmt = GraphFormat(output_format.lower())
    except ValueError:
        _fail(f"unknown --format {output_format} (available: dot, mermaid, json)")
    write_graph(_parsed_inputs(path), sys.stdout, fmt, default_catalog())


def main() -> None:
    """Console-script entry point."""
    app()
