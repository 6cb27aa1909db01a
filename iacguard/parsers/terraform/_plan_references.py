"""Typed references for the unknown values of a Terraform plan, and the policy documents
of deferred ``aws_iam_policy_document`` reads.

A plan says which values are unknown (``after_unknown``) but not what they are computed
from; its ``configuration`` gives, per attribute expression, the references the
expression makes (``{"references": ["aws_iam_role.ci.arn", "aws_iam_role.ci"]}``).
:class:`PlanReferences` reads those strings into :class:`~iacguard.model.AttributeRef`
(module paths, module inputs and outputs followed), and :func:`attach_refs` gives them to
each Unknown below the expression.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Final, TypeAlias

from iacguard.model import AttributeRef, RawValue, Unknown
from iacguard.parsers._policy_document import PartialJSON
from iacguard.parsers._source import JSONValue, json_list, json_object
from iacguard.parsers.terraform._hcl_functions import contains_unknown
from iacguard.parsers.terraform._hcl_policy_document import render_policy_document
from iacguard.parsers.terraform._terraform import (
    TfResource,
    module_config_path,
    parse_resource_ref,
    strip_index,
)

#: reads the reference strings of one expression into AttributeRefs
RefsFor: TypeAlias = Callable[[Sequence[str]], tuple[AttributeRef, ...]]

#: the attributes of ``aws_iam_policy_document`` that hold the rendered document
_JSON_ATTRIBUTES: Final = ("json", "minified_json")
#: ``module.NAME.OUTPUT`` or ``module.NAME[KEY].OUTPUT``
_OUTPUT_REF: Final = re.compile(
    r'module\.([A-Za-z_][\w-]*)((?:\[(?:"(?:[^"\\]|\\.)*"|\d+)\])?)\.([A-Za-z_][\w-]*)'
)


def expression_references(expression: JSONValue) -> Iterator[str]:
    """Every reference string in a configuration expression, including nested blocks."""
    if isinstance(expression, list):
        for item in expression:
            yield from expression_references(item)
        return
    body = json_object(expression)
    if "references" in body:
        yield from (ref for ref in json_list(body["references"]) if isinstance(ref, str))
    elif "constant_value" not in body:
        for value in body.values():
            if isinstance(value, dict | list):
                yield from expression_references(value)


@dataclass(slots=True)
class ModuleConfig:
    """One module of ``configuration``: its resources' expressions, outputs, calls."""

    resources: dict[str, Mapping[str, JSONValue]] = field(default_factory=dict)
    outputs: dict[str, Mapping[str, JSONValue]] = field(default_factory=dict)
    calls: dict[str, Mapping[str, JSONValue]] = field(default_factory=dict)


