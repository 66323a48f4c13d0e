"""Baselines: the findings a repository's maintainers have accepted, each with a reason.

A baseline file (YAML, meant to be reviewed and committed) lists findings by dataset and
fingerprint, with the values they had when accepted. `audit check --baseline FILE` then fails only
on findings that are not in it. An entry accepts one specific discrepancy: when the values of its
finding change, the finding is new again and the entry is stale. Entries whose finding no longer
occurs are stale; entries past `expires` fail the run; an entry without a reason is an error.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import yaml

from .errors import AuditInputError, Problem, ProblemCollector
from .findings import Finding, Run
from .yamlio import Node, Number, Seq, load_yaml

FORMAT_VERSION = 1
# the keys of a baseline and what each holds: audit.schemas.BASELINE (checked when it is read)
HEADER = """\
# Accepted findings of `audit check`. Each entry accepts one discrepancy, with the values it had.
# Fill in `reason` for every entry (required); `owner` and `expires` (YYYY-MM-DD) are optional.
# Regenerate with `audit baseline create ... -o FILE`: reasons of unchanged entries are kept.
"""


@dataclass
class Entry:
    fingerprint: str
    dataset: str
    rule: str
    reason: str
    observed: float | None = None
    expected: float | None = None
    message: str = ""
    where: list[str] | None = None
    owner: str | None = None
    expires: dt.date | None = None
    line: int | None = None

    def matches(self, finding: Finding, dataset: str) -> bool:
        return (self.dataset == dataset and self.fingerprint == finding.fingerprint
                and same(self.observed, finding.observed) and same(self.expected, finding.expected))

    def summary(self) -> dict:
        return {"fingerprint": self.fingerprint, "dataset": self.dataset, "rule": self.rule, "reason": self.reason,
                "message": self.message, "line": self.line,
                **({"expires": self.expires.isoformat()} if self.expires else {})}


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)), abs(float(b)))


def _round(v: float | None):
    if v is None:
        return None
    v = round(float(v), 10)
    return int(v) if v.is_integer() else v


def entry_for(finding: Finding, dataset: str, keep: Entry | None = None) -> dict:
    where = [loc.place + (f" {loc.column}" if loc.column else "") for loc in finding.locations[:5]]
    return {
        "fingerprint": finding.fingerprint,
        "dataset": dataset,
        "rule": finding.rule,
        "message": finding.message,
        "where": where,
        "observed": _round(finding.observed),
        "expected": _round(finding.expected),
        "reason": keep.reason if keep else "",
        **({"owner": keep.owner} if keep and keep.owner else {}),
        **({"expires": keep.expires.isoformat()} if keep and keep.expires else {}),
    }


def write_baseline(runs: list[Run], stream: IO[str], previous: list[Entry] | None = None) -> int:
    """Write a baseline of every finding of the runs; keep reasons of entries that still match."""
    entries = []
    for run in runs:
        for f in run.findings:
            keep = next((e for e in previous or [] if e.matches(f, run.dataset)), None)
            entries.append(entry_for(f, run.dataset, keep))
    stream.write(HEADER)
    yaml.safe_dump({"version": FORMAT_VERSION, "entries": entries}, stream, sort_keys=False, allow_unicode=True,
                   width=110)
    return len(entries)


def load_baseline(path: str | Path, require_reasons: bool = True) -> list[Entry]:
    """Read and validate a baseline; every problem is reported with its line."""
    name = str(path)
    if not Path(path).exists():  # anything else that is not a regular file is refused when read, by name
        raise AuditInputError(Problem(name, "no such baseline file"))
    data = load_yaml(Path(path), kind="baseline")
    problems = ProblemCollector()
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise AuditInputError(Problem(name, "a baseline holds a list under 'entries'",
                                      _pos(data, "entries") or getattr(data, "line", None) or 1, field="entries"))
    version = data.get("version", FORMAT_VERSION)
    if isinstance(version, bool) or version != FORMAT_VERSION:
        problems.add(name, f"unsupported baseline version {str(version)[:40]} (this engine reads version "
                     f"{FORMAT_VERSION})", _pos(data, "version"), field="version")
    entries: list[Entry] = []
    items = data["entries"]
    for i, raw in enumerate(items):
        line = raw.line if isinstance(raw, Node) else items.item_positions[i][0] if isinstance(items, Seq) else None
        fp = raw.get("fingerprint", "")
        fp = fp.text if isinstance(fp, Number) else str(fp)  # 0123... written without quotes reads as a number
        if not re.fullmatch(r"[0-9a-f]{16}", fp):
            problems.add(name, "fingerprint must be 16 hexadecimal digits", _pos(raw, "fingerprint") or line,
                         field="fingerprint")
            continue
        for key in ("dataset", "rule"):
            if not raw.get(key):
                problems.add(name, f"entry {fp} needs '{key}'", line, field=key)
        reason = str(raw.get("reason") or "").strip()
        if require_reasons and not reason:
            problems.add(name, f"entry {fp} ({raw.get('rule')}) has no reason", _pos(raw, "reason") or line,
                         field="reason", hint="say why this discrepancy is accepted, or fix the data")
        expires = raw.get("expires")
        date = None
        if expires not in (None, ""):
            try:
                date = expires if isinstance(expires, dt.date) else dt.date.fromisoformat(str(expires))
            except ValueError:
                problems.add(name, f"expires '{expires}' is not a date (YYYY-MM-DD)", _pos(raw, "expires"),
                             field="expires")
        entries.append(Entry(fp, str(raw.get("dataset", "")), str(raw.get("rule", "")), reason,
                             _num(raw.get("observed")), _num(raw.get("expected")), str(raw.get("message", "")),
                             list(raw.get("where") or []), raw.get("owner"), date, line))
    problems.raise_if_any()
    return entries


def _num(v) -> float | None:
    return None if v is None else float(v)


def _pos(node, key: str) -> int | None:
    return node.pos(key)[0] if isinstance(node, Node) and key in node else None


def apply_baseline(runs: list[Run], entries: list[Entry], today: dt.date | None = None) -> None:
    """Mark accepted findings and record stale and expired entries on each run."""
    today = today or dt.date.today()
    for run in runs:
        mine = [e for e in entries if e.dataset == run.dataset]
        used: set[int] = set()
        for f in run.findings:
            for i, e in enumerate(mine):
                if e.matches(f, run.dataset):
                    used.add(i)
                    if e.expires is not None and e.expires < today:
                        continue
                    f.baseline, f.baseline_reason = "accepted", e.reason
                    break
        run.stale = [e.summary() for i, e in enumerate(mine) if i not in used]
        run.expired = [e.summary() for i, e in enumerate(mine) if i in used and e.expires is not None
                       and e.expires < today]
