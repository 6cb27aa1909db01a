"""Two reporters that fail: ``boom`` raises after writing a little, ``quits`` calls
``sys.exit(0)``. The other formats must still be written (#13)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from iacguard.hookspecs import hookimpl
from iacguard.report import RegisterReporter

if TYPE_CHECKING:
    from iacguard.engine import ScanResult


class Boom:
    """Writes a few characters, then raises."""

    name = "boom"

    def render(self, result: ScanResult, stream: TextIO) -> None:
        stream.write("partial\n")
        raise ValueError("kaboom")


class Quits:
    """Exits the process instead of writing."""

    name = "quits"

    def render(self, result: ScanResult, stream: TextIO) -> None:
        raise SystemExit(0)


@hookimpl
def iacguard_register_reporters(register: RegisterReporter) -> None:
    register(Boom())
    register(Quits())
