"""CloudFormation value resolution: every intrinsic function, pseudo parameters,
parameter defaults, conditions of ``Fn::If`` branches, secrets and passwords, and the
helpers that read resolved properties."""

from __future__ import annotations

from typing import Any

import pytest

from iacguard.model import AttributeRef, RawValue, Unknown
from iacguard.parsers.cloudformation._values import (
    NO_VALUE,
    Resolver,
    flag,
    is_function,
    items,
    parameter_defaults,
    pick,
    reference,
    referenced,
    sub_document,
    text,
)

SRC = ("Resources", "R", "Properties", "P")
OUT = ("Resources", "R", "Properties", "P")
ROLE_ARN = Unknown("!GetAtt Role.Arn", (AttributeRef("Role", "Arn"),))
ROLE_REF = Unknown("!Ref Role", (AttributeRef("Role", "Ref"),))
BUCKET_ARN = Unknown("!GetAtt Bucket.Arn", (AttributeRef("Bucket", "Arn"),))
OIDC_ARN = "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"


def _resolver() -> Resolver:
    return Resolver(
        positions={SRC: (10, 5), (*SRC, "Fn::If", 1): (11, 7)},
        types={
            "Role": "AWS::IAM::Role",
            "Bucket": "AWS::S3::Bucket",
            "Key": "AWS::IAM::AccessKey",
            "Oidc": "AWS::IAM::OIDCProvider",
        },
        parameters=frozenset({"Env", "Names", "Password", "Secret"}),
        mappings={
            "Regions": {"eu-west-1": {"Ami": "ami-1", "Zones": ["a", "b"], "Bad": {"Ref": "X"}}}
        },
        defaults={"Env": "prod", "Names": ("a", "b"), "Index": "1"},
        arns={"Oidc": OIDC_ARN},
        password_parameters={"Password": "Alice"},
    )


