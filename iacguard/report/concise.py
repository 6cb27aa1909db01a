"""The ``concise`` reporter: one line per finding, ``FILE:LINE:COL: RULE severity
message`` (``FILE:LINE:`` when the column is not known), as editors' error parsers and
``grep`` expect; no summary, no colour."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TextIO

from iacguard.hookspecs import hookimpl
from iacguard.report import RegisterReporter
from iacguard.report.text import printable
from iacguard.results import Finding

if TYPE_CHECKING:
    from iacguard.engine import ScanResult


def line(finding: Finding) -> str:
    """One finding's line, input-derived text escaped for a terminal."""
    location = finding.location
    where = f"{location.file.as_posix()}:{location.line or 1}:"
    if location.column is not None:
        where += f"{location.column}:"
    label = finding.severity.label
    message = f"{finding.rule_id} {label} {finding.message} [{finding.address}]"
    return printable(f"{where} {message}")


class ConciseReporter:
    """Writes every finding (one per resource, as in ``json``) on its own line."""

    name: Final = "concise"

    def render(self, result: ScanResult, stream: TextIO) -> None:
        """Write one line per finding, in report order."""
        for finding in result.findings:
            stream.write(line(finding) + "\n")


@hookimpl
def iacguard_register_reporters(register: RegisterReporter) -> None:
    """Provide the ``concise`` format."""
    register(ConciseReporter())
