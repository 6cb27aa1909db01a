"""Reports name files from the repository root, whatever the working directory, so SARIF
uploads and baselines match between a run in the root and one in a subdirectory."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from typer.testing import CliRunner

from iacguard._repository import repository_root
from iacguard.cli import app
from iacguard.parsers import display_path

ADMIN = (
    'resource "aws_iam_policy" "admin" {\n  policy = jsonencode({ Statement = [{ Effect = '
    '"Allow", Action = "*", Resource = "*" }] })\n}\n'
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "infra" / "iam").mkdir(parents=True)
    (tmp_path / "repo" / "infra" / "iam" / "main.tf").write_text(ADMIN)
    (tmp_path / "loose").mkdir()
    (tmp_path / "loose" / "main.tf").write_text(ADMIN)
    return tmp_path


@pytest.mark.parametrize(
    ("cwd", "target", "shown"),
    [
        ("repo", "repo/infra/iam/main.tf", "infra/iam/main.tf"),
        ("repo/infra", "repo/infra/iam/main.tf", "infra/iam/main.tf"),
        ("repo/infra/iam", "repo/infra/iam/main.tf", "infra/iam/main.tf"),
        ("loose", "repo/infra/iam/main.tf", "infra/iam/main.tf"),
        (".", "loose/main.tf", "loose/main.tf"),
        ("repo", "loose/main.tf", "{tmp}/loose/main.tf"),
    ],
    ids=["root", "subdirectory", "deeper", "outside-the-repo", "no-repo", "no-repo-elsewhere"],
)
def test_display_path(
    repo: Path, monkeypatch: pytest.MonkeyPatch, cwd: str, target: str, shown: str
) -> None:
    monkeypatch.chdir(repo / cwd)
    expected = shown.format(tmp=repo.resolve().as_posix())
    assert display_path(repo / target) == PurePosixPath(expected)


def test_a_git_file_marks_a_worktree_root(tmp_path: Path) -> None:
    (tmp_path / "wt" / "a").mkdir(parents=True)
    (tmp_path / "wt" / ".git").write_text("gitdir: /elsewhere/.git/worktrees/wt\n")
    assert repository_root((tmp_path / "wt" / "a").resolve()) == (tmp_path / "wt").resolve()


def test_sarif_paths_are_the_same_from_any_directory(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = []
    for cwd, target in (("repo", "infra/iam"), ("repo/infra/iam", ".")):
        monkeypatch.chdir(repo / cwd)
        reports.append(CliRunner().invoke(app, ["check", target, "-f", "sarif"]).stdout)
    assert reports[0] == reports[1]
    assert '"uri": "infra/iam/main.tf"' in reports[0]


@pytest.mark.parametrize("cwd", ["repo", "repo/infra", "repo/infra/iam"])
def test_a_skipped_file_is_named_from_the_root_too(
    repo: Path, monkeypatch: pytest.MonkeyPatch, cwd: str
) -> None:
    (repo / "repo" / "infra" / "iam" / "package.json").write_text('{"name": "x"}')
    monkeypatch.chdir(repo / cwd)
    result = CliRunner().invoke(app, ["check", str(repo / "repo" / "infra" / "iam")])
    assert "iacguard: note: skipped: infra/iam/package.json: not a Terraform plan" in (
        result.stderr
    )
