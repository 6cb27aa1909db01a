"""The text reporter: what a person reads in a terminal."""

from __future__ import annotations

import pytest

from iacguard.report.text import printable


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        pytest.param("aws_iam_role.deploy", "aws_iam_role.deploy", id="plain"),
        pytest.param('aws_iam_role.r["é"]', 'aws_iam_role.r["é"]', id="unicode-kept"),
        pytest.param("a\x1b[2Jb", "a\\x1b[2Jb", id="ansi-escape"),
        pytest.param("line\nbreak\r", "line\\nbreak\\r", id="newlines"),
        pytest.param("bell\x07", "bell\\x07", id="bell"),
    ],
)
def test_control_characters_from_the_input_are_escaped(text: str, shown: str) -> None:
    assert printable(text) == shown
