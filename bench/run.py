"""Scale benchmark: this engine against the same checks by hand in DuckDB SQL (the floor), pandas,
pandera and Great Expectations, on one synthetic national database.

    .venv/bin/python bench/run.py --rows 1000000 --runs 3
    .venv/bin/python bench/run.py --rows 10000000 --runs 3

Generates bench/data/n<rows> if it is missing (bench/generate.py, --seed), then runs every
implementation --runs times, each run in a fresh process (bench/worker.py) so that its peak
memory is that process's ru_maxrss. Runs are interleaved (run 1 of each, then run 2 of each)
so that a noisy neighbour on the machine weighs on all of them alike. Prints the medians of
load and check time, their ratio to the DuckDB floor, the peak memory, and the violations
each implementation counted per check; exits 1 if the counts differ (or a run failed).
Great Expectations runs with bench/.venv-gx/bin/python (see bench/README.md); without that venv
it is skipped, with a note.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from impl import CHECKS  # noqa: E402

IMPLS = {  # name: label
    "duckdb": "DuckDB SQL by hand (floor)",
    "audit": "this engine (audit)",
    "pandas": "pandas",
    "pandera": "pandera",
    "gx": "Great Expectations",
}


def label_rows(rows: int) -> str:
    for unit, div in (("m", 1_000_000), ("k", 1_000)):
        if rows % div == 0:
            return f"n{rows // div}{unit}"
    return f"n{rows}"


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    return f"{platform.machine()}, {os.cpu_count()} cores ({model}){mem}, Python {platform.python_version()}"


def engine_version() -> str:
    """The commit of the engine measured, and whether audit/ had uncommitted changes."""
    try:
        rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "audit"], cwd=ROOT, capture_output=True,
                               text=True).stdout.strip()
        return rev + (" with uncommitted changes in audit/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def one_run(name: str, python: str, data: Path, timeout: float) -> dict:
    cmd = [python, str(BENCH / "worker.py"), name, str(data)]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"impl": name, "error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"impl": name, "error": f"exit {proc.returncode}: {tail}", "stderr": proc.stderr[-4000:]}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["wall_s"] = wall
    return out


def fmt_s(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}" if v < 100 else f"{v:.0f}"


def fmt_x(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="activity rows of the generated dataset")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, help="an existing dataset folder (default bench/data/n<rows>)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--impl", nargs="+", choices=list(IMPLS), default=list(IMPLS))
    parser.add_argument("--timeout", type=float, default=1800, help="seconds one run may take before it is stopped")
    parser.add_argument("--gx-python", default=str(BENCH / ".venv-gx" / "bin" / "python"))
    parser.add_argument("--json", type=Path, help="write every run's result here (default bench/results/<data>.json)")
    args = parser.parse_args()

    data = args.data or BENCH / "data" / label_rows(args.rows)
    if not (data / "datapackage.yaml").is_file():
        print(f"generating {data} ...", flush=True)
        subprocess.run([sys.executable, str(BENCH / "generate.py"), "--rows", str(args.rows), "--seed",
                        str(args.seed), "--out", str(data)], check=True)
    pythons = {name: sys.executable for name in args.impl}
    notes = []
    if "gx" in pythons:
        if Path(args.gx_python).is_file():
            pythons["gx"] = args.gx_python
        else:
            del pythons["gx"]
            notes.append(f"Great Expectations skipped: no {args.gx_python} (see bench/README.md)")

    print(f"machine: {machine()}; load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"engine: {engine_version()}")
    print(f"data: {data} ({', '.join(f'{p.name} {p.stat().st_size / 1e6:.0f} MB' for p in sorted(data.glob('*.parquet')))})")
    results: dict[str, list[dict]] = {name: [] for name in pythons}
    failed: dict[str, str] = {}
    for i in range(args.runs):
        for name, python in pythons.items():
            if name in failed:
                continue
            r = one_run(name, python, data, args.timeout)
            if "error" in r:
                failed[name] = r["error"]
                print(f"  run {i + 1} {name}: {r['error']}", flush=True)
                if r.get("stderr"):
                    print("    " + "\n    ".join(r["stderr"].strip().splitlines()[-8:]), flush=True)
                continue
            results[name].append(r)
            print(f"  run {i + 1} {name:<8} load {r['load_s']:7.2f} s  check {r['check_s']:7.2f} s  "
                  f"peak {r['peak_mb']:7.0f} MB", flush=True)

    def med(name: str, key: str) -> float | None:
        rs = results.get(name) or []
        return statistics.median(r[key] for r in rs) if rs else None

    floor_load, floor_check = med("duckdb", "load_s"), med("duckdb", "check_s")
    floor_total = floor_load + floor_check if floor_load is not None else None
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())} (other processes on the machine "
          "slow every implementation; compare ratios within one run of this script)")
    print()
    print(f"medians of {args.runs} run(s), seconds; ratios to the DuckDB floor; peak = max ru_maxrss of the runs")
    head = (f"{'implementation':<28} {'runs':>4} {'import':>7} {'load':>7} {'check':>8} {'check/floor':>11} "
            f"{'load+check':>10} {'total/floor':>11} {'peak MB':>8}")
    print(head)
    print("-" * len(head))
    for name in pythons:
        rs = results[name]
        if not rs:
            print(f"{IMPLS[name]:<28} {0:>4}  {failed.get(name, 'no run')}")
            continue
        load, check, imp = med(name, "load_s"), med(name, "check_s"), med(name, "import_s")
        peak = max(r["peak_mb"] for r in rs)
        total = load + check
        print(f"{IMPLS[name]:<28} {len(rs):>4} {fmt_s(imp):>7} {fmt_s(load):>7} {fmt_s(check):>8} "
              f"{fmt_x(check / floor_check if floor_check else None):>11} {fmt_s(total):>10} "
              f"{fmt_x(total / floor_total if floor_total else None):>11} {peak:>8.0f}"
              + (f"  (then {failed[name]})" if name in failed else ""))

    # violations per check: every implementation must count the same
    counted = {name: rs[0]["counts"] for name, rs in results.items() if rs}
    unstable = [name for name, rs in results.items() if any(r["counts"] != rs[0]["counts"] for r in rs)]
    print()
    names = list(counted)
    print(f"{'violations per check':<26} " + " ".join(f"{n:>9}" for n in names) + "  agree")
    mismatches = []
    for check in CHECKS:
        values = [counted[n].get(check) for n in names]
        agree = len(set(values)) == 1 and values[0] is not None
        if not agree:
            mismatches.append(check)
        print(f"{check:<26} " + " ".join(f"{'-' if v is None else v:>9}" for v in values) + ("  yes" if agree else "  NO"))
    extra = sorted({c for n in names for c in counted[n]} - set(CHECKS))
    for check in extra:
        print(f"{check:<26} " + " ".join(f"{counted[n].get(check, '-'):>9}" for n in names) + "  (not compared)")
    if "audit" in results and results["audit"] and results["audit"][0].get("detail"):
        detail = results["audit"][0]["detail"]
        print("\nthis engine, seconds per rule (first run): "
              + ", ".join(f"{k} {v:.2f}" for k, v in detail.items()))
    ok = not mismatches and not unstable and not failed and len(names) > 1
    if mismatches:
        print(f"\nMISMATCH: the implementations count different violations for {', '.join(mismatches)}")
    if unstable:
        print(f"\nMISMATCH: the counts of {', '.join(unstable)} differ between runs")
    if failed:
        print("\nfailed: " + "; ".join(f"{n}: {e}" for n, e in failed.items()))
    if not mismatches and not unstable and len(names) > 1:
        print(f"\nall {len(names)} implementations count the same violations for every check")
    for note in notes:
        print(note)

    # targets, reported and not asserted
    a_check, pandas_peak = med("audit", "check_s"), None
    if results.get("pandas"):
        pandas_peak = max(r["peak_mb"] for r in results["pandas"])
    if a_check is not None and floor_check:
        print(f"target: engine check time within 1.5x of the floor: {a_check / floor_check:.2f}x "
              f"({'met' if a_check <= 1.5 * floor_check else 'not met'})")
    elif "audit" in failed:
        print(f"target: engine check time within 1.5x of the floor: not measured ({failed['audit']})")
    if results.get("audit") and pandas_peak:
        a_peak = max(r["peak_mb"] for r in results["audit"])
        print(f"target: engine peak memory below pandas: {a_peak:.0f} MB vs {pandas_peak:.0f} MB "
              f"({'met' if a_peak < pandas_peak else 'not met'})")

    out = args.json or BENCH / "results" / f"{data.name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine(), "engine": engine_version(), "data": str(data), "runs": args.runs, "results": results,
                               "failed": failed}, indent=1), encoding="utf-8")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
