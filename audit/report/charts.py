"""Charts as inline SVG, drawn here from the figures (no charting library, no script).

Three kinds, each a dataclass that also describes itself in words (`desc`, for the SVG's
`<desc>` and for readers of the Markdown) and as a small table of its figures (`table`):

- `SeriesChart`: a multi-year table column, or a measure printed for several periods, as bars
  (one series) or lines (several rows or sources per period); the periods a rule flagged are
  drawn in the finding's severity colour, with the change noted above them and a link to the
  finding. Its x axis is years (missing years left as gaps), or the `periods` it lists in order.
- `TotalChart`: a printed total beside the sum of its rows or parts (two horizontal bars, the
  second split into the parts).
- `StockFlowChart`: the estimates of a stock over time, the path that the earlier estimate minus
  what was released plus what was added implies, the tolerance around where it ends, and the
  yearly releases and additions as bars.

Every text from the data is escaped with `e`, which is `audit.escape.html_text` (quotes
included), before it enters the SVG; every attribute is double-quoted and holds only numbers, our
colours, or ids and links made by `audit.report.model.slug`. Every chart has `role="img"`, a
`<title>` and a `<desc>`, axis labels and units.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..display import count
from ..escape import html_text as e

SEVERITY_COLOURS = {"error": "#c0392b", "warning": "#b9770e", "info": "#2e6da4"}
NEUTRAL = "#5b7fa6"
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#e4e7eb"
PARTS = ("#4e79a7", "#86aed6")
PRINTED = "#334e68"
RELEASED = "#2a9d8f"
ADDED = "#8e6bbf"
IMPLIED = "#616e7c"
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#bab0ac")


def num(v: float | None, digits: int = 2) -> str:
    """A chart label: at most `digits` decimals (more for small non-zero values), separators."""
    if v is None:
        return "missing"
    if v != 0 and abs(v) < 10 ** -digits:
        digits = min(6, -math.floor(math.log10(abs(v))) + 1)
    v = round(float(v), digits)
    if v == 0:
        v = 0.0
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.{digits}f}".rstrip("0").rstrip(".")


def unit_text(v: float | None, unit: str, digits: int = 2) -> str:
    t = num(v, digits)
    return f"{t} {unit}" if unit and v is not None else t


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi]."""
    if not math.isfinite(lo) or not math.isfinite(hi):
        lo, hi = 0.0, 1.0
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    span = hi - lo
    mag = 10 ** math.floor(math.log10(span / n))
    step = mag
    for m in (1, 2, 2.5, 5, 10):
        step = m * mag
        if span / step <= n:
            break
    start = math.floor(lo / step + 1e-9) * step
    end = math.ceil(hi / step - 1e-9) * step
    count = int(round((end - start) / step))
    return [round(start + i * step, 10) for i in range(count + 1)]


def _text_width(text: str, size: float) -> float:
    return 0.58 * size * len(text)


@dataclass
class Bar:
    label: str
    value: float
    text: str = ""


@dataclass
class SeriesPoint:
    year: int | str | None  # a year, or the label of one of the chart's `periods`
    value: float | None
    text: str  # as printed
    group: str = ""  # the row's other key values, when a year has several rows
    line: int | None = None


@dataclass
class Flag:
    year: int | None
    group: str
    severity: str
    rule: str
    note: str  # e.g. "-69% from 2014"
    message: str
    anchor: str  # the finding's id on the page


