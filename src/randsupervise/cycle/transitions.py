"""The state machine of a visit: its states, the moves between them, what each move
checks and what it changes. Everything that affects the state machine lives here.

Invariants, each with the rule it comes from:

* The states and the moves between them are the table :data:`TRANSITIONS` (rules as
  data); anything not in it raises :class:`~randsupervise.errors.IllegalTransition`.
  The provincial platforms show three task states, to draw → drawn / in progress → done
  (BRIEF); :attr:`VisitState.platform_state` maps ours onto theirs.
* Each action has **one** effect, the table :data:`_EFFECTS` beside the transitions: the
  fields of the visit it changes. :meth:`VisitRecord.apply
  <randsupervise.cycle.record.VisitRecord.apply>` and :meth:`YearState.apply
  <randsupervise.cycle.lifecycle.YearState.apply>` both call :func:`effects`, so the
  single-visit and the columnar paths cannot drift (architecture principle 8).
* **Whoever inspects records and publishes** (谁检查、谁录入、谁公开, plan §三(六)): a
  recording, follow-up or publication names an acting officer on the visit's team
  (:func:`step_problem`).
* A follow-up closes a published result that is pending (``FOLLOW_UP``), and its own
  result is final (plan §三(六)).
* Dates never go backwards (:func:`order_problem`); there is no clock.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from randsupervise.assign.changes import CancelReason
from randsupervise.calendar import WorkCalendar
from randsupervise.cycle.deadlines import window_problem
from randsupervise.cycle.visits import Visit
from randsupervise.model.results import InspectionResult, ResultCode

__all__ = [
    "TRANSITIONS",
    "Action",
    "CancelReason",
    "Transition",
    "VisitState",
]


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


@attrs.frozen(kw_only=True)
class Transition:
    """One row of the transition table."""

    action: Action
    source: VisitState
    target: VisitState
    rule: str


_S, _A = VisitState, Action
_GONE = "target gone before inspection (registration status codes, BRIEF)"
# (action, from, to, the rule it comes from): one row per move
_ROWS = (
    (_A.ASSIGN, _S.DRAWN, _S.ASSIGNED, "双随机: inspectors drawn for the target (plan §三(六))"),
    (
        _A.REPLACE_TEAM,
        _S.ASSIGNED,
        _S.ASSIGNED,
        "补抽: an inspector who cannot serve is replaced; logged (BRIEF)",
    ),
    (_A.INSPECT, _S.ASSIGNED, _S.INSPECTED, "the check is carried out (plan §三(六))"),
    (_A.RECORD, _S.INSPECTED, _S.RECORDED, "谁检查、谁录入: within 20 working days (plan §三(六))"),
    (
        _A.PUBLISH,
        _S.RECORDED,
        _S.PUBLISHED,
        "谁公开: published; only now complete (plan §三(六); platform 'done')",
    ),
    (
        _A.FOLLOW_UP,
        _S.PUBLISHED,
        _S.RECORDED,
        "待后续处理: the final result replaces the pending one and is published again "
        "(plan §三(六))",
    ),
    (_A.CANCEL, _S.DRAWN, _S.CANCELLED, _GONE),
    (_A.CANCEL, _S.ASSIGNED, _S.CANCELLED, _GONE),
)
#: The transition table (rules as data). Anything else is illegal.
TRANSITIONS: tuple[Transition, ...] = tuple(
    Transition(action=a, source=s, target=t, rule=r) for a, s, t, r in _ROWS
)
_TABLE: Mapping[tuple[Action, VisitState], VisitState] = {
    (t.action, t.source): t.target for t in TRANSITIONS
}


# ------------------------------------------------------------------------------ guards
def order_problem(event: Any, last: _dt.date | None) -> str:
    """Why ``event`` may not follow an event dated ``last`` (empty when it may)."""
    if last is None or event.on >= last:
        return ""
    return dated_before(event.action, event.on, last)


def dated_before(action: Action, on: object, last: object) -> str:
    """The one message for a step dated before the visit's previous event."""
    return f"{action.value} dated {on}, before the previous event ({last})"


