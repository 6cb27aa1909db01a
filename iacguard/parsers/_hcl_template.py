"""HCL template text: heredoc bodies and the segments of a template."""

from __future__ import annotations

from collections.abc import Iterator

from iacguard.parsers._hcl_functions import EvalError


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
    ``("directive", s)`` segments; ``$${`` and ``%%{`` are literal."""
    index, start = 0, 0
    while index < len(text):
        two = text[index : index + 2]
        if text.startswith(("$${", "%%{"), index):
            yield "text", text[start:index] + text[index + 1 : index + 3]
            index += 3
            start = index
            continue
        if two in {"${", "%{"}:
            end = _closing_brace(text, index + 2)
            yield "text", text[start:index]
            yield ("interpolation" if two == "${" else "directive"), text[index + 2 : end]
            index = start = end + 1
            continue
        index += 1
    yield "text", text[start:]


def _closing_brace(text: str, index: int) -> int:
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
    raise EvalError("unterminated interpolation")
