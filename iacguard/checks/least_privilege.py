"""IAM3xx: least privilege in the policy documents of the configuration.

IAM301 subsumes IAM302, IAM303, IAM307 and IAM308 on the same document, and IAM307 and
IAM308 own the actions they name, which IAM303 then leaves to them (the specific rule
wins).  AWS-managed documents are judged only by IAM301 and IAM309: their content is AWS's,
and what attaching them means is what those two rules report.  IAM306 lives with the
effective-permission evaluator.
"""

from __future__ import annotations

from collections.abc import Iterator

from iacguard.analysis.resources import every_resource_of
from iacguard.checks import _documents as doc
from iacguard.hookspecs import hookimpl
from iacguard.model import PolicyDocument, PolicyKind, Severity, Statement
from iacguard.registry import CheckContext, RegisterCheck, check
from iacguard.results import Hit

_TAGS = ("least-privilege",)


@check("IAM301", severity=Severity.CRITICAL, tags=_TAGS)
def admin_wildcard(ctx: CheckContext) -> Iterator[Hit]:
    """Policy grants every action on every resource

    An ``Allow`` of ``"Action": "*"`` on ``"Resource": "*"`` is full administrator
    access, whatever its conditions: whoever holds it can do anything in the account,
    including granting themselves more. Attaching the AWS-managed ``AdministratorAccess``
    policy is the same grant. Any statement of a document counts, not only the first.

    Bad::

        {"Effect": "Allow", "Action": "*", "Resource": "*"}

    Fix: grant the actions and resources the workload uses; keep break-glass
    administrator access in a separate role, assumed with MFA and monitored.
    """
    for site in ctx.graph.document_sites(*doc.AUTHORED_IDENTITY, PolicyKind.AWS_MANAGED):
        admin = [s for s in site.document.statements if doc.allows_everything(s)]
        if site.policy.kind is PolicyKind.AWS_MANAGED:
            if admin:
                target = doc.attached_to(ctx.graph, site)
                message = f"attaches {site.describe()}{target}: every action on every resource"
                yield Hit(site.origin, message)
            continue
        for statement in admin:
            message = f"{site.describe()} {doc.statement_label(statement)} allows '*' on '*'"
            yield Hit(doc.anchor(site), message, pointer=("Statement", statement.index))


@check("IAM302", severity=Severity.MEDIUM, tags=_TAGS)
def service_wildcard(ctx: CheckContext) -> Iterator[Hit]:
    """Policy grants every action of a service

    ``s3:*`` or ``iam:*`` grants every current and future action of the service,
    including deletion and permission changes nobody meant to grant. ``"Action": "*"``
    on a specific resource grants every service at once. Prefix wildcards such as
    ``s3:Get*`` do not fire.

    Bad::

        {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::data/*"}

    Fix: list the actions the workload calls, or a narrow prefix (``s3:Get*``).
    """
    for site in doc.authored_sites(ctx.graph, *doc.AUTHORED_IDENTITY):
        if doc.grants_admin(site.document):
            continue
        for statement in site.document.statements:
            if not statement.is_allow:
                continue
            patterns = doc.literal(statement.actions)
            everything = "*" in patterns
            services = [
                p
                for p in patterns
                if (service := doc.service_of(p)) is not None
                and ctx.catalog.covers_service(p, service)
                and ctx.catalog.has_service(service)
            ]
            if not everything and not services:
                continue
            grant = "every action of every service ('*')" if everything else doc.quoted(services)
            message = f"{site.describe()} {doc.statement_label(statement)} allows {grant}"
            yield Hit(doc.anchor(site), message, pointer=("Statement", statement.index))


