"""Terraform HCL directories (root module plus local modules) into the IAM graph.

The configuration is evaluated as far as it can be before apply (see ``_hcl_module``)
into the same :class:`TerraformConfig` the plan parser makes, so every check works
unchanged. python-hcl2 is imported only when a directory is parsed.

Suppression comments, on the line above a block or an attribute of a block (other
comment lines may sit in between, blank lines may not)::

    ^\\s*(?:\\#|//)\\s*iacguard:ignore:(?P<rules>RULE(?:,RULE)*)(?::exp:(?P<expires>\\d{4}-\\d{2}-\\d{2}))?
    (?:\\s+(?P<reason>.*))?$        where RULE is [A-Z]{2,5}[0-9]{0,3} (an ID or a prefix)

e.g. ``# iacguard:ignore:IAM301 break-glass role, reviewed`` or
``// iacguard:ignore:IAM302,IAM303:exp:2027-01-31 until the bucket split``. Above a
block it covers the block's address (every instance of a ``count``/``for_each`` block:
``aws_iam_user.x[*]``, in every instance of its module); above an attribute it covers
findings whose pointer starts with that attribute.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Final, TypeAlias

from iacguard._text import first_few
from iacguard.budget import WorkBudget
from iacguard.coverage import NotEvaluated
from iacguard.model import Location, RawValue, SourceKind
from iacguard.parsers import ParsedInput
from iacguard.parsers._source import read_text
from iacguard.parsers.terraform._hcl_coverage import not_evaluated, of_graph_elements
from iacguard.parsers.terraform._hcl_files import has_config_files
from iacguard.parsers.terraform._hcl_module import (
    Configuration,
    ModuleInstance,
    SkipReason,
    is_local_source,
)
from iacguard.parsers.terraform._hcl_policy_document import with_placeholder_statements
from iacguard.parsers.terraform._hcl_syntax import Block
from iacguard.parsers.terraform._terraform import (
    TerraformConfig,
    TfBlock,
    TfOutput,
    TfResource,
    from_json,
    module_config_path,
    split_address,
    strip_index,
)
from iacguard.results import Diagnostic, DiagnosticCode, DiagnosticLevel, Suppression

SUPPRESSION: Final = re.compile(
    r"^\s*(?:#|//)\s*iacguard:ignore:"
    r"(?P<rules>[A-Z]{2,5}[0-9]{0,3}(?:\s*,\s*[A-Z]{2,5}[0-9]{0,3})*)"
    r"(?::exp:(?P<expires>\d{4}-\d{2}-\d{2}))?"
    r"(?:\s+(?P<reason>.*?))?\s*$"
)
_COMMENT: Final = re.compile(r"^\s*(?:#|//)")
#: a block's first line with a comment after its brace: the comment is about the block
_HEADER_COMMENT: Final = re.compile(
    r'^\s*(?:resource|data|module)\s+"[^"\n]*"(?:\s+"[^"\n]*")?\s*\{\s*(?P<comment>(?:#|//).*)$'
)
#: how many parent directories are searched for callers of a module directory
_PARENT_LEVELS: Final = 4


@dataclass(frozen=True, slots=True)
class Comment:
    """A suppression comment, before it is tied to addresses."""

    rules: tuple[str, ...]
    reason: str
    expires: datetime.date | None
    #: where the comment is
    location: Location
    #: the first line after the comment run: the block or attribute it is about
    target: int


@dataclass(frozen=True, slots=True)
class SourceMap:
    """A Terraform directory as the plan parser uses it to locate plan elements."""

    config: TerraformConfig
    #: (module call path, config address such as ``aws_iam_role.r``) -> the block's location
    locations: Mapping[tuple[tuple[str, ...], str], Location]
    #: (module call path, config address, suppression with an empty address): the
    #: comments, bound to concrete addresses by :func:`bind_suppressions`
    comments: tuple[tuple[tuple[str, ...], str, Suppression], ...]
    notes: tuple[Diagnostic, ...]
    #: what the evaluation could not evaluate (``_hcl_coverage``), of every resource
    not_evaluated: tuple[NotEvaluated, ...]


def terraform_roots(directories: list[Path]) -> list[Path]:
    """The root modules among *directories* (each holds ``.tf`` or ``.tf.json`` files),
    sorted.

    A directory is dropped when another given directory, or one of its own parent
    directories holding configuration files (a root whose plan is scanned instead),
    calls it as a local module: a ``module`` block, as parsed (overrides merged), whose
    ``source`` is ``./...`` or ``../...``. Text that only looks like such a call (in a
    comment, a string, a heredoc) calls nothing.
    """
    given = {d.resolve(): d for d in directories}
    callers = set(given)
    for resolved in given:
        callers.update(p for p in list(resolved.parents)[:_PARENT_LEVELS] if has_config_files(p))
    called: set[Path] = set()
    for caller in sorted(callers):
        targets = {(caller / source).resolve() for source in local_module_sources(caller)}
        called.update(targets - {caller})  # calling itself makes no module
    return sorted(d for r, d in given.items() if r not in called)


def local_module_sources(directory: Path) -> list[str]:
    """The local ``source`` paths of the module calls in *directory*; none when a file
    is not valid (the directory's own scan reports that)."""
    from iacguard.errors import ParseError
    from iacguard.parsers.terraform._hcl_eval import Evaluator
    from iacguard.parsers.terraform._hcl_files import config_files, load_module

    files = config_files(directory)
    if not any(_may_call_a_module(path) for path in files):
        return []  # no file has the words: parsing them all would find no call
    try:
        body = load_module(directory, lambda path: PurePosixPath(path.name))
    except ParseError:
        return []
    literals = Evaluator(_Literals(), directory, directory.resolve())
    sources: list[str] = []
    for call in body.blocks_of("module"):
        attribute = call.body.attributes.get("source")
        source = literals.value(attribute.expression) if attribute is not None else None
        if is_local_source(source):
            sources.append(source)
    return sources


def _may_call_a_module(path: Path) -> bool:
    """True when *path* has the words a module call needs (a cheap filter: most roots
    have ``source`` only in ``required_providers``)."""
    from iacguard.errors import ParseError

    try:
        text = read_text(path)
    except ParseError:
        return False
    return "module" in text and "source" in text


def parse_directory(
    path: Path,
    display: PurePosixPath,
    budget: WorkBudget | None = None,
    var_files: Sequence[Path] = (),
) -> ParsedInput:
    """Parse the Terraform root module in *path* (and its local modules).

    :param budget: the scan's work budget (a fresh default one when None).
    :param var_files: ``--var-file`` files, read after the root's automatic ones.
    :raises ParseError: a ``.tf`` file is not valid HCL (file, line and column).
    :raises WorkBudgetExhausted: evaluating the configuration spent the budget.
    """
    from iacguard.parsers.terraform._terraform_iam import build_graph

    source = read_source(path, display, budget, var_files)
    suppressions = tuple(bind_suppressions(source.comments, addresses_of(source.config)))
    graph = build_graph(source.config)
    gaps = of_graph_elements(source.not_evaluated, graph)
    return ParsedInput(SourceKind.TERRAFORM_HCL, graph, suppressions, source.notes, gaps)


def addresses_of(config: TerraformConfig) -> list[str]:
    """Every address findings of *config* can be reported at."""
    return (
        [r.address for r in config.resources]
        + [o.origin.address for o in config.outputs]
        + [b.address for b in config.blocks]
    )


#: (module call path, config address, pointer): what a line of a ``.tf`` file starts
_Target: TypeAlias = tuple[tuple[str, ...], str, tuple[str, ...]]


def read_source(
    path: Path,
    display: PurePosixPath,
    budget: WorkBudget | None = None,
    var_files: Sequence[Path] = (),
) -> SourceMap:
    """Evaluate the configuration in *path* and index its blocks and comments.

    :param budget: the scan's work budget (a fresh default one when None).
    :raises ParseError: a ``.tf`` file is not valid HCL.
    :raises WorkBudgetExhausted: evaluating the configuration spent the budget.
    """
    budget = budget or WorkBudget()
    variables = _tfvars(path, display, budget, var_files)
    configuration = Configuration(path, display, variables, budget)
    root = configuration.load()
    config = TerraformConfig(
        tuple(_resources(configuration)),
        tuple(_outputs(configuration, root)),
        tuple(_blocks(configuration, root)),
        frozenset(
            f"{block.labels[0]}.{block.labels[1]}"
            for block in root.body.blocks_of("resource")
            if len(block.labels) == 2
        ),
    )
    locations: dict[tuple[tuple[str, ...], str], Location] = {}
    targets: dict[tuple[PurePosixPath, int], list[_Target]] = {}
    for module in configuration.modules:
        for block in module.body.blocks:
            address = _config_address(block.type, block.labels, module)
            if address is None:
                continue
            locations[(module.path, address)] = Location(block.file, block.line)
            for line, pointer in _lines(block):
                targets.setdefault((block.file, line), []).append((module.path, address, pointer))
    # a module that is not read may create anything: the scan is incomplete, unless it
    # only waits for `terraform init` (one note for all of them: #14)
    notes = [
        Diagnostic(
            DiagnosticLevel.ERROR,
            DiagnosticCode.INPUT_NOT_READ,
            f"{s.call.file}:{s.call.line}: module '{s.call.labels[0]}' not followed: {s.why}; "
            "what it creates is not scanned",
            Location(s.call.file, s.call.line),
        )
        for s in configuration.skipped_modules
        if s.reason is not SkipReason.NOT_INSTALLED
    ]
    uninstalled = [
        s.call for s in configuration.skipped_modules if s.reason is SkipReason.NOT_INSTALLED
    ]
    if uninstalled:
        names = first_few(uninstalled, 5, show=lambda call: f"'{call.labels[0]}'")
        first = uninstalled[0]
        message = (
            f"{display}: {len(uninstalled)} module(s) from a registry or git not installed "
            f"({names}): run terraform init here to scan what they create"
        )
        notes.append(
            Diagnostic(
                DiagnosticLevel.NOTE,
                DiagnosticCode.INPUT_NOT_READ,
                message,
                Location(first.file, first.line),
            )
        )
    comments: list[tuple[tuple[str, ...], str, Suppression]] = []
    for tf, file in _files(configuration):
        for comment in suppression_comments(read_text(tf), file):
            found = targets.get((file, comment.target), [])
            if not found:
                notes.append(
                    Diagnostic(
                        DiagnosticLevel.WARNING,
                        DiagnosticCode.SUPPRESSION,
                        _MISPLACED,
                        comment.location,
                    )
                )
            for module_path, address, pointer in dict.fromkeys(found):
                suppression = Suppression(
                    comment.rules,
                    "",
                    comment.reason,
                    pointer,
                    comment.location,
                    comment.expires,
                    "hcl-comment",
                )
                comments.append((module_path, address, suppression))
    gaps = not_evaluated(configuration)
    return SourceMap(config, locations, tuple(comments), tuple(notes), gaps)


_MISPLACED: Final = (
    "suppression comment ignored: it is not above a resource, data, output, provider or "
    "variable block, nor above an attribute of one"
)


def _lines(block: Block) -> Iterator[tuple[int, tuple[str, ...]]]:
    """The lines a suppression comment may stand above, with the pointer it then has."""
    yield block.line, ()
    for name, attribute in block.body.attributes.items():
        yield attribute.line, (name,)
    for nested in block.body.blocks:
        label = nested.labels[0] if nested.type == "dynamic" and nested.labels else nested.type
        yield nested.line, (label,)


def _files(configuration: Configuration) -> Iterator[tuple[Path, PurePosixPath]]:
    """Each ``.tf`` file of the configuration, with its name in reports."""
    seen: set[PurePosixPath] = set()
    for module in configuration.modules:
        for block in module.body.blocks:
            if block.file not in seen:
                seen.add(block.file)
                yield module.directory / block.file.name, block.file


def suppression_comments(text: str, file: PurePosixPath) -> Iterator[Comment]:
    """The suppression comments of one file, each with the line it is about."""
    lines = text.splitlines()
    pending: list[tuple[int, re.Match[str]]] = []
    for number, line in enumerate(lines, start=1):
        if _COMMENT.match(line):
            if match := SUPPRESSION.match(line):
                pending.append((number, match))
            continue
        if (header := _HEADER_COMMENT.match(line)) and (
            match := SUPPRESSION.match(header["comment"])
        ):
            pending.append((number, match))
        for at, match in pending:
            expires = _date(match["expires"])
            rules = tuple(r.strip() for r in match["rules"].split(","))
            yield Comment(rules, match["reason"] or "", expires, Location(file, at), number)
        pending = []


def _date(text: str | None) -> datetime.date | None:
    if text is None:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return datetime.date.min  # an impossible date: reported as expired, never silent


def bind_suppressions(
    comments: tuple[tuple[tuple[str, ...], str, Suppression], ...], addresses: list[str]
) -> Iterator[Suppression]:
    """The suppressions of *comments* over concrete *addresses* (plan or HCL instances).

    One suppression per comment and module instance; an indexed resource gets the glob
    ``ADDRESS[*]`` so that one comment covers all its instances.
    """
    for module_path, config_address, template in comments:
        globs: dict[str, None] = {}
        for address in addresses:
            module, rest = split_address(address)
            if module_config_path(module) != module_path or strip_index(rest) != config_address:
                continue
            base = f"{module}.{config_address}" if module else config_address
            globs[base + ("[*]" if rest != config_address else "")] = None
        for glob in globs:
            yield Suppression(
                template.rules,
                glob,
                template.reason,
                template.pointer,
                template.location,
                template.expires,
                template.kind,
            )


def _config_address(kind: str, labels: tuple[str, ...], module: ModuleInstance) -> str | None:
    if kind in {"resource", "data"} and len(labels) == 2:
        return f"{'data.' if kind == 'data' else ''}{labels[0]}.{labels[1]}"
    if kind == "output" and len(labels) == 1 and not module.path:
        return f"output.{labels[0]}"
    if kind == "provider" and len(labels) == 1:
        return f"provider.{labels[0]}"
    if kind == "variable" and len(labels) == 1 and not module.path:
        return f"var.{labels[0]}"
    return None


def _resources(configuration: Configuration) -> Iterator[TfResource]:
    for inst in configuration.all_instances():
        evaluated, links = configuration.instance_values(inst)
        values = {name: with_placeholder_statements(v) for name, v in evaluated.items()}
        origin = configuration.origin(inst.address, inst.block)
        yield TfResource(inst.address, inst.mode, inst.type, origin, values, links)


def _outputs(configuration: Configuration, root: ModuleInstance) -> Iterator[TfOutput]:
    for block in root.body.blocks_of("output"):
        if len(block.labels) != 1:
            continue
        name = block.labels[0]
        _, refs = configuration.collect(partial(configuration.output, root, name))
        sensitive = (
            configuration.evaluator(root).value(block.body.attributes["sensitive"].expression)
            is True
            if "sensitive" in block.body.attributes
            else False
        )
        yield TfOutput(name, configuration.origin(f"output.{name}", block), refs, sensitive)


def _blocks(configuration: Configuration, root: ModuleInstance) -> Iterator[TfBlock]:
    from iacguard.parsers.terraform._hcl_literals import literal_blocks

    yield from literal_blocks(configuration)
    for module in configuration.modules:
        for block in module.body.blocks_of("provider"):
            if len(block.labels) != 1:
                continue
            values, _ = configuration.body_values(
                block.body, configuration.evaluator(module), "provider"
            )
            alias = values.get("alias")
            address = f"{module.prefix}provider.{block.labels[0]}" + (
                f".{alias}" if isinstance(alias, str) else ""
            )
            yield TfBlock(
                "provider", block.labels[0], address, configuration.origin(address, block), values
            )
    for block in root.body.blocks_of("variable"):
        if len(block.labels) == 1:
            address = f"var.{block.labels[0]}"
            value = configuration.variable(root, block.labels[0])
            yield TfBlock(
                "variable",
                "",
                address,
                configuration.origin(address, block),
                {block.labels[0]: value},
            )


def _tfvars(
    path: Path,
    display: PurePosixPath,
    budget: WorkBudget | None = None,
    var_files: Sequence[Path] = (),
) -> Mapping[str, RawValue]:
    """``terraform.tfvars``, ``terraform.tfvars.json`` and ``*.auto.tfvars`` /
    ``*.auto.tfvars.json`` of the root, then *var_files* (``--var-file``), in the order
    Terraform loads them (later wins).

    :raises ParseError: a file is not valid HCL or JSON, or a JSON one is no object.
    """
    from iacguard.errors import ParseError
    from iacguard.parsers._source import load_json
    from iacguard.parsers.terraform._hcl_eval import Evaluator, Session
    from iacguard.parsers.terraform._hcl_module import display_of
    from iacguard.parsers.terraform._hcl_syntax import parse_text

    automatic = (*path.glob("*.auto.tfvars"), *path.glob("*.auto.tfvars.json"))
    files = [
        path / "terraform.tfvars",
        path / "terraform.tfvars.json",
        *sorted(automatic),
        *var_files,
    ]
    values: dict[str, RawValue] = {}
    session = Session(budget or WorkBudget())
    for file in files:
        if not file.is_file():
            continue
        shown = display_of(file, path, display)
        if file.name.endswith(".json"):
            try:
                data = load_json(read_text(file), file)
            except ParseError as err:
                where = f"{shown}:{err.line}" if err.line else str(shown)
                raise ParseError(shown, f"{where}: {err.message}", err.line, err.column) from err
            if not isinstance(data, dict):
                raise ParseError(shown, f"{shown}: a variables file must hold a JSON object")
            values.update({str(name): from_json(value) for name, value in data.items()})
            continue
        body = parse_text(read_text(file), shown)
        ev = Evaluator(_Literals(), path, path.resolve(), session=session)
        values.update({n: ev.value(a.expression, f"var.{n}") for n, a in body.attributes.items()})
    return values


class _Literals:
    """tfvars hold literal values only: every reference is unknown."""

    def resolve(self, root: str, steps: object, ev: object) -> tuple[RawValue, int]:
        from iacguard.parsers.terraform._hcl_functions import EvalError

        raise EvalError(f"{root} in a tfvars file")
