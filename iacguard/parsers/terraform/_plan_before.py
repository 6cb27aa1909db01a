"""The state a Terraform plan starts from, as a plan of its own: the "before" side of
``iacguard diff PLAN`` and ``check --new-only``.

A plan holds the current state twice: ``prior_state`` (every resource and data source,
as last refreshed) and each change's ``change.before``. :func:`before_plan` turns a plan
into one whose planned values *are* that state, so that the ordinary plan reader builds
the graph of the infrastructure as it is, with the same rules for computed copies
(:mod:`._plan_copies`: the separate resources' prior values decide) and the same
configuration for locations and suppressions. Deleted resources are in it (they exist
until apply); created ones are not. A plan without a ``prior_state`` (a first apply)
starts from nothing, unless its changes carry ``before`` values.

The configuration is the changed one, so what it says literally about a resource
(``TfResource.literals``, which rules that search code read) is replaced by the prior
values of the same attributes (:func:`with_prior_literals`): a secret written by the
change is not taken for one that was already there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from iacguard.parsers._source import JSONValue, json_list, json_object
from iacguard.parsers.terraform._terraform import TerraformConfig

#: the plan keys the before plan keeps as they are
_KEPT = ("format_version", "terraform_version", "configuration", "variables", "prior_state")


def before_plan(plan: Mapping[str, JSONValue]) -> dict[str, JSONValue]:
    """A plan whose planned values are the state *plan* was made against.

    Each resource change with a ``before`` object becomes an unchanged resource with
    those values (none unknown, those ``before_sensitive`` marks still sensitive);
    changes without one (creations, data sources read at apply) are left out.
    """
    prior = json_object(json_object(plan.get("prior_state")).get("values"))
    changes: list[JSONValue] = []
    for change in json_list(plan.get("resource_changes")):
        if not isinstance(change, dict):
            continue
        recorded = json_object(change.get("change"))
        before = recorded.get("before")
        if not isinstance(before, dict):
            continue
        mask = recorded.get("before_sensitive", False)
        unchanged = {
            "actions": ["no-op"],
            "before": before,
            "before_sensitive": mask,
            "after": before,
            "after_sensitive": mask,  # what was sensitive before stays hidden
            "after_unknown": {},
        }
        changes.append({**change, "change": unchanged})
    data: dict[str, JSONValue] = {key: plan[key] for key in _KEPT if key in plan}
    data["planned_values"] = {"root_module": json_object(prior.get("root_module"))}
    data["resource_changes"] = changes
    return data


def with_prior_literals(config: TerraformConfig) -> TerraformConfig:
    """*config* (read from a :func:`before_plan`) with each resource's configured
    attributes holding their prior values instead of what the changed configuration
    writes; an attribute the prior state lacks is left out."""
    resources = tuple(
        replace(res, literals={k: res.values[k] for k in res.literals if k in res.values})
        for res in config.resources
    )
    return replace(config, resources=resources)
