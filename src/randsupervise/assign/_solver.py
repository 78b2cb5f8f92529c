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
* **Greedy pick** (``_greedy``). A team is filled place by place; each place goes to
  the available candidate with the smallest key ``(load << 40) | (pair ticket >> 24)`` (ties: lower
  position in id order) among the candidates *with which the team can still be
  completed* (an exact set-cover look-ahead over the candidates' requirement masks). So
  the greedy never builds a half team that cannot be finished, and it fails on a visit
  only when the capacity left cannot staff it. There is one greedy (:func:`_fill`) and
  one look-ahead (:class:`_LookAhead`); the look-ahead caches its answers under the
  whole state they depend on, so what one visit learns never decides another's team
  unless their states are equal.
* **Exact fallback** (``_exact``). When the greedy leaves a visit unstaffed, the
  connected groups of the eligibility graph that contain such visits are solved again
  exactly: per-visit checks, a maximum flow (Hall check), per-requirement flows, then
  an integer program (HiGHS via ``scipy.optimize.milp``) whose objective is the pair
  tickets, solved with no relative optimality gap. Infeasibility is reported only from
  these exact checks, never from the greedy.
* **Side by side.** Visits in different connected components of the eligibility graph
  share no inspector, so the greedy takes the ``t``-th visit of every component in one
  batch of numpy operations (a batch of one visit when components are few); the teams
  are exactly those of the one-by-one order.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from randsupervise.assign._exact import _clash, _edges, _exact, _static_reason
from randsupervise.assign._greedy import _greedy
from randsupervise.assign._phase import (
    _UNLIMITED as _UNLIMITED,
)
from randsupervise.assign._phase import (
    PAIR_SALT,
    IntArray,
    Phase,
    _Infeasible,
    build_ticket_keys,
    build_tickets,
    pair_fingerprints,
)
from randsupervise.assign.witness import Witness

__all__ = [
    "PAIR_SALT",
    "Phase",
    "_Infeasible",
    "build_ticket_keys",
    "build_tickets",
    "pair_fingerprints",
    "solve_phase",
]


def solve_phase(ph: Phase, order: IntArray) -> tuple[IntArray, bool]:
    """Staff every visit of ``ph``; returns (teams as pool indices, fallback used).

    ``teams[k, :need[k]]`` are the pool indices of visit ``k`` (in pick order), ``-1``
    beyond.

    Raises:
        _Infeasible: wrapped by the caller into ``InfeasibleAssignment``.
    """
    if not ph.exact_only:
        teams, ok = _greedy(ph, order)
    else:  # the greedy counts visits and covers each requirement once: solve exactly
        teams = np.full((len(ph.visit_ids), max(int(ph.need.max(initial=1)), 1)), -1, np.int64)
        ok = ph.need == 0
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
    # the connected groups holding a failed visit: nodes 0..nV-1 are visits, nV.. pool
    # indices; an edge per eligible pair (r[e], c[e]) and per pair of linked parts
    ks_all = np.flatnonzero(ph.need > 0).tolist()
    r, c, _ = _edges(ph, ks_all)
    nV, P = len(ph.visit_ids), len(ph.ids)
    linked = np.array(ph.links, dtype=np.int64).reshape(-1, 2)
    g = sp.csr_matrix(
        (np.ones(len(r) + len(linked)), (np.r_[r, linked[:, 0]], np.r_[nV + c, linked[:, 1]])),
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
