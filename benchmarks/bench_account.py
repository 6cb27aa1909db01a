"""Benchmark (not a test): ``iacguard check`` on account authorization details of
10,000 roles and 2,000 users (issue target: at most 15 s and 1 GB on a 2-core machine).

Run: ``python benchmarks/bench_account.py [--roles 10000] [--users 2000]``. Writes a
synthetic export in the AWS CLI's shape to a temporary directory: 50 groups, 200
customer-managed policies (two versions each), users in one to three groups, roles
trusting a service, an account or another role, each with an inline policy and one or
two managed policies; a few administrators and escalation paths. Prints the wall time
and peak RSS of the whole process.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACCOUNT = "111122223333"
SERVICES = ("s3", "dynamodb", "sqs", "sns", "lambda", "logs", "ec2", "kms", "ssm")


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/{name}"


def _document(rng: random.Random, admin: bool = False) -> dict[str, object]:
    if admin:
        return {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        }
    service = rng.choice(SERVICES)
    actions = [
        f"{service}:{verb}*" for verb in rng.sample(["Get", "List", "Put", "Describe", "Delete"], 2)
    ]
    resource = f"arn:aws:{service}:us-east-1:{ACCOUNT}:app-{rng.randrange(100)}/*"
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}],
    }


def snapshot(roles: int, users: int, seed: int = 7) -> dict[str, object]:
    """A synthetic export with *roles* roles and *users* users."""
    rng = random.Random(seed)
    policies = [
        {
            "PolicyName": f"policy-{i}",
            "Arn": _arn("policy", f"policy-{i}"),
            "Path": "/",
            "DefaultVersionId": "v2",
            "PolicyVersionList": [
                {
                    "Document": _document(rng, admin=i == 0),
                    "VersionId": "v2",
                    "IsDefaultVersion": True,
                },
                {"Document": _document(rng), "VersionId": "v1", "IsDefaultVersion": False},
            ],
        }
        for i in range(200)
    ]
    groups = [
        {
            "GroupName": f"group-{i}",
            "Arn": _arn("group", f"group-{i}"),
            "Path": "/",
            "GroupPolicyList": [],
            "AttachedManagedPolicies": [
                {"PolicyArn": _arn("policy", f"policy-{rng.randrange(1, 200)}")}
            ],
        }
        for i in range(50)
    ]
    user_list = [
        {
            "UserName": f"user-{i}",
            "Arn": _arn("user", f"user-{i}"),
            "Path": "/",
            "GroupList": [f"group-{g}" for g in rng.sample(range(50), rng.randint(1, 3))],
            "UserPolicyList": [],
            "AttachedManagedPolicies": [],
        }
        for i in range(users)
    ]
    role_list = []
    for i in range(roles):
        kind = i % 3
        if kind == 0:
            principal: dict[str, object] = {"Service": "lambda.amazonaws.com"}
        elif kind == 1:
            principal = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
        else:
            principal = {"AWS": _arn("role", f"role-{rng.randrange(roles)}")}
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}],
        }
        attached = [
            {"PolicyArn": _arn("policy", f"policy-{rng.randrange(200)}")}
            for _ in range(rng.randint(1, 2))
        ]
        role_list.append(
            {
                "RoleName": f"role-{i}",
                "Arn": _arn("role", f"role-{i}"),
                "Path": "/",
                "AssumeRolePolicyDocument": trust,
                "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": _document(rng)}],
                "AttachedManagedPolicies": attached,
            }
        )
    return {
        "UserDetailList": user_list,
        "GroupDetailList": groups,
        "RoleDetailList": role_list,
        "Policies": policies,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--roles", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "account-authorization-details.json"
        path.write_text(json.dumps(snapshot(args.roles, args.users)))
        size = path.stat().st_size / 1e6
        command = [
            sys.executable,
            "-m",
            "iacguard",
            "check",
            str(path),
            "-f",
            "json",
            "-o",
            os.devnull,
        ]
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        print(
            f"authorization details: {args.roles} roles, {args.users} users ({size:.1f} MB): "
            f"exit {code}, {wall:.1f} s wall, {usage.ru_utime + usage.ru_stime:.1f} s CPU, "
            f"peak {usage.ru_maxrss / 1024:.0f} MB (target: 15 s, 1 GB)"
        )


if __name__ == "__main__":
    main()
