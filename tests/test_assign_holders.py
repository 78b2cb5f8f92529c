"""A qualification held by at least k officers of a team (``qualification_counts``),
checked against an independent brute force."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from randsupervise.assign import AssignmentProblem, VisitRequest, assign, replace
from randsupervise.errors import InfeasibleAssignment, ValidationError
from randsupervise.model.inspectors import Inspector, InspectorPool

from assign_helpers import (
    fits_load_limits,
    lawful_options,
    matches_brute_force,
    person,
    random_problem,
)

Q = "消防"


def holders_ok(v: VisitRequest, team: tuple[Inspector, ...]) -> bool:
    """The rule written alone: ``n`` holders of each counted qualification among the
    officers (of the lead department's part, when staffed per department)."""
    people = [p for p in team if not v.per_department or p.department == v.departments[0]]
    return all(sum(q in p.tags for p in people) >= n for q, n in v.qualification_counts)


@st.composite
def holder_problems(draw: st.DrawFn) -> AssignmentProblem:
    def tagged(prefix: str, low: int, high: int) -> list[Inspector]:
        n = draw(st.integers(low, high))
        return [person(f"{prefix}{i}", prefix, tags={Q} if draw(st.booleans()) else ())
                for i in range(n)]  # fmt: skip

    people = tagged("A", 2, 5) + tagged("B", 0, 3)
    form = draw(st.sampled_from(["per_department", "one_per_department"]))
    visits = []
    for k in range(draw(st.integers(1, 3))):
        n = draw(st.integers(0, 2))
        visits.append(
            VisitRequest(id=f"V{k}", target=f"T{draw(st.integers(0, 1))}", region="r",
                         departments=draw(st.sampled_from([("A",), ("A", "B")])),
                         joint_rule=form, qualifications={Q} if n else (),
                         qualification_counts={Q: n} if n else {})
        )  # fmt: skip
    return random_problem(draw, people, visits, ["T0", "T1"], (1, 1, 1, 2))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(holder_problems(), st.integers(0, 2))
def test_holders_feasible_and_lawful_as_brute_force_says(
    problem: AssignmentProblem, s: int
) -> None:
    options = lawful_options(problem, holders_ok)
    matches_brute_force(problem, options, fits_load_limits(problem, options), str(s))


def _pool(holding: int, others: int) -> InspectorPool:
    return InspectorPool(
        inspectors=[person(f"H{i}", "A", tags={Q}) for i in range(holding)]
        + [person(f"O{i}", "A") for i in range(others)]
    )


def test_default_is_one_holder_and_leaves_receipts_alone() -> None:
    v = VisitRequest(id="V", target="T", region="r", departments=("A",), qualifications={Q})
    same = VisitRequest(id="V", target="T", region="r", departments=("A",), qualifications={Q},
                        qualification_counts={Q: 1})  # fmt: skip
    assert same.holders(Q) == 1 and v.holders(Q) == 1
    a = assign([v], _pool(2, 3), seed="s", stream="h")
    b = assign([same], _pool(2, 3), seed="s", stream="h")
    assert a.teams == b.teams and a.receipt["inputs"]["visits"] != b.receipt["inputs"]["visits"]
    two = two_holders(v)
    c = assign([two], _pool(2, 3), seed="s", stream="h")
    assert set(c.team("V").officers) == {"H0", "H1"}


def two_holders(v: VisitRequest) -> VisitRequest:
    return VisitRequest(id=v.id, target=v.target, region=v.region, departments=v.departments,
                        qualifications=v.qualifications, qualification_counts={Q: 2})  # fmt: skip


def test_witness_says_how_many_holders_are_missing() -> None:
    v = two_holders(VisitRequest(id="V", target="T", region="r", departments=("A",),
                               qualifications={Q}))  # fmt: skip
    with pytest.raises(InfeasibleAssignment) as exc:
        assign([v], _pool(1, 3), seed="s", stream="h")
    assert exc.value.witness.reasons == (("V", f"needs 2 holders of {Q}, only 1 available"),)
    with pytest.raises(ValidationError, match="qualification_counts"):
        VisitRequest(id="V", target="T", region="r", departments=("A",), qualifications={Q},
                     qualification_counts={Q: 3})  # fmt: skip
    with pytest.raises(ValidationError, match="qualification_counts"):
        VisitRequest(id="V", target="T", region="r", departments=("A",),
                     qualification_counts={Q: 1})  # fmt: skip


def test_replacement_keeps_two_holders() -> None:
    v = two_holders(VisitRequest(id="V", target="T", region="r", departments=("A",),
                               qualifications={Q}))  # fmt: skip
    a = assign([v], _pool(3, 3), seed="s", stream="h")
    b = replace(a, [a.team("V").officers[0]])
    assert all(m.startswith("H") for m in b.team("V").officers)