@check("IAM303", severity=Severity.MEDIUM, tags=_TAGS)
def write_on_any_resource(ctx: CheckContext) -> Iterator[Hit]:
    """Policy allows write access on every resource

    An ``Allow`` on ``"Resource": "*"`` (or on a ``Resource`` as broad for the action,
    such as ``arn:aws:s3:::*`` for ``s3:PutObject``) of an action that can be scoped to
    resources, and whose access level is Write, Permissions management or Tagging, lets
    the holder change every such resource in the account instead of the few it needs. Actions that
    only accept ``*`` (``ec2:Describe*``, ``s3:ListAllMyBuckets``) never fire;
    ``iam:PassRole`` and secret reads are left to IAM307 and IAM308.

    Bad::

        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}

    Fix: name the resources in ``Resource`` (ARNs, with wildcards in the resource part
    if needed), or add a condition such as ``aws:ResourceTag/...``.
    """
    owned = (doc.PASS_ROLE, *doc.SECRET_READS)
    for site in doc.authored_sites(ctx.graph, *doc.AUTHORED_IDENTITY):
        if doc.grants_admin(site.document):
            continue
        for statement in site.document.statements:
            if not statement.is_allow or not _may_cover_everything(statement):
                continue
            actions = doc.write_actions(ctx.catalog, doc.literal(statement.actions))
            names = [
                a.full_name
                for a in actions
                if a.full_name not in owned
                and every_resource_of(statement, ctx.analyzer.matching, a.full_name)
            ]
            if names:
                label = f"{site.describe()} {doc.statement_label(statement)}"
                where = doc.every_resource_label(statement)
                message = f"{label} allows write actions on {where}: {doc.quoted(names)}"
                yield Hit(doc.anchor(site), message, pointer=("Statement", statement.index))


def _may_cover_everything(statement: Statement) -> bool:
    """A cheap pre-test for :func:`every_resource_of`: some ``Resource`` entry is a
    wildcard pattern (``*``, ``arn:aws:s3:::*``), not a list of named resources."""
    return any(isinstance(r, str) and "*" in r for r in statement.resources)


@check("IAM304", severity=Severity.HIGH, tags=_TAGS)
def allow_not_action(ctx: CheckContext) -> Iterator[Hit]:
    """Policy allows everything except a list of actions (Allow with NotAction)

    ``"Effect": "Allow"`` with ``NotAction`` grants every action of every service except
    those listed, including actions AWS adds later. ``Deny`` with ``NotAction`` (the
    MFA-enforcement pattern) is fine.

    Bad::

        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}

    Fix: list the allowed actions in ``Action``; to carve out exceptions, add a ``Deny``.
    """
    yield from _allow_except(ctx, "NotAction", "action")


@check("IAM305", severity=Severity.MEDIUM, tags=_TAGS)
def allow_not_resource(ctx: CheckContext) -> Iterator[Hit]:
    """Policy allows access to every resource except a list (Allow with NotResource)

    ``"Effect": "Allow"`` with ``NotResource`` grants the actions on every resource but
    those listed, in every account and region, including resources created later.

    Bad::

        {"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::secret/*"}

    Fix: list the allowed resources in ``Resource``; to carve out exceptions, add a
    ``Deny``.
    """
    yield from _allow_except(ctx, "NotResource", "resource")


def _allow_except(ctx: CheckContext, key: str, noun: str) -> Iterator[Hit]:
    """Allow statements of authored identity documents that use *key* (``NotAction`` or
    ``NotResource``), each reported with the list it excludes."""
    for site in doc.authored_sites(ctx.graph, *doc.AUTHORED_IDENTITY):
        for statement in site.document.statements:
            if statement.is_allow and key in statement.keys:
                values = statement.not_actions if key == "NotAction" else statement.not_resources
                excluded = doc.quoted(doc.literal(values)) or "an unknown list"
                label = f"{site.describe()} {doc.statement_label(statement)}"
                message = f"{label} allows every {noun} except {excluded}"
                yield Hit(doc.anchor(site), message, pointer=("Statement", statement.index))


@check("IAM307", severity=Severity.HIGH, tags=_TAGS)
def pass_any_role(ctx: CheckContext) -> Iterator[Hit]:
    """Policy lets its holder pass any role to a service

    ``iam:PassRole`` on ``"Resource": "*"`` lets the holder hand any role of the account,
    administrator roles included, to a Lambda function, an EC2 instance or another
    service it controls, and then act with that role's permissions. Wildcards
    (``iam:Pass*``, ``iam:*``) and ``NotAction`` lists that do not exclude it grant it too,
    and so does a ``Resource`` that names every role as ``*`` does
    (``arn:aws:iam::*:role/*``, ``arn:*``); one account's roles
    (``arn:aws:iam::123456789012:role/*``) do not fire.

    Bad::

        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}

    Fix: name the roles in ``Resource`` and restrict the receiving service with the
    ``iam:PassedToService`` condition key.
    """
    for site in doc.authored_sites(ctx.graph, *doc.AUTHORED_IDENTITY):
        if doc.grants_admin(site.document):
            continue
        for statement in site.document.statements:
            if not every_resource_of(statement, ctx.analyzer.matching, doc.PASS_ROLE):
                continue
            via = doc.allowed_matching(
                statement, doc.PASS_ROLE, ctx.analyzer.matching.action_matches
            )
            if via:
                label = f"{site.describe()} {doc.statement_label(statement)}"
                where = doc.every_resource_label(statement)
                message = f"{label} allows '{doc.PASS_ROLE}' on {where}"
                if any(pattern.lower() != doc.PASS_ROLE.lower() for pattern in via):
                    message += f" (through {doc.quoted(via)})"  # named by a wildcard
                yield Hit(doc.anchor(site), message, pointer=("Statement", statement.index))


