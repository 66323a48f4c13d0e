"""`audit.report.write_reports`: Markdown and self-contained HTML reports of the bundled datasets.

Content is checked against the runs themselves (every finding's message, values and places), the
output is deterministic, text from a dataset is escaped, and the HTML is opened in real headless
Chromium through the DevTools protocol: it must render with no console error, no request leaving
the file, and a screenshot (kept in tests/.artifacts/) that is not blank.
"""
from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from audit.cli import expand_paths
from audit.dataset import load_dataset
from audit.pack import find_pack, load_pack
from audit.display import number, tolerance, units_in
from audit.report import file_stems, write_reports
from audit.report.markdown import md
from audit.runner import audit_dataset

from .conftest import REGEN, ROOT, audit_cli

ARTIFACTS = ROOT / "tests" / ".artifacts"
CHROMIUM = "/usr/bin/chromium"
MARKUP = '<script>alert(1)</script>"onload="x'
DATASET_NAMES = sorted(p.name for p in expand_paths([str(ROOT / "datasets")]))


def audit_all(paths: list[str]):
    runs, datasets, packs = [], {}, {}
    for path in expand_paths(paths):
        ds = load_dataset(path)
        folder = find_pack(ds.profile, str(ROOT / "rules")).resolve()
        if folder not in packs:
            packs[folder] = load_pack(folder)
        runs.append(audit_dataset(path, pack=packs[folder], dataset=ds))
        datasets[ds.name] = ds
    return runs, datasets


@pytest.fixture(scope="module")
def bundled():
    return audit_all([str(ROOT / "datasets")])


@pytest.fixture(scope="module")
def site(bundled, tmp_path_factory):
    runs, datasets = bundled
    out = tmp_path_factory.mktemp("report")
    written = write_reports(runs, datasets, out)
    return out, written


@pytest.fixture(scope="module")
def azerbaijan(bundled):
    runs, _ = bundled
    return next(r for r in runs if r.dataset == "azerbaijan-2019")


def article(page: str, anchor: str) -> str:
    """The HTML of one finding's <article>."""
    start = page.index(f'id="{anchor}"')
    return page[start:page.index("</article>", start)]


# -- layout and content ---------------------------------------------------------------------------

def test_layout_is_an_index_and_a_page_per_dataset(site, bundled):
    out, written = site
    names = [r.dataset for r in bundled[0]]
    assert names == sorted(names) and "azerbaijan-2019" in names
    expected = [out / "index.html", out / "index.md"]
    for name in names:
        expected += [out / f"{name}.html", out / f"{name}.md"]
    assert written == expected
    assert all(p.is_file() and p.stat().st_size > 500 for p in written)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in expected)


