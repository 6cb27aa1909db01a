"""Benchmark ``iacguard check`` as a whole process against the ``json.load`` floor.

Usage: ``python benchmarks/run.py [--sizes 600,6000,60000] [--repeat 3]``

For each synthetic plan (``synthetic_plans.py``) it prints the plan's size, the wall
time and peak RSS of ``iacguard check PLAN -f json``, the same for a process that only
runs ``json.load`` on the file (the floor), and the ratios the targets in README.md
are stated in. It also times start-up (``iacguard --version``). Not part of the test
suite: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic_plans import build

IACGUARD = shutil.which("iacguard") or "iacguard"
FLOOR = [sys.executable, "-c", "import json, sys; json.load(open(sys.argv[1], 'rb'))"]


def measure(command: list[str], repeat: int) -> tuple[float, float]:
    """Best wall time (s) and peak RSS (MB) of *command* over *repeat* runs."""
    best_wall, peak = float("inf"), 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed with {status}")
        best_wall = min(best_wall, wall)
        peak = max(peak, usage.ru_maxrss / 1024)
    return best_wall, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="600,6000,60000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    startup, _ = measure([IACGUARD, "--version"], args.repeat)
    print(f"start-up (iacguard --version): {startup:.3f} s")
    header = f"{'changes':>8} {'MB':>7} {'wall s':>8} {'RSS MB':>8} {'floor s':>8} {'floor MB':>9}"
    print(header + f" {'x floor':>8} {'RSS/(size)':>10}")
    walls: dict[int, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            plan = Path(tmp) / f"plan-{size}.json"
            document = build(size)
            plan.write_text(__import__("json").dumps(document, separators=(",", ":")))
            changes = len(document["resource_changes"])
            megabytes = plan.stat().st_size / 1e6
            wall, rss = measure([IACGUARD, "check", str(plan), "-f", "json"], args.repeat)
            floor, floor_rss = measure([*FLOOR, str(plan)], args.repeat)
            walls[size] = wall
            print(
                f"{changes:>8} {megabytes:>7.1f} {wall:>8.2f} {rss:>8.0f} {floor:>8.2f} "
                f"{floor_rss:>9.0f} {wall / floor:>8.2f} {(rss - 100) / megabytes:>10.2f}"
            )
    if 6000 in walls and 60000 in walls:
        print(f"growth 60,000 / 6,000 changes: {walls[60000] / walls[6000]:.1f}x (target <= 12x)")


if __name__ == "__main__":
    main()
