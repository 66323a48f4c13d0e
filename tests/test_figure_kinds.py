"""The kinds over periods and ratios (balance, trend, ratio, coincidence): each on small real
dataset folders in the figure layout, with a tiny pack, through `audit_figures` and the CLI."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from audit.figures.pack import load_figure_pack
from audit.figures.run import audit_figures
from tests.conftest import ROOT, audit_cli

VOCABULARY = """
quantities:
  area: {units: {m2: 1, ha: 10000, km2: 1000000}, exact: [m2]}
  count: {units: {count: 1}, exact: [count], number: true}
measures:
  stock_area: {quantity: area, type: stock, description: hazardous area}
  cleared: {quantity: area, type: flow, description: area cleared}
  added: {quantity: area, type: flow, description: area added}
  cancelled: {quantity: area, type: flow, description: area cancelled}
  devices: {quantity: count, type: flow, description: devices destroyed}
dimensions:
  country: {all: world}
  place: {all: all}
  status: {all: all, parts: [confirmed, suspected]}
  item: {all: all, parts: [mines, uxo]}
  operator: {all: all}
"""


def write_pack(tmp_path: Path, rules: str) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir(exist_ok=True)
    (pack / "pack.yaml").write_text("profile: tiny\ntitle: Tiny\n")
    (pack / "vocabulary.yaml").write_text(textwrap.dedent(VOCABULARY))
    (pack / "rules.yaml").write_text("rules:\n" + textwrap.indent(textwrap.dedent(rules).strip() + "\n", "  "))
    return pack


def write_dataset(tmp_path: Path, name: str, descriptor: str, files: dict[str, str]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "datapackage.yaml").write_text(textwrap.dedent(descriptor).strip() + "\n")
    for fname, text in files.items():
        (folder / fname).write_text(textwrap.dedent(text).lstrip())
    return folder


def run(pack: Path, *folders: Path):
    runs = audit_figures(list(folders), load_figure_pack(pack))
    return {r.dataset: r for r in runs}


def result(run_, rule_id: str):
    return next(r for r in run_.rules if r.rule == rule_id)


def lines(finding, role: str | None = None) -> list[tuple[str, int | None]]:
    return [(Path(loc.file).name, loc.row) for loc in finding.locations if role is None or loc.role == role]


# -- balance ------------------------------------------------------------------------------------
BALANCE = """
- id: stock-and-flow
  title: stock and flow
  kind: balance
  stock: stock_area
  outflows: [cleared, cancelled]
  inflows: [added]
  optional: [added, cancelled]
  message: "{stock} fell from {opening} ({start}) to {closing} ({end}); {outflow} out, {inflow} in: {expected} expected, {difference} unexplained"
"""


def stock_dataset(tmp_path, name, opening, closing_cells, cleared, edition_stock=True):
    """A chapter: the opening stock in the text (end 2015), the closing stock as a table by status
    (end 2018, m2) and a multi-year table of area cleared (km2)."""
    claims = textwrap.dedent(f"""
        claims:
        - id: opening
          locator: was {opening}km2 in 2015
          quote: The previous assessment was {opening}km2 in 2015.
          measure: stock_area
          value: '{opening}'
          unit: km2
          period: end 2015
        """) if edition_stock else "claims: []\n"
    rows = "\n".join(f"{s},{v}" for s, v in closing_cells)
    years = "\n".join(f"{y},{v}" for y, v in cleared)
    return write_dataset(tmp_path, name, f"""
        name: {name}
        auditProfile: tiny
        at: {{country: Utopia}}
        claims: claims.yaml
        resources:
          - name: stock_by_status
            path: stock.csv
            title: Table 1
            at: {{period: end 2018}}
            schema:
              fields:
                - {{name: status, type: string, dimension: status}}
                - {{name: area, type: integer, unit: m2, measure: stock_area}}
          - name: clearance
            path: clearance.csv
            title: Table 4
            schema:
              fields:
                - {{name: year, type: year, dimension: period}}
                - {{name: cleared, type: number, unit: km2, measure: cleared}}
        """, {"claims.yaml": claims, "stock.csv": f"status,area\n{rows}\n", "clearance.csv": f"year,cleared\n{years}\n"})


def test_balance_reports_an_unexplained_fall(tmp_path):
    pack = write_pack(tmp_path, BALANCE)
    ds = stock_dataset(tmp_path, "utopia-2019", "69.9", [("confirmed", 1142486), ("suspected", 503000)],
                       [(2018, "0.35"), (2017, "4.00"), (2016, "0.83"), (2015, "1.49")])
    res = result(run(pack, ds)["utopia-2019"], "stock-and-flow")
    assert (res.status, res.items, res.failed) == ("failed", 1, 1)
    [f] = res.findings
    # 69.9 - (0.83 + 4.00 + 0.35) = 64.72 km2 expected; 1.645486 km2 printed
    assert f.observed == pytest.approx(1.645486)
    assert f.expected == pytest.approx(64.72)
    assert f.difference == pytest.approx(1.645486 - 64.72)
    assert f.message == ("hazardous area (country Utopia) fell from 69.90 km2 (end 2015) to 1.65 km2 (end 2018); "
                         "5.18 km2 out, 0.00 km2 in: 64.72 km2 expected, -63.07 km2 unexplained")
    assert lines(f, "stock") == [("claims.yaml", 2), ("stock.csv", 2), ("stock.csv", 3)]
    # the flows of 2016, 2017 and 2018, not 2015 (before the opening instant)
    assert lines(f, "outflow") == [("clearance.csv", 4), ("clearance.csv", 3), ("clearance.csv", 2)]


def test_balance_holds_within_printed_precision(tmp_path):
    pack = write_pack(tmp_path, BALANCE)
    # 10.0 - (2.0 + 2.0 + 1.2) = 4.8 km2; the table prints 4,8xx,xxx m2 within 0.05 km2 of the text
    ds = stock_dataset(tmp_path, "utopia-2019", "10.0", [("confirmed", 3000000), ("suspected", 1830000)],
                       [(2018, "1.2"), (2017, "2.0"), (2016, "2.0")])
    res = result(run(pack, ds)["utopia-2019"], "stock-and-flow")
    assert (res.status, res.items, res.passed, res.findings) == ("passed", 1, 1, [])


def test_balance_missing_flow_is_undecided_and_named(tmp_path):
    pack = write_pack(tmp_path, BALANCE)
    ds = stock_dataset(tmp_path, "utopia-2019", "69.9", [("confirmed", 1142486), ("suspected", 503000)],
                       [(2018, "0.35"), (2016, "0.83")])
    res = result(run(pack, ds)["utopia-2019"], "stock-and-flow")
    assert (res.status, res.items, res.undecided) == ("undecided", 1, 1)
    assert "no figure of area cleared (country Utopia) for 2016-2018" in res.reason
    assert "only for 2016, 2018" in res.reason


def test_balance_across_editions(tmp_path):
    """The opening stock in one edition, the closing stock and the flows in the next."""
    pack = write_pack(tmp_path, BALANCE)
    old = write_dataset(tmp_path, "utopia-2016", """
        name: utopia-2016
        auditProfile: tiny
        at: {country: Utopia}
        resources:
          - name: stock
            path: stock.csv
            at: {period: end 2015}
            schema:
              fields:
                - {name: status, type: string, dimension: status}
                - {name: area, type: integer, unit: m2, measure: stock_area}
        """, {"stock.csv": "status,area\nconfirmed,5000000\nsuspected,2000000\n"})
    new = stock_dataset(tmp_path, "utopia-2019", "0", [("confirmed", 3000000), ("suspected", 1000000)],
                        [(2018, "1.00"), (2017, "1.00"), (2016, "0.50")], edition_stock=False)
    runs = run(pack, old, new)
    res = result(runs["utopia-2019"], "stock-and-flow")
    # 7,000,000 - 2,500,000 = 4,500,000 m2 expected; 4,000,000 printed (the flows are precise to 0.005 km2).
    # Confirmed and suspected are paired too: the flows, not broken down by status, bound each part's
    # outflow by 0 and the whole (5.0 - [0, 2.515] holds 3.0; 2.0 - [0, 2.515] holds 1.0).
    assert (res.status, res.items, res.passed, res.failed) == ("failed", 3, 2, 1)
    [f] = res.findings
    assert (f.observed, f.expected, f.unit) == (4_000_000, pytest.approx(4_500_000), "m2")
    assert [Path(loc.file).parent.name for loc in f.locations if loc.role == "stock"] == \
        ["utopia-2016", "utopia-2016", "utopia-2019", "utopia-2019"]
    assert result(runs["utopia-2016"], "stock-and-flow").status == "not_applicable"


def test_balance_rejects_a_flow_as_stock(tmp_path):
    from audit.errors import AuditInputError
    pack = write_pack(tmp_path, BALANCE.replace("stock: stock_area", "stock: cleared"))
    with pytest.raises(AuditInputError, match="measure 'cleared' is a flow, not a stock"):
        load_figure_pack(pack)


# -- trend --------------------------------------------------------------------------------------
TREND = """
- id: year-on-year
  title: year on year
  kind: trend
  severity: warning
  measure: cleared
  threshold: 0.5
  message: "{measure} went from {from_value} in {from} to {to_value} in {to} ({change}) at {at}"
