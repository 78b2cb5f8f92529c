"""Visits: one trip to one target for many items (进一次门、查多项事, plan §三(五)).

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
import hashlib
from collections.abc import Sequence
from json.encoder import encode_basestring
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise.model import RiskClass

__all__ = ["Visit", "visits_digest"]


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
    #: expert places on top of the officers, and the expertise each expert must hold
    #: (the most any of its tasks asks for; the union of their tags)
    experts: int = 0
    expert_tags: frozenset[str] = attrs.field(default=frozenset(), converter=frozenset)

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
            # only when set: visits without experts keep the form (and digests) they had
            **(
                {"experts": self.experts, "expert_tags": sorted(self.expert_tags)}
                if self.experts or self.expert_tags
                else {}
            ),
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
    experts: int = 0
    expert_tags: frozenset[str] = frozenset()


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
    by register row, then window (the order the merge rule opens the visits).

    The rule is greedy per target, but it runs over all targets at once (architecture
    principle 7): round ``r`` takes every target's ``r``-th hit and decides, with array
    operations, whether it joins that target's open visit (window intersection and item
    bit sets). There are as many rounds as the most hits one target has. A visit's
    fields other than its target depend only on the sequence of sources it merged, so
    they are built once per distinct sequence.
    """
    if rows.size == 0:
        return []
    rows = np.asarray(rows, dtype=np.int64)
    source = np.asarray(source, dtype=np.int64)
    s_start = np.asarray([s.start.toordinal() for s in sources], dtype=np.int64)
    s_end = np.asarray([s.end.toordinal() for s in sources], dtype=np.int64)
    s_tpos = np.asarray([s.task_pos for s in sources], dtype=np.int64)
    start, end = s_start[source], s_end[source]
    order = np.lexsort((s_tpos[source], end, start, rows))
    rows, source, start, end = rows[order], source[order], start[order], end[order]
    m = rows.size
    # group (target) and rank of each hit inside its group
    first = np.r_[True, rows[1:] != rows[:-1]]
    group = np.cumsum(first) - 1
    head = np.flatnonzero(first)
    rank = np.arange(m) - head[group]
    visit_no = _visit_numbers(group, rank, source, start, end, _item_bits(sources))
    return _build_visits(year, sources, (ids, regions, risk), (rows, source, group, visit_no))


