"""Declarative rules: YAML files whose rules become ordinary checks with JMESPath conditions.

A rule file holds a list of rules, or a mapping with a ``rules`` list. Each rule::

    - id: ORG001                      # required: PREFIX + 3 digits, not IAM
      severity: high                  # required: info, low, medium, high, critical
      title: Role has no permission boundary           # required, one line
      description: Every role must carry the boundary. # required: why it matters
      remediation: Set permissions_boundary.           # required unless the
                                                       # description has a "Fix:" paragraph
      target: {principals: role}      # required, see below
      condition: has_boundary == `false`               # required: JMESPath
      message: "{label} has no boundary"               # optional template
      tags: [org]                     # optional
      help_uri: https://wiki.example.com/org001        # optional
      name: role_without_boundary     # optional slug (default: the lower-case ID)

``target`` is ``principals``, ``policies``, ``statements`` or ``resources``, or a
one-key mapping narrowing it: ``{principals: [user, role]}``, ``{policies: [managed,
inline]}``, ``{statements: [trust]}`` (kinds of their policy), ``{resources:
[aws_s3_bucket, "AWS::S3::Bucket"]}`` (block types). ``condition`` is evaluated over the
JSON view of each target (:mod:`iacguard.views.json_view`, documented in
``docs/writing-plugins.md``); the rule fires when the result is truthy in JMESPath's
sense (not ``null``, ``false``, ``""``, ``[]`` or ``{}``). ``message`` may use
``{id}``, ``{title}``, ``{label}``, ``{address}``, ``{name}`` and ``{kind}``; it never
sees configuration values, so it cannot leak a secret. A field is a plain ``{name}``:
no format spec (``{label:>999999999}`` would allocate a gigabyte), no conversion, no
index; ``{{`` and ``}}`` are braces. A template has at most
:data:`MAX_TEMPLATE_LENGTH` characters, and a message is cut at
:data:`MAX_MESSAGE_LENGTH` (a field may repeat, and an address may be long).
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, final

from iacguard.errors import ConfigError
from iacguard.hookspecs import hookimpl
from iacguard.model import PolicyKind, PrincipalKind, Severity
from iacguard.registry import BUILTIN_PREFIX, RULE_ID_PATTERN, Check, CheckContext, RegisterCheck
from iacguard.results import Hit
from iacguard.views import json_view

if TYPE_CHECKING:
    import pluggy

    from iacguard.graph import Graph

#: where YAML rules without a ``help_uri`` point
RULES_DOCS_URL: Final = (
    "https://github.com/iacguard/iacguard/blob/main/docs/writing-plugins.md#declarative-rules"
)
#: rule file suffixes looked for in a directory
SUFFIXES: Final = frozenset({".yaml", ".yml"})

_TargetFunction = Callable[["Graph", frozenset[str]], Iterator[json_view.Target]]
#: target name -> (the targets it yields, the kinds it may be narrowed to; None: any)
_TARGETS: Final[Mapping[str, tuple[_TargetFunction, frozenset[str] | None]]] = {
    "principals": (json_view.principal_targets, frozenset(k.value for k in PrincipalKind)),
    "policies": (json_view.policy_targets, frozenset(k.value for k in PolicyKind)),
    "statements": (json_view.statement_targets, frozenset(k.value for k in PolicyKind)),
    "resources": (json_view.resource_targets, None),
}
_REQUIRED: Final = ("id", "severity", "title", "description", "target", "condition")
_OPTIONAL: Final = ("remediation", "message", "tags", "help_uri", "name")
_MESSAGE_FIELDS: Final = frozenset({"id", "title", "label", "address", "name", "kind"})
#: the longest message template a rule may have
MAX_TEMPLATE_LENGTH: Final = 500
#: the longest message a rule makes; a longer one is cut and ends with "..."
MAX_MESSAGE_LENGTH: Final = 1000
#: a message template: literal texts, each followed by the field that comes after it
_Template = tuple[tuple[str, str | None], ...]


@final
@dataclass(frozen=True, slots=True)
class _Rule:
    """A validated rule: what its check function needs."""

    id: str
    title: str
    target: str
    kinds: frozenset[str]
    #: a compiled JMESPath expression (jmespath is untyped)
    condition: Any
    message: _Template

    def hits(self, ctx: CheckContext) -> Iterator[Hit]:
        targets, _ = _TARGETS[self.target]
        for target in targets(ctx.graph, self.kinds):
            if _truthy(self.condition.search(target.view)):
                fields = {"id": self.id, "title": self.title, "label": target.label}
                fields |= {"address": target.origin.address, "name": target.name}
                yield Hit(target.origin, render(self.message, {**fields, "kind": target.kind}))


def render(template: _Template, fields: Mapping[str, str]) -> str:
    """*template* with its fields filled in, at most :data:`MAX_MESSAGE_LENGTH`
    characters: no more than that is ever built, however often a long field repeats."""
    pieces: list[str] = []
    left = MAX_MESSAGE_LENGTH
    for literal, name in template:
        for piece in (literal, fields[name] if name is not None else ""):
            pieces.append(piece[:left])
            left -= len(pieces[-1])
            if left <= 0:
                return "".join(pieces)[: MAX_MESSAGE_LENGTH - 3] + "..."
    return "".join(pieces)


def _truthy(value: object) -> bool:
    """JMESPath truthiness: ``0`` is true, empty containers are false."""
    if value is None or value is False:
        return False
    return not (isinstance(value, str | list | dict) and not value)


class _Where:
    """Formats errors about one rule: ``file:line: rule ID: problem``."""

    def __init__(self, file: Path, line: int, lines: Mapping[str, int], label: str) -> None:
        self.file, self.line, self.lines, self.label = file, line, lines, label

    def error(self, problem: str, key: str | None = None) -> ConfigError:
        line = self.lines.get(key, self.line) if key else self.line
        return ConfigError(f"{self.file}:{line}: rule {self.label}: {problem}")


def load_rules(paths: Iterable[Path]) -> list[Check]:
    """The rules of the YAML files in *paths* (files, or directories searched for
    ``*.yaml``/``*.yml``), as checks.

    :raises ConfigError: a file is missing or is not valid YAML, or a rule is malformed
        (missing or unknown key, bad ID or severity, unknown target, invalid JMESPath);
        the message names the file, the line and the rule.
    """
    checks: list[Check] = []
    seen: dict[str, str] = {}
    for file in _files(paths):
        for where, data in _rule_items(file):
            check = _check(where, data)
            if check.id in seen:
                raise where.error(f"duplicate rule ID, first defined at {seen[check.id]}")
            seen[check.id] = f"{where.file}:{where.line}"
            checks.append(check)
    return checks


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file())
        elif path.is_file():
            yield path
        else:
            raise ConfigError(f"{path}: no such rule file or directory")


def _rule_items(file: Path) -> Iterator[tuple[_Where, object]]:
    """Each rule of *file* with where it is written."""
    import yaml

    try:
        loader = yaml.SafeLoader(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{file}: cannot read rule file: {err}") from err
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else 1
        raise ConfigError(f"{file}:{line}: invalid YAML: {err.problem}") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{file}: invalid YAML: {err}") from err
    finally:
        loader.dispose()
    if node is None:
        return
    if isinstance(node, yaml.MappingNode) and isinstance(data, dict) and "rules" in data:
        node = next(v for k, v in node.value if k.value == "rules")
        data = data["rules"]
    if not isinstance(node, yaml.SequenceNode) or not isinstance(data, list):
        line = node.start_mark.line + 1
        raise ConfigError(f"{file}:{line}: expected a list of rules, or a mapping with 'rules'")
    for index, (item, rule) in enumerate(zip(node.value, data, strict=True)):
        lines = {}
        label = f"#{index + 1}"
        if isinstance(item, yaml.MappingNode):
            lines = {str(k.value): k.start_mark.line + 1 for k, _ in item.value}
            if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                label = rule["id"]
        yield _Where(file, item.start_mark.line + 1, lines, label), rule


def _check(where: _Where, data: object) -> Check:
    if not isinstance(data, dict):
        raise where.error("expected a mapping of rule keys")
    if unknown := sorted(set(data) - set(_REQUIRED) - set(_OPTIONAL), key=str):
        raise where.error(f"unknown key {unknown[0]!r}", str(unknown[0]))
    if missing := [key for key in _REQUIRED if data.get(key) in (None, "")]:
        raise where.error(f"missing '{missing[0]}'")
    rule_id = _text(where, data, "id")
    if not RULE_ID_PATTERN.match(rule_id):
        raise where.error(f"ID does not match {RULE_ID_PATTERN.pattern}", "id")
    if rule_id.startswith(BUILTIN_PREFIX):
        raise where.error("the IAM prefix is reserved for built-in rules", "id")
    try:
        severity = Severity.parse(_text(where, data, "severity"))
    except ValueError as err:
        raise where.error(str(err), "severity") from err
    title = " ".join(_text(where, data, "title").split()).rstrip(".")
    description = _text(where, data, "description").strip()
    if "remediation" in data:
        description += f"\n\nFix: {_text(where, data, 'remediation').strip()}"
    elif "Fix:" not in description:
        raise where.error("missing 'remediation' (or a 'Fix:' paragraph in the description)")
    target, kinds = _target(where, data["target"])
    rule = _Rule(
        rule_id, title, target, kinds, _condition(where, data), _message(where, data, rule_id)
    )

    def run(ctx: CheckContext) -> Iterator[Hit]:
        return rule.hits(ctx)

    run.__name__ = run.__qualname__ = _text(where, data, "name", rule_id.lower())
    return Check(
        id=rule_id,
        title=title,
        description=description,
        severity=severity,
        run=run,
        tags=frozenset(_strings(where, data, "tags")),
        help_uri=_text(where, data, "help_uri", RULES_DOCS_URL),
    )


def _text(where: _Where, data: dict[str, object], key: str, default: str = "") -> str:
    value = data.get(key, default)
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise where.error(f"'{key}' must be a string", key)
    return str(value)


def _strings(where: _Where, data: dict[str, object], key: str) -> list[str]:
    value = data.get(key, [])
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v for v in values):
        raise where.error(f"'{key}' must be a string or a list of strings", key)
    return values


def _target(where: _Where, value: object) -> tuple[str, frozenset[str]]:
    names = ", ".join(_TARGETS)
    if isinstance(value, str):
        value = {value: []}
    if not isinstance(value, dict) or len(value) != 1:
        raise where.error(
            f"'target' must be one of {names}, or a mapping with one of them", "target"
        )
    [(name, narrowed)] = value.items()
    if name not in _TARGETS:
        raise where.error(f"unknown target {name!r} (expected one of: {names})", "target")
    kinds = _strings(where, {"target": narrowed or []}, "target")
    allowed = _TARGETS[name][1]
    if allowed is not None and (bad := sorted(set(kinds) - allowed)):
        expected = ", ".join(sorted(allowed))
        raise where.error(f"unknown {name} kind {bad[0]!r} (expected: {expected})", "target")
    return name, frozenset(kinds)


def _condition(where: _Where, data: dict[str, object]) -> Any:
    import jmespath
    from jmespath.exceptions import JMESPathError

    expression = _text(where, data, "condition")
    try:
        return jmespath.compile(expression)
    except JMESPathError as err:
        reason = str(err).splitlines()[0]
        raise where.error(f"invalid JMESPath condition: {reason}", "condition") from err


def _message(where: _Where, data: dict[str, object], rule_id: str) -> _Template:
    """The rule's message template, parsed: plain ``{name}`` fields only."""
    template = _text(where, data, "message", "{label}: {title}")
    if len(template) > MAX_TEMPLATE_LENGTH:
        limit = f"longer than {MAX_TEMPLATE_LENGTH} characters"
        raise where.error(f"message template is {limit}", "message")
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as err:
        raise where.error(f"invalid message template: {err}", "message") from err
    allowed = ", ".join(sorted(_MESSAGE_FIELDS))
    result: list[tuple[str, str | None]] = []
    for literal, field, spec, conversion in parsed:
        if field is not None and field not in _MESSAGE_FIELDS:
            raise where.error(f"unknown message field {{{field}}} (allowed: {allowed})", "message")
        if spec or conversion:
            reason = f"message field {{{field}}} takes no format spec or conversion"
            raise where.error(reason, "message")
        result.append((literal, field))
    return tuple(result)


