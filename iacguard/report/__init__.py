"""Reporters: the protocol every output format implements, and shared helpers."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Final, Protocol, TextIO, TypeAlias

from iacguard._text import first_few
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
    return [first_few(items, _OTHERS_SHOWN, separator)] if items else []


#: suppression kinds written in the scanned files themselves
_INLINE_KINDS: Final = frozenset({"hcl-comment", "cloudformation-metadata"})


@dataclasses.dataclass(frozen=True, slots=True)
class Silenced:
    """What kept findings out of a report, for its summary: a pull request that
    silences rules (a suppression comment, a config file in the tree, a baseline) shows
    it in every format."""

    #: findings suppressed by a comment or metadata in the scanned files
    inline: int = 0
    #: findings suppressed by a ``[[suppress]]`` entry of the configuration
    config: int = 0
    #: findings recorded in the baseline
    baseline: int = 0
    #: rules ``select``/``ignore`` switched off
    rules_off: int = 0
    #: findings below ``min-severity``
    below_min_severity: int = 0
    #: reported findings whose severity a ``[severity]`` override changed
    severity_changed: int = 0

    @property
    def suppressed(self) -> int:
        """Findings silenced by a suppression of any kind."""
        return self.inline + self.config + self.baseline

    def as_dict(self) -> dict[str, int]:
        """The counts by field name (the JSON report's ``summary.silenced``)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def describe(self) -> str:
        """``2 suppressed (1 inline, 1 config), 3 rules off`` or ``""`` when nothing was
        silenced."""
        parts = []
        kinds = [(n, k) for k, n in (("inline", self.inline), ("config", self.config),
                                      ("baseline", self.baseline)) if n]  # fmt: skip
        if kinds:
            detail = ", ".join(f"{n} {kind}" for n, kind in kinds)
            parts.append(f"{self.suppressed} suppressed ({detail})")
        if self.rules_off:
            parts.append(f"{self.rules_off} rule{'s' if self.rules_off != 1 else ''} off")
        if self.below_min_severity:
            parts.append(f"{self.below_min_severity} below min-severity")
        if self.severity_changed:
            parts.append(f"{self.severity_changed} with a changed severity")
        return ", ".join(parts)


def _kind(kind: str) -> str:
    """``inline``, ``baseline`` or (any other kind, a plugin's too) ``config``."""
    return "inline" if kind in _INLINE_KINDS else kind if kind == "baseline" else "config"


def silenced(result: ScanResult) -> Silenced:
    """The :class:`Silenced` counts of *result*."""
    kinds = Counter(_kind(s.suppression.kind) for s in result.suppressed)
    defaults = {check.id: check.severity for check in result.checks}
    changed = sum(f.severity != defaults.get(f.rule_id, f.severity) for f in result.findings)
    return Silenced(
        inline=kinds["inline"],
        config=kinds["config"],
        baseline=kinds["baseline"],
        rules_off=len(result.rules_off),
        below_min_severity=result.below_min_severity,
        severity_changed=changed,
    )
