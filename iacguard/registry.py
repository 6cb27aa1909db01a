"""Check declarations: the ``@check`` decorator, the context a check runs with, and the
registry that enforces rule-ID grammar and uniqueness."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, TypeAlias, cast, final

from iacguard.budget import WorkBudget
from iacguard.catalog import ActionCatalog
from iacguard.errors import DuplicateCheckError, InvalidCheckError
from iacguard.graph import Graph
from iacguard.model import Severity
from iacguard.results import Hit

if TYPE_CHECKING:
    from iacguard.analysis.analyzer import Analyzer

#: rule IDs: a 2-5 letter prefix and three digits (``IAM301``, ``ACME001``)
RULE_ID_PATTERN: Final = re.compile(r"^[A-Z]{2,5}[0-9]{3}$")
#: the prefix reserved for built-in rules
BUILTIN_PREFIX: Final = "IAM"
#: where rule documentation lives; a rule's anchor is its lower-case ID
DOCS_URL: Final = "https://github.com/iacguard/iacguard/blob/main/docs/rules.md"


@dataclass(frozen=True, slots=True)
class Settings:
    """Settings that change what checks consider safe."""

    #: AWS account IDs trusted by the organisation (IAM402 stays silent for them)
    trusted_accounts: frozenset[str] = frozenset()
    #: an active access key last rotated longer ago than this is stale (IAM107)
    max_key_age_days: int = 90
    #: a credential unused for longer than this is unnecessary (IAM108)
    max_unused_days: int = 90


@final
@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a check receives: the graph of one input, the action catalog, the settings,
    the scan's work budget, and the scan's analysis of the graph.

    Everything a check may reuse from the checks before it is here: the engine makes one
    context per graph of a scan and gives it to every check, and nothing is remembered
    between scans or behind the engine's back (no module-level caches).
    """

    graph: Graph
    catalog: ActionCatalog
    settings: Settings = field(default_factory=Settings)
    #: the scan's work budget: a check whose work grows faster than the graph (comparing
    #: pairs, searching) spends from it; when it is spent the check stops with
    #: :class:`~iacguard.errors.WorkBudgetExhausted` and the scan is incomplete
    budget: WorkBudget = field(default_factory=WorkBudget)
    #: the analysis of :attr:`graph` (effective permissions, escalation paths, can-assume
    #: edges, privilege verdicts), shared by every check of the graph so that they never
    #: disagree and never evaluate a principal twice; made from :attr:`graph` and
    #: :attr:`catalog` when not given (a context built by hand, in a plugin's tests)
    analyzer: Analyzer = field(default=cast("Analyzer", None), compare=False, repr=False)

    def __post_init__(self) -> None:
        given = cast("Analyzer | None", self.analyzer)  # None: the default, not given
        if given is None:
            from iacguard.analysis.analyzer import Analyzer

            object.__setattr__(self, "analyzer", Analyzer(self.graph, self.catalog))
        elif given.graph is not self.graph or given.catalog is not self.catalog:
            raise ValueError("a check context's analyzer is of another graph or catalog")


#: the function behind a check: yields one Hit per violation
CheckFunction: TypeAlias = Callable[[CheckContext], Iterable[Hit]]


@final
@dataclass(frozen=True, slots=True)
class Check:
    """A declared rule: its metadata and the function that finds violations."""

    id: str
    #: the docstring's first line
    title: str
    #: the docstring's body: why it matters, an example, the fix
    description: str
    severity: Severity
    run: CheckFunction
    tags: frozenset[str] = frozenset()
    help_uri: str = ""

    @property
    def remediation(self) -> str:
        """The description's ``Fix:`` paragraph as plain text: unwrapped, reST double
        backticks made single, without the label ("" if none)."""
        for paragraph in self.description.split("\n\n"):
            text = " ".join(paragraph.split()).replace("``", "`")
            if text.startswith("Fix:"):
                return text.removeprefix("Fix:").strip()
        return ""

    @property
    def slug(self) -> str:
        """The check function's name, a snake_case slug of the bad state."""
        return getattr(self.run, "__name__", self.id.lower())


def check(
    rule_id: str, *, severity: Severity, tags: Iterable[str] = (), help_uri: str | None = None
) -> Callable[[CheckFunction], Check]:
    """Declare a check; the decorated function's docstring is the rule's documentation.

    :param rule_id: the stable ID, e.g. ``IAM301`` or ``ACME001``.
    :param severity: the default severity of its findings.
    :param tags: free-form labels (``least-privilege``), shown in SARIF.
    :param help_uri: where the rule is documented; defaults to iacguard's rule docs.
    :returns: a decorator turning the function into a :class:`Check`.
    :raises InvalidCheckError: the ID is malformed or the function has no docstring.
    """
    if not RULE_ID_PATTERN.match(rule_id):
        raise InvalidCheckError(f"rule ID {rule_id!r} does not match {RULE_ID_PATTERN.pattern}")

    def decorate(function: CheckFunction) -> Check:
        doc = inspect.getdoc(function)
        if not doc:
            raise InvalidCheckError(f"check {rule_id} has no docstring (its documentation)")
        title, _, body = doc.partition("\n")
        return Check(
            id=rule_id,
            title=title.strip().rstrip("."),
            description=body.strip(),
            severity=severity,
            run=function,
            tags=frozenset(tags),
            help_uri=help_uri or f"{DOCS_URL}#{rule_id.lower()}",
        )

    return decorate


#: the callback a plugin's ``iacguard_register_checks`` hook receives
RegisterCheck: TypeAlias = Callable[[Check], None]


@final
class CheckRegistry:
    """The checks of one run, by rule ID, each with the plugin that registered it."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}
        self._owners: dict[str, str] = {}

    def add(self, check: Check, plugin: str) -> None:
        """Register *check* on behalf of *plugin*.

        :raises InvalidCheckError: a plugin other than the built-ins uses the ``IAM``
            prefix, or *check* is not a :class:`Check`.
        :raises DuplicateCheckError: the ID is taken; the message names both plugins.
        """
        if not isinstance(check, Check):
            raise InvalidCheckError(f"plugin {plugin} registered {check!r}, not a @check")
        builtin = plugin.startswith("iacguard.")
        if check.id.startswith(BUILTIN_PREFIX) and not builtin:
            raise InvalidCheckError(
                f"plugin {plugin} registers {check.id}: the IAM prefix is reserved for "
                "built-in rules, use your own prefix"
            )
        if check.id in self._checks:
            raise DuplicateCheckError(check.id, self._owners[check.id], plugin)
        self._checks[check.id] = check
        self._owners[check.id] = plugin

    def owner(self, rule_id: str) -> str:
        """The plugin that registered *rule_id*."""
        return self._owners[rule_id]

    def get(self, rule_id: str) -> Check | None:
        """The check with *rule_id*, if registered."""
        return self._checks.get(rule_id)

    def __iter__(self) -> Iterator[Check]:
        """Checks sorted by rule ID."""
        return iter(sorted(self._checks.values(), key=lambda c: c.id))

    def __len__(self) -> int:
        return len(self._checks)
