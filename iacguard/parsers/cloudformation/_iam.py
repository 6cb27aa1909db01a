"""Map CloudFormation resources onto the IAM graph through the verbs of
:class:`~iacguard.parsers._graph_builder.IamGraphBuilder`, so that nodes, ids and edges
are those of a Terraform input and every check works unchanged.

Node ids are logical IDs; a document embedded in a larger resource adds ``#Property``
(``Role#AssumeRolePolicyDocument``, ``Role#Policies[0]``). Findings about properties of
a principal (``Policies``, ``ManagedPolicyArns``, ``LoginProfile``) are reported at the
principal, as rules.md says for CloudFormation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Final

from iacguard.budget import WorkBudget
from iacguard.coverage import NotEvaluated
from iacguard.graph import Graph
from iacguard.model import (
    ConfigBlock,
    Location,
    LoginProfile,
    Origin,
    Pointer,
    Policy,
    PolicyDocument,
    PolicyKind,
    Principal,
    PrincipalKind,
    RawValue,
    Reference,
    SourceKind,
    Unknown,
)
from iacguard.parsers._graph_builder import IamGraphBuilder
from iacguard.parsers._source import JSONValue
from iacguard.parsers.cloudformation import _resources as extra
from iacguard.parsers.cloudformation._transforms import KNOWN_TRANSFORMS
from iacguard.parsers.cloudformation._values import (
    SECRET_ATTRIBUTE,
    Resolver,
    flag,
    items,
    parameter_defaults,
    pick,
    referenced,
    sub_document,
    text,
)

_PRINCIPAL_TYPES: Final = {
    "AWS::IAM::User": (PrincipalKind.USER, "UserName"),
    "AWS::IAM::Group": (PrincipalKind.GROUP, "GroupName"),
    "AWS::IAM::Role": (PrincipalKind.ROLE, "RoleName"),
}
#: standalone inline policies: type -> (property naming the holder, its kind)
_INLINE_TYPES: Final = {
    "AWS::IAM::RolePolicy": ("RoleName", PrincipalKind.ROLE),
    "AWS::IAM::UserPolicy": ("UserName", PrincipalKind.USER),
    "AWS::IAM::GroupPolicy": ("GroupName", PrincipalKind.GROUP),
}
#: ``AWS::IAM::Policy`` / ``ManagedPolicy`` properties listing principals
_HOLDER_PROPERTIES: Final = (
    ("Users", PrincipalKind.USER),
    ("Groups", PrincipalKind.GROUP),
    ("Roles", PrincipalKind.ROLE),
)


@dataclass(frozen=True, slots=True)
class CfnResource:
    """One resource of a template, its properties resolved."""

    logical: str
    type: str
    properties: Mapping[str, RawValue]
    #: the resource (its logical ID line), with its ``Condition`` if it has one
    origin: Origin


#: transforms CloudFormation itself runs; iacguard reads the properties they leave alone
#: (the blue/green transform is not expanded, and says so, but changes no IAM property)
_AWS_TRANSFORMS: Final = KNOWN_TRANSFORMS | {"AWS::CodeDeployBlueGreen"}


def macro_transforms(value: JSONValue) -> tuple[str, ...]:
    """The names of the macros a template's ``Transform`` runs, in order: every transform
    but those of :data:`_AWS_TRANSFORMS` (``AWS::Include`` with its snippet, account-defined
    macros). A ``Transform`` may be one name, a ``{"Name": ...}`` mapping or a list of both.
    """
    names: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        name = item.get("Name") if isinstance(item, Mapping) else item
        if isinstance(name, str) and name not in _AWS_TRANSFORMS:
            names.append(name)
    return tuple(names)


def build_graph(
    template: Mapping[str, JSONValue],
    positions: Mapping[Pointer, tuple[int, int]],
    display: PurePosixPath,
    budget: WorkBudget,
) -> tuple[Graph, tuple[NotEvaluated, ...]]:
    """Map a decoded template (plain data and its position table) onto a new IAM graph,
    and say what of it is not evaluated beyond what the graph holds as Unknown.

    :param budget: the scan's work budget, spent resolving intrinsic functions.
    :raises WorkBudgetExhausted: the budget is spent.
    """
    mapper = _Mapper(template, positions, display, budget)
    return mapper.build(), tuple(mapper.not_evaluated)


class _Mapper:
    """Builds the graph of one template."""

    def __init__(
        self,
        template: Mapping[str, JSONValue],
        positions: Mapping[Pointer, tuple[int, int]],
        display: PurePosixPath,
        budget: WorkBudget,
    ) -> None:
        self.template = template
        self.positions = positions
        self.display = display
        self.builder = IamGraphBuilder()
        raw = template.get("Resources")
        self.raw: Mapping[str, JSONValue] = raw if isinstance(raw, Mapping) else {}
        types = {
            name: str(res.get("Type"))
            for name, res in self.raw.items()
            if isinstance(res, Mapping) and isinstance(res.get("Type"), str)
        }
        types = {**extra.implicit_roles(self.raw), **types}
        raw_parameters = template.get("Parameters")
        parameters = raw_parameters if isinstance(raw_parameters, Mapping) else {}
        mappings = template.get("Mappings")
        self.resolver = Resolver(
            positions,
            types,
            frozenset(parameters),
            mappings if isinstance(mappings, Mapping) else {},
            defaults=parameter_defaults(parameters),
            arns=extra.known_arns(self.raw),
            password_parameters=extra.password_parameters(self.raw, parameters),
            budget=budget,
        )
        self.resources: list[CfnResource] = []
        #: what the template holds that is not evaluated and not in the graph as Unknown
        self.not_evaluated: list[NotEvaluated] = []
        self.macros = macro_transforms(template.get("Transform"))

    # ------------------------------------------------------------------ helpers

    def location(self, pointer: Pointer) -> Location:
        line, column = self.positions.get(pointer, (None, None))
        return Location(self.display, line, column)

    def origin(self, address: str, pointer: Pointer, condition: str | None) -> Origin:
        return Origin(SourceKind.CLOUDFORMATION, address, self.location(pointer), (), condition)

    def at(self, res: CfnResource, *pointer: str | int) -> Origin:
        """*res*'s origin pointing at a property, with the condition of that element."""
        out = ("Resources", res.logical, "Properties", *pointer)
        condition = self.resolver.condition_at(out)
        return replace(res.origin.at("Properties", *pointer), condition=condition)

    def located(self, *pointers: Pointer) -> Location | None:
        """Where the first of output *pointers* the template places is written, if any."""
        for pointer in pointers:
            if (place := self.resolver.places.get(pointer)) is not None:
                return Location(self.display, *place)
        return None

    def document(self, res: CfnResource, *pointer: str | int) -> PolicyDocument | Unknown:
        """The policy document at property *pointer* of *res*; each statement carries its
        own line and condition when the template gives them."""
        value: RawValue = res.properties
        for part in pointer:
            if isinstance(value, Mapping) and isinstance(part, str):
                value = value.get(part)
            elif isinstance(value, tuple) and isinstance(part, int) and part < len(value):
                value = value[part]
            else:
                value = None
        origin = self.at(res, *pointer)
        if value is None and self.macros:
            # a macro rewrites the template before CloudFormation reads it: a document the
            # resource lacks here may well be one the macro writes
            where = ".".join(str(part) for part in pointer)
            return Unknown(f"{res.logical}.{where} (left to macro {', '.join(self.macros)})")
        if (sub := self.resolver.sub_text(value)) is not None:
            value = sub_document(*sub) or value  # JSON text written with Fn::Sub
        if isinstance(value, tuple) and all(isinstance(v, Mapping) for v in value):
            value = _merge_documents(value)  # Fn::If between whole documents
        if isinstance(value, Mapping):
            value = _union_branches(value)
        document = self.builder.read_policy(value, origin)
        if not isinstance(document, PolicyDocument):
            return document
        base = ("Resources", res.logical, "Properties", *pointer, "Statement")
        statements = []
        for statement in document.statements:
            out = (*base, statement.index)
            location = self.located(out, base) or origin.location
            condition = self.resolver.condition_at(out) or self._inner_condition(out)
            new_origin = replace(statement.origin, location=location, condition=condition)
            statements.append(replace(statement, origin=new_origin))
        return replace(document, statements=tuple(statements))

    def _inner_condition(self, pointer: Pointer) -> str | None:
        """For an element holding an ``Fn::If`` value: the conditions it depends on."""
        return " and ".join(sorted(self.resolver.branch_points.get(pointer, ()))) or None

    def principal_targets(self, value: RawValue, kind: PrincipalKind) -> list[str]:
        """Edge targets for the principals a property names, each by name or ARN, by
        ``Ref``/``Fn::GetAtt``, or known only after apply."""
        targets: dict[str, None] = {}
        for item in items(value):
            if isinstance(item, str):
                targets[self.builder.principal_named(kind, item)] = None
            elif (ref := referenced(item)) is not None and self.builder.is_principal(
                ref.address, kind
            ):
                targets[ref.address] = None
            elif isinstance(item, Unknown):
                targets[self.builder.unknown_principal(kind, item.expr)] = None
        return list(targets)

    def policy_targets(self, value: RawValue, origin: Origin) -> list[str]:
        """The policy node ids a list of ARNs names (AWS-managed ARNs become nodes), each
        by ARN, by ``Ref``/``Fn::GetAtt``, or known only after apply (content unknown)."""
        targets: dict[str, None] = {}
        for item in items(value):
            if isinstance(item, str):
                targets[self.builder.policy_named(item, origin)] = None
            elif (ref := referenced(item)) is not None and self.builder.is_policy(ref.address):
                targets[ref.address] = None
            else:
                where = f"{origin.address}.{'.'.join(map(str, origin.pointer))}"
                targets[self.builder.unknown_policy(where)] = None
        return list(targets)

    # ------------------------------------------------------------------ passes

    def build(self) -> Graph:
        for logical, raw in self.raw.items():
            if isinstance(raw, Mapping) and isinstance(raw.get("Type"), str):
                self.resources.append(self._resource(logical, raw))
        for res in self.resources:
            self._add_node(res)
        for res in self.resources:
            extra.add_relations(self, res)
            # the literal text, intrinsics unresolved: a key in a Fn::Sub is still written
            literal = self.raw[res.logical].get("Properties")
            values = literal if isinstance(literal, Mapping) else {}
            self.builder.config_blocks.append(
                ConfigBlock("resource", res.type, res.logical, res.origin, values)
            )
        extra.resolve_outputs(self)
        self._add_secret_flows()
        extra.add_parameters(self)
        extra.add_output_values(self)
        extra.add_globals(self)
        return self.builder.build()

    def _resource(self, logical: str, raw: Mapping[str, JSONValue]) -> CfnResource:
        condition = raw.get("Condition")
        cond = condition if isinstance(condition, str) else None
        pointer = ("Resources", logical)
        properties = raw.get("Properties", {})
        resolved = self.resolver.resolve(
            properties, (*pointer, "Properties"), (*pointer, "Properties"), cond
        )
        values = resolved if isinstance(resolved, Mapping) else {}
        return CfnResource(logical, str(raw["Type"]), values, self.origin(logical, pointer, cond))

    def _add_node(self, res: CfnResource) -> None:
        props = res.properties
        if res.type in _PRINCIPAL_TYPES:
            kind, name_property = _PRINCIPAL_TYPES[res.type]
            given = text(props.get(name_property)) or Unknown(f"{res.logical}.{name_property}")
            path = text(props.get("Path"))
            self.builder.add_principal(Principal(kind, res.logical, given, res.origin, None, path))
            if kind is PrincipalKind.ROLE:
                self._add_trust(res, "AssumeRolePolicyDocument")
            self.add_embedded_policies(res, res.logical)
        elif res.type == "AWS::IAM::ManagedPolicy":
            name = text(props.get("ManagedPolicyName"))
            document = self.document(res, "PolicyDocument")
            policy = Policy(res.logical, PolicyKind.MANAGED, name, document, res.origin, None)
            self.builder.add_managed_policy(policy)
        elif res.type == "AWS::IAM::Policy" or res.type in _INLINE_TYPES:
            name = text(props.get("PolicyName"))
            document = self.document(res, "PolicyDocument")
            self.builder.add_inline_policy(res.logical, name, document, res.origin)
        elif res.type in extra.RESOURCE_POLICY_PROPERTIES:
            extra.add_resource_policy(self, res)
        elif res.type in extra.SAM_SERVICES:
            extra.add_serverless_function(self, res)
        elif res.type == "AWS::IAM::OIDCProvider":
            extra.add_oidc_provider(self, res)

    def _add_trust(self, res: CfnResource, prop: str) -> None:
        document = self.document(res, prop)
        self.builder.add_trust_policy(res.logical, prop, document, res.origin, "trust policy")

    def add_embedded_policies(self, res: CfnResource, holder: str) -> None:
        """The ``Policies`` property of a user, group or role: inline policies held by
        *holder*, each linked with the property as origin."""
        for index, block in enumerate(items(res.properties.get("Policies"))):
            if not isinstance(block, Mapping) or block.get("PolicyDocument") is None:
                continue
            document = self.document(res, "Policies", index, "PolicyDocument")
            self.builder.embed_inline_policy(
                holder,
                f"Policies[{index}]",
                text(block.get("PolicyName")),
                document,
                res.origin,
                link_origin=self.at(res, "Policies", index),
                reason="Policies",
            )

    # ------------------------------------------------------------------ IAM relations

    def add_principal_relations(self, res: CfnResource) -> None:
        """``Groups``, ``ManagedPolicyArns``, ``PermissionsBoundary`` and ``LoginProfile``
        of a user, group or role."""
        props = res.properties
        kind = _PRINCIPAL_TYPES[res.type][0]
        if kind is PrincipalKind.USER:
            groups = self.principal_targets(props.get("Groups"), PrincipalKind.GROUP)
            origin = self.at(res, "Groups")
            self.builder.add_members([res.logical], groups, origin, "Groups")
            profile = props.get("LoginProfile")
            if isinstance(profile, Mapping):
                reset = flag(profile.get("PasswordResetRequired"), firing=False)
                origin = self.at(res, "LoginProfile")
                login = LoginProfile(res.logical, origin, res.logical, reset)
                self.builder.login_profiles.append(login)
        origin = self.at(res, "ManagedPolicyArns")
        policies = self.policy_targets(props.get("ManagedPolicyArns"), origin)
        self.builder.attach(policies, [res.logical], origin, "ManagedPolicyArns")
        if kind is not PrincipalKind.GROUP:
            origin = self.at(res, "PermissionsBoundary")
            boundary = self.policy_targets(props.get("PermissionsBoundary"), origin)
            self.builder.set_boundary(boundary, res.logical, origin, "PermissionsBoundary")

    def add_policy_holders(self, res: CfnResource) -> None:
        """Principals an ``AWS::IAM::Policy`` (inline) or ``ManagedPolicy`` (attached) is on."""
        managed = res.type == "AWS::IAM::ManagedPolicy"
        for prop, kind in _HOLDER_PROPERTIES:
            targets = self.principal_targets(res.properties.get(prop), kind)
            if managed:
                self.builder.attach([res.logical], targets, self.at(res, prop), res.type)
            else:
                self.builder.hold_inline(res.logical, targets, res.origin, res.type)
        if res.type in _INLINE_TYPES:
            prop, kind = _INLINE_TYPES[res.type]
            targets = self.principal_targets(res.properties.get(prop), kind)
            self.builder.hold_inline(res.logical, targets, res.origin, res.type)

    def add_access_key(self, res: CfnResource) -> None:
        self.builder.add_access_key(
            res.logical,
            res.origin,
            self.principal_targets(res.properties.get("UserName"), PrincipalKind.USER),
            pick(res.properties.get("Status"), lambda v: v != "Inactive"),
            status_attribute="Status",
            encrypted=False,
        )

    def _add_secret_flows(self) -> None:
        """Every ``!GetAtt Key.SecretAccessKey`` outside the key (outputs and properties),
        and every output of a parameter that is a user's console password."""
        resources = {res.logical: res for res in self.resources}
        for out, key in self.resolver.secrets:
            if out[0] == "Outputs":
                origin = extra.output_origin(self, str(out[1]))
                encrypted = False
            elif (res := resources.get(str(out[1]))) is not None and len(out) > 3:
                condition = self.resolver.condition_at(out)
                origin = replace(res.origin.at(*out[2:]), condition=condition)
                encrypted = extra.ENCRYPTED_SINKS.get(res.type) == out[3]
            else:
                continue
            attribute_type, attribute = SECRET_ATTRIBUTE
            reference = Reference(origin, key, attribute_type, attribute, encrypted)
            self.builder.references.append(reference)
        for out, user in self.resolver.passwords:  # the parameter a console password is
            if out[0] == "Outputs":
                origin = extra.output_origin(self, str(out[1]))
                reference = Reference(origin, user, "AWS::IAM::User", "password", False)
                self.builder.references.append(reference)


