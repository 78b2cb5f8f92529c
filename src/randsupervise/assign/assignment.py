"""Randomised inspector assignment (随机选派执法检查人员), replacement (补抽) and receipts.

Invariants, each with the rule it comes from (proofs in ``docs/assign.md``):

* **Lawful teams.** Every team has exactly ``team_size`` officers who count toward the
  quota (certified, not experts; 《行政处罚法》 art. 42, 国办 2025 opinion), drawn from the
  visit's departments, with one officer of each department of a joint visit, and every
  required qualification held by an officer; experts are only ever added on top
  (国发〔2019〕5号). Nobody is assigned who is unavailable, outside the region rule,
  in conflict with the target (回避) or paired with it in the rotation history, and no
  one serves more visits than their load limit. Each of these is re-checked on the
  output before it is returned.
* **Complete.** :class:`~randsupervise.errors.InfeasibleAssignment` is raised only after
  an exact check (per-visit set cover, maximum-flow Hall check, integer program) proved
  that no lawful assignment exists; its ``witness`` is a
  :class:`~randsupervise.assign.witness.Witness`.
* **Pure.** The teams are a pure function of (seed, stream, inputs), through the ticket
  function only (DESIGN principle 3); input order does not matter.
* **Receipts.** Every result carries a JSON-able receipt; a replacement or cancellation
  appends a receipt holding the SHA-256 of the previous one; :func:`verify` recomputes
  the whole chain.
* **Replacement** (补抽, no national rule: log it, touch nothing else): only the teams that
  contained an inspector who became unavailable change; all other teams stay identical.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import attrs
import numpy as np
import scipy

from randsupervise.assign._solver import _UNLIMITED, Phase, _Infeasible, build_tickets, solve_phase
from randsupervise.assign.requests import RegionRule, VisitRequest, visits_digest
from randsupervise.draw.seed import Seed
from randsupervise.draw.tickets import TICKET_ALGORITHM, TICKET_VERSION, tickets_for_ids
from randsupervise.errors import InfeasibleAssignment, Problem, UnknownIdError, ValidationError
from randsupervise.model._digest import sha256_hex
from randsupervise.model._hashing import fingerprints
from randsupervise.model.inspectors import Inspector, InspectorPool

__all__ = [
    "ALGORITHM",
    "ALGORITHM_VERSION",
    "Assignment",
    "AssignmentProblem",
    "Team",
    "Verification",
    "assign",
    "cancel",
    "receipt_digest",
    "replace",
    "verify",
]

ALGORITHM = "randsupervise-assign"
ALGORITHM_VERSION = 1

Pair = tuple[str, str]


def _pairs(value: Iterable[Pair]) -> frozenset[Pair]:
    return frozenset((str(a), str(b)) for a, b in value)


def _limits(value: int | Mapping[str, int] | None) -> int | Mapping[str, int] | None:
    if value is None or isinstance(value, int):
        return value
    return {str(k): v for k, v in dict(value).items()}


@attrs.frozen(kw_only=True)
class Team:
    """The team of one visit: certified officers (the quota) and experts on top.

    Examples:
        >>> t = Team(visit="V1", officers=("Z-01", "Z-03"), experts=("E-01",))
        >>> t.members
        ('Z-01', 'Z-03', 'E-01')
    """

    visit: str
    officers: tuple[str, ...]
    experts: tuple[str, ...] = ()

    @property
    def members(self) -> tuple[str, ...]:
        """Officers, then experts."""
        return self.officers + self.experts

    def to_record(self) -> dict[str, Any]:
        """Plain JSON-able form."""
        return {"visit": self.visit, "officers": list(self.officers), "experts": list(self.experts)}


def _sorted_visits(vs: Iterable[VisitRequest]) -> tuple[VisitRequest, ...]:
    return tuple(sorted(vs, key=lambda v: v.id))


@attrs.frozen(kw_only=True)
class AssignmentProblem:
    """Everything an assignment depends on besides the seed and stream.

    Attributes:
        visits: The visits to staff (ids unique); kept sorted by id.
        pool: The inspector pool (availability is read from it).
        conflicts: (inspector id, target id) pairs that must not meet (回避).
        rotation: (inspector id, target id) pairs of the last periods, not to repeat.
        load_limits: Most visits one inspector may serve: one int for everyone, a mapping
            from inspector id (ids not named are unlimited), or ``None`` (no limit).
        region_rule: Which inspectors may serve which target regions.

    Pairs naming inspectors outside the pool are kept (they change the digest) but
    have no effect.
    """

    visits: tuple[VisitRequest, ...] = attrs.field(converter=_sorted_visits)
    pool: InspectorPool
    conflicts: frozenset[Pair] = attrs.field(default=frozenset(), converter=_pairs)
    rotation: frozenset[Pair] = attrs.field(default=frozenset(), converter=_pairs)
    load_limits: int | Mapping[str, int] | None = attrs.field(default=None, converter=_limits)
    region_rule: RegionRule = attrs.field(factory=RegionRule)

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        seen: set[str] = set()
        for row, v in enumerate(self.visits):
            if not isinstance(v, VisitRequest):
                problems.append(Problem(row=row, message=f"not a VisitRequest: {v!r}"))
            elif v.id in seen:
                problems.append(Problem(row=row, id=v.id, field="id", message="duplicate visit id"))
            else:
                seen.add(v.id)
        lim = self.load_limits
        bad = [lim] if isinstance(lim, int) else list(lim.values()) if lim is not None else []
        for x in bad:
            if not isinstance(x, int) or isinstance(x, bool) or x < 0:
                problems.append(
                    Problem(field="load_limits", message=f"must be ints >= 0, got {x!r}")
                )
        if problems:
            raise ValidationError(problems, what="assignment problem")

    def limit_of(self, inspector_id: str) -> int:
        """The load limit of one inspector (a very large number when unlimited)."""
        lim = self.load_limits
        if lim is None:
            return _UNLIMITED
        if isinstance(lim, int):
            return lim
        return lim.get(inspector_id, _UNLIMITED)

    def digests(self) -> dict[str, str]:
        """SHA-256 digests of every input, as recorded in receipts."""
        lim = self.load_limits
        lim_c: Any = lim if lim is None or isinstance(lim, int) else dict(sorted(lim.items()))
        return {
            "visits": visits_digest(self.visits),
            "pool": self.pool.digest(),
            "conflicts": sha256_hex(sorted(map(list, self.conflicts))),
            "rotation": sha256_hex(sorted(map(list, self.rotation))),
            "load_limits": sha256_hex({"load_limits": lim_c}),
            "region_rule": sha256_hex(self.region_rule.canonical()),
        }


def receipt_digest(receipt: Mapping[str, Any]) -> str:
    """SHA-256 of a receipt's canonical JSON (what the next receipt in a chain records)."""
    return sha256_hex(dict(receipt))


