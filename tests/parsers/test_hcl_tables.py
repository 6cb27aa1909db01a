"""The HCL parser loaded from iacguard's tables is python-hcl2's: the same trees, token
for token and position for position, and python-hcl2's own parser whenever the tables do
not fit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import hcl2
import pytest
from hcl2.postlexer import PostLexer
from lark import Token, Tree
from lark.exceptions import UnexpectedInput

from iacguard.parsers.terraform import _hcl2, _hcl_tables
from tests.conftest import FIXTURES, ROOT

#: every Terraform file of the fixtures and tests
SOURCES = sorted([*FIXTURES.rglob("*.tf"), *(ROOT / "tests").rglob("*.tf")])


@pytest.fixture(autouse=True)
def _fresh_parser() -> Iterator[None]:
    _hcl2._shipped_parser.cache_clear()
    yield
    _hcl2._shipped_parser.cache_clear()


def _grammar() -> bytes:
    return Path(hcl2.__file__).with_name("hcl2.lark").read_bytes()


def _shape(node: Tree[Token] | Token) -> object:
    """Everything a tree says: rule names, token types, text and every position."""
    if isinstance(node, Token):
        return (node.type, str(node), node.line, node.column, node.end_line, node.end_column,
                node.start_pos, node.end_pos)  # fmt: skip
    meta = None if node.meta.empty else (node.meta.line, node.meta.column, node.meta.end_line,
                                          node.meta.end_column)  # fmt: skip
    return (node.data, meta, [_shape(child) for child in node.children])


def _outcome(parse: object, text: str) -> object:
    try:
        return _shape(parse(text))  # type: ignore[operator]
    except UnexpectedInput as err:
        return (type(err).__name__, err.line, err.column)


def test_the_shipped_tables_fit_the_installed_python_hcl2() -> None:
    # fails when python-hcl2 or lark changed: python -m iacguard.parsers.terraform._hcl_tables
    assert _hcl_tables.load(_grammar(), PostLexer()) is not None


def test_every_fixture_parses_to_python_hcl2s_tree() -> None:
    shipped = _hcl_tables.load(_grammar(), PostLexer())
    assert shipped is not None
    assert len(SOURCES) > 100
    for path in SOURCES:
        text = path.read_bytes().decode("utf-8", "replace")  # some are deliberately invalid
        mine = _outcome(lambda t: shipped.parse(t + "\n"), text)
        assert mine == _outcome(hcl2.parses_to_tree, text), path


def test_widths_worked_out_again_on_another_python_give_the_same_trees(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_hcl_tables, "_PYTHON", "3.99")
    shipped = _hcl_tables.load(_grammar(), PostLexer())
    assert shipped is not None
    for path in SOURCES[::5]:
        text = path.read_bytes().decode("utf-8", "replace")
        mine = _outcome(lambda t: shipped.parse(t + "\n"), text)
        assert mine == _outcome(hcl2.parses_to_tree, text), path


def test_parse_errors_are_python_hcl2s() -> None:
    text = 'resource "aws_iam_role" "r" {\n  name = \n}\n'
    with pytest.raises(UnexpectedInput) as mine:
        _hcl2.parse_to_tree(text)
    with pytest.raises(UnexpectedInput) as theirs:
        hcl2.parses_to_tree(text)
    assert (type(mine.value), mine.value.line, mine.value.column) == (
        type(theirs.value),
        theirs.value.line,
        theirs.value.column,
    )


def test_another_grammar_gets_no_shipped_parser() -> None:
    assert _hcl_tables.load(_grammar() + b"\n// changed\n", PostLexer()) is None


@pytest.mark.parametrize(
    "content", [b"", b"not zlib", b"x\x9c\x03\x00\x00\x00\x00\x01"], ids=["empty", "junk", "bad"]
)
def test_unreadable_tables_get_no_shipped_parser(
    content: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "tables.bin"
    broken.write_bytes(content)
    monkeypatch.setattr(_hcl_tables, "TABLES", broken)
    assert _hcl_tables.load(_grammar(), PostLexer()) is None


def test_without_the_shipped_parser_python_hcl2s_own_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_hcl_tables, "TABLES", Path("/nonexistent/tables.bin"))
    text = "locals {\n  a = 1\n}\n"
    assert _shape(_hcl2.parse_to_tree(text)) == _shape(hcl2.parses_to_tree(text))
    assert _hcl2._shipped_parser() is None


def test_the_test_pin_of_lark_is_the_lark_the_tables_were_built_with() -> None:
    """pyproject.toml's test extra pins lark, so that CI runs with the shipped tables."""
    import marshal
    import tomllib
    import zlib

    packed = marshal.loads(zlib.decompress(_hcl_tables.TABLES.read_bytes()))
    built_with = packed["key"][1]
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"lark=={built_with}" in extras["optional-dependencies"]["test"]


def test_tables_rebuilt_from_the_installed_grammar_parse_as_python_hcl2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The binary file in the repository can be made again from python-hcl2's grammar
    (lark numbers its states in set order, so the bytes may differ, not the trees)."""
    monkeypatch.setattr(_hcl_tables, "TABLES", tmp_path / "hcl2-parser.bin")
    _hcl_tables.main()
    assert capsys.readouterr().out == f"wrote {tmp_path / 'hcl2-parser.bin'}\n"
    rebuilt = _hcl_tables.load(_grammar(), PostLexer())
    assert rebuilt is not None
    for path in SOURCES[::7]:
        text = path.read_bytes().decode("utf-8", "replace")
        mine = _outcome(lambda t: rebuilt.parse(t + "\n"), text)
        assert mine == _outcome(hcl2.parses_to_tree, text), path
