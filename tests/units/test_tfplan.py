"""The Terraform plan reader: format versions, each place a plan holds resources
(``planned_values`` with child modules, ``resource_changes`` alone, ``prior_state``),
unknown masks, references to instances and through modules, outputs, providers and
variables."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from iacguard.errors import UnsupportedInputError
from iacguard.model import AttributeRef, Location, Origin, SourceKind, Unknown
from iacguard.parsers.terraform._terraform import ResolvedRef, TerraformConfig, TfBlock, TfResource
from iacguard.parsers.terraform.plan import (
    expression_value,
    looks_like_plan,
    merge_unknown,
    read_plan,
)

PATH = Path("plan.json")
DISPLAY = PurePosixPath("plan.json")


def _origin(address: str) -> Origin:
    return Origin(SourceKind.TERRAFORM_PLAN, address, Location(DISPLAY))


def read(plan: dict[str, Any]) -> TerraformConfig:
    return read_plan({"format_version": "1.2", **plan}, PATH, DISPLAY)


def _resource(config: TerraformConfig, address: str) -> TfResource:
    return next(r for r in config.resources if r.address == address)


def _planned(*resources: dict[str, Any], children: list[Any] | None = None) -> dict[str, Any]:
    module: dict[str, Any] = {"resources": list(resources)}
    if children is not None:
        module["child_modules"] = children
    return {"planned_values": {"root_module": module}}


def _user(address: str, **values: Any) -> dict[str, Any]:
    return {"address": address, "mode": "managed", "type": "aws_iam_user", "values": values}


# ---------------------------------------------------------------------- format versions


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"format_version": "1.2", "planned_values": {}}, id="planned-values"),
        pytest.param({"format_version": "0.1", "resource_changes": []}, id="resource-changes"),
        pytest.param({"format_version": "1.0", "configuration": {}}, id="configuration"),
        pytest.param({"format_version": "1.0", "prior_state": {}}, id="prior-state"),
    ],
)
def test_looks_like_plan(data: dict[str, Any]) -> None:
    assert looks_like_plan(data)
    declared = frozenset[str]() if "configuration" in data else None
    assert read_plan(data, PATH, DISPLAY) == TerraformConfig((), (), (), declared)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param([], id="list"),
        pytest.param({"format_version": "1.0"}, id="no-plan-keys"),
        pytest.param({"planned_values": {}}, id="no-version"),
        pytest.param({"format_version": "1.0", "values": {}}, id="state-file"),
    ],
)
def test_not_a_plan(data: Any) -> None:
    assert not looks_like_plan(data)
    with pytest.raises(UnsupportedInputError) as caught:
        read_plan(data, PATH, DISPLAY)
    assert str(caught.value) == (
        "plan.json: not a Terraform plan: expected the output of 'terraform show -json PLANFILE'"
    )


@pytest.mark.parametrize(
    ("version", "message"),
    [
        pytest.param(1.2, "plan format_version must be a string such as '1.2'", id="number"),
        pytest.param(
            "2.0",
            "plan format_version '2.0' is not supported (supported: 0.x and 1.x)",
            id="major-2",
        ),
        pytest.param(
            "", "plan format_version '' is not supported (supported: 0.x and 1.x)", id="empty"
        ),
    ],
)
def test_unsupported_versions(version: object, message: str) -> None:
    with pytest.raises(UnsupportedInputError) as caught:
        read_plan({"format_version": version, "planned_values": {}}, PATH, DISPLAY)
    assert str(caught.value) == f"plan.json: {message}"


@pytest.mark.parametrize("version", ["0.1", "0.2", "1.0", "1.1", "1.2", "1.99"])
def test_supported_versions_read_the_same(version: str) -> None:
    data = {"format_version": version, **_planned(_user("aws_iam_user.u", name="u"))}
    (resource,) = read_plan(data, PATH, DISPLAY).resources
    assert resource == TfResource(
        "aws_iam_user.u", "managed", "aws_iam_user", _origin("aws_iam_user.u"), {"name": "u"}
    )


# ---------------------------------------------------------------------- where resources come from


def test_planned_values_walk_child_modules() -> None:
    config = read(
        _planned(
            _user("aws_iam_user.root", name="r"),
            "junk",
            {"address": 7},
            children=[
                {
                    "resources": [_user("module.a.aws_iam_user.u", name="a")],
                    "child_modules": [
                        {"resources": [_user("module.a.module.b.aws_iam_user.u", name="b")]}
                    ],
                },
                "junk",
            ],
        )
    )
    assert [(r.address, r.values) for r in config.resources] == [
        ("aws_iam_user.root", {"name": "r"}),
        ("module.a.aws_iam_user.u", {"name": "a"}),
        ("module.a.module.b.aws_iam_user.u", {"name": "b"}),
    ]


def test_resource_changes_without_planned_values() -> None:
    config = read(
        {
            "resource_changes": [
                {
                    "address": "aws_iam_user.new",
                    "type": "aws_iam_user",
                    "change": {
                        "actions": ["create"],
                        "after": {"name": "n", "tags": None},
                        "after_unknown": {"arn": True},
                    },
                },
                {
                    "address": "aws_iam_user.replaced",
                    "type": "aws_iam_user",
                    "change": {"actions": ["delete", "create"], "after": {"name": "r"}},
                },
                {
                    "address": "aws_iam_user.gone",
                    "type": "aws_iam_user",
                    "change": {"actions": ["delete"], "after": None},
                },
                {"address": "aws_iam_user.no_after", "change": {"actions": ["no-op"]}},
                {"change": {}},
                "junk",
            ]
        }
    )
    assert [(r.address, r.values) for r in config.resources] == [
        ("aws_iam_user.new", {"name": "n", "tags": None, "arn": Unknown("aws_iam_user.new.arn")}),
        ("aws_iam_user.replaced", {"name": "r"}),
    ]


def test_planned_values_win_over_resource_changes_and_take_their_mask() -> None:
    config = read(
        {
            **_planned(_user("aws_iam_user.u", name="planned", arn=None)),
            "resource_changes": [
                {
                    "address": "aws_iam_user.u",
                    "change": {
                        "actions": ["create"],
                        "after": {"name": "after"},
                        "after_unknown": {"arn": True},
                    },
                }
            ],
        }
    )
    (resource,) = config.resources
    assert resource.values == {"name": "planned", "arn": Unknown("aws_iam_user.u.arn")}


def test_prior_state_adds_data_sources_only() -> None:
    document = {
        "address": "data.aws_iam_policy_document.d",
        "mode": "data",
        "type": "aws_iam_policy_document",
        "values": {"json": '{"Statement": []}'},
    }
    config = read(
        {
            **_planned(_user("aws_iam_user.u", name="planned")),
            "prior_state": {
                "values": {
                    "root_module": {
                        "resources": [
                            document,
                            _user("aws_iam_user.u", name="prior"),
                            _user("aws_iam_user.old", name="old"),
                        ],
                        "child_modules": [
                            {
                                "resources": [
                                    {**document, "address": "module.m." + document["address"]}
                                ]
                            }
                        ],
                    }
                }
            },
        }
    )
    assert [(r.address, r.mode, r.values) for r in config.resources] == [
        ("aws_iam_user.u", "managed", {"name": "planned"}),
        ("data.aws_iam_policy_document.d", "data", {"json": '{"Statement": []}'}),
        ("module.m.data.aws_iam_policy_document.d", "data", {"json": '{"Statement": []}'}),
    ]


def test_type_and_mode_fall_back_to_the_address() -> None:
    config = read(
        _planned(
            {"address": "data.aws_caller_identity.me", "mode": "data", "values": {}},
            {"address": "aws_iam_role.r[0]", "mode": "weird", "values": "not-a-map"},
        )
    )
    assert [(r.address, r.mode, r.type, r.values) for r in config.resources] == [
        ("data.aws_caller_identity.me", "data", "aws_caller_identity", {}),
        ("aws_iam_role.r[0]", "managed", "aws_iam_role", {}),
    ]


# ---------------------------------------------------------------------- configuration


def _with_config(
    resources: list[dict[str, Any]],
    config_resources: list[dict[str, Any]],
    **root: Any,
) -> dict[str, Any]:
    return {
        **_planned(*resources),
        "configuration": {"root_module": {"resources": config_resources, **root}},
    }


def test_unset_optional_computed_attribute_is_null() -> None:
    plan = _with_config(
        [_user("aws_iam_user.u", name="u", permissions_boundary=None, arn=None)],
        [{"address": "aws_iam_user.u", "expressions": {"name": {"constant_value": "u"}}}],
    )
    plan["resource_changes"] = [
        {
            "address": "aws_iam_user.u",
            "change": {
                "actions": ["create"],
                "after_unknown": {"permissions_boundary": True, "arn": True},
            },
        }
    ]
    (resource,) = read(plan).resources
    assert resource.values == {"name": "u", "permissions_boundary": None, "arn": None}
    assert resource.literals == {"name": "u"}


def test_unknown_configured_attribute_carries_its_references() -> None:
    role = {
        "address": "aws_iam_role.r",
        "mode": "managed",
        "type": "aws_iam_role",
        "values": {"name": "r"},
    }
    attachment = {
        "address": "aws_iam_role_policy_attachment.a",
        "mode": "managed",
        "type": "aws_iam_role_policy_attachment",
        "values": {"role": None},
    }
    plan = _with_config(
        [role, attachment],
        [
            {"address": "aws_iam_role.r", "expressions": {"name": {"constant_value": "r"}}},
            {
                "address": "aws_iam_role_policy_attachment.a",
                "expressions": {
                    "role": {"references": ["aws_iam_role.r.name", "aws_iam_role.r"]},
                    "policy_arn": {"references": ["var.arn"]},
                },
            },
        ],
    )
    plan["resource_changes"] = [
        {
            "address": "aws_iam_role_policy_attachment.a",
            "change": {"actions": ["create"], "after_unknown": {"role": True}},
        }
    ]
    resource = _resource(read(plan), "aws_iam_role_policy_attachment.a")
    assert resource.values == {
        "role": Unknown(
            "aws_iam_role_policy_attachment.a.role", (AttributeRef("aws_iam_role.r", "name"),)
        )
    }
    # Terraform lists the bare resource beside the attribute: it links with no attribute
    assert resource.links == {
        "role": (
            ResolvedRef("aws_iam_role.r", "aws_iam_role", "name"),
            ResolvedRef("aws_iam_role.r", "aws_iam_role", ""),
        ),
    }
    assert resource.literals == {
        "role": Unknown(
            "aws_iam_role.r.name, aws_iam_role.r", (AttributeRef("aws_iam_role.r", "name"),)
        ),
        "policy_arn": Unknown("var.arn"),
    }


def _role(address: str) -> dict[str, Any]:
    return {"address": address, "mode": "managed", "type": "aws_iam_role", "values": {}}


def _links(plan: dict[str, Any], address: str) -> list[tuple[str, str]]:
    resource = _resource(read(plan), address)
    return [(r.address, r.attribute) for refs in resource.links.values() for r in refs]


@pytest.mark.parametrize(
    ("references", "referrer", "expected"),
    [
        pytest.param(
            ['aws_iam_role.r["b"].arn'],
            "aws_iam_policy.p",
            [('aws_iam_role.r["b"]', "arn")],
            id="explicit-index",
        ),
        pytest.param(
            ['aws_iam_role.r["b"].arn', 'aws_iam_role.r["b"]', "aws_iam_role.r"],
            "aws_iam_policy.p",
            [('aws_iam_role.r["b"]', "arn"), ('aws_iam_role.r["b"]', "")],
            id="terraform-lists-index-and-bare-resource",
        ),
        pytest.param(
            ["aws_iam_role.r.arn"],
            'aws_iam_policy.p["a"]',
            [('aws_iam_role.r["a"]', "arn")],
            id="same-index-as-referrer",
        ),
        pytest.param(
            ["aws_iam_role.r.arn"],
            "aws_iam_policy.p",
            [('aws_iam_role.r["a"]', "arn"), ('aws_iam_role.r["b"]', "arn")],
            id="every-instance",
        ),
        pytest.param(["aws_iam_role.none.arn"], "aws_iam_policy.p", [], id="no-such-resource"),
        pytest.param(["local.x"], "aws_iam_policy.p", [], id="local"),
        pytest.param(["var.x"], "aws_iam_policy.p", [], id="root-variable"),
        pytest.param(["module.m"], "aws_iam_policy.p", [], id="bare-module"),
        pytest.param(["module.none.out"], "aws_iam_policy.p", [], id="unknown-module"),
    ],
)
def test_references_to_instances(
    references: list[str], referrer: str, expected: list[tuple[str, str]]
) -> None:
    plan = _with_config(
        [_role('aws_iam_role.r["a"]'), _role('aws_iam_role.r["b"]'), _role(referrer)],
        [
            {
                "address": strip(referrer),
                "expressions": {"policy": {"references": references}},
            }
        ],
    )
    assert _links(plan, referrer) == expected


def strip(address: str) -> str:
    return address.split("[", 1)[0]


def test_references_through_module_inputs_and_outputs() -> None:
    plan = _with_config(
        [
            _role("aws_iam_role.root"),
            _role("module.m.aws_iam_role.inner"),
            _role('module.each["k"].aws_iam_role.inner'),
            {**_role("aws_iam_policy.uses_output"), "type": "aws_iam_policy"},
        ],
        [
            {
                "address": "aws_iam_policy.uses_output",
                "expressions": {
                    "a": {"references": ["module.m.role_arn", "module.m"]},
                    "b": {"references": ["module.each.role_arn"]},
                    "c": {"references": ['module.each["k"].role_arn']},
                },
            }
        ],
        module_calls={
            "m": {
                "expressions": {"parent_arn": {"references": ["aws_iam_role.root.arn"]}},
                "module": {
                    "resources": [
                        {
                            "address": "aws_iam_role.inner",
                            "expressions": {
                                "permissions_boundary": {"references": ["var.parent_arn"]}
                            },
                        }
                    ],
                    "outputs": {
                        "role_arn": {"expression": {"references": ["aws_iam_role.inner.arn"]}}
                    },
                },
            },
            "each": {
                "module": {
                    "outputs": {
                        "role_arn": {"expression": {"references": ["aws_iam_role.inner.arn"]}}
                    }
                }
            },
        },
    )
    config = read(plan)
    user = _resource(config, "aws_iam_policy.uses_output")
    assert {k: [(r.address, r.attribute) for r in v] for k, v in user.links.items()} == {
        "a": [("module.m.aws_iam_role.inner", "arn")],
        "b": [('module.each["k"].aws_iam_role.inner', "arn")],
    }
    inner = _resource(config, "module.m.aws_iam_role.inner")
    assert inner.links == {
        "permissions_boundary": (ResolvedRef("aws_iam_role.root", "aws_iam_role", "arn"),)
    }


def test_nested_block_expressions_are_followed() -> None:
    plan = _with_config(
        [_role("aws_iam_role.r"), _role("aws_iam_role.target")],
        [
            {
                "address": "aws_iam_role.r",
                "expressions": {
                    "inline_policy": [
                        {
                            "name": {"constant_value": "p"},
                            "policy": {"references": ["aws_iam_role.target.arn"]},
                        }
                    ]
                },
            }
        ],
    )
    resource = _resource(read(plan), "aws_iam_role.r")
    assert resource.links == {
        "inline_policy": (ResolvedRef("aws_iam_role.target", "aws_iam_role", "arn"),)
    }
    assert resource.literals == {
        "inline_policy": (
            {
                "name": "p",
                "policy": Unknown(
                    "aws_iam_role.target.arn", (AttributeRef("aws_iam_role.target", "arn"),)
                ),
            },
        )
    }


# ---------------------------------------------------------------------- outputs and blocks


def test_outputs() -> None:
    plan = _with_config(
        [_role("aws_iam_role.r")],
        [],
        outputs={
            "arn": {"expression": {"references": ["aws_iam_role.r.arn"]}},
            "secret": {"sensitive": True, "expression": {"constant_value": "x"}},
            "late": {"expression": {}},
        },
    )
    plan["output_changes"] = {"late": {"after_sensitive": True}}
    outputs = read(plan).outputs
    assert [(o.name, o.origin, o.refs, o.sensitive) for o in outputs] == [
        (
            "arn",
            _origin("output.arn"),
            (ResolvedRef("aws_iam_role.r", "aws_iam_role", "arn"),),
            False,
        ),
        ("secret", _origin("output.secret"), (), True),
        ("late", _origin("output.late"), (), True),
    ]


def test_providers_and_variables() -> None:
    plan = {
        "configuration": {
            "provider_config": {
                "aws": {"name": "aws", "expressions": {"region": {"constant_value": "eu-west-1"}}},
                "aws.east": {"name": "aws", "alias": "east"},
                "module.m:aws": {
                    "name": "aws",
                    "expressions": {"profile": {"references": ["var.p"]}},
                },
                "google": "junk",
            },
            "root_module": {
                "variables": {"declared": {"default": "d"}, "given": {"default": "ignored"}}
            },
        },
        "variables": {"given": {"value": {"k": [1]}}, "extra": {"value": None}},
    }
    assert read(plan).blocks == (
        TfBlock(
            "provider", "aws", "provider.aws", _origin("provider.aws"), {"region": "eu-west-1"}
        ),
        TfBlock("provider", "aws", "provider.aws.east", _origin("provider.aws.east"), {}),
        TfBlock(
            "provider",
            "aws",
            "module.m.provider.aws",
            _origin("module.m.provider.aws"),
            {"profile": Unknown("var.p")},
        ),
        TfBlock("provider", "google", "provider.google", _origin("provider.google"), {}),
        TfBlock("variable", "", "var.declared", _origin("var.declared"), {"declared": "d"}),
        TfBlock("variable", "", "var.given", _origin("var.given"), {"given": {"k": (1,)}}),
        TfBlock("variable", "", "var.extra", _origin("var.extra"), {"extra": None}),
    )


# ---------------------------------------------------------------------- value helpers


@pytest.mark.parametrize(
    ("value", "mask", "expected"),
    [
        pytest.param("x", None, "x", id="no-mask"),
        pytest.param("x", False, "x", id="false-mask"),
        pytest.param(None, True, Unknown("r"), id="unknown"),
        pytest.param(
            {"a": [1, {"b": 2}]}, {}, {"a": (1, {"b": 2})}, id="empty-mask-lists-to-tuples"
        ),
        pytest.param({"a": 1}, {"b": True}, {"a": 1, "b": Unknown("r.b")}, id="key-only-in-mask"),
        pytest.param(
            {"a": [1, 2]}, {"a": [False, True]}, {"a": (1, Unknown("r.a[1]"))}, id="list-element"
        ),
        pytest.param(
            [1], [False, True, False], (1, Unknown("r[1]")), id="unknown-elements-past-the-end"
        ),
        pytest.param([1], {"x": True}, (1,), id="list-with-map-mask"),
        pytest.param({"a": 1}, [True], {"a": 1}, id="map-with-list-mask"),
        pytest.param(3, {"a": True}, 3, id="scalar-with-mask"),
        pytest.param(object(), {"a": True}, None, id="not-json-with-mask"),
        pytest.param({"a": object()}, None, {"a": None}, id="not-json-in-map"),
        pytest.param(object(), None, None, id="not-json"),
    ],
)
def test_merge_unknown(value: Any, mask: Any, expected: Any) -> None:
    assert merge_unknown(value, mask, "r") == expected


def test_merge_unknown_shares_flat_maps() -> None:
    flat = {"a": 1, "b": "x"}
    assert merge_unknown(flat, None, "r") is flat


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param({"constant_value": [1]}, (1,), id="constant"),
        pytest.param({"references": ["var.a", "var.b", 3]}, Unknown("var.a, var.b"), id="refs"),
        pytest.param({"references": []}, Unknown("e"), id="no-refs"),
        pytest.param(
            {"k": {"constant_value": "v"}, "n": {"references": ["var.n"]}},
            {"k": "v", "n": Unknown("var.n")},
            id="nested-block",
        ),
        pytest.param([{"a": {"constant_value": 1}}], ({"a": 1},), id="block-list"),
        pytest.param("junk", {}, id="junk"),
    ],
)
def test_expression_value(expression: Any, expected: Any) -> None:
    assert expression_value(expression, "e") == expected


def test_expression_value_refs_for() -> None:
    ref = AttributeRef("aws_iam_role.r", "arn")
    value = expression_value({"references": ["aws_iam_role.r.arn"]}, "e", lambda refs: (ref,))
    assert value == Unknown("aws_iam_role.r.arn", (ref,))


# ---------------------------------------------------------------------- limits and copies


def test_module_reference_cycle_ends() -> None:
    """``module.m.out`` is ``var.x`` of the call, whose argument is ``module.m.out``."""
    plan = _with_config(
        [_role("module.m.aws_iam_role.inner")],
        [],
        outputs={"o": {"expression": {"references": ["module.m.out"]}}},
        module_calls={
            "m": {
                "expressions": {"x": {"references": ["module.m.out"]}},
                "module": {"outputs": {"out": {"expression": {"references": ["var.x"]}}}},
            }
        },
    )
    (output,) = read(plan).outputs
    assert output.refs == ()


def test_module_output_with_index_in_the_call_is_not_followed() -> None:
    plan = _with_config(
        [_role('module.m["a.b"].aws_iam_role.inner')],
        [],
        outputs={"o": {"expression": {"references": ['module.m["a.b"].out']}}},
        module_calls={
            "m": {
                "module": {
                    "outputs": {"out": {"expression": {"references": ["aws_iam_role.inner.arn"]}}}
                }
            }
        },
    )
    (output,) = read(plan).outputs
    assert output.refs == ()


def test_deleted_inline_policy_drops_the_roles_copy() -> None:
    """A role in a plan against a state keeps a copy of its inline policies; the one an
    ``aws_iam_role_policy`` (even a deleted one, through ``change.before``) defines goes."""
    role = {
        **_role("aws_iam_role.r"),
        "values": {
            "name": "r",
            "inline_policy": [{"name": "kept", "policy": "{}"}, {"name": "gone", "policy": "{}"}],
        },
    }
    plan = _with_config(
        [role], [{"address": "aws_iam_role.r", "expressions": {"name": {"constant_value": "r"}}}]
    )
    plan["resource_changes"] = [
        {
            "address": "aws_iam_role_policy.p",
            "type": "aws_iam_role_policy",
            "change": {
                "actions": ["delete"],
                "before": {"role": "r", "name": "gone", "policy": "{}"},
                "after": None,
            },
        },
        {
            "address": "aws_iam_role_policy.data_like",
            "type": "aws_iam_role_policy",
            "mode": "data",
            "change": {"actions": ["delete"], "before": {"role": "r", "name": "kept"}},
        },
    ]
    (resource,) = read(plan).resources
    # the defined block becomes None, keeping the positions of the others
    assert resource.values["inline_policy"] == ({"name": "kept", "policy": "{}"}, None)


# ---------------------------------------------------------------------- plans beside their source


PLAN_WITH_UNKNOWN_POLICY = {
    "format_version": "1.2",
    "planned_values": {
        "root_module": {
            "resources": [
                {
                    "address": "aws_iam_policy.p",
                    "mode": "managed",
                    "type": "aws_iam_policy",
                    "values": {"name": "p"},
                }
            ]
        }
    },
    "resource_changes": [
        {
            "address": "aws_iam_policy.p",
            "change": {"actions": ["create"], "after_unknown": {"policy": True}},
        }
    ],
    "configuration": {
        "provider_config": {"aws": {"name": "aws"}},
        "root_module": {
            "outputs": {"n": {"expression": {"references": ["aws_iam_policy.p.name"]}}},
            "resources": [
                {
                    "address": "aws_iam_policy.p",
                    "expressions": {
                        "name": {"constant_value": "p"},
                        "policy": {"references": ["local.doc"]},
                    },
                }
            ],
        },
    },
}
SOURCE = """\
provider "aws" {}
locals {
  doc = jsonencode({ Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }] })
}

