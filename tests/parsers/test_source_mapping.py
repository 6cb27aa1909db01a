"""Plans with their Terraform source: .tf file and line, suppression comments, unknowns."""

from __future__ import annotations

import datetime
import json
import shutil
from pathlib import Path, PurePosixPath

import pytest
from typer.testing import CliRunner

from iacguard.cli import app
from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.parsers.terraform import plan as tfplan
from iacguard.plugins import collect_checks, get_plugin_manager
from tests.conftest import TERRAFORM

TODAY = datetime.date(2026, 6, 1)


def _scan(path: Path) -> ScanResult:
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    return scan([path], registry, ScanOptions(today=TODAY))


def _copy(case: str, tmp_path: Path) -> Path:
    target = tmp_path / case
    shutil.copytree(TERRAFORM / case, target)
    return target


def _comment_above(tf: Path, block: str, comment: str) -> None:
    text = tf.read_text()
    assert block in text
    tf.write_text(text.replace(block, f"{comment}\n{block}", 1))


@pytest.mark.parametrize(
    ("case", "rule", "address", "file", "block"),
    [
        pytest.param(
            "modules",
            "IAM301",
            "module.worker_role[1].aws_iam_role_policy_attachment.administrator_access",
            "modules/team_role/main.tf",
            'resource "aws_iam_role_policy_attachment" "administrator_access"',
            id="module-instance",
        ),
        pytest.param(
            "modules",
            "IAM301",
            'aws_iam_policy.team["admin"]',
            "main.tf",
            'resource "aws_iam_policy" "team"',
            id="for-each",
        ),
        pytest.param(
            "least_privilege",
            "IAM301",
            "aws_iam_role_policy_attachment.iam301_administrator_access",
            "main.tf",
            'resource "aws_iam_role_policy_attachment" "iam301_administrator_access"',
            id="aws-managed-at-attachment",
        ),
    ],
)
def test_plan_findings_point_at_the_tf_block(
    case: str, rule: str, address: str, file: str, block: str
) -> None:
    lines = (TERRAFORM / case / file).read_text().splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if text.startswith(block))
    result = _scan(TERRAFORM / case / "plan.json")
    [finding] = [f for f in result.findings if (f.rule_id, f.address) == (rule, address)]
    assert finding.location.file.as_posix().endswith(f"{case}/{file}")
    assert finding.location.line == line


def test_every_plan_finding_of_every_case_has_a_tf_line() -> None:
    for case in sorted(p.name for p in TERRAFORM.iterdir() if (p / "plan.json").is_file()):
        for finding in _scan(TERRAFORM / case / "plan.json").findings:
            assert finding.location.file.name.endswith((".tf", ".tf.json")), (case, finding.address)
            assert finding.location.line, (case, finding.address)


