"""Benchmark ``iacguard diff`` against ``iacguard check`` on the same plan.

Usage: ``python benchmarks/bench_diff.py [CHANGES] [--repeat N]`` (default 6000, 3).

The synthetic plan (``synthetic_plans.py``) gets a prior state: every planned managed
resource as if it existed, with its known planned values as ``change.before`` too. The
diff then builds and checks two full graphs, which is its worst case (an update of every
resource); the target in README.md is ``diff`` at most 2.5x ``check``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import IACGUARD, measure  # noqa: E402


def with_prior_state(plan: dict[str, Any]) -> dict[str, Any]:
    """*plan* as if every managed resource it plans already existed."""
    resources = plan.get("planned_values", {}).get("root_module", {}).get("resources", [])
    managed = [r for r in resources if r.get("mode") == "managed"]
    prior = plan.setdefault("prior_state", {"format_version": "1.0", "values": {"root_module": {}}})
    module = prior.setdefault("values", {}).setdefault("root_module", {})
    module["resources"] = module.get("resources", []) + managed
    for change in plan.get("resource_changes", []):
        after = change.get("change", {}).get("after")
        if isinstance(after, dict) and change.get("mode") == "managed":
            change["change"]["before"] = after
            change["change"]["actions"] = ["update"]
    return plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("changes", type=int, nargs="?", default=6000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        plan_path = Path(name) / "plan.json"
        generator = [sys.executable, str(HERE / "synthetic_plans.py"), str(args.changes)]
        plan = json.loads(subprocess.run(generator, capture_output=True, check=True).stdout)
        plan_path.write_text(json.dumps(with_prior_state(plan)))
        del plan
        check, _ = measure([IACGUARD, "check", str(plan_path), "-f", "json"], args.repeat)
        diff, rss = measure([IACGUARD, "diff", str(plan_path), "-f", "json"], args.repeat)
    print(
        f"diff on {args.changes} changes with prior state: {diff:.2f} s, {rss:.0f} MB; "
        f"check {check:.2f} s; diff/check {diff / check:.2f}x (target <= 2.5x)"
    )


if __name__ == "__main__":
    main()