def resolve(value: Any, resolver: Resolver | None = None) -> RawValue:
    result = (resolver or _resolver()).resolve(value, SRC, OUT, None)
    assert result is not NO_VALUE
    return result  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # literals
        pytest.param("s", "s", id="string"),
        pytest.param(3, 3, id="number"),
        pytest.param(None, None, id="null"),
        pytest.param(["a", {"k": 1}], ("a", {"k": 1}), id="list"),
        pytest.param({"a": {"Ref": "AWS::NoValue"}, "b": 1}, {"b": 1}, id="no-value-key"),
        pytest.param(["a", {"Ref": "AWS::NoValue"}], ("a",), id="no-value-element"),
        pytest.param(
            {"Ref": "X", "Other": 1}, {"Ref": "X", "Other": 1}, id="two-keys-not-a-function"
        ),
        # Ref
        pytest.param({"Ref": "Role"}, ROLE_REF, id="ref-resource"),
        pytest.param({"Ref": "Env"}, "prod", id="ref-parameter-default"),
        pytest.param({"Ref": "Names"}, ("a", "b"), id="ref-list-default"),
        pytest.param({"Ref": "Secret"}, Unknown("!Ref Secret"), id="ref-parameter-no-default"),
        pytest.param({"Ref": "Nothing"}, Unknown("!Ref Nothing"), id="ref-undefined"),
        pytest.param({"Ref": "Oidc"}, OIDC_ARN, id="ref-oidc-provider-arn"),
        pytest.param({"Ref": ["Role"]}, Unknown("Ref"), id="ref-not-a-string"),
        # pseudo parameters
        pytest.param({"Ref": "AWS::Partition"}, "aws", id="partition"),
        pytest.param({"Ref": "AWS::URLSuffix"}, "amazonaws.com", id="url-suffix"),
        pytest.param({"Ref": "AWS::AccountId"}, "${AWS::AccountId}", id="account-id"),
        pytest.param({"Ref": "AWS::Region"}, "${AWS::Region}", id="region"),
        pytest.param({"Ref": "AWS::StackName"}, "${AWS::StackName}", id="stack-name"),
        pytest.param({"Ref": "AWS::StackId"}, "${AWS::StackId}", id="stack-id"),
        pytest.param(
            {"Ref": "AWS::NotificationARNs"},
            Unknown("!Ref AWS::NotificationARNs"),
            id="other-pseudo",
        ),
        # GetAtt
        pytest.param({"Fn::GetAtt": ["Role", "Arn"]}, ROLE_ARN, id="getatt-list"),
        pytest.param({"Fn::GetAtt": "Role.Arn"}, ROLE_ARN, id="getatt-string"),
        pytest.param(
            {"Fn::GetAtt": "Role.RoleId.Extra"},
            Unknown("!GetAtt Role.RoleId.Extra", (AttributeRef("Role", "RoleId.Extra"),)),
            id="getatt-dotted-attribute",
        ),
        pytest.param(
            {"Fn::GetAtt": ["Role", {"Ref": "Env"}]},
            Unknown("!GetAtt Role.prod", (AttributeRef("Role", "prod"),)),
            id="getatt-attribute-from-parameter",
        ),
        pytest.param(
            {"Fn::GetAtt": ["Role", {"Ref": "Secret"}]},
            Unknown("Fn::GetAtt"),
            id="getatt-attribute-unknown",
        ),
        pytest.param(
            {"Fn::GetAtt": ["Nope", "Arn"]}, Unknown("!GetAtt Nope.Arn"), id="getatt-undefined"
        ),
        pytest.param({"Fn::GetAtt": ["Oidc", "Arn"]}, OIDC_ARN, id="getatt-oidc-arn"),
        pytest.param({"Fn::GetAtt": "NoDot"}, Unknown("Fn::GetAtt"), id="getatt-malformed"),
        pytest.param({"Fn::GetAtt": [1, "Arn"]}, Unknown("Fn::GetAtt"), id="getatt-bad-logical"),
        # Join
        pytest.param({"Fn::Join": ["-", ["a", {"Ref": "Env"}]]}, "a-prod", id="join"),
        pytest.param(
            {"Fn::Join": [",", [{"Fn::GetAtt": "Role.Arn"}]]}, ROLE_ARN, id="join-one-unknown"
        ),
        pytest.param(
            {"Fn::Join": ["", ["arn:", {"Ref": "Role"}, {"Fn::GetAtt": "Bucket.Arn"}]]},
            Unknown("Fn::Join", (AttributeRef("Role", "Ref"), AttributeRef("Bucket", "Arn"))),
            id="join-unknowns",
        ),
        pytest.param(
            {"Fn::Join": ["-", {"Ref": "Secret"}]}, Unknown("Fn::Join"), id="join-unknown-list"
        ),
        pytest.param({"Fn::Join": ["-"]}, Unknown("Fn::Join"), id="join-malformed"),
        # Select
        pytest.param({"Fn::Select": [1, ["a", "b"]]}, "b", id="select"),
        pytest.param({"Fn::Select": ["0", [{"Ref": "Role"}]]}, ROLE_REF, id="select-string-index"),
        pytest.param({"Fn::Select": [{"Ref": "Index"}, {"Ref": "Names"}]}, "b", id="select-params"),
        pytest.param({"Fn::Select": [5, ["a"]]}, Unknown("Fn::Select"), id="select-out-of-range"),
        pytest.param(
            {"Fn::Select": [{"Ref": "Role"}, ["a"]]},
            Unknown("Fn::Select", (AttributeRef("Role", "Ref"),)),
            id="select-unknown-index",
        ),
        pytest.param({"Fn::Select": [0]}, Unknown("Fn::Select"), id="select-malformed"),
        # Split
        pytest.param({"Fn::Split": [",", "a,b"]}, ("a", "b"), id="split"),
        pytest.param(
            {"Fn::Split": [",", {"Ref": "Role"}]},
            Unknown("Fn::Split", (AttributeRef("Role", "Ref"),)),
            id="split-unknown",
        ),
        pytest.param({"Fn::Split": ["", "ab"]}, Unknown("Fn::Split"), id="split-empty-delimiter"),
        pytest.param({"Fn::Split": ","}, Unknown("Fn::Split"), id="split-malformed"),
        # FindInMap
        pytest.param({"Fn::FindInMap": ["Regions", "eu-west-1", "Ami"]}, "ami-1", id="find-in-map"),
        pytest.param(
            {"Fn::FindInMap": ["Regions", "eu-west-1", "Zones"]}, ("a", "b"), id="find-in-map-list"
        ),
        pytest.param(
            {"Fn::FindInMap": ["Regions", "us-east-1", "Ami"]},
            Unknown("Fn::FindInMap"),
            id="find-in-map-missing",
        ),
        pytest.param(
            {"Fn::FindInMap": ["Regions", "eu-west-1", "Bad"]},
            Unknown("Fn::FindInMap"),
            id="find-in-map-function-inside",
        ),
        pytest.param(
            {"Fn::FindInMap": ["Regions", {"Ref": "Role"}, "Ami"]},
            Unknown("Fn::FindInMap", (AttributeRef("Role", "Ref"),)),
            id="find-in-map-unknown-key",
        ),
        pytest.param(
            {"Fn::FindInMap": ["Regions"]}, Unknown("Fn::FindInMap"), id="find-in-map-malformed"
        ),
        pytest.param(
            {"Fn::FindInMap": ["Regions", "eu-west-1", "Ami", {"DefaultValue": "x"}]},
            "ami-1",
            id="find-in-map-default-ignored-when-found",
        ),
        # Base64, ToJsonString, opaque functions
        pytest.param({"Fn::Base64": {"Ref": "Env"}}, "prod", id="base64-text-before-encoding"),
        pytest.param({"Fn::ToJsonString": {"a": [1, "x"]}}, '{"a": [1, "x"]}', id="to-json-string"),
        pytest.param(
            {"Fn::ToJsonString": {"a": {"Ref": "Role"}}},
            Unknown("Fn::ToJsonString", (AttributeRef("Role", "Ref"),)),
            id="to-json-unknown",
        ),
        pytest.param({"Fn::ToJsonString": [{"Ref": "AWS::NoValue"}]}, "[]", id="to-json-no-value"),
        pytest.param({"Fn::GetAZs": {"Ref": "AWS::Region"}}, Unknown("Fn::GetAZs"), id="get-azs"),
        pytest.param(
            {"Fn::Cidr": [{"Fn::GetAtt": "Bucket.Arn"}, 2, 8]},
            Unknown("Fn::Cidr", (AttributeRef("Bucket", "Arn"),)),
            id="cidr",
        ),
        pytest.param({"Fn::Length": {"Ref": "Names"}}, Unknown("Fn::Length"), id="length"),
        pytest.param(
            {"Fn::ImportValue": {"Fn::Sub": "${Role}"}},
            Unknown("Fn::ImportValue"),
            id="import-value-keeps-no-refs",
        ),
        pytest.param({"Fn::Transform": {}}, Unknown("Fn::Transform"), id="other-function"),
        # a value that is not JSON data
        pytest.param({"a": b"raw"}, {"a": "b'raw'"}, id="other-type-as-text"),
    ],
)
def test_resolve(value: Any, expected: RawValue) -> None:
    assert resolve(value) == expected


