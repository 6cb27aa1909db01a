"""IAM wildcard globs (``*`` and ``?``): matching, intersection and containment, in bounded time.

This is the one glob engine of iacguard.  Action patterns use it without case (``fold_case``),
resource ARNs with case.  Only ``*`` (any run of characters, including none, ``:`` and ``/``)
and ``?`` (exactly one character) are special; every other character, ``[``, ``]``, ``\\`` and
``.`` included, stands for itself.  IAM's escapes (``${*}``, ``${?}``) and policy variables
(``${aws:username}``) are not interpreted: they are literal text here.

Patterns come from untrusted files, so no question costs more than polynomial time:

- :func:`glob_match` uses no regular expression: a pattern without ``?`` is matched by finding
  its star-separated runs left to right with ``str.find``, one with ``?`` by running its
  automaton over the text a character at a time, all states at once in the bits of one
  integer (one pass, linear in the text for a given pattern);
- :func:`compile_glob` (the action catalog's bulk matching) compiles a pattern into a
  regular expression in which every star but the last is an atomic group, so a match
  is linear in the text for a given pattern;
- :func:`globs_intersect` and :func:`glob_contains` run one dynamic programme over the two
  patterns, a bit-parallel table of at most ``len(a)`` rows of ``len(b)`` bits, and give up
  (conservatively, in a documented direction) on patterns longer than :data:`MAX_GLOB_LENGTH`.

:func:`globs_intersect` can also treat the leading fields of its second pattern as free of the
field separator, as the first five fields of an ARN are (``bounded_fields``).

Every function here is pure and remembers nothing: the answers a scan asks again and again
are kept by that scan's :class:`~iacguard.analysis.matching.Matching`, never in this module.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "MAX_GLOB_LENGTH",
    "compile_glob",
    "glob_contains",
    "glob_match",
    "globs_intersect",
    "has_wildcard",
]

#: Longest pattern :func:`globs_intersect` and :func:`glob_contains` analyse (AWS APIs take
#: ARNs of at most 2,048 characters); longer ones get the conservative answer.
MAX_GLOB_LENGTH: Final = 2048

_STAR: Final = "*"
_ANY_CHAR: Final = "?"
#: a maximal run of wildcards, rewritten to a canonical order by :func:`_canonical`
_WILDCARD_RUN: Final = re.compile(r"[*?]{2,}")


def has_wildcard(text: str) -> bool:
    """Tell whether text contains an IAM wildcard.

    :param text: Any text.
    :returns: True when it contains ``*`` or ``?``.
    """
    # two substring searches (memchr) beat a set walk over a 10 MB hostile string 20-fold
    return _STAR in text or _ANY_CHAR in text


def compile_glob(pattern: str, *, fold_case: bool = False) -> re.Pattern[str]:
    """Compile a glob into a regular expression for ``fullmatch``.

    Like :func:`fnmatch.translate`, but only ``*`` and ``?`` are special (``[`` is literal) and
    ``*`` and ``?`` also match newlines.  Each literal run between two stars is matched at its
    leftmost position inside an atomic group, which is always correct for globs (a run's
    leftmost occurrence leaves the most text for the rest) and keeps matching linear in the
    text: a naive ``.*a.*a.*a...b`` backtracks exponentially.

    :param pattern: The glob.
    :param fold_case: Compare ASCII letters without case (IAM action names are ASCII); other
        characters are always compared exactly.
    :returns: A compiled expression that must be applied with ``fullmatch``.
    """
    head, *rest = pattern.split(_STAR)
    parts = [_translate_run(head)]
    if rest:
        *middle, tail = rest
        parts.extend(f"(?>.*?{_translate_run(run)})" for run in middle if run)
        parts.append(f".*{_translate_run(tail)}")
    flags = re.DOTALL | (re.IGNORECASE | re.ASCII if fold_case else 0)
    return re.compile("".join(parts), flags)


def glob_match(pattern: str, text: str, *, fold_case: bool = False) -> bool:
    """Match one concrete text against one glob, without a regular expression.

    Each literal run between two stars is taken at its leftmost place after the previous
    one, which is always right for globs (it leaves the most text for the rest): the runs
    are found with ``str.find`` (linear).  A pattern with ``?`` runs as an automaton whose
    states are the bits of one integer, one step per character of ``text``: ``O(len(text))``
    operations on integers of ``len(pattern)`` bits, whatever the pattern.

    :param pattern: The glob (``*`` and ``?`` special).
    :param text: The text; its ``*`` and ``?`` are ordinary characters.
    :param fold_case: Compare ASCII letters without case, as for IAM actions; ARNs are
        compared exactly (the default).
    :returns: True when the whole of ``text`` matches ``pattern``.
    """
    if fold_case:
        pattern, text = pattern.translate(_ASCII_LOWER), text.translate(_ASCII_LOWER)
    if not has_wildcard(pattern):
        return pattern == text
    if _ANY_CHAR not in pattern:
        return _match_runs(pattern, text)
    return _match_automaton(_canonical(pattern), text)


#: ASCII upper-case letters to lower case, nothing else (IAM folds only ASCII case)
_ASCII_LOWER: Final = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _match_runs(pattern: str, text: str) -> bool:
    """Match a glob whose only wildcard is ``*`` (it has at least one).

    :param pattern: The glob.
    :param text: The text.
    :returns: The verdict.
    """
    head, *middle, tail = pattern.split(_STAR)
    if len(head) + len(tail) > len(text) or not text.startswith(head):
        return False
    end = len(text) - len(tail)
    if not text.endswith(tail):
        return False
    position = len(head)
    for run in middle:
        if run:
            found = text.find(run, position, end)
            if found < 0:
                return False
            position = found + len(run)
    return True


def _match_automaton(pattern: str, text: str) -> bool:
    """Match a canonical glob (no two adjacent stars) by simulating its automaton.

    Bit ``i`` of the state is set when ``pattern[:i]`` can absorb the text read so far; a
    star at ``i`` keeps bit ``i`` on any character and passes it on to ``i + 1`` for free.

    :param pattern: A canonical glob.
    :param text: The text.
    :returns: The verdict.
    """
    stars = 0
    wild = 0
    by_char: dict[str, int] = {}
    for index, token in enumerate(pattern):
        bit = 1 << index
        if token == _STAR:
            stars |= bit
        elif token == _ANY_CHAR:
            wild |= bit
        else:
            by_char[token] = by_char.get(token, 0) | bit
    state = 1 | (1 & stars) << 1
    for char in text:
        state = ((state & (by_char.get(char, 0) | wild)) << 1) | (state & stars)
        if not state:
            return False
        state |= (state & stars) << 1
    return bool(state >> len(pattern) & 1)


def globs_intersect(a: str, b: str, *, bounded_fields: int = 0, separator: str = ":") -> bool:
    """Tell whether some string matches both globs (case-sensitively).

    The decision is exact: a dynamic programme over the two patterns (a product of their
    automata), ``O(len(a) * len(b))`` bit operations, done a machine word at a time.  Every
    glob matches some string, so ``"*"`` meets anything.

    ``bounded_fields`` describes strings whose leading fields cannot hold the separator, such
    as the first five fields of an ARN (``arn``, partition, service, region, account): the
    wildcards of ``b`` before its ``bounded_fields``-th literal ``separator`` then never match
    the separator.  With ``b = "arn:aws*:ec2:*:????????????:security-group/*"`` and
    ``bounded_fields=5``, ``a = "arn:aws:ec2:us-east-1:123456789012:instance/*"`` no longer
    meets ``b`` through a region of ``"us-east-1:123456789012:instance/x"``.

    Work cap: when either pattern is longer than :data:`MAX_GLOB_LENGTH`, the answer is
    **True** (they may intersect) without analysis.  Callers that use an intersection to
    decide that an Allow statement reaches a resource thus over-approximate, the safe side for
    finding over-privilege; callers deciding that a Deny applies should ask
    :func:`glob_contains`, which errs the other way.

    :param a: A glob.
    :param b: A glob.
    :param bounded_fields: How many leading ``separator``-delimited fields of ``b`` have
        wildcards that never match ``separator``; 0 (the default) for plain globs.
    :param separator: The field separator, one character other than ``*`` and ``?``.
    :returns: True when ``L(a) ∩ L(b)`` is not empty (or, past the cap, may not be).
    :raises ValueError: When ``separator`` is not one ordinary character.
    """
    if len(separator) != 1 or has_wildcard(separator):
        raise ValueError(f"separator must be one character other than * and ?: {separator!r}")
    return _relate(a, b, contain=False, bounded=(bounded_fields, separator))[0]


def glob_contains(outer: str, inner: str) -> bool:
    """Tell whether every string matching ``inner`` matches ``outer`` (case-sensitively).

    The answer is sound: it is never True when some string matches ``inner`` but not
    ``outer``.  It is computed syntactically, as if ``inner`` were a text in which its
    wildcards are letters that only a wildcard of ``outer`` can absorb: an ``outer`` star
    absorbs any run of ``inner`` (wildcards included), an ``outer`` ``?`` absorbs one ``inner``
    character or ``?``, and a literal absorbs only itself.  Runs of wildcards are first put
    in one order (``*?`` and ``?*`` both mean "one or more characters").  This is exact when
    ``inner`` has no wildcard, when ``outer`` is all stars, and for the shapes IAM policies
    use: ``arn:aws:iam::*:role/*`` contains ``arn:aws:iam::123456789012:role/app-*``, while
    ``arn:aws:s3:::b/*`` does not contain ``arn:aws:s3:::b*``.  It can answer False for a
    true containment that needs reasoning about what a star's neighbours force, such as
    ``*a?*`` containing ``*a*b`` (every such string has a character after some ``a``).

    Work cap: ``O(len(outer) * len(inner))`` bit operations; when either pattern is longer
    than :data:`MAX_GLOB_LENGTH` the answer is **False** (not known to be contained), unless
    ``outer`` is all stars.

    :param outer: The glob that should include the other.
    :param inner: The glob whose strings are tested.
    :returns: True only when ``L(inner) ⊆ L(outer)``.
    """
    return _relate(outer, inner, contain=True)[0]


# -- the dynamic programme ------------------------------------------------------------------------


def _relate(
    a: str, b: str, *, contain: bool, bounded: tuple[int, str] = (0, ":")
) -> tuple[bool, int]:
    """Decide intersection (``contain=False``) or syntactic containment of ``b`` in ``a``.

    Both patterns are canonicalised, the literal heads and tails are compared directly, and
    the middles go to :func:`_table`.

    :param a: A glob; for containment, the outer one.
    :param b: A glob; for containment, the inner one.
    :param contain: Which relation to decide.
    :param bounded: For intersection, ``(fields, separator)``: the wildcards of ``b`` before
        its ``fields``-th literal separator do not match the separator.
    :returns: The answer and the work done, as the number of table rows computed (for tests:
        each row is a handful of operations on integers of ``len(b) + 1`` bits).
    """
    fields, separator = bounded
    if _is_all_stars(a) or (not contain and not fields and _is_all_stars(b)):
        return True, 0
    if len(a) > MAX_GLOB_LENGTH or len(b) > MAX_GLOB_LENGTH:
        return not contain, 0
    a, b = _canonical(a), _canonical(b)
    fence = _fence(b, fields, separator) if fields > 0 and not contain else 0
    if not fence and not contain and len(a) > len(b):
        # intersection is symmetric: put the shorter pattern on the rows (the Python loop)
        a, b = b, a
    trimmed = _trim(a, b, contain=contain, fence=fence, separator=separator)
    if trimmed is None:
        return False, 0
    a, b, fence = trimmed
    return _table(a, b, contain=contain, fence=fence, separator=separator)


def _table(a: str, b: str, *, contain: bool, fence: int, separator: str) -> tuple[bool, int]:
    """Run the bit-parallel table: row ``i`` holds, as bit ``j``, whether ``a[:i]`` and
    ``b[:j]`` can absorb a common prefix.

    Moves from cell ``(i, j)``: a star of ``a`` absorbs nothing (down) or the next token of
    ``b`` (right); a non-star of ``a`` absorbs a compatible non-star of ``b`` (diagonal).  For
    intersection, symmetrically, a star of ``b`` absorbs nothing (right) or the next token
    of ``a`` (down), and ``?`` is compatible with any non-star, except that the wildcards of
    ``b`` before ``fence`` take no ``separator``.  For containment ``b``'s wildcards have no
    moves of their own: a literal of ``a`` absorbs only that literal.

    :param a: Canonical glob on the rows.
    :param b: Canonical glob on the bits (no two adjacent stars, so one shift closes a row).
    :param contain: Which relation to decide.
    :param fence: Index in ``b`` before which its wildcards do not match ``separator``.
    :param separator: The separator the fence is about.
    :returns: Whether cell ``(len(a), len(b))`` is reached, and the number of rows computed.
    """
    full = (1 << (len(b) + 1)) - 1
    stars = 0
    non_stars = 0
    wild = 0
    by_char: dict[str, int] = {}
    for index, token in enumerate(b):
        bit = 1 << index
        if token == _STAR:
            stars |= bit
        else:
            non_stars |= bit
            if token == _ANY_CHAR:
                wild |= bit
            else:
                by_char[token] = by_char.get(token, 0) | bit
    if contain:
        stars = 0  # an inner star can only be absorbed by an outer star
        wild = 0  # an inner ``?`` is compatible with an outer ``?`` only
    fenced = ~((1 << fence) - 1)  # the positions past the fence
    for_separator = (by_char.get(separator, 0) | (wild & fenced), stars & fenced)
    row = 1
    rows = 0
    for token in a:
        rows += 1
        row |= (row & stars) << 1
        if token == _STAR:
            lowest = row & -row
            row = full & ~(lowest - 1)
        else:
            if token == _ANY_CHAR:
                compatible, absorbing = non_stars, stars
            elif token == separator:
                compatible, absorbing = for_separator
            else:
                compatible, absorbing = by_char.get(token, 0) | wild, stars
            row = ((row & compatible) << 1) | (row & absorbing)
        if not row:
            return False, rows
    row |= (row & stars) << 1
    return bool(row >> len(b) & 1), rows


def _trim(
    a: str, b: str, *, contain: bool, fence: int, separator: str
) -> tuple[str, str, int] | None:
    """Compare the literal heads and tails of two canonical globs, one token at a time.

    Before the first star of either pattern (and after the last), the two match position by
    position, so an incompatible pair decides the question at once.  For containment, an
    ``a`` token that is not a star facing a star of ``b`` decides it too.

    :param a: Canonical glob.
    :param b: Canonical glob.
    :param contain: Which relation is decided.
    :param fence: Index in ``b`` before which its wildcards do not match ``separator``.
    :param separator: The separator the fence is about.
    :returns: The two middles still to compare and the fence within the middle of ``b``, or
        None when the answer is False.
    """
    start = 0
    limit = min(len(a), len(b))
    while start < limit:
        x, y = a[start], b[start]
        if x == _STAR or (y == _STAR and not contain):
            break
        if not _compatible(x, y, contain=contain, fenced=start < fence, separator=separator):
            return None
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start:
        x, y = a[end_a - 1], b[end_b - 1]
        if x == _STAR or (y == _STAR and not contain):
            break
        fenced = end_b - 1 < fence
        if not _compatible(x, y, contain=contain, fenced=fenced, separator=separator):
            return None
        end_a -= 1
        end_b -= 1
    return a[start:end_a], b[start:end_b], max(0, min(fence, end_b) - start)


def _compatible(x: str, y: str, *, contain: bool, fenced: bool, separator: str) -> bool:
    """Whether token ``x`` of ``a`` (not a star) can absorb token ``y`` of ``b``.

    :param x: A literal or ``?``.
    :param y: Any token.
    :param contain: For containment ``y``'s wildcards must be absorbed by ``x``'s.
    :param fenced: ``y`` stands before the fence: as a ``?`` it is not ``separator``.
    :param separator: The separator the fence is about.
    :returns: The verdict.
    """
    if y == _STAR:
        return False
    if contain:
        return x in (_ANY_CHAR, y)
    if y == _ANY_CHAR:
        return not (fenced and x == separator)
    return x in (_ANY_CHAR, y)


def _fence(glob: str, fields: int, separator: str) -> int:
    """Find where the bounded fields of a glob end.

    :param glob: A glob.
    :param fields: How many leading fields are bounded (at least 1).
    :param separator: The field separator.
    :returns: The index of the ``fields``-th separator, or the glob's length when it has
        fewer.
    """
    index = -1
    for _ in range(fields):
        index = glob.find(separator, index + 1)
        if index < 0:
            return len(glob)
    return index


def _canonical(glob: str) -> str:
    """Rewrite every run of wildcards as its ``?`` marks followed by at most one star.

    ``*?``, ``?*`` and ``*?*`` all mean "one character or more"; one order lets the tables
    compare them and guarantees no two adjacent stars.

    :param glob: A glob.
    :returns: An equivalent glob.
    """
    return _WILDCARD_RUN.sub(_canonical_run, glob)


def _canonical_run(match: re.Match[str]) -> str:
    """Canonical form of one run of wildcards.

    :param match: The run.
    :returns: Its ``?`` marks, then ``*`` if it had any star.
    """
    run = match.group()
    return _ANY_CHAR * run.count(_ANY_CHAR) + (_STAR if _STAR in run else "")


def _is_all_stars(glob: str) -> bool:
    """Whether a glob is one or more stars and nothing else (it then matches every string).

    :param glob: A glob.
    :returns: The verdict.
    """
    return bool(glob) and not glob.strip(_STAR)


def _translate_run(run: str) -> str:
    """Translate a star-free glob run into a regular expression.

    :param run: Glob text containing no ``*``.
    :returns: The expression; ``?`` becomes ``.`` and everything else is escaped.
    """
    return "".join("." if char == _ANY_CHAR else re.escape(char) for char in run)