@dataclass
class SeriesChart:
    id: str
    title: str
    table: str
    column: str
    axis: str
    unit: str
    points: list[SeriesPoint]
    flags: list[Flag] = field(default_factory=list)
    finding_anchors: list[str] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)  # the x axis in order, when it is not years
    by: str = "year"  # what the x axis is, for the description and the table
    group_word: str = "row"  # what tells its lines apart: rows of a table, or the sources of a measure

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(p.group for p in self.points))

    def positions(self) -> list:
        """The x axis, in order: the `periods`, or the years (every year between the first and the
        last, when they span 40 years or fewer, so that a missing year shows as a gap)."""
        if self.periods:
            return list(self.periods)
        years = sorted({p.year for p in self.points if isinstance(p.year, int)})
        if years and years[-1] - years[0] <= 40:
            years = list(range(years[0], years[-1] + 1))
        return years

    def _order(self):
        at = {x: i for i, x in enumerate(self.positions())}
        return lambda p: (p.group, at.get(p.year, -1))

    def flags_at(self, p: SeriesPoint) -> list[Flag]:
        return [f for f in self.flags if f.year == p.year and f.group == p.group]

    def desc(self) -> str:
        parts = []
        for p in self.points:
            who = f"{p.group} " if len(self.groups) > 1 else ""
            t = f"{who}{p.year}: {p.text or 'missing'}{(' ' + self.unit) if self.unit and p.value is not None else ''}"
            for fl in self.flags_at(p):
                t += f" (flagged by {fl.rule}: {fl.note})"
            parts.append(t)
        flagged = len({(f.year, f.group) for f in self.flags})
        head = f"{self.axis} by {self.by}, from {self.table}."
        tail = f" {flagged} of {len(self.points)} values flagged by a rule." if flagged else " No value flagged."
        return f"{head} {'; '.join(parts)}.{tail}"

    def table_rows(self) -> tuple[list[str], list[list[str]]]:
        multi = len(self.groups) > 1
        header = ([self.group_word] if multi else []) + [self.by, self.axis, "flagged"]
        rows = []
        for p in sorted(self.points, key=self._order()):
            flags = "; ".join(f"{f.rule} ({f.note})" for f in self.flags_at(p))
            rows.append(([p.group] if multi else []) + [str(p.year), p.text or "missing", flags])
        return header, rows


@dataclass
class TotalChart:
    id: str
    title: str
    table: str
    column: str
    row_label: str
    axis: str
    unit: str
    printed: float
    printed_text: str
    parts: list[Bar]
    expected: float
    difference: float
    tolerance: float
    part: str = "row"  # what the parts are: rows of a table, or parts of a figure along a dimension
    column_word: str = "column"

    def desc(self) -> str:
        rows = " + ".join(f"{b.label} {b.text or num(b.value)}" for b in self.parts)
        return (f"{self.table}, {self.column_word} {self.column}: the printed total (row {self.row_label or 'total'}) is "
                f"{unit_text(self.printed, self.unit, 6)}; its {count(len(self.parts), self.part)} add up to "
                f"{unit_text(self.expected, self.unit, 6)}" + (f" ({rows})" if rows else "") +
                f". Difference {unit_text(self.difference, self.unit, 6)}, tolerance {unit_text(self.tolerance, self.unit, 6)}.")

    def table_rows(self) -> tuple[list[str], list[list[str]]]:
        rows = [[f"printed total (row {self.row_label or 'total'})", num(self.printed, 6)]]
        rows += [[f"{self.part} {b.label}", b.text or num(b.value, 6)] for b in self.parts]
        rows += [[f"sum of the {count(len(self.parts), self.part)}", num(self.expected, 6)],
                 ["difference", num(self.difference, 6)], ["tolerance", num(self.tolerance, 6)]]
        return ["", self.axis], rows


@dataclass
class Estimate:
    year: int
    value: float
    label: str  # where it was printed: "tables: ..." or "text: ..."
    source: str  # table or text
    qualifier: str = "exact"


