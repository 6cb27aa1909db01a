"""CloudFormation templates: decoding, intrinsics, the graph, lines, errors, detection."""

from __future__ import annotations

from datetime import date
from pathlib import Path, PurePosixPath

import pytest
from typer.testing import CliRunner

from iacguard.cli import ExitCode, app
from iacguard.errors import ParseError, UnsupportedInputError
from iacguard.model import EdgeKind, PolicyDocument, PolicyKind, Unknown
from iacguard.parsers import ParsedInput
from iacguard.parsers.cloudformation.template import looks_like_template, parse_template
from iacguard.results import Finding
from tests.conftest import FIXTURES, run_python_probe, scan_case

CFN = FIXTURES / "cloudformation"


def _first_statement_after(path: Path, resource: str) -> int:
    """The line of the first ``- Effect:``/``- Sid:`` list item after *resource*'s line."""
    lines = path.read_text().splitlines()
    start = _line_of(path, resource)
    for number, line in enumerate(lines[start:], start=start + 1):
        if line.strip().startswith(("- Effect:", "- Sid:")):
            return number
    raise AssertionError(f"no statement after {resource}")


def _line_of(path: Path, text: str) -> int:
    """1-based line of the first line of *path* that is exactly *text* (stripped)."""
    lines = path.read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.strip() == text)


def _findings(case: str, rule: str, address: str) -> list[Finding]:
    return [
        f
        for f in scan_case(case, "cloudformation").findings
        if f.rule_id == rule and f.address == address
    ]


def _parse(tmp_path: Path, text: str, name: str = "template.yaml") -> ParsedInput:
    path = tmp_path / name
    path.write_text(text)
    return parse_template(path, PurePosixPath(name), text)


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        pytest.param("t.yaml", "Resources:\n  A:\n    Type: X\n", True, id="yaml"),
        pytest.param("t.yml", "# c\nResources: {}\n", True, id="yml"),
        pytest.param("t.template", '{"Resources": {}}', True, id="template-json"),
        pytest.param("t.json", '{\n  "Resources": {"A": {}}\n}', True, id="json"),
        pytest.param("t.yaml", "jobs:\n  Resources: 1\n", False, id="nested-key"),
        pytest.param("ci.yml", "on: push\njobs: {}\n", False, id="workflow"),
        pytest.param("t.txt", "Resources:\n", False, id="suffix"),
    ],
)
def test_looks_like_template(name: str, text: str, expected: bool) -> None:
    assert looks_like_template(Path(name), text) is expected


def test_terraform_scan_does_not_import_cfn_lint() -> None:
    plan = FIXTURES / "terraform" / "admin_paths" / "plan.json"
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from iacguard.engine import ScanOptions, scan\n"
        "from iacguard.plugins import collect_checks, get_plugin_manager\n"
        "registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))\n"
        f"scan([Path({str(plan)!r})], registry, ScanOptions())\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('cfnlint'))))\n"
    )
    assert run_python_probe(code) == []


# --------------------------------------------------------------------------- cases peers get wrong


def test_second_statement_of_an_iam_policy_is_admin() -> None:
    template = CFN / "admin_paths" / "template.yaml"
    [finding] = _findings("admin_paths", "IAM301", "DeployEverything")
    assert finding.pointer == ("Properties", "PolicyDocument", "Statement", 1)
    assert finding.location.file.name == "template.yaml"
    # located at the offending statement, not just the resource
    assert finding.location.line == _line_of(template, "- Sid: DeployAnything")


def test_admin_managed_policy() -> None:
    template = CFN / "least_privilege" / "template.yaml"
    [finding] = _findings("least_privilege", "IAM301", "StarStarPolicy")
    assert finding.location.line == _first_statement_after(template, "StarStarPolicy:")


def test_trust_to_account_root_string() -> None:
    template = CFN / "trust" / "template.yaml"
    [finding] = _findings("trust", "IAM402", "AccountRoot")
    assert "123456789012" in finding.message
    assert finding.pointer == ("Properties", "AssumeRolePolicyDocument", "Statement", 0)
    assert finding.location.line == _first_statement_after(template, "AccountRoot:")


def test_access_key_secret_in_outputs() -> None:
    template = CFN / "credentials" / "template.yaml"
    [finding] = _findings("credentials", "IAM103", "Outputs.CiDeployerSecret")
    assert finding.location.line == _line_of(template, "CiDeployerSecret:")
    assert "CiDeployerKey" in finding.message
    assert not _findings("credentials", "IAM103", "Outputs.CiDeployerAccessKeyId")
    assert not _findings("credentials", "IAM103", "CiDeployerSecretStored")


