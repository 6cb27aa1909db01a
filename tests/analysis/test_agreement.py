"""``check`` and ``access`` agree on who is privileged, on every fixture of every format.

``access`` lists the privileged principals in its summary. ``check`` says so through
IAM306 (escalation path or chain), IAM204 (privileged user without MFA enforcement) and
IAM404 (privileged role assumable without MFA), and IAM301 for administrators. Every
principal those three rules report must be privileged for ``access``; every principal
``access`` calls privileged but not an administrator must have IAM306 itself, at one of
its groups (a path a group grants is reported there), or hold a permission known only
after apply (IAM306 stays silent on partial results).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from iacguard.analysis.analyzer import Analyzer
from iacguard.catalog import default_catalog
from iacguard.engine import ScanOptions, scan
from iacguard.graph import Graph
from iacguard.parsers import discover, parse
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.views.access import _summary
from tests.conftest import FIXTURES

INPUTS = [
    *sorted(FIXTURES.glob("terraform/*/plan.json")),
    *sorted(FIXTURES.glob("cloudformation/*/*.yaml")),
    *sorted(FIXTURES.glob("cloudformation/*/*.json")),
]
#: ``  PRIVILEGED role 'aws_iam_role.ci' ...`` in the summary of ``iacguard access``
_SUMMARY = re.compile(r"^  (?P<label>ADMIN|PRIVILEGED)\s+\w+ '(?P<address>[^']+)'")


def _graph(path: Path) -> Graph:
    [source] = list(discover([path]))
    return parse(source).graph


def _access_verdicts(analyzer: Analyzer) -> dict[str, str]:
    """The summary ``iacguard access`` starts with, rendered by the view's own code; the
    rest of the view (every principal's permissions by service) is not needed here and
    cost four fifths of this test's time (#15)."""
    stream = io.StringIO()
    _summary(analyzer, list(analyzer.graph.principals()), stream)
    found: dict[str, str] = {}
    for line in stream.getvalue().splitlines():
        match = _SUMMARY.match(line)
        if match:
            found[match["address"]] = match["label"]
    return found


@pytest.mark.parametrize("path", INPUTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_check_and_access_agree_on_who_is_privileged(path: Path) -> None:
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    result = scan([path], registry, ScanOptions())
    reported = {(f.rule_id, f.address) for f in result.findings}
    graph = _graph(path)
    analyzer = Analyzer(graph, default_catalog())
    verdicts = _access_verdicts(analyzer)
    # findings are reported at a principal's origin (a SAM function for its role)
    origins = {graph.principal(a).origin.address: a for a in verdicts}  # type: ignore[union-attr]
    for rule, address in reported:
        if rule in {"IAM306", "IAM204", "IAM404"}:
            assert address in origins, f"{rule} at {address}, which access does not list"
    for address, label in verdicts.items():
        if label == "ADMIN":
            continue
        principal = graph.principal(address)
        assert principal is not None
        perms = analyzer.permissions(principal)
        groups = {g.address for g in perms.groups}
        at_group = any(("IAM306", g) in reported for g in groups)
        own = ("IAM306", principal.origin.address) in reported
        assert own or at_group or perms.partial, (
            f"access calls {address} privileged, check reports no IAM306"
        )
