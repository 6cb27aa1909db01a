"""Terraform HCL: evaluation, addresses, lines, suppression comments, errors, laziness."""

from __future__ import annotations

import datetime
import json
from pathlib import Path, PurePosixPath

import pytest
from typer.testing import CliRunner

from iacguard.cli import ExitCode, app
from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.errors import ParseError
from iacguard.model import AttributeRef, Location, Unknown
from iacguard.parsers._policy_document import PartialJSON
from iacguard.parsers.terraform import hcl
from iacguard.parsers.terraform._terraform import TerraformConfig, TfResource
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.results import DiagnosticLevel
from tests.conftest import FIXTURES, TERRAFORM, run_python_probe

HCL = FIXTURES / "hcl"
TODAY = datetime.date(2026, 6, 1)


def _scan(path: Path) -> ScanResult:
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    return scan([path], registry, ScanOptions(today=TODAY))


def _config(tmp_path: Path, text: str, **files: str) -> TerraformConfig:
    (tmp_path / "main.tf").write_text(text)
    for name, content in files.items():
        target = tmp_path / name.replace("__", "/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    return hcl.read_source(tmp_path, PurePosixPath("cfg")).config


def _resource(config: TerraformConfig, address: str) -> TfResource:
    return next(r for r in config.resources if r.address == address)


def _policy(resource: TfResource, attribute: str = "policy") -> object:
    value = resource.values[attribute]
    return json.loads(value) if isinstance(value, str) else value


# ---------------------------------------------------------------------- evaluation


def test_locals_variables_and_interpolation(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        """
variable "env" { default = "prod" }
locals { prefix = "app-${var.env}" }
resource "aws_iam_user" "u" { name = "${local.prefix}-${upper("x")}" }
""",
    )
    assert _resource(config, "aws_iam_user.u").values["name"] == "app-prod-X"


def test_tfvars_override_defaults(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        'variable "env" { default = "dev" }\nresource "aws_iam_user" "u" { name = var.env }\n',
        **{"terraform.tfvars": 'env = "stage"\n'},
    )
    assert _resource(config, "aws_iam_user.u").values["name"] == "stage"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param(
            'jsonencode({ Statement = [{ Effect = "Allow", Action = "*" }] })',
            {"Statement": [{"Effect": "Allow", "Action": "*"}]},
            id="jsonencode",
        ),
        pytest.param(
            '<<-EOT\n    {"Statement": [{"Effect": "Deny"}]}\n  EOT\n',
            {"Statement": [{"Effect": "Deny"}]},
            id="indented-heredoc",
        ),
        pytest.param(
            '<<EOT\n{"Statement": [{"Effect": "${local.effect}"}]}\nEOT\n',
            {"Statement": [{"Effect": "Allow"}]},
            id="heredoc-interpolation",
        ),
        pytest.param(
            'jsonencode({ A = [for a in ["x", "y"] : "s3:${a}" if a != "y"] })',
            {"A": ["s3:x"]},
            id="for-expression",
        ),
        pytest.param(
            'jsonencode(merge({ a = 1 }, { b = true ? "t" : "f" }))',
            {"a": 1, "b": "t"},
            id="merge-and-conditional",
        ),
    ],
)
def test_policy_expressions(tmp_path: Path, expression: str, expected: object) -> None:
    config = _config(
        tmp_path,
        'locals { effect = "Allow" }\n'
        f'resource "aws_iam_policy" "p" {{\n  policy = {expression}\n}}\n',
    )
    assert _policy(_resource(config, "aws_iam_policy.p")) == expected


def test_reference_to_unknown_attribute_is_unknown_never_star(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        """
resource "aws_s3_bucket" "b" { bucket = "logs" }
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [
    { Effect = "Allow", Action = "*", Resource = aws_s3_bucket.b.arn },
  ] })
}
resource "aws_iam_user_policy" "q" {
  user   = aws_iam_user.u.name
  policy = "{}"
}
resource "aws_iam_user" "u" { name = "u" }
""",
    )
    policy = _resource(config, "aws_iam_policy.p")
    document = policy.values["policy"]
    # unknown as text; as a policy, its known parts are kept and the reference is Unknown
    assert isinstance(document, PartialJSON)
    statements = document.data["Statement"]
    assert isinstance(statements, tuple)
    [statement] = statements
    assert statement == {
        "Effect": "Allow",
        "Action": "*",
        "Resource": Unknown("aws_s3_bucket.b.arn", (AttributeRef("aws_s3_bucket.b", "arn"),)),
    }
    inline = _resource(config, "aws_iam_user_policy.q")
    assert inline.values["user"] == "u"
    [link] = inline.links["user"]
    assert (link.address, link.attribute) == ("aws_iam_user.u", "name")


