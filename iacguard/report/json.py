"""The ``json`` reporter: a stable, documented machine format (schema in
``iacguard/data/report.schema.json``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final, TextIO

from iacguard import __version__, coverage
from iacguard._collector import collector_paused
from iacguard.coverage import NotEvaluated
from iacguard.hookspecs import hookimpl
from iacguard.report import RegisterReporter, severity_counts, silenced
from iacguard.report._escape import defuse_json
from iacguard.results import Diagnostic, Finding

if TYPE_CHECKING:
    from iacguard.engine import ScanResult

#: bumped on any incompatible change of the JSON report
SCHEMA_VERSION: Final = "1.3"


def finding_record(finding: Finding) -> dict[str, object]:
    """One finding as a JSON object (the ``findings[]`` items of the schema)."""
    location = finding.location
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity.label,
        "confidence": finding.confidence.label,
        "title": finding.title,
        "message": finding.message,
        "resource": finding.address,
        "file": str(location.file),
        "line": location.line,
        "column": location.column,
        "pointer": [str(part) for part in finding.pointer],
        "source": finding.source.value,
        "fingerprint": finding.fingerprint,
    }


def not_evaluated_record(item: NotEvaluated) -> dict[str, object]:
    """One element that was not evaluated (the ``not_evaluated[]`` items of the schema)."""
    return {
        "kind": item.kind.value,
        "resource": item.address,
        "file": str(item.location.file),
        "line": item.location.line,
        "reason": item.reason,
        "detail": item.detail,
    }


def diagnostic_record(diagnostic: Diagnostic) -> dict[str, object]:
    """One diagnostic as a JSON object (the ``diagnostics[]`` items of the schema)."""
    location = diagnostic.location
    return {
        "level": diagnostic.level.value,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "file": str(location.file) if location else None,
        "line": location.line if location else None,
        "rule_id": diagnostic.check_id,
    }


class JsonReporter:
    """Writes the scan as one JSON document, keys sorted, two-space indent."""

    name: Final = "json"

    @collector_paused()
    def render(self, result: ScanResult, stream: TextIO) -> None:
        """Write the report; see the schema for every field."""
        # the machine format keeps every finding (one per resource and pointer): tools that
        # read it match findings by resource; people read the merged formats
        findings = result.findings
        document = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "iacguard", "version": __version__},
            "complete": result.complete,
            "summary": {
                "findings": len(findings),
                "by_severity": severity_counts(findings),
                "files": len(result.inputs),
                "rules": len(result.checks),
                "suppressed": len(result.suppressed),
                "silenced": silenced(result).as_dict(),
                "not_evaluated": [
                    {"kind": g.kind.value, "reason": g.reason, "count": g.count}
                    for g in coverage.groups(result.not_evaluated)
                ],
            },
            "inputs": [str(source.display) for source in result.inputs],
            "findings": [finding_record(f) for f in findings],
            "diagnostics": [diagnostic_record(d) for d in result.diagnostics],
            "not_evaluated": [not_evaluated_record(item) for item in result.not_evaluated],
        }
        stream.write(defuse_json(json.dumps(document, indent=2, sort_keys=True)))
        stream.write("\n")


@hookimpl
def iacguard_register_reporters(register: RegisterReporter) -> None:
    """Provide the ``json`` format."""
    register(JsonReporter())
