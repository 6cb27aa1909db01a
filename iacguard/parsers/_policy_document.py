"""Normalise IAM policy JSON, from any input format, into :class:`PolicyDocument`.

IAM accepts a string or a list for most values and an object or a list for
``Statement``; those variants are resolved here once, so checks never see them. A
document that is not valid IAM still yields as much as can be read, with each problem
recorded in ``PolicyDocument.problems``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Final

from iacguard.model import (
    Condition,
    Effect,
    Location,
    MaybeStr,
    Origin,
    PolicyDocument,
    PrincipalRef,
    RawValue,
    SourceKind,
    Statement,
    Unknown,
)
from iacguard.parsers._source import without_surrogates

#: keys a statement may have, as IAM spells them
_STATEMENT_KEYS: Final = frozenset(
    {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal",
     "NotPrincipal", "Condition"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PartialJSON(Unknown):
    """JSON text that is only partly known, e.g. ``jsonencode({Resource = aws_x.y.arn})``.

    As text it is :class:`Unknown`, and every reader of strings sees it so; a reader of
    policy documents (:func:`parse_policy`) reads :attr:`data` instead, the structure the
    text encodes, whose unresolved parts are Unknown. A rule that does not need an unknown
    part can then still fire (rules.md: Unknown is never ``*`` and never safe).
    """

    #: the encoded JSON object, with Unknown where the text is unknown
    data: Mapping[str, RawValue] = field(default_factory=dict, compare=False, repr=False)


def parse_policy(
    value: object, origin: Origin, readings: dict[str, PolicyDocument] | None = None
) -> PolicyDocument | Unknown:
    """Read a policy given as JSON text or as already-decoded data.

    :param value: a JSON string, a mapping (RawValue or plain JSON), :class:`PartialJSON`
        (read as its data), or :class:`Unknown`; anything else is a malformed document.
    :param origin: where the document is; statements get ``("Statement", i)`` pointers.
    :param readings: the readings of the texts read before, owned by the caller (one
        input's graph builder: large configurations repeat the same documents); texts of
        at most :data:`MAX_REMEMBERED_TEXT` characters are added to it.
    :returns: Unknown when the document (or any whole statement) is only known after
        apply; otherwise a document, possibly with problems.
    """
    if isinstance(value, PartialJSON):
        return _document(value.data, origin)
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        return _at(_read_text(value, readings), origin)
    if value is None:
        return PolicyDocument(origin, problems=("the document is missing",))
    if not isinstance(value, Mapping):
        return PolicyDocument(origin, problems=("the document is not a JSON object",))
    return _document(value, origin)


#: the longest policy text whose reading is remembered: the largest document IAM accepts
#: (an inline role policy, 10,240 characters); longer texts, which AWS would reject, are
#: read each time, so a hostile input cannot make the readings hold more than its size
MAX_REMEMBERED_TEXT: Final = 10_240


def _read_text(text: str, readings: dict[str, PolicyDocument] | None) -> PolicyDocument:
    """:func:`_parse_text`, from *readings* when it holds *text* (and added to it)."""
    if readings is None or len(text) > MAX_REMEMBERED_TEXT:
        return _parse_text(text)
    reading = readings.get(text)
    if reading is None:
        reading = readings[text] = _parse_text(text)
    return reading


def _parse_text(text: str) -> PolicyDocument:
    """A policy given as JSON text, at a placeholder origin (see :func:`_at`)."""
    origin = Origin(SourceKind.TERRAFORM_PLAN, "", Location(PurePosixPath()))
    if not text.strip():
        return PolicyDocument(origin, problems=("the document is empty",))
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # ValueError: also an integer past the digit limit
        return PolicyDocument(origin, problems=("the document is not valid JSON",))
    if "\\u" in text:
        value = without_surrogates(value)
    if not isinstance(value, Mapping):
        return PolicyDocument(origin, problems=("the document is not a JSON object",))
    document = _document(value, origin)
    # decoded JSON holds no Unknown, so no whole statement or list can be unknown
    assert isinstance(document, PolicyDocument)
    return document


def _at(document: PolicyDocument, origin: Origin) -> PolicyDocument:
    """*document* moved to *origin*: each statement at ``origin.at("Statement", index)``."""
    statements = tuple(
        replace(s, origin=origin.at("Statement", s.index)) for s in document.statements
    )
    return replace(document, origin=origin, statements=statements)


def _document(raw: Mapping[str, RawValue], origin: Origin) -> PolicyDocument | Unknown:
    problems: list[str] = []
    version = raw.get("Version")
    if version is not None and not isinstance(version, str | Unknown):
        problems.append("Version is not a string")
        version = None
    statement_value = raw.get("Statement")
    if isinstance(statement_value, Unknown):
        return statement_value
    if statement_value is None:
        return PolicyDocument(origin, version=version, problems=("the document has no Statement",))
    items = statement_value if isinstance(statement_value, tuple | list) else (statement_value,)
    statements: list[Statement] = []
    for index, item in enumerate(items):
        if isinstance(item, Unknown):
            return item
        if not isinstance(item, Mapping):
            problems.append(f"statement {index + 1} is not a JSON object")
            continue
        statement, statement_problems = _statement(item, index, origin.at("Statement", index))
        statements.append(statement)
        problems += [f"statement {index + 1}: {problem}" for problem in statement_problems]
    if not statements and not problems:
        problems.append("the Statement list is empty")
    return PolicyDocument(origin, tuple(statements), version, tuple(problems))


def _statement(
    raw: Mapping[str, RawValue], index: int, origin: Origin
) -> tuple[Statement, list[str]]:
    problems: list[str] = []
    keys = frozenset(key for key in raw if key in _STATEMENT_KEYS)
    problems += [f"unknown key {key!r}" for key in sorted(set(raw) - _STATEMENT_KEYS)]
    effect = _effect(raw.get("Effect"), problems)
    if "Action" in keys and "NotAction" in keys:
        problems.append("both Action and NotAction")
    elif not keys & {"Action", "NotAction"}:
        problems.append("neither Action nor NotAction")
    if "Resource" in keys and "NotResource" in keys:
        problems.append("both Resource and NotResource")
    sid = raw.get("Sid")
    statement = Statement(
        origin=origin,
        index=index,
        sid=sid if isinstance(sid, str | Unknown) else None,
        effect=effect,
        actions=_strings(raw.get("Action"), "Action", problems),
        not_actions=_strings(raw.get("NotAction"), "NotAction", problems),
        resources=_strings(raw.get("Resource"), "Resource", problems),
        not_resources=_strings(raw.get("NotResource"), "NotResource", problems),
        principals=_principals(raw.get("Principal"), "Principal", problems),
        not_principals=_principals(raw.get("NotPrincipal"), "NotPrincipal", problems),
        conditions=_conditions(raw.get("Condition"), problems),
        keys=keys,
    )
    return statement, problems


def _effect(value: RawValue, problems: list[str]) -> Effect | Unknown | None:
    if isinstance(value, Unknown):
        return value
    if value == "Allow":
        return Effect.ALLOW
    if value == "Deny":
        return Effect.DENY
    problems.append("Effect is missing" if value is None else "Effect is not Allow or Deny")
    return None


def _strings(value: RawValue, key: str, problems: list[str]) -> tuple[MaybeStr, ...]:
    """A string-or-list value as a tuple of strings (Unknown elements kept)."""
    if value is None:
        return ()
    items = value if isinstance(value, tuple | list) else (value,)
    result: list[MaybeStr] = []
    for item in items:
        if isinstance(item, str | Unknown):
            result.append(item)
        else:
            problems.append(f"{key} has a value that is not a string")
    return tuple(result)


def _principals(value: RawValue, key: str, problems: list[str]) -> tuple[PrincipalRef, ...]:
    if value is None:
        return ()
    if isinstance(value, Unknown):
        return (PrincipalRef("AWS", value),)
    if value == "*":
        return (PrincipalRef("AWS", "*"),)
    if not isinstance(value, Mapping):
        problems.append(f'{key} is neither "*" nor an object')
        return ()
    refs: list[PrincipalRef] = []
    for kind, members in value.items():
        refs += [PrincipalRef(kind, member) for member in _strings(members, key, problems)]
    return tuple(refs)


def _conditions(value: RawValue, problems: list[str]) -> tuple[Condition, ...]:
    if value is None:
        return ()
    if isinstance(value, Unknown):
        return (Condition("Unknown", "", (value,)),)
    if not isinstance(value, Mapping):
        problems.append("Condition is not an object")
        return ()
    conditions: list[Condition] = []
    for operator, clauses in value.items():
        if isinstance(clauses, Unknown):
            conditions.append(Condition(operator, "", (clauses,)))
            continue
        if not isinstance(clauses, Mapping):
            problems.append(f"Condition operator {operator!r} does not map keys to values")
            continue
        for key, raw_values in clauses.items():
            items = raw_values if isinstance(raw_values, tuple | list) else (raw_values,)
            conditions.append(Condition(operator, key, tuple(_scalar(v) for v in items)))
    return tuple(conditions)


def _scalar(value: RawValue) -> MaybeStr:
    """A condition value as IAM compares it: booleans and numbers become strings."""
    if isinstance(value, str | Unknown):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value) if not isinstance(value, int | float) else str(value)
