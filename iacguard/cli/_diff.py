"""``iacguard diff``: the access a change adds and removes, and its new findings."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from iacguard.cli._app import ExitCode, app, exit_code_contract, fail
from iacguard.cli._diagnostics import report_problems
from iacguard.cli._options import (
    AccountOption,
    AllowConfigPluginsOption,
    BaseOption,
    ConfigOption,
    DebugOption,
    DisablePluginOption,
    IgnoreOption,
    PluginOption,
    RulesDirOption,
    SelectOption,
    SourceOption,
    TrustedAccountOption,
)
from iacguard.cli._setup import (
    load_config,
    plugin_manager,
    plugin_settings,
    read_account_graph,
    refuse_unknown_rules,
    rule_settings,
)
from iacguard.engine import ScanOptions
from iacguard.plugins import collect_checks
from iacguard.registry import Settings
from iacguard.selection import RuleSelection


@app.command("diff")
@exit_code_contract
def diff_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Plan JSON files (compared with the state they start from) or, with "
            "--base, Terraform directories and CloudFormation templates.",
        ),
    ],
    base: BaseOption = None,
    output_format: Annotated[
        str,
        typer.Option("--format", "-f", metavar="FORMAT", help="text, json, markdown or sarif."),
    ] = "text",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", metavar="FILE", help="Write to this file.")
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            metavar="SEVERITY",
            help="Exit 1 when a new finding is at or above this severity [info].",
        ),
    ] = None,
    soft_fail: Annotated[
        bool | None,
        typer.Option("--soft-fail/--no-soft-fail", help="Exit 0 even when access is added."),
    ] = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    trusted_account: TrustedAccountOption = None,
    config: ConfigOption = None,
    source: SourceOption = None,
    account: AccountOption = None,
    plugin: PluginOption = None,
    disable_plugin: DisablePluginOption = None,
    rules_dir: RulesDirOption = None,
    allow_config_plugins: AllowConfigPluginsOption = False,
    debug: DebugOption = False,
) -> None:
    """Show the access a change adds and removes, per principal, and its new findings;
    exit 1 when it adds a finding at or above --fail-on or makes a principal newly
    privileged, 0 otherwise, 2 error."""
    from iacguard import trust
    from iacguard.catalog import default_catalog
    from iacguard.diff.compare import compare
    from iacguard.diff.render import FORMATS, write_diff
    from iacguard.diff.sides import after_side, before_side, side_diagnostics
    from iacguard.errors import IacguardError

    fmt = output_format.lower()
    if fmt not in FORMATS:
        fail(f"unknown --format {output_format} (available: {', '.join(FORMATS)})")
    cli_settings = {
        "config": config,
        "fail-on": fail_on,
        "soft-fail": soft_fail,
        **rule_settings(select, ignore, trusted_account),
        **plugin_settings(plugin, disable_plugin, rules_dir, allow_config_plugins),
    }
    try:
        settings = load_config(cli_settings, paths[0] if paths else None)
        trust.refuse_input_outputs([output] if output else [], paths)
        registry, problems = collect_checks(plugin_manager(settings))
        refuse_unknown_rules(settings, registry)
        problems = (*trust.blocked_settings(settings), *problems)
        options = ScanOptions(
            selection=RuleSelection(settings.select, settings.ignore),
            settings=Settings(trusted_accounts=settings.trusted_accounts),
            debug=debug,
            suppressions=settings.suppressions,
            severity_overrides=settings.severity_overrides,
            source=source,
            account=read_account_graph(account),
        )
        before = before_side(paths, registry, options, base)
        after = after_side(paths, registry, options, base)
    except IacguardError as err:
        fail(str(err))
    result = after.result or before.result
    if result is None:
        fail(f"{', '.join(str(p) for p in paths)}: nothing to compare")
    catalog = default_catalog()
    change = compare(before.analyzers, after.analyzers, before.findings, after.findings, catalog)
    named = ", ".join(str(p) for p in paths)
    labels = (base, "working tree") if base is not None else (f"prior state of {named}", named)
    if output is None:
        write_diff(fmt, change, labels, result, sys.stdout)
    else:
        try:
            with output.open("w", encoding="utf-8") as stream:
                write_diff(fmt, change, labels, result, stream)
        except OSError as err:
            fail(f"cannot write {output}: {err.strerror or err}")
    report_problems([*problems, *side_diagnostics(before, after)])
    adds = change.newly_privileged or any(
        f.severity >= settings.fail_on for f in change.new_findings
    )
    raise typer.Exit(ExitCode.FINDINGS if adds and not settings.soft_fail else ExitCode.OK)