def test_azerbaijan_html_shows_every_finding_with_values_and_places(site, azerbaijan):
    out, _ = site
    page = (out / "azerbaijan-2019.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    findings = azerbaijan.findings
    assert len(findings) == 13
    for f in findings:
        assert f.fingerprint
        body = article(page, f"f-{f.fingerprint}")
        assert html.escape(units_in(f.message)) in body
        assert f'href="#rule-{f.rule}"' in body
        # observed, expected, difference and tolerance, as the text report prints them
        for label in ("Reported (observed)", "Difference", "Tolerance applied"):
            assert label in body
        for v in (f.observed, f.expected, f.difference):
            assert number(v, f.decimals) in body, (f.rule, v)
        assert tolerance(f.tolerance, f.decimals) in body
        # every place, with its value as printed and its file and line
        for loc in f.locations:
            assert html.escape(units_in(loc.label)) in body
            assert html.escape(f"{loc.file}:{loc.row}") in body
            if loc.value:
                assert html.escape(units_in(loc.value)) in body
            if loc.claim:
                assert html.escape(loc.provenance) in body  # the quote from the text
        if f.hint:
            assert html.escape(f.hint) in body
    # the printed total 17 against the 16 of its rows, with the chart of the two
    [total] = [f for f in findings if f.rule == "printed-totals"]
    body = article(page, f"f-{total.fingerprint}")
    assert "printed total of CHAs is 17, but its 2 rows add up to 16" in body
    assert "the printed total (row Totals) is 17; its 2 rows add up to 16 (Anti-personnel mines 6 + Anti-vehicle mines 10)" in body
    assert ">Printed total</text>" in body and ">Sum of its 2 rows</text>" in body
    # the claim's quote and locator
    quote = "At the end of 2018, Azerbaijan reported 33 mined areas in regions under its control totalling 4.1km2 (see Table 1)."
    assert html.escape(quote) in page
    assert html.escape("Understanding of AP mine contamination: reported 33 mined areas") in page
    # the summary: rules run, passed, failed, undecided, not applicable; findings by severity
    s = azerbaijan.status_counts()
    assert f"{len(azerbaijan.rules)} rules run on this dataset: {s['failed']} failed, {s['passed']} passed, " \
           f"{s['undecided']} undecided, {s['not_applicable']} not applicable" in page
    assert "13 findings: 8 errors, 5 warnings, 0 info." in page
    for n, label in ((len(azerbaijan.rules), "rules run"), (s["passed"], "passed"), (s["failed"], "failed"),
                     (s["undecided"], "undecided"), (s["not_applicable"], "not applicable"), (8, "errors"), (5, "warnings"), (0, "info")):
        assert f'<span class="n">{n}</span><span class="l">{label}</span>' in page
    # every rule, with its status
    for r in azerbaijan.rules:
        assert f'id="rule-{r.rule}"' in page


def _num(v):
    from audit.report.model import fmt_num

    return fmt_num(v)


def test_azerbaijan_markdown_has_the_same_findings(site, azerbaijan):
    out, _ = site
    text = (out / "azerbaijan-2019.md").read_text(encoding="utf-8")
    findings = azerbaijan.findings
    assert len(re.findall(r"^#### \d+\. ", text, re.M)) == len(findings)
    assert "## Findings (13)" in text and "### Errors (8)" in text and "### Warnings (5)" in text
    for f in findings:
        assert f"**{md(units_in(f.message))}**" in text
        for loc in f.locations:
            assert md(units_in(loc.label)) in text
            assert f"`{loc.file}:{loc.row}`" in text
    assert md("At the end of 2018, Azerbaijan reported 33 mined areas in regions under its control totalling 4.1km2") in text
    assert "| printed total (row Totals) | 17 |" in text and "| sum of the 2 rows | 16 |" in text
    # the same order as the HTML page
    page = (out / "azerbaijan-2019.html").read_text(encoding="utf-8")
    html_order = re.findall(r'<article class="finding \w+" id="f-(\w+)"', page)
    md_messages = re.findall(r"^\*\*(.*)\*\*$", text, re.M)
    by_fp = {f.fingerprint: f for f in findings}
    assert md_messages == [md(units_in(by_fp[fp].message)) for fp in html_order]


def test_index_ranks_azerbaijan_first_and_links_every_dataset(site, bundled):
    out, _ = site
    runs = bundled[0]
    index = (out / "index.html").read_text(encoding="utf-8")
    ranking = index[index.index('id="ranking"'):index.index('id="matrix"')]
    ranked = re.findall(r'<tr><td class="num">\d+</td><td><a href="([^"]+)\.html">', ranking)
    assert ranked[0] == "azerbaijan-2019" and sorted(ranked) == sorted(r.dataset for r in runs)
    for r in runs:
        assert f'href="{r.dataset}.html"' in index
    # the matrix: a cell per rule and dataset, linking to the rule on the dataset's page
    matrix = index[index.index('id="matrix"'):index.index('id="rules"')]
    assert 'href="azerbaijan-2019.html#rule-printed-totals">1</a>' in matrix
    assert 'href="azerbaijan-2019.html#rule-clearance-year-on-year">3</a>' in matrix
    assert 'href="croatia-2014.html#rule-printed-totals">\u2713</a>' in matrix
    # the rules that fire most often
    firing = index[index.index('id="rules"'):]
    # the year-on-year rule fired 3 times in one dataset: first; ties by findings, then severity, then id
    assert '<tr><td class="num">1</td><td><code>clearance-year-on-year</code>' in firing
    assert firing.index("<code>ap-estimate-stock-and-flow</code>") < firing.index("<code>printed-totals</code>") \
        < firing.index("<code>cleared-nothing-found</code>")
    for rule in {f.rule for r in runs for f in r.findings}:
        assert f"<code>{rule}</code>" in firing
    text = (out / "index.md").read_text(encoding="utf-8")
    first = re.search(r"^\| 1 \| \[([^\]]+)\]\(([^)]+)\) \|", text, re.M)
    assert first and first.group(2) == "azerbaijan-2019.md"
    assert "## Findings per dataset and rule" in text and "## Rules that fire most often" in text


def test_charts_series_total_and_stock_flow(site):
    out, _ = site
    page = (out / "azerbaijan-2019.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg .*?</svg>", page, re.S)
    assert len(svgs) == 3  # the five-year series, the failed total, the stock and flow
    for svg in svgs:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
        assert re.search(r'aria-labelledby="[^"]+-title [^"]+-desc"', svg)
    series = next(s for s in svgs if "series-clearance_summary-area_cleared" in s)
    assert ">Area cleared (km²)</text>" in series and ">Year</text>" in series
    # the years the change rule flagged are marked (the changed figure of each pair), the others not
    flagged = re.findall(r'<a href="#f-\w+"><rect [^>]*fill="#b9770e"[^>]*><title>(\d{4}):', series)
    assert sorted(flagged) == ["2015", "2017", "2018"]
    for note in ("-69% from 2014", "+382% from 2016", "-91% from 2017"):
        assert note in series
    assert "2014: 4.80 km²; 2015: 1.49 km² (flagged by clearance-year-on-year" in series
    stock = next(s for s in svgs if "Estimates 2015" in s)
    for text in ("69.9 km² in 2015", "flows imply 63.33 km²", "printed 1.65 km²", "gap -61.68 km²",
                 "Released and added each year", "Estimate (km²)", "Flows (km²)", "(tolerance \u00b1 7.06)"):
        assert text in stock
    # the released area per year: 1.49, 0.83, 4, 0.35 km², and the 98,887 m2 added
    for text in ("released in 2015: 1.49 km²", "released in 2017: 4 km²", "added in 2018: 0.1 km²"):
        assert text in stock
    # pages without a multi-year table or a failed total have no chart; the index has one
    assert "<svg" not in (out / "croatia-2014.html").read_text(encoding="utf-8")
    assert (out / "index.html").read_text(encoding="utf-8").count("<svg") == 1


def test_every_chart_is_well_formed_svg_with_a_title_and_a_description(site):
    from xml.etree import ElementTree as ET

    out, written = site
    ns = "{http://www.w3.org/2000/svg}"
    count = 0
    for path in written:
        if path.suffix != ".html":
            continue
        for svg in re.findall(r"<svg .*?</svg>", path.read_text(encoding="utf-8"), re.S):
            root = ET.fromstring(svg)
            count += 1
            assert root.get("role") == "img"
            title, desc = root.find(f"{ns}title"), root.find(f"{ns}desc")
            assert title is not None and title.text and desc is not None and len(desc.text) > 40
            assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert count == 4


def test_charts_of_unusual_data_render():
    """Series with a missing year, zeros, negative values and several rows a year; totals with a
    single row; the stock and flow without additions: each is well-formed and says what it shows."""
    from xml.etree import ElementTree as ET

    from audit.report.charts import (Bar, Estimate, Flag, SeriesChart, SeriesPoint, StockFlowChart, TotalChart,
                                     nice_ticks, render)

    assert nice_ticks(0, 0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0, 17) == [0, 5, 10, 15, 20]
    assert nice_ticks(-3, 4)[0] <= -3 and nice_ticks(-3, 4)[-1] >= 4
    charts = [
        SeriesChart("s1", "gaps <&>", "T", "c", "c (m2)", "m2",
                    [SeriesPoint(2010, 0.0, "0"), SeriesPoint(2012, None, ""), SeriesPoint(2013, -5.0, "-5")],
                    [Flag(2013, "", "error", "r", "-100% from 2010", "m <b>", "f-1")]),
        SeriesChart("s2", "groups", "T", "c", "c", "",
                    [SeriesPoint(y, float(v), str(v), group=g) for g in ("a", 'q"q') for y, v in
                     ((2000, 1), (2001, 3), (2002, 2))], [Flag(2001, "a", "warning", "r", "+200%", "m", "f-2")]),
        SeriesChart("s3", "zeros", "T", "c", "c", "", [SeriesPoint(2000, 0.0, "0"), SeriesPoint(2001, 0.0, "0")]),
        TotalChart("t1", "one row", "T", "c", "Total", "c", "", 5.0, "5", [Bar("only", 4.0, "4")], 4.0, 1.0, 0.0),
        TotalChart("t2", "negative", "T", "c", "Total", "c", "", -2.0, "-2", [Bar("a", -1.0, "-1"), Bar("b", 3.0, "3")],
                   2.0, -4.0, 0.0),
        StockFlowChart("sf", "no inflow", "ha", Estimate(2000, 100.0, "tables: T", "table"),
                       Estimate(2003, 10.0, "text: x", "text"), [], [(2000, 100.0), (2001, 90.0), (2002, 80.0),
                                                                     (2003, 70.0)],
                       {2000: 10.0, 2001: 10.0, 2002: 10.0}, {}, 70.0, 5.0, (2000, 2003)),
    ]
    for chart in charts:
        svg = render(chart)
        root = ET.fromstring(svg)
        assert root.find("{http://www.w3.org/2000/svg}desc").text == chart.desc()
        assert "<b>" not in svg and 'q"q' not in svg and "<&>" not in svg
        header, rows = chart.table_rows()
        assert header and rows


def test_charts_of_findings_that_list_only_some_rows(azerbaijan, bundled):
    """On large tables a finding lists at most some of the cells an aggregate read: the total's
    chart shows the rest as "other rows", and the stock-and-flow chart still ends where the engine
    said the flows lead."""
    import dataclasses

    from audit.report.model import stock_flow_chart, total_chart

    ds = bundled[1]["azerbaijan-2019"]
    [total] = [f for f in azerbaijan.findings if f.rule == "printed-totals"]
    partial = dataclasses.replace(total, locations=[loc for loc in total.locations if loc.row != 3])
    chart = total_chart(partial, ds, "x")
    assert [(b.label, b.value) for b in chart.parts] == [("Anti-personnel mines", 6.0), ("other rows", 10.0)]
    [sf] = [f for f in azerbaijan.findings if f.rule == "ap-estimate-stock-and-flow"]
    partial = dataclasses.replace(sf, locations=[loc for loc in sf.locations  # one stock row less
                                                 if (loc.table, loc.row) != ("contamination_by_region", 3)])
    chart = stock_flow_chart(partial, ds, "y")
    assert chart.earlier.value == pytest.approx(69.9) and chart.later.value == pytest.approx(sf.observed)
    assert chart.implied[0] == (2015, pytest.approx(69.9)) and chart.implied[-1] == (2018, pytest.approx(sf.expected))
    assert chart.released == {2015: pytest.approx(1.49), 2016: pytest.approx(0.83), 2017: pytest.approx(4.0),
                              2018: pytest.approx(0.35)}
    assert chart.added == {2018: pytest.approx(0.098887)}


def test_html_is_self_contained(site):
    out, written = site
    for path in written:
        if path.suffix != ".html":
            continue
        page = path.read_text(encoding="utf-8")
        assert "<script" not in page.lower()
        assert not re.search(r"\s(src|srcset|action|formaction|poster|data)=", page)
        assert "@import" not in page and "url(" not in page and "@font-face" not in page
        urls = set(re.findall(r"[a-z][a-z0-9+.-]*://[^\s\"'<>]+", page))
        assert urls <= {"http://www.w3.org/2000/svg"}, urls
        hrefs = set(re.findall(r'href="([^"]*)"', page))
        for href in hrefs:
            assert href.startswith("#") or href == "data:," or re.fullmatch(r"[\w.-]+\.html(#[\w.-]+)?", href), href
            target = href.split("#")[0]
            if target and target != "data:,":
                assert (out / target).is_file(), href
        for anchor in (h.split("#")[1] for h in hrefs if "#" in h):
            target = [h for h in hrefs if h.endswith("#" + anchor)][0].split("#")[0] or path.name
            assert f'id="{anchor}"' in (out / target).read_text(encoding="utf-8"), (path.name, anchor)
        csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
        assert csp and html.unescape(csp.group(1)).startswith("default-src 'none';")


def test_output_is_deterministic(bundled, site, tmp_path):
    out, written = site
    runs, datasets = bundled
    again = write_reports(runs, datasets, tmp_path / "again")
    fresh_runs, fresh_datasets = audit_all([str(ROOT / "datasets")])  # a new audit: other timings
    fresh = write_reports(fresh_runs, fresh_datasets, tmp_path / "fresh")
    for a, b, c in zip(written, again, fresh):
        assert a.read_bytes() == b.read_bytes() == c.read_bytes(), a.name
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text)
        assert not re.search(r"\d+\.\d+ s\b", text)


