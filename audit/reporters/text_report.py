"""Terminal output with rich: findings grouped by severity, each with its values and where every
figure involved was printed, then the status of the rules and a summary line.

Every value from the data is printed through `audit.escape.terminal_markup` (`esc` below): no
control character, escape sequence or rich markup from the data reaches the terminal.
"""
from __future__ import annotations

from typing import IO

from ..display import number, tolerance, unit as human_unit, units_in
from ..escape import terminal_markup as esc
from ..findings import SEVERITIES, Finding, Location, Run

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
ROLE_MARK = {"total": "printed total", "part": "row", "claim": "text"}


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _where(loc: Location) -> str:
    """Where a figure was printed, as markup (every part escaped)."""
    place = loc.place if loc.row or loc.cell else loc.file
    role = f"[{loc.role}] " if loc.role else ""
    value = f" = {loc.value}" if loc.value is not None and loc.claim is None else ""
    text = esc(units_in(f"{role}{loc.label or loc.table or loc.claim}{value}") + f"  ({place})")
    if loc.claim and loc.provenance:
        text += f'\n          "{esc(loc.provenance)}"'
    return text


def _finding(console, f: Finding, verbose: bool = False) -> None:
    """One finding, printed as one block (one call to rich per finding: a run can hold thousands)."""
    lines = [f"  [{STYLE.get(f.severity, 'bold')}]{esc(f'{f.severity:<7}')}[/] [bold]{esc(f.rule)}[/]  "
             f"{esc(units_in(f.message))}"]
    if f.observed is not None or f.expected is not None:
        unit = esc(f" {human_unit(f.unit)}") if human_unit(f.unit) else ""
        expected = "expected" if f.relation == "==" else f"required {esc(f.relation)}"
        d = f.decimals
        lines.append(f"[dim]          observed {number(f.observed, d)}{unit} · {expected} {number(f.expected, d)}{unit} · "
                     f"difference {number(f.difference, d)}{unit} · tolerance {tolerance(f.tolerance, d)}{unit}[/dim]")
    shown = f.locations if verbose else f.locations[:8]
    lines += ["        at " + _where(loc) for loc in shown]
    if len(f.locations) > len(shown):
        lines.append(f"[dim]        … and {_count(len(f.locations) - len(shown), 'more place')}[/dim]")
    if f.hint:
        lines.append(f"[dim]        hint: {esc(units_in(f.hint))}[/dim]")
    if f.explanation:
        from ..explain.render import summary

        head, sets = summary(f.explanation)
        lines.append(f"        {esc(head)}")
        ties = sum(1 for changes in sets if not changes[0].startswith("next best"))
        for n, changes in enumerate(sets, 1):
            lead = f"({n}) " if ties > 1 and n <= ties else ""
            lines.append("          " + esc(lead + "; ".join(changes)))
    console.print("\n".join(lines))


class _Plain:
    """A console for a report written to a file or a pipe with no colour: each line of markup is
    written as its plain text (what rich would write there, soft-wrapped), without rendering it;
    anything else (the table of datasets) goes to rich. A corpus's report is tens of thousands of
    lines: rendering each through rich took longer than the audit (bench/corpus.py)."""

    def __init__(self, console):
        from rich.text import Text

        self.console, self.from_markup = console, Text.from_markup

    def print(self, markup=None) -> None:
        if not isinstance(markup, str):
            return self.console.print(markup)
        self.console.file.write(self.from_markup(markup, emoji=False).plain + "\n")


def _summary_line(run: Run) -> str:
    live = [f for f in run.findings if not f.accepted]
    c = {s: sum(1 for f in live if f.severity == s) for s in SEVERITIES}
    accepted = len(run.findings) - len(live)
    extra = f", {accepted} accepted" if accepted else ""
    extra += f", {len(run.stale)} stale" if run.stale else ""
    extra += f", {len(run.expired)} expired" if run.expired else ""
    return (f"{esc(run.dataset)}: {_count(c['error'], 'error')}, {_count(c['warning'], 'warning')}, {c['info']} info"
            f"{extra} ({run.seconds:.2f} s)")


def _quiet(runs: list[Run], console, fail_on: str) -> None:
    """--quiet: the summary line of each run that fails, nothing when every run passes."""
    failing = [run for run in runs if run.fails(fail_on) or any(r.status == "broken" for r in run.rules)]
    for run in failing:
        console.print(_summary_line(run))


def report(runs: list[Run], stream: IO[str], fail_on: str = "error", verbosity: int = 0) -> None:
    """The text report. `verbosity` -1 (--quiet): only the summary line of each failing run;
    0: the findings that count, one line for those a baseline accepts, why rules did not apply;
    1 (--verbose): also every place of a finding, each accepted finding and every passed rule."""
    from rich.console import Console

    wide = None if getattr(stream, "isatty", lambda: False)() else 160
    console = Console(file=stream, soft_wrap=True, highlight=False, emoji=False, width=wide)
    if console.color_system is None and not console.is_terminal:
        console = _Plain(console)
    if verbosity < 0:
        return _quiet(runs, console, fail_on)
    verbose = verbosity > 0
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
                _finding(console, f, verbose)
        if accepted and not verbose:
            console.print(f"\n[dim]{_count(len(accepted), 'finding')} accepted by the baseline "
                          f"(--verbose lists them)[/]")
        elif accepted:
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
        if verbose:
            passed = [r for r in run.rules if r.status == "passed"]
            if passed:
                console.print(f"\n[dim]Rules that passed ({len(passed)}):[/dim]\n" + "\n".join(
                    f"[dim]  {esc(r.rule)}: {_count(r.items, 'item')} checked  "
                    f"({esc(f'{r.file}:{r.line}' if r.file else '')})[/dim]" for r in passed))
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
        console.print(_summary_line(run) + "\n")
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
        console.print(f"[bold]{len(runs)} datasets: {_count(totals['error'], 'error')}, "
                      f"{_count(totals['warning'], 'warning')}, {totals['info']} info[/]")