"""


def series_dataset(tmp_path, name, years, unit="km2", devices=None):
    rows = "\n".join(f"{y},{v}" + (f",{devices[y]}" if devices else "") for y, v in years)
    fields = "\n                - {name: devices, type: integer, measure: devices}" if devices else ""
    return write_dataset(tmp_path, name, f"""
        name: {name}
        auditProfile: tiny
        at: {{country: Utopia}}
        resources:
          - name: summary
            path: summary.csv
            title: Table 4
            schema:
              fields:
                - {{name: year, type: year, dimension: period}}
                - {{name: cleared, type: number, unit: {unit}, measure: cleared}}{fields}
        """, {"summary.csv": "year,cleared" + (",devices" if devices else "") + f"\n{rows}\n"})


def test_trend_reports_large_steps_with_signed_percent(tmp_path):
    pack = write_pack(tmp_path, TREND)
    ds = series_dataset(tmp_path, "utopia", [(2018, "0.35"), (2017, "4.00"), (2016, "0.83"), (2015, "1.49"),
                                              (2014, "4.80")])
    res = result(run(pack, ds)["utopia"], "year-on-year")
    assert (res.status, res.items, res.passed, res.failed) == ("failed", 4, 1, 3)
    assert [f.message for f in res.findings] == [
        "area cleared went from 4.80 km2 in 2014 to 1.49 km2 in 2015 (-69%) at country Utopia",
        "area cleared went from 0.83 km2 in 2016 to 4.00 km2 in 2017 (+382%) at country Utopia",
        "area cleared went from 4.00 km2 in 2017 to 0.35 km2 in 2018 (-91%) at country Utopia"]
    assert [lines(f) for f in res.findings] == [[("summary.csv", 6), ("summary.csv", 5)],
                                                [("summary.csv", 4), ("summary.csv", 3)],
                                                [("summary.csv", 3), ("summary.csv", 2)]]
    assert (res.findings[1].observed, res.findings[1].expected, res.findings[1].unit) == (4.0, 0.83, "km2")


def test_trend_quiet_when_printed_precision_explains_the_step(tmp_path):
    """1 to 2 km2 printed as whole numbers: 1.5 to 1.5 is possible, so no change is proven;
    1.00 to 1.40 is +40%, under the threshold."""
    pack = write_pack(tmp_path, TREND)
    ds = series_dataset(tmp_path, "utopia", [(2016, "1"), (2017, "2"), (2018, "1.00"), (2019, "1.40"),
                                              (2020, "0.50")])
    res = result(run(pack, ds)["utopia"], "year-on-year")
    # 2017 -> 2018 (2 to 1.00, -50% as printed): 1.005 / 1.5 - 1 = -33% is possible: quiet.
    # 2019 -> 2020 (1.40 to 0.50): at most 0.505 / 1.395 - 1 = -64%: reported
    assert (res.items, res.passed, res.failed) == (4, 3, 1)
    [f] = res.findings
    assert f.message == "area cleared went from 1.40 km2 in 2019 to 0.50 km2 in 2020 (-64%) at country Utopia"


def test_trend_direction_and_ratio_over_a_second_measure(tmp_path):
    pack = write_pack(tmp_path, TREND.replace("threshold: 0.5", "threshold: 0.5\n  direction: increase\n"
                                              "  over: devices"))
    # area per device: 100,000 / 10 = 10,000; 100,000 / 50 = 2,000 (-80%: not an increase);
    # 120,000 / 4 = 30,000 (+1400%)
    ds = series_dataset(tmp_path, "utopia", [(2016, "100000"), (2017, "100000"), (2018, "120000")], unit="m2",
                        devices={2016: 10, 2017: 50, 2018: 4})
    res = result(run(pack, ds)["utopia"], "year-on-year")
    assert (res.items, res.passed, res.failed) == (2, 1, 1)
    [f] = res.findings
    assert f.message == ("area cleared per devices destroyed went from 2,000 in 2017 to 30,000 in 2018 (+1400%) "
                         "at country Utopia")
    assert lines(f) == [("summary.csv", 3), ("summary.csv", 3), ("summary.csv", 4), ("summary.csv", 4)]


def test_trend_through_the_cli(tmp_path):
    pack = write_pack(tmp_path, TREND)
    ds = series_dataset(tmp_path, "utopia", [(2017, "4.00"), (2018, "0.35")])
    proc = audit_cli("check", str(ds), "--rules", str(pack), "--format", "json", "--fail-on", "never")
    assert proc.returncode == 0, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert [f["message"] for f in findings] == [
        "area cleared went from 4.00 km2 in 2017 to 0.35 km2 in 2018 (-91%) at country Utopia"]
    assert [(Path(loc["file"]).name, loc["row"]) for loc in findings[0]["locations"]] == \
        [("summary.csv", 2), ("summary.csv", 3)]


# -- ratio --------------------------------------------------------------------------------------
RATIO = """
- id: nothing-found
  title: nothing found
  kind: ratio
  severity: warning
  numerator: cleared
  denominator: devices
  at: {item: mines}
  when: {numerator_at_least: 1 ha}
  message: "{source} ({at}): {numerator_value} cleared and {denominator_value} {denominator}"
