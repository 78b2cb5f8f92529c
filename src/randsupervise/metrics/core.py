"""Metrics of the year: pure functions over the drawn plan and the visits' records.

Definitions (each with the rule it measures):

* **Item coverage** (开展率, plan §三(二), must be 100%): the share of the item list's items
  with at least one **published** visit; inspected-but-unpublished does not count
  (plan §三(六)).
* **Ratios**: per item and class, the planned sample size (sum over the item's draws),
  the drawn targets and the published visits, each also as a share of the largest
  eligible population among the item's draws of that class.
* **Inclusion probabilities**: per draw and class, ``n / available`` as reported by the
  draw engine; and each unit's **yearly** probability of being drawn by any task,
  ``1 - prod(1 - n / available)`` over the draws whose population holds it
  (:func:`~randsupervise.cycle.plan.yearly_probabilities`, 利剑高悬, plan §三(五)).
* **Burden** (无事不扰): visits per target in the year, per class; the hits (a target
  drawn by a draw) and the visits saved by merging hits on one target in one window into
  one visit (进一次门、查多项事, plan §三(五)); the repeat rate across
  two years against independent draws (expected repeats ``N * p1 * p2`` per class, where
  ``p`` is the share of the class visited in each year).
* **Workload**: visits per inspector among the officers who could serve (certified,
  counted toward the quota, available, of a department taking part in the year's
  visits), with minimum, median, maximum and Gini
  coefficient (0 = perfectly even).
* **Deadlines** (plan §三(六); 企业信息公示暂行条例 art. 6): recording **and** publication
  are each due by the 20th working day after the inspection; each step is on time, late
  (done after the deadline) or overdue (not done, the deadline passed by ``as_of``). A
  visit whose batch window ended before ``as_of`` without an inspection is overdue too:
  *not carried out*. A visit is *settled* once published, overdue or not carried out;
  ``share_on_time`` is the share of settled visits recorded and published on time
  (1.0 when none is settled).
* **Duty ledger** (尽职照单免责、失职照单问责, plan §四(二)): per inspector, visits assigned
  (current team, not cancelled), split into done on time and done late (published; late
  when either step was late), recorded but unpublished (not complete: plan §三(六)
  counts an inspection done but not published as not done), and open (not recorded);
  ``on_time + late + unpublished + open == assigned``. Then each step's failures,
  attributed to whoever held the step: ``record_late`` to the officer who recorded
  (the team when none is named), ``publish_late`` to the officer who published,
  ``record_overdue`` and ``not_carried_out`` to the team, ``publish_overdue`` to the
  officer who recorded (the team before recording); inspections outside their window;
  and teams they were replaced from.
* **Timeliness**: the deadline figures above, recording and publication separately, the
  inspections outside their window, the open follow-ups (pending results, 待后续处理, not
  yet replaced by a published final one; overdue when past their correction deadline),
  and one row per visit with a problem.
* **Completion** (plan §三(六)): the share of non-cancelled visits that are published,
  and, as of a date, published on time or late and not carried out.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.display import html_table, text_table
from randsupervise.cycle import PlanRun, VisitState, YearState, yearly_probabilities
from randsupervise.model import RiskClass, TargetRegistry
from randsupervise.model.inspectors import InspectorPool
from randsupervise.model.items import ItemList
from randsupervise.model.results import ResultCode

__all__ = [
    "Table",
    "burden",
    "completion",
    "duty_ledger",
    "gini",
    "inclusion_probabilities",
    "item_coverage",
    "ratio_achievement",
    "repeat_inspection",
    "timeliness",
    "unit_probabilities",
    "workload",
    "yearly_inclusion",
]


def _rows(v: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    return tuple(v)


@attrs.frozen(kw_only=True)
class Table:
    """A named table of rows with summary figures; notebook- and pandas-friendly.

    Examples:
        >>> t = Table(name="demo", rows=({"a": 1},), summary={"total": 1})
        >>> t.to_records(), t.summary["total"]
        ([{'a': 1}], 1)
    """

    name: str
    rows: tuple[Mapping[str, Any], ...] = attrs.field(converter=_rows)
    summary: Mapping[str, Any] = attrs.field(factory=dict)

    def to_records(self) -> list[dict[str, Any]]:
        """The rows as dicts: ``pandas.DataFrame(table.to_records())``."""
        return [dict(r) for r in self.rows]

    def columns(self) -> dict[str, list[Any]]:
        keys: list[str] = []
        for r in self.rows:
            keys += [k for k in r if k not in keys]
        return {k: [r.get(k) for r in self.rows] for k in keys}

    def to_text(self, max_rows: int = 20) -> str:
        head = f"{self.name}: " + ", ".join(f"{k}={_fmt(v)}" for k, v in self.summary.items())
        if not self.rows:
            return head
        return head + "\n" + text_table(self.columns(), max_rows=max_rows, indent="  ")

    def __repr__(self) -> str:
        return self.to_text(max_rows=5)

    def _repr_html_(self) -> str:
        cap = f"{self.name}: " + ", ".join(f"{k}={_fmt(v)}" for k, v in self.summary.items())
        return html_table(cap, self.columns())


def _fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _share(a: int, b: int) -> float:
    return a / b if b else 1.0


_PUBLISHED = tuple(VisitState).index(VisitState.PUBLISHED)
_CANCELLED = tuple(VisitState).index(VisitState.CANCELLED)
_DRAWN = tuple(VisitState).index(VisitState.DRAWN)
_ASSIGNED = tuple(VisitState).index(VisitState.ASSIGNED)


def _visit_items(state: YearState) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.object_]]:
    """One entry per (visit, item): the visit's position and the item id."""
    counts = np.fromiter((len(v.items) for v in state.visits), dtype=np.int64)
    item = np.asarray(list(chain.from_iterable(v.items for v in state.visits)), dtype=object)
    return np.repeat(np.arange(counts.size), counts), item


