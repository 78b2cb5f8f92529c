"""China's calendar: differential test against ``chinesecalendar``, data shape, kinds."""

from __future__ import annotations

import datetime as dt
import hashlib

import chinese_calendar
import numpy as np
import pytest

from randsupervise.calendar import (
    SCHEDULES,
    DayKind,
    build_china,
    china,
    statutory_days,
)
from randsupervise.calendar.china_data import TABLE, F, H, N, Y, parse_schedules
from randsupervise.errors import CalendarDataMissing, RandSuperviseError, ValidationError

ALL_DAYS = np.arange(np.datetime64("2004-01-01"), np.datetime64("2027-01-01"))


def test_every_day_2004_2026_agrees_with_chinesecalendar() -> None:
    assert ALL_DAYS.size == 8401
    ours = china().is_workday(ALL_DAYS)
    theirs = np.array([chinese_calendar.is_workday(d) for d in ALL_DAYS.astype(object)])
    disagree = ALL_DAYS[ours != theirs]
    assert disagree.size == 0, disagree[:20]


def test_scalar_answers_agree_with_the_array_answer() -> None:
    cal = china()
    mask = cal.is_workday(ALL_DAYS)
    for i in range(0, ALL_DAYS.size, 97):
        d = ALL_DAYS[i].astype(object)
        assert cal.is_workday(d) is bool(mask[i])


def test_days_off_in_lieu_include_chinesecalendars_in_lieu_days() -> None:
    # chinesecalendar marks weekdays swapped for worked weekends; ours also marks 补休
    from chinese_calendar.constants import in_lieu_days

    # One exception: chinesecalendar lists Thursday 3 February 2022 in lieu, but it was
    # 正月初三, a statutory day (初一 was 1 February); Monday 31 January was in lieu.
    days = sorted(set(in_lieu_days) - {dt.date(2022, 2, 3)})
    kinds = china().day_kind(np.array(days, dtype="datetime64[D]"))
    assert {k.kind for k in kinds} == {DayKind.DAY_OFF_IN_LIEU}
    assert china().day_kind(dt.date(2022, 2, 3)).kind is DayKind.HOLIDAY
    assert china().day_kind(dt.date(2022, 1, 31)).kind is DayKind.DAY_OFF_IN_LIEU


def test_holiday_names_agree_with_chinesecalendar() -> None:
    english = {
        "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
        "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "Mid-autumn Festival": "中秋节",
        "National Day": "国庆节", "Anti-Fascist 70th Day": "胜利70周年",
    }  # fmt: skip
    cal = china()
    for d in ALL_DAYS[::3].astype(object):
        _, name = chinese_calendar.get_holiday_detail(d)
        if name is None:
            continue
        info = cal.day_kind(d)
        assert info.holiday is not None
        assert english[name] in info.holiday, (d, name, info)


@pytest.mark.parametrize(
    ("day", "kind", "holiday"),
    [
        ("2024-02-04", DayKind.ADJUSTED_WORKDAY, "春节"),
        ("2024-02-10", DayKind.HOLIDAY, "春节"),  # 初一 on a Saturday
        ("2024-02-13", DayKind.DAY_OFF_IN_LIEU, "春节"),  # 补休 for the weekend
        ("2024-02-17", DayKind.WEEKEND, "春节"),
        ("2024-02-09", DayKind.WORKDAY, None),  # the eve: encouraged off, not given
        ("2025-01-28", DayKind.HOLIDAY, "春节"),  # the eve, statutory from 2025
        ("2025-05-02", DayKind.HOLIDAY, "劳动节"),  # statutory from 2025
        ("2024-05-02", DayKind.DAY_OFF_IN_LIEU, "劳动节"),
        ("2025-10-06", DayKind.HOLIDAY, "国庆节、中秋节"),
        ("2025-10-11", DayKind.ADJUSTED_WORKDAY, "国庆节、中秋节"),
        ("2015-09-03", DayKind.HOLIDAY, None),
        ("2025-06-07", DayKind.WEEKEND, None),
        ("2025-06-09", DayKind.WORKDAY, None),
    ],
)
def test_day_kinds(day: str, kind: DayKind, holiday: str | None) -> None:
    info = china().day_kind(dt.date.fromisoformat(day))
    assert info.kind is kind
    if holiday is not None:
        assert info.holiday == holiday
    assert info.workday is (kind in (DayKind.WORKDAY, DayKind.ADJUSTED_WORKDAY))


def test_brief_2025_adjusted_working_days() -> None:
    worked = [d for d in ALL_DAYS.astype(object)
              if d.year == 2025 and d.weekday() >= 5 and china().is_workday(d)]  # fmt: skip
    assert [d.isoformat() for d in worked] == [
        "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
    ]  # fmt: skip