- id: per-device
  title: per device
  kind: ratio
  severity: info
  numerator: cleared
  denominator: devices
  at: {item: mines}
  at_most: 5 ha
  zero_denominator: skip
  message: "{at}: {ratio} per mine ({numerator_value} for {denominator_value}), {bound}"
"""


def clearance_dataset(tmp_path, rows):
    """A clearance table by place: area (m2), mines and UXO destroyed, each row at item mines / uxo."""
    text = "\n".join(",".join(str(x) for x in r) for r in rows)
    return write_dataset(tmp_path, "utopia", """
        name: utopia
        auditProfile: tiny
        at: {country: Utopia, period: 2018}
        resources:
          - name: clearance
            path: clearance.csv
            title: Table 3
            schema:
              fields:
                - {name: place, type: string, dimension: place}
                - {name: area, type: integer, unit: m2, measure: cleared}
                - {name: mines_confirmed, type: integer, measure: devices, at: {item: mines, status: confirmed}}
                - {name: mines_suspected, type: integer, measure: devices, at: {item: mines, status: suspected}}
                - {name: uxo, type: integer, measure: devices, at: {item: uxo}}
        """, {"clearance.csv": f"place,area,mines_confirmed,mines_suspected,uxo\n{text}\n"})


def test_ratio_zero_denominator_and_bound(tmp_path):
    pack = write_pack(tmp_path, RATIO)
    ds = clearance_dataset(tmp_path, [("North", 98887, 0, 0, 10),      # 9.9 ha, no mine (10 UXO do not count)
                                      ("South", 5000, 0, 0, 0),        # under 1 ha: not checked for zero
                                      ("East", 120000, 1, 1, 0),       # 6 ha per mine: above 5 ha
                                      ("West", 40000, 3, 5, 2)])       # 0.5 ha per mine
    r = run(pack, ds)["utopia"]
    zero = result(r, "nothing-found")
    assert (zero.status, zero.items, zero.passed, zero.failed) == ("failed", 3, 2, 1)
    [f] = zero.findings
    assert f.message == "Table 3 (clearance) (country Utopia, place North): 98,887 m2 cleared and 0 devices destroyed"
    assert [(loc.role, loc.column, loc.row) for loc in f.locations] == [
        ("numerator", "area", 2), ("denominator", "mines_confirmed", 2), ("denominator", "mines_suspected", 2)]
    bound = result(r, "per-device")
    assert (bound.status, bound.items, bound.passed, bound.failed) == ("failed", 2, 1, 1)  # zeros skipped
    [g] = bound.findings
    assert g.message == "country Utopia, place East: 60,000 m2 per mine (120,000 m2 for 2), at most 5 ha"
    assert (g.observed, g.expected, g.unit) == (60000, 50000, "m2")
    assert [(loc.role, loc.row) for loc in g.locations] == [("numerator", 4), ("denominator", 4), ("denominator", 4)]


def test_ratio_within_bounds_passes(tmp_path):
    pack = write_pack(tmp_path, RATIO)
    ds = clearance_dataset(tmp_path, [("West", 40000, 3, 5, 2), ("East", 100000, 1, 1, 0)])  # 5 ha per mine: allowed
    r = run(pack, ds)["utopia"]
    assert [(x.rule, x.status, x.items, x.failed) for x in r.rules] == [("nothing-found", "passed", 2, 0),
                                                                       ("per-device", "passed", 2, 0)]


def test_ratio_bound_needs_a_unit_of_the_numerator(tmp_path):
    from audit.errors import AuditInputError
    pack = write_pack(tmp_path, RATIO.replace("at_most: 5 ha", "at_most: 5 count"))
    with pytest.raises(AuditInputError, match="'count' is not a unit of area"):
        load_figure_pack(pack)


# -- coincidence --------------------------------------------------------------------------------
COINCIDENCE = """
- id: still-recorded
  title: still recorded
  kind: coincidence
  severity: warning
  flow: cleared
  stock: stock_area
  at: {status: confirmed}
  ignore: [operator]
  message: "{place}: the {value} of {flow} in {period} equal the {stock} at its end"
