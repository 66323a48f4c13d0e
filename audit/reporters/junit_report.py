"""JUnit XML (the Jenkins/Surefire dialect pytest writes): for CI test-report views.

`<testsuites>` holds one `<testsuite>` per dataset run (name = the dataset) and in it one
`<testcase>` per rule (classname = the dataset, name = the rule id, time in seconds):

- a rule with findings that fail the run (at or above `fail_on`, not accepted by a baseline) has
  one `<failure message="..." type="SEVERITY">`: the message names the findings themselves (each
  message and where its first figure is printed, `file:row`; beyond MESSAGE_CHARS the rest are
  counted), as the one line a CI test view shows; its text lists every such finding in full: its
  message, then each figure involved as `file:row column = value`;
- findings that do not fail the run (below `fail_on`, or accepted by a baseline) are listed in the
  testcase's `<system-out>`;
- a rule that is not applicable, or none of whose items could be decided, is `<skipped message="why"/>`; a broken rule is `<error message="what broke"/>`
  (its findings, if any, are listed in the error's text);
- when the run has stale or expired baseline entries, a testcase named `(baseline)` lists them; the
  expired ones fail it (they fail the run, as in the exit code), unless `fail_on` is `never`.

The suite's `tests`, `failures`, `errors`, `skipped` count testcases; `time` is the run's duration.
Every text from the data goes through `audit.escape.xml_text` (ElementTree escapes the markup), so
the file parses whatever the data holds.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import IO

from ..escape import xml_text
from ..findings import SEVERITIES, Finding, Location, Run


def _time(seconds: float) -> str:
    # Surefire's time pattern allows at most three decimals.
    return f"{max(seconds, 0.0):.3f}"


def _where(loc: Location) -> str:
    place = loc.place
    what = loc.column or loc.claim or loc.table or ""
    text = f"{place} {what}".rstrip()
    if loc.value is not None:
        text += f" = {loc.value}"
    if loc.label:
        text += f"  ({loc.label})"
    return text


def _describe(f: Finding) -> str:
    lines = [f"{f.severity} {f.rule}: {f.message}"]
    if f.accepted:
        lines[0] += f"  [accepted by the baseline: {f.baseline_reason or 'no reason given'}]"
    lines += [f"    at {_where(loc)}" for loc in f.locations]
    if f.hint:
        lines.append(f"    hint: {f.hint}")
    return "\n".join(lines)


def _worst(findings: list[Finding]) -> str:
    return min((f.severity for f in findings), key=lambda s: SEVERITIES.index(s) if s in SEVERITIES else 99)


def _failing_levels(fail_on: str) -> tuple[str, ...]:
    if fail_on == "never":
        return ()
    return SEVERITIES[: SEVERITIES.index(fail_on) + 1]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


MESSAGE_CHARS = 1000  # of a failure's message attribute: its text holds everything


def _failure_message(findings: list[Finding]) -> str:
    """One line naming the findings: `message (file:row)`, joined with ` | `; past MESSAGE_CHARS
    the rest are counted (`… and 3 more findings`)."""
    parts: list[str] = []
    used = 0
    for n, f in enumerate(findings):
        loc = f.locations[0] if f.locations else None
        where = f" ({loc.file}:{loc.row})" if loc and loc.row is not None else f" ({loc.file})" if loc else ""
        part = " ".join(f.message.split()) + where
        if parts and used + len(part) > MESSAGE_CHARS:
            parts.append(f"… and {_plural(len(findings) - n, 'more finding')}")
            break
        parts.append(part)
        used += len(part) + 3
    return (f"{len(findings)} findings: " if len(findings) > 1 else "") + " | ".join(parts)


def _testsuite(run: Run, fail_on: str) -> tuple[ET.Element, dict[str, int]]:
    levels = _failing_levels(fail_on)
    suite = ET.Element("testsuite")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    cases: list[ET.Element] = []
    for r in run.rules:
        case = ET.Element("testcase", classname=xml_text(run.dataset), name=xml_text(r.rule), time=_time(r.seconds))
        failing = [f for f in r.findings if f.severity in levels and not f.accepted]
        failing_ids = {id(f) for f in failing}
        others = [f for f in r.findings if id(f) not in failing_ids]
        if r.status == "broken":
            error = ET.SubElement(case, "error", message=xml_text(r.reason or "the rule broke"), type="broken")
            where = f"{r.file}:{r.line}" if r.file else r.rule
            error.text = xml_text("\n\n".join([f"{where}: {r.reason or 'the rule broke'}"] +
                                            [_describe(f) for f in r.findings]))
            others = []
            counts["errors"] += 1
        elif r.status in ("not_applicable", "undecided") and not r.findings:
            ET.SubElement(case, "skipped", message=xml_text(r.reason or r.status.replace("_", " ")), type=r.status)
            counts["skipped"] += 1
        elif failing:
            failure = ET.SubElement(case, "failure", message=xml_text(_failure_message(failing)),
                                    type=xml_text(_worst(failing)))
            failure.text = xml_text("\n\n".join(_describe(f) for f in failing))
            counts["failures"] += 1
        if others:
            out = ET.SubElement(case, "system-out")
            out.text = xml_text("\n\n".join(_describe(f) for f in others))
        counts["tests"] += 1
        cases.append(case)

    if run.stale or run.expired:
        case = ET.Element("testcase", classname=xml_text(run.dataset), name="(baseline)", time=_time(0))
        if run.expired and levels:
            n = len(run.expired)
            failure = ET.SubElement(case, "failure", type="expired",
                                    message=f"{n} expired baseline {'entry' if n == 1 else 'entries'}")
            failure.text = xml_text("\n".join(_entry(e) for e in run.expired))
            counts["failures"] += 1
        lines = [f"stale (the finding no longer occurs): {_entry(e)}" for e in run.stale]
        if not levels:
            lines += [f"expired: {_entry(e)}" for e in run.expired]
        if lines:
            ET.SubElement(case, "system-out").text = xml_text("\n".join(lines))
        counts["tests"] += 1
        cases.append(case)

    suite.set("name", xml_text(run.dataset))
    for key in ("tests", "failures", "errors", "skipped"):
        suite.set(key, str(counts[key]))
    suite.set("time", _time(max(run.seconds, sum(r.seconds for r in run.rules))))
    props = {"path": run.path, "profile": run.profile, "pack": run.pack, "fail_on": fail_on,
             **{k: run.meta.get(k) for k in ("country", "year", "title")}}
    props = {k: v for k, v in props.items() if v is not None}
    if props:
        properties = ET.SubElement(suite, "properties")
        for k, v in props.items():
            ET.SubElement(properties, "property", name=k, value=xml_text(str(v)))
    suite.extend(cases)
    return suite, counts


def _entry(e: dict) -> str:
    parts = [str(e.get("rule", "?")), str(e.get("fingerprint", "?"))]
    text = " ".join(parts)
    extra = {k: v for k, v in e.items() if k not in ("rule", "fingerprint", "dataset")}
    if extra:
        text += " (" + ", ".join(f"{k}: {v}" for k, v in extra.items()) + ")"
    return text


def document(runs: list[Run], fail_on: str = "error") -> ET.Element:
    root = ET.Element("testsuites", name="audit")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    seconds = 0.0
    for run in runs:
        suite, counts = _testsuite(run, fail_on)
        root.append(suite)
        for key in totals:
            totals[key] += counts[key]
        seconds += float(suite.get("time", "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", _time(seconds))
    return root


def report(runs: list[Run], stream: IO[str], fail_on: str = "error") -> None:
    root = document(runs, fail_on)
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")
