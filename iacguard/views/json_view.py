"""A stable JSON view of graph elements: what declarative (JMESPath) rules look at.

The view is part of the plugin API (``docs/writing-plugins.md`` documents every key):
keys are only added, in a new :data:`VIEW_VERSION`, never renamed or removed. Every key
is always present. A value that is unknown before apply is ``null``, and its path is
listed in the element's ``unknown`` list, so a rule can tell "unknown" from "absent"
(``null`` with no ``unknown`` entry, or an empty list).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final, TypeAlias

from iacguard.graph import Graph, outside_target
from iacguard.model import (
    ConfigBlock,
    EdgeKind,
    Origin,
    Policy,
    PolicyDocument,
    PolicyKind,
    Principal,
    PrincipalKind,
    PrincipalRef,
    RawValue,
    Statement,
    Unknown,
)

#: the version of the view's shape; bumped when keys are added
VIEW_VERSION: Final = 1

#: one element's view: plain JSON data
View: TypeAlias = dict[str, object]


@dataclass(frozen=True, slots=True)
class Target:
    """One element a declarative rule looks at."""

    #: where a finding about it is reported
    origin: Origin
    #: how messages name it (``role 'aws_iam_role.ci'``)
    label: str
    #: ``role``, ``managed``, ``statement``, or the resource type
    kind: str
    #: its name, or ``""`` when it has none or it is unknown
    name: str
    view: View


class _Unknowns:
    """Collects the paths of unknown values while a view is built."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def value(self, value: RawValue, path: str) -> object:
        """*value* as JSON data, with every :class:`Unknown` inside it made ``null``."""
        if isinstance(value, Unknown):
            self.paths.append(path)
            return None
        if isinstance(value, Mapping):
            return {str(k): self.value(v, f"{path}.{k}") for k, v in value.items()}
        if isinstance(value, tuple | list):
            return [self.value(v, f"{path}[{i}]") for i, v in enumerate(value)]
        return value


def _common(origin: Origin, unknowns: _Unknowns) -> View:
    return {
        "address": origin.address,
        "source": origin.source.value,
        "file": str(origin.location.file),
        "unknown": unknowns.paths,
    }


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


# --------------------------------------------------------------------------- policies


def _policy_ref(policy: Policy, unknowns: _Unknowns, path: str) -> View:
    return {
        "id": policy.id,
        "kind": policy.kind.value,
        "name": unknowns.value(policy.name, _at(path, "name")),
        "arn": unknowns.value(policy.arn, _at(path, "arn")),
        "resource_type": policy.resource_type,
    }


def _principal_refs(refs: Iterable[PrincipalRef], unknowns: _Unknowns, path: str) -> list[View]:
    return [
        {"kind": ref.kind, "value": unknowns.value(ref.value, f"{path}[{i}].value")}
        for i, ref in enumerate(refs)
    ]


def _statement(stmt: Statement, unknowns: _Unknowns, path: str) -> View:
    effect = stmt.effect
    if isinstance(effect, Unknown):
        unknowns.paths.append(_at(path, "effect"))
    return {
        "index": stmt.index,
        "sid": unknowns.value(stmt.sid, _at(path, "sid")),
        "effect": None if effect is None or isinstance(effect, Unknown) else effect.value,
        "actions": unknowns.value(stmt.actions, _at(path, "actions")),
        "not_actions": unknowns.value(stmt.not_actions, _at(path, "not_actions")),
        "resources": unknowns.value(stmt.resources, _at(path, "resources")),
        "not_resources": unknowns.value(stmt.not_resources, _at(path, "not_resources")),
        "principals": _principal_refs(stmt.principals, unknowns, _at(path, "principals")),
        "not_principals": _principal_refs(
            stmt.not_principals, unknowns, _at(path, "not_principals")
        ),
        "conditions": [
            {
                "operator": cond.operator,
                "key": cond.key,
                "values": unknowns.value(cond.values, _at(path, f"conditions[{i}].values")),
            }
            for i, cond in enumerate(stmt.conditions)
        ],
    }


def _statements(policy: Policy, unknowns: _Unknowns, path: str) -> list[View] | None:
    if not isinstance(policy.document, PolicyDocument):
        unknowns.paths.append(path)
        return None
    return [
        _statement(stmt, unknowns, f"{path}[{i}]")
        for i, stmt in enumerate(policy.document.statements)
    ]


