"""The plugin API end to end: the example package, ``iacguard plugins``, rule metadata,
and isolation of plugins that raise, fail to import, return garbage or clash."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pluggy
import pytest
from typer.testing import CliRunner

from iacguard import RegisterCheck, Severity, hookimpl
from iacguard.cli import ExitCode, app
from iacguard.hookspecs import PLUGIN_API_VERSION, RegisterRuleMetadata, RuleMetadata
from iacguard.plugins import collect_checks
from iacguard.results import DiagnosticLevel
from tests.conftest import ROOT, TERRAFORM

EXAMPLE = ROOT / "plugins" / "iacguard-example"
BOUNDARY = ROOT / "plugins" / "examples" / "fixtures" / "boundary"
PLAN = TERRAFORM / "least_privilege" / "plan.json"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    return CliRunner()


def run(runner: CliRunner, *args: str | Path):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on sys.path for plugin modules written by a test; they (and the
    example plugin) are forgotten afterwards, and only they: a library the test imported
    lazily stays, so that later tests do not meet a second copy of its classes."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        origin = getattr(sys.modules[name], "__file__", None) or ""
        if any(Path(origin).is_relative_to(place) for place in (tmp_path, EXAMPLE)):
            del sys.modules[name]


def write_plugin(directory: Path, name: str, body: str) -> str:
    header = "from iacguard import CheckContext, Hit, Severity, check, hookimpl\n\n"
    (directory / f"{name}.py").write_text(header + textwrap.dedent(body))
    return name


# --------------------------------------------------------------------------- example package


@pytest.fixture
def example_installed(modules: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example package as pip would install it: its module importable and its
    distribution metadata (with the entry point) on sys.path."""
    monkeypatch.syspath_prepend(str(EXAMPLE))
    dist = modules / "iacguard_example-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: iacguard-example\nVersion: 0.1.0\n"
    )
    (dist / "entry_points.txt").write_text("[iacguard]\nexample = iacguard_example\n")
    return dist


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(
            BOUNDARY / "plan.json",
            [("EXA001", "aws_iam_role.unbounded"), ("EXA002", "aws_iam_user.legacy")],
            id="terraform-plan",
        ),
        pytest.param(
            BOUNDARY / "template.yaml",
            [("EXA001", "UnboundedRole"), ("EXA002", "LegacyUser")],
            id="cloudformation",
        ),
    ],
)
def test_example_plugin_from_its_entry_point(
    runner: CliRunner, example_installed: Path, path: Path, expected: list[tuple[str, str]]
) -> None:
    result = run(runner, "check", path, "--select", "EXA", "-f", "json")
    assert result.exit_code == ExitCode.FINDINGS, result.stderr
    report = json.loads(result.stdout)
    assert sorted((f["rule_id"], f["resource"]) for f in report["findings"]) == expected


def test_example_plugin_with_dash_dash_plugin(runner: CliRunner, modules: Path) -> None:
    sys.path.insert(0, str(EXAMPLE))
    try:
        result = run(
            runner, "check", BOUNDARY / "plan.json", "--plugin", "iacguard_example", "-f", "json"
        )
    finally:
        sys.path.remove(str(EXAMPLE))
    findings = json.loads(result.stdout)["findings"]
    assert ("EXA001", "aws_iam_role.unbounded") in {(f["rule_id"], f["resource"]) for f in findings}


def test_plugins_command_lists_versions_and_rules(
    runner: CliRunner, example_installed: Path
) -> None:
    rules = ROOT / "plugins" / "examples" / "rules"
    result = run(
        runner, "plugins", "--plugin", "tests.plugin_samples.crashing", "--rules-dir", rules
    )
    assert result.exit_code == ExitCode.OK, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith(f"plugin API {PLUGIN_API_VERSION}")
    text = result.stdout
    assert "example  iacguard-example 0.1.0\n  rules: EXA001 EXA002\n" in text
    assert "iacguard.checks.trust  built-in\n  rules: IAM401 IAM402 IAM403" in text
    assert "iacguard.report.json  built-in\n  formats: json\n" in text
    assert (
        "tests.plugin_samples.crashing  tests/plugin_samples/crashing.py\n  rules: TEST001\n"
        in text
    )
    assert f"rules:{rules.as_posix()}  YAML rules: {rules.as_posix()}\n" in text
    assert "  rules: ORG001 ORG002 ORG003 ORG004 ORG005\n" in text


