"""What a change does to access: two graphs of the same inputs, compared per principal
through the analysis layer (:class:`~iacguard.analysis.analyzer.Analyzer`), so that the
diff and ``check`` never disagree on who may do what.

A principal is known by its input and its address: a replaced resource keeps its address
and is compared as one principal; a deleted one has nothing after, a created one had
nothing before. Grants are compared as (action, resource, condition) triples, the
action expanded through the action catalog (``s3:Get*`` to ``s3:GetObject`` ...) and kept
only when no Deny takes it away; a statement over every action (``*``, ``NotAction``) is
one triple with its written action. A triple whose statement has a part unknown until
apply, and a policy known only after apply, is "may gain": never dropped, never certain.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from iacguard.analysis.analyzer import Analyzer
from iacguard.analysis.evaluate import EffectivePermissions
from iacguard.analysis.grants import Grant
from iacguard.analysis.privilege import LEVEL_ORDER, Privilege, primary_level
from iacguard.catalog import ActionCatalog
from iacguard.graph import Graph
from iacguard.model import Condition, PolicyDocument, Principal, PrincipalKind, Statement, Unknown
from iacguard.results import Finding


@dataclass(frozen=True, slots=True, order=True)
class Access:
    """One permission: an action on a resource, under conditions."""

    #: the catalog's ``service:Name``, or the written pattern of a statement over every
    #: action (``*``, ``every action except iam:*``)
    action: str
    #: a resource pattern as written (``*``, an ARN); ``every resource except ...`` for
    #: ``NotResource``; ``(known after apply)`` for an unknown one
    resource: str
    #: the conditions as written (operator, key and values), "" for none
    condition: str = ""
    #: the access level (``Write``, ``Permissions management`` ...); "" for a statement
    #: over every action
    level: str = ""

    @property
    def service(self) -> str:
        """The service prefix, ``*`` for a statement over every service."""
        service, found, _ = self.action.partition(":")
        return service if found and " " not in self.action else "*"


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why a principal is privileged, in the words of :class:`Privilege`."""

    #: ``administrator``, ``escalation path``, ``permissions management`` or ``chain``
    kind: str
    #: the reason as ``iacguard access`` and the checks give it
    reason: str
    #: the escalation path IDs its own permissions hold (``lambda-001``)
    paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class Assumer:
    """Someone who may assume a role: a principal of the inputs, or a trust entry."""

    #: a principal's display name, or a trust entry (``AWS arn:aws:iam::...:root``)
    who: str
    #: how: ``by reference``, ``by ARN``, ``by account``, ``by '*'``; for a trust entry,
    #: ``trusted``, ``trusted (another account)``, ``trusted (anyone)``, or
    #: ``trusted (account 111122223333)`` when the role's own account is not known
    how: str
    condition: str = ""
    #: the address of the principal; "" for a trust entry
    address: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class PrincipalChange:
    """What a change does to one principal's access."""

    input: str
    address: str
    #: ``user``, ``group`` or ``role``
    kind: str
    #: ``added``, ``removed`` or ``changed``
    status: str
    gained: tuple[Access, ...] = ()
    lost: tuple[Access, ...] = ()
    #: grants and policies that depend on values known only after apply
    may_gain: tuple[str, ...] = ()
    becomes_privileged: Verdict | None = None
    stops_privileged: Verdict | None = None
    new_assumers: tuple[Assumer, ...] = ()
    lost_assumers: tuple[Assumer, ...] = ()

    @property
    def empty(self) -> bool:
        """True when nothing about the principal's access changes."""
        return not (
            self.gained
            or self.lost
            or self.may_gain
            or self.becomes_privileged
            or self.stops_privileged
            or self.new_assumers
            or self.lost_assumers
        )


@dataclass(frozen=True, slots=True)
class AccessDiff:
    """The whole change: principals whose access changes, and findings."""

    principals: tuple[PrincipalChange, ...]
    new_findings: tuple[Finding, ...]
    resolved_findings: tuple[Finding, ...]

    @property
    def empty(self) -> bool:
        """True when the change adds and removes nothing."""
        return not (self.principals or self.new_findings or self.resolved_findings)

    @property
    def newly_privileged(self) -> tuple[PrincipalChange, ...]:
        """The principals that become privileged."""
        return tuple(p for p in self.principals if p.becomes_privileged is not None)


def finding_key(finding: Finding) -> tuple[str, str]:
    """How a finding is recognised on both sides: its fingerprint (rule, resource,
    pointer) and the directory of its file, never a line number."""
    return (finding.location.file.parent.as_posix(), finding.fingerprint)


