"""Teams for a list of visits: the order, both roles' phases, and the joint visits' parts.

Invariants: visits are processed in ascending ``(ticket(seed, stream + "/order", visit
id), visit id)``; the officers' phase runs first, then the experts' phase over the visits
with expert places, each on the capacity left by the load limits (minus what the teams
not being drawn already use). The members a replacement keeps stay on their teams. An
infeasible phase raises :class:`~randsupervise.errors.InfeasibleAssignment` with the
engine's :class:`~randsupervise.assign.witness.Witness`. Each team's officers and experts
are in id order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import attrs
import numpy as np

from randsupervise._core.canonical import keep_text
from randsupervise._core.frozen import FrozenList
from randsupervise.assign._solver import _Infeasible, solve_phase
from randsupervise.assign.parts import _draw_leaders, _join_parts, _named_parts, _split_parts
from randsupervise.assign.phases import Draw, Keep, Members, _build_phase, _period_caps, _targets
from randsupervise.assign.requests import VisitRequest
from randsupervise.assign.team import Team, frozen_record
from randsupervise.assign.witness import Witness
from randsupervise.errors import InfeasibleAssignment
from randsupervise.tickets.fingerprint import fingerprints
from randsupervise.tickets.function import tickets

__all__: list[str] = []

#: (teams, the teams' receipt records, frozen, with their canonical text written once
#: (:func:`~randsupervise._core.canonical.keep_text`: ids and department names are
#: strings), whether the exact fallback ran)
Solved = tuple[list[Team], FrozenList, bool]


def _solve(draw: Draw, visits: Sequence[VisitRequest], keep: Keep) -> Solved:
    """Teams for ``visits`` (in the given order of ids), keeping ``keep``'s members; also
    the teams' receipt records.

    A joint visit staffed per department is solved as one part per department
    (:mod:`randsupervise.assign.parts`); the parts are joined into the visit's team
    afterwards, and a witness names the visit and department.
    """
    if not any(v.per_department or v.leader for v in visits):
        teams, fallback = _solve_units(draw, visits, keep)
        return teams, keep_text(FrozenList(map(frozen_record, teams))), fallback
    units, keep_units = _split_parts(draw, visits, keep)
    try:
        teams, fallback = _solve_units(attrs.evolve(draw, memo=None), units, keep_units)
    except InfeasibleAssignment as exc:
        w = _named_parts(cast(Witness, exc.witness))
        raise InfeasibleAssignment(f"no lawful assignment: {w}", witness=w) from None
    joined = _draw_leaders(draw, visits, _join_parts(visits, teams))
    records = FrozenList(map(frozen_record, joined))
    # department names are the records' keys: below U+D800, their order is RFC 8785's
    if all(c < "\ud800" for v in visits for d in v.departments for c in d):
        keep_text(records)
    return joined, records, fallback


def _solve_units(draw: Draw, visits: Sequence[VisitRequest], keep: Keep) -> tuple[list[Team], bool]:
    """:func:`_solve` for requests that are each one requirement group, without the
    receipt records."""
    problem = draw.problem
    ids = problem.pool.ids
    cap = np.array([max(problem.limit_of(i) - keep.used.get(i, 0), 0) for i in ids], dtype=np.int64)
    vids = [v.id for v in visits]
    fv = fingerprints(vids)
    t = tickets(fv, draw.seed, f"{draw.stream}/order")
    # ties of 64-bit tickets are broken by id; visits are sorted by id already
    order = np.lexsort((np.arange(len(vids)), t)).astype(np.int64)
    index = {p: i for i, p in enumerate(ids)}
    tgt, forb, _ = _targets(problem, visits, index, draw.memo)
    fallback = False
    periods = _period_caps(problem, visits, keep)
    lists: dict[str, list[Sequence[str]]] = {}
    for role, fixed in (("officers", keep.officers), ("experts", keep.experts)):
        if role == "officers":
            ks = np.arange(len(visits), dtype=np.int64)
        else:  # only visits with expert places take part in the experts' phase
            ks = np.array(
                [k for k, v in enumerate(visits) if v.experts or (fixed and fixed.get(v.id))],
                dtype=np.int64,
            )
        full: list[Sequence[str]] = [()] * len(visits) if ks.size < len(visits) else []
        if ks.size:
            rank = np.full(len(visits), -1, dtype=np.int64)
            rank[ks] = np.arange(ks.size)
            sub_order = rank[order]
            phase_args = (cap, fv[ks], forb, tgt[ks])
            got, fb = _solve_role(role, draw, visits, ks, fixed, phase_args, sub_order, periods)
            fallback |= fb
            if full:
                for r, k in enumerate(ks.tolist()):
                    full[k] = got[r]
            else:
                full = list(got)
        lists[role] = full
    teams = [
        Team(visit=v, officers=tuple(o), experts=tuple(e))
        for v, o, e in zip(vids, lists["officers"], lists["experts"], strict=True)
    ]
    return teams, fallback


def _solve_role(
    role: str,
    draw: Draw,
    visits: Sequence[VisitRequest],
    ks: np.ndarray,
    fixed: Members,
    phase_args: tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray], np.ndarray],
    sub_order: np.ndarray,
    periods: tuple[np.ndarray, np.ndarray, list[str]] | None = None,
) -> tuple[list[list[str]], bool]:
    """The members (ids, sorted) of one role for the visits ``ks``, in the order of ``ks``,
    and whether the exact fallback ran. ``sub_order`` ranks the visits in processing
    order (``-1`` for those not in ``ks``)."""
    ids = draw.problem.pool.ids
    P = len(ids)
    names = np.array((*ids, ""), dtype=object)  # index P (padding) names nobody
    sub_visits = visits if ks.size == len(visits) else [visits[k] for k in ks.tolist()]
    ph = _build_phase(role, draw, sub_visits, fixed, *phase_args)
    if periods is not None:
        ph.vperiod, ph.period_cap, ph.period_names = periods[0][ks], periods[1], periods[2]
    try:
        mat, fb = solve_phase(ph, sub_order[sub_order >= 0])
    except _Infeasible as exc:
        w = exc.witness
        raise InfeasibleAssignment(f"no lawful assignment: {w}", witness=w) from None
    mat = np.where(mat < 0, P, mat)
    mat.sort(axis=1)  # pool order is id order; padding (P) sorts last
    got: list[list[str]] = names[mat].tolist()
    if not (ph.need == mat.shape[1]).all():
        got = [row[:n] for row, n in zip(got, ph.need.tolist(), strict=True)]
    if fixed:
        got = [
            sorted(fixed.get(v.id, ()) + tuple(row)) for v, row in zip(sub_visits, got, strict=True)
        ]
    return got, fb
