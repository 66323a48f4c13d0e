"""Periods as statistical reports print them: instants for stocks, intervals for flows.

Every figure a report gives has a period. A **stock** (a population, a balance, an area still
to process) is observed at an *instant*; a **flow** (births, payments, an area processed in the
year) accumulates over an *interval* of days. `parse_period` reads the period printed next to a figure and returns
a `Period`:

    >>> parse_period("end 2014")
    Period(start=datetime.date(2014, 12, 31), end=datetime.date(2014, 12, 31), instant=True, label='end 2014')
    >>> parse_period("Q1 2015").key()
    '2015-01-01/2015-03-31'
    >>> parse_period(2014, stock=True).label
    'end 2014'

Text is read case-insensitively; runs of spaces (including no-break spaces) count as one, and
the hyphen, en dash, em dash and minus sign all work as the dash of a span.

Accepted forms
--------------
Calendar periods. Alone they are intervals, unless ``stock=True`` (the figure is a stock), which
reads them as the instant at their end:

- a year: ``2014`` (also the int ``2014``); with ``stock=True``: the instant *end 2014*
- a half-year: ``H1 2015``, ``2015-H2``, ``2015 H2``, ``H1-2015``, ``first half of 2015``
- a quarter: ``Q1 2015``, ``2015 Q1``, ``2015-Q1``, ``2015Q1``, ``Q1-2015``,
  ``first quarter of 2015``, ``1st quarter 2015``
- a month: ``March 2015``, ``Mar 2015``, ``Mar. 2015``, ``Mar-2015``, ``2015-03`` (ISO)

Instants (whatever ``stock`` says):

- the end of a calendar period: ``end 2014``, ``end of 2014``, ``end-2014``, ``the end of 2014``,
  ``year-end 2014``, ``end-year 2014``, ``end June 2012``, ``end of Q1 2015``
- the start of a calendar period: ``start 2012``, ``start of 2012``, ``beginning of 2012``,
  ``start Jun 2012``
- a date: ``31 March 2015``, ``31 Mar 2015``, ``31st March 2015``, ``31-Mar-2015``,
  ``March 31, 2015``, ``2015-03-31`` (ISO), a `datetime.date`
- any of these after ``as at``, ``as of``, ``at`` or ``on``: ``as at 31 March 2015``,
  ``as of end 2014``, ``on 1 January 2012``

Spans (intervals, whatever ``stock`` says):

- ``2016-2018``, ``2016–2018``, ``2016 to 2018``, ``from 2016 to 2018``, ``between 2016 and 2018``,
  ``2016 until 2018``, ``2016 through 2018``
- any calendar period or date on either side: ``1991–Feb 2006`` (1 January 1991 to 28 February
  2006), ``Q1 2015-Q3 2015``, ``1 March 2015 to 15 April 2015``; the first side may borrow the
  year of the second: ``January–March 2015``, ``Q1-Q3 2015``, ``H1–H2 2015``
- ISO intervals with a slash between two ISO dates or months: ``2015-01-01/2015-03-31``,
  ``2015-01/2015-03``
- with words (to, until, through, between ... and) the sides may also be the start or end of a
  period: ``from start 2012 to end 2014`` is 2012-2014, ``from end 2014 to end 2015`` is 2015
- a mapping ``{"start": ..., "end": ...}`` whose values are any side above (a str, an int year or
  a `datetime.date`): ``{"start": 2016, "end": "Q2 2018"}``

Keys (`Period.key`) are read back too: ``@2014-12-31``, ``2014-01-01/2014-12-31``. A `Period`
is returned as it is; an integer of another type (one with ``__index__``, as numpy's) is a year.
Every period read lies within the years 1000..9999 (so ``start 1000``, the end of 999, does not).

Choices worth knowing
---------------------
- **An instant is the end of its day.** ``31 March 2015`` is the moment the day ends, so it is the
  closing instant of March 2015 and of Q1 2015, and ``Period.before`` of April 2015.
- **"Start of" is the end of the day before.** A stock "at the start of 2012" is the stock at the
  end of 2011: ``start 2012`` is the instant ``@2011-12-31`` (its label stays ``start 2012``),
  ``start Jun 2012`` is ``@2012-05-31``. A printed date is taken literally: ``1 January 2012`` is
  ``@2012-01-01``, one day later than ``start 2012``.
- **Equality is identity.** Two periods are equal (and hash alike) when they cover the same days,
  or are the same instant; the label is the canonical text of how it was printed and takes no
  part: ``parse_period("start 2012") == parse_period("end 2011")``. `Period.key` is that identity
  as text.
- **Labels are canonical**: ``end 2014`` (every 31 December), ``31 March 2015`` (other instants),
  ``start 2012``/``start June 2012`` (the start forms), ``2014``, ``H2 2015``, ``Q1 2015``,
  ``March 2015``, ``2016-2018`` (whole years), ``January 1991 to February 2006`` (whole months),
  ``1 March 2015 to 15 April 2015`` (other spans). Every label reads back to its period with
  ``parse_period(p.label, stock=p.instant)``.
- **``stock`` only settles what the text leaves open** (a calendar period printed alone). An
  instant form stays an instant with ``stock=False`` and a span stays an interval with
  ``stock=True``: whether that mismatch is an error is the caller's to say (it knows the measure).
- **An interval contains its closing instant, not its opening one**: 2014 contains ``end 2014`` and
  ``31 March 2014``, not ``end 2013``.

Rejected, with a `PeriodError` saying why: None, booleans, floats (even 2015.0: a year read
from a column with gaps should be converted first), lists, nested mappings, text over 100
characters, years outside 1000..9999, impossible dates (``31 Feb 2015``, ``2015-13``, ``Q5 2015``),
vague periods (``mid-2015``, ``early 2012``), fiscal-year styles whose days are unknown
(``2016/17``, ``2016-17``, ``2016/2017``, ``FY2016``: give ``{start: ..., end: ...}``), the twelve
ISO months per century that read as such a style too (``2011-12`` is December 2011 or the year
2011-12: write ``December 2011``), and comparisons of two periods (``1998 → 2005``, ``2014 vs
2015``). `parse_period` raises nothing but `PeriodError` (a `ValueError`).
"""
from __future__ import annotations

