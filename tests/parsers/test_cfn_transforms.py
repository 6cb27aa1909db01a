"""CloudFormation: ``Fn::ForEach`` loops expanded, other transforms reported, templates in
any YAML layout recognised (#13: valid input is read or the scan says it is not)."""

from __future__ import annotations

from pathlib import Path

import pytest

from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.parsers.cloudformation.template import looks_like_template
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.results import DiagnosticLevel
from tests.conftest import FIXTURES

ROLE = """\
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: p
          PolicyDocument:
            Statement: [{Effect: Allow, Action: "*", Resource: "*"}]
"""


def _scan(path: Path) -> ScanResult:
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    return scan([path], registry, ScanOptions())


def _found(result: ScanResult, rule: str = "IAM301") -> set[tuple[str, int | None]]:
    return {(f.address, f.location.line) for f in result.findings if f.rule_id == rule}


def _errors(result: ScanResult) -> list[str]:
    return [d.message for d in result.diagnostics if d.level is DiagnosticLevel.ERROR]


def _template(tmp_path: Path, text: str, name: str = "template.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# ---------------------------------------------------------------------- Fn::ForEach


def test_foreach_fixture_findings_at_the_loop_template() -> None:
    result = _scan(FIXTURES / "cloudformation" / "foreach")
    assert result.complete
    assert _found(result) == {("DataAdminRole", 34), ("PlatformAdminRole", 34)}
    assert _found(result, "IAM302") == {
        ("Devs3Policy", 69),
        ("DevlogsPolicy", 69),
        ("Prods3Policy", 69),
        ("ProdlogsPolicy", 69),
    }
    # near miss: the bucket readers are scoped to their bucket
    assert not {f for f in result.findings if "Reader" in f.address}


def test_foreach_substitutes_keys_refs_and_sub_strings(tmp_path: Path) -> None:
    text = (
        "Transform: AWS::LanguageExtensions\nResources:\n"
        "  Fn::ForEach::Policies:\n    - Name\n    - [my-app, other.app]\n"
        "    - '&{Name}Policy':\n        Type: AWS::IAM::ManagedPolicy\n        Properties:\n"
        "          Description: {Ref: Name}\n          ManagedPolicyName: !Sub 'p-${Name}'\n"
        "          PolicyDocument:\n            Statement:\n"
        "              - {Effect: Allow, Action: '*', Resource: '*'}\n"
    )
    from iacguard.parsers.cloudformation._transforms import expand_loops
    from iacguard.parsers.cloudformation.template import _decode

    path = _template(tmp_path, text)
    decoded, positions = _decode(path, text)
    template, errors = expand_loops(decoded, positions, path, path)  # type: ignore[arg-type]
    assert errors == []
    resources = template["Resources"]
    assert list(resources) == ["myappPolicy", "otherappPolicy"]
    assert resources["myappPolicy"]["Properties"]["Description"] == "my-app"
    assert resources["otherappPolicy"]["Properties"]["ManagedPolicyName"] == {
        "Fn::Sub": "p-other.app"
    }
    assert positions[("Resources", "myappPolicy")] == (6, 7)
    assert _found(_scan(path)) == {("myappPolicy", 13), ("otherappPolicy", 13)}  # the statement


def test_foreach_over_a_parameter_without_default_is_reported(tmp_path: Path) -> None:
    text = (
        "Transform: AWS::LanguageExtensions\nParameters:\n  Teams: {Type: CommaDelimitedList}\n"
        "Resources:\n  Fn::ForEach::Roles:\n    - T\n    - !Ref Teams\n    - ${T}Role:\n"
        + ROLE.replace("    ", "        ", 1).replace("\n    ", "\n        ")
    )
    path = _template(tmp_path, text)
    result = _scan(path)
    assert _errors(result) == [
        f"{result.inputs[0].display}:5: Fn::ForEach::Roles not expanded: parameter 'Teams' has "
        "no default, so what it makes is known only at deploy and not scanned"
    ]
    assert not result.complete


@pytest.mark.parametrize(
    ("loop", "message"),
    [
        ("[T, [a], {X: {Type: AWS::IAM::User}}, extra]", "must be [Identifier, Collection"),
        ("[T, [a, b], {Same: {Type: AWS::IAM::User}}]", "makes the key 'Same' twice"),
    ],
)
def test_malformed_loops_are_parse_errors(tmp_path: Path, loop: str, message: str) -> None:
    path = _template(tmp_path, f"Resources:\n  Fn::ForEach::L: {loop}\n")
    [error] = _errors(_scan(path))
    assert message in error


def test_nested_loops_are_bounded(tmp_path: Path) -> None:
    items = "[" + ", ".join(f"v{i}" for i in range(100)) + "]"
    text = (
        "Resources:\n  Fn::ForEach::A:\n    - A\n    - " + items + "\n"
        "    - Fn::ForEach::B:\n        - B\n        - " + items + "\n"
        "        - Fn::ForEach::C:\n            - C\n            - " + items + "\n"
        "            - ${A}${B}${C}: {Type: AWS::IAM::User}\n"
    )
    [error] = _errors(_scan(_template(tmp_path, text)))
    assert "Fn::ForEach loops generate too many nodes" in error


# ---------------------------------------------------------------------- transforms


@pytest.mark.parametrize(
    ("transform", "unexpanded"),
    [
        ("AWS::Serverless-2016-10-31", None),
        ("[AWS::LanguageExtensions, AWS::Serverless-2016-10-31]", None),
        ("MyMacro", "MyMacro"),
        ("{Name: AWS::Include, Parameters: {Location: s3://b/k}}", "AWS::Include"),
    ],
)
def test_unknown_transforms_make_the_scan_incomplete(
    tmp_path: Path, transform: str, unexpanded: str | None
) -> None:
    path = _template(tmp_path, f"Transform: {transform}\nResources:\n  R:\n{ROLE}")
    result = _scan(path)
    display = result.inputs[0].display
    message = (
        f"{display}:1: transform {unexpanded!r} is not expanded: what it adds or changes is "
        "not scanned"
    )
    assert _errors(result) == ([message] if unexpanded else [])
    assert _found(result) == {("R", 12)}  # the rest is still scanned (at the statement)


def test_fn_transform_is_reported_where_it_is(tmp_path: Path) -> None:
    text = (
        "Resources:\n  R:\n" + ROLE + "  B:\n    Type: AWS::S3::Bucket\n    Properties:\n"
        "      Fn::Transform: {Name: AWS::Include, Parameters: {Location: s3://b/k}}\n"
    )
    result = _scan(_template(tmp_path, text))
    [error] = _errors(result)
    assert error.endswith(
        "template.yaml:15: Fn::Transform is not expanded: what it adds or changes is not scanned"
    )


# ---------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            '{AWSTemplateFormatVersion: "2010-09-09", Resources: {R: {Type: AWS::IAM::Role, '
            "Properties: {AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: "
            "{Service: ec2.amazonaws.com}, Action: sts:AssumeRole}]}, Policies: [{PolicyName: p, "
            'PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}]}}}}\n',
            id="flow-style",
        ),
        pytest.param(
            "# indented as a whole\n---\n  AWSTemplateFormatVersion: '2010-09-09'\n"
            "  Resources:\n    R:\n"
            + ROLE.replace("\n", "\n  ").replace("    Type", "      Type", 1),
            id="indented",
        ),
        pytest.param("'Resources':\n  R:\n" + ROLE, id="quoted-key"),
    ],
)
def test_templates_in_any_layout_are_found_in_a_directory(tmp_path: Path, text: str) -> None:
    _template(tmp_path, text, "stack.yml")
    result = _scan(tmp_path)
    assert [i.path.name for i in result.inputs] == ["stack.yml"]
    assert {address for address, _ in _found(result)} == {"R"}


@pytest.mark.parametrize(
    "text",
    [
        "resources:\n  Resources:\n    R: {Type: AWS::IAM::Role}\n",  # nested, not top-level
        "jobs:\n  build:\n    runs-on: ubuntu-latest\n",
        "a:\n  b: 1\n  Resources: 2\n",
    ],
)
def test_yaml_with_a_nested_resources_key_is_not_a_template(text: str) -> None:
    assert not looks_like_template(Path("x.yaml"), text)
