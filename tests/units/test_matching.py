"""Per-scan state: a scan's :class:`Matching` gives the answers of the pure functions and
keeps a bounded number of them; the engine makes one analyzer per graph and hands it to
every check in :attr:`CheckContext.analyzer`; nothing is remembered between scans, and the
garbage collector is left as the caller had it (#15)."""

from __future__ import annotations

import ast
import contextlib
import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from iacguard import catalog as catalog_module
from iacguard._glob import glob_contains
from iacguard.action_glob import action_pattern_matches
from iacguard.analysis import arn
from iacguard.analysis.analyzer import Analyzer
from iacguard.analysis.matching import Matching
from iacguard.catalog import ActionCatalog, default_catalog
from iacguard.engine import ScanOptions, scan
from iacguard.errors import UnsupportedInputError
from iacguard.graph import Graph, GraphBuilder
from iacguard.model import Severity
from iacguard.registry import CheckContext, CheckRegistry, check
from iacguard.results import Hit
from tests.conftest import ROOT, TERRAFORM

MFA_PLAN = TERRAFORM / "mfa" / "plan.json"
ESCALATION_PLAN = TERRAFORM / "escalation" / "plan.json"


def _empty() -> Graph:
    return GraphBuilder().build()


def _cache_size(memoised: Callable[..., Any]) -> int:
    """How many answers an ``lru_cache`` wrapper holds."""
    size: int = getattr(memoised, "cache_info")().currsize  # noqa: B009
    return size


@pytest.mark.parametrize(
    ("pattern", "action"),
    [
        pytest.param("s3:Get*", "s3:GetObject", id="glob-hit"),
        pytest.param("S3:GET*", "s3:getobject", id="any-case"),
        pytest.param("s3:Get*", "s3:PutObject", id="glob-miss"),
        pytest.param("s3:?etObject", "s3:GetObject", id="one-char"),
        pytest.param("*", "iam:PassRole", id="everything"),
        pytest.param("s3:*", "ec2:RunInstances", id="other-service"),
        pytest.param("s3", "s3:GetObject", id="malformed"),
        pytest.param("s3:[Gg]et*", "s3:GetObject", id="bracket-literal"),
    ],
)
def test_action_answers_are_the_pure_function_s(pattern: str, action: str) -> None:
    matching = Matching(default_catalog())
    expected = action_pattern_matches(pattern, action)
    assert matching.action_matches(pattern, action) is expected
    assert matching.action_matches(pattern, action) is expected  # the remembered answer


@pytest.mark.parametrize(
    ("resource", "usable"),
    [
        pytest.param("*", "arn:aws*:iam::????????????:role/*", id="star"),
        pytest.param(
            "arn:aws:iam::*:role/*", "arn:aws*:iam::????????????:policy/*", id="role-not-policy"
        ),
        pytest.param(
            "arn:aws:iam::123456789012:role/app-*",
            "arn:aws*:iam::????????????:role/*",
            id="one-account",
        ),
        pytest.param(
            "arn:aws:ec2:us-east-1:123456789012:instance/*",
            "arn:aws*:ec2:*:????????????:security-group/*",
            id="bounded-fields",
        ),
    ],
)
def test_glob_answers_are_the_pure_functions_s(resource: str, usable: str) -> None:
    relations = Matching(default_catalog()).relations
    assert relations.meets(resource, usable) is arn.meets_usable(resource, usable)
    assert relations.contains(resource, usable) is glob_contains(resource, usable)
    assert relations.contains(usable, resource) is glob_contains(usable, resource)