@pytest.mark.parametrize(
    ("rule", "pointer"),
    [
        pytest.param("IAM301", ("Properties", "ManagedPolicyArns"), id="admin"),
        pytest.param("IAM201", (), id="direct-policy"),
        pytest.param("IAM205", ("Properties", "LoginProfile"), id="password-reset"),
    ],
)
def test_console_user_with_administrator_access(rule: str, pointer: tuple[str, ...]) -> None:
    template = CFN / "peer_cases" / "console_admin.yaml"
    [finding] = _findings("peer_cases", rule, "ConsoleAdmin")
    assert finding.pointer == pointer
    assert finding.location.line == _line_of(template, "ConsoleAdmin:")


# --------------------------------------------------------------------------- graph details


def test_statements_carry_their_own_line_and_condition() -> None:
    template = CFN / "admin_paths" / "template.yaml"
    text = template.read_text()
    graph = parse_template(template, PurePosixPath("t.yaml"), text).graph
    policy = graph.policy("DeployEverything")
    assert policy is not None
    assert isinstance(policy.document, PolicyDocument)
    lines = [s.origin.location.line for s in policy.document.statements]
    assert lines == [
        _line_of(template, "- Sid: ReadArtifacts"),
        _line_of(template, "- Sid: DeployAnything"),
    ]
    trust = CFN / "trust" / "template.yaml"
    graph = parse_template(trust, PurePosixPath("t.yaml"), trust.read_text()).graph
    conditional = graph.policy("ConditionalTrust#AssumeRolePolicyDocument")
    assert conditional is not None
    assert isinstance(conditional.document, PolicyDocument)
    assert conditional.document.statements[0].origin.condition == "IsProduction"


def test_links_through_ref_and_getatt() -> None:
    template = CFN / "users_groups" / "template.yaml"
    graph = parse_template(template, PurePosixPath("t.yaml"), template.read_text()).graph
    members = {(e.source, e.target) for e in graph.edges(EdgeKind.MEMBER_OF)}
    assert members == {("Bob", "Engineers"), ("Alice", "Analysts")}
    attached = {(e.source, e.target) for e in graph.edges(EdgeKind.ATTACHED)}
    assert ("ReportsRead", "Alice") in attached
    assert ("BuildLogsRead", "Bob") in attached
    inline = {(e.source, e.target) for e in graph.edges(EdgeKind.INLINE)}
    assert ("ReportBuilderWrite", "ReportBuilder") in inline
    assert ("Carol#Policies[0]", "Carol") in inline


def test_resource_condition_is_named_in_the_finding() -> None:
    [finding] = _findings("account", "IAM701", "LoggingDisabled")
    assert "InAuditAccount" in finding.message


