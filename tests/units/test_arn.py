"""Resource (ARN) matching: usable globs from the catalog, reserved service-linked roles,
whether a ``Resource`` element reaches or covers what an action can use."""

from __future__ import annotations

import pytest

from iacguard.analysis.arn import (
    PARTITIONS,
    SERVICE_LINKED_ROLES,
    covers_every,
    format_glob,
    reaches,
    reaches_unreserved,
    reserved_resources,
    usable_resources,
)
from iacguard.catalog import default_catalog

TWELVE = "?" * 12
ROLES = (f"arn:aws*:iam::{TWELVE}:role/*",)
OBJECTS = ("arn:aws*:s3:::*/*",)


@pytest.mark.parametrize(
    ("arn_format", "expected"),
    [
        pytest.param(
            "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
            f"arn:aws*:iam::{TWELVE}:role/*",
            id="role",
        ),
        pytest.param(
            "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}",
            f"arn:aws*:sqs:*:{TWELVE}:*",
            id="region",
        ),
        pytest.param(
            "arn:${Partition}:iam::aws:policy/*",
            "arn:aws*:iam::aws:policy/*",
            id="aws-owned-and-star-kept",
        ),
        pytest.param("no placeholders", "no placeholders", id="plain"),
    ],
)
def test_format_glob(arn_format: str, expected: str) -> None:
    assert format_glob(arn_format) == expected


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        pytest.param("iam:PassRole", ROLES, id="role-action"),
        pytest.param("IAM:PASSROLE", ROLES, id="any-case"),
        pytest.param("sts:GetCallerIdentity", (), id="no-resource-types"),
        pytest.param("nope:Nothing", None, id="not-in-catalog"),
    ],
)
def test_usable_resources(action: str, expected: tuple[str, ...] | None) -> None:
    assert usable_resources(default_catalog(), action) == expected


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        pytest.param("iam:PutRolePolicy", (SERVICE_LINKED_ROLES,), id="put-role-policy"),
        pytest.param("IAM:UpdateAssumeRolePolicy", (SERVICE_LINKED_ROLES,), id="any-case"),
        pytest.param("iam:PassRole", (), id="not-reserved"),
    ],
)
def test_reserved_resources(action: str, expected: tuple[str, ...]) -> None:
    assert reserved_resources(action) == expected


@pytest.mark.parametrize(
    ("resources", "usable", "expected"),
    [
        pytest.param(("*",), ROLES, True, id="star"),
        pytest.param(("arn:aws:iam::123456789012:role/app",), ROLES, True, id="one-role"),
        pytest.param(("arn:aws:iam::*:policy/*",), ROLES, False, id="other-type"),
        pytest.param(
            ("arn:aws:iam::*:role/*",), ("arn:aws*:iam::*:policy/*",), False, id="colon-free-name"
        ),
        pytest.param(("arn:aws-cn:iam::123456789012:role/x",), ROLES, True, id="other-partition"),
        pytest.param(("*",), (), True, id="no-types-star"),
        pytest.param(("?",), (), True, id="no-types-question"),
        pytest.param(("arn:aws:s3:::*",), (), False, id="no-types-arn"),
        pytest.param((), ROLES, False, id="nothing"),
    ],
)
def test_reaches(resources: tuple[str, ...], usable: tuple[str, ...], expected: bool) -> None:
    assert reaches(resources, usable) is expected
    assert reaches(list(resources), list(usable)) is expected  # any sequence


@pytest.mark.parametrize(
    ("resources", "usable", "expected"),
    [
        pytest.param(("*",), ROLES, True, id="star"),
        pytest.param(("arn:aws:iam::*:role/*",), ROLES, True, id="every-role-aws"),
        pytest.param(("arn:aws-cn:iam::*:role/*",), ROLES, True, id="every-role-china"),
        pytest.param(("arn:aws:iam::123456789012:role/*",), ROLES, False, id="one-account"),
        pytest.param(
            ("arn:aws:iam::*:role/*", "arn:aws-cn:iam::*:role/*"),
            ROLES + OBJECTS,
            False,
            id="each-glob-in-one-partition",
        ),
        pytest.param(
            ("arn:aws:iam::*:role/*", "arn:aws:s3:::*/*"),
            ROLES + OBJECTS,
            True,
            id="two-types-one-partition",
        ),
        pytest.param(("arn:*",), ("arn:partitionless:x",), True, id="no-partition-glob"),
        pytest.param(("*",), (), True, id="no-types-star"),
        pytest.param(("arn:aws:s3:::*",), (), False, id="no-types-arn"),
    ],
)
def test_covers_every(resources: tuple[str, ...], usable: tuple[str, ...], expected: bool) -> None:
    assert covers_every(resources, usable) is expected


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        pytest.param(("arn:aws:iam::*:role/*",), True, id="customer-roles-too"),
        pytest.param(("arn:aws:iam::*:role/aws-service-role/*",), False, id="service-linked-only"),
        pytest.param(
            ("arn:aws:iam::*:role/aws-service-role/x", "arn:aws:iam::123456789012:role/y"),
            True,
            id="one-unreserved",
        ),
        pytest.param(("arn:aws:iam::*:policy/*",), False, id="not-usable"),
    ],
)
def test_reaches_unreserved(resources: tuple[str, ...], expected: bool) -> None:
    assert reaches_unreserved(resources, ROLES, (SERVICE_LINKED_ROLES,)) is expected


def test_partitions() -> None:
    assert PARTITIONS[0] == "aws"
    assert all(p.startswith("aws") for p in PARTITIONS)
