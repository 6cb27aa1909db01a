"""Map Terraform AWS resources onto the IAM graph (shared by plan and HCL input).

Two passes: first every node (principals, policies), so that the second pass can link
attachments, memberships, keys and profiles to them by name, by ARN, or through the
references of expressions whose value is unknown at plan time. Nodes and edges are made
by the verbs of :class:`~iacguard.parsers._graph_builder.IamGraphBuilder`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Final

from iacguard.graph import Graph
from iacguard.model import (
    ConfigBlock,
    LambdaPermission,
    LoginProfile,
    MaybeStr,
    MfaDevice,
    OidcProvider,
    PasswordPolicy,
    Policy,
    PolicyDocument,
    PolicyKind,
    Principal,
    PrincipalKind,
    RawValue,
    Reference,
    Trail,
    Unknown,
)
from iacguard.parsers._graph_builder import IamGraphBuilder, principal_name
from iacguard.parsers._policy_document import parse_policy
from iacguard.parsers.terraform._terraform import TerraformConfig, TfResource, secret_refs
from iacguard.parsers.terraform._terraform_types import (
    ATTACHMENT_TYPES,
    ENCRYPTED_SINKS,
    INLINE_TYPES,
    PRINCIPAL_TYPES,
    RESOURCE_POLICY_ATTRIBUTES,
)


def build_graph(config: TerraformConfig) -> Graph:
    """Map a Terraform configuration onto a new IAM graph."""
    return _Mapper(config).build()


def _text(value: RawValue) -> MaybeStr | None:
    """A string attribute: str, Unknown, or None when unset or of another type."""
    return value if isinstance(value, str | Unknown) else None


def _flag(value: RawValue) -> bool | Unknown | None:
    return value if isinstance(value, bool | Unknown) else None


def _number(value: RawValue) -> int | Unknown | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Unknown):
        return value
    return int(value) if isinstance(value, float) and math.isfinite(value) else None


def _items(value: RawValue) -> tuple[RawValue, ...]:
    """A list attribute as a tuple; a single value as a 1-tuple; unset as empty."""
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


class _Mapper:
    """Builds the graph of one Terraform configuration."""

    def __init__(self, config: TerraformConfig) -> None:
        self.config = config
        self.builder = IamGraphBuilder()
        self.types = {r.address: r.type for r in config.resources}
        self.pgp = {
            r.address for r in config.resources if r.values.get("pgp_key") not in {None, ""}
        }

    def build(self) -> Graph:
        for resource in self.config.resources:
            if resource.mode == "managed":
                self._add_node(resource)
        for resource in self.config.resources:
            if resource.mode == "managed":
                self._add_relations(resource)
                self._add_secret_flows(resource)
            self._add_config_blocks(resource)
        for block in self.config.blocks:
            self.builder.config_blocks.append(
                ConfigBlock(block.kind, block.type, block.address, block.origin, block.values)
            )
        for output in self.config.outputs:
            for ref in secret_refs(output.refs, self.pgp.__contains__):
                self.builder.references.append(
                    Reference(output.origin, ref.address, ref.type, ref.attribute)
                )
        return self.builder.build()

    def _add_config_blocks(self, res: TfResource) -> None:
        """What the configuration says literally about *res*, for rules that search code.

        Values computed by AWS or the provider (a data source's result, a key's secret in
        prior state) are not code and are left out: of the planned values only the
        configured attributes are kept (they can differ from the literals, e.g. a
        ``user_data`` planned from a ``local``), and a data source keeps its literals only.
        Several blocks may therefore share one address.
        """
        kind = "resource" if res.mode == "managed" else "data"
        planned: Mapping[str, RawValue] = {}
        if kind == "resource":
            configured = res.literals.keys()
            planned = (
                {k: v for k, v in res.values.items() if k in configured}
                if configured
                else res.values
            )
        for values in (planned, res.literals):
            if values:
                block = ConfigBlock(kind, res.type, res.address, res.origin, values)
                self.builder.config_blocks.append(block)

    # ------------------------------------------------------------------ first pass: nodes

    def _add_node(self, res: TfResource) -> None:
        values = res.values
        if res.type in PRINCIPAL_TYPES:
            kind = PRINCIPAL_TYPES[res.type]
            name = _text(values.get("name")) or Unknown(f"{res.address}.name")
            arn = _text(values.get("arn"))
            path = _text(values.get("path"))
            principal = Principal(kind, res.address, name, res.origin, arn, path)
            self.builder.add_principal(principal)
            if kind is PrincipalKind.ROLE:
                self._add_role_policies(res)
        elif res.type == "aws_iam_policy":
            document = self._document(res, "policy")
            policy = Policy(
                res.address,
                PolicyKind.MANAGED,
                _text(values.get("name")),
                document,
                res.origin,
                _text(values.get("arn")),
            )
            self.builder.add_managed_policy(policy)
        elif res.type in INLINE_TYPES:
            document = self._document(res, "policy")
            policy_name = _text(values.get("name"))
            self.builder.add_inline_policy(res.address, policy_name, document, res.origin)
        elif res.type in RESOURCE_POLICY_ATTRIBUTES:
            self._add_resource_policy(res)

    def _document(self, res: TfResource, attribute: str) -> PolicyDocument | Unknown:
        """The policy document held in *attribute* of *res*."""
        return self.builder.read_policy(res.values.get(attribute), res.origin.at(attribute))

    def _add_role_policies(self, res: TfResource) -> None:
        """A role's trust policy and its ``inline_policy`` blocks."""
        document = self._document(res, "assume_role_policy")
        self.builder.add_trust_policy(
            res.address, "assume_role_policy", document, res.origin, "trust policy"
        )
        for index, block in enumerate(_items(res.values.get("inline_policy"))):
            if not isinstance(block, Mapping) or block.get("policy") in (None, ""):
                continue
            origin = res.origin.at("inline_policy", index, "policy")
            self.builder.embed_inline_policy(
                res.address,
                f"inline_policy[{index}]",
                _text(block.get("name")),
                self.builder.read_policy(block.get("policy"), origin),
                res.origin,
                link_origin=origin,
                reason="inline_policy block",
            )

    def _add_resource_policy(self, res: TfResource) -> None:
        attribute = RESOURCE_POLICY_ATTRIBUTES[res.type]
        if attribute:
            if res.values.get(attribute) in (None, ""):
                return  # e.g. an aws_s3_bucket without the legacy policy argument
            document = self._document(res, attribute)
        else:
            document = _layer_permission_document(res)
        self.builder.add_resource_policy(res.address, res.type, document, res.origin)

    # ------------------------------------------------------------------ second pass: relations

    def _add_relations(self, res: TfResource) -> None:
        handler = _RELATION_HANDLERS.get(res.type)
        if handler is not None:
            handler(self, res)

    def principal_targets(self, res: TfResource, attribute: str, kind: PrincipalKind) -> list[str]:
        """The principals an attribute names, as edge targets: by name or ARN, else (a
        value unset, empty or unknown until apply) through the references of its
        expression (see :class:`~iacguard.parsers._graph_builder.IamGraphBuilder`)."""
        targets: dict[str, None] = {}
        unresolved = False
        unnamed = False
        for item in _items(res.values.get(attribute)):
            if isinstance(item, str):
                name = principal_name(item)
                # an empty name names no one: the reference, if any, says who is meant
                unnamed = unnamed or not name
                if name:
                    targets[self.builder.principal_named(kind, name)] = None
            else:
                unresolved = True
        if unnamed or unresolved or res.values.get(attribute) is None:
            linked = [
                ref.address
                for ref in res.links.get(attribute, ())
                if self.builder.is_principal(ref.address, kind)
            ]
            for address in linked:
                targets[address] = None
            if unresolved and not linked:
                targets[self.builder.unknown_principal(kind, f"{res.address}.{attribute}")] = None
            if unnamed and not linked:
                targets[self.builder.principal_named(kind, "")] = None
        return list(targets)

    def policy_targets(self, res: TfResource, attribute: str) -> list[str]:
        """The policy node ids an ARN attribute names (AWS-managed ARNs become nodes), by
        ARN, else through the references of an expression unknown until apply; a policy
        not found stays in as an outside node, so that the principal's permissions are
        known to be incomplete."""
        targets: dict[str, None] = {}
        unresolved = False
        document_origin = res.origin.at("policy_arn")
        for item in _items(res.values.get(attribute)):
            if not isinstance(item, str):
                unresolved = True
            elif item:  # "" is the state's "no boundary" (permissions_boundary = "")
                targets[self.builder.policy_named(item, res.origin, document_origin)] = None
        linked = [
            ref.address
            for ref in res.links.get(attribute, ())
            if ref.type == "aws_iam_policy" and self.builder.is_policy(ref.address)
        ]
        targets.update(dict.fromkeys(linked))
        if unresolved and not linked:
            targets[self.builder.unknown_policy(f"{res.address}.{attribute}")] = None
        return list(targets)

    def attach(
        self, res: TfResource, policy_ids: list[str], principals: list[str], pointer: str
    ) -> None:
        """Attach each policy to each principal target, the edge at *pointer* of *res*."""
        self.builder.attach(policy_ids, principals, res.origin.at(pointer), res.type)

    def _add_secret_flows(self, res: TfResource) -> None:
        for attribute, refs in res.links.items():
            for ref in secret_refs(refs, self.pgp.__contains__):
                encrypted = (res.type, attribute) in ENCRYPTED_SINKS or (
                    res.type == "aws_ssm_parameter"
                    and attribute == "value"
                    and res.values.get("type") == "SecureString"
                )
                self.builder.references.append(
                    Reference(
                        res.origin.at(attribute), ref.address, ref.type, ref.attribute, encrypted
                    )
                )


