"""The ``iacguard`` command line; the only package that prints errors or picks exit codes.

:data:`app` is the typer application; each command lives in its own module, which
registers it on import: ``check`` (:mod:`._check`), ``diff`` (:mod:`._diff`), ``access``
and ``graph`` (:mod:`._views`), ``rules``, ``explain``, ``plugins`` and ``config``
(:mod:`._rules`).
"""

from __future__ import annotations

from iacguard.cli._app import ExitCode, app

# isort: off
from iacguard.cli import _check, _rules, _diff, _views  # registers the commands
# isort: on

__all__ = ["ExitCode", "app", "main"]

#: the modules whose import registers the commands; ``--help`` lists the commands in
#: the order they were registered
_COMMANDS = (_check, _rules, _diff, _views)


def main() -> None:
    """Console-script entry point."""
    app()
