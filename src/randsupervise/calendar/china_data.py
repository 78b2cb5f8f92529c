"""China's official working-day schedules, 2004-2026, as data: one entry per year.

Each entry is one year's arrangement as the State Council General Office published it
in its yearly notice 《国务院办公厅关于XXXX年部分节假日安排的通知》, plus the notices
that later changed it. The entries are one table, ``china_schedules.txt`` (package
data, as ``TABLE``), read by one function, ``parse_schedules``; the builders ``N``,
``F``, ``H`` and ``Y`` give each field's meaning and also build an entry in code:

* ``notice issued=... number=... url=... note=...`` (``N``): a notice, with the date it
  bears, its document number (such as 国办发明电〔2024〕12号) and its address on
  www.gov.cn. A field left out is not recorded here: the numbers and dates for
  2008-2026 and the addresses for 2011-2026 were compiled from public references to the
  notices; those for 2004-2007 (and the addresses for 2008-2010) are not recorded.
* the year line, ``2025  lny=... qingming=... dragon_boat=... mid_autumn=...`` (``F``):
  the festival dates the statutory holidays hang on (全国年节及纪念日放假办法): the lunar
  new year (正月初一), Qingming (the solar term 清明), the Dragon Boat festival (五月初五)
  and Mid-Autumn (八月十五). Only the lunar new year matters before 2008, when the other
  three were not yet holidays.
* ``name first..last on=d,d`` (``H``): a break as the notice names it: the days off from
  ``first`` to ``last`` inclusive, and the weekend days worked (调休上班) that the notice
  ties to it; ``statutory=`` names statutory days set by a one-off decision. Dates are
  ``MM-DD`` in the entry's year, or a full ISO date when the notice reaches into
  December of the year before (New Year 2008, 2012, 2019, 2023, 2024). Weekend days
  inside a break count as off either way.

Adding a newly announced year is one entry at the end of ``china_schedules.txt``: copy
the last entry, change the year, the notice, the festival dates and the breaks, and run the tests
(``tests/test_calendar_china.py`` checks every entry's shape and, for 2004-2026, every
day against the ``chinesecalendar`` package). See docs/calendar.md.

Invariants (checked when the calendar is built): breaks lie in order and do not overlap;
every day worked is a Saturday or Sunday outside every break; every statutory day
falls inside a break of its holiday.
"""

from __future__ import annotations

import datetime as _dt
from importlib import resources

import attrs

__all__ = [
    "GOV",
    "NAMES_EN",
    "SCHEDULES",
    "TABLE",
    "VICTORY_70",
    "Festivals",
    "HolidaySpan",
    "Notice",
    "YearSchedule",
    "parse_schedules",
]

GOV = "https://www.gov.cn/"
VICTORY_70 = "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日"

NAMES_EN: dict[str, str] = {
    "元旦": "New Year's Day",
    "春节": "Spring Festival",
    "清明节": "Qingming Festival",
    "劳动节": "Labour Day",
    "端午节": "Dragon Boat Festival",
    "中秋节": "Mid-Autumn Festival",
    "国庆节": "National Day",
    "国庆节、中秋节": "National Day and Mid-Autumn Festival",
    "中秋节、国庆节": "Mid-Autumn Festival and National Day",
    VICTORY_70: "70th Anniversary of the Victory of the Chinese People's War of Resistance "
    "against Japanese Aggression and the World Anti-Fascist War",
}


@attrs.frozen(kw_only=True)
class Notice:
    """A State Council (General Office) notice that set or changed a year's schedule."""

    issued: _dt.date | None
    number: str | None
    url: str | None
    note: str | None = None


@attrs.frozen(kw_only=True)
class Festivals:
    """The dates the statutory holidays of a year hang on."""

    lunar_new_year: _dt.date
    qingming: _dt.date | None = None
    dragon_boat: _dt.date | None = None
    mid_autumn: _dt.date | None = None


@attrs.frozen(kw_only=True)
class HolidaySpan:
    """One break: days off ``first..last`` and the weekend days worked for it."""

    name: str
    name_en: str
    first: _dt.date
    last: _dt.date
    workdays: tuple[_dt.date, ...] = ()
    statutory: tuple[_dt.date, ...] = ()
    """Statutory days set by a one-off decision rather than by the holiday rules."""


