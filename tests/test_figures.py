"""The figure model: tables of any printed shape mapped onto figures, and the kinds over them.

Each case is a small dataset folder written as a person would (descriptor, CSV, claims), with a
small pack of its own vocabulary; the same cases run through `audit check`.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit.errors import AuditInputError
from audit.figures.pack import load_figure_pack
from audit.figures.run import audit_figures

from .conftest import audit_cli

ROOT = Path(__file__).resolve().parent.parent

VOCABULARY = """
quantities:
  area: {units: {m2: 1, ha: 10000, km2: 1000000}, exact: [m2]}
  count: {units: {count: 1}, exact: [count], number: true}
  share: {units: {"%": 0.01}, additive: false}
measures:
  items: {quantity: count, type: stock}
  surface: {quantity: area, type: stock}
  done: {quantity: area, type: flow}
dimensions:
  country: {all: world}
  region: {all: all}
  kind: {all: all, parts: [red, blue], aliases: {r: red, b: blue}}
"""

RULES = """
rules:
  - id: sums
    title: totals add up
    kind: additivity
    message: "{source}: {whole} is {observed}, its {parts} parts add up to {expected}"
  - id: agree
    title: figures agree
    kind: agreement
    between: [tables, text]
    message: "{figure}: {source} {observed}, {other} {expected}"
  - id: revised
    title: editions agree
    kind: agreement
    severity: warning
    between: [editions]
    message: "{figure}: {edition} prints {observed}, {other_edition} printed {expected}"
  - id: both
    title: items and surface
    kind: co_occurrence
    pairs: [[items, surface]]
    message: "{source}: {nonzero_value} of {nonzero}, {zero_value} of {zero}"
"""


def write_pack(tmp: Path) -> Path:
    pack = tmp / "pack"
    pack.mkdir(exist_ok=True)
    (pack / "pack.yaml").write_text("profile: test-figures\ntitle: test\n")
    (pack / "vocabulary.yaml").write_text(VOCABULARY)
    (pack / "rules.yaml").write_text(RULES)
    return pack


def write_dataset(tmp: Path, name: str, resources: str, tables: dict[str, str], claims: str | None = None,
                  edition: str | None = None) -> Path:
    folder = tmp / name
    folder.mkdir(parents=True, exist_ok=True)
    head = f"name: {name}\nauditProfile: test-figures\nat: {{country: Utopia}}\n"
    if edition:
        head += f"edition: {edition}\n"
    if claims is not None:
        head += "claims: claims.yaml\n"
        (folder / "claims.yaml").write_text(textwrap.dedent(claims))
    (folder / "datapackage.yaml").write_text(head + "resources:\n" + textwrap.indent(textwrap.dedent(resources), "  "))
    for file, text in tables.items():
        (folder / file).write_text(textwrap.dedent(text).lstrip())
    return folder


def run(tmp: Path, *folders: Path):
    runs = audit_figures(list(folders), load_figure_pack(write_pack(tmp)))
    return {r.dataset: r for r in runs}


def findings(run, rule: str | None = None):
    return [f for f in run.findings if rule is None or f.rule == rule]


def status(run, rule: str) -> str:
    return next(r.status for r in run.rules if r.rule == rule)


BY_REGION = """
- name: by_region
  path: t.csv
  at: {period: end 2014, kind: red}
  schema:
    fields:
      - {name: region, dimension: region}
      - {name: n, type: integer, measure: items}
      - {name: area, type: number, unit: km2, measure: surface}
