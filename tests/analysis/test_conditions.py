"""The condition model: every operator family, and the three answers rules ask for."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import PurePosixPath

import pytest

from iacguard.analysis.conditions import (
    ASSUME_ROLE_CONTEXT,
    Operator,
    can_hold,
    denies_without_mfa,
    describe,
    is_wildcard,
    narrows,
    read_operator,
    requires_mfa,
    restricts_caller,
    specific_values,
)
from iacguard.analysis.exposure import deny_restricts, excludes_others, restricted
from iacguard.analysis.matching import Matching
from iacguard.catalog import default_catalog
from iacguard.model import (
    Condition,
    Location,
    Origin,
    PolicyDocument,
    RawValue,
    SourceKind,
    Statement,
    Unknown,
)
from iacguard.parsers._policy_document import parse_policy

NOW = datetime(2026, 12, 2, tzinfo=UTC)
PAST = "2020-01-01T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"
#: the memo tables of one scan, shared by the exposure questions here
MATCHING = Matching(default_catalog())


def cond(operator: str, key: str, *values: str | Unknown) -> Condition:
    return Condition(operator, key, tuple(values))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("StringEquals", Operator("stringequals", "string"), id="string"),
        pytest.param(
            "ForAnyValue:StringLikeIfExists",
            Operator("stringlike", "string", if_exists=True, qualifier="foranyvalue"),
            id="qualified-if-exists",
        ),
        pytest.param("ArnLike", Operator("arnlike", "arn"), id="arn"),
        pytest.param("NumericLessThan", Operator("numericlessthan", "numeric"), id="numeric"),
        pytest.param("DateGreaterThan", Operator("dategreaterthan", "date"), id="date"),
        pytest.param("BoolIfExists", Operator("bool", "bool", if_exists=True), id="bool"),
        pytest.param("BinaryEquals", Operator("binaryequals", "binary"), id="binary"),
        pytest.param("NotIpAddress", Operator("notipaddress", "ip"), id="ip"),
        pytest.param("Null", Operator("null", "null"), id="null"),
        pytest.param(
            "forallvalues:stringequals",
            Operator("stringequals", "string", qualifier="forallvalues"),
            id="case-insensitive",
        ),
        pytest.param("StringEqualz", Operator("", ""), id="unknown-operator"),
    ],
)
def test_read_operator(text: str, expected: Operator) -> None:
    assert read_operator(text) == expected


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        pytest.param(cond("DateLessThan", "aws:CurrentTime", PAST), False, id="past-less-than"),
        pytest.param(cond("DateLessThan", "aws:CurrentTime", FUTURE), True, id="future"),
        pytest.param(
            cond("DateLessThanEquals", "aws:CurrentTime", "2020-01-01"), False, id="past-date-only"
        ),
        pytest.param(cond("DateEquals", "aws:CurrentTime", PAST), False, id="past-equals"),
        pytest.param(
            cond("DateLessThan", "aws:CurrentTime", PAST, FUTURE), True, id="one-value-future"
        ),
        pytest.param(cond("DateGreaterThan", "aws:CurrentTime", PAST), True, id="after-past"),
        pytest.param(cond("DateLessThan", "aws:EpochTime", "1577836800"), False, id="epoch"),
        pytest.param(
            cond("NumericLessThan", "aws:EpochTime", "1577836800"), False, id="numeric-epoch"
        ),
        pytest.param(cond("DateLessThan", "aws:TokenIssueTime", PAST), False, id="token"),
        pytest.param(
            cond("DateLessThanIfExists", "aws:TokenIssueTime", PAST), True, id="token-if-exists"
        ),
        pytest.param(
            cond("DateLessThanIfExists", "aws:CurrentTime", PAST), False, id="always-present"
        ),
        pytest.param(
            cond("DateLessThan", "aws:CurrentTime", Unknown("var.end")), None, id="unknown"
        ),
        pytest.param(cond("DateLessThan", "aws:CurrentTime", "not a date"), None, id="unreadable"),
        pytest.param(cond("DateLessThan", "s3:ObjectCreated", PAST), True, id="other-key"),
        pytest.param(cond("StringEquals", "aws:SourceVpce", "vpce-1"), True, id="not-time"),
        pytest.param(
            cond("ForAnyValue:DateLessThan", "aws:CurrentTime", PAST), True, id="qualified"
        ),
    ],
)
def test_can_hold(condition: Condition, holds: bool | None) -> None:
    assert can_hold([condition], NOW) is holds


def test_can_hold_is_an_and() -> None:
    never = cond("DateLessThan", "aws:CurrentTime", PAST)
    assert can_hold([cond("Bool", "aws:SecureTransport", "true"), never], NOW) is False
    assert can_hold([], NOW) is True


@pytest.mark.parametrize(
    ("condition", "restricts"),
    [
        pytest.param(cond("StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5"), True, id="org"),
        pytest.param(cond("StringLike", "aws:PrincipalOrgID", "o-*"), False, id="any-org"),
        pytest.param(cond("StringLike", "aws:PrincipalOrgID", "o-a1b2*"), True, id="org-prefix"),
        pytest.param(
            cond("StringEqualsIfExists", "aws:PrincipalOrgID", "o-a1b2c3d4e5"),
            False,
            id="if-exists",
        ),
        pytest.param(
            cond("ForAllValues:StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5"),
            False,
            id="for-all-values",
        ),
        pytest.param(
            cond("ForAnyValue:StringEquals", "aws:PrincipalOrgPaths", "o-a/r-b/ou-c/"),
            True,
            id="for-any-value",
        ),
        pytest.param(cond("StringLike", "aws:PrincipalOrgPaths", "o-*/*"), False, id="any-path"),
        pytest.param(
            cond("StringNotEquals", "aws:PrincipalAccount", "123456789012"), False, id="negated"
        ),
        pytest.param(cond("StringEquals", "aws:SourceAccount", "123456789012"), True, id="account"),
        pytest.param(cond("StringLike", "aws:SourceAccount", "1234*"), False, id="account-glob"),
        pytest.param(cond("StringEquals", "aws:PrincipalOrgID", "*"), False, id="star"),
        pytest.param(cond("ArnLike", "aws:PrincipalArn", "arn:*"), False, id="any-arn"),
        pytest.param(
            cond("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/deploy"),
            False,
            id="any-account-arn",
        ),
        pytest.param(
            cond("ArnLike", "aws:PrincipalArn", "arn:aws:iam::123456789012:role/*"),
            True,
            id="account-arn",
        ),
        pytest.param(cond("ArnLike", "aws:SourceArn", "arn:aws:s3:::*"), False, id="any-bucket"),
        pytest.param(cond("ArnLike", "aws:SourceArn", "arn:aws:s3:::logs-*"), True, id="bucket"),
        pytest.param(cond("StringLike", "aws:SourceVpce", "vpce-*"), False, id="any-endpoint"),
        pytest.param(cond("StringEquals", "aws:SourceVpc", "vpc-0a1b"), True, id="vpc"),
        pytest.param(cond("IpAddress", "aws:SourceIp", "203.0.113.0/24"), True, id="ip"),
        pytest.param(cond("IpAddress", "aws:SourceIp", "0.0.0.0/0"), False, id="every-ipv4"),
        pytest.param(
            cond("IpAddress", "aws:SourceIp", "0.0.0.0/1", "128.0.0.0/1"),
            False,
            id="ranges-covering-everything",
        ),
        pytest.param(cond("IpAddress", "aws:SourceIp", "::/0"), False, id="every-ipv6"),
        pytest.param(cond("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"), False, id="not-ip"),
        pytest.param(cond("StringLike", "aws:userid", "AROA*:alice"), False, id="any-role-session"),
        pytest.param(cond("StringLike", "aws:userid", "AROAEXAMPLE1:*"), True, id="one-role"),
        pytest.param(cond("StringEquals", "aws:SourceAccount", Unknown("x")), None, id="unknown"),
        pytest.param(cond("Null", "aws:SourceAccount", "false"), False, id="null"),
        pytest.param(cond("StringEquals", "aws:RequestedRegion", "eu-west-1"), False, id="other"),
        pytest.param(Condition("", "", (Unknown("var.c"),)), None, id="unresolved-block"),
    ],
)
def test_restricts_caller(condition: Condition, restricts: bool | None) -> None:
    assert restricts_caller([condition]) is restricts


@pytest.mark.parametrize(
    ("condition", "restricts"),
    [
        pytest.param(
            cond("ArnLikeIfExists", "aws:PrincipalArn", "arn:aws:iam::123456789012:role/ci-*"),
            True,
            id="principal-arn-always-present",
        ),
        pytest.param(
            cond("StringEqualsIfExists", "aws:PrincipalOrgID", "o-a1b2c3d4e5"),
            False,
            id="org-id-absent-outside-organizations",
        ),
    ],
)
def test_if_exists_on_keys_every_assume_role_carries(condition: Condition, restricts: bool) -> None:
    assert restricts_caller([condition], present=ASSUME_ROLE_CONTEXT) is restricts
    assert restricts_caller([condition]) is False  # a resource policy's anonymous callers


def test_one_restricting_condition_is_enough() -> None:
    conditions = [
        cond("StringLike", "aws:PrincipalOrgID", "o-*"),
        cond("StringEquals", "aws:SourceAccount", "123456789012"),
    ]
    assert restricts_caller(conditions) is True


@pytest.mark.parametrize(
    ("value", "key", "patterns", "wildcard"),
    [
        pytest.param("*", "", True, True, id="star"),
        pytest.param("*", "", False, True, id="star-literal-operator"),
        pytest.param("o-*", "aws:PrincipalOrgID", False, False, id="literal-o-star"),
        pytest.param("0.0.0.0/0", "aws:SourceIp", False, True, id="any-address"),
        pytest.param("o-abc", "aws:PrincipalOrgID", True, False, id="plain"),
    ],
)
def test_is_wildcard(value: str, key: str, patterns: bool, wildcard: bool) -> None:
    assert is_wildcard(value, key, patterns=patterns) is wildcard


@pytest.mark.parametrize(
    ("condition", "specific"),
    [
        pytest.param(cond("StringEquals", "sts:ExternalId", "a1b2-vendor"), True, id="value"),
        pytest.param(cond("StringEquals", "sts:ExternalId", ""), False, id="empty"),
        pytest.param(cond("StringLike", "sts:ExternalId", "*"), False, id="star"),
        pytest.param(cond("StringEquals", "sts:ExternalId", "abc*"), False, id="glob"),
        pytest.param(cond("StringEqualsIfExists", "sts:ExternalId", "a1"), False, id="if-exists"),
        pytest.param(cond("StringEquals", "sts:ExternalId", Unknown("var.id")), None, id="unknown"),
    ],
)
def test_specific_values(condition: Condition, specific: bool | None) -> None:
    assert specific_values(condition) is specific


@pytest.mark.parametrize(
    ("condition", "mfa"),
    [
        pytest.param(cond("Bool", "aws:MultiFactorAuthPresent", "true"), True, id="bool-true"),
        pytest.param(cond("bool", "AWS:MultiFactorAuthPresent", "True"), True, id="any-case"),
        pytest.param(
            cond("BoolIfExists", "aws:MultiFactorAuthPresent", "true"), False, id="if-exists"
        ),
        pytest.param(cond("Bool", "aws:MultiFactorAuthPresent", "false"), False, id="false"),
        pytest.param(cond("NumericLessThan", "aws:MultiFactorAuthAge", "3600"), True, id="mfa-age"),
        pytest.param(
            cond("NumericGreaterThan", "aws:MultiFactorAuthAge", "3600"), False, id="old-mfa"
        ),
        pytest.param(
            cond("Bool", "aws:MultiFactorAuthPresent", Unknown("var.mfa")), None, id="unknown"
        ),
        pytest.param(cond("Bool", "aws:SecureTransport", "true"), False, id="other-key"),
    ],
)
def test_requires_mfa(condition: Condition, mfa: bool | None) -> None:
    assert requires_mfa([condition]) is mfa


@pytest.mark.parametrize(
    ("condition", "denies"),
    [
        pytest.param(cond("BoolIfExists", "aws:MultiFactorAuthPresent", "false"), True, id="bool"),
        pytest.param(cond("Null", "aws:MultiFactorAuthPresent", "true"), True, id="null"),
        pytest.param(cond("Bool", "aws:MultiFactorAuthPresent", "true"), False, id="true"),
        pytest.param(
            cond("ForAnyValue:Bool", "aws:MultiFactorAuthPresent", "false"), False, id="qualified"
        ),
        pytest.param(
            cond("Bool", "aws:MultiFactorAuthPresent", Unknown("v")), None, id="unknown-value"
        ),
        pytest.param(Condition("", "", (Unknown("var.c"),)), None, id="unknown-block"),
    ],
)
def test_denies_without_mfa(condition: Condition, denies: bool | None) -> None:
    assert denies_without_mfa(condition) is denies


def test_narrows_needs_values() -> None:
    assert narrows(Condition("StringEquals", "aws:SourceAccount", ())) is False


def test_describe_names_operators_and_keys_once() -> None:
    conditions = [
        cond("StringEquals", "aws:SourceVpce", "vpce-1"),
        cond("StringEquals", "aws:SourceVpce", "vpce-2"),
        cond("DateLessThan", "aws:CurrentTime", FUTURE),
    ]
    assert describe(conditions) == "StringEquals aws:SourceVpce, DateLessThan aws:CurrentTime"


# ----------------------------------------------------------------- issue 17: account keys


@pytest.mark.parametrize(
    ("condition", "restricts"),
    [
        pytest.param(
            cond("StringEquals", "AWS:SourceOwner", "123456789012"), True, id="source-owner"
        ),
        pytest.param(
            cond("StringLike", "aws:SourceOwner", "1234*"), False, id="source-owner-pattern"
        ),
        pytest.param(
            cond("StringEquals", "kms:CallerAccount", "123456789012"), True, id="kms-caller"
        ),
        pytest.param(
            cond("StringEqualsIfExists", "kms:CallerAccount", "123456789012"),
            False,
            id="kms-caller-if-exists",
        ),
        pytest.param(
            cond("StringNotEquals", "kms:CallerAccount", "123456789012"),
            False,
            id="kms-caller-negated",
        ),
        pytest.param(
            cond("StringEquals", "s3:DataAccessPointAccount", "123456789012"),
            True,
            id="access-point-account",
        ),
        pytest.param(
            cond("StringLike", "s3:DataAccessPointAccount", "*"), False, id="any-access-point"
        ),
        pytest.param(
            cond("ForAllValues:StringEquals", "aws:SourceOwner", "123456789012"),
            False,
            id="source-owner-for-all-values",
        ),
        pytest.param(
            cond("StringEquals", "kms:CallerAccount", Unknown("var.account")),
            None,
            id="kms-caller-unknown",
        ),
        pytest.param(
            cond("StringEquals", "kms:ViaService", "s3.us-east-1.amazonaws.com"),
            False,
            id="via-service-alone",
        ),
    ],
)
def test_account_keys_restrict(condition: Condition, restricts: bool | None) -> None:
    assert restricts_caller([condition]) is restricts


# ----------------------------------------------------------------- issue 17: companion Deny


@pytest.mark.parametrize(
    ("condition", "excludes"),
    [
        pytest.param(
            cond("StringNotEquals", "aws:SourceVpce", "vpce-0a1b2c3d"), True, id="endpoint"
        ),
        pytest.param(
            cond("StringNotEqualsIfExists", "aws:SourceVpce", "vpce-0a1b2c3d"),
            True,
            id="if-exists-denies-absent-key-too",
        ),
        pytest.param(
            cond("StringNotEquals", "aws:SourceVpce", "vpce-1", "vpce-2"), True, id="endpoints"
        ),
        pytest.param(cond("StringNotLike", "aws:SourceVpce", "vpce-*"), False, id="any-endpoint"),
        pytest.param(
            cond("StringNotLike", "aws:SourceVpce", "vpce-1", "*"), False, id="one-wildcard"
        ),
        pytest.param(cond("StringNotLike", "aws:SourceVpce", "vpce-0a1b*"), True, id="prefix"),
        pytest.param(cond("StringNotEquals", "aws:SourceVpc", "vpc-0a1b"), True, id="vpc"),
        pytest.param(cond("StringNotEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5"), True, id="org"),
        pytest.param(cond("StringNotLike", "aws:PrincipalOrgID", "o-*"), False, id="any-org"),
        pytest.param(
            cond("StringNotEqualsIgnoreCase", "aws:PrincipalAccount", "123456789012"),
            True,
            id="account-ignore-case",
        ),
        pytest.param(
            cond("StringNotLike", "aws:SourceAccount", "1234*"), False, id="account-pattern"
        ),
        pytest.param(
            cond("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::123456789012:role/*"),
            True,
            id="arn",
        ),
        pytest.param(cond("ArnNotLike", "aws:PrincipalArn", "arn:*"), False, id="any-arn"),
        pytest.param(
            cond("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"), True, id="not-ip-address"
        ),
        pytest.param(
            cond("NotIpAddress", "aws:SourceIp", "0.0.0.0/1", "128.0.0.0/1"),
            False,
            id="not-ip-every-address",
        ),
        pytest.param(
            cond("StringNotEquals", "kms:CallerAccount", "123456789012"), True, id="kms-caller"
        ),
        pytest.param(cond("StringEquals", "aws:SourceVpce", "vpce-0a1b2c3d"), False, id="positive"),
        pytest.param(cond("Null", "aws:SourceVpce", "true"), False, id="null"),
        pytest.param(
            cond("ForAnyValue:StringNotEquals", "aws:SourceVpce", "vpce-1"),
            False,
            id="for-any-value-spares-absent-key",
        ),
        pytest.param(
            cond("StringNotLike", "aws:PrincipalOrgPaths", "o-a/r-b/ou-c/*"),
            False,
            id="multi-valued-key",
        ),
        pytest.param(
            cond("StringNotEquals", "aws:RequestedRegion", "eu-west-1"), False, id="other-key"
        ),
        pytest.param(
            cond("StringNotEquals", "aws:SourceVpce", Unknown("var.vpce")), None, id="unknown"
        ),
        pytest.param(Condition("", "", (Unknown("var.c"),)), None, id="unresolved-block"),
    ],
)
def test_excludes_others(condition: Condition, excludes: bool | None) -> None:
    assert excludes_others(condition) is excludes


@pytest.mark.parametrize(
    ("conditions", "restricts"),
    [
        pytest.param([], True, id="no-condition-denies-everything"),
        pytest.param([cond("StringNotEquals", "aws:SourceVpce", "vpce-1")], True, id="one"),
        pytest.param(
            [
                cond("StringNotEquals", "aws:SourceVpce", "vpce-1"),
                cond("StringNotEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5"),
            ],
            True,
            id="endpoint-or-organization",
        ),
        pytest.param(
            [
                cond("StringNotEquals", "aws:SourceVpce", "vpce-1"),
                cond("Bool", "aws:SecureTransport", "false"),
            ],
            False,
            id="and-plain-http",
        ),
        pytest.param(
            [
                cond("StringNotEquals", "aws:SourceVpce", "vpce-1"),
                cond("StringNotEquals", "aws:SourceVpc", Unknown("var.vpc")),
            ],
            None,
            id="unknown",
        ),
    ],
)
def test_deny_restricts(conditions: list[Condition], restricts: bool | None) -> None:
    assert deny_restricts(conditions) is restricts


BUCKET = "arn:aws:s3:::b"
OBJECTS = "arn:aws:s3:::b/*"
OUTSIDE_ENDPOINT: RawValue = {"StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"}}


def allow(**fields: RawValue) -> RawValue:
    """A public read of the bucket's objects, with *fields* replaced."""
    return {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": OBJECTS,
        **fields,
    }


