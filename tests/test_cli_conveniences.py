"""Command-line conveniences peers have: ``-h``, comma-separated lists, unknown rule IDs
refused with a suggestion, ``-o`` naming the format, ``--quiet``, ``--skip-path`` and
``--var-file``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from iacguard.cli import app
from tests.conftest import TERRAFORM

PLAN = TERRAFORM / "admin_paths" / "plan.json"
SWITCHED = """
variable "admin" {
  type    = bool
  default = false
}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Resource = "*",
    Action = var.admin ? "*" : "s3:GetObject" }] })
}
"""


def _run(*args: object) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def _rules(result: Result) -> set[str]:
    return {f["rule_id"] for f in json.loads(result.stdout)["findings"]}


def test_h_is_help() -> None:
    result = _run("check", "-h")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")


def test_lists_may_be_comma_separated() -> None:
    repeated = _run("check", PLAN, "-f", "json", "--select", "IAM301", "--select", "IAM206")
    commas = _run("check", PLAN, "-f", "json", "--select", "IAM301,IAM206")
    assert _rules(commas) == _rules(repeated) == {"IAM301", "IAM206"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--select", "IAN3"), "select (command line): 'IAN3' names no rule: did you mean 'IAM3'?"),
        (
            ("--ignore", "IAM3,XYZ"),
            "ignore (command line): 'XYZ' names no rule: 'iacguard rules' lists them",
        ),
    ],
    ids=["typo", "nothing-close"],
)
def test_unknown_rules_are_refused(args: tuple[str, ...], message: str) -> None:
    result = _run("check", PLAN, *args)
    assert (result.exit_code, result.stderr) == (2, f"iacguard: error: {message}\n")


def test_unknown_rules_in_the_environment_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IACGUARD_SELECT", "IAN301")
    result = _run("check", PLAN)
    assert result.stderr == (
        "iacguard: error: select (environment): 'IAN301' names no rule: did you mean 'IAM301'?\n"
    )


@pytest.mark.parametrize(
    ("name", "starts"),
    [
        ("out.sarif", '{\n  "$schema"'),
        ("out.sarif.json", '{\n  "$schema"'),
        ("out.json", '{\n  "complete"'),
        ("out.xml", "<?xml"),
        ("out.md", "### iacguard"),
        ("gl-code-quality-report.json", "[\n  {"),
        ("out.log", "fixtures/"),
    ],
)
def test_the_output_name_chooses_the_format(tmp_path: Path, name: str, starts: str) -> None:
    result = _run("check", PLAN, "-o", tmp_path / name)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert (tmp_path / name).read_text().startswith(starts)


def test_quiet_keeps_errors_only(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"format_version": "1.2", ')
    (tmp_path / "package.json").write_text('{"name": "x"}')
    (tmp_path / "main.tf").write_text(SWITCHED)
    loud = _run("check", tmp_path).stderr.splitlines()
    quiet = _run("check", tmp_path, "-q").stderr.splitlines()
    assert any(line.startswith("iacguard: note: ") for line in loud)
    assert quiet == [line for line in loud if line.startswith("iacguard: error: ")]
    assert len(quiet) == 1


def test_skip_path_leaves_out_what_it_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("live", "examples/one", "examples/two"):
        (tmp_path / name).mkdir(parents=True)
        (tmp_path / name / "main.tf").write_text(SWITCHED.replace("false", "true"))
    monkeypatch.chdir(tmp_path)
    everything = json.loads(_run("check", ".", "-f", "json").stdout)["inputs"]
    kept = json.loads(_run("check", ".", "-f", "json", "--skip-path", "examples").stdout)
    assert everything == ["examples/one", "examples/two", "live"]
    assert kept["inputs"] == ["live"]
    globbed = json.loads(_run("check", ".", "-f", "json", "--skip-path", "*/t?o").stdout)
    assert globbed["inputs"] == ["examples/one", "live"]


def test_var_file_sets_variables_after_the_roots_own(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "main.tf").write_text(SWITCHED)
    (tmp_path / "root" / "terraform.tfvars").write_text("admin = false\n")
    (tmp_path / "prod.tfvars").write_text("admin = true\n")
    (tmp_path / "prod.tfvars.json").write_text('{"admin": false}')
    plain = _run("check", tmp_path / "root", "-f", "json")
    prod = _run("check", tmp_path / "root", "-f", "json", "--var-file", tmp_path / "prod.tfvars")
    both = _run(
        "check", tmp_path / "root", "-f", "json",
        "--var-file", tmp_path / "prod.tfvars", "--var-file", tmp_path / "prod.tfvars.json",
    )  # fmt: skip
    assert "IAM301" not in _rules(plain)
    assert "IAM301" in _rules(prod)
    assert "IAM301" not in _rules(both)  # the later file wins