"""


def coincidence_dataset(tmp_path, cleared_rows, stock_rows, stock_unit="m2"):
    cleared = "\n".join(",".join(str(x) for x in r) for r in cleared_rows)
    stock = "\n".join(",".join(str(x) for x in r) for r in stock_rows)
    return write_dataset(tmp_path, "utopia", f"""
        name: utopia
        auditProfile: tiny
        at: {{country: Utopia}}
        resources:
          - name: clearance
            path: clearance.csv
            title: Table 3
            at: {{period: 2018}}
            schema:
              fields:
                - {{name: place, type: string, dimension: place}}
                - {{name: operator, type: string, dimension: operator}}
                - {{name: area, type: number, unit: {stock_unit}, measure: cleared}}
          - name: contamination
            path: contamination.csv
            title: Table 2
            at: {{period: end 2018}}
            schema:
              fields:
                - {{name: place, type: string, dimension: place}}
                - {{name: cha, type: number, unit: {stock_unit}, measure: stock_area, at: {{status: confirmed}}}}
                - {{name: sha, type: number, unit: {stock_unit}, measure: stock_area, at: {{status: suspected}}}}
        """, {"clearance.csv": f"place,operator,area\n{cleared}\n",
              "contamination.csv": f"place,cha,sha\n{stock}\n"})


def test_coincidence_reports_an_exact_equal_value(tmp_path):
    pack = write_pack(tmp_path, COINCIDENCE)
    ds = coincidence_dataset(tmp_path, [("North", "ANAMA", 98887), ("South", "RA", 4475), ("East", "RA", 0)],
                             [("North", 98887, 250000), ("South", 1637, 4475), ("East", 0, 100)])
    res = result(run(pack, ds)["utopia"], "still-recorded")
    # North coincides; South equals the suspected area, not the confirmed one; East is 0 and 0
    assert (res.status, res.items, res.passed, res.failed) == ("failed", 2, 1, 1)
    [f] = res.findings
    assert f.message == ("country Utopia, place North: the 98,887 m2 of area cleared in 2018 equal the hazardous "
                         "area at its end")
    assert [(Path(loc.file).name, loc.row, loc.role) for loc in f.locations] == [
        ("clearance.csv", 2, "flow"), ("contamination.csv", 2, "stock")]
    assert (f.observed, f.expected, f.difference) == (98887, 98887, 0)


def test_coincidence_of_rounded_figures_is_not_reported(tmp_path):
    pack = write_pack(tmp_path, COINCIDENCE)
    ds = coincidence_dataset(tmp_path, [("North", "ANAMA", "0.35")], [("North", "0.35", "1.20")], stock_unit="km2")
    res = result(run(pack, ds)["utopia"], "still-recorded")
    assert (res.status, res.items, res.passed, res.findings) == ("passed", 1, 1, [])


# -- the Azerbaijan chapter in the figure layout ------------------------------------------------
def test_azerbaijan_reports_what_the_legacy_pack_reports():
    runs = audit_figures([ROOT / "datasets" / "figures" / "azerbaijan-2019"],
                         load_figure_pack(ROOT / "rules" / "mine-action-figures"))
    [r] = runs
    by_rule: dict[str, list] = {}
    for f in r.findings:
        by_rule.setdefault(f.rule, []).append(f)
    [fall] = by_rule["stock-and-flow"]
    assert fall.message.startswith("hazardous area (country Azerbaijan, device anti-personnel) went from 69.90 km2 "
                                   "(end 2015) to 1.65 km2 (end 2018)")
    assert (round(fall.observed, 6), fall.unit) == (1.645486, "km2")
    # the mined area cleared in 2016-2018, and the 3.7 km2 cleared in 2017 and found mine-free (the text): both
    # leave the database
    assert fall.expected == pytest.approx(69.9 - (0.83 + 4.00 + 0.35 + 3.7) + 0.098887)
    assert [Path(loc.file).name for loc in fall.locations if loc.role == "stock"][0] == "claims.yaml"
    assert [loc.row for loc in fall.locations
            if loc.role == "outflow" and loc.file.endswith("table4-five-year-clearance.csv")] == [4, 3, 2]
    [nothing] = by_rule["cleared-nothing-found"]
    assert "place Jabrayil" in nothing.message and "98,887 m2 of land released and 0 devices destroyed" in nothing.message
    assert [(Path(loc.file).name, loc.row, loc.column) for loc in nothing.locations] == [
        ("table3-mine-clearance-2018.csv", 6, "area_cleared"), ("table3-mine-clearance-2018.csv", 6, "ap_mines"),
        ("table3-mine-clearance-2018.csv", 6, "av_mines")]
    [still] = by_rule["cleared-area-still-recorded"]
    assert still.message.startswith("country Azerbaijan, place Jabrayil: the 98,887 m2 cleared in 2018")
    assert [(Path(loc.file).name, loc.row) for loc in still.locations] == [
        ("table3-mine-clearance-2018.csv", 6), ("table2-ap-mined-area-by-region.csv", 2)]
    steps = by_rule["clearance-year-on-year"]
    assert [f.message for f in steps] == [
        "land released (method cleared) went from 4.80 km2 in 2014 to 1.49 km2 in 2015 (-69%)",
        "land released (method cleared) went from 0.83 km2 in 2016 to 4.00 km2 in 2017 (+382%)",
        "land released (method cleared) went from 4.00 km2 in 2017 to 0.35 km2 in 2018 (-91%)"]
    assert all(f.severity == "warning" for f in steps + [nothing, still])
    assert "area-per-mine" not in by_rule  # no task clears more than 5 ha per mine found


# -- balance over a flow printed in part (released by method) ------------------------------------
PARTIAL = """
- id: stock-and-flow
  title: stock and flow
  kind: balance
  stock: stock_area
  outflows: [released]
  partial: {method: [cancelled, reduced]}
  message: "{stock}: {opening} ({start}) less {outflow} released is {expected}, not {closing} ({end})"
