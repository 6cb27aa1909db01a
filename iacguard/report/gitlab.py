"""The ``gitlab`` reporter: a GitLab Code Quality report (a JSON array of issues), for
``artifacts: reports: codequality:`` in ``.gitlab-ci.yml``.

Format facts from GitLab's documentation ("Code Quality report format",
docs.gitlab.com/ci/testing/code_quality/): each issue has ``description``,
``check_name``, ``fingerprint`` (unique per issue), ``severity`` (``info``, ``minor``,
``major``, ``critical`` or ``blocker``) and ``location`` (``path``, ``lines.begin``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final, TextIO

from iacguard.hookspecs import hookimpl
from iacguard.model import Severity
from iacguard.report import RegisterReporter
from iacguard.report._escape import defuse_json
from iacguard.results import Finding

if TYPE_CHECKING:
    from iacguard.engine import ScanResult

#: iacguard's five severities onto GitLab's five, in order
SEVERITIES: Final = {
    Severity.INFO: "info",
    Severity.LOW: "minor",
    Severity.MEDIUM: "major",
    Severity.HIGH: "critical",
    Severity.CRITICAL: "blocker",
}


def issue(finding: Finding) -> dict[str, object]:
    """One finding as a Code Quality issue. The fingerprint hashes the file with the
    finding's own fingerprint (rule, address, pointer: no line), so it is unique in the
    report and survives edits that move the block."""
    import hashlib  # here: this module is imported on every run, hashlib costs more

    file = finding.location.file.as_posix()
    identity = f"{file}\0{finding.fingerprint}".encode(errors="surrogateescape")
    return {
        "description": f"{finding.rule_id} {finding.title}: {finding.message}",
        "check_name": finding.rule_id,
        "fingerprint": hashlib.sha256(identity).hexdigest()[:32],
        "severity": SEVERITIES[finding.severity],
        "location": {"path": file, "lines": {"begin": finding.location.line or 1}},
    }


class GitLabReporter:
    """Writes every finding (one per resource, as in ``json``) as a Code Quality issue."""

    name: Final = "gitlab"

    def render(self, result: ScanResult, stream: TextIO) -> None:
        """Write the JSON array, two-space indent, in report order."""
        stream.write(defuse_json(json.dumps([issue(f) for f in result.findings], indent=2)))
        stream.write("\n")


@hookimpl
def iacguard_register_reporters(register: RegisterReporter) -> None:
    """Provide the ``gitlab`` format."""
    register(GitLabReporter())
