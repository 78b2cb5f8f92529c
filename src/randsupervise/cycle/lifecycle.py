"""The life of a visit: drawn → assigned → inspected → recorded → published, or cancelled.

Invariants, each with the rule it comes from:

* The states and the moves between them are the table :data:`TRANSITIONS` (rules as
  data); anything not in it raises :class:`~randsupervise.errors.IllegalTransition`.
  The provincial platforms show three task states, to draw → drawn / in progress → done
  (BRIEF); :attr:`VisitState.platform_state` maps ours onto theirs.
* **Whoever inspects records and publishes** (谁检查、谁录入、谁公开), and results are
  recorded **within 20 working days** of the inspection's completion (seed §三(六)):
  the deadline is ``calendar.deadline(inspected_on, 20)`` (the completion day not
  counted); a recording after it is flagged ``late``.
* **Inspected but not published is not complete** (seed §三(六):
  "已实施检查但未进行公示的，视为未完成抽查检查"): only :attr:`VisitState.PUBLISHED` is
  complete.
* A result is an :class:`~randsupervise.model.results.InspectionResult`, a set of standard
  codes. The publication payload holds the inspection result only; later penalties are
  published under their own rules (seed §三(六)), so the payload has no field for them
  and leaves the free-text note out.
* A visit is cancelled **before** inspection when its target is gone (deregistered,
  revoked, moved out, unreachable); a target found unreachable **at** the visit is a
  result (``UNREACHABLE``) that is recorded and published like any other. Replacing an
  inspector (补抽) keeps the visit assigned with its new team, and is logged.
* Events carry their own dates (there is no clock); dates never go backwards.
  Values are immutable: every transition returns a new record.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeAlias

import attrs

from randsupervise.calendar import WorkCalendar
from randsupervise.cycle._display import html_table, text_table
from randsupervise.cycle.run import PlanRun
from randsupervise.cycle.visits import Visit
from randsupervise.errors import IllegalTransition, Problem, ValidationError
from randsupervise.model.results import InspectionResult

__all__ = [
    "RECORDING_WORKDAYS",
    "TRANSITIONS",
    "Action",
    "Assign",
    "Cancel",
    "CancelReason",
    "Event",
    "Inspect",
    "Publish",
    "Record",
    "ReplaceTeam",
    "Transition",
    "VisitRecord",
    "VisitState",
    "YearState",
]

#: Working days allowed between inspection and recording (seed §三(六)).
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
        """The provincial platform's state: in progress, done or cancelled (BRIEF)."""
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
    CANCEL = "cancel"


