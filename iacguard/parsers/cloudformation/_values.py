"""Resolve CloudFormation intrinsic functions into plain values, references and conditions.

What an intrinsic gives when it does not resolve to a literal (the references are the
:attr:`~iacguard.model.Unknown.refs` of the result; only resources of the template are
referenced, never parameters, pseudo parameters or undefined names):

- ``!Ref X``, X a resource: ``Unknown("!Ref X", (AttributeRef("X", "Ref"),))``;
- ``!GetAtt X.A`` (also ``Fn::GetAtt: [X, A]`` and ``Fn::GetAtt: "X.A"``), X a
  resource: ``Unknown("!GetAtt X.A", (AttributeRef("X", "A"),))``; these two shapes
  are the only values that *are* another resource's attribute (:func:`referenced`);
- ``!Sub TEXT``: ``Unknown("!Sub TEXT", refs)`` with the references of its unresolved
  ``${...}`` variables in order of appearance, each once; a text that is one variable
  and nothing else (``!Sub "${X.Arn}"``) is that variable's value;
- ``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::FindInMap``, ``Fn::ToJsonString``,
  ``Fn::Cidr``, ``Fn::GetAZs``, ``Fn::Length``: ``Unknown("Fn::Join", refs)`` (the
  function's name) with the references of every unresolved argument, nested ones
  included, in order, each once; a ``Fn::Join`` of one element and a ``Fn::Select`` of
  a known index are that element, references and all;
- ``Fn::If``: both branches, each keeping its own references (see :meth:`Resolver._if`);
- ``!Ref P`` of a parameter without usable ``Default``: ``Unknown("!Ref P")``, no
  references (a parameter is not an element of the graph).

Exception: ``!Ref X`` and ``!GetAtt X.Arn`` of an ``AWS::IAM::OIDCProvider`` whose
``Url`` is a literal give its ARN as a string (:attr:`Resolver.arns`), so that a trust
naming the provider names its issuer (IAM403 reads the issuer from that string).

Resolution spends the scan's work budget (:mod:`iacguard.budget`): a step per node
resolved and per :data:`~iacguard.budget.CHARS_PER_STEP` characters ``Fn::Sub`` and
``Fn::Join`` make, spent before the text is made (a parameter default repeated by
thousands of ``${P}`` would otherwise build gigabytes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from iacguard.budget import WorkBudget
from iacguard.model import AttributeRef, MaybeStr, Pointer, RawValue, Unknown, refs_of
from iacguard.parsers._source import JSONValue

#: pseudo parameters with one value in the commercial partition
_PSEUDO: Final = {"AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
#: pseudo parameters of the deploying stack: one fixed value per stack, unknown here, kept
#: as their ``${...}`` text so that ARNs built from them stay readable: a principal
#: ``arn:aws:iam::${AWS::AccountId}:root`` is the stack's own account (not a foreign
#: one), a role ARN still names its role, a condition on ``aws:SourceAccount`` still
#: narrows to one account
_STACK_PSEUDO: Final = frozenset(
    {"AWS::AccountId", "AWS::Region", "AWS::StackName", "AWS::StackId"}
)
#: ``${Name}`` or ``${Name.Attribute}`` in ``Fn::Sub``; ``${!Literal}`` is an escape
_SUB_VAR: Final = re.compile(r"\$\{([^}]*)\}")
#: intrinsic functions CloudFormation knows (an ``Fn::`` key outside this list is an error)
KNOWN_FUNCTIONS: Final = frozenset(
    {"Fn::And", "Fn::Base64", "Fn::Cidr", "Fn::Contains", "Fn::EachMemberEquals",
     "Fn::EachMemberIn", "Fn::Equals", "Fn::FindInMap", "Fn::GetAtt", "Fn::GetAZs",
     "Fn::If", "Fn::ImportValue", "Fn::Join", "Fn::Length", "Fn::Not", "Fn::Or",
     "Fn::RefAll", "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::ToJsonString",
     "Fn::Transform", "Fn::ValueOf", "Fn::ValueOfAll", "Fn::Implies"}
)  # fmt: skip
#: the secret attribute of an access key (IAM103)
SECRET_ATTRIBUTE: Final = ("AWS::IAM::AccessKey", "SecretAccessKey")
#: the attribute of an :class:`~iacguard.model.AttributeRef` made by ``Ref``
REF: Final = "Ref"
#: functions computed from their arguments that are not modelled: unresolved, they keep
#: the references of their arguments (``Fn::ImportValue`` reads another stack's export,
#: which is not computed from the attributes its name is built from)
_OPAQUE: Final = frozenset({"Fn::Cidr", "Fn::GetAZs", "Fn::Length"})


class _NoValue:
    """``Ref: AWS::NoValue``: the property or list element is removed."""


NO_VALUE: Final = _NoValue()


def is_function(key: str) -> bool:
    """True for a key that names an intrinsic function (``Fn::...`` or ``Ref``)."""
    return key == "Ref" or key.startswith("Fn::")


def reference(logical: str, attribute: str) -> Unknown:
    """The unresolved value of resource *logical*'s *attribute*: ``!Ref X`` when
    *attribute* is :data:`REF`, else ``!GetAtt X.attribute``."""
    expr = f"!Ref {logical}" if attribute == REF else f"!GetAtt {logical}.{attribute}"
    return Unknown(expr, (AttributeRef(logical, attribute),))


def referenced(value: object) -> AttributeRef | None:
    """The attribute *value* is, when it is exactly an unresolved ``Ref``/``Fn::GetAtt``
    of a resource (as :func:`reference` makes it); None for anything else, including a
    value merely computed from one (``!Sub "arn:...:role/${Role}"``)."""
    if isinstance(value, Unknown) and len(value.refs) == 1:
        ref = value.refs[0]
        if value == reference(ref.address, ref.attribute):
            return ref
    return None


@dataclass(slots=True)
class Resolver:
    """Turns template values into :data:`~iacguard.model.RawValue`, recording on the way
    where each resolved node came from (*places*), which deployment condition it needs
    (*conditions*) and where an access key's secret flows (*secrets*); unresolved values
    carry the resources they refer to (module docstring). Pointers of the output start
    like the template's (``("Resources", "Role", "Properties", ...)``) but index resolved
    lists.
    """

    #: template pointer -> (line, column), 1-based
    positions: Mapping[Pointer, tuple[int, int]]
    #: logical ID -> resource type
    types: Mapping[str, str]
    parameters: frozenset[str]
    mappings: Mapping[str, JSONValue]
    places: dict[Pointer, tuple[int, int]] = field(default_factory=dict)
    conditions: dict[Pointer, str] = field(default_factory=dict)
    #: (output pointer, access key logical ID) of every secret reference
    secrets: list[tuple[Pointer, str]] = field(default_factory=list)
    #: pointer -> names of the conditions of every ``Fn::If`` at or below it
    branch_points: dict[Pointer, set[str]] = field(default_factory=dict)
    #: parameter -> the value its ``Default`` gives (a list for list types)
    defaults: Mapping[str, RawValue] = field(default_factory=dict)
    #: logical ID -> the ARN ``Ref``/``Fn::GetAtt .Arn`` of that resource returns
    arns: Mapping[str, str] = field(default_factory=dict)
    #: ``id()`` of the Unknown of an ``Fn::Sub`` -> its text with each unresolved
    #: ``${...}`` replaced by a token, and token -> the Unknown it stands for
    sub_texts: dict[int, tuple[str, dict[str, Unknown]]] = field(default_factory=dict)
    #: parameter -> logical ID of the user whose ``LoginProfile.Password`` it is
    password_parameters: Mapping[str, str] = field(default_factory=dict)
    #: (output pointer, user logical ID) of every reference to a console password
    passwords: list[tuple[Pointer, str]] = field(default_factory=list)
    #: the scan's work budget
    budget: WorkBudget = field(default_factory=WorkBudget)

    def sub_text(self, value: RawValue) -> tuple[str, dict[str, Unknown]] | None:
        """For the Unknown of an ``Fn::Sub``: its text with tokens, and what they stand for."""
        return self.sub_texts.get(id(value)) if isinstance(value, Unknown) else None

    def condition_at(self, pointer: Pointer) -> str | None:
        """The condition of the node at output *pointer* or its nearest recorded ancestor."""
        for end in range(len(pointer), 0, -1):
            if (found := self.conditions.get(pointer[:end])) is not None:
                return found
        return None

    def resolve(
        self, value: JSONValue, src: Pointer, out: Pointer, cond: str | None
    ) -> RawValue | _NoValue:
        """Resolve *value* found at template pointer *src*, placed at output pointer *out*
        under deployment condition *cond*.

        :raises WorkBudgetExhausted: the scan's work budget is spent.
        """
        self.budget.spend(1, "CloudFormation intrinsic resolution")
        if src in self.positions:
            self.places[out] = self.positions[src]
        if cond is not None:
            self.conditions[out] = cond
        if isinstance(value, Mapping):
            if len(value) == 1 and is_function(key := next(iter(value))):
                return self._function(key, value[key], (*src, key), out, cond)
            result: dict[str, RawValue] = {}
            for key, item in value.items():
                resolved = self.resolve(item, (*src, key), (*out, key), cond)
                if not isinstance(resolved, _NoValue):
                    result[key] = resolved
            return result
        if isinstance(value, list):
            return self._list(value, src, out, cond)
        if isinstance(value, str | int | float | bool) or value is None:
            return value
        return str(value)

    def _list(
        self, items: list[JSONValue], src: Pointer, out: Pointer, cond: str | None
    ) -> tuple[RawValue, ...]:
        """A list; an ``Fn::If`` element contributes the elements of both branches."""
        result: list[RawValue] = []
        for index, item in enumerate(items):
            if isinstance(item, Mapping) and list(item) == ["Fn::If"]:
                branches = self._branches(
                    item["Fn::If"], (*src, index, "Fn::If"), (*out, len(result)), cond
                )
            else:
                branches = [(item, (*src, index), cond)]
            for branch, branch_src, branch_cond in branches:
                position = (*out, len(result))
                resolved = self.resolve(branch, branch_src, position, branch_cond)
                if isinstance(resolved, _NoValue):  # the next element takes its position
                    self.conditions.pop(position, None)
                    self.places.pop(position, None)
                else:
                    result.append(resolved)
        return tuple(result)

    def _branches(
        self, args: JSONValue, src: Pointer, out: Pointer, cond: str | None
    ) -> list[tuple[JSONValue, Pointer, str | None]]:
        if not isinstance(args, list) or len(args) != 3 or not isinstance(args[0], str):
            return [({"Fn::If": args}, src, cond)]  # malformed: resolves to Unknown
        name = args[0]
        for depth in range(len(out) + 1):  # indexed by every prefix: lookups are O(1)
            self.branch_points.setdefault(out[:depth], set()).add(name)
        return [
            (args[1], (*src, 1), _and(cond, name)),
            (args[2], (*src, 2), _and(cond, f"not {name}")),
        ]

    def _function(
        self, key: str, args: JSONValue, src: Pointer, out: Pointer, cond: str | None
    ) -> RawValue | _NoValue:
        if key == "Ref" and isinstance(args, str):
            return self._ref(args, out)
        if key == "Fn::GetAtt":
            return self._getatt_args(args, src, out, cond)
        if key == "Fn::Sub":
            return self._sub(args, src, out, cond)
        if key == "Fn::Join" and isinstance(args, list) and len(args) == 2:
            parts = self.resolve(args[1], (*src, 1), out, cond)
            if isinstance(args[0], str) and isinstance(parts, tuple):
                if all(isinstance(part, str) for part in parts):
                    texts = [str(part) for part in parts]
                    size = sum(map(len, texts)) + len(args[0]) * len(texts)
                    self.budget.spend_text(size, "CloudFormation Fn::Join")
                    return args[0].join(texts)
                if len(parts) == 1 and isinstance(parts[0], Unknown):
                    return parts[0]  # the one element, whatever the delimiter
            return Unknown("Fn::Join", refs_of(parts))
        if key == "Fn::If":
            return self._if(args, src, out, cond)
        if key == "Fn::Select" and isinstance(args, list) and len(args) == 2:
            index = self.resolve(args[0], (*src, 0), out, cond)
            items = self.resolve(args[1], (*src, 1), out, cond)
            if (
                isinstance(index, int | str)
                and str(index).isdigit()
                and isinstance(items, tuple)
                and int(index) < len(items)
            ):
                return items[int(index)]
            return Unknown("Fn::Select", refs_of(index, items))
        if key == "Fn::Split" and isinstance(args, list) and len(args) == 2:
            source = self.resolve(args[1], (*src, 1), out, cond)
            if isinstance(args[0], str) and args[0] and isinstance(source, str):
                self.budget.spend(1 + source.count(args[0]), "CloudFormation Fn::Split")
                return tuple(source.split(args[0]))
            return Unknown("Fn::Split", refs_of(source))
        if key == "Fn::FindInMap":
            return self._find_in_map(args, src, out, cond)
        if key == "Fn::Base64":
            return self.resolve(args, src, out, cond)  # the text before encoding
        if key == "Fn::ToJsonString":
            inner = self.resolve(args, src, out, cond)
            if _is_plain(inner):
                return json.dumps(inner)
            return Unknown("Fn::ToJsonString", refs_of(inner))
        if key in _OPAQUE:
            return Unknown(key, refs_of(self.resolve(args, src, out, cond)))
        return Unknown(key)

    def _getatt_args(
        self, args: JSONValue, src: Pointer, out: Pointer, cond: str | None
    ) -> RawValue:
        """``Fn::GetAtt`` as ``"X.A"`` or ``[X, A]``; the attribute name may be a
        ``Ref`` (of a parameter), the logical ID may not."""
        target = args.split(".", 1) if isinstance(args, str) else args
        if isinstance(target, list) and len(target) == 2 and isinstance(target[0], str):
            attribute = target[1]
            if isinstance(attribute, Mapping):
                attribute = self.resolve(attribute, (*src, 1), out, cond)
            if isinstance(attribute, str):
                return self._getatt(target[0], attribute, out)
        return Unknown("Fn::GetAtt")

    def _ref(self, name: str, out: Pointer) -> RawValue | _NoValue:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in _PSEUDO:
            return _PSEUDO[name]
        if name in _STACK_PSEUDO:
            return "${" + name + "}"
        if name in self.password_parameters:
            self.passwords.append((out, self.password_parameters[name]))
        if name in self.defaults:
            return self.defaults[name]
        if name in self.arns:
            return self.arns[name]
        return reference(name, REF) if name in self.types else Unknown(f"!Ref {name}")

    def _getatt(self, logical: str, attribute: str, out: Pointer) -> RawValue:
        if attribute == "Arn" and logical in self.arns:
            return self.arns[logical]
        if logical not in self.types:
            return Unknown(f"!GetAtt {logical}.{attribute}")
        if (self.types[logical], attribute) == SECRET_ATTRIBUTE:
            self.secrets.append((out, logical))
        return reference(logical, attribute)

    def _if(self, args: JSONValue, src: Pointer, out: Pointer, cond: str | None) -> RawValue:
        """Both branches: one value when the other is ``AWS::NoValue``, else a tuple of
        the two (lists flattened), which IAM reads as "either" and checks as a union."""
        branches = self._branches(args, src, out, cond)
        if len(branches) == 1:
            return Unknown("Fn::If")
        values: list[tuple[RawValue, str | None]] = []
        for branch, branch_src, branch_cond in branches:
            resolved = self.resolve(branch, branch_src, (*out, len(values)), branch_cond)
            if isinstance(resolved, tuple):
                values += [(item, branch_cond) for item in resolved]
            elif not isinstance(resolved, _NoValue):
                values.append((resolved, branch_cond))
        for index, (_, branch_cond) in enumerate(values):
            if branch_cond is not None:
                self.conditions[(*out, index)] = branch_cond
        if len(values) == 1:
            if values[0][1] is not None:
                self.conditions[out] = values[0][1]
            return values[0][0]
        return tuple(value for value, _ in values)

    def _sub(self, args: JSONValue, src: Pointer, out: Pointer, cond: str | None) -> RawValue:
        text, variables = (args, {}) if isinstance(args, str) else (None, {})
        if isinstance(args, list) and len(args) == 2 and isinstance(args[0], str):
            text = args[0]
            if isinstance(args[1], Mapping):
                variables = {
                    name: self.resolve(item, (*src, 1, name), out, cond)
                    for name, item in args[1].items()
                }
        if text is None:
            return Unknown("Fn::Sub")
        parts: list[str] = []
        tokens: dict[str, Unknown] = {}
        position = 0
        for match in _SUB_VAR.finditer(text):
            parts.append(text[position : match.start()])
            position = match.end()
            name = match.group(1).strip()
            if name.startswith("!"):
                parts.append("${" + name[1:] + "}")
                continue
            if name in variables:
                value = variables[name]
            elif "." in name and (target := name.split(".", 1))[0] in self.types:
                value = self._getatt(target[0], target[1], out)
            else:
                value = self._ref(name, out)
            if isinstance(value, str):
                parts.append(value)
            else:
                token = f"@@iacguard-sub-{len(tokens)}@@"
                tokens[token] = (
                    value if isinstance(value, Unknown) else Unknown(f"${{{name}}}", refs_of(value))
                )
                parts.append(token)
        parts.append(text[position:])
        self.budget.spend_text(sum(map(len, parts)), "CloudFormation Fn::Sub")
        if not tokens:
            return "".join(parts)
        if len(tokens) == 1 and parts == ["", *tokens, ""]:
            return next(iter(tokens.values()))  # "${X.Arn}" alone is X's Arn
        unknown = Unknown(f"!Sub {text}", refs_of(*tokens.values()))
        self.sub_texts[id(unknown)] = ("".join(parts), tokens)
        return unknown

    def _find_in_map(
        self, args: JSONValue, src: Pointer, out: Pointer, cond: str | None
    ) -> RawValue | _NoValue:
        if not isinstance(args, list) or len(args) < 3:
            return Unknown("Fn::FindInMap")
        keys = [self.resolve(arg, (*src, i), out, cond) for i, arg in enumerate(args[:3])]
        if not all(isinstance(key, str) for key in keys):
            return Unknown("Fn::FindInMap", refs_of(*keys))
        node: JSONValue = self.mappings
        for key in keys:
            node = node.get(key) if isinstance(node, Mapping) else None
        if node is None or not _literal(node):  # a function in Mappings would let it loop
            return Unknown("Fn::FindInMap")
        return self.resolve(node, ("Mappings", *(str(k) for k in keys)), out, cond)


def _literal(value: JSONValue) -> bool:
    """True for a value Mappings may hold: a string, number or list of them."""
    if isinstance(value, list):
        return all(_literal(item) for item in value)
    return not isinstance(value, Mapping)


def _and(cond: str | None, more: str) -> str:
    return more if cond is None else f"{cond} and {more}"


def _is_plain(value: RawValue | _NoValue) -> bool:
    """True when *value* holds no Unknown anywhere (it can be rendered as JSON)."""
    if isinstance(value, Unknown | _NoValue):
        return False
    if isinstance(value, Mapping):
        return all(_is_plain(item) for item in value.values())
    if isinstance(value, tuple | list):
        return all(_is_plain(item) for item in value)
    return True


def items(value: RawValue) -> tuple[RawValue, ...]:
    """A list property as a tuple; a single value as a 1-tuple; unset as empty."""
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def pick(value: RawValue, fires: Callable[[RawValue], bool]) -> RawValue:
    """A scalar property; of the two branches of an ``Fn::If`` the one for which *fires*
    holds (a finding in either branch is reported)."""
    if isinstance(value, tuple):
        return next((v for v in value if fires(v)), value[0] if value else None)
    return value


def text(value: RawValue) -> MaybeStr | None:
    """A string property: str, Unknown, or None when unset or of another type."""
    return value if isinstance(value, str | Unknown) else None


def flag(value: RawValue, firing: bool) -> bool | Unknown | None:
    """A boolean property (CloudFormation also accepts "true"/"false" strings); of two
    ``Fn::If`` branches, *firing* wins when either has it."""
    value = pick(value, lambda v: _bool(v) is firing)
    return _bool(value)


def _bool(value: RawValue) -> bool | Unknown | None:
    if isinstance(value, bool | Unknown):
        return value
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return None


def sub_document(text: str, tokens: Mapping[str, Unknown]) -> RawValue:
    """A JSON document written with ``Fn::Sub`` whose variables did not all resolve:
    the JSON with every string holding an unresolved variable made Unknown (a key gets
    its ``${...}`` text back). None when the text is not JSON once the tokens are in."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None

    def restore(key: str) -> str:
        for token, unknown in tokens.items():
            key = key.replace(token, unknown.expr)
        return key

    def walk(node: object) -> RawValue:
        if isinstance(node, dict):
            return {restore(str(k)): walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return tuple(walk(item) for item in node)
        if isinstance(node, str) and "@@iacguard-sub-" in node:
            inside = [unknown for token, unknown in tokens.items() if token in node]
            return tokens.get(node) or Unknown(f"!Sub {restore(node)}", refs_of(*inside))
        return node if isinstance(node, str | int | float | bool) or node is None else None

    return walk(value)


def parameter_defaults(parameters: Mapping[str, JSONValue]) -> dict[str, RawValue]:
    """The value ``Ref`` gives for each parameter that has a ``Default``, as the template
    deploys without overrides (Terraform variables are read with their defaults too).
    ``NoEcho`` parameters (secrets) and SSM parameter types (the default names a
    parameter, not a value) stay unresolved; list types give a tuple."""
    defaults: dict[str, RawValue] = {}
    for name, spec in parameters.items():
        if not isinstance(spec, Mapping) or spec.get("Default") is None:
            continue
        kind = str(spec.get("Type", "String"))
        if str(spec.get("NoEcho", "")).lower() == "true" or kind.startswith("AWS::SSM::"):
            continue
        default = spec["Default"]
        if isinstance(default, Mapping | list):
            continue
        value = str(default).lower() if isinstance(default, bool) else str(default)
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            defaults[name] = tuple(part.strip() for part in value.split(","))
        else:
            defaults[name] = value
    return defaults
