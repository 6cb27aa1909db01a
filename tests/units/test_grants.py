"""Grants: reading action patterns (``names_action``), what a grant covers, where it
comes from, and the resources it names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from iacguard.analysis.grants import Grant, names_action
from iacguard.analysis.resources import ResourceSet
from tests.units.test_evaluate import UNKNOWN, _allow, _deny, permissions


def _grants(tmp_path: Path, *statements: dict[str, Any], **more: Any) -> tuple[Grant, ...]:
    return permissions(tmp_path, list(statements), **more).grants


@pytest.mark.parametrize(
    ("statement", "action", "expected"),
    [
        pytest.param(_allow("A", "s3:Get*"), "s3:getobject", True, id="action-glob"),
        pytest.param(_allow("A", "s3:Get*"), "s3:putobject", False, id="action-miss"),
        pytest.param(_allow("A", ["s3:Put*", UNKNOWN]), "s3:getobject", None, id="unresolved"),
        pytest.param(
            _allow("A", ["s3:Get*", UNKNOWN]), "s3:getobject", True, id="hit-beats-unresolved"
        ),
        pytest.param(
            {"Sid": "A", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*"},
            "s3:getobject",
            True,
            id="not-action-other",
        ),
        pytest.param(
            {"Sid": "A", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*"},
            "iam:createuser",
            False,
            id="not-action-excluded",
        ),
        pytest.param(
            {"Sid": "A", "Effect": "Allow", "NotAction": ["iam:*", UNKNOWN], "Resource": "*"},
            "s3:getobject",
            None,
            id="not-action-unresolved",
        ),
    ],
)
def test_names_action_and_covers_agree(
    tmp_path: Path, statement: dict[str, Any], action: str, expected: bool | None
) -> None:
    (grant,) = _grants(tmp_path, statement)
    assert names_action(grant.statement, action) is expected
    assert grant.covers(action) is expected
    assert grant.covers(action) is expected  # memoised


@pytest.mark.parametrize(
    ("statement", "covers_all", "any_resource"),
    [
        pytest.param(_allow("A", "*"), True, True, id="star-on-star"),
        pytest.param(_allow("A", "s3:*", resource="arn:aws:s3:::b"), False, False, id="narrow"),
        pytest.param(
            {"Sid": "A", "Effect": "Allow", "NotAction": "*", "Resource": "*"},
            False,
            True,
            id="not-action-star",
        ),
        pytest.param(
            {"Sid": "A", "Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::b"},
            True,
            True,
            id="not-resource",
        ),
    ],
)
def test_covers_all_and_on_any_resource(
    tmp_path: Path, statement: dict[str, Any], covers_all: bool, any_resource: bool
) -> None:
    (grant,) = _grants(tmp_path, statement)
    assert grant.covers_all() is covers_all
    assert grant.on_any_resource is any_resource


@pytest.mark.parametrize(
    ("resources", "expected"),
    [
        pytest.param(["arn:aws:iam::*:user/${aws:username}"], True, id="self"),
        pytest.param(["arn:aws:iam::*:user/${AWS:USERNAME}"], True, id="self-any-case"),
        pytest.param(
            ["arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::*:user/x"],
            False,
            id="self-and-other",
        ),
        pytest.param(["arn:aws:iam::*:user/${aws:username}", UNKNOWN], None, id="self-and-unknown"),
        pytest.param([UNKNOWN], None, id="unknown-only"),
    ],
)
def test_self_only(tmp_path: Path, resources: list[Any], expected: bool | None) -> None:
    (grant,) = _grants(tmp_path, _allow("A", "iam:CreateAccessKey", resources))
    assert grant.self_only is expected


def test_self_only_without_resources(tmp_path: Path) -> None:
    (grant,) = _grants(
        tmp_path, {"Sid": "A", "Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::b"}
    )
    assert grant.self_only is False


@pytest.mark.parametrize(
    ("deny", "allow", "expected"),
    [
        pytest.param(
            _deny("D", resource="*"),
            _allow("A", resource="arn:aws:s3:::b/x"),
            True,
            id="everything",
        ),
        pytest.param(
            _deny("D", resource="arn:aws:s3:::b/*"),
            _allow("A", resource="arn:aws:s3:::b/x"),
            True,
            id="glob-covers",
        ),
        pytest.param(
            _deny("D", resource="arn:aws:s3:::b/x"),
            _allow("A", resource="arn:aws:s3:::b/*"),
            False,
            id="narrower",
        ),
        pytest.param(
            _deny("D", resource="arn:aws:s3:::b/x"),
            _allow("A", resource=UNKNOWN),
            None,
            id="unknown-allow-resource",
        ),
        pytest.param(
            _deny("D", resource="*"),
            _allow("A", resource=UNKNOWN),
            True,
            id="everything-covers-unknown",
        ),
        pytest.param(
            _deny("D", resource="arn:aws:s3:::b/x"),
            {
                "Sid": "A",
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "NotResource": "arn:aws:s3:::c",
            },
            False,
            id="not-resource-allow",
        ),
        pytest.param(
            _deny("D", resource=UNKNOWN),
            _allow("A", resource="arn:aws:s3:::b/x"),
            None,
            id="unknown-deny-resource",
        ),
    ],
)
def test_resources_cover(
    tmp_path: Path, deny: dict[str, Any], allow: dict[str, Any], expected: bool | None
) -> None:
    denying, allowing = _grants(tmp_path, deny, allow)
    assert denying.resources_cover(allowing) is expected
    assert denying.resources_cover(allowing) is expected  # memoised


def test_resources_cover_an_allow_without_known_resources(tmp_path: Path) -> None:
    denying, allowing = _grants(
        tmp_path, _deny("D", resource="arn:aws:s3:::b/x"), _allow("A", resource=[])
    )
    assert denying.resources_cover(allowing) is False


def test_reaches_and_covers_resources(tmp_path: Path) -> None:
    (grant,) = _grants(tmp_path, _allow("A", resource="arn:aws:s3:::b/*"))
    assert grant.reaches(ResourceSet(("arn:aws:s3:::b/x",))) is True
    assert grant.reaches(ResourceSet(("arn:aws:s3:::c/x",))) is False
    assert grant.covers_resources(ResourceSet(("arn:aws:s3:::b/x",))) is True
    assert grant.covers_resources(ResourceSet(("arn:aws:s3:::*",))) is False


def test_describe_a_boundary_statement(tmp_path: Path) -> None:
    perms = permissions(tmp_path, [_allow("A")], [_allow("B", "*")])
    assert perms.boundary is not None
    (limit,) = perms.boundary
    assert limit.source.boundary
    assert limit.source.describe() == "permission boundary policy 'B'"
    (grant,) = perms.grants
    assert grant.source.describe() == "inline policy 'p'"
    assert grant.conditional is False
