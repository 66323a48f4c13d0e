"""The report's charts of datasets in the figure layout (`audit.report.figures`): drawn from the
figures (measures, members, periods), with the chart classes of the table layout.

On the bundled `datasets/figures/azerbaijan-2019`: a series for each measure printed for several
periods, the periods a finding names marked and linked, the total of the additivity finding
beside its parts, the balance finding's stock over time; each SVG with role="img", a title, a
description, axis labels and units; the Markdown gives each chart as its table. Hostile names
from a dataset reach the charts escaped.
"""
from __future__ import annotations

import csv
import io
import re
import shutil

import pytest
import yaml

from audit.cli import audit_paths, expand_paths
from audit.escape import html_text
from audit.report import write_reports
from audit.report.charts import SEVERITY_COLOURS
from audit.report.markdown import md
from audit.report.model import finding_anchors

from .conftest import REGEN, ROOT, audit_cli
from .test_report import ARTIFACTS, assert_not_blank, browser, render  # noqa: F401  (browser: a fixture)

DATASET = ROOT / "datasets" / "figures" / "azerbaijan-2019"
LAND = "series-area_released-result-mined-method-cleared"
HAZARD = "series-hazardous_area-device-anti-personnel"


def report(path, out):
    datasets: dict = {}
    runs = audit_paths([str(path)], None, keep_datasets=datasets)
    write_reports(runs, datasets, out)
    run = runs[0]
    return run, finding_anchors(run), (out / f"{run.dataset}.html").read_text(), (out / f"{run.dataset}.md").read_text()


def svgs(page: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in re.finditer(r'<svg [^>]*id="([^"]+)-svg".*?</svg>', page, re.S)}


def anchor_of(run, anchors, rule: str, text: str) -> str:
    return next(anchors[id(f)] for f in run.findings if f.rule == rule and text in f.message)


@pytest.fixture(scope="module")
def azerbaijan(tmp_path_factory):
    return report(DATASET.relative_to(ROOT), tmp_path_factory.mktemp("figure-report"))


def test_every_chart_has_a_role_a_title_a_description_and_axes(azerbaijan):
    _run, _anchors, page, _text = azerbaijan
    charts = svgs(page)
    assert {LAND, HAZARD} <= set(charts) and len(charts) >= 4
    for chart_id, svg in charts.items():
        head = svg[:svg.index(">")]
        assert 'role="img"' in head and f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in head
        assert re.search(rf'<title id="{chart_id}-title">[^<]+</title>', svg)
        assert re.search(rf'<desc id="{chart_id}-desc">[^<]+</desc>', svg)
    assert "No figure charts" not in page and 'id="no-charts"' not in page


def test_a_multi_period_measure_is_a_series_over_its_periods(azerbaijan):
    run, anchors, page, _text = azerbaijan
    land, hazard = svgs(page)[LAND], svgs(page)[HAZARD]
    # land released: years 2014-2018 of Table 4, with Table 3 and the text beside it (a line each)
    assert ">land released (km²)</text>" in land and ">Year</text>" in land
    assert all(f">{year}</text>" in land for year in range(2014, 2019))
    assert "Table 4 (clearance_summary)" in land and "the text" in land
    # the stock estimated at two instants (the text), as bars over its periods
    assert ">hazardous area (km²)</text>" in hazard and ">Period</text>" in hazard
    assert ">end 2015</text>" in hazard and ">end 2018</text>" in hazard and ">more than 1.6</text>" in hazard
    # the trend finding marks its later year, in its severity's colour, linked to the finding
    fell = anchor_of(run, anchors, "clearance-year-on-year", "in 2014 to 1.49")
    dot = re.search(rf'<a href="#{fell}"><circle [^>]*fill="([^"]+)"', land)
    assert dot and dot.group(1) == SEVERITY_COLOURS["warning"]
    assert "1.49 km² (flagged by clearance-year-on-year: -69% from 2014)" in land
    # the balance finding marks the stock it starts from
    balance = anchor_of(run, anchors, "stock-and-flow", "went from 69.90")
    assert f'<a href="#{balance}"><rect ' in hazard
    assert f'id="{fell}"' in page and f'id="{balance}"' in page
    # a finding marked on a series links back to it
    article = page[page.index(f'id="{fell}"'):]
    assert f'Marked on the chart <a href="#{LAND}">' in article[:article.index("</article>")]


