"""Example iacguard plugin: every role has a permission boundary, and no IAM users.

For organisations whose people sign in through SSO and whose workloads use roles.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from iacguard import CheckContext, Hit, PrincipalKind, RegisterCheck, Severity, check, hookimpl

#: where these rules are documented
DOCS: Final = "https://github.com/iacguard/iacguard/tree/main/plugins/iacguard-example"


@check("EXA001", severity=Severity.HIGH, tags={"example", "guardrails"}, help_uri=DOCS)
def role_without_boundary(ctx: CheckContext) -> Iterator[Hit]:
    """Role has no permission boundary.

    A permission boundary caps what a role can ever be granted, whatever policies are
    attached to it later. Without one, a team that can attach policies to its roles can
    grant itself anything.

    Fix: set ``permissions_boundary`` (CloudFormation ``PermissionsBoundary``) to the
    organisation's boundary policy.
    """
    for role in ctx.graph.principals(PrincipalKind.ROLE):
        if not ctx.graph.has_boundary(role):
            yield Hit(role.origin, f"{role.display} has no permission boundary")


@check("EXA002", severity=Severity.MEDIUM, tags={"example", "sso"}, help_uri=DOCS)
def iam_user(ctx: CheckContext) -> Iterator[Hit]:
    """IAM user defined.

    People sign in through SSO and workloads use roles, so an IAM user is either a
    forgotten exception or a long-lived credential waiting to leak.

    Fix: replace the user with an SSO permission set, or the workload's credentials
    with a role.
    """
    for user in ctx.graph.principals(PrincipalKind.USER):
        yield Hit(user.origin, f"{user.display} is an IAM user; use SSO or a role")


@hookimpl
def iacguard_register_checks(register: RegisterCheck) -> None:
    """Register this plugin's checks."""
    register(role_without_boundary)
    register(iam_user)