# ---------------------------------------------------------------------- Fn::Sub


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"Fn::Sub": "plain"}, "plain", id="no-variables"),
        pytest.param({"Fn::Sub": "${Env}-x"}, "prod-x", id="parameter"),
        pytest.param({"Fn::Sub": "arn:${AWS::Partition}:s3:::b"}, "arn:aws:s3:::b", id="pseudo"),
        pytest.param({"Fn::Sub": "${AWS::AccountId}"}, "${AWS::AccountId}", id="stack-pseudo"),
        pytest.param({"Fn::Sub": "${!Literal}"}, "${Literal}", id="escape"),
        pytest.param({"Fn::Sub": "${Role.Arn}"}, ROLE_ARN, id="one-variable-is-its-value"),
        pytest.param({"Fn::Sub": "${ Role }"}, ROLE_REF, id="spaces-in-variable"),
        pytest.param(
            {"Fn::Sub": "${Role.Arn}/x/${Bucket.Arn}/${Role.Arn}"},
            Unknown(
                "!Sub ${Role.Arn}/x/${Bucket.Arn}/${Role.Arn}",
                (AttributeRef("Role", "Arn"), AttributeRef("Bucket", "Arn")),
            ),
            id="several-refs-once-each",
        ),
        pytest.param(
            {"Fn::Sub": ["${A}-${B}", {"A": "x", "B": {"Ref": "Env"}}]},
            "x-prod",
            id="variables-map",
        ),
        pytest.param(
            {"Fn::Sub": ["${A}", {"A": ["l"]}]}, Unknown("${A}"), id="variable-not-a-string"
        ),
        pytest.param({"Fn::Sub": ["${Env}", "notamap"]}, "prod", id="variables-not-a-map"),
        pytest.param({"Fn::Sub": ["${Nope.Arn}"]}, Unknown("Fn::Sub"), id="malformed-list"),
        pytest.param({"Fn::Sub": {"a": 1}}, Unknown("Fn::Sub"), id="malformed"),
        pytest.param(
            {"Fn::Sub": "x${Nope.Arn}"}, Unknown("!Sub x${Nope.Arn}"), id="undefined-dotted"
        ),
    ],
)
def test_sub(value: Any, expected: RawValue) -> None:
    assert resolve(value) == expected


