"""A plugin whose check calls ``sys.exit(0)``: a crash like any other, reported while
the other checks still run (#13)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

from iacguard.hookspecs import hookimpl
from iacguard.model import Severity
from iacguard.registry import CheckContext, RegisterCheck, check
from iacguard.results import Hit


@check("TEST002", severity=Severity.LOW)
def exits(ctx: CheckContext) -> Iterator[Hit]:
    """A check that exits the process."""
    sys.exit(0)
    yield  # pragma: no cover - makes this a generator


@hookimpl
def iacguard_register_checks(register: RegisterCheck) -> None:
    register(exits)
