"""The randomised balanced greedy of the assignment engine.

Invariants (the proofs are in ``docs/assign.md``):

* **Greedy pick.** A team is filled place by place; each place goes to the available
  candidate with the smallest key ``(load << 40) | (pair ticket >> 24)`` (ties: lower
  position in id order) among the candidates *with which the team can still be
  completed* (:class:`~randsupervise.assign._lookahead._LookAhead`). So the greedy never
  builds a half team that cannot be finished, and it fails on a visit only when the
  capacity left cannot staff it. There is one greedy (:func:`_fill`).
* **Side by side.** Visits in different connected components of the eligibility graph
  share no inspector, so the greedy takes the ``t``-th visit of every component in one
  batch of numpy operations (a batch of one visit when components are few); the teams
  are exactly those of the one-by-one order.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from randsupervise.assign._lookahead import _BIG, _LookAhead
from randsupervise.assign._phase import BoolArray, IntArray, Phase


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
    # Legend: load_key[i] the load part of inspector i's greedy key (its load << 40, or
    # _BIG once its load limit is reached); capleft[i] the visits it may still serve;
    # bits_todo[s], need_s[s] the requirement bits and places of the visit in slot s of seq;
    # base, Cm, Mb a step's ticket keys, candidates and masks (:func:`_step_tickets`); fm
    # the pool indices the step took.
    capleft = np.concatenate([ph.cap, np.zeros(1, dtype=np.int64)])  # index P: padding
    load_key = np.where(capleft > 0, np.int64(0), _BIG)
    look = _LookAhead()
    bits_todo, need_s = ph.U0[seq], ph.need[seq]
    for lo, hi, base, Cm, Mb in _step_tickets(ph, seq, bounds):
        rows = seq[lo:hi]
        members, done = _fill(
            base | load_key[Cm], Cm, Mb, bits_todo[lo:hi], need_s[lo:hi], look, ph.apart
        )
        if not done.all():
            rows, members = rows[done], members[done]
        fm = members[members >= 0] if (members < 0).any() else members.ravel()
        capleft[fm] -= 1
        load_key[fm] = np.where(capleft[fm] > 0, load_key[fm] + (np.int64(1) << np.int64(40)), _BIG)
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
