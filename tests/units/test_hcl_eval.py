"""The HCL expression evaluator, one expression per row: operators, conditionals,
splats, ``for`` expressions, indexing, references, templates, unknown propagation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from iacguard.budget import WorkBudget
from iacguard.errors import WorkBudgetExhausted
from iacguard.model import AttributeRef, RawValue, Unknown
from iacguard.parsers._policy_document import PartialJSON
from iacguard.parsers.terraform._hcl_eval import (
    Evaluator,
    Session,
    Step,
    apply_steps,
    binary,
    iterate,
    parse_expression,
)
from iacguard.parsers.terraform._hcl_functions import EvalError, UnknownItems

ARN_REF = AttributeRef("aws_iam_role.r", "arn")
ARN = Unknown("aws_iam_role.r.arn", (ARN_REF,))
NAME_REF = AttributeRef("aws_s3_bucket.b", "id")
NAME = Unknown("aws_s3_bucket.b.id", (NAME_REF,))

ROOTS: Mapping[str, RawValue] = {
    "var": {
        "s": "prod",
        "n": 3,
        "f": 1.5,
        "yes": True,
        "no": False,
        "nothing": None,
        "list": ("a", "b", "c"),
        "map": {"b": 2, "a": 1},
        "objs": ({"name": "x", "tags": {"k": "1"}}, {"name": "y", "tags": {"k": "2"}}),
        "one": {"name": "solo"},
        "nums": ("1", "2.5"),
        "arn": ARN,
        "name": NAME,
        "gaps": ("a", UnknownItems("var.more", (NAME_REF,)), "z"),
        "partial": PartialJSON("doc", (ARN_REF,), data={"a": ARN}),
    },
    "local": {"x": "local-x"},
}


class DictResolver:
    """Resolves ``var.*`` and ``local.*`` from :data:`ROOTS`, consuming one step."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Step, ...]]] = []

    def resolve(self, root: str, steps: Sequence[Step], ev: Evaluator) -> tuple[RawValue, int]:
        self.calls.append((root, tuple(steps)))
        if root == "whole":  # a root that is a value of its own, consuming nothing
            return {"k": "v"}, 0
        if root not in ROOTS or not steps:
            raise EvalError(f"{root} is not defined")
        kind, key = steps[0]
        mapping = ROOTS[root]
        assert isinstance(mapping, Mapping)
        if kind != "attr" or key not in mapping:
            raise EvalError(f"no {root}.{key}")
        return mapping[str(key)], 1


def _evaluator(tmp_path: Path | None = None) -> Evaluator:
    base = tmp_path or Path("/nonexistent-iacguard-root")
    return Evaluator(DictResolver(), base, base)


def evaluate(text: str, tmp_path: Path | None = None) -> RawValue:
    """*text* evaluated; failures are ``Unknown(text)``."""
    return _evaluator(tmp_path).value(parse_expression(text), text)


# ---------------------------------------------------------------------- literals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("true", True, id="true"),
        pytest.param("false", False, id="false"),
        pytest.param("null", None, id="null"),
        pytest.param("42", 42, id="int"),
        pytest.param("2.0", 2, id="whole-float-is-int"),
        pytest.param("1e3", 1000, id="exponent-is-whole"),
        pytest.param("2.5", 2.5, id="float"),
        pytest.param('"plain"', "plain", id="string"),
        pytest.param(r'"a\nb\"c\u0041"', 'a\nb"cA', id="escapes"),
        pytest.param('"$${literal}"', "${literal}", id="escaped-interpolation"),
        pytest.param('"x-${var.s}-${var.n}"', "x-prod-3", id="interpolation"),
        pytest.param('"${var.yes}"', "true", id="interpolated-bool"),
        pytest.param('[1, "a", true]', (1, "a", True), id="tuple"),
        pytest.param("[]", (), id="empty-tuple"),
        pytest.param('{ a = 1, "b" = 2 }', {"a": 1, "b": 2}, id="object"),
        pytest.param("{ (var.s) = 1 }", {"prod": 1}, id="object-computed-key"),
        pytest.param('{ "${var.s}-k" = 1 }', {"prod-k": 1}, id="object-template-key"),
        pytest.param("{ if = 1 }", {"if": 1}, id="object-keyword-key"),
        pytest.param("{ 3 = 1 }", {"3": 1}, id="object-number-key"),
        pytest.param("{\n  a = 1 # one\n  b = 2\n}", {"a": 1, "b": 2}, id="object-multi-line"),
        pytest.param("(\n  1\n)", 1, id="parentheses-multi-line"),
        pytest.param("(1)", 1, id="parentheses"),
    ],
)
def test_literals(text: str, expected: RawValue) -> None:
    assert evaluate(text) == expected


