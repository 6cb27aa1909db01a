"""A ``sensitive = true`` variable is unknown in the source, as its value is in a plan:
nothing derived from it reaches a report, and it raises no false alarm."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

PARTNER = "999988887777"

TRUST = """\
variable "partner" {{
  {sensitive}
  default = "{partner}"
}}
resource "aws_iam_role" "r" {{
  name = "r"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = {{ AWS = "arn:aws:iam::${{var.partner}}:root" }}
    }}]
  }})
}}
"""


def _findings(tmp_path: Path, sensitive: str) -> tuple[list[tuple[str, str]], str]:
    (tmp_path / "main.tf").write_text(TRUST.format(sensitive=sensitive, partner=PARTNER))
    outcome = run_cli("check", tmp_path, "-f", "json", "--select", "IAM4")
    report = json.loads(outcome.stdout)
    found = [(f["rule_id"], f["resource"]) for f in report["findings"]]
    return found, outcome.stdout + outcome.stderr


@pytest.mark.parametrize(
    ("sensitive", "expected"),
    [
        pytest.param("", [("IAM402", "aws_iam_role.r")], id="plain: the account is named"),
        pytest.param("sensitive = false", [("IAM402", "aws_iam_role.r")], id="explicitly not"),
        pytest.param("sensitive = true", [], id="sensitive: unknown, no false alarm"),
    ],
)
def test_a_sensitive_variable_is_unknown(
    tmp_path: Path, sensitive: str, expected: list[tuple[str, str]]
) -> None:
    found, output = _findings(tmp_path, sensitive)
    assert found == expected
    assert (PARTNER in output) == bool(expected)


@pytest.mark.parametrize("command", [["access"], ["graph", "-f", "json"]])
def test_the_views_do_not_show_it(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "main.tf").write_text(TRUST.format(sensitive="sensitive = true", partner=PARTNER))
    outcome = run_cli(command[0], tmp_path, *command[1:])
    assert outcome.exit_code == 0, outcome.stderr
    assert PARTNER not in outcome.stdout + outcome.stderr
