"""The exit-code contract, everywhere (#13): whatever goes wrong ends in one line on
stderr and exit 2 (a traceback only with ``--debug``), never in exit 0 or 1.

In-process through ``typer.testing.CliRunner``; one subprocess test checks the real
entry point on a stdout that is not UTF-8.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.main import get_command

from iacguard.cli import ExitCode, app
from iacguard.cli._app import exit_code_contract
from tests.conftest import ROOT, TERRAFORM, CliOutcome, run_cli

PLAN = TERRAFORM / "least_privilege" / "plan.json"
ADMIN = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
#: a plan with one administrator policy: small, so that views of it are quick
SMALL_PLAN = json.dumps(
    {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {
                "resources": [
                    {
                        "address": "aws_iam_user.ops",
                        "mode": "managed",
                        "type": "aws_iam_user",
                        "name": "ops",
                        "values": {"name": "ops"},
                    },
                    {
                        "address": "aws_iam_user_policy.ops",
                        "mode": "managed",
                        "type": "aws_iam_user_policy",
                        "name": "ops",
                        "values": {
                            "user": "ops",
                            "policy": json.dumps(ADMIN),
                        },
                    },
                ]
            }
        },
    }
)
BROKEN_TEMPLATE = "Resources:\n  A: [\n"
#: a template whose names are not ASCII: a user, with an administrator policy
ACCENTED_TEMPLATE = (
    "Resources:\n"
    "  D\u00e9v:\n"
    "    Type: AWS::IAM::User\n"
    "    Properties:\n"
    "      Policies:\n"
    "        - PolicyName: caf\u00e9\n"
    '          PolicyDocument: {"Statement": [{"Effect": "Allow", "Action": "*", '
    '"Resource": "*"}]}\n'
)


invoke = run_cli


def error_lines(outcome: CliOutcome) -> list[str]:
    return [line for line in outcome.stderr.splitlines() if line.startswith("iacguard: error:")]


def findings_of(report: str) -> list[tuple[str, str]]:
    return [(f["rule_id"], f["resource"]) for f in json.loads(report)["findings"]]


@pytest.fixture(scope="module")
def plain_findings() -> list[tuple[str, str]]:
    """The findings of PLAN with the built-in checks alone."""
    outcome = invoke("check", PLAN, "-f", "json")
    assert outcome.exit_code == ExitCode.FINDINGS
    return findings_of(outcome.stdout)


# --- every command is guarded ---------------------------------------------------------


def test_every_command_honours_the_contract() -> None:
    """A command added without the guard would let a crash exit 1 with a traceback."""
    guarded = exit_code_contract(lambda: None).__code__
    commands = get_command(app).commands  # type: ignore[attr-defined]
    assert set(commands) >= {
        "check",
        "access",
        "graph",
        "diff",
        "rules",
        "explain",
        "plugins",
        "config",
    }
    for name, command in commands.items():
        assert command.callback.__code__ is not None
        wrapped = getattr(command.callback, "__wrapped__", None)
        assert wrapped is not None, f"{name} is not under exit_code_contract"
        # typer's own wrapper calls ours; ours is the contract's inner function
        inner = command.callback
        while getattr(inner, "__wrapped__", None) is not None and inner.__code__ is not guarded:
            inner = inner.__wrapped__
        assert inner.__code__ is guarded, f"{name} is not under exit_code_contract"


# --- an unexpected exception in core code ---------------------------------------------


class _Unprintable(Exception):
    def __str__(self) -> str:
        raise RuntimeError("no")


def _raise(error: BaseException) -> Callable[..., object]:
    def crash(*args: object, **kwargs: object) -> object:
        raise error

    return crash


#: (command line, the function that crashes, whether the command has --debug)
CORE_CRASHES = [
    pytest.param(("check", PLAN), "iacguard.cli._check.scan", True, id="check"),
    pytest.param(("access", PLAN), "iacguard.views.access.write_access", True, id="access"),
    pytest.param(("graph", PLAN), "iacguard.views.graph_export.write_graph", True, id="graph"),
    pytest.param(("rules",), "iacguard.cli._rules.collect_checks", False, id="rules"),
    pytest.param(("explain", "IAM301"), "iacguard.cli._rules.collect_checks", False, id="explain"),
    pytest.param(("plugins",), "iacguard.plugins.describe_plugins", False, id="plugins"),
    pytest.param(("config",), "iacguard.cli._rules.load_config", False, id="config"),
    pytest.param(
        ("diff", TERRAFORM / "diff_narrowed" / "plan.json"),
        "iacguard.diff.compare.compare",
        True,
        id="diff",
    ),
]


@pytest.mark.parametrize(("args", "target", "has_debug"), CORE_CRASHES)
def test_a_crash_in_core_code_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, args: tuple[str | Path, ...], target: str, has_debug: bool
) -> None:
    monkeypatch.setattr(target, _raise(KeyError("key")))
    outcome = invoke(*args)
    hint = " (--debug shows the traceback)" if has_debug else ""
    assert outcome.exit_code == ExitCode.USAGE_ERROR
    assert outcome.exception is None
    assert (outcome.stdout, outcome.stderr) == (
        "",
        f"iacguard: error: internal error: KeyError: 'key'{hint}\n",
    )


@pytest.mark.parametrize(
    ("error", "described"),
    [
        pytest.param(
            RuntimeError("two\nlines \x1b[31m"), "RuntimeError: two\\nlines \\x1b[31m", id="escaped"
        ),
        pytest.param(SystemExit(0), "SystemExit: 0", id="SystemExit"),
        pytest.param(SystemExit(), "SystemExit", id="no-message"),
        pytest.param(ValueError("x" * 5000), f"ValueError: {'x' * 300}...", id="long-message"),
        pytest.param(_Unprintable(), "_Unprintable", id="unprintable"),
    ],
)
def test_the_line_names_the_exception_on_one_line(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, described: str
) -> None:
    monkeypatch.setattr("iacguard.cli._check.scan", _raise(error))
    outcome = invoke("check", PLAN)
    assert (outcome.exit_code, outcome.stderr) == (
        ExitCode.USAGE_ERROR,
        f"iacguard: error: internal error: {described} (--debug shows the traceback)\n",
    )


@pytest.mark.parametrize(("args", "target", "has_debug"), CORE_CRASHES[:3])
def test_debug_reraises_the_crash(
    monkeypatch: pytest.MonkeyPatch, args: tuple[str | Path, ...], target: str, has_debug: bool
) -> None:
    error = RuntimeError("a bug")
    monkeypatch.setattr(target, _raise(error))
    outcome = invoke(*args, "--debug")
    assert outcome.exception is error
    assert error_lines(outcome) == []


def test_an_os_error_is_named_without_calling_it_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("iacguard.views.access.write_access", _raise(BrokenPipeError(32, "gone")))
    outcome = invoke("access", PLAN)
    assert outcome.exit_code == ExitCode.USAGE_ERROR
    assert outcome.stderr == "iacguard: error: BrokenPipeError: [Errno 32] gone\n"


def test_keyboard_interrupt_is_not_swallowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("iacguard._run_checks._hits", _raise(KeyboardInterrupt()))
    outcome = invoke("check", PLAN)
    assert outcome.exit_code == 130  # typer's own answer to Ctrl-C
    assert error_lines(outcome) == []


# --- plugins that crash or call sys.exit() -------------------------------------------


@pytest.mark.parametrize(
    ("plugin", "expected"),
    [
        pytest.param(
            "exits_on_import",
            ["plugin tests.plugin_samples.exits_on_import failed to load: SystemExit: 0 [IAM004]"],
            id="import",
        ),
        pytest.param(
            "exits_in_hooks",
            [
                "plugin tests.plugin_samples.exits_in_hooks failed to register its checks: "
                "SystemExit: 3 [IAM004]",
                "plugin tests.plugin_samples.exits_in_hooks failed to register rule metadata: "
                "SystemExit: 4 [IAM004]",
                "plugin tests.plugin_samples.exits_in_hooks failed to register reporters: "
                "SystemExit: 5 [IAM004]",
            ],
            id="hooks",
        ),
        pytest.param(
            "exits_in_check",
            [
                "check TEST002 (exits) of plugin tests.plugin_samples.exits_in_check crashed: "
                "SystemExit: 0 [IAM002]"
            ],
            id="check",
        ),
        pytest.param(
            "crashing",
            [
                "check TEST001 (always_crashes) of plugin tests.plugin_samples.crashing crashed: "
                "RuntimeError: boom [IAM002]"
            ],
            id="check-raises",
        ),
    ],
)
def test_a_plugin_that_exits_is_a_diagnostic_and_the_others_still_run(
    plain_findings: list[tuple[str, str]], plugin: str, expected: list[str]
) -> None:
    outcome = invoke("check", PLAN, "-f", "json", "--plugin", f"tests.plugin_samples.{plugin}")
    assert outcome.exit_code == ExitCode.USAGE_ERROR
    assert outcome.stderr.splitlines() == [f"iacguard: error: {line}" for line in expected]
    assert json.loads(outcome.stdout)["complete"] is False
    assert findings_of(outcome.stdout) == plain_findings


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("rules",), id="rules"),
        pytest.param(("explain", "IAM301"), id="explain"),
        pytest.param(("plugins",), id="plugins"),
    ],
)
def test_listings_with_a_plugin_that_exits_are_incomplete(args: tuple[str, ...]) -> None:
    outcome = invoke(*args, "--plugin", "tests.plugin_samples.exits_in_hooks")
    assert outcome.exit_code == ExitCode.USAGE_ERROR
    assert "IAM301" in outcome.stdout  # the built-in rules are still listed
    assert error_lines(outcome)[0] == (
        "iacguard: error: plugin tests.plugin_samples.exits_in_hooks failed to register its "
        "checks: SystemExit: 3 [IAM004]"
    )


# --- reporters ------------------------------------------------------------------------

REPORTERS = "tests.plugin_samples.broken_reporters"


@pytest.mark.parametrize(
    ("broken", "line"),
    [
        pytest.param("boom", "the boom report crashed: ValueError: kaboom", id="raises"),
        pytest.param("quits", "the quits report crashed: SystemExit: 0", id="exits"),
    ],
)
def test_a_crashing_reporter_does_not_stop_the_other_formats(
    tmp_path: Path, plain_findings: list[tuple[str, str]], broken: str, line: str
) -> None:
    report = tmp_path / "report.json"
    outcome = invoke(
        "check", PLAN, "--plugin", REPORTERS, "-f", "json", "-o", report, "-f", broken, "-f", "text"
    )
    assert outcome.exit_code == ExitCode.USAGE_ERROR
    assert outcome.stderr == f"iacguard: error: {line}\n"
    assert findings_of(report.read_text()) == plain_findings
    assert outcome.stdout.splitlines()[-1].startswith(f"{len(plain_findings)} findings (")


def test_a_report_that_cannot_be_written_does_not_stop_the_others(
    tmp_path: Path, plain_findings: list[tuple[str, str]]
) -> None:
    report = tmp_path / "report.json"
    outcome = invoke("check", PLAN, "-f", "sarif", "-o", tmp_path, "-f", "json", "-o", report)
    assert outcome.exit_code == ExitCode.USAGE_ERROR
    assert outcome.stderr == (
        f"iacguard: error: cannot write the sarif report to {tmp_path}: Is a directory\n"
    )
    assert findings_of(report.read_text()) == plain_findings


def test_two_broken_reports_are_one_line(tmp_path: Path) -> None:
    outcome = invoke("check", PLAN, "--plugin", REPORTERS, "-f", "boom", "-f", "quits")
    assert outcome.exit_code == ExitCode.USAGE_ERROR
    assert outcome.stderr == (
        "iacguard: error: the boom report crashed: ValueError: kaboom; "
        "the quits report crashed: SystemExit: 0\n"
    )


def test_debug_reraises_a_reporter_crash() -> None:
    outcome = invoke("check", PLAN, "--plugin", REPORTERS, "-f", "boom", "--debug")
    assert isinstance(outcome.exception, ValueError)


def test_soft_fail_does_not_hide_a_broken_report() -> None:
    outcome = invoke("check", PLAN, "--plugin", REPORTERS, "-f", "boom", "--soft-fail")
    assert outcome.exit_code == ExitCode.USAGE_ERROR


# --- configuration and baselines of the wrong shape -----------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        pytest.param(
            "pyproject.toml", "tool = 5\n", "{path}: [tool] must be a table", id="tool-not-a-table"
        ),
        pytest.param(
            "pyproject.toml",
            "[tool]\niacguard = [1]\n",
            "{path}: [tool.iacguard] must be a table",
            id="iacguard-not-a-table",
        ),
        pytest.param(
            ".iacguard.toml",
            'baseline = "a\\u0000b"\n',
            "{dir}/a\\x00b: cannot read baseline: embedded null byte",
            id="nul-in-baseline-path",
        ),
    ],
)
def test_configuration_of_the_wrong_shape(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    config = tmp_path / name
    config.write_text(content)
    outcome = invoke("check", PLAN, "--config", config)
    expected = message.format(path=config, dir=tmp_path)
    assert (outcome.exit_code, outcome.stderr) == (2, f"iacguard: error: {expected}\n")


NOT_A_BASELINE = "not an iacguard baseline (version 1)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("[1, 2]", NOT_A_BASELINE, id="list"),
        pytest.param('"findings"', NOT_A_BASELINE, id="string"),
        pytest.param("null", NOT_A_BASELINE, id="null"),
        pytest.param("5", NOT_A_BASELINE, id="number"),
        pytest.param('{"version": 1, "findings": {}}', NOT_A_BASELINE, id="findings-object"),
        pytest.param('{"version": "1", "findings": []}', NOT_A_BASELINE, id="version-string"),
        pytest.param(
            '{"version": 1, "findings": [5]}', "malformed baseline entry 5", id="entry-number"
        ),
        pytest.param(
            '{"version": 1, "findings": [{"rule_id": 1, "file": "f", "resource": "r"}]}',
            "malformed baseline entry {'rule_id': 1, 'file': 'f', 'resource': 'r'}",
            id="entry-wrong-types",
        ),
    ],
)
def test_a_baseline_of_the_wrong_shape(tmp_path: Path, content: str, message: str) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content)
    outcome = invoke("check", PLAN, "--baseline", baseline)
    assert (outcome.exit_code, outcome.stderr) == (2, f"iacguard: error: {baseline}: {message}\n")


# --- file names that are not UTF-8 -----------------------------------------------------


@pytest.fixture(scope="module")
def undecodable_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory named in Latin-1 holding a plan, a template and a Terraform root, each
    named with bytes that are not UTF-8 (they reach Python as surrogate escapes)."""
    root = os.fsencode(tmp_path_factory.mktemp("names")) + b"/d\xe9p\xf4t"
    os.makedirs(root + b"/root\xff")
    with open(root + b"/plan\xfe.json", "wb") as plan:
        plan.write(SMALL_PLAN.encode())
    with open(root + b"/t\xff.yaml", "wb") as template:
        template.write(ACCENTED_TEMPLATE.encode())
    with open(root + b"/root\xff/main\xff.tf", "wb") as tf:
        tf.write(
            b'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ '
            b'Effect = "Allow", Action = "*", Resource = "*" }] })\n}\n'
        )
    return Path(os.fsdecode(root))


