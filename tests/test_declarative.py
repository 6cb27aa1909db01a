"""Declarative YAML rules: loading, errors with file and line, the JSON view, and that
they behave exactly like Python checks (selection, suppression, SARIF metadata)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pluggy
import pytest

from iacguard.declarative import DeclarativePlugin, load_rules, register_rule_dirs
from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.errors import ConfigError
from iacguard.model import Severity
from iacguard.parsers import InputFile, parse
from iacguard.plugins import collect_checks, collect_reporters
from iacguard.results import Suppression
from iacguard.selection import RuleSelection
from iacguard.views.json_view import principal_view, resource_targets
from tests.conftest import ROOT

EXAMPLES = ROOT / "plugins" / "examples"
RULES = EXAMPLES / "rules"
BOUNDARY_RULE = RULES / "boundary.yaml"
PLAN = EXAMPLES / "fixtures" / "boundary" / "plan.json"
TEMPLATE = EXAMPLES / "fixtures" / "boundary" / "template.yaml"


def run_rules(
    pm: pluggy.PluginManager, rules: list[Path], path: Path, **options: object
) -> ScanResult:
    """Scan *path* with the built-ins and the YAML *rules*, only the ORG/ACME rules."""
    register_rule_dirs(pm, rules)
    registry, problems = collect_checks(pm)
    assert not problems
    selection = RuleSelection(("ORG", "ACME"))
    return scan([path], registry, ScanOptions(selection=selection, **options))  # type: ignore[arg-type]


def pairs(result: ScanResult) -> set[tuple[str, str]]:
    return {(f.rule_id, f.address) for f in result.findings}


# --------------------------------------------------------------------------- the 10-line rule


def test_boundary_rule_is_ten_lines_or_fewer() -> None:
    assert len(BOUNDARY_RULE.read_text().splitlines()) <= 10


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(PLAN, {("ORG001", "aws_iam_role.unbounded")}, id="terraform-plan"),
        pytest.param(TEMPLATE, {("ORG001", "UnboundedRole")}, id="cloudformation"),
    ],
)
def test_boundary_rule_works_on_plan_and_template(
    pm: pluggy.PluginManager, path: Path, expected: set[tuple[str, str]]
) -> None:
    """Roles with a boundary in the configuration, or named by ARN, stay silent."""
    result = run_rules(pm, [BOUNDARY_RULE], path)
    assert result.complete
    assert pairs(result) == expected
    [finding] = result.findings
    assert finding.severity is Severity.HIGH
    assert finding.title == "Role has no permission boundary"
    assert finding.message.endswith("': Role has no permission boundary")


def test_boundary_rule_reports_the_template_line(pm: pluggy.PluginManager) -> None:
    [finding] = run_rules(pm, [BOUNDARY_RULE], TEMPLATE).findings
    line = TEMPLATE.read_text().splitlines().index("  UnboundedRole:        # EXA001 fires") + 1
    assert finding.location.line == line


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(
            PLAN,
            {
                ("ORG001", "aws_iam_role.unbounded"),
                ("ORG002", "aws_iam_user.legacy"),
                ("ORG004", "aws_iam_policy.boundary"),
                ("ORG005", "aws_iam_role.bounded"),
                ("ORG005", "aws_iam_role.bounded_by_arn"),
                ("ORG005", "aws_iam_role.unbounded"),
            },
            id="terraform-plan",
        ),
        pytest.param(
            TEMPLATE,
            {
                ("ORG001", "UnboundedRole"),
                ("ORG002", "LegacyUser"),
                ("ORG004", "BoundaryPolicy"),
            },
            id="cloudformation-unnamed-roles-are-unknown",
        ),
        pytest.param(
            ROOT / "fixtures" / "terraform" / "trust" / "plan.json",
            {
                ("ORG003", "aws_iam_role.iam403_github_no_sub"),
                ("ORG003", "aws_iam_role.iam403_github_any_repo"),
                ("ORG003", "aws_iam_role.iam403_github_star_sub"),
                ("ORG003", "aws_iam_role.iam403_github_scoped_ok"),
            },
            id="github-trust",
        ),
    ],
)
def test_example_rule_set(
    pm: pluggy.PluginManager, path: Path, expected: set[tuple[str, str]]
) -> None:
    result = run_rules(pm, [RULES], path)
    found = pairs(result)
    if "trust" in str(path):
        found = {pair for pair in found if pair[0] == "ORG003"}
    assert found == expected


# --------------------------------------------------------------------------- like Python checks


def test_rules_are_ordinary_checks(pm: pluggy.PluginManager) -> None:
    register_rule_dirs(pm, [RULES])
    registry, _ = collect_checks(pm)
    check = registry.get("ORG002")
    assert check is not None
    assert registry.owner("ORG002") == f"rules:{RULES.as_posix()}"
    assert check.slug == "iam_user"
    assert check.remediation == "Replace the user with an SSO permission set or a role."
    assert registry.get("ORG001").slug == "org001"  # type: ignore[union-attr]


def test_selection_by_prefix_and_suppression(pm: pluggy.PluginManager) -> None:
    accepted = Suppression(("ORG00",), "aws_iam_user.*", "legacy user, OPS-1")
    result = run_rules(pm, [RULES], PLAN, suppressions=(accepted,))
    assert ("ORG002", "aws_iam_user.legacy") not in pairs(result)
    assert [s.finding.rule_id for s in result.suppressed] == ["ORG002"]


def test_sarif_carries_the_rule_metadata(pm: pluggy.PluginManager) -> None:
    result = run_rules(pm, [RULES], PLAN)
    reporters, _ = collect_reporters(pm)
    stream = io.StringIO()
    reporters["sarif"].render(result, stream)
    rules = {
        r["id"]: r for r in json.loads(stream.getvalue())["runs"][0]["tool"]["driver"]["rules"]
    }
    org002 = rules["ORG002"]
    assert org002["name"] == "iam_user"
    assert org002["shortDescription"]["text"] == "IAM user defined"
    assert "Replace the user with an SSO permission set" in org002["help"]["text"]
    assert org002["helpUri"].endswith("docs/writing-plugins.md#declarative-rules")


# --------------------------------------------------------------------------- conditions


def _one_rule(tmp_path: Path, condition: str, target: str = "{principals: user}") -> Path:
    path = tmp_path / "rule.yaml"
    path.write_text(
        "- id: ACME001\n  severity: low\n  title: t\n  description: 'Fix: f'\n"
        f"  target: {target}\n  condition: {json.dumps(condition)}\n"
    )
    return path


@pytest.mark.parametrize(
    ("condition", "fires"),
    [
        pytest.param("`0`", True, id="zero-is-true"),
        pytest.param("`false`", False, id="false"),
        pytest.param("`null`", False, id="null"),
        pytest.param("`[]`", False, id="empty-list"),
        pytest.param("`{}`", False, id="empty-object"),
        pytest.param("''", False, id="empty-string"),
        pytest.param("name", True, id="a-name"),
        pytest.param("console_access", False, id="no-console"),
        pytest.param("kind == 'user' && length(access_keys) == `0`", True, id="expression"),
    ],
)
def test_jmespath_truthiness(
    pm: pluggy.PluginManager, tmp_path: Path, condition: str, fires: bool
) -> None:
    result = run_rules(pm, [_one_rule(tmp_path, condition)], PLAN)
    assert pairs(result) == ({("ACME001", "aws_iam_user.legacy")} if fires else set())


def test_a_condition_that_fails_at_run_time_is_a_crashed_check(
    pm: pluggy.PluginManager, tmp_path: Path
) -> None:
    result = run_rules(pm, [_one_rule(tmp_path, "length(`1`)")], PLAN)
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "IAM002"
    assert diagnostic.check_id == "ACME001"
    assert not result.complete


# --------------------------------------------------------------------------- errors


RULE = """\
- id: ACME001
  severity: high
  title: Role has no boundary
  description: "Fix: add one."
  target: {principals: role}
  condition: has_boundary == `false`
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "{principals: role}",
            "{robots: all}",
            ":5: rule ACME001: unknown target 'robots'",
            id="unknown-target",
        ),
        pytest.param(
            "{principals: role}",
            "{principals: bot}",
            ":5: rule ACME001: unknown principals kind 'bot' (expected: group, role, user)",
            id="unknown-kind",
        ),
        pytest.param(
            "has_boundary == `false`",
            "has_boundary ==",
            ":6: rule ACME001: invalid JMESPath",
            id="invalid-jmespath",
        ),
        pytest.param("ACME001", "ACME1", ":1: rule ACME1: ID does not match", id="bad-id"),
        pytest.param(
            "ACME001", "IAM999", ":1: rule IAM999: the IAM prefix is reserved", id="iam-prefix"
        ),
        pytest.param(
            "  title: Role has no boundary\n",
            "",
            ":1: rule ACME001: missing 'title'",
            id="missing-title",
        ),
        pytest.param(
            "severity: high",
            "severity: huge",
            ":2: rule ACME001: unknown severity 'huge'",
            id="bad-severity",
        ),
        pytest.param(
            '"Fix: add one."',
            "no fix here",
            ":1: rule ACME001: missing 'remediation'",
            id="no-remediation",
        ),
        pytest.param(
            "  condition:",
            "  conditon: x\n  condition:",
            ":6: rule ACME001: unknown key 'conditon'",
            id="unknown-key",
        ),
        pytest.param(
            "{principals: role}", "{principals: [role", ":6: invalid YAML", id="invalid-yaml"
        ),
        pytest.param(
            "- id:",
            "- {}\n- id:",
            ":1: rule #1: missing 'id'",
            id="missing-id",
        ),
        pytest.param(
            "condition:",
            "message: '{arn}'\n  condition:",
            ":6: rule ACME001: unknown message field {arn}",
            id="message-field",
        ),
        pytest.param(
            "condition:",
            "message: '{label:>999999999}'\n  condition:",
            ":6: rule ACME001: message field {label} takes no format spec or conversion",
            id="message-format-spec",
        ),
        pytest.param(
            "condition:",
            "message: '{label!r}'\n  condition:",
            ":6: rule ACME001: message field {label} takes no format spec or conversion",
            id="message-conversion",
        ),
        pytest.param(
            "condition:",
            "message: '{}'\n  condition:",
            ":6: rule ACME001: unknown message field {}",
            id="message-positional-field",
        ),
        pytest.param(
            "condition:",
            f"message: '{'x' * 501}'\n  condition:",
            ":6: rule ACME001: message template is longer than 500 characters",
            id="message-too-long",
        ),
    ],
)
def test_bad_rule_files_name_file_line_and_rule(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULE.replace(old, new, 1))
    with pytest.raises(ConfigError) as raised:
        load_rules([path])
    assert str(raised.value).startswith(str(path) + ":")
    assert message in str(raised.value)


