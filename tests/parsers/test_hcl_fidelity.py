"""HCL fidelity (#17): what Terraform accepts is parsed, and evaluated as Terraform does.

Every expected value in these tables is what Terraform 1.11.4 itself gave for the same
text (``terraform plan`` then ``terraform show -json``: the planned value of the output),
so a row that fails is a place where iacguard reads a configuration differently.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from iacguard.model import RawValue, Unknown
from iacguard.parsers import hcl
from iacguard.parsers._hcl_module import Configuration
from iacguard.parsers._policy_document import PartialJSON


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
    assert _outputs(tmp_path, text)["x"] == expected


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