def _item_bits(sources: Sequence[HitSource]) -> npt.NDArray[np.uint64]:
    """The items of each source as bit sets (64 items per word)."""
    item_code = {i: k for k, i in enumerate(sorted({i for s in sources for i in s.items}))}
    words = max(1, (len(item_code) + 63) // 64)
    s_bits = np.zeros((len(sources), words), dtype=np.uint64)
    for k, s in enumerate(sources):
        for i in s.items:
            c = item_code[i]
            s_bits[k, c // 64] |= np.uint64(1) << np.uint64(c % 64)
    return s_bits


def _visit_numbers(
    group: npt.NDArray[np.int64],
    rank: npt.NDArray[np.int64],
    source: npt.NDArray[np.int64],
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
    s_bits: npt.NDArray[np.uint64],
) -> npt.NDArray[np.int64]:
    """Each hit's visit number within its target (0 for the first visit): round ``r``
    takes every target's ``r``-th hit; it joins the open visit when the windows
    intersect and no item is shared, else it opens the next visit."""
    n_groups = int(group.max()) + 1
    lo = np.empty(n_groups, dtype=np.int64)
    hi = np.empty(n_groups, dtype=np.int64)
    have = np.zeros((n_groups, s_bits.shape[1]), dtype=np.uint64)
    opened = np.zeros(n_groups, dtype=np.int64)  # visits opened so far, minus one
    visit_no = np.zeros(group.size, dtype=np.int64)
    by_rank = np.argsort(rank, kind="stable")
    cuts = np.searchsorted(rank[by_rank], np.arange(int(rank.max()) + 2))
    for r in range(cuts.size - 1):
        sel = by_rank[cuts[r] : cuts[r + 1]]
        g, src = group[sel], source[sel]
        a, b = start[sel], end[sel]
        if r == 0:
            lo[g], hi[g], have[g] = a, b, s_bits[src]
            continue
        na, nb = np.maximum(lo[g], a), np.minimum(hi[g], b)
        joins = (na <= nb) & ~(have[g] & s_bits[src]).any(axis=1)
        lo[g] = np.where(joins, na, a)
        hi[g] = np.where(joins, nb, b)
        have[g] = np.where(joins[:, None], have[g] | s_bits[src], s_bits[src])
        opened[g] += (~joins).astype(np.int64)
        visit_no[sel] = opened[g]
    return visit_no


def _build_visits(
    year: int,
    sources: Sequence[HitSource],
    register: tuple[npt.NDArray[np.str_], npt.NDArray[Any], npt.NDArray[np.int8]],
    hits: tuple[npt.NDArray[np.int64], ...],
) -> list[Visit]:
    """One visit per (target, visit number). The fields shared by the visits of one
    sequence of sources are built once. ``register`` holds the register's ids, regions
    and risk class codes; ``hits`` the hits in visit order: their register rows, their
    source positions, their target group and their visit number within it."""
    ids, regions, risk = register
    rows, source, group, visit_no = hits
    m = rows.size
    vstart = np.flatnonzero(
        np.r_[True, (group[1:] != group[:-1]) | (visit_no[1:] != visit_no[:-1])]
    )
    n_vis = vstart.size
    size = np.diff(np.r_[vstart, m])
    width = int(size.max())
    # the sequence of sources of each visit, padded with -1; one build per distinct one
    seq = np.full((n_vis, width), -1, dtype=np.int64)
    hit_vis = np.repeat(np.arange(n_vis), size)
    seq[hit_vis, np.arange(m) - vstart[hit_vis]] = source
    combos, combo_of = np.unique(seq, axis=0, return_inverse=True)
    shared = [_merged([sources[int(k)] for k in c if k >= 0]) for c in combos.tolist()]
    vrow = rows[vstart]
    uids = ids[vrow].tolist()
    regs = regions[vrow].tolist()
    classes = [RiskClass(k) for k in range(len(RiskClass))]
    cls = risk[vrow].tolist()
    nums = (visit_no[vstart] + 1).tolist()
    out: list[Visit] = []
    for k, combo in enumerate(combo_of.reshape(-1).tolist()):
        uid = str(uids[k])
        out.append(
            Visit(
                id=f"{year}/{uid}/{nums[k]}",
                target_id=uid,
                region=str(regs[k]),
                risk_class=classes[cls[k]],
                **shared[combo],
            )
        )
    return out


def _merged(grp: Sequence[HitSource]) -> dict[str, Any]:
    """The fields a visit takes from the hits it merged (in merge order)."""
    lead = grp[0].lead
    depts = {d for h in grp for d in h.departments} - {lead}
    return {
        "items": tuple(sorted({i for h in grp for i in h.items})),
        "departments": (lead, *sorted(depts)),
        "qualifications": frozenset().union(*(h.qualifications for h in grp)),
        "start": max(h.start for h in grp),
        "end": min(h.end for h in grp),
        "tasks": tuple(dict.fromkeys(h.task for h in grp)),
        "batches": tuple(f"{h.task}/{h.batch}" for h in grp),
        "experts": max(h.experts for h in grp),
        "expert_tags": frozenset().union(*(h.expert_tags for h in grp)),
    }


def visits_digest(visits: Sequence[Visit]) -> str:
    """SHA-256 of the canonical JSON of ``[v.canonical() for v in visits]`` (in order).

    The canonical text is written out directly, byte for byte what
    ``sha256_hex([v.canonical() for v in visits])`` gives: the parts a visit shares with
    the other visits of its merged task sequence (items, departments, window, tasks,
    batches) are encoded once, so only the id, target, region and class are written per
    visit.

    Examples:
        >>> from datetime import date
        >>> v = Visit(id="2024/T1/1", target_id="T1", region="东城镇", risk_class="B",
        ...           items=("K01",), departments=("执法大队",), qualifications=frozenset(),
        ...           start=date(2024, 4, 1), end=date(2024, 6, 30), tasks=("T",),
        ...           batches=("T/Q2",))
        >>> from randsupervise._core.canonical import sha256_hex
        >>> visits_digest([v]) == sha256_hex([v.canonical()])
        True
    """
    enc = encode_basestring
    pieces: dict[tuple[Any, ...], tuple[str, str, str, str]] = {}

    def strs(values: Any) -> str:
        return "[" + ",".join(enc(x) for x in values) + "]"

    rc = {c: enc(c.name) for c in RiskClass}
    parts = []
    for v in visits:
        rest = (v.batches, v.departments, v.end, v.items, v.qualifications, v.start, v.tasks,
                v.experts, v.expert_tags)  # fmt: skip
        hit = pieces.get(rest)
        if hit is None:
            experts = (
                f'"expert_tags":{strs(sorted(v.expert_tags))},"experts":{v.experts},'
                if v.experts or v.expert_tags
                else ""
            )
            hit = (
                f'{{"batches":{strs(v.batches)},"departments":{strs(v.departments)},'
                f'"end":{enc(v.end.isoformat())},{experts}"id":',
                f',"items":{strs(v.items)},"qualifications":{strs(sorted(v.qualifications))},'
                f'"region":',
                f',"start":{enc(v.start.isoformat())},"target":',
                f',"tasks":{strs(v.tasks)}}}',
            )
            pieces[rest] = hit
        parts.append(
            hit[0]
            + enc(v.id)
            + hit[1]
            + enc(v.region)
            + ',"risk_class":'
            + rc[v.risk_class]
            + hit[2]
            + enc(v.target_id)
            + hit[3]
        )
    return hashlib.sha256(("[" + ",".join(parts) + "]").encode("utf-8")).hexdigest()