def compare(
    before: Mapping[str, Analyzer],
    after: Mapping[str, Analyzer],
    before_findings: Iterable[Finding],
    after_findings: Iterable[Finding],
    catalog: ActionCatalog,
) -> AccessDiff:
    """The :class:`AccessDiff` from graphs *before* to *after*, each given by its
    analysis (input name -> the :class:`Analyzer` of its graph, normally the one its
    scan's checks used, so that nothing is evaluated twice).

    :param before_findings: the findings of the graphs before, with which those after
        are matched (:func:`finding_key`).
    :param catalog: the action catalog every analyzer reads.
    :raises ValueError: an analyzer reads another catalog.
    """
    if any(a.catalog is not catalog for a in (*before.values(), *after.values())):
        raise ValueError("the compared analyzers read another action catalog")
    changes: list[PrincipalChange] = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        changes += _principal_changes(name, old, new)
    old_findings = list(before_findings)
    new_findings = list(after_findings)
    old_keys = {finding_key(f) for f in old_findings}
    new_keys = {finding_key(f) for f in new_findings}
    return AccessDiff(
        tuple(changes),
        tuple(f for f in new_findings if finding_key(f) not in old_keys),
        tuple(f for f in old_findings if finding_key(f) not in new_keys),
    )


def _principal_changes(
    name: str, old: Analyzer | None, new: Analyzer | None
) -> Iterator[PrincipalChange]:
    olds = {p.address: p for p in old.graph.principals()} if old else {}
    news = {p.address: p for p in new.graph.principals()} if new else {}
    old_home = _home_account(old.graph) if old else None
    new_home = _home_account(new.graph) if new else None
    for address in sorted(set(olds) | set(news)):
        before = olds.get(address)
        after = news.get(address)
        status = "changed" if before and after else ("added" if after else "removed")
        principal = after or before
        assert principal is not None  # one side holds it
        if old and before and new and after and _same_grants(old, before, new, after):
            was = now = {}
        else:
            was = _grants(old, before) if old and before else {}
            now = _grants(new, after) if new and after else {}
        old_verdict = old.privilege(before) if old and before else None
        new_verdict = new.privilege(after) if new and after else None
        old_assumers = _assumers(old, before, old_home) if old and before else set()
        new_assumers = _assumers(new, after, new_home) if new and after else set()
        # a principal that goes away is reported itself, not as every role it could assume
        old_assumers = {a for a in old_assumers if not a.address or a.address in news}
        change = PrincipalChange(
            input=name,
            address=address,
            kind=principal.kind.value,
            status=status,
            gained=_beyond(now, was, certain_only=True),
            lost=_beyond(was, now),
            may_gain=_may_gain(now, was, _unknowns(new, after), _unknowns(old, before)),
            becomes_privileged=_verdict(new_verdict) if old_verdict is None else None,
            stops_privileged=_verdict(old_verdict) if new_verdict is None else None,
            new_assumers=tuple(sorted(new_assumers - old_assumers)),
            lost_assumers=tuple(sorted(old_assumers - new_assumers)),
        )
        if not change.empty or status != "changed":
            yield change


def _beyond(
    these: Mapping[Access, bool], those: Mapping[Access, bool], *, certain_only: bool = False
) -> tuple[Access, ...]:
    """The permissions of *these* that *those* do not hold, nor cover with a wider one:
    the same action (or ``*``) on a resource pattern that matches, with no condition or
    the same one (``s3:GetObject`` on a bucket is not lost when ``s3:GetObject`` on ``*``
    is gained)."""
    by_action: dict[str, list[Access]] = {}
    for access in those:
        by_action.setdefault(access.action, []).append(access)
    found = []
    for access, certain in these.items():
        if access in those or (certain_only and not certain):
            continue
        wider = by_action.get(access.action, []) + by_action.get("*", [])
        if not any(
            w.condition in ("", access.condition) and fnmatchcase(access.resource, w.resource)
            for w in wider
        ):
            found.append(access)
    return tuple(sorted(found))


def _unknowns(analyzer: Analyzer | None, principal: Principal | None) -> tuple[str, ...]:
    """What could not be read for *principal* (unknown documents, undefined groups)."""
    if analyzer is None or principal is None:
        return ()
    return analyzer.permissions(principal).unknowns


def _verdict(privilege: Privilege | None) -> Verdict | None:
    if privilege is None:
        return None
    paths = tuple(dict.fromkeys(m.path.id for m in privilege.paths))
    if privilege.admin:
        kind = "administrator"
    elif privilege.paths:
        kind = "escalation path"
    elif privilege.permissions_management:
        kind = "permissions management"
    else:
        kind = "chain"
    return Verdict(kind, privilege.reason() + privilege.caveat(), paths)


def _same_grants(old: Analyzer, before: Principal, new: Analyzer, after: Principal) -> bool:
    """True when the same statements apply to the principal on both sides (the common
    case of a large plan): its permissions cannot differ."""
    was = old.permissions(before)
    now = new.permissions(after)
    return (
        was.unknowns == now.unknowns
        and [g.statement for g in was.grants] == [g.statement for g in now.grants]
        and [g.statement for g in was.boundary or ()] == [g.statement for g in now.boundary or ()]
        and (was.boundary is None) == (now.boundary is None)
    )


