"""One visit and everything that happened to it.

Invariants, each with the rule it comes from:

* A record moves only by :meth:`VisitRecord.apply`, which checks the move against the
  transition table and changes the fields by the one effect of its action
  (:mod:`randsupervise.cycle.transitions`; architecture principle 8).
* **Inspected but not published is not complete** (plan §三(六):
  "已实施检查但未进行公示的，视为未完成抽查检查"): only
  :attr:`~randsupervise.cycle.transitions.VisitState.PUBLISHED` is complete.
* The publication payload holds the inspection result only; later penalties are
  published under their own rules (plan §三(六)), so the payload has no field for them
  and leaves the free-text note out.
* Replacing an inspector (补抽) keeps the visit assigned with its new team; the
  replaced officers are logged (``replaced``).
* Values are immutable: every transition returns a new record, and a call that fails
  leaves the record and its arguments exactly as they were.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import attrs

from randsupervise._core.validation import (
    check_date,
    date_problems,
    describe,
    is_text,
    text_problems,
)
from randsupervise.calendar import WorkCalendar
from randsupervise.cycle.deadlines import deadline_of, done_late
from randsupervise.cycle.events import _EVENT_TYPES, Event, _check_apply_args, _event_error
from randsupervise.cycle.transitions import (
    _TABLE,
    EFFECT_READS,
    Action,
    CancelReason,
    VisitState,
    effects,
    guard_problem,
    order_problem,
)
from randsupervise.cycle.visits import Visit
from randsupervise.errors import IllegalTransition, Problem, ValidationError
from randsupervise.model.results import InspectionResult, ResultCode

__all__ = ["VisitRecord"]

#: The fields of a record that hold a date (or None).
DATE_FIELDS = (
    "inspected_on",
    "deadline",
    "recorded_on",
    "published_on",
    "correct_by",
    "followed_up_on",
    "republished_on",
)


@attrs.frozen(kw_only=True)
class VisitRecord:
    """A visit and everything that happened to it, as of its last event.

    Examples:
        >>> from datetime import date
        >>> from randsupervise.calendar import china
        >>> from randsupervise.cycle.visits import Visit
        >>> from randsupervise.cycle.events import Assign, Inspect, Record
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
        for field in DATE_FIELDS:
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
        backwards = order_problem(event, self.last_date)
        if backwards:
            raise _event_error(self.id, "on", backwards)
        found = guard_problem(event, self.visit, self.team, self.result, calendar)
        if found is not None:
            raise _event_error(self.id, *found)
        deadline = None
        if event.action is Action.INSPECT and calendar is not None:
            deadline = deadline_of(calendar, event.on)
        current = {f: getattr(self, f) for f in EFFECT_READS}
        return attrs.evolve(
            self,
            state=target,
            events=(*self.events, event),
            **effects(event, current, deadline),
        )

    @property
    def late(self) -> bool:
        """Recorded after the deadline."""
        return done_late(self.recorded_on, self.deadline)

    @property
    def publication_late(self) -> bool:
        """Published after the deadline (the same 20 working days as recording)."""
        return done_late(self.published_on, self.deadline)

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
