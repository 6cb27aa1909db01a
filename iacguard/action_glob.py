"""IAM action patterns: ``*`` and ``?`` globs over ``service:Action`` names, matched
case-insensitively and in linear time (patterns come from untrusted files)."""

from __future__ import annotations

import functools
import re
from typing import Final

#: The pattern that, on its own, matches every action of every service.
ANY_ACTION: Final = "*"
_GLOB_CHARS: Final = frozenset("*?")
_SERVICE_SEPARATOR: Final = ":"
_GLOB_CACHE_SIZE: Final = 4096


def action_pattern_matches(pattern: str, action: str) -> bool:
    """Match one action name against one IAM action pattern, without the catalog.

    Only ``*`` and ``?`` are special, and only in the action part; every other character
    (``[``, ``]``, ``.``, ...) is literal, and the comparison is case-insensitive.  ``"*"``
    alone matches any action.  Like :meth:`ActionCatalog.expand`, a malformed pattern (no
    colon, an empty part, a wildcard in the service part) matches nothing.

    :param pattern: ``"*"`` or ``"<service>:<action-glob>"``.
    :param action: A concrete ``"<service>:<action>"``; wildcards in it are literal.
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
    return compile_glob(glob).fullmatch(name) is not None


def has_glob(text: str) -> bool:
    """Tell whether text contains an IAM wildcard.

    :param text: Any text.
    :returns: True when it contains ``*`` or ``?``.
    """
    return not _GLOB_CHARS.isdisjoint(text)


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


@functools.lru_cache(maxsize=_GLOB_CACHE_SIZE)
def compile_glob(glob: str) -> re.Pattern[str]:
    """Compile an action glob into a regular expression for ``fullmatch``.

    Like :func:`fnmatch.translate`, but only ``*`` and ``?`` are special.  Each literal run
    between two stars is matched at its leftmost position inside an atomic group, which is
    always correct for globs and keeps matching linear: patterns come from untrusted files, and
    a naive ``.*a.*a.*a...b`` backtracks exponentially.

    :param glob: The lower-cased action part of a pattern.
    :returns: A compiled expression that must be applied with ``fullmatch``.
    """
    head, *rest = glob.split("*")
    parts = [_translate_segment(head)]
    if rest:
        *middle, tail = rest
        parts.extend(f"(?>.*?{_translate_segment(segment)})" for segment in middle if segment)
        parts.append(f".*{_translate_segment(tail)}")
    return re.compile("".join(parts), re.DOTALL)


def _translate_segment(segment: str) -> str:
    """Translate a star-free glob segment into a regular expression.

    :param segment: Glob text containing no ``*``.
    :returns: The expression; ``?`` becomes ``.`` and everything else is escaped.
    """
    return "".join("." if char == "?" else re.escape(char) for char in segment)