def test_policy_document_data_source_is_rendered(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        """
data "aws_iam_policy_document" "base" {
  statement {
    sid     = "Keep"
    actions = ["s3:GetObject"]
    resources = ["*"]
  }
}
data "aws_iam_policy_document" "d" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    effect        = "Deny"
    not_actions   = ["iam:*", "sts:*"]
    not_resources = ["arn:aws:s3:::x"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:MultiFactorAuthPresent"
      values   = ["false"]
    }
  }
  override_policy_documents = [jsonencode({ Statement = [
    { Sid = "Keep", Effect = "Deny", Action = "*", Resource = "*" },
  ] })]
}
""",
    )
    document = _policy(_resource(config, "data.aws_iam_policy_document.d"), "json")
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Keep", "Effect": "Deny", "Action": "*", "Resource": "*"},
            {
                "Effect": "Deny",
                "NotAction": ["iam:*", "sts:*"],
                "NotResource": "arn:aws:s3:::x",
                "Principal": {"AWS": "*"},
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
            },
        ],
    }


def test_count_for_each_and_modules_expand_to_instance_addresses() -> None:
    config = hcl.read_source(TERRAFORM / "modules", PurePosixPath("m")).config
    addresses = {r.address for r in config.resources}
    assert {
        "aws_iam_user.service[0]",
        "aws_iam_user.service[1]",
        'aws_iam_policy.team["admin"]',
        'module.team_role["platform"].aws_iam_role.this',
        "module.worker_role[1].aws_iam_role.this",
    } <= addresses
    role = _resource(config, "module.worker_role[1].aws_iam_role.this")
    assert role.values["name"] == "iacguard-fixture-worker-1"
    assert role.origin.location == Location(PurePosixPath("m/modules/team_role/main.tf"), 18)


def test_unknown_count_gives_one_instance(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        'resource "aws_iam_user" "u" {\n  count = length(data.x.y.ids)\n  name = "u"\n}\n',
    )
    assert [r.address for r in config.resources] == ["aws_iam_user.u"]


# ---------------------------------------------------------------------- findings and lines


@pytest.mark.parametrize(
    ("rule", "address", "file", "line"),
    [
        pytest.param(
            "IAM301", 'aws_iam_group_policy.team_admin["platform"]', "main.tf", 48, id="heredoc"
        ),
        pytest.param("IAM303", "aws_iam_policy.from_file", "main.tf", 66, id="file-function"),
        pytest.param(
            "IAM307",
            'module.ci["deploy"].aws_iam_role_policy.pass',
            "modules/ci_role/main.tf",
            48,
            id="module-instance",
        ),
    ],
)
def test_real_world_tree_findings_with_file_and_line(
    rule: str, address: str, file: str, line: int
) -> None:
    result = _scan(HCL / "real_world")
    [finding] = [f for f in result.findings if f.rule_id == rule and f.address == address]
    assert finding.location.file.as_posix().endswith(f"real_world/{file}")
    assert finding.location.line == line


def test_real_world_tree_near_misses_stay_silent() -> None:
    result = _scan(HCL / "real_world")
    found = {(f.rule_id, f.address) for f in result.findings}
    # scoped GitHub trust (dynamic condition block) and the non-admin team
    assert not any(rule == "IAM403" for rule, _ in found)
    assert ("IAM301", 'aws_iam_group_policy.team_admin["data"]') not in found
    # the registry module is not in the tree: one note asks for terraform init (#14)
    assert result.complete
    [note] = [d for d in result.diagnostics if "not installed" in d.message]
    assert (note.level, note.message) == (
        DiagnosticLevel.NOTE,
        "fixtures/hcl/real_world: 1 module(s) from a registry or git not installed "
        "('registry_module'): run terraform init here to scan what they create",
    )


# ---------------------------------------------------------------------- suppressions


@pytest.mark.parametrize(
    ("line", "rules", "expires", "reason"),
    [
        pytest.param("# iacguard:ignore:IAM301 why", ("IAM301",), None, "why", id="hash"),
        pytest.param("  // iacguard:ignore:IAM3 all 3xx", ("IAM3",), None, "all 3xx", id="slashes"),
        pytest.param(
            "# iacguard:ignore:IAM301,IAM302:exp:2027-01-31 later",
            ("IAM301", "IAM302"),
            datetime.date(2027, 1, 31),
            "later",
            id="several-and-expiry",
        ),
        pytest.param("#iacguard:ignore:IAM101", ("IAM101",), None, "", id="no-reason"),
        pytest.param(
            "# iacguard:ignore:IAM301:exp:2027-02-30 bad date",
            ("IAM301",),
            datetime.date.min,
            "bad date",
            id="impossible-date-is-expired",
        ),
        pytest.param("# iacguard:ignore:iam301 lower", None, None, "", id="lower-case-id"),
        pytest.param("# iacguard:ignore: IAM301", None, None, "", id="space-before-id"),
        pytest.param("# iacguard:ignore:IAM301:exp:tomorrow", None, None, "", id="bad-expiry"),
        pytest.param("# expect: IAM301 fires", None, None, "", id="other-comment"),
    ],
)
def test_suppression_comment_grammar(
    line: str,
    rules: tuple[str, ...] | None,
    expires: datetime.date | None,
    reason: str,
) -> None:
    comments = list(
        hcl.suppression_comments(f'{line}\nresource "a" "b" {{}}\n', PurePosixPath("f"))
    )
    if rules is None:
        assert comments == []
        return
    [comment] = comments
    assert (comment.rules, comment.expires, comment.reason) == (rules, expires, reason)
    assert (comment.location.line, comment.target) == (1, 2)


