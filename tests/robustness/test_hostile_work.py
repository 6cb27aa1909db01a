"""Hostile inputs that ask for unbounded work (hang) or memory (memory), run in-process
with a small work budget: each ends in an exact outcome, never in a timeout.

Every case is a builder that writes its input under a directory and returns the
command-line arguments of ``iacguard check`` (``benchmarks/hostile.py`` runs the same
builders with the default budget and reports time and memory). The expected outcome is
the exit code and the exact ``iacguard: error:`` lines on stderr: a spent budget is one
``IAM006`` line naming the input and the work that ran out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iacguard.cli import app

#: the work budget of these tests: far above what a fixture needs (under 2,000 steps),
#: far below what the hostile inputs ask for
SMALL_BUDGET = 20_000
ERROR, CLEAN, FINDINGS = 2, 0, 1

_ADMIN_TF = (
    'resource "aws_iam_policy" "admin" {\n  policy = jsonencode({ Statement = [{ '
    'Effect = "Allow", Action = "*", Resource = "*" }] })\n}\n'
)


def _spent(case: str, work: str) -> str:
    """The IAM006 line of a budget spent on *case* by *work*."""
    return (
        f"iacguard: error: {case}: work budget of {SMALL_BUDGET:,} steps exhausted by {work}; "
        "the scan stopped here and is incomplete (raise it with --work-budget) [IAM006]"
    )


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _uses(expression: str) -> str:
    """A user whose tags hold *expression*, so that it is evaluated (locals are lazy)."""
    return f'resource "aws_iam_user" "u" {{\n  name = "u"\n  tags = {{ x = {expression} }}\n}}\n'


# --------------------------------------------------------------------------- hang


def hcl_nested_for(case: Path) -> list[str]:
    """Three nested ``for`` over ``range(1000)``: 10**9 iterations."""
    loops = '[for a in range(1000) : [for b in range(1000) : [for c in range(1000) : "${a}"]]]'
    _write(case / "main.tf", f"locals {{\n  n = {loops}\n}}\n" + _uses("jsonencode(local.n)"))
    return [str(case)]


def hcl_template_for(case: Path) -> list[str]:
    """A ``templatefile()`` whose template nests ``%{for}`` directives."""
    _write(
        case / "t.tpl", "%{ for a in range(n) }%{ for b in range(n) }${a}${b}%{ endfor }%{ endfor }"
    )
    _write(case / "main.tf", _uses('templatefile("t.tpl", { n = 1000 })') + _ADMIN_TF)
    return [str(case)]


def hcl_templatefile_chain(case: Path) -> list[str]:
    """A template that renders itself twice: 2**depth renders if followed (Terraform
    forbids ``templatefile()`` in a template; so does iacguard, and the scan completes)."""
    _write(case / "t.tpl", '${templatefile("t.tpl", {})}${templatefile("t.tpl", {})}')
    _write(case / "main.tf", _uses('templatefile("t.tpl", {})') + _ADMIN_TF)
    return [str(case)]


def hcl_file_read_once(case: Path) -> list[str]:
    """One 160 kB file read by ``file()`` 500 times: it is read (and paid for) once."""
    _write(case / "big.txt", "x" * 160_000)
    reads = ", ".join(['length(file("big.txt"))'] * 500)
    _write(case / "main.tf", _uses(f"jsonencode([{reads}])") + _ADMIN_TF)
    return [str(case)]


def hcl_loops_add_up(case: Path) -> list[str]:
    """Forty ``for`` expressions of 1,000 iterations each: none is large, together they
    spend a budget that is one per scan, not per expression."""
    loops = "\n".join(f"  l{i} = [for a in range(1000) : a]" for i in range(40))
    used = "jsonencode([" + ", ".join(f"local.l{i}" for i in range(40)) + "])"
    _write(case / "main.tf", f"locals {{\n{loops}\n}}\n" + _uses(used))
    return [str(case)]


def inputs_add_up(case: Path) -> list[str]:
    """Two roots that each spend three quarters of the budget (their local is read twice:
    for its literal parts, then as a value): the second runs out."""
    loop = "[for a in range(500) : [for b in range(2) : b]]"
    for name in ("a", "b"):
        _write(case / name / "main.tf", f"locals {{\n  n = {loop}\n}}\n" + _uses("local.n"))
    return [str(case / "a"), str(case / "b")]


def hcl_for_each_instances(case: Path) -> list[str]:
    """A ``for_each`` over 1,000 keys: each instance becomes a user every check visits."""
    keys = "toset([for i in range(1000) : tostring(i)])"
    _write(
        case / "main.tf",
        f'resource "aws_iam_user" "u" {{\n  for_each = {keys}\n  name = each.key\n}}\n',
    )
    return [str(case)]


def hcl_count_instances(case: Path) -> list[str]:
    """``count = 10000`` on a module whose resource has ``count = 10000``: 10**8 users."""
    _write(
        case / "m" / "main.tf",
        'resource "aws_iam_user" "u" {\n  count = 10000\n  name = "u${count.index}"\n}\n',
    )
    _write(case / "main.tf", 'module "m" {\n  source = "./m"\n  count = 10000\n}\n')
    return [str(case)]


def cfn_resources(case: Path) -> list[str]:
    """A template whose 5,000 resources nest values: resolving them spends the budget."""
    resources = {
        f"R{i}": {"Type": "AWS::SNS::Topic", "Properties": {"Tags": [{"Key": "k", "Value": "v"}]}}
        for i in range(5000)
    }
    _write(case / "t.json", json.dumps({"Resources": resources}))
    return [str(case / "t.json")]


def iam310_distinct_unknown_actions(case: Path) -> list[str]:
    """A policy naming 3,000 distinct actions that do not exist, each close to many real
    ones: the "did you mean" search stops with the budget."""
    actions = [f"s3:GetObject{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}{i}" for i in range(3000)]
    document = {"Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    policy = json.dumps(json.dumps(document))
    _write(
        case / "main.tf",
        f'resource "aws_iam_policy" "p" {{\n  policy = {policy}\n}}\n',
    )
    return [str(case)]


def suppression_backtracking(case: Path) -> list[str]:
    """A configured address glob that makes a backtracking matcher take exponential time
    on a long address; matching is linear, the scan completes."""
    name = "a" * 5000
    _write(
        case / "main.tf",
        f'resource "aws_iam_policy" "{name}" {{\n  policy = jsonencode({{ Statement = [{{ '
        'Effect = "Allow", Action = "*", Resource = "*" }] })\n}\n',
    )
    glob = "*a" * 30 + "?b"
    _write(
        case / "iacguard.toml",
        f'[[suppress]]\nrules = ["IAM3"]\naddress = "{glob}"\nreason = "never matches"\n',
    )
    return [str(case), "--config", str(case / "iacguard.toml")]


# --------------------------------------------------------------------------- memory


def hcl_doubling_strings(case: Path) -> list[str]:
    """Each local twice the one before: 10 * 2**40 characters if built."""
    doubled = [f'  s{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"' for i in range(1, 41)]
    _write(
        case / "main.tf",
        "locals {\n" + '  s0 = "0123456789"\n' + "\n".join(doubled) + "\n}\n" + _uses("local.s40"),
    )
    return [str(case)]


def hcl_replace_product(case: Path) -> list[str]:
    """``replace()`` of every character of a 40 kB string by that string: 1.6 GB."""
    big = "a" * 40_000
    _write(
        case / "main.tf",
        f'locals {{\n  big = "{big}"\n}}\n' + _uses('replace(local.big, "a", local.big)'),
    )
    return [str(case)]


def hcl_join_separator(case: Path) -> list[str]:
    """``join()`` with a 40 kB separator between 1,000 elements: 40 MB."""
    _write(
        case / "main.tf",
        f'locals {{\n  sep = "{"s" * 40_000}"\n}}\n' + _uses("join(local.sep, range(1000))"),
    )
    return [str(case)]


def hcl_split_pieces(case: Path) -> list[str]:
    """``split()`` of a 200 kB string into one-character pieces: 200,000 strings."""
    _write(
        case / "main.tf",
        f'locals {{\n  big = "{"a," * 100_000}"\n}}\n' + _uses('length(split(",", local.big))'),
    )
    return [str(case)]


def _cfn_with_parameter(case: Path, value: object) -> list[str]:
    template = {
        "Parameters": {"P": {"Type": "String", "Default": "a" * 50_000}},
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": value}}},
    }
    _write(case / "t.json", json.dumps(template))
    return [str(case / "t.json")]


def cfn_sub_repeats(case: Path) -> list[str]:
    """``Fn::Sub`` repeating a 50 kB parameter default 2,000 times: 100 MB."""
    return _cfn_with_parameter(case, {"Fn::Sub": "${P}" * 2000})


def cfn_join_repeats(case: Path) -> list[str]:
    """``Fn::Join`` of 2,000 references to a 50 kB parameter default: 100 MB."""
    return _cfn_with_parameter(case, {"Fn::Join": ["", [{"Ref": "P"}] * 2000]})


def cfn_split_pieces(case: Path) -> list[str]:
    """``Fn::Split`` of a 50 kB parameter default into one-character pieces."""
    return _cfn_with_parameter(case, {"Fn::Split": ["a", {"Ref": "P"}]})


def declarative_format_spec(case: Path) -> list[str]:
    """A rule whose message pads a field to a billion characters."""
    _write(case / "rules" / "r.yaml", _RULE.format(message="'{label:>999999999}'"))
    _write(case / "main.tf", _ADMIN_TF)
    return [str(case), "--rules-dir", str(case / "rules")]


def declarative_repeated_field(case: Path) -> list[str]:
    """A rule whose message repeats the address 50 times, on a 20 kB address: the
    message is cut at 1,000 characters."""
    _write(case / "rules" / "r.yaml", _RULE.format(message="'" + "{address}" * 50 + "'"))
    _write(
        case / "main.tf",
        f'resource "aws_iam_policy" "{"p" * 20_000}" {{\n  policy = "{{}}"\n}}\n',
    )
    return [str(case), "--rules-dir", str(case / "rules"), "--select", "ACME"]


_RULE = """\
- id: ACME001
  severity: high
  title: Every policy
  description: "Fix: none."
  target: policies
  condition: "`true`"
  message: {message}
