"""CloudFormation and Terraform give the same rules for the same scenario.

Each ``fixtures/cloudformation/<case>`` writes the scenarios of ``fixtures/terraform/<case>``
as a template; the rule IDs that fire must be the same in both, for every rule that
applies to both formats. Every ``# expect:`` line of the YAML templates must hold too
(the same oracle as ``test_fixture_expectations.py``, with logical IDs as addresses).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from iacguard.registry import CheckRegistry
from tests.conftest import FIXTURES, Expectation, scan_case

CLOUDFORMATION = FIXTURES / "cloudformation"
#: rules that exist for both formats (IAM104 and IAM101 apply too); IAM601 has no
#: CloudFormation resource
PARITY_RULES = frozenset(
    {"IAM101", "IAM102", "IAM103", "IAM104", "IAM201", "IAM202", "IAM203", "IAM204",
     "IAM205", "IAM206", "IAM301", "IAM302", "IAM303", "IAM304", "IAM305", "IAM306",
     "IAM307", "IAM308", "IAM309", "IAM310", "IAM311", "IAM401", "IAM402", "IAM403",
     "IAM404", "IAM501", "IAM502", "IAM701"}
)  # fmt: skip
PARITY_CASES = sorted(
    p.name for p in CLOUDFORMATION.iterdir() if (FIXTURES / "terraform" / p.name).is_dir()
)
_EXPECT = re.compile(r"^\s*#\s*expect:\s*(?P<rule>[A-Z]{2,5}\d{3})\s+(?P<verdict>fires|silent)\b")
#: a resource or output logical ID line (two-space indent in the fixtures)
_LOGICAL = re.compile(r"^  (?P<name>[A-Za-z0-9]+):\s*$")
_SECTION = re.compile(r"^(?P<name>[A-Za-z]+):")


def _rules(case: str, fmt: str) -> set[str]:
    return {f.rule_id for f in scan_case(case, fmt).findings} & PARITY_RULES


@pytest.mark.parametrize("case", PARITY_CASES)
def test_same_rules_as_terraform(case: str) -> None:
    assert _rules(case, "cloudformation") == _rules(case, "terraform")


def test_parity_covers_every_shared_rule() -> None:
    """Every shared rule that is implemented fires in some parity case."""
    from iacguard.plugins import collect_checks, get_plugin_manager

    registry: CheckRegistry = collect_checks(get_plugin_manager(load_entrypoints=False))[0]
    implemented = {check.id for check in registry} & PARITY_RULES
    fired = set().union(*(_rules(case, "cloudformation") for case in PARITY_CASES))
    missing = implemented - fired - {"IAM306", "IAM404"}  # no Terraform fixture has them yet
    assert not missing


def cfn_expectations(template: Path) -> Iterator[Expectation]:
    """The ``# expect:`` annotations of a YAML template: each names the logical ID on
    the next line (``Outputs.NAME`` in Outputs, ``Parameters.NAME`` in Parameters)."""
    pending: list[tuple[str, bool, int]] = []
    section = ""
    for number, line in enumerate(template.read_text().splitlines(), start=1):
        if match := _SECTION.match(line):
            section = match["name"]
        if match := _EXPECT.match(line):
            pending.append((match["rule"], match["verdict"] == "fires", number))
            continue
        if match := _LOGICAL.match(line):
            name = match["name"]
            address = name if section == "Resources" else f"{section}.{name}"
            for rule, fires, at in pending:
                yield Expectation(rule, address, fires, template.name, at)
            pending = []
        elif line.strip() and not line.lstrip().startswith("#"):
            pending = []


TEMPLATES = sorted(CLOUDFORMATION.glob("*/*.yaml"))
EXPECTATIONS = [
    pytest.param(
        t, e, id=f"{t.parent.name}:{e.rule}:{'fires' if e.fires else 'silent'}:{e.address}"
    )
    for t in TEMPLATES
    for e in cfn_expectations(t)
]


def _found(template: Path, rule: str) -> set[str]:
    return {
        f.address
        for f in scan_case(template.parent.name, "cloudformation").findings
        if f.rule_id == rule and f.location.file.name == template.name
    }


@pytest.mark.parametrize(("template", "expectation"), EXPECTATIONS)
def test_annotation_holds(template: Path, expectation: Expectation) -> None:
    hits = _found(template, expectation.rule) & {expectation.address}
    where = f"{template.parent.name}/{expectation.file}:{expectation.line}"
    if expectation.fires:
        assert hits, f"{expectation.rule} should fire at {expectation.address} ({where})"
    else:
        assert not hits, f"{expectation.rule} should be silent at {expectation.address} ({where})"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: f"{t.parent.name}/{t.name}")
def test_no_unannotated_findings_for_annotated_rules(template: Path) -> None:
    annotated = list(cfn_expectations(template))
    rules = {e.rule for e in annotated}
    allowed = {(e.rule, e.address) for e in annotated if e.fires}
    extra = sorted(
        (f.rule_id, f.address)
        for f in scan_case(template.parent.name, "cloudformation").findings
        if f.rule_id in rules
        and f.location.file.name == template.name
        and (f.rule_id, f.address) not in allowed
    )
    assert not extra, f"findings without a 'fires' annotation: {extra}"
