"""Build large Terraform plans by cloning the resources of real fixture plans.

Each copy renames every root-module resource (``aws_iam_user.alice`` becomes
``aws_iam_user.alice_c7``) in ``planned_values``, ``resource_changes``,
``configuration`` (addresses and the ``references`` of every expression) and
``prior_state``, and suffixes the resources' ``name`` values everywhere they are used,
so links by reference and by name stay inside their copy, as in a real monorepo plan.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: root-module-only fixtures whose mix exercises linking, policies and trust
TEMPLATES = ("users_groups", "least_privilege", "trust", "credentials", "resource_policies")


def _load(case: str) -> dict[str, Any]:
    plan: dict[str, Any] = json.loads(
        (ROOT / "fixtures" / "terraform" / case / "plan.json").read_text()
    )
    return plan


def _rename(value: Any, mapping: dict[str, str], names: dict[str, str]) -> Any:
    """Rename resource references in strings and suffix known resource names."""
    if isinstance(value, dict):
        return {k: _rename(v, mapping, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, mapping, names) for v in value]
    if isinstance(value, str):
        if value in names:
            return names[value]
        return _REF.sub(lambda m: mapping.get(m.group(0), m.group(0)), value) if mapping else value
    return value


_REF = re.compile(r"(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*")


def _copy_parts(plan: dict[str, Any], k: int) -> dict[str, Any]:
    """The resource-bearing parts of *plan*, renamed for copy *k*."""
    changes = plan.get("resource_changes", [])
    addresses = {rc["address"] for rc in changes}
    prior = (
        plan.get("prior_state", {}).get("values", {}).get("root_module", {}).get("resources", [])
    )
    addresses |= {r["address"] for r in prior}
    mapping = {a: f"{a}_c{k}" for a in addresses}
    names = {
        rc["change"]["after"]["name"]: f"{rc['change']['after']['name']}-c{k}"
        for rc in changes
        if isinstance((rc.get("change") or {}).get("after"), dict)
        and isinstance(rc["change"]["after"].get("name"), str)
    }

    def fix(resource: dict[str, Any]) -> dict[str, Any]:
        renamed: dict[str, Any] = _rename(copy.deepcopy(resource), mapping, names)
        renamed["address"] = mapping.get(resource["address"], resource["address"])
        renamed["name"] = f"{resource['name']}_c{k}"
        return renamed

    config = plan.get("configuration", {}).get("root_module", {})
    return {
        "planned": [fix(r) for r in plan["planned_values"]["root_module"].get("resources", [])],
        "changes": [fix(rc) for rc in changes],
        "prior": [fix(r) for r in prior],
        "config": [fix(r) for r in config.get("resources", [])],
    }


def build(target_changes: int) -> dict[str, Any]:
    """A plan with about *target_changes* resource changes."""
    templates = [_load(case) for case in TEMPLATES]
    per_round = sum(len(t.get("resource_changes", [])) for t in templates)
    rounds = max(1, round(target_changes / per_round))
    plan = copy.deepcopy(templates[0])
    plan["planned_values"]["root_module"]["resources"] = []
    plan["resource_changes"] = []
    plan.setdefault("prior_state", {"format_version": "1.0", "values": {"root_module": {}}})
    plan["prior_state"]["values"]["root_module"]["resources"] = []
    plan["configuration"]["root_module"]["resources"] = []
    plan["configuration"]["root_module"]["outputs"] = {}
    plan.pop("output_changes", None)
    for k in range(rounds):
        for template in templates:
            parts = _copy_parts(template, k * len(templates) + templates.index(template))
            plan["planned_values"]["root_module"]["resources"] += parts["planned"]
            plan["resource_changes"] += parts["changes"]
            plan["prior_state"]["values"]["root_module"]["resources"] += parts["prior"]
            plan["configuration"]["root_module"]["resources"] += parts["config"]
    return plan


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    json.dump(build(count), sys.stdout, separators=(",", ":"))
