"""What an HCL configuration holds that is not evaluated (or not fully) and never reaches
the graph as an Unknown value: modules not followed, and ``count``/``for_each`` blocks
read as one instance because the number of instances is unknown (see ``coverage``)."""

from __future__ import annotations

from collections.abc import Mapping

from iacguard.coverage import (
    UNKNOWN_COUNT,
    UNKNOWN_FOR_EACH,
    NotEvaluated,
    NotEvaluatedKind,
)
from iacguard.graph import Graph
from iacguard.model import Location, RawValue, Unknown
from iacguard.parsers.terraform._hcl_module import Configuration, SkipReason
from iacguard.parsers.terraform._hcl_syntax import Body


def not_evaluated(configuration: Configuration) -> tuple[NotEvaluated, ...]:
    """The module calls *configuration* did not follow, and the module calls and
    resources whose ``count``/``for_each`` is unknown, each once."""
    found: dict[NotEvaluated, None] = {}
    for skipped in configuration.skipped_modules:
        call = skipped.call
        # one group per reason, not per missing directory: the directory is the detail
        missing = skipped.reason is SkipReason.NOT_A_DIRECTORY
        address = f"module.{call.labels[0]}"
        location = Location(call.file, call.line)
        why = f"not evaluated: {skipped.reason.value}"
        detail = skipped.why if missing else ""
        item = NotEvaluated(NotEvaluatedKind.MODULE, address, location, why, detail)
        found[item] = None
    for module in configuration.modules:
        if module.call is None:
            continue
        reason = _unknown_expansion(module.call.body, module.bindings)
        if reason is not None:
            address = module.prefix.removesuffix(".")
            location = Location(module.call.file, module.call.line)
            found[NotEvaluated(NotEvaluatedKind.MODULE, address, location, reason)] = None
    for inst in configuration.all_instances():
        reason = _unknown_expansion(inst.block.body, inst.bindings)
        if reason is not None:
            location = Location(inst.block.file, inst.block.line)
            found[NotEvaluated(NotEvaluatedKind.RESOURCE, inst.address, location, reason)] = None
    return tuple(found)


def of_graph_elements(items: tuple[NotEvaluated, ...], graph: Graph) -> tuple[NotEvaluated, ...]:
    """*items* without the resources that are not elements of *graph* (an ``aws_instance``
    read as one instance changes nothing IAM grants; a policy document data source shows
    through the policies that use it)."""
    elements = _addresses(graph)
    return tuple(
        item
        for item in items
        if item.kind is not NotEvaluatedKind.RESOURCE or item.address in elements
    )


def _unknown_expansion(body: Body, bindings: Mapping[str, RawValue]) -> str | None:
    """The reason a block with ``count``/``for_each`` was read as one instance, or None
    when its instances are known (or it has neither)."""
    for argument, binding, key, reason in (
        ("count", "count", "index", UNKNOWN_COUNT),
        ("for_each", "each", "key", UNKNOWN_FOR_EACH),
    ):
        if argument in body.attributes:
            values = bindings.get(binding)
            known = isinstance(values, Mapping) and not isinstance(values.get(key), Unknown)
            return None if known else reason
    return None


def _addresses(graph: Graph) -> set[str]:
    """The addresses of the resources *graph* holds an element of."""
    addresses = {p.address for p in graph.principals()}
    addresses.update(p.origin.address for p in graph.policies())
    addresses.update(e.origin.address for e in graph.edges())
    for elements in (graph.access_keys, graph.login_profiles, graph.mfa_devices):
        addresses.update(e.address for e in elements)
    return addresses
