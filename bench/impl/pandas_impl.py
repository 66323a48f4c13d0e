"""The checks in plain pandas (vectorised)."""
from __future__ import annotations

from . import KEYS, MAX_CHANGE
from .frames import read_frames


def load(folder):
    return read_frames(folder)


def region_year_sums(a):
    return a.groupby(["region", "year"], sort=False)["area_cleared"].sum().rename("computed").reset_index()


def year_on_year(sums):
    """Consecutive years of each region's series: the ratio to the year before (NaN when undecided)."""
    s = sums.sort_values(["region", "year"], kind="stable")
    g = s.groupby("region", sort=False)
    py, pv = g["year"].shift(), g["computed"].shift()
    decided = (s["year"] - py == 1) & (pv > 0)
    return (s["computed"] / pv).where(decided)


def check(f) -> dict[str, int]:
    h, a, t = f["hazards"], f["activities"], f["regional_totals"]
    out = {"table-contracts": int(sum(f[n].duplicated(k, keep=False).sum() for n, k in KEYS.items()))}
    out["nonnegative-activity"] = int(((a["area_cleared"] < 0) | (a["ap_mines"] < 0) | (a["av_mines"] < 0)
                                       | (a["uxo"] < 0)).sum())
    out["nonnegative-hazard-area"] = int((h["area"] < 0).sum())
    found = a["ap_mines"] + a["av_mines"] + a["uxo"]
    out["cleared-nothing-found"] = int(((a["area_cleared"] > 0) & ~(found > 0)).sum())
    out["activity-hazard-exists"] = int((~a["hazard_id"].isin(h["hazard_id"])).sum())
    cleared = a.groupby("hazard_id", sort=False)["area_cleared"].sum().rename("cleared")
    joined = h.join(cleared, on="hazard_id", how="inner")
    out["hazard-not-overcleared"] = int((joined["cleared"] > joined["area"]).sum())
    sums = region_year_sums(a)
    both = t.merge(sums, on=["region", "year"], how="inner")
    out["regional-totals"] = int((both["area_cleared"] != both["computed"]).sum())
    ratio = year_on_year(sums)
    out["regional-year-on-year"] = int(((ratio > 1 + MAX_CHANGE) | (ratio < 1 - MAX_CHANGE)).sum())
    return out
