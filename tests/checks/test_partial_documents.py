"""Policy documents that are partly known in HCL: literal parts decide, unknown parts never.

rules.md: Unknown is never treated as ``*`` (no false alarm) and never as safe for a rule
that needs it (report nothing). A rule that does not need the unknown part still fires.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.engine import ScanOptions, scan
from iacguard.plugins import collect_checks, get_plugin_manager

#: resources every case may refer to: ``aws_s3_bucket.b.arn`` and ``var.x`` are unknown
_BASE = """
resource "aws_s3_bucket" "b" { bucket = "logs" }
variable "x" {}
"""


def _found(tmp_path: Path, hcl: str, rule: str) -> set[str]:
    (tmp_path / "main.tf").write_text(_BASE + hcl)
    registry, problems = collect_checks(get_plugin_manager(load_entrypoints=False))
    assert not problems
    result = scan([tmp_path], registry, ScanOptions())
    assert result.complete, result.diagnostics
    return {f.address for f in result.findings if f.rule_id == rule}


def _identity(statement: str) -> str:
    return f"""
resource "aws_iam_policy" "p" {{
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{statement}] }})
}}
"""


def _trust(statement: str) -> str:
    return f"""
resource "aws_iam_role" "r" {{
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{statement}] }})
}}
"""


def _bucket(statement: str) -> str:
    return f"""