def test_committed_reports_are_up_to_date(tmp_path):
    """`audit report datasets --out reports --explain` gives exactly the pages kept in reports/ (AUDIT_REGEN=1
    rewrites them)."""
    out = tmp_path / "reports"
    proc = audit_cli("report", "datasets", "--out", str(out), "--explain")
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(["index.html", "index.md"] + [f"{n}{s}" for n in DATASET_NAMES for s in (".html", ".md")])
    kept = ROOT / "reports"
    if REGEN:
        for name in names:
            shutil.copyfile(out / name, kept / name)
        return
    for name in names:
        assert (kept / name).is_file(), f"reports/{name} is missing; rerun with AUDIT_REGEN=1"
        assert (out / name).read_bytes() == (kept / name).read_bytes(), \
            f"reports/{name} differs; rerun with AUDIT_REGEN=1 to update (and review the diff)"


def test_text_from_a_dataset_is_escaped(tmp_path):
    ds_dir = tmp_path / "azerbaijan-2019"
    shutil.copytree(ROOT / "datasets" / "azerbaijan-2019", ds_dir)
    name = "Khojavend" + MARKUP
    csv_path = ds_dir / "table2-ap-mined-area-by-region.csv"
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8"))))
    assert [r[0] for r in rows].count("Khojavend") == 1
    rows = [[name if c == "Khojavend" else c for c in r] for r in rows]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    csv_path.write_text(buf.getvalue(), encoding="utf-8")
    runs, datasets = audit_all([str(ds_dir)])
    assert any(MARKUP in f.message for f in runs[0].findings)  # the name reaches the findings
    out = tmp_path / "out"
    write_reports(runs, datasets, out)
    page = (out / "azerbaijan-2019.html").read_text(encoding="utf-8")
    for raw in ("<script>", "alert(1)</script>", '"onload="x', "onload=\"", "<script"):
        assert raw not in page
    assert html.escape(MARKUP) in page  # &lt;script&gt;alert(1)&lt;/script&gt;&quot;onload=&quot;x
    assert "Khojavend&lt;script&gt;alert(1)&lt;/script&gt;&quot;onload=&quot;x" in page
    text = (out / "azerbaijan-2019.md").read_text(encoding="utf-8")
    assert "<" not in text and ">" not in text  # every angle bracket an entity: no tag can open
    assert "Khojavend&lt;script&gt;alert(1)&lt;/script&gt;" in text
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<script" not in index


