"""Computed copies in a plan made against a state: a role's ``inline_policy`` and
``managed_policy_arns`` and a bucket's ``policy`` count only for what no separate
resource of the plan defines (``iacguard.parsers.terraform._plan_copies``).

The fixture is ``fixtures/terraform/existing_state`` (a real plan against the
hand-written ``terraform.tfstate`` beside it), read as a plan alone, as a plan with its
source, and as HCL; finer cases of the rule are tables of ``drop_defined_copies``.
"""

from __future__ import annotations

import json
import shutil
from functools import cache
from pathlib import Path, PurePosixPath

import pytest

from iacguard.engine import ScanOptions, scan
from iacguard.graph import Graph
from iacguard.model import AttributeRef, Location, Origin, RawValue, SourceKind, Unknown
from iacguard.parsers.terraform import hcl
from iacguard.parsers.terraform import plan as tfplan
from iacguard.parsers.terraform._plan_copies import (
    SEPARATE_TYPES,
    WHOLE_COPIES,
    Separate,
    drop_defined_copies,
)
from iacguard.parsers.terraform._terraform import ResolvedRef, TfResource
from iacguard.plugins import collect_checks, get_plugin_manager
from tests.conftest import TERRAFORM

CASE = TERRAFORM / "existing_state"
DISPLAY = PurePosixPath("fixtures/terraform/existing_state")
MODES = ("plan", "plan+source", "hcl")

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"

#: what every reading finds: the planned policies of the separate resources and the
#: inline_policy blocks written in the configuration
PLANNED = {
    ("IAM206", "aws_iam_role_policy.app_inline"),
    ("IAM206", "aws_iam_role.legacy"),
    ("IAM301", "aws_iam_role.legacy"),
    ("IAM206", "aws_iam_role.generated"),
    ("IAM301", "aws_iam_role.generated"),
    ("IAM501", "aws_s3_bucket_policy.uploads"),
}
#: what only the state's copies hold: put on the resources outside Terraform
STATE_ONLY = {
    ("IAM206", "aws_iam_role.batch"),
    ("IAM301", "aws_iam_role.batch"),
    ("IAM309", "aws_iam_role.batch"),
    ("IAM501", "aws_s3_bucket.archive"),
}
#: what the replaced (stale) copies held, and the plan reported before they were dropped
STALE = {
    ("IAM206", "aws_iam_role.app"),
    ("IAM301", "aws_iam_role.app"),
    ("IAM404", "aws_iam_role.app"),
    ("IAM301", "aws_iam_role.ops"),
    ("IAM309", "aws_iam_role.ops"),
    ("IAM404", "aws_iam_role.ops"),
    ("IAM501", "aws_s3_bucket.reports"),
    ("IAM501", "aws_s3_bucket.retired"),
}


def _findings(root: Path) -> set[tuple[str, str]]:
    registry, problems = collect_checks(get_plugin_manager(load_entrypoints=False))
    assert not problems
    result = scan([root], registry, ScanOptions())
    assert result.complete, result.diagnostics
    return {(f.rule_id, f.address) for f in result.findings}


def _copy(tmp_path: Path, mode: str) -> Path:
    """The fixture as *mode* reads it: the plan alone, the plan beside its ``main.tf``
    (its source), or the ``.tf`` files alone."""
    root = tmp_path / "existing_state"
    root.mkdir()
    if mode != "hcl":
        shutil.copy(CASE / "plan.json", root)
    if mode != "plan":
        shutil.copy(CASE / "main.tf", root)
    return root / "plan.json" if mode != "hcl" else root


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        pytest.param("plan", PLANNED | STATE_ONLY, id="plan-alone"),
        pytest.param("plan+source", PLANNED | STATE_ONLY, id="plan-with-source"),
        pytest.param("hcl", PLANNED, id="hcl"),
    ],
)
def test_exact_findings(mode: str, expected: set[tuple[str, str]], tmp_path: Path) -> None:
    assert _findings(_copy(tmp_path, mode)) == expected


@pytest.mark.parametrize("mode", MODES)
def test_no_finding_of_a_replaced_copy(mode: str, tmp_path: Path) -> None:
    assert _findings(_copy(tmp_path, mode)) & STALE == set()


@cache
def graph(mode: str) -> Graph:
    """The graph of the fixture read as ``hcl``, ``plan`` alone or ``plan+source``."""
    if mode == "hcl":
        return hcl.parse_directory(CASE, DISPLAY).graph
    data = json.loads((CASE / "plan.json").read_text())
    source = CASE if mode == "plan+source" else None
    return tfplan.parse_plan(data, CASE / "plan.json", DISPLAY / "plan.json", source).graph


