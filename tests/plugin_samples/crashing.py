"""A plugin whose check raises: the scan must report it and still run the others."""

from __future__ import annotations

from collections.abc import Iterator

from iacguard.hookspecs import hookimpl
from iacguard.model import Severity
from iacguard.registry import CheckContext, RegisterCheck, check
from iacguard.results import Hit


@check("TEST001", severity=Severity.LOW)
def always_crashes(ctx: CheckContext) -> Iterator[Hit]:
    """A check that always raises."""
    raise RuntimeError("boom")
    yield  # pragma: no cover - makes this a generator


@hookimpl
def iacguard_register_checks(register: RegisterCheck) -> None:
    register(always_crashes)
