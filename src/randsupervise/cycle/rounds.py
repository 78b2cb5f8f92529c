"""Applying events to the year's columns, in rounds.

Invariants, each with the rule it comes from:

* Events are applied in rounds (each visit's first event, then its second, ...), each
  round with array operations; the outcome is the one of applying them one by one.
* Each event is checked by the guards and changes the columns by the one effect of its
  action (:mod:`randsupervise.cycle.transitions`), the very functions a single
  :class:`~randsupervise.cycle.record.VisitRecord` uses (architecture principle 8).
* All or nothing: if any event is illegal the error of the first one (in the given
  order) is raised and nothing is changed (architecture principle 6).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from randsupervise.calendar import WorkCalendar
from randsupervise.cycle.deadlines import deadline_of
from randsupervise.cycle.events import _event_error
from randsupervise.cycle.record import DATE_FIELDS
from randsupervise.cycle.state import (
    _ACODE,
    _MUTABLE,
    _NAT,
    _NEXT,
    _RCODE,
    _STATES,
    _Chunk,
    _Columns,
    _Dates,
    _dates,
    _day,
    _days,
    _illegal,
    _objects,
    _Objs,
)
from randsupervise.cycle.transitions import (
    EFFECT_READS,
    Action,
    effects,
    guard_problem,
    order_problem,
)
from randsupervise.errors import UnknownIdError

__all__: list[str] = []


# ----------------------------------------------------------------------- applying events
#: The column of each record field an effect changes (the others share their name).
_COLUMN_OF: Mapping[str, str] = {
    "inspected_on": "inspected",
    "recorded_on": "recorded",
    "published_on": "published",
    "outside_window": "outside",
    "followed_up_on": "followed",
    "republished_on": "republished",
    "cancel_reason": "cancel",
}
_DATE_FIELDS = frozenset(DATE_FIELDS)
#: The fields an effect reads, with their columns.
_READ_COLUMNS = tuple((f, _COLUMN_OF.get(f, f)) for f in EFFECT_READS)


def _write(new: Mapping[str, Any], field: str, i: int, value: Any) -> None:
    if field in _DATE_FIELDS:
        value = _NAT if value is None else value
    elif field == "cancel_reason":
        value = _RCODE[value]
    new[_COLUMN_OF.get(field, field)][i] = value


def event_rounds(idx: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Each event's round: 0 for a visit's first event, 1 for its second, ...; -1 for an
    unknown visit. Rounds are applied in order, each with array operations."""
    m = idx.size
    order = np.argsort(idx, kind="stable")
    s = idx[order]
    first = np.r_[True, s[1:] != s[:-1]]
    grp = np.maximum.accumulate(np.where(first, np.arange(m), 0))
    rank = np.empty(m, dtype=np.int64)
    rank[order] = np.arange(m) - grp
    rank[idx < 0] = -1
    return rank


def apply_events(
    c: _Columns, pairs: list[Any], calendar: WorkCalendar | None
) -> tuple[dict[str, Any], tuple[_Chunk, ...]]:
    """The changed columns and the log after ``(visit id, event)`` pairs, applied in
    rounds; raises the error of the first bad event (in the given order)."""
    m = len(pairs)
    idx = np.fromiter((c.static.index.get(v, -1) for v, _ in pairs), dtype=np.int64, count=m)
    evs = _objects((e for _, e in pairs), m)
    act = np.fromiter((_ACODE[e.action] for e in evs), dtype=np.int64, count=m)
    on = _days([e.on for e in evs])
    errors: list[tuple[int, Exception]] = []
    unknown = np.flatnonzero(idx < 0)
    if unknown.size:
        missing = UnknownIdError([pairs[int(k)][0] for k in unknown], where="year state")
        errors.append((int(unknown[0]), missing))
    rank = event_rounds(idx)
    new = {k: getattr(c, k).copy() for k in _MUTABLE}
    failed = np.zeros(len(c), dtype=bool)
    log: list[_Chunk] = []
    for r in range(int(rank.max()) + 1 if m else 0):
        sel = np.flatnonzero(rank == r)
        sel = sel[~failed[idx[sel]]]
        if not sel.size:
            continue
        bad = _round_errors(c, new, sel, idx[sel], act[sel], on[sel], evs, calendar, errors)
        failed[idx[sel][bad]] = True
        sel = sel[~bad]
        if sel.size:
            _write_round(new, idx[sel], act[sel], on[sel], evs[sel], calendar)
            log.append(_Chunk(action=None, idx=idx[sel], on=on[sel], events=evs[sel]))
    if errors:
        raise min(errors, key=lambda x: x[0])[1]
    return new, tuple(log)


def _round_errors(
    c: _Columns,
    new: Mapping[str, Any],
    sel: npt.NDArray[np.int64],
    vi: npt.NDArray[np.int64],
    a: npt.NDArray[np.int64],
    d: _Dates,
    evs: _Objs,
    calendar: WorkCalendar | None,
    errors: list[tuple[int, Exception]],
) -> npt.NDArray[np.bool_]:
    """Which events of a round break a rule; their errors are added to ``errors``."""
    ids = c.static.ids
    nxt = _NEXT[a, new["state"][vi]]
    prev = new["last"][vi]
    bad: npt.NDArray[np.bool_] = nxt < 0
    for k in np.flatnonzero(bad):
        st = _STATES[int(new["state"][vi[k]])].value
        errors.append((int(sel[k]), _illegal([ids[vi[k]]], [st], evs[sel[k]].action.value)))
    back = ~bad & ~np.isnat(prev) & (d < prev)
    for k in np.flatnonzero(back):
        msg = order_problem(evs[sel[k]], _day(prev[k]))
        errors.append((int(sel[k]), _event_error(ids[vi[k]], "on", msg)))
    bad |= back
    # only the steps with a guard are looked at one by one
    guarded = np.isin(a, [_ACODE[x] for x in _GUARDED])
    for k in np.flatnonzero(~bad & guarded):
        i = int(vi[k])
        e = evs[sel[k]]
        found = guard_problem(e, c.static.visits[i], new["team"][i], new["result"][i], calendar)
        if found is not None:
            errors.append((int(sel[k]), _event_error(ids[i], *found)))
            bad[k] = True
    return bad


def _write_round(
    new: dict[str, Any],
    vi: npt.NDArray[np.int64],
    a: npt.NDArray[np.int64],
    d: _Dates,
    evs: _Objs,
    calendar: WorkCalendar | None,
) -> None:
    """Move a round's visits to their next states and write each event's effect."""
    new["state"][vi] = _NEXT[a, new["state"][vi]]
    new["last"][vi] = d
    deadlines = _dates(vi.size)
    inspected = a == _ACODE[Action.INSPECT]
    if inspected.any() and calendar is not None:
        deadlines[inspected] = deadline_of(calendar, d[inspected])
    # a visit has at most one event per round: its fields are read for the round at once
    # (a date column's ``tolist`` gives each day as a ``date``, NaT as ``None``)
    reads = [
        (f, new[col][vi].tolist() if f in _DATE_FIELDS else new[col][vi])
        for f, col in _READ_COLUMNS
    ]
    days = deadlines.tolist()
    for k, e in enumerate(evs.tolist()):
        i = int(vi[k])
        current = {f: values[k] for f, values in reads}
        for field, value in effects(e, current, days[k]).items():
            _write(new, field, i, value)


_GUARDED = (Action.INSPECT, Action.RECORD, Action.FOLLOW_UP, Action.PUBLISH)
