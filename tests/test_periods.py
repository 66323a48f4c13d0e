"""audit.figures.periods: every accepted form read as the period it names, every rejected form
refused with a message that says why, labels and keys that read back, and tilings."""
from __future__ import annotations

import calendar
import datetime
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.figures.periods import (
    MONTH_NAMES,
    Period,
    PeriodError,
    consecutive,
    covers,
    parse_period,
    same_instant,
)

D = datetime.date
FAST = settings(max_examples=200, deadline=None)

# (printed, stock, start, end, instant, label); the key follows from start, end and instant
ACCEPTED = [
    # years: the interval, or with stock=True the instant at its end
    (2014, None, D(2014, 1, 1), D(2014, 12, 31), False, "2014"),
    (2014, False, D(2014, 1, 1), D(2014, 12, 31), False, "2014"),
    (2014, True, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("2014", None, D(2014, 1, 1), D(2014, 12, 31), False, "2014"),
    (" 2014 ", True, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    (1000, None, D(1000, 1, 1), D(1000, 12, 31), False, "1000"),
    ("9999", True, D(9999, 12, 31), D(9999, 12, 31), True, "end 9999"),
    # the end of a year
    ("end 2014", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("end 2014", False, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("End of 2014", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("end-2014", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("END  2014", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("year-end 2014", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("year end 2014", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("end-year 2014", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("the end of 2014", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("the end of the year 2014", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("at the end of 2014", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("as of end-2014", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    # dates (31 December is labelled as the end of its year)
    ("31 December 2014", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("31 Dec 2014", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("31 Dec. 2014", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("2014-12-31", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("2014-12-31", False, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    (D(2014, 12, 31), None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("as at 31 March 2015", None, D(2015, 3, 31), D(2015, 3, 31), True, "31 March 2015"),
    ("As Of 31 March 2015", None, D(2015, 3, 31), D(2015, 3, 31), True, "31 March 2015"),
    ("at 31 March 2015", None, D(2015, 3, 31), D(2015, 3, 31), True, "31 March 2015"),
    ("31st March 2015", None, D(2015, 3, 31), D(2015, 3, 31), True, "31 March 2015"),
    ("31-Mar-2015", None, D(2015, 3, 31), D(2015, 3, 31), True, "31 March 2015"),
    ("March 31, 2015", None, D(2015, 3, 31), D(2015, 3, 31), True, "31 March 2015"),
    ("2015-03-31", True, D(2015, 3, 31), D(2015, 3, 31), True, "31 March 2015"),
    ("on 1 January 2012", None, D(2012, 1, 1), D(2012, 1, 1), True, "1 January 2012"),
    ("1 Jan 2012", None, D(2012, 1, 1), D(2012, 1, 1), True, "1 January 2012"),
    ("29 Feb 2016", None, D(2016, 2, 29), D(2016, 2, 29), True, "29 February 2016"),
    ("1\u00a0Sept\u00a02015", None, D(2015, 9, 1), D(2015, 9, 1), True, "1 September 2015"),
    # the start of a period is the end of the day before
    ("start 2012", None, D(2011, 12, 31), D(2011, 12, 31), True, "start 2012"),
    ("start of 2012", None, D(2011, 12, 31), D(2011, 12, 31), True, "start 2012"),
    ("beginning of 2012", None, D(2011, 12, 31), D(2011, 12, 31), True, "start 2012"),
    ("at the start of 2012", None, D(2011, 12, 31), D(2011, 12, 31), True, "start 2012"),
    ("start-2012", None, D(2011, 12, 31), D(2011, 12, 31), True, "start 2012"),
    ("start Jun 2012", None, D(2012, 5, 31), D(2012, 5, 31), True, "start June 2012"),
    ("start of Q2 2015", None, D(2015, 3, 31), D(2015, 3, 31), True, "start Q2 2015"),
    ("start H1 2015", None, D(2014, 12, 31), D(2014, 12, 31), True, "start H1 2015"),
    # the end of a month, a quarter, a half-year
    ("end June 2012", None, D(2012, 6, 30), D(2012, 6, 30), True, "30 June 2012"),
    ("end of June 2012", None, D(2012, 6, 30), D(2012, 6, 30), True, "30 June 2012"),
    ("end-Feb 2016", None, D(2016, 2, 29), D(2016, 2, 29), True, "29 February 2016"),
    ("June 2012", True, D(2012, 6, 30), D(2012, 6, 30), True, "30 June 2012"),
    ("end of Q1 2015", None, D(2015, 3, 31), D(2015, 3, 31), True, "31 March 2015"),
    ("end H1 2015", None, D(2015, 6, 30), D(2015, 6, 30), True, "30 June 2015"),
    # quarters
    ("Q1 2015", None, D(2015, 1, 1), D(2015, 3, 31), False, "Q1 2015"),
    ("q1 2015", False, D(2015, 1, 1), D(2015, 3, 31), False, "Q1 2015"),
    ("2015 Q1", None, D(2015, 1, 1), D(2015, 3, 31), False, "Q1 2015"),
    ("2015-Q1", None, D(2015, 1, 1), D(2015, 3, 31), False, "Q1 2015"),
    ("2015Q2", None, D(2015, 4, 1), D(2015, 6, 30), False, "Q2 2015"),
    ("Q1-2015", None, D(2015, 1, 1), D(2015, 3, 31), False, "Q1 2015"),
    ("first quarter of 2015", None, D(2015, 1, 1), D(2015, 3, 31), False, "Q1 2015"),
    ("the third quarter of 2015", None, D(2015, 7, 1), D(2015, 9, 30), False, "Q3 2015"),
    ("4th quarter 2015", None, D(2015, 10, 1), D(2015, 12, 31), False, "Q4 2015"),
    ("Q4 2015", True, D(2015, 12, 31), D(2015, 12, 31), True, "end 2015"),
    # half-years
    ("H1 2015", None, D(2015, 1, 1), D(2015, 6, 30), False, "H1 2015"),
    ("2015-H2", None, D(2015, 7, 1), D(2015, 12, 31), False, "H2 2015"),
    ("2015 h2", None, D(2015, 7, 1), D(2015, 12, 31), False, "H2 2015"),
    ("first half of 2015", None, D(2015, 1, 1), D(2015, 6, 30), False, "H1 2015"),
    ("second half 2015", None, D(2015, 7, 1), D(2015, 12, 31), False, "H2 2015"),
    ("H1 2015", True, D(2015, 6, 30), D(2015, 6, 30), True, "30 June 2015"),
    # months
    ("March 2015", None, D(2015, 3, 1), D(2015, 3, 31), False, "March 2015"),
    ("Mar 2015", None, D(2015, 3, 1), D(2015, 3, 31), False, "March 2015"),
    ("mar. 2015", None, D(2015, 3, 1), D(2015, 3, 31), False, "March 2015"),
    ("Mar-2015", None, D(2015, 3, 1), D(2015, 3, 31), False, "March 2015"),
    ("2015-03", None, D(2015, 3, 1), D(2015, 3, 31), False, "March 2015"),
    ("2015-03", True, D(2015, 3, 31), D(2015, 3, 31), True, "31 March 2015"),
    ("February 2016", None, D(2016, 2, 1), D(2016, 2, 29), False, "February 2016"),
    ("2012-12", None, D(2012, 12, 1), D(2012, 12, 31), False, "December 2012"),
    # spans
    ("2016-2018", None, D(2016, 1, 1), D(2018, 12, 31), False, "2016-2018"),
    ("2016-2018", True, D(2016, 1, 1), D(2018, 12, 31), False, "2016-2018"),
    ("2016\u20132018", None, D(2016, 1, 1), D(2018, 12, 31), False, "2016-2018"),
    ("2016 \u2014 2018", None, D(2016, 1, 1), D(2018, 12, 31), False, "2016-2018"),
    ("2016 - 2018", None, D(2016, 1, 1), D(2018, 12, 31), False, "2016-2018"),
    ("2014-2018", None, D(2014, 1, 1), D(2018, 12, 31), False, "2014-2018"),
    ("2016 to 2018", None, D(2016, 1, 1), D(2018, 12, 31), False, "2016-2018"),
    ("from 2016 to 2018", None, D(2016, 1, 1), D(2018, 12, 31), False, "2016-2018"),
    ("between 2016 and 2018", None, D(2016, 1, 1), D(2018, 12, 31), False, "2016-2018"),
    ("2016 through 2018", None, D(2016, 1, 1), D(2018, 12, 31), False, "2016-2018"),
    ("2015-2015", None, D(2015, 1, 1), D(2015, 12, 31), False, "2015"),
    ("1991\u2013Feb 2006", None, D(1991, 1, 1), D(2006, 2, 28), False, "January 1991 to February 2006"),
    ("1991-Feb 2006", None, D(1991, 1, 1), D(2006, 2, 28), False, "January 1991 to February 2006"),
    ("January\u2013March 2015", None, D(2015, 1, 1), D(2015, 3, 31), False, "Q1 2015"),
    ("Jan 2015-Jun 2015", None, D(2015, 1, 1), D(2015, 6, 30), False, "H1 2015"),
    ("Q1-Q3 2015", None, D(2015, 1, 1), D(2015, 9, 30), False, "January 2015 to September 2015"),
    ("Q2 2015 to Q1 2016", None, D(2015, 4, 1), D(2016, 3, 31), False, "April 2015 to March 2016"),
    ("H1\u2013H2 2015", None, D(2015, 1, 1), D(2015, 12, 31), False, "2015"),
    ("1 March 2015 to 15 April 2015", None, D(2015, 3, 1), D(2015, 4, 15), False,
     "1 March 2015 to 15 April 2015"),
    ("2015-03-2015-04", None, D(2015, 3, 1), D(2015, 4, 30), False, "March 2015 to April 2015"),
    ("2015-01-01/2015-03-31", None, D(2015, 1, 1), D(2015, 3, 31), False, "Q1 2015"),
    ("2015-01/2015-06", None, D(2015, 1, 1), D(2015, 6, 30), False, "H1 2015"),
    ("from start 2012 to end 2014", None, D(2012, 1, 1), D(2014, 12, 31), False, "2012-2014"),
    ("from end 2014 to end 2015", None, D(2015, 1, 1), D(2015, 12, 31), False, "2015"),
    ("from end 2014 to start 2016", None, D(2015, 1, 1), D(2015, 12, 31), False, "2015"),
    # mappings
    ({"start": 2016, "end": 2018}, None, D(2016, 1, 1), D(2018, 12, 31), False, "2016-2018"),
    ({"start": 2016, "end": "Q2 2018"}, True, D(2016, 1, 1), D(2018, 6, 30), False, "January 2016 to June 2018"),
    ({"start": "2015-01-01", "end": D(2015, 3, 31)}, None, D(2015, 1, 1), D(2015, 3, 31), False, "Q1 2015"),
    ({"start": "end 2014", "end": "end 2015"}, None, D(2015, 1, 1), D(2015, 12, 31), False, "2015"),
    ({"start": "March 2015", "end": "March 2015"}, None, D(2015, 3, 1), D(2015, 3, 31), False, "March 2015"),
    ({"start": D(2015, 3, 31), "end": D(2015, 3, 31)}, None, D(2015, 3, 31), D(2015, 3, 31), False,
     "31 March 2015 to 31 March 2015"),
    # keys read back
    ("@2014-12-31", None, D(2014, 12, 31), D(2014, 12, 31), True, "end 2014"),
    ("2014-01-01/2014-12-31", None, D(2014, 1, 1), D(2014, 12, 31), False, "2014"),
]


@pytest.mark.parametrize(("printed", "stock", "start", "end", "instant", "label"), ACCEPTED,
                         ids=[repr(row[0]) + ("" if row[1] is None else f"-stock={row[1]}") for row in ACCEPTED])
def test_accepted_forms(printed, stock, start, end, instant, label):
    period = parse_period(printed, stock=stock)
    assert (period.start, period.end, period.instant, period.label) == (start, end, instant, label)
    key = f"@{end.isoformat()}" if instant else f"{start.isoformat()}/{end.isoformat()}"
    assert period.key() == key
    assert str(period) == label
    assert parse_period(period.label, stock=period.instant) == period
    assert parse_period(period.key()) == period


# (value, words the message must contain)
REJECTED = [
    (None, ["no period given", "accepted"]),
    (True, ["boolean", "accepted"]),
    (False, ["boolean"]),
    (2015.5, ["integer, not a float"]),
    (2015.0, ["integer, not a float"]),
    ("2015-13", ["neither an ISO month", "2015-2016"]),
    ("2015-00", ["neither an ISO month"]),
    ("Q5 2015", ["no quarter 5", "Q1..Q4"]),
    ("Q0 2015", ["no quarter 0"]),
    ("2015-Q5", ["no quarter 5"]),
    ("H3 2015", ["no half-year 3", "H1 and H2"]),
    ("31 Feb 2015", ["February 2015 has no day 31", "28 days"]),
    ("29 February 2015", ["no day 29"]),
    ("2015-02-30", ["no day 30"]),
    ("2015-13-01", ["no month 13"]),
    ("0 March 2015", ["no day 0"]),
    ([2015], ["a list is not a period"]),
    ((2015, 2016), ["a tuple is not a period"]),
    ({"start": {"year": 2015}, "end": 2016}, ["its start", "is not a year"]),
    ({"start": 2015}, ["exactly the keys 'start' and 'end'"]),
    ({"start": 2015, "end": 2016, "unit": "year"}, ["exactly the keys"]),
    ({"start": 2018, "end": 2016}, ["ends (2016-12-31) before it starts (2018-01-01)"]),
    ({"start": 2015.0, "end": 2016}, ["its start (2015.0)"]),
    ({"start": True, "end": 2016}, ["its start (True)"]),
    ({"start": "x" * 101, "end": 2016}, ["longer than 100"]),
    ("x" * 101, ["longer than 100 characters"]),
    ("2014" + " " * 100, ["longer than 100 characters"]),
    (999, ["year 999 is outside 1000..9999"]),
    (10000, ["year 10000 is outside 1000..9999"]),
    (-2014, ["outside 1000..9999"]),
    ("0999", ["year 999 is outside"]),
    ("start 1000", ["before the year 1000"]),
    (D(999, 12, 31), ["year 999 is outside"]),
    (datetime.datetime(2015, 3, 31, 12, 0), ["time of day"]),
    ("2016/17", ["fiscal-year style", "2016-2017"]),
    ("2016/2017", ["fiscal-year style"]),
    ("2016-17", ["fiscal-year style", "2016-2017"]),
    ("FY2016", ["fiscal years are not supported"]),
    ("fiscal year 2016", ["fiscal years are not supported"]),
    ("2011-12", ["ambiguous", "December 2011", "2011-2012"]),
    ("1998 \u2192 2005", ["compares two periods"]),
    ("1998 -> 2005", ["compares two periods"]),
    ("2014 vs 2015", ["compares two periods"]),
    ("2014 versus 2015", ["compares two periods"]),
    ("mid-2015", ["'mid' is not a precise period"]),
    ("early 2012", ["'early' is not a precise period"]),
    ("late 2012", ["'late' is not a precise period"]),
    ("as at 2014", ["'as at' must be followed by a date"]),
    ("on Q1 2015", ["'on' must be followed by a date"]),
    ("year-end June 2012", ["'year-end' must be followed by a year"]),
    ("end of year Q1 2015", ["must be followed by a year"]),
    ("2018-2016", ["before it starts"]),
    ("2018 to 2016", ["before it starts"]),
    ("Q1 2015-Q5 2015", ["no quarter 5"]),
    ("end 9999 to 9999", ["outside the calendar"]),
    ("@2015", ["key of an instant"]),
    ("", ["empty"]),
    ("   ", ["empty"]),
    ("hello", ["accepted: a year (2014)"]),
    ("14", ["accepted"]),
    ("20145", ["accepted"]),
    ("2015-3-31", ["accepted"]),
    ("31/12/2014", ["accepted"]),
    ("end 2014-2015", ["accepted"]),
    ("2015-2016-2017", ["accepted"]),
    ("\u0662\u0660\u0661\u0664", ["accepted"]),  # Arabic-Indic digits are not read as a year
    ("\uff12\uff10\uff11\uff14", ["accepted"]),  # nor fullwidth ones
    (object(), ["is not a period"]),
]


@pytest.mark.parametrize(("value", "words"), REJECTED,
                         ids=[repr(row[0])[:40] if isinstance(row[0], (str, int, float, type(None))) else
                              type(row[0]).__name__ for row in REJECTED])
def test_rejected_forms(value, words):
    with pytest.raises(PeriodError) as caught:
        parse_period(value)
    message = str(caught.value)
    assert message.startswith("cannot read "), message
    for word in words:
        assert word in message, message
    assert len(message) < 600


def test_the_error_is_a_value_error_and_stock_must_be_a_flag():
    assert issubclass(PeriodError, ValueError)
    with pytest.raises(PeriodError, match="stock must be True, False or None"):
        parse_period(2014, stock="yes")


def test_a_period_is_returned_as_it_is():
    q1 = parse_period("Q1 2015")
    assert parse_period(q1) is q1


def test_integer_types_with_index_are_years():
    class Year:  # what numpy.int64 looks like to a stdlib module
        def __index__(self):
            return 2014

    assert parse_period(Year()).key() == "2014-01-01/2014-12-31"


# -- identity ----------------------------------------------------------------------------------

def test_start_of_a_year_is_the_end_of_the_year_before():
    start, end = parse_period("start 2012"), parse_period("end 2011")
    assert start == end and hash(start) == hash(end) and start.key() == end.key() == "@2011-12-31"
    assert same_instant(start, end)
    assert start.label == "start 2012" and end.label == "end 2011"
    assert parse_period("start Jan 2012") == end
    assert parse_period("1 January 2012") != end  # a printed date is taken literally
    assert not same_instant(parse_period("1 January 2012"), end)


def test_same_instant_needs_two_instants():
    year = parse_period(2014)
    assert not same_instant(year, year)
    assert not same_instant(year, year.closing())
    assert same_instant(year.closing(), parse_period("31 Dec 2014"))


def test_keys_sort_chronologically_within_their_kind():
    instants = [parse_period(t) for t in ("end 2015", "31 March 2015", "start 2012", "end 2014")]
    assert [p.key() for p in sorted(instants, key=Period.key)] == [
        "@2011-12-31", "@2014-12-31", "@2015-03-31", "@2015-12-31"]
    intervals = [parse_period(t) for t in ("2015", "Q1 2015", "2014-2016", "March 2014")]
    assert [p.label for p in sorted(intervals, key=Period.key)] == ["2014-2016", "March 2014", "Q1 2015", "2015"]


def test_a_period_checks_what_it_is_built_from():
    with pytest.raises(PeriodError, match="an instant has one day"):
        Period(D(2014, 1, 1), D(2014, 12, 31), True, "x")
    with pytest.raises(PeriodError, match="before it starts"):
        Period(D(2015, 1, 1), D(2014, 12, 31), False, "x")
    with pytest.raises(PeriodError, match=r"must be a datetime\.date"):
        Period("2014-01-01", D(2014, 12, 31), False, "x")
    with pytest.raises(PeriodError, match=r"must be a datetime\.date"):
        Period(datetime.datetime(2014, 1, 1), D(2014, 12, 31), False, "x")
    with pytest.raises(PeriodError, match="instant must be True or False"):
        Period(D(2014, 1, 1), D(2014, 1, 1), 1, "x")


# -- before, closing, contains -----------------------------------------------------------------

def test_before_and_closing():
    year = parse_period(2015)
    assert year.before() == parse_period("end 2014") and year.before().label == "end 2014"
    assert year.closing() == parse_period("end 2015") and year.closing().label == "end 2015"
    assert parse_period("Q2 2015").before().label == "31 March 2015"
    assert parse_period("Q2 2015").closing().label == "30 June 2015"
    assert parse_period("March 2016").before().label == "29 February 2016"
    instant = parse_period("as at 31 March 2015")
    assert instant.before() is instant and instant.closing() is instant
    assert parse_period("2012-2014").before() == parse_period("start 2012")


def test_contains():
    year, q1, march = parse_period(2015), parse_period("Q1 2015"), parse_period("March 2015")
    assert year.contains(q1) and q1.contains(march) and year.contains(march) and year.contains(year)
    assert not q1.contains(year) and not march.contains(q1)
    assert not q1.contains(parse_period("Q1 2016"))
    assert not parse_period("2015-2016").contains(parse_period("2014-2015"))
    # an interval contains its closing instant and the instants of its days, not its opening one
    assert year.contains(year.closing()) and year.contains(parse_period("31 March 2015"))
    assert year.contains(parse_period("1 January 2015"))
    assert not year.contains(year.before()) and not year.contains(parse_period("start 2015"))
    # an instant contains only itself
    end = parse_period("end 2015")
    assert end.contains(parse_period("31 Dec 2015")) and end.contains(parse_period("start 2016"))
    assert not end.contains(year) and not end.contains(parse_period("end 2014"))


# -- consecutive, covers -----------------------------------------------------------------------

def test_consecutive():
    assert consecutive(parse_period("Q1 2015"), parse_period("Q2 2015"))
    assert consecutive(parse_period(2015), parse_period("January 2016"))
    assert consecutive(parse_period("2012-2014"), parse_period(2015))
    assert not consecutive(parse_period("Q2 2015"), parse_period("Q1 2015"))
    assert not consecutive(parse_period("Q1 2015"), parse_period("Q3 2015"))
    assert not consecutive(parse_period("Q1 2015"), parse_period("March 2015"))
    assert not consecutive(parse_period("end 2014"), parse_period(2015))
    assert not consecutive(parse_period(2014), parse_period("end 2015"))
    assert not consecutive(parse_period(9999), parse_period(9999))


def test_covers():
    year = parse_period(2015)
    halves = [parse_period(f"H{h} 2015") for h in (2, 1)]
    assert covers(year, halves)  # in any order
    assert covers(parse_period("Q1 2015"), [parse_period(f"{m} 2015") for m in ("Jan", "Feb", "Mar")])
    assert covers(year, [year])
    assert covers(parse_period("2012-2014"), [parse_period(y) for y in (2012, 2013, 2014)])
    assert not covers(year, [])
    assert not covers(year.closing(), [year])
    assert not covers(year, [parse_period("H1 2015"), parse_period("end 2015")])
    assert not covers(year, [parse_period("H1 2015"), parse_period("Q3 2015"), parse_period("Q3 2015"),
                             parse_period("Q4 2015")])
    assert not covers(year, [parse_period("H1 2015"), parse_period("Q2 2015"), parse_period("H2 2015")])
    assert not covers(parse_period("Q1 2015"), [parse_period("2014-12-01/2015-01-31"),
                                                 parse_period("February 2015"), parse_period("March 2015")])


# -- properties --------------------------------------------------------------------------------

years = st.integers(1000, 9999)
days = st.dates(D(1000, 1, 1), D(9999, 12, 31))
month_words = st.sampled_from([*MONTH_NAMES, *(m[:3] for m in MONTH_NAMES), "Sept"])


def spans() -> st.SearchStrategy:
    return st.tuples(days, days).map(sorted).map(lambda pair: {"start": pair[0], "end": pair[1]})


printed = st.one_of(
    years,
    years.map(str),
    st.tuples(st.integers(1, 4), years).map(lambda qy: f"Q{qy[0]} {qy[1]}"),
    st.tuples(st.integers(1, 2), years).map(lambda hy: f"{hy[1]}-H{hy[0]}"),
    st.tuples(month_words, years).map(lambda my: f"{my[0]} {my[1]}"),
    st.tuples(years, st.integers(1, 12)).filter(lambda ym: ym[1] != (ym[0] + 1) % 100)
      .map(lambda ym: f"{ym[0]}-{ym[1]:02d}"),
    days,
    days.map(lambda d: d.isoformat()),
    days.map(lambda d: f"as at {d.day} {MONTH_NAMES[d.month - 1]} {d.year}"),
    st.integers(1001, 9999).map(lambda y: f"start of {y}"),
    years.map(lambda y: f"end {y}"),
    st.tuples(month_words, st.integers(1001, 9999)).map(lambda my: f"start {my[0]} {my[1]}"),
    st.tuples(years, years).map(sorted).map(lambda pair: f"{pair[0]}-{pair[1]}"),
    spans(),
)


@FAST
@given(printed, st.sampled_from([None, False, True]))
def test_labels_and_keys_read_back(value, stock):
    period = parse_period(value, stock=stock)
    again = parse_period(period.label, stock=period.instant)
    assert again == period and again.label == period.label
    assert parse_period(period.key()) == period
    assert period.start <= period.end and (period.start == period.end or not period.instant)


@FAST
@given(days)
def test_every_day_reads_the_same_in_every_form(day):
    month = MONTH_NAMES[day.month - 1]
    forms = [day, day.isoformat(), f"{day.day} {month} {day.year}", f"{day.day} {month[:3]} {day.year}",
             f"{month} {day.day}, {day.year}", f"as of {day.day} {month} {day.year}", f"@{day.isoformat()}"]
    periods = {parse_period(form) for form in forms}
    assert periods == {Period(day, day, True, "")}
    assert len({p.label for p in (parse_period(form) for form in forms)}) == 1


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
side = st.one_of(st.integers(), st.text(max_size=20), days, st.none(), st.floats(), st.booleans())


def only_period_errors(value, stock) -> None:
    try:
        period = parse_period(value, stock=stock)
    except PeriodError as exc:
        assert str(exc)
    else:
        assert isinstance(period, Period)
        assert parse_period(period.key()) == period


@FAST
@given(st.text(max_size=120), st.sampled_from([None, False, True]))
def test_any_text_gives_a_period_or_a_period_error(text, stock):
    only_period_errors(text, stock)


@FAST
@given(st.text(alphabet="0123456789 -\u2013/qQhHendstartofasQ1JanMarchDec", max_size=30))
def test_text_made_of_period_pieces_gives_a_period_or_a_period_error(text):
    only_period_errors(text, None)
    only_period_errors(text, True)


@FAST
@given(json_like, st.sampled_from([None, False, True]))
def test_any_json_like_value_gives_a_period_or_a_period_error(value, stock):
    only_period_errors(value, stock)


@FAST
@given(side, side)
def test_any_mapping_gives_a_period_or_a_period_error(start, end):
    only_period_errors({"start": start, "end": end}, None)


@FAST
@given(years, st.data())
def test_quarters_and_months_tile_their_year(year, data):
    whole = parse_period(year)
    quarters = [parse_period(f"Q{q} {year}") for q in range(1, 5)]
    months = [parse_period(f"{year}-{m:02d}") if m != (year + 1) % 100 else parse_period(f"{MONTH_NAMES[m - 1]} {year}")
              for m in range(1, 13)]
    for parts in (quarters, months):
        shuffled = data.draw(st.permutations(parts))
        assert covers(whole, shuffled)
        i = data.draw(st.integers(0, len(parts) - 1))
        assert not covers(whole, parts[:i] + parts[i + 1:])  # one dropped
        assert not covers(whole, [*parts, parts[i]])  # one duplicated
    q = data.draw(st.integers(1, 4))
    assert covers(quarters[q - 1], months[3 * q - 3: 3 * q])
    assert all(consecutive(a, b) for a, b in itertools.pairwise(months))
    assert sum(calendar.monthrange(year, m)[1] for m in range(1, 13)) == (whole.end - whole.start).days + 1
