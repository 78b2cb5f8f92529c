"""The inspectors' year: workload and the duty ledger.

Definitions (each with the rule it measures):

* **Workload**: visits per inspector among the officers who could serve (certified,
  counted toward the quota, available, of a department taking part in the year's
  visits), with minimum, median, maximum and Gini coefficient (0 = perfectly even).
* **Duty ledger** (尽职照单免责、失职照单问责, plan §四(二)): per inspector, visits assigned
  (current team, not cancelled), split into done on time and done late (published; late
  when either step was late), recorded but unpublished (not complete: plan §三(六)
  counts an inspection done but not published as not done), and open (not recorded);
  ``on_time + late + unpublished + open == assigned``. Then each step's failures,
  attributed to whoever held the step: ``record_late`` to the officer who recorded
  (the team when none is named), ``publish_late`` to the officer who published,
  ``record_overdue`` and ``not_carried_out`` to the team, ``publish_overdue`` to the
  officer who recorded (the team before recording); inspections outside their window;
  and teams they were replaced from. Deadlines are those of
  :mod:`randsupervise.metrics.deadlines`.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from randsupervise.cycle import YearState
from randsupervise.metrics.deadlines import _CANCELLED, _deadlines
from randsupervise.metrics.table import Table
from randsupervise.model.inspectors import InspectorPool

__all__ = ["duty_ledger", "gini", "workload"]


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative values (0 even, towards 1 concentrated).

    Examples:
        >>> gini([1, 1, 1, 1]), gini([0, 0, 0, 4])
        (0.0, 0.75)
    """
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = x.size
    if n == 0 or x.sum() == 0:
        return 0.0
    idx = np.arange(1, n + 1)
    return float((2 * (idx * x).sum()) / (n * x.sum()) - (n + 1) / n)


def workload(state: YearState, pool: InspectorPool) -> Table:
    """Visits per officer who could serve (with the department); min, median, max, Gini."""
    live = state.state_codes() != _CANCELLED
    load = Counter(chain.from_iterable(state.column("team")[live].tolist()))
    depts = set(chain.from_iterable(v.departments for v in state.visits))
    officers = [
        p.id for p in pool if p.counts_toward_quota and p.available and p.department in depts
    ]
    officers += sorted(set(load) - set(officers))
    values = [load[i] for i in officers]
    dept = {p.id: p.department for p in pool}
    rows: list[dict[str, Any]] = [
        {"inspector": i, "department": dept.get(i, ""), "visits": load[i]} for i in officers
    ]
    summary: dict[str, Any] = {
        "inspectors": len(officers),
        "min": min(values, default=0),
        "median": float(np.median(values)) if values else 0.0,
        "max": max(values, default=0),
        "gini": round(gini(values), 4),
    }
    return Table(name="inspector workload", rows=rows, summary=summary)


def duty_ledger(state: YearState, pool: InspectorPool, as_of: _dt.date) -> Table:
    """Per inspector: what was assigned, done on time or late, and each step's failures.

    Done means published (plan §三(六)); ``on_time`` when both recording and publication
    met the 20-working-day deadline, ``late`` otherwise. Each step's lateness or
    overdue is attributed to whoever held the step (see the module notes).
    """
    keys = (
        "assigned",
        "on_time",
        "late",
        "unpublished",
        "open",
        "record_late",
        "publish_late",
        "record_overdue",
        "publish_overdue",
        "not_carried_out",
        "outside_window",
        "cancelled",
        "replaced_out",
    )
    led: dict[str, dict[str, int]] = {p.id: dict.fromkeys(keys, 0) for p in pool}
    dd = _deadlines(state, as_of)
    team = state.column("team")
    n = team.size

    def held(by: str) -> npt.NDArray[np.object_]:
        # the named officer, or the whole team when no one is named
        named = state.column(by)
        out = np.empty(n, dtype=object)
        out[:] = [(p,) if p else t for p, t in zip(named.tolist(), team.tolist(), strict=True)]
        return out

    recorder, publisher = held("recorded_by"), held("published_by")
    groups = {
        "replaced_out": (state.column("replaced"), np.ones(n, dtype=bool)),
        "cancelled": (team, ~dd.live),
        "assigned": (team, dd.live),
        "late": (team, dd.published & ~dd.on_time),
        "on_time": (team, dd.on_time),
        "unpublished": (team, dd.live & dd.recorded & ~dd.published),
        "open": (team, dd.live & ~dd.recorded),
        "record_late": (recorder, dd.record_late),
        "publish_late": (publisher, dd.publish_late),
        "record_overdue": (team, dd.record_overdue),
        "publish_overdue": (np.where(dd.recorded, recorder, team), dd.publish_overdue),
        "not_carried_out": (team, dd.not_carried_out),
        "outside_window": (team, dd.outside_window),
    }
    for key, (col, mask) in groups.items():
        for p, k in Counter(chain.from_iterable(col[mask].tolist())).items():
            led.setdefault(p, dict.fromkeys(keys, 0))[key] += k
    rows: list[dict[str, Any]] = [
        {"inspector": i, **v} for i, v in sorted(led.items()) if any(v.values())
    ]
    total = {k: sum(r[k] for r in rows) for k in keys}
    return Table(name=f"duty ledger as of {as_of}", rows=rows, summary=total)