import calendar
import datetime
import itertools
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Period", "PeriodError", "consecutive", "covers", "parse_period", "same_instant"]

MIN_YEAR, MAX_YEAR = 1000, 9999
MAX_TEXT = 100
ONE_DAY = datetime.timedelta(days=1)

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December")
_MONTHS = {name.lower(): i for i, name in enumerate(MONTH_NAMES, 1)}
_MONTHS.update({name.lower()[:3]: i for i, name in enumerate(MONTH_NAMES, 1)})
_MONTHS["sept"] = 9
_MONTH_RE = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_ORDINAL_RE = "(" + "|".join(_ORDINALS) + ")"
_Y = "([0-9]{4})"

ACCEPTED = ("accepted: a year (2014), a half-year (H1 2015), a quarter (Q1 2015), a month (March 2015, "
            "2015-03), a date (31 March 2015, 2015-03-31, as at 31 March 2015), the end or start of one "
            "(end 2014, start of June 2012), a span (2016-2018, 1991 to Feb 2006) or a mapping "
            "{start: ..., end: ...}")


class PeriodError(ValueError):
    """A value that is not a period: the message says what was wrong and what is accepted."""


@dataclass(frozen=True)
class Period:
    """An instant (a stock's moment: the end of day `start`, which equals `end`) or an interval
    of whole days from `start` to `end`, both included (a flow's period)."""

    start: datetime.date
    end: datetime.date
    instant: bool
    label: str = field(compare=False)

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            day = getattr(self, name)
            if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
                raise PeriodError(f"Period.{name} must be a datetime.date, not {type(day).__name__}")
        if not isinstance(self.instant, bool):
            raise PeriodError(f"Period.instant must be True or False, not {self.instant!r}")
        if not isinstance(self.label, str):
            raise PeriodError(f"Period.label must be a str, not {type(self.label).__name__}")
        if self.instant and self.start != self.end:
            raise PeriodError(f"an instant has one day: start {self.start} and end {self.end} differ")
        if self.start > self.end:
            raise PeriodError(f"the period ends ({self.end}) before it starts ({self.start})")

    def __str__(self) -> str:
        return self.label

    def key(self) -> str:
        """The identity as text: '@2014-12-31' for an instant, '2014-01-01/2014-12-31' for an
        interval (ISO 8601; a key reads back with `parse_period`)."""
        found = self.__dict__.get("_key")
        if found is None:  # worked out once: a corpus asks each period for its key many times
            found = "@" + self.end.isoformat() if self.instant else f"{self.start.isoformat()}/{self.end.isoformat()}"
            object.__setattr__(self, "_key", found)
        return found

    def contains(self, other: Period) -> bool:
        """An interval contains the intervals inside it and the instants of its days (its closing
        instant included, its opening one, `before()`, excluded); an instant contains itself."""
        if self.instant:
            return other.instant and other.end == self.end
        if other.instant:
            return self.start <= other.end <= self.end
        return self.start <= other.start and other.end <= self.end

    def before(self) -> Period:
        """The opening instant of an interval (the end of the day before it starts: an opening
        stock's moment); an instant is its own."""
        if self.instant:
            return self
        return _instant(_shift(self.start, -1))

    def closing(self) -> Period:
        """The closing instant of an interval (the end of its last day: a closing stock's moment);
        an instant is its own."""
        if self.instant:
            return self
        return _instant(self.end)


