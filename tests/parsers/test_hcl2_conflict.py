"""Next to Checkov: its ``hcl2`` fork installs a module of python-hcl2's name. Plan and
CloudFormation scans never import it; a Terraform source scan stops with one line naming
the conflict and the fix; a plan beside its source is scanned alone, with a warning."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from iacguard.cli import app
from iacguard.parsers.terraform import _hcl2
from tests.conftest import FIXTURES, run_python_probe

FIX = "install iacguard in its own virtual environment (pipx install iacguard-iam)"
REAL = importlib.metadata.distribution


@pytest.fixture(autouse=True)
def _fresh_verdict() -> Iterator[None]:
    _hcl2._conflict.cache_clear()
    yield
    _hcl2._conflict.cache_clear()


@pytest.fixture
def by_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    """The verdict left to importlib.metadata (which the tests then stand in for): the
    RECORD beside the real ``hcl2`` package would settle it first."""
    monkeypatch.setattr(_hcl2, "_verified_in_place", lambda package: False)


def _without_python_hcl2(name: str) -> importlib.metadata.Distribution:
    if name == "python-hcl2":
        raise importlib.metadata.PackageNotFoundError(name)
    return REAL(name)


def _python_hcl2_of_version(version: str) -> object:
    return lambda name: SimpleNamespace(version=version, files=[])


@pytest.mark.parametrize(
    ("distribution", "problem"),
    [
        (
            _without_python_hcl2,
            "the 'hcl2' module is not from python-hcl2 (is Checkov installed here?)",
        ),
        (_python_hcl2_of_version("4.3.5"), "python-hcl2 4.3.5 is installed, iacguard needs 8.1.x"),
    ],
    ids=["fork-only", "old-series"],
)
@pytest.mark.usefixtures("by_metadata")
def test_a_source_scan_stops_with_one_line(
    distribution: object, problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importlib.metadata, "distribution", distribution)
    result = CliRunner().invoke(app, ["check", str(FIXTURES / "hcl" / "real_world")])
    assert result.exit_code == 2
    assert result.output == (f"iacguard: error: cannot read Terraform source: {problem}; {FIX}\n")


def test_overwritten_files_are_a_conflict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_hcl2, "_digest", lambda path, mode: "not-the-recorded-digest")
    assert _hcl2._conflict() == "another package overwrote python-hcl2's hcl2/__init__.py"


def test_the_installed_python_hcl2_is_accepted() -> None:
    assert _hcl2._conflict() == ""


def test_the_installed_python_hcl2_is_accepted_from_its_record_alone() -> None:
    spec = importlib.util.find_spec("hcl2")
    assert spec is not None
    assert spec.origin is not None
    assert _hcl2._verified_in_place(Path(spec.origin).parent)


def _site(tmp_path: Path) -> Path:
    """A site-packages directory holding an ``hcl2`` package and python-hcl2 8.1.4's
    metadata, whose RECORD has the digests of the package's files."""
    package = tmp_path / "hcl2"
    package.mkdir()
    (package / "__init__.py").write_bytes(b"# hcl2\n")
    (package / "hcl2.lark").write_bytes(b"start: body\n")
    dist = tmp_path / "python_hcl2-8.1.4.dist-info"
    dist.mkdir()
    # the headers end at the first empty line: the body's 'Version' is not one
    (dist / "METADATA").write_text("Name: python-hcl2\nVersion: 8.1.4\n\nVersion: 0\n")
    rows = [
        f"hcl2/{name},sha256={_hcl2._digest(package / name, 'sha256')},7"
        for name in ("__init__.py", "hcl2.lark")
    ]
    (dist / "RECORD").write_text("\n".join([*rows, "hcl2/__pycache__/x.pyc,,"]) + "\n")
    return package


@pytest.mark.parametrize(
    ("change", "verified"),
    [
        pytest.param(lambda package: None, True, id="as-recorded"),
        pytest.param(
            lambda package: (package / "hcl2.lark").write_bytes(b"start: other\n"),
            False,
            id="grammar-overwritten",
        ),
        pytest.param(
            lambda package: (package.parent / "python_hcl2-8.1.4.dist-info" / "RECORD").unlink(),
            False,
            id="no-record",
        ),
        pytest.param(
            lambda package: (package.parent / "python_hcl2-8.1.3.dist-info").mkdir(),
            False,
            id="two-distributions",
        ),
        pytest.param(
            lambda package: (
                package.parent / "python_hcl2-8.1.4.dist-info" / "METADATA"
            ).write_text("Name: python-hcl2\nVersion: 4.3.5\n"),
            False,
            id="old-series",
        ),
    ],
)
def test_verified_in_place(
    change: Callable[[Path], object], verified: bool, tmp_path: Path
) -> None:
    package = _site(tmp_path)
    change(package)
    assert _hcl2._verified_in_place(package) is verified


def test_a_fork_without_the_distribution_is_not_verified_in_place(tmp_path: Path) -> None:
    package = tmp_path / "hcl2"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (tmp_path / "bc_python_hcl2-0.4.3.dist-info").mkdir()
    assert not _hcl2._verified_in_place(package)


@pytest.mark.usefixtures("by_metadata")
def test_a_plan_beside_its_source_is_scanned_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.metadata, "distribution", _without_python_hcl2)
    plan = FIXTURES / "terraform" / "admin_paths" / "plan.json"
    result = CliRunner().invoke(app, ["check", str(plan), "-f", "json"])
    assert result.exit_code == 1
    assert '"rule_id": "IAM301"' in result.stdout
    [warning] = [line for line in result.stderr.splitlines() if "is not used" in line]
    assert warning.startswith("iacguard: warning: ")
    assert warning.endswith(
        "admin_paths is not used: cannot read Terraform source: the 'hcl2' module is not "
        f"from python-hcl2 (is Checkov installed here?); {FIX} [IAM003]"
    )


def test_plans_and_templates_never_import_hcl2() -> None:
    loaded = run_python_probe(
        "import json, sys, shutil, tempfile, pathlib\n"
        "from iacguard.engine import ScanOptions, scan\n"
        "from iacguard.plugins import collect_checks, get_plugin_manager\n"
        "registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))\n"
        "alone = pathlib.Path(tempfile.mkdtemp()) / 'plan.json'\n"
        f"shutil.copy({str(FIXTURES / 'terraform' / 'admin_paths' / 'plan.json')!r}, alone)\n"
        f"template = {str(FIXTURES / 'cloudformation' / 'admin_paths')!r}\n"
        "scan([alone, pathlib.Path(template)], registry, ScanOptions())\n"
        "print(json.dumps(sorted(m for m in ('hcl2', 'lark') if m in sys.modules)))"
    )
    assert loaded == []