# ---------------------------------------------------------------------- operators


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("1 + 2", 3, id="add"),
        pytest.param("5 - 7", -2, id="subtract"),
        pytest.param("3 * 4", 12, id="multiply"),
        pytest.param("7 / 2", 3.5, id="divide"),
        pytest.param("8 / 2", 4, id="divide-whole-is-int"),
        pytest.param("7 % 3", 1, id="modulo"),
        pytest.param("1.5 + 1.5", 3, id="float-sum-whole"),
        pytest.param('"2" + 1', 3, id="string-number-coerced"),
        pytest.param('"2.5" * 2', 5, id="string-float-coerced"),
        pytest.param("1 < 2", True, id="less"),
        pytest.param("2 > 2", False, id="greater"),
        pytest.param("2 <= 2", True, id="less-equal"),
        pytest.param("1 >= 2", False, id="greater-equal"),
        pytest.param('"a" == "a"', True, id="equal"),
        pytest.param('1 != "1"', True, id="not-equal-types"),
        pytest.param("true && false", False, id="and"),
        pytest.param("false || true", True, id="or"),
        pytest.param("!true", False, id="not"),
        pytest.param("-var.n", -3, id="negate"),
        pytest.param("1 + 2 * 3", 7, id="precedence"),
        pytest.param("1 +\n 2", 3, id="operator-after-line-break"),
        pytest.param("false && var.undefined", False, id="and-short-circuit"),
        pytest.param("true || var.undefined", True, id="or-short-circuit"),
    ],
)
def test_operators(text: str, expected: RawValue) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("1 / 0", id="division-by-zero"),
        pytest.param("true + 1", id="bool-is-not-a-number"),
        pytest.param("[1] + 1", id="list-is-not-a-number"),
        pytest.param('"x" + 1', id="string-not-numeric"),
        pytest.param("1 && true", id="and-on-number"),
        pytest.param('!"x"', id="not-on-string"),
        pytest.param('-"x"', id="negate-string"),
        pytest.param("var.undefined", id="unresolved-reference"),
        pytest.param("nope.x", id="unknown-root"),
        pytest.param("1 ? 2 : 3", id="condition-not-bool"),
        pytest.param("var.map.missing", id="missing-key"),
        pytest.param("var.list[7]", id="index-out-of-range"),
        pytest.param("var.s.attr", id="attribute-of-string"),
        pytest.param("[for x in 1 : x]", id="for-over-number"),
        pytest.param("[for x in var.list : x if 1]", id="for-condition-not-bool"),
        pytest.param("try(var.undefined, nope.x)", id="try-all-fail"),
        pytest.param('lookup(var.map, "zz")', id="function-error-known-args"),
        pytest.param("[for x in var.arn : x]", id="for-over-unknown"),
    ],
)
def test_failures_are_unknown_named_by_the_expression(text: str) -> None:
    assert evaluate(text) == Unknown(text)


def test_eval_raises_what_value_turns_into_unknown() -> None:
    with pytest.raises(EvalError, match="condition is not a bool"):
        _evaluator().eval(parse_expression("1 ? 2 : 3"))


def test_deep_recursion_is_unknown() -> None:
    text = "[" * 300 + "]" * 300
    assert evaluate(text) == Unknown(text)