def finding_html(page: str, anchor: str) -> str:
    article = page[page.index(f'<article class="finding error" id="{anchor}"'):]
    return article[:article.index("</article>")]


def test_an_additivity_finding_draws_its_total_beside_its_parts(azerbaijan):
    run, anchors, page, _text = azerbaijan
    anchor = anchor_of(run, anchors, "totals-add-up", "is printed as 17")
    svg = svgs(finding_html(page, anchor))[f"chart-{anchor}"]
    assert "Printed total" in svg and "Sum of its 2 parts" in svg
    assert ">17</text>" in svg and ">16</text>" in svg and "difference 1 (tolerance 0)" in svg
    assert ">number of hazardous areas</text>" in svg  # the axis: a count, its measure's name
    assert "part anti-personnel: 6" in svg and "part anti-vehicle: 10" in svg
    assert "its 2 parts add up to 16 (anti-personnel 6 + anti-vehicle 10)" in svg


def test_a_balance_finding_draws_the_stock_over_time(azerbaijan):
    run, anchors, page, _text = azerbaijan
    anchor = anchor_of(run, anchors, "stock-and-flow", "went from 69.90")
    svg = svgs(finding_html(page, anchor))[f"chart-{anchor}"]
    assert ">Estimate (km²)</text>" in svg and ">Flows (km²)</text>" in svg and ">Year</text>" in svg
    assert all(f">{year}</text>" in svg for year in range(2015, 2019))
    assert "69.9 km² in 2015" in svg and "flows imply 61.12 km²" in svg and "printed 1.65 km²" in svg


def test_other_kinds_get_no_chart_of_their_own(azerbaijan):
    run, anchors, page, _text = azerbaijan
    kinds = {r.rule: r.kind for r in run.rules}
    for f in run.findings:
        if kinds[f.rule] not in ("additivity", "balance"):
            assert f'id="chart-{anchors[id(f)]}"' not in page


def test_the_markdown_gives_each_chart_as_its_table(azerbaijan):
    run, anchors, _page, text = azerbaijan
    assert "## Series over time" in text
    land = text[text.index("### land released (result mined, method cleared)"):]
    assert "land released (km²) by year, from Table 3 (clearance\\_by\\_region) and Table 4" in land
    for row in ("| source | year | land released (km²) | flagged |",
                "| Table 4 (clearance\\_summary) | 2014 | 4.80 |  |",
                "| Table 4 (clearance\\_summary) | 2015 | 1.49 | clearance-year-on-year (-69% from 2014) |",
                "| the text | 2018 | 0.353258 |  |"):
        assert row in land, row
    hazard = text[text.index("### hazardous area (device anti-personnel)"):]
    assert "| period | hazardous area (km²) | flagged |" in hazard and "| end 2018 | more than 1.6 |  |" in hazard
    assert ("Chart: Table 1 (contamination\\_by\\_type): printed total of number of hazardous areas (status "
            "confirmed, end 2018) against its parts.") in text
    for row in ("| printed total (row Totals) | 17 |", "| part anti-personnel | 6 |", "| part anti-vehicle | 10 |",
                "| sum of the 2 parts | 16 |", "| difference | 1 |"):
        assert row in text, row
    assert "| year | printed estimate (km²) | implied by the flows (km²) | released (km²) | added (km²) |" in text
    assert "draws the charts." in text


HOSTILE = 'Kho<script>alert(1)</script>"q|x\nnext'
TABLE = 'T4 <script>alert(2)</script>" onload="x|y'


