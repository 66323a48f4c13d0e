"""End to end, process start to exit: `audit check datasets/azerbaijan-2019` against the same checks
of the mine-action pack (rules/mine-action) run through Great Expectations.

    .venv/bin/python bench/e2e_gx.py [--runs 7] [--gx-python bench/.venv-gx/bin/python]

Runs each command --runs times, interleaved (audit, GE, audit, GE, ...), each a fresh process timed
from start to exit, and prints the medians, the ratio and each side's peak memory. GE runs this
very file in its own venv (bench/README.md): `bench/.venv-gx/bin/python bench/e2e_gx.py --gx
DATASET`, which reads the dataset (CSV tables, descriptor, claims), builds one expectation suite per
frame in an ephemeral context and validates it with result_format COMPLETE, then prints the
expectations that failed per rule, as `audit check` prints its findings.

How the rules become expectations (README "End to end against Great Expectations" lists them):
GE validates one frame at a time with a fixed vocabulary of expectations, so

- single-table rules are native: unique keys, ranges and code lists (`table-contracts`), and each
  row rule `A > 0 implies B > 0` is `ExpectColumnValuesToBeBetween(B, min 0, strict)` with
  `row_condition="A>0"`;
- a printed total is `ExpectColumnSumToBeBetween` over the data rows, the printed total (plus or
  minus the rounding of the printed figures) as its bounds: GE cannot point at the total row, so
  the bound is read from the table in pandas first; the same for a figure compared with another
  table's sum (the by-type AP row against the by-region table, the summary's 2018 figure against
  the clearance table) and for every claim of the narrative (its value and qualifier, converted to
  the table's unit, as the bounds of the sum of the matching rows);
- a sum of columns (`ap_mines + av_mines`, `cha_count + sha_count`) or a ratio of them is added as
  a column in pandas first (GE has no expectation on an expression of columns);
- cross-table rules are joined in pandas first (`cleared-area-still-recorded`: the clearance rows
  joined to the contamination rows of their region, the difference as a column that must not be
  0), and the series rules are computed in pandas (the year-on-year ratios of the five-year
  summary, `ExpectColumnValuesToBeBetween(0.5, 1.5)`; the stock-and-flow estimate, whose expected
  remainder is a bound).

Not expressible at all in GE, and left out on the GE side: locating the cells a finding is about
(GE reports unexpected values and row indexes, not the printed cell of a total or of a claim), and
the per-figure uncertainty of printed precision (approximated by fixed bounds computed here).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
UNIT = {"m2": 1.0, "ha": 1e4, "km2": 1e6, "count": 1.0, None: 1.0}


# -- the GE side (runs in bench/.venv-gx) -----------------------------------------------------------
def _yaml(path: Path):
    from ruamel.yaml import YAML  # GE's own dependency: the GE venv has no PyYAML

    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def _number(text) -> float | None:
    text = re.sub(r"[^0-9.\-]", "", str(text))
    return float(text) if text not in ("", "-", ".") else None


def _decimals(text) -> int:
    text = re.sub(r"[^0-9.]", "", str(text))
    return len(text.split(".")[1]) if "." in text else 0


def read_dataset(folder: Path):
    """The tables as printed (data rows and the totals row apart), in base units, with the claims."""
    import pandas as pd

    desc = _yaml(folder / "datapackage.yaml")
    tables, totals, half = {}, {}, {}
    for res in desc["resources"]:
        raw = pd.read_csv(folder / res["path"], dtype=str, keep_default_na=False)
        fields = res["schema"]["fields"]
        total_col = (res.get("totals") or {}).get("column")
        labels = set((res.get("totals") or {}).get("labels") or [])
        is_total = raw[total_col].isin(labels) if total_col else pd.Series(False, index=raw.index)
        frame = pd.DataFrame(index=raw.index)
        for f in fields:
            name = f["name"]
            if f["type"] in ("integer", "number", "year"):
                factor = UNIT.get(f.get("unit"), 1.0) if f["type"] != "year" else 1.0
                frame[name] = raw[name].map(_number) * factor
                # half a unit of the last printed decimal, in the base unit
                half[(res["name"], name)] = 0.5 * 10.0 ** -int(raw[name].map(_decimals).max()) * factor \
                    if f["type"] == "number" and f.get("unit") not in (None, "m2", "count") else 0.0
            else:
                frame[name] = raw[name].where(raw[name] != "", None)
        for dim, value in (res.get("dimensions") or {}).items():
            frame[dim] = value
        tables[res["name"]] = frame[~is_total].reset_index(drop=True)
        totals[res["name"]] = frame[is_total].reset_index(drop=True)
    claims = _yaml(folder / desc["claims"])["claims"] if desc.get("claims") else []
    return tables, totals, half, claims


def claim_bounds(claim) -> dict:
    """A claim's value as bounds in the base unit: exact within its printed precision, or its qualifier."""
    factor = UNIT.get(claim.get("unit"), 1.0)
    q = claim.get("qualifier", "exact")
    if q == "between":
        return {"min_value": _number(claim["low"]) * factor, "max_value": _number(claim["high"]) * factor}
    value = _number(claim["value"]) * factor
    half = 0.5 * 10.0 ** -_decimals(claim["value"]) * factor if claim.get("unit") not in ("m2", "count") else 0.0
    if q in ("more_than", "at_least"):
        return {"min_value": value, "strict_min": q == "more_than"}
    if q in ("up_to",):
        return {"max_value": value}
    return {"min_value": value - half, "max_value": value + half}


