"""The memo tables of one scan: the answers to the matching questions its policies ask again
and again (does this action pattern name that action, do these two ARN globs meet, which
resources can this action use), kept for the scan and dropped with it.

The questions are pure functions of their strings (:mod:`iacguard._glob`,
:mod:`iacguard.action_glob`, :mod:`iacguard.analysis.arn`), which remember nothing; a scan
makes one :class:`Matching` (the engine, through its :class:`~iacguard.analysis.analyzer.Analyzer`
instances) and every check and view of the scan asks through it. Nothing is shared between
scans, and each table holds at most a fixed number of answers, the least recently used going
first: a hostile input with millions of distinct patterns costs time, which the pure
functions bound per question, never memory that outlives its scan.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Final, final

from iacguard import _glob
from iacguard.action_glob import action_pattern_matches
from iacguard.analysis import arn
from iacguard.analysis.arn import GlobRelations, meets_usable, usable_resources
from iacguard.catalog import ActionCatalog

#: answers kept of "does this action pattern name that action" (a few hundred patterns
#: meet a few hundred actions in a large configuration)
ACTION_ANSWERS: Final = 1 << 16
#: compiled action globs kept
COMPILED_GLOBS: Final = 4096
#: answers kept of each ARN glob comparison (meets, contains)
GLOB_ANSWERS: Final = 1 << 14
#: actions whose usable resources are kept, and answers kept of each question about a
#: ``Resource`` list and an action's usable globs (reaches, covers every)
USABLE_ANSWERS: Final = 4096


@final
class Matching:
    """The matching answers of one scan, memoised in bounded tables.

    Every answer is the one the pure function gives (:func:`action_pattern_matches`,
    :func:`~iacguard.analysis.arn.meets_usable`, :func:`iacguard._glob.glob_contains`,
    :func:`~iacguard.analysis.arn.usable_resources`, :func:`~iacguard.analysis.arn.reaches`,
    :func:`~iacguard.analysis.arn.covers_every`); only the time differs.

    :param catalog: the action catalog the scan reads (usable resources come from it).
    :param size: how many answers each table keeps, as a fraction of the defaults above
        (tests use small tables to see eviction); at least one answer per table.
    """

    __slots__ = ("_covers_every", "_reaches", "_usable", "action_matches", "catalog", "relations")

    def __init__(self, catalog: ActionCatalog, *, size: float = 1.0) -> None:
        def bounded(limit: int) -> int:
            return max(1, int(limit * size))

        compiled: Callable[[str], re.Pattern[str]] = functools.lru_cache(
            maxsize=bounded(COMPILED_GLOBS)
        )(functools.partial(_glob.compile_glob, fold_case=True))
        #: the catalog the answers are about
        self.catalog = catalog
        #: :func:`~iacguard.action_glob.action_pattern_matches`, memoised:
        #: ``action_matches(pattern, action)``
        self.action_matches: Callable[[str, str], bool] = functools.lru_cache(
            maxsize=bounded(ACTION_ANSWERS)
        )(functools.partial(action_pattern_matches, compile_with=compiled))
        #: the ARN glob comparisons, memoised, for :mod:`iacguard.analysis.arn` and
        #: :mod:`iacguard.analysis.resources`
        self.relations = GlobRelations(
            meets=functools.lru_cache(maxsize=bounded(GLOB_ANSWERS))(meets_usable),
            contains=functools.lru_cache(maxsize=bounded(GLOB_ANSWERS))(_glob.glob_contains),
        )
        self._usable: Callable[[str], tuple[str, ...] | None] = functools.lru_cache(
            maxsize=bounded(USABLE_ANSWERS)
        )(functools.partial(usable_resources, catalog))
        # the statements of many principals ask about the same few resource lists and
        # resource types, for every action they name
        self._reaches: Callable[[tuple[str, ...], tuple[str, ...]], bool] = functools.lru_cache(
            maxsize=bounded(USABLE_ANSWERS)
        )(functools.partial(arn.reaches, relations=self.relations))
        self._covers_every: Callable[[tuple[str, ...], tuple[str, ...]], bool] = (
            functools.lru_cache(maxsize=bounded(USABLE_ANSWERS))(
                functools.partial(arn.covers_every, relations=self.relations)
            )
        )

    def usable_resources(self, action: str) -> tuple[str, ...] | None:
        """:func:`~iacguard.analysis.arn.usable_resources` of *action* (any case) in the
        catalog, memoised."""
        return self._usable(action.lower())

    def reaches(self, resources: Sequence[str], usable: Sequence[str]) -> bool:
        """:func:`~iacguard.analysis.arn.reaches`, memoised."""
        return self._reaches(tuple(resources), tuple(usable))

    def covers_every(self, resources: Sequence[str], usable: Sequence[str]) -> bool:
        """:func:`~iacguard.analysis.arn.covers_every`, memoised."""
        return self._covers_every(tuple(resources), tuple(usable))
