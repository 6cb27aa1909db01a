"""Render ``data "aws_iam_policy_document"`` blocks into policy JSON, as the provider does."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

from iacguard.model import RawValue, Unknown, refs_of
from iacguard.parsers._hcl_functions import (
    EvalError,
    computed,
    first_unknown,
    plain,
    to_data,
)
from iacguard.parsers._policy_document import PartialJSON

#: statement attribute -> IAM key (sets: the provider sorts them, one element is a string)
_LISTS: Final = (
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)
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
        statements: list[dict[str, RawValue]] = []
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


def _block_statements(values: Mapping[str, RawValue]) -> list[dict[str, RawValue]]:
    """The statements of the ``statement`` blocks.

    :raises EvalError: a ``dynamic "statement"`` block iterates over an unknown collection.
    """
    blocks = _items(values.get("statement"))
    if not all(isinstance(block, Mapping) for block in blocks):
        raise EvalError("a statement block is unknown")
    return [_statement(block) for block in blocks if isinstance(block, Mapping)]


def _statements_of(text: RawValue) -> list[dict[str, RawValue]]:
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
    if any(isinstance(s, Unknown) for s in items):
        raise EvalError("a statement of a source or override document is unknown")
    return [dict(s) for s in items if isinstance(s, Mapping)]


def _merge(
    base: list[dict[str, RawValue]], extra: list[dict[str, RawValue]]
) -> list[dict[str, RawValue]]:
    """Statements of *extra* replace those of *base* with the same Sid, else are appended.

    :raises EvalError: an unknown Sid decides whether a statement replaces another.
    """
    result = list(base)
    for statement in extra:
        sid = statement.get("Sid")
        if sid and any(
            isinstance(other, Unknown) or (other and isinstance(sid, Unknown))
            for other in (s.get("Sid") for s in result)
        ):
            raise EvalError("an unknown Sid decides a merge")
        match = next((i for i, s in enumerate(result) if sid and s.get("Sid") == sid), None)
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