def _union_branches(document: Mapping[str, RawValue]) -> Mapping[str, RawValue]:
    """*document* with the ``Fn::If`` alternatives of its statements read as a union:
    principals and conditions merged, and ``Allow`` winning over ``Deny``, so that a
    finding in either branch is reported."""
    statements = document.get("Statement")
    if not isinstance(statements, tuple | Mapping):
        return document
    fixed: list[RawValue] = []
    for statement in items(statements) if isinstance(statements, tuple) else (statements,):
        if not isinstance(statement, Mapping):
            fixed.append(statement)
            continue
        changed = dict(statement)
        for key in ("Principal", "NotPrincipal", "Condition"):
            if isinstance(value := statement.get(key), tuple):
                changed[key] = _merge_mappings(value)
        if isinstance(effect := statement.get("Effect"), tuple):
            changed["Effect"] = pick(effect, lambda v: v == "Allow")
        fixed.append(changed)
    return {**document, "Statement": tuple(fixed)}


def _merge_mappings(alternatives: tuple[RawValue, ...]) -> RawValue:
    """``("*", {"Service": "x"})`` as ``{"AWS": ("*",), "Service": ("x",)}``."""
    merged: dict[str, list[RawValue]] = {}
    for alternative in alternatives:
        entries = {"AWS": "*"} if alternative == "*" else alternative
        if not isinstance(entries, Mapping):
            return alternatives  # left for the document parser to report
        for key, value in entries.items():
            merged.setdefault(key, []).extend(items(value))
    return {key: tuple(values) for key, values in merged.items()}


def _merge_documents(documents: tuple[RawValue, ...]) -> Mapping[str, RawValue]:
    """One document holding the statements of every ``Fn::If`` branch."""
    statements: list[RawValue] = []
    version: RawValue = None
    for document in documents:
        if isinstance(document, Mapping):
            version = version or document.get("Version")
            statements += items(document.get("Statement"))
    return {"Version": version, "Statement": tuple(statements)}