def policy_view(graph: Graph, policy: Policy, origin: Origin) -> View:
    """A policy reported at *origin*: ``{id, kind, name, arn, resource_type,
    attached_to: [{address, kind, via}], statements: [...] | null, problems, ...}``."""
    unknowns = _Unknowns()
    view = _common(origin, unknowns)
    view |= _policy_ref(policy, unknowns, "")
    view["attached_to"] = [
        {"address": edge.target, "kind": _kind_of(graph, edge.target), "via": edge.kind.value}
        for edge in graph.edges_from(policy.id)
    ]
    document = policy.document
    view["problems"] = list(document.problems) if isinstance(document, PolicyDocument) else []
    view["statements"] = _statements(policy, unknowns, "statements")
    return view


def _kind_of(graph: Graph, node: str) -> str | None:
    principal = graph.principal(node)
    return principal.kind.value if principal else None


def statement_view(stmt: Statement, policy: Policy, origin: Origin) -> View:
    """A statement with its policy: ``{effect, actions, not_actions, resources,
    not_resources, principals: [{kind, value}], not_principals, conditions: [{operator,
    key, values}], sid, index, policy: {id, kind, name, arn, resource_type}, ...}``."""
    unknowns = _Unknowns()
    view = _common(origin, unknowns)
    view |= _statement(stmt, unknowns, "")
    view["policy"] = _policy_ref(policy, unknowns, "policy")
    return view


# --------------------------------------------------------------------------- principals


def _block(graph: Graph, address: str) -> ConfigBlock | None:
    """The first (for a plan: the planned values') configuration block at *address*."""
    return next((b for b in graph.config_blocks if b.address == address), None)


def _tags(block: ConfigBlock | None, unknowns: _Unknowns) -> object:
    if block is None:
        return {}
    raw = block.values.get("tags", block.values.get("Tags"))
    if isinstance(raw, tuple | list):  # CloudFormation: [{Key, Value}]
        pairs = [t for t in raw if isinstance(t, Mapping)]
        raw = {_text(t.get("Key")) or "?": t.get("Value") for t in pairs}
    if raw is None:
        return {}
    return unknowns.value(raw, "tags")


def _boundary(graph: Graph, principal: Principal, unknowns: _Unknowns) -> tuple[object, object]:
    """``(has_boundary, boundary)``: the boundary's policy id or ARN, or None."""
    for edge in graph.edges_to(principal.address, EdgeKind.BOUNDARY):
        return True, edge.source
    block = _block(graph, principal.address)
    values = block.values if block else {}
    raw = values.get("permissions_boundary", values.get("PermissionsBoundary"))
    if isinstance(raw, Unknown):
        unknowns.paths += ["has_boundary", "boundary"]
        return None, None
    if isinstance(raw, str) and raw:
        return True, raw
    if isinstance(raw, Mapping):  # an intrinsic function: set, value unresolved
        unknowns.paths.append("boundary")
        return True, None
    return False, None


def _members(graph: Graph, edges: Iterable[str], unknowns: _Unknowns, path: str) -> list[View]:
    refs: list[View] = []
    for node in dict.fromkeys(edges):
        outside = outside_target(node)
        if (found := graph.principal(node)) is not None:
            name = unknowns.value(found.name, f"{path}[{len(refs)}].name")
            refs.append({"address": found.address, "name": name})
        elif outside is not None and not outside.unknown:
            refs.append({"address": None, "name": outside.name})
        else:
            unknowns.paths.append(path)
    return refs


