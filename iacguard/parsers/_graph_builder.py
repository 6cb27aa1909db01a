"""The one graph builder every format mapper calls: IAM verbs over :class:`GraphBuilder`.

A mapper (Terraform, CloudFormation, the account snapshot) translates its format's
shape into these verbs; how principals and policies are found by name, ARN or
reference, which ids stand for nodes the input does not define, and which edge each
relation is, are written here once.

Node ids:

- a principal or a policy resource: its address in the input (plan address, logical
  ID, ARN in a snapshot);
- a document written inside a larger resource: ``ADDRESS#PART`` (:func:`embedded_id`);
- an AWS-managed policy: its ARN;
- a principal or policy named but not defined in the input:
  :func:`~iacguard.graph.external_id` / :func:`~iacguard.graph.external_policy_id`; one
  known only after apply: :func:`~iacguard.graph.unknown_id` /
  :func:`~iacguard.graph.unknown_policy_id`.

Edges run from the policy to the principal it governs (``ATTACHED``, ``INLINE``,
``BOUNDARY``, ``TRUSTS``), from the user to the group (``MEMBER_OF``) and from the role
to the instance profile (``IN_PROFILE``). The same edge twice is kept once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from iacguard.graph import (
    GraphBuilder,
    external_id,
    external_policy_id,
    unknown_id,
    unknown_policy_id,
)
from iacguard.managed_policies import aws_managed_document, is_aws_managed_arn
from iacguard.model import (
    AccessKey,
    EdgeKind,
    MaybeStr,
    Origin,
    Policy,
    PolicyDocument,
    PolicyKind,
    Principal,
    PrincipalKind,
    RawValue,
    Unknown,
)
from iacguard.parsers._policy_document import parse_policy


def principal_name(name_or_arn: str) -> str:
    """The name a principal is given by: the last segment of an ARN, else *name_or_arn*."""
    return name_or_arn.rsplit("/", 1)[-1] if name_or_arn.startswith("arn:") else name_or_arn


def embedded_id(address: str, part: str) -> str:
    """The node id of the document written in *part* of the resource at *address*
    (``aws_iam_role.ci#assume_role_policy``, ``Role#Policies[0]``)."""
    return f"{address}#{part}"


@dataclass(slots=True)
class IamGraphBuilder(GraphBuilder):
    """A :class:`GraphBuilder` with the IAM verbs the mappers call.

    Nodes are added first (a mapper's first pass), so that relations added afterwards
    find them by name, ARN or reference. Of two principals (or customer-managed
    policies) with one name, the one added last is the one found.
    """

    _principals_by_name: dict[tuple[PrincipalKind, str], str] = field(
        default_factory=dict, init=False, repr=False
    )
    _policies_by_arn: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _policies_by_name: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    #: the readings of the policy texts of this input (see :meth:`read_policy`)
    _readings: dict[str, PolicyDocument] = field(default_factory=dict, init=False, repr=False)

    def read_policy(self, value: object, origin: Origin) -> PolicyDocument | Unknown:
        """:func:`~iacguard.parsers._policy_document.parse_policy`, reading each policy
        text of the input once (large configurations repeat the same documents)."""
        return parse_policy(value, origin, self._readings)

    # ------------------------------------------------------------------ nodes

    def add_principal(self, principal: Principal) -> None:
        """Add *principal* (unless its address is taken); later relations find it by
        its name when the name is known."""
        GraphBuilder.add_principal(self, principal)
        if isinstance(principal.name, str):
            self._principals_by_name[(principal.kind, principal.name)] = principal.address

    def add_managed_policy(self, policy: Policy) -> None:
        """Add a customer-managed *policy* the input defines; attachments find it by its
        ARN or its name when they are known."""
        self.add_policy(policy)
        if isinstance(policy.arn, str):
            self._policies_by_arn[policy.arn] = policy.id
        if isinstance(policy.name, str):
            self._policies_by_name[policy.name] = policy.id

    def add_aws_managed_policy(
        self, arn: str, origin: Origin, document_origin: Origin | None = None
    ) -> str:
        """Add the AWS-managed policy *arn* once, evaluated by its shipped content
        (Unknown when the shipped set does not have it); return its node id, *arn*.

        :param origin: the element that brings the policy in (the first attachment).
        :param document_origin: where the document's statements are placed; *origin* if None.
        """
        if arn in self.policies:  # attached again: the document was parsed already
            return arn
        raw = aws_managed_document(arn)
        document: PolicyDocument | Unknown = (
            Unknown(f"AWS-managed policy {arn} (not in the shipped policy set)")
            if raw is None
            else self.read_policy(raw, document_origin or origin)
        )
        name = arn.rsplit("/", 1)[-1]
        self.add_policy(Policy(arn, PolicyKind.AWS_MANAGED, name, document, origin, arn))
        return arn

    def add_inline_policy(
        self,
        policy_id: str,
        name: MaybeStr | None,
        document: PolicyDocument | Unknown,
        origin: Origin,
    ) -> None:
        """Add an inline policy defined as a resource of its own; its holders are linked
        by :meth:`hold_inline`."""
        self.add_policy(Policy(policy_id, PolicyKind.INLINE, name, document, origin))

    def add_resource_policy(
        self, address: str, resource_type: str, document: PolicyDocument | Unknown, origin: Origin
    ) -> None:
        """Add the resource-based policy of the *resource_type* resource at *address*."""
        policy = Policy(address, PolicyKind.RESOURCE, None, document, origin, None, resource_type)
        self.add_policy(policy)

    def embed_inline_policy(
        self,
        holder: str,
        part: str,
        name: MaybeStr | None,
        document: PolicyDocument | Unknown,
        origin: Origin,
        *,
        link_origin: Origin,
        reason: str,
        written_at: str | None = None,
    ) -> str:
        """Add an inline policy written inside a resource and held by *holder*; return its
        node id, ``ADDRESS#PART`` with *written_at* (default: *holder*) as the address.

        :param origin: the resource that holds the document (the policy node's origin).
        :param link_origin: the element that embeds it (the ``INLINE`` edge's origin).
        """
        policy_id = embedded_id(written_at or holder, part)
        self.add_inline_policy(policy_id, name, document, origin)
        self.hold_inline(policy_id, [holder], link_origin, reason)
        return policy_id

    def add_trust_policy(
        self, role: str, part: str, document: PolicyDocument | Unknown, origin: Origin, reason: str
    ) -> str:
        """Add the trust policy written in *part* of *role* (node id ``ROLE#PART``) and
        the ``TRUSTS`` edge to the role, both with *origin*; return the policy's id."""
        policy_id = embedded_id(role, part)
        self.add_policy(Policy(policy_id, PolicyKind.TRUST, None, document, origin))
        self.link(policy_id, role, EdgeKind.TRUSTS, origin, reason)
        return policy_id

    # ------------------------------------------------------------------ relations

    def attach(
        self, policies: Sequence[str], principals: Sequence[str], origin: Origin, reason: str
    ) -> None:
        """Attach each of *policies* to each of *principals* (node ids), policy by policy."""
        self._link_all(policies, principals, EdgeKind.ATTACHED, origin, reason)

    def hold_inline(
        self, policy_id: str, holders: Iterable[str], origin: Origin, reason: str
    ) -> None:
        """Make the inline policy *policy_id* a policy of each of *holders*."""
        self._link_all([policy_id], list(holders), EdgeKind.INLINE, origin, reason)

    def set_boundary(
        self, policies: Iterable[str], principal: str, origin: Origin, reason: str
    ) -> None:
        """Make *policies* (usually one) the permission boundary of *principal*."""
        self._link_all(policies, [principal], EdgeKind.BOUNDARY, origin, reason)

    def add_members(
        self, users: Iterable[str], groups: Sequence[str], origin: Origin, reason: str
    ) -> None:
        """Make each of *users* a member of each of *groups*, user by user."""
        self._link_all(users, groups, EdgeKind.MEMBER_OF, origin, reason)

    def add_to_instance_profile(
        self, roles: Iterable[str], profile: str, origin: Origin, reason: str
    ) -> None:
        """Put *roles* in the instance profile *profile* (a node id that is no principal)."""
        self._link_all(roles, [profile], EdgeKind.IN_PROFILE, origin, reason)

    def _link_all(
        self,
        sources: Iterable[str],
        targets: Sequence[str],
        kind: EdgeKind,
        origin: Origin,
        reason: str,
    ) -> None:
        """An edge of *kind* from each of *sources* to each of *targets*, source by source."""
        for source in sources:
            for target in targets:
                self.link(source, target, kind, origin, reason)

    def add_access_key(
        self,
        address: str,
        origin: Origin,
        users: Sequence[str],
        status: RawValue,
        *,
        status_attribute: str,
        encrypted: bool,
    ) -> None:
        """Add the access key at *address*, of the one user among *users* (see
        :meth:`sole_principal`): active unless *status* is ``Inactive``; a status not
        known before apply (not a string) gives Unknown ``ADDRESS.STATUS_ATTRIBUTE``.

        :param encrypted: a PGP key encrypts the secret.
        """
        active: bool | Unknown = (
            status != "Inactive"
            if isinstance(status, str) or status is None
            else Unknown(f"{address}.{status_attribute}")
        )
        user = self.sole_principal(users, PrincipalKind.USER, address)
        self.access_keys.append(AccessKey(address, origin, user, active, encrypted))

    # ------------------------------------------------------------------ finding nodes

    def principal_named(self, kind: PrincipalKind, name_or_arn: str) -> str:
        """The node id of the principal of *kind* a name or ARN names: the input's own,
        else :func:`~iacguard.graph.external_id` (an empty name gives
        ``external:KIND:``, someone unnamed)."""
        name = principal_name(name_or_arn)
        return self._principals_by_name.get((kind, name), external_id(kind, name))

    def is_principal(self, address: str, kind: PrincipalKind) -> bool:
        """True when *address* is a principal of *kind* already added."""
        principal = self.principals.get(address)
        return principal is not None and principal.kind is kind

    @staticmethod
    def unknown_principal(kind: PrincipalKind, expr: str) -> str:
        """The id of a principal of *kind* known only after apply, written as *expr*."""
        return unknown_id(kind, expr)

    def sole_principal(self, targets: Sequence[str], kind: PrincipalKind, address: str) -> str:
        """The principal a record at *address* (a key, a login profile) belongs to: the
        one of *targets*, or when there are none or several an unknown one of *kind*."""
        return targets[0] if len(targets) == 1 else unknown_id(kind, address)

    def policy_named(
        self, arn_or_name: str, origin: Origin, document_origin: Origin | None = None
    ) -> str:
        """The node id of the policy an ARN (or a name) names: an AWS-managed policy
        (added now, see :meth:`add_aws_managed_policy`), the input's own by ARN then by
        name, else :func:`~iacguard.graph.external_policy_id` (content unknown)."""
        if is_aws_managed_arn(arn_or_name):
            return self.add_aws_managed_policy(arn_or_name, origin, document_origin)
        if arn_or_name in self._policies_by_arn:
            return self._policies_by_arn[arn_or_name]
        name = arn_or_name.rsplit("/", 1)[-1]
        if name in self._policies_by_name:
            return self._policies_by_name[name]
        return external_policy_id(arn_or_name)

    def is_policy(self, address: str) -> bool:
        """True when *address* is a policy already added."""
        return address in self.policies

    @staticmethod
    def unknown_policy(expr: str) -> str:
        """The id of an attached policy known only after apply, written as *expr*."""
        return unknown_policy_id(expr)
