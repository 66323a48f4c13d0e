"""End-to-end time of `audit check` on the bundled datasets (process start to exit).

    .venv/bin/python bench/e2e.py [--runs 7]

Prints the median and spread of several runs of each command, and the share of start-up
(importing the engine's modules) measured in the same run, so the figures are comparable
as ratios on a noisy machine.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AUDIT = str(Path(sys.executable).parent / "audit")
COMMANDS = {
    "audit --version (start-up floor)": [AUDIT, "--version"],
    "import the libraries an audit uses (duckdb, lark, yaml, rich)": [sys.executable, "-c",
                                                                      "import duckdb, lark, yaml, rich"],
    "import pandas and pandera (no longer on that path)": [sys.executable, "-c", "import pandas, pandera.pandas"],
    "audit check datasets/azerbaijan-2019": [AUDIT, "check", "datasets/azerbaijan-2019", "--fail-on", "never"],
    "audit check datasets (4 datasets)": [AUDIT, "check", "datasets", "--fail-on", "never"],
}


def time_command(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")
    print(f"{'command':<62} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, cmd in COMMANDS.items():
        t = time_command(cmd, args.runs)
        print(f"{name:<62} {statistics.median(t):>9.2f} {min(t):>7.2f} {max(t):>7.2f}")


if __name__ == "__main__":
    main()
