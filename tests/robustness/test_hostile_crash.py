"""Hostile-input corpus, class *crash* (#13): trees an attacker controls that once made
iacguard raise (a traceback and exit 1, read by CI as "findings"). Each now ends in its
exact outcome: the scan it should be, or one error line per problem and exit 2.

Every case runs the CLI in-process on a tree built at run time (file names that are not
UTF-8 cannot be committed portably).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import run_cli

ADMIN = {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _plan(**extra: object) -> str:
    """A plan with one administrator policy, ``aws_iam_policy.p``, and *extra* keys."""
    resource = {
        "address": "aws_iam_policy.p",
        "mode": "managed",
        "type": "aws_iam_policy",
        "name": "p",
        "values": {"name": "p", "policy": json.dumps(ADMIN)},
    }
    plan = {"format_version": "1.2", "planned_values": {"root_module": {"resources": [resource]}}}
    return json.dumps({**plan, **extra})


def _change(rtype: object) -> list[object]:
    """``resource_changes`` with one entry of type *rtype* and prior values."""
    before = {"name": "old", "policy": json.dumps(ADMIN)}
    return [{"address": "aws_iam_policy.q", "mode": "managed", "type": rtype,
             "change": {"actions": ["delete"], "before": before, "after": None}}]  # fmt: skip


def _write(path: Path | bytes, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(text)


TEMPLATE = (
    "Resources:\n  D\u00e9v:\n    Type: AWS::IAM::User\n    Properties:\n      Policies:\n"
    f"        - PolicyName: admin\n          PolicyDocument: {json.dumps(ADMIN)}\n"
)


@dataclass(frozen=True)
class Case:
    """A hostile tree, how it is scanned, and the exact outcome."""

    #: writes the tree under the directory it is given
    build: Callable[[Path], None]
    #: the command line; ``{root}`` stands for the tree
    args: tuple[str, ...]
    exit_code: int
    #: stderr, line by line; ``{root}`` stands for the tree
    stderr: tuple[str, ...] = ()
    #: text stdout must contain; ``{root}`` stands for the tree
    shown: str = ""
    #: the stdout encoding (a terminal that is not UTF-8)
    charset: str = "utf-8"


def _undecodable_file(root: Path) -> None:
    _write(os.fsencode(root) + b"/plan\xff.json", _plan())


def _undecodable_directory(root: Path) -> None:
    _write(os.fsencode(root) + b"/env\xe9/plan.json", _plan())


CASES = {
    "plan resource_changes type an object": Case(
        lambda root: _write(root / "plan.json", _plan(resource_changes=_change({"a": 1}))),
        ("check", "-f", "json", "{root}"),
        1,
        shown='"resource": "aws_iam_policy.p",\n      "rule_id": "IAM301"',
    ),
    "plan resource_changes type a list, graph view": Case(
        lambda root: _write(root / "plan.json", _plan(resource_changes=_change(["x"]))),
        ("graph", "-f", "json", "{root}"),
        0,
        shown='"id": "aws_iam_policy.p"',
    ),
    "file name not UTF-8, SARIF": Case(
        _undecodable_file, ("check", "-f", "sarif", "{root}"), 1, shown="/plan%FF.json"
    ),
    "file name not UTF-8, GitHub annotations": Case(
        _undecodable_file, ("check", "-f", "github", "{root}"), 1, shown="/plan\\udcff.json,"
    ),
    "file name not UTF-8, access view": Case(
        lambda root: _write(os.fsencode(root) + b"/t\xff.yaml", TEMPLATE),
        ("access", "{root}"),
        0,
        shown="{root}/t\\udcff.yaml\n",
    ),
    "directory name not UTF-8, SARIF fingerprints": Case(
        _undecodable_directory, ("check", "-f", "sarif", "{root}"), 1, shown="/env%E9/plan.json"
    ),
    "pyproject.toml whose tool is not a table": Case(
        lambda root: _write(root / "pyproject.toml", "tool = 5\n"),
        ("check", "--config", "{root}/pyproject.toml", "{root}"),
        2,
        ("iacguard: error: {root}/pyproject.toml: [tool] must be a table",),
    ),
    "configured baseline path with a NUL byte": Case(
        lambda root: _write(root / ".iacguard.toml", 'baseline = "b\\u0000.json"\n'),
        ("check", "--config", "{root}/.iacguard.toml", "{root}"),
        2,
        ("iacguard: error: {root}/b\\x00.json: cannot read baseline: embedded null byte",),
    ),
    "baseline that is a JSON list": Case(
        lambda root: (_write(root / "b.json", "[[]]"), _write(root / "plan.json", _plan())),
        ("check", "--baseline", "{root}/b.json", "{root}/plan.json"),
        2,
        ("iacguard: error: {root}/b.json: not an iacguard baseline (version 1)",),
    ),
    "file name with a line break and a workflow command": Case(
        lambda root: (
            _write(root / "x\n::error::owned.yaml", "Resources:\n  A: [\n"),
            _write(root / "plan.json", _plan()),
        ),
        ("check", "-f", "json", "{root}"),
        2,
        (
            "iacguard: error: {root}/x\\n::error::owned.yaml: invalid template: did not find "
            "expected node content [IAM001]",
        ),
    ),
    "names not ASCII on an ASCII terminal": Case(
        lambda root: _write(root / "template.yaml", TEMPLATE),
        ("check", "{root}"),
        1,
        shown="  D\\xe9v  (line 7)\n",
        charset="ascii",
    ),
    "names not ASCII on an ASCII terminal, graph view": Case(
        lambda root: _write(root / "template.yaml", TEMPLATE),
        ("graph", "-f", "mermaid", "{root}"),
        0,
        shown='["D\\xe9v [user]"]',
        charset="ascii",
    ),
}


def test_the_crash_class_is_big_enough() -> None:
    assert len(CASES) >= 8


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_tree_has_its_exact_outcome(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    root = tmp_path / "tree"
    root.mkdir()
    case.build(root)
    outcome = run_cli(*(arg.format(root=root) for arg in case.args), charset=case.charset)
    assert outcome.exception is None
    expected = "".join(f"{line.format(root=root)}\n" for line in case.stderr)
    assert (outcome.exit_code, outcome.stderr) == (case.exit_code, expected)
    assert case.shown.format(root=root) in outcome.stdout
