"""The graph builder's verbs, which every format mapper calls: node ids, how names, ARNs
and references find nodes, and the edges each relation makes (kind, direction, order,
origin, reason).

The mappers' own tests (tests/parsers) check that each format's shape reaches these
verbs; tests/checks/test_parity.py checks that a scenario gives the same rules in
Terraform and CloudFormation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

import pytest

from iacguard.graph import external_id, external_policy_id, unknown_id, unknown_policy_id
from iacguard.model import (
    AccessKey,
    Edge,
    EdgeKind,
    Location,
    Origin,
    Policy,
    PolicyDocument,
    PolicyKind,
    Principal,
    PrincipalKind,
    RawValue,
    SourceKind,
    Unknown,
)
from iacguard.parsers._graph_builder import IamGraphBuilder, embedded_id, principal_name

USER, GROUP, ROLE = PrincipalKind.USER, PrincipalKind.GROUP, PrincipalKind.ROLE
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
NOT_SHIPPED = "arn:aws:iam::aws:policy/NoSuchPolicyShippedByAws"
DEPLOY_ARN = "arn:aws:iam::111122223333:policy/ci/deploy"


def _origin(address: str) -> Origin:
    return Origin(SourceKind.TERRAFORM_PLAN, address, Location(PurePosixPath("main.tf"), 1))


SITE = _origin("aws_iam_policy_attachment.x").at("policy_arn")


def _builder() -> IamGraphBuilder:
    """Users alice and bob, group ops, role ci, and policy deploy (name and ARN known)."""
    builder = IamGraphBuilder()
    for kind, address, name in (
        (USER, "u.alice", "alice"),
        (USER, "u.bob", "bob"),
        (GROUP, "g.ops", "ops"),
        (ROLE, "r.ci", "ci"),
        (USER, "u.nameless", Unknown("u.nameless.name")),
    ):
        builder.add_principal(Principal(kind, address, name, _origin(address)))
    deploy = Policy("p.deploy", PolicyKind.MANAGED, "deploy", Unknown(), _origin("p"), DEPLOY_ARN)
    builder.add_managed_policy(deploy)
    return builder


# ----------------------------------------------------------------------- ids


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param("alice", "alice", id="name"),
        pytest.param("arn:aws:iam::111122223333:user/team/alice", "alice", id="arn-with-path"),
        pytest.param("team/alice", "team/alice", id="not-an-arn-kept-whole"),
        pytest.param("", "", id="empty"),
    ],
)
def test_principal_name(given: str, expected: str) -> None:
    assert principal_name(given) == expected


def test_embedded_id() -> None:
    assert embedded_id("aws_iam_role.ci", "assume_role_policy") == (
        "aws_iam_role.ci#assume_role_policy"
    )


# ----------------------------------------------------------------------- finding principals


@pytest.mark.parametrize(
    ("kind", "given", "expected"),
    [
        pytest.param(USER, "alice", "u.alice", id="defined-name"),
        pytest.param(USER, "arn:aws:iam::111122223333:user/alice", "u.alice", id="defined-arn"),
        pytest.param(GROUP, "ops", "g.ops", id="group"),
        pytest.param(GROUP, "alice", external_id(GROUP, "alice"), id="other-kind-is-outside"),
        pytest.param(USER, "carol", external_id(USER, "carol"), id="undefined-name"),
        pytest.param(
            ROLE,
            "arn:aws:iam::111122223333:role/svc/legacy",
            external_id(ROLE, "legacy"),
            id="undefined-arn-by-its-name",
        ),
        pytest.param(USER, "", external_id(USER, ""), id="empty-is-someone-unnamed"),
    ],
)
def test_principal_named(kind: PrincipalKind, given: str, expected: str) -> None:
    assert _builder().principal_named(kind, given) == expected


def test_principal_named_finds_the_last_added_of_a_name() -> None:
    builder = _builder()
    builder.add_principal(Principal(USER, "u.alice_again", "alice", _origin("u.alice_again")))
    assert builder.principal_named(USER, "alice") == "u.alice_again"
    assert builder.principals["u.alice"].name == "alice"  # the first of an address stays


@pytest.mark.parametrize(
    ("address", "kind", "expected"),
    [
        pytest.param("u.alice", USER, True, id="user"),
        pytest.param("u.alice", GROUP, False, id="wrong-kind"),
        pytest.param("u.nameless", USER, True, id="name-unknown"),
        pytest.param("p.deploy", USER, False, id="a-policy"),
        pytest.param("u.missing", USER, False, id="absent"),
    ],
)
def test_is_principal(address: str, kind: PrincipalKind, expected: bool) -> None:
    assert _builder().is_principal(address, kind) is expected


def test_unknown_principal() -> None:
    assert IamGraphBuilder.unknown_principal(USER, "var.user") == unknown_id(USER, "var.user")


@pytest.mark.parametrize(
    ("targets", "expected"),
    [
        pytest.param(["u.alice"], "u.alice", id="one"),
        pytest.param([external_id(USER, "bob")], external_id(USER, "bob"), id="one-outside"),
        pytest.param([], unknown_id(USER, "aws_iam_access_key.k"), id="none"),
        pytest.param(["u.alice", "u.bob"], unknown_id(USER, "aws_iam_access_key.k"), id="two"),
    ],
)
def test_sole_principal(targets: list[str], expected: str) -> None:
    builder = IamGraphBuilder()
    assert builder.sole_principal(targets, USER, "aws_iam_access_key.k") == expected


# ----------------------------------------------------------------------- finding policies


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(DEPLOY_ARN, "p.deploy", id="defined-arn"),
        pytest.param("arn:aws:iam::999999999999:policy/deploy", "p.deploy", id="by-name"),
        pytest.param("deploy", "p.deploy", id="bare-name"),
        pytest.param(
            "arn:aws:iam::111122223333:policy/other",
            external_policy_id("arn:aws:iam::111122223333:policy/other"),
            id="undefined",
        ),
        pytest.param(ADMIN, ADMIN, id="aws-managed"),
    ],
)
def test_policy_named(given: str, expected: str) -> None:
    assert _builder().policy_named(given, SITE) == expected


def test_policy_named_prefers_the_arn_to_the_name() -> None:
    builder = _builder()
    other = Policy("p.other", PolicyKind.MANAGED, "deploy2", Unknown(), _origin("p"), "x/deploy")
    builder.add_managed_policy(other)
    assert builder.policy_named("x/deploy", SITE) == "p.other"
    assert builder.policy_named("y/deploy", SITE) == "p.deploy"


def test_aws_managed_policy_is_added_once_with_its_shipped_document() -> None:
    builder = IamGraphBuilder()
    placed = _origin("aws_iam_role.ci").at("managed_policy_arns")
    assert builder.policy_named(ADMIN, SITE, placed) == ADMIN
    assert builder.add_aws_managed_policy(ADMIN, _origin("second")) == ADMIN
    policy = builder.policies[ADMIN]
    assert (policy.kind, policy.name, policy.arn, policy.origin) == (
        PolicyKind.AWS_MANAGED,
        "AdministratorAccess",
        ADMIN,
        SITE,
    )
    assert isinstance(policy.document, PolicyDocument)
    [statement] = policy.document.statements
    assert statement.actions == ("*",)
    assert statement.origin.pointer == (*placed.pointer, "Statement", 0)
    assert not builder.edges  # finding a policy attaches nothing


def test_aws_managed_policy_not_shipped_has_an_unknown_document() -> None:
    builder = IamGraphBuilder()
    builder.add_aws_managed_policy(NOT_SHIPPED, SITE)
    assert builder.policies[NOT_SHIPPED].document == Unknown(
        f"AWS-managed policy {NOT_SHIPPED} (not in the shipped policy set)"
    )


def test_is_policy_and_unknown_policy() -> None:
    builder = _builder()
    assert builder.is_policy("p.deploy")
    assert not builder.is_policy("u.alice")
    assert IamGraphBuilder.unknown_policy("a.policy_arn") == unknown_policy_id("a.policy_arn")


# ----------------------------------------------------------------------- documents as nodes


def test_trust_policy() -> None:
    builder = IamGraphBuilder()
    origin = _origin("aws_iam_role.ci")
    document = Unknown("trust")
    trust_id = builder.add_trust_policy(
        "aws_iam_role.ci", "assume_role_policy", document, origin, "trust policy"
    )
    assert trust_id == "aws_iam_role.ci#assume_role_policy"
    assert builder.policies[trust_id] == Policy(trust_id, PolicyKind.TRUST, None, document, origin)
    assert list(builder.edges) == [
        Edge(trust_id, "aws_iam_role.ci", EdgeKind.TRUSTS, origin, "trust policy")
    ]


@pytest.mark.parametrize(
    ("written_at", "expected_id"),
    [
        pytest.param(None, "Role#Policies[0]", id="at-the-holder"),
        pytest.param("Fn", "Fn#Policies[0]", id="at-another-resource"),
    ],
)
def test_embedded_inline_policy(written_at: str | None, expected_id: str) -> None:
    builder = IamGraphBuilder()
    origin, at = _origin("Role"), _origin("Role").at("Policies", 0)
    policy_id = builder.embed_inline_policy(
        "Role", "Policies[0]", "p", Unknown(), origin, link_origin=at, reason="Policies",
        written_at=written_at,
    )  # fmt: skip
    assert policy_id == expected_id
    assert builder.policies[policy_id] == Policy(
        expected_id, PolicyKind.INLINE, "p", Unknown(), origin
    )
    assert list(builder.edges) == [Edge(expected_id, "Role", EdgeKind.INLINE, at, "Policies")]


def test_standalone_policies() -> None:
    builder = IamGraphBuilder()
    origin = _origin("x")
    builder.add_inline_policy("aws_iam_role_policy.x", "x", Unknown(), origin)
    builder.add_resource_policy("aws_s3_bucket_policy.b", "aws_s3_bucket_policy", Unknown(), origin)
    assert list(builder.policies.values()) == [
        Policy("aws_iam_role_policy.x", PolicyKind.INLINE, "x", Unknown(), origin),
        Policy(
            "aws_s3_bucket_policy.b",
            PolicyKind.RESOURCE,
            None,
            Unknown(),
            origin,
            None,
            "aws_s3_bucket_policy",
        ),
    ]
    assert not builder.edges


def test_a_node_added_twice_keeps_the_first() -> None:
    builder = _builder()
    builder.add_managed_policy(
        Policy("p.deploy", PolicyKind.MANAGED, "renamed", Unknown(), _origin("p2"), "arn:new")
    )
    assert builder.policies["p.deploy"].name == "deploy"
    # the name and ARN given second still find it
    assert builder.policy_named("arn:new", SITE) == "p.deploy"
    assert builder.policy_named("renamed", SITE) == "p.deploy"


# ----------------------------------------------------------------------- relations

Relate = Callable[[IamGraphBuilder], None]


@pytest.mark.parametrize(
    ("relate", "expected"),
    [
        pytest.param(
            lambda b: b.attach(["p1", "p2"], ["u1", "u2"], SITE, "att"),
            [
                ("p1", "u1", EdgeKind.ATTACHED),
                ("p1", "u2", EdgeKind.ATTACHED),
                ("p2", "u1", EdgeKind.ATTACHED),
                ("p2", "u2", EdgeKind.ATTACHED),
            ],
            id="attach-policy-by-policy",
        ),
        pytest.param(
            lambda b: b.hold_inline("p", ["u1", "g1"], SITE, "att"),
            [("p", "u1", EdgeKind.INLINE), ("p", "g1", EdgeKind.INLINE)],
            id="hold-inline",
        ),
        pytest.param(
            lambda b: b.set_boundary(["b1"], "u1", SITE, "att"),
            [("b1", "u1", EdgeKind.BOUNDARY)],
            id="boundary",
        ),
        pytest.param(
            lambda b: b.add_members(["u1", "u2"], ["g1", "g2"], SITE, "att"),
            [
                ("u1", "g1", EdgeKind.MEMBER_OF),
                ("u1", "g2", EdgeKind.MEMBER_OF),
                ("u2", "g1", EdgeKind.MEMBER_OF),
                ("u2", "g2", EdgeKind.MEMBER_OF),
            ],
            id="members-user-by-user",
        ),
        pytest.param(
            lambda b: b.add_to_instance_profile(["r1"], "ip", SITE, "att"),
            [("r1", "ip", EdgeKind.IN_PROFILE)],
            id="instance-profile",
        ),
        pytest.param(
            lambda b: (b.attach(["p"], ["u"], SITE, "att"), b.attach(["p"], ["u"], SITE, "att")),
            [("p", "u", EdgeKind.ATTACHED)],
            id="same-edge-kept-once",
        ),
        pytest.param(lambda b: b.attach([], ["u"], SITE, "att"), [], id="nothing-to-attach"),
    ],
)
def test_relations(relate: Relate, expected: list[tuple[str, str, EdgeKind]]) -> None:
    builder = IamGraphBuilder()
    relate(builder)
    assert list(builder.edges) == [Edge(s, t, k, SITE, "att") for s, t, k in expected]


def test_relations_read_back_from_the_graph() -> None:
    """The edges the verbs make are the ones the graph's typed queries follow."""
    builder = _builder()
    deploy = builder.policy_named(DEPLOY_ARN, SITE)
    builder.attach([deploy], ["u.alice"], SITE, "att")
    builder.set_boundary([builder.policy_named(ADMIN, SITE)], "u.alice", SITE, "pb")
    builder.add_members(["u.alice"], [builder.principal_named(GROUP, "ops")], SITE, "m")
    trust = builder.add_trust_policy("r.ci", "trust", Unknown(), _origin("r.ci"), "trust policy")
    graph = builder.build()
    alice, ci = graph.principal("u.alice"), graph.principal("r.ci")
    assert alice is not None
    assert ci is not None
    assert [p.id for p, _ in graph.policies_of(alice)] == ["p.deploy"]
    assert graph.boundary_of(alice) == graph.policy(ADMIN)
    assert [g.address for g in graph.groups_of(alice)] == ["g.ops"]
    assert graph.trust_policy_of(ci) == graph.policy(trust)


