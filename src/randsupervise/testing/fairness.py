"""Fairness checks: one-line assertions a test suite makes about a draw or an assignment.

Each check runs a draw (or assignment) function many times, under seeds derived from
public text, and either returns a report or raises :class:`AssertionError` whose message
holds the numbers. The functions checked are plain callables, so a platform can check
its own wrapper around the engine, or an engine of its own.

Invariants (architecture principles 3 and 4; BRIEF "Why randomness must be verifiable"):

* **Stated false-positive rate.** The statistical checks
  (:func:`check_inclusion_probabilities`, :func:`check_assignment_uniformity`) test every
  unit with an exact two-sided binomial test and a Bonferroni correction, so a correct
  draw fails with probability at most ``alpha`` over the choice of seeds, whatever the
  dependence between units within one draw (the union bound needs no independence).
  Units with probability 0 or 1 are checked exactly (never drawn / always drawn) and
  spend none of ``alpha``.
  :func:`check_batch_independence` tests the pooled batch × category table with
  Pearson's chi-square test, whose false-positive rate is ``alpha`` asymptotically
  (slightly less for fixed-size draws).
* **Deterministic.** Seeds are ``Seed.from_text("randsupervise.testing/<k>")`` unless
  given, so a check gives the same verdict on every run and every machine; a suite
  never flakes.
* **No pass without power.** A statistical check passes only if its seeds could have
  detected the effect it states (by default a unit, or an eligible inspector, never
  drawn) in every unit it tests; otherwise its verdict is "inconclusive", with the number
  of seeds that would do, and it raises unless the caller allows that.
* **Exact checks are exact.** Order invariance, partition invariance and receipt
  tampering compare values, with no statistics and no false positives.
* Nothing here reads global random state: permutations and partitions of a register come
  from the library's own ticket function under a testing stream.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from scipy import stats

from randsupervise._core.canonical import digest, sha256_hex
from randsupervise.draw.partition import merge_candidates, shard_candidates
from randsupervise.draw.receipt import Receipt
from randsupervise.draw.verify import verify as _verify_draw
from randsupervise.errors import RandSuperviseError
from randsupervise.model.targets import (
    AddTarget,
    RemoveTarget,
    RiskClass,
    Target,
    TargetRegistry,
    UpdateTarget,
)
from randsupervise.tickets.function import tickets
from randsupervise.tickets.seed import Seed

__all__ = [
    "BatchIndependenceReport",
    "DrawFn",
    "InclusionReport",
    "InvarianceReport",
    "ReceiptReport",
    "ShardedDrawFn",
    "Tampering",
    "UniformityReport",
    "UnitDeviation",
    "check_assignment_uniformity",
    "check_batch_independence",
    "check_inclusion_probabilities",
    "check_order_invariance",
    "check_partition_invariance",
    "check_receipt",
    "public_seeds",
    "runs_needed",
]

#: ``draw_fn(registry, seed)``: returns a :class:`~randsupervise.draw.Draw`, any object
#: with ``ids`` (the selected ids) and optionally ``inclusion_probabilities`` (one per
#: register row) and ``receipt``, or a plain sequence of selected ids.
DrawFn = Callable[[TargetRegistry, Seed], Any]
#: ``sharded_draw_fn(shards, seed)``: the same draw computed from the register's shards.
ShardedDrawFn = Callable[[Sequence[TargetRegistry], Seed], Any]
F64Array = npt.NDArray[np.float64]
_TESTING_STREAM = "randsupervise.testing"


def public_seeds(n: int, *, label: str = _TESTING_STREAM) -> tuple[Seed, ...]:
    """``n`` public seeds ``Seed.from_text(f"{label}/{k}")``, ``k = 0 .. n-1``.

    Examples:
        >>> [s.source for s in public_seeds(2)]
        ['randsupervise.testing/0', 'randsupervise.testing/1']
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"need a number of seeds >= 1, got {n!r}")
    return tuple(Seed.from_text(f"{label}/{k}") for k in range(n))


def _seeds(seeds: int | Iterable[Seed | str]) -> tuple[Seed, ...]:
    if isinstance(seeds, int):
        return public_seeds(seeds)
    out = tuple(s if isinstance(s, Seed) else Seed.from_text(s) for s in seeds)
    if not out:
        raise ValueError("no seeds given")
    return out


def _check_alpha(alpha: float) -> float:
    if not isinstance(alpha, int | float) or isinstance(alpha, bool) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a false-positive rate in (0, 1), got {alpha!r}")
    return float(alpha)


# --------------------------------------------------------------------------- outcomes


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    """``obj.name``, or ``default`` when ``obj`` has no such attribute.

    A property of ``obj``'s class is always called, so an error inside it surfaces
    instead of passing for a missing attribute.
    """
    if hasattr(type(obj), name):
        return getattr(obj, name)
    return getattr(obj, name, default)


def _selected(result: Any) -> tuple[str, ...]:
    """The selected ids of a draw function's result."""
    ids = _attr(result, "ids", result)
    if isinstance(ids, str) or not isinstance(ids, Iterable):
        raise TypeError(
            f"a draw function must return a Draw, an object with .ids, or a sequence of ids; "
            f"got {type(result).__name__}"
        )
    return tuple(str(i) for i in ids)


def _reported(result: Any, registry: TargetRegistry) -> F64Array | None:
    pi = _attr(result, "inclusion_probabilities")
    if pi is None:
        return None
    arr = np.asarray(pi, dtype=np.float64)
    if arr.shape != (len(registry),):
        raise TypeError(
            f"inclusion_probabilities has shape {arr.shape}; expected one per register row "
            f"({len(registry)})"
        )
    return arr