@attrs.frozen(kw_only=True)
class Assignment:
    """Teams for every visit, with the receipt chain that lets anyone recompute them.

    ``teams`` is sorted by visit id; ``receipts`` holds the original receipt first and
    one more per replacement or cancellation; ``receipt`` is the last one.
    """

    teams: tuple[Team, ...]
    problem: AssignmentProblem = attrs.field(repr=False, eq=False)
    seed: Seed = attrs.field(repr=False)
    stream: str
    receipts: tuple[dict[str, Any], ...] = attrs.field(repr=False, eq=False)

    @property
    def receipt(self) -> dict[str, Any]:
        """The latest receipt."""
        return self.receipts[-1]

    def team(self, visit_id: str) -> Team:
        """The team of one visit; raises ``UnknownIdError``."""
        for t in self.teams:
            if t.visit == visit_id:
                return t
        raise UnknownIdError([visit_id], where="assignment")

    def loads(self) -> dict[str, int]:
        """Visits served per inspector of the pool (0 for those not assigned), id order."""
        out = dict.fromkeys(self.problem.pool.ids, 0)
        for t in self.teams:
            for m in t.members:
                out[m] += 1
        return out

    def __len__(self) -> int:
        return len(self.teams)


# --- building the phases ----------------------------------------------------------------


def _region_ok(problem: AssignmentProblem, cache: dict[str, np.ndarray], region: str) -> np.ndarray:
    hit = cache.get(region)
    if hit is None:
        rule = problem.region_rule
        hit = np.array([rule.may_serve(p.regions, region) for p in problem.pool], dtype=bool)
        cache[region] = hit
    return hit


