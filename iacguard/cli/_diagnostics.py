"""Diagnostics on stderr: which ones a run shows, and how each is written."""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import TextIO, TypeAlias

import typer

from iacguard._text import first_few
from iacguard.cli._app import ExitCode
from iacguard.coverage import NOT_EVALUATED_CODE, NotEvaluated
from iacguard.engine import skip_summary
from iacguard.results import Diagnostic, DiagnosticCode, DiagnosticLevel


def shown_diagnostics(
    diagnostics: Sequence[Diagnostic],
    skipped: Sequence[Diagnostic],
    verbose: bool,
    not_evaluated: Sequence[NotEvaluated] = (),
) -> list[Diagnostic]:
    """The diagnostics for stderr. Files skipped in a directory are one line, with a
    hint, and so are inputs of which not one policy was evaluated; without ``-v`` at
    most :data:`_STDERR_LINES` lines (errors first, then warnings, then notes), the
    last saying what it leaves out. ``-v`` shows every one of them, and each element
    that was not evaluated."""
    summary = skip_summary(skipped)
    inputs_blind = tuple(d for d in diagnostics if d.code == NOT_EVALUATED_CODE)
    blind = inputs_blind if len(inputs_blind) > 1 else ()
    shown: list[Diagnostic] = []
    for diagnostic in diagnostics:
        if diagnostic in blind and not verbose:
            if diagnostic == blind[0]:
                shown.append(_blind_summary(blind))
        elif diagnostic != summary or len(skipped) == 1:
            shown.append(diagnostic)
        elif verbose:
            shown += skipped
        else:
            shown.append(
                dataclasses.replace(diagnostic, message=f"{diagnostic.message} (-v lists them)")
            )
    if verbose:
        return shown + [not_evaluated_note(item) for item in not_evaluated]
    return _capped(shown)


#: the most lines of diagnostics stderr gets without ``-v``
_STDERR_LINES = 20


def _capped(shown: list[Diagnostic]) -> list[Diagnostic]:
    """*shown*, or when longer than :data:`_STDERR_LINES`, its most serious ones and one
    line counting the rest."""
    if len(shown) <= _STDERR_LINES:
        return shown
    order = {DiagnosticLevel.ERROR: 0, DiagnosticLevel.WARNING: 1, DiagnosticLevel.NOTE: 2}
    ranked = sorted(shown, key=lambda d: order[d.level])  # stable: file order kept
    kept, rest = ranked[: _STDERR_LINES - 1], ranked[_STDERR_LINES - 1 :]
    counts = Counter(d.level.value for d in rest)
    parts = ", ".join(
        f"{counts[level.value]} {level.value}s" for level in order if counts[level.value]
    )
    message = f"{len(rest)} more ({parts}) not shown: -v lists them, and so does -f json"
    return [*kept, Diagnostic(rest[0].level, DiagnosticCode.INPUT_NOT_READ, message)]


def _blind_summary(blind: tuple[Diagnostic, ...]) -> Diagnostic:
    """One WARNING for the inputs of which not one policy was evaluated."""
    names = [str(d.location.file) for d in blind if d.location]
    message = (
        f"not one policy evaluated in {len(blind)} inputs: {first_few(names, _BLIND_SHOWN)}; "
        "a report without findings there does not mean they are safe (-v lists them)"
    )
    return Diagnostic(DiagnosticLevel.WARNING, NOT_EVALUATED_CODE, message)


#: how many inputs the one warning for inputs with no policy evaluated names
_BLIND_SHOWN = 3


def not_evaluated_note(item: NotEvaluated) -> Diagnostic:
    """The ``-v`` line of one element that was not evaluated."""
    return Diagnostic(DiagnosticLevel.NOTE, NOT_EVALUATED_CODE, item.describe(), item.location)


def print_diagnostics(diagnostics: Iterable[Diagnostic], stream: TextIO) -> None:
    """One line per diagnostic: ``iacguard: error: <message> [IAM002]``."""
    from iacguard.report._escape import printable

    for diagnostic in diagnostics:
        message = printable(f"{diagnostic.message} [{diagnostic.code}]")
        stream.write(f"iacguard: {diagnostic.level.value}: {message}\n")


def report_problems(problems: Iterable[Diagnostic]) -> None:
    """Print *problems* on stderr; exit 2 when one is an error (a plugin that failed, an
    input that did not parse): a listing or a diff that misses something is incomplete."""
    problems = list(problems)
    print_diagnostics(problems, sys.stderr)
    if any(problem.level is DiagnosticLevel.ERROR for problem in problems):
        raise typer.Exit(ExitCode.USAGE_ERROR)


_ExcInfo: TypeAlias = (
    tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
)


class _EscapingFormatter(logging.Formatter):
    """Debug records made :func:`~iacguard.report._escape.printable`: the message (which
    names files and quotes errors from the input) on one line, and each line of a
    traceback on its own."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        from iacguard.report._escape import printable

        return printable(super().formatMessage(record))

    def formatException(self, ei: _ExcInfo) -> str:
        from iacguard.report._escape import printable

        return "\n".join(printable(line) for line in super().formatException(ei).split("\n"))


def enable_debug_logging() -> None:
    """``-v``: debug logging on stderr, escaped as every other stderr line is."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_EscapingFormatter(logging.BASIC_FORMAT))
    logging.basicConfig(level=logging.DEBUG, handlers=[handler])