# ---------------------------------------------------------------------- unknown propagation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("var.arn", ARN, id="reference"),
        pytest.param("var.arn + 1", ARN, id="unknown-left"),
        pytest.param("1 + var.arn", ARN, id="unknown-right"),
        pytest.param(
            "var.arn == var.name",
            Unknown("aws_iam_role.r.arn", (ARN_REF, NAME_REF)),
            id="both-unknown-keep-both-refs",
        ),
        pytest.param("!var.arn", ARN, id="not-unknown"),
        pytest.param("-var.partial", Unknown("doc", (ARN_REF,)), id="negate-partial-is-plain"),
        pytest.param("var.arn ? 1 : 2", ARN, id="unknown-condition"),
        pytest.param("var.arn.id", ARN, id="attribute-of-unknown"),
        pytest.param("var.map[var.arn]", ARN, id="unknown-index"),
        pytest.param(
            '"${var.arn}/*"', Unknown("${var.arn}/*", (ARN_REF,)), id="template-named-as-written"
        ),
        pytest.param(
            '"${var.arn}:${var.name}"',
            Unknown("${var.arn}:${var.name}", (ARN_REF, NAME_REF)),
            id="template-two-unknowns",
        ),
        pytest.param("{ (var.arn) = 1 }", ARN, id="unknown-object-key"),
        pytest.param("{ for k, v in var.map : var.arn => v }", ARN, id="for-object-unknown-key"),
        pytest.param("var.gaps[2]", Unknown("[2]", (NAME_REF,)), id="index-after-unknown-items"),
        pytest.param("var.gaps[0]", "a", id="index-before-unknown-items"),
        pytest.param(
            "undefined_fn(var.arn)",
            Unknown("undefined_fn(...)", (ARN_REF,)),
            id="unsupported-function",
        ),
        pytest.param("upper(var.arn)", ARN, id="function-of-unknown"),
        pytest.param(
            'lookup(var.arn, "k")', Unknown("lookup(...)", (ARN_REF,)), id="function-error-unknown"
        ),
        pytest.param("concat(var.arn...)", ARN, id="expanded-unknown"),
    ],
)
def test_unknown_propagation(text: str, expected: RawValue) -> None:
    result = evaluate(text)
    assert result == expected
    assert type(result) is type(expected)


# ---------------------------------------------------------------------- conditionals and calls


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('var.yes ? "a" : var.undefined', "a", id="true-branch-only"),
        pytest.param('var.no ? var.undefined : "b"', "b", id="false-branch-only"),
        pytest.param("var.n > 2 ? var.list[0] : null", "a", id="computed-condition"),
        pytest.param('upper("a")', "A", id="call"),
        pytest.param("max_nonexistent()", Unknown("max_nonexistent(...)"), id="unknown-function"),
        pytest.param(
            'provider::aws::arn_parse("x")',
            Unknown("provider::aws::arn_parse(...)"),
            id="provider-function",
        ),
        pytest.param('concat(["a"], [["b"]]...)', ("a", "b"), id="expand-list"),
        pytest.param('upper(["x"]...)', "X", id="expand-one"),
        pytest.param('upper("x"...)', "X", id="expand-scalar"),
        pytest.param("try(var.undefined, var.s)", "prod", id="try-first-good"),
        pytest.param("try(var.arn, 1)", ARN, id="try-unknown-is-a-value"),
        pytest.param("can(var.s)", True, id="can-true"),
        pytest.param("can(var.undefined)", False, id="can-false"),
        pytest.param("can(var.arn)", ARN, id="can-unknown"),
    ],
)
def test_conditionals_and_calls(text: str, expected: RawValue) -> None:
    assert evaluate(text) == expected


# ---------------------------------------------------------------------- traversals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("var.list[1]", "b", id="index"),
        pytest.param("var.list.0", "a", id="legacy-index"),
        pytest.param("var.list[1.0]", "b", id="float-index"),
        pytest.param('var.map["a"]', 1, id="map-string-key"),
        pytest.param('var.map[var.s == "prod" ? "b" : "a"]', 2, id="computed-key"),
        pytest.param("var.objs[*].name", ("x", "y"), id="attr-splat"),
        pytest.param("var.objs.*.name", ("x", "y"), id="legacy-attr-splat"),
        pytest.param('var.objs[*].tags["k"]', ("1", "2"), id="full-splat-index"),
        pytest.param("var.one[*].name", ("solo",), id="splat-of-one-value"),
        pytest.param("var.nothing[*]", (), id="splat-of-null"),
        pytest.param("var.list[*]", ("a", "b", "c"), id="bare-splat"),
        pytest.param("[[1, 2], [3]][*][0]", (1, 3), id="full-splat-then-index"),
        pytest.param("var.objs[*].tags[*]", (({"k": "1"},), ({"k": "2"},)), id="splat-of-splat"),
        pytest.param("[var.one][0].name", "solo", id="index-of-expression"),
        pytest.param('{ a = "z" }.a', "z", id="attr-of-object"),
        pytest.param("local.x", "local-x", id="local"),
        pytest.param("whole.k", "v", id="resolver-consumes-nothing"),
    ],
)
def test_traversals(text: str, expected: RawValue) -> None:
    assert evaluate(text) == expected


def test_resolver_gets_root_and_all_steps() -> None:
    ev = _evaluator()
    assert ev.eval(parse_expression('var.objs[0].tags["k"]')) == "1"
    assert isinstance(ev.resolver, DictResolver)
    assert ev.resolver.calls == [
        ("var", (("attr", "objs"), ("index", 0), ("attr", "tags"), ("index", "k")))
    ]


