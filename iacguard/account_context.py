"""A change read in the context of its account (``--account``): the principals and
policies a plan, HCL root or template names but does not define come from the account's
authorization details, so effective permissions and chains span both.

Findings stay on the change's own resources. A principal of the account is reported
only when the change gives it something the account alone does not (a new privilege,
a new path): at the change's element that causes it, naming the principal.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from iacguard.errors import UnsupportedInputError
from iacguard.graph import Graph, GraphBuilder, outside_target, target_kind
from iacguard.model import Edge, Origin, PolicyDocument, Principal, PrincipalKind, SourceKind
from iacguard.results import Finding

#: an IAM user or role ARN, as trust policies name existing principals
_IAM_IDENTITY: Final = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(?P<kind>user|role)/")
#: the graph's nodes and edges, merged by :func:`in_context`; every other record list of
#: a :class:`~iacguard.graph.GraphBuilder` is the change's own, copied as it is
_MERGED: Final = frozenset({"principals", "policies", "edges"})


def read_account(path: Path) -> Graph:
    """The graph of the authorization details at *path* (``--account``).

    :raises InputError: the file cannot be read or is not authorization details.
    """
    from iacguard.parsers import InputFile, display_path, parse

    if not path.is_file():
        raise UnsupportedInputError(path, "--account: no such file")
    parsed = parse(InputFile(path, display_path(path)))
    if parsed.kind is not SourceKind.AUTHORIZATION_DETAILS:
        raise UnsupportedInputError(
            path,
            "--account takes the account's authorization details "
            "(aws iam get-account-authorization-details)",
        )
    return parsed.graph


def in_context(change: Graph, account: Graph) -> Graph:
    """*change* with *account*'s principals, policies and edges added, and the change's
    references to principals or managed policies it does not define (by name or ARN)
    linked to the account's. An account principal the change defines itself (same kind
    and name) is the change's: the account's copy and its edges are left out."""
    defined = {(p.kind, p.name) for p in change.principals() if isinstance(p.name, str)}
    kept = [p for p in account.principals() if (p.kind, p.name) not in defined]
    by_name = {(p.kind, p.name): p.address for p in kept if isinstance(p.name, str)}
    by_arn = {p.arn: p.address for p in kept if isinstance(p.arn, str)}
    dropped = {p.address for p in account.principals()} - {p.address for p in kept}

    def resolve(node: str) -> str:
        outside = outside_target(node)
        if outside is None or outside.unknown:
            return node
        if outside.kind == "policy":
            return outside.name if account.policy(outside.name) is not None else node
        kind = target_kind(node, change)
        if kind is None:
            return node
        return by_name.get((kind, outside.name)) or by_arn.get(outside.name) or node

    builder = GraphBuilder()
    for principal in (*change.principals(), *kept):
        builder.add_principal(principal)
    for policy in (*change.policies(), *account.policies()):
        builder.add_policy(policy)
    for edge in change.edges():
        builder.link(
            resolve(edge.source), resolve(edge.target), edge.kind, edge.origin, edge.reason
        )
    for edge in account.edges():
        if edge.source not in dropped and edge.target not in dropped:
            builder.link(edge.source, edge.target, edge.kind, edge.origin, edge.reason)
    for record in dataclasses.fields(GraphBuilder):
        if record.name not in _MERGED:
            getattr(builder, record.name).extend(getattr(change, record.name))
    return builder.build()


def outside_principals(change: Graph) -> list[str]:
    """The principals *change* gives something without defining them, as messages name
    them: attachment and membership targets defined elsewhere, and IAM users and roles
    its trust policies name by ARN (what ``--account`` would resolve)."""
    named: dict[str, None] = {}
    for edge in change.edges():
        for node in (edge.source, edge.target):
            outside = outside_target(node)
            if outside is not None and not outside.unknown and outside.kind != "policy":
                named[f"{outside.kind} '{outside.name}'"] = None
    known = {p.arn for p in change.principals() if isinstance(p.arn, str)}
    known |= {f"{p.kind.value}/{p.name}" for p in change.principals() if isinstance(p.name, str)}
    for _, value in _trusted(change):
        if match := _IAM_IDENTITY.match(value):
            kind_and_name = f"{match['kind']}/{value.rsplit('/', 1)[-1]}"
            if value not in known and kind_and_name not in known:
                named[f"'{value}'"] = None
    return list(named)


def account_addresses(account: Graph) -> frozenset[str]:
    """Every address a finding about the account itself is reported at."""
    return frozenset(
        [*(p.address for p in account.principals()), *(p.id for p in account.policies())]
    )


@dataclasses.dataclass(frozen=True, slots=True)
class AccountAlone:
    """What the account has before any change: worked out once per scan."""

    #: every address a finding about the account itself is reported at
    addresses: frozenset[str]
    #: the ``(rule, address)`` pairs of the account's own findings
    findings: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, account: Graph, findings: Iterable[Finding]) -> AccountAlone:
        """The account graph *account*, whose own scan found *findings*."""
        return cls(account_addresses(account), frozenset((f.rule_id, f.address) for f in findings))


def placed(
    findings: Iterable[Finding], merged: Graph, change: Graph, alone: AccountAlone
) -> Iterator[Finding]:
    """The findings of a scan of *merged* that concern the change: those at the change's
    own elements, and those at an account principal that the account *alone* does not
    have, moved to the change's element that causes them. Findings at account elements
    with no such cause are left out."""
    own = alone.addresses
    for finding in findings:
        if finding.address not in own:
            yield finding
            continue
        if (finding.rule_id, finding.address) in alone.findings:
            continue
        cause = _cause(finding.address, merged, change, own)
        if cause is not None:
            yield dataclasses.replace(
                finding,
                address=cause.address,
                location=cause.location,
                pointer=cause.pointer,
                message=f"account principal '{finding.address}': {finding.message}",
            )


def _cause(address: str, merged: Graph, change: Graph, own: frozenset[str]) -> Origin | None:
    """The change's element that gives the account principal at *address* something:
    an edge of the change that touches it, or a role of the change whose trust policy
    names its ARN."""
    edges: tuple[Edge, ...] = (*merged.edges_to(address), *merged.edges_from(address))
    for edge in edges:
        if edge.origin.address not in own:
            return edge.origin
    principal = merged.principal(address)
    if principal is None or not isinstance(principal.arn, str):
        return None
    return next((role.origin for role, value in _trusted(change) if value == principal.arn), None)


def _trusted(change: Graph) -> Iterator[tuple[Principal, str]]:
    """Each role of *change* with each literal principal its trust policy names."""
    for role in change.principals(PrincipalKind.ROLE):
        trust = change.trust_policy_of(role)
        if trust is None or not isinstance(trust.document, PolicyDocument):
            continue
        for statement in trust.document.statements:
            for ref in statement.principals:
                if isinstance(ref.value, str):
                    yield role, ref.value
