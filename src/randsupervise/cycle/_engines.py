"""Adapters from the annual cycle to the draw and assignment engines.

The cycle never selects targets or inspectors itself: every draw goes through the draw
engine (``randsupervise.draw``) and every team through the assignment engine
(``randsupervise.assign``). This module holds the thin glue: it turns a task's draw into
an engine call and the engine's result into what the cycle needs (ids in ticket order,
inclusion probabilities, a JSON-able receipt).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.canonical import sha256_hex
from randsupervise.assign import (
    ALGORITHM_VERSION,
    MIN_TEAM_SIZE,
    Assignment,
    JointRule,
    RegionRule,
    VisitRequest,
    assign,
)
from randsupervise.draw import (
    Draw,
    DrawPolicy,
    HistoryEntry,
    Seed,
    frequency_exclusions,
    run_policy,
)
from randsupervise.draw.allocation import ItemRule
from randsupervise.model import RiskClass, TargetRegistry
from randsupervise.model.inspectors import InspectorPool
from randsupervise.model.items import ItemList

__all__ = ["assign_teams", "classes_and_probabilities", "draw_counts"]


def draw_counts(
    registry: TargetRegistry,
    seed: Seed,
    stream: str,
    *,
    counts: Mapping[RiskClass, int],
    where: Mapping[str, Sequence[str]],
    excluded: Sequence[str],
    batches: int,
    frequency_items: Sequence[ItemRule] = (),
    history: Sequence[HistoryEntry] | None = None,
    version: int = 2,
    where_mask: npt.NDArray[np.bool_] | None = None,
) -> Draw:
    """One equal-probability draw through the draw engine (``randsupervise.draw``): the
    engine's own :class:`~randsupervise.draw.Draw`, which the plan keeps.

    ``where`` is the targeted-draw filter and ``batches`` the number of batches. From
    draw version 2, frequency limits are the draw engine's own rule
    (:func:`~randsupervise.draw.frequency.frequency_exclusions` over ``frequency_items`` and
    the year's ``history`` so far), so the draw's receipt verifies on its own with that
    history. Version 1 (kept to verify old plan receipts) took the plan's ``excluded`` ids
    with a digest of their list. ``where_mask`` is the rows ``where`` accepts, when
    known (the plan's check computed it).
    """
    policy = DrawPolicy(
        stratify="risk_class",
        method="smallest",
        counts={c.name: int(n) for c, n in counts.items()},
        where=dict(where),
        batches=batches,
        frequency_items=frequency_items if version >= 2 else (),
    )
    if version >= 2:
        ex, h_digest, h_entries = frequency_exclusions(registry, policy.limited_items, history)
        excluded = list(ex)
    else:
        h_digest = sha256_hex(sorted(excluded)) if excluded else None
        h_entries = len(excluded)
    return run_policy(
        registry,
        seed=seed,
        stream=stream,
        policy=policy,
        excluded=excluded,
        history_digest=h_digest,
        history_entries=h_entries,
        version=version,
        where_mask=where_mask,
    )


def classes_and_probabilities(d: Draw) -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Each selected unit's risk class and inclusion probability, parallel to
    :attr:`~randsupervise.draw.Draw.ids` (a view of the draw, not a copy of its fields)."""
    # per selected unit by table look-ups on its class code, not one object per unit
    members = tuple(RiskClass)
    codes = d.require_registry("risk classes").risk_codes[d.positions].tolist()
    prob_of = {label: (s.inclusion_probability or 0.0) for label, s in d.strata.items()}
    prob_by_code = [prob_of.get(c.name) for c in members]
    return (
        tuple(members[k].name for k in codes),
        tuple(_known(prob_by_code[k], members[k]) for k in codes),
    )


def _known(p: float | None, cls: RiskClass) -> float:
    if p is None:  # a selected unit always belongs to a drawn stratum
        raise KeyError(cls.name)
    return p


def assign_teams(
    visits: Sequence[Any],
    pool: InspectorPool,
    seed: Seed,
    stream: str,
    *,
    items: ItemList | None = None,
    conflicts: Iterable[tuple[str, str]] = (),
    rotation: Iterable[tuple[str, str]] = (),
    load_limits: int | Mapping[str, int] | None = None,
    region_rule: RegionRule | None = None,
    joint_load: int = 1,
    period_limits: int | Mapping[str, int] | None = None,
    version: int = 2,
    algorithm_version: int = ALGORITHM_VERSION,
) -> Assignment:
    """Lawful teams for the cycle's visits through the assignment engine.

    Each visit becomes a :class:`~randsupervise.assign.VisitRequest`: its target, region,
    departments (lead first) and qualifications. A visit of one department gets two
    certified officers holding its items' qualifications. A joint visit is staffed per
    department (部门联合抽查, "与配合部门分别抽取各自的执法检查人员"): each department
    draws its own part of two officers, holding the qualifications of that department's
    items (items of a department not taking part fall to the lead). Under assignment
    algorithm version 1 (kept to recompute earlier receipts) a joint visit had one team of
    ``max(2, number of departments)`` officers, one of each department. With
    ``period_limits``, a visit's period is its batch (its first ``task/batch`` label), so
    the limits are per batch.
    """
    requests = [
        _one_team_request(v)
        if algorithm_version == 1
        else _parts_request(v, items)
        if len(v.departments) >= 2
        else _request(v, qualifications=v.qualifications)
        for v in visits
    ]
    if period_limits is not None:  # the period only when limited: receipts keep their form
        requests = [
            attrs.evolve(r, period=v.batches[0]) for r, v in zip(requests, visits, strict=True)
        ]
    return assign(
        requests,
        pool,
        seed=seed,
        stream=stream,
        conflicts=conflicts,
        rotation=rotation,
        load_limits=load_limits,
        region_rule=region_rule,
        joint_load=joint_load,
        period_limits=period_limits,
        receipt_version=version,
        algorithm_version=algorithm_version,
    )


def _request(v: Any, **staffing: Any) -> VisitRequest:
    """The visit's target, region, departments (lead first) and expert places (its
    tasks', 国发〔2019〕5号), staffed as ``staffing`` says (qualifications,
    per-department qualifications, team size, joint rule)."""
    return VisitRequest(
        id=v.id, target=v.target_id, region=v.region, departments=v.departments,
        experts=getattr(v, "experts", 0), expert_tags=getattr(v, "expert_tags", frozenset()),
        **staffing,
    )  # fmt: skip


def _one_team_request(v: Any) -> VisitRequest:
    """A visit as algorithm version 1 staffed it: one team, one officer per department."""
    return _request(
        v,
        qualifications=v.qualifications,
        team_size=max(MIN_TEAM_SIZE, len(v.departments)),
        joint_rule=JointRule.ONE_PER_DEPARTMENT,
    )


def _parts_request(v: Any, items: ItemList | None) -> VisitRequest:
    """A joint visit staffed per department: each item's qualifications go to the part of
    its department (to the lead's when its department does not take part, or when the
    items are not given)."""
    lead = v.departments[0]
    quals: dict[str, set[str]] = {d: set() for d in v.departments}
    placed: set[str] = set()
    for item_id in v.items if items is not None else ():
        item = items.get(item_id) if items is not None else None
        if item is None:
            continue
        d = item.department if item.department in quals else lead
        quals[d] |= item.required_qualifications
        placed |= item.required_qualifications
    quals[lead] |= set(v.qualifications) - placed
    return _request(v, department_qualifications={d: frozenset(q) for d, q in quals.items() if q})
