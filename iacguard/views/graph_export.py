"""``iacguard graph``: the IAM graph as Graphviz DOT, Mermaid or JSON, for drawing."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final, TextIO

from iacguard.analysis.analyzer import Analyzer
from iacguard.analysis.conditions import requires_mfa
from iacguard.analysis.matching import Matching
from iacguard.analysis.trust import Admits, allows_assume, read_aws_principal
from iacguard.catalog import ActionCatalog
from iacguard.graph import Graph
from iacguard.model import (
    EdgeKind,
    PolicyDocument,
    PolicyKind,
    PrincipalKind,
    PrincipalRef,
)
from iacguard.report._escape import defuse_json, visible
from iacguard.views.access import AccessInput

#: version of the JSON export's shape
SCHEMA_VERSION: Final = 1
#: DOT node shapes per node kind
_SHAPES: Final = {
    "user": "ellipse",
    "group": "box3d",
    "role": "hexagon",
    "policy": "note",
    "trusted": "oval",
    "external": "oval",
    "unknown": "oval",
}


class GraphFormat(Enum):
    """The export formats of ``iacguard graph``."""

    DOT = "dot"
    MERMAID = "mermaid"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class Node:
    """A drawn node: a principal, a policy, or a principal named in a trust policy."""

    id: str
    #: user, group, role, policy, trusted (named in a trust policy), external
    kind: str
    label: str
    #: policy kind or resource type, for policies
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """A drawn edge; *kind* is the graph's edge kind or ``can-assume``."""

    source: str
    target: str
    kind: str
    label: str = ""


def write_graph(
    inputs: Sequence[AccessInput], stream: TextIO, fmt: GraphFormat, catalog: ActionCatalog
) -> None:
    """Write the IAM graphs of *inputs* to *stream* in *fmt*, sorted and deterministic.

    Nodes: principals, policies (inline, managed, AWS-managed, trust, resource) and the
    principals trust policies name. Edges: attachments, inline policies, group
    membership, boundaries, trust policies, and ``can-assume``: from each principal of
    the configuration that can assume a role (rules.md "Can assume": by ARN, by
    reference, or by account or ``*`` with its own ``sts:AssumeRole`` permission), and
    from each other principal a trust names (services, other accounts, federated
    providers); labelled with how, and ``MFA`` when required.
    With several inputs, node ids are prefixed with the input's number.
    """
    nodes: dict[str, Node] = {}
    links: dict[Link, None] = {}
    matching = Matching(catalog)  # the memo tables of this export, shared by its inputs
    for number, item in enumerate(inputs):
        prefix = f"{number}:" if len(inputs) > 1 else ""
        for node in _nodes(item.graph):
            nodes.setdefault(prefix + node.id, _prefixed(node, prefix))
        for link in _links(Analyzer(item.graph, catalog, matching=matching)):
            links[Link(prefix + link.source, prefix + link.target, link.kind, link.label)] = None
    for link in links:
        for end in (link.source, link.target):
            kind, _, rest = end.removeprefix(_input_prefix(end)).partition(":")
            kind = kind if kind in {"trusted", "external", "unknown"} else "external"
            nodes.setdefault(end, Node(end, kind, rest or end))
    ordered = sorted(nodes.values(), key=lambda n: n.id)
    edges = sorted(links, key=lambda e: (e.source, e.target, e.kind, e.label))
    {GraphFormat.DOT: _dot, GraphFormat.MERMAID: _mermaid, GraphFormat.JSON: _json}[fmt](
        ordered, edges, stream
    )


def _input_prefix(node_id: str) -> str:
    """The ``3:`` input prefix of a node id, or empty."""
    number, colon, _ = node_id.partition(":")
    return f"{number}:" if colon and number.isdigit() else ""


def _prefixed(node: Node, prefix: str) -> Node:
    return Node(prefix + node.id, node.kind, node.label, node.detail)


def _nodes(graph: Graph) -> Iterator[Node]:
    for principal in graph.principals():
        yield Node(principal.address, principal.kind.value, principal.address)
    for policy in graph.policies():
        label = policy.name if isinstance(policy.name, str) and policy.name else policy.id
        detail = policy.resource_type or policy.kind.value
        if policy.kind is PolicyKind.RESOURCE:
            label = f"{label} ({policy.origin.address})" if label != policy.id else label
        yield Node(policy.id, "policy", label, detail)


