"""Say what was not evaluated (#17, scope 2): every policy document, statement, attached
policy, module or resource the scan could not evaluate is counted in every report's
summary and listed with ``-v``, and an input of which not one policy was evaluated is
never reported as a silent "0 findings"."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path, PurePosixPath

import pytest
from typer.testing import CliRunner

from iacguard.cli import ExitCode, app
from iacguard.coverage import (
    MAX_DETAIL,
    NotEvaluated,
    NotEvaluatedKind,
    evaluated_nothing,
    groups,
    shorten,
)
from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.graph import GraphBuilder
from iacguard.model import Location
from iacguard.plugins import collect_checks, get_plugin_manager
from tests.conftest import ROOT

HCL = "fixtures/hcl/not_evaluated"
#: why a registry or git module is not followed (``terraform init`` not run)
REMOTE = "source is not a local directory and is not installed (run terraform init)"
CFN = "fixtures/cloudformation/not_evaluated/template.yaml"

#: how many rules the built-ins have, as the summary line counts them
RULES = sum(1 for _ in collect_checks(get_plugin_manager(load_entrypoints=False))[0])
#: the summary line of one input with no finding and no policy evaluated
BLIND_LINE = (
    f"0 findings in 1 file, {RULES} rules checked; NOT ONE POLICY EVALUATED in 1 input (see stderr)"
)

#: the text report's summary of the HCL fixture, after its "0 findings" line
HCL_SUMMARY = [
    BLIND_LINE,
    "3 policy documents not evaluated: unknown until apply",
    "1 attached policy not evaluated: unknown until apply",
    f"1 module not evaluated: {REMOTE}",
    "1 resource read as one instance: for_each unknown until apply",
    "('iacguard check -v' lists what was not evaluated.)",
]

HCL_WARNING = (
    "iacguard: warning: fixtures/hcl/not_evaluated: not one policy evaluated "
    "(3 policy documents not evaluated: unknown until apply; 1 attached policy not "
    "evaluated: unknown until apply; 1 module not evaluated: source is not a local "
    "directory and is not installed (run terraform init); 1 resource read as one instance: "
    "for_each unknown until apply): a report "
    "without findings here does not mean it is safe [IAM007]"
)

#: ``-v``: one line per element, sorted by file and line
HCL_LISTING = [
    "iacguard: note: module 'module.shared_policy' at fixtures/hcl/not_evaluated/main.tf:24: "
    f"not evaluated: {REMOTE} [IAM007]",
    "iacguard: note: policy document 'aws_iam_role.app#assume_role_policy' at "
    "fixtures/hcl/not_evaluated/main.tf:31: not evaluated: unknown until apply "
    "(var.trust_json) [IAM007]",
    "iacguard: note: policy document 'aws_iam_policy.app' at "
    "fixtures/hcl/not_evaluated/main.tf:36: not evaluated: unknown until apply "
    "(var.policy_json) [IAM007]",
    "iacguard: note: policy document 'aws_iam_policy.shared' at "
    "fixtures/hcl/not_evaluated/main.tf:46: not evaluated: unknown until apply "
    "(module.shared_policy) [IAM007]",
    "iacguard: note: resource 'aws_iam_role_policy_attachment.readers' at "
    "fixtures/hcl/not_evaluated/main.tf:51: read as one instance: for_each unknown until "
    "apply [IAM007]",
    "iacguard: note: attached policy 'aws_iam_role_policy_attachment.extra' at "
    "fixtures/hcl/not_evaluated/main.tf:57: not evaluated: unknown until apply "
    "(aws_iam_role_policy_attachment.extra.policy_arn) [IAM007]",
]


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(ROOT)
    return CliRunner()


def _check(runner: CliRunner, *args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, ["check", *map(str, args)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _scan(path: Path | str) -> ScanResult:
    registry, problems = collect_checks(get_plugin_manager(load_entrypoints=False))
    assert not problems
    return scan([Path(path)], registry, ScanOptions())


def _records(result: ScanResult) -> list[tuple[str, str, int | None, str, str]]:
    return [
        (i.kind.value, i.address, i.location.line, i.reason, i.detail) for i in result.not_evaluated
    ]


# --------------------------------------------------------------------------- nothing evaluated


def test_an_input_with_no_policy_known_before_apply_is_not_a_silent_zero(
    runner: CliRunner,
) -> None:
    """Exit 0 (unknown values are neither an input error nor a finding) with a warning on
    stderr and the summary saying so: the decision documented in the README."""
    code, stdout, stderr = _check(runner, HCL)
    assert code == ExitCode.OK
    assert stdout.splitlines() == HCL_SUMMARY
    assert stderr.splitlines() == [
        "iacguard: note: fixtures/hcl/not_evaluated: 1 module(s) from a registry or git not "
        "installed ('shared_policy'): run terraform init here to scan what they create [IAM003]",
        HCL_WARNING,
    ]


def test_verbose_lists_each_element_not_evaluated(runner: CliRunner) -> None:
    code, _, stderr = _check(runner, HCL, "-v")
    assert code == ExitCode.OK
    lines = [line for line in stderr.splitlines() if line.startswith("iacguard: ")]
    assert lines[2:] == HCL_LISTING
    assert lines[1] == HCL_WARNING


def test_without_verbose_nothing_is_listed(runner: CliRunner) -> None:
    _, _, stderr = _check(runner, HCL)
    assert not set(HCL_LISTING) & set(stderr.splitlines())


def test_several_inputs_with_no_policy_evaluated_are_one_warning_line(
    runner: CliRunner,
) -> None:
    """A repository of roots that only call registry modules must not flood stderr: one
    line names them (issue 17: no more than 20 lines on stderr without ``-v``)."""
    _, _, stderr = _check(runner, HCL, CFN, "-f", "json")
    assert stderr.splitlines()[-1] == (
        "iacguard: warning: not one policy evaluated in 2 inputs: fixtures/hcl/not_evaluated, "
        "fixtures/cloudformation/not_evaluated/template.yaml; a report without findings there "
        "does not mean they are safe (-v lists them) [IAM007]"
    )
    _, _, verbose = _check(runner, HCL, CFN, "-f", "json", "-v")
    warnings = [line for line in verbose.splitlines() if line.startswith("iacguard: warning")]
    assert warnings[0] == HCL_WARNING
    assert warnings[1].startswith(
        "iacguard: warning: fixtures/cloudformation/not_evaluated/template.yaml: not one policy "
        "evaluated (2 policy documents"
    )


def test_cloudformation_imported_policies_are_not_evaluated(runner: CliRunner) -> None:
    code, stdout, stderr = _check(runner, CFN, "-v")
    assert code == ExitCode.OK
    assert stdout.splitlines() == [
        BLIND_LINE,
        "2 policy documents not evaluated: unknown until apply",
        "1 attached policy not evaluated: defined outside the input",
        "1 attached policy not evaluated: unknown until apply",
        "('iacguard check -v' lists what was not evaluated.)",
    ]
    where = "fixtures/cloudformation/not_evaluated/template.yaml"
    assert [line for line in stderr.splitlines() if line.startswith("iacguard: note")] == [
        f"iacguard: note: attached policy 'AppRole' at {where}:7: not evaluated: unknown until "
        "apply (AppRole.Properties.ManagedPolicyArns) [IAM007]",
        f"iacguard: note: attached policy 'AppRole' at {where}:7: not evaluated: defined "
        "outside the input (arn:aws:iam::123456789012:policy/iacguard-fixture-boundary) [IAM007]",
        f"iacguard: note: policy document 'AppRole#AssumeRolePolicyDocument' at {where}:7: "
        "not evaluated: unknown until apply (Fn::ImportValue) [IAM007]",
        f"iacguard: note: policy document 'AppPolicy' at {where}:16: not evaluated: unknown "
        "until apply (Fn::ImportValue) [IAM007]",
    ]


def test_an_input_with_one_known_statement_gets_no_warning() -> None:
    """partial_collections: most statements known, five not; counted, not a warning."""
    result = _scan("fixtures/hcl/partial_collections")
    assert result.inputs_not_evaluated == ()
    file = "fixtures/hcl/partial_collections/main.tf"
    assert _records(result) == [
        ("policy statement", "aws_iam_policy.break_glass", 10, "not evaluated: unknown until "
         "apply", "statement 2: var.extra_statements"),
        ("policy statement", "aws_iam_policy.grouped", 18, "not evaluated: unknown until apply",
         "statement 3: var.extra_statements"),
        ("policy statement", "aws_iam_policy.mixed", 88, "not evaluated: unknown until apply",
         "statement 2: data.aws_iam_policy_document.json"),
        ("policy statement", "aws_iam_group_policy.ops", 93, "not evaluated: unknown until apply",
         "statement 2: var.extra_statements_json"),
        ("policy statement", "aws_s3_bucket_policy.assets", 108, "not evaluated: unknown until "
         "apply", "statement 2: var.extra_statements"),
    ]  # fmt: skip
    assert {str(i.location.file) for i in result.not_evaluated} == {file}


def test_a_plan_whose_unknowns_are_filled_in_reports_nothing_not_evaluated() -> None:
    """The unknowns plan: every deferred document is rendered from its configuration, so
    nothing is claimed as not evaluated (no false "not evaluated" either)."""
    for path in ("fixtures/terraform/unknowns/plan.json", "fixtures/terraform/unknowns"):
        result = _scan(path)
        assert result.not_evaluated == ()
        assert result.inputs_not_evaluated == ()


def test_a_plan_scanned_without_its_source_counts_documents_known_after_apply(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Without the ``.tf`` files, three documents of the unknowns plan are known only
    after apply (that is why IAM301, IAM401 and IAM501 are silent there): counted and
    listed, with no warning, since the plan's other policies are evaluated."""
    plan = tmp_path / "plan.json"
    plan.write_bytes((ROOT / "fixtures/terraform/unknowns/plan.json").read_bytes())
    code, stdout, stderr = _check(runner, plan, "-v")
    assert code == ExitCode.FINDINGS
    assert stdout.splitlines()[-2:] == [
        "3 policy documents not evaluated: unknown until apply",
        "('iacguard check -v' lists what was not evaluated.)",
    ]
    assert [line for line in stderr.splitlines() if line.startswith("iacguard: ")] == [
        f"iacguard: note: policy document '{address}' at {plan.as_posix()}: not evaluated: "
        f"unknown until apply ({expr}) [IAM007]"
        for address, expr in (
            (
                "aws_iam_policy.unknown_admin_document",
                "aws_iam_policy.unknown_admin_document.policy",
            ),
            (
                "aws_iam_role.unknown_trust#assume_role_policy",
                "aws_iam_role.unknown_trust.assume_role_policy",
            ),
            (
                "aws_s3_bucket_policy.artifacts_public_unknown",
                "aws_s3_bucket_policy.artifacts_public_unknown.policy",
            ),
        )
    ]


