"""IAM2xx: users, groups and console access - direct grants, lone users, passwords."""

from __future__ import annotations

from collections.abc import Iterator

from iacguard.graph import Graph, outside_target, target_kind
from iacguard.hookspecs import hookimpl
from iacguard.model import EdgeKind, Origin, PolicyKind, PrincipalKind, Severity, Unknown
from iacguard.registry import CheckContext, RegisterCheck, check
from iacguard.results import Hit


def _label(target: str, graph: Graph) -> str:
    """How messages name an edge target: a principal, or one outside the graph. One
    named by an empty string (or an empty expression) is never ``user ''``: every
    message that uses this label names the element that names the target by its
    address already (the attachment, the login profile, the inline policy)."""
    principal = graph.principal(target)
    if principal is not None:
        return principal.display
    outside = outside_target(target)
    if outside is None:
        return f"'{target}'"
    if not outside.name.strip():
        empty = "known after apply" if outside.unknown else "with an empty name"
        return f"a {outside.kind} {empty}"
    if outside.unknown:
        return outside.describe()
    return f"{outside.kind} '{outside.name}'"


def _join(items: dict[str, None]) -> str:
    return ", ".join(items)


@check("IAM201", severity=Severity.MEDIUM, tags={"users", "least-privilege"})
def user_direct_policy(ctx: CheckContext) -> Iterator[Hit]:
    """A policy is attached directly to a user.

    Permissions granted user by user drift apart: nobody can tell what a job function
    is allowed to do, and a user who changes team keeps what they had. Groups (or
    roles) give each job function one place to review.

    Example::

        resource "aws_iam_user_policy_attachment" "alice" {
          user       = aws_iam_user.alice.name
          policy_arn = aws_iam_policy.reports.arn
        }

    Fix: attach the policy to a group (``aws_iam_group_policy_attachment``) and make
    the user a member (``aws_iam_user_group_membership``); move inline user policies
    to a managed policy attached to that group.

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html ,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html
    """
    graph = ctx.graph
    sites: dict[str, tuple[Origin, dict[str, None], dict[str, None], dict[str, None]]] = {}
    for edge in (*graph.edges(EdgeKind.ATTACHED), *graph.edges(EdgeKind.INLINE)):
        if target_kind(edge.target, graph) is not PrincipalKind.USER:
            continue
        origin = edge.origin
        site = Origin(origin.source, origin.address, origin.location)
        _, attached, inline, users = sites.setdefault(origin.address, (site, {}, {}, {}))
        (attached if edge.kind is EdgeKind.ATTACHED else inline)[f"'{edge.source}'"] = None
        users[_label(edge.target, graph)] = None
    for site, attached, inline, users in sites.values():
        grants = [f"attaches policy {_join(attached)}"] if attached else []
        if inline:
            own = list(inline) == [f"'{site.address}'"]
            grants.append("grants an inline policy" if own else f"grants inline {_join(inline)}")
        who = _join(users)
        yield Hit(site, f"'{site.address}' {' and '.join(grants)} directly to {who}, not a group")


@check("IAM202", severity=Severity.LOW, tags={"users"})
def user_without_group(ctx: CheckContext) -> Iterator[Hit]:
    """A user belongs to no group.

    A user outside every group gets its permissions one by one (see IAM201), or has
    none and is a leftover. Either way it escapes the reviews done per group.
    A membership counts whether or not the group is defined in the configuration (an
    existing group named by name), and memberships only known after apply are given
    the benefit of the doubt.

    Example: an ``aws_iam_user`` that no ``aws_iam_group_membership`` or
    ``aws_iam_user_group_membership`` in the configuration names.

    Fix: add the user to the group of its job function, or delete it if it is unused.

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html
    """
    graph = ctx.graph
    memberships = graph.edges(EdgeKind.MEMBER_OF)
    # a membership whose user is only known after apply may be any user's
    if any((o := outside_target(e.source)) is not None and o.unknown for e in memberships):
        return
    for user in graph.principals(PrincipalKind.USER):
        if not graph.edges_from(user.address, EdgeKind.MEMBER_OF):
            yield Hit(user.origin, f"{user.display} is in no group")


@check("IAM205", severity=Severity.LOW, tags={"users", "passwords"})
def password_reset_not_required(ctx: CheckContext) -> Iterator[Hit]:
    """A console password does not have to be changed at first sign-in.

    The initial password was seen by whoever created it and sits in the state (and in
    any output it was sent to). Until the user replaces it, that person can sign in as
    the user. AWS does not require a reset unless asked to.

    Example::

        resource "aws_iam_user_login_profile" "alice" {
          user = aws_iam_user.alice.name
        }

    Fix: set ``password_reset_required = true`` (CloudFormation:
    ``PasswordResetRequired: true``), or better, give people access through IAM
    Identity Center instead of IAM user passwords.

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html
    """
    for profile in ctx.graph.login_profiles:
        reset = profile.password_reset_required
        if reset is True or isinstance(reset, Unknown):
            continue
        why = "it is turned off" if reset is False else "it is not set and defaults to off"
        user = _label(profile.user, ctx.graph)
        message = (
            f"login profile '{profile.address}' of {user} does not require a password reset ({why})"
        )
        yield Hit(profile.origin, message)


@check("IAM206", severity=Severity.LOW, tags={"users", "policies"})
def inline_policy(ctx: CheckContext) -> Iterator[Hit]:
    """An inline policy is defined on a user, group or role.

    An inline policy lives and dies with its principal: it cannot be reused, versioned
    or rolled back, and it is easy to miss in reviews that list managed policies.

    Example::

        resource "aws_iam_role_policy" "write" {
          role   = aws_iam_role.app.id
          policy = data.aws_iam_policy_document.write.json
        }

    Fix: turn the document into a customer-managed policy (``aws_iam_policy``) and
    attach it (``aws_iam_role_policy_attachment``); inline policies remain fine for
    a strict one-to-one relation you want deleted with the principal.

    References: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html
    """
    graph = ctx.graph
    for policy in graph.policies(PolicyKind.INLINE):
        origin = policy.origin
        holders: dict[str, None] = {}
        for edge in graph.edges_from(policy.id, EdgeKind.INLINE):
            holders[_label(edge.target, graph)] = None
            if edge.origin.address == origin.address and not origin.pointer:
                origin = edge.origin  # the block inside its holder (``inline_policy[0]``)
        name = f" ('{policy.name}')" if isinstance(policy.name, str) and policy.name else ""
        on = f" on {_join(holders)}" if holders else ""
        yield Hit(origin, f"inline policy '{policy.id}'{name}{on}")


@hookimpl
def iacguard_register_checks(register: RegisterCheck) -> None:
    register(user_direct_policy)
    register(user_without_group)
    register(password_reset_not_required)
    register(inline_policy)
