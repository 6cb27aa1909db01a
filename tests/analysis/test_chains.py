"""Who can become whom: can-assume edges, chains, their confidence, and how views show them.

The fixture annotations (``role_chains``, ``escalation_resources``, ``conditions`` in
every format) pin which rule fires where; these tests pin what the annotations cannot
say: the chain in the message, the confidence, a plan scanned without its source, the
views, and graphs far larger than a fixture.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest
from typer.testing import CliRunner

from iacguard.analysis.analyzer import Analyzer
from iacguard.catalog import default_catalog
from iacguard.cli import app
from iacguard.graph import GraphBuilder, external_id
from iacguard.model import (
    AttributeRef,
    Confidence,
    EdgeKind,
    Effect,
    Location,
    Origin,
    Policy,
    PolicyDocument,
    PolicyKind,
    Principal,
    PrincipalKind,
    PrincipalRef,
    SourceKind,
    Statement,
    Unknown,
)
from tests.conftest import TERRAFORM, found_plan_alone, scan_case

ROLE = PrincipalKind.ROLE


def _finding(case: str, rule: str, address: str) -> tuple[str, Confidence]:
    [finding] = [f for f in scan_case(case).findings if f.rule_id == rule and f.address == address]
    return finding.message, finding.confidence


def test_chain_is_named_in_the_message() -> None:
    message, confidence = _finding("role_chains", "IAM306", "aws_iam_user.bob")
    assert message == (
        "user 'aws_iam_user.bob' can assume iacguard-fixture-bob → role/iacguard-fixture-hop1 "
        "→ role/iacguard-fixture-hop2 → role/iacguard-fixture-top, which is privileged ('*' on "
        "'*' from inline policy 'iacguard-fixture-top-admin')"
    )
    assert confidence is Confidence.HIGH


def test_chain_through_a_conditional_trust_has_medium_confidence() -> None:
    message, confidence = _finding("role_chains", "IAM306", "aws_iam_user.carol")
    assert "(when Bool aws:MultiFactorAuthPresent holds)" in message
    assert confidence is Confidence.MEDIUM


def test_conditional_escalation_names_its_condition() -> None:
    message, confidence = _finding(
        "escalation_resources", "IAM306", "aws_iam_role.attach_role_policy_until_2999"
    )
    assert message.endswith("(when DateLessThan aws:CurrentTime holds)")
    assert confidence is Confidence.MEDIUM


def test_plan_without_source_follows_references_in_its_configuration(tmp_path: Path) -> None:
    """A trust known only after apply keeps its references in the plan's configuration:
    the chain is found with the plan alone (less certainly); what needs an unknown
    document (carol's grant, the trust's MFA condition) stays unreported."""
    alone = found_plan_alone("role_chains", tmp_path, "IAM306")
    assert {a for _, a in alone} == {
        "aws_iam_user.alice",
        "aws_iam_role.ci",
        "aws_iam_user.bob",
        "aws_iam_role.hop1",
        "aws_iam_role.hop2",
        "aws_iam_user.erin",
    }


def test_access_shows_who_each_principal_can_become() -> None:
    result = CliRunner().invoke(
        app,
        ["access", str(TERRAFORM / "role_chains" / "plan.json"), "--principal", "aws_iam_role.ci"],
        env={"NO_COLOR": "1", "COLUMNS": "200"},
    )
    assert result.exit_code == 0
    assert "  assumable by: user 'aws_iam_user.alice'\n" in result.stdout
    assert "  can assume: role 'aws_iam_role.admin' (by reference)\n" in result.stdout
    assert (
        "  PRIVILEGED THROUGH: iacguard-fixture-ci → role/iacguard-fixture-admin\n" in result.stdout
    )


def test_graph_exports_can_assume_edges() -> None:
    result = CliRunner().invoke(
        app, ["graph", str(TERRAFORM / "role_chains" / "plan.json"), "-f", "json"]
    )
    assert result.exit_code == 0
    edges = {
        (e["source"], e["target"], e["label"])
        for e in json.loads(result.stdout)["edges"]
        if e["kind"] == "can-assume"
    }
    assert ("aws_iam_user.alice", "aws_iam_role.ci", "by reference") in edges
    assert ("aws_iam_role.hop1", "aws_iam_role.hop2", "by ARN") in edges
    assert ("aws_iam_user.carol", "aws_iam_role.ops_admin", "by account (MFA)") in edges


# --------------------------------------------------------------------------- synthetic graphs


def _origin(address: str) -> Origin:
    return Origin(SourceKind.TERRAFORM_PLAN, address, Location(PurePosixPath("plan.json")))


def _document(address: str, **fields: object) -> Policy:
    origin = _origin(address)
    keys = frozenset(k.capitalize() for k in ("actions", "resources") if k in fields)
    statement = Statement(origin, 0, None, Effect.ALLOW, keys=keys, **fields)  # type: ignore[arg-type]
    document = PolicyDocument(origin, (statement,), "2012-10-17")
    return Policy(address, PolicyKind.INLINE, None, document, origin)


def _role(builder: GraphBuilder, index: int, trusted: str | Unknown | None, admin: bool) -> None:
    address = f"aws_iam_role.r{index}"
    builder.add_principal(Principal(ROLE, address, f"r{index}", _origin(address)))
    if trusted is not None:
        trust = _document(
            f"{address}#trust",
            actions=("sts:AssumeRole",),
            principals=(PrincipalRef("AWS", trusted),),
        )
        trust = Policy(trust.id, PolicyKind.TRUST, None, trust.document, trust.origin)
        builder.add_policy(trust)
        builder.link(trust.id, address, EdgeKind.TRUSTS, _origin(address), "trust")
    if admin:
        policy = _document(f"{address}#admin", actions=("*",), resources=("*",))
        builder.add_policy(policy)
        builder.link(policy.id, address, EdgeKind.INLINE, _origin(address), "inline")


@pytest.mark.parametrize("length", [2, 3, 2_000])
def test_long_chains_by_reference(length: int) -> None:
    """r0 → r1 → ... → r(n-1), the last an administrator; each trusts the one before."""
    builder = GraphBuilder()
    for index in range(length):
        previous = f"aws_iam_role.r{index - 1}"
        trusted = Unknown(f"{previous}.arn", (AttributeRef(previous, "arn"),)) if index else None
        _role(builder, index, trusted, admin=index == length - 1)
    graph = builder.build()
    analyzer = Analyzer(graph, default_catalog())
    first = graph.principal("aws_iam_role.r0")
    assert first is not None
    verdict = analyzer.privilege(first)
    assert verdict is not None
    assert verdict.chain is not None
    assert verdict.chain.length == length - 1
    assert len(list(verdict.chain.edges())) == length - 1
    assert verdict.confidence is Confidence.HIGH


def test_cycles_end() -> None:
    """r0 and r1 trust each other by ARN, r2 trusts itself; nobody is privileged."""
    builder = GraphBuilder()
    account = "arn:aws:iam::123456789012:role"
    for index, trusted in enumerate([f"{account}/r1", f"{account}/r0", f"{account}/r2"]):
        _role(builder, index, trusted, admin=False)
    graph = builder.build()
    analyzer = Analyzer(graph, default_catalog())
    assert [analyzer.privilege(p) for p in graph.principals()] == [None, None, None]
    assert len(analyzer.assume.edges_from(graph.principals()[0])) == 1


def test_account_trust_needs_the_callers_own_permission() -> None:
    builder = GraphBuilder()
    _role(builder, 0, "arn:aws:iam::123456789012:root", admin=True)
    for name, resources in (("granted", ("arn:aws:iam::123456789012:role/r0",)), ("other", None)):
        address = f"aws_iam_user.{name}"
        builder.add_principal(Principal(PrincipalKind.USER, address, name, _origin(address)))
        if resources:
            policy = _document(f"{address}#p", actions=("sts:AssumeRole",), resources=resources)
            builder.add_policy(policy)
            builder.link(policy.id, address, EdgeKind.INLINE, _origin(address), "inline")
    graph = builder.build()
    analyzer = Analyzer(graph, default_catalog())
    granted, other = graph.principal("aws_iam_user.granted"), graph.principal("aws_iam_user.other")
    assert granted is not None
    assert other is not None
    assert analyzer.privilege(granted) is not None
    assert analyzer.privilege(other) is None


def test_foreign_account_trust_admits_nobody_of_the_configuration() -> None:
    """The role's ARN says it lives in 123456789012; a trust of another account's root
    admits that account's principals, not ours."""
    builder = GraphBuilder()
    address = "aws_iam_role.r0"
    arn = "arn:aws:iam::123456789012:role/r0"
    builder.add_principal(Principal(ROLE, address, "r0", _origin(address), arn))
    trust = _document(
        f"{address}#trust",
        actions=("sts:AssumeRole",),
        principals=(PrincipalRef("AWS", "arn:aws:iam::111122223333:root"),),
    )
    trust = Policy(trust.id, PolicyKind.TRUST, None, trust.document, trust.origin)
    builder.add_policy(trust)
    builder.link(trust.id, address, EdgeKind.TRUSTS, _origin(address), "trust")
    user = "aws_iam_user.u"
    builder.add_principal(Principal(PrincipalKind.USER, user, "u", _origin(user)))
    policy = _document(f"{user}#p", actions=("sts:AssumeRole",), resources=("*",))
    builder.add_policy(policy)
    builder.link(policy.id, user, EdgeKind.INLINE, _origin(user), "inline")
    graph = builder.build()
    analyzer = Analyzer(graph, default_catalog())
    assert analyzer.assume.edges_into(graph.principals(ROLE)[0]) == ()


def test_access_names_groups_defined_elsewhere() -> None:
    builder = GraphBuilder()
    builder.add_principal(Principal(PrincipalKind.USER, "u", "u", _origin("u")))
    builder.link(
        "u", external_id(PrincipalKind.GROUP, "ops"), EdgeKind.MEMBER_OF, _origin("m"), "m"
    )
    graph = builder.build()
    [user] = graph.principals()
    perms = Analyzer(graph, default_catalog()).permissions(user)
    assert perms.unknowns == ("group 'ops' (defined elsewhere)",)
