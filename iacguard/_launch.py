"""The console-script entry point: answers ``iacguard --version`` without importing the
command line (typer and the scanner), and hands everything else to :mod:`iacguard.cli`.

Editors and pre-commit hooks ask for the version often; it costs one small import.
"""

from __future__ import annotations

import sys

from iacguard._version import __version__


def main() -> None:
    """Run the ``iacguard`` command with the process arguments."""
    if sys.argv[1:] == ["--version"]:
        sys.stdout.write(f"iacguard {__version__}\n")
        return
    from iacguard.cli import main as cli_main

    cli_main()
