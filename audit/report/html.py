"""Self-contained HTML pages: one per dataset and the cross-dataset index.

A page needs nothing but itself: the styles are inline, the charts are inline SVG, there is no
script, no font to fetch and no image file, and a Content-Security-Policy forbids any load
(`default-src 'none'`). Every text that comes from a dataset, a rule or a finding goes through
`e()` (`audit.escape.html_text`: `html.escape` with quotes, control characters shown) and every
attribute is double-quoted; `href`, `id` and `class` hold only our own anchors, file stems and
names (`slug`), never a value from the data.
"""
from __future__ import annotations

from .. import __version__
from ..findings import SEVERITIES
from .charts import e, render, severity_bars
from .model import SERIES_HEADINGS, STATUS_NAMES, DatasetView, FindingView, IndexView, LocationView, slug

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

CSS = """
:root { --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --soft:#f5f7fa; --error:#c0392b; --warning:#b9770e;
  --info:#2e6da4; --ok:#2f855a; --na:#7b8794; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--soft); color: var(--ink);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 20px 36px 48px; background: #fff; min-height: 100vh; }
a { color: #1d5fa7; text-decoration: none; } a:hover { text-decoration: underline; }
code { font-family: "DejaVu Sans Mono", "Liberation Mono", ui-monospace, Menlo, Consolas, monospace; font-size: .84em;
  background: var(--soft); padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: .1em 0 .25em; }
h2 { font-size: 1.3rem; margin: 2.2em 0 .7em; padding-bottom: .3em; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.08rem; margin: 1.6em 0 .5em; }
.crumbs { font-size: .85rem; color: var(--muted); margin-bottom: 10px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .75rem; color: var(--muted); margin: 0; font-weight: 600; }
.meta { color: var(--muted); font-size: .9rem; margin: .2em 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(128px, 1fr)); gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: #fff; }
.card .n { display: block; font-size: 1.75rem; font-weight: 700; line-height: 1.15; font-variant-numeric: tabular-nums; }
.card .l { display: block; font-size: .76rem; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
.card.error .n { color: var(--error); } .card.warning .n { color: var(--warning); } .card.info .n { color: var(--info); }
.card.passed .n { color: var(--ok); } .card.failed .n { color: var(--error); } .card.na .n { color: var(--na); }
.card.broken .n { color: #8e44ad; }
.group-label { font-size: .8rem; font-weight: 600; color: var(--muted); margin: 14px 0 -4px; }
table { border-collapse: collapse; width: 100%; font-size: .88rem; margin: 8px 0; }
th, td { text-align: left; padding: 6px 9px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; font-size: .82rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.scroll { overflow-x: auto; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: .72rem; font-weight: 700; color: #fff;
  text-transform: uppercase; letter-spacing: .04em; vertical-align: 2px; }
.badge.error { background: var(--error); } .badge.warning { background: var(--warning); } .badge.info { background: var(--info); }
.badge.accepted { background: var(--na); }
.status { font-weight: 600; } .status.passed { color: var(--ok); } .status.failed { color: var(--error); }
.status.not_applicable { color: var(--na); } .status.broken { color: #8e44ad; }
article.finding { border: 1px solid var(--line); border-left: 6px solid var(--error); border-radius: 6px;
  padding: 14px 20px 12px; margin: 18px 0; }
article.finding.warning { border-left-color: var(--warning); } article.finding.info { border-left-color: var(--info); }
article.finding > header { display: flex; flex-wrap: wrap; gap: 8px; align-items: baseline; }
article.finding .rule-title { color: var(--muted); font-size: .9rem; }
article.finding .message { font-size: 1.05rem; font-weight: 600; margin: 8px 0 10px; }
dl.values { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 10px; margin: 10px 0 12px; }
dl.values div { background: var(--soft); border-radius: 6px; padding: 7px 12px; }
dl.values dt { font-size: .72rem; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
dl.values dd { margin: 0; font-weight: 700; font-size: 1.05rem; font-variant-numeric: tabular-nums; }
table.where td.role { white-space: nowrap; color: var(--muted); font-size: .8rem; }
table.where td.value { font-weight: 600; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.where .prov { display: block; color: var(--muted); font-size: .8rem; }
table.where td.file { font-size: .8rem; }
blockquote { margin: 4px 0 2px; padding: 2px 10px; border-left: 3px solid #9fb3c8; color: #3e4c59; font-style: italic; }
.hint { color: var(--muted); font-size: .9rem; margin: 8px 0 2px; }
.hint strong { color: var(--ink); }
.explain { background: var(--soft); border: 1px dashed var(--line); border-radius: 6px; padding: 6px 12px; margin: 10px 0 4px; font-size: .92rem; }
.explain ol { margin: 4px 0; padding-left: 22px; }
figure { margin: 14px 0; } figure svg { display: block; max-width: 100%; height: auto; }
figure svg text { font-family: inherit; }
figcaption { font-size: .85rem; color: var(--muted); margin-top: 4px; }
.toc { list-style: none; padding: 0; margin: 8px 0; }
.toc li { padding: 3px 0; border-bottom: 1px dotted var(--line); font-size: .9rem; }
.toc code { white-space: nowrap; overflow-wrap: normal; }
.toc .badge { margin-right: 6px; min-width: 64px; text-align: center; }
th code, td code { white-space: nowrap; overflow-wrap: normal; }
td.file code, .prov code { white-space: normal; overflow-wrap: anywhere; }
td.status, td.nowrap { white-space: nowrap; }
table.matrix td, table.matrix th { text-align: center; white-space: nowrap; }
table.matrix td.rule, table.matrix th.rule { text-align: left; white-space: normal; }
table.matrix td a { color: inherit; display: block; }
table.matrix td.cell-error { background: #fbe3e0; color: var(--error); font-weight: 700; }
table.matrix td.cell-warning { background: #fcf0d8; color: #8a5a00; font-weight: 700; }
table.matrix td.cell-info { background: #e1edf8; color: var(--info); font-weight: 700; }
table.matrix td.cell-passed { color: var(--ok); font-weight: 700; }
table.matrix td.cell-not_applicable { color: var(--na); } table.matrix td.cell-broken { background: #f1e2f7; color: #8e44ad; }
.legend { font-size: .82rem; color: var(--muted); }
footer { margin-top: 48px; padding-top: 12px; border-top: 1px solid var(--line); font-size: .8rem; color: var(--muted); }
@media (max-width: 720px) { main { padding: 12px 14px; } dl.values { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
@media print { body { background: #fff; } main { max-width: none; padding: 0; } article.finding { break-inside: avoid; } }
""".strip()


