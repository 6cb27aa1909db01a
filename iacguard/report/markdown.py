"""The ``markdown`` reporter: a pull-request-comment-sized summary (GitHub-flavoured)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, TextIO

from iacguard import coverage
from iacguard.hookspecs import hookimpl
from iacguard.report import RegisterReporter, merge_repeats, severity_counts, silenced
from iacguard.report._escape import visible
from iacguard.results import DiagnosticLevel, Finding

if TYPE_CHECKING:
    from iacguard.engine import ScanResult

#: findings listed in the table; the rest are counted ("and 12 more")
MAX_ROWS: Final = 25
#: a longer message is cut with an ellipsis, to keep rows (and comments) short
MAX_MESSAGE: Final = 200
#: characters with a meaning in inline Markdown or in a table row
_MARKDOWN_PUNCTUATION: Final = re.compile(r"[\\`*_\[\]~|]")
#: what GitHub-flavoured Markdown would turn into a link (its "extended autolinks")
_AUTOLINK: Final = re.compile(r"(?i)(?<=[a-z0-9+.-]):(?=//)|\bwww\.")
_ENTITIES: Final = {":": "&#58;", ".": "&#46;"}
#: the step summary and comment heading
HEADING: Final = "### iacguard"


def cell(text: str, limit: int | None = MAX_MESSAGE) -> str:
    """*text* made safe for one table cell: one line, cut at *limit* characters (None:
    uncut).

    Control characters are shown as escapes (:func:`~iacguard.report._escape.visible`);
    Markdown punctuation is backslash-escaped (``*`` in ``allows '*'`` would start
    emphasis, brackets a link or an image, a backtick a code span, ``|`` a new cell);
    ``&``, ``<`` and ``>`` become entities (no raw HTML); the ``:`` of ``://`` and the
    ``.`` of ``www.`` become entities, so no URL in the input is made a link.
    """
    text = visible(" ".join(text.split()))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = _MARKDOWN_PUNCTUATION.sub(r"\\\g<0>", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _AUTOLINK.sub(lambda m: m[0][:-1] + _ENTITIES[m[0][-1]], text)


def code(text: str) -> str:
    """*text* as inline code: ``<code>`` around :func:`cell`'s escaping, uncut.

    A backtick code span cannot hold every text (a run of backticks as long as its
    fence ends it, and ``##[`` could not be escaped inside it); Markdown inside an
    inline ``<code>`` element is still read, so the escaped text shows as written.
    """
    return f"<code>{cell(text, limit=None)}</code>"


def _where(finding: Finding) -> str:
    return code(finding.location.where())


def summary(result: ScanResult, max_rows: int = MAX_ROWS) -> str:
    """The whole Markdown document of *result*; at most *max_rows* findings are listed,
    most severe first."""
    findings = merge_repeats(result.findings)
    counts = severity_counts(findings)
    total = len(findings)
    lines = [HEADING, ""]
    errors = sum(d.level is DiagnosticLevel.ERROR for d in result.diagnostics)
    if errors:
        lines += [
            f"> [!CAUTION]\n> The scan is **incomplete**: {errors} error"
            f"{'s' if errors != 1 else ''} (see the job log). Do not read it as clean.",
            "",
        ]
    blind = len(result.inputs_not_evaluated)
    if blind:
        lines += [
            f"> [!WARNING]\n> Not one policy could be evaluated in {blind} input"
            f"{'s' if blind != 1 else ''} (see the job log). A report without findings "
            "there does not mean it is safe.",
            "",
        ]
    files = len(result.inputs)
    verdict = f"**{total} finding{'s' if total != 1 else ''}**" if total else "**No findings**"
    lines += [
        f"{verdict} in {files} file{'s' if files != 1 else ''}, "
        f"{len(result.checks)} rules checked.",
        "",
        "| " + " | ".join(counts) + " |",
        "|" + "---:|" * len(counts),
        "| " + " | ".join(str(n) for n in counts.values()) + " |",
    ]
    hidden = silenced(result).describe()
    if hidden:
        lines += ["", f"Not shown: {hidden}."]
    lines += _not_evaluated(result)
    if not total:
        return "\n".join(lines) + "\n"
    ordered = sorted(findings, key=lambda f: (-f.severity, f.sort_key))
    lines += [
        "",
        "| Severity | Rule | Resource | Where | Finding |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {f.severity.label} | {f.rule_id} | {code(f.address)} | {_where(f)} "
        f"| {cell(f.message)} |"
        for f in ordered[:max_rows]
    ]
    if total > max_rows:
        rest = total - max_rows
        lines += ["", f"… and {rest} more finding{'s' if rest != 1 else ''} (see the full report)."]
    lines += ["", "`iacguard explain RULE` shows why a rule matters and how to fix it."]
    return "\n".join(lines) + "\n"


def _not_evaluated(result: ScanResult) -> list[str]:
    """What was not evaluated, counted by kind and reason (the JSON report lists it)."""
    counted = [f"- {cell(group.describe())}" for group in coverage.groups(result.not_evaluated)]
    return ["", "Not evaluated (`iacguard check -v` lists them):", "", *counted] if counted else []


class MarkdownReporter:
    """Writes a short Markdown summary: counts by severity and the most severe findings."""

    name: Final = "markdown"

    def render(self, result: ScanResult, stream: TextIO) -> None:
        """Write :func:`summary` of *result*."""
        stream.write(summary(result))


@hookimpl
def iacguard_register_reporters(register: RegisterReporter) -> None:
    """Provide the ``markdown`` format."""
    register(MarkdownReporter())
