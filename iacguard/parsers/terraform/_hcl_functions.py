"""The Terraform functions the HCL evaluator computes (any other call is Unknown), and
the conversion of a variable's value to its ``type`` constraint.

An Unknown result computed from Unknown arguments carries every :class:`AttributeRef`
of them (:func:`refs_of`), so a value derived from ``aws_iam_role.ci.arn`` still says so.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from iacguard.model import RawValue, Unknown, refs_of
from iacguard.parsers._policy_document import PartialJSON
from iacguard.parsers.terraform._hcl_syntax import Node, name_of, subtrees

#: the most elements ``range()`` makes (Terraform's own limit)
MAX_RANGE: Final = 1024
#: the largest value a local, variable or output may hold (see :func:`value_size`); a
#: larger one is Unknown
MAX_VALUE_SIZE: Final = 1 << 18
#: the total size of the resource values of one configuration; resources evaluated once
#: it is spent have every attribute Unknown (instances can repeat a large value 10**4 times)
MAX_TOTAL_SIZE: Final = 1 << 21


class EvalError(Exception):
    """An expression cannot be evaluated statically (it is then Unknown)."""


def contains_unknown(value: object) -> bool:
    """True when *value* is or holds an :class:`Unknown` anywhere."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, Mapping):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, tuple | list):
        return any(contains_unknown(v) for v in value)
    return False


def first_unknown(value: object) -> Unknown | None:
    """The first :class:`Unknown` in *value* (itself, or a leaf), or None."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, Mapping):
        value = tuple(value.values())
    if isinstance(value, tuple | list):
        return next((u for item in value if (u := first_unknown(item)) is not None), None)
    return None


def plain(value: Unknown) -> Unknown:
    """*value* as a plain :class:`Unknown` with the same expression and references: the
    result of a computation on a :class:`PartialJSON` is no longer the JSON it carries."""
    return value if type(value) is Unknown else Unknown(value.expr, value.refs)


def computed(expr: str, *sources: object) -> Unknown:
    """An :class:`Unknown` named *expr*, computed from *sources*: it carries their
    references (:func:`refs_of`)."""
    return Unknown(expr, refs_of(*sources))


def value_size(value: RawValue) -> int:
    """How big *value* is written out in full: elements plus characters / 64.

    Values built from references share parts (``{ a = local.m, b = local.m }``), so
    each reference can double what a walker or ``jsonencode`` has to go through; shared
    parts are measured once here (by identity) but counted at every place they appear.
    """
    sizes: dict[int, int] = {}

    def size(item: RawValue) -> int:
        if isinstance(item, str):
            return 1 + len(item) // 64
        if isinstance(item, PartialJSON):
            return 1 + size(item.data)
        if not isinstance(item, Mapping | tuple | list):
            return 1
        known = sizes.get(id(item))
        if known is None:
            children = item.values() if isinstance(item, Mapping) else item
            known = sizes[id(item)] = 1 + sum(size(child) for child in children)
        return known

    return size(value)


def to_string(value: RawValue) -> str:
    """A known primitive as Terraform converts it to a string.

    :raises EvalError: *value* is null, a collection or Unknown.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else repr(value)
    raise EvalError("value is not a string")


def to_data(value: object) -> RawValue:
    """Decoded JSON as a RawValue: lists become tuples."""
    if isinstance(value, list):
        return tuple(to_data(v) for v in value)
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    raise EvalError("not JSON data")


def _known(function: Callable[[list[RawValue]], RawValue]) -> Callable[[list[RawValue]], RawValue]:
    """Wrap *function*: any Unknown in its arguments makes the result Unknown, computed
    from every argument (it carries all their references)."""

    def call(args: list[RawValue]) -> RawValue:
        unknown = next((a for a in args if contains_unknown(a)), None)
        if unknown is not None:
            expr = unknown.expr if isinstance(unknown, Unknown) else function.__name__
            return computed(expr, args)
        return function(args)

    call.__name__ = function.__name__
    return call


def _seq(value: RawValue) -> tuple[RawValue, ...]:
    if isinstance(value, tuple | list):
        return tuple(value)
    raise EvalError("not a list")


def _map(value: RawValue) -> Mapping[str, RawValue]:
    if isinstance(value, Mapping):
        return value
    raise EvalError("not a map")


def _jsonencode(args: list[RawValue]) -> RawValue:
    """The JSON text of a value; of an object with unknown parts, :class:`PartialJSON`
    (a policy document written with ``jsonencode`` keeps its known statements)."""
    value = args[0]
    unknown = first_unknown(value)
    if unknown is None:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    if isinstance(value, Mapping):
        return PartialJSON(unknown.expr, refs_of(value), data=value)
    return computed(unknown.expr, value)


