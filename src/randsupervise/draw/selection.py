"""Selection methods: which units of one stratum are drawn, and with what probability.

Invariants (ticket spec v1, ``docs/spec/tickets.md``):

* Every method reads only the units' tickets (and, for unequal probabilities, their
  weights), never their row order: shuffling the register changes nothing.
* **Equal probability, fixed size** (:func:`select_smallest`): the ``n`` units with the
  smallest ``(ticket, UTF-8 id)`` keys. Each unit's inclusion probability is exactly
  ``n / N`` (tickets are exchangeable across units, so every ``n``-subset is equally likely).
* **Poisson** (:func:`select_poisson`): unit ``i`` is drawn iff ``uniform(ticket_i) < p_i``;
  its inclusion probability is exactly ``p_i``; the sample size is random.
* **Pareto πps** and **sequential Poisson** (:func:`select_order_sampling`): fixed size,
  unequal probabilities. Target probabilities ``λ_i`` are proportional to the weights
  (risk scores), units whose ``λ`` reaches 1 are taken with certainty and the rest
  rescaled until none exceeds 1 (:func:`pips_probabilities`). The ``n`` units with the
  smallest ranking keys ``Q_i`` are drawn: Pareto ``Q = [u/(1-u)] / [λ/(1-λ)]``, sequential
  Poisson ``Q = u / λ``. The reported probabilities are the targets ``λ``; the achieved
  probabilities of Pareto sampling approximate them closely (Rosén 1997, "On sampling
  with probability proportional to size", J. Stat. Plan. Inference 62; "Asymptotic theory
  for order sampling", ibid.), and sequential Poisson (Ohlsson 1998) somewhat less so.
* Weight sums are correctly rounded (``math.fsum``), so ``λ`` is the same binary64 number
  whatever the order of the register, on every machine.
* Ties never depend on row order: equal tickets are ordered by the ids' UTF-8 bytes; equal
  ranking keys by ``(ticket, UTF-8 id)``.

All functions work on one stratum's local arrays; ``ids_for`` maps local positions to
ids and is only called for the handful of units whose order a tie leaves open.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from randsupervise.errors import Problem, ValidationError
from randsupervise.tickets.function import uniforms

__all__ = [
    "METHODS",
    "IdsFor",
    "pips_probabilities",
    "select_order_sampling",
    "select_poisson",
    "select_smallest",
    "smallest_in_ticket_order",
    "ticket_order",
]

IntArray = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]
F64Array = npt.NDArray[np.float64]
#: Maps local positions of a stratum to the units' ids (used only to break ties).
IdsFor = Callable[[IntArray], Sequence[str]]

#: Selection methods by name, as written in receipts.
METHODS: tuple[str, ...] = ("pareto", "poisson", "sequential_poisson", "smallest")


def _by_id(local: IntArray, ids_for: IdsFor) -> IntArray:
    """``local`` sorted by the UTF-8 bytes of the units' ids."""
    ids = ids_for(local)
    order = sorted(range(local.size), key=lambda k: ids[k].encode("utf-8"))
    return local[np.asarray(order, dtype=np.int64)] if order else local


def _by_ticket_then_id(local: IntArray, tickets: U64Array, ids_for: IdsFor) -> IntArray:
    ids = ids_for(local)
    t = tickets[local].tolist()
    order = sorted(range(local.size), key=lambda k: (t[k], ids[k].encode("utf-8")))
    return local[np.asarray(order, dtype=np.int64)] if order else local


def ticket_order(local: IntArray, tickets: U64Array, ids_for: IdsFor) -> IntArray:
    """``local`` positions sorted by ``(ticket, UTF-8 id)``: the order a draw lists its units.

    Examples:
        >>> import numpy as np
        >>> t = np.array([5, 3, 5, 1], dtype=np.uint64)
        >>> ids = np.array(["b", "x", "a", "y"])
        >>> ticket_order(np.arange(4), t, lambda p: ids[p].tolist()).tolist()
        [3, 1, 2, 0]
    """
    local = np.asarray(local, dtype=np.int64)
    if local.size < 2:
        return local
    idx = _ticket_sort(tickets[local], lambda q: ids_for(local[q]))
    out: IntArray = local[idx]
    return out


