"""Every ``# expect:`` annotation in the Terraform fixtures holds on the real plan.

An annotation names a rule and says it fires or stays silent at the annotated block.
For a block with ``count``/``for_each`` the address matches any of its instances.
"""

from __future__ import annotations

import pytest

from tests.conftest import TERRAFORM, Expectation, expectations, found

CASES = sorted(p.name for p in TERRAFORM.iterdir() if (p / "plan.json").is_file())
EXPECTATIONS = [
    pytest.param(case, e, id=f"{case}:{e.rule}:{'fires' if e.fires else 'silent'}:{e.address}")
    for case in CASES
    for e in expectations(case)
]


def _matches(address: str, expected: str) -> bool:
    return address == expected or address.startswith(expected + "[")


@pytest.mark.parametrize(("case", "expectation"), EXPECTATIONS)
def test_annotation_holds(case: str, expectation: Expectation) -> None:
    hits = {a for rule, a in found(case, expectation.rule) if _matches(a, expectation.address)}
    where = f"{expectation.file}:{expectation.line}"
    if expectation.fires:
        assert hits, f"{expectation.rule} should fire at {expectation.address} ({where})"
    else:
        assert not hits, f"{expectation.rule} should be silent at {expectation.address} ({where})"


@pytest.mark.parametrize("case", CASES)
def test_no_unannotated_findings_for_annotated_rules(case: str) -> None:
    """A rule annotated anywhere in a case reports only where an annotation says it fires."""
    annotated = list(expectations(case))
    rules = {e.rule for e in annotated}
    allowed = {(e.rule, e.address) for e in annotated if e.fires}
    extra = sorted(
        (rule, address)
        for rule, address in found(case)
        if rule in rules
        and not any(r == rule and _matches(address, a) for r, a in allowed)
        and not address.startswith("module.")
    )
    assert not extra, f"findings without a 'fires' annotation: {extra}"
