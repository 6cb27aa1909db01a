"""Small text helpers shared by messages, notes and reports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

_T = TypeVar("_T")


def first_few(
    items: Sequence[_T], most: int, separator: str = ", ", show: Callable[[_T], str] = str
) -> str:
    """The first *most* of *items*, each shown by *show* (only those are), joined by
    *separator*, then `` and N more`` for the rest: ``a, b and 3 more``."""
    rest = len(items) - most
    return separator.join(show(item) for item in items[:most]) + (
        f" and {rest} more" if rest > 0 else ""
    )
