"""Partial evaluation of HCL expressions: known values computed, everything else Unknown.

Values are :data:`RawValue`: str, int, float, bool, None, tuples (lists, sets), dicts
(objects, maps) and :class:`Unknown`. A reference (``var.x``, ``aws_iam_role.r.arn``
...) is handed to a :class:`Resolver`, which also records the resources it touches. An
expression that fails (a missing key, a type error, an unsupported function) is Unknown,
never an error and never ``"*"``.

References travel with unknown values: the resolver gives an unknown resource attribute
its :class:`~iacguard.model.AttributeRef`, and every Unknown computed from Unknowns (an
operator, a function, a template) carries all their references (``refs_of``).

Evaluation spends the scan's work budget (:mod:`iacguard.budget`): a step per expression
node, per ``for`` iteration and per :data:`~iacguard.budget.CHARS_PER_STEP` characters a
template, a function or ``file()`` makes or reads. A spent budget raises
:class:`~iacguard.errors.WorkBudgetExhausted` through every evaluator: it is never an
Unknown value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Protocol, TypeAlias

from iacguard.budget import CHARS_PER_STEP, WorkBudget
from iacguard.model import RawValue, Unknown, refs_of
from iacguard.parsers.terraform._hcl_functions import (
    FUNCTIONS,
    EvalError,
    UnknownItems,
    computed,
    contains_unknown,
    plain,
    to_string,
    value_size,
)
from iacguard.parsers.terraform._hcl_syntax import Node, name_of, source_text, subtrees, unescape
from iacguard.parsers.terraform._hcl_template import (
    If,
    Part,
    heredoc_text,
    partial_json,
    template_parts,
)

#: one step of a traversal: ("attr", name), ("index", key) or ("splat", None)
Step: TypeAlias = tuple[str, RawValue]
_MAX_DEPTH: Final = 64
#: functions whose result is built from their arguments: a call spends the size of its
#: arguments (:func:`~iacguard.parsers.terraform._hcl_functions.value_size`) before it runs; the
#: others (``length``, ``lookup``, ``contains`` ...) only look into them
_BUILDERS: Final = frozenset(
    {"jsonencode", "jsondecode", "base64encode", "base64decode", "format", "join", "split",
     "concat", "merge", "tolist", "toset", "setunion", "tomap", "tostring", "flatten",
     "lower", "upper", "trimspace", "chomp", "replace", "compact", "distinct", "keys",
     "values", "zipmap", "range", "sort", "reverse"}
)  # fmt: skip


@dataclass(slots=True)
class Session:
    """What every evaluator of one configuration shares: the scan's work budget, and
    what was read and parsed once (each file ``file()`` or ``templatefile()`` names,
    each template text and each interpolation a template holds)."""

    budget: WorkBudget = field(default_factory=WorkBudget)
    #: resolved path -> its text (None: not a readable file inside the root)
    files: dict[Path, str | None] = field(default_factory=dict)
    #: (template text, quoted) -> its parts
    templates: dict[tuple[str, bool], tuple[Part, ...]] = field(default_factory=dict)
    #: interpolation text -> its expression tree
    expressions: dict[str, Node] = field(default_factory=dict)

    def expression(self, text: str) -> Node:
        """The parsed interpolation *text* (parsed once per configuration).

        :raises EvalError: the text is not an expression.
        """
        node = self.expressions.get(text)
        if node is None:
            self.budget.spend_text(len(text), "HCL template parsing")
            node = self.expressions[text] = parse_expression(text)
        return node

    def template_parts(self, text: str, *, quoted: bool) -> tuple[Part, ...]:
        """The parts of template *text* (parsed once per configuration)."""
        key = (text, quoted)
        parts = self.templates.get(key)
        if parts is None:
            self.budget.spend_text(len(text), "HCL template parsing")
            parts = self.templates[key] = template_parts(text, quoted=quoted)
        return parts

    def read(self, path: Path, root: Path) -> str | None:
        """The text of *path* (resolved), read once; None when it is outside *root* or
        not a file. Reading spends a step per :data:`~iacguard.budget.CHARS_PER_STEP`
        bytes, before the file is read.

        :raises WorkBudgetExhausted: the file is larger than what the budget has left.
        """
        if path not in self.files:
            text = None
            if path.is_relative_to(root) and path.is_file():
                self.budget.spend_text(path.stat().st_size, "file() and templatefile() reads")
                text = path.read_text(encoding="utf-8", errors="replace")
            self.files[path] = text
        return self.files[path]


class Resolver(Protocol):
    """Looks up the root of a reference in its module and scope."""

    def resolve(self, root: str, steps: Sequence[Step], ev: Evaluator) -> tuple[RawValue, int]:
        """The value of ``root.steps...``, and how many of *steps* it consumed.

        :raises EvalError: the reference cannot be evaluated.
        """


class Evaluator:
    """Evaluates expression trees of one module scope (plus local bindings)."""

    def __init__(
        self,
        resolver: Resolver,
        base_dir: Path,
        root_dir: Path,
        bindings: Mapping[str, RawValue] | None = None,
        depth: int = 0,
        session: Session | None = None,
    ) -> None:
        self.resolver = resolver
        #: directory ``file()`` paths are relative to; files outside *root_dir* are not read
        self.base_dir = base_dir
        self.root_dir = root_dir
        self.bindings = dict(bindings or {})
        self.depth = depth
        #: the work budget and caches, shared with every evaluator of the configuration
        self.session = session if session is not None else Session()
        self.budget = self.session.budget

    def child(self, bindings: Mapping[str, RawValue]) -> Evaluator:
        """An evaluator with extra local names (``for`` and ``dynamic`` iterators)."""
        return Evaluator(
            self.resolver,
            self.base_dir,
            self.root_dir,
            {**self.bindings, **bindings},
            self.depth,
            self.session,
        )

    def value(self, node: Node, expr: str = "") -> RawValue:
        """Evaluate *node*; failures become ``Unknown(expr)``."""
        try:
            return self.eval(node)
        except (EvalError, KeyError, IndexError, TypeError, ValueError, ArithmeticError):
            return Unknown(expr)
        except RecursionError:
            return Unknown(expr)

    # ------------------------------------------------------------------ dispatch

    def eval(self, node: Node) -> RawValue:
        """Evaluate *node*.

        :raises EvalError: the expression cannot be evaluated statically.
        :raises WorkBudgetExhausted: the scan's work budget is spent.
        """
        self.budget.spend(1, "HCL evaluation")
        handler = _HANDLERS.get(str(node.data))
        if handler is None:
            raise EvalError(f"unsupported expression {node.data}")
        return handler(self, node)

    def _expr_term(self, node: Node) -> RawValue:
        inner = [c for c in subtrees(node) if c.data != "new_line_or_comment"]
        if len(inner) != 1:
            raise EvalError("malformed expression")
        return self.eval(inner[0])

    def _literal(self, node: Node) -> RawValue:
        return {"true": True, "false": False, "null": None}[name_of(node)]

    def _int(self, node: Node) -> RawValue:
        return int(name_of(node))

    def _float(self, node: Node) -> RawValue:
        number = float(name_of(node))  # one number type: ``2.0`` and ``1e3`` are whole
        return int(number) if number.is_integer() else number

    def _string(self, node: Node) -> RawValue:
        parts: list[RawValue] = []
        for part in subtrees(node):
            (child,) = part.children
            if isinstance(child, str):
                text = str(child)
                parts.append(unescape(text) if child.type == "STRING_CHARS" else text[1:])
            elif child.data == "interpolation":
                parts.append(self.eval(_expression_child(child)))
            else:  # a template directive (%{if}, %{for}): the string is a template
                return self._named(self.template(source_text(node)[1:-1], quoted=True), node)
        return self._named(self._join(parts, as_json=True), node)

    @staticmethod
    def _named(value: RawValue, node: Node) -> RawValue:
        if type(value) is Unknown:  # named by the template as written, quotes dropped
            return Unknown(source_text(node)[1:-1], value.refs)
        return value

    def _heredoc(self, node: Node) -> RawValue:
        return self.template(heredoc_text(name_of(node), trim=node.data == "heredoc_template_trim"))

    def template(self, text: str, *, quoted: bool = False) -> RawValue:
        """Render template text (a heredoc body, a ``templatefile``, a quoted string with
        directives when *quoted*); JSON text with unknown interpolations is
        :class:`PartialJSON` (see :func:`partial_json`), unless an unknown ``%{if}``
        condition or ``%{for}`` collection leaves the text around it unknown too."""
        parts: list[RawValue] = []
        decided = self._render(self.session.template_parts(text, quoted=quoted), parts)
        return self._join(parts, as_json=decided)

    def _render(self, tree: Sequence[Part], parts: list[RawValue]) -> bool:
        """Append the rendered *tree* to *parts*; False when a directive is unknown."""
        decided = True
        for part in tree:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, tuple):
                parts.append(self.eval(self.session.expression(part[0])))
            elif isinstance(part, If):
                test = self.eval(self.session.expression(part.condition))
                if isinstance(test, Unknown):
                    parts.append(computed(f"%{{if {part.condition}}}", test))
                    decided = False
                elif not isinstance(test, bool):
                    raise EvalError("condition is not a bool")
                else:
                    decided &= self._render(part.then if test else part.otherwise, parts)
            else:
                collection = self.eval(self.session.expression(part.collection))
                if isinstance(collection, Unknown):
                    parts.append(computed(f"%{{for in {part.collection}}}", collection))
                    decided = False
                    continue
                for key, item in iterate(collection):
                    self.budget.spend(1, "HCL %{for} directives")
                    if isinstance(item, UnknownItems):  # how often the body repeats
                        parts.append(computed(f"%{{for in {part.collection}}}", item))
                        decided = False
                        continue
                    names = part.names
                    scope = {names[0]: key, names[1]: item} if len(names) == 2 else {names[0]: item}
                    decided &= self.child(scope)._render(part.body, parts)
        return decided

    def _join(self, parts: list[RawValue], *, as_json: bool = False) -> RawValue:
        """The text of template *parts*; Unknown when one is, unless *as_json* and the
        text is a JSON object with unknown strings (then :class:`PartialJSON`). An Unknown
        result is named by the unknown parts' expressions and carries all their
        references. A text joined from several parts spends its length from the budget
        before it is made."""
        unknown = [p for p in parts if isinstance(p, Unknown)]
        if unknown:
            expr = ", ".join(u.expr for u in unknown if u.expr)
            document = partial_json(parts, expr) if as_json else None
            return computed(expr, unknown) if document is None else document
        texts = [to_string(p) for p in parts]
        if len(texts) > 1:  # one text is taken as it is, not copied
            self.budget.spend_text(sum(map(len, texts)), "HCL templates")
        return "".join(texts)

    def _tuple(self, node: Node) -> RawValue:
        return tuple(self.eval(c) for c in subtrees(node) if c.data != "new_line_or_comment")

    def _object(self, node: Node) -> RawValue:
        result: dict[str, RawValue] = {}
        for elem in subtrees(node):
            if elem.data != "object_elem":
                continue
            trees = list(subtrees(elem))
            key_node, value_node = trees[0], trees[-1]
            key = self._object_key(key_node)
            if isinstance(key, Unknown):
                return plain(key)
            result[to_string(key)] = self.eval(value_node)
        return result

    def _object_key(self, key_node: Node) -> RawValue:
        (inner,) = list(subtrees(key_node))
        bare = list(subtrees(inner))
        if inner.data == "keyword" or (len(bare) == 1 and bare[0].data == "identifier"):
            return name_of(inner)  # a bare name is the key itself, not a reference
        return self.eval(inner)

    def _conditional(self, node: Node) -> RawValue:
        condition, yes, no = (c for c in subtrees(node) if c.data != "new_line_or_comment")
        test = self.eval(condition)
        if isinstance(test, Unknown):
            return plain(test)
        if not isinstance(test, bool):
            raise EvalError("condition is not a bool")
        return self.eval(yes if test else no)

    def _binary(self, node: Node) -> RawValue:
        left_node, term = (c for c in subtrees(node) if c.data != "new_line_or_comment")
        operator_node, right_node = (c for c in subtrees(term) if c.data != "new_line_or_comment")
        # an operator starting a line carries the line break (and comments) before it
        operator = name_of(operator_node).rsplit("\n", 1)[-1].strip()
        left = self.eval(left_node)
        if operator in {"&&", "||"} and isinstance(left, bool) and (operator == "&&") != left:
            return left  # short-circuit
        right = self.eval(right_node)
        return binary(operator, left, right)

    def _unary(self, node: Node) -> RawValue:
        operator, operand_node = node.children[0], list(subtrees(node))[-1]
        operand = self.eval(operand_node)
        if isinstance(operand, Unknown):
            return plain(operand)
        if str(operator) == "!" and isinstance(operand, bool):
            return not operand
        if str(operator) == "-" and isinstance(operand, int | float):
            return -operand
        raise EvalError("bad operand")

    def _call(self, node: Node) -> RawValue:
        parts = list(subtrees(node))
        name = "::".join(name_of(p) for p in parts if p.data == "identifier")
        arguments = next((p for p in parts if p.data == "arguments"), None)
        arg_nodes = (
            [c for c in subtrees(arguments) if c.data != "new_line_or_comment"]
            if arguments is not None
            else []
        )
        expand = arguments is not None and any(
            getattr(c, "type", "") == "ELLIPSIS" for c in arguments.children
        )
        if name in {"try", "can"}:
            return self._try(name, arg_nodes)
        args = [self.eval(a) for a in arg_nodes]
        if expand and args:
            last = args.pop()
            if isinstance(last, Unknown):
                return plain(last)
            args += list(last) if isinstance(last, tuple) else [last]
        if name in {"file", "templatefile"}:
            return self._file(name, args)
        function = FUNCTIONS.get(name)
        if function is None:
            return computed(f"{name}(...)", args)
        if name in _BUILDERS:
            self.budget.spend(_built_size(name, args), "HCL functions")
        try:
            return function(args)
        except (EvalError, KeyError, IndexError, TypeError, ValueError, ArithmeticError):
            if contains_unknown(args):  # e.g. lookup() in an unknown map: unknown too
                return computed(f"{name}(...)", args)
            raise

    def _try(self, name: str, arg_nodes: Sequence[Node]) -> RawValue:
        for arg in arg_nodes:
            try:
                value = self.eval(arg)
            except (EvalError, KeyError, IndexError, TypeError, ValueError, ArithmeticError):
                if name == "can":
                    return False
                continue
            return True if name == "can" and not isinstance(value, Unknown) else value
        raise EvalError("no argument of try() could be evaluated")

    def _file(self, name: str, args: list[RawValue]) -> RawValue:
        """``file()`` and ``templatefile()``: each file is read once per configuration;
        a template may not call ``templatefile()`` (as in Terraform), so chains end."""
        if not args or not isinstance(args[0], str) or any(isinstance(a, Unknown) for a in args):
            return computed(f"{name}(...)", args)  # unknown variables inside the map are rendered
        if name == "templatefile" and isinstance(self.resolver, _NoReferences):
            return Unknown(f"{name}({args[0]})")
        path = (self.base_dir / args[0]).resolve()
        text = self.session.read(path, self.root_dir)
        if text is None:
            return Unknown(f"{name}({args[0]})")
        if name == "file":
            return text
        variables = args[1] if len(args) > 1 and isinstance(args[1], Mapping) else {}
        template = Evaluator(
            _NoReferences(), path.parent, self.root_dir, variables, session=self.session
        )
        return template.template(text)

    def _for_tuple(self, node: Node) -> RawValue:
        """A list; an element whose ``if`` is unknown, or computed from an unknown number
        of elements, is :class:`UnknownItems` (it may be absent or stand for several)."""
        intro, body, condition = _for_parts(node)
        result: list[RawValue] = []
        for scope, item in self._iterations(intro):
            if isinstance(item, UnknownItems):  # elements that may not exist: no value
                value = scope.value(body[0], item.expr)
                result.append(UnknownItems(item.expr, refs_of(item, value)))
                continue
            test = True if condition is None else scope.eval(condition)
            if isinstance(test, Unknown):
                value = scope.value(body[0], test.expr)
                result.append(UnknownItems(test.expr, refs_of(test, value)))
            elif _truth(test):
                result.append(scope.eval(body[0]))
        return tuple(result)

    def _for_object(self, node: Node) -> RawValue:
        intro, body, condition = _for_parts(node)
        grouped = any(getattr(c, "type", "") == "ELLIPSIS" for c in node.children)
        result: dict[str, RawValue] = {}
        for scope, _ in self._iterations(intro):
            if condition is not None and not _truth(scope.eval(condition)):
                continue
            key = scope.eval(body[0])
            if isinstance(key, Unknown):
                return plain(key)
            value = scope.eval(body[1])
            if grouped:
                previous = result.get(to_string(key), ())
                result[to_string(key)] = (*(previous if isinstance(previous, tuple) else ()), value)
            else:
                result[to_string(key)] = value
        return result

    def _iterations(self, intro: Node) -> Iterator[tuple[Evaluator, RawValue]]:
        names = [name_of(c) for c in subtrees(intro) if c.data == "identifier"]
        collection = self.eval(
            next(c for c in subtrees(intro) if c.data not in {"identifier", "new_line_or_comment"})
        )
        if isinstance(collection, Unknown):
            raise EvalError("for over an unknown collection")
        for key, item in iterate(collection):
            self.budget.spend(1, "HCL for expressions")
            bindings = {names[0]: key, names[1]: item} if len(names) == 2 else {names[0]: item}
            yield self.child(bindings), item

    # ------------------------------------------------------------------ traversals

    def _traversal(self, node: Node) -> RawValue:
        base, steps = self._flatten(node)
        if base.data == "identifier":
            root = name_of(base)
            if root in self.bindings:
                return apply_steps(self.bindings[root], steps)
            if self.depth > _MAX_DEPTH:
                raise EvalError("references nested too deeply")
            value, consumed = self.resolver.resolve(root, steps, self)
            return apply_steps(value, steps[consumed:])
        return apply_steps(self.eval(base), steps)

    def _flatten(self, node: Node) -> tuple[Node, list[Step]]:
        kind = str(node.data)
        if kind == "expr_term":
            inner = [c for c in subtrees(node) if c.data != "new_line_or_comment"]
            return self._flatten(inner[0]) if len(inner) == 1 else (node, [])
        if kind not in _TRAVERSALS:
            return node, []
        children = list(subtrees(node))
        base, steps = self._flatten(children[0])
        for step_node in children[1:]:
            steps += self._steps(step_node)
        return base, steps

    def _steps(self, node: Node) -> list[Step]:
        kind = str(node.data)
        if kind == "get_attr":
            return [("attr", name_of(next(subtrees(node))))]
        if kind == "short_index":
            return [("index", int(str(node.children[-1])))]
        if kind == "braces_index":
            inner = [c for c in subtrees(node) if c.data != "new_line_or_comment"]
            return [("index", self.eval(inner[0]))]
        if kind in {"attr_splat", "full_splat"}:
            steps: list[Step] = [("splat", None)]
            for child in subtrees(node):
                steps += self._steps(child)
            return steps
        raise EvalError(f"unsupported traversal {kind}")


class _NoReferences:
    """A resolver for ``templatefile`` bodies: only the given variables exist."""

    def resolve(self, root: str, steps: Sequence[Step], ev: Evaluator) -> tuple[RawValue, int]:
        raise EvalError(f"{root} is not defined in a template")


_TRAVERSALS: Final = frozenset(
    {"get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"}
)


def _expression_child(node: Node) -> Node:
    return next(c for c in subtrees(node) if c.data != "new_line_or_comment")


def _for_parts(node: Node) -> tuple[Node, list[Node], Node | None]:
    parts = [c for c in subtrees(node) if c.data != "new_line_or_comment"]
    intro = parts[0]
    condition = parts[-1] if parts[-1].data == "for_cond" else None
    body = parts[1:-1] if condition is not None else parts[1:]
    cond_expr = _expression_child(condition) if condition is not None else None
    return intro, body, cond_expr


def _truth(value: RawValue) -> bool:
    if isinstance(value, bool):
        return value
    raise EvalError("condition is not a known bool")


def _built_size(name: str, args: Sequence[RawValue]) -> int:
    """Steps a call of builder function *name* spends before it runs: the size of its
    arguments; for ``join`` the separator's characters as often as it repeats, for
    ``replace`` the replacement's as often as it may match (the results that can
    outgrow their arguments by a product), for ``split`` a step per piece."""
    steps = value_size(tuple(args))
    if name == "join" and len(args) == 2 and isinstance(args[0], str):
        repeats = len(args[1]) if isinstance(args[1], tuple) else 1
        steps += len(args[0]) * repeats // CHARS_PER_STEP
    if name == "split" and len(args) == 2 and all(isinstance(a, str) for a in args) and args[0]:
        steps += str(args[1]).count(str(args[0]))  # one string per piece
    if name == "replace" and len(args) == 3 and all(isinstance(a, str) for a in args):
        text, old, new = (str(a) for a in args)
        steps += len(text) // max(1, len(old)) * len(new) // CHARS_PER_STEP
    return steps


def iterate(collection: RawValue) -> Iterator[tuple[RawValue, RawValue]]:
    """``(key, value)`` pairs of a list (index keys) or a map (sorted keys, as Terraform).

    :raises EvalError: *collection* is not a list or a map.
    """
    if isinstance(collection, tuple | list):
        yield from enumerate(collection)
    elif isinstance(collection, Mapping):
        for key in sorted(collection):
            yield key, collection[key]
    else:
        raise EvalError("not a collection")


def apply_steps(value: RawValue, steps: Sequence[Step]) -> RawValue:
    """Follow attribute, index and splat steps into a value.

    :raises EvalError: a step does not apply (missing key, index out of range).
    """
    for position, (kind, key) in enumerate(steps):
        if isinstance(value, Unknown):
            return plain(value)
        if kind == "splat":
            items = () if value is None else value if isinstance(value, tuple) else (value,)
            rest = steps[position + 1 :]
            return tuple(apply_steps(item, rest) for item in items)
        if isinstance(key, Unknown):
            return plain(key)
        if isinstance(value, Mapping):
            if to_string(key) not in value:
                raise EvalError(f"no key {key!r}")
            value = value[to_string(key)]
        elif isinstance(value, tuple) and kind == "index" and isinstance(key, int | float):
            before = value[: int(key) + 1]
            if any(isinstance(i, UnknownItems) for i in before):  # the position is unknown
                return computed(f"[{key}]", *before)
            value = value[int(key)]
        else:
            raise EvalError(f"cannot apply {kind} {key!r}")
    return value


def binary(operator: str, left: RawValue, right: RawValue) -> RawValue:
    """Apply an HCL binary operator; Unknown operands give Unknown (with the references
    of both).

    :raises EvalError: the operand types do not fit the operator.
    """
    if isinstance(left, Unknown):
        return computed(left.expr, left, right)
    if isinstance(right, Unknown):
        return computed(right.expr, right)
    if operator == "==":
        return left == right
    if operator == "!=":
        return left != right
    if operator in {"&&", "||"}:
        if isinstance(left, bool) and isinstance(right, bool):
            return (left and right) if operator == "&&" else (left or right)
        raise EvalError("logical operator on non-bool")
    numbers = [_number(left), _number(right)]
    a, b = numbers
    results: dict[str, Callable[[], RawValue]] = {
        "+": lambda: a + b,
        "-": lambda: a - b,
        "*": lambda: a * b,
        "/": lambda: a / b,
        "%": lambda: a % b,
        "<": lambda: a < b,
        ">": lambda: a > b,
        "<=": lambda: a <= b,
        ">=": lambda: a >= b,
    }
    if operator not in results:
        raise EvalError(f"unknown operator {operator}")
    result = results[operator]()
    return int(result) if isinstance(result, float) and result.is_integer() else result


def _number(value: RawValue) -> float | int:
    if isinstance(value, bool):
        raise EvalError("bool is not a number")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return float(value) if "." in value else int(value)
    raise EvalError("not a number")


def parse_expression(text: str) -> Node:
    """Parse one expression (an interpolation inside a heredoc or template).

    :raises EvalError: the text is not an expression.
    """
    from lark.exceptions import LarkError

    from iacguard.parsers.terraform._hcl2 import parse_to_tree

    try:
        tree = parse_to_tree(f"x = {text.strip().strip('~').strip()}\n")
    except LarkError as err:
        raise EvalError("invalid interpolation") from err
    body = next(subtrees(tree))
    attribute = next(c for c in subtrees(body) if c.data == "attribute")
    return list(subtrees(attribute))[-1]


_HANDLERS: Final[Mapping[str, Callable[[Evaluator, Node], RawValue]]] = {
    "expr_term": Evaluator._expr_term,
    "literal_value": Evaluator._literal,
    "int_lit": Evaluator._int,
    "float_lit": Evaluator._float,
    "string": Evaluator._string,
    "heredoc_template": Evaluator._heredoc,
    "heredoc_template_trim": Evaluator._heredoc,
    "tuple": Evaluator._tuple,
    "object": Evaluator._object,
    "conditional": Evaluator._conditional,
    "binary_op": Evaluator._binary,
    "unary_op": Evaluator._unary,
    "function_call": Evaluator._call,
    "for_tuple_expr": Evaluator._for_tuple,
    "for_object_expr": Evaluator._for_object,
    "identifier": Evaluator._traversal,
    **dict.fromkeys(_TRAVERSALS, Evaluator._traversal),
}
