"""The units of the table layout are the rule pack's data (measures.yaml `quantities`), not words of
the engine: a pack of another domain (spending in euros by ministry, staff in persons) declares its
own units, and rules, tables, claims, tolerances and the printed precision of whole numbers all
follow them, with no change to `audit/`. A unit the pack does not declare is refused at its line,
with the pack's units as the hint."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from audit.display import unit as human_unit
from audit.display import units_in
from audit.engine import uncertainty
from audit.errors import AuditInputError
from audit.pack import load_pack
from audit.units import UnitSystem

from .conftest import audit_cli

MEASURES = """\
quantities:
  money:
    units: {EUR: 1, kEUR: 1000, MEUR: 1000000}
    aliases: {euro: EUR}
    exact: [EUR]
  persons: {units: {persons: 1}, number: true}
measures:
  spent: {dimension: money, description: money spent}
  staff: {dimension: persons, description: people employed}
claim_period: year
"""
CONTRACTS = """\
tables:
  spending:
    title: Spending by ministry
    key: [ministry]
    dimensions: [year]
    columns:
      ministry: {type: string, required: true}
      spent: {type: number, dimension: money, min: 0}
      staff: {type: integer, dimension: persons, min: 0}
  series:
    title: Spending by year
    key: [year]
    columns:
      year: {type: year, required: true}
      spent: {type: number, dimension: money, min: 0}
"""
RULES = """\
rules:
  - id: totals
    title: Printed totals equal the sum of their rows
    kind: totals
    message: "{table}: the printed total of {column} is {observed}, its {parts} rows add up to {expected}"
  - id: cost-per-head
    title: No ministry spends more than 0.2 MEUR per person employed
    kind: row_check
    table: spending
    assert: spent <= staff * 0.2 MEUR
    message: "{ministry} spent {spent} with {staff} staff"
  - id: stated-spending
    title: The spending the text states agrees with the table
    kind: claim
    measure: spent
    against: [sum(spending.spent)]
    message: "The text says {claim}; the table gives {expected}"
  - id: spending-change
    title: Spending changes by at most half from year to year
    kind: change
    series: sum(series.spent)
    max_change: 50%
    message: "{previous} in {previous_year} to {observed} in {year} ({change})"
"""
DESCRIPTOR = """\
name: spending
auditProfile: budget-tables
claims: claims.yaml
resources:
  - name: spending
    path: spending.csv
    dimensions: {year: 2021}
    totals: {column: ministry, labels: [Total]}
    schema:
      fields:
        - {name: ministry, type: string}
        - {name: spent, type: number, unit: kEUR, title: Spent (kEUR)}
        - {name: staff, type: integer, title: Staff}
  - name: series
    path: series.csv
    schema:
      fields:
        - {name: year, type: year}
        - {name: spent, type: number, unit: MEUR, title: Spent (MEUR)}
"""
CSV = """\
ministry,spent,staff
Health,1300,10
Schools,950,4
Total,2300,14
"""
SERIES = """\
year,spent
2019,1.0
2020,2.0
2021,2.3
"""
CLAIMS = """\
claims:
  - {id: spent-2021, measure: spent, value: 2.3, unit: MEUR, year: 2021, quote: "2.3 million euros were spent in 2021"}
  - {id: spent-2021-euro, measure: spent, value: 2400000, unit: euro, year: 2021, quote: "EUR 2,400,000 in 2021"}
