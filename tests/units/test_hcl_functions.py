"""Every Terraform function the HCL evaluator computes, with known, unknown and bad
arguments; value helpers; type constraints and the conversion of values to them."""

from __future__ import annotations

import pytest

from iacguard.model import AttributeRef, RawValue, Unknown
from iacguard.parsers._policy_document import PartialJSON
from iacguard.parsers.terraform._hcl_eval import parse_expression
from iacguard.parsers.terraform._hcl_functions import (
    ANY,
    FUNCTIONS,
    MAX_RANGE,
    EvalError,
    TypeSpec,
    UnknownItems,
    computed,
    contains_unknown,
    convert,
    first_unknown,
    plain,
    to_data,
    to_string,
    type_spec,
    value_size,
)

REF = AttributeRef("aws_iam_role.r", "arn")
U = Unknown("aws_iam_role.r.arn", (REF,))
REF2 = AttributeRef("aws_s3_bucket.b", "arn")
U2 = Unknown("aws_s3_bucket.b.arn", (REF2,))
ITEMS = UnknownItems("aws_iam_role.r.arn", (REF,))
PARTIAL = PartialJSON("doc", (REF,), data={"Resource": U})


def call(name: str, *args: RawValue) -> RawValue:
    return FUNCTIONS[name](list(args))


# ---------------------------------------------------------------------- known arguments


KNOWN = [
    ("jsonencode", [{"b": [1, True], "a": None}], '{"a":null,"b":[1,true]}'),
    ("jsonencode", ["x"], '"x"'),
    ("jsondecode", ['{"a": [1, {"b": null}]}'], {"a": (1, {"b": None})}),
    ("jsondecode", ["3"], 3),
    ("base64encode", ["hi"], "aGk="),
    ("base64decode", ["aGk="], "hi"),
    ("format", ["%s-%d/%v %f", "a", 1, True, 1.5], "a-1/true 1.5"),
    ("format", ["100%% %q", "x"], '100% "x"'),
    ("format", ["trailing%"], "trailing%"),
    ("join", [",", ("a", 1, True)], "a,1,true"),
    ("join", ["-", ()], ""),
    ("split", [",", "a,b,,c"], ("a", "b", "", "c")),
    ("concat", [("a",), (), ("b", "c")], ("a", "b", "c")),
    ("concat", [], ()),
    ("merge", [{"a": 1, "b": 1}, None, {"b": 2}], {"a": 1, "b": 2}),
    ("merge", [], {}),
    ("lookup", [{"a": 1}, "a"], 1),
    ("lookup", [{"a": 1}, "b", "dflt"], "dflt"),
    ("lookup", [{"1": "x"}, 1], "x"),
    ("tolist", [("b", "a")], ("b", "a")),
    ("toset", [("b", "a", "b")], ("a", "b")),
    ("toset", [(2, 1, 2)], (2, 1)),
    ("setunion", [("b",), ("a", "b")], ("a", "b")),
    ("tomap", [{"a": 1}], {"a": 1}),
    ("tostring", [12], "12"),
    ("tostring", [False], "false"),
    ("flatten", [("a", ("b", ("c",)), ())], ("a", "b", "c")),
    ("lower", ["AbC"], "abc"),
    ("upper", ["AbC"], "ABC"),
    ("trimspace", ["  x \n"], "x"),
    ("chomp", ["x\r\n\n"], "x"),
    ("chomp", ["x \n"], "x "),
    ("trimprefix", ["arn:aws:x", "arn:"], "aws:x"),
    ("trimprefix", ["x", "y"], "x"),
    ("trimsuffix", ["file.json", ".json"], "file"),
    ("replace", ["a-b-c", "-", "_"], "a_b_c"),
    ("replace", ["a/b", "/", ":"], "a:b"),
    ("length", [("a", "b")], 2),
    ("length", [{"a": 1}], 1),
    ("length", ["abc"], 3),
    ("length", [5], 0),
    ("coalesce", [None, "", "a", "b"], "a"),
    ("coalesce", [0, 1], 0),
    ("coalescelist", [(), ("a",), ("b",)], ("a",)),
    ("coalescelist", [(), ()], ()),
    ("compact", [("a", "", None, "b")], ("a", "b")),
    ("distinct", [("a", "b", "a", {"k": 1}, {"k": 1})], ("a", "b", {"k": 1})),
    ("element", [("a", "b", "c"), 4], "b"),
    ("element", [("a", "b"), -1], "b"),
    ("keys", [{"b": 1, "a": 2}], ("a", "b")),
    ("values", [{"b": 1, "a": 2}], (2, 1)),
    ("contains", [("a", "b"), "b"], True),
    ("contains", [("a",), "z"], False),
    ("zipmap", [("a", 1), ("x", "y")], {"a": "x", "1": "y"}),
    ("range", [3], (0, 1, 2)),
    ("range", [1, 7, 3], (1, 4)),
    ("range", [3, 0, -1], (3, 2, 1)),
    ("sort", [("b", "a", "c")], ("a", "b", "c")),
    ("reverse", [(1, 2, 3)], (3, 2, 1)),
    ("startswith", ["arn:aws", "arn:"], True),
    ("startswith", ["arn:aws", "aws"], False),
    ("endswith", ["file.json", ".json"], True),
    ("tonumber", [5], 5),
    ("tonumber", ["2.5"], 2.5),
    ("tobool", [True], True),
    ("tobool", ["true"], True),
    ("tobool", ["false"], False),
]


