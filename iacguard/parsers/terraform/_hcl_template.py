"""HCL template text: heredoc bodies, the segments of a template and its directives."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeAlias

from iacguard.model import RawValue, Unknown, refs_of
from iacguard.parsers._policy_document import PartialJSON
from iacguard.parsers.terraform._hcl_functions import (
    EvalError,
    UnknownItems,
    computed,
    plain,
    to_string,
)
from iacguard.parsers.terraform._hcl_syntax import unescape

#: stands for the unknown interpolation *i* while the JSON around it is parsed
_TOKEN: Final = "@@iacguard-hcl-{}@@"
_TOKENS: Final = re.compile("@@iacguard-hcl-[0-9]+@@")


def heredoc_text(token: str, *, trim: bool) -> str:
    """The body of a heredoc token (``<<EOT\\n...\\nEOT\\n``); ``<<-`` removes the
    common indentation of the lines, as Terraform does."""
    lines = token.split("\n")
    body = lines[1:-2]  # drop the opening line, the closing marker and the final ""
    if trim:
        indents = [len(line) - len(line.lstrip(" \t")) for line in body if line.strip()]
        cut = min(indents, default=0)
        body = [line[cut:] for line in body]
    return "".join(line.rstrip("\r") + "\n" for line in body)


def template_segments(text: str) -> Iterator[tuple[str, str]]:
    """Split template text into ``("text", s)``, ``("interpolation", expr)`` and
    ``("directive", s)`` segments; ``$${`` and ``%%{`` are literal. A strip marker
    (``${~``, ``~}``, ``%{~`` ...) removes the blanks and line breaks of the text next to
    it, as HCL does; the marker stays in the segment's body."""
    segments: list[tuple[str, str]] = []
    index, start = 0, 0
    while index < len(text):
        two = text[index : index + 2]
        if text.startswith(("$${", "%%{"), index):
            segments.append(("text", text[start:index] + text[index + 1 : index + 3]))
            index += 3
            start = index
            continue
        if two in {"${", "%{"}:
            end = closing_brace(text, index + 2)
            if end < 0:
                raise EvalError("unterminated interpolation")
            segments.append(("text", text[start:index]))
            kind = "interpolation" if two == "${" else "directive"
            segments.append((kind, text[index + 2 : end]))
            index = start = end + 1
            continue
        index += 1
    segments.append(("text", text[start:]))
    for position, (kind, body) in enumerate(segments):
        if kind == "text":
            continue
        before, after = segments[position - 1], segments[position + 1]
        if body.startswith("~") and before[0] == "text":
            segments[position - 1] = ("text", before[1].rstrip(" \t\r\n"))
        if body.endswith("~") and after[0] == "text":
            segments[position + 1] = ("text", after[1].lstrip(" \t\r\n"))
    yield from segments


@dataclass(frozen=True, slots=True)
class If:
    """``%{ if COND }THEN%{ else }ELSE%{ endif }``."""

    condition: str
    then: tuple[Part, ...]
    otherwise: tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class For:
    """``%{ for KEY, VALUE in COLLECTION }BODY%{ endfor }`` (KEY may be absent)."""

    names: tuple[str, ...]
    collection: str
    body: tuple[Part, ...]


#: literal text (a str), an interpolation (a 1-tuple holding its expression) or a directive
Part: TypeAlias = "str | tuple[str] | If | For"

_DIRECTIVE: Final = re.compile(r"^~?\s*(if|else|endif|for|endfor)\b(.*?)\s*~?$", re.DOTALL)
_FOR: Final = re.compile(r"^([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\s+(.+)$", re.DOTALL)


def template_parts(text: str, *, quoted: bool = False) -> tuple[Part, ...]:
    """Template text as a tree of parts: ``%{if}`` and ``%{for}`` directives hold the
    parts between them and their closing directive.

    :param quoted: the text of a quoted string: its literal text is unescaped.
    :raises EvalError: a directive is malformed or not closed.
    """
    stack: list[tuple[str, str, list[Part], list[Part]]] = [("", "", [], [])]
    for kind, body in template_segments(text):
        current = stack[-1][3] if stack[-1][0] == "else" else stack[-1][2]
        if kind == "text":
            if body:
                current.append(unescape(body) if quoted else body)
            continue
        if kind == "interpolation":
            current.append((body,))
            continue
        match = _DIRECTIVE.match(body.strip())
        if match is None:
            raise EvalError("unsupported template directive")
        word, rest = match[1], match[2].strip()
        if word in {"if", "for"}:
            stack.append((word, rest, [], []))
        elif word == "else" and stack[-1][0] == "if":
            stack[-1] = ("else", *stack[-1][1:])
        elif (word == "endif" and stack[-1][0] in {"if", "else"}) or (
            word == "endfor" and stack[-1][0] == "for"
        ):
            opened, header, first, second = stack.pop()
            outer = stack[-1][3] if stack[-1][0] == "else" else stack[-1][2]
            outer.append(_directive(opened, header, first, second))
        else:
            raise EvalError(f"unexpected %{{{word}}}")
    if len(stack) != 1:
        raise EvalError("unclosed template directive")
    return tuple(stack[0][2])


def _directive(opened: str, header: str, first: list[Part], second: list[Part]) -> Part:
    if opened == "for":
        loop = _FOR.match(header)
        if loop is None:
            raise EvalError("malformed %{for}")
        names = (loop[1], loop[2]) if loop[2] else (loop[1],)
        return For(names, loop[3], tuple(first))
    return If(header, tuple(first), tuple(second))


def closing_brace(text: str, index: int) -> int:
    """The index of the ``}`` closing an interpolation whose body starts at *index*
    (nested braces and quoted strings inside counted), -1 when there is none."""
    depth, quoted = 0, False
    while index < len(text):
        char = text[index]
        if quoted:
            if char == "\\":
                index += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return index
            depth -= 1
        index += 1
    return -1


def partial_json(parts: Sequence[RawValue], expr: str) -> PartialJSON | None:
    """Template text that is a JSON object with unknown ``${...}`` interpolations, read
    as far as it is known: every string holding an unknown interpolation is Unknown, and
    an object with such a key is Unknown as a whole (the approach of CloudFormation's
    ``Fn::Sub`` documents). Each such Unknown carries the references of the
    interpolations it holds; the document carries those of all of them.

    :param parts: the rendered segments; Unknown where an interpolation is unknown.
        Callers pass no text with template directives: ``%{if}`` or ``%{for}`` may add or
        remove any of the text around them.
    :returns: None when the text is not a JSON object once the unknown parts are replaced
        by placeholders (e.g. an unknown list interpolated outside a string).
    """
    tokens: dict[str, Unknown] = {}
    texts: list[str] = []
    quoted = False  # inside a JSON string
    try:
        for part in parts:
            if isinstance(part, Unknown):
                token = _TOKEN.format(len(tokens))
                # outside a string (``[${jsonencode(var.extra)}]``) it is a JSON value of
                # its own, or several list elements: a string standing for any of them
                tokens[token] = plain(part) if quoted else UnknownItems(part.expr, part.refs)
                texts.append(token if quoted else f'"{token}"')
            else:
                texts.append(to_string(part))
                quoted = _ends_quoted(texts[-1], quoted)
    except EvalError:
        return None
    text = "".join(texts)
    if not text.lstrip().startswith("{"):
        return None
    try:
        data = _with_unknowns(json.loads(text), tokens, expr)
    except (ValueError, RecursionError):
        return None
    return PartialJSON(expr, refs_of(parts), data=data) if isinstance(data, Mapping) else None


def _ends_quoted(text: str, quoted: bool) -> bool:
    """Whether JSON *text*, started inside a string when *quoted*, ends inside one."""
    escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
    return quoted


def _with_unknowns(node: object, tokens: Mapping[str, Unknown], expr: str) -> RawValue:
    if isinstance(node, dict):
        if any("@@iacguard-hcl-" in str(key) for key in node):
            return computed(expr, _tokens_in(json.dumps(node), tokens))
        return {str(k): _with_unknowns(v, tokens, expr) for k, v in node.items()}
    if isinstance(node, list):
        return tuple(_with_unknowns(item, tokens, expr) for item in node)
    if isinstance(node, str) and "@@iacguard-hcl-" in node:
        return tokens.get(node) or computed(expr, _tokens_in(node, tokens))
    return node if isinstance(node, str | int | float | bool) or node is None else None


def _tokens_in(text: str, tokens: Mapping[str, Unknown]) -> list[Unknown]:
    """The unknown interpolations whose placeholders *text* holds."""
    return [tokens[token] for token in _TOKENS.findall(text) if token in tokens]
