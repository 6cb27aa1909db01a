"""Tests for resource (ARN) matching in iacguard.analysis.arn."""

from __future__ import annotations

import pytest

from iacguard._glob import glob_match
from iacguard.analysis.arn import (
    PARTITIONS,
    covers_every,
    format_glob,
    reaches,
    usable_resources,
)
from iacguard.catalog import ActionCatalog, default_catalog

ACCOUNT = "123456789012"
TWELVE = "?" * 12


@pytest.fixture(scope="module")
def catalog() -> ActionCatalog:
    return default_catalog()


def _usable(catalog: ActionCatalog, action: str) -> tuple[str, ...]:
    usable = usable_resources(catalog, action)
    assert usable is not None, action
    return usable


# -- format_glob ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arn_format", "expected"),
    [
        pytest.param(
            "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
            f"arn:aws*:iam::{TWELVE}:role/*",
            id="iam-role",
        ),
        pytest.param(
            "arn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}",
            f"arn:aws*:lambda:*:{TWELVE}:function:*",
            id="lambda-function",
        ),
        pytest.param(
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}", "arn:aws*:s3:::*/*", id="s3-object"
        ),
        pytest.param(
            "arn:${Partition}:eks::aws:cluster-access-policy/${AccessPolicyName}",
            "arn:aws*:eks::aws:cluster-access-policy/*",
            id="aws-owned-account-kept",
        ),
        pytest.param(
            "arn:${Partition}:chime:${Region}:${AccountId}:meeting/${MeetingId}",
            "arn:aws*:chime:*:*:meeting/*",
            id="other-account-placeholder-is-star",
        ),
        pytest.param(
            "arn:${Partition}:dms:${Region}:${Account}:endpoint:*",
            f"arn:aws*:dms:*:{TWELVE}:endpoint:*",
            id="format-star-kept",
        ),
        pytest.param("arn:${Partition", "arn:${Partition", id="unclosed-placeholder-literal"),
        pytest.param("", "", id="empty"),
    ],
)
def test_format_glob(arn_format: str, expected: str) -> None:
    assert format_glob(arn_format) == expected


# -- usable_resources -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        pytest.param("iam:PassRole", (f"arn:aws*:iam::{TWELVE}:role/*",), id="pass-role"),
        pytest.param("IAM:passrole", (f"arn:aws*:iam::{TWELVE}:role/*",), id="any-case"),
        pytest.param(
            "iam:CreatePolicyVersion", (f"arn:aws*:iam::{TWELVE}:policy/*",), id="policy-version"
        ),
        pytest.param("s3:ListAllMyBuckets", (), id="star-only"),
        pytest.param("s3:NoSuchAction", None, id="unknown-action"),
        pytest.param("nosuchservice:Do", None, id="unknown-service"),
        pytest.param("iam:Pass*", None, id="wildcard-not-expanded"),
        pytest.param("*", None, id="star"),
    ],
)
def test_usable_resources(
    catalog: ActionCatalog, action: str, expected: tuple[str, ...] | None
) -> None:
    assert usable_resources(catalog, action) == expected


def test_usable_resources_of_several_types(catalog: ActionCatalog) -> None:
    usable = _usable(catalog, "s3:GetObject")
    assert "arn:aws*:s3:::*/*" in usable
    assert len(set(usable)) == len(usable)


# -- reaches --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "resource", "expected"),
    [
        pytest.param("iam:CreatePolicyVersion", "*", True, id="cpv-star"),
        pytest.param(
            "iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/*", True, id="cpv-account"
        ),
        pytest.param(
            "iam:CreatePolicyVersion", "arn:aws:iam::*:policy/team/*", True, id="cpv-path"
        ),
        pytest.param("iam:CreatePolicyVersion", "arn:*", True, id="cpv-arn-star"),
        pytest.param(
            "iam:CreatePolicyVersion", "arn:aws:iam::aws:policy/*", False, id="cpv-aws-managed"
        ),
        pytest.param("iam:CreatePolicyVersion", "arn:aws:s3:::bucket/*", False, id="cpv-s3"),
        pytest.param(
            "iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:role/*", False, id="cpv-roles"
        ),
        pytest.param("iam:CreatePolicyVersion", "", False, id="cpv-empty"),
        pytest.param(
            "iam:CreatePolicyVersion", f"arn:aws:iam::{ACCOUNT}:policy/x", True, id="cpv-literal"
        ),
        pytest.param(
            "iam:CreatePolicyVersion", f"ARN:AWS:IAM::{ACCOUNT}:POLICY/*", False, id="case-matters"
        ),
        pytest.param(
            "lambda:CreateFunction",
            f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:x",
            True,
            id="lambda-function",
        ),
        pytest.param(
            "lambda:CreateFunction",
            f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:*",
            False,
            id="lambda-layer-not-function",
        ),
        pytest.param(
            "ec2:AuthorizeSecurityGroupIngress",
            f"arn:aws:ec2:us-east-1:{ACCOUNT}:instance/*",
            False,
            id="region-does-not-span-colons",
        ),
        pytest.param(
            "iam:PassRole", "arn:aws-cn:iam::*:role/*", True, id="other-partition-reaches"
        ),
        pytest.param("s3:ListAllMyBuckets", "*", True, id="star-only-star"),
        pytest.param("s3:ListAllMyBuckets", "?", True, id="star-only-question"),
        pytest.param("s3:ListAllMyBuckets", "arn:aws:s3:::*", False, id="star-only-arn"),
        pytest.param("s3:ListAllMyBuckets", "arn:*", False, id="star-only-arn-star"),
    ],
)
def test_reaches(catalog: ActionCatalog, action: str, resource: str, expected: bool) -> None:
    assert reaches([resource], _usable(catalog, action)) is expected


