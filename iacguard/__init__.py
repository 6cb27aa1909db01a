"""iacguard: catch AWS IAM mistakes in infrastructure-as-code before they are deployed.

The public API for plugin authors is what ``__all__`` lists; import from ``iacguard``.
"""

from __future__ import annotations

from iacguard._version import __version__

__all__ = ["__version__"]
