"""The real-world regression set: small inputs distilled from shapes met in public
repositories (issue 17), each with its whole JSON report checked in under
``tests/realworld/golden/`` and compared byte for byte (``pytest --update-golden``
rewrites them). README.md beside this file lists each case and the shape it distils.

Each case is a directory under ``cases/``, scanned by its path relative to the
repository root; :data:`SCANNED` names the few cases whose input is a subdirectory.
The tests after the golden ones assert the outcome each fix of this set is about, so a
regression names its cause rather than only a diff.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from iacguard.analysis.conditions import admits_value
from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.model import Condition, MaybeStr, Unknown
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.report.json import JsonReporter
from iacguard.report.text import TextReporter
from iacguard.results import Finding
from tests._golden import check_golden
from tests.conftest import ROOT

HERE = Path(__file__).parent
CASES = HERE / "cases"
GOLDEN = HERE / "golden"

#: cases whose scanned input is not the case directory itself
SCANNED = {"module_dir_alone": "module_dir_alone/role"}
#: cases whose text report is kept too (merging and wording a person reads)
TEXT_CASES = ("identical_markers_one_line", "did_you_mean_near", "output_literal_key")


def _cases() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if p.is_dir())


def _input(case: str) -> str:
    return (CASES / SCANNED.get(case, case)).relative_to(ROOT).as_posix()


def _scan(case: str) -> ScanResult:
    registry, problems = collect_checks(get_plugin_manager(load_entrypoints=False))
    assert not problems
    return scan([Path(_input(case))], registry, ScanOptions())


def _render(result: ScanResult, reporter: JsonReporter | TextReporter) -> str:
    stream = io.StringIO()
    reporter.render(result, stream)
    return stream.getvalue()


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.mark.parametrize("case", _cases())
def test_json_report_matches_golden(case: str, request: pytest.FixtureRequest) -> None:
    actual = _render(_scan(case), JsonReporter())
    check_golden(actual, GOLDEN / f"{case}.json", request.config)


@pytest.mark.parametrize("case", TEXT_CASES)
def test_text_report_matches_golden(case: str, request: pytest.FixtureRequest) -> None:
    actual = _render(_scan(case), TextReporter())
    check_golden(actual, GOLDEN / f"{case}.txt", request.config)


def test_every_case_is_listed_and_every_golden_has_a_case() -> None:
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    assert [c for c in _cases() if f"`{c}`" not in readme] == []
    expected = {GOLDEN / f"{c}.json" for c in _cases()} | {GOLDEN / f"{c}.txt" for c in TEXT_CASES}
    assert sorted(set(GOLDEN.iterdir()) - expected) == []
    assert len(_cases()) >= 30


def _findings(case: str) -> list[tuple[str, str, int | None, str]]:
    found: list[Finding] = list(_scan(case).findings)
    return sorted((f.rule_id, f.address, f.location.line, f.message) for f in found)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "output_literal_key",
            [
                (
                    "IAM101",
                    "output.deploy_credentials",
                    4,
                    "AWS access key ID written literally in 'output.deploy_credentials' at "
                    "'deploy_credentials.id'",
                ),
                (
                    "IAM101",
                    "output.deploy_credentials",
                    4,
                    "AWS secret access key written literally in 'output.deploy_credentials' at "
                    "'deploy_credentials.secret'",
                ),
            ],
        ),
        (
            "plan_output_literal_key",
            [
                (
                    "IAM101",
                    "output.deploy_credentials",
                    None,
                    "AWS access key ID written literally in 'output.deploy_credentials' at "
                    "'deploy_credentials.id'",
                ),
                (
                    "IAM101",
                    "output.deploy_credentials",
                    None,
                    "AWS secret access key written literally in 'output.deploy_credentials' at "
                    "'deploy_credentials.secret'",
                ),
            ],
        ),
        (
            "cfn_outputs_literal_key",
            [
                (
                    "IAM101",
                    "Outputs.DeployKeyId",
                    9,
                    "AWS access key ID written literally in 'Outputs.DeployKeyId' at 'DeployKeyId'",
                )
            ],
        ),
    ],
)
def test_literal_key_in_an_output_fires(
    case: str, expected: list[tuple[str, str, int | None, str]]
) -> None:
    assert _findings(case) == expected


def test_literal_keys_in_locals_fire_at_each_local() -> None:
    found = _findings("locals_literal_key")
    assert [(rule, address, line) for rule, address, line, _ in found] == [
        ("IAM101", "local.access_key_id", 6),
        ("IAM101", "local.secret_access_key", 7),
    ]


def test_a_role_left_to_a_macro_is_not_malformed() -> None:
    """A ``Transform`` macro writes what the template lacks: no IAM311 for it; without a
    macro, the missing trust policy is IAM311 and says it is missing."""
    assert _findings("cfn_macro_transform") == []
    assert _findings("cfn_missing_trust") == [
        ("IAM311", "AppRole", 7, "trust policy of 'AppRole' is malformed: the document is missing")
    ]


def test_a_user_with_an_empty_name_is_linked_by_its_reference() -> None:
    found = _findings("empty_name_address")
    assert (
        "IAM201",
        "aws_iam_user_policy_attachment.blank",
        17,
        "'aws_iam_user_policy_attachment.blank' attaches policy 'aws_iam_policy.generated' "
        "directly to user 'aws_iam_user.blank', not a group",
    ) in found
    assert ("IAM204", "aws_iam_user.blank") in {(rule, address) for rule, address, _, _ in found}


def test_pass_role_names_the_wildcard_only_when_one_grants_it() -> None:
    assert [message for _, _, _, message in _findings("iam307_pass_role_named")] == [
        "policy 'exact' statement 1 allows 'iam:PassRole' on '*'",
        "policy 'wild' statement 1 allows 'iam:PassRole' on '*' (through 'iam:Pass*')",
    ]


def test_pass_role_limited_to_other_services_opens_no_path() -> None:
    """``iam:PassedToService`` naming DAX (or AmazonDynamoDBFullAccess) passes no role to
    Lambda; a PassRole limited to Lambda does, for certain."""
    escalations = [
        (f.address, f.confidence.name)
        for case in ("iam306_passed_to_service", "cfn_iam306_managed_passed_to_service")
        for f in _scan(case).findings
        if f.rule_id == "IAM306"
    ]
    assert escalations == [("aws_iam_role.to_lambda", "HIGH")]


@pytest.mark.parametrize(
    ("operator", "values", "expected"),
    [
        ("StringLike", ("dax.amazonaws.com", "application-autoscaling.*"), False),
        ("StringEquals", ("Lambda.amazonaws.com",), True),
        ("ForAnyValue:StringLike", ("*.amazonaws.com",), True),
        ("StringNotEquals", ("lambda.amazonaws.com",), False),
        ("StringNotLike", ("dax.*",), True),
        ("StringEquals", ("dax.amazonaws.com", Unknown("var.service")), None),
        ("StringNotEquals", (Unknown("var.service"),), None),
    ],
)
def test_admits_value(operator: str, values: tuple[MaybeStr, ...], expected: bool | None) -> None:
    condition = Condition(operator, "iam:PassedToService", values)
    assert admits_value([condition], "iam:passedtoservice", "lambda.amazonaws.com") is expected


def test_a_managed_policy_read_by_a_data_source_is_evaluated() -> None:
    assert [
        (rule, address) for rule, address, _, _ in _findings("managed_policy_copied_inline")
    ] == [
        ("IAM206", "aws_iam_role_policy.eni"),
        ("IAM206", "aws_iam_role_policy.read_only"),
        ("IAM303", "aws_iam_role_policy.eni"),
    ]
