"""Fairness: over many public seeds, units are drawn as often as the reported probabilities say.

Every test uses fixed seeds ``Seed.from_text(f"s{i}")``, so it is deterministic; the
threshold is stated as the false-positive rate a correct engine would have on a fresh set
of seeds: each test rejects when a chi-square p-value falls below ALPHA = 1e-6.

Statistic: for unit ``i`` with reported probability ``π_i`` drawn ``O_i`` times in ``S``
draws, ``X = Σ (O_i - S π_i)² / (S π_i (1 - π_i))``. With independent inclusions (Poisson)
``X`` is approximately chi-square with ``N`` degrees of freedom; fixed-size designs make the
inclusions negatively correlated, which only makes ``X`` smaller, so the test stays
conservative.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from randsupervise.draw import (
    Seed,
    draw,
    pips_probabilities,
    select_order_sampling,
    select_poisson,
    select_smallest,
    tickets,
)
from randsupervise.model import TargetRegistry
from randsupervise.tickets.fingerprint import fingerprints

ALPHA = 1e-6  # false-positive rate per test
S = 3000  # seeds per test
N = 60
IDS = np.asarray([f"U{i:03d}" for i in range(N)])
FP = fingerprints(IDS.tolist())
SEEDS = [Seed.from_text(f"s{i}") for i in range(S)]
WEIGHTS = 1.0 + (np.arange(N) % 5)  # risk scores 1..5


def ids_for(p: np.ndarray) -> list[str]:
    out: list[str] = IDS[p].tolist()
    return out


def p_value(counts: np.ndarray, pi: np.ndarray) -> float:
    keep = (pi > 0) & (pi < 1)
    e = S * pi[keep]
    x = float((((counts[keep] - e) ** 2) / (e * (1 - pi[keep]))).sum())
    return float(stats.chi2.sf(x, int(keep.sum())))


def test_equal_probability_fixed_size() -> None:
    n = 12
    counts = np.zeros(N)
    first = np.zeros(N)
    for seed in SEEDS:
        sel = select_smallest(tickets(FP, seed, "fair"), n, ids_for)
        assert sel.size == n
        counts[sel] += 1
        first[sel[0]] += 1
    assert p_value(counts, np.full(N, n / N)) > ALPHA
    # the batch order is random too: each unit is first in line equally often
    assert p_value(first, np.full(N, 1 / N)) > ALPHA


def test_poisson_exact_probabilities() -> None:
    lam, _n = pips_probabilities(WEIGHTS, 15)
    counts = np.zeros(N)
    for seed in SEEDS:
        counts[select_poisson(tickets(FP, seed, "fair-p"), lam, ids_for)] += 1
    assert p_value(counts, lam) > ALPHA


def test_pareto_approximates_target_probabilities() -> None:
    lam, n = pips_probabilities(WEIGHTS, 15)
    counts = np.zeros(N)
    for seed in SEEDS:
        sel = select_order_sampling(tickets(FP, seed, "fair-o"), lam, n, ids_for)
        assert sel.size == n
        counts[sel] += 1
    assert p_value(counts, lam) > ALPHA


def test_certainty_units_and_engine_level_frequencies() -> None:
    """Through the whole engine: strata, certainty units, reported probabilities."""
    risk = np.asarray(list("ABCD") * (N // 4))
    w = WEIGHTS.copy()
    w[0] = 500.0  # a class-A unit whose weight forces certainty
    reg = TargetRegistry.from_columns(id=IDS, risk_class=risk, weight=w)
    counts = np.zeros(N)
    pi = None
    for seed in SEEDS[:1500]:
        d = draw(reg, seed=seed, stream="eng", ratios={"A": 0.2, "B": 0.5}, method="pareto")
        counts[d.positions] += 1
        pi = d.inclusion_probabilities if pi is None else pi
        assert np.array_equal(pi, d.inclusion_probabilities)
    assert pi is not None and pi[0] == 1.0 and counts[0] == 1500
    keep = (pi > 0) & (pi < 1)
    e = 1500 * pi[keep]
    x = float((((counts[keep] - e) ** 2) / (e * (1 - pi[keep]))).sum())
    assert stats.chi2.sf(x, int(keep.sum())) > ALPHA
    assert (counts[pi == 0] == 0).all()
