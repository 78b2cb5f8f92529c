"""Draws from a Dask dataframe: the same draw and receipt, partition by partition.

Invariants (architecture principle 3):

* Dask is an optional extra (``pip install 'randsupervise[dask]'``). This module imports
  it only inside functions, so ``import randsupervise`` never needs it.
* Every partition becomes a register (:class:`~randsupervise.model.TargetRegistry`,
  validated like any other) and is cut into its own smallest tickets per stratum
  (:func:`~randsupervise.draw.partition.shard_candidates`); the candidates are merged
  (:func:`~randsupervise.draw.partition.merge_candidates`). The result, the register digest
  and the receipt are **identical** to those of :func:`~randsupervise.draw.engine.draw`
  on the whole register in memory, for any number of partitions.
* Two passes over the data: the first counts the eligible units per stratum (the
  allocation needs the global populations), the second keeps the candidates. By default
  each pass builds a partition's register where the partition is read and drops it when
  the partition is done, so a worker holds one partition's register at a time and the
  register is never gathered anywhere; ids are then hashed in both passes. With
  ``persist=True`` the registers stay in the cluster's memory between the passes and ids
  are hashed once (only worth it on a distributed cluster with room for the whole
  register: a local ``"processes"`` scheduler would gather them to the client).
* What the client receives: per partition its populations, its candidates (at most the
  sample size per stratum) and its sorted id fingerprints and row hashes (8 bytes each
  per unit: the register digest and the duplicate-id check need every unit's, so the
  client holds 16 bytes per unit, 3.2 GB for 200 million).
* Supported: the equal-probability method (``"smallest"``) with ratios, counts, default
  ratio, rounding, minimum per stratum, item caps, targeted-draw filters, batches and
  frequency-limit histories. Burden spreading (a policy with a ``floor``) and the
  unequal-probability methods are refused (``docs/howto/dask.md`` says what they would
  take).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise.draw.allocation import StratumAllocation, allocate
from randsupervise.draw.engine import (
    DrawPolicy,
    HistoryEntry,
    _policy_from_arguments,
    _present,
    batch_order,
    frequency_reached,
    frequency_record,
)
from randsupervise.draw.partition import (
    MergedDraw,
    ShardCandidates,
    merge_candidates,
    order_by_ticket,
    shard_candidates,
    stratum_codes,
)
from randsupervise.draw.receipt import Receipt, receipt_from_parts, stratum_record
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.targets import TargetRegistry
from randsupervise.tickets.seed import Seed, as_seed

__all__ = ["DaskDraw", "draw_dask"]

#: Register columns read from the dataframe when present (``id`` comes from ``id_column``).
_COLUMNS = ("risk_class", "name", "kind", "region", "industry", "status", "weight")


@attrs.frozen(kw_only=True)
class DaskDraw:
    """The result of :func:`draw_dask`.

    Attributes:
        merged: per stratum the population and the selected ids with their tickets.
        allocation: per stratum its :class:`~randsupervise.draw.allocation.StratumAllocation`.
        receipt: the draw's :class:`~randsupervise.draw.receipt.Receipt`, identical to the
            in-memory draw's.
        n_partitions: how many partitions the dataframe had.
    """

    merged: MergedDraw
    allocation: Mapping[str, StratumAllocation]
    receipt: Receipt
    n_partitions: int

    @property
    def ids(self) -> tuple[str, ...]:
        """Every selected id, all strata merged in ticket order (the inspection order)."""
        return _merged_ids(self.merged)


def _merged_ids(m: MergedDraw) -> tuple[str, ...]:
    ids = [i for s in m.strata.values() for i in s.selected]
    tk = np.asarray([t for s in m.strata.values() for t in s.tickets], dtype=np.uint64)
    order = order_by_ticket(tk, ids) if ids else np.zeros(0, dtype=np.int64)
    return tuple(ids[k] for k in order.tolist())


def _partition_registry(part: Any, index: int, id_column: str) -> TargetRegistry:
    """One pandas partition as a validated register."""
    if id_column not in part.columns or "risk_class" not in part.columns:
        raise ValidationError(
            [
                Problem(
                    field=id_column,
                    message=f"the dataframe needs columns {id_column!r} and 'risk_class'",
                )
            ],
            what=f"partition {index}",
        )
    cols = {c: part[c].to_numpy() for c in _COLUMNS if c in part.columns}
    try:
        return TargetRegistry.from_columns(id=part[id_column].to_numpy(), **cols)
    except ValidationError as e:
        raise ValidationError(
            e.problems, what=f"partition {index} (rows counted within it)"
        ) from None


def _eligible(
    reg: TargetRegistry, policy: DrawPolicy, reached: list[str]
) -> tuple[npt.NDArray[np.bool_] | None, list[str]]:
    """The partition's eligible rows (the ``where`` filter, then without the ids that
    reached a frequency limit, as :func:`~.engine.run_policy` forms them) and the
    partition's excluded ids."""
    m = reg.mask(**{k: list(v) for k, v in policy.where.items()}) if policy.where else None
    excluded = _present(reg, reached) if reached else []
    if excluded:
        if m is None:
            m = np.ones(len(reg), dtype=bool)
        m[reg.index_of(excluded)] = False
    return m, excluded


