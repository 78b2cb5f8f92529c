"""Visits: one trip to one target for many items (进一次门、查多项事, seed §三(五)).

**The merge rule**, exactly. Every draw of the year yields *hits*: (target, task, batch
window). Hits are merged per target, greedily in window order:

1. The hits of one target are sorted by window start, then window end, then the task's
   position in the plan.
2. The first hit opens a visit. Each next hit joins the open visit when (a) its window
   intersects the visit's current window (both ends included) and (b) it shares no item
   with the visit; the visit's window becomes the intersection, its items and
   departments the unions. Otherwise the open visit is closed and the hit opens a new one.
3. A visit's lead department is the lead of its first hit's task; the others follow,
   sorted. Its required qualifications are the union of its items'.

So a target drawn by two tasks whose windows overlap gets **one** visit with both tasks'
items and departments, inside the common part of the windows; hits in disjoint windows
stay separate visits. The result depends only on the hits, never on draw order.
Visit ids are ``"<year>/<target id>/<k>"`` with ``k`` counting the target's visits from 1.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise.model import RiskClass

__all__ = ["Visit"]


def _risk(v: object) -> RiskClass:
    return RiskClass.parse(v)


@attrs.frozen(kw_only=True)
class Visit:
    """One visit to one target: items, departments, window, the tasks it serves.

    Examples:
        >>> from datetime import date
        >>> v = Visit(id="2024/T1/1", target_id="T1", region="东城镇", risk_class="B",
        ...           items=("G04", "K01"), departments=("执法大队", "消防救援大队"),
        ...           qualifications=frozenset({"网络文化"}), start=date(2024, 4, 1),
        ...           end=date(2024, 6, 30), tasks=("T-net", "T-fire"),
        ...           batches=("T-net/Q2", "T-fire/Q2"))
        >>> v.is_joint, v.lead_department
        (True, '执法大队')
    """

    id: str
    target_id: str
    region: str
    risk_class: RiskClass = attrs.field(converter=_risk)
    items: tuple[str, ...]
    departments: tuple[str, ...]
    qualifications: frozenset[str]
    start: _dt.date
    end: _dt.date
    tasks: tuple[str, ...]
    batches: tuple[str, ...]

    @property
    def lead_department(self) -> str:
        return self.departments[0]

    @property
    def is_joint(self) -> bool:
        """More than one department takes part (联合抽查)."""
        return len(self.departments) > 1

    def canonical(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "target": self.target_id,
            "region": self.region,
            "risk_class": self.risk_class.name,
            "items": list(self.items),
            "departments": list(self.departments),
            "qualifications": sorted(self.qualifications),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "tasks": list(self.tasks),
            "batches": list(self.batches),
        }


@attrs.frozen(kw_only=True)
class HitSource:
    """What a hit inherits from its draw: task, batch, items, departments, window."""

    task: str
    task_pos: int
    batch: str
    items: tuple[str, ...]
    lead: str
    departments: tuple[str, ...]
    qualifications: frozenset[str]
    start: _dt.date
    end: _dt.date


def merge_hits(
    year: int,
    rows: npt.NDArray[np.int64],
    source: npt.NDArray[np.int64],
    sources: Sequence[HitSource],
    ids: npt.NDArray[np.str_],
    regions: npt.NDArray[Any],
    risk: npt.NDArray[np.int8],
) -> list[Visit]:
    """Apply the merge rule to hits ``(rows[i], sources[source[i]])``.

    ``ids``, ``regions`` and ``risk`` are the register's columns; the result is sorted
    by target id then window.
    """
    if rows.size == 0:
        return []
    start = np.asarray([s.start.toordinal() for s in sources], dtype=np.int64)[source]
    end = np.asarray([s.end.toordinal() for s in sources], dtype=np.int64)[source]
    tpos = np.asarray([s.task_pos for s in sources], dtype=np.int64)[source]
    order = np.lexsort((tpos, end, start, rows))
    rows, source = rows[order], source[order]
    bounds = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1], True])
    out: list[Visit] = []
    for g in range(bounds.size - 1):
        lo, hi = int(bounds[g]), int(bounds[g + 1])
        r = int(rows[lo])
        groups: list[list[HitSource]] = []
        win: tuple[_dt.date, _dt.date] | None = None
        for k in range(lo, hi):
            s = sources[int(source[k])]
            cur = groups[-1] if groups else None
            if cur is not None and win is not None:
                a, b = max(win[0], s.start), min(win[1], s.end)
                have = {i for h in cur for i in h.items}
                if a <= b and not have & set(s.items):
                    cur.append(s)
                    win = (a, b)
                    continue
            groups.append([s])
            win = (s.start, s.end)
        uid = str(ids[r])
        for k, grp in enumerate(groups, start=1):
            lead = grp[0].lead
            depts = {d for h in grp for d in h.departments} - {lead}
            out.append(
                Visit(
                    id=f"{year}/{uid}/{k}",
                    target_id=uid,
                    region=str(regions[r]),
                    risk_class=RiskClass(int(risk[r])),
                    items=tuple(sorted({i for h in grp for i in h.items})),
                    departments=(lead, *sorted(depts)),
                    qualifications=frozenset().union(*(h.qualifications for h in grp)),
                    start=max(h.start for h in grp),
                    end=min(h.end for h in grp),
                    tasks=tuple(dict.fromkeys(h.task for h in grp)),
                    batches=tuple(f"{h.task}/{h.batch}" for h in grp),
                )
            )
    return out
