"""The checks as a Great Expectations suite, on a pandas-backed ephemeral context.

Runs in its own venv (bench/.venv-gx, see bench/README.md). Expectations work on one batch (one
frame) at a time, so:

- single-table checks are native expectations on the tables as read (values between bounds,
  unique keys);
- `cleared-nothing-found` needs the sum ap_mines + av_mines + uxo, which no expectation
  computes: it is added as a column in pandas, then ExpectColumnValuesToBeBetween with a
  `row_condition` (area_cleared > 0);
- the cross-table checks have no native expectation: the frames are joined or aggregated in
  pandas first (the same helpers as the pandas path) and the expectations run on the joined
  frame: the activities left-joined to the hazards, whose hazard column must not be null; column
  pairs A >= B and A == B for the sums; the year-on-year ratio between bounds. (The foreign key
  could be the native ExpectColumnValuesToBeInSet with every hazard id as the set, but GE copies
  an expectation's configuration, set included, for each metric it computes: at 1M activities
  the activities suite took 38 s with it and 5 s without; the join and its expectation 0.15 s.)

The counts are each expectation's `unexpected_count`; the four non-negative columns of an
activity are four expectations whose unexpected rows are united, so a row is counted once.
"""
from __future__ import annotations

import logging
import os

from . import KEYS, MAX_CHANGE
from .frames import read_frames
from .pandas_impl import region_year_sums, year_on_year

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def load(folder):
    return read_frames(folder)


def check(f) -> dict[str, int]:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    h, a, t = f["hazards"], f["activities"], f["regional_totals"]
    a = a.assign(found=a["ap_mines"] + a["av_mines"] + a["uxo"])
    with_hazard = a[["hazard_id"]].merge(h[["hazard_id"]].assign(hazard=h["hazard_id"]), on="hazard_id",
                                         how="left", sort=False)
    cleared = a.groupby("hazard_id", sort=False)["area_cleared"].sum().rename("cleared")
    hazard_clearance = h.join(cleared, on="hazard_id", how="inner")
    sums = region_year_sums(a)
    totals_vs_sums = t.merge(sums, on=["region", "year"], how="inner")
    yoy = year_on_year(sums).rename("ratio").to_frame()

    def unique(frame_key):
        return (gxe.ExpectColumnValuesToBeUnique(column=frame_key[0]) if len(frame_key) == 1
                else gxe.ExpectCompoundColumnsToBeUnique(column_list=frame_key))

    # (batch name, frame, [(check, expectation)])
    plan = [
        ("hazards", h, [
            ("table-contracts", unique(KEYS["hazards"])),
            ("nonnegative-hazard-area", gxe.ExpectColumnValuesToBeBetween(column="area", min_value=0)),
        ]),
        ("activities", a, [
            ("table-contracts", unique(KEYS["activities"])),
            *[("nonnegative-activity", gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0))
              for c in ("area_cleared", "ap_mines", "av_mines", "uxo")],
            ("cleared-nothing-found", gxe.ExpectColumnValuesToBeBetween(
                column="found", min_value=0, strict_min=True, row_condition="area_cleared>0",
                condition_parser="pandas")),
        ]),
        ("activity_hazards", with_hazard, [
            ("activity-hazard-exists", gxe.ExpectColumnValuesToNotBeNull(column="hazard")),
        ]),
        ("regional_totals", t, [("table-contracts", unique(KEYS["regional_totals"]))]),
        ("hazard_clearance", hazard_clearance, [
            ("hazard-not-overcleared", gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="area", column_B="cleared", or_equal=True, ignore_row_if="either_value_is_missing")),
        ]),
        ("totals_vs_sums", totals_vs_sums, [
            ("regional-totals", gxe.ExpectColumnPairValuesToBeEqual(
                column_A="area_cleared", column_B="computed", ignore_row_if="either_value_is_missing")),
        ]),
        ("year_on_year", yoy, [
            ("regional-year-on-year", gxe.ExpectColumnValuesToBeBetween(
                column="ratio", min_value=1 - MAX_CHANGE, max_value=1 + MAX_CHANGE)),
        ]),
    ]

    context = gx.get_context(mode="ephemeral")
    try:
        context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    except Exception:  # older or newer config shapes: progress bars only go to stderr
        pass
    source = context.data_sources.add_pandas("bench")
    out: dict[str, int] = {}
    union: dict[str, set] = {}
    for batch, frame, expectations in plan:
        definition = source.add_dataframe_asset(batch).add_batch_definition_whole_dataframe("all")
        suite = context.suites.add(gx.ExpectationSuite(name=batch))
        for check, expectation in expectations:
            expectation.meta = {"check": check}
            suite.add_expectation(expectation)
        validation = context.validation_definitions.add(gx.ValidationDefinition(name=batch, data=definition,
                                                                              suite=suite))
        result = validation.run(batch_parameters={"dataframe": frame}, result_format="COMPLETE")
        for r in result.results:
            check = r.expectation_config.meta["check"]
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise RuntimeError(f"{check}: {r.exception_info.get('exception_message')}")
            if check == "nonnegative-activity":
                union.setdefault(check, set()).update(r.result.get("unexpected_index_list") or [])
                out.setdefault(check, 0)
                continue
            out[check] = out.get(check, 0) + int(r.result.get("unexpected_count") or 0)
    for check, rows in union.items():
        out[check] = len(rows)
    return out
