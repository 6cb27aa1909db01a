"""Statement tests shared by the trust and resource-policy checks: restricting conditions,
wildcard values, MFA and GitHub ``sub`` conditions, and finding pointers.

Tests that may meet an unresolved value answer with three values: True, False, or None
when the answer depends on an :class:`~iacguard.model.Unknown` (rules.md: unknown is
never treated as ``*`` and never as safe, so the caller reports nothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from iacguard.model import Condition, MaybeStr, Origin, Pointer, PrincipalRef, Statement, Unknown

#: condition keys that restrict an "any principal" grant (rules.md, "Restricting condition")
RESTRICTING_KEYS: Final = frozenset(
    key.lower()
    for key in (
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceIp",
        "aws:userid",
    )
)
#: operators (without set qualifier or ``IfExists``) that only let matching values through;
#: ``Not*`` operators, ``Null`` and ``Bool`` do not narrow who may call
POSITIVE_OPERATORS: Final = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}
)
#: operators that treat ``*`` and ``?`` in their values as wildcards
LIKE_OPERATORS: Final = frozenset({"stringlike", "arnlike", "arnequals"})
#: IP ranges that contain every address: a wildcard for ``aws:SourceIp``
_ANY_ADDRESS: Final = frozenset({"0.0.0.0/0", "::/0"})


def is_wildcard(value: str) -> bool:
    """True when *value* matches anything: made only of ``*``/``?`` (at least one ``*``),
    or an IP range covering every address."""
    stripped = value.strip()
    return (bool(stripped) and set(stripped) <= {"*", "?"} and "*" in stripped) or (
        stripped in _ANY_ADDRESS
    )


def is_positive(condition: Condition) -> bool:
    """True for a positive-match operator, including its ``ForAnyValue:`` and ``IfExists``
    forms. ``ForAllValues:`` is excluded: it holds when the key is absent from the request."""
    if condition.operator.lower().startswith("forallvalues:"):
        return False
    return condition.base_operator.lower() in POSITIVE_OPERATORS


def narrows(condition: Condition) -> bool | None:
    """Whether *condition* limits its key to specific values.

    :returns: True for a positive operator whose values are all known and none is a
        wildcard; False for other operators or when a value is a wildcard (values are
        alternatives, one wildcard admits everything); None when a value is unresolved.
    """
    if not is_positive(condition) or not condition.values:
        return False
    if any(isinstance(v, str) and is_wildcard(v) for v in condition.values):
        return False
    if any(isinstance(v, Unknown) for v in condition.values):
        return None
    return True


def conditions_narrow(conditions: Iterable[Condition], keys: Iterable[str]) -> bool | None:
    """Whether one of *conditions* on one of *keys* (case-insensitive) narrows its key.

    Conditions are combined with AND, so a single narrowing one is enough. A condition
    block whose keys are unresolved (empty key, unknown values) might be the one.

    :returns: True, False, or None when only an unresolved condition could decide.
    """
    wanted = {key.lower() for key in keys}
    undecided = False
    for condition in conditions:
        if not condition.key:
            undecided = undecided or any(isinstance(v, Unknown) for v in condition.values)
            continue
        if condition.key_lower not in wanted:
            continue
        verdict = narrows(condition)
        if verdict:
            return True
        undecided = undecided or verdict is None
    return None if undecided else False


def unresolved_block(conditions: Iterable[Condition]) -> bool:
    """True when a condition block's keys are unresolved (an unknown ``Condition`` or
    operator value): it might test any key, so it might be the one a rule looks for."""
    return any(not c.key and any(isinstance(v, Unknown) for v in c.values) for c in conditions)


def has_restricting_condition(statement: Statement) -> bool | None:
    """Whether *statement* carries a restricting condition (rules.md common terms).

    :returns: True, False, or None when an unresolved condition value decides.
    """
    return conditions_narrow(statement.conditions, RESTRICTING_KEYS)


def grants_anyone(statement: Statement) -> bool | None:
    """Whether an ``Allow`` *statement* applies to every principal.

    ``Principal: "*"`` / ``{"AWS": "*"}`` does. ``Allow`` with ``NotPrincipal`` grants
    everyone except the listed principals, which AWS documents as almost never intended:
    it counts as anyone, unless ``NotPrincipal`` itself excludes ``*``.

    :returns: True, False, or None when a ``NotPrincipal`` entry is unresolved.
    """
    if not statement.is_allow:
        return False
    if any(ref.is_anyone for ref in statement.principals):
        return True
    if "NotPrincipal" not in statement.keys:
        return False
    excluded: tuple[PrincipalRef, ...] = statement.not_principals
    if any(isinstance(ref.value, Unknown) for ref in excluded):
        return None
    return not any(ref.is_anyone for ref in excluded)


def known(values: Iterable[MaybeStr]) -> list[str]:
    """The resolved strings among *values*, in order."""
    return [value for value in values if isinstance(value, str)]


def pointer_from(statement: Statement, origin: Origin) -> Pointer:
    """The pointer of *statement* relative to *origin*, the element a finding is reported
    at (``("assume_role_policy", "Statement", 0)`` for a role)."""
    inner = statement.origin.pointer
    if (
        statement.origin.address == origin.address
        and inner[: len(origin.pointer)] == origin.pointer
    ):
        return inner[len(origin.pointer) :]
    return ("Statement", statement.index)


def requires_mfa(statement: Statement) -> bool | None:
    """Whether *statement* requires ``aws:MultiFactorAuthPresent`` true with ``Bool``
    (``BoolIfExists`` passes requests that carry no MFA information, e.g. access keys).

    :returns: True, False, or None when an unresolved value decides.
    """
    undecided = unresolved_block(statement.conditions)
    for condition in statement.conditions_on("aws:MultiFactorAuthPresent"):
        if condition.operator.lower() != "bool":
            continue
        if any(isinstance(v, Unknown) for v in condition.values):
            undecided = True
        elif [v.lower() for v in known(condition.values)] == ["true"]:
            return True
    return None if undecided else False


def github_sub_scoped(condition: Condition) -> bool | None:
    """Whether a GitHub ``:sub`` condition limits tokens to known repositories.

    :returns: True, False, or None when one of its values is unresolved.
    """
    verdict = narrows(condition)
    if not verdict:
        return verdict
    like = condition.base_operator.lower() in LIKE_OPERATORS
    return not (like and any(matches_any_repository(v) for v in known(condition.values)))


def matches_any_repository(pattern: str) -> bool:
    """True when a ``StringLike`` GitHub ``sub`` pattern accepts repositories of any
    owner: a wildcard in or before the owner (``repo:*``, ``repo:*/*``, ``repo:acme*/x``,
    ``*:ref:refs/heads/main``). ``repo:acme/*`` stays within one owner."""
    if is_wildcard(pattern):
        return True
    owner_part = pattern.split("/", 1)[0]
    return "*" in owner_part or "?" in owner_part
