"""Binary Terraform plan files (``terraform plan -out plan.out``): a zip archive that only
Terraform itself can read. Named on the command line, such a file is turned into plan
JSON by ``terraform show -json`` when ``terraform`` is on ``PATH`` (in the file's
directory, where the plan was made and its providers are installed); otherwise the error
says exactly how to make the JSON. Found in a directory, it is never executed upon.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Final

from iacguard.errors import ParseError

#: every zip archive, and so every binary plan, starts with these bytes
ZIP_MAGIC: Final = b"PK\x03\x04"
#: seconds ``terraform show`` may take (it loads the providers' schemas)
SHOW_TIMEOUT: Final = 300
#: how much of Terraform's error output an error line quotes
_QUOTED: Final = 200


def is_binary_plan(path: Path) -> bool:
    """True when *path* is a zip archive (what ``terraform plan -out`` writes)."""
    try:
        with path.open("rb") as stream:
            return stream.read(len(ZIP_MAGIC)) == ZIP_MAGIC
    except OSError:
        return False


def show_json(path: Path) -> str:
    """The plan JSON of the binary plan at *path*, from ``terraform show -json``.

    :raises ParseError: terraform is not on ``PATH``, cannot run, takes too long or fails;
        the message says how to make the JSON by hand.
    """
    by_hand = (
        f"a binary Terraform plan: run `terraform show -json {path.name} > plan.json` where "
        "it was made, and scan plan.json"
    )
    terraform = shutil.which("terraform")
    if terraform is None:
        raise ParseError(path, f"{by_hand} (terraform is not on PATH)")
    try:
        completed = subprocess.run(
            [terraform, "show", "-no-color", "-json", path.name],
            cwd=path.parent,
            capture_output=True,
            timeout=SHOW_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ParseError(
            path, f"{by_hand} (terraform show could not run: {type(err).__name__})"
        ) from err
    if completed.returncode != 0:
        first = completed.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        said = "".join(c for c in (first[0] if first else "") if c.isprintable())[:_QUOTED]
        raise ParseError(path, f"{by_hand} (terraform show failed: {said or completed.returncode})")
    return completed.stdout.decode("utf-8", "replace")
