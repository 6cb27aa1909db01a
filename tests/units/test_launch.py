"""The console-script entry point, in-process: ``--version`` answers from the launcher."""

from __future__ import annotations

import pytest

from iacguard import _launch
from iacguard._version import __version__


def test_version_is_answered_by_the_launcher(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.argv", ["iacguard", "--version"])
    _launch.main()
    assert capsys.readouterr().out == f"iacguard {__version__}\n"
