"""Deadlines of the year's visits, as of a date: timeliness and completion.

Definitions (each with the rule it measures):

* **Deadlines** (plan §三(六); 企业信息公示暂行条例 art. 6): recording **and** publication
  are each due by the 20th working day after the inspection; each step is on time, late
  (done after the deadline) or overdue (not done, the deadline passed by ``as_of``). A
  visit whose batch window ended before ``as_of`` without an inspection is overdue too:
  *not carried out*. A visit is *settled* once published, overdue or not carried out;
  ``share_on_time`` is the share of settled visits recorded and published on time
  (1.0 when none is settled).
* **Timeliness**: the deadline figures above, recording and publication separately, the
  inspections outside their window, the open follow-ups (pending results, 待后续处理, not
  yet replaced by a published final one; overdue when past their correction deadline),
  and one row per visit with a problem.
* **Completion** (plan §三(六)): the share of non-cancelled visits that are published,
  and, as of a date, published on time or late and not carried out.

Invariants: every figure is computed from the year's columns with array operations, in
one pass per measure (architecture principle 7); nothing is stored.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise.cycle import VisitState, YearState
from randsupervise.metrics.table import Table, _share
from randsupervise.model.results import ResultCode

__all__ = ["completion", "timeliness"]

_PUBLISHED = tuple(VisitState).index(VisitState.PUBLISHED)
_CANCELLED = tuple(VisitState).index(VisitState.CANCELLED)
_DRAWN = tuple(VisitState).index(VisitState.DRAWN)
_ASSIGNED = tuple(VisitState).index(VisitState.ASSIGNED)


@attrs.frozen(kw_only=True)
class _Deadlines:
    """Per visit, as of a date: each step on time, late or overdue (see the module notes).

    ``on_time``: published, neither step late; ``overdue``: a step overdue or not carried
    out; ``settled``: published or overdue.
    """

    live: npt.NDArray[np.bool_]
    inspected: npt.NDArray[np.bool_]
    recorded: npt.NDArray[np.bool_]
    published: npt.NDArray[np.bool_]
    record_late: npt.NDArray[np.bool_]
    publish_late: npt.NDArray[np.bool_]
    record_overdue: npt.NDArray[np.bool_]
    publish_overdue: npt.NDArray[np.bool_]
    not_carried_out: npt.NDArray[np.bool_]
    outside_window: npt.NDArray[np.bool_]
    follow_up_open: npt.NDArray[np.bool_]
    follow_up_overdue: npt.NDArray[np.bool_]
    on_time: npt.NDArray[np.bool_]
    overdue: npt.NDArray[np.bool_]
    settled: npt.NDArray[np.bool_]


_IDENTITY = np.frompyfunc(id, 1, 1)


def _pending(results: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
    """Per visit, whether its result holds ``FOLLOW_UP``; Python runs once per distinct
    result object (the records of one batch share one)."""
    if not results.size:
        return np.zeros(0, dtype=bool)
    ident = np.asarray(_IDENTITY(results), dtype=np.int64).reshape(-1)
    _, first, inv = np.unique(ident, return_index=True, return_inverse=True)
    flags = np.asarray(
        [r is not None and ResultCode.FOLLOW_UP in r.codes for r in results[first].tolist()],
        dtype=bool,
    )
    out: npt.NDArray[np.bool_] = flags[inv.reshape(-1)]
    return out


def _deadlines(state: YearState, as_of: _dt.date) -> _Deadlines:
    day = np.datetime64(as_of, "D")
    codes = state.state_codes()
    live = codes != _CANCELLED
    dl = state.column("deadline")
    passed = ~np.isnat(dl) & (day > dl)
    inspected = ~np.isnat(state.column("inspected_on"))
    recorded = ~np.isnat(state.column("recorded_on"))
    published = ~np.isnat(state.column("published_on"))
    waiting = (codes == _DRAWN) | (codes == _ASSIGNED)
    pending = _pending(state.column("result"))
    followed = ~np.isnat(state.column("followed_up_on"))
    republished = ~np.isnat(state.column("republished_on"))
    fu_open = live & published & np.where(followed, ~republished, pending)
    correct_by = state.column("correct_by")
    record_late = state.column("late") & live
    publish_late = state.column("publication_late") & live
    record_overdue = live & inspected & ~recorded & passed
    publish_overdue = live & inspected & ~published & passed
    not_carried_out = live & waiting & (day > state.column("window_end"))
    overdue = record_overdue | publish_overdue | not_carried_out
    return _Deadlines(
        live=live,
        inspected=inspected,
        recorded=recorded,
        published=published,
        record_late=record_late,
        publish_late=publish_late,
        record_overdue=record_overdue,
        publish_overdue=publish_overdue,
        not_carried_out=not_carried_out,
        outside_window=live & (state.column("outside_window") != ""),
        follow_up_open=fu_open,
        follow_up_overdue=fu_open & ~followed & ~np.isnat(correct_by) & (day > correct_by),
        on_time=published & ~record_late & ~publish_late,
        overdue=overdue,
        settled=published | overdue,
    )


def _day(x: np.datetime64) -> str | None:
    return None if np.isnat(x) else str(x)


def _problem_rows(state: YearState, dd: _Deadlines) -> list[dict[str, Any]]:
    """One row per visit with a problem; ``status`` lists what applies."""
    labels = (
        ("not carried out", dd.not_carried_out),
        ("outside window", dd.outside_window),
        ("recorded late", dd.record_late),
        ("record overdue", dd.record_overdue),
        ("published late", dd.publish_late),
        ("publish overdue", dd.publish_overdue),
        ("follow-up overdue", dd.follow_up_overdue),
    )
    flagged = np.zeros(len(state), dtype=bool)
    for _, m in labels:
        flagged |= m
    ids = state.column("visit")
    ends = state.column("window_end")
    days = {k: state.column(k) for k in ("inspected_on", "deadline", "recorded_on")}
    pub_on = state.column("published_on")
    rec_by = state.column("recorded_by")
    pub_by = state.column("published_by")
    return [
        {
            "visit": str(ids[k]),
            "window_end": str(ends[k]),
            **{name: _day(col[k]) for name, col in days.items()},
            "recorded_by": str(rec_by[k]),
            "published_on": _day(pub_on[k]),
            "published_by": str(pub_by[k]),
            "status": ", ".join(name for name, m in labels if m[k]),
        }
        for k in np.flatnonzero(flagged).tolist()
    ]


def _step_counts(dd: _Deadlines, step: str, done: npt.NDArray[np.bool_]) -> dict[str, Any]:
    """One step's figures: on time, late, overdue and the share on time.

    ``step`` is ``"record"`` or ``"publish"``; the share is on time over done plus
    overdue (1.0 when there is neither).
    """
    past = "recorded" if step == "record" else "published"
    late: npt.NDArray[np.bool_] = getattr(dd, f"{step}_late")
    overdue: npt.NDArray[np.bool_] = getattr(dd, f"{step}_overdue")
    on_time = int((done & ~late).sum())
    return {
        f"{past}_on_time": on_time,
        f"{past}_late": int(late.sum()),
        f"{step}_overdue": int(overdue.sum()),
        f"share_{past}_on_time": round(_share(on_time, int(done.sum() + overdue.sum())), 4),
    }


def timeliness(state: YearState, as_of: _dt.date) -> Table:
    """Recording and publication against their deadline, each on its own, as of a date.

    Rows: one per visit with a late or overdue step, not carried out, inspected outside
    its window, or with an overdue follow-up; ``status`` lists what applies.

    Examples:
        >>> from datetime import date
        >>> from randsupervise.cycle.sample import sample_year
        >>> t = timeliness(sample_year().state, date(2025, 2, 28))
        >>> t.summary["recorded_late"] <= t.summary["inspected"]
        True
    """
    dd = _deadlines(state, as_of)
    rec = _step_counts(dd, "record", dd.live & dd.recorded)
    pub = _step_counts(dd, "publish", dd.live & dd.published)
    settled = int(dd.settled.sum())
    on_time = int(dd.on_time.sum())
    summary = {
        "inspected": int((dd.inspected & dd.live).sum()),
        **{k: v for k, v in rec.items() if not k.startswith("share")},
        **{k: v for k, v in pub.items() if not k.startswith("share")},
        "not_carried_out": int(dd.not_carried_out.sum()),
        "overdue": int(dd.overdue.sum()),
        "outside_window": int(dd.outside_window.sum()),
        "follow_ups_open": int(dd.follow_up_open.sum()),
        "follow_ups_overdue": int(dd.follow_up_overdue.sum()),
        "follow_ups_closed": int((dd.live & ~np.isnat(state.column("republished_on"))).sum()),
        "settled": settled,
        "on_time": on_time,
        "share_recorded_on_time": rec["share_recorded_on_time"],
        "share_published_on_time": pub["share_published_on_time"],
        "share_on_time": round(_share(on_time, settled), 4),
    }
    return Table(name=f"timeliness as of {as_of}", rows=_problem_rows(state, dd), summary=summary)


def completion(state: YearState, as_of: _dt.date | None = None) -> Table:
    """Share of non-cancelled visits published; per-state counts; cancellations by reason.

    With ``as_of``: publications on time and late (20 working days after the inspection),
    recordings and publications overdue, visits not carried out (window ended without an
    inspection) and open follow-ups.
    """
    counts = state.counts()
    live = len(state) - counts["cancelled"]
    why = state.column("cancel_reason")
    reasons = Counter(why[why != ""].tolist())
    rows: list[dict[str, Any]] = [{"state": k, "visits": v} for k, v in counts.items()]
    summary: dict[str, Any] = {
        "visits": len(state),
        "published": counts["published"],
        "share_published": round(_share(counts["published"], live), 4),
        "inspected_not_published": counts["inspected"] + counts["recorded"],
    }
    if as_of is not None:
        dd = _deadlines(state, as_of)
        on_time = int((dd.published & dd.live & ~dd.publish_late).sum())
        summary.update(
            published_on_time=on_time,
            published_late=int(dd.publish_late.sum()),
            share_published_on_time=round(_share(on_time, live), 4),
            record_overdue=int(dd.record_overdue.sum()),
            publish_overdue=int(dd.publish_overdue.sum()),
            not_carried_out=int(dd.not_carried_out.sum()),
            follow_ups_open=int(dd.follow_up_open.sum()),
        )
    summary.update({f"cancelled_{k}": v for k, v in sorted(reasons.items())})
    return Table(name="completion", rows=rows, summary=summary)