def _layer_permission_document(res: TfResource) -> PolicyDocument | Unknown:
    """The policy an ``aws_lambda_layer_version_permission`` amounts to."""
    principal = res.values.get("principal")
    statement: dict[str, RawValue] = {
        "Effect": "Allow",
        "Action": _text(res.values.get("action")) or "lambda:GetLayerVersion",
        "Principal": {"AWS": principal if isinstance(principal, str | Unknown) else Unknown()},
        "Resource": "*",
    }
    org = res.values.get("organization_id")
    if isinstance(org, str | Unknown) and org != "":
        statement["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": org}}
    return parse_policy({"Version": "2012-10-17", "Statement": [statement]}, res.origin)


# ---------------------------------------------------------------------- relation handlers


def _inline(m: _Mapper, res: TfResource) -> None:
    attribute, kind = INLINE_TYPES[res.type]
    holders = m.principal_targets(res, attribute, kind)
    m.builder.hold_inline(res.address, holders, res.origin, res.type)


def _attachment(m: _Mapper, res: TfResource) -> None:
    attribute, kind, arns = ATTACHMENT_TYPES[res.type]
    principals = m.principal_targets(res, attribute, kind)
    m.attach(res, m.policy_targets(res, arns), principals, arns)


def _policy_attachment(m: _Mapper, res: TfResource) -> None:
    policies = m.policy_targets(res, "policy_arn")
    principals: list[str] = []
    for attribute, kind in (
        ("users", PrincipalKind.USER),
        ("roles", PrincipalKind.ROLE),
        ("groups", PrincipalKind.GROUP),
    ):
        principals += m.principal_targets(res, attribute, kind) if res.values.get(attribute) else []
    m.attach(res, policies, principals, "policy_arn")