@check("IAM308", severity=Severity.MEDIUM, tags=_TAGS)
def read_any_secret(ctx: CheckContext) -> Iterator[Hit]:
    """Policy reads every secret or hands out credentials without a condition

    Credential and data-exfiltration actions on ``"Resource": "*"`` (or a ``Resource``
    as broad for the action, such as ``arn:aws:secretsmanager:*:*:secret:*``) with no
    ``Condition`` reach every secret, parameter, key and object in the account:
    ``secretsmanager:GetSecretValue``, ``ssm:GetParameter``, ``ssm:GetParameters``,
    ``ssm:GetParametersByPath``, ``ssm:GetParameterHistory``, ``kms:Decrypt``,
    ``s3:GetObject``, ``s3:GetObjectVersion``, ``sts:GetFederationToken``, and the IAM
    actions that create credentials for any user (``iam:CreateAccessKey``,
    ``iam:CreateLoginProfile``, ``iam:UpdateLoginProfile``,
    ``iam:CreateServiceSpecificCredential``, ``iam:ResetServiceSpecificCredential``).
    Actions that only accept ``*``, such as ``ecr:GetAuthorizationToken``, are excluded.

    Bad::

        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}

    Fix: name the secrets, parameters, keys or buckets in ``Resource``, or add a
    condition (``aws:ResourceTag/team``, ``kms:ViaService`` ...).
    """
    for site in doc.authored_sites(ctx.graph, *doc.AUTHORED_IDENTITY):
        if doc.grants_admin(site.document):
            continue
        for statement in site.document.statements:
            if statement.conditions or not statement.is_allow:
                continue
            granted = [
                a
                for a in doc.SECRET_READS
                if doc.allowed_matching(statement, a, ctx.analyzer.matching.action_matches)
                and every_resource_of(statement, ctx.analyzer.matching, a)
            ]
            if granted:
                label = f"{site.describe()} {doc.statement_label(statement)}"
                where = doc.every_resource_label(statement)
                message = f"{label} allows {doc.quoted(granted)} on {where} without a condition"
                yield Hit(doc.anchor(site), message, pointer=("Statement", statement.index))


@check("IAM309", severity=Severity.HIGH, tags=_TAGS)
def broad_aws_managed_policy(ctx: CheckContext) -> Iterator[Hit]:
    """AWS-managed policy with admin-equivalent or IAM-wide write access is attached

    Some AWS-managed policies are administrator access in all but name:
    ``PowerUserAccess`` allows every action except IAM, Organizations and Account
    management (an ``Allow`` with ``NotAction`` on ``*``), and ``IAMFullAccess`` lets the
    holder rewrite any policy, so grant itself anything. The policy's shipped content is
    judged: an ``Allow`` with ``NotAction`` on ``*``, or ``Allow`` statements on ``*``
    that together grant every IAM Permissions-management action. ``AdministratorAccess``
    is IAM301; ``ReadOnlyAccess`` and ``SecurityAudit`` do not fire.

    Bad::

        resource "aws_iam_role_policy_attachment" "ops" {
          role       = aws_iam_role.ops.name
          policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
        }

    Fix: attach a customer-managed policy with the actions the principal needs, or a
    narrower AWS-managed job-function policy.
    """
    # judged once per document: many attachments share a few AWS-managed documents
    reasons: dict[int, str | None] = {}
    for site in ctx.graph.document_sites(PolicyKind.AWS_MANAGED):
        key = id(site.document)
        if key not in reasons:
            reasons[key] = _broad_reason(ctx, site.document)
        reason = reasons[key]
        if reason is None:
            continue
        yield Hit(
            site.origin,
            f"attaches {site.describe()}{doc.attached_to(ctx.graph, site)}: {reason}",
        )


def _broad_reason(ctx: CheckContext, document: PolicyDocument) -> str | None:
    """Why an AWS-managed *document* is broad (IAM309), or None when it is not."""
    if doc.grants_admin(document):
        return None
    not_action = any(
        s.is_allow and s.uses_not_action and doc.on_any_resource(s) for s in document.statements
    )
    if not_action:
        return "every action but a few, on every resource (Allow with NotAction)"
    if doc.grants_iam_wide_write(ctx.catalog, document):
        return "every IAM permissions-management action on every resource"
    return None


