"""The GitHub Action (action.yml + its script) and the pre-commit hooks."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
SCRIPT = ROOT / ".github" / "scripts" / "iacguard-action.sh"
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
_INPUT_EXPR = re.compile(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}")

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def _step(step_id: str) -> dict[str, Any]:
    return next(step for step in STEPS if step.get("id") == step_id)


def test_action_is_a_composite_action_with_documented_inputs_and_outputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["name"] == "iacguard"
    assert set(ACTION["inputs"]) == {
        "paths",
        "format",
        "output",
        "fail-on",
        "min-severity",
        "select",
        "ignore",
        "account",
        "soft-fail",
        "allow-config-plugins",
        "config",
        "baseline",
        "new-only",
        "base",
        "plugins",
        "upload-sarif",
        "version",
    }
    for name, spec in (*ACTION["inputs"].items(), *ACTION["outputs"].items()):
        assert spec["description"], name
    for name, spec in ACTION["inputs"].items():
        assert "default" in spec, f"input {name} needs a default"
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == f"${{{{ steps.scan.outputs.{name} }}}}"


def test_every_input_is_used() -> None:
    used = set(re.findall(r"\binputs\.([A-Za-z0-9_-]+)", yaml.safe_dump(STEPS)))
    assert used == set(ACTION["inputs"])


def test_no_expression_inside_run_scripts() -> None:
    for step in STEPS:
        if "run" in step:
            assert "${{" not in step["run"], f"step {step['name']!r} interpolates into shell"
            assert step["shell"] == "bash"


def test_input_variables_match_the_script() -> None:
    script = SCRIPT.read_text()
    read = set(re.findall(r"\bINPUT_[A-Z_]+", script))
    passed = {name for step in STEPS for name in step.get("env", {})}
    assert read == passed
    for step in STEPS:
        for name, value in step.get("env", {}).items():
            (input_name,) = _INPUT_EXPR.findall(value)
            assert name == "INPUT_" + input_name.upper().replace("-", "_")


def test_sarif_upload_is_conditional_and_survives_a_failing_scan() -> None:
    upload = next(s for s in STEPS if str(s.get("uses", "")).startswith("github/codeql-action"))
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@v")
    assert "inputs.upload-sarif == 'true'" in upload["if"]
    assert "!cancelled()" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"


def _scan_env(tmp_path: Path, **inputs: str) -> dict[str, str]:
    """The environment the action gives the scan step, for *inputs* over the defaults."""
    values = {name: str(spec["default"]) for name, spec in ACTION["inputs"].items()}
    values.update({name.replace("_", "-"): value for name, value in inputs.items()})
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("INPUT_", "IACGUARD_", "GITHUB_"))
    }
    for name, expression in _step("scan")["env"].items():
        env[name] = _INPUT_EXPR.sub(lambda m: values[m[1]], expression)
    env["PATH"] = os.pathsep.join((str(Path(sys.executable).parent), env.get("PATH", "")))
    env["RUNNER_TEMP"] = str(tmp_path)
    env["GITHUB_OUTPUT"] = str(tmp_path / "github_output")
    env["GITHUB_STEP_SUMMARY"] = str(tmp_path / "step_summary.md")
    env["NO_COLOR"] = "1"
    return env


def _run(tmp_path: Path, step: str = "scan", **inputs: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), step],
        env=_scan_env(tmp_path, **inputs),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def _outputs(tmp_path: Path) -> dict[str, str]:
    lines = (tmp_path / "github_output").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines)


@pytest.mark.parametrize(
    ("case", "inputs", "code"),
    [
        pytest.param("clean", {}, 0, id="clean"),
        pytest.param("admin_paths", {}, 1, id="findings"),
        pytest.param("admin_paths", {"soft_fail": "true"}, 0, id="soft-fail"),
        pytest.param("account", {"fail_on": "high"}, 0, id="below-fail-on"),
        pytest.param("account", {"fail_on": "medium"}, 1, id="at-fail-on"),
    ],
)
def test_script_writes_sarif_summary_outputs_and_exit_code(
    tmp_path: Path, case: str, inputs: dict[str, str], code: int
) -> None:
    sarif = tmp_path / "reports" / "iacguard.sarif"
    plan = f"fixtures/terraform/{case}/plan.json"
    completed = _run(tmp_path, paths=plan, output=str(sarif), **inputs)
    assert completed.returncode == code, completed.stdout + completed.stderr
    log = json.loads(sarif.read_text())
    results = log["runs"][0]["results"]
    for result in results:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith(f"fixtures/terraform/{case}/"), uri  # repo-relative
    outputs = _outputs(tmp_path)
    assert outputs["exit-code"] == str(code)
    assert outputs["sarif-file"] == str(sarif)
    assert int(outputs["findings"]) == len(results)
    by_level = sum(int(outputs[s]) for s in ("critical", "high", "medium", "low", "info"))
    assert by_level == len(results)
    summary = (tmp_path / "step_summary.md").read_text()
    assert summary.startswith("### iacguard\n")
    assert ("**No findings**" in summary) == (not results)
    # the default log formats: readable text and inline annotations
    if results:
        assert "::error file=" in completed.stdout or "::warning file=" in completed.stdout
    assert "rules checked" in completed.stdout


@pytest.mark.parametrize(
    ("case", "code", "findings"), [("diff_trust", 1, 1), ("diff_narrowed", 0, 0)]
)
def test_new_only_reports_what_the_change_adds_and_leads_with_the_diff(
    tmp_path: Path, case: str, code: int, findings: int
) -> None:
    completed = _run(tmp_path, paths=f"fixtures/terraform/{case}/plan.json", new_only="true")
    assert completed.returncode == code, completed.stdout + completed.stderr
    assert _outputs(tmp_path)["findings"] == str(findings)
    summary = (tmp_path / "step_summary.md").read_text()
    assert summary.startswith("### iacguard diff\n")
    assert "\n### iacguard\n" in summary  # the check's summary follows


def test_script_rejects_a_bad_new_only_value(tmp_path: Path) -> None:
    completed = _run(tmp_path, paths="fixtures/terraform/clean/plan.json", new_only="yes")
    assert completed.returncode == 2
    assert "new-only must be true or false, not 'yes'" in completed.stdout


def test_script_writes_extra_report_files(tmp_path: Path) -> None:
    junit = tmp_path / "out" / "junit.xml"
    completed = _run(
        tmp_path,
        paths="fixtures/terraform/admin_paths/plan.json",
        output=str(tmp_path / "r.sarif"),
        format=f"github, junit={junit}",
    )
    assert completed.returncode == 1
    assert junit.read_text().startswith("<?xml")
    assert "rules checked" not in completed.stdout  # no text format requested


def test_script_usage_error_exits_2_and_reports_no_stale_sarif(tmp_path: Path) -> None:
    sarif = tmp_path / "iacguard.sarif"
    sarif.write_text("{}")  # left by an earlier run: neither deleted nor reported
    completed = _run(tmp_path, paths="does/not/exist.json", output=str(sarif))
    assert completed.returncode == 2
    assert sarif.read_text() == "{}"
    outputs = _outputs(tmp_path)
    assert outputs == {"exit-code": "2"}
    assert "exited with 2 before writing a report" in (tmp_path / "step_summary.md").read_text()


def test_script_rejects_a_bad_soft_fail_value(tmp_path: Path) -> None:
    completed = _run(tmp_path, paths="fixtures/terraform/clean/plan.json", soft_fail="yes")
    assert completed.returncode == 2
    assert "soft-fail must be true or false" in completed.stdout


# --------------------------------------------------------------------------- hostile tree

#: a value the scanned tree marks sensitive, or keeps outside the tree
_SECRET = "Seeded-Action-Secret-55x"
_ADMIN = json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
#: iacguard's own annotations; any other line the runner would read as a command (a
#: ``::`` line start after white space, ``##[`` anywhere: actions/runner ActionCommand.cs)
#: is an injection
_OWN_ANNOTATION = re.compile(r"^::(error|warning|notice) [^\n]*::[^\n]*$")
_RUNNER_COMMAND = re.compile(r"^\s*::|##\[")


def _plan_file(path: Path, address: str, values: dict[str, Any], masks: dict[str, Any]) -> None:
    resource = {"address": address, "mode": "managed", "type": "aws_iam_policy", "name": "p",
                "values": values, "sensitive_values": masks}  # fmt: skip
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [resource]}}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan))


def _hostile_tree(tmp_path: Path) -> Path:
    """A pull request's tree: a config that switches the scan off and loads code, names
    that are workflow commands, Markdown and HTML, a sensitive value, and a link out."""
    repo = tmp_path / "repo"
    _plan_file(repo / "::stop-commands::x.json", 'aws_iam_policy.p["##[error]x\n::warning::y"]',
               {"name": "<img src=x>[a](https://e.x)`", "policy": _ADMIN}, {})  # fmt: skip
    _plan_file(repo / "sensitive.json", "aws_iam_policy.s",
               {"name": _SECRET, "policy": _ADMIN}, {"name": True})  # fmt: skip
    _plan_file(tmp_path / "outside" / "plan.json", "aws_iam_policy.o",
               {"name": _SECRET, "policy": _ADMIN}, {})  # fmt: skip
    (repo / "linked.json").symlink_to(tmp_path / "outside" / "plan.json")
    (repo / ".iacguard.toml").write_text(
        'soft-fail = true\nplugins = ["tests.plugin_samples.crashing"]\n'
        'disable-plugins = ["iacguard.checks.least_privilege"]\n'
    )
    return repo


def _tree_state(directory: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def _run_in(tmp_path: Path, cwd: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    """The scan step run in *cwd*, with this repository importable (its test plugins)."""
    env = _scan_env(tmp_path, **inputs)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    return subprocess.run(
        ["bash", str(SCRIPT), "scan"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_script_on_a_hostile_tree_keeps_log_summary_and_outputs_clean(tmp_path: Path) -> None:
    repo = _hostile_tree(tmp_path)
    before = _tree_state(tmp_path / "outside") | _tree_state(repo)
    sarif = tmp_path / "out" / "iacguard.sarif"
    completed = _run_in(tmp_path, repo, paths=".", output=str(sarif),
                        format=f"text github junit={tmp_path / 'out' / 'junit.xml'}")  # fmt: skip
    # findings, and the tree's soft-fail = true does not hold against the action's default
    assert completed.returncode == 1, completed.stdout + completed.stderr
    for line in completed.stdout.splitlines():
        assert _OWN_ANNOTATION.match(line) or not _RUNNER_COMMAND.search(line), line
    assert completed.stderr.splitlines() == [
        "iacguard: warning: .iacguard.toml: not applied without --allow-config-plugins (a "
        "configuration file may come from the scanned tree): plugins = "
        "['tests.plugin_samples.crashing']; disable-plugins = "
        "['iacguard.checks.least_privilege'] [IAM004]",
        "iacguard: warning: linked.json: symbolic link to a path outside ., not followed [IAM003]",
    ]
    assert "IAM301" in completed.stdout  # the tree could not disable the plugin
    summary = (tmp_path / "step_summary.md").read_text()
    for forbidden in ("<img", "](https://", "##[", "\n::"):
        assert forbidden not in summary
    everything = completed.stdout + completed.stderr + summary + sarif.read_text()
    everything += (tmp_path / "github_output").read_text()
    assert _SECRET not in everything
    output_lines = (tmp_path / "github_output").read_text().splitlines()
    assert [line.split("=", 1)[0] for line in output_lines] == [
        "exit-code", "sarif-file", "findings", "critical", "high", "medium", "low", "info",
    ]  # fmt: skip
    assert _outputs(tmp_path)["exit-code"] == "1"
    assert _tree_state(tmp_path / "outside") | _tree_state(repo) == before


def test_script_never_overwrites_an_input(tmp_path: Path) -> None:
    repo = _hostile_tree(tmp_path)
    before = _tree_state(repo)
    completed = _run_in(tmp_path, repo, paths=".", output="sensitive.json")
    assert completed.returncode == 2
    assert completed.stderr.splitlines()[-1] == (
        "iacguard: error: sensitive.json: is an input of this scan, not overwritten with a report"
    )
    assert _outputs(tmp_path) == {"exit-code": "2"}
    assert _tree_state(repo) == before


@pytest.mark.parametrize(
    "inputs",
    [
        pytest.param({"output": "x.sarif\nfindings=0"}, id="output"),
        pytest.param({"format": "json=r.json\rsarif-file=/etc/passwd"}, id="format-file"),
    ],
)
def test_script_rejects_line_breaks_that_would_forge_outputs(
    tmp_path: Path, inputs: dict[str, str]
) -> None:
    repo = _hostile_tree(tmp_path)
    completed = _run_in(tmp_path, repo, paths=".", **inputs)
    assert completed.returncode == 2
    (name,) = inputs
    assert completed.stdout == (
        f"::error title=iacguard action::{name} must not contain a line break\n"
    )
    assert not (tmp_path / "github_output").exists()


def test_script_escapes_an_input_quoted_in_its_error(tmp_path: Path) -> None:
    completed = _run(tmp_path, paths="fixtures/terraform/clean/plan.json",
                     soft_fail="no\n::set-output name=x::100%")  # fmt: skip
    assert completed.returncode == 2
    assert completed.stdout == (
        "::error title=iacguard action::soft-fail must be true or false, "
        "not 'no%0A::set-output name=x::100%25'\n"
    )


def test_script_lets_the_workflow_allow_config_plugins(tmp_path: Path) -> None:
    repo = _hostile_tree(tmp_path)
    completed = _run_in(tmp_path, repo, paths=".", allow_config_plugins="true",
                        output=str(tmp_path / "r.sarif"))  # fmt: skip
    assert completed.returncode == 2  # the workflow opted in: the crashing plugin ran
    assert "check TEST001 (always_crashes) of plugin" in completed.stderr
    assert "IAM301" not in completed.stdout  # and the tree disabled least_privilege


def test_install_refuses_pip_options_as_plugins(tmp_path: Path) -> None:
    env = _scan_env(tmp_path)
    env["INPUT_PLUGINS"] = "iacguard-example --index-url https://example.invalid/simple"
    env["GITHUB_PATH"] = str(tmp_path / "github_path")
    completed = subprocess.run(
        ["bash", str(SCRIPT), "install"], env=env, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 2
    assert "'--index-url' is not a package requirement" in completed.stdout
    assert not (tmp_path / "iacguard-venv").exists()


# --------------------------------------------------------------------------- pre-commit


def test_pre_commit_hooks_are_declared() -> None:
    hooks = {hook["id"]: hook for hook in HOOKS}
    assert set(hooks) == {"iacguard-terraform", "iacguard-cloudformation"}
    for hook in hooks.values():
        assert hook["entry"] == "iacguard check"
        assert hook["language"] == "python"
        assert hook["name"]
        assert hook["description"]
        re.compile(hook["files"])


@pytest.mark.parametrize(
    ("hook_id", "path", "matches"),
    [
        pytest.param("iacguard-terraform", "infra/main.tf", True, id="tf"),
        pytest.param("iacguard-terraform", "plan.json", True, id="plan-json"),
        pytest.param("iacguard-terraform", "envs/prod/prod.tfplan.json", True, id="tfplan-json"),
        pytest.param("iacguard-terraform", "package.json", False, id="other-json"),
        pytest.param("iacguard-terraform", "main.tf.bak", False, id="backup"),
        pytest.param("iacguard-cloudformation", "stack.template", True, id="template"),
        pytest.param("iacguard-cloudformation", "iam.cfn.yaml", True, id="cfn-yaml"),
        pytest.param("iacguard-cloudformation", "cloudformation/iam.yml", True, id="cfn-dir"),
        pytest.param("iacguard-cloudformation", "cfn/app.json", True, id="cfn-short-dir"),
        pytest.param(
            "iacguard-cloudformation", "charts/web/templates/deployment.yaml", False, id="helm"
        ),
        pytest.param("iacguard-cloudformation", ".github/workflows/ci.yml", False, id="workflow"),
        pytest.param("iacguard-cloudformation", "plan.json", False, id="plan"),
    ],
)
def test_pre_commit_file_patterns(hook_id: str, path: str, matches: bool) -> None:
    hook = next(hook for hook in HOOKS if hook["id"] == hook_id)
    assert bool(re.search(hook["files"], path)) is matches


# --------------------------------------------------------------------------- README


def _readme_workflow() -> dict[str, Any]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## GitHub Actions", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```yaml\n(name: iacguard\n.*?)```", section, re.DOTALL)
    assert block, "README 'GitHub Actions' has no workflow example"
    workflow: dict[str, Any] = yaml.safe_load(block[1])
    return workflow


def test_readme_workflow_example_is_complete() -> None:
    workflow = _readme_workflow()
    assert workflow["permissions"]["contents"] == "read"
    assert workflow["permissions"]["security-events"] == "write"
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    uses = [step.get("uses", "") for step in steps]
    assert uses[0].startswith("actions/checkout@")
    assert any(u.startswith("hashicorp/setup-terraform@") for u in uses)
    scripts = "\n".join(step.get("run", "") for step in steps)
    for command in ("terraform init", "terraform plan", "terraform show -json plan.out"):
        assert command in scripts
    action = next(step for step in steps if step.get("uses", "").startswith("iacguard/iacguard@"))
    assert set(action["with"]) <= set(ACTION["inputs"])
    assert action["with"]["upload-sarif"] is True
    plan_step = next(step for step in steps if "terraform show" in step.get("run", ""))
    assert action["with"]["paths"] == f"{plan_step['working-directory']}/plan.json"


def test_min_severity_select_ignore_and_account_reach_iacguard(tmp_path: Path) -> None:
    sarif = tmp_path / "out.sarif"
    plan = "fixtures/terraform/account_context/plan.json"
    account = "fixtures/account/authorization_details/account-authorization-details.json"
    done = _run(
        tmp_path,
        paths=plan,
        output=str(sarif),
        select="IAM3, IAM2",
        ignore="IAM301",
        min_severity="high",
        account=account,
        upload_sarif="false",
    )
    assert done.returncode == 1, done.stderr
    results = json.loads(sarif.read_text())["runs"][0]["results"]
    assert sorted({r["ruleId"] for r in results}) == ["IAM204", "IAM306", "IAM309"]
