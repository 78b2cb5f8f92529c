"""The year's draws, task by task: their order, streams, sizes and frequency limits.

Invariants, each with the rule it comes from (plan §三(五); architecture principles 3, 8
and 9):

* Every draw goes through the draw engine with its own stream label
  ``"<year>/<task stream>/<batch id>"`` (``"<year>/<task stream>"`` for a split task).
  Draws run in order of their first batch's start, then the task's position in the plan.
* Sample sizes come from the task's **whole** eligible population ``N`` of the class
  (``ceil(ratio * N)`` or the count). Targets that already reached an item's yearly
  frequency limit in earlier draws of the year are then left out (MIIT: same item,
  same target at most once a year) by the draw engine's one frequency rule
  (:func:`~randsupervise.draw.frequency.frequency_exclusions`), given the year's history so
  far (:attr:`DrawRecord.history`), so each draw receipt verifies on its own with
  :func:`randsupervise.draw.verify`. If too few remain, the shortfall is recorded, never
  hidden. Reported inclusion probabilities are ``n / available``.
* A split task's selection is cut into its batches by the draw engine's batch-order rule
  (all classes merged; sizes differ by at most one; the order from the draw's own stream
  ``"<year>/<task stream>/batch-order"``), so the batch of a target is random and
  independent of its class (plan §三(二); architecture principle 9). Targets left out by
  frequency limits are listed in the draw receipt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np

from randsupervise._core.frozen import freeze
from randsupervise._core.progress import Progress
from randsupervise.cycle._engines import classes_and_probabilities, draw_counts
from randsupervise.cycle.load import _class_counts, _mask_of
from randsupervise.cycle.plan import AnnualPlan, Task
from randsupervise.cycle.visits import HitSource
from randsupervise.draw import Seed, frequency_exclusions
from randsupervise.draw.allocation import ItemRule
from randsupervise.draw.frequency import HistoryEntry
from randsupervise.model import RiskClass, TargetRegistry
from randsupervise.model.items import ItemList

__all__ = ["DrawRecord"]


@attrs.frozen(kw_only=True)
class DrawRecord:
    """One draw of the year: its task, batches, stream, sizes and selection.

    ``population`` is the task's eligible population per class, ``available`` what was
    left after frequency limits, ``sample_size`` the planned size and ``shortfall`` how
    many could not be drawn. ``selected`` is in ticket order; ``batch_of`` and
    ``probabilities`` run parallel to it.
    """

    task: str
    batches: tuple[str, ...]
    stream: str
    population: Mapping[str, int]
    available: Mapping[str, int]
    sample_size: Mapping[str, int]
    shortfall: Mapping[str, int]
    selected: tuple[str, ...]
    classes: tuple[str, ...]
    batch_of: tuple[str, ...]
    probabilities: tuple[float, ...]
    receipt: Mapping[str, Any] = attrs.field(repr=False, converter=freeze)
    history: tuple[HistoryEntry, ...] = attrs.field(default=(), repr=False)
    """The year's frequency history before this draw, for the task's items: what
    ``randsupervise.draw.verify(record.receipt, registry, history=record.history)`` needs."""

    def __repr__(self) -> str:
        sizes = ", ".join(
            f"{c}={self.sample_size[c]}/{self.population[c]}" for c in self.population
        )
        short_ = sum(self.shortfall.values())
        gap = f", shortfall {short_}" if short_ else ""
        return (
            f"<DrawRecord {self.task!r} batches {list(self.batches)} stream {self.stream!r}: "
            f"{len(self.selected)} selected ({sizes}){gap}>"
        )


def _draw_order(plan: AnnualPlan) -> list[tuple[int, Task, tuple[int, ...]]]:
    """(task position, task, batch positions) per draw, in draw order."""
    draws = []
    for pos, t in enumerate(plan.tasks):
        if t.split:
            draws.append((pos, t, tuple(range(len(t.batches)))))
        else:
            draws += [(pos, t, (b,)) for b in range(len(t.batches))]
    draws.sort(key=lambda d: (d[1].batches[d[2][0]].start, d[0], d[2][0]))
    return draws


def _draw_stream(year: int, task: Task, batch_ids: tuple[str, ...]) -> str:
    """The stream label of one draw of the year (also what an announcement lists)."""
    return f"{year}/{task.stream}" + ("" if task.split else f"/{batch_ids[0]}")


def _history(
    used: Mapping[str, np.ndarray[Any, np.dtype[np.int16]]],
    item_ids: Iterable[str],
    ids: np.ndarray[Any, Any],
) -> tuple[HistoryEntry, ...]:
    """The year's counts so far for ``item_ids``, as frequency-history entries."""
    out: list[HistoryEntry] = []
    for i in item_ids:
        rows = np.flatnonzero(used[i])
        out += zip(ids[rows].tolist(), [i] * rows.size, used[i][rows].tolist(), strict=True)
    return tuple(out)


