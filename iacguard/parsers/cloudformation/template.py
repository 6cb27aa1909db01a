"""CloudFormation templates (YAML or JSON) read with cfn-lint's decoder into the IAM graph.

cfn-lint turns short tags (``!Ref``, ``!Sub``, ``!GetAtt A.B``) into their long form and
keeps 0-based marks on every node; here the marks become a side table from template
pointer to 1-based (line, column), and the tree becomes plain data. cfn-lint costs
about 0.4 s to import, so it is imported only when a template is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Final, NoReturn

from iacguard.budget import WorkBudget
from iacguard.errors import ParseError, UnsupportedInputError
from iacguard.model import Location, Pointer, SourceKind
from iacguard.parsers import ParsedInput
from iacguard.parsers._source import JSONValue
from iacguard.parsers.cloudformation._transforms import (
    LOOP_PREFIX,
    Positions,
    expand_loops,
    unexpanded_transforms,
)
from iacguard.parsers.cloudformation._values import KNOWN_FUNCTIONS
from iacguard.results import Suppression

#: suffixes a template may have
_SUFFIXES: Final = frozenset({".json", ".yaml", ".yml", ".template"})
#: a ``Resources`` or ``AWSTemplateFormatVersion`` key: double-quoted anywhere (JSON), or
#: plain or single-quoted after the line's indentation (group 1) or in a flow mapping
_TEMPLATE_KEY: Final = re.compile(
    r"""(?P<json>"(?:Resources|AWSTemplateFormatVersion)"[ \t]*:)"""
    r"""|(?:^(?P<indent>[ \t]*)|[{,][ \t]*)'?(?:Resources|AWSTemplateFormatVersion)'?[ \t]*:""",
    re.M,
)
#: the first line of a YAML document that holds content (not a comment, directive or
#: document marker): its indentation is that of the top-level keys
_FIRST_CONTENT: Final = re.compile(r"^([ \t]*)(?![#%\s]|---|\.\.\.)", re.M)
#: nodes a decoded template may have; more means YAML alias amplification
_MAX_NODES: Final = 200_000
#: the ``Metadata`` key holding iacguard's suppressions
_METADATA_KEY: Final = "iacguard"


def looks_like_template(path: Path, text: str) -> bool:
    """Cheap sniff, without importing cfn-lint: a template suffix and a top-level
    ``Resources`` or ``AWSTemplateFormatVersion`` key, in block style at the indentation
    of the document's first key (a document may be indented as a whole), or in a flow
    mapping (JSON, or YAML such as ``{AWSTemplateFormatVersion: ..., Resources: {...}}``).
    The parser then decides: a file without a ``Resources`` mapping is no template."""
    if path.suffix.lower() not in _SUFFIXES:
        return False
    first = _FIRST_CONTENT.search(text)
    indent = first[1] if first is not None else ""
    return any(
        key["json"] or key["indent"] in (None, indent) for key in _TEMPLATE_KEY.finditer(text)
    )


def parse_template(
    path: Path, display: PurePosixPath, text: str, budget: WorkBudget | None = None
) -> ParsedInput:
    """Parse a CloudFormation template into its IAM graph.

    :param path: the file, for error messages.
    :param display: how findings name the file.
    :param text: its decoded text.
    :param budget: the scan's work budget, spent resolving intrinsic functions (a fresh
        default one when None).
    :raises ParseError: invalid YAML or JSON, a duplicate key, an unknown tag or
        intrinsic function, YAML alias amplification, a malformed iacguard suppression
        or ``Fn::ForEach`` loop.
    :raises UnsupportedInputError: the file is valid YAML/JSON but not a template.
    :raises WorkBudgetExhausted: resolving the template spent the budget.
    """
    from iacguard.parsers.cloudformation._iam import build_graph

    decoded, positions = _decode(path, text)
    if not isinstance(decoded.get("Resources"), Mapping):
        raise UnsupportedInputError(path, "not a CloudFormation template (no Resources mapping)")
    notes = list(unexpanded_transforms(decoded, positions, display))
    template, unexpanded = expand_loops(decoded, positions, path, display)
    notes += unexpanded
    resources = template["Resources"]
    if not resources and not notes:
        raise UnsupportedInputError(path, "not a CloudFormation template (no resources)")
    graph, gaps = build_graph(template, positions, display, budget or WorkBudget())
    suppressions = tuple(_suppressions(resources, positions, path, display))
    return ParsedInput(SourceKind.CLOUDFORMATION, graph, suppressions, tuple(notes), gaps)


def _decode(path: Path, text: str) -> tuple[Mapping[str, JSONValue], Positions]:
    """Decode *text* with cfn-lint and turn it into plain data and a position table."""
    from cfnlint.decode import decode_str  # type: ignore[import-untyped]

    try:
        node, matches = decode_str(text)
    except RecursionError as err:
        raise ParseError(path, "invalid template: nested too deeply") from err
    if matches:
        first = matches[0]
        message = str(first.message).splitlines()[0].strip()
        line = first.linenumber if first.linenumber and first.linenumber > 0 else None
        column = first.columnnumber if line is not None else None
        raise ParseError(path, f"invalid template: {message}", line, column)
    if not isinstance(node, Mapping):
        raise UnsupportedInputError(path, "not a CloudFormation template (not a mapping)")
    positions: Positions = {}
    budget = [_MAX_NODES]
    try:
        plain = _plain(node, (), positions, budget, path)
    except RecursionError as err:
        raise ParseError(path, "invalid template: nested too deeply") from err
    assert isinstance(plain, dict)
    return plain, positions


def _plain(
    node: object, pointer: Pointer, positions: Positions, budget: list[int], path: Path
) -> JSONValue:
    """*node* as plain data; records the position of every node that has one (a mapping
    value is placed at its key, where readers look for it)."""
    budget[0] -= 1
    if budget[0] < 0:
        raise ParseError(path, "invalid template: too many nodes (YAML alias amplification?)")
    mark = getattr(node, "start_mark", None)
    if mark is not None and pointer not in positions:
        positions[pointer] = (mark.line + 1, mark.column + 1)
    if isinstance(node, dict):
        result: dict[str, JSONValue] = {}
        for key, value in node.items():
            name = str(key)
            child = (*pointer, name)
            key_mark = getattr(key, "start_mark", None)
            if key_mark is not None:
                positions[child] = (key_mark.line + 1, key_mark.column + 1)
            if name.startswith("Fn::") and not _known_function(name):
                line, column = positions.get(child, positions.get(pointer, (None, None)))
                tag = name.removeprefix("Fn::")
                message = f"invalid template: unknown intrinsic function or tag '{tag}'"
                raise ParseError(path, message, line, column)
            result[name] = _plain(value, child, positions, budget, path)
        return result
    if isinstance(node, list):
        return [_plain(item, (*pointer, i), positions, budget, path) for i, item in enumerate(node)]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool | int | float) or node is None:
        return node
    if isinstance(node, date):
        return node.isoformat()
    return str(node)


def _known_function(name: str) -> bool:
    """True for a CloudFormation function (``Fn::ForEach::Loop`` keys name a loop)."""
    return name in KNOWN_FUNCTIONS or name.startswith(LOOP_PREFIX)


def _suppressions(
    resources: Mapping[str, JSONValue], positions: Positions, path: Path, display: PurePosixPath
) -> Iterator[Suppression]:
    """``Metadata: {iacguard: {ignore: [{id, reason, expires?}]}}`` of every resource."""
    for logical, resource in resources.items():
        metadata = resource.get("Metadata") if isinstance(resource, Mapping) else None
        config = metadata.get(_METADATA_KEY) if isinstance(metadata, Mapping) else None
        if config is None:
            continue
        base: Pointer = ("Resources", logical, "Metadata", _METADATA_KEY)
        entries = config.get("ignore") if isinstance(config, Mapping) else None
        if not isinstance(entries, list):
            _bad(path, positions, base, "'ignore' must be a list of {id, reason} entries")
        for index, entry in enumerate(entries or ()):
            yield _suppression(logical, entry, (*base, "ignore", index), positions, path, display)


def _suppression(
    logical: str,
    entry: JSONValue,
    pointer: Pointer,
    positions: Positions,
    path: Path,
    display: PurePosixPath,
) -> Suppression:
    if not isinstance(entry, Mapping):
        _bad(path, positions, pointer, "an ignore entry must be a mapping with id and reason")
    ids = entry.get("id")
    rules = (ids,) if isinstance(ids, str) else ids
    if (
        not isinstance(rules, list | tuple)
        or not rules
        or not all(
            isinstance(rule, str) and re.fullmatch(r"[A-Z]{2,5}\d{0,3}", rule) for rule in rules
        )
    ):
        _bad(path, positions, pointer, "an ignore entry needs 'id': a rule ID such as IAM301")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        _bad(path, positions, pointer, "an ignore entry needs a non-empty 'reason'")
    expires: date | None = None
    if "expires" in entry:
        try:
            expires = date.fromisoformat(str(entry["expires"]))
        except ValueError:
            _bad(path, positions, pointer, "'expires' must be a date (YYYY-MM-DD)")
    line, column = positions.get(pointer, (None, None))
    return Suppression(
        rules=tuple(rules),
        address=logical,
        reason=reason.strip(),
        location=Location(display, line, column),
        expires=expires,
        kind="cloudformation-metadata",
    )


def _bad(path: Path, positions: Positions, pointer: Pointer, message: str) -> NoReturn:
    line, column = positions.get(pointer, (None, None))
    raise ParseError(path, f"invalid iacguard suppression: {message}", line, column)
