"""Hostile input to the calendar: typed errors naming the argument, never a wrap-around.

Far dates raise :class:`CalendarDataMissing` (never OverflowError); step counts beyond
any calendar are refused (never wrapped to a negative number); datetimes are refused
everywhere, as in the lifecycle.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randsupervise.calendar import WorkCalendar, build_china, china
from randsupervise.errors import CalendarDataMissing, RandSuperviseError, ValidationError

from hostile_helpers import raises_naming

D = dt.date(2024, 5, 6)
CAL = china()
FAR = CAL.provisional(end=dt.date(9999, 12, 31))


@pytest.mark.parametrize(
    "n",
    [
        10**30,
        -(10**30),
        2**63,
        np.uint64(2**64 - 1),
        np.array([2**64 - 1], dtype=np.uint64),
        np.array([2**62], dtype=np.int64),
        [10**30],
        [True, 2],
        [1, 2.0],
        [[1], ["2"]],
        2.0,
        "3",
        True,
        np.bool_(True),
        None,
        1j,
        math.nan,
        np.array([1.0]),
        np.array([True]),
    ],
)
def test_add_workdays_refuses_bad_steps_naming_n(n: Any) -> None:
    err = raises_naming(lambda: CAL.add_workdays(D, n), "'n'")
    assert isinstance(err, ValidationError)


def test_a_uint64_step_never_wraps_around_to_step_backwards() -> None:
    with pytest.raises(ValidationError):
        CAL.add_workdays(D, np.array([2**64 - 1], dtype=np.uint64))
    forward = CAL.add_workdays(D, np.array([1], dtype=np.uint64))
    assert forward[0] > np.datetime64(D)


@pytest.mark.parametrize("workdays", [10**30, 0, -1, 2.0, "20", True, None, [20]])
def test_deadline_refuses_bad_workdays(workdays: Any) -> None:
    raises_naming(lambda: CAL.deadline(D, workdays), "workdays")


@pytest.mark.parametrize(
    ("call", "year"),
    [
        (lambda: CAL.add_workdays(dt.date(9999, 12, 31), 1), 9999),
        (lambda: CAL.add_workdays(dt.date(1, 1, 1), -1), 1),
        (lambda: FAR.add_workdays(dt.date(9999, 12, 30), 5), 10000),
        (lambda: FAR.add_workdays(dt.date(9999, 12, 30), 2**40), 10000),
        (lambda: CAL.add_workdays(D, -(2**40)), 2003),
        (lambda: CAL.is_workday(np.datetime64("99999-01-01")), 10000),
        (lambda: CAL.is_workday(np.datetime64(-(10**15), "D")), 0),
        (lambda: CAL.count_workdays(dt.date.min, dt.date.max), 1),
        (lambda: CAL.deadline(dt.date(9999, 12, 31)), 9999),
    ],
)
def test_far_dates_raise_calendar_data_missing_never_overflow(call: Any, year: int) -> None:
    with pytest.raises(CalendarDataMissing) as info:
        call()
    assert info.value.year == year


@pytest.mark.parametrize(
    "d",
    [
        dt.datetime(2024, 5, 6),
        dt.datetime(2024, 5, 6, 9, tzinfo=dt.timezone.utc),
        [dt.datetime(2024, 5, 6)],
        np.array(["2024-05-06T09"], dtype="datetime64[h]"),
        np.datetime64("2024-05-06T09:30"),
        np.datetime64("NaT"),
        "2024-5-6",
        "2024-05-06T00:00",
        "\ud800",
        "2024-05-06\x00",
        20240506,
        None,
        [D, "2024-05-07"],
        np.array([1, 2]),
        np.array(3),
        {D: 1},
    ],
)
def test_queries_refuse_what_is_not_a_date(d: Any) -> None:
    for call in (CAL.is_workday, CAL.day_kind, CAL.covers, CAL.deadline):
        raises_naming(lambda call=call: call(d), "'d'" if call is not CAL.deadline else "")
    raises_naming(lambda: CAL.count_workdays(d, D), "start")
    raises_naming(lambda: CAL.count_workdays(D, d), "end")


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"start": dt.datetime(2024, 1, 1)}, "start"),
        ({"start": "2024-01-01"}, "start"),
        ({"end": dt.date(2023, 1, 1)}, "end"),
        ({"weekmask": "1111"}, "weekmask"),
        ({"weekmask": np.array(3)}, "weekmask"),
        ({"weekmask": (x for x in [1] * 7)}, "weekmask"),
        ({"weekmask": [2] * 7}, "weekmask"),
        ({"holidays": 5}, "holidays"),
        ({"holidays": [[D]]}, "holidays"),
        ({"holidays": {D: 5}}, "holidays"),
        ({"holidays": {D: "a\ud800"}}, "holidays"),
        ({"holidays": [dt.date(2030, 1, 1)]}, "holidays"),
        ({"holidays": [dt.datetime(2024, 5, 1)]}, "holidays"),
        ({"extra_workdays": np.array(3)}, "extra_workdays"),
        ({"extra_workdays": "2024-05-01"}, "extra_workdays"),
        ({"name": ["x"]}, "name"),
    ],
)
def test_work_calendar_refuses_and_names_the_argument(kwargs: dict[str, Any], name: str) -> None:
    base: dict[str, Any] = {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31)}
    raises_naming(lambda: WorkCalendar(**{**base, **kwargs}), name)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: CAL.with_overrides(days_off=5), "days_off"),
        (lambda: CAL.with_overrides(days_off=[[D]]), "days_off"),
        (lambda: CAL.with_overrides(days_on=np.array(3)), "days_on"),
        (lambda: CAL.with_overrides(rules=[5]), "rules"),
        (lambda: CAL.with_overrides(rules=np.array(3)), "rules"),
        (lambda: CAL.with_overrides(name=5), "name"),
        (lambda: CAL.provisional(start=""), "start"),
        (lambda: CAL.provisional(end=0), "end"),
        (lambda: CAL.provisional(end=False), "end"),
        (lambda: CAL.provisional(weekmask=np.array(3)), "weekmask"),
        (lambda: CAL.provisional(days_on=np.array(3)), "days_on"),
        (lambda: china(adjusted_weekends_are_workdays="yes"), "adjusted_weekends_are_workdays"),
        (lambda: china(adjusted_weekends_are_workdays=0), "adjusted_weekends_are_workdays"),
        (lambda: china(adjusted_weekends_are_workdays=[]), "adjusted_weekends_are_workdays"),
        (lambda: build_china([5]), "schedules"),
        (lambda: build_china(None), "schedules"),
    ],
)
def test_new_calendars_refuse_and_name_the_argument(call: Any, name: str) -> None:
    raises_naming(call, name)


def test_a_rule_yielding_non_dates_is_refused() -> None:
    class Odd:
        def between(self, after: Any, before: Any, inc: bool = True) -> list[Any]:
            return ["2024-05-01"]

    raises_naming(lambda: CAL.with_overrides(rules=[Odd()]), "rules", "row 0")


@settings(max_examples=80)
@given(
    d=st.one_of(
        st.dates(),
        st.datetimes(),
        st.text(alphabet=st.characters(codec=None), max_size=12),
        st.integers(),
        st.none(),
        st.lists(st.dates(), max_size=3),
    ),
    n=st.one_of(
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),
        st.booleans(),
        st.lists(st.integers(min_value=-(2**70), max_value=2**70), max_size=3),
    ),
)
def test_add_workdays_any_input_answers_or_raises_typed(d: Any, n: Any) -> None:
    try:
        out = FAR.add_workdays(d, n)
    except RandSuperviseError:
        return
    assert not isinstance(d, dt.datetime) and isinstance(n, int | list)
    if isinstance(d, dt.date) and isinstance(n, int) and n > 0:
        assert out > d


@settings(max_examples=40)
@given(st.dates(), st.integers(min_value=-50, max_value=50))
def test_steps_round_trip_where_they_answer(d: dt.date, n: int) -> None:
    try:
        there = FAR.add_workdays(d, n)
    except CalendarDataMissing:
        return
    assert FAR.count_workdays(d, there) == n
