"""HCL template text: heredoc bodies, segments and strip markers, directive trees, and
JSON text with unknown interpolations read as far as it is known."""

from __future__ import annotations

import pytest

from iacguard.model import AttributeRef, RawValue, Unknown
from iacguard.parsers._policy_document import PartialJSON
from iacguard.parsers.terraform._hcl_functions import EvalError, UnknownItems
from iacguard.parsers.terraform._hcl_template import (
    For,
    If,
    Part,
    heredoc_text,
    partial_json,
    template_parts,
    template_segments,
)

REF = AttributeRef("aws_iam_role.r", "arn")
U = Unknown("aws_iam_role.r.arn", (REF,))
REF2 = AttributeRef("aws_s3_bucket.b", "arn")
U2 = Unknown("aws_s3_bucket.b.arn", (REF2,))


@pytest.mark.parametrize(
    ("token", "trim", "expected"),
    [
        pytest.param("<<EOT\na\n  b\nEOT\n", False, "a\n  b\n", id="plain"),
        pytest.param("<<-EOT\n    a\n      b\n\n    EOT\n", True, "a\n  b\n\n", id="trimmed"),
        pytest.param("<<-EOT\n\tx\n\tEOT\n", True, "x\n", id="tabs"),
        pytest.param("<<EOT\r\nx\r\nEOT\n", False, "x\n", id="crlf"),
        pytest.param("<<-EOT\nEOT\n", True, "", id="empty"),
    ],
)
def test_heredoc_text(token: str, trim: bool, expected: str) -> None:
    assert heredoc_text(token, trim=trim) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("plain", [("text", "plain")], id="text"),
        pytest.param(
            "a${x}b",
            [("text", "a"), ("interpolation", "x"), ("text", "b")],
            id="interpolation",
        ),
        pytest.param(
            "%{if c}y%{endif}",
            [
                ("text", ""),
                ("directive", "if c"),
                ("text", "y"),
                ("directive", "endif"),
                ("text", ""),
            ],
            id="directives",
        ),
        pytest.param(
            "$${x} %%{y}", [("text", "${"), ("text", "x} %{"), ("text", "y}")], id="escapes"
        ),
        pytest.param(
            "a \n ${~x~} \n b",
            [("text", "a"), ("interpolation", "~x~"), ("text", "b")],
            id="strip-markers",
        ),
        pytest.param(
            '${ {a = "}"}["a"] }',
            [("text", ""), ("interpolation", ' {a = "}"}["a"] '), ("text", "")],
            id="braces-and-quotes-inside",
        ),
        pytest.param(
            '${"a\\"}"}',
            [("text", ""), ("interpolation", '"a\\"}"'), ("text", "")],
            id="escaped-quote-inside",
        ),
    ],
)
def test_template_segments(text: str, expected: list[tuple[str, str]]) -> None:
    assert list(template_segments(text)) == expected


def test_unterminated_interpolation() -> None:
    with pytest.raises(EvalError, match="unterminated interpolation"):
        list(template_segments("a ${x"))


@pytest.mark.parametrize(
    ("text", "quoted", "expected"),
    [
        pytest.param("a${x}", False, ("a", ("x",)), id="text-and-interpolation"),
        pytest.param(r"a\n", False, (r"a\n",), id="heredoc-not-unescaped"),
        pytest.param(r"a\n", True, ("a\n",), id="quoted-unescaped"),
        pytest.param("%{if c}y%{else}n%{endif}", False, (If("c", ("y",), ("n",)),), id="if-else"),
        pytest.param("%{~ if c ~}y%{ endif }", False, (If("c", ("y",), ()),), id="if-stripped"),
        pytest.param(
            "%{for k, v in m}${k}%{endfor}",
            False,
            (For(("k", "v"), "m", (("k",),)),),
            id="for-key-value",
        ),
        pytest.param(
            "%{for x in xs}%{if x}a%{else}%{for y in x}b%{endfor}%{endif}%{endfor}",
            False,
            (For(("x",), "xs", (If("x", ("a",), (For(("y",), "x", ("b",)),)),)),),
            id="nested",
        ),
    ],
)
def test_template_parts(text: str, quoted: bool, expected: tuple[Part, ...]) -> None:
    assert template_parts(text, quoted=quoted) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("%{while x}", "unsupported template directive", id="unknown-directive"),
        pytest.param("%{endif}", "unexpected %{endif}", id="endif-without-if"),
        pytest.param("%{else}", "unexpected %{else}", id="else-without-if"),
        pytest.param("%{for x in y}%{endif}", "unexpected %{endif}", id="mismatched"),
        pytest.param("%{if x}", "unclosed template directive", id="unclosed"),
        pytest.param("%{for 1 in y}%{endfor}", r"malformed %\{for\}", id="malformed-for"),
    ],
)
def test_template_parts_errors(text: str, message: str) -> None:
    with pytest.raises(EvalError, match=message):
        template_parts(text)


@pytest.mark.parametrize(
    ("parts", "data"),
    [
        pytest.param(['{"a": "', U, '/*"}'], {"a": Unknown("e", (REF,))}, id="unknown-in-string"),
        pytest.param(['{"a": "', U, '"}'], {"a": U}, id="whole-string-unknown"),
        pytest.param(
            ['{"a": [', U, "]}"],
            {"a": (UnknownItems("aws_iam_role.r.arn", (REF,)),)},
            id="outside-string-unknown-items",
        ),
        pytest.param(
            ['{"b": {"c": true, "d": null, "e": 1.5}, "f": "', U, '"}'],
            {"b": {"c": True, "d": None, "e": 1.5}, "f": U},
            id="known-literals",
        ),
        pytest.param(
            ['{"a": {"', U, '": "', U2, '"}}'],
            {"a": Unknown("e", (REF, REF2))},
            id="nested-unknown-key",
        ),
        pytest.param(['{"a": "x\\"', U, '"}'], {"a": Unknown("e", (REF,))}, id="escaped-quote"),
        pytest.param(['{"n": ', 1, ', "s": "', U, '"}'], {"n": 1, "s": U}, id="known-number"),
    ],
)
def test_partial_json(parts: list[RawValue], data: RawValue) -> None:
    result = partial_json(parts, "e")
    assert isinstance(result, PartialJSON)
    assert (result.expr, result.data) == ("e", data)
    assert result.refs == tuple(
        dict.fromkeys(r for p in parts if isinstance(p, Unknown) for r in p.refs)
    )


@pytest.mark.parametrize(
    "parts",
    [
        pytest.param(["[", U, "]"], id="not-an-object"),
        pytest.param(['{"', U, '": 1}'], id="unknown-top-level-key"),
        pytest.param(['{"a": ', U, ", oops}"], id="not-json"),
        pytest.param(['{"a": "', U, '", "b": ', ("x",), "}"], id="collection-part"),
        pytest.param(["{" * 5000, U, "}" * 5000], id="nested-too-deeply"),
    ],
)
def test_partial_json_none(parts: list[RawValue]) -> None:
    assert partial_json(parts, "e") is None
