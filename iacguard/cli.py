"""The ``iacguard`` command line; the only module that prints errors or picks exit codes."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, ParamSpec, TextIO

import typer

from iacguard._text import first_few
from iacguard._version import __version__
from iacguard.budget import DEFAULT_WORK_BUDGET
from iacguard.coverage import NOT_EVALUATED_CODE, NotEvaluated
from iacguard.engine import ScanOptions, ScanResult, scan, skip_summary
from iacguard.errors import describe
from iacguard.plugins import collect_checks, collect_reporters
from iacguard.registry import Settings
from iacguard.results import Diagnostic, DiagnosticCode, DiagnosticLevel
from iacguard.selection import RuleSelection

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    import pluggy

    from iacguard.config import Config
    from iacguard.graph import Graph
    from iacguard.registry import CheckRegistry
    from iacguard.report import Reporter


class ExitCode(IntEnum):
    """Process exit codes, the contract CI pipelines rely on."""

    #: the scan completed and no finding is at or above ``--fail-on``
    OK = 0
    #: the scan completed and at least one finding is at or above ``--fail-on``
    FINDINGS = 1
    #: bad usage, configuration or input, or an incomplete scan (a file failed to
    #: parse, a check crashed); never 0, whatever was found
    USAGE_ERROR = 2


app = typer.Typer(
    name="iacguard",
    help="Catch AWS IAM mistakes in Terraform and CloudFormation before they are deployed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


def _fail(message: str) -> NoReturn:
    """Print one error line on stderr and exit 2."""
    from iacguard.report._escape import printable

    typer.echo(f"iacguard: error: {printable(message)}", err=True)
    raise typer.Exit(ExitCode.USAGE_ERROR)


_Params = ParamSpec("_Params")


def _exit_code_contract(command: Callable[_Params, None]) -> Callable[_Params, None]:
    """*command* under the exit-code contract (#13): an exception nobody planned for (a
    bug, a plugin calling ``sys.exit()``) ends in one error line on stderr and exit 2,
    never a traceback (unless the command's ``--debug`` asks for it) and never exit 0
    or 1. ``typer.Exit`` and ``typer.Abort`` pass, and so does ``KeyboardInterrupt``.
    Every command carries it (tests/test_exit_contract.py checks).
    """

    @functools.wraps(command)
    def run(*args: _Params.args, **kwargs: _Params.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        # The CLI's one blind except: whatever escaped the scan's own isolation (of
        # checks, parsers, plugins, reporters) is a bug, reported on one line.
        except (Exception, SystemExit) as err:
            if kwargs.get("debug"):
                raise
            if isinstance(err, OSError):  # the system refused (a closed pipe): not a bug
                _fail(describe(err))
            hint = " (--debug shows the traceback)" if "debug" in kwargs else ""
            _fail(f"internal error: {describe(err)}{hint}")

    return run


def _escaping_streams() -> None:
    """Let stdout and stderr escape what their encoding cannot write (``\\xe9`` on an
    ASCII terminal, a file name that is not UTF-8) instead of raising in mid-report."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"iacguard {__version__}")
        raise typer.Exit(ExitCode.OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Catch AWS IAM mistakes in Terraform and CloudFormation before they are deployed."""
    _escaping_streams()


@app.command()
@_exit_code_contract
def check(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Plan JSON files (terraform show -json), CloudFormation templates, "
            "Terraform directories, or directories to search.",
        ),
    ],
    output_format: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help=(
                "text, json, sarif, junit, github, markdown, gitlab or concise"
                " (repeatable, see --output) [text]."
            ),
        ),
    ] = None,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the n-th --format to this file (repeatable).",
        ),
    ] = None,
    min_severity: Annotated[
        str | None,
        typer.Option(
            metavar="SEVERITY",
            help="Report only findings at or above: info, low, medium, high, critical.",
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            metavar="SEVERITY",
            help="Exit 1 when a reported finding is at or above this severity [info].",
        ),
    ] = None,
    soft_fail: Annotated[
        bool | None,
        typer.Option(
            "--soft-fail/--no-soft-fail", help="Exit 0 even with findings (errors still exit 2)."
        ),
    ] = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    trusted_account: TrustedAccountOption = None,
    config: ConfigOption = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE", help="Report only findings not recorded in this baseline file."
        ),
    ] = None,
    create_baseline: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Record the current findings in this baseline file."),
    ] = None,
    source: SourceOption = None,
    account: AccountOption = None,
    new_only: Annotated[
        bool,
        typer.Option(
            "--new-only",
            help="Report only findings the change introduces: not in the state a plan "
            "starts from, or not at --base.",
        ),
    ] = False,
    base: BaseOption = None,
    plugin: PluginOption = None,
    disable_plugin: DisablePluginOption = None,
    rules_dir: RulesDirOption = None,
    allow_config_plugins: AllowConfigPluginsOption = False,
    work_budget: Annotated[
        int,
        typer.Option(
            min=1,
            metavar="STEPS",
            help="Work the scan may do before it stops as incomplete (exit 2).",
        ),
    ] = DEFAULT_WORK_BUDGET,
    debug: DebugOption = False,
    verbose: VerboseOption = False,
    skip_path: Annotated[
        list[str] | None,
        typer.Option(
            "--skip-path",
            metavar="GLOB",
            help="Do not scan inputs whose path (from the repository root) or a directory "
            "above it matches this glob (repeatable, or comma-separated).",
        ),
    ] = None,
    var_file: Annotated[
        list[Path] | None,
        typer.Option(
            "--var-file",
            metavar="FILE",
            help="Terraform variables (.tfvars or .tfvars.json) for the roots scanned from "
            "source, read after their own terraform.tfvars and *.auto.tfvars (repeatable).",
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Only errors on stderr (no notes or warnings).")
    ] = False,
) -> None:
    """Scan PATHS and report IAM findings; exit 0 clean, 1 findings, 2 error."""
    from iacguard import suppress, trust
    from iacguard.errors import IacguardError

    if verbose:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    cli_settings = {
        "config": config,
        "format": _split(output_format),
        "min-severity": min_severity,
        "fail-on": fail_on,
        "soft-fail": soft_fail,
        "select": _split(select),
        "ignore": _split(ignore),
        "trusted-accounts": _split(trusted_account),
        "baseline": baseline,
        "plugins": plugin,
        "disable-plugins": disable_plugin,
        "rules-dir": [str(p) for p in rules_dir or ()],
        "allow-config-plugins": allow_config_plugins,
    }
    try:
        settings = _load_config(cli_settings, paths[0] if paths else None)
        outputs = list(output or [])
        formats = [f.lower() for f in settings.formats]
        if "format" not in settings.origins and outputs:
            formats = [_format_of(path) for path in outputs]
        if len(outputs) > len(formats):
            _fail("more --output files than --format values")
        written = [*outputs, *([create_baseline] if create_baseline else [])]
        trust.refuse_input_outputs(written, paths)
        pm = _plugin_manager(settings)
        registry, setup_problems = collect_checks(pm)
        _refuse_unknown_rules(settings, registry)
        reporters, reporter_problems = collect_reporters(pm)
        unknown = sorted(set(formats) - set(reporters))
        if unknown:
            available = ", ".join(sorted(reporters))
            _fail(f"unknown --format {', '.join(unknown)} (available: {available})")
        baseline_entries = suppress.read_baseline(settings.baseline) if settings.baseline else ()
        account_graph = _account_graph(account)
        options = ScanOptions(
            selection=RuleSelection(settings.select, settings.ignore),
            min_severity=settings.min_severity,
            settings=Settings(
                trusted_accounts=settings.trusted_accounts,
                max_key_age_days=settings.max_key_age_days,
                max_unused_days=settings.max_unused_days,
            ),
            debug=debug,
            suppressions=settings.suppressions + baseline_entries,
            severity_overrides=settings.severity_overrides,
            source=source,
            skip_paths=tuple(_split(skip_path) or ()),
            var_files=tuple(var_file or ()),
            account=account_graph,
            work_budget=work_budget,
        )
        setup = (*trust.blocked_settings(settings), *setup_problems, *reporter_problems)
        result = scan(paths, registry, options, setup=setup)
        trust.refuse_input_outputs(written, [source.path for source in result.inputs])
        if new_only or base is not None:
            from iacguard.diff import new_findings_only

            result = new_findings_only(result, paths, registry, options, base)
        if create_baseline is not None:
            suppress.write_baseline(create_baseline, result.findings)
    except IacguardError as err:
        _fail(str(err))
    unwritten = _render(result, formats, outputs, reporters, debug)
    shown = _shown_diagnostics(result.diagnostics, result.skipped, verbose, result.not_evaluated)
    if quiet:
        shown = [d for d in shown if d.level is DiagnosticLevel.ERROR]
    _print_diagnostics(shown, sys.stderr)
    if unwritten:
        _fail("; ".join(unwritten))
    if not result.complete:
        raise typer.Exit(ExitCode.USAGE_ERROR)
    failing = any(f.severity >= settings.fail_on for f in result.findings)
    raise typer.Exit(ExitCode.FINDINGS if failing and not settings.soft_fail else ExitCode.OK)


def _account_graph(path: Path | None) -> Graph | None:
    """The graph of ``--account``'s authorization details, None without the option.

    :raises InputError: the file is not authorization details.
    """
    if path is None:
        return None
    from iacguard.account_context import read_account

    return read_account(path)


def _split(values: list[str] | None) -> list[str] | None:
    """Repeated options and comma-separated lists alike: ``--select IAM3,IAM4``."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


#: ``-o FILE`` without ``-f``: the format its extension names (else ``text``)
_FORMAT_BY_SUFFIX = {
    ".sarif": "sarif",
    ".json": "json",
    ".xml": "junit",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
}


def _format_of(path: Path) -> str:
    """The format ``-o`` *path* gets when no ``-f`` is given: ``report.sarif`` and
    ``report.sarif.json`` are SARIF, ``gl-code-quality-report.json`` GitLab's."""
    name = path.name.lower()
    if name.endswith(".sarif.json"):
        return "sarif"
    if "code-quality" in name and name.endswith(".json"):
        return "gitlab"
    return _FORMAT_BY_SUFFIX.get(path.suffix.lower(), "text")


def _refuse_unknown_rules(settings: Config, registry: CheckRegistry) -> None:
    """Exit 2 when ``select`` or ``ignore`` (from any origin) names no rule: a typo
    there would silently run nothing or everything."""
    from iacguard.selection import unknown_prefixes

    ids = [check.id for check in registry]
    for key, prefixes in (("select", settings.select), ("ignore", settings.ignore)):
        problems = unknown_prefixes(prefixes, ids)
        if problems:
            where = settings.origins.get(key, "configuration")
            _fail(f"{key} ({where}): {'; '.join(problems)}")


def _load_config(cli_settings: Mapping[str, object], start: Path | None = None) -> Config:
    """The effective configuration (file < environment < command line); the file is
    looked for from *start* (the first path scanned) up to its repository's root."""
    from iacguard.config import load_for

    return load_for(cli_settings, start or Path.cwd())


def _plugin_manager(settings: Config) -> pluggy.PluginManager:
    """Built-ins, entry points, ``--plugin`` modules and ``--rules-dir`` YAML rules.

    :raises IacguardError: a YAML rule file is invalid.
    """
    from iacguard.declarative import register_rule_dirs
    from iacguard.plugins import get_plugin_manager

    pm = get_plugin_manager(disabled=settings.disable_plugins, extra_modules=settings.plugins)
    register_rule_dirs(pm, settings.rules_dirs)
    return pm


def _render(
    result: ScanResult,
    formats: list[str],
    outputs: list[Path],
    reporters: Mapping[str, Reporter],
    debug: bool,
) -> list[str]:
    """The first formats go to the --output files in order, the rest to stdout.

    Each format is written on its own: one that cannot be written, or whose reporter
    crashes, does not stop the others (#13); ``--debug`` re-raises a crash.

    :returns: one problem per format that was not written, naming it.
    """
    problems: list[str] = []
    for index, name in enumerate(formats):
        target = outputs[index] if index < len(outputs) else None
        try:
            if target is None:
                reporters[name].render(result, sys.stdout)
                continue
            with target.open("w", encoding="utf-8", errors="backslashreplace") as stream:
                reporters[name].render(result, stream)
        except OSError as err:
            where = target if target is not None else "stdout"
            problems.append(f"cannot write the {name} report to {where}: {err.strerror or err}")
        # A reporter may come from a plugin, which may raise anything (or exit).
        except (Exception, SystemExit) as err:
            if debug:
                raise
            logger.debug("reporter %s crashed", name, exc_info=True)
            problems.append(f"the {name} report crashed: {describe(err)}")
    return problems


def _shown_diagnostics(
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


def _print_diagnostics(diagnostics: Iterable[Diagnostic], stream: TextIO) -> None:
    """One line per diagnostic: ``iacguard: error: <message> [IAM002]``."""
    from iacguard.report._escape import printable

    for diagnostic in diagnostics:
        message = printable(f"{diagnostic.message} [{diagnostic.code}]")
        stream.write(f"iacguard: {diagnostic.level.value}: {message}\n")


@app.command()
@_exit_code_contract
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
    _finish(problems)


@app.command()
@_exit_code_contract
def explain(
    rule_id: Annotated[str, typer.Argument(help="A rule ID, e.g. IAM301.")],
    plugin: PluginOption = None,
    rules_dir: RulesDirOption = None,
) -> None:
    """Show a rule's documentation: what it finds, why it matters, how to fix it."""
    registry, problems = _registry(plugin, rules_dir)
    item = registry.get(rule_id.upper())
    if item is None:
        _print_diagnostics(problems, sys.stderr)
        _fail(f"no rule {rule_id!r}; 'iacguard rules' lists them")
    typer.echo(f"{item.id} ({item.slug}) - {item.title}")
    typer.echo(f"severity: {item.severity.label}; plugin: {registry.owner(item.id)}")
    typer.echo("")
    typer.echo(item.description)
    if item.help_uri:
        typer.echo(f"\nMore: {item.help_uri}")
    _finish(problems)


@app.command("plugins")
@_exit_code_contract
def list_plugins(
    plugin: PluginOption = None,
    disable_plugin: DisablePluginOption = None,
    rules_dir: RulesDirOption = None,
    config: ConfigOption = None,
    allow_config_plugins: AllowConfigPluginsOption = False,
) -> None:
    """List the loaded plugins, their versions and the rules each provides."""
    from iacguard import trust
    from iacguard.errors import IacguardError
    from iacguard.hookspecs import PLUGIN_API_VERSION
    from iacguard.plugins import describe_plugins

    cli_settings = {
        "config": config,
        "plugins": plugin,
        "disable-plugins": disable_plugin,
        "rules-dir": [str(p) for p in rules_dir or ()],
        "allow-config-plugins": allow_config_plugins,
    }
    try:
        settings = _load_config(cli_settings)
        pm = _plugin_manager(settings)
    except IacguardError as err:
        _fail(str(err))
    infos, problems = describe_plugins(pm)
    problems = (*trust.blocked_settings(settings), *problems)
    typer.echo(f"iacguard {__version__}, plugin API {PLUGIN_API_VERSION}")
    for info in infos:
        typer.echo(f"{info.name}  {info.version}")
        for label, values in (("rules", info.rules), ("formats", info.formats)):
            if values:
                typer.echo(f"  {label}: {' '.join(values)}")
    _finish(problems)


@app.command("config")
@_exit_code_contract
def show_config(config: ConfigOption = None) -> None:
    """Show the effective configuration and where each value comes from."""
    from iacguard.errors import IacguardError
    from iacguard.suppress import describe

    try:
        settings = _load_config({"config": config})
    except IacguardError as err:
        _fail(str(err))
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
    from iacguard.errors import IacguardError

    cli_settings = {"plugins": plugins, "rules-dir": [str(p) for p in rules_dirs or ()]}
    try:
        settings = _load_config(cli_settings)
        pm = _plugin_manager(settings)
    except IacguardError as err:
        _fail(str(err))
    registry, problems = collect_checks(pm)
    return registry, (*trust.blocked_settings(settings), *problems)


def _finish(problems: Iterable[Diagnostic]) -> None:
    """Print *problems* on stderr; exit 2 when one is an error (a plugin that failed):
    a listing that misses a plugin's rules is incomplete."""
    problems = list(problems)
    _print_diagnostics(problems, sys.stderr)
    if any(problem.level is DiagnosticLevel.ERROR for problem in problems):
        raise typer.Exit(ExitCode.USAGE_ERROR)


@app.command("diff")
@_exit_code_contract
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
    from iacguard.results import DiagnosticLevel

    fmt = output_format.lower()
    if fmt not in FORMATS:
        _fail(f"unknown --format {output_format} (available: {', '.join(FORMATS)})")
    cli_settings = {
        "config": config,
        "fail-on": fail_on,
        "soft-fail": soft_fail,
        "select": _split(select),
        "ignore": _split(ignore),
        "trusted-accounts": _split(trusted_account),
        "plugins": plugin,
        "disable-plugins": disable_plugin,
        "rules-dir": [str(p) for p in rules_dir or ()],
        "allow-config-plugins": allow_config_plugins,
    }
    try:
        settings = _load_config(cli_settings, paths[0] if paths else None)
        trust.refuse_input_outputs([output] if output else [], paths)
        registry, problems = collect_checks(_plugin_manager(settings))
        _refuse_unknown_rules(settings, registry)
        problems = (*trust.blocked_settings(settings), *problems)
        options = ScanOptions(
            selection=RuleSelection(settings.select, settings.ignore),
            settings=Settings(trusted_accounts=settings.trusted_accounts),
            debug=debug,
            suppressions=settings.suppressions,
            severity_overrides=settings.severity_overrides,
            source=source,
            account=_account_graph(account),
        )
        before = before_side(paths, registry, options, base)
        after = after_side(paths, registry, options, base)
    except IacguardError as err:
        _fail(str(err))
    result = after.result or before.result
    if result is None:
        _fail(f"{', '.join(str(p) for p in paths)}: nothing to compare")
    catalog = default_catalog()
    change = compare(before.graphs, after.graphs, before.findings, after.findings, catalog)
    named = ", ".join(str(p) for p in paths)
    labels = (base, "working tree") if base is not None else (f"prior state of {named}", named)
    if output is None:
        write_diff(fmt, change, labels, result, sys.stdout)
    else:
        try:
            with output.open("w", encoding="utf-8") as stream:
                write_diff(fmt, change, labels, result, stream)
        except OSError as err:
            _fail(f"cannot write {output}: {err.strerror or err}")
    diagnostics = list(problems) + list(side_diagnostics(before, after))
    _print_diagnostics(diagnostics, sys.stderr)
    if any(d.level is DiagnosticLevel.ERROR for d in diagnostics):
        raise typer.Exit(ExitCode.USAGE_ERROR)
    adds = change.newly_privileged or any(
        f.severity >= settings.fail_on for f in change.new_findings
    )
    raise typer.Exit(ExitCode.FINDINGS if adds and not settings.soft_fail else ExitCode.OK)


# --- views: access and graph (issue #3) --------------------------------------------

if TYPE_CHECKING:
    from iacguard.views.access import AccessInput


@dataclasses.dataclass(frozen=True, slots=True)
class _Parsed:
    """The inputs of a view, read through the scan's own parse loop."""

    inputs: list[AccessInput]
    diagnostics: list[Diagnostic]
    skipped: list[Diagnostic]

    @property
    def complete(self) -> bool:
        """False when an input failed to parse."""
        return not any(d.level is DiagnosticLevel.ERROR for d in self.diagnostics)

    def finish(self, verbose: bool) -> None:
        """Print the diagnostics as ``check`` does; exit 2 when an input failed."""
        _print_diagnostics(_shown_diagnostics(self.diagnostics, self.skipped, verbose), sys.stderr)
        if not self.complete:
            raise typer.Exit(ExitCode.USAGE_ERROR)


def _parsed_inputs(path: Path, debug: bool) -> _Parsed:
    """Parse every input under *path* into a named graph, as ``check`` does (#13): a
    file that fails is a diagnostic and the others are still read; a path that holds
    nothing to scan exits 2."""
    from iacguard.budget import WorkBudget
    from iacguard.engine import parse_inputs
    from iacguard.errors import IacguardError
    from iacguard.views.access import AccessInput

    diagnostics: list[Diagnostic] = []
    skipped: list[Diagnostic] = []
    budget = WorkBudget(DEFAULT_WORK_BUDGET)
    loop = parse_inputs([path], ScanOptions(debug=debug), budget, diagnostics, skipped)
    try:
        inputs = [AccessInput(str(source.display), parsed.graph) for source, parsed in loop]
    except IacguardError as err:
        _fail(str(err))
    return _Parsed(inputs, diagnostics, skipped)


@app.command()
@_exit_code_contract
def access(
    path: Annotated[Path, typer.Argument(help="A plan JSON file or a directory to search.")],
    principal: Annotated[
        str | None,
        typer.Option(help="Only this principal, by address (aws_iam_user.alice)."),
    ] = None,
    debug: DebugOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Show each principal's effective permissions: admins, escalation paths, MFA."""
    from iacguard.catalog import default_catalog
    from iacguard.views.access import write_access

    if verbose:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    parsed = _parsed_inputs(path, debug)
    written = write_access(parsed.inputs, sys.stdout, default_catalog(), principal)
    parsed.finish(verbose)
    if not written:
        _fail(f"no principal {principal!r} in {path}" if principal else f"no principal in {path}")


@app.command()
@_exit_code_contract
def graph(
    path: Annotated[Path, typer.Argument(help="A plan JSON file or a directory to search.")],
    output_format: Annotated[
        str, typer.Option("--format", "-f", metavar="FORMAT", help="dot, mermaid or json.")
    ] = "dot",
    debug: DebugOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Export the IAM graph (principals, policies, groups, trust) for drawing."""
    from iacguard.catalog import default_catalog
    from iacguard.views.graph_export import GraphFormat, write_graph

    try:
        fmt = GraphFormat(output_format.lower())
    except ValueError:
        _fail(f"unknown --format {output_format} (available: dot, mermaid, json)")
    if verbose:
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    parsed = _parsed_inputs(path, debug)
    if parsed.inputs:
        write_graph(parsed.inputs, sys.stdout, fmt, default_catalog())
    parsed.finish(verbose)


def main() -> None:
    """Console-script entry point."""
    app()
