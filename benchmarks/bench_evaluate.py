"""Benchmark (not a test): effective permissions of 5,000 principals x 20 policies each.

Run: ``python benchmarks/bench_evaluate.py``. Prints the time to evaluate every principal,
find its escalation paths and decide whether it is privileged (IAM204/IAM306/IAM404).
"""

from __future__ import annotations

import random
import time
from pathlib import PurePosixPath

from iacguard.analysis.evaluate import Evaluator
from iacguard.analysis.privilege import matching_paths, privilege
from iacguard.catalog import default_catalog
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
    evaluator = Evaluator(graph, catalog)
    privileged = escalating = 0
    for principal in graph.principals():
        perms = evaluator.permissions(principal)
        escalating += any(True for _ in matching_paths(graph, perms))
        privileged += privilege(graph, perms) is not None
    elapsed = time.perf_counter() - started
    print(
        f"{PRINCIPALS} principals x {POLICIES_EACH} policies: {elapsed:.2f} s "
        f"({privileged} privileged, {escalating} with an escalation path)"
    )


if __name__ == "__main__":
    main()
