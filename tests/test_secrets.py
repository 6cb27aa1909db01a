"""No output format, and no stderr line, ever contains a secret from the input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iacguard.cli import app
from tests.conftest import TERRAFORM

SECRETS_CASE = TERRAFORM / "secrets"
#: provider keys written literally in fixtures/terraform/secrets/main.tf
PROVIDER_LITERALS = re.findall(
    r'(?:access_key|secret_key)\s*=\s*"([^"]+)"', (SECRETS_CASE / "main.tf").read_text()
)
#: values seeded into the plan where apply-time secrets would otherwise be unknown
SEEDED = (
    "wJalrXUtnFEMIK7MDENGbPxRfiCYSEEDEDSECRET1",
    "Seeded-Console-Passw0rd!",
    "BSeededSmtpPasswordV4xxxxxxxxxxxxxxxxxxxxxxx",
)


def _seeded_plan(tmp_path: Path) -> Path:
    """The secrets plan with every output, sensitive variable and key secret made known."""
    plan = json.loads((SECRETS_CASE / "plan.json").read_text())
    for index, change in enumerate(plan.get("output_changes", {}).values()):
        change["after"] = SEEDED[index % len(SEEDED)]
        change["after_unknown"] = False
    for resource in plan["planned_values"]["root_module"]["resources"]:
        if resource["type"] == "aws_iam_access_key":
            resource["values"]["secret"] = SEEDED[0]
            resource["values"]["ses_smtp_password_v4"] = SEEDED[2]
        if resource["type"] == "aws_iam_user_login_profile":
            resource["values"]["password"] = SEEDED[1]
    plan.setdefault("variables", {})["db_password"] = {"value": SEEDED[1]}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    return path


def test_the_fixture_really_holds_literal_keys() -> None:
    assert any(s.startswith("AKIA") for s in PROVIDER_LITERALS)
    assert any(len(s) == 40 for s in PROVIDER_LITERALS)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_secret_in_any_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    path = _seeded_plan(tmp_path)
    result = CliRunner().invoke(app, ["check", str(path), "-f", fmt, "-v"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "IAM101" in result.stdout
    assert "IAM103" in result.stdout
    everything = result.stdout + result.stderr
    for secret in (*PROVIDER_LITERALS, *SEEDED):
        assert secret not in everything
