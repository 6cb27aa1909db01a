"""IAM401-IAM403: trust policies, on the fixture plans and on small hand-built graphs."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from iacguard.analysis.conditions import restricts_caller
from iacguard.analysis.trust import (
    allows_assume,
    github_sub_scoped,
    matches_any_repository,
    oidc_provider,
)
from iacguard.catalog import default_catalog
from iacguard.checks.trust import (
    trust_any_principal,
    trust_unscoped_web_identity,
    trust_whole_account,
)
from iacguard.engine import ScanOptions, scan
from iacguard.graph import Graph, GraphBuilder
from iacguard.model import (
    Condition,
    EdgeKind,
    Location,
    Origin,
    Policy,
    PolicyDocument,
    PolicyKind,
    Principal,
    PrincipalKind,
    RawValue,
    SourceKind,
    Statement,
    Unknown,
)
from iacguard.parsers._policy_document import parse_policy
from iacguard.plugins import collect_checks, get_plugin_manager
from iacguard.registry import Check, CheckContext, Settings
from iacguard.results import Hit
from tests.conftest import addresses, found_plan_alone

ROLE = "aws_iam_role.r"
GITHUB = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
GITHUB_SUB = "token.actions.githubusercontent.com:sub"
EKS = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"


def _origin() -> Origin:
    return Origin(SourceKind.TERRAFORM_PLAN, ROLE, Location(PurePosixPath("plan.json")))


def trust_graph(*statements: RawValue) -> Graph:
    """A graph of one role whose trust policy holds *statements*."""
    builder = GraphBuilder()
    origin = _origin()
    builder.add_principal(Principal(PrincipalKind.ROLE, ROLE, "r", origin))
    raw: RawValue = {"Version": "2012-10-17", "Statement": statements}
    document = parse_policy(raw, origin.at("assume_role_policy"))
    policy_id = f"{ROLE}#assume_role_policy"
    builder.add_policy(Policy(policy_id, PolicyKind.TRUST, None, document, origin))
    builder.link(policy_id, ROLE, EdgeKind.TRUSTS, origin, "trust policy")
    return builder.build()


def run(check: Check, graph: Graph, *trusted: str) -> list[Hit]:
    context = CheckContext(graph, default_catalog(), Settings(frozenset(trusted)))
    return list(check.run(context))


def statement(**raw: RawValue) -> Statement:
    """One parsed statement: ``statement(Principal="*", Action="sts:AssumeRole")``."""
    document = parse_policy({"Statement": ({"Effect": "Allow", **raw},)}, _origin())
    assert isinstance(document, PolicyDocument)
    return document.statements[0]


def assume(principal: RawValue, condition: RawValue = None, **extra: RawValue) -> RawValue:
    raw: dict[str, RawValue] = {"Effect": "Allow", "Principal": principal}
    raw["Action"] = "sts:AssumeRole"
    if condition is not None:
        raw["Condition"] = condition
    return {**raw, **extra}


# ----------------------------------------------------------------------------- fixtures


def test_iam401_on_fixture_plan() -> None:
    assert addresses("trust", "IAM401") == {
        "aws_iam_role.iam401_any_principal",
        "aws_iam_role.iam401_any_aws_principal",
    }


def test_iam402_on_fixture_plan() -> None:
    assert addresses("trust", "IAM402") == {
        "aws_iam_role.iam402_account_root",
        "aws_iam_role.iam402_bare_account_id",
    }


def test_iam403_on_fixture_plan() -> None:
    assert addresses("trust", "IAM403") == {
        "aws_iam_role.iam403_github_no_sub",
        "aws_iam_role.iam403_github_any_repo",
        "aws_iam_role.iam403_github_star_sub",
        "aws_iam_role.iam403_eks_no_condition",
    }


@pytest.mark.parametrize("case", ["clean", "unknowns"])
@pytest.mark.parametrize("rule", ["IAM401", "IAM402", "IAM403"])
def test_trust_rules_silent_on_near_miss_cases(case: str, rule: str, tmp_path: Path) -> None:
    # the plan alone: its unknown trust policies stay unknown
    assert {a for _, a in found_plan_alone(case, tmp_path, rule)} == set()


def test_literal_star_in_a_partly_known_principal_list_fires() -> None:
    # Principal {AWS = ["*", aws_iam_role.deployer.arn]}, read from the plan's source
    assert addresses("unknowns", "IAM401") == {"aws_iam_role.unknown_trust"}
    assert addresses("unknowns", "IAM402") == addresses("unknowns", "IAM403") == set()


# ------------------------------------------------------------------- restricting conditions


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        pytest.param(None, False, id="no-condition"),
        pytest.param({"StringEquals": {"aws:PrincipalOrgID": "o-1"}}, True, id="org-id"),
        pytest.param({"StringEquals": {"AWS:principalorgid": "o-1"}}, True, id="key-case"),
        pytest.param({"StringLike": {"aws:PrincipalOrgPaths": "o-1/r-2/*"}}, True, id="org-paths"),
        pytest.param({"StringEquals": {"aws:PrincipalAccount": "1"}}, True, id="account"),
        pytest.param({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::1:role/x"}}, True, id="arn"),
        pytest.param({"ArnEquals": {"aws:SourceArn": "arn:aws:sns:x"}}, True, id="source-arn"),
        pytest.param({"StringEquals": {"aws:SourceVpce": "vpce-1"}}, True, id="vpce"),
        pytest.param({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, True, id="source-ip"),
        pytest.param({"StringLike": {"aws:userid": "AROAEXAMPLEID1:*"}}, True, id="userid"),
        pytest.param({"StringLike": {"aws:userid": "AROA*:alice"}}, False, id="userid-of-any-role"),
        pytest.param(
            {"ForAnyValue:StringEquals": {"aws:SourceOrgID": "o-1"}}, True, id="for-any-value"
        ),
        pytest.param({"StringEqualsIfExists": {"aws:SourceAccount": "1"}}, False, id="if-exists"),
        pytest.param({"StringLike": {"aws:PrincipalOrgID": "*"}}, False, id="wildcard-value"),
        pytest.param({"StringLike": {"aws:PrincipalOrgID": "*?*"}}, False, id="only-wildcards"),
        pytest.param(
            {"StringLike": {"aws:PrincipalOrgID": ("o-1", "*")}}, False, id="one-value-wildcard"
        ),
        pytest.param({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, False, id="any-ip"),
        pytest.param({"StringNotEquals": {"aws:PrincipalOrgID": "o-1"}}, False, id="not-equals"),
        pytest.param({"Null": {"aws:PrincipalOrgID": "false"}}, False, id="null"),
        pytest.param(
            {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-1"}}, False, id="for-all"
        ),
        pytest.param({"Bool": {"aws:SecureTransport": "true"}}, False, id="other-key"),
        pytest.param({"StringEquals": {"sts:ExternalId": "x"}}, False, id="external-id"),
        pytest.param(
            {"StringEquals": {"aws:PrincipalOrgID": Unknown("org.id")}}, None, id="unknown-value"
        ),
        pytest.param(
            {
                "StringEquals": {
                    "aws:PrincipalOrgID": Unknown("org.id"),
                    "aws:SourceAccount": "1",
                }
            },
            True,
            id="unknown-and-known",
        ),
        pytest.param({"StringEquals": Unknown("c")}, None, id="unknown-clause"),
        pytest.param(Unknown("c"), None, id="unknown-block"),
    ],
)
def test_restricting_condition(condition: RawValue, expected: bool | None) -> None:
    raw: dict[str, RawValue] = {"Principal": "*", "Action": "sts:AssumeRole"}
    if condition is not None:
        raw["Condition"] = condition
    assert restricts_caller(statement(**raw).conditions) is expected


# ----------------------------------------------------------------------------- IAM401


@pytest.mark.parametrize(
    ("raw", "fires"),
    [
        pytest.param(assume("*"), True, id="star"),
        pytest.param(assume({"AWS": "*"}), True, id="aws-star"),
        pytest.param(assume({"AWS": ("*", "arn:aws:iam::1:root")}), True, id="star-in-list"),
        pytest.param(assume({"AWS": ("*", Unknown("arn"))}), True, id="star-and-unknown"),
        pytest.param(assume("*", Action="sts:*"), True, id="sts-wildcard"),
        pytest.param(assume("*", Action="*"), True, id="any-action"),
        pytest.param(assume("*", Action="STS:assumerole"), True, id="action-case"),
        pytest.param(assume("*", Action="sts:AssumeRoleWithSAML"), True, id="saml-action"),
        pytest.param(assume("*", Action="sts:TagSession"), False, id="tag-session-only"),
        pytest.param(assume("*", Action=Unknown("a")), False, id="unknown-action"),
        pytest.param(assume("*", Effect="Deny"), False, id="deny"),
        pytest.param(assume({"Service": "ec2.amazonaws.com"}), False, id="service"),
        pytest.param(assume({"AWS": Unknown("arn")}), False, id="unknown-principal"),
        pytest.param(assume("*", {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}), False, id="org"),
        pytest.param(
            assume("*", {"StringEquals": {"aws:PrincipalOrgID": Unknown("o")}}),
            False,
            id="unknown-condition",
        ),
        pytest.param(
            {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "sts:*"},
            True,
            id="allow-not-principal",
        ),
    ],
)
def test_iam401_cases(raw: RawValue, fires: bool) -> None:
    assert bool(run(trust_any_principal, trust_graph(raw))) is fires


def test_iam401_reports_role_with_statement_pointer() -> None:
    graph = trust_graph(assume({"Service": "ec2.amazonaws.com"}), assume("*"))
    [hit] = run(trust_any_principal, graph)
    assert hit.origin.address == ROLE
    assert hit.pointer == ("assume_role_policy", "Statement", 1)
    assert hit.message == f"role '{ROLE}' trusts any AWS principal ('*')"


@pytest.mark.parametrize(
    ("actions", "expected"),
    [
        pytest.param({"Action": "sts:AssumeRole"}, True, id="exact"),
        pytest.param({"Action": "sts:Assume*"}, True, id="prefix"),
        pytest.param({"Action": ("sts:TagSession", "sts:SetSourceIdentity")}, False, id="no"),
        pytest.param({"NotAction": "s3:*"}, True, id="not-action-other"),
        pytest.param({"NotAction": "sts:*"}, False, id="not-action-sts"),
        pytest.param({"Action": ("sts:TagSession", Unknown("a"))}, None, id="unknown"),
    ],
)
def test_allows_assume(actions: dict[str, RawValue], expected: bool | None) -> None:
    assert allows_assume(statement(Principal="*", **actions)) is expected


# ----------------------------------------------------------------------------- IAM402


@pytest.mark.parametrize(
    ("raw", "fires"),
    [
        pytest.param(assume({"AWS": "arn:aws:iam::111122223333:root"}), True, id="root-arn"),
        pytest.param(assume({"AWS": "111122223333"}), True, id="bare-id"),
        pytest.param(assume({"AWS": "arn:aws-cn:iam::111122223333:root"}), True, id="china"),
        pytest.param(
            assume({"AWS": "arn:aws:iam::111122223333:role/deployer"}), False, id="role-arn"
        ),
        pytest.param(assume({"AWS": "arn:aws:iam::111122223333:user/alice"}), False, id="user-arn"),
        pytest.param(assume({"Service": "111122223333"}), False, id="not-aws-kind"),
        pytest.param(
            assume({"AWS": "111122223333"}, {"StringEquals": {"sts:ExternalId": "x"}}),
            False,
            id="external-id",
        ),
        pytest.param(
            assume({"AWS": "111122223333"}, {"Bool": {"aws:MultiFactorAuthPresent": "true"}}),
            False,
            id="mfa",
        ),
        pytest.param(
            assume({"AWS": "111122223333"}, {"Bool": {"aws:MultiFactorAuthPresent": True}}),
            False,
            id="mfa-json-bool",
        ),
        pytest.param(
            assume({"AWS": "111122223333"}, {"Bool": {"aws:MultiFactorAuthPresent": "false"}}),
            True,
            id="mfa-false",
        ),
        pytest.param(
            assume(
                {"AWS": "111122223333"}, {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}
            ),
            True,
            id="mfa-if-exists",
        ),
        pytest.param(
            assume({"AWS": "111122223333"}, {"ArnLike": {"aws:PrincipalArn": "arn:x:role/ci"}}),
            False,
            id="principal-arn",
        ),
        pytest.param(
            assume({"AWS": "111122223333"}, {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}),
            False,
            id="org-id",
        ),
        pytest.param(
            assume({"AWS": "111122223333"}, {"StringLike": {"sts:ExternalId": "*"}}),
            True,
            id="wildcard-external-id",
        ),
        pytest.param(
            assume({"AWS": "111122223333"}, {"StringEquals": {"sts:ExternalId": Unknown("x")}}),
            False,
            id="unknown-external-id",
        ),
        pytest.param(
            assume({"AWS": "111122223333"}, Action="sts:TagSession"), False, id="tag-session"
        ),
    ],
)
def test_iam402_cases(raw: RawValue, fires: bool) -> None:
    assert bool(run(trust_whole_account, trust_graph(raw))) is fires


def test_iam402_trusted_accounts_are_silent() -> None:
    graph = trust_graph(assume({"AWS": ("111122223333", "arn:aws:iam::444455556666:root")}))
    [hit] = run(trust_whole_account, graph, "111122223333")
    assert "444455556666" in hit.message
    assert "111122223333" not in hit.message
    assert run(trust_whole_account, graph, "111122223333", "444455556666") == []


# ----------------------------------------------------------------------------- IAM403


@pytest.mark.parametrize(
    ("pattern", "any_repo"),
    [
        pytest.param("*", True, id="star"),
        pytest.param("repo:*", True, id="repo-star"),
        pytest.param("repo:*/*", True, id="repo-star-slash-star"),
        pytest.param("repo:*:*", True, id="repo-star-colon-star"),
        pytest.param("repo:*/app:ref:refs/heads/main", True, id="any-owner"),
        pytest.param("repo:acme*/app:*", True, id="owner-prefix"),
        pytest.param("repo:?cme/app", True, id="owner-single-char"),
        pytest.param("*:ref:refs/heads/main", True, id="leading-star"),
        pytest.param("repo:acme/*", False, id="one-owner"),
        pytest.param("repo:acme/app:*", False, id="one-repo"),
        pytest.param("repo:acme/app:ref:refs/heads/main", False, id="exact"),
        pytest.param("repo:acme/app:environment:prod", False, id="environment"),
    ],
)
def test_matches_any_repository(pattern: str, any_repo: bool) -> None:
    assert matches_any_repository(pattern) is any_repo


@pytest.mark.parametrize(
    ("operator", "values", "scoped"),
    [
        pytest.param("StringEquals", ("repo:acme/app:ref:refs/heads/main",), True, id="exact"),
        pytest.param("StringEquals", ("repo:acme/a:*", "repo:acme/b:*"), True, id="equals-literal"),
        pytest.param("StringLike", ("repo:acme/*",), True, id="one-owner"),
        pytest.param("ForAnyValue:StringLike", ("repo:acme/*",), True, id="for-any-value"),
        pytest.param("StringLike", ("repo:acme/*", "repo:*"), False, id="one-broad-value"),
        pytest.param("StringLike", ("repo:*",), False, id="repo-star"),
        pytest.param("StringEquals", ("*",), False, id="equals-star"),
        pytest.param("StringNotLike", ("repo:evil/*",), False, id="negative"),
        pytest.param("StringLike", (Unknown("sub"),), None, id="unknown"),
    ],
)
def test_github_sub_scoped(operator: str, values: tuple[str, ...], scoped: bool | None) -> None:
    assert github_sub_scoped(Condition(operator, GITHUB_SUB, values)) is scoped


def web_identity(federated: str, condition: RawValue = None) -> RawValue:
    return assume({"Federated": federated}, condition, Action="sts:AssumeRoleWithWebIdentity")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(
            web_identity(GITHUB),
            "trusts GitHub Actions OIDC without a 'token.actions.githubusercontent.com:sub' "
            "condition",
            id="github-no-condition",
        ),
        pytest.param(
            web_identity(GITHUB, {"StringLike": {GITHUB_SUB: "repo:*/*"}}),
            "trusts GitHub Actions OIDC for any repository ('repo:*/*')",
            id="github-any-repo",
        ),
        pytest.param(
            web_identity(GITHUB, {"StringNotLike": {GITHUB_SUB: "repo:evil/*"}}),
            "trusts GitHub Actions OIDC without a 'token.actions.githubusercontent.com:sub' "
            "condition",
            id="github-negative-only",
        ),
        pytest.param(
            web_identity(EKS),
            "trusts OIDC provider 'oidc.eks.us-east-1.amazonaws.com/id/ABC' without a ':sub' or "
            "':aud' condition",
            id="eks-no-condition",
        ),
        pytest.param(
            web_identity("cognito-identity.amazonaws.com"),
            "trusts OIDC provider 'cognito-identity.amazonaws.com' without a ':sub' or ':aud' "
            "condition",
            id="cognito-bare-name",
        ),
    ],
)
def test_iam403_fires(raw: RawValue, message: str) -> None:
    [hit] = run(trust_unscoped_web_identity, trust_graph(raw))
    assert hit.message == f"role '{ROLE}' {message}"
    assert hit.pointer == ("assume_role_policy", "Statement", 0)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(
            web_identity(
                GITHUB, {"StringEquals": {GITHUB_SUB: "repo:acme/app:ref:refs/heads/main"}}
            ),
            id="github-exact",
        ),
        pytest.param(
            web_identity(GITHUB, {"StringLike": {GITHUB_SUB: "repo:acme/*"}}), id="github-one-owner"
        ),
        pytest.param(
            web_identity(
                GITHUB,
                {"StringLike": {GITHUB_SUB: "repo:*"}, "StringEquals": {GITHUB_SUB: "repo:acme/a"}},
            ),
            id="github-broad-and-exact",
        ),
        pytest.param(
            web_identity(GITHUB, {"StringLike": {GITHUB_SUB: Unknown("sub")}}), id="github-unknown"
        ),
        pytest.param(
            web_identity(
                GITHUB, {"StringLike": {"TOKEN.actions.githubusercontent.com:SUB": "repo:acme/*"}}
            ),
            id="github-key-case",
        ),
        pytest.param(
            web_identity(
                EKS, {"StringEquals": {"oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "x"}}
            ),
            id="eks-sub",
        ),
        pytest.param(
            web_identity(
                "cognito-identity.amazonaws.com",
                {"StringEquals": {"cognito-identity.amazonaws.com:aud": "us-east-1:pool"}},
            ),
            id="cognito-aud",
        ),
        pytest.param(web_identity(EKS, Unknown("c")), id="eks-unknown-condition"),
        pytest.param(
            assume({"Federated": "arn:aws:iam::1:saml-provider/okta"}, Action="sts:*"), id="saml"
        ),
        pytest.param(assume({"Federated": GITHUB}), id="not-web-identity-action"),
        pytest.param(
            assume({"Federated": GITHUB}, Action="sts:AssumeRoleWithWebIdentity", Effect="Deny"),
            id="deny",
        ),
        pytest.param(
            assume({"Federated": Unknown("provider")}, Action="sts:AssumeRoleWithWebIdentity"),
            id="unknown-provider",
        ),
    ],
)
def test_iam403_silent(raw: RawValue) -> None:
    assert run(trust_unscoped_web_identity, trust_graph(raw)) == []


@pytest.mark.parametrize(
    ("federated", "provider"),
    [
        pytest.param(GITHUB, "token.actions.githubusercontent.com", id="github-arn"),
        pytest.param(EKS, "oidc.eks.us-east-1.amazonaws.com/id/ABC", id="eks-arn"),
        pytest.param("accounts.google.com", "accounts.google.com", id="bare-name"),
        pytest.param("arn:aws:iam::1:saml-provider/okta", None, id="saml"),
    ],
)
def test_oidc_provider(federated: str, provider: str | None) -> None:
    assert oidc_provider(federated) == provider


def test_iam403_one_finding_per_unscoped_provider_with_distinct_fingerprints(
    tmp_path: Path,
) -> None:
    (tmp_path / "main.tf").write_text(
        """
resource "aws_iam_role" "ci" {
  name = "ci"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = [
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
      ] }
    }]
  })
}
"""
    )
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    findings = [
        f for f in scan([tmp_path], registry, ScanOptions()).findings if f.rule_id == "IAM403"
    ]
    assert len(findings) == 2
    assert len({f.fingerprint for f in findings}) == 2
