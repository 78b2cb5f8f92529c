"""Building a calendar's days: its range, the weekly pattern, days off and days on.

Invariants, and the rule each comes from:

* Days are numbered from 1970-01-01 (day 0) as int64, so every query is array indexing
  (architecture principle 7); a day beyond what ``datetime.date`` holds falls in year 0
  or 10000, so a query far outside the calendar still raises ``CalendarDataMissing``
  (never guess).
* Every input is checked before anything is built, and every bad day is named by its row
  and field (architecture principle 6): a week mask is 7 flags Monday..Sunday; days off
  are a collection of dates or a mapping date -> name (text); a day outside the range is
  refused.
* A day made a working day keeps the holiday it belongs to (调休上班).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from randsupervise._core.validation import describe, is_text
from randsupervise.calendar._convert import Shape, to_days
from randsupervise.calendar.days import DayInfo, DayKind
from randsupervise.errors import Problem, ValidationError

_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()


def _day_to_date(day: int) -> _dt.date:
    return _dt.date.fromordinal(day + _EPOCH_ORDINAL)


_FIRST_DAY = _dt.date.min.toordinal() - _EPOCH_ORDINAL
_LAST_DAY = _dt.date.max.toordinal() - _EPOCH_ORDINAL


def _year_of(day: int) -> int:
    """The year of a day number; beyond what ``datetime.date`` holds, year 0 or 10000
    (so a query far outside the calendar still raises CalendarDataMissing)."""
    if day < _FIRST_DAY:
        return 0
    if day > _LAST_DAY:
        return 10000
    return _day_to_date(day).year


def _parse_weekmask(weekmask: str | Sequence[bool | int]) -> tuple[bool, ...]:
    if isinstance(weekmask, str):
        bits = weekmask.replace(" ", "")
        if len(bits) == 7 and set(bits) <= {"0", "1"}:
            return tuple(b == "1" for b in bits)
    elif (
        isinstance(weekmask, Sequence | np.ndarray)
        and _is_collection(weekmask)
        and len(weekmask) == 7
        and all(isinstance(b, bool | int | np.bool_ | np.integer) and b in (0, 1) for b in weekmask)
    ):
        return tuple(bool(b) for b in weekmask)
    raise ValidationError(
        [Problem(field="weekmask",
                 message=f"{describe(weekmask)}: give 7 flags Monday..Sunday, e.g. '1111100'")]
    )  # fmt: skip


def _day_map(values: object, field: str, default: str | None) -> dict[Any, str | None]:
    """Days off as date -> name: a mapping as given, any other collection named ``default``.

    Refuses (naming ``field``) what is neither, unhashable dates, and names that are not
    text.
    """
    problem: str | None = None
    out: dict[Any, Any] = {}
    try:
        if isinstance(values, Mapping):
            out = dict(values)
        elif _is_collection(values):
            out = dict.fromkeys(cast(Iterable[Any], values), default)
        else:
            problem = (
                f"must be a collection of dates or a mapping date -> name, got {describe(values)}"
            )
    except TypeError:  # an unhashable element
        problem = f"holds an element that is not a date: {describe(values)}"
    if problem is None:
        bad = [v for v in out.values() if v is not None and not is_text(v)]
        if bad:
            problem = f"day names must be text, got {describe(bad[0])}"
    if problem is not None:
        raise ValidationError([Problem(field=field, message=problem)])
    return out


def _is_collection(values: object) -> bool:
    if isinstance(values, np.ndarray):
        return values.ndim == 1
    return isinstance(values, Iterable) and not isinstance(values, str | bytes | Mapping)


def _day_list(values: object, field: str) -> list[Any]:
    """A collection of dates as a list (refusing, naming ``field``, anything else)."""
    if _is_collection(values):
        return list(cast(Iterable[Any], values))
    raise ValidationError(
        [Problem(field=field, message=f"must be a collection of dates, got {describe(values)}")]
    )


def _weekday_of_days(days: NDArray[np.int64]) -> NDArray[np.int64]:
    # 1970-01-01 was a Thursday (weekday 3 with Monday = 0)
    return (days + 3) % 7


class _Infos:
    """Interns DayInfo values so that a day's info is a small integer code."""

    def __init__(self, infos: Sequence[DayInfo] = ()) -> None:
        self.items: list[DayInfo] = list(infos)
        self.index: dict[DayInfo, int] = {info: i for i, info in enumerate(self.items)}

    def code(self, info: DayInfo) -> int:
        if info not in self.index:
            self.index[info] = len(self.items)
            self.items.append(info)
        return self.index[info]