def same_instant(a: Period, b: Period) -> bool:
    """Both are instants and the same moment ('start 2012' and 'end 2011' are)."""
    return a.instant and b.instant and a.end == b.end


def consecutive(a: Period, b: Period) -> bool:
    """Both are intervals and `b` starts the day after `a` ends."""
    if a.instant or b.instant or a.end == datetime.date.max:
        return False
    return b.start == a.end + ONE_DAY


def covers(whole: Period, parts: list[Period]) -> bool:
    """The parts are intervals that tile `whole` exactly, without gap or overlap, in any order
    (four quarters tile their year, three months their quarter)."""
    if whole.instant or not parts or any(p.instant for p in parts):
        return False
    ordered = sorted(parts, key=lambda p: (p.start, p.end))
    if ordered[0].start != whole.start or ordered[-1].end != whole.end:
        return False
    return all(consecutive(a, b) for a, b in itertools.pairwise(ordered))


def parse_period(value, *, stock: bool | None = None) -> Period:
    """Read a printed period (see the module documentation for the accepted forms).

    `stock` says what the figure is when the text leaves it open: True (a stock) reads a calendar
    period printed alone ('2014', 'March 2015', 'Q1 2015') as the instant at its end; False or
    None (a flow, or unknown) reads it as the interval. Raises `PeriodError` and nothing else."""
    if stock is not None and not isinstance(stock, bool):
        raise PeriodError(f"stock must be True, False or None, not {_show(stock)}")
    if isinstance(value, Period):
        return value
    if isinstance(value, str):
        return _parse_text(value, stock)
    if isinstance(value, Mapping):
        return _parse_mapping(value)
    if isinstance(value, datetime.datetime):
        raise _fail(value, "it has a time of day; a period is made of whole days: give its date")
    if isinstance(value, datetime.date):
        return _instant(_check_day(value))
    year = _as_year(value)
    unit = _Unit(datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year), "year")
    return _instant(unit.end) if stock else unit.period()


# -- the pieces --------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Unit:
    """A calendar period (year, half, quarter, month) as parsed: its days and its name."""

    start: datetime.date
    end: datetime.date
    name: str
    kind: str

    def period(self) -> Period:
        return Period(self.start, self.end, False, self.name)


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(value, why: str = "") -> PeriodError:
    head = f"cannot read {_show(value)} as a period"
    return PeriodError(f"{head}: {why}" if why else f"{head}; {ACCEPTED}")


def _check_year(year: int, value) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _fail(value, f"the year {year} is outside {MIN_YEAR}..{MAX_YEAR}")
    return year


