"""The project documents itself: hooks, checks and the README stay in step."""

from __future__ import annotations

import inspect
import re

import pluggy
from typer.testing import CliRunner

from iacguard import hookspecs
from iacguard.cli import app
from iacguard.plugins import DEFAULT_PLUGINS, collect_checks
from iacguard.registry import RULE_ID_PATTERN
from tests.conftest import ROOT, TERRAFORM

README = (ROOT / "README.md").read_text()
HOOKS = [
    (name, function)
    for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
    if name.startswith("iacguard_")
]


def test_every_hook_is_documented() -> None:
    assert HOOKS
    for name, function in HOOKS:
        doc = inspect.getdoc(function) or ""
        for argument in inspect.signature(function).parameters:
            assert f":param {argument}:" in doc, f"{name} does not document {argument}"
        assert "versionadded" in doc
        assert f"{name}(" in README, f"README hook reference lacks {name}"


def test_default_plugins_are_the_modules_present() -> None:
    modules = {
        f"iacguard.{folder}.{path.stem}"
        for folder in ("checks", "report")
        for path in (ROOT / "iacguard" / folder).glob("*.py")
        if not path.stem.startswith("_")
    }
    assert set(DEFAULT_PLUGINS) == modules


def test_every_builtin_check_is_documented_and_fixtured(pm: pluggy.PluginManager) -> None:
    registry, problems = collect_checks(pm)
    assert not problems
    fixture_text = "\n".join(p.read_text() for p in TERRAFORM.rglob("*.tf"))
    snapshot_report = (ROOT / "tests" / "golden" / "account" / "credential_report.json").read_text()
    for check in registry:
        assert RULE_ID_PATTERN.match(check.id)
        assert check.id.startswith("IAM")
        assert check.title
        assert not check.title.endswith(".")
        assert "Fix:" in check.description, f"{check.id} docstring has no 'Fix:' paragraph"
        if "snapshot" in check.tags:
            # account-snapshot rules read no IaC: their fixture is an account snapshot, and
            # tests/checks/test_credential_report.py holds their near misses
            assert f'"rule_id": "{check.id}"' in snapshot_report, f"{check.id}: no firing fixture"
            continue
        assert re.search(rf"expect: {check.id} fires", fixture_text), (
            f"{check.id}: no firing fixture"
        )
        assert re.search(rf"expect: {check.id} silent", fixture_text), f"{check.id}: no near miss"


def test_readme_rule_table_is_the_generated_one() -> None:
    table = CliRunner().invoke(app, ["rules", "--markdown"]).stdout.strip()
    assert table in README, "regenerate the README rule table with: iacguard rules --markdown"