def gx_checks(folder: Path) -> dict[str, int]:
    import great_expectations as gx
    import great_expectations.expectations as gxe
    import pandas as pd

    pack = ROOT / "rules" / "mine-action"
    contracts = _yaml(pack / "contracts.yaml")["tables"]
    t, tot, half, claims = read_dataset(folder)
    by_type, by_region = t["contamination_by_type"], t["contamination_by_region"]
    clearance, summary = t["clearance_by_region"], t["clearance_summary"]
    # expressions of columns, as columns
    for frame in (by_type, by_region):
        frame["areas"] = frame["cha_count"] + frame["sha_count"]
        frame["area"] = frame["cha_area"] + frame["sha_area"]
    clearance["mines"] = clearance["ap_mines"] + clearance["av_mines"]
    clearance["per_mine"] = clearance["area_cleared"] / clearance["mines"].where(clearance["mines"] > 0)

    plan: dict[str, tuple] = {}  # batch -> (frame, [(rule, expectation)])

    def add(batch, frame, rule, expectation):
        plan.setdefault(batch, (frame, []))[1].append((rule, expectation))

    # table-contracts: keys, ranges, code lists
    for name, frame in t.items():
        spec = contracts[name]
        key = [k for k in spec.get("key") or [] if k in frame.columns]
        if len(key) == 1:
            add(name, frame, "table-contracts", gxe.ExpectColumnValuesToBeUnique(column=key[0]))
        elif key:
            add(name, frame, "table-contracts", gxe.ExpectCompoundColumnsToBeUnique(column_list=key))
        for col, c in (spec.get("columns") or {}).items():
            if col not in frame.columns:
                continue
            if c.get("min") is not None or c.get("max") is not None:
                add(name, frame, "table-contracts", gxe.ExpectColumnValuesToBeBetween(
                    column=col, min_value=c.get("min"), max_value=c.get("max")))
            if c.get("allowed"):
                add(name, frame, "table-contracts", gxe.ExpectColumnValuesToBeInSet(column=col, value_set=c["allowed"]))
    # printed-totals: the sum of the data rows is the printed total, within the rounding of the figures
    for name, frame in t.items():
        if tot[name].empty:
            continue
        for col in frame.columns:
            if (name, col) not in half or col == "year":
                continue
            total = tot[name][col].iloc[0]
            tol = half[(name, col)] * (len(frame) + 1)
            add(name, frame, "printed-totals", gxe.ExpectColumnSumToBeBetween(
                column=col, min_value=total - tol, max_value=total + tol))
    # row rules: A > 0 implies B > 0
    for a, b, rule in (("cha_count", "cha_area", "cha-count-without-area"),
                       ("cha_area", "cha_count", "cha-area-without-count"),
                       ("sha_count", "sha_area", "sha-count-without-area"),
                       ("sha_area", "sha_count", "sha-area-without-count")):
        for name, frame in (("contamination_by_type", by_type), ("contamination_by_region", by_region)):
            add(name, frame, rule, gxe.ExpectColumnValuesToBeBetween(
                column=b, min_value=0, strict_min=True, row_condition=f"{a}>0", condition_parser="pandas"))
    for a, b, rule in (("area_cleared", "areas_cleared", "cleared-area-without-areas"),
                       ("areas_cleared", "area_cleared", "areas-cleared-without-area")):
        add("clearance_by_region", clearance, rule, gxe.ExpectColumnValuesToBeBetween(
            column=b, min_value=0, strict_min=True, row_condition=f"{a}>0", condition_parser="pandas"))
    add("clearance_by_region", clearance, "cleared-nothing-found", gxe.ExpectColumnValuesToBeBetween(
        column="mines", min_value=0, strict_min=True, row_condition="area_cleared>=10000", condition_parser="pandas"))
    add("clearance_by_region", clearance, "low-mine-density", gxe.ExpectColumnValuesToBeBetween(
        column="per_mine", max_value=50000, row_condition="mines>0", condition_parser="pandas"))
    # cross-table: the AP row of the by-type table against the by-region table; the summary's year
    ap = by_type[by_type["type"] == "anti-personnel"]
    for col in ("cha_count", "cha_area", "sha_count", "sha_area"):
        if len(ap) == 1:
            v = ap[col].iloc[0]
            add("contamination_by_region", by_region, "ap-row-matches-region-table",
                gxe.ExpectColumnSumToBeBetween(column=col, min_value=v, max_value=v))
    year = clearance["year"].iloc[0] if "year" in clearance else None
    same = summary[summary["year"] == year]
    if len(same) == 1:
        v, h = same["area_cleared"].iloc[0], half[("clearance_summary", "area_cleared")]
        add("clearance_by_region", clearance, "summary-matches-year-table",
            gxe.ExpectColumnSumToBeBetween(column="area_cleared", min_value=v - h, max_value=v + h))
    joined = clearance[["region", "area_cleared"]].merge(
        by_region.groupby("region", as_index=False)["cha_area"].sum(), on="region", how="inner")
    joined["difference"] = joined["area_cleared"] - joined["cha_area"]
    add("cleared_vs_recorded", joined, "cleared-area-still-recorded", gxe.ExpectColumnValuesToNotBeInSet(
        column="difference", value_set=[0.0], row_condition="area_cleared>0", condition_parser="pandas"))
    # series: year on year, stock and flow
    s = summary.sort_values("year")
    yoy = pd.DataFrame({"year": s["year"].values[1:], "ratio": s["area_cleared"].values[1:] / s["area_cleared"].values[:-1]})
    yoy = yoy[s["year"].values[1:] - s["year"].values[:-1] == 1]
    add("year_on_year", yoy, "clearance-year-on-year", gxe.ExpectColumnValuesToBeBetween(
        column="ratio", min_value=0.5, max_value=1.5))
    claimed = {}
    for c in claims:
        claimed.setdefault(c["measure"], []).append(c)
    stocks = sorted((int(c["year"]), _number(c["value"]) * UNIT[c.get("unit")]) for c in claimed.get("ap_mined_area", [])
                    if str(c.get("year", "")).isdigit() and c.get("value") is not None)
    if stocks and year is not None and stocks[0][0] < year:
        y0, stock0 = stocks[0]
        released = summary[(summary["year"] > y0) & (summary["year"] <= year)]["area_cleared"].sum()
        released += sum(_number(c["value"]) * UNIT[c.get("unit")] for m in ("ap_area_cancelled", "ap_area_reduced")
                        for c in claimed.get(m, []) if str(c.get("year")) == str(year))
        added = sum(_number(c["value"]) * UNIT[c.get("unit")] for c in claimed.get("mined_area_added", []))
        remaining = stock0 - released + added
        stock = pd.DataFrame({"stock": [by_region["area"].sum()]})
        add("stock_and_flow", stock, "ap-estimate-stock-and-flow", gxe.ExpectColumnValuesToBeBetween(
            column="stock", min_value=remaining * 0.9))
    # claims of the narrative against the sums of their tables
    against = {  # measure: rule, [(frame name, frame, column, row condition)]
        "mined_areas": ("claim-mined-areas", [("contamination_by_type", by_type, "areas", None)]),
        "mined_area": ("claim-mined-area", [("contamination_by_type", by_type, "area", None)]),
        "ap_mined_areas": ("claim-ap-mined-areas", [("contamination_by_region", by_region, "areas", None),
                                                    ("contamination_by_type", by_type, "areas", "type=='anti-personnel'")]),
        "ap_mined_area": ("claim-ap-mined-area", [("contamination_by_region", by_region, "area", None),
                                                  ("contamination_by_type", by_type, "area", "type=='anti-personnel'")]),
        "cha_area": ("claim-confirmed-area", [("contamination_by_region", by_region, "cha_area", None),
                                              ("contamination_by_type", by_type, "cha_area", None)]),
        "sha_area": ("claim-suspected-area", [("contamination_by_region", by_region, "sha_area", None),
                                              ("contamination_by_type", by_type, "sha_area", None)]),
        "sha_count": ("claim-suspected-areas", [("contamination_by_region", by_region, "sha_count", None),
                                                ("contamination_by_type", by_type, "sha_count", None)]),
        "area_cleared": ("claim-area-cleared", [("clearance_by_region", clearance, "area_cleared", None),
                                                ("clearance_summary", summary, "area_cleared", None)]),
        "ap_mines_destroyed": ("claim-ap-mines-destroyed", [("clearance_by_region", clearance, "ap_mines", None)]),
        "uxo_destroyed": ("claim-uxo-destroyed", [("clearance_by_region", clearance, "uxo", None)]),
    }
    for measure, (rule, sources) in against.items():
        for c in claimed.get(measure, []):
            bounds = claim_bounds(c)
            years = str(c.get("year", ""))
            span = [int(y) for y in years.split("-")] if re.fullmatch(r"\d{4}(-\d{4})?", years) else []
            regions = c.get("region")
            regions = [regions] if isinstance(regions, str) else regions or []
            for name, frame, column, condition in sources:
                if c.get("table") and c["table"] != name:
                    continue  # a claim that names its table is checked against that table only
                if regions and "region" not in frame:
                    continue
                conds = [condition] if condition else []
                if "year" in frame and span:
                    if not frame["year"].between(span[0], span[-1]).any():
                        continue  # no rows of that year: the engine leaves such a claim undecided
                    conds.append(f"year>={span[0]} and year<={span[-1]}")
                if regions:
                    conds.append("region in " + repr(list(regions)))
                kw = {"row_condition": " and ".join(f"({x})" for x in conds), "condition_parser": "pandas"} if conds else {}
                add(name, frame, rule, gxe.ExpectColumnSumToBeBetween(column=column, **bounds, **kw))
    mine_free = [c for c in claimed.get("area_cleared_mine_free", []) if str(c.get("year", "")).isdigit()]
    for c in claimed.get("area_cleared_including_mine_free", []):
        for m in mine_free:
            if str(m["year"]) == str(c.get("year")):
                b, e = claim_bounds(c), claim_bounds(m)  # both claims within their printed precision
                add("clearance_summary", summary, "claim-area-cleared-with-mine-free", gxe.ExpectColumnSumToBeBetween(
                    column="area_cleared", min_value=b["min_value"] - e["max_value"],
                    max_value=b["max_value"] - e["min_value"],
                    row_condition=f"year=={int(c['year'])}", condition_parser="pandas"))

    context = gx.get_context(mode="ephemeral")
    try:
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    except Exception:  # noqa: BLE001 - other config shapes: progress bars only go to stderr
        pass
    source = context.data_sources.add_pandas("audit")
    failed: dict[str, int] = {}
    expectations = 0
    for batch, (frame, items) in plan.items():
        definition = source.add_dataframe_asset(batch).add_batch_definition_whole_dataframe("all")
        suite = context.suites.add(gx.ExpectationSuite(name=batch))
        for rule, expectation in items:
            expectation.meta = {"rule": rule}
            suite.add_expectation(expectation)
            expectations += 1
        validation = context.validation_definitions.add(gx.ValidationDefinition(name=batch, data=definition,
                                                                              suite=suite))
        result = validation.run(batch_parameters={"dataframe": frame}, result_format="COMPLETE")
        for r in result.results:
            rule = r.expectation_config.meta["rule"]
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise RuntimeError(f"{rule}: {r.exception_info.get('exception_message')}")
            failed.setdefault(rule, 0)
            if not r.success:
                failed[rule] += 1
                print(f"FAILED {rule}: {r.expectation_config.type} {json.dumps(r.result, default=str)[:300]}")
    print(json.dumps({"expectations": expectations, "failed": failed}))
    return failed


