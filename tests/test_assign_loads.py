"""Loads: a joint visit counting for more than one visit (``joint_load``) and load limits
per period (``period_limits``), checked against an independent brute force."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Sequence

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from randsupervise.assign import AssignmentProblem, VisitRequest, assign, replace
from randsupervise.errors import InfeasibleAssignment, ValidationError
from randsupervise.model.inspectors import InspectorPool

from assign_helpers import (
    draw_visits,
    lawful_options,
    matches_brute_force,
    person,
    random_problem,
    two_departments,
)

JOINT_FORMS = st.sampled_from(["per_department", "one_per_department"])


def weight(problem: AssignmentProblem, v: VisitRequest) -> int:
    """The load of ``v`` written from the rule: a joint visit weighs ``joint_load``."""
    return problem.joint_load if len(v.departments) >= 2 else 1


def within_limits(problem: AssignmentProblem, teams: Sequence[Sequence[str]]) -> bool:
    """Whether ``teams`` (one per visit, in order) keep every summed load within its limit,
    over the year and within each period (``period`` or the month of ``date``)."""
    load: Counter[str] = Counter()
    per: Counter[tuple[str, str]] = Counter()
    for v, team in zip(problem.visits, teams, strict=True):
        label = v.period or (v.date.strftime("%Y-%m") if v.date else None)
        for m in team:
            load[m] += weight(problem, v)
            if label is not None:
                per[m, label] += weight(problem, v)
    lim = problem.period_limits
    return all(n <= problem.limit_of(m) for m, n in load.items()) and all(
        lim is None or n <= (lim if isinstance(lim, int) else lim.get(m, n))
        for (m, _), n in per.items()
    )


def fits_weighted(problem: AssignmentProblem, options: list[list[tuple[str, ...]]]) -> bool:
    """Whether one team per visit keeps every load within its limits."""
    return any(within_limits(problem, combo) for combo in itertools.product(*options))


@st.composite
def weighted_problems(draw: st.DrawFn) -> AssignmentProblem:
    people = two_departments(draw)
    form = draw(JOINT_FORMS)
    visits = [
        VisitRequest(id=v.id, target=v.target, region=v.region, departments=v.departments,
                     joint_rule=form)
        for v in draw_visits(draw, [("A",), ("A", "B"), ("A", "B")])
    ]  # fmt: skip
    visits = [
        attrs.evolve(v, period=draw(st.sampled_from([None, "2024-05", "batch-2"]))) for v in visits
    ]
    jl = draw(st.integers(1, 3))
    per = draw(st.one_of(st.none(), st.integers(0, 3)))
    return random_problem(
        draw, people, visits, ["T0", "T1"], (1, 1, 1, 4), joint_load=jl, period_limits=per
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weighted_problems(), st.integers(0, 2))
def test_joint_load_feasible_and_lawful_as_brute_force_says(
    problem: AssignmentProblem, s: int
) -> None:
    options = lawful_options(problem, lambda v, t: True)
    a = matches_brute_force(problem, options, fits_weighted(problem, options), str(s))
    if a is None:
        return
    load: Counter[str] = Counter()
    for v in problem.visits:
        for m in a.team(v.id).officers:
            load[m] += weight(problem, v)
    assert within_limits(problem, [a.team(v.id).officers for v in problem.visits])
    assert {m: n for m, n in a.loads().items() if n} == dict(load)


def _pool(n_a: int, n_b: int) -> InspectorPool:
    return InspectorPool(
        inspectors=[person(f"A{i}", "A") for i in range(n_a)]
        + [person(f"B{i}", "B") for i in range(n_b)]
    )


def test_default_is_one_and_leaves_teams_and_receipts_alone() -> None:
    pool = _pool(4, 3)
    vs = [VisitRequest(id=f"V{k}", target=f"T{k}", region="r", departments=("A", "B")[: 1 + k % 2])
          for k in range(4)]  # fmt: skip
    a = assign(vs, pool, seed="s", stream="w", load_limits=4)
    b = assign(vs, pool, seed="s", stream="w", load_limits=4, joint_load=1)
    assert a.teams == b.teams and a.receipt == b.receipt
    assert "joint_load" not in a.receipt["inputs"]
    c = assign(vs, pool, seed="s", stream="w", load_limits=4, joint_load=2)
    assert "joint_load" in c.receipt["inputs"]
    assert max(c.loads().values()) <= 4


def test_witness_names_the_visit_whose_load_nobody_can_carry() -> None:
    v = VisitRequest(id="V", target="T", region="r", departments=("A", "B"))
    with pytest.raises(InfeasibleAssignment) as exc:
        assign([v], _pool(2, 2), seed="s", stream="w", load_limits=1, joint_load=2)
    assert exc.value.witness.visits == ("V",)
    assert exc.value.witness.reasons == tuple(
        ("V", f"department {d!r}: needs 2 eligible officer(s), only 0 available "
              "(a member carries a load of 2 here)")
        for d in ("A", "B")
    )  # fmt: skip
    assign([v], _pool(2, 2), seed="s", stream="w", load_limits=2, joint_load=2)
    with pytest.raises(ValidationError, match="joint_load"):
        AssignmentProblem(visits=[v], pool=_pool(2, 2), joint_load=0)


def test_replacement_counts_the_joint_load_of_the_teams_kept() -> None:
    pool = _pool(5, 2)
    vs = [
        VisitRequest(id="J", target="T0", region="r", departments=("A", "B")),
        VisitRequest(id="S", target="T1", region="r", departments=("A",)),
    ]
    a = assign(vs, pool, seed="s", stream="w", load_limits=2, joint_load=2)
    gone = a.team("S").officers[0]  # J's officers carry 2 each: full, so not on S
    b = replace(a, [gone])
    assert not set(b.team("S").officers) & set(a.team("J").officers)
    assert b.team("J") == a.team("J")


def test_period_limits_spread_a_month_and_the_witness_names_the_visits() -> None:
    pool = _pool(4, 0)
    may = [VisitRequest(id=f"V{k}", target=f"T{k}", region="r", departments=("A",),
                        date=dt.date(2024, 5, 1 + k)) for k in range(2)]  # fmt: skip
    a = assign(may, pool, seed="s", stream="p", period_limits=1)
    assert not set(a.team("V0").officers) & set(a.team("V1").officers)
    assert a.period_loads() == {(m, "2024-05"): 1 for t in a.teams for m in t.officers}
    assert "period_limits" in a.receipt["inputs"]
    assert "period_limits" not in assign(may, pool, seed="s", stream="p").receipt["inputs"]
    june = attrs.evolve(may[1], date=dt.date(2024, 6, 1))
    assign([may[0], june], _pool(2, 0), seed="s", stream="p", period_limits=1)
    with pytest.raises(InfeasibleAssignment) as exc:
        assign(may, _pool(3, 0), seed="s", stream="p", period_limits=1)
    assert exc.value.witness.visits == ("V0", "V1")
    w = exc.value.witness
    assert (w.kind, w.requirement, w.demand, w.supply) == ("capacity", "period 2024-05", 4, 3)
    assert "within period 2024-05" in str(w)
    batch = [attrs.evolve(v, period="batch-1") for v in may]
    with pytest.raises(InfeasibleAssignment):
        assign(batch, _pool(3, 0), seed="s", stream="p", period_limits={"A0": 1, "A1": 1, "A2": 1})
    with pytest.raises(ValidationError, match="period_limits"):
        AssignmentProblem(visits=may, pool=pool, period_limits=-1)


def test_replacement_counts_the_period_load_of_the_teams_kept() -> None:
    may = [VisitRequest(id=f"V{k}", target=f"T{k}", region="r", departments=("A",),
                        period="2024-05") for k in range(2)]  # fmt: skip
    a = assign(may, _pool(5, 0), seed="s", stream="p", period_limits=1)
    gone = a.team("V0").officers[0]
    b = replace(a, [gone])
    assert not set(b.team("V0").officers) & set(b.team("V1").officers)
    assert b.team("V1") == a.team("V1")
