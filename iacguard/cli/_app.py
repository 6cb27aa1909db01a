"""The ``iacguard`` application, its exit codes, and the contract every command runs
under: one error line on stderr and exit 2 for whatever goes wrong."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import IntEnum
from typing import Annotated, NoReturn, ParamSpec

import typer

from iacguard._version import __version__
from iacguard.errors import describe


class ExitCode(IntEnum):
    """Process exit codes, the contract CI pipelines rely on."""

    #: the scan completed and no finding is at or above ``--fail-on``
    OK = 0
    #: the scan completed and at least one finding is at or above ``--fail-on``
    FINDINGS = 1
    #: bad usage, configuration or input, or an incomplete scan (a file failed to
    #: parse, a check crashed); never 0, whatever was found
    USAGE_ERROR = 2


app = typer.Typer(
    name="iacguard",
    help="Catch AWS IAM mistakes in Terraform and CloudFormation before they are deployed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def fail(message: str) -> NoReturn:
    """Print one error line on stderr and exit 2."""
    from iacguard.report._escape import printable

    typer.echo(f"iacguard: error: {printable(message)}", err=True)
    raise typer.Exit(ExitCode.USAGE_ERROR)


_Params = ParamSpec("_Params")


def exit_code_contract(command: Callable[_Params, None]) -> Callable[_Params, None]:
    """*command* under the exit-code contract (#13): an exception nobody planned for (a
    bug, a plugin calling ``sys.exit()``) ends in one error line on stderr and exit 2,
    never a traceback (unless the command's ``--debug`` asks for it) and never exit 0
    or 1. ``typer.Exit`` and ``typer.Abort`` pass, and so does ``KeyboardInterrupt``.
    Every command carries it (tests/test_exit_contract.py checks).
    """

    @functools.wraps(command)
    def run(*args: _Params.args, **kwargs: _Params.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        # The CLI's one blind except: whatever escaped the scan's own isolation (of
        # checks, parsers, plugins, reporters) is a bug, reported on one line.
        except (Exception, SystemExit) as err:
            if kwargs.get("debug"):
                raise
            if isinstance(err, OSError):  # the system refused (a closed pipe): not a bug
                fail(describe(err))
            hint = " (--debug shows the traceback)" if "debug" in kwargs else ""
            fail(f"internal error: {describe(err)}{hint}")

    return run


def _escaping_streams() -> None:
    """Let stdout and stderr escape what their encoding cannot write (``\\xe9`` on an
    ASCII terminal, a file name that is not UTF-8) instead of raising in mid-report."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"iacguard {__version__}")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Catch AWS IAM mistakes in Terraform and CloudFormation before they are deployed."""
    _escaping_streams()
