"""Terraform JSON syntax, override files, variable files in JSON, downloaded modules and
root discovery from parsed module calls (#13: valid input is read, never skipped)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path, PurePosixPath

import pytest

from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.errors import ParseError
from iacguard.parsers.terraform import hcl
from iacguard.parsers.terraform._hcl_json import parse_json_config, template
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.results import DiagnosticLevel
from tests.conftest import TERRAFORM

ADMIN = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
)
READER = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
    '"Resource": "arn:aws:s3:::reports/*"}]}'
)


def _scan(*paths: Path) -> ScanResult:
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    return scan(list(paths), registry, ScanOptions())


def _found(result: ScanResult, rule: str = "IAM301") -> set[tuple[str, str, int | None]]:
    return {
        (f.address, f.location.file.name, f.location.line)
        for f in result.findings
        if f.rule_id == rule
    }


def _write(root: Path, **files: str) -> Path:
    for name, text in files.items():
        path = root / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _tf_policy(name: str, document: str) -> str:
    return f'resource "aws_iam_policy" "{name}" {{\n  policy = {json.dumps(document)}\n}}\n'


def _json_policy(name: str, document: str) -> str:
    return json.dumps({"resource": {"aws_iam_policy": {name: {"policy": document}}}}, indent=2)


# ---------------------------------------------------------------------- .tf.json


def test_fixture_case_reads_json_and_overrides_as_terraform_planned(tmp_path: Path) -> None:
    """The HCL scan of ``json_and_overrides`` (plan removed) finds what the real plan
    holds, at the lines of the .tf.json and .tf files."""
    root = tmp_path / "case"
    shutil.copytree(
        TERRAFORM / "json_and_overrides", root, ignore=shutil.ignore_patterns("*.out", "plan.json")
    )
    assert _found(_scan(root)) == {
        ("aws_iam_policy.reader", "main.tf", 29),
        ("aws_iam_policy.reporting", "main.tf", 47),
        ("aws_iam_role_policy.ci_admin", "generated.tf.json", 20),
    }
    plan = _scan(TERRAFORM / "json_and_overrides" / "plan.json")
    assert {a for a, _, _ in _found(plan)} == {
        "aws_iam_policy.reader",
        "aws_iam_policy.reporting",
        "aws_iam_role_policy.ci_admin",
    }


def test_json_blocks_arguments_and_lines() -> None:
    text = """{
  "//": "a comment, not a block",
  "resource": {
    "aws_iam_role": {
      "r": {
        "//": "a comment in a body",
        "name": "x-${var.env}",
        "inline_policy": {"name": "i", "policy": "${local.doc}"}
      }
    }
  },
  "variable": {"env": {"type": "list(string)", "default": "${not_interpolated}"}},
  "locals": {"doc": "{}"}
}"""
    body = parse_json_config(text, PurePosixPath("x.tf.json"))
    role, variable, local = body.blocks
    assert (role.type, role.labels, role.line) == ("resource", ("aws_iam_role", "r"), 5)
    assert list(role.body.attributes) == ["name"]
    assert role.body.attributes["name"].line == 7
    [inline] = role.body.blocks
    assert (inline.type, list(inline.body.attributes)) == ("inline_policy", ["name", "policy"])
    assert (variable.labels, list(variable.body.attributes)) == (("env",), ["type", "default"])
    assert (local.type, list(local.body.attributes)) == ("locals", ["doc"])


def test_json_strings_are_templates_but_variable_defaults_are_literal(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        **{
            "main.tf.json": json.dumps(
                {
                    "variable": {"action": {"default": "${literally}"}},
                    "locals": {"star": "*", "quoted": 'a "b" \\ c\n'},
                    "resource": {
                        "aws_iam_policy": {
                            "p": {
                                "name": "${var.action}",
                                "description": "${local.quoted}",
                                "policy": '{"Statement": [{"Effect": "Allow", '
                                '"Action": "${local.star}", "Resource": "${local.star}"}]}',
                            }
                        }
                    },
                }
            )
        },
    )
    config = hcl.read_source(root, PurePosixPath("cfg")).config
    [policy] = config.resources
    assert policy.values["name"] == "${literally}"
    assert policy.values["description"] == 'a "b" \\ c\n'
    assert json.loads(str(policy.values["policy"]))["Statement"][0]["Action"] == "*"


@pytest.mark.parametrize(
    ("text", "literal", "native"),
    [
        ("plain", False, '"plain"'),
        ('say "hi"', False, '"say \\"hi\\""'),
        ('${jsonencode({a = "}"})}', False, '"${jsonencode({a = "}"})}"'),
        ("$${escaped}", False, '"$${escaped}"'),
        ("${var.x}", True, '"$${var.x}"'),
        ("${unclosed", False, '"$${unclosed"'),
        ("tab\there", False, '"tab\\there"'),
    ],
)
def test_json_string_as_native_template(text: str, literal: bool, native: str) -> None:
    assert template(text, literal=literal) == native


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('{"resource": {"aws_iam_user": {"u": {"name": 1,}}}}', "expected a property name", 1),
        ('{\n  "resourse": {}\n}', "unsupported block type 'resourse'", 2),
        ('{\n  "resource": {"aws_iam_user": "u"}\n}', "resource needs 1 more label(s)", 2),
        ("[1, 2]", "a Terraform JSON file must hold an object", 1),
        (
            '{\n"locals": {\n"a": "${1 +}"\n}\n}',
            "an interpolation or expression is not valid HCL",
            3,
        ),
    ],
)
def test_invalid_json_config_names_file_and_line(text: str, message: str, line: int) -> None:
    with pytest.raises(ParseError) as caught:
        parse_json_config(text, PurePosixPath("bad.tf.json"))
    assert message in caught.value.message
    assert caught.value.line == line


def test_json_nesting_is_bounded() -> None:
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_json_config(
            '{"locals": {"a": ' + "[" * 5000 + "]" * 5000 + "}}", PurePosixPath("d.tf.json")
        )


def test_a_tf_json_file_alone_stands_for_its_directory(tmp_path: Path) -> None:
    root = _write(tmp_path / "only_json", **{"admin.tf.json": _json_policy("admin", ADMIN)})
    result = _scan(root / "admin.tf.json")
    assert _found(result) == {("aws_iam_policy.admin", "admin.tf.json", 4)}
    assert [i.path for i in result.inputs] == [root]


def test_tfvars_json_sets_variables(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        **{
            "main.tf": 'variable "actions" {\n  default = ["s3:GetObject"]\n}\n'
            'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Effect = '
            '"Allow", Action = var.actions, Resource = "*" }] })\n}\n',
            "terraform.tfvars.json": '{"actions": ["*"]}',
        },
    )
    assert _found(_scan(root)) == {("aws_iam_policy.p", "main.tf", 4)}
    assert [f.path.name for f in _scan(root).inputs] == [root.name]  # the tfvars file is no input


# ---------------------------------------------------------------------- overrides


def test_override_replaces_arguments(tmp_path: Path) -> None:
    root = _write(
        tmp_path, **{"main.tf": _tf_policy("p", READER), "override.tf": _tf_policy("p", ADMIN)}
    )
    assert _found(_scan(root)) == {("aws_iam_policy.p", "main.tf", 1)}


def test_override_of_another_argument_keeps_the_policy(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        **{
            "main.tf": _tf_policy("p", READER),
            "x_override.tf": 'resource "aws_iam_policy" "p" {\n  description = "changed"\n}\n',
        },
    )
    result = _scan(root)
    assert result.complete
    assert _found(result) == set()


def test_overrides_apply_in_name_order_and_json_overrides_count(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        **{
            "main.tf": _tf_policy("p", READER),
            "a_override.tf": _tf_policy("p", ADMIN),
            "b_override.tf.json": _json_policy("p", READER),
        },
    )
    assert _found(_scan(root)) == set()
    (root / "c_override.tf.json").write_text(_json_policy("p", ADMIN))
    assert _found(_scan(root)) == {("aws_iam_policy.p", "main.tf", 1)}


def test_override_replaces_nested_blocks_wholesale(tmp_path: Path) -> None:
    role = (
        'resource "aws_iam_role" "r" {{\n  assume_role_policy = jsonencode({{ Statement = '
        '[{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = '
        '"ec2.amazonaws.com" }} }}] }})\n{blocks}}}\n'
    )
    inline = '  inline_policy {{\n    name = "{name}"\n    policy = {policy}\n  }}\n'
    main = role.format(
        blocks=inline.format(name="admin", policy=json.dumps(ADMIN))
        + inline.format(name="read", policy=json.dumps(READER))
    )
    override = (
        'resource "aws_iam_role" "r" {\n'
        + inline.format(name="only", policy=json.dumps(READER))
        + "}\n"
    )
    root = _write(tmp_path, **{"main.tf": main})
    assert _found(_scan(root)) == {("aws_iam_role.r", "main.tf", 1)}
    (root / "override.tf").write_text(override)
    [resource] = hcl.read_source(root, PurePosixPath("cfg")).config.resources
    assert [block["name"] for block in resource.values["inline_policy"]] == ["only"]  # type: ignore[union-attr,index]
    assert _found(_scan(root)) == set()


def test_override_merges_locals_one_by_one(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        **{
            "main.tf": 'locals {\n  action = "s3:GetObject"\n  where = "*"\n}\n'
            'resource "aws_iam_policy" "p" {\n  policy = jsonencode({ Statement = [{ Effect = '
            '"Allow", Action = local.action, Resource = local.where }] })\n}\n',
            "override.tf.json": '{"locals": {"action": "*"}}',
        },
    )
    assert _found(_scan(root)) == {("aws_iam_policy.p", "main.tf", 5)}


@pytest.mark.parametrize(
    ("override", "what"),
    [
        ('resource "aws_iam_policy" "other" {\n  name = "x"\n}\n', "resource aws_iam_policy other"),
        ("locals {\n  missing = 1\n}\n", "local value 'missing'"),
    ],
)
def test_override_without_a_base_block_is_an_error(
    tmp_path: Path, override: str, what: str
) -> None:
    root = _write(tmp_path, **{"main.tf": _tf_policy("p", READER), "override.tf": override})
    result = _scan(root)
    [error] = [d for d in result.diagnostics if d.level is DiagnosticLevel.ERROR]
    assert f"no {what} to override" in error.message
    assert not result.complete


# ---------------------------------------------------------------------- roots and modules


@pytest.mark.parametrize(
    "caller",
    [
        pytest.param('# module "x" {\n#   source = "../admin"\n# }\n', id="comment"),
        pytest.param('locals {\n  doc = <<EOT\nsource = "../admin"\nEOT\n}\n', id="heredoc"),
        pytest.param('locals {\n  s = "source = \\"../admin\\""\n}\n', id="string"),
        pytest.param('/*\nsource = "../admin"\n*/\n', id="block-comment"),
    ],
)
def test_text_that_looks_like_a_module_call_hides_no_root(tmp_path: Path, caller: str) -> None:
    _write(
        tmp_path, **{"app__main.tf": caller + 'resource "aws_iam_user" "u" {\n  name = "u"\n}\n'}
    )
    _write(tmp_path, **{"admin__main.tf": _tf_policy("admin", ADMIN)})
    assert hcl.terraform_roots([tmp_path / "admin", tmp_path / "app"]) == [
        tmp_path / "admin",
        tmp_path / "app",
    ]
    assert _found(_scan(tmp_path)) == {("aws_iam_policy.admin", "main.tf", 1)}


def test_a_parsed_module_call_still_makes_a_module(tmp_path: Path) -> None:
    _write(tmp_path, **{"app__main.tf": 'module "admin" {\n  source = "../admin"\n}\n'})
    _write(tmp_path, **{"admin__main.tf": _tf_policy("admin", ADMIN)})
    assert hcl.terraform_roots([tmp_path / "admin", tmp_path / "app"]) == [tmp_path / "app"]
    assert {a for a, _, _ in _found(_scan(tmp_path))} == {"module.admin.aws_iam_policy.admin"}


def test_module_calls_in_json_and_overrides_count(tmp_path: Path) -> None:
    _write(
        tmp_path,
        **{
            "app__main.tf.json": '{"module": {"a": {"source": "../one"}}}',
            "app__override.tf": 'module "a" {\n  source = "../two"\n}\n',
            "one__main.tf": _tf_policy("one", READER),
            "two__main.tf": _tf_policy("two", ADMIN),
        },
    )
    roots = hcl.terraform_roots([tmp_path / "app", tmp_path / "one", tmp_path / "two"])
    assert roots == [tmp_path / "app", tmp_path / "one"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"a":\n', "terraform.tfvars.json:2: invalid JSON: Expecting value"),
        ("[1]", "terraform.tfvars.json: a variables file must hold a JSON object"),
    ],
)
def test_invalid_tfvars_json_names_the_file(tmp_path: Path, text: str, message: str) -> None:
    root = _write(tmp_path, **{"main.tf": 'variable "a" {}\n', "terraform.tfvars.json": text})
    [error] = [d for d in _scan(root).diagnostics if d.level is DiagnosticLevel.ERROR]
    assert error.message.endswith(message)