def _forbidden(problem: AssignmentProblem, index: Mapping[str, int]) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for insp, target in problem.conflicts | problem.rotation:
        i = index.get(insp)
        if i is not None:
            out.setdefault(target, set()).add(i)
    return out


def _build_phase(
    role: str,
    problem: AssignmentProblem,
    visits: Sequence[VisitRequest],
    fixed: Mapping[str, tuple[str, ...]],
    cap: np.ndarray,
    seed: Seed,
    stream: str,
    fv: np.ndarray | None = None,
    forb: dict[str, set[int]] | None = None,
) -> Phase:
    pool = problem.pool
    people: tuple[Inspector, ...] = pool.inspectors
    index = {p.id: i for i, p in enumerate(people)}
    officers = role == "officers"
    role_ok = np.array(
        [p.available and (p.counts_toward_quota if officers else p.expert) for p in people],
        dtype=bool,
    )
    ph = Phase(role, pool.ids, cap)
    fi = fingerprints(pool.ids)
    fv_all = fv if fv is not None else fingerprints([v.id for v in visits])
    forbidden = _forbidden(problem, index) if forb is None else forb
    rcache: dict[str, np.ndarray] = {}
    classes: dict[tuple[Any, ...], int] = {}
    class_rows: list[list[int]] = []
    mask_ids: dict[tuple[Any, ...], int] = {}
    tag_cache: dict[str, np.ndarray] = {}

    def holds(tag: str) -> np.ndarray:
        h = tag_cache.get(tag)
        if h is None:
            h = np.array([tag in p.tags for p in people], dtype=bool)
            tag_cache[tag] = h
        return h

    posmaps: list[dict[int, int]] = []
    vcache: dict[tuple[Any, ...], tuple[int, int, tuple[str, ...]]] = {}
    for vi, v in enumerate(visits):
        vkey: tuple[Any, ...] = (
            (v.region, v.departments, v.qualifications) if officers else (v.region, v.expert_tags)
        )
        hit = vcache.get(vkey)
        if hit is None:
            if officers:
                ckey: tuple[Any, ...] = (v.region, tuple(sorted(v.departments)))
                bits = (
                    [f"department:{d}" for d in sorted(v.departments)] if v.is_joint else []
                ) + [f"qualification:{q}" for q in sorted(v.qualifications)]
            else:
                ckey = (v.region, tuple(sorted(v.expert_tags)))
                bits = []
            c = classes.get(ckey)
            if c is None:
                ok = role_ok & _region_ok(problem, rcache, v.region)
                if officers:
                    depts = set(v.departments)
                    ok &= np.array([p.department in depts for p in people], dtype=bool)
                else:
                    for tag in v.expert_tags:
                        ok &= holds(tag)
                c = len(ph.cands)
                classes[ckey] = c
                ph.cands.append(np.flatnonzero(ok).astype(np.int64))
                posmaps.append({int(i): j for j, i in enumerate(ph.cands[c])})
                class_rows.append([])
            C = ph.cands[c]
            mkey = (c, tuple(bits))
            m = mask_ids.get(mkey)
            if m is None:
                mask = np.zeros(len(C), dtype=np.uint64)
                for b, name in enumerate(bits):
                    kind, value = name.split(":", 1)
                    if kind == "department":
                        has = np.array([people[i].department == value for i in C], dtype=bool)
                    else:
                        has = holds(value)[C]
                    mask |= has.astype(np.uint64) << np.uint64(b)
                m = len(ph.masks)
                mask_ids[mkey] = m
                ph.masks.append(mask)
                ph.bitnames.append(tuple(bits))
            hit = (c, m, tuple(bits))
            vcache[vkey] = hit
        c, m, bits_t = hit
        need = v.team_size if officers else v.experts
        kept = fixed.get(v.id, ())
        U = (1 << len(bits_t)) - 1
        for member in kept:
            p = people[index[member]]
            for b, name in enumerate(bits_t):
                kind, value = name.split(":", 1)
                if (p.department == value) if kind == "department" else (value in p.tags):
                    U &= ~(1 << b)
        bad = forbidden.get(v.target)
        if kept:
            bad = (bad or set()) | {index[x] for x in kept}
        excl = None
        if bad:
            pm = posmaps[c]
            found = sorted(pm[i] for i in bad if i in pm)
            excl = np.array(found, dtype=np.int64) if found else None
        ph.visit_ids.append(v.id)
        ph.cls.append(c)
        ph.excl.append(excl)
        ph.maskid.append(m)
        ph.U0.append(U)
        ph.need.append(max(need - len(kept), 0))
        ph.trow.append(len(class_rows[c]))
        class_rows[c].append(vi)
    sub = f"{stream}/{role}"
    for c, rows in enumerate(class_rows):
        ph.tix.append(build_tickets(fv_all[rows], fi[ph.cands[c]], seed, sub))
    return ph


