"""MFA: whether a grant needs it, and whether a Deny enforces it (IAM203/204/404)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from iacguard.analysis.conditions import denies_without_mfa, is_wildcard, requires_mfa

if TYPE_CHECKING:
    from iacguard.analysis.grants import Grant


def enforces_mfa(grant: Grant) -> bool | None:
    """Whether *grant* enforces MFA: a ``Deny``, when ``aws:MultiFactorAuthPresent`` is
    false (``Bool``/``BoolIfExists``) or absent (``Null`` true), of every action
    (``Action: "*"``, or ``NotAction`` listing a few) on every resource (``Resource:
    "*"``, or ``NotResource`` listing a few).

    A look-alike that denies nothing does not count: ``NotAction: "*"``, or a
    ``Resource`` that names specific resources (a bucket that may not even exist).

    :returns: True, False, or None when an unresolved value decides: a condition value,
        a condition block whose keys are unknown, an unknown ``Action`` entry (which might
        be ``*``) or an unknown resource.
    """
    statement = grant.statement
    if not statement.is_deny:
        return False
    if grant.not_action:
        actions: bool | None = not any(is_wildcard(p) for p in grant.patterns)
    else:
        actions = True if grant.covers_all() else (None if grant.unresolved else False)
    resources = _every_resource(grant)
    if actions is False or resources is False:
        return False
    verdicts = [denies_without_mfa(c) for c in statement.conditions]
    if True in verdicts:
        return True if actions and resources else None
    return None if None in verdicts else False


def _every_resource(grant: Grant) -> bool | None:
    statement = grant.statement
    entries = statement.not_resources if statement.uses_not_resource else statement.resources
    wildcard = any(isinstance(e, str) and is_wildcard(e) for e in entries)
    if statement.uses_not_resource:
        return not wildcard
    if wildcard:
        return True
    return None if any(not isinstance(e, str) for e in entries) else False


def requires_mfa_to_allow(grant: Grant) -> bool:
    """True when an Allow *grant* holds only for MFA-authenticated requests."""
    return requires_mfa(grant.statement.conditions) is True
