"""The charts of a dataset in the figure layout, drawn from its figures (measures, members,
periods), never from how its tables were laid out; the chart classes are those of the table
layout (`audit.report.charts`).

- A `SeriesChart` for every measure, at one combination of members, printed for two periods or
  more of one length (years, quarters, instants...): bars for one source, a line per source
  (a table, the text) when several print it. Every point a finding names is marked in its
  severity's colour and links to it; a `trend` finding marks the later of its two periods, with
  the change.
- Per finding, the chart its rule's kind calls for: `additivity`, the printed whole beside the
  sum of its parts (`TotalChart`); `balance`, the stock over time against what the flows imply
  (`StockFlowChart`). The other kinds relate figures a chart would not make clearer than the
  finding's own table of values and places: they get none.

Each dataset's figures are read once to group them and once to find the figures of the
findings (a dictionary by where each was printed), so a corpus costs what its figures and
findings number, never their product. Texts are plain here; the writers escape them.
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from ..findings import Finding, Run
from .charts import Bar, Estimate, SeriesChart, SeriesPoint, StockFlowChart, TotalChart, num
from .model import (MAX_SERIES_GROUPS, MAX_SERIES_YEARS, ROLE_NAMES, change_note, fmt_num, mark, slug,
                    stock_flow_path)

if TYPE_CHECKING:  # pragma: no cover
    from ..figures.model import Figure
    from ..figures.run import FigureData

MAX_FIGURE_SERIES = 40  # series charts on one page; the findings still list every figure of the others


class Figures:
    """One dataset's figures as the charts read them: by where each was printed, in a unit."""

    def __init__(self, run: Run, data: "FigureData"):
        self.run, self.vocab = run, data.vocab
        self.figures = [f for f in data.figures if f.origin != "reference"]
        self.at: dict[tuple, Figure] = {}
        for fig in self.figures:
            self.at.setdefault((fig.file, fig.line, fig.column, fig.claim), fig)
        pairs: set[tuple[str, str]] = set()
        for fig in self.figures:
            pairs.update(fig.coords.items())
        seen = Counter(d for d, _m in pairs)
        # members every figure shares (the country a dataset reports on) do not tell figures apart
        self.shared = {d for d, n in seen.items() if n == 1}

    def of(self, loc) -> "Figure | None":
        return self.at.get((loc.file, loc.row, loc.column, loc.claim))

    def factor(self, unit: str | None) -> float:
        u = self.vocab.unit(unit) if unit else None
        return u.factor if u else 1.0

    def is_count(self, unit: str | None) -> bool:
        u = self.vocab.unit(unit) if unit else None
        return bool(u and self.vocab.quantities[u.quantity].number)

    def shown_unit(self, unit: str | None) -> str:
        from ..display import unit as human

        return "" if not unit or self.is_count(unit) else human(unit)

    def measure(self, name: str) -> str:
        m = self.vocab.measures.get(name)
        return (m.description if m and m.description else name.replace("_", " "))

    def members(self, coords: dict[str, str]) -> list[str]:
        """The members that tell figures apart: not a dimension's whole, not shared by all."""
        dims = self.vocab.dimensions
        return [f"{d} {m}" for d, m in coords.items() if d not in self.shared and d in dims and m != dims[d].all]

    def axis(self, measure: str, unit: str | None) -> str:
        title = self.measure(measure)
        if self.is_count(unit) or not unit:
            return title if "number" in title.lower() else f"{title} (number)"
        return f"{title} ({self.shown_unit(unit)})"


def source_name(fig: "Figure") -> str:
    from ..figures.kinds.base import source_label

    return source_label(fig)


def printed(fig: "Figure", unit: str | None, value: float | None) -> str:
    """A figure as printed, with its qualifier ("more than 1.6"); one printed in another unit than
    the chart's (the text's m2 on a chart in km2), as its value in the chart's unit."""
    q = "" if fig.qualifier in ("exact", "between") else fig.qualifier.replace("_", " ") + " "
    if fig.unit != unit and value is not None:
        return f"{q}{num(value, 6)}"
    return f"{q}{fig.printed}"


def _grain(period) -> tuple:
    """What periods of one series share: instants, or intervals of one length (in months)."""
    if period.instant:
        return ("instant",)
    return ("interval", round(((period.end - period.start).days + 1) / 30.4))


def _whole_year(period) -> int | None:
    s, e = period.start, period.end
    if not period.instant and s.year == e.year and (s.month, s.day, e.month, e.day) == (1, 1, 12, 31):
        return s.year
    return None


