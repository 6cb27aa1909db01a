"""``python -m iacguard``."""

from __future__ import annotations

from iacguard.cli import main

main()