@attrs.frozen(kw_only=True)
class YearSchedule:
    """One year's official schedule and the notices it comes from."""

    year: int
    notices: tuple[Notice, ...]
    festivals: Festivals
    holidays: tuple[HolidaySpan, ...]


def _date(text: str, year: int) -> _dt.date:
    return _dt.date.fromisoformat(text if len(text) == 10 else f"{year}-{text}")


def N(
    issued: str | None, number: str | None, url: str | None = None, *, note: str | None = None
) -> Notice:
    """A notice; ``issued`` is an ISO date."""
    return Notice(
        issued=None if issued is None else _dt.date.fromisoformat(issued),
        number=number,
        url=url,
        note=note,
    )


def F(
    *,
    lny: str,
    qingming: str | None = None,
    dragon_boat: str | None = None,
    mid_autumn: str | None = None,
) -> dict[str, str | None]:
    """Festival dates as ``"MM-DD"`` in the entry's year."""
    return {"lunar_new_year": lny, "qingming": qingming, "dragon_boat": dragon_boat,
            "mid_autumn": mid_autumn}  # fmt: skip


_Span = tuple[str, str, str, tuple[str, ...], tuple[str, ...]]
"""A break as ``H`` returns it: name, first, last, days worked, statutory days."""


def H(
    name: str,
    first: str,
    last: str | None = None,
    *,
    on: tuple[str, ...] = (),
    statutory: tuple[str, ...] = (),
) -> _Span:
    """A break, ``first..last`` (one day when ``last`` is omitted), worked days ``on``."""
    return (name, first, last or first, on, statutory)


def Y(
    year: int,
    notices: Notice | tuple[Notice, ...],
    festivals: dict[str, str | None],
    *spans: _Span,
) -> YearSchedule:
    """One year's entry."""
    fest = {k: None if v is None else _date(v, year) for k, v in festivals.items()}
    lunar_new_year = fest.pop("lunar_new_year")
    assert lunar_new_year is not None
    return YearSchedule(
        year=year,
        notices=notices if isinstance(notices, tuple) else (notices,),
        festivals=Festivals(lunar_new_year=lunar_new_year, **fest),
        holidays=tuple(
            HolidaySpan(
                name=name,
                name_en=NAMES_EN[name],
                first=_date(first, year),
                last=_date(last, year),
                workdays=tuple(_date(d, year) for d in on),
                statutory=tuple(_date(d, year) for d in statutory),
            )
            for name, first, last, on, statutory in spans
        ),
    )


def parse_schedules(table: str) -> tuple[YearSchedule, ...]:
    """Read a table of yearly entries (the format of ``TABLE``) into schedules.

    A line that starts with the year opens an entry and gives its festival dates
    (``F``'s keywords); an indented ``notice`` line adds a notice (``N``'s fields, the
    ``note=`` running to the end of the line); any other indented line is a break,
    ``name first[..last] [on=d,d] [statutory=d]`` (``H``'s fields).

    >>> [s.year for s in parse_schedules('''
    ... 2027  lny=02-06
    ...   notice issued=2026-11-01 number=example
    ...   春节 02-05..02-12 on=02-14
    ... ''')]
    [2027]
    """
    entries: list[tuple[int, list[Notice], dict[str, str | None], list[_Span]]] = []
    for line in table.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        head, _, note = line.strip().partition(" note=")
        first, *fields = head.split()
        keys = dict(field.split("=", 1) for field in fields if "=" in field)
        if not line.startswith(" "):
            entries.append((int(first), [], dict(F(**keys)), []))
        elif first == "notice":
            notice = N(keys.get("issued"), keys.get("number"), keys.get("url"), note=note or None)
            entries[-1][1].append(notice)
        else:
            span = fields[0].split("..")
            entries[-1][3].append(
                H(first, span[0], span[-1], on=_days(keys.get("on")),
                  statutory=_days(keys.get("statutory")))
            )  # fmt: skip
    return tuple(Y(year, tuple(notices), fest, *spans) for year, notices, fest, spans in entries)


def _days(text: str | None) -> tuple[str, ...]:
    return () if text is None else tuple(text.split(","))


_DATA = resources.files("randsupervise.calendar").joinpath("china_schedules.txt")
TABLE: str = _DATA.read_text("utf-8")
"""The yearly entries, oldest first (``china_schedules.txt``, shipped with the package)."""

SCHEDULES: tuple[YearSchedule, ...] = parse_schedules(TABLE)