def _solve(
    problem: AssignmentProblem,
    visits: Sequence[VisitRequest],
    fixed_officers: Mapping[str, tuple[str, ...]],
    fixed_experts: Mapping[str, tuple[str, ...]],
    used: Mapping[str, int],
    seed: Seed,
    stream: str,
) -> tuple[list[Team], bool]:
    """Teams for ``visits`` (in the given order of ids), keeping fixed members."""
    ids = problem.pool.ids
    cap = np.array([max(problem.limit_of(i) - used.get(i, 0), 0) for i in ids], dtype=np.int64)
    vids = [v.id for v in visits]
    t = tickets_for_ids(vids, seed, f"{stream}/order") if vids else np.zeros(0, dtype=np.uint64)
    # ties of 64-bit tickets are broken by id; visits are sorted by id already
    order = [int(k) for k in np.lexsort((np.arange(len(vids)), t))]
    fv = fingerprints(vids)
    forb = _forbidden(problem, {p: i for i, p in enumerate(ids)})
    results: dict[str, list[list[int]]] = {}
    fallback = False
    for role, fixed in (("officers", fixed_officers), ("experts", fixed_experts)):
        if role == "officers":
            ks = list(range(len(visits)))
        else:  # only visits with expert places take part in the experts' phase
            ks = [k for k, v in enumerate(visits) if v.experts or fixed.get(v.id)]
        sub_visits = [visits[k] for k in ks]
        rank = {k: r for r, k in enumerate(ks)}
        sub_order = order if len(ks) == len(visits) else [rank[k] for k in order if k in rank]
        ph = _build_phase(role, problem, sub_visits, fixed, cap, seed, stream, fv[ks], forb)
        try:
            teams, fb = solve_phase(ph, sub_order, seed, stream)
        except _Infeasible as exc:
            w = exc.witness
            raise InfeasibleAssignment(f"no lawful assignment: {w}", witness=w) from None
        fallback |= fb
        full: list[list[int]] = [[] for _ in visits]
        for r, k in enumerate(ks):
            full[k] = teams[r]
        results[role] = full
    out = []
    for k, v in enumerate(visits):
        off = tuple(
            sorted(fixed_officers.get(v.id, ()) + tuple(ids[i] for i in results["officers"][k]))
        )
        exp = tuple(
            sorted(fixed_experts.get(v.id, ()) + tuple(ids[i] for i in results["experts"][k]))
        )
        out.append(Team(visit=v.id, officers=off, experts=exp))
    return out, fallback


def _lawful_problems(problem: AssignmentProblem, teams: Sequence[Team]) -> list[str]:
    """Every rule a set of teams breaks (empty when lawful); used on every output."""
    pool = problem.pool
    forbidden = problem.conflicts | problem.rotation
    out: list[str] = []
    by_visit = {v.id: v for v in problem.visits}
    load: dict[str, int] = {}
    serves: dict[tuple[frozenset[str], str], bool] = {}
    for t in teams:
        v = by_visit[t.visit]
        if len(t.officers) != v.team_size or len(set(t.officers)) != len(t.officers):
            out.append(f"{v.id}: needs {v.team_size} distinct officers, has {t.officers}")
        if len(t.experts) != v.experts or set(t.experts) & set(t.officers):
            out.append(f"{v.id}: needs {v.experts} experts on top, has {t.experts}")
        members = []
        for m in t.members:
            p = pool.get(m)
            if p is None:
                out.append(f"{v.id}: {m} is not in the pool")
                continue
            officer = m in t.officers
            if officer:
                members.append(p)
            load[m] = load.get(m, 0) + 1
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
    for m, n in load.items():
        if n > problem.limit_of(m):
            out.append(f"{m}: serves {n} visits, limit {problem.limit_of(m)}")
    return out


