"""HCL files into blocks and attributes with lines, expressions kept as Lark trees.

python-hcl2 8.x is used only for its Lark grammar (``parses_to_tree``, whose parser
``_hcl2.parse_to_tree`` loads from tables iacguard ships when they fit): its dict output
keeps quotes, turns ``jsonencode(...)`` into text and has no line numbers, while the
raw tree has every token with its position. ``_hcl_eval`` evaluates the expressions.

Two things Terraform accepts and that grammar rejects are rewritten first, keeping every
line (and every column but those of removed trailing blanks) where it was
(:func:`normalise`): a heredoc closing marker followed by spaces or tabs (``EOF␠``), and
a ``/* ... */`` comment on one line in the middle of an expression (``a = /* c */ 1``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Final, TypeAlias

from iacguard.errors import ParseError
from iacguard.parsers._source import without_surrogates

if TYPE_CHECKING:
    from lark import Token, Tree

#: a node of the raw python-hcl2 parse tree
Node: TypeAlias = "Tree[Token]"


@dataclass(frozen=True, slots=True)
class Attribute:
    """``name = expression`` inside a body."""

    name: str
    expression: Node
    #: 1-based line of the attribute name
    line: int


@dataclass(frozen=True, slots=True)
class Block:
    """``type "label" ... { body }``."""

    type: str
    labels: tuple[str, ...]
    body: Body
    #: the file as reports name it
    file: PurePosixPath
    #: 1-based line of the block type
    line: int


@dataclass(frozen=True, slots=True)
class Body:
    """The attributes (by name, in file order) and nested blocks of a block or a file."""

    attributes: Mapping[str, Attribute]
    blocks: tuple[Block, ...]

    def blocks_of(self, block_type: str) -> Iterator[Block]:
        """The nested blocks of one type, in file order."""
        return (block for block in self.blocks if block.type == block_type)


def parse_text(text: str, display: PurePosixPath) -> Body:
    """Parse the text of one ``.tf`` file.

    :param display: the file as reports name it, stored in every block and errors.
    :raises ParseError: the text is not valid HCL (with line and column).
    """
    from lark.exceptions import LarkError, UnexpectedInput

    from iacguard.parsers.terraform._hcl2 import parse_to_tree

    try:
        tree = parse_to_tree(normalise(text))
    except UnexpectedInput as err:
        line = err.line if err.line > 0 else max(1, len(text.splitlines()))
        column = err.column if err.column > 0 else None
        where = f"{display}:{line}" + (f":{column}" if column else "")
        raise ParseError(
            display, f"invalid HCL at {where}: {_describe(err)}", line, column
        ) from err
    except (LarkError, RecursionError) as err:
        raise ParseError(display, f"invalid HCL in {display}: {type(err).__name__}") from err
    return _body(next(subtrees(tree)), display)


#: a heredoc opener: ``<<EOT`` or ``<<-EOT`` at the end of its line
_HEREDOC: Final = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)\r?\n")
#: a line holding only a heredoc closing marker, with the blanks around it
_MARKER_LINE: Final = re.compile(r"[ \t]*([A-Za-z_][A-Za-z0-9_-]*)([ \t]*)\r?(?:\n|$)")


#: what a scan inside a quoted string stops at
_IN_STRING: Final = re.compile(r'[\\"\n$%]')
#: what a scan of code stops at
_IN_CODE: Final = re.compile(r'[#/"<{}]')


def normalise(text: str) -> str:
    """*text* with what Terraform accepts but python-hcl2's grammar does not rewritten:
    the blanks after a heredoc's closing marker removed, a one-line ``/* */`` comment
    blanked out. Strings, heredoc bodies and line comments are left as they are; every
    token stays on its line.
    """
    edits: list[tuple[int, int, str]] = []
    # contexts: "code" (the int: open braces) or "string"; a string's ``${`` opens code
    stack: list[tuple[str, int]] = [("code", 0)]
    index, size = 0, len(text)
    while index < size:
        kind, depth = stack[-1]
        # jump to the next character that can matter (a 10 MB string is one step)
        found = (_IN_STRING if kind == "string" else _IN_CODE).search(text, index)
        if found is None:
            break
        index = found.start()
        char = text[index]
        if kind == "string":
            if char == "\\":
                index += 2
                continue
            if char in '"\n':
                stack.pop()
            elif text.startswith(("$${", "%%{"), index):
                index += 3
                continue
            elif text.startswith(("${", "%{"), index):
                stack.append(("code", 0))
                index += 2
                continue
            index += 1
            continue
        if char == "#" or text.startswith("//", index):
            end = text.find("\n", index)
            index = size if end < 0 else end
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            end = size if end < 0 else end + 2
            if "\n" not in text[index:end]:
                edits.append((index, end, " " * (end - index)))
            index = end
        elif char == '"':
            stack.append(("string", 0))
            index += 1
        elif (heredoc := _HEREDOC.match(text, index)) is not None:
            index = _heredoc_end(text, heredoc, edits)
        elif char == "{":
            stack[-1] = (kind, depth + 1)
            index += 1
        elif char == "}":
            if depth == 0 and len(stack) > 1:
                stack.pop()  # the end of an interpolation: back in its string
            else:
                stack[-1] = (kind, max(depth - 1, 0))
            index += 1
        else:
            index += 1
    pieces: list[str] = []
    done = 0
    for start, end, replacement in edits:  # in text order, never overlapping
        pieces += [text[done:start], replacement]
        done = end
    return "".join(pieces) + text[done:]


def _heredoc_end(text: str, heredoc: re.Match[str], edits: list[tuple[int, int, str]]) -> int:
    """Where the code after *heredoc* resumes: after its closing marker line (whose
    trailing blanks are noted in *edits*), or at the end of *text* when it has none."""
    marker, index = heredoc[1], heredoc.end()
    while index < len(text):
        line = _MARKER_LINE.match(text, index)
        if line is not None and line[1] == marker:
            if line[2]:
                edits.append((line.start(2), line.end(2), ""))
            return line.start(2)
        end = text.find("\n", index)
        if end < 0:
            break
        index = end + 1
    return len(text)


def _describe(err: Exception) -> str:
    token = getattr(err, "token", None)
    if token is not None and str(token).strip():
        return f"unexpected {str(token).strip()[:40]!r}"
    char = getattr(err, "char", None)
    return f"unexpected character {char!r}" if char else "unexpected end of input"


def _body(tree: Node, display: PurePosixPath) -> Body:
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for child in subtrees(tree):
        if child.data == "attribute":
            trees = list(subtrees(child))
            name_node, expression = trees[0], trees[-1]
            attributes[name_of(name_node)] = Attribute(
                name_of(name_node), expression, line_of(child)
            )
        elif child.data == "block":
            blocks.append(_block(child, display))
    return Body(attributes, tuple(blocks))


def _block(tree: Tree[Token], display: PurePosixPath) -> Block:
    parts = [c for c in subtrees(tree) if c.data != "new_line_or_comment"]
    head, body = parts[:-1], parts[-1]
    labels = tuple(string_literal(p) if p.data == "string" else name_of(p) for p in head[1:])
    return Block(name_of(head[0]), labels, _body(body, display), display, line_of(tree))


def subtrees(node: Tree[Token] | Token) -> Iterator[Tree[Token]]:
    """The child trees of *node* (tokens skipped)."""
    from lark import Tree

    if isinstance(node, Tree):
        yield from (c for c in node.children if isinstance(c, Tree))


def name_of(node: Tree[Token] | Token) -> str:
    """The text of an ``identifier``/``keyword``/``literal_value`` node or a token."""
    from lark import Token, Tree

    while isinstance(node, Tree):
        node = node.children[0]
    return str(node) if isinstance(node, Token) else ""


def line_of(node: Tree[Token] | Token) -> int:
    """The 1-based start line of a node (0 when Lark recorded none)."""
    from lark import Token

    if isinstance(node, Token):
        return node.line or 0
    return getattr(node.meta, "line", 0) if not node.meta.empty else 0


def source_text(node: Tree[Token]) -> str:
    """The text of *node* as written, rebuilt from its tokens: what separates two tokens
    (spaces, rarely a line break) is given back as that many spaces."""
    from lark import Token

    parts: list[str] = []
    end: int | None = None
    for token in node.scan_values(lambda value: isinstance(value, Token)):
        start = token.start_pos
        if end is not None and start is not None and start > end:
            parts.append(" " * (start - end))
        parts.append(str(token))
        end = token.end_pos
    return "".join(parts)


def string_literal(node: Tree[Token]) -> str:
    """A quoted string without interpolations (a block label), unescaped."""
    return "".join(unescape(name_of(part)) for part in subtrees(node))


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def unescape(text: str) -> str:
    """Resolve HCL's backslash escapes (``\\n``, ``\\"``, ``\\uNNNN`` ...)."""
    if "\\" not in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            nxt = text[index + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                index += 2
                continue
            width = {"u": 4, "U": 8}.get(nxt, 0)
            digits = text[index + 2 : index + 2 + width]
            if width and len(digits) == width:
                try:
                    out.append(chr(int(digits, 16)))
                    index += 2 + width
                    continue
                except ValueError:
                    pass
        out.append(char)
        index += 1
    return without_surrogates("".join(out))  # type: ignore[no-any-return]