def _ids(rows: list[tuple[str, list[RawValue], object]]) -> list[str]:
    seen: dict[str, int] = {}
    ids = []
    for name, _, _ in rows:
        seen[name] = seen.get(name, 0) + 1
        ids.append(f"{name}-{seen[name]}")
    return ids


@pytest.mark.parametrize(("name", "args", "expected"), KNOWN, ids=_ids(KNOWN))
def test_known_arguments(name: str, args: list[RawValue], expected: RawValue) -> None:
    result = call(name, *args)
    assert result == expected
    assert type(result) is type(expected)


def test_every_function_has_a_known_row() -> None:
    assert {name for name, _, _ in KNOWN} == set(FUNCTIONS)


# ---------------------------------------------------------------------- unknown arguments


#: functions whose result is Unknown as soon as one argument holds an Unknown (_known)
STRICT = [
    "base64encode",
    "base64decode",
    "format",
    "join",
    "split",
    "tostring",
    "lower",
    "upper",
    "trimspace",
    "chomp",
    "trimprefix",
    "trimsuffix",
    "replace",
    "length",
    "element",
    "keys",
    "contains",
    "zipmap",
    "range",
    "sort",
    "startswith",
    "endswith",
    "tonumber",
    "tobool",
]


@pytest.mark.parametrize("name", STRICT)
def test_strict_functions_of_unknowns_are_unknown_with_all_refs(name: str) -> None:
    result = call(name, "x", U, (U2,))
    assert result == Unknown("aws_iam_role.r.arn", (REF, REF2))
    assert type(result) is Unknown


def test_strict_function_named_after_itself_when_unknown_is_nested() -> None:
    assert call("join", ",", ("a", U)) == Unknown("<lambda>", (REF,))
    assert call("format", "%s", {"a": U}) == Unknown("_format", (REF,))


