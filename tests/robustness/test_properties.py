"""Property tests: random policy documents and plan fragments never make the parser or a
check raise, and the same input always gives byte-identical JSON output."""

from __future__ import annotations

import io
import json
from pathlib import Path, PurePosixPath
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.model import Location, Origin, PolicyDocument, SourceKind, Unknown
from iacguard.parsers._policy_document import parse_policy
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.report.json import JsonReporter

REGISTRY, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
#: checks raise instead of becoming diagnostics, so a crash fails the property
OPTIONS = ScanOptions(debug=True)
ORIGIN = Origin(SourceKind.TERRAFORM_PLAN, "aws_iam_policy.p", Location(PurePosixPath("plan.json")))

#: any JSON value, nested a little
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
ACTIONS = st.sampled_from(
    ["*", "s3:*", "iam:PassRole", "iam:*", "s3:Get*", "sts:AssumeRole", "ec2:Describe*",
     "secretsmanager:GetSecretValue", "iam:CreateAccessKey", "nosuch:Thing", "S3:getobject", ""]
)  # fmt: skip
RESOURCES = st.sampled_from(["*", "arn:aws:s3:::b/*", "arn:aws:iam::111122223333:role/r", ""])
PRINCIPALS = st.one_of(
    st.just("*"),
    st.dictionaries(
        st.sampled_from(["AWS", "Service", "Federated", "CanonicalUser"]),
        st.one_of(RESOURCES, st.lists(RESOURCES, max_size=3), JSON),
        max_size=3,
    ),
    JSON,
)
CONDITIONS = st.dictionaries(
    st.sampled_from(
        ["StringEquals", "Bool", "StringLike", "ArnLike", "Null", "ForAnyValue:StringEquals"]
    ),
    st.one_of(
        st.dictionaries(
            st.sampled_from(
                ["aws:MultiFactorAuthPresent", "aws:PrincipalOrgID", "aws:SourceArn", "x"]
            ),
            st.one_of(JSON, st.sampled_from(["true", "false", "*", "o-123"])),
            max_size=2,
        ),
        JSON,
    ),
    max_size=2,
)


def _one_or_list(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(values, st.lists(values, max_size=4), JSON)


STATEMENT = st.fixed_dictionaries(
    {},
    optional={
        "Sid": st.one_of(st.text(max_size=5), JSON),
        "Effect": st.one_of(st.sampled_from(["Allow", "Deny", "allow", ""]), JSON),
        "Action": _one_or_list(ACTIONS),
        "NotAction": _one_or_list(ACTIONS),
        "Resource": _one_or_list(RESOURCES),
        "NotResource": _one_or_list(RESOURCES),
        "Principal": PRINCIPALS,
        "NotPrincipal": PRINCIPALS,
        "Condition": st.one_of(CONDITIONS, JSON),
    },
)
#: valid-ish documents, documents with garbage in places, and garbage
DOCUMENTS = st.one_of(
    st.fixed_dictionaries(
        {"Statement": st.one_of(st.lists(STATEMENT, max_size=4), STATEMENT, JSON)},
        optional={"Version": st.one_of(st.just("2012-10-17"), JSON)},
    ),
    JSON,
)


@settings(max_examples=300)
@given(DOCUMENTS, st.booleans())
def test_parse_policy_never_raises(document: Any, as_text: bool) -> None:
    value = json.dumps(document) if as_text else document
    parsed = parse_policy(value, ORIGIN)
    assert isinstance(parsed, PolicyDocument | Unknown)


@settings(max_examples=100)
@given(st.text(max_size=40))
def test_parse_policy_of_any_text(text: str) -> None:
    assert isinstance(parse_policy(text, ORIGIN), PolicyDocument | Unknown)


#: resource types the parser reads, with the attribute that holds a document (or None)
TYPES = {
    "aws_iam_policy": "policy",
    "aws_iam_role": "assume_role_policy",
    "aws_iam_role_policy": "policy",
    "aws_iam_user_policy": "policy",
    "aws_iam_group_policy": "policy",
    "aws_s3_bucket_policy": "policy",
    "aws_sqs_queue_policy": "policy",
    "aws_kms_key": "policy",
    "aws_secretsmanager_secret_policy": "policy",
    "aws_iam_user": None,
    "aws_iam_group": None,
    "aws_iam_access_key": None,
    "aws_iam_user_login_profile": None,
    "aws_iam_user_policy_attachment": None,
    "aws_iam_role_policy_attachment": None,
    "aws_iam_group_membership": None,
    "aws_iam_user_group_membership": None,
    "aws_iam_policy_attachment": None,
    "aws_iam_account_password_policy": None,
    "aws_cloudtrail": None,
    "aws_lambda_permission": None,
    "aws_lambda_function": None,
    "aws_ssm_parameter": None,
}
NAMES = st.sampled_from(["a", "b", "admin"])
#: values that link resources to each other, or garbage
LINKS = st.one_of(
    st.sampled_from(["a", "b", "admin", "arn:aws:iam::aws:policy/AdministratorAccess",
                     "arn:aws:iam::aws:policy/PowerUserAccess", "Active", "Inactive"]),
    st.lists(NAMES, max_size=2),
    JSON,
)  # fmt: skip
ATTRIBUTES = st.sampled_from(
    ["name", "user", "users", "role", "roles", "group", "groups", "policy_arn", "status",
     "password_reset_required", "minimum_password_length", "is_multi_region_trail",
     "principal", "source_arn", "environment", "value", "inline_policy", "tags"]
)  # fmt: skip


@st.composite
def resources(draw: st.DrawFn) -> dict[str, Any]:
    rtype = draw(st.sampled_from(sorted(TYPES)))
    name = draw(NAMES)
    values: dict[str, Any] = draw(st.dictionaries(ATTRIBUTES, LINKS, max_size=5))
    if TYPES[rtype] is not None:
        document = draw(DOCUMENTS)
        values[TYPES[rtype]] = draw(st.sampled_from([json.dumps(document), document]))
    return {"address": f"{rtype}.{name}", "mode": "managed", "type": rtype, "name": name,
            "values": values}  # fmt: skip


def _render(result: ScanResult) -> str:
    stream = io.StringIO()
    JsonReporter().render(result, stream)
    return stream.getvalue()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(resources(), min_size=1, max_size=6), st.booleans())
def test_random_plans_scan_and_render_deterministically(
    tmp_path: Path, fragments: list[dict[str, Any]], unknown: bool
) -> None:
    plan: dict[str, Any] = {
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": fragments}},
    }
    if unknown:  # every attribute of the first resource is only known after apply
        first = fragments[0]
        after_unknown = {key: True for key in first["values"]}
        change = {"actions": ["create"], "after": first["values"], "after_unknown": after_unknown}
        plan["resource_changes"] = [
            {"address": first["address"], "type": first["type"], "change": change}
        ]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    first_run = _render(scan([path], REGISTRY, OPTIONS))
    second_run = _render(scan([path], REGISTRY, OPTIONS))
    assert first_run == second_run
    findings = json.loads(first_run)["findings"]
    order = [
        (
            f["file"],
            f["line"] or 0,
            f["column"] or 0,
            f["rule_id"],
            f["resource"],
            "/".join(f["pointer"]),
        )
        for f in findings
    ]
    assert order == sorted(order)