"""


def claim(cid: str, measure: str, value: str, period, **at) -> dict:
    """A figure of the text, in km2."""
    return {"id": cid, "measure": measure, "value": value, "unit": "km2", "period": period,
            "quote": f"{value} km2 ({cid}, {period})", **({"at": at} if at else {})}


def text_dataset(tmp_path, name: str, claims: list[dict], published: str | None = None) -> Path:
    """A dataset of the text alone: its claims, no table; with `published`, an edition of a run of
    several (titled by its year)."""
    import yaml

    edition = f"edition: {{title: Utopia {published[:4]}, published: '{published}'}}\n" if published else ""
    folder = write_dataset(tmp_path, name, f"name: {name}\nauditProfile: tiny\nat: {{country: Utopia}}\n"
                                           f"{edition}claims: claims.yaml\n", {})
    (folder / "claims.yaml").write_text(yaml.safe_dump({"claims": claims}))
    return folder


def release_dataset(tmp_path, name, released: list[tuple[str, str]]):
    """Text only: the stock at the end of 2015 and of 2016, and land released in 2016 by method."""
    return text_dataset(tmp_path, name, [claim("opening", "stock_area", "10.0", "end 2015"),
                                         claim("closing", "stock_area", "7.0", "end 2016")]
                        + [claim(f"released-{m}", "released", v, 2016, method=m) for m, v in released])


def partial_pack(tmp_path, rules=PARTIAL):
    pack = write_pack(tmp_path, rules)
    vocab = textwrap.dedent(VOCABULARY).replace(
        "  devices:", "  released: {quantity: area, type: flow, description: land released}\n  devices:") + \
        "  method: {all: all, parts: [cancelled, reduced, cleared]}\n"
    (pack / "vocabulary.yaml").write_text(vocab)
    return pack


def test_balance_reads_a_release_printed_in_part_with_the_parts_partial_lets_miss_as_zero(tmp_path):
    pack = partial_pack(tmp_path)
    ds = release_dataset(tmp_path, "utopia", [("cleared", "1.0")])  # no survey figure: 0, as far as it says
    res = result(run(pack, ds)["utopia"], "stock-and-flow")
    assert (res.status, res.failed) == ("failed", 1)
    [f] = res.findings
    assert f.expected == pytest.approx(9.0) and f.observed == pytest.approx(7.0)
    assert [name for name, _line in lines(f, "outflow")] == ["claims.yaml"]  # the cleared area, alone


def test_balance_prefers_the_release_printed_in_all_and_needs_the_parts_partial_does_not_list(tmp_path):
    pack = partial_pack(tmp_path)
    whole = release_dataset(tmp_path, "utopia", [("all", "3.0"), ("cleared", "1.0")])
    assert result(run(pack, whole)["utopia"], "stock-and-flow").status == "passed"  # 10.0 - 3.0 = 7.0
    # cleared is not listed under partial: without it the release is unknown, the pair undecided
    (tmp_path / "b").mkdir()
    survey_only = release_dataset(tmp_path / "b", "utopia", [("reduced", "3.0")])
    res = result(run(pack, survey_only)["utopia"], "stock-and-flow")
    assert res.status == "undecided" and "no figure of land released" in res.reason


def test_balance_partial_names_a_closed_dimension_and_its_parts(tmp_path):
    from audit.errors import AuditInputError

    for partial, wanted in (("{place: [north]}", "partial names 'place', which is not a dimension with parts"),
                            ("{method: [survey]}", "partial: 'survey' is not a part of method")):
        pack = partial_pack(tmp_path, PARTIAL.replace("{method: [cancelled, reduced]}", partial))
        with pytest.raises(AuditInputError) as exc:
            load_figure_pack(pack)
        assert any(wanted in p.message for p in exc.value.problems), exc.value.problems


@pytest.mark.parametrize("belongs, status", [(False, "passed"), (True, "failed")])
def test_balance_flows_belong_to_gives_a_flow_printed_at_the_whole_to_one_member_in_full(tmp_path, belongs, status):
    # the confirmed area falls by 0.5 while 3.0 was released (no status printed): as a part of the
    # whole, the release may be anything from 0 to 3.0 of it; released from confirmed areas, all 3.0
    rules = PARTIAL + ("  flows_belong_to: {status: confirmed}\n" if belongs else "")
    pack = partial_pack(tmp_path, rules)
    folder = text_dataset(tmp_path, "utopia", [
        claim("opening", "stock_area", "10.0", "end 2015", status="confirmed"),
        claim("closing", "stock_area", "9.5", "end 2016", status="confirmed"),
        claim("released", "released", "3.0", 2016)])
    res = result(run(pack, folder)["utopia"], "stock-and-flow")
    assert res.status == status
    if belongs:
        assert res.findings[0].expected == pytest.approx(7.0)


@pytest.mark.parametrize("rules, wanted", [
    (PARTIAL.replace("{method: [cancelled, reduced]}", "[method]"), "partial: expected a mapping, found a list"),
    (PARTIAL + "  flows_belong_to: [status]\n", "flows_belong_to: expected a mapping, found a list"),
])
def test_a_parameter_that_takes_a_mapping_refuses_a_list_at_its_line(tmp_path, rules, wanted):
    from audit.errors import AuditInputError

    with pytest.raises(AuditInputError) as exc:
        load_figure_pack(partial_pack(tmp_path, rules))
    [p] = exc.value.problems
    assert wanted in f"{p.field}: {p.message}" and p.file.endswith("rules.yaml") and p.line > 1


@pytest.mark.parametrize("closing, status", [("9.5", "failed"), ("6.0", "passed")])
def test_balance_partly_known_counts_a_release_printed_for_part_of_the_interval_as_a_lower_bound(
        tmp_path, closing, status):
    # stocks at the end of 2015 and in March 2017; releases printed for 2016 only (3.0): at least
    # 3.0 left, so 9.5 is too high, while 6.0 may be right (more may have been released in 2017)
    pack = partial_pack(tmp_path, PARTIAL + "  partly_known: [released]\n")
    folder = text_dataset(tmp_path, "utopia", [claim("opening", "stock_area", "10.0", "end 2015"),
                                               claim("closing", "stock_area", closing, "March 2017"),
                                               claim("released", "released", "3.0", 2016)])
    res = result(run(pack, folder)["utopia"], "stock-and-flow")
    assert res.status == status
    if status == "failed":
        assert "at least 3.00 km2 released" in res.findings[0].message
    # without partly_known the interval March 2017 is not covered: undecided
    (tmp_path / "plain").mkdir()
    plain = write_pack(tmp_path / "plain", PARTIAL)
    (plain / "vocabulary.yaml").write_text((pack / "vocabulary.yaml").read_text())
    assert result(run(plain, folder)["utopia"], "stock-and-flow").status == "undecided"


@pytest.mark.parametrize("closing, status", [("7.0", "failed"), ("8.0", "passed")])
def test_balance_reads_a_figure_of_several_parts_together(tmp_path, closing, status):
    # "2.0 km2 released by clearance and technical survey": one figure for two methods; with
    # cancellation not printed (partial lets it count 0), 10.0 - 2.0 = 8.0 should remain
    pack = partial_pack(tmp_path)
    folder = text_dataset(tmp_path, "utopia", [claim("opening", "stock_area", "10.0", "end 2015"),
                                               claim("closing", "stock_area", closing, "end 2016"),
                                               claim("released", "released", "2.0", 2016, method=["cleared", "reduced"])])
    res = result(run(pack, folder)["utopia"], "stock-and-flow")
    assert res.status == status
    if status == "failed":
        assert res.findings[0].expected == pytest.approx(8.0)


# -- balance of a part against a whole -------------------------------------------------------------
@pytest.mark.parametrize("closing, status", [("7.0", "failed"), ("8.0", "passed")])
@pytest.mark.parametrize("part, whole", [({"status": "confirmed"}, {}),  # a closed dimension's part
                                         ({}, {"place": ["all", "strip"]}),  # members named together
                                         ({"status": "confirmed"}, {"place": ["all", "strip"]})])
def test_balance_bounds_a_closing_whole_by_an_opening_part_less_its_outflows(tmp_path, part, whole, closing,
                                                                             status):
    # 10.0 of a part at the end of 2015 (the whole not printed then), 2.0 released in 2016: the
    # whole holds what remains of the part, at least 10.0 - 2.0; 7.0 cannot be, 8.0 may
    pack = partial_pack(tmp_path)
    folder = text_dataset(tmp_path, "utopia", [claim("opening", "stock_area", "10.0", "end 2015", **part),
                                               claim("closing", "stock_area", closing, "end 2016", **whole),
                                               claim("released", "released", "2.0", 2016)])
    res = result(run(pack, folder)["utopia"], "stock-and-flow")
    assert (res.status, res.items) == (status, 1)
    if status == "failed":
        [f] = res.findings
        assert f.relation == ">=" and f.expected == pytest.approx(7.9) and f.observed == pytest.approx(7.0)
        assert "less than what remains of its part" in f.message and "at least 7.90 km2" in f.message
        assert {loc.role for loc in f.locations} == {"stock", "outflow"}


def test_balance_takes_no_member_of_an_open_dimension_for_a_part_of_its_whole(tmp_path):
    # a place a report prints need not lie inside the whole it prints (the whole may leave out a
    # border strip): 10.0 in the north does not bound the whole; nor does a whole bound its part
    pack = partial_pack(tmp_path)
    folder = text_dataset(tmp_path, "utopia", [claim("north", "stock_area", "10.0", "end 2015", place="north"),
                                               claim("all", "stock_area", "7.0", "end 2016"),
                                               claim("whole", "stock_area", "20.0", "end 2016",
                                                     place=["all", "strip"]),
                                               claim("strip", "stock_area", "1.0", "end 2017", place="strip"),
                                               claim("released", "released", "2.0", 2016),
                                               claim("released-2017", "released", "2.0", 2017)])
    res = result(run(pack, folder)["utopia"], "stock-and-flow")
    assert (res.status, res.items) == ("not_applicable", 0), res


def test_balance_pairs_a_stock_printed_at_both_instants_by_its_own_balance_alone(tmp_path):
    # the whole at the end of 2015 and 2016: its balance decides; the part printed beside the
    # opening whole adds no second finding of the same fall
    pack = partial_pack(tmp_path)
    folder = text_dataset(tmp_path, "utopia", [claim("whole-2015", "stock_area", "12.0", "end 2015"),
                                               claim("part-2015", "stock_area", "10.0", "end 2015", status="confirmed"),
                                               claim("whole-2016", "stock_area", "7.0", "end 2016"),
                                               claim("released", "released", "2.0", 2016)])
    res = result(run(pack, folder)["utopia"], "stock-and-flow")
    assert (res.status, res.items) == ("failed", 1)
    assert res.findings[0].subject.startswith("balance:")
    # the part at both instants: its own balance decides, the whole it is summed into adds nothing
    (tmp_path / "part").mkdir()
    ds = text_dataset(tmp_path / "part", "utopia", [
        claim("part-2015", "stock_area", "10.0", "end 2015", status="confirmed"),
        claim("part-2016", "stock_area", "5.0", "end 2016", status="confirmed"),
        claim("other-2016", "stock_area", "0.0", "end 2016", status="suspected"),
        claim("released", "released", "2.0", 2016)])
    res = result(run(pack, ds)["utopia"], "stock-and-flow")
    assert (res.status, res.items, len(res.findings)) == ("failed", 1, 1)
    assert res.findings[0].subject.startswith("balance:")
    # switched off, the part bounds no whole: one item less where only the part opens
    (tmp_path / "off").mkdir()
    off = partial_pack(tmp_path / "off", PARTIAL + "  parts_bound_wholes: false\n")
    ds = text_dataset(tmp_path / "off", "utopia", [claim("part-2015", "stock_area", "10.0", "end 2015",
                                                         status="confirmed"),
                                                   claim("whole-2016", "stock_area", "7.0", "end 2016"),
                                                   claim("released", "released", "2.0", 2016)])
    assert result(run(off, ds)["utopia"], "stock-and-flow").status == "not_applicable"


def test_balance_reports_one_shortfall_of_a_part_once(tmp_path):
    # a part (confirmed mines) against two wholes that hold it (all of the confirmed area, and all),
    # and a whole against two parts: each shortfall is one finding, of the tightest bound
    pack = partial_pack(tmp_path)
    folder = text_dataset(tmp_path, "utopia", [
        claim("part", "stock_area", "10.0", "end 2015", status="confirmed", item="mines"),
        claim("confirmed", "stock_area", "7.0", "end 2016", status="confirmed"),
        claim("all", "stock_area", "7.5", "end 2016"),
        claim("released", "released", "2.0", 2016)])
    res = result(run(pack, folder)["utopia"], "stock-and-flow")
    [f] = res.findings
    assert f.observed == pytest.approx(7.0) and "at least 9.95 km2 at its printed precision" in f.message
    (tmp_path / "two").mkdir()
    folder = text_dataset(tmp_path / "two", "utopia", [
        claim("confirmed", "stock_area", "10.0", "end 2015", status="confirmed"),
        claim("mines", "stock_area", "9.0", "end 2015", item="mines"),
        claim("all", "stock_area", "7.0", "end 2016"),
        claim("released", "released", "2.0", 2016)])
    res = result(run(pack, folder)["utopia"], "stock-and-flow")
    [f] = res.findings
    assert "status confirmed" in f.message and f.expected == pytest.approx(7.9)


@settings(max_examples=60, deadline=None)
@given(part=st.integers(0, 500), other=st.integers(0, 500), out_share=st.floats(0, 1), added=st.integers(0, 300))
def test_balance_part_bound_never_flags_a_consistent_world(tmp_path_factory, part, other, out_share, added):
    # a world where the stock is confirmed + suspected: the confirmed part loses what is released
    # (no more than it holds), the suspected part gains what is added; printed to one decimal
    # (tenths of km2), the closing whole is never below what the part bound requires
    tmp = tmp_path_factory.mktemp("world")
    released = round(part * out_share)
    closing = part - released + other + added
    pack = partial_pack(tmp)
    folder = text_dataset(tmp, "utopia", [
        claim("opening", "stock_area", f"{part / 10:.1f}", "end 2015", status="confirmed"),
        claim("closing", "stock_area", f"{closing / 10:.1f}", "end 2016"),
        claim("released", "released", f"{released / 10:.1f}", 2016)])
    res = result(run(pack, folder)["utopia"], "stock-and-flow")
    assert (res.status, res.items) == ("passed", 1)


# -- agreement within one text ----------------------------------------------------------------------
WITHIN_TEXT = """
- id: agree
  title: agree
  kind: agreement
  between: [{between}]
  message: "{{figure}}: {{source}} prints {{observed}}, {{other}} gives {{expected}}"