class PlanReferences:
    """The modules of a plan's ``configuration``, and what their expressions refer to."""

    def __init__(self, root_module: Mapping[str, JSONValue], max_depth: int) -> None:
        """:param max_depth: how deep modules are indexed and references followed."""
        self.max_depth = max_depth
        #: module call path (``("a", "b")``) -> its configuration
        self.modules: dict[tuple[str, ...], ModuleConfig] = {}
        self._index((), root_module)

    def _index(self, path: tuple[str, ...], module: Mapping[str, JSONValue]) -> None:
        config = ModuleConfig()
        for resource in json_list(module.get("resources")):
            if isinstance(resource, dict) and isinstance(resource.get("address"), str):
                config.resources[resource["address"]] = resource
        config.outputs = {k: json_object(v) for k, v in json_object(module.get("outputs")).items()}
        config.calls = {
            k: json_object(v) for k, v in json_object(module.get("module_calls")).items()
        }
        self.modules[path] = config
        if len(path) < self.max_depth:
            for name, call in config.calls.items():
                self._index((*path, name), json_object(call.get("module")))

    def attribute_refs(
        self, references: Sequence[str], module: str, depth: int = 0
    ) -> tuple[AttributeRef, ...]:
        """The attributes of resources and data sources that an expression written in
        *module* (a module instance, ``""`` for the root) refers to, in order, without
        repeats.

        ``aws_iam_role.ci.arn`` is ``AttributeRef(f"{module}.aws_iam_role.ci", "arn")``
        (an index kept as written: ``aws_iam_role.x[0]``, ``aws_iam_role.x["k"]``); the
        bare resource Terraform lists next to it (``aws_iam_role.ci``) and any other
        whole-object reference name no attribute and give nothing. ``var.x`` in a module
        is the caller's argument and ``module.m.out`` the output's expression in module
        instance ``module.m``, both followed; ``local.x``, ``each``, ``count`` and root
        variables give nothing (a plan has no locals).
        """
        found: dict[AttributeRef, None] = {}
        if depth > self.max_depth:
            return ()
        for ref in references:
            if ref.startswith("var."):
                parent, expression = self.module_argument(module, ref.split(".")[1])
                found.update(dict.fromkeys(self._expression_refs(expression, parent, depth)))
            elif ref.startswith("module."):
                found.update(dict.fromkeys(self._output_refs(ref, module, depth)))
            elif (parsed := parse_resource_ref(ref)) is not None and parsed[2]:
                config_address, index, attribute = parsed
                step = config_address if index is None else f"{config_address}[{index}]"
                address = f"{module}.{step}" if module else step
                found[AttributeRef(address, attribute.split("[", 1)[0])] = None
        return tuple(found)

    def _expression_refs(
        self, expression: JSONValue, module: str, depth: int
    ) -> tuple[AttributeRef, ...]:
        return self.attribute_refs(list(expression_references(expression)), module, depth + 1)

    def module_argument(self, module: str, name: str) -> tuple[str, JSONValue]:
        """The module instance that calls *module* and the expression it passes as input
        *name* (None when *module* is the root or the call does not set it)."""
        if not module:
            return "", None
        # "module.a[\"x\"].module.b[0]" -> parent 'module.a["x"]', call "b[0]";
        # a top-level "module.a" has no separator: parent "", call "module.a"
        parent, _, call = module.rpartition(".module.")
        call_name = strip_index(call).removeprefix("module.")
        calls = self.modules.get(module_config_path(parent))
        argument = json_object(calls.calls.get(call_name) if calls else None)
        return parent, json_object(argument.get("expressions")).get(name)

    def _output_refs(self, ref: str, module: str, depth: int) -> tuple[AttributeRef, ...]:
        """``module.m.out`` / ``module.m["k"].out``: the references of the output's
        expression, in module instance ``module.m`` (``module.m["k"]``)."""
        match = _OUTPUT_REF.match(ref)
        if match is None:
            return ()
        name, index, output = match.groups()
        child = self.modules.get((*module_config_path(module), name))
        if child is None or output not in child.outputs:
            return ()
        instance = f"module.{name}{index}"
        instance = f"{module}.{instance}" if module else instance
        return self._expression_refs(child.outputs[output].get("expression"), instance, depth)


def attach_refs(value: RawValue, expression: JSONValue, refs_for: RefsFor) -> RawValue:
    """*value* (a planned value) with every Unknown in it carrying the references of the
    configuration *expression* it is the value of.

    :param expression: the configuration of *value*: an expression
        (``{"references": [...]}`` or ``{"constant_value": ...}``), a block body
        (attribute name -> expression) or a list of nested blocks.
    :returns: *value* itself when nothing changes. An Unknown below an expression with
        references carries all the attribute references of that expression (the plan
        does not say which part of the expression a value comes from); nested blocks are
        matched to their configuration by :func:`_pair_blocks`, and the Unknowns of a
        block that cannot be matched carry no references.
    """
    if isinstance(expression, list):
        if not isinstance(value, tuple) or not contains_unknown(value):
            return value
        return _pair_blocks(value, expression, refs_for)
    if not isinstance(expression, dict) or "constant_value" in expression:
        return value
    if "references" in expression:
        references = expression["references"]
        if not isinstance(references, list) or not contains_unknown(value):
            return value
        refs = refs_for([ref for ref in references if isinstance(ref, str)])
        return _tag(value, refs) if refs else value
    if not isinstance(value, Mapping):
        return value
    changed = {
        key: new
        for key, sub in expression.items()
        if key in value and (new := attach_refs(value[key], sub, refs_for)) is not value[key]
    }
    return {**value, **changed} if changed else value


