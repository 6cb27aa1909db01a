"""Reading input files: byte-order marks, BOM-less UTF-16/32, JSON errors, surrogates."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from iacguard.errors import ParseError
from iacguard.parsers._source import (
    decode_text,
    load_json,
    read_text,
    without_surrogates,
)

PATH = Path("plan.json")
TEXT = '{"é": 1}'


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(TEXT.encode(), TEXT, id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + TEXT.encode(), TEXT, id="utf-8-bom"),
        pytest.param(TEXT.encode("utf-16"), TEXT, id="utf-16-bom"),
        pytest.param(codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), TEXT, id="utf-16-be-bom"),
        pytest.param(TEXT.encode("utf-32"), TEXT, id="utf-32-bom"),
        pytest.param(codecs.BOM_UTF32_BE + TEXT.encode("utf-32-be"), TEXT, id="utf-32-be-bom"),
        pytest.param(TEXT.encode("utf-16-le"), TEXT, id="utf-16-le-no-bom"),
        pytest.param(TEXT.encode("utf-16-be"), TEXT, id="utf-16-be-no-bom"),
        pytest.param(TEXT.encode("utf-32-le"), TEXT, id="utf-32-le-no-bom"),
        pytest.param(TEXT.encode("utf-32-be"), TEXT, id="utf-32-be-no-bom"),
        pytest.param(b"", "", id="empty"),
        pytest.param(b"a", "a", id="shorter-than-four-bytes"),
    ],
)
def test_decode_text(data: bytes, expected: str) -> None:
    assert decode_text(data, PATH) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b'{"a": "\xff"}', "plan.json: not valid UTF-8 text (byte 7)", id="utf-8"),
        pytest.param(
            codecs.BOM_UTF16_LE + b"\x00\xd8",
            "plan.json: not valid UTF-16 text (byte 2)",
            id="utf-16",
        ),
    ],
)
def test_decode_text_errors(data: bytes, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        decode_text(data, PATH)
    assert str(caught.value) == message


def test_read_text(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_bytes(codecs.BOM_UTF8 + b"{}")
    assert read_text(path) == "{}"


def test_read_text_unreadable(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot read file: No such file or directory"):
        read_text(tmp_path / "missing.json")
    with pytest.raises(ParseError, match="cannot read file: Is a directory"):
        read_text(tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('{"a": [1, 2.5, null]}', {"a": [1, 2.5, None]}, id="object"),
        pytest.param('"\\ud83d\\ude00"', "\U0001f600", id="surrogate-pair"),
        pytest.param('{"\\ud800": ["\\uDC00x"]}', {"\ufffd": ["\ufffdx"]}, id="lone-surrogates"),
        pytest.param('"\\u00e9"', "é", id="plain-escape"),
    ],
)
def test_load_json(text: str, expected: object) -> None:
    assert load_json(text, PATH) == expected


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        pytest.param("  \n", "plan.json: file is empty", None, None, id="empty"),
        pytest.param(
            '{\n  "a": }', "plan.json:2:8: invalid JSON: Expecting value", 2, 8, id="syntax"
        ),
        pytest.param(
            "[" * 100_000, "plan.json: invalid JSON: nested too deeply", None, None, id="deep"
        ),
        pytest.param(
            "1" * 5000,
            "plan.json: invalid JSON: Exceeds the limit (4300 digits)",
            None,
            None,
            id="huge-int",
        ),
    ],
)
def test_load_json_errors(text: str, message: str, line: int | None, column: int | None) -> None:
    with pytest.raises(ParseError) as caught:
        load_json(text, PATH)
    assert str(caught.value).startswith(message)
    assert (caught.value.line, caught.value.column) == (line, column)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("ok", "ok", id="clean-string"),
        pytest.param(3, 3, id="number"),
        pytest.param(None, None, id="null"),
        pytest.param(["\udfff", {"k": "\ud800"}], ["\ufffd", {"k": "\ufffd"}], id="nested"),
    ],
)
def test_without_surrogates(value: object, expected: object) -> None:
    assert without_surrogates(value) == expected
