"""Effective permissions on real plans: groups, AWS-managed content, denies, MFA, unknowns."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from iacguard.analysis.analyzer import Analyzer
from iacguard.analysis.evaluate import EffectivePermissions
from iacguard.catalog import default_catalog
from iacguard.graph import Graph
from iacguard.parsers import discover, parse
from tests.conftest import TERRAFORM


@cache
def graph_of(case: str) -> Graph:
    source = next(discover([Path(TERRAFORM / case / "plan.json")]))
    return parse(source).graph


@cache
def analyzer_of(case: str) -> Analyzer:
    return Analyzer(graph_of(case), default_catalog())


def perms(case: str, address: str) -> EffectivePermissions:
    principal = graph_of(case).principal(address)
    assert principal is not None
    return analyzer_of(case).permissions(principal)


@pytest.mark.parametrize(
    ("case", "address", "privileged"),
    [
        pytest.param("mfa", "aws_iam_group.readers", False, id="ReadOnlyAccess-not-privileged"),
        pytest.param("mfa", "aws_iam_user.dave", False, id="ReadOnlyAccess-via-group"),
        pytest.param("mfa", "aws_iam_group.iam_admins", True, id="IAMFullAccess-privileged"),
        pytest.param("mfa", "aws_iam_user.erin", True, id="IAMFullAccess-via-group"),
        pytest.param("mfa", "aws_iam_user.alice", True, id="admin-via-group"),
        pytest.param("escalation", "aws_iam_role.split_escalation", True, id="escalation"),
        pytest.param("escalation", "aws_iam_role.split_escalation_denied", False, id="denied"),
        pytest.param("access_view", "aws_iam_user.eve", False, id="one-bucket"),
    ],
)
def test_privileged(case: str, address: str, privileged: bool) -> None:
    principal = graph_of(case).principal(address)
    assert principal is not None
    verdict = analyzer_of(case).privilege(principal)
    assert (verdict is not None) is privileged


@pytest.mark.parametrize(
    ("case", "address", "action", "allowed", "sources"),
    [
        pytest.param(
            "mfa",
            "aws_iam_user.alice",
            "iam:CreateUser",
            True,
            {"AWS-managed policy 'AdministratorAccess' via group 'aws_iam_group.admins'"},
            id="admin-from-group",
        ),
        pytest.param(
            "escalation",
            "aws_iam_role.split_escalation",
            "LAMBDA:createfunction",
            True,
            {"policy 'iacguard-fixture-lambda-deploy'"},
            id="case-insensitive",
        ),
        pytest.param(
            "escalation",
            "aws_iam_role.split_escalation_denied",
            "lambda:CreateFunction",
            False,
            set(),
            id="explicit-deny",
        ),
        pytest.param(
            "escalation",
            "aws_iam_role.split_escalation_denied",
            "lambda:InvokeFunction",
            True,
            {"policy 'iacguard-fixture-lambda-deploy'"},
            id="deny-is-per-action",
        ),
        pytest.param(
            "mfa", "aws_iam_user.dave", "s3:PutObject", False, set(), id="readonly-no-write"
        ),
    ],
)
def test_decide(case: str, address: str, action: str, allowed: bool, sources: set[str]) -> None:
    decision = perms(case, address).decide(action)
    assert decision.allowed is allowed
    assert {g.source.describe() for g in decision.allowed_by} == sources
    assert not decision.undetermined


def test_deny_names_its_policy() -> None:
    decision = perms("escalation", "aws_iam_role.split_escalation_denied").decide(
        "lambda:CreateFunction"
    )
    assert [g.source.describe() for g in decision.denied_by] == [
        "policy 'iacguard-fixture-deny-lambda-create'"
    ]


@pytest.mark.parametrize(
    ("address", "enforced_by"),
    [
        pytest.param("aws_iam_user.alice", None, id="none"),
        pytest.param(
            "aws_iam_user.bob",
            "policy 'iacguard-fixture-enforce-mfa' via group 'aws_iam_group.secure_admins'",
            id="notaction-boolifexists",
        ),
        pytest.param(
            "aws_iam_user.carol",
            "policy 'iacguard-fixture-enforce-mfa-null' via group 'aws_iam_group.null_mfa'",
            id="action-star-null",
        ),
    ],
)
def test_mfa_enforcement(address: str, enforced_by: str | None) -> None:
    found = perms("mfa", address).mfa_enforcement()
    assert found is not None
    assert [g.source.describe() for g in found] == ([enforced_by] if enforced_by else [])


def test_conditions_are_kept_grants_need_mfa() -> None:
    bob = perms("mfa", "aws_iam_user.bob")
    assert bob.decide("s3:PutObject").needs_mfa
    assert not bob.decide("iam:EnableMFADevice").needs_mfa  # excluded by NotAction
    assert bob.admin_grants()  # a conditional Deny does not take admin away
    assert not perms("mfa", "aws_iam_user.alice").decide("s3:PutObject").needs_mfa


def test_unknown_document_makes_the_result_partial(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"  # away from its source: the documents stay unknown
    plan.write_bytes((TERRAFORM / "unknowns" / "plan.json").read_bytes())
    graph = parse(next(discover([plan]))).graph
    analyzer = Analyzer(graph, default_catalog())
    results = [analyzer.permissions(p) for p in graph.principals()]
    partial = [r for r in results if r.partial]
    assert partial
    for result in partial:
        assert result.mfa_enforcement() is None
        assert analyzer.own_privilege(result.principal) is None or result.admin_grants()
