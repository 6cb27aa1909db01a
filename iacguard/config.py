"""Configuration: ``[tool.iacguard]`` in ``pyproject.toml`` or ``.iacguard.toml``,
``IACGUARD_*`` environment variables and command-line options, merged in that order
(the command line wins).

File keys (``.iacguard.toml`` holds them at the top level, ``pyproject.toml`` under
``[tool.iacguard]``)::

    select = ["IAM"]                 # rule-ID prefixes to run (default: all)
    ignore = ["IAM206"]              # rule-ID prefixes to skip
    min-severity = "low"             # report only at or above
    fail-on = "high"                 # exit 1 only at or above
    soft-fail = false                # exit 0 even with findings (errors still exit 2)
    format = ["text"]                # output formats
    trusted-accounts = ["111122223333"]   # IAM402 stays silent for these
    max-key-age-days = 90            # IAM107: rotate active access keys within this
    max-unused-days = 90             # IAM108: remove credentials unused this long
    plugins = ["acme_checks"]        # extra plugin modules (*)
    disable-plugins = []             # (*)
    rules-dir = ["iacguard-rules"]   # YAML rule files or directories, relative to this file (*)
    baseline = "iacguard-baseline.json"

    [severity]                       # per-rule (or prefix) severity overrides
    IAM206 = "info"

    [[suppress]]                     # accepted risks, with a reason
    rules = ["IAM301"]
    address = "module.legacy.*"      # glob: * and ? only
    reason = "legacy admin role, removal tracked in OPS-123"
    expires = 2027-03-31             # optional: ignored (and reported) after this date

(*) A file may be part of the scanned tree (a pull request's ``.iacguard.toml``): these
keys choose code to run or checks to drop, so they are applied only with
``--allow-config-plugins``; otherwise :attr:`Config.blocked` lists them, and the CLI says
so in one line.

Environment: ``IACGUARD_SELECT``, ``IACGUARD_IGNORE``, ``IACGUARD_FORMAT``,
``IACGUARD_TRUSTED_ACCOUNTS``, ``IACGUARD_PLUGINS``, ``IACGUARD_DISABLE_PLUGINS``,
``IACGUARD_RULES_DIR``
(comma-separated), ``IACGUARD_MIN_SEVERITY``, ``IACGUARD_FAIL_ON``,
``IACGUARD_BASELINE``, ``IACGUARD_SOFT_FAIL`` (``true``/``false``),
``IACGUARD_MAX_KEY_AGE_DAYS``, ``IACGUARD_MAX_UNUSED_DAYS``, and
``IACGUARD_CONFIG`` (the configuration file to read).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Final

from iacguard._repository import repository_root
from iacguard.errors import ConfigError
from iacguard.model import Location, Severity
from iacguard.results import Suppression

#: keys of the configuration, as written in files; the environment and the CLI use
#: the same names (``IACGUARD_MIN_SEVERITY``, ``--min-severity``)
LIST_KEYS: Final = (
    "select", "ignore", "format", "trusted-accounts", "plugins", "disable-plugins", "rules-dir"
)  # fmt: skip
SCALAR_KEYS: Final = (
    "min-severity", "fail-on", "soft-fail", "baseline", "max-key-age-days", "max-unused-days"
)  # fmt: skip
TABLE_KEYS: Final = ("severity", "suppress")
#: keys that choose code to run or checks to drop: taken from a file only when the
#: command line allows it (``--allow-config-plugins``)
PLUGIN_KEYS: Final = ("plugins", "disable-plugins", "rules-dir")
#: the command-line-only setting that lets a configuration file set :data:`PLUGIN_KEYS`
ALLOW_CONFIG_PLUGINS: Final = "allow-config-plugins"
#: the file names searched in the working directory, in order
CONFIG_FILES: Final = (".iacguard.toml", "pyproject.toml")


@dataclass(frozen=True, slots=True)
class Config:
    """The effective configuration of one run."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("text",)
    min_severity: Severity = Severity.INFO
    fail_on: Severity = Severity.INFO
    soft_fail: bool = False
    trusted_accounts: frozenset[str] = frozenset()
    #: IAM107 and IAM108 thresholds, in days before a credential report was generated
    max_key_age_days: int = 90
    max_unused_days: int = 90
    plugins: tuple[str, ...] = ()
    disable_plugins: tuple[str, ...] = ()
    #: YAML rule files or directories (``--rules-dir``)
    rules_dirs: tuple[Path, ...] = ()
    baseline: Path | None = None
    #: rule ID or prefix -> severity; the longest matching prefix wins
    severity_overrides: Mapping[str, Severity] = field(default_factory=dict)
    suppressions: tuple[Suppression, ...] = ()
    #: the file the settings were read from, if any
    source: Path | None = None
    #: where each key's value came from: "file", "environment" or "command line"
    origins: Mapping[str, str] = field(default_factory=dict)
    #: plugin keys the file set and that were not applied: a configuration file may
    #: be part of the scanned tree, and only ``--allow-config-plugins`` lets it choose
    #: code to run (:data:`PLUGIN_KEYS`)
    blocked: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def severity_of(self, rule_id: str, default: Severity) -> Severity:
        """The severity for *rule_id*: an override by the longest prefix, else *default*."""
        matches = [p for p in self.severity_overrides if rule_id.startswith(p)]
        return self.severity_overrides[max(matches, key=len)] if matches else default


