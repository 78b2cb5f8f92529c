"""Benchmark: the engines with the cyclic garbage collector paused, and with it running.

``assign`` and ``run_plan`` (and their verifiers) pause Python's cyclic garbage collector
while they run (``randsupervise._core.gc_pause``). This script measures what that pause
is worth, side by side in one process: each repeat runs the same call once as shipped
(collector paused) and once with the pause replaced by a no-op (collector running, as
without it), in turn, so a burst of load on a shared machine falls on both.

Rows (full size / ``--quick``):

* ``gc.assign``: the assignment benchmark's instance (``bench_assign.py``), 100,000
  visits and 3,000 inspectors in 30 regions / 10,000 and 300 in 3.
* ``gc.assign_joint``: the same with 30% joint visits staffed per department.
* ``gc.run_plan``: the annual-cycle benchmark's year (``bench_cycle.py``), 1,000,000
  targets / 100,000.

``ours_s`` is the median with the pause, ``baseline_s`` the median without it; the min /
median / max of both and of the per-repeat ratio are in the row. The teams and the
receipts are checked equal in every repeat: the pause never changes a result.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from collections.abc import Callable
from typing import Any

import randsupervise._core.gc_pause as gc_pause
from randsupervise.assign import assign
from randsupervise.calendar import china
from randsupervise.cycle import run_plan
from randsupervise.tickets.seed import Seed

from _common import emit
from bench_assign import instance
from bench_cycle import build, make_plan


def _mmm(xs: list[float]) -> list[float]:
    s = sorted(xs)
    return [round(s[0], 3), round(s[len(s) // 2], 3), round(s[-1], 3)]


def side_by_side(name: str, call: Callable[[], Any], repeat: int, **extra: Any) -> None:
    """``call()`` with the pause and without it, in turn; one JSON row."""
    paused: list[float] = []
    running: list[float] = []
    load = os.getloadavg()[0]
    for _ in range(repeat):
        t0 = time.perf_counter()
        a = call()
        paused.append(time.perf_counter() - t0)
        shipped = gc_pause.paused_gc
        gc_pause.paused_gc = contextlib.nullcontext  # type: ignore[assignment]
        try:
            t0 = time.perf_counter()
            b = call()
            running.append(time.perf_counter() - t0)
        finally:
            gc_pause.paused_gc = shipped
        assert a.receipt == b.receipt, "the pause changed a result"
    ratios = [p / r for p, r in zip(paused, running, strict=True)]
    emit(name, _mmm(paused)[1], "the same call with the collector running", _mmm(running)[1],
         paused_s=_mmm(paused), running_s=_mmm(running), ratio_min_median_max=_mmm(ratios),
         repeats=repeat, load_average_1min_start=round(load, 2),
         load_average_1min_end=round(os.getloadavg()[0], 2), **extra)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    seed = Seed.from_text("bench")
    shape = (10_000, 300, 3) if a.quick else (100_000, 3_000, 30)
    for name, joint in (("gc.assign", False), ("gc.assign_joint", True)):
        visits, pool, conflicts, limit, _ = instance(
            *shape, joint_share=0.30 if joint else 0.10, per_department=joint
        )

        def one(visits: Any = visits, pool: Any = pool, conflicts: Any = conflicts,
                limit: int = limit) -> Any:  # fmt: skip
            return assign(visits, pool, seed=seed, stream="bench/teams", conflicts=conflicts,
                          load_limits=limit)  # fmt: skip

        side_by_side(name, one, a.repeat, visits=shape[0], inspectors=shape[1],
                     regions=shape[2])  # fmt: skip
    n, n_items, n_insp = (100_000, 20, 1_000) if a.quick else (1_000_000, 50, 5_000)
    reg, items, pool = build(n, n_items, n_insp)
    reg.digest()  # fingerprints and row hashes are cached with the register, once
    plan, cal, year_seed = make_plan(items), china(), Seed.from_text("bench 2024")
    side_by_side(
        "gc.run_plan",
        lambda: run_plan(plan, reg, items, pool, seed=year_seed, calendar=cal),
        a.repeat,
        targets=n,
        items=n_items,
        inspectors=n_insp,
    )


if __name__ == "__main__":
    main()
