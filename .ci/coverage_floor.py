"""Fail when a module of ``iacguard/`` is below the per-module coverage floor.

Reads the report of ``coverage json`` (line and branch coverage, as the total that
``--cov-fail-under`` checks) and names every module under the floor, with its figure.

Usage: ``python .ci/coverage_floor.py [coverage.json] [--floor 85]``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def below_floor(report: object, floor: float) -> list[tuple[str, float]]:
    """``(module, percent)`` of each file under *floor*, lowest first.

    :raises TypeError: *report* is not what ``coverage json`` writes.
    """
    files = report.get("files") if isinstance(report, dict) else None
    if not isinstance(files, dict):
        raise TypeError("not a coverage JSON report: no 'files'")
    low = [
        (name, float(data["summary"]["percent_covered"]))
        for name, data in files.items()
        if float(data["summary"]["percent_covered"]) < floor
    ]
    return sorted(low, key=lambda item: (item[1], item[0]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", default="coverage.json", type=Path)
    parser.add_argument("--floor", type=float, default=85.0)
    args = parser.parse_args()
    try:
        report = json.loads(args.report.read_text(encoding="utf-8"))
        low = below_floor(report, args.floor)
    except (OSError, ValueError, KeyError, TypeError) as err:
        print(f"coverage floor: cannot read {args.report}: {err}", file=sys.stderr)
        return 2
    for name, percent in low:
        print(
            f"coverage floor: {name} is at {percent:.1f} % (line + branch), "
            f"under the {args.floor:g} % floor",
            file=sys.stderr,
        )
    if low:
        return 1
    print(f"coverage floor: every module is at {args.floor:g} % or more")
    return 0


if __name__ == "__main__":
    sys.exit(main())