"""


@pytest.mark.parametrize("second, status", [("6,474.97 ha", "passed"), ("6,475 km2", "failed")])
def test_agreement_within_text_compares_one_figure_printed_twice_in_the_text(tmp_path, second, status):
    # "64.75 km2 (6,474.97 ha)": one figure in two units; printed as 6,475 km2 the second is 100 times off
    value, unit = second.split()
    first = claim("in-km2", "stock_area", "64.75", "end 2016")
    other = {**claim("in-other-unit", "stock_area", value, "end 2016"), "unit": unit}
    folder = text_dataset(tmp_path, "utopia", [first, other])
    res = result(run(write_pack(tmp_path, WITHIN_TEXT.format(between="within_text")), folder)["utopia"], "agree")
    assert (res.status, res.items) == (status, 1)
    if status == "failed":
        [f] = res.findings
        assert f.message.startswith("hazardous area (end 2016): the text (in-km2) prints")
        assert [loc.role for loc in f.locations] == ["claim", "compared"]
    # without within_text, two figures of one text are not compared with each other
    (tmp_path / "plain").mkdir()
    plain = write_pack(tmp_path / "plain", WITHIN_TEXT.format(between="tables, text, editions"))
    assert result(run(plain, folder)["utopia"], "agree").items == 0


# -- the pack's reference data ------------------------------------------------------------------------
STATED = """
- id: stated
  title: stated
  kind: stated
  message: "a {statement} of {stated}; the figures give {computed}"
"""


def reference_pack(tmp_path, figures: str, rules: str = STATED) -> Path:
    pack = write_pack(tmp_path, rules)
    vocab = textwrap.dedent(VOCABULARY).replace(
        "  devices:", "  size: {quantity: area, type: stock, description: size of the country}\n  devices:")
    vocab = vocab.replace("measures:", "  share: {units: {'%': 0.01}, additive: false}\nmeasures:")
    (pack / "vocabulary.yaml").write_text(vocab)
    (pack / "reference.yaml").write_text("figures:\n" + textwrap.indent(textwrap.dedent(figures).strip() + "\n", "  "))
    return pack


UTOPIA_SIZE = """
- id: utopia-size
  measure: size
  at: {country: Utopia}
  value: 500
  unit: km2
  period: end 2020
  source: "An atlas of Utopia (2021): total size"
