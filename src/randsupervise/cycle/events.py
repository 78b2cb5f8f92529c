"""The events that move a visit: what happened, when, and who did it.

Invariants, each with the rule it comes from:

* Events carry their own dates (there is no clock: architecture principle 1). A date is
  a ``datetime.date``: a ``datetime`` (whose time of day would be cut off), an ISO
  string or anything else is refused when the event is built, as the calendar refuses
  datetimes.
* Every bad field of an event is named in one
  :class:`~randsupervise.errors.ValidationError` (architecture principle 6).
* :class:`Record`, :class:`Publish` and :class:`FollowUp` name the acting officer
  (``by``): whoever inspects records and publishes (谁检查、谁录入、谁公开, plan §三(六)).
* A result is an :class:`~randsupervise.model.results.InspectionResult`; a ``FOLLOW_UP``
  result may carry its correction deadline (``correct_by``, plan §三(六)).
* A visit is cancelled before inspection only when its target is gone. A target that
  cannot be contacted at its registered address is not gone: that is a result
  (``UNREACHABLE``, 通过登记的住所（经营场所）无法联系), recorded and published like any
  other (企业经营异常名录管理暂行办法 art. 4); ``Cancel(reason="unreachable")`` is refused.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeAlias, cast

import attrs

from randsupervise._core.validation import (
    date_problems,
    describe,
    text_problems,
    to_tuple,
    wrong_type,
)
from randsupervise.calendar import WorkCalendar
from randsupervise.cycle.transitions import Action, CancelReason
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.results import InspectionResult

__all__ = [
    "Assign",
    "Cancel",
    "Event",
    "FollowUp",
    "Inspect",
    "Publish",
    "Record",
    "ReplaceTeam",
]


def _team(v: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(v)


def _reason(v: CancelReason | str) -> CancelReason:
    """Converter: a reason or its value; anything else kept for the report."""
    try:
        return CancelReason(v)
    except (ValueError, TypeError):
        return v  # type: ignore[return-value]


def _team_problems(team: object, field: str) -> list[Problem]:
    if not isinstance(team, tuple):
        return [wrong_type(team, field, "a collection of inspector ids")]
    return [p for k, m in enumerate(team) for p in text_problems(m, field, row=k)]


def _result_problems(result: object, field: str) -> list[Problem]:
    ok = isinstance(result, InspectionResult)
    return [] if ok else [wrong_type(result, field, "an InspectionResult")]


def _reason_problems(reason: object, field: str) -> list[Problem]:
    """A cancellation's reason: the target is gone; unreachable is a result, not a reason."""
    if isinstance(reason, CancelReason):
        return []
    if reason == "unreachable":
        return [Problem(field=field, message=_UNREACHABLE_IS_A_RESULT,
                        rule="unreachable-is-a-result")]  # fmt: skip
    allowed = [r.value for r in CancelReason]
    return [Problem(field=field, message=f"must be one of {allowed}, got {describe(reason)}")]


#: How a field of an event is checked, by the type it is declared with: one table for
#: every event class (a field of another type, the action, is set by the class).
#: A plain ``date`` and an empty text (the default ``by``) need no further look.
_CHECKS: Mapping[str, Callable[[Any, str], list[Problem]]] = {
    "_dt.date": lambda v, f: [] if type(v) is _dt.date else date_problems(v, f),
    "_dt.date | None": lambda v, f: [] if v is None or type(v) is _dt.date else date_problems(v, f),
    "str": lambda v, f: [] if v.__class__ is str and not v else text_problems(v, f, required=False),
    "tuple[str, ...]": _team_problems,
    "InspectionResult": _result_problems,
    "CancelReason": _reason_problems,
}


def _checks_of(cls: type) -> tuple[tuple[str, Callable[[Any, str], list[Problem]]], ...]:
    """The checks of an event class's fields, in declaration order (from :data:`_CHECKS`)."""
    return tuple(
        (a.name, check)
        for a in attrs.fields(cast(Any, cls))
        if (check := _CHECKS.get(str(a.type))) is not None
    )


