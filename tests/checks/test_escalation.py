"""IAM306 on real plans: paths across policies, broken by Deny, limited by trust."""

from __future__ import annotations

import pytest

from iacguard.analysis.arn import reaches_unreserved, reserved_resources, usable_resources
from iacguard.analysis.paths import escalation_paths
from iacguard.catalog import default_catalog
from tests.conftest import addresses, scan_case


@pytest.mark.parametrize(
    ("address", "fires"),
    [
        pytest.param("aws_iam_role.split_escalation", True, id="split-across-two-policies"),
        pytest.param("aws_iam_role.split_escalation_denied", False, id="explicit-deny-breaks"),
        pytest.param("aws_iam_role.attach_user_policy", True, id="attach-user-policy-alone"),
        pytest.param("aws_iam_role.pass_wrong_service", False, id="passable-role-wrong-trust"),
        pytest.param("aws_iam_group.policy_admins", True, id="at-the-group"),
        pytest.param("aws_iam_user.policy_admin", False, id="not-at-each-member"),
        pytest.param("aws_iam_group.key_owners", False, id="own-keys-only"),
    ],
)
def test_escalation_case(address: str, fires: bool) -> None:
    assert (address in addresses("escalation", "IAM306")) is fires


def test_message_names_path_actions_and_policies() -> None:
    [finding] = [
        f
        for f in scan_case("escalation").findings
        if f.rule_id == "IAM306" and f.address == "aws_iam_role.split_escalation"
    ]
    assert finding.message == (
        "role 'aws_iam_role.split_escalation' can escalate privileges through path lambda-001 "
        "(iam:PassRole from policy 'iacguard-fixture-pass-lambda-exec'; lambda:CreateFunction "
        "from policy 'iacguard-fixture-lambda-deploy'; lambda:InvokeFunction from policy "
        "'iacguard-fixture-lambda-deploy', passing role 'aws_iam_role.lambda_exec')"
    )


def test_administrators_are_left_to_iam301() -> None:
    assert "aws_iam_role.admin_for_user" not in addresses("privileged_roles", "IAM306")
    assert "aws_iam_role.iam_admin_for_account" in addresses("privileged_roles", "IAM306")


def test_shipped_paths_are_the_pathfinding_facts() -> None:
    paths = {path.id: path for path in escalation_paths()}
    assert len(paths) == 65 + 1  # the shipped facts, and iam:SetDefaultPolicyVersion
    assert paths["iam-set-default-policy-version"].required == ("iam:SetDefaultPolicyVersion",)
    assert paths["iam-008"].required == ("iam:AttachUserPolicy",)
    assert paths["lambda-001"].category == "new-passrole"
    assert paths["lambda-001"].passed_role_trusts == ("lambda.amazonaws.com",)


# ------------------------------------------------------ issue 17: service-linked roles


@pytest.mark.parametrize(
    ("action", "reserved"),
    [
        pytest.param("iam:PutRolePolicy", True, id="put-role-policy"),
        pytest.param("IAM:AttachRolePolicy", True, id="attach-any-case"),
        pytest.param("iam:UpdateAssumeRolePolicy", True, id="update-trust"),
        pytest.param("iam:PutRolePermissionsBoundary", True, id="boundary"),
        pytest.param("iam:PassRole", False, id="pass-role"),
        pytest.param("iam:PutUserPolicy", False, id="user-policy"),
    ],
)
def test_reserved_resources(action: str, reserved: bool) -> None:
    assert bool(reserved_resources(action)) is reserved


@pytest.mark.parametrize(
    ("resource", "reaches"),
    [
        pytest.param("arn:aws:iam::*:role/aws-service-role/*", False, id="every-slr"),
        pytest.param(
            "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/"
            "AWSServiceRoleForECS",
            False,
            id="one-slr",
        ),
        pytest.param("arn:aws-cn:iam::*:role/aws-service-role/*", False, id="slr-other-partition"),
        pytest.param("arn:aws:iam::*:role/*", True, id="every-role"),
        pytest.param("arn:aws:iam::*:role/aws-*", True, id="aws-prefixed-names"),
        pytest.param("arn:aws:iam::123456789012:role/app", True, id="customer-role"),
        pytest.param("*", True, id="star"),
        pytest.param("arn:aws:s3:::bucket", False, id="not-a-role"),
    ],
)
def test_role_policy_actions_do_not_reach_service_linked_roles(
    resource: str, reaches: bool
) -> None:
    action = "iam:PutRolePolicy"
    usable = usable_resources(default_catalog(), action)
    assert usable
    assert reaches_unreserved([resource], usable, reserved_resources(action)) is reaches


@pytest.mark.parametrize(
    ("address", "fires"),
    [
        pytest.param(
            "aws_iam_role.service_linked_maintainer", False, id="service-linked-roles-only"
        ),
        pytest.param("aws_iam_role.app_maintainer", True, id="customer-roles"),
    ],
)
def test_false_alarms_case(address: str, fires: bool) -> None:
    assert (address in addresses("false_alarms", "IAM306")) is fires
