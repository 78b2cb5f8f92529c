"""Optional plots of a year report (the ``plot`` extra: matplotlib, imported lazily).

Invariants: nothing here runs at import time; matplotlib is imported only when a plot is
asked for, so the core never needs it. Each function draws on the given axes (or new
ones) and returns the axes; nothing is shown or saved.
"""

from __future__ import annotations

from typing import Any

from randsupervise.metrics.report import YearReport

__all__ = ["plot_burden", "plot_coverage"]


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # the plot extra; lazy on purpose

    return plt.subplots()[1]


def plot_coverage(report: YearReport, ax: Any = None) -> Any:
    """Bars of visits, inspected and published per item (item coverage, 开展率).

    Examples:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from randsupervise.metrics import run_demo_year
        >>> ax = plot_coverage(run_demo_year().report)
        >>> ax.get_title()
        'Item coverage 2024: 100%'
    """
    ax = _axes(ax)
    cols = report.coverage.columns()
    x = list(range(len(cols["item"])))
    for off, key in ((-0.25, "visits"), (0.0, "inspected"), (0.25, "published")):
        ax.bar([i + off for i in x], cols[key], width=0.25, label=key)
    ax.set_xticks(x, cols["item"])
    ax.set_title(f"Item coverage {report.year}: {report.coverage.summary['rate']:.0%}")
    ax.legend()
    return ax


def plot_burden(report: YearReport, ax: Any = None) -> Any:
    """Stacked bars per risk class: targets with 0, 1, 2 and 3+ visits in the year.

    Examples:
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> from randsupervise.metrics import run_demo_year
        >>> plot_burden(run_demo_year().report).get_ylabel()
        'targets'
    """
    ax = _axes(ax)
    cols = report.burden.columns()
    bottom = [0] * len(cols["class"])
    for key in ("none", "once", "twice", "more"):
        ax.bar(cols["class"], cols[key], bottom=bottom, label=key)
        bottom = [b + v for b, v in zip(bottom, cols[key], strict=True)]
    ax.set_ylabel("targets")
    ax.set_title(f"Visits per target {report.year}")
    ax.legend()
    return ax
