"""Secrets seeded into a plan, a template and an HCL directory never appear in any output
format, in debug logging, or in the ``access`` and ``graph`` views."""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import run_cli

KEY_ID = "AKIA" + "SEEDEDKEYROBUST1"
SECRET_KEY = "wJalrXUtnROBUSTSEEDK7MDENGbPxRfiCY" + "EXAMPL"
PASSWORD = "Robust-Seeded-Passw0rd!"
SENSITIVE = "sensitive-seeded-value-9f2c"
NO_ECHO = "NoEchoDefaultSeeded-77x"
SMTP = "BSeededSmtpPasswordRobustxxxxxxxxxxxxxxxxxx"
SECRETS = (KEY_ID, SECRET_KEY, PASSWORD, SENSITIVE, NO_ECHO, SMTP)

ADMIN = json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def _resource(rtype: str, name: str, values: dict[str, object]) -> dict[str, object]:
    return {"address": f"{rtype}.{name}", "mode": "managed", "type": rtype, "name": name,
            "values": values}  # fmt: skip


def _plan() -> dict[str, object]:
    resources = [
        _resource("aws_iam_user", "u", {"name": "u"}),
        _resource("aws_iam_access_key", "k", {"user": "u", "status": "Active", "id": KEY_ID,
                                              "secret": SECRET_KEY, "ses_smtp_password_v4": SMTP}),
        _resource("aws_iam_user_login_profile", "p", {"user": "u", "password": PASSWORD}),
        _resource("aws_iam_user_policy", "admin", {"user": "u", "name": "a", "policy": ADMIN}),
        _resource("aws_ssm_parameter", "s", {"name": "aws_secret_access_key", "type": "String",
                                             "value": SECRET_KEY}),
        _resource("aws_lambda_function", "f", {"function_name": "f", "environment": [
            {"variables": {"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                           "DB_PASSWORD": PASSWORD, "TOKEN": SENSITIVE}}]}),
    ]  # fmt: skip
    changes = [
        {"address": r["address"], "type": r["type"],
         "change": {"actions": ["create"], "after": r["values"], "after_unknown": {},
                    "after_sensitive": {key: True for key in r["values"] if key != "policy"}}}
        for r in resources
    ]  # fmt: skip
    return {
        "format_version": "1.2",
        "planned_values": {
            "root_module": {"resources": resources},
            "outputs": {"secret": {"sensitive": True, "value": SECRET_KEY},
                        "password": {"sensitive": True, "value": PASSWORD}},
        },
        "resource_changes": changes,
        "output_changes": {
            "secret": {"actions": ["create"], "after": SECRET_KEY, "after_unknown": False,
                       "after_sensitive": True},
            "password": {"actions": ["create"], "after": PASSWORD, "after_unknown": False,
                         "after_sensitive": True},
            "token": {"actions": ["create"], "after": SENSITIVE, "after_unknown": False,
                      "after_sensitive": True},
        },
        "variables": {"db_password": {"value": PASSWORD}, "token": {"value": SENSITIVE}},
        "configuration": {
            "provider_config": {"aws": {"name": "aws", "expressions": {
                "access_key": {"constant_value": KEY_ID},
                "secret_key": {"constant_value": SECRET_KEY}}}},
            "root_module": {
                "outputs": {
                    "secret": {"sensitive": True,
                               "expression": {"references": ["aws_iam_access_key.k.secret",
                                                             "aws_iam_access_key.k"]}},
                    "password": {"sensitive": True, "expression": {"references": [
                        "aws_iam_user_login_profile.p.password", "aws_iam_user_login_profile.p"]}},
                },
                "variables": {"db_password": {"sensitive": True, "default": PASSWORD},
                              "token": {"sensitive": True}},
            },
        },
    }  # fmt: skip


TEMPLATE = f"""\
Parameters:
  DbPassword:
    Type: String
    NoEcho: true
    Default: {NO_ECHO}
  KeyId:
    Type: String
    Default: {KEY_ID}
  Secret:
    Type: String
    Default: {SECRET_KEY}
Resources:
  User:
    Type: AWS::IAM::User
    Properties:
      LoginProfile:
        Password: {PASSWORD}
      Policies:
        - PolicyName: admin
          PolicyDocument: {ADMIN}
  Key:
    Type: AWS::IAM::AccessKey
    Properties:
      UserName: !Ref User
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Role: arn:aws:iam::111122223333:role/r
      Environment:
        Variables:
          AWS_ACCESS_KEY_ID: {KEY_ID}
          AWS_SECRET_ACCESS_KEY: {SECRET_KEY}
          TOKEN: {SENSITIVE}
  Param:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: {SECRET_KEY}
Outputs:
  Secret:
    Value: !GetAtt Key.SecretAccessKey
  Password:
    Value: !Ref DbPassword
"""

HCL = f"""\
provider "aws" {{
  access_key = "{KEY_ID}"
  secret_key = "{SECRET_KEY}"
}}
variable "db_password" {{
  sensitive = true
  default   = "{PASSWORD}"
}}
variable "token" {{
  default = "{SENSITIVE}"
}}
resource "aws_iam_user" "u" {{
  name = "u"
}}
resource "aws_iam_user_login_profile" "p" {{
  user     = aws_iam_user.u.name
  password = var.db_password
}}
resource "aws_iam_access_key" "k" {{
  user = aws_iam_user.u.name
}}
resource "aws_iam_user_policy" "admin" {{
  user   = aws_iam_user.u.name
  policy = jsonencode({{ Statement = [{{ Effect = "Allow", Action = "*", Resource = "*" }}] }})
}}
resource "aws_lambda_function" "f" {{
  function_name = "f"
  environment {{
    variables = {{
      AWS_ACCESS_KEY_ID     = "{KEY_ID}"
      AWS_SECRET_ACCESS_KEY = "{SECRET_KEY}"
      TOKEN                 = var.token
    }}
  }}
}}
resource "aws_ssm_parameter" "s" {{
  name  = "aws_secret_access_key"
  type  = "String"
  value = "{SECRET_KEY}"
}}
output "secret" {{
  value     = aws_iam_access_key.k.secret
  sensitive = true
}}
output "password" {{
  value = var.db_password
}}
"""

COMMANDS = [
    *(["check", "-f", fmt] for fmt in ("text", "json", "sarif", "junit", "github", "markdown")),
    ["check", "-v", "--debug", "-f", "json"],
    ["access"],
    *(["graph", "-f", fmt] for fmt in ("json", "dot", "mermaid")),
]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("secrets")
    (root / "plan").mkdir()
    (root / "plan" / "plan.json").write_text(json.dumps(_plan()))
    (root / "cfn").mkdir()
    (root / "cfn" / "template.yaml").write_text(TEMPLATE)
    (root / "hcl").mkdir()
    (root / "hcl" / "main.tf").write_text(HCL)
    return {
        "plan": root / "plan" / "plan.json",
        "cloudformation": root / "cfn" / "template.yaml",
        "hcl": root / "hcl",
    }


@dataclass(frozen=True)
class Run:
    """One command's exit code and everything it wrote, debug logging included."""

    exit_code: int
    stdout: str
    stderr: str


def _run(arguments: list[str]) -> Run:
    """Run the CLI in-process; with ``-v``, what it logs at DEBUG counts as its stderr.

    (``-v`` turns on ``logging.basicConfig``, which in a test process is a no-op: the
    root logger already has handlers. So the log is captured here instead.)
    """
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if "-v" in arguments else level)
    try:
        outcome = run_cli(*arguments)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    assert outcome.exception is None, outcome.exception
    return Run(outcome.exit_code, outcome.stdout, outcome.stderr + log.getvalue())


@pytest.fixture(scope="module")
def runs(inputs: dict[str, Path]) -> dict[tuple[str, str], Run]:
    """Every command on every input."""
    return {
        (kind, " ".join(command)): _run([*command, str(path)])
        for kind, path in inputs.items()
        for command in COMMANDS
    }


@pytest.mark.parametrize("kind", ["plan", "cloudformation", "hcl"])
@pytest.mark.parametrize("command", [" ".join(c) for c in COMMANDS])
def test_no_secret_in_any_output(runs: dict[tuple[str, str], Run], kind: str, command: str) -> None:
    done = runs[(kind, command)]
    assert "Traceback" not in done.stderr
    if command.startswith("check"):
        assert done.exit_code == 1, done.stderr[-2000:]  # the seeded findings are reported
    else:
        assert done.exit_code == 0, done.stderr[-2000:]
    assert done.stdout.strip()
    for secret in SECRETS:
        assert secret not in done.stdout
        assert secret not in done.stderr


@pytest.mark.parametrize("kind", ["plan", "cloudformation", "hcl"])
def test_the_seeded_credentials_are_found(runs: dict[tuple[str, str], Run], kind: str) -> None:
    report = json.loads(runs[(kind, "check -f json")].stdout)
    rules = {finding["rule_id"] for finding in report["findings"]}
    assert {"IAM101", "IAM301"} <= rules
