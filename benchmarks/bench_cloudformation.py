"""Time a scan of a generated 5,000-line CloudFormation template (a benchmark, not a test).

Run: ``python benchmarks/bench_cloudformation.py [LINES]``. Prints the one-time cost of
importing cfn-lint, and the best of five full scans (decode, graph, every check).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from iacguard.engine import ScanOptions, scan
from iacguard.plugins import collect_checks, get_plugin_manager

_ROLE = """\
  Role{n}:
    Type: AWS::IAM::Role
    Condition: {condition}
    Properties:
      RoleName: !Sub "${{AWS::StackName}}-role-{n}"
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: lambda.amazonaws.com}}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - !Ref Policy{n}
      Policies:
        - PolicyName: inline-{n}
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: [sqs:ReceiveMessage, sqs:DeleteMessage]
                Resource: !Sub arn:aws:sqs:${{AWS::Region}}:${{AWS::AccountId}}:q-{n}
  Policy{n}:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: [s3:GetObject, s3:PutObject]
            Resource: !Join ["", ["arn:aws:s3:::bucket-{n}/", "*"]]
          - Effect: Allow
            Action: !If [IsProd, "s3:*", "s3:ListBucket"]
            Resource: "*"
"""
_HEADER = """\
AWSTemplateFormatVersion: "2010-09-09"
Conditions:
  IsProd: !Equals [!Ref "AWS::AccountId", "123456789012"]
Resources:
"""


def template(lines: int) -> str:
    """A template of about *lines* lines: roles with inline and managed policies."""
    parts = [_HEADER]
    n = 0
    while sum(part.count("\n") for part in parts) < lines:
        parts.append(_ROLE.format(n=n, condition="IsProd"))
        n += 1
    return "".join(parts)


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    start = time.perf_counter()
    import cfnlint.decode  # noqa: F401  (the one-time import, measured on its own)

    imported = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        text = template(lines)
        path.write_text(text)
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            result = scan([path], registry, ScanOptions())
            timings.append(time.perf_counter() - start)
    print(f"template: {text.count(chr(10))} lines, {len(result.findings)} findings")
    print(f"cfn-lint import (once per process): {imported:.3f} s")
    print(f"scan, best of 5: {min(timings):.3f} s (worst {max(timings):.3f} s)")


if __name__ == "__main__":
    main()
