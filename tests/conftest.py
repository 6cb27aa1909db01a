"""Shared fixtures: a fresh plugin manager per test, fixture scanning, CLI runner."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pluggy
import pytest

from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.plugins import collect_checks, get_plugin_manager

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
TERRAFORM = FIXTURES / "terraform"

#: ``# expect: IAM301 fires -- reason`` above a block names the block's address
_EXPECT = re.compile(r"^\s*#\s*expect:\s*(?P<rule>[A-Z]{2,5}\d{3})\s+(?P<verdict>fires|silent)\b")
_BLOCK = re.compile(
    r'^\s*(?P<kind>resource|data|output|provider)\s+"(?P<a>[^"]+)"(?:\s+"(?P<b>[^"]+)")?'
)


@dataclass(frozen=True)
class Expectation:
    """One ``# expect:`` annotation of a fixture's HCL."""

    rule: str
    address: str
    fires: bool
    file: str
    line: int


def run_python_probe(code: str) -> object:
    """Run *code* in a fresh interpreter (with the repository importable) and return the
    JSON it prints: for facts about imports and lazy loading, which need a new process."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    return json.loads(completed.stdout)


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden``: rewrite the golden reports instead of comparing them."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        dest="update_golden",
        help="rewrite tests/golden/ (and other golden files) from the current output",
    )


@pytest.fixture
def pm() -> pluggy.PluginManager:
    """A fresh plugin manager with the built-ins only (no entry points)."""
    return get_plugin_manager(load_entrypoints=False)


@cache
def scan_case(case: str, fmt: str = "terraform") -> ScanResult:
    """Scan ``fixtures/<fmt>/<case>`` with every built-in check (cached per session)."""
    registry, problems = collect_checks(get_plugin_manager(load_entrypoints=False))
    assert not problems
    path = FIXTURES / fmt / case / "plan.json" if fmt == "terraform" else FIXTURES / fmt / case
    return scan([path], registry, ScanOptions())


def found_plan_alone(case: str, tmp_path: Path, rule: str | None = None) -> set[tuple[str, str]]:
    """``{(rule_id, address)}`` of a case's plan copied away from its ``.tf`` source: no
    document is filled in from the source, so what is unknown in the plan stays unknown."""
    registry, problems = collect_checks(get_plugin_manager(load_entrypoints=False))
    assert not problems
    plan = tmp_path / f"{case}-alone" / "plan.json"
    plan.parent.mkdir()
    plan.write_bytes((TERRAFORM / case / "plan.json").read_bytes())
    return {
        (f.rule_id, f.address)
        for f in scan([plan], registry, ScanOptions()).findings
        if rule is None or f.rule_id == rule
    }


def found(case: str, rule: str | None = None) -> set[tuple[str, str]]:
    """``{(rule_id, address)}`` of a case's findings, optionally of one rule."""
    return {
        (f.rule_id, f.address)
        for f in scan_case(case).findings
        if rule is None or f.rule_id == rule
    }


def addresses(case: str, rule: str) -> set[str]:
    """Addresses a rule reports in a case."""
    return {address for _, address in found(case, rule)}


def expectations(case: str) -> Iterator[Expectation]:
    """The ``# expect:`` annotations of ``fixtures/terraform/<case>/*.tf`` (root module)."""
    for tf in sorted((TERRAFORM / case).glob("*.tf")):
        pending: list[tuple[str, bool, int]] = []
        for number, line in enumerate(tf.read_text().splitlines(), start=1):
            if match := _EXPECT.match(line):
                pending.append((match["rule"], match["verdict"] == "fires", number))
                continue
            if match := _BLOCK.match(line):
                kind, first, second = match["kind"], match["a"], match["b"]
                address = {
                    "resource": f"{first}.{second}",
                    "data": f"data.{first}.{second}",
                    "output": f"output.{first}",
                    "provider": f"provider.{first}",
                }[kind]
                for rule, fires, at in pending:
                    yield Expectation(rule, address, fires, tf.name, at)
                pending = []
            elif line.strip() and not line.lstrip().startswith("#"):
                pending = []
