"""A scanned tree that tries to hijack the output, read secrets out, or reach the
filesystem (#13, scope 3-5): injection, leak and filesystem cases of the hostile corpus.

Every case runs in-process (the CLI through ``CliRunner``) in a temporary working
directory and asserts the exact outcome: exit code, the line that says what happened,
and what must never appear. No case depends on time.
"""

from __future__ import annotations

import io
import json
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from iacguard.cli import app
from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.plugins import collect_checks, collect_reporters, get_plugin_manager
from iacguard.report import Silenced, silenced

ADMIN = json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
#: every format of ``check``
FORMATS = ("text", "github", "json", "sarif", "junit", "markdown", "gitlab", "concise")
#: the runner's two command syntaxes (actions/runner ActionCommand.cs): ``::`` at the
#: start of a line after white space is trimmed, ``##[`` anywhere in a line
_COMMAND_LINE = re.compile(r"^\s*::|##\[", re.MULTILINE)
#: what iacguard's own workflow commands look like
_OWN_COMMAND = re.compile(r"^::(error|warning|notice) [^\n]*::[^\n]*$")


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory: the hostile tree is written into it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    for name in [n for n in os.environ if n.startswith("IACGUARD_")]:
        monkeypatch.delenv(name)
    return tmp_path


def _run(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def _resource(
    rtype: str,
    name: str,
    values: Mapping[str, object],
    sensitive: Mapping[str, object] | None = None,
    address: str | None = None,
) -> dict[str, object]:
    masks = dict(sensitive or {})
    return {"address": address or f"{rtype}.{name}", "mode": "managed", "type": rtype,
            "name": name, "values": dict(values), "sensitive_values": masks}  # fmt: skip


def _plan(path: Path, *resources: dict[str, object], **extra: object) -> Path:
    plan = {"format_version": "1.2",
            "planned_values": {"root_module": {"resources": list(resources)}}, **extra}  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan))
    return path


def _admin_plan(path: Path, address: str = "aws_iam_policy.p", name: str = "p") -> Path:
    return _plan(
        path, _resource("aws_iam_policy", "p", {"name": name, "policy": ADMIN}, None, address)
    )


def _assert_no_foreign_command(text: str, *, github: bool = False) -> None:
    """No line the runner would read as a command, except (for ``github``) iacguard's
    own annotations, whose every line is one."""
    if github:
        for line in text.splitlines():
            assert _OWN_COMMAND.match(line), line
    else:
        assert not _COMMAND_LINE.search(text), _COMMAND_LINE.search(text)


def _scan(path: Path, options: ScanOptions | None = None) -> ScanResult:
    registry, problems = collect_checks(get_plugin_manager(load_entrypoints=False))
    assert not problems
    return scan([path], registry, options or ScanOptions())


def _render(result: ScanResult, fmt: str) -> str:
    reporters, problems = collect_reporters(get_plugin_manager(load_entrypoints=False))
    assert not problems
    stream = io.StringIO()
    reporters[fmt].render(result, stream)
    return stream.getvalue()


# =========================================================================== injection


