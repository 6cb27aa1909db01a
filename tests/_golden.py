"""Checked-in expected reports ("golden files"), compared byte for byte.

A golden file holds exactly what a reporter writes for one input. Run pytest with
``--update-golden`` to rewrite the files from the current output instead of comparing,
then review the diff like any other change.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def check_golden(actual: str, golden: Path, config: pytest.Config) -> None:
    """Compare *actual* with the text of *golden*; with ``--update-golden``, write it.

    A missing golden file fails (and names the option that creates it) unless updating.
    """
    if config.getoption("update_golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8", newline="\n")
        return
    if not golden.is_file():
        pytest.fail(f"no golden report {golden}: run pytest --update-golden to create it")
    expected = golden.read_text(encoding="utf-8")
    assert actual == expected, f"report differs from {golden} (pytest --update-golden rewrites it)"
