"""A plugin that calls ``sys.exit(0)`` while it is imported: the run must report it and
still exit 2, never 0 (#13)."""

from __future__ import annotations

import sys

sys.exit(0)
