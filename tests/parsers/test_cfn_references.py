"""CloudFormation values that name other resources: the exact ``Unknown.refs`` of each
intrinsic, OIDC provider nodes, and policies attached through ``Groups``/``Users``/``Roles``."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from iacguard.analysis.analyzer import Analyzer
from iacguard.catalog import default_catalog
from iacguard.graph import Graph, external_id
from iacguard.model import (
    AttributeRef,
    EdgeKind,
    MaybeStr,
    OidcProvider,
    PolicyDocument,
    PrincipalKind,
    Statement,
    Unknown,
)
from iacguard.parsers.cloudformation._values import referenced
from iacguard.parsers.cloudformation.template import parse_template
from tests.conftest import FIXTURES

TEMPLATE = FIXTURES / "cloudformation" / "cfn_references" / "template.yaml"
GITHUB_ARN = "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"


def _graph(path: Path, text: str | None = None) -> Graph:
    if text is not None:
        path.write_text(text)
    return parse_template(path, PurePosixPath(path.name), path.read_text()).graph


def _statements(graph: Graph, policy_id: str) -> tuple[Statement, ...]:
    policy = graph.policy(policy_id)
    assert policy is not None
    assert isinstance(policy.document, PolicyDocument)
    return policy.document.statements


def ref(address: str, attribute: str = "Ref") -> Unknown:
    """What ``!Ref X`` (or ``!GetAtt X.A`` with *attribute*) of a resource gives."""
    expr = f"!Ref {address}" if attribute == "Ref" else f"!GetAtt {address}.{attribute}"
    return Unknown(expr, (AttributeRef(address, attribute),))


def unknown(expr: str, *refs: tuple[str, str]) -> Unknown:
    return Unknown(expr, tuple(AttributeRef(a, b) for a, b in refs))


# --------------------------------------------------------------------------- intrinsics

_RESOURCES = """\
Parameters:
  Required: {Type: String}
  Attr: {Type: String, Default: Arn}
Conditions:
  IsProd: !Equals [!Ref "AWS::AccountId", "123456789012"]
Mappings:
  Accounts:
    prod: {Id: "111122223333"}
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Ci:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: codebuild.amazonaws.com}, Action: sts:AssumeRole}
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Github:
    Type: AWS::IAM::OIDCProvider
    Properties: {Url: "https://token.actions.githubusercontent.com"}
  Cluster:
    Type: AWS::IAM::OIDCProvider
    Properties: {Url: !Ref Required}
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Handler: app.handler, Runtime: python3.12, CodeUri: s3://b/k.zip}
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {AWS: "111122223333"}
            Action: s3:GetObject
            Resource: {value}
