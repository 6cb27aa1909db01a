"""``iacguard diff`` and ``check --new-only``: what a change adds, on real plans made
against a hand-written state (fixtures/terraform/diff_*), and on sources and templates
compared with a git revision of a repository the test builds."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from iacguard.cli import app
from tests._golden import check_golden

FIXTURES = Path("fixtures/terraform")
GOLDEN = Path(__file__).parent / "golden_diff"
SCHEMA = json.loads(Path("iacguard/data/diff.schema.json").read_text())
CASES = ("diff_widened", "diff_trust", "diff_narrowed", "diff_near_miss")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def plan(case: str) -> str:
    return str(FIXTURES / case / "plan.json")


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_diff_of_each_plan_matches_golden(
    case: str, fmt: str, request: pytest.FixtureRequest
) -> None:
    code, out, _ = run("diff", plan(case), "--format", fmt)
    if fmt == "json":
        document = json.loads(out)
        document["tool"]["version"] = "VERSION"
        out = json.dumps(document, indent=2, sort_keys=True) + "\n"
    suffix = {"text": "txt", "json": "json", "markdown": "md"}[fmt]
    check_golden(out, GOLDEN / f"{case}.{suffix}", request.config)
    assert code == (0 if case in ("diff_narrowed", "diff_near_miss") else 1)


@pytest.mark.parametrize("case", CASES)
def test_json_diff_follows_its_schema(case: str) -> None:
    _, out, _ = run("diff", plan(case), "-f", "json")
    jsonschema.validate(json.loads(out), SCHEMA)


@pytest.mark.parametrize("case", CASES)
def test_check_new_only_is_the_diffs_new_findings(case: str) -> None:
    _, diff_out, _ = run("diff", plan(case), "-f", "json")
    code, check_out, _ = run("check", plan(case), "--new-only", "-f", "json")
    new = [f["fingerprint"] for f in json.loads(diff_out)["new_findings"]]
    reported = [f["fingerprint"] for f in json.loads(check_out)["findings"]]
    assert sorted(reported) == sorted(new)
    assert code == (1 if new else 0)


def test_widened_policy_names_the_escalation_path_and_who_gains_admin() -> None:
    code, out, _ = run("diff", plan("diff_widened"))
    assert code == 1
    assert "aws_iam_role.ci (role) becomes privileged (escalation path lambda-001)" in out
    assert "  gains iam Write (1): PassRole on *\n" in out
    assert "aws_iam_role.break_glass (role, added) becomes administrator" in out
    assert "  newly assumable by: user 'aws_iam_user.alice' (by ARN)\n" in out
    assert "aws_iam_user.alice (user) becomes privileged (chain)" in out


def test_json_diff_lists_gained_grants_and_findings() -> None:
    _, out, _ = run("diff", plan("diff_widened"), "-f", "json")
    document = json.loads(out)
    ci = next(p for p in document["principals"] if p["address"] == "aws_iam_role.ci")
    assert {
        "action": "iam:PassRole",
        "resource": "*",
        "condition": "",
        "access_level": "Write",
    } in ci["gained"]
    assert ci["becomes_privileged"]["kind"] == "escalation path"
    assert ci["becomes_privileged"]["paths"] == ["lambda-001"]
    # the bucket-scoped grants it had are covered by s3:* on *: nothing is lost
    assert ci["lost"] == []
    rules = {(f["rule_id"], f["resource"]) for f in document["new_findings"]}
    assert ("IAM301", "aws_iam_role_policy_attachment.break_glass") in rules
    assert ("IAM307", "aws_iam_role_policy.ci_deploy") in rules
    assert document["resolved_findings"] == []


def test_trust_to_another_account_removed_role_and_unknown_policy() -> None:
    _, out, _ = run("diff", plan("diff_trust"), "-f", "json")
    principals = {p["address"]: p for p in json.loads(out)["principals"]}
    assert principals["aws_iam_role.audit"]["new_assumers"] == [
        {
            "who": "AWS arn:aws:iam::111122223333:root",
            "how": "trusted (another account)",
            "condition": "",
        }
    ]
    legacy = principals["aws_iam_role.legacy"]
    assert legacy["status"] == "removed"
    assert legacy["stops_privileged"]["kind"] == "administrator"
    reports = principals["aws_iam_role.reports"]
    assert reports["gained"] == []
    assert reports["may_gain"] == ["s3:PutObject on (known after apply)"]


def test_change_that_only_removes_access_exits_0_with_resolved_findings() -> None:
    code, out, _ = run("diff", plan("diff_narrowed"), "-f", "json")
    document = json.loads(out)
    assert code == 0
    # the renamed (replaced) worker role is one principal whose access does not change
    assert [p["address"] for p in document["principals"]] == ["aws_iam_role.deploy"]
    assert document["principals"][0]["lost"][0]["action"] == "*"
    assert {f["rule_id"] for f in document["resolved_findings"]} == {"IAM301", "IAM404"}
    assert document["new_findings"] == []


def test_description_and_tag_change_is_an_empty_diff() -> None:
    code, out, _ = run("diff", plan("diff_near_miss"))
    assert code == 0
    assert out.splitlines()[1] == "no change in access and no new findings"


def test_sarif_holds_only_new_findings() -> None:
    _, out, _ = run("diff", plan("diff_trust"), "-f", "sarif")
    results = json.loads(out)["runs"][0]["results"]
    assert [(r["ruleId"], r["message"]["text"].split(" ")[0]) for r in results] == [
        ("IAM206", "inline")
    ]


def test_soft_fail_and_fail_on() -> None:
    assert run("diff", plan("diff_trust"), "--fail-on", "high")[0] == 0  # only a LOW new finding
    assert run("diff", plan("diff_widened"), "--soft-fail")[0] == 0


def test_diff_of_a_template_without_base_is_a_usage_error() -> None:
    code, _, err = run("diff", str(FIXTURES / "diff_widened" / "main.tf"))
    assert code == 2
    assert err.startswith("iacguard: error: ")
    assert "compare Terraform sources and CloudFormation templates with --base REV" in err


def test_check_new_only_reports_exactly_the_new_findings() -> None:
    _, out, _ = run("check", plan("diff_trust"), "--new-only", "-f", "json")
    findings = json.loads(out)["findings"]
    assert [(f["rule_id"], f["resource"]) for f in findings] == [
        ("IAM206", "aws_iam_role_policy.reports")
    ]
    code, out, _ = run("check", plan("diff_narrowed"), "--new-only", "-f", "json")
    assert (code, json.loads(out)["findings"]) == (0, [])


@pytest.mark.parametrize("case", CASES)
def test_plain_check_reports_the_planned_policies(case: str) -> None:
    changes = json.loads(Path(plan(case)).read_text())["resource_changes"]
    deleted = {c["address"] for c in changes if c["change"]["actions"] == ["delete"]}
    _, out, _ = run("check", plan(case), "-f", "json")
    resources = {f["resource"] for f in json.loads(out)["findings"]}
    assert not resources & deleted
    _, out, _ = run("diff", plan(case), "-f", "json")
    resolved = {f["resource"] for f in json.loads(out)["resolved_findings"]}
    assert resources.isdisjoint(resolved)


# --------------------------------------------------------------------------- --base


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git(tmp_path, "init", "-q", "-b", "main")
    monkeypatch.chdir(tmp_path)
    return tmp_path


ROLE_TF = """
resource "aws_iam_role" "ci" {
  name = "ci"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "codebuild.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "ci" {
  name   = "deploy"
  role   = aws_iam_role.ci.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = %s, Resource = "*" }]
  })
}
"""

TEMPLATE = """
Resources:
  Deployer:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: "%s"}
            Action: sts:AssumeRole
      ManagedPolicyArns:
        - %s
