"""The git repository a path is in, found from the file system alone (no git needed)."""

from __future__ import annotations

from pathlib import Path


def repository_root(path: Path) -> Path | None:
    """The nearest directory at or above *path* (resolved) holding ``.git`` (a directory,
    or a file in a worktree or submodule); None outside any repository."""
    for directory in (path, *path.parents):
        if (directory / ".git").exists():
            return directory
    return None
