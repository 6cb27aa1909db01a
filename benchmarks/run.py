"""Benchmark ``iacguard check`` as a whole process against the ``json.load`` floor.

Usage: ``python benchmarks/run.py [--sizes 600,6000,60000] [--repeat 3] [--quick]``

Prints, in order:

- start-up: ``iacguard --version``, ``iacguard check`` on a small plan alone, and on a
  small plan next to its ``.tf`` source (auto-detected, so the HCL is parsed too);
- for each synthetic plan (``synthetic_plans.py``): its size, the wall time and peak RSS
  of ``iacguard check PLAN -f json``, the same for a process that only runs
  ``json.load`` on the file (the floor), and the ratios the targets in README.md are
  stated in;
- ``iacguard check`` on generated CloudFormation templates (``bench_cloudformation.py``)
  and HCL trees (``bench_hcl.py``), wall time and peak RSS;
- the effective-permission evaluator on 5,000 principals (``bench_evaluate.py``);
- ``iacguard diff`` against ``check`` on the 6,000-change plan with a prior state
  (``bench_diff.py``).

``--quick`` skips the largest inputs. Not part of the test suite: numbers depend on the
machine.
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
IACGUARD = shutil.which("iacguard", path=str(Path(sys.executable).parent)) or "iacguard"
FLOOR = [sys.executable, "-c", "import json, sys; json.load(open(sys.argv[1], 'rb'))"]
#: a small plan with its Terraform source beside it
SMALL = ROOT / "fixtures" / "terraform" / "clean" / "plan.json"


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


def check(path: Path, repeat: int) -> tuple[float, float]:
    """Wall time and peak RSS of ``iacguard check PATH -f json``."""
    return measure([IACGUARD, "check", str(path), "-f", "json"], repeat)


def startup(tmp: Path, repeat: int) -> None:
    alone = tmp / "small-plan.json"
    shutil.copyfile(SMALL, alone)
    version, _ = measure([IACGUARD, "--version"], repeat)
    plan, _ = check(alone, repeat)
    with_source, _ = check(SMALL, repeat)
    print(f"start-up: iacguard --version {version:.3f} s; check small plan {plan:.3f} s; ", end="")
    print(f"small plan beside its .tf source {with_source:.3f} s (target < 0.25 s)")


def plans(tmp: Path, sizes: list[int], repeat: int) -> None:
    header = f"{'changes':>8} {'MB':>7} {'wall s':>8} {'RSS MB':>8} {'floor s':>8} {'floor MB':>9}"
    print(header + f" {'x floor':>8} {'RSS/(size)':>10}")
    walls: dict[int, float] = {}
    for size in sizes:
        plan = tmp / f"plan-{size}.json"
        # built by a child process: a forked child inherits the parent's peak RSS
        with plan.open("w") as stream:
            generator = [sys.executable, str(HERE / "synthetic_plans.py"), str(size)]
            subprocess.run(generator, stdout=stream, check=True)
        changes = _count(plan, b'"change":{')
        megabytes = plan.stat().st_size / 1e6
        wall, rss = check(plan, repeat)
        floor, floor_rss = measure([*FLOOR, str(plan)], repeat)
        walls[size] = wall
        print(
            f"{changes:>8} {megabytes:>7.1f} {wall:>8.2f} {rss:>8.0f} {floor:>8.2f} "
            f"{floor_rss:>9.0f} {wall / floor:>8.2f} {(rss - 100) / megabytes:>10.2f}"
        )
    if 6000 in walls and 60000 in walls:
        print(f"growth 60,000 / 6,000 changes: {walls[60000] / walls[6000]:.1f}x (target <= 12x)")


def _count(path: Path, needle: bytes) -> int:
    """Occurrences of *needle* in the file, read in chunks: this process must stay small,
    as a child inherits its parent's peak RSS in the figure ``wait4`` reports."""
    count, tail = 0, b""
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            count += data.count(needle)
            tail = data[-(len(needle) - 1) :]
    return count


def others(tmp: Path, quick: bool, repeat: int) -> None:
    # imported here, after the plans: they import iacguard, which grows this process
    sys.path.insert(0, str(HERE))
    from bench_cloudformation import template
    from bench_hcl import write_tree

    print(f"{'input':<34} {'size':>9} {'wall s':>8} {'RSS MB':>8}")
    for lines in (5_000,) if quick else (5_000, 50_000):
        path = tmp / f"template-{lines}.yaml"
        path.write_text(template(lines))
        wall, rss = check(path, repeat)
        size = f"{path.stat().st_size / 1e6:.1f} MB"
        print(f"{f'CloudFormation, {lines:,} lines':<34} {size:>9} {wall:>8.2f} {rss:>8.0f}")
    for count in (500,) if quick else (500, 2_000):
        root = tmp / f"hcl-{count}"
        root.mkdir()
        blocks = write_tree(root, count)
        wall, rss = check(root, repeat)
        label = f"HCL tree, {blocks:,} blocks"
        print(f"{label:<34} {'':>9} {wall:>8.2f} {rss:>8.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="600,6000,60000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="skip the largest inputs")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.quick:
        sizes = [s for s in sizes if s < 60000]
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        startup(tmp, args.repeat)
        plans(tmp, sizes, args.repeat)
        others(tmp, args.quick, args.repeat)
    evaluator = subprocess.run(
        [sys.executable, str(HERE / "bench_evaluate.py")], capture_output=True, text=True
    )
    print(f"evaluator: {evaluator.stdout.strip() or evaluator.stderr.strip()}")
    diff = subprocess.run(
        [sys.executable, str(HERE / "bench_diff.py"), "6000", "--repeat", str(args.repeat)],
        capture_output=True,
        text=True,
    )
    print(diff.stdout.strip() or diff.stderr.strip())


if __name__ == "__main__":
    main()
