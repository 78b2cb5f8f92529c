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
* Two passes over the data: the first counts the eligible units per stratum and, under
  burden spreading, per period each unit was last inspected in (the allocation and the
  tiers need the global counts), the second keeps the candidates. By default
  each pass builds a partition's register where the partition is read and drops it when
  the partition is done, so a worker holds one partition's register at a time and the
  register is never gathered anywhere. With ``persist=True`` the registers stay in the
  cluster's memory between the passes (only worth it on a distributed cluster with room
  for the whole register: a local ``"processes"`` scheduler would gather them to the
  client).
* Each id is hashed once, in the second pass. Both passes check every row as
  :meth:`~randsupervise.model.TargetRegistry.from_columns` does, but a partition's
  register hashes its ids (ticket spec v1, step 1) only when a step asks for their
  fingerprints, and checks them for duplicates then
  (:func:`~randsupervise.model.targets.unhashed_registry`): counting needs none, and a
  frequency history's few ids are found by their text. Only the register's columns are
  read from the frame (a Parquet source then reads only those), and ASCII text held by
  Arrow becomes numpy text without a Python object per cell.
* What the client receives: per partition its populations, its candidates (at most the
  sample size per stratum) and its sorted id fingerprints and row hashes (8 bytes each
  per unit: the register digest and the duplicate-id check need every unit's, so the
  client holds 16 bytes per unit, 3.2 GB for 200 million).
* The result is a :class:`~randsupervise.draw.result.Draw` like any other, holding no
  register (``registry`` is ``None``): per stratum the selected ids and tickets, the
  register's digest and size, the batches and the receipt.
* **Burden spreading** (a policy's ``floor`` with a history's ``periods``): the history
  (visits: O(sample), not O(register)) is one task of the graph that every partition
  reads; each partition matches its units' last inspected period through its register's
  fingerprints, as the in-memory draw does, and counts them per (stratum, period). The
  client forms each stratum's tiers by the in-memory draw's own tier rule
  (:mod:`~randsupervise.draw.coordination`); the second pass keeps per (stratum, tier)
  the tier's ``n_j`` smallest tickets (:func:`~.partition.shard_candidates` with the
  strata refined by tier), and the merge gives each stratum's selection in ticket order
  with each unit's ``n_j / s_j``. The receipt, ``burden`` record included, is the
  in-memory one.
* Supported: the equal-probability method (``"smallest"``) with ratios, counts, default
  ratio, rounding, minimum per stratum, item caps, targeted-draw filters, batches,
  frequency-limit histories and burden spreading. The unequal-probability methods are
  refused (``docs/howto/dask.md`` says what they would take). A history kept as Dask
  dataframes (partitioned Parquet) is read by
  :func:`~randsupervise.draw.dask_history.history_from_dask`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.frozen import readonly
from randsupervise.draw.allocation import StratumAllocation
from randsupervise.draw.coordination import NEVER, BurdenHistory, BurdenTier, _stratum_tiers
from randsupervise.draw.dask_history import history_from_dask
from randsupervise.draw.engine import _check_burden
from randsupervise.draw.frequency import frequency_reached, present_ids
from randsupervise.draw.history import History, as_history
from randsupervise.draw.partition import (
    MergedDraw,
    ShardCandidates,
    merge_candidates,
    shard_candidates,
    smallest_tickets,
    stratum_codes,
)
from randsupervise.draw.policy import DrawPolicy, Method, policy_of
from randsupervise.draw.result import Draw, StratumDraw
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.targets import TargetRegistry, unhashed_registry
from randsupervise.tickets.seed import Seed, as_seed

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from randsupervise.draw.policy import DrawOptions

__all__ = ["draw_dask", "history_from_dask"]

#: Register columns read from the dataframe when present (``id`` comes from ``id_column``).
_COLUMNS = ("risk_class", "name", "kind", "region", "industry", "status", "weight")


def _text_cells(series: Any) -> Any:
    """A column's cells for the register build. ASCII text held by Arrow (what
    ``read_parquet`` gives) becomes a numpy str array straight from Arrow's buffers:
    equal to ``np.asarray(series.tolist(), dtype=str)``, without a Python object per
    cell. Anything else (other text, missing cells, a NUL, numbers) is
    ``series.to_numpy()``, checked by the register build as before."""
    cells = _ascii_cells(series)
    return series.to_numpy() if cells is None else cells