class CancelReason(str, enum.Enum):
    """Why a visit was cancelled before inspection (the target is gone)."""

    DEREGISTERED = "deregistered"
    REVOKED = "revoked"
    MOVED_OUT = "moved_out"
    UNREACHABLE = "unreachable"


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
        rule="双随机: inspectors drawn for the target (seed §三(六))",
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
        rule="the check is carried out (seed §三(六))",
    ),
    Transition(
        action=_A.RECORD,
        source=_S.INSPECTED,
        target=_S.RECORDED,
        rule="谁检查、谁录入: within 20 working days (seed §三(六))",
    ),
    Transition(
        action=_A.PUBLISH,
        source=_S.RECORDED,
        target=_S.PUBLISHED,
        rule="谁公开: published; only now complete (seed §三(六); platform 'done')",
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
    return tuple(v)


@attrs.frozen(kw_only=True)
class Assign:
    """Event: the team is drawn."""

    on: _dt.date
    team: tuple[str, ...] = attrs.field(converter=_team)
    action: Action = attrs.field(default=Action.ASSIGN, init=False)


@attrs.frozen(kw_only=True)
class ReplaceTeam:
    """Event: the team changes because an inspector cannot serve (补抽)."""

    on: _dt.date
    team: tuple[str, ...] = attrs.field(converter=_team)
    reason: str = ""
    action: Action = attrs.field(default=Action.REPLACE_TEAM, init=False)


@attrs.frozen(kw_only=True)
class Inspect:
    """Event: the check was completed on ``on``."""

    on: _dt.date
    action: Action = attrs.field(default=Action.INSPECT, init=False)


@attrs.frozen(kw_only=True)
class Record:
    """Event: the result was recorded on the platform."""

    on: _dt.date
    result: InspectionResult
    action: Action = attrs.field(default=Action.RECORD, init=False)


@attrs.frozen(kw_only=True)
class Publish:
    """Event: the result was published."""

    on: _dt.date
    action: Action = attrs.field(default=Action.PUBLISH, init=False)


@attrs.frozen(kw_only=True)
class Cancel:
    """Event: the visit is cancelled before inspection."""

    on: _dt.date
    reason: CancelReason = attrs.field(converter=CancelReason)
    note: str = ""
    action: Action = attrs.field(default=Action.CANCEL, init=False)


Event: TypeAlias = Assign | ReplaceTeam | Inspect | Record | Publish | Cancel


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
            ValidationError: the event is dated before the previous one, or an
                inspection comes without a calendar.
        """
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
            changes["inspected_on"] = event.on
            changes["deadline"] = calendar.deadline(event.on, RECORDING_WORKDAYS)
        elif isinstance(event, Record):
            if not isinstance(event.result, InspectionResult):
                raise ValidationError(
                    [Problem(id=self.id, field="result", message="not an InspectionResult")],
                    what="visit event",
                )
            changes["recorded_on"] = event.on
            changes["result"] = event.result
        elif isinstance(event, Publish):
            changes["published_on"] = event.on
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

    def overdue(self, as_of: _dt.date) -> bool:
        """Inspected, not yet recorded, and the deadline has passed by ``as_of``."""
        return (
            self.state is VisitState.INSPECTED
            and self.deadline is not None
            and as_of > self.deadline
        )

    @property
    def complete(self) -> bool:
        """Published: the only complete state (seed §三(六))."""
        return self.state is VisitState.PUBLISHED

    def publication(self) -> dict[str, Any]:
        """The publication payload: the inspection result only (seed §三(六)).

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
            "result": ""
            if self.result is None
            else ",".join(c.value for c in self.result.ordered_codes),
            "published_on": iso(self.published_on),
            "cancel_reason": None if self.cancel_reason is None else self.cancel_reason.value,
        }


@attrs.frozen(kw_only=True)
class YearState:
    """Every visit of the year with its record; immutable, updated in batches.

    Build it with :meth:`start` (all visits drawn and assigned with the run's teams),
    then :meth:`apply` events.
    """

    year: int
    plan_digest: str
    records: Mapping[str, VisitRecord] = attrs.field(repr=False)

    @classmethod
    def start(cls, run: PlanRun, on: _dt.date) -> YearState:
        """All visits of ``run``, drawn and assigned on ``on`` with the run's teams."""
        recs = {}
        for v in run.visits:
            r = VisitRecord(visit=v)
            team = run.teams.get(v.id, ())
            recs[v.id] = r.apply(Assign(on=on, team=team))
        return cls(year=run.year, plan_digest=run.digest, records=recs)

    def __getitem__(self, visit_id: str) -> VisitRecord:
        return self.records[visit_id]

    def __iter__(self) -> Iterator[VisitRecord]:
        return iter(self.records.values())

    def __len__(self) -> int:
        return len(self.records)

    def apply(
        self, events: Iterable[tuple[str, Event]], calendar: WorkCalendar | None = None
    ) -> YearState:
        """A new state with ``(visit id, event)`` pairs applied in order.

        All or nothing: if any event is illegal the error is raised and ``self`` is
        unchanged (it is immutable anyway).
        """
        recs = dict(self.records)
        for vid, ev in events:
            if vid not in recs:
                raise KeyError(vid)
            recs[vid] = recs[vid].apply(ev, calendar)
        return attrs.evolve(self, records=recs)

    def counts(self) -> dict[str, int]:
        """Number of visits per state (every state listed)."""
        out = {s.value: 0 for s in VisitState}
        for r in self.records.values():
            out[r.state.value] += 1
        return out

    def to_records(self) -> list[dict[str, Any]]:
        """One row per visit, for ``pandas.DataFrame(state.to_records())``."""
        return [r.to_record() for r in self.records.values()]

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
        rows = self.to_records()
        keys = ["visit", "state", "inspected_on", "deadline", "recorded_on", "late"]
        return (
            repr(self)
            + "\n"
            + text_table({k: [r[k] for r in rows] for k in keys}, max_rows=max_rows, indent="  ")
        )