def _check_day(day: datetime.date, value=None) -> datetime.date:
    _check_year(day.year, day if value is None else value)
    return day


def _as_year(value) -> int:
    if isinstance(value, bool) or type(value).__name__ in ("bool_", "bool"):
        raise _fail(value, "a boolean is not a period; " + ACCEPTED)
    if isinstance(value, float):
        raise _fail(value, "a year must be an integer, not a float (a year column with gaps is read "
                           "as floats: convert it); " + ACCEPTED)
    if value is None:
        raise _fail(value, "no period given; " + ACCEPTED)
    if isinstance(value, (list, tuple, set, frozenset)):
        raise _fail(value, f"a {type(value).__name__} is not a period (a span is '2016-2018' or "
                           "{start: ..., end: ...}); " + ACCEPTED)
    if not isinstance(value, int) and not hasattr(type(value), "__index__"):
        raise _fail(value, f"a {type(value).__name__} is not a period; " + ACCEPTED)
    try:
        year = operator.index(value)
    except TypeError:  # a type whose __index__ refuses (e.g. a numpy array) is not a year
        raise _fail(value, f"a {type(value).__name__} is not a period; " + ACCEPTED) from None
    return _check_year(year, value)


def _date(year: int, month: int, day: int, value) -> datetime.date:
    _check_year(year, value)
    if not 1 <= month <= 12:
        raise _fail(value, f"there is no month {month} (months are 01..12)")
    last = _last_day(year, month)
    if not 1 <= day <= last:
        raise _fail(value, f"{MONTH_NAMES[month - 1]} {year} has no day {day} (it has {last} days)")
    return datetime.date(year, month, day)


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _shift(day: datetime.date, days: int, value=None) -> datetime.date:
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        why = f"the day {days:+d} from {day.isoformat()} is outside the calendar"
        raise (PeriodError(why) if value is None else _fail(value, why)) from None


def _month_unit(year: int, month: int, value) -> _Unit:
    start = _date(year, month, 1, value)
    return _Unit(start, datetime.date(year, month, _last_day(year, month)),
                 f"{MONTH_NAMES[month - 1]} {year}", "month")


def _months_unit(year: int, first: int, count: int, name: str, kind: str) -> _Unit:
    last = first + count - 1
    return _Unit(datetime.date(year, first, 1), datetime.date(year, last, _last_day(year, last)), name, kind)


def _quarter(year: int, q: int, value) -> _Unit:
    _check_year(year, value)
    if not 1 <= q <= 4:
        raise _fail(value, f"there is no quarter {q} (quarters are Q1..Q4)")
    return _months_unit(year, 3 * q - 2, 3, f"Q{q} {year}", "quarter")


def _half(year: int, h: int, value) -> _Unit:
    _check_year(year, value)
    if not 1 <= h <= 2:
        raise _fail(value, f"there is no half-year {h} (half-years are H1 and H2)")
    return _months_unit(year, 6 * h - 5, 6, f"H{h} {year}", "half")


def _day_label(day: datetime.date) -> str:
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _instant_label(day: datetime.date) -> str:
    return f"end {day.year}" if (day.month, day.day) == (12, 31) else _day_label(day)


def _instant(day: datetime.date, label: str | None = None) -> Period:
    return Period(day, day, True, label or _instant_label(day))


def _interval(start: datetime.date, end: datetime.date) -> Period:
    """An interval with its canonical label (the calendar period it is, if it is one)."""
    return Period(start, end, False, _interval_label(start, end))


def _interval_label(start: datetime.date, end: datetime.date) -> str:
    starts_month = start.day == 1
    ends_month = end.day == _last_day(end.year, end.month)
    starts_year = starts_month and start.month == 1
    ends_year = ends_month and end.month == 12
    if starts_year and ends_year:
        return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"
    if starts_month and ends_month:
        if start.year == end.year:
            months = end.month - start.month + 1
            if start.month == end.month:
                return f"{MONTH_NAMES[start.month - 1]} {start.year}"
            if months == 3 and start.month % 3 == 1:
                return f"Q{start.month // 3 + 1} {start.year}"
            if months == 6 and start.month % 6 == 1:
                return f"H{start.month // 6 + 1} {start.year}"
        return (f"{MONTH_NAMES[start.month - 1]} {start.year} to "
                f"{MONTH_NAMES[end.month - 1]} {end.year}")
    return f"{_day_label(start)} to {_day_label(end)}"