def test_duplicate_ids_in_a_rule_set(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(RULE)
    (tmp_path / "b.yml").write_text(
        "rules:\n" + RULE.replace("- id", "  - id").replace("\n  ", "\n    ")
    )
    with pytest.raises(
        ConfigError,
        match=r"b\.yml:2: rule ACME001: duplicate rule ID, first defined at .*a\.yaml:1",
    ):
        DeclarativePlugin([tmp_path])


def test_missing_rules_dir(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such rule file or directory"):
        load_rules([tmp_path / "nope"])


# --------------------------------------------------------------------------- the JSON view


def _graph(path: Path):
    return parse(InputFile(path, path.relative_to(ROOT))).graph  # type: ignore[arg-type]


def test_principal_view_is_stable() -> None:
    """The documented view of a role, pinned: keys are only ever added."""
    graph = _graph(PLAN)
    role = graph.principal("aws_iam_role.bounded")
    assert role is not None
    view = principal_view(graph, role)
    assert view == {
        "address": "aws_iam_role.bounded",
        "source": "terraform-plan",
        "file": "plugins/examples/fixtures/boundary/plan.json",
        "kind": "role",
        "name": "bounded",
        "arn": None,
        "has_boundary": True,
        "boundary": "aws_iam_policy.boundary",
        "tags": {},
        "groups": [],
        "members": [],
        "policies": [],
        "trust": {
            "id": view["trust"]["id"],  # type: ignore[index]
            "statements": [
                {
                    "index": 0,
                    "sid": None,
                    "effect": "Allow",
                    "actions": ["sts:AssumeRole"],
                    "not_actions": [],
                    "resources": [],
                    "not_resources": [],
                    "principals": [{"kind": "Service", "value": "ec2.amazonaws.com"}],
                    "not_principals": [],
                    "conditions": [],
                }
            ],
        },
        "console_access": False,
        "access_keys": [],
        "unknown": [],
    }


def test_unknown_is_told_apart_from_absent() -> None:
    """A boundary ARN known only after apply is null *and* listed; an unset one is only null."""
    graph = _graph(PLAN)
    views = {t.origin.address: t.view for t in resource_targets(graph, frozenset({"aws_iam_role"}))}
    bounded, unbounded = views["aws_iam_role.bounded"], views["aws_iam_role.unbounded"]
    assert bounded["values"]["permissions_boundary"] is None  # type: ignore[index]
    assert bounded["unknown"] == ["values.permissions_boundary"]
    assert unbounded["values"].get("permissions_boundary") is None  # type: ignore[attr-defined]
    assert unbounded["unknown"] == []
