"""Assignment uniformity: every eligible inspector is chosen as often as the rule says.

Invariants, each with the rule it comes from (双随机: inspectors drawn at random, plan
§三(六); architecture principle 3):

* :func:`check_assignment_uniformity` runs the assignment under many public seeds and
  tests every (visit, eligible inspector) pair with the exact binomial test and the
  power rule of :mod:`randsupervise.testing.power`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from randsupervise._core.progress import Progress
from randsupervise.testing.outcomes import _attr
from randsupervise.testing.power import UnitDeviation, _binomial_p_values, _check_effect, _Powered
from randsupervise.testing.seeds import _check_alpha, _seeds, _stepped
from randsupervise.tickets.seed import Seed

__all__ = ["UniformityReport", "check_assignment_uniformity"]


@attrs.frozen(kw_only=True)
class UniformityReport(_Powered):
    """What :func:`check_assignment_uniformity` found (fields as in
    :class:`InclusionReport`, per (visit, inspector) pair; ``n_tested`` counts the pairs
    whose probability is strictly between 0 and 1)."""

    n_pairs: int

    def __str__(self) -> str:
        numbers = (
            f"{self.n_seeds} seeds; family-wise false-positive rate {self.alpha:g}, "
            f"per-pair threshold {self.threshold:.3g}"
        )
        pairs = "(visit, inspector) pairs"
        return self._text("assignment uniformity", pairs, "pair", self.n_pairs, numbers)


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
    progress: Progress | None = None,
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
    mean what they mean there. ``progress(done, total)`` is called after each seed's run.

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
    counts, sizes = _tally(assign_fn, elig, seed_list, progress)
    devs = _deviations(counts, sizes, len(seed_list))
    expected = np.asarray([d.expected for d in devs], dtype=np.float64)
    p_values = np.asarray([d.p_value for d in devs], dtype=np.float64)
    fields = _Powered._fields(
        expected, p_values, devs.__getitem__, len(seed_list), alpha, 0.0, effect, power
    )
    report = UniformityReport(n_pairs=len(devs), **fields)
    return report._settled(allow_inconclusive)


def _tally(
    assign_fn: Callable[[Seed], Any],
    elig: Mapping[str, tuple[str, ...]],
    seed_list: Sequence[Seed],
    progress: Progress | None = None,
) -> tuple[dict[str, dict[str, int]], dict[str, set[int]]]:
    """How often each eligible officer served each visit, and the team sizes seen;
    :class:`AssertionError` for a visit without a team, an officer outside the eligible
    set, or team sizes that vary between seeds."""
    counts = {v: dict.fromkeys(ms, 0) for v, ms in elig.items()}
    sizes: dict[str, set[int]] = {v: set() for v in elig}
    strays: list[str] = []
    for seed in _stepped(seed_list, progress):
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
    return counts, sizes


def _deviations(
    counts: Mapping[str, Mapping[str, int]], sizes: Mapping[str, set[int]], n: int
) -> list[UnitDeviation]:
    """Each (visit, eligible officer) pair's exact binomial test against ``k / m`` (a team
    of ``k`` from ``m`` eligible officers)."""
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
    return devs