def guard_problem(
    event: Any,
    visit: Visit,
    team: tuple[str, ...],
    result: InspectionResult | None,
    calendar: WorkCalendar | None,
) -> tuple[str, str] | None:
    """(field, message) when ``event`` breaks a rule of its step, else None.

    The move itself is legal (checked against :data:`TRANSITIONS` first); this checks
    what the step needs: the calendar and the window of an inspection, the acting
    officer and the pending result of a recording, follow-up or publication.
    """
    action = event.action
    if action is Action.INSPECT:
        if calendar is None:
            return "calendar", "an inspection needs the calendar for its deadline"
        msg = window_problem(visit, event.on, event.outside_window)
        return ("on", msg) if msg else None
    if action in (Action.RECORD, Action.FOLLOW_UP) and not isinstance(
        event.result, InspectionResult
    ):
        return "result", "not an InspectionResult"
    if action in (Action.RECORD, Action.FOLLOW_UP, Action.PUBLISH):
        return step_problem(event, team, result)
    return None


def step_problem(
    event: Any,
    team: tuple[str, ...],
    result: InspectionResult | None,
) -> tuple[str, str] | None:
    """(field, message) when a recording, follow-up or publication breaks a rule."""
    msg = by_problem(event.by, team)
    if msg:
        return "by", msg
    if event.action is Action.FOLLOW_UP:
        if result is None or ResultCode.FOLLOW_UP not in result.codes:
            return "result", "a follow-up closes a published result that is pending (FOLLOW_UP)"
        if ResultCode.FOLLOW_UP in event.result.codes:
            return "result", "the follow-up's result must be final (no FOLLOW_UP)"
    return None


def by_problem(by: str, team: tuple[str, ...]) -> str:
    """Why ``by`` may not act for a visit of ``team`` (empty when it may)."""
    if not by or by in team:
        return ""
    return (
        f"{by!r} is not on the visit's team {list(team)}: whoever inspects records and "
        "publishes (谁检查、谁录入、谁公开, plan §三(六))"
    )


# ----------------------------------------------------------------------------- effects
# Each effect reads the visit's current fields (``VisitRecord`` field names) and returns
# the fields it changes. ``deadline`` is the inspection's deadline, computed by the caller
# with ``calendar.deadline`` (one call for a whole batch on the columnar path).
_Effect = Callable[[Any, Mapping[str, Any], Any], dict[str, Any]]


def _assign(e: Any, cur: Mapping[str, Any], deadline: _dt.date | None) -> dict[str, Any]:
    return {"team": tuple(sorted(e.team))}


def _replace_team(e: Any, cur: Mapping[str, Any], deadline: _dt.date | None) -> dict[str, Any]:
    new = tuple(sorted(e.team))
    return {"team": new, "replaced": (*cur["replaced"], *sorted(set(cur["team"]) - set(new)))}


def _inspect(e: Any, cur: Mapping[str, Any], deadline: _dt.date | None) -> dict[str, Any]:
    return {"inspected_on": e.on, "deadline": deadline, "outside_window": e.outside_window}


def _record(e: Any, cur: Mapping[str, Any], deadline: _dt.date | None) -> dict[str, Any]:
    return {
        "recorded_on": e.on,
        "result": e.result,
        "recorded_by": e.by,
        "correct_by": e.correct_by,
    }


def _follow_up(e: Any, cur: Mapping[str, Any], deadline: _dt.date | None) -> dict[str, Any]:
    # the final result replaces the pending one, which is kept (plan §三(六))
    return {
        "pending": cur["result"],
        "result": e.result,
        "followed_up_on": e.on,
        "recorded_by": e.by or cur["recorded_by"],
    }


def _publish(e: Any, cur: Mapping[str, Any], deadline: _dt.date | None) -> dict[str, Any]:
    # a result replaced by a follow-up is published again; the first date is kept
    if cur["published_on"] is None:
        return {"published_on": e.on, "published_by": e.by}
    return {"republished_on": e.on}


def _cancel(e: Any, cur: Mapping[str, Any], deadline: _dt.date | None) -> dict[str, Any]:
    return {"cancel_reason": e.reason}


#: The effect of each action (rules as data, beside :data:`TRANSITIONS`).
_EFFECTS: Mapping[Action, _Effect] = {
    Action.ASSIGN: _assign,
    Action.REPLACE_TEAM: _replace_team,
    Action.INSPECT: _inspect,
    Action.RECORD: _record,
    Action.FOLLOW_UP: _follow_up,
    Action.PUBLISH: _publish,
    Action.CANCEL: _cancel,
}

#: The fields an effect reads.
EFFECT_READS = ("team", "replaced", "result", "recorded_by", "published_on")


def effects(
    event: Any, current: Mapping[str, Any], deadline: _dt.date | None = None
) -> dict[str, Any]:
    """The fields of a visit that ``event`` changes, from its ``current`` fields
    (:data:`EFFECT_READS`); the state and the event log are the caller's."""
    return _EFFECTS[event.action](event, current, deadline)
