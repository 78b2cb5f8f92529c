"""The seeds the checks run under: public, derived from text, the same on every machine.

Invariants, each with the rule it comes from:

* **Deterministic.** Seeds are ``Seed.from_text("randsupervise.testing/<k>")`` unless
  given (:func:`public_seeds`), so a check gives the same verdict on every run and every
  machine; a suite never flakes (architecture principle 3).
* Nothing here reads global random state (architecture principle 1): permutations and
  partitions of a register come from the library's own ticket function under the
  testing stream ``"randsupervise.testing"``.
* A false-positive rate ``alpha`` lies in (0, 1).
* A ``progress(done, total)`` callback hears of each seed once its run is counted; it
  never changes a verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from randsupervise._core.progress import Progress, check_progress
from randsupervise.tickets.seed import Seed

__all__ = ["public_seeds"]


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


def _stepped(seed_list: Sequence[Seed], progress: Progress | None) -> Iterator[Seed]:
    """The seeds in order; ``progress(done, total)`` once the caller has used each one (a
    bad ``progress`` is refused before the first seed)."""
    check_progress(progress)
    total = len(seed_list)
    for done, seed in enumerate(seed_list, 1):
        yield seed
        if progress is not None:
            progress(done, total)


def _check_alpha(alpha: float) -> float:
    if not isinstance(alpha, int | float) or isinstance(alpha, bool) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a false-positive rate in (0, 1), got {alpha!r}")
    return float(alpha)