def _ascii_cells(series: Any) -> npt.NDArray[np.str_] | None:
    arrow = getattr(series.array, "__arrow_array__", None)
    if arrow is None or not len(series):
        return None
    import pyarrow as pa  # present whenever pandas holds a column in Arrow
    import pyarrow.compute as pc

    data = arrow()
    if not (pa.types.is_string(data.type) or pa.types.is_large_string(data.type)):
        return None
    if data.null_count or not pc.all(pc.string_is_ascii(data)).as_py():
        return None
    wide = np.int64 if pa.types.is_large_string(data.type) else np.int32
    parts = [_ascii_chunk(c, wide) for c in data.chunks if len(c)]
    if any(p is None for p in parts):
        return None
    return np.concatenate([p for p in parts if p is not None])


def _ascii_chunk(chunk: Any, wide: type[np.integer[Any]]) -> npt.NDArray[np.str_] | None:
    """One Arrow chunk of ASCII strings (no nulls) as a numpy str array, as wide as its
    longest string (at least 1), as numpy sizes a list of str; ``None`` if a string
    holds a NUL (numpy would drop a trailing one: the Python path names it)."""
    _, offsets_buf, data_buf = chunk.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=wide)[chunk.offset : chunk.offset + len(chunk) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]]
    if np.any(data == 0):
        return None
    lengths = np.diff(offsets).astype(np.int64)
    width = max(int(lengths.max()), 1)
    units = np.zeros((len(chunk), width), dtype=np.uint32)
    if lengths.min() == lengths.max():
        units[:, : lengths[0]] = data.reshape(len(chunk), -1)
    else:
        rows = np.repeat(np.arange(len(chunk)), lengths)
        starts = np.repeat(offsets[:-1] - offsets[0], lengths)
        units[rows, np.arange(data.size) - starts] = data
    out: npt.NDArray[np.str_] = units.view(f"U{width}").reshape(-1)
    return out


def _partition_registry(
    part: Any, index: int, id_column: str, hash_ids: bool = True
) -> TargetRegistry:
    """One pandas partition as a validated register; without ``hash_ids`` its ids are
    hashed when a step first asks for their fingerprints (and checked for duplicates
    then: :func:`~randsupervise.model.targets.unhashed_registry`)."""
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
    cols = {c: _text_cells(part[c]) for c in _COLUMNS if c in part.columns}
    build = TargetRegistry.from_columns if hash_ids else unhashed_registry
    try:
        return build(id=_text_cells(part[id_column]), **cols)
    except ValidationError as e:
        raise ValidationError(e.problems, what=_where(index)) from None


def _where(index: int) -> str:
    return f"partition {index} (rows counted within it)"


def _eligible(
    reg: TargetRegistry, policy: DrawPolicy, reached: list[str]
) -> tuple[npt.NDArray[np.bool_] | None, list[str]]:
    """The partition's eligible rows (the ``where`` filter, then without the ids that
    reached a frequency limit, as :func:`~.engine.run_policy` forms them) and the
    partition's excluded ids."""
    m = reg.mask(**{k: list(v) for k, v in policy.where.items()}) if policy.where else None
    excluded = present_ids(reg, reached) if reached else []
    if excluded:
        if m is None:
            m = np.ones(len(reg), dtype=bool)
        m[reg.index_of(excluded)] = False
    return m, excluded


def _counts(
    reg: TargetRegistry, policy: DrawPolicy, reached: list[str], burden: BurdenHistory | None
) -> tuple[PeriodCounts, list[str]]:
    """Pass 1 on one partition: its eligible units per stratum and last inspected period
    (:data:`~.coordination.NEVER` only, without a burden history), and its excluded ids."""
    m, excluded = _eligible(reg, policy, reached)
    labels, codes = stratum_codes(reg, policy.stratify)
    width = _width(burden)
    key = codes.astype(np.int64) * width + _period_codes(reg, burden)
    if m is not None:
        key = key[m]
    counts = np.bincount(key, minlength=len(labels) * width).reshape(len(labels), width)
    out = {lab: {p + NEVER: c for p, c in enumerate(row) if c}
           for lab, row in zip(labels, counts.tolist(), strict=True)}  # fmt: skip
    return out, excluded


