"""Reading input files: byte-order marks, encodings and JSON, with errors as ParseError."""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import Any, TypeAlias

from iacguard.errors import ParseError

#: raw data as decoded from JSON or YAML, before the parsers give it types
JSONValue: TypeAlias = Any

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(data: bytes, path: Path) -> str:
    """Decode *data* read from *path*: UTF-8, or UTF-8/16/32 with a byte-order mark.

    Plans saved by PowerShell on Windows are UTF-16 with a BOM.

    :raises ParseError: the bytes are not text in any of these encodings.
    """
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise ParseError(path, f"not valid {encoding.upper()} text (byte {err.start})") from err


def read_text(path: Path) -> str:
    """Read and decode a file.

    :raises ParseError: the file cannot be read or decoded.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ParseError(path, f"cannot read file: {err.strerror or err}") from err
    return decode_text(data, path)


def load_json(text: str, path: Path) -> JSONValue:
    """Parse JSON text.

    :raises ParseError: with the line and column of the first error; an empty file
        and nesting too deep for the parser are reported the same way.
    """
    if not text.strip():
        raise ParseError(path, "file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ParseError(path, f"invalid JSON: {err.msg}", err.lineno, err.colno) from err
    except RecursionError as err:
        raise ParseError(path, "invalid JSON: nested too deeply") from err
