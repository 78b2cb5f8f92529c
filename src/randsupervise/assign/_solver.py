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
  only when the capacity left cannot staff it.
* **Exact fallback.** When the greedy leaves a visit unstaffed, the connected groups of
  the eligibility graph that contain such visits are solved again exactly: per-visit
  checks, a maximum flow (Hall check), per-requirement flows, then an integer program
  (HiGHS via ``scipy.optimize.milp``) whose objective is the pair tickets, solved with
  no relative optimality gap. Infeasibility is reported only from these exact checks,
  never from the greedy.
* **Side by side.** Visits in different connected components of the eligibility graph
  share no inspector, so the greedy takes the ``t``-th visit of every component in one
  batch of numpy operations; the teams are exactly those of the one-by-one order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, connected_components, maximum_flow

from randsupervise.assign.witness import Witness
from randsupervise.draw.seed import Seed
from randsupervise.draw.tickets import tickets
from randsupervise.model._hashing import mix64

__all__ = ["PAIR_SALT", "Phase", "pair_fingerprints", "solve_phase"]

PAIR_SALT = 0x9E3779B97F4A7C15
_UNLIMITED = 1 << 40
IntArray = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]


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

    def excl(self, k: int) -> IntArray | None:
        """Forbidden positions of visit ``k`` in its candidate array (``None``: none)."""
        a, b = int(self.excl_ptr[k]), int(self.excl_ptr[k + 1])
        return self.excl_pos[a:b] if b > a else None


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


_BIG = np.int64(1) << np.int64(62)
_TABLE_BITS = 16  # requirement bits up to this many use a lookup table, more use np.isin


def _pick(key: IntArray, M: IntArray, U: int, s: int, memo: dict[Any, Any]) -> list[int] | None:
    """Positions of the places chosen for one visit, or ``None`` if it cannot be staffed.

    ``key`` holds each candidate's greedy key; unavailable candidates must already carry
    ``_BIG``. Each place goes to the smallest key among the candidates that keep the
    team completable (exact set-cover look-ahead over the distinct requirement masks).
    """
    chosen: list[int] = []
    if key.size < s:
        return None
    while s > 0:
        if U == 0:
            if s == 1:
                j = int(np.argmin(key))
                if key[j] >= _BIG:
                    return None
                chosen.append(j)
                return chosen
            if key.size < s:
                return None
            part = np.argpartition(key, s - 1)[:s]
            part = part[np.lexsort((part, key[part]))]
            if key[part[-1]] >= _BIG:
                return None
            chosen.extend(int(j) for j in part)
            return chosen
        mu = M & U
        live = key < _BIG
        nb = U.bit_length()
        enough = int(np.count_nonzero(live)) >= s
        if nb <= _TABLE_BITS:
            seen = np.bincount(mu[live], minlength=1 << nb).astype(bool)
            fkey: Any = (U, s, enough, seen.tobytes())
            table = memo.get(fkey)
            if table is None:
                present = frozenset(int(x) for x in np.flatnonzero(seen))
                table = np.zeros(1 << nb, dtype=bool)
                if enough:
                    for a in present:
                        table[a] = _mincover(U & ~a, present, memo) <= s - 1
                memo[fkey] = table
            ok = table[mu]
        else:
            present = frozenset(int(x) for x in np.unique(mu[live]))
            fkey = (U, s, enough, present)
            feas = memo.get(fkey)
            if feas is None:
                feas = np.array(
                    sorted(
                        a for a in present if enough and _mincover(U & ~a, present, memo) <= s - 1
                    ),
                    dtype=np.int64,
                )
                memo[fkey] = feas
            ok = np.isin(mu, feas)
        kk = np.where(ok, key, _BIG)
        j = int(np.argmin(kk))
        if kk[j] >= _BIG:
            return None
        chosen.append(j)
        key[j] = _BIG  # the caller's array is scratch: built afresh for each visit
        U &= ~int(M[j])
        s -= 1
    return chosen


def _scalar_one(
    ph: Phase,
    k: int,
    load: IntArray,
    capleft: IntArray,
    masks: list[IntArray],
    memo: dict[Any, Any],
) -> IntArray | None:
    """Pool indices chosen for visit ``k`` (loads updated), or ``None`` if unstaffable."""
    c = int(ph.cls[k])
    C = ph.cands[c]
    key = (load[C] << np.int64(40)) | ph.tix[c][int(ph.trow[k])]
    key[capleft[C] <= 0] = _BIG
    ex = ph.excl(k)
    if ex is not None:
        key[ex] = _BIG
    team = _pick(key, masks[int(ph.maskid[k])], int(ph.U0[k]), int(ph.need[k]), memo)
    if team is None:
        return None
    idx = C[team]
    load[idx] += 1
    capleft[idx] -= 1
    return idx


