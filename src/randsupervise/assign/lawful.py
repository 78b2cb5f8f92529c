"""The lawfulness rules a set of teams must follow, as one table (:data:`RULES`).

Invariant: :func:`_lawful_problems` is empty exactly when every rule of :data:`RULES`
holds; it is run on every output of the engine before it is returned (:func:`_checked`),
so an unlawful team is a bug, never a result. Each rule names its source; the table is
the one place a rule is written (``docs/assign.md`` lists the same rules for readers).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain
from typing import Any

import attrs
import numpy as np

from randsupervise.assign.phases import _serves, _targets
from randsupervise.assign.problem import AssignmentProblem
from randsupervise.assign.requests import VisitRequest, _cached_parts
from randsupervise.assign.team import Team, period_loads

__all__ = ["RULES", "Rule"]

#: The parts of a joint visit staffed per department, each (department, size, tags it
#: must hold); empty for other visits.
Parts = tuple[tuple[str, int, frozenset[str]], ...]


@attrs.define
class _Teams:
    """The teams under check, with the member arrays the numpy screen and the load rule
    share (computed once, by :func:`_members`)."""

    problem: AssignmentProblem
    teams: Sequence[Team]
    memo: dict[str, Any] | None
    arrays: dict[str, np.ndarray] = attrs.field(factory=dict)


@attrs.frozen
class Rule:
    """One lawfulness rule: its name, its source, and the check returning what breaks it."""

    name: str
    source: str
    check: Callable[[_Teams], list[str]]


def _bit_rows(keys: Sequence[Iterable[str]], bit: Mapping[str, int], nw: int) -> np.ndarray:
    """One row of ``nw`` uint64 words per key: bit ``bit[x]`` set for each member ``x``."""
    rows: dict[Any, int] = {}
    inv = np.array([rows.setdefault(k, len(rows)) for k in keys], dtype=np.int64)
    table = np.zeros((max(len(rows), 1), nw), dtype=np.uint64)
    for k, r in rows.items():
        for x in k:
            b = bit.get(x)
            if b is not None:
                table[r, b >> 6] |= np.uint64(1) << np.uint64(b & 63)
    return table[inv] if inv.size else np.zeros((0, nw), dtype=np.uint64)


def _members(ctx: _Teams) -> dict[str, np.ndarray]:
    """Member arrays: ``oi``/``ei`` pool index of each officer/expert (``P`` for an id not
    in the pool), ``ot``/``et`` its team, ``ocnt``/``ecnt`` per team, ``tv`` the visit
    position of each team."""
    if ctx.arrays:
        return ctx.arrays
    visits, teams = ctx.problem.visits, ctx.teams
    people = ctx.problem.pool.inspectors
    P, nT = len(people), len(teams)
    tvis = [t.visit for t in teams]
    if tvis == [v.id for v in visits]:  # the usual case: one team per visit, in id order
        tv = np.arange(nT, dtype=np.int64)
    else:
        vindex = {v.id: k for k, v in enumerate(visits)}
        tv = np.array([vindex[x] for x in tvis], dtype=np.int64)
    index = {p.id: i for i, p in enumerate(people)}
    ocnt = np.array([len(t.officers) for t in teams], dtype=np.int64)
    ecnt = np.array([len(t.experts) for t in teams], dtype=np.int64)
    oi = np.array([index.get(m, P) for m in chain.from_iterable(t.officers for t in teams)])
    ei = np.array([index.get(m, P) for m in chain.from_iterable(t.experts for t in teams)])
    ctx.arrays.update(
        tv=tv,
        ocnt=ocnt,
        ecnt=ecnt,
        oi=oi.astype(np.int64),
        ei=ei.astype(np.int64),
        ot=np.repeat(np.arange(nT, dtype=np.int64), ocnt),
        et=np.repeat(np.arange(nT, dtype=np.int64), ecnt),
    )
    return ctx.arrays


def _requirement_bits(ctx: _Teams) -> dict[str, np.ndarray]:
    """Per visit and per inspector, as bit rows: departments (``vd``, ``idept``),
    qualifications and tags (``vq``, ``ve`` for experts, ``itag``); the visit's region
    (``vreg``) and who serves it (``serves``); index ``P`` stands for an unknown id."""
    problem, memo = ctx.problem, ctx.memo
    visits, people = problem.visits, problem.pool.inspectors
    # (region, departments, qualifications) per visit, as ids of the distinct triples
    hit = memo.get("visit_keys") if memo is not None else None
    if hit is None:
        kid: dict[tuple[Any, ...], int] = {}
        vk = np.array(
            [kid.setdefault((v.region, v.departments, v.qualifications), len(kid)) for v in visits],
            dtype=np.int64,
        )
        keys = list(kid)
    else:
        vk, keys = hit
    with_experts = [k for k, v in enumerate(visits) if v.experts > 0]
    ve_keys = [visits[k].expert_tags for k in with_experts]
    dept_bit = {d: b for b, d in enumerate(sorted({d for k in keys for d in k[1]}))}
    ndw = (len(dept_bit) >> 6) + 1
    tags = {q for k in keys for q in k[2]} | {q for e in ve_keys for q in e}
    tag_bit = {q: b for b, q in enumerate(sorted(tags))}
    ntw = (len(tag_bit) >> 6) + 1
    ve = np.zeros((len(visits), ntw), dtype=np.uint64)
    ve[with_experts] = _bit_rows(ve_keys, tag_bit, ntw)
    regions = sorted({k[0] for k in keys})
    rix = {r: i for i, r in enumerate(regions)}
    return {
        "vd": _bit_rows([k[1] for k in keys], dept_bit, ndw)[vk],
        "idept": _bit_rows([(p.department,) for p in people] + [()], dept_bit, ndw),
        "vq": _bit_rows([k[2] for k in keys], tag_bit, ntw)[vk],
        "ve": ve,
        "itag": _bit_rows([p.tags for p in people] + [()], tag_bit, ntw),
        "vreg": np.array([rix[k[0]] for k in keys], dtype=np.int64)[vk],
        "serves": np.concatenate([_serves(problem, regions), np.zeros((len(regions), 1), bool)], 1),
    }


def _screen(ctx: _Teams) -> np.ndarray:
    """``flagged[t]``: team ``t`` may break a rule of its own (sizes, distinct members,
    roles, availability, departments, qualifications, expert tags, regions, recusal and
    rotation); every team is screened at once with numpy."""
    problem, a = ctx.problem, _members(ctx)
    visits, people = problem.visits, problem.pool.inspectors
    tv, oi, ei, ot, et = a["tv"], a["oi"], a["ei"], a["ot"], a["et"]
    nT = len(ctx.teams)
    size = np.array([v.team_size for v in visits], dtype=np.int64)
    nexp = np.array([v.experts for v in visits], dtype=np.int64)
    flagged: np.ndarray = (a["ocnt"] != size[tv]) | (a["ecnt"] != nexp[tv])
    # members: distinct within a team (officers and experts together)
    am, at = np.concatenate([oi, ei]), np.concatenate([ot, et])
    srt = np.lexsort((am, at))
    dup = (at[srt][1:] == at[srt][:-1]) & (am[srt][1:] == am[srt][:-1])
    flagged[at[srt][1:][dup]] = True
    # per-inspector facts; index P stands for an id not in the pool and fails every test
    avail = np.array([p.available for p in people] + [False])
    quota = np.array([p.counts_toward_quota for p in people] + [False])
    expert = np.array([p.expert for p in people] + [False])
    b = _requirement_bits(ctx)
    index = {p.id: i for i, p in enumerate(people)}
    vtgt, (fi, ft), NT = _targets(problem, visits, index, ctx.memo)
    forb = np.unique(fi * NT + ft)
    ok_o = (
        avail[oi]
        & quota[oi]
        & (b["vd"][tv[ot]] & b["idept"][oi]).any(axis=1)
        & b["serves"][b["vreg"][tv[ot]], oi]
        & ~np.isin(oi * NT + vtgt[tv[ot]], forb)
    )
    ok_e = (
        avail[ei]
        & expert[ei]
        & ~(b["ve"][tv[et]] & ~b["itag"][ei]).any(axis=1)
        & b["serves"][b["vreg"][tv[et]], ei]
        & ~np.isin(ei * NT + vtgt[tv[et]], forb)
    )
    flagged[ot[~ok_o]] = True
    flagged[et[~ok_e]] = True
    # every department and qualification of the visit covered by the officers
    have_d = np.zeros((nT, b["vd"].shape[1]), dtype=np.uint64)
    have_q = np.zeros((nT, b["vq"].shape[1]), dtype=np.uint64)
    if nT and a["ocnt"].min() > 0:  # officers of a team are contiguous: reduce by segments
        starts = np.r_[0, np.cumsum(a["ocnt"])[:-1]]
        have_d = np.bitwise_or.reduceat(b["idept"][oi], starts, axis=0)
        have_q = np.bitwise_or.reduceat(b["itag"][oi], starts, axis=0)
    else:
        np.bitwise_or.at(have_d, ot, b["idept"][oi])
        np.bitwise_or.at(have_q, ot, b["itag"][oi])
    flagged |= (b["vd"][tv] & ~have_d).any(axis=1) | (b["vq"][tv] & ~have_q).any(axis=1)
    return flagged


def _team_rule(ctx: _Teams) -> list[str]:
    """The teams the screen flags, described one by one."""
    bad = np.flatnonzero(_screen(ctx)).tolist()
    out = _team_problems(ctx.problem, [ctx.teams[i] for i in bad])
    if bad and not out:  # pragma: no cover - the screen and the description disagree
        out = [f"{ctx.teams[i].visit}: fails the lawfulness screen" for i in bad]
    return out


def _load_problems(ctx: _Teams) -> list[str]:
    """Nobody carries more load than their load limit: one per visit served, a joint
    visit ``joint_load`` (:meth:`AssignmentProblem.load_of`)."""
    problem, a = ctx.problem, _members(ctx)
    people = problem.pool.inspectors
    P = len(people)
    am = np.concatenate([a["oi"], a["ei"]])
    at = np.concatenate([a["tv"][a["ot"]], a["tv"][a["et"]]])
    weights = None
    if problem.joint_load != 1:
        weights = np.array([problem.load_of(v) for v in problem.visits], dtype=np.int64)[at]
        weights = weights[am < P]
    load = np.bincount(am[am < P], weights=weights, minlength=P).astype(np.int64)
    unit = "visits" if weights is None else "visits' load"
    out = []
    for i in np.flatnonzero(load > 0).tolist():
        m = people[i].id
        if load[i] > problem.limit_of(m):
            out.append(f"{m}: serves {int(load[i])} {unit}, limit {problem.limit_of(m)}")
    return out


def _date_problems(ctx: _Teams) -> list[str]:
    """No member is barred by a date: an expired certificate (officers) or a day off."""
    problem, teams = ctx.problem, ctx.teams
    visits = problem.visits
    barred = {
        role: {(visits[k].id, i) for k, i in problem.date_excluded(visits, role)}
        for role in ("officers", "experts")
    }
    if not barred["officers"] and not barred["experts"]:
        return []
    return [
        f"{t.visit}: {m} cannot serve that day (certificate expired or unavailable)"
        for t in teams
        for role, members in (("officers", t.officers), ("experts", t.experts))
        for m in members
        if (t.visit, m) in barred[role]
    ]


def _leader_problems(ctx: _Teams) -> list[str]:
    """A visit that asks for a leader has one: an officer of the team from the lead
    department who may lead (主办); other teams have none."""
    problem = ctx.problem
    asks = {v.id: v for v in problem.visits if v.leader}
    out: list[str] = []
    for t in ctx.teams:
        v = asks.get(t.visit)
        if v is None:
            if t.leader is not None:
                out.append(f"{t.visit}: a leader the visit did not ask for")
            continue
        p = problem.pool.get(t.leader) if t.leader is not None else None
        if (
            p is None
            or t.leader not in t.officers
            or p.department != v.departments[0]
            or not p.can_lead
        ):
            out.append(f"{v.id}: leader {t.leader!r} is not an officer of the lead department "
                       "who may lead (主办)")  # fmt: skip
    return out


def _apart_problems(ctx: _Teams) -> list[str]:
    """No two officers of one team form an apart pair (across a joint team's parts too)."""
    return [
        f"{t.visit}: {a} and {b} may not serve together"
        for t in ctx.teams
        for a, b in itertools.combinations(sorted(t.officers), 2)
        if (a, b) in ctx.problem.apart
    ]


def _part_screen(ctx: _Teams, parts: Sequence[Parts]) -> np.ndarray:
    """``flagged[t]``: team ``t`` may break the parts rule (``parts[t]``: its visit's
    :meth:`~randsupervise.assign.requests.VisitRequest.parts`); every team is screened
    at once with numpy, over the same facts :func:`_part_team_problems` reads."""
    teams, people = ctx.teams, ctx.problem.pool.inspectors
    P = len(people)
    # a team has parts exactly when its visit has, in the visit's order of departments
    flagged = np.array(
        [
            [d for d, _ in t.by_department] != [p[0] for p in ps]
            for t, ps in zip(teams, parts, strict=True)
        ],
        dtype=bool,
    )
    tix = [k for k in np.flatnonzero(~flagged).tolist() if parts[k]]
    if not tix:
        return flagged
    got = [m for k in tix for _, ms in teams[k].by_department for m in ms]
    psize = np.array([len(ms) for k in tix for _, ms in teams[k].by_department], dtype=np.int64)
    want = np.array([n for k in tix for _, n, _ in parts[k]], dtype=np.int64)
    nparts = np.array([len(parts[k]) for k in tix], dtype=np.int64)
    pteam = np.repeat(np.array(tix, dtype=np.int64), nparts)  # team of each part
    index = {p.id: i for i, p in enumerate(people)}
    mi = np.array([index.get(m, P) for m in got], dtype=np.int64)
    mp = np.repeat(np.arange(psize.size, dtype=np.int64), psize)  # part of each member
    dix = {d: i for i, d in enumerate(sorted({p.department for p in people}))}
    idept = np.array([dix[p.department] for p in people] + [-1], dtype=np.int64)
    pdept = np.array([dix.get(d, -2) for k in tix for d, _, _ in parts[k]], dtype=np.int64)
    bad = psize != want
    bad[mp[idept[mi] != pdept[mp]]] = True
    srt = np.lexsort((mi, mp))  # distinct members within a part
    dup = (mp[srt][1:] == mp[srt][:-1]) & (mi[srt][1:] == mi[srt][:-1])
    bad[mp[srt][1:][dup]] = True
    # every tag of a part held by one of its officers
    pq = [q for k in tix for _, _, q in parts[k]]
    tag_bit = {q: b for b, q in enumerate(sorted(set().union(*pq)))}
    nw = (len(tag_bit) >> 6) + 1
    need = _bit_rows(pq, tag_bit, nw)
    have = np.zeros_like(need)
    np.bitwise_or.at(have, mp, _bit_rows([p.tags for p in people] + [()], tag_bit, nw)[mi])
    bad |= (need & ~have).any(axis=1)
    flagged[pteam[bad]] = True
    # the parts together are the team's officers
    a = _members(ctx)
    mine = np.isin(a["ot"], tix)
    ours = np.sort(a["ot"][mine] * (P + 1) + a["oi"][mine])
    theirs = np.sort(pteam[mp] * (P + 1) + mi)
    if ours.size != theirs.size or (ours != theirs).any():
        flagged[tix] = True  # described team by team
    return flagged


def _part_problems(ctx: _Teams) -> list[str]:
    """The teams the parts screen flags, described one by one."""
    cache: dict[tuple[Any, ...], Parts] = {}
    by_id = {v.id: v for v in ctx.problem.visits}
    parts = [_cached_parts(by_id[t.visit], cache) for t in ctx.teams]
    bad = np.flatnonzero(_part_screen(ctx, parts)).tolist()
    out = [
        x
        for i in bad
        for x in _part_team_problems(ctx.problem, by_id[ctx.teams[i].visit], ctx.teams[i])
    ]
    if bad and not out:  # pragma: no cover - the screen and the description disagree
        out = [f"{ctx.teams[i].visit}: fails the parts screen" for i in bad]
    return out


def _part_team_problems(problem: AssignmentProblem, v: VisitRequest, t: Team) -> list[str]:
    """The rules the parts of a joint team staffed per department break: each department's
    part has its size, only that department's officers, and holds its qualifications;
    the parts together are the team's officers. Other teams have no parts."""
    out: list[str] = []
    if not v.per_department:
        if t.by_department:
            out.append(f"{t.visit}: a team with parts, but the visit has none")
        return out
    got = dict(t.by_department)
    if [d for d, _ in t.by_department] != list(v.departments):
        out.append(f"{v.id}: parts {sorted(got)} are not the visit's departments")
        return out
    if sorted(m for ms in got.values() for m in ms) != sorted(t.officers):
        out.append(f"{v.id}: the parts are not the team's officers")
    for d, n, quals in v.parts():
        people = [problem.pool.get(m) for m in got[d]]
        if len(set(got[d])) != n or any(p is None or p.department != d for p in people):
            out.append(f"{v.id}: department {d!r} needs {n} distinct officers of its own")
        for q in sorted(quals):
            if not any(p is not None and q in p.tags for p in people):
                out.append(f"{v.id}: no officer of department {d!r} holds {q}")
    return out


def _period_problems(ctx: _Teams) -> list[str]:
    """Nobody carries more load within one period than their period limit."""
    problem = ctx.problem
    if problem.period_limits is None:
        return []
    load = period_loads(problem, ctx.teams)
    return [
        f"{m}: carries {n} in period {p}, limit {problem.limit_of(m, 'period_limits')}"
        for (m, p), n in sorted(load.items())
        if n > problem.limit_of(m, "period_limits")
    ]


def _holder_problems(ctx: _Teams) -> list[str]:
    """A visit that counts the holders of a qualification has that many among its
    officers (of the lead department's part, for a joint visit staffed per department)."""
    pool, out = ctx.problem.pool, list[str]()
    counted = {v.id: v for v in ctx.problem.visits if v.qualification_counts}
    for t in ctx.teams if counted else ():
        v = counted.get(t.visit)
        if v is None:
            continue
        people = [p for m in t.officers if (p := pool.get(m)) is not None]
        if v.per_department:
            people = [p for p in people if p.department == v.departments[0]]
        for q, n in v.qualification_counts:
            held = sum(q in p.tags for p in people)
            if held < n:
                out.append(f"{v.id}: needs {n} holders of {q}, has {held}")
    return out


def _team_problems(problem: AssignmentProblem, teams: Sequence[Team]) -> list[str]:
    """The rules each of ``teams`` breaks, one team at a time (load limits aside)."""
    pool = problem.pool
    forbidden = problem.conflicts | problem.rotation
    out: list[str] = []
    by_visit = {v.id: v for v in problem.visits}
    serves: dict[tuple[frozenset[str], str], bool] = {}
    for t in teams:
        v = by_visit[t.visit]
        if len(t.officers) != v.team_size or len(set(t.officers)) != len(t.officers):
            out.append(f"{v.id}: needs {v.team_size} distinct officers, has {t.officers}")
        if (
            len(t.experts) != v.experts
            or len(set(t.experts)) != len(t.experts)
            or set(t.experts) & set(t.officers)
        ):
            out.append(f"{v.id}: needs {v.experts} distinct experts on top, has {t.experts}")
        members = []
        for m in t.members:
            p = pool.get(m)
            if p is None:
                out.append(f"{v.id}: {m} is not in the pool")
                continue
            officer = m in t.officers
            if officer:
                members.append(p)
            if not p.available:
                out.append(f"{v.id}: {m} is unavailable")
            if officer and (not p.counts_toward_quota or p.department not in v.departments):
                out.append(f"{v.id}: {m} may not serve as an officer here")
            if not officer and (not p.expert or not v.expert_tags <= p.tags):
                out.append(f"{v.id}: {m} may not serve as an expert here")
            sk = (p.regions, v.region)
            ok = serves.get(sk)
            if ok is None:
                ok = serves[sk] = problem.region_rule.may_serve(p.regions, v.region)
            if not ok:
                out.append(f"{v.id}: {m} does not serve region {v.region}")
            if forbidden and (m, v.target) in forbidden:
                out.append(f"{v.id}: {m} is recused or rotated off target {v.target}")
        if v.is_joint:
            for d in v.departments:
                if not any(p.department == d for p in members):
                    out.append(f"{v.id}: no officer from {d}")
        for q in v.qualifications:
            if not any(q in p.qualifications or q in p.expertise for p in members):
                out.append(f"{v.id}: no officer holds {q}")
    return out


#: Every rule a set of teams must follow, in the order their problems are reported.
RULES = (
    Rule(
        name="team",
        source="《行政处罚法》 art. 42 (two certified officers); 国办 2025 opinion (only "
        "certified staff inspect); 国发〔2019〕5号 (experts on top); plan §三(三) "
        "(qualifications); 回避 and rotation (conflict and rotation pairs); region rule",
        check=_team_rule,
    ),
    Rule(
        name="load",
        source="load limits (fair load); a joint visit counts joint_load (county practice)",
        check=_load_problems,
    ),
    Rule(
        name="period load",
        source="county practice: load limits per month or batch as well as per year",
        check=_period_problems,
    ),
    Rule(
        name="holders",
        source="plan §三(三) (qualifications); county practice: a check may need two "
        "holders of one qualification",
        check=_holder_problems,
    ),
    Rule(
        name="leader",
        source="county practice: each check has a 主办 officer who signs the record",
        check=_leader_problems,
    ),
    Rule(
        name="dates",
        source="国办 2025 opinion: no valid certificate, no inspection; days off",
        check=_date_problems,
    ),
    Rule(name="apart", source="回避 between inspectors (county practice)", check=_apart_problems),
    Rule(
        name="parts",
        source="plan §三(五), 国发〔2019〕5号, county joint plans "
        "(与配合部门分别抽取各自的执法检查人员)",
        check=_part_problems,
    ),
)


def _lawful_problems(
    problem: AssignmentProblem, teams: Sequence[Team], memo: dict[str, Any] | None = None
) -> list[str]:
    """Every rule of :data:`RULES` a set of teams breaks (empty when lawful)."""
    ctx = _Teams(problem, teams, memo)
    return [message for rule in RULES for message in rule.check(ctx)]


def _checked(
    problem: AssignmentProblem, teams: Sequence[Team], memo: dict[str, Any] | None = None
) -> None:
    bad = _lawful_problems(problem, teams, memo)
    if bad:  # pragma: no cover - a bug guard: the engine must never return these
        raise AssertionError("internal error, unlawful teams: " + "; ".join(bad[:5]))
