"""The ``sarif`` reporter: SARIF 2.1.0 with the extras GitHub code scanning reads."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Literal, NotRequired, TextIO, TypeAlias, TypedDict
from urllib.parse import quote

from iacguard import __version__, coverage
from iacguard._collector import collector_paused
from iacguard.hookspecs import hookimpl
from iacguard.model import Location, Severity
from iacguard.report import RegisterReporter, merge_repeats, silenced
from iacguard.report._escape import defuse_json
from iacguard.report.json import not_evaluated_record
from iacguard.results import Diagnostic, DiagnosticCode, DiagnosticLevel, Finding

if TYPE_CHECKING:
    from iacguard.engine import ScanResult
    from iacguard.registry import Check

SARIF_VERSION: Final = "2.1.0"
SARIF_SCHEMA: Final = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI: Final = "https://github.com/iacguard/iacguard"
#: the ``partialFingerprints`` key; bump the version if the hashed text ever changes
FINGERPRINT_KEY: Final = "iacguardFindingId/v1"
#: the URI base of every artifact: the directory iacguard ran in (the repository root
#: in CI); left to the consumer, since an absolute path would differ on every machine
SRCROOT: Final = "%SRCROOT%"

Level: TypeAlias = Literal["error", "warning", "note"]

#: severity -> SARIF ``level`` (SARIF 2.1.0 §3.27.10)
LEVELS: Final[dict[Severity, Level]] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
#: severity -> GitHub ``security-severity`` score. GitHub buckets scores as critical
#: (> 9.0), high (7.0-8.9), medium (4.0-6.9) and low (0.1-3.9); each value sits inside
#: its bucket, and ``info`` maps to the lowest bucket, which is GitHub's lowest.
SECURITY_SEVERITY: Final[dict[Severity, str]] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
_NOTIFICATION_LEVELS: Final[dict[DiagnosticLevel, Level]] = {
    DiagnosticLevel.ERROR: "error",
    DiagnosticLevel.WARNING: "warning",
    DiagnosticLevel.NOTE: "note",
}


# --------------------------------------------------------------------------- SARIF shapes


class Message(TypedDict):
    """SARIF §3.11: plain text and, optionally, Markdown."""

    text: str
    markdown: NotRequired[str]


class ArtifactLocation(TypedDict):
    """SARIF §3.4: a file, relative to ``uriBaseId``."""

    uri: str
    uriBaseId: NotRequired[str]


class Region(TypedDict):
    """SARIF §3.30: 1-based lines and columns."""

    startLine: int
    startColumn: NotRequired[int]
    endLine: NotRequired[int]
    endColumn: NotRequired[int]


class PhysicalLocation(TypedDict):
    """SARIF §3.29."""

    artifactLocation: ArtifactLocation
    region: NotRequired[Region]


class LogicalLocation(TypedDict):
    """SARIF §3.33: here, the resource address."""

    fullyQualifiedName: str
    kind: str


class SarifLocation(TypedDict):
    """SARIF §3.28."""

    physicalLocation: PhysicalLocation
    logicalLocations: NotRequired[list[LogicalLocation]]


RuleProperties = TypedDict(
    "RuleProperties", {"tags": list[str], "security-severity": str, "severity": str}
)


class ReportingConfiguration(TypedDict):
    """SARIF §3.50."""

    level: Level


class Rule(TypedDict):
    """SARIF §3.49 ``reportingDescriptor``, with GitHub's ``help``, ``helpUri`` and
    ``properties``."""

    id: str
    name: str
    shortDescription: Message
    fullDescription: Message
    help: Message
    helpUri: str
    defaultConfiguration: ReportingConfiguration
    properties: RuleProperties


class ResultProperties(TypedDict):
    """The exact severity and confidence, which ``level`` rounds off."""

    severity: str
    confidence: str


class Result(TypedDict):
    """SARIF §3.27."""

    ruleId: str
    ruleIndex: int
    level: Level
    message: Message
    locations: list[SarifLocation]
    partialFingerprints: dict[str, str]
    properties: ResultProperties


class RuleReference(TypedDict):
    """SARIF §3.52 ``reportingDescriptorReference``."""

    id: str


class Notification(TypedDict):
    """SARIF §3.58: a diagnostic about the scan itself."""

    level: Level
    message: Message
    descriptor: RuleReference
    associatedRule: NotRequired[RuleReference]
    locations: NotRequired[list[SarifLocation]]


class Invocation(TypedDict):
    """SARIF §3.20."""

    executionSuccessful: bool
    toolExecutionNotifications: list[Notification]


class Driver(TypedDict):
    """SARIF §3.19 ``toolComponent``."""

    name: str
    version: str
    semanticVersion: str
    informationUri: str
    rules: list[Rule]


class Tool(TypedDict):
    """SARIF §3.18."""

    driver: Driver


class Run(TypedDict):
    """SARIF §3.14."""

    tool: Tool
    invocations: list[Invocation]
    results: list[Result]
    columnKind: str
    #: ``silenced``: the counts of :class:`iacguard.report.Silenced`;
    #: ``iacguard/notEvaluated``: what the scan could not evaluate (#17)
    properties: dict[str, object]


SarifLog = TypedDict("SarifLog", {"$schema": str, "version": str, "runs": list[Run]})


# --------------------------------------------------------------------------- building


def artifact_location(location: Location) -> ArtifactLocation:
    """A repo-relative, percent-encoded URI; an absolute path becomes a ``file:`` URI."""
    path = location.file.as_posix()
    if location.file.is_absolute():
        return {"uri": "file://" + quote(path, safe="/", errors="surrogateescape")}
    return {"uri": quote(path, safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}


def region(location: Location) -> Region:
    """The region of *location*; line 1 when the line is unknown.

    GitHub code scanning requires ``region.startLine`` on every result ("SARIF support
    for code scanning", *physicalLocation*), and plan JSON has no line numbers, so a
    plan finding points at line 1 of the file it was read from.
    """
    found: Region = {"startLine": location.line or 1}
    if location.line and location.column:
        found["startColumn"] = location.column
    if location.line and location.end_line and location.end_line >= location.line:
        found["endLine"] = location.end_line
        if location.end_column and location.column:
            found["endColumn"] = location.end_column
    return found


def physical(location: Location) -> SarifLocation:
    """A SARIF location for a file span."""
    return {
        "physicalLocation": {
            "artifactLocation": artifact_location(location),
            "region": region(location),
        }
    }


def fingerprint(finding: Finding) -> str:
    """A stable hash of :attr:`Finding.fingerprint` (rule, address, pointer) and the
    directory of the finding's file.

    No line numbers and no file name, so an alert survives edits above it and a block
    moved to another file of its module; the directory keeps two roots with the same
    resource address (``envs/prod``, ``envs/dev``) apart.
    """
    import hashlib  # here: this module is imported on every run, hashlib costs more

    text = f"{finding.location.file.parent.as_posix()}\n{finding.fingerprint}"
    return hashlib.sha256(text.encode(errors="surrogateescape")).hexdigest()


def rule_descriptor(check: Check) -> Rule:
    """The ``rules[]`` entry of *check*."""
    fix = check.remediation
    help_text = f"{check.title}. Fix: {fix}" if fix else check.title
    description = check.description.replace("``", "`")
    help_markdown = f"**{check.id}: {check.title}**\n\n{description}"
    if fix:
        help_markdown += f"\n\n**Fix:** {fix}"
    help_markdown += f"\n\n[Rule documentation]({check.help_uri})"
    return {
        "id": check.id,
        "name": check.slug,
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": " ".join(description.split()) or check.title},
        "help": {"text": help_text, "markdown": help_markdown},
        "helpUri": check.help_uri,
        "defaultConfiguration": {"level": LEVELS[check.severity]},
        "properties": {
            # GitHub shows security-severity only for rules tagged "security"
            "tags": sorted({"security", *check.tags}),
            "security-severity": SECURITY_SEVERITY[check.severity],
            "severity": check.severity.label,
        },
    }


def result_record(finding: Finding, rule_index: int) -> Result:
    """The ``results[]`` entry of *finding*; its rule is ``rules[rule_index]``."""
    location = physical(finding.location)
    location["logicalLocations"] = [{"fullyQualifiedName": finding.address, "kind": "resource"}]
    return {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": f"{finding.message} ({finding.address})"},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding)},
        "properties": {
            "severity": finding.severity.label,
            "confidence": finding.confidence.label,
        },
    }


def notification(diagnostic: Diagnostic) -> Notification:
    """A ``toolExecutionNotifications[]`` entry for *diagnostic*."""
    record: Notification = {
        "level": _NOTIFICATION_LEVELS[diagnostic.level],
        "message": {"text": diagnostic.message},
        "descriptor": {"id": diagnostic.code},
    }
    if diagnostic.check_id:
        record["associatedRule"] = {"id": diagnostic.check_id}
    if diagnostic.location:
        record["locations"] = [physical(diagnostic.location)]
    return record


def sarif_log(result: ScanResult) -> SarifLog:
    """The whole SARIF log of *result*: deterministic, without timestamps.

    Rules are the checks that produced a finding (every finding comes from one of
    ``result.checks``), sorted by ID. Suppressed findings are left out.
    """
    checks = {check.id: check for check in result.checks}
    findings, cut = within_upload_limits(merge_repeats(result.findings))
    rule_ids = sorted({finding.rule_id for finding in findings})
    rules = [rule_descriptor(checks[rule_id]) for rule_id in rule_ids]
    index = {rule_id: position for position, rule_id in enumerate(rule_ids)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "iacguard",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": result.complete,
                        "toolExecutionNotifications": [notification(d) for d in result.diagnostics]
                        + [notification(note) for note in _not_evaluated_notes(result)]
                        + [notification(note) for note in _cut_note(cut)],
                    }
                ],
                "results": [result_record(f, index[f.rule_id]) for f in findings],
                "columnKind": "unicodeCodePoints",
                # what kept findings out of the results (suppressions, rules switched
                # off) and what the scan could not evaluate
                "properties": {
                    "silenced": silenced(result).as_dict(),
                    "iacguard/notEvaluated": [
                        not_evaluated_record(i) for i in result.not_evaluated
                    ],
                },
            }
        ],
    }


#: the results per run GitHub code scanning keeps (it drops the rest, least severe first)
MAX_RESULTS: Final = 5_000


def within_upload_limits(findings: Sequence[Finding]) -> tuple[list[Finding], int]:
    """*findings* cut to :data:`MAX_RESULTS`, the most severe kept (in report order), and
    how many were cut: GitHub code scanning shows 5,000 results of a run at most, and a
    log past its size limit is refused whole."""
    if len(findings) <= MAX_RESULTS:
        return list(findings), 0
    ranked = sorted(range(len(findings)), key=lambda i: -findings[i].severity)
    kept = sorted(ranked[:MAX_RESULTS])
    return [findings[i] for i in kept], len(findings) - MAX_RESULTS


def _cut_note(cut: int) -> list[Diagnostic]:
    """A WARNING saying how many results the log leaves out, when it leaves any out."""
    if not cut:
        return []
    message = (
        f"{cut} least severe findings left out of this log: GitHub code scanning keeps "
        f"{MAX_RESULTS:,} results per run (the other formats list every finding)"
    )
    return [Diagnostic(DiagnosticLevel.WARNING, DiagnosticCode.INPUT_NOT_READ, message)]


def _not_evaluated_notes(result: ScanResult) -> list[Diagnostic]:
    """One NOTE per kind and reason of what was not evaluated; the run's
    ``iacguard/notEvaluated`` property lists the elements."""
    return [
        Diagnostic(DiagnosticLevel.NOTE, coverage.NOT_EVALUATED_CODE, group.describe())
        for group in coverage.groups(result.not_evaluated)
    ]


class SarifReporter:
    """Writes a SARIF 2.1.0 log for GitHub code scanning and other SARIF viewers."""

    name: Final = "sarif"

    @collector_paused()
    def render(self, result: ScanResult, stream: TextIO) -> None:
        """Write the log as indented JSON, keys in a fixed order."""
        stream.write(defuse_json(json.dumps(sarif_log(result), indent=2)))
        stream.write("\n")


@hookimpl
def iacguard_register_reporters(register: RegisterReporter) -> None:
    """Provide the ``sarif`` format."""
    register(SarifReporter())
