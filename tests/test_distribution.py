"""The distribution name (``iacguard-iam``; ``iacguard`` on the package index is another
project) is the same everywhere a user or a tool installs iacguard by name."""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.conftest import ROOT

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_the_distribution_is_not_the_taken_name() -> None:
    assert PROJECT["name"] == "iacguard-iam"
    assert PROJECT["scripts"] == {"iacguard": "iacguard._launch:main"}


@pytest.mark.parametrize(
    ("relative", "pattern"),
    [
        ("plugins/iacguard-example/pyproject.toml", r'dependencies = \["([^"\]]+)"\]'),
        ("docs/writing-plugins.md", r'dependencies = \["([^"\]]+)"\]'),
        (".github/scripts/iacguard-action.sh", r'requirement="([\w.-]+)==\$INPUT_VERSION"'),
        ("README.md", r"pipx install ([\w.-]+)"),
        ("README.md", r'declare `dependencies = \["([\w.-]+)"\]`'),
    ],
)
def test_every_install_names_the_distribution(relative: str, pattern: str) -> None:
    names = re.findall(pattern, (ROOT / relative).read_text())
    assert names, f"{relative}: no install line matches {pattern}"
    assert set(names) == {PROJECT["name"]}