# --------------------------------------------------------------------------- every format


def test_json_report_counts_and_lists(runner: CliRunner) -> None:
    _, stdout, _ = _check(runner, HCL, "-f", "json")
    report = json.loads(stdout)
    assert report["schema_version"] == "1.3"
    assert report["complete"] is True
    assert report["summary"]["not_evaluated"] == [
        {"kind": "policy document", "reason": "not evaluated: unknown until apply", "count": 3},
        {"kind": "attached policy", "reason": "not evaluated: unknown until apply", "count": 1},
        {
            "kind": "module",
            "reason": f"not evaluated: {REMOTE}",
            "count": 1,
        },
        {
            "kind": "resource",
            "reason": "read as one instance: for_each unknown until apply",
            "count": 1,
        },
    ]
    assert report["not_evaluated"][1] == {
        "kind": "policy document",
        "resource": "aws_iam_role.app#assume_role_policy",
        "file": "fixtures/hcl/not_evaluated/main.tf",
        "line": 31,
        "reason": "not evaluated: unknown until apply",
        "detail": "var.trust_json",
    }
    assert [(i["kind"], i["resource"]) for i in report["not_evaluated"]] == [
        ("module", "module.shared_policy"),
        ("policy document", "aws_iam_role.app#assume_role_policy"),
        ("policy document", "aws_iam_policy.app"),
        ("policy document", "aws_iam_policy.shared"),
        ("resource", "aws_iam_role_policy_attachment.readers"),
        ("attached policy", "aws_iam_role_policy_attachment.extra"),
    ]
    warnings = [d for d in report["diagnostics"] if d["code"] == "IAM007"]
    assert [(d["level"], d["file"]) for d in warnings] == [("warning", HCL)]


