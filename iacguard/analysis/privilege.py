"""Who is privileged, and why: administrator access, escalation paths, permissions
management on ``*`` (rules.md "Privileged", IAM306)."""

from __future__ import annotations

import functools
import itertools
import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from iacguard.analysis.conditions import known
from iacguard.analysis.evaluate import Decision, EffectivePermissions, Grant
from iacguard.analysis.trust import allows_assume
from iacguard.catalog import AccessLevel, ActionInfo
from iacguard.graph import Graph
from iacguard.model import PolicyDocument, Principal, PrincipalKind, Unknown

#: the path category whose passed role must trust the receiving service
NEW_PASSROLE: Final = "new-passrole"
#: paths that act on other principals: a grant limited to the caller itself does not count
PRINCIPAL_ACCESS: Final = "principal-access"
_PASS_ROLE: Final = "iam:passrole"
_ASSUME_ROLE: Final = "sts:assumerole"
#: the role name of a role ARN (after an optional path)
_ROLE_ARN: Final = re.compile(r"^arn:aws[a-z-]*:iam::[0-9*?]*:role/(?:.*/)?(?P<name>[^/]+)$")
#: names of reading actions (``backup:ListIndexedRecoveryPointsForSearch`` is labelled
#: "Permissions management" in the catalog)
_READ_VERBS: Final = ("get", "list", "describe", "search", "view", "batchget")
#: access levels from the most to the least significant
LEVEL_ORDER: Final = (
    AccessLevel.PERMISSIONS_MANAGEMENT,
    AccessLevel.WRITE,
    AccessLevel.TAGGING,
    AccessLevel.READ,
    AccessLevel.LIST,
)
#: how many paths a message names before summarising the rest
_SHOWN: Final = 3


@dataclass(frozen=True, slots=True)
class EscalationPath:
    """One known privilege-escalation path (DataDog/pathfinding.cloud, Apache-2.0)."""

    id: str
    name: str
    category: str
    #: every action the path needs, as written in the data
    required: tuple[str, ...]
    #: for new-passrole paths: service principals one of which the passed role must trust
    passed_role_trusts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PathMatch:
    """A path a principal can take: each required action with the statements granting it."""

    path: EscalationPath
    steps: tuple[tuple[str, tuple[Grant, ...]], ...]
    #: for new-passrole paths limited to configured roles: the roles that can be passed
    roles: tuple[Principal, ...] = ()

    def explain(self) -> str:
        """``iam-008 (iam:AttachUserPolicy from policy 'x')``."""
        parts = [f"{action} from {_sources(grants)}" for action, grants in self.steps]
        roles = f", passing {', '.join(r.display for r in self.roles)}" if self.roles else ""
        return f"{self.path.id} ({'; '.join(parts)}{roles})"


@dataclass(frozen=True, slots=True)
class Privilege:
    """Why a principal is privileged (rules.md: admin, escalation, or permissions
    management on ``*``); at least one field is non-empty."""

    admin: tuple[Grant, ...] = ()
    paths: tuple[PathMatch, ...] = ()
    permissions_management: tuple[Decision, ...] = ()

    def reason(self) -> str:
        """One phrase saying why, naming the policies."""
        if self.admin:
            return f"'*' on '*' from {_sources(self.admin)}"
        if self.permissions_management:
            first = self.permissions_management[0]
            more = " ..." if len(self.permissions_management) > 1 else ""
            return (
                f"permissions management on '*': '{first.action}'{more} from "
                f"{_sources(first.allowed_by)}"
            )
        return f"escalation path {self.paths[0].explain()}"


def _sources(grants: tuple[Grant, ...]) -> str:
    """The distinct policies of *grants*, described."""
    return ", ".join(dict.fromkeys(g.source.describe() for g in grants))


@functools.cache
def escalation_paths() -> tuple[EscalationPath, ...]:
    """The shipped escalation paths (``iacguard/data/privesc-paths.json``), read once."""
    import json
    from importlib import resources

    raw = json.loads((resources.files("iacguard") / "data" / "privesc-paths.json").read_bytes())
    return tuple(
        EscalationPath(
            str(item["id"]),
            str(item["name"]),
            str(item["category"]),
            tuple(str(a) for a in item["required"]),
            tuple(str(s) for s in item["passed_role_trusts"]),
        )
        for item in raw["paths"]
    )


def matching_paths(graph: Graph, perms: EffectivePermissions) -> tuple[PathMatch, ...]:
    """The escalation paths *perms* contain (computed once per principal). Undetermined
    ones (an unknown document or value might break them) are left out unless the
    principal's result is partial: then they are given, and callers must check
    :attr:`EffectivePermissions.partial`."""
    found = _MATCHES.get(perms)
    if found is None:
        found = tuple(_match_paths(graph, perms))
        _MATCHES[perms] = found
    return found


#: matching_paths results, kept while the principal's permissions are
_MATCHES: weakref.WeakKeyDictionary[EffectivePermissions, tuple[PathMatch, ...]] = (
    weakref.WeakKeyDictionary()
)


@functools.cache
def _path_services() -> tuple[frozenset[str], ...]:
    """The (lower-case) services of each path's actions, in :func:`escalation_paths` order."""
    return tuple(
        frozenset(a.partition(":")[0].lower() for a in path.required) for path in escalation_paths()
    )


