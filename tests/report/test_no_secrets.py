"""The CI formats never print a secret from the input, like text and json."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from iacguard.cli import app
from tests.test_secrets import PROVIDER_LITERALS, SEEDED, _seeded_plan


@pytest.mark.parametrize("fmt", ["sarif", "junit", "github", "markdown"])
def test_no_secret_in_ci_formats(tmp_path: Path, fmt: str) -> None:
    path = _seeded_plan(tmp_path)
    result = CliRunner().invoke(app, ["check", str(path), "-f", fmt], catch_exceptions=False)
    assert result.exit_code == 1
    assert "IAM101" in result.stdout
    assert "IAM103" in result.stdout
    for secret in (*PROVIDER_LITERALS, *SEEDED):
        assert secret not in result.stdout + result.stderr
