"""Benchmark (not a test): effective permissions of 5,000 principals x 20 policies each,
and privilege through a chain of 5,000 roles.

Run: ``python benchmarks/bench_evaluate.py``. Prints the time to evaluate every principal,
find its escalation paths and decide whether it is privileged (IAM204/IAM306/IAM404); then
the time to decide privilege for 5,000 roles where each may assume the next (by ARN for
even roles, by account trust plus an ``sts:AssumeRole`` grant for odd ones) and only the
last is an administrator.
"""

from __future__ import annotations

import random
import time
from pathlib import PurePosixPath

from iacguard.analysis.analyzer import Analyzer
from iacguard.catalog import ActionCatalog, default_catalog
from iacguard.graph import GraphBuilder
from iacguard.model import (
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
)

PRINCIPALS = 5_000
POLICIES_EACH = 20
POOL = 400
ACTIONS = (
    "s3:GetObject",
    "s3:Put*",
    "s3:*",
    "ec2:Describe*",
    "ec2:RunInstances",
    "iam:PassRole",
    "lambda:CreateFunction",
    "lambda:InvokeFunction",
    "iam:Get*",
    "iam:List*",
    "kms:Decrypt",
    "dynamodb:*",
    "sqs:SendMessage",
    "logs:*",
    "cloudwatch:Put*",
    "sts:AssumeRole",
    "iam:AttachRolePolicy",
    "glue:*",
    "ssm:GetParameter*",
    "ecr:*",
)


def _origin(address: str) -> Origin:
    return Origin(SourceKind.TERRAFORM_PLAN, address, Location(PurePosixPath("bench.json")))


def _policy(index: int, rng: random.Random) -> Policy:
    origin = _origin(f"aws_iam_policy.p{index}")
    statements = []
    for number in range(rng.randint(1, 4)):
        effect = Effect.DENY if rng.random() < 0.1 else Effect.ALLOW
        actions = tuple(rng.sample(ACTIONS, rng.randint(1, 4)))
        not_action = rng.random() < 0.02
        statements.append(
            Statement(
                origin,
                number,
                None,
                effect,
                actions=() if not_action else actions,
                not_actions=actions if not_action else (),
                resources=("*",) if rng.random() < 0.5 else ("arn:aws:s3:::bucket/*",),
                keys=frozenset({"NotAction" if not_action else "Action", "Resource"}),
            )
        )
    document = PolicyDocument(origin, tuple(statements), "2012-10-17")
    return Policy(origin.address, PolicyKind.MANAGED, f"p{index}", document, origin)


def main() -> None:
    rng = random.Random(3)
    builder = GraphBuilder()
    pool = [_policy(i, rng) for i in range(POOL)]
    for policy in pool:
        builder.add_policy(policy)
    for index in range(PRINCIPALS):
        address = f"aws_iam_role.r{index}"
        builder.add_principal(Principal(PrincipalKind.ROLE, address, f"r{index}", _origin(address)))
        for policy in rng.sample(pool, POLICIES_EACH):
            builder.link(policy.id, address, EdgeKind.ATTACHED, _origin(address), "bench")
    graph = builder.build()
    catalog = default_catalog()
    catalog.expand("*")  # load the catalog outside the measurement
    started = time.perf_counter()
    analyzer = Analyzer(graph, catalog)
    privileged = escalating = 0
    for principal in graph.principals():
        escalating += bool(analyzer.paths(principal))
        privileged += analyzer.privilege(principal) is not None
    elapsed = time.perf_counter() - started
    print(
        f"{PRINCIPALS} principals x {POLICIES_EACH} policies: {elapsed:.2f} s "
        f"({privileged} privileged, {escalating} with an escalation path)"
    )
    chain_benchmark(catalog)


def _document(address: str, statement: dict[str, object]) -> PolicyDocument:
    origin = _origin(address)
    keys = frozenset(k for k in ("Action", "Resource", "Principal") if k in statement)
    principals = tuple(PrincipalRef("AWS", str(v)) for v in [statement.get("Principal")] if v)
    made = Statement(
        origin,
        0,
        None,
        Effect.ALLOW,
        actions=(str(statement["Action"]),),
        resources=(str(statement["Resource"]),) if "Resource" in statement else (),
        principals=principals,
        keys=keys,
    )
    return PolicyDocument(origin, (made,), "2012-10-17")


def chain_benchmark(catalog: ActionCatalog) -> None:
    """5,000 roles, each may assume the next; only the last is an administrator."""
    builder = GraphBuilder()
    account = "arn:aws:iam::123456789012"
    for index in range(PRINCIPALS):
        address = f"aws_iam_role.c{index}"
        builder.add_principal(Principal(PrincipalKind.ROLE, address, f"c{index}", _origin(address)))
        if index:
            previous = f"{account}:role/c{index - 1}" if index % 2 == 0 else f"{account}:root"
            trust = _document(
                f"{address}#trust", {"Action": "sts:AssumeRole", "Principal": previous}
            )
            builder.add_policy(
                Policy(trust.origin.address, PolicyKind.TRUST, None, trust, trust.origin)
            )
            builder.link(trust.origin.address, address, EdgeKind.TRUSTS, _origin(address), "trust")
        grant = {"Action": "sts:AssumeRole", "Resource": f"{account}:role/c{index + 1}"}
        if index == PRINCIPALS - 1:
            grant = {"Action": "*", "Resource": "*"}
        policy = _document(f"{address}#policy", grant)
        builder.add_policy(
            Policy(policy.origin.address, PolicyKind.INLINE, None, policy, policy.origin)
        )
        builder.link(policy.origin.address, address, EdgeKind.INLINE, _origin(address), "inline")
    graph = builder.build()
    started = time.perf_counter()
    analyzer = Analyzer(graph, catalog)
    privileged = sum(analyzer.privilege(p) is not None for p in graph.principals())
    longest = max(
        v.chain.length for p in graph.principals() if (v := analyzer.privilege(p)) and v.chain
    )
    elapsed = time.perf_counter() - started
    print(
        f"{PRINCIPALS} roles in a chain: {elapsed:.2f} s ({privileged} privileged, "
        f"longest chain {longest} roles)"
    )


if __name__ == "__main__":
    main()