def test_json_report_of_a_fully_evaluated_input_has_empty_fields(runner: CliRunner) -> None:
    _, stdout, _ = _check(runner, "fixtures/terraform/mfa/plan.json", "-f", "json")
    report = json.loads(stdout)
    assert report["summary"]["not_evaluated"] == []
    assert report["not_evaluated"] == []


def test_sarif_notes_and_run_property(runner: CliRunner) -> None:
    _, stdout, _ = _check(runner, HCL, "-f", "sarif")
    run = json.loads(stdout)["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [(n["level"], n["message"]["text"]) for n in notes[1:]] == [
        ("warning", HCL_WARNING.removeprefix("iacguard: warning: ").removesuffix(" [IAM007]")),
        ("note", "3 policy documents not evaluated: unknown until apply"),
        ("note", "1 attached policy not evaluated: unknown until apply"),
        (
            "note",
            f"1 module not evaluated: {REMOTE}",
        ),
        ("note", "1 resource read as one instance: for_each unknown until apply"),
    ]
    assert run["invocations"][0]["executionSuccessful"] is True
    listed = run["properties"]["iacguard/notEvaluated"]
    assert [(i["resource"], i["line"]) for i in listed] == [
        ("module.shared_policy", 24),
        ("aws_iam_role.app#assume_role_policy", 31),
        ("aws_iam_policy.app", 36),
        ("aws_iam_policy.shared", 46),
        ("aws_iam_role_policy_attachment.readers", 51),
        ("aws_iam_role_policy_attachment.extra", 57),
    ]


