"""Grants: the statements of the policies that apply to a principal, compiled once, with
where they come from and the conditions they hold under."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from iacguard.analysis._index import Memo
from iacguard.analysis.conditions import known
from iacguard.analysis.resources import ResourceSet, covers, reaches
from iacguard.catalog import action_pattern_matches
from iacguard.graph import DocumentSite
from iacguard.model import Edge, Policy, PolicyDocument, Principal, Statement, Unknown

#: the policy variable that limits a resource to the caller itself
_SELF: Final = "${aws:username}"


def names_action(
    statement: Statement,
    action: str,
    matches: Callable[[str, str], bool] = action_pattern_matches,
) -> bool | None:
    """Whether *statement*'s ``Action`` (or ``NotAction``) names the concrete *action*,
    whatever its effect: the one reading of action patterns (:class:`Grant` holds the
    same, compiled for the evaluator).

    :param matches: how a pattern is matched with an action; a scan passes its memoised
        :attr:`~iacguard.analysis.matching.Matching.action_matches`.
    :returns: True, False, or None when an unresolved entry decides.
    """
    entries = statement.not_actions if statement.uses_not_action else statement.actions
    patterns = known(entries)
    hit = any(matches(pattern, action) for pattern in patterns)
    if hit:
        return not statement.uses_not_action
    if len(patterns) < len(entries):
        return None
    return statement.uses_not_action


@dataclass(frozen=True, slots=True, eq=False)
class GrantSource:
    """Where a grant comes from: a policy, bound by an edge, possibly through a group."""

    policy: Policy
    document: PolicyDocument
    #: the attachment or inline edge (or the boundary edge) that binds the policy
    edge: Edge
    #: the group that brings the policy to a user; None when the principal holds it
    via: Principal | None = None
    #: True for a statement of the permission boundary
    boundary: bool = False

    def describe(self) -> str:
        """``policy 'deploy' via group 'aws_iam_group.ops'``: how messages name it."""
        label = DocumentSite(self.policy, self.document, self.edge.origin).describe()
        if self.boundary:
            label = f"permission boundary {label}"
        return f"{label} via group '{self.via.address}'" if self.via else label


@dataclass(frozen=True, slots=True, eq=False)
class Grant:
    """One statement of an applying policy, with its source; conditions are kept."""

    statement: Statement
    source: GrantSource
    #: lower-cased resolved patterns of ``Action`` (or of ``NotAction``)
    patterns: tuple[str, ...]
    #: the statement uses ``NotAction``: it covers every action its patterns do not
    not_action: bool
    #: some ``Action``/``NotAction`` entry is unresolved
    unresolved: bool
    #: the patterns without wildcards, for a set look-up before any glob matching
    exact: frozenset[str]
    #: the patterns with wildcards
    globs: tuple[str, ...]
    #: the services the patterns name; None when the statement may name any service
    #: (``*``, ``NotAction``, an unresolved entry)
    services: frozenset[str] | None
    #: answers shared by the grants of the same statement, and the scan's matching answers
    memo: Memo = field(repr=False)

    @property
    def is_allow(self) -> bool:
        """True for an Allow statement."""
        return self.statement.is_allow

    @property
    def conditional(self) -> bool:
        """True when the statement applies only when its conditions hold."""
        return bool(self.statement.conditions)

    @property
    def on_any_resource(self) -> bool:
        """True for ``Resource: "*"`` and for ``NotResource`` (everything but a list)."""
        return self.statement.covers_all_resources or self.statement.uses_not_resource

    @property
    def self_only(self) -> bool | None:
        """Whether every resource names the caller (``${aws:username}``): the grant then
        lets a user manage itself, not others.

        :returns: True, False, or None when an unresolved resource decides.
        """
        resources = self.statement.resources
        if not resources or any(isinstance(r, str) and _SELF not in r.lower() for r in resources):
            return False
        return None if any(isinstance(r, Unknown) for r in resources) else True

    def covers(self, action: str) -> bool | None:
        """Whether the statement names *action* (lower-cased ``service:name``).

        :returns: True or False; None when an unresolved entry decides.
        """
        answers = self.memo.actions
        if action in answers:
            return answers[action]
        matches = self.memo.matching.action_matches
        hit = action in self.exact or any(matches(pattern, action) for pattern in self.globs)
        if self.not_action:
            verdict = False if hit else (None if self.unresolved else True)
        else:
            verdict = True if hit else (None if self.unresolved else False)
        answers[action] = verdict
        return verdict

    def covers_all(self) -> bool:
        """True when ``Action`` lists the bare ``*``."""
        return not self.not_action and "*" in self.patterns

    def resources_cover(self, other: Grant) -> bool | None:
        """Whether this (deny) statement's resources include every resource of *other*.

        :returns: True, False, or None when an unresolved resource decides.
        """
        key = id(other.statement)
        if key not in self.memo.covers:
            self.memo.covers[key] = self._resources_cover(other)
        return self.memo.covers[key]

    def _resources_cover(self, other: Grant) -> bool | None:
        theirs = other.statement
        if theirs.uses_not_resource:
            wanted = ResourceSet(("*",))
        else:
            if any(isinstance(r, Unknown) for r in theirs.resources):
                everything = covers(self.statement, ResourceSet(("*",)), self.memo.matching)
                return True if everything else None
            wanted = ResourceSet(tuple(known(theirs.resources)))
        return covers(self.statement, wanted, self.memo.matching) if wanted.globs else False

    def reaches(self, wanted: ResourceSet) -> bool | None:
        """Whether the statement names some resource of *wanted* (see
        :func:`~iacguard.analysis.resources.reaches`)."""
        return reaches(self.statement, wanted, self.memo.matching)

    def covers_resources(self, wanted: ResourceSet) -> bool | None:
        """Whether the statement names every resource of *wanted*."""
        return covers(self.statement, wanted, self.memo.matching)
