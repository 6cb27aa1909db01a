"""The two sides of ``iacguard diff``: the error paths of reading a plan's prior state
and a git revision, relocating findings of an extracted revision, diagnostics once."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path, PurePosixPath

import pytest

from iacguard.analysis.analyzer import Analyzer
from iacguard.diff import sides
from iacguard.diff.sides import Side, after_side, side_diagnostics
from iacguard.engine import ScanOptions, ScanResult
from iacguard.errors import ConfigError, UnsupportedInputError
from iacguard.graph import Graph, GraphBuilder
from iacguard.model import Confidence, Location, Severity, SourceKind
from iacguard.parsers import InputFile
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.results import Diagnostic, DiagnosticLevel, Finding
from tests.conftest import TERRAFORM


def _finding(file: str) -> Finding:
    return Finding(
        "IAM301",
        Severity.HIGH,
        Confidence.HIGH,
        "title",
        "message",
        "aws_iam_policy.p",
        Location(PurePosixPath(file), 3),
        (),
        SourceKind.TERRAFORM_HCL,
    )


def test_before_side_without_base_needs_plan_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        sides.before_side([tmp_path], None, None, None)  # type: ignore[arg-type]
    assert str(caught.value) == (
        f"{tmp_path}: not a Terraform plan (terraform show -json); compare Terraform "
        "sources and CloudFormation templates with --base REV"
    )


@pytest.mark.parametrize(
    ("name", "text"),
    [
        pytest.param("main.tf", "x = 1", id="not-json"),
        pytest.param("t.json", '{"Resources": {}}', id="json-not-a-plan"),
        pytest.param("l.json", "[]", id="json-list"),
    ],
)
def test_parse_before_rejects_what_is_not_a_plan(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(UnsupportedInputError, match="not a Terraform plan"):
        sides.parse_before(InputFile(path, PurePosixPath(name)))


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        pytest.param("main.tf", "main.tf", id="relative-kept"),
        pytest.param("/elsewhere/main.tf", "/elsewhere/main.tf", id="outside-the-tree-kept"),
    ],
)
def test_relocated_keeps_other_files(tmp_path: Path, file: str, expected: str) -> None:
    finding = _finding(file)
    assert sides._relocated(finding, tmp_path / "tree", tmp_path) is finding
    assert str(finding.location.file) == expected


def test_relocated_names_the_working_tree_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    tree = tmp_path / "tree"
    moved = sides._relocated(_finding(f"{tree}/infra/main.tf"), tree, tmp_path)
    assert moved.location == Location(PurePosixPath("infra/main.tf"), 3)
    assert moved.rule_id == "IAM301"


def test_inside_the_repository(tmp_path: Path) -> None:
    assert sides._inside(tmp_path, tmp_path / "a" / "b.tf") == Path("a/b.tf")
    with pytest.raises(ConfigError) as caught:
        sides._inside(tmp_path / "repo", tmp_path / "other.tf")
    assert str(caught.value) == (
        f"--base: {tmp_path / 'other.tf'} is outside the git repository {tmp_path / 'repo'}"
    )


def test_git_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sides.shutil, "which", lambda name: None)
    with pytest.raises(ConfigError, match="--base needs git, which is not on PATH"):
        sides._git(tmp_path, "status")


@pytest.mark.parametrize(
    "error",
    [OSError("cannot run"), subprocess.TimeoutExpired("git", 120)],
    ids=["os-error", "timeout"],
)
def test_git_that_cannot_run_is_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def run(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(sides.shutil, "which", lambda name: "/usr/bin/git")
    monkeypatch.setattr(sides.subprocess, "run", run)
    assert sides._git(tmp_path, "status") is None


def test_archive_failure_names_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def run(*args: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess([], 128, "", "warning\nfatal: bad object\n")

    monkeypatch.setattr(sides.subprocess, "run", run)
    with pytest.raises(ConfigError) as caught:
        sides._archive(tmp_path, "0123456789abcdef", "infra", tmp_path / "a.tar")
    assert str(caught.value) == "--base: cannot read infra at 0123456789ab: fatal: bad object"


def test_archive_failure_without_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def run(*args: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess([], 1, "", "")

    monkeypatch.setattr(sides.subprocess, "run", run)
    with pytest.raises(ConfigError) as caught:
        sides._archive(tmp_path, "0123", ".", tmp_path / "a.tar")
    assert str(caught.value) == "--base: cannot read . at 0123: git archive failed"


def _tar(*members: tuple[str, bytes | None, str | None]) -> tarfile.TarFile:
    """A tar in memory: (name, file content or None for a directory, link target)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content, link in members:
            info = tarfile.TarInfo(name)
            if link is not None:
                info.type, info.linkname = tarfile.SYMTYPE, link
                tar.addfile(info)
            elif content is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    buffer.seek(0)
    return tarfile.open(fileobj=buffer)