def find_config_file(start: Path, environ: Mapping[str, str]) -> Path | None:
    """``IACGUARD_CONFIG`` if set, else the nearest ``.iacguard.toml``, or
    ``pyproject.toml`` with a ``[tool.iacguard]`` table, in *start* (a directory, or the
    directory of a file) or a directory above it up to the root of the git repository
    holding it; outside a repository, in *start* only."""
    if environ.get("IACGUARD_CONFIG"):
        return Path(environ["IACGUARD_CONFIG"])
    directory = _directory_of(start)
    root = repository_root(directory)
    chain = [directory, *directory.parents]
    for folder in chain[: chain.index(root) + 1] if root is not None else [directory]:
        for name in CONFIG_FILES:
            candidate = folder / name
            if candidate.is_file() and (
                name != "pyproject.toml" or "iacguard" in _tool_tables(candidate)
            ):
                return candidate
    return None


def _directory_of(start: Path) -> Path:
    """*start* resolved, or the directory of it when it is a file."""
    directory = start.resolve()
    return directory if directory.is_dir() else directory.parent


def _tool_tables(path: Path) -> Mapping[str, Any]:
    import tomllib  # only when there is a file to read: most runs have none

    try:
        tool = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}
    return tool if isinstance(tool, dict) else {}


def read_file(path: Path) -> dict[str, Any]:
    """The raw settings of a configuration file.

    :raises ConfigError: the file cannot be read, is not TOML, or has unknown keys.
    """
    import tomllib

    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"{path}: cannot read configuration: {err.strerror or err}") from err
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from err
    if path.name == "pyproject.toml":
        tool: object = document.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: [tool] must be a table")
        document = tool.get("iacguard", {})
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: [tool.iacguard] must be a table")
    unknown = sorted(set(document) - {*LIST_KEYS, *SCALAR_KEYS, *TABLE_KEYS})
    if unknown:
        raise ConfigError(f"{path}: unknown configuration key(s): {', '.join(unknown)}")
    return document