UNKNOWN = [
    ("jsonencode", [{"Resource": U, "Action": "s3:*"}], PartialJSON("aws_iam_role.r.arn", (REF,))),
    ("jsonencode", [(U,)], U),
    ("jsonencode", [U], U),
    ("jsondecode", [PARTIAL], {"Resource": U}),
    ("jsondecode", [PARTIAL.__class__("d", (REF,), data={"k": "v"})], {"k": "v"}),
    ("jsondecode", [U], U),
    ("concat", [("a",), U, ("b",)], ("a", ITEMS, "b")),
    ("concat", [("a",), ITEMS], ("a", ITEMS)),
    ("tolist", [U], U),
    ("tolist", [PARTIAL], Unknown("doc", (REF,))),
    ("toset", [U], U),
    ("toset", [("b", U, "a", U)], ("a", "b", ITEMS)),
    ("toset", [("b", PARTIAL)], ("b", PARTIAL)),
    ("setunion", [("b",), U], ("b", ITEMS)),
    ("flatten", [U], U),
    ("flatten", [("a", U, ("b", ITEMS))], ("a", ITEMS, "b", ITEMS)),
    ("compact", [U], U),
    ("compact", [("a", U, "")], ("a", ITEMS)),
    ("distinct", [U], U),
    ("distinct", [("a", U, U)], ("a", ITEMS)),
    ("coalescelist", [(), U, ("b",)], Unknown("coalescelist(...)", (REF,))),
    ("coalescelist", [("a",), U], ("a",)),
    ("merge", [{"a": U}, {"b": 1}], {"a": U, "b": 1}),
    ("lookup", [{"a": U}, "a"], U),
    ("coalesce", [None, U, "b"], U),
    ("tomap", [{"a": U}], {"a": U}),
    ("values", [{"a": U}], (U,)),
    ("reverse", [(U, "a")], ("a", U)),
]


@pytest.mark.parametrize(("name", "args", "expected"), UNKNOWN, ids=_ids(UNKNOWN))
def test_unknown_arguments(name: str, args: list[RawValue], expected: RawValue) -> None:
    result = call(name, *args)
    assert result == expected
    assert type(result) is type(expected)
    if isinstance(result, tuple) and isinstance(expected, tuple):
        assert [type(r) for r in result] == [type(e) for e in expected]


def test_every_function_has_an_unknown_row() -> None:
    assert set(STRICT) | {name for name, _, _ in UNKNOWN} == set(FUNCTIONS)


def test_jsonencode_of_unknown_object_keeps_the_data() -> None:
    result = call("jsonencode", {"Resource": U2, "Action": U})
    assert isinstance(result, PartialJSON)
    assert (result.expr, result.refs) == ("aws_s3_bucket.b.arn", (REF2, REF))
    assert result.data == {"Resource": U2, "Action": U}


# ---------------------------------------------------------------------- bad arguments


BAD = [
    ("jsonencode", [{"a": float("nan")}], ValueError),
    ("jsondecode", ["{not json"], EvalError),
    ("jsondecode", [None], EvalError),
    ("base64encode", [None], EvalError),
    ("base64decode", ["!!"], EvalError),
    ("base64decode", ["//8="], EvalError),
    ("format", ["%x", 1], EvalError),
    ("format", ["%s"], IndexError),
    ("format", ["%s", ("a",)], EvalError),
    ("join", [",", "notalist"], EvalError),
    ("split", [",", None], EvalError),
    ("concat", ["a"], EvalError),
    ("merge", [("a",)], EvalError),
    ("lookup", [{"a": 1}, "b"], EvalError),
    ("lookup", [("a",), "a"], EvalError),
    ("tolist", ["a"], EvalError),
    ("toset", [{"a": 1}], EvalError),
    ("setunion", [1], EvalError),
    ("tomap", [("a",)], EvalError),
    ("tostring", [("a",)], EvalError),
    ("tostring", [None], EvalError),
    ("flatten", ["a"], EvalError),
    ("lower", [{"a": 1}], EvalError),
    ("upper", [None], EvalError),
    ("trimspace", [()], EvalError),
    ("chomp", [()], EvalError),
    ("trimprefix", ["a", None], EvalError),
    ("trimsuffix", [None, "a"], EvalError),
    ("replace", ["a-b", "/-/", "_"], EvalError),
    ("length", [], IndexError),
    ("coalesce", [None, ""], EvalError),
    ("coalescelist", ["a"], EvalError),
    ("compact", ["a"], EvalError),
    ("distinct", [{"a": 1}], EvalError),
    ("element", [(), 0], EvalError),
    ("element", [("a",), "0"], EvalError),
    ("keys", [("a",)], EvalError),
    ("values", ["a"], EvalError),
    ("contains", ["ab", "a"], EvalError),
    ("zipmap", [("a", "b"), ("x",)], ValueError),
    ("range", [MAX_RANGE + 1], EvalError),
    ("range", ["x"], ValueError),
    ("sort", [None], EvalError),
    ("reverse", [None], EvalError),
    ("startswith", [None, "a"], EvalError),
    ("endswith", ["a", ()], EvalError),
    ("tonumber", ["abc"], ValueError),
    ("tonumber", [None], EvalError),
    ("tobool", [()], EvalError),
]


