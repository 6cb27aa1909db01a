"""Input text made inert for a terminal and a CI log (iacguard.report._escape)."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest

from iacguard.report._escape import SafeLines, defuse_json, defuse_xml, printable, visible


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        pytest.param("aws_iam_role.r", "aws_iam_role.r", id="plain"),
        pytest.param("::set-output name=x::y", "\\x3a:set-output name=x::y", id="command"),
        pytest.param("  \t::error::x", "  \\t::error::x", id="indented-after-tab-escape"),
        pytest.param("  ::error::x", "  \\x3a:error::x", id="indented"),
        pytest.param("a ##[error]b", "a \\x23#[error]b", id="legacy"),
        pytest.param("a\n::error::b", "a\\n::error::b", id="line-break"),
        pytest.param("a\r::error::b", "a\\r::error::b", id="carriage-return"),
        pytest.param("a\x1b[31mb", "a\\x1b[31mb", id="ansi"),
        pytest.param("a\u2028b", "a\\u2028b", id="unicode-line-separator"),
        pytest.param("a::b", "a::b", id="inner-colons"),
    ],
)
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_visible_escapes_only_control_characters() -> None:
    assert visible("::x ##[y]\n") == "::x ##[y]\\n"


def test_defused_json_means_the_same() -> None:
    document = json.dumps({"a": "##[error]x", "b": "::y"}, indent=2)
    defused = defuse_json(document)
    assert "##[" not in defused
    assert json.loads(defused) == {"a": "##[error]x", "b": "::y"}


def test_defused_xml_means_the_same() -> None:
    element = ET.Element("case", name="##[x]")
    element.text = "line\r\n  ::error::x ##[y]"
    defused = defuse_xml(ET.tostring(element, encoding="unicode"))
    assert "##[" not in defused
    assert "\r" not in defused
    assert not any(line.lstrip().startswith("::") for line in defused.splitlines())
    parsed = ET.fromstring(defused)
    assert parsed.get("name") == "##[x]"
    assert parsed.text == "line\r\n  ::error::x ##[y]"


def test_safe_lines_keeps_the_writer_line_breaks_only() -> None:
    stream = io.StringIO()
    safe = SafeLines(stream)
    safe.write("user 'a\n::error::b'\n")
    safe.writelines(["  ::x\n", "\n"])
    assert stream.getvalue() == "user 'a\\n::error::b'\n  \\x3a:x\n\n"
