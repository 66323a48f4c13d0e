"""GitHub Actions workflow commands: an annotation per finding, on the line of the reported figure.

One line per finding not accepted by a baseline:

    ::error file=datasets/x/table1.csv,line=4,title=printed-totals::Table 1: the printed total ...

(warning -> `::warning`, info -> `::notice`). The annotation points at the finding's first location:
the kinds order locations so that the first is the figure being reported (a printed total, a
claim, a row). Broken rules are `::error` annotations on their rule file; expired baseline entries
are `::error`, stale ones `::notice`. After the annotations, one plain summary line per dataset.

Every value is hostile and escaped (`audit.escape`): messages with `github_message` (`%`, CR and
LF, as the Actions toolkit does), properties with `github_property` (`:` and `,` too), and the
plain summary lines with `terminal`. No value can end a line, so every line that starts with
`::` is one of the commands above.
"""
from __future__ import annotations

from typing import IO

from ..escape import github_message, github_property, terminal
from ..findings import Finding, Run
from .sarif_report import relative_path

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def command(name: str, message: str, **properties: object) -> str:
    """One workflow command line; `name` is ours, the message and property values are escaped."""
    props = ",".join(f"{k}={github_property(v)}" for k, v in properties.items() if v is not None)
    return f"::{name}{' ' + props if props else ''}::{github_message(message)}"


def annotation(f: Finding) -> str:
    loc = f.locations[0] if f.locations else None
    return command(COMMAND.get(f.severity, "warning"), f.message,
                   file=relative_path(loc.file) if loc else None,
                   line=loc.row if loc else None,
                   title=f.rule)


def _entry(e: dict) -> str:
    text = f"{e.get('dataset', '?')}: baseline entry {e.get('fingerprint', '?')} for rule {e.get('rule', '?')}"
    if e.get("reason"):
        text += f" ({e['reason']})"
    return text


def summary(run: Run, fail_on: str) -> str:
    c = run.counts()
    s = run.status_counts()
    accepted = sum(f.accepted for f in run.findings)
    verdict = "fails" if run.fails(fail_on) else "passes"
    return (f"audit {terminal(run.dataset)}: {c['error']} errors, {c['warning']} warnings, {c['info']} info"
            + (f" ({accepted} accepted by the baseline)" if accepted else "")
            + f"; rules: {s['passed']} passed, {s['failed']} failed, {s['undecided']} undecided, "
              f"{s['not_applicable']} not applicable, {s['broken']} broken; {verdict} (fail on {fail_on})")


def report(runs: list[Run], stream: IO[str], fail_on: str = "error") -> None:
    for run in runs:
        for f in run.findings:
            if not f.accepted:
                stream.write(annotation(f) + "\n")
        for r in run.rules:
            if r.status == "broken":
                stream.write(command("error", f"{run.dataset}: the rule broke: {r.reason or 'unknown reason'}",
                                     file=relative_path(r.file) if r.file else None,
                                     line=r.line if r.file else None,
                                     title=f"{r.rule} (broken)") + "\n")
        for e in run.expired:
            stream.write(command("error", _entry(e), title="expired baseline entry") + "\n")
        for e in run.stale:
            stream.write(command("notice", _entry(e), title="stale baseline entry") + "\n")
    for run in runs:
        stream.write(summary(run, fail_on) + "\n")