# iacguard:ignore:IAM301 accepted for the test
resource "aws_iam_policy" "p" {
  name   = "p"
  policy = local.doc
}

output "n" { value = aws_iam_policy.p.name }
"""


def test_plan_with_its_source(tmp_path: Path) -> None:
    from iacguard.parsers.terraform.plan import parse_plan

    (tmp_path / "main.tf").write_text(SOURCE)
    parsed = parse_plan(PLAN_WITH_UNKNOWN_POLICY, tmp_path / "plan.json", DISPLAY, tmp_path)
    (policy,) = parsed.graph.policies()
    assert policy.origin.location.line == 7
    assert policy.document.statements[0].actions == ("*",)  # type: ignore[union-attr]
    assert [(s.rules, s.address, s.reason) for s in parsed.suppressions] == [
        (("IAM301",), "aws_iam_policy.p", "accepted for the test")
    ]
    assert parsed.notes == ()


def test_plan_with_a_source_that_does_not_parse(tmp_path: Path) -> None:
    from iacguard.parsers.terraform.plan import parse_plan

    (tmp_path / "main.tf").write_text("resource {\n")
    parsed = parse_plan(PLAN_WITH_UNKNOWN_POLICY, tmp_path / "plan.json", DISPLAY, tmp_path)
    (note,) = parsed.notes
    assert note.code == "IAM003"
    assert note.message.startswith(f"plan.json: its source {tmp_path.as_posix()} is not used: ")
    (policy,) = parsed.graph.policies()
    assert policy.document == Unknown("aws_iam_policy.p.policy")
    assert policy.origin.location.line is None


def test_plan_without_source_keeps_the_unknown_document() -> None:
    from iacguard.parsers.terraform.plan import parse_plan

    parsed = parse_plan(PLAN_WITH_UNKNOWN_POLICY, PATH, DISPLAY)
    (policy,) = parsed.graph.policies()
    assert policy.document == Unknown("aws_iam_policy.p.policy")
    assert (parsed.suppressions, parsed.notes) == ((), ())


def test_source_value_unknown_too_is_not_used(tmp_path: Path) -> None:
    from iacguard.parsers.terraform.plan import parse_plan

    (tmp_path / "main.tf").write_text(SOURCE.replace("local.doc", "var.doc"))
    parsed = parse_plan(PLAN_WITH_UNKNOWN_POLICY, tmp_path / "plan.json", DISPLAY, tmp_path)
    (policy,) = parsed.graph.policies()
    assert policy.document == Unknown("aws_iam_policy.p.policy")
    assert policy.origin.location.line == 7


def test_child_modules_deeper_than_the_limit_are_not_walked() -> None:
    module: dict[str, Any] = {"resources": [_user("deepest.aws_iam_user.u", name="deep")]}
    for depth in range(17, -1, -1):
        module = {
            "resources": [_user(f"d{depth}.aws_iam_user.u", name=str(depth))],
            "child_modules": [module],
        }
    config = read({"planned_values": {"root_module": module}})
    assert [r.values["name"] for r in config.resources] == [str(d) for d in range(17)]


@pytest.mark.parametrize(
    ("extra_source", "extra_config", "warned"),
    [
        pytest.param("", [], "", id="the same resources"),
        pytest.param('data "aws_caller_identity" "me" {}\n', [], "", id="a data source"),
        pytest.param(
            'resource "aws_iam_user" "u" { name = "u" }\n',
            [],
            "the .tf files declare aws_iam_user.u, which the plan does not",
            id="a resource only in the source",
        ),
        pytest.param(
            "",
            [{"address": "aws_iam_user.v", "mode": "managed", "type": "aws_iam_user"}],
            "the plan has aws_iam_user.v, which the .tf files do not declare",
            id="a resource only in the plan",
        ),
        pytest.param(
            "",
            [{"address": "data.aws_iam_policy.x", "mode": "data", "type": "aws_iam_policy"}],
            "",
            id="a data source only in the plan",
        ),
    ],
)
def test_a_plan_is_compared_with_its_source(
    tmp_path: Path, extra_source: str, extra_config: list[dict[str, Any]], warned: str
) -> None:
    from iacguard.parsers.terraform.plan import parse_plan

    (tmp_path / "main.tf").write_text(SOURCE + extra_source)
    plan = json.loads(json.dumps(PLAN_WITH_UNKNOWN_POLICY))
    plan["configuration"]["root_module"]["resources"] += extra_config
    notes = parse_plan(plan, tmp_path / "plan.json", DISPLAY, tmp_path).notes
    assert [n.message for n in notes if warned and warned in n.message] == [
        n.message for n in notes
    ]
    assert len(notes) == (1 if warned else 0)