def _range_days(start: _dt.date, end: _dt.date) -> tuple[int, int]:
    days, shape = to_days([start, end], field="start/end")
    if (
        isinstance(start, _dt.datetime)
        or not isinstance(start, _dt.date)
        or shape is not Shape.ARRAY
    ):
        raise ValidationError([Problem(field="start", message="start must be a date")])
    lo, last = int(days[0]), int(days[1])
    if last < lo:
        raise ValidationError([Problem(field="end", message=f"end {end} is before start {start}")])
    return lo, last + 1


def _days_in_range(values: list[Any], lo: int, hi: int, field: str) -> NDArray[np.int64]:
    if not values:
        return np.zeros(0, dtype=np.int64)
    days, _ = to_days(values, field=field)
    days = days.ravel()
    outside = np.flatnonzero((days < lo) | (days >= hi))
    if outside.size:
        raise ValidationError([Problem(row=int(i), field=field, message=(
            f"{_day_to_date(int(days[i]))} is outside the calendar "
            f"{_day_to_date(lo)}..{_day_to_date(hi - 1)}")) for i in outside])  # fmt: skip
    return days


def _weekmask_codes(lo: int, hi: int, mask: tuple[bool, ...], infos: _Infos) -> NDArray[np.int16]:
    work = infos.code(DayInfo(kind=DayKind.WORKDAY, workday=True))
    rest = infos.code(DayInfo(kind=DayKind.WEEKEND, workday=False))
    by_weekday = np.array([work if m else rest for m in mask], dtype=np.int16)
    return by_weekday[_weekday_of_days(np.arange(lo, hi, dtype=np.int64))]


def _worked(current: DayInfo) -> DayInfo:
    """DayInfo for a day made a working day: unchanged if it already is one, else adjusted
    (keeping the holiday it belongs to)."""
    if current.workday:
        return current
    return DayInfo(kind=DayKind.ADJUSTED_WORKDAY, workday=True, holiday=current.holiday,
                   holiday_en=current.holiday_en)  # fmt: skip


def _check_name(name: object) -> None:
    """A calendar's or a holiday's name is text."""
    if not is_text(name):
        raise ValidationError(
            [Problem(field="name", message=f"must be text, got {describe(name)}")]
        )


def _mark_days(
    codes: NDArray[np.int16],
    lo: int,
    infos: _Infos,
    off: tuple[list[int], Sequence[str | None]],
    on_days: list[int],
    clash: tuple[str, str],
) -> None:
    """Mark days off (with their holiday names) and days worked in ``codes``, in place;
    a day that is both is refused, each named under ``clash = (field, "both ...")``."""
    field, both = clash
    twice = sorted(set(on_days) & set(off[0]))
    if twice:
        raise ValidationError([Problem(field=field, message=f"{_day_to_date(d)} is both {both}")
                               for d in twice])  # fmt: skip
    for day, label in zip(*off, strict=True):
        codes[day - lo] = infos.code(
            DayInfo(kind=DayKind.HOLIDAY, workday=False, holiday=label, holiday_en=label)
        )
    for day in on_days:
        codes[day - lo] = infos.code(_worked(infos.items[codes[day - lo]]))
