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

from randsupervise.assign import replace
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
    ReplaceTeam,
    YearState,
)
from randsupervise.draw import Seed, tickets_for_ids, uniforms
from randsupervise.model.results import InspectionResult, ResultCode

__all__ = ["simulate_year"]


def _u(seed: Seed, stream: str, ids: Sequence[str]) -> list[float]:
    out: list[float] = uniforms(tickets_for_ids(list(ids), seed, stream)).tolist()
    return out


def simulate_year(run: PlanRun, calendar: WorkCalendar, drawn_on: _dt.date) -> YearState:
    """Simulated inspections, results, recording and publication, all from tickets."""
    seed = run.seed
    state = YearState.start(run, drawn_on)
    ids = [v.id for v in run.visits]
    u_day, u_res, u_rec, u_pub, u_fate = (
        _u(seed, f"demo/outcomes/{k}", ids) for k in ("day", "result", "record", "publish", "fate")
    )
    events: list[tuple[str, Event]] = []
    # 补抽: on 1 July one officer (of the visit with the smallest replacement ticket) goes
    # on long leave; the assignment engine replaces them in every team still to inspect
    u_rep = _u(seed, "demo/outcomes/replacement", ids)
    leave_on = _dt.date(run.year, 7, 1)
    changed: dict[str, tuple[str, ...]] = {}
    gone = ""
    if ids:
        gone = run.teams[ids[int(np.argmin(u_rep))]][0]
        after = replace(run.assignment, [gone])
        changed = {
            t.visit: tuple(sorted(t.members))
            for t in after.teams
            if tuple(sorted(t.members)) != run.teams[t.visit]
        }
    for k, v in enumerate(run.visits):
        days = np.arange(
            np.datetime64(v.start, "D"), np.datetime64(v.end, "D") + np.timedelta64(1, "D")
        )
        work = days[calendar.is_workday(days)]
        if u_fate[k] < 0.01:  # the register was out of date: the target is gone
            reason = CancelReason.DEREGISTERED
            events.append((v.id, Cancel(on=v.start, reason=reason, note="found before the visit")))
            continue
        if u_fate[k] < 0.02:  # never carried out in its window: overdue, not carried out
            continue
        on = work[min(int(u_day[k] * work.size), work.size - 1)].item()
        why = ""
        if u_fate[k] < 0.025:  # inspected after its window, with the reason on record
            on = calendar.add_workdays(v.end, 3)
            why = "venue closed for renovation until after the batch window"
        team = run.teams[v.id]
        if v.id in changed and on >= leave_on:
            events.append(
                (v.id, ReplaceTeam(on=leave_on, team=changed[v.id], reason=f"{gone} on leave"))
            )
            team = changed[v.id]
        officer = sorted(team)[0]
        events.append((v.id, Inspect(on=on, outside_window=why)))
        result = _result(u_res[k])
        pending = ResultCode.FOLLOW_UP in result.codes
        correct_by = calendar.add_workdays(on, 30) if pending else None
        rec_on = _record_day(calendar, on, u_rec[k])
        events.append((v.id, Record(on=rec_on, result=result, by=officer, correct_by=correct_by)))
        if u_rec[k] > 0.985:  # never recorded: stays open, overdue
            events.pop()
            continue
        if u_pub[k] > 0.97:  # recorded but not published: not complete (§三(六))
            continue
        if u_pub[k] > 0.93:  # recorded in time, published after the deadline
            after = max(rec_on, calendar.deadline(on))
            pub_on = calendar.add_workdays(after, 1 + int((u_pub[k] - 0.93) * 100))
        else:
            pub_on = calendar.add_workdays(rec_on, 1 + int(u_pub[k] * 4))
        events.append((v.id, Publish(on=pub_on, by=officer)))
        if pending and correct_by is not None and u_fate[k] > 0.3:  # most follow-ups close
            closed_on = max(pub_on, calendar.add_workdays(correct_by, 2))
            final = InspectionResult(codes={"CORRECTED"})
            events.append((v.id, FollowUp(on=closed_on, result=final, by=officer)))
            events.append((v.id, Publish(on=calendar.add_workdays(closed_on, 1), by=officer)))
    return state.apply(events, calendar)


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