"""


def test_printed_total_that_does_not_add_up_names_the_total_and_its_rows(tmp_path):
    ds = write_dataset(tmp_path, "d", BY_REGION, {"t.csv": """
        region,n,area
        North,3,1.20
        South,4,0.80
        Total,8,2.00
        """})
    r = run(tmp_path, ds)["d"]
    [f] = findings(r, "sums")
    assert (f.observed, f.expected) == (8, 7)
    assert [(loc.role, loc.row) for loc in f.locations] == [("total", 4), ("part", 2), ("part", 3)]
    assert "add up to 7" in f.message
    assert status(r, "both") == "passed"  # 2.00 km2 = 1.20 + 0.80 within printed precision


def test_rounded_total_within_printed_precision_passes(tmp_path):
    ds = write_dataset(tmp_path, "d", BY_REGION, {"t.csv": """
        region,n,area
        North,3,1.24
        South,4,0.84
        Total,7,2.1
        """})
    r = run(tmp_path, ds)["d"]
    assert findings(r) == []
    assert status(r, "sums") == "passed"


def test_two_periods_side_by_side_are_two_sets_of_figures(tmp_path):
    resources = """
    - name: two_years
      path: t.csv
      at: {kind: red}
      schema:
        fields:
          - {name: region, dimension: region}
          - {name: area_2014, type: number, unit: km2, measure: surface, at: {period: end 2014}}
          - {name: area_2015, type: number, unit: km2, measure: surface, at: {period: end 2015}}
    """
    claims = """
    claims:
      - {id: c2015, measure: surface, value: "5.0", unit: km2, period: end 2015, at: {kind: red}, quote: "5.0 km2 at end 2015"}
    """
    ds = write_dataset(tmp_path, "d", resources, {"t.csv": """
        region,area_2014,area_2015
        North,2.0,1.5
        South,3.0,2.5
        Total,5.0,4.0
        """}, claims)
    r = run(tmp_path, ds)["d"]
    assert findings(r, "sums") == []  # each year's total adds up
    [f] = findings(r, "agree")  # the text's 5.0 is the 2014 total, not 2015's 4.0
    assert f.observed == 5.0 and f.expected == 4.0 and "end 2015" in f.message


def test_subtotals_are_checked_at_both_levels(tmp_path):
    resources = """
    - name: nested
      path: t.csv
      at: {period: end 2014, kind: blue}
      schema:
        fields:
          - {name: province, dimension: region}
          - {name: district, dimension: region, parent: province}
          - {name: n, type: integer, measure: items}
    """
    ds = write_dataset(tmp_path, "d", resources, {"t.csv": """
        province,district,n
        East,Alpha,2
        East,Beta,3
        East,Total,6
        West,Gamma,4
        West,Total,4
        Total,,11
        """})
    r = run(tmp_path, ds)["d"]
    got = sorted((f.locations[0].row, f.observed, f.expected) for f in findings(r, "sums"))
    # East's subtotal 6 is not 2 + 3; the grand total 11 is the subtotals' 6 + 4 but not the districts' 9
    assert got == [(4, 6, 5), (7, 11, 9)]


def test_a_closed_dimension_missing_a_part_is_reported_not_passed(tmp_path):
    resources = """
    - name: by_kind
      path: t.csv
      at: {period: end 2014}
      totals: {column: kind, labels: [All]}
      schema:
        fields:
          - {name: kind, dimension: kind}
          - {name: n, type: integer, measure: items}
    """
    ds = write_dataset(tmp_path, "d", resources, {"t.csv": "kind,n\nr,5\nAll,5\n"})
    [f] = findings(run(tmp_path, ds)["d"], "sums")
    assert "prints no kind blue" in f.message and f.locations[0].row == 3


def test_a_part_printed_twice_is_reported_once(tmp_path):
    ds = write_dataset(tmp_path, "d", BY_REGION, {"t.csv": """
        region,n,area
        North,3,1.0
        North,3,1.0
        Total,6,2.0
        """})
    dup = [f for f in findings(run(tmp_path, ds)["d"], "sums") if "printed 2 times" in f.message]
    assert len(dup) == 2 and {loc.row for loc in dup[0].locations} == {2, 3}  # once per measure


def test_counts_and_amounts_both_zero_or_both_not(tmp_path):
    ds = write_dataset(tmp_path, "d", BY_REGION, {"t.csv": """
        region,n,area
        North,0,1.5
        South,2,0
        East,0,0
        """})
    got = sorted(f.locations[0].row for f in findings(run(tmp_path, ds)["d"], "both"))
    assert got == [2, 3]


def test_a_zero_printed_with_decimals_decides_nothing(tmp_path):
    ds = write_dataset(tmp_path, "d", BY_REGION, {"t.csv": "region,n,area\nNorth,2,0.0\n"})
    r = run(tmp_path, ds)["d"]
    assert findings(r, "both") == [] and status(r, "both") == "undecided"


def test_text_figure_matching_no_table_is_undecided_with_the_nearest(tmp_path):
    claims = """
    claims:
      - {id: c, measure: items, value: 3, period: end 2014, at: {region: Nort, kind: red}, quote: "3 in Nort"}
    """
    ds = write_dataset(tmp_path, "d", BY_REGION, {"t.csv": "region,n,area\nNorth,3,1.0\nSouth,1,1.0\n"}, claims)
    rule = next(x for x in run(tmp_path, ds)["d"].rules if x.rule == "agree")
    assert rule.status == "undecided" and "region North" in rule.reason


def test_claim_about_several_members_is_their_sum(tmp_path):
    claims = """
    claims:
      - {id: c, measure: items, value: 5, period: end 2014, at: {region: [North, South], kind: red}, quote: "5 in North and South"}
    """
    ds = write_dataset(tmp_path, "d", BY_REGION, {"t.csv": "region,n,area\nNorth,3,1.0\nSouth,1,1.0\nEast,1,1.0\n"},
                       claims)
    [f] = findings(run(tmp_path, ds)["d"], "agree")
    assert (f.observed, f.expected) == (5, 4) and "North + South" in f.message


def test_three_editions_one_revised(tmp_path):
    table = "region,n,area\nNorth,3,1.0\nSouth,4,1.0\nTotal,7,2.0\n"
    revised = "region,n,area\nNorth,3,1.0\nSouth,5,1.0\nTotal,8,2.0\n"
    folders = [write_dataset(tmp_path / "c", f"e{y}", BY_REGION, {"t.csv": t}, edition=f"Report {y}")
               for y, t in ((2015, table), (2016, table), (2017, revised))]
    runs = run(tmp_path, *folders)
    revisions = [f for r in runs.values() for f in findings(r, "revised")]
    # South and the total differ between 2017 and each earlier edition: 2 figures x 2 editions
    assert len(revisions) == 4
    assert all(f.severity == "warning" for f in revisions)
    assert {f.observed for f in revisions} | {f.expected for f in revisions} == {4, 5, 7, 8}
    assert all(findings(r, "sums") == [] for r in runs.values())


def test_flows_over_a_span_add_up_from_its_years(tmp_path):
    resources = """
    - name: yearly
      path: t.csv
      at: {kind: red}
      totals: {column: year, labels: [Total]}
      schema:
        fields:
          - {name: year, dimension: period}
          - {name: done, type: number, unit: km2, measure: done}
    """
    claims = """
    claims:
      - {id: c, measure: done, value: "9.9", unit: km2, period: 2014-2016, at: {kind: red}, quote: "9.9 km2 over three years"}
    """
    ds = write_dataset(tmp_path, "d", resources, {"t.csv": "year,done\n2014,1.0\n2015,2.0\n2016,3.0\nTotal,7.0\n"}, claims)
    r = run(tmp_path, ds)["d"]
    [f] = findings(r, "sums")
    assert (f.observed, f.expected) == (7.0, 6.0)
    [g] = findings(r, "agree")
    assert g.observed == 9.9 and g.expected == 7.0  # the text against the printed total of 2014-2016


def test_hostile_members_stay_data(tmp_path):
    ds = write_dataset(tmp_path, "d", BY_REGION, {"t.csv": """
        region,n,area
        "x'); DROP TABLE figures; --",3,1.0
        "a""b",4,1.0
        Total,8,2.0
        """})
    [f] = findings(run(tmp_path, ds)["d"], "sums")
    assert f.expected == 7


@pytest.mark.parametrize("field, value, message", [
    ("measure", "itemz", "unknown measure 'itemz'"),
    ("unit", "km3", "unit 'km3' is an unknown unit"),
    ("unit", "count", "unit 'count' is a unit of count; surface is a area"),
])
def test_bad_mapping_is_an_error_at_its_line(tmp_path, field, value, message):
    resources = BY_REGION.replace(
        "{name: area, type: number, unit: km2, measure: surface}",
        "{name: area, type: number, unit: %s, measure: %s}" % ((value, "surface") if field == "unit" else ("km2", value)))
    ds = write_dataset(tmp_path, "d", resources, {"t.csv": "region,n,area\nNorth,3,1.0\n"})
    with pytest.raises(AuditInputError) as exc:
        run(tmp_path, ds)
    rendered = "\n".join(p.render() for p in exc.value.problems)
    assert message in rendered and "datapackage.yaml:" in rendered


def test_unreadable_period_is_an_error_at_file_line_through_the_cli(tmp_path):
    resources = BY_REGION.replace("period: end 2014", "period: 2015-13")
    ds = write_dataset(tmp_path, "d", resources, {"t.csv": "region,n,area\nNorth,3,1.0\n"})
    pack = write_pack(tmp_path)
    out = subprocess.run([sys.executable, "-m", "audit", "check", str(ds), "--rules", str(pack)],
                         capture_output=True, text=True)
    assert out.returncode == 2, out.stderr
    assert "datapackage.yaml:8" in out.stderr and "period" in out.stderr and "Traceback" not in out.stderr
    assert out.stderr.count("audit:") == 1  # once, not again for every figure it would date


def test_bundled_figure_layout_dataset_through_the_cli():
    out = subprocess.run([sys.executable, "-m", "audit", "check", "datasets/figures/azerbaijan-2019", "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    got = sorted((f["rule"], f["observed"], f["expected"]) for f in data["findings"] if f["severity"] == "error")
    assert ("totals-add-up", 17, 16) in got  # Table 1's CHAs
    assert ("figures-agree", 33, 32) in got  # "33 mined areas"
    assert ("figures-agree", 14, 13) in got  # "14 anti-personnel mined areas"
    assert sum(1 for g in got if g[0] == "counts-and-areas") == 4


STATED_RULE = """
  - id: stated
    title: stated relations hold
    kind: stated
    message: "{statement} of {measure} ({period}): the text states {stated}, the figures give {computed}"
