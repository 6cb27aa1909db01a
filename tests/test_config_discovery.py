"""The configuration file is found from the scanned path up to its repository's root, so
a scan from any working directory reads the repository's own configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.config import find_config_file


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "outer" / ".iacguard.toml").parent.mkdir()
    (tmp_path / "outer" / ".iacguard.toml").write_text("")
    root = tmp_path / "outer" / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "infra" / "iam").mkdir(parents=True)
    (root / "infra" / "iam" / "main.tf").write_text("")
    return root


@pytest.mark.parametrize(
    ("config", "start", "found"),
    [
        (".iacguard.toml", "infra/iam", ".iacguard.toml"),
        (".iacguard.toml", "infra/iam/main.tf", ".iacguard.toml"),
        ("infra/.iacguard.toml", "infra/iam", "infra/.iacguard.toml"),
        (None, "infra/iam", None),  # the outer file is not the repository's
    ],
    ids=["root", "from-a-file", "nearest", "not-above-the-root"],
)
def test_found_up_to_the_repository_root(
    repo: Path, config: str | None, start: str, found: str | None
) -> None:
    if config is not None:
        (repo / config).write_text('select = ["IAM3"]\n')
    result = find_config_file(repo / start, {})
    assert result == (None if found is None else (repo / found).resolve())


def test_pyproject_counts_only_with_a_tool_table(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.ruff]\n")
    assert find_config_file(repo / "infra", {}) is None
    (repo / "pyproject.toml").write_text("[tool.iacguard]\nselect = ['IAM3']\n")
    assert find_config_file(repo / "infra", {}) == (repo / "pyproject.toml").resolve()


def test_outside_a_repository_only_the_directory_itself(tmp_path: Path) -> None:
    (tmp_path / ".iacguard.toml").write_text("")
    (tmp_path / "sub").mkdir()
    assert find_config_file(tmp_path / "sub", {}) is None
    assert find_config_file(tmp_path, {}) == (tmp_path / ".iacguard.toml").resolve()