def _role_managed_arns(m: _Mapper, res: TfResource) -> None:
    if res.values.get("managed_policy_arns"):
        m.attach(
            res, m.policy_targets(res, "managed_policy_arns"), [res.address], "managed_policy_arns"
        )
    _boundary(m, res)


def _boundary(m: _Mapper, res: TfResource) -> None:
    m.builder.set_boundary(
        m.policy_targets(res, "permissions_boundary"),
        res.address,
        res.origin.at("permissions_boundary"),
        "permissions_boundary",
    )


def _group_membership(m: _Mapper, res: TfResource) -> None:
    groups = m.principal_targets(res, "group", PrincipalKind.GROUP)
    users = m.principal_targets(res, "users", PrincipalKind.USER)
    m.builder.add_members(users, groups, res.origin, res.type)


def _user_group_membership(m: _Mapper, res: TfResource) -> None:
    groups = m.principal_targets(res, "groups", PrincipalKind.GROUP)
    users = m.principal_targets(res, "user", PrincipalKind.USER)
    m.builder.add_members(users, groups, res.origin, res.type)


def _single_user(m: _Mapper, res: TfResource, attribute: str = "user") -> str:
    targets = m.principal_targets(res, attribute, PrincipalKind.USER)
    return m.builder.sole_principal(targets, PrincipalKind.USER, res.address)


