"""iacguard: catch AWS IAM mistakes in infrastructure-as-code before they are deployed.

The public API for plugin authors is what ``__all__`` lists; import from ``iacguard``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from iacguard._version import __version__

if TYPE_CHECKING:
    from iacguard.declarative import DeclarativePlugin
    from iacguard.engine import ScanOptions, scan
    from iacguard.graph import Graph
    from iacguard.hookspecs import (
        PLUGIN_API_VERSION,
        RegisterRuleMetadata,
        RuleMetadata,
        hookimpl,
    )
    from iacguard.model import (
        Confidence,
        Effect,
        Origin,
        PolicyKind,
        PrincipalKind,
        Severity,
        Statement,
        Unknown,
    )
    from iacguard.plugins import collect_checks, get_plugin_manager
    from iacguard.registry import Check, CheckContext, RegisterCheck, check
    from iacguard.results import Hit
    from iacguard.selection import RuleSelection

#: where each public name lives; imported on first use, so ``import iacguard`` (and
#: ``iacguard --version``) stays cheap
_HOMES = {
    "Graph": "iacguard.graph",
    "PLUGIN_API_VERSION": "iacguard.hookspecs",
    "RegisterRuleMetadata": "iacguard.hookspecs",
    "RuleMetadata": "iacguard.hookspecs",
    "hookimpl": "iacguard.hookspecs",
    "Confidence": "iacguard.model",
    "Effect": "iacguard.model",
    "Origin": "iacguard.model",
    "PolicyKind": "iacguard.model",
    "PrincipalKind": "iacguard.model",
    "Severity": "iacguard.model",
    "Statement": "iacguard.model",
    "Unknown": "iacguard.model",
    "Check": "iacguard.registry",
    "CheckContext": "iacguard.registry",
    "RegisterCheck": "iacguard.registry",
    "check": "iacguard.registry",
    "Hit": "iacguard.results",
    "DeclarativePlugin": "iacguard.declarative",
    "RuleSelection": "iacguard.selection",
    "ScanOptions": "iacguard.engine",
    "scan": "iacguard.engine",
    "collect_checks": "iacguard.plugins",
    "get_plugin_manager": "iacguard.plugins",
}


def __getattr__(name: str) -> object:
    """Import a public name from its home module on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'iacguard' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "PLUGIN_API_VERSION",
    "Check",
    "CheckContext",
    "Confidence",
    "DeclarativePlugin",
    "Effect",
    "Graph",
    "Hit",
    "Origin",
    "PolicyKind",
    "PrincipalKind",
    "RegisterCheck",
    "RegisterRuleMetadata",
    "RuleMetadata",
    "RuleSelection",
    "ScanOptions",
    "Severity",
    "Statement",
    "Unknown",
    "__version__",
    "check",
    "collect_checks",
    "get_plugin_manager",
    "hookimpl",
    "scan",
]
