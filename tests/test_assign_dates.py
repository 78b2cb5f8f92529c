"""Dates: an expired certificate cannot be drawn for a visit on a later day, nor anyone on
an unavailable day. Checked against an independent brute force."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.assign import AssignmentProblem, VisitRequest, assign, verify
from randsupervise.errors import InfeasibleAssignment, ValidationError
from randsupervise.model.inspectors import Inspector, InspectorPool

DAY = dt.date(2024, 5, 6)
DAYS = [DAY + dt.timedelta(days=n) for n in range(3)]


def person(i: str, dept: str = "A") -> Inspector:
    return Inspector(
        id=i, name=i, department=dept, certified=True, certificate_number=f"C-{i}", regions={"r"}
    )


def may_serve(problem: AssignmentProblem, m: str, v: VisitRequest) -> bool:
    """The date rule, written from its statement alone."""
    if v.date is None:
        return True
    until = problem.certificates_valid_until.get(m)
    return (until is None or v.date <= until) and (m, v.date) not in problem.unavailable_days


def brute_exists(problem: AssignmentProblem) -> bool:
    options = []
    for v in problem.visits:
        people = [
            p.id
            for p in problem.pool
            if p.department in v.departments
            and (p.id, v.target) not in problem.conflicts
            and may_serve(problem, p.id, v)
        ]
        if v.per_department:
            parts = [
                list(
                    itertools.combinations(
                        [m for m in people if problem.pool[m].department == d], n
                    )
                )
                for d, n in v.sub_teams
            ]
            options.append([sum(c, ()) for c in itertools.product(*parts)])
        else:
            options.append(list(itertools.combinations(people, v.team_size)))
    for combo in itertools.product(*options):
        load: dict[str, int] = {}
        for team in combo:
            for m in team:
                load[m] = load.get(m, 0) + 1
        if all(n <= problem.limit_of(m) for m, n in load.items()):
            return True
    return False


@st.composite
def dated_problems(draw: st.DrawFn) -> AssignmentProblem:
    people = [person(f"A{i}") for i in range(draw(st.integers(2, 5)))] + [
        person(f"B{i}", "B") for i in range(draw(st.integers(0, 3)))
    ]
    ids = [p.id for p in people]
    visits = [
        VisitRequest(
            id=f"V{k}",
            target=f"T{k}",
            region="r",
            departments=draw(st.sampled_from([("A",), ("A",), ("A", "B")])),
            date=draw(st.one_of(st.none(), st.sampled_from(DAYS))),
        )
        for k in range(draw(st.integers(1, 3)))
    ]
    return AssignmentProblem(
        visits=visits,
        pool=InspectorPool(inspectors=people),
        certificates_valid_until=draw(
            st.dictionaries(st.sampled_from(ids), st.sampled_from(DAYS), max_size=3)
        ),
        unavailable_days=draw(
            st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(DAYS)), max_size=3)
        ),
        load_limits=draw(st.one_of(st.none(), st.integers(1, 2))),
    )


@given(dated_problems(), st.integers(0, 2))
def test_dates_feasible_and_lawful_as_brute_force_says(problem: AssignmentProblem, s: int) -> None:
    kw = {
        "certificates_valid_until": problem.certificates_valid_until,
        "unavailable_days": problem.unavailable_days,
        "load_limits": problem.load_limits,
    }
    exists = brute_exists(problem)
    try:
        a = assign(problem.visits, problem.pool, seed=str(s), stream="d", **kw)  # type: ignore[arg-type]
    except InfeasibleAssignment as exc:
        assert not exists, f"false infeasible: {exc.witness}"
        return
    assert exists
    for v in problem.visits:
        assert all(may_serve(problem, m, v) for m in a.team(v.id).officers)
    assert verify(problem, a.receipts).ok


def test_witness_when_certificates_expired_and_days_off() -> None:
    pool = InspectorPool(inspectors=[person("A1"), person("A2"), person("A3")])
    v = VisitRequest(id="V", target="T", region="r", departments=("A",), date=DAY)
    with pytest.raises(InfeasibleAssignment) as exc:
        assign(
            [v], pool, seed="s", stream="d",
            certificates_valid_until={"A1": DAY - dt.timedelta(days=1)},
            unavailable_days=[("A2", DAY)],
        )  # fmt: skip
    assert exc.value.witness.reasons == (
        ("V", "needs 2 eligible officer(s), only 1 available "
         "(2 excluded by recusal, rotation, dates or the team)"),
    )  # fmt: skip
    # valid through the day of the visit: drawable; an undated visit ignores the dates
    a = assign([v], pool, seed="s", stream="d", certificates_valid_until={"A1": DAY},
               unavailable_days=[("A2", DAY)])  # fmt: skip
    assert set(a.team("V").officers) == {"A1", "A3"}
    undated = VisitRequest(id="V", target="T", region="r", departments=("A",))
    assign([undated], pool, seed="s", stream="d", unavailable_days=[("A2", DAY), ("A3", DAY)])


def test_date_inputs_are_checked_and_digested_only_when_given() -> None:
    pool = InspectorPool(inspectors=[person("A1"), person("A2")])
    v = VisitRequest(id="V", target="T", region="r", departments=("A",))
    a = assign([v], pool, seed="s", stream="d")
    assert "unavailable_days" not in a.receipt["inputs"]
    with pytest.raises(ValidationError, match="unavailable_days"):
        assign([v], pool, seed="s", stream="d", unavailable_days=[("A1", "2024-05-06")])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="date"):
        VisitRequest(id="V", target="T", region="r", departments=("A",), date="6 May")  # type: ignore[arg-type]
    dated = VisitRequest(id="V", target="T", region="r", departments=("A",), date=DAY)
    assert VisitRequest(**dated.to_record()) == dated  # the record reads back
