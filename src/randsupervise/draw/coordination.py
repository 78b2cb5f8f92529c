"""Burden spreading across periods: draws coordinated with the inspection history.

The rule (plan §三(五); BRIEF "The regime in one paragraph"): the law-abiding are not
harassed (无事不扰), yet nobody is ever safe from being drawn (利剑高悬). Within a stratum
this becomes three guarantees, all **conditional on the published history**, the only
randomness left being the period's seed:

* **Floor.** Every unit of the stratum, the one inspected last period included, has
  inclusion probability at least ``floor`` in this period.
* **Exact size.** The stratum's sample has exactly the allocated size ``n``.
* **Exact probabilities.** Every unit's inclusion probability is reported exactly (a
  ratio of two integers, also given as a float); no simulation is involved.

Method ("history tiers", version 1). Units are grouped by the period they were last
inspected in: never first (newly registered units included), then the longest ago, ..., the
most recent last. Tier ``j`` of size ``s_j`` gets ``ceil(floor * s_j)`` units (its floor
share); what is left of ``n`` goes to the tiers in that order, each up to its size. Inside
a tier the sample is the tier's ``n_j`` smallest ``(ticket, id)`` under the draw's own
(seed, stream), so each unit's inclusion probability is exactly ``n_j / s_j >= floor``.
If the floor shares of all tiers exceed ``n`` (small strata, many tiers), the two most
recent tiers are merged, repeatedly, until they fit; one tier of ``N`` units always fits
because the floor may not exceed ``n / N``. The floor is read as the decimal number it
prints as (``0.07`` is 7/100), so the arithmetic is exact.

Why this design. The expected number of never-inspected units drawn in a period is at
most ``n - floor * (number of units inspected before)``, since each of those keeps at
least the floor. The tiers attain that bound, so no design with the same floor and sizes
leaves fewer units never inspected. With ``floor = 0`` and a history of its own draws it
is the rotation of permanent random numbers (Ohlsson 1995; Statistics Sweden's SAMU
system): nobody is drawn twice before everybody was drawn once. Unlike a rotation over
published permanent random numbers, which is deterministic once those numbers are known,
every unit here keeps a real chance, and the explicit history (with its digest in the
receipt) replaces the permanent numbers as the draw's memory, so births and deaths move
nothing else. With an empty history, or ``floor=None``, a stratum's draw is the plain
fixed-size draw: its ``n`` smallest tickets.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.frozen import readonly
from randsupervise.draw.allocation import _exact
from randsupervise.draw.selection import select_smallest, ticket_order
from randsupervise.errors import Problem, ValidationError
from randsupervise.tickets.fingerprint import fingerprints as _fingerprints

__all__ = [
    "BURDEN_METHOD",
    "BURDEN_METHOD_VERSION",
    "BurdenHistory",
    "BurdenTier",
    "CoordinatedSelection",
    "coordinated_select",
]

BURDEN_METHOD = "randsupervise-burden-tiers"
BURDEN_METHOD_VERSION = 1
NEVER = -1  # the tier of units not inspected in any period of the history
_HISTORY_PREFIX = b"randsupervise.burden-history.v1\x00"

U64Array: TypeAlias = npt.NDArray[np.uint64]
IntArray: TypeAlias = npt.NDArray[np.int64]
FloatArray: TypeAlias = npt.NDArray[np.float64]


def _utf8(s: str) -> bytes:
    return s.encode("utf-8")


def _labels(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _periods(values: Iterable[Iterable[str]]) -> tuple[frozenset[str], ...]:
    out = []
    for row, p in enumerate(values):
        if isinstance(p, str | bytes) or not isinstance(p, Iterable):
            raise ValidationError(
                [Problem(row=row, field="inspected", message="a period is a collection of "
                         f"ids, not {type(p).__name__}")],
                what="BurdenHistory",
            )  # fmt: skip
        try:
            out.append(frozenset(p))
        except TypeError:
            raise ValidationError(
                [Problem(row=row, field="inspected", message="ids must be non-empty str")],
                what="BurdenHistory",
            ) from None
    return tuple(out)


@attrs.frozen(kw_only=True)
class BurdenHistory:
    """Which units were inspected in which earlier period, oldest period first.

    Build it with :meth:`from_periods`; extend it with :meth:`append` after each draw.

    Attributes:
        labels: one label per period, oldest first (e.g. ``"2023"``, ``"2024"``).
        inspected: per period, the ids inspected in it.

    Examples:
        >>> h = BurdenHistory.from_periods({"2023": ["a", "b"], "2024": ["b", "c"]})
        >>> h.last_inspected(["a", "b", "c", "d"]).tolist()
        [0, 1, 1, -1]
        >>> h.recent(1).labels
        ('2024',)
        >>> same = BurdenHistory.from_periods({"2023": ["b", "a"], "2024": ["c", "b"]})
        >>> h.digest() == same.digest()
        True
    """

    labels: tuple[str, ...] = attrs.field(converter=_labels)
    inspected: tuple[frozenset[str], ...] = attrs.field(converter=_periods)
    _index: tuple[U64Array, IntArray, npt.NDArray[np.str_]] | None = attrs.field(
        init=False, eq=False, repr=False
    )
    _cache: dict[str, str] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        if len(self.labels) != len(self.inspected):
            problems.append(
                Problem(
                    field="labels",
                    message=f"{len(self.labels)} labels for {len(self.inspected)} periods",
                )
            )
        seen: set[str] = set()
        for row, label in enumerate(self.labels):
            if not isinstance(label, str) or not label:
                problems.append(
                    Problem(row=row, field="labels", message="label must be a non-empty str")
                )
            elif label in seen:
                problems.append(
                    Problem(row=row, field="labels", message=f"label {label!r} repeated")
                )
            else:
                seen.add(label)
        for row, period in enumerate(self.inspected):
            bad = sorted(repr(i) for i in period if not isinstance(i, str) or not i)[:5]
            if bad:
                problems.append(
                    Problem(row=row, field="inspected", message=f"ids must be non-empty str: {bad}")
                )
        if problems:
            raise ValidationError(problems, what="BurdenHistory")
        object.__setattr__(self, "_cache", {})
        object.__setattr__(self, "_index", self._build_index())

    def _build_index(self) -> tuple[U64Array, IntArray, npt.NDArray[np.str_]] | None:
        """Every id once, with the last period it appears in, sorted by fingerprint.

        Fingerprints are computed once per history, so matching a register of millions
        is one vectorised search. ``None`` when two different history ids share a
        fingerprint (a 64-bit collision): matching then goes by the id sets.
        """
        lists = [sorted(p) for p in self.inspected]
        ids = [i for p in lists for i in p]
        if not ids:
            return None
        id_arr = np.asarray(ids, dtype=str)
        period = np.repeat(np.arange(len(lists), dtype=np.int64), [len(p) for p in lists])
        fp = _fingerprints(ids)
        order = np.lexsort((period, fp))  # by fingerprint, then period ascending
        fp, period, id_arr = fp[order], period[order], id_arr[order]
        last = np.r_[fp[1:] != fp[:-1], True]  # the latest period of each fingerprint
        same_fp = ~last[:-1]
        if (id_arr[:-1][same_fp] != id_arr[1:][same_fp]).any():
            return None
        return readonly(fp[last]), readonly(period[last]), readonly(id_arr[last])

    @classmethod
    def from_periods(
        cls, periods: Sequence[Collection[str]] | Mapping[str, Collection[str]]
    ) -> BurdenHistory:
        """History from periods oldest first: a mapping label -> ids, or a sequence of id
        collections (labelled ``"1"``, ``"2"``, ...)."""
        if isinstance(periods, Mapping):
            return cls(labels=tuple(periods), inspected=tuple(periods.values()))
        return cls(labels=tuple(str(k + 1) for k in range(len(periods))), inspected=tuple(periods))

    @classmethod
    def empty(cls) -> BurdenHistory:
        """A history with no period (every unit is in the never-inspected tier)."""
        return cls(labels=(), inspected=())

    def __len__(self) -> int:
        return len(self.labels)

    def append(self, ids: Iterable[str], *, label: str | None = None) -> BurdenHistory:
        """A new history with one more (most recent) period; label defaults to its number."""
        lab = label if label is not None else str(len(self) + 1)
        return BurdenHistory(
            labels=(*self.labels, lab), inspected=(*self.inspected, frozenset(ids))
        )

    def recent(self, k: int) -> BurdenHistory:
        """The ``k`` most recent periods only (a memory of ``k`` periods)."""
        if not isinstance(k, int) or k < 0:
            raise ValidationError([Problem(field="k", message=f"k must be an int >= 0, got {k!r}")])
        start = max(len(self) - k, 0)
        return BurdenHistory(labels=self.labels[start:], inspected=self.inspected[start:])

    def last_inspected(
        self,
        ids: Sequence[str] | npt.NDArray[Any],
        fingerprints: npt.ArrayLike | None = None,
    ) -> IntArray:
        """Per id, the index of the most recent period it was inspected in, ``-1`` if never.

        ``fingerprints``, when given, are the ids' cached fingerprints (a register's), which
        saves hashing them again.
        """
        id_arr = np.asarray(ids)
        fp = (
            _fingerprints(id_arr.tolist())
            if fingerprints is None
            else np.asarray(fingerprints, dtype=np.uint64)
        )
        out = np.full(fp.shape, NEVER, dtype=np.int64)
        if self._index is None:
            # no history, or a fingerprint collision inside it: go by the id sets
            for k, period in enumerate(self.inspected):
                hit = [j for j, i in enumerate(id_arr.tolist()) if i in period]
                out[np.asarray(hit, dtype=np.int64)] = k
            return out
        hfp, hperiod, hids = self._index
        # searching sorted needles is cache-friendly: five times faster for 10**6 ids
        needles = np.argsort(fp, kind="stable")
        pos = np.empty(fp.shape, dtype=np.int64)
        pos[needles] = np.minimum(np.searchsorted(hfp, fp[needles]), hfp.size - 1)
        # a fingerprint match is confirmed on the id itself (64-bit collisions)
        hits = np.flatnonzero(hfp[pos] == fp)
        hits = hits[id_arr[hits] == hids[pos[hits]]]
        out[hits] = hperiod[pos[hits]]
        return out

    def digest(self) -> str:
        """SHA-256 hex digest of the history: labels in order, ids sorted within a period.

        ``SHA-256(b"randsupervise.burden-history.v1\\x00" + for each period:
        len-prefixed UTF-8 label, the id count, then each id len-prefixed, ids sorted by
        their UTF-8 bytes)``; lengths and counts are 8-byte big-endian.
        """
        if "digest" not in self._cache:
            h = hashlib.sha256(_HISTORY_PREFIX)
            for label, period in zip(self.labels, self.inspected, strict=True):
                lb = _utf8(label)
                h.update(len(lb).to_bytes(8, "big") + lb + len(period).to_bytes(8, "big"))
                h.update(
                    b"".join(len(b).to_bytes(8, "big") + b for b in sorted(map(_utf8, period)))
                )
            self._cache["digest"] = h.hexdigest()
        return self._cache["digest"]


@attrs.frozen(kw_only=True)
class BurdenTier:
    """One tier of a stratum: units alike in when they were last inspected.

    Attributes:
        periods: the history periods (indices, oldest 0) whose last-inspected units form
            the tier; ``-1`` stands for never inspected. More than one when tiers were
            merged to fit the floor.
        population: units in the tier.
        sample_size: units drawn from it.
    """

    periods: tuple[int, ...]
    population: int
    sample_size: int

    @property
    def probability(self) -> Fraction:
        """Each unit's exact inclusion probability, ``sample_size / population``."""
        return Fraction(self.sample_size, self.population)


