"""Unknown values that are another element's attribute carry it as a typed AttributeRef:
in HCL, in a plan alone and in a plan with its source.

The fixture is ``fixtures/terraform/references`` (a real plan); finer HCL forms are
evaluated from small configurations written here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path, PurePosixPath

import pytest

from iacguard.graph import Graph
from iacguard.model import AttributeRef, PolicyDocument, RawValue, Unknown
from iacguard.parsers._policy_document import PartialJSON
from iacguard.parsers.terraform import hcl
from iacguard.parsers.terraform import plan as tfplan
from iacguard.parsers.terraform._plan_references import attach_refs
from tests.conftest import TERRAFORM

CASE = TERRAFORM / "references"
DISPLAY = PurePosixPath("fixtures/terraform/references")


def ref(address: str, attribute: str = "arn") -> AttributeRef:
    return AttributeRef(address, attribute)


ALICE = ref("aws_iam_user.alice")
CI = ref("aws_iam_role.ci")
GITHUB = ref("aws_iam_openid_connect_provider.github")
ACCOUNT_ID = ref("data.aws_caller_identity.current", "account_id")
WORKER_0 = ref("aws_iam_role.worker[0]")
READER_K = ref('aws_iam_role.reader["k"]')
PLATFORM = ref("module.platform.aws_iam_role.this")
TEAM_A = ref('module.team["a"].aws_iam_role.this')


@cache
def graph(mode: str) -> Graph:
    """The graph of the fixture read as ``hcl``, ``plan`` alone or ``plan+source``."""
    if mode == "hcl":
        return hcl.parse_directory(CASE, DISPLAY).graph
    data = json.loads((CASE / "plan.json").read_text())
    source = CASE if mode == "plan+source" else None
    return tfplan.parse_plan(data, CASE / "plan.json", DISPLAY / "plan.json", source).graph


def trust_document(mode: str, role: str) -> PolicyDocument | Unknown:
    principal = graph(mode).principal(role)
    assert principal is not None, role
    policy = graph(mode).trust_policy_of(principal)
    assert policy is not None, role
    return policy.document


def principal_refs(document: PolicyDocument) -> set[tuple[str, tuple[AttributeRef, ...]]]:
    """``{(kind, refs)}`` of the unknown principals of every statement."""
    return {
        (p.kind, p.value.refs)
        for statement in document.statements
        for p in statement.principals
        if isinstance(p.value, Unknown)
    }


# ------------------------------------------------------------------ HCL and plan+source

#: (role, {(principal kind, refs)}): the same in HCL and in a plan with its source
TRUSTS = [
    pytest.param("aws_iam_role.ci", {("AWS", (ALICE,))}, id="jsonencode-plain-reference"),
    pytest.param("aws_iam_role.admin", {("AWS", (CI,))}, id="policy-document-data-source"),
    pytest.param("aws_iam_role.deploy", {("Federated", (GITHUB,))}, id="oidc-provider-arn"),
    pytest.param("aws_iam_role.account", {("AWS", (ACCOUNT_ID,))}, id="template"),
    pytest.param(
        "aws_iam_role.indexed",
        {("AWS", (WORKER_0,)), ("AWS", (READER_K,)), ("AWS", (CI,))},
        id="count-index-for-each-key-and-local",
    ),
    pytest.param(
        "aws_iam_role.from_modules",
        {("AWS", (PLATFORM,)), ("AWS", (TEAM_A,))},
        id="module-outputs",
    ),
    pytest.param("module.platform.aws_iam_role.this", {("AWS", (ALICE,))}, id="module-input"),
    pytest.param(
        'module.team["a"].aws_iam_role.this', {("AWS", (CI,))}, id="for-each-module-input"
    ),
    pytest.param(
        "module.platform.aws_iam_role.peer", {("AWS", (PLATFORM,))}, id="reference-in-a-module"
    ),
    pytest.param(
        'module.team["a"].aws_iam_role.peer',
        {("AWS", (TEAM_A,))},
        id="reference-in-a-for-each-module",
    ),
]


@pytest.mark.parametrize("mode", ["hcl", "plan+source"])
@pytest.mark.parametrize(("role", "expected"), TRUSTS)
def test_trust_principals_carry_their_reference(
    mode: str, role: str, expected: set[tuple[str, tuple[AttributeRef, ...]]]
) -> None:
    document = trust_document(mode, role)
    assert isinstance(document, PolicyDocument)
    assert principal_refs(document) == expected


@pytest.mark.parametrize(
    ("role", "kind", "expected"),
    [
        pytest.param(
            "aws_iam_role.admin", "AWS", Unknown("aws_iam_role.ci.arn", (CI,)), id="traversal"
        ),
        pytest.param(
            "aws_iam_role.account",
            "AWS",
            Unknown(
                "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root", (ACCOUNT_ID,)
            ),
            id="template-named-as-written",
        ),
        pytest.param(
            "module.platform.aws_iam_role.peer",
            "AWS",
            Unknown("module.platform.aws_iam_role.this.arn", (PLATFORM,)),
            id="in-a-module",
        ),
    ],
)
def test_hcl_principal_is_exactly_the_reference(role: str, kind: str, expected: Unknown) -> None:
    document = trust_document("hcl", role)
    assert isinstance(document, PolicyDocument)
    values = [p.value for s in document.statements for p in s.principals if p.kind == kind]
    assert values == [expected]


# ------------------------------------------------------------------ plan alone

#: (role, refs of the whole unknown trust document): jsonencode documents have no
#: structure in a plan; a local cannot be followed (a plan has no locals)
UNKNOWN_DOCUMENTS = [
    pytest.param("aws_iam_role.ci", (ALICE,), id="jsonencode-plain-reference"),
    pytest.param("aws_iam_role.deploy", (GITHUB,), id="oidc-provider-arn"),
    pytest.param("aws_iam_role.account", (ACCOUNT_ID,), id="template"),
    pytest.param("aws_iam_role.indexed", (WORKER_0, READER_K), id="count-and-for-each-no-local"),
    pytest.param("aws_iam_role.from_modules", (PLATFORM, TEAM_A), id="module-outputs"),
    pytest.param("module.platform.aws_iam_role.this", (ALICE,), id="module-input"),
    pytest.param('module.team["a"].aws_iam_role.this', (CI,), id="for-each-module-input"),
    pytest.param("module.platform.aws_iam_role.peer", (PLATFORM,), id="reference-in-a-module"),
    pytest.param('module.team["a"].aws_iam_role.peer', (TEAM_A,), id="in-a-for-each-module"),
]


@pytest.mark.parametrize(("role", "expected"), UNKNOWN_DOCUMENTS)
def test_plan_alone_unknown_document_lists_the_references_of_its_expression(
    role: str, expected: tuple[AttributeRef, ...]
) -> None:
    document = trust_document("plan", role)
    assert type(document) is Unknown
    assert document.refs == expected


def test_plan_alone_renders_a_deferred_policy_document() -> None:
    document = trust_document("plan", "aws_iam_role.admin")
    assert isinstance(document, PolicyDocument)
    [statement] = document.statements
    assert statement.sid == "TrustCi"
    assert statement.actions == ("sts:AssumeRole",)
    # the plan orders the principals blocks Service, AWS: each still gets its own refs
    assert {
        (p.kind, p.value if isinstance(p.value, str) else p.value.refs)
        for p in statement.principals
    } == {
        ("AWS", (CI,)),
        ("Service", "ec2.amazonaws.com"),
    }


def test_plan_alone_policy_document_attribute_refers_to_the_data_source() -> None:
    data = json.loads((CASE / "plan.json").read_text())
    config = tfplan.read_plan(data, CASE / "plan.json", DISPLAY / "plan.json")
    values = {r.address: r.values for r in config.resources}
    trust = values["aws_iam_role.admin"]["assume_role_policy"]
    assert isinstance(trust, PartialJSON)
    assert trust.refs == (ref("data.aws_iam_policy_document.admin_trust", "json"),)
    rendered = values["data.aws_iam_policy_document.admin_trust"]["json"]
    assert isinstance(rendered, PartialJSON)
    assert rendered.refs == (CI,)


@pytest.mark.parametrize("mode", ["hcl", "plan", "plan+source"])
def test_oidc_providers(mode: str) -> None:
    providers = {p.address: p.url for p in graph(mode).oidc_providers}
    assert providers.keys() == {
        "aws_iam_openid_connect_provider.github",
        "aws_iam_openid_connect_provider.self_hosted",
    }
    assert providers["aws_iam_openid_connect_provider.github"] == (
        "https://token.actions.githubusercontent.com"
    )
    url = providers["aws_iam_openid_connect_provider.self_hosted"]
    assert isinstance(url, Unknown)
    assert url.refs == (ref("aws_s3_bucket.oidc_issuer", "bucket_regional_domain_name"),)


# ------------------------------------------------------------------ HCL forms

_ROLE = """
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = "{}"
}
"""
_MODULE = {
    "modules__m__main.tf": """