resource "aws_s3_bucket_policy" "bp" {{
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{statement}] }})
}}
"""


_ARN = "aws_s3_bucket.b.arn"
_ANYONE_ASSUMES = 'Effect = "Allow", Action = "sts:AssumeRole"'
_PUBLIC_READ = 'Effect = "Allow", Principal = "*", Action = "s3:GetObject"'

JSONENCODE = [
    pytest.param(
        "IAM301",
        _identity(f'{{ Effect = "Allow", Action = "*", Resource = ["*", {_ARN}] }}'),
        {"aws_iam_policy.p"},
        id="IAM301-star-among-unknown-resources-fires",
    ),
    pytest.param(
        "IAM301",
        _identity(f'{{ Effect = "Allow", Action = "*", Resource = [{_ARN}] }}'),
        set(),
        id="IAM301-unknown-resource-only-silent",
    ),
    pytest.param(
        "IAM301",
        _identity('{ Effect = var.x, Action = "*", Resource = "*" }'),
        set(),
        id="IAM301-unknown-effect-silent",
    ),
    pytest.param(
        "IAM302",
        _identity(f'{{ Effect = "Allow", Action = "s3:*", Resource = {_ARN} }}'),
        {"aws_iam_policy.p"},
        id="IAM302-literal-service-wildcard-fires-whatever-the-resource",
    ),
    pytest.param(
        "IAM302",
        _identity(f'{{ Effect = "Allow", Action = var.x, Resource = {_ARN} }}'),
        set(),
        id="IAM302-unknown-action-silent",
    ),
    pytest.param(
        "IAM303",
        _identity(f'{{ Effect = "Allow", Action = "s3:PutObject", Resource = ["*", {_ARN}] }}'),
        {"aws_iam_policy.p"},
        id="IAM303-literal-star-resource-fires",
    ),
    pytest.param(
        "IAM303",
        _identity(f'{{ Effect = "Allow", Action = "s3:PutObject", Resource = {_ARN} }}'),
        set(),
        id="IAM303-unknown-resource-silent",
    ),
    pytest.param(
        "IAM307",
        _identity('{ Effect = "Allow", Action = ["iam:PassRole", var.x], Resource = "*" }'),
        {"aws_iam_policy.p"},
        id="IAM307-literal-passrole-on-star-fires",
    ),
    pytest.param(
        "IAM307",
        _identity('{ Effect = "Allow", Action = "iam:PassRole", Resource = var.x }'),
        set(),
        id="IAM307-unknown-resource-silent",
    ),
    pytest.param(
        "IAM308",
        _identity('{ Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = "*" }'),
        {"aws_iam_policy.p"},
        id="IAM308-baseline-fires",
    ),
    pytest.param(
        "IAM308",
        _identity(
            '{ Effect = "Allow", Action = "secretsmanager:GetSecretValue", Resource = "*",'
            ' Condition = { StringEquals = { "aws:ResourceTag/team" = var.x } } }'
        ),
        set(),
        id="IAM308-condition-with-unknown-value-is-a-condition",
    ),
    pytest.param(
        "IAM401",
        _trust(f'{{ {_ANYONE_ASSUMES}, Principal = {{ AWS = ["*", {_ARN}] }} }}'),
        {"aws_iam_role.r"},
        id="IAM401-star-among-unknown-principals-fires",
    ),
    pytest.param(
        "IAM401",
        _trust(f"{{ {_ANYONE_ASSUMES}, Principal = {{ AWS = [{_ARN}] }} }}"),
        set(),
        id="IAM401-unknown-principal-silent",
    ),
    pytest.param(
        "IAM401",
        _trust(
            f'{{ {_ANYONE_ASSUMES}, Principal = "*",'
            ' Condition = { StringEquals = { "aws:PrincipalOrgID" = var.x } } }'
        ),
        set(),
        id="IAM401-unknown-restricting-value-silent",
    ),
    pytest.param(
        "IAM401",
        _trust(f'{{ {_ANYONE_ASSUMES}, Principal = "*", Condition = {{ StringEquals = var.x }} }}'),
        set(),
        id="IAM401-unknown-condition-keys-silent",
    ),
    pytest.param(
        "IAM401",
        _trust(
            f'{{ {_ANYONE_ASSUMES}, Principal = "*",'
            ' Condition = { StringEquals = { "aws:RequestedRegion" = var.x } } }'
        ),
        {"aws_iam_role.r"},
        id="IAM401-unknown-value-of-a-key-that-cannot-restrict-fires",
    ),
    pytest.param(
        "IAM401",
        _trust(
            f'{{ {_ANYONE_ASSUMES}, Principal = "*",'
            ' Condition = { StringLike = { "aws:PrincipalArn" = ["*", var.x] } } }'
        ),
        {"aws_iam_role.r"},
        id="IAM401-known-wildcard-value-restricts-nothing-fires",
    ),
    pytest.param(
        "IAM403",
        _trust(
            '{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",'
            ' Principal = { Federated = "token.actions.githubusercontent.com" },'
            " Condition = { StringLike = var.x } }"
        ),
        set(),
        id="IAM403-unknown-condition-keys-silent",
    ),
    pytest.param(
        "IAM501",
        _bucket(f'{{ {_PUBLIC_READ}, Resource = "${{{_ARN}}}/*" }}'),
        {"aws_s3_bucket_policy.bp"},
        id="IAM501-literal-public-principal-fires-whatever-the-resource",
    ),
    pytest.param(
        "IAM501",
        _bucket(
            f'{{ {_PUBLIC_READ}, Resource = "*",'
            ' Condition = { StringEquals = { "aws:SourceVpce" = var.x } } }'
        ),
        set(),
        id="IAM501-unknown-restricting-value-silent",
    ),
    pytest.param(
        "IAM501",
        _bucket(f'{{ Effect = "Allow", Principal = {{ AWS = {_ARN} }}, Action = "s3:*" }}'),
        set(),
        id="IAM501-unknown-principal-silent",
    ),
]


@pytest.mark.parametrize(("rule", "hcl", "expected"), JSONENCODE)
def test_jsonencode_with_unknown_parts(
    tmp_path: Path, rule: str, hcl: str, expected: set[str]
) -> None:
    assert _found(tmp_path, hcl, rule) == expected


def _document(body: str) -> str:
    return f"""