def read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The raw settings given as ``IACGUARD_*`` variables (lists comma-separated)."""
    settings: dict[str, Any] = {}
    for key in (*LIST_KEYS, *SCALAR_KEYS):
        value = environ.get("IACGUARD_" + key.upper().replace("-", "_"))
        if value is None or value == "":
            continue
        settings[key] = (
            [v.strip() for v in value.split(",") if v.strip()] if key in LIST_KEYS else value
        )
    return settings


def build(
    layers: list[tuple[str, Mapping[str, Any]]],
    source: Path | None = None,
    *,
    allow_file_plugins: bool = True,
) -> Config:
    """Merge raw settings, later layers winning, and validate them.

    :param layers: ``(name, settings)`` pairs, lowest precedence first.
    :param allow_file_plugins: False: :data:`PLUGIN_KEYS` that only the ``"file"``
        layer sets are left out, and listed in :attr:`Config.blocked`.
    :raises ConfigError: a value has the wrong type or an unknown severity/rule ID.
    """
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for name, settings in layers:
        for key, value in settings.items():
            if value is not None and value != [] and value != ():
                merged[key] = value
                origins[key] = name
    where = str(source) if source else "configuration"
    blocked: dict[str, tuple[str, ...]] = {}
    if not allow_file_plugins:
        for key in PLUGIN_KEYS:
            if origins.get(key) == "file":
                blocked[key] = tuple(_strings(merged.pop(key), key, where))
                del origins[key]
    return Config(
        select=_prefixes(merged.get("select", ()), "select", where),
        ignore=_prefixes(merged.get("ignore", ()), "ignore", where),
        formats=tuple(_strings(merged.get("format", ("text",)), "format", where)),
        min_severity=_severity(merged.get("min-severity", "info"), "min-severity", where),
        fail_on=_severity(merged.get("fail-on", "info"), "fail-on", where),
        soft_fail=_boolean(merged.get("soft-fail", False), "soft-fail", where),
        trusted_accounts=frozenset(_accounts(merged.get("trusted-accounts", ()), where)),
        max_key_age_days=_days(merged.get("max-key-age-days", 90), "max-key-age-days", where),
        max_unused_days=_days(merged.get("max-unused-days", 90), "max-unused-days", where),
        plugins=tuple(_strings(merged.get("plugins", ()), "plugins", where)),
        disable_plugins=tuple(
            _strings(merged.get("disable-plugins", ()), "disable-plugins", where)
        ),
        rules_dirs=tuple(
            _relative(Path(p), source if origins.get("rules-dir") == "file" else None)
            for p in _strings(merged.get("rules-dir", ()), "rules-dir", where)
        ),
        baseline=_relative(
            Path(str(merged["baseline"])), source if origins.get("baseline") == "file" else None
        )
        if merged.get("baseline")
        else None,
        severity_overrides=_overrides(merged.get("severity", {}), where),
        suppressions=tuple(_suppressions(merged.get("suppress", ()), source, where)),
        source=source,
        origins=origins,
        blocked=blocked,
    )


def _relative(path: Path, config_file: Path | None) -> Path:
    """*path* as written in *config_file* is relative to the file's directory."""
    return path if config_file is None or path.is_absolute() else config_file.parent / path


def _strings(value: Any, key: str, where: str) -> list[str]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return list(items)


def _prefixes(value: Any, key: str, where: str) -> tuple[str, ...]:
    prefixes = tuple(p.strip().upper() for p in _strings(value, key, where))
    for prefix in prefixes:
        if not prefix or not prefix.isalnum():
            raise ConfigError(f"{where}: '{key}' entry {prefix!r} is not a rule-ID prefix")
    return prefixes


def _severity(value: Any, key: str, where: str) -> Severity:
    if isinstance(value, Severity):
        return value
    try:
        return Severity.parse(str(value))
    except ValueError as err:
        raise ConfigError(f"{where}: '{key}': {err}") from None


