"""``.ci/coverage_floor.py``: the per-module coverage floor CI applies."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT


def _floor_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "coverage_floor", ROOT / ".ci" / "coverage_floor.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _report(**percent: float) -> dict[str, object]:
    return {"files": {name: {"summary": {"percent_covered": p}} for name, p in percent.items()}}


def _run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, report: object, *args: str) -> int:
    path = tmp_path / "coverage.json"
    path.write_text(json.dumps(report))
    monkeypatch.setattr(sys, "argv", ["coverage_floor.py", str(path), *args])
    return int(_floor_module().main())


def test_names_each_module_under_the_floor(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _report(**{"iacguard/a.py": 84.94, "iacguard/b.py": 85.0, "iacguard/c.py": 12.0})
    assert _run(monkeypatch, tmp_path, report) == 1
    assert capsys.readouterr().err.splitlines() == [
        "coverage floor: iacguard/c.py is at 12.0 % (line + branch), under the 85 % floor",
        "coverage floor: iacguard/a.py is at 84.9 % (line + branch), under the 85 % floor",
    ]


def test_passes_when_every_module_is_at_the_floor(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(monkeypatch, tmp_path, _report(**{"iacguard/a.py": 90.0}), "--floor", "90") == 0
    assert capsys.readouterr().out == "coverage floor: every module is at 90 % or more\n"


@pytest.mark.parametrize("report", [[], {"totals": {}}, {"files": {"a.py": {}}}])
def test_an_unreadable_report_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, report: object
) -> None:
    assert _run(monkeypatch, tmp_path, report) == 2
