"""Modules that ``terraform init`` installed: ``.terraform/modules/modules.json`` in a
root maps each module call to the directory its source was downloaded to.

The manifest (written by Terraform, read here as data) is a JSON object whose
``Modules`` list holds ``{"Key": "a.b", "Source": ..., "Dir": ".terraform/modules/a.b"}``:
``Key`` is the module path (call names joined by ``.``; ``""`` is the root) and ``Dir``
is relative to the root. The manifest is input like any other: a ``Dir`` outside the
root, or one that is not a directory, is ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Final

#: where ``terraform init`` records the modules it installed, below the root
MANIFEST: Final = Path(".terraform") / "modules" / "modules.json"
#: a manifest larger than this is not read (Terraform's are a few hundred bytes a module)
MAX_MANIFEST_BYTES: Final = 4 * 1024 * 1024


def installed_modules(root: Path) -> Mapping[tuple[str, ...], Path]:
    """The installed directory of each module path (``("vpc", "subnets")``) under the
    resolved *root*; empty when there is no readable manifest."""
    manifest = root / MANIFEST
    try:
        if manifest.stat().st_size > MAX_MANIFEST_BYTES:
            return {}
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    entries = data.get("Modules") if isinstance(data, dict) else None
    found: dict[tuple[str, ...], Path] = {}
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict):
            continue
        key, where = entry.get("Key"), entry.get("Dir")
        if not isinstance(key, str) or not key or not isinstance(where, str):
            continue
        directory = (root / where).resolve()
        if directory.is_relative_to(root) and directory.is_dir():
            found[tuple(key.split("."))] = directory
    return found
