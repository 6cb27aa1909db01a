"""``python -m iacguard``."""

from __future__ import annotations

from iacguard._launch import main

main()
