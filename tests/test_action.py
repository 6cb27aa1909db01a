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
        "soft-fail",
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


def test_script_usage_error_exits_2_without_a_stale_sarif(tmp_path: Path) -> None:
    sarif = tmp_path / "iacguard.sarif"
    sarif.write_text("{}")  # left by an earlier run
    completed = _run(tmp_path, paths="does/not/exist.json", output=str(sarif))
    assert completed.returncode == 2
    assert not sarif.exists()
    outputs = _outputs(tmp_path)
    assert outputs == {"exit-code": "2"}
    assert "exited with 2 before writing a report" in (tmp_path / "step_summary.md").read_text()


def test_script_rejects_a_bad_soft_fail_value(tmp_path: Path) -> None:
    completed = _run(tmp_path, paths="fixtures/terraform/clean/plan.json", soft_fail="yes")
    assert completed.returncode == 2
    assert "soft-fail must be true or false" in completed.stdout


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