def test_file_stems_are_safe_and_unique():
    assert file_stems(["azerbaijan-2019", "index", "a/../b", "a/../b", "", "INDEX"]) == [
        "azerbaijan-2019", "index-2", "a-..-b", "a-..-b-2", "dataset", "INDEX-3"]
    for stem in file_stems(["../../etc/passwd", "x\\y", "<b>"]):
        assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", stem) and "/" not in stem


def test_a_run_without_its_dataset_still_gets_its_page(azerbaijan, tmp_path):
    written = write_reports([azerbaijan], {}, tmp_path)
    page = (tmp_path / "azerbaijan-2019.html").read_text(encoding="utf-8")
    assert [p.name for p in written] == ["index.html", "index.md", "azerbaijan-2019.html", "azerbaijan-2019.md"]
    assert "printed total of CHAs is 17, but its 2 rows add up to 16" in page and "<svg" not in page


# -- in a real browser ------------------------------------------------------------------------------

class DevTools:
    """A minimal Chrome DevTools Protocol client over one websocket (flattened sessions)."""

    def __init__(self, url: str):
        import websocket  # websocket-client

        self.ws = websocket.create_connection(url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        while True:
            data = json.loads(self.ws.recv())
            if data.get("id") == self.next_id:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                return data.get("result", {})
            self.events.append(data)

    def wait_for(self, method: str, session: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for ev in self.events[seen:]:
                if ev.get("method") == method and ev.get("sessionId") == session:
                    return ev
            seen = len(self.events)
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} within {timeout} s")
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except Exception as exc:  # websocket timeout
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no {method} within {timeout} s") from exc

    def drain(self, seconds: float) -> None:
        import websocket

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                self.events.append(json.loads(self.ws.recv()))
            except websocket.WebSocketTimeoutException:
                break
        self.ws.settimeout(60)

    def close(self) -> None:
        self.ws.close()


def ensure_chromium() -> None:
    """Install Debian's chromium when missing and allowed (root, apt), like the schema fixtures fetch
    their files: the README's test command then works on a fresh machine."""
    if os.path.isfile(CHROMIUM) or os.geteuid() != 0 or not shutil.which("apt-get"):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env=env, capture_output=True, timeout=900)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    ensure_chromium()
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"headless Chromium is required at {CHROMIUM} and is missing: install Debian's package with "
                    "`apt-get update && apt-get install -y chromium` (.ci/run does this)")
    try:
        import websocket  # noqa: F401
    except ImportError:
        pytest.fail("the websocket-client package is missing: pip install -e '.[test]'")
    profile = tmp_path_factory.mktemp("chromium-profile")
    log = open(profile.parent / "chromium.log", "wb")
    proc = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--remote-debugging-port=0", "--hide-scrollbars", "--window-size=1280,900",
         "about:blank"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + 60
    while not (port_file.is_file() and len(port_file.read_text().split()) >= 2):
        if proc.poll() is not None or time.monotonic() > deadline:
            log.flush()
            tail = (profile.parent / "chromium.log").read_text(errors="replace")[-2000:]
            _stop(proc)
            pytest.fail(f"Chromium did not start (exit {proc.returncode}); its output:\n{tail}")
        time.sleep(0.1)
    port, path = port_file.read_text().split()[:2]
    client = DevTools(f"ws://127.0.0.1:{port}{path}")
    try:
        yield client
    finally:
        client.close()
        _stop(proc)
        log.close()


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # the browser we started and its own child processes
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=15)


