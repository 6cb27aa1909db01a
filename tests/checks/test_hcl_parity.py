"""Every Terraform fixture scanned as HCL gives the rule IDs and addresses of its plan.

Exceptions are values only known at apply time, listed in ``APPLY_TIME_ONLY`` with the
reason; there are none today: everything the fixtures leave unknown in the plan
(``name_prefix`` names, ARNs, deferred data sources) is unknown in HCL as well, and a
document only partly known in HCL is filled into the plan from its source, so both
read the same literal parts. The other exceptions are what only a plan's prior state
knows, listed in ``STATE_ONLY``: policies put on a resource outside Terraform, kept in
the computed copies (``existing_state``) that no separate resource defines.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import pytest

from iacguard.engine import ScanOptions, scan
from iacguard.model import SourceKind
from iacguard.plugins import collect_checks, get_plugin_manager
from tests.conftest import TERRAFORM, found

CASES = sorted(p.name for p in TERRAFORM.iterdir() if (p / "plan.json").is_file())
#: (case, rule, address) -> why the plan and the HCL scan may differ
APPLY_TIME_ONLY: dict[tuple[str, str, str], str] = {}
_OUTSIDE = "only the state's copy holds it: put on the resource outside Terraform"
#: (case, rule, address) -> what of the plan's prior state the finding rests on
STATE_ONLY: dict[tuple[str, str, str], str] = {
    ("existing_state", "IAM301", "aws_iam_role.batch"): f"inline policy {_OUTSIDE}",
    ("existing_state", "IAM206", "aws_iam_role.batch"): f"inline policy {_OUTSIDE}",
    ("existing_state", "IAM309", "aws_iam_role.batch"): f"PowerUserAccess {_OUTSIDE}",
    ("existing_state", "IAM501", "aws_s3_bucket.archive"): f"public bucket policy {_OUTSIDE}",
}


@cache
def _hcl_findings(case: str, tmp: Path) -> frozenset[tuple[str, str]]:
    root = tmp / case
    shutil.copytree(TERRAFORM / case, root, ignore=shutil.ignore_patterns("plan.json", "*.tfstate"))
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    result = scan([root], registry, ScanOptions())
    assert result.complete, result.diagnostics
    assert {f.source for f in result.findings} <= {SourceKind.TERRAFORM_HCL}
    return frozenset((f.rule_id, f.address) for f in result.findings)


@pytest.mark.parametrize("case", CASES)
def test_hcl_scan_matches_the_plan(case: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    hcl = _hcl_findings(case, tmp_path_factory.mktemp("hcl"))
    plan = found(case)
    excused = {(r, a) for (c, r, a) in APPLY_TIME_ONLY if c == case}
    state_only = {(r, a) for (c, r, a) in STATE_ONLY if c == case}
    assert sorted(plan - hcl - excused - state_only) == [], "found in the plan only"
    assert sorted(hcl - plan - excused) == [], "found in the HCL only"
    assert sorted(state_only - plan) == [], "STATE_ONLY lists what the plan does not find"


@pytest.mark.parametrize("case", CASES)
def test_hcl_findings_carry_file_and_line(
    case: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("lines") / case
    shutil.copytree(TERRAFORM / case, root, ignore=shutil.ignore_patterns("plan.json", "*.tfstate"))
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    for finding in scan([root], registry, ScanOptions()).findings:
        assert finding.location.file.name.endswith((".tf", ".tf.json"))
        assert finding.location.line is not None
        assert finding.location.line > 0
