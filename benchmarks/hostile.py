"""Time and memory of every hostile-work case with the default work budget.

Usage: ``python benchmarks/hostile.py [--budget STEPS] [NAME ...]``

Runs each case of ``tests/robustness/test_hostile_work.py`` (the tests run them with a
small budget; here they get the default one, as a user's scan would) in a fresh
process, which builds the input, then scans it in-process through the CLI. Prints, per
case: the exit code, the wall and CPU time of the scan, the process's peak RSS
(interpreter and imports included) and the steps spent; then the slowest case and the
largest peak against the targets of issue 13 (under 2 s, under 300 MB). The time target
is judged on CPU time, which a loaded machine inflates far less than wall time (on an
idle one they are the same). Not part of the test suite: the numbers depend on the
machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: issue 13's targets for the slowest hostile case
TARGET_SECONDS = 2.0
TARGET_MB = 300.0


def run_one(name: str, directory: Path, budget: int | None) -> dict[str, object]:
    """Build case *name* in *directory* and scan it; what it cost."""
    import os

    from typer.testing import CliRunner

    from iacguard import cli
    from iacguard.engine import ScanResult, scan
    from tests.robustness.test_hostile_work import CASES

    os.chdir(directory)
    args = CASES[name].build(Path(name))
    budget_args = ["--work-budget", str(budget)] if budget is not None else []
    spent: list[int] = []

    def recording_scan(*args: Any, **kwargs: Any) -> ScanResult:
        result = scan(*args, **kwargs)
        spent.append(result.work_spent)  # the report does not carry it
        return result

    cli.scan = recording_scan  # this process runs one case and exits
    start, cpu_start = time.perf_counter(), time.process_time()
    result = CliRunner().invoke(cli.app, ["check", *args, "--format", "json", *budget_args])
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    errors = [line for line in result.stderr.splitlines() if line.startswith("iacguard: error:")]
    return {
        "exit": result.exit_code,
        "seconds": seconds,
        "cpu": cpu,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "steps": spent[0] if spent else None,
        "error": errors[0] if errors else "",
    }


def main() -> None:
    from tests.robustness.test_hostile_work import CASES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="cases to run (default: all)")
    parser.add_argument("--budget", type=int, help="work budget (default: iacguard's)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process: NAME
    options = parser.parse_args()
    if options.one:
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(run_one(options.one, Path(tmp), options.budget)))
        return
    names = options.names or list(CASES)
    print(
        f"{'case':32} {'kind':6} exit {'wall s':>6} {'CPU s':>6} {'RSS MB':>6} {'steps':>11}"
        "  stopped by"
    )
    results: dict[str, dict[str, object]] = {}
    for name in names:
        command = [sys.executable, str(Path(__file__).resolve()), "--one", name]
        if options.budget is not None:
            command += ["--budget", str(options.budget)]
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=True)
        result = results[name] = json.loads(done.stdout.splitlines()[-1])
        error = str(result["error"])
        stopped = error.partition(" exhausted by ")[2].partition(";")[0] if error else "-"
        steps = f"{result['steps']:,}" if result["steps"] is not None else "-"
        print(
            f"{name:32} {CASES[name].kind:6} {result['exit']:>4} {result['seconds']:6.2f} "
            f"{result['cpu']:6.2f} {result['rss_mb']:6.0f} {steps:>11}  {stopped or error[17:50]}"
        )
    slowest = max(results, key=lambda n: float(results[n]["cpu"]))  # type: ignore[arg-type]
    largest = max(results, key=lambda n: float(results[n]["rss_mb"]))  # type: ignore[arg-type]
    seconds = float(results[slowest]["cpu"])  # type: ignore[arg-type]
    wall = float(results[slowest]["seconds"])  # type: ignore[arg-type]
    megabytes = float(results[largest]["rss_mb"])  # type: ignore[arg-type]
    print(
        f"slowest: {slowest} {seconds:.2f} s CPU, {wall:.2f} s wall "
        f"(target < {TARGET_SECONDS:.0f} s: "
        f"{'met' if seconds < TARGET_SECONDS else 'NOT met'}); "
        f"largest: {largest} {megabytes:.0f} MB (target < {TARGET_MB:.0f} MB: "
        f"{'met' if megabytes < TARGET_MB else 'NOT met'})"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