def render(browser: DevTools, page: Path, screenshot: Path | None = None, width: int = 1280) -> dict:
    """Open a page in a new tab: the console errors, the requests that left file: and data:, facts
    about the page, and (optionally) a full-page screenshot."""
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(f"{domain}.enable", session=session)
        browser.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1,
                                                            "mobile": False}, session)
        start = len(browser.events)
        browser.send("Page.navigate", {"url": page.resolve().as_uri()}, session)
        browser.wait_for("Page.loadEventFired", session)
        browser.drain(1.0)  # anything late: a deferred load, a console message
        facts = browser.send("Runtime.evaluate", {"returnByValue": True, "expression": """({
            title: document.title, svgs: document.querySelectorAll('svg').length,
            scripts: document.querySelectorAll('script').length,
            handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
            overflow: document.documentElement.scrollWidth - window.innerWidth,
            text: document.body.innerText.length, height: document.documentElement.scrollHeight,
            fonts: [...new Set([...document.querySelectorAll('body, h1, td, svg text')].map(e => getComputedStyle(e).fontFamily))]
        })"""}, session)["result"]["value"]
        events = [ev for ev in browser.events[start:] if ev.get("sessionId") == session]
        errors = []
        requests = []
        for ev in events:
            method, params = ev.get("method"), ev.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                errors.append(f'{details.get("text", "exception")} {details.get("exception", {}).get("description", "")}')
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                errors.append(params["entry"].get("text", ""))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
            elif method == "Network.requestWillBeSent":
                requests.append(params["request"]["url"])
        facts["errors"] = errors
        facts["requests"] = requests
        facts["outside"] = [u for u in requests if not (u.startswith("file:") or u.startswith("data:"))]
        if screenshot is not None:
            height = min(int(facts["height"]), 16000)
            shot = browser.send("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}}, session)
            import base64

            screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        return facts
    finally:
        browser.send("Target.closeTarget", {"targetId": target})


def assert_not_blank(png: Path, width: int, min_height: int) -> None:
    from PIL import Image

    with Image.open(png) as img:
        assert img.format == "PNG"
        assert img.width == width and img.height >= min_height, img.size
        rgb = img.convert("RGB")
        small = rgb.resize((rgb.width // 2, rgb.height // 2))
        colours = small.getcolors(maxcolors=1 << 20)
        assert colours is not None
        distinct = len(colours)
        top = max(n for n, _ in colours) / (small.width * small.height)
        assert distinct >= 200, f"{png} has only {distinct} colours: not rendered?"
        assert top < 0.9, f"{png} is {top:.0%} one colour: blank?"
        # ink on most horizontal bands of the page, not just a header
        bands = 10
        inked = 0
        for i in range(bands):
            band = small.crop((0, i * small.height // bands, small.width, (i + 1) * small.height // bands))
            extrema = band.convert("L").getextrema()
            inked += extrema[1] - extrema[0] > 100
        assert inked >= bands * 0.7, f"{png}: only {inked} of {bands} bands have content"


def test_reports_render_in_chromium_with_no_error_and_no_request(site, browser):
    out, _ = site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = (("azerbaijan-2019.html", "report-dataset-azerbaijan-2019.png", 3, 3000),
             ("index.html", "report-index.png", 1, 1000),
             ("croatia-2014.html", "report-dataset-no-findings-croatia-2014.png", 0, 900))
    for name, shot, svgs, min_height in pages:
        facts = render(browser, out / name, ARTIFACTS / shot)
        assert facts["errors"] == [], (name, facts["errors"])
        assert facts["outside"] == [], (name, facts["outside"])
        assert facts["requests"] and all(u.startswith("file:") for u in facts["requests"])  # the page itself
        assert facts["svgs"] == svgs and facts["scripts"] == 0 and facts["handlers"] == 0
        assert facts["overflow"] <= 0, f"{name} is wider than the window by {facts['overflow']} px"
        assert facts["title"].startswith("Audit")
        assert not any("serif" == f.strip() for f in facts["fonts"])
        assert_not_blank(ARTIFACTS / shot, 1280, min_height)


def test_escaped_markup_stays_text_in_chromium(browser, tmp_path):
    ds_dir = tmp_path / "azerbaijan-2019"
    shutil.copytree(ROOT / "datasets" / "azerbaijan-2019", ds_dir)
    csv_path = ds_dir / "table2-ap-mined-area-by-region.csv"
    text = csv_path.read_text(encoding="utf-8").replace("Khojavend,", '"Khojavend<script>alert(1)</script>""onload=""x",')
    csv_path.write_text(text, encoding="utf-8")
    runs, datasets = audit_all([str(ds_dir)])
    write_reports(runs, datasets, tmp_path / "out")
    facts = render(browser, tmp_path / "out" / "azerbaijan-2019.html", ARTIFACTS / "report-escaped-markup.png")
    assert facts["errors"] == [] and facts["outside"] == []
    assert facts["scripts"] == 0 and facts["handlers"] == 0


def test_the_browser_check_sees_errors_and_requests(browser, tmp_path):
    """The checks above are not vacuous: a page that logs an error and loads from elsewhere fails them."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><head><title>bad</title></head><body><p>x</p>'
                   '<img src="http://127.0.0.1:9/pixel.png" alt="">'
                   '<script>console.error("broken"); undefinedFunction();</script></body></html>', encoding="utf-8")
    facts = render(browser, bad)
    assert any("broken" in err for err in facts["errors"])
    assert any("undefinedFunction" in err for err in facts["errors"])
    assert facts["outside"] == ["http://127.0.0.1:9/pixel.png"]


def test_explanations_appear_with_the_findings_they_concern(tmp_path):
    """With --explain, the finding of Table 1's CHAs says which figures most likely are wrong, in both pages."""
    out = tmp_path / "out"
    proc = audit_cli("report", "datasets/azerbaijan-2019", "--out", str(out), "--explain")
    assert proc.returncode == 0, proc.stderr
    page = (out / "azerbaijan-2019.html").read_text(encoding="utf-8")
    assert 'class="explain"' in page
    assert "Most likely wrong (weight 2" in page and "row Anti-vehicle mines, CHAs: 10 -&gt; 11" in page
    text = (out / "azerbaijan-2019.md").read_text(encoding="utf-8")
    assert "**Most likely wrong (weight 2" in text and "14 -&gt; 13" in text
    plain = (tmp_path / "plain")
    assert audit_cli("report", "datasets/azerbaijan-2019", "--out", str(plain)).returncode == 0
    assert 'class="explain"' not in (plain / "azerbaijan-2019.html").read_text(encoding="utf-8")


def test_a_figure_layout_dataset_gets_its_findings_and_rule_outcomes(tmp_path):
    """`audit report` on datasets in the figure layout: every finding and every rule's outcome is
    on the pages (their charts: tests/test_report_figures.py)."""
    from audit.cli import audit_paths
    from audit.escape import html_text

    out = audit_cli("report", "datasets/figures", "--out", str(tmp_path / "r"))
    assert out.returncode == 0, out.stderr
    runs = {r.dataset: r for r in audit_paths([str(ROOT / "datasets" / "figures")], None)}
    assert {"azerbaijan-2019", "liechtenstein-2017"} <= set(runs)
    run = runs["azerbaijan-2019"]
    page = (tmp_path / "r" / "azerbaijan-2019.html").read_text()
    text = (tmp_path / "r" / "azerbaijan-2019.md").read_text()
    assert len(run.findings) == 14
    for f in run.findings:
        assert html_text(units_in(f.message)) in page, units_in(f.message)
        assert md(units_in(f.message)) in text, units_in(f.message)
        for loc in f.locations:
            if loc.row:
                assert f"{html_text(loc.file)}:{loc.row}" in page
    for r in run.rules:
        row = next(line for line in page.splitlines() if line.startswith(f'<tr id="rule-{r.rule}">'))
        assert f'<td class="status {r.status}">' in row
        assert (f'<td class="num">{r.items}</td><td class="num">{r.passed}</td><td class="num">{r.failed}</td>'
                f'<td class="num">{r.undecided}</td>') in row
        md_row = next(line for line in text.splitlines() if line.startswith(f"| `{r.rule}` |"))
        assert md_row.endswith(f"| {md(r.status.replace('_', ' '))} | {r.items} | {r.passed} | {r.failed} | "
                               f"{r.undecided} | {len(r.findings)} |")
    index = (tmp_path / "r" / "index.html").read_text()
    assert "azerbaijan-2019.html" in index and "liechtenstein-2017.html" in index


def test_the_index_ranks_collections_and_lists_the_findings_across_their_editions(tmp_path):
    out = audit_cli("report", "datasets/corpus/croatia", "datasets/corpus/serbia", "--out", str(tmp_path / "two"))
    assert out.returncode == 0, out.stderr
    index = (tmp_path / "two" / "index.md").read_text()
    section = index[index.index("## Collections ranked by errors"):index.index("## Findings per dataset and rule")]
    rows = [line for line in section.splitlines() if re.match(r"\| \d+ \|", line)]
    assert [row.split("|")[2].strip() for row in rows] == ["croatia", "serbia"]  # croatia has more errors
    # a finding that relates figures of two editions of Croatia is listed under it, linked to its page
    croatia = section[section.index("### croatia"):]
    assert re.search(r"\[croatia-hr\d-[a-z0-9-]+\]\(croatia-hr[^)]+\.md#[^)]+\) · `stock-and-flow`", croatia)
    html_index = (tmp_path / "two" / "index.html").read_text()
    assert 'id="collections"' in html_index and "croatia: findings across its datasets" in html_index
    # one folder: no collections to rank
    out = audit_cli("report", "datasets/corpus/croatia", "--out", str(tmp_path / "one"))
    assert out.returncode == 0 and "## Collections" not in (tmp_path / "one" / "index.md").read_text()
