"""Planned load: how often the plan means to select a target, and with what probability.

Invariants, each with the rule it comes from:

* The *planned load* of a target is the sum, over every draw of the year that could
  select it, of that draw's rate ``n / N`` (:func:`_planned_load`). If the draws of a
  class add up to more than ``limit * N`` selections, some target must be selected more
  than ``limit`` times: the pigeonhole bound behind the frequency limits (MIIT rules:
  same item, same target at most once a year; 无事不扰, plan §三(五)).
* A target's **yearly probability** of being drawn is ``1 - prod(1 - n_d / N_d)`` over
  the draws whose population holds it: draws use independent streams (architecture
  principle 9). :func:`yearly_probabilities` is the one place this rule lives; the
  plan's floor check and :func:`randsupervise.metrics.yearly_inclusion` use it
  (architecture principle 8).
* A task's eligible mask is computed once per check and per distinct filter
  (:func:`_mask_of`): no second pass over the register (architecture principle 7). The
  plan's checks and the year's report (:func:`eligible_masks`) share this one mechanism.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from randsupervise.cycle.tasks import Task
from randsupervise.model import RiskClass, TargetRegistry
from randsupervise.model.items import ItemList

__all__ = ["eligible_masks", "yearly_probabilities"]


def task_rates(
    t: Task,
    registry: TargetRegistry,
    items: ItemList,
    masks: dict[Any, npt.NDArray[np.bool_]],
) -> npt.NDArray[np.float64]:
    """A task's rate ``n / N`` per risk class code, for one of its draws."""
    n_cls = _class_counts(t, registry, items, masks)
    rates = np.zeros(len(RiskClass), dtype=np.float64)
    for cls in t.classes:
        n = int(n_cls[cls.value])
        rates[cls.value] = t.sample_size(cls, n) / n if n else 0.0
    return rates


def _mask_of(
    t: Task, registry: TargetRegistry, items: ItemList, masks: dict[Any, npt.NDArray[np.bool_]]
) -> npt.NDArray[np.bool_]:
    """A task's eligible mask, computed once per check and per distinct filter.

    Tasks whose draw filters (:meth:`Task.where`) are equal share one mask.
    """
    key = ("where", tuple((k, tuple(v)) for k, v in t.where(items).items()))
    if key not in masks:
        masks[key] = t.eligible_mask(registry, items)
        masks[key].setflags(write=False)
    return masks[key]


def eligible_masks(
    tasks: Iterable[Task], registry: TargetRegistry, items: ItemList
) -> dict[str, npt.NDArray[np.bool_]]:
    """Each task's eligible mask (read-only) by task id, one pass over the register per
    distinct filter: tasks whose filters (:meth:`Task.where`) are equal share one mask.

    Examples:
        >>> from randsupervise.cycle.sample import sample_year
        >>> y = sample_year()
        >>> m = eligible_masks(y.run.plan.tasks, y.registry, y.items)
        >>> all((m[t.id] == t.eligible_mask(y.registry, y.items)).all() for t in y.run.plan.tasks)
        True
    """
    masks: dict[Any, npt.NDArray[np.bool_]] = {}
    return {t.id: _mask_of(t, registry, items, masks) for t in tasks}


def _class_counts(
    t: Task, registry: TargetRegistry, items: ItemList, masks: dict[Any, npt.NDArray[np.bool_]]
) -> npt.NDArray[np.int64]:
    """Eligible targets of the task per risk class code (one pass over its mask)."""
    key = ("counts", t.id)
    if key not in masks:
        mask = _mask_of(t, registry, items, masks)
        n = np.bincount(registry.risk_codes[mask], minlength=len(RiskClass))
        masks[key] = n  # type: ignore[assignment]
    return masks[key]  # type: ignore[return-value]


