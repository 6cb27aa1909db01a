"""SARIF stays within what GitHub code scanning keeps (the most severe results, and a
notification saying what was cut); workflow annotations come most severe first."""

from __future__ import annotations

import io
import json

import pytest

from iacguard.report import sarif
from iacguard.report.github import GithubReporter
from iacguard.report.sarif import SarifReporter
from tests.conftest import scan_case


def test_sarif_keeps_the_most_severe_and_says_what_it_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scan_case("admin_paths")
    monkeypatch.setattr(sarif, "MAX_RESULTS", 2)
    stream = io.StringIO()
    SarifReporter().render(result, stream)
    run = json.loads(stream.getvalue())["runs"][0]
    assert [r["level"] for r in run["results"]] == ["error", "error"]
    cut = len(result.findings) - 2
    [note] = [
        n
        for n in run["invocations"][0]["toolExecutionNotifications"]
        if "left out" in n["message"]["text"]
    ]
    assert note["message"]["text"].startswith(f"{cut} least severe findings left out of this log")


def test_annotations_come_most_severe_first() -> None:
    result = scan_case("admin_paths")
    stream = io.StringIO()
    GithubReporter().render(result, stream)
    kinds = [
        line.split(" ", 1)[0] for line in stream.getvalue().splitlines() if "title=IAM" in line
    ]
    order = {"::error": 0, "::warning": 1, "::notice": 2}
    assert kinds == sorted(kinds, key=order.__getitem__)
    assert set(kinds) == {"::error", "::notice"}
