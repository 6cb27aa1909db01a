"""Each input is scanned once: a plan beside its ``.tf`` files, both named on the command
line (as pre-commit passes them), is one input; so is a file named twice."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from iacguard.parsers import discover
from tests.conftest import TERRAFORM


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(TERRAFORM / "admin_paths", tmp_path / "infra")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "infra"


@pytest.mark.parametrize(
    ("named", "expected"),
    [
        (["infra/main.tf", "infra/plan.json"], [("infra/plan.json", "infra")]),
        (["infra/plan.json", "infra/main.tf"], [("infra/plan.json", "infra")]),
        (["infra/main.tf", "infra/main.tf"], [("infra", None)]),
        (["infra/main.tf"], [("infra", None)]),
        (["infra"], [("infra/plan.json", "infra")]),
        (["infra", "infra/plan.json"], [("infra/plan.json", "infra")]),
    ],
    ids=["tf-then-plan", "plan-then-tf", "tf-twice", "tf-alone", "directory", "dir-and-plan"],
)
def test_inputs_are_scanned_once(
    root: Path, named: list[str], expected: list[tuple[str, str | None]]
) -> None:
    found = [
        (str(s.display), None if s.source is None else s.source.name)
        for s in discover(Path(n) for n in named)
    ]
    assert found == expected
