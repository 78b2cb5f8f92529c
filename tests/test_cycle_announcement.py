"""One announcement covers every draw of a plan; an assignment has its own."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from randsupervise._core.frozen import thaw
from randsupervise.assign import AssignmentProblem, VisitRequest, announce_assignment, assign
from randsupervise.assign import verify as verify_assignment
from randsupervise.cycle import announce_plan, run_plan, verify_plan
from randsupervise.demo import demo_inputs
from randsupervise.draw import SeedRule
from randsupervise.model.sample import sample_inspectors
from randsupervise.receipts import verify as verify_any

RULE = SeedRule(method="text", source="randsupervise demo 2024: dice", date="2024-01-15")


@pytest.fixture(scope="module")
def year() -> Any:
    plan, registry, items, pool, seed, cal = demo_inputs(2024)
    a = announce_plan(plan, registry, items, pool, cal, seed_rule=RULE, date="2024-01-05")
    run = run_plan(plan, registry, items, pool, seed=a.seed(value="3 1 4 1 5 9 2 6"), calendar=cal)
    assert run.seed == seed
    return plan, registry, items, pool, cal, a, run


def test_the_demo_year_verifies_against_its_announcement(year: Any) -> None:
    plan, registry, items, pool, cal, a, run = year
    assert {d["task"] for d in a.subject["draws"]} == {t.id for t in plan.tasks}
    assert [d["stream"] for d in a.subject["draws"]] == [d.stream for d in run.draws]
    report = verify_plan(run.receipt, plan, registry, items, pool, calendar=cal, announcement=a)
    assert report.ok, report
    report = verify_any(
        dict(run.receipt), plan=plan, registry=registry, items=items, pool=pool,
        calendar=cal, announcement=a.to_json(),
    )  # fmt: skip
    assert report.ok


def test_a_plan_rerun_under_another_task_stream_fails_against_the_announcement(
    year: Any,
) -> None:
    plan, registry, items, pool, cal, a, run = year
    task = plan.tasks[0]
    other = attrs.evolve(
        plan, tasks=(attrs.evolve(task, stream=task.stream + "-b"), *plan.tasks[1:])
    )
    again = run_plan(other, registry, items, pool, seed=run.seed, calendar=cal)
    assert verify_plan(again.receipt, other, registry, items, pool, calendar=cal).ok  # alone: fine
    report = verify_plan(again.receipt, other, registry, items, pool, calendar=cal, announcement=a)
    found = {d.path for d in report.differences}
    assert found == {"plan_digest", "draws[0].stream"}


def test_a_plan_with_another_seed_source_fails(year: Any) -> None:
    plan, registry, items, pool, cal, a, _run = year
    from randsupervise.draw import Seed

    again = run_plan(
        plan, registry, items, pool, seed=Seed.from_text("another ceremony 1 2"), calendar=cal
    )
    report = verify_plan(again.receipt, plan, registry, items, pool, calendar=cal, announcement=a)
    assert {d.path for d in report.differences} == {"seed_source"}


def test_an_assignment_rerun_under_another_stream_fails() -> None:
    pool = sample_inspectors()
    vs = [VisitRequest(id="V1", target="T1", region="东城镇",
                       departments=["文化市场综合行政执法大队"])]  # fmt: skip
    problem = AssignmentProblem(visits=vs, pool=pool)
    a = announce_assignment(problem, stream="2024/teams", seed_rule=RULE, date="2024-01-05")
    seed = a.seed(value="3 1 4 1 5 9 2 6")
    honest = assign(vs, pool, seed=seed, stream="2024/teams")
    assert verify_assignment(problem, honest.receipts, announcement=a).ok
    other = assign(vs, pool, seed=seed, stream="2024/teams-again")
    assert verify_assignment(problem, other.receipts).ok
    report = verify_assignment(problem, other.receipts, announcement=a)
    assert {d.path for d in report.differences} == {"stream"}
    fewer = thaw(a.to_dict())
    assert fewer["kind"] == "assignment"
    report = verify_any(list(honest.receipts), visits=vs, pool=pool, announcement=fewer)
    assert report.ok
