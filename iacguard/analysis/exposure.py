"""Whether a grant to anyone is limited to specific callers: by its own restricting
condition, or by companion ``Deny`` statements of its document that deny everyone but
specific callers (rules.md "Restricting condition"; IAM401, IAM501).

A negated operator is true for a request without the key, so ``Deny`` with
``StringNotEquals aws:SourceVpce vpce-1`` denies every request that does not come
through ``vpce-1``, the public's included: the ``Allow`` it covers is not public.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from iacguard._glob import glob_contains, globs_intersect
from iacguard.action_glob import split_pattern
from iacguard.analysis.conditions import (
    RESTRICTING_KEYS,
    known,
    narrows,
    read_operator,
    restricts_caller,
)
from iacguard.analysis.matching import Matching
from iacguard.analysis.resources import ResourceSet, covers
from iacguard.model import Condition, MaybeStr, Statement, Unknown

#: negated operators, by the positive operator whose matches they let through
_NEGATED: Final = {
    "stringnotequals": "stringequals",
    "stringnotequalsignorecase": "stringequalsignorecase",
    "stringnotlike": "stringlike",
    "arnnotequals": "arnequals",
    "arnnotlike": "arnlike",
    "notipaddress": "ipaddress",
}
#: keys a ``Deny`` can leave specific values of: the restricting keys except the
#: multi-valued ``aws:PrincipalOrgPaths``, which needs a set operator
EXCLUDING_KEYS: Final = RESTRICTING_KEYS - {"aws:principalorgpaths"}
#: every resource, as a question for :func:`~iacguard.analysis.resources.covers`
_EVERYTHING: Final = ResourceSet(("*",))


def excludes_others(condition: Condition, keys: Iterable[str] = EXCLUDING_KEYS) -> bool | None:
    """Whether *condition*, in a ``Deny``, holds for every request except those carrying
    specific values of one of *keys* (default: the restricting keys but
    ``aws:PrincipalOrgPaths``): the ``Deny`` then spares only those requests.

    A negated operator (``StringNotEquals``, ``StringNotEqualsIgnoreCase``,
    ``StringNotLike``, ``ArnNotEquals``, ``ArnNotLike``, ``NotIpAddress``) is true for a
    request without the key (IAM User Guide, "Condition operators"), so the ``Deny``
    catches those requests too; its ``…IfExists`` form is true there as well and catches
    the same requests. What it spares are the requests its positive twin
    (``StringEquals`` …) admits, and they are specific when that twin :func:`narrows`: not
    when one value is a wildcard for the key (``StringNotLike aws:SourceVpce "vpce-*"``
    spares every endpoint) nor when the ranges cover every address (``NotIpAddress
    0.0.0.0/0`` denies nothing). A set qualifier does not count (``ForAnyValue:`` is false
    for a request without the key, so such a ``Deny`` spares those).

    :returns: True, False, or None when an unresolved value (or key) decides.
    """
    if not condition.key:
        return None if any(isinstance(v, Unknown) for v in condition.values) else False
    if condition.key_lower not in {key.lower() for key in keys}:
        return False
    operator = read_operator(condition.operator)
    positive = _NEGATED.get(operator.name)
    if positive is None or operator.qualifier:
        return False
    return narrows(Condition(positive, condition.key, condition.values))


def deny_restricts(conditions: Iterable[Condition]) -> bool | None:
    """Whether a ``Deny`` whose ``Condition`` block holds *conditions* denies every request
    but those carrying specific values of restricting keys.

    Conditions are ANDed, so the ``Deny`` spares a request as soon as one of them is
    false: each must be one that :func:`excludes_others` (the requests spared are then
    those with one of the specific values, of one key or another). A ``Deny`` with
    ``StringNotEquals aws:SourceVpce`` and ``Bool aws:SecureTransport false`` spares every
    HTTPS request, wherever it comes from. Without a condition it denies everything.

    :returns: True, False, or None when an unresolved value decides.
    """
    return _all(excludes_others(condition) for condition in conditions)


def restricted(
    statement: Statement,
    document: Iterable[Statement],
    actions: Iterable[str] = (),
    *,
    present: frozenset[str] = frozenset(),
    matching: Matching,
) -> bool | None:
    """Whether an ``Allow`` *statement* to anyone is limited to specific callers.

    Either one of its own conditions restricts the caller (:func:`restricts_caller`), or
    the statements of its *document* deny the rest: ``Deny`` statements to everyone
    (``Principal: "*"`` or ``{"AWS": "*"}``) that deny every request but those with
    specific values of restricting keys (:func:`deny_restricts`; no condition at all
    denies everything) and together cover the statement: each of its actions (each of
    *actions* when given: the concrete actions a rule asks about) is named by one such
    ``Deny`` that names all of its resources. Everyone outside, the public included, is
    then denied for certain, whatever else the request carries.

    :param present: keys every request asked about carries (see :func:`restricts_caller`).
    :param matching: the scan's memo tables.
    :returns: True, False, or None when an unresolved value decides.
    """
    own = restricts_caller(statement.conditions, present=present)
    if own:
        return True
    denies = [
        deny for deny in document if deny.is_deny and any(ref.is_anyone for ref in deny.principals)
    ]
    usable: list[tuple[Statement, bool | None]] = []
    for deny in denies:
        names = _names_resources(deny, statement, matching)
        verdict = _all((deny_restricts(deny.conditions), names))
        if verdict is not False:
            usable.append((deny, verdict))
    wanted: list[MaybeStr | None] = list(actions)
    if not wanted:
        wanted = [None] if statement.uses_not_action else list(statement.actions)
    if not usable or not wanted:
        return own
    by_deny = _all(
        _any(_all((verdict, _names_action(deny, statement, action))) for deny, verdict in usable)
        for action in wanted
    )
    return _any((own, by_deny))


def _names_action(deny: Statement, allow: Statement, action: MaybeStr | None) -> bool | None:
    """Whether *deny* names every action of *action*, a pattern of *allow*'s ``Action``
    (or a concrete action), or for None every action *allow*'s ``NotAction`` leaves."""
    entries = deny.not_actions if deny.uses_not_action else deny.actions
    patterns = [entry.lower() for entry in known(entries)]
    unresolved = len(patterns) < len(entries)
    if action is None:
        if not deny.uses_not_action:
            return True if "*" in patterns else (None if unresolved else False)
        spared = [entry.lower() for entry in known(allow.not_actions)]
        if unresolved:
            return None
        if all(any(_action_contains(y, x) for y in spared) for x in patterns):
            return True
        return None if len(spared) < len(allow.not_actions) else False
    if isinstance(action, Unknown):
        return True if not deny.uses_not_action and "*" in patterns else None
    pattern = action.lower()
    if deny.uses_not_action:
        if any(_actions_meet(x, pattern) for x in patterns):
            return False
    elif any(_action_contains(x, pattern) for x in patterns):
        return True
    return None if unresolved else deny.uses_not_action


