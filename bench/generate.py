"""A seeded synthetic national mine-action database, for the scale benchmark.

    .venv/bin/python bench/generate.py --rows 1000000 --seed 1 --out bench/data/n1m

Writes a dataset folder of profile `national-database` (the pack in bench/pack/):

- hazards.parquet: hazard_id, region, area (m2); one hazard per 10 activities;
- activities.parquet: activity_id, hazard_id, region, year, area_cleared (m2), ap_mines,
  av_mines, uxo; each activity clears part of its hazard, in the hazard's region;
- regional_totals.parquet: region, year, area_cleared (m2): the totals a report would print,
  the exact sums of the activities by region and year, a small share of them perturbed;
- datapackage.yaml: the descriptor (Parquet resources, units, keys).

Seeded violations, a small share of each check (bench/pack/ has the rules):

- negative values: one of area_cleared, ap_mines, av_mines, uxo negated (0.05% of activities),
  and a negative hazard area (0.05% of hazards);
- area cleared with nothing found: ap = av = uxo = 0 on 0.5% of activities;
- an activity pointing to a missing hazard (0.05% of activities);
- an activity clearing more than its whole hazard (0.02% of activities), so the hazard's
  activities add up to more than its area;
- jumps in a region's clearance from one year to the next: a region-year draws 2.5 or 0.3
  times its usual share of activities (3% of region-years);
- printed regional totals off by 1 to 5000 m2 (2% of them).

Every value is a whole number (areas in m2 as DOUBLE), so sums are exact in every implementation.
Everything is drawn with numpy's PCG64 from `--seed` and written by DuckDB (COPY ... TO parquet):
the same arguments give the same files.
"""
from __future__ import annotations

import argparse
import shutil
import time
from pathlib import Path

import numpy as np

REGIONS = 40
YEARS = list(range(2010, 2025))  # 15 years

DESCRIPTOR = """\
name: {name}
title: Synthetic national mine-action database ({rows:,} activities, seed {seed})
profile: national-database
source: bench/generate.py --rows {rows} --seed {seed}
resources:
  - name: hazards
    path: hazards.parquet
    format: parquet
    title: Recorded hazardous areas
    schema:
      primaryKey: [hazard_id]
      fields:
        - {{name: hazard_id, type: integer}}
        - {{name: region, type: string}}
        - {{name: area, type: number, unit: m2, title: Area of the hazard}}
  - name: activities
    path: activities.parquet
    format: parquet
    title: Clearance activities
    schema:
      primaryKey: [activity_id]
      fields:
        - {{name: activity_id, type: integer}}
        - {{name: hazard_id, type: integer}}
        - {{name: region, type: string}}
        - {{name: year, type: year}}
        - {{name: area_cleared, type: number, unit: m2, title: Area cleared}}
        - {{name: ap_mines, type: integer, unit: count, title: AP mines destroyed}}
        - {{name: av_mines, type: integer, unit: count, title: AV mines destroyed}}
        - {{name: uxo, type: integer, unit: count, title: UXO destroyed}}
  - name: regional_totals
    path: regional_totals.parquet
    format: parquet
    title: Area cleared by region and year, as printed
    schema:
      primaryKey: [region, year]
      fields:
        - {{name: region, type: string}}
        - {{name: year, type: year}}
        - {{name: area_cleared, type: number, unit: m2, title: Area cleared}}
"""

SHARES = {
    "negative_activity": 0.0005,
    "negative_hazard": 0.0005,
    "zero_find": 0.005,
    "missing_hazard": 0.0005,
    "over_clearance": 0.0002,
    "year_shock": 0.03,
    "perturbed_total": 0.02,
}


