"""IAM501-IAM502: public resource policies and Lambda permissions."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from iacguard.catalog import default_catalog
from iacguard.checks.resource_policies import (
    lambda_permission_problem,
    public_resource_policy,
    unscoped_lambda_permission,
)
from iacguard.graph import Graph, GraphBuilder
from iacguard.model import (
    LambdaPermission,
    Location,
    MaybeStr,
    Origin,
    Policy,
    PolicyKind,
    RawValue,
    SourceKind,
    Unknown,
)
from iacguard.parsers._policy_document import parse_policy
from iacguard.registry import Check, CheckContext
from iacguard.results import Hit
from tests.conftest import addresses, found_plan_alone

BUCKET_POLICY = "aws_s3_bucket_policy.b"


def _origin(address: str) -> Origin:
    return Origin(SourceKind.TERRAFORM_PLAN, address, Location(PurePosixPath("plan.json")))


def resource_graph(*statements: RawValue) -> Graph:
    """A graph holding one bucket policy made of *statements*."""
    builder = GraphBuilder()
    origin = _origin(BUCKET_POLICY)
    raw: RawValue = {"Version": "2012-10-17", "Statement": statements}
    document = parse_policy(raw, origin.at("policy"))
    kind = PolicyKind.RESOURCE
    builder.add_policy(
        Policy(BUCKET_POLICY, kind, None, document, origin, None, "aws_s3_bucket_policy")
    )
    return builder.build()


def run(check: Check, graph: Graph) -> list[Hit]:
    return list(check.run(CheckContext(graph, default_catalog())))


def read(principal: RawValue, condition: RawValue = None, **extra: RawValue) -> RawValue:
    raw: dict[str, RawValue] = {"Effect": "Allow", "Principal": principal}
    raw |= {"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    if condition is not None:
        raw["Condition"] = condition
    return raw | extra


# ----------------------------------------------------------------------------- fixtures


def test_iam501_on_fixture_plan() -> None:
    assert addresses("resource_policies", "IAM501") == {
        "aws_s3_bucket_policy.iam501_public_read",
        "aws_sqs_queue_policy.iam501_public_send",
        "aws_sns_topic_policy.iam501_public_publish",
        "aws_kms_key.iam501_public_decrypt",
        "aws_ecr_repository_policy.iam501_public_pull",
        "aws_secretsmanager_secret_policy.iam501_public_secret",
        "aws_lambda_layer_version_permission.iam501_public_layer",
    }


def test_iam502_on_fixture_plan() -> None:
    assert addresses("resource_policies", "IAM502") == {
        "aws_lambda_permission.iam502_any_principal",
        "aws_lambda_permission.iam502_sns_without_source_arn",
        "aws_lambda_permission.iam502_s3_without_source_account",
    }


@pytest.mark.parametrize("case", ["clean", "unknowns"])
@pytest.mark.parametrize("rule", ["IAM501", "IAM502"])
def test_resource_rules_silent_on_near_miss_cases(case: str, rule: str, tmp_path: Path) -> None:
    # the plan alone: its unknown bucket policy stays unknown
    assert {a for _, a in found_plan_alone(case, tmp_path, rule)} == set()


def test_literal_public_principal_fires_whatever_the_unknown_resource() -> None:
    # Principal "*", no condition, Resource "${aws_s3_bucket.artifacts.arn}/*" (source)
    assert addresses("unknowns", "IAM501") == {"aws_s3_bucket_policy.artifacts_public_unknown"}
    assert addresses("unknowns", "IAM502") == set()


# ----------------------------------------------------------------------------- IAM501


@pytest.mark.parametrize(
    ("raw", "fires"),
    [
        pytest.param(read("*"), True, id="star"),
        pytest.param(read({"AWS": "*"}), True, id="aws-star"),
        pytest.param(read({"AWS": ("arn:aws:iam::1:root", "*")}), True, id="star-in-list"),
        pytest.param(read("*", {"Bool": {"aws:SecureTransport": "true"}}), True, id="tls-only"),
        pytest.param(read("*", {"StringLike": {"aws:SourceVpce": "*"}}), True, id="wildcard-vpce"),
        pytest.param(
            read("*", {"StringNotEquals": {"aws:PrincipalOrgID": "o-1"}}), True, id="not-equals"
        ),
        pytest.param(
            {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "s3:*"},
            True,
            id="allow-not-principal",
        ),
        pytest.param(read("*", Effect="Deny"), False, id="deny"),
        pytest.param(read("*", Effect=Unknown("e")), False, id="unknown-effect"),
        pytest.param(read({"AWS": "arn:aws:iam::1:root"}), False, id="account"),
        pytest.param(read({"Service": "cloudtrail.amazonaws.com"}), False, id="service"),
        pytest.param(read({"AWS": Unknown("arn")}), False, id="unknown-principal"),
        pytest.param(
            read("*", {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}), False, id="org-id"
        ),
        pytest.param(read("*", {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}), False, id="ip"),
        pytest.param(
            read("*", {"StringEquals": {"aws:SourceVpce": Unknown("vpce")}}),
            False,
            id="unknown-condition",
        ),
        pytest.param(
            {"Effect": "Allow", "NotPrincipal": {"AWS": Unknown("arn")}, "Action": "s3:*"},
            False,
            id="not-principal-unknown",
        ),
    ],
)
def test_iam501_cases(raw: RawValue, fires: bool) -> None:
    assert bool(run(public_resource_policy, resource_graph(raw))) is fires


def test_iam501_reports_holder_with_statement_pointer() -> None:
    deny = read("*", {"Bool": {"aws:SecureTransport": "false"}}, Effect="Deny")
    [hit] = run(public_resource_policy, resource_graph(deny, read("*")))
    assert hit.origin.address == BUCKET_POLICY
    assert hit.pointer == ("policy", "Statement", 1)
    assert hit.message == f"policy of '{BUCKET_POLICY}' grants s3:GetObject to any principal ('*')"


def test_iam501_one_finding_per_public_statement() -> None:
    many = read("*", Action=("s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject"))
    hits = run(public_resource_policy, resource_graph(read("*"), many))
    assert [hit.pointer for hit in hits] == [
        ("policy", "Statement", 0),
        ("policy", "Statement", 1),
    ]
    assert "s3:GetObject, s3:PutObject, s3:ListBucket (+1 more)" in hits[1].message


def test_iam501_skips_unknown_document() -> None:
    builder = GraphBuilder()
    origin = _origin(BUCKET_POLICY)
    builder.add_policy(Policy(BUCKET_POLICY, PolicyKind.RESOURCE, None, Unknown("doc"), origin))
    assert run(public_resource_policy, builder.build()) == []


# ----------------------------------------------------------------------------- issue 17

#: a Deny to everyone of every S3 action on the bucket outside one VPC endpoint
OUTSIDE_ENDPOINT: RawValue = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}},
}


@pytest.mark.parametrize(
    ("statements", "fires"),
    [
        pytest.param(
            [read({"AWS": "*"}, {"StringEquals": {"AWS:SourceOwner": "123456789012"}})],
            False,
            id="source-owner",
        ),
        pytest.param(
            [read("*", {"StringEquals": {"kms:CallerAccount": "123456789012"}})],
            False,
            id="kms-caller-account",
        ),
        pytest.param(
            [read("*", {"StringEquals": {"s3:DataAccessPointAccount": "123456789012"}})],
            False,
            id="access-point-account",
        ),
        pytest.param(
            [read("*", {"StringLike": {"s3:DataAccessPointAccount": "*"}})],
            True,
            id="any-access-point-account",
        ),
        pytest.param([read("*"), OUTSIDE_ENDPOINT], False, id="deny-outside-endpoint"),
        pytest.param([OUTSIDE_ENDPOINT, read("*")], False, id="deny-written-first"),
        pytest.param(
            [read("*"), {**OUTSIDE_ENDPOINT, "Action": "s3:PutObject"}],
            True,
            id="deny-other-action",
        ),
        pytest.param(
            [
                read("*"),
                {
                    **OUTSIDE_ENDPOINT,
                    "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
                },
            ],
            False,
            id="deny-outside-network",
        ),
        pytest.param(
            [
                read("*"),
                {**OUTSIDE_ENDPOINT, "Condition": {"StringNotLike": {"aws:SourceVpce": "*"}}},
            ],
            True,
            id="deny-nothing",
        ),
    ],
)
def test_iam501_restricting_account_keys_and_companion_deny(
    statements: list[RawValue], fires: bool
) -> None:
    assert bool(run(public_resource_policy, resource_graph(*statements))) is fires


def test_iam501_reports_the_statement_a_deny_leaves_public() -> None:
    listing = read("*", Action="s3:ListBucket", Resource="arn:aws:s3:::b")
    deny_reads = {**OUTSIDE_ENDPOINT, "Action": "s3:GetObject"}
    [hit] = run(public_resource_policy, resource_graph(read("*"), listing, deny_reads))
    assert hit.pointer == ("policy", "Statement", 1)


def test_false_alarms_case() -> None:
    # issue 17: account keys and companion Deny statements (IAM501), the same Deny in a
    # trust policy (IAM401)
    assert addresses("false_alarms", "IAM501") == {
        "aws_sns_topic_policy.source_owner_pattern",
        "aws_kms_key.caller_account_if_exists",
        "aws_s3_bucket_policy.any_access_point",
        "aws_s3_bucket_policy.deny_outside_any_endpoint",
        "aws_s3_bucket_policy.deny_writes_outside_endpoint",
        "aws_s3_bucket_policy.deny_plain_http_outside_endpoint",
    }
    assert addresses("false_alarms", "IAM401") == {"aws_iam_role.any_org_by_deny"}


# ----------------------------------------------------------------------------- IAM502


def permission(
    principal: MaybeStr,
    source_arn: MaybeStr | None = None,
    source_account: MaybeStr | None = None,
    org: MaybeStr | None = None,
) -> LambdaPermission:
    origin = _origin("aws_lambda_permission.p")
    action = "lambda:InvokeFunction"
    return LambdaPermission(
        origin.address, origin, principal, action, source_arn, source_account, org
    )


SNS_TOPIC = "arn:aws:sns:us-east-1:1:t"


@pytest.mark.parametrize(
    ("grant", "problem"),
    [
        pytest.param(permission("*"), "lets any principal ('*') invoke the function", id="star"),
        pytest.param(
            permission("sns.amazonaws.com"),
            "lets service 'sns.amazonaws.com' invoke the function without source_arn",
            id="service-no-arn",
        ),
        pytest.param(
            permission("s3.amazonaws.com"),
            "lets service 's3.amazonaws.com' invoke the function without source_arn or "
            "source_account",
            id="s3-nothing",
        ),
        pytest.param(
            permission("s3.amazonaws.com", "arn:aws:s3:::b"),
            "lets service 's3.amazonaws.com' invoke the function without source_account",
            id="s3-no-account",
        ),
        pytest.param(
            permission("events.amazonaws.com", "*"),
            "lets service 'events.amazonaws.com' invoke the function without source_arn",
            id="wildcard-source-arn",
        ),
        pytest.param(permission("sns.amazonaws.com", SNS_TOPIC), None, id="service-scoped"),
        pytest.param(permission("s3.amazonaws.com", "arn:aws:s3:::b", "1"), None, id="s3-scoped"),
        pytest.param(permission("sns.amazonaws.com", Unknown("arn")), None, id="unknown-arn"),
        pytest.param(permission("*", org="o-1"), None, id="star-with-org"),
        pytest.param(permission("*", SNS_TOPIC), None, id="star-with-source-arn"),
        pytest.param(permission("111122223333"), None, id="account-id"),
        pytest.param(permission("arn:aws:iam::111122223333:root"), None, id="account-arn"),
        pytest.param(permission(Unknown("p")), None, id="unknown-principal"),
    ],
)
def test_lambda_permission_problem(grant: LambdaPermission, problem: str | None) -> None:
    assert lambda_permission_problem(grant) == problem


def test_iam502_reports_the_permission() -> None:
    builder = GraphBuilder()
    builder.lambda_permissions += [permission("*"), permission("111122223333")]
    [hit] = run(unscoped_lambda_permission, builder.build())
    assert hit.origin.address == "aws_lambda_permission.p"
    assert hit.message.startswith("lambda permission 'aws_lambda_permission.p' lets any")
