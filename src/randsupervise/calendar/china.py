"""China's working-day calendar, built from the yearly schedules in ``china_data``.

Invariants and the rule each comes from:

* Covered: 1 January 2004 to 31 December 2026, every day answered from the State
  Council General Office's yearly notices (``china_data.SCHEDULES``). Any other date
  raises :class:`~randsupervise.errors.CalendarDataMissing` unless the caller opts in
  to :meth:`WorkCalendar.provisional`.
* A day is a working day when it is Monday to Friday outside every break, or a
  weekend day the notice makes a working day (调休上班). That government offices
  work those weekend days, so that they count as 工作日 for a recording deadline, is
  an inference from the notices, not a statute: ``adjusted_weekends_are_workdays=False``
  turns it off.
* Statutory days (法定节假日) follow the holiday rules in force that year
  (全国年节及纪念日放假办法, ``STATUTES`` below): New Year 1 January; Spring Festival
  初一-初三 (1999 and 2013 texts) or 除夕-初二 (2007 text) or 除夕-初三 (2024 text);
  Qingming, Dragon Boat and Mid-Autumn one day each from 2008; Labour Day 1-3 May
  (1999 text), 1 May (2007, 2013 texts), 1-2 May (2024 text); National Day 1-3 October;
  plus the one-off 3 September 2015. Other weekdays inside a break are days off in lieu
  (调休 or 补休); other weekend days inside a break stay weekend days.
"""

from __future__ import annotations

import datetime as _dt
import functools
import itertools
from collections.abc import Iterable

import attrs
import numpy as np

from randsupervise._core.validation import as_column, check_bool, describe
from randsupervise.calendar._ranges import _Infos, _weekmask_codes
from randsupervise.calendar.china_data import SCHEDULES, YearSchedule
from randsupervise.calendar.core import DayInfo, DayKind, WorkCalendar
from randsupervise.errors import Problem, ValidationError

__all__ = ["STATUTES", "Statute", "china", "statutory_days"]

_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()
_WEEKMASK = (True, True, True, True, True, False, False)


@attrs.frozen(kw_only=True)
class Statute:
    """One text of 全国年节及纪念日放假办法 and the statutory days it gives.

    ``spring_festival`` are offsets from 正月初一 (-1 is 除夕, New Year's Eve);
    ``labour_day`` are days of May; ``lunar_and_qingming`` whether Qingming, Dragon
    Boat and Mid-Autumn are holidays.
    """

    source: str
    first_year: int
    last_year: int | None
    spring_festival: tuple[int, ...]
    labour_day: tuple[int, ...]
    lunar_and_qingming: bool


STATUTES: tuple[Statute, ...] = (
    Statute(source="国务院令第270号 (1999 revision)", first_year=1999, last_year=2007,
            spring_festival=(0, 1, 2), labour_day=(1, 2, 3), lunar_and_qingming=False),
    Statute(source="国务院令第513号 (2007 revision)", first_year=2008, last_year=2013,
            spring_festival=(-1, 0, 1), labour_day=(1,), lunar_and_qingming=True),
    Statute(source="国务院令第644号 (2013 revision)", first_year=2014, last_year=2024,
            spring_festival=(0, 1, 2), labour_day=(1,), lunar_and_qingming=True),
    Statute(source="国务院令第795号 (2024 revision)", first_year=2025, last_year=None,
            spring_festival=(-1, 0, 1, 2), labour_day=(1, 2), lunar_and_qingming=True),
)  # fmt: skip
"""The texts of 全国年节及纪念日放假办法 in force over the covered years."""


def _statute_for(year: int) -> Statute:
    for statute in STATUTES:
        if statute.first_year <= year and (statute.last_year is None or year <= statute.last_year):
            return statute
    raise ValidationError([Problem(message=f"no holiday statute recorded for {year}")])


def statutory_days(schedule: YearSchedule) -> dict[_dt.date, str]:
    """The statutory holiday days of one year, each with its holiday's Chinese name.

    Examples:
        >>> from randsupervise.calendar.china_data import SCHEDULES
        >>> days = statutory_days(SCHEDULES[-2])  # 2025
        >>> sorted(d.isoformat() for d, name in days.items() if name == "春节")
        ['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31']
    """
    year, fest = schedule.year, schedule.festivals
    statute = _statute_for(year)
    days: dict[_dt.date, str] = {_dt.date(year, 1, 1): "元旦"}
    for offset in statute.spring_festival:
        days[fest.lunar_new_year + _dt.timedelta(days=offset)] = "春节"
    for may in statute.labour_day:
        days[_dt.date(year, 5, may)] = "劳动节"
    if statute.lunar_and_qingming:
        for label, when in (("清明节", fest.qingming), ("端午节", fest.dragon_boat),
                            ("中秋节", fest.mid_autumn)):  # fmt: skip
            if when is None:
                raise ValidationError(
                    [Problem(message=f"{year}: the date of {label} is missing", field=label)]
                )
            days[when] = label
    for october in (1, 2, 3):
        days[_dt.date(year, 10, october)] = "国庆节"
    for span in schedule.holidays:
        for one_off in span.statutory:
            days[one_off] = span.name
    return days


def _day(d: _dt.date) -> int:
    return d.toordinal() - _EPOCH_ORDINAL


