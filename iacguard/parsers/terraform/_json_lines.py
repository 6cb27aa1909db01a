"""JSON decoded with the line of every value and object key (for ``.tf.json`` files).

Python's :mod:`json` keeps no positions; this small reader does, with the standard
library decoding each string literal. Objects keep every member in file order,
duplicates included (the caller decides what a duplicate means).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Final, NoReturn, TypeAlias

from iacguard.errors import ParseError
from iacguard.parsers._source import without_surrogates

#: a JSON scalar: string, number, true/false/null
Scalar: TypeAlias = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Member:
    """``"key": value`` inside an object."""

    key: str
    #: 1-based line of the key
    line: int
    value: JsonNode


@dataclass(frozen=True, slots=True)
class JsonNode:
    """One JSON value: exactly one of ``members`` (an object), ``items`` (an array) or
    ``scalar`` is meaningful, as ``kind`` says."""

    kind: str  # "object", "array" or "scalar"
    line: int
    members: tuple[Member, ...] = ()
    items: tuple[JsonNode, ...] = ()
    scalar: Scalar = None


#: a JSON string literal (decoded by :func:`json.loads`)
_STRING: Final = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")
_NUMBER: Final = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_LITERALS: Final = {"true": True, "false": False, "null": None}
#: how deep arrays and objects may nest (a hostile file could nest a million deep)
MAX_DEPTH: Final = 200


def parse_json(text: str, display: PurePosixPath) -> JsonNode:
    """Parse *text*, one JSON value, keeping lines.

    :raises ParseError: the text is not JSON (with line and column), or nests deeper
        than :data:`MAX_DEPTH`.
    """
    reader = _Reader(text, display)
    node = reader.value(0)
    reader.skip()
    if reader.index != len(text):
        reader.fail("extra data after the JSON value")
    return node


class _Reader:
    def __init__(self, text: str, display: PurePosixPath) -> None:
        self.text = text
        self.display = display
        self.index = 0
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def line(self, index: int) -> int:
        return bisect.bisect_left(self.newlines, index) + 1

    def fail(self, message: str) -> NoReturn:
        line = self.line(self.index)
        start = self.newlines[line - 2] + 1 if line > 1 else 0
        column = self.index - start + 1
        raise ParseError(
            self.display,
            f"invalid JSON at {self.display}:{line}:{column}: {message}",
            line,
            column,
        )

    def skip(self) -> None:
        match = _WHITESPACE.match(self.text, self.index)
        assert match is not None
        self.index = match.end()

    def value(self, depth: int) -> JsonNode:
        if depth > MAX_DEPTH:
            self.fail("nested too deeply")
        self.skip()
        line = self.line(self.index)
        char = self.text[self.index : self.index + 1]
        if char == "{":
            return JsonNode("object", line, members=self.members(depth))
        if char == "[":
            return JsonNode("array", line, items=self.items(depth))
        if char == '"':
            return JsonNode("scalar", line, scalar=self.string())
        number = _NUMBER.match(self.text, self.index)
        if number is not None and number.end() > self.index:
            self.index = number.end()
            try:
                scalar: Scalar = float(number[0]) if number[1] or number[2] else int(number[0])
            except ValueError:  # an integer beyond Python's digit limit
                self.fail("number too long")
            return JsonNode("scalar", line, scalar=scalar)
        for word, literal in _LITERALS.items():
            if self.text.startswith(word, self.index):
                self.index += len(word)
                return JsonNode("scalar", line, scalar=literal)
        self.fail("expected a value" if char else "unexpected end of input")

    def string(self) -> str:
        match = _STRING.match(self.text, self.index)
        if match is None:
            self.fail("invalid string (unterminated, a control character or a bad escape)")
        self.index = match.end()
        text: str = json.loads(match[0])
        return without_surrogates(text)  # type: ignore[no-any-return]

    def members(self, depth: int) -> tuple[Member, ...]:
        self.index += 1
        found: list[Member] = []
        self.skip()
        if self.text.startswith("}", self.index):
            self.index += 1
            return ()
        while True:
            self.skip()
            if not self.text.startswith('"', self.index):
                self.fail("expected a property name in double quotes")
            line = self.line(self.index)
            key = self.string()
            self.skip()
            if not self.text.startswith(":", self.index):
                self.fail("expected ':'")
            self.index += 1
            found.append(Member(key, line, self.value(depth + 1)))
            if self._end_of("}"):
                return tuple(found)

    def items(self, depth: int) -> tuple[JsonNode, ...]:
        self.index += 1
        found: list[JsonNode] = []
        self.skip()
        if self.text.startswith("]", self.index):
            self.index += 1
            return ()
        while True:
            found.append(self.value(depth + 1))
            if self._end_of("]"):
                return tuple(found)

    def _end_of(self, closing: str) -> bool:
        """Consume ``,`` (False: more follows) or *closing* (True)."""
        self.skip()
        char = self.text[self.index : self.index + 1]
        if char == ",":
            self.index += 1
            return False
        if char == closing:
            self.index += 1
            return True
        self.fail(f"expected ',' or '{closing}'")
