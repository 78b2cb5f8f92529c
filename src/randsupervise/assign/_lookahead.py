"""The look-ahead of the greedy: which candidates keep a team completable.

Invariant: an answer is a function of ``(requirement bits still needed, places left,
masks present)`` only, and that whole tuple is the cache key, so what one visit learns
never decides another's team unless their states are equal.

Legend of the names used below: ``U`` the requirement bits a team still needs (bit ``b``
set: requirement ``b`` not yet covered); ``a`` or ``m`` a candidate's requirement mask
(the bits of ``U`` it covers); ``present`` the set of masks of the available candidates;
``left`` the places still to fill; ``mu`` the masks restricted to ``U``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from randsupervise.assign._phase import BoolArray, IntArray


def _mincover(U: int, present: frozenset[int], memo: dict[Any, int]) -> int:
    """Fewest masks from ``present`` whose union covers ``U`` (a large number if none)."""
    if U == 0:
        return 0
    key = (U, present)
    hit = memo.get(key)
    if hit is not None:
        return hit
    useful = {m & U for m in present if m & U}
    best = 1 << 30
    frontier = {0}
    for depth in range(1, len(useful) + 1):
        nxt = {f | m for f in frontier for m in useful}
        if any(f & U == U for f in nxt):
            best = depth
            break
        if nxt == frontier:
            break
        frontier = nxt
    memo[key] = best
    return best


_BIG = np.int64(1) << np.int64(62)  # the key of a candidate that may not be picked
_NARROW_BITS = 6  # teams needing at most this many requirement bits: one 64-bit code
_BIT = np.uint64(1) << np.arange(1 << _NARROW_BITS, dtype=np.uint64)  # _BIT[a] = 1 << a
_NONE = np.uint64(0)

# one cache entry: (requirement bits still needed, places left, masks present)
_State = tuple[int, int, Any]


class _LookAhead:
    """Which candidates keep a team completable, for many teams at once (one per row).

    A team that still needs the requirement bits ``U`` in ``left`` places, with at least
    ``left`` candidates available (the caller's condition, see :func:`_fill`), may take
    the candidate whose bits (within ``U``) are ``a`` iff the masks of the available
    candidates (``present``) cover ``U & ~a`` with at most ``left - 1`` of them
    (:func:`_mincover`; the candidate's own mask cannot cover what it leaves, so the
    cover is made of other candidates). The answer is a function of ``(U, left,
    present)`` and nothing else, and that whole tuple is the cache key.

    For ``U < 64`` the masks present are one 64-bit code (bit ``a`` set: mask ``a``
    present) and the answers a 64-entry table row, looked up for the whole batch at
    once; teams with wider ``U`` (more requirement bits than a joint visit with a few
    qualifications has) are answered one row at a time.
    """

    def __init__(self) -> None:
        self.memo: dict[Any, int] = {}
        self.rows: dict[_State, int] = {}
        self.tables = np.zeros((16, 1 << _NARROW_BITS), dtype=bool)
        self.wide: dict[_State, IntArray] = {}

    def feasible(self, U: int, left: int, present: frozenset[int]) -> list[int]:
        """The masks ``a`` in ``present`` that keep the team completable (see class)."""
        return sorted(a for a in present if _mincover(U & ~a, present, self.memo) <= left - 1)

    def _row(self, state: _State) -> int:
        """The table row of a narrow state, computed on first use."""
        hit = self.rows.get(state)  # a state new to a batch may occur twice in it
        if hit is not None:
            return hit
        U, left, code = state
        present = frozenset(a for a in range(1 << _NARROW_BITS) if code >> a & 1)
        r = len(self.rows)
        if r == self.tables.shape[0]:
            self.tables = np.concatenate([self.tables, np.zeros_like(self.tables)])
        self.tables[r, self.feasible(U, left, present)] = True
        self.rows[state] = r
        return r

    def __call__(self, key: IntArray, mu: IntArray, U: IntArray, left: IntArray) -> BoolArray:
        """``ok[r, j]``: taking candidate ``j`` keeps row ``r``, with ``left[r]`` places
        left, completable. ``key[r, j]`` is ``_BIG`` when the candidate is unavailable
        (``ok`` is then meaningless: the caller's keys exclude it), ``mu[r, j]`` its
        requirement bits within ``U[r]``."""
        top = int(U.max())
        if top == 0:  # nothing left to cover: any candidate will do
            return np.ones(key.shape, dtype=bool)
        live = key < _BIG
        if top >> _NARROW_BITS:
            narrow = U < (1 << _NARROW_BITS)
            ok = np.zeros(key.shape, dtype=bool)
            for r in np.flatnonzero(~narrow).tolist():
                present = frozenset(np.unique(mu[r][live[r]]).tolist())
                state = (int(U[r]), int(left[r]), present)
                feas = self.wide.get(state)
                if feas is None:
                    feas = np.array(self.feasible(*state), dtype=np.int64)
                    self.wide[state] = feas
                ok[r] = np.isin(mu[r], feas)
            n = np.flatnonzero(narrow)
            if n.size:
                ok[n] = self(key[n], mu[n], U[n], left[n])
            return ok
        code = np.bitwise_or.reduce(np.where(live, _BIT[mu], _NONE), axis=1)
        states = list(zip(U.tolist(), left.tolist(), code.tolist(), strict=True))
        rows = list(map(self.rows.get, states))
        if None in rows:
            rows = [self._row(s) if r is None else r for s, r in zip(states, rows, strict=True)]
        ok_narrow: BoolArray = self.tables[np.array(rows, dtype=np.int64)[:, None], mu]
        return ok_narrow