variable "name" { default = "m" }
resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = "{}"
}
output "arn" { value = aws_iam_role.this.arn }
output "computed" { value = "${aws_iam_role.this.arn}/x" }
output "literal" { value = "fixed" }
output "whole" { value = aws_iam_role.this }
"""
}


def _probe(tmp_path: Path, expression: str, setup: str = "", **files: str) -> RawValue:
    """The value of *expression* as the argument of a resource in a configuration."""
    (tmp_path / "main.tf").write_text(
        f'{setup}\nresource "aws_ssm_parameter" "probe" {{\n  value = {expression}\n}}\n'
    )
    for name, content in files.items():
        target = tmp_path / name.replace("__", "/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    config = hcl.read_source(tmp_path, PurePosixPath("cfg")).config
    return next(r for r in config.resources if r.address == "aws_ssm_parameter.probe").values[
        "value"
    ]


def _refs(value: RawValue) -> tuple[AttributeRef, ...] | None:
    return value.refs if isinstance(value, Unknown) else None


_R = ref("aws_iam_role.r")
_EACH = """
resource "aws_iam_role" "x" {
  for_each           = toset(["a", "b"])
  name               = each.key
  assume_role_policy = "{}"
}
variable "k" {}
"""
_COUNTED_MODULE = 'module "m" {\n  source = "./modules/m"\n  count  = 2\n}\n'
_SINGLE_MODULE = 'module "m" {\n  source = "./modules/m"\n}\n'

HCL_FORMS = [
    pytest.param("aws_iam_role.r.arn", _ROLE, {}, (_R,), id="traversal"),
    pytest.param("aws_iam_role.r.name", _ROLE, {}, None, id="known-attribute-is-no-unknown"),
    pytest.param(
        "aws_iam_role.u.name",
        'variable "v" {}\nresource "aws_iam_role" "u" {\n  name = var.v\n}\n',
        {},
        (ref("aws_iam_role.u", "name"),),
        id="configured-unknown-attribute-is-that-attribute",
    ),
    pytest.param(
        '"arn:aws:iam::${data.aws_caller_identity.c.account_id}:root"',
        'data "aws_caller_identity" "c" {}',
        {},
        (ref("data.aws_caller_identity.c", "account_id"),),
        id="template-data-source",
    ),
    pytest.param(
        '"${aws_iam_role.r.arn}-${aws_iam_role.r.unique_id}"',
        _ROLE,
        {},
        (_R, ref("aws_iam_role.r", "unique_id")),
        id="template-two-references-in-order",
    ),
    pytest.param("lower(aws_iam_role.r.arn)", _ROLE, {}, (_R,), id="function"),
    pytest.param('format("%s/*", aws_iam_role.r.arn)', _ROLE, {}, (_R,), id="format"),
    pytest.param(
        'lookup(aws_iam_role.r.tags_all, "k", "d")',
        _ROLE,
        {},
        (ref("aws_iam_role.r", "tags_all"),),
        id="function-failing-on-an-unknown-argument",
    ),
    pytest.param(
        "local.b",
        _ROLE + "locals {\n  a = aws_iam_role.r.arn\n  b = local.a\n}\n",
        {},
        (_R,),
        id="locals-pass-it-through",
    ),
    pytest.param('aws_iam_role.x["a"].arn', _EACH, {}, (ref('aws_iam_role.x["a"]'),), id="key"),
    pytest.param(
        "aws_iam_role.x[var.k].arn",
        _EACH,
        {},
        (ref("aws_iam_role.x"),),
        id="unknown-key-refers-to-every-instance",
    ),
    pytest.param(
        "module.m.arn",
        _SINGLE_MODULE,
        _MODULE,
        (ref("module.m.aws_iam_role.this"),),
        id="module-output",
    ),
    pytest.param(
        "module.m[1].arn",
        _COUNTED_MODULE,
        _MODULE,
        (ref("module.m[1].aws_iam_role.this"),),
        id="module-instance-output",
    ),
    pytest.param(
        "module.m.computed",
        _SINGLE_MODULE,
        _MODULE,
        (ref("module.m.aws_iam_role.this"),),
        id="module-output-computed-from-a-reference",
    ),
    pytest.param("module.m.literal", _SINGLE_MODULE, _MODULE, None, id="module-output-literal"),
    pytest.param(
        "module.m.whole.arn", _SINGLE_MODULE, _MODULE, (), id="module-output-whole-object"
    ),
    pytest.param("module.m[*].arn[0]", _COUNTED_MODULE, _MODULE, (), id="module-splat"),
]


@pytest.mark.parametrize(("expression", "setup", "files", "expected"), HCL_FORMS)
def test_hcl_forms(
    tmp_path: Path,
    expression: str,
    setup: str,
    files: dict[str, str],
    expected: tuple[AttributeRef, ...] | None,
) -> None:
    assert _refs(_probe(tmp_path, expression, setup, **files)) == expected


def test_hcl_nested_module_address_has_the_whole_path(tmp_path: Path) -> None:
    outer = 'module "inner" {\n  source = "../m"\n}\noutput "arn" { value = module.inner.arn }\n'
    value = _probe(
        tmp_path,
        "module.outer.arn",
        'module "outer" {\n  source = "./modules/outer"\n}\n',
        **{"modules__outer__main.tf": outer, **_MODULE},
    )
    assert _refs(value) == (ref("module.outer.module.inner.aws_iam_role.this"),)


# ------------------------------------------------------------------ plan blocks


def _refs_for(references: Sequence[str]) -> tuple[AttributeRef, ...]:
    """``aws_iam_role.a.arn`` -> ``AttributeRef("aws_iam_role.a", "arn")`` (root module)."""
    return tuple(AttributeRef(*r.rsplit(".", 1)) for r in references)


_AWS_A = {"type": {"constant_value": "AWS"}, "identifiers": {"references": ["aws_iam_role.a.arn"]}}
_AWS_B = {"type": {"constant_value": "AWS"}, "identifiers": {"references": ["aws_iam_role.b.arn"]}}
_SERVICE = {"type": {"constant_value": "Service"}, "identifiers": {"constant_value": ["s"]}}


def _block(kind: str, *identifiers: RawValue) -> dict[str, RawValue]:
    return {"type": kind, "identifiers": identifiers}


PAIRING = [
    pytest.param(
        (_block("Service", "s"), _block("AWS", Unknown("u"))),
        [_AWS_A, _SERVICE],
        [(), (ref("aws_iam_role.a"),)],
        id="set-order-differs-from-configuration",
    ),
    pytest.param(
        (_block("AWS", Unknown("u")), _block("AWS", Unknown("v"))),
        [_AWS_A, _AWS_B],
        [(), ()],
        id="blocks-that-cannot-be-told-apart-get-none",
    ),
    pytest.param(
        (_block("AWS", Unknown("u")), _block("AWS", Unknown("v"))),
        [_AWS_A],
        [(), ()],
        id="a-dynamic-block-like-a-static-one-gets-none",
    ),
    pytest.param(
        (_block("Federated", Unknown("u")),),
        [_AWS_A],
        [()],
        id="literal-arguments-disagree",
    ),
]


@pytest.mark.parametrize(("blocks", "expressions", "expected"), PAIRING)
def test_plan_nested_blocks_are_matched_to_their_configuration(
    blocks: tuple[dict[str, RawValue], ...],
    expressions: list[dict[str, object]],
    expected: list[tuple[AttributeRef, ...]],
) -> None:
    value = attach_refs({"principals": blocks}, {"principals": expressions}, _refs_for)
    assert isinstance(value, dict)
    found = [
        tuple(r for u in block["identifiers"] if isinstance(u, Unknown) for r in u.refs)
        for block in value["principals"]
    ]
    assert found == expected