def deny(**fields: RawValue) -> RawValue:
    """A Deny to everyone of every S3 action on the bucket and its objects outside one
    endpoint, with *fields* replaced (``Condition=None`` drops the condition)."""
    raw: dict[str, RawValue] = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [BUCKET, OBJECTS],
        "Condition": OUTSIDE_ENDPOINT,
        **fields,
    }
    return {key: value for key, value in raw.items() if value is not None}


def statements(*raw: RawValue) -> tuple[Statement, ...]:
    location = Location(PurePosixPath("plan.json"))
    origin = Origin(SourceKind.TERRAFORM_PLAN, "aws_s3_bucket_policy.b", location)
    document = parse_policy({"Version": "2012-10-17", "Statement": list(raw)}, origin)
    assert isinstance(document, PolicyDocument)
    return document.statements


@pytest.mark.parametrize(
    ("document", "restricts"),
    [
        pytest.param([allow()], False, id="alone"),
        pytest.param(
            [allow(Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}})], True, id="own"
        ),
        pytest.param([allow(), deny()], True, id="deny-outside-endpoint"),
        pytest.param([allow(), deny(Principal={"AWS": "*"})], True, id="deny-aws-star"),
        pytest.param([allow(), deny(Action="*", Resource="*")], True, id="deny-everything"),
        pytest.param([allow(), deny(Condition=None)], True, id="unconditional-deny"),
        pytest.param(
            [allow(), deny(Action=None, NotAction="s3:PutObject")], True, id="deny-not-action"
        ),
        pytest.param(
            [allow(), deny(Action=None, NotAction="s3:Get*")], False, id="deny-spares-the-read"
        ),
        pytest.param([allow(), deny(Action="s3:PutObject")], False, id="deny-other-action"),
        pytest.param([allow(), deny(Resource=BUCKET)], False, id="deny-other-resource"),
        pytest.param(
            [allow(Resource=[BUCKET, OBJECTS], Action=["s3:GetObject", "s3:ListBucket"]), deny()],
            True,
            id="entries-covered-one-by-one",
        ),
        pytest.param(
            [
                allow(Action=["s3:GetObject", "s3:ListBucket"], Resource=[BUCKET, OBJECTS]),
                deny(Action="s3:GetObject"),
                deny(Action="s3:ListBucket"),
            ],
            True,
            id="two-denies-share-the-actions",
        ),
        pytest.param(
            [allow(), deny(Condition={"StringNotLike": {"aws:SourceVpce": "vpce-*"}})],
            False,
            id="deny-any-endpoint",
        ),
        pytest.param(
            [
                allow(),
                deny(
                    Condition={
                        "StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d"},
                        "Bool": {"aws:SecureTransport": "false"},
                    }
                ),
            ],
            False,
            id="deny-only-plain-http",
        ),
        pytest.param(
            [allow(), deny(Principal={"AWS": "arn:aws:iam::111122223333:root"})],
            False,
            id="deny-to-one-account",
        ),
        pytest.param(
            [allow(), deny(Principal=None, NotPrincipal={"AWS": "arn:aws:iam::1:root"})],
            False,
            id="deny-not-principal",
        ),
        pytest.param([allow(), deny(Effect="Allow")], False, id="allow-is-no-deny"),
        pytest.param(
            [allow(Action=None, NotAction="s3:DeleteObject"), deny(Action="*", Resource="*")],
            True,
            id="allow-not-action-deny-all",
        ),
        pytest.param(
            [allow(Action=None, NotAction="s3:DeleteObject"), deny()],
            False,
            id="allow-not-action-deny-s3",
        ),
        pytest.param(
            [
                allow(Action=None, NotAction="s3:*"),
                deny(Action=None, NotAction="s3:GetObject", Resource="*"),
            ],
            True,
            id="deny-spares-only-what-allow-spares",
        ),
        pytest.param(
            [allow(Resource=None, NotResource=BUCKET), deny(Resource="*")],
            True,
            id="allow-not-resource-deny-all",
        ),
        pytest.param(
            [allow(), deny(Condition={"StringNotEquals": {"aws:SourceVpce": Unknown("v")}})],
            None,
            id="deny-condition-unknown",
        ),
        pytest.param(
            [allow(Action=["s3:GetObject", Unknown("a")]), deny()], None, id="allow-action-unknown"
        ),
        pytest.param(
            [allow(Action=["s3:GetObject", Unknown("a")]), deny(Action="*")],
            True,
            id="allow-action-unknown-deny-all",
        ),
        pytest.param([allow(Resource=Unknown("r")), deny()], None, id="allow-resource-unknown"),
        pytest.param(
            [allow(Resource=Unknown("r")), deny(Resource="*")],
            True,
            id="allow-resource-unknown-deny-all",
        ),
    ],
)
def test_restricted(document: list[RawValue], restricts: bool | None) -> None:
    found = statements(*document)
    assert restricted(found[0], found, matching=MATCHING) is restricts