@pytest.mark.parametrize(("name", "args", "error"), BAD, ids=_ids(BAD))
def test_bad_arguments_raise(name: str, args: list[RawValue], error: type[Exception]) -> None:
    with pytest.raises(error):
        call(name, *args)


def test_every_function_has_a_bad_row() -> None:
    assert {name for name, _, _ in BAD} == set(FUNCTIONS)


def test_range_limit_is_inclusive() -> None:
    assert call("range", MAX_RANGE) == tuple(range(MAX_RANGE))


# ---------------------------------------------------------------------- value helpers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(True, "true", id="true"),
        pytest.param(False, "false", id="false"),
        pytest.param("s", "s", id="string"),
        pytest.param(7, "7", id="int"),
        pytest.param(2.0, "2", id="whole-float"),
        pytest.param(0.5, "0.5", id="float"),
    ],
)
def test_to_string(value: RawValue, expected: str) -> None:
    assert to_string(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(None, id="null"),
        pytest.param(("a",), id="list"),
        pytest.param({"a": 1}, id="map"),
        pytest.param(U, id="unknown"),
        pytest.param(float("inf"), id="infinity"),
        pytest.param(float("nan"), id="nan"),
    ],
)
def test_to_string_rejects(value: RawValue) -> None:
    with pytest.raises(EvalError, match="not a string"):
        to_string(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param([1, [2]], (1, (2,)), id="lists-to-tuples"),
        pytest.param({1: "a"}, {"1": "a"}, id="keys-to-strings"),
        pytest.param(None, None, id="null"),
        pytest.param(1.5, 1.5, id="float"),
    ],
)
def test_to_data(value: object, expected: RawValue) -> None:
    assert to_data(value) == expected


def test_to_data_rejects_other_objects() -> None:
    with pytest.raises(EvalError, match="not JSON data"):
        to_data(object())


@pytest.mark.parametrize(
    ("value", "has_unknown", "first"),
    [
        pytest.param("a", False, None, id="scalar"),
        pytest.param(U, True, U, id="unknown"),
        pytest.param({"a": ("b", U2)}, True, U2, id="nested-map"),
        pytest.param(["a", U], True, U, id="list"),
        pytest.param(("a", {"b": 1}), False, None, id="known-tuple"),
    ],
)
def test_contains_and_first_unknown(value: object, has_unknown: bool, first: object) -> None:
    assert contains_unknown(value) is has_unknown
    assert first_unknown(value) == first


def test_plain_and_computed() -> None:
    assert plain(U) is U
    assert type(plain(PARTIAL)) is Unknown
    assert plain(PARTIAL) == Unknown("doc", (REF,))
    assert computed("e", {"a": U}, [U2, U]) == Unknown("e", (REF, REF2))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, 1, id="scalar"),
        pytest.param("x" * 130, 3, id="long-string"),
        pytest.param(("a", {"b": 1}), 4, id="nested"),
        pytest.param(PartialJSON("d", data={"a": "b"}), 3, id="partial-json"),
    ],
)
def test_value_size(value: RawValue, expected: int) -> None:
    assert value_size(value) == expected


def test_value_size_counts_shared_parts_at_every_place() -> None:
    shared = ("a", "b", "c")
    assert value_size({"x": shared, "y": shared}) == 1 + 4 + 4


# ---------------------------------------------------------------------- type constraints


