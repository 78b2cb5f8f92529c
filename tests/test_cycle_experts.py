"""Experts through the plan (国发〔2019〕5号): a task names its expert places and their
expertise; every visit of the task gets them on top of the certified officers, and the
plan receipt recomputes them."""

from __future__ import annotations

import attrs
import pytest

from randsupervise.cycle import run_plan, verify_plan
from randsupervise.cycle.sample import SampleYear, sample_plan, sample_year
from randsupervise.cycle.visits import Visit, visits_digest
from randsupervise.errors import ValidationError
from randsupervise.interop import plan_from_toml, plan_to_toml
from randsupervise.tickets import Seed


@pytest.fixture(scope="module")
def year() -> SampleYear:
    return sample_year(2024)


def _with_experts(task_id: str, n: int, tags: set[str]) -> object:
    plan = sample_plan(2024)
    tasks = [
        attrs.evolve(t, experts=n, expert_tags=tags) if t.id == task_id else t for t in plan.tasks
    ]
    return attrs.evolve(plan, tasks=tasks)


def test_experts_named_by_a_task_join_its_visits_on_top_of_the_quota(year: SampleYear) -> None:
    plan = _with_experts("k02", 1, {"演出"})
    run = run_plan(
        plan, year.registry, year.items, year.pool, seed=Seed.from_text("2024 experts"),  # type: ignore[arg-type]
        calendar=year.calendar,
    )  # fmt: skip
    pool = year.pool
    with_task = [v for v in run.visits if "k02" in v.tasks]
    assert with_task, "the task draws visits"
    for v in run.visits:
        team = run.assignment.team(v.id)
        if "k02" in v.tasks:
            assert v.experts == 1 and v.expert_tags == {"演出"}
            assert len(team.experts) == 1
            expert = pool[team.experts[0]]
            assert expert.expert and "演出" in expert.expertise
            # the quota is still filled by certified officers who are not experts
            assert len(team.officers) >= 2
            assert all(pool[m].counts_toward_quota for m in team.officers)
        else:
            assert team.experts == ()
    report = verify_plan(
        run.receipt,
        plan,
        year.registry,
        year.items,
        year.pool,
        calendar=year.calendar,  # type: ignore[arg-type]
    )
    assert report.ok, report.differences


def test_a_plan_without_experts_keeps_its_digest_and_visit_form(year: SampleYear) -> None:
    plan = sample_plan(2024)
    assert all("experts" not in t.canonical() for t in plan.tasks)
    assert all("experts" not in v.canonical() for v in year.run.visits)
    assert _with_experts("k02", 0, set()) == plan


def test_visits_digest_fast_path_agrees_with_the_canonical_form_with_experts(
    year: SampleYear,
) -> None:
    from randsupervise._core.canonical import sha256_hex

    visits: list[Visit] = [
        attrs.evolve(v, experts=k % 2, expert_tags=frozenset({"消防"} if k % 3 else ()))
        for k, v in enumerate(year.run.visits[:30])
    ]
    assert visits_digest(visits) == sha256_hex([v.canonical() for v in visits])


def test_experts_in_the_plan_file_and_bad_values_named() -> None:
    plan = _with_experts("k02", 2, {"演出", "消防"})
    assert plan_from_toml(plan_to_toml(plan)) == plan  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as e:
        _with_experts("k02", -1, set())
    assert "experts" in str(e.value)
    with pytest.raises(ValidationError) as e:
        _with_experts("k02", 1, {""})
    assert "expert_tags" in str(e.value)
