"""``docs/rules.md`` is generated from the built-in rules and kept in step with them."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from iacguard.cli import app
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.registry import DOCS_URL, Check
from iacguard.rules_doc import render
from tests.conftest import ROOT

DOCS = ROOT / "docs" / "rules.md"


def _builtin() -> list[Check]:
    registry, problems = collect_checks(get_plugin_manager(load_entrypoints=False))
    assert not problems
    return list(registry)


def test_docs_rules_md_is_current() -> None:
    assert DOCS.read_text() == render(_builtin()), (
        "docs/rules.md is stale: python -m iacguard.rules_doc > docs/rules.md"
    )


def test_every_builtin_rule_points_at_its_own_anchor() -> None:
    anchors = set(re.findall(r'<a id="([a-z0-9]+)"></a>', DOCS.read_text()))
    for rule in _builtin():
        assert rule.help_uri == f"{DOCS_URL}#{rule.id.lower()}"
        assert rule.id.lower() in anchors


def test_literal_blocks_become_fenced_code() -> None:
    text = DOCS.read_text()
    section = text[text.index('<a id="iam301"></a>') : text.index('<a id="iam302"></a>')]
    assert '```\n{"Effect": "Allow", "Action": "*", "Resource": "*"}\n```' in section
    assert "``" not in section.replace("```", "")


def test_explain_names_the_documentation() -> None:
    result = CliRunner().invoke(app, ["explain", "IAM301"])
    assert result.exit_code == 0
    assert result.output.rstrip().endswith(f"More: {DOCS_URL}#iam301")
