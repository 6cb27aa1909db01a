"""Tests for the bundled AWS-managed policy documents in iacguard.managed_policies."""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import pytest

from iacguard.managed_policies import (
    AWS_MANAGED_ARN_PREFIXES,
    aws_managed_document,
    aws_managed_policy_name,
    is_aws_managed_arn,
)
from tests.conftest import run_python_probe

REPO_ROOT = Path(__file__).resolve().parents[1]
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def _statements(document: Mapping[str, object]) -> list[dict[str, object]]:
    statements = document["Statement"]
    if isinstance(statements, dict):
        return [statements]
    assert isinstance(statements, list)
    return statements


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _bundled_policies() -> dict[str, dict[str, object]]:
    resource = resources.files("iacguard") / "data" / "aws-managed-policies.json.gz"
    snapshot = json.loads(gzip.decompress(resource.read_bytes()))
    policies: dict[str, dict[str, object]] = snapshot["policies"]
    return policies


# -- well-known policies ------------------------------------------------------------------------


def test_administrator_access_is_star_on_star() -> None:
    document = aws_managed_document(ADMIN)
    assert document is not None
    assert document["Version"] == "2012-10-17"
    assert _statements(document) == [{"Action": "*", "Effect": "Allow", "Resource": "*"}]


def test_power_user_access_uses_not_action() -> None:
    document = aws_managed_document("arn:aws:iam::aws:policy/PowerUserAccess")
    assert document is not None
    not_action = [
        statement
        for statement in _statements(document)
        if statement["Effect"] == "Allow" and "NotAction" in statement
    ]
    assert not_action
    assert "iam:*" in _as_list(not_action[0]["NotAction"])
    assert not_action[0]["Resource"] == "*"


def test_iam_full_access_grants_iam_star() -> None:
    document = aws_managed_document("arn:aws:iam::aws:policy/IAMFullAccess")
    assert document is not None
    actions = [
        action
        for statement in _statements(document)
        if statement["Effect"] == "Allow"
        for action in _as_list(statement.get("Action"))
    ]
    assert "iam:*" in actions


def test_read_only_access_is_large_and_allow_only() -> None:
    document = aws_managed_document("arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert document is not None
    statements = _statements(document)
    assert all(statement["Effect"] == "Allow" for statement in statements)
    actions = [action for s in statements for action in _as_list(s.get("Action"))]
    assert len(actions) > 100
    assert "*" not in actions


@pytest.mark.parametrize(
    ("arn", "expected_arn_in_data"),
    [
        pytest.param(ADMIN, ADMIN, id="plain"),
        pytest.param(
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            id="service-role-path",
        ),
        pytest.param(
            "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            id="missing-path-falls-back-to-name",
        ),
        pytest.param(
            "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
            "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
            id="job-function-path",
        ),
        pytest.param("arn:aws-us-gov:iam::aws:policy/AdministratorAccess", ADMIN, id="govcloud"),
        pytest.param("arn:aws-cn:iam::aws:policy/AdministratorAccess", ADMIN, id="china"),
        pytest.param(
            "arn:aws-iso-b:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            id="iso-b-with-path",
        ),
    ],
)
def test_documents_resolve(arn: str, expected_arn_in_data: str) -> None:
    expected = next(
        policy["document"]
        for policy in _bundled_policies().values()
        if policy["arn"] == expected_arn_in_data
    )
    document = aws_managed_document(arn)
    assert document is not None
    assert dict(document) == expected


@pytest.mark.parametrize(
    "arn",
    [
        pytest.param("arn:aws:iam::aws:policy/NoSuchPolicyForIacguard", id="made-up"),
        pytest.param("arn:aws:iam::123456789012:policy/x", id="customer"),
        pytest.param(
            "arn:aws:iam::123456789012:policy/AdministratorAccess", id="customer-same-name"
        ),
        pytest.param("arn:aws:iam::aws:policy/", id="empty-name"),
        pytest.param("arn:aws:iam::aws:role/AdministratorAccess", id="not-a-policy"),
        pytest.param("arn:aws:iam::aws:policy/administratoraccess", id="wrong-case"),
        pytest.param("AdministratorAccess", id="bare-name"),
        pytest.param("", id="empty"),
    ],
)
def test_unknown_documents_are_none(arn: str) -> None:
    assert aws_managed_document(arn) is None


def test_document_is_read_only() -> None:
    document = aws_managed_document(ADMIN)
    assert document is not None
    with pytest.raises(TypeError):
        document["Statement"] = []  # type: ignore[index]
    assert aws_managed_document(ADMIN) is document


def test_every_bundled_policy_resolves_by_arn_and_name() -> None:
    policies = _bundled_policies()
    assert len(policies) > 1000
    for name, policy in policies.items():
        arn = policy["arn"]
        assert isinstance(arn, str)
        assert is_aws_managed_arn(arn)
        assert aws_managed_policy_name(arn) == name
        document = aws_managed_document(arn)
        assert document is not None, arn
        assert dict(document) == policy["document"]
        assert "Statement" in document, arn


# -- ARN helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        pytest.param(ADMIN, True, id="commercial"),
        pytest.param("arn:aws-us-gov:iam::aws:policy/AdministratorAccess", True, id="govcloud"),
        pytest.param("arn:aws-cn:iam::aws:policy/AdministratorAccess", True, id="china"),
        pytest.param("arn:aws-iso:iam::aws:policy/AdministratorAccess", True, id="iso"),
        pytest.param("arn:aws-eusc:iam::aws:policy/AdministratorAccess", True, id="eusc"),
        pytest.param("arn:aws:iam::aws:policy/service-role/X", True, id="with-path"),
        pytest.param("arn:aws:iam::aws:policy/NoSuchPolicyForIacguard", True, id="unknown-name"),
        pytest.param("arn:aws:iam::123456789012:policy/x", False, id="customer"),
        pytest.param("arn:aws:iam::aws:policy/", False, id="empty-name"),
        pytest.param("arn:aws:iam::aws:policy/service-role/", False, id="empty-name-with-path"),
        pytest.param("arn:aws:iam::aws:role/x", False, id="role"),
        pytest.param("arn:aws-foo:iam::aws:policy/x", False, id="unknown-partition"),
        pytest.param("ARN:AWS:IAM::AWS:POLICY/X", False, id="upper-case"),
        pytest.param(" arn:aws:iam::aws:policy/x", False, id="leading-space"),
        pytest.param("", False, id="empty"),
    ],
)
def test_is_aws_managed_arn(arn: str, expected: bool) -> None:
    assert is_aws_managed_arn(arn) is expected


