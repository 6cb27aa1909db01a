"""IAM105-IAM108 and IAM207: credentials as the AWS credential report shows them.

These rules read only credential reports (``iacguard check credential-report.csv``);
ages are counted from the report's generation time, never from the scan's clock.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from iacguard.analysis.arn import account_of
from iacguard.hookspecs import hookimpl
from iacguard.model import CredentialReport, CredentialRow, Severity
from iacguard.registry import CheckContext, RegisterCheck, check
from iacguard.results import Hit


@check("IAM105", severity=Severity.CRITICAL, tags={"snapshot", "root", "credentials"})
def root_access_key(ctx: CheckContext) -> Iterator[Hit]:
    """The root user has an active access key.

    The root user can do anything in the account, and no policy limits it. An access key
    for it is a long-lived secret with that power; AWS recommends that the root user
    has none. Read from the credential report's ``<root_account>`` row. Example
    (columns abridged)::

        user,arn,mfa_active,access_key_1_active,access_key_2_active
        <root_account>,arn:aws:iam::111122223333:root,true,true,false

    Fix: delete the root user's access keys (IAM console, signed in as root: Security
    credentials); use IAM roles for automation.

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html
    """
    for _, row in _rows(ctx, root=True):
        active = [f"access key {key.number}" for key in row.keys if key.active]
        if active:
            yield Hit(
                row.origin, f"the root user of {_account(row)} has an active {' and '.join(active)}"
            )


@check("IAM106", severity=Severity.CRITICAL, tags={"snapshot", "root", "mfa"})
def root_without_mfa(ctx: CheckContext) -> Iterator[Hit]:
    """The root user has no MFA device.

    Whoever learns the root user's password controls the account; an MFA device is the
    second factor AWS asks for. Read from the credential report's ``<root_account>``
    row (``mfa_active`` false).

    Fix: sign in as the root user and assign an MFA device (a hardware key or passkey
    for accounts that matter).

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html
    """
    for _, row in _rows(ctx, root=True):
        if not row.mfa_active:
            yield Hit(row.origin, f"the root user of {_account(row)} has no MFA device")


@check("IAM107", severity=Severity.MEDIUM, tags={"snapshot", "credentials", "rotation"})
def stale_access_key(ctx: CheckContext) -> Iterator[Hit]:
    """An active access key was last rotated too long ago.

    A long-lived key that is never rotated stays valid wherever it was copied. An
    active key whose ``access_key_N_last_rotated`` is more than 90 days
    (``max-key-age-days``) before the report's generation time fires; a key rotated 89
    days before does not. The root user's keys are IAM105's.

    Fix: create a second key, move its users over, deactivate and then delete the old
    one; better, replace the user's keys with roles.

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console
    """
    limit = ctx.settings.max_key_age_days
    for report, row in _rows(ctx, root=False):
        stale = [
            f"access key {key.number} last rotated {_dated(report, key.last_rotated)}"
            for key in row.keys
            if key.active and key.last_rotated and _age(report, key.last_rotated) > limit
        ]
        if stale:
            detail = "; ".join(stale)
            yield Hit(row.origin, f"user '{row.user}': {detail} (more than {limit} days)")


@check("IAM108", severity=Severity.MEDIUM, tags={"snapshot", "credentials", "unused"})
def unused_credentials(ctx: CheckContext) -> Iterator[Hit]:
    """A password or an active access key has not been used for too long.

    A credential nobody uses is a risk with no benefit. A console password or an active
    access key last used more than 90 days (``max-unused-days``) before the report, or
    never used and set (password) or created (key) more than 90 days before it, fires.
    ``no_information`` (IAM has no record of use) counts as never used. The root user is
    covered by IAM105 and IAM106.

    Fix: remove the password (delete the login profile) or deactivate and delete the
    key; create credentials again when someone needs them.

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html
    """
    limit = ctx.settings.max_unused_days
    for report, row in _rows(ctx, root=False):
        unused: list[str] = []
        if row.password_enabled:
            reason = _unused(
                report, row.password_last_used, row.password_last_changed, "set", limit
            )
            if reason:
                unused.append(f"password {reason}")
        for key in row.keys:
            if key.active:
                reason = _unused(report, key.last_used, key.last_rotated, "created", limit)
                if reason:
                    unused.append(f"access key {key.number} {reason}")
        if unused:
            detail = "; ".join(unused)
            yield Hit(row.origin, f"user '{row.user}': {detail} (more than {limit} days)")


@check("IAM207", severity=Severity.HIGH, tags={"snapshot", "mfa", "credentials"})
def console_user_without_mfa_device(ctx: CheckContext) -> Iterator[Hit]:
    """A user who can sign in to the console has no MFA device.

    A password alone is phished or guessed; an MFA device is the second factor. A user
    whose ``password_enabled`` is true and ``mfa_active`` false fires. IAM203 asks the
    same of configurations (a policy that denies without MFA); this rule asks the
    account. The root user is IAM106's.

    Fix: assign an MFA device to the user, or remove the password if the user does not
    sign in to the console.

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable.html
    """
    for _, row in _rows(ctx, root=False):
        if row.password_enabled and not row.mfa_active:
            yield Hit(row.origin, f"user '{row.user}' has a console password and no MFA device")


def _rows(ctx: CheckContext, *, root: bool) -> Iterator[tuple[CredentialReport, CredentialRow]]:
    for report in ctx.graph.credential_reports:
        for row in report.rows:
            if row.root is root:
                yield report, row


def _account(row: CredentialRow) -> str:
    """``account 111122223333`` from a root ARN (the ARN itself when it has no account)."""
    account = account_of(row.address)
    return f"account {account}" if account else f"'{row.address}'"


def _age(report: CredentialReport, when: datetime.datetime) -> int:
    """Whole days from *when* to the report's generation time."""
    return (report.generated - when).days


def _dated(report: CredentialReport, when: datetime.datetime) -> str:
    """``2026-08-01, 120 days before the report``."""
    return f"{when.date().isoformat()}, {_age(report, when)} days before the report"


def _unused(
    report: CredentialReport,
    last_used: datetime.datetime | None,
    since: datetime.datetime | None,
    verb: str,
    limit: int,
) -> str | None:
    """Why a credential counts as unused, or None: last used more than *limit* days
    before the report, or never used and *verb* (set, created) more than that before."""
    if last_used is not None:
        return f"last used {_dated(report, last_used)}" if _age(report, last_used) > limit else None
    if since is not None and _age(report, since) > limit:
        return f"never used, {verb} {_dated(report, since)}"
    return None


@hookimpl
def iacguard_register_checks(register: RegisterCheck) -> None:
    """Provide IAM105-IAM108 and IAM207."""
    for rule in (
        root_access_key,
        root_without_mfa,
        stale_access_key,
        unused_credentials,
        console_user_without_mfa_device,
    ):
        register(rule)