def test_hostile_names_reach_the_charts_escaped(tmp_path):
    """A place name and a table's name with markup, quotes, a `|` and a newline: drawn in the
    charts (a part of a total, a source of a series) as text, never as markup or a table's cell."""
    ds = tmp_path / "azerbaijan-2019"
    shutil.copytree(DATASET, ds)
    table2 = ds / "table2-ap-mined-area-by-region.csv"
    rows = list(csv.reader(io.StringIO(table2.read_text(encoding="utf-8"))))
    rows = [[HOSTILE if c == "Khojavend" else c for c in r] for r in rows]
    rows[-1][1] = "7"  # the total of CHAs by region, now one more than its parts
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    table2.write_text(buf.getvalue(), encoding="utf-8")
    meta = yaml.safe_load((ds / "datapackage.yaml").read_text(encoding="utf-8"))
    summary = next(r for r in meta["resources"] if r["name"] == "clearance_summary")
    summary["provenance"]["table"] = TABLE
    (ds / "datapackage.yaml").write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8")
    run, anchors, page, text = report(ds, tmp_path / "out")
    total = anchor_of(run, anchors, "totals-add-up", "is printed as 7")
    charts = svgs(page)
    member = " ".join(HOSTILE.split())  # a member's name is read with its runs of spaces as one
    assert html_text(member) in charts[f"chart-{total}"]  # a part of the total: the place
    assert html_text(TABLE) in charts[LAND]  # a source of the series: the table
    for raw in ("<script", "alert(1)</script>", '" onload="', '"q|x'):
        assert raw not in page
    assert "<" not in text and ">" not in text  # every angle bracket an entity: no tag can open
    assert f"| part {md(member)} | 1 |" in text  # the charts' tables: the total's parts, the series' sources
    assert f"| {md(TABLE)} (clearance\\_summary) | 2014 | 4.80 |  |" in text
    assert HOSTILE not in text and "q|x" not in text and "x|y" not in text
    for block in re.findall(r"(?:^\|.*\|$\n)+", text, re.M):  # every table keeps its columns
        lines = block.splitlines()
        cells = {len(re.findall(r"(?<!\\)\|", line)) for line in lines}
        assert len(cells) == 1, lines


@pytest.mark.parametrize("source,kept_in", [("datasets/figures", "reports/figures"), ("datasets/corpus", "reports/corpus")])
def test_committed_figure_reports_are_up_to_date(tmp_path, source, kept_in):
    """`audit report datasets/figures --out reports/figures` (and the corpus, a folder of collections,
    into reports/corpus: the cross-country page ranks collections and editions and lists, per
    collection, the findings that relate two of its editions) gives exactly the pages kept there
    (AUDIT_REGEN=1 rewrites them; the JSON and text reports beside reports/figures are
    test_bundled_datasets')."""
    out = tmp_path / "out"
    proc = audit_cli("report", source, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    datasets = expand_paths([str(ROOT / source)])
    assert len(names) == 2 + 2 * len(datasets) and {"index.html", "index.md"} <= set(names)
    kept = ROOT / kept_in
    if REGEN:
        kept.mkdir(exist_ok=True)
        for name in names:
            shutil.copyfile(out / name, kept / name)
        return
    stale = sorted(p.name for p in kept.iterdir() if p.suffix in (".html", ".md") and p.name not in names)
    assert not stale, f"{kept_in} keeps pages of no dataset: {stale}; rerun with AUDIT_REGEN=1"
    for name in names:
        assert (kept / name).is_file(), f"{kept_in}/{name} is missing; rerun with AUDIT_REGEN=1"
        assert (out / name).read_bytes() == (kept / name).read_bytes(), \
            f"{kept_in}/{name} differs; rerun with AUDIT_REGEN=1 to update (and review the diff)"


def test_the_figure_layout_page_renders_in_chromium(browser):
    """The committed page of datasets/figures/azerbaijan-2019, in real headless Chromium: its four
    charts render with no error, no request leaving the file, no script and no overflow."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report-figures-azerbaijan-2019.png"
    facts = render(browser, ROOT / "reports" / "figures" / "azerbaijan-2019.html", shot)
    assert facts["errors"] == [] and facts["outside"] == []
    assert facts["svgs"] == 4 and facts["scripts"] == 0 and facts["handlers"] == 0
    assert facts["overflow"] <= 0
    assert_not_blank(shot, 1280, 3000)
