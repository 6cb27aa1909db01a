"""The commands that describe rather than scan: ``rules``, ``explain``, ``plugins``
and ``config``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from iacguard._version import __version__
from iacguard.cli._app import app, exit_code_contract, fail
from iacguard.cli._diagnostics import print_diagnostics, report_problems
from iacguard.cli._options import (
    AllowConfigPluginsOption,
    ConfigOption,
    DisablePluginOption,
    PluginOption,
    RulesDirOption,
)
from iacguard.cli._setup import configured_plugins, load_config, plugin_settings
from iacguard.plugins import collect_checks
from iacguard.results import Diagnostic

if TYPE_CHECKING:
    from iacguard.registry import CheckRegistry


@app.command()
@exit_code_contract
def rules(
    plugin: PluginOption = None,
    rules_dir: RulesDirOption = None,
    markdown: Annotated[
        bool, typer.Option(help="Print a Markdown table (as in the README).")
    ] = False,
) -> None:
    """List every rule with its ID, severity and title."""
    registry, problems = _registry(plugin, rules_dir)
    if markdown:
        typer.echo("| ID | Severity | Rule |\n|---|---|---|")
    for item in registry:
        if markdown:
            typer.echo(f"| {item.id} | {item.severity.label} | {item.title} |")
        else:
            typer.echo(f"{item.id}  {item.severity.label:<8}  {item.title}")
    report_problems(problems)


@app.command()
@exit_code_contract
def explain(
    rule_id: Annotated[str, typer.Argument(help="A rule ID, e.g. IAM301.")],
    plugin: PluginOption = None,
    rules_dir: RulesDirOption = None,
) -> None:
    """Show a rule's documentation: what it finds, why it matters, how to fix it."""
    registry, problems = _registry(plugin, rules_dir)
    item = registry.get(rule_id.upper())
    if item is None:
        print_diagnostics(problems, sys.stderr)
        fail(f"no rule {rule_id!r}; 'iacguard rules' lists them")
    typer.echo(f"{item.id} ({item.slug}) - {item.title}")
    typer.echo(f"severity: {item.severity.label}; plugin: {registry.owner(item.id)}")
    typer.echo("")
    typer.echo(item.description)
    if item.help_uri:
        typer.echo(f"\nMore: {item.help_uri}")
    report_problems(problems)


@app.command("plugins")
@exit_code_contract
def list_plugins(
    plugin: PluginOption = None,
    disable_plugin: DisablePluginOption = None,
    rules_dir: RulesDirOption = None,
    config: ConfigOption = None,
    allow_config_plugins: AllowConfigPluginsOption = False,
) -> None:
    """List the loaded plugins, their versions and the rules each provides."""
    from iacguard import trust
    from iacguard.hookspecs import PLUGIN_API_VERSION
    from iacguard.plugins import describe_plugins

    cli_settings = {
        "config": config,
        **plugin_settings(plugin, disable_plugin, rules_dir, allow_config_plugins),
    }
    settings, pm = configured_plugins(cli_settings)
    infos, problems = describe_plugins(pm)
    problems = (*trust.blocked_settings(settings), *problems)
    typer.echo(f"iacguard {__version__}, plugin API {PLUGIN_API_VERSION}")
    for info in infos:
        typer.echo(f"{info.name}  {info.version}")
        for label, values in (("rules", info.rules), ("formats", info.formats)):
            if values:
                typer.echo(f"  {label}: {' '.join(values)}")
    report_problems(problems)


@app.command("config")
@exit_code_contract
def show_config(config: ConfigOption = None) -> None:
    """Show the effective configuration and where each value comes from."""
    from iacguard.errors import IacguardError
    from iacguard.suppress import describe

    try:
        settings = load_config({"config": config})
    except IacguardError as err:
        fail(str(err))
    typer.echo(f"# file: {settings.source or '(none found)'}")
    values = {
        "select": list(settings.select),
        "ignore": list(settings.ignore),
        "format": list(settings.formats),
        "min-severity": settings.min_severity.label,
        "fail-on": settings.fail_on.label,
        "soft-fail": settings.soft_fail,
        "trusted-accounts": sorted(settings.trusted_accounts),
        "max-key-age-days": settings.max_key_age_days,
        "max-unused-days": settings.max_unused_days,
        "plugins": list(settings.plugins),
        "disable-plugins": list(settings.disable_plugins),
        "rules-dir": [str(p) for p in settings.rules_dirs],
        "baseline": str(settings.baseline) if settings.baseline else None,
    }
    for key, value in values.items():
        origin = settings.origins.get(key, "default")
        typer.echo(f"{key} = {json.dumps(value)}  # {origin}")
    for key, blocked in settings.blocked.items():
        typer.echo(f"{key} = {json.dumps(list(blocked))}  # file: not applied without "
                   "--allow-config-plugins")  # fmt: skip
    for rule, severity in sorted(settings.severity_overrides.items()):
        typer.echo(f"severity.{rule} = {json.dumps(severity.label)}")
    for suppression in settings.suppressions:
        expiry = f", expires {suppression.expires}" if suppression.expires else ""
        typer.echo(f"# {describe(suppression)}: {suppression.reason}{expiry}")


def _registry(
    plugins: list[str] | None, rules_dirs: list[Path] | None
) -> tuple[CheckRegistry, tuple[Diagnostic, ...]]:
    """The checks of the configured plugins plus *plugins* and *rules_dirs*, and the
    problems of collecting them (settings the trust model held back among them)."""
    from iacguard import trust

    cli_settings = plugin_settings(plugins, None, rules_dirs, allow_config_plugins=False)
    settings, pm = configured_plugins(cli_settings)
    registry, problems = collect_checks(pm)
    return registry, (*trust.blocked_settings(settings), *problems)