def test_reaches_any_of_several(catalog: ActionCatalog) -> None:
    usable = _usable(catalog, "iam:PassRole")
    assert reaches(["arn:aws:s3:::b/*", "arn:aws:iam::*:role/x"], usable)
    assert not reaches([], usable)
    assert not reaches([], ())


# -- covers_every -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        pytest.param(["*"], True, id="star"),
        pytest.param(["arn:aws:iam::*:role/*"], True, id="every-account-roles"),
        pytest.param(["arn:aws-cn:iam::*:role/*"], True, id="every-china-role"),
        pytest.param(["arn:*:iam::*:role/*"], True, id="every-partition"),
        pytest.param(["arn:*"], True, id="arn-star"),
        pytest.param(["arn:aws:iam::*:*"], True, id="every-iam"),
        pytest.param(["arn:aws:s3:::b", "arn:aws:iam::*:role/*"], True, id="one-of-several"),
        pytest.param([f"arn:aws:iam::{ACCOUNT}:role/app-*"], False, id="prefix-in-one-account"),
        pytest.param([f"arn:aws:iam::{ACCOUNT}:role/*"], False, id="one-account"),
        pytest.param(["arn:aws:iam::*:role/app-*"], False, id="name-prefix"),
        pytest.param(["arn:aws:iam::*:user/*"], False, id="other-type"),
        # names are never empty, but the usable glob (``role/*``) does not say so
        pytest.param(["arn:aws:iam::*:role/?*"], False, id="non-empty-names-unknown"),
        pytest.param([], False, id="nothing"),
    ],
)
def test_covers_every_pass_role(
    catalog: ActionCatalog, resources: list[str], expected: bool
) -> None:
    usable = _usable(catalog, "iam:PassRole")
    assert covers_every(resources, usable) is expected


def test_covers_every_needs_one_partition_for_all_types() -> None:
    usable = (f"arn:aws*:iam::{TWELVE}:role/*", f"arn:aws*:iam::{TWELVE}:user/*")
    assert covers_every(["arn:aws:iam::*:role/*", "arn:aws:iam::*:user/*"], usable)
    assert not covers_every(["arn:aws:iam::*:role/*", "arn:aws-cn:iam::*:user/*"], usable)
    assert not covers_every(["arn:aws:iam::*:role/*"], usable)


