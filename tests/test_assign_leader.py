"""The team leader (主办/主查人): one officer of the lead department qualified to lead,
drawn on a stream of its own. Checked against an independent brute force."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.assign import AssignmentProblem, VisitRequest, assign, replace, verify
from randsupervise.errors import InfeasibleAssignment, ValidationError
from randsupervise.model.inspectors import InspectorPool
from randsupervise.tickets.seed import Seed

from assign_helpers import (
    LEAD,
    assign_as_brute_force_says,
    draw_visits,
    fits_load_limits,
    person,
    random_problem,
    verifies,
)


def staffings(problem: AssignmentProblem, v: VisitRequest) -> list[tuple[frozenset[str], str]]:
    """Every lawful (officers, leader) of ``v`` by brute force, ignoring load limits."""
    forbidden = problem.conflicts | problem.rotation
    sizes = dict(v.sub_teams) or {v.departments[0]: v.team_size}
    parts = []
    for d in v.departments:
        people = [
            p.id
            for p in problem.pool
            if p.department == d and p.available and (p.id, v.target) not in forbidden
        ]
        parts.append([frozenset(c) for c in itertools.combinations(people, sizes[d])])
    out = []
    for combo in itertools.product(*parts):
        leaders = [m for m in combo[0] if LEAD in problem.pool[m].qualifications]
        out += [(frozenset().union(*combo), m) for m in leaders]
    return out


@st.composite
def leader_problems(draw: st.DrawFn) -> AssignmentProblem:
    people = [
        person(f"{d}{i}", d, lead=draw(st.booleans()), available=draw(st.integers(0, 4)) > 0)
        for d, n in (("A", draw(st.integers(2, 4))), ("B", draw(st.integers(0, 3))))
        for i in range(n)
    ]
    visits = draw_visits(draw, [("A",), ("A", "B")], leader=st.just(True))
    return random_problem(draw, people, visits, ["T0", "T1"], (2, 0, 1, 2))


@given(leader_problems(), st.integers(0, 2))
def test_leader_feasible_and_lawful_as_brute_force_says(problem: AssignmentProblem, s: int) -> None:
    options = [staffings(problem, v) for v in problem.visits]
    exists = fits_load_limits(problem, [[team for team, _ in opts] for opts in options])
    a = assign_as_brute_force_says(problem, exists, Seed.from_text(str(s)), "l")
    if a is None:
        return
    for v, opts in zip(problem.visits, options, strict=True):
        t = a.team(v.id)
        assert (frozenset(t.officers), t.leader) in opts
        assert t.to_record()["leader"] == t.leader
    assert verifies(a, problem)


def test_witness_when_no_one_free_may_lead() -> None:
    pool = InspectorPool(
        inspectors=[
            *(person("A1", "A", lead=True), person("A2", "A"), person("A3", "A")),
            *(person("B1", "B", lead=True), person("B2", "B", lead=True)),
        ]
    )
    v = VisitRequest(id="V", target="T", region="r", departments=("A", "B"), leader=True)
    with pytest.raises(InfeasibleAssignment) as exc:
        assign([v], pool, seed="s", stream="x", conflicts=[("A1", "T")])
    # B's officers may lead, but the leader comes from the lead department
    assert exc.value.witness.reasons == (
        ("V", "department 'A': no eligible officer holds qualification '主办'"),
    )
    with pytest.raises(ValidationError, match="lead department's own part"):
        VisitRequest(
            id="V", target="T", region="r", departments=("A", "B"), team_size=2,
            joint_rule="one_per_department", leader=True,
        )  # fmt: skip


def test_leader_uniform_among_qualified_members_and_kept_on_replacement() -> None:
    # a team of exactly the three A officers: the leader is one of the two qualified
    pool = InspectorPool(
        inspectors=[person("A1", "A", lead=True), person("A2", "A", lead=True), person("A3", "A")]
    )
    v = VisitRequest(id="V", target="T", region="r", departments=("A",), team_size=3, leader=True)
    counts = {"A1": 0, "A2": 0}
    runs = 1000
    for n in range(runs):
        counts[assign([v], pool, seed=f"u{n}", stream="x").team("V").leader] += 1  # type: ignore[index]
    # binomial(1000, 1/2): |x - 500| < 70 is beyond 4.4 sigma, false alarm below 1e-5
    assert abs(counts["A1"] - runs / 2) < 70
    pool4 = InspectorPool(inspectors=[*pool.inspectors, person("A4", "A")])
    w = VisitRequest(id="W", target="T", region="r", departments=("A",), leader=True)
    a = assign([w], pool4, seed="k", stream="x")
    other = next(m for m in a.team("W").officers if m != a.team("W").leader)
    b = replace(a, [other])
    assert b.team("W").leader == a.team("W").leader
    assert verify(AssignmentProblem(visits=[w], pool=pool4), b.receipts).ok
