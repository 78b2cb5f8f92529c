"""Working-day calendars: China's official schedules 2004-2026, and generic ones.

Quick start::

    from datetime import date
    from randsupervise.calendar import china
    china().deadline(date(2025, 9, 30))   # datetime.date(2025, 11, 4)

See docs/calendar.md for the counting rule (民法典 arts. 201, 203), the data and the
provisional mode.
"""

from randsupervise.calendar.china import STATUTES, Statute, build_china, china, statutory_days
from randsupervise.calendar.china_data import (
    SCHEDULES,
    Festivals,
    HolidaySpan,
    Notice,
    YearSchedule,
)
from randsupervise.calendar.core import DateRule, DayInfo, DayKind, Flagged, WorkCalendar

__all__ = [
    "SCHEDULES",
    "STATUTES",
    "DateRule",
    "DayInfo",
    "DayKind",
    "Festivals",
    "Flagged",
    "HolidaySpan",
    "Notice",
    "Statute",
    "WorkCalendar",
    "YearSchedule",
    "build_china",
    "china",
    "statutory_days",
]
