"""Terraform plan JSON (``terraform show -json``) into a :class:`TerraformConfig`.

What is read, and why:

- ``planned_values`` (walking ``child_modules``) is the future state of managed
  resources and of data sources deferred to apply; ``resource_changes`` adds which
  values are unknown (``after_unknown``) and which resources are deleted (those are
  not future state and are dropped).
- ``prior_state`` holds the data sources read at plan time: a fully known
  ``data.aws_iam_policy_document`` lives only there.
- ``configuration`` gives provider settings, output expressions, and the references of
  every attribute expression, used to link resources whose linking value (a role name,
  a policy ARN) is unknown at plan time. An optional+computed attribute that is
  unknown and absent from the configuration is *unset*, not unknown.
- In a plan made against a state, a role's ``inline_policy`` and ``managed_policy_arns``
  and a bucket's ``policy`` that the configuration does not set are the state's copies
  of what separate resources define; ``change.before`` of those resources (deleted ones
  included) and their planned values say which parts of a copy they replace
  (``_plan_copies``).

Unknown values carry the attribute references of their expression
(``_plan_references.attach_refs``): ``aws_iam_role.ci.arn`` written in module instance
``module.ci`` is ``AttributeRef("module.ci.aws_iam_role.ci", "arn")``; a module input
(``var.x``) is followed to the caller's argument and a module output
(``module.m.out``) to the output's expression in that instance; a ``local`` cannot be
followed (a plan has no locals). A deferred ``data "aws_iam_policy_document"`` is
rendered from its planned arguments, and a document attribute that is just its ``json``
gets that partly known document.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Final

from iacguard._text import first_few
from iacguard.budget import WorkBudget
from iacguard.errors import DependencyConflictError, ParseError, UnsupportedInputError
from iacguard.model import Location, Origin, RawValue, SourceKind, Unknown
from iacguard.parsers import ParsedInput
from iacguard.parsers._policy_document import PartialJSON
from iacguard.parsers._source import JSONValue, json_list, json_object
from iacguard.parsers.terraform._plan_copies import SEPARATE_TYPES, Separate, drop_defined_copies
from iacguard.parsers.terraform._plan_references import (
    ModuleConfig,
    PlanReferences,
    RefsFor,
    attach_refs,
    expression_references,
    fill_deferred_documents,
    render_deferred_document,
)
from iacguard.parsers.terraform._terraform import (
    SENSITIVE,
    ResolvedRef,
    TerraformConfig,
    TfBlock,
    TfOutput,
    TfResource,
    from_json,
    index_of,
    module_config_path,
    parse_resource_ref,
    split_address,
    strip_index,
)
from iacguard.results import Diagnostic, DiagnosticCode, DiagnosticLevel

if TYPE_CHECKING:
    from iacguard.parsers.terraform.hcl import SourceMap

#: plan format major versions this parser understands
SUPPORTED_MAJOR_VERSIONS: Final = ("0", "1")
#: keys of which a plan has at least one
_PLAN_KEYS: Final = ("planned_values", "resource_changes", "configuration", "prior_state")
#: attributes holding a policy document, filled in from the source when the plan has
#: them unknown (``json`` is the rendered ``aws_iam_policy_document``)
_DOCUMENT_ATTRIBUTES: Final = (
    "policy",
    "assume_role_policy",
    "access_policies",
    "access_policy",
    "policy_document",
    "json",
)
#: how deep module-variable references are followed before giving up
_MAX_REF_DEPTH: Final = 16


def looks_like_plan(data: JSONValue) -> bool:
    """True when *data* is a JSON object shaped like ``terraform show -json`` output."""
    return (
        isinstance(data, dict)
        and "format_version" in data
        and any(key in data for key in _PLAN_KEYS)
    )


def parse_plan(
    data: JSONValue, path: Path, display: PurePosixPath, source: Path | None = None
) -> ParsedInput:
    """Parse decoded plan JSON into its IAM graph.

    :param source: the Terraform root directory the plan was made from, if known: plan
        elements are then located at their ``.tf`` block, the suppression comments of
        the source apply, and policies unknown in the plan but known in the source are
        filled in (see :func:`with_source`). A source that does not parse is noted and
        the plan is scanned without it.
    :raises UnsupportedInputError: not a plan, or a plan format this version cannot read.
    """
    return plan_graph(read_plan(data, path, display), display, source)


def plan_graph(
    config: TerraformConfig,
    display: PurePosixPath,
    source: Path | None = None,
    budget: WorkBudget | None = None,
) -> ParsedInput:
    """The second half of :func:`parse_plan`: the graph of a plan read by :func:`read_plan`
    (a caller can free the decoded JSON in between).

    :param budget: the scan's work budget, spent evaluating *source* (default: a fresh one).
    """
    from iacguard.parsers.terraform._terraform_iam import build_graph

    if source is None:
        notes = tuple(_sensitive_documents(config, display))
        return ParsedInput(SourceKind.TERRAFORM_PLAN, build_graph(config), notes=notes)
    from iacguard.parsers import display_path
    from iacguard.parsers.terraform import hcl

    try:
        source_map = hcl.read_source(source, display_path(source), budget)
    except (ParseError, DependencyConflictError) as err:
        note = Diagnostic(
            DiagnosticLevel.WARNING,
            DiagnosticCode.INPUT_NOT_READ,
            f"{display}: its source {display_path(source)} is not used: {err}",
        )
        return ParsedInput(SourceKind.TERRAFORM_PLAN, build_graph(config), notes=(note,))
    stale = _stale_plan(config, source_map, display, display_path(source))
    config = with_source(config, source_map)
    addresses = [r.address for r in config.resources]
    addresses += [o.origin.address for o in config.outputs] + [b.address for b in config.blocks]
    suppressions = tuple(hcl.bind_suppressions(source_map.comments, addresses))
    graph = build_graph(config)
    notes = (*stale, *source_map.notes, *_sensitive_documents(config, display))
    return ParsedInput(SourceKind.TERRAFORM_PLAN, graph, suppressions, notes)


def _stale_plan(
    config: TerraformConfig, source: SourceMap, display: PurePosixPath, shown: PurePosixPath
) -> tuple[Diagnostic, ...]:
    """One WARNING when the root module of the plan's configuration and of its source
    declare different resources: the plan was made from other ``.tf`` files (it is
    stale, or the source is another root), and what only the source declares is not
    scanned; none when they agree or the plan does not carry its configuration."""
    planned, written = config.root_resource_blocks, source.config.root_resource_blocks
    if planned is None or written is None:
        return ()
    only_source, only_plan = sorted(written - planned), sorted(planned - written)
    if not only_source and not only_plan:
        return ()
    parts = []
    if only_source:
        parts.append(f"the .tf files declare {first_few(only_source, 3)}, which the plan does not")
    if only_plan:
        parts.append(f"the plan has {first_few(only_plan, 3)}, which the .tf files do not declare")
    message = (
        f"{display}: the plan does not match its Terraform source ({shown}/*.tf): "
        f"{'; '.join(parts)}; "
        "the findings are the plan's: make the plan again, or scan the .tf files without it"
    )
    warning = Diagnostic(
        DiagnosticLevel.WARNING, DiagnosticCode.INPUT_NOT_READ, message, Location(display)
    )
    return (warning,)


def _sensitive_documents(config: TerraformConfig, display: PurePosixPath) -> Iterator[Diagnostic]:
    """One WARNING per policy document the plan marks sensitive and the source did not
    fill in: it is analysed as unknown, so findings in it are not reported."""
    for resource in config.resources:
        for attribute in _DOCUMENT_ATTRIBUTES:
            value = resource.values.get(attribute)
            if isinstance(value, Unknown) and value.expr.endswith(SENSITIVE):
                message = (
                    f"{display}: {resource.address}.{attribute} is marked sensitive in the "
                    "plan and not analysed (scan it with its Terraform source: --source DIR)"
                )
                yield Diagnostic(
                    DiagnosticLevel.WARNING,
                    DiagnosticCode.INPUT_NOT_READ,
                    message,
                    resource.origin.location,
                )


def with_source(config: TerraformConfig, source: SourceMap) -> TerraformConfig:
    """*config* (from a plan) with every element located at its ``.tf`` block, and each
    policy document that is unknown in the plan but known, or partly known
    (:class:`PartialJSON`), in the source filled in."""
    known = {r.address: r for r in source.config.resources}

    def locate(origin: Origin) -> Origin:
        module, rest = split_address(origin.address)
        location = source.locations.get((module_config_path(module), strip_index(rest)))
        return replace(origin, location=location) if location is not None else origin

    resources: list[TfResource] = []
    for resource in config.resources:
        values = dict(resource.values)
        from_source = known.get(resource.address)
        for attribute in _DOCUMENT_ATTRIBUTES:
            if isinstance(values.get(attribute), Unknown) and from_source is not None:
                value = from_source.values.get(attribute)
                if isinstance(value, str | PartialJSON):  # the plan knows nothing better
                    values[attribute] = value
        resources.append(replace(resource, origin=locate(resource.origin), values=values))
    outputs = tuple(replace(o, origin=locate(o.origin)) for o in config.outputs)
    blocks = tuple(replace(b, origin=locate(b.origin)) for b in config.blocks)
    return TerraformConfig(tuple(resources), outputs, blocks, config.root_resource_blocks)


def read_plan(data: JSONValue, path: Path, display: PurePosixPath) -> TerraformConfig:
    """Turn decoded plan JSON into a :class:`TerraformConfig`.

    :param data: the decoded JSON document.
    :param path: the file, for error messages.
    :param display: the file as reports show it (relative, POSIX).
    :raises UnsupportedInputError: not a plan, or a plan format this version cannot read.
    """
    if not looks_like_plan(data):
        raise UnsupportedInputError(
            path, "not a Terraform plan: expected the output of 'terraform show -json PLANFILE'"
        )
    version = data["format_version"]
    if not isinstance(version, str):
        raise UnsupportedInputError(path, "plan format_version must be a string such as '1.2'")
    if version.split(".")[0] not in SUPPORTED_MAJOR_VERSIONS:
        raise UnsupportedInputError(
            path, f"plan format_version {version!r} is not supported (supported: 0.x and 1.x)"
        )
    return _PlanReader(data, display).read()


def redact(value: JSONValue, *masks: JSONValue) -> JSONValue:
    """*value* with every part that one of *masks* marks sensitive replaced by
    :data:`SENSITIVE`.

    A mask is a plan's ``after_sensitive``/``before_sensitive``/``sensitive_values``:
    ``true`` for a sensitive value, an object or array of masks for its parts (any
    depth), anything else for nothing sensitive. Nothing downstream (checks, reports,
    views) then ever holds the value. Parts not marked are shared, not copied.
    """
    if any(mask is True for mask in masks):
        return SENSITIVE
    if isinstance(value, dict):
        inner = [mask for mask in masks if isinstance(mask, dict) and mask]
        if not inner:
            return value
        return {k: redact(v, *(mask.get(k) for mask in inner)) for k, v in value.items()}
    if isinstance(value, list):
        lists = [mask for mask in masks if isinstance(mask, list) and mask]
        if not lists:
            return value
        return [
            redact(item, *(mask[i] for mask in lists if i < len(mask)))
            for i, item in enumerate(value)
        ]
    return value


def merge_unknown(value: JSONValue, unknown: JSONValue, expr: str) -> RawValue:
    """Combine a planned value with its ``after_unknown`` mask into a RawValue.

    :param expr: the address of *value*, named by the :class:`Unknown` markers.
    """
    if unknown is True:
        return Unknown(expr)
    if not unknown or not isinstance(unknown, dict | list):
        return from_json(value)  # nothing unknown below: no markers, no addresses to build
    if isinstance(value, dict):
        mask = json_object(unknown)
        keys = list(value) + [k for k in mask if k not in value]
        return {k: merge_unknown(value.get(k), mask.get(k), f"{expr}.{k}") for k in keys}
    if isinstance(value, list):
        masks = unknown if isinstance(unknown, list) else []
        items = [
            merge_unknown(item, masks[i] if i < len(masks) else None, f"{expr}[{i}]")
            for i, item in enumerate(value)
        ]
        items += [Unknown(f"{expr}[{i}]") for i in range(len(value), len(masks)) if masks[i]]
        return tuple(items)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return None


def expression_value(expression: JSONValue, expr: str, refs_for: RefsFor | None = None) -> RawValue:
    """The literal value of a configuration expression; references become Unknown.

    :param refs_for: reads an expression's reference strings into the references its
        Unknown carries; without it, it carries none.
    """
    if isinstance(expression, list):  # nested blocks
        return tuple(
            expression_value(item, f"{expr}[{i}]", refs_for) for i, item in enumerate(expression)
        )
    body = json_object(expression)
    if "constant_value" in body:
        return merge_unknown(body["constant_value"], None, expr)
    if "references" in body:
        references = [r for r in json_list(body["references"]) if isinstance(r, str)]
        refs = refs_for(references) if refs_for is not None else ()
        return Unknown(", ".join(references) or expr, refs)
    return {k: expression_value(v, f"{expr}.{k}", refs_for) for k, v in body.items()}


class _PlanReader:
    """Reads one plan; holds the indexes the reference resolution needs."""

    def __init__(self, data: Mapping[str, JSONValue], display: PurePosixPath) -> None:
        self.data = data
        self.location = Location(display)
        configuration = json_object(data.get("configuration"))
        #: the module configurations and what their expressions refer to
        self.refs = PlanReferences(json_object(configuration.get("root_module")), _MAX_REF_DEPTH)
        self.modules = self.refs.modules
        self.changes = {
            rc["address"]: rc
            for rc in json_list(data.get("resource_changes"))
            if isinstance(rc, dict) and isinstance(rc.get("address"), str)
        }
        #: instance address -> (type, module instance, config address, index)
        self.instances: dict[str, tuple[str, str, str, str | None]] = {}
        #: (module instance, config address) -> instance addresses
        self.by_config: dict[tuple[str, str], list[str]] = {}

    def origin(self, address: str) -> Origin:
        return Origin(SourceKind.TERRAFORM_PLAN, address, self.location)

    # ------------------------------------------------------------------ configuration index

    def _config_of(self, module_instance: str, config_address: str) -> Mapping[str, JSONValue]:
        module = self.modules.get(module_config_path(module_instance))
        return module.resources.get(config_address, {}) if module else {}

    # ------------------------------------------------------------------ reading

    def read(self) -> TerraformConfig:
        raw: list[tuple[str, Mapping[str, JSONValue], JSONValue]] = []
        planned = json_object(self.data.get("planned_values"))
        for resource in _walk_resources(json_object(planned.get("root_module"))):
            change = json_object(self.changes.get(resource["address"], {}).get("change"))
            values = redact(
                resource.get("values"),
                resource.get("sensitive_values"),
                change.get("after_sensitive"),
            )
            resource = {**resource, "values": values}
            raw.append((resource["address"], resource, change.get("after_unknown")))
        seen = {address for address, _, _ in raw}
        for address, rc in self.changes.items():
            change = json_object(rc.get("change"))
            actions = json_list(change.get("actions"))
            if address in seen or ("delete" in actions and "create" not in actions):
                continue
            if isinstance(change.get("after"), dict):  # plans without planned_values
                merged = {**rc, "values": redact(change["after"], change.get("after_sensitive"))}
                raw.append((address, merged, change.get("after_unknown")))
                seen.add(address)
        prior = json_object(json_object(self.data.get("prior_state")).get("values"))
        for resource in _walk_resources(json_object(prior.get("root_module"))):
            if resource.get("mode") == "data" and resource["address"] not in seen:
                values = redact(resource.get("values"), resource.get("sensitive_values"))
                raw.append((resource["address"], {**resource, "values": values}, None))
                seen.add(resource["address"])
        for address, record, _ in raw:
            self._register_instance(address, record)
        resources = tuple(self._resource(a, r, u) for a, r, u in raw)
        resources = fill_deferred_documents(resources, _DOCUMENT_ATTRIBUTES)
        resources = drop_defined_copies(resources, self._separate(resources))
        return TerraformConfig(
            resources, tuple(self._outputs()), tuple(self._blocks()), self._root_resource_blocks()
        )

    def _root_resource_blocks(self) -> frozenset[str] | None:
        """The managed resources the plan's configuration declares in its root module."""
        if "configuration" not in self.data:
            return None
        root = json_object(json_object(self.data.get("configuration")).get("root_module"))
        return frozenset(
            resource["address"]
            for resource in map(json_object, json_list(root.get("resources")))
            if resource.get("mode", "managed") == "managed"
            and isinstance(resource.get("address"), str)
        )

    def _separate(self, resources: tuple[TfResource, ...]) -> Iterator[Separate]:
        """The planned and the prior values of the resources that define parts of
        computed copies (:mod:`._plan_copies`); prior values include deleted resources."""
        for resource in resources:
            if resource.mode == "managed" and resource.type in SEPARATE_TYPES:
                yield Separate(resource.type, resource.values, resource.links)
        for address, rc in self.changes.items():
            rtype = rc.get("type")
            if not (
                isinstance(rtype, str)
                and rtype in SEPARATE_TYPES
                and rc.get("mode", "managed") == "managed"
            ):
                continue
            change = json_object(rc.get("change"))
            before = redact(change.get("before"), change.get("before_sensitive"))
            if before:
                values = merge_unknown(before, None, address)
                yield Separate(rtype, _as_mapping(values), planned=False)

    def _register_instance(self, address: str, resource: Mapping[str, JSONValue]) -> None:
        module, step = split_address(address)
        config_address = strip_index(step)
        rtype = resource.get("type")
        rtype = (
            rtype if isinstance(rtype, str) else config_address.removeprefix("data.").split(".")[0]
        )
        self.instances[address] = (rtype, module, config_address, index_of(step))
        self.by_config.setdefault((module, config_address), []).append(address)

    def _resource(
        self, address: str, resource: Mapping[str, JSONValue], unknown: JSONValue
    ) -> TfResource:
        rtype, module, config_address, _ = self.instances[address]
        expressions = json_object(self._config_of(module, config_address).get("expressions"))
        merged = merge_unknown(json_object(resource.get("values")), unknown, address)
        values = dict(merged) if isinstance(merged, Mapping) else {}
        refs_for = partial(self.refs.attribute_refs, module=module)
        if expressions:  # unknown and not configured: an unset optional+computed attribute
            for key, value in values.items():
                if isinstance(value, Unknown) and key not in expressions:
                    values[key] = None
            if unknown:
                values = dict(_as_mapping(attach_refs(values, expressions, refs_for)))
        hidden = {key for key, value in values.items() if value == SENSITIVE}
        for attribute in hidden.intersection(_DOCUMENT_ATTRIBUTES):  # analysed as unknown
            values[attribute] = Unknown(f"{address}.{attribute} {SENSITIVE}")
        links = {
            key: refs
            for key, expression in expressions.items()
            if (refs := self._resolve_expression(expression, address, module))
        }
        mode = resource.get("mode") if resource.get("mode") in ("managed", "data") else "managed"
        if mode == "data" and rtype == "aws_iam_policy_document":
            render_deferred_document(values)
        literals = (
            _as_mapping(expression_value(expressions, address, refs_for)) if expressions else {}
        )
        return TfResource(address, str(mode), rtype, self.origin(address), values, links, literals)

    # ------------------------------------------------------------------ references

    def _resolve_expression(
        self, expression: JSONValue, referrer: str, module: str, depth: int = 0
    ) -> tuple[ResolvedRef, ...]:
        """Every resource instance an expression (or its nested blocks) refers to."""
        found: dict[ResolvedRef, None] = {}
        refs = list(expression_references(expression))
        # Terraform lists aws_x.r["k"].arn, aws_x.r["k"] and aws_x.r: the bare resource
        # would stand for every instance, so it is dropped when an indexed form is there
        indexed = {ref.split("[", 1)[0] for ref in refs if "[" in ref}
        for ref in refs:
            if ref in indexed:
                continue
            for resolved in self._resolve_ref(ref, referrer, module, depth):
                found[resolved] = None
        return tuple(found)

    def _resolve_ref(
        self, ref: str, referrer: str, module: str, depth: int
    ) -> Iterator[ResolvedRef]:
        if depth > _MAX_REF_DEPTH:
            return
        if ref.startswith("var."):
            yield from self._resolve_variable(ref.split(".")[1], module, depth)
            return
        if ref.startswith("module."):
            yield from self._resolve_module_output(ref, module, depth)
            return
        parsed = parse_resource_ref(ref)
        if parsed is None:
            return
        config_address, index, attribute = parsed
        attribute = attribute.split("[", 1)[0]
        candidates = self.by_config.get((module, config_address), [])
        if index is not None:
            candidates = [c for c in candidates if self.instances[c][3] == index]
        elif len(candidates) > 1 and referrer in self.instances:
            same = [c for c in candidates if self.instances[c][3] == self.instances[referrer][3]]
            candidates = same or candidates
        for candidate in candidates:
            yield ResolvedRef(candidate, self.instances[candidate][0], attribute)

    def _resolve_variable(self, name: str, module: str, depth: int) -> Iterator[ResolvedRef]:
        """A module input: follow the calling module's argument expression."""
        if not module:
            return
        parent, expression = self.refs.module_argument(module, name)
        yield from self._resolve_expression(expression, "", parent, depth + 1)

    def _resolve_module_output(self, ref: str, module: str, depth: int) -> Iterator[ResolvedRef]:
        """``module.x.out`` (or ``module.x["k"].out``): follow the child's output."""
        steps = ref.split(".", 2)
        if len(steps) < 3:
            return
        call_step, output_name = f"module.{steps[1]}", steps[2].split(".", 1)[0]
        if "[" in call_step:  # module.x["k"] with a dotted key is not split correctly
            return
        child_path = (*module_config_path(module), steps[1])
        child = self.modules.get(child_path)
        if child is None or output_name not in child.outputs:
            return
        prefix = f"{module}.{call_step}" if module else call_step
        instances = {m for m, _ in self.by_config if m == prefix or m.startswith(prefix + "[")}
        expression = child.outputs[output_name].get("expression")
        for instance in sorted(instances):
            yield from self._resolve_expression(expression, "", instance, depth + 1)

    # ------------------------------------------------------------------ outputs and blocks

    def _outputs(self) -> Iterator[TfOutput]:
        root = self.modules.get((), ModuleConfig())
        changes = json_object(self.data.get("output_changes"))
        for name, output in root.outputs.items():
            refs = self._resolve_expression(output.get("expression"), "", "")
            sensitive = output.get("sensitive") is True or bool(
                json_object(changes.get(name)).get("after_sensitive")
            )
            yield TfOutput(name, self.origin(f"output.{name}"), refs, sensitive)

    def _blocks(self) -> Iterator[TfBlock]:
        configuration = json_object(self.data.get("configuration"))
        for key, provider in json_object(configuration.get("provider_config")).items():
            provider = json_object(provider)
            name = str(provider.get("name", key))
            alias = provider.get("alias")
            address = f"provider.{name}" + (f".{alias}" if isinstance(alias, str) else "")
            if ":" in key:  # provider configured inside a module: "module.x:aws"
                address = f"{key.split(':', 1)[0]}.{address}"
            values = expression_value(provider.get("expressions"), address)
            yield TfBlock("provider", name, address, self.origin(address), _as_mapping(values))
        root_config = json_object(configuration.get("root_module"))
        for name, output in json_object(root_config.get("outputs")).items():
            # only a wholly literal value is in the plan (one with a reference is not)
            expression = json_object(json_object(output).get("expression"))
            if "constant_value" in expression:
                address = f"output.{name}"
                values = {str(name): expression_value(expression, address)}
                yield TfBlock("output", "", address, self.origin(address), values)
        declared = json_object(root_config.get("variables"))
        given = json_object(self.data.get("variables"))
        for name in dict.fromkeys([*declared, *given]):
            value = json_object(given.get(name)).get(
                "value", json_object(declared.get(name)).get("default")
            )
            if json_object(declared.get(name)).get("sensitive") is True:
                value = SENSITIVE
            address = f"var.{name}"
            values = {name: merge_unknown(value, None, address)}
            yield TfBlock("variable", "", address, self.origin(address), values)


def _as_mapping(value: RawValue) -> Mapping[str, RawValue]:
    return value if isinstance(value, Mapping) else {}


def _walk_resources(
    module: Mapping[str, JSONValue], depth: int = 0
) -> Iterator[dict[str, JSONValue]]:
    """Resources of a ``planned_values``/``prior_state`` module, child modules included."""
    for resource in json_list(module.get("resources")):
        if isinstance(resource, dict) and isinstance(resource.get("address"), str):
            yield resource
    if depth < _MAX_REF_DEPTH:
        for child in json_list(module.get("child_modules")):
            yield from _walk_resources(json_object(child), depth + 1)