def _receipt(
    problem: AssignmentProblem,
    seed: Seed,
    stream: str,
    teams: Sequence[Team],
    event: dict[str, Any],
    previous: Mapping[str, Any] | None,
    fallback: bool,
) -> dict[str, Any]:
    return {
        "format": "randsupervise.assignment-receipt",
        "version": 1,
        "algorithm": ALGORITHM,
        "algorithm_version": ALGORITHM_VERSION,
        "ticket": {"algorithm": TICKET_ALGORITHM, "version": TICKET_VERSION},
        "seed": seed.hex,
        "stream": stream,
        "event": event,
        "previous": receipt_digest(previous) if previous is not None else None,
        "inputs": problem.digests(),
        "exact_fallback": fallback,
        "solver": f"scipy {scipy.__version__} milp (HiGHS)" if fallback else None,
        "teams": [t.to_record() for t in teams],
    }


def _checked(problem: AssignmentProblem, teams: Sequence[Team]) -> None:
    bad = _lawful_problems(problem, teams)
    if bad:  # pragma: no cover - a bug guard: the engine must never return these
        raise AssertionError("internal error, unlawful teams: " + "; ".join(bad[:5]))


def assign(
    visits: Iterable[VisitRequest],
    pool: InspectorPool,
    *,
    seed: Seed,
    stream: str,
    conflicts: Iterable[Pair] = (),
    rotation: Iterable[Pair] = (),
    load_limits: int | Mapping[str, int] | None = None,
    region_rule: RegionRule | None = None,
) -> Assignment:
    """Draw a lawful team for every visit.

    Args:
        visits: The visits to staff.
        pool: The inspector pool; only available inspectors are assigned.
        seed: The public seed.
        stream: A label for this draw (e.g. ``"2024/batch-1/teams"``); sub-streams
            ``stream + "/order"``, ``"/officers"`` and ``"/experts"`` are derived from it.
        conflicts: (inspector id, target id) pairs that must not meet (回避).
        rotation: (inspector id, target id) pairs of recent periods, not to repeat.
        load_limits: Most visits per inspector (int, mapping by id, or ``None``).
        region_rule: Region rule (default: inspectors serve their own regions).

    Returns:
        The :class:`Assignment`, with its receipt.

    Raises:
        InfeasibleAssignment: no lawful assignment exists; ``witness`` says why.
        ValidationError: bad input.

    Examples:
        >>> from randsupervise.model.sample import sample_inspectors
        >>> pool = sample_inspectors()
        >>> v = VisitRequest(id="V1", target="T1", region="东城镇",
        ...                  departments=["文化市场综合行政执法大队"], qualifications={"网络文化"})
        >>> a = assign([v], pool, seed=Seed.from_text("demo"), stream="doc")
        >>> team = a.team("V1")
        >>> len(team.officers), any("网络文化" in pool[m].tags for m in team.officers)
        (2, True)
    """
    problem = AssignmentProblem(
        visits=visits,
        pool=pool,
        conflicts=conflicts,
        rotation=rotation,
        load_limits=load_limits,
        region_rule=region_rule if region_rule is not None else RegionRule(),
    )
    return _assign_problem(problem, seed, stream)


def _assign_problem(problem: AssignmentProblem, seed: Seed, stream: str) -> Assignment:
    teams, fallback = _solve(problem, problem.visits, {}, {}, {}, seed, stream)
    _checked(problem, teams)
    receipt = _receipt(problem, seed, stream, teams, {"kind": "assign"}, None, fallback)
    return Assignment(
        teams=tuple(teams), problem=problem, seed=seed, stream=stream, receipts=(receipt,)
    )


