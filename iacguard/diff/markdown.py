"""``iacguard diff --format markdown``: a pull-request comment that answers "what access
does this change add?" on one screen: one line per principal (who becomes privileged
first), the new findings, and the full permission lists folded in ``<details>``.

Everything taken from the input goes through the report's escaping helpers
(:func:`~iacguard.report.markdown.cell`, :func:`~iacguard.report.markdown.code`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final, TextIO

from iacguard.diff.compare import AccessDiff, PrincipalChange
from iacguard.diff.render import assumer_text, rows, summary_line, verdict_text
from iacguard.report.markdown import cell, code

#: the comment's heading (the action finds its earlier comment by it)
HEADING: Final = "### iacguard diff"
#: principals and findings listed before "and N more"
MAX_ROWS: Final = 15
#: permission rows shown per principal in the one-screen table
_SHOWN: Final = 2


def write_markdown(diff: AccessDiff, labels: tuple[str, str], stream: TextIO) -> None:
    """Write the comment for *diff* between *labels* (before, after)."""
    stream.write("\n".join(_lines(diff, labels)) + "\n")


def _lines(diff: AccessDiff, labels: tuple[str, str]) -> Iterator[str]:
    yield HEADING
    yield ""
    yield f"Comparing {code(labels[0])} with {code(labels[1])}."
    yield ""
    if diff.empty:
        yield "**No change in access and no new findings.**"
        return
    yield f"**{summary_line(diff)}.**"
    ordered = sorted(
        diff.principals, key=lambda c: (c.becomes_privileged is None, not c.gained, c.address)
    )
    if ordered:
        yield ""
        yield "| Principal | Change | Gains |"
        yield "|---|---|---|"
        for change in ordered[:MAX_ROWS]:
            yield f"| {code(change.address)} | {_change(change)} | {_gains(change)} |"
        if len(ordered) > MAX_ROWS:
            yield ""
            yield f"… and {len(ordered) - MAX_ROWS} more principals (see the details below)."
    if diff.new_findings:
        yield ""
        yield "| Severity | Rule | Resource | New finding |"
        yield "|---|---|---|---|"
        findings = sorted(diff.new_findings, key=lambda f: (-f.severity, f.sort_key))
        for finding in findings[:MAX_ROWS]:
            yield (
                f"| {finding.severity.label} | {finding.rule_id} | {code(finding.address)} "
                f"| {cell(finding.message)} |"
            )
        if len(findings) > MAX_ROWS:
            yield ""
            yield f"… and {len(findings) - MAX_ROWS} more new findings."
    if diff.resolved_findings:
        yield ""
        yield f"{len(diff.resolved_findings)} findings resolved by the change."
    if ordered:
        yield ""
        yield "<details><summary>Every permission gained and lost</summary>"
        yield ""
        for change in ordered:
            yield from _details(change)
        yield "</details>"


def _change(change: PrincipalChange) -> str:
    parts = [change.status] if change.status != "changed" else []
    if change.becomes_privileged:
        verdict = change.becomes_privileged
        parts.append(f"**becomes {verdict_text(verdict)}**: {cell(verdict.reason)}")
    if change.stops_privileged:
        parts.append(f"no longer {verdict_text(change.stops_privileged)}")
    if change.new_assumers:
        who = ", ".join(cell(assumer_text(a)) for a in change.new_assumers)
        parts.append(f"newly assumable by {who}")
    if change.lost:
        parts.append(f"loses {len(change.lost)} permissions")
    return "; ".join(parts) or "access changes"


def _gains(change: PrincipalChange) -> str:
    found = rows(change.gained)
    parts = [
        f"{code(row.service + ':' + row.names[0] if row.service != '*' else row.names[0])}"
        + (f" and {len(row.names) - 1} more {cell(row.service)}" if len(row.names) > 1 else "")
        + f" on {code(row.resource)}"
        for row in found[:_SHOWN]
    ]
    if len(found) > _SHOWN:
        parts.append(f"… {len(found) - _SHOWN} more lines")
    parts += [f"may gain {cell(item)}" for item in change.may_gain[:1]]
    return "; ".join(parts) or "nothing"


def _details(change: PrincipalChange) -> Iterator[str]:
    yield f"**{code(change.address)}** ({cell(change.input)})"
    yield ""
    for label, accesses in (("gains", change.gained), ("loses", change.lost)):
        for row in rows(accesses):
            when = f" when {cell(row.condition)}" if row.condition else ""
            level = f" {row.level}" if row.level else ""
            names = ", ".join(code(n) for n in row.names)
            service = "" if row.service == "*" else f"{cell(row.service)}{level}: "
            yield f"- {label} {service}{names} on {code(row.resource)}{when}"
    for item in change.may_gain:
        yield f"- may gain (known after apply): {cell(item)}"
    for assumer in change.lost_assumers:
        yield f"- no longer assumable by {cell(assumer_text(assumer))}"
    yield ""
