"""``iacguard access`` and ``iacguard graph`` on real plans."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from iacguard.cli import app
from tests.conftest import TERRAFORM

ACCESS_VIEW = str(TERRAFORM / "access_view" / "plan.json")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_access_tells_who_is_admin_and_why() -> None:
    code, out, _ = run("access", ACCESS_VIEW)
    assert code == 0
    lines = out.splitlines()
    summary = lines[: lines.index("")]
    assert summary[2:] == [
        "  ADMIN      group 'aws_iam_group.operators': '*' on '*' from AWS-managed policy "
        "'AdministratorAccess'",
        "  ADMIN      user 'aws_iam_user.dana' [MFA enforced: no]: '*' on '*' from AWS-managed "
        "policy 'AdministratorAccess' via group 'aws_iam_group.operators'",
        "  PRIVILEGED role 'aws_iam_role.deployer': escalation path ec2-001 (iam:PassRole from "
        "policy 'iacguard-fixture-deployer'; ec2:RunInstances from policy "
        "'iacguard-fixture-deployer')",
    ]
    assert "  groups: aws_iam_group.developers, aws_iam_group.operators" in lines
    assert (
        "    s3: Read (1): GetObject; List (1): ListBucket <- policy "
        "'iacguard-fixture-reports-read' via group 'aws_iam_group.developers'"
    ) in lines


def test_access_one_principal_with_escalation_sources() -> None:
    code, out, _ = run("access", ACCESS_VIEW, "--principal", "aws_iam_role.deployer")
    assert code == 0
    assert "user 'aws_iam_user.dana'" not in out
    assert (
        "  assumable by: AWS arn:aws:iam::123456789012:user/iacguard-fixture-dana (with MFA)" in out
    )
    assert "      iam:PassRole <- policy 'iacguard-fixture-deployer'\n" in out


def test_access_marks_grants_that_need_mfa() -> None:
    mfa = str(TERRAFORM / "mfa" / "plan.json")
    code, out, _ = run("access", mfa, "--principal", "aws_iam_user.bob")
    assert code == 0
    assert "    * (every action of every service) (needs MFA) <- AWS-managed policy" in out
    assert "MFA enforced: yes, by policy 'iacguard-fixture-enforce-mfa'" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("access", "missing.json"), "no such file", id="missing-path"),
        pytest.param(
            ("access", ACCESS_VIEW, "--principal", "aws_iam_user.nobody"),
            "no principal 'aws_iam_user.nobody'",
            id="unknown-principal",
        ),
        pytest.param(("graph", ACCESS_VIEW, "--format", "png"), "unknown --format", id="format"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert message in err


def test_bad_json_exits_2(tmp_path: object) -> None:
    from pathlib import Path

    bad = Path(str(tmp_path)) / "plan.json"
    bad.write_text('{"format_version": "1.2", "planned_values": ')
    code, _, err = run("graph", str(bad))
    assert code == 2
    assert len(err.splitlines()) == 1


def test_graph_json_has_principals_policies_and_trust() -> None:
    code, out, _ = run("graph", ACCESS_VIEW, "--format", "json")
    assert code == 0
    document = json.loads(out)
    nodes = {n["id"]: n for n in document["nodes"]}
    assert nodes["aws_iam_user.dana"]["kind"] == "user"
    assert nodes["arn:aws:iam::aws:policy/AdministratorAccess"]["detail"] == "aws-managed"
    edges = {(e["source"], e["target"], e["kind"]) for e in document["edges"]}
    assert ("aws_iam_user.dana", "aws_iam_group.operators", "member-of") in edges
    assert ("aws_iam_user.dana", "aws_iam_role.deployer", "can-assume") in edges
    assert (
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "aws_iam_group.operators",
        "attached",
    ) in edges


def test_graph_mermaid() -> None:
    code, out, _ = run("graph", ACCESS_VIEW, "--format", "mermaid")
    assert code == 0
    assert out.startswith("flowchart LR\n")
    assert '"can-assume: by ARN (MFA)"' in out


def test_graph_shows_resource_policies() -> None:
    code, out, _ = run("graph", str(TERRAFORM / "resource_policies" / "plan.json"), "-f", "json")
    assert code == 0
    kinds = {n["detail"] for n in json.loads(out)["nodes"]}
    assert "aws_s3_bucket_policy" in kinds


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("case", ["access_view", "escalation", "trust"])
def test_dot_renders_with_graphviz(case: str) -> None:
    code, out, _ = run("graph", str(TERRAFORM / case / "plan.json"), "--format", "dot")
    assert code == 0
    rendered = subprocess.run(
        ["dot", "-Tsvg"], input=out, capture_output=True, text=True, check=False
    )
    assert rendered.returncode == 0, rendered.stderr
    assert "<svg" in rendered.stdout
