"""Benchmark: building, digesting and filtering a TargetRegistry from columns.

Baseline in the same run: ``np.unique`` on the same id array (a sort of the ids, the
least work that finds duplicate ids).

    python benchmarks/bench_registry.py            # 1M and 10M rows
    python benchmarks/bench_registry.py --quick    # 100k rows
"""

from __future__ import annotations

import argparse

import numpy as np

from randsupervise.model import TargetRegistry

from _common import best_of, emit


def make_columns(n: int) -> dict[str, np.ndarray]:
    i = np.arange(n)
    ids = np.char.add("ID", np.char.zfill(i.astype(str), 10))
    # a fixed permutation so rows are not sorted by id
    perm = (i * 7919) % n if n % 7919 else i
    return {
        "id": ids[perm],
        "risk_class": np.array(list("AABBBBCD"))[i % 8],
        "kind": np.array(["enterprise", "sole_trader", "product"])[i % 3],
        "region": np.array([f"region-{k:02d}" for k in range(30)])[i % 30],
        "industry": np.array([f"industry-{k}" for k in range(12)])[(i // 7) % 12],
        "status": np.array(["active"] * 19 + ["deregistered"])[i % 20],
        "weight": 1.0 + (i % 5).astype(np.float64),
    }


def run(n: int, repeat: int) -> None:
    cols = make_columns(n)
    base_s, _ = best_of(lambda: np.unique(cols["id"]), repeat)
    build_s, reg = best_of(lambda: TargetRegistry.from_columns(**cols), repeat)
    emit(f"registry_build_{n}", build_s, "np.unique(ids)", base_s, rows=n)

    def digest() -> str:
        reg._cache.clear()  # measure the full computation, not the cached value
        return reg.digest()

    digest_s, _ = best_of(digest, repeat)
    emit(f"registry_digest_{n}", digest_s, "np.unique(ids)", base_s, rows=n)
    filter_s, view = best_of(lambda: reg.filter(risk_class=["C", "D"], region="region-03"), repeat)
    emit(f"registry_filter_{n}", filter_s, "np.unique(ids)", base_s, rows=n, kept=len(view))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (CI)")
    args = parser.parse_args()
    sizes = [100_000] if args.quick else [1_000_000, 10_000_000]
    for n in sizes:
        run(n, repeat=2 if n >= 10_000_000 else 3)


if __name__ == "__main__":
    main()
