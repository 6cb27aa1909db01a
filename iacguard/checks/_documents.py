"""Predicates and message helpers over policy documents, shared by the IAM3xx checks.

Every predicate follows the rule catalog's treatment of unresolved values: an
:class:`~iacguard.model.Unknown` element is never ``"*"`` and never matches a pattern, so it
never makes a rule fire, and it never proves a statement safe either.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import Final

from iacguard.analysis.grants import names_action
from iacguard.catalog import AccessLevel, ActionCatalog, ActionInfo, action_pattern_matches
from iacguard.graph import DocumentSite, Graph
from iacguard.model import EdgeKind, Origin, Pointer, PolicyDocument, PolicyKind, Statement

#: documents written in the scanned configuration that grant permissions to a principal
AUTHORED_IDENTITY: Final = (PolicyKind.INLINE, PolicyKind.MANAGED)
#: every document written in the configuration (AWS-managed content is AWS's to fix)
AUTHORED: Final = (*AUTHORED_IDENTITY, PolicyKind.TRUST, PolicyKind.RESOURCE)

#: access levels that change resources (IAM303)
WRITE_LEVELS: Final = frozenset(
    {AccessLevel.WRITE, AccessLevel.PERMISSIONS_MANAGEMENT, AccessLevel.TAGGING}
)
#: the action IAM307 is about
PASS_ROLE: Final = "iam:PassRole"
#: credential and data-exfiltration actions (IAM308): each returns secret material or hands
#: out credentials of another identity, and each can be scoped to a resource.  rules.md names
#: the first group; the others are the same access through a sibling API.  Actions that only
#: accept ``Resource: "*"`` are excluded, as rules.md excludes ``ecr:GetAuthorizationToken``:
#: ``secretsmanager:BatchGetSecretValue`` still needs ``GetSecretValue`` on each secret.
SECRET_READS: Final = (
    # named in rules.md
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "ssm:GetParameterHistory",
    "kms:Decrypt",
    "s3:GetObject",
    "iam:CreateAccessKey",
    "sts:GetFederationToken",
    # equivalents: an object's older versions, console passwords, service credentials
    "s3:GetObjectVersion",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
)
#: how many offending actions a message names before summarising the rest
_SHOWN: Final = 3


# --------------------------------------------------------------------------- statements


def literal(values: Iterable[object]) -> list[str]:
    """The resolved strings among *values*, in order (Unknown elements dropped)."""
    return [value for value in values if isinstance(value, str)]


def on_any_resource(statement: Statement) -> bool:
    """True when ``Resource`` lists the bare ``*`` (``NotResource`` never counts)."""
    return statement.covers_all_resources


def every_resource_label(statement: Statement) -> str:
    """How messages name a ``Resource`` as broad as ``*``: ``'*'``, or the entries."""
    return "'*'" if on_any_resource(statement) else quoted(literal(statement.resources))


def allows_everything(statement: Statement) -> bool:
    """True for an ``Allow`` of action ``*`` on resource ``*``, whatever its conditions."""
    return statement.is_allow and statement.allows_all_actions and on_any_resource(statement)


def grants_admin(document: PolicyDocument) -> bool:
    """True when any statement of *document* allows everything (IAM301 subsumes others)."""
    return any(allows_everything(statement) for statement in document.statements)


def allowed_matching(statement: Statement, action: str) -> list[str]:
    """The patterns by which an ``Allow`` *statement* grants the concrete *action*.

    With ``NotAction`` every action not excluded is granted: the result is then
    ``["NotAction"]``, unless an excluded pattern (or an unresolved one) might cover it.
    """
    if not statement.is_allow or not names_action(statement, action):
        return []  # an unresolved NotAction entry might be the action itself
    if statement.uses_not_action:
        return ["NotAction"]
    return [p for p in literal(statement.actions) if action_pattern_matches(p, action)]


def service_of(pattern: str) -> str | None:
    """The lower-case service prefix of ``service:action``; None for ``*`` or malformed."""
    service, separator, name = pattern.partition(":")
    return service.lower() if separator and service and name else None


def write_actions(catalog: ActionCatalog, patterns: Iterable[str]) -> list[ActionInfo]:
    """The resource-scopable Write, Permissions-management and Tagging actions *patterns*
    grant, without repeats.  ``*`` is never expanded: on ``Resource: "*"`` it is IAM301's."""
    found: dict[str, ActionInfo] = {}
    for pattern in patterns:
        if pattern == "*":
            continue
        for info in catalog.expand(pattern):
            if info.supports_resource_level and info.access_levels & WRITE_LEVELS:
                found.setdefault(info.full_name, info)
    return list(found.values())