def held(mode: str, role: str) -> set[str]:
    """The ids of the identity policies *role* holds."""
    principal = graph(mode).principal(role)
    assert principal is not None, role
    return {policy.id for policy, _ in graph(mode).policies_of(principal)}


@pytest.mark.parametrize(
    ("role", "policies", "state_only"),
    [
        pytest.param("aws_iam_role.app", {"aws_iam_role_policy.app_inline"}, set(), id="app"),
        pytest.param("aws_iam_role.ops", {READ_ONLY}, set(), id="ops"),
        pytest.param(
            "aws_iam_role.legacy", {"aws_iam_role.legacy#inline_policy[0]"}, set(), id="legacy"
        ),
        pytest.param(
            "aws_iam_role.generated",
            {"aws_iam_role.generated#inline_policy[0]"},
            set(),
            id="generated-dynamic",
        ),
        pytest.param(
            "aws_iam_role.batch",
            set(),
            {"aws_iam_role.batch#inline_policy[0]", POWER_USER},
            id="batch-outside-terraform",
        ),
    ],
)
@pytest.mark.parametrize("mode", MODES)
def test_role_holds_the_planned_policies(
    mode: str, role: str, policies: set[str], state_only: set[str]
) -> None:
    assert held(mode, role) == policies | (state_only if mode != "hcl" else set())


@pytest.mark.parametrize("mode", MODES)
def test_bucket_policies_are_the_separate_resources(mode: str) -> None:
    resource_policies = {p.id for p in graph(mode).policies() if p.resource_type is not None}
    separate = {"aws_s3_bucket_policy.reports", "aws_s3_bucket_policy.uploads"}
    assert resource_policies == separate | ({"aws_s3_bucket.archive"} if mode != "hcl" else set())


def test_the_plan_holds_the_stale_copies() -> None:
    """The premise: the plan's planned values are the state's copies (the roles and
    buckets are unchanged), and the plan's configuration does not set them."""
    plan = json.loads((CASE / "plan.json").read_text())
    changes = {rc["address"]: rc["change"] for rc in plan["resource_changes"]}
    assert changes["aws_iam_role.app"]["actions"] == ["no-op"]
    assert [b["name"] for b in changes["aws_iam_role.app"]["after"]["inline_policy"]] == [
        "iacguard-fixture-app-inline",
        "iacguard-fixture-app-legacy-admin",
    ]
    assert changes["aws_iam_role.ops"]["after"]["managed_policy_arns"] == [ADMIN, POWER_USER]
    assert '"Principal":"*"' in changes["aws_s3_bucket.reports"]["after"]["policy"]
    assert changes["aws_iam_role_policy.app_legacy_admin"]["actions"] == ["delete"]
    assert changes["aws_iam_role_policy_attachment.ops"]["actions"] == ["delete", "create"]
    assert changes["aws_s3_bucket_policy.retired"]["actions"] == ["delete"]
    expressions = {
        r["address"]: r["expressions"] for r in plan["configuration"]["root_module"]["resources"]
    }
    assert "inline_policy" in expressions["aws_iam_role.legacy"]
    # dynamic blocks are not in a plan's configuration expressions
    assert "inline_policy" not in expressions["aws_iam_role.generated"]
    assert "policy" not in expressions["aws_s3_bucket.reports"]


# ---------------------------------------------------------------------- the rule, in tables

ROLE = "iacguard-fixture-role"
STAR = '{"Statement":[{"Action":"*","Effect":"Allow","Resource":"*"}]}'


def role(
    inline: tuple[str, ...] = (),
    arns: tuple[str, ...] = (),
    configured: tuple[str, ...] = (),
) -> TfResource:
    """An existing role whose copies hold inline policies named *inline* and *arns*."""
    values: dict[str, RawValue] = {
        "name": ROLE,
        "id": ROLE,
        "inline_policy": tuple({"name": n, "policy": STAR} for n in inline),
        "managed_policy_arns": arns,
    }
    literals: dict[str, RawValue] = {"name": ROLE, **{k: values[k] for k in configured}}
    return _resource("aws_iam_role.r", "aws_iam_role", values, literals)


def _resource(
    address: str, rtype: str, values: dict[str, RawValue], literals: dict[str, RawValue]
) -> TfResource:
    origin = Origin(SourceKind.TERRAFORM_PLAN, address, Location(PurePosixPath("plan.json")))
    return TfResource(address, "managed", rtype, origin, values, literals=literals)