def _ticket_sort(tk: U64Array, ids_for: IdsFor) -> IntArray:
    """The permutation that sorts ``tk`` by ``(ticket, UTF-8 id)``; ``ids_for`` maps
    positions of ``tk`` to ids."""
    m = tk.size
    if m < 2:
        return np.arange(m, dtype=np.int64)
    # Sort tickets with the index packed into their low bits: a plain value sort is
    # several times faster than argsort. Units whose tickets agree above the packed bits
    # come out in index order; those few groups are re-sorted by (ticket, id) below.
    bits = (m - 1).bit_length()
    mask = np.uint64((1 << bits) - 1)
    key = tk & ~mask
    key |= np.arange(m, dtype=np.uint64)
    key.sort()
    idx = (key & mask).astype(np.int64)
    key &= ~mask  # now the high bits only, in ascending order
    same = np.flatnonzero(key[1:] == key[:-1])
    if same.size:
        done: set[int] = set()
        for i in same.tolist():
            a = int(np.searchsorted(key, key[i], side="left"))
            if a in done:
                continue
            done.add(a)
            b = int(np.searchsorted(key, key[i], side="right"))
            idx[a:b] = _by_ticket_then_id(idx[a:b], tk, ids_for)
    out: IntArray = idx
    return out


def _n_smallest(
    keys: npt.NDArray[np.uint64] | F64Array, n: int, tie_sort: Callable[[IntArray], IntArray]
) -> IntArray:
    """Local positions of the ``n`` smallest keys (as a set); ``tie_sort`` orders a tie."""
    size = keys.size
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    if n >= size:
        return np.arange(size, dtype=np.int64)
    part = np.argpartition(keys, n - 1)
    head = part[:n].astype(np.int64)
    kth = keys[part[n - 1]]
    tied_head = int(np.count_nonzero(keys[head] == kth))
    tied_all = int(np.count_nonzero(keys == kth))
    if tied_all == tied_head:
        return head
    # a tie straddles the boundary: take the tied units in tie-break order
    below = head[keys[head] < kth]
    tied = tie_sort(np.flatnonzero(keys == kth).astype(np.int64))
    return np.concatenate([below, tied[: n - below.size]])


def select_smallest(tickets: U64Array, n: int, ids_for: IdsFor) -> IntArray:
    """Method (a): the ``n`` units with the smallest ``(ticket, id)``, in that order.

    Each unit's inclusion probability is exactly ``n / N``.

    Examples:
        >>> import numpy as np
        >>> t = np.array([9, 2, 7, 2, 5], dtype=np.uint64)
        >>> ids = np.array(["e", "d", "c", "b", "a"])
        >>> select_smallest(t, 3, lambda p: ids[p].tolist()).tolist()
        [3, 1, 4]
    """
    t = np.asarray(tickets, dtype=np.uint64)
    sel, _ = smallest_in_ticket_order(t.size, n, lambda a, b: t[a:b], ids_for)
    return sel


#: Units per block when tickets are made and screened block by block (2 MiB of uint64).
_SCAN_BLOCK = 1 << 18


