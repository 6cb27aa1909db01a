"""End-to-end CLI behaviour: exit codes, one-line errors, formats, selection."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from iacguard.cli import ExitCode, app
from tests.conftest import ROOT, TERRAFORM

SCHEMA = json.loads((ROOT / "iacguard" / "data" / "report.schema.json").read_text())
PLAN = TERRAFORM / "least_privilege" / "plan.json"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    return CliRunner()


def run(runner: CliRunner, *args: str | Path):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_version(runner: CliRunner) -> None:
    result = run(runner, "--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("iacguard ")


def test_json_report_validates_against_the_documented_schema(runner: CliRunner) -> None:
    result = run(runner, "check", PLAN, "--format", "json")
    assert result.exit_code == ExitCode.FINDINGS
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    assert report["complete"] is True
    assert report["summary"]["findings"] == len(report["findings"]) > 0
    first = report["findings"][0]
    # the plan sits in its Terraform root, so findings are located in the .tf source
    assert first["file"] == "fixtures/terraform/least_privilege/main.tf"
    assert isinstance(first["line"], int)
    assert first["source"] == "terraform-plan"


@pytest.mark.parametrize(
    "case", sorted(p.name for p in TERRAFORM.iterdir() if (p / "plan.json").is_file())
)
def test_every_fixture_gives_a_valid_json_report(runner: CliRunner, case: str) -> None:
    result = run(runner, "check", TERRAFORM / case / "plan.json", "--format", "json")
    assert result.exit_code in {ExitCode.OK, ExitCode.FINDINGS}, result.stderr
    jsonschema.validate(json.loads(result.stdout), SCHEMA)


def test_text_report_groups_by_resource_and_ends_with_a_summary(runner: CliRunner) -> None:
    result = run(runner, "check", TERRAFORM / "admin_paths" / "plan.json")
    assert result.exit_code == ExitCode.FINDINGS
    lines = result.stdout.splitlines()
    assert lines[0].endswith("admin_paths/main.tf")
    assert any(
        line.startswith("  aws_iam_group_policy_attachment.platform_admins_administrator_access")
        and "(line " in line
        for line in lines
    )
    assert any("CRITICAL" in line and "IAM301" in line for line in lines)
    assert "\033[" not in result.stdout
    finding_lines = [line for line in lines if re.match(r"^    [A-Z]+ +IAM\d{3}  ", line)]
    assert lines[-1].startswith(f"{len(finding_lines)} findings (")
    assert any(line.strip().startswith("fix: ") for line in lines)


def test_exit_zero_when_nothing_reaches_fail_on(runner: CliRunner) -> None:
    result = run(runner, "check", PLAN, "--select", "IAM701")
    assert result.exit_code == ExitCode.OK
    assert result.stdout.strip().startswith("0 findings")


def test_select_ignore_and_min_severity(runner: CliRunner) -> None:
    result = run(runner, "check", PLAN, "-f", "json", "--select", "IAM3", "--ignore", "IAM303")
    rules = {f["rule_id"] for f in json.loads(result.stdout)["findings"]}
    assert rules
    assert all(r.startswith("IAM3") for r in rules)
    assert "IAM303" not in rules
    result = run(runner, "check", PLAN, "-f", "json", "--min-severity", "critical")
    severities = {f["severity"] for f in json.loads(result.stdout)["findings"]}
    assert severities == {"critical"}


def test_fail_on_threshold(runner: CliRunner) -> None:
    assert run(runner, "check", PLAN, "--select", "IAM305", "--fail-on", "high").exit_code == 0
    assert run(runner, "check", PLAN, "--select", "IAM305", "--fail-on", "medium").exit_code == 1


def test_output_file_and_stdout_together(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = run(runner, "check", PLAN, "-f", "json", "-o", target, "-f", "text")
    assert result.exit_code == ExitCode.FINDINGS
    jsonschema.validate(json.loads(target.read_text()), SCHEMA)
    assert "findings (" in result.stdout


def _assert_one_line_error(result, fragment: str) -> None:
    assert result.exit_code == ExitCode.USAGE_ERROR
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        pytest.param(b'{"format_version": "1.2", "planned_', "invalid JSON", id="truncated"),
        pytest.param(
            b'{"name": "pkg", "version": "1.0.0"}', "not a Terraform plan", id="not-a-plan"
        ),
        pytest.param(b'{"format_version": "2.0", "planned_values": {}}', "not supported", id="v2"),
        pytest.param(b"", "file is empty", id="empty"),
        pytest.param(b"   \n", "file is empty", id="blank"),
        pytest.param(b"\xff\xfe\xfd garbage", "not valid", id="binary"),
        pytest.param(b"[1, 2, 3]", "not a Terraform plan", id="array"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    runner: CliRunner, tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(content)
    _assert_one_line_error(run(runner, "check", path), fragment)


def test_directory_with_nothing_to_scan(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    _assert_one_line_error(run(runner, "check", tmp_path), "nothing iacguard can scan")


def test_missing_path(runner: CliRunner, tmp_path: Path) -> None:
    _assert_one_line_error(run(runner, "check", tmp_path / "nope.json"), "no such file")


def test_unknown_format_and_severity(runner: CliRunner) -> None:
    _assert_one_line_error(run(runner, "check", PLAN, "-f", "yaml"), "unknown --format")
    _assert_one_line_error(run(runner, "check", PLAN, "--fail-on", "huge"), "unknown severity")


def test_directory_scan_skips_other_json_with_a_note(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x"}')
    (tmp_path / "plan.json").write_bytes(PLAN.read_bytes())
    result = run(runner, "check", tmp_path, "-f", "json")
    assert result.exit_code == ExitCode.FINDINGS
    assert "skipped" in result.stderr
    assert "package.json" in result.stderr
    assert json.loads(result.stdout)["summary"]["files"] == 1


def test_utf16_plan_with_bom_scans_like_utf8(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(PLAN.read_text(encoding="utf-8").encode("utf-16"))
    utf16 = json.loads(run(runner, "check", path, "-f", "json").stdout)
    utf8 = json.loads(run(runner, "check", PLAN, "-f", "json").stdout)
    assert sorted((f["rule_id"], f["resource"]) for f in utf16["findings"]) == sorted(
        (f["rule_id"], f["resource"]) for f in utf8["findings"]
    )


def test_format_version_0x_is_accepted(runner: CliRunner, tmp_path: Path) -> None:
    plan = json.loads(PLAN.read_text())
    plan["format_version"] = "0.1"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    assert run(runner, "check", path).exit_code == ExitCode.FINDINGS


def test_crashing_check_is_reported_and_the_others_still_run(runner: CliRunner) -> None:
    result = run(runner, "check", PLAN, "-f", "json", "--plugin", "tests.plugin_samples.crashing")
    assert result.exit_code == ExitCode.USAGE_ERROR
    report = json.loads(result.stdout)
    assert report["complete"] is False
    assert report["findings"], "the other checks still ran"
    [diagnostic] = report["diagnostics"]
    assert diagnostic["code"] == "IAM002"
    assert diagnostic["rule_id"] == "TEST001"
    crash = "TEST001 (always_crashes) of plugin tests.plugin_samples.crashing crashed"
    assert f"{crash}: RuntimeError: boom" in result.stderr
    assert "Traceback" not in result.stderr


def test_plugin_that_fails_to_import(runner: CliRunner) -> None:
    result = run(runner, "check", PLAN, "--plugin", "tests.plugin_samples.does_not_exist")
    _assert_one_line_error(result, "plugin tests.plugin_samples.does_not_exist failed to load")


def test_rules_lists_the_catalog(runner: CliRunner) -> None:
    result = run(runner, "rules")
    assert result.exit_code == 0
    ids = [line.split()[0] for line in result.stdout.splitlines()]
    assert ids == sorted(ids)
    assert {"IAM101", "IAM301", "IAM401", "IAM501", "IAM601", "IAM701"} <= set(ids)


def test_explain_prints_the_rule_documentation(runner: CliRunner) -> None:
    result = run(runner, "explain", "iam301")
    assert result.exit_code == 0
    assert result.stdout.startswith("IAM301 (")
    assert "Fix" in result.stdout
    _assert_one_line_error(run(runner, "explain", "IAM999"), "no rule")


ODD_PLANS = {
    "wrong-types-everywhere": {
        "format_version": "1.2",
        "planned_values": "x",
        "resource_changes": [1, None, {"address": 5}],
        "configuration": [],
    },
    "odd-values": {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_iam_role.x",
                        "type": "aws_iam_role",
                        "values": {"assume_role_policy": 5, "inline_policy": "x", "name": ["a"]},
                    },
                    {
                        "address": "aws_iam_account_password_policy.p",
                        "type": "aws_iam_account_password_policy",
                        "values": {"minimum_password_length": "x", "max_password_age": 1e400},
                    },
                    {
                        "address": "aws_iam_policy.p",
                        "type": "aws_iam_policy",
                        "values": {"policy": '{"Statement": [{"Effect": "Allow", "Action": [1]}]}'},
                    },
                ],
                "child_modules": [None, {"resources": "no"}],
            }
        },
        "configuration": {
            "provider_config": {"aws": "x"},
            "root_module": {"module_calls": {"m": 5}},
        },
        "variables": {"v": 5},
    },
}


@pytest.mark.parametrize("name", sorted(ODD_PLANS))
def test_odd_plans_scan_without_a_traceback(runner: CliRunner, tmp_path: Path, name: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(ODD_PLANS[name]))
    result = run(runner, "check", path, "-f", "json")
    assert result.exit_code in {ExitCode.OK, ExitCode.FINDINGS}, result.stderr
    jsonschema.validate(json.loads(result.stdout), SCHEMA)


def test_format_version_must_be_a_string(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"format_version": 1, "planned_values": {}}')
    _assert_one_line_error(run(runner, "check", path), "must be a string")


def test_terraform_root_with_policy_json_is_scanned_as_source(
    runner: CliRunner, tmp_path: Path
) -> None:
    """A ``trust.json`` read with ``file()`` beside ``main.tf`` is not a plan."""
    (tmp_path / "trust.json").write_text(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
        '"Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]}'
    )
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_role" "open" {\n'
        '  name               = "open"\n'
        '  assume_role_policy = file("${path.module}/trust.json")\n'
        "}\n"
    )
    result = run(runner, "check", tmp_path, "-f", "json")
    assert result.exit_code == ExitCode.FINDINGS, result.stderr
    found = {(f["rule_id"], f["resource"]) for f in json.loads(result.stdout)["findings"]}
    assert ("IAM401", "aws_iam_role.open") in found
