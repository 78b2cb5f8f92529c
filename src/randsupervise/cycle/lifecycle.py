"""The life of a visit: drawn → assigned → inspected → recorded → published, or cancelled.

Invariants, each with the rule it comes from:

* The states and the moves between them are the table :data:`TRANSITIONS` (rules as
  data); anything not in it raises :class:`~randsupervise.errors.IllegalTransition`.
  The provincial platforms show three task states, to draw → drawn / in progress → done
  (BRIEF); :attr:`VisitState.platform_state` maps ours onto theirs.
* **Whoever inspects records and publishes** (谁检查、谁录入、谁公开): :class:`Record`,
  :class:`Publish` and :class:`FollowUp` name the acting officer (``by``), who must be
  on the visit's team; lateness is attributed to whoever held the step.
* Results are recorded **and published within 20 working days** of the inspection's
  completion (plan §三(六); 企业信息公示暂行条例 art. 6): one deadline,
  ``calendar.deadline(inspected_on, 20)`` (the completion day not counted), for both
  steps. A recording after it is ``late``, a publication after it ``publication_late``;
  each step is timed on its own, so a late publication is late even when the recording
  was on time.
* An inspection is carried out **within its batch window** (plan §三(五): tasks and
  batches with their timing). An inspection dated outside it is refused unless the event
  gives the reason (``outside_window``), which the record keeps and the metrics count.
  A visit whose window has ended without an inspection is *not carried out*.
* A result with the code ``FOLLOW_UP`` (发现问题待后续处理) is not final (plan §三(六)):
  :class:`Record` may set the correction deadline (``correct_by``); a later
  :class:`FollowUp` records the final result, which replaces the pending one (kept as
  ``pending``) and must be published again (``republished_on``).
* **Inspected but not published is not complete** (plan §三(六):
  "已实施检查但未进行公示的，视为未完成抽查检查"): only :attr:`VisitState.PUBLISHED` is
  complete.
* A result is an :class:`~randsupervise.model.results.InspectionResult`, a set of standard
  codes. The publication payload holds the inspection result only; later penalties are
  published under their own rules (plan §三(六)), so the payload has no field for them
  and leaves the free-text note out.
* A visit is cancelled **before** inspection only when its target is gone (deregistered,
  revoked, moved out). A target that cannot be contacted at its registered address is
  not gone: that is a result (``UNREACHABLE``, 通过登记的住所（经营场所）无法联系) that is
  recorded and published like any other and feeds the list of abnormal operations
  (企业经营异常名录管理暂行办法 art. 4); ``Cancel(reason="unreachable")`` is refused. Replacing an
  inspector (补抽) keeps the visit assigned with its new team, and is logged.
* Events carry their own dates (there is no clock); dates never go backwards. A date
  is a ``datetime.date``: a ``datetime`` (whose time of day would be cut off), an ISO
  string or anything else is refused when the event is built, as the calendar refuses
  datetimes (batch methods also take a ``datetime64[D]`` array).
* Values are immutable: every transition returns a new record, and a call that fails
  (an unknown visit id, an illegal move, a bad date) leaves the state and its
  arguments exactly as they were.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.display import html_table, text_table
from randsupervise._core.validation import (
    as_column,
    check_date,
    check_int,
    check_one_of,
    date_problems,
    describe,
    ident_of,
    int_problems,
    is_text,
    text_problems,
    to_tuple,
)
from randsupervise.calendar import WorkCalendar
from randsupervise.cycle.run import PlanRun
from randsupervise.cycle.visits import Visit
from randsupervise.errors import IllegalTransition, Problem, UnknownIdError, ValidationError
from randsupervise.model.results import InspectionResult, ResultCode

__all__ = [
    "RECORDING_WORKDAYS",
    "TRANSITIONS",
    "Action",
    "Assign",
    "Cancel",
    "CancelReason",
    "Event",
    "FollowUp",
    "Inspect",
    "Publish",
    "Record",
    "ReplaceTeam",
    "Transition",
    "VisitRecord",
    "VisitState",
    "YearState",
]

#: Working days allowed between inspection and recording, and between inspection and
#: publication (plan §三(六); 企业信息公示暂行条例 art. 6: within 20 working days).
RECORDING_WORKDAYS = 20


class VisitState(str, enum.Enum):
    """State of a visit."""

    DRAWN = "drawn"
    ASSIGNED = "assigned"
    INSPECTED = "inspected"
    RECORDED = "recorded"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    @property
    def platform_state(self) -> str:
        """The provincial platform's state: ``"in progress"``, ``"done"`` or ``"cancelled"``.

        The platform shows to draw → drawn / in progress → done, done meaning recorded
        **and** published (BRIEF). A visit exists only once drawn, so none is "to draw";
        the platform's three states have no name for a cancelled visit.
        """
        if self is VisitState.PUBLISHED:
            return "done"
        return "cancelled" if self is VisitState.CANCELLED else "in progress"


class Action(str, enum.Enum):
    """What happens to a visit."""

    ASSIGN = "assign"
    REPLACE_TEAM = "replace_team"
    INSPECT = "inspect"
    RECORD = "record"
    PUBLISH = "publish"
    FOLLOW_UP = "follow_up"
    CANCEL = "cancel"


class CancelReason(str, enum.Enum):
    """Why a visit was cancelled before inspection (the target is gone)."""

    DEREGISTERED = "deregistered"
    REVOKED = "revoked"
    MOVED_OUT = "moved_out"


@attrs.frozen(kw_only=True)
class Transition:
    """One row of the transition table."""

    action: Action
    source: VisitState
    target: VisitState
    rule: str


_S, _A = VisitState, Action
#: The transition table (rules as data). Anything else is illegal.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        action=_A.ASSIGN,
        source=_S.DRAWN,
        target=_S.ASSIGNED,
        rule="双随机: inspectors drawn for the target (plan §三(六))",
    ),
    Transition(
        action=_A.REPLACE_TEAM,
        source=_S.ASSIGNED,
        target=_S.ASSIGNED,
        rule="补抽: an inspector who cannot serve is replaced; logged (BRIEF)",
    ),
    Transition(
        action=_A.INSPECT,
        source=_S.ASSIGNED,
        target=_S.INSPECTED,
        rule="the check is carried out (plan §三(六))",
    ),
    Transition(
        action=_A.RECORD,
        source=_S.INSPECTED,
        target=_S.RECORDED,
        rule="谁检查、谁录入: within 20 working days (plan §三(六))",
    ),
    Transition(
        action=_A.PUBLISH,
        source=_S.RECORDED,
        target=_S.PUBLISHED,
        rule="谁公开: published; only now complete (plan §三(六); platform 'done')",
    ),
    Transition(
        action=_A.FOLLOW_UP,
        source=_S.PUBLISHED,
        target=_S.RECORDED,
        rule="待后续处理: the final result replaces the pending one and is published "
        "again (plan §三(六))",
    ),
    Transition(
        action=_A.CANCEL,
        source=_S.DRAWN,
        target=_S.CANCELLED,
        rule="target gone before inspection (registration status codes, BRIEF)",
    ),
    Transition(
        action=_A.CANCEL,
        source=_S.ASSIGNED,
        target=_S.CANCELLED,
        rule="target gone before inspection (registration status codes, BRIEF)",
    ),
)
_TABLE: Mapping[tuple[Action, VisitState], VisitState] = {
    (t.action, t.source): t.target for t in TRANSITIONS
}


def _team(v: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(v)


def _reason(v: CancelReason | str) -> CancelReason:
    """Converter: a reason or its value; anything else kept for the report."""
    try:
        return CancelReason(v)
    except (ValueError, TypeError):
        return v  # type: ignore[return-value]


def _check_event(event: Any, **texts: object) -> None:
    """Raise one ValidationError naming every bad field of an event."""
    what = type(event).__name__
    problems = date_problems(event.on, "on")
    team = getattr(event, "team", ())
    if not isinstance(team, tuple):
        problems.append(
            Problem(
                field="team",
                message=f"must be a collection of inspector ids, got {describe(team)}",
            )
        )
    else:
        problems += [p for k, m in enumerate(team) for p in text_problems(m, "team", row=k)]
    for name, value in texts.items():
        problems += text_problems(value, name, required=False)
    if problems:
        raise ValidationError(problems, what=what)


@attrs.frozen(kw_only=True)
class Assign:
    """Event: the team is drawn."""

    on: _dt.date
    team: tuple[str, ...] = attrs.field(converter=_team)
    action: Action = attrs.field(default=Action.ASSIGN, init=False)

    def __attrs_post_init__(self) -> None:
        _check_event(self)


@attrs.frozen(kw_only=True)
class ReplaceTeam:
    """Event: the team changes because an inspector cannot serve (补抽)."""

    on: _dt.date
    team: tuple[str, ...] = attrs.field(converter=_team)
    reason: str = ""
    action: Action = attrs.field(default=Action.REPLACE_TEAM, init=False)

    def __attrs_post_init__(self) -> None:
        _check_event(self, reason=self.reason)


@attrs.frozen(kw_only=True)
class Inspect:
    """Event: the check was completed on ``on``.

    ``outside_window`` is the reason for an inspection dated outside the visit's batch
    window; without one such an inspection is refused.
    """

    on: _dt.date
    outside_window: str = ""
    action: Action = attrs.field(default=Action.INSPECT, init=False)

    def __attrs_post_init__(self) -> None:
        _check_event(self, outside_window=self.outside_window)


@attrs.frozen(kw_only=True)
class Record:
    """Event: the result was recorded on the platform."""

    on: _dt.date
    result: InspectionResult
    by: str = ""
    correct_by: _dt.date | None = None
    action: Action = attrs.field(default=Action.RECORD, init=False)

    def __attrs_post_init__(self) -> None:
        _check_result_event(self)


@attrs.frozen(kw_only=True)
class FollowUp:
    """Event: the final result of a pending follow-up (待后续处理), recorded by ``by``.

    It replaces the pending result; the visit must then be published again.
    """

    on: _dt.date
    result: InspectionResult
    by: str = ""
    action: Action = attrs.field(default=Action.FOLLOW_UP, init=False)

    def __attrs_post_init__(self) -> None:
        _check_result_event(self)


def _check_result_event(event: Record | FollowUp) -> None:
    """A :class:`Record` or :class:`FollowUp`: a result, a date, an officer id."""
    problems: list[Problem] = []
    if not isinstance(event.result, InspectionResult):
        problems.append(
            Problem(
                field="result",
                message=f"must be an InspectionResult, got {describe(event.result)}",
            )
        )
    correct_by = getattr(event, "correct_by", None)
    if correct_by is not None:
        problems += date_problems(correct_by, "correct_by")
    if problems:
        raise ValidationError(
            [*problems, *date_problems(event.on, "on")], what=type(event).__name__
        )
    _check_event(event, by=event.by)


@attrs.frozen(kw_only=True)
class Publish:
    """Event: the result was published."""

    on: _dt.date
    by: str = ""
    action: Action = attrs.field(default=Action.PUBLISH, init=False)

    def __attrs_post_init__(self) -> None:
        _check_event(self, by=self.by)


@attrs.frozen(kw_only=True)
class Cancel:
    """Event: the visit is cancelled before inspection."""

    on: _dt.date
    reason: CancelReason = attrs.field(converter=_reason)
    note: str = ""
    action: Action = attrs.field(default=Action.CANCEL, init=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.reason, CancelReason):
            raise ValidationError(
                [
                    Problem(
                        field="reason",
                        message=_UNREACHABLE_IS_A_RESULT
                        if self.reason == "unreachable"
                        else f"must be one of {[r.value for r in CancelReason]}, got "
                        f"{describe(self.reason)}",
                        rule="unreachable-is-a-result" if self.reason == "unreachable" else None,
                    ),
                    *date_problems(self.on, "on"),
                ],
                what="Cancel",
            )
        _check_event(self, note=self.note)


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
        problems.append(
            Problem(
                field="calendar",
                message=f"must be a WorkCalendar or None, got {describe(calendar)}",
            )
        )
    if problems:
        raise ValidationError(problems, what="visit events")


def _dates_of(dates: object, n: int) -> _Dates:
    """A batch's dates as ``datetime64[D]``: ``datetime.date`` values (not datetimes, not
    strings), or a ``datetime64`` array of whole days without NaT; one per visit."""
    if isinstance(dates, np.ndarray) and dates.dtype.kind == "M":
        flat = dates.reshape(-1)
        day = flat.astype("datetime64[D]")
        bad = np.flatnonzero(np.isnat(flat) | (day != flat))
        problems = [
            Problem(row=int(k), field="dates", message=f"not a whole day: {flat[k]!r}")
            for k in bad[:50].tolist()
        ]
    else:
        values = as_column(dates, "dates", what="visit events")
        listed = values.tolist() if isinstance(values, np.ndarray) else values
        problems = [p for k, v in enumerate(listed) for p in date_problems(v, "dates", row=k)]
        day = np.asarray(listed if not problems else [], dtype="datetime64[D]").reshape(-1)
    if problems:
        raise ValidationError(problems, what="visit events")
    if day.size != n:
        raise ValidationError(
            [Problem(field="dates", message=f"{day.size} dates for {n} visits")],
            what="visit events",
        )
    return day


def _visit_positions(ids: object, index: Mapping[str, int]) -> npt.NDArray[np.int64]:
    """Positions of visit ids; ValidationError for entries that are not text,
    UnknownIdError naming every id the year does not hold."""
    values = as_column(ids, "visit_ids", what="visit events")
    listed = values.tolist() if isinstance(values, np.ndarray) else values
    bad = [
        Problem(row=k, field="visit_ids", message=f"must be a visit id, got {describe(v)}")
        for k, v in enumerate(listed)
        if not is_text(v)
    ]
    if bad:
        raise ValidationError(bad, what="visit events")
    unknown = [v for v in listed if v not in index]
    if unknown:
        raise UnknownIdError(unknown, where="year state")
    return np.fromiter((index[v] for v in listed), dtype=np.int64, count=len(listed))


@attrs.frozen(kw_only=True)
class VisitRecord:
    """A visit and everything that happened to it, as of its last event.

    Examples:
        >>> from datetime import date
        >>> from randsupervise.calendar import china
        >>> from randsupervise.cycle.visits import Visit
        >>> v = Visit(id="2024/T1/1", target_id="T1", region="东城镇", risk_class="B",
        ...           items=("K01",), departments=("执法大队",), qualifications=frozenset(),
        ...           start=date(2024, 9, 1), end=date(2024, 9, 30), tasks=("T",),
        ...           batches=("T/Q3",))
        >>> r = VisitRecord(visit=v).apply(Assign(on=date(2024, 8, 20), team=("Z-01", "Z-03")))
        >>> r = r.apply(Inspect(on=date(2024, 9, 30)), china())
        >>> r.state.value, r.deadline  # National Day week off, Saturday 12 October worked
        ('inspected', datetime.date(2024, 11, 1))
        >>> r = r.apply(Record(on=date(2024, 11, 4), result=InspectionResult(codes={"NO_PROBLEM"})))
        >>> r.late, r.complete
        (True, False)
        >>> r.apply(Inspect(on=date(2024, 11, 7)))
        Traceback (most recent call last):
        ...
        randsupervise.errors.IllegalTransition: visit '2024/T1/1': illegal transition ...
    """

    visit: Visit
    state: VisitState = VisitState.DRAWN
    team: tuple[str, ...] = ()
    events: tuple[Any, ...] = ()
    inspected_on: _dt.date | None = None
    deadline: _dt.date | None = None
    recorded_on: _dt.date | None = None
    result: InspectionResult | None = None
    published_on: _dt.date | None = None
    cancel_reason: CancelReason | None = None
    replaced: tuple[str, ...] = ()
    recorded_by: str = ""
    published_by: str = ""
    outside_window: str = ""
    correct_by: _dt.date | None = None
    pending: InspectionResult | None = None
    followed_up_on: _dt.date | None = None
    republished_on: _dt.date | None = None

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []

        def wrong(field: str, want: str) -> None:
            got = describe(getattr(self, field))
            problems.append(Problem(field=field, message=f"must be {want}, got {got}"))

        if not isinstance(self.visit, Visit):
            wrong("visit", "a Visit")
        if not isinstance(self.state, VisitState):
            wrong("state", "a VisitState")
        for field in ("team", "replaced"):
            value = getattr(self, field)
            if not isinstance(value, tuple) or not all(is_text(m) for m in value):
                wrong(field, "a tuple of inspector ids")
        if not isinstance(self.events, tuple) or not all(
            isinstance(e, _EVENT_TYPES) for e in self.events
        ):
            wrong("events", "a tuple of events")
        for field in (
            "inspected_on",
            "deadline",
            "recorded_on",
            "published_on",
            "correct_by",
            "followed_up_on",
            "republished_on",
        ):
            value = getattr(self, field)
            if value is not None:
                problems += date_problems(value, field)
        for field in ("recorded_by", "published_by", "outside_window"):
            problems += text_problems(getattr(self, field), field, required=False)
        for field in ("result", "pending"):
            value = getattr(self, field)
            if value is not None and not isinstance(value, InspectionResult):
                wrong(field, "None or an InspectionResult")
        if self.cancel_reason is not None and not isinstance(self.cancel_reason, CancelReason):
            wrong("cancel_reason", "None or a CancelReason")
        if problems:
            raise ValidationError(problems, what="visit record")

    @property
    def id(self) -> str:
        return self.visit.id

    @property
    def last_date(self) -> _dt.date | None:
        return self.events[-1].on if self.events else None

    def apply(self, event: Event, calendar: WorkCalendar | None = None) -> VisitRecord:
        """The record after ``event``; ``calendar`` is needed for :class:`Inspect`.

        Raises:
            IllegalTransition: the event is not allowed in the current state.
            ValidationError: the event is dated before the previous one, an
                inspection comes without a calendar, or ``event``/``calendar`` are not
                an event and a :class:`~randsupervise.calendar.WorkCalendar`.
        """
        _check_apply_args([event], calendar)
        target = _TABLE.get((event.action, self.state))
        if target is None:
            raise IllegalTransition(
                visit=self.id, from_state=self.state.value, to_state=event.action.value
            )
        last = self.last_date
        if last is not None and event.on < last:
            raise ValidationError(
                [
                    Problem(
                        id=self.id,
                        field="on",
                        message=f"{event.action.value} dated {event.on}, before the "
                        f"previous event ({last})",
                    )
                ],
                what="visit event",
            )
        changes: dict[str, Any] = {"state": target, "events": (*self.events, event)}
        if isinstance(event, Assign):
            changes["team"] = tuple(sorted(event.team))
        elif isinstance(event, ReplaceTeam):
            new = tuple(sorted(event.team))
            changes["team"] = new
            changes["replaced"] = (*self.replaced, *sorted(set(self.team) - set(new)))
        elif isinstance(event, Inspect):
            if calendar is None:
                raise ValidationError(
                    [
                        Problem(
                            id=self.id,
                            field="calendar",
                            message="an inspection needs the calendar for its deadline",
                        )
                    ],
                    what="visit event",
                )
            msg = _window_problem(self.visit, event.on, event.outside_window)
            if msg:
                raise _event_error(self.id, "on", msg)
            changes["inspected_on"] = event.on
            changes["deadline"] = calendar.deadline(event.on, RECORDING_WORKDAYS)
            changes["outside_window"] = event.outside_window
        elif isinstance(event, Record | FollowUp | Publish):
            step = _step_problem(event, self.team, self.result)
            if step:
                raise _event_error(self.id, step[0], step[1])
            if isinstance(event, Record):
                changes.update(
                    recorded_on=event.on,
                    result=event.result,
                    recorded_by=event.by,
                    correct_by=event.correct_by,
                )
            elif isinstance(event, FollowUp):
                changes.update(
                    pending=self.result,
                    result=event.result,
                    followed_up_on=event.on,
                    recorded_by=event.by or self.recorded_by,
                )
            elif self.published_on is None:
                changes.update(published_on=event.on, published_by=event.by)
            else:
                changes.update(republished_on=event.on)
        elif isinstance(event, Cancel):
            changes["cancel_reason"] = event.reason
        return attrs.evolve(self, **changes)

    @property
    def late(self) -> bool:
        """Recorded after the deadline."""
        return (
            self.recorded_on is not None
            and self.deadline is not None
            and self.recorded_on > self.deadline
        )

    @property
    def publication_late(self) -> bool:
        """Published after the deadline (the same 20 working days as recording)."""
        return (
            self.published_on is not None
            and self.deadline is not None
            and self.published_on > self.deadline
        )

    @property
    def follow_up_open(self) -> bool:
        """A published pending result (``FOLLOW_UP``) not yet replaced by a published
        final one (as the metrics count it)."""
        if self.published_on is None or self.state is VisitState.CANCELLED:
            return False
        if self.followed_up_on is not None:
            return self.republished_on is None
        return self.result is not None and ResultCode.FOLLOW_UP in self.result.codes

    def overdue(self, as_of: _dt.date) -> bool:
        """Inspected, not yet recorded, and the deadline has passed by ``as_of``."""
        check_date(as_of, "as_of", what="overdue")
        return (
            self.state is VisitState.INSPECTED
            and self.deadline is not None
            and as_of > self.deadline
        )

    def publication_overdue(self, as_of: _dt.date) -> bool:
        """Inspected, never published, and the deadline has passed by ``as_of``."""
        check_date(as_of, "as_of", what="publication_overdue")
        return (
            self.published_on is None
            and self.deadline is not None
            and self.state is not VisitState.CANCELLED
            and as_of > self.deadline
        )

    def not_carried_out(self, as_of: _dt.date) -> bool:
        """Drawn or assigned, and the batch window ended before ``as_of`` (overdue)."""
        check_date(as_of, "as_of", what="not_carried_out")
        return self.state in (VisitState.DRAWN, VisitState.ASSIGNED) and as_of > self.visit.end

    @property
    def complete(self) -> bool:
        """Published: the only complete state (plan §三(六))."""
        return self.state is VisitState.PUBLISHED

    def publication(self) -> dict[str, Any]:
        """The publication payload: the inspection result only (plan §三(六)).

        Raises:
            IllegalTransition: the result is not recorded yet.
        """
        if self.result is None or self.inspected_on is None:
            raise IllegalTransition(
                visit=self.id, from_state=self.state.value, to_state="publication"
            )
        return {
            "visit": self.id,
            "target": self.visit.target_id,
            "items": list(self.visit.items),
            "departments": list(self.visit.departments),
            "inspected_on": self.inspected_on.isoformat(),
            "result": [c.value for c in self.result.ordered_codes],
            "result_zh": list(self.result.labels_zh),
        }

    def to_record(self) -> dict[str, Any]:
        def iso(d: _dt.date | None) -> str | None:
            return None if d is None else d.isoformat()

        return {
            "visit": self.id,
            "target": self.visit.target_id,
            "risk_class": self.visit.risk_class.name,
            "items": ",".join(self.visit.items),
            "state": self.state.value,
            "team": ",".join(self.team),
            "inspected_on": iso(self.inspected_on),
            "deadline": iso(self.deadline),
            "recorded_on": iso(self.recorded_on),
            "late": self.late,
            "recorded_by": self.recorded_by,
            "result": ""
            if self.result is None
            else ",".join(c.value for c in self.result.ordered_codes),
            "published_on": iso(self.published_on),
            "publication_late": self.publication_late,
            "published_by": self.published_by,
            "outside_window": self.outside_window,
            "correct_by": iso(self.correct_by),
            "followed_up_on": iso(self.followed_up_on),
            "republished_on": iso(self.republished_on),
            "cancel_reason": None if self.cancel_reason is None else self.cancel_reason.value,
        }


# ---------------------------------------------------------------------------- year state
# The year's state is columnar (architecture principle 7: no Python loop over visits on a hot
# path): one numpy array per field, one entry per visit, and the events kept as a log of
# batches. A :class:`VisitRecord` is built only when a single visit is looked at.
_STATES: tuple[VisitState, ...] = tuple(VisitState)
_SCODE: Mapping[VisitState, int] = {s: k for k, s in enumerate(_STATES)}
_ACTIONS: tuple[Action, ...] = tuple(Action)
_ACODE: Mapping[Action, int] = {a: k for k, a in enumerate(_ACTIONS)}
_REASONS: tuple[CancelReason, ...] = tuple(CancelReason)
_RCODE: Mapping[CancelReason, int] = {r: k for k, r in enumerate(_REASONS)}
#: The transition table as an array: ``_NEXT[action code, state code]`` is the next
#: state's code, or -1 when the move is not in :data:`TRANSITIONS`.
_NEXT = np.full((len(_ACTIONS), len(_STATES)), -1, dtype=np.int8)
for _t in TRANSITIONS:
    _NEXT[_ACODE[_t.action], _SCODE[_t.source]] = _SCODE[_t.target]
del _t
_NAT = np.datetime64("NaT", "D")
_Dates: TypeAlias = "npt.NDArray[np.datetime64]"
_Objs: TypeAlias = "npt.NDArray[np.object_]"


def _day(x: np.datetime64) -> _dt.date | None:
    return None if np.isnat(x) else x.astype("datetime64[D]").item()


def _dates(n: int) -> _Dates:
    return np.full(n, _NAT, dtype="datetime64[D]")


def _objects(values: Iterable[Any], n: int) -> _Objs:
    out = np.empty(n, dtype=object)
    out[:] = list(values) if n else []
    return out


@attrs.frozen(kw_only=True)
class _Chunk:
    """One batch of events of the log: visit positions, dates, and how to rebuild them."""

    action: Action | None  # None: ``events`` holds the event objects themselves
    idx: npt.NDArray[np.int64]
    on: _Dates
    events: _Objs | None = None
    payload: Any = None  # per-visit object array, or one value shared by the batch
    by: Any = ""  # the acting officer: per-visit object array or one id
    why: str = ""  # an inspection's reason for being outside its window

    def event(self, k: int) -> Any:
        if self.events is not None:
            return self.events[k]
        on = self.on[k].item()
        pay = self.payload[k] if isinstance(self.payload, np.ndarray) else self.payload
        by = self.by[k] if isinstance(self.by, np.ndarray) else self.by
        if self.action is Action.INSPECT:
            return Inspect(on=on, outside_window=self.why)
        if self.action is Action.RECORD:
            return Record(on=on, result=pay, by=by)
        if self.action is Action.PUBLISH:
            return Publish(on=on, by=by)
        if self.action is Action.CANCEL:
            return Cancel(on=on, reason=pay)
        return Assign(on=on, team=pay)


@attrs.frozen(kw_only=True)
class _Static:
    """What never changes during the year: the visits and their lookup."""

    visits: tuple[Visit, ...]
    ids: tuple[str, ...]
    index: Mapping[str, int]
    targets: npt.NDArray[np.str_]
    starts: _Dates
    ends: _Dates

    @classmethod
    def of(cls, visits: Iterable[Visit]) -> _Static:
        vs = tuple(visits)
        ids = tuple(v.id for v in vs)
        targets = np.asarray([v.target_id for v in vs], dtype=str).reshape(len(vs))
        targets.setflags(write=False)
        starts = np.asarray([v.start for v in vs], dtype="datetime64[D]").reshape(len(vs))
        ends = np.asarray([v.end for v in vs], dtype="datetime64[D]").reshape(len(vs))
        starts.setflags(write=False)
        ends.setflags(write=False)
        return cls(
            visits=vs,
            ids=ids,
            index=dict(zip(ids, range(len(ids)), strict=True)),
            targets=targets,
            starts=starts,
            ends=ends,
        )


class _Columns(Mapping[str, VisitRecord]):
    """The year's visits as columns; a read-only mapping of visit id to record."""

    __slots__ = (
        "cancel",
        "correct_by",
        "deadline",
        "events0",
        "followed",
        "inspected",
        "last",
        "log",
        "outside",
        "pending",
        "published",
        "published_by",
        "recorded",
        "recorded_by",
        "replaced",
        "republished",
        "result",
        "state",
        "static",
        "team",
    )

    def __init__(
        self,
        *,
        static: _Static,
        state: npt.NDArray[np.int8],
        team: _Objs,
        replaced: _Objs,
        inspected: _Dates,
        deadline: _Dates,
        recorded: _Dates,
        published: _Dates,
        last: _Dates,
        cancel: npt.NDArray[np.int8],
        result: _Objs,
        events0: _Objs | None,
        log: tuple[_Chunk, ...],
        recorded_by: _Objs | None = None,
        published_by: _Objs | None = None,
        outside: _Objs | None = None,
        correct_by: _Dates | None = None,
        pending: _Objs | None = None,
        followed: _Dates | None = None,
        republished: _Dates | None = None,
    ) -> None:
        n = state.size
        self.static, self.state, self.team, self.replaced = static, state, team, replaced
        self.inspected, self.deadline, self.recorded = inspected, deadline, recorded
        self.published, self.last, self.cancel, self.result = published, last, cancel, result
        self.events0, self.log = events0, log
        self.recorded_by = _objects(("",) * n, n) if recorded_by is None else recorded_by
        self.published_by = _objects(("",) * n, n) if published_by is None else published_by
        self.outside = _objects(("",) * n, n) if outside is None else outside
        self.correct_by = _dates(n) if correct_by is None else correct_by
        self.pending = _objects((None,) * n, n) if pending is None else pending
        self.followed = _dates(n) if followed is None else followed
        self.republished = _dates(n) if republished is None else republished
        for a in (state, team, replaced, inspected, deadline, recorded, published, last):
            a.setflags(write=False)
        cancel.setflags(write=False)
        result.setflags(write=False)
        for b in (
            self.recorded_by,
            self.published_by,
            self.outside,
            self.correct_by,
            self.pending,
            self.followed,
            self.republished,
        ):
            b.setflags(write=False)

    @classmethod
    def from_records(cls, records: Mapping[str, VisitRecord]) -> _Columns:
        if not isinstance(records, Mapping):
            raise ValidationError(
                [
                    Problem(
                        field="records",
                        message=f"must be a mapping of visit id to VisitRecord, got "
                        f"{describe(records)}",
                    )
                ],
                what="year state",
            )
        wrong = [
            Problem(id=ident_of(k), field="records", message=f"not a VisitRecord: {describe(r)}")
            for k, r in records.items()
            if not isinstance(r, VisitRecord)
        ]
        if wrong:
            raise ValidationError(wrong, what="year state")
        recs = list(records.values())
        n = len(recs)
        static = _Static.of(r.visit for r in recs)
        if list(records) != list(static.ids):
            raise ValidationError(
                [Problem(field="records", message="keys must be the records' visit ids")],
                what="year state",
            )

        def col(f: str) -> _Dates:
            return np.asarray(
                [_NAT if getattr(r, f) is None else getattr(r, f) for r in recs],
                dtype="datetime64[D]",
            ).reshape(n)

        return cls(
            static=static,
            state=np.asarray([_SCODE[r.state] for r in recs], dtype=np.int8).reshape(n),
            team=_objects((r.team for r in recs), n),
            replaced=_objects((r.replaced for r in recs), n),
            inspected=col("inspected_on"),
            deadline=col("deadline"),
            recorded=col("recorded_on"),
            published=col("published_on"),
            last=np.asarray(
                [_NAT if r.last_date is None else r.last_date for r in recs],
                dtype="datetime64[D]",
            ).reshape(n),
            cancel=np.asarray(
                [-1 if r.cancel_reason is None else _RCODE[r.cancel_reason] for r in recs],
                dtype=np.int8,
            ).reshape(n),
            result=_objects((r.result for r in recs), n),
            events0=_objects((r.events for r in recs), n),
            log=(),
            recorded_by=_objects((r.recorded_by for r in recs), n),
            published_by=_objects((r.published_by for r in recs), n),
            outside=_objects((r.outside_window for r in recs), n),
            correct_by=col("correct_by"),
            pending=_objects((r.pending for r in recs), n),
            followed=col("followed_up_on"),
            republished=col("republished_on"),
        )

    def evolve(self, **changes: Any) -> _Columns:
        fields = {k: getattr(self, k) for k in self.__slots__}
        fields.update(changes)
        return _Columns(**fields)

    # -- Mapping
    def __getitem__(self, visit_id: str) -> VisitRecord:
        if not is_text(visit_id) or visit_id not in self.static.index:
            raise UnknownIdError([visit_id], where="year state")
        return self.record(self.static.index[visit_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self.static.ids)

    def __len__(self) -> int:
        return len(self.static.ids)

    def events_of(self, i: int) -> tuple[Any, ...]:
        out = list(self.events0[i]) if self.events0 is not None else []
        for c in self.log:
            out += [c.event(int(k)) for k in np.flatnonzero(c.idx == i)]
        return tuple(out)

    def all_events(self) -> list[list[Any]]:
        if self.events0 is None:
            out: list[list[Any]] = [[] for _ in range(len(self))]
        else:
            out = [list(e) for e in self.events0]
        for c in self.log:
            for k, i in enumerate(c.idx.tolist()):
                out[i].append(c.event(k))
        return out

    def record(self, i: int, events: tuple[Any, ...] | None = None) -> VisitRecord:
        c = int(self.cancel[i])
        return VisitRecord(
            visit=self.static.visits[i],
            state=_STATES[int(self.state[i])],
            team=self.team[i],
            events=self.events_of(i) if events is None else events,
            inspected_on=_day(self.inspected[i]),
            deadline=_day(self.deadline[i]),
            recorded_on=_day(self.recorded[i]),
            result=self.result[i],
            published_on=_day(self.published[i]),
            cancel_reason=None if c < 0 else _REASONS[c],
            replaced=self.replaced[i],
            recorded_by=self.recorded_by[i],
            published_by=self.published_by[i],
            outside_window=self.outside[i],
            correct_by=_day(self.correct_by[i]),
            pending=self.pending[i],
            followed_up_on=_day(self.followed[i]),
            republished_on=_day(self.republished[i]),
        )

    def records(self) -> list[VisitRecord]:
        evs = self.all_events()
        return [self.record(i, tuple(evs[i])) for i in range(len(self))]

    def late(self) -> npt.NDArray[np.bool_]:
        ok = ~np.isnat(self.recorded) & ~np.isnat(self.deadline)
        return ok & (self.recorded > self.deadline)

    def publication_late(self) -> npt.NDArray[np.bool_]:
        ok = ~np.isnat(self.published) & ~np.isnat(self.deadline)
        return ok & (self.published > self.deadline)


def _as_columns(v: Mapping[str, VisitRecord]) -> _Columns:
    return v if isinstance(v, _Columns) else _Columns.from_records(v)


def _illegal(ids: list[str], states: list[str], action: str) -> IllegalTransition:
    """One :class:`IllegalTransition` naming every bad visit (``.visits`` lists them)."""
    return IllegalTransition(
        visit=ids[0],
        from_state=states[0],
        to_state=action,
        visits=tuple(ids),
        from_states=tuple(states),
    )


@attrs.frozen(kw_only=True)
class YearState:
    """Every visit of the year with its record; immutable, updated in batches.

    Build it with :meth:`start` (all visits drawn and assigned with the run's teams),
    then :meth:`apply` events, or use the batch methods :meth:`inspect_many`,
    :meth:`record_many`, :meth:`publish_many` and :meth:`cancel_many`, which move many
    visits at once with array operations. The state is held as columns (one array per
    field); ``state[visit_id]`` builds that visit's :class:`VisitRecord`, and
    :meth:`column` gives whole columns.

    Examples:
        >>> from datetime import date
        >>> from randsupervise.calendar import china
        >>> from randsupervise.metrics.demo import demo_inputs
        >>> from randsupervise.cycle import run_plan
        >>> plan, registry, items, pool, seed, cal = demo_inputs(2024)
        >>> run = run_plan(plan, registry, items, pool, seed, cal)
        >>> state = YearState.start(run, date(2024, 2, 26))
        >>> ids = [v.id for v in run.visits[:3]]
        >>> state = state.inspect_many(ids, [date(2024, 4, 30)] * 3, cal)
        >>> state = state.record_many(ids, [date(2024, 5, 6)] * 3,
        ...                           InspectionResult(codes={"NO_PROBLEM"}))
        >>> state[ids[0]].state.value, state[ids[0]].deadline
        ('recorded', datetime.date(2024, 5, 30))
        >>> state.publish_many(ids[:1] + ids[:1], [date(2024, 5, 7)] * 2)
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: visit events: ... listed more than once
        >>> state.inspect_many(ids[:2], [date(2024, 5, 8)] * 2, cal)
        Traceback (most recent call last):
        ...
        randsupervise.errors.IllegalTransition: 2 visits: illegal transition -> inspect: ...
    """

    year: int
    plan_digest: str
    records: Mapping[str, VisitRecord] = attrs.field(repr=False, converter=_as_columns)

    def __attrs_post_init__(self) -> None:
        problems = int_problems(self.year, "year", min_value=1, max_value=9999)
        problems += text_problems(self.plan_digest, "plan_digest")
        if problems:
            raise ValidationError(problems, what="year state")

    @property
    def _cols(self) -> _Columns:
        return self.records  # type: ignore[return-value]

    @classmethod
    def start(cls, run: PlanRun, on: _dt.date) -> YearState:
        """All visits of ``run``, drawn and assigned on ``on`` with the run's teams."""
        problems = date_problems(on, "on")
        if not isinstance(run, PlanRun):
            problems.append(Problem(field="run", message=f"must be a PlanRun, got {describe(run)}"))
        if problems:
            raise ValidationError(problems, what="YearState.start")
        static = _Static.of(run.visits)
        n = len(static.ids)
        teams = _objects((tuple(sorted(run.teams.get(i, ()))) for i in static.ids), n)
        day = np.full(n, np.datetime64(on, "D"))
        cols = _Columns(
            static=static,
            state=np.full(n, _SCODE[VisitState.ASSIGNED], dtype=np.int8),
            team=teams,
            replaced=_objects(((),) * n, n),
            inspected=_dates(n),
            deadline=_dates(n),
            recorded=_dates(n),
            published=_dates(n),
            last=day,
            cancel=np.full(n, -1, dtype=np.int8),
            result=_objects((None,) * n, n),
            events0=None,
            log=(_Chunk(action=Action.ASSIGN, idx=np.arange(n), on=day, payload=teams),),
        )
        return cls(year=run.year, plan_digest=run.digest, records=cols)

    def __getitem__(self, visit_id: str) -> VisitRecord:
        return self.records[visit_id]

    def __iter__(self) -> Iterator[VisitRecord]:
        return iter(self._cols.records())

    def __len__(self) -> int:
        return len(self.records)

    @property
    def visits(self) -> tuple[Visit, ...]:
        """The visits, in the order of the state (the run's batch order)."""
        return self._cols.static.visits

    def column(self, name: str) -> npt.NDArray[Any]:
        """One field of every visit, as a read-only array in :attr:`visits` order.

        Names: ``visit`` and ``target`` (the ids, str), ``state`` and
        ``cancel_reason`` (str; ``""`` when not cancelled),
        ``inspected_on``, ``deadline``, ``recorded_on``, ``published_on`` and
        ``last_date`` (``datetime64[D]``, ``NaT`` when not yet), ``late`` (bool), and
        ``team``, ``replaced``, ``result`` (objects: tuples of inspector ids, an
        :class:`~randsupervise.model.results.InspectionResult` or ``None``).

        Examples:
            >>> from randsupervise.metrics.demo import run_demo_year
            >>> run_demo_year().state.column("state")[:2].tolist()
            ['published', 'published']
        """
        c = self._cols
        if not is_text(name):
            raise ValidationError(
                [Problem(field="name", message=f"must be a column name, got {describe(name)}")],
                what="YearState.column",
            )
        out: npt.NDArray[Any]
        if name == "target":
            return c.static.targets
        if name == "visit":
            out = np.asarray(c.static.ids, dtype=str).reshape(len(c))
        elif name == "state":
            out = np.asarray([s.value for s in _STATES])[c.state]
        elif name == "cancel_reason":
            out = np.asarray(["", *(r.value for r in _REASONS)])[c.cancel + 1]
        elif name == "late":
            out = c.late()
        elif name == "publication_late":
            out = c.publication_late()
        elif name in ("recorded_by", "published_by", "outside_window"):
            col = {"recorded_by": c.recorded_by, "published_by": c.published_by}
            out = np.asarray(col.get(name, c.outside).tolist(), dtype=str).reshape(len(c))
        else:
            fields = {
                "inspected_on": c.inspected,
                "deadline": c.deadline,
                "recorded_on": c.recorded,
                "published_on": c.published,
                "last_date": c.last,
                "team": c.team,
                "replaced": c.replaced,
                "result": c.result,
                "correct_by": c.correct_by,
                "pending": c.pending,
                "followed_up_on": c.followed,
                "republished_on": c.republished,
                "window_start": c.static.starts,
                "window_end": c.static.ends,
            }
            if name not in fields:
                known = sorted(
                    [
                        *fields,
                        "visit",
                        "target",
                        "state",
                        "cancel_reason",
                        "late",
                        "publication_late",
                        "recorded_by",
                        "published_by",
                        "outside_window",
                    ]
                )
                raise ValidationError(
                    [
                        Problem(
                            field="name",
                            message=f"unknown column {describe(name)}; expected one of {known}",
                        )
                    ],
                    what="YearState.column",
                )
            return fields[name]
        out.setflags(write=False)
        return out

    def state_codes(self) -> npt.NDArray[np.int8]:
        """Each visit's state as its position in ``tuple(VisitState)`` (read-only)."""
        return self._cols.state

    # ------------------------------------------------------------------ transitions
    def apply(
        self, events: Iterable[tuple[str, Event]], calendar: WorkCalendar | None = None
    ) -> YearState:
        """A new state with ``(visit id, event)`` pairs applied in order.

        All or nothing: if any event is illegal the error of the first one (in the
        given order) is raised and ``self`` is unchanged (it is immutable anyway).
        Events are applied in rounds (each visit's first event, then its second, ...),
        each round with array operations; the outcome is the one of applying them one
        by one.
        """
        col = as_column(events, "events", what="visit events")
        pairs = col.tolist() if isinstance(col, np.ndarray) else col
        shape = [
            Problem(
                row=k,
                field="events",
                message=f"must be a (visit id, event) pair, got {describe(p)}",
            )
            for k, p in enumerate(pairs)
            if not isinstance(p, tuple | list) or len(p) != 2 or not is_text(p[0])
        ]
        if shape:
            raise ValidationError(shape, what="visit events")
        _check_apply_args([e for _, e in pairs], calendar, rows=True)
        if not pairs:
            return self
        c = self._cols
        index = c.static.index
        m = len(pairs)
        idx = np.fromiter((index.get(v, -1) for v, _ in pairs), dtype=np.int64, count=m)
        evs = _objects((e for _, e in pairs), m)
        act = np.fromiter((_ACODE[e.action] for e in evs), dtype=np.int64, count=m)
        on = np.asarray([e.on for e in evs], dtype="datetime64[D]").reshape(m)
        unknown = np.flatnonzero(idx < 0)
        errors: list[tuple[int, Exception]] = []
        if unknown.size:
            missing = UnknownIdError([pairs[int(k)][0] for k in unknown], where="year state")
            errors.append((int(unknown[0]), missing))
        order = np.argsort(idx, kind="stable")
        s = idx[order]
        first = np.r_[True, s[1:] != s[:-1]]
        grp = np.maximum.accumulate(np.where(first, np.arange(m), 0))
        rank = np.empty(m, dtype=np.int64)
        rank[order] = np.arange(m) - grp
        rank[idx < 0] = -1
        new = {k: getattr(c, k).copy() for k in _MUTABLE}
        failed = np.zeros(len(c), dtype=bool)
        log: list[_Chunk] = []
        for r in range(int(rank.max()) + 1 if m else 0):
            sel = np.flatnonzero(rank == r)
            sel = sel[~failed[idx[sel]]]
            if not sel.size:
                continue
            vi, a, d = idx[sel], act[sel], on[sel]
            nxt = _NEXT[a, new["state"][vi]]
            prev = new["last"][vi]
            bad = np.zeros(sel.size, dtype=bool)
            for k in np.flatnonzero(nxt < 0):
                e = evs[sel[k]]
                st = _STATES[int(new["state"][vi[k]])].value
                errors.append((int(sel[k]), _illegal([c.static.ids[vi[k]]], [st], e.action.value)))
                bad[k] = True
            back = ~bad & ~np.isnat(prev) & (d < prev)
            for k in np.flatnonzero(back):
                e = evs[sel[k]]
                errors.append(
                    (
                        int(sel[k]),
                        _event_error(
                            c.static.ids[vi[k]],
                            "on",
                            f"{e.action.value} dated {e.on}, before the previous event "
                            f"({_day(prev[k])})",
                        ),
                    )
                )
            bad |= back
            insp = a == _ACODE[Action.INSPECT]
            outside = insp & ((d < c.static.starts[vi]) | (d > c.static.ends[vi]))
            stepped = np.isin(a, [_ACODE[x] for x in (Action.RECORD, Action.FOLLOW_UP)])
            stepped |= a == _ACODE[Action.PUBLISH]
            no_cal = insp & (calendar is None)
            for k in np.flatnonzero(~bad & (outside | stepped | no_cal)):
                e = evs[sel[k]]
                i = int(vi[k])
                if isinstance(e, Inspect) and calendar is None:
                    msg, f = "an inspection needs the calendar for its deadline", "calendar"
                elif isinstance(e, Inspect):
                    msg, f = _window_problem(c.static.visits[i], e.on, e.outside_window), "on"
                    if not msg:
                        continue
                elif isinstance(e, Record | FollowUp) and not isinstance(
                    e.result, InspectionResult
                ):
                    msg, f = "not an InspectionResult", "result"
                else:
                    found = _step_problem(e, new["team"][i], new["result"][i])
                    if found is None:
                        continue
                    f, msg = found
                errors.append((int(sel[k]), _event_error(c.static.ids[vi[k]], f, msg)))
                bad[k] = True
            failed[vi[bad]] = True
            ok = ~bad
            sel, vi, a, d, nxt = sel[ok], vi[ok], a[ok], d[ok], nxt[ok]
            if not sel.size:
                continue
            new["state"][vi] = nxt
            new["last"][vi] = d
            for code, f in (
                (_ACODE[Action.INSPECT], "inspected"),
                (_ACODE[Action.RECORD], "recorded"),
            ):
                w = a == code
                new[f][vi[w]] = d[w]
            w = a == _ACODE[Action.INSPECT]
            if w.any() and calendar is not None:
                new["deadline"][vi[w]] = calendar.deadline(d[w], RECORDING_WORKDAYS)
                new["outside"][vi[w]] = [e.outside_window for e in evs[sel[w]]]
            for k in np.flatnonzero(a != _ACODE[Action.INSPECT]).tolist():
                e, i = evs[sel[k]], int(vi[k])
                if isinstance(e, Record):
                    new["result"][i] = e.result
                    new["recorded_by"][i] = e.by
                    new["correct_by"][i] = _NAT if e.correct_by is None else e.correct_by
                elif isinstance(e, FollowUp):
                    new["pending"][i] = new["result"][i]
                    new["result"][i] = e.result
                    new["followed"][i] = e.on
                    new["recorded_by"][i] = e.by or new["recorded_by"][i]
                elif isinstance(e, Publish):
                    if np.isnat(new["published"][i]):
                        new["published"][i] = e.on
                        new["published_by"][i] = e.by
                    else:
                        new["republished"][i] = e.on
                elif isinstance(e, Cancel):
                    new["cancel"][i] = _RCODE[e.reason]
                elif isinstance(e, Assign):
                    new["team"][i] = tuple(sorted(e.team))
                elif isinstance(e, ReplaceTeam):
                    team = tuple(sorted(e.team))
                    gone = sorted(set(new["team"][i]) - set(team))
                    new["replaced"][i] = (*new["replaced"][i], *gone)
                    new["team"][i] = team
            log.append(_Chunk(action=None, idx=vi, on=d, events=evs[sel]))
        if errors:
            raise min(errors, key=lambda x: x[0])[1]
        return self._with(new, tuple(log))

    def _with(self, new: Mapping[str, Any], log: tuple[_Chunk, ...]) -> YearState:
        cols = self._cols.evolve(**new, log=self._cols.log + log)
        return attrs.evolve(self, records=cols)

    def _batch(
        self, visit_ids: Iterable[str], dates: Iterable[Any], action: Action
    ) -> tuple[npt.NDArray[np.int64], _Dates, npt.NDArray[np.int8]]:
        """Positions, dates and next states of a batch; raises on any bad visit."""
        c = self._cols
        vi = _visit_positions(visit_ids, c.static.index)
        d = _dates_of(dates, vi.size)
        problems: list[Problem] = []
        srt = np.sort(vi)
        dup = np.unique(srt[1:][srt[1:] == srt[:-1]])
        problems += [
            Problem(id=c.static.ids[i], field="visit_ids", message="listed more than once")
            for i in dup.tolist()
        ]
        if problems:
            raise ValidationError(problems, what="visit events")
        cur = c.state[vi]
        nxt = _NEXT[_ACODE[action], cur]
        bad = np.flatnonzero(nxt < 0)
        if bad.size:
            raise _illegal(
                [c.static.ids[i] for i in vi[bad].tolist()],
                [_STATES[s].value for s in cur[bad].tolist()],
                action.value,
            )
        prev = c.last[vi]
        back = np.flatnonzero(~np.isnat(prev) & (d < prev))
        if back.size:
            raise ValidationError(
                [
                    Problem(
                        id=c.static.ids[int(vi[k])],
                        field="on",
                        message=f"{action.value} dated {d[k]}, before the previous event "
                        f"({prev[k]})",
                    )
                    for k in back.tolist()
                ],
                what="visit events",
            )
        return vi, d, nxt

    def _moved(
        self,
        vi: npt.NDArray[np.int64],
        d: _Dates,
        nxt: npt.NDArray[np.int8],
        action: Action,
        payload: Any = None,
        *,
        by: Any = "",
        why: str = "",
        **cols: tuple[str, Any],
    ) -> YearState:
        c = self._cols
        new: dict[str, Any] = {}
        for f, val in {"state": nxt, "last": d, **dict(cols.values())}.items():
            arr = getattr(c, f).copy()
            arr[vi] = val
            new[f] = arr
        chunk = _Chunk(action=action, idx=vi, on=d, payload=payload, by=by, why=why)
        return self._with(new, (chunk,))

    def inspect_many(
        self,
        visit_ids: Iterable[str],
        dates: Iterable[Any],
        calendar: WorkCalendar,
        *,
        outside_window: str = "",
    ) -> YearState:
        """Inspect many visits at once; deadlines from one ``calendar.deadline`` call.

        ``outside_window`` is the reason for inspections dated outside their batch
        window (one reason for the batch); without it such inspections are refused.

        Raises:
            IllegalTransition: some visits are not assigned (all of them named).
            ValidationError: a date before a visit's previous event, a date outside the
                visit's window without a reason, a visit listed twice, or dates and ids
                of different lengths (every problem listed).
        """
        _check_apply_args((), calendar)
        problems = text_problems(outside_window, "outside_window", required=False)
        if calendar is None:
            problems.append(Problem(field="calendar", message="an inspection needs the calendar"))
        if problems:
            raise ValidationError(problems, what="visit events")
        vi, d, nxt = self._batch(visit_ids, dates, Action.INSPECT)
        st = self._cols.static
        out = np.flatnonzero((d < st.starts[vi]) | (d > st.ends[vi])) if not outside_window else ()
        if len(out):
            raise ValidationError(
                [
                    Problem(
                        id=st.ids[int(vi[k])],
                        field="on",
                        message=_window_problem(st.visits[int(vi[k])], _day(d[k]), ""),  # type: ignore[arg-type]
                    )
                    for k in out
                ],
                what="visit events",
            )
        dl = calendar.deadline(d, RECORDING_WORKDAYS) if d.size else d
        return self._moved(
            vi,
            d,
            nxt,
            Action.INSPECT,
            why=outside_window,
            inspected=("inspected", d),
            deadline=("deadline", dl),
            outside=("outside", outside_window),
        )

    def record_many(
        self,
        visit_ids: Iterable[str],
        dates: Iterable[Any],
        results: InspectionResult | Iterable[InspectionResult],
        *,
        by: str = "",
    ) -> YearState:
        """Record the results of many inspected visits (one result for all, or one each).

        ``by`` is the acting officer, who must be on every visit's team.

        Raises:
            IllegalTransition: some visits are not inspected (all of them named).
            ValidationError: as :meth:`inspect_many`, a list of results whose length
                is not the number of visits, or a result that is not an
                :class:`~randsupervise.model.results.InspectionResult`.
        """
        vi, d, nxt = self._batch(visit_ids, dates, Action.RECORD)
        payload: Any
        if isinstance(results, InspectionResult):
            payload = results
        else:
            given = as_column(results, "results", what="visit events")
            each = given.tolist() if isinstance(given, np.ndarray) else given
            if len(each) != vi.size:
                # numpy would broadcast a one-element list over every visit
                raise ValidationError(
                    [
                        Problem(
                            field="results",
                            message=f"{len(each)} results for {vi.size} visits",
                        )
                    ],
                    what="visit events",
                )
            payload = _objects(each, vi.size)
            bad = [k for k, r in enumerate(payload) if not isinstance(r, InspectionResult)]
            if bad:
                raise ValidationError(
                    [
                        Problem(
                            id=self._cols.static.ids[int(vi[k])],
                            field="result",
                            message="not an InspectionResult",
                        )
                        for k in bad
                    ],
                    what="visit events",
                )
        self._check_by(vi, by)
        return self._moved(
            vi,
            d,
            nxt,
            Action.RECORD,
            payload,
            by=by,
            recorded=("recorded", d),
            result=("result", payload),
            recorded_by=("recorded_by", by),
            correct_by=("correct_by", _NAT),
        )

    def publish_many(
        self, visit_ids: Iterable[str], dates: Iterable[Any], *, by: str = ""
    ) -> YearState:
        """Publish many recorded visits; ``by`` is the acting officer (on every team).

        A visit whose pending result was replaced by a :class:`FollowUp` is published
        again: its ``republished_on`` is set, the first publication date kept.

        Raises:
            IllegalTransition: some visits are not recorded (all of them named).
            ValidationError: as :meth:`inspect_many`, or ``by`` not on a team.
        """
        vi, d, nxt = self._batch(visit_ids, dates, Action.PUBLISH)
        self._check_by(vi, by)
        c = self._cols
        again = ~np.isnat(c.published[vi])
        return self._moved(
            vi,
            d,
            nxt,
            Action.PUBLISH,
            by=by,
            published=("published", np.where(again, c.published[vi], d)),
            republished=("republished", np.where(again, d, c.republished[vi])),
            published_by=("published_by", np.where(again, c.published_by[vi], by)),
        )

    def _check_by(self, vi: npt.NDArray[np.int64], by: str) -> None:
        """Every visit's team holds the acting officer ``by`` (when one is named)."""
        problems = text_problems(by, "by", required=False)
        if by and not problems:
            c = self._cols
            problems = [
                Problem(id=c.static.ids[i], field="by", message=_by_problem(by, c.team[i]))
                for i in vi.tolist()
                if _by_problem(by, c.team[i])
            ]
        if problems:
            raise ValidationError(problems, what="visit events")

    def cancel_many(
        self,
        visit_ids: Iterable[str],
        dates: Iterable[Any],
        reason: CancelReason | str,
    ) -> YearState:
        """Cancel many visits before inspection, all for ``reason``.

        Raises:
            IllegalTransition: some visits are inspected or further (all of them named).
            ValidationError: as :meth:`inspect_many`.
        """
        if reason == "unreachable":
            raise ValidationError(
                [Problem(field="reason", message=_UNREACHABLE_IS_A_RESULT)], what="visit events"
            )
        why = check_one_of(reason, CancelReason, "reason", what="visit events")
        vi, d, nxt = self._batch(visit_ids, dates, Action.CANCEL)
        return self._moved(vi, d, nxt, Action.CANCEL, why, cancel=("cancel", _RCODE[why]))

    # ------------------------------------------------------------------ views
    def counts(self) -> dict[str, int]:
        """Number of visits per state (every state listed)."""
        n = np.bincount(self._cols.state, minlength=len(_STATES))
        return {s.value: int(n[k]) for k, s in enumerate(_STATES)}

    def to_records(self) -> list[dict[str, Any]]:
        """One row per visit, for ``pandas.DataFrame(state.to_records())``."""
        c = self._cols
        return [c.record(i, ()).to_record() for i in range(len(c))]

    def __repr__(self) -> str:
        c = self.counts()
        return (
            f"YearState(year={self.year}, visits={len(self)}, "
            + ", ".join(f"{k}={v}" for k, v in c.items())
            + ")"
        )

    def _repr_html_(self) -> str:
        rows = self.to_records()
        keys = [
            "visit",
            "state",
            "team",
            "inspected_on",
            "deadline",
            "recorded_on",
            "late",
            "result",
            "published_on",
        ]
        return html_table(repr(self), {k: [r[k] for r in rows] for k in keys})

    def to_text(self, max_rows: int = 20) -> str:
        check_int(max_rows, "max_rows", min_value=0, what="to_text")
        rows = self.to_records()
        keys = ["visit", "state", "inspected_on", "deadline", "recorded_on", "late"]
        return (
            repr(self)
            + "\n"
            + text_table({k: [r[k] for r in rows] for k in keys}, max_rows=max_rows, indent="  ")
        )


_MUTABLE = (
    "state",
    "team",
    "replaced",
    "inspected",
    "deadline",
    "recorded",
    "published",
    "last",
    "cancel",
    "result",
    "recorded_by",
    "published_by",
    "outside",
    "correct_by",
    "pending",
    "followed",
    "republished",
)


def _event_error(visit_id: str, field: str, message: str) -> ValidationError:
    return ValidationError([Problem(id=visit_id, field=field, message=message)], what="visit event")


def _window_problem(visit: Visit, on: _dt.date, reason: str) -> str:
    """Why an inspection on ``on`` is refused (empty when it is not)."""
    if reason or visit.start <= on <= visit.end:
        return ""
    return (
        f"inspection dated {on}, outside the batch window {visit.start}..{visit.end}: "
        "give the reason as outside_window (plan §三(五))"
    )


def _step_problem(
    event: Record | FollowUp | Publish,
    team: tuple[str, ...],
    result: InspectionResult | None,
) -> tuple[str, str] | None:
    """(field, message) when a recording, follow-up or publication breaks a rule."""
    msg = _by_problem(event.by, team)
    if msg:
        return "by", msg
    if isinstance(event, FollowUp):
        if result is None or ResultCode.FOLLOW_UP not in result.codes:
            return "result", "a follow-up closes a published result that is pending (FOLLOW_UP)"
        if ResultCode.FOLLOW_UP in event.result.codes:
            return "result", "the follow-up's result must be final (no FOLLOW_UP)"
    return None


def _by_problem(by: str, team: tuple[str, ...]) -> str:
    """Why ``by`` may not act for a visit of ``team`` (empty when it may)."""
    if not by or by in team:
        return ""
    return (
        f"{by!r} is not on the visit's team {list(team)}: whoever inspects records and "
        "publishes (谁检查、谁录入、谁公开, plan §三(六))"
    )
