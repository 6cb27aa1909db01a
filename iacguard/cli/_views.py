"""The views: ``iacguard access`` (effective permissions per principal) and
``iacguard graph`` (the IAM graph for drawing), on inputs read as ``check`` reads them."""

from __future__ import annotations

import dataclasses
import sys
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
from iacguard.cli._options import DebugOption, VerboseOption
from iacguard.engine import ScanOptions
from iacguard.results import Diagnostic, DiagnosticLevel

if TYPE_CHECKING:
    from iacguard.views.access import AccessInput


@dataclasses.dataclass(frozen=True, slots=True)
class _Parsed:
    """The inputs of a view, read through the scan's own parse loop."""

    inputs: list[AccessInput]
    diagnostics: list[Diagnostic]
    skipped: list[Diagnostic]

    @property
    def complete(self) -> bool:
        """False when an input failed to parse."""
        return not any(d.level is DiagnosticLevel.ERROR for d in self.diagnostics)

    def finish(self, verbose: bool) -> None:
        """Print the diagnostics as ``check`` does; exit 2 when an input failed."""
        print_diagnostics(shown_diagnostics(self.diagnostics, self.skipped, verbose), sys.stderr)
        if not self.complete:
            raise typer.Exit(ExitCode.USAGE_ERROR)


def _parsed_inputs(path: Path, debug: bool) -> _Parsed:
    """Parse every input under *path* into a named graph, as ``check`` does (#13): a
    file that fails is a diagnostic and the others are still read; a path that holds
    nothing to scan exits 2."""
    from iacguard.budget import WorkBudget
    from iacguard.engine import parse_inputs
    from iacguard.errors import IacguardError
    from iacguard.views.access import AccessInput

    diagnostics: list[Diagnostic] = []
    skipped: list[Diagnostic] = []
    budget = WorkBudget(DEFAULT_WORK_BUDGET)
    loop = parse_inputs([path], ScanOptions(debug=debug), budget, diagnostics, skipped)
    try:
        inputs = [AccessInput(str(source.display), parsed.graph) for source, parsed in loop]
    except IacguardError as err:
        fail(str(err))
    return _Parsed(inputs, diagnostics, skipped)


@app.command()
@exit_code_contract
def access(
    path: Annotated[Path, typer.Argument(help="A plan JSON file or a directory to search.")],
    principal: Annotated[
        str | None,
        typer.Option(help="Only this principal, by address (aws_iam_user.alice)."),
    ] = None,
    debug: DebugOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Show each principal's effective permissions: admins, escalation paths, MFA."""
    from iacguard.catalog import default_catalog
    from iacguard.views.access import write_access

    if verbose:
        enable_debug_logging()
    parsed = _parsed_inputs(path, debug)
    written = write_access(parsed.inputs, sys.stdout, default_catalog(), principal)
    parsed.finish(verbose)
    if not written:
        fail(f"no principal {principal!r} in {path}" if principal else f"no principal in {path}")


@app.command()
@exit_code_contract
def graph(
    path: Annotated[Path, typer.Argument(help="A plan JSON file or a directory to search.")],
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="dot, mermaid or json.")
    ] = "dot",
    debug: DebugOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Export the IAM graph (principals, policies, groups, trust) for drawing."""
    from iacguard.catalog import default_catalog
    from iacguard.views.graph_export import GraphFormat, write_graph

    try:
        fmt = GraphFormat(output_format.lower())
    except ValueError:
        fail(f"unknown --format {output_format} (available: dot, mermaid, json)")
    if verbose:
        enable_debug_logging()
    parsed = _parsed_inputs(path, debug)
    if parsed.inputs:
        write_graph(parsed.inputs, sys.stdout, fmt, default_catalog())
    parsed.finish(verbose)