def _planned_load(
    tasks: list[Task],
    cls: RiskClass,
    items: ItemList,
    registry: TargetRegistry | None,
    masks: dict[Any, npt.NDArray[np.bool_]],
) -> tuple[float | None, float, str]:
    """Planned selections per target of class ``cls`` for the item of ``tasks``.

    Returns ``(frequency load, nominal ratio, note)``. The frequency load uses the
    rounded sample sizes ``n / N`` (what the pigeonhole bound needs); the nominal ratio
    compared with a general item's cap uses the ratios as written (a count counts as
    ``count / N``), since rounding up to a whole target is what "at least r" means.
    """
    if registry is None:
        total = 0.0
        for t in tasks:
            if cls in t.counts:
                continue  # a count's rate needs the register; run_plan checks it
            total += float(t.ratios.get(cls, 0.0)) * t.draws_per_year
        return (total if total > 0 else None), total, " (all tasks assumed to overlap)"
    if len(tasks) == 1:
        # one draw source: every eligible target of the class carries the same load
        t = tasks[0]
        n_pop = int(_class_counts(t, registry, items, masks)[cls.value])
        if n_pop == 0:
            return None, 0.0, ""
        one = 0.0 + t.sample_size(cls, n_pop) / n_pop * t.draws_per_year
        if cls in t.counts:
            nom = 0.0 + min(int(t.counts[cls]), n_pop) / n_pop * t.draws_per_year
        else:
            nom = 0.0 + float(t.ratios.get(cls, 0.0)) * t.draws_per_year
        return (one if one > 0 else None), max(nom, 0.0), ""
    risk = registry.risk_codes == cls.value
    load = np.zeros(len(registry), dtype=np.float64)
    nominal = np.zeros(len(registry), dtype=np.float64)
    for t in tasks:
        mask = _mask_of(t, registry, items, masks) & risk
        n_pop = int(np.count_nonzero(mask))
        if n_pop == 0:
            continue
        load[mask] += t.sample_size(cls, n_pop) / n_pop * t.draws_per_year
        if cls in t.counts:
            nominal[mask] += min(int(t.counts[cls]), n_pop) / n_pop * t.draws_per_year
        else:
            nominal[mask] += float(t.ratios.get(cls, 0.0)) * t.draws_per_year
    mx = float(load.max()) if load.size else 0.0
    return (mx if mx > 0 else None), float(nominal.max()) if nominal.size else 0.0, ""


def yearly_probabilities(
    registry: TargetRegistry,
    draws: Iterable[tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64], int]],
) -> npt.NDArray[np.float64]:
    """Each register row's probability of being drawn at least once in the year.

    ``draws`` holds, per draw source, the rows it draws from (a mask), the rate per
    risk class code (``n / N``) and how many times it draws (its batches, 1 for a split
    task). Draws use independent streams, so the probability of never being drawn is the
    product of ``1 - rate`` (architecture principle 8). This is the one place the rule lives:
    the plan's floor check and :func:`randsupervise.metrics.yearly_inclusion` use it.

    Examples:
        >>> reg = TargetRegistry.from_columns(id=["a", "b"], risk_class=["A", "D"])
        >>> both = np.ones(2, dtype=bool)
        >>> rates = np.asarray([0.5, 0.0, 0.0, 1.0])
        >>> yearly_probabilities(reg, [(both, rates, 2)]).tolist()
        [0.75, 1.0]
    """
    miss = np.ones(len(registry), dtype=np.float64)
    risk = registry.risk_codes
    for mask, rates, times in draws:
        rows = np.flatnonzero(mask)
        miss[rows] *= (1.0 - np.clip(rates[risk[rows]], 0.0, 1.0)) ** int(times)
    out: npt.NDArray[np.float64] = 1.0 - miss
    return out


def _overall_ratio(
    tasks: list[Task],
    items: ItemList,
    registry: TargetRegistry | None,
    masks: dict[Any, npt.NDArray[np.bool_]],
) -> tuple[float, str]:
    """An item's overall yearly ratio: planned selections over its eligible population.

    Without a register, the smallest class ratio (a lower bound of the overall one).
    """
    if registry is None:
        lows = []
        for cls in RiskClass:
            total = sum(
                float(t.ratios.get(cls, 0.0)) * t.draws_per_year
                for t in tasks
                if cls not in t.counts
            )
            lows.append(total)
        return min(lows), " (at least: the smallest class ratio, without a register)"
    eligible = np.zeros(len(registry), dtype=bool)
    selections = 0.0
    for t in tasks:
        mask = _mask_of(t, registry, items, masks)
        eligible |= mask
        n_cls = _class_counts(t, registry, items, masks)
        for cls in t.classes:
            n = int(n_cls[cls.value])
            if cls in t.counts:
                selections += min(int(t.counts[cls]), n) * t.draws_per_year
            else:
                selections += float(t.ratios.get(cls, 0.0)) * n * t.draws_per_year
    n_all = int(eligible.sum())
    return (selections / n_all if n_all else 0.0), ""