def series_charts(run: Run, fx: Figures, anchors: dict[int, str], kinds: dict[str, str]) -> list[SeriesChart]:
    """Every measure at one combination of members printed for several periods of one length."""
    groups: dict[tuple, list[Figure]] = {}
    grains: dict = {}
    for fig in fx.figures:
        grain = grains.get(fig.period)
        if grain is None:
            grain = grains[fig.period] = _grain(fig.period)
        # a figure's coordinates name every dimension of the vocabulary, in its order (audit.figures.load)
        key = (fig.measure, tuple(fig.coords.values()), grain)
        groups.setdefault(key, []).append(fig)
    charts: list[SeriesChart] = []
    where: dict[tuple, tuple[SeriesChart, SeriesPoint]] = {}
    used: set[str] = set()
    for (measure, _coords, _), figs in groups.items():
        periods = sorted({f.period for f in figs}, key=lambda p: (p.end, p.start))
        if len(periods) < 2 or len(periods) > MAX_SERIES_YEARS:
            continue
        sources = list(dict.fromkeys(f.source for f in figs))
        if len(sources) > MAX_SERIES_GROUPS:
            continue
        if len(charts) >= MAX_FIGURE_SERIES:
            break
        years = [_whole_year(p) for p in periods]
        by_year = all(y is not None for y in years)
        label = {p: (_whole_year(p) if by_year else p.label) for p in periods}
        units = Counter(f.unit for f in figs if f.unit)
        unit = units.most_common(1)[0][0] if units else None  # the unit most of its figures are printed in
        factor = fx.factor(unit)
        names = {s: source_name(next(f for f in figs if f.source == s)) for s in sources}
        points: list[SeriesPoint] = []
        drawn: dict[tuple, SeriesPoint] = {}  # (source, period) -> its point: a figure printed twice, the first
        pending = []
        for fig in figs:
            p = drawn.get((fig.source, fig.period))
            if p is None:
                value = fig.value / factor if fig.lo > float("-inf") or fig.hi < float("inf") else None
                p = drawn[(fig.source, fig.period)] = SeriesPoint(
                    year=label[fig.period], value=value, text=printed(fig, unit, value),
                    group=names[fig.source] if len(sources) > 1 else "", line=fig.line)
                points.append(p)
            pending.append(((fig.file, fig.line, fig.column, fig.claim), p))
        if sum(p.value is not None for p in points) < 2:
            continue
        members = fx.members(figs[0].coords)
        title = fx.measure(measure) + (f" ({', '.join(members)})" if members else "")
        base = slug(f"series-{measure}-{'-'.join(members)}")
        chart_id, n = base, 2
        while chart_id in used:
            chart_id, n = f"{base}-{n}", n + 1
        used.add(chart_id)
        order = {x: i for i, x in enumerate(label[p] for p in periods)}
        points.sort(key=lambda p: (p.group, order[p.year]))
        chart = SeriesChart(
            id=chart_id, title=title, table=" and ".join(names[s] for s in sources), column=fx.measure(measure),
            axis=fx.axis(measure, unit), unit=fx.shown_unit(unit), points=points,
            footnotes=sorted({f"{f.notes} on {f.label}" for f in figs if f.notes}), group_word="source",
            periods=[] if by_year else [label[p] for p in periods], by="year" if by_year else "period")
        charts.append(chart)
        for place, p in pending:
            where.setdefault(place, (chart, p))
    _flag(run, where, anchors, kinds)
    return charts


def _flag(run: Run, where: dict, anchors: dict[int, str], kinds: dict[str, str]) -> None:
    """Mark on the series every point a finding names (a trend: its later period, with the change)."""
    for f in run.findings:
        hits = [(loc, where[k]) for loc in f.locations
                if (k := (loc.file, loc.row, loc.column, loc.claim)) in where]
        if not hits:
            continue
        anchor = anchors.get(id(f), "")
        if kinds.get(f.rule) == "trend":
            loc, (chart, p) = hits[-1]
            previous = hits[0][1][1].year if len(hits) > 1 and hits[0][1][0] is chart else None
            mark(p, f, change_note(f, previous), anchor, chart.flags, chart.finding_anchors)
            continue
        for loc, (chart, p) in hits:  # noted with the figure's part in the finding: "released", "part"...
            if not any(fl.anchor == anchor and fl.year == p.year and fl.group == p.group for fl in chart.flags):
                mark(p, f, ROLE_NAMES.get(loc.role or "", (loc.role or f.rule).replace("_", " ")), anchor,
                     chart.flags, chart.finding_anchors)