"""


@pytest.mark.parametrize("stock, status", [("10.0", "passed"), ("25.0", "failed")])
def test_a_share_of_a_figure_no_report_prints_reads_the_pack_reference_data(tmp_path, stock, status):
    # "2% of the country": 10 km2 of 500 km2 holds; 25 km2 is 5%
    folder = text_dataset(tmp_path, "utopia", [
        claim("stock", "stock_area", stock, "end 2016"),
        {**claim("share", "stock_area", "2", "end 2016"), "unit": "%", "share": {"of": {"measure": "size"}}}])
    res = result(run(reference_pack(tmp_path, UTOPIA_SIZE), folder)["utopia"], "stated")
    assert (res.status, res.items) == (status, 1)
    if status == "failed":
        [f] = res.findings
        ref = f.locations[-1]
        assert (Path(ref.file).name, ref.claim, ref.provenance) == ("reference.yaml", "utopia-size",
                                                                     "An atlas of Utopia (2021): total size")


def test_reference_data_applies_to_the_datasets_of_its_coordinates_only_and_needs_a_source(tmp_path):
    from audit.errors import AuditInputError

    folder = text_dataset(tmp_path, "utopia", [
        claim("stock", "stock_area", "10.0", "end 2016"),
        {**claim("share", "stock_area", "2", "end 2016"), "unit": "%", "share": {"of": {"measure": "size"}}}])
    elsewhere = UTOPIA_SIZE.replace("Utopia}", "Erewhon}")
    res = result(run(reference_pack(tmp_path, elsewhere), folder)["utopia"], "stated")
    assert res.status == "undecided" and "no figure of size of the country" in res.reason
    (tmp_path / "unsourced").mkdir()
    with pytest.raises(AuditInputError) as exc:
        load_figure_pack(reference_pack(tmp_path / "unsourced", UTOPIA_SIZE.replace("  source:", "  # source:")))
    [p] = exc.value.problems
    assert p.file.endswith("reference.yaml") and p.line == 2 and "missing required key 'source'" in p.message


# -- additivity: a breakdown the text gives ----------------------------------------------------------
TEXT_BREAKDOWNS = """
- id: totals
  title: totals
  kind: additivity
  text_breakdowns: {flag}
  message: "{{source}}: {{whole}} is {{observed}}, its parts {{expected}}"
