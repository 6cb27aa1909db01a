"""Pausing the cyclic garbage collector around allocation-heavy work."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (or the decorated function).

    A scan allocates millions of long-lived, acyclic objects; the collector's passes over
    them cost more than the work itself (a 100 MB plan: parse and checks 11 s instead of
    7 s, the JSON report 1.4 s instead of 0.4 s). Reference counting still frees what is
    dropped; cycles made meanwhile are collected once the collector runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