def test_sub_text_keeps_tokens_for_documents() -> None:
    resolver = _resolver()
    value = resolve({"Fn::Sub": '{"Resource": "${Role.Arn}/*", "${Bucket.Arn}": 1}'}, resolver)
    found = resolver.sub_text(value)
    assert found is not None
    tokens_text, tokens = found
    assert tokens_text == '{"Resource": "@@iacguard-sub-0@@/*", "@@iacguard-sub-1@@": 1}'
    assert tokens == {"@@iacguard-sub-0@@": ROLE_ARN, "@@iacguard-sub-1@@": BUCKET_ARN}
    assert sub_document(tokens_text, tokens) == {
        "Resource": Unknown("!Sub !GetAtt Role.Arn/*", (AttributeRef("Role", "Arn"),)),
        "!GetAtt Bucket.Arn": 1,
    }
    assert resolver.sub_text("text") is None
    assert resolver.sub_text(Unknown("other")) is None


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param('{"a": "@@iacguard-sub-0@@"}', {"a": ROLE_ARN}, id="whole-string"),
        pytest.param('{"a": [1, 2.5, true, null]}', {"a": (1, 2.5, True, None)}, id="literals"),
        pytest.param("not json", None, id="not-json"),
        pytest.param("[" * 100_000, None, id="too-deep"),
    ],
)
def test_sub_document(document: str, expected: RawValue) -> None:
    assert sub_document(document, {"@@iacguard-sub-0@@": ROLE_ARN}) == expected


# ---------------------------------------------------------------------- conditions


def test_if_gives_both_branches_with_their_conditions() -> None:
    resolver = _resolver()
    value = resolve({"Fn::If": ["Prod", {"Ref": "Role"}, "literal"]}, resolver)
    assert value == (ROLE_REF, "literal")
    assert resolver.conditions == {(*OUT, 0): "Prod", (*OUT, 1): "not Prod"}
    assert resolver.branch_points[()] == {"Prod"}
    assert resolver.branch_points[OUT] == {"Prod"}
    assert resolver.condition_at((*OUT, 1, "deeper")) == "not Prod"
    assert resolver.condition_at(("Elsewhere",)) is None
    assert resolver.places[OUT] == (10, 5)
    assert resolver.places[(*OUT, 0)] == (11, 7)


def test_if_with_no_value_is_the_other_branch_under_its_condition() -> None:
    resolver = _resolver()
    value = resolve({"Fn::If": ["Prod", {"Ref": "AWS::NoValue"}, ["a", "b"]]}, resolver)
    assert value == ("a", "b")
    resolver = _resolver()
    value = resolve({"Fn::If": ["Prod", "only", {"Ref": "AWS::NoValue"}]}, resolver)
    assert value == "only"
    assert resolver.conditions[OUT] == "Prod"


def test_if_in_a_list_adds_the_elements_of_both_branches() -> None:
    resolver = _resolver()
    value = resolve(["x", {"Fn::If": ["Prod", "a", {"Ref": "AWS::NoValue"}]}, "y"], resolver)
    assert value == ("x", "a", "y")
    assert resolver.condition_at((*OUT, 0)) is None
    assert resolver.condition_at((*OUT, 1)) == "Prod"


def test_element_after_a_removed_branch_is_unconditional() -> None:
    resolver = _resolver()
    resolve(["x", {"Fn::If": ["Prod", "a", {"Ref": "AWS::NoValue"}]}, "y"], resolver)
    assert resolver.condition_at((*OUT, 2)) is None


def test_nested_if_conditions_are_joined() -> None:
    resolver = _resolver()
    value = resolve({"Fn::If": ["A", {"Fn::If": ["B", "ab", "a-not-b"]}, "not-a"]}, resolver)
    assert value == ("ab", "a-not-b", "not-a")
    assert resolver.conditions[(*OUT, 0, 0)] == "A and B"
    assert resolver.conditions[(*OUT, 0, 1)] == "A and not B"


def test_resolving_under_a_condition_records_it() -> None:
    resolver = _resolver()
    resolver.resolve({"k": "v"}, SRC, OUT, "Prod")
    assert resolver.conditions == {OUT: "Prod", (*OUT, "k"): "Prod"}


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["Prod", "a"], id="two-arguments"),
        pytest.param([1, "a", "b"], id="condition-not-a-name"),
        pytest.param("Prod", id="not-a-list"),
    ],
)
def test_malformed_if_is_unknown(args: Any) -> None:
    assert resolve({"Fn::If": args}) == Unknown("Fn::If")
    assert resolve([{"Fn::If": args}]) == (Unknown("Fn::If"),)


