"""The ``text`` reporter: findings grouped by file and resource, for people."""

from __future__ import annotations

import os
from itertools import groupby
from typing import TYPE_CHECKING, Final, TextIO

from iacguard import coverage
from iacguard.hookspecs import hookimpl
from iacguard.model import Severity
from iacguard.report import RegisterReporter, merge_repeats, severity_counts, silenced
from iacguard.report._escape import printable
from iacguard.results import DiagnosticLevel, Finding

if TYPE_CHECKING:
    from iacguard.engine import ScanResult

_COLOURS: Final = {
    Severity.CRITICAL: "\033[1;31m",
    Severity.HIGH: "\033[31m",
    Severity.MEDIUM: "\033[33m",
    Severity.LOW: "\033[36m",
    Severity.INFO: "\033[2m",
}
_BOLD: Final = "\033[1m"
_DIM: Final = "\033[2m"
_RESET: Final = "\033[0m"


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when ``NO_COLOR`` is set (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class TextReporter:
    """One block per file, one heading per resource, one line per finding, then a
    summary line; colour only on a terminal."""

    name: Final = "text"

    def render(self, result: ScanResult, stream: TextIO) -> None:
        """Write the report."""
        colour = use_colour(stream)

        def paint(code: str, text: str) -> str:
            return f"{code}{text}{_RESET}" if colour else text

        def by_file(finding: Finding) -> str:
            return str(finding.location.file)

        fixes = {check.id: check.remediation for check in result.checks}
        findings = merge_repeats(result.findings)
        for file, in_file in groupby(findings, key=by_file):
            stream.write(paint(_BOLD, printable(file)) + "\n")
            ordered = sorted(in_file, key=lambda f: (f.address, -f.severity, f.rule_id))
            for address, at_resource in groupby(ordered, key=lambda f: f.address):
                here = list(at_resource)
                line = here[0].location.line
                where = f"  (line {line})" if line else ""
                stream.write(f"  {printable(address)}{where}\n")
                for finding in here:
                    label = paint(
                        _COLOURS[finding.severity], f"{finding.severity.label.upper():<8}"
                    )
                    message = printable(finding.message)
                    stream.write(f"    {label} {printable(finding.rule_id)}  {message}\n")
                    stream.write(paint(_DIM, f"             {printable(finding.title)}") + "\n")
                    if fixes.get(finding.rule_id):
                        fix = printable(fixes[finding.rule_id])
                        stream.write(paint(_DIM, f"             fix: {fix}") + "\n")
            stream.write("\n")
        if findings:
            stream.write("'iacguard explain RULE' shows why a rule matters and how to fix it.\n")
        stream.write(summary_line(result) + "\n")
        for counted in not_evaluated_lines(result):
            stream.write(printable(counted) + "\n")


def summary_line(result: ScanResult) -> str:
    """``3 findings (1 critical, 2 high) in 1 file, 25 rules`` and, if so, incompleteness."""
    findings = merge_repeats(result.findings)
    counts = ", ".join(f"{n} {label}" for label, n in severity_counts(findings).items() if n)
    total = len(findings)
    files = len(result.inputs)
    text = f"{total} finding{'s' if total != 1 else ''}"
    text += f" ({counts})" if counts else ""
    text += f" in {files} file{'s' if files != 1 else ''}, {len(result.checks)} rules checked"
    hidden = silenced(result).describe()
    if hidden:
        text += f", {hidden}"
    if blind := len(result.inputs_not_evaluated):
        text += (
            f"; NOT ONE POLICY EVALUATED in {blind} input{'s' if blind != 1 else ''} (see stderr)"
        )
    errors = sum(d.level is DiagnosticLevel.ERROR for d in result.diagnostics)
    if errors:
        text += f"; scan INCOMPLETE: {errors} error{'s' if errors != 1 else ''} (see stderr)"
    return text


def not_evaluated_lines(result: ScanResult) -> list[str]:
    """The summary's count of what was not evaluated, one line per kind and reason
    (``3 policy documents not evaluated: unknown until apply``), and where the list is."""
    lines = [group.describe() for group in coverage.groups(result.not_evaluated)]
    if lines:
        lines.append("('iacguard check -v' lists what was not evaluated.)")
    return lines


@hookimpl
def iacguard_register_reporters(register: RegisterReporter) -> None:
    """Provide the ``text`` format."""
    register(TextReporter())