"""

_SUB_ROLE = "arn:aws:iam::${AWS::AccountId}:role/${Ci}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Ref / GetAtt of a resource: the value *is* the attribute
        pytest.param("!Ref Ci", (ref("Ci"),), id="ref"),
        pytest.param("!GetAtt Ci.Arn", (ref("Ci", "Arn"),), id="getatt-short"),
        pytest.param("{'Fn::GetAtt': [Ci, Arn]}", (ref("Ci", "Arn"),), id="getatt-list"),
        pytest.param("{'Fn::GetAtt': Ci.Arn}", (ref("Ci", "Arn"),), id="getatt-string"),
        pytest.param(
            "{'Fn::GetAtt': [Ci, {Ref: Attr}]}", (ref("Ci", "Arn"),), id="getatt-ref-attribute"
        ),
        pytest.param(
            "!GetAtt Bucket.RegionalDomainName",
            (ref("Bucket", "RegionalDomainName"),),
            id="getatt-other-attribute",
        ),
        pytest.param("!GetAtt FnRole.Arn", (ref("FnRole", "Arn"),), id="getatt-sam-role"),
        # not resources: no refs
        pytest.param("!Ref Required", (Unknown("!Ref Required"),), id="ref-parameter"),
        pytest.param("!Ref Nowhere", (Unknown("!Ref Nowhere"),), id="ref-undefined"),
        pytest.param(
            "!GetAtt Nowhere.Arn", (Unknown("!GetAtt Nowhere.Arn"),), id="getatt-undefined"
        ),
        pytest.param("!ImportValue shared-arn", (Unknown("Fn::ImportValue"),), id="import"),
        # Fn::Sub: each resource variable, in order, once; pseudo parameters stay text
        pytest.param(
            f"!Sub '{_SUB_ROLE}'", (unknown(f"!Sub {_SUB_ROLE}", ("Ci", "Ref")),), id="sub-ref"
        ),
        pytest.param(
            "!Sub '${Bucket.Arn}/*'",
            (unknown("!Sub ${Bucket.Arn}/*", ("Bucket", "Arn")),),
            id="sub-getatt",
        ),
        pytest.param(
            "!Sub 'arn:aws:s3:::${Bucket}/${Ci.RoleId}/${Bucket}/*'",
            (
                unknown(
                    "!Sub arn:aws:s3:::${Bucket}/${Ci.RoleId}/${Bucket}/*",
                    ("Bucket", "Ref"),
                    ("Ci", "RoleId"),
                ),
            ),
            id="sub-in-order-once",
        ),
        pytest.param(
            "!Sub 'arn:aws:s3:::${Required}/${Bucket}'",
            (unknown("!Sub arn:aws:s3:::${Required}/${Bucket}", ("Bucket", "Ref")),),
            id="sub-parameter-is-no-ref",
        ),
        pytest.param("!Sub '${Ci.Arn}'", (ref("Ci", "Arn"),), id="sub-one-variable"),
        pytest.param(
            "!Sub ['arn:aws:s3:::${Name}/*', {Name: !Ref Bucket}]",
            (unknown("!Sub arn:aws:s3:::${Name}/*", ("Bucket", "Ref")),),
            id="sub-variable-map",
        ),
        pytest.param(
            "!Sub 'arn:aws:iam::${AWS::AccountId}:root'",
            ("arn:aws:iam::${AWS::AccountId}:root",),
            id="sub-pseudo-only",
        ),
        # Fn::Join / Fn::Select / Fn::Split: the refs of their unresolved parts
        pytest.param(
            "!Join ['', [!GetAtt Bucket.Arn, /*]]",
            (unknown("Fn::Join", ("Bucket", "Arn")),),
            id="join",
        ),
        pytest.param("!Join ['', [!GetAtt Bucket.Arn]]", (ref("Bucket", "Arn"),), id="join-one"),
        pytest.param(
            "!Join [':', [!Select [0, !Split ['-', !Ref Bucket]], !GetAtt Ci.Arn, !Ref Required]]",
            (unknown("Fn::Join", ("Bucket", "Ref"), ("Ci", "Arn")),),
            id="join-nested",
        ),
        pytest.param("!Select [1, [a, !GetAtt Ci.Arn]]", (ref("Ci", "Arn"),), id="select-known"),
        pytest.param(
            "!Select [0, !Split ['/', !Ref Bucket]]",
            (unknown("Fn::Select", ("Bucket", "Ref")),),
            id="select-split",
        ),
        pytest.param(
            "!Select [!Ref Required, [!Ref Bucket, !GetAtt Ci.Arn]]",
            (unknown("Fn::Select", ("Bucket", "Ref"), ("Ci", "Arn")),),
            id="select-unknown-index",
        ),
        pytest.param(
            "!Select [0, !Cidr [!GetAtt Vpc.CidrBlock, 2, 8]]",
            (unknown("Fn::Select", ("Vpc", "CidrBlock")),),
            id="select-cidr",
        ),
        pytest.param(
            "!FindInMap [Accounts, !Ref Bucket, Id]",
            (unknown("Fn::FindInMap", ("Bucket", "Ref")),),
            id="find-in-map",
        ),
        # Fn::If: each branch keeps its own refs; inside another function they add up
        pytest.param(
            "!If [IsProd, !GetAtt Ci.Arn, !Ref Bucket]",
            (ref("Ci", "Arn"), ref("Bucket")),
            id="if",
        ),
        pytest.param(
            "!Join ['', [!If [IsProd, !GetAtt Bucket.Arn, !Ref AWS::NoValue], /*]]",
            (unknown("Fn::Join", ("Bucket", "Arn")),),
            id="if-in-join",
        ),
        pytest.param(
            "!Sub ['${B}/*', {B: !If [IsProd, !GetAtt Bucket.Arn, !GetAtt Ci.Arn]}]",
            (unknown("!Sub ${B}/*", ("Bucket", "Arn"), ("Ci", "Arn")),),
            id="if-in-sub",
        ),
        # OIDC providers: a literal Url gives the ARN, which names the issuer
        pytest.param("!Ref Github", (GITHUB_ARN,), id="oidc-literal-url-ref"),
        pytest.param("!GetAtt Github.Arn", (GITHUB_ARN,), id="oidc-literal-url-getatt"),
        pytest.param("!Ref Cluster", (ref("Cluster"),), id="oidc-parameter-url-ref"),
        pytest.param(
            "!GetAtt Cluster.Arn", (ref("Cluster", "Arn"),), id="oidc-parameter-url-getatt"
        ),
    ],
)
def test_intrinsic_refs(tmp_path: Path, value: str, expected: tuple[MaybeStr, ...]) -> None:
    graph = _graph(tmp_path / "template.yaml", _RESOURCES.replace("{value}", value))
    [statement] = _statements(graph, "Policy")
    assert statement.resources == expected


def test_sub_document_keeps_refs(tmp_path: Path) -> None:
    """A policy written as ``!Sub`` JSON: a string that is one variable is its value, a
    string holding variables carries their refs."""
    text = (
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n  Ci:\n    Type: AWS::IAM::Role\n"
        "    Properties:\n      AssumeRolePolicyDocument: {Statement: []}\n"
        "      Policies:\n        - PolicyName: p\n          PolicyDocument: !Sub |\n"
        '            {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",\n'
        '             "Resource": ["${Bucket.Arn}", "${Bucket.Arn}/${Ci}/*"]}]}\n'
    )
    [statement] = _statements(_graph(tmp_path / "t.yaml", text), "Ci#Policies[0]")
    whole, computed = statement.resources
    assert whole == ref("Bucket", "Arn")
    assert isinstance(computed, Unknown)
    assert computed.refs == (AttributeRef("Bucket", "Arn"), AttributeRef("Ci", "Ref"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(ref("Ci", "Arn"), AttributeRef("Ci", "Arn"), id="getatt"),
        pytest.param(ref("Ci"), AttributeRef("Ci", "Ref"), id="ref"),
        pytest.param(unknown("!Sub ${Ci}-x", ("Ci", "Ref")), None, id="computed-from-one"),
        pytest.param(unknown("Fn::Join", ("Ci", "Ref")), None, id="join"),
        pytest.param(Unknown("!Ref Param"), None, id="parameter"),
        pytest.param("arn:aws:iam::123456789012:role/ci", None, id="string"),
    ],
)
def test_referenced_is_only_the_attribute_itself(
    value: MaybeStr, expected: AttributeRef | None
) -> None:
    """The parser's own test of "this value *is* that attribute": an exact ``Ref`` or
    ``Fn::GetAtt``, not a value computed from one."""
    assert referenced(value) == expected


# --------------------------------------------------------------------------- OIDC providers


def test_oidc_provider_nodes(tmp_path: Path) -> None:
    text = (
        "Parameters:\n  Issuer: {Type: String, Default: 'https://oidc.example.com'}\n"
        "  Unset: {Type: String}\n"
        "Resources:\n"
        "  Github:\n    Type: AWS::IAM::OIDCProvider\n"
        "    Properties: {Url: 'https://token.actions.githubusercontent.com'}\n"
        "  FromDefault:\n    Type: AWS::IAM::OIDCProvider\n    Properties: {Url: !Ref Issuer}\n"
        "  FromParameter:\n    Type: AWS::IAM::OIDCProvider\n    Properties: {Url: !Ref Unset}\n"
        "  NoUrl:\n    Type: AWS::IAM::OIDCProvider\n    Properties: {ClientIdList: [x]}\n"
    )
    providers = _graph(tmp_path / "t.yaml", text).oidc_providers
    assert [(p.address, p.url) for p in providers] == [
        ("Github", "https://token.actions.githubusercontent.com"),
        ("FromDefault", "https://oidc.example.com"),
        ("FromParameter", Unknown("!Ref Unset")),
        ("NoUrl", Unknown("NoUrl.Url")),
    ]
    github = providers[0]
    assert github.origin.address == "Github"
    assert github.origin.location.line == 5


def test_fixture_oidc_providers_and_trusts() -> None:
    graph = _graph(TEMPLATE)
    assert [(p.address, p.url) for p in graph.oidc_providers] == [
        ("GithubOidc", "https://token.actions.githubusercontent.com"),
        ("ClusterOidc", Unknown("!Ref ClusterIssuerUrl")),
    ]
    assert all(isinstance(p, OidcProvider) for p in graph.oidc_providers)
    [deploy] = _statements(graph, "DeployRole#AssumeRolePolicyDocument")
    assert [r.value for r in deploy.principals] == [GITHUB_ARN]
    [web] = _statements(graph, "WebServiceRole#AssumeRolePolicyDocument")
    assert [(r.kind, r.value) for r in web.principals] == [("Federated", ref("ClusterOidc", "Arn"))]


def test_fixture_refs_in_documents() -> None:
    graph = _graph(TEMPLATE)
    listing, read_write, key, promote = _statements(graph, "ArtifactAccess")
    assert listing.resources == (ref("ArtifactBucket", "Arn"),)
    assert read_write.resources == (
        unknown("!Sub ${ArtifactBucket.Arn}/builds/*", ("ArtifactBucket", "Arn")),
        unknown("Fn::Join", ("ArtifactBucket", "Arn")),
    )
    assert key.resources == (ref("ArtifactKey", "Arn"),)
    assert promote.resources == (
        unknown(
            "!Sub arn:${AWS::Partition}:s3:::${ArtifactBucket}/releases/*",
            ("ArtifactBucket", "Ref"),
        ),
        unknown("!Sub ${ArtifactBucket.Arn}/staging/*", ("ArtifactBucket", "Arn")),
    )
    [notes] = _statements(graph, "ReleaseNotes")
    assert notes.resources == (
        unknown("Fn::Join", ("ArtifactBucket", "Arn"), ("ArtifactBucket", "Ref")),
    )
    _, deploy_use = _statements(graph, "ArtifactKey")
    assert [r.value for r in deploy_use.principals] == [ref("DeployRole", "Arn")]


# --------------------------------------------------------------------------- attachments


@pytest.mark.parametrize(
    ("policy_type", "name_property", "kind"),
    [
        pytest.param("AWS::IAM::Policy", "PolicyName", EdgeKind.INLINE, id="policy"),
        pytest.param(
            "AWS::IAM::ManagedPolicy",
            "ManagedPolicyName",
            EdgeKind.ATTACHED,
            id="managed-policy",
        ),
    ],
)
def test_holders_by_ref_and_by_name(
    tmp_path: Path, policy_type: str, name_property: str, kind: EdgeKind
) -> None:
    """``Groups``/``Users``/``Roles`` by ``!Ref`` or by the principal's literal name bind
    the policy to that principal of the template; an unknown name stays external."""
    text = (
        "Resources:\n"
        "  Ops:\n    Type: AWS::IAM::Group\n    Properties: {GroupName: ops}\n"
        "  Devs:\n    Type: AWS::IAM::Group\n"
        "  Ann:\n    Type: AWS::IAM::User\n    Properties: {UserName: ann}\n"
        "  Ben:\n    Type: AWS::IAM::User\n"
        "  Ci:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: ci\n"
        "      AssumeRolePolicyDocument: {Statement: []}\n"
        f"  P:\n    Type: {policy_type}\n    Properties:\n      {name_property}: p\n"
        "      Groups: [ops, !Ref Devs, legacy]\n      Users: [!Ref Ben, ann]\n"
        "      Roles: [ci]\n"
        "      PolicyDocument: {Statement: [{Effect: Allow, Action: s3:ListAllMyBuckets, "
        "Resource: '*'}]}\n"
    )
    graph = _graph(tmp_path / "t.yaml", text)
    assert [e.target for e in graph.edges_from("P", kind)] == [
        "Ben",
        "Ann",
        "Ops",
        "Devs",
        external_id(PrincipalKind.GROUP, "legacy"),
        "Ci",
    ]
    other = EdgeKind.ATTACHED if kind is EdgeKind.INLINE else EdgeKind.INLINE
    assert not graph.edges_from("P", other)


def test_fixture_attachments_and_memberships() -> None:
    graph = _graph(TEMPLATE)
    members = {(e.source, e.target, e.reason) for e in graph.edges(EdgeKind.MEMBER_OF)}
    assert members == {
        ("Alice", "Builders", "Groups"),
        ("Bob", "Builders", "AWS::IAM::UserToGroupAddition"),
    }
    bound = {
        (e.source, e.kind, e.target)
        for e in graph.edges()
        if e.kind in {EdgeKind.ATTACHED, EdgeKind.INLINE}
    }
    assert bound == {
        ("ArtifactAccess", EdgeKind.ATTACHED, "DeployRole"),
        ("ArtifactAccess", EdgeKind.ATTACHED, "WebServiceRole"),
        ("PassFunctionRoles", EdgeKind.INLINE, "Builders"),
        ("FunctionDeploy", EdgeKind.ATTACHED, "Alice"),
        ("ReleaseNotes", EdgeKind.INLINE, "Bob"),
        ("ReleaseNotes", EdgeKind.INLINE, "Releasers"),
        ("ReleaseNotes", EdgeKind.INLINE, "DeployRole"),
    }


def test_escalation_split_across_groups_and_users() -> None:
    """``iam:PassRole`` reaches Alice through a policy on her group (``Groups``, by name),
    the Lambda actions through a policy on her (``Users``, by ``!Ref``): her effective
    permissions hold both, so the escalation path is visible; Bob only has the first."""
    graph = _graph(TEMPLATE)
    evaluator = Analyzer(graph, default_catalog())
    alice, bob = graph.principal("Alice"), graph.principal("Bob")
    assert alice is not None
    assert bob is not None
    perms = evaluator.permissions(alice)
    assert [g.address for g in perms.groups] == ["Builders"]
    expected = {
        "iam:PassRole": {"inline policy 'pass-function-roles' via group 'Builders'"},
        "lambda:CreateFunction": {"policy 'iacguard-fixture-function-deploy'"},
        "lambda:InvokeFunction": {"policy 'iacguard-fixture-function-deploy'"},
    }
    for action, sources in expected.items():
        decision = perms.decide(action)
        assert decision.allowed, action
        assert {g.source.describe() for g in decision.allowed_by} == sources
        assert not decision.undetermined
    assert not perms.partial
    assert evaluator.privilege(alice) is not None
    bob_perms = evaluator.permissions(bob)
    assert bob_perms.decide("iam:PassRole").allowed
    assert not bob_perms.decide("lambda:CreateFunction").allowed
    assert evaluator.privilege(bob) is None
