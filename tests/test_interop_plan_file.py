"""The plan file: TOML text in and out, equal round trips, every problem with its key path."""

from __future__ import annotations

import datetime as _dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randsupervise.cycle import AnnualPlan, Batch, Task
from randsupervise.demo import demo_plan
from randsupervise.errors import ValidationError
from randsupervise.interop import plan_from_toml, plan_to_toml
from randsupervise.model.sample import sample_items
from randsupervise.testing.strategies import plans

Q2 = Batch(id="Q2", start=_dt.date(2024, 4, 1), end=_dt.date(2024, 6, 30))
Q4 = Batch(id="Q4", start=_dt.date(2024, 10, 8), end=_dt.date(2024, 12, 13))


def _fields(e: pytest.ExceptionInfo[ValidationError]) -> list[str | None]:
    return [p.field for p in e.value.problems]


@pytest.mark.parametrize("year", [2024, 2025])
def test_the_sample_plan_round_trips(year: int) -> None:
    plan = demo_plan(year)
    text = plan_to_toml(plan)
    assert plan_from_toml(text) == plan
    assert plan_from_toml(text).digest() == plan.digest()
    assert plan_to_toml(plan_from_toml(text)) == text


def test_every_field_round_trips() -> None:
    plan = AnnualPlan(
        year=2024,
        title='县局 "2024" 计划\n第二行\t\\ \x7f',
        cap_scope="overall",
        min_yearly_probability={"A": 0.01, "D": 0.5},
        max_yearly_frequency={"D": 2},
        aligned_tasks=[("T1", "T2")],
        tasks=[
            Task(
                id="T1",
                items=["K01", "K02"],
                lead_department="文化市场综合行政执法大队",
                partner_departments=["消防救援大队"],
                target_filter={"industry": ["网吧", "娱乐场所"], "risk_class": "A"},
                ratios={"A": 1e-05, "B": 0.1},
                counts={"D": 3},
                batches=[Q2, Q4],
                split=True,
                stream="2024/net key",
            ),
            Task(id="T2", items="G01", lead_department="公安局", ratios=1, batches=[Q2]),
        ],
    )
    assert plan_from_toml(plan_to_toml(plan)) == plan


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_generated_plans_round_trip(data: st.DataObject) -> None:
    plan = data.draw(plans(sample_items()))
    assert plan_from_toml(plan_to_toml(plan)) == plan


BAD = """
year = 2024
colour = "red"

[[tasks]]
id = "T1"
items = ["K01"]
lead_department = "执法大队"
ratios = { A = 1.5 }

[[tasks.batches]]
id = "Q2"
start = "2024-04-01"
end = 2024-06-30

[[tasks]]
id = "T2"
lead_department = "执法大队"

[[tasks.batches]]
id = "H1"
start = 2024-07-01
end = 2024-03-01
until = 2024-12-31
"""


def test_every_problem_of_a_bad_file_is_reported_with_its_key_path() -> None:
    with pytest.raises(ValidationError) as e:
        plan_from_toml(BAD)
    assert _fields(e) == [
        "colour",
        "tasks[0].batches[0].start",
        "tasks[1].items",
        "tasks[1].batches[0].until",
    ]
    assert "plan file" in str(e.value) and "TOML date" in str(e.value)


def test_the_plan_rules_are_the_constructors_and_keep_their_messages() -> None:
    text = BAD.replace('"2024-04-01"', "2024-04-01").replace('colour = "red"\n', "")
    text = text.replace('id = "T2"\n', 'id = "T2"\nitems = "G01"\n')
    text = text.replace("until = 2024-12-31\n", "")
    with pytest.raises(ValidationError) as e:
        plan_from_toml(text)
    fields = _fields(e)
    assert any(f is not None and f.startswith("tasks[0].ratios") for f in fields), fields
    with pytest.raises(ValidationError) as direct:
        Task(id="T1", items=["K01"], lead_department="执法大队", ratios={"A": 1.5}, batches=[Q2])
    assert direct.value.problems[0].message in [p.message for p in e.value.problems]


def test_plan_level_problems_name_their_keys() -> None:
    with pytest.raises(ValidationError) as e:
        plan_from_toml('year = 0\ncap_scope = "county"\ntasks = []\n')
    assert set(_fields(e)) == {"year", "cap_scope"}
    with pytest.raises(ValidationError) as e:
        plan_from_toml('title = "x"\ntasks = 3\n')
    assert _fields(e) == ["year", "tasks"]


def test_text_that_is_not_toml_is_one_problem_with_its_line() -> None:
    with pytest.raises(ValidationError, match=r"not TOML.*line 2"):
        plan_from_toml("year = 2024\n[[tasks]\n")
    with pytest.raises(ValidationError, match="text"):
        plan_from_toml(b"year = 2024")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="AnnualPlan"):
        plan_to_toml("year = 2024")  # type: ignore[arg-type]