#: what each format shows of the undecodable names: surrogates escaped, never an error
UNDECODABLE = [
    pytest.param(("-f", "text"), "d\\udce9p\\udcf4t/t\\udcff.yaml", id="text"),
    pytest.param(("-f", "json"), "d\\udce9p\\udcf4t/t\\udcff.yaml", id="json"),
    pytest.param(("-f", "sarif"), "d%E9p%F4t/t%FF.yaml", id="sarif"),
    # XML cannot hold the escapes' meaning either way: JUnit shows U+FFFD (#13)
    pytest.param(("-f", "junit"), "d\ufffdp\ufffdt/t\ufffd.yaml", id="junit"),
    pytest.param(("-f", "github"), "d\\udce9p\\udcf4t/t\\udcff.yaml", id="github"),
    # Markdown escapes the backslashes themselves (they render as one)
    pytest.param(("-f", "markdown"), "d\\\\udce9p\\\\udcf4t/t\\\\udcff.yaml", id="markdown"),
    pytest.param(("-f", "gitlab"), "d\\udce9p\\udcf4t/t\\udcff.yaml", id="gitlab"),
]


@pytest.mark.parametrize(("args", "shown"), UNDECODABLE)
def test_file_names_that_are_not_utf8(
    undecodable_tree: Path, args: tuple[str, ...], shown: str
) -> None:
    outcome = invoke("check", undecodable_tree, *args)
    assert (outcome.exit_code, outcome.stderr) == (ExitCode.FINDINGS, "")
    assert shown in outcome.stdout


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "markdown"])
def test_file_names_that_are_not_utf8_in_an_output_file(
    undecodable_tree: Path, tmp_path: Path, fmt: str
) -> None:
    report = tmp_path / f"report.{fmt}"
    outcome = invoke("check", undecodable_tree, "-f", fmt, "-o", report)
    assert (outcome.exit_code, outcome.stderr) == (ExitCode.FINDINGS, "")
    text = report.read_text(encoding="utf-8")
    shown = ("t\\udcff.yaml", "t\\\\udcff.yaml", "t%FF.yaml", "t\ufffd.yaml")
    assert any(name in text for name in shown)


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        pytest.param(("access",), "d\\udce9p\\udcf4t/plan\\udcfe.json\n", id="access"),
        pytest.param(("graph",), '"1:D\u00e9v"', id="graph-dot"),
        pytest.param(("graph", "-f", "json"), '"label": "aws_iam_policy.p"', id="graph-json"),
        pytest.param(("graph", "-f", "mermaid"), '["D\u00e9v [user]"]', id="graph-mermaid"),
    ],
)
def test_views_of_file_names_that_are_not_utf8(
    undecodable_tree: Path, args: tuple[str, ...], shown: str
) -> None:
    outcome = invoke(*args, undecodable_tree)
    assert (outcome.exit_code, outcome.stderr) == (ExitCode.OK, "")
    assert shown in outcome.stdout


