"""The ``hcl2`` module, checked to be python-hcl2's own before HCL is parsed with it.

Checkov depends on a fork (``bc-python-hcl2``) that installs a module of the same name,
so in an environment holding both, ``import hcl2`` may give the fork, whose trees differ.
Only Terraform source scans import it (plans alone and CloudFormation never do); they
stop with :class:`~iacguard.errors.DependencyConflictError` instead of misreading HCL.

The check reads python-hcl2's ``RECORD`` beside the ``hcl2`` package that ``import hcl2``
loads (a few files); only when that does not settle it does it ask
:mod:`importlib.metadata`, whose import and search of every distribution cost more than
parsing a small module.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Final

from iacguard.errors import DependencyConflictError

if TYPE_CHECKING:
    from lark import Lark, Token, Tree

#: the distribution iacguard's HCL reading is written against (pyproject.toml pins it)
_DISTRIBUTION: Final = "python-hcl2"
_SERIES: Final = "8.1."
#: files whose installed bytes must be those python-hcl2 recorded
_WITNESSES: Final = ("hcl2/__init__.py", "hcl2/hcl2.lark")
_FIX: Final = "install iacguard in its own virtual environment (pipx install iacguard-iam)"


def load_hcl2() -> ModuleType:
    """Import and return ``hcl2`` once python-hcl2 8.1 is known to provide it.

    :raises DependencyConflictError: python-hcl2 is missing or of another series, or the
        installed ``hcl2`` files are not the ones it recorded (another package, such as
        Checkov's ``bc-python-hcl2``, overwrote them).
    """
    problem = _conflict()
    if problem:
        raise DependencyConflictError(f"cannot read Terraform source: {problem}; {_FIX}")
    import hcl2

    return hcl2


def parse_to_tree(text: str) -> Tree[Token]:
    """What ``hcl2.parses_to_tree(text)`` gives: python-hcl2's grammar and post-lexer,
    with the final newline its grammar needs (lark-parser/lark#237). The parser comes
    from the tables iacguard ships when they were built from the installed grammar
    (:mod:`._hcl_tables`), else from python-hcl2 itself.

    :raises DependencyConflictError: see :func:`load_hcl2`.
    :raises lark.exceptions.LarkError: *text* is not valid HCL.
    """
    hcl2 = load_hcl2()
    parser = _shipped_parser()
    if parser is None:
        return hcl2.parses_to_tree(text)  # type: ignore[no-any-return]
    return parser.parse(text + "\n")


@functools.cache
def _shipped_parser() -> Lark | None:
    """The parser from iacguard's tables, or None when they do not fit the installed
    python-hcl2 and lark; built once per process, like the verdict on ``hcl2``."""
    import hcl2
    from hcl2.postlexer import PostLexer

    from iacguard.parsers.terraform import _hcl_tables

    try:
        grammar = Path(hcl2.__file__).with_name("hcl2.lark").read_bytes()
    except OSError:
        return None
    return _hcl_tables.load(grammar, PostLexer())


@functools.cache
def _conflict() -> str:
    """What is wrong with the installed ``hcl2`` module ("" when nothing): a fact of the
    environment, so it is worked out once per process."""
    import importlib.util

    spec = importlib.util.find_spec("hcl2")
    if (
        spec is not None
        and spec.origin is not None
        and _verified_in_place(Path(spec.origin).parent)
    ):
        return ""
    return _conflict_by_metadata()


def _verified_in_place(package: Path) -> bool:
    """True when the ``hcl2`` *package* directory sits beside the one python-hcl2
    distribution of the required series, whose ``RECORD`` holds the digests of the
    witness files and they match; False when that cannot be shown this way."""
    site = package.parent
    try:
        records = [
            entry
            for entry in site.iterdir()
            if entry.name.lower().startswith(("python_hcl2-", "python-hcl2-"))
            and entry.name.endswith(".dist-info")
        ]
        if len(records) != 1:
            return False
        metadata = (records[0] / "METADATA").read_text(encoding="utf-8", errors="replace")
        record = (records[0] / "RECORD").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    if not _version(metadata).startswith(_SERIES):
        return False
    digests = _record_digests(record)
    for name in _WITNESSES:
        mode, _, value = digests.get(name, "").partition("=")
        if not value or _digest(site / name, mode) != value:
            return False
    return True


def _version(metadata: str) -> str:
    """The ``Version`` header of a distribution's ``METADATA`` ("" when there is none)."""
    for line in metadata.splitlines():
        if not line:
            break  # the headers end at the first empty line
        name, _, value = line.partition(":")
        if name.strip().lower() == "version":
            return value.strip()
    return ""


def _record_digests(record: str) -> dict[str, str]:
    """``path -> "mode=digest"`` from the CSV text of a ``RECORD`` file."""
    import csv

    return {row[0]: row[1] for row in csv.reader(record.splitlines()) if len(row) >= 2}


def _conflict_by_metadata() -> str:
    """:func:`_conflict` asked of :mod:`importlib.metadata`: the first python-hcl2 on
    ``sys.path``, its version and the recorded digests of its witness files."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution(_DISTRIBUTION)
    except PackageNotFoundError:
        return f"the 'hcl2' module is not from {_DISTRIBUTION} (is Checkov installed here?)"
    if not dist.version.startswith(_SERIES):
        return f"{_DISTRIBUTION} {dist.version} is installed, iacguard needs {_SERIES}x"
    recorded = {str(f): f for f in dist.files or ()}
    for name in _WITNESSES:
        entry = recorded.get(name)
        if entry is None or entry.hash is None:
            continue
        installed = Path(str(dist.locate_file(entry)))
        if _digest(installed, entry.hash.mode) != entry.hash.value:
            return f"another package overwrote {_DISTRIBUTION}'s {name}"
    return ""


def _digest(path: Path, mode: str) -> str | None:
    """The RECORD-style digest (urlsafe base64, no padding) of *path*; None if unreadable."""
    try:
        data = path.read_bytes()
        raw = hashlib.new(mode, data).digest()
    except (OSError, ValueError):
        return None
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