def _draws(
    plan: AnnualPlan,
    registry: TargetRegistry,
    items: ItemList,
    *,
    seed: Seed,
    checked: dict[Any, np.ndarray[Any, np.dtype[np.bool_]]],
    version: int,
    progress: Progress | None = None,
) -> tuple[
    list[DrawRecord],
    np.ndarray[Any, np.dtype[np.int64]],
    np.ndarray[Any, np.dtype[np.int64]],
    list[HitSource],
]:
    """Every draw of the year in draw order: its record, and its hits as register rows
    with the position of their hit source; ``progress(done, total)`` after each draw."""
    year = plan.year
    n_reg = len(registry)
    risk = registry.risk_codes
    used: dict[str, np.ndarray[Any, np.dtype[np.int16]]] = {
        i: np.zeros(n_reg, dtype=np.int16) for i in plan.item_ids
    }
    sources: list[HitSource] = []
    hit_rows: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    hit_src: list[np.ndarray[Any, np.dtype[np.int64]]] = []
    records: list[DrawRecord] = []
    order = _draw_order(plan)
    for done, (pos, task, bpos) in enumerate(order, 1):
        mask = _mask_of(task, registry, items, checked)
        rules = [ItemRule.from_item(items[i]) for i in task.items]
        history = _history(used, task.items, registry.ids) if version >= 2 else ()
        avail = _available(task, mask, registry, items, rules, history, used, version)
        sizes = _sizes(task, _class_counts(task, registry, items, checked), risk[avail])
        batch_ids = tuple(task.batches[b].id for b in bpos)
        stream = _draw_stream(year, task, batch_ids)
        d = draw_counts(
            registry,
            seed=seed,
            stream=stream,
            counts=sizes.counts,
            where=task.where(items),
            excluded=registry.ids[np.flatnonzero(mask & ~avail)].tolist(),
            batches=len(bpos),
            frequency_items=rules,
            history=history,
            version=version,
            where_mask=mask,
        )
        sel_rows = d.positions
        per = np.asarray(d.batch_of, dtype=np.int64)
        classes, probabilities = classes_and_probabilities(d)
        for i in task.items:
            np.add.at(used[i], sel_rows, 1)
        hit_src.append(len(sources) + per)
        sources += _sources(task, pos, bpos, items)
        hit_rows.append(np.asarray(sel_rows, dtype=np.int64))
        records.append(
            DrawRecord(
                task=task.id,
                batches=batch_ids,
                stream=stream,
                population=sizes.population,
                available=sizes.available,
                sample_size=sizes.size,
                shortfall=sizes.short,
                selected=d.ids,
                classes=classes,
                batch_of=tuple(batch_ids[int(b)] for b in per),
                probabilities=probabilities,
                receipt=d.receipt.to_dict(),
                history=history,
            )
        )
        if progress is not None:
            progress(done, len(order))
    rows = np.concatenate(hit_rows) if hit_rows else np.zeros(0, np.int64)
    src = np.concatenate(hit_src) if hit_src else np.zeros(0, np.int64)
    return records, rows, src, sources


def _available(
    task: Task,
    mask: np.ndarray[Any, np.dtype[np.bool_]],
    registry: TargetRegistry,
    items: ItemList,
    rules: list[ItemRule],
    history: tuple[HistoryEntry, ...],
    used: Mapping[str, np.ndarray[Any, np.dtype[np.int16]]],
    version: int,
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """The eligible rows of a draw that have not reached an item's frequency limit
    (the one rule, ``frequency_exclusions``, from version 2)."""
    avail: np.ndarray[Any, np.dtype[np.bool_]] = mask.copy()
    if version >= 2:
        reached, _, _ = frequency_exclusions(registry, rules, history)
        if reached:
            avail[registry.index_of(list(reached))] = False
    else:  # version 1 counted the limits here; kept to verify its receipts
        for i in task.items:
            avail &= used[i] < items[i].yearly_frequency_limit
    return avail


@attrs.frozen(kw_only=True)
class _Sizes:
    """Per class of one draw: population, available, sample size, shortfall, and the
    count actually drawn."""

    population: dict[str, int]
    available: dict[str, int]
    size: dict[str, int]
    short: dict[str, int]
    counts: dict[RiskClass, int]


def _sizes(
    task: Task,
    pop_of: np.ndarray[Any, np.dtype[np.int64]],
    available_risk: np.ndarray[Any, Any],
) -> _Sizes:
    av_of = np.bincount(available_risk, minlength=len(RiskClass))
    out = _Sizes(population={}, available={}, size={}, short={}, counts={})
    for cls in task.classes:
        n_pop = int(pop_of[cls.value])
        n_av = int(av_of[cls.value])
        n = task.sample_size(cls, n_pop)
        out.population[cls.name], out.available[cls.name] = n_pop, n_av
        out.size[cls.name], out.short[cls.name] = n, max(0, n - n_av)
        out.counts[cls] = min(n, n_av)
    return out


def _sources(task: Task, pos: int, bpos: tuple[int, ...], items: ItemList) -> list[HitSource]:
    """One hit source per batch of a draw: what its hits become visits of."""
    qualifications = frozenset().union(*(items[i].required_qualifications for i in task.items))
    return [
        HitSource(
            task=task.id,
            task_pos=pos,
            batch=task.batches[b].id,
            items=task.items,
            lead=task.lead_department,
            departments=task.departments,
            qualifications=qualifications,
            start=task.batches[b].start,
            end=task.batches[b].end,
            experts=task.experts,
            expert_tags=task.expert_tags,
        )
        for b in bpos
    ]