def _check(schedules: tuple[YearSchedule, ...]) -> list[Problem]:
    """Every problem with the data, so a bad new entry is reported in full."""
    if not schedules:
        return [Problem(message="no yearly schedule given")]
    problems: list[Problem] = []
    years = [s.year for s in schedules]
    if years != list(range(years[0], years[0] + len(years))):
        problems.append(Problem(message=f"years must be consecutive, got {years}"))
    spans = sorted((sp for s in schedules for sp in s.holidays), key=lambda sp: sp.first)
    off: set[_dt.date] = set()
    for a, b in itertools.pairwise(spans):
        if b.first <= a.last:
            problems.append(Problem(message=f"breaks overlap: {a.name} {a.first} and {b.first}"))
    for sp in spans:
        if sp.last < sp.first:
            problems.append(Problem(message=f"{sp.name} {sp.first}: last day before first"))
        off.update(sp.first + _dt.timedelta(days=i) for i in range((sp.last - sp.first).days + 1))
    for s in schedules:
        for sp in s.holidays:
            for w in sp.workdays:
                if w.weekday() < 5 or w in off:
                    problems.append(Problem(
                        row=s.year, field=sp.name,
                        message=f"{w} is worked but is not a weekend day outside every break",
                    ))  # fmt: skip
        by_day = {sp.first + _dt.timedelta(days=i): sp.name for sp in s.holidays
                  for i in range((sp.last - sp.first).days + 1)}  # fmt: skip
        for day, label in statutory_days(s).items():
            if label not in by_day.get(day, "").split("、"):
                problems.append(Problem(
                    row=s.year, field=label,
                    message=f"statutory day {day} is not inside a break named {label}",
                ))  # fmt: skip
    return problems


def build_china(
    schedules: Iterable[YearSchedule] = SCHEDULES, *, adjusted_weekends_are_workdays: bool = True
) -> WorkCalendar:
    """Build China's calendar from yearly schedules (consecutive years).

    Raises:
        ValidationError: the schedules break an invariant of ``china_data``.

    Examples:
        >>> cal = build_china()
        >>> cal.official_start, cal.official_end
        (datetime.date(2004, 1, 1), datetime.date(2026, 12, 31))
    """
    check_bool(adjusted_weekends_are_workdays, "adjusted_weekends_are_workdays", what="build_china")
    given = as_column(schedules, "schedules", what="build_china")
    wrong = [
        Problem(row=k, field="schedules", message=f"not a YearSchedule: {describe(s)}")
        for k, s in enumerate(given)
        if not isinstance(s, YearSchedule)
    ]
    if wrong:
        raise ValidationError(wrong, what="build_china")
    schedules = tuple(sorted(given, key=lambda s: s.year))
    problems = _check(schedules)
    if problems:
        raise ValidationError(problems, what="China schedule data")
    lo = _day(_dt.date(schedules[0].year, 1, 1))
    hi = _day(_dt.date(schedules[-1].year, 12, 31)) + 1
    infos = _Infos()
    codes = _weekmask_codes(lo, hi, _WEEKMASK, infos)
    for s in schedules:
        statutory = statutory_days(s)
        for sp in s.holidays:
            en = sp.name_en
            for i in range((sp.last - sp.first).days + 1):
                d = sp.first + _dt.timedelta(days=i)
                if not lo <= _day(d) < hi:
                    continue
                if d in statutory:
                    kind = DayKind.HOLIDAY
                elif d.weekday() < 5:
                    kind = DayKind.DAY_OFF_IN_LIEU
                else:
                    kind = DayKind.WEEKEND
                codes[_day(d) - lo] = infos.code(
                    DayInfo(kind=kind, workday=False, holiday=sp.name, holiday_en=en)
                )
            for w in sp.workdays:
                if lo <= _day(w) < hi:
                    codes[_day(w) - lo] = infos.code(DayInfo(
                        kind=DayKind.ADJUSTED_WORKDAY, workday=adjusted_weekends_are_workdays,
                        holiday=sp.name, holiday_en=en,
                    ))  # fmt: skip
    return WorkCalendar._from_codes(
        lo, hi, (lo, hi), np.asarray(codes, dtype=np.int16), infos.items, _WEEKMASK, "china"
    )


def china(*, adjusted_weekends_are_workdays: bool = True) -> WorkCalendar:
    """China's official working-day calendar, 2004-2026 (built once, then cached).

    Args:
        adjusted_weekends_are_workdays: count the weekend days the State Council makes
            working days (调休上班) as working days. True by default because government
            offices work them; this is an inference from the notices, not a statute.

    Examples:
        >>> from datetime import date
        >>> china().deadline(date(2025, 9, 30))
        datetime.date(2025, 11, 4)
        >>> china(adjusted_weekends_are_workdays=False).is_workday(date(2025, 9, 28))
        False
    """
    check_bool(adjusted_weekends_are_workdays, "adjusted_weekends_are_workdays", what="china")
    return _china(adjusted_weekends_are_workdays)


@functools.lru_cache(maxsize=2)
def _china(adjusted_weekends_are_workdays: bool) -> WorkCalendar:
    return build_china(SCHEDULES, adjusted_weekends_are_workdays=adjusted_weekends_are_workdays)
