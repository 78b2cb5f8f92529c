"""The screened selection: making tickets block by block and keeping only those below a
threshold selects exactly the units (and order) that ranking every ticket would."""

from __future__ import annotations

import numpy as np
import pytest

from randsupervise.draw import Seed, tickets_for_ids
from randsupervise.draw.selection import smallest_in_ticket_order

SIZE = 600_000  # more than two scan blocks


def _ids(size: int) -> np.ndarray:
    return np.asarray([f"u{i:07d}" for i in range(size)])


def _ranked(tickets: np.ndarray, ids: np.ndarray, n: int) -> np.ndarray:
    """The n smallest (ticket, id) by a full sort: ids of equal length order as bytes."""
    return np.lexsort((ids, tickets))[:n]


def _screened(tickets: np.ndarray, ids: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    return smallest_in_ticket_order(
        tickets.size, n, lambda a, b: tickets[a:b], lambda p: ids[p].tolist()
    )


@pytest.fixture(scope="module")
def register() -> tuple[np.ndarray, np.ndarray]:
    ids = _ids(SIZE)
    return ids, tickets_for_ids(ids.tolist(), Seed.from_text("screen"), "2024/s")


@pytest.mark.parametrize("n", [0, 1, 7, 1_000, 150_000, 299_999, 599_999, 600_000, 700_000])
def test_screened_selection_equals_a_full_ranking_of_real_tickets(
    register: tuple[np.ndarray, np.ndarray], n: int
) -> None:
    ids, t = register
    sel, tk = _screened(t, ids, n)
    want = _ranked(t, ids, n)
    assert sel.tolist() == want.tolist()
    assert tk.tolist() == t[want].tolist()


@pytest.mark.parametrize("n", [1, 3, 40, 500, 999])
def test_ties_at_the_boundary_are_broken_by_id_on_both_paths(n: int) -> None:
    # few distinct tickets: every boundary is a tie; the low ones pass the screen
    rng = np.random.default_rng(5)
    size = 1_000
    ids = _ids(size)[rng.permutation(size)]
    low = rng.integers(0, 4, size).astype(np.uint64) * np.uint64(2**40)
    high = np.uint64(2**63) + rng.integers(0, 4, size).astype(np.uint64)
    for t in (low, high):  # high: fewer than n below the threshold, every ticket ranked
        sel, tk = _screened(t, ids, n)
        want = _ranked(t, ids, n)
        assert sel.tolist() == want.tolist()
        assert tk.tolist() == t[want].tolist()
