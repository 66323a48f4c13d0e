"""`audit explain` on datasets in the figure layout: the kinds over figures state each item as
linear bounds (audit/figures/linear.py), and the same program as for tables finds the figures
most likely wrong. Through the real entry point, on the bundled datasets and copies of them."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from audit.explain import explain_dataset
from audit.explain.over_figures import explain_figures
from audit.figures.pack import load_figure_pack

from .conftest import ROOT, audit_cli
from .test_figures_golden import pack_of

FIGURES = ROOT / "datasets" / "figures"
CASES = Path(__file__).parent / "cases" / "figures"


def changes(correction) -> list[tuple[str, str]]:
    return sorted((c.figure.printed(), c.figure.printed(c.new)) for c in correction.changes)


def claims_of(correction) -> set[str]:
    return {c.figure.claim for c in correction.changes if c.figure.claim}


def findings(folder) -> dict[str, str]:
    out = audit_cli("check", str(folder), "--format", "json", "--fail-on", "never")
    assert out.returncode == 0, out.stderr
    return {f["fingerprint"]: f["rule"] for f in json.loads(out.stdout)["findings"]}


def validate_groups(doc: dict) -> None:
    """Each group of `audit explain --format json` is an explanation as the run's schema declares it."""
    import jsonschema

    schema = json.loads((ROOT / "audit" / "schema" / "run.schema.json").read_text())
    for group in doc["groups"]:
        jsonschema.validate(group, {"$defs": schema["$defs"], "$ref": "#/$defs/explanation"})


