"""A Terraform HCL configuration, evaluated as far as it can be before apply.

Modules are expanded into instances (local ``source`` only), resources into instances
(``count``/``for_each`` over known collections), and every value that is needed is
computed lazily and memoised: variables, locals, module outputs, resource attributes.
While a value is computed, the resource attributes it reads are recorded, so that each
attribute of a resource knows the resources it refers to (``TfResource.links``).

A resource attribute read by a reference is, when unknown, an :class:`Unknown` whose
``refs`` is exactly that attribute (``AttributeRef(instance address, attribute)``), the
instance address carrying the module instance's path; variables, locals and module
outputs hand such values on unchanged, so they keep the reference.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Final, TypeGuard

from iacguard.budget import WorkBudget
from iacguard.model import AttributeRef, Location, Origin, RawValue, SourceKind, Unknown
from iacguard.parsers.terraform._hcl_data_sources import managed_policy_attributes
from iacguard.parsers.terraform._hcl_eval import Evaluator, Session, Step, iterate
from iacguard.parsers.terraform._hcl_functions import (
    ANY,
    MAX_TOTAL_SIZE,
    MAX_VALUE_SIZE,
    EvalError,
    UnknownItems,
    convert,
    to_string,
    type_spec,
    value_size,
)
from iacguard.parsers.terraform._hcl_policy_document import render_policy_document
from iacguard.parsers.terraform._hcl_syntax import Block, Body, Node, name_of
from iacguard.parsers.terraform._terraform import SENSITIVE, ResolvedRef, strip_index
from iacguard.parsers.terraform._tf_modules import installed_modules


class SkipReason(Enum):
    """Why a module call is not followed; its value is what the not-evaluated records
    group it under (``coverage``)."""

    NO_SOURCE = "has no source"
    #: a source that is not a local path, and not installed by ``terraform init``
    NOT_INSTALLED = "source is not a local directory and is not installed (run terraform init)"
    CALLS_ITSELF = "calls itself"
    NOT_A_DIRECTORY = "source directory not found"


@dataclass(frozen=True, slots=True)
class SkippedModule:
    """A module call that is not followed: *why* says so in a sentence."""

    call: Block
    reason: SkipReason
    why: str


#: resource arguments and blocks that are not values of the resource
_META: Final = frozenset(
    {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}
)
#: how deep local modules are followed
MAX_MODULE_DEPTH: Final = 16
#: instances of one ``count``/``for_each`` block that are expanded; a larger count or
#: collection is taken as unknown (one instance), as a hostile input could ask for 10**12
MAX_INSTANCES: Final = 10_000
#: steps of the work budget each ``count``/``for_each`` instance (of a resource or a
#: module) spends: a few expressions in the input become a resource that the graph holds
#: and every check visits, so an instance costs what evaluating a hundred expressions does
INSTANCE_STEPS: Final = 100


def is_local_source(source: object) -> TypeGuard[str]:
    """True for a module ``source`` that is a local path (``./x``, ``../x``), which
    Terraform reads in place rather than installing."""
    return isinstance(source, str) and source.startswith(("./", "../"))


def display_of(path: Path, root: Path, display: PurePosixPath) -> PurePosixPath:
    """How reports name *path*, a file of the configuration rooted at *root*."""
    relative = os.path.relpath(path.resolve(), root.resolve())
    return PurePosixPath(os.path.normpath(display / PurePosixPath(Path(relative).as_posix())))


def instance_key(key: RawValue) -> str:
    """``0`` -> ``[0]``, ``"a"`` -> ``["a"]`` as Terraform writes instance addresses."""
    return f"[{key}]" if isinstance(key, int) else f"[{json.dumps(key)}]"


@dataclass(slots=True)
class ModuleInstance:
    """One instance of a module: the root, or ``module.a["x"]`` called by its parent."""

    #: ``""`` for the root, else ``module.a["x"].`` (ends with a dot)
    prefix: str
    directory: Path
    body: Body
    #: module call names from the root, e.g. ``("a", "b")``
    path: tuple[str, ...]
    parent: ModuleInstance | None = None
    call: Block | None = None
    #: ``each``/``count`` of this instance, for evaluating the call's arguments
    bindings: Mapping[str, RawValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Instance:
    """One resource (or data source) instance."""

    address: str
    mode: str
    type: str
    block: Block
    module: ModuleInstance
    #: ``each``/``count`` bindings of this instance
    bindings: Mapping[str, RawValue]
    #: the instance key, or None for a resource without count/for_each (or unknown ones)
    key: RawValue


class Configuration:
    """Evaluates one root module and its local modules (the resolver of references)."""

    def __init__(
        self,
        root: Path,
        display: PurePosixPath,
        tfvars: Mapping[str, RawValue],
        budget: WorkBudget | None = None,
    ) -> None:
        """:param budget: the scan's work budget (a fresh default one when None)."""
        self.root = root.resolve()
        #: shared by every evaluator of the configuration
        self.session = Session(budget or WorkBudget())
        self.display = display
        self.tfvars = tfvars
        self.memo: dict[tuple[str, ...], tuple[RawValue, tuple[ResolvedRef, ...]]] = {}
        self.busy: set[tuple[str, ...]] = set()
        self.collectors: list[dict[ResolvedRef, None]] = []
        self.modules: list[ModuleInstance] = []
        self.skipped_modules: list[SkippedModule] = []
        self._installed_modules: Mapping[tuple[str, ...], Path] | None = None
        self._instances: dict[tuple[str, str, str, str], list[Instance]] = {}
        #: (id of a module body, block type) -> first block by labels, built on first use
        self._blocks: dict[tuple[int, str], dict[tuple[str, ...], Block]] = {}
        self._bodies: dict[Path, Body] = {}
        self.values: dict[str, tuple[dict[str, RawValue], dict[str, tuple[ResolvedRef, ...]]]] = {}
        #: what resource values may still hold (see ``MAX_TOTAL_SIZE``)
        self.unspent = MAX_TOTAL_SIZE

    # ------------------------------------------------------------------ modules

    def load(self) -> ModuleInstance:
        """Load the root and every local module instance.

        :raises ParseError: a file is not valid HCL.
        """
        root = ModuleInstance("", self.root, self._body(self.root), ())
        self._expand_modules(root)
        return root

    def _installed(self) -> Mapping[tuple[str, ...], Path]:
        """The modules ``terraform init`` installed under the root, read on first use."""
        if self._installed_modules is None:
            self._installed_modules = installed_modules(self.root)
        return self._installed_modules

    def _body(self, directory: Path) -> Body:
        """Every ``.tf`` and ``.tf.json`` file of *directory* as one body, overrides merged
        (``_hcl_files.load_module``), read once.

        :raises ParseError: a file is not valid HCL or Terraform JSON, or an override has
            nothing to override.
        """
        if directory not in self._bodies:
            from iacguard.parsers.terraform._hcl_files import load_module

            display = partial(display_of, root=self.root, display=self.display)
            self._bodies[directory] = load_module(directory, display)
        return self._bodies[directory]

    def _skip(self, call: Block, reason: SkipReason, why: str) -> None:
        self.skipped_modules.append(SkippedModule(call, reason, why))

    def _expand_modules(self, module: ModuleInstance) -> None:
        self.modules.append(module)
        for call in module.body.blocks_of("module"):
            if not call.labels:
                continue
            if "source" not in call.body.attributes:
                self._skip(call, SkipReason.NO_SOURCE, "it has no source")
                continue
            source = self.evaluator(module).value(_expr(call, "source"))
            if is_local_source(source):
                directory = (module.directory / source).resolve()
            elif (installed := self._installed().get((*module.path, call.labels[0]))) is not None:
                directory = installed
            else:
                why = f"its {SkipReason.NOT_INSTALLED.value}"
                self._skip(call, SkipReason.NOT_INSTALLED, why)
                continue
            chain = {m.directory for m in _ancestors(module)}
            if len(module.path) >= MAX_MODULE_DEPTH or directory in chain:
                self._skip(call, SkipReason.CALLS_ITSELF, "it calls itself")
                continue
            if not directory.is_dir():
                self._skip(call, SkipReason.NOT_A_DIRECTORY, f"{source} is not a directory")
                continue
            body = self._body(directory)
            for key, bindings in self._expansion(call.body, self.evaluator(module)):
                step = f"module.{call.labels[0]}" + ("" if key is None else instance_key(key))
                child = ModuleInstance(
                    f"{module.prefix}{step}.",
                    directory,
                    body,
                    (*module.path, call.labels[0]),
                    module,
                    call,
                    bindings,
                )
                self._expand_modules(child)

    def _expansion(
        self, body: Body, ev: Evaluator
    ) -> Iterator[tuple[RawValue, Mapping[str, RawValue]]]:
        """``(key, bindings)`` per instance of a block with ``count``/``for_each``."""
        if "count" in body.attributes:
            count = ev.value(body.attributes["count"].expression)
            if isinstance(count, int) and not isinstance(count, bool) and count <= MAX_INSTANCES:
                for index in range(count):
                    self.session.budget.spend(INSTANCE_STEPS, "count instances")
                    yield index, {"count": {"index": index}}
                return
            yield None, {"count": {"index": Unknown("count.index")}}
            return
        if "for_each" in body.attributes:
            collection = ev.value(body.attributes["for_each"].expression)
            known = isinstance(collection, Mapping) or (
                isinstance(collection, tuple)
                and not any(isinstance(v, Unknown) for v in collection)
            )  # a set with an unknown element has unknown instance keys
            if (
                known
                and isinstance(collection, Mapping | tuple)
                and len(collection) <= MAX_INSTANCES
            ):
                keyed = (
                    collection
                    if isinstance(collection, Mapping)
                    else {to_string(v): v for v in collection if isinstance(v, str | int | float)}
                )
                for key in sorted(keyed):
                    self.session.budget.spend(INSTANCE_STEPS, "for_each instances")
                    yield key, {"each": {"key": key, "value": keyed[key]}}
                return
            yield None, {"each": {"key": Unknown("each.key"), "value": Unknown("each.value")}}
            return
        yield None, {}

    def evaluator(
        self, module: ModuleInstance, bindings: Mapping[str, RawValue] | None = None
    ) -> Evaluator:
        """An evaluator for expressions written in *module* (with ``each``/``count``)."""
        return Evaluator(
            _Scope(self, module), module.directory, self.root, bindings, session=self.session
        )

    # ------------------------------------------------------------------ resources

    def _block(self, body: Body, kind: str, labels: tuple[str, ...]) -> Block | None:
        """The first *kind* block of *body* with *labels* (indexed once per body)."""
        key = (id(body), kind)
        if key not in self._blocks:
            index: dict[tuple[str, ...], Block] = {}
            for block in body.blocks_of(kind):
                index.setdefault(block.labels, block)
            self._blocks[key] = index
        return self._blocks[key].get(labels)

    def instances(self, module: ModuleInstance, mode: str, rtype: str, name: str) -> list[Instance]:
        """The instances of one resource block of *module* (empty when not declared)."""
        key = (module.prefix, mode, rtype, name)
        if key in self._instances:
            return self._instances[key]
        self._instances[key] = []
        kind = "resource" if mode == "managed" else "data"
        block = self._block(module.body, kind, (rtype, name))
        found: list[Instance] = []
        if block is not None:
            base = f"{module.prefix}{'data.' if mode == 'data' else ''}{rtype}.{name}"
            for index, bindings in self._expansion(block.body, self.evaluator(module)):
                address = base if index is None else base + instance_key(index)
                found.append(Instance(address, mode, rtype, block, module, bindings, index))
        self._instances[key] = found
        return found

    def all_instances(self) -> Iterator[Instance]:
        """Every resource and data instance, module by module, in file order."""
        for module in self.modules:
            for block in module.body.blocks:
                if block.type in {"resource", "data"} and len(block.labels) == 2:
                    mode = "managed" if block.type == "resource" else "data"
                    yield from self.instances(module, mode, *block.labels)

    def instance_values(
        self, inst: Instance
    ) -> tuple[dict[str, RawValue], dict[str, tuple[ResolvedRef, ...]]]:
        """The evaluated attributes and nested blocks of *inst*, and their references."""
        if inst.address in self.values:
            return self.values[inst.address]
        self.values[inst.address] = ({}, {})  # a cycle reads an empty (unknown) resource
        if self.unspent <= 0:
            unknown: dict[str, RawValue] = {
                n: Unknown(f"{inst.address}.{n}") for n in inst.block.body.attributes
            }
            self.values[inst.address] = (unknown, {})
            return unknown, {}
        values, links = self.body_values(
            inst.block.body, self.evaluator(inst.module, inst.bindings), inst.address
        )
        self.unspent -= value_size(values)
        if inst.type == "aws_iam_policy_document" and inst.mode == "data":
            values["json"] = values["minified_json"] = render_policy_document(values)
        elif inst.type == "aws_iam_policy" and inst.mode == "data":
            values.update(managed_policy_attributes(values.get("arn")))
        self.values[inst.address] = (values, links)
        return values, links

    def body_values(
        self, body: Body, ev: Evaluator, expr: str
    ) -> tuple[dict[str, RawValue], dict[str, tuple[ResolvedRef, ...]]]:
        values: dict[str, RawValue] = {}
        links: dict[str, tuple[ResolvedRef, ...]] = {}
        for name, attribute in body.attributes.items():
            if name in _META:
                continue
            compute = partial(ev.value, attribute.expression, f"{expr}.{name}")
            values[name], refs = self.collect(compute)
            if refs:
                links[name] = refs
        nested: dict[str, list[RawValue]] = {}
        for block in body.blocks:
            if block.type in _META:
                continue
            label = block.labels[0] if block.type == "dynamic" and block.labels else block.type
            items, refs = self.collect(partial(self._block_items, block, ev, expr))
            nested.setdefault(label, []).extend(items if isinstance(items, tuple) else (items,))
            if refs:
                links[label] = (*links.get(label, ()), *refs)
        for label, items in nested.items():
            values[label] = tuple(items)
        return values, links

    def _block_items(self, block: Block, ev: Evaluator, expr: str) -> RawValue:
        if block.type != "dynamic":
            return (self._nested_values(block.body, ev, expr),)
        iterator = block.labels[0] if block.labels else "dynamic"
        if "iterator" in block.body.attributes:
            iterator = name_of(block.body.attributes["iterator"].expression)
        content = next(block.body.blocks_of("content"), None)
        if content is None or "for_each" not in block.body.attributes:
            return (Unknown(f"{expr}.dynamic.{iterator}"),)
        collection = ev.value(_expr(block, "for_each"), f"{expr}.dynamic")
        if isinstance(collection, Unknown):
            return (Unknown(f"{expr}.dynamic.{iterator}"),)
        try:
            pairs = list(iterate(collection))
        except EvalError:
            return (Unknown(f"{expr}.dynamic.{iterator}"),)
        return tuple(
            Unknown(f"{expr}.dynamic.{iterator}", v.refs)  # blocks that may not exist
            if isinstance(v, UnknownItems)
            else self._nested_values(
                content.body, ev.child({iterator: {"key": k, "value": v}}), expr
            )
            for k, v in pairs
        )

    def _nested_values(self, body: Body, ev: Evaluator, expr: str) -> dict[str, RawValue]:
        """The values of a nested block; its references count for the enclosing block."""
        values, links = self.body_values(body, ev, expr)
        for refs in links.values():
            for ref in refs:
                self.record(ref)
        return values

    def attribute(self, inst: Instance, name: str) -> RawValue:
        """The value of ``inst.name`` as another expression reads it (a reference).

        :returns: the known value; or, when the attribute is computed by the provider or
            its value is unknown, an :class:`Unknown` (a :class:`PartialJSON` stays one)
            whose only reference is ``AttributeRef(inst.address, name)``: the value *is*
            that attribute, whatever it is computed from.
        """
        self.record(ResolvedRef(inst.address, inst.type, name))
        values, _ = self.instance_values(inst)
        ref = (AttributeRef(inst.address, name),)
        if name not in values:
            return Unknown(f"{inst.address}.{name}", ref)
        value = values[name]
        if type(value) is Unknown:
            return Unknown(f"{inst.address}.{name}", ref)
        return replace(value, refs=ref) if isinstance(value, Unknown) else value

    # ------------------------------------------------------------------ memoised values

    def collect(self, compute: Callable[[], RawValue]) -> tuple[RawValue, tuple[ResolvedRef, ...]]:
        """Compute a value, returning the references it recorded too."""
        self.collectors.append({})
        try:
            value = compute()
        finally:
            refs = tuple(self.collectors.pop())
        return value, refs

    def record(self, ref: ResolvedRef) -> None:
        """Note that the value being computed reads *ref*."""
        if self.collectors:
            self.collectors[-1][ref] = None

    def memoised(self, key: tuple[str, ...], compute: Callable[[], RawValue]) -> RawValue:
        """A value computed once; its references are recorded at every use."""
        if key not in self.memo:
            if key in self.busy:
                return Unknown(" ".join(key))
            self.busy.add(key)
            try:
                value, refs = self.collect(compute)
                too_large = value_size(value) > MAX_VALUE_SIZE
                self.memo[key] = (Unknown(" ".join(key)) if too_large else value), refs
            finally:
                self.busy.discard(key)
        value, refs = self.memo[key]
        for ref in refs:
            self.record(ref)
        return value

    def variable(self, module: ModuleInstance, name: str) -> RawValue:
        """``var.NAME`` in *module*: the caller's argument, a tfvars value or the default."""
        return self.memoised((module.prefix, "var", name), lambda: self._variable(module, name))

    def _variable(self, module: ModuleInstance, name: str) -> RawValue:
        """The given value (caller's argument, tfvars) or the default, converted to the
        variable's type: absent ``optional()`` attributes get their defaults, as in
        Terraform; a null given to a ``nullable = false`` variable takes the default. A
        ``sensitive = true`` variable is unknown, as its value is in a plan: nothing
        derived from it reaches a report."""
        block = self._block(module.body, "variable", (name,))
        attributes = block.body.attributes if block is not None else {}
        ev = self.evaluator(module)
        if "sensitive" in attributes and ev.value(attributes["sensitive"].expression) is True:
            return Unknown(f"var.{name} {SENSITIVE}")
        spec = ANY
        if "type" in attributes:
            spec = type_spec(attributes["type"].expression, partial(ev.value, expr="optional"))
        given: RawValue = Unknown(f"var.{name}")
        unset = True
        if module.parent is not None and module.call is not None:
            if name in module.call.body.attributes:
                caller = self.evaluator(module.parent, module.bindings)
                given = caller.value(module.call.body.attributes[name].expression, f"var.{name}")
                unset = False
        elif name in self.tfvars:
            given, unset = self.tfvars[name], False
        nullable = "nullable" not in attributes or ev.value(attributes["nullable"].expression)
        if "default" in attributes and (unset or (given is None and nullable is False)):
            given = ev.value(attributes["default"].expression, f"var.{name}")
        return convert(given, spec)

    def local(self, module: ModuleInstance, name: str) -> RawValue:
        """``local.NAME`` in *module*."""

        def compute() -> RawValue:
            for block in module.body.blocks_of("locals"):
                if name in block.body.attributes:
                    expression = block.body.attributes[name].expression
                    return self.evaluator(module).value(expression, f"local.{name}")
            return Unknown(f"local.{name}")

        return self.memoised((module.prefix, "local", name), compute)

    def output(self, module: ModuleInstance, name: str) -> RawValue:
        """The value of output *name* of *module*."""

        def compute() -> RawValue:
            for block in module.body.blocks_of("output"):
                if block.labels == (name,) and "value" in block.body.attributes:
                    expression = block.body.attributes["value"].expression
                    return self.evaluator(module).value(expression, f"output.{name}")
            return Unknown(f"{module.prefix}output.{name}")

        return self.memoised((module.prefix, "output", name), compute)

    def children(self, module: ModuleInstance, call: str) -> list[ModuleInstance]:
        """The instances of module call *call* of *module*."""
        return [m for m in self.modules if m.parent is module and m.path[-1] == call]

    def origin(self, address: str, block: Block) -> Origin:
        """Where an element defined by *block* is reported."""
        return Origin(SourceKind.TERRAFORM_HCL, address, Location(block.file, block.line))


