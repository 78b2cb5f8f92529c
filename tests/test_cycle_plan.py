"""Plan-time validation: every problem at once, nothing drawn from a bad plan."""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from randsupervise.calendar import china
from randsupervise.cycle import AnnualPlan, Batch, Task, run_plan
from randsupervise.demo import demo_inputs, demo_plan
from randsupervise.errors import ValidationError
from randsupervise.model import RiskClass
from randsupervise.model.sample import sample_items, sample_registry

Q2 = Batch(id="Q2", start=date(2024, 4, 1), end=date(2024, 6, 28))
Q3 = Batch(id="Q3", start=date(2024, 7, 1), end=date(2024, 9, 27))


def test_demo_plan_is_clean_with_and_without_register() -> None:
    assert demo_plan().problems(sample_items()) == ()
    assert demo_plan().problems(sample_items(), sample_registry()) == ()


def test_plan_missing_an_item_is_rejected_before_anything_is_drawn() -> None:
    plan, registry, items, pool, seed, cal = demo_inputs()
    short = attrs.evolve(plan, tasks=[t for t in plan.tasks if t.id != "books"])
    with pytest.raises(ValidationError) as err:
        run_plan(short, registry, items, pool, seed=seed, calendar=cal)
    assert [p.id for p in err.value.problems] == ["G02"]
    assert "coverage" in err.value.problems[0].message


def test_every_problem_is_reported_at_once() -> None:
    team = "文化市场综合行政执法大队"
    bad = AnnualPlan(
        year=2024,
        tasks=[
            # general item above its 5% cap, a window outside the year, unknown item
            Task(id="a", items=["G02", "X99"], lead_department=team, ratios=0.2,
                 batches=[Batch(id="B", start=date(2023, 12, 1), end=date(2024, 1, 31))]),
            # fire item without the fire brigade; two batches drawn at 0.6: 1.2 > limit 1
            Task(id="b", items=["K03"], lead_department=team, ratios=0.6, batches=[Q2, Q3]),
            # windows out of order
            Task(id="c", items=["K01"], lead_department=team, ratios=0.1, batches=[Q3, Q2]),
        ],
    )  # fmt: skip
    msgs = [p.message for p in bad.problems(sample_items())]
    text = "\n".join(msgs)
    assert "X99 is not on the item list" in text
    assert "exceeds its cap 0.05" in text
    assert "not inside 2024" in text
    assert "K03 belongs to 消防救援大队" in text
    assert "above the limit of 1 a year" in text
    assert "not after the previous batch" in text
    assert sum("item coverage" in m for m in msgs) == 10  # 13 items, 3 planned


def test_disjoint_filters_pass_with_register_but_not_without() -> None:
    team = "文化市场综合行政执法大队"
    tasks = [
        Task(id=f"r{k}", items=["K01"], lead_department=team, ratios=0.8,
             target_filter={"region": region}, batches=[Q2])
        for k, region in enumerate(["东城镇", "西河镇"])
    ]  # fmt: skip
    plan = AnnualPlan(year=2024, tasks=tasks)
    without = [p for p in plan.problems(sample_items()) if p.id == "K01"]
    assert without and "assumed to overlap" in without[0].message
    with_reg = [p for p in plan.problems(sample_items(), sample_registry()) if p.id == "K01"]
    assert with_reg == []


def test_sample_sizes_round_up_and_counts_clip() -> None:
    t = Task(id="t", items=["K01"], lead_department="d", ratios={"A": 0.03}, counts={"D": 5},
             batches=[Q2])  # fmt: skip
    assert t.sample_size(RiskClass.A, 101) == 4
    assert t.sample_size(RiskClass.A, 100) == 3
    assert t.sample_size(RiskClass.D, 2) == 2
    assert t.sample_size(RiskClass.B, 100) == 0


def test_task_fields_are_validated() -> None:
    with pytest.raises(ValidationError) as err:
        Task(id="a/b", items=[], lead_department="", ratios={"A": 1.5}, counts={"A": 1},
             batches=[])  # fmt: skip
    assert len(err.value.problems) == 6


def test_plan_records_and_reprs() -> None:
    plan = demo_plan()
    rows = plan.to_records()
    assert {"task", "items", "batch", "start", "end"} <= set(rows[0])
    assert len(rows) == sum(len(t.batches) for t in plan.tasks)
    assert "AnnualPlan(year=2024" in repr(plan)
    assert plan._repr_html_().startswith("<table>")
    assert plan.digest() == demo_plan().digest()
    assert china().is_workday(date(2024, 4, 1))


def test_cap_scope_is_an_enum_read_from_its_value() -> None:
    from randsupervise.cycle import CapScope
    from randsupervise.cycle.sample import sample_plan

    plan = attrs.evolve(sample_plan(2024), cap_scope="overall")
    assert plan.cap_scope is CapScope.OVERALL
    assert plan.canonical()["cap_scope"] == "overall"
    assert "cap_scope" not in sample_plan(2024).canonical()
    with pytest.raises(ValidationError) as e:
        attrs.evolve(plan, cap_scope="per-item")
    assert "cap_scope" in str(e.value)
