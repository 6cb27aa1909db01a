"""The options several commands share, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

#: options shared by several commands
SelectOption = Annotated[
    list[str] | None,
    typer.Option(
        metavar="PREFIX",
        help="Only rules with this ID prefix (repeatable or comma-separated, e.g. IAM3).",
    ),
]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option(
        metavar="PREFIX", help="Skip rules with this ID prefix (repeatable or comma-separated)."
    ),
]
TrustedAccountOption = Annotated[
    list[str] | None,
    typer.Option(
        metavar="ACCOUNT", help="AWS account ID your organisation trusts (IAM402; repeatable)."
    ),
]
AccountOption = Annotated[
    Path | None,
    typer.Option(
        "--account",
        metavar="FILE",
        help="The account's authorization details: principals and policies the change "
        "names but does not define come from it.",
    ),
]
PluginOption = Annotated[
    list[str] | None,
    typer.Option("--plugin", metavar="MODULE", help="Also load this plugin module (repeatable)."),
]
DisablePluginOption = Annotated[
    list[str] | None,
    typer.Option("--disable-plugin", metavar="NAME", help="Do not load this plugin (repeatable)."),
]
RulesDirOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules-dir",
        metavar="PATH",
        help="Also load the YAML rules in this file or directory (repeatable).",
    ),
]
AllowConfigPluginsOption = Annotated[
    bool,
    typer.Option(
        "--allow-config-plugins",
        help="Apply plugins, disable-plugins and rules-dir from a configuration file "
        "(which may be part of the scanned tree).",
    ),
]
SourceOption = Annotated[
    Path | None,
    typer.Option(metavar="DIR", help="Terraform root a plan was made from (file and line)."),
]
BaseOption = Annotated[
    str | None,
    typer.Option(
        "--base",
        metavar="REV",
        help="Compare with PATHS at this git revision (read with git archive; the working "
        "tree is not touched).",
    ),
]
DebugOption = Annotated[bool, typer.Option(help="Re-raise crashes with a traceback.")]
VerboseOption = Annotated[
    bool,
    typer.Option("--verbose", "-v", help="Debug logging on stderr, and each skipped file."),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FILE",
        help="Configuration file [.iacguard.toml or pyproject.toml [tool.iacguard]].",
    ),
]