def _counts(
    reg: TargetRegistry, policy: DrawPolicy, reached: list[str]
) -> tuple[dict[str, int], list[str]]:
    m, excluded = _eligible(reg, policy, reached)
    labels, codes = stratum_codes(reg, policy.stratify)
    if m is not None:
        codes = codes[m]
    counts = np.bincount(codes, minlength=len(labels)) if codes.size else np.zeros(len(labels))
    return {lab: int(c) for lab, c in zip(labels, counts.tolist(), strict=True)}, excluded


def _candidates(
    reg: TargetRegistry,
    policy: DrawPolicy,
    seed: Seed,
    stream: str,
    sizes: dict[str, int],
    reached: list[str],
) -> ShardCandidates:
    return shard_candidates(
        reg,
        seed=seed,
        stream=stream,
        sizes=sizes,
        stratum_column=policy.stratify,
        mask=_eligible(reg, policy, reached)[0],
    )


def _partition_counts(
    part: Any, index: int, id_column: str, policy: DrawPolicy, reached: list[str]
) -> tuple[dict[str, int], list[str]]:
    return _counts(_partition_registry(part, index, id_column), policy, reached)


def _partition_candidates(
    part: Any,
    index: int,
    id_column: str,
    policy: DrawPolicy,
    seed: Seed,
    stream: str,
    sizes: dict[str, int],
    reached: list[str],
) -> ShardCandidates:
    reg = _partition_registry(part, index, id_column)
    return _candidates(reg, policy, seed, stream, sizes, reached)


