"""Privilege-escalation paths: the known paths (DataDog/pathfinding.cloud, Apache-2.0,
plus those rules.md adds) and which of them a principal's effective permissions contain,
on resources each step can use.

The paths are data shipped with iacguard: they are read once per process and never change
(:func:`escalation_paths`), which is loading, not remembering answers; the answers about a
scan's policies are kept in its :class:`~iacguard.analysis.matching.Matching`."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from iacguard.analysis.arn import reaches_unreserved, reserved_resources
from iacguard.analysis.conditions import admits_value, known
from iacguard.analysis.evaluate import EffectivePermissions
from iacguard.analysis.grants import Grant
from iacguard.analysis.matching import Matching
from iacguard.analysis.resources import ResourceSet, as_pattern
from iacguard.analysis.trust import ASSUME_ROLE, allows_assume
from iacguard.graph import Graph
from iacguard.model import Condition, PolicyDocument, Principal, PrincipalKind, Unknown

#: the path category whose passed role must trust the receiving service
NEW_PASSROLE: Final = "new-passrole"
_PASS_ROLE: Final = "iam:PassRole"
#: the condition key naming the service a role is passed to
_PASSED_TO_SERVICE: Final = "iam:PassedToService"
#: paths that act on other principals: a grant limited to the caller itself does not count
PRINCIPAL_ACCESS: Final = "principal-access"
_ASSUME_ROLE: Final = ASSUME_ROLE.lower()
#: the role name of a role ARN (after an optional path)
#: (an ARN resolved from a reference is a glob over its partition and account)
_ROLE_ARN: Final = re.compile(r"^arn:aws[a-z*-]*:iam::[0-9*?]*:role/(?:.*/)?(?P<name>[^/]+)$")


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
    #: Deny statements with a condition that name a step: when their condition holds,
    #: the path is closed (rules.md: such a Deny removes nothing for certain)
    denies: tuple[Grant, ...] = ()

    def explain(self) -> str:
        """``iam-008 (iam:AttachUserPolicy from policy 'x')``."""
        parts = [f"{action} from {sources_of(grants)}" for action, grants in self.steps]
        roles = f", passing {', '.join(r.display for r in self.roles)}" if self.roles else ""
        return f"{self.path.id} ({'; '.join(parts)}{roles})"

    def open_conditions(self, action: str, grant: Grant) -> tuple[Condition, ...]:
        """The conditions of *grant* that this path does not settle: all of them but, on
        the ``iam:PassRole`` step, an ``iam:PassedToService`` condition that lets a role
        go to the path's service (the path passes it there, so it holds)."""
        if action != _PASS_ROLE:
            return grant.statement.conditions
        return tuple(
            condition
            for condition in grant.statement.conditions
            if condition.key_lower != _PASSED_TO_SERVICE.lower()
            or not any(
                admits_value([condition], _PASSED_TO_SERVICE, service) is True
                for service in self.path.passed_role_trusts
            )
        )


@functools.cache
def escalation_paths() -> tuple[EscalationPath, ...]:
    """The shipped escalation paths (``iacguard/data/privesc-paths.json``), read once per
    process: immutable data, the same for every scan."""
    import json
    from importlib import resources

    raw = json.loads((resources.files("iacguard") / "data" / "privesc-paths.json").read_bytes())
    return (
        tuple(
            EscalationPath(
                str(item["id"]),
                str(item["name"]),
                str(item["category"]),
                tuple(str(a) for a in item["required"]),
                tuple(str(s) for s in item["passed_role_trusts"]),
            )
            for item in raw["paths"]
        )
        + EXTRA_PATHS
    )


#: paths rules.md adds to the shipped data (IAM306)
EXTRA_PATHS: Final = (
    EscalationPath(
        "iam-set-default-policy-version",
        "Make an older, broader version of a customer-managed policy the default",
        "self-escalation",
        ("iam:SetDefaultPolicyVersion",),
        (),
    ),
)


def _usable(matching: Matching, action: str) -> ResourceSet | None:
    """The resources *action* can act on, as a question for :meth:`decide`; None for an
    action the catalog does not know (then any resource is asked about)."""
    globs = matching.usable_resources(action)
    return None if globs is None else ResourceSet(globs)


@functools.cache
def _path_services() -> tuple[frozenset[str], ...]:
    """The (lower-case) services of each path's actions, in :func:`escalation_paths` order
    (computed once per process from the shipped paths, like them immutable)."""
    return tuple(
        frozenset(a.partition(":")[0].lower() for a in path.required) for path in escalation_paths()
    )