# --- a stdout that is not UTF-8 ---------------------------------------------------------


@pytest.fixture(scope="module")
def accented(tmp_path_factory: pytest.TempPathFactory) -> Path:
    template = tmp_path_factory.mktemp("accented") / "template.yaml"
    template.write_text(ACCENTED_TEMPLATE, encoding="utf-8")
    return template


@pytest.mark.parametrize(
    ("args", "code", "shown"),
    [
        pytest.param(("check", "-f", "text"), 1, "  D\\xe9v  (line 7)", id="text"),
        pytest.param(("check", "-f", "json"), 1, '"D\\u00e9v"', id="json"),
        pytest.param(("check", "-f", "sarif"), 1, "D\\u00e9v", id="sarif"),
        pytest.param(("check", "-f", "junit"), 1, "::D\\xe9v", id="junit"),
        pytest.param(("check", "-f", "github"), 1, "policy 'caf\\xe9'", id="github"),
        pytest.param(("check", "-f", "markdown"), 1, "on user 'D\\xe9v'", id="markdown"),
        pytest.param(("access",), 0, "user 'D\\xe9v'", id="access"),
        pytest.param(("graph",), 0, '"D\\xe9v"', id="graph"),
    ],
)
def test_a_stdout_that_is_not_utf8(
    accented: Path, args: tuple[str, ...], code: int, shown: str
) -> None:
    outcome = invoke(*args, accented, charset="ascii")
    assert (outcome.exit_code, outcome.stderr) == (code, "")
    assert shown in outcome.stdout


