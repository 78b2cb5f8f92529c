"""Joint visits staffed per department (部门联合抽查, "与配合部门分别抽取各自的执法检查人员").

Each department's part is checked against an independent brute force written here from
the rule alone: the part has its size, only that department's certified, available,
eligible officers, and holds its qualifications.
"""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.assign import (
    AssignmentProblem,
    JointRule,
    VisitRequest,
    assign,
    replace,
    verify,
)
from randsupervise.errors import InfeasibleAssignment, ValidationError
from randsupervise.model.inspectors import InspectorPool
from randsupervise.tickets.seed import Seed

from assign_helpers import (
    assign_as_brute_force_says,
    fits_load_limits,
    person,
    random_problem,
    uniform_counts,
)

SEED = Seed.from_text("test-joint")


def joint(i: str, **kw: object) -> VisitRequest:
    args: dict[str, object] = {"target": f"T-{i}", "region": "r", "departments": ("A", "B")}
    args.update(kw)
    return VisitRequest(id=i, **args)  # type: ignore[arg-type]


# --- an independent brute force ----------------------------------------------------------


def lawful_parts(problem: AssignmentProblem, v: VisitRequest) -> list[dict[str, frozenset[str]]]:
    """Every lawful staffing of ``v``'s parts, ignoring load limits: department -> members."""
    sizes = dict(v.sub_teams)
    quals = {d: set(q) for d, q in v.department_qualifications}
    quals.setdefault(v.departments[0], set()).update(v.qualifications)
    forbidden = problem.conflicts | problem.rotation
    options = []
    for d in v.departments:
        people = [
            p
            for p in problem.pool
            if p.department == d
            and p.available
            and p.certified
            and not p.expert
            and (p.id, v.target) not in forbidden
        ]
        options.append(
            [
                frozenset(p.id for p in part)
                for part in itertools.combinations(people, sizes[d])
                if all(any(q in p.tags for p in part) for q in quals.get(d, ()))
            ]
        )
    return [dict(zip(v.departments, combo, strict=True)) for combo in itertools.product(*options)]


def brute_exists(problem: AssignmentProblem) -> bool:
    options = [
        [[m for part in staffing.values() for m in part] for staffing in lawful_parts(problem, v)]
        for v in problem.visits
    ]
    return fits_load_limits(problem, options)


@st.composite
def joint_problems(draw: st.DrawFn) -> AssignmentProblem:
    people = [
        person(
            f"{d}{i}",
            d,
            tags=draw(st.sets(st.sampled_from("xy"), max_size=1)),
            available=draw(st.integers(0, 4)) > 0,
        )
        for d, n in (("A", draw(st.integers(1, 4))), ("B", draw(st.integers(1, 4))))
        for i in range(n)
    ]
    visits = []
    for k in range(draw(st.integers(1, 3))):
        depts = draw(st.sampled_from([("A", "B"), ("B", "A"), ("A", "B")]))
        visits.append(
            VisitRequest(
                id=f"V{k}",
                target=f"T{draw(st.integers(0, 1))}",
                region="r",
                departments=depts,
                qualifications=draw(st.sets(st.sampled_from("xy"), max_size=1)),
                sub_teams={d: draw(st.integers(2, 3)) for d in depts},
                department_qualifications={
                    d: draw(st.sets(st.sampled_from("xy"), max_size=1)) for d in depts
                },
            )
        )
    return random_problem(draw, people, visits, ["T0", "T1"], (2, 0, 1, 2))


@given(joint_problems(), st.integers(0, 2))
def test_parts_feasible_and_lawful_as_brute_force_says(problem: AssignmentProblem, s: int) -> None:
    a = assign_as_brute_force_says(problem, brute_exists(problem), Seed.from_text(str(s)), "j")
    if a is None:
        return
    for v in problem.visits:
        team = a.team(v.id)
        staffing = {d: frozenset(m) for d, m in team.by_department}
        assert [d for d, _ in team.by_department] == list(v.departments)
        assert staffing in lawful_parts(problem, v)
        assert sorted(team.officers) == sorted(m for part in staffing.values() for m in part)
    for m, n in a.loads().items():
        assert n <= problem.limit_of(m)


# --- witness -----------------------------------------------------------------------------


def test_witness_names_the_department_with_one_officer_free() -> None:
    pool = InspectorPool(
        inspectors=[person("A1", "A"), person("A2", "A"), person("B1", "B"), person("B2", "B")]
    )
    with pytest.raises(InfeasibleAssignment) as exc:
        assign([joint("V1")], pool, seed=SEED, stream="s", conflicts=[("B2", "T-V1")])
    w = exc.value.witness
    assert w.kind == "visit" and w.visits == ("V1",)
    assert w.reasons == (
        ("V1", "department 'B': needs 2 eligible officer(s), only 1 available "
         "(1 excluded by recusal, rotation, dates or the team)"),
    )  # fmt: skip
    assert "department 'B'" in str(exc.value)
    # the same pool staffs the one-team form (one officer of each department)
    one = joint("V1", team_size=2, joint_rule=JointRule.ONE_PER_DEPARTMENT)
    a = assign([one], pool, seed=SEED, stream="s", conflicts=[("B2", "T-V1")])
    assert a.team("V1").officers in (("A1", "B1"), ("A2", "B1")) and not a.team("V1").by_department


def test_witness_names_the_department_without_the_qualification() -> None:
    pool = InspectorPool(
        inspectors=[
            person("A1", "A", tags={"消防"}),
            person("A2", "A"),
            person("B1", "B"),
            person("B2", "B"),
        ]
    )
    with pytest.raises(InfeasibleAssignment) as exc:
        assign(
            [joint("V1", department_qualifications={"B": {"消防"}})], pool, seed=SEED, stream="s"
        )
    assert exc.value.witness.reasons == (
        ("V1", "department 'B': no eligible officer holds qualification '消防'"),
    )


