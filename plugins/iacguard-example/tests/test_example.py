"""The example plugin's findings on the repository's fixtures, by rule ID and address."""

from __future__ import annotations

from pathlib import Path

import iacguard_example
import pytest

from iacguard.engine import ScanOptions, scan
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.selection import RuleSelection

REPO = Path(__file__).resolve().parents[3]
BOUNDARY = REPO / "plugins" / "examples" / "fixtures" / "boundary"


def findings(path: Path) -> set[tuple[str, str]]:
    """``{(rule_id, address)}`` of the example plugin's findings on *path*."""
    pm = get_plugin_manager(load_entrypoints=False)
    pm.register(iacguard_example, name="example")
    registry, problems = collect_checks(pm)
    assert not problems
    result = scan([path], registry, ScanOptions(selection=RuleSelection(("EXA",))))
    assert result.complete
    return {(f.rule_id, f.address) for f in result.findings}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(
            BOUNDARY / "plan.json",
            {("EXA001", "aws_iam_role.unbounded"), ("EXA002", "aws_iam_user.legacy")},
            id="terraform-plan",
        ),
        pytest.param(
            BOUNDARY / "template.yaml",
            {("EXA001", "UnboundedRole"), ("EXA002", "LegacyUser")},
            id="cloudformation",
        ),
        pytest.param(
            REPO / "fixtures" / "terraform" / "users_groups" / "plan.json",
            {
                ("EXA001", "aws_iam_role.queue_consumer"),
                ("EXA001", "aws_iam_role.report_builder"),
                ("EXA002", "aws_iam_user.alice"),
                ("EXA002", "aws_iam_user.bob"),
                ("EXA002", "aws_iam_user.carol"),
            },
            id="users-groups",
        ),
    ],
)
def test_findings(path: Path, expected: set[tuple[str, str]]) -> None:
    assert findings(path) == expected


def test_entry_point_is_published() -> None:
    from importlib.metadata import entry_points

    [entry] = [e for e in entry_points(group="iacguard") if e.name == "example"]
    assert entry.value == "iacguard_example"
