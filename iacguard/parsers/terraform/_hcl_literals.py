"""The values written literally in ``output`` and ``locals`` blocks, for IAM101.

A key pasted into an output or a local is as leaked as one in a provider block, but
neither is a resource: these blocks carry their text only. Every reference is left
unknown, so a value is reported where it is written, not again wherever it flows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from iacguard.model import Location, Origin, RawValue, SourceKind, Unknown
from iacguard.parsers.terraform._hcl_eval import Evaluator, Step
from iacguard.parsers.terraform._hcl_module import Configuration, ModuleInstance
from iacguard.parsers.terraform._hcl_syntax import Attribute, Block
from iacguard.parsers.terraform._terraform import TfBlock


class _ReferencesUnknown:
    """A resolver that knows no name: every reference evaluates to Unknown."""

    def resolve(self, root: str, steps: Sequence[Step], ev: Evaluator) -> tuple[RawValue, int]:
        return Unknown(root), len(steps)


def literal_blocks(configuration: Configuration) -> Iterator[TfBlock]:
    """One block per output (``output.NAME``) and per local (``local.NAME``) of every
    module, holding the literal parts of its value under its name; module outputs and
    locals carry the module instance's prefix."""
    for module in configuration.modules:
        for block in module.body.blocks_of("output"):
            if len(block.labels) == 1 and "value" in block.body.attributes:
                name = block.labels[0]
                attribute = block.body.attributes["value"]
                yield _block("output", name, block, attribute, module, configuration)
        for block in module.body.blocks_of("locals"):
            for name, attribute in block.body.attributes.items():
                yield _block("local", name, block, attribute, module, configuration)


def _block(
    kind: str,
    name: str,
    block: Block,
    attribute: Attribute,
    module: ModuleInstance,
    configuration: Configuration,
) -> TfBlock:
    evaluator = Evaluator(
        _ReferencesUnknown(), module.directory, configuration.root, session=configuration.session
    )
    address = f"{module.prefix}{kind}.{name}"
    line = block.line if kind == "output" else attribute.line
    origin = Origin(SourceKind.TERRAFORM_HCL, address, Location(block.file, line))
    return TfBlock(kind, "", address, origin, {name: evaluator.value(attribute.expression)})
