"""IAM action patterns: ``service:glob`` split, matched case-insensitively, malformed
patterns matching nothing."""

from __future__ import annotations

import pytest

from iacguard.action_glob import (
    action_pattern_matches,
    compile_glob,
    has_glob,
    matches_every_name,
    split_pattern,
)


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        pytest.param("*", "s3:GetObject", True, id="star"),
        pytest.param("*", "not-an-action", True, id="star-matches-anything"),
        pytest.param("s3:GetObject", "s3:getobject", True, id="exact-any-case"),
        pytest.param("S3:Get*", "s3:GetObject", True, id="glob"),
        pytest.param("s3:Get?bject", "s3:GetObject", True, id="question"),
        pytest.param("s3:Get*", "s3:PutObject", False, id="glob-miss"),
        pytest.param("s3:*", "sqs:SendMessage", False, id="other-service"),
        pytest.param("s3:GetObject", "s3:GetObjectAcl", False, id="exact-is-whole"),
        pytest.param("s*:GetObject", "s3:GetObject", False, id="wildcard-in-service"),
        pytest.param("s3", "s3:GetObject", False, id="no-colon"),
        pytest.param("s3:", "s3:GetObject", False, id="empty-action"),
        pytest.param(":GetObject", "s3:GetObject", False, id="empty-service"),
        pytest.param("s3:Get*", "s3GetObject", False, id="action-without-colon"),
        pytest.param("s3:Get[O]bject", "s3:Get[O]bject", True, id="brackets-literal"),
        pytest.param("s3:Get[O]bject", "s3:GetObject", False, id="brackets-not-a-class"),
        pytest.param("s3:*", "s3:*", True, id="wildcard-in-action-literal"),
    ],
)
def test_action_pattern_matches(pattern: str, action: str, expected: bool) -> None:
    assert action_pattern_matches(pattern, action) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        pytest.param("s3:GetObject", ("s3", "GetObject"), id="plain"),
        pytest.param("s3:Get:Object", ("s3", "Get:Object"), id="first-colon"),
        pytest.param("S3:*", ("S3", "*"), id="not-folded"),
        pytest.param("s3", None, id="no-colon"),
        pytest.param(":x", None, id="empty-service"),
        pytest.param("s3:", None, id="empty-action"),
        pytest.param("s?:x", None, id="wildcard-service"),
        pytest.param("*", None, id="star-alone"),
    ],
)
def test_split_pattern(pattern: str, expected: tuple[str, str] | None) -> None:
    assert split_pattern(pattern) == expected


@pytest.mark.parametrize(
    ("glob", "expected"),
    [
        pytest.param("*", True, id="star"),
        pytest.param("**", True, id="stars"),
        pytest.param("*?", True, id="star-and-one-question"),
        pytest.param("?*?", False, id="two-questions"),
        pytest.param("?", False, id="question-only"),
        pytest.param("Get*", False, id="literal"),
        pytest.param("", False, id="empty"),
    ],
)
def test_matches_every_name(glob: str, expected: bool) -> None:
    assert matches_every_name(glob) is expected


def test_has_glob_and_compile_glob() -> None:
    assert has_glob("Get*")
    assert has_glob("Get?")
    assert not has_glob("Get")
    assert compile_glob("get*").fullmatch("GETOBJECT") is not None
    assert compile_glob("get*") is compile_glob("get*")
