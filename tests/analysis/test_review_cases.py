"""``references_and_denies`` (G1-G8): what the annotations cannot say.

The fixture annotations pin which rule fires where in both formats; these tests pin the
confidence and message of the conditional Deny (G5), the path named for the PassRole
reference (G1), and what the Terraform plan reports without its ``.tf`` source.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.model import Confidence
from tests.conftest import found_plan_alone, scan_case

CASE = "references_and_denies"
#: the address of each scenario's principal, per format
U_REGION = {"terraform": "aws_iam_user.u_region", "cloudformation": "URegion"}
U_PASS = {"terraform": "aws_iam_user.u_pass", "cloudformation": "UPass"}


def _finding(fmt: str, rule: str, address: str) -> tuple[str, Confidence]:
    [finding] = [
        f for f in scan_case(CASE, fmt).findings if f.rule_id == rule and f.address == address
    ]
    return finding.message, finding.confidence


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
def test_conditional_deny_lowers_confidence_and_is_named(fmt: str) -> None:
    """G5: a Deny under StringNotEquals aws:RequestedRegion removes nothing for certain."""
    message, confidence = _finding(fmt, "IAM306", U_REGION[fmt])
    assert confidence is Confidence.MEDIUM
    assert "unless a Deny applies: StringNotEquals aws:RequestedRegion" in message
    assert "iam-008" in message


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
def test_passrole_on_a_referenced_role_names_lambda_001(fmt: str) -> None:
    """G1: iam:PassRole on the role's ARN given by reference completes lambda-001."""
    message, confidence = _finding(fmt, "IAM306", U_PASS[fmt])
    assert "lambda-001" in message
    assert confidence is Confidence.HIGH


def test_plan_alone_reports_only_what_the_plan_knows(tmp_path: Path) -> None:
    """Observed with the plan copied away from main.tf:

    - G1 (u_pass) and G2 (u_version) are silent: their inline policies embed
      ``aws_iam_role.fn.arn`` / ``aws_iam_policy.target.arn``, so the whole ``policy``
      is unknown in the plan (``after_unknown``) and no action is known.
    - G3: admin's trust ``arn:aws:iam::123456789012:role/${aws_iam_role.deployer.name}``
      is known in the plan (the name is a literal), so deployer -> admin is found with
      high confidence; deployer's own trust (``aws_iam_user.u_deploy.arn``) is unknown,
      but the plan's configuration keeps the reference, so u_deploy is reported with
      medium confidence ("trust policy known only after apply"), as in ``role_chains``.
    - G5 (u_region) and G8 (u_path_ok) have literal documents: reported as with source
      (both medium).
    - G4, G6 and u_path_wrong are silent either way (G6: admin2's trust is unknown, and
      u_denied's Deny is known).
    """
    alone = found_plan_alone(CASE, tmp_path, "IAM306")
    assert {address for _, address in alone} == {
        "aws_iam_role.deployer",
        "aws_iam_user.u_deploy",
        "aws_iam_user.u_region",
        "aws_iam_user.u_path_ok",
    }
