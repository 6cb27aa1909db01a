"""The junit reporter: one unique test case per rule and resource, failures that say where."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import PurePosixPath

import pytest

from iacguard.engine import ScanResult
from iacguard.model import Location
from iacguard.report.junit import PASSED_NAME, JunitReporter
from iacguard.results import Diagnostic, DiagnosticLevel
from tests.conftest import TERRAFORM, scan_case

CASES = sorted(p.parent.name for p in TERRAFORM.glob("*/plan.json"))


def render(result: ScanResult) -> ET.Element:
    stream = io.StringIO()
    JunitReporter().render(result, stream)
    text = stream.getvalue()
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n')
    return ET.fromstring(text.split("\n", 1)[1])


def cases(root: ET.Element) -> dict[tuple[str, str], ET.Element]:
    found = {(c.get("classname", ""), c.get("name", "")): c for c in root.iter("testcase")}
    assert len(found) == len(list(root.iter("testcase"))), "classname + name must be unique"
    return found


@pytest.mark.parametrize("case", CASES)
def test_one_unique_case_per_rule_and_resource(case: str) -> None:
    result = scan_case(case)
    root = render(result)
    by_key = cases(root)
    failing = {
        (f"iacguard.{f.rule_id}", f"{f.location.file}::{f.address}") for f in result.findings
    }
    assert {key for key, c in by_key.items() if c.find("failure") is not None} == failing
    firing = {f.rule_id for f in result.findings}
    passing = {(f"iacguard.{c.id}", PASSED_NAME) for c in result.checks if c.id not in firing}
    assert {key for key, c in by_key.items() if c.find("failure") is None} == passing
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("tests") == str(len(by_key)) == root.get("tests")
    assert suite.get("failures") == str(len(failing))
    assert suite.get("errors") == "0"


def test_failure_carries_message_severity_and_location() -> None:
    scanned = scan_case("admin_paths")
    finding = next(f for f in scanned.findings if f.address == "aws_iam_policy.deploy_everything")
    finding = replace(finding, location=Location(PurePosixPath("iam/main.tf"), 12))
    root = render(replace(scanned, findings=(finding,)))
    case = cases(root)[("iacguard.IAM301", "iam/main.tf::aws_iam_policy.deploy_everything")]
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("type") == "IAM301 critical"
    assert failure.get("message") == (
        "policy 'iacguard-fixture-deploy-everything' statement 2 ('DeployAnything') "
        "allows '*' on '*'"
    )
    assert failure.text is not None
    assert "IAM301 critical at iam/main.tf:12: policy" in failure.text


def test_several_findings_at_one_resource_share_one_case() -> None:
    result = scan_case("admin_paths")
    finding = next(f for f in result.findings if f.rule_id == "IAM301")
    twin = replace(
        finding,
        message="second statement allows everything",
        pointer=(*finding.pointer, "x"),
        location=replace(finding.location, line=9),
    )
    root = render(replace(result, findings=(finding, twin)))
    failing = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert len(failing) == 1
    failure = failing[0].find("failure")
    assert failure is not None
    assert failure.text is not None
    assert f"{finding.location.file}:9: second statement allows everything" in failure.text


def test_errors_are_cases_and_a_crashed_rule_does_not_pass() -> None:
    diagnostics = (
        Diagnostic(DiagnosticLevel.ERROR, "IAM002", "check IAM601 crashed", check_id="IAM601"),
        Diagnostic(
            DiagnosticLevel.ERROR,
            "IAM001",
            "bad.json: invalid",
            Location(PurePosixPath("bad.json")),
        ),
        Diagnostic(DiagnosticLevel.NOTE, "IAM003", "skipped: x.json"),
    )
    root = render(replace(scan_case("clean"), diagnostics=diagnostics))
    by_key = cases(root)
    assert ("iacguard.IAM601", PASSED_NAME) not in by_key
    crash = by_key[("iacguard.IAM601", "(scan)::IAM002")].find("error")
    assert crash is not None
    assert crash.get("message") == "check IAM601 crashed"
    assert by_key[("iacguard.IAM001", "bad.json::IAM001")].find("error") is not None
    assert root.get("errors") == "2"


def test_control_characters_are_replaced_not_emitted() -> None:
    result = scan_case("admin_paths")
    finding = replace(result.findings[0], message="bad\x00byte\x1b[31m")
    root = render(replace(result, findings=(finding,)))
    failure = next(root.iter("failure"))
    assert failure.get("message") == "bad\ufffdbyte\ufffd[31m"
