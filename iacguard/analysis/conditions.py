"""The condition model: what a policy ``Condition`` block means for a rule.

Every operator family of IAM (String, Arn, Numeric, Date, Bool, IpAddress, Null, Binary),
with its ``…IfExists`` suffix and its ``ForAllValues:``/``ForAnyValue:`` qualifier, is read
into an :class:`Operator`. Rules ask three questions (rules.md, "Common terms"):

- :func:`can_hold`: can the conditions ever be true from the scan on? A date condition
  on the request time that lies in the past cannot: its ``Allow`` grants nothing.
- :func:`restricts_caller`: do they restrict who may call (a *restricting condition* of
  rules.md)? ``…IfExists`` forms, ``ForAllValues:``, negated operators and values that
  match anything (``*``, ``o-*``, ``arn:*``, IP ranges that together cover every address)
  do not.
- :func:`requires_mfa`: do they let only MFA-authenticated requests through?

An ``Allow`` to anyone can also be limited by the rest of its document: a ``Deny`` to
everyone whose conditions hold for every request outside specific values of restricting
keys (``StringNotEquals aws:SourceVpce vpce-1``) leaves the ``Allow`` only those requests.
:func:`excludes_others` and :func:`deny_restricts` read such a ``Deny``'s conditions, and
:func:`restricted` answers for an ``Allow`` statement with its document.

Answers are three-valued: True, False, or None when an :class:`~iacguard.model.Unknown`
value decides (rules.md: unknown is never ``*`` and never safe, so a rule that needs the
answer reports nothing).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from iacguard._glob import glob_match
from iacguard.model import Condition, MaybeStr, Unknown

#: condition keys that restrict an "any principal" grant (rules.md, "Restricting
#: condition"), and the account keys that do so as well (issue 17): the owner of an SNS
#: source (the legacy ``aws:SourceAccount``), the account calling KMS, and the account
#: owning the S3 access point a request comes through (the bucket then delegates access
#: control to that account's access points)
RESTRICTING_KEYS: Final = frozenset(
    key.lower()
    for key in (
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:PrincipalAccount",
        "aws:PrincipalArn",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceVpc",
        "aws:SourceVpce",
        "aws:SourceIp",
        "aws:userid",
        "aws:SourceOwner",
        "kms:CallerAccount",
        "s3:DataAccessPointAccount",
    )
)
#: keys in the context of every ``sts:AssumeRole`` request (it is always signed by an IAM
#: principal); ``aws:PrincipalOrgID`` is not: an account outside any organization lacks it
ASSUME_ROLE_CONTEXT: Final = frozenset({"aws:principalarn", "aws:principalaccount", "aws:userid"})
#: operator families, by the lower-cased operator name without qualifier and suffix
_FAMILIES: Final = {
    **dict.fromkeys(
        ("stringequals", "stringnotequals", "stringequalsignorecase",
         "stringnotequalsignorecase", "stringlike", "stringnotlike"), "string"),
    **dict.fromkeys(("arnequals", "arnlike", "arnnotequals", "arnnotlike"), "arn"),
    **dict.fromkeys(
        ("numericequals", "numericnotequals", "numericlessthan", "numericlessthanequals",
         "numericgreaterthan", "numericgreaterthanequals"), "numeric"),
    **dict.fromkeys(
        ("dateequals", "datenotequals", "datelessthan", "datelessthanequals",
         "dategreaterthan", "dategreaterthanequals"), "date"),
    "bool": "bool",
    **dict.fromkeys(("binaryequals",), "binary"),
    **dict.fromkeys(("ipaddress", "notipaddress"), "ip"),
    "null": "null",
}  # fmt: skip
#: operators whose values are ``*``/``?`` patterns (``ArnEquals`` behaves as ``ArnLike``)
_PATTERN_OPERATORS: Final = frozenset({"stringlike", "arnlike", "arnequals"})
#: operators that let only listed values through (the others negate, compare or test presence)
_POSITIVE: Final = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}
)
#: request-time keys always in the request context; aws:TokenIssueTime only with
#: temporary credentials
_TIME_KEYS: Final = frozenset({"aws:currenttime", "aws:epochtime", "aws:tokenissuetime"})
_ALWAYS_PRESENT: Final = frozenset({"aws:currenttime", "aws:epochtime"})
_MFA_PRESENT: Final = "aws:multifactorauthpresent"
_MFA_AGE: Final = "aws:multifactorauthage"
#: what a value must fix, before its first wildcard, to name something specific: the
#: literal prefix of ``o-*`` is only the ID's fixed part, so it names any organization
_FIXED_PREFIXES: Final = {
    "aws:principalorgid": "o-",
    "aws:sourceorgid": "o-",
    "aws:sourcevpc": "vpc-",
    "aws:sourcevpce": "vpce-",
    "aws:userid": "aroa",
}
_ACCOUNT_KEYS: Final = frozenset(
    {
        "aws:principalaccount",
        "aws:sourceaccount",
        "aws:sourceowner",
        "kms:calleraccount",
        "s3:dataaccesspointaccount",
    }
)
_ARN_KEYS: Final = frozenset({"aws:principalarn", "aws:sourcearn"})
_WILDCARDS: Final = frozenset("*?")


@dataclass(frozen=True, slots=True)
class Operator:
    """A condition operator, read: ``ForAnyValue:StringLikeIfExists`` is
    ``Operator("stringlike", "string", if_exists=True, qualifier="foranyvalue")``."""

    #: the lower-cased base name (``stringlike``); "" for an operator IAM does not have
    name: str
    #: ``string``, ``arn``, ``numeric``, ``date``, ``bool``, ``binary``, ``ip``, ``null``;
    #: "" when unknown
    family: str
    if_exists: bool = False
    #: ``forallvalues``, ``foranyvalue`` or ""
    qualifier: str = ""

    @property
    def positive(self) -> bool:
        """True when only requests carrying one of the listed values match."""
        return self.name in _POSITIVE

    @property
    def patterns(self) -> bool:
        """True when ``*`` and ``?`` in the values are wildcards."""
        return self.name in _PATTERN_OPERATORS


def read_operator(text: str) -> Operator:
    """Read an operator as written (case-insensitive)."""
    qualifier, _, rest = text.strip().lower().rpartition(":")
    if_exists = rest.endswith("ifexists") and rest != "ifexists"
    name = rest.removesuffix("ifexists") if if_exists else rest
    family = _FAMILIES.get(name, "")
    return Operator(name if family else "", family, if_exists, qualifier)


# --------------------------------------------------------------------------- can it hold


def can_hold(conditions: Iterable[Condition], now: datetime | None = None) -> bool | None:
    """Whether a statement whose ``Condition`` holds *conditions* can ever apply from
    *now* on (default: the current time). Conditions are ANDed: one that can never hold
    makes the whole block impossible.

    Only time conditions are ever impossible: a ``DateLessThan``/``DateLessThanEquals``/
    ``DateEquals`` (or ``Numeric…`` on ``aws:EpochTime``) whose every value lies before
    *now*, on ``aws:CurrentTime``, ``aws:EpochTime`` or ``aws:TokenIssueTime`` (not its
    ``IfExists`` form, which requests with long-term keys satisfy).

    :returns: False when some condition can never hold; True when none is impossible;
        None when an unresolved value decides.
    """
    moment = now or datetime.now(UTC)
    undecided = False
    for condition in conditions:
        verdict = _time_can_hold(condition, moment)
        if verdict is False:
            return False
        undecided = undecided or verdict is None
    return None if undecided else True


def _time_can_hold(condition: Condition, now: datetime) -> bool | None:
    operator = read_operator(condition.operator)
    key = condition.key_lower
    if key not in _TIME_KEYS or operator.qualifier:
        return True
    if operator.if_exists and key not in _ALWAYS_PRESENT:
        return True
    upper_bound = operator.name in {"datelessthan", "datelessthanequals", "dateequals"} or (
        key == "aws:epochtime"
        and operator.name in {"numericlessthan", "numericlessthanequals", "numericequals"}
    )
    if not upper_bound:
        return True
    undecided = False
    for value in condition.values:
        moment = _moment(value)
        if moment is None:
            undecided = True
        elif moment >= now:
            return True
    return None if undecided else False


def _moment(value: MaybeStr) -> datetime | None:
    """A condition date value (ISO 8601 or epoch seconds) as an aware datetime."""
    if isinstance(value, Unknown):
        return None
    text = value.strip()
    try:
        if text.isdigit():
            return datetime.fromtimestamp(int(text), UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --------------------------------------------------------------------------- restricting


def restricts_caller(
    conditions: Iterable[Condition],
    keys: Iterable[str] = RESTRICTING_KEYS,
    *,
    present: frozenset[str] = frozenset(),
) -> bool | None:
    """Whether one of *conditions* on one of *keys* (default: the restricting keys of
    rules.md) limits who may call to specific values. Conditions are ANDed, so one is
    enough. A condition block whose keys are unresolved might be the one.

    :param present: lower-cased keys every request the caller asks about carries
        (:data:`ASSUME_ROLE_CONTEXT` for a trust policy): their ``…IfExists`` forms
        restrict as the plain ones do.

    :returns: True, False, or None when only an unresolved condition could decide.
    """
    wanted = {key.lower() for key in keys}
    undecided = False
    for condition in conditions:
        if not condition.key:
            undecided = undecided or any(isinstance(v, Unknown) for v in condition.values)
            continue
        if condition.key_lower not in wanted:
            continue
        verdict = narrows(condition, present=condition.key_lower in present)
        if verdict:
            return True
        undecided = undecided or verdict is None
    return None if undecided else False


def narrows(condition: Condition, *, present: bool = False) -> bool | None:
    """Whether *condition* admits only specific values of its key.

    A positive operator (``StringEquals``, ``StringLike``, ``ArnLike``, ``IpAddress`` ...,
    ``ForAnyValue:`` included) narrows unless it ends in ``IfExists`` (a request without
    the key passes), or one of its values matches anything for that key (values are
    alternatives, so one wildcard admits everyone), or its IP ranges together cover every
    address. ``ForAllValues:`` holds for a request without the key, so it never narrows.

    :param present: the key is in every request asked about, so ``IfExists`` changes
        nothing.
    :returns: True, False, or None when a value is unresolved.
    """
    operator = read_operator(condition.operator)
    lenient = operator.if_exists and not present
    if not operator.positive or lenient or operator.qualifier == "forallvalues":
        return False
    values = condition.values
    if not values:
        return False
    strings = [v for v in values if isinstance(v, str)]
    if any(is_wildcard(v, condition.key_lower, patterns=operator.patterns) for v in strings):
        return False
    if operator.family == "ip" and _covers_every_address(strings):
        return False
    return None if len(strings) < len(values) else True


def is_wildcard(value: str, key: str = "", *, patterns: bool = True) -> bool:
    """Whether a condition *value* matches every value of condition *key*.

    Made only of ``*``/``?`` (with a ``*``), or an IP range of every address, it always
    does. With a pattern operator (*patterns*), so does a value whose literal part before
    its first wildcard does not fix what the key names: ``o-*`` (any organization),
    ``vpce-*``, an account with a wildcard, an ARN whose account is a wildcard
    (``arn:aws:iam::*:role/x``, ``arn:*``), or an S3-style ARN without account whose name
    is a wildcard (``arn:aws:s3:::*``).
    """
    text = value.strip()
    if (text and set(text) <= _WILDCARDS and "*" in text) or text in {"0.0.0.0/0", "::/0"}:
        return True
    if not patterns or _WILDCARDS.isdisjoint(text):
        return False
    key = key.lower()
    literal = text[: min(text.find(c) if c in text else len(text) for c in _WILDCARDS)]
    if key in _ACCOUNT_KEYS:
        return True
    if key in _ARN_KEYS:
        return _arn_is_wildcard(literal)
    if key == "aws:principalorgpaths":
        return "/" not in literal
    fixed = _FIXED_PREFIXES.get(key)
    return fixed is not None and len(literal) <= len(fixed)


def _arn_is_wildcard(literal: str) -> bool:
    """Whether an ARN pattern whose literal prefix is *literal* leaves the owner open:
    the prefix stops before the account field ends, or (no account: S3) before any name."""
    fields = literal.split(":")
    if len(fields) < 6:
        return True
    account, resource = fields[4], ":".join(fields[5:])
    return not account and not resource


def _covers_every_address(ranges: Iterable[str]) -> bool:
    """Whether the CIDR *ranges* together contain every IPv4 or every IPv6 address."""
    v4: list[ipaddress.IPv4Network] = []
    v6: list[ipaddress.IPv6Network] = []
    for text in ranges:
        try:
            network = ipaddress.ip_network(text.strip(), strict=False)
        except ValueError:
            continue
        if isinstance(network, ipaddress.IPv4Network):
            v4.append(network)
        else:
            v6.append(network)
    return list(ipaddress.collapse_addresses(v4)) == [ipaddress.IPv4Network("0.0.0.0/0")] or (
        list(ipaddress.collapse_addresses(v6)) == [ipaddress.IPv6Network("::/0")]
    )


def unresolved_block(conditions: Iterable[Condition]) -> bool:
    """True when a condition block's keys are unresolved (an unknown ``Condition`` or
    operator value): it might test any key, so it might be the one a rule looks for."""
    return any(not c.key and any(isinstance(v, Unknown) for v in c.values) for c in conditions)


def specific_values(condition: Condition) -> bool | None:
    """Whether *condition* admits only specific, non-empty values without wildcards
    (``sts:ExternalId "a1b2"``; not ``""`` nor ``*``, whatever the operator).

    :returns: True, False, or None when a value is unresolved.
    """
    if narrows(condition) is False:
        return False
    strings = [v.strip() for v in condition.values if isinstance(v, str)]
    if any(not v or not _WILDCARDS.isdisjoint(v) for v in strings):
        return False
    return None if len(strings) < len(condition.values) else True


# --------------------------------------------------------------------------- MFA


def requires_mfa(conditions: Iterable[Condition]) -> bool | None:
    """Whether *conditions* let only MFA-authenticated requests through:
    ``Bool aws:MultiFactorAuthPresent true`` or ``NumericLessThan[Equals]
    aws:MultiFactorAuthAge`` (absent without MFA). ``IfExists`` forms pass requests that
    carry no MFA information (long-term access keys), so they do not count.

    :returns: True, False, or None when an unresolved value decides.
    """
    conditions = tuple(conditions)
    undecided = unresolved_block(conditions)
    for condition in conditions:
        operator = read_operator(condition.operator)
        if operator.if_exists or operator.qualifier:
            continue
        if condition.key_lower == _MFA_PRESENT and operator.name == "bool":
            wanted = "true"
        elif condition.key_lower == _MFA_AGE and operator.name in {
            "numericlessthan",
            "numericlessthanequals",
        }:
            wanted = ""
        else:
            continue
        if any(isinstance(v, Unknown) for v in condition.values):
            undecided = True
        elif not wanted or [str(v).lower() for v in condition.values] == [wanted]:
            return True
    return None if undecided else False


def denies_without_mfa(condition: Condition) -> bool | None:
    """Whether *condition*, on a ``Deny``, matches requests made without MFA:
    ``Bool[IfExists] aws:MultiFactorAuthPresent false`` or ``Null
    aws:MultiFactorAuthPresent true``.

    :returns: True, False, or None when an unresolved value (or key) decides.
    """
    if not condition.key:
        return None if any(isinstance(v, Unknown) for v in condition.values) else False
    operator = read_operator(condition.operator)
    wanted = {"bool": "false", "null": "true"}.get(operator.name)
    if condition.key_lower != _MFA_PRESENT or wanted is None or operator.qualifier:
        return False
    if any(isinstance(v, Unknown) for v in condition.values):
        return None
    return [str(v).lower() for v in condition.values] == [wanted]


def admits_value(conditions: Iterable[Condition], key: str, value: str) -> bool | None:
    """Whether a request whose context holds *value* for the single-valued *key* can pass
    the string conditions on that key among *conditions* (``iam:PassedToService`` is
    ``lambda.amazonaws.com`` when a path passes a role to Lambda). Case is ignored, so
    a doubt lets the request through.

    :returns: False when a positive operator (``StringEquals``, ``StringLike``) lists no
        value matching it, or a negated one (``StringNotEquals``, ``StringNotLike``) lists
        one that does; True when the conditions on *key* let it through; None when an
        unresolved value decides.
    """
    undecided = False
    for condition in conditions:
        operator = read_operator(condition.operator)
        if condition.key_lower != key.lower() or operator.family != "string":
            continue
        negated = "not" in operator.name
        like = operator.name.endswith("like")
        values = known(condition.values)
        matched = any(
            glob_match(v, value, fold_case=True) if like else v.lower() == value.lower()
            for v in values
        )
        if matched == negated and (negated or len(values) == len(condition.values)):
            return False
        undecided = undecided or (not matched and len(values) < len(condition.values))
    return None if undecided else True


def describe(conditions: Iterable[Condition]) -> str:
    """``StringEquals aws:SourceVpce, DateLessThan aws:CurrentTime``: how messages name
    the conditions a finding rests on (operators and keys, never values)."""
    return ", ".join(dict.fromkeys(f"{c.operator} {c.key or '(unresolved)'}" for c in conditions))


def known(values: Iterable[MaybeStr]) -> list[str]:
    """The resolved strings among *values*, in order."""
    return [value for value in values if isinstance(value, str)]
