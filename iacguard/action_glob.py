"""IAM action patterns: ``*`` and ``?`` globs over ``service:Action`` names, matched
case-insensitively and in linear time (patterns come from untrusted files).

The globs themselves are compiled and matched by :mod:`iacguard._glob`, the one glob engine,
which resource ARNs share (case-sensitively)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from iacguard import _glob

#: The pattern that, on its own, matches every action of every service.
ANY_ACTION: Final = "*"
_GLOB_CHARS: Final = frozenset("*?")
_SERVICE_SEPARATOR: Final = ":"


def action_pattern_matches(
    pattern: str, action: str, *, compile_with: Callable[[str], re.Pattern[str]] | None = None
) -> bool:
    """Match one action name against one IAM action pattern, without the catalog.

    Only ``*`` and ``?`` are special, and only in the action part; every other character
    (``[``, ``]``, ``.``, ...) is literal, and the comparison is case-insensitive.  ``"*"``
    alone matches any action.  Like :meth:`ActionCatalog.expand`, a malformed pattern (no
    colon, an empty part, a wildcard in the service part) matches nothing.

    :param pattern: ``"*"`` or ``"<service>:<action-glob>"``.
    :param action: A concrete ``"<service>:<action>"``; wildcards in it are literal.
    :param compile_with: How an action glob becomes a regular expression; default
        :func:`compile_glob` (a scan passes its memoised one, see
        :class:`~iacguard.analysis.matching.Matching`).
    :returns: True when ``pattern`` matches ``action``.
    """
    if pattern == ANY_ACTION:
        return True
    pattern_parts = split_pattern(pattern.lower())
    service, separator, name = action.lower().partition(_SERVICE_SEPARATOR)
    if pattern_parts is None or not separator:
        return False
    pattern_service, glob = pattern_parts
    if pattern_service != service:
        return False
    if not has_glob(glob):
        return glob == name
    return (compile_with or compile_glob)(glob).fullmatch(name) is not None


def has_glob(text: str) -> bool:
    """Tell whether text contains an IAM wildcard.

    :param text: Any text.
    :returns: True when it contains ``*`` or ``?``.
    """
    return _glob.has_wildcard(text)


def split_pattern(pattern: str) -> tuple[str, str] | None:
    """Split an action pattern into its service and action parts.

    :param pattern: A pattern; it is not case-folded here.
    :returns: ``(service, action)``, or None when there is no colon, either part is empty, or
        the service part contains a wildcard.
    """
    service, separator, action = pattern.partition(_SERVICE_SEPARATOR)
    if not separator or not service or not action or has_glob(service):
        return None
    return service, action


def matches_every_name(glob: str) -> bool:
    """Tell whether an action glob matches every non-empty action name.

    :param glob: The action part of a pattern.
    :returns: True for globs made only of ``*`` (at least one) and at most one ``?``.
    """
    return _GLOB_CHARS.issuperset(glob) and ANY_ACTION in glob and glob.count("?") <= 1


def compile_glob(glob: str) -> re.Pattern[str]:
    """Compile an action glob into a regular expression for ``fullmatch``.

    Only ``*`` and ``?`` are special (``[`` and ``.`` are literal), ASCII letters match without
    case, and matching is linear in the name: see :func:`iacguard._glob.compile_glob`, which
    compiles it (nothing is remembered here).

    :param glob: The action part of a pattern, usually lower-cased.
    :returns: A compiled expression that must be applied with ``fullmatch``.
    """
    return _glob.compile_glob(glob, fold_case=True)