@pytest.mark.parametrize(
    ("resources", "usable"),
    [
        pytest.param(["*"], [], id="no-resource-types"),
        pytest.param(["arn:aws:s3:::b/*"], [], id="arn-not-the-text-star"),
        pytest.param(["arn:aws:iam::*:role/*"], ["arn:aws*:iam::????????????:role/*"], id="roles"),
        pytest.param(
            ["arn:aws:iam::123456789012:role/*"],
            ["arn:aws*:iam::????????????:role/*"],
            id="one-account",
        ),
        pytest.param(
            ["arn:aws:s3:::a/*", "arn:aws:iam::*:policy/*"],
            ["arn:aws*:iam::????????????:role/*", "arn:aws*:iam::????????????:policy/*"],
            id="lists",
        ),
    ],
)
def test_resource_list_answers_are_the_pure_functions_s(
    resources: list[str], usable: list[str]
) -> None:
    matching = Matching(default_catalog())
    for _ in range(2):  # asked, then remembered
        assert matching.reaches(resources, usable) is arn.reaches(resources, usable)
        assert matching.covers_every(resources, usable) is arn.covers_every(resources, usable)


@pytest.mark.parametrize(
    "action",
    ["iam:PassRole", "IAM:PASSROLE", "s3:GetObject", "sts:GetCallerIdentity", "nope:Nothing"],
)
def test_usable_resources_are_the_catalog_s(action: str) -> None:
    catalog = default_catalog()
    matching = Matching(catalog)
    assert matching.usable_resources(action) == arn.usable_resources(catalog, action)


@pytest.mark.parametrize(
    ("table", "ask", "kept"),
    [
        pytest.param(
            "action_matches",
            lambda m, i: m.action_matches(f"s3:Get{i}*", "s3:getobject"),
            65,  # 0.1 % of 65,536
            id="actions",
        ),
        pytest.param(
            "meets", lambda m, i: m.relations.meets(f"arn:aws:s3:::b{i}", "*"), 16, id="meets"
        ),
        pytest.param(
            "contains",
            lambda m, i: m.relations.contains("*", f"arn:aws:s3:::b{i}"),
            16,
            id="contains",
        ),
        pytest.param("_usable", lambda m, i: m.usable_resources(f"s3:Get{i}"), 4, id="usable"),
        pytest.param("_reaches", lambda m, i: m.reaches([f"b{i}"], ["*"]), 4, id="reaches"),
        pytest.param(
            "_covers_every", lambda m, i: m.covers_every([f"b{i}"], ["*"]), 4, id="covers-every"
        ),
    ],
)
def test_each_table_keeps_a_bounded_number_of_answers(
    table: str, ask: Callable[[Matching, int], object], kept: int
) -> None:
    matching = Matching(default_catalog(), size=0.001)
    memoised = getattr(matching.relations, table, None) or getattr(matching, table)
    for index in range(200):
        ask(matching, index)
    assert _cache_size(memoised) == kept


def test_an_analyzer_refuses_tables_of_another_catalog() -> None:
    with pytest.raises(ValueError, match="another catalog"):
        Analyzer(_empty(), default_catalog(), matching=Matching(ActionCatalog()))


def test_a_context_made_by_hand_makes_its_own_analyzer() -> None:
    graph, catalog = _empty(), default_catalog()
    context = CheckContext(graph, catalog)
    assert context.analyzer.graph is graph
    assert context.analyzer.catalog is catalog
    assert CheckContext(graph, catalog).analyzer is not context.analyzer


@pytest.mark.parametrize(
    ("graph", "catalog"),
    [pytest.param(_empty(), default_catalog(), id="graph"), pytest.param(None, None, id="catalog")],
)
def test_a_context_refuses_an_analyzer_of_another_graph_or_catalog(
    graph: Graph | None, catalog: ActionCatalog | None
) -> None:
    mine = _empty()
    analyzer = Analyzer(graph or mine, catalog or ActionCatalog())
    with pytest.raises(ValueError, match="another graph or catalog"):
        CheckContext(mine, default_catalog(), analyzer=analyzer)


def _spy_registry(seen: list[CheckContext]) -> CheckRegistry:
    """Two checks that record the context they are given."""

    def spy(ctx: CheckContext) -> Iterator[Hit]:
        """Spy on the context"""
        seen.append(ctx)
        return iter(())

    registry = CheckRegistry()
    for rule in ("TST001", "TST002"):
        registry.add(check(rule, severity=Severity.LOW)(spy), "test-spy")
    return registry


