"""Terraform configuration as the IAM mapper needs it, independent of plan or HCL input.

A parser (plan JSON now, HCL later) produces a :class:`TerraformConfig`: resource
instances with their values and, per attribute, the resources its expression refers to
(already resolved to instance addresses). ``_terraform_iam`` turns that into a graph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Final

from iacguard.model import Origin, RawValue
from iacguard.parsers._source import JSONValue
from iacguard.parsers.terraform._terraform_types import SECRET_ATTRIBUTES, WHOLE_OBJECT_SECRETS

#: what a sensitive value (marked so in a plan, or a ``sensitive = true`` variable in the
#: source) reads as, in every report and view
SENSITIVE: Final = "(sensitive)"


@dataclass(frozen=True, slots=True)
class ResolvedRef:
    """A reference from an expression to an attribute of a resource instance."""

    #: instance address, e.g. ``module.a["x"].aws_iam_role.r[0]``
    address: str
    #: resource type, e.g. ``aws_iam_role``
    type: str
    #: first attribute after the resource, e.g. ``name``; ``""`` for the whole resource
    attribute: str


def secret_refs(
    refs: Iterable[ResolvedRef], encrypted: Callable[[str], bool]
) -> Iterator[ResolvedRef]:
    """The references among *refs* that read a generated secret in plain text.

    A secret attribute (``aws_iam_access_key.k.secret``) is one; so is the whole object
    of a resource that carries one (``aws_iam_access_key.k``), read as that attribute,
    unless *encrypted* says a PGP key encrypts its secrets. A plan lists the resource
    next to each of its attributes read, so the whole object counts only when no
    attribute of the same instance is referenced.
    """
    refs = tuple(refs)
    read = {ref.address for ref in refs if ref.attribute}
    for ref in refs:
        if (ref.type, ref.attribute) in SECRET_ATTRIBUTES:
            yield ref
        elif (
            ref.attribute == ""
            and ref.type in WHOLE_OBJECT_SECRETS
            and ref.address not in read
            and not encrypted(ref.address)
        ):
            yield ResolvedRef(ref.address, ref.type, WHOLE_OBJECT_SECRETS[ref.type])


@dataclass(frozen=True, slots=True)
class TfResource:
    """One resource instance (managed or data) in its future state."""

    address: str
    #: ``"managed"`` or ``"data"``
    mode: str
    type: str
    origin: Origin
    #: attribute values; Unknown where only known after apply, None where unset
    values: Mapping[str, RawValue]
    #: top-level attribute name -> the references of its expression
    links: Mapping[str, tuple[ResolvedRef, ...]] = field(default_factory=dict)
    #: the literal values written in the configuration (references are Unknown); they
    #: can differ from ``values``, e.g. ``user_data`` is planned as a hash of the script
    literals: Mapping[str, RawValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TfOutput:
    """A root-module output and what its value is computed from."""

    name: str
    origin: Origin
    refs: tuple[ResolvedRef, ...]
    sensitive: bool


@dataclass(frozen=True, slots=True)
class TfBlock:
    """A provider configuration or a variable, with its literal values."""

    #: ``"provider"`` or ``"variable"``
    kind: str
    #: provider name (``aws``) or ``""``
    type: str
    address: str
    origin: Origin
    values: Mapping[str, RawValue]


@dataclass(frozen=True, slots=True)
class TerraformConfig:
    """Everything one Terraform input says about IAM, ready for the mapper."""

    resources: tuple[TfResource, ...]
    outputs: tuple[TfOutput, ...]
    blocks: tuple[TfBlock, ...]
    #: the ``resource`` blocks of the root module (``aws_iam_role.ci``), whatever their
    #: count; None when the input does not say (a plan without its configuration section)
    root_resource_blocks: frozenset[str] | None = None


#: ``aws_iam_role.name``, ``aws_iam_role.name[0]``, ``aws_iam_role.name["k"]``
_RESOURCE_STEP: Final = re.compile(
    r'(?:data\.)?[A-Za-z][\w-]*\.[A-Za-z_][\w-]*(?:\[(?:"[^"]*"|\d+)\])?'
)
_MODULE_STEP: Final = re.compile(r'module\.[A-Za-z_][\w-]*(?:\[(?:"[^"]*"|\d+)\])?')
_INDEX: Final = re.compile(r'\[(?:"[^"]*"|\d+)\]$')


def split_address(address: str) -> tuple[str, str]:
    """Split an instance address into its module instance and its resource part.

    ``module.a["x"].aws_iam_role.r[0]`` -> ``('module.a["x"]', 'aws_iam_role.r[0]')``.
    """
    module = ""
    rest = address
    while (match := _MODULE_STEP.match(rest)) and rest[match.end() : match.end() + 1] == ".":
        module = f"{module}.{match.group()}" if module else match.group()
        rest = rest[match.end() + 1 :]
    return module, rest


def strip_index(step: str) -> str:
    """``aws_iam_role.r[0]`` -> ``aws_iam_role.r``; ``module.a["x"]`` -> ``module.a``."""
    return _INDEX.sub("", step)


def index_of(step: str) -> str | None:
    """The index of an address step, as written (``0`` or ``"x"``), or None."""
    match = _INDEX.search(step)
    return match.group()[1:-1] if match else None


def module_config_path(module_instance: str) -> tuple[str, ...]:
    """``module.a["x"].module.b`` -> ``("a", "b")``: the call names, indexes dropped."""
    if not module_instance:
        return ()
    steps = _MODULE_STEP.findall(module_instance)
    return tuple(strip_index(step).removeprefix("module.") for step in steps)


def parse_resource_ref(ref: str) -> tuple[str, str | None, str] | None:
    """Read a reference like ``aws_iam_role.r[0].name`` or ``data.x.y.json``.

    :returns: ``(config address, index or None, attribute)`` or None when *ref* does not
        name a resource (``var.x``, ``local.y``, ``each.key`` ...).
    """
    head = ref.split(".", 1)[0]
    if head in {"var", "local", "each", "count", "path", "self", "terraform", "module"}:
        return None
    match = _RESOURCE_STEP.match(ref)
    if not match:
        return None
    step = match.group()
    attribute = ref[match.end() + 1 :].split(".", 1)[0] if len(ref) > match.end() else ""
    return strip_index(step), index_of(step), attribute


#: what a JSON value that is neither an object nor an array may be
_SCALARS: Final = (str, int, float, bool, type(None))


def from_json(value: JSONValue) -> RawValue:
    """Decoded JSON as a value (a plan's without an unknown mask, a ``.tfvars.json``
    variable): lists become tuples; a mapping of scalars is shared, not copied."""
    if isinstance(value, dict):
        for item in value.values():
            if isinstance(item, dict | list) or not isinstance(item, _SCALARS):
                return {k: from_json(v) for k, v in value.items()}
        return value  # only scalars: shared with the decoded JSON, not copied
    if isinstance(value, list):
        return tuple([from_json(item) for item in value])
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return None