def _action_contains(outer: str, inner: str) -> bool:
    """Whether every action the (lower-cased) pattern *inner* names, *outer* names too."""
    if outer == "*":
        return True
    mine, theirs = split_pattern(outer), split_pattern(inner)
    if mine is None or theirs is None or mine[0] != theirs[0]:
        return False
    return glob_contains(mine[1], theirs[1])


def _actions_meet(first: str, second: str) -> bool:
    """Whether two (lower-cased) action patterns may name a common action."""
    one, two = split_pattern(first), split_pattern(second)
    if one is None or two is None:
        return True  # "*", or a malformed pattern: nothing is spared for sure
    return one[0] == two[0] and globs_intersect(one[1], two[1])


def _names_resources(deny: Statement, allow: Statement, matching: Matching) -> bool | None:
    """Whether *deny* names every resource *allow* does. A statement without
    ``Resource``/``NotResource`` (a trust policy's) is about its holder: a ``Deny``
    without them too, or one on every resource, names it."""
    if not {"Resource", "NotResource"} & allow.keys:
        if not {"Resource", "NotResource"} & deny.keys:
            return True
        return covers(deny, _EVERYTHING, matching)
    if allow.uses_not_resource:
        return covers(deny, _EVERYTHING, matching)
    verdicts: list[bool | None] = []
    for resource in allow.resources:
        if isinstance(resource, Unknown):
            verdicts.append(covers(deny, _EVERYTHING, matching) or None)
        else:
            verdicts.append(covers(deny, ResourceSet((resource,)), matching))
    return _all(verdicts) if verdicts else False


def _all(verdicts: Iterable[bool | None]) -> bool | None:
    """Three-valued AND: False when one is False, else None when one is None."""
    found = list(verdicts)
    return False if False in found else (None if None in found else True)


def _any(verdicts: Iterable[bool | None]) -> bool | None:
    """Three-valued OR: True when one is True, else None when one is None."""
    found = list(verdicts)
    return True if True in found else (None if None in found else False)