def test_markdown_warns_and_counts(runner: CliRunner) -> None:
    _, stdout, _ = _check(runner, HCL, "-f", "markdown")
    assert (
        "> [!WARNING]\n> Not one policy could be evaluated in 1 input (see the job log). A "
        "report without findings there does not mean it is safe.\n" in stdout
    )
    assert stdout.endswith(
        "Not evaluated (`iacguard check -v` lists them):\n\n"
        "- 3 policy documents not evaluated: unknown until apply\n"
        "- 1 attached policy not evaluated: unknown until apply\n"
        f"- 1 module not evaluated: {REMOTE}\n"
        "- 1 resource read as one instance: for\\_each unknown until apply\n"
    )


def test_junit_skipped_cases(runner: CliRunner) -> None:
    _, stdout, _ = _check(runner, HCL, "-f", "junit")
    suite = ET.fromstring(stdout).find("testsuite")
    assert suite is not None
    assert suite.get("skipped") == "4"
    skipped = [
        (case.get("name"), case.find("skipped"))
        for case in suite
        if case.get("classname") == "iacguard.not-evaluated"
    ]
    assert [(name, s.get("message")) for name, s in skipped if s is not None] == [
        (
            "attached policies: not evaluated: unknown until apply",
            "1 attached policy not evaluated: unknown until apply",
        ),
        (
            f"modules: not evaluated: {REMOTE}",
            f"1 module not evaluated: {REMOTE}",
        ),
        (
            "policy documents: not evaluated: unknown until apply",
            "3 policy documents not evaluated: unknown until apply",
        ),
        (
            "resources: read as one instance: for_each unknown until apply",
            "1 resource read as one instance: for_each unknown until apply",
        ),
    ]
    documents = skipped[2][1]
    assert documents is not None
    assert documents.text is not None
    assert documents.text.splitlines()[0] == HCL_LISTING[1].removeprefix(
        "iacguard: note: "
    ).removesuffix(" [IAM007]")


def test_github_notices(runner: CliRunner) -> None:
    _, stdout, _ = _check(runner, HCL, "-f", "github")
    assert stdout.splitlines()[-4:] == [
        "::notice title=iacguard IAM007::3 policy documents not evaluated: unknown until apply",
        "::notice title=iacguard IAM007::1 attached policy not evaluated: unknown until apply",
        f"::notice title=iacguard IAM007::1 module not evaluated: {REMOTE}",
        "::notice title=iacguard IAM007::1 resource read as one instance: for_each unknown until "
        "apply",
    ]
    assert stdout.splitlines()[1].startswith("::warning file=fixtures/hcl/not_evaluated,")


# --------------------------------------------------------------------------- sources of records


def _write(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "main.tf").write_text(text)
    return root