#: Each event class's checks, looked up once per class rather than once per event.
_CHECKS_OF: dict[type, tuple[tuple[str, Callable[[Any, str], list[Problem]]], ...]] = {}


@attrs.frozen(kw_only=True)
class _Event:
    """What every event has: its date, and its action (set by its class). When an event
    is built, one ValidationError names every bad field."""

    on: _dt.date
    action: ClassVar[Action]

    def __attrs_post_init__(self) -> None:
        checks = _CHECKS_OF.get(type(self))
        if checks is None:
            checks = _CHECKS_OF[type(self)] = _checks_of(type(self))
        problems = [p for name, check in checks for p in check(getattr(self, name), name)]
        if problems:
            raise ValidationError(problems, what=type(self).__name__)


@attrs.frozen(kw_only=True)
class Assign(_Event):
    """Event: the team is drawn."""

    team: tuple[str, ...] = attrs.field(converter=_team)
    action: ClassVar[Action] = Action.ASSIGN


@attrs.frozen(kw_only=True)
class ReplaceTeam(_Event):
    """Event: the team changes because an inspector cannot serve (补抽)."""

    team: tuple[str, ...] = attrs.field(converter=_team)
    reason: str = ""
    action: ClassVar[Action] = Action.REPLACE_TEAM


@attrs.frozen(kw_only=True)
class Inspect(_Event):
    """Event: the check was completed on ``on``.

    ``outside_window`` is the reason for an inspection dated outside the visit's batch
    window; without one such an inspection is refused.
    """

    outside_window: str = ""
    action: ClassVar[Action] = Action.INSPECT


@attrs.frozen(kw_only=True)
class Record(_Event):
    """Event: the result was recorded on the platform."""

    result: InspectionResult
    by: str = ""
    correct_by: _dt.date | None = None
    action: ClassVar[Action] = Action.RECORD


@attrs.frozen(kw_only=True)
class FollowUp(_Event):
    """Event: the final result of a pending follow-up (待后续处理), recorded by ``by``.

    It replaces the pending result; the visit must then be published again.
    """

    result: InspectionResult
    by: str = ""
    action: ClassVar[Action] = Action.FOLLOW_UP


@attrs.frozen(kw_only=True)
class Publish(_Event):
    """Event: the result was published."""

    by: str = ""
    action: ClassVar[Action] = Action.PUBLISH


@attrs.frozen(kw_only=True)
class Cancel(_Event):
    """Event: the visit is cancelled before inspection."""

    reason: CancelReason = attrs.field(converter=_reason)
    note: str = ""
    action: ClassVar[Action] = Action.CANCEL


#: Why ``Cancel(reason="unreachable")`` is refused.
_UNREACHABLE_IS_A_RESULT = (
    "a target that cannot be contacted at its registered address is not gone: inspect, "
    "record the result UNREACHABLE (通过登记的住所（经营场所）无法联系) and publish it "
    "(企业经营异常名录管理暂行办法 art. 4); the target stays drawable"
)

Event: TypeAlias = Assign | ReplaceTeam | Inspect | Record | Publish | FollowUp | Cancel
_EVENT_TYPES = (Assign, ReplaceTeam, Inspect, Record, Publish, FollowUp, Cancel)


def _check_apply_args(events: Iterable[object], calendar: object, *, rows: bool = False) -> None:
    """Every event is an event object, and the calendar a WorkCalendar or None."""
    problems = [
        Problem(
            row=k if rows else None,
            field="event",
            message=f"must be an event ({', '.join(t.__name__ for t in _EVENT_TYPES)}), got "
            f"{describe(e)}",
        )
        for k, e in enumerate(events)
        if not isinstance(e, _EVENT_TYPES)
    ]
    if calendar is not None and not isinstance(calendar, WorkCalendar):
        problems.append(wrong_type(calendar, "calendar", "a WorkCalendar or None"))
    if problems:
        raise ValidationError(problems, what="visit events")


def _event_error(visit_id: str, field: str, message: str) -> ValidationError:
    return ValidationError([Problem(id=visit_id, field=field, message=message)], what="visit event")
