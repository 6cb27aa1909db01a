"""IAM105-IAM108 and IAM207 over AWS credential reports, in both shapes AWS gives them:
the base64-decoded CSV and the API's JSON answer."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from iacguard.cli import app
from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.registry import Settings
from iacguard.selection import RuleSelection
from tests.conftest import ROOT

CASE = ROOT / "fixtures" / "account" / "credential_report"
RULES = ("IAM105", "IAM106", "IAM107", "IAM108", "IAM207")
HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)
#: the report's generation time in the API-shaped tests below
GENERATED = "2026-11-30T08:00:00+00:00"
USER = "arn:aws:iam::111122223333:user/u"
NO_KEY = "false,N/A,N/A,N/A,N/A"
NO_CERT = "false,N/A,false,N/A"

EXPECTED = [
    ("IAM105", "arn:aws:iam::111122223333:root", 2,
     "the root user of account 111122223333 has an active access key 1"),
    ("IAM106", "arn:aws:iam::111122223333:root", 2,
     "the root user of account 111122223333 has no MFA device"),
    ("IAM107", "arn:aws:iam::111122223333:user/alice", 3,
     "user 'alice': access key 1 last rotated 2026-08-01, 120 days before the report "
     "(more than 90 days)"),
    ("IAM108", "arn:aws:iam::111122223333:user/bob", 4,
     "user 'bob': password never used, set 2026-05-01, 212 days before the report "
     "(more than 90 days)"),
    ("IAM207", "arn:aws:iam::111122223333:user/bob", 4,
     "user 'bob' has a console password and no MFA device"),
    ("IAM107", "arn:aws:iam::111122223333:user/automation/ci-bot", 7,
     "user 'ci-bot': access key 1 last rotated 2026-07-01, 152 days before the report "
     "(more than 90 days)"),
    ("IAM108", "arn:aws:iam::111122223333:user/automation/ci-bot", 7,
     "user 'ci-bot': access key 1 never used, created 2026-07-01, 152 days before the "
     "report (more than 90 days)"),
]  # fmt: skip


def _scan(path: Path, settings: Settings | None = None) -> ScanResult:
    registry, problems = collect_checks(get_plugin_manager(load_entrypoints=False))
    assert not problems
    options = ScanOptions(selection=RuleSelection(RULES, ()), settings=settings or Settings())
    return scan([path], registry, options)


def _found(result: ScanResult) -> list[tuple[str, str, int | None, str]]:
    return [(f.rule_id, f.address, f.location.line, f.message) for f in result.findings]


def test_the_csv_fires_each_rule_where_the_report_says() -> None:
    result = _scan(CASE / "credential-report.csv")
    assert _found(result) == EXPECTED
    [note] = [d.message for d in result.diagnostics]
    assert note.endswith(
        "credential-report.csv: the CSV does not say when it was generated; ages are "
        "counted from its latest time, 2026-11-30T07:59:00+00:00"
    )


def test_the_api_answer_gives_the_same_findings_without_row_lines() -> None:
    result = _scan(CASE / "get-credential-report.json")
    expected = sorted((rule, arn, None, message) for rule, arn, _, message in EXPECTED)
    assert _found(result) == expected
    assert result.diagnostics == ()


def _api(tmp_path: Path, *rows: str) -> Path:
    csv = "\n".join([HEADER, *rows]) + "\n"
    content = base64.b64encode(csv.encode()).decode()
    answer = {"Content": content, "ReportFormat": "text/csv", "GeneratedTime": GENERATED}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(answer))
    return path


def _user(*, password: str = "false,N/A,N/A", mfa: str = "false", key1: str = NO_KEY) -> str:
    return f"u,{USER},2024-01-01T00:00:00+00:00,{password},N/A,{mfa},{key1},{NO_KEY},{NO_CERT}"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(
            _user(key1="true,2026-09-01T07:00:00+00:00,2026-11-29T00:00:00+00:00,us-east-1,s3"),
            [],
            id="key-rotated-90-days-before",
        ),
        pytest.param(
            _user(key1="true,2026-09-01T08:00:00+00:00,2026-11-29T00:00:00+00:00,us-east-1,s3"),
            [],
            id="key-rotated-89-days-before",
        ),
        pytest.param(
            _user(key1="true,2026-08-31T08:00:00+00:00,2026-11-29T00:00:00+00:00,us-east-1,s3"),
            ["IAM107"],
            id="key-rotated-91-days-before",
        ),
        pytest.param(
            _user(key1="false,2020-01-01T00:00:00+00:00,N/A,N/A,N/A"),
            [],
            id="inactive-old-key",
        ),
        pytest.param(
            _user(key1="true,2026-11-01T00:00:00+00:00,N/A,N/A,N/A"),
            [],
            id="new-key-never-used",
        ),
        pytest.param(
            _user(key1="true,2026-11-01T00:00:00+00:00,2026-08-01T00:00:00+00:00,us-east-1,s3"),
            ["IAM108"],
            id="key-unused-since-august",
        ),
        pytest.param(
            _user(password="true,2026-09-01T08:00:00+00:00,2025-01-01T00:00:00+00:00", mfa="true"),
            [],
            id="password-used-90-days-before",
        ),
        pytest.param(
            _user(password="true,no_information,2026-10-01T00:00:00+00:00", mfa="true"),
            [],
            id="password-never-used-but-new",
        ),
        pytest.param(
            _user(password="true,no_information,2026-01-01T00:00:00+00:00", mfa="true"),
            ["IAM108"],
            id="password-no-information-and-old",
        ),
        pytest.param(
            _user(password="true,2026-11-29T00:00:00+00:00,2026-11-01T00:00:00+00:00"),
            ["IAM207"],
            id="console-without-mfa",
        ),
        pytest.param(_user(mfa="false"), [], id="no-password-no-mfa"),
        pytest.param(
            "<root_account>,arn:aws:iam::111122223333:root,2019-01-01T00:00:00+00:00,"
            f"not_supported,N/A,not_supported,not_supported,true,{NO_KEY},{NO_KEY},{NO_CERT}",
            [],
            id="root-with-mfa-and-no-keys",
        ),
        pytest.param(
            "<root_account>,arn:aws:iam::111122223333:root,2019-01-01T00:00:00+00:00,"
            "not_supported,N/A,not_supported,not_supported,true,"
            f"{NO_KEY},true,2019-01-01T00:00:00+00:00,N/A,N/A,N/A,{NO_CERT}",
            ["IAM105"],
            id="root-key-2-active",
        ),
    ],
)
def test_rules_per_row(tmp_path: Path, row: str, expected: list[str]) -> None:
    assert [f.rule_id for f in _scan(_api(tmp_path, row)).findings] == expected


def test_thresholds_are_configurable(tmp_path: Path) -> None:
    row = _user(key1="true,2026-10-01T08:00:00+00:00,2026-10-01T09:00:00+00:00,us-east-1,s3")
    path = _api(tmp_path, row)
    assert _scan(path).findings == ()
    strict = Settings(max_key_age_days=30, max_unused_days=45)
    assert _found(_scan(path, strict)) == [
        (
            "IAM107",
            USER,
            None,
            "user 'u': access key 1 last rotated 2026-10-01, 60 days before the report "
            "(more than 30 days)",
        ),
        (
            "IAM108",
            USER,
            None,
            "user 'u': access key 1 last used 2026-10-01, 59 days before the report "
            "(more than 45 days)",
        ),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"Content": "not base64!", "ReportFormat": "text/csv", "GeneratedTime": "x"}',
            "credential report: 'Content' is not base64 UTF-8 text",
        ),
        (
            json.dumps({"Content": base64.b64encode(b"a,b\n1,2\n").decode(), "ReportFormat": "t"}),
            "credential report: 'Content' is not a credential report CSV",
        ),
        (
            json.dumps(
                {
                    "Content": base64.b64encode(HEADER.encode()).decode(),
                    "ReportFormat": "text/csv",
                    "GeneratedTime": "yesterday",
                }
            ),
            "credential report: 'GeneratedTime' must be an ISO 8601 time",
        ),
    ],
    ids=["bad-base64", "not-a-report", "bad-time"],
)
def test_a_broken_api_answer_is_one_error_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "report.json"
    path.write_text(text)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(f"report.json: {message} [IAM001]")


def test_a_csv_that_is_not_a_report_is_skipped_in_a_directory(tmp_path: Path) -> None:
    (tmp_path / "prices.csv").write_text("sku,price\nA,1\n")
    (tmp_path / "report.csv").write_text(
        HEADER + "\n" + _user(password="true,2026-11-29T00:00:00+00:00,2026-11-01T00:00:00+00:00")
    )
    result = CliRunner().invoke(app, ["check", str(tmp_path), "--select", "IAM207"])
    assert result.exit_code == 1
    assert "IAM207" in result.stdout
    assert "prices.csv: not a Terraform plan (terraform show -json), a CloudFormation " in (
        result.stderr
    )


def test_the_json_report_validates_against_its_schema() -> None:
    schema = json.loads((ROOT / "iacguard" / "data" / "report.schema.json").read_text())
    result = CliRunner().invoke(
        app, ["check", str(CASE / "get-credential-report.json"), "-f", "json"]
    )
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    jsonschema.validate(report, schema)
    assert {f["source"] for f in report["findings"]} == {"credential-report"}
