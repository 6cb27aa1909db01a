"""Rule selection by ID prefix (``--select IAM3 --ignore IAM303``); the longest prefix wins."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RuleSelection:
    """Which rule IDs are enabled.

    With no ``select`` every rule is selected. A rule matched by both lists follows the
    longer matching prefix; on a tie, ``ignore`` wins (flake8's decision engine).
    """

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def enabled(self, rule_id: str) -> bool:
        """True when *rule_id* is selected and not ignored."""
        rule = rule_id.upper()
        selected = _longest(rule, self.select) if self.select else 0
        ignored = _longest(rule, self.ignore)
        if self.select and selected < 0:
            return False
        return ignored < 0 or selected > ignored


def _longest(rule_id: str, prefixes: tuple[str, ...]) -> int:
    """Length of the longest prefix of *rule_id* in *prefixes*, -1 when none matches."""
    return max((len(p) for p in prefixes if rule_id.startswith(p.upper())), default=-1)


def unknown_prefixes(prefixes: Iterable[str], rule_ids: Iterable[str]) -> list[str]:
    """Why each of *prefixes* that no rule ID of *rule_ids* starts with is unknown, with
    the closest known rule ID or prefix when one is close (``'IAN3': did you mean
    'IAM3'?``)."""
    ids = sorted({rule.upper() for rule in rule_ids})
    known = sorted({rule[:length] for rule in ids for length in range(3, len(rule) + 1)})
    problems: list[str] = []
    for prefix in prefixes:
        if any(rule.startswith(prefix.upper()) for rule in ids):
            continue
        wanted = prefix.upper()
        same_length = [k for k in known if len(k) == len(wanted)]
        close = difflib.get_close_matches(wanted, same_length, n=1, cutoff=0.6)
        close = close or difflib.get_close_matches(wanted, known, n=1, cutoff=0.6)
        hint = f": did you mean '{close[0]}'?" if close else ": 'iacguard rules' lists them"
        problems.append(f"'{prefix}' names no rule{hint}")
    return problems