def smallest_in_ticket_order(
    size: int, n: int, tickets_of: Callable[[int, int], U64Array], ids_for: IdsFor
) -> tuple[IntArray, U64Array]:
    """:func:`select_smallest` over ``size`` units whose tickets ``tickets_of(a, b)`` gives
    for positions ``a:b``: the selected positions in ticket order, and their tickets.

    Tickets are uniform on ``[0, 2**64)``, so the ``n`` smallest of ``size`` lie below
    ``τ = 2**64 · m / size`` for ``m = n + 6·√n + 64`` but in a vanishing share of draws:
    the tickets are made block by block, only those below ``τ`` are kept (about ``m``) and
    sorted by ``(ticket, id)``, and the first ``n`` taken. Every unit outside is above
    every kept one, so this is exactly the ``n`` smallest; when fewer than ``n`` fall
    below ``τ`` (or ``m`` reaches ``size``), every ticket is ranked instead.

    Examples:
        >>> import numpy as np
        >>> t = np.array([9, 2, 7, 2, 5], dtype=np.uint64)
        >>> ids = np.array(["e", "d", "c", "b", "a"])
        >>> sel, tk = smallest_in_ticket_order(5, 3, lambda a, b: t[a:b],
        ...                                    lambda p: ids[p].tolist())
        >>> sel.tolist(), tk.tolist()
        ([3, 1, 4], [2, 2, 5])
    """
    if n <= 0 or size <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    want = n + 6 * math.isqrt(n) + 64
    if n < size and want < size:
        tau = np.uint64((want << 64) // size)
        cands: list[IntArray] = []
        kept: list[U64Array] = []
        for a in range(0, size, _SCAN_BLOCK):
            tb = tickets_of(a, min(a + _SCAN_BLOCK, size))
            c = np.flatnonzero(tb < tau)
            kept.append(tb[c])
            cands.append(c + a)
        cand = np.concatenate(cands)
        if cand.size >= n:
            tc = np.concatenate(kept)
            idx = _ticket_sort(tc, lambda q: ids_for(cand[q]))[:n]
            return cand[idx], tc[idx]
    t = tickets_of(0, size)
    chosen = _n_smallest(t, n, lambda loc: _by_id(loc, ids_for))
    order = ticket_order(chosen, t, ids_for)
    return order, t[order]


def select_poisson(tickets: U64Array, probabilities: F64Array, ids_for: IdsFor) -> IntArray:
    """Method (b): unit ``i`` is drawn iff ``uniform(ticket_i) < p_i``; ticket order.

    Examples:
        >>> import numpy as np
        >>> t = np.array([0, 2**63, 2**64 - 1], dtype=np.uint64)
        >>> p = np.array([0.5, 0.5, 1.0])
        >>> select_poisson(t, p, lambda q: ["a", "b", "c"]).tolist()
        [0, 2]
    """
    t = np.asarray(tickets, dtype=np.uint64)
    chosen = np.flatnonzero(uniforms(t) < probabilities).astype(np.int64)
    return ticket_order(chosen, t, ids_for)


def pips_probabilities(weights: F64Array, n: int) -> tuple[F64Array, int]:
    """Target inclusion probabilities proportional to ``weights`` for a sample of ``n``.

    ``λ_i = (m · w_i) / S`` in binary64, where ``S`` is the correctly rounded sum of the
    weights of the units not yet taken with certainty and ``m`` the number of places left
    for them; every unit whose ``λ`` reaches 1 is taken with certainty (``λ = 1``) and the
    rest recomputed, until none does. Units of weight 0 get ``λ = 0``. When ``n`` is at
    least the number of units of positive weight, all of those are taken.

    Returns:
        The probabilities and the achievable sample size (``n`` clipped to the number of
        units of positive weight).

    Examples:
        >>> import numpy as np
        >>> lam, n = pips_probabilities(np.array([1.0, 1.0, 2.0, 12.0]), 2)
        >>> lam.tolist(), n
        ([0.25, 0.25, 0.5, 1.0], 2)
    """
    w = np.asarray(weights, dtype=np.float64)
    positive = w > 0
    n_pos = int(np.count_nonzero(positive))
    if n >= n_pos:
        return positive.astype(np.float64), n_pos
    lam = np.zeros(w.size, dtype=np.float64)
    certain = np.zeros(w.size, dtype=bool)
    left = n
    while left > 0:
        rest = positive & ~certain
        total = math.fsum(w[rest].tolist())
        lam = np.where(rest, (left * w) / total, 0.0)
        newly = lam >= 1.0
        if not newly.any():
            break
        certain |= newly
        left -= int(np.count_nonzero(newly))
    lam[certain] = 1.0
    lam[~positive] = 0.0
    if left == 0:
        lam[~certain] = 0.0
    return lam, n


def select_order_sampling(
    tickets: U64Array,
    probabilities: F64Array,
    n: int,
    ids_for: IdsFor,
    *,
    method: str = "pareto",
) -> IntArray:
    """Method (c): fixed-size order sampling (Pareto πps or sequential Poisson).

    ``probabilities`` are the target probabilities ``λ`` (see :func:`pips_probabilities`),
    summing to ``n``. Units with ``λ = 1`` are taken; of the others, the ``n - #certain`` with
    the smallest ranking keys ``Q`` (ties by ticket, then id). Returned in ticket order.

    Examples:
        >>> import numpy as np
        >>> t = np.array([1, 2**62, 2**63, 2**64 - 1], dtype=np.uint64)
        >>> lam = np.array([0.5, 0.5, 0.0, 1.0])
        >>> select_order_sampling(t, lam, 2, lambda p: list("abcd")).tolist()
        [0, 3]
    """
    if method not in ("pareto", "sequential_poisson"):
        raise ValidationError(
            [Problem(field="method", message=f"not an order-sampling method: {method!r}")]
        )
    t = np.asarray(tickets, dtype=np.uint64)
    lam = np.asarray(probabilities, dtype=np.float64)
    certain = np.flatnonzero(lam >= 1.0).astype(np.int64)
    left = n - certain.size
    open_ = np.flatnonzero((lam > 0.0) & (lam < 1.0)).astype(np.int64)
    if left > 0 and open_.size:
        u = uniforms(t[open_])
        lo = lam[open_]
        # Pareto: odds ratio of the uniform to the target; sequential Poisson: plain ratio
        q = (u / (1.0 - u)) / (lo / (1.0 - lo)) if method == "pareto" else u / lo
        pick = _n_smallest(q, left, lambda loc: _sub_by_ticket(loc, open_, t, ids_for))
        chosen = np.concatenate([certain, open_[pick]])
    else:
        chosen = certain
    return ticket_order(chosen, t, ids_for)


def _sub_by_ticket(loc: IntArray, open_: IntArray, t: U64Array, ids_for: IdsFor) -> IntArray:
    """Sort positions ``loc`` of the ``open_`` subset by (ticket, id), in subset coordinates."""
    glob = open_[loc]
    order = _by_ticket_then_id(glob, t, ids_for)
    back = {int(g): int(x) for g, x in zip(glob.tolist(), loc.tolist(), strict=True)}
    return np.asarray([back[int(g)] for g in order.tolist()], dtype=np.int64)
