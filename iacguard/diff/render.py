"""``iacguard diff`` output as text (for people), JSON (schema in
``iacguard/data/diff.schema.json``) and SARIF (the new findings only). The markdown
pull-request comment is in :mod:`.markdown`.

Names, ARNs and messages come from the input: text escapes control characters
(:func:`~iacguard.report._escape.printable`).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from typing import Final, TextIO

from iacguard import __version__
from iacguard._text import first_few
from iacguard.diff.compare import LEVELS, Access, AccessDiff, Assumer, PrincipalChange, Verdict
from iacguard.engine import ScanResult
from iacguard.report._escape import defuse_json, printable
from iacguard.report.json import finding_record
from iacguard.results import Finding

#: bumped on any incompatible change of the JSON diff
SCHEMA_VERSION: Final = "1.0"
#: how many action names a line shows before summarising the rest
NAMES: Final = 4
#: the formats ``iacguard diff`` writes
FORMATS: Final = ("text", "json", "markdown", "sarif")


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """Permissions of one service, access level, resource and condition, in one line."""

    service: str
    level: str
    resource: str
    condition: str
    names: tuple[str, ...]

    def actions(self, limit: int = NAMES) -> str:
        """``PutObject, DeleteObject and 12 more`` (names without the service prefix)."""
        return first_few(self.names, limit)


def rows(accesses: Iterable[Access]) -> list[Row]:
    """*accesses* grouped by service, access level (most significant first), resource and
    condition."""
    groups: dict[tuple[str, int, str, str], list[str]] = {}
    for access in accesses:
        name = access.action.partition(":")[2] if access.service != "*" else access.action
        key = (access.service, LEVELS.index(access.level), access.resource, access.condition)
        groups.setdefault(key, []).append(name)
    return [
        Row(service, LEVELS[level], resource, condition, tuple(names))
        for (service, level, resource, condition), names in sorted(groups.items())
    ]


def verdict_text(verdict: Verdict) -> str:
    """``administrator`` or ``privileged (escalation path lambda-001)``."""
    if verdict.kind == "administrator":
        return "administrator"
    paths = f" {', '.join(verdict.paths)}" if verdict.paths else ""
    return f"privileged ({verdict.kind}{paths})"


def assumer_text(assumer: Assumer) -> str:
    """``user 'aws_iam_user.alice' (by ARN)``, with its condition."""
    when = f" when {assumer.condition}" if assumer.condition else ""
    return f"{assumer.who} ({assumer.how}){when}"


def headline(change: PrincipalChange) -> str:
    """``aws_iam_role.ci (role) becomes privileged (escalation path lambda-001)``."""
    status = "" if change.status == "changed" else f", {change.status}"
    line = f"{change.address} ({change.kind}{status})"
    if change.becomes_privileged:
        line += f" becomes {verdict_text(change.becomes_privileged)}"
    elif change.stops_privileged:
        line += f" is no longer {verdict_text(change.stops_privileged)}"
    return line


def summary_line(diff: AccessDiff) -> str:
    """``2 principals gain or lose access (1 becomes privileged); 3 new findings, 1
    resolved``."""
    count = len(diff.principals)
    newly = len(diff.newly_privileged)
    privileged = f" ({newly} become{'s' if newly == 1 else ''} privileged)" if newly else ""
    return (
        f"{count} principal{'s' if count != 1 else ''} with changed access{privileged}; "
        f"{len(diff.new_findings)} new finding{'s' if len(diff.new_findings) != 1 else ''}, "
        f"{len(diff.resolved_findings)} resolved"
    )


def write_text(diff: AccessDiff, labels: tuple[str, str], stream: TextIO) -> None:
    """The diff for people: one block per principal, then the new and resolved findings."""
    stream.write(printable(f"iacguard diff: {labels[0]} -> {labels[1]}") + "\n")
    if diff.empty:
        stream.write("no change in access and no new findings\n")
        return
    stream.write(summary_line(diff) + "\n")
    for change in diff.principals:
        stream.write("\n")
        stream.writelines(printable(line) + "\n" for line in principal_lines(change))
    for title, findings in (("new", diff.new_findings), ("resolved", diff.resolved_findings)):
        if findings:
            stream.write(f"\n{title} findings:\n")
            stream.writelines(printable(_finding_line(f)) + "\n" for f in findings)
    stream.write("\n" + summary_line(diff) + "\n")


def principal_lines(change: PrincipalChange) -> Iterator[str]:
    """The lines of one principal's block in the text format."""
    yield f"{change.input}: {headline(change)}"
    if change.becomes_privileged:
        yield f"  why: {change.becomes_privileged.reason}"
    if change.stops_privileged:
        yield f"  was: {change.stops_privileged.reason}"
    for label, accesses in (("gains", change.gained), ("loses", change.lost)):
        for row in rows(accesses):
            when = f" when {row.condition}" if row.condition else ""
            if row.service == "*":
                yield f"  {label} {row.actions()} on {row.resource}{when}"
            else:
                level = f" {row.level}" if row.level else ""
                count = len(row.names)
                yield (
                    f"  {label} {row.service}{level} ({count}): {row.actions()} "
                    f"on {row.resource}{when}"
                )
    for item in change.may_gain:
        yield f"  may gain (known after apply): {item}"
    for assumer in change.new_assumers:
        yield f"  newly assumable by: {assumer_text(assumer)}"
    for assumer in change.lost_assumers:
        yield f"  no longer assumable by: {assumer_text(assumer)}"


