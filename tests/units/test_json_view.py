"""The JSON view of graph elements that declarative rules read: every key, unknown
paths, group members, boundaries, tags, and which elements each target kind yields."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from iacguard.graph import Graph, GraphBuilder
from iacguard.model import (
    ConfigBlock,
    EdgeKind,
    Location,
    Origin,
    Principal,
    PrincipalKind,
    RawValue,
    SourceKind,
    Unknown,
)
from iacguard.parsers import InputFile, parse
from iacguard.views import json_view
from iacguard.views.json_view import (
    policy_targets,
    principal_targets,
    principal_view,
    resource_targets,
    statement_targets,
)

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Boundary:
    Type: String
  Effect:
    Type: String
Resources:
  Admins:
    Type: AWS::IAM::Group
  Alice:
    Type: AWS::IAM::User
    Properties:
      Groups: [!Ref Admins, ext-group, !ImportValue shared-group]
      Tags: [{Key: team, Value: red}, {Value: nokey}]
      LoginProfile: {Password: x}
  Key:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref Alice
      Status: !Ref Effect
  Deploy:
    Type: AWS::IAM::Role
    Properties:
      PermissionsBoundary: !Ref Boundary
      ManagedPolicyArns: [arn:aws:iam::aws:policy/ReadOnlyAccess]
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: ec2.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: inline
          PolicyDocument:
            Statement:
              - Sid: One
                Effect: !Ref Effect
                Action: [s3:GetObject]
                Resource: !ImportValue bucket-arn
                Condition: {StringEquals: {"aws:RequestedRegion": [eu-west-1]}}
  Worker:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: !ImportValue trust-doc
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: logs
"""

TRUST_STATEMENT = {
    "index": 0,
    "sid": None,
    "effect": "Allow",
    "actions": ["sts:AssumeRole"],
    "not_actions": [],
    "resources": [],
    "not_resources": [],
    "principals": [{"kind": "Service", "value": "ec2.amazonaws.com"}],
    "not_principals": [],
    "conditions": [],
}
INLINE_STATEMENT = {
    "index": 0,
    "sid": "One",
    "effect": None,
    "actions": ["s3:GetObject"],
    "not_actions": [],
    "resources": [None],
    "not_resources": [],
    "principals": [],
    "not_principals": [],
    "conditions": [
        {"operator": "StringEquals", "key": "aws:RequestedRegion", "values": ["eu-west-1"]}
    ],
}
INLINE_REF = {
    "id": "Deploy#Policies[0]",
    "kind": "inline",
    "name": "inline",
    "arn": None,
    "resource_type": None,
}
COMMON = {"source": "cloudformation", "file": "t.yaml"}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    path = tmp_path_factory.mktemp("view") / "t.yaml"
    path.write_text(TEMPLATE)
    return parse(InputFile(path, PurePosixPath("t.yaml"))).graph


def _principal(graph: Graph, address: str) -> Principal:
    principal = graph.principal(address)
    assert principal is not None
    return principal


def test_user_view(graph: Graph) -> None:
    assert principal_view(graph, _principal(graph, "Alice")) == COMMON | {
        "address": "Alice",
        "kind": "user",
        "name": None,
        "arn": None,
        "has_boundary": False,
        "boundary": None,
        "tags": {"team": "red", "?": "nokey"},
        "groups": [{"address": "Admins", "name": None}, {"address": None, "name": "ext-group"}],
        "members": [],
        "policies": [],
        "trust": None,
        "console_access": True,
        "access_keys": [{"address": "Key", "active": None}],
        "unknown": ["name", "groups[0].name", "groups", "access_keys[0].active"],
    }


def test_group_view_lists_members(graph: Graph) -> None:
    view = principal_view(graph, _principal(graph, "Admins"))
    assert (view["kind"], view["members"], view["groups"], view["console_access"]) == (
        "group",
        [{"address": "Alice", "name": None}],
        [],
        False,
    )
    assert view["unknown"] == ["name", "members[0].name"]


