"""``iacguard access``: who can do what, per principal, grouped by service and access level."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, TextIO, cast

from iacguard._text import first_few
from iacguard.analysis.analyzer import Analyzer
from iacguard.analysis.conditions import describe, known, requires_mfa
from iacguard.analysis.evaluate import EffectivePermissions
from iacguard.analysis.grants import Grant
from iacguard.analysis.matching import Matching
from iacguard.analysis.mfa import requires_mfa_to_allow
from iacguard.analysis.paths import PathMatch
from iacguard.analysis.privilege import LEVEL_ORDER, chain_text, primary_level
from iacguard.catalog import ActionCatalog
from iacguard.graph import Graph
from iacguard.model import (
    Condition,
    EdgeKind,
    PolicyDocument,
    Principal,
    PrincipalKind,
    PrincipalRef,
    SourceKind,
    Unknown,
)
from iacguard.report._escape import SafeLines

#: how many action names a line shows before summarising the rest
_NAMES: Final = 4
#: how many escalation paths a principal shows before summarising the rest
_PATHS: Final = 5
#: above this many services, read-only services are summarised in one line
_SERVICES: Final = 12
#: access levels in the order a reviewer reads them: the dangerous ones first
_LEVELS: Final = LEVEL_ORDER


@dataclass(frozen=True, slots=True)
class AccessInput:
    """One parsed input to report on: how to name it, and its graph."""

    name: str
    graph: Graph


def write_access(
    inputs: Sequence[AccessInput],
    stream: TextIO,
    catalog: ActionCatalog,
    principal: str | None = None,
) -> int:
    """Write each principal's effective permissions to *stream*.

    Each input starts with a summary (administrators, privileged principals, escalation
    paths), then one block per principal: groups, console and MFA, trust (roles), what
    is unknown, escalation paths with the policy of each action, and permissions grouped
    by service and access level, marking grants that need MFA.

    Each input is analysed afresh (an :class:`Analyzer` of its own; the inputs share
    one :class:`Matching`), and nothing is kept once the report is written.

    :param principal: only the principal with this address.
    :returns: the number of principals written (0 when *principal* matches none).
    """
    stream = cast(TextIO, SafeLines(stream))  # names come from the input
    matching = Matching(catalog)  # the memo tables of this report, shared by its inputs
    written = 0
    for item in inputs:
        chosen = [p for p in item.graph.principals() if principal in (None, p.address)]
        if not chosen:
            continue
        analyzer = Analyzer(item.graph, catalog, matching=matching)
        stream.write(f"== {item.name}\n")
        _summary(analyzer, chosen, stream)
        for entry in chosen:
            _principal(analyzer, entry, stream)
            written += 1
    return written


def _summary(analyzer: Analyzer, chosen: Iterable[Principal], stream: TextIO) -> None:
    lines = []
    for principal in chosen:
        why = analyzer.privilege(principal)
        if why is not None:
            label = "ADMIN" if why.admin else "PRIVILEGED"
            mfa = ""
            if principal.kind is PrincipalKind.USER:
                enforced = _mfa(analyzer.permissions(principal)).partition(",")[0]
                mfa = f" [MFA enforced: {enforced}]"
            lines.append(f"  {label:<10} {principal.display}{mfa}: {why.reason()}{why.caveat()}\n")
    stream.write("who is privileged:\n" if lines else "who is privileged: nobody\n")
    stream.writelines(sorted(lines))
    stream.write("\n")


def _principal(analyzer: Analyzer, principal: Principal, stream: TextIO) -> None:
    graph = analyzer.graph
    perms = analyzer.permissions(principal)
    name = f" ({principal.name})" if isinstance(principal.name, str) else ""
    stream.write(f"{principal.display}{name}\n")
    if principal.kind is PrincipalKind.USER:
        groups = ", ".join(g.address for g in perms.groups) or "none"
        stream.write(f"  groups: {groups}\n")
        profile = next((p for p in graph.login_profiles if p.user == principal.address), None)
        console = f"yes ({profile.address})" if profile else "no"
        if profile is None and principal.origin.source is SourceKind.AUTHORIZATION_DETAILS:
            console = "not recorded in authorization details (the credential report has it)"
        stream.write(f"  console access: {console}; MFA enforced: {_mfa(perms)}\n")
    if principal.kind is PrincipalKind.GROUP:
        members = [e.source for e in graph.edges_to(principal.address, EdgeKind.MEMBER_OF)]
        stream.write(f"  members: {', '.join(dict.fromkeys(members)) or 'none'}\n")
    if principal.kind is PrincipalKind.ROLE:
        stream.write(f"  assumable by: {_trusted(graph, principal)}\n")
    _becomes(analyzer, principal, stream)
    for unknown in perms.unknowns:
        stream.write(f"  PARTIAL: {unknown} is unknown; the result may be incomplete\n")
    admin = perms.admin_grants()
    if admin:
        sources = ", ".join(dict.fromkeys(g.source.describe() for g in admin))
        stream.write(f"  ADMIN-EQUIVALENT: '*' on '*' from {sources}\n")
    else:
        _paths(list(analyzer.paths(principal)), stream)
    _permissions(perms, stream)
    stream.write("\n")


def _becomes(analyzer: Analyzer, principal: Principal, stream: TextIO) -> None:
    """Who *principal* can become: each role it can assume and how, then the chain to a
    privileged role when its own permissions are not privileged."""
    for edge in analyzer.assume.edges_from(principal):
        sources = ", ".join(dict.fromkeys(g.source.describe() for g in edge.grants))
        via = f", allowed sts:AssumeRole by {sources}" if sources else ""
        others = [c for c in edge.conditions if not requires_mfa([c])]
        when = f" when {describe(others)} holds" if others else ""
        mfa = " (with MFA)" if edge.needs_mfa else ""
        stream.write(f"  can assume: {edge.role.display} ({edge.how.value}{via}){mfa}{when}\n")
    why = analyzer.privilege(principal)
    if why is not None and not why.own and why.chain is not None:
        stream.write(f"  PRIVILEGED THROUGH: {chain_text(why.chain)}{why.caveat()}\n")


def _mfa(perms: EffectivePermissions) -> str:
    found = perms.mfa_enforcement()
    if found is None:
        return "unknown"
    if not found:
        return "no"
    return "yes, by " + ", ".join(dict.fromkeys(g.source.describe() for g in found))


def _trusted(graph: Graph, role: Principal) -> str:
    trust = graph.trust_policy_of(role)
    if trust is None or not isinstance(trust.document, PolicyDocument):
        return "unknown"
    who: list[str] = []
    for statement in trust.document.statements:
        if not statement.is_allow:
            continue
        mfa = " (with MFA)" if requires_mfa(statement.conditions) else ""
        who += [f"{_trusted_name(graph, ref)}{mfa}" for ref in statement.principals]
    return "; ".join(dict.fromkeys(who)) or "nobody"


def _trusted_name(graph: Graph, ref: PrincipalRef) -> str:
    """A trusted principal as written, or the principal of the configuration that a
    reference names (``user 'aws_iam_user.alice'``)."""
    if isinstance(ref.value, Unknown):
        for attribute in ref.value.refs:
            found = graph.principal(attribute.address)
            if found is not None:
                return found.display
    return f"{ref.kind} {ref.value}"


def _paths(paths: list[PathMatch], stream: TextIO) -> None:
    if not paths:
        return
    stream.write("  ESCALATION PATHS:\n")
    for match in paths[:_PATHS]:
        stream.write(f"    {match.path.id}: {match.path.name}\n")
        for action, grants in match.steps:
            sources = ", ".join(dict.fromkeys(g.source.describe() for g in grants))
            stream.write(f"      {action} <- {sources}\n")
        if match.roles:
            stream.write(f"      passing {', '.join(r.display for r in match.roles)}\n")
    if len(paths) > _PATHS:
        stream.write(f"    ... and {len(paths) - _PATHS} more paths\n")


def _permissions(perms: EffectivePermissions, stream: TextIO) -> None:
    allows = [g for g in perms.grants if g.is_allow]
    if not allows:
        stream.write("  permissions: none\n")
        return
    stream.write("  permissions:\n")
    enforced = bool(perms.mfa_enforcement())
    rows: dict[tuple[str, int, bool, str], dict[str, None]] = {}
    sources: dict[str, dict[str, None]] = {}
    for grant in allows:
        if grant.covers_all() or grant.not_action:
            stream.write(f"    {_broad(grant, enforced)} <- {grant.source.describe()}\n")
            continue
        for info in perms.actions_of(grant):
            decision = perms.decide(info.full_name)
            if grant not in decision.allowed_by:
                continue
            level = _LEVELS.index(primary_level(info))
            key = (info.service, level, decision.needs_mfa, _when(decision.allowed_by))
            rows.setdefault(key, {})[info.name] = None
            sources.setdefault(info.service, {})[grant.source.describe()] = None
    services = sorted({key[0] for key in rows})
    readers = [svc for svc in services if not any(k[0] == svc and k[1] < 3 for k in rows)]
    summarised = readers if len(services) > _SERVICES else []
    for service in services:
        if service in summarised:
            continue
        parts = []
        for key in sorted(k for k in rows if k[0] == service):
            names = list(rows[key])
            shown = first_few(names, _NAMES)
            mfa = ", needs MFA" if key[2] else ""
            when = f", when {key[3]}" if key[3] else ""
            parts.append(f"{_LEVELS[key[1]].value} ({len(names)}{mfa}{when}): {shown}")
        stream.write(f"    {service}: {'; '.join(parts)} <- {', '.join(sources[service])}\n")
    if summarised:
        count = sum(len(v) for k, v in rows.items() if k[0] in summarised)
        origin = ", ".join(dict.fromkeys(x for svc in summarised for x in sources[svc]))
        stream.write(
            f"    read and list only: {count} actions in {len(summarised)} more services <- "
            f"{origin}\n"
        )
    for grant in perms.grants:
        if grant.statement.is_deny:
            what = "every action except" if grant.not_action else "actions"
            when = " (when its condition holds)" if grant.conditional else ""
            patterns = ", ".join(_written(grant))
            stream.write(f"    DENY {what} {patterns}{when} <- {grant.source.describe()}\n")


def _when(grants: Iterable[Grant]) -> str:
    """The conditions an action is allowed under, when every grant of it has some that
    are not the MFA requirement (shown on its own); "" when one grant has none."""
    found: list[Condition] = []
    for grant in grants:
        conditions = [c for c in grant.statement.conditions if not requires_mfa([c])]
        if not conditions:
            return ""
        found += conditions
    return describe(found)


def _broad(grant: Grant, enforced: bool) -> str:
    """A line for a grant that spans services: ``*`` or ``NotAction``."""
    mfa = " (needs MFA)" if enforced or requires_mfa_to_allow(grant) else ""
    where = "" if grant.on_any_resource else " on some resources"
    when = _when([grant])
    where += f" when {when}" if when else ""
    if grant.not_action:
        return f"every action except {', '.join(_written(grant))}{where}{mfa}"
    return f"* (every action of every service){where}{mfa}"


def _written(grant: Grant) -> list[str]:
    """The statement's ``Action``/``NotAction`` entries as written."""
    statement = grant.statement
    return known(statement.not_actions if grant.not_action else statement.actions)
