"""Text from the input made safe for a terminal and for a CI log.

GitHub's runner reads every line a step prints as a possible workflow command, in two
syntaxes (``actions/runner``, ``src/Runner.Common/ActionCommand.cs``): ``TryParseV2``
takes a line that starts with ``::`` *after leading white space is trimmed*, and the
older ``TryParse`` takes ``##[`` *anywhere* in a line. A scanned file named
``::stop-commands::x`` or a role named ``##[error]`` would otherwise give orders to the
runner. Every line iacguard prints that is not a command it means (the ``github``
format) is passed through one of the functions here.
"""

from __future__ import annotations

import io
import re
from typing import Final, TextIO

#: a line the runner reads as a ``::command``: ``::`` after leading white space
_COMMAND_START: Final = re.compile(r"^(\s*):(?=:)", re.MULTILINE)
#: the older command syntax, recognised anywhere in a line
_LEGACY_COMMAND: Final = "##["


def visible(text: str) -> str:
    """*text* with control characters (line breaks included) written as Python escapes
    (``\\n``, ``\\x1b``), so names and messages taken from the input cannot move the
    cursor or recolour a terminal (ANSI escape injection) nor start a line of their own."""
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


def printable(text: str) -> str:
    """*text* for a terminal and a CI log, on one line: :func:`visible`, and a leading
    ``::`` and any ``##[`` get their first character escaped (``\\x3a:``, ``\\x23#[``),
    so the runner never reads them as a workflow command."""
    text = visible(text)
    return _COMMAND_START.sub(r"\1\\x3a", text).replace(_LEGACY_COMMAND, "\\x23#[")


def defuse_json(text: str) -> str:
    """JSON text (a JSON or SARIF report) with ``##[`` written ``#\\u0023[``.

    ``##[`` can only occur inside a JSON string, where the escape means the same
    character; JSON lines never start with ``::`` (strings are quoted).
    """
    return text.replace(_LEGACY_COMMAND, "#\\u0023[")


def defuse_xml(text: str) -> str:
    """XML text (a JUnit report) with CR, ``##[`` and a line-leading ``::`` written as
    character references, which mean the same characters in text and attribute values
    (the runner also ends a line at a CR)."""
    text = text.replace("\r", "&#13;")
    return _COMMAND_START.sub(r"\1&#58;", text).replace(_LEGACY_COMMAND, "#&#35;[")


class SafeLines(io.TextIOBase):
    """A text stream for a report written a line at a time: each ``write`` is text
    ending in its own line breaks, and everything before them passes through
    :func:`printable` (so a name holding a line break, a control character, a leading
    ``::`` or ``##[`` stays inert)."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream

    def write(self, text: str) -> int:
        """Write *text* with its body made :func:`printable`; returns ``len(text)``."""
        body = text.rstrip("\n")
        self._stream.write(printable(body) + text[len(body) :])
        return len(text)