def _tag(value: RawValue, refs: tuple[AttributeRef, ...]) -> RawValue:
    """*value* with every Unknown in it carrying *refs*."""
    if isinstance(value, Unknown):
        return Unknown(value.expr, refs) if type(value) is Unknown else replace(value, refs=refs)
    if isinstance(value, Mapping):
        return {key: _tag(item, refs) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return tuple(_tag(item, refs) for item in value)
    return value


def _pair_blocks(
    blocks: tuple[RawValue, ...], expressions: list[JSONValue], refs_for: RefsFor
) -> RawValue:
    """Nested blocks with references attached, each from the configuration block it was
    made from.

    The plan's blocks are not in configuration order (a set of blocks, such as
    ``principals``, is ordered by value) and may be more (``dynamic`` blocks are not in
    ``configuration``), so a planned block is matched to the one configuration block
    whose literal arguments it agrees with (:func:`_compatible`), and to none when that
    is ambiguous or another planned block matches it as well.
    """
    index = _BodyIndex([body for body in expressions if isinstance(body, dict)])
    matches = [index.match(block) if isinstance(block, Mapping) else None for block in blocks]
    taken = Counter(id(match) for match in matches if match is not None)
    result: list[RawValue] = []
    changed = False
    for block, match in zip(blocks, matches, strict=True):
        if match is not None and taken[id(match)] == 1:
            new = attach_refs(block, match, refs_for)
            changed = changed or new is not block
            result.append(new)
        else:
            result.append(block)
    return tuple(result) if changed else blocks


class _BodyIndex:
    """Configuration blocks by their literal arguments, to find the one a planned block
    was made from without comparing it with every block (statements can be thousands)."""

    def __init__(self, bodies: Sequence[dict[str, JSONValue]]) -> None:
        #: names of the literal arguments -> their values (as JSON) -> the blocks
        self.groups: dict[tuple[str, ...], dict[str, list[dict[str, JSONValue]]]] = {}
        #: the literal arguments of each block, by id
        self.literals: dict[int, dict[str, object]] = {}
        for body in bodies:
            literals = _literals(body)
            names = tuple(sorted(literals))
            signature = json.dumps([literals[name] for name in names])
            self.groups.setdefault(names, {}).setdefault(signature, []).append(body)
            self.literals[id(body)] = literals

    def match(self, block: Mapping[str, RawValue]) -> dict[str, JSONValue] | None:
        """The one block whose literal arguments agree with *block*'s known values
        (:func:`_compatible`), or None when there is none or more than one."""
        found: list[dict[str, JSONValue]] = []
        for names, by_signature in self.groups.items():
            values = [block.get(name) for name in names]
            if all(v is not None and not contains_unknown(v) for v in values):
                signature = json.dumps([_normal(value) for value in values])
                found += by_signature.get(signature, [])
            else:
                compatible = (
                    body
                    for bodies in by_signature.values()
                    for body in bodies
                    if _compatible(block, self.literals[id(body)])
                )
                found += islice(compatible, 2)
            if len(found) > 1:
                return None
        return found[0] if found else None


def _literals(body: Mapping[str, JSONValue]) -> dict[str, object]:
    """The literal arguments of a configuration block, in :func:`_normal` form."""
    return {
        key: _normal(expression["constant_value"])
        for key, expression in body.items()
        if isinstance(expression, dict) and "constant_value" in expression
    }


def _compatible(block: Mapping[str, RawValue], literals: Mapping[str, object]) -> bool:
    """True unless a literal argument of a configuration block (*literals*, see
    :func:`_literals`) differs from the known planned value of *block* (sets compared
    without order)."""
    for key, literal in literals.items():
        value = block.get(key)
        if value is None or contains_unknown(value):
            continue
        if _normal(value) != literal:
            return False
    return True


def _normal(value: object) -> object:
    """A comparable, JSON-serialisable form of a JSON-like value: lists as sorted sets (a
    set's planned order is not its configured one)."""
    if isinstance(value, tuple | list):
        return sorted({json.dumps(_normal(item), sort_keys=True) for item in value})
    if isinstance(value, Mapping):
        return {str(key): _normal(item) for key, item in value.items()}
    return value


def render_deferred_document(values: dict[str, RawValue]) -> None:
    """Give a data ``aws_iam_policy_document`` whose read the plan defers (its ``json`` is
    unknown) the document it will render, from its planned arguments, as the HCL path
    renders one (:func:`render_policy_document`): known parts literal, unknown parts
    Unknown with their references."""
    if not isinstance(values.get("json"), str):
        values["json"] = values["minified_json"] = render_policy_document(values)


def fill_deferred_documents(
    resources: Sequence[TfResource], attributes: Sequence[str]
) -> tuple[TfResource, ...]:
    """*resources* with each document attribute (among *attributes*) that is unknown only
    because it is ``data.aws_iam_policy_document.X.json`` (its one reference) replaced by
    that data source's rendered document: partly known (:class:`PartialJSON`) when the
    read is deferred, carrying that one reference.

    The plan cannot tell ``data.X.json`` from a function of it (``replace(data.X.json,
    ...)``), which would get the data source's document too.
    """
    documents = {
        r.address: r.values["json"]
        for r in resources
        if r.mode == "data"
        and r.type == "aws_iam_policy_document"
        and isinstance(r.values.get("json"), str | PartialJSON)
    }
    if not documents:
        return tuple(resources)
    filled: list[TfResource] = []
    for resource in resources:
        values: dict[str, RawValue] | None = None
        for attribute in attributes:
            value = resource.values.get(attribute)
            if type(value) is not Unknown or len(value.refs) != 1:
                continue
            (ref,) = value.refs
            document = documents.get(ref.address) if ref.attribute in _JSON_ATTRIBUTES else None
            if document is None:
                continue
            values = values if values is not None else dict(resource.values)
            values[attribute] = (
                replace(document, refs=value.refs) if isinstance(document, Unknown) else document
            )
        filled.append(resource if values is None else replace(resource, values=values))
    return tuple(filled)
