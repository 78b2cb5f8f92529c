"""The exact fallback of the assignment engine: per-visit checks, flows, an integer program.

Invariant: when the greedy leaves a visit unstaffed, the connected groups of the
eligibility graph that contain such visits are solved again exactly: per-visit checks
(:func:`_static_reason`), a maximum flow (Hall check), per-requirement flows, then an
integer program (HiGHS via ``scipy.optimize.milp``) whose objective is the pair tickets,
solved with no relative optimality gap. Infeasibility is reported only from these exact
checks, never from the greedy; every report is a
:class:`~randsupervise.assign.witness.Witness`.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

from randsupervise.assign._lookahead import _mincover
from randsupervise.assign._phase import _UNLIMITED, U64, IntArray, Phase
from randsupervise.assign.witness import Witness


def _static_reason(ph: Phase, k: int) -> str | None:
    """Why visit ``k`` cannot be staffed even with unlimited load, or ``None``."""
    # Legend: C the visit's candidates (pool indices), avail which of them may serve, M
    # their requirement masks, U the requirement bits the visit needs, names the bits' names.
    c = int(ph.cls[k])
    C = ph.cands[c]
    avail = ph.fits(k, C)
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
    for b, n in sorted(ph.counts.get(k, {}).items()):
        held = int((M[avail] >> np.uint64(b) & np.uint64(1)).sum())
        if held < n:
            q = names[b].split(":", 1)[1]
            return f"needs {n} holders of {q}, only {held} available"
    n = int(avail.sum())
    if n < need:
        excluded = (
            f" ({len(ex)} excluded by recusal, rotation, dates or the team)"
            if ex is not None and len(ex)
            else ""
        )
        if ph.weight is not None and ph.weight[k] > 1:
            excluded += f" (a member carries a load of {int(ph.weight[k])} here)"

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
        ok = ph.fits(k, C)
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
    ph: Phase,
    ks: list[int],
    r: IntArray,
    c: IntArray,
    demand: IntArray,
    requirement: str | None,
    cap: IntArray | None = None,
) -> Witness | None:
    """Hall check by maximum flow (inspector capacities ``cap``, default ``ph.cap``); a
    witness from the min cut when it fails."""
    cap = ph.cap if cap is None else cap
    # Legend: the network has nodes 0..nV-1 for the visits ``ks`` (vloc: visit -> node),
    # nV..nV+nI-1 for the inspectors ``insp`` met on the edges (ic: edge -> inspector),
    # source s and sink t; s -> visit carries its demand, visit -> inspector one place,
    # inspector -> t its capacity. R is the residual graph, S the visits reachable from s
    # in it (the side of the min cut whose demand exceeds what its inspectors supply).
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
    caps = np.concatenate([demand, np.ones(len(r), dtype=np.int64), np.minimum(cap[insp], 1 << 30)])
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
    supply = int(np.minimum(cap[insp[used]], deg[used]).sum())
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
    r, c, p = _edges(ph, ks)
    need = np.array([ph.need[k] for k in ks], dtype=np.int64)
    w = _flow_witness(ph, ks, r, c, need, None) or _period_witness(ph, ks, r, c, need)
    if w is not None:
        return w
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
    w = _requirement_witness(ph, r, c, bits_of_edge, req_names)
    if w is not None:
        return w
    return _program(ph, ks, (r, c, p), need, bits_of_edge, req_names)


def _period_witness(
    ph: Phase, ks: list[int], r: IntArray, c: IntArray, need: IntArray
) -> Witness | None:
    """The Hall check within each period: its visits against what the period limits
    leave (requirement ``"period <name>"``)."""
    if ph.period_cap is None or ph.vperiod is None:
        return None
    demand = dict(zip(ks, need.tolist(), strict=True))
    for per, name in enumerate(ph.period_names):
        sub = [k for k in ks if ph.vperiod[k] == per]
        sel = np.isin(r, sub)
        places = np.array([demand[k] for k in sub], dtype=np.int64)
        cap = np.minimum(ph.cap, ph.period_cap[per])
        w = _flow_witness(ph, sub, r[sel], c[sel], places, None, cap)
        if w is not None:
            return attrs.evolve(w, requirement=f"period {name}")
    return None


def _requirement_witness(
    ph: Phase,
    r: IntArray,
    c: IntArray,
    bits_of_edge: IntArray,
    req_names: dict[str, list[tuple[int, int]]],
) -> Witness | None:
    """One flow per requirement: the visits needing it, each needs one holder."""
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
        demand = np.array([ph.holders(k, b) for k, b in vk], dtype=np.int64)
        w = _flow_witness(ph, sub, r[sel], c[sel], demand, name)
        if w is not None:
            return w
    return None


def _program(
    ph: Phase,
    ks: list[int],
    edges: tuple[IntArray, IntArray, IntArray],
    need: IntArray,
    bits_of_edge: IntArray,
    req_names: dict[str, list[tuple[int, int]]],
) -> dict[int, list[int]] | Witness:
    """The integer program over the eligible edges ``(visit, pool index, position)``.

    One 0/1 variable per edge; rows: each visit gets exactly its places, each of its
    requirements its holders (one, or the visit's count), each inspector at most its
    capacity (an edge weighs the load of its visit), and each apart pair at most one of
    the two on a team. Objective: the pair tickets.
    """
    # imported here: the exact fallback is rare, and scipy.optimize costs import time
    from scipy.optimize import Bounds, LinearConstraint, milp

    # Legend: edge e joins visit r[e] to pool index c[e] (position p[e] among the visit's
    # candidates); rows_l/cols_l the nonzero entries of the constraint matrix A row by row,
    # lb/ub each row's bounds; cost the pair tickets scaled below 1.
    r, c, p = edges
    vloc = {k: j for j, k in enumerate(ks)}
    ne = len(r)
    insp, ic = np.unique(c, return_inverse=True)
    rows_l: list[IntArray] = [np.array([vloc[int(k)] for k in r], dtype=np.int64)]
    cols_l: list[IntArray] = [np.arange(ne)]
    vals_l: list[IntArray] = [np.ones(ne, dtype=np.int64)]
    lb: list[float] = list(need.astype(float))
    ub: list[float] = list(need.astype(float))

    def add_row(cols: IntArray, low: float, high: float, vals: IntArray | None = None) -> None:
        rows_l.append(np.full(cols.size, len(lb), dtype=np.int64))
        cols_l.append(cols)
        vals_l.append(np.ones(cols.size, dtype=np.int64) if vals is None else vals)
        lb.append(low)
        ub.append(high)

    for name in sorted(req_names):
        for k, b in req_names[name]:
            holders = np.flatnonzero((r == k) & ((bits_of_edge >> b) & 1 == 1))
            add_row(holders, float(ph.holders(k, b)), np.inf)
    rows_l.append(len(lb) + ic)  # one row per inspector: at most its capacity
    cols_l.append(np.arange(ne))
    vals_l.append(np.ones(ne, dtype=np.int64) if ph.weight is None else ph.weight[r])
    lb += [0.0] * len(insp)
    ub += [float(min(int(x), _UNLIMITED)) for x in ph.cap[insp]]
    for cols, high, vals in _period_rows(ph, r, c):  # per inspector and period
        add_row(cols, 0.0, high, vals)
    # two who may not serve together: at most one of them on each team
    for e1, e2 in _apart_edges(ph, r, c):
        add_row(np.array([e1, e2], dtype=np.int64), 0.0, 1.0)
    A = sp.csr_matrix(
        (np.concatenate(vals_l).astype(float), (np.concatenate(rows_l), np.concatenate(cols_l))),
        shape=(len(lb), ne),
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
    out: dict[int, list[int]] = {k: [] for k in ks}
    for edge in np.flatnonzero(np.asarray(res.x) > 0.5):
        out[int(r[edge])].append(int(c[edge]))
    return out


def _period_rows(
    ph: Phase, r: IntArray, c: IntArray
) -> list[tuple[IntArray, float, IntArray | None]]:
    """Rows of the program per (inspector, period): its edges on the visits of that
    period, their loads, and at most what the period limit leaves."""
    if ph.period_cap is None or ph.vperiod is None:
        return []
    pe = ph.vperiod[r]
    out = []
    for i, per in sorted({(int(i), int(q)) for i, q in zip(c, pe, strict=True) if q >= 0}):
        cols = np.flatnonzero((c == i) & (pe == per))
        w = None if ph.weight is None else ph.weight[r[cols]]
        out.append((cols, float(min(int(ph.period_cap[per, i]), _UNLIMITED)), w))
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