def test_rules_and_explain_show_plugin_rules(runner: CliRunner, example_installed: Path) -> None:
    listed = run(runner, "rules")
    assert "EXA001  high      Role has no permission boundary" in listed.stdout
    explained = run(runner, "explain", "exa002")
    assert explained.exit_code == ExitCode.OK
    assert "EXA002 (iam_user) - IAM user defined" in explained.stdout
    assert "plugin: example" in explained.stdout
    assert "Fix: replace the user with an SSO permission set" in explained.stdout


# --------------------------------------------------------------------------- isolation


def test_plugin_that_fails_to_import(runner: CliRunner, modules: Path) -> None:
    broken = write_plugin(modules, "broken_import", "import no_such_dependency_xyz\n")
    result = run(runner, "check", PLAN, "--plugin", broken, "-f", "json")
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert result.stderr.splitlines() == [
        "iacguard: error: plugin broken_import failed to load: ModuleNotFoundError: "
        "No module named 'no_such_dependency_xyz' [IAM004]"
    ]
    report = json.loads(result.stdout)
    assert report["complete"] is False
    assert report["findings"], "the other checks still ran"


def test_plugin_check_that_raises(runner: CliRunner) -> None:
    result = run(runner, "check", PLAN, "--plugin", "tests.plugin_samples.crashing", "-f", "json")
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert "TEST001 (always_crashes)" in result.stderr
    assert "crashed: RuntimeError: boom [IAM002]" in result.stderr
    assert json.loads(result.stdout)["findings"], "the other checks still ran"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            """
            @hookimpl
            def iacguard_register_checks(register):
                raise ValueError("no config")
            """,
            "plugin {name} failed to register its checks: ValueError: no config [IAM004]",
            id="hook-raises",
        ),
        pytest.param(
            """
            @hookimpl
            def iacguard_register_checks(register):
                register("EXA999")
            """,
            "plugin {name} registered 'EXA999', not a @check [IAM004]",
            id="registers-garbage",
        ),
        pytest.param(
            """
            @check("GRB001", severity=Severity.LOW)
            def garbage(ctx):
                '''Yields a string.'''
                yield "not a hit"

            @hookimpl
            def iacguard_register_checks(register):
                register(garbage)
            """,
            "check GRB001 (garbage) of plugin bad_yields_garbage crashed: "
            "TypeError: yielded str, expected Hit [IAM002]",
            id="yields-garbage",
        ),
    ],
)
def test_misbehaving_plugins_are_diagnosed(
    runner: CliRunner, modules: Path, request: pytest.FixtureRequest, body: str, message: str
) -> None:
    name = write_plugin(modules, f"bad_{request.node.callspec.id.replace('-', '_')}", body)
    result = run(runner, "check", PLAN, "--plugin", name, "-f", "json")
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert f"iacguard: error: {message.format(name=name)}" in result.stderr.splitlines()
    assert json.loads(result.stdout)["findings"], "the other checks still ran"


def test_duplicate_rule_id_is_refused(runner: CliRunner, modules: Path) -> None:
    body = """
        @check("DUP001", severity=Severity.LOW)
        def dup(ctx):
            '''Never fires.'''
            return iter(())

        @hookimpl
        def iacguard_register_checks(register):
            register(dup)
        """
    first, second = write_plugin(modules, "dup_a", body), write_plugin(modules, "dup_b", body)
    result = run(runner, "check", PLAN, "--plugin", first, "--plugin", second)
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert result.stderr.splitlines() == [
        "iacguard: error: rule DUP001 is registered twice: by dup_a and by dup_b [IAM004]"
    ]


