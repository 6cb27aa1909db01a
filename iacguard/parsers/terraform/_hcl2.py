"""The ``hcl2`` module, checked to be python-hcl2's own before HCL is parsed with it.

Checkov depends on a fork (``bc-python-hcl2``) that installs a module of the same name,
so in an environment holding both, ``import hcl2`` may give the fork, whose trees differ.
Only Terraform source scans import it (plans alone and CloudFormation never do); they
stop with :class:`~iacguard.errors.DependencyConflictError` instead of misreading HCL.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from pathlib import Path
from types import ModuleType
from typing import Final

from iacguard.errors import DependencyConflictError

#: the distribution iacguard's HCL reading is written against (pyproject.toml pins it)
_DISTRIBUTION: Final = "python-hcl2"
_SERIES: Final = "8.1."
#: files whose installed bytes must be those python-hcl2 recorded
_WITNESSES: Final = ("hcl2/__init__.py", "hcl2/hcl2.lark")
_FIX: Final = "install iacguard in its own virtual environment (pipx install iacguard-iam)"


def load_hcl2() -> ModuleType:
    """Import and return ``hcl2`` once python-hcl2 8.1 is known to provide it.

    :raises DependencyConflictError: python-hcl2 is missing or of another series, or the
        installed ``hcl2`` files are not the ones it recorded (another package, such as
        Checkov's ``bc-python-hcl2``, overwrote them).
    """
    problem = _conflict()
    if problem:
        raise DependencyConflictError(f"cannot read Terraform source: {problem}; {_FIX}")
    import hcl2

    return hcl2


@functools.cache
def _conflict() -> str:
    """What is wrong with the installed ``hcl2`` module ("" when nothing): a fact of the
    environment, so it is worked out once per process."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution(_DISTRIBUTION)
    except PackageNotFoundError:
        return f"the 'hcl2' module is not from {_DISTRIBUTION} (is Checkov installed here?)"
    if not dist.version.startswith(_SERIES):
        return f"{_DISTRIBUTION} {dist.version} is installed, iacguard needs {_SERIES}x"
    recorded = {str(f): f for f in dist.files or ()}
    for name in _WITNESSES:
        entry = recorded.get(name)
        if entry is None or entry.hash is None:
            continue
        installed = Path(str(dist.locate_file(entry)))
        if _digest(installed, entry.hash.mode) != entry.hash.value:
            return f"another package overwrote {_DISTRIBUTION}'s {name}"
    return ""


def _digest(path: Path, mode: str) -> str | None:
    """The RECORD-style digest (urlsafe base64, no padding) of *path*; None if unreadable."""
    try:
        data = path.read_bytes()
        raw = hashlib.new(mode, data).digest()
    except (OSError, ValueError):
        return None
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
