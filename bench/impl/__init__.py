"""The implementations bench/run.py times. Each module has `load(folder) -> state` (read the
dataset into the implementation's own form) and `check(state) -> {check: violations}`. The names
of the checks are the rule ids of bench/pack/ (and `table-contracts`, the pack's unique keys).
"""
CHECKS = (
    "table-contracts",
    "nonnegative-activity",
    "nonnegative-hazard-area",
    "cleared-nothing-found",
    "activity-hazard-exists",
    "hazard-not-overcleared",
    "regional-totals",
    "regional-year-on-year",
)
TABLES = ("hazards", "activities", "regional_totals")
KEYS = {"hazards": ["hazard_id"], "activities": ["activity_id"], "regional_totals": ["region", "year"]}
MAX_CHANGE = 0.5  # regional-year-on-year: 50%
