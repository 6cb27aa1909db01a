"""IAM3xx least-privilege checks: fixture cases, then small documents rule by rule."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any, TypeAlias, cast

import pluggy
import pytest

from iacguard.catalog import ActionCatalog, ActionInfo, default_catalog
from iacguard.checks import _documents, least_privilege
from iacguard.graph import Graph, GraphBuilder
from iacguard.managed_policies import aws_managed_document
from iacguard.model import (
    EdgeKind,
    Location,
    Origin,
    Policy,
    PolicyDocument,
    PolicyKind,
    Principal,
    PrincipalKind,
    SourceKind,
    Unknown,
)
from iacguard.parsers._policy_document import parse_policy
from iacguard.plugins import collect_checks
from iacguard.registry import Check, CheckContext
from iacguard.results import Hit
from tests.conftest import addresses, found, found_plan_alone, scan_case

RULES = (
    *("IAM301", "IAM302", "IAM303", "IAM304", "IAM305"),
    *("IAM307", "IAM308", "IAM309", "IAM310", "IAM311"),
)
CHECKS: dict[str, Check] = {c.id: c for c in vars(least_privilege).values() if isinstance(c, Check)}
#: a document as a test writes it: JSON-like, lists included, Unknown where unresolved
Json: TypeAlias = Any
LOCATION = Location(PurePosixPath("plan.json"))
POLICY = "aws_iam_policy.p"
ROLE = "aws_iam_role.r"


# --------------------------------------------------------------------------- helpers


def _origin(address: str) -> Origin:
    return Origin(SourceKind.TERRAFORM_PLAN, address, LOCATION)


def _document(*statements: Json) -> dict[str, Json]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _graph(raw: Json, kind: PolicyKind = PolicyKind.MANAGED, address: str = POLICY) -> Graph:
    """A graph holding one policy defined at *address* (trust policies: on a role)."""
    builder = GraphBuilder()
    if kind is PolicyKind.TRUST:
        role = _origin(address)
        builder.add_principal(Principal(PrincipalKind.ROLE, address, "r", role))
        document = parse_policy(raw, role.at("assume_role_policy"))
        policy_id = f"{address}#assume_role_policy"
        builder.add_policy(Policy(policy_id, kind, None, document, role))
        builder.link(policy_id, address, EdgeKind.TRUSTS, role, "trust policy")
    else:
        origin = _origin(address)
        document = parse_policy(raw, origin.at("policy"))
        builder.add_policy(Policy(address, kind, "p", document, origin))
    return builder.build()


def _aws_managed_graph(*names: str, attachments: int = 1) -> Graph:
    """A role with AWS-managed policies attached, *attachments* times each."""
    builder = GraphBuilder()
    builder.add_principal(Principal(PrincipalKind.ROLE, ROLE, "r", _origin(ROLE)))
    for name in names:
        arn = f"arn:aws:iam::aws:policy/{name}"
        raw = aws_managed_document(arn)
        assert raw is not None, name
        for n in range(attachments):
            at = _origin(f"aws_iam_role_policy_attachment.{name}_{n}").at("policy_arn")
            document = parse_policy(cast(Json, raw), at)
            builder.add_policy(Policy(arn, PolicyKind.AWS_MANAGED, name, document, at, arn))
            builder.link(arn, ROLE, EdgeKind.ATTACHED, at, "aws_iam_role_policy_attachment")
    return builder.build()


def _hits(rule: str, graph: Graph, catalog: ActionCatalog | None = None) -> list[Hit]:
    context = CheckContext(graph, catalog or default_catalog())
    return list(CHECKS[rule].run(context))


def _fired(graph: Graph) -> set[str]:
    return {rule for rule in RULES if _hits(rule, graph)}


# --------------------------------------------------------------------------- registration


def test_module_registers_its_ten_checks(pm: pluggy.PluginManager) -> None:
    registry, problems = collect_checks(pm)
    assert not problems
    mine = {c.id for c in registry if registry.owner(c.id) == "iacguard.checks.least_privilege"}
    assert mine == set(RULES) == set(CHECKS)


@pytest.mark.parametrize("rule", RULES)
def test_docstring_is_user_documentation(rule: str) -> None:
    check = CHECKS[rule]
    assert check.title
    assert not check.title.endswith(".")
    assert "Fix:" in check.description
    assert "least-privilege" in check.tags


# --------------------------------------------------------------------------- fixture cases


LEAST_PRIVILEGE = {
    "IAM301": {
        "aws_iam_policy.iam301_star_star",
        "aws_iam_policy.iam301_second_statement",
        "aws_iam_policy.iam301_subsumes_others",
        "aws_iam_role_policy_attachment.iam301_administrator_access",
    },
    "IAM302": {
        "aws_iam_policy.iam302_service_wildcard",
        "aws_iam_policy.iam302_iam_wildcard",
        "aws_iam_policy.iam302_from_policy_document",
    },
    "IAM303": {"aws_iam_policy.iam303_write_on_star"},
    "IAM304": {"aws_iam_policy.iam304_allow_not_action"},
    "IAM305": {"aws_iam_policy.iam305_allow_not_resource"},
    "IAM307": {"aws_iam_policy.iam307_passrole_star", "aws_iam_policy.iam307_pass_wildcard"},
    "IAM308": {
        "aws_iam_policy.iam308_get_secret_value_star",
        "aws_iam_policy.iam308_ssm_get_parameter_star",
        "aws_iam_policy.iam308_kms_decrypt_star",
        "aws_iam_policy.iam308_s3_get_object_star",
    },
    "IAM309": {
        "aws_iam_role_policy_attachment.iam309_power_user_access",
        "aws_iam_role_policy_attachment.iam309_iam_full_access",
    },
    "IAM310": {"aws_iam_policy.iam310_typo_action", "aws_iam_policy.iam310_unknown_service"},
    "IAM311": {
        "aws_iam_policy.iam311_bad_effect",
        "aws_iam_policy.iam311_no_action",
        "aws_iam_policy.iam311_principal_in_identity_policy",
        "aws_iam_role.iam311_trust_without_principal",
    },
}


@pytest.mark.parametrize("rule", RULES)
def test_least_privilege_case(rule: str) -> None:
    assert addresses("least_privilege", rule) == LEAST_PRIVILEGE[rule]


def test_admin_paths_case_reports_each_route_to_admin() -> None:
    assert found("admin_paths", "IAM301") == {
        ("IAM301", "aws_iam_group_policy_attachment.platform_admins_administrator_access"),
        ("IAM301", "aws_iam_role.break_glass"),
        ("IAM301", "aws_iam_policy.deploy_everything"),
    }
    other = {rule for rule, _ in found("admin_paths")} & set(RULES)
    assert other == {"IAM301"}


def test_admin_paths_pointers_lead_to_the_statement() -> None:
    pointers = {
        f.address: f.pointer for f in scan_case("admin_paths").findings if f.rule_id == "IAM301"
    }
    assert pointers == {
        "aws_iam_group_policy_attachment.platform_admins_administrator_access": ("policy_arn",),
        "aws_iam_role.break_glass": ("inline_policy", 0, "policy", "Statement", 0),
        "aws_iam_policy.deploy_everything": ("policy", "Statement", 1),
    }


def test_admin_paths_messages_name_the_offender() -> None:
    messages = {
        f.address: f.message for f in scan_case("admin_paths").findings if f.rule_id == "IAM301"
    }
    assert messages["aws_iam_policy.deploy_everything"] == (
        "policy 'iacguard-fixture-deploy-everything' statement 2 ('DeployAnything') "
        "allows '*' on '*'"
    )
    assert (
        "group 'aws_iam_group.platform_admins'"
        in messages["aws_iam_group_policy_attachment.platform_admins_administrator_access"]
    )
    assert "inline policy 'break-glass-everything'" in messages["aws_iam_role.break_glass"]


def test_modules_case_reports_every_instance() -> None:
    attachment = "aws_iam_role_policy_attachment.administrator_access"
    assert addresses("modules", "IAM301") == {
        'aws_iam_policy.team["admin"]',
        f'module.team_role["platform"].{attachment}',
        f'module.team_role["data"].{attachment}',
        f"module.worker_role[0].{attachment}",
        f"module.worker_role[1].{attachment}",
    }
    assert addresses("modules", "IAM309") == {"aws_iam_role_policy_attachment.platform_power_user"}


def test_unknowns_case_reads_partly_known_documents_from_the_source() -> None:
    # '*' on ["*", unknown ARN] and a deferred data source whose first statement is a
    # literal '*' on '*': the literal parts decide IAM301 (which subsumes IAM302 there)
    assert {pair for pair in found("unknowns") if pair[0] in RULES} == {
        ("IAM301", "aws_iam_role_policy_attachment.deployer_administrator_access"),
        ("IAM301", "aws_iam_policy.unknown_admin_document"),
        ("IAM301", "aws_iam_policy.unknown_from_policy_document"),
        ("IAM302", "aws_iam_role_policy.deployer_inline"),
    }


def test_unknowns_plan_alone_stays_silent_on_unknown_documents(tmp_path: Path) -> None:
    # a jsonencode document unknown in the plan stays unknown; the deferred data source is
    # rendered from its planned arguments, so its literal '*' on '*' statement is known
    assert {pair for pair in found_plan_alone("unknowns", tmp_path) if pair[0] in RULES} == {
        ("IAM301", "aws_iam_role_policy_attachment.deployer_administrator_access"),
        ("IAM301", "aws_iam_policy.unknown_from_policy_document"),
        ("IAM302", "aws_iam_role_policy.deployer_inline"),
    }


def test_deletion_case_checks_the_after_value_only() -> None:
    assert {pair for pair in found("deletion") if pair[0] in RULES} == {
        ("IAM302", "aws_iam_policy.reports_write")
    }


def test_clean_case_has_no_least_privilege_finding() -> None:
    assert not {pair for pair in found("clean") if pair[0] in RULES}


def test_trust_policy_finding_points_into_assume_role_policy() -> None:
    (finding,) = [
        f
        for f in scan_case("least_privilege").findings
        if f.rule_id == "IAM311" and f.address == "aws_iam_role.iam311_trust_without_principal"
    ]
    assert finding.pointer == ("assume_role_policy", "Statement", 0)
    assert finding.message == (
        "trust policy of 'aws_iam_role.iam311_trust_without_principal' statement 1 has no Principal"
    )


# --------------------------------------------------------------------------- one statement


ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
ARN = "arn:aws:s3:::data/*"


def _allow(action: Json, resource: Json = "*", **extra: Json) -> dict[str, Json]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _deny(action: Json, resource: Json = "*") -> dict[str, Json]:
    return {"Effect": "Deny", "Action": action, "Resource": resource}


CONDITION: Json = {"StringEquals": {"aws:ResourceTag/team": "payments"}}

STATEMENTS = [
    # IAM301
    pytest.param("IAM301", ALLOW_ALL, True, id="301-allow-star-star"),
    pytest.param("IAM301", _allow(["*"], ["*"], Condition=CONDITION), True, id="301-any-condition"),
    pytest.param("IAM301", _deny("*"), False, id="301-deny"),
    pytest.param("IAM301", _allow("*", ARN), False, id="301-specific-resource"),
    pytest.param("IAM301", _allow("*", [Unknown("x")]), False, id="301-unknown-resource"),
    pytest.param("IAM301", _allow(Unknown("x")), False, id="301-unknown-action"),
    pytest.param("IAM301", {**ALLOW_ALL, "Effect": Unknown("e")}, False, id="301-unknown-effect"),
    pytest.param("IAM301", _allow("s3:*"), False, id="301-service-wildcard"),
    # IAM302
    pytest.param("IAM302", _allow("s3:*", ARN), True, id="302-s3-star"),
    pytest.param("IAM302", _allow("S3:*", ARN), True, id="302-case"),
    pytest.param("IAM302", _allow(["iam:*"], ARN), True, id="302-iam-star"),
    pytest.param("IAM302", _allow("*", ARN), True, id="302-every-service-on-arn"),
    pytest.param("IAM302", _allow("s3:Get*", ARN), False, id="302-prefix-wildcard"),
    pytest.param("IAM302", _deny("s3:*", ARN), False, id="302-deny"),
    pytest.param("IAM302", _allow("foo:*", ARN), False, id="302-unknown-service-is-310"),
    pytest.param("IAM302", _allow([Unknown("x")], ARN), False, id="302-unknown"),
    # IAM303
    pytest.param("IAM303", _allow("s3:PutObject"), True, id="303-write"),
    pytest.param("IAM303", _allow("iam:TagRole"), True, id="303-tagging"),
    pytest.param("IAM303", _allow("iam:AttachRolePolicy"), True, id="303-permissions"),
    pytest.param("IAM303", _allow("s3:*"), True, id="303-service-wildcard"),
    pytest.param("IAM303", _allow("s3:PutObject", ARN), False, id="303-scoped"),
    pytest.param("IAM303", _allow("ec2:DescribeInstances"), False, id="303-list"),
    pytest.param("IAM303", _allow("s3:ListAllMyBuckets"), False, id="303-star-only"),
    pytest.param("IAM303", _allow("iam:PassRole"), False, id="303-passrole-is-307"),
    pytest.param(
        "IAM303", _allow("kms:Decrypt", Condition=CONDITION), False, id="303-owned-by-308"
    ),
    pytest.param("IAM303", _deny("s3:PutObject"), False, id="303-deny"),
    pytest.param(
        "IAM303",
        {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
        False,
        id="303-notaction",
    ),
    # IAM304 / IAM305
    pytest.param(
        "IAM304", {"Effect": "Allow", "NotAction": "iam:*", "Resource": ARN}, True, id="304-allow"
    ),
    pytest.param(
        "IAM304", {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}, False, id="304-deny"
    ),
    pytest.param(
        "IAM305", {"Effect": "Allow", "Action": "s3:*", "NotResource": ARN}, True, id="305-allow"
    ),
    pytest.param(
        "IAM305", {"Effect": "Deny", "Action": "s3:*", "NotResource": ARN}, False, id="305-deny"
    ),
    pytest.param("IAM303", _allow("s3:PutObject", "arn:aws:s3:::*"), True, id="303-every-object"),
    pytest.param(
        "IAM303", _allow("s3:PutObject", "arn:aws:s3:::uploads/*"), False, id="303-one-bucket"
    ),
    # IAM307
    pytest.param("IAM307", _allow("iam:PassRole"), True, id="307-passrole"),
    pytest.param("IAM307", _allow("IAM:passrole"), True, id="307-case"),
    pytest.param("IAM307", _allow("iam:Pass*"), True, id="307-prefix"),
    pytest.param("IAM307", _allow("iam:*"), True, id="307-service"),
    pytest.param("IAM307", _allow("iam:P?ssRole", ["*"]), True, id="307-question-mark"),
    pytest.param(
        "IAM307",
        {"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"},
        True,
        id="307-notaction",
    ),
    pytest.param(
        "IAM307",
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        False,
        id="307-excluded",
    ),
    pytest.param(
        "IAM307",
        {"Effect": "Allow", "NotAction": [Unknown("x")], "Resource": "*"},
        False,
        id="307-unknown-exclusion",
    ),
    pytest.param("IAM307", _allow("*:PassRole"), False, id="307-wildcard-service-is-310"),
    pytest.param("IAM307", _allow("iam:PassRole", "arn:aws:iam::1:role/a"), False, id="307-scoped"),
    pytest.param("IAM307", _allow("iam:PassRole", [Unknown("x")]), False, id="307-unknown-res"),
    pytest.param("IAM307", _deny("iam:PassRole"), False, id="307-deny"),
    pytest.param(
        "IAM307", _allow("iam:PassRole", "arn:aws:iam::*:role/*"), True, id="307-every-role"
    ),
    pytest.param("IAM307", _allow("iam:PassRole", "arn:*"), True, id="307-every-arn"),
    pytest.param(
        "IAM307",
        _allow("iam:PassRole", "arn:aws:iam::123456789012:role/*"),
        False,
        id="307-one-accounts-roles",
    ),
    pytest.param(
        "IAM307", _allow("iam:PassRole", "arn:aws:iam::*:role/app-*"), False, id="307-prefix-role"
    ),
    # IAM308
    pytest.param("IAM308", _allow("s3:*"), True, id="308-service-wildcard"),
    pytest.param("IAM308", _allow("ssm:GetParameter*"), True, id="308-prefix"),
    pytest.param("IAM308", _allow("secretsmanager:GetSecretValue", ARN), False, id="308-scoped"),
    pytest.param(
        "IAM308", _allow("kms:Decrypt", Condition=CONDITION), False, id="308-with-condition"
    ),
    pytest.param("IAM308", _allow("ecr:GetAuthorizationToken"), False, id="308-ecr-excluded"),
    pytest.param(
        "IAM308", _allow("secretsmanager:BatchGetSecretValue"), False, id="308-star-only-excluded"
    ),
    pytest.param("IAM308", _deny("kms:Decrypt"), False, id="308-deny"),
    pytest.param(
        "IAM308",
        _allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:*:secret:*"),
        True,
        id="308-every-secret",
    ),
    pytest.param(
        "IAM308",
        _allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:*:secret:app/*"),
        False,
        id="308-some-secrets",
    ),
    pytest.param(
        "IAM308",
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        True,
        id="308-notaction",
    ),
    # IAM310
    pytest.param("IAM310", _allow("s3:GetObjekt", ARN), True, id="310-typo"),
    pytest.param("IAM310", _allow("foo:Bar", ARN), True, id="310-unknown-service"),
    pytest.param("IAM310", _allow("s3:Zzz*", ARN), True, id="310-glob-matching-nothing"),
    pytest.param("IAM310", _allow("*:PassRole", ARN), True, id="310-wildcard-service"),
    pytest.param(
        "IAM310",
        {"Effect": "Deny", "NotAction": "iam:ChangePasswrd", "Resource": "*"},
        True,
        id="310-notaction",
    ),
    pytest.param("IAM310", _allow("S3:getobject", ARN), False, id="310-case-only"),
    pytest.param("IAM310", _allow(["s3:Get*", "*"], ARN), False, id="310-wildcards"),
    pytest.param("IAM310", _allow(Unknown("x"), ARN), False, id="310-unknown"),
    # IAM311
    pytest.param(
        "IAM311", {**_allow("s3:GetObject", ARN), "Effect": "Permit"}, True, id="311-effect"
    ),
    pytest.param("IAM311", {"Effect": "Allow", "Resource": ARN}, True, id="311-no-action"),
    pytest.param(
        "IAM311", _allow("s3:GetObject", ARN, Principal={"AWS": "*"}), True, id="311-principal"
    ),
    pytest.param(
        "IAM311", {"Effect": "Allow", "Action": "s3:GetObject"}, True, id="311-no-resource"
    ),
    pytest.param("IAM311", _allow("s3:GetObject", ARN), False, id="311-well-formed"),
]


@pytest.mark.parametrize(("rule", "statement", "fires"), STATEMENTS)
def test_statement(rule: str, statement: dict[str, Json], fires: bool) -> None:
    hits = _hits(rule, _graph(_document(statement)))
    assert bool(hits) is fires, [h.message for h in hits]
    for hit in hits:
        assert hit.origin.address == POLICY
        assert hit.pointer in {(), ("Statement", 0)}
        assert not hit.message.endswith(".")


def test_effects_differ_only_by_allow() -> None:
    statement = _allow(["s3:*", "iam:PassRole", "kms:Decrypt"])
    assert _fired(_graph(_document(statement))) == {"IAM302", "IAM303", "IAM307", "IAM308"}
    assert _fired(_graph(_document({**statement, "Effect": "Deny"}))) == set()


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param({"Version": "2012-10-17"}, id="no-statement"),
        pytest.param("", id="empty"),
    ],
)
def test_malformed_documents(raw: Json) -> None:
    (hit,) = _hits("IAM311", _graph(raw))
    assert hit.message.startswith("policy 'p' is malformed: ")
    assert hit.origin.pointer == ("policy",)


# --------------------------------------------------------------------------- trust, resource


@pytest.mark.parametrize(
    ("kind", "statement", "fires"),
    [
        pytest.param(PolicyKind.TRUST, {"Effect": "Allow", "Action": "sts:AssumeRole"}, True),
        pytest.param(
            PolicyKind.TRUST,
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "ec2.amazonaws.com"},
            },
            False,
        ),
        pytest.param(PolicyKind.RESOURCE, _allow("s3:GetObject", ARN), True),
        pytest.param(
            PolicyKind.RESOURCE, _allow("s3:GetObject", ARN, NotPrincipal={"AWS": "x"}), False
        ),
        pytest.param(
            PolicyKind.INLINE, _allow("s3:GetObject", ARN, NotPrincipal={"AWS": "x"}), True
        ),
    ],
)
def test_principal_requirement(kind: PolicyKind, statement: dict[str, Json], fires: bool) -> None:
    address = ROLE if kind is PolicyKind.TRUST else POLICY
    assert bool(_hits("IAM311", _graph(_document(statement), kind, address))) is fires


def test_trust_and_resource_policies_only_get_310_and_311() -> None:
    statement = _allow(["s3:*", "iam:PassRole", "s3:GetObjekt"], Principal="*")
    assert _fired(_graph(_document(statement), PolicyKind.RESOURCE)) == {"IAM310"}
    assert _fired(_graph(_document(statement), PolicyKind.TRUST, ROLE)) == {"IAM310"}


def test_typo_message_suggests_the_closest_action() -> None:
    (hit,) = _hits("IAM310", _graph(_document(_allow(["s3:GetObjekt", "ec3:RunInstances"], ARN))))
    assert "'s3:GetObjekt' (did you mean 's3:GetObject'?)" in hit.message
    assert "'ec3:RunInstances' (did you mean 'ec2:RunInstances'?)" in hit.message


# --------------------------------------------------------------------------- subsumption


def test_admin_subsumes_302_303_307_308_but_not_the_others() -> None:
    document = _document(
        ALLOW_ALL,
        _allow(["s3:*", "iam:PassRole", "secretsmanager:GetSecretValue"]),
        {"Effect": "Allow", "NotAction": "iam:*", "NotResource": ARN},
        _allow("s3:GetObjekt", ARN),
    )
    assert _fired(_graph(document)) == {"IAM301", "IAM304", "IAM305", "IAM310"}


def test_one_hit_per_offending_statement() -> None:
    hits = _hits("IAM301", _graph(_document(_allow("s3:GetObject", ARN), ALLOW_ALL, ALLOW_ALL)))
    assert [h.pointer for h in hits] == [("Statement", 1), ("Statement", 2)]
    assert hits[0].origin.pointer == ("policy",)


def test_inline_policy_of_a_role_is_reported_at_the_role() -> None:
    builder = GraphBuilder()
    role = _origin(ROLE)
    builder.add_principal(Principal(PrincipalKind.ROLE, ROLE, "r", role))
    document = parse_policy(_document(ALLOW_ALL), role.at("inline_policy", 0, "policy"))
    builder.add_policy(Policy(f"{ROLE}#inline_policy[0]", PolicyKind.INLINE, "x", document, role))
    (hit,) = _hits("IAM301", builder.build())
    assert hit.origin.address == ROLE
    assert hit.origin.pointer + hit.pointer == ("inline_policy", 0, "policy", "Statement", 0)


def test_unknown_documents_never_fire() -> None:
    assert _fired(_graph(Unknown("aws_s3_bucket.b.arn"))) == set()
    builder = GraphBuilder()
    document = parse_policy(_document(ALLOW_ALL, Unknown("x")), _origin(POLICY))
    assert isinstance(document, Unknown)
    builder.add_policy(Policy(POLICY, PolicyKind.MANAGED, "p", document, _origin(POLICY)))
    assert _fired(builder.build()) == set()


# --------------------------------------------------------------------------- AWS-managed


@pytest.mark.parametrize(
    ("name", "rules"),
    [
        pytest.param("AdministratorAccess", {"IAM301"}, id="admin"),
        pytest.param("PowerUserAccess", {"IAM309"}, id="power-user"),
        pytest.param("IAMFullAccess", {"IAM309"}, id="iam-full"),
        pytest.param("ReadOnlyAccess", set(), id="read-only"),
        pytest.param("SecurityAudit", set(), id="security-audit"),
        pytest.param("AmazonS3ReadOnlyAccess", set(), id="s3-read-only"),
        pytest.param("AmazonS3FullAccess", set(), id="s3-full"),
        pytest.param("service-role/AWSLambdaBasicExecutionRole", set(), id="lambda-basic"),
    ],
)
def test_aws_managed_policies_by_content(name: str, rules: set[str]) -> None:
    assert _fired(_aws_managed_graph(name)) == rules


def test_aws_managed_is_reported_at_each_attachment() -> None:
    hits = _hits("IAM309", _aws_managed_graph("PowerUserAccess", attachments=2))
    assert [h.origin.address for h in hits] == [
        "aws_iam_role_policy_attachment.PowerUserAccess_0",
        "aws_iam_role_policy_attachment.PowerUserAccess_1",
    ]
    assert all(h.origin.pointer == ("policy_arn",) and h.pointer == () for h in hits)
    assert "AWS-managed policy 'PowerUserAccess' to role 'aws_iam_role.r'" in hits[0].message


def test_aws_managed_star_on_star_is_301_whatever_the_name() -> None:
    builder = GraphBuilder()
    at = _origin("aws_iam_user_policy_attachment.a").at("policy_arn")
    arn = "arn:aws:iam::aws:policy/SomethingElse"
    document = parse_policy(_document(ALLOW_ALL), at)
    builder.add_policy(Policy(arn, PolicyKind.AWS_MANAGED, "SomethingElse", document, at, arn))
    builder.link(arn, "external:user:bob", EdgeKind.ATTACHED, at, "attachment")
    assert _fired(builder.build()) == {"IAM301"}


# --------------------------------------------------------------------------- data and cost


@pytest.mark.parametrize("action", [_documents.PASS_ROLE, *_documents.SECRET_READS])
def test_named_actions_exist_and_can_be_scoped(action: str) -> None:
    info = default_catalog().lookup(action)
    assert info is not None
    assert info.full_name == action
    assert info.supports_resource_level


class _SpyCatalog:
    """Delegates to the real catalog and records every expanded pattern."""

    def __init__(self) -> None:
        self.expanded: list[str] = []
        self._real = default_catalog()

    def expand(self, pattern: str) -> tuple[ActionInfo, ...]:
        self.expanded.append(pattern)
        return self._real.expand(pattern)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def test_star_is_never_expanded() -> None:
    spy = _SpyCatalog()
    catalog = cast(ActionCatalog, spy)
    documents = [
        _document(_allow("*", ARN), _allow(["s3:*", "iam:PassRole"]), _allow("s3:Typo", ARN)),
        _document(ALLOW_ALL, _allow("s3:*")),
    ]
    for document in documents:
        for rule in RULES:
            _hits(rule, _graph(document), catalog)
    for rule in RULES:
        _hits(rule, _aws_managed_graph("PowerUserAccess", "ReadOnlyAccess"), catalog)
    assert spy.expanded
    assert "*" not in spy.expanded


def test_documents_are_parsed_documents() -> None:
    graph = _graph(_document(ALLOW_ALL))
    assert all(isinstance(p.document, PolicyDocument) for p in graph.policies())
