"""What a day is in a working-day calendar, and answers flagged as provisional.

Invariants, and the rule each comes from:

* Every day of a calendar has one :class:`DayKind` and a :class:`DayInfo` saying whether
  it counts as a working day (民法典 arts. 201 and 203 count working days) and which
  holiday it belongs to, in Chinese as the notice writes it and in English.
* **Never guess**: an answer that used a day outside the official data carries the mark
  (:class:`Flagged`), so a caller can tell it may change when the schedule is published.
* Values are frozen and validated when built (architecture principle 2).
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Sequence
from typing import Any, Generic, Protocol, TypeVar

import attrs
import numpy as np
from numpy.typing import NDArray

__all__ = ["DateArrayLike", "DateRule", "DayInfo", "DayKind", "Flagged"]

T = TypeVar("T")

DateArrayLike = (
    Sequence[_dt.date] | Sequence[np.datetime64] | list[str] | tuple[str, ...] | NDArray[Any]
)
"""A sequence or array of dates, of one kind."""


class DayKind(enum.Enum):
    """What kind of day a date is in the calendar."""

    WORKDAY = "workday"
    """An ordinary working day (Monday to Friday in China)."""
    WEEKEND = "weekend"
    """An ordinary weekend day, or one that falls inside a holiday break."""
    HOLIDAY = "holiday"
    """A statutory holiday (法定节假日), or a day off a generic calendar was given."""
    ADJUSTED_WORKDAY = "adjusted_workday"
    """A weekend day made a working day by the schedule (调休上班)."""
    DAY_OFF_IN_LIEU = "day_off_in_lieu"
    """A weekday off inside a holiday break that is not itself a statutory day
    (调休 or 补休)."""


@attrs.frozen(kw_only=True)
class DayInfo:
    """What one day is: its kind, whether it counts as a working day, the holiday.

    ``holiday`` is the holiday's Chinese name as the notice writes it (``"春节"``),
    ``holiday_en`` its English name; both are ``None`` for a day tied to no holiday.

    Examples:
        >>> DayInfo(kind=DayKind.WORKDAY, workday=True)
        DayInfo(kind=<DayKind.WORKDAY: 'workday'>, workday=True, holiday=None, holiday_en=None)
    """

    kind: DayKind = attrs.field(validator=attrs.validators.instance_of(DayKind))
    workday: bool = attrs.field(validator=attrs.validators.instance_of(bool))
    holiday: str | None = None
    holiday_en: str | None = None


@attrs.frozen(kw_only=True)
class Flagged(Generic[T]):
    """An answer with the mark of whether it used a day outside the official data.

    ``provisional`` has the shape of ``value``: a bool for a scalar answer, a bool
    array for an array answer. ``True`` means the answer used at least one day of a
    provisional range (see :meth:`WorkCalendar.provisional`) and may change when the
    official schedule is published.

    Examples:
        >>> Flagged(value=3, provisional=False).value
        3
    """

    value: T
    provisional: Any


class DateRule(Protocol):
    """A recurring rule, such as a ``dateutil.rrule.rrule`` (anything with ``between``)."""

    def between(
        self, after: _dt.datetime, before: _dt.datetime, inc: bool = ...
    ) -> Iterable[_dt.datetime]:
        """Occurrences in ``[after, before]`` when ``inc`` is true."""
        ...
