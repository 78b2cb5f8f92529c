"""Partitioned draws: each shard's smallest tickets, merged into the global draw.

Invariants (architecture principle 3; ticket spec v1, ``docs/spec/tickets.md``):

* Selection order is ascending ``(ticket, UTF-8 bytes of id)`` everywhere; ties of 64-bit
  tickets are broken by the id, so the order is total and never depends on input order.
* A stratum's fixed-size equal-probability draw takes its ``n`` smallest units in that
  order. The ``n`` smallest of a union are among the union of each part's ``n`` smallest,
  so a register split into shards is drawn by letting every shard keep its own ``n``
  smallest per stratum (:func:`shard_candidates`) and merging (:func:`merge_candidates`):
  the result is **identical** to the in-memory draw, whatever the partition.
* Populations are counted per shard and added; the register digest is merged from the
  shards' row hashes (:func:`~randsupervise.model.targets.registry_digest_from_row_hashes`),
  identical to :meth:`~randsupervise.model.TargetRegistry.digest`.
* The in-memory register refuses duplicate ids; so does the merge. Each shard hands in
  its sorted id fingerprints and the merge refuses a fingerprint seen in two shards
  (a duplicate id, or a 64-bit collision between different ids, about 1 in 10**6 for a
  register of ten million).
* Every shard must be cut with the same seed, stream, stratum column and sample sizes; the
  merge checks that they agree and that every shard kept enough candidates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.frozen import readonly
from randsupervise.draw.allocation import ALL_STRATUM
from randsupervise.draw.selection import IdsFor, select_smallest, ticket_order
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.targets import TargetRegistry, registry_digest_from_row_hashes
from randsupervise.tickets.fingerprint import fingerprints as _fingerprints
from randsupervise.tickets.function import stream_key, tickets
from randsupervise.tickets.seed import Seed

__all__ = [
    "ALL_STRATUM",
    "MergedDraw",
    "MergedStratum",
    "ShardCandidates",
    "StratumCandidates",
    "merge_candidates",
    "order_by_ticket",
    "shard_candidates",
    "shard_candidates_from_arrays",
    "smallest_tickets",
    "stratum_codes",
]


U64Array: TypeAlias = npt.NDArray[np.uint64]
IntArray: TypeAlias = npt.NDArray[np.int64]
StrArray: TypeAlias = npt.NDArray[np.str_]


def _ids_for(ids: Sequence[str] | npt.NDArray[Any]) -> IdsFor:
    id_arr = np.asarray(ids)

    def ids_for(loc: IntArray) -> list[str]:
        out: list[str] = [str(x) for x in id_arr[loc].tolist()]
        return out

    return ids_for


def order_by_ticket(
    tickets_: npt.ArrayLike,
    ids: Sequence[str] | npt.NDArray[Any],
    groups: npt.ArrayLike | None = None,
) -> IntArray:
    """Positions that sort units by ``(group, ticket, UTF-8 bytes of id)``, ascending.

    The array form of :func:`~randsupervise.draw.selection.ticket_order` (the one
    implementation of the order), for callers holding whole id arrays.

    Args:
        tickets_: 64-bit tickets, one per unit.
        ids: the units' ids, aligned with ``tickets_``.
        groups: optional integer group per unit; groups come first in the order.

    Returns:
        An ``int64`` array of positions.

    Examples:
        >>> import numpy as np
        >>> order_by_ticket(np.array([7, 3, 7], dtype=np.uint64), ["b", "z", "a"]).tolist()
        [1, 2, 0]
    """
    tk = np.asarray(tickets_, dtype=np.uint64).reshape(-1)
    order = ticket_order(np.arange(tk.size, dtype=np.int64), tk, _ids_for(ids))
    if groups is not None:
        # a stable sort by group keeps the ticket order inside each group
        g = np.asarray(groups).reshape(-1)
        order = order[np.argsort(g[order], kind="stable")]
    return order


def smallest_tickets(
    tickets_: npt.ArrayLike, ids: Sequence[str] | npt.NDArray[Any], n: int
) -> IntArray:
    """Positions of the ``n`` smallest units by ``(ticket, id)``, in that order.

    The array form of :func:`~randsupervise.draw.selection.select_smallest`: O(N)
    selection, then sorting only the ``n`` winners.

    Examples:
        >>> import numpy as np
        >>> tk = np.array([5, 1, 9, 3], dtype=np.uint64)
        >>> smallest_tickets(tk, ["a", "b", "c", "d"], 2).tolist()
        [1, 3]
    """
    if n < 0:
        raise ValidationError([Problem(field="n", message=f"sample size must be >= 0, got {n}")])
    tk = np.asarray(tickets_, dtype=np.uint64).reshape(-1)
    return select_smallest(tk, int(n), _ids_for(ids))


def stratum_codes(
    registry: TargetRegistry, column: str | None
) -> tuple[Sequence[str], npt.NDArray[np.integer[Any]]]:
    """The stratum labels of ``column`` and each row's code into them; ``None``: one
    stratum :data:`~randsupervise.draw.allocation.ALL_STRATUM` holding every row.

    Examples:
        >>> reg = TargetRegistry.from_columns(id=["a", "b", "c"], risk_class="ABA")
        >>> labels, codes = stratum_codes(reg, "risk_class")
        >>> list(labels), codes.tolist()
        (['A', 'B', 'C', 'D'], [0, 1, 0])
        >>> stratum_codes(reg, None)[0]
        ('ALL',)
    """
    if column is None:
        return (ALL_STRATUM,), np.zeros(len(registry), dtype=np.int64)
    return registry.categories(column), registry.codes(column)


@attrs.frozen(kw_only=True)
class StratumCandidates:
    """One shard's share of one stratum: its population and its smallest units.

    ``ids`` and ``tickets`` are read-only arrays in selection order, at most the stratum's
    sample size long.
    """

    population: int
    ids: StrArray = attrs.field(eq=False)
    tickets: U64Array = attrs.field(eq=False)


@attrs.frozen(kw_only=True)
class ShardCandidates:
    """What one shard contributes to a partitioned draw (see :func:`shard_candidates`).

    Attributes:
        stream: the ticket stream's label.
        seed_hex: the seed's 64 hex digits.
        stratum_column: the column the strata come from (``None``: one stratum ``"ALL"``).
        sizes: the sample size per stratum the shard was cut for.
        strata: per stratum of the shard (a population may be 0), its
            :class:`StratumCandidates`.
        n_units: rows in the shard.
        fingerprints: the shard's id fingerprints, sorted (duplicate check at merge).
        row_hashes: the shard's row hashes, sorted, or ``None`` when the shard was given
            as bare arrays (then no register digest can be merged).
    """

    stream: str
    seed_hex: str
    stratum_column: str | None
    sizes: Mapping[str, int]
    strata: Mapping[str, StratumCandidates]
    n_units: int
    fingerprints: U64Array = attrs.field(eq=False, repr=False)
    row_hashes: U64Array | None = attrs.field(eq=False, repr=False)


def _check_sizes(sizes: Mapping[str, int]) -> dict[str, int]:
    problems = [
        Problem(field="sizes", id=str(k), message=f"sample size must be an int >= 0, got {v!r}")
        for k, v in sizes.items()
        if not isinstance(v, int | np.integer) or isinstance(v, bool) or v < 0
    ]
    if problems:
        raise ValidationError(problems, what="sample sizes")
    return {str(k): int(v) for k, v in sizes.items()}


def _cut(
    *,
    ids: StrArray,
    fps: U64Array,
    labels: Sequence[str],
    codes: npt.NDArray[np.integer[Any]],
    seed: Seed,
    stream: str,
    sizes: dict[str, int],
    stratum_column: str | None,
    row_hashes: U64Array | None,
    mask: npt.NDArray[np.bool_] | None = None,
) -> ShardCandidates:
    stream_key(seed, stream)  # validates the label before any work
    tk = tickets(fps, seed, stream)
    if mask is not None:
        # ineligible rows are no candidates, but stay in the digest and duplicate check
        codes = np.where(mask, codes, -1)
    strata: dict[str, StratumCandidates] = {}
    kept = codes[codes >= 0]
    counts = np.bincount(kept, minlength=len(labels)) if kept.size else np.zeros(len(labels))
    missing = sorted({labels[c] for c in np.flatnonzero(counts).tolist()} - set(sizes))
    if missing:
        raise ValidationError(
            [
                Problem(field="sizes", id=m, message="no sample size for this stratum")
                for m in missing
            ],
            what="sample sizes",
        )
    for c in range(len(labels)):
        rows = np.flatnonzero(codes == c)
        pick = rows[smallest_tickets(tk[rows], ids[rows], sizes.get(labels[c], 0))]
        strata[labels[c]] = StratumCandidates(
            population=int(rows.size),
            ids=readonly(ids[pick].copy()),
            tickets=readonly(tk[pick].copy()),
        )
    return ShardCandidates(
        stream=stream,
        seed_hex=seed.hex,
        stratum_column=stratum_column,
        sizes=dict(sorted(sizes.items())),
        strata=dict(sorted(strata.items())),
        n_units=int(ids.size),
        fingerprints=readonly(np.sort(fps)),
        row_hashes=readonly(np.sort(row_hashes)) if row_hashes is not None else None,
    )


def shard_candidates(
    shard: TargetRegistry,
    *,
    seed: Seed,
    stream: str,
    sizes: Mapping[str, int],
    stratum_column: str | None = "risk_class",
    mask: npt.ArrayLike | None = None,
    strata: tuple[Sequence[str], npt.ArrayLike] | None = None,
) -> ShardCandidates:
    """Cut one shard of a register: per stratum its population and its smallest tickets.

    Args:
        shard: the shard's rows as a register (any subset of the full register's rows).
        seed: the draw's seed.
        stream: the ticket stream's label.
        sizes: the **global** sample size per stratum (as allocated over the whole
            register); the shard keeps that many candidates per stratum, or all it has.
        stratum_column: a categorical column of the register; ``risk_class`` strata are
            named ``"A"`` to ``"D"``. ``None``: one stratum named ``"ALL"``.
        mask: optional boolean mask of the eligible rows (a targeted draw's filter,
            frequency limits); other rows are not drawn but still count in the register
            digest.
        strata: optional ``(labels, codes)``: the strata the candidates are kept for, as
            labels and each row's code into them (``-1``: no stratum), when they are finer
            than ``stratum_column`` (a burden-spread draw keeps them per stratum and
            history tier). ``stratum_column`` is then only recorded, for the merge's check
            that every shard was cut alike.

    Returns:
        The shard's :class:`ShardCandidates`, including its sorted row hashes so that the
        register digest can be merged too.

    Examples:
        >>> from randsupervise.tickets.seed import Seed
        >>> reg = TargetRegistry.from_columns(id=[f"T{i}" for i in range(6)],
        ...                                   risk_class=["A", "B"] * 3)
        >>> seed = Seed.from_text("demo")
        >>> parts = [shard_candidates(reg.take(rows), seed=seed, stream="2024/1",
        ...                           sizes={"A": 2, "B": 1}) for rows in ([0, 1, 2], [3, 4, 5])]
        >>> whole = merge_candidates(parts)
        >>> whole == merge_candidates([shard_candidates(reg, seed=seed, stream="2024/1",
        ...                                             sizes={"A": 2, "B": 1})])
        True
        >>> whole.strata["A"].population, len(whole.strata["A"].selected)
        (3, 2)
        >>> whole.registry_digest == reg.digest()
        True
    """
    if not isinstance(shard, TargetRegistry):
        raise ValidationError(
            [
                Problem(
                    field="shard", message=f"expected a TargetRegistry, got {type(shard).__name__}"
                )
            ]
        )
    m = None
    if mask is not None:
        m = np.asarray(mask, dtype=bool).reshape(-1)
        if m.size != len(shard):
            raise ValidationError(
                [Problem(field="mask", message=f"{m.size} mask values for {len(shard)} rows")]
            )
    labels, codes = (
        stratum_codes(shard, stratum_column) if strata is None else _given_strata(strata, shard)
    )
    return _cut(
        ids=shard.ids,
        fps=shard.fingerprints,
        labels=labels,
        codes=codes,
        seed=seed,
        stream=stream,
        sizes=_check_sizes(sizes),
        stratum_column=stratum_column,
        row_hashes=shard.row_hashes(),
        mask=m,
    )


def _given_strata(
    strata: tuple[Sequence[str], npt.ArrayLike], shard: TargetRegistry
) -> tuple[Sequence[str], npt.NDArray[np.int64]]:
    """``strata`` checked: one code per row, each ``-1`` or an index into the labels."""
    labels, codes_ = strata
    codes = np.asarray(codes_, dtype=np.int64).reshape(-1)
    problems = []
    if codes.size != len(shard):
        message = f"{codes.size} codes for {len(shard)} rows"
        problems.append(Problem(field="strata", message=message))
    elif codes.size and (codes.min() < -1 or codes.max() >= len(labels)):
        message = f"codes must be -1 or an index into the {len(labels)} labels"
        problems.append(Problem(field="strata", message=message))
    if len(set(labels)) != len(labels):
        problems.append(Problem(field="strata", message="labels repeated"))
    if problems:
        raise ValidationError(problems)
    return [str(x) for x in labels], codes


def shard_candidates_from_arrays(
    *,
    ids: Sequence[str] | npt.NDArray[Any],
    strata: Sequence[str] | npt.NDArray[Any],
    seed: Seed,
    stream: str,
    sizes: Mapping[str, int],
    fingerprints: npt.ArrayLike | None = None,
    stratum_column: str = "risk_class",
) -> ShardCandidates:
    """Like :func:`shard_candidates`, for a shard given as bare columns.

    No register is built, so ids are not validated here and no register digest can be
    merged (``row_hashes`` is ``None``). ``fingerprints``, when given, must be the ids'
    cached fingerprints (ticket spec v1, step 1).

    Examples:
        >>> from randsupervise.tickets.seed import Seed
        >>> c = shard_candidates_from_arrays(ids=["a", "b", "c"], strata=["A", "A", "B"],
        ...                                  seed=Seed.from_text("x"), stream="s",
        ...                                  sizes={"A": 1, "B": 1})
        >>> sorted(c.strata), c.strata["A"].population
        (['A', 'B'], 2)
    """
    id_arr = np.asarray(ids, dtype=str) if len(ids) else np.zeros(0, dtype="<U1")
    lab = np.asarray(strata, dtype=str) if len(strata) else np.zeros(0, dtype="<U1")
    if lab.shape != id_arr.shape:
        raise ValidationError(
            [Problem(field="strata", message=f"{lab.size} strata for {id_arr.size} ids")]
        )
    fps = (
        _fingerprints(id_arr.tolist())
        if fingerprints is None
        else np.asarray(fingerprints, dtype=np.uint64)
    )
    if fps.shape != id_arr.shape:
        raise ValidationError(
            [
                Problem(
                    field="fingerprints", message=f"{fps.size} fingerprints for {id_arr.size} ids"
                )
            ]
        )
    labels, codes = np.unique(lab, return_inverse=True)
    return _cut(
        ids=id_arr,
        fps=fps,
        labels=[str(x) for x in labels.tolist()],
        codes=codes.reshape(-1).astype(np.int64),
        seed=seed,
        stream=stream,
        sizes=_check_sizes(sizes),
        stratum_column=stratum_column,
        row_hashes=None,
    )


@attrs.frozen(kw_only=True)
class MergedStratum:
    """One stratum of a merged draw: the global population and the selection.

    ``selected`` holds ids in ticket order, ``tickets`` their 64-bit tickets.
    """

    population: int
    sample_size: int
    selected: tuple[str, ...]
    tickets: tuple[int, ...]


@attrs.frozen(kw_only=True)
class MergedDraw:
    """The merge of every shard's candidates: identical to the in-memory draw.

    Attributes:
        stream: the ticket stream's label.
        seed_hex: the seed's 64 hex digits.
        stratum_column: the column the strata come from.
        strata: per stratum (sorted by name) the population, sample size and selection.
        n_units: rows over all shards.
        registry_digest: the whole register's digest, or ``None`` if a shard came as bare
            arrays.
    """

    stream: str
    seed_hex: str
    stratum_column: str | None
    strata: Mapping[str, MergedStratum]
    n_units: int
    registry_digest: str | None

    def selected(self) -> dict[str, list[str]]:
        """Selected ids per stratum, in ticket order."""
        return {k: list(v.selected) for k, v in self.strata.items()}


def merge_candidates(shards: Iterable[ShardCandidates]) -> MergedDraw:
    """Merge shards' candidates into the draw over the whole register.

    Raises:
        ValidationError: no shard; shards cut with different seeds, streams, stratum
            columns or sizes; the same id (fingerprint) in two shards.

    Examples:
        >>> from randsupervise.tickets.seed import Seed
        >>> kw = dict(seed=Seed.from_text("x"), stream="s", sizes={"A": 2})
        >>> a = shard_candidates_from_arrays(ids=["a", "b"], strata=["A", "A"], **kw)
        >>> b = shard_candidates_from_arrays(ids=["c"], strata=["A"], **kw)
        >>> m = merge_candidates([a, b])
        >>> m.strata["A"].population, m.strata["A"].sample_size
        (3, 2)
        >>> m == merge_candidates([b, a])
        True
    """
    parts = list(shards)
    if not parts:
        raise ValidationError([Problem(field="shards", message="no shard to merge")])
    problems = [q for i, p in enumerate(parts) for q in _shard_problems(i, p, parts[0])]
    if problems:
        raise ValidationError(problems, what="shards")
    _refuse_duplicate_ids(parts)
    first = parts[0]
    names = sorted({k for p in parts for k in p.strata})
    digest = (
        registry_digest_from_row_hashes([p.row_hashes for p in parts if p.row_hashes is not None])
        if all(p.row_hashes is not None for p in parts)
        else None
    )
    return MergedDraw(
        stream=first.stream,
        seed_hex=first.seed_hex,
        stratum_column=first.stratum_column,
        strata={name: _merge_stratum(name, parts, first.sizes.get(name, 0)) for name in names},
        n_units=sum(p.n_units for p in parts),
        registry_digest=digest,
    )


_ALIKE = ("seed_hex", "stream", "stratum_column", "sizes")


def _shard_problems(row: int, part: object, first: object) -> list[Problem]:
    """Shard ``row`` was cut like shard 0 and kept every candidate it had to keep."""
    if not isinstance(part, ShardCandidates):
        return [Problem(row=row, message=f"not ShardCandidates: {type(part).__name__}")]
    message = "differs from shard 0's; cut every shard alike"
    problems = [
        Problem(row=row, field=name, message=message)
        for name in _ALIKE
        if getattr(part, name) != getattr(first, name)
    ]
    # a shard holding fewer than its n smallest could hide a unit of the global draw
    for label, c in part.strata.items():
        want = min(part.sizes.get(label, 0), c.population)
        if c.ids.size != want or c.tickets.size != want:
            message = (
                f"{c.ids.size} ids and {c.tickets.size} tickets kept for {want} candidates "
                "(min of sample size and population)"
            )
            problems.append(Problem(row=row, id=label, field="strata", message=message))
    return problems


def _refuse_duplicate_ids(parts: Sequence[ShardCandidates]) -> None:
    """The merge refuses a fingerprint seen twice, as the in-memory register refuses a
    duplicate id (module notes)."""
    fps = np.sort(np.concatenate([p.fingerprints for p in parts]))
    dup = np.flatnonzero(fps[1:] == fps[:-1])
    if dup.size:
        raise ValidationError(
            [
                Problem(
                    field="id",
                    message=f"an id with fingerprint {int(fps[d]):#018x} is in more than one "
                    "row (a duplicate id, or a 64-bit fingerprint collision)",
                )
                for d in dup[:20].tolist()
            ],
            what="merged register",
        )


def _merge_stratum(name: str, parts: Sequence[ShardCandidates], size: int) -> MergedStratum:
    """The stratum's ``n`` smallest over the union of every shard's candidates."""
    cands = [p.strata[name] for p in parts if name in p.strata]
    population = sum(c.population for c in cands)
    n = min(size, population)
    ids = np.concatenate([c.ids for c in cands])
    tk = np.concatenate([c.tickets for c in cands])
    pick = smallest_tickets(tk, ids, n)
    return MergedStratum(
        population=population,
        sample_size=n,
        selected=tuple(str(x) for x in ids[pick].tolist()),
        tickets=tuple(int(x) for x in tk[pick].tolist()),
    )
