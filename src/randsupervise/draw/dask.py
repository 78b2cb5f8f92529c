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
* Supported: the equal-probability method (``"smallest"``) with ratios, counts, default
  ratio, rounding, minimum per stratum, item caps, targeted-draw filters, batches and
  frequency-limit histories. Burden spreading (a policy with a ``floor``, a history with
  periods) and the unequal-probability methods are refused (``docs/howto/dask.md`` says
  what they would take).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from randsupervise._core.frozen import readonly
from randsupervise.draw.allocation import StratumAllocation
from randsupervise.draw.frequency import frequency_reached, present_ids
from randsupervise.draw.history import History, as_history
from randsupervise.draw.partition import (
    MergedDraw,
    ShardCandidates,
    merge_candidates,
    shard_candidates,
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

__all__ = ["draw_dask"]

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
    """Refuse what a partitioned draw does not compute (module notes)."""
    if policy.method != Method.SMALLEST:
        message = f"draw_dask supports the 'smallest' method, not {policy.method.value!r}"
        raise ValidationError([Problem(field="method", message=message)])
    if policy.floor is not None or hist.periods is not None:
        message = (
            "draw_dask does not spread the burden over earlier periods (floor): draw in "
            "memory with draw(..., history=History.from_periods(...), floor=...)"
        )
        raise ValidationError([Problem(field="floor", message=message)])


def _strata(alloc: dict[str, StratumAllocation], merged: MergedDraw) -> dict[str, StratumDraw]:
    """Each stratum of the merged selection as a :class:`StratumDraw` holding its ids."""
    out: dict[str, StratumDraw] = {}
    for label, a in alloc.items():
        s = merged.strata[label]
        pi = a.sample_size / a.population if a.population else 0.0
        out[label] = StratumDraw(
            label=label, allocation=a, population=a.population,
            positions=readonly(np.arange(s.sample_size, dtype=np.int64)),
            tickets=readonly(np.asarray(s.tickets, dtype=np.uint64)),
            probabilities=readonly(np.full(s.sample_size, pi, dtype=np.float64)),
            inclusion_probability=pi, expected_size=float(a.sample_size), note=a.note,
            population_positions=np.zeros(0, dtype=np.int64), population_probabilities=None,
            register_ids=np.asarray(s.selected, dtype=np.str_),
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
        history: a :class:`~randsupervise.draw.history.History` with frequency entries
            only: the ids that reached a limit are found once and each partition leaves
            out those it holds.
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
            unsupported method, burden spreading, or a policy together with options.

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
    each = _runner(frame, id_column, scheduler, persist)
    populations: dict[str, int] = {}
    excluded: list[str] = []
    for counts, ex in each(_counts, policy, reached):
        excluded += ex
        for label, k in counts.items():
            populations[label] = populations.get(label, 0) + k
    alloc = policy.allocate(populations)
    sizes = {label: a.sample_size for label, a in alloc.items()}
    merged = merge_candidates(each(_candidates, policy, seed, stream, sizes, reached))
    if merged.registry_digest is None:  # pragma: no cover - registers always hand in hashes
        raise ValidationError([Problem(message="a partition gave no row hashes")])
    return Draw(
        registry=None, seed=seed, stream=stream, policy=policy, strata=_strata(alloc, merged),
        excluded=tuple(sorted(excluded, key=lambda u: u.encode("utf-8"))),
        history_digest=h_digest, history_entries=h_entries,
        registry_digest=merged.registry_digest, registry_size=merged.n_units,
    )  # fmt: skip
