"""Predicates and message helpers over policy documents, shared by the IAM3xx checks.

Every predicate follows the rule catalog's treatment of unresolved values: an
:class:`~iacguard.model.Unknown` element is never ``"*"`` and never matches a pattern, so it
never makes a rule fire, and it never proves a statement safe either.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Final, TypeAlias

from iacguard._text import first_few
from iacguard.analysis.grants import names_action
from iacguard.budget import WorkBudget
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


def allowed_matching(
    statement: Statement,
    action: str,
    matches: Callable[[str, str], bool] = action_pattern_matches,
) -> list[str]:
    """The patterns by which an ``Allow`` *statement* grants the concrete *action*.

    With ``NotAction`` every action not excluded is granted: the result is then
    ``["NotAction"]``, unless an excluded pattern (or an unresolved one) might cover it.

    :param matches: how a pattern is matched with an action; a check passes the scan's
        memoised :attr:`~iacguard.analysis.matching.Matching.action_matches`.
    """
    if not statement.is_allow or not names_action(statement, action, matches):
        return []  # an unresolved NotAction entry might be the action itself
    if statement.uses_not_action:
        return ["NotAction"]
    return [p for p in literal(statement.actions) if matches(p, action)]


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


def suggestion(
    catalog: ActionCatalog,
    pattern: str,
    budget: WorkBudget | None = None,
    verbs: dict[str, VerbIndex] | None = None,
) -> str | None:
    """A real action close to a *pattern* that matches nothing, for messages; None when
    no action is close by the pattern's own name.

    Close means: an action of the same service with the same verb (the first word,
    ``Get`` of ``GetObject``) or a verb one typo away, and a noun (the rest) a typo or
    two away: ``s3:GetObjct`` is ``s3:GetObject``, while ``s3:PutBucketEncryption`` (the
    API's name; the permission is ``s3:PutEncryptionConfiguration``) suggests nothing.
    A service prefix one letter off with the very same action name counts too
    (``ec3:RunInstances`` is ``ec2:RunInstances``). The work is bounded: each service's
    names are indexed by verb once, at most :data:`_MAX_CANDIDATES` names of similar
    length are looked at, a name whose letters alone differ too much
    (:func:`letters_apart`) is passed over, and each comparison spends from the scan's
    *budget* (a policy can name thousands of distinct unknown actions).

    :param budget: the scan's work budget (None: a fresh default one).
    :param verbs: the verb indexes made so far, by lower-case service: the caller keeps
        one table for its run, so that each service is indexed once (None: a fresh one).
    :raises WorkBudgetExhausted: the budget is spent.
    """
    budget = budget or WorkBudget()
    verbs = {} if verbs is None else verbs
    service, separator, name = pattern.partition(":")
    if not separator or not service or not name:
        return None
    if not catalog.has_service(service):
        # only a service that has the action: "ec3:RunInstances" is ec2's, not ecs's
        services = catalog.services()
        budget.spend(len(services), "IAM310 suggestions")
        close = sorted(
            (distance, other)
            for other in services
            if (distance := typo_distance(service.lower(), other, 1)) <= 1
        )
        candidates = (f"{other}:{name}" for _, other in close)
        return next((c for c in candidates if catalog.matches_anything(c)), None)
    if "*" in name or "?" in name:
        return None
    index = verbs.get(service.lower())
    if index is None:
        index = verbs[service.lower()] = _verb_index(catalog, service.lower())
    lowered = name.lower()
    limit = 1 if len(lowered) <= _SHORT_NAME else 2
    guesses = [(verb, lowered[len(verb) :], 0) for verb in index if lowered.startswith(verb)]
    written = _verb(name).lower()
    if written and written not in index:  # a typo in the verb itself: "GteObject"
        budget.spend(len(index), "IAM310 suggestions")
        for verb in index:
            cost = typo_distance(written, verb, 1)
            if cost <= 1:
                guesses.append((verb, lowered[len(written) :], cost))
    best: tuple[int, str] | None = None
    for verb, noun, cost in guesses:
        similar = [
            (other, full_name)
            for other, full_name in index[verb]
            if abs(len(other) - len(noun)) <= limit - cost
        ]
        for other, full_name in similar[:_MAX_CANDIDATES]:
            budget.spend(1 + len(noun) + len(other), "IAM310 suggestions")
            if letters_apart(noun, other) > limit - cost:
                continue
            budget.spend(len(noun) * len(other) // 4, "IAM310 suggestions")
            distance = cost + typo_distance(noun, other, limit - cost)
            if distance <= limit and (best is None or (distance, full_name) < best):
                best = (distance, full_name)
    return best[1] if best else None


#: names up to this length (verb and noun) allow one typo, longer ones two
_SHORT_NAME: Final = 8
#: how many names of one verb a suggestion compares at most
_MAX_CANDIDATES: Final = 64
#: the verb of an action name: its first word (``Get``, ``Describe``, ``API``, ``upload``)
_VERB: Final = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?=[A-Z][a-z]|$)")


def _verb(name: str) -> str:
    match = _VERB.match(name)
    return match.group(0) if match else ""


#: lower-case verb -> (lower-case noun, full name) of each action of one service
VerbIndex: TypeAlias = Mapping[str, tuple[tuple[str, str], ...]]


def _verb_index(catalog: ActionCatalog, service: str) -> VerbIndex:
    """Lower-case verb -> (lower-case noun, full name) of each action of *service*."""
    index: dict[str, list[tuple[str, str]]] = {}
    for info in catalog.expand(f"{service}:*"):
        verb = _verb(info.name)
        index.setdefault(verb.lower(), []).append((info.name[len(verb) :].lower(), info.full_name))
    return {verb: tuple(names) for verb, names in index.items()}


def letters_apart(first: str, second: str) -> int:
    """A lower bound of :func:`typo_distance` computed in linear time: the letters one
    string has more of than the other (each typo changes that count by one at most)."""
    ahead, behind = Counter(first), Counter(second)
    return max((ahead - behind).total(), (behind - ahead).total())


def typo_distance(first: str, second: str, limit: int) -> int:
    """The number of typos (a letter added, dropped, replaced, or two neighbours swapped)
    between two strings; any number above *limit* is returned as ``limit + 1``."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i]
        for j, b in enumerate(second, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


# --------------------------------------------------------------------------- messages


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
    return first_few(list(items), limit, show=lambda item: f"'{item}'")


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
