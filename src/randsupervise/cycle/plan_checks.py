"""Plan-time checks (:meth:`AnnualPlan.problems <randsupervise.cycle.plan.AnnualPlan.problems>`):
every problem of a plan against its item list (and a register), before anything is drawn.

Invariants, each with the rule it comes from:

* **Plan-time validation** (:meth:`AnnualPlan.problems`) reports every problem at once
  and nothing is drawn from a plan that has one:

  - every item of the item list has a task with planned draws: item coverage (开展率)
    must reach 100% (plan §三(二): "每年度抽查事项清单开展率要达到100%");
  - every item a task names is on the list, and its department takes part in the task;
  - a general item's yearly ratio per class stays within its cap, a key item has none
    (plan §三(二));
  - the plan's key items number at most ``ItemList.max_key_items`` (plan §三(二));
  - **frequency limits**: the *planned load* of an item on a target is the sum, over
    every draw of the year that could select the target for the item, of that draw's
    rate ``n / N``. It must not exceed the item's ``yearly_frequency_limit`` (MIIT rules:
    same item, same target at most once a year). This is the pigeonhole bound: if the
    draws of a class add up to more than ``limit * N`` selections, some target must be
    selected more than ``limit`` times. Without a register the check assumes the worst
    (every task's filter overlaps every other's) and sums per item and class; with a
    register it is exact per target. Below the bound, :func:`run_plan` enforces the limit
    while drawing: a target that has reached it is left out of later draws of the item.
  - batch windows lie inside the year, each starts no later than it ends, and a task's
    windows are in order and do not overlap;
  - **the cap's scope** (``cap_scope``): by default a general item's cap bounds the
    yearly ratio of **each class** (the strictest reading of plan §三(二)); with
    ``cap_scope="overall"`` it bounds the item's overall ratio, the planned selections
    over the whole eligible population (classes weighted by their size), so a high
    ratio for risky classes can sit beside low ones (差异化, plan §三(五)). Without a
    register the overall ratio is unknown; the check then reports only a plan whose
    smallest class ratio already exceeds the cap;
  - **a floor on the yearly probability** (``min_yearly_probability``, 利剑高悬: no one
    is ever safe from being drawn, plan §三(五)): with a register, every active target
    of a class with a floor must have a yearly probability of being drawn of at least
    that floor. A target's yearly probability is ``1 - prod(1 - n_d / N_d)`` over the
    draws whose population holds it (draws use independent streams; a later batch of
    the same task draws from fewer targets, so this is a lower bound). Without a
    register it cannot be checked (:func:`run_plan` checks with the register).

  - **frequency per class** (``max_yearly_frequency``, 无事不扰, plan §三(五); Lindian
    county 2024: A less than once a year, B once, C up to twice, D more): the planned
    selections per year of a target of the class, summed over **every** task of the
    plan whatever its items (``n / N`` per draw), must not exceed the class's limit.
    "At most once in N years" is the limit ``1/N``. With a register the check is exact
    per target; without one it assumes every task may hit every target of the class.
    It bounds what the plan asks for; the draw does not yet leave out targets drawn in
    earlier years for it.

  ``cap_scope``, ``min_yearly_probability`` and ``max_yearly_frequency`` are checks
  only: they never change what a plan draws, and a plan that leaves them at their
  defaults has the same canonical form and digest as before they existed.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from randsupervise.cycle.load import (
    _class_counts,
    _mask_of,
    _overall_ratio,
    _planned_load,
    task_rates,
    yearly_probabilities,
)
from randsupervise.cycle.tasks import _TOL, Task
from randsupervise.errors import Problem
from randsupervise.model import RiskClass, TargetRegistry
from randsupervise.model.items import ItemKind, ItemList

__all__: list[str] = []

_COVERAGE_RULE = "plan §三(二): 开展率 100%"
_CAP_RULE = "plan §三(二): general items' ratio capped"
_KEY_RULE = "plan §三(二): 严格控制重点检查事项的数量"
_FREQ_RULE = "MIIT: same item, same target at most once a year in principle"
_FLOOR_RULE = "plan §三(五): 利剑高悬, no one is ever safe from being drawn"
_CLASS_FREQ_RULE = "plan §三(五): frequency differs per class (无事不扰)"


def _item_ids(tasks: tuple[Task, ...]) -> tuple[str, ...]:
    """Every item id named by a task, sorted."""
    return tuple(sorted({i for t in tasks for i in t.items}))


def structure_problems(
    year: int, tasks: tuple[Task, ...], aligned_tasks: tuple[tuple[str, ...], ...]
) -> list[Problem]:
    """Task ids and streams unique; batch windows inside the year, in order."""
    out: list[Problem] = aligned_problems(tasks, aligned_tasks)
    seen: dict[str, int] = {}
    streams: dict[str, str] = {}
    lo, hi = _dt.date(year, 1, 1), _dt.date(year, 12, 31)
    for row, t in enumerate(tasks):
        bad = _task_problem(out, row, t)
        if t.id in seen:
            bad("id", f"duplicate task id (first at row {seen[t.id]})")
        seen.setdefault(t.id, row)
        if t.stream in streams and streams[t.stream] != t.id:
            bad("stream", f"stream {t.stream!r} also used by task {streams[t.stream]!r}")
        streams.setdefault(t.stream, t.id)
        prev_end: _dt.date | None = None
        for b in t.batches:
            if b.start > b.end:
                bad("batches", f"batch {b.id}: starts {b.start} after it ends {b.end}")
            if b.start < lo or b.end > hi:
                bad(
                    "batches",
                    f"batch {b.id}: window {b.start}..{b.end} is not inside {year}",
                )
            if prev_end is not None and b.start <= prev_end:
                bad(
                    "batches",
                    f"batch {b.id}: starts {b.start}, not after the previous batch ends {prev_end}",
                )
            prev_end = b.end
    return out


def aligned_problems(
    tasks: tuple[Task, ...], aligned_tasks: tuple[tuple[str, ...], ...]
) -> list[Problem]:
    """Each group of aligned tasks names two or more known tasks, each in one group."""
    known = {t.id for t in tasks}
    out: list[Problem] = []
    grouped: dict[str, int] = {}
    for k, g in enumerate(aligned_tasks):
        if len(g) < 2:
            out.append(Problem(row=k, field="aligned_tasks", message="a group needs two tasks"))
        for tid in g:
            if tid not in known:
                out.append(Problem(row=k, id=tid, field="aligned_tasks", message="no such task"))
            elif tid in grouped:
                out.append(
                    Problem(
                        row=k,
                        id=tid,
                        field="aligned_tasks",
                        message=f"already in group {grouped[tid]}",
                    )
                )
            grouped.setdefault(tid, k)
    return out


def item_problems(tasks: tuple[Task, ...], items: ItemList) -> list[Problem]:
    """Every item planned (coverage 100%), on the list, of a taking-part department;
    key items within their limit."""
    out: list[Problem] = []
    planned: set[str] = set()
    for row, t in enumerate(tasks):
        bad = _task_problem(out, row, t)
        has_draws = any(float(r) > 0 for r in t.ratios.values()) or any(
            int(n) > 0 for n in t.counts.values()
        )
        for item_id in t.items:
            it = items.get(item_id)
            if it is None:
                bad("items", f"item {item_id} is not on the item list")
                continue
            if has_draws:
                planned.add(item_id)
            if it.department not in t.departments:
                bad(
                    "partner_departments",
                    f"item {item_id} belongs to {it.department}, which does not take part "
                    f"in the task",
                )
        kinds = [items[i].target_kinds for i in t.items if i in items]
        if kinds and not frozenset.intersection(*kinds):
            bad(
                "items",
                "the task's items share no target kind: no target can be drawn for all of them",
            )
    for it in items:
        if it.id not in planned:
            named = any(it.id in t.items for t in tasks)
            msg = (
                f"item {it.id} has a task but no planned draws"
                if named
                else f"item {it.id} has no task"
            )
            out.append(
                Problem(
                    id=it.id,
                    field="items",
                    message=msg + ": item coverage would be below 100%",
                    rule=_COVERAGE_RULE,
                )
            )
    key_used = sorted(i for i in _item_ids(tasks) if i in items and items[i].kind is ItemKind.KEY)
    limit = items.max_key_items
    if limit is not None and len(key_used) > limit:
        out.append(
            Problem(
                field="items",
                message=f"{len(key_used)} key items planned {key_used}, "
                f"more than the limit {limit}",
                rule=_KEY_RULE,
            )
        )
    return out


def load_problems(
    tasks: tuple[Task, ...],
    items: ItemList,
    registry: TargetRegistry | None,
    masks: dict[Any, npt.NDArray[np.bool_]],
    *,
    cap_scope: str,
    min_yearly_probability: Mapping[RiskClass, float],
    max_yearly_frequency: Mapping[RiskClass, float],
) -> list[Problem]:
    """Caps, frequency limits, floors and per-class frequencies of the planned load;
    with a register, a task that can draw nobody."""
    out: list[Problem] = []
    per_class = cap_scope == "class"  # CapScope.CLASS is this str
    for item_id in _item_ids(tasks):
        it = items.get(item_id)
        if it is None:
            continue
        of_item = [t for t in tasks if item_id in t.items]
        capped = it.kind is ItemKind.GENERAL and it.ratio_cap is not None
        if capped and not per_class:
            ratio, note = _overall_ratio(of_item, items, registry, masks)
            if ratio > float(it.ratio_cap or 0) + _TOL:
                out.append(
                    Problem(
                        id=item_id,
                        field="ratios",
                        message=f"general item {item_id}: overall yearly ratio "
                        f"{ratio:.4g}{note} exceeds its cap {it.ratio_cap:g}",
                        rule=_CAP_RULE,
                    )
                )
        for cls in RiskClass:
            load, nominal, note = _planned_load(of_item, cls, items, registry, masks)
            if load is None:
                continue
            if capped and per_class and nominal > float(it.ratio_cap or 0) + _TOL:
                out.append(
                    Problem(
                        id=item_id,
                        field="ratios",
                        message=f"general item {item_id}, class {cls.name}: "
                        f"yearly ratio {nominal:.4g}{note} exceeds its cap "
                        f"{it.ratio_cap:g}",
                        rule=_CAP_RULE,
                    )
                )
            if load > it.yearly_frequency_limit + _TOL:
                out.append(
                    Problem(
                        id=item_id,
                        field="batches",
                        message=f"item {item_id}, class {cls.name}: planned draws "
                        f"add up to {load:.4g}{note} selections per target, above "
                        f"the limit of {it.yearly_frequency_limit} a year",
                        rule=_FREQ_RULE,
                    )
                )
    if registry is not None and min_yearly_probability:
        out += floor_problems(tasks, min_yearly_probability, items, registry, masks)
    if max_yearly_frequency:
        out += class_frequency_problems(tasks, max_yearly_frequency, items, registry, masks)
    if registry is not None:
        for row, t in enumerate(tasks):
            n_cls = _class_counts(t, registry, items, masks)
            planned = sum(t.sample_size(cls, int(n_cls[cls.value])) for cls in t.classes)
            if planned == 0:
                out.append(
                    Problem(
                        row=row,
                        id=t.id,
                        field="target_filter",
                        message="no eligible target in the planned classes: nothing can be drawn",
                    )
                )
    return out


def floor_problems(
    tasks: tuple[Task, ...],
    min_yearly_probability: Mapping[RiskClass, float],
    items: ItemList,
    registry: TargetRegistry,
    masks: dict[Any, npt.NDArray[np.bool_]],
) -> list[Problem]:
    """One problem per class whose floor some active target does not reach."""
    draws = []
    for t in tasks:
        rates = task_rates(t, registry, items, masks)
        draws.append((_mask_of(t, registry, items, masks), rates, t.draws_per_year))
    p = yearly_probabilities(registry, draws)
    active = registry.column("status") == "active"
    out: list[Problem] = []
    for cls, floor in min_yearly_probability.items():
        rows = active & (registry.risk_codes == cls.value)
        below = rows & (p < float(floor) - _TOL)
        if below.any():
            out.append(
                Problem(
                    field="min_yearly_probability",
                    message=f"class {cls.name}: {int(below.sum())} of {int(rows.sum())} "
                    f"active targets have a yearly probability of being drawn below the "
                    f"floor {float(floor):g} (lowest {float(p[below].min()):.4g})",
                    rule=_FLOOR_RULE,
                )
            )
    return out


def class_frequency_problems(
    tasks: tuple[Task, ...],
    max_yearly_frequency: Mapping[RiskClass, float],
    items: ItemList,
    registry: TargetRegistry | None,
    masks: dict[Any, npt.NDArray[np.bool_]],
) -> list[Problem]:
    """One problem per class whose planned yearly selections exceed its limit."""
    out: list[Problem] = []
    load = np.zeros(0 if registry is None else len(registry), dtype=np.float64)
    if registry is not None:
        for t in tasks:
            rates = task_rates(t, registry, items, masks) * t.draws_per_year
            rows = np.flatnonzero(_mask_of(t, registry, items, masks))
            load[rows] += rates[registry.risk_codes[rows]]
    for cls, limit in max_yearly_frequency.items():
        if registry is None:
            worst = sum(
                float(t.ratios.get(cls, 0.0)) * t.draws_per_year
                for t in tasks
                if cls not in t.counts
            )
            note = " (all tasks assumed to overlap)"
        else:
            of_cls = load[registry.risk_codes == cls.value]
            worst, note = (float(of_cls.max()) if of_cls.size else 0.0), ""
        if worst > float(limit) + _TOL:
            out.append(
                Problem(
                    field="max_yearly_frequency",
                    message=f"class {cls.name}: a target is planned for {worst:.4g} "
                    f"selections a year{note}, above the limit {float(limit):.4g}",
                    rule=_CLASS_FREQ_RULE,
                )
            )
    return out


def _task_problem(out: list[Problem], row: int, t: Task) -> Callable[[str, str], None]:
    """A function that adds a problem of task ``t`` (at ``row`` of the plan) to ``out``."""

    def bad(field: str, message: str) -> None:
        out.append(Problem(row=row, id=t.id, field=field, message=message))

    return bad
