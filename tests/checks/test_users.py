"""IAM2xx user checks: direct grants (IAM201), users in no group (IAM202), password reset
(IAM205) and inline policies (IAM206)."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from iacguard.catalog import ActionCatalog
from iacguard.checks.users import (
    inline_policy,
    password_reset_not_required,
    user_direct_policy,
    user_without_group,
)
from iacguard.graph import GraphBuilder, external_id, unknown_id
from iacguard.model import (
    EdgeKind,
    Location,
    LoginProfile,
    Origin,
    Policy,
    PolicyKind,
    Principal,
    PrincipalKind,
    SourceKind,
    Unknown,
)
from iacguard.registry import Check, CheckContext
from iacguard.results import Hit
from tests.conftest import addresses, scan_case

USER, GROUP, ROLE = PrincipalKind.USER, PrincipalKind.GROUP, PrincipalKind.ROLE


def _origin(address: str) -> Origin:
    return Origin(SourceKind.TERRAFORM_PLAN, address, Location(PurePosixPath("plan.json")))


def _run(check: Check, builder: GraphBuilder) -> list[Hit]:
    return list(check.run(CheckContext(builder.build(), ActionCatalog())))


def _principal(builder: GraphBuilder, kind: PrincipalKind, address: str) -> str:
    builder.add_principal(Principal(kind, address, address, _origin(address)))
    return address


def _policy(builder: GraphBuilder, policy_id: str, kind: PolicyKind, origin: Origin) -> str:
    builder.add_policy(Policy(policy_id, kind, "p", Unknown(), origin))
    return policy_id


# ----------------------------------------------------------------------- IAM201


def test_direct_policy_one_finding_per_attaching_resource_without_pointer() -> None:
    builder = GraphBuilder()
    alice, bob = _principal(builder, USER, "u.alice"), _principal(builder, USER, "u.bob")
    ops = _principal(builder, GROUP, "g.ops")
    policy = _policy(builder, "p.read", PolicyKind.MANAGED, _origin("p.read"))
    site = _origin("aws_iam_policy_attachment.read").at("policy_arn")
    for target in (alice, bob, ops):
        builder.link(policy, target, EdgeKind.ATTACHED, site, "aws_iam_policy_attachment")
    hits = _run(user_direct_policy, builder)
    assert [(h.origin.address, h.origin.pointer, h.pointer) for h in hits] == [
        ("aws_iam_policy_attachment.read", (), ())
    ]
    assert hits[0].message == (
        "'aws_iam_policy_attachment.read' attaches policy 'p.read' directly to "
        "user 'u.alice', user 'u.bob', not a group"
    )


@pytest.mark.parametrize(
    ("target", "shown"),
    [
        pytest.param(external_id(USER, "legacy"), "user 'legacy'", id="external-user"),
        pytest.param(
            unknown_id(USER, "a.user"), "user known after apply ('a.user')", id="unknown-user"
        ),
    ],
)
def test_direct_policy_on_users_outside_the_graph(target: str, shown: str) -> None:
    builder = GraphBuilder()
    site = _origin("aws_iam_user_policy.x")
    _policy(builder, "aws_iam_user_policy.x", PolicyKind.INLINE, site)
    builder.link("aws_iam_user_policy.x", target, EdgeKind.INLINE, site, "aws_iam_user_policy")
    hits = _run(user_direct_policy, builder)
    assert [h.message for h in hits] == [
        f"'aws_iam_user_policy.x' grants an inline policy directly to {shown}, not a group"
    ]


@pytest.mark.parametrize("target", [external_id(GROUP, "ops"), unknown_id(ROLE, "r.name"), "g.ops"])
def test_direct_policy_silent_for_groups_and_roles(target: str) -> None:
    builder = GraphBuilder()
    _principal(builder, GROUP, "g.ops")
    policy = _policy(builder, "p", PolicyKind.MANAGED, _origin("p"))
    builder.link(policy, target, EdgeKind.ATTACHED, _origin("att").at("policy_arn"), "att")
    assert _run(user_direct_policy, builder) == []


# ----------------------------------------------------------------------- IAM202


def _membership(builder: GraphBuilder, user: str, group: str) -> None:
    builder.link(user, group, EdgeKind.MEMBER_OF, _origin("m"), "membership")


def test_user_without_group() -> None:
    builder = GraphBuilder()
    for name in ("in", "external_only", "unknown_group", "alone"):
        _principal(builder, USER, f"u.{name}")
    _membership(builder, "u.in", _principal(builder, GROUP, "g.ops"))
    _membership(builder, "u.external_only", external_id(GROUP, "legacy"))
    _membership(builder, "u.unknown_group", unknown_id(GROUP, "m.group"))
    hits = {h.origin.address: h.message for h in _run(user_without_group, builder)}
    # a group defined elsewhere is a group (rules.md IAM202)
    assert hits == {"u.alone": "user 'u.alone' is in no group"}


def test_membership_of_a_user_known_after_apply_may_be_anyones() -> None:
    builder = GraphBuilder()
    _principal(builder, USER, "u.alone")
    _membership(builder, unknown_id(USER, "m.user"), _principal(builder, GROUP, "g.ops"))
    assert _run(user_without_group, builder) == []


# ----------------------------------------------------------------------- IAM205


@pytest.mark.parametrize(
    ("reset", "fires"),
    [(None, True), (False, True), (True, False), (Unknown("x.password_reset_required"), False)],
)
def test_password_reset(reset: bool | Unknown | None, fires: bool) -> None:
    builder = GraphBuilder()
    user = _principal(builder, USER, "u.alice")
    builder.login_profiles.append(LoginProfile("lp.alice", _origin("lp.alice"), user, reset))
    hits = _run(password_reset_not_required, builder)
    assert [h.origin.address for h in hits] == (["lp.alice"] if fires else [])


# ----------------------------------------------------------------------- IAM206


def test_inline_policy_block_is_reported_at_its_holder_with_a_pointer() -> None:
    builder = GraphBuilder()
    role = _principal(builder, ROLE, "aws_iam_role.app")
    policy = _policy(builder, f"{role}#inline_policy[1]", PolicyKind.INLINE, _origin(role))
    site = _origin(role).at("inline_policy", 1, "policy")
    builder.link(policy, role, EdgeKind.INLINE, site, "inline_policy block")
    _policy(builder, "managed", PolicyKind.MANAGED, _origin("managed"))
    hits = _run(inline_policy, builder)
    assert [(h.origin.address, h.origin.pointer) for h in hits] == [
        ("aws_iam_role.app", ("inline_policy", 1, "policy"))
    ]
    assert hits[0].message == (
        "inline policy 'aws_iam_role.app#inline_policy[1]' ('p') on role 'aws_iam_role.app'"
    )


# ----------------------------------------------------------------------- fixtures


def test_users_groups_case() -> None:
    assert addresses("users_groups", "IAM201") == {
        "aws_iam_user_policy_attachment.alice_reports_read",
        "aws_iam_policy_attachment.build_logs_read",
        "aws_iam_user_policy.carol_reports_read",
    }
    assert addresses("users_groups", "IAM202") == {"aws_iam_user.carol"}
    assert addresses("users_groups", "IAM205") == {
        "aws_iam_user_login_profile.alice",
        "aws_iam_user_login_profile.carol",
    }
    assert addresses("users_groups", "IAM206") == {
        "aws_iam_user_policy.carol_reports_read",
        "aws_iam_group_policy.engineers_ci_logs",
        "aws_iam_role_policy.report_builder_write",
        "aws_iam_role.queue_consumer",
    }


def test_attachment_findings_have_no_pointer() -> None:
    pointers = {f.pointer for f in scan_case("users_groups").findings if f.rule_id == "IAM201"}
    assert pointers == {()}


@pytest.mark.parametrize(
    ("case", "rule", "expected"),
    [
        ("credentials", "IAM202", set()),
        ("secrets", "IAM202", set()),
        ("secrets", "IAM205", set()),
        ("modules", "IAM202", set()),
        ("modules", "IAM201", set()),
        ("clean", "IAM201", set()),
        ("clean", "IAM202", set()),
        ("clean", "IAM206", set()),
        ("unknowns", "IAM206", {"aws_iam_role_policy.deployer_inline"}),
        ("admin_paths", "IAM206", {"aws_iam_role.break_glass"}),
    ],
)
def test_other_cases(case: str, rule: str, expected: set[str]) -> None:
    assert addresses(case, rule) == expected
