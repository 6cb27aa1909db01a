"""Account authorization details (``aws iam get-account-authorization-details``) read into
the same graph as every other input: the AWS CLI's output and the API's (URL-encoded
documents, pages one after another) give the same findings; default versions only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iacguard.cli import app
from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.plugins import collect_checks, get_plugin_manager
from tests.conftest import ROOT

CASE = ROOT / "fixtures" / "account" / "authorization_details"
CLI_SHAPE = CASE / "account-authorization-details.json"
API_SHAPE = CASE / "api-pages.json"
ACCOUNT = "arn:aws:iam::111122223333"


def _scan(path: Path) -> ScanResult:
    registry, problems = collect_checks(get_plugin_manager(load_entrypoints=False))
    assert not problems
    return scan([path], registry, ScanOptions())


def _found(path: Path) -> set[tuple[str, str, str]]:
    return {(f.rule_id, f.address, f.message) for f in _scan(path).findings}


def test_both_shapes_give_the_same_findings() -> None:
    assert _found(API_SHAPE) == _found(CLI_SHAPE)


def test_who_is_privileged_and_why() -> None:
    found = {(rule, address) for rule, address, _ in _found(CLI_SHAPE)}
    assert {
        ("IAM301", f"{ACCOUNT}:group/admins"),
        ("IAM301", f"{ACCOUNT}:role/deploy-admin"),
        ("IAM301", f"{ACCOUNT}:policy/legacy-admin"),
        ("IAM306", f"{ACCOUNT}:user/bob"),
        ("IAM306", f"{ACCOUNT}:user/engineers/carol"),
        ("IAM306", f"{ACCOUNT}:role/ci"),
        ("IAM202", f"{ACCOUNT}:user/bob"),
    } <= found
    # v1 of assume-ci grants '*' on '*' but is not the default version
    assert ("IAM301", f"{ACCOUNT}:policy/assume-ci") not in found
    # dave's boundary keeps him out of everything but S3 reads
    assert {rule for rule, address in found if address == f"{ACCOUNT}:user/dave"} == set()


def test_access_names_the_chain_through_two_roles() -> None:
    result = CliRunner().invoke(app, ["access", str(CLI_SHAPE)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert (
        f"  PRIVILEGED user '{ACCOUNT}:user/engineers/carol' [MFA enforced: no]: can assume "
        "carol → role/ci → role/deploy-admin, which has '*' on '*' from AWS-managed policy "
        "'AdministratorAccess'"
    ) in lines
    assert (
        f"  ADMIN      role '{ACCOUNT}:role/service-role/app-lambda': '*' on '*' from policy "
        "'legacy-admin'"
    ) in lines
    # the export records no login profile: console access is not known from it
    console = [line for line in lines if line.startswith("  console access:")]
    assert console
    assert set(console) == {
        "  console access: not recorded in authorization details (the credential report "
        "has it); MFA enforced: no"
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"UserDetailList": []}{"RoleDetailList": [',
            "authorization details: a page is not valid JSON",
        ),
    ],
    ids=["truncated-second-page"],
)
def test_broken_pages_are_one_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "auth.json"
    path.write_text(text)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr.strip().endswith(f"auth.json: {message} [IAM001]")


@pytest.mark.parametrize(
    "page",
    [
        {"UserDetailList": "users", "RoleDetailList": [1, None, {"RoleName": "no-arn"}]},
        {"RoleDetailList": [{"Arn": f"{ACCOUNT}:role/r", "AssumeRolePolicyDocument": "%7Bnot"}]},
        {"UserDetailList": [{"Arn": f"{ACCOUNT}:user/u", "GroupList": [1, "missing"]}]},
        {"GroupDetailList": [], "Policies": [{"Arn": 5}, {"Arn": f"{ACCOUNT}:policy/p"}]},
    ],
    ids=["wrong-types", "bad-trust", "unknown-group", "policies-without-versions"],
)
def test_odd_snapshots_scan_without_crashing(tmp_path: Path, page: dict[str, object]) -> None:
    path = tmp_path / "auth.json"
    path.write_text(json.dumps(page))
    result = _scan(path)
    assert result.complete
    assert all(d.code != "IAM001" for d in result.diagnostics)
