"""Suppressions, expiry, unused-suppression reports, baselines and exit codes."""

from __future__ import annotations

import datetime
import json
from pathlib import Path, PurePosixPath

import pytest
from typer.testing import CliRunner

from iacguard.cli import ExitCode, app
from iacguard.model import Confidence, Location, Severity, SourceKind
from iacguard.results import Finding, Suppression
from iacguard.suppress import apply, matches, read_baseline
from tests.conftest import TERRAFORM

PLAN = TERRAFORM / "admin_paths" / "plan.json"
TODAY = datetime.date(2026, 6, 1)


def _finding(rule: str = "IAM301", address: str = 'module.a["x"].aws_iam_role.r[0]') -> Finding:
    return Finding(
        rule, Severity.HIGH, Confidence.HIGH, "t", "m", address,
        Location(PurePosixPath("plan.json")), ("policy", "Statement", 0), SourceKind.TERRAFORM_PLAN,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("rules", "address", "pointer", "expected"),
    [
        pytest.param(("IAM301",), 'module.a["x"].aws_iam_role.r[0]', (), True, id="exact"),
        pytest.param(("IAM3",), "module.a*", (), True, id="prefix-and-glob"),
        pytest.param(("IAM30",), 'module.a["?"].*', (), True, id="question-mark"),
        pytest.param(("IAM302",), "*", (), False, id="other-rule"),
        pytest.param(("IAM301",), "module.a[x]*", (), False, id="brackets-are-literal"),
        pytest.param(("IAM301",), "aws_iam_role.*", (), False, id="anchored-at-start"),
        pytest.param(("IAM301",), "*", ("policy",), True, id="pointer-prefix"),
        pytest.param(("IAM301",), "*", ("inline_policy",), False, id="other-pointer"),
    ],
)
def test_matching(
    rules: tuple[str, ...], address: str, pointer: tuple[str, ...], expected: bool
) -> None:
    assert matches(Suppression(rules, address, "r", pointer=pointer), _finding()) is expected


def test_expired_suppression_is_reported_and_does_not_apply() -> None:
    expired = Suppression(("IAM301",), "*", "r", expires=datetime.date(2026, 5, 31))
    outcome = apply([_finding()], [expired], TODAY)
    assert outcome.kept == (_finding(),)
    [warning] = outcome.diagnostics
    assert "expired on 2026-05-31" in warning.message


def test_suppression_on_its_expiry_day_still_applies() -> None:
    today = Suppression(("IAM301",), "*", "r", expires=TODAY)
    assert apply([_finding()], [today], TODAY).kept == ()


def test_unused_suppression_is_reported_but_not_baseline_entries() -> None:
    unused = Suppression(("IAM401",), "*", "r")
    baseline = Suppression(("IAM402",), "*", "r", kind="baseline")
    outcome = apply([_finding()], [unused, baseline], TODAY)
    assert [d.message.split(":")[0] for d in outcome.diagnostics] == [
        "unused suppression of IAM401 at '*' (config)"
    ]


def run(*args: str | Path):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_baseline_round_trip_reports_only_new_findings(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    first = run("check", PLAN, "--create-baseline", baseline, "-f", "json")
    assert first.exit_code == ExitCode.FINDINGS
    recorded = json.loads(baseline.read_text())
    assert recorded["version"] == 1
    assert all("line" not in entry for entry in recorded["findings"])
    assert {e["resource"] for e in recorded["findings"]} >= {"aws_iam_role.break_glass"}
    again = run("check", PLAN, "--baseline", baseline, "-f", "json")
    assert again.exit_code == ExitCode.OK
    report = json.loads(again.stdout)
    assert report["findings"] == []
    assert report["summary"]["suppressed"] == len(recorded["findings"])
    other = run("check", TERRAFORM / "trust" / "plan.json", "--baseline", baseline, "-f", "json")
    assert other.exit_code == ExitCode.FINDINGS, "a baseline only covers what it recorded"


def test_baseline_must_be_a_baseline(tmp_path: Path) -> None:
    bad = tmp_path / "baseline.json"
    bad.write_text('{"findings": "no"}')
    result = run("check", PLAN, "--baseline", bad)
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert "not an iacguard baseline" in result.stderr
    with pytest.raises(Exception, match="cannot read baseline"):
        read_baseline(tmp_path / "missing.json")


def test_config_suppression_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".iacguard.toml").write_text(
        '[[suppress]]\nrules = ["IAM301", "IAM206"]\naddress = "aws_iam_role.break_*"\n'
        'reason = "break-glass role, reviewed"\n'
    )
    monkeypatch.chdir(tmp_path)
    result = run("check", PLAN, "-f", "json")
    report = json.loads(result.stdout)
    assert "aws_iam_role.break_glass" not in {f["resource"] for f in report["findings"]}
    assert report["summary"]["suppressed"] == 2
    # the only remark: the plan's trust names a role defined elsewhere (see --account)
    assert [line.split(": ")[1] for line in result.stderr.splitlines()] == ["note"]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param((), ExitCode.FINDINGS, id="default-any-finding-fails"),
        pytest.param(("--fail-on", "critical"), ExitCode.FINDINGS, id="critical-present"),
        pytest.param(
            ("--select", "IAM206", "--fail-on", "medium"), ExitCode.OK, id="below-threshold"
        ),
        pytest.param(("--soft-fail",), ExitCode.OK, id="soft-fail"),
        pytest.param(
            ("--soft-fail", "--plugin", "tests.plugin_samples.crashing"), 2, id="soft-fail-error"
        ),
    ],
)
def test_exit_codes(args: tuple[str, ...], code: int) -> None:
    assert run("check", PLAN, *args).exit_code == code


def test_unused_is_not_reported_for_rules_that_did_not_run() -> None:
    deselected = Suppression(("IAM4",), "*", "r")
    assert apply([], [deselected], TODAY, ran={"IAM301"}).diagnostics == ()
    assert len(apply([], [deselected], TODAY, ran={"IAM401"}).diagnostics) == 1


def test_baseline_entries_match_exactly_even_with_glob_characters() -> None:
    star = _finding(address='aws_iam_role.r["a*"]')
    entry = Suppression(
        ("IAM301",), 'aws_iam_role.r["a*"]', "b", kind="baseline", file=PurePosixPath("plan.json")
    )
    other = _finding(address='aws_iam_role.r["ab"]')
    outcome = apply([star, other], [entry], TODAY)
    assert outcome.kept == (other,)
    assert [s.finding for s in outcome.suppressed] == [star]
