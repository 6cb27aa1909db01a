"""What a scan could not evaluate, and why (#17: say what was not evaluated).

A value known only after apply is never guessed (rules.md: Unknown is never ``*`` and
never safe), so whatever depends on it is left out of the evaluation: a policy document,
one statement of a document, a policy attached by an ARN the input does not define, a
module whose source is not a local directory. Each becomes a :class:`NotEvaluated`
record, so that reports can count them ("3 policy documents not evaluated: unknown until
apply") and list them (``-v``), instead of letting "0 findings" read as "nothing wrong".

Records come from two places, flowing one way to the engine's ``ScanResult``:

- the parsers, for what never reaches the graph (``ParsedInput.not_evaluated``): a module
  not followed, a resource whose ``count``/``for_each`` is unknown;
- :func:`of_graph`, for what the graph holds as :class:`~iacguard.model.Unknown`: policy
  documents and statements, and attachments of policies whose content is not in it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final

from iacguard.graph import Graph, outside_target
from iacguard.model import EdgeKind, Location, PolicyDocument, PolicyKind, Unknown
from iacguard.results import DiagnosticCode

#: the diagnostic code of what was not evaluated: a WARNING for an input of which not
#: one policy was evaluated, a NOTE per element listed with ``-v``
NOT_EVALUATED_CODE: Final = DiagnosticCode.NOT_EVALUATED
#: the longest expression a record quotes; longer ones are cut with an ellipsis
MAX_DETAIL: Final = 80

#: reasons, as the summary phrases them (what was done, then why)
UNKNOWN: Final = "not evaluated: unknown until apply"
OUTSIDE: Final = "not evaluated: defined outside the input"
NOT_SHIPPED: Final = "not evaluated: not in the shipped AWS-managed policy set"
SAM_TEMPLATE: Final = "not evaluated: SAM policy template (not modelled)"
UNKNOWN_COUNT: Final = "read as one instance: count unknown until apply"
UNKNOWN_FOR_EACH: Final = "read as one instance: for_each unknown until apply"


class NotEvaluatedKind(Enum):
    """What kind of element was not evaluated; the value is its singular noun."""

    POLICY_DOCUMENT = "policy document"
    POLICY_STATEMENT = "policy statement"
    ATTACHED_POLICY = "attached policy"
    MODULE = "module"
    RESOURCE = "resource"

    @property
    def plural(self) -> str:
        """``policy documents``, ``attached policies``."""
        noun = self.value
        return noun[:-1] + "ies" if noun.endswith("y") else noun + "s"


@dataclass(frozen=True, slots=True)
class NotEvaluated:
    """One element of an input that the scan could not evaluate (or not fully)."""

    kind: NotEvaluatedKind
    #: the element's address: a policy's node id (``aws_iam_role.ci#assume_role_policy``,
    #: an AWS-managed ARN), the attachment of an outside policy, ``module.NAME``
    address: str
    location: Location
    #: the group it is counted in, phrased for the summary (:data:`UNKNOWN` ...)
    reason: str
    #: what it depends on, for the listing: an expression, an ARN, a statement number
    detail: str = ""

    @property
    def sort_key(self) -> tuple[str, int, str, str, str]:
        """Order of listings: file, line, address, kind, detail."""
        loc = self.location
        return (str(loc.file), loc.line or 0, self.address, self.kind.value, self.detail)

    def describe(self) -> str:
        """One line for ``-v``: ``policy document 'aws_iam_policy.x' at main.tf:3: not
        evaluated: unknown until apply (var.policy)``."""
        where = self.location.where()
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.kind.value} '{self.address}' at {where}: {self.reason}{detail}"


@dataclass(frozen=True, slots=True)
class NotEvaluatedGroup:
    """How many elements of one kind were not evaluated for one reason."""

    kind: NotEvaluatedKind
    reason: str
    count: int

    def describe(self) -> str:
        """``3 policy documents not evaluated: unknown until apply``."""
        noun = self.kind.value if self.count == 1 else self.kind.plural
        return f"{self.count} {noun} {self.reason}"


def groups(items: Iterable[NotEvaluated]) -> tuple[NotEvaluatedGroup, ...]:
    """*items* counted by kind and reason, in the order of :class:`NotEvaluatedKind`,
    then by reason."""
    counts = Counter((item.kind, item.reason) for item in items)
    order = list(NotEvaluatedKind)
    keys = sorted(counts, key=lambda key: (order.index(key[0]), key[1]))
    return tuple(NotEvaluatedGroup(kind, reason, counts[kind, reason]) for kind, reason in keys)


def of_graph(graph: Graph) -> Iterator[NotEvaluated]:
    """What *graph* holds but could not be evaluated: policy documents known only after
    apply (or AWS-managed ones not shipped), statements whose effect is unknown (a
    statement of a partly known document), and policies attached by an id whose content
    the graph does not have."""
    for policy in graph.policies():
        document = policy.document
        location = policy.origin.location
        if isinstance(document, Unknown):
            shipped = policy.kind is not PolicyKind.AWS_MANAGED
            yield NotEvaluated(
                NotEvaluatedKind.POLICY_DOCUMENT,
                policy.id,
                location,
                UNKNOWN if shipped else NOT_SHIPPED,
                shorten(document.expr) if shipped else "",
            )
            continue
        for statement in document.statements:
            effect = statement.effect
            if not isinstance(effect, Unknown):
                continue
            expr = f": {shorten(effect.expr)}" if effect.expr else ""
            yield NotEvaluated(
                NotEvaluatedKind.POLICY_STATEMENT,
                policy.id,
                statement.origin.location if statement.origin.location.line else location,
                UNKNOWN,
                f"statement {statement.index + 1}{expr}",
            )
    seen: set[tuple[str, str]] = set()
    for edge in graph.edges(EdgeKind.ATTACHED):
        outside = outside_target(edge.source)
        if outside is None or (edge.source, edge.origin.address) in seen:
            continue
        seen.add((edge.source, edge.origin.address))
        yield NotEvaluated(
            NotEvaluatedKind.ATTACHED_POLICY,
            edge.origin.address,
            edge.origin.location,
            UNKNOWN if outside.unknown else OUTSIDE,
            shorten(outside.name),
        )


def evaluated_nothing(graph: Graph, items: Sequence[NotEvaluated]) -> bool:
    """True when something of *graph*'s input was not evaluated (*items*) and not one
    policy statement of it was: its findings, if any, say nothing of what it grants."""
    if not items:
        return False
    for policy in graph.policies():
        document = policy.document
        if isinstance(document, PolicyDocument) and any(
            not isinstance(s.effect, Unknown) for s in document.statements
        ):
            return False
    return True


def shorten(text: str) -> str:
    """*text* on one line, cut at :data:`MAX_DETAIL` characters (bounded work, whatever
    its length)."""
    head = " ".join(text[: MAX_DETAIL * 4].split())
    if len(head) <= MAX_DETAIL and len(text) <= MAX_DETAIL * 4:
        return head
    return head[: MAX_DETAIL - 1] + "…"
