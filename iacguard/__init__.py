"""iacguard: catch AWS IAM mistakes in infrastructure-as-code before they are deployed.

The public API for plugin authors is what ``__all__`` lists; import from ``iacguard``.
"""

from __future__ import annotations

from iacguard._version import __version__
from iacguard.graph import Graph
from iacguard.hookspecs import hookimpl
from iacguard.model import (
    Confidence,
    Effect,
    Hit,
    Origin,
    PolicyKind,
    PrincipalKind,
    Severity,
    Statement,
    Unknown,
)
from iacguard.registry import Check, CheckContext, RegisterCheck, check

__all__ = [
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
    "Severity",
    "Statement",
    "Unknown",
    "__version__",
    "check",
    "hookimpl",
]