# --- independence, uniformity, replacement, receipts -------------------------------------


def test_a_department_draw_does_not_depend_on_another_department_pool() -> None:
    lead = [person(f"A{i}", "A") for i in range(6)]
    for n in range(20):
        seed = Seed.from_text(f"ind{n}")
        small = InspectorPool(inspectors=[*lead, *(person(f"B{i}", "B") for i in range(2))])
        large = InspectorPool(inspectors=[*lead, *(person(f"B{i}", "B") for i in range(7))])
        a = assign([joint("V")], small, seed=seed, stream="s").team("V")
        b = assign([joint("V")], large, seed=seed, stream="s").team("V")
        assert a.by_department[0] == b.by_department[0]


def test_each_part_uniform_among_its_department() -> None:
    pool = InspectorPool(
        inspectors=[person(f"A{i}", "A") for i in range(5)]
        + [person(f"B{i}", "B") for i in range(4)]
    )
    runs = 1500
    counts = uniform_counts(joint("V"), pool, runs)
    a = [counts[f"A{i}"] for i in range(5)]
    b = [counts[f"B{i}"] for i in range(4)]
    assert sum(a) == sum(b) == 2 * runs

    def chi2(xs: list[int]) -> float:
        e = sum(xs) / len(xs)
        return sum((x - e) ** 2 / e for x in xs)

    # 4 and 3 degrees of freedom, 99.9% points 18.47 and 16.27: below 0.2% with fresh seeds
    assert chi2(a) < 18.47 and chi2(b) < 16.27


def test_replacement_moves_only_the_affected_part_and_receipts_verify() -> None:
    pool = InspectorPool(
        inspectors=[person(f"A{i}", "A") for i in range(6)]
        + [person(f"B{i}", "B") for i in range(6)]
    )
    visits = [joint(f"V{k}") for k in range(4)] + [
        VisitRequest(id="W", target="T-W", region="r", departments=("A",))
    ]
    a = assign(visits, pool, seed=SEED, stream="s")
    rec = {t["visit"]: t for t in a.receipt["teams"]}
    assert rec["V0"]["by_department"] == {d: list(m) for d, m in a.team("V0").by_department}
    assert "by_department" not in rec["W"]
    assert a.receipt["algorithm_version"] == 2
    gone = a.team("V0").by_department[1][1][0]
    b = replace(a, [gone])
    for t in a.teams:
        if gone not in t.members:
            assert b.team(t.visit) == t
    before, after = dict(a.team("V0").by_department), dict(b.team("V0").by_department)
    assert before["A"] == after["A"] and gone not in after["B"]
    assert set(before["B"]) - {gone} <= set(after["B"])
    problem = AssignmentProblem(visits=visits, pool=pool)
    assert verify(problem, b.receipts).ok
    forged = json.loads(json.dumps(list(b.receipts), ensure_ascii=False))
    forged[0]["teams"][0]["by_department"]["A"].reverse()
    assert not verify(problem, forged).ok


def test_algorithm_version_1_refuses_parts_and_keeps_the_one_team_form() -> None:
    pool = InspectorPool(inspectors=[person(f"{d}{i}", d) for d in "AB" for i in range(3)])
    with pytest.raises(ValidationError, match="algorithm version 1"):
        assign([joint("V")], pool, seed=SEED, stream="s", algorithm_version=1)
    one = [joint("V", team_size=3, joint_rule="one_per_department")]
    a = assign(one, pool, seed=SEED, stream="s", algorithm_version=1)
    assert a.receipt["algorithm_version"] == 1
    assert verify(AssignmentProblem(visits=one, pool=pool), a.receipts).ok
    # the one-team form draws the same team under either algorithm version
    assert assign(one, pool, seed=SEED, stream="s").teams == a.teams


def test_the_plan_staffs_joint_visits_per_department() -> None:
    from randsupervise.cycle import run_plan, verify_plan
    from randsupervise.demo import demo_inputs

    plan, registry, items, pool, seed, cal = demo_inputs(2024)
    run = run_plan(plan, registry, items, pool, seed=seed, calendar=cal)
    joint_visits = [v for v in run.visits if v.is_joint]
    assert joint_visits
    for v in joint_visits:
        team = run.assignment.team(v.id)
        assert [d for d, _ in team.by_department] == list(v.departments)
        for d, members in team.by_department:
            assert len(members) == 2 and all(pool[m].department == d for m in members)
    assert run.assignment.receipt["algorithm_version"] == 2
    assert verify_plan(run.receipt, plan, registry, items, pool, calendar=cal).ok


@given(st.integers(1, 40), st.integers(2, 6), st.integers(0, 3))
def test_loads_of_identical_officers_differ_by_at_most_one_across_parts(
    n_visits: int, n_partner: int, s: int
) -> None:
    pool = InspectorPool(
        inspectors=[person(f"A{i}", "A") for i in range(7)]
        + [person(f"B{i}", "B") for i in range(n_partner)]
    )
    visits = [joint(f"V{k}") for k in range(n_visits)] + [
        VisitRequest(id=f"W{k}", target=f"T-W{k}", region="r", departments=("A",))
        for k in range(n_visits // 2)
    ]
    loads = assign(visits, pool, seed=str(s), stream="f").loads()
    for d in "AB":
        xs = [n for m, n in loads.items() if m.startswith(d)]
        assert max(xs) - min(xs) <= 1, (d, xs)