# -- text --------------------------------------------------------------------------------------

_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "\u2013", "\u2014": "\u2013",
                          "\u2015": "\u2013", "\u2212": "\u2013"})
_COMPARISON = re.compile(r"→|⟶|⇒|➔|➜|➝|➞|->|=>|\bvs\.?(?=\s|$)|\bversus\b|\bcompared (?:with|to)\b")
_VAGUE = re.compile(r"(?:the\s+)?(early|mid|middle|late)(?:\s+of\b|-|\s|$)")
_FISCAL = re.compile(r"(fy|fiscal year|financial year)(?![a-z])")


def _normalise(text: str) -> str:
    text = " ".join(text.translate(_HYPHENS).lower().split())
    text = re.sub(r"\s+-\s+", "\u2013", text)  # a spaced hyphen is a span's dash
    return re.sub(r"\s*\u2013\s*", "\u2013", text)


def _parse_text(value: str, stock: bool | None) -> Period:
    if len(value) > MAX_TEXT:
        raise _fail(value, f"the text is longer than {MAX_TEXT} characters; a period is short, e.g. "
                           "'end 2014', 'Q1 2015', '2016-2018'")
    t = _normalise(value)
    if not t:
        raise _fail(value, "the text is empty; " + ACCEPTED)
    if _COMPARISON.search(t):
        raise _fail(value, "this compares two periods, it is not one period: give each side "
                           "separately (a span is written '1998-2005' or '1998 to 2005')")
    if _VAGUE.match(t):
        raise _fail(value, f"'{_VAGUE.match(t).group(1)}' is not a precise period: give a date, a month, "
                           "a quarter or the end or start of a year")
    if _FISCAL.match(t):
        raise _fail(value, "fiscal years are not supported (their days differ by country): give "
                           "{start: ..., end: ...}")
    if t.startswith("@"):
        day = _iso_date(t[1:], value)
        if day is None:
            raise _fail(value, "a key of an instant is '@' and an ISO date, e.g. '@2014-12-31'")
        return _instant(day)
    m = re.fullmatch(r"(as at|as of|at|on) (.+)", t)
    if m:
        found = _instant_form(m.group(2), value)
        if found is None:
            raise _fail(value, f"'{m.group(1)}' must be followed by a date or the end or start of a period "
                               "(as at 31 March 2015, as of end 2014, at the start of 2012)")
        return found
    found = _instant_form(t, value)
    if found is not None:
        return found
    unit = _unit(t, value)
    if unit is not None:
        return _instant(unit.end) if stock else unit.period()
    span = _span(t, value)
    if span is not None:
        return span
    raise _fail(value)


def _instant_form(t: str, value) -> Period | None:
    """A date or the end/start of a calendar period, as an instant; None if `t` is neither."""
    day = _any_date(t, value)
    if day is not None:
        return _instant(day)
    bound = _boundary(t, value)
    if bound is None:
        return None
    which, unit = bound
    if which == "end":
        return _instant(unit.end)
    day = _shift(unit.start, -1, value)
    if day.year < MIN_YEAR:
        raise _fail(value, f"the start of {unit.name} is the end of {_day_label(day)}, before the year {MIN_YEAR}")
    return _instant(day, f"start {unit.name}")


def _boundary(t: str, value) -> tuple[str, _Unit] | None:
    """'end 2014', 'start of June 2012', 'year-end 2014'...: ('end' | 'start', the unit)."""
    m = re.fullmatch(r"(?:the )?(year-end|year end|end-year|end-of-year|end|start|beginning)"
                     r"(?: of the | of |-| )(year )?(.+)", t)
    if not m:
        return None
    word, year_word, rest = m.groups()
    unit = _unit(rest, value)
    if unit is None:
        return None
    if (year_word or "year" in word) and unit.kind != "year":
        raise _fail(value, f"'{(word + ' ' + (year_word or '')).strip()}' must be followed by a year, "
                           "as in 'year-end 2014'")
    return ("start" if word in ("start", "beginning") else "end"), unit


