"""Benchmark: burden spreading across periods (coordinated draws with history tiers).

The burden simulation: a 10,000-unit register, ratio r = 0.2, ceil(1/r) = 5 periods, the
floor at r/4. Reported: the share of units never inspected after the 5 periods, ours
against independent draws (the engine's plain draw with a fresh seed and stream each
period; about 0.8**5 = 32.8% by theory), their ratio (goal: at most 1/3), the least
inclusion probability reported in any period (must be the floor), and the observed share
of the previous period's units drawn again. Timing: ours against the independent draws.
The full run adds a 1,000,000-unit register with a 4-period history, one period's draw.

    python benchmarks/bench_burden.py            # 20 replications + 1M register
    python benchmarks/bench_burden.py --quick    # 3 replications
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from randsupervise.draw import BurdenHistory, History, draw
from randsupervise.model import TargetRegistry
from randsupervise.tickets.seed import Seed

from _common import best_of, emit


def register(n: int) -> TargetRegistry:
    return TargetRegistry.from_columns(
        id=np.char.add("U", np.char.zfill(np.arange(n).astype(str), 8)), risk_class=["A"] * n
    )


def simulate(reg: TargetRegistry, rep: int, r: float, floor: float, periods: int) -> dict:
    ours_s = indep_s = 0.0
    history = BurdenHistory.empty()
    seen_ours: set[str] = set()
    seen_indep: set[str] = set()
    mins, redraw = [], []
    previous: frozenset[str] = frozenset()
    for p in range(periods):
        seed = Seed.from_text(f"replication {rep} period {p}")
        t0 = time.perf_counter()
        d = draw(reg, seed=seed, stream=f"p{p}", history=History.from_periods(history),
                 floor=floor, ratios={"A": r})  # fmt: skip
        ours_s += time.perf_counter() - t0
        chosen = d.selected_ids()
        history = history.append(chosen, label=f"p{p}")
        mins.append(float(d.inclusion_probabilities.min()))
        if previous:
            redraw.append(len(chosen & previous) / len(previous))
        previous = chosen
        seen_ours |= chosen
        t0 = time.perf_counter()
        plain = draw(reg, seed=seed, stream=f"p{p}", ratios={"A": r})
        indep_s += time.perf_counter() - t0
        seen_indep |= set(plain.ids)
    n = len(reg)
    return {
        "ours_s": ours_s,
        "indep_s": indep_s,
        "never_ours": 1 - len(seen_ours) / n,
        "never_indep": 1 - len(seen_indep) / n,
        "min_reported": min(mins[1:]),
        "redraw": redraw,
    }


def run_simulation(reps: int) -> None:
    n, r = 10_000, 0.2
    floor = r / 4
    periods = math.ceil(1 / r)
    reg = register(n)
    runs = [simulate(reg, k, r, floor, periods) for k in range(reps)]
    never_ours = float(np.mean([x["never_ours"] for x in runs]))
    never_indep = float(np.mean([x["never_indep"] for x in runs]))
    redraw = [v for x in runs for v in x["redraw"]]
    emit(
        "burden_never_inspected_10k",
        float(np.mean([x["ours_s"] for x in runs])),
        "independent draws (engine draw, new seed and stream each period)",
        float(np.mean([x["indep_s"] for x in runs])),
        units=n,
        sampling_ratio=r,
        floor=floor,
        periods=periods,
        replications=reps,
        never_share_ours=round(never_ours, 4),
        never_share_ours_max=round(max(x["never_ours"] for x in runs), 4),
        never_share_independent=round(never_indep, 4),
        never_share_independent_theory=round((1 - r) ** periods, 4),
        share_ratio=round(never_ours / never_indep, 3),
        share_ratio_goal=round(1 / 3, 3),
        min_reported_probability=min(x["min_reported"] for x in runs),
        observed_redraw_share_mean=round(float(np.mean(redraw)), 4),
        observed_redraw_share_min=round(min(redraw), 4),
    )


def run_large(n: int) -> None:
    reg = register(n)
    ids = reg.ids
    # a 4-period history of 20% draws, as the simulation would leave it
    history = BurdenHistory.from_periods(
        {f"y{k}": ids[(np.arange(n) % 5) == k].tolist() for k in range(4)}
    )
    seed = Seed.from_text("large")
    ours_s, d = best_of(
        lambda: draw(reg, seed=seed, stream="y4", history=History.from_periods(history),
                     floor=0.05, ratios={"A": 0.2}), 3)  # fmt: skip
    base_s, _ = best_of(lambda: draw(reg, seed=seed, stream="y4", ratios={"A": 0.2}), 3)
    emit(
        f"burden_draw_{n // 1_000_000}m",
        ours_s,
        "independent draw (engine draw, same register)",
        base_s,
        units=n,
        history_periods=4,
        tiers=len(d.strata["A"].tiers),
        sample_size=d.strata["A"].sample_size,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 replications, no large register")
    args = ap.parse_args()
    run_simulation(3 if args.quick else 20)
    if not args.quick:
        run_large(1_000_000)


if __name__ == "__main__":
    main()
