"""The plugin manager: built-in plugins, entry points, and typed facades over its hooks."""

from __future__ import annotations

import dataclasses
import importlib
import os
import re
import sys
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Final, final

import pluggy

from iacguard import hookspecs
from iacguard.errors import IacguardError, PluginLoadError, describe
from iacguard.hookspecs import RULE_PREFIX_PATTERN, RuleMetadata
from iacguard.registry import Check, CheckRegistry
from iacguard.report import Reporter
from iacguard.results import Diagnostic, DiagnosticCode, DiagnosticLevel

#: built-in plugins, registered exactly like third-party ones
DEFAULT_PLUGINS: Final = (
    "iacguard.checks.credentials",
    "iacguard.checks.users",
    "iacguard.checks.least_privilege",
    "iacguard.checks.trust",
    "iacguard.checks.escalation",
    "iacguard.checks.mfa",
    "iacguard.checks.resource_policies",
    "iacguard.checks.account",
    "iacguard.checks.credential_report",
    "iacguard.report.text",
    "iacguard.report.json",
    "iacguard.report.sarif",
    "iacguard.report.junit",
    "iacguard.report.github",
    "iacguard.report.markdown",
    "iacguard.report.gitlab",
    "iacguard.report.concise",
)
#: the entry-point group third-party distributions publish their plugins under
ENTRY_POINT_GROUP: Final = "iacguard"
#: what ``iacguard plugins`` shows as the version of a plugin shipped with iacguard
BUILTIN: Final = "built-in"


@final
class _Unloadable:
    """Stands in for a plugin that failed to import, so the run reports it as a
    diagnostic and goes on (a broken plugin must not stop the other checks)."""

    def __init__(self, error: PluginLoadError) -> None:
        self.error = error


