"""Terminal output with rich: findings grouped by severity, each with its values and where every
figure involved was printed, then the status of the rules and a summary line.

Every value from the data is printed through `audit.escape.terminal_markup` (`esc` below): no
control character, escape sequence or rich markup from the data reaches the terminal.
"""
from __future__ import annotations

from typing import IO

from ..escape import terminal_markup as esc
from ..findings import SEVERITIES, Finding, Location, Run

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
ROLE_MARK = {"total": "printed total", "part": "row", "claim": "text"}


def _num(v: float | None) -> str:
    if v is None:
        return "-"
    v = round(v, 6)
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.6f}".rstrip("0").rstrip(".")


def _where(loc: Location) -> str:
    """Where a figure was printed, as markup (every part escaped)."""
    place = loc.place if loc.row or loc.cell else loc.file
    role = f"[{loc.role}] " if loc.role else ""
    value = f" = {loc.value}" if loc.value is not None and loc.claim is None else ""
    text = esc(f"{role}{loc.label or loc.table or loc.claim}{value}  ({place})")
    if loc.claim and loc.provenance:
        text += f'\n          "{esc(loc.provenance)}"'
    return text


def _finding(console, f: Finding) -> None:
    """One finding, printed as one block (one call to rich per finding: a run can hold thousands)."""
    lines = [f"  [{STYLE.get(f.severity, 'bold')}]{esc(f'{f.severity:<7}')}[/] [bold]{esc(f.rule)}[/]  "
             f"{esc(f.message)}"]
    if f.observed is not None or f.expected is not None:
        unit = esc(f" {f.unit}") if f.unit else ""
        expected = "expected" if f.relation == "==" else f"required {esc(f.relation)}"
        lines.append(f"[dim]          observed {_num(f.observed)}{unit} · {expected} {_num(f.expected)}{unit} · "
                     f"difference {_num(f.difference)}{unit} · tolerance {_num(f.tolerance)}{unit}[/dim]")
    shown = f.locations[:8]
    lines += ["        at " + _where(loc) for loc in shown]
    if len(f.locations) > len(shown):
        lines.append(f"[dim]        … and {len(f.locations) - len(shown)} more places[/dim]")
    if f.hint:
        lines.append(f"[dim]        hint: {esc(f.hint)}[/dim]")
    if f.explanation:
        from ..explain.render import summary

        head, sets = summary(f.explanation)
        lines.append(f"        {esc(head)}")
        ties = sum(1 for changes in sets if not changes[0].startswith("next best"))
        for n, changes in enumerate(sets, 1):
            lead = f"({n}) " if ties > 1 and n <= ties else ""
            lines.append("          " + esc(lead + "; ".join(changes)))
    console.print("\n".join(lines))


def report(runs: list[Run], stream: IO[str], fail_on: str = "error") -> None:
    from rich.console import Console

    wide = None if getattr(stream, "isatty", lambda: False)() else 160
    console = Console(file=stream, soft_wrap=True, highlight=False, emoji=False, width=wide)
    totals = {s: 0 for s in SEVERITIES}
    for run in runs:
        title = run.meta.get("title") or run.dataset
        console.print(f"[bold]{esc(run.dataset)}[/] - {esc(title)}  (profile {esc(run.profile)})")
        findings = [f for f in run.findings if not f.accepted]
        accepted = [f for f in run.findings if f.accepted]
        for severity in SEVERITIES:
            group = [f for f in findings if f.severity == severity]
            if not group:
                continue
            console.print(f"\n[{STYLE[severity]}]{severity.upper()}S ({len(group)})[/]")
            for f in group:
                _finding(console, f)
        if accepted:
            console.print(f"\n[dim]ACCEPTED BY THE BASELINE ({len(accepted)})[/]")
            for f in accepted:
                console.print(f"  [dim]{esc(f'{f.severity:<7}')} {esc(f.rule)}  {esc(f.message)}[/]")
                console.print(f"          [dim]reason: {esc(f.baseline_reason or '')}[/]")
        for title, entries, style in (("EXPIRED BASELINE ENTRIES", run.expired, "bold red"),
                                      ("STALE BASELINE ENTRIES", run.stale, "yellow")):
            if not entries:
                continue
            console.print(f"\n[{style}]{title} ({len(entries)})[/]")
            for e in entries:
                extra = f", expired {esc(e['expires'])}" if title.startswith("EXPIRED") else ": the finding no longer occurs"
                console.print(f"  {esc(e['rule'])} {esc(e['fingerprint'])} (baseline line {esc(e.get('line'))}){extra}")
                console.print(f"          [dim]{esc(e.get('message') or '')}[/]")
        for r in run.rules:
            if r.truncated:
                console.print(f"\n[dim]{esc(r.rule)}: {r.failed} items failed; the first {len(r.findings)} are "
                              f"listed, {r.truncated} more are counted only[/]")
        odd = [r for r in run.rules if r.status in ("broken",)]
        for r in odd:
            console.print(f"\n[bold magenta]broken rule[/] {esc(r.rule)} ({esc(f'{r.file}:{r.line}')}): {esc(r.reason or '')}")
        for status, heading in (("undecided", "Rules that could decide nothing"),
                                ("not_applicable", "Rules that do not apply")):
            quiet = [r for r in run.rules if r.status == status]
            if quiet:
                console.print(f"\n[dim]{heading} ({len(quiet)}):[/dim]\n" + "\n".join(
                    f"[dim]  {esc(r.rule)}: {esc(r.reason or '')}[/dim]" for r in quiet))
        s = run.status_counts()
        console.print(f"\nRules: {len(run.rules)} run, {s['passed']} passed, {s['failed']} failed, "
                      f"{s['undecided']} undecided, {s['not_applicable']} not applicable, {s['broken']} broken")
        c = {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}
        for k in totals:
            totals[k] += c[k]
        extra = f", {len(accepted)} accepted" if accepted else ""
        extra += f", {len(run.stale)} stale" if run.stale else ""
        extra += f", {len(run.expired)} expired" if run.expired else ""
        console.print(f"{esc(run.dataset)}: {c['error']} errors, {c['warning']} warnings, {c['info']} info"
                      f"{extra} ({run.seconds:.2f} s)\n")
    if len(runs) > 1:
        from rich.table import Table

        table = Table(title=f"{len(runs)} datasets", title_justify="left")
        for col in ("dataset", "errors", "warnings", "info", "accepted", "rules passed", "failed", "undecided", "n/a",
                    "broken", "seconds"):
            table.add_column(col, justify="left" if col == "dataset" else "right", no_wrap=True)
        names = [run.dataset for run in runs]
        for run in runs:
            live = [f for f in run.findings if not f.accepted]
            s = run.status_counts()
            # a name two datasets of the run share (one dataset in two layouts) is told apart by its folder
            label = run.dataset if names.count(run.dataset) == 1 else run.path
            table.add_row(esc(label), *(str(sum(1 for f in live if f.severity == sev)) for sev in SEVERITIES),
                          str(len(run.findings) - len(live)), str(s["passed"]), str(s["failed"]), str(s["undecided"]),
                          str(s["not_applicable"]), str(s["broken"]), f"{run.seconds:.2f}")
        console.print(table)
        console.print(f"[bold]{len(runs)} datasets: {totals['error']} errors, {totals['warning']} warnings, "
                      f"{totals['info']} info[/]")