# ---------------------------------------------------------------------- secrets and passwords


def test_secret_and_password_references_are_recorded() -> None:
    resolver = _resolver()
    resolver.resolve({"Fn::GetAtt": ["Key", "SecretAccessKey"]}, SRC, OUT, None)
    resolver.resolve({"Fn::Sub": "pw=${Password}"}, SRC, (*OUT, "b"), None)
    resolver.resolve({"Fn::GetAtt": ["Key", "Arn"]}, SRC, (*OUT, "c"), None)
    assert resolver.secrets == [(OUT, "Key")]
    assert resolver.passwords == [((*OUT, "b"), "Alice")]


# ---------------------------------------------------------------------- module functions


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("Ref", True),
        ("Fn::Sub", True),
        ("Fn::Anything", True),
        ("Condition", False),
        ("ref", False),
    ],
)
def test_is_function(key: str, expected: bool) -> None:
    assert is_function(key) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(reference("Role", "Ref"), AttributeRef("Role", "Ref"), id="ref"),
        pytest.param(reference("Role", "Arn"), AttributeRef("Role", "Arn"), id="getatt"),
        pytest.param(Unknown("!Sub ${Role}", (AttributeRef("Role", "Ref"),)), None, id="computed"),
        pytest.param(Unknown("x"), None, id="no-refs"),
        pytest.param("arn", None, id="string"),
    ],
)
def test_referenced(value: object, expected: AttributeRef | None) -> None:
    assert referenced(value) == expected


def test_reference() -> None:
    assert reference("Role", "Ref") == ROLE_REF
    assert reference("Role", "Arn") == ROLE_ARN


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ()), ("a", ("a",)), (("a", "b"), ("a", "b")), ({"k": 1}, ({"k": 1},))],
)
def test_items(value: RawValue, expected: tuple[RawValue, ...]) -> None:
    assert items(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(("safe", "*"), "*", id="firing-branch"),
        pytest.param(("a", "b"), "a", id="first-when-none-fires"),
        pytest.param((), None, id="empty"),
        pytest.param("x", "x", id="scalar"),
    ],
)
def test_pick(value: RawValue, expected: RawValue) -> None:
    assert pick(value, lambda v: v == "*") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("s", "s"), (Unknown("u"), Unknown("u")), (None, None), (3, None), (("a",), None)],
)
def test_text(value: RawValue, expected: object) -> None:
    assert text(value) == expected


@pytest.mark.parametrize(
    ("value", "firing", "expected"),
    [
        pytest.param(True, True, True, id="bool"),
        pytest.param("TRUE", True, True, id="string-true"),
        pytest.param("false", True, False, id="string-false"),
        pytest.param("yes", True, None, id="not-a-bool"),
        pytest.param(Unknown("u"), True, Unknown("u"), id="unknown"),
        pytest.param((False, "true"), True, True, id="either-branch-fires"),
        pytest.param((True, "false"), False, False, id="either-branch-fires-false"),
        pytest.param((False, False), True, False, id="neither-fires"),
    ],
)
def test_flag(value: RawValue, firing: bool, expected: object) -> None:
    assert flag(value, firing) == expected


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        pytest.param({"A": {"Default": "x"}}, {"A": "x"}, id="string"),
        pytest.param({"A": {"Type": "Number", "Default": 5}}, {"A": "5"}, id="number"),
        pytest.param({"A": {"Default": True}}, {"A": "true"}, id="bool"),
        pytest.param(
            {"A": {"Type": "CommaDelimitedList", "Default": "a, b"}}, {"A": ("a", "b")}, id="list"
        ),
        pytest.param(
            {"A": {"Type": "List<AWS::EC2::Subnet::Id>", "Default": "s-1"}},
            {"A": ("s-1",)},
            id="typed-list",
        ),
        pytest.param({"A": {"Default": "x", "NoEcho": True}}, {}, id="no-echo"),
        pytest.param({"A": {"Default": "x", "NoEcho": "TRUE"}}, {}, id="no-echo-string"),
        pytest.param(
            {"A": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/p"}}, {}, id="ssm"
        ),
        pytest.param({"A": {"Default": ["x"]}}, {}, id="list-default"),
        pytest.param({"A": {"Default": None}}, {}, id="null-default"),
        pytest.param({"A": {"Type": "String"}}, {}, id="no-default"),
        pytest.param({"A": "junk"}, {}, id="not-a-map"),
    ],
)
def test_parameter_defaults(parameters: dict[str, Any], expected: dict[str, RawValue]) -> None:
    assert parameter_defaults(parameters) == expected
