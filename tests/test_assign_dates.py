"""Dates: an expired certificate cannot be drawn for a visit on a later day, nor anyone on
an unavailable day. Checked against an independent brute force."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.assign import AssignmentProblem, VisitRequest, assign
from randsupervise.errors import InfeasibleAssignment, ValidationError
from randsupervise.model.inspectors import InspectorPool

import assign_helpers as helpers

DAY = dt.date(2024, 5, 6)
DAYS = [DAY + dt.timedelta(days=n) for n in range(3)]


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
            p
            for p in problem.pool
            if p.department in v.departments
            and (p.id, v.target) not in problem.conflicts
            and may_serve(problem, p.id, v)
        ]
        options.append([[p.id for p in team] for team in helpers.officer_teams(v, people)])
    return helpers.fits_load_limits(problem, options)


@st.composite
def dated_problems(draw: st.DrawFn) -> AssignmentProblem:
    people = helpers.two_departments(draw)
    ids = [p.id for p in people]
    dates = st.one_of(st.none(), st.sampled_from(DAYS))
    visits = helpers.draw_visits(draw, [("A",), ("A",), ("A", "B")], targets=None, date=dates)
    return helpers.random_problem(
        draw, people, visits, ["T0"], (0, 0, 1, 2),
        certificates_valid_until=draw(
            st.dictionaries(st.sampled_from(ids), st.sampled_from(DAYS), max_size=3)
        ),
        unavailable_days=draw(
            st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(DAYS)), max_size=3)
        ),
    )  # fmt: skip


@given(dated_problems(), st.integers(0, 2))
def test_dates_feasible_and_lawful_as_brute_force_says(problem: AssignmentProblem, s: int) -> None:
    a = helpers.assign_as_brute_force_says(problem, brute_exists(problem), str(s), "d")
    if a is None:
        return
    for v in problem.visits:
        assert all(may_serve(problem, m, v) for m in a.team(v.id).officers)
    assert helpers.verifies(a, problem)


def test_witness_when_certificates_expired_and_days_off() -> None:
    pool = InspectorPool(inspectors=[helpers.person(f"A{i}", "A") for i in (1, 2, 3)])
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
    pool = InspectorPool(inspectors=[helpers.person("A1", "A"), helpers.person("A2", "A")])
    v = VisitRequest(id="V", target="T", region="r", departments=("A",))
    a = assign([v], pool, seed="s", stream="d")
    assert "unavailable_days" not in a.receipt["inputs"]
    with pytest.raises(ValidationError, match="unavailable_days"):
        assign([v], pool, seed="s", stream="d", unavailable_days=[("A1", "2024-05-06")])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="date"):
        VisitRequest(id="V", target="T", region="r", departments=("A",), date="6 May")  # type: ignore[arg-type]
    dated = VisitRequest(id="V", target="T", region="r", departments=("A",), date=DAY)
    assert VisitRequest(**dated.to_record()) == dated  # the record reads back
