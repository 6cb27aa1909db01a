"""IAM1xx credentials checks: literal keys (IAM101), user keys (IAM102), leaked secrets
(IAM103) and several active keys (IAM104)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from pathlib import PurePosixPath

import pytest

from iacguard.catalog import ActionCatalog
from iacguard.checks.credentials import (
    KEY_ID,
    SECRET_KEY,
    embedded_access_key,
    exposed_secret,
    find_credentials,
    several_active_keys,
    user_access_key,
)
from iacguard.graph import GraphBuilder, external_id, unknown_id
from iacguard.model import (
    AccessKey,
    ConfigBlock,
    Location,
    Origin,
    Principal,
    PrincipalKind,
    RawValue,
    Reference,
    SourceKind,
    Unknown,
)
from iacguard.registry import Check, CheckContext
from iacguard.results import Hit
from tests.conftest import TERRAFORM, addresses, scan_case

# AWS's documented example credentials: well known, never valid
KEY = "AKIAIOSFODNN7EXAMPLE"
TEMP_KEY = "ASIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
assert len(SECRET) == 40


def _origin(address: str) -> Origin:
    return Origin(SourceKind.TERRAFORM_PLAN, address, Location(PurePosixPath("plan.json")))


def _run(check: Check, builder: GraphBuilder) -> list[Hit]:
    return list(check.run(CheckContext(builder.build(), ActionCatalog())))


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


ECS_CONTAINERS = json.dumps(
    [
        {
            "name": "app",
            "environment": [
                {"name": "AWS_ACCESS_KEY_ID", "value": KEY},
                {"name": "AWS_SECRET_ACCESS_KEY", "value": SECRET},
            ],
        }
    ]
)
ECS_SECRET_ONLY = json.dumps([{"environment": [{"name": "AWS_SECRET_KEY", "value": SECRET}]}])
USER_DATA = (
    f"#!/bin/bash\nexport AWS_ACCESS_KEY_ID={TEMP_KEY}\nexport AWS_SECRET_ACCESS_KEY={SECRET}\n"
)
BOTH = {KEY_ID, SECRET_KEY}


# ----------------------------------------------------------------------- IAM101 on strings


@pytest.mark.parametrize(
    ("text", "name", "beside_key_id", "expected"),
    [
        pytest.param(KEY, None, False, {KEY_ID}, id="realistic-akia"),
        pytest.param(TEMP_KEY, None, False, {KEY_ID}, id="temporary-asia"),
        pytest.param("AKIAIOSFODNN7EXAMPL", None, False, set(), id="too-short"),
        pytest.param(KEY + "X", None, False, set(), id="too-long"),
        pytest.param("X" + KEY, None, False, set(), id="inside-a-longer-word"),
        pytest.param(KEY.lower(), None, False, set(), id="lower-case"),
        pytest.param("AKIA-NOT-A-KEY", None, False, set(), id="placeholder"),
        pytest.param(f"key={KEY};region=eu-west-1", None, False, {KEY_ID}, id="in-free-text"),
        pytest.param(ECS_CONTAINERS, "container_definitions", False, BOTH, id="ecs-json"),
        pytest.param(
            ECS_SECRET_ONLY, "container_definitions", False, {SECRET_KEY}, id="json-name-value"
        ),
        pytest.param(
            json.dumps({"SecretAccessKey": SECRET}), None, False, {SECRET_KEY}, id="json-key"
        ),
        pytest.param(USER_DATA, "user_data", False, BOTH, id="user-data"),
        pytest.param(_b64(USER_DATA), "user_data", False, BOTH, id="base64-user-data"),
        pytest.param(
            _b64("#!/bin/bash\necho hello world\n"), "user_data", False, set(), id="base64-clean"
        ),
        pytest.param(SECRET, "secret_key", False, {SECRET_KEY}, id="named-secret-key"),
        pytest.param(SECRET, "EXPORT_SECRET_ACCESS_KEY", False, {SECRET_KEY}, id="named-env-var"),
        pytest.param(SECRET, "aws_secret", False, {SECRET_KEY}, id="named-aws-secret"),
        pytest.param(SECRET, "description", False, set(), id="neutral-name"),
        pytest.param(SECRET, None, False, set(), id="no-name"),
        pytest.param(SECRET + "A", "secret_key", False, set(), id="41-chars-named"),
        pytest.param(SECRET[:-1], "secret_key", False, set(), id="39-chars-named"),
        pytest.param(SECRET, "description", True, {SECRET_KEY}, id="neutral-name-beside-key-id"),
        pytest.param(
            "de1f941b4e7a0a8fa0c2079d3b811b2242c9009f", "etag", True, set(), id="sha1-beside-key-id"
        ),
        pytest.param(
            f"AWS_SECRET_ACCESS_KEY={SECRET}", "user_data", False, {SECRET_KEY}, id="env-assignment"
        ),
        pytest.param(
            f'aws_secret_access_key = "{SECRET}"', None, False, {SECRET_KEY}, id="ini-file"
        ),
        pytest.param(
            f'"name":"AWS_SECRET_ACCESS_KEY","value":"{SECRET}"',
            None,
            False,
            {SECRET_KEY},
            id="json-fragment",
        ),
        pytest.param(f"{KEY} {SECRET}", None, False, BOTH, id="pair-in-one-string"),
        pytest.param(f"token {SECRET} here", None, False, set(), id="token-in-neutral-text"),
    ],
)
def test_find_credentials(
    text: str, name: str | None, beside_key_id: bool, expected: set[str]
) -> None:
    assert find_credentials(text, name, beside_key_id=beside_key_id) == expected


# ----------------------------------------------------------------------- IAM101 on blocks


def _blocks(*blocks: tuple[str, str, str, Mapping[str, RawValue]]) -> GraphBuilder:
    builder = GraphBuilder()
    for kind, type_, address, values in blocks:
        builder.config_blocks.append(ConfigBlock(kind, type_, address, _origin(address), values))
    return builder


def test_one_finding_per_attribute_path_with_its_pointer() -> None:
    values: dict[str, RawValue] = {
        "function_name": "exporter",
        "environment": ({"variables": {"KEY_ID": KEY, "SECRET": SECRET, "BUCKET": "b"}},),
        "tags": {"Name": "exporter"},
    }
    hits = _run(
        embedded_access_key,
        _blocks(("resource", "aws_lambda_function", "aws_lambda_function.x", values)),
    )
    assert {(h.origin.address, h.pointer) for h in hits} == {
        ("aws_lambda_function.x", ("environment", 0, "variables", "KEY_ID")),
        # a neutral name, but the same block holds a key ID
        ("aws_lambda_function.x", ("environment", 0, "variables", "SECRET")),
    }
    messages = sorted(h.message for h in hits)
    assert messages == [
        "AWS access key ID written literally in 'aws_lambda_function.x'"
        " at 'environment[0].variables.KEY_ID'",
        "AWS secret access key written literally in 'aws_lambda_function.x'"
        " at 'environment[0].variables.SECRET'",
    ]


@pytest.mark.parametrize(
    ("kind", "type_", "address", "values"),
    [
        pytest.param(
            "provider",
            "aws",
            "provider.aws",
            {"access_key": KEY, "secret_key": SECRET},
            id="provider",
        ),
        pytest.param(
            "variable", "", "var.aws_secret_key", {"aws_secret_key": SECRET}, id="variable"
        ),
        pytest.param(
            "data", "aws_ssm_parameter", "data.aws_ssm_parameter.k", {"name": KEY}, id="data-source"
        ),
        pytest.param(
            "resource",
            "aws_ssm_parameter",
            "aws_ssm_parameter.s",
            {"name": "/app/aws_secret_access_key", "type": "String", "value": SECRET},
            id="ssm-name-value",
        ),
        pytest.param("parameter", "String", "AccessKeyParam", {"Default": KEY}, id="cfn-parameter"),
    ],
)
def test_fires_on_every_kind_of_block(
    kind: str, type_: str, address: str, values: dict[str, RawValue]
) -> None:
    hits = _run(embedded_access_key, _blocks((kind, type_, address, values)))
    assert hits
    assert {h.origin.address for h in hits} == {address}


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"value": Unknown("aws_iam_access_key.k.secret")}, id="unknown"),
        pytest.param(
            {"secret_key": (Unknown(),), "n": 3, "ok": True, "none": None}, id="unknown-in-list"
        ),
        pytest.param({"description": SECRET}, id="neutral-token-alone"),
        pytest.param(
            {"user_data": "de1f941b4e7a0a8fa0c2079d3b811b2242c9009f"}, id="hashed-user-data"
        ),
    ],
)
def test_silent(values: dict[str, RawValue]) -> None:
    assert _run(embedded_access_key, _blocks(("resource", "aws_x", "aws_x.y", values))) == []


def test_blocks_of_one_address_are_merged() -> None:
    """Planned values (a digest of user data) and literal values of the same resource."""
    digest: dict[str, RawValue] = {"user_data": "de1f941b4e7a0a8fa0c2079d3b811b2242c9009f"}
    literal: dict[str, RawValue] = {"user_data": USER_DATA, "tags": {"Name": "x"}}
    address = "aws_instance.x"
    builder = _blocks(
        ("resource", "aws_instance", address, digest),
        ("resource", "aws_instance", address, literal),
    )
    hits = _run(embedded_access_key, builder)
    assert [(h.origin.address, h.pointer, h.message) for h in hits] == [
        (
            address,
            ("user_data",),
            "AWS access key ID and secret access key written literally in "
            f"'{address}' at 'user_data'",
        )
    ]


def test_access_key_resources_own_generated_values_are_not_literals() -> None:
    builder = _blocks(
        ("resource", "aws_iam_access_key", "aws_iam_access_key.k", {"id": KEY, "secret": SECRET})
    )
    builder.access_keys.append(
        AccessKey("aws_iam_access_key.k", _origin("aws_iam_access_key.k"), "u", True, False)
    )
    assert _run(embedded_access_key, builder) == []


# ----------------------------------------------------------------------- IAM102-IAM104 units


def _user(builder: GraphBuilder, address: str) -> str:
    builder.add_principal(Principal(PrincipalKind.USER, address, address, _origin(address)))
    return address


def _key(
    builder: GraphBuilder, address: str, user: str, active: bool | Unknown, encrypted: bool = False
) -> None:
    builder.access_keys.append(AccessKey(address, _origin(address), user, active, encrypted))


def test_user_access_key_says_how_the_secret_is_stored() -> None:
    builder = GraphBuilder()
    user = _user(builder, "aws_iam_user.u")
    _key(builder, "k.plain", user, True)
    _key(builder, "k.pgp", user, True, encrypted=True)
    _key(builder, "k.inactive", user, False)
    _key(builder, "k.unknown", user, Unknown("k.unknown.status"))
    _key(builder, "k.external", external_id(PrincipalKind.USER, "bob"), True)
    hits = {h.origin.address: h.message for h in _run(user_access_key, builder)}
    plain = "its secret will be stored in state in plain text"
    assert hits == {
        "k.plain": f"active access key 'k.plain' for user 'aws_iam_user.u'; {plain}",
        "k.pgp": "active access key 'k.pgp' for user 'aws_iam_user.u'; "
        "its secret is encrypted with a PGP key",
        "k.external": f"active access key 'k.external' for user 'bob'; {plain}",
    }


def test_exposed_secret_skips_encrypted_sinks() -> None:
    builder = GraphBuilder()
    builder.references += [
        Reference(_origin("output.s"), "aws_iam_access_key.k", "aws_iam_access_key", "secret"),
        Reference(
            _origin("aws_ssm_parameter.p").at("value"),
            "aws_iam_access_key.k",
            "aws_iam_access_key",
            "secret",
        ),
        Reference(
            _origin("aws_ssm_parameter.q").at("value"),
            "aws_iam_access_key.k",
            "aws_iam_access_key",
            "secret",
            True,
        ),
    ]
    hits = _run(exposed_secret, builder)
    assert [(h.origin.address, h.origin.pointer + h.pointer) for h in hits] == [
        ("output.s", ()),
        ("aws_ssm_parameter.p", ("value",)),
    ]


KEY_TYPE = "aws_iam_access_key"
PROFILE_TYPE = "aws_iam_user_login_profile"


@pytest.mark.parametrize(
    ("target_type", "attribute", "pgp_keys", "fires"),
    [
        pytest.param(KEY_TYPE, "secret", (), True, id="key-secret"),
        pytest.param(KEY_TYPE, "secret", ("keybase:ops",), False, id="key-secret-pgp"),
        pytest.param(KEY_TYPE, "ses_smtp_password_v4", ("keybase:ops",), False, id="key-smtp-pgp"),
        pytest.param(KEY_TYPE, "secret", ("",), True, id="key-empty-pgp"),
        pytest.param(PROFILE_TYPE, "password", (), True, id="password"),
        pytest.param(PROFILE_TYPE, "password", (None,), True, id="password-pgp-null"),
        pytest.param(PROFILE_TYPE, "password", ("keybase:ops",), False, id="password-pgp"),
        pytest.param(
            PROFILE_TYPE, "password", (Unknown("var.pgp"),), False, id="password-pgp-unknown"
        ),
        pytest.param(
            PROFILE_TYPE,
            "password",
            ("", Unknown("var.pgp")),
            True,
            id="password-pgp-planned-empty",
        ),
        pytest.param(
            PROFILE_TYPE,
            "password",
            ("keybase:ops", Unknown("var.pgp")),
            False,
            id="password-pgp-planned-and-literal",
        ),
    ],
)
def test_exposed_secret_of_a_pgp_encrypted_resource(
    target_type: str, attribute: str, pgp_keys: tuple[RawValue, ...], fires: bool
) -> None:
    """With ``pgp_key`` the provider leaves ``secret``, ``ses_smtp_password_v4`` and
    ``password`` empty (issue 17): one block per planned/literal ``pgp_key`` value."""
    target = f"{target_type}.t"
    builder = _blocks(*[("resource", target_type, target, {"pgp_key": v}) for v in pgp_keys])
    builder.references.append(Reference(_origin("output.o"), target, target_type, attribute))
    assert bool(_run(exposed_secret, builder)) is fires


def test_exposed_secret_trusts_the_access_key_flag() -> None:
    builder = GraphBuilder()
    _key(builder, "aws_iam_access_key.k", "u", True, encrypted=True)
    builder.references.append(
        Reference(_origin("output.o"), "aws_iam_access_key.k", KEY_TYPE, "secret")
    )
    assert _run(exposed_secret, builder) == []


def test_false_alarms_case_iam103() -> None:
    assert addresses("false_alarms", "IAM103") == {"output.plain_secret", "output.plain_password"}
    assert addresses("false_alarms", "IAM102") == {
        "aws_iam_access_key.plain",
        "aws_iam_access_key.pgp",
    }


def test_several_active_keys_counts_only_known_active_keys_of_defined_users() -> None:
    builder = GraphBuilder()
    two, one = _user(builder, "aws_iam_user.two"), _user(builder, "aws_iam_user.one")
    _key(builder, "k1", two, True)
    _key(builder, "k2", two, True)
    _key(builder, "k3", one, True)
    _key(builder, "k4", one, Unknown())
    _key(builder, "k5", one, False)
    for name in ("k6", "k7"):
        _key(builder, name, unknown_id(PrincipalKind.USER, name), True)
    hits = _run(several_active_keys, builder)
    assert [(h.origin.address, h.message) for h in hits] == [
        ("aws_iam_user.two", "user 'aws_iam_user.two' has 2 active access keys ('k1', 'k2')")
    ]


# ----------------------------------------------------------------------- fixtures


def test_credentials_case_iam101() -> None:
    assert addresses("credentials", "IAM101") == {
        "aws_lambda_function.legacy_exporter",
        "aws_instance.legacy_batch_host",
        "aws_launch_template.legacy_workers",
        "aws_ssm_parameter.legacy_access_key_id",
    }
    findings = [f for f in scan_case("credentials").findings if f.rule_id == "IAM101"]
    assert sorted((f.address, f.pointer) for f in findings) == [
        ("aws_instance.legacy_batch_host", ("user_data",)),
        (
            "aws_lambda_function.legacy_exporter",
            ("environment", 0, "variables", "EXPORT_ACCESS_KEY_ID"),
        ),
        (
            "aws_lambda_function.legacy_exporter",
            ("environment", 0, "variables", "EXPORT_SECRET_ACCESS_KEY"),
        ),
        ("aws_launch_template.legacy_workers", ("user_data",)),
        ("aws_ssm_parameter.legacy_access_key_id", ("value",)),
    ]


def test_credentials_case() -> None:
    assert addresses("credentials", "IAM102") == {
        "aws_iam_access_key.two_active_first",
        "aws_iam_access_key.two_active_second",
        "aws_iam_access_key.rotating_active",
        "aws_iam_access_key.pgp_encrypted",
        "aws_iam_access_key.ci_deployer",
    }
    assert addresses("credentials", "IAM103") == {
        "output.ci_deployer_secret",
        "aws_ssm_parameter.ci_deployer_secret_plaintext",
    }
    assert addresses("credentials", "IAM104") == {"aws_iam_user.two_active_keys"}


def test_secrets_case() -> None:
    assert addresses("secrets", "IAM101") == {"provider.aws"}
    assert addresses("secrets", "IAM102") == {
        "aws_iam_access_key.api_client",
        "aws_iam_access_key.smtp_sender",
    }
    assert addresses("secrets", "IAM103") == {
        "output.api_client_secret_access_key",
        "output.console_operator_password",
        "output.smtp_password",
    }
    assert addresses("secrets", "IAM104") == set()


def test_secrets_case_pointers() -> None:
    pointers = {f.pointer for f in scan_case("secrets").findings if f.rule_id == "IAM101"}
    assert pointers == {("access_key",), ("secret_key",)}


@pytest.mark.parametrize("case", ["clean", "users_groups", "modules", "unknowns"])
def test_no_credential_findings_where_there_are_none(case: str) -> None:
    assert not {f.rule_id for f in scan_case(case).findings} & {"IAM101", "IAM103", "IAM104"}


_LITERAL = re.compile(
    r"(?:AKIA|ASIA)[A-Z0-9]{16}|(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])"
)


@pytest.mark.parametrize("case", ["credentials", "secrets"])
def test_no_secret_literal_in_findings(case: str) -> None:
    literals = set(_LITERAL.findall((TERRAFORM / case / "main.tf").read_text()))
    assert len(literals) >= 2
    for finding in scan_case(case).findings:
        shown = " ".join([finding.message, finding.address, *map(str, finding.pointer)])
        leaked = {literal for literal in literals if literal in shown}
        assert not leaked, f"{finding.rule_id} at {finding.address} shows a secret"
