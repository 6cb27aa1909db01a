"""The GitLab Code Quality reporter: the fields GitLab reads, for every fixture, and one
whole report kept as a golden file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from iacguard.engine import ScanOptions, scan
from iacguard.model import Severity
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.report.gitlab import SEVERITIES, GitLabReporter
from tests._golden import check_golden
from tests.conftest import ROOT, TERRAFORM

GOLDEN = ROOT / "tests" / "golden" / "formats" / "admin_paths.gitlab.json"
CASES = sorted(p.parent.name for p in TERRAFORM.glob("*/plan.json"))


def _report(relative: str) -> str:
    registry, problems = collect_checks(get_plugin_manager(load_entrypoints=False))
    assert not problems
    stream = io.StringIO()
    GitLabReporter().render(scan([Path(relative)], registry, ScanOptions()), stream)
    return stream.getvalue()


def test_every_severity_maps_to_gitlab_in_order() -> None:
    assert [SEVERITIES[s] for s in sorted(Severity)] == [
        "info",
        "minor",
        "major",
        "critical",
        "blocker",
    ]


@pytest.mark.parametrize("case", CASES)
def test_issues_have_the_fields_gitlab_reads(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    issues = json.loads(_report(f"fixtures/terraform/{case}/plan.json"))
    assert isinstance(issues, list)
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in SEVERITIES.values()
        assert issue["location"]["lines"]["begin"] >= 1
        assert not Path(issue["location"]["path"]).is_absolute()
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(fingerprints) == len(set(fingerprints))


def test_whole_report_matches_golden(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    report = _report("fixtures/terraform/admin_paths/plan.json")
    check_golden(report, GOLDEN, request.config)
