"""Registry modules installed by ``terraform init`` are followed through
``.terraform/modules/modules.json``; what is not installed gets one note naming
``terraform init``; a manifest is hostile input like any other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iacguard.engine import ScanOptions, scan
from iacguard.parsers.terraform._tf_modules import MANIFEST, installed_modules
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.results import DiagnosticLevel
from tests.conftest import FIXTURES

CASE = FIXTURES / "hcl" / "installed_modules"
NOT_INSTALLED = "its source is not a local directory and is not installed (run terraform init)"


def test_an_installed_registry_module_is_scanned() -> None:
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    result = scan([CASE], registry, ScanOptions())
    found = {(f.rule_id, f.address, f.location.file.name, f.location.line) for f in result.findings}
    assert found == {
        ("IAM301", "module.admins.aws_iam_group_policy.admin", "main.tf", 10),
        ("IAM206", "module.admins.aws_iam_group_policy.admin", "main.tf", 10),
    }
    # one note for the modules that wait for terraform init (#14)
    assert [(d.level, d.message) for d in result.diagnostics] == [
        (
            DiagnosticLevel.NOTE,
            "fixtures/hcl/installed_modules: 2 module(s) from a registry or git not "
            "installed ('not_installed', 'escape'): run terraform init here to scan what "
            "they create",
        )
    ]


def _root(tmp_path: Path, manifest: str | bytes) -> Path:
    (tmp_path / "mods" / "a").mkdir(parents=True)
    path = tmp_path / MANIFEST
    path.parent.mkdir(parents=True)
    path.write_bytes(manifest if isinstance(manifest, bytes) else manifest.encode())
    return tmp_path.resolve()


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        ('{"Modules": [{"Key": "a", "Dir": "mods/a"}]}', {("a",): "mods/a"}),
        ('{"Modules": [{"Key": "a.b", "Dir": "mods/a"}]}', {("a", "b"): "mods/a"}),
        ('{"Modules": [{"Key": "", "Dir": "."}]}', {}),
        ('{"Modules": [{"Key": "a", "Dir": "../outside"}]}', {}),
        ('{"Modules": [{"Key": "a", "Dir": "mods/missing"}]}', {}),
        ('{"Modules": [{"Key": 1, "Dir": "mods/a"}, "x", null]}', {}),
        ('{"Modules": {"a": "mods/a"}}', {}),
        ("[]", {}),
        ("{not json", {}),
        ("[" * 100_000, {}),
        (b"\xff\xfe", {}),
    ],
    ids=[
        "one",
        "nested-key",
        "root-entry",
        "outside-root",
        "missing-dir",
        "wrong-types",
        "modules-not-list",
        "not-object",
        "invalid",
        "deep",
        "not-utf8",
    ],
)
def test_manifest_reading(
    tmp_path: Path, manifest: str | bytes, expected: dict[tuple[str, ...], str]
) -> None:
    root = _root(tmp_path, manifest)
    assert {
        k: v.relative_to(root).as_posix() for k, v in installed_modules(root).items()
    } == expected


def test_no_manifest_is_no_module(tmp_path: Path) -> None:
    assert installed_modules(tmp_path) == {}


def test_an_oversized_manifest_is_not_read(tmp_path: Path) -> None:
    entry = json.dumps({"Key": "a", "Dir": "mods/a"})
    padding = " " * (4 * 1024 * 1024)
    root = _root(tmp_path, f'{{"Modules": [{entry}]}}{padding}')
    assert installed_modules(root) == {}
