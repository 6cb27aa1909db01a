"""The configuration files of one Terraform module directory, read and merged.

As Terraform loads a module: every ``.tf`` (native syntax) and ``.tf.json`` (JSON
syntax) file, in name order, except the override files (``override.tf``,
``override.tf.json`` and names ending in ``_override.tf`` or ``_override.tf.json``),
which are then merged in, in name order, per
https://developer.hashicorp.com/terraform/language/files/override:

- a top-level block merges into the block with the same type and labels (a provider
  block: the same name and ``alias``); Terraform rejects an override without such a
  block, and so does this module;
- its arguments replace the original's of the same name;
- its nested blocks replace every original nested block of the same type (a ``dynamic
  "x"`` block counts as type ``x``); nested blocks are never merged;
- a ``locals`` block's values each replace the original value of the same name.

``terraform``, ``moved``, ``import``, ``removed`` and ``check`` blocks hold nothing
iacguard reads; their overrides are not merged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Final, NoReturn

from iacguard.errors import ParseError
from iacguard.parsers._source import read_text
from iacguard.parsers.terraform._hcl_syntax import Attribute, Block, Body, source_text

#: suffixes of Terraform configuration files
NATIVE_SUFFIX: Final = ".tf"
JSON_SUFFIX: Final = ".tf.json"
#: top-level block types iacguard never reads: their overrides are not merged, and in
#: ``.tf.json`` their bodies are kept unconverted
UNREAD_BLOCKS: Final = frozenset({"terraform", "moved", "import", "removed", "check"})


def is_config_file(path: Path) -> bool:
    """True for a ``.tf`` or ``.tf.json`` file name."""
    return path.name.endswith((NATIVE_SUFFIX, JSON_SUFFIX))


def is_override(path: Path) -> bool:
    """True for an override file (``override.tf``, ``x_override.tf.json`` ...)."""
    for suffix in (NATIVE_SUFFIX, JSON_SUFFIX):
        if path.name.endswith(suffix):
            stem = path.name.removesuffix(suffix)
            return stem == "override" or stem.endswith("_override")
    return False


def config_files(directory: Path) -> list[Path]:
    """The ``.tf`` and ``.tf.json`` files of *directory*, in name order."""
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return []
    return [path for path in entries if is_config_file(path) and path.is_file()]


def has_config_files(directory: Path) -> bool:
    """True when *directory* holds a ``.tf`` or ``.tf.json`` file."""
    return bool(config_files(directory))


def parse_file(path: Path, display: PurePosixPath) -> Body:
    """The blocks of one configuration file, in either syntax.

    :raises ParseError: the file is not valid HCL or Terraform JSON.
    """
    text = read_text(path)
    if path.name.endswith(JSON_SUFFIX):
        from iacguard.parsers.terraform._hcl_json import parse_json_config

        return parse_json_config(text, display)
    from iacguard.parsers.terraform._hcl_syntax import parse_text

    return parse_text(text, display)


def load_module(directory: Path, display_of: Callable[[Path], PurePosixPath]) -> Body:
    """Every configuration file of *directory* as one body, overrides merged in.

    :param display_of: how reports name a file of the directory.
    :raises ParseError: a file is not valid, or an override has no block to merge into.
    """
    files = config_files(directory)
    blocks: list[Block] = []
    for path in (p for p in files if not is_override(p)):
        blocks += parse_file(path, display_of(path)).blocks
    for path in (p for p in files if is_override(p)):
        display = display_of(path)
        for block in parse_file(path, display).blocks:
            if block.type not in UNREAD_BLOCKS:
                _merge_into(blocks, block, display)
    return Body({}, tuple(blocks))


def _merge_into(blocks: list[Block], override: Block, display: PurePosixPath) -> None:
    """Merge *override* into the matching block of *blocks* (replaced in place)."""
    if override.type == "locals":
        for name, attribute in override.body.attributes.items():
            index = _find(blocks, partial(_defines_local, name=name))
            if index is None:
                _missing(display, override.line, f"local value {name!r}")
            original = blocks[index]
            attributes = {**original.body.attributes, name: attribute}
            blocks[index] = replace(original, body=replace(original.body, attributes=attributes))
        return
    header = _header(override)
    index = _find(blocks, lambda b: _header(b) == header)
    if index is None:
        _missing(display, override.line, " ".join((override.type, *override.labels)))
    blocks[index] = _merged(blocks[index], override)


def _defines_local(block: Block, name: str) -> bool:
    return block.type == "locals" and name in block.body.attributes


def _merged(original: Block, override: Block) -> Block:
    """*original* with the arguments and nested block types of *override*."""
    attributes = {**original.body.attributes, **override.body.attributes}
    replaced = {_nested_type(b) for b in override.body.blocks}
    kept = tuple(b for b in original.body.blocks if _nested_type(b) not in replaced)
    return replace(original, body=Body(attributes, kept + override.body.blocks))


def _nested_type(block: Block) -> str:
    """A nested block's type; a ``dynamic "x"`` block stands for blocks of type ``x``."""
    return block.labels[0] if block.type == "dynamic" and block.labels else block.type


def _header(block: Block) -> tuple[str, ...]:
    """What identifies a top-level block: type and labels, and a provider's alias."""
    if block.type == "provider":
        alias = block.body.attributes.get("alias")
        return (block.type, *block.labels, _alias(alias))
    return (block.type, *block.labels)


def _alias(attribute: Attribute | None) -> str:
    """A provider's ``alias`` as written (a literal string in valid configuration)."""
    return "" if attribute is None else source_text(attribute.expression).strip().strip('"')


def _find(blocks: Iterable[Block], wanted: Callable[[Block], bool]) -> int | None:
    return next((i for i, block in enumerate(blocks) if wanted(block)), None)


def _missing(display: PurePosixPath, line: int, what: str) -> NoReturn:
    message = f"invalid override in {display}:{line}: no {what} to override"
    raise ParseError(display, message, line)
