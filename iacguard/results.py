"""Immutable results of a scan: what checks yield, findings, diagnostics, suppressions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum, StrEnum
from pathlib import PurePosixPath

from iacguard.model import Confidence, Location, Origin, Pointer, Severity, SourceKind


@dataclass(frozen=True, slots=True)
class Hit:
    """What a check yields: a message about an element; the engine makes the Finding."""

    #: the element the finding is about; its address is the finding's resource
    origin: Origin
    #: one sentence fragment, no trailing period, naming the offender; never a secret
    message: str
    #: a deeper pointer inside the element, appended to ``origin.pointer``
    pointer: Pointer = ()
    confidence: Confidence = Confidence.HIGH


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule violation, ready for reporting."""

    rule_id: str
    severity: Severity
    confidence: Confidence
    title: str
    message: str
    #: resource address the finding is reported at
    address: str
    location: Location
    pointer: Pointer
    source: SourceKind

    @property
    def fingerprint(self) -> str:
        """Stable identity across edits: rule, address and pointer, never line numbers."""
        pointer = "/".join(str(part) for part in self.pointer)
        return f"{self.rule_id}:{self.address}:{pointer}"

    @property
    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """Order of reports: file, line, column, rule, address, pointer."""
        loc = self.location
        pointer = "/".join(str(part) for part in self.pointer)
        return (str(loc.file), loc.line or 0, loc.column or 0, self.rule_id, self.address, pointer)


class DiagnosticLevel(Enum):
    """How serious a diagnostic is; ERROR means the scan is incomplete."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


class DiagnosticCode(StrEnum):
    """What a diagnostic is about: the code reports print (``[IAM003]``), stable like
    rule IDs."""

    #: a file is not valid for its format, or its parser failed
    PARSE_ERROR = "IAM001"
    #: a check crashed (the others still ran)
    CHECK_CRASHED = "IAM002"
    #: an input, or part of one, was skipped or could not be read
    INPUT_NOT_READ = "IAM003"
    #: a plugin, or a setting that loads plugins, could not be used
    PLUGIN_PROBLEM = "IAM004"
    #: a suppression that is misplaced, expired or matches nothing
    SUPPRESSION = "IAM005"
    #: the scan's work budget is spent
    WORK_BUDGET = "IAM006"
    #: something could not be evaluated (unknown until apply ...)
    NOT_EVALUATED = "IAM007"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """Something about the scan itself (a crashed check, a skipped file), not the input."""

    level: DiagnosticLevel
    code: DiagnosticCode
    message: str
    location: Location | None = None
    check_id: str | None = None


@dataclass(frozen=True, slots=True)
class Suppression:
    """An accepted risk: findings of some rules at some addresses are not reported.

    Parsers read them from the input (HCL comments, CloudFormation ``Metadata``);
    configuration and baselines add more. The engine applies them, and reports the ones
    that matched nothing or have expired.
    """

    #: rule IDs or ID prefixes (``IAM301``, ``IAM3``)
    rules: tuple[str, ...]
    #: an address or a glob over addresses (``module.legacy.*``)
    address: str
    reason: str
    #: only findings whose pointer starts with this (an attribute-level comment)
    pointer: Pointer = ()
    #: where it was written: a comment, a metadata entry, a config line
    location: Location | None = None
    #: ISO date after which it no longer applies, or None
    expires: date | None = None
    #: ``"hcl-comment"``, ``"cloudformation-metadata"``, ``"config"``, ``"baseline"``
    kind: str = "config"
    #: only findings in this file (baselines record the file); None for any file
    file: PurePosixPath | None = None


@dataclass(frozen=True, slots=True)
class SuppressedFinding:
    """A finding that a suppression silenced, kept for reports that list them."""

    finding: Finding
    suppression: Suppression
