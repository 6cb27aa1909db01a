"""Reporters: the protocol every output format implements, and shared helpers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol, TextIO, TypeAlias

from iacguard.model import Severity
from iacguard.results import Finding

if TYPE_CHECKING:
    from iacguard.engine import ScanResult


class Reporter(Protocol):
    """An output format: ``name`` is its ``--format`` value."""

    @property
    def name(self) -> str:
        """The ``--format`` value, lower-case (``json``)."""
        ...

    def render(self, result: ScanResult, stream: TextIO) -> None:
        """Write the whole report for *result* to *stream*."""
        ...


#: the callback a plugin's ``iacguard_register_reporters`` hook receives
RegisterReporter: TypeAlias = Callable[[Reporter], None]


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Finding counts per severity label, most severe first, zero counts included."""
    counts = Counter(f.severity for f in findings)
    return {s.label: counts.get(s, 0) for s in sorted(Severity, reverse=True)}