def test_every_year_has_one_entry_and_its_notices() -> None:
    assert [s.year for s in SCHEDULES] == list(range(2004, 2027))
    by_year = {s.year: s.notices[0] for s in SCHEDULES}
    assert by_year[2024].issued == dt.date(2023, 10, 25)
    assert by_year[2025].issued == dt.date(2024, 11, 12)
    assert by_year[2025].number == "国办发明电〔2024〕12号"
    assert by_year[2026].issued == dt.date(2025, 11, 4)
    for s in SCHEDULES:
        for notice in s.notices:
            assert notice.url is None or notice.url.startswith("https://www.gov.cn/")


def test_statutory_days_lie_in_their_breaks() -> None:
    for s in SCHEDULES:
        kinds = china().day_kind(np.array(sorted(statutory_days(s)), dtype="datetime64[D]"))
        assert {k.kind for k in kinds} == {DayKind.HOLIDAY}, s.year


def test_qingming_dates_are_the_solar_term() -> None:
    terms = chinese_calendar.get_solar_terms(dt.date(2008, 1, 1), dt.date(2026, 12, 31))
    qingming = {d.year: d for d, name in terms if name == "清明"}
    for s in SCHEDULES:
        if s.year >= 2008:
            assert s.festivals.qingming == qingming[s.year]


def test_adjusted_weekends_option() -> None:
    strict = china(adjusted_weekends_are_workdays=False)
    assert not strict.is_workday(dt.date(2024, 2, 4))
    assert strict.day_kind(dt.date(2024, 2, 4)).kind is DayKind.ADJUSTED_WORKDAY
    assert china().is_workday(dt.date(2024, 2, 4))
    assert china() is china()  # cached


def test_uncovered_years_raise_with_the_year() -> None:
    with pytest.raises(CalendarDataMissing) as info:
        china().is_workday(dt.date(2027, 1, 4))
    assert info.value.year == 2027
    assert info.value.covered == (2004, 2026)
    assert isinstance(info.value, LookupError)
    assert isinstance(info.value, RandSuperviseError)
    assert "2027" in str(info.value) and "china_data" in str(info.value)
    with pytest.raises(CalendarDataMissing) as info:
        china().add_workdays(dt.date(2026, 12, 30), 5)
    assert info.value.year == 2027
    with pytest.raises(CalendarDataMissing) as info:
        china().add_workdays(np.array(["2010-01-01", "2003-12-31"], dtype="datetime64[D]"), 1)
    assert info.value.year == 2003
    with pytest.raises(CalendarDataMissing):
        china().add_workdays(dt.date(2004, 1, 2), -5)


def test_the_table_reads_into_the_same_dates() -> None:
    # Every break of every year, as the schedules stood when they were code: the table
    # must read into the same dates, names, worked days and statutory days.
    rows = [
        f"{s.year} {h.name} {h.first} {h.last} {h.workdays} {h.statutory}"
        for s in SCHEDULES
        for h in s.holidays
    ]
    assert len(rows) == 144
    digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    assert digest == "d2eccd5b3bf0bd54d2dc7d9e3d2fb71236f832dcb27ca508ce191d504adbda63"
    assert parse_schedules(TABLE) == SCHEDULES


def test_table_entries_equal_the_builders() -> None:
    by_year = {s.year: s for s in SCHEDULES}
    assert (
        by_year[2019].holidays[0]
        == Y(
            2019,
            N(None, None),
            F(lny="02-05"),
            H("元旦", "2018-12-30", "01-01", on=("2018-12-29",)),
        ).holidays[0]
    )
    victory = by_year[2015].holidays[5]
    assert victory.statutory == (dt.date(2015, 9, 3),)
    assert victory.workdays == (dt.date(2015, 9, 6),)
    assert by_year[2015].notices[1].note == "3-5 September off, Sunday 6 September worked"
    assert by_year[2004].notices == (N(None, None),)


ENTRY_2027 = """
2027  lny=02-06  qingming=04-05  dragon_boat=06-09  mid_autumn=09-15
  notice issued=2026-11-01 number=国办发明电〔2026〕X号 note=example
"""


def test_bad_data_entry_reports_every_problem() -> None:
    (bad,) = parse_schedules(ENTRY_2027 + "  元旦 01-01 on=01-05")  # a Tuesday "worked"
    with pytest.raises(ValidationError) as info:
        build_china((*SCHEDULES, bad))
    messages = " ".join(p.message for p in info.value.problems)
    assert "2027-01-05 is worked" in messages
    assert "statutory day 2027-02-06" in messages  # no Spring Festival break given


def test_adding_a_year_is_one_entry() -> None:
    breaks = """
  元旦 01-01..01-03
  春节 02-05..02-12 on=02-14
  清明节 04-03..04-05
  劳动节 05-01..05-05
  端午节 06-07..06-09
  中秋节 09-15..09-17
  国庆节 10-01..10-07
"""
    (entry,) = parse_schedules(ENTRY_2027 + breaks)
    cal = build_china((*SCHEDULES, entry))
    assert cal.official_end == dt.date(2027, 12, 31)
    assert cal.is_workday(dt.date(2027, 2, 14))
    assert not cal.is_workday(dt.date(2027, 2, 8))


def test_no_schedules_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="no yearly schedule"):
        build_china(())
