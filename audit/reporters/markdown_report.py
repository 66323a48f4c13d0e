"""Markdown (GitHub-flavoured) for a job summary: `audit check ... --format markdown >> $GITHUB_STEP_SUMMARY`.

Per dataset: a heading, a table of counts (findings by severity, rules by status), a table of the
findings (severity, rule, message, where: the first location as `file:row`), broken rules, and the
baseline's stale and expired entries when there are any. Findings accepted by a baseline are
marked as such; with `--explain`, each finding carries the corrections that would resolve it.

Text from the data is escaped with `audit.escape.markdown_cell` in table cells (line breaks
become `<br>`) and `markdown_text` in headings: it renders as the literal text, with no tag,
link, image, mention or table-breaking `|`.
"""
from __future__ import annotations

from typing import IO

from ..display import count, units_in
from ..escape import markdown_cell, markdown_text
from ..findings import SEVERITIES, Finding, Location, Run
from .sarif_report import relative_path

ICON = {"error": "🔴", "warning": "🟡", "info": "🔵"}


def _where(loc: Location | None) -> str:
    if loc is None:
        return ""
    path = relative_path(loc.file)
    if loc.cell:
        return markdown_cell(f"{path}!{loc.cell}")
    return markdown_cell(f"{path}:{loc.row}" if loc.row is not None else path)


def _finding_row(f: Finding) -> str:
    severity = f"{ICON.get(f.severity, '')} {markdown_cell(f.severity)}".strip()
    message = markdown_cell(units_in(f.message))
    if f.accepted:
        severity += " (accepted)"
        message += "<br>*accepted by the baseline" + (f": {markdown_cell(f.baseline_reason)}*" if f.baseline_reason else "*")
    if f.explanation:  # check --explain: the corrections that would resolve it, in the same cell
        from ..explain.render import summary

        head, sets = summary(f.explanation)
        message += "<br>*" + markdown_cell(head) + "*" + "".join("<br>" + markdown_cell("; ".join(c)) for c in sets)
    return f"| {severity} | {markdown_cell(f.rule)} | {message} | {_where(f.locations[0] if f.locations else None)} |"


def _entries(title: str, entries: list[dict]) -> list[str]:
    extra_keys = [k for k in dict.fromkeys(k for e in entries for k in e)
                  if k not in ("fingerprint", "rule", "dataset", "reason")]
    header = ["rule", "fingerprint", "reason", *(markdown_cell(k) for k in extra_keys)]
    lines = [f"### {title} ({len(entries)})", "", "| " + " | ".join(header) + " |",
             "|" + "---|" * len(header)]
    for e in entries:
        cells = [markdown_cell(e.get(k, "")) if e.get(k) is not None else "" for k in ("rule", "fingerprint", "reason", *extra_keys)]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def render_run(run: Run, fail_on: str) -> list[str]:
    title = run.meta.get("title")
    heading = f"## {markdown_text(run.dataset)}" + (f": {markdown_text(title)}" if title else "")
    verdict = "❌ fails" if run.fails(fail_on) else "✅ passes"
    c = run.counts()
    s = run.status_counts()
    accepted = sum(f.accepted for f in run.findings)
    lines = [heading, "",
             f"{verdict} (fail on {fail_on}) · profile {markdown_text(run.profile)} · pack {markdown_text(relative_path(run.pack))} · {run.seconds:.2f} s", "",
             "| errors | warnings | info | accepted | rules passed | rules failed | undecided | not applicable | broken |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
             f"| {c['error']} | {c['warning']} | {c['info']} | {accepted} | {s['passed']} | {s['failed']} | "
             f"{s['undecided']} | {s['not_applicable']} | {s['broken']} |", ""]
    findings = sorted(run.findings, key=lambda f: (f.accepted, SEVERITIES.index(f.severity)
                                                   if f.severity in SEVERITIES else 99))
    if findings:
        lines += [f"### Findings ({len(findings)})", "", "| severity | rule | message | where |", "|---|---|---|---|"]
        lines += [_finding_row(f) for f in findings]
        lines.append("")
    else:
        lines += ["No findings.", ""]
    broken = [r for r in run.rules if r.status == "broken"]
    if broken:
        lines += [f"### Broken rules ({len(broken)})", "", "| rule | source | what broke |", "|---|---|---|"]
        for r in broken:
            source = markdown_cell(f"{relative_path(r.file)}:{r.line}") if r.file else ""
            lines.append(f"| {markdown_cell(r.rule)} | {source} | {markdown_cell(r.reason or '')} |")
        lines.append("")
    if run.expired:
        lines += _entries("Expired baseline entries (they fail the run)", run.expired)
    if run.stale:
        lines += _entries("Stale baseline entries (the finding no longer occurs)", run.stale)
    return lines


def report(runs: list[Run], stream: IO[str], fail_on: str = "error") -> None:
    lines = ["# Audit", ""]
    if len(runs) > 1:
        totals = {k: sum(r.counts()[k] for r in runs) for k in SEVERITIES}
        failing = sum(r.fails(fail_on) for r in runs)
        lines += [f"{len(runs)} datasets, {failing} failing (fail on {fail_on}): {count(totals['error'], 'error')}, "
                  f"{count(totals['warning'], 'warning')}, {totals['info']} info", ""]
    for run in runs:
        lines += render_run(run, fail_on)
    stream.write("\n".join(lines).rstrip("\n") + "\n")