def _iso_date(t: str, value) -> datetime.date | None:
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", t)
    return _date(int(m.group(1)), int(m.group(2)), int(m.group(3)), value) if m else None


def _any_date(t: str, value) -> datetime.date | None:
    day = _iso_date(t, value)
    if day is not None:
        return day
    m = re.fullmatch(r"([0-9]{1,2})(?:st|nd|rd|th)?(?: |-)" + _MONTH_RE + r"(?:,? |-)" + _Y, t)
    if m:
        return _date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)), value)
    m = re.fullmatch(_MONTH_RE + r" ([0-9]{1,2})(?:st|nd|rd|th)?,? " + _Y, t)
    if m:
        return _date(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)), value)
    return None


def _unit(t: str, value) -> _Unit | None:
    """A calendar period printed with its year; None if `t` is none (PeriodError if it is one
    that cannot exist: Q5 2015, 2015-13)."""
    if re.fullmatch(r"[0-9]{4}", t):
        year = _check_year(int(t), value)
        return _Unit(datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year), "year")
    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})", t)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            raise _fail(value, f"neither an ISO month ({year}-01..{year}-12) nor a span: the fiscal-year "
                               f"style {t} is not supported, and a span of calendar years is written "
                               f"with both years in full ({year}-{year + 1})")
        if month == (year + 1) % 100:
            raise _fail(value, f"ambiguous: the month {MONTH_NAMES[month - 1]} {year} or the fiscal-year "
                               f"style {year}-{year + 1}; write '{MONTH_NAMES[month - 1]} {year}' "
                               f"(or {{start: ..., end: ...}})")
        return _month_unit(year, month, value)
    m = re.fullmatch(_MONTH_RE + r"(?:,? |-)" + _Y, t)
    if m:
        return _month_unit(int(m.group(2)), _MONTHS[m.group(1)], value)
    for pattern, make in ((r"q([0-9]+)(?: |-)" + _Y, lambda a, b: _quarter(int(b), int(a), value)),
                          (_Y + r"(?: |-|)q([0-9]+)", lambda a, b: _quarter(int(a), int(b), value)),
                          (r"h([0-9]+)(?: |-)" + _Y, lambda a, b: _half(int(b), int(a), value)),
                          (_Y + r"(?: |-|)h([0-9]+)", lambda a, b: _half(int(a), int(b), value)),
                          (r"(?:the )?" + _ORDINAL_RE + r" quarter(?: of)? " + _Y,
                           lambda a, b: _quarter(int(b), _ORDINALS[a], value)),
                          (r"(?:the )?" + _ORDINAL_RE + r" half(?: of)? " + _Y,
                           lambda a, b: _half(int(b), _ORDINALS[a], value))):
        m = re.fullmatch(pattern, t)
        if m:
            return make(*m.groups())
    return None


# -- spans -------------------------------------------------------------------------------------

_BARE = {"month": re.compile(_MONTH_RE), "quarter": re.compile(r"q[0-9]+"), "half": re.compile(r"h[0-9]+")}