def _page(title: str, body: list[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">',
        '<meta name="referrer" content="no-referrer">',
        '<link rel="icon" href="data:,">',
        f"<title>{e(title)}</title>",
        f"<style>\n{CSS}\n</style>",
        "</head>",
        "<body>",
        "<main>",
        *body,
        f'<footer>Written by <code>audit</code> {e(__version__)}. This page is self-contained: it loads nothing '
        f'from elsewhere.</footer>',
        "</main>",
        "</body>",
        "</html>",
        "",
    ])


def _card(n: int | str, label: str, cls: str = "") -> str:
    return f'<div class="card {e(cls)}"><span class="n">{e(n)}</span><span class="l">{e(label)}</span></div>'


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


# -- one dataset --------------------------------------------------------------------------------

def dataset_page(d: DatasetView, index_href: str | None = "index.html") -> str:
    s, c = d.status_counts, d.severity_counts
    body: list[str] = []
    if index_href:
        body.append(f'<nav class="crumbs"><a href="{e(index_href)}">All datasets</a> › {e(d.name)}</nav>')
    meta = [f"dataset <code>{e(d.name)}</code>"]
    if d.country:
        meta.append(e(d.country))
    if d.profile:
        meta.append(f"profile <code>{e(d.profile)}</code>")
    if d.pack:
        meta.append(f"rule pack <code>{e(d.pack)}</code>")
    body += ['<header>', '<p class="kicker">Audit report</p>', f"<h1>{e(d.title)}</h1>",
             f'<p class="meta">{" · ".join(meta)}</p>']
    if d.source:
        body.append(f'<p class="meta">Source: {e(d.source)}</p>')
    body.append("</header>")
    # summary
    total = len(d.findings)
    body += ['<section id="summary">', "<h2>Summary</h2>",
             f'<p>{_plural(d.rules_run, "rule")} run on this dataset: {s["failed"]} failed, {s["passed"]} passed, '
             f'{s["undecided"]} undecided, {s["not_applicable"]} not applicable'
             f'{", " + str(s["broken"]) + " broken" if s["broken"] else ""}. '
             f'{_plural(total, "finding")}: {_plural(c["error"], "error")}, {_plural(c["warning"], "warning")}, '
             f'{c["info"]} info{", " + str(d.accepted) + " accepted by the baseline" if d.accepted else ""}.</p>',
             '<p class="group-label">Rules</p>', '<div class="cards">',
             _card(d.rules_run, "rules run"), _card(s["passed"], "passed", "passed"),
             _card(s["failed"], "failed", "failed"), _card(s["undecided"], "undecided", "na"),
             _card(s["not_applicable"], "not applicable", "na"),
             _card(s["broken"], "broken", "broken"), "</div>",
             '<p class="group-label">Findings by severity</p>', '<div class="cards">',
             *(_card(c[sev], sev if sev == "info" else sev + "s", sev) for sev in SEVERITIES), "</div>"]
    if d.findings:
        body.append('<ul class="toc">')
        for f in d.findings:
            badge = f'<span class="badge {e(f.severity)}">{e(f.severity)}</span>'
            body.append(f'<li>{badge}<a href="#{e(f.anchor)}">{e(f.message)}</a> <code>{e(f.rule)}</code></li>')
        body.append("</ul>")
    else:
        body.append("<p>No findings: every rule that applies to this dataset holds.</p>")
    body.append("</section>")
    # series
    if d.series:
        heading, what = SERIES_HEADINGS[d.figure_layout]
        when = "Periods" if d.figure_layout else "Years"
        body += ['<section id="series">', f"<h2>{e(heading)}</h2>",
                 f'<p class="meta">{e(what)} {when} a rule flagged are drawn in the colour of '
                 'the finding\'s severity and link to it.</p>']
        for chart in d.series:
            body.append(_figure(chart, f"{chart.table}: {chart.column}" +
                                (f". Footnotes: {'; '.join(chart.footnotes)}" if chart.footnotes else "")))
        body.append("</section>")
    # findings
    if d.findings:
        body += ['<section id="findings">', f"<h2>Findings ({total})</h2>"]
        for sev in SEVERITIES:
            group = d.findings_of(sev)
            if not group:
                continue
            title = {"error": "Errors", "warning": "Warnings", "info": "Information"}[sev]
            body.append(f'<h3 id="{e(sev)}s">{title} ({len(group)})</h3>')
            for f in group:
                body += _finding(f, d)
        body.append("</section>")
    # baseline entries
    for title, entries in (("Expired baseline entries", d.expired), ("Stale baseline entries", d.stale)):
        if entries:
            body += [f"<h2>{title} ({len(entries)})</h2>", "<table>",
                     "<thead><tr><th>rule</th><th>fingerprint</th><th>message</th><th>reason</th></tr></thead><tbody>"]
            for en in entries:
                body.append("<tr>" + "".join(f"<td>{e(en.get(k) or '')}</td>" for k in
                                             ("rule", "fingerprint", "message", "reason")) + "</tr>")
            body.append("</tbody></table>")
    # rules
    body += ['<section id="rules">', "<h2>Rules</h2>", '<div class="scroll"><table>',
             '<thead><tr><th>rule</th><th>checks</th><th>status</th>'
             '<th class="num">items</th><th class="num">passed</th><th class="num">failed</th>'
             '<th class="num">undecided</th><th class="num">findings</th></tr></thead><tbody>']
    for r in d.rules:
        title = e(r.title)
        if r.reason:
            title += f'<br><span class="meta">{e(r.reason)}</span>'
        links = ", ".join(f'<a href="#{e(a)}">{i + 1}</a>' for i, a in enumerate(r.finding_anchors))
        body.append(
            f'<tr id="{e(r.anchor)}"><td><code>{e(r.id)}</code><br><span class="meta">{e(r.kind)} \u00b7 '
            f'{e(r.severity)}</span></td><td>{title}</td>'
            f'<td class="status {e(r.status)}">{e(STATUS_NAMES.get(r.status, r.status))}</td>'
            f'<td class="num">{r.items}</td><td class="num">{r.passed}</td><td class="num">{r.failed}</td>'
            f'<td class="num">{r.undecided}</td><td class="num">{links or r.findings}</td></tr>')
    body += ["</tbody></table></div>", "</section>"]
    return _page(f"Audit: {d.title}", body)


