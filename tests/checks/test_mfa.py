"""IAM203, IAM204 and IAM404 on real plans."""

from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.engine import ScanOptions, scan
from iacguard.plugins import collect_checks, get_plugin_manager
from tests.conftest import addresses, scan_case


@pytest.mark.parametrize(
    ("rule", "address", "fires"),
    [
        pytest.param("IAM203", "aws_iam_user.alice", True, id="203-admin-group-no-mfa"),
        pytest.param("IAM204", "aws_iam_user.alice", True, id="204-admin-group-no-mfa"),
        pytest.param("IAM203", "aws_iam_user.bob", False, id="203-group-enforces-mfa"),
        pytest.param("IAM204", "aws_iam_user.bob", False, id="204-group-enforces-mfa"),
        pytest.param("IAM204", "aws_iam_user.carol", False, id="204-null-pattern"),
        pytest.param("IAM204", "aws_iam_user.erin", True, id="204-iam-full-access"),
        pytest.param("IAM204", "aws_iam_user.dave", False, id="204-read-only-access"),
        pytest.param("IAM203", "aws_iam_user.frank", True, id="203-reader-with-console"),
        pytest.param("IAM203", "aws_iam_user.dave", False, id="203-no-console"),
    ],
)
def test_mfa_users(rule: str, address: str, fires: bool) -> None:
    assert (address in addresses("mfa", rule)) is fires


@pytest.mark.parametrize(
    ("address", "fires"),
    [
        pytest.param("aws_iam_role.admin_for_user", True, id="admin-user-arn"),
        pytest.param("aws_iam_role.admin_for_user_mfa", False, id="trust-requires-mfa"),
        pytest.param("aws_iam_role.iam_admin_for_account", True, id="iam-full-account-root"),
        pytest.param("aws_iam_role.readonly_for_user", False, id="read-only-not-privileged"),
        pytest.param("aws_iam_role.admin_for_service", False, id="service-principal"),
        pytest.param("aws_iam_role.admin_for_github", False, id="federated-principal"),
        pytest.param("aws_iam_role.admin_for_role", False, id="role-principal"),
    ],
)
def test_privileged_roles(address: str, fires: bool) -> None:
    assert (address in addresses("privileged_roles", "IAM404")) is fires


def _message(case: str, rule: str, address: str) -> str:
    [finding] = [f for f in scan_case(case).findings if f.rule_id == rule and f.address == address]
    return finding.message


def test_messages_explain_themselves() -> None:
    assert _message("mfa", "IAM204", "aws_iam_user.alice") == (
        "user 'aws_iam_user.alice' is privileged ('*' on '*' from AWS-managed policy "
        "'AdministratorAccess' via group 'aws_iam_group.admins') and no policy applying to "
        "it or its groups ('aws_iam_group.admins') denies actions without MFA"
    )
    assert _message("mfa", "IAM203", "aws_iam_user.frank").startswith(
        "user 'aws_iam_user.frank' can sign in to the console (aws_iam_user_login_profile.frank)"
    )
    role = _message("privileged_roles", "IAM404", "aws_iam_role.admin_for_user")
    assert "'arn:aws:iam::123456789012:user/iacguard-fixture-alice' can assume it" in role


def test_iam404_points_at_the_trust_statement() -> None:
    [finding] = [
        f
        for f in scan_case("privileged_roles").findings
        if f.rule_id == "IAM404" and f.address == "aws_iam_role.admin_for_user"
    ]
    assert finding.pointer == ("assume_role_policy", "Statement", 0)


_OWN_ACCOUNT_TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  AdminRole:
    Type: AWS::IAM::Role
    Properties:
      ManagedPolicyArns:
        - !Sub arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: !Sub arn:aws:iam::${AWS::AccountId}:root
            Action: sts:AssumeRole
%s
"""
_MFA_CONDITION = """            Condition:
              Bool:
                aws:MultiFactorAuthPresent: "true"
"""


@pytest.mark.parametrize(
    ("condition", "fires"),
    [pytest.param("", True, id="no-mfa"), pytest.param(_MFA_CONDITION, False, id="mfa")],
)
def test_iam404_trust_to_the_stacks_own_account(
    tmp_path: Path, condition: str, fires: bool
) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(_OWN_ACCOUNT_TEMPLATE % condition)
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    result = scan([template], registry, ScanOptions())
    assert {(f.rule_id, f.address) for f in result.findings if f.rule_id == "IAM404"} == (
        {("IAM404", "AdminRole")} if fires else set()
    )
