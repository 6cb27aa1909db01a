"""The IAM graph: principals, policies and the typed edges between them, read-only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final, final

from iacguard.model import (
    AccessKey,
    ConfigBlock,
    CredentialReport,
    Edge,
    EdgeKind,
    LambdaPermission,
    LoginProfile,
    MfaDevice,
    OidcProvider,
    Origin,
    PasswordPolicy,
    Policy,
    PolicyDocument,
    PolicyKind,
    Principal,
    PrincipalKind,
    Reference,
    Trail,
)

#: how messages name a policy of each kind
_POLICY_LABELS: Final = {
    PolicyKind.INLINE: "inline policy",
    PolicyKind.MANAGED: "policy",
    PolicyKind.AWS_MANAGED: "AWS-managed policy",
    PolicyKind.TRUST: "trust policy",
    PolicyKind.RESOURCE: "resource policy",
}


def external_id(kind: PrincipalKind, name: str) -> str:
    """Edge target for a principal named in the input but not defined in it."""
    return f"external:{kind.value}:{name}"


def unknown_id(kind: PrincipalKind, expr: str) -> str:
    """Edge target for a principal that cannot be resolved before apply."""
    return f"unknown:{kind.value}:{expr}"


def external_policy_id(arn: str) -> str:
    """Edge source for a customer-managed policy referenced by ARN but not defined in
    the input: attached, but of unknown content."""
    return f"external:policy:{arn}"


def unknown_policy_id(expr: str) -> str:
    """Edge source for an attached policy that cannot be resolved before apply."""
    return f"unknown:policy:{expr}"


@dataclass(frozen=True, slots=True)
class OutsideNode:
    """A node that the input names but does not define, read from its id (made by
    :func:`external_id`, :func:`unknown_id` or their policy twins)."""

    #: True for a node only known after apply (an expression), False for one defined
    #: elsewhere (a name or ARN)
    unknown: bool
    #: ``user``, ``group``, ``role`` or ``policy``
    kind: str
    #: the name or ARN, or for an unknown node the expression
    name: str

    def describe(self) -> str:
        """``group 'ops' (defined elsewhere)``, ``user known after apply ('var.x')``."""
        if self.unknown:
            return f"{self.kind} known after apply ('{self.name}')"
        return f"{self.kind} '{self.name}' (defined elsewhere)"


def outside_target(node: str) -> OutsideNode | None:
    """Read an id made by :func:`external_id`, :func:`unknown_id` (or their policy
    twins); None for any other node id. The one place such ids are read."""
    prefix, _, rest = node.partition(":")
    if prefix not in {"external", "unknown"}:
        return None
    kind, _, name = rest.partition(":")
    return OutsideNode(prefix == "unknown", kind, name)


def target_kind(node: str, graph: Graph) -> PrincipalKind | None:
    """The principal kind of an edge target, whether defined, external or unknown."""
    principal = graph.principal(node)
    if principal is not None:
        return principal.kind
    outside = outside_target(node)
    if outside is None:
        return None
    return next((k for k in PrincipalKind if k.value == outside.kind), None)


@dataclass(frozen=True, slots=True)
class DocumentSite:
    """A policy document together with the element its findings are reported at.

    A document defined in the configuration has one site, itself. An AWS-managed policy
    has one site per attachment: it is the attachment that brings it in.
    """

    policy: Policy
    document: PolicyDocument
    origin: Origin

    def describe(self) -> str:
        """How messages name a document: by its name (``policy 'deploy'``), or, when it has
        none (not given, empty, or known only after apply), by the address it is written at
        (``policy 'aws_iam_policy.deploy'``, ``trust policy of 'aws_iam_role.ci'``), never
        as a bare ``policy`` or ``policy ''``."""
        policy = self.policy
        label = _POLICY_LABELS[policy.kind]
        if isinstance(policy.name, str) and policy.name:
            return f"{label} '{policy.name}'"
        if policy.kind is PolicyKind.AWS_MANAGED:
            return label
        address = policy.origin.address
        # a document embedded in a larger resource (a role's trust policy or inline block)
        return f"{label} '{address}'" if policy.id == address else f"{label} of '{address}'"


@final
class Graph:
    """The IAM graph of one input (a plan, an HCL directory, a template).

    Built by :class:`GraphBuilder`, immutable afterwards. Every query returns tuples in
    insertion order, so checks that iterate it are deterministic.
    """

    def __init__(self, builder: GraphBuilder) -> None:
        self._principals = dict(builder.principals)
        self._policies = dict(builder.policies)
        self._edges = tuple(builder.edges)
        self.access_keys: tuple[AccessKey, ...] = tuple(builder.access_keys)
        self.login_profiles: tuple[LoginProfile, ...] = tuple(builder.login_profiles)
        self.mfa_devices: tuple[MfaDevice, ...] = tuple(builder.mfa_devices)
        self.oidc_providers: tuple[OidcProvider, ...] = tuple(builder.oidc_providers)
        self.lambda_permissions: tuple[LambdaPermission, ...] = tuple(builder.lambda_permissions)
        self.password_policies: tuple[PasswordPolicy, ...] = tuple(builder.password_policies)
        self.trails: tuple[Trail, ...] = tuple(builder.trails)
        self.credential_reports: tuple[CredentialReport, ...] = tuple(builder.credential_reports)
        self.references: tuple[Reference, ...] = tuple(builder.references)
        self.config_blocks: tuple[ConfigBlock, ...] = tuple(builder.config_blocks)
        self._out: dict[str, list[Edge]] = defaultdict(list)
        self._in: dict[str, list[Edge]] = defaultdict(list)
        for edge in self._edges:
            self._out[edge.source].append(edge)
            self._in[edge.target].append(edge)

    # ----------------------------------------------------------------- nodes

    def principals(self, kind: PrincipalKind | None = None) -> tuple[Principal, ...]:
        """Every principal, or those of one *kind*."""
        return tuple(p for p in self._principals.values() if kind is None or p.kind is kind)

    def principal(self, address: str) -> Principal | None:
        """The principal with node id *address*, if it is in the graph."""
        return self._principals.get(address)

    def policies(self, kind: PolicyKind | None = None) -> tuple[Policy, ...]:
        """Every policy, or those of one *kind*."""
        return tuple(p for p in self._policies.values() if kind is None or p.kind is kind)

    def policy(self, policy_id: str) -> Policy | None:
        """The policy with node id *policy_id*, if it is in the graph."""
        return self._policies.get(policy_id)

    # ----------------------------------------------------------------- edges

    def edges(self, kind: EdgeKind | None = None) -> tuple[Edge, ...]:
        """Every edge, or those of one *kind*."""
        return tuple(e for e in self._edges if kind is None or e.kind is kind)

    def edges_from(self, node: str, kind: EdgeKind | None = None) -> tuple[Edge, ...]:
        """Edges leaving *node* (a node id), optionally of one *kind*."""
        return tuple(e for e in self._out.get(node, ()) if kind is None or e.kind is kind)

    def edges_to(self, node: str, kind: EdgeKind | None = None) -> tuple[Edge, ...]:
        """Edges arriving at *node* (a node id), optionally of one *kind*."""
        return tuple(e for e in self._in.get(node, ()) if kind is None or e.kind is kind)

    # ----------------------------------------------------------------- typed queries

    def policies_of(self, principal: Principal) -> tuple[tuple[Policy, Edge], ...]:
        """Identity policies held directly by *principal* (attached or inline), with the
        edge that binds each one. Group policies of a user are not included: see
        :meth:`groups_of`."""
        bound = self.edges_to(principal.address, EdgeKind.ATTACHED)
        bound += self.edges_to(principal.address, EdgeKind.INLINE)
        return tuple((self._policies[e.source], e) for e in bound if e.source in self._policies)

    def groups_of(self, user: Principal) -> tuple[Principal, ...]:
        """The groups defined in the graph that *user* is a member of, without repeats."""
        targets = dict.fromkeys(e.target for e in self.edges_from(user.address, EdgeKind.MEMBER_OF))
        return tuple(self._principals[t] for t in targets if t in self._principals)

    def trust_policy_of(self, role: Principal) -> Policy | None:
        """The trust policy of *role*, if the input defines one."""
        for edge in self.edges_to(role.address, EdgeKind.TRUSTS):
            return self._policies.get(edge.source)
        return None

    def trusted_role_of(self, trust_policy: Policy) -> Principal | None:
        """The role governed by *trust_policy*."""
        for edge in self.edges_from(trust_policy.id, EdgeKind.TRUSTS):
            return self._principals.get(edge.target)
        return None

    def unresolved_policies_of(self, principal: Principal) -> tuple[Edge, ...]:
        """Attachments to *principal* of policies whose content is not in the graph
        (defined elsewhere, or unknown until apply): its permissions are incomplete."""
        edges = self.edges_to(principal.address, EdgeKind.ATTACHED)
        return tuple(e for e in edges if e.source not in self._policies)

    def has_boundary(self, principal: Principal) -> bool:
        """True when *principal* has a permission boundary, defined in the graph or not."""
        return bool(self.edges_to(principal.address, EdgeKind.BOUNDARY))

    def boundary_of(self, principal: Principal) -> Policy | None:
        """The permission boundary of *principal*, when it is a policy in the graph."""
        for edge in self.edges_to(principal.address, EdgeKind.BOUNDARY):
            return self._policies.get(edge.source)
        return None

    def document_sites(self, *kinds: PolicyKind) -> Iterator[DocumentSite]:
        """Every known policy document (of the given *kinds*, default all) with the
        element to report it at: the policy itself, or for AWS-managed policies each
        attachment that brings it in. Unknown documents are skipped."""
        for policy in self._policies.values():
            if kinds and policy.kind not in kinds:
                continue
            if not isinstance(policy.document, PolicyDocument):
                continue
            if policy.kind is not PolicyKind.AWS_MANAGED:
                yield DocumentSite(policy, policy.document, policy.origin)
                continue
            sites = dict.fromkeys(e.origin for e in self.edges_from(policy.id, EdgeKind.ATTACHED))
            for origin in sites:
                yield DocumentSite(policy, policy.document, origin)


@dataclass(slots=True)
class GraphBuilder:
    """Collects nodes, edges and records; :meth:`build` freezes them.

    Parsers build through the IAM verbs of its subclass
    :class:`~iacguard.parsers._graph_builder.IamGraphBuilder`; this plain store serves
    code that copies or hand-makes a graph (account context, tests).

    Adding a principal or policy with an id already present keeps the first one (an
    AWS-managed policy attached twice is one node).
    """

    principals: dict[str, Principal] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)
    #: insertion-ordered set of edges
    edges: dict[Edge, None] = field(default_factory=dict)
    access_keys: list[AccessKey] = field(default_factory=list)
    login_profiles: list[LoginProfile] = field(default_factory=list)
    mfa_devices: list[MfaDevice] = field(default_factory=list)
    oidc_providers: list[OidcProvider] = field(default_factory=list)
    lambda_permissions: list[LambdaPermission] = field(default_factory=list)
    password_policies: list[PasswordPolicy] = field(default_factory=list)
    trails: list[Trail] = field(default_factory=list)
    credential_reports: list[CredentialReport] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    config_blocks: list[ConfigBlock] = field(default_factory=list)

    def add_principal(self, principal: Principal) -> None:
        """Add *principal* unless its address is taken."""
        self.principals.setdefault(principal.address, principal)

    def add_policy(self, policy: Policy) -> None:
        """Add *policy* unless its id is taken."""
        self.policies.setdefault(policy.id, policy)

    def link(self, source: str, target: str, kind: EdgeKind, origin: Origin, reason: str) -> None:
        """Add an edge; repeated identical edges are kept once."""
        self.edges[Edge(source, target, kind, origin, reason)] = None

    def build(self) -> Graph:
        """Freeze what was collected into a :class:`Graph`."""
        return Graph(self)