def _match_paths(graph: Graph, perms: EffectivePermissions) -> Iterator[PathMatch]:
    allowed = perms.allowed_services()
    for path, services in zip(escalation_paths(), _path_services(), strict=True):
        if allowed is not None and not services <= allowed:
            continue  # some action of the path is surely not allowed
        steps: list[tuple[str, tuple[Grant, ...]]] = []
        undetermined = False
        for action in path.required:
            decision = perms.decide(action)
            grants, unsure = _useful(decision.allowed_by, path, action.lower())
            if not grants:
                break
            undetermined = undetermined or decision.undetermined or unsure
            steps.append((action, grants))
        else:
            roles: tuple[Principal, ...] = ()
            if path.category == NEW_PASSROLE:
                passable = _passable_roles(graph, path, dict(steps).get("iam:PassRole", ()))
                if passable is None or passable is False:
                    continue
                roles = () if passable is True else passable
            if not undetermined or perms.partial:
                yield PathMatch(path, tuple(steps), roles)


def _useful(
    grants: tuple[Grant, ...], path: EscalationPath, action: str
) -> tuple[tuple[Grant, ...], bool]:
    """The grants that serve *path*: a grant on the caller itself cannot reach another
    principal, and assuming one named role is delegation, not escalation.

    :returns: the grants, and True when only grants whose unknown resources decide it
        serve the path (an unknown resource might be the caller, or one named role).
    """
    if path.category != PRINCIPAL_ACCESS:
        return grants, False
    verdicts = [(grant, _reaches_others(grant, action)) for grant in grants]
    sure = tuple(grant for grant, verdict in verdicts if verdict)
    unsure = tuple(grant for grant, verdict in verdicts if verdict is None)
    return (sure, False) if sure else (unsure, bool(unsure))


def _reaches_others(grant: Grant, action: str) -> bool | None:
    """Whether *grant* reaches a principal other than the caller (for ``sts:AssumeRole``:
    more than the roles it names); None when an unresolved resource decides."""
    if action != _ASSUME_ROLE:
        self_only = grant.self_only
        return None if self_only is None else not self_only
    if grant.on_any_resource or _has_wildcard(grant):
        return True
    return None if any(isinstance(r, Unknown) for r in grant.statement.resources) else False


def _has_wildcard(grant: Grant) -> bool:
    return any("*" in r or "?" in r for r in known(grant.statement.resources))


def _passable_roles(
    graph: Graph, path: EscalationPath, grants: tuple[Grant, ...]
) -> tuple[Principal, ...] | bool | None:
    """Which roles the PassRole *grants* can pass to the path's service.

    :returns: True when any role can be passed (a wildcard resource); the configured roles
        that trust the service; False when none does; None when it cannot be told (an
        unknown value, or a role that is not in the configuration).
    """
    if any(g.on_any_resource or _has_wildcard(g) for g in grants):
        return True
    roles: dict[Principal, None] = {}
    undecided = False
    for grant in grants:
        for resource in grant.statement.resources:
            match = _ROLE_ARN.match(resource) if isinstance(resource, str) else None
            role = _role_named(graph, match["name"]) if match else None
            verdict = None if role is None else _trusts_service(graph, role, path)
            if verdict and role is not None:
                roles[role] = None
            undecided = undecided or verdict is None
    if roles:
        return tuple(roles)
    return None if undecided else False


def _role_named(graph: Graph, name: str) -> Principal | None:
    return next((r for r in graph.principals(PrincipalKind.ROLE) if r.name == name), None)


def _trusts_service(graph: Graph, role: Principal, path: EscalationPath) -> bool | None:
    """Whether *role*'s trust policy lets one of the path's services assume it."""
    wanted = {s.lower() for s in path.passed_role_trusts}
    trust = graph.trust_policy_of(role)
    if trust is None or not isinstance(trust.document, PolicyDocument):
        return None
    undecided = False
    for statement in trust.document.statements:
        services = [r.value for r in statement.principals if r.kind.lower() == "service"]
        if not services or not allows_assume(statement):
            continue
        if not wanted or any(isinstance(v, str) and v.lower() in wanted for v in services):
            return True
        undecided = undecided or any(isinstance(v, Unknown) for v in services)
    return None if undecided else False


def privilege(graph: Graph, perms: EffectivePermissions) -> Privilege | None:
    """Why *perms* make their principal privileged, or None when they do not (or when
    only an unknown part could)."""
    admin = perms.admin_grants()
    if admin:
        return Privilege(admin=admin)
    if perms.partial:
        return None
    decisions = (d for d in permissions_management_on_any(perms) if not d.undetermined)
    managed = tuple(itertools.islice(decisions, _SHOWN))
    paths = tuple(matching_paths(graph, perms))
    if managed or paths:
        return Privilege(paths=paths, permissions_management=managed)
    return None


def permissions_management_on_any(perms: EffectivePermissions) -> Iterator[Decision]:
    """Decisions allowing a "Permissions management" action on ``Resource: "*"``,
    lazily: a caller that needs only the first stops the expansion there."""
    seen: set[str] = set()
    for grant in perms.grants:
        if not grant.is_allow or not grant.on_any_resource:
            continue
        for info in perms.actions_of(grant, manages_permissions):
            key = info.full_name.lower()
            if key in seen:
                continue
            seen.add(key)
            decision = perms.decide(info.full_name)
            if any(g.on_any_resource for g in decision.allowed_by):
                yield decision


def manages_permissions(info: ActionInfo) -> bool:
    """True for a "Permissions management" action (see :func:`primary_level`)."""
    return primary_level(info) is AccessLevel.PERMISSIONS_MANAGEMENT


def primary_level(info: ActionInfo) -> AccessLevel:
    """The most significant access level of *info* (Permissions management, Write,
    Tagging, Read, List). Reads the catalog also labels "Permissions management"
    (``billing:GetResourcePolicy``) count as what else they are: they change nothing."""
    reads = info.name.lower().startswith(_READ_VERBS)
    for level in LEVEL_ORDER:
        if level in info.access_levels and not (reads and level is LEVEL_ORDER[0]):
            return level
    return next(iter(info.access_levels))
