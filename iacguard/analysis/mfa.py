"""MFA: whether a grant needs it, and whether a Deny enforces it (IAM203/204/404)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from iacguard.model import Unknown

if TYPE_CHECKING:
    from iacguard.analysis.evaluate import Grant

#: the condition key of MFA enforcement, lower-cased as :attr:`Condition.key_lower` gives it
_MFA_KEY: Final = "aws:multifactorauthpresent"


def enforces_mfa(grant: Grant) -> bool | None:
    """Whether *grant* is the standard MFA-enforcement statement: a ``Deny`` of every
    action (``Action: "*"``) or of all but a few (``NotAction``) when
    ``aws:MultiFactorAuthPresent`` is false (``Bool``/``BoolIfExists``) or absent
    (``Null`` true).

    :returns: True, False, or None when an unresolved value decides: a condition value,
        a condition block whose keys are unknown, or an unknown ``Action`` entry (which
        might be ``*``).
    """
    every_action = grant.not_action or grant.covers_all()
    if not grant.statement.is_deny or not (every_action or grant.unresolved):
        return False
    undecided = False
    for condition in grant.statement.conditions:
        wanted = {"bool": "false", "null": "true"}.get(condition.base_operator.lower())
        if not condition.key or (condition.key_lower == _MFA_KEY and wanted is not None):
            if any(isinstance(v, Unknown) for v in condition.values):
                undecided = True  # a value, or a block whose keys are unknown
            elif condition.key and [str(v).lower() for v in condition.values] == [wanted]:
                return True if every_action else None  # an unknown action might be "*"
    return None if undecided else False


def requires_mfa_to_allow(grant: Grant) -> bool:
    """True when an Allow *grant* holds only with ``Bool aws:MultiFactorAuthPresent true``."""
    return any(
        c.key_lower == _MFA_KEY
        and c.operator.lower() == "bool"
        and [v.lower() for v in c.values if isinstance(v, str)] == ["true"]
        for c in grant.statement.conditions
    )