def separate(rtype: str, planned: bool = True, **values: RawValue) -> Separate:
    return Separate(rtype, values, planned=planned)


def by_reference(rtype: str, attribute: str, owner: str, **values: RawValue) -> Separate:
    """A planned separate resource naming *owner* by a reference whose value is unknown."""
    links = {attribute: (ResolvedRef(owner, owner.split(".")[0], "name"),)}
    unknown = Unknown(f"{owner}.name", (AttributeRef(owner, "name"),))
    return Separate(rtype, {attribute: unknown, **values}, links)


def inline_names(res: TfResource) -> list[str | None]:
    blocks = res.values["inline_policy"]
    assert isinstance(blocks, tuple)
    return [str(b["name"]) if isinstance(b, dict) else None for b in blocks]


@pytest.mark.parametrize(
    ("copy", "records", "expected"),
    [
        pytest.param(("a", "b"), [], ["a", "b"], id="no-separate-resource"),
        pytest.param(
            ("a", "b"),
            [separate("aws_iam_role_policy", role=ROLE, name="a")],
            [None, "b"],
            id="same-name-same-role",
        ),
        pytest.param(
            ("a",),
            [separate("aws_iam_role_policy", planned=False, role=ROLE, name="a")],
            [None],
            id="deleted-resource-prior-values",
        ),
        pytest.param(
            ("a",),
            [separate("aws_iam_role_policy", role="another-role", name="a")],
            ["a"],
            id="another-role",
        ),
        pytest.param(
            ("a",),
            [by_reference("aws_iam_role_policy", "role", "aws_iam_role.r", name="a")],
            [None],
            id="role-by-reference",
        ),
        pytest.param(
            ("a",),
            [separate("aws_iam_role_policy", role=ROLE, name=Unknown("name_prefix"))],
            ["a"],
            id="unknown-name",
        ),
        pytest.param(
            ("a", "b"),
            [separate("aws_iam_role_policies_exclusive", role_name=ROLE, policy_names=("b",))],
            [None, "b"],
            id="exclusive-removes-unlisted",
        ),
        pytest.param(
            ("a", "b"),
            [
                separate(
                    "aws_iam_role_policies_exclusive",
                    planned=False,
                    role_name=ROLE,
                    policy_names=("b",),
                )
            ],
            ["a", "b"],
            id="deleted-exclusive-removes-nothing",
        ),
        pytest.param(
            ("a", "b"),
            [
                separate(
                    "aws_iam_role_policies_exclusive",
                    role_name=ROLE,
                    policy_names=(Unknown("x"),),
                )
            ],
            ["a", "b"],
            id="exclusive-with-unknown-names",
        ),
    ],
)
def test_inline_policy_copy(
    copy: tuple[str, ...], records: list[Separate], expected: list[str | None]
) -> None:
    (result,) = drop_defined_copies([role(inline=copy)], records)
    assert inline_names(result) == expected


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        pytest.param([], (ADMIN, POWER_USER), id="no-separate-resource"),
        pytest.param(
            [separate("aws_iam_role_policy_attachment", role=ROLE, policy_arn=READ_ONLY)],
            (ADMIN, POWER_USER),
            id="attachment-of-another-policy",
        ),
        pytest.param(
            [
                separate("aws_iam_role_policy_attachment", role=ROLE, policy_arn=READ_ONLY),
                separate(
                    "aws_iam_role_policy_attachment", planned=False, role=ROLE, policy_arn=ADMIN
                ),
            ],
            (POWER_USER,),
            id="replaced-attachment-prior-values",
        ),
        pytest.param(
            [separate("aws_iam_role_policy_attachment", role="another-role", policy_arn=ADMIN)],
            (ADMIN, POWER_USER),
            id="another-role",
        ),
        pytest.param(
            [separate("aws_iam_policy_attachment", roles=("another-role",), policy_arn=ADMIN)],
            (POWER_USER,),
            id="policy-attachment-owns-every-attachment-of-its-policy",
        ),
        pytest.param(
            [separate("aws_iam_role_policy_attachments_exclusive", role_name=ROLE)],
            (),
            id="exclusive-defines-all",
        ),
        pytest.param(
            [
                by_reference(
                    "aws_iam_role_policy_attachments_exclusive", "role_name", "aws_iam_role.r"
                )
            ],
            (),
            id="exclusive-by-reference",
        ),
        pytest.param(
            [separate("aws_iam_role_policy_attachments_exclusive", planned=False, role_name=ROLE)],
            (ADMIN, POWER_USER),
            id="deleted-exclusive-detaches-nothing",
        ),
    ],
)
def test_managed_policy_arns_copy(records: list[Separate], expected: tuple[str, ...]) -> None:
    (result,) = drop_defined_copies([role(arns=(ADMIN, POWER_USER))], records)
    assert result.values["managed_policy_arns"] == expected


