"""Which resources a statement names: ``Resource``/``NotResource`` against the resources a
question is about (one role of the graph, or every resource an action can use).

Resource entries are globs (``*`` and ``?``), matched case-sensitively in linear time;
an unresolved entry names the element it references (``aws_iam_role.admin.arn``) or,
without a reference, stays undecided: never ``*``, never nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypeAlias

from iacguard.analysis.refs import ARN_ATTRIBUTES
from iacguard.model import MaybeStr, Principal, Statement, Unknown

if TYPE_CHECKING:
    from iacguard.analysis.matching import Matching

#: a policy variable or an unresolved pseudo parameter inside a resource entry
_VARIABLE: Final = re.compile(r"\$\{[^{}]*\}")
#: reference attributes that stand for an element's ARN when the element is the one
#: asked about (CloudFormation's ``Ref`` is the ARN of a managed policy, not of a role:
#: a ``Resource`` naming a role by ``Ref`` is invalid, and taken as meant)
_NAMES_ELEMENT: Final = ARN_ATTRIBUTES | {"Ref"}


@dataclass(frozen=True, slots=True)
class ResourceSet:
    """The resources a question is about.

    ``globs == ()`` stands for an action that takes only ``Resource: "*"``.
    """

    #: globs of the ARNs in the set (an exact ARN is a glob without wildcards)
    globs: tuple[str, ...]
    #: the graph element the set is, when it is one (matched by reference)
    address: str | None = None


#: a test of one resolved entry against the wanted set, with the scan's memo tables
_Test: TypeAlias = Callable[[str, ResourceSet, "Matching"], bool]


def role_resources(role: Principal) -> ResourceSet:
    """The ARN of *role*: exact when known, else a role of that name and path (``/`` when
    unset) in a customer account (the configuration's roles share one account, rules.md
    "Can assume"); any role when the name is unknown."""
    if isinstance(role.arn, str) and role.arn:
        return ResourceSet((role.arn,), role.address)
    name = role.name if isinstance(role.name, str) and role.name else None
    path = role.path if isinstance(role.path, str) and role.path else "/"
    glob = f"arn:aws*:iam::????????????:role{path}{name}" if name else "arn:aws*:iam::*:role/*"
    return ResourceSet((glob,), role.address)


def reaches(statement: Statement, wanted: ResourceSet, matching: Matching) -> bool | None:
    """Whether *statement* names at least one resource of *wanted*.

    :param matching: the scan's memo tables.
    :returns: True, False, or None when an unresolved entry decides.
    """
    if statement.uses_not_resource:
        excluded = _entries(statement.not_resources, wanted, _contains_all, matching)
        return None if excluded is None else not excluded
    return _entries(statement.resources, wanted, _meets, matching)


def covers(statement: Statement, wanted: ResourceSet, matching: Matching) -> bool | None:
    """Whether *statement* names every resource of *wanted* (a ``Deny`` that covers them
    removes the grant for all of them).

    :param matching: the scan's memo tables.
    :returns: True, False, or None when an unresolved entry decides.
    """
    if statement.uses_not_resource:
        excluded = _entries(statement.not_resources, wanted, _meets, matching)
        return None if excluded is None else not excluded
    return _entries(statement.resources, wanted, _contains_all, matching)


def _entries(
    entries: Iterable[MaybeStr], wanted: ResourceSet, test: _Test, matching: Matching
) -> bool | None:
    """True when one entry passes *test* (or references *wanted*'s element), None when
    only an unresolved entry could, else False."""
    undecided = False
    for entry in entries:
        if isinstance(entry, Unknown):
            if wanted.address and any(
                ref.address == wanted.address and ref.attribute in _NAMES_ELEMENT
                for ref in entry.refs
            ):
                return True
            undecided = True
        elif test(entry, wanted, matching):
            return True
    return None if undecided else False


def _meets(entry: str, wanted: ResourceSet, matching: Matching) -> bool:
    """Whether *entry* may name a resource of *wanted*: a policy variable
    (``${aws:username}``) or a CloudFormation pseudo parameter left in the text
    (``${AWS::AccountId}``) may stand for any value there."""
    if entry == "*":
        return True
    return matching.reaches((as_pattern(entry),), wanted.globs)


def as_pattern(entry: str) -> str:
    """A ``Resource`` entry as a glob of what it may name: a policy variable
    (``${aws:username}``) or a CloudFormation pseudo parameter left in the text
    (``${AWS::AccountId}``) may stand for any value there."""
    return _VARIABLE.sub("*", entry)


def _contains_all(entry: str, wanted: ResourceSet, matching: Matching) -> bool:
    if entry == "*" or entry in wanted.globs:
        return True
    return matching.covers_every((entry,), wanted.globs)


def every_resource_of(statement: Statement, matching: Matching, action: str) -> bool:
    """Whether *statement*'s ``Resource`` names, as ``"*"`` does, every resource of some
    type *action* acts on: ``arn:aws:iam::*:role/*`` for ``iam:PassRole``,
    ``arn:aws:s3:::*`` (every object) for ``s3:PutObject``, ``arn:*`` for anything; not
    one account's roles (``arn:aws:iam::123456789012:role/*``) nor one bucket's objects.
    An unresolved entry or an action the catalog does not know decides nothing (False).

    :param matching: the scan's memo tables (and its catalog).
    """
    if statement.uses_not_resource:
        return False
    entries = [e for e in statement.resources if isinstance(e, str)]
    if "*" in entries:
        return True
    usable = matching.usable_resources(action)
    if usable is None or not entries:
        return False
    if not usable:
        return matching.covers_every(entries, usable)
    return any(matching.covers_every(entries, (kind,)) for kind in usable)
