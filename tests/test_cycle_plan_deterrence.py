"""Deterrence and frequency in the plan (plan §三(五): 利剑高悬, 无事不扰): a floor on each
unit's yearly probability of being drawn, the cap's scope, and the visits saved by
merging items drawn for the same target."""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from randsupervise.cycle import AnnualPlan, Batch, Task, run_plan, verify_plan
from randsupervise.demo import demo_inputs, demo_plan
from randsupervise.errors import ValidationError
from randsupervise.metrics import unit_probabilities, visits_per_target, yearly_inclusion
from randsupervise.model.sample import sample_items, sample_registry

TEAM = "文化市场综合行政执法大队"
Q3 = Batch(id="Q3", start=date(2024, 7, 1), end=date(2024, 9, 27))


def test_a_plan_below_its_floor_probability_is_refused() -> None:
    """The demo plan with a floor of 10% for class A: some A targets (bookshops, drawn
    only by tasks at 2-5%) are drawn with a yearly probability of about 5.6%."""
    plan = demo_plan()
    floored = attrs.evolve(plan, min_yearly_probability={"A": 0.1, "D": 0.05})
    problems = floored.problems(sample_items(), sample_registry())
    msgs = [p.message for p in problems if p.field == "min_yearly_probability"]
    assert len(msgs) == 1 and "class A" in msgs[0] and "below the floor 0.1" in msgs[0]
    assert "lowest 0.05607" in msgs[0]
    assert not [p for p in plan.problems(sample_items(), sample_registry())]
    with pytest.raises(ValidationError, match="min_yearly_probability"):
        AnnualPlan(year=2024, tasks=plan.tasks, min_yearly_probability={"A": 1.5})


def test_the_floor_does_not_change_what_a_plan_draws_or_its_receipt() -> None:
    plan, registry, items, pool, seed, cal = demo_inputs(2024)
    # a floor every unit meets: the plan's own digest and receipt are unchanged
    ok = attrs.evolve(plan, min_yearly_probability={"D": 0.05})
    assert ok.canonical() != plan.canonical() and not ok.problems(items, registry)
    assert attrs.evolve(plan, min_yearly_probability={}).digest() == plan.digest()
    run = run_plan(plan, registry, items, pool, seed=seed, calendar=cal)
    assert verify_plan(run.receipt, plan, registry, items, pool, calendar=cal).ok


def test_each_units_yearly_inclusion_probability_across_all_tasks() -> None:
    plan, registry, items, pool, seed, cal = demo_inputs(2024)
    run = run_plan(plan, registry, items, pool, seed=seed, calendar=cal)
    t = yearly_inclusion(run, registry, items)
    p = unit_probabilities(run, registry, items)
    assert p.shape == (len(registry),) and ((p >= 0) & (p <= 1)).all()
    rows = {r["class"]: r for r in t.rows}
    assert rows["D"]["mean"] > rows["C"]["mean"] > rows["A"]["mean"]
    assert rows["A"]["min"] == round(0.05607476635514019, 4) and rows["A"]["never"] == 0
    # every D target of a task drawn at 100% is certain to be drawn
    assert rows["D"]["max"] == 1.0


def test_the_general_item_cap_can_bound_the_overall_ratio() -> None:
    """G02 (cap 5%) drawn at A 2%, B 5%, C 20% from 231 bookshops: per class C breaks
    the cap; overall (10.64 selections / 231 = 4.6%) it does not."""
    t = Task(id="books", items=["G02"], lead_department=TEAM,
             ratios={"A": 0.02, "B": 0.05, "C": 0.2},
             target_filter={"industry": "出版物零售"}, batches=[Q3])  # fmt: skip
    per_class = AnnualPlan(year=2024, tasks=[t])
    overall = AnnualPlan(year=2024, tasks=[t], cap_scope="overall")
    reg, items = sample_registry(), sample_items()
    caps = [p for p in per_class.problems(items, reg) if p.id == "G02" and "cap" in p.message]
    assert [p.message.split(":")[0] for p in caps] == ["general item G02, class C"]
    assert not [p for p in overall.problems(items, reg) if p.id == "G02" and "cap" in p.message]
    loud = AnnualPlan(year=2024, tasks=[attrs.evolve(t, ratios=0.3)], cap_scope="overall")
    assert [p for p in loud.problems(items, reg) if p.id == "G02" and "overall" in p.message]


def test_visits_per_target_reports_the_visits_saved_by_merging() -> None:
    plan, registry, items, pool, seed, cal = demo_inputs(2024)
    run = run_plan(plan, registry, items, pool, seed=seed, calendar=cal)
    s = visits_per_target(run, registry).summary
    assert s["hits"] == sum(len(d.selected) for d in run.draws)
    assert s["visits_saved"] == s["hits"] - len(run.visits) > 0


def test_frequency_limits_per_class_including_once_in_n_years() -> None:
    """The demo plan asks up to ~0.46 selections a year of an A target and ~1.1 of a D
    target: 'A at most once in three years' (1/3) and 'D at most once a year' are broken,
    'A at most once in two years' and 'B once a year' are met."""
    plan = demo_plan()
    reg, items = sample_registry(), sample_items()
    strict = attrs.evolve(plan, max_yearly_frequency={"A": 1 / 3, "D": 1})
    msgs = [p.message for p in strict.problems(items, reg) if p.field == "max_yearly_frequency"]
    assert [m.split(":")[0] for m in msgs] == ["class A", "class D"]
    fine = attrs.evolve(plan, max_yearly_frequency={"A": 0.5, "B": 1})
    assert not fine.problems(items, reg)
    assert attrs.evolve(plan, max_yearly_frequency={}).digest() == plan.digest()
    with pytest.raises(ValidationError, match="max_yearly_frequency"):
        attrs.evolve(plan, max_yearly_frequency={"A": -1})


def test_a_plan_can_align_the_windows_of_tasks_drawn_for_the_same_target() -> None:
    """进一次门、查多项事: the police's venue task (Q2) and the joint venue task (Q2, Q4)
    hit four venues in different windows, the café tasks one café; aligned, each such
    target gets one visit in the window of its earliest hit: five visits saved. Draws
    are unchanged."""
    plan, registry, items, pool, seed, cal = demo_inputs(2024)
    base = run_plan(plan, registry, items, pool, seed=seed, calendar=cal)
    groups = [("venue-police", "venue-joint"), ("net-licence", "net-key")]
    aligned_plan = attrs.evolve(plan, aligned_tasks=groups)
    aligned = run_plan(aligned_plan, registry, items, pool, seed=seed, calendar=cal)
    assert [d.receipt for d in aligned.draws] == [d.receipt for d in base.draws]
    saved = visits_per_target(aligned, registry).summary["visits_saved"]
    assert saved == visits_per_target(base, registry).summary["visits_saved"] + 5
    merged = [v for v in aligned.visits if {"venue-police", "venue-joint"} <= set(v.tasks)]
    assert len(merged) >= 4
    for v in merged:  # the police's window (Q2), the earliest of the target's hits
        assert (v.start, v.end) == (date(2024, 4, 1), date(2024, 6, 28))
    assert verify_plan(aligned.receipt, aligned_plan, registry, items, pool, calendar=cal).ok
    assert not verify_plan(aligned.receipt, plan, registry, items, pool, calendar=cal).ok
    assert aligned_plan.canonical()["aligned_tasks"] == [
        ["venue-joint", "venue-police"],
        ["net-key", "net-licence"],
    ]
    with pytest.raises(ValidationError, match="aligned_tasks"):
        attrs.evolve(plan, aligned_tasks=[("shows", "nope")]).validate(items)
