"""A plan scanned with its Terraform source is compared with it: when the root module
of the plan's configuration and of the ``.tf`` files declare different resources, the
plan was made from other files (a committed plan gone stale), and a warning says so
rather than letting the source's new resources pass unscanned."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import TERRAFORM, run_cli

CLEAN = TERRAFORM / "clean"

ADMIN_ROLE = """
resource "aws_iam_role" "added_later" {
  name = "added-later"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { AWS = "*" } }]
  })
}
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the clean case: its plan and the .tf files it was made from."""
    copy = tmp_path / "clean"
    shutil.copytree(CLEAN, copy)
    return copy


def _warnings(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(root)
    outcome = run_cli("check", "plan.json", "-f", "json")
    assert outcome.exit_code == 0, outcome.stderr
    diagnostics = json.loads(outcome.stdout)["diagnostics"]
    return [d["message"] for d in diagnostics if "does not match" in d["message"]]


def test_a_plan_made_from_its_source_has_no_warning(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _warnings(root, monkeypatch) == []


def test_a_resource_added_to_the_source_after_the_plan(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (root / "later.tf").write_text(ADMIN_ROLE)
    assert _warnings(root, monkeypatch) == [
        "plan.json: the plan does not match its Terraform source (./*.tf): the .tf files declare "
        "aws_iam_role.added_later, which the plan does not; the findings are the plan's: "
        "make the plan again, or scan the .tf files without it"
    ]


def test_a_resource_removed_from_the_source_after_the_plan(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    main = root / "main.tf"
    text = main.read_text()
    start = text.index('resource "aws_iam_role" "app"')
    end = text.index("\n}\n", start) + 3
    main.write_text(text[:start] + text[end:])
    (message,) = _warnings(root, monkeypatch)
    assert "the plan has aws_iam_role.app, which the .tf files do not declare" in message


def test_a_resource_with_count_zero_still_matches(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison is of blocks, not of instances: count = 0 declares a resource too."""
    plan = json.loads((root / "plan.json").read_text())
    resources = plan["configuration"]["root_module"]["resources"]
    plan["configuration"]["root_module"]["resources"] = [*resources, {
        "address": "aws_iam_role.added_later", "mode": "managed", "type": "aws_iam_role",
        "name": "added_later", "count_expression": {"constant_value": 0},
    }]  # fmt: skip
    (root / "plan.json").write_text(json.dumps(plan))
    (root / "later.tf").write_text(ADMIN_ROLE.replace('name = "added-later"', "count = 0"))
    assert _warnings(root, monkeypatch) == []


def test_a_plan_without_its_configuration_is_not_compared(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = json.loads((root / "plan.json").read_text())
    del plan["configuration"]
    (root / "plan.json").write_text(json.dumps(plan))
    (root / "later.tf").write_text(ADMIN_ROLE)
    assert _warnings(root, monkeypatch) == []