"""


@pytest.mark.parametrize("parts, status", [
    ([("reduced", "1.0"), ("cleared", "0.9")], "passed"),   # 1.9 of 2.0: cancellation may be none
    ([("reduced", "1.0"), ("cleared", "0.5")], "failed"),   # 1.5 of 2.0: 0.5 km2 the text does not account for
    ([("cleared", "0.5")], "passed"),                       # one part beside its whole is no breakdown
])
def test_additivity_text_breakdowns_reads_two_parts_or_more_the_text_gives_as_the_whole(tmp_path, parts, status):
    folder = text_dataset(tmp_path, "utopia", [claim("released", "released", "2.0", 2016)]
                          + [claim(f"released-{m}", "released", v, 2016, method=m) for m, v in parts])
    pack = partial_pack(tmp_path, TEXT_BREAKDOWNS.format(flag="true"))
    res = result(run(pack, folder)["utopia"], "totals")
    assert res.status == status and len(res.findings) == (status == "failed")
    if status == "failed":
        [f] = res.findings
        assert "its parts by method (reduced, cleared) add up to 1.5 km2, and it gives no method cancelled" in f.message
        assert [loc.role for loc in f.locations] == ["total", "part", "part"]
    # without text_breakdowns, parts short of their whole are not reported
    (tmp_path / "plain").mkdir()
    plain = partial_pack(tmp_path / "plain", TEXT_BREAKDOWNS.format(flag="false"))
    assert result(run(plain, folder)["utopia"], "totals").findings == []


@pytest.mark.parametrize("parts, status", [
    ([(["cancelled", "reduced"], "1.5"), ("cleared", "0.4")], "passed"),              # 1.9 of 2.0
    ([(["cancelled", "reduced"], "1.5"), ("cleared", "0.8")], "failed"),              # 2.3 of 2.0
    ([(["cancelled", "reduced"], "1.5"), (["reduced", "cleared"], "1.5")], "not_applicable"),  # overlap: no sum
])
def test_additivity_parts_of_the_text_that_name_a_set_of_parts_may_not_exceed_their_whole(tmp_path, parts, status):
    folder = text_dataset(tmp_path, "utopia", [claim("released", "released", "2.0", 2016)]
                          + [claim(f"released-{i}", "released", v, 2016, method=m) for i, (m, v) in enumerate(parts)])
    res = result(run(partial_pack(tmp_path, TEXT_BREAKDOWNS.format(flag="false")), folder)["utopia"], "totals")
    assert res.status == status and len(res.findings) == (status == "failed")
    if status == "failed":
        [f] = res.findings
        assert "2 of its parts by method (cancelled + reduced, cleared) already add up to 2.3 km2" in f.message



@pytest.mark.parametrize("earlier, later, status", [
    # the later report's whole of 2014-2015 and its reduction of 2015; the earlier one's clearance of 2014
    ([("cleared", "1.0", 2014)], [("reduced", "0.9", 2015)], "passed"),       # 1.9 of 2.0
    ([("cleared", "1.0", 2014)], [("reduced", "1.5", 2015)], "failed"),       # 2.5 of 2.0, however they overlap
    ([("cleared", "1.0", "2013-2014")], [("reduced", "1.5", 2015)], "passed"),  # 2013 is not inside: 1.5 alone
    # the later report's own clearance stands for it, not the earlier one's larger (a revision)
    ([("cleared", "1.0", 2014)], [("reduced", "1.2", 2015), ("cleared", "0.5", "2014-2015")], "passed"),
    ([], [("reduced", "1.2", 2015), ("cleared", "1.0", 2014)], "failed"),     # one report: 2.2 of 2.0
])
def test_additivity_sub_periods_bounds_a_flow_by_its_parts_over_periods_inside_its_own(tmp_path, earlier, later,
                                                                                        status):
    def claims(parts):
        return [claim(f"released-{m}-{i}", "released", v, p, method=m) for i, (m, v, p) in enumerate(parts)]

    old = text_dataset(tmp_path, "utopia-2015", claims(earlier), published="2015-06-01")
    new = text_dataset(tmp_path, "utopia-2016", [claim("released", "released", "2.0", "2014-2015")] + claims(later),
                       published="2016-06-01")
    pack = partial_pack(tmp_path, TEXT_BREAKDOWNS.format(flag="false"))
    runs = run(pack, old, new)
    res = result(runs["utopia-2016"], "totals")
    assert (res.status, len(res.findings)) == (status, status == "failed")
    if status == "failed":
        [f] = res.findings
        assert f.relation == ">=" and f.observed == pytest.approx(2.0)
        if earlier:
            assert f.expected == pytest.approx(2.5)
            # the parts in the vocabulary's order, each with its period, and the edition of another report's
            assert "(reduced 2015, cleared 2014 (Utopia 2015 2015-06-01)) already add up to 2.5 km2" in f.message
            assert [(loc.role, Path(loc.file).parent.name) for loc in f.locations] == [
                ("total", "utopia-2016"), ("part", "utopia-2016"), ("part", "utopia-2015")]
        else:
            assert "(reduced 2015, cleared 2014) already add up to 2.2 km2" in f.message
    # the earlier report prints no whole: nothing of it is bounded; another's parts alone bound no whole
    assert result(runs["utopia-2015"], "totals").findings == []
    alone = text_dataset(tmp_path, "utopia-whole", [claim("released", "released", "0.1", "2014-2015")],
                         published="2016-06-01")
    assert result(run(pack, old, alone)["utopia-whole"], "totals").items == 0
    # without sub_periods, no part over another period bounds the whole
    (tmp_path / "plain").mkdir()
    plain = partial_pack(tmp_path / "plain", TEXT_BREAKDOWNS.format(flag="false") + "  sub_periods: false\n")
    assert result(run(plain, old, new)["utopia-2016"], "totals").findings == []




@pytest.mark.parametrize("reduced, status", [("0.9", "passed"), ("1.5", "failed")])
def test_additivity_sub_periods_reads_a_whole_printed_as_less_than_a_value_as_its_upper_end(tmp_path, reduced,
                                                                                          status):
    whole = {**claim("released", "released", "2.0", "2014-2015"), "qualifier": "less_than"}
    parts = [claim("released-cleared", "released", "1.0", 2014, method="cleared"),
             claim("released-reduced", "released", reduced, 2015, method="reduced"),
             {**claim("released-cancelled", "released", "5.0", 2015, method="cancelled"), "qualifier": "less_than"}]
    folder = text_dataset(tmp_path, "utopia", [whole] + parts)
    res = result(run(partial_pack(tmp_path, TEXT_BREAKDOWNS.format(flag="false")), folder)["utopia"], "totals")
    # "less than 5.0" cancelled bounds nothing from below: two parts are read, 1.9 or 2.5 of under 2.0
    assert (res.status, res.items, len(res.findings)) == (status, 1, status == "failed")
    if status == "failed":
        assert "2 of its parts by method (reduced 2015, cleared 2014) already add up to 2.5 km2" in res.findings[0].message

YEARS = range(2010, 2016)


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_additivity_sub_periods_never_flags_parts_of_one_world_and_flags_a_whole_cut_below_them(data):
    """Flows of each method, year by year, in m2 (exact); a whole over a span and parts over spans
    inside it, as two editions would print them (each part in either): the parts of a consistent
    world never exceed the whole; printed 1 m2 less than their sum, it is reported."""
    import tempfile

    world = {m: {y: data.draw(st.integers(0, 9_999)) for y in YEARS} for m in ("cancelled", "reduced", "cleared")}
    first, last = sorted(data.draw(st.lists(st.sampled_from(YEARS), min_size=2, max_size=2)))
    span = range(first, last + 1)
    parts = []
    for m in data.draw(st.lists(st.sampled_from(sorted(world)), min_size=1, max_size=3, unique=True)):
        a, b = sorted(data.draw(st.lists(st.sampled_from(span), min_size=2, max_size=2)))
        parts.append((m, a, b, sum(world[m][y] for y in range(a, b + 1)), data.draw(st.booleans())))
    parts[0] = parts[0][:4] + (True,)  # one part at least is the whole's own edition's
    assume(any((a, b) != (first, last) for _, a, b, _, _ in parts))
    whole = sum(world[m][y] for m in world for y in span)
    cut = data.draw(st.booleans())
    printed = sum(v for *_, v, _ in parts) - 1 if cut else whole
    assume(printed >= 0)

    def period(a, b):
        return str(a) if a == b else f"{a}-{b}"

    def claims(own):
        return [{**claim(f"released-{m}", "released", str(v), period(a, b), method=m), "unit": "m2"}
                for m, a, b, v, mine in parts if mine == own]

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        old = text_dataset(tmp, "utopia-2015", claims(False), published="2015-06-01")
        new = text_dataset(tmp, "utopia-2016", [{**claim("released", "released", str(printed), period(first, last)),
                                                 "unit": "m2"}] + claims(True), published="2016-06-01")
        res = result(run(partial_pack(tmp, TEXT_BREAKDOWNS.format(flag="false")), old, new)["utopia-2016"], "totals")
    # one finding: parts printed beside the whole that exceed it alone are not reported again
    assert len(res.findings) == cut


WITHIN_SIZE = """
- id: within
  title: within
  kind: ratio
  numerator: stock_area
  denominator: size
  denominator_in: reference
  at_most: 1
  message: "{numerator_value} of {numerator} ({at}), more than the {denominator_value} of the whole"
"""


@pytest.mark.parametrize("stock, status", [("499", "passed"), ("5,000", "failed")])
def test_ratio_denominator_in_reference_bounds_every_figure_by_a_fact_of_the_pack(tmp_path, stock, status):
    # a place's hazardous area, of a year, bounded by the country's size in the reference data (500 km2):
    # 5,000 km2 (printed in the wrong unit, say) cannot be
    folder = text_dataset(tmp_path, "utopia", [claim("north", "stock_area", stock, "end 2016", place="North")])
    res = result(run(reference_pack(tmp_path, UTOPIA_SIZE, WITHIN_SIZE), folder)["utopia"], "within")
    assert (res.status, res.items, len(res.findings)) == (status, 1, status == "failed")
    if status == "failed":
        assert [loc.role for loc in res.findings[0].locations] == ["numerator", "denominator"]
    # the report's own figures are not read as the denominator, nor the reference without the option
    (tmp_path / "plain").mkdir()
    plain = reference_pack(tmp_path / "plain", UTOPIA_SIZE, WITHIN_SIZE.replace("  denominator_in: reference\n", ""))
    assert result(run(plain, folder)["utopia"], "within").status == "not_applicable"


def test_ratio_denominator_in_is_printed_or_reference(tmp_path):
    from audit.errors import AuditInputError

    with pytest.raises(AuditInputError) as exc:
        load_figure_pack(reference_pack(tmp_path, UTOPIA_SIZE, WITHIN_SIZE.replace("in: reference", "in: atlas")))
    assert "denominator_in 'atlas' is not one of printed, reference" in str(exc.value.problems[0].message)

