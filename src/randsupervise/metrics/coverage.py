"""Coverage of the year: items carried out, ratios, probabilities, visits per target.

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
* **Visits per target** (无事不扰): visits per target in the year, per class; the hits (a
  target drawn by a draw) and the visits saved by merging hits on one target in one
  window into one visit (进一次门、查多项事, plan §三(五)); the repeat rate across two
  years against independent draws (expected repeats ``N * p1 * p2`` per class, where
  ``p`` is the share of the class visited in each year). (Burden *spreading*, the draw
  option, is :mod:`randsupervise.draw.coordination`.)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from randsupervise.cycle import PlanRun, YearState, eligible_masks, yearly_probabilities
from randsupervise.metrics.deadlines import _PUBLISHED
from randsupervise.metrics.table import Table, _share
from randsupervise.model import RiskClass, TargetRegistry
from randsupervise.model.items import ItemList

__all__ = [
    "inclusion_probabilities",
    "item_coverage",
    "ratio_achievement",
    "repeat_inspection",
    "unit_probabilities",
    "visits_per_target",
    "yearly_inclusion",
]


def _visit_items(state: YearState) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.object_]]:
    """One entry per (visit, item): the visit's position and the item id."""
    counts = np.fromiter((len(v.items) for v in state.visits), dtype=np.int64)
    item = np.asarray(list(chain.from_iterable(v.items for v in state.visits)), dtype=object)
    return np.repeat(np.arange(counts.size), counts), item


# ---------------------------------------------------------------------------- coverage
def item_coverage(items: ItemList, state: YearState) -> Table:
    """Item coverage rate (开展率): share of items with at least one published visit.

    Examples:
        >>> from randsupervise.cycle.sample import sample_year
        >>> y = sample_year()
        >>> item_coverage(y.items, y.state).summary["rate"]
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


def visits_per_target(run: PlanRun, registry: TargetRegistry) -> Table:
    """Visits per target in the year, per class: how many targets got 0, 1, 2, 3+ visits.

    Examples:
        >>> from randsupervise.cycle.sample import sample_year
        >>> y = sample_year()
        >>> t = visits_per_target(y.run, y.registry)
        >>> t.summary["hits"] - t.summary["visits_saved"] == len(y.run.visits)
        True
    """
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
        name="visits per target",
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
    masks = eligible_masks(run.plan.tasks, registry, items)
    for d in run.draws:
        task = run.plan.task(d.task)
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
        >>> from randsupervise.cycle.sample import sample_year
        >>> y = sample_year()
        >>> t = yearly_inclusion(y.run, y.registry, y.items)
        >>> [r["class"] for r in t.rows], t.summary["never"]
        (['A', 'B', 'C', 'D'], 0)
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
    class are ``N * p1 * p2``; a ratio below 1 means visits are being spread.

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
