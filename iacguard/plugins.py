"""The plugin manager: built-in plugins, entry points, and typed facades over its hooks."""

from __future__ import annotations

import importlib
from collections.abc import Collection
from typing import Final

import pluggy

from iacguard import hookspecs
from iacguard.errors import IacguardError, PluginLoadError
from iacguard.model import Diagnostic, DiagnosticLevel
from iacguard.registry import Check, CheckRegistry
from iacguard.report import Reporter

#: built-in plugins, registered exactly like third-party ones
DEFAULT_PLUGINS: Final = (
    "iacguard.checks.credentials",
    "iacguard.checks.users",
    "iacguard.checks.least_privilege",
    "iacguard.checks.trust",
    "iacguard.checks.resource_policies",
    "iacguard.checks.account",
    "iacguard.report.text",
    "iacguard.report.json",
)
#: the entry-point group third-party distributions publish their plugins under
ENTRY_POINT_GROUP: Final = "iacguard"


def get_plugin_manager(
    *,
    load_entrypoints: bool = True,
    disabled: Collection[str] = (),
    extra_modules: Collection[str] = (),
) -> pluggy.PluginManager:
    """A fresh plugin manager with the built-ins, entry points and *extra_modules*.

    :param load_entrypoints: load plugins published under the ``iacguard`` entry-point
        group (tests pass False to stay hermetic).
    :param disabled: plugin names to block (``iacguard.checks.trust``, an entry-point
        name, or a module path).
    :param extra_modules: importable module paths to register (``--plugin``).
    :raises PluginLoadError: a plugin failed to import; the message names it.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for name in disabled:
        pm.set_blocked(name)
    for module_path in (*DEFAULT_PLUGINS, *extra_modules):
        if pm.is_blocked(module_path):
            continue
        try:
            module = importlib.import_module(module_path)
        except Exception as err:
            raise PluginLoadError(module_path, f"{type(err).__name__}: {err}") from err
        pm.register(module, name=module_path)
    if load_entrypoints:
        _load_entrypoints(pm)
    pm.check_pending()
    return pm


def _load_entrypoints(pm: pluggy.PluginManager) -> None:
    """Load the ``iacguard`` entry points, naming the distribution on failure."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        if pm.is_blocked(entry.name) or pm.get_plugin(entry.name) is not None:
            continue
        try:
            plugin = entry.load()
        except Exception as err:
            dist = entry.dist.name if entry.dist else "?"
            raise PluginLoadError(f"{dist}[{entry.name}]", f"{type(err).__name__}: {err}") from err
        pm.register(plugin, name=entry.name)


def collect_checks(pm: pluggy.PluginManager) -> tuple[CheckRegistry, tuple[Diagnostic, ...]]:
    """Ask every plugin for its checks.

    Each plugin's hook gets its own ``register`` callback, so a bad or duplicate ID is
    reported naming the plugin that caused it; the other plugins' checks still load.

    :returns: the registry and one ERROR diagnostic per refused check or failing hook.
    """
    registry = CheckRegistry()
    diagnostics: list[Diagnostic] = []
    hook = pm.hook.iacguard_register_checks
    for impl in hook.get_hookimpls():  # registration order
        plugin = impl.plugin_name

        def register(check: Check, plugin: str = plugin) -> None:
            try:
                registry.add(check, plugin)
            except IacguardError as err:
                diagnostics.append(Diagnostic(DiagnosticLevel.ERROR, "IAM004", str(err)))

        try:
            impl.function(register=register)
        except Exception as err:  # noqa: BLE001 - a broken plugin must not stop the scan
            message = f"plugin {plugin} failed to register its checks: {type(err).__name__}: {err}"
            diagnostics.append(Diagnostic(DiagnosticLevel.ERROR, "IAM004", message))
    return registry, tuple(diagnostics)


def collect_reporters(
    pm: pluggy.PluginManager,
) -> tuple[dict[str, Reporter], tuple[Diagnostic, ...]]:
    """Ask every plugin for its reporters, keyed by format name.

    :returns: the reporters and one ERROR diagnostic per refused name or failing hook.
    """
    reporters: dict[str, Reporter] = {}
    diagnostics: list[Diagnostic] = []
    hook = pm.hook.iacguard_register_reporters
    for impl in hook.get_hookimpls():  # registration order
        plugin = impl.plugin_name

        def register(reporter: Reporter, plugin: str = plugin) -> None:
            name = getattr(reporter, "name", None)
            if not isinstance(name, str) or not callable(getattr(reporter, "render", None)):
                message = f"plugin {plugin} registered {reporter!r}, which is not a reporter"
            elif name in reporters:
                message = f"plugin {plugin} registers format {name!r}, which is already taken"
            else:
                reporters[name] = reporter
                return
            diagnostics.append(Diagnostic(DiagnosticLevel.ERROR, "IAM004", message))

        try:
            impl.function(register=register)
        except Exception as err:  # noqa: BLE001 - a broken plugin must not stop the scan
            message = f"plugin {plugin} failed to register reporters: {type(err).__name__}: {err}"
            diagnostics.append(Diagnostic(DiagnosticLevel.ERROR, "IAM004", message))
    return reporters, tuple(diagnostics)
