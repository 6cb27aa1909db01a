"""Render ``data "aws_iam_policy_document"`` blocks into policy JSON, as the provider does."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final, TypeAlias

from iacguard.model import RawValue, Unknown, refs_of
from iacguard.parsers._policy_document import PartialJSON
from iacguard.parsers.terraform._hcl_functions import (
    EvalError,
    UnknownItems,
    computed,
    first_unknown,
    plain,
    to_data,
)

#: statement attribute -> IAM key (sets: the provider sorts them, one element is a string)
_LISTS: Final = (
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)
#: a statement of a document being merged: known, or unknown ones (a dynamic block)
Statement: TypeAlias = "dict[str, RawValue] | Unknown"
#: what the data source's ``json`` is called in messages when it is unknown
_EXPR: Final = "data.aws_iam_policy_document.json"


def render_policy_document(values: Mapping[str, RawValue]) -> RawValue:
    """The ``json`` attribute of an ``aws_iam_policy_document`` from its evaluated body.

    :param values: the data source's arguments and blocks (``statement`` a tuple of
        mappings), as the HCL evaluation or a plan's planned values give them.
    :returns: the JSON text; when some inputs are unknown (Terraform then defers the data
        source to apply time), :class:`PartialJSON` holding the document with those parts
        Unknown, or :class:`Unknown` when the statements themselves are unknown (a
        ``dynamic`` block over an unknown collection, an unknown source document, a
        ``Sid`` that decides a merge). Either carries the references of every unknown
        input it holds, and each unknown part keeps its own.
    """
    try:
        statements: list[Statement] = []
        for source in _items(values.get("source_policy_documents")):
            statements = _merge(statements, _statements_of(source))
        statements = _merge(statements, _block_statements(values))
        for override in _items(values.get("override_policy_documents")):
            statements = _merge(statements, _statements_of(override))
    except (EvalError, json.JSONDecodeError, TypeError):
        return computed(_EXPR, values)
    version = values.get("version")
    document: dict[str, RawValue] = {"Version": version or "2012-10-17"}
    if isinstance(values.get("policy_id"), str):
        document["Id"] = values["policy_id"]
    document["Statement"] = tuple(statements)
    if first_unknown(document) is not None:
        return PartialJSON(_EXPR, refs_of(document), data=document)
    return json.dumps(document, indent=2)


def _items(value: RawValue) -> tuple[RawValue, ...]:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def _block_statements(values: Mapping[str, RawValue]) -> list[Statement]:
    """The statements of the ``statement`` blocks; those of a ``dynamic "statement"``
    block over an unknown collection are :class:`UnknownItems` (any number of them)."""
    return [
        _statement(block) if isinstance(block, Mapping) else UnknownItems(_EXPR, refs_of(block))
        for block in _items(values.get("statement"))
    ]


def _statements_of(text: RawValue) -> list[Statement]:
    if isinstance(text, PartialJSON):
        data: RawValue = text.data
    elif isinstance(text, Unknown):
        raise EvalError("a source or override document is unknown")
    elif not isinstance(text, str) or not text.strip():
        return []
    else:
        data = to_data(json.loads(text))
    raw = data.get("Statement", ()) if isinstance(data, Mapping) else ()
    if isinstance(raw, Unknown):
        raise EvalError("the statements of a source or override document are unknown")
    items = raw if isinstance(raw, tuple) else (raw,)
    return [
        plain(s) if isinstance(s, Unknown) else dict(s)
        for s in items
        if isinstance(s, Mapping | Unknown)
    ]


def with_placeholder_statements(value: RawValue) -> RawValue:
    """*value* (a resource's evaluated values) with every policy document whose statement
    list holds unknown statements among known ones made readable statement by statement
    (#17): each unknown statement becomes one whose ``Effect``, ``Action`` (and
    ``Principal``, ``Resource`` when the known statements have them) are that Unknown.

    The normaliser reads a document with an unknown statement as wholly unknown; this way
    the known statements are still checked, and the unknown one can neither grant nor
    deny for certain (an unknown effect), whatever kind of policy the document is.
    """
    if isinstance(value, PartialJSON):
        raw = value.data.get("Statement")
        if not isinstance(raw, tuple) or not any(isinstance(s, Unknown) for s in raw):
            return value
        known = [s for s in raw if isinstance(s, Mapping)]
        if not known:
            return value
        keys = {key for statement in known for key in statement}
        statements = tuple(
            _placeholder(plain(s), keys) if isinstance(s, Unknown) else s for s in raw
        )
        return PartialJSON(value.expr, value.refs, data={**value.data, "Statement": statements})
    if isinstance(value, Mapping):
        return {key: with_placeholder_statements(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(with_placeholder_statements(item) for item in value)
    return value


def _placeholder(unknown: Unknown, keys: set[str]) -> dict[str, RawValue]:
    statement: dict[str, RawValue] = {"Effect": unknown, "Action": unknown}
    if keys & {"Principal", "NotPrincipal"}:
        statement["Principal"] = unknown
    if keys & {"Resource", "NotResource"}:
        statement["Resource"] = unknown
    return statement


def _merge(base: list[Statement], extra: list[Statement]) -> list[Statement]:
    """Statements of *extra* replace those of *base* with the same Sid, else are appended.

    :raises EvalError: an unknown Sid decides whether a statement replaces another.
    """
    result = list(base)
    for statement in extra:
        if isinstance(statement, Unknown):  # unknown statements: replacing any with a Sid?
            if any(isinstance(s, Unknown) or s.get("Sid") for s in base):
                raise EvalError("unknown statements may replace others")
            result.append(statement)
            continue
        sid = statement.get("Sid")
        sids = [s.get("Sid") for s in result if not isinstance(s, Unknown)]
        if sid and any(
            isinstance(other, Unknown) or (other and isinstance(sid, Unknown)) for other in sids
        ):
            raise EvalError("an unknown Sid decides a merge")
        match = next(
            (
                i
                for i, s in enumerate(result)
                if sid and not isinstance(s, Unknown) and s.get("Sid") == sid
            ),
            None,
        )
        if match is None:
            result.append(statement)
        else:
            result[match] = statement
    return result


def _statement(block: Mapping[str, RawValue]) -> dict[str, RawValue]:
    statement: dict[str, RawValue] = {}
    sid = block.get("sid")
    if isinstance(sid, str | Unknown) and sid:
        statement["Sid"] = sid
    statement["Effect"] = block.get("effect") or "Allow"
    for attribute, key in _LISTS:
        items = _strings(block.get(attribute))
        if items:
            statement[key] = items[0] if len(items) == 1 else items
    for attribute, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = _principals(_items(block.get(attribute)))
        if principals is not None:
            statement[key] = principals
    conditions = _conditions(_items(block.get("condition")))
    if conditions is not None:
        statement["Condition"] = conditions
    return statement


def _strings(value: RawValue) -> tuple[RawValue, ...]:
    """A set of strings as the provider writes it: sorted, without repeats; unknown
    elements (or an unknown set, as one element) are kept after the known ones."""
    items = _items(value)
    known = sorted(dict.fromkeys(str(i) for i in items if not isinstance(i, Unknown)))
    return (*known, *(plain(i) for i in items if isinstance(i, Unknown)))


def _principals(blocks: tuple[RawValue, ...]) -> RawValue:
    if not blocks:
        return None
    merged: dict[str, list[RawValue]] = {}
    for block in blocks:
        if not isinstance(block, Mapping) or isinstance(block.get("type"), Unknown):
            return computed(f"{_EXPR} principals", blocks)  # a dynamic block or its type
        kind = str(block.get("type"))
        merged.setdefault(kind, []).extend(_items(block.get("identifiers")))
    if set(merged) == {"*"}:
        return "*"
    result: dict[str, RawValue] = {}
    for kind, identifiers in merged.items():
        unique = _strings(tuple(identifiers))
        result[kind] = unique[0] if len(unique) == 1 else unique
    return result


def _conditions(blocks: tuple[RawValue, ...]) -> RawValue:
    conditions: dict[str, dict[str, RawValue]] = {}
    for block in blocks:
        if not isinstance(block, Mapping) or first_unknown(
            (block.get("test"), block.get("variable"))
        ):
            return computed(f"{_EXPR} condition", blocks)  # which key is tested is unknown
        test, variable = str(block.get("test")), str(block.get("variable"))
        raw = block.get("values")
        values = (
            (plain(raw),)
            if isinstance(raw, Unknown)
            else tuple(plain(v) if isinstance(v, Unknown) else str(v) for v in _items(raw))
        )
        conditions.setdefault(test, {})[variable] = values[0] if len(values) == 1 else values
    return dict(conditions) if conditions else None