@attrs.frozen(kw_only=True)
class CoordinatedSelection:
    """The selection of one stratum (see :func:`coordinated_select`).

    Attributes:
        positions: positions (into the stratum's arrays) of the selected units, in ticket
            order.
        inclusion_probabilities: each unit's exact inclusion probability as a float,
            aligned with the stratum's arrays.
        tiers: the tiers, in priority order (never inspected first).
    """

    positions: IntArray = attrs.field(eq=False)
    inclusion_probabilities: FloatArray = attrs.field(eq=False)
    tiers: tuple[BurdenTier, ...]


def _fraction(value: float) -> Fraction:
    """A floor as the exact decimal it prints as (``0.07`` is 7/100)."""
    if (
        not isinstance(value, int | float | np.floating)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or not 0 <= value <= 1
    ):
        raise ValidationError(
            [Problem(field="floor", message=f"floor must be a number in [0, 1], got {value!r}")]
        )
    return _exact(value)


def _allocate(
    sizes: list[int], periods: list[int], n: int, floor: Fraction | None
) -> list[BurdenTier]:
    """Tier sample sizes: the floor share of each tier, the rest in priority order."""
    groups = [[p] for p in periods]
    pops = list(sizes)
    if floor is None:
        # one tier of everybody: the plain draw (none at all for an empty stratum)
        groups, pops = ([periods], [sum(sizes)]) if periods else ([], [])
    else:
        # merge the two most recent tiers until the floor shares fit into n
        while sum(math.ceil(floor * s) for s in pops) > n:
            groups[-2:] = [groups[-2] + groups[-1]]
            pops[-2:] = [pops[-2] + pops[-1]]
    base = [math.ceil(floor * s) for s in pops] if floor is not None else [0] * len(pops)
    left = n - sum(base)
    out: list[BurdenTier] = []
    for g, s, b in zip(groups, pops, base, strict=True):
        extra = min(s - b, left)
        left -= extra
        out.append(BurdenTier(periods=tuple(g), population=s, sample_size=b + extra))
    return out


