"""The markdown reporter: counts, a capped table of the most severe findings, safe cells."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest

from iacguard.model import Severity
from iacguard.report.markdown import MAX_MESSAGE, MAX_ROWS, MarkdownReporter, cell, code, summary
from iacguard.results import Diagnostic, DiagnosticLevel, SuppressedFinding, Suppression
from tests.conftest import scan_case


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ") and "IAM" in line]


def test_summary_counts_and_lists_findings_most_severe_first() -> None:
    result = scan_case("admin_paths")
    stream = io.StringIO()
    MarkdownReporter().render(result, stream)
    text = stream.getvalue()
    assert text.startswith("### iacguard\n")
    assert f"**{len(result.findings)} findings** in 1 file" in text
    assert "| critical | high | medium | low | info |" in text
    rows = table_rows(text)
    assert len(rows) == len(result.findings)
    assert rows[0].startswith("| critical | IAM301 | ")
    assert rows[-1].startswith("| low | IAM206 | <code>aws\\_iam\\_role.break\\_glass</code> | ")
    assert "allows '\\*' on '\\*'" in text
    assert "more finding" not in text


def test_clean_scan() -> None:
    text = summary(scan_case("clean"))
    assert "**No findings** in 1 file" in text
    assert "| 0 | 0 | 0 | 0 | 0 |" in text
    assert "| Severity |" not in text


@pytest.mark.parametrize(
    ("max_rows", "more"),
    [
        pytest.param(1, "… and 3 more findings", id="cap-1"),
        pytest.param(3, "… and 1 more finding ", id="cap-3-singular"),
        pytest.param(4, None, id="exactly-all"),
    ],
)
def test_table_is_capped(max_rows: int, more: str | None) -> None:
    result = scan_case("admin_paths")
    findings = result.findings[:4]
    text = summary(replace(result, findings=findings), max_rows=max_rows)
    assert len(table_rows(text)) == min(max_rows, 4)
    if more:
        assert more in text
    else:
        assert "more finding" not in text


def test_default_cap_keeps_a_big_report_comment_sized() -> None:
    result = scan_case("least_privilege")
    finding = result.findings[0]
    many = tuple(
        replace(finding, address=f"aws_iam_policy.p{i}", location=replace(finding.location, line=i))
        for i in range(1, 501)
    )
    text = summary(replace(result, findings=many))
    assert len(table_rows(text)) == MAX_ROWS
    assert f"… and {500 - MAX_ROWS} more findings" in text
    assert len(text) < 20_000


def test_incomplete_scan_and_suppressions_are_said() -> None:
    result = scan_case("admin_paths")
    crash = Diagnostic(DiagnosticLevel.ERROR, "IAM002", "check IAM301 crashed")
    silenced = SuppressedFinding(
        result.findings[0], Suppression(rules=("IAM2",), address="*", reason="legacy")
    )
    text = summary(replace(result, diagnostics=(crash,), suppressed=(silenced,)))
    assert "The scan is **incomplete**: 1 error" in text
    assert "Not shown: 1 suppressed (1 config)." in text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("plain", "plain", id="plain"),
        pytest.param("a | b", "a \\| b", id="pipe"),
        pytest.param("line\nbreak", "line break", id="newline"),
        pytest.param("<img src=x>", "&lt;img src=x&gt;", id="html"),
        pytest.param("'*' on '*'", "'\\*' on '\\*'", id="emphasis"),
        pytest.param("[x](http://e)", "\\[x\\](http&#58;//e)", id="link"),
        pytest.param("![i](https://e/p.png)", "!\\[i\\](https&#58;//e/p.png)", id="image"),
        pytest.param("see www.e.com", "see www&#46;e.com", id="www-autolink"),
        pytest.param("a\x1b[2Jb\rc", "a\\\\x1b\\[2Jb c", id="control"),
        pytest.param("a_b`c", "a\\_b\\`c", id="underscore-backtick"),
    ],
)
def test_cell_escaping(raw: str, expected: str) -> None:
    assert cell(raw) == expected


def test_long_messages_are_cut() -> None:
    text = cell("x" * (MAX_MESSAGE + 50))
    assert len(text) == MAX_MESSAGE
    assert text.endswith("…")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param('aws_iam_role.r["k"]', '<code>aws\\_iam\\_role.r\\["k"\\]</code>', id="plain"),
        pytest.param("a|b", "<code>a\\|b</code>", id="pipe"),
        pytest.param("a`b", "<code>a\\`b</code>", id="backtick"),
        pytest.param("a``b ```", "<code>a\\`\\`b \\`\\`\\`</code>", id="backtick-runs"),
        pytest.param("<img src=x>", "<code>&lt;img src=x&gt;</code>", id="html"),
        pytest.param("##[error]x", "<code>##\\[error\\]x</code>", id="legacy-command"),
    ],
)
def test_code_spans(raw: str, expected: str) -> None:
    assert code(raw) == expected


def test_severity_order_in_counts() -> None:
    result = scan_case("admin_paths")
    finding = replace(result.findings[0], severity=Severity.INFO)
    text = summary(replace(result, findings=(finding,)))
    assert "| 0 | 0 | 0 | 0 | 1 |" in text
