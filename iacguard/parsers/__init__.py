"""Input discovery and parsing: every supported format becomes a :class:`Graph`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from iacguard.errors import UnsupportedInputError
from iacguard.graph import Graph
from iacguard.model import SourceKind
from iacguard.parsers._source import load_json, read_text

#: directories never searched for inputs
_SKIPPED_DIRS: Final = frozenset(
    {".git", ".terraform", "node_modules", ".venv", "venv", "__pycache__"}
)


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to scan, and how reports name it."""

    path: Path
    #: relative to the working directory when below it, POSIX separators
    display: PurePosixPath
    #: named by the user (an error if unsupported) rather than found in a directory
    #: (skipped with a note if unsupported)
    explicit: bool = True


def display_path(path: Path) -> PurePosixPath:
    """*path* relative to the working directory when it is below it, else absolute."""
    resolved = path.resolve()
    try:
        return PurePosixPath(resolved.relative_to(Path.cwd().resolve()).as_posix())
    except ValueError:
        return PurePosixPath(resolved.as_posix())


def discover(paths: Iterable[Path]) -> Iterator[InputFile]:
    """The files to scan under *paths*: files as given, directories searched for plan
    JSON (``*.json``), in sorted order.

    :raises UnsupportedInputError: a path does not exist, or a directory holds no
        candidate file.
    """
    for path in paths:
        if path.is_file():
            yield InputFile(path, display_path(path))
        elif path.is_dir():
            found = sorted(_candidates(path))
            if not found:
                raise UnsupportedInputError(path, "directory holds no Terraform plan JSON to scan")
            yield from (InputFile(file, display_path(file), explicit=False) for file in found)
        else:
            raise UnsupportedInputError(path, "no such file or directory")


def _candidates(directory: Path) -> Iterator[Path]:
    for entry in directory.rglob("*.json"):
        relative = entry.relative_to(directory).parts
        if entry.is_file() and not _SKIPPED_DIRS.intersection(relative):
            yield entry


def parse(source: InputFile) -> tuple[SourceKind, Graph]:
    """Parse one input file into its IAM graph.

    :raises ParseError: the file is not valid for its format.
    :raises UnsupportedInputError: the file is in no supported format.
    """
    from iacguard.parsers import tfplan
    from iacguard.parsers._terraform_iam import build_graph

    data = load_json(read_text(source.path), source.path)
    config = tfplan.read_plan(data, source.path, source.display)
    return SourceKind.TERRAFORM_PLAN, build_graph(config)