def test_role_view(graph: Graph) -> None:
    view = principal_view(graph, _principal(graph, "Deploy"))
    assert view == COMMON | {
        "address": "Deploy",
        "kind": "role",
        "name": None,
        "arn": None,
        "has_boundary": True,
        "boundary": "unknown:policy:Deploy.Properties.PermissionsBoundary",
        "tags": {},
        "groups": [],
        "members": [],
        "policies": [
            {
                "id": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "kind": "aws-managed",
                "name": "ReadOnlyAccess",
                "arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "resource_type": None,
                "via": "attached",
            },
            INLINE_REF | {"via": "inline"},
        ],
        "trust": {"id": "Deploy#AssumeRolePolicyDocument", "statements": [TRUST_STATEMENT]},
        "console_access": False,
        "access_keys": [],
        "unknown": ["name"],
    }


def test_role_with_unknown_trust_document(graph: Graph) -> None:
    view = principal_view(graph, _principal(graph, "Worker"))
    assert view["trust"] == {"id": "Worker#AssumeRolePolicyDocument", "statements": None}
    assert view["unknown"] == ["name", "trust.statements"]


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        pytest.param(frozenset(), ["Admins", "Alice", "Deploy", "Worker"], id="all"),
        pytest.param(frozenset({"role"}), ["Deploy", "Worker"], id="roles"),
        pytest.param(frozenset({"group", "user"}), ["Admins", "Alice"], id="users-and-groups"),
    ],
)
def test_principal_targets(graph: Graph, kinds: frozenset[str], expected: list[str]) -> None:
    targets = list(principal_targets(graph, kinds))
    assert sorted(t.origin.address for t in targets) == expected
    assert all(t.name == "" and t.label == f"{t.kind} '{t.origin.address}'" for t in targets)


def test_inline_policy_target(graph: Graph) -> None:
    (target,) = policy_targets(graph, frozenset({"inline"}))
    assert (target.label, target.kind, target.name) == (
        "inline policy 'Deploy#Policies[0]'",
        "inline",
        "inline",
    )
    assert target.view == COMMON | INLINE_REF | {
        "address": "Deploy",
        "attached_to": [{"address": "Deploy", "kind": "role", "via": "inline"}],
        "problems": [],
        "statements": [INLINE_STATEMENT],
        "unknown": ["statements[0].effect", "statements[0].resources[0]"],
    }


def test_trust_policy_targets(graph: Graph) -> None:
    targets = {t.view["id"]: t.view for t in policy_targets(graph, frozenset({"trust"}))}
    assert set(targets) == {"Deploy#AssumeRolePolicyDocument", "Worker#AssumeRolePolicyDocument"}
    assert targets["Worker#AssumeRolePolicyDocument"]["statements"] is None
    assert targets["Worker#AssumeRolePolicyDocument"]["unknown"] == ["statements"]
    assert targets["Deploy#AssumeRolePolicyDocument"]["attached_to"] == [
        {"address": "Deploy", "kind": "role", "via": "trusts"}
    ]


def test_aws_managed_policy_is_reported_at_its_attachment(graph: Graph) -> None:
    (target,) = policy_targets(graph, frozenset({"aws-managed"}))
    assert (target.origin.address, target.origin.pointer) == (
        "Deploy",
        ("Properties", "ManagedPolicyArns"),
    )
    assert target.view["name"] == "ReadOnlyAccess"
    statements = target.view["statements"]
    assert isinstance(statements, list)
    assert statements[-1]["sid"] == "S3ExpressReadOnlySessionObjectAccess"
    first = next(statement_targets(graph, frozenset({"aws-managed"})))
    assert first.origin == target.origin.at("Statement", 0)


def test_statement_targets(graph: Graph) -> None:
    (target,) = statement_targets(graph, frozenset({"inline"}))
    assert (target.label, target.kind, target.name) == (
        "statement 0 of inline policy 'Deploy#Policies[0]'",
        "statement",
        "One",
    )
    assert target.view == COMMON | INLINE_STATEMENT | {
        "address": "Deploy",
        "policy": INLINE_REF,
        "unknown": ["effect", "resources[0]"],
    }