@check("IAM310", severity=Severity.MEDIUM, tags=_TAGS)
def unknown_action(ctx: CheckContext) -> Iterator[Hit]:
    """Policy names an action that does not exist

    An ``Action`` or ``NotAction`` entry that matches no action of the AWS catalog is a
    typo or an unknown service prefix: it grants (or excludes) nothing, so the policy
    does not do what its author meant. Case does not matter in IAM and is not a typo.
    AWS-managed policies are not checked.

    Bad::

        {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::data/*"}

    Fix: correct the action name. The message suggests a real action when the entry is a
    near miss by its own name: same service, the same verb (or one a typo away) and a
    noun a typo or two away (``s3:GetObjct`` is ``s3:GetObject``), or the same action of
    a service one letter off (``ec3:RunInstances``); otherwise it suggests nothing
    (``s3:PutBucketEncryption`` is the API's name, the permission is
    ``s3:PutEncryptionConfiguration``).
    """
    known: dict[str, str] = {}  # pattern -> hint: the same typo repeats across documents
    verbs: dict[str, doc.VerbIndex] = {}  # service -> its actions by verb, made once
    for site in doc.authored_sites(ctx.graph):
        for statement in site.document.statements:
            patterns = doc.literal((*statement.actions, *statement.not_actions))
            bad = [p for p in dict.fromkeys(patterns) if not ctx.catalog.matches_anything(p)]
            if not bad:
                continue
            for pattern in bad:
                if pattern not in known:
                    known[pattern] = _hint(ctx, pattern, verbs)
            hints = [f"'{p}'{known[p]}" for p in bad]
            label = f"{site.describe()} {doc.statement_label(statement)}"
            message = f"{label} names actions that match nothing: {', '.join(hints)}"
            yield Hit(doc.anchor(site), message, pointer=("Statement", statement.index))


def _hint(ctx: CheckContext, pattern: str, verbs: dict[str, doc.VerbIndex]) -> str:
    """`` (did you mean 's3:GetObject'?)`` for a near miss, else empty."""
    close = doc.suggestion(ctx.catalog, pattern, ctx.budget, verbs)
    return f" (did you mean '{close}'?)" if close else ""


@check("IAM311", severity=Severity.MEDIUM, tags=_TAGS)
def malformed_policy(ctx: CheckContext) -> Iterator[Hit]:
    """Policy document is not valid IAM

    AWS rejects, or silently misreads, a document that is not JSON, has no
    ``Statement``, an ``Effect`` other than ``Allow``/``Deny``, a statement with neither
    ``Action`` nor ``NotAction``, a ``Principal`` (or no ``Resource``) in an identity
    policy, or no ``Principal`` in a trust or resource policy. AWS-managed policies are
    not checked.

    Bad::

        {"Statement": [{"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}]}

    Fix: correct the document; ``aws accessanalyzer validate-policy`` and the
    ``aws_iam_policy_document`` data source help to write valid ones.
    """
    for site in doc.authored_sites(ctx.graph):
        where = doc.anchor(site)
        if site.document.problems:
            problems = "; ".join(site.document.problems)
            yield Hit(where, f"{site.describe()} is malformed: {problems}")
        identity = site.policy.kind in doc.AUTHORED_IDENTITY
        for statement in site.document.statements:
            issues: list[str] = []
            if bool(statement.keys & {"Principal", "NotPrincipal"}) == identity:
                issues.append("has a Principal" if identity else "has no Principal")
            if identity and not statement.keys & {"Resource", "NotResource"}:
                issues.append("has neither Resource nor NotResource")
            if issues:
                label = f"{site.describe()} {doc.statement_label(statement)}"
                message = f"{label} {' and '.join(issues)}"
                yield Hit(where, message, pointer=("Statement", statement.index))


@hookimpl
def iacguard_register_checks(register: RegisterCheck) -> None:
    """Register the IAM3xx checks (IAM306 comes with the effective-permission evaluator)."""
    for each in (
        admin_wildcard,
        service_wildcard,
        write_on_any_resource,
        allow_not_action,
        allow_not_resource,
        pass_any_role,
        read_any_secret,
        broad_aws_managed_policy,
        unknown_action,
        malformed_policy,
    ):
        register(each)
