"""The plugin API: third-party checks register through the same hook as built-ins."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from importlib.machinery import PathFinder
from pathlib import Path

import pluggy
import pytest

from iacguard import CheckContext, Hit, PrincipalKind, RegisterCheck, Severity, check, hookimpl
from iacguard.engine import ScanOptions, scan
from iacguard.errors import InvalidCheckError
from iacguard.plugins import (
    DEFAULT_PLUGINS,
    _may_publish_plugins,
    collect_checks,
    get_plugin_manager,
)
from tests.conftest import TERRAFORM


@check("ACME001", severity=Severity.MEDIUM, tags={"acme"})
def role_without_boundary(ctx: CheckContext) -> Iterator[Hit]:
    """Role has no permission boundary.

    Fix: set permissions_boundary to the ACME boundary policy.
    """
    for role in ctx.graph.principals(PrincipalKind.ROLE):
        if not ctx.graph.has_boundary(role):
            yield Hit(role.origin, f"role '{role.address}' has no permission boundary")


class ReadmePlugin:
    """The plugin shown in the README's "Writing a plugin" section."""

    @hookimpl
    def iacguard_register_checks(self, register: RegisterCheck) -> None:
        register(role_without_boundary)


def test_hook_register_checks_runs_a_third_party_check(pm: pluggy.PluginManager) -> None:
    pm.register(ReadmePlugin(), name="acme")
    registry, problems = collect_checks(pm)
    assert not problems
    assert registry.owner("ACME001") == "acme"
    result = scan([TERRAFORM / "admin_paths" / "plan.json"], registry, ScanOptions())
    assert {(f.rule_id, f.address) for f in result.findings if f.rule_id == "ACME001"} == {
        ("ACME001", "aws_iam_role.break_glass")
    }


def test_hook_register_reporters_is_called(pm: pluggy.PluginManager) -> None:
    names = [impl.plugin_name for impl in pm.hook.iacguard_register_reporters.get_hookimpls()]
    assert sorted(names) == sorted(name for name in DEFAULT_PLUGINS if ".report." in name)


def test_builtins_register_through_the_public_hook(pm: pluggy.PluginManager) -> None:
    names = {impl.plugin_name for impl in pm.hook.iacguard_register_checks.get_hookimpls()}
    assert names == {name for name in DEFAULT_PLUGINS if ".checks." in name}


def test_duplicate_rule_id_names_both_plugins(pm: pluggy.PluginManager) -> None:
    class First:
        @hookimpl
        def iacguard_register_checks(self, register: RegisterCheck) -> None:
            register(role_without_boundary)

    pm.register(First(), name="first")
    pm.register(ReadmePlugin(), name="second")
    registry, problems = collect_checks(pm)
    [problem] = problems
    assert problem.code == "IAM004"
    assert "ACME001 is registered twice: by first and by second" in problem.message
    assert registry.get("IAM301") is not None, "the other checks still load"


def test_third_party_cannot_use_the_iam_prefix(pm: pluggy.PluginManager) -> None:
    @check("IAM999", severity=Severity.LOW)
    def squatter(ctx: CheckContext) -> Iterator[Hit]:
        """Takes a reserved ID."""
        yield from ()

    class Squatter:
        @hookimpl
        def iacguard_register_checks(self, register: RegisterCheck) -> None:
            register(squatter)

    pm.register(Squatter(), name="squatter")
    _, problems = collect_checks(pm)
    assert "the IAM prefix is reserved" in problems[0].message


def test_disabled_plugin_is_not_loaded() -> None:
    pm = get_plugin_manager(load_entrypoints=False, disabled=["iacguard.checks.trust"])
    registry, _ = collect_checks(pm)
    assert registry.get("IAM401") is None
    assert registry.get("IAM301") is not None


def test_misspelled_hook_is_caught_by_check_pending() -> None:
    class Typo:
        @hookimpl
        def iacguard_register_chekcs(self, register: RegisterCheck) -> None:
            """Misspelled."""

    pm = get_plugin_manager(load_entrypoints=False)
    pm.register(Typo())
    with pytest.raises(pluggy.PluginValidationError):
        pm.check_pending()


@pytest.mark.parametrize("rule_id", ["IAM01", "iam001", "TOOLONG001", "A001", "IAM0001"])
def test_malformed_rule_ids_are_refused(rule_id: str) -> None:
    with pytest.raises(InvalidCheckError):
        check(rule_id, severity=Severity.LOW)


def test_check_without_docstring_is_refused() -> None:
    def undocumented(ctx: CheckContext) -> Iterator[Hit]:
        yield from ()

    with pytest.raises(InvalidCheckError, match="no docstring"):
        check("ACME002", severity=Severity.LOW)(undocumented)


@pytest.mark.parametrize(
    ("entry_points", "may_publish"),
    [
        pytest.param(None, False, id="no-entry-points"),
        pytest.param("[console_scripts]\nx = x:main\n", False, id="other-groups"),
        pytest.param("[console_scripts]\niacguard = x:main\n", False, id="named-iacguard"),
        pytest.param("[iacguard]\nx = x\n", True, id="iacguard-group"),
        pytest.param("  [ iacguard ]  \nx = x\n", True, id="spaced-header"),
    ],
)
def test_the_entry_point_look_up_is_skipped_only_when_no_distribution_has_the_group(
    entry_points: str | None, may_publish: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dist = tmp_path / "x-1.0.dist-info"
    dist.mkdir()
    if entry_points is not None:
        (dist / "entry_points.txt").write_text(entry_points)
    monkeypatch.setattr(sys, "path", [str(tmp_path), str(tmp_path / "missing")])
    monkeypatch.setattr(sys, "meta_path", [PathFinder])
    assert _may_publish_plugins() is may_publish


@pytest.mark.parametrize("entry", ["archive.zip", "old.egg"])
def test_an_archive_or_egg_on_sys_path_gets_the_full_look_up(
    entry: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / entry).write_bytes(b"PK")
    monkeypatch.setattr(sys, "path", [str(tmp_path / entry)])
    monkeypatch.setattr(sys, "meta_path", [PathFinder])
    assert _may_publish_plugins()


def test_a_finder_that_finds_distributions_gets_the_full_look_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class DistributionFinder:
        def find_distributions(self, context: object = None) -> list[object]:
            return []

    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    monkeypatch.setattr(sys, "meta_path", [PathFinder, DistributionFinder()])
    assert _may_publish_plugins()