def test_unknown_count_and_module_for_each_and_unshipped_managed_policy(tmp_path: Path) -> None:
    _write(
        tmp_path / "root" / "modules" / "user",
        'variable "name" {}\nresource "aws_iam_user" "this" {\n  name = var.name\n}\n',
    )
    root = _write(
        tmp_path / "root",
        """variable "users" { type = set(string) }
variable "admins" { type = number }

module "user" {
  source   = "./modules/user"
  for_each = var.users
  name     = each.key
}

resource "aws_iam_user" "admin" {
  count = var.admins
  name  = "admin-${count.index}"
}

resource "aws_iam_user_policy_attachment" "admin" {
  user       = "admin-0"
  policy_arn = "arn:aws:iam::aws:policy/NoSuchManagedPolicy"
}

resource "aws_instance" "web" {
  count = var.admins
  ami   = "ami-12345678"
}
""",
    )
    result = _scan(root)
    assert _records(result) == [
        ("module", "module.user", 4, "read as one instance: for_each unknown until apply", ""),
        ("resource", "aws_iam_user.admin", 10, "read as one instance: count unknown until apply",
         ""),
        ("policy document", "arn:aws:iam::aws:policy/NoSuchManagedPolicy", 15,
         "not evaluated: not in the shipped AWS-managed policy set", ""),
    ]  # fmt: skip
    # aws_instance.web, read as one instance too, is left out: it grants nothing; and not
    # one policy of the root is known, so the root gets the warning
    assert len(result.inputs_not_evaluated) == 1


def test_modules_not_followed_are_grouped_by_reason(tmp_path: Path) -> None:
    root = _write(
        tmp_path / "root",
        """module "gone" {
  source = "./missing"
}

module "also_gone" {
  source = "../nowhere"
}

module "remote" {
  source = "git::https://example.com/modules.git"
}
""",
    )
    result = _scan(root)
    assert _records(result) == [
        ("module", "module.gone", 1, "not evaluated: source directory not found",
         "./missing is not a directory"),
        ("module", "module.also_gone", 5, "not evaluated: source directory not found",
         "../nowhere is not a directory"),
        ("module", "module.remote", 9, f"not evaluated: {REMOTE}", ""),
    ]  # fmt: skip
    assert [g.describe() for g in groups(result.not_evaluated)] == [
        "2 modules not evaluated: source directory not found",
        f"1 module not evaluated: {REMOTE}",
    ]
    assert len(result.inputs_not_evaluated) == 1


def test_sam_policy_templates_are_counted_not_modelled(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(
        """Transform: AWS::Serverless-2016-10-31
Resources:
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Policies:
        - S3ReadPolicy:
            BucketName: iacguard-fixture-data
        - AWSLambdaBasicExecutionRole
        - DynamoDBCrudPolicy:
            TableName: iacguard-fixture-table
"""
    )
    result = _scan(template)
    assert _records(result) == [
        ("policy document", "Reader#Policies[0]", 10,
         "not evaluated: SAM policy template (not modelled)", "S3ReadPolicy"),
        ("policy document", "Reader#Policies[2]", 13,
         "not evaluated: SAM policy template (not modelled)", "DynamoDBCrudPolicy"),
    ]  # fmt: skip
    # the role SAM makes has a known trust policy and an AWS-managed policy: evaluated
    assert result.inputs_not_evaluated == ()


def test_groups_order_and_plurals() -> None:
    here = Location(PurePosixPath("main.tf"))
    items = [
        NotEvaluated(NotEvaluatedKind.ATTACHED_POLICY, "a", here, "not evaluated: x"),
        NotEvaluated(NotEvaluatedKind.POLICY_DOCUMENT, "b", here, "not evaluated: x"),
        NotEvaluated(NotEvaluatedKind.ATTACHED_POLICY, "c", here, "not evaluated: x"),
    ]
    assert [g.describe() for g in groups(items)] == [
        "1 policy document not evaluated: x",
        "2 attached policies not evaluated: x",
    ]


def test_nothing_not_evaluated_is_never_nothing_evaluated() -> None:
    assert not evaluated_nothing(GraphBuilder().build(), [])


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("var.policy", "var.policy"),
        ("jsonencode({\n  Statement = var.x\n})", "jsonencode({ Statement = var.x })"),
        ("x" * 10_000_000, "x" * (MAX_DETAIL - 1) + "…"),
        (" " * 1000 + "y", "…"),
    ],
)
def test_details_are_one_short_line(text: str, shown: str) -> None:
    assert shorten(text) == shown