def test_the_checks_of_a_graph_share_one_analyzer_and_scans_share_none() -> None:
    seen: list[CheckContext] = []
    registry = _spy_registry(seen)
    scan([MFA_PLAN, ESCALATION_PLAN], registry, ScanOptions())
    scan([MFA_PLAN], registry, ScanOptions())
    analyzers = [ctx.analyzer for ctx in seen]
    assert len(seen) == 6
    first, second, third = analyzers[0:2], analyzers[2:4], analyzers[4:6]
    for pair in (first, second, third):
        assert pair[0] is pair[1]  # both checks of one graph
    assert first[0].graph is not second[0].graph
    assert first[0].matching is second[0].matching  # one scan, one set of tables
    assert third[0].matching is not first[0].matching  # the next scan has its own
    assert all(ctx.analyzer.graph is ctx.graph for ctx in seen)


def test_a_scan_hands_out_its_analyzers_when_asked() -> None:
    given: list[Analyzer] = []
    seen: list[CheckContext] = []
    scan([MFA_PLAN], _spy_registry(seen), ScanOptions(analyzed=given.append))
    assert given == [seen[0].analyzer]


@pytest.mark.parametrize("enabled", [True, False], ids=["enabled", "disabled"])
@pytest.mark.parametrize(
    "paths", [[MFA_PLAN], [Path("/nonexistent/plan.json")]], ids=["ok", "error"]
)
def test_a_scan_leaves_the_collector_as_the_caller_had_it(enabled: bool, paths: list[Path]) -> None:
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        with contextlib.suppress(UnsupportedInputError):
            scan(paths, _spy_registry([]), ScanOptions())
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_the_catalog_keeps_a_bounded_number_of_expansions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_module, "EXPANSIONS_KEPT", 3)
    catalog, reference = ActionCatalog(), default_catalog()
    patterns = [f"s3:Get{letter}*" for letter in "ABCDEFGHO"]
    for pattern in patterns:
        assert catalog.expand(pattern) == reference.expand(pattern)
        assert catalog.expand(pattern) == reference.expand(pattern)
    assert len(catalog._expansions) == 3
    assert list(catalog._expansions) == [p.lower() for p in patterns[-3:]]


#: the module-level memo tables that stay, each once per process and never an answer
#: about the input that can grow without bound: (module, function) -> why
_ONCE_PER_PROCESS = {
    ("iacguard/catalog.py", "default_catalog"): "the bundled action catalog (data loading)",
    ("iacguard/analysis/paths.py", "escalation_paths"): "the shipped escalation paths",
    ("iacguard/analysis/paths.py", "_path_services"): "derived from the shipped paths",
    ("iacguard/managed_policies.py", "_snapshot_text"): "the bundled managed policies",
    ("iacguard/managed_policies.py", "_policy_index"): "their index",
    ("iacguard/managed_policies.py", "_quick_lookup"): "views of that data, 1,024 at most",
    ("iacguard/parsers/terraform/_hcl2.py", "_conflict"): "a fact of the environment",
    ("iacguard/parsers/terraform/_hcl2.py", "_shipped_parser"): "python-hcl2's parser, loaded once",
}


def _module_level_caches() -> Iterator[tuple[str, str]]:
    """(module, name) of each function memoised at module level in iacguard."""
    for path in sorted((ROOT / "iacguard").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = path.relative_to(ROOT).as_posix()
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                if any("cache" in ast.unparse(d) for d in node.decorator_list):
                    yield module, node.name
            elif isinstance(node, ast.AnnAssign | ast.Assign) and _memoises(node.value):
                target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
                yield module, ast.unparse(target)


def _memoises(value: ast.expr | None) -> bool:
    text = "" if value is None else ast.unparse(value)
    return "lru_cache" in text or "functools.cache" in text


def test_no_module_level_cache_outside_the_once_per_process_data() -> None:
    assert set(_module_level_caches()) == set(_ONCE_PER_PROCESS)