_GITHUB_ARN = "arn:aws:iam::${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("!Sub arn:${AWS::Partition}:s3:::b/*", "arn:aws:s3:::b/*", id="sub-partition"),
        pytest.param(
            "!Sub arn:aws:iam::${AWS::AccountId}:root",
            "arn:aws:iam::${AWS::AccountId}:root",
            id="sub-own-account",
        ),
        pytest.param("!Ref AWS::Region", "${AWS::Region}", id="ref-region"),
        pytest.param("!Select [1, !Split [',', 'a,b,c']]", "b", id="select-split"),
        pytest.param("!Select [0, !Split [',', !Ref Bucket]]", Unknown, id="split-unknown"),
        pytest.param("!Sub 'arn:aws:s3:::${Name}/*'", "arn:aws:s3:::logs/*", id="param-default"),
        pytest.param("!Select [1, !Ref Names]", "b", id="list-param-default"),
        pytest.param("!Ref Secret", Unknown, id="no-echo-param"),
        pytest.param("!Ref Ssm", Unknown, id="ssm-param"),
        pytest.param("!Ref Required", Unknown, id="param-without-default"),
        pytest.param("!GetAtt Github.Arn", _GITHUB_ARN, id="oidc-provider-arn"),
        pytest.param("!Ref Github", _GITHUB_ARN, id="oidc-provider-ref"),
        pytest.param('!Join ["", [a, !Ref "AWS::URLSuffix"]]', "aamazonaws.com", id="join"),
        pytest.param("!Join [':', [a, !Ref Bucket]]", Unknown, id="join-unknown"),
        pytest.param("!Sub '${!Literal}-x'", "${Literal}-x", id="sub-escape"),
        pytest.param("!Select [1, [a, b]]", "b", id="select"),
        pytest.param("!FindInMap [Accounts, prod, Id]", "111122223333", id="find-in-map"),
        pytest.param("!ImportValue shared-arn", Unknown, id="import"),
        pytest.param("!GetAtt Bucket.Arn", Unknown, id="getatt"),
    ],
)
def test_intrinsics_resolve_or_stay_unknown(tmp_path: Path, value: str, expected: object) -> None:
    text = (
        "Parameters:\n  Name: {Type: String, Default: logs}\n"
        "  Names: {Type: CommaDelimitedList, Default: 'a, b'}\n"
        "  Secret: {Type: String, NoEcho: true, Default: s3cr3t}\n"
        "  Ssm: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /a/b}\n"
        "  Required: {Type: String}\n"
        "Mappings:\n  Accounts:\n    prod:\n      Id: '111122223333'\n"
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
        "  Github:\n    Type: AWS::IAM::OIDCProvider\n"
        "    Properties: {Url: 'https://token.actions.githubusercontent.com'}\n"
        "  Policy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n"
        "      Bucket: !Ref Bucket\n      PolicyDocument:\n        Statement:\n"
        "          - Effect: Allow\n            Principal: {AWS: '111122223333'}\n"
        f"            Action: s3:GetObject\n            Resource: {value}\n"
    )
    policy = _parse(tmp_path, text).graph.policy("Policy")
    assert policy is not None
    assert isinstance(policy.document, PolicyDocument)
    [resource] = policy.document.statements[0].resources
    if expected is Unknown:
        assert isinstance(resource, Unknown)
    else:
        assert resource == expected


def test_serverless_function_policies(tmp_path: Path) -> None:
    text = (
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n"
        "    Type: AWS::Serverless::Function\n    Properties:\n      Handler: a.b\n"
        "      Runtime: python3.12\n      CodeUri: s3://b/k.zip\n      Policies:\n"
        "        - AdministratorAccess\n        - Statement:\n            - Effect: Allow\n"
        "              Action: s3:*\n              Resource: '*'\n"
    )
    graph = _parse(tmp_path, text).graph
    assert graph.principal("FnRole") is not None
    attached = {e.source for e in graph.edges_to("FnRole", EdgeKind.ATTACHED)}
    assert attached == {"arn:aws:iam::aws:policy/AdministratorAccess"}
    assert [p.id for p in graph.policies(PolicyKind.INLINE)] == ["Fn#Policies[1]"]


def test_suppressions_from_metadata(tmp_path: Path) -> None:
    text = (
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Metadata:\n      iacguard:\n"
        "        ignore:\n          - id: IAM301\n            reason: break-glass policy\n"
        "            expires: 2031-01-31\n          - {id: [IAM302, IAM303], reason: legacy}\n"
        "    Properties:\n      PolicyDocument: {Statement: []}\n"
    )
    first, second = _parse(tmp_path, text).suppressions
    assert (first.rules, first.address, first.reason) == (("IAM301",), "P", "break-glass policy")
    assert first.expires == date(2031, 1, 31)
    assert first.kind == "cloudformation-metadata"
    assert first.location is not None
    assert first.location.line == 7
    assert second.rules == ("IAM302", "IAM303")
    assert second.expires is None


# --------------------------------------------------------------------------- bad input


_BOMB = (
    "".join(
        f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else 'x'}]\n"
        for prev, name in zip(["", "a", "b", "c", "d", "e", "f"], "abcdefg", strict=True)
    )
    + "Resources: {R: {Type: X, Properties: {A: *g}}}\n"
)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        pytest.param("Resources:\n  R: [\n", "did not find expected node content", 3, id="yaml"),
        pytest.param(
            "Resources:\n  R: !Foo bar\n", "unknown intrinsic function or tag 'Foo'", 2, id="tag"
        ),
        pytest.param("Resources:\n  R: 1\n  R: 2\n", "Duplicate found 'R'", 2, id="duplicate"),
        pytest.param(_BOMB, "YAML alias", None, id="alias-bomb"),
        pytest.param(
            "Resources:\n  R: !!python/object:os.system x\n",
            "could not determine a constructor",
            None,
            id="python-tag",
        ),
        pytest.param(
            "Resources:\n  R:\n    Metadata: {iacguard: {ignore: [{id: IAM301}]}}\n    Type: X\n",
            "needs a non-empty 'reason'",
            3,
            id="suppression",
        ),
    ],
)
def test_malformed_template(tmp_path: Path, text: str, message: str, line: int | None) -> None:
    with pytest.raises(ParseError) as caught:
        _parse(tmp_path, text)
    assert message in caught.value.message
    assert "\n" not in str(caught.value)
    if line is not None:
        assert caught.value.line == line


def test_yaml_that_is_not_a_template(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedInputError):
        _parse(tmp_path, "Resources: []\n")


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    return CliRunner()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Resources:\n  R: [\n", id="yaml"),
        pytest.param("Resources:\n  R: !Foo bar\n", id="tag"),
        pytest.param("Resources:\n  R: 1\n  R: 2\n", id="duplicate"),
        pytest.param(_BOMB, id="alias-bomb"),
    ],
)
def test_cli_malformed_template_exits_2_with_one_line(
    runner: CliRunner, tmp_path: Path, text: str
) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["check", str(path)], catch_exceptions=False)
    assert result.exit_code == ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.splitlines() if "template.yaml" in line]
    assert len(errors) == 1
    assert "Traceback" not in result.output + result.stderr


def test_cli_detects_templates_and_skips_other_yaml(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "ci.yml").write_text("on: push\njobs:\n  build: {runs-on: ubuntu-latest}\n")
    (tmp_path / "stack.yaml").write_text((CFN / "trust" / "template.yaml").read_text())
    (tmp_path / "values.yaml").write_text("Resources: [a, b]\n")
    result = runner.invoke(app, ["check", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == ExitCode.FINDINGS, result.stderr
    assert "AnyPrincipal" in result.stdout
    assert "skipped 2 files" in result.stderr
    verbose = runner.invoke(app, ["check", "-v", str(tmp_path)], catch_exceptions=False)
    assert "values.yaml" in verbose.stderr
    assert "ci.yml" in verbose.stderr
    single = runner.invoke(app, ["check", str(tmp_path / "stack.yaml")], catch_exceptions=False)
    assert single.exit_code == ExitCode.FINDINGS


_SUB_POLICY = (
    "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
    "  Policy:\n    Type: AWS::SNS::TopicPolicy\n    Properties:\n"
    "      Topics: [!Ref Topic]\n      PolicyDocument: !Sub '{0}'\n"
)


@pytest.mark.parametrize(
    ("document", "resource", "valid"),
    [
        pytest.param(
            '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish",'
            ' "Resource": "${Topic}"}]}',
            Unknown,
            True,
            id="unknown-string",
        ),
        pytest.param(
            '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sns:Publish",'
            ' "Resource": "arn:${AWS::Partition}:sns:${AWS::Region}:x:t"}]}',
            "arn:aws:sns:${AWS::Region}:x:t",
            True,
            id="known",
        ),
        pytest.param('{"Statement": ${Topic}}', None, False, id="not-json-stays-unknown"),
    ],
)
def test_policy_written_with_sub(
    tmp_path: Path, document: str, resource: object, valid: bool
) -> None:
    policy = _parse(tmp_path, _SUB_POLICY.replace("{0}", document)).graph.policy("Policy")
    assert policy is not None
    if not valid:  # unresolved outside a string: unknown, never reported as malformed
        assert isinstance(policy.document, Unknown)
        return
    assert isinstance(policy.document, PolicyDocument)
    assert not policy.document.problems
    [statement] = policy.document.statements
    assert statement.principals[0].value == "*"
    [value] = statement.resources
    assert isinstance(value, Unknown) if resource is Unknown else value == resource


def test_console_password_parameter_in_outputs_is_reported_not_printed(
    runner: CliRunner, tmp_path: Path
) -> None:
    secret = "Fixture-Passw0rd-not-real"
    text = (
        f"Parameters:\n  Pw:\n    Type: String\n    NoEcho: true\n    Default: {secret}\n"
        "Resources:\n  U:\n    Type: AWS::IAM::User\n    Properties:\n"
        "      LoginProfile: {Password: !Ref Pw, PasswordResetRequired: true}\n"
        "Outputs:\n  Shown:\n    Value: !Sub 'password: ${Pw}'\n"
        "  Name:\n    Value: !Ref U\n"
    )
    path = tmp_path / "template.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["check", str(path), "-f", "json"], catch_exceptions=False)
    assert secret not in result.output + result.stderr
    [reference] = _parse(tmp_path, text).graph.references
    assert (reference.origin.address, reference.target, reference.attribute) == (
        "Outputs.Shown",
        "U",
        "password",
    )
    assert reference.origin.location.line == 12