def pick(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    """A seeded sample of about share * n distinct indices (at least one)."""
    k = max(1, int(round(n * share)))
    return rng.choice(n, size=min(k, n), replace=False)


def generate(rows: int, seed: int) -> dict[str, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    n_h = max(100, rows // 10)
    n_y = len(YEARS)

    # hazards
    h_region = rng.integers(0, REGIONS, n_h)
    h_area = rng.integers(5_000, 200_000, n_h).astype(np.float64)

    # activities: each belongs to a hazard and its region
    hz = rng.integers(0, n_h, rows)
    a_region = h_region[hz]

    # year, drawn from per-region weights; a few region-years are shocked up or down
    weights = rng.uniform(0.9, 1.1, (REGIONS, n_y))
    shocked = pick(rng, REGIONS * n_y, SHARES["year_shock"])
    weights.flat[shocked] *= rng.choice([2.5, 0.3], shocked.size)
    cdf = np.cumsum(weights, axis=1)
    cdf /= cdf[:, -1:]
    cdf[:, -1] = 1.0
    flat = (cdf + np.arange(REGIONS)[:, None]).ravel()  # region r's cdf shifted to [r, r+1]
    idx = np.searchsorted(flat, a_region + rng.random(rows), side="right")
    year_idx = np.clip(idx - a_region * n_y, 0, n_y - 1)
    year = np.asarray(YEARS, dtype=np.int32)[year_idx]

    # area cleared: a share of the hazard split among its activities (their sum stays below the area)
    per_hazard = np.bincount(hz, minlength=n_h)
    area_cleared = np.floor(h_area[hz] * rng.uniform(0.3, 1.0, rows) / per_hazard[hz])

    # devices found; every activity finds something, before the seeded zero-find rows
    ap = rng.poisson(3.0, rows).astype(np.int32)
    av = rng.poisson(0.3, rows).astype(np.int32)
    uxo = rng.poisson(1.0, rows).astype(np.int32)
    ap[(ap + av + uxo) == 0] = 1

    # seeded violations
    hazard_id = (hz + 1).astype(np.int64)
    i = pick(rng, rows, SHARES["over_clearance"])
    area_cleared[i] = h_area[hz[i]] + rng.integers(1, 10_000, i.size)
    i = pick(rng, rows, SHARES["zero_find"])
    ap[i] = av[i] = uxo[i] = 0
    i = pick(rng, rows, SHARES["missing_hazard"])
    hazard_id[i] = n_h + 1 + rng.integers(0, n_h, i.size)
    i = pick(rng, rows, SHARES["negative_activity"])
    which = rng.integers(0, 4, i.size)
    for col, arr in enumerate((area_cleared, ap, av, uxo)):
        j = i[which == col]
        arr[j] = -np.maximum(np.abs(arr[j]), 1)
    i = pick(rng, n_h, SHARES["negative_hazard"])
    h_area[i] = -h_area[i]

    # printed regional totals: the exact sums by region and year, a few perturbed
    cell = a_region * n_y + year_idx
    totals = np.bincount(cell, weights=area_cleared, minlength=REGIONS * n_y)
    present = np.bincount(cell, minlength=REGIONS * n_y) > 0
    i = pick(rng, REGIONS * n_y, SHARES["perturbed_total"])
    totals[i] += rng.choice([-1, 1], i.size) * rng.integers(1, 5_000, i.size)
    t_region = np.repeat(np.arange(REGIONS), n_y)[present]
    t_year = np.tile(np.asarray(YEARS, dtype=np.int32), REGIONS)[present]

    return {
        "hazards": {"hazard_id": np.arange(1, n_h + 1, dtype=np.int64), "region": h_region, "area": h_area},
        "activities": {"activity_id": np.arange(1, rows + 1, dtype=np.int64), "hazard_id": hazard_id,
                       "region": a_region, "year": year, "area_cleared": area_cleared,
                       "ap_mines": ap, "av_mines": av, "uxo": uxo},
        "regional_totals": {"region": t_region, "year": t_year, "area_cleared": totals[present]},
    }


def write(tables: dict[str, dict[str, np.ndarray]], out: Path, rows: int, seed: int) -> None:
    import duckdb
    import pandas as pd

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    con = duckdb.connect()
    for name, cols in tables.items():
        frame = pd.DataFrame(cols, copy=False)
        con.register("frame", frame)
        select = ", ".join(
            "'R' || lpad(CAST(region + 1 AS VARCHAR), 2, '0') AS region" if c == "region" else f'"{c}"'
            for c in cols)
        path = str(out / f"{name}.parquet").replace("'", "''")
        con.execute(f"COPY (SELECT {select} FROM frame) TO '{path}' "
                    "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)")
        con.unregister("frame")
    con.close()
    (out / "datapackage.yaml").write_text(DESCRIPTOR.format(name=out.name, rows=rows, seed=seed), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="activity rows")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="the dataset folder to (re)create")
    args = parser.parse_args()
    start = time.perf_counter()
    tables = generate(args.rows, args.seed)
    write(tables, args.out, args.rows, args.seed)
    sizes = ", ".join(f"{n} {len(next(iter(c.values()))):,} rows" for n, c in tables.items())
    print(f"{args.out}: {sizes} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
