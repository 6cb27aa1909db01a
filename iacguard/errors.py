"""Exceptions raised by iacguard; the CLI turns each into one line and exit code 2.

::

    IacguardError
    ├── InputError                 the input cannot be scanned
    │   ├── ParseError             a file is not valid for its format (file, line, column)
    │   └── UnsupportedInputError  a file or directory holds nothing iacguard can scan
    ├── ConfigError                bad command-line option or configuration value
    ├── WorkBudgetExhausted        the scan spent its work budget (the scan is incomplete)
    ├── DependencyConflictError    an installed package is not the one iacguard needs
    └── PluginError
        ├── PluginLoadError        an entry point or --plugin module failed to import
        │                          (carried in an IAM004 diagnostic: the scan goes on)
        ├── InvalidCheckError      a check declaration is malformed (ID grammar, docstring)
        └── DuplicateCheckError    two plugins register the same rule ID
"""

from __future__ import annotations

from pathlib import PurePath


class IacguardError(Exception):
    """Base class of every error iacguard raises on purpose."""


class InputError(IacguardError):
    """The input cannot be scanned."""


class ParseError(InputError):
    """A file is not valid for the format it claims to be.

    :param file: the file that failed.
    :param message: what is wrong, without the file name.
    :param line: 1-based line, when known.
    :param column: 1-based column, when known.
    """

    def __init__(
        self, file: PurePath, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.file = file
        self.message = message
        self.line = line
        self.column = column
        where = str(file)
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


class DependencyConflictError(IacguardError):
    """An installed package iacguard needs has been replaced by another of the same module
    name (Checkov's ``hcl2`` fork); the message names the conflict and the fix."""


class UnsupportedInputError(InputError):
    """A path holds nothing iacguard can scan.

    :param path: the path given by the user.
    :param message: why it cannot be scanned.
    """

    def __init__(self, path: PurePath, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")


class ConfigError(IacguardError):
    """A command-line option or configuration value is invalid."""


class WorkBudgetExhausted(IacguardError):
    """A scan spent its work budget (:class:`iacguard.budget.WorkBudget`).

    :param limit: the budget, in steps.
    :param work: what was being done when it ran out (``"HCL for expressions"``).
    """

    def __init__(self, limit: int, work: str) -> None:
        self.limit = limit
        self.work = work
        super().__init__(f"work budget of {limit:,} steps exhausted by {work}")


class PluginError(IacguardError):
    """A plugin cannot be used."""


class PluginLoadError(PluginError):
    """An entry point or ``--plugin`` module failed to import.

    :param plugin: ``distribution[entry-point]`` or the module path.
    :param reason: the import error, one line.
    """

    def __init__(self, plugin: str, reason: str) -> None:
        self.plugin = plugin
        self.reason = reason
        super().__init__(f"plugin {plugin} failed to load: {reason}")


class InvalidCheckError(PluginError):
    """A check declaration is malformed (bad ID, missing docstring)."""


class DuplicateCheckError(PluginError):
    """Two plugins register checks with the same rule ID.

    :param rule_id: the clashing ID.
    :param first: the plugin that registered it first.
    :param second: the plugin that tried again.
    """

    def __init__(self, rule_id: str, first: str, second: str) -> None:
        self.rule_id = rule_id
        self.first = first
        self.second = second
        super().__init__(f"rule {rule_id} is registered twice: by {first} and by {second}")
