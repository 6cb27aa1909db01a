"""Suppressions: accepted risks that silence findings, and the baseline file.

Where suppressions come from, and their grammar:

- HCL comments (``parsers/terraform/hcl.py``): ``# iacguard:ignore:IAM301 reason`` or
  ``// iacguard:ignore:IAM301,IAM302:exp:2027-01-31 reason`` on or above a block or
  attribute;
- CloudFormation (``parsers/cloudformation/template.py``): ``Metadata: {iacguard: {ignore:
  [{id: IAM301, reason: ..., expires: 2027-01-31}]}}`` on a resource;
- configuration (``config.py``): ``[[suppress]]`` tables with ``rules``, ``address``
  (a glob where only ``*`` and ``?`` are special), ``reason`` and ``expires``;
- a baseline file (``--baseline``): every finding recorded by ``--create-baseline``.

A suppression matches a finding when one of its rules is a prefix of the finding's
rule ID, its address matches the finding's address, and its pointer (if any) is a
prefix of the finding's pointer. Only a configuration entry's address is a glob
(matched in linear time, :func:`iacguard._glob.glob_match`); one written in the input
is the address of what it sits on, compared literally even when it holds ``*``, ``?``
or ``[`` (a CloudFormation logical ID, a ``for_each`` key), except that an HCL comment
on a resource with ``count``/``for_each`` ends in :data:`ALL_INSTANCES` and covers
each instance. A baseline entry matches exactly one rule, address and
file (looked up, so large baselines cost nothing per finding). Suppressions read from an
input apply to that input's findings only. An expired suppression silences nothing and
is reported; so is one that silenced nothing, unless none of its rules ran, or it is a
baseline entry (a finding that went away is good news).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

from iacguard._glob import glob_match
from iacguard.budget import CHARS_PER_STEP, WorkBudget
from iacguard.errors import ConfigError
from iacguard.model import Location
from iacguard.results import (
    Diagnostic,
    DiagnosticCode,
    DiagnosticLevel,
    Finding,
    SuppressedFinding,
    Suppression,
)

#: bumped on an incompatible change of the baseline file
BASELINE_VERSION: Final = 1


#: how an HCL comment's suppression (``parsers.hcl.bind_suppressions``) ends when it
#: covers every instance of a resource with ``count``/``for_each``
ALL_INSTANCES: Final = "[*]"


def _address_matches(suppression: Suppression, address: str) -> bool:
    """True when *suppression*'s address covers *address*: a configuration glob (``*``
    any run, ``?`` one character, all else literal: addresses contain ``[`` and ``"``,
    which fnmatch would misread), else the address itself (module docstring)."""
    if suppression.kind == "config":
        return glob_match(suppression.address, address)
    if suppression.address == address:
        return True
    base = suppression.address.removesuffix(ALL_INSTANCES)
    return (
        suppression.kind == "hcl-comment"
        and base != suppression.address
        and address.startswith(base + "[")
        and address.endswith("]")
    )


def _match_cost(suppression: Suppression, address: str) -> int:
    """Steps trying *suppression* on a finding at *address* costs: the automaton of a
    glob with ``?`` reads the address a character at a time, everything else in C."""
    if suppression.kind == "config" and "?" in suppression.address:
        return 1 + len(address)
    return 1 + len(address) // CHARS_PER_STEP


def matches(suppression: Suppression, finding: Finding) -> bool:
    """True when *suppression* covers *finding* (expiry is not considered here).

    A baseline entry names one finding exactly (rule, address, file); the others match by
    rule prefix and address glob.
    """
    if suppression.kind == "baseline":
        return _baseline_key(suppression) == (
            finding.rule_id,
            finding.address,
            finding.location.file,
        )
    return (
        any(finding.rule_id.startswith(rule) for rule in suppression.rules)
        and _address_matches(suppression, finding.address)
        and finding.pointer[: len(suppression.pointer)] == suppression.pointer
        and (suppression.file is None or suppression.file == finding.location.file)
    )


def _tried(suppression: Suppression, finding: Finding, budget: WorkBudget) -> bool:
    """:func:`matches`, paid for from *budget*."""
    budget.spend(_match_cost(suppression, finding.address), "suppression matching")
    return matches(suppression, finding)


def _baseline_key(suppression: Suppression) -> tuple[str, str, PurePosixPath | None]:
    return (suppression.rules[0], suppression.address, suppression.file)


@dataclass(frozen=True, slots=True)
class Outcome:
    """Findings split by a set of suppressions, with what to tell about them."""

    kept: tuple[Finding, ...]
    suppressed: tuple[SuppressedFinding, ...]
    diagnostics: tuple[Diagnostic, ...]


def apply(
    findings: Sequence[Finding],
    suppressions: Iterable[Suppression],
    today: datetime.date,
    ran: Collection[str] = (),
    budget: WorkBudget | None = None,
) -> Outcome:
    """Split *findings* into kept and suppressed.

    :param today: the date expiry is judged against.
    :param ran: the IDs of the rules that ran; a suppression none of whose rules ran
        (deselected with ``--select``/``--ignore``) could not match, and is not reported
        as unused. Empty: report every unused suppression.
    :param budget: the scan's work budget: each suppression tried on a finding spends
        from it (thousands of each are millions of pairs); None: a fresh default one.
    :returns: the split, plus a WARNING per expired suppression and per unused one.
    :raises WorkBudgetExhausted: the budget is spent.
    """
    budget = budget or WorkBudget()
    globs: list[Suppression] = []
    exact: dict[tuple[str, str, PurePosixPath | None], Suppression] = {}
    diagnostics: list[Diagnostic] = []
    for suppression in suppressions:
        if suppression.expires is not None and suppression.expires < today:
            message = f"{describe(suppression)} expired on {suppression.expires.isoformat()}"
            diagnostics.append(_warning(message + "; its findings are reported again", suppression))
        elif suppression.kind == "baseline":  # exact: looked up, not scanned
            exact.setdefault(_baseline_key(suppression), suppression)
        else:
            globs.append(suppression)
    used: set[Suppression] = set()
    kept: list[Finding] = []
    suppressed: list[SuppressedFinding] = []
    for finding in findings:
        match = exact.get((finding.rule_id, finding.address, finding.location.file))
        if match is None:
            match = next((s for s in globs if _tried(s, finding, budget)), None)
        if match is None:
            kept.append(finding)
        else:
            used.add(match)
            suppressed.append(SuppressedFinding(finding, match))
    for suppression in globs:
        could_match = not ran or any(r.startswith(rule) for rule in suppression.rules for r in ran)
        if suppression not in used and could_match:
            diagnostics.append(
                _warning(f"unused {describe(suppression)}: it matches no finding", suppression)
            )
    return Outcome(tuple(kept), tuple(suppressed), tuple(diagnostics))


def describe(suppression: Suppression) -> str:
    """``suppression of IAM301 at 'aws_iam_role.x' (hcl-comment)`` — for messages."""
    rules = ",".join(suppression.rules)
    where = f" ({suppression.kind}"
    if suppression.location is not None:
        where += f" in {suppression.location.where()}"
    return f"suppression of {rules} at '{suppression.address}'{where})"


def _warning(message: str, suppression: Suppression) -> Diagnostic:
    return Diagnostic(
        DiagnosticLevel.WARNING, DiagnosticCode.SUPPRESSION, message, suppression.location
    )


# ---------------------------------------------------------------------- baseline


def write_baseline(path: Path, findings: Iterable[Finding]) -> None:
    """Record *findings* by rule, file and address (no lines, so edits keep matching).

    :raises ConfigError: the file cannot be written.
    """
    entries = sorted({(f.rule_id, str(f.location.file), f.address) for f in findings})
    document = {
        "version": BASELINE_VERSION,
        "findings": [{"rule_id": r, "file": file, "resource": a} for r, file, a in entries],
    }
    try:
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot write baseline: {err.strerror or err}") from err


def read_baseline(path: Path) -> tuple[Suppression, ...]:
    """The suppressions a baseline file stands for, one per recorded finding.

    :raises ConfigError: the file is missing, not JSON, or not a baseline.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"{path}: cannot read baseline: {err.strerror or err}") from err
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: baseline is not valid JSON: {err}") from err
    except ValueError as err:  # a NUL byte in a configured path
        raise ConfigError(f"{path}: cannot read baseline: {err}") from err
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: not an iacguard baseline (version {BASELINE_VERSION})")
    entries = document.get("findings")
    if document.get("version") != BASELINE_VERSION or not isinstance(entries, list):
        raise ConfigError(f"{path}: not an iacguard baseline (version {BASELINE_VERSION})")
    location = Location(PurePosixPath(path.as_posix()))
    result: list[Suppression] = []
    for entry in entries:
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) for k in ("rule_id", "file", "resource")
        ):
            raise ConfigError(f"{path}: malformed baseline entry {entry!r}")
        result.append(
            Suppression(
                (entry["rule_id"],),
                entry["resource"],
                "recorded in the baseline",
                location=location,
                kind="baseline",
                file=PurePosixPath(entry["file"]),
            )
        )
    return tuple(result)
