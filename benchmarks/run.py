"""Benchmark ``iacguard check`` as a whole process against the ``json.load`` floor.

Usage: ``python benchmarks/run.py [--sizes 600,6000,60000] [--repeat 3] [--quick]
[--startup-repeat 7] [--startup-only]``

Prints, in order:

- start-up, as CPU time (user + sys) against ``python -c pass``, each with its target
  and whether it is met: ``iacguard --version``, ``iacguard check`` on a small plan
  alone, on the same plan beside its ``.tf`` source (auto-detected, so the HCL is parsed
  too) and on a small CloudFormation template, and ``cfn-lint --version``;
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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Final

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
IACGUARD = shutil.which("iacguard", path=str(Path(sys.executable).parent)) or "iacguard"
FLOOR = [sys.executable, "-c", "import json, sys; json.load(open(sys.argv[1], 'rb'))"]
#: a small plan with its Terraform source beside it
SMALL = ROOT / "fixtures" / "terraform" / "clean" / "plan.json"
#: a small CloudFormation template
SMALL_TEMPLATE = ROOT / "fixtures" / "cloudformation" / "clean" / "template.yaml"


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


#: start-up targets, CPU seconds (issue 15); None: reported beside cfn-lint, no target
STARTUP_TARGETS: Final = {"version": 0.12, "plan": 0.3, "plan+tf": 0.5, "cloudformation": None}


def cpu_times(command: list[str], repeat: int, cwd: Path | None = None) -> list[float]:
    """CPU seconds (user + sys, from the rusage ``wait4`` reports) of each of *repeat*
    runs of *command*, after one run not counted (it writes the bytecode caches)."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for run in range(repeat + 1):
        process = subprocess.Popen(
            command, cwd=cwd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed with {status}")
        if run:
            times.append(usage.ru_utime + usage.ru_stime)
    return times


def _figure(times: list[float]) -> str:
    return f"{statistics.median(times):.3f} / {min(times):.3f}"


def startup(tmp: Path, repeat: int) -> None:
    """CPU time of short runs, each in a directory of its own (``/tmp`` itself may hold
    stray ``.tf`` files that would be taken as a plan's source), beside the interpreter's
    own start-up and cfn-lint's."""
    alone, beside, template = tmp / "alone", tmp / "beside", tmp / "template"
    for directory in (alone, beside, template):
        directory.mkdir()
    shutil.copyfile(SMALL, alone / "plan.json")
    shutil.copyfile(SMALL, beside / "plan.json")
    shutil.copyfile(SMALL.parent / "main.tf", beside / "main.tf")
    shutil.copyfile(SMALL_TEMPLATE, template / "template.yaml")
    floor = cpu_times([sys.executable, "-c", "pass"], repeat)
    print(
        f"start-up, CPU s (user + sys), median / best of {repeat}; floor `python -c pass` ", end=""
    )
    print(_figure(floor))
    cases = [
        ("version", "iacguard --version", [IACGUARD, "--version"], alone),
        ("plan", "check a small plan alone", [IACGUARD, "check", "plan.json"], alone),
        ("plan+tf", "check it beside its .tf files", [IACGUARD, "check", "plan.json"], beside),
        (
            "cloudformation",
            "check a small CloudFormation template",
            [IACGUARD, "check", "."],
            template,
        ),
    ]
    for key, label, command, cwd in cases:
        times = cpu_times(command, repeat, cwd)
        target = STARTUP_TARGETS[key]
        if target is None:
            verdict = "no target: compare with cfn-lint --version"
        else:
            met = "met" if statistics.median(times) <= target else "NOT MET"
            verdict = f"target {target:.2f}: {met}"
        print(f"  {label:<40} {_figure(times):>14}   {verdict}")
    cfn_lint = shutil.which("cfn-lint", path=str(Path(sys.executable).parent))
    cfn_lint = cfn_lint or shutil.which("cfn-lint")
    figure = _figure(cpu_times([cfn_lint, "--version"], repeat)) if cfn_lint else "not installed"
    print(f"  {'cfn-lint --version':<40} {figure:>14}")


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
    parser.add_argument("--startup-repeat", type=int, default=7)
    parser.add_argument("--startup-only", action="store_true", help="only the start-up figures")
    parser.add_argument("--quick", action="store_true", help="skip the largest inputs")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.quick:
        sizes = [s for s in sizes if s < 60000]
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        startup(tmp, args.startup_repeat)
        if args.startup_only:
            return
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