"""

YEARLY = """
- name: yearly
  path: t.csv
  at: {kind: red}
  schema:
    fields:
      - {name: year, dimension: period}
      - {name: done, type: number, unit: km2, measure: done}
"""

STATED_CLAIMS = """
claims:
  - {id: fell-20, measure: done, change: {from: 2018}, direction: decrease, value: 20, unit: "%", period: 2019,
     at: {kind: red}, quote: "a 20% decrease on 2018"}
  - {id: fell-30, measure: done, change: {from: 2018}, direction: decrease, value: 30, unit: "%", period: 2019,
     at: {kind: red}, quote: "a 30% decrease on 2018"}
  - {id: fell-by, measure: done, change: {from: 2018}, direction: decrease, value: "9.85", unit: km2, period: 2019,
     at: {kind: red}, quote: "fell by 9.85 km2"}
  - {id: double, measure: done, ratio: {of: {period: 2017}}, value: 2, qualifier: about, period: 2018,
     at: {kind: red}, quote: "about double the output of 2017"}
  - {id: share, measure: done, share: {of: {period: 2018}}, value: 80, unit: "%", period: 2019,
     at: {kind: red}, quote: "80% of the year before"}
  - {id: missing, measure: done, change: {from: 2010}, direction: increase, value: 5, unit: "%", period: 2019,
     at: {kind: red}, quote: "5% more than in 2010"}
