"""The one result shape: findings, rule outcomes and runs. Reporters only ever see these."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any

SCHEMA_VERSION = "1.1"
# roles of locations that an aggregate read: they explain a finding but do not identify it
AGGREGATED_ROLES = {"part", "table", "claimed", "compared", "series", "stock", "outflow", "inflow", "aligned"}
SEVERITIES = ("error", "warning", "info")
STATUSES = ("passed", "failed", "undecided", "not_applicable", "broken")


@dataclass
class Location:
    """One figure involved in a finding: a table cell or a claim in the narrative."""

    file: str
    row: int | None  # 1-based line in the file
    table: str | None = None
    claim: str | None = None
    column: str | None = None
    key: dict[str, Any] = field(default_factory=dict)
    value: str | None = None  # as printed
    role: str | None = None  # e.g. total, part, observed, expected, claim
    label: str | None = None  # a person's name for where it is: table title and row, or the locator
    provenance: str | None = None  # where it was printed in the source document
    cell: str | None = None  # in a spreadsheet, the sheet and cell ("Sheet1!C4"); `row` is the sheet's row

    @property
    def place(self) -> str:
        """Where it is, for people: `file:row`, or in a spreadsheet `file!Sheet1!C4`."""
        if self.cell:
            return f"{self.file}!{self.cell}"
        return f"{self.file}:{self.row}" if self.row is not None else self.file

    def identity(self) -> tuple:
        """What identifies the place, independent of line numbers and values."""
        return (self.table or "", self.claim or "", self.column or "", json.dumps(self.key, sort_keys=True))

    def to_dict(self) -> dict:
        # by hand: dataclasses.asdict deep-copies every value, and a run can hold 100,000 locations
        d = {}
        for name in _LOCATION_FIELDS:  # one pass, the fields in their order
            v = getattr(self, name)
            if v is not None and v != {}:
                d[name] = dict(v) if name == "key" else v
        d.setdefault("row", self.row)
        return d


_LOCATION_FIELDS = tuple(f.name for f in fields(Location))


@dataclass
class Finding:
    rule: str
    severity: str
    message: str
    locations: list[Location]
    observed: float | None = None
    expected: float | None = None
    difference: float | None = None
    tolerance: float | None = None
    unit: str | None = None
    relation: str = "=="  # how observed should relate to expected: ==, <=, >, ...
    dataset: str = ""
    hint: str | None = None
    subject: str = ""  # identifies the item checked when locations alone do not (e.g. a column)
    fingerprint: str = ""
    baseline: str | None = None  # "accepted" when a baseline entry accepts this very finding, with its reason
    baseline_reason: str | None = None
    explanation: dict | None = None  # `audit check --explain`: the corrections that would resolve it
    decimals: int | None = None  # the precision its message printed its values at (human outputs show them so)

    @property
    def accepted(self) -> bool:
        return self.baseline == "accepted"

    def seal(self) -> "Finding":
        """Compute the fingerprint: the rule, the dataset, the item checked and the places that
        identify it (a total cell, a claim, a row), not the rows an aggregate happened to read, nor
        line numbers or values. Adding, removing or moving other rows keeps it."""
        ids = sorted({loc.identity() if loc.role not in AGGREGATED_ROLES else (loc.table or "", "", "", "")
                      for loc in self.locations})
        payload = json.dumps([self.rule, self.dataset, self.subject, ids], sort_keys=True)
        self.fingerprint = hashlib.sha256(payload.encode()).hexdigest()[:16]
        return self

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "locations": [loc.to_dict() for loc in self.locations],
            "observed": _num(self.observed),
            "expected": _num(self.expected),
            "difference": _num(self.difference),
            "tolerance": _num(self.tolerance),
            "unit": self.unit,
            "relation": self.relation,
            "hint": self.hint,
            "fingerprint": self.fingerprint,
            **({"baseline": self.baseline, "baseline_reason": self.baseline_reason} if self.baseline else {}),
            **({"explanation": self.explanation} if self.explanation is not None else {}),
        }


def _num(v: float | None) -> float | int | None:
    if v is None:
        return None
    v = round(float(v), 10)
    return int(v) if v.is_integer() else v


@dataclass
class RuleResult:
    rule: str
    title: str
    kind: str
    severity: str
    status: str
    items: int = 0
    passed: int = 0
    failed: int = 0
    undecided: int = 0
    reason: str | None = None  # why not applicable or undecided, or what broke
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)
    file: str | None = None
    line: int | None = None
    rationale: str = ""
    truncated: int = 0  # failed items beyond the per-rule cap: counted, not listed as findings

    def conclude(self, undecided_reason: str, absent_reason: str) -> None:
        """The status its tallies give: failed with a finding or a failed item; undecided when items
        were read and none could be decided (R validate's NA: not a pass); not applicable when there
        was nothing to check; else passed. A reason already given is kept."""
        if self.findings or self.failed:
            self.status = "failed"
        elif self.items and self.items == self.undecided:
            self.status, self.reason = "undecided", self.reason or undecided_reason
        elif not self.items:
            self.status, self.reason = "not_applicable", self.reason or absent_reason
        else:
            self.status = "passed"

    def to_dict(self) -> dict:
        d = {
            "id": self.rule, "title": self.title, "kind": self.kind, "severity": self.severity,
            "status": self.status, "items": self.items, "passed": self.passed, "failed": self.failed,
            "undecided": self.undecided, "findings": len(self.findings), "seconds": round(self.seconds, 4),
        }
        if self.reason:
            d["reason"] = self.reason
        if self.truncated:
            d["truncated"] = self.truncated
        if self.file:
            d["source"] = f"{self.file}:{self.line}"
        return d


@dataclass
class Run:
    dataset: str
    path: str
    profile: str | None
    pack: str
    rules: list[RuleResult]
    meta: dict = field(default_factory=dict)
    seconds: float = 0.0
    stale: list[dict] = field(default_factory=list)  # baseline entries whose finding no longer occurs
    expired: list[dict] = field(default_factory=list)  # baseline entries past their date: they fail the run
    # a dataset audited in the figure layout, when the caller keeps them (the report's charts): its
    # figures and the vocabulary that reads them (audit.figures.run.FigureData); never serialised
    figures: Any = field(default=None, repr=False, compare=False)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.rules for f in r.findings]

    def counts(self) -> dict[str, int]:
        c = {s: 0 for s in SEVERITIES}
        for f in self.findings:
            c[f.severity] += 1
        return c

    def status_counts(self) -> dict[str, int]:
        c = {s: 0 for s in STATUSES}
        for r in self.rules:
            c[r.status] += 1
        return c

    def failing(self, fail_on: str) -> list[Finding]:
        """Findings that fail the run: at or above `fail_on`, and not accepted by a baseline."""
        if fail_on == "never":
            return []
        levels = SEVERITIES[: SEVERITIES.index(fail_on) + 1]
        return [f for f in self.findings if f.severity in levels and not f.accepted]

    def fails(self, fail_on: str) -> bool:
        return bool(self.failing(fail_on)) or (fail_on != "never" and bool(self.expired))

    def to_dict(self) -> dict:
        return {
            "version": SCHEMA_VERSION,
            "dataset": {"name": self.dataset, "path": self.path, "profile": self.profile,
                        **{k: v for k, v in self.meta.items() if k in ("country", "year", "title")}},
            "pack": self.pack,
            "summary": {"rules": self.status_counts(), "findings": self.counts(),
                        "seconds": round(self.seconds, 4)},
            "rules": [r.to_dict() for r in self.rules],
            "findings": [f.to_dict() for r in self.rules for f in r.findings],
            **({"baseline": {"accepted": sum(f.accepted for f in self.findings), "stale": self.stale,
                             "expired": self.expired}} if self.stale or self.expired or
               any(f.baseline for f in self.findings) else {}),
        }