def test_references_nested_too_deeply_fail() -> None:
    ev = Evaluator(DictResolver(), Path("/"), Path("/"), depth=65)
    assert ev.value(parse_expression("var.s"), "var.s") == Unknown("var.s")


def test_bindings_shadow_the_resolver() -> None:
    ev = _evaluator().child({"each": {"key": "k1", "value": "v1"}})
    assert ev.eval(parse_expression('"${each.key}=${each.value}"')) == "k1=v1"
    assert ev.child({"count": {"index": 2}}).eval(parse_expression("count.index + 1")) == 3


# ---------------------------------------------------------------------- for expressions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("[for x in var.list : upper(x)]", ("A", "B", "C"), id="list"),
        pytest.param("[for i, x in var.list : i]", (0, 1, 2), id="list-index"),
        pytest.param('[for x in var.list : x if x != "b"]', ("a", "c"), id="list-filter"),
        pytest.param("[for k, v in var.map : k]", ("a", "b"), id="map-sorted-keys"),
        pytest.param("[for v in var.map : v]", (1, 2), id="map-values"),
        pytest.param(
            "{ for x in var.list : x => upper(x) }", {"a": "A", "b": "B", "c": "C"}, id="object"
        ),
        pytest.param('{ for x in var.list : x => 1 if x == "c" }', {"c": 1}, id="object-filter"),
        pytest.param(
            '{ for o in var.objs : "k" => o.name... }', {"k": ("x", "y")}, id="object-grouped"
        ),
        pytest.param('{ for o in var.objs : "k" => o.name }', {"k": "y"}, id="object-last-wins"),
        pytest.param("[for x in [] : x]", (), id="empty"),
        pytest.param(
            "[for x in var.list : [for y in var.list : y if y == x]]",
            (("a",), ("b",), ("c",)),
            id="nested",
        ),
    ],
)
def test_for_expressions(text: str, expected: RawValue) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "[for x in var.list : x if var.arn == x]",
            (
                UnknownItems("aws_iam_role.r.arn", (ARN_REF,)),
                UnknownItems("aws_iam_role.r.arn", (ARN_REF,)),
                UnknownItems("aws_iam_role.r.arn", (ARN_REF,)),
            ),
            id="unknown-condition",
        ),
        pytest.param(
            "[for x in var.gaps : x]",
            ("a", UnknownItems("var.more", (NAME_REF,)), "z"),
            id="unknown-items-kept",
        ),
        pytest.param(
            "[for x in var.gaps : var.arn]",
            (ARN, UnknownItems("var.more", (NAME_REF, ARN_REF)), ARN),
            id="unknown-items-take-body-refs",
        ),
    ],
)
def test_for_expressions_with_unknowns(text: str, expected: tuple[RawValue, ...]) -> None:
    result = evaluate(text)
    assert result == expected
    assert isinstance(result, tuple)
    assert [type(r) for r in result] == [type(e) for e in expected]


def _budgeted(limit: int) -> Evaluator:
    return Evaluator(DictResolver(), Path("/"), Path("/"), session=Session(WorkBudget(limit)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "[for x in range(3) : [for y in range(3) : y]]",
            ((0, 1, 2), (0, 1, 2), (0, 1, 2)),
            id="nested-for",
        ),
        pytest.param('"%{for x in var.list}${x}%{endfor}"', "abc", id="for-directive"),
        pytest.param('split(",", "a,b,c")', ("a", "b", "c"), id="split"),
        pytest.param('replace("aaaa", "a", "bb")', "bbbbbbbb", id="replace"),
        pytest.param(
            'join(",", [for x in range(20) : "item-${x}"])',
            ",".join(f"item-{x}" for x in range(20)),
            id="function-arguments",
        ),
    ],
)
def test_work_is_budgeted(text: str, expected: RawValue) -> None:
    """The work of an expression is counted in steps: with one step fewer than it takes,
    the budget runs out, and that is an error, never an Unknown value."""
    measured = _budgeted(10**6)
    assert measured.value(parse_expression(text), text) == expected
    steps = measured.budget.spent
    assert _budgeted(steps).value(parse_expression(text), text) == expected
    with pytest.raises(WorkBudgetExhausted) as caught:
        _budgeted(steps - 1).value(parse_expression(text), text)
    assert caught.value.limit == steps - 1
    assert str(caught.value).startswith(f"work budget of {steps - 1:,} steps exhausted by HCL ")


