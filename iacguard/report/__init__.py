"""Reporters: the protocol every output format implements, and shared helpers."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Final, Protocol, TextIO, TypeAlias

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


#: how many other messages, and other resources, a merged finding names
_OTHERS_SHOWN: Final = 5


def merge_repeats(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """The findings as reports show them: one per rule, file and line (#17).

    A ``count``/``for_each`` block, or one policy document shared by many resources,
    would otherwise put dozens of identical markers on one line. Each group is shown
    as its first finding (by column, resource address and pointer), which keeps its
    resource, pointer and therefore its fingerprint. Its message adds the messages of
    the group's other findings at the same resource (a second statement, a second key),
    then names the other resources (``; also at this line: 'aws_iam_user.u["b"]'``).
    Findings without a line (a plan scanned without its source) are never merged.
    Suppressions, baselines and ``--fail-on`` see every finding, before this.

    :param findings: sorted by :attr:`Finding.sort_key`, as :class:`ScanResult` has them.
    :returns: the findings with each group replaced by its first, in the same order.
    """
    groups: dict[tuple[str, str, int], list[Finding]] = {}
    for finding in findings:
        if finding.location.line is not None:
            key = (finding.rule_id, str(finding.location.file), finding.location.line)
            groups.setdefault(key, []).append(finding)
    shown: list[Finding] = []
    for finding in findings:
        line = finding.location.line
        group = groups[(finding.rule_id, str(finding.location.file), line)] if line else []
        if len(group) <= 1:
            shown.append(finding)
        elif group[0] is finding:
            shown.append(dataclasses.replace(finding, message=_merged_message(group)))
    return tuple(shown)


def _merged_message(group: list[Finding]) -> str:
    """The first finding's message, then the other messages at its resource, then the
    other resources of its *group*."""
    first = group[0]
    messages = [f.message for f in group[1:] if f.address == first.address]
    others = list(dict.fromkeys(f"'{f.address}'" for f in group if f.address != first.address))
    parts = [first.message, *_capped(messages, "; ")]
    if others:
        parts.append(f"also at this line: {_capped(others, ', ')[0]}")
    return "; ".join(parts)


def _capped(items: list[str], separator: str) -> list[str]:
    """*items* joined by *separator* into one text, the first :data:`_OTHERS_SHOWN`
    of them and a count of the rest; no text for no items."""
    if not items:
        return []
    rest = len(items) - _OTHERS_SHOWN
    more = f" and {rest} more" if rest > 0 else ""
    return [separator.join(items[:_OTHERS_SHOWN]) + more]
