"""Output a person trusts (#17, scope 4): messages name something, skipped files are one
line, one finding per rule and line, "did you mean" only for near misses, privilege
reasons in a person's order, a module directory scanned on its own."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iacguard.catalog import default_catalog
from iacguard.checks import _documents
from iacguard.cli import ExitCode, app
from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.report import merge_repeats
from iacguard.results import Suppression
from tests.conftest import TERRAFORM

PLAN = TERRAFORM / "least_privilege" / "plan.json"


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    return CliRunner()


def _run(runner: CliRunner, *args: str | Path):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def _scan(path: Path, options: ScanOptions | None = None) -> ScanResult:
    registry, problems = collect_checks(get_plugin_manager(load_entrypoints=False))
    assert not problems
    return scan([path], registry, options or ScanOptions())


def _write(directory: Path, text: str, name: str = "main.tf") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(text)
    return directory


def _messages(result: ScanResult, rule: str) -> list[str]:
    return [f.message for f in result.findings if f.rule_id == rule]


# --------------------------------------------------------------------------- names

_NAMELESS = """
variable "user_name" { default = "" }
resource "aws_iam_user_policy_attachment" "direct" {
  user       = var.user_name
  policy_arn = "arn:aws:iam::aws:policy/ReadOnlyAccess"
}
resource "aws_iam_user_login_profile" "console" { user = var.user_name }
resource "aws_iam_user_policy" "inline" {
  name   = ""
  user   = var.user_name
  policy = jsonencode({Statement = [{Effect = "Allow", Action = "s3:GetObjct", Resource = "*"}]})
}
resource "aws_iam_policy" "everything" {
  name   = var.user_name
  policy = jsonencode({Statement = [{Effect = "Allow", Action = "*", Resource = "*"}]})
}
resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = jsonencode({Statement = [{Effect = "Allow", Action = "sts:AssumeRole"}]})
}
"""


def test_no_message_names_nobody(tmp_path: Path) -> None:
    result = _scan(_write(tmp_path / "root", _NAMELESS))
    messages = [f.message for f in result.findings if f.rule_id != "IAM102"]
    assert messages
    assert not [m for m in messages if "''" in m or "policy statement" in m]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param(
            "IAM201",
            "'aws_iam_user_policy_attachment.direct' attaches policy "
            "'arn:aws:iam::aws:policy/ReadOnlyAccess' directly to a user with an empty name, "
            "not a group",
            id="201-empty-user-name",
        ),
        pytest.param(
            "IAM205",
            "login profile 'aws_iam_user_login_profile.console' of a user with an empty name "
            "does not require a password reset (it is not set and defaults to off)",
            id="205-empty-user-name",
        ),
        pytest.param(
            "IAM206",
            "inline policy 'aws_iam_user_policy.inline' on a user with an empty name",
            id="206-empty-policy-name",
        ),
        pytest.param(
            "IAM301",
            "policy 'aws_iam_policy.everything' statement 1 allows '*' on '*'",
            id="301-policy-named-by-address",
        ),
        pytest.param(
            "IAM310",
            "inline policy 'aws_iam_user_policy.inline' statement 1 names actions that match "
            "nothing: 's3:GetObjct' (did you mean 's3:GetObject'?)",
            id="310-inline-policy-named-by-address",
        ),
        pytest.param(
            "IAM311",
            "trust policy of 'aws_iam_role.ci' statement 1 has no Principal",
            id="311-trust-policy-of-its-role",
        ),
    ],
)
def test_nameless_elements_are_named_by_address(tmp_path: Path, rule: str, expected: str) -> None:
    result = _scan(_write(tmp_path / "root", _NAMELESS))
    assert expected in _messages(result, rule)


# --------------------------------------------------------------------------- skipped files

_NOT_IAC = {
    "tsconfig.json": '{\n  // comments are fine in tsconfig\n  "compilerOptions": {}\n}\n',
    "package.json": '{"name": "web", "version": "1.0.0"}',
    "empty.json": "",
    "list.json": "[1, 2, 3]",
    "values.yaml": "replicas: 3\nimage: web\n",
}


def _repository(tmp_path: Path) -> Path:
    for name, text in _NOT_IAC.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "plan.json").write_bytes(PLAN.read_bytes())
    return tmp_path


def test_non_iac_files_in_a_directory_are_one_note_not_an_error(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = _run(runner, "check", _repository(tmp_path), "-f", "json")
    assert result.exit_code == ExitCode.FINDINGS, result.stderr
    assert result.stderr.splitlines() == [
        "iacguard: note: skipped 5 files that are not a Terraform plan (terraform show -json) "
        "or a CloudFormation template (-v lists them) [IAM003]"
    ]
    report = json.loads(result.stdout)
    assert report["complete"] is True
    assert [d["code"] for d in report["diagnostics"]] == ["IAM003"]


def test_verbose_lists_each_skipped_file(runner: CliRunner, tmp_path: Path) -> None:
    result = _run(runner, "check", "-v", _repository(tmp_path), "-f", "json")
    assert result.exit_code == ExitCode.FINDINGS
    notes = [line for line in result.stderr.splitlines() if line.startswith("iacguard: note:")]
    assert len(notes) == len(_NOT_IAC)
    for name in _NOT_IAC:
        assert any(name in note for note in notes), name
    assert "(file is empty)" in result.stderr


@pytest.mark.parametrize("name", sorted(_NOT_IAC))
def test_a_named_non_iac_file_is_still_an_error(
    runner: CliRunner, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_text(_NOT_IAC[name])
    assert _run(runner, "check", path).exit_code == ExitCode.USAGE_ERROR


def test_a_broken_plan_in_a_directory_is_still_an_error(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "plan.json").write_text('{"format_version": "1.2", "planned_values": {')
    result = _run(runner, "check", tmp_path)
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert "plan.json" in result.stderr
    assert "invalid JSON" in result.stderr


# --------------------------------------------------------------------------- one per line

_INSTANCES = """
resource "aws_iam_user" "team" {
  for_each = toset(["ann", "bob", "cy"])
  name     = each.key
}
resource "aws_iam_role_policy" "writer" {
  for_each = toset(["x", "y"])
  role     = "app"
  policy   = jsonencode({Statement = [{Effect = "Allow", Action = "s3:PutObject", Resource = "*"}, {Effect = "Allow", Action = "s3:DeleteObject", Resource = "*"}]})
}
"""  # noqa: E501


def test_findings_of_one_rule_at_one_line_are_reported_once(tmp_path: Path) -> None:
    result = _scan(_write(tmp_path / "root", _INSTANCES))
    users = [f for f in result.findings if f.rule_id == "IAM202"]
    assert len(users) == 3  # the scan keeps one finding per resource ...
    [shown] = [f for f in merge_repeats(result.findings) if f.rule_id == "IAM202"]
    # ... reports show one: the first, naming the others
    message = (
        "user 'aws_iam_user.team[\"ann\"]' is in no group; also at this line: "
        "'aws_iam_user.team[\"bob\"]', 'aws_iam_user.team[\"cy\"]'"
    )
    assert shown == dataclasses.replace(users[0], message=message)
    assert shown.fingerprint == users[0].fingerprint == 'IAM202:aws_iam_user.team["ann"]:'


def test_a_merged_finding_lists_the_other_statements_and_resources(tmp_path: Path) -> None:
    result = _scan(_write(tmp_path / "root", _INSTANCES))
    [shown] = [f for f in merge_repeats(result.findings) if f.rule_id == "IAM303"]
    assert shown.message == (
        "inline policy 'aws_iam_role_policy.writer[\"x\"]' statement 1 allows write actions on "
        "'*': 's3:PutObject'; inline policy 'aws_iam_role_policy.writer[\"x\"]' statement 2 "
        "allows write actions on '*': 's3:DeleteObject'; also at this line: "
        "'aws_iam_role_policy.writer[\"y\"]'"
    )
    assert shown.pointer == ("policy", "Statement", 0)


def test_suppressions_apply_to_each_finding_before_merging(tmp_path: Path) -> None:
    suppression = Suppression(("IAM202",), 'aws_iam_user.team["ann"]', "leaving")
    result = _scan(_write(tmp_path / "root", _INSTANCES), ScanOptions(suppressions=(suppression,)))
    [shown] = [f for f in merge_repeats(result.findings) if f.rule_id == "IAM202"]
    assert shown.address == 'aws_iam_user.team["bob"]'
    assert shown.message.endswith("also at this line: 'aws_iam_user.team[\"cy\"]'")
    assert len(result.suppressed) == 1


def test_every_report_format_shows_one_finding_per_line(runner: CliRunner, tmp_path: Path) -> None:
    """The formats people read show one finding per line; the JSON report, read by tools
    that match findings by resource, keeps one per resource."""
    root = _write(tmp_path / "root", _INSTANCES)
    report = json.loads(_run(runner, "check", root, "-f", "json", "--select", "IAM202").stdout)
    assert report["summary"]["findings"] == len(report["findings"]) == 3
    github = _run(runner, "check", root, "-f", "github", "--select", "IAM202").stdout
    assert len([line for line in github.splitlines() if "title=IAM202" in line]) == 1
    sarif = json.loads(_run(runner, "check", root, "-f", "sarif", "--select", "IAM202").stdout)
    assert len(sarif["runs"][0]["results"]) == 1
    text = _run(runner, "check", root, "--select", "IAM202").stdout
    assert text.splitlines()[-1].startswith("1 finding (1 low)")


def test_a_baseline_still_records_every_resource(runner: CliRunner, tmp_path: Path) -> None:
    root = _write(tmp_path / "root", _INSTANCES)
    baseline = tmp_path / "baseline.json"
    _run(runner, "check", root, "--select", "IAM202", "--create-baseline", baseline)
    recorded = {entry["resource"] for entry in json.loads(baseline.read_text())["findings"]}
    assert recorded == {f'aws_iam_user.team["{n}"]' for n in ("ann", "bob", "cy")}


def test_findings_without_a_line_are_never_merged(tmp_path: Path) -> None:
    alone = tmp_path / "plan.json"  # away from its .tf source: no line numbers
    alone.write_bytes((TERRAFORM / "modules" / "plan.json").read_bytes())
    result = _scan(alone)
    assert all(f.location.line is None for f in result.findings)
    assert merge_repeats(result.findings) == result.findings


# --------------------------------------------------------------------------- did you mean


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        pytest.param("s3:GetObjct", "s3:GetObject", id="letter-dropped"),
        pytest.param("s3:GetObjekt", "s3:GetObject", id="letter-replaced"),
        pytest.param("s3:getobjct", "s3:GetObject", id="lower-case"),
        pytest.param("s3:GteObject", "s3:GetObject", id="verb-letters-swapped"),
        pytest.param("iam:PassRoles", "iam:PassRole", id="letter-added"),
        pytest.param("kms:Decrpyt", "kms:Decrypt", id="noun-letters-swapped"),
        pytest.param("ec3:RunInstances", "ec2:RunInstances", id="service-letter-off"),
        pytest.param("s3:PutBucketEncryption", None, id="api-name-not-a-near-miss"),
        pytest.param("s3:PutBucketEncryptio", None, id="other-noun"),
        pytest.param("s3:Get", None, id="verb-alone"),
        pytest.param("s3:Get*Thing", None, id="wildcard"),
        pytest.param("nosuchservice:GetObject", None, id="unknown-service"),
    ],
)
def test_suggestions_only_for_near_misses(pattern: str, expected: str | None) -> None:
    assert _documents.suggestion(default_catalog(), pattern) == expected


def test_suggestion_work_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A miss in the largest service compares with a capped number of names of one verb,
    not with each of its 800 actions."""
    catalog = default_catalog()
    calls = []
    original = _documents.typo_distance

    def counting(first: str, second: str, limit: int) -> int:
        calls.append((first, second))
        return original(first, second, limit)

    monkeypatch.setattr(_documents, "typo_distance", counting)
    assert _documents.suggestion(catalog, "ec2:DescribeInstancesAndVolumesOfEverything") is None
    assert len(catalog.expand("ec2:*")) > 500
    assert len(calls) <= _documents._MAX_CANDIDATES + 100  # + one per verb of ec2


