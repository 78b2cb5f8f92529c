"""Invariance: the draw does not depend on input order or on how the register is split.

Invariants, each with the rule it comes from (architecture principle 3: results do not
depend on input order or on how the register is partitioned):

* **Exact checks are exact.** Order and partition invariance compare values (selection,
  probabilities, receipt digests), with no statistics and no false positives.
* The permutations and partitions tried come from the library's ticket function under the
  testing stream, never from global random state (architecture principle 1).
* ``ordered=False`` compares the selection as a set, for draws that return one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise.draw.partition import merge_candidates, shard_candidates
from randsupervise.model.targets import TargetRegistry
from randsupervise.testing.outcomes import DrawFn, ShardedDrawFn, _attr, _receipt_dict, _selected
from randsupervise.testing.seeds import _TESTING_STREAM, _seeds
from randsupervise.tickets.function import tickets
from randsupervise.tickets.seed import Seed

__all__ = ["InvarianceReport", "check_order_invariance", "check_partition_invariance"]

_V = TypeVar("_V")  # one variant: a reordered register, or the parts of a partition
_C = TypeVar("_C")  # what the whole draw leaves for comparing its variants


@attrs.frozen(kw_only=True)
class InvarianceReport:
    """What an invariance check compared: ``cases`` comparisons, all identical."""

    check: str
    cases: int
    seeds: int
    compared: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.check}: {self.cases} variants under {self.seeds} seeds gave identical "
            f"{', '.join(self.compared)}"
        )


def _signature(
    result: Any, registry: TargetRegistry, *, ordered: bool = True, rows: bool = True
) -> dict[str, Any]:
    """What must not change: selected ids (in order, or sorted when the draw's order
    carries no meaning), probabilities by id (``rows=False``: not read, for a draw made
    without the register's rows), the receipt."""
    ids = _selected(result)
    sig: dict[str, Any] = (
        {"selected ids (in order)": ids}
        if ordered
        else {"selected ids (in any order)": tuple(sorted(ids))}
    )
    pi = _attr(result, "inclusion_probabilities") if rows else None
    if pi is not None:
        arr = np.asarray(pi, dtype=np.float64)
        if arr.shape == (len(registry),):
            order = np.argsort(registry.ids)
            sig["inclusion probabilities by id"] = arr[order].tolist()
        else:
            sig["inclusion probabilities by id"] = f"{arr.size} values for {len(registry)} rows"
    receipt = _receipt_dict(result)
    if receipt is not None:
        sig["receipt"] = receipt
    return sig


def _first_difference(a: Mapping[str, Any], b: Mapping[str, Any]) -> str:
    for key in a:
        if key not in b:
            return f"{key}: missing from the variant's result"
        if a[key] != b[key]:
            x, y = a[key], b[key]
            if isinstance(x, Mapping) and isinstance(y, Mapping):
                sub = [k for k in sorted(set(x) | set(y)) if x.get(k) != y.get(k)]
                return f"{key}: fields {sub[:5]} differ"
            if isinstance(x, Sequence) and isinstance(y, Sequence):
                k = next((j for j, (u, v) in enumerate(zip(x, y, strict=False)) if u != v), None)
                if k is None:
                    return f"{key}: {len(x)} values vs {len(y)}"
                return f"{key}: first difference at position {k}: {x[k]!r} vs {y[k]!r}"
            return f"{key}: {x!r} vs {y!r}"
    return "results differ"


def _permutations(n: int, count: int) -> list[tuple[str, npt.NDArray[np.int64]]]:
    out: list[tuple[str, npt.NDArray[np.int64]]] = [
        ("reversed rows", np.arange(n, dtype=np.int64)[::-1].copy())
    ]
    base = np.arange(n, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for k in range(count - 1):
        t = tickets(base, Seed.from_text(_TESTING_STREAM), f"permutation/{k}")
        out.append((f"shuffled rows #{k + 1}", np.argsort(t, kind="stable").astype(np.int64)))
    return out[:count]


def check_order_invariance(
    draw_fn: DrawFn,
    registry: TargetRegistry,
    *,
    seeds: int | Iterable[Seed | str] = 3,
    permutations: int = 3,
    ordered: bool = True,
) -> InvarianceReport:
    """Check that shuffling the register's rows changes nothing about the draw.

    The draw of the register and of ``permutations`` reorderings of its rows (reversed,
    then shuffled by tickets under a testing stream) must give the same selected ids in
    the same order, the same inclusion probability per id and the same receipt.

    Args:
        draw_fn: ``draw_fn(registry, seed)``; see :data:`DrawFn`.
        registry: the register drawn from.
        seeds: number of seeds (derived by :func:`public_seeds`) or the seeds themselves.
        permutations: reorderings tried per seed (at least 1).
        ordered: ``True`` (default) when the order of the selected ids means something
            (the library's draws list them in selection order); ``False`` for a draw that
            returns an unordered set (a Python ``set``, or ids in whatever order a
            database hands them back): the selected ids are then compared as sets. The
            probabilities and the receipt are compared exactly either way.

    Raises:
        AssertionError: naming the seed, the reordering and the first difference.

    Examples:
        >>> from randsupervise.draw import draw
        >>> reg = TargetRegistry.from_columns(id=list("abcdefgh"), risk_class="AABBCCDD")
        >>> print(check_order_invariance(
        ...     lambda r, s: draw(r, seed=s, stream="s", ratios={"A": 0.5, "D": 1.0}), reg))
        order invariance: 9 variants under 3 seeds gave identical selected ids (in order), ...
        >>> check_order_invariance(lambda r, s: r.ids[:2].tolist(), reg)
        Traceback (most recent call last):
        ...
        AssertionError: order invariance fails under seed ... with reversed rows: ...
        >>> def as_a_set(r, s):
        ...     return set(draw(r, seed=s, stream="s", ratios={"A": 0.5}).ids)
        >>> check_order_invariance(as_a_set, reg, ordered=False).compared
        ('selected ids (in any order)',)
    """
    if isinstance(permutations, bool) or not isinstance(permutations, int) or permutations < 1:
        raise ValueError(f"permutations must be an int >= 1, got {permutations!r}")
    if not isinstance(ordered, bool):
        raise ValueError(f"ordered must be True or False, got {ordered!r}")
    seed_list = _seeds(seeds)
    variants = [
        (name, registry.take(perm)) for name, perm in _permutations(len(registry), permutations)
    ]

    def whole(seed: Seed) -> tuple[dict[str, Any], None]:
        return _signature(draw_fn(registry, seed), registry, ordered=ordered), None

    def variant(seed: Seed, reg: TargetRegistry, _: None) -> dict[str, Any]:
        return _signature(draw_fn(reg, seed), reg, ordered=ordered)

    return _compare("order invariance", seed_list, variants, whole, variant)


def _library_sharded(draw_fn: DrawFn) -> Callable[[Sequence[TargetRegistry], Seed, Any], Any]:
    """The library's partitioned path (shard candidates, merge) for the policy of a
    whole-register :class:`~randsupervise.draw.Draw`."""

    def run(shards: Sequence[TargetRegistry], seed: Seed, whole: Any) -> dict[str, Any]:
        policy = getattr(whole, "policy", None)
        if policy is None or policy.method != "smallest":
            raise TypeError(
                "the default partitioned draw needs a library Draw of method 'smallest'; "
                "pass sharded_draw_fn= for other draws"
            )
        sizes = {label: s.sample_size for label, s in whole.strata.items()}
        excluded = set(whole.excluded)
        cands = []
        for shard in shards:
            mask = np.ones(len(shard), dtype=bool)
            if policy.where:
                mask &= shard.mask(**{k: list(v) for k, v in policy.where.items()})
            if excluded:
                mask &= ~np.isin(shard.ids, list(excluded))
            cands.append(
                shard_candidates(
                    shard,
                    seed=seed,
                    stream=whole.stream,
                    sizes=sizes,
                    stratum_column=policy.stratify,
                    mask=mask,
                )
            )
        merged = merge_candidates(cands)
        return _merged_signature(
            {k: (v.population, tuple(v.selected)) for k, v in merged.strata.items()},
            merged.registry_digest,
        )

    return run


def _merged_signature(
    strata: Mapping[str, tuple[int, tuple[str, ...]]], digest: Any
) -> dict[str, Any]:
    nonempty = {k: v for k, v in sorted(strata.items()) if v[0] or v[1]}
    return {"strata (population, selected ids)": nonempty, "register digest": digest}


def _splits(n: int, parts: Iterable[int]) -> list[tuple[str, list[npt.NDArray[np.int64]]]]:
    out: list[tuple[str, list[npt.NDArray[np.int64]]]] = []
    rows = np.arange(n, dtype=np.int64)
    spread = tickets(rows.astype(np.uint64), Seed.from_text(_TESTING_STREAM), "partition")
    for k in parts:
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"parts must be ints >= 1, got {k!r}")
        out.append(
            (f"{k} contiguous shards", [a.astype(np.int64) for a in np.array_split(rows, k)])
        )
        if k > 1:
            which = spread % np.uint64(k)
            out.append((f"{k} hashed shards", [rows[which == np.uint64(j)] for j in range(k)]))
    return out


def check_partition_invariance(
    draw_fn: DrawFn,
    registry: TargetRegistry,
    *,
    sharded_draw_fn: ShardedDrawFn | None = None,
    seeds: int | Iterable[Seed | str] = 3,
    parts: Iterable[int] = (1, 2, 3, 7),
    ordered: bool = True,
) -> InvarianceReport:
    """Check that a draw computed shard by shard equals the draw of the whole register.

    For each number of shards in ``parts`` the register is cut two ways (contiguous
    blocks, and rows spread by a hash), and ``sharded_draw_fn(shards, seed)`` must give
    the same result as ``draw_fn(registry, seed)``: the same selected ids in order and,
    when both results carry one, the same receipt.

    When ``sharded_draw_fn`` is ``None``, ``draw_fn`` must return a library
    :class:`~randsupervise.draw.Draw` of the ``"smallest"`` method and the library's own
    partitioned path is checked against it (every shard keeps its smallest tickets per
    stratum, :func:`~randsupervise.draw.partition.merge_candidates` merges them): the
    populations, the selection per stratum and the merged register digest must agree.

    ``ordered=False`` compares the selected ids as sets, for draws that return an
    unordered set (as in :func:`check_order_invariance`).

    Raises:
        AssertionError: naming the seed, the partition and the first difference.

    Examples:
        >>> from randsupervise.draw import draw
        >>> reg = TargetRegistry.from_columns(id=[f"u{i}" for i in range(30)],
        ...                                   risk_class=["A", "B", "C"] * 10)
        >>> check_partition_invariance(
        ...     lambda r, s: draw(r, seed=s, stream="s", ratios={"A": 0.2, "B": 0.5}), reg).cases
        21
    """
    if not isinstance(ordered, bool):
        raise ValueError(f"ordered must be True or False, got {ordered!r}")
    seed_list = _seeds(seeds)
    splits = _splits(len(registry), parts)
    default = _library_sharded(draw_fn) if sharded_draw_fn is None else None

    def whole(seed: Seed) -> tuple[dict[str, Any], Any]:
        drawn = draw_fn(registry, seed)
        if default is not None:
            strata = getattr(drawn, "strata", None)
            if strata is None:
                raise TypeError(
                    "the default partitioned draw needs a library Draw; pass sharded_draw_fn="
                )
            want = _merged_signature(
                {k: (v.population, tuple(v.ids)) for k, v in strata.items()},
                registry.digest(),
            )
        else:
            want = _signature(drawn, registry, ordered=ordered)
            want.pop("inclusion probabilities by id", None)
        return want, drawn

    def variant(seed: Seed, pieces: Any, drawn: Any) -> dict[str, Any]:
        shards = [registry.take(p) for p in pieces]
        if default is not None:
            return default(shards, seed, drawn)  # type: ignore[no-any-return]
        assert sharded_draw_fn is not None
        return _signature(sharded_draw_fn(shards, seed), registry, ordered=ordered, rows=False)

    return _compare("partition invariance", seed_list, splits, whole, variant)


def _compare(
    check: str,
    seed_list: Sequence[Seed],
    variants: Sequence[tuple[str, _V]],
    whole: Callable[[Seed], tuple[dict[str, Any], _C]],
    variant: Callable[[Seed, _V, _C], dict[str, Any]],
) -> InvarianceReport:
    """Under every seed, the signature of each variant must equal the whole's."""
    compared: tuple[str, ...] = ()
    for seed in seed_list:
        want, context = whole(seed)
        compared = tuple(want)
        for name, value in variants:
            _same(check, seed, name, want, variant(seed, value, context))
    return InvarianceReport(
        check=check,
        cases=len(variants) * len(seed_list),
        seeds=len(seed_list),
        compared=compared,
    )


def _same(check: str, seed: Seed, name: str, want: dict[str, Any], got: dict[str, Any]) -> None:
    """:class:`AssertionError` naming the seed, the variant and the first difference."""
    if got != want:
        raise AssertionError(
            f"{check} fails under seed {seed.source or seed.hex!r} with "
            f"{name}: {_first_difference(want, got)}"
        )