def test_prefixes_cover_the_main_partitions() -> None:
    assert {
        "arn:aws:iam::aws:policy/",
        "arn:aws-us-gov:iam::aws:policy/",
        "arn:aws-cn:iam::aws:policy/",
    } <= set(AWS_MANAGED_ARN_PREFIXES)


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        pytest.param(ADMIN, "AdministratorAccess", id="plain"),
        pytest.param(
            "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
            "AWSLambdaBasicExecutionRole",
            id="service-role",
        ),
        pytest.param(
            "arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess",
            "ViewOnlyAccess",
            id="china-job-function",
        ),
    ],
)
def test_aws_managed_policy_name(arn: str, expected: str) -> None:
    assert aws_managed_policy_name(arn) == expected


@pytest.mark.parametrize(
    "arn",
    [
        pytest.param("arn:aws:iam::123456789012:policy/x", id="customer"),
        pytest.param("arn:aws:iam::aws:policy/", id="empty-name"),
        pytest.param("x", id="garbage"),
    ],
)
def test_aws_managed_policy_name_rejects_other_arns(arn: str) -> None:
    with pytest.raises(ValueError, match="not an AWS-managed policy ARN"):
        aws_managed_policy_name(arn)


# -- packaging and laziness -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "file_name",
    [
        pytest.param("aws-managed-policies.json.gz", id="data"),
        pytest.param("aws-managed-policies.LICENSE", id="licence"),
        pytest.param("NOTICE.md", id="notice"),
    ],
)
def test_data_files_ship_with_the_package(file_name: str) -> None:
    assert (resources.files("iacguard") / "data" / file_name).is_file()


def test_licence_is_mit() -> None:
    text = (resources.files("iacguard") / "data" / "aws-managed-policies.LICENSE").read_text()
    assert text.startswith("MIT License")


_LAZINESS_PROBE = """
import json, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)

def data_files():
    return [path for path in opened if "aws-managed-policies" in path]

import iacguard.managed_policies as managed
after_import = data_files()
managed.is_aws_managed_arn("arn:aws:iam::aws:policy/AdministratorAccess")
after_predicate = data_files()
managed.aws_managed_document("arn:aws:iam::aws:policy/AdministratorAccess")
managed.aws_managed_document("arn:aws:iam::aws:policy/ReadOnlyAccess")
print(json.dumps({"import": after_import, "predicate": after_predicate, "lookups": data_files()}))
"""


def test_import_loads_nothing_and_snapshot_is_read_once_from_the_package() -> None:
    report = run_python_probe(_LAZINESS_PROBE)
    assert report["import"] == []
    assert report["predicate"] == []
    assert len(report["lookups"]) == 1
    opened = Path(report["lookups"][0]).resolve()
    assert opened == (REPO_ROOT / "iacguard" / "data" / "aws-managed-policies.json.gz").resolve()