@pytest.mark.parametrize("fmt", FORMATS)
def test_injection_file_named_as_a_workflow_command(tree: Path, fmt: str) -> None:
    _admin_plan(tree / "::stop-commands::pwned.json")
    done = _run("check", ".", "-f", fmt)
    assert done.exit_code == 1
    _assert_no_foreign_command(done.stdout, github=fmt == "github")
    _assert_no_foreign_command(done.stderr)
    if fmt == "github":
        assert done.stdout.startswith("::error file=%3A%3Astop-commands%3A%3Apwned.json,title=")
    if fmt == "text":
        assert done.stdout.startswith("\\x3a:stop-commands::pwned.json\n")
    if fmt == "json":  # the escape keeps the meaning: the report names the real file
        assert json.loads(done.stdout)["inputs"] == ["::stop-commands::pwned.json"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_injection_legacy_command_in_names(tree: Path, fmt: str) -> None:
    address = 'aws_iam_policy.p["##[error]x"]'
    _admin_plan(tree / "##[add-mask]x.json", address=address, name="##[set-output name=a]b")
    done = _run("check", ".", "-f", fmt)
    assert done.exit_code == 1
    _assert_no_foreign_command(done.stdout, github=fmt == "github")
    if fmt == "json":
        (finding,) = json.loads(done.stdout)["findings"]
        assert finding["resource"] == address
        assert finding["message"] == "policy '##[set-output name=a]b' statement 1 allows '*' on '*'"
    if fmt == "junit":
        root = ET.fromstring(done.stdout.split("\n", 1)[1])
        (case,) = [c for c in root.iter("testcase") if c.find("failure") is not None]
        assert case.get("name") == f"##[add-mask]x.json::{address}"


def test_injection_line_breaks_and_separators_in_annotation_properties(tree: Path) -> None:
    name = "a,b:c%d\r\n::set-output name=x::y.json"
    _admin_plan(tree / name, name="p\n::warning::forged")
    done = _run("check", ".", "-f", "github")
    assert done.exit_code == 1
    (line,) = done.stdout.splitlines()
    assert line == (
        "::error file=a%2Cb%3Ac%25d%0D%0A%3A%3Aset-output name=x%3A%3Ay.json,"
        "title=IAM301 (critical) Policy grants every action on every resource::"
        "policy 'p%0A::warning::forged' statement 1 allows '*' on '*' (aws_iam_policy.p)"
        "%0AFix: grant the actions and resources the workload uses; keep break-glass "
        "administrator access in a separate role, assumed with MFA and monitored."
    )


def test_injection_terminal_escapes_and_line_breaks_in_the_text_report(tree: Path) -> None:
    _admin_plan(tree / "plan.json", address='aws_iam_policy.p["\x1b[2J\n::error::x"]')
    done = _run("check", "plan.json")
    assert done.exit_code == 1
    assert "\x1b" not in done.stdout
    assert '  aws_iam_policy.p["\\x1b[2J\\n::error::x"]\n' in done.stdout
    _assert_no_foreign_command(done.stdout)


def test_injection_stderr_error_line_for_a_hostile_file_name(tree: Path) -> None:
    bad = tree / "x\n::error::forged\x1b[31m.json"
    bad.write_text('{"format_version": "1.2", "planned_values": ')
    done = _run("check", bad.name)
    assert done.exit_code == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("iacguard: error: x\\n::error::forged\\x1b[31m.json: ")
    _assert_no_foreign_command(done.stderr)


def test_injection_stderr_diagnostic_for_a_hostile_file_name(tree: Path) -> None:
    (tree / "##[error]\n::x.json").write_text("{not json")  # found in a directory: skipped
    _admin_plan(tree / "plan.json")
    done = _run("check", ".", "-f", "json")
    assert done.exit_code == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith(
        "iacguard: note: skipped: \\x23#[error]\\n::x.json: not a Terraform plan"
    )
    assert line.endswith(" [IAM003]")


def test_injection_markdown_code_links_images_html_and_pipes(tree: Path) -> None:
    address = 'aws_iam_policy.p["``|<img src=x onerror=alert(1)>[a](https://e.x)"]'
    _admin_plan(tree / "plan.json", address=address, name="![i](http://e.x/t.png) www.e.x")
    done = _run("check", "plan.json", "-f", "markdown")
    assert done.exit_code == 1
    (row,) = [line for line in done.stdout.splitlines() if line.startswith("| critical | IAM")]
    assert row == (
        '| critical | IAM301 | <code>aws\\_iam\\_policy.p\\["\\`\\`\\|&lt;img src=x '
        'onerror=alert(1)&gt;\\[a\\](https&#58;//e.x)"\\]</code> | <code>plan.json</code> '
        "| policy '!\\[i\\](http&#58;//e.x/t.png) www&#46;e.x' statement 1 allows '\\*' on "
        "'\\*' |"
    )


def test_injection_xml_control_characters_in_junit(tree: Path) -> None:
    _admin_plan(tree / "plan.json", address='aws_iam_policy.p["\x00\x08\ud800"]', name="p\x0b")
    done = _run("check", "plan.json", "-f", "junit")
    assert done.exit_code == 1
    root = ET.fromstring(done.stdout.split("\n", 1)[1])  # well-formed XML
    (case,) = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert case.get("name") == 'plan.json::aws_iam_policy.p["\ufffd\ufffd\ufffd"]'
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "policy 'p\ufffd' statement 1 allows '*' on '*'"


@pytest.mark.parametrize(
    "command",
    [("access",), ("graph", "-f", "dot"), ("graph", "-f", "mermaid"), ("graph", "-f", "json")],
    ids=lambda c: "-".join(c),
)
def test_injection_names_in_the_access_and_graph_views(
    tree: Path, command: tuple[str, ...]
) -> None:
    hostile = "##[error]u\n::error::y\x1b[31m"
    address = 'aws_iam_user.u["\r\n::warning::z ##[add-mask]"]'
    user = _resource("aws_iam_user", "u", {"name": hostile}, address=address)
    inline = _resource("aws_iam_user_policy", "a", {"user": hostile, "name": "a", "policy": ADMIN})
    _plan(tree / "::x.json", user, inline)
    done = _run(command[0], "::x.json", *command[1:])
    assert done.exit_code == 0, done.stderr
    assert "\x1b" not in done.stdout
    _assert_no_foreign_command(done.stdout)
    if command == ("access",):
        assert "user 'aws_iam_user.u[\"\\r\\n::warning::z \\x23#[add-mask]\"]' (" in done.stdout
    if command[-1] == "json":
        nodes = json.loads(done.stdout)["nodes"]
        assert address in {n["id"] for n in nodes}


# --------------------------------------------------------------------------- trust


def _config_tree(tree: Path, config: str) -> None:
    _admin_plan(tree / "plan.json")
    (tree / ".iacguard.toml").write_text(config)


def test_injection_config_plugin_is_not_loaded_without_opt_in(tree: Path) -> None:
    _config_tree(tree, 'plugins = ["tests.plugin_samples.crashing"]\nrules-dir = ["rules"]\n')
    done = _run("check", "plan.json", "-f", "json")
    assert done.exit_code == 1  # the admin policy; the crashing plugin never ran
    assert done.stderr == (
        "iacguard: warning: .iacguard.toml: not applied without --allow-config-plugins "
        "(a configuration file may come from the scanned tree): "
        "plugins = ['tests.plugin_samples.crashing']; rules-dir = ['rules'] [IAM004]\n"
    )
    report = json.loads(done.stdout)
    assert [f["rule_id"] for f in report["findings"]] == ["IAM301"]
    allowed = _run("check", "plan.json", "--allow-config-plugins", "--rules-dir", ".")
    assert allowed.exit_code == 2  # the user opted in: the plugin's check ran (and crashed)
    assert "check TEST001 (always_crashes) of plugin tests.plugin_samples.crashing" in (
        allowed.stderr
    )


@pytest.mark.parametrize(("flag", "code"), [("--no-soft-fail", 1), ("--soft-fail", 0), (None, 0)])
def test_injection_config_soft_fail_loses_to_the_command_line(
    tree: Path, flag: str | None, code: int
) -> None:
    _config_tree(tree, "soft-fail = true\n")
    done = _run("check", "plan.json", *([flag] if flag else []))
    assert done.exit_code == code


_SILENCING_TF = """\
# iacguard:ignore:IAM301 accepted by the pull request itself
resource "aws_iam_policy" "admin" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}

resource "aws_iam_user" "u" {
  name = "u"
}
"""


def test_injection_silencing_shows_in_every_format(tree: Path) -> None:
    (tree / "main.tf").write_text(_SILENCING_TF)
    (tree / ".iacguard.toml").write_text('ignore = ["IAM202"]\n')
    result = _scan(tree, ScanOptions())
    assert [s.finding.rule_id for s in result.suppressed] == ["IAM301"]
    done = _run("check", ".", "-f", "json")
    assert done.exit_code == 0
    report = json.loads(done.stdout)
    assert report["findings"] == []
    assert report["summary"]["silenced"] == {
        "inline": 1, "config": 0, "baseline": 0, "rules_off": 1,
        "below_min_severity": 0, "severity_changed": 0,
    }  # fmt: skip
    said = "1 suppressed (1 inline), 1 rule off"
    text = _run("check", ".").stdout
    assert text == f"0 findings in 1 file, {report['summary']['rules']} rules checked, {said}\n"
    assert f"Not shown: {said}." in _run("check", ".", "-f", "markdown").stdout
    assert _run("check", ".", "-f", "github").stdout == (
        f"::notice title=iacguard::Not shown: {said}\n"
    )
    sarif = json.loads(_run("check", ".", "-f", "sarif").stdout)
    assert sarif["runs"][0]["properties"]["silenced"]["inline"] == 1
    junit = ET.fromstring(_run("check", ".", "-f", "junit").stdout.split("\n", 1)[1])
    properties = {p.get("name"): p.get("value") for p in junit.iter("property")}
    assert properties["iacguard.silenced.inline"] == "1"
    assert properties["iacguard.silenced.rules_off"] == "1"


def test_silenced_counts_baseline_config_and_severity() -> None:
    assert Silenced(inline=1, config=2, baseline=3, severity_changed=1).describe() == (
        "6 suppressed (1 inline, 2 config, 3 baseline), 1 with a changed severity"
    )
    assert Silenced().describe() == ""


# =========================================================================== leak

SECRET = "s3cr3t-Seeded-Value-8Kq"


def _sensitive_plan(tree: Path) -> Path:
    external_id = {"StringEquals": {"sts:ExternalId": SECRET}}
    policy = json.dumps(
        {
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": external_id}
            ]
        }
    )
    user = _resource("aws_iam_user", "u", {"name": "u", "tags": {"owner": SECRET, "team": "a"}},
                     {"tags": {"owner": True}})  # fmt: skip
    inline = _resource("aws_iam_user_policy", "admin",
                       {"user": "u", "name": "a", "policy": ADMIN}, None)  # fmt: skip
    hidden = _resource("aws_iam_policy", "hidden", {"name": "hidden", "policy": policy}, None)
    role = _resource(
        "aws_iam_role", "r",
        {"name": "r", "assume_role_policy": json.dumps({"Statement": [{"Effect": "Allow",
         "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}}]}),
         "inline_policy": [{"name": "i", "policy": ADMIN}], "description": SECRET},
    )  # fmt: skip
    changes = [
        {"address": "aws_iam_policy.hidden", "type": "aws_iam_policy",
         "change": {"actions": ["create"], "after": hidden["values"], "after_unknown": {},
                    "after_sensitive": {"policy": True}}},
        {"address": "aws_iam_role.r", "type": "aws_iam_role",
         "change": {"actions": ["create"], "after": role["values"], "after_unknown": {},
                    "after_sensitive": {"description": True, "inline_policy": [{"name": True}]}}},
    ]  # fmt: skip
    prior = {"values": {"root_module": {"resources": [{
        "address": "data.aws_iam_policy_document.d", "mode": "data",
        "type": "aws_iam_policy_document", "name": "d",
        "values": {"json": json.dumps({"Statement": [{"Effect": "Allow", "Action": SECRET,
                                                      "Resource": "*"}]}),
                   "statement": [{"effect": "Allow", "actions": [SECRET], "resources": ["*"]}]},
        "sensitive_values": {"json": True, "statement": [{"actions": [True]}]}}]}}}  # fmt: skip
    variables = {"root_module": {"variables": {"token": {"sensitive": True}}}}
    given = {"token": {"value": SECRET}}
    return _plan(tree / "plan.json", user, inline, hidden, role, resource_changes=changes,
                 prior_state=prior, configuration=variables, variables=given)  # fmt: skip


@pytest.mark.parametrize(
    "command",
    [
        *(("check", "plan.json", "-f", fmt, "-v") for fmt in FORMATS),
        ("access", "plan.json"),
        *(("graph", "plan.json", "-f", fmt) for fmt in ("dot", "mermaid", "json")),
    ],
    ids=lambda c: "-".join(c[::2]),
)
def test_leak_sensitive_values_in_every_format_and_view(
    tree: Path, command: tuple[str, ...]
) -> None:
    _sensitive_plan(tree)
    done = _run(*command)
    assert done.exit_code == (1 if command[0] == "check" else 0), done.stderr
    assert SECRET not in done.stdout
    assert SECRET not in done.stderr


def test_leak_sensitive_parts_read_as_sensitive(tree: Path) -> None:
    result = _scan(_sensitive_plan(tree))
    assert {(f.rule_id, f.address) for f in result.findings if f.rule_id == "IAM301"} == {
        ("IAM301", "aws_iam_role.r"),
        ("IAM301", "aws_iam_user_policy.admin"),
    }
    inline = next(f for f in result.findings if f.rule_id == "IAM301" and "role" in f.address)
    assert inline.message == "inline policy '(sensitive)' statement 1 allows '*' on '*'"
    warnings = [d.message for d in result.diagnostics if d.code == "IAM003"]
    assert (
        warnings
        == [
            "plan.json: aws_iam_policy.hidden.policy is marked sensitive in the plan and not "
            "analysed (scan it with its Terraform source: --source DIR)",
            "plan.json: data.aws_iam_policy_document.d.json is marked sensitive in the plan and "
            "not analysed (scan it with its Terraform source: --source DIR)",
        ][:1]
    )


# =========================================================================== filesystem


def _outside(tmp_path: Path) -> Path:
    """A plan with findings outside the scanned tree."""
    return _admin_plan(tmp_path / "outside" / "plan.json", name=SECRET)


def test_filesystem_symlinked_file_out_of_the_tree_is_not_followed(tree: Path) -> None:
    scanned = tree / "repo"
    _plan(scanned / "clean.json", _resource("aws_iam_user", "u", {"name": "u"}))
    (scanned / "evil.json").symlink_to(_outside(tree))
    done = _run("check", "repo", "-f", "json")
    assert done.exit_code == 1  # IAM202 of the clean plan only
    assert SECRET not in done.stdout
    assert done.stderr == (
        "iacguard: warning: repo/evil.json: symbolic link to a path outside repo, "
        "not followed [IAM003]\n"
    )
    assert json.loads(done.stdout)["inputs"] == ["repo/clean.json"]


def test_filesystem_symlinked_directory_out_of_the_tree_is_named(tree: Path) -> None:
    scanned = tree / "repo"
    _plan(scanned / "clean.json", _resource("aws_iam_user", "u", {"name": "u"}))
    (scanned / "sub").mkdir()
    (scanned / "sub" / "shared").symlink_to(_outside(tree).parent, target_is_directory=True)
    done = _run("check", "repo")
    assert done.exit_code == 1
    assert SECRET not in done.stdout
    assert done.stderr == (
        "iacguard: warning: repo/sub/shared: symbolic link to a path outside repo, "
        "not followed [IAM003]\n"
    )


def test_filesystem_symlink_inside_the_tree_is_followed(tree: Path) -> None:
    _admin_plan(tree / "repo" / "plans" / "prod.json")
    (tree / "repo" / "current.json").symlink_to(Path("plans") / "prod.json")
    done = _run("check", "repo", "-f", "json")
    assert done.exit_code == 1
    assert done.stderr == ""
    assert json.loads(done.stdout)["inputs"] == ["repo/plans/prod.json"]  # scanned once


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink", "tf-in-directory", "baseline"])
def test_filesystem_output_that_is_an_input_is_refused(tree: Path, how: str) -> None:
    plan = _admin_plan(tree / "plan.json")
    (tree / "root").mkdir()
    (tree / "root" / "main.tf").write_text(_SILENCING_TF)
    before = {p: p.read_bytes() for p in (plan, tree / "root" / "main.tf")}
    target, scanned, option = {
        "same": (Path("plan.json"), "plan.json", "-o"),
        "symlink": (Path("report.json"), "plan.json", "-o"),
        "hardlink": (Path("copy.json"), "plan.json", "-o"),
        "tf-in-directory": (Path("root/main.tf"), "root", "-o"),
        "baseline": (Path("plan.json"), "plan.json", "--create-baseline"),
    }[how]
    if how == "symlink":
        target.symlink_to("plan.json")
    if how == "hardlink":
        target.hardlink_to("plan.json")
    args = ["check", scanned, option, target] + (["-f", "json"] if option == "-o" else [])
    done = _run(*args)
    assert done.exit_code == 2
    assert done.stderr == (
        f"iacguard: error: {target}: is an input of this scan, not overwritten with a report\n"
    )
    assert done.stdout == ""
    assert {p: p.read_bytes() for p in before} == before


def test_filesystem_output_next_to_the_input_is_written(tree: Path) -> None:
    _admin_plan(tree / "plan.json")
    done = _run("check", "plan.json", "-f", "json", "-o", "report.json")
    assert done.exit_code == 1
    assert json.loads((tree / "report.json").read_text())["findings"][0]["rule_id"] == "IAM301"


def test_silenced_of_a_plain_result_is_zero(tree: Path) -> None:
    result = _scan(_admin_plan(tree / "plan.json"))
    assert silenced(result) == Silenced()
    _assert_no_foreign_command(_render(result, "text"))
