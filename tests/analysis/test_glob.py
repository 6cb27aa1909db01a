"""Tests for the glob engine in iacguard._glob: matching, intersection, containment, work caps."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iacguard import _glob
from iacguard._glob import (
    MAX_GLOB_LENGTH,
    compile_glob,
    glob_contains,
    glob_match,
    globs_intersect,
    has_wildcard,
)
from iacguard.action_glob import compile_glob as compile_action_glob

# -- a reference: textbook glob automata, explored breadth-first -----------------------------------

_FRESH = "z"  # a character no generated pattern uses: stands for "any other character"


def _closure(glob: str, states: Iterable[int]) -> frozenset[int]:
    """Add the positions reachable by letting stars match nothing."""
    closed = set(states)
    for index in sorted(closed):
        while index < len(glob) and glob[index] == "*":
            index += 1
            closed.add(index)
    return frozenset(closed)


def _step(
    glob: str, states: frozenset[int], char: str, fence: int = 0, sep: str = ":"
) -> frozenset[int]:
    """Consume one character; wildcards before ``fence`` do not take ``sep``."""
    moved: set[int] = set()
    for index in states:
        if index == len(glob):
            continue
        token = glob[index]
        if token in "*?" and index < fence and char == sep:
            continue
        if token == "*":
            moved.add(index)
        elif token == "?" or token == char:
            moved.add(index + 1)
    return _closure(glob, moved)


def _accepts(glob: str, text: str) -> bool:
    states = _closure(glob, {0})
    for char in text:
        states = _step(glob, states, char)
    return len(glob) in states


def _alphabet(*globs: str) -> set[str]:
    return {char for glob in globs for char in glob if char not in "*?"} | {_FRESH}


def _fence(glob: str, fields: int, sep: str = ":") -> int:
    index = -1
    for _ in range(fields):
        index = glob.find(sep, index + 1)
        if index < 0:
            return len(glob)
    return index


def _reference_intersect(a: str, b: str, fields: int = 0) -> bool:
    fence = _fence(b, fields) if fields else 0
    start = (_closure(a, {0}), _closure(b, {0}))
    seen = {start}
    queue = deque([start])
    alphabet = _alphabet(a, b) | {":"}
    while queue:
        states_a, states_b = queue.popleft()
        if len(a) in states_a and len(b) in states_b:
            return True
        for char in alphabet:
            pair = (_step(a, states_a, char), _step(b, states_b, char, fence))
            if pair[0] and pair[1] and pair not in seen:
                seen.add(pair)
                queue.append(pair)
    return False


def _reference_contains(outer: str, inner: str) -> bool:
    start = (_closure(inner, {0}), _closure(outer, {0}))
    seen = {start}
    queue = deque([start])
    alphabet = _alphabet(outer, inner)
    while queue:
        states_inner, states_outer = queue.popleft()
        if len(inner) in states_inner and len(outer) not in states_outer:
            return False
        for char in alphabet:
            pair = (_step(inner, states_inner, char), _step(outer, states_outer, char))
            if pair[0] and pair not in seen:
                seen.add(pair)
                queue.append(pair)
    return True


_GLOBS = st.text(alphabet="ab:*?", max_size=7)
_TEXTS = st.text(alphabet="ab:z*?[", max_size=10)


# -- glob_match -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        pytest.param("*", "", True, id="star-empty"),
        pytest.param("*", "arn:aws:iam::1:role/x", True, id="star-spans-colons-and-slashes"),
        pytest.param("", "", True, id="empty-empty"),
        pytest.param("", "a", False, id="empty-pattern"),
        pytest.param("?", "", False, id="question-not-empty"),
        pytest.param("?", ":", True, id="question-colon"),
        pytest.param("arn:aws:s3:::b/*", "arn:aws:s3:::b/k/x", True, id="prefix"),
        pytest.param("arn:aws:s3:::b/*", "arn:aws:s3:::bx", False, id="prefix-miss"),
        pytest.param("arn:aws:s3:::b[1]", "arn:aws:s3:::b[1]", True, id="bracket-literal"),
        pytest.param("arn:aws:s3:::b[1]", "arn:aws:s3:::b1", False, id="bracket-not-class"),
        pytest.param("arn:aws:s3:::b[!x]*", "arn:aws:s3:::by", False, id="negated-bracket-literal"),
        pytest.param("a.c", "abc", False, id="dot-literal"),
        pytest.param("a\\*", "a\\bc", True, id="backslash-literal-star-wild"),
        pytest.param("a*", "a\nb", True, id="star-spans-newline"),
        pytest.param("Arn:*", "arn:x", False, id="case-sensitive"),
        pytest.param("a*b", "a*b", True, id="text-star-is-literal"),
        pytest.param("a?b", "a*b", True, id="question-takes-text-star"),
    ],
)
def test_glob_match(pattern: str, text: str, expected: bool) -> None:
    assert glob_match(pattern, text) is expected


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        pytest.param("S3:Get*", "s3:getobject", True, id="glob"),
        pytest.param("S3:GETOBJECT", "s3:GetObject", True, id="exact"),
        pytest.param("s3:get?bject", "S3:GETOBJECT", True, id="question"),
        pytest.param("é", "É", False, id="only-ascii-folds"),
    ],
)
def test_glob_match_fold_case(pattern: str, text: str, expected: bool) -> None:
    assert glob_match(pattern, text, fold_case=True) is expected
    assert glob_match(pattern, text) is (pattern == text)


@given(glob=_GLOBS, text=_TEXTS)
def test_glob_match_agrees_with_reference(glob: str, text: str) -> None:
    assert glob_match(glob, text) is _accepts(glob, text)


def test_compile_glob_is_shared_with_actions() -> None:
    assert compile_action_glob("get*") is compile_glob("get*", fold_case=True)
    assert compile_glob("get*") is not compile_glob("get*", fold_case=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("abc", False, id="plain"),
        pytest.param("a*", True, id="star"),
        pytest.param("a?", True, id="question"),
        pytest.param("[a]", False, id="bracket"),
    ],
)
def test_has_wildcard(text: str, expected: bool) -> None:
    assert has_wildcard(text) is expected


# -- globs_intersect -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param("", "", True, id="empty-empty"),
        pytest.param("", "*", True, id="empty-star"),
        pytest.param("", "?", False, id="empty-question"),
        pytest.param("?", "*", True, id="question-star"),
        pytest.param("??", "?", False, id="lengths"),
        pytest.param("a*", "*b", True, id="prefix-suffix"),
        pytest.param("a*", "b*", False, id="prefixes-differ"),
        pytest.param("*a", "*b", False, id="suffixes-differ"),
        pytest.param("a*c", "a?c", True, id="star-question"),
        pytest.param("a*c", "ab", False, id="literal-miss"),
        pytest.param("*x*", "*y*", True, id="both-infixes"),
        pytest.param("a[1]*", "a[1]x", True, id="bracket-literal"),
        pytest.param("a[1]*", "a1x", False, id="bracket-not-class"),
        pytest.param(
            "arn:aws:iam::123456789012:role/*",
            "arn:aws:iam::*:role/app-*",
            True,
            id="arn-account-and-name",
        ),
        pytest.param(
            # plain globs: the twelve ``?`` can take "aws:policy/x", the star the rest
            "arn:aws:iam::aws:policy/*",
            "arn:aws:iam::????????????:policy/*",
            True,
            id="aws-owned-plain",
        ),
        pytest.param("arn:aws:s3:::b/*", "arn:aws:s3:::b*", True, id="s3-object-vs-buckets"),
    ],
)
def test_globs_intersect(a: str, b: str, expected: bool) -> None:
    assert globs_intersect(a, b) is expected
    assert globs_intersect(b, a) is expected


@given(a=_GLOBS, b=_GLOBS)
def test_globs_intersect_agrees_with_reference(a: str, b: str) -> None:
    assert globs_intersect(a, b) is _reference_intersect(a, b)


@given(glob=_GLOBS, text=st.text(alphabet="ab:z", max_size=10))
def test_intersect_with_a_literal_is_matching(glob: str, text: str) -> None:
    assert globs_intersect(glob, text) is glob_match(glob, text)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        pytest.param(
            "arn:aws:ec2:us-east-1:123456789012:instance/*",
            "arn:aws*:ec2:*:????????????:security-group/*",
            False,
            id="region-star-does-not-span",
        ),
        pytest.param(
            "arn:aws:ec2:us-east-1:123456789012:security-group/*",
            "arn:aws*:ec2:*:????????????:security-group/*",
            True,
            id="same-type",
        ),
        pytest.param(
            "arn:aws:iam::1234567:90123:role/x",
            "arn:aws*:iam::????????????:role/*",
            False,
            id="account-question-takes-no-colon",
        ),
        pytest.param(
            "arn:aws:s3:::b/*",
            "arn:aws*:iam::????????????:policy/*",
            False,
            id="partition-star-does-not-span",
        ),
        pytest.param("arn:*", "arn:aws*:s3:::*/*", True, id="statement-star-still-spans"),
        pytest.param("a:b:c", "*", False, id="bare-star-is-one-field"),
        pytest.param("*", "a:b:c", True, id="bare-star-on-the-other-side"),
        pytest.param(
            "arn:aws:iam::aws:policy/*",
            "arn:aws*:iam::????????????:policy/*",
            False,
            id="aws-owned",
        ),
        pytest.param("arn:aws:s3:::b/k:x", "arn:aws*:s3:::*", True, id="resource-part-spans"),
        pytest.param("x:y:z", "x:*", False, id="fewer-fields-all-bounded"),
    ],
)
def test_globs_intersect_bounded_fields(a: str, b: str, expected: bool) -> None:
    assert globs_intersect(a, b, bounded_fields=5, separator=":") is expected
    assert globs_intersect(a, b, bounded_fields=5, separator=":") is _reference_intersect(a, b, 5)


@given(a=_GLOBS, b=_GLOBS, fields=st.integers(min_value=0, max_value=3))
def test_bounded_intersect_agrees_with_reference(a: str, b: str, fields: int) -> None:
    assert globs_intersect(a, b, bounded_fields=fields) is _reference_intersect(a, b, fields)


@pytest.mark.parametrize("separator", ["", "*", "?", "::"])
def test_bounded_intersect_rejects_bad_separators(separator: str) -> None:
    with pytest.raises(ValueError, match="separator"):
        globs_intersect("a", "b", bounded_fields=1, separator=separator)


# -- glob_contains --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        pytest.param("*", "", True, id="star-empty"),
        pytest.param("*", "a?*b", True, id="star-anything"),
        pytest.param("**", "*", True, id="stars-star"),
        pytest.param("", "", True, id="empty-empty"),
        pytest.param("", "*", False, id="empty-star"),
        pytest.param("?", "", False, id="question-empty"),
        pytest.param("?", "*", False, id="question-star"),
        pytest.param("?", "?", True, id="question-question"),
        pytest.param("?", "a", True, id="question-literal"),
        pytest.param("a", "?", False, id="literal-question"),
        pytest.param("?*", "*?", True, id="one-or-more-either-order"),
        pytest.param("??*", "?*?", True, id="two-or-more-either-order"),
        pytest.param("*?", "*", False, id="one-or-more-vs-any"),
        pytest.param("a[1]*", "a[1]x*", True, id="bracket-literal"),
        pytest.param("a[1]*", "a1*", False, id="bracket-not-class"),
        pytest.param(
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::123456789012:role/app-*",
            True,
            id="all-accounts-roles",
        ),
        pytest.param(
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::????????????:role/*",
            True,
            id="usable-roles",
        ),
        pytest.param("arn:aws:s3:::b/*", "arn:aws:s3:::b*", False, id="objects-not-buckets"),
        pytest.param("arn:aws:s3:::b*", "arn:aws:s3:::b/*", True, id="buckets-prefix-objects"),
        pytest.param(
            "arn:aws:iam::123456789012:role/*",
            "arn:aws:iam::????????????:role/*",
            False,
            id="one-account",
        ),
        pytest.param("arn:*", "arn:aws*:iam::????????????:role/*", True, id="arn-star"),
    ],
)
def test_glob_contains(outer: str, inner: str, expected: bool) -> None:
    assert glob_contains(outer, inner) is expected


@given(outer=_GLOBS, inner=_GLOBS)
def test_glob_contains_is_sound(outer: str, inner: str) -> None:
    if glob_contains(outer, inner):
        assert _reference_contains(outer, inner)


@given(outer=_GLOBS, inner=st.text(alphabet="ab:", max_size=8))
def test_glob_contains_is_exact_for_literals(outer: str, inner: str) -> None:
    assert glob_contains(outer, inner) is glob_match(outer, inner)


def test_glob_contains_known_incompleteness() -> None:
    # every string of *a*b has a character after some "a", yet the syntactic check cannot see it
    assert _reference_contains("*a?*", "*a*b")
    assert not glob_contains("*a?*", "*a*b")


# -- hostile input: work is counted, not timed ----------------------------------------------------

_HOSTILE = "*a" * 11 + "*b"


def test_hostile_pattern_matches_in_one_pass() -> None:
    text = "a" * 100_000
    # a backtracking matcher would need ~C(100000, 11) steps here; the atomic groups need one
    assert not glob_match(_HOSTILE, text)
    assert glob_match(_HOSTILE, text + "b")
    assert compile_glob(_HOSTILE).pattern.count("(?>") == _HOSTILE.count("*") - 1


def test_hostile_pattern_with_question_marks_matches_in_one_pass() -> None:
    pattern = "*a?" * 30 + "b"  # the automaton: one pass over the text, whatever the pattern
    text = "a" * 100_000
    assert not glob_match(pattern, text)
    assert glob_match(pattern, text + "b")
    assert glob_match(pattern.upper(), text.upper() + "B", fold_case=True)


@pytest.mark.parametrize("contain", [False, True], ids=["intersect", "contain"])
def test_hostile_pattern_work_is_one_row_per_token(contain: bool) -> None:
    pattern = _HOSTILE + "*"  # ends in a star, so the literal tail does not decide it at once
    answer, rows = _glob._relate(pattern, "a" * 2000, contain=contain)
    assert answer is False
    assert rows <= len(pattern)
    answer, rows = _glob._relate(pattern, "a" * 2000 + "b", contain=contain)
    assert answer is True
    assert rows <= len(pattern)


def test_intersection_puts_the_shorter_pattern_on_the_rows() -> None:
    long_glob = "?a" * 1000
    _, rows = _glob._relate(long_glob, _HOSTILE + "*", contain=False)
    assert rows <= len(_HOSTILE) + 1


def test_worst_case_work_is_bounded_by_the_cap() -> None:
    a = ("*?a" * MAX_GLOB_LENGTH)[:MAX_GLOB_LENGTH]
    b = ("a*?" * MAX_GLOB_LENGTH)[:MAX_GLOB_LENGTH]
    _, rows = _glob._relate(a, b, contain=False)
    assert rows <= MAX_GLOB_LENGTH
    _, rows = _glob._relate(a, b, contain=True)
    assert rows <= MAX_GLOB_LENGTH


@pytest.mark.parametrize(
    ("a", "b", "intersect", "contain"),
    [
        pytest.param("a" * (MAX_GLOB_LENGTH + 1), "b*", True, False, id="too-long-literal"),
        pytest.param("*", "a" * (MAX_GLOB_LENGTH + 1), True, True, id="star-still-answers"),
        pytest.param("a*", "*" * (MAX_GLOB_LENGTH + 1), True, False, id="too-long-stars"),
    ],
)
def test_over_the_cap_answers_conservatively(
    a: str, b: str, intersect: bool, contain: bool
) -> None:
    assert _glob._relate(a, b, contain=False) == (intersect, 0)
    assert _glob._relate(a, b, contain=True) == (contain, 0)
    assert globs_intersect(a, b) is intersect
    assert glob_contains(a, b) is contain
