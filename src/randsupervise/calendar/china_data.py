# ruff: noqa: E501 - notice addresses in the table are long
"""China's official working-day schedules, 2004-2026, as data: one entry per year.

Each entry is one year's arrangement as the State Council General Office published it
in its yearly notice 《国务院办公厅关于XXXX年部分节假日安排的通知》, plus the notices
that later changed it. The entries are one table, ``TABLE``, read by one function,
``parse_schedules``; the builders ``N``, ``F``, ``H`` and ``Y`` give each field's meaning
and also build an entry in code:

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

Adding a newly announced year is one entry at the end of ``TABLE``: copy the last
entry, change the year, the notice, the festival dates and the breaks, and run the tests
(``tests/test_calendar_china.py`` checks every entry's shape and, for 2004-2026, every
day against the ``chinesecalendar`` package). See docs/calendar.md.

Invariants (checked when the calendar is built): breaks lie in order and do not overlap;
every day worked is a Saturday or Sunday outside every break; every statutory day
falls inside a break of its holiday.
"""

from __future__ import annotations

import datetime as _dt

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
    for line in filter(str.strip, table.splitlines()):
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


TABLE = """
2004  lny=01-22
  notice
  元旦 01-01
  春节 01-22..01-28 on=01-17,01-18
  劳动节 05-01..05-07 on=05-08,05-09
  国庆节 10-01..10-07 on=10-09,10-10
2005  lny=02-09
  notice
  元旦 01-01..01-03
  春节 02-09..02-15 on=02-05,02-06
  劳动节 05-01..05-07 on=04-30,05-08
  国庆节 10-01..10-07 on=10-08,10-09
2006  lny=01-29
  notice
  元旦 01-01..01-03
  春节 01-29..02-04 on=01-28,02-05
  劳动节 05-01..05-07 on=04-29,04-30
  国庆节 10-01..10-07 on=09-30,10-08
2007  lny=02-18
  notice
  元旦 01-01..01-03 on=2006-12-30,2006-12-31
  春节 02-18..02-24 on=02-17,02-25
  劳动节 05-01..05-07 on=04-28,04-29
  国庆节 10-01..10-07 on=09-29,09-30
2008  lny=02-07  qingming=04-04  dragon_boat=06-08  mid_autumn=09-14
  notice issued=2007-12-15 number=国办发明电〔2007〕52号
  元旦 2007-12-30..01-01 on=2007-12-29
  春节 02-06..02-12 on=02-02,02-03
  清明节 04-04..04-06
  劳动节 05-01..05-03 on=05-04
  端午节 06-07..06-09
  中秋节 09-13..09-15
  国庆节 09-29..10-05 on=09-27,09-28
2009  lny=01-26  qingming=04-04  dragon_boat=05-28  mid_autumn=10-03
  notice issued=2008-12-04 number=国办发明电〔2008〕42号
  元旦 01-01..01-03 on=01-04
  春节 01-25..01-31 on=01-24,02-01
  清明节 04-04..04-06
  劳动节 05-01..05-03
  端午节 05-28..05-30 on=05-31
  国庆节、中秋节 10-01..10-08 on=09-27,10-10
2010  lny=02-14  qingming=04-05  dragon_boat=06-16  mid_autumn=09-22
  notice issued=2009-12-08 number=国办发明电〔2009〕27号
  元旦 01-01..01-03
  春节 02-13..02-19 on=02-20,02-21
  清明节 04-03..04-05
  劳动节 05-01..05-03
  端午节 06-14..06-16 on=06-12,06-13
  中秋节 09-22..09-24 on=09-19,09-25
  国庆节 10-01..10-07 on=09-26,10-09
2011  lny=02-03  qingming=04-05  dragon_boat=06-06  mid_autumn=09-12
  notice issued=2010-12-10 number=国办发明电〔2010〕40号 url=https://www.gov.cn/zwgk/2010-12/09/content_1761783.htm
  元旦 01-01..01-03
  春节 02-02..02-08 on=01-30,02-12
  清明节 04-03..04-05 on=04-02
  劳动节 04-30..05-02
  端午节 06-04..06-06
  中秋节 09-10..09-12
  国庆节 10-01..10-07 on=10-08,10-09
2012  lny=01-23  qingming=04-04  dragon_boat=06-23  mid_autumn=09-30
  notice issued=2011-12-06 number=国办发明电〔2011〕45号 url=https://www.gov.cn/zwgk/2011-12/08/content_1993330.htm
  元旦 01-01..01-03 on=2011-12-31
  春节 01-22..01-28 on=01-21,01-29
  清明节 04-02..04-04 on=03-31,04-01
  劳动节 04-29..05-01 on=04-28
  端午节 06-22..06-24
  中秋节、国庆节 09-30..10-07 on=09-29
2013  lny=02-10  qingming=04-04  dragon_boat=06-12  mid_autumn=09-19
  notice issued=2012-12-08 number=国办发明电〔2012〕33号 url=https://www.gov.cn/zwgk/2012-12/08/content_2283018.htm
  元旦 01-01..01-03 on=01-05,01-06
  春节 02-09..02-15 on=02-16,02-17
  清明节 04-04..04-06 on=04-07
  劳动节 04-29..05-01 on=04-27,04-28
  端午节 06-10..06-12 on=06-08,06-09
  中秋节 09-19..09-21 on=09-22
  国庆节 10-01..10-07 on=09-29,10-12
2014  lny=01-31  qingming=04-05  dragon_boat=06-02  mid_autumn=09-08
  notice issued=2013-12-11 number=国办发明电〔2013〕28号 url=https://www.gov.cn/zhengce/content/2013-12/11/content_2545128.htm
  元旦 01-01
  春节 01-31..02-06 on=01-26,02-08
  清明节 04-05..04-07
  劳动节 05-01..05-03 on=05-04
  端午节 06-02
  中秋节 09-08
  国庆节 10-01..10-07 on=09-28,10-11
2015  lny=02-19  qingming=04-05  dragon_boat=06-20  mid_autumn=09-27
  notice issued=2014-12-16 number=国办发明电〔2014〕28号 url=https://www.gov.cn/zhengce/content/2014-12/16/content_2917132.htm
  notice number=国发明电〔2015〕1号 note=3-5 September off, Sunday 6 September worked
  元旦 01-01..01-03 on=01-04
  春节 02-18..02-24 on=02-15,02-28
  清明节 04-05..04-06
  劳动节 05-01
  端午节 06-20..06-22
  中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日 09-03..09-05 on=09-06 statutory=09-03
  中秋节 09-27
  国庆节 10-01..10-07 on=10-10
2016  lny=02-08  qingming=04-04  dragon_boat=06-09  mid_autumn=09-15
  notice issued=2015-12-10 number=国办发明电〔2015〕18号 url=https://www.gov.cn/zhengce/content/2015-12/10/content_5022501.htm
  元旦 01-01
  春节 02-07..02-13 on=02-06,02-14
  清明节 04-04
  劳动节 05-01..05-02
  端午节 06-09..06-11 on=06-12
  中秋节 09-15..09-17 on=09-18
  国庆节 10-01..10-07 on=10-08,10-09
2017  lny=01-28  qingming=04-04  dragon_boat=05-30  mid_autumn=10-04
  notice issued=2016-12-01 number=国办发明电〔2016〕17号 url=https://www.gov.cn/zhengce/content/2016-12/01/content_5141613.htm
  元旦 01-01..01-02
  春节 01-27..02-02 on=01-22,02-04
  清明节 04-02..04-04 on=04-01
  劳动节 05-01
  端午节 05-28..05-30 on=05-27
  国庆节、中秋节 10-01..10-08 on=09-30
2018  lny=02-16  qingming=04-05  dragon_boat=06-18  mid_autumn=09-24
  notice issued=2017-11-30 number=国办发明电〔2017〕12号 url=https://www.gov.cn/zhengce/content/2017-11/30/content_5243579.htm
  元旦 01-01
  春节 02-15..02-21 on=02-11,02-24
  清明节 04-05..04-07 on=04-08
  劳动节 04-29..05-01 on=04-28
  端午节 06-18
  中秋节 09-24
  国庆节 10-01..10-07 on=09-29,09-30
2019  lny=02-05  qingming=04-05  dragon_boat=06-07  mid_autumn=09-13
  notice issued=2018-12-04 number=国办发明电〔2018〕15号 url=https://www.gov.cn/zhengce/content/2018-12/06/content_5346276.htm
  notice issued=2019-03-22 number=国办发明电〔2019〕3号 url=https://www.gov.cn/zhengce/content/2019-03/22/content_5375877.htm note=Labour Day 1-4 May; Sundays 28 April and 5 May worked
  元旦 2018-12-30..01-01 on=2018-12-29
  春节 02-04..02-10 on=02-02,02-03
  清明节 04-05..04-07
  劳动节 05-01..05-04 on=04-28,05-05
  端午节 06-07..06-09
  中秋节 09-13..09-15
  国庆节 10-01..10-07 on=09-29,10-12
2020  lny=01-25  qingming=04-04  dragon_boat=06-25  mid_autumn=10-01
  notice issued=2019-11-21 number=国办发明电〔2019〕16号 url=https://www.gov.cn/zhengce/content/2019-11/21/content_5454164.htm
  notice issued=2020-01-27 number=国办发明电〔2020〕1号 url=https://www.gov.cn/zhengce/content/2020-01/27/content_5472352.htm note=Spring Festival extended to 2 February; Saturday 1 February no longer worked
  元旦 01-01
  春节 01-24..02-02 on=01-19
  清明节 04-04..04-06
  劳动节 05-01..05-05 on=04-26,05-09
  端午节 06-25..06-27 on=06-28
  国庆节、中秋节 10-01..10-08 on=09-27,10-10
2021  lny=02-12  qingming=04-04  dragon_boat=06-14  mid_autumn=09-21
  notice issued=2020-11-25 number=国办发明电〔2020〕27号 url=https://www.gov.cn/zhengce/content/2020-11/25/content_5564127.htm
  元旦 01-01..01-03
  春节 02-11..02-17 on=02-07,02-20
  清明节 04-03..04-05
  劳动节 05-01..05-05 on=04-25,05-08
  端午节 06-12..06-14
  中秋节 09-19..09-21 on=09-18
  国庆节 10-01..10-07 on=09-26,10-09
2022  lny=02-01  qingming=04-05  dragon_boat=06-03  mid_autumn=09-10
  notice issued=2021-10-25 number=国办发明电〔2021〕11号 url=https://www.gov.cn/zhengce/content/2021-10/25/content_5644835.htm
  元旦 01-01..01-03
  春节 01-31..02-06 on=01-29,01-30
  清明节 04-03..04-05 on=04-02
  劳动节 04-30..05-04 on=04-24,05-07
  端午节 06-03..06-05
  中秋节 09-10..09-12
  国庆节 10-01..10-07 on=10-08,10-09
2023  lny=01-22  qingming=04-05  dragon_boat=06-22  mid_autumn=09-29
  notice issued=2022-12-08 number=国办发明电〔2022〕16号 url=https://www.gov.cn/zhengce/zhengceku/2022-12/08/content_5730844.htm
  元旦 2022-12-31..01-02
  春节 01-21..01-27 on=01-28,01-29
  清明节 04-05
  劳动节 04-29..05-03 on=04-23,05-06
  端午节 06-22..06-24 on=06-25
  中秋节、国庆节 09-29..10-06 on=10-07,10-08
2024  lny=02-10  qingming=04-04  dragon_boat=06-10  mid_autumn=09-17
  notice issued=2023-10-25 number=国办发明电〔2023〕7号 url=https://www.gov.cn/zhengce/zhengceku/202310/content_6911528.htm
  元旦 2023-12-30..01-01
  春节 02-10..02-17 on=02-04,02-18
  清明节 04-04..04-06 on=04-07
  劳动节 05-01..05-05 on=04-28,05-11
  端午节 06-10
  中秋节 09-15..09-17 on=09-14
  国庆节 10-01..10-07 on=09-29,10-12
2025  lny=01-29  qingming=04-04  dragon_boat=05-31  mid_autumn=10-06
  notice issued=2024-11-12 number=国办发明电〔2024〕12号 url=https://www.gov.cn/zhengce/content/202411/content_6986382.htm
  元旦 01-01
  春节 01-28..02-04 on=01-26,02-08
  清明节 04-04..04-06
  劳动节 05-01..05-05 on=04-27
  端午节 05-31..06-02
  国庆节、中秋节 10-01..10-08 on=09-28,10-11
2026  lny=02-17  qingming=04-05  dragon_boat=06-19  mid_autumn=09-25
  notice issued=2025-11-04 number=国办发明电〔2025〕7号 url=https://www.gov.cn/zhengce/content/202511/content_7047090.htm
  元旦 01-01..01-03 on=01-04
  春节 02-15..02-23 on=02-14,02-28
  清明节 04-04..04-06
  劳动节 05-01..05-05 on=05-09
  端午节 06-19..06-21
  中秋节 09-25..09-27
  国庆节 10-01..10-07 on=09-20,10-10
"""
"""The yearly entries, oldest first (format: ``parse_schedules``)."""

SCHEDULES: tuple[YearSchedule, ...] = parse_schedules(TABLE)
