"""A binary plan named on the command line goes through ``terraform show -json`` when
terraform is on PATH; otherwise one error line says how to make the JSON."""

from __future__ import annotations

import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iacguard.cli import app
from tests.conftest import TERRAFORM

BY_HAND = (
    "a binary Terraform plan: run `terraform show -json plan.out > plan.json` where it was "
    "made, and scan plan.json"
)


@pytest.fixture
def plan_out(tmp_path: Path) -> Path:
    path = tmp_path / "work" / "plan.out"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("tfplan", b"binary")
    return path


def _fake_terraform(tmp_path: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    terraform = bin_dir / "terraform"
    terraform.write_text("#!/bin/sh\n" + script)
    terraform.chmod(terraform.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def _check(path: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", str(path), "-f", "concise"])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs sh")
def test_terraform_show_turns_it_into_plan_json(
    tmp_path: Path, plan_out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixture = TERRAFORM / "admin_paths" / "plan.json"
    _fake_terraform(tmp_path, f'[ "$4" = plan.out ] && cat "{fixture}"\n', monkeypatch)
    code, stdout, _ = _check(plan_out)
    assert code == 1
    assert "IAM301 critical" in stdout


def test_without_terraform_the_error_says_how(
    plan_out: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, _, stderr = _check(plan_out)
    assert code == 2
    assert stderr == f"iacguard: error: {plan_out}: {BY_HAND} (terraform is not on PATH) [IAM001]\n"


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs sh")
def test_a_failing_terraform_show_is_quoted_briefly(
    tmp_path: Path, plan_out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_terraform(
        tmp_path, 'printf "Error: \\033[31mno state\\nmore\\n" >&2; exit 1\n', monkeypatch
    )
    code, _, stderr = _check(plan_out)
    assert code == 2
    assert stderr == (
        f"iacguard: error: {plan_out}: {BY_HAND} (terraform show failed: Error: [31mno state)"
        " [IAM001]\n"
    )


def test_found_in_a_directory_it_is_never_executed_upon(
    tmp_path: Path, plan_out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_terraform(tmp_path, f'touch "{tmp_path}/ran"\n', monkeypatch)
    (plan_out.parent / "main.tf").write_text('resource "aws_iam_user" "u" {\n  name = "u"\n}\n')
    CliRunner().invoke(app, ["check", str(plan_out.parent)])
    assert not (tmp_path / "ran").exists()