def test_the_real_entry_point_on_an_ascii_stdout(tmp_path: Path) -> None:
    """Python sets up its own stdout from PYTHONIOENCODING: only a new process shows it.
    (A plan without its source: the quickest scan to start.)"""
    plan = tmp_path / "plan.json"
    policy = {"name": "caf\u00e9", "policy": json.dumps(ADMIN)}
    resource = {"address": "aws_iam_policy.p", "type": "aws_iam_policy", "values": policy}
    plan.write_text(
        json.dumps(
            {"format_version": "1.2", "planned_values": {"root_module": {"resources": [resource]}}}
        )
    )
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "NO_COLOR": "1"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    done = subprocess.run(
        [sys.executable, "-m", "iacguard", "check", str(plan)],
        capture_output=True,
        text=True,
        encoding="ascii",
        env=env,
        check=False,
    )
    assert (done.returncode, done.stderr) == (ExitCode.FINDINGS, "")
    assert "policy 'caf\\xe9' statement 1 allows '*' on '*'" in done.stdout


# --- access and graph read inputs as check does ------------------------------------------


@pytest.fixture(scope="module")
def mixed_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good plan, a broken template and two files that are neither."""
    root = tmp_path_factory.mktemp("mixed")
    (root / "plan.json").write_text(SMALL_PLAN)
    (root / "broken.yaml").write_text(BROKEN_TEMPLATE)
    (root / "package.json").write_text('{"name": "x"}')
    (root / "tsconfig.json").write_text("{}")
    return root


VIEWS = [
    pytest.param(("check", "-f", "json"), id="check"),
    pytest.param(("access",), id="access"),
    pytest.param(("graph", "-f", "json"), id="graph"),
]


@pytest.mark.parametrize("args", VIEWS)
def test_views_report_bad_input_as_check_does(mixed_tree: Path, args: tuple[str, ...]) -> None:
    outcome = invoke(*args, mixed_tree)
    assert outcome.exit_code == ExitCode.USAGE_ERROR
    assert outcome.stderr.splitlines() == [
        f"iacguard: error: {mixed_tree}/broken.yaml: invalid template: did not find expected "
        "node content [IAM001]",
        "iacguard: note: skipped 2 files that are not a Terraform plan (terraform show -json) "
        "or a CloudFormation template (-v lists them) [IAM003]",
    ]
    assert outcome.stdout  # what parsed is still shown


@pytest.mark.parametrize("args", VIEWS)
def test_views_list_skipped_files_with_verbose(mixed_tree: Path, args: tuple[str, ...]) -> None:
    outcome = invoke(*args, mixed_tree, "-v")
    skipped = [line for line in outcome.stderr.splitlines() if "skipped:" in line]
    assert [line.split("skipped: ")[1].split(":")[0] for line in skipped] == [
        f"{mixed_tree}/package.json",
        f"{mixed_tree}/tsconfig.json",
    ]


@pytest.mark.parametrize("args", VIEWS)
def test_views_survive_a_parser_crash_as_check_does(
    monkeypatch: pytest.MonkeyPatch, mixed_tree: Path, args: tuple[str, ...]
) -> None:
    from iacguard import engine

    real_parse = engine.parse

    def parse(source: object, *args: object) -> object:
        if str(getattr(source, "path", "")).endswith("plan.json"):
            raise IndexError("parser bug")
        return real_parse(source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "parse", parse)
    outcome = invoke(*args, mixed_tree)
    assert outcome.exit_code == ExitCode.USAGE_ERROR
    assert error_lines(outcome) == [
        f"iacguard: error: {mixed_tree}/broken.yaml: invalid template: did not find expected "
        "node content [IAM001]",
        f"iacguard: error: {mixed_tree}/plan.json: internal error while parsing: IndexError "
        "[IAM001]",
    ]


@pytest.mark.parametrize("command", ["access", "graph"])
def test_views_of_a_path_with_nothing_to_scan(tmp_path: Path, command: str) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    outcome = invoke(command, tmp_path)
    assert (outcome.exit_code, outcome.stdout) == (ExitCode.USAGE_ERROR, "")
    assert outcome.stderr == (
        f"iacguard: error: {tmp_path}: directory holds nothing iacguard can scan\n"
    )