@attrs.frozen(kw_only=True)
class _Deadlines:
    """Per visit, as of a date: each step on time, late or overdue (see the module notes)."""

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

    @property
    def on_time(self) -> npt.NDArray[np.bool_]:
        out: npt.NDArray[np.bool_] = self.published & ~self.record_late & ~self.publish_late
        return out

    @property
    def overdue(self) -> npt.NDArray[np.bool_]:
        out: npt.NDArray[np.bool_] = (
            self.record_overdue | self.publish_overdue | self.not_carried_out
        )
        return out

    @property
    def settled(self) -> npt.NDArray[np.bool_]:
        out: npt.NDArray[np.bool_] = self.published | self.overdue
        return out


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
    return _Deadlines(
        live=live,
        inspected=inspected,
        recorded=recorded,
        published=published,
        record_late=state.column("late") & live,
        publish_late=state.column("publication_late") & live,
        record_overdue=live & inspected & ~recorded & passed,
        publish_overdue=live & inspected & ~published & passed,
        not_carried_out=live & waiting & (day > state.column("window_end")),
        outside_window=live & (state.column("outside_window") != ""),
        follow_up_open=fu_open,
        follow_up_overdue=fu_open & ~followed & ~np.isnat(correct_by) & (day > correct_by),
    )


# ---------------------------------------------------------------------------- coverage
def item_coverage(items: ItemList, state: YearState) -> Table:
    """Item coverage rate (开展率): share of items with at least one published visit.

    Examples:
        >>> from randsupervise.metrics.demo import run_demo_year
        >>> item_coverage(run_demo_year().items, run_demo_year().state).summary["rate"]
        1.0
    """
    vis, item = _visit_items(state)
    done_insp = ~np.isnat(state.column("inspected_on"))[vis]
    done_pub = (state.state_codes() == _PUBLISHED)[vis]
    planned = Counter(item.tolist())
    inspected = Counter(item[done_insp].tolist())
    published = Counter(item[done_pub].tolist())
    rows: list[dict[str, Any]] = [
        {
            "item": it.id,
            "kind": it.kind.value,
            "visits": planned[it.id],
            "inspected": inspected[it.id],
            "published": published[it.id],
            "carried_out": published[it.id] > 0,
        }
        for it in items
    ]
    done = sum(r["carried_out"] for r in rows)
    return Table(
        name="item coverage (开展率)",
        rows=rows,
        summary={"items": len(items), "carried_out": done, "rate": _share(done, len(items))},
    )


# ---------------------------------------------------------------------------- ratios
def ratio_achievement(run: PlanRun, state: YearState) -> Table:
    """Planned vs achieved sample per item and class (see the module notes)."""
    pop: dict[tuple[str, str], int] = {}
    planned: Counter[tuple[str, str]] = Counter()
    drawn: Counter[tuple[str, str]] = Counter()
    for d in run.draws:
        task = run.plan.task(d.task)
        for i in task.items:
            for c, n in d.population.items():
                pop[(i, c)] = max(pop.get((i, c), 0), n)
                planned[(i, c)] += d.sample_size[c]
            for c in d.classes:
                drawn[(i, c)] += 1
    vis, item = _visit_items(state)
    pub = (state.state_codes() == _PUBLISHED)[vis]
    cls = np.asarray([v.risk_class.name for v in state.visits], dtype=object)
    published: Counter[tuple[str, str]] = Counter(
        zip(item[pub].tolist(), cls[vis[pub]].tolist(), strict=True)
    )
    rows: list[dict[str, Any]] = []
    for key in sorted(pop):
        n = pop[key]
        rows.append({
            "item": key[0], "class": key[1], "population": n,
            "planned": planned[key], "drawn": drawn[key], "published": published[key],
            "planned_ratio": _share(planned[key], n) if n else 0.0,
            "achieved_ratio": _share(published[key], n) if n else 0.0,
        })  # fmt: skip
    short = sum(sum(d.shortfall.values()) for d in run.draws)
    return Table(name="ratios", rows=rows, summary={"shortfall": short})


