"""Configuration: file, environment and command line, merged with the CLI winning."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iacguard.cli import app
from iacguard.config import build, load, read_environment
from iacguard.errors import ConfigError
from iacguard.model import Severity

FILE = """
[tool.iacguard]
select = ["IAM3"]
fail-on = "high"
min-severity = "low"
trusted-accounts = ["111122223333"]

[tool.iacguard.severity]
IAM30 = "low"
IAM301 = "critical"

[[tool.iacguard.suppress]]
rules = ["IAM301"]
address = "module.legacy.*"
reason = "tracked in OPS-1"
expires = 2027-01-31
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(FILE)
    return tmp_path


def test_file_settings_are_read_from_pyproject(project: Path) -> None:
    config = load({}, cwd=project, environ={})
    assert config.source == project / "pyproject.toml"
    assert config.select == ("IAM3",)
    assert config.fail_on is Severity.HIGH
    assert config.trusted_accounts == frozenset({"111122223333"})
    [suppression] = config.suppressions
    assert suppression.address == "module.legacy.*"
    assert suppression.expires == datetime.date(2027, 1, 31)


def test_precedence_cli_over_environment_over_file(project: Path) -> None:
    environ = {"IACGUARD_FAIL_ON": "medium", "IACGUARD_SELECT": "IAM1, IAM2"}
    config = load({"fail-on": "critical"}, cwd=project, environ=environ)
    assert config.fail_on is Severity.CRITICAL
    assert config.origins["fail-on"] == "command line"
    assert config.select == ("IAM1", "IAM2")
    assert config.origins["select"] == "environment"
    assert config.min_severity is Severity.LOW
    assert config.origins["min-severity"] == "file"


def test_iacguard_toml_wins_over_pyproject(project: Path) -> None:
    (project / ".iacguard.toml").write_text('fail-on = "low"\n')
    assert load({}, cwd=project, environ={}).fail_on is Severity.LOW


def test_environment_names_the_config_file(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text('fail-on = "critical"\n')
    config = load({}, cwd=project, environ={"IACGUARD_CONFIG": str(other)})
    assert config.fail_on is Severity.CRITICAL


def test_severity_override_longest_prefix_wins(project: Path) -> None:
    config = load({}, cwd=project, environ={})
    assert config.severity_of("IAM301", Severity.HIGH) is Severity.CRITICAL
    assert config.severity_of("IAM302", Severity.MEDIUM) is Severity.LOW
    assert config.severity_of("IAM101", Severity.CRITICAL) is Severity.CRITICAL


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        pytest.param({"fail-on": "severe"}, "unknown severity", id="bad-severity"),
        pytest.param({"trusted-accounts": ["12345"]}, "12-digit", id="bad-account"),
        pytest.param({"select": [5]}, "list of strings", id="bad-list"),
        pytest.param({"soft-fail": "maybe"}, "true or false", id="bad-bool"),
        pytest.param({"suppress": [{"rules": ["IAM301"]}]}, "'reason' is required", id="no-reason"),
        pytest.param(
            {"suppress": [{"rules": ["IAM301"], "reason": "x", "expires": "soon"}]},
            "YYYY-MM-DD",
            id="bad-expiry",
        ),
        pytest.param({"suppress": [{"reason": "x"}]}, "'rules'", id="no-rules"),
    ],
)
def test_invalid_settings_are_clear_errors(settings: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        build([("file", settings)])


def test_unknown_key_is_an_error(tmp_path: Path) -> None:
    (tmp_path / ".iacguard.toml").write_text('fail_on = "high"\n')
    with pytest.raises(ConfigError, match="unknown configuration key"):
        load({}, cwd=tmp_path, environ={})


def test_environment_lists_and_booleans() -> None:
    settings = read_environment({"IACGUARD_IGNORE": "IAM206,IAM202", "IACGUARD_SOFT_FAIL": "true"})
    assert build([("environment", settings)]).ignore == ("IAM206", "IAM202")
    assert build([("environment", settings)]).soft_fail is True


def test_config_command_shows_values_and_origins(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    monkeypatch.setenv("IACGUARD_MIN_SEVERITY", "medium")
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 0
    assert 'fail-on = "high"  # file' in result.stdout
    assert 'min-severity = "medium"  # environment' in result.stdout
    assert 'severity.IAM301 = "critical"' in result.stdout
    assert "tracked in OPS-1" in result.stdout


def test_bad_config_file_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".iacguard.toml").write_text("fail-on = \n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["config"])
    assert result.exit_code == 2
    assert "not valid TOML" in result.stderr


def test_plugin_settings_of_a_file_need_the_command_line(tmp_path: Path) -> None:
    (tmp_path / ".iacguard.toml").write_text(
        'plugins = ["acme"]\ndisable-plugins = ["iacguard.checks.trust"]\n'
        'rules-dir = ["rules"]\nsoft-fail = true\n'
    )
    blocked = load({}, cwd=tmp_path, environ={})
    assert (blocked.plugins, blocked.disable_plugins, blocked.rules_dirs) == ((), (), ())
    assert blocked.blocked == {
        "plugins": ("acme",),
        "disable-plugins": ("iacguard.checks.trust",),
        "rules-dir": ("rules",),
    }
    assert blocked.soft_fail is True  # not a plugin setting: the file's (the CLI may override)
    allowed = load({"allow-config-plugins": True}, cwd=tmp_path, environ={})
    assert allowed.plugins == ("acme",)
    assert allowed.rules_dirs == (tmp_path / "rules",)
    assert allowed.blocked == {}
    # the environment and the command line are not the tree: they apply without opt-in
    trusted = load({"rules-dir": ["mine"]}, cwd=tmp_path, environ={"IACGUARD_PLUGINS": "ours"})
    assert (trusted.plugins, trusted.rules_dirs) == (("ours",), (Path("mine"),))
    assert trusted.blocked == {"disable-plugins": ("iacguard.checks.trust",)}