def test_covers_every_with_globs_without_a_partition_glob() -> None:
    assert covers_every(["arn:aws:s3:::b/*"], ("arn:aws:s3:::b/k*",))
    assert not covers_every(["arn:aws:s3:::b/*"], ("arn:aws:s3:::b*",))


@pytest.mark.parametrize(
    ("resources", "covers"),
    [
        pytest.param(["*"], True, id="star"),
        pytest.param(["**"], True, id="stars"),
        pytest.param(["?"], True, id="question"),
        pytest.param(["arn:*"], False, id="arn-star"),
        pytest.param(["arn:aws:s3:::*"], False, id="arn"),
        pytest.param([], False, id="nothing"),
    ],
)
def test_star_only_actions(catalog: ActionCatalog, resources: list[str], covers: bool) -> None:
    usable = _usable(catalog, "s3:ListAllMyBuckets")
    assert usable == ()
    assert covers_every(resources, usable) is covers
    assert reaches(resources, usable) is covers


@pytest.mark.parametrize(
    ("not_resources", "expected"),
    [
        pytest.param(["arn:aws:s3:::b/*"], True, id="excludes-other-service"),
        pytest.param([f"arn:aws:iam::{ACCOUNT}:policy/*"], True, id="excludes-one-account"),
        pytest.param(["arn:aws:iam::*:policy/*"], False, id="excludes-every-policy"),
        pytest.param(["*"], False, id="excludes-everything"),
        pytest.param([], True, id="excludes-nothing"),
    ],
)
def test_reaches_not(catalog: ActionCatalog, not_resources: list[str], expected: bool) -> None:
    assert (
        not covers_every(not_resources, _usable(catalog, "iam:CreatePolicyVersion"))
    ) is expected


def test_partitions_are_the_known_ones() -> None:
    assert PARTITIONS[0] == "aws"
    assert all(partition.startswith("aws") for partition in PARTITIONS)
    assert len(set(PARTITIONS)) == len(PARTITIONS)


# -- matching one ARN -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("patterns", "resource", "expected"),
    [
        pytest.param(["*"], f"arn:aws:iam::{ACCOUNT}:role/x", True, id="star"),
        pytest.param(
            ["arn:aws:iam::*:role/*"], f"arn:aws:iam::{ACCOUNT}:role/a/b", True, id="path"
        ),
        pytest.param(["arn:aws:iam::*:role/*"], f"arn:aws:iam::{ACCOUNT}:user/x", False, id="type"),
        pytest.param(["arn:aws:s3:::b[1]/*"], "arn:aws:s3:::b[1]/k", True, id="bracket-literal"),
        pytest.param(["arn:aws:s3:::b[1]/*"], "arn:aws:s3:::b1/k", False, id="bracket-not-class"),
        pytest.param(["arn:aws:s3:::B/*"], "arn:aws:s3:::b/k", False, id="case-sensitive"),
        pytest.param(["x", "arn:aws:s3:::b/?"], "arn:aws:s3:::b/k", True, id="second-glob"),
        pytest.param([], "arn:aws:s3:::b/k", False, id="no-globs"),
    ],
)
def test_matches_resource(patterns: list[str], resource: str, expected: bool) -> None:
    assert _matches_resource(patterns, resource) is expected


def test_hostile_resource_globs_stay_cheap(catalog: ActionCatalog) -> None:
    # long resource globs full of stars: each question is one bounded table, or the cap
    usable = _usable(catalog, "iam:PassRole")
    hostile = ["arn:aws:iam::" + "*a" * 1000 + "*b", "*a" * 1500 + "*"]
    assert reaches(hostile, usable)
    assert covers_every(hostile[1:], usable) is False
    assert not _matches_resource(hostile, "arn:aws:iam::" + "a" * 1200)
    assert _matches_resource(hostile, "arn:aws:iam::" + "a" * 1200 + "b")


def _matches_resource(patterns: list[str], resource: str) -> bool:
    """A ``Resource`` glob list against one concrete ARN, as the glob engine matches it."""
    return any(glob_match(pattern, resource) for pattern in patterns)