def test_plan_without_source_has_no_line(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    shutil.copy(TERRAFORM / "least_privilege" / "plan.json", plan)
    [finding, *_] = _scan(plan).findings
    assert (finding.location.file.name, finding.location.line) == ("plan.json", None)


def test_suppression_comments_apply_to_plan_findings(tmp_path: Path) -> None:
    root = _copy("least_privilege", tmp_path)
    tf = root / "main.tf"
    _comment_above(
        tf, 'resource "aws_iam_policy" "iam301_star_star"', "# iacguard:ignore:IAM301 accepted"
    )
    _comment_above(
        tf,
        'resource "aws_iam_policy" "iam302_service_wildcard"',
        "# iacguard:ignore:IAM302:exp:2025-12-31 was temporary",
    )
    _comment_above(
        tf, 'resource "aws_iam_policy" "iam303_list_on_star_ok"', "# iacguard:ignore:IAM303 unused"
    )
    result = _scan(root / "plan.json")
    kept = {(f.rule_id, f.address) for f in result.findings}
    silenced = {(s.finding.rule_id, s.finding.address) for s in result.suppressed}
    assert ("IAM301", "aws_iam_policy.iam301_star_star") in silenced
    assert ("IAM301", "aws_iam_policy.iam301_star_star") not in kept
    assert ("IAM302", "aws_iam_policy.iam302_service_wildcard") in kept
    warnings = [d.message for d in result.diagnostics]
    assert any("expired on 2025-12-31" in w for w in warnings)
    assert any("unused" in w and "iam303_list_on_star_ok" in w for w in warnings)


def test_comment_in_a_module_covers_every_plan_instance(tmp_path: Path) -> None:
    root = _copy("modules", tmp_path)
    _comment_above(
        root / "modules" / "team_role" / "main.tf",
        'resource "aws_iam_role_policy_attachment" "administrator_access"',
        "# iacguard:ignore:IAM301 team roles are admin by design",
    )
    result = _scan(root / "plan.json")
    silenced = {s.finding.address for s in result.suppressed}
    assert silenced == {
        f"{module}.aws_iam_role_policy_attachment.administrator_access"
        for module in (
            'module.team_role["data"]',
            'module.team_role["platform"]',
            "module.worker_role[0]",
            "module.worker_role[1]",
        )
    }
    assert not [d for d in result.diagnostics if "unused" in d.message]


def test_comment_on_counted_resource_covers_all_plan_instances(tmp_path: Path) -> None:
    root = _copy("modules", tmp_path)
    _comment_above(
        root / "main.tf", 'resource "aws_iam_user" "service"', "# iacguard:ignore:IAM2 reviewed"
    )
    parsed = tfplan.parse_plan(
        json.loads((root / "plan.json").read_text()),
        root / "plan.json",
        PurePosixPath("plan.json"),
        root,
    )
    assert {s.address for s in parsed.suppressions} == {"aws_iam_user.service[*]"}


def test_policy_unknown_in_plan_is_filled_in_from_source(tmp_path: Path) -> None:
    root = _copy("least_privilege", tmp_path)
    plan = json.loads((root / "plan.json").read_text())
    address = "aws_iam_policy.iam301_star_star"
    for resource in plan["planned_values"]["root_module"]["resources"]:
        if resource["address"] == address:
            resource["values"].pop("policy")
    for change in plan["resource_changes"]:
        if change["address"] == address:
            change["change"]["after"].pop("policy")
            change["change"]["after_unknown"]["policy"] = True
    (root / "plan.json").write_text(json.dumps(plan))
    with_source = {f.address for f in _scan(root / "plan.json").findings if f.rule_id == "IAM301"}
    assert address in with_source
    alone = tmp_path / "alone.json"
    alone.write_text(json.dumps(plan))
    (tmp_path / "alone").mkdir()
    shutil.move(alone, tmp_path / "alone" / "plan.json")
    without = {f.address for f in _scan(tmp_path / "alone" / "plan.json").findings}
    assert address not in without


def test_broken_source_leaves_the_plan_scan_intact(tmp_path: Path) -> None:
    root = _copy("least_privilege", tmp_path)
    (root / "broken.tf").write_text('resource "x" "y" {\n')
    result = _scan(root / "plan.json")
    assert result.findings
    assert all(f.location.file.name == "plan.json" for f in result.findings)
    assert any("is not used" in d.message for d in result.diagnostics)


def test_source_option_locates_a_plan_kept_away_from_its_root(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_bytes((TERRAFORM / "admin_paths" / "plan.json").read_bytes())
    root = TERRAFORM / "admin_paths"
    result = CliRunner().invoke(
        app, ["check", str(plan), "--source", str(root), "-f", "json"], catch_exceptions=False
    )
    findings = json.loads(result.stdout)["findings"]
    lines = (root / "main.tf").read_text().splitlines()
    [admin] = [f for f in findings if f["resource"] == "aws_iam_policy.deploy_everything"]
    assert admin["file"].endswith("admin_paths/main.tf")
    assert lines[admin["line"] - 1].startswith('resource "aws_iam_policy" "deploy_everything"')
    without = CliRunner().invoke(app, ["check", str(plan), "-f", "json"], catch_exceptions=False)
    assert {f["line"] for f in json.loads(without.stdout)["findings"]} == {None}
