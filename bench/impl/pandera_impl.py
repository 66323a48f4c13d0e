"""The checks as pandera schemas, validated lazily; violations are the failing rows per check.

Single-table checks are pandera checks on the tables as read (column checks, dataframe-wide
checks, `unique` keys). pandera has no check across tables except by closing over another
frame: the foreign key is a column check closing over the hazard ids, and the three checks of
sums (a hazard's clearance against its area, printed totals, the year-on-year series) run on
frames joined or aggregated in pandas first (the same helpers as the pandas path).
"""
from __future__ import annotations

import warnings

from . import KEYS, MAX_CHANGE
from .frames import read_frames
from .pandas_impl import region_year_sums, year_on_year


def load(folder):
    return read_frames(folder)


def failures(schema, frame) -> dict[str, int]:
    """Validate lazily; the number of distinct failing rows of each check (named by its error)."""
    import pandera.pandas as pa

    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        return {str(k): int(v) for k, v in fc.groupby("check")["index"].nunique().items()}
    return {}


def check(f) -> dict[str, int]:
    warnings.filterwarnings("ignore")
    import pandera.pandas as pa

    h, a, t = f["hazards"], f["activities"], f["regional_totals"]
    hazard_ids = h["hazard_id"]
    unique = "multiple_fields_uniqueness"
    schemas = {
        "hazards": (pa.DataFrameSchema(
            {"area": pa.Column(checks=pa.Check.ge(0, error="nonnegative-hazard-area"))},
            unique=KEYS["hazards"], report_duplicates="all"), h),
        "activities": (pa.DataFrameSchema(
            {"hazard_id": pa.Column(checks=pa.Check(lambda s: s.isin(hazard_ids), error="activity-hazard-exists"))},
            checks=[
                pa.Check(lambda d: (d[["area_cleared", "ap_mines", "av_mines", "uxo"]] >= 0).all(axis=1),
                         error="nonnegative-activity"),
                pa.Check(lambda d: ~(d["area_cleared"] > 0) | (d["ap_mines"] + d["av_mines"] + d["uxo"] > 0),
                         error="cleared-nothing-found"),
            ],
            unique=KEYS["activities"], report_duplicates="all"), a),
        "regional_totals": (pa.DataFrameSchema(unique=KEYS["regional_totals"], report_duplicates="all"), t),
    }
    out = dict.fromkeys(("table-contracts", "nonnegative-activity", "nonnegative-hazard-area",
                         "cleared-nothing-found", "activity-hazard-exists"), 0)
    for schema, frame in schemas.values():
        for name, n in failures(schema, frame).items():
            out["table-contracts" if name == unique else name] += n

    # cross-table checks, on frames joined in pandas first
    cleared = a.groupby("hazard_id", sort=False)["area_cleared"].sum().rename("cleared")
    joined = h.join(cleared, on="hazard_id", how="inner")
    over = pa.DataFrameSchema(checks=[pa.Check(lambda d: d["cleared"] <= d["area"], error="hazard-not-overcleared")])
    sums = region_year_sums(a)
    both = t.merge(sums, on=["region", "year"], how="inner")
    totals = pa.DataFrameSchema(checks=[pa.Check(lambda d: d["area_cleared"] == d["computed"], error="regional-totals")])
    yoy = pa.DataFrameSchema({"ratio": pa.Column(float, nullable=True, checks=pa.Check.in_range(
        1 - MAX_CHANGE, 1 + MAX_CHANGE, error="regional-year-on-year"))})
    out.update({"hazard-not-overcleared": 0, "regional-totals": 0, "regional-year-on-year": 0})
    for schema, frame in ((over, joined), (totals, both), (yoy, year_on_year(sums).rename("ratio").to_frame())):
        out.update(failures(schema, frame))
    return out