data "aws_iam_policy_document" "d" {{
{body}
}}
resource "aws_iam_policy" "p" {{ policy = data.aws_iam_policy_document.d.json }}
resource "aws_s3_bucket_policy" "bp" {{
  bucket = aws_s3_bucket.b.id
  policy = data.aws_iam_policy_document.d.json
}}
"""


POLICY_DOCUMENT = [
    pytest.param(
        "IAM302",
        _document(
            f'statement {{\n actions = ["ec2:*"]\n resources = [{_ARN}, "${{{_ARN}}}/*"]\n}}'
        ),
        {"aws_iam_policy.p"},
        id="unknown-resources-keep-the-literal-actions",
    ),
    pytest.param(
        "IAM501",
        _document(
            'statement {\n actions = ["s3:GetObject"]\n resources = ["*"]\n'
            ' principals {\n  type = "*"\n  identifiers = ["*"]\n }\n'
            ' condition {\n  test = "StringEquals"\n  variable = "aws:SourceVpce"\n'
            "  values = [var.x]\n }\n}"
        ),
        set(),
        id="unknown-condition-value-silent",
    ),
    pytest.param(
        "IAM501",
        _document(
            'statement {\n actions = ["s3:GetObject"]\n resources = ["*"]\n'
            ' principals {\n  type = "AWS"\n  identifiers = ["*", var.x]\n }\n}'
        ),
        {"aws_s3_bucket_policy.bp"},
        id="literal-star-among-unknown-identifiers-fires",
    ),
    pytest.param(
        "IAM501",
        _document(
            'statement {\n actions = ["s3:GetObject"]\n resources = ["*"]\n'
            ' principals {\n  type = "*"\n  identifiers = ["*"]\n }\n'
            ' condition {\n  test = "StringEquals"\n  variable = var.x\n  values = ["a"]\n }\n}'
        ),
        set(),
        id="unknown-condition-variable-silent",
    ),
    pytest.param(
        "IAM302",
        _document(
            'dynamic "statement" {\n for_each = var.x\n'
            ' content {\n  actions = ["ec2:*"]\n  resources = ["*"]\n }\n}\n'
            'statement {\n actions = ["s3:*"]\n resources = ["*"]\n}'
        ),
        {"aws_iam_policy.p"},  # #17: the unknown statements hide the known one no more
        id="unknown-dynamic-statements-keep-the-known-statement",
    ),
    pytest.param(
        "IAM302",
        _document(
            'statement {\n sid = var.x\n actions = ["ec2:*"]\n resources = ["*"]\n}\n'
            'override_policy_documents = [jsonencode({ Statement = [{ Sid = "S",'
            ' Effect = "Deny", Action = "*", Resource = "*" }] })]'
        ),
        set(),
        id="unknown-sid-deciding-a-merge-makes-the-document-unknown",
    ),
]


@pytest.mark.parametrize(("rule", "hcl", "expected"), POLICY_DOCUMENT)
def test_policy_document_data_source_with_unknown_parts(
    tmp_path: Path, rule: str, hcl: str, expected: set[str]
) -> None:
    assert _found(tmp_path, hcl, rule) == expected


def _heredoc(text: str) -> str:
    return f"""
resource "aws_iam_policy" "p" {{
  policy = <<EOT
{text}
EOT
}}
"""


TEMPLATES = [
    pytest.param(
        _heredoc(
            '{"Statement": [{"Effect": "Allow", "Action": "iam:*",'
            f' "Resource": "${{{_ARN}}}/*"}}]}}'
        ),
        {"aws_iam_policy.p"},
        id="unknown-interpolation-inside-a-string",
    ),
    pytest.param(
        _heredoc(
            '{"Statement": [{"Effect": "Allow", "Action": "iam:*",'
            ' "Resource": ${jsonencode(var.x)}}]}'
        ),
        {"aws_iam_policy.p"},  # #17: an unknown JSON value outside a string is one Unknown
        id="unknown-interpolation-outside-a-string-is-an-unknown-value",
    ),
    pytest.param(
        _heredoc(
            '{"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"'
            '%{ if var.x }, "Condition": {"Bool": {"aws:SecureTransport": "true"}}%{ endif }}]}'
        ),
        set(),
        id="template-directives-stay-unknown",
    ),
    pytest.param(
        """
resource "aws_iam_policy" "p" {
  policy = templatefile("${path.module}/policy.json.tftpl", { arn = aws_s3_bucket.b.arn })
}
""",
        {"aws_iam_policy.p"},
        id="templatefile-with-unknown-variables",
    ),
    pytest.param(
        """
resource "aws_iam_policy" "p" {
  policy = jsonencode(jsondecode(jsonencode({
    Statement = [{ Effect = "Allow", Action = "iam:*", Resource = aws_s3_bucket.b.arn }]
  })))
}
""",
        {"aws_iam_policy.p"},
        id="jsondecode-of-a-partly-known-jsonencode",
    ),
    pytest.param(
        """
