"""Render ``data "aws_iam_policy_document"`` blocks into policy JSON, as the provider does."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final

from iacguard.model import RawValue, Unknown
from iacguard.parsers._hcl_functions import EvalError, contains_unknown, to_data

#: statement attribute -> IAM key (sets: the provider sorts them, one element is a string)
_LISTS: Final = (
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)


def render_policy_document(values: Mapping[str, RawValue]) -> RawValue:
    """The ``json`` attribute of an ``aws_iam_policy_document`` from its evaluated body.

    :returns: the JSON text, or :class:`Unknown` when any input is unknown (Terraform then
        defers the data source to apply time).
    """
    if contains_unknown(values):
        return Unknown("data.aws_iam_policy_document.json")
    try:
        statements: list[dict[str, RawValue]] = []
        for source in _items(values.get("source_policy_documents")):
            statements = _merge(statements, _statements_of(source))
        statements = _merge(statements, [_statement(s) for s in _blocks(values, "statement")])
        for override in _items(values.get("override_policy_documents")):
            statements = _merge(statements, _statements_of(override))
    except (EvalError, json.JSONDecodeError, TypeError):
        return Unknown("data.aws_iam_policy_document.json")
    document: dict[str, RawValue] = {"Version": values.get("version") or "2012-10-17"}
    if isinstance(values.get("policy_id"), str):
        document["Id"] = values["policy_id"]
    document["Statement"] = tuple(statements)
    return json.dumps(document, indent=2)


def _items(value: RawValue) -> tuple[RawValue, ...]:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def _blocks(values: Mapping[str, RawValue], name: str) -> list[Mapping[str, RawValue]]:
    return [b for b in _items(values.get(name)) if isinstance(b, Mapping)]


def _statements_of(text: RawValue) -> list[dict[str, RawValue]]:
    if not isinstance(text, str) or not text.strip():
        return []
    data = to_data(json.loads(text))
    raw = data.get("Statement", ()) if isinstance(data, Mapping) else ()
    items = raw if isinstance(raw, tuple) else (raw,)
    return [dict(s) for s in items if isinstance(s, Mapping)]


def _merge(
    base: list[dict[str, RawValue]], extra: list[dict[str, RawValue]]
) -> list[dict[str, RawValue]]:
    """Statements of *extra* replace those of *base* with the same Sid, else are appended."""
    result = list(base)
    for statement in extra:
        sid = statement.get("Sid")
        match = next((i for i, s in enumerate(result) if sid and s.get("Sid") == sid), None)
        if match is None:
            result.append(statement)
        else:
            result[match] = statement
    return result


def _statement(block: Mapping[str, RawValue]) -> dict[str, RawValue]:
    statement: dict[str, RawValue] = {}
    if isinstance(block.get("sid"), str) and block["sid"]:
        statement["Sid"] = block["sid"]
    statement["Effect"] = block.get("effect") or "Allow"
    for attribute, key in _LISTS:
        items = _items(block.get(attribute))
        if items:
            unique = sorted(dict.fromkeys(str(i) for i in items))
            statement[key] = unique[0] if len(unique) == 1 else tuple(unique)
    for attribute, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = _principals(_blocks(block, attribute))
        if principals is not None:
            statement[key] = principals
    conditions: dict[str, dict[str, RawValue]] = {}
    for condition in _blocks(block, "condition"):
        test, variable = str(condition.get("test")), str(condition.get("variable"))
        values = tuple(str(v) for v in _items(condition.get("values")))
        conditions.setdefault(test, {})[variable] = values[0] if len(values) == 1 else values
    if conditions:
        statement["Condition"] = dict(conditions)
    return statement


def _principals(blocks: list[Mapping[str, RawValue]]) -> RawValue:
    if not blocks:
        return None
    merged: dict[str, list[str]] = {}
    for block in blocks:
        kind = str(block.get("type"))
        merged.setdefault(kind, []).extend(str(i) for i in _items(block.get("identifiers")))
    if set(merged) == {"*"}:
        return "*"
    result: dict[str, RawValue] = {}
    for kind, identifiers in merged.items():
        unique = sorted(dict.fromkeys(identifiers))
        result[kind] = unique[0] if len(unique) == 1 else tuple(unique)
    return result
