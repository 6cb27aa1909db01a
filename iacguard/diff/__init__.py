"""``iacguard diff`` and ``check --new-only``: what a change adds to access.

- :mod:`.sides` scans the two sides of a change (a plan's prior state and the plan, or
  a git revision and the working tree);
- :mod:`.compare` compares their graphs per principal and their findings;
- :mod:`.render` and :mod:`.markdown` write the result as text, JSON, SARIF and a
  markdown pull-request comment.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iacguard.engine import ScanOptions, ScanResult
    from iacguard.registry import CheckRegistry


def new_findings_only(
    result: ScanResult,
    paths: Sequence[Path],
    registry: CheckRegistry,
    options: ScanOptions,
    base: str | None,
) -> ScanResult:
    """*result* (the scan of *paths*) with only the findings the change introduces:
    those not found before it (the state each plan starts from, or *paths* at git
    revision *base*). Errors of the scan before are kept: the result is then incomplete.

    :raises ConfigError: see :func:`iacguard.diff.sides.before_side`.
    """
    from iacguard.diff.compare import finding_key
    from iacguard.diff.sides import before_side
    from iacguard.results import DiagnosticLevel

    before = before_side(paths, registry, options, base)
    known = {finding_key(f) for f in before.findings}
    errors = [
        d
        for d in (before.result.diagnostics if before.result else ())
        if d.level is DiagnosticLevel.ERROR and d not in result.diagnostics
    ]
    return dataclasses.replace(
        result,
        findings=tuple(f for f in result.findings if finding_key(f) not in known),
        diagnostics=result.diagnostics + tuple(errors),
    )
