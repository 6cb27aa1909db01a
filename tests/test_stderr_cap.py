"""Without ``-v``, stderr holds at most 20 diagnostic lines, the most serious first, the
last counting what it leaves out; ``-v`` shows every one."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from iacguard.cli import app


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for number in range(25):
        (tmp_path / f"plan{number:02}.json").write_text('{"format_version": "1.2", ')
    for number in range(5):
        (tmp_path / f"stack{number}.yaml").write_text(
            "Transform: Macro\nResources:\n  T: {Type: AWS::SNS::Topic}\n"
        )
    return tmp_path


def test_at_most_twenty_lines_errors_first(tree: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(tree)])
    lines = result.stderr.splitlines()
    assert result.exit_code == 2
    assert len(lines) == 20
    assert all(line.startswith("iacguard: error: ") for line in lines)
    assert lines[-1] == (
        "iacguard: error: 11 more (11 errors) not shown: -v lists them, and so does -f json "
        "[IAM003]"
    )


def test_verbose_shows_every_line(tree: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(tree), "-v"])
    errors = [line for line in result.stderr.splitlines() if line.startswith("iacguard: error")]
    assert len(errors) == 30