def principal_view(graph: Graph, principal: Principal) -> View:
    """A user, group or role: ``{address, kind, name, arn, has_boundary, boundary, tags,
    groups, members, policies: [{id, kind, name, arn, via}], trust, console_access,
    access_keys, ...}``."""
    unknowns = _Unknowns()
    address = principal.address
    view = _common(principal.origin, unknowns)
    view["kind"] = principal.kind.value
    view["name"] = unknowns.value(principal.name, "name")
    view["arn"] = unknowns.value(principal.arn, "arn")
    view["has_boundary"], view["boundary"] = _boundary(graph, principal, unknowns)
    view["tags"] = _tags(_block(graph, address), unknowns)
    member_of = (e.target for e in graph.edges_from(address, EdgeKind.MEMBER_OF))
    view["groups"] = _members(graph, member_of, unknowns, "groups")
    members = (e.source for e in graph.edges_to(address, EdgeKind.MEMBER_OF))
    view["members"] = _members(graph, members, unknowns, "members")
    view["policies"] = [
        _policy_ref(policy, unknowns, f"policies[{i}]") | {"via": edge.kind.value}
        for i, (policy, edge) in enumerate(graph.policies_of(principal))
    ]
    trust = graph.trust_policy_of(principal) if principal.kind is PrincipalKind.ROLE else None
    view["trust"] = (
        None
        if trust is None
        else {"id": trust.id, "statements": _statements(trust, unknowns, "trust.statements")}
    )
    view["console_access"] = any(lp.user == address for lp in graph.login_profiles)
    view["access_keys"] = [
        {"address": key.address, "active": unknowns.value(key.active, f"access_keys[{i}].active")}
        for i, key in enumerate(k for k in graph.access_keys if k.user == address)
    ]
    return view


# --------------------------------------------------------------------------- resources


def resource_view(block: ConfigBlock) -> View:
    """A configuration block: ``{address, kind, type, values, ...}``; ``values`` as
    configured (may hold secrets: never put them in a message)."""
    unknowns = _Unknowns()
    view = _common(block.origin, unknowns)
    view["kind"] = block.kind
    view["type"] = block.type
    view["values"] = unknowns.value(block.values, "values")
    return view


# --------------------------------------------------------------------------- targets


def principal_targets(graph: Graph, kinds: frozenset[str]) -> Iterator[Target]:
    """Principals of *kinds* (``user``, ``group``, ``role``; empty: all)."""
    for principal in graph.principals():
        if not kinds or principal.kind.value in kinds:
            name = _text(principal.name)
            view = principal_view(graph, principal)
            yield Target(principal.origin, principal.display, principal.kind.value, name, view)


def _sites(graph: Graph, policy: Policy) -> tuple[Origin, ...]:
    """Where a policy's findings go: itself, or each attachment of an AWS-managed one."""
    if policy.kind is not PolicyKind.AWS_MANAGED:
        return (policy.origin,)
    sites = dict.fromkeys(e.origin for e in graph.edges_from(policy.id, EdgeKind.ATTACHED))
    return tuple(sites) or (policy.origin,)


def policy_targets(graph: Graph, kinds: frozenset[str]) -> Iterator[Target]:
    """Policies of *kinds* (``inline``, ``managed``, ``aws-managed``, ``trust``,
    ``resource``; empty: all)."""
    for policy in graph.policies():
        if kinds and policy.kind.value not in kinds:
            continue
        label = f"{policy.kind.value} policy '{policy.id}'"
        for origin in _sites(graph, policy):
            view = policy_view(graph, policy, origin)
            yield Target(origin, label, policy.kind.value, _text(policy.name), view)


def statement_targets(graph: Graph, kinds: frozenset[str]) -> Iterator[Target]:
    """Statements of policies of *kinds* (as for :func:`policy_targets`)."""
    for policy in graph.policies():
        if (kinds and policy.kind.value not in kinds) or not isinstance(
            policy.document, PolicyDocument
        ):
            continue
        for site in _sites(graph, policy):
            for stmt in policy.document.statements:
                origin = stmt.origin if site == policy.origin else site
                label = f"statement {stmt.index} of {policy.kind.value} policy '{policy.id}'"
                view = statement_view(stmt, policy, origin)
                yield Target(origin, label, "statement", _text(stmt.sid), view)


def resource_targets(graph: Graph, types: frozenset[str]) -> Iterator[Target]:
    """Configuration blocks of *types* (``aws_s3_bucket``, ``AWS::S3::Bucket``; empty:
    all), one per address (for a plan: the planned values)."""
    seen: set[str] = set()
    for block in graph.config_blocks:
        if (types and block.type not in types) or block.address in seen:
            continue
        seen.add(block.address)
        label = f"{block.type or block.kind} '{block.address}'"
        yield Target(block.origin, label, block.type, "", resource_view(block))