def grants_iam_wide_write(catalog: ActionCatalog, document: PolicyDocument) -> bool:
    """True when the ``Allow`` statements on ``*`` of *document* together grant every IAM
    Permissions-management action: whoever holds it can rewrite any policy.

    Only patterns of the ``iam`` service are expanded (``*`` is IAM301's).
    """
    patterns = [
        pattern
        for statement in document.statements
        if statement.is_allow and on_any_resource(statement) and not statement.uses_not_action
        for pattern in literal(statement.actions)
        if service_of(pattern) == "iam"
    ]
    granted = {info.full_name for pattern in patterns for info in catalog.expand(pattern)}
    wanted = [
        info.full_name
        for info in catalog.expand("iam:*")
        if AccessLevel.PERMISSIONS_MANAGEMENT in info.access_levels
    ]
    return bool(wanted) and granted.issuperset(wanted)


def suggestion(catalog: ActionCatalog, pattern: str) -> str | None:
    """A real action or service close to a *pattern* that matches nothing, for messages."""
    service, separator, name = pattern.partition(":")
    if not separator or not service:
        return None
    if not catalog.has_service(service):
        # only a service that has the action: "ec3:RunInstances" is ec2's, not ecs's
        close = difflib.get_close_matches(service.lower(), catalog.services(), n=5)
        candidates = (f"{other}:{name}" for other in close)
        return next((c for c in candidates if catalog.matches_anything(c)), None)
    if "*" in name or "?" in name:
        return None
    actions = {info.name.lower(): info.full_name for info in catalog.expand(f"{service}:*")}
    close = difflib.get_close_matches(name.lower(), list(actions), n=1)
    return actions[close[0]] if close else None


# --------------------------------------------------------------------------- messages


def describe(site: DocumentSite) -> str:
    """How messages name a document: by its name (``policy 'deploy'``), or, when it has
    none (not given, empty, or known only after apply), by the address it is written at
    (``policy 'aws_iam_policy.deploy'``, ``trust policy of 'aws_iam_role.ci'``), never
    as a bare ``policy`` or ``policy ''``."""
    label = site.describe()
    name = site.policy.name
    if (isinstance(name, str) and name) or site.policy.kind is PolicyKind.AWS_MANAGED:
        return label
    address = site.policy.origin.address
    # a document embedded in a larger resource (a role's trust policy or inline block)
    return f"{label} '{address}'" if site.policy.id == address else f"{label} of '{address}'"


def anchor(site: DocumentSite) -> Origin:
    """Where a finding about *site* points: the document inside its resource (so that
    ``("Statement", i)`` pointers lead into it), or the attachment for AWS-managed policies.
    """
    origin = site.document.origin
    if site.policy.kind is PolicyKind.AWS_MANAGED or origin.address != site.origin.address:
        return site.origin
    return origin


def pointer_from(statement: Statement, origin: Origin) -> Pointer:
    """The pointer of *statement* relative to *origin*, the element a finding is reported
    at (``("assume_role_policy", "Statement", 0)`` for a role)."""
    inner = statement.origin.pointer
    if (
        statement.origin.address == origin.address
        and inner[: len(origin.pointer)] == origin.pointer
    ):
        return inner[len(origin.pointer) :]
    return ("Statement", statement.index)


def statement_label(statement: Statement) -> str:
    """``statement 2 ('DeployAnything')``: 1-based number, and the Sid when there is one."""
    sid = f" ('{statement.sid}')" if isinstance(statement.sid, str) and statement.sid else ""
    return f"statement {statement.index + 1}{sid}"


def quoted(items: Iterable[str], limit: int = _SHOWN) -> str:
    """``'a', 'b', 'c' and 2 more``: the first *limit* items of a list, quoted."""
    items = list(items)
    shown = ", ".join(f"'{item}'" for item in items[:limit])
    rest = len(items) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown


def attached_to(graph: Graph, site: DocumentSite) -> str:
    """`` to role 'aws_iam_role.x'``: the principals an AWS-managed *site* attaches to,
    when they are in the graph; empty otherwise."""
    targets = dict.fromkeys(
        edge.target
        for edge in graph.edges_from(site.policy.id, EdgeKind.ATTACHED)
        if edge.origin.address == site.origin.address and edge.origin == site.origin
    )
    names = [p.display for t in targets if (p := graph.principal(t)) is not None]
    return f" to {', '.join(names)}" if names else ""


def authored_sites(graph: Graph, *kinds: PolicyKind) -> Iterator[DocumentSite]:
    """Document sites of the configuration's own documents (AWS-managed ones excluded)."""
    yield from graph.document_sites(*(kinds or AUTHORED))