def _links(analyzer: Analyzer) -> Iterator[Link]:
    graph = analyzer.graph
    for edge in graph.edges():
        if edge.kind is EdgeKind.IN_PROFILE:
            continue
        yield Link(edge.source, edge.target, edge.kind.value, edge.reason)
    for role in graph.principals(PrincipalKind.ROLE):
        for assumed in analyzer.assume.edges_into(role):
            mfa = " (MFA)" if assumed.needs_mfa else ""
            yield Link(
                assumed.source.address, role.address, "can-assume", f"{assumed.how.value}{mfa}"
            )
        trust = graph.trust_policy_of(role)
        if trust is None or not isinstance(trust.document, PolicyDocument):
            continue
        for statement in trust.document.statements:
            if not allows_assume(statement):
                continue
            mfa = " (MFA)" if requires_mfa(statement.conditions) else ""
            actions = ", ".join(a for a in statement.actions if isinstance(a, str)) or "NotAction"
            for ref in statement.principals:
                if _names_configured(graph, ref):
                    continue
                source = f"trusted:{ref.kind}:{ref.value}"
                yield Link(source, role.address, "can-assume", f"{actions}{mfa}")


def _names_configured(graph: Graph, ref: PrincipalRef) -> bool:
    """True when *ref* names a user or role of the configuration (its can-assume edge
    comes from the analysis)."""
    if ref.kind.upper() != "AWS":
        return False
    admission = read_aws_principal(ref.value)
    if admission is None:
        return False
    if admission.how is Admits.REFERENCE and admission.ref is not None:
        return graph.principal(admission.ref.address) is not None
    if admission.how is Admits.ARN and admission.kind is not None:
        return any(p.name == admission.name for p in graph.principals(admission.kind))
    return False


# --------------------------------------------------------------------------- formats


def _json(nodes: list[Node], edges: list[Link], stream: TextIO) -> None:
    document = {
        "schema_version": SCHEMA_VERSION,
        "nodes": [
            {"id": n.id, "kind": n.kind, "label": n.label, "detail": n.detail} for n in nodes
        ],
        "edges": [
            {"source": e.source, "target": e.target, "kind": e.kind, "label": e.label}
            for e in edges
        ],
    }
    stream.write(defuse_json(json.dumps(document, indent=2, sort_keys=True)))
    stream.write("\n")


def _dot_text(*lines: str) -> str:
    """A DOT double-quoted string; *lines* are joined with DOT's ``\\n`` line break.

    Control characters in a line show as escapes (:func:`visible`), so a name cannot
    break the file's lines, and ``##[`` as ``#&#35;[`` (a Graphviz character entity),
    so no line reads as a CI workflow command.
    """
    escaped = (
        visible(line).replace("\\", "\\\\").replace('"', '\\"').replace("##[", "#&#35;[")
        for line in lines
    )
    return '"' + "\\n".join(escaped) + '"'


def _dot(nodes: list[Node], edges: list[Link], stream: TextIO) -> None:
    stream.write('digraph iam {\n  rankdir=LR;\n  node [fontname="Helvetica"];\n')
    for node in nodes:
        label = _dot_text(node.label, f"[{node.detail or node.kind}]")
        shape = _SHAPES.get(node.kind, "oval")
        stream.write(f"  {_dot_text(node.id)} [label={label}, shape={shape}];\n")
    for edge in edges:
        label = edge.kind if not edge.label else f"{edge.kind}: {edge.label}"
        stream.write(f"  {_dot_text(edge.source)} -> {_dot_text(edge.target)} ")
        stream.write(f"[label={_dot_text(label)}];\n")
    stream.write("}\n")


def _mermaid_text(text: str) -> str:
    """Mermaid label text inside double quotes: entity codes for quotes and for the
    ``#`` of ``##[`` (no line reads as a CI workflow command), control characters as
    escapes (:func:`visible`)."""
    text = visible(" ".join(text.split("\n")))
    return text.replace("#", "#35;").replace('"', "#quot;")


def _mermaid(nodes: list[Node], edges: list[Link], stream: TextIO) -> None:
    ids = {node.id: f"n{index}" for index, node in enumerate(nodes)}
    stream.write("flowchart LR\n")
    for node in nodes:
        label = _mermaid_text(f"{node.label} [{node.detail or node.kind}]")
        shape = ("([", "])") if node.kind in {"user", "trusted", "external"} else ("[", "]")
        stream.write(f'  {ids[node.id]}{shape[0]}"{label}"{shape[1]}\n')
    for edge in edges:
        label = _mermaid_text(edge.kind if not edge.label else f"{edge.kind}: {edge.label}")
        stream.write(f'  {ids[edge.source]} -->|"{label}"| {ids[edge.target]}\n')
