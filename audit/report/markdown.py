"""The same reports as Markdown (GitHub-flavoured): the same summary, findings, values and places
as the HTML pages, with each chart given as the small table of its figures and its description.

Text from the data is escaped with `audit.escape` (`md` is `markdown_text`, `code` is
`markdown_code`): it renders as the literal text, with no tag, link, image, mention, autolink or
table-breaking `|`, on one line.
"""
from __future__ import annotations

from ..escape import markdown_code as code
from ..escape import markdown_text as md
from ..findings import SEVERITIES
from .model import SERIES_HEADINGS, STATUS_NAMES, DatasetView, FindingView, IndexView


def _table(header: list[str], rows: list[list[str]], align: list[str] | None = None) -> list[str]:
    align = align or ["---"] * len(header)
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out + [""]


def _plural(n: int, word: str) -> str:
    return f"{n} {word if n == 1 else word + 's'}"


def dataset_markdown(d: DatasetView, index_href: str | None = "index.md") -> str:
    s, c = d.status_counts, d.severity_counts
    lines = []
    if index_href:
        lines += [f"[All datasets]({index_href}) › {md(d.name)}", ""]
    lines += [f"# {md(d.title)}", ""]
    meta = [f"dataset {code(d.name)}"]
    if d.country:
        meta.append(md(d.country))
    if d.profile:
        meta.append(f"profile {code(d.profile)}")
    if d.pack:
        meta.append(f"rule pack {code(d.pack)}")
    lines += [" · ".join(meta), ""]
    if d.source:
        lines += [f"Source: {md(d.source)}", ""]
    lines += ["## Summary", "",
              f"{_plural(d.rules_run, 'rule')} run: {s['failed']} failed, {s['passed']} passed, "
              f"{s['undecided']} undecided, {s['not_applicable']} not applicable, {s['broken']} broken. {_plural(len(d.findings), 'finding')}: "
              f"{_plural(c['error'], 'error')}, {_plural(c['warning'], 'warning')}, {c['info']} info"
              + (f", {d.accepted} accepted by the baseline" if d.accepted else "") + ".", ""]
    lines += _table(["rules run", "passed", "failed", "undecided", "not applicable", "broken", "errors", "warnings",
                     "info"],
                    [[str(d.rules_run), str(s["passed"]), str(s["failed"]), str(s["undecided"]), str(s["not_applicable"]),
                      str(s["broken"]), str(c["error"]), str(c["warning"]), str(c["info"])]], ["---:"] * 9)
    if not d.findings:
        lines += ["No findings: every rule that applies to this dataset holds.", ""]
    if d.series:
        lines += [f"## {SERIES_HEADINGS[d.figure_layout][0]}", ""]
        for chart in d.series:
            header, rows = chart.table_rows()
            lines += [f"### {md(chart.title)}", "", md(chart.desc()), ""]
            lines += _table([md(h) for h in header], [[md(x) for x in r] for r in rows])
            if chart.footnotes:
                lines += ["Footnotes: " + md("; ".join(chart.footnotes)), ""]
    if d.findings:
        lines += [f"## Findings ({len(d.findings)})", ""]
        n = 0
        for sev in SEVERITIES:
            group = d.findings_of(sev)
            if not group:
                continue
            title = {"error": "Errors", "warning": "Warnings", "info": "Information"}[sev]
            lines += [f"### {title} ({len(group)})", ""]
            for f in group:
                n += 1
                lines += _finding(f, n)
    for title, entries in (("Expired baseline entries", d.expired), ("Stale baseline entries", d.stale)):
        if entries:
            lines += [f"## {title} ({len(entries)})", ""]
            lines += _table(["rule", "fingerprint", "message", "reason"],
                            [[md(en.get(k) or "") for k in ("rule", "fingerprint", "message", "reason")] for en in entries])
    lines += ["## Rules", ""]
    lines += _table(["rule", "checks", "kind", "severity", "status", "items", "passed", "failed", "undecided", "findings"],
                    [[code(r.id), md(r.title) + (f" ({md(r.reason)})" if r.reason else ""), md(r.kind), md(r.severity),
                      md(STATUS_NAMES.get(r.status, r.status)), str(r.items), str(r.passed), str(r.failed),
                      str(r.undecided), str(r.findings)] for r in d.rules],
                    ["---", "---", "---", "---", "---", "---:", "---:", "---:", "---:", "---:"])
    page = f"The HTML page [{md(d.stem)}.html]({d.stem}.html) " + ("has the same findings." if d.figure_layout and
                                                                   not d.charted else "draws the charts.")
    lines += ["---", "", f"Written by `audit`. {page}", ""]
    return "\n".join(lines)


