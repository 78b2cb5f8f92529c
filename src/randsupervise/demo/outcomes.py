"""The demo year's simulated inspections: every outcome a pure function of the seed.

Invariants:

* Every outcome (inspection day, result, recording delay, publication, cancellations,
  the officer replaced) comes from the ticket function under streams
  ``"demo/outcomes/..."``; two runs are identical.
* Deadlines are ``calendar.deadline(inspected_on, 20)`` on the real calendar, for
  recording and for publication alike; a few recordings are late, a few publications
  are late although the recording was on time, a few visits stay unrecorded or
  unpublished, one is never carried out in its window, one is inspected after its window
  with a reason, so the report shows every case. The officer who records and publishes is
  the first member of the team (谁检查、谁录入、谁公开).
* Firms that cannot be contacted at their registered address get that result, published
  (they stay drawable); pending follow-ups (待后续处理) get a correction deadline, and most
  are closed later with a final result that is published again.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence

import numpy as np

from randsupervise.calendar import WorkCalendar
from randsupervise.cycle import (
    Cancel,
    CancelReason,
    Event,
    FollowUp,
    Inspect,
    PlanRun,
    Publish,
    Record,
    Visit,
    YearState,
)
from randsupervise.draw import Seed, tickets_for_ids, uniforms
from randsupervise.model.results import InspectionResult, ResultCode

__all__ = ["simulate_year"]


def _u(seed: Seed, stream: str, ids: Sequence[str]) -> list[float]:
    out: list[float] = uniforms(tickets_for_ids(list(ids), seed, stream)).tolist()
    return out


def simulate_year(run: PlanRun, calendar: WorkCalendar, drawn_on: _dt.date) -> YearState:
    """Simulated inspections, results, recording and publication, all from tickets.

    补抽: on 1 July one officer (of the visit with the smallest replacement ticket) goes
    on long leave; one call (:meth:`YearState.replace_inspectors`) restaffs every team
    still to inspect, in the assignment and in the year together.
    """
    seed = run.seed
    ids = [v.id for v in run.visits]
    draws = zip(
        *(
            _u(seed, f"demo/outcomes/{k}", ids)
            for k in ("day", "result", "record", "publish", "fate")
        ),
        strict=True,
    )
    leave_on = _dt.date(run.year, 7, 1)
    early: list[tuple[str, Event]] = []
    late: list[tuple[Visit, tuple[float, ...]]] = []
    for v, u in zip(run.visits, draws, strict=True):
        events = _visit_events(v, run.teams[v.id], calendar, u)
        if events and events[0].on < leave_on:  # under way before the leave
            early += [(v.id, e) for e in events]
        else:
            late.append((v, u))
    state = YearState.start(run, drawn_on).apply(early, calendar)
    if ids:
        gone = run.teams[ids[int(np.argmin(_u(seed, "demo/outcomes/replacement", ids)))]][0]
        _, state = state.replace_inspectors(
            run.assignment, [gone], on=leave_on, reason=f"{gone} on leave"
        )
    rest = [(v.id, e) for v, u in late for e in _visit_events(v, state[v.id].team, calendar, u)]
    return state.apply(rest, calendar)


def _visit_events(
    v: Visit, team: Sequence[str], calendar: WorkCalendar, u: Sequence[float]
) -> list[Event]:
    """One visit's events, from its tickets ``u`` (day, result, record, publish, fate)."""
    u_day, u_res, u_rec, u_pub, u_fate = u
    if u_fate < 0.01:  # the register was out of date: the target is gone
        return [Cancel(on=v.start, reason=CancelReason.DEREGISTERED, note="found before the visit")]
    if u_fate < 0.02:  # never carried out in its window: overdue, not carried out
        return []
    days = np.arange(
        np.datetime64(v.start, "D"), np.datetime64(v.end, "D") + np.timedelta64(1, "D")
    )
    work = days[calendar.is_workday(days)]
    on = work[min(int(u_day * work.size), work.size - 1)].item()
    why = ""
    if u_fate < 0.025:  # inspected after its window, with the reason on record
        on = calendar.add_workdays(v.end, 3)
        why = "venue closed for renovation until after the batch window"
    officer = sorted(team)[0]
    events: list[Event] = [Inspect(on=on, outside_window=why)]
    if u_rec > 0.985:  # never recorded: stays open, overdue
        return events
    result = _result(u_res)
    pending = ResultCode.FOLLOW_UP in result.codes
    correct_by = calendar.add_workdays(on, 30) if pending else None
    rec_on = _record_day(calendar, on, u_rec)
    events.append(Record(on=rec_on, result=result, by=officer, correct_by=correct_by))
    if u_pub > 0.97:  # recorded but not published: not complete (§三(六))
        return events
    if u_pub > 0.93:  # recorded in time, published after the deadline
        after = max(rec_on, calendar.deadline(on))
        pub_on = calendar.add_workdays(after, 1 + int((u_pub - 0.93) * 100))
    else:
        pub_on = calendar.add_workdays(rec_on, 1 + int(u_pub * 4))
    events.append(Publish(on=pub_on, by=officer))
    if pending and correct_by is not None and u_fate > 0.3:  # most follow-ups close
        closed_on = max(pub_on, calendar.add_workdays(correct_by, 2))
        final = InspectionResult(codes={"CORRECTED"})
        events.append(FollowUp(on=closed_on, result=final, by=officer))
        events.append(Publish(on=calendar.add_workdays(closed_on, 1), by=officer))
    return events


def _record_day(calendar: WorkCalendar, inspected: _dt.date, u: float) -> _dt.date:
    # most within 2-18 working days; about 6% late (21-26 working days)
    n = 2 + int(u * 17) if u < 0.92 else 21 + int((u - 0.92) * 80)
    out: _dt.date = calendar.add_workdays(inspected, n)
    return out


_RESULTS = (
    (0.78, {"NO_PROBLEM"}),
    (0.86, {"CORRECTED"}),
    (0.91, {"FOLLOW_UP"}),
    (0.94, {"CORRECTED", "NOT_DISCLOSED"}),
    (0.97, {"ACTIVITY_NOT_FOUND"}),
    (0.99, {"UNREACHABLE"}),  # cannot be contacted at the address: a result, published
    (1.01, {"NON_COOPERATION"}),
)


def _result(u: float) -> InspectionResult:
    for bound, codes in _RESULTS:
        if u < bound:
            return InspectionResult(codes=codes)
    raise AssertionError("unreachable")  # pragma: no cover
