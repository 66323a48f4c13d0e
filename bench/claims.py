"""How the time of an audit grows with the number of narrative claims.

Copies a bundled dataset and gives it N claims: its own, repeated with other ids and spread over
the years and regions its tables hold (and some they do not hold), as a long report, or a hostile
pull request, would. Prints the process time of `audit check` for each N, and the ratio to the
smallest N (the machine is shared: compare the ratios of one run).

    .venv/bin/python bench/claims.py [--claims 200 2000 20000] [--runs 1]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "datasets" / "azerbaijan-2019"
YEARS = [2014, 2015, 2016, 2017, 2018, 1990]
REGIONS = ["Jabrayil", "Fizuli", "Khojavend", "Garadagh", "Aghdam", "Aghjabedi", "Nowhere"]


def write_dataset(folder: Path, n: int) -> Path:
    """A copy of the source dataset with n claims (the ones it has, varied)."""
    target = folder / f"claims-{n}"
    shutil.copytree(SOURCE, target)
    base = yaml.safe_load((SOURCE / "claims.yaml").read_text(encoding="utf-8"))["claims"]
    out = []
    for i in range(n):
        claim = dict(base[i % len(base)])
        claim["id"] = f"{claim['id']}-{i}"
        variant = i // len(base)
        if variant % 3 == 1 and "year" in claim:
            claim["year"] = YEARS[variant % len(YEARS)]
        if variant % 3 == 2 and "region" in claim:
            claim["region"] = REGIONS[variant % len(REGIONS)]
        out.append(claim)
    (target / "claims.yaml").write_text(yaml.safe_dump({"claims": out}, sort_keys=False), encoding="utf-8")
    return target


def run_once(dataset: Path) -> float:
    exe = Path(sys.executable).parent / "audit"
    start = time.perf_counter()
    proc = subprocess.run([str(exe), "check", str(dataset), "--fail-on", "never", "--format", "json",
                           "--rules", str(ROOT / "rules" / "mine-action")], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"audit check failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, nargs="+", default=[200, 2000, 20000])
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        datasets = {n: write_dataset(Path(tmp), n) for n in args.claims}
        times = {n: [] for n in args.claims}
        for _ in range(args.runs):
            for n, ds in datasets.items():
                times[n].append(run_once(ds))
    first = statistics.median(times[args.claims[0]])
    print(f"{'claims':>8} {'median s':>9} {'ratio':>7}")
    for n in args.claims:
        med = statistics.median(times[n])
        print(f"{n:>8} {med:>9.2f} {med / first:>7.1f}x")


if __name__ == "__main__":
    main()