def _spec(text: str) -> TypeSpec:
    return type_spec(parse_expression(text), lambda node: "evaluated-default")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("string", TypeSpec("string"), id="string"),
        pytest.param("number", TypeSpec("number"), id="number"),
        pytest.param("bool", TypeSpec("bool"), id="bool"),
        pytest.param("any", ANY, id="any"),
        pytest.param('"string"', ANY, id="quoted-is-not-a-type"),
        pytest.param("list(string)", TypeSpec("list", element=TypeSpec("string")), id="list"),
        pytest.param("set(number)", TypeSpec("set", element=TypeSpec("number")), id="set"),
        pytest.param(
            "map(list(bool))",
            TypeSpec("map", element=TypeSpec("list", element=TypeSpec("bool"))),
            id="nested",
        ),
        pytest.param("list(string, number)", ANY, id="list-two-arguments"),
        pytest.param(
            "tuple([string, number])",
            TypeSpec("tuple", elements=(TypeSpec("string"), TypeSpec("number"))),
            id="tuple",
        ),
        pytest.param("tuple(string)", ANY, id="tuple-without-list"),
        pytest.param(
            'object({ a = string, "b" = number })',
            TypeSpec(
                "object",
                attributes={
                    "a": (TypeSpec("string"), False, None),
                    "b": (TypeSpec("number"), False, None),
                },
            ),
            id="object",
        ),
        pytest.param(
            "object({ p = optional(string, 1), q = optional(number), r = optional() })",
            TypeSpec(
                "object",
                attributes={
                    "p": (TypeSpec("string"), True, "evaluated-default"),
                    "q": (TypeSpec("number"), True, None),
                    "r": (ANY, True, None),
                },
            ),
            id="optional",
        ),
        pytest.param("object(string)", ANY, id="object-without-map"),
        pytest.param("whatever(string)", ANY, id="unknown-type-function"),
        pytest.param("func()", ANY, id="no-arguments"),
    ],
)
def test_type_spec(text: str, expected: TypeSpec) -> None:
    assert _spec(text) == expected


@pytest.mark.parametrize(
    ("value", "type_text", "expected"),
    [
        pytest.param("3", "number", 3, id="string-to-int"),
        pytest.param("2.5", "number", 2.5, id="string-to-float"),
        pytest.param("x", "number", "x", id="not-a-number-kept"),
        pytest.param(3, "string", "3", id="number-to-string"),
        pytest.param(True, "string", "true", id="bool-to-string"),
        pytest.param(float("inf"), "string", float("inf"), id="infinity-kept"),
        pytest.param("true", "bool", True, id="string-to-bool"),
        pytest.param("yes", "bool", "yes", id="not-a-bool-kept"),
        pytest.param(None, "string", None, id="null-kept"),
        pytest.param(U, "number", U, id="unknown-kept"),
        pytest.param(("1", "2"), "list(number)", (1, 2), id="list"),
        pytest.param(("1",), "set(number)", (1,), id="set"),
        pytest.param({"a": 1}, "map(string)", {"a": "1"}, id="map"),
        pytest.param(("1", 2), "tuple([number, string])", (1, "2"), id="tuple"),
        pytest.param(("1",), "tuple([number, string])", ("1",), id="tuple-wrong-length"),
        pytest.param("x", "list(string)", "x", id="not-a-list-kept"),
        pytest.param({"a": 1}, "any", {"a": 1}, id="any"),
        pytest.param(
            {"a": 1, "extra": 2},
            'object({ a = string, p = optional(string, "d"), q = optional(number) })',
            {"a": "1", "p": "evaluated-default", "q": None},
            id="object-defaults-and-dropped",
        ),
    ],
)
def test_convert(value: RawValue, type_text: str, expected: RawValue) -> None:
    assert convert(value, _spec(type_text)) == expected


def test_convert_missing_required_attribute_is_unknown() -> None:
    assert convert({}, _spec("object({ a = string })")) == {"a": Unknown("missing attribute a")}
