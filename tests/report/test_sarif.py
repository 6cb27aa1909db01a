"""The SARIF reporter: schema-valid for every fixture, with the fields GitHub reads."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any

import jsonschema
import pytest

from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.model import Location, Severity
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.report import merge_repeats
from iacguard.report.sarif import (
    FINGERPRINT_KEY,
    LEVELS,
    SECURITY_SEVERITY,
    SarifReporter,
    fingerprint,
)
from iacguard.results import Diagnostic, DiagnosticLevel, SuppressedFinding, Suppression
from tests.conftest import ROOT, TERRAFORM, scan_case

SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
CASES = sorted(p.parent.name for p in TERRAFORM.glob("*/plan.json"))


#: every other input fixture: CloudFormation templates and Terraform HCL directories
OTHER_INPUTS = sorted(
    [
        *(
            p
            for p in (ROOT / "fixtures" / "cloudformation").rglob("*.yaml")
            if "errors" not in p.parts
        ),
        *(
            p
            for p in (ROOT / "fixtures" / "cloudformation").rglob("*.json")
            if "errors" not in p.parts
        ),
        *(
            p
            for p in (ROOT / "fixtures" / "hcl").iterdir()
            if p.is_dir() and p.name != "syntax_error"
        ),
    ]
)


@cache
def _validator() -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(SCHEMA)


def render(result: ScanResult) -> dict[str, Any]:
    stream = io.StringIO()
    SarifReporter().render(result, stream)
    log: dict[str, Any] = json.loads(stream.getvalue())
    return log


def assert_valid(log: dict[str, Any]) -> None:
    errors = sorted(_validator().iter_errors(log), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


@pytest.mark.parametrize("case", CASES)
def test_every_fixture_gives_schema_valid_sarif(case: str) -> None:
    log = render(scan_case(case))
    assert_valid(log)
    findings = merge_repeats(scan_case(case).findings)  # one result per rule and line
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == [f.rule_id for f in findings]
    for result, finding in zip(results, findings, strict=True):
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == str(finding.location.file)
        assert location["artifactLocation"]["uri"].startswith(f"fixtures/terraform/{case}/")
        assert location["region"]["startLine"] == (finding.location.line or 1)


@pytest.mark.parametrize("path", OTHER_INPUTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_cloudformation_and_hcl_fixtures_give_schema_valid_sarif(path: Path) -> None:
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    result = scan([path], registry, ScanOptions())
    log = render(result)
    assert_valid(log)
    for item in log["runs"][0]["results"]:
        region = item["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1


def test_the_clean_fixture_has_no_rules_and_no_results() -> None:
    run = render(scan_case("clean"))["runs"][0]
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []
    assert run["invocations"][0]["executionSuccessful"] is True


def test_driver_and_rules_carry_what_github_reads() -> None:
    result = scan_case("admin_paths")
    driver = render(result)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "iacguard"
    assert driver["version"]
    assert driver["informationUri"] == "https://github.com/iacguard/iacguard"
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == sorted({f.rule_id for f in result.findings})
    assert {"IAM206", "IAM301"} <= set(ids)
    rule = driver["rules"][ids.index("IAM301")]
    check = next(c for c in result.checks if c.id == "IAM301")
    assert rule["name"] == "admin_wildcard"
    assert rule["shortDescription"]["text"] == "Policy grants every action on every resource"
    assert rule["fullDescription"]["text"].startswith(check.description.split()[0])
    assert check.remediation
    assert check.remediation in rule["help"]["text"]
    assert f"**Fix:** {check.remediation}" in rule["help"]["markdown"]
    assert rule["helpUri"] == check.help_uri
    assert rule["helpUri"].endswith("#iam301")
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["properties"]["security-severity"] == "9.5"
    assert rule["properties"]["severity"] == "critical"
    assert "security" in rule["properties"]["tags"]
    assert set(check.tags) <= set(rule["properties"]["tags"])


def test_results_point_at_their_rule_file_and_resource() -> None:
    scanned = scan_case("admin_paths")
    # as read from plan JSON alone: no line numbers
    plan = Location(PurePosixPath("fixtures/terraform/admin_paths/plan.json"))
    findings = tuple(replace(f, location=plan) for f in scanned.findings)
    run = render(replace(scanned, findings=findings))["runs"][0]
    by_address = {
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r
        for r in run["results"]
        if r["ruleId"] == "IAM301"
    }
    result = by_address["aws_iam_policy.deploy_everything"]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "IAM301"
    assert result["level"] == "error"
    assert result["message"]["text"] == (
        "policy 'iacguard-fixture-deploy-everything' statement 2 ('DeployAnything') "
        "allows '*' on '*' (aws_iam_policy.deploy_everything)"
    )
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {
        "uri": "fixtures/terraform/admin_paths/plan.json",
        "uriBaseId": "%SRCROOT%",
    }
    # plan JSON has no lines; GitHub requires startLine, so line 1 stands in
    assert physical["region"] == {"startLine": 1}
    assert result["properties"] == {"severity": "critical", "confidence": "high"}
    assert set(result["partialFingerprints"]) == {FINGERPRINT_KEY}


def test_fingerprints_are_unique_and_ignore_line_numbers() -> None:
    result = scan_case("least_privilege")
    prints = [
        r["partialFingerprints"][FINGERPRINT_KEY] for r in render(result)["runs"][0]["results"]
    ]
    assert len(prints) == len(set(prints)) == len(result.findings)
    finding = result.findings[0]
    moved = replace(finding, location=replace(finding.location, line=42, column=3))
    assert fingerprint(moved) == fingerprint(finding)
    directory = finding.location.file.parent
    other_file = replace(finding, location=Location(directory / "iam.tf", 3))
    assert fingerprint(other_file) == fingerprint(finding)
    elsewhere = replace(finding, location=Location(PurePosixPath("envs/dev/plan.json")))
    assert fingerprint(elsewhere) != fingerprint(finding)
    assert fingerprint(replace(finding, address="aws_iam_policy.other")) != fingerprint(finding)


def test_known_lines_and_columns_become_the_region() -> None:
    result = scan_case("admin_paths")
    finding = replace(
        result.findings[0],
        location=Location(PurePosixPath("infra/main tf/iam.tf"), 12, 3, 14, 4),
    )
    log = render(replace(result, findings=(finding,)))
    assert_valid(log)
    physical = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "infra/main%20tf/iam.tf"
    assert physical["region"] == {"startLine": 12, "startColumn": 3, "endLine": 14, "endColumn": 4}


def test_absolute_paths_become_file_uris() -> None:
    result = scan_case("admin_paths")
    finding = replace(result.findings[0], location=Location(PurePosixPath("/tmp/x/plan.json")))
    log = render(replace(result, findings=(finding,)))
    assert_valid(log)
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "file:///tmp/x/plan.json"}


@pytest.mark.parametrize(
    ("severity", "level", "score"),
    [
        pytest.param(Severity.CRITICAL, "error", "9.5", id="critical"),
        pytest.param(Severity.HIGH, "error", "8.0", id="high"),
        pytest.param(Severity.MEDIUM, "warning", "5.5", id="medium"),
        pytest.param(Severity.LOW, "note", "3.0", id="low"),
        pytest.param(Severity.INFO, "note", "1.0", id="info"),
    ],
)
def test_severity_mapping(severity: Severity, level: str, score: str) -> None:
    assert LEVELS[severity] == level
    assert SECURITY_SEVERITY[severity] == score
    result = scan_case("admin_paths")
    finding = replace(result.findings[0], severity=severity)
    sarif_result = render(replace(result, findings=(finding,)))["runs"][0]["results"][0]
    assert sarif_result["level"] == level
    assert sarif_result["properties"]["severity"] == severity.label


def test_diagnostics_become_notifications_and_mark_the_run_failed() -> None:
    diagnostics = (
        Diagnostic(DiagnosticLevel.ERROR, "IAM002", "check IAM301 crashed", check_id="IAM301"),
        Diagnostic(
            DiagnosticLevel.ERROR,
            "IAM001",
            "broken.json: invalid JSON",
            Location(PurePosixPath("broken.json"), 3, 7),
        ),
        Diagnostic(DiagnosticLevel.NOTE, "IAM003", "skipped: notes.json"),
    )
    log = render(replace(scan_case("admin_paths"), diagnostics=diagnostics))
    assert_valid(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    crash, parse_error, note = invocation["toolExecutionNotifications"]
    assert crash == {
        "level": "error",
        "message": {"text": "check IAM301 crashed"},
        "descriptor": {"id": "IAM002"},
        "associatedRule": {"id": "IAM301"},
    }
    region = parse_error["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 7}
    assert note["level"] == "note"


def test_suppressed_findings_are_left_out() -> None:
    result = scan_case("admin_paths")
    silenced = result.findings[0]
    suppression = Suppression(rules=(silenced.rule_id,), address=silenced.address, reason="ok")
    log = render(
        replace(
            result,
            findings=result.findings[1:],
            suppressed=(SuppressedFinding(silenced, suppression),),
        )
    )
    prints = {r["partialFingerprints"][FINGERPRINT_KEY] for r in log["runs"][0]["results"]}
    assert fingerprint(silenced) not in prints
    assert len(prints) == len(result.findings) - 1


def test_output_is_deterministic_and_has_no_timestamps() -> None:
    first, second = io.StringIO(), io.StringIO()
    SarifReporter().render(scan_case("trust"), first)
    SarifReporter().render(scan_case("trust"), second)
    assert first.getvalue() == second.getvalue()
    assert "TimeUtc" not in first.getvalue()