def replace(assignment: Assignment, unavailable: Iterable[str]) -> Assignment:
    """补抽: replace inspectors who became unavailable; every other team stays as it was.

    The new members are drawn under the stream ``f"{stream}/replace/{k}"`` (``k`` = 1 for
    the first change after the draw, 2 for the next, ...). The remaining members of an
    affected team are kept when the rules allow it; otherwise the affected team is drawn
    anew (only that team). The receipt chain grows by one receipt.

    Raises:
        UnknownIdError: an id is not in the pool.
        InfeasibleAssignment: the affected teams cannot be restaffed without moving others.

    Examples:
        >>> from randsupervise.model.sample import sample_inspectors
        >>> pool = sample_inspectors()
        >>> vs = [VisitRequest(id=f"V{i}", target=f"T{i}", region="东城镇",
        ...                    departments=["文化市场综合行政执法大队"]) for i in range(5)]
        >>> a = assign(vs, pool, seed=Seed.from_text("demo"), stream="doc")
        >>> gone = a.team("V0").officers[0]
        >>> b = replace(a, [gone])
        >>> gone in b.team("V0").officers
        False
        >>> [a.team(v.id) == b.team(v.id) for v in vs if gone not in a.team(v.id).members]
        [True, True, True, True]
    """
    gone = sorted(set(unavailable))
    problem = assignment.problem
    new_pool = problem.pool.with_availability(gone, False)
    new_problem = attrs.evolve(problem, pool=new_pool)
    k = len(assignment.receipts)
    stream = f"{assignment.stream}/replace/{k}"
    gset = set(gone)
    affected = [t for t in assignment.teams if gset & set(t.members)]
    aff_ids = {t.visit for t in affected}
    used: dict[str, int] = {}
    for t in assignment.teams:
        if t.visit not in aff_ids:
            for m in t.members:
                used[m] = used.get(m, 0) + 1
    visits = [v for v in new_problem.visits if v.id in aff_ids]
    whole = False
    try:
        keep_o = {t.visit: tuple(m for m in t.officers if m not in gset) for t in affected}
        keep_e = {t.visit: tuple(m for m in t.experts if m not in gset) for t in affected}
        used2 = dict(used)
        for t in affected:
            for m in keep_o[t.visit] + keep_e[t.visit]:
                used2[m] = used2.get(m, 0) + 1
        new, fallback = _solve(new_problem, visits, keep_o, keep_e, used2, assignment.seed, stream)
    except InfeasibleAssignment:
        whole = True
        new, fallback = _solve(new_problem, visits, {}, {}, used, assignment.seed, stream)
    by_id = {t.visit: t for t in new}
    teams = tuple(by_id.get(t.visit, t) for t in assignment.teams)
    _checked(new_problem, teams)
    event = {"kind": "replace", "unavailable": gone, "stream": stream, "whole_teams_redrawn": whole}
    receipt = _receipt(
        new_problem, assignment.seed, assignment.stream, teams, event, assignment.receipt, fallback
    )
    return Assignment(
        teams=teams,
        problem=new_problem,
        seed=assignment.seed,
        stream=assignment.stream,
        receipts=(*assignment.receipts, receipt),
    )


def cancel(assignment: Assignment, visit_ids: Iterable[str], reason: str) -> Assignment:
    """Drop visits (target deregistered, unreachable, ...); no other team changes.

    Examples:
        >>> from randsupervise.model.sample import sample_inspectors
        >>> vs = [VisitRequest(id=f"V{i}", target=f"T{i}", region="东城镇",
        ...                    departments=["文化市场综合行政执法大队"]) for i in range(3)]
        >>> a = assign(vs, sample_inspectors(), seed=Seed.from_text("demo"), stream="doc")
        >>> b = cancel(a, ["V1"], "target deregistered")
        >>> [t.visit for t in b.teams], b.team("V2") == a.team("V2")
        (['V0', 'V2'], True)
    """
    drop = set(visit_ids)
    known = {t.visit for t in assignment.teams}
    unknown = sorted(drop - known)
    if unknown:
        raise UnknownIdError(unknown, where="assignment")
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError([Problem(field="reason", message="give the reason for cancelling")])
    problem = attrs.evolve(
        assignment.problem, visits=[v for v in assignment.problem.visits if v.id not in drop]
    )
    teams = tuple(t for t in assignment.teams if t.visit not in drop)
    event = {"kind": "cancel", "visits": sorted(drop), "reason": reason}
    receipt = _receipt(
        problem, assignment.seed, assignment.stream, teams, event, assignment.receipt, False
    )
    return Assignment(
        teams=teams,
        problem=problem,
        seed=assignment.seed,
        stream=assignment.stream,
        receipts=(*assignment.receipts, receipt),
    )


@attrs.frozen(kw_only=True)
class Verification:
    """Outcome of :func:`verify`: ``ok`` and one line per difference found."""

    ok: bool
    differences: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.ok