# -- the harness (any Python) -----------------------------------------------------------------------
def timed(cmd: list[str], env=None) -> tuple[float, float, int, str]:
    """Wall seconds from start to exit, peak resident MB (the child's ru_maxrss), exit code, stdout."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest of any child so far: report it only when it grew
    return wall, (peak if peak > before else float("nan")) / 1024, proc.returncode, proc.stdout + proc.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--dataset", default="datasets/azerbaijan-2019")
    parser.add_argument("--gx-python", default=str(BENCH / ".venv-gx" / "bin" / "python"))
    parser.add_argument("--gx", metavar="DATASET", help="run the GE checks of DATASET in this process (GE's venv)")
    args = parser.parse_args()
    if args.gx:
        import logging
        import warnings

        warnings.filterwarnings("ignore")
        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        gx_checks(Path(args.gx))
        return

    audit = str(Path(sys.executable).parent / "audit")
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false")
    commands = {
        "audit check": [audit, "check", args.dataset, "--fail-on", "never"],
        "Great Expectations": [args.gx_python, str(Path(__file__).resolve()), "--gx", args.dataset],
        "GE: import only": [args.gx_python, "-c", "import great_expectations, great_expectations.expectations"],
    }
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    times: dict[str, list[float]] = {k: [] for k in commands}
    peaks: dict[str, float] = {}
    for i in range(args.runs):
        for name, cmd in commands.items():
            wall, peak, code, out = timed(cmd, env)
            if name == "Great Expectations" and code != 0:
                sys.exit(f"the GE checks failed (exit {code}):\n{out[-3000:]}")
            times[name].append(wall)
            if peak == peak:
                peaks[name] = max(peaks.get(name, 0.0), peak)
            if i == 0 and name == "Great Expectations":
                summary = json.loads(out.strip().splitlines()[-1])
                print(f"GE: {summary['expectations']} expectations, failed per rule: "
                      + ", ".join(f"{k} {v}" for k, v in summary["failed"].items() if v))
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"\n{'process start to exit':<24} {'runs':>4} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, t in times.items():
        print(f"{name:<24} {len(t):>4} {statistics.median(t):>9.2f} {min(t):>7.2f} {max(t):>7.2f}")
    ratio = statistics.median(times["Great Expectations"]) / statistics.median(times["audit check"])
    print(f"\nGreat Expectations / audit check: {ratio:.1f}x (target: at least 3x)")
    print("peak MB (largest child so far, measured when it grew): "
          + ", ".join(f"{k} {v:.0f}" for k, v in peaks.items()))


if __name__ == "__main__":
    main()