def draw_dask(
    ddf: Any,
    *,
    seed: Seed | str,
    stream: str,
    ratios: Mapping[str, float] | None = None,
    counts: Mapping[str, int] | None = None,
    default_ratio: float | None = None,
    stratify: str | None = "risk_class",
    rounding: str = "ceil",
    min_per_stratum: int = 0,
    item: object | None = None,
    where: Mapping[str, object] | None = None,
    batches: int = 1,
    history: Iterable[HistoryEntry] | None = None,
    policy: DrawPolicy | None = None,
    id_column: str = "id",
    scheduler: str | None = None,
    persist: bool = False,
) -> DaskDraw:
    """Draw from a Dask dataframe, partition by partition, as :func:`~.engine.draw` would.

    Args:
        ddf: a ``dask.dataframe.DataFrame`` with the register's columns: ``id_column`` and
            ``risk_class`` required; ``name``, ``kind``, ``region``, ``industry``,
            ``status``, ``weight`` read when present (as by
            :meth:`~randsupervise.model.TargetRegistry.from_columns`).
        seed: a :class:`~randsupervise.tickets.seed.Seed`, or public text.
        stream: the stream label of the draw.
        ratios: stratum -> fraction of its population (as for
            :func:`~randsupervise.draw.engine.draw`, method ``"smallest"``).
        counts: stratum -> number of units.
        default_ratio: ratio of strata named in neither mapping.
        stratify: the column whose categories are the strata, or ``None``.
        rounding: ``"ceil"``, ``"floor"`` or ``"half_up"``.
        min_per_stratum: least sample size of a non-empty stratum.
        item: the item drawn for (its cap applies).
        where: targeted-draw filter, column -> accepted values.
        batches: number of batches the selection is cut into (by the in-memory draw's rule,
            :func:`~randsupervise.draw.engine.batch_order`).
        history: ``(unit id, item id, count this year)`` entries: units whose count
            reached an item's yearly frequency limit are left out, as by
            :func:`~randsupervise.draw.engine.draw` (the ids that reached a limit are
            found once and each partition leaves out those it holds).
        policy: a ready :class:`~randsupervise.draw.engine.DrawPolicy` instead of the
            arguments above.
        id_column: the column holding the ids.
        scheduler: passed to ``dask.compute`` (``"synchronous"``, ``"threads"``, ...);
            ``None`` uses dask's default or an active distributed client.
        persist: keep the partitions' registers in the cluster's memory between the two
            passes (ids hashed once) instead of building them in each pass (a worker then
            holds one partition's register at a time). Either way the result is the same.

    Returns:
        The merged selection, the allocation and the receipt, identical to the in-memory
        draw's.

    Raises:
        ValidationError: a bad policy or register (a partition's problems name the
            partition, rows counted within it), a duplicate id across partitions, an
            unsupported method, or ``policy=`` together with policy arguments.

    Examples:
        >>> import pandas as pd, dask.dataframe as dd
        >>> from randsupervise.draw.engine import draw
        >>> df = pd.DataFrame({"id": [f"T{i:03}" for i in range(40)],
        ...                    "risk_class": ["A", "B", "C", "D"] * 10})
        >>> d = draw_dask(dd.from_pandas(df, npartitions=4), seed="demo", stream="s",
        ...               ratios={"A": 0.2, "D": 1.0}, scheduler="synchronous")
        >>> reg = TargetRegistry.from_columns(id=df["id"].tolist(),
        ...                                   risk_class=df["risk_class"].tolist())
        >>> d.receipt == draw(reg, seed="demo", stream="s", ratios={"A": 0.2, "D": 1.0}).receipt
        True
    """
    import dask as _dask  # optional extra: imported here so the core never needs it

    dask: Any = _dask  # dask's own annotations are partial

    policy = _policy_from_arguments(
        policy,
        stratify=stratify,
        ratios=ratios,
        counts=counts,
        default_ratio=default_ratio,
        rounding=rounding,
        min_per_stratum=min_per_stratum,
        item=item,
        where=where,
        batches=batches,
    )
    if policy.method != "smallest":
        raise ValidationError(
            [
                Problem(
                    field="method",
                    message=f"draw_dask supports the 'smallest' method, not {policy.method!r}",
                )
            ]
        )
    if policy.floor is not None:
        raise ValidationError(
            [
                Problem(
                    field="floor",
                    message="draw_dask does not spread the burden over a history (floor): "
                    "draw in memory with draw(..., burden=..., floor=...)",
                )
            ]
        )
    seed = as_seed(seed)
    # the frequency rule's register-free half, once (it validates the history too)
    reached, history_digest, history_entries = frequency_reached(policy.limited_items, history)
    compute_kw: dict[str, Any] = {} if scheduler is None else {"scheduler": scheduler}

    parts = ddf.to_delayed()
    if persist:
        regs = [dask.delayed(_partition_registry)(p, i, id_column) for i, p in enumerate(parts)]
        regs = list(dask.persist(*regs, **compute_kw))
        count_tasks = [dask.delayed(_counts)(r, policy, reached) for r in regs]
    else:
        count_tasks = [
            dask.delayed(_partition_counts)(p, i, id_column, policy, reached)
            for i, p in enumerate(parts)
        ]
    per_part = dask.compute(*count_tasks, **compute_kw)
    populations: dict[str, int] = {}
    excluded: list[str] = []
    for c, ex in per_part:
        excluded += ex
        for label, k in c.items():
            populations[label] = populations.get(label, 0) + k
    alloc = allocate(
        populations,
        ratios=policy.ratios,
        counts=policy.counts,
        default_ratio=policy.default_ratio,
        rounding=policy.rounding,
        min_per_stratum=policy.min_per_stratum,
        item=policy.item,
    )
    sizes = {label: a.sample_size for label, a in alloc.items()}
    if persist:
        cand_tasks = [
            dask.delayed(_candidates)(r, policy, seed, stream, sizes, reached) for r in regs
        ]
    else:
        cand_tasks = [
            dask.delayed(_partition_candidates)(
                p, i, id_column, policy, seed, stream, sizes, reached
            )
            for i, p in enumerate(parts)
        ]
    shards = dask.compute(*cand_tasks, **compute_kw)
    merged = merge_candidates(list(shards))
    if merged.registry_digest is None:  # pragma: no cover - registers always hand in hashes
        raise ValidationError([Problem(message="a partition gave no row hashes")])

    records: dict[str, dict[str, Any]] = {}
    for label, a in alloc.items():
        s = merged.strata[label]
        pi = a.sample_size / a.population if a.population else 0.0
        records[label] = stratum_record(
            allocation=a,
            note=a.note,
            inclusion_probability=pi,
            expected_size=float(a.sample_size),
            selected=s.selected,
            tickets=s.tickets,
            probabilities=[pi] * s.sample_size,
        )
    # the receipt is assembled by the same function as the in-memory draw's
    receipt = receipt_from_parts(
        seed=seed,
        stream=stream,
        registry_digest=merged.registry_digest,
        registry_size=merged.n_units,
        policy=policy.to_record(),
        frequency_limit=frequency_record(
            policy,
            excluded=sorted(excluded, key=lambda u: u.encode("utf-8")),
            history_digest=history_digest,
            history_entries=history_entries,
        ),
        strata=records,
        batches=(
            batch_order(_merged_ids(merged), seed=seed, stream=stream, batches=policy.batches)
            if policy.batches > 1
            else None
        ),
    )
    return DaskDraw(merged=merged, allocation=alloc, receipt=receipt, n_partitions=len(parts))