# --------------------------------------------------------------------------- rule metadata


class Compliance:
    """Maps rules to an organisation's controls, and raises one default severity."""

    @hookimpl
    def iacguard_register_rule_metadata(self, register: RegisterRuleMetadata) -> None:
        register(RuleMetadata(("IAM3",), tags=frozenset({"ctl-ac-6"})))
        register(RuleMetadata(("IAM302",), help_uri="https://wiki.example.com/iam302"))
        register(RuleMetadata(("IAM206",), severity=Severity.HIGH))


def test_hook_register_rule_metadata(pm: pluggy.PluginManager) -> None:
    pm.register(Compliance(), name="compliance")
    registry, problems = collect_checks(pm)
    assert not problems
    iam302, iam301, iam206 = (registry.get(i) for i in ("IAM302", "IAM301", "IAM206"))
    assert iam302 is not None
    assert iam301 is not None
    assert iam206 is not None
    assert {"ctl-ac-6", "least-privilege"} <= iam302.tags
    assert iam302.help_uri == "https://wiki.example.com/iam302"
    assert "ctl-ac-6" in iam301.tags
    assert iam301.help_uri.endswith("#iam301")
    assert iam206.severity is Severity.HIGH
    assert registry.owner("IAM302") == "iacguard.checks.least_privilege"


def test_longer_prefix_wins_and_bad_entries_are_diagnosed(pm: pluggy.PluginManager) -> None:
    class Noisy:
        @hookimpl
        def iacguard_register_rule_metadata(self, register: RegisterRuleMetadata) -> None:
            register(RuleMetadata(("IAM301",), severity=Severity.LOW))
            register(RuleMetadata(("IAM",), severity=Severity.INFO))
            register(RuleMetadata(("IAM9",), tags=frozenset({"x"})))
            register(RuleMetadata(("iam 3",)))

    pm.register(Noisy(), name="noisy")
    registry, problems = collect_checks(pm)
    assert registry.get("IAM301").severity is Severity.LOW  # type: ignore[union-attr]
    assert registry.get("IAM302").severity is Severity.INFO  # type: ignore[union-attr]
    assert [(p.level, p.message) for p in problems] == [
        (DiagnosticLevel.WARNING, "plugin noisy gives metadata for IAM9, which matches no rule"),
        (DiagnosticLevel.ERROR, "plugin noisy gives metadata for 'iam 3', not a rule prefix"),
    ]


def test_hook_register_checks_from_a_plugin_object(pm: pluggy.PluginManager) -> None:
    from iacguard.declarative import DeclarativePlugin

    plugin = DeclarativePlugin([ROOT / "plugins" / "examples" / "rules" / "boundary.yaml"])
    pm.register(plugin, name="org")
    registry, _ = collect_checks(pm)
    assert registry.owner("ORG001") == "org"

    class Direct:
        @hookimpl
        def iacguard_register_checks(self, register: RegisterCheck) -> None:
            register(plugin.checks[0])

    pm.register(Direct(), name="direct")
    _, problems = collect_checks(pm)
    assert [p.message for p in problems] == [
        "rule ORG001 is registered twice: by org and by direct"
    ]


def test_the_plugin_guide_imports_only_from_iacguard() -> None:
    """Plugin authors import the public API from ``iacguard`` itself: the guide's
    examples name no other module, and everything they import is there."""
    import re

    import iacguard
    from tests.conftest import ROOT

    guide = (ROOT / "docs" / "writing-plugins.md").read_text()
    imports = re.findall(r"^from (iacguard[\w.]*) import (.+)$", guide, re.MULTILINE)
    assert imports
    assert {module for module, _ in imports} == {"iacguard"}
    for _, names in imports:
        for name in names.split(","):
            assert name.strip() in iacguard.__all__
