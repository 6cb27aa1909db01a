"""The ``iacguard`` command line; the only module that prints errors or picks exit codes."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TextIO

import typer

from iacguard._version import __version__
from iacguard.model import Diagnostic, Severity

if TYPE_CHECKING:
    from iacguard.registry import CheckRegistry


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
    help="Catch AWS IAM mistakes in Terraform plans before they are deployed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


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
    """Catch AWS IAM mistakes in Terraform plans before they are deployed."""


def _severity(value: str, option: str) -> Severity:
    try:
        return Severity.parse(value)
    except ValueError as err:
        _fail(f"{option}: {err}")


@app.command()
def check(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Plan JSON files (terraform show -json) or directories to search."),
    ],
    output_format: Annotated[
        list[str] | None,
        typer.Option(
            "--format", "-f", help="Output format: text or json (repeatable, see --output)."
        ),
    ] = None,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output", "-o", help="Write the matching --format to this file (repeatable)."
        ),
    ] = None,
    min_severity: Annotated[
        str,
        typer.Option(help="Report only findings at or above: info, low, medium, high, critical."),
    ] = "info",
    fail_on: Annotated[
        str, typer.Option(help="Exit 1 when a reported finding is at or above this severity.")
    ] = "info",
    select: Annotated[
        list[str] | None,
        typer.Option(help="Only rules with this ID prefix (repeatable, e.g. IAM3)."),
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option(help="Skip rules with this ID prefix (repeatable).")
    ] = None,
    trusted_account: Annotated[
        list[str] | None,
        typer.Option(help="AWS account ID your organisation trusts (IAM402; repeatable)."),
    ] = None,
    plugin: Annotated[
        list[str] | None, typer.Option(help="Also load this plugin module (repeatable).")
    ] = None,
    disable_plugin: Annotated[
        list[str] | None, typer.Option(help="Do not load this plugin (repeatable).")
    ] = None,
    debug: Annotated[bool, typer.Option(help="Re-raise crashes with a traceback.")] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Debug logging on stderr.")
    ] = False,
) -> None:
    """Scan PATHS and report IAM findings; exit 0 clean, 1 findings, 2 error."""
    from iacguard.engine import ScanOptions, scan
    from iacguard.errors import IacguardError
    from iacguard.plugins import collect_checks, collect_reporters, get_plugin_manager
    from iacguard.registry import Settings
    from iacguard.selection import RuleSelection

    if verbose:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    formats = [f.lower() for f in output_format or ["text"]]
    outputs = list(output or [])
    if len(outputs) > len(formats):
        _fail("more --output files than --format values")
    minimum = _severity(min_severity, "--min-severity")
    threshold = _severity(fail_on, "--fail-on")
    try:
        pm = get_plugin_manager(disabled=disable_plugin or (), extra_modules=plugin or ())
    except IacguardError as err:
        _fail(str(err))
    registry, setup_problems = collect_checks(pm)
    reporters, reporter_problems = collect_reporters(pm)
    unknown = sorted(set(formats) - set(reporters))
    if unknown:
        _fail(f"unknown --format {', '.join(unknown)} (available: {', '.join(sorted(reporters))})")
    options = ScanOptions(
        selection=RuleSelection(tuple(select or ()), tuple(ignore or ())),
        min_severity=minimum,
        settings=Settings(trusted_accounts=frozenset(trusted_account or ())),
        debug=debug,
    )
    try:
        result = scan(paths, registry, options, setup=setup_problems + reporter_problems)
    except IacguardError as err:
        _fail(str(err))
    # the first formats go to the --output files in order, the rest to stdout
    for index, name in enumerate(formats):
        if index < len(outputs):
            try:
                with outputs[index].open("w", encoding="utf-8") as stream:
                    reporters[name].render(result, stream)
            except OSError as err:
                _fail(f"cannot write {outputs[index]}: {err.strerror or err}")
        else:
            reporters[name].render(result, sys.stdout)
    _print_diagnostics(result.diagnostics, sys.stderr)
    if not result.complete:
        raise typer.Exit(ExitCode.USAGE_ERROR)
    failing = any(f.severity >= threshold for f in result.findings)
    raise typer.Exit(ExitCode.FINDINGS if failing else ExitCode.OK)


def _print_diagnostics(diagnostics: Iterable[Diagnostic], stream: TextIO) -> None:
    """One line per diagnostic: ``iacguard: error: <message> [IAM002]``."""
    for diagnostic in diagnostics:
        stream.write(
            f"iacguard: {diagnostic.level.value}: {diagnostic.message} [{diagnostic.code}]\n"
        )


@app.command()
def rules(
    plugin: Annotated[list[str] | None, typer.Option(help="Also load this plugin module.")] = None,
    markdown: Annotated[
        bool, typer.Option(help="Print a Markdown table (as in the README).")
    ] = False,
) -> None:
    """List every rule with its ID, severity and title."""
    registry = _registry(plugin)
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
    plugin: Annotated[list[str] | None, typer.Option(help="Also load this plugin module.")] = None,
) -> None:
    """Show a rule's documentation: what it finds, why it matters, how to fix it."""
    registry = _registry(plugin)
    item = registry.get(rule_id.upper())
    if item is None:
        _fail(f"no rule {rule_id!r}; 'iacguard rules' lists them")
    typer.echo(f"{item.id} ({item.slug}) - {item.title}")
    typer.echo(f"severity: {item.severity.label}; plugin: {registry.owner(item.id)}")
    typer.echo("")
    typer.echo(item.description)


def _registry(extra: list[str] | None) -> CheckRegistry:
    from iacguard.errors import IacguardError
    from iacguard.plugins import collect_checks, get_plugin_manager

    try:
        pm = get_plugin_manager(extra_modules=extra or ())
    except IacguardError as err:
        _fail(str(err))
    registry, problems = collect_checks(pm)
    _print_diagnostics(problems, sys.stderr)
    return registry


def main() -> None:
    """Console-script entry point."""
    app()