def test_children_share_the_session() -> None:
    ev = _budgeted(10**6)
    child = ev.child({"x": 1})
    assert child.session is ev.session
    assert child.budget is ev.budget
    assert ev.session.expression("var.s") is ev.session.expression("var.s")  # parsed once


# ---------------------------------------------------------------------- templates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('"%{if var.yes}on%{else}off%{endif}"', "on", id="if-true"),
        pytest.param('"%{if var.no}on%{else}off%{endif}"', "off", id="if-false"),
        pytest.param('"%{if var.no}on%{endif}"', "", id="if-no-else"),
        pytest.param('"%{for x in var.list}${x},%{endfor}"', "a,b,c,", id="for"),
        pytest.param('"%{for k, v in var.map}${k}=${v};%{endfor}"', "a=1;b=2;", id="for-key-value"),
        pytest.param('"a\\n%{if true}b%{endif}"', "a\nb", id="escape-in-template"),
        pytest.param('"%{if 1}x%{endif}"', Unknown('"%{if 1}x%{endif}"'), id="if-not-bool"),
        pytest.param(
            '"%{if var.arn}x%{endif}"',
            Unknown("%{if var.arn}x%{endif}", (ARN_REF,)),
            id="if-unknown",
        ),
        pytest.param(
            '"%{for x in var.arn}x%{endfor}"',
            Unknown("%{for x in var.arn}x%{endfor}", (ARN_REF,)),
            id="for-unknown",
        ),
        pytest.param(
            '"%{for x in var.gaps}${x}%{endfor}"',
            Unknown("%{for x in var.gaps}${x}%{endfor}", (NAME_REF,)),
            id="for-unknown-items",
        ),
    ],
)
def test_template_directives(text: str, expected: RawValue) -> None:
    assert evaluate(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("<<EOT\nhello ${var.s}\nEOT\n", "hello prod\n", id="heredoc"),
        pytest.param("<<-EOT\n    a\n      b\n    EOT\n", "a\n  b\n", id="heredoc-trim"),
    ],
)
def test_heredocs(text: str, expected: RawValue) -> None:
    assert evaluate(text) == expected


def test_json_template_with_unknowns_is_partial_json() -> None:
    result = _evaluator().template('{"Resource": "${var.arn}", "Action": "s3:*"}')
    assert isinstance(result, PartialJSON)
    assert result.refs == (ARN_REF,)
    assert result.expr == "aws_iam_role.r.arn"
    assert result.data == {"Resource": ARN, "Action": "s3:*"}


def test_unknown_text_template_is_plain_unknown() -> None:
    result = _evaluator().template("arn=${var.arn}")
    assert result == Unknown("aws_iam_role.r.arn", (ARN_REF,))
    assert type(result) is Unknown


# ---------------------------------------------------------------------- file() and templatefile()


def test_file_and_templatefile(tmp_path: Path) -> None:
    (tmp_path / "policy.json").write_text('{"a": "b"}')
    (tmp_path / "t.tpl").write_text("name=${name} %{for x in items}${x}%{endfor}")
    (tmp_path / "bad.tpl").write_text("x=${var.s}")
    assert evaluate('file("policy.json")', tmp_path) == '{"a": "b"}'
    assert (
        evaluate('templatefile("t.tpl", { name = var.s, items = ["1", "2"] })', tmp_path)
        == "name=prod 12"
    )
    assert evaluate('templatefile("bad.tpl", {})', tmp_path) == Unknown(
        'templatefile("bad.tpl", {})'
    )
    (tmp_path / "nested.tpl").write_text('${templatefile("t.tpl", {})}')
    # a template may not call templatefile(), as in Terraform: chains end
    assert evaluate('templatefile("nested.tpl", {})', tmp_path) == Unknown("templatefile(t.tpl)")
    assert evaluate('templatefile("t.tpl", "notamap")', tmp_path) == Unknown(
        'templatefile("t.tpl", "notamap")'
    )
    # unknown variables inside the map are rendered: the text is unknown where they are
    assert evaluate('templatefile("t.tpl", { name = var.arn, items = [] })', tmp_path) == ARN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('file("missing.json")', Unknown("file(missing.json)"), id="missing"),
        pytest.param('file("../outside")', Unknown("file(../outside)"), id="outside-root"),
        pytest.param("file(var.arn)", Unknown("file(...)", (ARN_REF,)), id="unknown-path"),
        pytest.param("file(1)", Unknown("file(...)"), id="not-a-string"),
        pytest.param("file()", Unknown("file(...)"), id="no-argument"),
        pytest.param(
            'templatefile("t.tpl", var.arn)',
            Unknown("templatefile(...)", (ARN_REF,)),
            id="unknown-variables",
        ),
    ],
)
def test_file_unreadable(tmp_path: Path, text: str, expected: RawValue) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside").write_text("secret")
    assert evaluate(text, root) == expected