# --------------------------------------------------------------------------- privilege reasons

_ESCALATING_USER = """
resource "aws_iam_user" "alice" { name = "alice" }
resource "aws_iam_user_policy" "attach" {
  name   = "attach"
  user   = aws_iam_user.alice.name
  policy = jsonencode({Statement = [{Effect = "Allow", Action = ["iam:AttachUserPolicy", "iam:PutUserPolicy"], Resource = "*"}]})
}
"""  # noqa: E501


def test_privilege_reason_names_the_escalation_path_before_permissions_management(
    tmp_path: Path,
) -> None:
    [message] = _messages(_scan(_write(tmp_path / "root", _ESCALATING_USER)), "IAM204")
    assert message.startswith("user 'aws_iam_user.alice' is privileged (escalation path iam-0")
    assert "permissions management" not in message


# --------------------------------------------------------------------------- module directory

_CALLER = 'module "ci" {\n  source = "./modules/ci"\n  name   = "ci"\n}\n'
_MODULE = """
variable "name" { type = string }
resource "aws_iam_role_policy" "pass" {
  name   = var.name
  role   = "ci"
  policy = jsonencode({Statement = [{Effect = "Allow", Action = "iam:PassRole", Resource = "*"}]})
}
"""


@pytest.mark.parametrize("named", ["directory", "file"])
def test_a_module_directory_named_alone_is_scanned_as_a_root(
    runner: CliRunner, tmp_path: Path, named: str
) -> None:
    module = _write(_write(tmp_path, _CALLER) / "modules" / "ci", _MODULE)
    result = _run(runner, "check", module if named == "directory" else module / "main.tf")
    assert result.exit_code == ExitCode.FINDINGS, result.stderr
    assert "IAM307" in result.stdout
    # its name is a variable nobody sets: unknown, so the policy is named by its address
    assert "inline policy 'aws_iam_role_policy.pass' statement 1" in result.stdout
    note, context = result.stderr.splitlines()
    assert note.startswith(f"iacguard: note: {module}: scanned as a root module")
    assert "variables unknown" in note
    assert "gives access to 1 principal(s) it does not define (role 'ci')" in context


def test_the_caller_still_scans_the_module_through_its_call(
    runner: CliRunner, tmp_path: Path
) -> None:
    _write(_write(tmp_path, _CALLER) / "modules" / "ci", _MODULE)
    result = _run(runner, "check", tmp_path, "-f", "json")
    assert result.exit_code == ExitCode.FINDINGS
    assert result.stderr == (
        f"iacguard: note: {tmp_path}: gives access to 1 principal(s) it does not define "
        "(role 'ci'); what they gain is judged only with --account (the account's "
        "authorization details) [IAM003]\n"
    )
    report = json.loads(result.stdout)
    assert {f["resource"] for f in report["findings"] if f["rule_id"] == "IAM307"} == {
        "module.ci.aws_iam_role_policy.pass"
    }
