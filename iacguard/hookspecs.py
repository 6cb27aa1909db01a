"""The plugin API: pluggy hook specifications, documented as contracts.

A plugin is a module or object with functions marked ``@hookimpl`` whose names match the
specifications below. Built-in checks and reporters are plugins of exactly this kind.
"""

from __future__ import annotations

from typing import Final

import pluggy

from iacguard.registry import RegisterCheck
from iacguard.report import RegisterReporter

#: the project name pluggy uses to match markers and entry points
PROJECT_NAME: Final = "iacguard"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def iacguard_register_checks(register: RegisterCheck) -> None:
    """Register the checks this plugin provides.

    Called once per run, after all plugins are loaded and before any input is parsed.
    Call ``register`` once per :class:`~iacguard.registry.Check` (made with the
    ``@check`` decorator). A check's rule ID must match ``^[A-Z]{2,5}[0-9]{3}$`` and be
    unique across all plugins; third-party plugins may not use the ``IAM`` prefix.

    :param register: callback taking one ``Check``; raises ``InvalidCheckError`` or
        ``DuplicateCheckError`` for a bad or clashing ID, which the run reports as a
        diagnostic naming this plugin.
    :returns: nothing; the return value is ignored.

    .. versionadded:: 0.1
    """


@hookspec
def iacguard_register_reporters(register: RegisterReporter) -> None:
    """Register the output formats this plugin provides.

    Called once per run, before the scan. Call ``register`` once per reporter: an object
    with a ``name`` (the ``--format`` value, lower-case) and a
    ``render(result, stream)`` method that writes the whole report to the text stream.
    Reporters must be deterministic (no timestamps) and must never write secret values.

    :param register: callback taking one reporter; a name already taken is refused
        and reported as a diagnostic naming this plugin.
    :returns: nothing; the return value is ignored.

    .. versionadded:: 0.1
    """