def _candidates(
    reg: TargetRegistry,
    policy: DrawPolicy,
    seed: Seed,
    stream: str,
    sizes: dict[str, int],
    reached: list[str],
    burden: BurdenHistory | None,
    tier_codes: dict[str, dict[int, int]],
) -> ShardCandidates:
    """Pass 2 on one partition: its smallest tickets per (stratum, tier), the tiers
    numbered by the client (``tier_codes``: stratum -> period -> tier code, the codes
    naming the ``sizes``)."""
    labels, codes = stratum_codes(reg, policy.stratify)
    table = np.full((len(labels), _width(burden)), -1, dtype=np.int64)
    for c, label in enumerate(labels):
        for period, k in tier_codes.get(label, {}).items():
            table[c, period - NEVER] = k
    return shard_candidates(
        reg,
        seed=seed,
        stream=stream,
        sizes=sizes,
        stratum_column=policy.stratify,
        mask=_eligible(reg, policy, reached)[0],
        strata=([str(k) for k in range(len(sizes))], table[codes, _period_codes(reg, burden)]),
    )


def _from_partition(
    part: Any, index: int, id_column: str, step: Callable[..., Any], *args: Any
) -> Any:
    """``step`` applied to the partition's register, built where the partition is read.

    The ids are hashed only if the step asks for their fingerprints (the counting pass
    does not; a frequency history's few ids are found by their text)."""
    return _on_register(_partition_registry(part, index, id_column, False), index, step, *args)


def _numbered(
    part: Any, id_column: str, step: Callable[..., Any], *args: Any, partition_info: Any = None
) -> Any:
    """:func:`_from_partition` as dask's ``map_partitions`` calls it."""
    index = partition_info["number"] if partition_info else 0
    return _from_partition(part, index, id_column, step, *args)


def _on_register(reg: TargetRegistry, index: int, step: Callable[..., Any], *args: Any) -> Any:
    """``step(reg, *args)``; a problem of the register found then (a duplicate id, when
    the ids are hashed) names the partition, as one found at the build does."""
    try:
        return step(reg, *args)
    except ValidationError as e:
        if e.what != "TargetRegistry":
            raise
        raise ValidationError(e.problems, what=_where(index)) from None


def _dask_policy(policy: DrawPolicy, hist: History) -> None:
    """Refuse what a partitioned draw does not compute (module notes), and what no draw
    path does (a floor without a history: the engine's own rule)."""
    if policy.method != Method.SMALLEST:
        message = f"draw_dask supports the 'smallest' method, not {policy.method.value!r}"
        raise ValidationError([Problem(field="method", message=message)])
    _check_burden(policy, hist.periods)


def _strata(
    alloc: dict[str, StratumAllocation],
    merged: MergedDraw,
    plan: TierPlan,
    policy: DrawPolicy,
    burden: BurdenHistory | None,
) -> dict[str, StratumDraw]:
    """Each stratum of the merged selection as a :class:`StratumDraw` holding its ids:
    its tiers' selections in ticket order, each unit with its tier's ``n_j / s_j``."""
    out: dict[str, StratumDraw] = {}
    for label in sorted(alloc):
        a, tiers = alloc[label], plan[label]
        ids, tk, probs = _tier_selections(merged, tiers)
        order = smallest_tickets(tk, ids, tk.size)
        n, big_n = a.sample_size, a.population
        pi = (n / big_n if big_n else 0.0) if len(tiers) <= 1 else None
        out[label] = StratumDraw(
            label=label, allocation=a, population=big_n,
            positions=readonly(np.arange(order.size, dtype=np.int64)),
            tickets=readonly(tk[order]), probabilities=readonly(probs[order]),
            inclusion_probability=pi, expected_size=float(n), note=a.note,
            population_positions=np.zeros(0, dtype=np.int64), population_probabilities=None,
            register_ids=ids[order],
            floor=None if burden is None else policy.floor_of(label),
            tiers=None if burden is None else tuple(t for _, t in tiers),
        )  # fmt: skip
    return out


def _register_columns(frame: Any, id_column: str) -> Any:
    """The frame without the columns a register does not read, so that a Parquet
    source reads only those (dask pushes the selection down to the files)."""
    names = [c for c in dict.fromkeys((id_column, *_COLUMNS)) if c in frame.columns]
    return frame[names] if len(names) < len(frame.columns) else frame