def test_extract_without_the_data_filter_refuses_escapes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pythons before 3.11.4 have no ``data`` filter: members are checked by hand."""
    monkeypatch.delattr(tarfile, "data_filter", raising=False)
    tree = tmp_path / "tree"
    tree.mkdir()
    tar = _tar(
        ("infra", None, None),
        ("infra/main.tf", b"x = 1\n", None),
        ("../escape.tf", b"bad", None),
        ("infra/link", None, "/etc/passwd"),
    )
    sides._extract(tar, tree)
    assert sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*")) == [
        "infra",
        "infra/main.tf",
    ]
    assert not (tmp_path / "escape.tf").exists()


def test_side_diagnostics_once_each() -> None:
    note = Diagnostic(DiagnosticLevel.NOTE, "IAM003", "a note")
    other = Diagnostic(DiagnosticLevel.WARNING, "IAM004", "a warning")
    result = ScanResult((), (note, other), (), ())
    assert list(side_diagnostics(Side(result), Side(), Side(ScanResult((), (note,), (), ())))) == [
        note,
        other,
    ]
    assert Side().findings == ()


@pytest.mark.parametrize(
    ("account", "reused"),
    [
        pytest.param(None, True, id="the-checks-analyzer"),
        pytest.param(GraphBuilder().build(), False, id="in-an-account-its-own"),
    ],
)
def test_a_side_keeps_the_analyzer_of_each_input(account: Graph | None, reused: bool) -> None:
    """The comparison asks the analyzer the scan's checks used (they evaluated every
    principal already); in an account's context the checks ran on the merged graph, so
    the input's graph gets an analyzer of its own."""
    seen: list[Analyzer] = []
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    options = ScanOptions(account=account, analyzed=seen.append)
    side = after_side([TERRAFORM / "escalation" / "plan.json"], registry, options)
    (name, analyzer), *others = side.analyzers.items()
    assert not others
    assert name.endswith("escalation/plan.json")
    assert analyzer.graph.principals()
    assert (analyzer in seen) is reused


@pytest.mark.parametrize(
    ("before_sensitive", "token"),
    [
        pytest.param({"tags": {"token": True}}, "(sensitive)", id="marked: hidden"),
        pytest.param(True, None, id="all marked: hidden"),
        pytest.param({}, "s3cr3t", id="not marked: read"),
        pytest.param(None, "s3cr3t", id="no mask: read"),
    ],
)
def test_the_before_plan_keeps_what_was_sensitive_hidden(
    before_sensitive: object, token: str | None
) -> None:
    """Without a prior state the before side is the changes' ``before`` values; their
    ``before_sensitive`` mask hides them as ``after_sensitive`` hides planned values."""
    from iacguard.parsers.terraform._plan_before import before_plan
    from iacguard.parsers.terraform.plan import read_plan

    change: dict[str, object] = {
        "actions": ["update"],
        "before": {"name": "u", "tags": {"token": "s3cr3t"}},
        "after": {"name": "u"},
        "after_unknown": {},
    }
    if before_sensitive is not None:
        change["before_sensitive"] = before_sensitive
    plan = {
        "format_version": "1.2",
        "resource_changes": [
            {"address": "aws_iam_user.u", "mode": "managed", "type": "aws_iam_user",
             "name": "u", "change": change}
        ],
    }  # fmt: skip
    (user,) = read_plan(before_plan(plan), Path("p.json"), PurePosixPath("p.json")).resources
    tags = user.values.get("tags")
    shown = tags.get("token") if isinstance(tags, dict) else None
    assert shown == token
    assert "s3cr3t" not in repr(user.values) or token == "s3cr3t"