def _span(t: str, value) -> Period | None:
    """A span printed with words, a dash or an ISO slash; None if `t` is none."""
    m = (re.fullmatch(r"between (.+) and (.+)", t)
         or re.fullmatch(r"(?:from )?(.+?) (?:to|until|till|through|thru) (.+)", t))
    if m:
        return _make_span(m.group(1), m.group(2), value, bounds=True)
    if t.count("/") == 1:
        left, right = t.split("/")
        if re.fullmatch(r"[0-9]{4}", left) and re.fullmatch(r"[0-9]{2}|[0-9]{4}", right):
            raise _fail(value, f"a slash between years is the fiscal-year style ({t}), which is not "
                               f"supported; a span of calendar years is written {left}-{int(left) + 1}")
        iso = r"[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?"
        if re.fullmatch(iso, left) and re.fullmatch(iso, right):
            return _make_span(left, right, value, bounds=False)
        return None
    if t.count("\u2013") == 1:
        left, right = t.split("\u2013")
        return _make_span(left, right, value, bounds=False)
    found: list[Period] = []
    error: PeriodError | None = None
    for i, char in enumerate(t):
        if char != "-":
            continue
        try:
            period = _make_span(t[:i], t[i + 1:], value, bounds=False)
        except PeriodError as exc:
            error = error or exc
            continue
        if period is not None:
            found.append(period)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise _fail(value, "ambiguous: the dash can be read in more than one place; write the span with "
                           "'to' ('2015-03 to 2015-06')")
    if error is not None:
        raise error
    return None


def _make_span(left: str, right: str, value, *, bounds: bool) -> Period | None:
    start = _side(left, "start", value, bounds=bounds, year_from=right)
    end = _side(right, "end", value, bounds=bounds)
    if start is None or end is None:
        return None
    if start > end:
        raise _fail(value, f"the span ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    return _interval(start, end)


def _bare_kind(t: str, value) -> str | None:
    """The kind of a calendar period printed with its year ('March 2015' is a month), if it is one."""
    try:
        unit = _unit(t, value)
    except PeriodError:
        return None
    return unit.kind if unit is not None and unit.kind != "year" else None


def _side(t: str, which: str, value, *, bounds: bool, year_from: str | None = None) -> datetime.date | None:
    """The first (`which` = 'start') or last day of a span from one of its printed sides; a bare
    month, quarter or half-year takes the year of `year_from` (the other side) if that is a
    period of the same kind ('January' in 'January-March 2015')."""
    t = t.strip()
    if not t:
        return None
    day = _any_date(t, value)
    if day is not None:
        return day
    unit = _unit(t, value)
    if unit is None and year_from is not None:
        kind = _bare_kind(year_from, value)
        year = year_from.rsplit(None, 1)[-1] if year_from.strip() else ""
        if kind and re.fullmatch(r"[0-9]{4}", year) and _BARE[kind].fullmatch(t):
            unit = _unit(f"{t} {year}", value)
            unit = unit if unit is not None and unit.kind == kind else None
    if unit is not None:
        return unit.start if which == "start" else unit.end
    if not bounds:
        return None
    bound = _boundary(t, value)
    if bound is None:
        return None
    edge, unit = bound
    if which == "start":  # the span starts at that moment: the next day is its first
        return unit.start if edge == "start" else _shift(unit.end, 1, value)
    return _shift(unit.start, -1, value) if edge == "start" else unit.end


# -- mappings ----------------------------------------------------------------------------------

def _parse_mapping(value: Mapping) -> Period:
    keys = set(value.keys())
    if keys != {"start", "end"}:
        raise _fail(value, "a mapping must have exactly the keys 'start' and 'end', e.g. "
                           "{start: 2016, end: Q2 2018}")
    days = []
    for which in ("start", "end"):
        side = value[which]
        day = None
        if isinstance(side, str):
            if len(side) > MAX_TEXT:
                raise _fail(value, f"its {which} is longer than {MAX_TEXT} characters")
            t = _normalise(side)
            day = _side(t, which, value, bounds=True)
        elif isinstance(side, datetime.date) and not isinstance(side, datetime.datetime):
            day = _check_day(side)
        elif isinstance(side, int) and not isinstance(side, bool):
            year = _check_year(side, value)  # an int year: its first or last day
            day = datetime.date(year, 1, 1) if which == "start" else datetime.date(year, 12, 31)
        if day is None:
            raise _fail(value, f"its {which} ({_show(side)}) is not a year, a half-year, a quarter, a month, "
                               "a date or the start or end of one (2016, Q2 2018, 2015-03-31, end 2014)")
        days.append(day)
    start, end = days
    if start > end:
        raise _fail(value, f"the span ends ({end.isoformat()}) before it starts ({start.isoformat()})")
    return _interval(start, end)