def finding_chart(f: Finding, kind: str, fx: Figures, anchor: str) -> Any:
    """The chart a finding's kind calls for, or None (see the module's docstring)."""
    if f.observed is None or f.expected is None:
        return None
    if kind == "additivity":
        return total_chart(f, fx, anchor)
    if kind == "balance":
        return stock_flow_chart(f, fx, anchor)
    return None


def total_chart(f: Finding, fx: Figures, anchor: str) -> TotalChart | None:
    """The printed whole beside the sum of its parts, the sum split into the parts."""
    total = next((loc for loc in f.locations if loc.role == "total"), None)
    whole = fx.of(total) if total else None
    part_locs = [loc for loc in f.locations if loc.role == "part"]
    if whole is None or not part_locs:
        return None
    factor = fx.factor(f.unit)
    parts = []
    for loc in part_locs:
        fig = fx.of(loc)
        if fig is None:  # a part we cannot read back: draw the sum whole
            parts = []
            break
        differs = [m for d, m in fig.coords.items() if whole.coords.get(d) != m]
        parts.append(Bar(label=" / ".join(differs) or fig.label, value=fig.value / factor, text=fig.printed))
    rest = float(f.expected) - sum(p.value for p in parts)
    if parts and abs(rest) > 1e-9 * max(1.0, abs(float(f.expected))):
        parts.append(Bar(label="other parts", value=rest, text=fmt_num(rest)))  # the finding lists only some
    members = fx.members(whole.coords)
    measure = fx.measure(whole.measure) + (f" ({', '.join(members)}, {whole.period.label})" if members
                                           else f" ({whole.period.label})")
    source = source_name(whole)
    return TotalChart(
        id=f"chart-{anchor}", title=f"{source}: printed total of {measure} against its parts", table=source,
        column=measure, row_label=whole.label if whole.source != "text" else "", axis=fx.axis(whole.measure, f.unit),
        unit=fx.shown_unit(f.unit), printed=float(f.observed), printed_text=total.value or fmt_num(f.observed),
        parts=parts, expected=float(f.expected), difference=float(f.difference or 0.0),
        tolerance=float(f.tolerance or 0.0), part="part", column_word="measure")


def _year(period) -> int:
    """The year a stock's instant or a flow's interval is drawn at: the year it ends in."""
    return period.end.year


def stock_flow_chart(f: Finding, fx: Figures, anchor: str) -> StockFlowChart | None:
    """The stock's estimates over time against what the earlier one minus the outflows plus the
    inflows implies, with the flows by year."""
    factor = fx.factor(f.unit)
    stocks: dict[Any, list[Figure]] = {}
    flows: dict[str, dict[int, float]] = {"outflow": {}, "inflow": {}}
    for loc in f.locations:
        fig = fx.of(loc)
        if fig is None:
            continue
        if loc.role == "stock":
            stocks.setdefault(fig.period, []).append(fig)
        elif loc.role in flows:
            year = _year(fig.period)
            flows[loc.role][year] = flows[loc.role].get(year, 0.0) + fig.value / factor
    if len(stocks) < 2:
        return None
    first, last = min(stocks, key=lambda p: p.end), max(stocks, key=lambda p: p.end)
    if _year(first) >= _year(last):
        return None

    def estimate(period, observed: float | None) -> Estimate:
        figs = stocks[period]
        value = observed if observed is not None else sum(x.value for x in figs) / factor
        tables = list(dict.fromkeys(x.table_title or x.table for x in figs if x.source != "text"))
        if tables:
            return Estimate(year=_year(period), value=value, label=f"tables: {', '.join(map(str, tables))}",
                            source="table")
        return Estimate(year=_year(period), value=value, label=f"text: \u201c{figs[0].label or figs[0].claim}\u201d",
                        source="text", qualifier=figs[0].qualifier)

    chart = stock_flow_path(f, anchor, fx.shown_unit(f.unit), estimate(first, None), estimate(last, float(f.observed)),
                            flows["outflow"], flows["inflow"], [])
    chart.title = f"{fx.measure(stocks[first][0].measure)}: estimates {first.label} to {last.label} against the flows"
    return chart


def figure_views(run: Run, data: "FigureData", anchors: dict[int, str]):
    """The series of a figure run, and a function giving each finding's chart."""
    kinds = {r.rule: r.kind for r in run.rules}
    fx = Figures(run, data)

    def chart_of(f: Finding, kind: str, anchor: str):
        try:
            return finding_chart(f, kind, fx, anchor)
        except (KeyError, ValueError, TypeError, ZeroDivisionError, StopIteration):  # never break the report
            return None

    return series_charts(run, fx, anchors, kinds), chart_of


__all__ = ["MAX_FIGURE_SERIES", "Figures", "figure_views"]