def _figure(chart, caption: str) -> str:
    return (f'<figure id="{e(chart.id)}">\n{render(chart)}\n<figcaption>{e(caption)}</figcaption>\n</figure>')


def _finding(f: FindingView, d: DatasetView) -> list[str]:
    out = [f'<article class="finding {e(f.severity)}" id="{e(f.anchor)}">', "<header>",
           f'<span class="badge {e(f.severity)}">{e(f.severity)}</span>']
    if f.accepted:
        out.append('<span class="badge accepted">accepted</span>')
    rule_anchor = slug(f.rule, "rule-")
    out += [f'<a href="#{e(rule_anchor)}"><code>{e(f.rule)}</code></a>',
            f'<span class="rule-title">{e(f.rule_title)}</span>', "</header>",
            f'<p class="message">{e(f.message)}</p>']
    expected_label = {"expected": "Expected (what the other figures imply)", "required": "Required",
                      "previous period": "Previous period"}.get(f.expected_label, f.expected_label)
    out += ['<dl class="values">',
            f"<div><dt>Reported (observed)</dt><dd>{e(f.observed)}</dd></div>",
            f"<div><dt>{e(expected_label)}</dt><dd>{e(f.expected)}</dd></div>",
            f"<div><dt>Difference</dt><dd>{e(f.difference)}</dd></div>",
            f"<div><dt>Tolerance applied</dt><dd>{e(f.tolerance)}</dd></div>", "</dl>"]
    if f.chart is not None:
        out.append(_figure(f.chart, f.chart.title))
    if f.series_anchor:
        chart = next((c for c in d.series if c.id == f.series_anchor), None)
        if chart is not None:
            out.append(f'<p class="meta">Marked on the chart <a href="#{e(chart.id)}">{e(chart.title)}</a>.</p>')
    out += ['<div class="scroll"><table class="where">',
            "<thead><tr><th>role</th><th>where it was printed</th><th>value</th><th>file:line</th></tr></thead><tbody>"]
    for loc in f.locations:
        out.append(_location(loc))
    out.append("</tbody></table></div>")
    if f.hint:
        out.append(f'<p class="hint"><strong>Hint:</strong> {e(f.hint)}</p>')
    if f.explanation:
        head, sets = f.explanation
        out.append(f'<div class="explain"><p><strong>{e(head)}</strong></p>')
        if sets:
            out.append("<ol>" + "".join("<li>" + "<br>".join(e(c) for c in changes) + "</li>" for changes in sets)
                       + "</ol>")
        out.append("</div>")
    if f.accepted:
        out.append(f'<p class="hint"><strong>Accepted by the baseline:</strong> {e(f.baseline_reason)}</p>')
    out.append("</article>")
    return out