def trust(*raw: RawValue) -> tuple[Statement, ...]:
    principal: RawValue = {"AWS": "*"}
    return statements({"Effect": "Allow", "Principal": principal, "Action": "sts:*"}, *raw)


@pytest.mark.parametrize(
    ("deny_actions", "restricts"),
    [
        pytest.param("sts:AssumeRole", True, id="the-action-asked-about"),
        pytest.param("sts:AssumeRoleWith*", False, id="other-actions"),
        pytest.param("sts:*", True, id="every-sts-action"),
    ],
)
def test_restricted_for_concrete_actions(deny_actions: str, restricts: bool) -> None:
    condition: RawValue = {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    found = trust(
        {"Effect": "Deny", "Principal": "*", "Action": deny_actions, "Condition": condition}
    )
    # a trust statement has no Resource: a Deny without one names the same role
    assert restricted(found[0], found, ["sts:AssumeRole"], matching=MATCHING) is restricts


def test_restricted_trust_deny_with_resource_must_name_everything() -> None:
    condition: RawValue = {"StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    base: dict[str, RawValue] = {"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"}
    found = trust(base | {"Condition": condition, "Resource": "*"})
    assert restricted(found[0], found, ["sts:AssumeRole"], matching=MATCHING) is True
    found = trust(base | {"Condition": condition, "Resource": "arn:aws:iam::1:role/x"})
    assert restricted(found[0], found, ["sts:AssumeRole"], matching=MATCHING) is False