def _ancestors(module: ModuleInstance | None) -> Iterator[ModuleInstance]:
    while module is not None:
        yield module
        module = module.parent


def _expr(block: Block, name: str) -> Node:
    attribute = block.body.attributes.get(name)
    if attribute is None:
        raise EvalError(f"no {name}")
    return attribute.expression


class _Scope:
    """Resolves references written in one module instance."""

    def __init__(self, config: Configuration, module: ModuleInstance) -> None:
        self.config = config
        self.module = module

    def resolve(self, root: str, steps: Sequence[Step], ev: Evaluator) -> tuple[RawValue, int]:
        config, module = self.config, self.module
        first = steps[0][1] if steps and steps[0][0] == "attr" else None
        if root in {"var", "local"} and isinstance(first, str):
            lookup = config.variable if root == "var" else config.local
            return lookup(module, first), 1
        if root == "path" and first in {"module", "root", "cwd"}:
            return str(module.directory if first == "module" else config.root), 1
        if root == "terraform" and first == "workspace":
            return "default", 1
        if root == "module" and isinstance(first, str):
            value, used = self._module(first, steps[1:])
            return value, used + 1
        if root == "data" and isinstance(first, str) and len(steps) > 1:
            name = steps[1][1]
            if steps[1][0] == "attr" and isinstance(name, str):
                value, used = self._resource("data", first, name, steps[2:])
                return value, used + 2
        if isinstance(first, str) and root not in {"self", "each", "count"}:
            value, used = self._resource("managed", root, first, steps[1:])
            return value, used + 1
        raise EvalError(f"cannot resolve {root}")

    def _resource(
        self, mode: str, rtype: str, name: str, steps: Sequence[Step]
    ) -> tuple[RawValue, int]:
        config = self.config
        instances = config.instances(self.module, mode, rtype, name)
        if not instances:
            raise EvalError(f"{rtype}.{name} is not declared")
        used = 0
        if steps and steps[0][0] == "splat":
            attr = steps[1][1] if len(steps) > 1 and steps[1][0] == "attr" else None
            if not isinstance(attr, str):
                return _unknown_all(config, instances), 1
            name = attr
            return tuple(config.attribute(i, name) for i in instances), 2
        if instances[0].key is not None or (steps and steps[0][0] == "index"):
            key = steps[0][1] if steps and steps[0][0] == "index" else None
            chosen = [i for i in instances if i.key == key or i.key is None]
            if isinstance(key, Unknown) and len(steps) > 1 and steps[1][0] == "attr":
                # some instance, which one is unknown: the reference is to every instance
                attribute = steps[1][1]
                if isinstance(attribute, str):
                    _unknown_all(config, instances)
                    base = strip_index(instances[0].address)
                    return Unknown(f"{base}.{attribute}", (AttributeRef(base, attribute),)), 2
            if key is None or isinstance(key, Unknown) or len(chosen) != 1:
                return _unknown_all(config, chosen or instances), 1 if key is not None else 0
            instances, used = chosen, 1
        inst = instances[0]
        attribute = steps[used][1] if len(steps) > used and steps[used][0] == "attr" else None
        if isinstance(attribute, str):
            return config.attribute(inst, attribute), used + 1
        config.record(ResolvedRef(inst.address, inst.type, ""))
        return Unknown(inst.address), used

    def _module(self, call: str, rest: Sequence[Step]) -> tuple[RawValue, int]:
        children = self.config.children(self.module, call)
        used = 0
        if rest and rest[0][0] == "index":
            suffix = instance_key(rest[0][1]) + "."
            children = [c for c in children if c.prefix.endswith(suffix)]
            used = 1
        output = rest[used][1] if len(rest) > used and rest[used][0] == "attr" else None
        if len(children) != 1 or not isinstance(output, str):
            for child in children:  # e.g. values(module.x): depends on every instance
                for block in child.body.blocks_of("output"):
                    self.config.output(child, block.labels[0] if block.labels else "")
            return Unknown(f"module.{call}"), used
        return self.config.output(children[0], output), used + 1


def _unknown_all(config: Configuration, instances: list[Instance]) -> RawValue:
    for inst in instances:
        config.record(ResolvedRef(inst.address, inst.type, ""))
    return Unknown(instances[0].address if instances else "")
