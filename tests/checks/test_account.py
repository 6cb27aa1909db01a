"""IAM601 (password policy) and IAM701 (CloudTrail)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

import pytest

from iacguard.catalog import default_catalog
from iacguard.checks.account import (
    incomplete_cloudtrail,
    password_weaknesses,
    trail_problems,
    weak_password_policy,
)
from iacguard.graph import GraphBuilder
from iacguard.model import (
    Location,
    MaybeBool,
    Origin,
    PasswordPolicy,
    SourceKind,
    Trail,
    Unknown,
)
from iacguard.registry import CheckContext
from tests.conftest import addresses


def _origin(address: str) -> Origin:
    return Origin(SourceKind.TERRAFORM_PLAN, address, Location(PurePosixPath("plan.json")))


def password_policy(**overrides: Any) -> PasswordPolicy:
    """A policy meeting every requirement, with *overrides* applied."""
    origin = _origin("aws_iam_account_password_policy.p")
    strong = PasswordPolicy(origin.address, origin, 14, True, True, True, True, 24, 90)
    return replace(strong, **overrides)


def trail(
    multi_region: MaybeBool | None = True,
    log_file_validation: MaybeBool | None = True,
    logging_enabled: MaybeBool | None = True,
) -> Trail:
    origin = _origin("aws_cloudtrail.t")
    return Trail(origin.address, origin, multi_region, log_file_validation, logging_enabled)


# ----------------------------------------------------------------------------- fixtures


def test_iam601_on_fixture_plan() -> None:
    assert addresses("account", "IAM601") == {"aws_iam_account_password_policy.weak"}


def test_iam701_on_fixture_plan() -> None:
    assert addresses("account", "IAM701") == {
        "aws_cloudtrail.single_region",
        "aws_cloudtrail.validation_off",
        "aws_cloudtrail.logging_disabled",
    }


@pytest.mark.parametrize("rule", ["IAM601", "IAM701"])
def test_account_rules_silent_on_clean_case(rule: str) -> None:
    assert addresses("clean", rule) == set()


# ----------------------------------------------------------------------------- IAM601


@pytest.mark.parametrize(
    ("overrides", "weaknesses"),
    [
        pytest.param({}, [], id="strong"),
        pytest.param({"minimum_length": 32, "max_age_days": 1}, [], id="stronger"),
        pytest.param({"minimum_length": 13}, ["minimum length 13 < 14"], id="short"),
        pytest.param(
            {"minimum_length": None}, ["minimum length 8 (unset) < 14"], id="length-unset"
        ),
        pytest.param({"require_symbols": False}, ["symbols not required"], id="no-symbols"),
        pytest.param(
            {"require_uppercase": None, "require_numbers": False},
            ["uppercase letters not required", "numbers not required"],
            id="classes-unset-or-false",
        ),
        pytest.param(
            {"reuse_prevention": None}, ["password reuse prevention unset"], id="reuse-unset"
        ),
        pytest.param({"reuse_prevention": 5}, ["password reuse prevention 5 < 24"], id="reuse-low"),
        pytest.param({"max_age_days": None}, ["passwords never expire"], id="age-unset"),
        pytest.param({"max_age_days": 0}, ["passwords never expire"], id="age-zero"),
        pytest.param(
            {"max_age_days": 365}, ["maximum password age 365 days > 90"], id="age-too-long"
        ),
        pytest.param(
            {
                "minimum_length": Unknown("l"),
                "require_symbols": Unknown("s"),
                "reuse_prevention": Unknown("r"),
                "max_age_days": Unknown("a"),
            },
            [],
            id="unknowns-not-judged",
        ),
        pytest.param(
            {"minimum_length": Unknown("l"), "require_lowercase": False},
            ["lowercase letters not required"],
            id="unknown-skipped-known-reported",
        ),
    ],
)
def test_password_weaknesses(overrides: dict[str, Any], weaknesses: list[str]) -> None:
    assert password_weaknesses(password_policy(**overrides)) == weaknesses


def test_iam601_lists_every_weakness_in_one_finding() -> None:
    builder = GraphBuilder()
    builder.password_policies += [
        password_policy(),
        password_policy(minimum_length=8, require_symbols=False, reuse_prevention=None),
    ]
    [hit] = weak_password_policy.run(CheckContext(builder.build(), default_catalog()))
    assert hit.origin.address == "aws_iam_account_password_policy.p"
    assert hit.message == (
        "password policy 'aws_iam_account_password_policy.p' is weak: minimum length 8 < 14, "
        "symbols not required, password reuse prevention unset"
    )


# ----------------------------------------------------------------------------- IAM701


@pytest.mark.parametrize(
    ("settings", "problems"),
    [
        pytest.param(trail(), [], id="good"),
        pytest.param(trail(multi_region=False), ["is not multi-region"], id="single-region"),
        pytest.param(trail(multi_region=None), ["is not multi-region"], id="region-unset"),
        pytest.param(
            trail(log_file_validation=None), ["has log file validation off"], id="validation-unset"
        ),
        pytest.param(trail(logging_enabled=False), ["has logging disabled"], id="logging-off"),
        pytest.param(trail(logging_enabled=None), [], id="logging-unset-defaults-on"),
        pytest.param(trail(Unknown("m"), Unknown("v"), Unknown("l")), [], id="unknowns-not-judged"),
        pytest.param(
            trail(False, False, False),
            ["is not multi-region", "has log file validation off", "has logging disabled"],
            id="everything-wrong",
        ),
    ],
)
def test_trail_problems(settings: Trail, problems: list[str]) -> None:
    assert trail_problems(settings) == problems


def test_iam701_message_lists_every_problem() -> None:
    builder = GraphBuilder()
    builder.trails += [trail(), trail(multi_region=None, log_file_validation=False)]
    [hit] = incomplete_cloudtrail.run(CheckContext(builder.build(), default_catalog()))
    assert hit.message == (
        "trail 'aws_cloudtrail.t' is not multi-region, has log file validation off"
    )
