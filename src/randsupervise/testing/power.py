"""The statistics of the checks: exact binomial p-values, power, and the seeds needed.

Invariants, each with the rule it comes from:

* **Stated false-positive rate.** Every unit is tested with an exact two-sided binomial
  test and a Bonferroni correction, so a correct draw fails with probability at most
  ``alpha`` over the choice of seeds, whatever the dependence between units within one
  draw (the union bound needs no independence). Units with probability 0 or 1 are
  checked exactly (never drawn / always drawn) and spend none of ``alpha``.
* **No pass without power.** A statistical check passes only if its seeds could have
  detected the effect it states (by default a unit never drawn) in every unit it tests
  (:func:`_power`); otherwise its verdict is "inconclusive", with the number of seeds
  that would do (:func:`runs_needed`, the same computation before any draw).
* The verdict and its message are written once (:func:`_verdict`) for the inclusion and
  the assignment checks (architecture principle 8).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import attrs
import numpy as np
import numpy.typing as npt
from scipy import stats

from randsupervise.testing.outcomes import F64Array
from randsupervise.testing.seeds import _check_alpha

__all__ = ["UnitDeviation", "runs_needed"]


@attrs.frozen(kw_only=True)
class UnitDeviation:
    """One unit's (or inspector's) observed frequency against its reported probability."""

    id: str
    expected: float
    count: int
    trials: int
    p_value: float
    context: str = ""

    @property
    def frequency(self) -> float:
        return self.count / self.trials if self.trials else 0.0

    def __str__(self) -> str:
        where = f"{self.context}: " if self.context else ""
        return (
            f"{where}{self.id!r}: reported p={self.expected:.4f}, drawn {self.count} of "
            f"{self.trials} times (frequency {self.frequency:.4f}), p-value {self.p_value:.3g}"
        )


def _binomial_p_values(
    counts: npt.NDArray[np.int64], trials: int, p: F64Array, tolerance: float
) -> F64Array:
    """Two-sided exact binomial p-values; 0/1 probabilities are exact checks (p-value 0 or 1).

    With a ``tolerance``, the null is "the true probability is within ``tolerance`` of
    ``p``": the p-value is taken at the nearer end of that interval.
    """
    out = np.ones(p.shape, dtype=np.float64)
    lo = np.clip(p - tolerance, 0.0, 1.0)
    hi = np.clip(p + tolerance, 0.0, 1.0)
    freq = counts / trials
    q = np.where(freq < lo, lo, np.where(freq > hi, hi, np.nan))
    test = ~np.isnan(q)
    exact0 = test & (q <= 0.0)
    exact1 = test & (q >= 1.0)
    out[exact0 | exact1] = 0.0  # a unit of probability 0 drawn, or of 1 missed
    mid = test & ~exact0 & ~exact1
    if mid.any():
        k, qq = counts[mid], q[mid]
        lower = stats.binom.cdf(k, trials, qq)
        upper = stats.binom.sf(k - 1, trials, qq)
        out[mid] = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    return out


def _min_detectable(trials: int, threshold: float) -> float:
    """Smallest probability p for which a unit never drawn in ``trials`` draws is caught:
    ``2 (1-p)^trials < threshold``."""
    return float(1.0 - (threshold / 2.0) ** (1.0 / trials)) if trials else 1.0


#: Beyond this many runs the search for the runs needed stops: the effect is, for practical
#: purposes, undetectable in some unit (its probability is tiny, or within the tolerance).
_MAX_RUNS = 10**12


def _check_effect(effect: float, power: float) -> tuple[float, float]:
    if isinstance(effect, bool) or not isinstance(effect, int | float) or not 0 < effect <= 1:
        raise ValueError(f"effect must be a relative shortfall in (0, 1], got {effect!r}")
    if isinstance(power, bool) or not isinstance(power, int | float) or not 0 < power < 1:
        raise ValueError(f"power must be a probability in (0, 1), got {power!r}")
    return float(effect), float(power)


def _lower_power(trials: int, lo: F64Array, q: F64Array, threshold: float) -> F64Array:
    """Probability that the exact test (:func:`_binomial_p_values`, null at ``lo``) flags a
    count that is ``Binomial(trials, q)`` as too low.

    The test flags ``k`` when ``k / trials < lo`` and ``2 cdf(k; trials, lo) < threshold``:
    the counts ``0 .. kl`` for the largest such ``kl``, so the power is
    ``cdf(kl; trials, q)`` (0 when no count is flagged).
    """
    kl = stats.binom.ppf(threshold / 2.0, trials, lo) - 1.0
    # ppf works to floating tolerance: settle the boundary with the test's own inequality
    kl = np.where(2.0 * stats.binom.cdf(kl, trials, lo) < threshold, kl, kl - 1.0)
    up = kl + 1.0
    kl = np.where(2.0 * stats.binom.cdf(up, trials, lo) < threshold, up, kl)
    kl = np.minimum(kl, np.ceil(lo * trials) - 1.0)
    out: F64Array = np.where(kl >= 0, stats.binom.cdf(kl, trials, q), 0.0)
    return out


@attrs.frozen(kw_only=True)
class _Power:
    underpowered: int
    runs_needed: int | None
    smallest: float


def _power(
    p: F64Array, trials: int, threshold: float, tolerance: float, effect: float, power: float
) -> _Power:
    """Whether ``trials`` runs detect, in every unit tested (``0 < p < 1``), a true
    probability of ``p * (1 - effect)`` with probability ``power``, and how many runs would.

    ``effect`` 1 is a unit never drawn: its count is 0 for certain, so it is caught exactly
    when ``2 (1 - lo)^trials < threshold`` (``lo = p - tolerance``) and ``power`` plays no
    part. ``runs_needed`` is ``None`` when no number of runs up to ``_MAX_RUNS`` suffices
    (the shortfall lies within ``tolerance``, or a probability is vanishingly small).
    For ``effect < 1`` the exact test's power is not monotone in the runs (it saw-tooths),
    so ``runs_needed`` is a number of runs that suffices, found by bisection; for
    ``effect`` 1 it is the smallest.
    """
    tested = p[(p > 0) & (p < 1)]
    if tested.size == 0:
        return _Power(underpowered=0, runs_needed=1, smallest=1.0)
    ref, inverse = np.unique(tested, return_inverse=True)
    lo = np.clip(ref - tolerance, 0.0, 1.0)
    q = ref * (1.0 - effect)

    def powered(runs: int) -> npt.NDArray[np.bool_]:
        ok: npt.NDArray[np.bool_] = _lower_power(runs, lo, q, threshold) >= power
        return ok

    now = powered(trials) if trials else np.zeros(ref.shape, dtype=bool)
    weak = ~now[inverse]
    smallest = float(tested[weak].min()) if weak.any() else 1.0
    needed: int | None
    if bool((q >= lo).any()):  # the shortfall hides within the tolerance
        needed = None
    else:
        # bisect below a number of runs known to suffice: the runs made, when they do
        low, high = (0, trials) if not weak.any() else (0, 1)
        while not bool(powered(high).all()):
            low, high = high, high * 2
            if high > _MAX_RUNS:
                break
        if high > _MAX_RUNS:
            needed = None
        else:
            while high - low > 1:
                mid = (low + high) // 2
                if bool(powered(mid).all()):
                    high = mid
                else:
                    low = mid
            needed = high
    return _Power(underpowered=int(weak.sum()), runs_needed=needed, smallest=smallest)


def runs_needed(
    probabilities: Any,
    *,
    alpha: float = 1e-3,
    tolerance: float = 0.0,
    effect: float = 1.0,
    power: float = 0.9,
) -> int | None:
    """How many seeds :func:`check_inclusion_probabilities` needs before it can detect
    ``effect`` in every unit, for a register whose units have these ``probabilities``.

    The same computation the check makes after the fact
    (:attr:`InclusionReport.runs_needed`), for planning a suite before running it. Units
    of probability 0 or 1 are checked exactly, so one run is enough for them; the
    Bonferroni threshold is ``alpha`` over the number of the others.

    Args:
        probabilities: the units' inclusion probabilities (any sequence or array).
        alpha: family-wise false-positive rate, as for :func:`check_inclusion_probabilities`.
        tolerance: accepted distance from the reported probability, as there.
        effect: the relative shortfall to detect (1.0: a unit never drawn), as there.
        power: the probability of detecting it, for ``effect`` < 1, as there.

    Returns:
        The number of seeds, or ``None`` when none suffices (a shortfall within
        ``tolerance``, or a probability so small that it would take more than 10^12).

    Examples:
        >>> runs_needed([0.05] * 1000)              # a unit never drawn, at 5%
        283
        >>> runs_needed([0.05] * 1000, effect=0.5)  # drawn at half its rate, 90% power
        2300
        >>> runs_needed([0.0, 1.0])
        1
    """
    alpha = _check_alpha(alpha)
    if not isinstance(tolerance, int | float) or not 0 <= tolerance < 1:
        raise ValueError(f"tolerance must be in [0, 1), got {tolerance!r}")
    effect, power = _check_effect(effect, power)
    p = np.asarray(probabilities, dtype=np.float64).ravel()
    if not np.all((p >= 0) & (p <= 1)):
        raise ValueError("probabilities must lie in [0, 1]")
    tested = int(np.count_nonzero((p > 0) & (p < 1)))
    return _power(p, 1, alpha / max(tested, 1), float(tolerance), effect, power).runs_needed


def _effect_text(effect: float, power: float) -> str:
    if effect >= 1.0:
        return "a unit that is never drawn"
    return f"a unit drawn at {1 - effect:.0%} of its probability (with power {power:.0%})"


_R = TypeVar("_R", bound="_Powered")


@attrs.frozen(kw_only=True)
class _Powered:
    """What a statistical report (inclusion or assignment) says: its verdict and power.

    The fields are documented on :class:`~randsupervise.testing.InclusionReport`.
    """

    n_seeds: int
    alpha: float
    threshold: float
    worst: tuple[UnitDeviation, ...]
    failures: tuple[UnitDeviation, ...]
    n_tested: int = 0
    effect: float = 1.0
    power: float = 0.9
    underpowered: int = 0
    runs_needed: int | None = 1
    smallest_underpowered: float = 1.0

    @property
    def verdict(self) -> str:
        """``"failed"`` when a unit deviates; otherwise ``"inconclusive"`` when the seeds
        cannot detect :attr:`effect` in some unit; otherwise ``"passed"``."""
        return _verdict(self)

    @property
    def passed(self) -> bool:
        """Only a powered run with no deviating unit passes."""
        return self.verdict == "passed"

    @staticmethod
    def _fields(
        expected: F64Array,
        p_values: F64Array,
        deviation: Callable[[int], UnitDeviation],
        trials: int,
        alpha: float,
        tolerance: float,
        effect: float,
        power: float,
    ) -> dict[str, Any]:
        """The fields of :class:`_Powered` from every unit's probability and p-value: the
        Bonferroni threshold over the units tested (``0 < p < 1``), the failing units and the
        five closest to failing (as ``deviation(i)`` gives unit ``i``), and the power."""
        tested = int(np.count_nonzero((expected > 0) & (expected < 1)))
        threshold = alpha / max(tested, 1)
        order = np.argsort(p_values, kind="stable").tolist()
        pw = _power(expected, trials, threshold, tolerance, effect, power)
        return {
            "n_seeds": trials,
            "alpha": alpha,
            "threshold": threshold,
            "n_tested": tested,
            "worst": tuple(deviation(i) for i in order[:5]),
            "failures": tuple(deviation(i) for i in order if p_values[i] < threshold),
            "effect": effect,
            "power": power,
            "underpowered": pw.underpowered,
            "runs_needed": pw.runs_needed,
            "smallest_underpowered": pw.smallest,
        }

    def _settled(self: _R, allow_inconclusive: bool) -> _R:
        """The report, or :class:`AssertionError` with its text when it failed (or is
        inconclusive and that is not allowed)."""
        if self.verdict == "failed" or (self.verdict == "inconclusive" and not allow_inconclusive):
            raise AssertionError(str(self))
        return self

    def _text(self, title: str, units: str, one: str, total: int, numbers: str) -> str:
        """The report's text: its verdict with ``numbers``, then the units that failed
        (or the closest ones)."""
        if self.verdict == "inconclusive":
            head = f"{title}: {_inconclusive_text(self, units)}\n  no {one} deviates ({numbers})"
        else:
            head = f"{title}: {len(self.failures)} of {total} {units} deviate ({numbers})"
        return _listing(head, self.failures, self.worst)


def _verdict(report: _Powered) -> str:
    """``"failed"`` when a unit deviates; otherwise ``"inconclusive"`` when the seeds
    cannot detect the report's effect in some unit; otherwise ``"passed"``."""
    if report.failures:
        return "failed"
    return "inconclusive" if report.underpowered else "passed"


def _inconclusive_text(report: _Powered, units: str) -> str:
    """The sentence an inconclusive report opens with: what the run cannot detect, in how
    many units, and how many runs would."""
    if report.runs_needed is None:
        need = (
            "no number of runs suffices (the shortfall is within the tolerance, or a "
            "probability is vanishingly small)"
        )
    else:
        need = f"{report.runs_needed} runs are needed"
    return (
        f"inconclusive: {report.n_seeds} runs cannot detect "
        f"{_effect_text(report.effect, report.power)} in {report.underpowered} of "
        f"{report.n_tested} {units} tested (the smallest such probability is "
        f"{report.smallest_underpowered:.4g}); {need}"
    )


def _listing(head: str, failures: Sequence[UnitDeviation], worst: Sequence[UnitDeviation]) -> str:
    """A report's text: ``head``, then the first failures, or the units closest to failing."""
    shown = failures[:10] if failures else worst
    label = "failing" if failures else "closest to failing"
    return "\n".join([head, f"  {label}:", *(f"    {d}" for d in shown)])