"""


def test_stated_changes_ratios_and_shares(tmp_path):
    pack = write_pack(tmp_path)
    (pack / "rules.yaml").write_text(RULES + STATED_RULE)
    ds = write_dataset(tmp_path, "d", YEARLY, {"t.csv": "year,done\n2017,24.60\n2018,49.01\n2019,39.16\n"},
                       STATED_CLAIMS)
    [r] = audit_figures([ds], load_figure_pack(pack))
    got = {f.locations[0].claim: f for f in findings(r, "stated")}
    # (49.01 - 39.16) / 49.01 = 20.1%: "20%" holds; "30%" does not; 9.85 km2 holds; "about double"
    # holds (x1.99); 39.16 / 49.01 = 79.9% is "80%"
    assert set(got) == {"fell-30"}
    assert got["fell-30"].observed == -30 and round(got["fell-30"].expected, 1) == -20.1
    assert "states 30% decrease, the figures give -20.12 to -20.08%" in got["fell-30"].message
    rule = next(x for x in r.rules if x.rule == "stated")
    assert rule.undecided == 1 and "no figure of done for 2010" in rule.reason


def test_stated_count_of_members(tmp_path):
    pack = write_pack(tmp_path)
    (pack / "rules.yaml").write_text(RULES + STATED_RULE)
    claims = """
    claims:
      - {id: three, measure: items, members: region, value: 3, period: end 2014, at: {kind: red}, quote: "in three regions"}
      - {id: four, measure: items, members: region, value: 4, period: end 2014, at: {kind: red}, quote: "in four regions"}
    """
    ds = write_dataset(tmp_path, "d", BY_REGION, {"t.csv": "region,n,area\nNorth,3,1.0\nSouth,0,0\nEast,1,1.0\nWest,2,1.0\n"
                                                  "Total,6,3.0\n"}, claims)
    [r] = audit_figures([ds], load_figure_pack(pack))
    [f] = findings(r, "stated")
    assert f.locations[0].claim == "four" and f.expected == 3  # South prints 0


def test_statement_errors_name_their_line(tmp_path):
    claims = """
    claims:
      - {id: a, measure: items, change: {since: 2014}, value: 3, period: end 2015, quote: "x"}
    """
    ds = write_dataset(tmp_path, "d", BY_REGION, {"t.csv": "region,n,area\nNorth,3,1.0\n"}, claims)
    with pytest.raises(AuditInputError) as exc:
        run(tmp_path, ds)
    [p] = exc.value.problems
    assert p.line == 3 and "unknown key 'since'" in p.message and "takes from" in p.hint


def test_count_of_members_counts_the_level_under_the_whole(tmp_path):
    pack = write_pack(tmp_path)
    (pack / "rules.yaml").write_text(RULES + STATED_RULE)
    resources = """
    - name: nested
      path: t.csv
      at: {period: end 2014, kind: red}
      schema:
        fields:
          - {name: province, dimension: region}
          - {name: district, dimension: region, parent: province}
          - {name: n, type: integer, measure: items}
    """
    claims = """
    claims:
      - {id: two, measure: items, members: region, value: 2, period: end 2014, at: {kind: red}, quote: "in two provinces"}
    """
    ds = write_dataset(tmp_path, "d", resources, {"t.csv": "province,district,n\nEast,Alpha,2\nEast,Beta,3\nWest,Gamma,4\n"},
                       claims)
    [r] = audit_figures([ds], load_figure_pack(pack))
    assert findings(r, "stated") == [] and status(r, "stated") == "passed"  # East and West, not 3 districts


def test_a_dataset_gives_its_own_spellings_of_members(tmp_path):
    ds = write_dataset(tmp_path, "d", BY_REGION.replace("at: {period: end 2014, kind: red}", "at: {period: end 2014}")
                       .replace("{name: region, dimension: region}", "{name: region, dimension: region}\n      - {name: colour, dimension: kind}"),
                       {"t.csv": "region,colour,n,area\nNorth,Crimson,3,1.0\nNorth,Navy,4,1.0\nNorth,Total,8,2.0\n"})
    text = (ds / "datapackage.yaml").read_text()
    (ds / "datapackage.yaml").write_text(text.replace("resources:", "aliases: {kind: {crimson: red, Navy: blue}}\nresources:"))
    [f] = findings(run(tmp_path, ds)["d"], "sums")  # both spellings are parts of the closed dimension
    assert (f.observed, f.expected) == (8, 7)


SUMMARY = """
- name: summary
  path: t.csv
  at: {period: end 2014}
  rows:
    column: item
    figures:
      Red things: {measure: items, at: {kind: red}}
      Blue things: {measure: items, at: {kind: blue}}
      All things: {measure: items}
      Surface: {measure: surface, unit: km2}
  schema:
    fields:
      - {name: item, type: string}
      - {name: number, type: number, measure: by-row}
