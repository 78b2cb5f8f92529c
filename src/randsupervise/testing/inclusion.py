"""Inclusion probabilities: each unit is drawn as often as its probability says.

Invariants, each with the rule it comes from (architecture principles 3 and 4; BRIEF
"Why randomness must be verifiable"):

* :func:`check_inclusion_probabilities` runs the draw under many public seeds and tests
  every unit's count against its probability (the reported one, or the one given) with
  the exact binomial test of :mod:`randsupervise.testing.power`: false-positive rate at
  most ``alpha``, and no pass without power.

:func:`check_inclusion_probabilities` runs ``draw_fn(registry, seed)`` once per seed,
counts how often each unit is drawn and tests each count against ``Binomial(n_seeds, p)``
with an exact two-sided test. A unit fails when its p-value is below ``alpha / n_tested``
(Bonferroni), so a correct draw fails with probability at most ``alpha``; a unit of
probability 0 that is drawn, or of probability 1 that is missed, fails outright.

A run too small to see the bias it tests for does not pass: the check also works out
whether these seeds can detect ``effect`` in every tested unit (by default a unit that is
never drawn, caught when ``2 (1 - p)^n_seeds < alpha / n_tested``). If not, and no unit
deviates, the verdict is ``"inconclusive"`` and the report names the number of seeds that
would do (:attr:`InclusionReport.runs_needed`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.progress import Progress
from randsupervise.model.targets import TargetRegistry
from randsupervise.testing.outcomes import DrawFn, F64Array, _reported, _rows, _selected
from randsupervise.testing.power import (
    UnitDeviation,
    _binomial_p_values,
    _check_effect,
    _min_detectable,
    _Powered,
)
from randsupervise.testing.seeds import _check_alpha, _seeds, _stepped
from randsupervise.tickets.seed import Seed

__all__ = ["InclusionReport", "check_inclusion_probabilities"]


@attrs.frozen(kw_only=True)
class InclusionReport(_Powered):
    """What :func:`check_inclusion_probabilities` found.

    Attributes:
        n_seeds: draws made.
        n_units: register rows.
        n_tested: units tested statistically (reported probability strictly in (0, 1)).
        alpha: the family-wise false-positive rate.
        threshold: the per-unit p-value threshold, ``alpha / n_tested`` (Bonferroni).
        min_detectable: the smallest reported probability at which a unit that is never
            drawn is caught with these many seeds.
        worst: the units with the smallest p-values (up to 5).
        failures: every unit that failed.
        effect: the relative shortfall the check must be able to detect in every tested
            unit (1.0: a unit never drawn).
        power: the probability with which it must detect it (for ``effect`` < 1).
        underpowered: tested units in which these seeds cannot detect ``effect``.
        runs_needed: seeds with which every tested unit would be powered (``None``: no
            number suffices); at most ``n_seeds`` when nothing is underpowered.
        smallest_underpowered: the smallest probability among the underpowered units
            (1.0 when there are none).
    """

    n_units: int
    min_detectable: float

    def __str__(self) -> str:
        numbers = (
            f"{self.n_seeds} seeds; {self.n_tested} units tested at family-wise "
            f"false-positive rate {self.alpha:g}, per-unit threshold {self.threshold:.3g}; "
            f"a unit never drawn is caught from p >= {self.min_detectable:.4f}"
        )
        return self._text("inclusion probabilities", "units", "unit", self.n_units, numbers)


def _probabilities_of(probabilities: Any, registry: TargetRegistry) -> F64Array | None:
    if probabilities is None:
        return None
    if callable(probabilities):
        probabilities = probabilities(registry)
    if isinstance(probabilities, Mapping):
        arr = np.zeros(len(registry), dtype=np.float64)
        if probabilities:
            rows = registry.index_of(list(probabilities))
            arr[rows] = [float(v) for v in probabilities.values()]
        return arr
    arr = np.asarray(probabilities, dtype=np.float64)
    if arr.shape != (len(registry),):
        raise ValueError(f"probabilities: expected {len(registry)} values, got shape {arr.shape}")
    return arr


def check_inclusion_probabilities(
    draw_fn: DrawFn,
    registry: TargetRegistry,
    *,
    seeds: int | Iterable[Seed | str] = 200,
    alpha: float = 1e-3,
    tolerance: float = 0.0,
    probabilities: Any = None,
    effect: float = 1.0,
    power: float = 0.9,
    allow_inconclusive: bool = False,
    progress: Progress | None = None,
) -> InclusionReport:
    """Check that every unit is drawn as often as its reported inclusion probability says.

    How each unit is tested, and when a run is inconclusive: see the module notes.

    Args:
        draw_fn: ``draw_fn(registry, seed)``; see :data:`DrawFn`.
        registry: the register drawn from.
        seeds: number of seeds (derived by :func:`public_seeds`) or the seeds themselves.
        alpha: family-wise false-positive rate (default 0.001).
        tolerance: accept a true probability within this distance of the reported one
            (for approximate designs such as Pareto πps, whose reported probabilities are
            targets).
        probabilities: the probabilities to test against, when the result does not report
            them: an array in register row order, a mapping id -> p (others 0), or a function
            of the register. When the reported probabilities vary between seeds, their mean
            is used (conservative: a Poisson-binomial count varies less than a binomial one).
        effect: the relative shortfall the seeds must be able to detect in every tested
            unit: a true probability of ``p * (1 - effect)``. ``1.0`` (default) is a unit
            that is never drawn; ``0.5`` one drawn half as often as it should be. Excess
            (a unit drawn too often) is tested as well, but its power is not part of the
            verdict.
        power: for ``effect < 1``, the probability with which the shortfall must be
            detected (default 0.9); a unit never drawn is detected with certainty or not
            at all.
        allow_inconclusive: return an inconclusive report instead of raising.
        progress: ``progress(done, total)`` after each seed's run; the verdict is the same.

    Returns:
        An :class:`InclusionReport` (``str(report)`` is a readable summary); its
        ``verdict`` is ``"passed"``, or ``"inconclusive"`` with ``allow_inconclusive``.

    Raises:
        AssertionError: a unit deviates (the message names the units and the numbers), or
            the seeds cannot detect ``effect`` in some unit and ``allow_inconclusive`` is
            false (the message names the seeds needed).

    Examples:
        >>> from randsupervise.draw import draw
        >>> reg = TargetRegistry.from_columns(id=[f"T{i:02}" for i in range(20)],
        ...                                   risk_class=["A", "B"] * 10)
        >>> def my_draw(registry, seed):
        ...     return draw(registry, seed=seed, stream="2024/1", ratios={"A": 0.3, "B": 0.5})
        >>> check_inclusion_probabilities(my_draw, reg, seeds=100).passed
        True
        >>> def biased(registry, seed):
        ...     return [i for i in my_draw(registry, seed).ids if i != "T19"]
        >>> check_inclusion_probabilities(biased, reg, seeds=100,
        ...                               probabilities=my_draw(reg, Seed.from_text("x"))
        ...                               .inclusion_probabilities)
        Traceback (most recent call last):
        ...
        AssertionError: inclusion probabilities: 1 of 20 units deviate ...
            'T19': reported p=0.5000, drawn 0 of 100 times (frequency 0.0000), p-value ...
        >>> check_inclusion_probabilities(my_draw, reg, seeds=10)
        Traceback (most recent call last):
        ...
        AssertionError: inclusion probabilities: inconclusive: 10 runs cannot detect a unit
        that is never drawn in 20 of 20 units tested (the smallest such probability is 0.3);
        30 runs are needed
        ...
    """
    alpha, tolerance = _check_alpha(alpha), _check_tolerance(tolerance)
    effect, power = _check_effect(effect, power)
    seed_list = _seeds(seeds)
    counts, p = _counts(draw_fn, registry, seed_list, probabilities, progress)
    report = _report(registry, counts, p, len(seed_list), alpha, float(tolerance), effect, power)
    return report._settled(allow_inconclusive)


def _check_tolerance(tolerance: float) -> float:
    if not isinstance(tolerance, int | float) or not 0 <= tolerance < 1:
        raise ValueError(f"tolerance must be in [0, 1), got {tolerance!r}")
    return tolerance


def _counts(
    draw_fn: DrawFn,
    registry: TargetRegistry,
    seed_list: Sequence[Seed],
    probabilities: Any,
    progress: Progress | None = None,
) -> tuple[npt.NDArray[np.int64], F64Array]:
    """How often each unit was drawn, and its probability: ``probabilities`` when given, else the
    mean of the probabilities the draws report."""
    fixed = _probabilities_of(probabilities, registry)
    counts = np.zeros(len(registry), dtype=np.int64)
    total = np.zeros(len(registry), dtype=np.float64)
    for seed in _stepped(seed_list, progress):
        result = draw_fn(registry, seed)
        rows = _rows(registry, _selected(result), "the draw function")
        counts[rows] += 1
        if fixed is None:
            rep = _reported(result, registry)
            if rep is None:
                raise TypeError(
                    "the draw function's result reports no inclusion_probabilities: "
                    "pass probabilities= (an array in register row order, a mapping "
                    "id -> p, or a function of the register)"
                )
            total += rep
    return counts, (fixed if fixed is not None else total / len(seed_list))


def _report(
    registry: TargetRegistry,
    counts: npt.NDArray[np.int64],
    p: F64Array,
    n: int,
    alpha: float,
    tolerance: float,
    effect: float,
    power: float,
) -> InclusionReport:
    """Every unit's exact binomial test at the Bonferroni threshold, and the power."""
    pvals = _binomial_p_values(counts, n, p, tolerance)
    ids = registry.ids

    def dev(i: int) -> UnitDeviation:
        return UnitDeviation(
            id=str(ids[i]),
            expected=float(p[i]),
            count=int(counts[i]),
            trials=n,
            p_value=float(pvals[i]),
        )

    fields = _Powered._fields(p, pvals, dev, n, alpha, tolerance, effect, power)
    return InclusionReport(
        n_units=len(registry),
        min_detectable=_min_detectable(n, fields["threshold"]),
        **fields,
    )
