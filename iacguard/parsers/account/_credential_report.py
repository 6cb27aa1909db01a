"""The AWS credential report (``aws iam get-credential-report``): the CSV, base64-decoded,
or the API's JSON answer with the base64 ``Content`` and ``GeneratedTime``.

Format facts (AWS IAM User Guide, "Getting credential reports"): one header row, then a
row per IAM user and one for the root user (``<root_account>``). Times are ISO 8601;
``N/A`` means not applicable (no key, never used), ``no_information`` that IAM has no
record (a password never used, or used before October 2014), ``not_supported`` a column
that does not apply to the root user. The CSV holds no generation time: for a bare CSV
ages are counted from the latest time in it, which never overstates them.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime
import io
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Final

from iacguard.errors import ParseError
from iacguard.graph import GraphBuilder
from iacguard.model import CredentialReport, CredentialRow, KeyUse, Location, Origin, SourceKind
from iacguard.parsers import ParsedInput
from iacguard.parsers._source import JSONValue
from iacguard.results import Diagnostic, DiagnosticCode, DiagnosticLevel

#: the columns a report starts with; the rest are read by name when present
HEADER: Final = ("user", "arn", "user_creation_time", "password_enabled")
ROOT_USER: Final = "<root_account>"
#: a report larger than this is not read (about 100,000 users)
MAX_ROWS: Final = 100_000
_ABSENT: Final = frozenset({"N/A", "no_information", "not_supported", ""})


def looks_like_csv_report(text: str) -> bool:
    """True when *text* starts with a credential report's header row."""
    first = text.lstrip("\ufeff").split("\n", 1)[0].strip()
    return tuple(first.split(",")[: len(HEADER)]) == HEADER


def looks_like_api_report(data: JSONValue) -> bool:
    """True for the API's answer: an object with ``Content`` and ``ReportFormat``."""
    return isinstance(data, dict) and "Content" in data and "ReportFormat" in data


def read_api_report(
    data: Mapping[str, JSONValue], path: Path, display: PurePosixPath
) -> CredentialReport:
    """The report inside the API's JSON answer.

    :raises ParseError: ``Content`` is not base64 CSV, or ``GeneratedTime`` is no time.
    """
    content, generated = data.get("Content"), data.get("GeneratedTime")
    if not isinstance(content, str):
        raise ParseError(path, "credential report: 'Content' must be a base64 string")
    try:
        text = base64.b64decode(content, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as err:
        raise ParseError(path, "credential report: 'Content' is not base64 UTF-8 text") from err
    if not looks_like_csv_report(text):
        raise ParseError(path, "credential report: 'Content' is not a credential report CSV")
    at = _time(generated) if isinstance(generated, str) else None
    if at is None:
        raise ParseError(path, "credential report: 'GeneratedTime' must be an ISO 8601 time")
    return read_csv_report(text, path, display, generated=at, row_lines=False)


def read_csv_report(
    text: str,
    path: Path,
    display: PurePosixPath,
    *,
    generated: datetime.datetime | None = None,
    row_lines: bool = True,
) -> CredentialReport:
    """The rows of a credential report CSV; *generated* when the caller knows it. With
    *row_lines* each row is located at its line of *path* (False when the CSV came
    base64-encoded inside a JSON file, whose lines are not the rows').

    :raises ParseError: a row lacks a column of :data:`HEADER`, the report has too many
        rows, or nothing in it tells its time.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    rows: list[CredentialRow] = []
    for number, record in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            raise ParseError(path, f"credential report: more than {MAX_ROWS} rows")
        if any(not isinstance(record.get(column), str) for column in HEADER):
            raise ParseError(path, "credential report: row is missing columns", number)
        where = Location(display, number if row_lines else None)
        rows.append(_row(record, Origin(SourceKind.CREDENTIAL_REPORT, record["arn"], where)))
    latest = generated or max(_times(rows), default=None)
    if latest is None:
        raise ParseError(path, "credential report: no time in it to count ages from")
    origin = Origin(SourceKind.CREDENTIAL_REPORT, str(display), Location(display, 1))
    return CredentialReport(origin, latest, generated is not None, tuple(rows))


def parsed_report(report: CredentialReport) -> ParsedInput:
    """The graph of *report*, with a note when its time was taken from its rows. Its
    users are not made principals: the report knows nothing of their groups or policies.
    """
    builder = GraphBuilder()
    builder.credential_reports.append(report)
    notes: tuple[Diagnostic, ...] = ()
    if not report.generated_known:
        when = report.generated.isoformat()
        message = (
            f"{report.origin.location.file}: the CSV does not say when it was generated; "
            f"ages are counted from its latest time, {when}"
        )
        notes = (
            Diagnostic(
                DiagnosticLevel.NOTE, DiagnosticCode.INPUT_NOT_READ, message, report.origin.location
            ),
        )
    return ParsedInput(SourceKind.CREDENTIAL_REPORT, builder.build(), notes=notes)


def _row(record: Mapping[str, str], origin: Origin) -> CredentialRow:
    password = record.get("password_enabled", "")
    keys = tuple(
        KeyUse(
            number,
            record.get(f"access_key_{number}_active") == "true",
            _time(record.get(f"access_key_{number}_last_rotated")),
            _time(record.get(f"access_key_{number}_last_used_date")),
        )
        for number in (1, 2)
    )
    return CredentialRow(
        address=record["arn"],
        origin=origin,
        user=record["user"],
        root=record["user"] == ROOT_USER,
        password_enabled=None if password == "not_supported" else password == "true",
        password_last_used=_time(record.get("password_last_used")),
        password_last_changed=_time(record.get("password_last_changed")),
        mfa_active=record.get("mfa_active") == "true",
        keys=keys,
    )


def _times(rows: list[CredentialRow]) -> list[datetime.datetime]:
    found: list[datetime.datetime] = []
    for row in rows:
        found += [t for t in (row.password_last_used, row.password_last_changed) if t]
        for key in row.keys:
            found += [t for t in (key.last_rotated, key.last_used) if t]
    return found


def _time(text: str | None) -> datetime.datetime | None:
    """An ISO 8601 time (always made timezone-aware, UTC when no zone is given); None for
    the report's markers of absence or anything that is not a time."""
    if text is None or text in _ABSENT:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)