_LOCK_MIN_BATCH = 2.5  # batch only when the average step holds at least this many visits
_LOCK_CHUNK = 1 << 20  # keys prepared at once (entries), bounds the memory of a chunk
_PAIR_BITS = 4  # two-place steps with requirement bits below 1 << _PAIR_BITS: batch path


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


def _greedy(ph: Phase, order: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """The randomised balanced greedy.

    Returns ``(team, ok)``: ``team[k, :need[k]]`` the pool indices chosen for visit ``k``
    (``-1`` beyond), ``ok[k]`` whether it was staffed. Visits are taken in ``order``.

    Visits whose candidates lie in different connected components of the eligibility
    graph never compete for an inspector, so the greedy runs on all components side by
    side: step ``t`` takes the ``t``-th visit (in ``order``) of every component at once,
    as numpy operations over a (visits x candidates) array. The result is identical to
    taking the visits one by one in ``order``; with few components the one-by-one loop
    is used.
    """
    nV, P = len(ph.visit_ids), len(ph.ids)
    smax = int(ph.need.max()) if nV else 0
    team = np.full((nV, max(smax, 1)), -1, dtype=np.int64)
    ok = ph.need == 0
    load = np.zeros(P + 1, dtype=np.int64)  # index P: padding, never available
    capleft = np.concatenate([ph.cap, np.zeros(1, dtype=np.int64)])
    masks = [m.astype(np.int64) for m in ph.masks]
    memo: dict[Any, Any] = {}
    act = np.asarray(order, dtype=np.int64)
    act = act[ph.need[act] > 0]
    if act.size == 0:
        return team, ok
    comp = _components(ph)[ph.cls[act]]
    by_comp = np.argsort(comp, kind="stable")  # keeps ``order`` within a component
    cs = comp[by_comp]
    first = np.flatnonzero(np.r_[True, cs[1:] != cs[:-1]])
    sizes = np.diff(np.r_[first, cs.size])
    step = np.arange(cs.size) - np.repeat(first, sizes)
    nsteps = int(sizes.max())
    if act.size < _LOCK_MIN_BATCH * nsteps:
        for k in act.tolist():
            idx = _scalar_one(ph, k, load, capleft, masks, memo)
            if idx is not None:
                team[k, : idx.size] = idx
                ok[k] = True
        return team, ok
    lk = act[by_comp][np.argsort(step, kind="stable")]  # lockstep order: by step
    sp_ = np.searchsorted(np.sort(step), np.arange(nsteps + 1))
    _lockstep(ph, lk, sp_, team, ok, load, capleft, masks, memo)
    return team, ok


def _lockstep(
    ph: Phase,
    lk: IntArray,
    sp_: IntArray,
    team: IntArray,
    ok: npt.NDArray[np.bool_],
    load: IntArray,
    capleft: IntArray,
    masks: list[IntArray],
    memo: dict[Any, Any],
) -> None:
    """Run the greedy step by step; step ``t`` is ``lk[sp_[t]:sp_[t + 1]]`` (one visit per
    component). Makes exactly the choices of :func:`_pick`.

    When every visit of the step fills two places and has at most ``_PAIR_BITS``
    requirement bits, the look-ahead for two places is computed for all at once (the
    first place needs a candidate whose missing bits another available candidate
    covers). Otherwise, visits with at most one requirement bit (no joint departments,
    at most one required qualification) are decided for the whole step at once. For
    them the look-ahead of :func:`_pick` reduces to this: the visit is staffable iff it
    has ``need`` available candidates and, with a bit, an available holder of it; then
    each place goes to the smallest key left, except that the last place goes to the
    best holder when no holder was picked before. Visits with more bits go through
    :func:`_pick` one at a time.
    """
    P = len(ph.ids)
    ncls = len(ph.cands)
    clen = np.array([len(C) for C in ph.cands], dtype=np.int64)
    W = max(int(clen.max()), 1)
    Cpad = np.full((ncls, W), P, dtype=np.int64)
    for c, C in enumerate(ph.cands):
        Cpad[c, : C.size] = C
    Mpad = np.zeros((len(masks), W), dtype=np.int64)
    for m, M in enumerate(masks):
        Mpad[m, : M.size] = M
    # the ticket rows of every class, one flat array
    toff = np.zeros(ncls + 1, dtype=np.int64)
    toff[1:] = np.cumsum([t.size for t in ph.tix])
    flat = ph.tix_flat
    if flat is None or flat.size != int(toff[-1]) + 1:
        flat = np.concatenate([*(t.ravel() for t in ph.tix), np.zeros(1, dtype=np.int64)])
    last = flat.size - 1
    cls_l = ph.cls[lk]
    rowstart = toff[cls_l] + ph.trow[lk] * clen[cls_l]
    U_l = ph.U0[lk]
    need_l = ph.need[lk]
    mid_l = ph.maskid[lk]
    # at most one requirement bit: the batch path; more: one visit at a time
    vec_l = (U_l & (U_l - 1)) == 0
    # exclusions in lockstep order: (slot, position), sorted by slot
    slot = np.empty(len(ph.visit_ids), dtype=np.int64)
    slot[lk] = np.arange(lk.size)
    ev = np.repeat(np.arange(len(ph.visit_ids), dtype=np.int64), np.diff(ph.excl_ptr))
    keep = ph.need[ev] > 0
    es, ep = slot[ev[keep]], ph.excl_pos[keep]
    eo = np.argsort(es, kind="stable")
    es, ep = es[eo], ep[eo]
    # load << 40 of every inspector, or _BIG once their load limit is reached
    lk40 = np.where(capleft > 0, load << np.int64(40), _BIG)
    one40 = np.int64(1) << np.int64(40)
    ar_w = np.arange(W, dtype=np.int64)
    ar_v = np.arange(int(np.diff(sp_).max()), dtype=np.int64)
    nsteps = sp_.size - 1
    has_scalar = (np.add.reduceat((~vec_l).astype(np.int64), sp_[:-1]) > 0).tolist()
    smax_l = np.maximum.reduceat(np.where(vec_l, need_l, 0), sp_[:-1]).tolist()
    smin = np.minimum.reduceat(np.where(vec_l, need_l, np.iinfo(np.int64).max), sp_[:-1])
    uniform_l = (smin == np.asarray(smax_l)).tolist()
    # steps where every visit fills two places and has at most 4 requirement bits
    pair_l = (
        (np.minimum.reduceat(need_l, sp_[:-1]) == 2)
        & (np.maximum.reduceat(need_l, sp_[:-1]) == 2)
        & (np.maximum.reduceat(U_l, sp_[:-1]) < 1 << _PAIR_BITS)
    ).tolist()
    # covers[x, code]: bits x are empty or covered by one of the mask values in ``code``
    # (bit b of code set: some available candidate has requirement bits b)
    vals = np.arange(1 << _PAIR_BITS, dtype=np.int64)
    cover_sets = ((vals[None, :] & vals[:, None]) == vals[:, None]) << vals[None, :]
    codes = np.arange(1 << (1 << _PAIR_BITS), dtype=np.int64)
    covers = (codes[None, :] & cover_sets.sum(axis=1)[:, None]) != 0
    covers[0] = True
    one = np.int64(1)
    per_chunk = max(_LOCK_CHUNK // W, 1)  # rows whose keys are prepared together
    t = 0
    while t < nsteps:
        c0 = int(sp_[t])
        t1 = max(int(np.searchsorted(sp_, c0 + per_chunk, side="right")) - 1, t + 1)
        c1 = int(sp_[t1])
        cb = cls_l[c0:c1]
        w = max(int(clen[cb].max()), 1)
        Cm_ch = Cpad[cb, :w]
        # ticket part of the keys; padding and excluded pairs never available
        base = flat[np.minimum(rowstart[c0:c1, None] + ar_w[None, :w], last)]
        base[Cm_ch == P] = _BIG
        e0, e1 = np.searchsorted(es, [c0, c1])
        base[es[e0:e1] - c0, ep[e0:e1]] = _BIG
        # holders of the one requirement bit left (none when no bit is left)
        Mb_ch = Mpad[mid_l[c0:c1], :w]
        H_ch = (Mb_ch & U_l[c0:c1, None]) != 0
        for tt in range(t, t1):
            a0, a1 = int(sp_[tt]), int(sp_[tt + 1])
            r0, r1 = a0 - c0, a1 - c0
            if pair_l[tt]:
                # two places: the first goes to the smallest key whose requirement bits
                # leave a remainder some other available candidate covers (the look-ahead
                # of _pick for two places), the second to the smallest key covering it
                Cm = Cm_ch[r0:r1]
                Mb = Mb_ch[r0:r1]
                key = base[r0:r1] | lk40[Cm]
                V = ar_v[: a1 - a0]
                U = U_l[a0:a1]
                mu = Mb & U[:, None]
                live = key < _BIG
                code = np.bitwise_or.reduce(np.where(live, one << mu, 0), axis=1)
                feas = covers[U[:, None] & ~mu, code[:, None]]
                feas &= (live.sum(axis=1) >= 2)[:, None]
                kf = np.where(feas, key, _BIG)
                j1 = kf.argmin(axis=1)
                done = np.flatnonzero(kf[V, j1] < _BIG)
                if done.size == 0:
                    continue
                U2 = U & ~Mb[V, j1]
                key[V, j1] = _BIG
                j2 = np.where((Mb & U2[:, None]) == U2[:, None], key, _BIG).argmin(axis=1)
                members = np.stack([Cm[done, j1[done]], Cm[done, j2[done]]], axis=1)
                fm = members.ravel()
                load[fm] += 1
                capleft[fm] -= 1
                lk40[fm] += one40
                full = fm[capleft[fm] <= 0]
                if full.size:
                    lk40[full] = _BIG
                ks = lk[a0 + done]
                team[ks, :2] = members
                ok[ks] = True
                continue
            vec = vec_l[a0:a1]
            if has_scalar[tt]:
                for r in np.flatnonzero(~vec).tolist():
                    k = int(lk[a0 + r])
                    idx = _scalar_one(ph, k, load, capleft, masks, memo)
                    if idx is not None:
                        team[k, : idx.size] = idx
                        ok[k] = True
                        lk40[idx] = np.where(capleft[idx] > 0, load[idx] << np.int64(40), _BIG)
            smax = smax_l[tt]
            if smax == 0:
                continue
            Cm = Cm_ch[r0:r1]
            H = H_ch[r0:r1]
            key = base[r0:r1] | lk40[Cm]
            V = ar_v[: a1 - a0]
            need = need_l[a0:a1]
            bit = U_l[a0:a1] != 0
            kh = np.where(H, key, _BIG)
            jh = kh.argmin(axis=1)
            # staffable: enough candidates, and a holder when a bit is left
            good = vec & ((key < _BIG).sum(axis=1) >= need) & (~bit | (kh[V, jh] < _BIG))
            held = ~bit
            if uniform_l[tt]:  # every visit of the step fills ``smax`` places
                picks = np.empty((V.size, smax), dtype=np.int64)
                for place in range(smax - 1):
                    j = key.argmin(axis=1)
                    picks[:, place] = j
                    held |= H[V, j]
                    key[V, j] = _BIG
                # the last place goes to the best holder if no holder was picked yet
                picks[:, smax - 1] = np.where(held, key.argmin(axis=1), jh)
                done = np.flatnonzero(good)
                members = Cm[done[:, None], picks[done]]
                fm = members.ravel()
            else:
                picks = np.full((V.size, smax), -1, dtype=np.int64)
                for place in range(smax):
                    j = key.argmin(axis=1)
                    j = np.where(~held & (need == place + 1), jh, j)
                    act = good & (place < need)
                    picks[act, place] = j[act]
                    held |= H[V, j]
                    key[V[act], j[act]] = _BIG
                done = np.flatnonzero(good)
                pk = picks[done]
                members = np.where(pk >= 0, Cm[done[:, None], np.maximum(pk, 0)], -1)
                fm = members[members >= 0]
            if done.size == 0:
                continue
            load[fm] += 1
            capleft[fm] -= 1
            lk40[fm] += one40
            full = fm[capleft[fm] <= 0]
            if full.size:
                lk40[full] = _BIG
            ks = lk[a0 + done]
            team[ks, : members.shape[1]] = members
            ok[ks] = True
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
            f" ({len(ex)} excluded by recusal, rotation or the team)"
            if ex is not None and len(ex)
            else ""
        )
        return f"needs {need} eligible {who}(s), only {n} available{excluded}"
    key = np.where(avail, np.int64(0), _BIG)
    if _pick(key, M.astype(np.int64), U, need, {}) is None:
        return f"its requirements cannot be covered by {need} {who}(s)"
    return None


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


def solve_phase(ph: Phase, order: IntArray) -> tuple[IntArray, bool]:
    """Staff every visit of ``ph``; returns (teams as pool indices, fallback used).

    ``teams[k, :need[k]]`` are the pool indices of visit ``k`` (in pick order), ``-1``
    beyond.

    Raises:
        _Infeasible: wrapped by the caller into ``InfeasibleAssignment``.
    """
    teams, ok = _greedy(ph, order)
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
    g = sp.csr_matrix((np.ones(len(r)), (r, nV + c)), shape=(nV + P, nV + P))
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
