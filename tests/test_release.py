"""Release plumbing agrees with itself: one version, its changelog section, the tags the
README pins, the release workflow's checks, and the container image README shows."""

from __future__ import annotations

import re
from typing import Any

import yaml

from iacguard import __version__
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def _workflow(name: str) -> dict[Any, Any]:
    data = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
    assert isinstance(data, dict)
    return data


def _commands(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") + step.get("uses", "") for step in job["steps"])


def test_the_changelog_has_the_current_version() -> None:
    headings = re.findall(r"^## (.+)$", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert headings[:2] == ["Unreleased", __version__]


def test_readme_pins_the_release_tags() -> None:
    major = __version__.split(".")[0]
    assert set(re.findall(r"uses: iacguard/iacguard@(\S+)", README)) == {f"v{major}"}
    assert re.findall(r"rev: (\S+)  # a release tag", README) == [f"v{__version__}"]


def test_a_tag_builds_checks_publishes_and_moves_the_major_tag() -> None:
    workflow = _workflow("release.yml")
    assert workflow[True]["push"]["tags"] == ["v[0-9]+.[0-9]+.[0-9]+"]  # YAML 1.1: on → True
    build, publish, action_tag = (workflow["jobs"][j] for j in ("build", "publish", "action-tag"))
    steps = _commands(build)
    for needed in (
        "python -m build",
        "twine check --strict dist/*",
        "pip install --quiet dist/*.whl",
    ):
        assert needed in steps
    assert 'test "$TAG" = "v$version"' in steps
    assert publish["permissions"] == {"id-token": "write"}
    assert _commands(publish).endswith("pypa/gh-action-pypi-publish@release/v1")
    assert action_tag["needs"] == "publish"
    assert 'git push --force origin "refs/tags/$major"' in _commands(action_tag)


def test_the_container_runs_iacguard_unprivileged_as_readme_shows() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    bases = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert bases == ["python:3.12-slim", "python:3.12-slim"]
    assert re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE) == ["iacguard"]
    assert re.findall(r"^ENTRYPOINT (.+)$", dockerfile, re.MULTILINE) == ['["iacguard"]']
    [shown] = re.findall(
        r"^docker build --tag (\S+) \. && docker run .* (\S+) check ", README, re.M
    )
    assert shown == ("iacguard", "iacguard")
    smoke = _commands(_workflow("container.yml")["jobs"]["image"])
    assert "docker build --tag iacguard ." in smoke
    assert "hadolint/hadolint-action" in smoke
