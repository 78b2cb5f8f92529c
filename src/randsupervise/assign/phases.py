"""Building a phase: one role's assignment problem as arrays for the engine.

Invariants: a :class:`~randsupervise.assign._phase.Phase` built here lists, for every
visit, exactly the inspectors who may take a place of that role: available, of the role
(certified officers counting toward the quota, or experts), serving the visit's region,
of one of its departments (officers) or holding its expert tags (experts); and, as
exclusions, the pairs barred by recusal or rotation (回避、轮换), by a date (an expired
certificate, a day off), by an apart pair with a member kept on the team, or by being
kept on the team already. Members kept by a replacement cover their requirement bits and
take their places. The pair tickets are those of ``stream + "/" + role``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import attrs
import numpy as np

from randsupervise.assign._phase import Phase, build_ticket_keys
from randsupervise.assign.problem import AssignmentProblem
from randsupervise.assign.requests import UNIT_SEPARATOR, VisitRequest
from randsupervise.model.inspectors import Inspector
from randsupervise.tickets.fingerprint import fingerprints
from randsupervise.tickets.seed import Seed

__all__ = ["Draw", "Keep", "Members"]

#: Visit id -> the members a team keeps (a replacement keeps the members still available).
Members = Mapping[str, tuple[str, ...]]


@attrs.frozen
class Draw:
    """What one draw's phases share: the problem, the seed and stream, and a memo of what
    is computed once per problem (used only when the visits are all the problem's)."""

    problem: AssignmentProblem
    seed: Seed
    stream: str
    memo: dict[str, Any] | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Keep:
    """What a replacement keeps: the officers and experts of the affected teams still on
    them, and the visits every inspector serves on the teams not affected."""

    officers: Members = attrs.field(factory=dict)
    experts: Members = attrs.field(factory=dict)
    used: Mapping[str, int] = attrs.field(factory=dict)
    period_used: Mapping[tuple[str, str], int] = attrs.field(factory=dict)


def _apart_index(
    apart: frozenset[tuple[str, str]], index: Mapping[str, int]
) -> dict[int, np.ndarray]:
    """Pool index -> sorted pool indices of those who may not serve with them."""
    out: dict[int, set[int]] = {}
    for a, b in apart:
        i, j = index.get(a), index.get(b)
        if i is not None and j is not None:
            out.setdefault(i, set()).add(j)
            out.setdefault(j, set()).add(i)
    return {i: np.array(sorted(js), dtype=np.int64) for i, js in out.items()}


def _serves(problem: AssignmentProblem, regions: Sequence[str]) -> np.ndarray:
    """``out[r, i]``: inspector ``i`` of the pool may serve a target in ``regions[r]``."""
    rule = problem.region_rule
    sets: dict[frozenset[str], int] = {}
    inv = np.array([sets.setdefault(p.regions, len(sets)) for p in problem.pool], dtype=np.int64)
    out = np.zeros((len(regions), len(problem.pool)), dtype=bool)
    for r, region in enumerate(regions):
        ok = np.array([rule.may_serve(s, region) for s in sets], dtype=bool)
        out[r] = ok[inv] if inv.size else out[r]
    return out


def _forbidden_pairs(
    problem: AssignmentProblem, index: Mapping[str, int], tindex: Mapping[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """(pool index, target index) of every conflict or rotation pair that can matter."""
    pairs = problem.conflicts | problem.rotation
    if not pairs:
        e = np.zeros(0, dtype=np.int64)
        return e, e
    insp, targets = zip(*pairs, strict=True)
    ii = np.array([index.get(x, -1) for x in insp], dtype=np.int64)
    tt = np.array([tindex.get(x, -1) for x in targets], dtype=np.int64)
    keep = (ii >= 0) & (tt >= 0)
    return ii[keep], tt[keep]


def _targets(
    problem: AssignmentProblem,
    visits: Sequence[VisitRequest],
    index: Mapping[str, int],
    memo: dict[str, Any] | None,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], int]:
    """(target index per visit, forbidden (pool index, target index) pairs, number of
    targets); kept in ``memo`` when ``visits`` are all the problem's visits."""
    whole = memo is not None and visits is problem.visits
    if whole and memo is not None and "targets" in memo:
        return cast(tuple[np.ndarray, tuple[np.ndarray, np.ndarray], int], memo["targets"])
    tindex: dict[str, int] = {}
    tgt = np.array([tindex.setdefault(v.target, len(tindex)) for v in visits], dtype=np.int64)
    out = (tgt, _forbidden_pairs(problem, index, tindex), max(len(tindex), 1))
    if whole and memo is not None:
        memo["targets"] = out
    return out


@attrs.define
class _People:
    """Facts about the pool read by every class: ids, departments, and tag holders."""

    people: tuple[Inspector, ...]
    index: dict[str, int]
    dix: dict[str, int]
    dept_of: np.ndarray
    tags: dict[str, np.ndarray] = attrs.field(factory=dict)

    @classmethod
    def of(cls, people: tuple[Inspector, ...]) -> _People:
        dix = {d: i for i, d in enumerate(sorted({p.department for p in people}))}
        dept_of = np.array([dix[p.department] for p in people], dtype=np.int64)
        return cls(people, {p.id: i for i, p in enumerate(people)}, dix, dept_of)

    def holds(self, tag: str) -> np.ndarray:
        """``out[i]``: inspector ``i`` holds ``tag`` (a qualification or expertise)."""
        h = self.tags.get(tag)
        if h is None:
            h = np.array([tag in p.tags for p in self.people], dtype=bool)
            self.tags[tag] = h
        return h


def _visit_keys(
    draw: Draw, visits: Sequence[VisitRequest], officers: bool, fixed: Members
) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """(key id per visit, the distinct keys): (region, departments, qualifications) for
    officers, (region, expert tags) for experts."""
    kid: dict[tuple[Any, ...], int] = {}
    # the key tuples die at once unless new, so they add nothing for the garbage collector
    vk = np.array(
        [kid.setdefault((v.region, v.departments, v.qualifications), len(kid)) for v in visits]
        if officers
        else [kid.setdefault((v.region, v.expert_tags), len(kid)) for v in visits],
        dtype=np.int64,
    )
    if draw.memo is not None and officers and not fixed and visits is draw.problem.visits:
        draw.memo["visit_keys"] = (vk, list(kid))  # (region, departments, qualifications) ids
    return vk, list(kid)


def _requirement_bits(key: tuple[Any, ...], officers: bool) -> tuple[tuple[Any, ...], list[str]]:
    """(candidate class key, requirement bit names) of a visit key: a joint visit needs
    one officer of each department, and every qualification needs a holder."""
    if not officers:
        return (key[0], tuple(sorted(key[1]))), []
    vdepts, quals = key[1], key[2]
    bits = [f"department:{d}" for d in sorted(vdepts)] if len(vdepts) >= 2 else []
    return (key[0], tuple(sorted(vdepts))), bits + [f"qualification:{q}" for q in sorted(quals)]


def _mask(ph: Phase, who: _People, c: int, bits: list[str]) -> np.ndarray:
    """One uint64 per candidate of class ``c``: bit ``b`` set when it meets ``bits[b]``."""
    C = ph.cands[c]
    mask = np.zeros(len(C), dtype=np.uint64)
    for b, name in enumerate(bits):
        kind, value = name.split(":", 1)
        dept = kind == "department"
        has = who.dept_of[C] == who.dix.get(value, -1) if dept else who.holds(value)[C]
        mask |= has.astype(np.uint64) << np.uint64(b)
    return mask


def _classes(
    ph: Phase, who: _People, keys: list[tuple[Any, ...]], eligible: Callable[..., np.ndarray]
) -> tuple[list[int], list[int], list[int]]:
    """Candidate class, mask id and requirement bits ``U`` of every visit key; fills
    ``ph.cands``, ``ph.masks`` and ``ph.bitnames``. ``eligible(key)``: who may serve."""
    officers = ph.role == "officers"
    classes: dict[tuple[Any, ...], int] = {}
    mask_ids: dict[tuple[Any, ...], int] = {}
    k_cls, k_mask, k_U = [], [], []
    for key in keys:
        ckey, bits = _requirement_bits(key, officers)
        c = classes.get(ckey)
        if c is None:
            c = classes[ckey] = len(ph.cands)
            ph.cands.append(np.flatnonzero(eligible(key)).astype(np.int64))
        mkey = (c, tuple(bits))
        m = mask_ids.get(mkey)
        if m is None:
            m = mask_ids[mkey] = len(ph.masks)
            ph.masks.append(_mask(ph, who, c, bits))
            ph.bitnames.append(tuple(bits))
        k_cls.append(c)
        k_mask.append(m)
        k_U.append((1 << len(bits)) - 1)
    return k_cls, k_mask, k_U


def _eligible(
    draw: Draw, who: _People, officers: bool, keys: list[tuple[Any, ...]]
) -> Callable[..., np.ndarray]:
    """``eligible(key)``: available, of the role, serving the key's region, and of one of
    its departments (officers) or holding its expert tags (experts)."""
    role_ok = np.array(
        [p.available and (p.counts_toward_quota if officers else p.expert) for p in who.people],
        dtype=bool,
    )
    regions = sorted({k[0] for k in keys})
    serves = _serves(draw.problem, regions)
    rix = {r: i for i, r in enumerate(regions)}

    def eligible(key: tuple[Any, ...]) -> np.ndarray:
        ok: np.ndarray = role_ok & serves[rix[key[0]]]
        if officers:
            ok &= np.isin(who.dept_of, [who.dix[d] for d in key[1] if d in who.dix])
        else:
            for tag in key[1]:
                ok &= who.holds(tag)
        return ok

    return eligible


def _keep_members(
    ph: Phase, who: _People, visits: Sequence[VisitRequest], fixed: Members
) -> tuple[list[int], list[int]]:
    """Members kept from a team (replacement) cover their bits and take their places
    (``ph.U0`` and ``ph.need`` updated); returns them as exclusions (visit, pool index)."""
    ex_k: list[int] = []
    ex_i: list[int] = []
    for k, v in enumerate(visits):
        kept = fixed.get(v.id, ())
        if not kept:
            continue
        bits_t = ph.bitnames[int(ph.maskid[k])]
        U = int(ph.U0[k])
        for member in kept:
            p = who.people[who.index[member]]
            ex_k.append(k)
            ex_i.append(who.index[member])
            for b, name in enumerate(bits_t):
                kind, value = name.split(":", 1)
                if (p.department == value) if kind == "department" else (value in p.tags):
                    U &= ~(1 << b)
        ph.U0[k] = U
        ph.need[k] = max(int(ph.need[k]) - len(kept), 0)
    return ex_k, ex_i


def _apart_exclusions(
    ph: Phase,
    problem: AssignmentProblem,
    index: Mapping[str, int],
    visits: Sequence[VisitRequest],
    fixed: Members,
) -> tuple[list[int], list[int]]:
    """Sets ``ph.apart`` and ``ph.links``; returns (visit, pool index) exclusions: a kept
    member's apart partners leave the whole team."""
    ex_k: list[int] = []
    ex_i: list[int] = []
    ph.apart = _apart_index(problem.apart, index)
    # the parts of one joint visit are one team: pairs hold across them
    team_of: dict[str, list[int]] = {}
    for k, v in enumerate(visits):
        team_of.setdefault(v.id.split(UNIT_SEPARATOR, 1)[0], []).append(k)
    ph.links = [(ks[0], k) for ks in team_of.values() for k in ks[1:]]
    for ks in team_of.values():
        for member in (m for k in ks for m in fixed.get(visits[k].id, ())):
            for j in ph.apart.get(index[member], np.zeros(0, dtype=np.int64)).tolist():
                ex_k += ks
                ex_i += [j] * len(ks)
    return ex_k, ex_i


def _set_exclusions(
    ph: Phase,
    forb: tuple[np.ndarray, np.ndarray],
    tgt: np.ndarray,
    ex_k: list[int],
    ex_i: list[int],
) -> None:
    """``ph.excl_ptr`` and ``ph.excl_pos``: the forbidden (inspector, target) pairs
    expanded to the target's visits, with the (visit, pool index) pairs ``ex_k, ex_i``,
    as positions in each visit's candidate array (sorted, duplicates merged)."""
    # Legend: fi_, ft_ pool and target index of each forbidden pair; by_t the visits
    # sorted by target, ts their targets; lo, hi, cnt each pair's run of visits in ts;
    # ek, ei (visit, pool index) of every exclusion; ckeys the class-major keys
    # c * P + pool index of every candidate, coff where class c's candidates start.
    P, nV, cls = len(ph.ids), len(ph.visit_ids), ph.cls
    fi_, ft_ = forb
    by_t = np.argsort(tgt, kind="stable")
    ts = tgt[by_t]
    lo = np.searchsorted(ts, ft_, side="left")
    hi = np.searchsorted(ts, ft_, side="right")
    cnt = hi - lo
    start = np.repeat(lo - np.cumsum(np.r_[0, cnt[:-1]]), cnt) if cnt.size else cnt
    ek = by_t[np.arange(int(cnt.sum())) + start] if cnt.size else cnt
    ei = np.repeat(fi_, cnt)
    ek = np.concatenate([ek, np.array(ex_k, dtype=np.int64)])
    ei = np.concatenate([ei, np.array(ex_i, dtype=np.int64)])
    lens = np.array([C.size for C in ph.cands], dtype=np.int64)
    coff = np.r_[0, np.cumsum(lens)]
    # class-major keys c * P + inspector are sorted, since each candidate array is sorted
    ckeys = (
        np.repeat(np.arange(len(ph.cands), dtype=np.int64), lens) * P + np.concatenate(ph.cands)
        if ph.cands
        else np.zeros(0, dtype=np.int64)
    )
    q = cls[ek] * P + ei
    at = np.searchsorted(ckeys, q)
    found = at < ckeys.size
    found[found] = ckeys[at[found]] == q[found]
    ek, epos = ek[found], at[found] - coff[cls[ek[found]]]
    width = max(int(lens.max()) if lens.size else 1, 1)
    pairs = np.unique(ek * width + epos)  # sorted by visit, then position; duplicates merged
    ek, epos = pairs // width, pairs % width
    ph.excl_ptr = np.searchsorted(ek, np.arange(nV + 1))
    ph.excl_pos = epos


def _set_tickets(ph: Phase, fv: np.ndarray, seed: Seed, sub: str) -> None:
    """``ph.trow``, ``ph.tix`` and ``ph.tix_flat``: pair tickets under the stream ``sub``,
    one block per class (rows: the class's visits in visit order) in one flat buffer."""
    nV, cls = len(ph.visit_ids), ph.cls
    lens = np.array([C.size for C in ph.cands], dtype=np.int64)
    # pair tickets, one block per class (rows: the class's visits in visit order)
    by_c = np.argsort(cls, kind="stable")
    cstart = np.searchsorted(cls[by_c], np.arange(len(ph.cands) + 1))
    trow = np.empty(nV, dtype=np.int64)
    trow[by_c] = np.arange(nV) - np.repeat(cstart[:-1], np.diff(cstart))
    ph.trow = trow
    fi = fingerprints(ph.ids)
    # one buffer for all classes (the greedy reads it flat), class blocks in class order
    sizes = np.diff(cstart) * lens
    toff = np.r_[0, np.cumsum(sizes)]
    flat = np.zeros(int(toff[-1]) + 1, dtype=np.int64)
    for c in range(len(ph.cands)):
        rows = by_c[cstart[c] : cstart[c + 1]]
        block = flat[toff[c] : toff[c + 1]].reshape(rows.size, lens[c])
        block[...] = build_ticket_keys(fv[rows], fi[ph.cands[c]], seed, sub)
        ph.tix.append(block)
    ph.tix_flat = flat


def _build_phase(
    role: str,
    draw: Draw,
    visits: Sequence[VisitRequest],
    fixed: Members,
    cap: np.ndarray,
    fv: np.ndarray,
    forb: tuple[np.ndarray, np.ndarray],
    tgt: np.ndarray,
) -> Phase:
    """The phase of one role: visit classes, candidates, requirement masks, exclusions and
    pair tickets, built with one pass over the visits and numpy over the rest."""
    problem = draw.problem
    who = _People.of(problem.pool.inspectors)
    officers = role == "officers"
    ph = Phase(role, problem.pool.ids, cap)
    ph.visit_ids = [v.id for v in visits]
    nV = len(visits)
    vk, keys = _visit_keys(draw, visits, officers, fixed)
    k_cls, k_mask, k_U = _classes(ph, who, keys, _eligible(draw, who, officers, keys))
    ph.cls = np.array(k_cls, dtype=np.int64)[vk] if nV else np.zeros(0, dtype=np.int64)
    ph.maskid = np.array(k_mask, dtype=np.int64)[vk] if nV else ph.cls.copy()
    ph.U0 = np.array(k_U, dtype=np.int64)[vk] if nV else ph.cls.copy()
    ph.need = np.array([v.team_size if officers else v.experts for v in visits], dtype=np.int64)
    ex_k, ex_i = _keep_members(ph, who, visits, fixed)
    if officers and problem.apart:
        more_k, more_i = _apart_exclusions(ph, problem, who.index, visits, fixed)
        ex_k += more_k
        ex_i += more_i
    # certificates expired and unavailable days, for dated visits
    for k, member in problem.date_excluded(visits, role):
        j = who.index.get(member)
        if j is not None:
            ex_k.append(k)
            ex_i.append(j)
    _set_exclusions(ph, forb, tgt, ex_k, ex_i)
    _set_tickets(ph, fv, draw.seed, f"{draw.stream}/{role}")
    ph.weight = _load_weights(problem, visits)
    if officers:
        ph.counts = _holder_counts(ph, visits)
    return ph


def _period_caps(
    problem: AssignmentProblem, visits: Sequence[VisitRequest], keep: Keep
) -> tuple[np.ndarray, np.ndarray, list[str]] | None:
    """The period index of each visit (-1: none), per period and inspector the load left
    within ``period_limits`` (less what ``keep`` uses), and the periods' names; ``None``
    without limits."""
    labels = [v.period_label() for v in visits]
    names = sorted({x for x in labels if x is not None})
    if problem.period_limits is None or not names:
        return None
    ids = problem.pool.ids
    limit = [problem.limit_of(i, "period_limits") for i in ids]
    vp = np.array([-1 if x is None else names.index(x) for x in labels], dtype=np.int64)
    pc = np.array(
        [[max(n - keep.period_used.get((i, p), 0), 0) for i, n in zip(ids, limit, strict=True)]
         for p in names],
        dtype=np.int64,
    )  # fmt: skip
    return vp, pc, names


def _holder_counts(ph: Phase, visits: Sequence[VisitRequest]) -> dict[int, dict[int, int]]:
    """Visit position -> {requirement bit: holders needed}, for counts above 1."""
    out: dict[int, dict[int, int]] = {}
    for k, v in enumerate(visits):
        names = ph.bitnames[int(ph.maskid[k])] if v.qualification_counts else ()
        for q, n in v.qualification_counts:
            if n > 1:
                out.setdefault(k, {})[names.index(f"qualification:{q}")] = n
    return out


def _load_weights(problem: AssignmentProblem, visits: Sequence[VisitRequest]) -> np.ndarray | None:
    """The load each member of each of ``visits`` carries (:meth:`AssignmentProblem.load_of`;
    a department's part of a joint visit carries the visit's), or ``None`` when every visit
    carries 1."""
    if problem.joint_load == 1 or not any(v.is_joint for v in problem.visits):
        return None
    by_id = {v.id: v for v in problem.visits}
    w = np.array(
        [problem.load_of(by_id.get(v.id) or by_id[v.id.split(UNIT_SEPARATOR, 1)[0]])
         for v in visits],
        dtype=np.int64,
    )  # fmt: skip
    return None if (w == 1).all() else w