def test_a_managed_policy_without_name_or_arn_is_found_by_reference_only() -> None:
    builder = IamGraphBuilder()
    unnamed = Policy("P", PolicyKind.MANAGED, Unknown("P.ManagedPolicyName"), Unknown(), SITE)
    builder.add_managed_policy(unnamed)
    assert builder.is_policy("P")
    assert builder.policy_named("P", SITE) == external_policy_id("P")


# ----------------------------------------------------------------------- records


@pytest.mark.parametrize(
    ("users", "status", "user", "active"),
    [
        pytest.param(["u.alice"], None, "u.alice", True, id="status-unset-is-active"),
        pytest.param(["u.alice"], "Active", "u.alice", True, id="active"),
        pytest.param(["u.alice"], "Inactive", "u.alice", False, id="inactive"),
        pytest.param(
            ["u.alice"], Unknown("var.status"), "u.alice", Unknown("k.Status"), id="status-unknown"
        ),
        pytest.param(["u.alice"], ("Active", "Inactive"), "u.alice", Unknown("k.Status"), id="two"),
        pytest.param([], "Active", unknown_id(USER, "k"), True, id="user-unknown"),
    ],
)
def test_access_key(users: list[str], status: RawValue, user: str, active: bool | Unknown) -> None:
    builder = IamGraphBuilder()
    origin = _origin("k")
    builder.add_access_key("k", origin, users, status, status_attribute="Status", encrypted=True)
    assert builder.access_keys == [AccessKey("k", origin, user, active, True)]