def _location(loc: LocationView) -> str:
    where = e(loc.where)
    if loc.is_claim:
        if loc.provenance:
            where += f"<blockquote>\u201c{e(loc.provenance)}\u201d</blockquote>"
        where += f'<span class="prov">claim <code>{e(loc.claim)}</code></span>'
    else:
        detail = []
        if loc.column:
            detail.append(f"column <code>{e(loc.column)}</code>")
        if loc.key:
            detail.append(f"row <code>{e(loc.key)}</code>")
        if loc.provenance:
            detail.append(e(loc.provenance))
        if detail:
            where += f'<span class="prov">{" · ".join(detail)}</span>'
    return (f'<tr><td class="role" title="{e(loc.role)}">{e(loc.role_name)}</td><td>{where}</td>'
            f'<td class="value">{e(loc.value)}</td><td class="file"><code>{e(loc.source)}</code></td></tr>')


# -- across datasets ------------------------------------------------------------------------------

def _collections_html(ix: IndexView) -> list[str]:
    """Folders of datasets (a country's editions) ranked, and per folder the findings that relate
    figures of two of its datasets (revisions between editions, balances across reports)."""
    if not ix.collections:
        return []
    body = ['<section id="collections">', "<h2>Collections ranked by errors</h2>",
            '<p class="meta">A collection is the folder that holds its datasets (one country\'s editions, say); '
            '"across datasets" counts the findings that relate figures of two of them.</p>',
            '<div class="scroll"><table><thead><tr><th class="num">#</th><th>collection</th>'
            '<th class="num">datasets</th><th class="num">errors</th><th class="num">warnings</th>'
            '<th class="num">info</th><th class="num">across datasets</th></tr></thead><tbody>']
    for i, c in enumerate(ix.collections, 1):
        k = c.severity_counts
        body.append(f'<tr><td class="num">{i}</td><td><a href="#{e(slug(c.name, "collection-"))}">{e(c.name)}</a></td>'
                    f'<td class="num">{len(c.datasets)}</td><td class="num">{k["error"]}</td>'
                    f'<td class="num">{k["warning"]}</td><td class="num">{k["info"]}</td>'
                    f'<td class="num">{len(c.across)}</td></tr>')
    body.append("</tbody></table></div>")
    for c in ix.collections:
        if not c.across:
            continue
        body += [f'<h3 id="{e(slug(c.name, "collection-"))}">{e(c.name)}: findings across its datasets</h3>', "<ul>"]
        body += [f'<li><a href="{e(d.stem)}.html#{e(f.anchor)}"><code>{e(d.name)}</code></a> · <code>{e(f.rule)}</code> '
                 f'<span class="badge {e(f.severity)}">{e(f.severity)}</span> {e(f.message)}</li>' for d, f in c.across]
        body.append("</ul>")
    body.append("</section>")
    return body