def _diff(label: str, got: Mapping[str, Any], want: Mapping[str, Any]) -> list[str]:
    out = []
    for key in sorted(set(got) | set(want)):
        if key == "teams":
            g = {t["visit"]: t for t in got.get("teams", [])}
            w = {t["visit"]: t for t in want.get("teams", [])}
            for v in sorted(set(g) | set(w)):
                if g.get(v) != w.get(v):
                    out.append(f"{label}: team of {v!r}: receipt {g.get(v)}, recomputed {w.get(v)}")
        elif key == "inputs":
            gi, wi = got.get(key, {}), want.get(key, {})
            for k2 in sorted(set(gi) | set(wi)):
                if gi.get(k2) != wi.get(k2):
                    out.append(
                        f"{label}: input {k2!r} differs (receipt {gi.get(k2)}, given {wi.get(k2)})"
                    )
        elif got.get(key) != want.get(key):
            out.append(f"{label}: {key!r}: receipt {got.get(key)!r}, recomputed {want.get(key)!r}")
    return out


def verify(
    receipts: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    visits: Iterable[VisitRequest],
    pool: InspectorPool,
    *,
    conflicts: Iterable[Pair] = (),
    rotation: Iterable[Pair] = (),
    load_limits: int | Mapping[str, int] | None = None,
    region_rule: RegionRule | None = None,
) -> Verification:
    """Recompute an assignment (and its replacements and cancellations) from the inputs.

    Args:
        receipts: The receipt of a draw, or the whole chain (original first) when
            replacements or cancellations followed.
        visits: The visits of the original draw.
        pool: The pool as it was at the original draw.
        conflicts: As given to :func:`assign`.
        rotation: As given to :func:`assign`.
        load_limits: As given to :func:`assign`.
        region_rule: As given to :func:`assign`.

    Returns:
        A :class:`Verification`; ``differences`` names every field, input digest or team
        that does not match.

    Examples:
        >>> from randsupervise.model.sample import sample_inspectors
        >>> pool = sample_inspectors()
        >>> vs = [VisitRequest(id="V1", target="T1", region="东城镇",
        ...                    departments=["文化市场综合行政执法大队"])]
        >>> a = replace(assign(vs, pool, seed=Seed.from_text("demo"), stream="doc"), ["Z-01"])
        >>> verify(a.receipts, vs, pool).ok
        True
        >>> verify(a.receipts, vs, pool, load_limits=0).differences[0]
        "receipt 0: input 'load_limits' differs ..."
    """
    chain = [receipts] if isinstance(receipts, Mapping) else list(receipts)
    if not chain:
        return Verification(ok=False, differences=("no receipt given",))
    first = chain[0]
    diffs: list[str] = []
    if first.get("previous") is not None or first.get("event", {}).get("kind") != "assign":
        return Verification(
            ok=False,
            differences=(
                "receipt 0 is not an original draw: pass the whole chain, original first",
            ),
        )
    try:
        seed = Seed.from_hex(str(first["seed"]))
        stream = str(first["stream"])
        problem = AssignmentProblem(
            visits=visits,
            pool=pool,
            conflicts=conflicts,
            rotation=rotation,
            load_limits=load_limits,
            region_rule=region_rule if region_rule is not None else RegionRule(),
        )
        given = problem.digests()
        diffs += _diff("receipt 0", {"inputs": first.get("inputs", {})}, {"inputs": given})
        if diffs:
            return Verification(ok=False, differences=tuple(diffs))
        current = _assign_problem(problem, seed, stream)
        diffs += _diff("receipt 0", first, current.receipt)
        for n, r in enumerate(chain[1:], start=1):
            ev = cast(Mapping[str, Any], r.get("event", {}))
            if ev.get("kind") == "replace":
                current = replace(current, ev.get("unavailable", []))
            elif ev.get("kind") == "cancel":
                current = cancel(current, ev.get("visits", []), str(ev.get("reason", "")))
            else:
                diffs.append(f"receipt {n}: unknown event {ev!r}")
                break
            diffs += _diff(f"receipt {n}", r, current.receipt)
            if r.get("previous") != receipt_digest(chain[n - 1]):
                diffs.append(f"receipt {n}: 'previous' is not the digest of receipt {n - 1}")
    except (InfeasibleAssignment, ValidationError, UnknownIdError, KeyError) as exc:
        diffs.append(f"recomputation failed: {exc}")
    return Verification(ok=not diffs, differences=tuple(diffs))
