"""Policy statements compiled for the evaluator, and indexed by the service they name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeAlias, final

from iacguard.model import Statement

if TYPE_CHECKING:
    from iacguard.analysis.evaluate import Grant
    from iacguard.analysis.matching import Matching

#: a statement, its lower-cased patterns, NotAction and unresolved flags, exact patterns,
#: wildcard patterns, services, and the memo its grants share (the fields of
#: :class:`Grant` but its source)
Compiled: TypeAlias = tuple[
    Statement,
    tuple[str, ...],
    bool,
    bool,
    frozenset[str],
    tuple[str, ...],
    frozenset[str] | None,
    "Memo",
]


@final
class Memo:
    """Answers about one statement, shared by the grants of every principal holding it:
    which actions it names, and (for a Deny) whose resources it covers; and the scan's
    :class:`~iacguard.analysis.matching.Matching`, which answers the questions they ask.

    :param matching: the memo tables of the scan the statement is evaluated in.
    """

    __slots__ = ("actions", "covers", "matching")

    def __init__(self, matching: Matching) -> None:
        #: the scan's matching answers
        self.matching = matching
        #: lower-cased action -> :meth:`Grant.covers`
        self.actions: dict[str, bool | None] = {}
        #: ``id()`` of another statement -> :meth:`Grant.resources_cover` (statements
        #: live as long as the evaluator that holds this memo)
        self.covers: dict[int, bool | None] = {}


def compile_statement(statement: Statement, matching: Matching) -> Compiled:
    """A statement's fields for :class:`Grant`, its questions answered through *matching*."""
    values = statement.not_actions if statement.uses_not_action else statement.actions
    patterns = tuple(v.lower() for v in values if isinstance(v, str))
    globs = tuple(p for p in patterns if "*" in p or "?" in p)
    exact = frozenset(patterns).difference(globs)
    unresolved = len(patterns) < len(values)
    named = frozenset(p.partition(":")[0] for p in patterns)
    wide = statement.uses_not_action or unresolved or "*" in named
    return (
        statement,
        patterns,
        statement.uses_not_action,
        unresolved,
        exact,
        globs,
        (None if wide else named),
        Memo(matching),
    )


@final
class StatementIndex:
    """Statements by the service their ``Action`` patterns name; ``*``, ``NotAction`` and
    unresolved statements apply to every service."""

    def __init__(self, grants: Iterable[Grant]) -> None:
        self.everything: list[Grant] = []
        self.by_service: dict[str, list[Grant]] = {}
        self._all: list[Grant] = []
        for grant in grants:
            self._all.append(grant)
            if grant.services is None:
                self.everything.append(grant)
                continue
            for service in grant.services:
                self.by_service.setdefault(service, []).append(grant)

    def candidates(self, action: str) -> list[Grant]:
        """Statements that might name *action* (lower-cased)."""
        return self.everything + self.by_service.get(action.partition(":")[0], [])

    def services(self) -> frozenset[str] | None:
        """The services the statements may name; None when they may name any."""
        return None if self.everything else frozenset(self.by_service)

    def all(self) -> list[Grant]:
        """Every statement, in order."""
        return self._all