def _runner(
    frame: Any, id_column: str, scheduler: str | None, persist: bool
) -> Callable[..., list[Any]]:
    """A pass over the partitions: ``each(step, *args)`` is ``step(register, *args)`` of
    every partition, computed by dask. With ``persist`` the registers are built once and
    kept in the cluster's memory; otherwise each pass builds them where it reads them."""
    import dask as _dask  # optional extra: imported here so the core never needs it

    dask: Any = _dask  # dask's own annotations are partial
    kw: dict[str, Any] = {} if scheduler is None else {"scheduler": scheduler}
    frame = _register_columns(frame, id_column)
    parts = frame.to_delayed() if persist else []
    regs = (
        list(dask.persist(*[dask.delayed(_partition_registry)(p, i, id_column, False)
                            for i, p in enumerate(parts)], **kw))
        if persist
        else []
    )  # fmt: skip

    def each(step: Callable[..., Any], *args: Any) -> list[Any]:
        if persist:
            tasks = [dask.delayed(_on_register)(r, i, step, *args) for i, r in enumerate(regs)]
            return list(dask.compute(*tasks, **kw))
        # reading a partition and its step are one task: the partition's rows never
        # leave the worker that reads them (a local process pool would otherwise send
        # every partition to the client and back)
        out = frame.map_partitions(_numbered, id_column, step, *args, meta=(None, object),
                                   enforce_metadata=False, align_dataframes=False)  # fmt: skip
        return list(dask.compute(*out.to_delayed(), **kw))

    return each


def draw_dask(
    frame: Any,
    policy: DrawPolicy | None = None,
    *,
    seed: Seed | str,
    stream: str,
    id_column: str = "id",
    history: History | None = None,
    scheduler: str | None = None,
    persist: bool = False,
    **options: Unpack[DrawOptions],
) -> Draw:
    """Draw from a Dask dataframe, partition by partition, as :func:`~.engine.draw` would.

    Args:
        frame: a ``dask.dataframe.DataFrame`` with the register's columns: ``id_column``
            and ``risk_class`` required; ``name``, ``kind``, ``region``, ``industry``,
            ``status``, ``weight`` read when present (as by
            :meth:`~randsupervise.model.TargetRegistry.from_columns`).
        policy: the :class:`~randsupervise.draw.policy.DrawPolicy` (method
            ``"smallest"``), or its fields as ``options``.
        seed: a :class:`~randsupervise.tickets.seed.Seed`, or public text.
        stream: the stream label of the draw.
        history: a :class:`~randsupervise.draw.history.History` (frequency entries,
            earlier periods for the ``floor``), shared by every partition's task; from
            Dask dataframes: :func:`~randsupervise.draw.dask_history.history_from_dask`.
        id_column: the column holding the ids.
        scheduler: passed to ``dask.compute`` (``"synchronous"``, ``"threads"``, ...);
            ``None`` uses dask's default or an active distributed client.
        persist: keep the partitions' registers in the cluster's memory between the two
            passes (ids hashed once) instead of building them in each pass (a worker then
            holds one partition's register at a time). Either way the result is the same.
        **options: the policy's fields, when ``policy`` is not given.

    Returns:
        A :class:`~randsupervise.draw.result.Draw` without a register: its selection,
        batches and receipt are identical to the in-memory draw's.

    Raises:
        ValidationError: a bad policy or register (a partition's problems name the
            partition, rows counted within it), a duplicate id across partitions, an
            unsupported method, a floor without a history or above a stratum's sampling
            fraction (naming the stratum), or a policy together with options.

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
    policy, hist, seed = policy_of(policy, **options), as_history(history), as_seed(seed)
    _dask_policy(policy, hist)
    # the frequency rule's register-free half, once (it validates the history too)
    reached, h_digest, h_entries = frequency_reached(policy.limited_items, hist.entries)
    burden = hist.periods
    each = _runner(frame, id_column, scheduler, persist)
    shared = _shared(burden)
    populations, periods, excluded = _tally(each(_counts, policy, reached, shared))
    alloc = policy.allocate(populations)
    plan, sizes = _tier_plan(alloc, periods, policy, burden)
    tier_codes = {label: {p: k for k, t in tiers for p in t.periods}
                  for label, tiers in plan.items()}  # fmt: skip
    merged = merge_candidates(
        each(_candidates, policy, seed, stream, sizes, reached, shared, tier_codes)
    )
    if merged.registry_digest is None:  # pragma: no cover - registers always hand in hashes
        raise ValidationError([Problem(message="a partition gave no row hashes")])
    return Draw(
        registry=None, seed=seed, stream=stream, policy=policy,
        strata=_strata(alloc, merged, plan, policy, burden),
        excluded=tuple(sorted(excluded, key=lambda u: u.encode("utf-8"))),
        history_digest=h_digest, history_entries=h_entries, burden=burden,
        registry_digest=merged.registry_digest, registry_size=merged.n_units,
    )  # fmt: skip


# ------------------------------------------------ burden spreading: counts, tiers, merge

#: Per stratum, per last inspected period (``NEVER``: never, or no burden history), units.
PeriodCounts: TypeAlias = dict[str, dict[int, int]]
#: Per stratum, its tiers in priority order, each with its code among all strata's tiers.
TierPlan: TypeAlias = dict[str, tuple[tuple[int, BurdenTier], ...]]


def _width(burden: BurdenHistory | None) -> int:
    """Period codes per stratum: never, then each period of the history."""
    return 1 if burden is None else len(burden) + 1


def _period_codes(reg: TargetRegistry, burden: BurdenHistory | None) -> npt.NDArray[np.int64]:
    """Each row's last inspected period as a code ``period - NEVER`` (0: never), matched
    through the register's cached fingerprints as the in-memory draw matches them."""
    if burden is None:
        return np.zeros(len(reg), dtype=np.int64)
    return burden.last_inspected(reg.ids, reg.fingerprints) - NEVER


