"""iacguard: catch AWS IAM mistakes in infrastructure-as-code before they are deployed.

The public API for plugin authors is what ``__all__`` lists; import from ``iacguard``.
"""

from __future__ import annotations

from iacguard._version import __version__
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
from iacguard.registry import Check, CheckContext, RegisterCheck, check
from iacguard.results import Hit

__all__ = [
    "PLUGIN_API_VERSION",
    "Check",
    "CheckContext",
    "Confidence",
    "Effect",
    "Graph",
    "Hit",
    "Origin",
    "PolicyKind",
    "PrincipalKind",
    "RegisterCheck",
    "RegisterRuleMetadata",
    "RuleMetadata",
    "Severity",
    "Statement",
    "Unknown",
    "__version__",
    "check",
    "hookimpl",
]