def test_configured_attributes_are_not_copies() -> None:
    """What the configuration sets is the user's: kept even when a separate resource
    defines the same policy (both are then analysed)."""
    configured = role(
        inline=("a",), arns=(ADMIN,), configured=("inline_policy", "managed_policy_arns")
    )
    records = [
        separate("aws_iam_role_policy", role=ROLE, name="a"),
        separate("aws_iam_role_policy_attachment", role=ROLE, policy_arn=ADMIN),
    ]
    assert drop_defined_copies([configured], records) == (configured,)


#: owner type -> (its identifying values, the separate resource naming it by one)
WHOLE = {
    "aws_s3_bucket": ({"bucket": "b", "id": "b"}, ("aws_s3_bucket_policy", "bucket", "b")),
    "aws_s3_access_point": (
        {"arn": "arn:aws:s3:us-east-1:123456789012:accesspoint/ap"},
        (
            "aws_s3control_access_point_policy",
            "access_point_arn",
            "arn:aws:s3:us-east-1:123456789012:accesspoint/ap",
        ),
    ),
    "aws_sqs_queue": (
        {"id": "https://sqs/q", "url": "https://sqs/q"},
        ("aws_sqs_queue_policy", "queue_url", "https://sqs/q"),
    ),
    "aws_sns_topic": ({"arn": "arn:t", "id": "arn:t"}, ("aws_sns_topic_policy", "arn", "arn:t")),
    "aws_kms_key": ({"key_id": "k", "arn": "arn:k"}, ("aws_kms_key_policy", "key_id", "arn:k")),
    "aws_kms_external_key": ({"id": "k"}, ("aws_kms_key_policy", "key_id", "k")),
    "aws_kms_replica_key": ({"key_id": "k"}, ("aws_kms_key_policy", "key_id", "k")),
    "aws_kms_replica_external_key": ({"key_id": "k"}, ("aws_kms_key_policy", "key_id", "k")),
    "aws_secretsmanager_secret": (
        {"arn": "arn:s", "id": "arn:s"},
        ("aws_secretsmanager_secret_policy", "secret_arn", "arn:s"),
    ),
    "aws_opensearch_domain": (
        {"domain_name": "d"},
        ("aws_opensearch_domain_policy", "domain_name", "d"),
    ),
    "aws_elasticsearch_domain": (
        {"domain_name": "d"},
        ("aws_elasticsearch_domain_policy", "domain_name", "d"),
    ),
    "aws_api_gateway_rest_api": (
        {"id": "abc123"},
        ("aws_api_gateway_rest_api_policy", "rest_api_id", "abc123"),
    ),
}


def test_whole_copy_table_is_complete() -> None:
    assert set(WHOLE) == set(WHOLE_COPIES)
    assert {WHOLE[t][1][0] for t in WHOLE} < SEPARATE_TYPES


def _owner(rtype: str, configured: bool = False) -> TfResource:
    ids, _ = WHOLE[rtype]
    attribute = WHOLE_COPIES[rtype].attribute
    values: dict[str, RawValue] = {**ids, attribute: STAR}
    return _resource(f"{rtype}.x", rtype, values, {attribute: STAR} if configured else {})


@pytest.mark.parametrize("rtype", sorted(WHOLE))
@pytest.mark.parametrize(
    ("how", "dropped"),
    [
        pytest.param("planned", True, id="planned"),
        pytest.param("prior", True, id="prior-values"),
        pytest.param("reference", True, id="by-reference"),
        pytest.param("another", False, id="another-owner"),
        pytest.param("none", False, id="no-separate-resource"),
        pytest.param("configured", False, id="configured"),
    ],
)
def test_whole_document_copy(rtype: str, how: str, dropped: bool) -> None:
    separate_type, attribute, value = WHOLE[rtype][1]
    records = {
        "planned": [Separate(separate_type, {attribute: value})],
        "prior": [Separate(separate_type, {attribute: value}, planned=False)],
        "reference": [by_reference(separate_type, attribute, f"{rtype}.x")],
        "another": [Separate(separate_type, {attribute: "another"})],
        "none": [],
        "configured": [Separate(separate_type, {attribute: value})],
    }[how]
    owner = _owner(rtype, configured=how == "configured")
    (result,) = drop_defined_copies([owner], records)
    copy = result.values[WHOLE_COPIES[rtype].attribute]
    assert (copy is None) is dropped