resource "aws_iam_policy" "p" {
  policy = lower(jsonencode({
    Statement = [{ Effect = "Allow", Action = "iam:*", Resource = aws_s3_bucket.b.arn }]
  }))
}
""",
        set(),
        id="a-function-of-a-partly-known-jsonencode-is-unknown",
    ),
]


@pytest.mark.parametrize(("hcl", "expected"), TEMPLATES)
def test_template_json_with_unknown_interpolations(
    tmp_path: Path, hcl: str, expected: set[str]
) -> None:
    (tmp_path / "policy.json.tftpl").write_text(
        '{"Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "${arn}"}]}\n'
    )
    assert _found(tmp_path, hcl, "IAM302") == expected


_CONSOLE_USER = """
resource "aws_iam_user" "u" { name = "u" }
resource "aws_iam_user_login_profile" "lp" { user = aws_iam_user.u.name }
resource "aws_iam_user_policy" "mfa" {
  user   = aws_iam_user.u.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [%s] })
}
"""
_NO_MFA = '{ Bool = { "aws:MultiFactorAuthPresent" = "false" } }'

MFA = [
    pytest.param(
        '{ Effect = "Allow", Action = "s3:GetObject", Resource = aws_s3_bucket.b.arn }',
        {"aws_iam_user.u"},
        id="an-allow-with-an-unknown-resource-enforces-nothing",
    ),
    pytest.param(
        f'{{ Effect = "Deny", Action = var.x, Resource = "*", Condition = {_NO_MFA} }}',
        set(),
        id="deny-of-unknown-actions-without-mfa-might-enforce-it",
    ),
    pytest.param(
        '{ Effect = "Deny", Action = "*", Resource = "*", Condition = { Bool = var.x } }',
        set(),
        id="deny-everything-under-unknown-condition-keys-might-enforce-it",
    ),
    pytest.param(
        '{ Effect = "Deny", Action = "*", Resource = "*",'
        ' Condition = { Bool = { "aws:MultiFactorAuthPresent" = var.x } } }',
        set(),
        id="deny-everything-with-an-unknown-mfa-value-might-enforce-it",
    ),
]


@pytest.mark.parametrize(("statement", "expected"), MFA)
def test_console_user_mfa_with_unknown_parts(
    tmp_path: Path, statement: str, expected: set[str]
) -> None:
    assert _found(tmp_path, _CONSOLE_USER % statement, "IAM203") == expected


_KEY_MAKER = """
resource "aws_iam_user" "u" { name = "u" }
resource "aws_iam_user_policy" "keys" {
  user   = aws_iam_user.u.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [%s] })
}
"""

ESCALATION = [
    pytest.param(
        '{ Effect = "Allow", Action = "iam:CreateAccessKey", Resource = "*" }',
        {"aws_iam_user.u"},
        id="baseline-fires",
    ),
    pytest.param(
        '{ Effect = "Allow", Action = "iam:CreateAccessKey", Resource = var.x }',
        set(),
        id="unknown-resource-might-be-the-caller-only",
    ),
    pytest.param(
        '{ Effect = "Allow", Action = "iam:CreateAccessKey",'
        ' Resource = ["arn:aws:iam::123456789012:user/ops", var.x] }',
        {"aws_iam_user.u"},
        id="a-known-other-user-reaches-beyond-the-caller",
    ),
    pytest.param(
        '{ Effect = "Allow", Action = "iam:CreateAccessKey", Resource = "*" },'
        ' { Effect = "Deny", Action = "iam:CreateAccessKey", Resource = var.x }',
        set(),
        id="a-deny-on-unknown-resources-might-break-the-path",
    ),
    pytest.param(
        '{ Effect = "Allow", Action = "iam:CreateAccessKey", Resource = "*" },'
        ' { Effect = "Deny", Action = var.x, Resource = "*" }',
        set(),
        id="a-deny-of-unknown-actions-might-break-the-path",
    ),
]


@pytest.mark.parametrize(("statements", "expected"), ESCALATION)
def test_escalation_with_unknown_parts(tmp_path: Path, statements: str, expected: set[str]) -> None:
    assert _found(tmp_path, _KEY_MAKER % statements, "IAM306") == expected


_ADMIN_ROLE = """
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{
    Effect = "Allow", Action = "sts:AssumeRole",
    Principal = { AWS = "arn:aws:iam::123456789012:user/alice" }%s
  }] })
}
resource "aws_iam_role_policy_attachment" "admin" {
  role       = aws_iam_role.r.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
"""


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        pytest.param("", {"aws_iam_role.r"}, id="baseline-fires"),
        pytest.param(", Condition = var.x", set(), id="unknown-condition-might-require-mfa"),
        pytest.param(
            ', Condition = { Bool = { "aws:MultiFactorAuthPresent" = var.x } }',
            set(),
            id="unknown-mfa-value",
        ),
    ],
)
def test_privileged_role_mfa_with_unknown_trust_conditions(
    tmp_path: Path, condition: str, expected: set[str]
) -> None:
    assert _found(tmp_path, _ADMIN_ROLE % condition, "IAM404") == expected