def get_plugin_manager(
    *,
    load_entrypoints: bool = True,
    disabled: Collection[str] = (),
    extra_modules: Collection[str] = (),
) -> pluggy.PluginManager:
    """A fresh plugin manager with the built-ins, entry points and *extra_modules*.

    A plugin that fails to import does not stop the run: :func:`collect_checks` reports
    it as an error diagnostic naming it (``distribution[entry-point]`` or the module
    path), so the scan is marked incomplete and the other checks still run.

    :param load_entrypoints: load plugins published under the ``iacguard`` entry-point
        group (tests pass False to stay hermetic).
    :param disabled: plugin names to block (``iacguard.checks.trust``, an entry-point
        name, or a module path).
    :param extra_modules: importable module paths to register (``--plugin``).
    :raises pluggy.PluginValidationError: a plugin implements a hook that does not exist
        (a misspelled name) or with wrong arguments.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for name in disabled:
        pm.set_blocked(name)
    for module_path in (*DEFAULT_PLUGINS, *extra_modules):
        if pm.is_blocked(module_path) or pm.get_plugin(module_path) is not None:
            continue
        try:
            module = importlib.import_module(module_path)
        # Importing runs arbitrary plugin code, which may raise anything, or call sys.exit()
        # (#13: a plugin must not decide the exit code).
        except (Exception, SystemExit) as err:  # noqa: BLE001
            _register_unloadable(pm, module_path, module_path, err)
            continue
        pm.register(module, name=module_path)
    if load_entrypoints:
        _load_entrypoints(pm)
    pm.check_pending()
    return pm


def _register_unloadable(
    pm: pluggy.PluginManager, name: str, label: str, err: BaseException
) -> None:
    error = PluginLoadError(label, describe(err))
    pm.register(_Unloadable(error), name=name)


def _load_entrypoints(pm: pluggy.PluginManager) -> None:
    """Load the ``iacguard`` entry points, naming the distribution on failure."""
    if not _may_publish_plugins():
        return
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if pm.is_blocked(entry.name) or pm.get_plugin(entry.name) is not None:
            continue
        try:
            plugin = entry.load()
        # Importing runs arbitrary plugin code, which may raise anything, or call sys.exit()
        # (#13: a plugin must not decide the exit code).
        except (Exception, SystemExit) as err:  # noqa: BLE001
            dist = entry.dist.name if entry.dist else "?"
            _register_unloadable(pm, entry.name, f"{dist}[{entry.name}]", err)
            continue
        pm.register(plugin, name=entry.name)


#: an ``entry_points.txt`` section header that may be the plugin group's (loosely: a
#: false match only costs the full look-up)
_GROUP_HEADER: Final = re.compile(
    r"^\s*\[[^\]\n]*iacguard[^\]\n]*\]\s*$", re.MULTILINE | re.IGNORECASE
)


def _may_publish_plugins() -> bool:
    """False only when no distribution on ``sys.path`` can declare an ``iacguard`` entry
    point, so that the usual run skips :mod:`importlib.metadata` (importing it and reading
    every distribution's metadata costs more than the rest of a small scan's set-up).

    It reads what :mod:`importlib.metadata` would read first: the ``entry_points.txt``
    of each ``*.dist-info``/``*.egg-info`` directory of each ``sys.path`` directory.
    Anything it cannot judge as cheaply (a zip archive, an egg or a non-text entry on
    ``sys.path``, a finder of its own that can find distributions) answers True, and the
    full look-up decides.
    """
    from importlib.machinery import PathFinder

    if any(
        finder is not PathFinder and hasattr(finder, "find_distributions")
        for finder in sys.meta_path
    ):
        return True
    for entry in sys.path:
        if not isinstance(entry, str) or entry.lower().endswith(".egg"):
            return True
        directory = entry or "."
        try:
            names = os.listdir(directory)
        except NotADirectoryError:
            return True  # a zip archive
        except OSError:
            continue  # nothing there, so no distribution either
        for name in names:
            if name.lower().endswith((".dist-info", ".egg-info")):
                text = _entry_points_text(os.path.join(directory, name, "entry_points.txt"))
                if _GROUP_HEADER.search(text):
                    return True
    return False


def _entry_points_text(path: str) -> str:
    """The text of an ``entry_points.txt`` file; "" when there is none."""
    try:
        with open(path, encoding="utf-8", errors="replace") as stream:
            return stream.read()
    except OSError:
        return ""


def _plugin_error(plugin: str, what: str, err: BaseException) -> Diagnostic:
    message = f"plugin {plugin} failed to {what}: {describe(err)}"
    return Diagnostic(DiagnosticLevel.ERROR, DiagnosticCode.PLUGIN_PROBLEM, message)


def _load_failures(pm: pluggy.PluginManager) -> Iterator[Diagnostic]:
    for _, plugin in sorted(pm.list_name_plugin(), key=lambda item: item[0]):
        if isinstance(plugin, _Unloadable):
            yield Diagnostic(
                DiagnosticLevel.ERROR, DiagnosticCode.PLUGIN_PROBLEM, str(plugin.error)
            )


def collect_checks(pm: pluggy.PluginManager) -> tuple[CheckRegistry, tuple[Diagnostic, ...]]:
    """Ask every plugin for its checks, then for rule metadata, and apply it.

    Each plugin's hook gets its own ``register`` callback, so a bad or duplicate ID is
    reported naming the plugin that caused it; the other plugins' checks still load.

    :returns: the registry and one diagnostic per plugin that failed to load, refused
        check, failing hook or metadata entry that matches no rule.
    """
    registry = CheckRegistry()
    diagnostics = list(_load_failures(pm))
    for impl in pm.hook.iacguard_register_checks.get_hookimpls():  # registration order
        plugin = impl.plugin_name

        def register(check: Check, plugin: str = plugin) -> None:
            try:
                registry.add(check, plugin)
            except IacguardError as err:
                diagnostics.append(
                    Diagnostic(DiagnosticLevel.ERROR, DiagnosticCode.PLUGIN_PROBLEM, str(err))
                )

        try:
            impl.function(register=register)
        # A broken plugin must not stop the scan, even one calling sys.exit() (#13).
        except (Exception, SystemExit) as err:  # noqa: BLE001
            diagnostics.append(_plugin_error(plugin, "register its checks", err))
    entries = _rule_metadata(pm, registry, diagnostics)
    return (_with_metadata(registry, entries) if entries else registry), tuple(diagnostics)


def _rule_metadata(
    pm: pluggy.PluginManager, registry: CheckRegistry, diagnostics: list[Diagnostic]
) -> list[RuleMetadata]:
    """Every valid metadata entry, in the order to apply them (shorter prefixes first)."""
    entries: list[RuleMetadata] = []
    rule_ids = [check.id for check in registry]
    for impl in pm.hook.iacguard_register_rule_metadata.get_hookimpls():
        plugin = impl.plugin_name

        def register(entry: RuleMetadata, plugin: str = plugin) -> None:
            if not isinstance(entry, RuleMetadata) or not entry.rules:
                message = f"plugin {plugin} registered {entry!r}, not a RuleMetadata with rules"
                diagnostics.append(
                    Diagnostic(DiagnosticLevel.ERROR, DiagnosticCode.PLUGIN_PROBLEM, message)
                )
                return
            for prefix in entry.rules:
                if not RULE_PREFIX_PATTERN.match(prefix):
                    message = f"plugin {plugin} gives metadata for {prefix!r}, not a rule prefix"
                    diagnostics.append(
                        Diagnostic(DiagnosticLevel.ERROR, DiagnosticCode.PLUGIN_PROBLEM, message)
                    )
                    return
                if not any(rule_id.startswith(prefix) for rule_id in rule_ids):
                    message = f"plugin {plugin} gives metadata for {prefix}, which matches no rule"
                    diagnostics.append(
                        Diagnostic(DiagnosticLevel.WARNING, DiagnosticCode.PLUGIN_PROBLEM, message)
                    )
            entries.extend(dataclasses.replace(entry, rules=(p,)) for p in entry.rules)

        try:
            impl.function(register=register)
        # A broken plugin must not stop the scan, even one calling sys.exit() (#13).
        except (Exception, SystemExit) as err:  # noqa: BLE001
            diagnostics.append(_plugin_error(plugin, "register rule metadata", err))
    return sorted(entries, key=lambda entry: len(entry.rules[0]))  # stable: plugin order kept


def _with_metadata(registry: CheckRegistry, entries: list[RuleMetadata]) -> CheckRegistry:
    updated = CheckRegistry()
    for check in registry:
        for entry in entries:
            if check.id.startswith(entry.rules[0]):
                check = dataclasses.replace(
                    check,
                    tags=check.tags | entry.tags,
                    help_uri=entry.help_uri or check.help_uri,
                    severity=entry.severity if entry.severity is not None else check.severity,
                )
        updated.add(check, registry.owner(check.id))
    return updated


#: one plugin's registered reporters, keyed by format name, with the plugin's name
_OwnedReporters = dict[str, tuple[Reporter, str]]


def _reporters(pm: pluggy.PluginManager) -> tuple[_OwnedReporters, tuple[Diagnostic, ...]]:
    reporters: _OwnedReporters = {}
    diagnostics: list[Diagnostic] = []
    for impl in pm.hook.iacguard_register_reporters.get_hookimpls():  # registration order
        plugin = impl.plugin_name

        def register(reporter: Reporter, plugin: str = plugin) -> None:
            name = getattr(reporter, "name", None)
            if not isinstance(name, str) or not callable(getattr(reporter, "render", None)):
                message = f"plugin {plugin} registered {reporter!r}, which is not a reporter"
            elif name in reporters:
                message = f"plugin {plugin} registers format {name!r}, which is already taken"
            else:
                reporters[name] = (reporter, plugin)
                return
            diagnostics.append(
                Diagnostic(DiagnosticLevel.ERROR, DiagnosticCode.PLUGIN_PROBLEM, message)
            )

        try:
            impl.function(register=register)
        # A broken plugin must not stop the scan, even one calling sys.exit() (#13).
        except (Exception, SystemExit) as err:  # noqa: BLE001
            diagnostics.append(_plugin_error(plugin, "register reporters", err))
    return reporters, tuple(diagnostics)


def collect_reporters(
    pm: pluggy.PluginManager,
) -> tuple[dict[str, Reporter], tuple[Diagnostic, ...]]:
    """Ask every plugin for its reporters, keyed by format name.

    :returns: the reporters and one ERROR diagnostic per refused name or failing hook.
    """
    owned, diagnostics = _reporters(pm)
    return {name: reporter for name, (reporter, _) in owned.items()}, diagnostics


@dataclass(frozen=True, slots=True)
class PluginInfo:
    """What ``iacguard plugins`` shows about one registered plugin."""

    #: the name it is registered (and can be disabled) under
    name: str
    #: ``built-in``, ``<distribution> <version>`` for an entry point, the file of a
    #: ``--plugin`` module, or the plugin object's own ``description``
    version: str
    #: rule IDs it registered, sorted
    rules: tuple[str, ...] = ()
    #: output formats it registered, sorted
    formats: tuple[str, ...] = ()
    #: why it could not be loaded, when it could not
    error: str | None = None


def describe_plugins(
    pm: pluggy.PluginManager,
) -> tuple[tuple[PluginInfo, ...], tuple[Diagnostic, ...]]:
    """Every registered plugin with its version and the rules and formats it provides.

    :returns: the plugins sorted by name, and the diagnostics of collecting them.
    """
    registry, check_problems = collect_checks(pm)
    reporters, reporter_problems = _reporters(pm)
    versions = _entrypoint_versions()
    infos = []
    for name, plugin in pm.list_name_plugin():
        if isinstance(plugin, _Unloadable):
            infos.append(PluginInfo(name, "not loaded", error=str(plugin.error)))
            continue
        rules = tuple(c.id for c in registry if registry.owner(c.id) == name)
        formats = tuple(sorted(f for f, (_, owner) in reporters.items() if owner == name))
        infos.append(PluginInfo(name, _version_of(name, plugin, versions), rules, formats))
    infos.sort(key=lambda info: info.name)
    return tuple(infos), check_problems + reporter_problems


def _entrypoint_versions() -> dict[str, str]:
    from importlib.metadata import entry_points

    return {
        entry.name: f"{entry.dist.name} {entry.dist.version}" if entry.dist else "?"
        for entry in entry_points(group=ENTRY_POINT_GROUP)
    }


def _version_of(name: str, plugin: object, entrypoints: dict[str, str]) -> str:
    if name in DEFAULT_PLUGINS:
        return BUILTIN
    if name in entrypoints:
        return entrypoints[name]
    if isinstance(plugin, ModuleType):
        return _display(plugin.__file__) if plugin.__file__ else name
    description = getattr(plugin, "description", None)
    return description if isinstance(description, str) else type(plugin).__qualname__


def _display(file: str) -> str:
    """*file* relative to the working directory when below it."""
    path = Path(file).resolve()
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()
