"""A progress bar for long operations, when tqdm is installed (the ``progress`` extra).

Invariants: :func:`tqdm_progress` returns a ``progress(done, total)`` callback for
:func:`~randsupervise.cycle.run_plan` and the fairness checks of
:mod:`randsupervise.testing`. With tqdm installed it draws a bar (``tqdm.auto``: a widget in
a notebook, text in a terminal); without tqdm the callback does nothing, so code that asks
for a bar runs the same everywhere. The bar only observes: results are identical with and
without it. tqdm is imported when the callback is made, never at import time.
"""

from __future__ import annotations

from typing import Any

from randsupervise._core.progress import Progress

__all__ = ["tqdm_progress"]


class _TqdmBar:
    """``progress(done, total)`` onto one tqdm bar, opened at the first call and closed
    when ``done`` reaches ``total``; a later operation opens a new bar."""

    def __init__(self, tqdm: Any, desc: str, options: dict[str, Any]) -> None:
        self._tqdm = tqdm
        self._desc = desc
        self._options = options
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = self._tqdm(total=total, desc=self._desc, **self._options)
        self._bar.update(done - self._bar.n)
        if done >= total:
            self._bar.close()
            self._bar = None


def _nothing(done: int, total: int) -> None:
    """The callback without tqdm: progress is not shown."""


def tqdm_progress(desc: str = "", **options: Any) -> Progress:
    """A ``progress(done, total)`` callback that shows a tqdm bar, or does nothing.

    Args:
        desc: the bar's label, e.g. ``"draws"`` or ``"seeds"``.
        options: passed to ``tqdm.auto.tqdm`` (``leave=False``, ``file=...``, ...).

    Examples:
        >>> from randsupervise.metrics import demo_inputs
        >>> from randsupervise.cycle import run_plan
        >>> plan, registry, items, pool, seed, calendar = demo_inputs(2024)
        >>> run = run_plan(plan, registry, items, pool, seed=seed, calendar=calendar,
        ...                progress=tqdm_progress("draws", disable=True))
        >>> len(run.draws)
        13
    """
    try:
        from tqdm.auto import tqdm  # the progress extra; lazy on purpose
    except ImportError:
        return _nothing
    return _TqdmBar(tqdm, desc, dict(options))