def inclusion_probabilities(run: PlanRun) -> Table:
    """Per draw and class: population, available, sample size, inclusion probability."""
    rows: list[dict[str, Any]] = []
    for d in run.draws:
        for c in d.population:
            av = d.available[c]
            rows.append({
                "stream": d.stream, "class": c, "population": d.population[c],
                "available": av, "sample_size": d.sample_size[c] - d.shortfall[c],
                "probability": _share(d.sample_size[c] - d.shortfall[c], av) if av else 0.0,
            })  # fmt: skip
    by_class: dict[str, list[float]] = {}
    for r in rows:
        by_class.setdefault(r["class"], []).append(r["probability"])
    summary = {f"max_{c}": max(v) for c, v in sorted(by_class.items())}
    return Table(name="inclusion probabilities", rows=rows, summary=summary)


# ---------------------------------------------------------------------------- burden
def burden(run: PlanRun, registry: TargetRegistry) -> Table:
    """Visits per target in the year, per class: how many targets got 0, 1, 2, 3+ visits."""
    per_target = Counter(v.target_id for v in run.visits)
    visited = np.zeros(len(registry), dtype=np.int64)
    if per_target:
        pos = registry.index_of(list(per_target))
        visited[pos] = list(per_target.values())
    rows: list[dict[str, Any]] = []
    for c in RiskClass:
        m = registry.risk_codes == c.value
        v = visited[m]
        rows.append({
            "class": c.name, "targets": int(m.sum()), "visits": int(v.sum()),
            "none": int((v == 0).sum()), "once": int((v == 1).sum()),
            "twice": int((v == 2).sum()), "more": int((v >= 3).sum()),
            "mean": float(v.mean()) if v.size else 0.0,
        })  # fmt: skip
    multi = int((visited >= 2).sum())
    hits = sum(len(d.selected) for d in run.draws)
    return Table(
        name="burden (visits per target)",
        rows=rows,
        summary={
            "targets_visited": int((visited > 0).sum()),
            "visited_twice_or_more": multi,
            "hits": hits,
            "visits_saved": hits - len(run.visits),
        },
    )


def unit_probabilities(
    run: PlanRun, registry: TargetRegistry, items: ItemList
) -> npt.NDArray[np.float64]:
    """Each register row's probability of being drawn in the year by any task (read-only).

    Per draw, the rate of a class is what the draw engine reported, ``n / available``.
    """
    draws = []
    masks: dict[str, npt.NDArray[np.bool_]] = {}
    for d in run.draws:
        task = run.plan.task(d.task)
        if task.id not in masks:
            masks[task.id] = task.eligible_mask(registry, items)
        rates = np.zeros(len(RiskClass), dtype=np.float64)
        for c, av in d.available.items():
            n = d.sample_size[c] - d.shortfall[c]
            rates[RiskClass.parse(c).value] = n / av if av else 0.0
        draws.append((masks[task.id], rates, 1))
    p = yearly_probabilities(registry, draws)
    p.setflags(write=False)
    return p


def yearly_inclusion(run: PlanRun, registry: TargetRegistry, items: ItemList) -> Table:
    """Per class: the active targets, the lowest, mean and highest yearly probability of
    being drawn by any task (:func:`unit_probabilities`), how many of them cannot be
    drawn at all (``never``: 利剑高悬 fails for them), and the targets that are not active
    (a plan draws active targets unless its filter names other statuses).

    Examples:
        >>> from randsupervise.metrics.demo import run_demo_year
        >>> d = run_demo_year()
        >>> t = yearly_inclusion(d.run, d.registry, d.items)
        >>> [r["class"] for r in t.rows], t.rows[3]["max"]
        (['A', 'B', 'C', 'D'], 1.0)
    """
    p = unit_probabilities(run, registry, items)
    active = registry.column("status") == "active"
    rows: list[dict[str, Any]] = []
    for c in RiskClass:
        cls = registry.risk_codes == c.value
        v = p[cls & active]
        rows.append({
            "class": c.name, "targets": int(v.size), "not_active": int((cls & ~active).sum()),
            "min": round(float(v.min()), 4) if v.size else 0.0,
            "mean": round(float(v.mean()), 4) if v.size else 0.0,
            "max": round(float(v.max()), 4) if v.size else 0.0,
            "never": int((v == 0).sum()),
        })  # fmt: skip
    summary = {f"min_{r['class']}": r["min"] for r in rows}
    summary["never"] = sum(r["never"] for r in rows)
    return Table(name="yearly inclusion probability", rows=rows, summary=summary)