def _grants(analyzer: Analyzer, principal: Principal) -> dict[Access, bool]:
    """Every permission *principal* holds -> whether it is certain (no part of its
    statement is unknown until apply)."""
    perms = analyzer.permissions(principal)
    # with no Deny and no boundary, every action an Allow names is allowed: no decision
    # per action is needed (the common case, and most of the cost)
    unlimited = perms.boundary is None and not any(g.statement.is_deny for g in perms.grants)
    found: dict[Access, bool] = {}
    for grant in perms.grants:
        if not grant.is_allow:
            continue
        statement = grant.statement
        condition = _conditions(statement.conditions)
        resources = _resources(statement)
        certain = not grant.unresolved and not any(
            isinstance(r, Unknown) for r in (*statement.resources, *statement.not_resources)
        )
        for action, level in _actions(perms, grant, unlimited):
            for resource in resources:
                key = Access(action, resource, condition, level)
                found[key] = found.get(key, False) or certain
    return found


def _actions(
    perms: EffectivePermissions, grant: Grant, unlimited: bool
) -> Iterator[tuple[str, str]]:
    """The actions *grant* allows (no Deny taking them away), with their access level;
    *unlimited*: the principal has no Deny and no boundary."""
    if grant.covers_all():
        yield "*", ""
        return
    if grant.not_action:
        written = ", ".join(_text(a) for a in grant.statement.not_actions)
        yield f"every action except {written}", ""
        return
    for info in perms.actions_of(grant):
        if unlimited or grant in perms.decide(info.full_name).allowed_by:
            yield info.full_name, primary_level(info).value
    for action in grant.statement.actions:
        if isinstance(action, Unknown):
            yield _text(action), ""


def _resources(statement: Statement) -> list[str]:
    if statement.uses_not_resource:
        return ["every resource except " + ", ".join(_text(r) for r in statement.not_resources)]
    return [_text(r) for r in statement.resources] or ["*"]


def _conditions(conditions: Iterable[Condition]) -> str:
    """``StringEquals aws:SourceAccount=123456789012``: operator, key and values."""
    parts = []
    for condition in conditions:
        values = ", ".join(_text(v) for v in condition.values)
        parts.append(f"{condition.operator} {condition.key or '(known after apply)'}={values}")
    return "; ".join(sorted(dict.fromkeys(parts)))


def _text(value: str | Unknown) -> str:
    return value if isinstance(value, str) else "(known after apply)"


def _may_gain(
    now: Mapping[Access, bool],
    was: Mapping[Access, bool],
    unknowns: Iterable[str],
    known_before: Iterable[str],
) -> tuple[str, ...]:
    """What a principal may gain once values known only after apply are: the permissions
    of statements with an unknown part, and the policies unknown as a whole
    (*unknowns*, less those already unknown before)."""
    found = [
        f"{a.action} on {a.resource}" + (f" when {a.condition}" if a.condition else "")
        for a, certain in sorted(now.items())
        if not certain and a not in was
    ]
    old = set(known_before)
    found += [f"{unknown} (known after apply)" for unknown in unknowns if unknown not in old]
    return tuple(dict.fromkeys(found))


def _assumers(analyzer: Analyzer, principal: Principal, home: str | None) -> set[Assumer]:
    """Who may assume *principal* (a role): principals of the graph with a can-assume
    edge into it, and the entries its trust policy admits.

    :param home: the graph's :func:`_home_account`, the role's account when its ARN does
        not say.
    """
    if principal.kind is not PrincipalKind.ROLE:
        return set()
    found = {
        Assumer(
            edge.source.display, edge.how.value, _conditions(edge.conditions), edge.source.address
        )
        for edge in analyzer.assume.edges_into(principal)
    }
    trust = analyzer.graph.trust_policy_of(principal)
    if trust is None or not isinstance(trust.document, PolicyDocument):
        return found
    own = _account(principal.arn) or home
    for statement in trust.document.statements:
        if not statement.is_allow:
            continue
        condition = _conditions(statement.conditions)
        for ref in statement.principals:
            value = _text(ref.value)
            found.add(Assumer(f"{ref.kind} {value}", _trusted(ref.kind, value, own), condition))
    return found


def _trusted(kind: str, value: str, own: str | None) -> str:
    if value == "*":
        return "trusted (anyone)"
    account = value if value.isdigit() else _account(value)
    if kind.upper() != "AWS" or not account:
        return "trusted"
    if own is None:  # the role's own account is known only at deployment
        return f"trusted (account {account})"
    return "trusted (another account)" if account != own else "trusted"


def _home_account(graph: Graph) -> str | None:
    """The one account the known principal ARNs of *graph* are in; None when there are
    none or several."""
    accounts = {_account(p.arn) for p in graph.principals()} - {None}
    return accounts.pop() if len(accounts) == 1 else None


def _account(arn: object) -> str | None:
    """The account of an ARN (``arn:aws:iam::123456789012:role/x``), None when unknown."""
    if not isinstance(arn, str):
        return None
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4].isdigit() else None


#: access levels in a reviewer's order, for grouping (most significant first)
LEVELS: tuple[str, ...] = (*(level.value for level in LEVEL_ORDER), "")