def _finding(f: FindingView, n: int) -> list[str]:
    accepted = " (accepted by the baseline)" if f.accepted else ""
    lines = [f"#### {n}. {md(f.severity)}{accepted}: {code(f.rule)}", "", f"**{md(f.message)}**", "",
             f"Rule: {md(f.rule_title)}", ""]
    label = {"expected": "expected (what the other figures imply)", "required": "required",
             "previous period": "previous period"}.get(f.expected_label, f.expected_label)
    lines += _table(["reported (observed)", label, "difference", "tolerance applied"],
                    [[md(f.observed), md(f.expected), md(f.difference), md(f.tolerance)]], ["---:"] * 4)
    if f.chart is not None:
        header, rows = f.chart.table_rows()
        lines += [f"Chart: {md(f.chart.title)}. {md(f.chart.desc())}", ""]
        lines += _table([md(h) for h in header], [[md(x) for x in r] for r in rows])
    lines += ["Where each figure was printed:", ""]
    rows = []
    for loc in f.locations:
        where = md(loc.where)
        if loc.is_claim:
            if loc.provenance:
                where += f" — quote: “{md(loc.provenance)}”"
            where += f" (claim {code(loc.claim)})"
        else:
            extra = []
            if loc.column:
                extra.append(f"column {code(loc.column)}")
            if loc.key:
                extra.append(f"row {code(loc.key)}")
            if loc.provenance:
                extra.append(md(loc.provenance))
            if extra:
                where += " (" + "; ".join(extra) + ")"
        rows.append([md(loc.role_name), where, md(loc.value), code(loc.source)])
    lines += _table(["role", "where", "value", "file:line"], rows)
    if f.hint:
        lines += [f"Hint: {md(f.hint)}", ""]
    if f.explanation:
        head, sets = f.explanation
        lines += [f"**{md(head)}**", ""]
        lines += [f"{n}. " + "; ".join(md(c) for c in changes) for n, changes in enumerate(sets, 1)]
        lines += [""] if sets else []
    if f.accepted and f.baseline_reason:
        lines += [f"Accepted by the baseline: {md(f.baseline_reason)}", ""]
    return lines


def _collections_markdown(ix: IndexView) -> list[str]:
    """Folders of datasets (a country's editions) ranked, and per folder the findings that relate
    figures of two of its datasets."""
    if not ix.collections:
        return []
    lines = ["## Collections ranked by errors", "", "A collection is the folder that holds its datasets (one "
             "country's editions, say).", ""]
    rows = [[str(i), md(c.name), str(len(c.datasets)), str(c.severity_counts["error"]),
             str(c.severity_counts["warning"]), str(c.severity_counts["info"]), str(len(c.across))]
            for i, c in enumerate(ix.collections, 1)]
    lines += _table(["#", "collection", "datasets", "errors", "warnings", "info", "across datasets"], rows,
                    ["---:", "---", "---:", "---:", "---:", "---:", "---:"])
    for c in ix.collections:
        if not c.across:
            continue
        lines += [f"### {md(c.name)}: findings across its datasets", ""]
        lines += [f"- [{md(d.name)}]({d.stem}.md#{f.anchor}) · {code(f.rule)} ({md(f.severity)}): {md(f.message)}"
                  for d, f in c.across]
        lines.append("")
    return lines


def index_markdown(ix: IndexView) -> str:
    views = ix.datasets
    totals = {s: sum(d.severity_counts[s] for d in views) for s in SEVERITIES}
    lines = [f"# Audit of {_plural(len(views), 'dataset')}", "",
             f"{sum(len(d.findings) for d in views)} findings: {_plural(totals['error'], 'error')}, "
             f"{_plural(totals['warning'], 'warning')}, {totals['info']} info, across {_plural(len(views), 'dataset')} "
             f"and {_plural(len(ix.rules), 'rule')}.", "", "## Datasets ranked by errors", ""]
    rows = []
    for i, d in enumerate(ix.ranked, 1):
        c, s = d.severity_counts, d.status_counts
        rows.append([str(i), f"[{md(d.name)}]({d.stem}.md)", md(d.title), str(c["error"]), str(c["warning"]),
                     str(c["info"]), str(s["failed"]), str(s["passed"]), str(s["undecided"]), str(s["not_applicable"]),
                     str(s["broken"])])
    lines += _table(["#", "dataset", "title", "errors", "warnings", "info", "rules failed", "passed", "undecided",
                     "not applicable", "broken"], rows,
                    ["---:", "---", "---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"])
    lines += _collections_markdown(ix)
    lines += ["## Findings per dataset and rule", "",
              "A number is the count of findings (and the most severe); ✓ the rule passed; ? nothing could be "
              "decided; – it does not apply; ⚠ it broke.", ""]
    rows = []
    for rid, title, _ in ix.rules:
        cells = [code(rid)]
        for d in views:
            cell = ix.matrix.get((rid, d.name))
            if cell is None:
                cells.append("")
                continue
            status, n, worst = cell
            text = f"{n} {md(worst)}" if n else {"passed": "✓", "undecided": "?", "not_applicable": "–", "broken": "⚠"}.get(status, "")
            cells.append(f"[{text}]({d.stem}.md)" if n else text)
        rows.append(cells)
    lines += _table(["rule", *(f"[{md(d.name)}]({d.stem}.md)" for d in views)], rows)
    lines += ["## Rules that fire most often", ""]
    if ix.firing:
        rows = []
        for i, (rid, title, n_data, n_find, worst) in enumerate(ix.firing, 1):
            where = ", ".join(f"[{md(d.name)}]({d.stem}.md)" for d in views
                              if ix.matrix.get((rid, d.name), ("", 0, ""))[1])
            rows.append([str(i), code(rid), md(title), str(n_data), str(n_find), md(worst), where])
        lines += _table(["#", "rule", "checks", "datasets", "findings", "worst", "where"], rows,
                        ["---:", "---", "---", "---:", "---:", "---", "---"])
    else:
        lines += ["No rule found anything in these datasets.", ""]
    lines += ["---", "", "Written by `audit`. [index.html](index.html) has the same with charts.", ""]
    return "\n".join(lines)