def test_azerbaijan_figures_get_the_corrections_of_the_table_layout():
    out = audit_cli("explain", "datasets/figures/azerbaijan-2019", "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    validate_groups(doc)
    by_rule = {r: g for g in doc["groups"] for r in g["rules"]}
    counts = by_rule["totals-add-up"]
    assert set(counts["rules"]) == {"totals-add-up", "figures-agree"}
    [best] = counts["best"]
    got = sorted((c["location"]["file"].rsplit("/", 1)[-1], c["location"]["row"], c["printed"], c["corrected"])
                 for c in best["changes"])
    assert got == [("claims.yaml", 55, "14", "13"), ("table1-mined-area-by-type.csv", 3, "10", "11")]
    assert ("17", "16") in [(c["printed"], c["corrected"]) for c in counts["next_best"]["changes"]]

    # the same discrepancies in the table layout: the same figures, the same values
    table = explain_dataset(ROOT / "datasets" / "azerbaijan-2019")
    chas = next(g for g in table.groups if "printed-totals" in g.rules)
    assert changes(chas.best[0]) == sorted((c["printed"], c["corrected"]) for c in best["changes"])

    # stock and flow: the 2015 estimate came down, or the land released by survey is missing
    ex, _run = explain_figures(FIGURES / "azerbaijan-2019")
    stock = next(g for g in ex.groups if "stock-and-flow" in g.rules)
    table_stock = next(g for g in table.groups if "ap-estimate-stock-and-flow" in g.rules)
    assert {c.weight for c in stock.best} == {1.0}
    assert sorted(map(sorted, map(claims_of, stock.best))) == sorted(map(sorted, map(claims_of, table_stock.best)))
    [assessment] = [c for c in stock.best if claims_of(c) == {"ap-mined-area-2015-assessment"}]
    assert assessment.changes[0].high < 69.9e6
    assert {x.rule for x in ex.left_out} == {"counts-and-areas"}
    assert "a choice between alternatives" in ex.left_out[0].reason


def test_one_altered_figure_is_proposed_back(tmp_path):
    folder = tmp_path / "tajikistan"
    shutil.copytree(FIGURES / "tajikistan-2014", folder)
    table = folder / "contamination-by-province-2014.csv"
    text = table.read_text()
    assert ",146*," in text
    table.write_text(text.replace(",146*,", ",150*,"))
    out = audit_cli("explain", str(folder))
    assert out.returncode == 0, out.stderr
    assert "Most likely wrong (weight 1, the only set of this weight):" in out.stdout
    assert "row Khatlon (Tajik-Afghan border), sha_count: 150 -> 146 (no other value works)" in out.stdout

    fixed = tmp_path / "fixed"
    out = audit_cli("explain", str(folder), "--write-corrected", str(fixed))
    assert out.returncode == 0, out.stderr
    # the corrected copy is the original again, footnote marker included; the altered copy is untouched
    original = (FIGURES / "tajikistan-2014" / "contamination-by-province-2014.csv").read_bytes()
    assert (fixed / table.name).read_bytes() == original
    assert ",150*," in table.read_text()
    assert findings(fixed) == findings(FIGURES / "tajikistan-2014")


@pytest.mark.parametrize("name", ["croatia-2014", "serbia-2014", "tajikistan-2014"])
def test_a_dataset_that_passes_has_nothing_to_explain(name):
    out = audit_cli("explain", f"datasets/figures/{name}", "--severity", "info")
    assert out.returncode == 0, out.stderr
    assert "No rule of these severities failed: nothing to explain." in out.stdout
    doc = json.loads(audit_cli("explain", f"datasets/figures/{name}", "--format", "json").stdout)
    assert doc["groups"] == [] and doc["left_out"] == []


@pytest.mark.parametrize("name", ["azerbaijan-2019", "liechtenstein-2017"])
def test_corrected_copy_audited_again_has_fewer_findings_and_no_new_one(tmp_path, name):
    ex, _run = explain_figures(FIGURES / name)
    explained = {r for g in ex.groups for r in g.rules}
    fixed = tmp_path / "fixed"
    out = audit_cli("explain", f"datasets/figures/{name}", "--write-corrected", str(fixed))
    assert out.returncode == 0, out.stderr
    before, after = findings(FIGURES / name), findings(fixed)
    assert set(after) < set(before), f"new findings: {set(after) - set(before)}"
    assert not set(after.values()) & explained, "an explained rule still fails"
    assert not (FIGURES / name / "fixed").exists()


def test_a_corrected_copy_keeps_the_delimiter_and_the_quoting(tmp_path):
    folder = tmp_path / "semicolons"
    shutil.copytree(FIGURES / "tajikistan-2014", folder)
    table = folder / "contamination-by-province-2014.csv"
    lines = table.read_text().splitlines()
    lines = [line.replace(",", ";") for line in lines]
    lines[3] = lines[3].replace("Central region;2;", '"Central; region";5;')  # a label that needs quoting
    table.write_text("\n".join(lines) + "\n")
    descriptor = folder / "datapackage.yaml"
    text = descriptor.read_text()
    anchor = "    path: contamination-by-province-2014.csv\n"
    assert anchor in text
    descriptor.write_text(text.replace(anchor, anchor + "    dialect: {delimiter: ';'}\n"))
    out = audit_cli("explain", str(folder), "--write-corrected", str(tmp_path / "fixed"))
    assert out.returncode == 0, out.stderr
    assert "cha_count: 5 -> 2" in out.stdout
    written = (tmp_path / "fixed" / table.name).read_text().splitlines()
    assert written[3] == '"Central; region";2;' + lines[3].split('";5;', 1)[1]
    assert written[:3] + written[4:] == lines[:3] + lines[4:]


def test_printed_text_is_escaped_in_the_text_output(tmp_path):
    folder = tmp_path / "hostile"
    shutil.copytree(FIGURES / "tajikistan-2014", folder)
    table = folder / "contamination-by-province-2014.csv"
    table.write_text(table.read_text().replace("Central region,2,", "Central\x1b[31m region,5,"))
    out = audit_cli("explain", str(folder))
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and "cha_count: 5 -> 2" in out.stdout


def test_check_explain_attaches_explanations_to_figure_findings():
    import jsonschema

    out = audit_cli("check", "datasets/figures/azerbaijan-2019", "--explain", "--format", "json")
    assert out.returncode == 1, out.stderr
    assert "not yet available" not in out.stderr
    doc = json.loads(out.stdout)
    jsonschema.validate(doc, json.loads((ROOT / "audit" / "schema" / "run.schema.json").read_text()))
    explained = {f["rule"] for f in doc["findings"] if "explanation" in f}
    assert explained == {"totals-add-up", "figures-agree", "stock-and-flow"}
    total = next(f for f in doc["findings"] if f["rule"] == "totals-add-up")
    assert sorted(c["corrected"] for c in total["explanation"]["best"][0]["changes"]) == ["11", "13"]
    assert not any("explanation" in f for f in doc["findings"] if f["rule"] == "counts-and-areas")


def test_explain_runs_on_a_folder_of_both_layouts():
    out = audit_cli("explain", "datasets/azerbaijan-2019", "datasets/figures/liechtenstein-2017", "--format", "json")
    assert out.returncode == 0, out.stderr
    docs = json.loads(out.stdout)
    assert [d["dataset"] for d in docs] == ["azerbaijan-2019", "liechtenstein-2017"]
    assert all(d["groups"] for d in docs)


def _single_datasets():
    yield from ((p, None) for p in sorted(FIGURES.iterdir()) if p.is_dir())
    for case in sorted(CASES.iterdir()):
        for variant in sorted(case.iterdir()) if case.name != "pack" else ():
            if (variant / "datapackage.yaml").exists():
                yield variant, pack_of(case)


@pytest.mark.parametrize("folder,pack", list(_single_datasets()), ids=lambda x: getattr(x, "name", ""))
def test_the_linear_form_of_every_item_reproduces_its_kind(folder, pack):
    """An oracle: each item's bounds, read as the program's rows at the printed figures, hold
    exactly when the kind says the item holds."""
    ex, run = explain_figures(folder, pack=load_figure_pack(pack) if pack else None, severities=("error", "warning",
                                                                                                   "info"))
    assert not [s for s in ex.skipped if "does not reproduce" in s.reason]
    failed = {r.rule for r in run.rules if r.status == "failed"}
    assert failed <= {r for g in ex.groups for r in g.rules} | {x.rule for x in ex.left_out}


def test_a_trend_step_and_a_ratio_bound_are_explained_with_the_range_that_works(tmp_path):
    from .test_figure_kinds import RATIO, TREND, clearance_dataset, series_dataset, write_pack

    (tmp_path / "t").mkdir()
    (tmp_path / "r").mkdir()
    trend_pack = write_pack(tmp_path / "t", TREND)
    series = series_dataset(tmp_path / "t", "utopia", [(2016, "1.00"), (2017, "1.10"), (2018, "9.00"),
                                                        (2019, "1.30")])
    out = audit_cli("explain", str(series), "--rules", str(trend_pack), "--severity", "warning")
    assert out.returncode == 0, out.stderr
    # 9.00 is both a jump from 1.10 and a fall to 1.30: only 2018 resolves both, at most +50% from
    # 1.10 and at most -50% to 1.30, within printed precision (1.105 x 1.5, 1.295 / 1.5)
    assert "Most likely wrong (weight 1, the only set of this weight):" in out.stdout
    assert "row 2018, cleared: 9.00 km2 -> 1.66 km2 (any value from 0.86 km2 to 1.66 km2)" in out.stdout

    ratio_pack = write_pack(tmp_path / "r", RATIO)
    table = clearance_dataset(tmp_path / "r", [("East", 120000, 1, 1, 0), ("West", 40000, 3, 5, 2)])
    out = audit_cli("explain", str(table), "--rules", str(ratio_pack), "--severity", "info", "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    validate_groups(doc)
    [group] = doc["groups"]
    assert group["rules"] == ["per-device"]
    best = sorted((c["location"]["column"], c["printed"], c["corrected"]) for b in group["best"] for c in b["changes"])
    # 120,000 m2 for 2 mines is over 5 ha a mine: 100,000 m2 at most, or 3 mines of either status
    assert best == [("area", "120,000 m2", "100,000 m2"), ("mines_confirmed", "1", "2"), ("mines_suspected", "1", "2")]


def test_a_pack_of_tables_for_a_dataset_of_figures_exits_2_with_a_hint():
    out = audit_cli("explain", "datasets/figures/azerbaijan-2019", "--rules", "rules/mine-action")
    assert out.returncode == 2 and out.stdout == ""
    assert "has no vocabulary.yaml" in out.stderr and "Traceback" not in out.stderr


def test_severity_widens_what_is_explained_as_for_the_table_layout():
    def rules(*extra):
        out = audit_cli("explain", "datasets/figures/azerbaijan-2019", "--format", "json", *extra)
        assert out.returncode == 0, out.stderr
        doc = json.loads(out.stdout)
        return {r for g in doc["groups"] for r in g["rules"]}, {x["rule"] for x in doc["left_out"]}

    errors, left = rules()
    assert "clearance-year-on-year" not in errors and "cleared-area-still-recorded" not in left
    warnings, left = rules("--severity", "warning")
    assert "clearance-year-on-year" in warnings  # a warning, with stock-and-flow (as tables: no correction)
    everything, left = rules("--severity", "info")
    assert {"cleared-nothing-found", "cleared-area-still-recorded", "counts-and-areas"} <= left


def test_editions_are_explained_together_as_check_audits_them():
    # MZ2's 1,053 SHAs of 2006-2013 against its own 542 since 2007 and MZ1's 541 of 2006-2007: the
    # finding reads two editions, and so does its explanation; either edition's figure may be wrong
    corpus = ROOT / "datasets" / "corpus" / "mozambique"
    out = audit_cli("explain", str(corpus), "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = {e["dataset"]: e for e in json.loads(out.stdout)}
    [group] = [g for g in doc["mozambique-mz2-lm-2013"]["groups"] if g["rules"] == ["totals-add-up"]]
    validate_groups({"groups": [group]})
    got = sorted((Path(c["location"]["file"]).parent.name, c["location"]["row"], c["printed"], c["corrected"])
                 for best in group["best"] for c in best["changes"])
    assert got == [("mz1-lm-2012", 20, "541", "511"), ("mz2-lm-2013", 14, "542", "512"),
                   ("mz2-lm-2013", 37, "1,053", "1,083")]
    # alone, MZ2 prints nothing the rule can fault: there is nothing of it to explain
    alone = json.loads(audit_cli("explain", str(corpus / "mz2-lm-2013"), "--format", "json").stdout)
    assert not [g for g in alone["groups"] if "totals-add-up" in g["rules"]]
    # `check --explain` attaches the same explanation to the finding
    checked = json.loads(audit_cli("check", str(corpus), "--explain", "--format", "json", "--fail-on", "never").stdout)
    [run] = [r for r in checked["runs"] if r["dataset"]["name"] == "mozambique-mz2-lm-2013"]
    [finding] = [f for f in run["findings"] if f["rule"] == "totals-add-up"]
    assert "2006-2013" in finding["message"] and finding["explanation"]["rules"] == ["totals-add-up"]


def test_a_correction_of_another_edition_is_weighed_against_what_holds_there(tmp_path):
    # edition 2015 prints its stock as two parts (6.0 + 4.0, which the balance reads) and their
    # total (10.0): a total that adds up; edition 2016 prints 12.0 after 1.0 released, which no
    # balance allows. Raising a part of 2015 alone would break its total there (explained one
    # edition at a time, the model proposed it), so the one correction is 2016's own figure
    from .test_figure_kinds import PARTIAL, claim, partial_pack, text_dataset

    rules = PARTIAL + "- id: totals\n  title: totals\n  kind: additivity\n  text_breakdowns: true\n" \
                      "  message: \"{source}: {whole} is {observed}, its parts {expected}\"\n"
    pack = partial_pack(tmp_path, rules)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text_dataset(corpus, "utopia-2015", [claim("stock", "stock_area", "10.0", "end 2015"),
                                         claim("confirmed", "stock_area", "6.0", "end 2015", status="confirmed"),
                                         claim("suspected", "stock_area", "4.0", "end 2015", status="suspected")],
                 published="2016-06-01")
    text_dataset(corpus, "utopia-2016", [claim("stock", "stock_area", "12.0", "end 2016"),
                                         claim("released", "released", "1.0", 2016)], published="2017-06-01")
    out = audit_cli("explain", str(corpus), "--rules", str(pack), "--format", "json")
    assert out.returncode == 0, out.stderr
    doc = {e["dataset"]: e for e in json.loads(out.stdout)}
    assert not doc["utopia-2015"]["groups"]
    [group] = doc["utopia-2016"]["groups"]
    validate_groups({"groups": [group]})
    single = sorted((Path(c["location"]["file"]).parent.name, c["printed"]) for best in group["best"]
                    for c in best["changes"])
    assert single == [("utopia-2016", "12.0 km2")], single
    assert group["constraints"] >= 2  # the failing balance and the total of 2015 that holds
    assert group["next_best"] is None  # 2015's parts with its total: a figure no failing item reads
