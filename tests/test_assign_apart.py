"""Officers who must not serve together (relatives, supervisor and subordinate), checked
against an independent brute force."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.assign import AssignmentProblem, VisitRequest, assign, replace, verify
from randsupervise.errors import InfeasibleAssignment, ValidationError
from randsupervise.model.inspectors import Inspector, InspectorPool

from assign_helpers import (
    assign_as_brute_force_says,
    draw_visits,
    fits_load_limits,
    officer_teams,
    person,
    random_problem,
    two_departments,
    verifies,
)


def teams_of(problem: AssignmentProblem, v: VisitRequest) -> list[tuple[str, ...]]:
    """Every lawful officer team of ``v`` (as ids) with no apart pair, by brute force."""
    people = [
        p
        for p in problem.pool
        if p.department in v.departments and (p.id, v.target) not in problem.conflicts
    ]
    return [
        ids
        for ids in (tuple(p.id for p in team) for team in officer_teams(v, people))
        if not any(tuple(sorted(pair)) in problem.apart for pair in itertools.combinations(ids, 2))
    ]


@st.composite
def apart_problems(draw: st.DrawFn) -> AssignmentProblem:
    people = two_departments(draw)
    ids = [p.id for p in people]
    visits = draw_visits(draw, [("A",), ("A",), ("A", "B")])
    pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids)).filter(lambda p: p[0] != p[1])
    apart = draw(st.lists(pairs, max_size=4))
    return random_problem(draw, people, visits, ["T0"], (1, 0, 1, 2), apart=apart)


@given(apart_problems(), st.integers(0, 2))
def test_apart_feasible_and_lawful_as_brute_force_says(problem: AssignmentProblem, s: int) -> None:
    options = [teams_of(problem, v) for v in problem.visits]
    a = assign_as_brute_force_says(problem, fits_load_limits(problem, options), str(s), "p")
    if a is None:
        return
    for v, opts in zip(problem.visits, options, strict=True):
        assert tuple(sorted(a.team(v.id).officers)) in {tuple(sorted(t)) for t in opts}
    assert verifies(a, problem)


def test_witness_when_every_pair_is_apart() -> None:
    pool = InspectorPool(inspectors=[person("A1", "A"), person("A2", "A"), person("A3", "A")])
    v = VisitRequest(id="V", target="T", region="r", departments=("A",))
    apart = [("A1", "A2"), ("A3", "A1"), ("A2", "A3")]
    with pytest.raises(InfeasibleAssignment) as exc:
        assign([v], pool, seed="s", stream="p", apart=apart)
    assert exc.value.witness.reasons == (
        ("V", "no 2 officer(s) meeting its requirements may serve together (apart pairs)"),
    )
    with pytest.raises(ValidationError, match="two different inspector ids"):
        assign([v], pool, seed="s", stream="p", apart=[("A1", "A1")])


def test_replacement_keeps_apart_from_the_kept_member() -> None:
    pool = InspectorPool(inspectors=[person(f"A{i}", "A") for i in range(1, 5)])
    v = VisitRequest(id="V", target="T", region="r", departments=("A",))
    a = assign([v], pool, seed="s", stream="p", apart=[("A1", "A4"), ("A2", "A4"), ("A3", "A4")])
    assert "A4" not in a.team("V").officers
    gone = a.team("V").officers[0]
    with pytest.raises(InfeasibleAssignment):
        # the one left is kept; no one else may serve with it... except A4, who may not
        replace(
            assign([v], InspectorPool(inspectors=[*pool.inspectors[:2], pool.inspectors[3]]),
                   seed="s", stream="p", apart=[("A1", "A4"), ("A2", "A4")]),
            ["A1"],
        )  # fmt: skip
    b = replace(a, [gone])
    assert "A4" not in b.team("V").officers and gone not in b.team("V").officers


def test_every_rule_together_is_order_invariant_and_verifies() -> None:
    import datetime as dt
    import random

    lead = [
        Inspector(id=f"A{i}", name=f"A{i}", department="A", certified=True,
                  certificate_number=f"C{i}", regions={"r"},
                  qualifications={"主办"} if i % 2 else set())
        for i in range(8)
    ]  # fmt: skip
    pool = InspectorPool(inspectors=[*lead, *(person(f"B{i}", "B") for i in range(6))])
    day = dt.date(2024, 5, 6)
    visits = [
        VisitRequest(
            id=f"V{k}",
            target=f"T{k % 3}",
            region="r",
            departments=("A", "B") if k % 2 else ("A",),
            leader=k % 3 == 0,
            date=day if k % 4 == 0 else None,
        )
        for k in range(8)
    ]
    kw = {
        "apart": [("A1", "B1"), ("A2", "A3")],
        "unavailable_days": [("A5", day)],
        "certificates_valid_until": {"B2": day - dt.timedelta(days=1)},
        "conflicts": [("A0", "T0")],
        "load_limits": 4,
    }
    a = assign(visits, pool, seed="all", stream="p", **kw)  # type: ignore[arg-type]
    shuffled = visits[:]
    random.Random(3).shuffle(shuffled)
    b = assign(shuffled, pool, seed="all", stream="p", **kw)  # type: ignore[arg-type]
    assert a.teams == b.teams and a.receipt == b.receipt
    assert verify(AssignmentProblem(visits=shuffled, pool=pool, **kw), a.receipts).ok  # type: ignore[arg-type]
