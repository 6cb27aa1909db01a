"""What CloudFormation transforms do to a template before deploy, as far as it is known.

``Fn::ForEach`` (the ``AWS::LanguageExtensions`` transform) is expanded, per
https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html::

    Fn::ForEach::LoopName: [Identifier, Collection, {OutputKey: OutputValue}]

in ``Resources``, ``Outputs`` and ``Conditions`` and in any mapping below them (resource
properties). For each element of the collection (a list of strings, or a ``Ref`` to a
``CommaDelimitedList`` parameter with a default) the ``OutputKey: OutputValue`` entries
are added to the mapping holding the loop, with ``${Identifier}`` replaced by the
element and ``&{Identifier}`` by the element without its non-alphanumeric characters,
in keys and strings, and ``{Ref: Identifier}`` replaced by the element. Loops nest (an
inner loop sits among the outer loop's entries and sees its identifier). Positions are
carried over: a generated node is placed where its template is written.

A loop whose collection is not known before deploy, and every transform that is not
expanded (``AWS::Include``, macros, ``Fn::Transform``), makes an ERROR diagnostic: what
it produces is not scanned, and the scan says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Final, NoReturn

from iacguard.errors import ParseError
from iacguard.model import Location, Pointer
from iacguard.parsers._source import JSONValue
from iacguard.results import Diagnostic, DiagnosticCode, DiagnosticLevel

Positions = dict[Pointer, tuple[int, int]]

#: the key prefix of a loop
LOOP_PREFIX: Final = "Fn::ForEach::"
#: transforms whose effect iacguard models (SAM resources are read as they are written)
KNOWN_TRANSFORMS: Final = frozenset({"AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"})
#: sections a loop may stand in
_SECTIONS: Final = ("Conditions", "Resources", "Outputs")
#: nodes loops may generate in one template (nested loops multiply)
MAX_GENERATED: Final = 200_000
_NOT_ALPHANUMERIC: Final = re.compile(r"[^A-Za-z0-9]")


def expand_loops(
    template: Mapping[str, JSONValue], positions: Positions, path: Path, display: PurePosixPath
) -> tuple[dict[str, JSONValue], list[Diagnostic]]:
    """*template* with every ``Fn::ForEach`` loop expanded; *positions* gains the
    generated pointers.

    :returns: the template and an ERROR diagnostic per loop that cannot be expanded.
    :raises ParseError: a loop is malformed, makes a key twice, or generates more than
        :data:`MAX_GENERATED` nodes.
    """
    expander = _Expander(template, positions, path, display)
    result = dict(template)
    for section in _SECTIONS:
        if _has_loop(template.get(section)):
            result[section] = expander.node(template[section], (section,), (section,), {})
    return result, expander.diagnostics


def _has_loop(node: JSONValue) -> bool:
    if isinstance(node, Mapping):
        return any(
            (isinstance(k, str) and k.startswith(LOOP_PREFIX)) or _has_loop(v)
            for k, v in node.items()
        )
    return isinstance(node, list) and any(_has_loop(item) for item in node)


def unexpanded_transforms(
    template: Mapping[str, JSONValue], positions: Positions, display: PurePosixPath
) -> Iterator[Diagnostic]:
    """An ERROR for each transform that is not expanded: a ``Transform`` other than SAM
    and language extensions, and every ``Fn::Transform``."""
    declared = template.get("Transform")
    names = declared if isinstance(declared, list) else [declared] if declared else []
    for index, name in enumerate(names):
        shown = name.get("Name") if isinstance(name, Mapping) else name
        if not isinstance(shown, str) or shown not in KNOWN_TRANSFORMS:
            pointer: Pointer = (
                ("Transform", index) if isinstance(declared, list) else ("Transform",)
            )
            yield _error(
                display,
                positions.get(pointer),
                f"transform {shown!r} is not expanded: what it adds or changes is not scanned",
            )
    for pointer in _function_uses(template, "Fn::Transform", ()):
        yield _error(
            display,
            positions.get(pointer),
            "Fn::Transform is not expanded: what it adds or changes is not scanned",
        )


def _function_uses(node: JSONValue, name: str, pointer: Pointer) -> Iterator[Pointer]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key == name:
                yield (*pointer, key)
            yield from _function_uses(value, name, (*pointer, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _function_uses(item, name, (*pointer, index))


def _error(display: PurePosixPath, at: tuple[int, int] | None, message: str) -> Diagnostic:
    """An ERROR naming the file and line (stderr shows the message alone)."""
    line, column = at if at is not None else (None, None)
    where = f"{display}:{line}" if line is not None else str(display)
    return Diagnostic(
        DiagnosticLevel.ERROR,
        DiagnosticCode.INPUT_NOT_READ,
        f"{where}: {message}",
        Location(display, line, column),
    )


class _Expander:
    def __init__(
        self,
        template: Mapping[str, JSONValue],
        positions: Positions,
        path: Path,
        display: PurePosixPath,
    ) -> None:
        parameters = template.get("Parameters")
        self.parameters: Mapping[str, JSONValue] = (
            parameters if isinstance(parameters, Mapping) else {}
        )
        self.positions = positions
        self.path = path
        self.display = display
        self.diagnostics: list[Diagnostic] = []
        self.budget = MAX_GENERATED

    def node(
        self, value: JSONValue, source: Pointer, target: Pointer, bindings: Mapping[str, str]
    ) -> JSONValue:
        """*value* (at *source*) as it is at *target* once loops are expanded."""
        if source != target or bindings:
            self.budget -= 1
            if self.budget < 0:
                self._fail(source, "Fn::ForEach loops generate too many nodes")
            if source in self.positions:
                self.positions[target] = self.positions[source]
        if isinstance(value, Mapping):
            if bindings and set(value) == {"Ref"} and value["Ref"] in bindings:
                return bindings[value["Ref"]]
            result: dict[str, JSONValue] = {}
            for key, item in value.items():
                if key.startswith(LOOP_PREFIX):
                    for out_key, out_value in self._loop(
                        key, item, (*source, key), target, bindings
                    ):
                        self._add(result, out_key, out_value, source)
                else:
                    name = _substitute(key, bindings)
                    self._add(
                        result,
                        name,
                        self.node(item, (*source, key), (*target, name), bindings),
                        source,
                    )
            return result
        if isinstance(value, list):
            return [
                self.node(item, (*source, i), (*target, i), bindings)
                for i, item in enumerate(value)
            ]
        if isinstance(value, str):
            return _substitute(value, bindings)
        return value

    def _add(self, result: dict[str, JSONValue], key: str, value: JSONValue, at: Pointer) -> None:
        if key in result:
            self._fail(at, f"Fn::ForEach makes the key {key!r} twice")
        result[key] = value

    def _loop(
        self,
        key: str,
        loop: JSONValue,
        source: Pointer,
        target: Pointer,
        bindings: Mapping[str, str],
    ) -> Iterator[tuple[str, JSONValue]]:
        if not (
            isinstance(loop, list)
            and len(loop) == 3
            and isinstance(loop[0], str)
            and isinstance(loop[2], Mapping)
        ):
            self._fail(
                source, f"{key} must be [Identifier, Collection, {{OutputKey: OutputValue}}]"
            )
        identifier, collection, outputs = loop
        values = self._collection(key, collection, (*source, 1), bindings)
        for value in values or ():
            scope = {**bindings, identifier: value}
            for out_key, out_value in outputs.items():
                at = (*source, 2, out_key)
                if out_key.startswith(LOOP_PREFIX):
                    yield from self._loop(out_key, out_value, at, target, scope)
                    continue
                name = _substitute(out_key, scope)
                yield name, self.node(out_value, at, (*target, name), scope)

    def _collection(
        self, key: str, collection: JSONValue, source: Pointer, bindings: Mapping[str, str]
    ) -> list[str] | None:
        """The loop's elements, or None (with an ERROR) when they are not known."""
        if isinstance(collection, list):
            if all(isinstance(item, str | int | float) for item in collection):
                return [_substitute(str(item), bindings) for item in collection]
            self._unknown(key, source, "its collection holds more than strings")
            return None
        if isinstance(collection, Mapping) and set(collection) == {"Ref"}:
            name = collection["Ref"]
            parameter = self.parameters.get(name) if isinstance(name, str) else None
            if not isinstance(parameter, Mapping) or parameter.get("Type") != "CommaDelimitedList":
                self._unknown(key, source, f"{name!r} is not a CommaDelimitedList parameter")
                return None
            default = parameter.get("Default")
            if not isinstance(default, str):
                self._unknown(key, source, f"parameter {name!r} has no default")
                return None
            return [item.strip() for item in default.split(",")]
        self._unknown(key, source, "its collection is not a list or a Ref to a parameter")
        return None

    def _unknown(self, key: str, source: Pointer, why: str) -> None:
        message = (
            f"{key} not expanded: {why}, so what it makes is known only at deploy and not scanned"
        )
        self.diagnostics.append(_error(self.display, self.positions.get(source[:-1]), message))

    def _fail(self, pointer: Pointer, message: str) -> NoReturn:
        line, column = self.positions.get(pointer, (None, None))
        raise ParseError(self.path, f"invalid template: {message}", line, column)


def _substitute(text: str, bindings: Mapping[str, str]) -> str:
    for identifier, value in bindings.items():
        if "{" in text:
            text = text.replace("${" + identifier + "}", value)
            text = text.replace("&{" + identifier + "}", _NOT_ALPHANUMERIC.sub("", value))
    return text
