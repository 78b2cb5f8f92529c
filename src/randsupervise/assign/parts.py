"""Joint visits staffed per department, and the team leader (主办).

Invariants: a joint visit staffed per department is solved as one part per department,
each an ordinary one-department visit under its own unit id ``visit id + U+001F +
department`` (so its own pair tickets and its own place in the order); the lead
department's part carries the experts ("与配合部门分别抽取各自的执法检查人员"). The parts'
teams are joined into one team per visit, and a witness about a part names the visit and
the department. The leader of a visit that asks for one is drawn among the team's
officers of the lead department who may lead, by pair ticket under ``stream + "/leader"``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from randsupervise.assign._phase import build_tickets
from randsupervise.assign.phases import Draw, Keep
from randsupervise.assign.requests import UNIT_SEPARATOR, VisitRequest, _cached_parts
from randsupervise.assign.team import Team
from randsupervise.assign.witness import Witness
from randsupervise.tickets.fingerprint import fingerprints

__all__: list[str] = []


def _draw_leaders(draw: Draw, visits: Sequence[VisitRequest], teams: Sequence[Team]) -> list[Team]:
    """The leader (主办) of each visit that asks for one: among the team's officers of the
    lead department who may lead, the one with the smallest pair ticket under
    ``stream + "/leader"`` (ties: lower id). The team's requirements guarantee one."""
    out = list(teams)
    pool = draw.problem.pool
    for k, v in enumerate(visits):
        if not v.leader:
            continue
        lead = v.departments[0]
        cands = sorted(
            m for m in out[k].officers if pool[m].department == lead and pool[m].can_lead
        )
        t = build_tickets(
            fingerprints([v.id]), fingerprints(cands), draw.seed, f"{draw.stream}/leader"
        )[0]
        out[k] = attrs.evolve(out[k], leader=cands[int(np.argmin(t))])
    return out


def _part_id(visit: str, department: str) -> str:
    return f"{visit}{UNIT_SEPARATOR}{department}"


def _part_request(
    built: dict[tuple[Any, ...], tuple[VisitRequest, dict[str, Any]]],
    v: VisitRequest,
    uid: str,
    **fields: Any,
) -> VisitRequest:
    """``VisitRequest(id=uid, target=v.target, region=v.region, **fields)``, validated once
    per distinct ``fields`` (kept in ``built`` with its attributes): the other parts with
    the same fields take the first one's attributes but their own id, target and region,
    which come from the validated request ``v`` (``uid`` is its id, U+001F and one of its
    departments)."""
    key = tuple(fields.values())
    hit = built.get(key)
    if hit is None:
        first = VisitRequest(id=uid, target=v.target, region=v.region, **fields)
        own = ("id", "target", "region")
        rest = {a.name: getattr(first, a.name) for a in attrs.fields(VisitRequest)}
        built[key] = (first, {k: x for k, x in rest.items() if k not in own})
        return first
    out = object.__new__(VisitRequest)
    put = object.__setattr__
    for name, value in hit[1].items():
        put(out, name, value)
    put(out, "id", uid)
    put(out, "target", v.target)
    put(out, "region", v.region)
    return out


def _split_parts(
    draw: Draw, visits: Sequence[VisitRequest], keep: Keep
) -> tuple[list[VisitRequest], Keep]:
    """Each joint visit staffed per department as one request per department (the lead's
    part carries the experts), with the kept members of a replacement split to match."""
    units: list[VisitRequest] = []
    fo: dict[str, tuple[str, ...]] = {}
    fe: dict[str, tuple[str, ...]] = {}
    pool = draw.problem.pool
    built: dict[tuple[Any, ...], tuple[VisitRequest, dict[str, Any]]] = {}
    cache: dict[tuple[Any, ...], tuple[tuple[str, int, frozenset[str]], ...]] = {}
    for v in visits:
        parts = _cached_parts(v, cache)
        if not parts:
            units.append(
                attrs.evolve(v, qualifications=v.lead_requirements(), leader=False)
                if v.leader
                else v
            )
            if v.id in keep.officers:
                fo[v.id] = keep.officers[v.id]
            if v.id in keep.experts:
                fe[v.id] = keep.experts[v.id]
            continue
        lead = v.departments[0]
        kept = keep.officers.get(v.id, ())
        for d, n, quals in parts:
            uid = _part_id(v.id, d)
            units.append(
                _part_request(
                    built,
                    v,
                    uid,
                    departments=(d,),
                    qualifications=quals,
                    team_size=n,
                    date=v.date,
                    period=v.period,
                    experts=v.experts if d == lead else 0,
                    expert_tags=v.expert_tags if d == lead else frozenset(),
                    qualification_counts=v.qualification_counts if d == lead else (),
                )
            )
            mine = tuple(m for m in kept if pool[m].department == d)
            if mine:
                fo[uid] = mine
            if d == lead and keep.experts.get(v.id):
                fe[uid] = keep.experts[v.id]
    return units, attrs.evolve(keep, officers=fo, experts=fe)


def _join_parts(visits: Sequence[VisitRequest], teams: Sequence[Team]) -> list[Team]:
    """The parts' teams joined into one team per visit (officers sorted, parts kept).
    ``teams`` are the units' teams in the order :func:`_split_parts` gives the units: a
    visit's own team (same id), or its parts' teams in the visit's department order."""
    out = []
    it = iter(teams)
    for v in visits:
        t = next(it)
        if t.visit == v.id:
            out.append(t)
            continue
        parts = (t, *itertools.islice(it, len(v.departments) - 1))
        out.append(
            Team(
                visit=v.id,
                officers=tuple(sorted(m for p in parts for m in p.officers)),
                experts=t.experts,
                by_department=tuple(zip(v.departments, (p.officers for p in parts), strict=True)),
            )
        )
    return out


def _named_parts(w: Witness) -> Witness:
    """A witness about parts, told as visits and departments."""

    def visit(uid: str) -> str:
        return uid.split(UNIT_SEPARATOR, 1)[0]

    def reason(uid: str, why: str) -> str:
        if UNIT_SEPARATOR not in uid:
            return why
        return f"department {uid.split(UNIT_SEPARATOR, 1)[1]!r}: {why}"

    return attrs.evolve(
        w,
        visits=tuple(sorted({visit(u) for u in w.visits})),
        reasons=tuple((visit(u), reason(u, why)) for u, why in w.reasons),
    )
