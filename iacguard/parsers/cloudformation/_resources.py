"""CloudFormation resources besides IAM identities: resource policies, Lambda permissions,
trails, SAM functions, and the template's parameters and outputs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Final

from iacguard.coverage import SAM_TEMPLATE, NotEvaluated, NotEvaluatedKind, shorten
from iacguard.model import (
    ConfigBlock,
    LambdaPermission,
    OidcProvider,
    Origin,
    Principal,
    PrincipalKind,
    Trail,
    Unknown,
    refs_of,
)
from iacguard.parsers._policy_document import parse_policy
from iacguard.parsers.cloudformation._values import flag, items, pick, text

if TYPE_CHECKING:
    from iacguard.parsers._source import JSONValue
    from iacguard.parsers.cloudformation._iam import CfnResource, _Mapper

#: resources holding a resource-based policy: type -> property with the document
RESOURCE_POLICY_PROPERTIES: Final = {
    "AWS::S3::BucketPolicy": "PolicyDocument",
    "AWS::S3::AccessPoint": "Policy",
    "AWS::SQS::QueuePolicy": "PolicyDocument",
    "AWS::SNS::TopicPolicy": "PolicyDocument",
    "AWS::KMS::Key": "KeyPolicy",
    "AWS::KMS::ReplicaKey": "KeyPolicy",
    "AWS::ECR::Repository": "RepositoryPolicyText",
    "AWS::SecretsManager::ResourcePolicy": "ResourcePolicy",
    "AWS::OpenSearchService::Domain": "AccessPolicies",
    "AWS::Elasticsearch::Domain": "AccessPolicies",
    "AWS::EFS::FileSystem": "FileSystemPolicy",
    "AWS::Backup::BackupVault": "AccessPolicy",
    "AWS::Logs::ResourcePolicy": "PolicyDocument",
    "AWS::ApiGateway::RestApi": "Policy",
    "AWS::Events::EventBusPolicy": "Statement",
}
#: receiving properties that keep a value encrypted: type -> property
ENCRYPTED_SINKS: Final = {"AWS::SecretsManager::Secret": "SecretString"}
#: the role SAM creates for a function without ``Role``: ``<Function>Role``
_SAM_ROLE_SUFFIX: Final = "Role"
#: SAM resources that get a role from their ``Policies``: type -> the service trusted
SAM_SERVICES: Final = {
    "AWS::Serverless::Function": "lambda.amazonaws.com",
    "AWS::Serverless::StateMachine": "states.amazonaws.com",
}


def add_relations(m: _Mapper, res: CfnResource) -> None:
    """Second pass: the links of *res* to the nodes of the first pass."""
    handler = _HANDLERS.get(res.type)
    if handler is not None:
        handler(m, res)
    elif res.type in {"AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role"}:
        m.add_principal_relations(res)
    elif res.type in {
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::RolePolicy",
        "AWS::IAM::UserPolicy",
        "AWS::IAM::GroupPolicy",
    }:
        m.add_policy_holders(res)


def add_resource_policy(m: _Mapper, res: CfnResource) -> None:
    prop = RESOURCE_POLICY_PROPERTIES[res.type]
    value = res.properties.get(prop)
    if value is None or value == "":
        return
    if res.type == "AWS::Events::EventBusPolicy":
        document = parse_policy({"Statement": value}, m.at(res, prop))
    else:
        document = m.document(res, prop)
    m.builder.add_resource_policy(res.logical, res.type, document, res.origin)


def add_oidc_provider(m: _Mapper, res: CfnResource) -> None:
    """An ``AWS::IAM::OIDCProvider`` as an :class:`~iacguard.model.OidcProvider` node: its
    ``Url`` resolved (a parameter's default included), or :class:`Unknown` when it is
    not a known string (unset: ``Unknown("<Logical>.Url")``)."""
    value = res.properties.get("Url")
    url = text(value)
    if url is None:
        url = Unknown(f"{res.logical}.Url", refs_of(value))
    m.builder.oidc_providers.append(OidcProvider(res.logical, res.origin, url))


def add_serverless_function(m: _Mapper, res: CfnResource) -> None:
    """A SAM function or state machine without ``Role`` gets a role ``<Logical>Role``
    trusted by its service, holding its ``Policies``: AWS-managed policy names, policy
    ARNs (``!Ref`` of a template policy included), and inline documents (one document
    alone, or in the list)."""
    if res.properties.get("Role") is not None:
        return
    role = f"{res.logical}{_SAM_ROLE_SUFFIX}"
    name = Unknown(f"{role}.RoleName")
    m.builder.add_principal(Principal(PrincipalKind.ROLE, role, name, res.origin))
    statement = {"Effect": "Allow", "Principal": {"Service": SAM_SERVICES[res.type]}}
    trust = {"Statement": ({**statement, "Action": "sts:AssumeRole"},)}
    document = parse_policy(trust, res.origin)
    m.builder.add_trust_policy(role, "AssumeRolePolicyDocument", document, res.origin, "SAM role")
    value = res.properties.get("Policies")
    if isinstance(value, Mapping) and "Statement" in value:
        _sam_inline(m, res, role, "Policies", ("Policies",))
        return
    for index, entry in enumerate(items(value)):
        origin = m.at(res, "Policies", index)
        if isinstance(entry, str | Unknown):
            arn = entry
            if isinstance(entry, str) and not entry.startswith("arn:"):
                arn = f"arn:aws:iam::aws:policy/{entry}"
            m.builder.attach(m.policy_targets(arn, origin), [role], origin, "Policies")
        elif isinstance(entry, Mapping) and "Statement" in entry:
            _sam_inline(m, res, role, f"Policies[{index}]", ("Policies", index))
        elif isinstance(entry, Mapping):
            _sam_policy_template(m, res, index, entry)


def _sam_policy_template(
    m: _Mapper, res: CfnResource, index: int, entry: Mapping[str, object]
) -> None:
    """A SAM policy template (``{"S3ReadPolicy": {...}}``), scoped by AWS by design, is not
    modelled: it is counted as not evaluated (#17), at its line."""
    written = m.located(("Resources", res.logical, "Properties", "Policies", index))
    location = written or m.at(res, "Policies", index).location
    name = shorten(", ".join(sorted(entry)))
    gap = NotEvaluated(
        NotEvaluatedKind.POLICY_DOCUMENT,
        f"{res.logical}#Policies[{index}]",
        location,
        SAM_TEMPLATE,
        name,
    )
    m.not_evaluated.append(gap)


def implicit_roles(resources: Mapping[str, JSONValue]) -> dict[str, str]:
    """Logical ID -> type of the roles SAM creates (:func:`add_serverless_function`), so
    that ``!GetAtt FnRole.Arn`` refers to that role like to any resource."""
    roles: dict[str, str] = {}
    for logical, raw in resources.items():
        if not isinstance(raw, Mapping):
            continue
        kind = raw.get("Type")
        if not isinstance(kind, str) or kind not in SAM_SERVICES:
            continue
        props = raw.get("Properties")
        if not isinstance(props, Mapping) or props.get("Role") is None:
            roles[f"{logical}{_SAM_ROLE_SUFFIX}"] = "AWS::IAM::Role"
    return roles


def _sam_inline(
    m: _Mapper, res: CfnResource, role: str, part: str, pointer: tuple[str | int, ...]
) -> None:
    """An inline document of the function's ``Policies``, held by its role but written at
    the function (node id ``<Function>#<part>``)."""
    m.builder.embed_inline_policy(
        role,
        part,
        None,
        m.document(res, *pointer),
        res.origin,
        link_origin=m.at(res, *pointer),
        reason="Policies",
        written_at=res.logical,
    )


def _lambda_permission(m: _Mapper, res: CfnResource) -> None:
    props = res.properties
    principal = text(pick(props.get("Principal"), lambda v: v == "*"))
    m.builder.lambda_permissions.append(
        LambdaPermission(
            res.logical,
            res.origin,
            principal=principal or Unknown(f"{res.logical}.Principal"),
            action=text(props.get("Action")) or Unknown(f"{res.logical}.Action"),
            source_arn=text(pick(props.get("SourceArn"), lambda v: v is None)) or None,
            source_account=text(props.get("SourceAccount")) or None,
            principal_org_id=text(props.get("PrincipalOrgID")) or None,
        )
    )


def _trail(m: _Mapper, res: CfnResource) -> None:
    props = res.properties
    m.builder.trails.append(
        Trail(
            res.logical,
            res.origin,
            multi_region=flag(props.get("IsMultiRegionTrail"), firing=False),
            log_file_validation=flag(props.get("EnableLogFileValidation"), firing=False),
            logging_enabled=flag(props.get("IsLogging"), firing=False),
        )
    )


def _instance_profile(m: _Mapper, res: CfnResource) -> None:
    roles = m.principal_targets(res.properties.get("Roles"), PrincipalKind.ROLE)
    m.builder.add_to_instance_profile(roles, res.logical, res.origin, res.type)


def _user_to_group(m: _Mapper, res: CfnResource) -> None:
    groups = m.principal_targets(res.properties.get("GroupName"), PrincipalKind.GROUP)
    users = m.principal_targets(res.properties.get("Users"), PrincipalKind.USER)
    m.builder.add_members(users, groups, res.origin, res.type)


_HANDLERS: Final[Mapping[str, Callable[[_Mapper, CfnResource], None]]] = {
    "AWS::IAM::AccessKey": lambda m, res: m.add_access_key(res),
    "AWS::IAM::UserToGroupAddition": _user_to_group,
    "AWS::IAM::InstanceProfile": _instance_profile,
    "AWS::Lambda::Permission": _lambda_permission,
    "AWS::CloudTrail::Trail": _trail,
}


def add_parameters(m: _Mapper) -> None:
    """Each parameter ``Default`` as a config block ``Parameters.NAME`` (IAM101), the
    value stored under the parameter's name as a Terraform variable's is."""
    parameters = m.template.get("Parameters")
    if not isinstance(parameters, Mapping):
        return
    for name, spec in parameters.items():
        if not isinstance(spec, Mapping) or "Default" not in spec:
            continue
        address = f"Parameters.{name}"
        origin = m.origin(address, ("Parameters", name), None)
        kind = spec.get("Type")
        default = spec["Default"]
        values = {name: str(default) if default is not None else None}
        block = ConfigBlock(
            "parameter", kind if isinstance(kind, str) else "", address, origin, values
        )
        m.builder.config_blocks.append(block)


def add_output_values(m: _Mapper) -> None:
    """Each output ``Value`` as written, as a config block ``Outputs.NAME`` (IAM101): a
    key pasted into an output is shown to whoever can describe the stack."""
    for name, spec in _outputs(m):
        origin = output_origin(m, name)
        block = ConfigBlock("output", "", origin.address, origin, {name: spec["Value"]})
        m.builder.config_blocks.append(block)


def resolve_outputs(m: _Mapper) -> None:
    """Resolve every output's ``Value``, which records the secrets flowing into it."""
    for name, spec in _outputs(m):
        condition = spec.get("Condition")
        cond = condition if isinstance(condition, str) else None
        pointer = ("Outputs", name, "Value")
        m.resolver.resolve(spec["Value"], pointer, pointer, cond)


def _outputs(m: _Mapper) -> Iterator[tuple[str, Mapping[str, JSONValue]]]:
    """Each output of the template that has a ``Value``, by name."""
    outputs = m.template.get("Outputs")
    for name, spec in outputs.items() if isinstance(outputs, Mapping) else ():
        if isinstance(spec, Mapping) and "Value" in spec:
            yield str(name), spec


def output_origin(m: _Mapper, name: str) -> Origin:
    """The origin of output *name*: address ``Outputs.NAME``, with its condition."""
    return m.origin(
        f"Outputs.{name}", ("Outputs", name), m.resolver.condition_at(("Outputs", name, "Value"))
    )


def known_arns(resources: Mapping[str, JSONValue]) -> dict[str, str]:
    """ARNs that ``Ref``/``Fn::GetAtt .Arn`` return and the template determines: an
    ``AWS::IAM::OIDCProvider`` with a literal ``Url`` (a GitHub trust names its issuer)."""
    arns: dict[str, str] = {}
    for logical, raw in resources.items():
        if not isinstance(raw, Mapping) or raw.get("Type") != "AWS::IAM::OIDCProvider":
            continue
        props = raw.get("Properties")
        url = props.get("Url") if isinstance(props, Mapping) else None
        if isinstance(url, str) and url.strip():
            issuer = url.strip().removeprefix("https://").rstrip("/")
            arns[logical] = f"arn:aws:iam::${{AWS::AccountId}}:oidc-provider/{issuer}"
    return arns


def password_parameters(
    resources: Mapping[str, JSONValue], parameters: Mapping[str, JSONValue]
) -> dict[str, str]:
    """Parameter -> user, for each user whose ``LoginProfile.Password`` is ``Ref`` of a
    parameter: a reference to that parameter elsewhere exposes the console password."""
    found: dict[str, str] = {}
    for logical, raw in resources.items():
        if not isinstance(raw, Mapping) or raw.get("Type") != "AWS::IAM::User":
            continue
        props = raw.get("Properties")
        profile = props.get("LoginProfile") if isinstance(props, Mapping) else None
        password = profile.get("Password") if isinstance(profile, Mapping) else None
        name = password.get("Ref") if isinstance(password, Mapping) else None
        if isinstance(name, str) and name in parameters:
            found[name] = logical
    return found


def add_globals(m: _Mapper) -> None:
    """Each section of SAM ``Globals`` (``Function``, ``Api`` ...) as a config block
    ``Globals.SECTION``: its values (environment variables ...) reach every resource of
    that kind, so a key written there is reported once, there (IAM101)."""
    sections = m.template.get("Globals")
    if not isinstance(sections, Mapping):
        return
    for section, values in sections.items():
        if isinstance(values, Mapping):
            address = f"Globals.{section}"
            origin = m.origin(address, ("Globals", section), None)
            m.builder.config_blocks.append(ConfigBlock("globals", section, address, origin, values))