def _access_key(m: _Mapper, res: TfResource) -> None:
    pgp_key = res.values.get("pgp_key")
    m.builder.add_access_key(
        res.address,
        res.origin,
        m.principal_targets(res, "user", PrincipalKind.USER),
        res.values.get("status"),
        status_attribute="status",
        encrypted=isinstance(pgp_key, str | Unknown) and pgp_key != "",
    )


def _login_profile(m: _Mapper, res: TfResource) -> None:
    reset = _flag(res.values.get("password_reset_required"))
    m.builder.login_profiles.append(
        LoginProfile(res.address, res.origin, _single_user(m, res), reset)
    )


def _mfa_device(m: _Mapper, res: TfResource) -> None:
    user = _single_user(m, res, "user_name") if res.values.get("user_name") is not None else None
    m.builder.mfa_devices.append(MfaDevice(res.address, res.origin, user))


def _oidc_provider(m: _Mapper, res: TfResource) -> None:
    url = _text(res.values.get("url"))
    m.builder.oidc_providers.append(
        OidcProvider(
            res.address, res.origin, url if url is not None else Unknown(f"{res.address}.url")
        )
    )


def _instance_profile(m: _Mapper, res: TfResource) -> None:
    roles = m.principal_targets(res, "role", PrincipalKind.ROLE)
    m.builder.add_to_instance_profile(roles, res.address, res.origin, res.type)


def _lambda_permission(m: _Mapper, res: TfResource) -> None:
    v = res.values
    m.builder.lambda_permissions.append(
        LambdaPermission(
            res.address,
            res.origin,
            principal=_text(v.get("principal")) or Unknown(f"{res.address}.principal"),
            action=_text(v.get("action")) or Unknown(f"{res.address}.action"),
            source_arn=_text(v.get("source_arn")) or None,
            source_account=_text(v.get("source_account")) or None,
            principal_org_id=_text(v.get("principal_org_id")) or None,
        )
    )


def _password_policy(m: _Mapper, res: TfResource) -> None:
    v = res.values
    m.builder.password_policies.append(
        PasswordPolicy(
            res.address,
            res.origin,
            minimum_length=_number(v.get("minimum_password_length")),
            require_uppercase=_flag(v.get("require_uppercase_characters")),
            require_lowercase=_flag(v.get("require_lowercase_characters")),
            require_numbers=_flag(v.get("require_numbers")),
            require_symbols=_flag(v.get("require_symbols")),
            reuse_prevention=_number(v.get("password_reuse_prevention")),
            max_age_days=_number(v.get("max_password_age")),
        )
    )


def _trail(m: _Mapper, res: TfResource) -> None:
    v = res.values
    m.builder.trails.append(
        Trail(
            res.address,
            res.origin,
            multi_region=_flag(v.get("is_multi_region_trail")),
            log_file_validation=_flag(v.get("enable_log_file_validation")),
            logging_enabled=_flag(v.get("enable_logging")),
        )
    )


_RELATION_HANDLERS: Final[Mapping[str, Callable[[_Mapper, TfResource], None]]] = {
    **dict.fromkeys(INLINE_TYPES, _inline),
    **dict.fromkeys(ATTACHMENT_TYPES, _attachment),
    "aws_iam_policy_attachment": _policy_attachment,
    "aws_iam_role": _role_managed_arns,
    "aws_iam_user": _boundary,
    "aws_iam_group_membership": _group_membership,
    "aws_iam_user_group_membership": _user_group_membership,
    "aws_iam_access_key": _access_key,
    "aws_iam_user_login_profile": _login_profile,
    "aws_iam_virtual_mfa_device": _mfa_device,
    "aws_iam_openid_connect_provider": _oidc_provider,
    "aws_iam_instance_profile": _instance_profile,
    "aws_lambda_permission": _lambda_permission,
    "aws_iam_account_password_policy": _password_policy,
    "aws_cloudtrail": _trail,
}
