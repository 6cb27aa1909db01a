"""Rule selection by ID prefix (``--select IAM3 --ignore IAM303``); the longest prefix wins."""

from __future__ import annotations

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