def _boolean(value: Any, key: str, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{where}: '{key}' must be true or false, not {value!r}")


def _days(value: Any, key: str, where: str) -> int:
    """A whole number of days, 1 to 36,500 (a string from the environment too)."""
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= 36_500:
        raise ConfigError(f"{where}: '{key}' must be a whole number of days, not {value!r}")
    return int(text)


def _accounts(value: Any, where: str) -> list[str]:
    accounts = _strings(value, "trusted-accounts", where)
    for account in accounts:
        if not (account.isdigit() and len(account) == 12):
            raise ConfigError(
                f"{where}: trusted account {account!r} is not a 12-digit AWS account ID"
            )
    return accounts


def _overrides(value: Any, where: str) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: 'severity' must be a table of RULE = \"severity\"")
    return {
        rule.upper(): _severity(level, f"severity.{rule}", where) for rule, level in value.items()
    }


def _suppressions(value: Any, source: Path | None, where: str) -> list[Suppression]:
    if not isinstance(value, list | tuple):
        raise ConfigError(f"{where}: 'suppress' must be an array of tables ([[suppress]])")
    result: list[Suppression] = []
    for index, entry in enumerate(value, start=1):
        label = f"{where}: suppress entry {index}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{label} must be a table")
        unknown = sorted(set(entry) - {"rules", "address", "reason", "expires"})
        if unknown:
            raise ConfigError(f"{label}: unknown key(s) {', '.join(unknown)}")
        rules = tuple(r.upper() for r in _strings(entry.get("rules", ()), "rules", label))
        if not rules or not all(r.isalnum() for r in rules):
            raise ConfigError(f"{label}: 'rules' must list rule IDs or prefixes")
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{label}: a 'reason' is required")
        address = entry.get("address", "*")
        if not isinstance(address, str) or not address:
            raise ConfigError(f"{label}: 'address' must be a non-empty string (a glob)")
        location = Location(PurePosixPath(source.as_posix())) if source else None
        result.append(
            Suppression(rules, address, reason.strip(), location=location,
                        expires=_date(entry.get("expires"), label), kind="config")
        )  # fmt: skip
    return result


def _date(value: Any, label: str) -> datetime.date | None:
    if value is None or type(value) is datetime.date:  # TOML dates arrive as date objects
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{label}: 'expires' must be a date (YYYY-MM-DD)") from None


def load(
    cli: Mapping[str, Any], cwd: Path | None = None, environ: Mapping[str, str] | None = None
) -> Config:
    """See :func:`load_for`; the configuration file is looked for from *cwd* (the working
    directory by default)."""
    return load_for(cli, cwd or Path.cwd(), environ)


def load_for(
    cli: Mapping[str, Any], start: Path, environ: Mapping[str, str] | None = None
) -> Config:
    """The effective configuration: file, then environment, then *cli* (raw settings
    with file-style keys; None for options not given). The file is the one *cli* names,
    or the nearest one from *start* (the first path scanned) up to the root of its
    repository (:func:`find_config_file`), else one in the working directory.

    :param cli: may hold ``"config"``, an explicit configuration file, and
        ``"allow-config-plugins"``: true lets the file set :data:`PLUGIN_KEYS`
        (see :func:`build`); a file or a variable cannot allow that itself.
    :raises ConfigError: an invalid file, variable or option.
    """
    environ = os.environ if environ is None else environ
    explicit = cli.get("config")
    if explicit:
        path: Path | None = Path(explicit)
    else:
        path = find_config_file(start, environ)
        cwd = Path.cwd()
        if path is None and _directory_of(start) != cwd.resolve():  # else searched already
            path = find_config_file(cwd, environ)
    if path is not None and not path.is_file():
        raise ConfigError(f"{path}: configuration file not found")
    layers: list[tuple[str, Mapping[str, Any]]] = []
    if path is not None:
        layers.append(("file", read_file(path)))
    layers.append(("environment", read_environment(environ)))
    command_line = {k: v for k, v in cli.items() if k not in ("config", ALLOW_CONFIG_PLUGINS)}
    layers.append(("command line", command_line))
    return build(layers, path, allow_file_plugins=bool(cli.get(ALLOW_CONFIG_PLUGINS)))
