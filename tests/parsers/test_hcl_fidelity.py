"""HCL fidelity (#17): what Terraform accepts is parsed, and evaluated as Terraform does.

Every expected value in these tables is what Terraform 1.11.4 itself gave for the same
text (``terraform plan`` then ``terraform show -json``: the planned value of the output),
so a row that fails is a place where iacguard reads a configuration differently.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest

from iacguard.model import RawValue, Unknown
from iacguard.parsers._policy_document import PartialJSON
from iacguard.parsers.terraform import hcl
from iacguard.parsers.terraform._hcl_module import Configuration


def _plain(value: RawValue) -> object:
    """*value* with tuples as lists and unknowns as ``"?"`` (a PartialJSON as its data)."""
    if isinstance(value, PartialJSON):
        return {"partial": _plain(value.data)}
    if isinstance(value, Unknown):
        return "?"
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    return value


def _outputs(tmp_path: Path, text: str, **files: str) -> dict[str, object]:
    """The root outputs of a configuration whose ``main.tf`` is *text*."""
    (tmp_path / "main.tf").write_bytes(text.encode())
    for name, content in files.items():
        target = tmp_path / name.replace("__", "/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    display = PurePosixPath("cfg")
    configuration = Configuration(tmp_path, display, hcl._tfvars(tmp_path, display))
    root = configuration.load()
    return {
        block.labels[0]: _plain(configuration.output(root, block.labels[0]))
        for block in root.body.blocks_of("output")
    }


def _output(value: str) -> str:
    return f'output "x" {{\n  value = {value}\n}}\n'


# ---------------------------------------------------------------------- 1. syntax


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(_output("<<EOF\nhello\nEOF  "), "hello\n", id="heredoc-marker-spaces"),
        pytest.param(_output("<<EOF\nhello\nEOF\t"), "hello\n", id="heredoc-marker-tab"),
        pytest.param(
            _output("<<-EOT\n    hello\n    EOT   "), "hello\n", id="indented-marker-spaces"
        ),
        pytest.param(_output("<<-EOT\n\t\ta\n\tEOT\t "), "a\n", id="indented-marker-tabs"),
        pytest.param(_output("<<eof\nhi\neof "), "hi\n", id="lower-case-marker-space"),
        pytest.param(
            _output('jsondecode(<<EOF\n{"a": 1}\nEOF \n  )'), {"a": 1}, id="heredoc-in-call"
        ),
        pytest.param(
            _output("[<<A\none\nA \n, <<-B\n  two\n  B\t\n]"), ["one\n", "two\n"], id="two-heredocs"
        ),
        pytest.param(
            "# see <<EOF\n" + _output("<<EOF\nhi\nEOF  "), "hi\n", id="heredoc-word-in-comment"
        ),
        pytest.param(_output("<<EOF\nEOF x\nEOF"), "EOF x\n", id="body-line-starting-with-marker"),
        pytest.param(
            _output("<<EOF\n# no comment /* nor this */\nEOF"),
            "# no comment /* nor this */\n",
            id="comments-in-heredoc-are-text",
        ),
        pytest.param(_output("/* c */ 1"), 1, id="block-comment-before-value"),
        pytest.param(_output("/** doc **/ 1"), 1, id="doc-block-comment"),
        pytest.param(_output("{ a = /* c */ 1 }"), {"a": 1}, id="block-comment-in-object"),
        pytest.param(_output("{ a /* c */ = 1 }"), {"a": 1}, id="block-comment-after-key"),
        pytest.param('output "x" {\n  value /* c */ = 1\n}\n', 1, id="block-comment-before-equals"),
        pytest.param(_output('"a /* b */ c"'), "a /* b */ c", id="block-comment-in-string"),
        pytest.param(_output("(1\n    + 2)"), 3, id="operator-starting-a-line"),
        pytest.param(_output("(true\n    && false)"), False, id="and-starting-a-line"),
        pytest.param(_output("1e3"), 1000, id="exponent-is-a-whole-number"),
        pytest.param(_output("2.0"), 2, id="float-with-zero-fraction"),
        pytest.param(
            "locals { on = true }\n" + _output('"a%{ if local.on }b%{ else }c%{ endif }d"'),
            "abd",
            id="if-directive-in-string",
        ),
        pytest.param(
            _output('"%{ for x in ["a","b"] }${x},%{ endfor }"'), "a,b,", id="for-directive"
        ),
        pytest.param(_output('"a %{~ if true ~} b %{~ endif ~} c"'), "abc", id="strip-markers"),
        pytest.param(
            _output("<<EOT\n%{ for i in [1,2] ~}\nv${i}\n%{ endfor ~}\nEOT"),
            "v1\nv2\n",
            id="for-directive-in-heredoc",
        ),
        pytest.param(
            "locals { on = false }\n" + _output("<<EOT\na\n%{ if local.on }b\n%{ endif }c\nEOT"),
            "a\nc\n",
            id="if-directive-in-heredoc",
        ),
        pytest.param(
            'locals { arns = ["a1", "a2"] }\n'
            + _output(
                '<<EOT\n[%{ for i, a in local.arns }"${a}"'
                "%{ if i < length(local.arns) - 1 },%{ endif }%{ endfor }]\nEOT"
            ),
            '["a1","a2"]\n',
            id="json-list-built-by-directives",
        ),
    ],
)
def test_syntax_terraform_accepts(tmp_path: Path, text: str, expected: object) -> None:
    # as JSON, as Terraform prints it: 1000 and 1000.0 differ
    assert json.dumps(_outputs(tmp_path, text)["x"]) == json.dumps(expected)


def test_syntax_keeps_lines_after_a_rewritten_heredoc(tmp_path: Path) -> None:
    text = (
        'resource "aws_iam_user" "a" {\n  name = <<EOF\nalice\nEOF  \n}\n'
        'resource "aws_iam_user" "b" { name = /* c */ "bob" }\n'
    )
    (tmp_path / "main.tf").write_text(text)
    source = hcl.read_source(tmp_path, PurePosixPath("cfg"))
    lines = {address: location.line for (_, address), location in source.locations.items()}
    assert lines == {"aws_iam_user.a": 1, "aws_iam_user.b": 6}


# ---------------------------------------------------------------------- 2. optional()

_USERS = """
variable "users" {
  type = list(object({
    name   = string
    path   = optional(string, "/")
    tags   = optional(map(string))
    policy = optional(object({
      actions = optional(list(string), ["s3:GetObject"])
      effect  = optional(string, "Allow")
    }), {})
  }))
  default = [{ name = "a" }, { name = "b", path = "/x/", extra = 1 }]
}
output "x" { value = var.users }
"""
_CFG = """
variable "cfg" {
  type = object({
    enabled = optional(bool, true)
    count   = optional(number, 2)
    name    = optional(string)
    roles   = optional(map(object({ arn = string, admin = optional(bool, false) })), {})
  })
}
output "x" { value = var.cfg }
"""
_MODULE = """
module "m" {
  source = "./mod"
  cfg    = { roles = { r1 = { arn = "arn:1" } } }
  nn     = null
}
output "x" { value = [module.m.cfg, module.m.nn] }
"""
_CHILD = """
variable "cfg" {
  type = object({
    enabled = optional(bool, true)
    roles   = optional(map(object({ arn = string, admin = optional(bool, false) })), {})
  })
  default = {}
}
variable "nn" {
  type     = string
  default  = "mdflt"
  nullable = false
}
output "cfg" { value = var.cfg }
output "nn" { value = var.nn }
"""
_USER = {"policy": {"actions": ["s3:GetObject"], "effect": "Allow"}, "tags": None}


@pytest.mark.parametrize(
    ("text", "files", "expected"),
    [
        pytest.param(
            _USERS,
            {},
            [{"name": "a", "path": "/", **_USER}, {"name": "b", "path": "/x/", **_USER}],
            id="defaults-nested-in-the-default-extra-attribute-dropped",
        ),
        pytest.param(
            _CFG,
            {
                "terraform.tfvars": 'cfg = { roles = { r1 = { arn = "a1" }, r2 = { arn = "a2", '
                "admin = true } } }\n"
            },
            {
                "enabled": True,
                "count": 2,
                "name": None,
                "roles": {"r1": {"arn": "a1", "admin": False}, "r2": {"arn": "a2", "admin": True}},
            },
            id="tfvars-map-of-objects",
        ),
        pytest.param(
            _MODULE,
            {"mod__main.tf": _CHILD},
            [{"enabled": True, "roles": {"r1": {"arn": "arn:1", "admin": False}}}, "mdflt"],
            id="module-argument-and-non-nullable-null",
        ),
        pytest.param(
            'variable "c" {\n  type = object({ n = number, s = string, b = bool })\n'
            '  default = { n = "3", s = 4, b = "true" }\n}\noutput "x" { value = var.c }\n',
            {},
            {"n": 3, "s": "4", "b": True},
            id="primitive-conversion",
        ),
        pytest.param(
            'variable "v" {\n  type = object({ a = string, b = optional(string, "d") })\n}\n'
            'output "x" { value = var.v }\n',
            {},
            "?",
            id="not-given-stays-unknown",
        ),
        pytest.param(
            'variable "t" {\n  type = tuple([object({ a = optional(string, "x") }), string])\n'
            '  default = [{}, 1]\n}\noutput "x" { value = var.t }\n',
            {},
            [{"a": "x"}, "1"],
            id="tuple-type",
        ),
    ],
)
def test_optional_attributes_take_their_defaults(
    tmp_path: Path, text: str, files: dict[str, str], expected: object
) -> None:
    assert _outputs(tmp_path, text, **files)["x"] == expected


# ---------------------------------------------------------------------- 3. collections

#: ``var.u`` is an unknown string, ``var.ul`` an unknown list (no default, no tfvars)
_UNKNOWNS = 'variable "u" { type = string }\nvariable "ul" { type = list(string) }\n'


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # what Terraform's plan shows too (known elements kept, the unknown one marked)
        pytest.param('concat(["a"], [var.u])', ["a", "?"], id="concat-unknown-element"),
        pytest.param('flatten([["a"], [var.u]])', ["a", "?"], id="flatten"),
        pytest.param('toset(["b", "a", var.u])', ["a", "b", "?"], id="toset-sorted-unknown-last"),
        pytest.param('setunion(["a"], [var.u])', ["a", "?"], id="setunion"),
        pytest.param("merge({ a = 1 }, { b = var.u })", {"a": 1, "b": "?"}, id="merge"),
        pytest.param('coalescelist([var.u], ["z"])', ["?"], id="coalescelist-known-length"),
        pytest.param('tolist(["a", var.u])', ["a", "?"], id="tolist"),
        # Terraform's plan makes these wholly unknown; what is known of them is kept
        pytest.param('concat(["a"], var.ul, ["b"])', ["a", "?", "b"], id="concat-unknown-list"),
        pytest.param('compact(["a", "", var.u])', ["a", "?"], id="compact"),
        pytest.param('distinct(["a", "a", var.u])', ["a", "?"], id="distinct"),
        pytest.param('flatten([["a"], var.ul])', ["a", "?"], id="flatten-unknown-list"),
        pytest.param(
            'distinct(compact(concat(["a", ""], var.ul)))', ["a", "?"], id="distinct-compact-concat"
        ),
        pytest.param(
            '[for s in concat(["a"], var.ul) : upper(s)]', ["A", "?"], id="for-over-partly-known"
        ),
        pytest.param('[for s in ["a", var.u] : s if s != "b"]', ["a", "?"], id="for-unknown-if"),
        # what stays unknown: the length, a position after an unknown list, an unknown list
        pytest.param('length(concat(["a"], var.ul))', "?", id="length-unknown"),
        pytest.param('concat(["a"], var.ul, ["b"])[0]', "a", id="index-before-unknown-list"),
        pytest.param('concat(["a"], var.ul, ["b"])[2]', "?", id="index-after-unknown-list"),
        pytest.param('coalescelist(var.ul, ["z"])', "?", id="coalescelist-unknown-emptiness"),
        pytest.param("flatten(var.ul)", "?", id="flatten-of-unknown"),
        pytest.param("merge({ a = 1 }, var.ul)", "?", id="merge-unknown-keys"),
    ],
)
def test_collection_functions_keep_known_elements(
    tmp_path: Path, expression: str, expected: object
) -> None:
    assert _outputs(tmp_path, _UNKNOWNS + _output(expression))["x"] == expected


def test_for_each_over_a_set_with_an_unknown_element_is_one_unknown_instance(
    tmp_path: Path,
) -> None:
    (tmp_path / "main.tf").write_text(
        _UNKNOWNS + 'resource "aws_iam_user" "u" {\n'
        '  for_each = toset(concat(["a"], var.ul))\n  name = each.key\n}\n'
    )
    config = hcl.read_source(tmp_path, PurePosixPath("cfg")).config
    assert [r.address for r in config.resources] == ["aws_iam_user.u"]


# ---------------------------------------------------------------------- 4. documents

PARTIAL = Path(__file__).resolve().parents[2] / "fixtures" / "hcl" / "partial_collections"


def test_partial_collections_fixture_findings() -> None:
    """Every policy of the fixture is evaluated statement by statement; the document built
    from optional() statements is well formed (IAM311 fired there before)."""
    from iacguard.engine import ScanOptions, scan
    from iacguard.plugins import collect_checks, get_plugin_manager

    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    result = scan([PARTIAL], registry, ScanOptions())
    found = [(f.rule_id, f.address, f.location.file.name, f.location.line) for f in result.findings]
    assert not result.diagnostics
    assert sorted(found) == sorted(
        [
            ("IAM301", "aws_iam_policy.break_glass", "main.tf", 10),
            ("IAM302", "aws_iam_policy.grouped", "main.tf", 18),
            ("IAM303", "aws_iam_policy.grouped", "main.tf", 18),
            ("IAM206", 'aws_iam_role_policy.deploy["app"]', "main.tf", 41),
            ("IAM206", 'aws_iam_role_policy.deploy["batch"]', "main.tf", 41),
            ("IAM303", 'aws_iam_role_policy.deploy["app"]', "main.tf", 41),
            ("IAM303", 'aws_iam_role_policy.deploy["batch"]', "main.tf", 41),
            ("IAM307", 'aws_iam_role_policy.deploy["app"]', "main.tf", 41),
            ("IAM307", 'aws_iam_role_policy.deploy["batch"]', "main.tf", 41),
            ("IAM302", "aws_iam_policy.mixed", "main.tf", 88),
            ("IAM303", "aws_iam_policy.mixed", "main.tf", 88),
            ("IAM308", "aws_iam_policy.mixed", "main.tf", 88),
            ("IAM206", "aws_iam_group_policy.ops", "main.tf", 93),
            ("IAM302", "aws_iam_group_policy.ops", "main.tf", 93),
            ("IAM303", "aws_iam_group_policy.ops", "main.tf", 93),
            ("IAM307", "aws_iam_group_policy.ops", "main.tf", 93),
            ("IAM308", "aws_iam_group_policy.ops", "main.tf", 93),
            ("IAM501", "aws_s3_bucket_policy.assets", "main.tf", 108),
        ]
    )


@pytest.mark.parametrize(
    ("address", "attribute", "statements"),
    [
        # (effect, actions) per statement; "?" for the caller's unknown statements
        pytest.param("aws_iam_policy.break_glass", "policy", [("Allow", ["*"]), "?"], id="concat"),
        pytest.param(
            "aws_iam_policy.grouped",
            "policy",
            [("Allow", ["ec2:*"]), ("Allow", ["logs:GetLogEvents"]), "?"],
            id="flatten-values",
        ),
        pytest.param(
            "aws_iam_policy.mixed", "policy", [("Allow", ["secretsmanager:*"]), "?"], id="dynamic"
        ),
        pytest.param(
            "aws_iam_group_policy.ops", "policy", [("Allow", ["iam:*"]), "?"], id="heredoc-splice"
        ),
        pytest.param(
            'aws_iam_role_policy.deploy["app"]',
            "policy",
            [("Allow", ["iam:PassRole", "ecs:UpdateService", "?"])],
            id="merge-distinct-compact",
        ),
        pytest.param(
            "aws_iam_policy.custom",
            "policy",
            [
                ("Allow", ["logs:FilterLogEvents", "logs:GetLogEvents"]),
                ("Deny", ["logs:*"]),
            ],
            id="optional-statements",
        ),
    ],
)
def test_documents_are_read_statement_by_statement(
    address: str, attribute: str, statements: list[object]
) -> None:
    from iacguard.model import Effect, PolicyDocument
    from iacguard.parsers._policy_document import parse_policy

    config = hcl.read_source(PARTIAL, PurePosixPath("cfg")).config
    resource = next(r for r in config.resources if r.address == address)
    document = parse_policy(resource.values[attribute], resource.origin)
    assert isinstance(document, PolicyDocument)
    assert not document.problems
    read: list[object] = []
    for statement in document.statements:
        if isinstance(statement.effect, Unknown):
            assert all(isinstance(a, Unknown) for a in statement.actions)
            read.append("?")
        else:
            assert isinstance(statement.effect, Effect)
            actions = ["?" if isinstance(a, Unknown) else a for a in statement.actions]
            read.append((statement.effect.value, actions))
    assert read == statements


@pytest.mark.parametrize(
    "statements",
    [
        pytest.param(
            "[for arn in concat([], var.ul) :"
            ' { Effect = "Allow", Action = "s3:*", Resource = arn }]',
            id="for-expression",
        ),
        pytest.param(
            '[%{ for arn in concat([], var.ul) }{"Effect": "Allow", "Action": "s3:*", '
            '"Resource": "${arn}"}%{ endfor }]',
            id="for-directive",
        ),
    ],
)
def test_elements_that_may_not_exist_grant_nothing(tmp_path: Path, statements: str) -> None:
    """A loop over an unknown list may run no time: what its body would grant is unknown,
    never a known statement (rules.md: Unknown is never a false alarm)."""
    body = statements if statements.startswith("[for") else f"<<EOT\n{statements}\nEOT"
    value = _outputs(tmp_path, _UNKNOWNS + _output(body))["x"]
    assert value in (["?"], "?")


def test_dynamic_block_over_unknown_items_adds_no_known_statement(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(
        _UNKNOWNS + 'data "aws_iam_policy_document" "d" {\n'
        '  dynamic "statement" {\n    for_each = concat([], var.ul)\n'
        '    content {\n      actions   = ["s3:*"]\n      resources = [statement.value]\n'
        "    }\n  }\n}\n"
    )
    config = hcl.read_source(tmp_path, PurePosixPath("cfg")).config
    (data,) = config.resources
    assert isinstance(data.values["json"], Unknown)
    assert all(isinstance(s, Unknown) for s in data.values["statement"])
