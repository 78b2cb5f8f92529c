"""Builders and brute-force checks shared by the assignment tests (``test_assign_*.py``).

The brute force is written from the rules alone, independently of the engine: it lists
every lawful team of each visit and asks whether one team per visit fits in the load
limits.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from hypothesis import strategies as st

from randsupervise.assign import Assignment, AssignmentProblem, VisitRequest, assign, verify
from randsupervise.errors import InfeasibleAssignment
from randsupervise.model.inspectors import Inspector, InspectorPool
from randsupervise.tickets.seed import Seed

#: The qualification that lets an officer lead a check (主办).
LEAD = "主办"


def person(
    i: str,
    dept: str = "d",
    *,
    tags: Iterable[str] | None = None,
    regions: set[str] | None = None,
    certified: bool = True,
    expert: bool = False,
    available: bool = True,
    lead: bool = False,
) -> Inspector:
    """An inspector of department ``dept`` serving region ``"r"`` unless told otherwise."""
    return Inspector(
        id=i,
        name=i,
        department=dept,
        certified=certified,
        certificate_number=f"C-{i}" if certified else None,
        qualifications=set(tags or ()) | ({LEAD} if lead else set()),
        regions=regions or {"r"},
        expert=expert,
        available=available,
    )


def two_departments(draw: st.DrawFn) -> list[Inspector]:
    """Two to five officers of department A (``A0``...) and up to three of B (``B0``...)."""
    return [person(f"A{i}", "A") for i in range(draw(st.integers(2, 5)))] + [
        person(f"B{i}", "B") for i in range(draw(st.integers(0, 3)))
    ]


def draw_visits(
    draw: st.DrawFn,
    departments: Sequence[tuple[str, ...]],
    targets: int | None = 2,
    **fields: st.SearchStrategy[Any],
) -> list[VisitRequest]:
    """One to three visits ``V0``... in region ``"r"``, their departments drawn from
    ``departments``, their targets from ``T0``... (``targets`` of them; ``None``: one
    target per visit), every other field drawn from its strategy."""
    return [
        VisitRequest(
            id=f"V{k}",
            target=f"T{draw(st.integers(0, targets - 1)) if targets else k}",
            region="r",
            departments=draw(st.sampled_from(list(departments))),
            **{name: draw(strategy) for name, strategy in fields.items()},
        )
        for k in range(draw(st.integers(1, 3)))
    ]


def random_problem(
    draw: st.DrawFn,
    people: Sequence[Inspector],
    visits: Sequence[VisitRequest],
    targets: Sequence[str],
    limits: tuple[int, int, int, int],
    **options: Any,
) -> AssignmentProblem:
    """A problem of ``visits`` over ``people`` with random conflict and rotation pairs on
    ``targets`` (at most ``limits[0]`` and ``limits[1]`` of them) and a random load limit
    (none, or ``limits[2]`` to ``limits[3]``); ``options``: its other inputs."""
    pairs = st.tuples(st.sampled_from([p.id for p in people]), st.sampled_from(list(targets)))
    return AssignmentProblem(
        visits=visits,
        pool=InspectorPool(inspectors=people),
        conflicts=draw(st.lists(pairs, max_size=limits[0])),
        rotation=draw(st.lists(pairs, max_size=limits[1])),
        load_limits=draw(st.one_of(st.none(), st.integers(limits[2], limits[3]))),
        **options,
    )


def officer_teams(v: VisitRequest, offs: Sequence[Inspector]) -> list[tuple[Inspector, ...]]:
    """Every lawful officer team of ``v`` from ``offs`` (eligible officers), by brute force:
    one team with each department and qualification, or a joint visit staffed per
    department as every product of its departments' lawful parts."""
    if not v.per_department:
        return [
            team
            for team in itertools.combinations(offs, v.team_size)
            if all(any(p.department == d for p in team) for d in v.departments)
            and all(any(q in p.tags for p in team) for q in v.qualifications)
        ]
    parts = [
        [
            part
            for part in itertools.combinations([p for p in offs if p.department == d], n)
            if all(any(q in p.tags for p in part) for q in quals)
        ]
        for d, n, quals in v.parts()
    ]
    return [tuple(itertools.chain(*combo)) for combo in itertools.product(*parts)]


def fits_load_limits(
    problem: AssignmentProblem, options: Sequence[Iterable[Iterable[str]]]
) -> bool:
    """Whether one of ``options[k]`` (the lawful teams of visit ``k``, as member ids) per
    visit keeps everyone within their load limit."""
    for combo in itertools.product(*options):
        load = Counter(m for team in combo for m in team)
        if all(n <= problem.limit_of(m) for m, n in load.items()):
            return True
    return False


def assign_as_brute_force_says(
    problem: AssignmentProblem, exists: bool, seed: Seed | str, stream: str
) -> Assignment | None:
    """The assignment of ``problem``, checked against the brute force: infeasible (with a
    witness naming visits, and then ``None``) exactly when no lawful assignment exists."""
    try:
        a = assign(problem, seed=seed, stream=stream)
    except InfeasibleAssignment as exc:
        assert not exists, f"false infeasible: {exc.witness}"
        assert exc.witness.visits
        return None
    assert exists
    return a


def verifies(a: Assignment, problem: AssignmentProblem) -> bool:
    """Whether ``a``'s receipts verify against every input of ``problem``."""
    return verify(problem, a.receipts).ok


def uniform_counts(visit: VisitRequest, pool: InspectorPool, runs: int) -> dict[str, int]:
    """How many times each inspector of ``pool`` serves on ``visit``'s team over ``runs``
    draws with fresh seeds."""
    counts = dict.fromkeys(pool.ids, 0)
    for n in range(runs):
        a = assign([visit], pool, seed=Seed.from_text(f"u{n}"), stream="s")
        for m in a.team(visit.id).officers:
            counts[m] += 1
    return counts


def lawful_options(
    problem: AssignmentProblem, keep: Callable[[VisitRequest, tuple[Inspector, ...]], bool]
) -> list[list[tuple[str, ...]]]:
    """Every lawful officer team (as ids) of each visit that ``keep`` accepts, recusal and
    rotation applied."""
    barred = problem.conflicts | problem.rotation

    def eligible(v: VisitRequest) -> list[Inspector]:
        return [
            p
            for p in problem.pool
            if p.department in v.departments and (p.id, v.target) not in barred
        ]

    return [
        [tuple(p.id for p in t) for t in officer_teams(v, eligible(v)) if keep(v, t)]
        for v in problem.visits
    ]


def matches_brute_force(
    problem: AssignmentProblem,
    options: Sequence[Sequence[tuple[str, ...]]],
    exists: bool,
    seed: str,
) -> Assignment | None:
    """The assignment of ``problem`` (``None``: infeasible, as ``exists`` says), each team
    one of its visit's ``options``, its receipts verifying."""
    a = assign_as_brute_force_says(problem, exists, seed, "b")
    if a is None:
        return None
    for v, opts in zip(problem.visits, options, strict=True):
        assert tuple(sorted(a.team(v.id).officers)) in {tuple(sorted(t)) for t in opts}
    assert verifies(a, problem)
    return a