def coordinated_select(
    tickets_: npt.ArrayLike,
    ids: Sequence[str] | npt.NDArray[Any],
    last_inspected: npt.ArrayLike,
    n: int,
    *,
    floor: float | None,
) -> CoordinatedSelection:
    """Select ``n`` units of one stratum, spreading the burden over the history.

    The building block of the draw engine's burden spreading
    (:func:`~randsupervise.draw.engine.draw` with ``history=History(periods=...)``), for a
    caller that already has the stratum's tickets.

    Args:
        tickets_: the stratum's tickets under the draw's (seed, stream).
        ids: the stratum's ids, aligned with ``tickets_``.
        last_inspected: per unit the history period it was last inspected in (``-1``
            never), as given by :meth:`BurdenHistory.last_inspected`.
        n: the stratum's sample size, ``0 <= n <= N``.
        floor: the least inclusion probability of every unit, ``0 <= floor <= n / N``;
            ``None`` for no coordination (the plain fixed-size draw).

    Returns:
        The selection, each unit's exact inclusion probability and the tiers.

    Raises:
        ValidationError: ``n`` out of range, arrays of different lengths, or a floor
            above ``n / N``.

    Examples:
        >>> import numpy as np
        >>> tk = np.array([40, 10, 30, 20, 50, 60], dtype=np.uint64)
        >>> last = np.array([-1, 0, -1, -1, 0, -1])   # units 1 and 4 inspected last period
        >>> sel = coordinated_select(tk, list("abcdef"), last, 2, floor=0.25)
        >>> sel.positions.tolist()                    # b keeps its floor chance: drawn here
        [1, 3]
        >>> [(t.periods, t.population, t.sample_size) for t in sel.tiers]
        [((-1,), 4, 1), ((0,), 2, 1)]
        >>> sel.inclusion_probabilities.tolist()
        [0.25, 0.5, 0.25, 0.25, 0.5, 0.25]
    """
    tk, id_arr, last, n = _checked(tickets_, ids, last_inspected, n)
    periods, tier_of = np.unique(last, return_inverse=True)
    tier_of = tier_of.reshape(-1)
    pops = np.bincount(tier_of, minlength=periods.size).tolist()
    tiers = _stratum_tiers(pops, [int(p) for p in periods.tolist()], n, floor)
    group = _tier_of_unit(tiers, tier_of)

    def ids_for(loc: IntArray) -> list[str]:
        out: list[str] = [str(x) for x in id_arr[loc].tolist()]
        return out

    chosen: list[IntArray] = []
    for j, t in enumerate(tiers):
        rows = np.flatnonzero(group == j).astype(np.int64)
        chosen.append(rows[select_smallest(tk[rows], t.sample_size, _sub(ids_for, rows))])
    picked = np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)
    probs_by_tier = np.asarray([t.sample_size / t.population for t in tiers], dtype=np.float64)
    return CoordinatedSelection(
        positions=readonly(ticket_order(picked, tk, ids_for)),
        inclusion_probabilities=readonly(probs_by_tier[group]),
        tiers=tuple(tiers),
    )


