"""IAM5xx: resource-based policies and Lambda permissions that let anyone in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final

from iacguard.analysis.conditions import is_wildcard
from iacguard.analysis.exposure import restricted
from iacguard.analysis.trust import grants_anyone
from iacguard.checks._documents import pointer_from
from iacguard.hookspecs import hookimpl
from iacguard.model import (
    LambdaPermission,
    MaybeStr,
    PolicyKind,
    Severity,
    SourceKind,
    Unknown,
)
from iacguard.registry import CheckContext, RegisterCheck, check
from iacguard.results import Hit

#: how many actions a message names before abbreviating
_MAX_ACTIONS: Final = 3
#: an AWS account as a principal: a 12-digit ID or any ARN
_ACCOUNT_OR_ARN: Final = re.compile(r"^(?:\d{12}|arn:.+)$")
#: service principals that also need ``source_account``: their source ARNs carry no
#: account ID, so another account's resource with that name could invoke the function
_NEEDS_SOURCE_ACCOUNT: Final = frozenset({"s3.amazonaws.com"})


@check("IAM501", severity=Severity.CRITICAL, tags={"resource-policy", "public"})
def public_resource_policy(ctx: CheckContext) -> Iterator[Hit]:
    """Resource policy is public.

    An ``Allow`` with ``"Principal": "*"`` or ``{"AWS": "*"}`` in a bucket, queue,
    topic, key, repository, secret, layer or domain policy grants its actions to every
    AWS account and, for some services, to anonymous callers. ``Allow`` with
    ``NotPrincipal`` counts too. ``Deny`` statements never fire. Example::

        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::site/*"}

    Two things keep the rule silent:

    - a restricting condition on the ``Allow``: a positive operator (``StringEquals``,
      ``StringLike``, ``ArnLike``, ``IpAddress`` ..., not its ``IfExists`` form nor
      ``ForAllValues:``) on ``aws:PrincipalOrgID``, ``aws:PrincipalOrgPaths``,
      ``aws:PrincipalAccount``, ``aws:PrincipalArn``, ``aws:SourceAccount``,
      ``aws:SourceArn``, ``aws:SourceOrgID``, ``aws:SourceOwner``, ``aws:SourceVpc``,
      ``aws:SourceVpce``, ``aws:SourceIp``, ``aws:userid``, ``kms:CallerAccount`` or
      ``s3:DataAccessPointAccount``, with no value that matches anything (``*``,
      ``o-*``, an account pattern, ``0.0.0.0/0``);
    - a companion ``Deny`` in the same policy, to ``"Principal": "*"`` (or
      ``{"AWS": "*"}``), that names every action and every resource of the ``Allow`` and
      whose every condition is the negation of a restricting one: ``StringNotEquals``,
      ``StringNotEqualsIgnoreCase``, ``StringNotLike``, ``ArnNotEquals``, ``ArnNotLike``
      (or ``NotIpAddress`` for ``aws:SourceIp``) on a restricting key
      (``aws:PrincipalOrgPaths`` aside) with specific values. AWS evaluates an explicit
      ``Deny`` first, and a negated operator is true when the request lacks the key, so
      ``StringNotEquals aws:SourceVpce vpce-1`` denies every request that does not come
      through ``vpce-1``, from the internet as from another endpoint: the ``Allow`` to
      ``*`` is left with that endpoint's requests. The ``…IfExists`` form denies the
      same requests. The ``Deny`` does not count when a value is a wildcard for the key
      (``vpce-*`` spares every endpoint), when it has a set qualifier (``ForAnyValue:``
      spares requests without the key), or when another condition is ANDed to it
      (``Bool aws:SecureTransport false`` spares every HTTPS request). A ``Deny``
      without a condition denies everything it names. Several such ``Deny`` statements
      may share the actions between them.

    Fix: name the accounts, roles or service principals that need access, or add a
    restricting condition such as ``"StringEquals": {"aws:PrincipalOrgID": "o-..."}``,
    or a ``Deny`` to ``*`` with ``"StringNotEquals": {"aws:SourceVpce": "vpce-..."}``.

    References:
    https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    """
    for site in ctx.graph.document_sites(PolicyKind.RESOURCE):
        statements = site.document.statements
        for statement in statements:
            if (
                not grants_anyone(statement)
                or restricted(statement, statements, matching=ctx.analyzer.matching) is not False
            ):
                continue
            actions = _describe_actions(statement.actions, statement.uses_not_action)
            who = (
                "any principal ('*')"
                if statement.principals
                else "every principal outside NotPrincipal"
            )
            message = f"policy of '{site.origin.address}' grants {actions} to {who}"
            yield Hit(site.origin, message, pointer=pointer_from(statement, site.origin))


def _describe_actions(actions: tuple[MaybeStr, ...], not_action: bool) -> str:
    if not_action:
        return "every action outside NotAction"
    names = [str(action) for action in actions]
    if not names:
        return "its actions"
    shown = ", ".join(names[:_MAX_ACTIONS])
    return shown + (f" (+{len(names) - _MAX_ACTIONS} more)" if len(names) > _MAX_ACTIONS else "")


@check("IAM502", severity=Severity.HIGH, tags={"resource-policy", "lambda"})
def unscoped_lambda_permission(ctx: CheckContext) -> Iterator[Hit]:
    """Lambda permission is not scoped to a source.

    A Lambda permission for ``"*"`` lets anyone invoke the function. One for a
    service principal (``sns.amazonaws.com``, ``events.amazonaws.com`` ...) without
    ``source_arn`` lets that service invoke it on behalf of any customer's resource,
    the confused-deputy problem; for ``s3.amazonaws.com`` the bucket ARN holds no
    account, so ``source_account`` is needed as well. Account principals are not
    reported, nor is ``"*"`` limited by ``principal_org_id``, ``source_arn`` or
    ``source_account``. Example::

        resource "aws_lambda_permission" "sns" {
          principal = "sns.amazonaws.com"   # no source_arn
        }

    Fix: set ``source_arn`` to the topic, rule, bucket or API that invokes the
    function (and ``source_account`` for S3), or grant to a specific account.

    References: https://docs.aws.amazon.com/lambda/latest/dg/permissions-function-services.html
    """
    for permission in ctx.graph.lambda_permissions:
        problem = lambda_permission_problem(permission)
        if problem is not None:
            message = f"lambda permission '{permission.address}' {problem}"
            yield Hit(permission.origin, message)


def lambda_permission_problem(permission: LambdaPermission) -> str | None:
    """What makes *permission* too broad, or None (also when its principal is unknown)."""
    principal = permission.principal
    if not isinstance(principal, str):
        return None
    principal = principal.strip()
    if is_wildcard(principal):
        scopes = (permission.principal_org_id, permission.source_arn, permission.source_account)
        if any(_is_set(scope) for scope in scopes):
            return None
        return f"lets any principal ('{principal}') invoke the function"
    if _ACCOUNT_OR_ARN.match(principal) or "." not in principal:
        return None
    arn_property, account_property = _SCOPE_PROPERTIES.get(
        permission.origin.source, ("source_arn", "source_account")
    )
    missing = [] if _is_set(permission.source_arn) else [arn_property]
    if principal.lower() in _NEEDS_SOURCE_ACCOUNT and not _is_set(permission.source_account):
        missing.append(account_property)
    if not missing:
        return None
    return f"lets service '{principal}' invoke the function without {' or '.join(missing)}"


#: the names a CloudFormation permission gives its source ARN and account (Terraform's
#: otherwise)
_SCOPE_PROPERTIES: Final = {SourceKind.CLOUDFORMATION: ("SourceArn", "SourceAccount")}


def _is_set(value: MaybeStr | None) -> bool:
    """Set to a value that is not a wildcard; an unresolved value counts as set."""
    if isinstance(value, Unknown):
        return True
    return value is not None and bool(value.strip()) and not is_wildcard(value)


@hookimpl
def iacguard_register_checks(register: RegisterCheck) -> None:
    """Register the resource-policy checks."""
    register(public_resource_policy)
    register(unscoped_lambda_permission)