def _finding_line(finding: Finding) -> str:
    where = finding.location.where()
    return (
        f"  {finding.severity.label.upper():<8} {finding.rule_id} {finding.address}: "
        f"{finding.message} ({where})"
    )


def diff_document(diff: AccessDiff, labels: tuple[str, str], complete: bool) -> dict[str, object]:
    """The JSON document of *diff* (see ``diff.schema.json``)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "iacguard", "version": __version__},
        "before": labels[0],
        "after": labels[1],
        "complete": complete,
        "summary": {
            "principals": len(diff.principals),
            "newly_privileged": len(diff.newly_privileged),
            "new_findings": len(diff.new_findings),
            "resolved_findings": len(diff.resolved_findings),
        },
        "principals": [_principal_record(c) for c in diff.principals],
        "new_findings": [finding_record(f) for f in diff.new_findings],
        "resolved_findings": [finding_record(f) for f in diff.resolved_findings],
    }


def write_json(diff: AccessDiff, labels: tuple[str, str], complete: bool, stream: TextIO) -> None:
    """The diff as one JSON document, keys sorted, two-space indent."""
    stream.write(
        defuse_json(json.dumps(diff_document(diff, labels, complete), indent=2, sort_keys=True))
    )
    stream.write("\n")


def _principal_record(change: PrincipalChange) -> dict[str, object]:
    def accesses(items: Iterable[Access]) -> list[dict[str, str]]:
        return [
            {
                "action": a.action,
                "resource": a.resource,
                "condition": a.condition,
                "access_level": a.level,
            }
            for a in items
        ]

    def verdict(found: Verdict | None) -> dict[str, object] | None:
        if found is None:
            return None
        return {"kind": found.kind, "reason": found.reason, "paths": list(found.paths)}

    def assumers(items: Iterable[Assumer]) -> list[dict[str, str]]:
        return [{"who": a.who, "how": a.how, "condition": a.condition} for a in items]

    return {
        "input": change.input,
        "address": change.address,
        "kind": change.kind,
        "status": change.status,
        "gained": accesses(change.gained),
        "lost": accesses(change.lost),
        "may_gain": list(change.may_gain),
        "becomes_privileged": verdict(change.becomes_privileged),
        "stops_privileged": verdict(change.stops_privileged),
        "new_assumers": assumers(change.new_assumers),
        "lost_assumers": assumers(change.lost_assumers),
    }


def only_new(result: ScanResult, diff: AccessDiff) -> ScanResult:
    """*result* reduced to the findings the change introduces (for SARIF and
    ``check --new-only``): what the ordinary reporters then write."""
    return dataclasses.replace(result, findings=diff.new_findings, suppressed=())


def write_diff(
    output_format: str,
    diff: AccessDiff,
    labels: tuple[str, str],
    result: ScanResult,
    stream: TextIO,
) -> None:
    """Write *diff* in *output_format* (one of :data:`FORMATS`); *result* is the scan
    after the change (its checks and diagnostics, for SARIF)."""
    if output_format == "json":
        write_json(diff, labels, result.complete, stream)
    elif output_format == "markdown":
        from iacguard.diff.markdown import write_markdown

        write_markdown(diff, labels, stream)
    elif output_format == "sarif":
        from iacguard.report.sarif import SarifReporter

        SarifReporter().render(only_new(result, diff), stream)
    else:
        write_text(diff, labels, stream)