"""


def test_base_on_terraform_sources(repo: Path) -> None:
    infra = repo / "infra"
    infra.mkdir()
    (infra / "main.tf").write_text(ROLE_TF % '"s3:GetObject"')
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    (infra / "main.tf").write_text(ROLE_TF % '["iam:PassRole", "lambda:CreateFunction"]')
    code, out, _ = run("diff", "--base", "HEAD", "infra", "-f", "json")
    document = json.loads(out)
    assert (document["before"], document["after"]) == ("HEAD", "working tree")
    [ci] = document["principals"]
    assert ci["address"] == "aws_iam_role.ci"
    assert [a["action"] for a in ci["gained"]] == ["iam:PassRole", "lambda:CreateFunction"]
    assert [a["action"] for a in ci["lost"]] == ["s3:GetObject"]
    assert code == 1  # new findings (PassRole on *)
    # the working tree is untouched, and check --base reports only what is new
    assert '"iam:PassRole"' in (infra / "main.tf").read_text()
    _, out, _ = run("check", "--base", "HEAD", "infra", "-f", "json")
    assert {f["rule_id"] for f in json.loads(out)["findings"]} == {"IAM303", "IAM307"}


def test_base_on_cloudformation_templates(repo: Path) -> None:
    template = repo / "template.yaml"
    template.write_text(
        TEMPLATE % ("arn:aws:iam::123456789012:root", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    )
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    template.write_text(
        TEMPLATE % ("arn:aws:iam::111122223333:root", "arn:aws:iam::aws:policy/AdministratorAccess")
    )
    code, out, _ = run("diff", "--base", "HEAD", "template.yaml")
    assert code == 1
    assert "Deployer (role) becomes administrator" in out
    assert (
        "  newly assumable by: AWS arn:aws:iam::111122223333:root"
        " (trusted (account 111122223333))\n" in out
    )
    # unchanged: an empty diff
    git(repo, "commit", "-q", "-am", "widen")
    code, out, _ = run("diff", "--base", "HEAD", "template.yaml")
    assert (code, out.splitlines()[1]) == (0, "no change in access and no new findings")


def test_base_for_a_new_file_compares_with_nothing(repo: Path) -> None:
    (repo / "README").write_text("x")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    (repo / "template.yaml").write_text(
        TEMPLATE % ("arn:aws:iam::123456789012:root", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    )
    _, out, _ = run("diff", "--base", "HEAD", "template.yaml", "-f", "json")
    [deployer] = json.loads(out)["principals"]
    assert deployer["status"] == "added"


def test_unknown_revision_is_a_usage_error(repo: Path) -> None:
    (repo / "template.yaml").write_text(TEMPLATE % ("*", "arn:aws:iam::aws:policy/ReadOnlyAccess"))
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    code, _, err = run("diff", "--base", "no-such-branch", "template.yaml")
    assert (code, err) == (2, "iacguard: error: --base no-such-branch: no such git revision\n")


def test_revision_that_looks_like_an_option_is_refused(repo: Path) -> None:
    (repo / "template.yaml").write_text(TEMPLATE % ("*", "arn:aws:iam::aws:policy/ReadOnlyAccess"))
    code, _, err = run("diff", "--base", "--output=x", "template.yaml")
    assert (code, err) == (
        2,
        "iacguard: error: --base --output=x: a revision cannot start with '-'\n",
    )


def test_path_outside_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE % ("*", "arn:aws:iam::aws:policy/ReadOnlyAccess"))
    code, _, err = run("diff", "--base", "HEAD", str(template))
    assert code == 2
    assert err == f"iacguard: error: --base: {template} is not in a git repository\n"


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif"])
def test_secrets_in_the_prior_state_and_the_plan_never_appear(fmt: str, tmp_path: Path) -> None:
    from tests.robustness.test_no_secret_leaks import SECRETS, _plan

    document = _plan()
    planned = document["planned_values"]
    assert isinstance(planned, dict)
    document["prior_state"] = {"format_version": "1.0", "values": planned}
    changes = document["resource_changes"]
    assert isinstance(changes, list)
    for change in changes:
        change["change"]["before"] = change["change"]["after"]
        change["change"]["actions"] = ["update"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    for args in (["diff", str(path), "-f", fmt], ["check", str(path), "--new-only", "-f", fmt]):
        code, out, err = run(*args)
        assert code in (0, 1), err
        for secret in SECRETS:
            assert secret not in out + err, (args, secret)


def test_base_on_a_template_that_removes_a_role_and_narrows_another(repo: Path) -> None:
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    readonly = "arn:aws:iam::aws:policy/ReadOnlyAccess"
    second = (TEMPLATE % ("arn:aws:iam::123456789012:root", admin)).replace(
        "Deployer:", "Auditor:", 1
    )
    template = repo / "template.yaml"
    template.write_text(TEMPLATE % ("arn:aws:iam::123456789012:root", admin) + second[11:])
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    template.write_text(TEMPLATE % ("arn:aws:iam::123456789012:root", readonly))
    code, out, _ = run("diff", "--base", "HEAD", "template.yaml", "-f", "json")
    document = json.loads(out)
    changes = {p["address"]: p for p in document["principals"]}
    assert changes["Auditor"]["status"] == "removed"
    assert changes["Auditor"]["stops_privileged"]["kind"] == "administrator"
    assert changes["Deployer"]["stops_privileged"]["kind"] == "administrator"
    assert [a["action"] for a in changes["Deployer"]["lost"]] == ["*"]
    assert document["new_findings"] == []
    assert {f["resource"] for f in document["resolved_findings"]} >= {"Auditor", "Deployer"}
    assert code == 0


def test_markdown_escapes_what_comes_from_the_input() -> None:
    import io

    from iacguard.diff.compare import Access, AccessDiff, Assumer, PrincipalChange
    from iacguard.diff.markdown import write_markdown

    hostile = "arn:aws:s3:::x|<img src=y>*`z`\n# heading"
    change = PrincipalChange(
        input="in|put",
        address="aws_iam_role.r",
        kind="role",
        status="changed",
        gained=(Access("s3:GetObject", hostile, "StringEquals k=<b>|", "Read"),),
        new_assumers=(Assumer("AWS <script>|", "trusted"),),
    )
    stream = io.StringIO()
    write_markdown(AccessDiff((change,), (), ()), ("base|<x>", "after"), stream)
    text = stream.getvalue()
    # text cells are escaped; a resource is escaped inside <code> (#13: a backtick span
    # cannot hold every text)
    assert "<script>" not in text
    assert "<b>" not in text
    assert "<img" not in text
    assert "<code>arn:aws:s3:::x\\|&lt;img src=y&gt;\\*\\`z\\` # heading</code>" in text
    assert "\n# heading" not in text
    for line in text.splitlines():
        if line.startswith("| <code>aws\\_iam\\_role.r</code>"):
            assert line.count(" | ") == 2  # no cell is split by a '|' from the input


def test_base_on_a_deleted_template_loses_its_roles(repo: Path) -> None:
    template = repo / "template.yaml"
    template.write_text(
        TEMPLATE % ("arn:aws:iam::123456789012:root", "arn:aws:iam::aws:policy/ReadOnlyAccess")
    )
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    template.unlink()
    code, out, _ = run("diff", "--base", "HEAD", "template.yaml", "-f", "json")
    [deployer] = json.loads(out)["principals"]
    assert (deployer["address"], deployer["status"]) == ("Deployer", "removed")
    assert code == 0
    code, _, err = run("diff", "--base", "HEAD", "other.yaml")
    assert (code, err) == (
        2,
        "iacguard: error: other.yaml: no such file or directory, here or at HEAD\n",
    )


def test_unknown_format_is_a_usage_error() -> None:
    assert run("diff", plan("diff_trust"), "-f", "xml") == (
        2,
        "",
        "iacguard: error: unknown --format xml (available: text, json, markdown, sarif)\n",
    )


def test_output_file_holds_what_stdout_would(tmp_path: Path) -> None:
    target = tmp_path / "diff.md"
    shown = run("diff", plan("diff_widened"), "-f", "markdown")
    written = run("diff", plan("diff_widened"), "-f", "markdown", "-o", str(target))
    assert (written[0], written[1]) == (shown[0], "")
    assert target.read_text() == shown[1]


def test_output_file_that_cannot_be_written_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "diff.txt"
    assert run("diff", plan("diff_trust"), "-o", str(target)) == (
        2,
        "",
        f"iacguard: error: cannot write {target}: No such file or directory\n",
    )


def test_a_plan_that_does_not_parse_exits_2_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "plan.json"
    broken.write_text('{"format_version": "1.2", "terraform_version": ')
    code, _, err = run("diff", str(broken))
    assert code == 2
    assert err == f"iacguard: error: {broken}: invalid JSON: Expecting value [IAM001]\n"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_sensitive_before_values_without_a_prior_state_never_appear(
    fmt: str, tmp_path: Path
) -> None:
    """A change's ``before`` is the before side when the plan has no prior state; its
    ``before_sensitive`` mask hides what it marks there as ``after_sensitive`` does."""
    from tests.robustness.test_no_secret_leaks import SECRETS, _plan

    document = _plan()
    document.pop("prior_state", None)
    changes = document["resource_changes"]
    assert isinstance(changes, list)
    for change in changes:
        change["change"]["before"] = change["change"]["after"]
        change["change"]["before_sensitive"] = change["change"].get("after_sensitive", False)
        change["change"]["actions"] = ["update"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    for args in (["diff", str(path), "-f", fmt], ["check", str(path), "--new-only", "-f", fmt]):
        code, out, err = run(*args)
        assert code in (0, 1), err
        for secret in SECRETS:
            assert secret not in out + err, (args, secret)