def _stratum_tiers(
    populations: list[int], periods: list[int], n: int, floor: float | None
) -> list[BurdenTier]:
    """A stratum's tiers from its units counted by last inspected period: ``periods``
    ascending (``-1`` never first), each present one with its population; the floor
    checked against ``n / N``. The one tier rule, shared by :func:`coordinated_select` and
    the partitioned draw (which counts the periods partition by partition)."""
    frac = _checked_floor(floor, n, sum(populations))
    return _allocate(populations, periods, n, frac)


def _checked(
    tickets_: npt.ArrayLike,
    ids: Sequence[str] | npt.NDArray[Any],
    last_inspected: npt.ArrayLike,
    n: int,
) -> tuple[U64Array, npt.NDArray[Any], IntArray, int]:
    """The stratum's arrays, aligned, and ``n`` as an int in ``[0, N]``; every problem."""
    tk = np.asarray(tickets_, dtype=np.uint64).reshape(-1)
    id_arr = np.asarray(ids) if len(ids) else np.zeros(0, dtype="<U1")
    last = np.asarray(last_inspected, dtype=np.int64).reshape(-1)
    size = int(tk.size)
    problems: list[Problem] = []
    if id_arr.size != size or last.size != size:
        message = f"{size} tickets, {id_arr.size} ids, {last.size} last_inspected: lengths differ"
        problems.append(Problem(message=message))
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or not 0 <= n <= size:
        message = f"sample size must be an int in [0, {size}], got {n!r}"
        problems.append(Problem(field="n", message=message))
    if problems:
        raise ValidationError(problems, what="coordinated selection")
    return tk, id_arr, last, int(n)


def _checked_floor(floor: float | None, n: int, size: int) -> Fraction | None:
    """The floor, exact; it may not exceed the sampling fraction ``n / N`` (module notes)."""
    frac = _fraction(floor) if floor is not None else None
    if frac is not None and size and frac * size > n:
        message = (
            f"floor {floor} is above the sampling fraction {n}/{size}: "
            "no design of this size can give every unit that chance"
        )
        raise ValidationError([Problem(field="floor", message=message)])
    return frac


def _tier_of_unit(tiers: Sequence[BurdenTier], period_of: IntArray) -> IntArray:
    """Each unit's (possibly merged) tier, from the index of its history period."""
    merged = np.empty(sum(len(t.periods) for t in tiers), dtype=np.int64)
    k = 0
    for j, t in enumerate(tiers):
        merged[k : k + len(t.periods)] = j
        k += len(t.periods)
    return merged[period_of]


def _sub(
    ids_for: Callable[[IntArray], list[str]], rows: IntArray
) -> Callable[[IntArray], list[str]]:
    """``ids_for`` of the subset ``rows`` (local positions into it)."""
    return lambda loc: ids_for(rows[loc])
