"""Every fixture's whole report, checked in under ``tests/golden/`` and compared byte for
byte: a change in what iacguard reports, or how, shows up as a diff in review.

The JSON report is kept for every input (each Terraform plan, each Terraform directory on
its own, each CloudFormation directory, each HCL directory); the text report for a few.
Inputs are scanned by their path relative to the repository root, as a user in a clone
would name them. ``pytest --update-golden`` rewrites the files.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from iacguard.engine import ScanOptions, scan
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.report.json import JsonReporter
from iacguard.report.text import TextReporter
from tests._golden import check_golden
from tests.conftest import FIXTURES, ROOT

GOLDEN = Path(__file__).parent / "golden"


def _inputs() -> list[str]:
    """Repository-relative inputs: plans, Terraform roots, CloudFormation and HCL dirs."""
    terraform = sorted(p for p in (FIXTURES / "terraform").iterdir() if p.is_dir())
    plans = [p / "plan.json" for p in terraform if (p / "plan.json").is_file()]
    roots = [p for p in terraform if any(p.glob("*.tf"))]
    others = [
        p
        for fmt in ("cloudformation", "hcl", "account")
        for p in sorted((FIXTURES / fmt).iterdir())
        if p.is_dir()
    ]
    return [p.relative_to(ROOT).as_posix() for p in (*plans, *roots, *others)]


#: inputs whose text report is kept too: one per format, with findings of every severity
TEXT_INPUTS = (
    "fixtures/terraform/admin_paths/plan.json",
    "fixtures/cloudformation/admin_paths",
    "fixtures/hcl/real_world",
)


def _golden_name(relative: str, suffix: str) -> Path:
    """``fixtures/terraform/mfa/plan.json`` → ``golden/terraform/mfa.plan.json`` and
    ``fixtures/terraform/mfa`` → ``golden/terraform/mfa.json`` (suffix appended)."""
    parts = Path(relative).relative_to("fixtures").parts
    stem = ".".join(parts[1:]).removesuffix(".json")
    return GOLDEN / parts[0] / f"{stem}{suffix}"


def _report(relative: str, reporter: JsonReporter | TextReporter) -> str:
    registry, problems = collect_checks(get_plugin_manager(load_entrypoints=False))
    assert not problems
    result = scan([Path(relative)], registry, ScanOptions())
    stream = io.StringIO()
    reporter.render(result, stream)
    return stream.getvalue()


@pytest.mark.parametrize("relative", _inputs())
def test_json_report_matches_golden(
    relative: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    check_golden(_report(relative, JsonReporter()), _golden_name(relative, ".json"), request.config)


@pytest.mark.parametrize("relative", TEXT_INPUTS)
def test_text_report_matches_golden(
    relative: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")
    check_golden(_report(relative, TextReporter()), _golden_name(relative, ".txt"), request.config)


def test_every_golden_file_has_an_input() -> None:
    """A golden file left behind by a removed fixture is an error, not dead weight."""
    expected = {_golden_name(r, ".json") for r in _inputs()}
    expected |= {_golden_name(r, ".txt") for r in TEXT_INPUTS}
    expected |= set((GOLDEN / "formats").glob("*.*"))  # one per format, kept by its own test
    assert sorted(set(GOLDEN.rglob("*.*")) - expected) == []
