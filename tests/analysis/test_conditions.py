"""The condition model: every operator family, and the three answers rules ask for."""

from __future__ import annotations

from datetime import UTC, datetime

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
from iacguard.model import Condition, Unknown

NOW = datetime(2026, 12, 2, tzinfo=UTC)
PAST = "2020-01-01T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"


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