def _receipt_dict(result: Any) -> dict[str, Any] | None:
    r = _attr(result, "receipt", result)
    if isinstance(r, Receipt):
        return r.to_dict()
    if isinstance(r, Mapping):
        return dict(r)
    return None


def _rows(registry: TargetRegistry, ids: Sequence[str], what: str) -> npt.NDArray[np.int64]:
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise AssertionError(f"{what} selected the same id twice: {dup}")
    try:
        return registry.index_of(list(ids)).astype(np.int64)
    except RandSuperviseError as e:
        raise AssertionError(f"{what} selected ids that are not in the register: {e}") from None


# --------------------------------------------------------------------------- statistics


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


def _inconclusive_text(report: InclusionReport | UniformityReport, units: str) -> str:
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


@attrs.frozen(kw_only=True)
class InclusionReport:
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

    n_seeds: int
    n_units: int
    n_tested: int
    alpha: float
    threshold: float
    min_detectable: float
    worst: tuple[UnitDeviation, ...]
    failures: tuple[UnitDeviation, ...]
    effect: float = 1.0
    power: float = 0.9
    underpowered: int = 0
    runs_needed: int | None = 1
    smallest_underpowered: float = 1.0

    @property
    def verdict(self) -> str:
        """``"failed"`` when a unit deviates; otherwise ``"inconclusive"`` when the seeds
        cannot detect :attr:`effect` in some unit; otherwise ``"passed"``."""
        if self.failures:
            return "failed"
        return "inconclusive" if self.underpowered else "passed"

    @property
    def passed(self) -> bool:
        """Only a powered run with no deviating unit passes."""
        return self.verdict == "passed"

    def __str__(self) -> str:
        numbers = (
            f"{self.n_seeds} seeds; {self.n_tested} units tested at family-wise "
            f"false-positive rate {self.alpha:g}, per-unit threshold {self.threshold:.3g}; "
            f"a unit never drawn is caught from p >= {self.min_detectable:.4f}"
        )
        if self.verdict == "inconclusive":
            head = (
                f"inclusion probabilities: {_inconclusive_text(self, 'units')}\n"
                f"  no unit deviates ({numbers})"
            )
        else:
            head = (
                f"inclusion probabilities: {len(self.failures)} of {self.n_units} units "
                f"deviate ({numbers})"
            )
        return _listing(head, self.failures, self.worst)


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
) -> InclusionReport:
    """Check that every unit is drawn as often as its reported inclusion probability says.

    Runs ``draw_fn(registry, seed)`` once per seed, counts how often each unit is drawn
    and tests each count against ``Binomial(n_seeds, p)`` with an exact two-sided test.
    A unit fails when its p-value is below ``alpha / n_tested`` (Bonferroni), so a correct
    draw fails with probability at most ``alpha``; a unit of probability 0 that is drawn,
    or of probability 1 that is missed, fails outright.

    A run too small to see the bias it tests for does not pass: the check also works out
    whether these seeds can detect ``effect`` in every tested unit (by default a unit that
    is never drawn, caught when ``2 (1 - p)^n_seeds < alpha / n_tested``). If not, and no
    unit deviates, the verdict is ``"inconclusive"`` and the report names the number of
    seeds that would do (:attr:`InclusionReport.runs_needed`).

    Args:
        draw_fn: ``draw_fn(registry, seed)``; see :data:`DrawFn`.
        registry: the register drawn from.
        seeds: number of seeds (derived by :func:`public_seeds`) or the seeds themselves.
        alpha: family-wise false-positive rate (default 0.001).
        tolerance: accept a true probability within this distance of the reported one
            (for approximate designs such as Pareto πps, whose reported probabilities are
            targets).
        probabilities: the probabilities to test against, when the result does not report
            them: an array in register row order, a mapping id -> p (others 0), or a
            function of the register. When the reported probabilities vary between seeds,
            their mean is used (conservative: a Poisson-binomial count varies less than a
            binomial one).
        effect: the relative shortfall the seeds must be able to detect in every tested
            unit: a true probability of ``p * (1 - effect)``. ``1.0`` (default) is a unit
            that is never drawn; ``0.5`` one drawn half as often as it should be. Excess
            (a unit drawn too often) is tested as well, but its power is not part of the
            verdict.
        power: for ``effect < 1``, the probability with which the shortfall must be
            detected (default 0.9); a unit never drawn is detected with certainty or not
            at all.
        allow_inconclusive: return an inconclusive report instead of raising.

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
    alpha = _check_alpha(alpha)
    if not isinstance(tolerance, int | float) or not 0 <= tolerance < 1:
        raise ValueError(f"tolerance must be in [0, 1), got {tolerance!r}")
    effect, power = _check_effect(effect, power)
    seed_list = _seeds(seeds)
    fixed = _probabilities_of(probabilities, registry)
    counts = np.zeros(len(registry), dtype=np.int64)
    total = np.zeros(len(registry), dtype=np.float64)
    for seed in seed_list:
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
    n = len(seed_list)
    p = fixed if fixed is not None else total / n
    pvals = _binomial_p_values(counts, n, p, float(tolerance))
    tested = int(np.count_nonzero((p > 0) & (p < 1)))
    threshold = alpha / max(tested, 1)
    ids = registry.ids

    def dev(i: int) -> UnitDeviation:
        return UnitDeviation(
            id=str(ids[i]),
            expected=float(p[i]),
            count=int(counts[i]),
            trials=n,
            p_value=float(pvals[i]),
        )

    order = np.argsort(pvals, kind="stable")
    failing = [int(i) for i in order.tolist() if pvals[i] < threshold]
    pw = _power(p, n, threshold, float(tolerance), effect, power)
    report = InclusionReport(
        n_seeds=n,
        n_units=len(registry),
        n_tested=tested,
        alpha=alpha,
        threshold=threshold,
        min_detectable=_min_detectable(n, threshold),
        worst=tuple(dev(int(i)) for i in order[:5].tolist()),
        failures=tuple(dev(i) for i in failing),
        effect=effect,
        power=power,
        underpowered=pw.underpowered,
        runs_needed=pw.runs_needed,
        smallest_underpowered=pw.smallest,
    )
    if report.verdict == "failed" or (report.verdict == "inconclusive" and not allow_inconclusive):
        raise AssertionError(str(report))
    return report


# --------------------------------------------------------------------------- invariance


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


def _signature(result: Any, registry: TargetRegistry, *, ordered: bool = True) -> dict[str, Any]:
    """What must not change: selected ids (in order, or sorted when the draw's order
    carries no meaning), probabilities by id, the receipt."""
    ids = _selected(result)
    sig: dict[str, Any] = (
        {"selected ids (in order)": ids}
        if ordered
        else {"selected ids (in any order)": tuple(sorted(ids))}
    )
    pi = _attr(result, "inclusion_probabilities")
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
    compared: tuple[str, ...] = ()
    for seed in seed_list:
        want = _signature(draw_fn(registry, seed), registry, ordered=ordered)
        compared = tuple(want)
        for name, reg in variants:
            got = _signature(draw_fn(reg, seed), reg, ordered=ordered)
            if got != want:
                raise AssertionError(
                    f"order invariance fails under seed {seed.source or seed.hex!r} with "
                    f"{name}: {_first_difference(want, got)}"
                )
    return InvarianceReport(
        check="order invariance",
        cases=len(variants) * len(seed_list),
        seeds=len(seed_list),
        compared=compared,
    )


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
    compared: tuple[str, ...] = ()
    for seed in seed_list:
        whole = draw_fn(registry, seed)
        if default is not None:
            strata = getattr(whole, "strata", None)
            if strata is None:
                raise TypeError(
                    "the default partitioned draw needs a library Draw; pass sharded_draw_fn="
                )
            want = _merged_signature(
                {k: (v.population, tuple(v.ids)) for k, v in strata.items()},
                registry.digest(),
            )
        else:
            want = _signature(whole, registry, ordered=ordered)
            want.pop("inclusion probabilities by id", None)
        compared = tuple(want)
        for name, pieces in splits:
            shards = [registry.take(p) for p in pieces]
            if default is not None:
                got = default(shards, seed, whole)
            else:
                assert sharded_draw_fn is not None
                got = _signature(sharded_draw_fn(shards, seed), registry, ordered=ordered)
                got.pop("inclusion probabilities by id", None)
            if got != want:
                raise AssertionError(
                    f"partition invariance fails under seed {seed.source or seed.hex!r} with "
                    f"{name}: {_first_difference(want, got)}"
                )
    return InvarianceReport(
        check="partition invariance",
        cases=len(splits) * len(seed_list),
        seeds=len(seed_list),
        compared=compared,
    )


# --------------------------------------------------------------------------- assignment


@attrs.frozen(kw_only=True)
class UniformityReport:
    """What :func:`check_assignment_uniformity` found (fields as in
    :class:`InclusionReport`, per (visit, inspector) pair; ``n_tested`` counts the pairs
    whose probability is strictly between 0 and 1)."""

    n_seeds: int
    n_pairs: int
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
        """``"failed"``, ``"inconclusive"`` or ``"passed"``, as for
        :attr:`InclusionReport.verdict`."""
        if self.failures:
            return "failed"
        return "inconclusive" if self.underpowered else "passed"

    @property
    def passed(self) -> bool:
        return self.verdict == "passed"

    def __str__(self) -> str:
        numbers = (
            f"{self.n_seeds} seeds; family-wise false-positive rate {self.alpha:g}, "
            f"per-pair threshold {self.threshold:.3g}"
        )
        if self.verdict == "inconclusive":
            head = (
                f"assignment uniformity: {_inconclusive_text(self, '(visit, inspector) pairs')}"
                f"\n  no pair deviates ({numbers})"
            )
        else:
            head = (
                f"assignment uniformity: {len(self.failures)} of {self.n_pairs} (visit, "
                f"inspector) pairs deviate ({numbers})"
            )
        return _listing(head, self.failures, self.worst)


def _teams(result: Any) -> dict[str, tuple[str, ...]]:
    """Visit id -> officers, from an Assignment (``teams`` of ``Team``) or a mapping."""
    teams = _attr(result, "teams", result)
    if isinstance(teams, Mapping):
        return {str(k): tuple(str(m) for m in v) for k, v in teams.items()}
    out: dict[str, tuple[str, ...]] = {}
    for t in teams:
        out[str(t.visit)] = tuple(str(m) for m in t.officers)
    return out


def check_assignment_uniformity(
    assign_fn: Callable[[Seed], Any],
    *,
    eligible: Mapping[str, Collection[str]],
    seeds: int | Iterable[Seed | str] = 200,
    alpha: float = 1e-3,
    effect: float = 1.0,
    power: float = 0.9,
    allow_inconclusive: bool = False,
) -> UniformityReport:
    """Check that each visit's officers are drawn uniformly from its eligible inspectors.

    ``assign_fn(seed)`` returns an :class:`~randsupervise.assign.Assignment` (or a mapping
    visit id -> officer ids). For each visit named in ``eligible``, a team of ``k`` officers
    drawn uniformly from ``m`` eligible inspectors includes each of them with probability
    ``k / m``; every (visit, inspector) count is tested against ``Binomial(n_seeds, k/m)``
    exactly, Bonferroni-corrected, so a uniform assignment fails with probability at most
    ``alpha``. An officer outside a visit's eligible set fails outright. As for
    :func:`check_inclusion_probabilities`, a run with too few seeds to detect ``effect``
    (default: an eligible inspector who is never chosen) in every pair is
    ``"inconclusive"`` and raises unless ``allow_inconclusive``; ``effect`` and ``power``
    mean what they mean there.

    Uniformity holds only where every eligible inspector is interchangeable: same
    department, no required qualification that some lack, no load limit that binds.
    Name such visits (and their eligible inspectors) in ``eligible``.

    Raises:
        AssertionError: with the (visit, inspector) pairs that deviate and the numbers.

    Examples:
        >>> from randsupervise.draw import tickets_for_ids
        >>> pool = ["I1", "I2", "I3", "I4"]
        >>> def two_smallest(seed):
        ...     t = tickets_for_ids(pool, seed, "V1").tolist()
        ...     return {"V1": sorted(pool, key=lambda i: t[pool.index(i)])[:2]}
        >>> check_assignment_uniformity(two_smallest, eligible={"V1": pool}, seeds=100).passed
        True
        >>> check_assignment_uniformity(lambda seed: {"V1": ["I1", "I2"]},
        ...                             eligible={"V1": pool}, seeds=100)
        Traceback (most recent call last):
        ...
        AssertionError: assignment uniformity: 4 of 4 (visit, inspector) pairs deviate ...
    """
    alpha = _check_alpha(alpha)
    effect, power = _check_effect(effect, power)
    seed_list = _seeds(seeds)
    elig = {str(v): tuple(sorted(set(map(str, ms)))) for v, ms in eligible.items()}
    empty = [v for v, ms in elig.items() if not ms]
    if not elig or empty:
        raise ValueError(f"eligible must name visits with at least one inspector each: {empty}")
    counts = {v: dict.fromkeys(ms, 0) for v, ms in elig.items()}
    sizes: dict[str, set[int]] = {v: set() for v in elig}
    strays: list[str] = []
    for seed in seed_list:
        teams = _teams(assign_fn(seed))
        for v in elig:
            team = teams.get(v)
            if team is None:
                raise AssertionError(f"visit {v!r} has no team under seed {seed.source!r}")
            sizes[v].add(len(team))
            for m in team:
                if m in counts[v]:
                    counts[v][m] += 1
                else:
                    strays.append(f"{v!r}: {m!r} is not eligible (seed {seed.source!r})")
    if strays:
        raise AssertionError(
            "assignment uniformity: officers outside the eligible set:\n  "
            + "\n  ".join(strays[:10])
        )
    varying = {v: sorted(s) for v, s in sizes.items() if len(s) > 1}
    if varying:
        raise AssertionError(f"assignment uniformity: team sizes vary between seeds: {varying}")
    n = len(seed_list)
    devs: list[UnitDeviation] = []
    for v, per in counts.items():
        k = next(iter(sizes[v]))
        ids = list(per)
        c = np.asarray([per[i] for i in ids], dtype=np.int64)
        p = np.full(len(ids), min(1.0, k / len(ids)), dtype=np.float64)
        pv = _binomial_p_values(c, n, p, 0.0)
        devs += [
            UnitDeviation(
                id=i,
                expected=float(p[j]),
                count=int(c[j]),
                trials=n,
                p_value=float(pv[j]),
                context=f"visit {v!r}",
            )
            for j, i in enumerate(ids)
        ]
    tested = sum(1 for d in devs if 0 < d.expected < 1)
    threshold = alpha / max(tested, 1)
    devs.sort(key=lambda d: d.p_value)
    failures = tuple(d for d in devs if d.p_value < threshold)
    pw = _power(
        np.asarray([d.expected for d in devs], dtype=np.float64), n, threshold, 0.0, effect, power
    )
    report = UniformityReport(
        n_seeds=n,
        n_pairs=len(devs),
        alpha=alpha,
        threshold=threshold,
        worst=tuple(devs[:5]),
        failures=failures,
        n_tested=tested,
        effect=effect,
        power=power,
        underpowered=pw.underpowered,
        runs_needed=pw.runs_needed,
        smallest_underpowered=pw.smallest,
    )
    if report.verdict == "failed" or (report.verdict == "inconclusive" and not allow_inconclusive):
        raise AssertionError(str(report))
    return report


# --------------------------------------------------------------------------- batch order


@attrs.frozen(kw_only=True)
class BatchIndependenceReport:
    """What :func:`check_batch_independence` found.

    Attributes:
        n_seeds: draws made.
        column: the register column whose categories were tested (``"risk_class"``).
        categories: the categories with at least one unit drawn, in the register's order.
        batches: the number of batches (the most any draw gave).
        table: pooled counts, one row per batch, one column per category of ``categories``.
        expected: the counts expected when the batch does not depend on the category,
            summed over the draws (each draw's batch sizes and category counts given).
        statistic: Pearson's chi-square statistic of ``table`` against ``expected``.
        dof: its degrees of freedom, ``(batches used - 1) * (categories - 1)``.
        p_value: the chi-square tail probability of ``statistic`` (1.0 when there is
            nothing to test: one batch or one category used).
        alpha: the false-positive rate.
    """

    n_seeds: int
    column: str
    categories: tuple[str, ...]
    batches: int
    table: tuple[tuple[int, ...], ...]
    expected: tuple[tuple[float, ...], ...]
    statistic: float
    dof: int
    p_value: float
    alpha: float

    @property
    def passed(self) -> bool:
        return self.p_value >= self.alpha

    def __str__(self) -> str:
        verdict = "depend on" if not self.passed else "are independent of"
        head = (
            f"batch order: batches {verdict} {self.column} (chi-square {self.statistic:.1f} "
            f"on {self.dof} degrees of freedom, p-value {self.p_value:.3g}; {self.n_seeds} "
            f"seeds, false-positive rate {self.alpha:g})"
        )
        width = max([len(c) for c in self.categories] + [6])
        lines = [head, "  drawn (expected) per batch and " + self.column + ":"]
        lines.append("    " + " " * 9 + "".join(f"{c:>{width + 11}}" for c in self.categories))
        for b, (row, exp) in enumerate(zip(self.table, self.expected, strict=True), start=1):
            cells = "".join(f"{n:>{width}} ({e:>8.1f})" for n, e in zip(row, exp, strict=True))
            lines.append(f"    batch {b:<3}" + cells)
        return "\n".join(lines)


def _batches_of(result: Any) -> list[tuple[str, ...]]:
    """The batches of a draw function's result: ``.batches``, or the result itself."""
    batches = _attr(result, "batches", result)
    if isinstance(batches, str) or not isinstance(batches, Iterable):
        raise TypeError(
            "a draw function must return a Draw, an object with .batches, or a sequence of "
            f"batches (sequences of ids); got {type(result).__name__}"
        )
    out = []
    for b in batches:
        if isinstance(b, str) or not isinstance(b, Iterable):
            raise TypeError(f"a batch must be a sequence of ids, got {b!r}")
        out.append(tuple(str(i) for i in b))
    return out


def check_batch_independence(
    draw_fn: DrawFn,
    registry: TargetRegistry,
    *,
    column: str = "risk_class",
    seeds: int | Iterable[Seed | str] = 200,
    alpha: float = 1e-3,
) -> BatchIndependenceReport:
    """Check that the batch a drawn unit falls into does not depend on its category.

    Plan §三(二) draws the order of inspection batches at random; a batch order that follows
    the selection tickets puts the strata of small sampling fractions (the lowest risk
    classes) in the first batch under every seed. This check runs
    ``draw_fn(registry, seed)`` once per seed, counts the drawn units per (batch,
    category of ``column``), and tests the pooled table with Pearson's chi-square test of
    independence. The expected counts are summed draw by draw from each draw's batch
    sizes and category counts, so a draw whose sizes vary with the seed is compared with
    what its own sizes imply.

    **False-positive rate.** When the batch of a unit is independent of its category
    (given the batch sizes), the statistic is asymptotically chi-square distributed, so a
    correct batch order fails with probability at most about ``alpha`` over the choice of
    seeds (a fixed-size draw's table is hypergeometric, which makes the test slightly
    conservative). Seeds are fixed (:func:`public_seeds`), so the verdict never changes
    between runs. Expected counts below 5 make the chi-square approximation rough: draw
    enough units per batch and category, or use more seeds.

    Args:
        draw_fn: ``draw_fn(registry, seed)``: a :class:`~randsupervise.draw.Draw`, an
            object with ``batches``, or the batches themselves (sequences of ids).
        registry: the register drawn from.
        column: the categorical column tested (``"risk_class"``, ``"kind"``, ``"region"``,
            ``"industry"`` or ``"status"``).
        seeds: number of seeds (derived by :func:`public_seeds`) or the seeds themselves.
        alpha: the false-positive rate (default 0.001).

    Returns:
        A :class:`BatchIndependenceReport` (``str(report)`` shows the table).

    Raises:
        AssertionError: the batches depend on the category (the message holds the table,
            the statistic and the p-value), or a draw lists a unit twice or one that is
            not in the register.
        ValueError: every draw gave a single batch (nothing to test), or a bad argument.

    Examples:
        >>> from randsupervise.draw import cut_batches, draw
        >>> reg = TargetRegistry.from_columns(id=[f"T{i:03}" for i in range(200)],
        ...                                   risk_class=["A", "B", "C", "D"] * 50)
        >>> def my_draw(registry, seed):
        ...     return draw(registry, seed=seed, stream="2025/K01", batches=3,
        ...                 ratios={"A": 0.1, "B": 0.2, "C": 0.5, "D": 1.0})
        >>> check_batch_independence(my_draw, reg).passed
        True
        >>> def by_selection_order(registry, seed):  # batches cut in ticket order
        ...     return cut_batches(my_draw(registry, seed).ids, 3)
        >>> check_batch_independence(by_selection_order, reg)
        Traceback (most recent call last):
        ...
        AssertionError: batch order: batches depend on risk_class (chi-square ... p-value 0; ...
    """
    alpha = _check_alpha(alpha)
    codes = np.asarray(registry.codes(column), dtype=np.int64)  # validates the column
    names = registry.categories(column)
    seed_list = _seeds(seeds)
    n_cats = len(names)
    tables: list[npt.NDArray[np.int64]] = []
    for seed in seed_list:
        groups = _batches_of(draw_fn(registry, seed))
        rows = _rows(registry, [i for g in groups for i in g], "the draw function")
        which = np.repeat(np.arange(len(groups), dtype=np.int64), [len(g) for g in groups])
        t = np.zeros((max(len(groups), 1), n_cats), dtype=np.int64)
        np.add.at(t, (which, codes[rows]), 1)
        tables.append(t)
    k = max(t.shape[0] for t in tables)
    if k < 2:
        raise ValueError(
            "the draw function gave one batch under every seed: nothing to test "
            "(draw with batches >= 2)"
        )
    observed = np.zeros((k, n_cats), dtype=np.int64)
    expected = np.zeros((k, n_cats), dtype=np.float64)
    for t in tables:
        observed[: t.shape[0]] += t
        total = t.sum()
        if total:
            expected[: t.shape[0]] += np.outer(t.sum(axis=1), t.sum(axis=0)) / total
    used_rows = observed.sum(axis=1) > 0
    used_cols = observed.sum(axis=0) > 0
    obs = observed[used_rows][:, used_cols]
    exp = expected[used_rows][:, used_cols]
    dof = (obs.shape[0] - 1) * (obs.shape[1] - 1)
    if dof > 0:
        statistic = float(((obs - exp) ** 2 / exp).sum())
        p_value = float(stats.chi2.sf(statistic, dof))
    else:
        statistic, p_value = 0.0, 1.0
    report = BatchIndependenceReport(
        n_seeds=len(seed_list),
        column=column,
        categories=tuple(n for n, u in zip(names, used_cols.tolist(), strict=True) if u),
        batches=k,
        table=tuple(tuple(int(x) for x in r) for r in observed[:, used_cols]),
        expected=tuple(tuple(float(x) for x in r) for r in expected[:, used_cols]),
        statistic=statistic,
        dof=dof,
        p_value=p_value,
        alpha=alpha,
    )
    if not report.passed:
        raise AssertionError(str(report))
    return report


# --------------------------------------------------------------------------- receipts


#: Receipt fields that describe *how* a draw was asked for, not what was drawn: a
#: resealed change to one of them that still verifies is a true receipt of an equivalent
#: request (e.g. ``min_per_stratum`` 1 when every stratum draws at least one anyway).
_CLAIM_FIELDS = ("policy", "seed_source")


@attrs.frozen(kw_only=True)
class Tampering:
    """One single change made to a receipt or to the register, and what verify said.

    ``how`` is ``"resealed"`` when the receipt's own digest was recomputed after the change
    (a forger who knows the digest rule), ``"plain"`` for a receipt change left unsealed,
    ``"register"`` for a changed register. ``outcome`` is ``"caught"``; ``"harmless"`` when
    verify accepted a resealed change of a request field (``policy``, ``seed_source``) and
    so confirmed that the changed request gives exactly the same draw; or ``"missed"``.
    """

    where: str
    how: str
    outcome: str
    detail: str = ""

    @property
    def caught(self) -> bool:
        return self.outcome != "missed"

    def __str__(self) -> str:
        more = f": {self.detail}" if self.detail else ""
        return f"{self.where} ({self.how}): {self.outcome}{more}"


@attrs.frozen(kw_only=True)
class ReceiptReport:
    """What :func:`check_receipt` tried: every tampering, none missed."""

    verified: bool
    tamperings: tuple[Tampering, ...]

    @property
    def missed(self) -> tuple[Tampering, ...]:
        return tuple(t for t in self.tamperings if t.outcome == "missed")

    @property
    def harmless(self) -> tuple[Tampering, ...]:
        return tuple(t for t in self.tamperings if t.outcome == "harmless")

    @property
    def passed(self) -> bool:
        return self.verified and not self.missed

    def __str__(self) -> str:
        caught = len(self.tamperings) - len(self.missed) - len(self.harmless)
        head = (
            f"receipt: {'verifies' if self.verified else 'does NOT verify'}; "
            f"{caught} of {len(self.tamperings)} single tamperings caught, "
            f"{len(self.harmless)} harmless, {len(self.missed)} missed"
        )
        return "\n".join([head, *(f"  {t}" for t in self.missed[:20])])


VerifyFn = Callable[[dict[str, Any], TargetRegistry | None], Any]


def _default_verify(receipt: dict[str, Any], registry: TargetRegistry | None) -> Any:
    if registry is None:
        raise TypeError("verifying a draw receipt needs the register")
    return _verify_draw(receipt, registry)


def _reseal(receipt: dict[str, Any]) -> dict[str, Any] | None:
    """The receipt with its own digest recomputed, or ``None`` if it has no digest."""
    if "receipt_digest" not in receipt:
        return None
    body = {k: v for k, v in receipt.items() if k != "receipt_digest"}
    try:  # the receipt's own version's canonical form (docs/spec/receipts.md)
        sealed = digest(body, "v1" if body.get("version") == 1 else "jcs")
    except ValueError:  # a tampering with no canonical form cannot be resealed
        return None
    return {**receipt, "receipt_digest": sealed}


def _other_id(value: str, ids: Sequence[str], avoid: Collection[str]) -> str:
    for cand in ids:
        if cand != value and cand not in avoid:
            return cand
    return value + "-x"


def _tampered_leaf(value: Any, key: str, ids: Sequence[str], selected: Collection[str]) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value + 0.5 if value < 0.5 else value / 2
    if isinstance(value, str):
        if value in selected:
            return _other_id(value, ids, selected)
        if len(value) >= 16 and all(c in "0123456789abcdef" for c in value):
            return value[:-1] + ("0" if value[-1] != "0" else "1")
        return value + " (tampered)"
    if value is None:
        if key == "frequency_limit":
            extra = _other_id("", ids, selected)
            return {"item": "X", "limit": 1, "history_digest": None, "history_entries": 0,
                    "excluded": [extra]}  # fmt: skip
        if key == "batches":
            return [list(selected), []]
        return 0.5 if key.endswith("probability") else "tampered"
    return None


def _tamperings(
    value: Any,
    path: str,
    key: str,
    ids: Sequence[str],
    selected: Collection[str],
    limit: int,
    unordered: Collection[str] = (),
) -> Iterable[tuple[str, Any]]:
    """Every single change of ``value``: ``(path, new value)``."""
    if isinstance(value, Mapping):
        for k in value:
            for p, new in _tamperings(value[k], f"{path}.{k}" if path else str(k), str(k), ids,
                                      selected, limit, unordered):  # fmt: skip
                yield p, {**value, k: new}
        return
    if isinstance(value, list):
        if value:
            yield f"{path}[-1] dropped", value[:-1]
            if len(value) > 1 and path not in unordered:
                yield f"{path}[0]<->[1] swapped", [value[1], value[0], *value[2:]]
        for j, item in enumerate(value[:limit]):
            for p, new in _tamperings(item, f"{path}[{j}]", key, ids, selected, limit, unordered):
                yield p, [*value[:j], new, *value[j + 1 :]]
        if key in ("selected", "excluded") or (value and all(isinstance(v, str) for v in value)):
            yield f"{path}+[another id]", [*value, _other_id("", ids, set(value) | set(selected))]
        return
    yield path, _tampered_leaf(value, key, ids, selected)


def _registry_tamperings(
    registry: TargetRegistry, selected: Collection[str]
) -> Iterable[tuple[str, TargetRegistry]]:
    n = len(registry)
    ids = registry.ids.tolist()
    sel = [i for i, uid in enumerate(ids) if uid in selected][:1]
    unsel = [i for i, uid in enumerate(ids) if uid not in selected][:1]
    for label, rows in (("a selected row", sel), ("an unselected row", unsel)):
        for i in rows:
            t = registry.target(i)
            risk = RiskClass((int(t.risk_class) + 1) % 4)
            changed, _ = registry.apply([
                UpdateTarget(id=t.id, fields={"risk_class": risk}),
            ])  # fmt: skip
            yield f"register: risk class of {label} ({t.id!r})", changed
            keep = np.ones(n, dtype=bool)
            keep[i] = False
            yield f"register: {label} ({t.id!r}) removed", registry.take(keep)
            renamed, _ = registry.apply([
                RemoveTarget(id=t.id), AddTarget(target=attrs.evolve(t, id=t.id + "-renamed")),
            ])  # fmt: skip
            yield f"register: id of {label} ({t.id!r}) changed", renamed
    added, _ = registry.apply(
        [AddTarget(target=Target(id=_other_id("", [], set(ids)) + "new", name="new"))]
    )
    yield "register: one row added", added


def _caught(
    verify_fn: VerifyFn, receipt: dict[str, Any], registry: TargetRegistry | None
) -> tuple[bool, str]:
    try:
        outcome = verify_fn(receipt, registry)
    except RandSuperviseError as e:
        return True, f"rejected: {type(e).__name__}"
    except Exception as e:  # a crash is not a verdict: report it
        return False, f"verify crashed with {type(e).__name__}: {e}"
    ok = bool(getattr(outcome, "ok", outcome))
    return (not ok), _why_not(outcome) if not ok else "verify still says ok"


def _brief(value: Any, limit: int = 100) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def _why_not(outcome: Any, limit: int = 10) -> str:
    """What verify said when it said no: each difference with its path, its sentence and
    the value in the receipt against the value recomputed (from a
    :class:`~randsupervise.draw.VerifyReport`, or anything with ``differences``)."""
    differences = _attr(outcome, "differences")
    if not differences:
        return "verify says no" if not isinstance(outcome, bool) else "verify returned False"
    lines = []
    for d in list(differences)[:limit]:
        line = str(d)
        got, want = _attr(d, "receipt"), _attr(d, "recomputed")
        if got is not None or want is not None:
            line += f" [receipt {_brief(got)}, recomputed {_brief(want)}]"
        lines.append(line)
    more = len(differences) - limit
    if more > 0:
        lines.append(f"... and {more} more")
    return f"{len(differences)} difference(s):\n    - " + "\n    - ".join(lines)


def _is_genuine(receipt: dict[str, Any], registry: TargetRegistry | None) -> bool:
    """Whether the library's own verify accepts ``receipt``: then it is a true receipt of
    the request it states (only draw receipts with a register can be judged)."""
    if registry is None or "strata" not in receipt:
        return False
    try:
        report = _verify_draw(receipt, registry)
    except RandSuperviseError:
        return False
    # Without the frequency history the library recomputes the draw from the receipt's
    # stated exclusions and only flags that they are unchecked: that flag alone does not
    # make the stated request untrue (the suite's own verify_fn checked the history).
    return all(d.where == "frequency_limit.history" for d in report.differences)


def _tampering(
    verify_fn: VerifyFn,
    receipt: dict[str, Any],
    registry: TargetRegistry | None,
    where: str,
    how: str,
) -> Tampering:
    hit, why = _caught(verify_fn, receipt, registry)
    if hit:
        return Tampering(where=where, how=how, outcome="caught")
    field = where.split(".")[0].split(":")[0]
    if how == "resealed" and field in _CLAIM_FIELDS and _is_genuine(receipt, registry):
        return Tampering(
            where=where,
            how=how,
            outcome="harmless",
            detail="a true receipt of an equivalent request: it recomputes to the same draw",
        )
    return Tampering(where=where, how=how, outcome="missed", detail=why)


def check_receipt(
    result: Any,
    registry: TargetRegistry | None = None,
    *,
    verify_fn: VerifyFn | None = None,
    max_list_items: int = 20,
    unordered: Collection[str] = (),
) -> ReceiptReport:
    """Check that a receipt verifies and that every single tampering with it is caught.

    Tamperings tried, each alone, each both plain and resealed (the receipt's own digest
    recomputed after the change, as a forger would): every field of the receipt (nested
    fields too; in lists the first ``max_list_items`` entries, plus dropping the last,
    swapping the first two and appending an id), every selected id replaced by an
    unselected one, the seed (a flipped digit, and another public seed with a consistent
    source text); and the register: a selected and an unselected row's risk class
    changed, removed or renamed, and a row added.

    Args:
        result: a :class:`~randsupervise.draw.Draw`, a
            :class:`~randsupervise.draw.Receipt`, a receipt dict, or anything with a
            ``receipt`` attribute (an :class:`~randsupervise.assign.Assignment`).
        registry: the register drawn from (``None``: register tamperings are skipped).
        verify_fn: ``verify_fn(receipt_dict, registry)`` returning something truthy (or
            with ``.ok``) when the receipt verifies; default
            :func:`randsupervise.draw.verify`. Raising a library error counts as catching.
        max_list_items: how many entries of each list are tampered with one by one.
        unordered: paths of lists whose order carries no meaning (e.g. ``"teams"`` of an
            assignment receipt, keyed by visit): swapping their entries is not tried.

    Raises:
        AssertionError: the receipt does not verify (the message lists verify's
            differences: path, value in the receipt, value recomputed), or some tampering
            went unnoticed (the message lists them).

    Examples:
        >>> from randsupervise.draw import draw
        >>> reg = TargetRegistry.from_columns(id=[f"T{i}" for i in range(12)],
        ...                                   risk_class="AB" * 6)
        >>> d = draw(reg, seed="public text", stream="2024/1", ratios={"A": 0.5, "B": 0.3})
        >>> report = check_receipt(d, reg)
        >>> report.passed, len(report.tamperings) > 50
        (True, True)
        >>> check_receipt(d, reg, verify_fn=lambda receipt, registry: True)
        Traceback (most recent call last):
        ...
        AssertionError: receipt: verifies; 0 of ... single tamperings caught, 1 harmless, ...
        >>> check_receipt(d, TargetRegistry.from_columns(id=["T0", "T1"], risk_class="AB"))
        Traceback (most recent call last):
        ...
        AssertionError: receipt: does NOT verify: ... difference(s):
            - registry_digest: ...
    """
    if (
        isinstance(max_list_items, bool)
        or not isinstance(max_list_items, int)
        or max_list_items < 0
    ):
        raise ValueError(f"max_list_items must be an int >= 0, got {max_list_items!r}")
    receipt = _receipt_dict(result)
    if receipt is None:
        raise TypeError(f"no receipt in {type(result).__name__}")
    vf = verify_fn or _default_verify
    ok, detail = _caught(vf, receipt, registry)
    verified = not ok
    if not verified:
        raise AssertionError(f"receipt: does NOT verify: {detail}")
    ids = registry.ids.tolist() if registry is not None else []
    selected = set(_all_selected(receipt))
    done: list[Tampering] = []
    seen: set[str] = set()

    def attempt(where: str, new: dict[str, Any]) -> None:
        key = where + sha256_hex(new)
        if key in seen or new == receipt:
            return
        seen.add(key)
        done.append(_tampering(vf, new, registry, where, "plain"))
        sealed = _reseal(new)
        if sealed is not None and sealed != new and where != "receipt_digest":
            done.append(_tampering(vf, sealed, registry, where, "resealed"))

    for where, new in _tamperings(receipt, "", "", ids, selected, max_list_items, tuple(unordered)):
        attempt(where, new)
    if "seed" in receipt and "seed_source" in receipt:
        other = Seed.from_text(f"{receipt.get('seed_source', '')} (another ceremony)")
        attempt("seed: another public seed", {**receipt, "seed": other.hex,
                                              "seed_source": other.source})  # fmt: skip
    if registry is not None:
        for where, reg in _registry_tamperings(registry, selected):
            done.append(_tampering(vf, receipt, reg, where, "register"))
    report = ReceiptReport(verified=verified, tamperings=tuple(done))
    if report.missed:
        raise AssertionError(str(report))
    return report


def _all_selected(receipt: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    strata = receipt.get("strata")
    if isinstance(strata, Mapping):
        for s in strata.values():
            if isinstance(s, Mapping):
                out += [str(x) for x in s.get("selected", [])]
    for t in receipt.get("teams", []) or []:
        if isinstance(t, Mapping):
            out += [str(x) for x in t.get("officers", [])] + [str(x) for x in t.get("experts", [])]
    return out
