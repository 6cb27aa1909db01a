"""The glob engine (``iacguard._glob``): matching, intersection, containment and their
work caps, exact answers per row."""

from __future__ import annotations

import pytest

from iacguard._glob import (
    MAX_GLOB_LENGTH,
    _relate,
    compile_glob,
    glob_contains,
    glob_match,
    globs_intersect,
    has_wildcard,
)

LONG = "a" * (MAX_GLOB_LENGTH + 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("abc", False), ("a*c", True), ("a?c", True), ("", False), ("[a]", False)],
)
def test_has_wildcard(text: str, expected: bool) -> None:
    assert has_wildcard(text) is expected


@pytest.mark.parametrize(
    ("pattern", "text", "fold_case", "expected"),
    [
        pytest.param("abc", "abc", False, True, id="literal"),
        pytest.param("abc", "ABC", False, False, id="literal-case"),
        pytest.param("abc", "ABC", True, True, id="literal-folded"),
        pytest.param("a*", "a", False, True, id="star-empty"),
        pytest.param("a*", "a:b/c", False, True, id="star-spans-separators"),
        pytest.param("a?c", "abc", False, True, id="question-one"),
        pytest.param("a?c", "ac", False, False, id="question-not-none"),
        pytest.param("a?c", "abbc", False, False, id="question-not-two"),
        pytest.param("*", "", False, True, id="star-matches-nothing"),
        pytest.param("?", "\n", False, True, id="question-matches-newline"),
        pytest.param("[ab]", "[ab]", False, True, id="brackets-literal"),
        pytest.param("[ab]", "a", False, False, id="brackets-not-a-class"),
        pytest.param("a.c", "abc", False, False, id="dot-literal"),
        pytest.param("*a*b", "xaxb", True, True, id="middle-runs"),
        pytest.param("*a*a*a*b", "a" * 40, False, False, id="no-backtracking-blowup"),
        pytest.param("s3:get*", "S3:GetObject", True, True, id="action-folded"),
        pytest.param("é*", "É", True, False, id="non-ascii-not-folded"),
        pytest.param("a*b", "a*b", False, True, id="wildcards-in-text-are-literal"),
    ],
)
def test_glob_match(pattern: str, text: str, fold_case: bool, expected: bool) -> None:
    assert glob_match(pattern, text, fold_case=fold_case) is expected


def test_compile_glob() -> None:
    assert compile_glob("a*b?c") is compile_glob("a*b?c")  # cached
    assert compile_glob("a*b?c").pattern == "a.*b.c"
    assert compile_glob("a*b*c").pattern == "a(?>.*?b).*c"  # atomic: no backtracking


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param("*", "anything", True, id="star"),
        pytest.param("abc", "*", True, id="star-right"),
        pytest.param("abc", "abc", True, id="equal"),
        pytest.param("abc", "abd", False, id="literals-differ"),
        pytest.param("a*", "*b", True, id="ab"),
        pytest.param("a*c", "ab*", True, id="abc"),
        pytest.param("a?", "abc", False, id="lengths"),
        pytest.param("??", "*a*", True, id="question-and-literal"),
        pytest.param("x*y", "x*z", False, id="tails-differ"),
        pytest.param("a*b*c", "*d*", True, id="long-shorter-on-rows"),
        pytest.param("ab", "ab*c", False, id="shorter-text"),
        pytest.param(LONG, "b", True, id="over-cap-may-intersect"),
    ],
)
def test_globs_intersect(a: str, b: str, expected: bool) -> None:
    assert globs_intersect(a, b) is expected
    if len(a) <= MAX_GLOB_LENGTH:
        assert globs_intersect(b, a) is expected  # symmetric


@pytest.mark.parametrize(
    ("a", "b", "fields", "expected"),
    [
        pytest.param(
            "arn:aws:ec2:us-east-1:123456789012:instance/*",
            "arn:aws*:ec2:*:????????????:security-group/*",
            5,
            False,
            id="region-cannot-span-fields",
        ),
        pytest.param(
            "arn:aws:ec2:us-east-1:123456789012:instance/*",
            "arn:aws*:ec2:*:????????????:security-group/*",
            0,
            True,
            id="unbounded-spans",
        ),
        pytest.param(
            "arn:aws:iam::123456789012:role/x",
            "arn:aws*:iam::????????????:role/*",
            5,
            True,
            id="bounded-match",
        ),
        pytest.param("a:b", "?*", 1, False, id="one-field-no-separator"),
        pytest.param("ab", "*", 1, True, id="star-bounded"),
        pytest.param("a:b:c", "*:*", 9, False, id="fields-past-the-last-separator"),
    ],
)
def test_globs_intersect_bounded(a: str, b: str, fields: int, expected: bool) -> None:
    assert globs_intersect(a, b, bounded_fields=fields) is expected


@pytest.mark.parametrize("separator", ["", "::", "*", "?"])
def test_globs_intersect_rejects_separators(separator: str) -> None:
    with pytest.raises(ValueError, match="separator must be one character"):
        globs_intersect("a", "b", separator=separator)


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        pytest.param("*", "anything*", True, id="star-contains-all"),
        pytest.param("**", LONG, True, id="stars-over-cap"),
        pytest.param("a*", LONG, False, id="over-cap-not-known"),
        pytest.param(
            "arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/app-*", True, id="role-glob"
        ),
        pytest.param("arn:aws:s3:::b/*", "arn:aws:s3:::b*", False, id="bucket-not-objects"),
        pytest.param("a?", "a*", False, id="question-does-not-hold-star"),
        pytest.param("a*", "a?", True, id="star-holds-question"),
        pytest.param("a?*", "a*?", True, id="runs-reordered"),
        pytest.param("abc", "abc", True, id="equal-literals"),
        pytest.param("abc", "abd", False, id="literals-differ"),
        pytest.param("*a?*", "*a*b", False, id="documented-incompleteness"),
        pytest.param("x*", "y", False, id="head-differs"),
        pytest.param("*x", "y", False, id="tail-differs"),
    ],
)
def test_glob_contains(outer: str, inner: str, expected: bool) -> None:
    assert glob_contains(outer, inner) is expected


@pytest.mark.parametrize(
    ("a", "b", "contain", "answer", "rows"),
    [
        pytest.param("*", "abc", True, True, 0, id="all-stars-no-work"),
        pytest.param("a*b", "a*c", False, False, 0, id="trimmed-tails-differ"),
        pytest.param("x*y*z", "x*q*z", False, True, 3, id="table-rows"),
        pytest.param(LONG, "a", True, False, 0, id="over-cap"),
    ],
)
def test_work_done(a: str, b: str, contain: bool, answer: bool, rows: int) -> None:
    assert _relate(a, b, contain=contain) == (answer, rows)
