"""WorkCalendar: counting rule, properties, shapes, overrides, provisional mode, bad input."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from dateutil.rrule import YEARLY, rrule
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.calendar import DayKind, Flagged, WorkCalendar, china
from randsupervise.errors import CalendarDataMissing, ValidationError

# dates whose +-80 working days stay inside 2004..2026
dates = st.dates(min_value=dt.date(2004, 6, 1), max_value=dt.date(2026, 7, 31))
steps = st.integers(min_value=-80, max_value=80)
positive = st.integers(min_value=1, max_value=40)


def brute_add(d: dt.date, n: int) -> dt.date:
    """The definition, one day at a time."""
    cal, step, left = china(), (1 if n > 0 else -1), abs(n)
    while left:
        d += dt.timedelta(days=step)
        left -= cal.is_workday(d)
    return d


@given(dates, steps)
def test_add_matches_the_day_by_day_definition(d: dt.date, n: int) -> None:
    assert china().add_workdays(d, n) == brute_add(d, n)


@given(dates, steps)
def test_count_inverts_add(d: dt.date, n: int) -> None:
    cal = china()
    assert cal.count_workdays(d, cal.add_workdays(d, n)) == n


@given(dates, positive, positive)
def test_add_composes(d: dt.date, a: int, b: int) -> None:
    cal = china()
    assert cal.add_workdays(cal.add_workdays(d, a), b) == cal.add_workdays(d, a + b)
    assert cal.add_workdays(cal.add_workdays(d, -a), -b) == cal.add_workdays(d, -a - b)


@given(dates, dates, steps)
def test_monotone_in_date_and_steps(d1: dt.date, d2: dt.date, n: int) -> None:
    cal = china()
    lo, hi = sorted((d1, d2))
    assert cal.add_workdays(lo, n) <= cal.add_workdays(hi, n)
    assert cal.add_workdays(lo, n) < cal.add_workdays(lo, n + 1) or n == 0
    assert cal.count_workdays(lo, hi) >= 0
    assert cal.count_workdays(d1, hi) >= cal.count_workdays(d1, lo)


@given(st.lists(dates, max_size=30), steps)
def test_array_equals_scalar_elementwise(ds: list[dt.date], n: int) -> None:
    cal = china()
    arr = np.array(ds, dtype="datetime64[D]")
    got = cal.add_workdays(arr, n)
    assert got.dtype == np.dtype("datetime64[D]") and got.shape == arr.shape
    assert [g.astype(object) for g in got] == [cal.add_workdays(d, n) for d in ds]
    assert list(cal.add_workdays(ds, n)) == list(got)
    counts = cal.count_workdays(arr, got)
    assert list(counts) == [
        cal.count_workdays(d, g.astype(object)) for d, g in zip(ds, got, strict=True)
    ]
    assert list(cal.is_workday(arr)) == [cal.is_workday(d) for d in ds]
    assert list(cal.day_kind(arr)) == [cal.day_kind(d) for d in ds]


def test_shapes_follow_the_input() -> None:
    cal = china()
    assert cal.add_workdays(dt.date(2025, 10, 3), 1) == dt.date(2025, 10, 9)
    got = cal.add_workdays(np.datetime64("2025-10-03"), 1)
    assert isinstance(got, np.datetime64) and got == np.datetime64("2025-10-09")
    assert cal.add_workdays("2025-10-03", 1) == np.datetime64("2025-10-09")
    grid = np.array([["2025-10-03", "2025-10-09"]] * 2, dtype="datetime64[D]")
    assert cal.add_workdays(grid, 1).shape == (2, 2)
    assert cal.add_workdays([], 1).shape == (0,)
    assert isinstance(cal.is_workday(dt.date(2025, 1, 1)), bool)
    assert isinstance(cal.count_workdays(dt.date(2025, 1, 1), dt.date(2025, 2, 1)), int)
    # n as an integer array, broadcast against one date
    many = cal.add_workdays(dt.date(2025, 9, 30), np.array([1, 2, 20]))
    assert list(many.astype(str)) == ["2025-10-09", "2025-10-10", "2025-11-04"]
    # datetime64 of another unit that is a whole day is accepted
    assert cal.is_workday(np.datetime64("2025-10-09T00:00")) is True


def test_n_zero_returns_the_start_unchanged() -> None:
    cal = china()
    assert cal.add_workdays(dt.date(2025, 10, 3), 0) == dt.date(2025, 10, 3)
    assert cal.count_workdays(dt.date(2025, 10, 3), dt.date(2025, 10, 3)) == 0


def test_deadline_counts_from_the_day_after() -> None:
    cal = china()
    assert cal.deadline(dt.date(2025, 9, 30)) == dt.date(2025, 11, 4)
    assert cal.deadline(dt.date(2025, 10, 3), workdays=1) == dt.date(2025, 10, 9)
    with pytest.raises(ValidationError):
        cal.deadline(dt.date(2025, 9, 30), workdays=0)


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        (np.datetime64("NaT"), "NaT"),
        ("30/09/2025", "not an ISO date"),
        ("tomorrow", "not an ISO date"),
        (dt.datetime(2025, 9, 30, 8), "datetime"),
        (np.datetime64("2025-09-30T08:00"), "time of day"),
        (20250930, "not a date"),
        (np.array([1, 2]), "holds no dates"),
    ],
)
def test_bad_dates_raise_validation_error(bad: object, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        china().add_workdays(bad, 1)
    assert fragment in str(info.value)


def test_bad_positions_are_all_named() -> None:
    arr = np.array(["2025-01-02", "NaT", "2025-01-03", "NaT"], dtype="datetime64[D]")
    with pytest.raises(ValidationError) as info:
        china().is_workday(arr)
    assert info.value.rows == (1, 3)
    with pytest.raises(ValidationError) as info:
        china().is_workday([dt.date(2025, 1, 2), "2025-01-03", np.datetime64("2025-01-04"), "x"])
    assert info.value.rows == (1, 2, 3)
    assert "mixed types" in str(info.value)


@pytest.mark.parametrize("n", [1.0, 2.5, "3", None, True, np.array([1.0])])
def test_n_must_be_an_integer(n: object) -> None:
    with pytest.raises(ValidationError):
        china().add_workdays(dt.date(2025, 1, 2), n)


def test_generic_calendar() -> None:
    cal = WorkCalendar(
        start=dt.date(2030, 1, 1), end=dt.date(2030, 12, 31), weekmask="1111110",
        holidays={dt.date(2030, 1, 1): "New Year"}, extra_workdays=[dt.date(2030, 1, 6)],
    )  # fmt: skip
    assert cal.is_workday(dt.date(2030, 1, 5))  # Saturday in the weekmask
    assert cal.day_kind(dt.date(2030, 1, 6)).kind is DayKind.ADJUSTED_WORKDAY
    assert cal.day_kind(dt.date(2030, 1, 1)).holiday == "New Year"
    with pytest.raises(CalendarDataMissing):
        cal.is_workday(dt.date(2031, 1, 1))
    with pytest.raises(ValidationError):
        WorkCalendar(start=dt.date(2030, 1, 1), end=dt.date(2030, 2, 1), weekmask="11111")
    with pytest.raises(ValidationError):
        WorkCalendar(start=dt.date(2030, 1, 1), end=dt.date(2030, 2, 1),
                     holidays=[dt.date(2031, 1, 1)])  # fmt: skip
    assert cal.workday_mask.flags.writeable is False


def test_overrides_return_a_new_calendar() -> None:
    base = china()
    local = base.with_overrides(
        days_off={dt.date(2025, 4, 1): "三月三"}, days_on=[dt.date(2025, 6, 1)],
        rules=[rrule(YEARLY, bymonth=7, bymonthday=22, dtstart=dt.datetime(2004, 1, 1))],
        name="local",
    )  # fmt: skip
    assert base.is_workday(dt.date(2025, 4, 1)) and not local.is_workday(dt.date(2025, 4, 1))
    assert local.day_kind(dt.date(2025, 4, 1)).holiday == "三月三"
    assert local.is_workday(dt.date(2025, 6, 1))  # a Sunday in the Dragon Boat break
    assert not local.is_workday(dt.date(2024, 7, 22))
    assert local.count_workdays(dt.date(2025, 3, 31), dt.date(2025, 4, 2)) == 1
    with pytest.raises(ValidationError):
        base.with_overrides(days_off=[dt.date(2030, 1, 1)])
    with pytest.raises(ValidationError):
        base.with_overrides(days_off=[dt.date(2025, 4, 1)], days_on=[dt.date(2025, 4, 1)])


def test_provisional_mode_flags_answers_that_used_it() -> None:
    base = china()
    cal = base.provisional(days_off={dt.date(2027, 1, 1): "元旦"})
    assert cal.is_provisional and not base.is_provisional
    assert cal.covers(dt.date(2026, 12, 31)) and not cal.covers(dt.date(2027, 1, 1))
    answer = cal.add_workdays(dt.date(2026, 12, 25), 5, flag=True)
    assert isinstance(answer, Flagged)
    assert answer.value == dt.date(2027, 1, 4) and answer.provisional is True
    inside = cal.deadline(dt.date(2025, 9, 30), flag=True)
    assert inside.value == dt.date(2025, 11, 4) and inside.provisional is False
    arr = np.array(["2025-01-02", "2026-12-28"], dtype="datetime64[D]")
    flagged = cal.add_workdays(arr, 5, flag=True)
    assert list(flagged.provisional) == [False, True]
    counted = cal.count_workdays(dt.date(2026, 12, 30), dt.date(2027, 1, 5), flag=True)
    assert counted.value == 3 and counted.provisional is True  # 31 Dec, 4 and 5 Jan
    # official days cannot be changed through provisional mode
    with pytest.raises(ValidationError):
        base.provisional(days_off=[dt.date(2026, 5, 6)])
    # beyond the provisional range it still refuses to guess
    with pytest.raises(CalendarDataMissing):
        cal.is_workday(dt.date(2040, 1, 2))
    weekmask_only = base.provisional(start=dt.date(2000, 1, 1), end=dt.date(2030, 12, 31))
    assert weekmask_only.is_workday(dt.date(2003, 12, 31))
    assert not weekmask_only.covers(dt.date(2003, 12, 31))


def test_rule_occurrences_with_a_time_of_day_reach_the_last_day() -> None:
    cal = WorkCalendar(start=dt.date(2030, 1, 1), end=dt.date(2030, 12, 31))
    at_nine = dt.datetime(2029, 1, 1, 9, 0)
    local = cal.with_overrides(
        rules=[
            rrule(YEARLY, bymonth=1, bymonthday=1, dtstart=at_nine),
            rrule(YEARLY, bymonth=12, bymonthday=31, dtstart=at_nine),
        ],
        name="local day",
    )
    assert not local.is_workday(dt.date(2030, 1, 1))
    assert not local.is_workday(dt.date(2030, 12, 31))  # a Tuesday, the calendar's last day


def test_provisional_names_each_refused_official_day_by_its_field_and_row() -> None:
    with pytest.raises(ValidationError) as info:
        china().provisional(
            days_off=[dt.date(2027, 1, 1), dt.date(2025, 1, 6)], days_on=[dt.date(2025, 1, 4)]
        )
    assert [(p.field, p.row) for p in info.value.problems] == [("days_off", 1), ("days_on", 0)]


def test_provisional_takes_days_from_any_iterable() -> None:
    # a generator is read once: the days still reach the new calendar
    days_on = (d for d in [dt.date(2027, 1, 2)])  # a Saturday
    days_off = (d for d in [dt.date(2027, 1, 4)])  # a Monday
    cal = china().provisional(days_on=days_on, days_off=days_off)
    assert cal.is_workday(dt.date(2027, 1, 2)) and not cal.is_workday(dt.date(2027, 1, 4))
