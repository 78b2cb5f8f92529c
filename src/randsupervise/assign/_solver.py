"""The assignment engine: a randomised balanced greedy with an exact fallback.

Invariants (the proofs are in ``docs/assign.md``):

* **Randomness only through tickets.** Visits are processed in ascending
  ``(ticket(seed, stream + "/order", visit id), visit id)``. Each (visit, inspector)
  pair has the *pair fingerprint* ``mix64(fp(visit) XOR mix64(fp(inspector) XOR
  0x9E3779B97F4A7C15))`` (``fp`` the 64-bit id fingerprint, ``mix64`` the bijective
  mixer of the ticket function); its ticket is the ticket function applied to that
  fingerprint under ``stream + "/officers"`` or ``stream + "/experts"``. Nothing else is
  random, so the result is a pure function of (seed, stream, inputs) and does not
  depend on input order.
* **Greedy pick.** A team is filled place by place; each place goes to the available
  candidate with the smallest key ``(load << 40) | (pair ticket >> 24)`` (ties: lower
  position in id order) among the candidates *with which the team can still be
  completed* (an exact set-cover look-ahead over the candidates' requirement masks). So
  the greedy never builds a half team that cannot be finished, and it fails on a visit
  only when the capacity left cannot staff it. There is one greedy (:func:`_fill`) and
  one look-ahead (:class:`_LookAhead`); the look-ahead caches its answers under the
  whole state they depend on, so what one visit learns never decides another's team
  unless their states are equal.
* **Exact fallback.** When the greedy leaves a visit unstaffed, the connected groups of
  the eligibility graph that contain such visits are solved again exactly: per-visit
  checks, a maximum flow (Hall check), per-requirement flows, then an integer program
  (HiGHS via ``scipy.optimize.milp``) whose objective is the pair tickets, solved with
  no relative optimality gap. Infeasibility is reported only from these exact checks,
  never from the greedy.
* **Side by side.** Visits in different connected components of the eligibility graph
  share no inspector, so the greedy takes the ``t``-th visit of every component in one
  batch of numpy operations (a batch of one visit when components are few); the teams
  are exactly those of the one-by-one order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, connected_components, maximum_flow

from randsupervise.assign.witness import Witness
from randsupervise.tickets.fingerprint import mix64
from randsupervise.tickets.function import tickets
from randsupervise.tickets.seed import Seed

__all__ = ["PAIR_SALT", "Phase", "pair_fingerprints", "solve_phase"]

PAIR_SALT = 0x9E3779B97F4A7C15
_UNLIMITED = 1 << 40
IntArray = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
BoolArray = npt.NDArray[np.bool_]


def pair_fingerprints(visit_fp: U64, inspector_fp: U64) -> U64:
    """Pair fingerprints ``mix64(fv XOR mix64(fi XOR PAIR_SALT))``, a ``len(fv) x len(fi)`` matrix.

    Examples:
        >>> import numpy as np
        >>> fv = np.array([1, 2], dtype=np.uint64); fi = np.array([3, 4, 5], dtype=np.uint64)
        >>> pair_fingerprints(fv, fi).shape
        (2, 3)
    """
    g = mix64(np.asarray(inspector_fp, dtype=np.uint64) ^ np.uint64(PAIR_SALT))
    m = np.asarray(visit_fp, dtype=np.uint64)[:, None] ^ g[None, :]
    return mix64(m, out=m)


class Phase:
    """One role's assignment problem (officers or experts), built by the caller.

    Per visit ``k``: ``cls[k]`` indexes ``cands`` (sorted pool indices of the eligible
    inspectors before per-pair exclusions); ``excl_pos[excl_ptr[k]:excl_ptr[k + 1]]``
    the positions in that array that are forbidden (recusal, rotation, members already
    on the team); ``maskid[k]`` indexes ``masks`` (one uint64 per candidate: bit ``b``
    set when the candidate meets the visit's requirement ``bitnames[maskid][b]``);
    ``U0[k]`` the requirement bits still to cover; ``need[k]`` the places to fill;
    ``trow[k]`` its row in ``tix[cls]``. ``tix[c]`` holds the top 40 bits of each pair
    ticket (``ticket >> 24``) of the class's visits (rows) and candidates (columns).
    """

    def __init__(self, role: str, ids: Sequence[str], cap: IntArray) -> None:
        self.role = role
        self.ids = tuple(ids)
        self.cap = cap
        self.visit_ids: list[str] = []
        self.cls: IntArray = np.zeros(0, dtype=np.int64)
        self.excl_ptr: IntArray = np.zeros(1, dtype=np.int64)
        self.excl_pos: IntArray = np.zeros(0, dtype=np.int64)
        self.maskid: IntArray = np.zeros(0, dtype=np.int64)
        self.U0: IntArray = np.zeros(0, dtype=np.int64)
        self.need: IntArray = np.zeros(0, dtype=np.int64)
        self.trow: IntArray = np.zeros(0, dtype=np.int64)
        self.cands: list[IntArray] = []
        self.tix: list[IntArray] = []
        # when set: every ``tix[c]`` is a view into this one buffer (plus one spare entry)
        self.tix_flat: IntArray | None = None
        self.masks: list[U64] = []
        self.bitnames: list[tuple[str, ...]] = []
        # pool index -> pool indices that may not serve on the same team (None: no pairs)
        self.apart: dict[int, IntArray] | None = None
        # pairs of visits that are parts of one team (apart pairs hold across them)
        self.links: list[tuple[int, int]] = []

    def excl(self, k: int) -> IntArray | None:
        """Forbidden positions of visit ``k`` in its candidate array (``None``: none)."""
        a, b = int(self.excl_ptr[k]), int(self.excl_ptr[k + 1])
        return self.excl_pos[a:b] if b > a else None


# --- the look-ahead: which candidates keep a team completable ---------------------------


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


# --- the greedy -------------------------------------------------------------------------


def _fill(
    key: IntArray,
    C: IntArray,
    M: IntArray,
    U: IntArray,
    need: IntArray,
    look: _LookAhead,
    apart: dict[int, IntArray] | None = None,
) -> tuple[IntArray, BoolArray]:
    """Fill the teams of a batch (one per row), place by place: ``(members, done)``.

    ``key[r, j]`` is candidate ``j``'s greedy key for row ``r`` (``_BIG``: unavailable),
    ``C[r, j]`` its pool index, ``M[r, j]`` its requirement bits; ``U[r]`` the bits the
    team still needs, ``need[r]`` its places. Each place goes to the smallest key among
    the candidates that keep the team completable (``argmin``: ties to the lower
    position). ``members[r, p]`` is the pool index taken for place ``p`` (``-1`` beyond
    ``need[r]``); ``done[r]`` is false when row ``r`` cannot be completed (its members
    are then meaningless). ``key`` is scratch: taken candidates are set to ``_BIG``.
    """
    # Legend: B rows (teams); act the rows taking the current place; k, m, u, left their
    # keys, masks, bits still needed and places left; kf the keys of the candidates the
    # look-ahead allows (others _BIG); j the position chosen per row.
    B = key.shape[0]
    members = np.full((B, int(need.max())), -1, dtype=np.int64)
    # fewer available candidates than places: the team cannot be completed (each place
    # takes one available candidate, so this is decided once, before the first place)
    done = (key < _BIG).sum(axis=1) >= need
    U = U.copy()
    every = bool(done.all() and (need == members.shape[1]).all())  # every row, every place
    act = rows = np.arange(B)
    for place in range(members.shape[1]):
        if every:
            k, m, u, left = key, M, U, need - place
        else:
            act = np.flatnonzero(done & (need > place))
            if act.size == 0:
                break
            k, m, u, left = key[act], M[act], U[act], need[act] - place
            rows = np.arange(act.size)
        kf = np.where(look(k, m & u[:, None], u, left), k, _BIG)
        j = kf.argmin(axis=1)
        got = kf[rows, j] < _BIG
        if not got.all():
            done[act[~got]] = False
            act, j, every = act[got], j[got], False
        if every:
            members[:, place] = C[act, j]
        else:
            members[act, place] = C[act, j]
        if place + 1 < members.shape[1]:  # after the last place, U and key are not read
            if every:
                U &= ~M[act, j]
            else:
                U[act] &= ~M[act, j]
            key[act, j] = _BIG
            if apart:  # who may not serve with the member just taken leaves the row
                for r, c in zip(np.asarray(act).tolist(), C[act, j].tolist(), strict=True):
                    if c in apart:
                        key[r, np.isin(C[r], apart[c])] = _BIG
    return members, done


_MIN_BATCH = 2.5  # batch only when the average step holds at least this many visits
_CHUNK = 1 << 20  # keys prepared at once (entries), bounds the memory of a chunk


def _components(ph: Phase) -> IntArray:
    """Connected component of every class in the class-inspector eligibility graph."""
    ncls, P = len(ph.cands), len(ph.ids)
    if ncls == 0:
        return np.zeros(0, dtype=np.int64)
    lens = np.array([len(C) for C in ph.cands], dtype=np.int64)
    rows = np.repeat(np.arange(ncls, dtype=np.int64), lens)
    cols = ncls + np.concatenate(ph.cands).astype(np.int64) if lens.sum() else rows
    g = sp.csr_matrix((np.ones(rows.size, dtype=np.int8), (rows, cols)), shape=(ncls + P, ncls + P))
    _, labels = connected_components(g, directed=False)
    return np.asarray(labels[:ncls], dtype=np.int64)


def _steps(ph: Phase, act: IntArray) -> tuple[IntArray, IntArray]:
    """The visits ``act`` (in processing order) cut into steps: ``(seq, bounds)``, step
    ``t`` being ``seq[bounds[t]:bounds[t + 1]]``.

    Visits in different connected components of the eligibility graph never compete for
    an inspector, so step ``t`` may take the ``t``-th visit (in order) of every component
    at once: the teams are those of taking the visits one by one. With few components
    (steps would hold under ``_MIN_BATCH`` visits on average) every visit is its own
    step, in order.
    """
    # Legend: comp[i] the component of visit act[i]; cs the components sorted (stable);
    # first[c] where component c's run starts in cs, sizes[c] its length; step[i] the rank
    # of the i-th visit of cs within its component, i.e. the step that takes it.
    comp = _components(ph)[ph.cls[act]]
    by_comp = np.argsort(comp, kind="stable")  # keeps the order within a component
    cs = comp[by_comp]
    first = np.flatnonzero(np.r_[True, cs[1:] != cs[:-1]])
    sizes = np.diff(np.r_[first, cs.size])
    step = np.arange(cs.size) - np.repeat(first, sizes)  # rank within its component
    nsteps = int(sizes.max())
    if act.size < _MIN_BATCH * nsteps:
        return act, np.arange(act.size + 1, dtype=np.int64)
    seq = act[by_comp][np.argsort(step, kind="stable")]
    return seq, np.searchsorted(np.sort(step), np.arange(nsteps + 1))


def _greedy(ph: Phase, order: IntArray) -> tuple[IntArray, BoolArray]:
    """The randomised balanced greedy: ``(team, ok)``.

    ``team[k, :need[k]]`` holds the pool indices chosen for visit ``k`` (``-1`` beyond),
    ``ok[k]`` whether it was staffed. Visits are taken in ``order``, in the steps of
    :func:`_steps`; each step is one call of :func:`_fill`, and the loads are updated
    after it (the visits of one step share no candidate).
    """
    nV = len(ph.visit_ids)
    team = np.full((nV, max(int(ph.need.max()) if nV else 0, 1)), -1, dtype=np.int64)
    ok = ph.need == 0
    act = np.asarray(order, dtype=np.int64)
    act = act[ph.need[act] > 0]
    if act.size == 0:
        return team, ok
    seq, bounds = _steps(ph, act)
    # lk40[i]: load of inspector i << 40, or _BIG once its load limit is reached
    capleft = np.concatenate([ph.cap, np.zeros(1, dtype=np.int64)])  # index P: padding
    lk40 = np.where(capleft > 0, np.int64(0), _BIG)
    look = _LookAhead()
    U_s, need_s = ph.U0[seq], ph.need[seq]
    for lo, hi, base, Cm, Mb in _step_tickets(ph, seq, bounds):
        rows = seq[lo:hi]
        members, done = _fill(base | lk40[Cm], Cm, Mb, U_s[lo:hi], need_s[lo:hi], look, ph.apart)
        if not done.all():
            rows, members = rows[done], members[done]
        fm = members[members >= 0] if (members < 0).any() else members.ravel()
        capleft[fm] -= 1
        lk40[fm] = np.where(capleft[fm] > 0, lk40[fm] + (np.int64(1) << np.int64(40)), _BIG)
        team[rows, : members.shape[1]] = members
        ok[rows] = True
    return team, ok


def _step_tickets(
    ph: Phase, seq: IntArray, bounds: IntArray
) -> Iterator[tuple[int, int, IntArray, IntArray, IntArray]]:
    """For each step: ``(lo, hi, base, Cm, Mb)``: the visits ``seq[lo:hi]``, the ticket
    part of their greedy keys (``pair ticket >> 24``; ``_BIG`` for padding and for pairs
    excluded by recusal, rotation or membership of the team), their candidates (pool
    indices, ``P`` for padding) and requirement masks, one row per visit.

    The rows are prepared for many steps at once (``_CHUNK`` entries at most).
    """
    # Legend (arrays indexed by the slot of a visit in ``seq``, the processing order):
    #   P            pool size; index P is padding (never available)
    #   clen[c]      number of candidates of class c;  W = max clen
    #   Cpad[c, :]   class c's candidates (pool indices), padded with P to width W
    #   Mpad[m, :]   requirement masks numbered m, padded with 0 to width W
    #   toff[c]      where class c's ticket block starts in ``flat`` (``last``: a 0 entry)
    #   rowstart[s]  where the ticket row of the visit in slot s starts in ``flat``
    #   es, ep       (slot, candidate position) of every exclusion, sorted by slot
    P = len(ph.ids)
    ncls = len(ph.cands)
    clen = np.array([len(C) for C in ph.cands], dtype=np.int64)
    W = max(int(clen.max()), 1)
    Cpad = np.full((ncls, W), P, dtype=np.int64)
    for c, C in enumerate(ph.cands):
        Cpad[c, : C.size] = C
    Mpad = np.zeros((len(ph.masks), W), dtype=np.int64)
    for m, M in enumerate(ph.masks):
        Mpad[m, : M.size] = M.astype(np.int64)
    toff = np.zeros(ncls + 1, dtype=np.int64)
    toff[1:] = np.cumsum([t.size for t in ph.tix])
    flat = ph.tix_flat
    if flat is None or flat.size != int(toff[-1]) + 1:
        flat = np.concatenate([*(t.ravel() for t in ph.tix), np.zeros(1, dtype=np.int64)])
    last = flat.size - 1
    cls_s = ph.cls[seq]
    rowstart = toff[cls_s] + ph.trow[seq] * clen[cls_s]
    slot = np.empty(len(ph.visit_ids), dtype=np.int64)
    slot[seq] = np.arange(seq.size)
    ev = np.repeat(np.arange(len(ph.visit_ids), dtype=np.int64), np.diff(ph.excl_ptr))
    keep = ph.need[ev] > 0
    es, ep = slot[ev[keep]], ph.excl_pos[keep]
    eo = np.argsort(es, kind="stable")
    es, ep = es[eo], ep[eo]
    ar_w = np.arange(W, dtype=np.int64)
    nsteps = bounds.size - 1
    per_chunk = max(_CHUNK // W, 1)  # slots whose ticket keys are prepared together
    t = 0
    while t < nsteps:
        c0 = int(bounds[t])
        t1 = max(int(np.searchsorted(bounds, c0 + per_chunk, side="right")) - 1, t + 1)
        c1 = int(bounds[t1])
        w = max(int(clen[cls_s[c0:c1]].max()), 1)
        Cm_ch = Cpad[cls_s[c0:c1], :w]
        Mb_ch = Mpad[ph.maskid[seq[c0:c1]], :w]
        base = flat[np.minimum(rowstart[c0:c1, None] + ar_w[None, :w], last)]
        base[Cm_ch == P] = _BIG
        e0, e1 = np.searchsorted(es, [c0, c1])
        base[es[e0:e1] - c0, ep[e0:e1]] = _BIG
        for tt in range(t, t1):
            r0, r1 = int(bounds[tt]) - c0, int(bounds[tt + 1]) - c0
            yield c0 + r0, c0 + r1, base[r0:r1], Cm_ch[r0:r1], Mb_ch[r0:r1]
        t = t1


def _static_reason(ph: Phase, k: int) -> str | None:
    """Why visit ``k`` cannot be staffed even with unlimited load, or ``None``."""
    c = int(ph.cls[k])
    C = ph.cands[c]
    avail = ph.cap[C] > 0
    ex = ph.excl(k)
    if ex is not None:
        avail[ex] = False
    M = ph.masks[ph.maskid[k]]
    U = int(ph.U0[k])
    need = int(ph.need[k])
    names = ph.bitnames[ph.maskid[k]]
    who = "officer" if ph.role == "officers" else "expert"
    missing = [
        names[b]
        for b in range(len(names))
        if U >> b & 1 and not (M[avail] >> np.uint64(b) & np.uint64(1)).any()
    ]
    if missing:
        return "; ".join(
            f"no eligible {who} {'holds' if n.startswith('qualification') else 'is from'} "
            f"{n.split(':', 1)[0]} {n.split(':', 1)[1]!r}"
            for n in missing
        )
    n = int(avail.sum())
    if n < need:
        excluded = (
            f" ({len(ex)} excluded by recusal, rotation, dates or the team)"
            if ex is not None and len(ex)
            else ""
        )
        return f"needs {need} eligible {who}(s), only {n} available{excluded}"
    present = frozenset(int(m) & U for m in M[avail])
    if _mincover(U, present, {}) > need:
        return f"its requirements cannot be covered by {need} {who}(s)"
    if ph.apart and not _apart_team_exists(ph, C[avail], M[avail], U, need):
        return f"no {need} {who}(s) meeting its requirements may serve together (apart pairs)"
    return None


_APART_SEARCH = 20_000  # teams tried at most by the per-visit check of apart pairs


def _apart_team_exists(ph: Phase, C: IntArray, M: U64, U: int, need: int) -> bool:
    """Whether ``need`` of the candidates ``C`` (masks ``M``) cover ``U`` with no apart
    pair among them; ``True`` when there are too many teams to try (the exact program
    decides then)."""
    import itertools
    import math

    if math.comb(len(C), need) > _APART_SEARCH:
        return True
    apart = ph.apart or {}
    bad = {(int(i), int(j)) for i in C.tolist() for j in apart.get(int(i), np.zeros(0)).tolist()}
    for team in itertools.combinations(range(len(C)), need):
        cover = 0
        for t in team:
            cover |= int(M[t])
        if cover & U != U:
            continue
        ids = [int(C[t]) for t in team]
        if not any((a, b) in bad for a, b in itertools.combinations(ids, 2)):
            return True
    return False


def _edges(ph: Phase, ks: Sequence[int]) -> tuple[IntArray, IntArray, IntArray]:
    """(visit index, pool index, position) of every eligible pair of the visits ``ks``."""
    rows, cols, pos = [], [], []
    for k in ks:
        C = ph.cands[ph.cls[k]]
        ok = ph.cap[C] > 0
        ex = ph.excl(k)
        if ex is not None:
            ok[ex] = False
        p = np.flatnonzero(ok)
        rows.append(np.full(p.size, k, dtype=np.int64))
        cols.append(C[p].astype(np.int64))
        pos.append(p.astype(np.int64))
    if not rows:
        e = np.zeros(0, dtype=np.int64)
        return e, e, e
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(pos)


def _flow_witness(
    ph: Phase, ks: list[int], r: IntArray, c: IntArray, demand: IntArray, requirement: str | None
) -> Witness | None:
    """Hall check by maximum flow; a witness from the min cut when it fails."""
    if not ks:
        return None
    vloc = {k: j for j, k in enumerate(ks)}
    insp, ic = np.unique(c, return_inverse=True)
    nV, nI = len(ks), len(insp)
    n = nV + nI + 2
    s, t = n - 2, n - 1
    vr = np.array([vloc[int(k)] for k in r], dtype=np.int64)
    rows = np.concatenate([np.full(nV, s), vr, nV + np.arange(nI)])
    cols = np.concatenate([np.arange(nV), nV + ic, np.full(nI, t)])
    caps = np.concatenate(
        [demand, np.ones(len(r), dtype=np.int64), np.minimum(ph.cap[insp], 1 << 30)]
    )
    A = sp.csr_matrix((caps.astype(np.int32), (rows, cols)), shape=(n, n))
    res = maximum_flow(A, s, t)
    total = int(demand.sum())
    if res.flow_value >= total:
        return None
    R = (A - res.flow).tocsr()
    R.data[R.data < 0] = 0
    R.eliminate_zeros()
    reach = breadth_first_order(R, s, directed=True, return_predecessors=False)
    S = [j for j in reach if j < nV]
    Sset = set(S)
    in_S = np.array([vloc[int(k)] in Sset for k in r], dtype=bool)
    deg = np.bincount(ic[in_S], minlength=nI)
    used = np.flatnonzero(deg)
    supply = int(np.minimum(ph.cap[insp[used]], deg[used]).sum())
    return Witness(
        kind="coverage-capacity" if requirement else "capacity",
        role=ph.role,
        visits=tuple(sorted(ph.visit_ids[ks[j]] for j in S)),
        requirement=requirement,
        inspectors=tuple(sorted(ph.ids[int(i)] for i in insp[used])),
        demand=int(demand[S].sum()),
        supply=supply,
    )


def _exact(ph: Phase, ks: list[int]) -> dict[int, list[int]] | Witness:
    """Solve the visits ``ks`` (a union of connected groups) exactly."""
    # imported here: the exact fallback is rare, and scipy.optimize costs import time
    from scipy.optimize import Bounds, LinearConstraint, milp

    r, c, p = _edges(ph, ks)
    need = np.array([ph.need[k] for k in ks], dtype=np.int64)
    w = _flow_witness(ph, ks, r, c, need, None)
    if w is not None:
        return w
    # one flow per requirement: the visits needing it, each needs one holder
    vloc = {k: j for j, k in enumerate(ks)}
    bits_of_edge = np.array(
        [int(ph.masks[ph.maskid[int(k)]][int(q)]) for k, q in zip(r, p, strict=True)],
        dtype=np.int64,
    )
    req_names: dict[str, list[tuple[int, int]]] = {}
    for k in ks:
        names = ph.bitnames[ph.maskid[k]]
        for b, name in enumerate(names):
            if ph.U0[k] >> b & 1:
                req_names.setdefault(name, []).append((k, b))
    for name in sorted(req_names):
        vk = req_names[name]
        bit_of = dict(vk)
        sel = np.array(
            [
                int(k) in bit_of and (bits_of_edge[e] >> bit_of[int(k)]) & 1 == 1
                for e, k in enumerate(r)
            ],
            dtype=bool,
        )
        sub = [k for k, _ in vk]
        w = _flow_witness(ph, sub, r[sel], c[sel], np.ones(len(sub), dtype=np.int64), name)
        if w is not None:
            return w
    # integer program
    ne = len(r)
    insp, ic = np.unique(c, return_inverse=True)
    vr = np.array([vloc[int(k)] for k in r], dtype=np.int64)
    rows_l: list[IntArray] = [vr]
    cols_l: list[IntArray] = [np.arange(ne)]
    lb: list[float] = list(need.astype(float))
    ub: list[float] = list(need.astype(float))
    nrow = len(ks)
    for name in sorted(req_names):
        for k, b in req_names[name]:
            e = np.flatnonzero((r == k) & ((bits_of_edge >> b) & 1 == 1))
            rows_l.append(np.full(e.size, nrow, dtype=np.int64))
            cols_l.append(e)
            lb.append(1.0)
            ub.append(np.inf)
            nrow += 1
    rows_l.append(nrow + ic)
    cols_l.append(np.arange(ne))
    lb += [0.0] * len(insp)
    ub += [float(min(int(x), _UNLIMITED)) for x in ph.cap[insp]]
    nrow += len(insp)
    # two who may not serve together: at most one of them on each team
    for e1, e2 in _apart_edges(ph, r, c):
        rows_l.append(np.full(2, nrow, dtype=np.int64))
        cols_l.append(np.array([e1, e2], dtype=np.int64))
        lb.append(0.0)
        ub.append(1.0)
        nrow += 1
    A = sp.csr_matrix(
        (np.ones(sum(len(x) for x in rows_l)), (np.concatenate(rows_l), np.concatenate(cols_l))),
        shape=(nrow, ne),
    )
    cost = np.array(
        [
            float(ph.tix[int(ph.cls[int(k)])][int(ph.trow[int(k)])][int(q)]) * 2.0**-40
            for k, q in zip(r, p, strict=True)
        ]
    )
    # solved to proven optimality (no relative gap), so the teams are the optimum of the
    # ticket-weighted program, not whichever near-optimal solution the search met first
    res = milp(
        cost,
        constraints=LinearConstraint(A, np.array(lb), np.array(ub)),
        integrality=np.ones(ne),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},
    )
    if res.status != 0 or res.x is None:
        return Witness(
            kind="combined", role=ph.role, visits=tuple(sorted(ph.visit_ids[k] for k in ks))
        )
    chosen = np.asarray(res.x) > 0.5
    out: dict[int, list[int]] = {k: [] for k in ks}
    for edge in np.flatnonzero(chosen):
        out[int(r[edge])].append(int(c[edge]))
    return out


def _clash(ph: Phase, a: IntArray, b: IntArray) -> bool:
    """Whether members ``a`` and ``b`` (pool indices, -1 padding) hold an apart pair."""
    apart = ph.apart or {}
    bs = set(b[b >= 0].tolist())
    return any(bs.intersection(apart.get(i, np.zeros(0, np.int64)).tolist()) for i in a.tolist())


def _apart_edges(ph: Phase, r: IntArray, c: IntArray) -> list[tuple[int, int]]:
    """Pairs of edges (same visit, or linked parts of one team) whose inspectors may not
    serve together."""
    if not ph.apart:
        return []
    team = {k: k for k in set(r.tolist())}
    for k1, k2 in ph.links:  # linked parts share one team id (the smaller)
        if k1 in team and k2 in team:
            team[k2] = team[k1] = min(team[k1], team[k2])
    at = {(team[int(k)], int(i)): e for e, (k, i) in enumerate(zip(r, c, strict=True))}
    out = []
    for (k, i), e in at.items():
        for j in ph.apart.get(i, np.zeros(0, dtype=np.int64)).tolist():
            f = at.get((k, j))
            if f is not None and e < f:
                out.append((e, f))
    return out


def solve_phase(ph: Phase, order: IntArray) -> tuple[IntArray, bool]:
    """Staff every visit of ``ph``; returns (teams as pool indices, fallback used).

    ``teams[k, :need[k]]`` are the pool indices of visit ``k`` (in pick order), ``-1``
    beyond.

    Raises:
        _Infeasible: wrapped by the caller into ``InfeasibleAssignment``.
    """
    teams, ok = _greedy(ph, order)
    for k1, k2 in ph.links:  # parts of one team: the greedy saw each alone
        if ok[k1] and ok[k2] and _clash(ph, teams[k1], teams[k2]):
            ok[k1] = ok[k2] = False
    failed = np.flatnonzero(~ok).tolist()
    if not failed:
        return teams, False
    reasons = [(ph.visit_ids[k], why) for k in failed if (why := _static_reason(ph, k)) is not None]
    if reasons:
        reasons.sort()
        raise _Infeasible(
            Witness(
                kind="visit",
                role=ph.role,
                visits=tuple(v for v, _ in reasons),
                reasons=tuple(reasons),
            )
        )
    ks_all = np.flatnonzero(ph.need > 0).tolist()
    r, c, _ = _edges(ph, ks_all)
    nV, P = len(ph.visit_ids), len(ph.ids)
    lk = np.array(ph.links, dtype=np.int64).reshape(-1, 2)
    g = sp.csr_matrix(
        (np.ones(len(r) + len(lk)), (np.r_[r, lk[:, 0]], np.r_[nV + c, lk[:, 1]])),
        shape=(nV + P, nV + P),
    )
    _, labels = connected_components(g, directed=False)
    bad = {int(labels[k]) for k in failed}
    group = [k for k in ks_all if int(labels[k]) in bad]
    sol = _exact(ph, group)
    if isinstance(sol, Witness):
        raise _Infeasible(sol)
    for k, members in sol.items():
        teams[k] = -1
        teams[k, : len(members)] = sorted(members)
    return teams, True


class _Infeasible(Exception):
    def __init__(self, witness: Witness) -> None:
        self.witness = witness
        super().__init__(str(witness))


def build_tickets(fv: U64, fi: U64, seed: Seed, stream: str) -> U64:
    """Pair tickets for visits ``fv`` (rows) and candidates ``fi`` (columns)."""
    return tickets(pair_fingerprints(fv, fi), seed, stream)


def build_ticket_keys(fv: U64, fi: U64, seed: Seed, stream: str) -> IntArray:
    """The top 40 bits of the pair tickets (``ticket >> 24``), as int64 greedy keys."""
    t = build_tickets(fv, fi, seed, stream)
    np.right_shift(t, np.uint64(24), out=t)
    return t.view(np.int64)
