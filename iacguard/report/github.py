"""The ``github`` reporter: GitHub Actions workflow commands, one annotation per finding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal, TextIO, TypeAlias

from iacguard import coverage
from iacguard.hookspecs import hookimpl
from iacguard.model import Location, Severity
from iacguard.report import RegisterReporter, merge_repeats, silenced
from iacguard.results import Diagnostic, DiagnosticLevel, Finding

if TYPE_CHECKING:
    from iacguard.engine import ScanResult

Command: TypeAlias = Literal["error", "warning", "notice"]

#: severity -> workflow command
COMMANDS: Final[dict[Severity, Command]] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}
_DIAGNOSTIC_COMMANDS: Final[dict[DiagnosticLevel, Command]] = {
    DiagnosticLevel.ERROR: "error",
    DiagnosticLevel.WARNING: "warning",
    DiagnosticLevel.NOTE: "notice",
}


def escape_data(text: str) -> str:
    """Escape a command's message: ``%`` as ``%25``, CR as ``%0D``, LF as ``%0A``.

    These are the runner's data escapes (``actions/runner``,
    ``src/Runner.Common/ActionCommand.cs``, ``_escapeDataMappings``; ``@actions/core``
    ``command.ts`` ``escapeData`` writes the same), so the message stays on its line
    and reads back as written.
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file``, ``title``): as :func:`escape_data`, plus ``:``
    as ``%3A`` and ``,`` as ``%2C`` (the runner's ``_escapePropertyMappings``): a file
    named ``a,line=1`` or ``x::y`` cannot add a property or end the properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: Command, message: str, properties: dict[str, str | int]) -> str:
    """One workflow command line, properties in the given order, all escaped."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def _position(location: Location) -> dict[str, str | int]:
    """``file`` and, when known, ``line``/``col``/``endLine``/``endColumn``.

    An unknown line (plan JSON) is left out: the annotation then belongs to the file.
    """
    position: dict[str, str | int] = {"file": location.file.as_posix()}
    if location.line:
        position["line"] = location.line
        if location.column:
            position["col"] = location.column
        if location.end_line and location.end_line >= location.line:
            position["endLine"] = location.end_line
            if location.column and location.end_column:
                position["endColumn"] = location.end_column
    return position


def finding_command(finding: Finding, remediation: str = "") -> str:
    """The annotation of *finding*; *remediation* is appended as a ``Fix:`` line."""
    title = f"{finding.rule_id} ({finding.severity.label}) {finding.title}"
    message = f"{finding.message} ({finding.address})"
    if remediation:
        message += f"\nFix: {remediation}"
    properties = _position(finding.location) | {"title": title}
    return command(COMMANDS[finding.severity], message, properties)


def diagnostic_command(diagnostic: Diagnostic) -> str:
    """The annotation of a scan diagnostic (a parse error, a crashed check)."""
    properties: dict[str, str | int] = {}
    if diagnostic.location:
        properties = _position(diagnostic.location)
    properties["title"] = f"iacguard {diagnostic.code}"
    return command(_DIAGNOSTIC_COMMANDS[diagnostic.level], diagnostic.message, properties)


class GithubReporter:
    """Writes one workflow command per finding and per diagnostic, for the Actions log.

    Format (GitHub, "Workflow commands for GitHub Actions"; escaping as in
    ``@actions/core``'s ``command.ts``)::

        ::error file=main.tf,line=12,title=IAM301 (critical) Policy grants ...::message

    GitHub shows at most 10 error and 10 warning annotations per step and 50 per job;
    the rest stay in the log.
    """

    name: Final = "github"

    def render(self, result: ScanResult, stream: TextIO) -> None:
        """Write the commands, findings first, the most severe first (GitHub shows only
        the first few annotations of each kind a step makes), then in report order."""
        fixes = {check.id: check.remediation for check in result.checks}
        ranked = sorted(merge_repeats(result.findings), key=lambda f: -f.severity)
        for finding in ranked:
            stream.write(finding_command(finding, fixes.get(finding.rule_id, "")) + "\n")
        for diagnostic in result.diagnostics:
            stream.write(diagnostic_command(diagnostic) + "\n")
        hidden = silenced(result).describe()
        if hidden:
            stream.write(command("notice", f"Not shown: {hidden}", {"title": "iacguard"}) + "\n")
        for group in coverage.groups(result.not_evaluated):
            properties: dict[str, str | int] = {"title": f"iacguard {coverage.NOT_EVALUATED_CODE}"}
            stream.write(command("notice", group.describe(), properties) + "\n")


@hookimpl
def iacguard_register_reporters(register: RegisterReporter) -> None:
    """Provide the ``github`` format."""
    register(GithubReporter())
