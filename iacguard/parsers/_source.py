"""Reading input files: byte-order marks, encodings and JSON, with errors as ParseError."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, TypeAlias

from iacguard.errors import ParseError

#: raw data as decoded from JSON or YAML, before the parsers give it types
JSONValue: TypeAlias = Any


def json_object(value: JSONValue) -> Mapping[str, JSONValue]:
    """*value* if it is a JSON object, else an empty one: wrong types read as absent."""
    return value if isinstance(value, dict) else {}


def json_list(value: JSONValue) -> list[JSONValue]:
    """*value* if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


#: BOM-less UTF-16/32 text starting with an ASCII character (as JSON, YAML and HCL do),
#: recognised by where its first four bytes are NUL (RFC 4627 section 3); 1 is non-NUL
_NUL_PATTERNS: Final = {
    b"\0\0\0\1": "utf-32-be",
    b"\1\0\0\0": "utf-32-le",
    b"\0\1\0\1": "utf-16-be",
    b"\1\0\1\0": "utf-16-le",
}
#: a lone UTF-16 surrogate: valid as a JSON or YAML escape, but not text any output can hold
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def decode_text(data: bytes, path: Path) -> str:
    """Decode *data* read from *path*: UTF-8, or UTF-8/16/32 with a byte-order mark, or
    UTF-16/32 without one when the text starts with an ASCII character.

    Plans saved by PowerShell on Windows are UTF-16 with a BOM.

    :raises ParseError: the bytes are not text in any of these encodings.
    """
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    encoding = encoding or _NUL_PATTERNS.get(bytes(b and 1 for b in data[:4]), "utf-8")
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
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ParseError(path, f"invalid JSON: {err.msg}", err.lineno, err.colno) from err
    except RecursionError as err:
        raise ParseError(path, "invalid JSON: nested too deeply") from err
    except ValueError as err:  # an integer literal beyond Python's digit limit
        raise ParseError(path, f"invalid JSON: {str(err).split(';')[0]}") from err
    return without_surrogates(data) if "\\ud" in text or "\\uD" in text else data


def without_surrogates(value: JSONValue) -> JSONValue:
    """*value* with every lone UTF-16 surrogate in its strings (keys included) replaced by
    U+FFFD, so that reports can encode it; surrogate pairs become their character."""
    if isinstance(value, str):
        return _repair(value) if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_surrogates(item) for item in value]
    return value


def _repair(text: str) -> str:
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
