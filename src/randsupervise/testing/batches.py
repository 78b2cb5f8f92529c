"""Batch independence: the batch a target falls in does not follow its risk class.

Invariants, each with the rule it comes from (architecture principle 9: independent
decisions get independent streams; plan §三(二)):

* :func:`check_batch_independence` tests the pooled batch × category table with
  Pearson's chi-square test, whose false-positive rate is ``alpha`` asymptotically
  (slightly less for fixed-size draws).

**False-positive rate.** When the batch of a unit is independent of its category (given
the batch sizes), the statistic is asymptotically chi-square distributed, so a correct
batch order fails with probability at most about ``alpha`` over the choice of seeds (a
fixed-size draw's table is hypergeometric, which makes the test slightly conservative).
Seeds are fixed (:func:`~randsupervise.testing.seeds.public_seeds`), so the verdict never
changes between runs. Expected counts below 5 make the chi-square approximation rough:
draw enough units per batch and category, or use more seeds.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from scipy import stats

from randsupervise._core.progress import Progress
from randsupervise.model.targets import TargetRegistry
from randsupervise.testing.outcomes import DrawFn, _attr, _rows
from randsupervise.testing.seeds import _check_alpha, _seeds, _stepped
from randsupervise.tickets.seed import Seed

__all__ = ["BatchIndependenceReport", "check_batch_independence"]


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
    progress: Progress | None = None,
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

    Its false-positive rate, and when the approximation is rough: see the module notes.

    Args:
        draw_fn: ``draw_fn(registry, seed)``: a :class:`~randsupervise.draw.Draw`, an
            object with ``batches``, or the batches themselves (sequences of ids).
        registry: the register drawn from.
        column: the categorical column tested (``"risk_class"``, ``"kind"``, ``"region"``,
            ``"industry"`` or ``"status"``).
        seeds: number of seeds (derived by :func:`public_seeds`) or the seeds themselves.
        alpha: the false-positive rate (default 0.001).
        progress: ``progress(done, total)`` after each seed's run; the verdict is the same.

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
    tables = _tables(draw_fn, registry, codes, len(names), _seeds(seeds), progress)
    k = max(t.shape[0] for t in tables)
    observed, expected = _pooled(tables, k, len(names))
    used_cols = observed.sum(axis=0) > 0
    statistic, dof, p_value = _chi_square(observed, expected)
    report = BatchIndependenceReport(
        n_seeds=len(tables),  # one table per seed
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


def _tables(
    draw_fn: DrawFn,
    registry: TargetRegistry,
    codes: npt.NDArray[np.int64],
    n_cats: int,
    seed_list: Sequence[Seed],
    progress: Progress | None = None,
) -> list[npt.NDArray[np.int64]]:
    """One batch × category table per seed; :class:`ValueError` when no seed gives two
    batches."""
    tables: list[npt.NDArray[np.int64]] = []
    for seed in _stepped(seed_list, progress):
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
    return tables


def _pooled(
    tables: Sequence[npt.NDArray[np.int64]], k: int, n_cats: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The pooled observed table, and the counts expected under independence within
    each seed's table (margins of each draw, summed)."""
    observed = np.zeros((k, n_cats), dtype=np.int64)
    expected = np.zeros((k, n_cats), dtype=np.float64)
    for t in tables:
        observed[: t.shape[0]] += t
        total = t.sum()
        if total:
            expected[: t.shape[0]] += np.outer(t.sum(axis=1), t.sum(axis=0)) / total
    return observed, expected


def _chi_square(
    observed: npt.NDArray[np.int64], expected: npt.NDArray[np.float64]
) -> tuple[float, int, float]:
    """Pearson's statistic, its degrees of freedom and p-value, over the batches and
    categories that occur."""
    used_rows = observed.sum(axis=1) > 0
    used_cols = observed.sum(axis=0) > 0
    obs = observed[used_rows][:, used_cols]
    exp = expected[used_rows][:, used_cols]
    dof = (obs.shape[0] - 1) * (obs.shape[1] - 1)
    if dof > 0:
        statistic = float(((obs - exp) ** 2 / exp).sum())
        return statistic, dof, float(stats.chi2.sf(statistic, dof))
    return 0.0, dof, 1.0
