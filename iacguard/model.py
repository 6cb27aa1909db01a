"""Immutable records of the IAM graph: enums, values with their origins, policy documents, nodes."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from pathlib import PurePosixPath
from typing import TypeAlias

# --------------------------------------------------------------------------- enums


class Severity(IntEnum):
    """How bad a finding is; ordered so that ``--fail-on`` compares with ``>=``."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        """The lower-case name used in every report (``"high"``)."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Read a severity name, case-insensitively.

        :raises ValueError: the text names no severity.
        """
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(member.label for member in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None


class Confidence(IntEnum):
    """How sure a check is; LOW when the finding depends on an unresolved value."""

    LOW = 0
    MEDIUM = 1
    HIGH = 2

    @property
    def label(self) -> str:
        """The lower-case name used in every report."""
        return self.name.lower()


class SourceKind(Enum):
    """The input format a graph element was read from."""

    TERRAFORM_PLAN = "terraform-plan"
    TERRAFORM_HCL = "terraform-hcl"
    CLOUDFORMATION = "cloudformation"
    CREDENTIAL_REPORT = "credential-report"
    AUTHORIZATION_DETAILS = "authorization-details"


class Effect(Enum):
    """A statement's effect."""

    ALLOW = "Allow"
    DENY = "Deny"


class PrincipalKind(Enum):
    """The three IAM identities that hold identity policies."""

    USER = "user"
    GROUP = "group"
    ROLE = "role"


class PolicyKind(Enum):
    """What a policy document is for and how it is bound to its holder."""

    #: embedded in one user, group or role
    INLINE = "inline"
    #: a customer-managed policy defined in the configuration
    MANAGED = "managed"
    #: an AWS-managed policy referenced by ARN, evaluated by its shipped content
    AWS_MANAGED = "aws-managed"
    #: a role's trust (assume-role) policy
    TRUST = "trust"
    #: a policy on a resource (bucket, queue, key ...)
    RESOURCE = "resource"


class EdgeKind(Enum):
    """How two graph nodes relate."""

    #: policy -> principal, through an attachment resource or property
    ATTACHED = "attached"
    #: inline policy -> the principal it is embedded in
    INLINE = "inline"
    #: user -> group
    MEMBER_OF = "member-of"
    #: policy -> principal whose permission boundary it is
    BOUNDARY = "boundary"
    #: trust policy -> the role it governs
    TRUSTS = "trusts"
    #: role -> instance profile that carries it
    IN_PROFILE = "in-profile"


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class AttributeRef:
    """An attribute of another element of the configuration, as a value refers to it:
    ``aws_iam_role.ci.arn`` is ``AttributeRef("aws_iam_role.ci", "arn")``, ``!GetAtt
    Deploy.Arn`` is ``AttributeRef("Deploy", "Arn")`` and ``!Ref Deploy`` is
    ``AttributeRef("Deploy", "Ref")``.

    The address is the element's full node address, as graph nodes have it: a reference
    written inside a module carries the module's path
    (``module.ci.aws_iam_role.deploy["a"]``); a reference to every instance of a
    ``count``/``for_each`` resource carries no index.
    """

    #: node address of the element referred to (resource, data source or logical ID)
    address: str
    #: the attribute as written (``arn``, ``name``, ``url``, ``account_id``, ``Arn``, ``Ref``)
    attribute: str


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value that is only known after apply, or cannot be resolved statically.

    Never equal to ``"*"``: a rule that needs the value reports nothing rather than
    guessing either way.
    """

    #: what the value was computed from, for messages (``"aws_s3_bucket.logs.arn"``)
    expr: str = ""
    #: the attributes of other elements the value is computed from, in the order they
    #: appear; a plain reference (``aws_iam_role.ci.arn``) has exactly one
    refs: tuple[AttributeRef, ...] = ()

    def __str__(self) -> str:
        return f"(unresolved: {self.expr})" if self.expr else "(unresolved)"


def refs_of(*values: object) -> tuple[AttributeRef, ...]:
    """The references of every :class:`Unknown` in *values* (themselves or held at any
    depth in lists, tuples and mappings), in order of appearance, without repeats."""
    found: dict[AttributeRef, None] = {}

    def walk(item: object) -> None:
        if isinstance(item, Unknown):
            found.update(dict.fromkeys(item.refs))
        elif isinstance(item, Mapping):
            for child in item.values():
                walk(child)
        elif isinstance(item, tuple | list):
            for child in item:
                walk(child)

    for value in values:
        walk(value)
    return tuple(found)


#: a string or bool read from the input that may be unresolved
MaybeStr: TypeAlias = str | Unknown
MaybeBool: TypeAlias = bool | Unknown
MaybeInt: TypeAlias = int | Unknown

#: a pointer into a resource or document: keys and list indices
Pointer: TypeAlias = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Location:
    """A span in a file; lines and columns are 1-based."""

    #: relative to the scan root when possible, POSIX separators
    file: PurePosixPath
    #: None: the format has no line information (e.g. plan JSON)
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None

    def where(self) -> str:
        """``file:line``, or ``file`` when the line is not known."""
        return f"{self.file}:{self.line}" if self.line else str(self.file)


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a graph element came from, logically and physically."""

    source: SourceKind
    #: resource address (``module.ci.aws_iam_role.deploy["a"]``), ``output.NAME``,
    #: ``provider.aws``, ``var.NAME`` or a CloudFormation logical ID
    address: str
    #: the file it was read from
    location: Location
    #: key path inside the resource, e.g. ``("inline_policy", 0, "policy")``
    pointer: Pointer = ()
    #: the deployment condition this element depends on (CloudFormation ``Fn::If`` /
    #: ``Condition``), or None when it always exists; findings say so
    condition: str | None = None

    def at(self, *pointer: str | int) -> Origin:
        """The same element, deeper: *pointer* is appended to this origin's pointer."""
        return Origin(
            self.source, self.address, self.location, self.pointer + pointer, self.condition
        )


