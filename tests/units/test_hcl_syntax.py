"""HCL files into blocks and attributes: the text rewriting before parsing, blocks,
labels and lines, parse errors, node helpers and string escapes."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from iacguard.errors import ParseError
from iacguard.parsers.terraform._hcl_eval import parse_expression
from iacguard.parsers.terraform._hcl_syntax import (
    line_of,
    name_of,
    normalise,
    parse_text,
    source_text,
    string_literal,
    subtrees,
    unescape,
)

MAIN = PurePosixPath("main.tf")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("a = 1\n", "a = 1\n", id="unchanged"),
        pytest.param("a = /* c */ 1\n", "a =         1\n", id="one-line-comment-blanked"),
        pytest.param("/* a\nb */ x = 1\n", "/* a\nb */ x = 1\n", id="multi-line-comment-kept"),
        pytest.param("x = 1 /* open", "x = 1        ", id="unclosed-comment-to-the-end"),
        pytest.param("a = 1 / 2 < 3 /**/", "a = 1 / 2 < 3     ", id="division-and-less"),
        pytest.param('a = "$x %y" /**/', 'a = "$x %y"     ', id="dollar-percent-in-string"),
        pytest.param('a = "/* s */"\n', 'a = "/* s */"\n', id="comment-in-string-kept"),
        pytest.param("# /* c */\na = 1\n", "# /* c */\na = 1\n", id="hash-comment"),
        pytest.param("// /* c */\na = 1", "// /* c */\na = 1", id="slash-comment"),
        pytest.param("a = 1 // end", "a = 1 // end", id="comment-at-end"),
        pytest.param("a = <<EOT\nx\nEOT  \n", "a = <<EOT\nx\nEOT\n", id="heredoc-marker-blanks"),
        pytest.param(
            "a = <<-EOT\n/* k */\n  EOT\t\n", "a = <<-EOT\n/* k */\n  EOT\n", id="heredoc-body-kept"
        ),
        pytest.param("a = <<EOT\nx\nEOT", "a = <<EOT\nx\nEOT", id="heredoc-at-end"),
        pytest.param("a = <<EOT\nx\n", "a = <<EOT\nx\n", id="heredoc-unclosed"),
        pytest.param("a = <<EOT\nx", "a = <<EOT\nx", id="heredoc-unclosed-no-newline"),
        pytest.param(
            'a = "${ {b = 1}["b"] } /* x */"\n',
            'a = "${ {b = 1}["b"] } /* x */"\n',
            id="braces-inside-interpolation",
        ),
        pytest.param('a = "${x}" /* c */\n', 'a = "${x}"        \n', id="after-interpolation"),
        pytest.param(
            'a = "%{if x}y%{endif}" /* c */', 'a = "%{if x}y%{endif}"        ', id="after-directive"
        ),
        pytest.param('a = "$${x} %%{y} /* c */"', 'a = "$${x} %%{y} /* c */"', id="escaped-opens"),
        pytest.param('a = "\\" /* c */"', 'a = "\\" /* c */"', id="escaped-quote"),
        pytest.param('a = "x\nb = /* c */ 1', 'a = "x\nb =         1', id="string-ends-at-line"),
        pytest.param("} /* c */", "}        ", id="stray-closing-brace"),
        pytest.param("b { /* c */ }", "b {         }", id="block-braces"),
        pytest.param('a = "${"/* s */"}"', 'a = "${"/* s */"}"', id="string-in-interpolation"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_parse_text_blocks_attributes_and_lines() -> None:
    body = parse_text(
        'top = 1\n\nresource "aws_iam_role" "r\\"x" {\n  name = "n"\n'
        "  inline_policy {\n    policy = 2\n  }\n}\nlocals {\n}\n",
        MAIN,
    )
    assert list(body.attributes) == ["top"]
    assert body.attributes["top"].line == 1
    (resource, local_block) = body.blocks
    assert (resource.type, resource.labels, resource.line, resource.file) == (
        "resource",
        ("aws_iam_role", 'r"x'),
        3,
        MAIN,
    )
    assert resource.body.attributes["name"].line == 4
    (inline,) = resource.body.blocks_of("inline_policy")
    assert (inline.labels, inline.line, list(inline.body.attributes)) == ((), 5, ["policy"])
    assert list(body.blocks_of("locals")) == [local_block]
    assert list(body.blocks_of("module")) == []


def test_parse_text_bare_labels() -> None:
    (block,) = parse_text("thing a b {}\n", MAIN).blocks
    assert block.labels == ("a", "b")


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        pytest.param("a = \n", "invalid HCL at main.tf:1:", 1, None, id="missing-value"),
        pytest.param(
            "a = 1\nb = }\n",
            "invalid HCL at main.tf:2:5: unexpected '}'",
            2,
            5,
            id="unexpected-token",
        ),
        pytest.param(
            "a = 1\n@\n",
            "invalid HCL at main.tf:2:1: unexpected '@'",
            2,
            1,
            id="unexpected-token-character",
        ),
        pytest.param(
            'a = "\\',
            "invalid HCL at main.tf:1:6: unexpected character '\\\\'",
            1,
            6,
            id="unexpected-character",
        ),
        pytest.param('resource "x" {\n', "invalid HCL at main.tf:", None, None, id="unclosed"),
    ],
)
def test_parse_errors(text: str, message: str, line: int | None, column: int | None) -> None:
    with pytest.raises(ParseError) as caught:
        parse_text(text, MAIN)
    assert message in str(caught.value)
    if line is not None:
        assert caught.value.line == line
    if column is not None:
        assert caught.value.column == column


def test_parse_error_without_position_names_the_end() -> None:
    with pytest.raises(ParseError, match=r"invalid HCL at main.tf:\d+.*unexpected end of input"):
        parse_text('a = "x', MAIN)


def test_node_helpers() -> None:
    node = parse_expression('upper( "x" ,\n  var.y)')
    (call,) = subtrees(node)
    assert call.data == "function_call"
    assert name_of(call) == "upper"
    assert line_of(call) == 1
    assert line_of(call.children[0].children[0]) == 1  # a token
    assert source_text(node) == 'upper( "x" ,\n  var.y)'
    assert list(subtrees(call.children[0].children[0])) == []  # a token has no subtrees
    assert name_of(parse_expression("[]")) == "["


def test_string_literal_unescapes() -> None:
    (string,) = subtrees(parse_expression(r'"a\tb"'))
    assert string_literal(string) == "a\tb"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("plain", "plain", id="no-escapes"),
        pytest.param(r"a\nb\tc\rd", "a\nb\tc\rd", id="controls"),
        pytest.param(r"\"\\", '"\\', id="quote-backslash"),
        pytest.param(r"\u00e9", "é", id="u4"),
        pytest.param(r"\U0001F600", "\U0001f600", id="u8"),
        pytest.param(r"\u12", r"\u12", id="short-u-kept"),
        pytest.param(r"\uZZZZ", r"\uZZZZ", id="bad-hex-kept"),
        pytest.param(r"\q", r"\q", id="unknown-escape-kept"),
        pytest.param("end\\", "end\\", id="trailing-backslash"),
        pytest.param(r"\ud800", "\ufffd", id="lone-surrogate-replaced"),
        pytest.param(r"\U00110000", r"\U00110000", id="beyond-unicode-kept"),
    ],
)
def test_unescape(text: str, expected: str) -> None:
    assert unescape(text) == expected
