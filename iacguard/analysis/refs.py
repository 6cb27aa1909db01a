"""Values that name an element of the graph: a reference to its ARN
(``aws_iam_role.ci.arn``, ``!GetAtt Ci.Arn``, ``!Ref Policy`` of a managed policy), or an
ARN built around a reference to its name
(``arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/${aws_iam_role.ci.name}``,
``!Sub arn:aws:iam::${AWS::AccountId}:role/${Ci}``).

A value known only after apply that names an element this way is that element for the
analysis: a trust admits it, a ``Resource`` names its ARN.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Final

from iacguard.graph import Graph
from iacguard.model import AttributeRef, MaybeStr, PolicyKind, Statement, Unknown

#: attributes whose value is the element's ARN (CloudFormation ``Ref`` of a managed policy
#: or an OIDC provider is its ARN too)
ARN_ATTRIBUTES: Final = frozenset({"arn", "Arn", "PolicyArn"})
#: attributes whose value is the element's name or id (Terraform's ``id`` of a role, user
#: or group is its name; CloudFormation's ``Ref`` of one is its name)
NAME_ATTRIBUTES: Final = frozenset({"name", "id", "Ref", "RoleName", "UserName", "GroupName"})
#: attributes whose value identifies a principal in a trust policy besides its ARN
ID_ATTRIBUTES: Final = frozenset({"unique_id", "UniqueId", "RoleId"})
#: an IAM ARN built around a name (``...:role/${...}``)
_BUILT: Final = re.compile(r":(?:role|user|group|policy)/")
#: an account a customer's resource lives in, as a glob: twelve characters (never ``aws``)
_ACCOUNT: Final = "?" * 12


def named_ref(value: Unknown) -> tuple[AttributeRef, bool] | None:
    """The reference through which *value* names another element, and whether the value
    is an ARN built around that element's name; None when it names none. A reference to
    an ARN attribute or to CloudFormation's ``Ref`` (which is the ARN of some resource
    types and the name of others: :func:`arn_glob` tells) counts as it is."""
    for ref in value.refs:
        if ref.attribute in ARN_ATTRIBUTES:
            return ref, False
    if _BUILT.search(value.expr):
        names = [ref for ref in value.refs if ref.attribute in NAME_ATTRIBUTES]
        if len(names) == 1:
            return names[0], True
    if len(value.refs) == 1 and value.refs[0].attribute == "Ref":
        return value.refs[0], False
    return None


def arn_glob(ref: AttributeRef, graph: Graph, *, built: bool = False) -> str | None:
    """The ARN of the element *ref* names, as a glob over its unknown parts (partition,
    account), when *ref* stands for that ARN (or *built* says the value is an ARN built
    around its name): for a user, group or role of the graph (its path included when
    known) and a customer-managed policy (whose CloudFormation ``Ref`` is its ARN); None
    for anything else, or when its name is unknown."""
    principal = graph.principal(ref.address)
    if principal is not None:
        if not (built or ref.attribute in ARN_ATTRIBUTES) or not isinstance(principal.name, str):
            return None  # the Ref of a role, user or group is its name
        if isinstance(principal.arn, str):
            return principal.arn
        path = principal.path if isinstance(principal.path, str) and principal.path else "/"
        return f"arn:aws*:iam::{_ACCOUNT}:{principal.kind.value}{path}{principal.name}"
    policy = graph.policy(ref.address)
    if policy is not None and policy.kind is PolicyKind.MANAGED:
        if isinstance(policy.arn, str):
            return policy.arn
        name = policy.name if isinstance(policy.name, str) and policy.name else None
        return None if name is None else f"arn:aws*:iam::{_ACCOUNT}:policy/*{name}"
    return None


def with_resolved_resources(statement: Statement, graph: Graph) -> Statement:
    """*statement* with each unresolved ``Resource``/``NotResource`` entry that names an
    element of *graph* replaced by that element's ARN glob (the same statement when there
    is none)."""

    def resolve(values: tuple[MaybeStr, ...]) -> tuple[MaybeStr, ...]:
        out: list[MaybeStr] = []
        for value in values:
            named = named_ref(value) if isinstance(value, Unknown) else None
            glob = None if named is None else arn_glob(named[0], graph, built=named[1])
            out.append(value if glob is None else glob)
        return tuple(out)

    if not any(isinstance(v, Unknown) for v in (*statement.resources, *statement.not_resources)):
        return statement
    resources, not_resources = resolve(statement.resources), resolve(statement.not_resources)
    if resources == statement.resources and not_resources == statement.not_resources:
        return statement
    return replace(statement, resources=resources, not_resources=not_resources)
