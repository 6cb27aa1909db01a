"""The work budget: its arithmetic, and the work it bounds outside the parsers
(suppression matching, IAM310 suggestions, declarative messages); the hostile inputs
that spend it are in ``tests/robustness/test_hostile_work.py``."""

from __future__ import annotations

import datetime
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from iacguard.budget import DEFAULT_WORK_BUDGET, WorkBudget
from iacguard.catalog import default_catalog
from iacguard.checks._documents import letters_apart, suggestion, typo_distance
from iacguard.cli import ExitCode, app
from iacguard.declarative import MAX_MESSAGE_LENGTH, render
from iacguard.engine import ScanOptions, scan
from iacguard.errors import WorkBudgetExhausted
from iacguard.model import Confidence, Location, Severity, SourceKind
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.results import DiagnosticLevel, Finding, Suppression
from iacguard.suppress import apply, matches
from tests.conftest import FIXTURES, TERRAFORM


def test_spending_past_the_limit_raises_and_keeps_raising() -> None:
    budget = WorkBudget(10)
    budget.spend(10, "x")
    with pytest.raises(WorkBudgetExhausted, match=r"^work budget of 10 steps exhausted by y$"):
        budget.spend(1, "y")
    with pytest.raises(WorkBudgetExhausted, match="by z"):
        budget.spend(0, "z")


def test_text_costs_a_step_per_sixteen_characters() -> None:
    budget = WorkBudget()
    budget.spend_text(160, "text")
    assert budget.spent == 11


def test_a_budget_is_at_least_one_step() -> None:
    with pytest.raises(ValueError, match="at least 1 step"):
        WorkBudget(0)


@pytest.mark.parametrize(
    "path",
    [
        TERRAFORM / "least_privilege",
        TERRAFORM / "modules",
        FIXTURES / "hcl" / "real_world",
        FIXTURES / "cloudformation" / "least_privilege",
    ],
    ids=lambda p: p.name,
)
def test_real_inputs_are_far_inside_the_default(path: object) -> None:
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    result = scan([path], registry, ScanOptions())  # type: ignore[list-item]
    assert result.complete
    assert 0 < result.work_spent < DEFAULT_WORK_BUDGET // 100


def test_the_budget_is_set_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    plan = TERRAFORM / "least_privilege"
    runner = CliRunner()
    result = runner.invoke(app, ["check", str(plan), "--work-budget", "0"])
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert "--work-budget" in result.stderr
    result = runner.invoke(app, ["check", str(plan), "--work-budget", "50"])
    assert result.exit_code == ExitCode.USAGE_ERROR
    [line] = result.stderr.splitlines()
    assert line.startswith("iacguard: error: ")
    assert line.endswith(
        ": work budget of 50 steps exhausted by HCL evaluation; the scan stopped here and "
        "is incomplete (raise it with --work-budget) [IAM006]"
    )


def test_a_spent_budget_is_one_error_naming_the_input() -> None:
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    path = TERRAFORM / "least_privilege"
    result = scan([path], registry, ScanOptions(work_budget=50))
    assert not result.complete
    [error] = [d for d in result.diagnostics if d.level is DiagnosticLevel.ERROR]
    assert error.code == "IAM006"
    assert error.location is not None
    assert error.message == (
        f"{error.location.file}: work budget of 50 steps exhausted by HCL evaluation; "
        "the scan stopped here and is incomplete (raise it with --work-budget)"
    )


def test_a_stopped_scan_keeps_its_findings_and_honours_suppressions(tmp_path: Path) -> None:
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    loop = "[for a in range(1000) : [for b in range(1000) : a]]"
    (tmp_path / "main.tf").write_text(
        f'resource "aws_iam_user" "u" {{\n  name = "u"\n  tags = {{ x = {loop} }}\n}}\n'
    )
    everything = Suppression(("IAM",), "*", "accepted", kind="config")
    options = ScanOptions(work_budget=20_000, suppressions=(everything,))
    result = scan([TERRAFORM / "least_privilege", tmp_path], registry, options)
    errors = [d for d in result.diagnostics if d.level is DiagnosticLevel.ERROR]
    assert [e.code for e in errors] == ["IAM006"]
    assert errors[0].location == Location(PurePosixPath(tmp_path.as_posix()))
    assert result.findings == ()
    assert {s.finding.location.file.name for s in result.suppressed} == {"main.tf"}
    assert not result.complete


# --------------------------------------------------------------------------- suppressions


def _finding(address: str) -> Finding:
    return Finding(
        "IAM301", Severity.HIGH, Confidence.HIGH, "t", "m", address,
        Location(PurePosixPath("t.yaml")), (), SourceKind.CLOUDFORMATION,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "written", "address", "expected"),
    [
        pytest.param("cloudformation-metadata", "Role*", "RoleX", False, id="logical-id-star"),
        pytest.param("cloudformation-metadata", "Role?", "RoleX", False, id="logical-id-mark"),
        pytest.param("cloudformation-metadata", "Role*", "Role*", True, id="logical-id-itself"),
        pytest.param("hcl-comment", "aws_iam_role.r[*]", 'aws_iam_role.r["a"]', True, id="each"),
        pytest.param("hcl-comment", "aws_iam_role.r[*]", "aws_iam_role.r[3]", True, id="count"),
        pytest.param("hcl-comment", "aws_iam_role.r[*]", "aws_iam_role.rx[3]", False, id="other"),
        pytest.param(
            "hcl-comment",
            'module.m["*"].aws_iam_role.r',
            'module.m["x"].aws_iam_role.r',
            False,
            id="module-key-star",
        ),
        pytest.param("config", "Role*", "RoleX", True, id="config-glob"),
    ],
)
def test_only_configured_addresses_are_patterns(
    kind: str, written: str, address: str, expected: bool
) -> None:
    suppression = Suppression(("IAM301",), written, "r", kind=kind)
    assert matches(suppression, _finding(address)) is expected


def test_suppression_matching_spends_the_budget() -> None:
    findings = [_finding(f"Role{i}") for i in range(100)]
    suppressions = [Suppression(("IAM301",), f"Other{i}?", "r") for i in range(100)]
    with pytest.raises(WorkBudgetExhausted, match="suppression matching"):
        apply(findings, suppressions, datetime.date(2026, 1, 1), budget=WorkBudget(5_000))


# --------------------------------------------------------------------------- IAM310


def test_suggestions_spend_the_budget() -> None:
    catalog = default_catalog()
    assert suggestion(catalog, "s3:GetObjct") == "s3:GetObject"
    with pytest.raises(WorkBudgetExhausted, match="IAM310 suggestions"):
        suggestion(catalog, "s3:GetObjct", WorkBudget(5))


@given(st.text("abcdeGO", max_size=12), st.text("abcdeGO", max_size=12))
def test_letters_apart_never_exceeds_the_typo_distance(first: str, second: str) -> None:
    assert letters_apart(first, second) <= typo_distance(first, second, 24)


# --------------------------------------------------------------------------- messages


def test_a_message_is_cut_without_being_built_whole() -> None:
    template = (("", "address"),) * 1000
    message = render(template, {"address": "a" * 1_000_000})
    assert len(message) == MAX_MESSAGE_LENGTH
    assert message.endswith("a...")


def test_a_short_message_is_left_whole() -> None:
    assert render((("role ", "name"), (" has no boundary", None)), {"name": "x"}) == (
        "role x has no boundary"
    )
