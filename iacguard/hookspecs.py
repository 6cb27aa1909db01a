"""The plugin API: pluggy hook specifications, documented as contracts.

A plugin is a module or object with functions marked ``@hookimpl`` whose names match the
specifications below. Built-in checks and reporters are plugins of exactly this kind.
Every hook receives a ``register`` callback (the shape of simonw/llm's hooks) and is
called once per run, after all plugins are loaded and before any input is parsed.

The API is versioned by :data:`PLUGIN_API_VERSION`; each hook's ``versionadded`` note
gives the API version that introduced it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, TypeAlias, final

import pluggy

from iacguard.model import Severity
from iacguard.registry import RegisterCheck
from iacguard.report import RegisterReporter

#: the project name pluggy uses to match markers and entry points
PROJECT_NAME: Final = "iacguard"
#: the version of this API, ``MAJOR.MINOR``: the minor number grows when a hook or an
#: optional argument is added, the major number when a hook changes incompatibly. A
#: plugin needing a newer hook can compare it with its own requirement.
PLUGIN_API_VERSION: Final = "1.1"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

#: a rule ID or ID prefix, as ``--select`` takes them (``IAM3``, ``EXA001``)
RULE_PREFIX_PATTERN: Final = re.compile(r"^[A-Z]{1,5}[0-9]{0,3}$")


@final
@dataclass(frozen=True, slots=True)
class RuleMetadata:
    """Metadata a plugin contributes to rules it may not own.

    Applied after every check is registered. Entries with a longer prefix win over
    shorter ones; at equal length the plugin registered later wins. ``tags`` are added
    to the rule's own.
    """

    #: the rule IDs or ID prefixes this entry applies to (``("IAM3", "EXA001")``)
    rules: tuple[str, ...]
    #: labels added to the rules' tags (``"cis-1.16"``), shown in SARIF
    tags: frozenset[str] = frozenset()
    #: replaces the rules' documentation link (an internal runbook, say)
    help_uri: str | None = None
    #: replaces the rules' default severity; configuration overrides still win
    severity: Severity | None = None


#: the callback a plugin's ``iacguard_register_rule_metadata`` hook receives
RegisterRuleMetadata: TypeAlias = Callable[[RuleMetadata], None]


# --------------------------------------------------------------------------- checks


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

    .. versionadded:: 1.0
    """


@hookspec
def iacguard_register_rule_metadata(register: RegisterRuleMetadata) -> None:
    """Contribute tags, documentation links or default severities to rules.

    Called once per run, after every plugin's ``iacguard_register_checks``, so it may
    refer to rules of any plugin, built-in ones included: an organisation can map rules
    to its compliance controls (tags), point them at its own runbooks (``help_uri``) or
    raise a rule's default severity. Call ``register`` once per
    :class:`RuleMetadata`. Severities set here are defaults: ``[severity]`` in the
    configuration still overrides them.

    :param register: callback taking one ``RuleMetadata``; an entry whose prefix is
        malformed is refused with an error diagnostic naming this plugin, and one that
        matches no registered rule gets a warning (usually a typo).
    :returns: nothing; the return value is ignored.

    .. versionadded:: 1.1
    """


# --------------------------------------------------------------------------- output


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

    .. versionadded:: 1.0
    """