def repeat_inspection(
    registry: TargetRegistry, previous: Iterable[str], current: Iterable[str]
) -> Table:
    """Targets visited in both years vs the count expected from independent draws.

    ``previous`` and ``current`` are the ids visited in each year. Expected repeats per
    class are ``N * p1 * p2``; a ratio below 1 means burden is being spread.

    Examples:
        >>> reg = TargetRegistry.from_columns(id=list("abcd"), risk_class=["A"] * 4)
        >>> repeat_inspection(reg, ["a", "b"], ["b", "c"]).rows[0]["repeats"]
        1
    """
    # per register row, then one bincount per measure (architecture principle 7)
    in_prev = np.isin(registry.ids, np.asarray(list(set(previous)), dtype=str))
    in_cur = np.isin(registry.ids, np.asarray(list(set(current)), dtype=str))
    k = len(RiskClass)
    risk = registry.risk_codes
    per_class = [
        np.bincount(risk[m], minlength=k).tolist()
        for m in (np.ones(risk.size, dtype=bool), in_prev, in_cur, in_prev & in_cur)
    ]
    rows: list[dict[str, Any]] = []
    for c in RiskClass:
        n, a, b, both = (col[c.value] for col in per_class)
        expected = a * b / n if n else 0.0
        rows.append({
            "class": c.name, "targets": n, "previous": a, "current": b, "repeats": both,
            "expected_independent": expected,
            "ratio": both / expected if expected else 0.0,
        })  # fmt: skip
    return Table(name="repeat inspection across years", rows=rows)


# ---------------------------------------------------------------------------- inspectors
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


# ---------------------------------------------------------------------------- deadlines
def timeliness(state: YearState, as_of: _dt.date) -> Table:
    """Recording and publication against their deadline, each on its own, as of a date.

    Rows: one per visit with a late or overdue step, not carried out, inspected outside
    its window, or with an overdue follow-up; ``status`` lists what applies.
    """
    dd = _deadlines(state, as_of)
    insp_on = state.column("inspected_on")
    deadline = state.column("deadline")
    rec_on = state.column("recorded_on")
    pub_on = state.column("published_on")
    rec_by = state.column("recorded_by")
    pub_by = state.column("published_by")
    ends = state.column("window_end")
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

    def day(x: np.datetime64) -> str | None:
        return None if np.isnat(x) else str(x)

    rows: list[dict[str, Any]] = [
        {
            "visit": str(ids[k]),
            "window_end": str(ends[k]),
            "inspected_on": day(insp_on[k]),
            "deadline": day(deadline[k]),
            "recorded_on": day(rec_on[k]),
            "recorded_by": str(rec_by[k]),
            "published_on": day(pub_on[k]),
            "published_by": str(pub_by[k]),
            "status": ", ".join(name for name, m in labels if m[k]),
        }
        for k in np.flatnonzero(flagged).tolist()
    ]
    n_insp = int((dd.inspected & dd.live).sum())
    settled = int(dd.settled.sum())
    on_time = int(dd.on_time.sum())
    rec = dd.live & dd.recorded
    pub = dd.live & dd.published
    return Table(
        name=f"timeliness as of {as_of}",
        rows=rows,
        summary={
            "inspected": n_insp,
            "recorded_on_time": int((rec & ~dd.record_late).sum()),
            "recorded_late": int(dd.record_late.sum()),
            "record_overdue": int(dd.record_overdue.sum()),
            "published_on_time": int((pub & ~dd.publish_late).sum()),
            "published_late": int(dd.publish_late.sum()),
            "publish_overdue": int(dd.publish_overdue.sum()),
            "not_carried_out": int(dd.not_carried_out.sum()),
            "overdue": int(dd.overdue.sum()),
            "outside_window": int(dd.outside_window.sum()),
            "follow_ups_open": int(dd.follow_up_open.sum()),
            "follow_ups_overdue": int(dd.follow_up_overdue.sum()),
            "follow_ups_closed": int((dd.live & ~np.isnat(state.column("republished_on"))).sum()),
            "settled": settled,
            "on_time": on_time,
            "share_recorded_on_time": round(
                _share(
                    int((rec & ~dd.record_late).sum()), int(rec.sum() + dd.record_overdue.sum())
                ),
                4,
            ),
            "share_published_on_time": round(
                _share(
                    int((pub & ~dd.publish_late).sum()), int(pub.sum() + dd.publish_overdue.sum())
                ),
                4,
            ),
            "share_on_time": round(_share(on_time, settled), 4),
        },
    )


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