# --------------------------------------------------------------------------- policy documents


@dataclass(frozen=True, slots=True)
class PrincipalRef:
    """One entry of a statement's ``Principal``: ``{"AWS": "arn:..."}`` is ``("AWS", "arn:...")``.

    ``"Principal": "*"`` is normalised to ``("AWS", "*")``, which AWS treats the same.
    """

    #: "AWS", "Service", "Federated" or "CanonicalUser" (as written, case kept)
    kind: str
    value: MaybeStr

    @property
    def is_anyone(self) -> bool:
        """True for the wildcard principal ``*`` (of kind AWS or a bare ``*``)."""
        return self.value == "*" and self.kind.upper() in {"AWS", "*"}


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition clause: ``{"StringEquals": {"aws:SourceAccount": ["1"]}}`` is one."""

    #: operator as written, e.g. ``"ForAnyValue:StringLike"`` or ``"BoolIfExists"``
    operator: str
    #: condition key as written; compare with :attr:`key_lower`
    key: str
    values: tuple[MaybeStr, ...]

    @property
    def key_lower(self) -> str:
        """The key lower-cased: IAM condition keys are case-insensitive."""
        return self.key.lower()


@dataclass(frozen=True, slots=True)
class Statement:
    """One normalised policy statement.

    IAM's "string or list" forms are resolved by the parser: every list here is a tuple,
    absent keys are empty tuples, and unresolved elements are :class:`Unknown`.
    """

    origin: Origin
    #: position in the document's statement list (0-based)
    index: int
    sid: MaybeStr | None
    #: None when the document gave no valid effect (see :attr:`PolicyDocument.problems`)
    effect: Effect | Unknown | None
    actions: tuple[MaybeStr, ...] = ()
    not_actions: tuple[MaybeStr, ...] = ()
    resources: tuple[MaybeStr, ...] = ()
    not_resources: tuple[MaybeStr, ...] = ()
    principals: tuple[PrincipalRef, ...] = ()
    not_principals: tuple[PrincipalRef, ...] = ()
    conditions: tuple[Condition, ...] = ()
    #: which of the optional keys were present (``"Action"``, ``"NotAction"``, ``"Principal"`` ...)
    keys: frozenset[str] = frozenset()

    @property
    def is_allow(self) -> bool:
        """True for a known ``Allow``."""
        return self.effect is Effect.ALLOW

    @property
    def is_deny(self) -> bool:
        """True for a known ``Deny``."""
        return self.effect is Effect.DENY

    @property
    def uses_not_action(self) -> bool:
        """True when the statement lists ``NotAction`` instead of ``Action``."""
        return "NotAction" in self.keys

    @property
    def uses_not_resource(self) -> bool:
        """True when the statement lists ``NotResource`` instead of ``Resource``."""
        return "NotResource" in self.keys

    @property
    def allows_all_actions(self) -> bool:
        """True when ``Action`` contains the bare ``*`` (``NotAction`` is not considered)."""
        return "*" in self.actions

    @property
    def covers_all_resources(self) -> bool:
        """True when ``Resource`` contains the bare ``*``."""
        return "*" in self.resources

    def conditions_on(self, *keys: str) -> tuple[Condition, ...]:
        """The conditions whose key is one of *keys* (case-insensitive)."""
        wanted = {key.lower() for key in keys}
        return tuple(cond for cond in self.conditions if cond.key_lower in wanted)


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    """A parsed IAM policy document.

    A document that is not valid IAM JSON still parses as far as it can: what is wrong is
    listed in :attr:`problems`, one short phrase each.
    """

    origin: Origin
    statements: tuple[Statement, ...] = ()
    version: MaybeStr | None = None
    problems: tuple[str, ...] = ()


# --------------------------------------------------------------------------- graph nodes


@dataclass(frozen=True, slots=True)
class Principal:
    """An IAM user, group or role defined in the configuration."""

    kind: PrincipalKind
    #: unique node id; equal to the origin's address
    address: str
    name: MaybeStr
    origin: Origin
    arn: MaybeStr | None = None
    #: the IAM path (``/ops/``); None when the input does not set it (AWS's default ``/``)
    path: MaybeStr | None = None

    @property
    def display(self) -> str:
        """``role 'aws_iam_role.deploy'`` — how messages name this principal."""
        return f"{self.kind.value} '{self.address}'"


@dataclass(frozen=True, slots=True)
class Policy:
    """A policy document bound to something: a principal, a resource, or nothing yet.

    Node ids: the resource address for managed, inline and resource policies defined in
    the configuration (plus ``#pointer`` when embedded in a larger resource), and the ARN
    for AWS-managed policies.
    """

    id: str
    kind: PolicyKind
    name: MaybeStr | None
    #: the document, or :class:`Unknown` when it is only known after apply
    document: PolicyDocument | Unknown
    #: where findings about the document are reported (for AWS-managed policies: the
    #: first attachment; checks report per attachment, see ``Graph.document_sites``)
    origin: Origin
    arn: MaybeStr | None = None
    #: for resource policies: the type of resource holding it (``aws_s3_bucket_policy``)
    resource_type: str | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    """A typed relation between two nodes, with the reason it exists (for messages)."""

    source: str
    target: str
    kind: EdgeKind
    #: the resource or property that creates the relation (attachment, membership ...)
    origin: Origin
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AccessKey:
    """An access key for an IAM user."""

    address: str
    origin: Origin
    #: the user as an edge target: a node address, or an ``external:``/``unknown:`` id
    user: str
    active: MaybeBool
    #: True when a PGP key encrypts the secret (it is then not stored in plain text)
    encrypted: bool


@dataclass(frozen=True, slots=True)
class LoginProfile:
    """Console access (a password) for an IAM user."""

    address: str
    origin: Origin
    #: the user as an edge target (see :class:`AccessKey`)
    user: str
    #: None when the input does not set it (AWS then defaults to False)
    password_reset_required: MaybeBool | None


@dataclass(frozen=True, slots=True)
class MfaDevice:
    """A virtual MFA device, optionally tied to a user."""

    address: str
    origin: Origin
    #: the user as an edge target (see :class:`AccessKey`), None when not tied to one
    user: str | None


@dataclass(frozen=True, slots=True)
class OidcProvider:
    """An IAM OIDC identity provider defined in the configuration
    (``aws_iam_openid_connect_provider``, ``AWS::IAM::OIDCProvider``)."""

    address: str
    origin: Origin
    #: the issuer URL as written (``https://token.actions.githubusercontent.com``)
    url: MaybeStr


@dataclass(frozen=True, slots=True)
class LambdaPermission:
    """A grant that lets a principal invoke a Lambda function."""

    address: str
    origin: Origin
    principal: MaybeStr
    action: MaybeStr
    source_arn: MaybeStr | None
    source_account: MaybeStr | None
    principal_org_id: MaybeStr | None = None


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """The account password policy; None fields are unset in the input."""

    address: str
    origin: Origin
    minimum_length: MaybeInt | None
    require_uppercase: MaybeBool | None
    require_lowercase: MaybeBool | None
    require_numbers: MaybeBool | None
    require_symbols: MaybeBool | None
    reuse_prevention: MaybeInt | None
    max_age_days: MaybeInt | None


@dataclass(frozen=True, slots=True)
class Trail:
    """A CloudTrail trail; None fields are unset and take AWS's default."""

    address: str
    origin: Origin
    multi_region: MaybeBool | None
    log_file_validation: MaybeBool | None
    logging_enabled: MaybeBool | None


@dataclass(frozen=True, slots=True)
class KeyUse:
    """One access-key slot of a credential-report row (``access_key_1_*`` or ``_2_*``)."""

    number: int
    active: bool
    #: when the key was created or last rotated; None when the report says ``N/A``
    last_rotated: datetime.datetime | None
    #: None when never used (``N/A``)
    last_used: datetime.datetime | None


@dataclass(frozen=True, slots=True)
class CredentialRow:
    """One row of an AWS credential report: a user's (or the root user's) credentials."""

    #: the user's ARN (``arn:aws:iam::ID:root`` for the root user)
    address: str
    origin: Origin
    user: str
    root: bool
    #: None for the root user (``not_supported``)
    password_enabled: bool | None
    #: None when never used or unknown (``N/A``, ``no_information``)
    password_last_used: datetime.datetime | None
    #: when the password was set; None when not applicable
    password_last_changed: datetime.datetime | None
    mfa_active: bool
    keys: tuple[KeyUse, ...]


@dataclass(frozen=True, slots=True)
class CredentialReport:
    """An AWS credential report: its rows and the time ages are counted from."""

    origin: Origin
    #: when AWS generated the report (``GeneratedTime``), or, for a bare CSV, the latest
    #: time in it (ages are then never overstated)
    generated: datetime.datetime
    #: False when :attr:`generated` is the latest time in the CSV, not AWS's own
    generated_known: bool
    rows: tuple[CredentialRow, ...]


@dataclass(frozen=True, slots=True)
class Reference:
    """A value of one element computed from an attribute of another resource.

    ``output "s" { value = aws_iam_access_key.k.secret }`` is
    ``Reference(origin=<output.s>, target="aws_iam_access_key.k", target_type=
    "aws_iam_access_key", attribute="secret")``.
    """

    #: the element holding the value, with the pointer of the receiving attribute
    origin: Origin
    target: str
    target_type: str
    attribute: str
    #: True when the receiving attribute stores the value encrypted (e.g. SecureString)
    into_encrypted: bool = False


#: plain data as read from an input: JSON-like, with Unknown for unresolved values
RawValue: TypeAlias = "str | int | float | bool | Unknown | tuple[RawValue, ...] | list[RawValue] | Mapping[str, RawValue] | None"  # noqa: E501


@dataclass(frozen=True, slots=True)
class ConfigBlock:
    """A block's literal configuration, kept for rules that search values (IAM101).

    Values may be secret: never print them, only their pointer.
    """

    #: ``"resource"``, ``"data"``, ``"provider"``, ``"variable"``, ``"parameter"`` ...
    kind: str
    #: resource type (``aws_lambda_function``), provider name, or ``""``
    type: str
    address: str
    origin: Origin
    values: Mapping[str, RawValue] = field(default_factory=dict)