@dataclass
class StockFlowChart:
    id: str
    title: str
    unit: str
    earlier: Estimate
    later: Estimate
    others: list[Estimate]
    implied: list[tuple[int, float]]
    released: dict[int, float]
    added: dict[int, float]
    expected: float
    tolerance: float
    years: tuple[int, int]

    def desc(self) -> str:
        u = self.unit
        rel = ", ".join(f"{y}: {num(v)}" for y, v in sorted(self.released.items()))
        add = ", ".join(f"{y}: {num(v)}" for y, v in sorted(self.added.items()))
        gap = self.later.value - self.expected
        text = (f"Estimate of {self.earlier.year}: {unit_text(self.earlier.value, u)} ({self.earlier.label}). "
                f"Released from {self.earlier.year} to {self.later.year}: {unit_text(sum(self.released.values()), u)}"
                + (f" ({rel})" if rel else "") + f"; added: {unit_text(sum(self.added.values()), u)}"
                + (f" ({add})" if add else "") + f". That leaves {unit_text(self.expected, u)} in {self.later.year}; "
                f"the estimate printed for {self.later.year} is {unit_text(self.later.value, u)} ({self.later.label}), "
                f"{unit_text(abs(gap), u)} {'less' if gap < 0 else 'more'}, against a tolerance of "
                f"{unit_text(self.tolerance, u)}.")
        if self.others:
            text += " Other printed estimates: " + "; ".join(f"{o.year}: {o.label}" for o in self.others) + "."
        return text

    def table_rows(self) -> tuple[list[str], list[list[str]]]:
        u = f" ({self.unit})" if self.unit else ""
        years = range(self.years[0], self.years[1] + 1)
        implied = dict(self.implied)
        rows = []
        for y in years:
            est = [x for x in (self.earlier, self.later, *self.others) if x.year == y]
            rows.append([str(y), "; ".join(f"{num(x.value)} ({x.label})" for x in est),
                         num(implied[y]) if y in implied else "", num(self.released[y]) if y in self.released else "",
                         num(self.added[y]) if y in self.added else ""])
        return ["year", f"printed estimate{u}", f"implied by the flows{u}", f"released{u}", f"added{u}"], rows


# -- drawing ------------------------------------------------------------------------------------

W = 720


def _open(chart_id: str, title: str, desc: str, height: int) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{e(chart_id)}-svg" role="img" '
            f'viewBox="0 0 {W} {height}" width="{W}" height="{height}" '
            f'aria-labelledby="{e(chart_id)}-title {e(chart_id)}-desc" font-size="12">',
            f'<title id="{e(chart_id)}-title">{e(title)}</title>',
            f'<desc id="{e(chart_id)}-desc">{e(desc)}</desc>']


def _t(x: float, y: float, text: str, *, anchor: str = "start", size: float = 12, fill: str = INK,
       weight: str = "normal", extra: str = "") -> str:
    w = f' font-weight="{weight}"' if weight != "normal" else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{w}{extra}>'
            f'{e(text)}</text>')