# --- reading policy texts -------------------------------------------------------------

ADMIN_TEXT = '{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'


@pytest.mark.parametrize(
    ("text", "remembered"),
    [
        pytest.param(ADMIN_TEXT, 1, id="a policy text is read once"),
        pytest.param("not json", 1, id="an invalid text too"),
        pytest.param(ADMIN_TEXT + " " * 10_240, 0, id="longer than IAM accepts: read each time"),
    ],
)
def test_a_builder_reads_each_policy_text_once(text: str, remembered: int) -> None:
    builder = IamGraphBuilder()
    first = builder.read_policy(text, _origin("aws_iam_policy.a"))
    second = builder.read_policy(text, _origin("aws_iam_policy.b"))
    assert isinstance(first, PolicyDocument)
    assert isinstance(second, PolicyDocument)
    for document, address in ((first, "aws_iam_policy.a"), (second, "aws_iam_policy.b")):
        assert document.origin.address == address
        assert {s.origin.address for s in document.statements} <= {address}
    assert first.problems == second.problems
    assert len(builder._readings) == remembered


def test_builders_do_not_share_readings() -> None:
    one, two = IamGraphBuilder(), IamGraphBuilder()
    one.read_policy(ADMIN_TEXT, _origin("aws_iam_policy.a"))
    assert len(one._readings) == 1
    assert two._readings == {}