"""


def budget(tmp_path: Path, rules: str = RULES, measures: str = MEASURES, csv: str = CSV,
           descriptor: str = DESCRIPTOR) -> tuple[Path, Path]:
    pack = tmp_path / "rules" / "budget"
    pack.mkdir(parents=True)
    (pack / "pack.yaml").write_text("profile: budget-tables\ntitle: Budgets by ministry and year\n")
    (pack / "measures.yaml").write_text(measures)
    (pack / "contracts.yaml").write_text(CONTRACTS)
    (pack / "rules.yaml").write_text(rules)
    ds = tmp_path / "spending"
    ds.mkdir()
    (ds / "datapackage.yaml").write_text(descriptor)
    (ds / "spending.csv").write_text(csv)
    (ds / "series.csv").write_text(SERIES)
    (ds / "claims.yaml").write_text(CLAIMS)
    return pack, ds


def check(pack: Path, ds: Path) -> tuple[int, dict | str]:
    out = audit_cli("check", str(ds), "--rules", str(pack), "--format", "json", "--no-config")
    if out.returncode == 2:
        return 2, out.stderr
    return out.returncode, json.loads(out.stdout)


def test_a_pack_of_another_domain_declares_its_units_and_every_kind_follows_them(tmp_path):
    pack, ds = budget(tmp_path)
    code, report = check(pack, ds)
    assert code == 1, report
    rules = {r["id"]: r for r in report["rules"]}
    found = {}
    for f in report["findings"]:
        found.setdefault(f["rule"], []).append(f)
    # 1,300 + 950 = 2,250 kEUR is not the printed 2,300 kEUR (each printed to the kEUR: +-0.5 kEUR)
    [total] = found["totals"]
    assert total["unit"] == "kEUR" and (total["observed"], total["expected"], total["tolerance"]) == (2300, 2250, 1.5)
    # 1,300 kEUR for 10 persons is 0.13 MEUR a head; Schools spend 0.2375 MEUR a head
    [head] = found["cost-per-head"]
    assert head["locations"][0]["key"] == {"ministry": "Schools"} and rules["cost-per-head"]["passed"] == 1
    # the text's 2.3 MEUR meets 2,250 kEUR at printed precision; its EUR 2,400,000 (an alias) does not
    [stated] = found["stated-spending"]
    assert stated["locations"][0]["claim"] == "spent-2021-euro" and rules["stated-spending"]["passed"] == 1
    assert (stated["observed"], stated["expected"], stated["unit"]) == (2_400_000, 2_250_000, "EUR")
    # by the pack's period (year): 1.0 -> 2.0 MEUR doubles, 2.0 -> 2.3 does not
    [change] = found["spending-change"]
    assert (rules["spending-change"]["passed"], change["unit"], change["observed"]) == (1, "MEUR", 2.0)


def test_a_unit_the_pack_does_not_declare_is_refused_in_the_descriptor_with_the_pack_s_units(tmp_path):
    pack, ds = budget(tmp_path, descriptor=DESCRIPTOR.replace("unit: kEUR", "unit: kEURO"))
    code, err = check(pack, ds)
    assert code == 2 and "datapackage.yaml:12:" in err and "spending.spent.unit: unknown unit 'kEURO'" in err, err
    assert "did you mean 'kEUR'?" in err and "units of profile budget-tables:" in err and "Traceback" not in err


def test_a_unit_of_another_quantity_is_refused_for_the_column(tmp_path):
    pack, ds = budget(tmp_path, descriptor=DESCRIPTOR.replace("- {name: staff, type: integer,",
                                                              "- {name: staff, type: integer, unit: EUR,"))
    code, err = check(pack, ds)
    assert code == 2 and "column 'spending.staff' is persons: its unit must be one of persons, not EUR" in err, err


@pytest.mark.parametrize("expression,message", [
    ("spent <= staff * 0.2 MEURO", "unknown unit 'MEURO'"),
    ("spent <= 5", "give the number a unit"),
])
def test_a_rule_s_unit_is_checked_against_the_pack_at_its_line_and_column(tmp_path, expression, message):
    pack, ds = budget(tmp_path, rules=RULES.replace("spent <= staff * 0.2 MEUR", expression))
    with pytest.raises(AuditInputError) as err:
        load_pack(pack)
    [problem] = err.value.problems
    assert problem.file.endswith("rules.yaml") and problem.line == 10 and message in problem.message, problem
    assert "EUR" in (problem.hint or "")  # the hint names the pack's units of money, not another domain's


def test_a_pack_without_quantities_says_where_to_declare_them(tmp_path):
    pack, ds = budget(tmp_path, measures=MEASURES.split("measures:\n", 1)[1].join(["measures:\n", ""]))
    with pytest.raises(AuditInputError) as err:
        load_pack(pack)
    text = str(err.value)
    assert "contracts.yaml:8" in text and "unknown dimension 'money'" in text and "declares no quantities" in text


def test_whole_numbers_are_exact_in_an_exact_unit_and_rounded_in_others():
    system = UnitSystem.from_mapping({"money": {"units": {"EUR": 1, "kEUR": 1000}, "exact": ["EUR"]},
                                      "persons": {"units": {"persons": 1}, "number": True}})
    eur, keur, persons = (system.lookup(n) for n in ("EUR", "kEUR", "persons"))
    assert uncertainty(1200.0, 0, eur, False) == 0.0
    assert uncertainty(1200.0, 0, keur, False) == 500.0  # 1,200 kEUR stands for 1,199.5 to 1,200.5
    assert uncertainty(1.25, 2, keur, False) == pytest.approx(5.0)
    assert uncertainty(0.0, 0, keur, False) == 0.0  # a printed 0 is nothing
    assert uncertainty(14.0, 0, persons, False) == 0.0 and persons.dim == () and keur.dim == (("money", 1),)
    assert system.display_unit((("money", 1),), "kEUR") == "kEUR" and system.display_unit((("money", 1),), None) == "EUR"


@pytest.mark.parametrize("code,shown", [("km2", "km²"), ("m3", "m³"), ("mi2", "mi²"), ("ha", "ha"), ("kEUR", "kEUR"),
                                        (None, ""), ("Q2", "Q2")])
def test_human_outputs_raise_the_power_of_any_unit_of_length(code, shown):
    assert human_unit(code) == shown


def test_units_in_text_are_shown_as_people_write_them():
    assert units_in("1.65 km2 in Area (m2), 3 mi2, 2015 Q2 and 4 kEUR2") == "1.65 km² in Area (m²), 3 mi², 2015 Q2 and 4 kEUR2"
    assert units_in("no units here, 3 or 4 times") == "no units here, 3 or 4 times"


def bundled_units() -> set[str]:
    """Every unit and unit alias the bundled packs declare (measures.yaml, vocabulary.yaml)."""
    import yaml

    from .conftest import ROOT

    names: set[str] = set()
    for path in [*(ROOT / "rules").glob("*/measures.yaml"), *(ROOT / "rules").glob("*/vocabulary.yaml")]:
        for q in (yaml.safe_load(path.read_text(encoding="utf-8")).get("quantities") or {}).values():
            names |= set(map(str, q.get("units", {}))) | set(map(str, q.get("aliases", {})))
    return names


def code_texts(path: Path) -> list[tuple[int, str]]:
    """The string literals of a module that are not docstrings (what the code compares and prints)."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


def test_the_engine_s_code_names_no_unit_of_any_pack():
    """No unit is written into `audit/`: not in the code's strings, not in the rule grammar. Not looked
    for: `%` (every system's hundredth), and the units that are also words the engine uses in its
    own sense: `count` (the grammar's and SQL's function), `items` (a rule's checked items) and
    `points` (an SVG polyline's)."""
    from .conftest import ROOT

    units = bundled_units() - {"%", "count", "items", "points"}
    assert {"m2", "ha", "km2", "mi2"} <= units
    pattern = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(map(re.escape, units), key=len, reverse=True))
                         + r")(?![A-Za-z0-9_])")
    hits = []
    for path in sorted((ROOT / "audit").rglob("*.py")):
        for line, text in code_texts(path):
            hits += [f"{path.relative_to(ROOT)}:{line}: {m.group(0)} in {text[:60]!r}" for m in pattern.finditer(text)]
    grammar = ROOT / "audit" / "expr" / "grammar.lark"
    for n, line in enumerate(grammar.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("//", 1)[0]
        hits += [f"{grammar.relative_to(ROOT)}:{n}: {m.group(0)}" for m in pattern.finditer(code)]
    assert not hits, "\n".join(hits)
