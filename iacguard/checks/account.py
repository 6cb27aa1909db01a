"""IAM6xx and IAM7xx: account-wide settings, the password policy and CloudTrail."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from iacguard.hookspecs import hookimpl
from iacguard.model import MaybeBool, MaybeInt, PasswordPolicy, Severity, Trail
from iacguard.registry import CheckContext, RegisterCheck, check
from iacguard.results import Hit

#: CIS AWS Foundations / AWS Security Hub IAM.7 thresholds
MIN_PASSWORD_LENGTH: Final = 14
MIN_REUSE_PREVENTION: Final = 24
MAX_PASSWORD_AGE_DAYS: Final = 90
#: what AWS uses when the minimum length is not set
_DEFAULT_PASSWORD_LENGTH: Final = 8


@check("IAM601", severity=Severity.MEDIUM, tags={"account", "password"})
def weak_password_policy(ctx: CheckContext) -> Iterator[Hit]:
    """Account password policy is weak.

    IAM users' console passwords follow the account password policy. A policy shorter
    than 14 characters, that does not require upper case, lower case, numbers and
    symbols, that lets users reuse any of their last 24 passwords, or whose passwords
    never expire or live longer than 90 days, falls short of the CIS AWS Foundations
    Benchmark. Unset settings take AWS's defaults (length 8, nothing else required).
    The message lists every weakness. Example::

        resource "aws_iam_account_password_policy" "weak" {
          minimum_password_length = 8
        }

    Fix: set ``minimum_password_length`` >= 14, every ``require_*`` to true,
    ``password_reuse_prevention`` = 24 and ``max_password_age`` between 1 and 90.

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html
    """
    for policy in ctx.graph.password_policies:
        weaknesses = password_weaknesses(policy)
        if weaknesses:
            message = f"password policy '{policy.address}' is weak: {', '.join(weaknesses)}"
            yield Hit(policy.origin, message)


def password_weaknesses(policy: PasswordPolicy) -> list[str]:
    """Every way *policy* falls short; settings that are unresolved are not judged."""
    weaknesses: list[str] = []
    length = _DEFAULT_PASSWORD_LENGTH if policy.minimum_length is None else policy.minimum_length
    if _below(length, MIN_PASSWORD_LENGTH):
        unset = " (unset)" if policy.minimum_length is None else ""
        weaknesses.append(f"minimum length {length}{unset} < {MIN_PASSWORD_LENGTH}")
    classes = (
        ("uppercase letters", policy.require_uppercase),
        ("lowercase letters", policy.require_lowercase),
        ("numbers", policy.require_numbers),
        ("symbols", policy.require_symbols),
    )
    weaknesses += [f"{name} not required" for name, flag in classes if _not_true(flag)]
    reuse = policy.reuse_prevention
    if reuse is None:
        weaknesses.append("password reuse prevention unset")
    elif _below(reuse, MIN_REUSE_PREVENTION):
        weaknesses.append(f"password reuse prevention {reuse} < {MIN_REUSE_PREVENTION}")
    age = policy.max_age_days
    if age is None or age == 0:
        weaknesses.append("passwords never expire")
    elif isinstance(age, int) and age > MAX_PASSWORD_AGE_DAYS:
        weaknesses.append(f"maximum password age {age} days > {MAX_PASSWORD_AGE_DAYS}")
    return weaknesses


def _below(value: MaybeInt, threshold: int) -> bool:
    return isinstance(value, int) and value < threshold


def _not_true(flag: MaybeBool | None) -> bool:
    """False or unset (AWS's default is False); an unresolved flag is not judged."""
    return flag is None or flag is False


@check("IAM701", severity=Severity.MEDIUM, tags={"account", "monitoring"})
def incomplete_cloudtrail(ctx: CheckContext) -> Iterator[Hit]:
    """CloudTrail trail does not log every region with validated files.

    A single-region trail misses API calls in every other region, including the
    regions an attacker picks because nobody watches them. Without log file validation
    nobody can prove the log files were not altered or deleted, and a trail with
    logging disabled records nothing. Unset settings take AWS's defaults: single
    region, validation off, logging on. The message lists every problem. Example::

        resource "aws_cloudtrail" "main" {
          name           = "main"
          s3_bucket_name = "trail-logs"   # is_multi_region_trail defaults to false
        }

    Fix: set ``is_multi_region_trail = true``, ``enable_log_file_validation = true``
    and keep ``enable_logging`` true (CloudFormation: ``IsMultiRegionTrail``,
    ``EnableLogFileValidation``, ``IsLogging``).

    References: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html
    """
    for trail in ctx.graph.trails:
        problems = trail_problems(trail)
        if problems:
            message = f"trail '{trail.address}' {', '.join(problems)}"
            yield Hit(trail.origin, message)


def trail_problems(trail: Trail) -> list[str]:
    """Every way *trail* falls short; settings that are unresolved are not judged."""
    problems: list[str] = []
    if _not_true(trail.multi_region):
        problems.append("is not multi-region")
    if _not_true(trail.log_file_validation):
        problems.append("has log file validation off")
    if trail.logging_enabled is False:
        problems.append("has logging disabled")
    return problems


@hookimpl
def iacguard_register_checks(register: RegisterCheck) -> None:
    """Register the account-settings checks."""
    register(weak_password_policy)
    register(incomplete_cloudtrail)