def index_page(ix: IndexView) -> str:
    views = ix.datasets
    totals = {s: sum(d.severity_counts[s] for d in views) for s in SEVERITIES}
    body = ['<header>', '<p class="kicker">Audit report</p>', f"<h1>Audit of {_plural(len(views), 'dataset')}</h1>",
            f'<p class="meta">{sum(len(d.findings) for d in views)} findings across {_plural(len(views), "dataset")} '
            f'and {_plural(len(ix.rules), "rule")}. Each dataset has its own page with every finding, the figures '
            f'involved and where each was printed.</p>', "</header>",
            '<div class="cards">', _card(len(views), "datasets"),
            *(_card(totals[s], s if s == "info" else s + "s", s) for s in SEVERITIES),
            _card(sum(1 for d in views if d.severity_counts["error"]), "datasets with errors", "failed"), "</div>"]
    # ranking
    body += ['<section id="ranking">', "<h2>Datasets ranked by errors</h2>",
             '<p class="meta">Most errors first, then warnings, then information.</p>',
             '<div class="scroll"><table>', '<thead><tr><th class="num">#</th><th>dataset</th><th>title</th>'
             '<th class="num">errors</th><th class="num">warnings</th><th class="num">info</th>'
             '<th class="num">rules failed</th><th class="num">passed</th><th class="num">undecided</th>'
             '<th class="num">not applicable</th><th class="num">broken</th></tr></thead><tbody>']
    for i, d in enumerate(ix.ranked, 1):
        c, s = d.severity_counts, d.status_counts
        body.append(f'<tr><td class="num">{i}</td><td><a href="{e(d.stem)}.html"><code>{e(d.name)}</code></a></td>'
                    f'<td>{e(d.title)}</td><td class="num">{c["error"]}</td><td class="num">{c["warning"]}</td>'
                    f'<td class="num">{c["info"]}</td><td class="num">{s["failed"]}</td><td class="num">{s["passed"]}</td>'
                    f'<td class="num">{s["undecided"]}</td><td class="num">{s["not_applicable"]}</td>'
                    f'<td class="num">{s["broken"]}</td></tr>')
    body.append("</tbody></table></div>")
    rows = [(d.name, f"{d.stem}.html", d.severity_counts) for d in ix.ranked]
    body.append(f'<figure id="chart-ranking">\n{severity_bars(rows, "chart-ranking", "Findings per dataset by severity")}'
                f'\n<figcaption>Findings per dataset, by severity, in the order of the ranking.</figcaption>\n</figure>')
    body.append("</section>")
    body += _collections_html(ix)
    # matrix
    body += ['<section id="matrix">', "<h2>Findings per dataset and rule</h2>",
             '<p class="legend">A number is the count of findings (coloured by the most severe); \u2713 the rule '
             'passed; ? nothing it checks could be decided (values are missing); \u2013 it does not apply to the '
             'dataset (a table or column it needs is missing); '
             '\u26a0 it broke while running.</p>', '<div class="scroll"><table class="matrix">',
             '<thead><tr><th class="rule">rule</th>' +
             "".join(f'<th><a href="{e(d.stem)}.html">{e(d.name)}</a></th>' for d in views) + "</tr></thead><tbody>"]
    for rid, title, kind in ix.rules:
        cells = []
        for d in views:
            cell = ix.matrix.get((rid, d.name))
            if cell is None:
                cells.append("<td></td>")
                continue
            status, n, worst = cell
            href = f"{d.stem}.html#{slug(rid, 'rule-')}"
            if n:
                cls, text = f"cell-{worst}", str(n)
            else:
                cls = f"cell-{status}"
                text = {"passed": "\u2713", "undecided": "?", "not_applicable": "\u2013", "broken": "\u26a0"}.get(status, "")
            tip = f"{d.name} \u00b7 {rid}: {STATUS_NAMES.get(status, status)}, {_plural(n, 'finding')}"
            cells.append(f'<td class="{e(cls)}" title="{e(tip)}"><a href="{e(href)}">{e(text)}</a></td>')
        body.append(f'<tr><td class="rule"><code>{e(rid)}</code><br><span class="meta">{e(title)}</span></td>'
                    + "".join(cells) + "</tr>")
    body.append("</tbody></table></div></section>")
    # the rules that fire most
    body += ['<section id="rules">', "<h2>Rules that fire most often</h2>"]
    if ix.firing:
        body += ['<p class="meta">By the number of datasets where the rule found something, then by findings.</p>',
                 '<div class="scroll"><table><thead><tr><th class="num">#</th><th>rule</th><th>checks</th>'
                 '<th class="num">datasets</th><th class="num">findings</th><th>worst</th></tr></thead><tbody>']
        for i, (rid, title, n_data, n_find, worst) in enumerate(ix.firing, 1):
            where = ", ".join(f'<a href="{e(d.stem)}.html#{e(slug(rid, "rule-"))}">{e(d.name)}</a>' for d in views
                              if ix.matrix.get((rid, d.name), ("", 0, ""))[1])
            body.append(f'<tr><td class="num">{i}</td><td><code>{e(rid)}</code></td><td>{e(title)}'
                        f'<br><span class="meta">in {where}</span></td><td class="num">{n_data}</td>'
                        f'<td class="num">{n_find}</td><td><span class="badge {e(worst)}">{e(worst)}</span></td></tr>')
        body.append("</tbody></table></div>")
    else:
        body.append("<p>No rule found anything in these datasets.</p>")
    body.append("</section>")
    return _page(f"Audit of {_plural(len(views), 'dataset')}", body)
