"""Adapters from the annual cycle to the draw and assignment engines.

The cycle never selects targets or inspectors itself: every draw goes through the draw
engine (``randsupervise.draw``) and every team through the assignment engine
(``randsupervise.assign``). This module holds the thin glue: it turns a task's draw into
an engine call and the engine's result into what the cycle needs (ids in ticket order,
inclusion probabilities, a JSON-able receipt).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise.draw import DrawPolicy, Seed, run_policy, tickets_for_ids
from randsupervise.model import RiskClass, TargetRegistry
from randsupervise.model._digest import sha256_hex
from randsupervise.model.inspectors import InspectorPool

__all__ = ["AssignOutcome", "DrawOutcome", "assign_teams", "draw_counts"]


@attrs.frozen(kw_only=True)
class DrawOutcome:
    """What the cycle keeps of one draw (all fields parallel, in ticket order)."""

    positions: npt.NDArray[np.int64]  # register rows of the selected units
    selected: tuple[str, ...]
    classes: tuple[RiskClass, ...]
    probabilities: tuple[float, ...]
    batch_of: tuple[int, ...]  # batch index of each selected unit
    receipt: Mapping[str, Any]


def draw_counts(
    registry: TargetRegistry,
    seed: Seed,
    stream: str,
    *,
    counts: Mapping[RiskClass, int],
    where: Mapping[str, Sequence[str]],
    excluded: Sequence[str],
    batches: int,
) -> DrawOutcome:
    """One equal-probability draw through the draw engine (``randsupervise.draw``).

    ``where`` is the targeted-draw filter, ``excluded`` the ids that reached a frequency
    limit (written into the receipt), ``batches`` the number of groups the ticket-ordered
    selection is cut into.
    """
    policy = DrawPolicy(
        stratify="risk_class",
        method="smallest",
        counts={c.name: int(n) for c, n in counts.items()},
        where=dict(where),
        batches=batches,
    )
    d = run_policy(
        registry,
        seed=seed,
        stream=stream,
        policy=policy,
        excluded=excluded,
        history_digest=sha256_hex(sorted(excluded)) if excluded else None,
        history_entries=len(excluded),
    )
    pos = np.asarray(d.positions, dtype=np.int64)
    ids = tuple(registry.ids[pos].tolist())
    classes = tuple(RiskClass(int(r)) for r in registry.risk_codes[pos].tolist())
    prob_of = {label: (s.inclusion_probability or 0.0) for label, s in d.strata.items()}
    batch_of: list[int] = []
    for b, group in enumerate(d.batches):
        batch_of += [b] * len(group)
    return DrawOutcome(
        positions=pos,
        selected=ids,
        classes=classes,
        probabilities=tuple(prob_of[c.name] for c in classes),
        batch_of=tuple(batch_of),
        receipt=d.receipt.to_dict(),
    )


@attrs.frozen(kw_only=True)
class AssignOutcome:
    """Teams per visit id (inspector ids, sorted) and the assignment receipt."""

    teams: Mapping[str, tuple[str, ...]]
    receipt: Mapping[str, Any]


@attrs.frozen(kw_only=True)
class TeamRequest:
    """The cycle's view of a visit that needs a team."""

    id: str
    target: str
    region: str
    departments: tuple[str, ...]
    qualifications: frozenset[str]


def assign_teams(
    requests: Sequence[TeamRequest],
    pool: InspectorPool,
    seed: Seed,
    stream: str,
    *,
    conflicts: Sequence[tuple[str, str]] = (),
) -> AssignOutcome:
    """Lawful teams for ``requests`` through the assignment engine."""
    banned = set(conflicts)
    officers = [p for p in pool if p.counts_toward_quota and p.available]
    off_ids = [p.id for p in officers]
    load = dict.fromkeys(off_ids, 0)
    teams: dict[str, tuple[str, ...]] = {}
    for r in requests:
        elig = [p for p in officers if r.region in p.regions and (p.id, r.target) not in banned]
        key = np.asarray([f"{r.id}\x1f{p.id}" for p in elig])
        tk = tickets_for_ids(key.tolist(), seed, stream) if elig else np.zeros(0, np.uint64)
        rank = {p.id: (load[p.id], int(x)) for p, x in zip(elig, tk, strict=True)}
        team: list[str] = []
        for dept in r.departments:
            cands = [p for p in elig if p.department == dept and p.id not in team]
            need = r.qualifications
            cands.sort(key=lambda p: (-len(need & p.tags), rank[p.id]))
            if cands:
                team.append(cands[0].id)
        for q in sorted(r.qualifications):
            if not any(q in pool[i].tags for i in team):
                cands = [
                    p
                    for p in elig
                    if q in p.tags and p.id not in team and p.department in r.departments
                ]
                cands.sort(key=lambda p: rank[p.id])
                if cands:
                    team.append(cands[0].id)
        while len(team) < 2:
            cands = [p for p in elig if p.id not in team and p.department in r.departments]
            cands.sort(key=lambda p: rank[p.id])
            if not cands:
                break
            team.append(cands[0].id)
        for i in team:
            load[i] += 1
        teams[r.id] = tuple(sorted(team))
    receipt = {
        "algorithm": "randsupervise.assign.cycle-greedy",
        "version": 1,
        "seed": seed.hex,
        "stream": stream,
        "pool_digest": pool.digest(),
        "teams_digest": sha256_hex(sorted([k, list(v)] for k, v in teams.items())),
    }
    return AssignOutcome(teams=teams, receipt=receipt)