def _y_axis(ticks: list[float], y, left: float, right: float, label: str, top: float, bottom: float,
            unit: str = "") -> list[str]:
    out = []
    for t in ticks:
        yy = y(t)
        out.append(f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{GRID}"/>')
        out.append(_t(left - 8, yy + 4, num(t, 6), anchor="end", size=11, fill=MUTED))
    out.append(f'<line x1="{left:.1f}" x2="{left:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" stroke="{MUTED}"/>')
    cy = (top + bottom) / 2
    out.append(f'<text x="16" y="{cy:.1f}" transform="rotate(-90 16 {cy:.1f})" text-anchor="middle" '
               f'font-size="12" fill="{INK}">{e(label)}</text>')
    return out


def render(chart) -> str:
    if isinstance(chart, SeriesChart):
        return series_svg(chart)
    if isinstance(chart, TotalChart):
        return total_svg(chart)
    if isinstance(chart, StockFlowChart):
        return stock_flow_svg(chart)
    raise TypeError(f"not a chart: {chart!r}")


def series_svg(c: SeriesChart) -> str:
    H = 340
    left, right, top, bottom = 78, W - 24, 48, H - 56
    values = [p.value for p in c.points if p.value is not None]
    lo_v, hi_v = min(0.0, min(values)), max(0.0, max(values))
    room = 0.18 * ((hi_v - lo_v) or 1.0)  # for the value labels and the notes of flagged years
    ticks = nice_ticks(lo_v - (room if lo_v < 0 else 0.0), hi_v + (room if hi_v > 0 or lo_v == 0 else 0.0))
    lo, hi = ticks[0], ticks[-1]

    def y(v: float) -> float:
        return bottom - (v - lo) / (hi - lo) * (bottom - top)

    years = c.positions()
    at = {yr: i for i, yr in enumerate(years)}
    band = (right - left) / max(1, len(years))

    def x(year) -> float:
        return left + band * (at[year] + 0.5)

    out = _open(c.id, c.title, c.desc(), H)
    out += _y_axis(ticks, y, left, right, c.axis, top, bottom)
    out.append(f'<line x1="{left}" x2="{right}" y1="{y(0 if lo <= 0 <= hi else lo):.1f}" '
               f'y2="{y(0 if lo <= 0 <= hi else lo):.1f}" stroke="{MUTED}"/>')
    for yr in years:
        out.append(_t(x(yr), bottom + 18, str(yr), anchor="middle", size=11, fill=MUTED))
    out.append(_t((left + right) / 2, H - 14, c.by.capitalize(), anchor="middle", size=12))
    groups = c.groups
    if len(groups) <= 1:  # one value a year: bars
        bw = min(64.0, band * 0.6)
        for p in c.points:
            if p.year not in at:
                continue
            flags = c.flags_at(p)
            cx = x(p.year)
            if p.value is None:
                out.append(_t(cx, y(0) - 6, "missing", anchor="middle", size=11, fill=MUTED))
                continue
            colour = SEVERITY_COLOURS.get(flags[0].severity, NEUTRAL) if flags else NEUTRAL
            y0, y1 = sorted((y(0 if lo <= 0 else lo), y(p.value)))
            tip = f"{p.year}: {p.text}{(' ' + c.unit) if c.unit else ''}" + "".join(
                f" \u2014 {f.rule}: {f.message}" for f in flags)
            rect = (f'<rect x="{cx - bw / 2:.1f}" y="{y0:.1f}" width="{bw:.1f}" height="{max(y1 - y0, 0.5):.1f}" '
                    f'fill="{colour}" rx="2"><title>{e(tip)}</title></rect>')
            if flags and flags[0].anchor:
                rect = f'<a href="#{e(flags[0].anchor)}">{rect}</a>'
            out.append(rect)
            below = p.value < 0  # labels go beyond the end of the bar
            out.append(_t(cx, y1 + 15 if below else y0 - 6, p.text, anchor="middle", size=11, fill=INK,
                          weight="bold" if flags else "normal"))
            for i, fl in enumerate(flags):
                note = ("\u25bc " if fl.note.startswith("-") else "\u25b2 ") + fl.note
                out.append(_t(cx, y1 + 30 + 14 * i if below else y0 - 22 - 14 * i, note, anchor="middle", size=11,
                              fill=SEVERITY_COLOURS.get(fl.severity, INK), weight="bold"))
        legend = [(NEUTRAL, "value as printed")]
        sev = list(dict.fromkeys(f.severity for f in c.flags))
        legend += [(SEVERITY_COLOURS.get(s, INK), f"flagged ({s})") for s in sev]
    else:  # several rows a year: one line per row
        legend = []
        for gi, g in enumerate(groups[:len(PALETTE)]):
            colour = PALETTE[gi]
            pts = [p for p in c.points if p.group == g and p.value is not None and p.year in at]
            if len(pts) > 1:
                path = " ".join(f"{x(p.year):.1f},{y(p.value):.1f}" for p in pts)
                out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
            for p in pts:
                flags = c.flags_at(p)
                fill = SEVERITY_COLOURS.get(flags[0].severity, colour) if flags else colour
                r = 6 if flags else 3.5
                tip = f"{g} {p.year}: {p.text}" + "".join(f" \u2014 {f.rule}: {f.message}" for f in flags)
                dot = (f'<circle cx="{x(p.year):.1f}" cy="{y(p.value):.1f}" r="{r}" fill="{fill}">'
                       f'<title>{e(tip)}</title></circle>')
                out.append(f'<a href="#{e(flags[0].anchor)}">{dot}</a>' if flags and flags[0].anchor else dot)
            legend.append((colour, g))
    lx = left
    for colour, label in legend:
        out.append(f'<rect x="{lx:.1f}" y="16" width="12" height="12" fill="{colour}" rx="2"/>')
        out.append(_t(lx + 17, 26, label, size=11, fill=MUTED))
        lx += 17 + _text_width(label, 11) + 18
    out.append("</svg>")
    return "\n".join(out)


def total_svg(c: TotalChart) -> str:
    H = 210
    label_w = 190
    left, right, top = label_w + 12, W - 90, 40
    bar_h, gap = 40, 22
    bottom = top + 2 * bar_h + gap + 12
    hi_v = max(c.printed, c.expected, 0.0)
    lo_v = min(c.printed, c.expected, 0.0, *(b.value for b in c.parts)) if c.parts else min(c.printed, c.expected, 0.0)
    ticks = nice_ticks(lo_v, hi_v)
    lo, hi = ticks[0], ticks[-1]

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (right - left)

    out = _open(c.id, c.title, c.desc(), H)
    for t in ticks:
        out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top - 6}" y2="{bottom}" stroke="{GRID}"/>')
        out.append(_t(x(t), bottom + 16, num(t, 6), anchor="middle", size=11, fill=MUTED))
    out.append(_t((left + right) / 2, H - 14, c.axis, anchor="middle", size=12))
    out.append(f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{top - 6}" y2="{bottom}" stroke="{MUTED}"/>')
    # the printed total
    y1 = top
    out.append(_t(label_w, y1 + bar_h / 2 + 4, "Printed total", anchor="end", weight="bold"))
    out.append(_t(label_w, y1 + bar_h / 2 + 18, f"row {c.row_label}" if c.row_label else "", anchor="end",
                  size=10.5, fill=MUTED))
    a, b = sorted((x(0), x(c.printed)))
    out.append(f'<rect x="{a:.1f}" y="{y1}" width="{max(b - a, 0.5):.1f}" height="{bar_h}" fill="{PRINTED}" rx="2">'
               f'<title>{e(f"printed total: {c.printed_text}")}</title></rect>')
    out.append(_t(b + 6, y1 + bar_h / 2 + 5, c.printed_text, size=13, weight="bold"))
    # the sum of the rows, split into the rows
    y2 = top + bar_h + gap
    out.append(_t(label_w, y2 + bar_h / 2 + 4, f"Sum of its {count(len(c.parts), c.part)}", anchor="end", weight="bold"))
    out.append(_t(label_w, y2 + bar_h / 2 + 18, "as printed", anchor="end", size=10.5, fill=MUTED))
    if c.parts and all(p.value >= 0 for p in c.parts):
        acc = 0.0
        for i, p in enumerate(c.parts):
            xa, xb = x(acc), x(acc + p.value)
            acc += p.value
            out.append(f'<rect x="{xa:.1f}" y="{y2}" width="{max(xb - xa, 0.0):.1f}" height="{bar_h}" '
                       f'fill="{PARTS[i % 2]}" stroke="#ffffff" stroke-width="1">'
                       f'<title>{e(f"{c.part} {p.label}: {p.text or num(p.value)}")}</title></rect>')
            inner = f"{p.label}: {p.text or num(p.value)}"
            if _text_width(inner, 10.5) + 8 < xb - xa:
                out.append(_t((xa + xb) / 2, y2 + bar_h / 2 + 4, inner, anchor="middle", size=10.5, fill="#ffffff"))
            elif _text_width(p.text or num(p.value), 10.5) + 6 < xb - xa:
                out.append(_t((xa + xb) / 2, y2 + bar_h / 2 + 4, p.text or num(p.value), anchor="middle", size=10.5,
                              fill="#ffffff"))
    else:
        a, b = sorted((x(0), x(c.expected)))
        out.append(f'<rect x="{a:.1f}" y="{y2}" width="{max(b - a, 0.5):.1f}" height="{bar_h}" fill="{PARTS[0]}"/>')
    out.append(_t(max(x(c.expected), x(0)) + 6, y2 + bar_h / 2 + 5, num(c.expected, 6), size=13, weight="bold"))
    # the gap
    out.append(f'<line x1="{x(c.printed):.1f}" x2="{x(c.printed):.1f}" y1="{y1 + bar_h}" y2="{y2 + bar_h}" '
               f'stroke="{SEVERITY_COLOURS["error"]}" stroke-dasharray="4 3" stroke-width="1.5"/>')
    out.append(_t(left, 24, f"difference {num(c.difference, 6)}{(' ' + c.unit) if c.unit else ''} "
                  f"(tolerance {num(c.tolerance, 6)})", size=12, fill=SEVERITY_COLOURS["error"], weight="bold"))
    out.append("</svg>")
    return "\n".join(out)


def stock_flow_svg(c: StockFlowChart) -> str:
    """Two panels sharing the years: the estimates (printed, and implied by the flows) above, the
    yearly flows below, each with its own axis so that small releases stay visible."""
    H = 500
    left, right = 78, W - 170
    top, bottom = 78, 300  # the estimates
    ftop, fbottom = 346, 440  # the flows
    y_first, y_last = c.years
    u = c.unit
    values = [c.earlier.value, c.later.value, c.expected + c.tolerance, *(v for _, v in c.implied),
              *(o.value for o in c.others)]
    lo_v, hi_v = min(0.0, *values), max(values)
    ticks = nice_ticks(lo_v, hi_v + 0.12 * (hi_v - lo_v))
    lo, hi = ticks[0], ticks[-1]

    def y(v: float) -> float:
        return bottom - (v - lo) / (hi - lo) * (bottom - top)

    def x(year: float) -> float:
        return left + (year - (y_first - 0.5)) / (y_last - y_first + 1) * (right - left)

    out = _open(c.id, c.title, c.desc(), H)
    out += _y_axis(ticks, y, left, right, f"Estimate ({u})" if u else "Estimate", top, bottom)
    out.append(f'<line x1="{left}" x2="{right}" y1="{y(max(lo, 0)):.1f}" y2="{y(max(lo, 0)):.1f}" stroke="{MUTED}"/>')
    # the flows panel
    flows = [*c.released.values(), *c.added.values()]
    fticks = nice_ticks(0.0, max(flows + [0.0]) * 1.25 or 1.0, 2)

    def fy(v: float) -> float:
        return fbottom - v / fticks[-1] * (fbottom - ftop)

    for t in fticks:
        out.append(f'<line x1="{left}" x2="{right}" y1="{fy(t):.1f}" y2="{fy(t):.1f}" stroke="{GRID}"/>')
        out.append(_t(left - 8, fy(t) + 4, num(t, 6), anchor="end", size=11, fill=MUTED))
    out.append(f'<line x1="{left}" x2="{left}" y1="{ftop}" y2="{fbottom}" stroke="{MUTED}"/>')
    out.append(f'<line x1="{left}" x2="{right}" y1="{fbottom}" y2="{fbottom}" stroke="{MUTED}"/>')
    cy = (ftop + fbottom) / 2
    out.append(f'<text x="16" y="{cy:.1f}" transform="rotate(-90 16 {cy:.1f})" text-anchor="middle" font-size="11" '
               f'fill="{INK}">{e(f"Flows ({u})" if u else "Flows")}</text>')
    out.append(_t(left, ftop - 12, "Released and added each year", size=11.5, fill=INK, weight="bold"))
    both = bool(c.added)
    for flows_, colour, name in ((c.released, RELEASED, "released"), (c.added, ADDED, "added")):
        dx = (-0.13 if name == "released" else 0.13) if both else 0.0
        for yr, v in sorted(flows_.items()):
            a, b = sorted((fy(0), fy(v)))
            out.append(f'<rect x="{x(yr + dx) - 11:.1f}" y="{a:.1f}" width="22" height="{max(b - a, 1.0):.1f}" '
                       f'fill="{colour}"><title>{e(f"{name} in {yr}: {unit_text(v, u)}")}</title></rect>')
            out.append(_t(x(yr + dx), a - 4, num(v), anchor="middle", size=10.5, fill=colour, weight="bold"))
    for yr in range(y_first, y_last + 1):
        out.append(f'<line x1="{x(yr):.1f}" x2="{x(yr):.1f}" y1="{bottom}" y2="{bottom + 4}" stroke="{MUTED}"/>')
        out.append(_t(x(yr), fbottom + 18, str(yr), anchor="middle", size=11, fill=MUTED))
    out.append(_t((left + right) / 2, H - 14, "Year", anchor="middle", size=12))
    # the tolerance around where the flows lead
    xl = x(c.later.year)
    band_lo, band_hi = y(c.expected + c.tolerance), y(max(lo, c.expected - c.tolerance))
    out.append(f'<rect x="{xl - 14:.1f}" y="{band_lo:.1f}" width="28" height="{max(band_hi - band_lo, 1):.1f}" '
               f'fill="{IMPLIED}" fill-opacity="0.15" stroke="{IMPLIED}" stroke-opacity="0.5">'
               f'<title>{e(f"tolerance: {unit_text(c.expected, u)} ± {unit_text(c.tolerance, u)}")}</title></rect>')
    # the implied path
    path = " ".join(f"{x(yr):.1f},{y(v):.1f}" for yr, v in c.implied)
    out.append(f'<polyline points="{path}" fill="none" stroke="{IMPLIED}" stroke-width="2" stroke-dasharray="6 4"/>')
    for yr, v in c.implied[1:]:
        out.append(f'<circle cx="{x(yr):.1f}" cy="{y(v):.1f}" r="3" fill="{IMPLIED}">'
                   f'<title>{e(f"implied for {yr}: {unit_text(v, u)}")}</title></circle>')
    labels: list[tuple[float, float]] = []

    def label(xx: float, yy: float, text: str, colour: str, weight: str = "normal", step: float = 15) -> None:
        while any(abs(yy - ly) < 14 and abs(xx - lx) < 160 for lx, ly in labels):
            yy += step
        labels.append((xx, yy))
        out.append(_t(xx, yy, text, size=11.5, fill=colour, weight=weight))

    # the gap between the printed later estimate and where the flows lead
    out.append(f'<line x1="{xl:.1f}" x2="{xl:.1f}" y1="{y(c.later.value):.1f}" y2="{y(c.expected):.1f}" '
               f'stroke="{SEVERITY_COLOURS["error"]}" stroke-width="1.5" stroke-dasharray="2 3"/>')
    label(xl + 20, y(c.expected) - 2, f"flows imply {unit_text(c.expected, u)}", IMPLIED, weight="bold")
    label(xl + 20, y(c.expected) + 13, f"(tolerance ± {num(c.tolerance)})", IMPLIED)
    gap = c.later.value - c.expected
    label(xl + 20, (y(c.later.value) + y(c.expected)) / 2 + 4, f"gap {num(gap)}{(' ' + u) if u else ''}",
          SEVERITY_COLOURS["error"], weight="bold")
    label(xl + 20, y(c.later.value) - 2, f"printed {unit_text(c.later.value, u)}", SEVERITY_COLOURS["error"],
          weight="bold", step=-15)
    # the printed estimates
    out.append(f'<line x1="{x(c.earlier.year):.1f}" y1="{y(c.earlier.value):.1f}" x2="{xl:.1f}" '
               f'y2="{y(c.later.value):.1f}" stroke="{PRINTED}" stroke-width="2.5"/>')
    for o in c.others:
        out.append(f'<circle cx="{x(o.year):.1f}" cy="{y(o.value):.1f}" r="9" fill="none" stroke="{PRINTED}" '
                   f'stroke-width="1.5"><title>{e(f"{o.year}: {o.label}")}</title></circle>')
    for est, colour in ((c.earlier, PRINTED), (c.later, SEVERITY_COLOURS["error"])):
        out.append(f'<circle cx="{x(est.year):.1f}" cy="{y(est.value):.1f}" r="6" fill="{colour}" stroke="#ffffff" '
                   f'stroke-width="1.5"><title>{e(f"{est.year}: {unit_text(est.value, u)} ({est.label})")}</title></circle>')
    ex, ey = x(c.earlier.year), y(c.earlier.value)
    out.append(_t(ex - 8, ey - 26, f"{unit_text(c.earlier.value, u)} in {c.earlier.year}", size=11.5, fill=PRINTED,
                  weight="bold"))
    out.append(_t(ex - 8, ey - 12, c.earlier.label, size=10.5, fill=MUTED))
    if c.later.label:
        label(xl + 20, y(c.later.value) + 13, f"({c.later.label})", MUTED)
    # legend, two rows
    legend = [(PRINTED, "printed estimates", "line"), (IMPLIED, "earlier estimate − released + added", "dash"),
              (SEVERITY_COLOURS["error"], "estimate flagged", "dot")]
    legend2 = [(RELEASED, "released", "box")] + ([(ADDED, "added", "box")] if c.added else [])
    if c.others:
        legend2.append((PRINTED, "other estimates in the text", "ring"))
    for row, items in ((0, legend), (1, legend2)):
        lx, ly = left, 18 + row * 18
        for colour, text, shape in items:
            if shape == "box":
                out.append(f'<rect x="{lx:.1f}" y="{ly - 6}" width="12" height="12" fill="{colour}"/>')
            elif shape == "ring":
                out.append(f'<circle cx="{lx + 6:.1f}" cy="{ly}" r="5" fill="none" stroke="{colour}" stroke-width="1.5"/>')
            elif shape == "dot":
                out.append(f'<circle cx="{lx + 6:.1f}" cy="{ly}" r="5" fill="{colour}"/>')
            else:
                dash = ' stroke-dasharray="5 3"' if shape == "dash" else ""
                out.append(f'<line x1="{lx:.1f}" x2="{lx + 14:.1f}" y1="{ly}" y2="{ly}" stroke="{colour}" '
                           f'stroke-width="2.5"{dash}/>')
            out.append(_t(lx + 19, ly + 4, text, size=11, fill=MUTED))
            lx += 19 + _text_width(text, 11) + 16
    out.append("</svg>")
    return "\n".join(out)


def severity_bars(rows: list[tuple[str, str, dict[str, int]]], chart_id: str, title: str) -> str:
    """Findings per dataset by severity, one stacked horizontal bar per dataset (name, link, counts)."""
    from ..findings import SEVERITIES

    bar_h, gap, top = 22, 10, 40
    label_w = 200
    H = top + len(rows) * (bar_h + gap) + 50
    left, right = label_w + 10, W - 60
    hi = max([sum(c.values()) for _, _, c in rows] + [1])
    ticks = nice_ticks(0, hi)
    top_v = ticks[-1]

    def x(v: float) -> float:
        return left + v / top_v * (right - left)

    desc = "; ".join(f"{name}: " + ", ".join(f"{c.get(s, 0)} {s}" for s in SEVERITIES) for name, _, c in rows)
    out = _open(chart_id, title, f"Findings by severity per dataset. {desc}.", H)
    bottom = top + len(rows) * (bar_h + gap)
    for t in ticks:
        out.append(f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{top - 4}" y2="{bottom}" stroke="{GRID}"/>')
        out.append(_t(x(t), bottom + 16, num(t), anchor="middle", size=11, fill=MUTED))
    out.append(_t((left + right) / 2, H - 10, "Findings (number)", anchor="middle", size=12))
    for i, (name, href, counts) in enumerate(rows):
        yy = top + i * (bar_h + gap)
        link = f'<a href="{e(href)}">{_t(label_w, yy + bar_h / 2 + 4, name, anchor="end")}</a>' if href else \
            _t(label_w, yy + bar_h / 2 + 4, name, anchor="end")
        out.append(link)
        acc = 0
        for s in SEVERITIES:
            n = counts.get(s, 0)
            if not n:
                continue
            out.append(f'<rect x="{x(acc):.1f}" y="{yy}" width="{x(acc + n) - x(acc):.1f}" height="{bar_h}" '
                       f'fill="{SEVERITY_COLOURS[s]}"><title>{e(f"{name}: {n} {s}")}</title></rect>')
            if x(acc + n) - x(acc) > 16:
                out.append(_t((x(acc) + x(acc + n)) / 2, yy + bar_h / 2 + 4, str(n), anchor="middle", size=11,
                              fill="#ffffff", weight="bold"))
            acc += n
        out.append(_t(x(acc) + 6, yy + bar_h / 2 + 4, str(acc) if acc else "no findings", size=11, fill=MUTED))
    lx = left
    for s in SEVERITIES:
        out.append(f'<rect x="{lx:.1f}" y="14" width="12" height="12" fill="{SEVERITY_COLOURS[s]}"/>')
        out.append(_t(lx + 17, 24, s, size=11, fill=MUTED))
        lx += 17 + _text_width(s, 11) + 18
    out.append("</svg>")
    return "\n".join(out)
