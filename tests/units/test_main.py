"""``python -m iacguard``, run in-process: it hands over to the launcher."""

from __future__ import annotations

import runpy

import pytest

from iacguard._version import __version__


def test_python_dash_m(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.argv", ["iacguard", "--version"])
    runpy.run_module("iacguard", run_name="__main__")
    assert capsys.readouterr().out == f"iacguard {__version__}\n"
