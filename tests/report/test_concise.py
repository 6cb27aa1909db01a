"""The concise reporter: one escaped line per finding in the shape editors parse."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path, PurePosixPath

import pytest

from iacguard.engine import ScanOptions, scan
from iacguard.model import Location
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.report.concise import ConciseReporter, line
from tests._golden import check_golden
from tests.conftest import ROOT, scan_case

GOLDEN = ROOT / "tests" / "golden" / "formats" / "admin_paths.concise.txt"
SHAPE = re.compile(r"^[^:]+:\d+:(\d+:)? IAM\d{3} (info|low|medium|high|critical) .+ \[\S.*\]$")


def test_whole_report_matches_golden(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    result = scan([Path("fixtures/terraform/admin_paths/plan.json")], registry, ScanOptions())
    stream = io.StringIO()
    ConciseReporter().render(result, stream)
    assert all(SHAPE.match(text) for text in stream.getvalue().splitlines())
    check_golden(stream.getvalue(), GOLDEN, request.config)


def test_column_when_known_and_input_text_escaped() -> None:
    finding = scan_case("admin_paths").findings[0]
    hostile = replace(
        finding,
        location=Location(PurePosixPath("a\x1b[2J.tf"), 7, 3),
        message="two\nlines",
    )
    assert line(hostile) == (
        f"a\\x1b[2J.tf:7:3: {finding.rule_id} {finding.severity.label} two\\nlines "
        f"[{finding.address}]"
    )