def match_paths(
    graph: Graph, perms: EffectivePermissions, matching: Matching
) -> Iterator[PathMatch]:
    """The escalation paths *perms* contain, each action granted on resources the path
    can use (:func:`~iacguard.analysis.arn.usable_resources`: ``iam:CreatePolicyVersion``
    on customer-managed policies, not on ``arn:aws:iam::aws:policy/*``), other than the
    resources no customer can act on with it
    (:func:`~iacguard.analysis.arn.reserved_resources`: ``iam:PutRolePolicy`` on
    service-linked roles, ``arn:aws:iam::*:role/aws-service-role/*``). Undetermined
    ones (an unknown document or value might break them) are left out unless the
    principal's result is partial: then they are given, and callers must check
    :attr:`EffectivePermissions.partial`. A path whose only step is ``sts:AssumeRole``
    is not matched here: assuming roles is the chain clause of IAM306."""
    allowed = perms.allowed_services()
    for path, services in zip(escalation_paths(), _path_services(), strict=True):
        if allowed is not None and not services <= allowed:
            continue  # some action of the path is surely not allowed
        if path.required == (ASSUME_ROLE,):
            continue
        steps: list[tuple[str, tuple[Grant, ...]]] = []
        denies: dict[Grant, None] = {}
        undetermined = False
        for action in path.required:
            if not perms.may_allow(action):
                break  # decided without reading the action's resource types
            usable = _usable(matching, action)
            decision = perms.decide(action, usable)
            denies.update(dict.fromkeys(decision.conditional_denies))
            grants, reserved = _unreserved(decision.allowed_by, action, usable)
            grants, unsure = _useful(grants, path, action.lower())
            if action == _PASS_ROLE and path.passed_role_trusts:
                grants = tuple(g for g in grants if _may_pass_to(g, path))
            if not grants:
                break
            undetermined = undetermined or decision.undetermined or reserved or unsure
            steps.append((action, grants))
        else:
            roles: tuple[Principal, ...] = ()
            if path.category == NEW_PASSROLE:
                passable = _passable_roles(graph, path, dict(steps).get(_PASS_ROLE, ()))
                if passable is None or passable is False:
                    continue
                roles = () if passable is True else passable
            if not undetermined or perms.partial:
                yield PathMatch(path, tuple(steps), roles, tuple(denies))


def _unreserved(
    grants: tuple[Grant, ...], action: str, usable: ResourceSet | None
) -> tuple[tuple[Grant, ...], bool]:
    """The grants that name a resource *action* can use beyond the reserved ones (a
    role-policy action on service-linked roles changes nothing).

    :returns: the grants, and True when only grants whose unknown resources decide it are
        kept (an unknown resource might be a customer role).
    """
    reserved = reserved_resources(action)
    if not reserved or usable is None:
        return grants, False
    verdicts = [(grant, _names_unreserved(grant, usable, reserved)) for grant in grants]
    sure = tuple(grant for grant, verdict in verdicts if verdict)
    unsure = tuple(grant for grant, verdict in verdicts if verdict is None)
    return (sure, False) if sure else (unsure, bool(unsure))


def _names_unreserved(grant: Grant, usable: ResourceSet, reserved: tuple[str, ...]) -> bool | None:
    """Whether *grant* names a usable resource that is not reserved; None when only an
    unresolved resource could. ``NotResource`` names everything but a list, which leaves
    customer roles named whenever it leaves any role (the evaluator asked that)."""
    statement = grant.statement
    if statement.uses_not_resource:
        return True
    resources = [as_pattern(r) for r in known(statement.resources)]
    if reaches_unreserved(resources, usable.globs, reserved, grant.memo.matching.relations):
        return True
    return None if len(resources) < len(statement.resources) else False


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
    """True when a resource may name several roles: a wildcard in its name part (one
    role's ARN resolved from a reference has wildcards only in partition and account)."""
    for resource in known(grant.statement.resources):
        match = _ROLE_ARN.match(resource)
        name = match["name"] if match else resource
        if "*" in name or "?" in name:
            return True
    return False


def _may_pass_to(grant: Grant, path: EscalationPath) -> bool:
    """False when *grant*'s ``iam:PassedToService`` condition lets no role go to the
    services of *path* (AmazonDynamoDBFullAccess passes roles to DAX and Application
    Auto Scaling only, not to Lambda)."""
    conditions = grant.statement.conditions
    return any(
        admits_value(conditions, _PASSED_TO_SERVICE, service) is not False
        for service in path.passed_role_trusts
    )


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


def sources_of(grants: tuple[Grant, ...]) -> str:
    """The distinct policies of *grants*, described."""
    return ", ".join(dict.fromkeys(g.source.describe() for g in grants))
