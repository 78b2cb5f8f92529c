"""WorkCalendar: vectorised working-day arithmetic over a fixed range of days.

Invariants and the rule each comes from:

* **The start day is never counted** (民法典 arts. 201 and 203; 民事诉讼法 art. 85:
  a period counted in days starts on the next day). ``add_workdays(d, n)`` for
  ``n >= 1`` is the n-th working day strictly after ``d``, also when ``d`` is a day
  off; for ``n <= -1`` the |n|-th working day strictly before ``d``; for ``n == 0``
  it is ``d`` itself, unchanged (zero working days after ``d`` is ``d``).
* ``count_workdays(start, end)`` counts the working days stepped onto going from
  ``start`` to ``end``: those in ``(start, end]`` when ``end >= start``, and minus
  those in ``[end, start)`` when ``end < start``. So
  ``count_workdays(d, add_workdays(d, n)) == n`` for every integer ``n``.
* **Never guess**: a date outside the calendar's range raises
  :class:`~randsupervise.errors.CalendarDataMissing`. Days outside the official data
  are answered only by a calendar made with :meth:`WorkCalendar.provisional`, and
  every answer that used such a day can be flagged (``flag=True``).
* **Vectorised**: the calendar holds, for every day of its range, whether it is a
  working day, the running count of working days (prefix sums) and the list of
  working days. Each query is O(1) array indexing per date; no Python loop per date.
* Immutable: the arrays are read-only and every change (:meth:`with_overrides`,
  :meth:`provisional`) returns a new calendar.

The kinds of day and flagged answers are in :mod:`~randsupervise.calendar.days` (and
stay importable from here); checking the inputs and building the days of a range is a
private step of its own (``calendar._ranges``).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, overload

import numpy as np
from numpy.typing import NDArray

from randsupervise._core.validation import describe
from randsupervise.calendar._convert import Shape, from_days, to_days, to_steps
from randsupervise.calendar._ranges import (
    _EPOCH_ORDINAL,
    _check_name,
    _day_list,
    _day_map,
    _day_to_date,
    _days_in_range,
    _Infos,
    _mark_days,
    _parse_weekmask,
    _range_days,
    _weekmask_codes,
    _year_of,
)
from randsupervise.calendar.days import DateArrayLike, DateRule, DayInfo, DayKind, Flagged
from randsupervise.errors import CalendarDataMissing, Problem, ValidationError

__all__ = ["DateRule", "DayInfo", "DayKind", "Flagged", "WorkCalendar"]


class WorkCalendar:
    """Working days over a range of dates: queries in O(1) per date, vectorised.

    A generic calendar for any place: a ``weekmask`` (Monday..Sunday, as in numpy),
    days off (``holidays``, a collection of dates or a mapping date -> name) and
    weekend days worked (``extra_workdays``), between ``start`` and ``end``
    inclusive. Outside that range every query raises
    :class:`~randsupervise.errors.CalendarDataMissing`. China's official schedule is
    :func:`randsupervise.calendar.china`.

    Methods accept a ``datetime.date``, a ``numpy.datetime64``, an ISO date string,
    or a sequence/array of one of these kinds, and answer in the same shape.

    Examples:
        >>> from datetime import date
        >>> cal = WorkCalendar(start=date(2030, 1, 1), end=date(2030, 12, 31),
        ...                    holidays={date(2030, 1, 1): "New Year"},
        ...                    extra_workdays=[date(2030, 1, 5)])
        >>> cal.add_workdays(date(2029 + 1, 1, 1), 1)
        datetime.date(2030, 1, 2)
        >>> cal.is_workday(date(2030, 1, 5))
        True
        >>> cal.day_kind(date(2030, 1, 1)).kind
        <DayKind.HOLIDAY: 'holiday'>
    """

    __slots__ = (
        "_codes",
        "_cum",
        "_hi",
        "_infos",
        "_infos_arr",
        "_lo",
        "_name",
        "_off_hi",
        "_off_lo",
        "_wd",
        "_weekmask",
        "_work",
    )  # fmt: skip

    _lo: int
    _hi: int
    _off_lo: int
    _off_hi: int
    _work: NDArray[np.bool_]
    _cum: NDArray[np.int64]
    _wd: NDArray[np.int64]
    _codes: NDArray[np.int16]
    _infos: tuple[DayInfo, ...]
    _infos_arr: NDArray[np.object_]
    _weekmask: tuple[bool, ...]
    _name: str

    def __init__(
        self,
        *,
        start: _dt.date,
        end: _dt.date,
        weekmask: str | Sequence[bool | int] = "1111100",
        holidays: Iterable[Any] | Mapping[Any, str] = (),
        extra_workdays: Iterable[Any] = (),
        name: str = "custom",
    ) -> None:
        mask = _parse_weekmask(weekmask)
        lo, hi = _range_days(start, end)
        infos = _Infos()
        codes = _weekmask_codes(lo, hi, mask, infos)
        _check_name(name)
        off = _day_map(holidays, "holidays", None)
        off_days = _days_in_range(list(off), lo, hi, "holidays").tolist()
        on_days = _days_in_range(
            _day_list(extra_workdays, "extra_workdays"), lo, hi, "extra_workdays"
        ).tolist()
        _mark_days(codes, lo, infos, (off_days, list(off.values())), on_days,
                   ("extra_workdays", "a holiday and an extra working day"))  # fmt: skip
        self._init(lo, hi, (lo, hi), codes, infos.items, mask, name)

    # -- construction -----------------------------------------------------------------

    def _init(
        self,
        lo: int,
        hi: int,
        official: tuple[int, int],
        codes: NDArray[np.int16],
        infos: Sequence[DayInfo],
        weekmask: tuple[bool, ...],
        name: str,
    ) -> None:
        self._lo, self._hi = lo, hi
        self._off_lo, self._off_hi = official
        self._infos = tuple(infos)
        infos_arr = np.empty(len(self._infos), dtype=object)
        infos_arr[:] = self._infos
        infos_arr.setflags(write=False)
        self._infos_arr = infos_arr
        workday_of_code = np.array([i.workday for i in self._infos], dtype=bool)
        self._codes = codes.astype(np.int16)
        self._work = workday_of_code[self._codes] if len(self._infos) else np.zeros(0, bool)
        cum = np.zeros(hi - lo + 1, dtype=np.int64)
        np.cumsum(self._work, out=cum[1:])
        self._cum = cum
        self._wd = np.flatnonzero(self._work).astype(np.int64) + lo
        for arr in (self._codes, self._work, self._cum, self._wd):
            arr.setflags(write=False)
        self._weekmask = weekmask
        self._name = name

    @classmethod
    def _from_codes(cls, *state: Any) -> WorkCalendar:
        """A calendar built from its state, given as :meth:`_init` takes it."""
        self = cls.__new__(cls)
        self._init(*state)
        return self

    # -- properties -------------------------------------------------------------------

    @property
    def name(self) -> str:
        """A short label for the calendar (``"china"``, ``"custom"``)."""
        return self._name

    @property
    def start(self) -> _dt.date:
        """First day the calendar answers for (provisional days included)."""
        return _day_to_date(self._lo)

    @property
    def end(self) -> _dt.date:
        """Last day the calendar answers for (provisional days included)."""
        return _day_to_date(self._hi - 1)

    @property
    def official_start(self) -> _dt.date:
        """First day of official (non-provisional) data."""
        return _day_to_date(self._off_lo)

    @property
    def official_end(self) -> _dt.date:
        """Last day of official (non-provisional) data."""
        return _day_to_date(self._off_hi - 1)

    @property
    def is_provisional(self) -> bool:
        """Whether the calendar answers for any day outside its official data."""
        return (self._lo, self._hi) != (self._off_lo, self._off_hi)

    @property
    def workday_mask(self) -> NDArray[np.bool_]:
        """Read-only bool array, one per day from :attr:`start` to :attr:`end`."""
        return self._work

    def __repr__(self) -> str:
        extra = f", provisional {self.start}..{self.end}" if self.is_provisional else ""
        return f"<WorkCalendar {self._name} {self.official_start}..{self.official_end}{extra}>"

    # -- index helpers ----------------------------------------------------------------

    def _index(self, days: NDArray[np.int64]) -> NDArray[np.int64]:
        """Offsets into the day arrays; CalendarDataMissing for days outside."""
        idx = days - self._lo
        if idx.size and (idx.min() < 0 or idx.max() >= self._hi - self._lo):
            bad = (idx < 0) | (idx >= self._hi - self._lo)
            first = int(days.ravel()[np.flatnonzero(bad.ravel())[0]])
            raise self._missing(first)
        return idx

    def _missing(self, day: int) -> CalendarDataMissing:
        return CalendarDataMissing(
            _year_of(day), covered=(_year_of(self._off_lo), _year_of(self._off_hi - 1))
        )

    def _flags(self, a: NDArray[np.int64], b: NDArray[np.int64], shape: Shape) -> Any:
        low, high = np.minimum(a, b), np.maximum(a, b)
        flags = (low < self._off_lo) | (high >= self._off_hi)
        return flags if shape is Shape.ARRAY else bool(flags)

    # -- queries ----------------------------------------------------------------------

    def covers(self, d: Any) -> Any:
        """Whether the official data covers ``d`` (no guess, nothing provisional).

        Never raises for a date outside the range: that is what it asks.

        Examples:
            >>> from datetime import date
            >>> from randsupervise.calendar import china
            >>> china().covers(date(2026, 12, 31)), china().covers(date(2027, 1, 1))
            (True, False)
        """
        days, shape = to_days(d)
        inside = (days >= self._off_lo) & (days < self._off_hi)
        return inside if shape is Shape.ARRAY else bool(inside)

    @overload
    def is_workday(self, d: _dt.date | np.datetime64 | str) -> bool: ...
    @overload
    def is_workday(self, d: DateArrayLike) -> NDArray[np.bool_]: ...
    def is_workday(self, d: Any) -> Any:
        """Whether ``d`` is a working day.

        Examples:
            >>> from datetime import date
            >>> from randsupervise.calendar import china
            >>> china().is_workday(date(2024, 2, 4))  # a Sunday worked (调休)
            True
        """
        days, shape = to_days(d)
        out = self._work[self._index(days)]
        return out if shape is Shape.ARRAY else bool(out)

    @overload
    def day_kind(self, d: _dt.date | np.datetime64 | str) -> DayInfo: ...
    @overload
    def day_kind(self, d: DateArrayLike) -> NDArray[np.object_]: ...
    def day_kind(self, d: Any) -> Any:
        """What kind of day ``d`` is: a :class:`DayInfo` (an object array for arrays).

        Examples:
            >>> from datetime import date
            >>> from randsupervise.calendar import china
            >>> info = china().day_kind(date(2025, 1, 29))
            >>> info.kind, info.holiday, info.holiday_en
            (<DayKind.HOLIDAY: 'holiday'>, '春节', 'Spring Festival')
        """
        days, shape = to_days(d)
        codes = self._codes[self._index(days)]
        if shape is Shape.ARRAY:
            return self._infos_arr[codes]
        return self._infos[int(codes)]

    @overload
    def add_workdays(self, d: Any, n: Any, *, flag: Literal[True]) -> Flagged[Any]: ...
    @overload
    def add_workdays(self, d: _dt.date, n: int, *, flag: Literal[False] = ...) -> _dt.date: ...
    @overload
    def add_workdays(
        self, d: np.datetime64 | str, n: int, *, flag: Literal[False] = ...
    ) -> np.datetime64: ...
    @overload
    def add_workdays(
        self, d: DateArrayLike, n: int | NDArray[np.integer[Any]], *, flag: Literal[False] = ...
    ) -> NDArray[np.datetime64]: ...
    def add_workdays(self, d: Any, n: Any, *, flag: bool = False) -> Any:
        """The n-th working day strictly after ``d`` (n >= 1), or before it (n <= -1).

        The start day is never counted, also when it is a day off. ``n == 0``
        returns ``d`` unchanged. ``n`` may be an integer array broadcast against
        ``d``.

        Args:
            d: the date(s) to count from.
            n: how many working days to step, an integer (or integer array).
            flag: return a :class:`Flagged` answer that marks results which used a
                provisional day.

        Raises:
            CalendarDataMissing: ``d`` or the answer lies outside the calendar.
            ValidationError: ``d`` is not a date or ``n`` is not an integer.

        Examples:
            >>> from datetime import date
            >>> from randsupervise.calendar import china
            >>> china().add_workdays(date(2025, 10, 3), 1)  # the start day is off
            datetime.date(2025, 10, 9)
            >>> china().add_workdays(date(2025, 10, 9), -1)
            datetime.date(2025, 9, 30)
        """
        days, shape = to_days(d)
        steps = to_steps(n)
        if steps.ndim and shape is not Shape.ARRAY:
            shape = Shape.ARRAY
        advice = "dates: give one count, or one per date"
        days, steps = _paired(days, steps, "add_workdays", "n", "step counts for", advice)
        idx = self._index(days)
        # working days in [lo, d] for forward steps, in [lo, d) for backward ones
        base = np.where(steps > 0, self._cum[idx + 1], self._cum[idx])
        pos = base + steps - (steps > 0)
        if pos.size and (pos.min() < 0 or pos.max() >= self._wd.size):
            bad = np.flatnonzero(((pos < 0) | (pos >= self._wd.size)).ravel())[0]
            after = bool(steps.ravel()[bad] > 0)
            raise self._missing(self._hi if after else self._lo - 1)
        result = np.where(steps == 0, days, self._wd[np.clip(pos, 0, max(self._wd.size - 1, 0))])
        value = from_days(result, shape)
        return Flagged(value=value, provisional=self._flags(days, result, shape)) if flag else value

    @overload
    def count_workdays(self, start: Any, end: Any, *, flag: Literal[True]) -> Flagged[Any]: ...
    @overload
    def count_workdays(
        self,
        start: _dt.date | np.datetime64 | str,
        end: _dt.date | np.datetime64 | str,
        *,
        flag: Literal[False] = ...,
    ) -> int: ...
    @overload
    def count_workdays(
        self, start: Any, end: Any, *, flag: Literal[False] = ...
    ) -> NDArray[np.int64]: ...
    def count_workdays(self, start: Any, end: Any, *, flag: bool = False) -> Any:
        """Working days stepped onto from ``start`` to ``end``.

        Forward (``end >= start``): the working days in ``(start, end]``. Backward
        (``end < start``): minus the working days in ``[end, start)``. So
        ``count_workdays(d, add_workdays(d, n)) == n`` for every integer ``n``.

        Examples:
            >>> from datetime import date
            >>> from randsupervise.calendar import china
            >>> china().count_workdays(date(2025, 9, 30), date(2025, 10, 9))
            1
            >>> china().count_workdays(date(2025, 10, 9), date(2025, 9, 30))
            -1
        """
        a, shape_a = to_days(start, field="start")
        b, shape_b = to_days(end, field="end")
        array = Shape.ARRAY in (shape_a, shape_b)
        advice = "start dates: give one, or one per start date"
        a, b = _paired(a, b, "count_workdays", "end", "end dates for", advice)
        ia, ib = self._index(a), self._index(b)
        forward = self._cum[ib + 1] - self._cum[ia + 1]
        backward = self._cum[ib] - self._cum[ia]
        out = np.where(b >= a, forward, backward)
        shape = Shape.ARRAY if array else Shape.DATE
        value = out if array else int(out)
        return Flagged(value=value, provisional=self._flags(a, b, shape)) if flag else value

    @overload
    def deadline(
        self, completed_on: Any, workdays: int = ..., *, flag: Literal[True]
    ) -> Flagged[Any]: ...
    @overload
    def deadline(
        self, completed_on: _dt.date, workdays: int = ..., *, flag: Literal[False] = ...
    ) -> _dt.date: ...
    @overload
    def deadline(
        self, completed_on: np.datetime64 | str, workdays: int = ..., *, flag: Literal[False] = ...
    ) -> np.datetime64: ...
    @overload
    def deadline(
        self, completed_on: DateArrayLike, workdays: int = ..., *, flag: Literal[False] = ...
    ) -> NDArray[np.datetime64]: ...
    def deadline(self, completed_on: Any, workdays: int = 20, *, flag: bool = False) -> Any:
        """Last day to record results: ``workdays`` working days after completion.

        The completion day is not counted (民法典 arts. 201, 203): the deadline is
        the ``workdays``-th working day strictly after ``completed_on``.

        Examples:
            >>> from datetime import date
            >>> from randsupervise.calendar import china
            >>> china().deadline(date(2025, 9, 30))
            datetime.date(2025, 11, 4)
        """
        steps = to_steps(workdays, field="workdays")
        if steps.ndim or int(steps) < 1:
            raise ValidationError(
                [Problem(field="workdays", message=f"{workdays!r}: give an integer >= 1")],
                what="bad workdays",
            )
        if flag:
            return self.add_workdays(completed_on, int(steps), flag=True)
        return self.add_workdays(completed_on, int(steps))

    # -- new calendars ----------------------------------------------------------------

    def with_overrides(
        self,
        *,
        days_off: Iterable[Any] | Mapping[Any, str] = (),
        days_on: Iterable[Any] = (),
        rules: Iterable[DateRule] = (),
        name: str | None = None,
    ) -> WorkCalendar:
        """A new calendar with local days off and days worked.

        Args:
            days_off: dates off (or a mapping date -> holiday name), e.g. a local
                ethnic festival.
            days_on: dates worked, e.g. a local weekend working day.
            rules: recurring days off, e.g. ``dateutil.rrule.rrule`` objects; their
                occurrences inside the calendar's range become days off.
            name: the holiday name for ``rules`` occurrences and unnamed days off.

        Examples:
            >>> from datetime import date
            >>> from dateutil.rrule import YEARLY, rrule
            >>> from randsupervise.calendar import china
            >>> local = china().with_overrides(
            ...     rules=[rrule(YEARLY, bymonth=7, bymonthday=1, dtstart=date(2004, 1, 1))],
            ...     name="local day")
            >>> local.is_workday(date(2025, 7, 1)), china().is_workday(date(2025, 7, 1))
            (False, True)
        """
        lo, hi = self._lo, self._hi
        if name is not None:
            _check_name(name)
        off = _day_map(days_off, "days_off", name)
        off_days = _days_in_range(list(off), lo, hi, "days_off").tolist()
        labels: list[str | None] = [lbl if lbl is not None else name for lbl in off.values()]
        # the whole of the last day: a rule whose occurrences carry a time of day (its
        # dtstart was a datetime) still hits it
        start = _dt.datetime.combine(self.start, _dt.time.min)
        stop = _dt.datetime.combine(self.end, _dt.time.max)
        for row, rule in enumerate(_day_list(rules, "rules")):
            between = getattr(rule, "between", None)
            if not callable(between):
                raise ValidationError([Problem(row=row, field="rules", message=(
                    f"a rule needs a between() method (e.g. dateutil.rrule.rrule), got "
                    f"{describe(rule)}"))])  # fmt: skip
            for occurrence in between(start, stop, inc=True):
                if not isinstance(occurrence, _dt.date):
                    raise ValidationError([Problem(row=row, field="rules", message=(
                        f"an occurrence is not a date: {describe(occurrence)}"))])  # fmt: skip
                day = occurrence.toordinal() - _EPOCH_ORDINAL
                if lo <= day < hi:  # the rule's own between() may be loose
                    off_days.append(day)
                    labels.append(name)
        on_days = _days_in_range(_day_list(days_on, "days_on"), lo, hi, "days_on").tolist()
        infos = _Infos(self._infos)
        codes = self._codes.copy()
        _mark_days(
            codes, lo, infos, (off_days, labels), on_days, ("days_on", "a day off and a day on")
        )
        return WorkCalendar._from_codes(
            lo, hi, (self._off_lo, self._off_hi), codes, infos.items, self._weekmask,
            self._name if name is None else f"{self._name}+{name}",
        )  # fmt: skip

    def provisional(
        self,
        *,
        start: _dt.date | None = None,
        end: _dt.date | None = None,
        weekmask: str | Sequence[bool | int] | None = None,
        days_off: Iterable[Any] | Mapping[Any, str] = (),
        days_on: Iterable[Any] = (),
    ) -> WorkCalendar:
        """Opt in to answering for days outside the official data, marked provisional.

        Days between ``start`` and ``end`` that the official data does not cover follow
        ``weekmask`` (by default this calendar's) plus the ``days_off`` and ``days_on``
        you give. Official days are unchanged. Pass ``flag=True`` to
        :meth:`add_workdays`, :meth:`count_workdays` or :meth:`deadline` to learn which
        answers used a provisional day; :meth:`covers` tells whether a date is official.

        Args:
            start: first day (default: the official start, no extension backwards).
            end: last day (default: 31 December, ten years after the official end).
            weekmask: Monday..Sunday working flags for provisional days.
            days_off: provisional days off (or mapping date -> name).
            days_on: provisional days worked.

        Examples:
            >>> from datetime import date
            >>> from randsupervise.calendar import china
            >>> cal = china().provisional(days_off={date(2027, 1, 1): "元旦"})
            >>> answer = cal.deadline(date(2026, 12, 25), flag=True)
            >>> answer.value, answer.provisional
            (datetime.date(2027, 1, 25), True)
        """
        mask = self._weekmask if weekmask is None else _parse_weekmask(weekmask)
        default_end = _dt.date(_year_of(self._off_hi - 1) + 10, 12, 31)
        new_lo, new_hi = _range_days(
            self.start if start is None else start, default_end if end is None else end
        )
        new_lo, new_hi = min(new_lo, self._lo), max(new_hi, self._hi)
        infos = _Infos(self._infos)
        codes = _weekmask_codes(new_lo, new_hi, mask, infos)
        codes[self._lo - new_lo : self._hi - new_lo] = self._codes
        extra = WorkCalendar._from_codes(new_lo, new_hi, (self._off_lo, self._off_hi), codes,
                                         infos.items, mask, self._name)  # fmt: skip
        official = range(self._off_lo, self._off_hi)
        off = _day_map(days_off, "days_off", None)
        on = _day_list(days_on, "days_on")
        inside = [
            Problem(row=row, field=field,
                    message=f"{_day_to_date(d)} is covered by official data; use with_overrides")
            for field, values in (("days_off", list(off)), ("days_on", on))
            for row, d in enumerate(_days_in_range(values, new_lo, new_hi, field).tolist())
            if d in official
        ]  # fmt: skip
        if inside:
            raise ValidationError(inside)
        return extra.with_overrides(days_off=off, days_on=on)


def _paired(
    left: NDArray[Any], right: NDArray[Any], what: str, field: str, these: str, those: str
) -> tuple[NDArray[Any], NDArray[Any]]:
    """``left`` and ``right`` broadcast together: one value of ``right`` for all, or one per
    value of ``left``; otherwise a ValidationError naming ``field``: "<right's size>
    ``these`` <left's size> ``those``"."""
    try:
        a, b = np.broadcast_arrays(left, right)
    except ValueError:
        message = f"{right.size} {these} {left.size} {those}"
        raise ValidationError([Problem(field=field, message=message)], what=what) from None
    return a, b
