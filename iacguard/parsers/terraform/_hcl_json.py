"""Terraform's JSON configuration syntax (``.tf.json``) into the blocks ``.tf`` files make.

As Terraform reads it (https://developer.hashicorp.com/terraform/language/syntax/json):
the root object's properties are block types; labels are nested object keys (``resource
→ type → name → body``); a body that is an array of objects is several blocks with the
same labels; the property ``"//"`` in a block body is a comment. In argument values a
string is a template (``"${var.x}"`` is the expression ``var.x``), arrays and objects are
tuple and object expressions. Where Terraform takes something else: a variable's
``default`` is a literal value (no interpolation), its ``type`` and the meta-arguments
``depends_on``, ``provider``, ``iterator`` and lifecycle's ``ignore_changes`` are
expressions written as plain strings.

Without a provider schema a property of an object value can be a map argument or one
nested block: those nested blocks that iacguard reads (:data:`NESTED_BLOCKS`) become
blocks, any other object stays an object value (which the graph builders read the same
way as a single block).

Every expression is written out as native syntax and the whole file parsed with one
python-hcl2 call; blocks and attributes get the lines of their JSON keys.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Final, NoReturn

from iacguard.errors import ParseError
from iacguard.parsers.terraform._hcl_files import UNREAD_BLOCKS
from iacguard.parsers.terraform._hcl_syntax import Attribute, Block, Body, Node
from iacguard.parsers.terraform._hcl_template import closing_brace
from iacguard.parsers.terraform._json_lines import JsonNode, Member, parse_json

#: top-level block types and how many labels each has
TOP_LEVEL: Final = {
    "resource": 2,
    "data": 2,
    "module": 1,
    "variable": 1,
    "output": 1,
    "provider": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
    "check": 1,
}
#: nested block types (with their label count) recognised in resource and data bodies
NESTED_BLOCKS: Final = {
    "statement": 0,
    "principals": 0,
    "not_principals": 0,
    "condition": 0,
    "inline_policy": 0,
    "lifecycle": 0,
    "connection": 0,
    "precondition": 0,
    "postcondition": 0,
    "validation": 0,
    "content": 0,
    "dynamic": 1,
    "provisioner": 1,
}
#: arguments whose strings are expressions, not templates
_EXPRESSION_ARGUMENTS: Final = frozenset(
    {"depends_on", "provider", "providers", "iterator", "ignore_changes", "replace_triggered_by"}
)
#: the property name Terraform reads as a comment in a block body
COMMENT_KEY: Final = "//"


@dataclass(slots=True)
class _Draft:
    """A block before its expressions are parsed: attributes hold expression indexes."""

    type: str
    labels: tuple[str, ...]
    line: int
    attributes: list[tuple[str, int, int]] = field(default_factory=list)
    blocks: list[_Draft] = field(default_factory=list)


def parse_json_config(text: str, display: PurePosixPath) -> Body:
    """The blocks of one ``.tf.json`` file.

    :raises ParseError: invalid JSON, a root that is not an object, an unknown block
        type, labels missing, or an interpolation that is not valid HCL.
    """
    root = parse_json(text, display)
    if root.kind != "object":
        _fail(display, root.line, "a Terraform JSON file must hold an object")
    converter = _Converter(display)
    drafts: list[_Draft] = []
    for member in root.members:
        if member.key == COMMENT_KEY:
            continue
        if member.key not in TOP_LEVEL:
            _fail(display, member.line, f"unsupported block type {member.key!r}")
        drafts += converter.labelled(member.key, TOP_LEVEL[member.key], member.value, ())
    return Body({}, tuple(converter.finish(drafts)))


def _fail(display: PurePosixPath, line: int, message: str) -> NoReturn:
    raise ParseError(display, f"invalid Terraform JSON at {display}:{line}: {message}", line)


class _Converter:
    def __init__(self, display: PurePosixPath) -> None:
        self.display = display
        #: native syntax of every expression, by index
        self.expressions: list[str] = []

    def labelled(
        self, kind: str, labels: int, node: JsonNode, found: tuple[str, ...]
    ) -> list[_Draft]:
        """The blocks of *kind* under *node*, which still holds *labels* label levels; an
        array at a label level holds objects of that level (``"provisioner": [{"local-exec":
        {...}}]``)."""
        if labels and node.kind == "array":
            return [d for item in node.items for d in self.labelled(kind, labels, item, found)]
        if labels:
            if node.kind != "object":
                _fail(self.display, node.line, f"{kind} needs {labels} more label(s)")
            return [
                draft
                for member in node.members
                if member.key != COMMENT_KEY
                for draft in self.labelled(kind, labels - 1, member.value, (*found, member.key))
            ]
        bodies = node.items if node.kind == "array" else (node,)
        drafts: list[_Draft] = []
        for body in bodies:
            if body.kind != "object":
                _fail(self.display, body.line, f"the body of {kind} must be an object")
            drafts.append(self.block(kind, found, body))
        return drafts

    def block(self, kind: str, labels: tuple[str, ...], body: JsonNode) -> _Draft:
        draft = _Draft(kind, labels, body.line)
        if kind in UNREAD_BLOCKS:
            return draft
        for member in body.members:
            if member.key == COMMENT_KEY:
                continue
            nested = NESTED_BLOCKS.get(member.key) if kind != "locals" else None
            if nested is not None and _is_block_value(member.value):
                draft.blocks += self.labelled(member.key, nested, member.value, ())
                continue
            text = self.argument(kind, member)
            draft.attributes.append((member.key, member.line, len(self.expressions)))
            self.expressions.append(text)
        return draft

    def argument(self, kind: str, member: Member) -> str:
        if kind == "variable" and member.key == "type":
            return _expression_string(member.value)
        if kind == "variable" and member.key == "default":
            return native(member.value, literal=True)
        if member.key in _EXPRESSION_ARGUMENTS:
            return _expressions(member.value)
        return native(member.value, literal=False)

    def finish(self, drafts: list[_Draft]) -> list[Block]:
        """Parse every expression at once and build the blocks."""
        from iacguard.parsers.terraform._hcl_syntax import parse_text

        source = "".join(f"e{i} = {text}\n" for i, text in enumerate(self.expressions))
        try:
            parsed = parse_text(source, self.display)
        except ParseError as err:
            index = (err.line or 1) - 1
            line = _line_of(drafts, index)
            message = "an interpolation or expression is not valid HCL"
            raise ParseError(
                self.display, f"invalid Terraform JSON at {self.display}:{line}: {message}", line
            ) from err
        nodes = [parsed.attributes[f"e{i}"].expression for i in range(len(self.expressions))]
        return [self._block(draft, nodes) for draft in drafts]

    def _block(self, draft: _Draft, nodes: list[Node]) -> Block:
        attributes = {
            name: Attribute(name, nodes[index], line) for name, line, index in draft.attributes
        }
        blocks = tuple(self._block(child, nodes) for child in draft.blocks)
        return Block(draft.type, draft.labels, Body(attributes, blocks), self.display, draft.line)


def _line_of(drafts: list[_Draft], index: int) -> int:
    """The JSON line of expression number *index*."""
    for draft in drafts:
        for _, line, number in draft.attributes:
            if number == index:
                return line
        found = _line_of(draft.blocks, index)
        if found:
            return found
    return 0


def _is_block_value(node: JsonNode) -> bool:
    return node.kind == "object" or (
        node.kind == "array" and bool(node.items) and all(i.kind == "object" for i in node.items)
    )


def native(node: JsonNode, *, literal: bool) -> str:
    """*node* as a native HCL expression: strings are templates, or literal text when
    *literal*; object keys are strings (templates too unless *literal*)."""
    if node.kind == "object":
        members = ", ".join(
            f"{template(m.key, literal=literal)} = {native(m.value, literal=literal)}"
            for m in node.members
        )
        return "{" + members + "}"
    if node.kind == "array":
        return "[" + ", ".join(native(item, literal=literal) for item in node.items) + "]"
    value = node.scalar
    if isinstance(value, str):
        return template(value, literal=literal)
    return json.dumps(value)  # true, false, null and numbers are written alike


def _expression_string(node: JsonNode) -> str:
    """A string holding an expression (``"list(string)"``), as that expression."""
    if node.kind == "scalar" and isinstance(node.scalar, str):
        return node.scalar.replace("\n", " ") or "null"
    return native(node, literal=False)


def _expressions(node: JsonNode) -> str:
    """Strings holding expressions, alone or in an array (``depends_on``)."""
    if node.kind == "array":
        return "[" + ", ".join(_expression_string(item) for item in node.items) + "]"
    return _expression_string(node)


_ESCAPES: Final = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def template(text: str, *, literal: bool) -> str:
    """*text* as a quoted native string: ``${...}`` and ``%{...}`` sequences are kept as
    they are (unless *literal*, then they are escaped), the rest is escaped."""
    out = ['"']
    index = 0
    while index < len(text):
        if not literal and text.startswith(("$${", "%%{"), index):
            out.append(text[index : index + 3])
            index += 3
            continue
        if text.startswith(("${", "%{"), index):
            end = -1 if literal else closing_brace(text, index + 2)
            if end >= 0:
                out.append(text[index : end + 1].replace("\n", " "))
                index = end + 1
                continue
            out.append(text[index] * 2 + "{")  # escaped: ``$${`` is a literal ``${``
            index += 2
            continue
        char = text[index]
        out.append(_ESCAPES.get(char) or (char if char >= " " else f"\\u{ord(char):04x}"))
        index += 1
    out.append('"')
    return "".join(out)
