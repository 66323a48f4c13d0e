"""What a report shows, computed once from a run and its dataset; the HTML and Markdown writers
only lay it out, so both always carry the same findings, values and places.

Nothing here formats for one output or escapes: texts are plain strings, numbers are floats with
their printed text beside them where the data has one. Charts are described by the dataclasses
of `audit.report.charts` and chosen here:

- a `SeriesChart` for every table with a `year` field and a numeric column with two years or
  more (e.g. `clearance_summary`), the years a `change` or `compare` finding points into marked
  (bars for one value a year, lines for up to 8 rows a year; more than that gets no chart);
- a `TotalChart` for every finding of kind `totals`: the printed total beside the sum of its rows;
- a `StockFlowChart` for every finding of kind `stock_flow`: the estimates of the stock over time
  against what the flows between them imply, with what was released and added each year.

A dataset in the figure layout gets the same charts from its figures (`audit.report.figures`),
not from the layout of its tables.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..findings import SEVERITIES, Finding, Location, RuleResult, Run
from .charts import Bar, Estimate, Flag, SeriesChart, SeriesPoint, StockFlowChart, TotalChart

if TYPE_CHECKING:  # pragma: no cover
    from ..dataset import Dataset, Row, Table

ROLE_NAMES = {
    "total": "printed total", "part": "row of the total", "claim": "text", "table": "table figure",
    "input": "cell checked", "aligned": "compared with", "series": "series", "stock": "stock estimate",
    "outflow": "released", "inflow": "added", "compared": "compared", "claimed": "text figure",
    "observed": "observed", "expected": "expected",
}
RELATION_TEXT = {"==": "", "=": "", "<=": "≤ ", ">=": "≥ ", "<": "< ", ">": "> ", "!=": "≠ "}
MAX_SERIES_GROUPS = 8  # lines on one series chart (rows per year); a table with more gets no chart
MAX_SERIES_YEARS = 60
STATUS_NAMES = {"passed": "passed", "failed": "failed", "undecided": "undecided", "not_applicable": "not applicable",
                "broken": "broken"}


def fmt_num(v: float | None, digits: int = 6) -> str:
    """A number as the text reporter shows it: thousands separators, no trailing zeros."""
    if v is None:
        return "–"
    v = round(float(v), digits)
    if v == 0:
        v = 0.0  # no "-0"
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.{digits}f}".rstrip("0").rstrip(".")


def units_in(text: str) -> str:
    from ..display import units_in as convert

    return convert(text)


def _human(code: str | None) -> str:
    from ..display import unit

    return unit(code)


def with_unit(text: str, unit: str | None) -> str:
    return f"{text} {unit}" if unit and text != "–" else text


def slug(text: str, prefix: str = "") -> str:
    """An id or file stem made only of safe characters."""
    s = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)).strip("-.")
    return prefix + (s or "x")


# -- views ------------------------------------------------------------------------------------

@dataclass
class LocationView:
    role: str  # the engine's role (total, part, claim, ...)
    role_name: str  # for a person
    where: str  # the label: table title and row and column, or the claim's section and locator
    value: str  # as printed
    file: str
    row: int | None
    table: str | None
    column: str | None
    claim: str | None
    key: str  # the row's key as "region=Jabrayil"
    provenance: str  # where it was printed in the source document; the quote for a claim
    is_claim: bool
    cell: str | None = None  # in a spreadsheet: "Sheet1!C4"

    @property
    def source(self) -> str:
        if self.cell:
            return f"{self.file}!{self.cell}"
        return f"{self.file}:{self.row}" if self.row is not None else self.file


@dataclass
class FindingView:
    anchor: str
    rule: str
    rule_title: str
    kind: str
    severity: str
    message: str
    hint: str
    observed: str  # with unit
    expected: str  # with relation and unit
    expected_label: str
    difference: str
    tolerance: str
    unit: str
    relation: str
    locations: list[LocationView]
    accepted: bool = False
    baseline_reason: str = ""
    chart: Any = None  # TotalChart | StockFlowChart | None
    series_anchor: str = ""  # the series chart this finding marks, if any
    explanation: tuple[str, list[list[str]]] | None = None  # audit explain: heading, corrections (each its changes)


@dataclass
class RuleView:
    id: str
    anchor: str
    title: str
    kind: str
    severity: str
    status: str
    items: int
    passed: int
    failed: int
    undecided: int
    findings: int
    reason: str
    source: str
    rationale: str
    finding_anchors: list[str] = field(default_factory=list)


@dataclass
class DatasetView:
    name: str
    stem: str  # file name of its pages, without suffix
    title: str
    country: str
    year: str
    profile: str
    pack: str
    path: str
    source: str  # the document the data were transcribed from
    status_counts: dict[str, int]
    severity_counts: dict[str, int]
    accepted: int
    rules: list[RuleView]
    findings: list[FindingView]
    series: list[SeriesChart]
    stale: list[dict]
    expired: list[dict]
    has_dataset: bool
    figure_layout: bool = False  # audited as figures (audit/figures): its charts are drawn from its figures

    @property
    def rules_run(self) -> int:
        return len(self.rules)

    @property
    def charted(self) -> bool:
        return bool(self.series) or any(f.chart is not None for f in self.findings)

    def findings_of(self, severity: str) -> list[FindingView]:
        return [f for f in self.findings if f.severity == severity]


# -- building ---------------------------------------------------------------------------------

def finding_anchors(run: Run) -> dict[int, str]:
    """A stable id for every finding of a run (from its fingerprint), keyed by id() of the finding."""
    anchors: dict[int, str] = {}
    used: set[str] = set()
    for i, f in enumerate(run.findings):
        anchor = slug(f.fingerprint or f"{f.rule}-{i + 1}", "f-")
        base, n = anchor, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        anchors[id(f)] = anchor
    return anchors


def build_dataset_view(run: Run, dataset: "Dataset | None", stem: str) -> DatasetView:
    anchors = finding_anchors(run)
    rules: list[RuleView] = []
    findings: list[FindingView] = []
    series: list[SeriesChart] = []
    chart_of = None
    if run.figures is not None:  # the figure layout: charts from its figures (audit.report.figures)
        from .figures import figure_views

        series, chart_of = figure_views(run, run.figures, anchors)
    elif dataset is not None:
        series = _series_charts(run, dataset, anchors)
        chart_of = lambda f, kind, anchor: _table_chart(f, kind, dataset, anchor)  # noqa: E731
    for r in run.rules:
        rv = _rule_view(r)
        rules.append(rv)
        for f in r.findings:
            fv = _finding_view(f, r, anchors[id(f)], chart_of)
            rv.finding_anchors.append(fv.anchor)
            findings.append(fv)
    order = {s: i for i, s in enumerate(SEVERITIES)}
    findings.sort(key=lambda f: order.get(f.severity, len(order)))  # stable: rule order within a severity
    for chart in series:
        for fv in findings:
            if fv.anchor in chart.finding_anchors:
                fv.series_anchor = fv.series_anchor or chart.id
    meta = run.meta or {}
    src = ""
    if dataset is not None:
        source = dataset.meta.get("source")
        if isinstance(source, dict):
            src = str(source.get("title") or source.get("file") or "")
        elif source:
            src = str(source)
    return DatasetView(
        name=run.dataset, stem=stem, title=str(meta.get("title") or run.dataset),
        country=str(meta.get("country") or ""), year=str(meta.get("year") or ""), profile=str(run.profile or ""),
        pack=str(run.pack or ""), path=str(run.path or ""), source=src,
        status_counts=run.status_counts(), severity_counts=run.counts(),
        accepted=sum(1 for f in run.findings if f.accepted), rules=rules, findings=findings, series=series,
        stale=list(run.stale or []), expired=list(run.expired or []), has_dataset=dataset is not None,
        figure_layout=is_figure_run(run))


SERIES_HEADINGS = {  # (heading, what the charts are) by layout: table (False), figure (True)
    False: ("Series over the years", "Each multi-year table, as printed."),
    True: ("Series over time", "Each measure printed for several periods, at one combination of members, as "
                               "printed (a line for each table or text that prints it, when several do)."),
}


def is_figure_run(run: Run) -> bool:
    """Whether a run audited a dataset in the figure layout (its pack is a pack of rules over figures)."""
    from pathlib import Path

    from ..figures.kinds import KINDS
    from ..figures.pack import is_figure_pack

    if run.pack and Path(run.pack).is_dir():
        return is_figure_pack(run.pack)
    return any(r.kind in KINDS for r in run.rules)  # a bundled pack, shown as <audit>/rules/...


def _rule_view(r: RuleResult) -> RuleView:
    return RuleView(id=r.rule, anchor=slug(r.rule, "rule-"), title=r.title or "", kind=r.kind or "",
                    severity=r.severity, status=r.status, items=r.items, passed=r.passed, failed=r.failed,
                    undecided=r.undecided, findings=len(r.findings), reason=r.reason or "",
                    source=f"{r.file}:{r.line}" if r.file else "", rationale=" ".join((r.rationale or "").split()))


def _table_chart(f: Finding, kind: str, ds: "Dataset", anchor: str):
    """The chart of a finding of the table layout: a printed total, or a stock and its flows."""
    try:
        if kind == "totals":
            return total_chart(f, ds, anchor)
        if kind == "stock_flow":
            return stock_flow_chart(f, ds, anchor)
    except (KeyError, ValueError, TypeError, ZeroDivisionError, StopIteration):  # a courtesy: never break the report
        return None
    return None


def _finding_view(f: Finding, r: RuleResult, anchor: str, chart_of=None) -> FindingView:
    from ..display import number, tolerance, unit as human_unit

    unit = human_unit(f.unit)
    relation = f.relation or "=="

    def shown(v):
        return number(v, f.decimals, missing="–")

    if relation == "change":
        expected_label, expected = "previous period", with_unit(shown(f.expected), unit)
    else:
        expected_label = "expected" if relation in ("==", "=") else "required"
        expected = RELATION_TEXT.get(relation, relation + " ") + with_unit(shown(f.expected), unit)
    chart = chart_of(f, r.kind or "", anchor) if chart_of is not None else None
    return FindingView(
        anchor=anchor, rule=f.rule, rule_title=r.title or "", kind=r.kind or "", severity=f.severity,
        message=units_in(f.message), hint=units_in(f.hint or ""), observed=with_unit(shown(f.observed), unit),
        expected=expected, expected_label=expected_label, difference=with_unit(shown(f.difference), unit),
        tolerance=with_unit(tolerance(f.tolerance, f.decimals, missing="–"), unit), unit=unit, relation=relation,
        locations=[_location_view(loc) for loc in f.locations], accepted=f.accepted,
        baseline_reason=f.baseline_reason or "", chart=chart, explanation=_explanation(f))


def _explanation(f: Finding):
    if not f.explanation:
        return None
    from ..explain.render import summary

    return summary(f.explanation)


def _location_view(loc: Location) -> LocationView:
    role = loc.role or ""
    key = ", ".join(f"{k}={v}" for k, v in (loc.key or {}).items())
    return LocationView(role=role, role_name=ROLE_NAMES.get(role, role.replace("_", " ")),
                        where=units_in(loc.label or loc.table or loc.claim or loc.file), value=units_in(loc.value or ""),
                        file=loc.file, row=loc.row, table=loc.table, column=loc.column, claim=loc.claim, key=key,
                        provenance=loc.provenance or "", is_claim=bool(loc.claim), cell=loc.cell)


# -- reading values back from the dataset -------------------------------------------------------

_ROWS: dict[int, tuple["Table", dict[int, "Row"]]] = {}


def _row(table: "Table", line: int | None) -> "Row | None":
    """The row printed at a line; None for a table the engine read without loading it (its rows are
    not in Python, and the engine that could look them up is closed once the audit is done)."""
    if line is None or getattr(table, "external", None):
        return None
    hit = _ROWS.get(id(table))
    if hit is None or hit[0] is not table:
        hit = _ROWS[id(table)] = (table, {r.line: r for r in table.rows})
    return hit[1].get(line)


def clear_caches() -> None:
    _ROWS.clear()


def _factor(ds: "Dataset", unit: str | None) -> float:
    return ds.units.factor(unit) if ds.units is not None else 1.0


def location_value(loc: Location, ds: "Dataset", unit: str | None) -> float | None:
    """The number a location points at, in `unit` (the finding's unit), from the dataset itself."""
    if loc.claim:
        claim = next((c for c in ds.claims if c.id == loc.claim), None)
        if claim is None or claim.value is None:
            return None
        return claim.value * claim.factor / _factor(ds, unit)
    table = ds.tables.get(loc.table or "")
    if table is None or loc.column not in table.fields:
        return None
    row = _row(table, loc.row)
    cell = row.cells.get(loc.column) if row else None
    if cell is None or cell.value is None or isinstance(cell.value, (str, bool)):
        return None
    return float(cell.value) * table.fields[loc.column].factor / _factor(ds, unit)


def location_year(loc: Location, ds: "Dataset") -> int | None:
    """The period a location speaks of (the pack's period column, `claim_period`): its row's, the
    table's, or the claim's."""
    period = ds.claim_period
    if period is None:
        return None
    if loc.claim:
        claim = next((c for c in ds.claims if c.id == loc.claim), None)
        years = (claim.dims.get(period) or []) if claim else []
        return _int(years[0]) if len(years) == 1 else None
    table = ds.tables.get(loc.table or "")
    if table is None:
        return None
    row = _row(table, loc.row)
    if row is not None and period in row.cells and row.cells[period].value is not None:
        return _int(row.cells[period].value)
    if period in (loc.key or {}):
        return _int(loc.key[period])
    return _int(table.dimensions.get(period))


def _int(v: Any) -> int | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return int(f) if f.is_integer() else None


# -- charts -------------------------------------------------------------------------------------

def _axis_label(title: str, unit: str | None, count: bool = False) -> str:
    """An axis's label: the column's title and its unit; `count`: the column counts things (no unit)."""
    from ..display import unit as human_unit

    if not unit:
        return f"{title} (number)" if count and "number" not in title.lower() else title
    return units_in(title) if unit in title else f"{title} ({human_unit(unit)})"


def total_chart(f: Finding, ds: "Dataset", anchor: str) -> TotalChart | None:
    """The printed total beside the sum of its rows, the sum split into the rows."""
    if f.observed is None or f.expected is None:
        return None
    total = next((loc for loc in f.locations if loc.role == "total"), None)
    table = ds.tables.get(total.table or "") if total else None
    field_ = table.fields.get(total.column or "") if table and total else None
    parts = []
    for loc in f.locations:
        if loc.role != "part":
            continue
        row = _row(table, loc.row) if table else None
        value = location_value(loc, ds, f.unit if f.unit else None)
        if value is None:  # a row we cannot read back: draw the sum whole
            parts = []
            break
        parts.append(Bar(label=table.row_label(row) if (table and row) else (loc.label or ""), value=value,
                         text=loc.value or ""))
    rest = float(f.expected) - sum(p.value for p in parts)
    if parts and abs(rest) > 1e-9 * max(1.0, abs(float(f.expected))):
        # the finding lists only some of the rows (large tables): the others, as one segment
        parts.append(Bar(label="other rows", value=rest, text=fmt_num(rest)))
    column = field_.title if field_ else (total.column if total else "")
    row_label = ""
    if table and total:
        row = _row(table, total.row)
        row_label = table.row_label(row) if row else ""
    return TotalChart(
        id=f"chart-{anchor}", title=f"{table.title if table else ''}: printed total of {column} against its rows",
        table=_table_name(table) if table else "", column=column, row_label=row_label,
        axis=_axis_label(column, f.unit or (field_.shown_unit if field_ else None),
                         count=field_ is not None and field_.unit is not None and field_.shown_unit is None),
        unit=_human(f.unit),
        printed=float(f.observed), printed_text=total.value if total and total.value else fmt_num(f.observed),
        parts=parts, expected=float(f.expected), difference=float(f.difference or 0.0),
        tolerance=float(f.tolerance or 0.0))


def _table_name(table: "Table") -> str:
    number = table.provenance.get("table") if isinstance(table.provenance, dict) else None
    return f"{number} ({table.name})" if number else table.name


def _table_short(table: "Table") -> str:
    number = table.provenance.get("table") if isinstance(table.provenance, dict) else None
    return str(number or table.name)


def stock_flow_chart(f: Finding, ds: "Dataset", anchor: str) -> StockFlowChart | None:
    """Estimates of a stock over time against what the earlier one minus releases plus additions implies."""
    if f.observed is None or f.expected is None:
        return None
    unit = f.unit or None
    m = re.fullmatch(r"\s*(\d{4})\s*-\s*(\d{4})\s*", f.subject or "")
    stock_locs = [loc for loc in f.locations if loc.role == "stock"]
    by_year: dict[int, dict[str, Any]] = {}
    for loc in stock_locs:
        year = location_year(loc, ds)
        value = location_value(loc, ds, unit)
        if year is None or value is None:
            continue
        entry = by_year.setdefault(year, {"table": 0.0, "tables": [], "claims": []})
        if loc.claim:
            claim = next(c for c in ds.claims if c.id == loc.claim)
            entry["claims"].append((value, claim))
        else:
            entry["table"] += value
            if loc.table and loc.table not in entry["tables"]:
                entry["tables"].append(loc.table)
    if m:
        earlier, later = int(m.group(1)), int(m.group(2))
    elif len(by_year) >= 2:
        earlier, later = min(by_year), max(by_year)
    else:
        return None
    flows_out: dict[int, float] = {}
    flows_in: dict[int, float] = {}
    for loc in f.locations:
        if loc.role not in ("outflow", "inflow"):
            continue
        year, value = location_year(loc, ds), location_value(loc, ds, unit)
        if year is None or value is None:
            continue
        target = flows_out if loc.role == "outflow" else flows_in
        target[year] = target.get(year, 0.0) + value

    def estimate(year: int, observed: float | None) -> Estimate:
        entry = by_year.get(year) or {"table": 0.0, "tables": [], "claims": []}
        if entry["tables"]:
            names = ", ".join(_table_short(ds.tables[t]) for t in entry["tables"] if t in ds.tables)
            value = observed if observed is not None else entry["table"]
            return Estimate(year=year, value=value, label=f"tables: {names}", source="table")
        if entry["claims"]:
            value, claim = entry["claims"][0]
            return Estimate(year=year, value=observed if observed is not None else value,
                            label=f"text: \u201c{claim.locator or claim.id}\u201d", source="text",
                            qualifier=claim.qualifier)
        return Estimate(year=year, value=observed if observed is not None else 0.0, label="", source="")

    later_est = estimate(later, float(f.observed))
    earlier_est = estimate(earlier, None)
    # other printed estimates of the same measure (e.g. "more than 1.6 km2" in the text)
    measures = {c.measure for e in by_year.values() for _, c in e["claims"]}
    shown_claims = {c.id for e in by_year.values() for _, c in e["claims"]}
    others = []
    for claim in ds.claims:
        years = claim.dims.get(ds.claim_period or "") or []
        if claim.measure in measures and claim.id not in shown_claims and len(years) == 1 and claim.value is not None:
            year = _int(years[0])
            if year is not None:
                value = claim.value * claim.factor / _factor(ds, unit)
                q = "" if claim.qualifier == "exact" else claim.qualifier.replace("_", " ") + " "
                others.append(Estimate(year=year, value=value, label=f"text: {q}{fmt_num(value)}",
                                       source="text", qualifier=claim.qualifier))
    return stock_flow_path(f, anchor, _human(unit), earlier_est, later_est, flows_out, flows_in, others)


def stock_flow_path(f: Finding, anchor: str, unit: str, earlier_est: Estimate, later_est: Estimate,
                    flows_out: dict[int, float], flows_in: dict[int, float],
                    others: list[Estimate]) -> StockFlowChart:
    """The chart of a balance finding, whatever layout its figures were read from: the earlier and
    the later estimate, the flows by year (in the finding's unit), and the path the flows imply
    from the earlier estimate to the value the finding expected."""
    earlier, later = earlier_est.year, later_est.year
    released = sum(flows_out.values())
    added = sum(flows_in.values())
    start = float(f.expected) + released - added  # what the engine must have started from
    if earlier_est.source != "text" and abs(earlier_est.value - start) > 1e-6 * max(1.0, abs(start)):
        # no readable earlier estimate, or only some of its cells listed (large tables): trust the flows
        earlier_est.value = start
    # the path the flows imply, from the earlier estimate to the expected later one
    implied = [(earlier, earlier_est.value)]
    running = earlier_est.value
    for year in range(earlier, later + 1):
        running += flows_in.get(year, 0.0) - flows_out.get(year, 0.0)
        if year > earlier:
            implied.append((year, running))
    if abs(implied[-1][1] - float(f.expected)) > 1e-6 * max(1.0, abs(float(f.expected))):
        implied[-1] = (later, float(f.expected))
    years = sorted({earlier, later, *flows_out, *flows_in, *(e.year for e in others)})
    return StockFlowChart(
        id=f"chart-{anchor}", title=f"Estimates {earlier}\u2013{later} against what was released",
        unit=unit, earlier=earlier_est, later=later_est, others=others, implied=implied,
        released={y: flows_out.get(y, 0.0) for y in years if y in flows_out},
        added={y: flows_in.get(y, 0.0) for y in years if y in flows_in},
        expected=float(f.expected), tolerance=float(f.tolerance or 0.0), years=(years[0], years[-1]))


def change_note(f: Finding, previous: Any) -> str:
    """What a flagged point of a series says of a change: "-69% from 2014"; the rule's id when the
    change cannot be worked out."""
    if not f.expected:
        return f.rule
    note = f"{(f.observed - f.expected) / f.expected:+.0%}" if f.observed is not None else "change"
    return note + (f" from {previous}" if previous is not None else "")


def mark(p: SeriesPoint, f: Finding, note: str, anchor: str, flags: list[Flag], finding_anchors: list[str]) -> None:
    """Flag the point `p` of a series for the finding `f` (shown on the page as `anchor`)."""
    flags.append(Flag(year=p.year, group=p.group, severity=f.severity, rule=f.rule, note=note,
                      message=f.message, anchor=anchor))
    if anchor and anchor not in finding_anchors:
        finding_anchors.append(anchor)


def _series_charts(run: Run, ds: "Dataset", anchors: dict[int, str]) -> list[SeriesChart]:
    """Every multi-year table: one chart per numeric column, the years a rule flagged marked."""
    kinds = {r.rule: r.kind for r in run.rules}
    charts = []
    period = ds.claim_period  # the pack's period column
    for table in ds.tables.values():
        yf = table.fields.get(period) if period else None
        if yf is None or not yf.numeric:
            continue
        rows = [r for r in table.data_rows if r.cells.get(period) and r.cells[period].value is not None]
        if len({_int(r.cells[period].value) for r in rows}) < 2:
            continue
        for col, fld in table.fields.items():
            if col == period or not fld.numeric:
                continue
            points = []
            for row in rows:
                cell = row.cells.get(col)
                if cell is None:
                    continue
                group = " / ".join(v for k, v in table.row_key(row).items() if k != period and v)
                points.append(SeriesPoint(year=_int(row.cells[period].value), value=None if cell.value is None
                                          else float(cell.value), text=cell.text, group=group, line=row.line))
            if sum(p.value is not None for p in points) < 2:
                continue
            if len({p.group for p in points}) > MAX_SERIES_GROUPS or len({p.year for p in points}) > MAX_SERIES_YEARS:
                continue  # too many lines or years to read on one chart: the findings still list every figure
            flags: list[Flag] = []
            finding_anchors: list[str] = []
            for f in run.findings:
                kind = kinds.get(f.rule)
                if kind not in ("change", "compare"):
                    continue
                inside = [loc for loc in f.locations if loc.table == table.name and
                          (loc.column in (None, col))]
                if not inside:
                    continue
                marked = inside[:1] if kind == "change" else inside
                for loc in marked:
                    p = next((p for p in points if p.line == loc.row), None)
                    if p is None:
                        continue
                    if kind == "change":
                        note = change_note(f, next((location_year(x, ds) for x in inside[1:2]), None))
                    else:
                        note = f.rule
                    mark(p, f, note, anchors.get(id(f), ""), flags, finding_anchors)
            points.sort(key=lambda p: (p.group, p.year if p.year is not None else 0))
            charts.append(SeriesChart(
                id=slug(f"series-{table.name}-{col}"), title=f"{table.title}: {fld.title}",
                table=_table_name(table), column=fld.title, axis=_axis_label(fld.title, fld.shown_unit, count=fld.unit is not None and fld.shown_unit is None),
                unit=_human(fld.shown_unit), points=points, flags=flags,
                finding_anchors=finding_anchors, footnotes=[str(fn.get("marker", "")) + " " + str(fn.get("text", ""))
                                                            for fn in table.footnotes if isinstance(fn, dict)]))
    return charts


# -- across datasets -------------------------------------------------------------------------------

@dataclass
class IndexView:
    datasets: list[DatasetView]  # in the order given
    ranked: list[DatasetView]
    rules: list[tuple[str, str, str]]  # id, title, kind in first-seen order
    matrix: dict[tuple[str, str], tuple[str, int, str]]  # (rule, dataset) -> (status, findings, worst severity)
    firing: list[tuple[str, str, int, int, str]]  # rule, title, datasets where it fired, findings, worst severity
    collections: list["CollectionView"] = field(default_factory=list)  # ranked; empty for one folder


@dataclass
class CollectionView:
    """The datasets of one folder (a country's editions): their findings in all, and the findings
    that relate figures of two of its datasets (a figure revised between editions, a stock
    balanced across two reports)."""

    name: str
    datasets: list[DatasetView]
    severity_counts: dict[str, int]
    across: list[tuple[DatasetView, FindingView]]  # findings whose figures lie in two datasets or more


def rank_key(d: DatasetView) -> tuple:
    c, s = d.severity_counts, d.status_counts
    return (-c.get("error", 0), -c.get("warning", 0), -c.get("info", 0), -s.get("broken", 0), -s.get("failed", 0), d.name)


def build_index(views: list[DatasetView]) -> IndexView:
    rules: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    matrix = {}
    for d in views:
        for r in d.rules:
            if r.id not in seen:
                seen.add(r.id)
                rules.append((r.id, r.title, r.kind))
            sev = [f.severity for f in d.findings if f.rule == r.id]
            worst = min(sev, key=SEVERITIES.index) if sev else ""
            matrix[(r.id, d.name)] = (r.status, r.findings, worst)
    firing = []
    for rid, title, _ in rules:
        cells = [matrix[(rid, d.name)] for d in views if (rid, d.name) in matrix]
        n_data = sum(1 for c in cells if c[1] > 0)
        n_find = sum(c[1] for c in cells)
        if n_find:
            worst = min((c[2] for c in cells if c[2]), key=SEVERITIES.index)
            firing.append((rid, title, n_data, n_find, worst))
    firing.sort(key=lambda x: (-x[2], -x[3], SEVERITIES.index(x[4]), x[0]))
    return IndexView(datasets=views, ranked=sorted(views, key=rank_key), rules=rules, matrix=matrix, firing=firing,
                     collections=build_collections(views))


def build_collections(views: list[DatasetView]) -> list[CollectionView]:
    """The views grouped by the folder that holds them, when they come from two folders or more:
    most errors first, then warnings."""
    from pathlib import PurePath

    folders: dict[str, list[DatasetView]] = {}
    for d in views:
        folders.setdefault(PurePath(d.path).parent.as_posix(), []).append(d)
    if len(folders) < 2:
        return []
    out = []
    for folder, members in folders.items():
        roots = {PurePath(d.path).as_posix() for d in members}
        across = []
        for d in members:
            for f in d.findings:
                homes = {next((r for r in roots if loc.file == r or loc.file.startswith(r + "/")), loc.file)
                         for loc in f.locations}
                if len(homes) > 1:
                    across.append((d, f))
        counts = {sev: sum(d.severity_counts.get(sev, 0) for d in members) for sev in SEVERITIES}
        out.append(CollectionView(PurePath(folder).name or folder, members, counts, across))
    out.sort(key=lambda c: (-c.severity_counts.get("error", 0), -c.severity_counts.get("warning", 0), c.name))
    return out


__all__ = ["SERIES_HEADINGS", "CollectionView", "DatasetView", "FindingView", "IndexView", "LocationView", "RuleView", "build_dataset_view",
           "build_index", "clear_caches", "fmt_num", "slug"]