def _jsondecode(args: list[RawValue]) -> RawValue:
    if isinstance(args[0], PartialJSON):
        return args[0].data  # decoding what jsonencode encoded
    if isinstance(args[0], Unknown):
        return plain(args[0])
    try:
        return to_data(json.loads(to_string(args[0])))
    except json.JSONDecodeError as err:
        raise EvalError("invalid JSON") from err


def _format(args: list[RawValue]) -> RawValue:
    spec, values = to_string(args[0]), list(args[1:])
    out: list[str] = []
    index = 0
    while index < len(spec):
        char = spec[index]
        if char == "%" and index + 1 < len(spec):
            verb = spec[index + 1]
            index += 2
            if verb == "%":
                out.append("%")
            elif verb == "q":
                out.append(json.dumps(to_string(values.pop(0))))
            elif verb in "sdvf":
                out.append(to_string(values.pop(0)))
            else:
                raise EvalError(f"unsupported format verb %{verb}")
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _base64decode(args: list[RawValue]) -> RawValue:
    try:
        return base64.b64decode(to_string(args[0]), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as err:
        raise EvalError("invalid base64") from err


@dataclass(frozen=True, slots=True)
class UnknownItems(Unknown):
    """Inside a list, any number of unknown elements (none included): what an unknown
    list adds to ``concat``, or an unknown element to ``compact``, ``distinct`` or
    ``toset`` (it may be dropped or merged). A list holding one has an unknown length, and
    its elements after it unknown positions; every reader of values sees an Unknown.
    """


def _many(value: Unknown) -> UnknownItems:
    return value if isinstance(value, UnknownItems) else UnknownItems(value.expr, value.refs)


def _spread(value: RawValue) -> tuple[RawValue, ...]:
    """The elements of a list argument; an unknown list as :class:`UnknownItems`.

    :raises EvalError: *value* is neither a list nor unknown.
    """
    return (_many(value),) if isinstance(value, Unknown) else _seq(value)


def _kept(items: tuple[RawValue, ...]) -> tuple[RawValue, ...]:
    """*items* with each plain unknown element as :class:`UnknownItems` (it may be
    dropped); partly known JSON text is kept as it is (it is never empty)."""
    return tuple(_many(i) if type(i) is Unknown else i for i in items)


def _unique(items: tuple[RawValue, ...]) -> tuple[RawValue, ...]:
    """*items* without repeats, first occurrence kept (objects compared by value)."""
    result: list[RawValue] = []
    for item in items:
        if item not in result:
            result.append(item)
    return tuple(result)


def _whole(function: Callable[[list[RawValue]], RawValue]) -> Callable[[list[RawValue]], RawValue]:
    """Wrap *function* of one list: an unknown list gives an Unknown result; the known
    elements of a list holding unknown ones are kept."""

    def call(args: list[RawValue]) -> RawValue:
        if args and isinstance(args[0], Unknown):
            return plain(args[0])
        return function(args)

    call.__name__ = function.__name__
    return call


def _flatten(args: list[RawValue]) -> RawValue:
    result: list[RawValue] = []
    for item in _seq(args[0]):
        if isinstance(item, tuple):
            result += _flatten([item])  # type: ignore[arg-type]
        else:  # an unknown element may be a list of any length
            result.append(_many(item) if type(item) is Unknown else item)
    return tuple(result)


def _coalescelist(args: list[RawValue]) -> RawValue:
    for arg in args:
        items = _spread(arg)
        if any(isinstance(i, UnknownItems) for i in items):
            return computed("coalescelist(...)", args)  # is it empty?
        if items:
            return items
    return ()


def _merge(args: list[RawValue]) -> RawValue:
    result: dict[str, RawValue] = {}
    for arg in args:
        if arg is not None:
            result.update(_map(arg))
    return result


def _lookup(args: list[RawValue]) -> RawValue:
    mapping, key = _map(args[0]), to_string(args[1])
    if key in mapping:
        return mapping[key]
    if len(args) > 2:
        return args[2]
    raise EvalError(f"no key {key!r}")


def _coalesce(args: list[RawValue]) -> RawValue:
    for arg in args:
        if arg not in (None, ""):
            return arg
    raise EvalError("no non-null argument")


def _replace(args: list[RawValue]) -> RawValue:
    text, old, new = (to_string(a) for a in args[:3])
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        raise EvalError("regular-expression replace is not evaluated")
    return text.replace(old, new)


def _distinct(args: list[RawValue]) -> RawValue:
    return _unique(_kept(_seq(args[0])))


def _toset(args: list[RawValue]) -> RawValue:
    """A set as Terraform orders it: strings sorted, unknown elements last."""
    items = _unique(_kept(_seq(args[0])))
    known = tuple(i for i in items if not isinstance(i, Unknown))
    if all(isinstance(i, str) for i in known):
        known = tuple(sorted(known, key=str))
    return (*known, *(i for i in items if isinstance(i, Unknown)))


def _element(args: list[RawValue]) -> RawValue:
    items = _seq(args[0])
    index = args[1]
    if not items or not isinstance(index, int):
        raise EvalError("bad element()")
    return items[index % len(items)]


def _range(args: list[RawValue]) -> RawValue:
    numbers = range(*(int(x) for x in args))  # type: ignore[arg-type]
    if len(numbers) > MAX_RANGE:
        raise EvalError(f"range() of more than {MAX_RANGE} elements")
    return tuple(numbers)


FUNCTIONS: Final[Mapping[str, Callable[[list[RawValue]], RawValue]]] = {
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "base64encode": _known(lambda a: base64.b64encode(to_string(a[0]).encode()).decode()),
    "base64decode": _known(_base64decode),
    "format": _known(_format),
    "join": _known(lambda a: to_string(a[0]).join(to_string(i) for i in _seq(a[1]))),
    "split": _known(lambda a: tuple(to_string(a[1]).split(to_string(a[0])))),
    "concat": lambda a: tuple(i for arg in a for i in _spread(arg)),
    "merge": _merge,
    "lookup": _lookup,
    "tolist": _whole(lambda a: _seq(a[0])),
    "toset": _whole(_toset),
    "setunion": lambda a: _toset([tuple(i for arg in a for i in _spread(arg))]),
    "tomap": lambda a: _map(a[0]),
    "tostring": _known(lambda a: to_string(a[0])),
    "flatten": _whole(_flatten),
    "lower": _known(lambda a: to_string(a[0]).lower()),
    "upper": _known(lambda a: to_string(a[0]).upper()),
    "trimspace": _known(lambda a: to_string(a[0]).strip()),
    "chomp": _known(lambda a: to_string(a[0]).rstrip("\r\n")),
    "trimprefix": _known(lambda a: to_string(a[0]).removeprefix(to_string(a[1]))),
    "trimsuffix": _known(lambda a: to_string(a[0]).removesuffix(to_string(a[1]))),
    "replace": _known(_replace),
    "length": _known(lambda a: len(a[0]) if isinstance(a[0], tuple | Mapping | str) else 0),
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "compact": _whole(lambda a: _kept(tuple(i for i in _seq(a[0]) if i not in (None, "")))),
    "distinct": _whole(_distinct),
    "element": _known(_element),
    "keys": _known(lambda a: tuple(sorted(_map(a[0])))),
    "values": lambda a: tuple(_map(a[0])[k] for k in sorted(_map(a[0]))),
    "contains": _known(lambda a: a[1] in _seq(a[0])),
    "zipmap": _known(
        lambda a: dict(zip((to_string(k) for k in _seq(a[0])), _seq(a[1]), strict=True))
    ),
    "range": _known(_range),
    "sort": _known(lambda a: tuple(sorted(_seq(a[0]), key=str))),
    "reverse": lambda a: tuple(reversed(_seq(a[0]))),
    "startswith": _known(lambda a: to_string(a[0]).startswith(to_string(a[1]))),
    "endswith": _known(lambda a: to_string(a[0]).endswith(to_string(a[1]))),
    "tonumber": _known(lambda a: a[0] if isinstance(a[0], int | float) else float(to_string(a[0]))),
    "tobool": _known(lambda a: a[0] if isinstance(a[0], bool) else to_string(a[0]) == "true"),
}


# --------------------------------------------------------------------------- type constraints


@dataclass(frozen=True, slots=True)
class TypeSpec:
    """A variable's ``type`` constraint, as far as conversion needs it."""

    #: ``any``, ``string``, ``number``, ``bool``, ``list``, ``set``, ``map``, ``object``,
    #: ``tuple``
    kind: str
    #: the element type of a list, set or map
    element: TypeSpec | None = None
    #: an object's attributes: name -> (type, optional, default when absent)
    attributes: Mapping[str, tuple[TypeSpec, bool, RawValue]] = field(default_factory=dict)
    #: a tuple's element types
    elements: tuple[TypeSpec, ...] = ()


ANY: Final = TypeSpec("any")


def type_spec(node: Node, evaluate: Callable[[Node], RawValue]) -> TypeSpec:
    """The type constraint written as *node* (``object({ path = optional(string, "/") })``).

    :param evaluate: evaluates the default of an ``optional()`` attribute.
    :returns: ``any`` for what is not a type expression.
    """
    node = _unwrap(node)
    if node.data == "identifier":
        name = name_of(node)
        return TypeSpec(name) if name in {"string", "number", "bool"} else ANY
    if node.data != "function_call":
        return ANY
    kind = name_of(node)
    args = [_unwrap(a) for a in _arguments(node)]
    if kind in {"list", "set", "map"} and len(args) == 1:
        return TypeSpec(kind, element=type_spec(args[0], evaluate))
    if kind == "tuple" and len(args) == 1 and args[0].data == "tuple":
        return TypeSpec(kind, elements=tuple(type_spec(e, evaluate) for e in _items_of(args[0])))
    if kind == "object" and len(args) == 1 and args[0].data == "object":
        attributes: dict[str, tuple[TypeSpec, bool, RawValue]] = {}
        for elem in (e for e in subtrees(args[0]) if e.data == "object_elem"):
            parts = list(subtrees(elem))
            key, value_node = _unwrap(next(subtrees(parts[0]))), _unwrap(parts[-1])
            name = name_of(key) if key.data == "identifier" else _literal_key(key)
            optional = value_node.data == "function_call" and name_of(value_node) == "optional"
            if not optional:
                attributes[name] = (type_spec(value_node, evaluate), False, None)
                continue
            inner = _arguments(value_node)
            spec = type_spec(inner[0], evaluate) if inner else ANY
            default = convert(evaluate(inner[1]), spec) if len(inner) > 1 else None
            attributes[name] = (spec, True, default)
        return TypeSpec(kind, attributes=attributes)
    return ANY


def convert(value: RawValue, spec: TypeSpec) -> RawValue:
    """*value* converted to *spec* as Terraform converts a variable's value: absent
    optional attributes get their default (or null), attributes the type does not declare
    are dropped, primitives are converted (``"3"`` to a number). Unknown parts stay Unknown;
    a value that does not convert is returned as it is.
    """
    if isinstance(value, Unknown) or value is None or spec.kind == "any":
        return value
    if spec.kind == "object" and isinstance(value, Mapping):
        result: dict[str, RawValue] = {}
        for name, (attribute, optional, default) in spec.attributes.items():
            if name in value:
                result[name] = convert(value[name], attribute)
            else:  # a required attribute missing is an error in Terraform
                result[name] = default if optional else Unknown(f"missing attribute {name}")
        return result
    if spec.kind == "map" and isinstance(value, Mapping) and spec.element is not None:
        return {key: convert(item, spec.element) for key, item in value.items()}
    if spec.kind in {"list", "set"} and isinstance(value, tuple) and spec.element is not None:
        return tuple(convert(item, spec.element) for item in value)
    if spec.kind == "tuple" and isinstance(value, tuple) and len(value) == len(spec.elements):
        return tuple(convert(item, e) for item, e in zip(value, spec.elements, strict=True))
    return _primitive(value, spec.kind)


def _primitive(value: RawValue, kind: str) -> RawValue:
    try:
        if kind == "string" and isinstance(value, bool | int | float):
            return to_string(value)
        if kind == "number" and isinstance(value, str):
            number = float(value)
            return int(number) if number.is_integer() else number
        if kind == "bool" and value in {"true", "false"}:
            return value == "true"
    except (EvalError, ValueError):
        pass
    return value


def _unwrap(node: Node) -> Node:
    while node.data == "expr_term":
        inner = [c for c in subtrees(node) if c.data != "new_line_or_comment"]
        if len(inner) != 1:
            break
        node = inner[0]
    return node


def _arguments(call: Node) -> list[Node]:
    arguments = next((p for p in subtrees(call) if p.data == "arguments"), None)
    if arguments is None:
        return []
    return [c for c in subtrees(arguments) if c.data != "new_line_or_comment"]


def _items_of(node: Node) -> list[Node]:
    return [_unwrap(c) for c in subtrees(node) if c.data != "new_line_or_comment"]


def _literal_key(node: Node) -> str:
    """An object key written as a quoted string (``"path" = string``)."""
    return "".join(name_of(part) for part in subtrees(node)) if node.data == "string" else ""