def test_statement_targets_skip_unknown_documents(graph: Graph) -> None:
    targets = list(statement_targets(graph, frozenset({"trust"})))
    assert [t.view["policy"]["id"] for t in targets] == ["Deploy#AssumeRolePolicyDocument"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        pytest.param(frozenset({"AWS::S3::Bucket"}), ["Bucket"], id="one-type"),
        pytest.param(frozenset({"AWS::Nope"}), [], id="none"),
    ],
)
def test_resource_targets(graph: Graph, types: frozenset[str], expected: list[str]) -> None:
    targets = list(resource_targets(graph, types))
    assert [t.origin.address for t in targets] == expected
    for target in targets:
        assert target.label == "AWS::S3::Bucket 'Bucket'"
        assert target.view == COMMON | {
            "address": "Bucket",
            "kind": "resource",
            "type": "AWS::S3::Bucket",
            "values": {"BucketName": "logs"},
            "unknown": [],
        }


def test_resource_targets_all_types_once_per_address(graph: Graph) -> None:
    addresses = [t.origin.address for t in resource_targets(graph, frozenset())]
    assert len(addresses) == len(set(addresses))
    assert {"Alice", "Bucket", "Deploy"} <= set(addresses)


# ---------------------------------------------------------------------- boundaries from values


ORIGIN = Origin(SourceKind.TERRAFORM_PLAN, "aws_iam_role.r", Location(PurePosixPath("p.json")))
ROLE = Principal(PrincipalKind.ROLE, "aws_iam_role.r", "r", ORIGIN)


def _graph_with_values(values: dict[str, RawValue] | None, *, edge: bool = False) -> Graph:
    builder = GraphBuilder()
    builder.add_principal(ROLE)
    if values is not None:
        block = ConfigBlock("resource", "aws_iam_role", ROLE.address, ORIGIN, values)
        builder.config_blocks.append(block)
    if edge:
        builder.link("policy.b", ROLE.address, EdgeKind.BOUNDARY, ORIGIN, "permissions_boundary")
    return builder.build()


@pytest.mark.parametrize(
    ("values", "edge", "expected", "unknown"),
    [
        pytest.param(None, False, (False, None), [], id="no-block"),
        pytest.param({}, False, (False, None), [], id="not-set"),
        pytest.param({"permissions_boundary": ""}, False, (False, None), [], id="empty"),
        pytest.param(
            {"permissions_boundary": "arn:aws:iam::1:policy/b"},
            False,
            (True, "arn:aws:iam::1:policy/b"),
            [],
            id="arn",
        ),
        pytest.param(
            {"permissions_boundary": Unknown("x")},
            False,
            (None, None),
            ["has_boundary", "boundary"],
            id="unknown",
        ),
        pytest.param(
            {"PermissionsBoundary": {"Fn::ImportValue": "b"}},
            False,
            (True, None),
            ["boundary"],
            id="intrinsic",
        ),
        pytest.param({}, True, (True, "policy.b"), [], id="edge-wins"),
    ],
)
def test_boundary(
    values: dict[str, RawValue] | None,
    edge: bool,
    expected: tuple[object, object],
    unknown: list[str],
) -> None:
    view = principal_view(_graph_with_values(values, edge=edge), ROLE)
    assert (view["has_boundary"], view["boundary"]) == expected
    assert view["unknown"] == unknown


@pytest.mark.parametrize(
    ("tags", "expected", "unknown"),
    [
        pytest.param(None, {}, [], id="null"),
        pytest.param({"a": "1"}, {"a": "1"}, [], id="map"),
        pytest.param({"a": Unknown("t")}, {"a": None}, ["tags.a"], id="unknown-value"),
        pytest.param(
            ({"Key": "a", "Value": "1"}, "junk", {"Key": 3, "Value": "2"}),
            {"a": "1", "?": "2"},
            [],
            id="cloudformation-list",
        ),
        pytest.param((Unknown("t"),), {}, [], id="list-of-unknown"),
    ],
)
def test_tags(tags: RawValue, expected: object, unknown: list[str]) -> None:
    view = principal_view(_graph_with_values({"tags": tags}), ROLE)
    assert view["tags"] == expected
    assert view["unknown"] == unknown


def test_view_file_is_the_display_path() -> None:
    assert json_view._common(ORIGIN, json_view._Unknowns()) == {
        "address": "aws_iam_role.r",
        "source": "terraform-plan",
        "file": "p.json",
        "unknown": [],
    }
    assert Path(str(ORIGIN.location.file)).name == "p.json"