def _shared(burden: BurdenHistory | None) -> Any:
    """The burden history as one task of the graph that every partition's task reads,
    rather than a copy inside each task (it holds visits: O(sample), not O(register))."""
    if burden is None:
        return None
    import dask as _dask  # optional extra: imported here so the core never needs it

    dask: Any = _dask  # dask's own annotations are partial
    return dask.delayed(burden, name=f"burden-history-{burden.digest()}", traverse=False)


def _tally(
    parts: list[tuple[PeriodCounts, list[str]]],
) -> tuple[dict[str, int], PeriodCounts, list[str]]:
    """Pass 1 summed over the partitions: populations per stratum, units per stratum and
    period, the excluded ids."""
    periods: PeriodCounts = {}
    excluded: list[str] = []
    for counts, ex in parts:
        excluded += ex
        for label, by_period in counts.items():
            mine = periods.setdefault(label, {})
            for p, c in by_period.items():
                mine[p] = mine.get(p, 0) + c
    populations = {label: sum(c.values()) for label, c in periods.items()}
    return populations, periods, excluded


def _tier_plan(
    alloc: dict[str, StratumAllocation],
    periods: PeriodCounts,
    policy: DrawPolicy,
    burden: BurdenHistory | None,
) -> tuple[TierPlan, dict[str, int]]:
    """Each stratum's tiers by the engine's own tier rule, and the sample size of every
    tier under its code (a stratum without burden spreading is one tier). A floor above
    a stratum's sampling fraction names the stratum, as in memory."""
    plan: TierPlan = {}
    sizes: dict[str, int] = {}
    problems: list[Problem] = []
    for label in sorted(alloc):
        counts = periods.get(label, {})
        order = sorted(counts)
        floor = None if burden is None else policy.floor_of(label)
        try:
            tiers = _stratum_tiers(
                [counts[p] for p in order], order, alloc[label].sample_size, floor
            )
        except ValidationError as e:
            problems += [attrs.evolve(p, id=label) for p in e.problems]
            continue
        plan[label] = tuple((len(sizes) + j, t) for j, t in enumerate(tiers))
        sizes.update((str(k), t.sample_size) for k, t in plan[label])
    if problems:
        raise ValidationError(problems, what="burden-spread draw")
    return plan, sizes


def _tier_selections(
    merged: MergedDraw, tiers: tuple[tuple[int, BurdenTier], ...]
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.uint64], npt.NDArray[np.float64]]:
    """A stratum's merged tiers: the selected ids, tickets and inclusion probabilities."""
    ids: list[str] = []
    tk: list[int] = []
    probs: list[float] = []
    for k, t in tiers:
        m = merged.strata[str(k)]
        if m.population != t.population:
            message = (
                f"{m.population} units in a tier counted {t.population} in the first pass: "
                "the dataframe changed between the passes"
            )
            raise ValidationError([Problem(field="frame", message=message)])
        ids += m.selected
        tk += m.tickets
        probs += [t.sample_size / t.population] * len(m.selected)
    return (
        np.asarray(ids, dtype=np.str_) if ids else np.zeros(0, dtype="<U1"),
        np.asarray(tk, dtype=np.uint64),
        np.asarray(probs, dtype=np.float64),
    )