@final
class DeclarativePlugin:
    """A plugin registering the YAML rules of *paths* through ``iacguard_register_checks``.

    The rules are loaded (and validated) when the plugin is made.

    :param paths: rule files, or directories searched for ``*.yaml``/``*.yml``.
    :raises ConfigError: see :func:`load_rules`.
    """

    def __init__(self, paths: Iterable[Path]) -> None:
        paths = tuple(paths)
        self.checks: tuple[Check, ...] = tuple(load_rules(paths))
        #: what ``iacguard plugins`` shows as this plugin's version
        self.description = "YAML rules: " + ", ".join(p.as_posix() for p in paths)

    @hookimpl
    def iacguard_register_checks(self, register: RegisterCheck) -> None:
        """Register every loaded rule."""
        for check in self.checks:
            register(check)


def register_rule_dirs(pm: pluggy.PluginManager, paths: Iterable[Path]) -> None:
    """Register one :class:`DeclarativePlugin` per path on *pm*, named ``rules:<path>``
    (the name diagnostics and ``iacguard plugins`` show); a path given twice is loaded once.

    :raises ConfigError: see :func:`load_rules`.
    """
    for path in paths:
        name = f"rules:{path.as_posix()}"
        if pm.get_plugin(name) is None:
            pm.register(DeclarativePlugin([path]), name=name)
