"""A change scanned with ``--account``: what it names but does not define comes from the
account's authorization details; account principals that gain from the change are
reported at the change's element that causes it; nothing of the account's own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iacguard.account_context import in_context, read_account
from iacguard.cli import app
from iacguard.engine import ScanOptions, ScanResult, scan
from iacguard.graph import GraphBuilder
from iacguard.model import Location, Origin, Principal, PrincipalKind, SourceKind
from iacguard.plugins import collect_checks, get_plugin_manager
from tests.conftest import FIXTURES

PLAN = FIXTURES / "terraform" / "account_context" / "plan.json"
CFN = FIXTURES / "cloudformation" / "account_stack" / "template.yaml"
ACCOUNT = FIXTURES / "account" / "authorization_details" / "account-authorization-details.json"
DAVE = "arn:aws:iam::111122223333:user/dave"
REPORTING = "arn:aws:iam::111122223333:role/reporting"


def _scan(account: Path | None) -> ScanResult:
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    graph = None if account is None else read_account(account)
    return scan([PLAN], registry, ScanOptions(account=graph))


def _found(result: ScanResult) -> set[tuple[str, str, int | None]]:
    return {(f.rule_id, f.address, f.location.line) for f in result.findings}


def test_alone_the_change_says_its_context_is_missing() -> None:
    result = _scan(None)
    assert _found(result) == {
        ("IAM309", "aws_iam_role_policy_attachment.reporting_iam", 25),
        ("IAM404", "aws_iam_role.breakglass", 31),
        ("IAM301", "aws_iam_role_policy_attachment.breakglass_admin", 43),
    }
    [note] = [d.message for d in result.diagnostics]
    assert note.endswith(
        "plan.json: gives access to 2 principal(s) it does not define (role 'reporting', "
        f"'{DAVE}'); what they gain is judged only with --account (the account's "
        "authorization details)"
    )


def test_with_the_account_the_principals_that_gain_are_named_at_the_cause() -> None:
    result = _scan(ACCOUNT)
    assert _found(result) == {
        ("IAM306", "aws_iam_role_policy_attachment.reporting_iam", 25),
        ("IAM309", "aws_iam_role_policy_attachment.reporting_iam", 25),
        ("IAM204", "aws_iam_role.breakglass", 31),
        ("IAM306", "aws_iam_role.breakglass", 31),
        ("IAM404", "aws_iam_role.breakglass", 31),
        ("IAM301", "aws_iam_role_policy_attachment.breakglass_admin", 43),
    }
    messages = {f.message for f in result.findings if f.rule_id == "IAM306"}
    assert {m.split("': ")[0] + "'" for m in messages} == {
        f"account principal '{REPORTING}'",
        f"account principal '{DAVE}'",
    }
    assert result.diagnostics == ()


def test_an_account_role_the_change_defines_is_the_changes() -> None:
    origin = Origin(SourceKind.TERRAFORM_PLAN, "aws_iam_role.reporting", Location(Path("m.tf")))
    builder = GraphBuilder()
    builder.add_principal(
        Principal(PrincipalKind.ROLE, "aws_iam_role.reporting", "reporting", origin)
    )
    merged = in_context(builder.build(), read_account(ACCOUNT))
    roles = {p.address for p in merged.principals(PrincipalKind.ROLE)}
    assert "aws_iam_role.reporting" in roles
    assert REPORTING not in roles
    assert not merged.edges_to(REPORTING)


def test_account_must_be_authorization_details() -> None:
    result = CliRunner().invoke(app, ["check", str(PLAN), "--account", str(PLAN)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"iacguard: error: {PLAN}: --account takes the account's authorization details "
        "(aws iam get-account-authorization-details)\n"
    )


def _hcl_copy(tmp_path: Path) -> Path:
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "main.tf").write_bytes((PLAN.parent / "main.tf").read_bytes())
    return tmp_path / "root"


@pytest.mark.parametrize(
    ("make", "attachment", "role"),
    [
        (
            lambda tmp: PLAN,
            "aws_iam_role_policy_attachment.reporting_iam",
            "aws_iam_role.breakglass",
        ),
        (_hcl_copy, "aws_iam_role_policy_attachment.reporting_iam", "aws_iam_role.breakglass"),
        (lambda tmp: CFN, "ReportingIam", "Breakglass"),
    ],
    ids=["plan", "hcl", "cloudformation"],
)
def test_every_input_format_reads_the_account(
    tmp_path: Path, make: Callable[[Path], Path], attachment: str, role: str
) -> None:
    registry, _ = collect_checks(get_plugin_manager(load_entrypoints=False))
    options = ScanOptions(account=read_account(ACCOUNT))
    result = scan([make(tmp_path)], registry, options)
    gains = {
        (f.rule_id, f.address, f.message.split("': ")[0])
        for f in result.findings
        if f.message.startswith("account principal")
    }
    assert gains == {
        ("IAM306", attachment, f"account principal '{REPORTING}"),
        ("IAM204", role, f"account principal '{DAVE}"),
        ("IAM306", role, f"account principal '{DAVE}"),
    }


def test_diff_reads_the_account_too() -> None:
    result = CliRunner().invoke(app, ["diff", str(PLAN), "--account", str(ACCOUNT)])
    assert result.exit_code == 1
    new = [line for line in result.stdout.splitlines() if "account principal" in line]
    assert [line.split(": account principal ")[0].split()[-1] for line in new] == [
        "aws_iam_role_policy_attachment.reporting_iam",
        "aws_iam_role.breakglass",
        "aws_iam_role.breakglass",
    ]
