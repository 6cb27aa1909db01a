"""The github reporter: workflow-command annotations, escaped as GitHub's toolkit does."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import PurePosixPath

import pytest

from iacguard.model import Location, Severity
from iacguard.report.github import (
    GithubReporter,
    command,
    diagnostic_command,
    escape_data,
    escape_property,
    finding_command,
)
from iacguard.results import Diagnostic, DiagnosticLevel
from tests.conftest import scan_case


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        pytest.param("plain text", "plain text", "plain text", id="plain"),
        pytest.param("100%", "100%25", "100%25", id="percent"),
        pytest.param("a\nb", "a%0Ab", "a%0Ab", id="lf"),
        pytest.param("a\r\nb", "a%0D%0Ab", "a%0D%0Ab", id="crlf"),
        pytest.param("a:b", "a:b", "a%3Ab", id="colon"),
        pytest.param("a,b", "a,b", "a%2Cb", id="comma"),
        pytest.param("%0A", "%250A", "%250A", id="already-escaped-looking"),
        pytest.param("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax", id="command-injection"),
        pytest.param("a=b", "a=b", "a=b", id="equals-untouched"),
    ],
)
def test_escaping_table(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_command_layout() -> None:
    line = command("warning", "m:1,\n2", {"file": "a,b.tf", "line": 3, "title": "T: x"})
    assert line == "::warning file=a%2Cb.tf,line=3,title=T%3A x::m:1,%0A2"
    assert command("notice", "hi", {}) == "::notice::hi"


@pytest.mark.parametrize(
    ("severity", "name"),
    [
        pytest.param(Severity.CRITICAL, "error", id="critical"),
        pytest.param(Severity.HIGH, "error", id="high"),
        pytest.param(Severity.MEDIUM, "warning", id="medium"),
        pytest.param(Severity.LOW, "notice", id="low"),
        pytest.param(Severity.INFO, "notice", id="info"),
    ],
)
def test_severity_picks_the_command(severity: Severity, name: str) -> None:
    finding = replace(scan_case("admin_paths").findings[0], severity=severity)
    assert finding_command(finding).startswith(f"::{name} ")


def test_plan_finding_annotates_the_file_without_a_line() -> None:
    result = scan_case("admin_paths")
    finding = next(
        f
        for f in result.findings
        if f.rule_id == "IAM301" and f.address == "aws_iam_policy.deploy_everything"
    )
    plan = Location(PurePosixPath("fixtures/terraform/admin_paths/plan.json"))
    finding = replace(finding, location=plan)
    line = finding_command(finding, "grant only what is used")
    assert line == (
        "::error file=fixtures/terraform/admin_paths/plan.json,"
        "title=IAM301 (critical) Policy grants every action on every resource::"
        "policy 'iacguard-fixture-deploy-everything' statement 2 ('DeployAnything') "
        "allows '*' on '*' (aws_iam_policy.deploy_everything)%0AFix: grant only what is used"
    )


def test_known_position_is_passed_on() -> None:
    finding = replace(
        scan_case("admin_paths").findings[0],
        location=Location(PurePosixPath("iam/main.tf"), 12, 3, 14, 5),
        severity=Severity.LOW,
    )
    assert finding_command(finding).startswith(
        "::notice file=iam/main.tf,line=12,col=3,endLine=14,endColumn=5,title="
    )


def test_render_writes_one_line_per_finding_and_diagnostic() -> None:
    crash = Diagnostic(DiagnosticLevel.ERROR, "IAM002", "check IAM301 crashed: boom")
    result = replace(scan_case("admin_paths"), diagnostics=(crash,))
    stream = io.StringIO()
    GithubReporter().render(result, stream)
    lines = stream.getvalue().splitlines()
    assert len(lines) == len(result.findings) + 1
    assert all(line.startswith("::") and "\n" not in line for line in lines)
    assert lines[-1] == "::error title=iacguard IAM002::check IAM301 crashed: boom"


def test_diagnostic_with_location() -> None:
    diagnostic = Diagnostic(
        DiagnosticLevel.WARNING, "IAM003", "odd", Location(PurePosixPath("x.json"), 2)
    )
    assert (
        diagnostic_command(diagnostic) == "::warning file=x.json,line=2,title=iacguard IAM003::odd"
    )


def test_clean_scan_writes_nothing() -> None:
    stream = io.StringIO()
    GithubReporter().render(scan_case("clean"), stream)
    assert stream.getvalue() == ""
