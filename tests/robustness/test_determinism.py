"""Reports are deterministic: every fixture scanned twice gives byte-identical JSON and
SARIF, findings come sorted, and fingerprints survive a change of line numbers."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.report.json import JsonReporter
from iacguard.report.sarif import SarifReporter
from iacguard.report.sarif import fingerprint as sarif_fingerprint
from tests.conftest import FIXTURES

REGISTRY, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
FIXTURE_INPUTS = sorted(
    [*FIXTURES.glob("terraform/*/plan.json"), *FIXTURES.glob("cloudformation/*/*.yaml"),
     *FIXTURES.glob("cloudformation/*/*.json"), *FIXTURES.glob("terraform/*/"),
     FIXTURES / "hcl" / "real_world", FIXTURES / "hcl" / "suppressions"]
)  # fmt: skip


def _scan(path: Path) -> ScanResult:
    return scan([path], REGISTRY, ScanOptions())


def _render(result: ScanResult) -> tuple[str, str]:
    outputs = []
    for reporter in (JsonReporter(), SarifReporter()):
        stream = io.StringIO()
        reporter.render(result, stream)
        outputs.append(stream.getvalue())
    return outputs[0], outputs[1]


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=str(p.relative_to(FIXTURES))) for p in FIXTURE_INPUTS]
)
def test_two_scans_give_identical_reports(path: Path) -> None:
    first, second = _scan(path), _scan(path)
    assert _render(first) == _render(second)
    assert [f.sort_key for f in first.findings] == sorted(f.sort_key for f in first.findings)
    report = json.loads(_render(first)[0])
    assert "timestamp" not in json.dumps(report).lower()


def test_the_fixtures_have_findings_to_compare() -> None:
    assert sum(bool(_scan(p).findings) for p in FIXTURE_INPUTS[:5]) >= 3


def _fingerprints(result: ScanResult) -> dict[str, tuple[str, int | None, str]]:
    """Finding identity -> (file, line, SARIF partial fingerprint)."""
    return {
        f.fingerprint: (str(f.location.file), f.location.line, sarif_fingerprint(f))
        for f in result.findings
    }


@pytest.mark.parametrize(
    ("source", "file"),
    [
        pytest.param(FIXTURES / "terraform" / "credentials", "main.tf", id="hcl"),
        pytest.param(FIXTURES / "hcl" / "real_world", "main.tf", id="hcl-modules"),
        pytest.param(FIXTURES / "cloudformation" / "least_privilege", "template.yaml", id="cfn"),
        pytest.param(
            FIXTURES / "cloudformation" / "resource_policies", "template.json", id="cfn-json"
        ),
    ],
)  # fmt: skip
def test_fingerprints_survive_a_blank_line_at_the_top(
    tmp_path: Path, source: Path, file: str
) -> None:
    copy = tmp_path / source.name
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("plan.json", "*.tfstate"))
    target = copy if (copy / file).suffix == ".tf" else copy / file
    before = _fingerprints(_scan(target))
    (copy / file).write_text("\n" + (copy / file).read_text())
    after = _fingerprints(_scan(target))
    assert before
    assert before.keys() == after.keys()
    for key, (where, line, print_before) in before.items():
        _, line_after, print_after = after[key]
        assert print_after == print_before
        moved = line is not None and where.endswith(f"{source.name}/{file}")
        assert line_after == (line + 1 if moved else line)


def test_plan_fingerprints_survive_a_moved_source_line(tmp_path: Path) -> None:
    source = FIXTURES / "terraform" / "least_privilege"
    copy = tmp_path / "least_privilege"
    shutil.copytree(source, copy)
    before = _fingerprints(_scan(copy / "plan.json"))
    (copy / "main.tf").write_text("\n\n" + (copy / "main.tf").read_text())
    after = _fingerprints(_scan(copy / "plan.json"))
    assert before
    assert {k: v[2] for k, v in before.items()} == {k: v[2] for k, v in after.items()}
    assert all(after[k][1] == (line + 2 if line else line) for k, (_, line, _) in before.items())
