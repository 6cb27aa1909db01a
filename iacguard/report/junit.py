"""The ``junit`` reporter: JUnit XML, one test case per rule and resource, for CI test views.

:mod:`xml.etree.ElementTree` is imported by the functions that build elements: this
module is imported on every run to register its format, and that import would cost
more than the module itself.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from itertools import groupby
from typing import TYPE_CHECKING, Final, TextIO

from iacguard import coverage
from iacguard.coverage import NotEvaluated, NotEvaluatedGroup, NotEvaluatedKind
from iacguard.hookspecs import hookimpl
from iacguard.report import RegisterReporter, silenced
from iacguard.report._escape import defuse_xml
from iacguard.results import Diagnostic, DiagnosticLevel, Finding

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

    from iacguard.engine import ScanResult
    from iacguard.registry import Check

#: characters XML 1.0 forbids even escaped (C0 controls but tab, CR, LF; surrogates; FFFE/F)
_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: the test case name of a rule that found nothing
PASSED_NAME: Final = "(all resources)"


def _clean(text: str) -> str:
    """*text* with the characters XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _where(finding: Finding) -> str:
    """``file:line``, or ``file`` when the line is unknown."""
    return finding.location.where()


def _case_key(finding: Finding) -> tuple[str, str, str]:
    return (finding.rule_id, str(finding.location.file), finding.address)


def _failure_case(findings: list[Finding]) -> ET.Element:
    """The test case of one rule at one resource of one file; its first finding is the
    failure message, and the body lists every finding there."""
    import xml.etree.ElementTree as ET

    first = max(findings, key=lambda f: f.severity)
    case = ET.Element(
        "testcase",
        classname=_clean(f"iacguard.{first.rule_id}"),
        name=_clean(f"{first.location.file}::{first.address}"),
    )
    body = "\n".join(
        f"{f.rule_id} {f.severity.label} at {_where(f)}: {f.message}" for f in findings
    )
    ET.SubElement(
        case,
        "failure",
        message=_clean(first.message),
        type=f"{first.rule_id} {first.severity.label}",
    ).text = _clean(f"{first.title}\n{body}")
    return case


def _passed_case(check: Check) -> ET.Element:
    import xml.etree.ElementTree as ET

    return ET.Element("testcase", classname=f"iacguard.{check.id}", name=PASSED_NAME)


def _error_case(diagnostic: Diagnostic) -> ET.Element:
    """A failed scan step: a parse error is a case of its file, a crash one of its rule."""
    import xml.etree.ElementTree as ET

    where = str(diagnostic.location.file) if diagnostic.location else "(scan)"
    case = ET.Element(
        "testcase",
        classname=_clean(f"iacguard.{diagnostic.check_id or diagnostic.code}"),
        name=_clean(f"{where}::{diagnostic.code}"),
    )
    ET.SubElement(
        case, "error", message=_clean(diagnostic.message), type=diagnostic.code
    ).text = _clean(diagnostic.message)
    return case


def _skipped_case(group: NotEvaluatedGroup, items: Iterable[NotEvaluated]) -> ET.Element:
    """A skipped case per kind and reason of what was not evaluated; its body lists the
    elements (*items*, those of the group)."""
    import xml.etree.ElementTree as ET

    case = ET.Element(
        "testcase",
        classname="iacguard.not-evaluated",
        name=f"{group.kind.plural}: {group.reason}",
    )
    body = "\n".join(item.describe() for item in items)
    ET.SubElement(case, "skipped", message=_clean(group.describe())).text = _clean(body)
    return case


def junit_cases(result: ScanResult) -> list[ET.Element]:
    """Every test case: one per (rule, file, resource) with findings, one passing case per
    rule that found nothing and did not crash, one error case per ERROR diagnostic, and
    one skipped case per kind and reason of what was not evaluated.

    ``classname`` is ``iacguard.<rule ID>`` and ``name`` is ``<file>::<address>``, so
    the pair is unique in a report.
    """
    findings = result.findings  # one test case per resource: the pair stays unique
    ordered = sorted(findings, key=_case_key)
    cases = [_failure_case(list(group)) for _, group in groupby(ordered, key=_case_key)]
    errors = [d for d in result.diagnostics if d.level is DiagnosticLevel.ERROR]
    failing = {f.rule_id for f in findings} | {d.check_id for d in errors}
    cases += [_passed_case(check) for check in result.checks if check.id not in failing]
    cases += [_error_case(diagnostic) for diagnostic in errors]
    by_group: dict[tuple[NotEvaluatedKind, str], list[NotEvaluated]] = defaultdict(list)
    for item in result.not_evaluated:
        by_group[item.kind, item.reason].append(item)
    cases += [
        _skipped_case(group, by_group[group.kind, group.reason])
        for group in coverage.groups(result.not_evaluated)
    ]
    return sorted(cases, key=lambda c: (c.get("classname", ""), c.get("name", "")))


def _count(cases: Iterable[ET.Element], tag: str) -> int:
    return sum(case.find(tag) is not None for case in cases)


class JunitReporter:
    """Writes ``<testsuites>`` with one ``<testsuite name="iacguard">``."""

    name: Final = "junit"

    def render(self, result: ScanResult, stream: TextIO) -> None:
        """Write the XML document, indented, with no timestamp."""
        import xml.etree.ElementTree as ET

        cases = junit_cases(result)
        counts = {
            "tests": str(len(cases)),
            "failures": str(_count(cases, "failure")),
            "errors": str(_count(cases, "error")),
        }
        skipped = str(_count(cases, "skipped"))
        root = ET.Element("testsuites", {"name": "iacguard", **counts})
        suite = ET.SubElement(root, "testsuite", {"name": "iacguard", "skipped": skipped, **counts})
        properties = ET.SubElement(suite, "properties")
        for key, count in silenced(result).as_dict().items():
            ET.SubElement(properties, "property", name=f"iacguard.silenced.{key}", value=str(count))
        suite.extend(cases)
        ET.indent(root)
        stream.write('<?xml version="1.0" encoding="utf-8"?>\n')
        stream.write(defuse_xml(ET.tostring(root, encoding="unicode")))
        stream.write("\n")


@hookimpl
def iacguard_register_reporters(register: RegisterReporter) -> None:
    """Provide the ``junit`` format."""
    register(JunitReporter())