# ---------------------------------------------------------------------- module functions


@pytest.mark.parametrize(
    ("collection", "expected"),
    [
        pytest.param(("a", "b"), [(0, "a"), (1, "b")], id="tuple"),
        pytest.param(["a"], [(0, "a")], id="list"),
        pytest.param({"b": 2, "a": 1}, [("a", 1), ("b", 2)], id="map-sorted"),
    ],
)
def test_iterate(collection: RawValue, expected: list[tuple[RawValue, RawValue]]) -> None:
    assert list(iterate(collection)) == expected


def test_iterate_rejects_scalars() -> None:
    with pytest.raises(EvalError, match="not a collection"):
        list(iterate("abc"))


@pytest.mark.parametrize(
    ("value", "steps", "expected"),
    [
        pytest.param({"a": {"b": 1}}, [("attr", "a"), ("attr", "b")], 1, id="attrs"),
        pytest.param({"1": "x"}, [("index", 1)], "x", id="number-key-as-string"),
        pytest.param(("x", "y"), [("index", 1)], "y", id="tuple-index"),
        pytest.param(({"a": 1}, {"a": 2}), [("splat", None), ("attr", "a")], (1, 2), id="splat"),
        pytest.param(ARN, [("attr", "a")], ARN, id="unknown-stops"),
        pytest.param({"a": 1}, [], {"a": 1}, id="no-steps"),
    ],
)
def test_apply_steps(value: RawValue, steps: list[Step], expected: RawValue) -> None:
    assert apply_steps(value, steps) == expected


@pytest.mark.parametrize(
    ("value", "steps", "message"),
    [
        pytest.param({"a": 1}, [("attr", "b")], "no key 'b'", id="missing-key"),
        pytest.param(("x",), [("attr", "a")], "cannot apply attr 'a'", id="attr-of-tuple"),
        pytest.param("s", [("index", 0)], "cannot apply index 0", id="index-of-string"),
    ],
)
def test_apply_steps_errors(value: RawValue, steps: list[Step], message: str) -> None:
    with pytest.raises(EvalError, match=message):
        apply_steps(value, steps)


@pytest.mark.parametrize(
    ("operator", "left", "right", "expected"),
    [
        pytest.param("==", (1,), (1,), True, id="equal-tuples"),
        pytest.param("&&", True, True, True, id="and"),
        pytest.param("||", False, False, False, id="or"),
        pytest.param("+", "1.5", "1.5", 3, id="numeric-strings"),
        pytest.param("-", 0.5, 0.25, 0.25, id="floats"),
    ],
)
def test_binary(operator: str, left: RawValue, right: RawValue, expected: RawValue) -> None:
    assert binary(operator, left, right) == expected


@pytest.mark.parametrize(
    ("operator", "left", "right", "message"),
    [
        pytest.param("&&", True, 1, "logical operator on non-bool", id="and-non-bool"),
        pytest.param("^", 1, 2, "unknown operator", id="unknown-operator"),
        pytest.param("+", None, 2, "not a number", id="null"),
        pytest.param("+", False, 2, "bool is not a number", id="bool"),
    ],
)
def test_binary_errors(operator: str, left: RawValue, right: RawValue, message: str) -> None:
    with pytest.raises(EvalError, match=message):
        binary(operator, left, right)


def test_parse_expression_rejects_garbage() -> None:
    with pytest.raises(EvalError, match="invalid interpolation"):
        parse_expression("1 +")


def test_unsupported_node_kind_fails() -> None:
    ev = _evaluator()
    node = parse_expression("[1]")
    node.data = "no_such_kind"  # type: ignore[assignment]
    with pytest.raises(EvalError, match="unsupported expression no_such_kind"):
        ev.eval(node)


def test_a_session_reads_and_parses_once(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("text")
    ev = Evaluator(DictResolver(), tmp_path, tmp_path)
    for _ in range(2):
        assert ev.eval(parse_expression('file("a.txt")')) == "text"
        assert ev.template("x-${var.s}") == "x-prod"
    assert list(ev.session.files) == [tmp_path / "a.txt"]
    assert list(ev.session.templates) == [("x-${var.s}", False)]
