"""The lawfulness re-check refuses a joint team whose parts break the parts rule.

Promise: for each way a joint team staffed per department can break the parts rule (its
parts not the visit's departments, not the team's officers, a part of the wrong size,
with an officer of another department, unknown or twice, or missing its qualification;
parts on a visit without them), the re-check run on every output names the team, when
the team is one of several lawful ones screened together.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

from randsupervise.assign import AssignmentProblem, VisitRequest, assign
from randsupervise.assign.lawful import _lawful_problems
from randsupervise.assign.team import Team
from randsupervise.model.inspectors import InspectorPool
from randsupervise.tickets.seed import Seed

from assign_helpers import person


def _problem() -> AssignmentProblem:
    pool = InspectorPool(
        inspectors=[person(f"A{k}", "A") for k in range(6)]
        + [person(f"B{k}", "B", tags={"q"} if k < 3 else set()) for k in range(6)]
    )
    visits = [
        VisitRequest(
            id=f"V{k}",
            target=f"T{k}",
            region="r",
            departments=("A", "B"),
            department_qualifications={"B": {"q"}},
        )
        for k in range(3)
    ] + [VisitRequest(id="W", target="TW", region="r", departments=("A",))]
    return AssignmentProblem(visits=visits, pool=pool)


def _swap(t: Team, d: str, members: tuple[str, ...]) -> Team:
    return attrs.evolve(
        t, by_department=tuple((x, members if x == d else m) for x, m in t.by_department)
    )


def _with_b(t: Team, members: tuple[str, ...]) -> Team:
    """``t`` with department B's part ``members``, the team's officers to match."""
    u = _swap(t, "B", members)
    return attrs.evolve(u, officers=tuple(sorted(m for _, ms in u.by_department for m in ms)))


def _no_q(t: Team) -> tuple[str, ...]:
    return ("B4", "B5")


FORGED: dict[str, tuple[Callable[[Team], Team], str]] = {
    "departments out of order": (
        lambda t: attrs.evolve(t, by_department=t.by_department[::-1]),
        "are not the visit's departments",
    ),
    "a department missing": (
        lambda t: attrs.evolve(t, by_department=t.by_department[:1]),
        "are not the visit's departments",
    ),
    "parts not the team's officers": (
        lambda t: _swap(t, "A", tuple(m for m in ("A0", "A1", "A2") if m not in t.officers)[:2]),
        "the parts are not the team's officers",
    ),
    "a part too small": (
        lambda t: _with_b(t, dict(t.by_department)["B"][:1]),
        "department 'B' needs 2 distinct officers of its own",
    ),
    "an officer of another department": (
        lambda t: _with_b(t, (dict(t.by_department)["B"][0], "A5")),
        "department 'B' needs 2 distinct officers of its own",
    ),
    "an officer twice": (
        lambda t: _swap(t, "B", (dict(t.by_department)["B"][0],) * 2),
        "department 'B' needs 2 distinct officers of its own",
    ),
    "an unknown officer": (
        lambda t: _with_b(t, (dict(t.by_department)["B"][0], "nobody")),
        "department 'B' needs 2 distinct officers of its own",
    ),
    "a qualification missing": (
        lambda t: _with_b(t, _no_q(t)),
        "no officer of department 'B' holds q",
    ),
}


@pytest.mark.parametrize("how", sorted(FORGED))
def test_the_recheck_refuses_each_broken_part(how: str) -> None:
    a = assign(_problem(), seed=Seed.from_text("parts-check"), stream="t")
    assert _lawful_problems(a.problem, a.teams) == []
    forge, message = FORGED[how]
    teams = list(a.teams)
    teams[1] = forge(teams[1])
    assert teams[1] != a.teams[1]
    problems = _lawful_problems(a.problem, teams)
    assert any(p.startswith("V1: ") and message in p for p in problems), problems
    assert not any(p.startswith(("V0", "V2")) for p in problems)


def test_the_recheck_refuses_parts_on_a_visit_without_them() -> None:
    a = assign(_problem(), seed=Seed.from_text("parts-check"), stream="t")
    teams = list(a.teams)
    w = teams[-1]
    teams[-1] = attrs.evolve(w, by_department=(("A", w.officers),))
    assert "W: a team with parts, but the visit has none" in _lawful_problems(a.problem, teams)
