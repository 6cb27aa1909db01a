"""The policy evaluator, one branch per row: Allow and Deny, NotAction, NotResource,
Deny by resource, conditions, unresolved entries, permission boundaries, MFA, groups."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from iacguard.analysis.evaluate import Decision, EffectivePermissions, Evaluator
from iacguard.analysis.matching import Matching
from iacguard.analysis.resources import ResourceSet
from iacguard.catalog import default_catalog
from iacguard.parsers import InputFile, parse

NOW = datetime(2026, 6, 1, tzinfo=UTC)
UNKNOWN = {"Fn::ImportValue": "from-another-stack"}
MFA_DENY = {
    "Sid": "MfaDeny",
    "Effect": "Deny",
    "NotAction": ["iam:ListMFADevices"],
    "Resource": "*",
    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
}


def _allow(
    sid: str, action: Any = "s3:GetObject", resource: Any = "*", **more: Any
) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource, **more}


def _deny(
    sid: str, action: Any = "s3:GetObject", resource: Any = "*", **more: Any
) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Deny", "Action": action, "Resource": resource, **more}


def _template(
    statements: list[dict[str, Any]],
    boundary: list[dict[str, Any]] | None = None,
    role: dict[str, Any] | None = None,
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "AssumeRolePolicyDocument": {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "ec2.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ]
        },
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": statements}}],
        **(role or {}),
    }
    resources: dict[str, Any] = {"R": {"Type": "AWS::IAM::Role", "Properties": properties}}
    if boundary is not None:
        properties["PermissionsBoundary"] = {"Ref": "B"}
        resources["B"] = {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"PolicyDocument": {"Statement": boundary}},
        }
    return {"Resources": resources}


def _evaluator(tmp_path: Path, template: dict[str, Any]) -> Evaluator:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(template))
    graph = parse(InputFile(path, PurePosixPath("t.json"))).graph
    return Evaluator(graph, NOW, Matching(default_catalog()))


def permissions(
    tmp_path: Path,
    statements: list[dict[str, Any]],
    boundary: list[dict[str, Any]] | None = None,
    role: dict[str, Any] | None = None,
    address: str = "R",
) -> EffectivePermissions:
    evaluator = _evaluator(tmp_path, _template(statements, boundary, role))
    principal = evaluator.graph.principal(address)
    assert principal is not None
    return evaluator.permissions(principal)


def sids(decision: Decision) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool]:
    """``(allowed_by, denied_by, conditional_denies, undetermined)`` by statement Sid."""

    def names(grants: tuple[Any, ...]) -> tuple[str, ...]:
        return tuple(str(g.statement.sid) for g in grants)

    return (
        names(decision.allowed_by),
        names(decision.denied_by),
        names(decision.conditional_denies),
        decision.undetermined,
    )


BUCKET_X = "arn:aws:s3:::b/x"
ON_X = ResourceSet((BUCKET_X,))
ON_Y = ResourceSet(("arn:aws:s3:::b/y",))

CASES = [
    # -------------------------------------------------------------- Allow
    ([_allow("A")], None, "s3:GetObject", None, (("A",), (), (), False), "allow-exact"),
    ([_allow("A")], None, "S3:GETOBJECT", None, (("A",), (), (), False), "action-any-case"),
    ([_allow("A")], None, "s3:PutObject", None, ((), (), (), False), "allow-other-action"),
    ([_allow("A", "s3:Get*")], None, "s3:GetObject", None, (("A",), (), (), False), "allow-glob"),
    ([_allow("A", "*")], None, "iam:CreateUser", None, (("A",), (), (), False), "allow-star"),
    (
        [{"Sid": "A", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
        None,
        "s3:GetObject",
        None,
        (("A",), (), (), False),
        "not-action-allows-others",
    ),
    (
        [{"Sid": "A", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
        None,
        "iam:CreateUser",
        None,
        ((), (), (), False),
        "not-action-excludes",
    ),
    (
        [{"Sid": "A", "Effect": "Allow", "NotAction": ["iam:*", UNKNOWN], "Resource": "*"}],
        None,
        "s3:GetObject",
        None,
        ((), (), (), True),
        "not-action-unresolved-entry",
    ),
    # an unresolved Action entry of an Allow leaves the answer "not allowed" and, unlike an
    # unresolved NotAction entry, does not mark it undetermined
    (
        [_allow("A", ["s3:PutObject", UNKNOWN])],
        None,
        "s3:GetObject",
        None,
        ((), (), (), False),
        "action-unresolved-entry",
    ),
    (
        [_allow("A", ["s3:PutObject", UNKNOWN], resource=BUCKET_X)],
        None,
        "s3:GetObject",
        ON_X,
        ((), (), (), False),
        "action-unresolved-entry-on-resource",
    ),
    # -------------------------------------------------------------- resources asked about
    (
        [_allow("A", resource=BUCKET_X)],
        None,
        "s3:GetObject",
        ON_X,
        (("A",), (), (), False),
        "allow-on-the-resource",
    ),
    (
        [_allow("A", resource=BUCKET_X)],
        None,
        "s3:GetObject",
        ON_Y,
        ((), (), (), False),
        "allow-on-another-resource",
    ),
    (
        [_allow("A", resource=UNKNOWN)],
        None,
        "s3:GetObject",
        ON_X,
        ((), (), (), True),
        "allow-on-unresolved-resource",
    ),
    (
        [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "NotResource": BUCKET_X}],
        None,
        "s3:GetObject",
        ON_X,
        ((), (), (), False),
        "not-resource-excludes",
    ),
    (
        [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "NotResource": BUCKET_X}],
        None,
        "s3:GetObject",
        ON_Y,
        (("A",), (), (), False),
        "not-resource-allows-others",
    ),
    # -------------------------------------------------------------- Deny
    (
        [_allow("A"), _deny("D")],
        None,
        "s3:GetObject",
        None,
        ((), ("D",), (), False),
        "deny-removes",
    ),
    (
        [_allow("A"), _deny("D", "s3:*")],
        None,
        "s3:GetObject",
        None,
        ((), ("D",), (), False),
        "deny-glob-removes",
    ),
    (
        [_allow("A"), _deny("D", "s3:PutObject")],
        None,
        "s3:GetObject",
        None,
        (("A",), (), (), False),
        "deny-other-action",
    ),
    (
        [_allow("A"), {"Sid": "D", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}],
        None,
        "s3:GetObject",
        None,
        ((), ("D",), (), False),
        "deny-not-action",
    ),
    (
        [_allow("A"), _deny("D", resource=BUCKET_X)],
        None,
        "s3:GetObject",
        None,
        (("A",), (), (), False),
        "deny-on-fewer-resources-keeps-the-allow",
    ),
    (
        [_allow("A"), _deny("D", resource=BUCKET_X)],
        None,
        "s3:GetObject",
        ON_X,
        ((), ("D",), (), False),
        "deny-by-resource-asked-about",
    ),
    (
        [_allow("A"), _deny("D", resource=BUCKET_X)],
        None,
        "s3:GetObject",
        ON_Y,
        (("A",), (), (), False),
        "deny-on-another-resource",
    ),
    (
        [_allow("A", resource=BUCKET_X), _deny("D", resource="arn:aws:s3:::b/*")],
        None,
        "s3:GetObject",
        None,
        ((), ("D",), (), False),
        "deny-covers-the-allows-resources",
    ),
    (
        [
            _allow("A"),
            {"Sid": "D", "Effect": "Deny", "Action": "s3:GetObject", "NotResource": BUCKET_X},
        ],
        None,
        "s3:GetObject",
        ON_Y,
        ((), ("D",), (), False),
        "deny-not-resource",
    ),
    (
        [
            {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "NotResource": BUCKET_X},
            _deny("D", resource="*"),
        ],
        None,
        "s3:GetObject",
        None,
        ((), ("D",), (), False),
        "deny-covers-a-not-resource-allow",
    ),
    (
        [_allow("A"), _deny("D", resource=UNKNOWN)],
        None,
        "s3:GetObject",
        None,
        (("A",), (), (), True),
        "deny-unresolved-resource",
    ),
    (
        [_allow("A", resource=UNKNOWN), _deny("D", resource="*")],
        None,
        "s3:GetObject",
        None,
        ((), ("D",), (), False),
        "deny-everything-covers-unresolved-allow",
    ),
    (
        [_allow("A", resource=UNKNOWN), _deny("D", resource=BUCKET_X)],
        None,
        "s3:GetObject",
        None,
        (("A",), (), (), True),
        "deny-some-vs-unresolved-allow",
    ),
    (
        [_allow("A"), _deny("D", [UNKNOWN])],
        None,
        "s3:GetObject",
        None,
        (("A",), (), (), True),
        "deny-unresolved-action",
    ),
    (
        [_allow("A"), _deny("D", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})],
        None,
        "s3:GetObject",
        None,
        (("A",), (), ("D",), False),
        "conditional-deny",
    ),
    ([_deny("D")], None, "s3:GetObject", None, ((), (), (), False), "deny-without-allow"),
    # -------------------------------------------------------------- conditions in time
    (
        [_allow("A", Condition={"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}})],
        None,
        "s3:GetObject",
        None,
        ((), (), (), False),
        "expired-allow-left-out",
    ),
    (
        [
            _allow("A"),
            _deny("D", Condition={"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}),
        ],
        None,
        "s3:GetObject",
        None,
        (("A",), (), (), False),
        "expired-deny-left-out",
    ),
    # -------------------------------------------------------------- boundaries
    (
        [_allow("A")],
        [_allow("B", "s3:*")],
        "s3:GetObject",
        None,
        (("A",), (), (), False),
        "boundary-allows",
    ),
    (
        [_allow("A")],
        [_allow("B", "iam:*")],
        "s3:GetObject",
        None,
        ((), (), (), False),
        "boundary-does-not-allow",
    ),
    (
        [_allow("A")],
        [_allow("B", [UNKNOWN])],
        "s3:GetObject",
        None,
        ((), (), (), True),
        "boundary-unresolved",
    ),
    (
        [_allow("A")],
        [_allow("B", "*"), _deny("BD")],
        "s3:GetObject",
        None,
        ((), ("BD",), (), False),
        "boundary-deny",
    ),
    (
        [_allow("A", resource=BUCKET_X)],
        [_allow("B", "s3:*", resource=BUCKET_X)],
        "s3:GetObject",
        ON_Y,
        ((), (), (), False),
        "boundary-on-another-resource",
    ),
    (
        [],
        [_allow("B", "*")],
        "s3:GetObject",
        None,
        ((), (), (), False),
        "boundary-alone-grants-nothing",
    ),
]


@pytest.mark.parametrize(
    ("statements", "boundary", "action", "on", "expected"),
    [pytest.param(*case[:5], id=case[5]) for case in CASES],
)
def test_decide(
    tmp_path: Path,
    statements: list[dict[str, Any]],
    boundary: list[dict[str, Any]] | None,
    action: str,
    on: ResourceSet | None,
    expected: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], bool],
) -> None:
    perms = permissions(tmp_path, statements, boundary)
    decision = perms.decide(action, on)
    assert sids(decision) == expected
    assert decision.action == action
    assert decision.allowed is bool(expected[0])
    assert perms.decide(action, on) is decision  # cached


# ---------------------------------------------------------------------- MFA


@pytest.mark.parametrize(
    ("statements", "needs_mfa"),
    [
        pytest.param([_allow("A")], False, id="no-mfa"),
        pytest.param(
            [_allow("A", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})],
            True,
            id="allow-requires-mfa",
        ),
        pytest.param([_allow("A"), MFA_DENY], True, id="deny-enforces-mfa"),
        pytest.param([MFA_DENY], False, id="not-allowed"),
    ],
)
def test_needs_mfa(tmp_path: Path, statements: list[dict[str, Any]], needs_mfa: bool) -> None:
    assert permissions(tmp_path, statements).decide("s3:GetObject").needs_mfa is needs_mfa


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        pytest.param([_allow("A"), MFA_DENY], ("MfaDeny",), id="enforced"),
        pytest.param([_allow("A"), _deny("D")], (), id="other-deny"),
        pytest.param([_allow("A")], (), id="none"),
        pytest.param(
            [_deny("D", "*", Condition={"Bool": {"aws:MultiFactorAuthPresent": UNKNOWN}})],
            None,
            id="unresolved-condition",
        ),
    ],
)
def test_mfa_enforcement(
    tmp_path: Path, statements: list[dict[str, Any]], expected: tuple[str, ...] | None
) -> None:
    found = permissions(tmp_path, statements).mfa_enforcement()
    assert (None if found is None else tuple(str(g.statement.sid) for g in found)) == expected


def test_mfa_enforcement_unknown_with_an_unknown_document(tmp_path: Path) -> None:
    perms = permissions(tmp_path, [], role={"ManagedPolicyArns": [UNKNOWN]})
    assert perms.mfa_enforcement() is None


# ---------------------------------------------------------------------- administrators


@pytest.mark.parametrize(
    ("statements", "boundary", "expected"),
    [
        pytest.param([_allow("A", "*")], None, ("A",), id="admin"),
        pytest.param([_allow("A", "*", resource=BUCKET_X)], None, (), id="not-on-any-resource"),
        pytest.param(
            [{"Sid": "A", "Effect": "Allow", "Action": "*", "NotResource": BUCKET_X}],
            None,
            ("A",),
            id="not-resource-is-any",
        ),
        pytest.param([_allow("A", "s3:*")], None, (), id="one-service"),
        pytest.param([_allow("A", "*"), _deny("D")], None, (), id="unconditional-deny"),
        pytest.param(
            [_allow("A", "*"), _deny("D", Condition={"Bool": {"aws:SecureTransport": "false"}})],
            None,
            ("A",),
            id="conditional-deny",
        ),
        pytest.param([_allow("A", "*")], [_allow("B", "s3:*")], (), id="boundary-limits"),
        pytest.param([_allow("A", "*")], [_allow("B", "*")], ("A",), id="boundary-allows-all"),
    ],
)
def test_admin_grants(
    tmp_path: Path,
    statements: list[dict[str, Any]],
    boundary: list[dict[str, Any]] | None,
    expected: tuple[str, ...],
) -> None:
    grants = permissions(tmp_path, statements, boundary).admin_grants()
    assert tuple(str(g.statement.sid) for g in grants) == expected


# ---------------------------------------------------------------------- what cannot be read


@pytest.mark.parametrize(
    ("role", "statements", "unknowns"),
    [
        pytest.param({}, [_allow("A")], (), id="nothing-unknown"),
        pytest.param(
            {"ManagedPolicyArns": [UNKNOWN]},
            [],
            ("policy known after apply ('R.Properties.ManagedPolicyArns') attached by R",),
            id="unresolved-attachment",
        ),
        pytest.param(
            {"PermissionsBoundary": "arn:aws:iam::123456789012:policy/outside"},
            [],
            ("permission boundary external:policy:arn:aws:iam::123456789012:policy/outside",),
            id="boundary-not-in-the-input",
        ),
        pytest.param(
            {},
            [{"Sid": "A", "Effect": {"Ref": "Eff"}, "Action": "s3:GetObject", "Resource": "*"}],
            ("an effect in policy R#Policies[0] (known after apply)",),
            id="unknown-effect",
        ),
    ],
)
def test_unknowns(
    tmp_path: Path,
    role: dict[str, Any],
    statements: list[dict[str, Any]],
    unknowns: tuple[str, ...],
) -> None:
    perms = permissions(tmp_path, statements, role=role)
    assert perms.unknowns == unknowns
    assert perms.partial is bool(unknowns)
    if unknowns:
        assert perms.decide("s3:GetObject").undetermined


def test_unknown_policy_document(tmp_path: Path) -> None:
    template = _template([])
    template["Resources"]["R"]["Properties"]["Policies"][0]["PolicyDocument"] = UNKNOWN
    evaluator = _evaluator(tmp_path, template)
    principal = evaluator.graph.principal("R")
    assert principal is not None
    assert evaluator.permissions(principal).unknowns == (
        "policy R#Policies[0] (unresolved: Fn::ImportValue)",
    )


def test_user_groups(tmp_path: Path) -> None:
    template = {
        "Resources": {
            "G": {
                "Type": "AWS::IAM::Group",
                "Properties": {
                    "Policies": [
                        {"PolicyName": "g", "PolicyDocument": {"Statement": [_allow("FromGroup")]}}
                    ]
                },
            },
            "U": {
                "Type": "AWS::IAM::User",
                "Properties": {"Groups": [{"Ref": "G"}, "outside-group"]},
            },
        }
    }
    evaluator = _evaluator(tmp_path, template)
    user = evaluator.graph.principal("U")
    assert user is not None
    perms = evaluator.permissions(user)
    assert evaluator.permissions(user) is perms  # cached per principal
    assert [g.address for g in perms.groups] == ["G"]
    assert perms.unknowns == ("group 'outside-group' (defined elsewhere)",)
    decision = perms.decide("s3:GetObject")
    assert sids(decision) == (("FromGroup",), (), (), True)
    (grant,) = decision.allowed_by
    assert grant.source.via is not None
    assert grant.source.describe() == "inline policy 'g' via group 'G'"


# ---------------------------------------------------------------------- helpers


def test_allowed_services_denies_of_and_actions_of(tmp_path: Path) -> None:
    perms = permissions(
        tmp_path,
        [_allow("A", ["s3:GetObject", "sqs:SendMessage"]), _deny("D", "s3:*")],
        [_allow("B", "*"), _deny("BD", "sqs:SendMessage")],
    )
    assert perms.allowed_services() == frozenset({"s3", "sqs"})
    assert [str(g.statement.sid) for g in perms.denies_of("S3:GetObject")] == ["D"]
    assert [str(g.statement.sid) for g in perms.denies_of("sqs:SendMessage")] == ["BD"]
    (allow,) = [g for g in perms.grants if g.is_allow]
    assert sorted(i.full_name for i in perms.actions_of(allow)) == [
        "s3:GetObject",
        "sqs:SendMessage",
    ]
    only_s3 = perms.actions_of(allow, _is_s3)
    assert [i.full_name for i in only_s3] == ["s3:GetObject"]
    assert perms.actions_of(allow, _is_s3) is only_s3  # cached


def _is_s3(info: Any) -> bool:
    return str(info.full_name).startswith("s3:")


def test_actions_of_not_action(tmp_path: Path) -> None:
    perms = permissions(
        tmp_path, [{"Sid": "A", "Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}]
    )
    (grant,) = perms.grants
    names = {i.full_name for i in perms.actions_of(grant)}
    assert "iam:CreateUser" in names
    assert not any(name.startswith("s3:") for name in names)
    assert perms.allowed_services() is None


def test_statements_naming_an_action_are_found_once_per_action(tmp_path: Path) -> None:
    perms = permissions(tmp_path, [_allow("A", resource=BUCKET_X)])
    assert sids(perms.decide("s3:GetObject")) == (("A",), (), (), False)
    assert sids(perms.decide("s3:GetObject", ON_X)) == (("A",), (), (), False)
    assert sids(perms.decide("s3:GetObject", ON_Y)) == ((), (), (), False)


def test_a_policy_shared_by_two_roles_is_compiled_once(tmp_path: Path) -> None:
    template = _template([])
    resources = template["Resources"]
    resources["R2"] = {"Type": "AWS::IAM::Role", "Properties": dict(resources["R"]["Properties"])}
    resources["M"] = {
        "Type": "AWS::IAM::ManagedPolicy",
        "Properties": {
            "PolicyDocument": {"Statement": [_allow("Shared")]},
            "Roles": [{"Ref": "R"}, {"Ref": "R2"}],
        },
    }
    evaluator = _evaluator(tmp_path, template)
    first, second = (evaluator.graph.principal(a) for a in ("R", "R2"))
    assert first is not None
    assert second is not None
    one = evaluator.permissions(first).decide("s3:GetObject").allowed_by
    two = evaluator.permissions(second).decide("s3:GetObject").allowed_by
    assert [g.statement.sid for g in one] == [g.statement.sid for g in two] == ["Shared"]
    assert one[0].statement is two[0].statement  # one compiled statement, two grants
    assert one[0].source.edge.target == "R"
    assert two[0].source.edge.target == "R2"