@pytest.mark.parametrize(
    ("text", "target"),
    [
        pytest.param('resource "a" "b" { # iacguard:ignore:IAM301 why\n}\n', 1, id="resource"),
        pytest.param('data "a" "b" { // iacguard:ignore:IAM301 why\n}\n', 1, id="data"),
        pytest.param('module "m" {  # iacguard:ignore:IAM301 why\n}\n', 1, id="module"),
        pytest.param(
            'resource "a" "b" { # note: iacguard:ignore:IAM301\n}\n', None, id="not-first"
        ),
        pytest.param("locals { # iacguard:ignore:IAM301 why\n}\n", None, id="not-a-resource"),
        pytest.param('  name = "x" # iacguard:ignore:IAM301 why\n', None, id="attribute-line"),
    ],
)
def test_suppression_comment_after_a_block_brace(text: str, target: int | None) -> None:
    comments = list(hcl.suppression_comments(text, PurePosixPath("f")))
    if target is None:
        assert comments == []
        return
    [comment] = comments
    assert (comment.rules, comment.reason, comment.location.line, comment.target) == (
        ("IAM301",),
        "why",
        1,
        target,
    )


def test_a_header_comment_suppresses_its_block(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        'resource "aws_iam_policy" "legacy" { # iacguard:ignore:IAM301 retired in Q1\n'
        '  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "*",'
        ' Resource = "*" }] })\n}\n'
    )
    result = _scan(tmp_path)
    assert [(f.rule_id, f.address) for f in result.findings] == []
    assert [(s.finding.rule_id, s.suppression.reason) for s in result.suppressed] == [
        ("IAM301", "retired in Q1")
    ]


def test_suppressions_parsed_from_comments() -> None:
    parsed = hcl.parse_directory(HCL / "suppressions", PurePosixPath("s"))
    found = {(s.rules, s.address, s.pointer, s.expires) for s in parsed.suppressions}
    assert found == {
        (("IAM301",), "aws_iam_policy.break_glass", (), None),
        (("IAM302",), "aws_iam_policy.s3_admin", ("policy",), None),
        (("IAM307",), "aws_iam_policy.pass_any", (), datetime.date(2020, 1, 31)),
        (("IAM401",), "aws_iam_role.service", (), None),
        (("IAM202", "IAM102"), "aws_iam_user.bots[*]", (), None),
    }
    assert all(s.kind == "hcl-comment" and s.location is not None for s in parsed.suppressions)


def test_suppressions_apply_expire_and_report_unused() -> None:
    result = _scan(HCL / "suppressions")
    assert [(f.rule_id, f.address, f.location.line) for f in result.findings] == [
        ("IAM307", "aws_iam_policy.pass_any", 22)
    ]
    silenced = {(s.finding.rule_id, s.finding.address) for s in result.suppressed}
    assert silenced == {
        ("IAM301", "aws_iam_policy.break_glass"),
        ("IAM302", "aws_iam_policy.s3_admin"),
        ("IAM202", "aws_iam_user.bots[0]"),
        ("IAM202", "aws_iam_user.bots[1]"),
    }
    warnings = [d.message for d in result.diagnostics]
    assert any("IAM307" in w and "expired on 2020-01-31" in w for w in warnings)
    assert any("unused" in w and "aws_iam_role.service" in w for w in warnings)


# ---------------------------------------------------------------------- errors and discovery


def test_syntax_error_names_file_and_line() -> None:
    with pytest.raises(ParseError) as caught:
        hcl.parse_directory(HCL / "syntax_error", PurePosixPath("bad"))
    assert (str(caught.value.file), caught.value.line) == ("bad/main.tf", 10)


def test_cli_syntax_error_exits_2_with_file_and_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    result = CliRunner().invoke(app, ["check", str(HCL / "syntax_error")])
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert "syntax_error/main.tf:10" in result.stderr
    assert "Traceback" not in result.stderr


def test_terraform_roots_drop_called_modules() -> None:
    modules = TERRAFORM / "modules"
    team_role = modules / "modules" / "team_role"
    assert hcl.terraform_roots([team_role, modules]) == [modules]
    assert hcl.terraform_roots([team_role]) == []  # its caller is a parent directory


def test_scanning_a_plan_without_source_does_not_import_hcl2() -> None:
    probe = f"""
import json, sys
from pathlib import Path, PurePosixPath
from iacguard.parsers.terraform import plan as tfplan
data = json.loads(Path({str(TERRAFORM / "modules" / "plan.json")!r}).read_text())
tfplan.parse_plan(data, Path("plan.json"), PurePosixPath("plan.json"))
print(json.dumps(["hcl2" in sys.modules, "lark" in sys.modules]))
"""
    assert run_python_probe(probe) == [False, False]
