"""What the scanning commands set up alike from their options: the configuration, the
plugin manager, the rule selection's sanity, the account context."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from iacguard.cli._app import fail

if TYPE_CHECKING:
    import pluggy

    from iacguard.config import Config
    from iacguard.graph import Graph
    from iacguard.registry import CheckRegistry


def read_account_graph(path: Path | None) -> Graph | None:
    """The graph of ``--account``'s authorization details, None without the option.

    :raises InputError: the file is not authorization details.
    """
    if path is None:
        return None
    from iacguard.account_context import read_account

    return read_account(path)


def comma_separated(values: list[str] | None) -> list[str] | None:
    """Repeated options and comma-separated lists alike: ``--select IAM3,IAM4``."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def rule_settings(
    select: list[str] | None, ignore: list[str] | None, trusted_account: list[str] | None
) -> dict[str, object]:
    """The configuration keys ``--select``, ``--ignore`` and ``--trusted-account`` set."""
    return {
        "select": comma_separated(select),
        "ignore": comma_separated(ignore),
        "trusted-accounts": comma_separated(trusted_account),
    }


def plugin_settings(
    plugin: list[str] | None,
    disable_plugin: list[str] | None,
    rules_dir: list[Path] | None,
    allow_config_plugins: bool,
) -> dict[str, object]:
    """The configuration keys the plugin options set (``--plugin``, ``--disable-plugin``,
    ``--rules-dir``, ``--allow-config-plugins``)."""
    return {
        "plugins": plugin,
        "disable-plugins": disable_plugin,
        "rules-dir": [str(p) for p in rules_dir or ()],
        "allow-config-plugins": allow_config_plugins,
    }


def refuse_unknown_rules(settings: Config, registry: CheckRegistry) -> None:
    """Exit 2 when ``select`` or ``ignore`` (from any origin) names no rule: a typo
    there would silently run nothing or everything."""
    from iacguard.selection import unknown_prefixes

    ids = [check.id for check in registry]
    for key, prefixes in (("select", settings.select), ("ignore", settings.ignore)):
        problems = unknown_prefixes(prefixes, ids)
        if problems:
            where = settings.origins.get(key, "configuration")
            fail(f"{key} ({where}): {'; '.join(problems)}")


def load_config(cli_settings: Mapping[str, object], start: Path | None = None) -> Config:
    """The effective configuration (file < environment < command line); the file is
    looked for from *start* (the first path scanned) up to its repository's root."""
    from iacguard.config import load_for

    return load_for(cli_settings, start or Path.cwd())


def plugin_manager(settings: Config) -> pluggy.PluginManager:
    """Built-ins, entry points, ``--plugin`` modules and ``--rules-dir`` YAML rules.

    :raises IacguardError: a YAML rule file is invalid.
    """
    from iacguard.plugins import get_plugin_manager

    pm = get_plugin_manager(disabled=settings.disable_plugins, extra_modules=settings.plugins)
    if settings.rules_dirs:  # the YAML rule engine is imported only when there are rules
        from iacguard.declarative import register_rule_dirs

        register_rule_dirs(pm, settings.rules_dirs)
    return pm


def configured_plugins(cli_settings: Mapping[str, object]) -> tuple[Config, pluggy.PluginManager]:
    """The configuration and its plugin manager, for the commands that list rather than
    scan; exit 2 on a configuration or YAML rule file that is invalid."""
    from iacguard.errors import IacguardError

    try:
        settings = load_config(cli_settings)
        return settings, plugin_manager(settings)
    except IacguardError as err:
        fail(str(err))