"""


def test_a_table_of_one_figure_per_row(tmp_path):
    ds = write_dataset(tmp_path, "d", SUMMARY, {"t.csv": "item,number\nRed things,3\nBlue things,4\nAll things,8\n"
                                                "Surface,2.5\n"})
    [f] = findings(run(tmp_path, ds)["d"], "sums")
    assert (f.observed, f.expected) == (8, 7) and [loc.row for loc in f.locations] == [4, 2, 3]


def test_a_row_no_figure_is_named_for_is_an_error_at_its_line(tmp_path):
    ds = write_dataset(tmp_path, "d", SUMMARY, {"t.csv": "item,number\nRed things,3\nGreen things,4\n"})
    with pytest.raises(AuditInputError) as exc:
        run(tmp_path, ds)
    [p] = exc.value.problems
    assert p.line == 3 and "'Green things' is not one of the figures" in p.message


def test_the_figure_engine_names_no_measure_or_unit_of_any_bundled_pack():
    """The figure model reads its vocabulary as data: no measure or unit of a bundled pack of
    figures is written in audit/figures (or the migration), not even in an example."""
    import re

    import yaml

    words = set()
    for vocab in (ROOT / "rules").glob("*/vocabulary.yaml"):
        doc = yaml.safe_load(vocab.read_text())
        words |= set(doc.get("measures") or {})
        words |= {u for q in (doc.get("quantities") or {}).values() for u in (q.get("units") or {})}
    words -= {"count", "%", "fraction"}  # a number of things and a share are not a domain's words
    found = []
    for path in sorted((ROOT / "audit" / "figures").rglob("*.py")) + [ROOT / "audit" / "migrate.py",
                                                                         ROOT / "audit" / "init.py"]:
        for n, line in enumerate(path.read_text().splitlines(), 1):
            found += [f"{path.relative_to(ROOT)}:{n}: {w}" for w in words
                      if re.search(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])", line)]
    assert not found, found


def test_a_required_dimension_must_be_named_by_every_dataset(tmp_path):
    pack = write_pack(tmp_path)
    (pack / "vocabulary.yaml").write_text(VOCABULARY.replace("country: {all: world}", "country: {all: world, required: true}"))
    ds = write_dataset(tmp_path, "d", BY_REGION, {"t.csv": "region,n,area\nNorth,3,1.0\n"})
    text = (ds / "datapackage.yaml").read_text()
    (ds / "datapackage.yaml").write_text(text.replace("at: {country: Utopia}\n", ""))
    with pytest.raises(AuditInputError) as exc:
        audit_figures([ds], load_figure_pack(pack))
    [p] = exc.value.problems
    assert "must name its country under at:" in p.message and p.file.endswith("datapackage.yaml")


def test_a_dataset_of_the_text_alone_is_audited_and_may_name_the_whole_of_a_required_dimension(tmp_path):
    # a report that prints no table (a press release, a chapter of world totals): claims only,
    # and the world as its country (the whole of a required dimension, named on purpose)
    pack = write_pack(tmp_path)
    (pack / "vocabulary.yaml").write_text(VOCABULARY.replace("country: {all: world}", "country: {all: world, required: true}"))
    folders = []
    for name, year, value in (("totals-2016", 2016, "110"), ("totals-2017", 2017, "120")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "datapackage.yaml").write_text(f"name: {name}\nauditProfile: test-figures\nat: {{country: world}}\n"
                                                 f"edition: Report {year}\nclaims: claims.yaml\n")
        (folder / "claims.yaml").write_text(
            f"claims:\n  - {{id: items, measure: items, value: {value}, period: end 2015, quote: '{value} items'}}\n")
        folders.append(folder)
    out = audit_cli("check", *map(str, folders), "--rules", str(pack), "--format", "json", "--fail-on", "warning")
    assert out.returncode == 1, out.stderr
    runs = {r["dataset"]["name"]: r for r in json.loads(out.stdout)["runs"]}
    [f] = runs["totals-2016"]["findings"] + runs["totals-2017"]["findings"]  # one revision, reported once
    assert f["rule"] == "revised" and {"Report 2016", "Report 2017", "110", "120"} <= set(re.findall(
        r"Report \d+|\d{3}", f["message"]))


@pytest.mark.parametrize("value, decimals, qualifier, expected", [
    (156000, 0, "just_over", (156000, 157000)),   # a figure rounded to the thousand: the next thousand
    (3, 0, "almost", (2.7, 3)),                     # a small multiplier: at most a tenth below
    (4.1, 1, "nearly", (4.0, 4.15)),                # one unit of the last decimal below, the rounding above
    (100, 0, "almost", (90, 100)),                  # a round hundred: a tenth, not a hundred
    (1120, 0, "nearly", (1110, 1120)),
    (20, 0, "just_over", (20, 22)),
])
def test_close_qualifiers_reach_one_unit_of_the_last_digit_printed_and_at_most_a_tenth(value, decimals, qualifier,
                                                                                       expected):
    from audit.figures.model import interval, last_digit

    rounding = 0.0 if decimals == 0 else 0.5 * 10 ** -decimals  # whole numbers of a count are exact
    lo, hi = interval(value, rounding, qualifier, step=last_digit(value, decimals))
    assert (lo, hi) == pytest.approx(expected)


@given(st.integers(1, 10 ** 9), st.integers(0, 3), st.sampled_from(["nearly", "almost", "just_under", "just_over"]))
def test_a_close_qualifier_widens_the_printed_interval_on_its_side_only_and_by_at_most_a_tenth(n, decimals, qualifier):
    from audit.figures.model import interval, last_digit

    value = n / 10 ** decimals
    rounding = 0.5 * 10 ** -decimals
    lo, hi = interval(value, rounding, qualifier, step=last_digit(value, decimals))
    plain = interval(value, rounding)
    assert lo <= plain[0] and hi >= plain[1]
    if qualifier == "just_over":
        assert lo == plain[0] and hi - value <= max(rounding, 0.1 * value) + 1e-9
    else:
        assert hi == plain[1] and value - lo <= max(rounding, 0.1 * value) + 1e-9


@pytest.mark.parametrize("incomplete", [False, True])
def test_a_table_marked_incomplete_is_not_summed_along_its_rows(tmp_path, incomplete):
    # the text gives the whole; a cut table gives two of its rows: their sum says nothing of it
    resources = BY_REGION.replace("  path: t.csv\n", "  path: t.csv\n  incomplete: true\n") if incomplete else BY_REGION
    ds = write_dataset(tmp_path, "d", resources, {"t.csv": "region,n,area\nNorth,3,1.20\nSouth,4,0.80\n"}, claims="""
        claims:
          - {id: all, measure: items, value: 10, period: end 2014, at: {kind: red}, quote: "10 items in all"}
        """)
    r = run(tmp_path, ds)["d"]
    if incomplete:
        assert findings(r, "agree") == []
    else:
        [f] = findings(r, "agree")
        assert "10" in f.message and "7" in f.message


def test_incomplete_must_be_true_or_false(tmp_path):
    resources = BY_REGION.replace("  path: t.csv\n", "  path: t.csv\n  incomplete: partly\n")
    ds = write_dataset(tmp_path, "d", resources, {"t.csv": "region,n,area\nNorth,3,1.20\n"})
    with pytest.raises(AuditInputError) as exc:
        run(tmp_path, ds)
    [p] = exc.value.problems
    assert p.field == "by_region.incomplete" and p.line == 8  # the line of the key in datapackage.yaml


@pytest.mark.parametrize("red, flagged", [("4", False), ("7", True)])
def test_parts_printed_without_all_of_them_cannot_exceed_their_whole(tmp_path, red, flagged):
    # the text gives the whole and one of the two kinds: the other is unknown, so no sum is
    # checked, but the one given cannot be more than the whole
    ds = write_dataset(tmp_path, "d", BY_REGION, {"t.csv": "region,n,area\nNorth,3,1.20\n"}, claims=f"""
        claims:
          - {{id: all, measure: items, value: 5, period: end 2015, quote: "5 items in all"}}
          - {{id: red, measure: items, value: {red}, period: end 2015, at: {{kind: red}}, quote: "{red} red items"}}
        """)
    r = run(tmp_path, ds)["d"]
    got = findings(r, "sums")
    if not flagged:
        assert got == [] and status(r, "sums") == "passed"
        return
    [f] = got
    assert f.message == "the text: the whole of items (end 2015) is printed as 5, but its part kind red alone is 7"
    assert [loc.role for loc in f.locations] == ["total", "part"] and f.relation == ">="
