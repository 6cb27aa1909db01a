"""``-v`` debug lines are escaped like every other stderr line: a record names files and
quotes errors taken from the input, and its traceback spans several lines."""

from __future__ import annotations

import io
import logging

import pytest

from iacguard.cli import _diagnostics


@pytest.fixture
def debug_stream(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """stderr as ``-v`` configures it, on a root logger without other handlers."""
    stream = io.StringIO()
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", logging.WARNING)
    monkeypatch.setattr("sys.stderr", stream)
    _diagnostics.enable_debug_logging()
    return stream


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("plain.json", "DEBUG:iacguard.engine:skipped plain.json: --skip-path"),
        (
            "::error::x.json",
            "DEBUG:iacguard.engine:skipped ::error::x.json: --skip-path",
        ),
        (
            "a\n::warning::b\x1b[31m",
            "DEBUG:iacguard.engine:skipped a\\n::warning::b\\x1b[31m: --skip-path",
        ),
        ("##[error]x", "DEBUG:iacguard.engine:skipped \\x23#[error]x: --skip-path"),
    ],
)
def test_a_record_is_one_escaped_line(debug_stream: io.StringIO, name: str, shown: str) -> None:
    logging.getLogger("iacguard.engine").debug("skipped %s: --skip-path", name)
    assert debug_stream.getvalue() == shown + "\n"


def _parse_hostile_input() -> None:
    raise ValueError("line one\n::error::line two")


def test_each_traceback_line_is_escaped(debug_stream: io.StringIO) -> None:
    try:
        _parse_hostile_input()
    except ValueError:
        logging.getLogger("iacguard.engine").debug("parser crashed on x", exc_info=True)
    lines = debug_stream.getvalue().splitlines()
    assert lines[0] == "DEBUG:iacguard.engine:parser crashed on x"
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-2:] == ["ValueError: line one", "\\x3a:error::line two"]
    assert not [line for line in lines if line.lstrip().startswith("::") or "##[" in line]