"""


@dataclass(frozen=True)
class Case:
    """A hostile input and the exact outcome it must have."""

    build: Callable[[Path], list[str]]
    #: hang or memory
    kind: str
    exit_code: int
    #: the ``iacguard: error:`` lines, with ``{case}`` standing for the case's directory
    errors: tuple[str, ...] = ()


CASES: dict[str, Case] = {
    "hcl_nested_for": Case(hcl_nested_for, "hang", ERROR, (_spent("{case}", "HCL evaluation"),)),
    "hcl_template_for": Case(
        hcl_template_for, "hang", ERROR, (_spent("{case}", "HCL evaluation"),)
    ),
    "hcl_templatefile_chain": Case(hcl_templatefile_chain, "hang", FINDINGS),
    "hcl_file_read_once": Case(hcl_file_read_once, "hang", FINDINGS),
    "hcl_loops_add_up": Case(
        hcl_loops_add_up, "hang", ERROR, (_spent("{case}", "HCL evaluation"),)
    ),
    "inputs_add_up": Case(inputs_add_up, "hang", ERROR, (_spent("{case}/b", "HCL evaluation"),)),
    "hcl_for_each_instances": Case(
        hcl_for_each_instances, "hang", ERROR, (_spent("{case}", "for_each instances"),)
    ),
    "hcl_count_instances": Case(
        hcl_count_instances, "hang", ERROR, (_spent("{case}", "count instances"),)
    ),
    "cfn_resources": Case(
        cfn_resources,
        "hang",
        ERROR,
        (_spent("{case}/t.json", "CloudFormation intrinsic resolution"),),
    ),
    "iam310_distinct_unknown_actions": Case(
        iam310_distinct_unknown_actions, "hang", ERROR, (_spent("{case}", "IAM310 suggestions"),)
    ),
    "suppression_backtracking": Case(suppression_backtracking, "hang", FINDINGS),
    "hcl_doubling_strings": Case(
        hcl_doubling_strings, "memory", ERROR, (_spent("{case}", "HCL templates"),)
    ),
    "hcl_replace_product": Case(
        hcl_replace_product, "memory", ERROR, (_spent("{case}", "HCL functions"),)
    ),
    "hcl_join_separator": Case(
        hcl_join_separator, "memory", ERROR, (_spent("{case}", "HCL functions"),)
    ),
    "hcl_split_pieces": Case(
        hcl_split_pieces, "memory", ERROR, (_spent("{case}", "HCL functions"),)
    ),
    "cfn_sub_repeats": Case(
        cfn_sub_repeats, "memory", ERROR, (_spent("{case}/t.json", "CloudFormation Fn::Sub"),)
    ),
    "cfn_join_repeats": Case(
        cfn_join_repeats, "memory", ERROR, (_spent("{case}/t.json", "CloudFormation Fn::Join"),)
    ),
    "cfn_split_pieces": Case(
        cfn_split_pieces, "memory", ERROR, (_spent("{case}/t.json", "CloudFormation Fn::Split"),)
    ),
    "declarative_format_spec": Case(
        declarative_format_spec,
        "memory",
        ERROR,
        (
            "iacguard: error: {case}/rules/r.yaml:7: rule ACME001: message field {{label}} "
            "takes no format spec or conversion",
        ),
    ),
    "declarative_repeated_field": Case(declarative_repeated_field, "memory", FINDINGS),
}


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("IACGUARD_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)  # reports name inputs relative to it; no config around
    return CliRunner()


def run_case(runner: CliRunner, name: str, budget: int = SMALL_BUDGET) -> tuple[int, str, str]:
    """Build case *name* under ``./name`` and scan it in-process: exit code, stdout and
    stderr."""
    args = CASES[name].build(Path(name))
    command = ["check", *args, "--format", "json", "--work-budget", str(budget)]
    result = runner.invoke(app, command, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_both_classes_are_covered() -> None:
    kinds = [case.kind for case in CASES.values()]
    assert kinds.count("hang") >= 6
    assert kinds.count("memory") >= 6


@pytest.mark.parametrize("name", CASES)
def test_hostile_input_has_its_exact_outcome(runner: CliRunner, name: str) -> None:
    case = CASES[name]
    code, stdout, stderr = run_case(runner, name)
    errors = [line for line in stderr.splitlines() if line.startswith("iacguard: error:")]
    assert "Traceback" not in stdout + stderr
    assert errors == [line.format(case=name) for line in case.errors], stderr
    assert code == case.exit_code, stderr
    if errors and "IAM006" in errors[0]:
        report = json.loads(stdout)
        assert report["complete"] is False
        assert [d["code"] for d in report["diagnostics"] if d["level"] == "error"] == ["IAM006"]


def test_the_budget_is_what_stops_them(runner: CliRunner) -> None:
    """With a budget large enough, a case that stopped completes: the budget, not a
    hidden limit, decided (a doubled budget is still far from enough for a bomb)."""
    code, stdout, _ = run_case(runner, "inputs_add_up", budget=2 * SMALL_BUDGET)
    assert code == FINDINGS
    assert json.loads(stdout)["complete"] is True


def test_templatefile_chain_renders_unknown(runner: CliRunner) -> None:
    code, stdout, _ = run_case(runner, "hcl_templatefile_chain")
    assert code == FINDINGS
    assert json.loads(stdout)["complete"] is True


def test_repeated_message_field_is_cut(runner: CliRunner) -> None:
    _, stdout, _ = run_case(runner, "declarative_repeated_field")
    (finding,) = json.loads(stdout)["findings"]
    assert len(finding["message"]) == 1000
    assert finding["message"] == ("aws_iam_policy." + "p" * 20_000)[:997] + "..."
