"""Print timings of the action catalog and of the AWS-managed policy snapshot."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
IMPORT_RUNS: Final = 7
CACHED_EXPANSIONS: Final = 10_000
CACHED_PATTERNS: Final = ("s3:*", "s3:Get*", "iam:Pass*", "ec2:Describe*", "S3:GETOBJECT")

_IMPORT_PROBE: Final = (
    "import time; started = time.perf_counter(); import iacguard; "
    "middle = time.perf_counter(); import iacguard.catalog; ended = time.perf_counter(); "
    "print(middle - started, ended - middle)"
)


def _child_env() -> dict[str, str]:
    """Environment for child interpreters that import iacguard from this checkout.

    :returns: A copy of the environment with the repository root first on ``PYTHONPATH``.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if part
    )
    return env


def _import_seconds() -> list[tuple[float, float]]:
    """Time ``import iacguard`` and then ``import iacguard.catalog`` in fresh interpreters.

    :returns: One ``(package, catalog module)`` pair of durations per run.
    """
    durations = []
    for _ in range(IMPORT_RUNS):
        completed = subprocess.run(
            [sys.executable, "-c", _IMPORT_PROBE],
            capture_output=True,
            text=True,
            check=True,
            env=_child_env(),
        )
        package, module = completed.stdout.split()
        durations.append((float(package), float(module)))
    return durations


def _report(label: str, seconds: float, detail: str = "") -> None:
    """Print one timing line.

    :param label: What was measured.
    :param seconds: How long it took.
    :param detail: Extra text for the end of the line.
    """
    print(f"{label:<42} {seconds * 1000:9.2f} ms  {detail}")


def main() -> None:
    """Run every measurement and print the results."""
    imports = _import_seconds()
    package = [pair[0] for pair in imports]
    module = [pair[1] for pair in imports]
    total = [pair[0] + pair[1] for pair in imports]
    _report(
        "import iacguard.catalog (fresh process)",
        statistics.median(total),
        f"median of {IMPORT_RUNS}",
    )
    _report("  of which: package iacguard/__init__", statistics.median(package))
    _report("  of which: iacguard.catalog itself", statistics.median(module))

    sys.path.insert(0, str(REPO_ROOT))
    from iacguard.catalog import ActionCatalog
    from iacguard.managed_policies import aws_managed_document

    catalog = ActionCatalog()
    started = time.perf_counter()
    s3 = catalog.expand("s3:*")
    _report(
        "first expand('s3:*') (reads s3 + index)",
        time.perf_counter() - started,
        f"{len(s3)} actions",
    )

    started = time.perf_counter()
    everything = catalog.expand("*")
    _report(
        "first expand('*') (reads every service)",
        time.perf_counter() - started,
        f"{len(everything)} actions in {len(catalog.services())} services",
    )

    for pattern in CACHED_PATTERNS:
        catalog.expand(pattern)
    started = time.perf_counter()
    for index in range(CACHED_EXPANSIONS):
        catalog.expand(CACHED_PATTERNS[index % len(CACHED_PATTERNS)])
    elapsed = time.perf_counter() - started
    _report(
        f"{CACHED_EXPANSIONS:,} cached expansions",
        elapsed,
        f"{elapsed / CACHED_EXPANSIONS * 1e9:.0f} ns each",
    )

    fresh = ActionCatalog()
    started = time.perf_counter()
    fresh.expand("*")
    _report("expand('*') on a second, fresh catalog", time.perf_counter() - started)

    started = time.perf_counter()
    aws_managed_document("arn:aws:iam::aws:policy/AdministratorAccess")
    _report("first aws_managed_document()", time.perf_counter() - started)

    started = time.perf_counter()
    for _ in range(CACHED_EXPANSIONS):
        aws_managed_document("arn:aws:iam::aws:policy/ReadOnlyAccess")
    _report(f"{CACHED_EXPANSIONS:,} later aws_managed_document()", time.perf_counter() - started)


if __name__ == "__main__":
    main()
