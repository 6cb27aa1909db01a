"""Hostile corpus, class *wrong pass*: input a scanner could skip without a word, each
hiding an administrator policy (#13 "no silent skips").

Every case runs the CLI in-process on a tree written at run time and asserts the exact
outcome: the findings (rule, resource, file, line) and the exit code, or, for what
iacguard cannot read, exit 2 and the one diagnostic that names the file and construct.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iacguard.cli import ExitCode, app

ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
READER = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::r/*"}],
}
#: a role trusting EC2, for templates (YAML flow style fits any layout)
TRUST = (
    "{Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, "
    "Action: sts:AssumeRole}]}"
)
ADMIN_FLOW = '{Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}'


def _tf_policy(name: str, document: object) -> str:
    policy = json.dumps(json.dumps(document))
    return f'resource "aws_iam_policy" "{name}" {{\n  policy = {policy}\n}}\n'


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


# ---------------------------------------------------------------------- the cases
# each builds a tree under the given directory and returns the path to scan


def comment_with_fake_module_source(root: Path) -> Path:
    """A commented-out module call must not make ``admin/`` a module."""
    return _write(
        root,
        {
            "app/main.tf": '/*\nmodule "admin" {\n  source = "../admin"\n}\n*/\n'
            'resource "aws_iam_user" "u" {\n  name = "u"\n}\n',
            "admin/main.tf": _tf_policy("admin", ADMIN),
        },
    )


def heredoc_with_fake_module_source(root: Path) -> Path:
    return _write(
        root,
        {
            "app/main.tf": 'locals {\n  readme = <<-EOT\n    source = "../admin"\n  EOT\n}\n',
            "admin/main.tf": _tf_policy("admin", ADMIN),
        },
    )


def override_grants_admin(root: Path) -> Path:
    """``main.tf`` reads fine alone; ``override.tf`` replaces its policy."""
    return _write(root, {"main.tf": _tf_policy("p", READER), "override.tf": _tf_policy("p", ADMIN)})


def json_override_widens_a_local(root: Path) -> Path:
    return _write(
        root,
        {
            "main.tf": 'locals {\n  action = "s3:GetObject"\n}\n'
            'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ '
            'Effect = "Allow", Action = local.action, Resource = "*" }] })\n}\n',
            "ci_override.tf.json": '{"locals": {"action": "*"}}',
        },
    )


def tf_json_admin_policy(root: Path) -> Path:
    """A directory of ``.tf.json`` files only: a Terraform root, not unknown JSON."""
    config = {"resource": {"aws_iam_policy": {"admin": {"policy": json.dumps(ADMIN)}}}}
    return _write(root, {"generated.tf.json": json.dumps(config, indent=2)})


def tf_json_interpolated_admin(root: Path) -> Path:
    config = {
        "//": "generated",
        "locals": {"everything": "*"},
        "resource": {
            "aws_iam_policy": {
                "admin": {
                    "//": "looks harmless",
                    "policy": '${jsonencode({Statement = [{Effect = "Allow", '
                    'Action = local.everything, Resource = "*"}]})}',
                }
            }
        },
    }
    return _write(root, {"main.tf.json": json.dumps(config, indent=2)})


def tfvars_json_sets_admin_actions(root: Path) -> Path:
    return _write(
        root,
        {
            "main.tf": 'variable "actions" {\n  default = ["s3:GetObject"]\n}\n'
            'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ '
            'Effect = "Allow", Action = var.actions, Resource = "*" }] })\n}\n',
            "prod.auto.tfvars.json": '{"actions": ["*"]}',
        },
    )


def foreach_admin_roles(root: Path) -> Path:
    return _write(
        root,
        {
            "stack.yaml": "Transform: AWS::LanguageExtensions\nResources:\n"
            "  Fn::ForEach::Admins:\n    - Team\n    - [Red, Blue]\n    - ${Team}Admin:\n"
            "        Type: AWS::IAM::Role\n        Properties:\n"
            f"          AssumeRolePolicyDocument: {TRUST}\n"
            f"          Policies: [{{PolicyName: a, PolicyDocument: {ADMIN_FLOW}}}]\n"
        },
    )


def foreach_key_written_with_escapes(root: Path) -> Path:
    """The loop key spelled with YAML escapes: found by parsing, not by grepping."""
    return _write(
        root,
        {
            "stack.yaml": 'Resources:\n  "Fn::For\\x45ach::Admins":\n    - Team\n    - [Ops]\n'
            "    - ${Team}Admin:\n        Type: AWS::IAM::Role\n        Properties:\n"
            f"          AssumeRolePolicyDocument: {TRUST}\n"
            f"          Policies: [{{PolicyName: a, PolicyDocument: {ADMIN_FLOW}}}]\n"
        },
    )


def flow_style_template(root: Path) -> Path:
    return _write(
        root,
        {
            "stack.yml": "{AWSTemplateFormatVersion: '2010-09-09', Resources: {Admin: {Type: "
            f"AWS::IAM::Role, Properties: {{AssumeRolePolicyDocument: {TRUST}, Policies: "
            f"[{{PolicyName: a, PolicyDocument: {ADMIN_FLOW}}}]}}}}}}}}\n"
        },
    )


def indented_template(root: Path) -> Path:
    return _write(
        root,
        {
            "stack.yaml": "---\n  AWSTemplateFormatVersion: '2010-09-09'\n  Resources:\n"
            "    Admin:\n      Type: AWS::IAM::Role\n      Properties:\n"
            f"        AssumeRolePolicyDocument: {TRUST}\n"
            f"        Policies: [{{PolicyName: a, PolicyDocument: {ADMIN_FLOW}}}]\n"
        },
    )


def json_template_with_escaped_key(root: Path) -> Path:
    """``"Res\\u006furces"`` is ``Resources`` once decoded."""
    template = (
        '{"Res\\u006furces": {"Admin": {"Type": "AWS::IAM::ManagedPolicy", '
        f'"Properties": {{"PolicyDocument": {json.dumps(ADMIN)}}}}}}}}}'
    )
    return _write(root, {"stack.json": template})


WRONG_PASSES: dict[str, tuple[Callable[[Path], Path], set[tuple[str, str, str, int]]]] = {
    "comment-fake-source": (
        comment_with_fake_module_source,
        {("IAM301", "aws_iam_policy.admin", "admin/main.tf", 1)},
    ),
    "heredoc-fake-source": (
        heredoc_with_fake_module_source,
        {("IAM301", "aws_iam_policy.admin", "admin/main.tf", 1)},
    ),
    "override-admin": (override_grants_admin, {("IAM301", "aws_iam_policy.p", "main.tf", 1)}),
    "json-override-local": (
        json_override_widens_a_local,
        {("IAM301", "aws_iam_policy.p", "main.tf", 4)},
    ),
    "tf-json-admin": (
        tf_json_admin_policy,
        {("IAM301", "aws_iam_policy.admin", "generated.tf.json", 4)},
    ),
    "tf-json-interpolated": (
        tf_json_interpolated_admin,
        {("IAM301", "aws_iam_policy.admin", "main.tf.json", 8)},
    ),
    "tfvars-json": (tfvars_json_sets_admin_actions, {("IAM301", "aws_iam_policy.p", "main.tf", 4)}),
    "foreach-admin-roles": (
        foreach_admin_roles,
        {("IAM301", "RedAdmin", "stack.yaml", 10), ("IAM301", "BlueAdmin", "stack.yaml", 10)},
    ),
    "foreach-escaped-key": (
        foreach_key_written_with_escapes,
        {("IAM301", "OpsAdmin", "stack.yaml", 9)},
    ),
    "flow-style-template": (flow_style_template, {("IAM301", "Admin", "stack.yml", 1)}),
    "indented-template": (indented_template, {("IAM301", "Admin", "stack.yaml", 8)}),
    "json-escaped-resources-key": (
        json_template_with_escaped_key,
        {("IAM301", "Admin", "stack.json", 1)},
    ),
}


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("NO_COLOR", "1")
    return CliRunner()


def _check(runner: CliRunner, path: Path) -> tuple[int, dict[str, object], str]:
    result = runner.invoke(app, ["check", str(path), "--format", "json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout), result.stderr


@pytest.mark.parametrize("case", sorted(WRONG_PASSES))
def test_hidden_admin_is_found(
    case: str, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build, expected = WRONG_PASSES[case]
    monkeypatch.chdir(tmp_path)
    exit_code, report, stderr = _check(runner, build(tmp_path / "tree"))
    findings = report["findings"]
    assert isinstance(findings, list)
    found = {
        (f["rule_id"], f["resource"], f["file"].removeprefix("tree/"), f["line"])
        for f in findings
        if f["rule_id"] == "IAM301"
    }
    assert found == expected
    assert report["complete"] is True, stderr
    assert exit_code == ExitCode.FINDINGS


# ---------------------------------------------------------------------- what is not read


def foreach_over_unknown_parameter(root: Path) -> Path:
    return _write(
        root,
        {
            "stack.yaml": "Transform: AWS::LanguageExtensions\n"
            "Parameters:\n  Teams: {Type: CommaDelimitedList}\nResources:\n"
            "  Fn::ForEach::Admins:\n    - Team\n    - !Ref Teams\n    - ${Team}Admin:\n"
            "        Type: AWS::IAM::Role\n        Properties:\n"
            f"          AssumeRolePolicyDocument: {TRUST}\n"
            f"          Policies: [{{PolicyName: a, PolicyDocument: {ADMIN_FLOW}}}]\n"
        },
    )


def macro_transform(root: Path) -> Path:
    return _write(
        root,
        {"stack.yaml": "Transform: AdminMacro\nResources:\n  Topic: {Type: AWS::SNS::Topic}\n"},
    )


def remote_module(root: Path) -> Path:
    return _write(
        root,
        {"main.tf": 'module "admin" {\n  source = "git::https://example.com/admin.git"\n}\n'},
    )


INCOMPLETE: dict[str, tuple[Callable[[Path], Path], str]] = {
    "foreach-unknown-collection": (
        foreach_over_unknown_parameter,
        "tree/stack.yaml:5: Fn::ForEach::Admins not expanded: parameter 'Teams' has no "
        "default, so what it makes is known only at deploy and not scanned",
    ),
    "macro-transform": (
        macro_transform,
        "tree/stack.yaml:1: transform 'AdminMacro' is not expanded: what it adds or changes "
        "is not scanned",
    ),
}


@pytest.mark.parametrize("case", sorted(INCOMPLETE))
def test_what_cannot_be_read_makes_the_scan_incomplete(
    case: str, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build, message = INCOMPLETE[case]
    monkeypatch.chdir(tmp_path)
    exit_code, report, stderr = _check(runner, build(tmp_path / "tree"))
    assert exit_code == ExitCode.USAGE_ERROR
    assert report["complete"] is False
    assert stderr.splitlines() == [f"iacguard: error: {message} [IAM003]"]
    assert "example.com" not in stderr  # a module source (maybe with a token) is not shown


def test_a_module_not_installed_is_noted_by_name_not_by_source(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A registry or git module waits for ``terraform init`` (#14): one note naming the
    call and the command, never the source (which may hold a token)."""
    monkeypatch.chdir(tmp_path)
    exit_code, report, stderr = _check(runner, remote_module(tmp_path / "tree"))
    assert exit_code == ExitCode.OK
    assert stderr.splitlines() == [
        "iacguard: note: tree: 1 module(s) from a registry or git not installed ('admin'): "
        "run terraform init here to scan what they create [IAM003]",
        # nothing else in the root: not one policy is evaluated, which is said (#17)
        "iacguard: warning: tree: not one policy evaluated (1 module not evaluated: source is "
        "not a local directory and is not installed (run terraform init)): a report without "
        "findings here does not mean it is safe [IAM007]",
    ]
    assert report["complete"] is True
