"""Hostile input to plans and the visit lifecycle: typed errors naming the field, and a
failed call leaves the year state and its arguments exactly as they were."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
import pickle
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randsupervise.calendar import china
from randsupervise.cycle import (
    Assign,
    Cancel,
    Inspect,
    Publish,
    Record,
    ReplaceTeam,
    VisitRecord,
    YearState,
    run_plan,
)
from randsupervise.cycle.plan import AnnualPlan, Batch, Task
from randsupervise.demo import demo_inputs
from randsupervise.errors import (
    IllegalTransition,
    RandSuperviseError,
    UnknownIdError,
    ValidationError,
)
from randsupervise.model.results import InspectionResult
from randsupervise.model.sample import sample_items

import hostile_helpers
from hostile_helpers import raises_naming

D = dt.date(2024, 4, 30)
B = [Batch(id="B", start=dt.date(2024, 1, 1), end=dt.date(2024, 1, 31))]
OK = InspectionResult(codes={"NO_PROBLEM"})
TASK: dict[str, Any] = dict(id="t", items=["K01"], lead_department="d", ratios=0.1, batches=B)

garbage = hostile_helpers.garbage(
    [np.array(3), np.array([["a"]]), np.uint64(2**64 - 1), "\ud800"],
    keys=st.one_of(st.text(max_size=2), st.integers()),
)


@functools.lru_cache(maxsize=1)
def year() -> tuple[YearState, list[str], Any]:
    plan, registry, items, pool, seed, cal = demo_inputs(2024)
    run = run_plan(plan, registry, items, pool, seed=seed, calendar=cal)
    start = YearState.start(run, dt.date(2024, 2, 26))
    return start, [v.id for v in run.visits], cal


# ------------------------------------------------------------------ plans
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", None),
        ("id", "a/b"),
        ("id", "\ud800"),
        ("items", None),
        ("items", 5),
        ("items", []),
        ("items", [["K01"]]),
        ("items", ["K01", None]),
        ("items", "a\x00"),
        ("lead_department", ["d"]),
        ("partner_departments", None),
        ("partner_departments", [1]),
        ("ratios", {"E": 0.1}),
        ("ratios", "0.1"),
        ("ratios", {"A": None}),
        ("ratios", {"A": "0.5"}),
        ("ratios", {"A": True}),
        ("ratios", {"A": 1j}),
        ("ratios", {"A": math.nan}),
        ("ratios", {"A": 2}),
        ("ratios", {"A": 0.1, "a": 0.2}),
        ("ratios", {("A",): 0.1}),
        ("ratios", [0.1]),
        ("ratios", math.inf),
        ("counts", {"A": "3"}),
        ("counts", {"A": 3.0}),
        ("counts", {"A": -1}),
        ("counts", {"A": 10**30, "B": True}),
        ("counts", 5),
        ("target_filter", "region"),
        ("target_filter", {"colour": "red"}),
        ("target_filter", {"region": [["x"]]}),
        ("target_filter", {"region": 5}),
        ("target_filter", {1: "x"}),
        ("target_filter", {"risk_class": "E"}),
        ("batches", None),
        ("batches", [5]),
        ("batches", []),
        ("split", "yes"),
        ("split", 1),
        ("stream", ""),
        ("stream", 5),
    ],
)
def test_task_refuses_and_names_the_field(field: str, value: Any) -> None:
    err = raises_naming(lambda: Task(**{**TASK, field: value}), field)
    assert isinstance(err, ValidationError)


@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda: AnnualPlan(year=0, tasks=[]), ["year"]),
        (lambda: AnnualPlan(year=10_000, tasks=[]), ["year"]),
        (lambda: AnnualPlan(year=2024.0, tasks=[]), ["year"]),
        (lambda: AnnualPlan(year=True, tasks=[]), ["year"]),
        (lambda: AnnualPlan(year="2024", tasks=[]), ["year"]),
        (lambda: AnnualPlan(year=2024, tasks=None), ["tasks"]),
        (lambda: AnnualPlan(year=2024, tasks=[5]), ["tasks", "row 0"]),
        (lambda: AnnualPlan(year=2024, tasks=[], title=None), ["title"]),
        (lambda: AnnualPlan(year=2024, tasks=[]).task("x"), ["x"]),
        (lambda: AnnualPlan(year=2024, tasks=[]).task(["x"]), ["x"]),
        (lambda: AnnualPlan(year=2024, tasks=[]).problems(None), ["items"]),
        (lambda: AnnualPlan(year=2024, tasks=[]).validate(sample_items(), "r"), ["registry"]),
        (lambda: Batch(id="a/b", start=D, end=D), ["id"]),
        (lambda: Batch(id="B", start="2024-01-01", end=D), ["start"]),
        (lambda: Batch(id="B", start=D, end=dt.datetime(2024, 5, 1)), ["end"]),
    ],
)
def test_plan_and_batch_refuse_and_name_the_field(call: Any, names: list[str]) -> None:
    raises_naming(call, *names)


def test_plan_task_unknown_id_is_a_key_error() -> None:
    plan = AnnualPlan(year=2024, tasks=[Task(**TASK)])
    assert plan.task("t").id == "t"
    with pytest.raises(KeyError) as info:
        plan.task("x")
    assert isinstance(info.value, UnknownIdError) and info.value.ids == ("x",)


def test_numpy_numbers_in_a_plan_are_read_as_python_numbers() -> None:
    t = Task(**{**TASK, "ratios": {"A": np.float32(0.25)}, "counts": {"B": np.int64(3)}})
    assert t.canonical()["ratios"] == {"A": 0.25} and t.canonical()["counts"] == {"B": 3}
    assert AnnualPlan(year=np.int64(2024), tasks=[t]).year == 2024


@settings(max_examples=60)
@given(field=st.sampled_from([*sorted(TASK), "counts", "target_filter", "split"]), v=garbage)
def test_task_any_garbage_is_typed(field: str, v: Any) -> None:
    with contextlib.suppress(RandSuperviseError):
        Task(**{**TASK, field: v})


# ------------------------------------------------------------------ events
@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda: Inspect(on="2024-04-30"), ["on"]),
        (lambda: Inspect(on=dt.datetime(2024, 4, 30, 9)), ["on", "datetime"]),
        (lambda: Inspect(on=np.datetime64("2024-04-30")), ["on"]),
        (lambda: Inspect(on=None), ["on"]),
        (lambda: Publish(on=20240430), ["on"]),
        (lambda: Assign(on=D, team=None), ["team"]),
        (lambda: Assign(on=D, team="Z-01"), ["team"]),
        (lambda: Assign(on=D, team=[["Z-01"]]), ["team"]),
        (lambda: Assign(on=D, team=["\ud800"]), ["team"]),
        (lambda: ReplaceTeam(on=D, team=("a",), reason=5), ["reason"]),
        (lambda: Record(on=D, result="NO_PROBLEM"), ["result"]),
        (lambda: Record(on="x", result=OK), ["on"]),
        (lambda: Cancel(on=D, reason="bored"), ["reason"]),
        (lambda: Cancel(on=D, reason=["revoked"]), ["reason"]),
        (lambda: Cancel(on=D, reason="revoked", note=None), ["note"]),
    ],
)
def test_events_refuse_when_built_and_name_the_field(call: Any, names: list[str]) -> None:
    raises_naming(call, *names)


# ------------------------------------------------------------------ year state
@pytest.mark.parametrize(
    ("call", "names", "kind"),
    [
        (lambda s, ids, cal: s.apply([("nope", Inspect(on=D))], cal), ["nope"], UnknownIdError),
        (lambda s, ids, cal: s.inspect_many(["nope"], [D], cal), ["nope"], UnknownIdError),
        (lambda s, ids, cal: s["nope"], ["nope"], UnknownIdError),
        (lambda s, ids, cal: s[["x"]], ["x"], UnknownIdError),
        (lambda s, ids, cal: s.apply([5], cal), ["events", "row 0"], ValidationError),
        (lambda s, ids, cal: s.apply(None, cal), ["events"], ValidationError),
        (lambda s, ids, cal: s.apply([(ids[0], "x")], cal), ["event"], ValidationError),
        (lambda s, ids, cal: s.apply([(5, Inspect(on=D))], cal), ["events"], ValidationError),
        (lambda s, ids, cal: s.apply([(ids[0], Inspect(on=D))], 5), ["calendar"], ValidationError),
        (
            lambda s, ids, cal: s.inspect_many(ids[:1], ["2024-04-30"], cal),
            ["dates"],
            ValidationError,
        ),
        (
            lambda s, ids, cal: s.inspect_many(ids[:1], [dt.datetime(2024, 4, 30, 9)], cal),
            ["dates", "datetime"],
            ValidationError,
        ),
        (
            lambda s, ids, cal: s.inspect_many(
                ids[:1], np.array(["2024-04-30T09"], dtype="datetime64[h]"), cal
            ),
            ["dates"],
            ValidationError,
        ),
        (
            lambda s, ids, cal: s.inspect_many(ids[:1], np.array(["NaT"], "datetime64[D]"), cal),
            ["dates"],
            ValidationError,
        ),
        (lambda s, ids, cal: s.inspect_many(ids[:2], [D], cal), ["dates"], ValidationError),
        (lambda s, ids, cal: s.inspect_many(ids[:1], None, cal), ["dates"], ValidationError),
        (lambda s, ids, cal: s.inspect_many(ids[:1], [D], None), ["calendar"], ValidationError),
        (lambda s, ids, cal: s.inspect_many([5], [D], cal), ["visit_ids"], ValidationError),
        (lambda s, ids, cal: s.inspect_many("abc", [D], cal), ["visit_ids"], ValidationError),
        (lambda s, ids, cal: s.cancel_many(ids[:1], [D], "bored"), ["reason"], ValidationError),
        (lambda s, ids, cal: s.cancel_many(ids[:1], [D], None), ["reason"], ValidationError),
        (lambda s, ids, cal: s.column("nope"), ["nope"], ValidationError),
        (lambda s, ids, cal: s.column({"a": 1}), ["name"], ValidationError),
        (lambda s, ids, cal: s.column(np.array(["state"])), ["name"], ValidationError),
        (lambda s, ids, cal: s.to_text(None), ["max_rows"], ValidationError),
        (lambda s, ids, cal: s.to_text(-1), ["max_rows"], ValidationError),
        (lambda s, ids, cal: s[ids[0]].overdue("2024-01-01"), ["as_of"], ValidationError),
        (lambda s, ids, cal: s[ids[0]].apply("x"), ["event"], ValidationError),
        (lambda s, ids, cal: s[ids[0]].apply(Inspect(on=D), "cal"), ["calendar"], ValidationError),
        (
            lambda s, ids, cal: YearState(year=2024, plan_digest="x", records=5),
            ["records"],
            ValidationError,
        ),
        (
            lambda s, ids, cal: YearState(year=2024, plan_digest="x", records={"a": 5}),
            ["records"],
            ValidationError,
        ),
    ],
)
def test_year_state_refuses_and_names_the_argument(
    call: Any, names: list[str], kind: type[Exception]
) -> None:
    start, ids, cal = year()
    err = raises_naming(lambda: call(start, ids, cal), *names)
    assert isinstance(err, kind)


def test_unknown_visit_ids_are_all_named_and_are_key_errors() -> None:
    start, ids, _ = year()
    with pytest.raises(KeyError) as info:
        start.publish_many(["x1", ids[0], "x2"], [D] * 3)
    assert isinstance(info.value, UnknownIdError) and info.value.ids == ("x1", "x2")


def test_year_start_refuses_a_bad_run_or_date() -> None:
    raises_naming(lambda: YearState.start("run", D), "run")  # type: ignore[arg-type]
    raises_naming(lambda: YearState.start(None, dt.datetime(2024, 1, 1)), "run", "on")  # type: ignore[arg-type]


def _snapshot(state: YearState) -> bytes:
    return pickle.dumps(
        (
            state.to_records(),
            [r.events for r in state],
            {name: state.column(name).tolist() for name in ("state", "deadline", "last_date")},
        )
    )


@pytest.mark.parametrize(
    "bad",
    [
        lambda ids: ("nope", Inspect(on=D)),  # unknown visit
        lambda ids: (ids[1], Publish(on=D)),  # illegal move
        lambda ids: (ids[0], Inspect(on=dt.date(2024, 1, 2))),  # before the assignment
        lambda ids: (ids[2], Inspect(on=dt.date(2099, 1, 2))),  # outside the calendar
    ],
)
def test_failed_year_apply_leaves_state_and_arguments_exactly_as_they_were(bad: Any) -> None:
    start, ids, cal = year()
    good = start.apply([(ids[3], Inspect(on=D))], cal)
    before = _snapshot(good)
    arrays = {n: good.column(n).copy() for n in ("state", "deadline", "inspected_on", "team")}
    events = [
        (ids[0], Inspect(on=D)),
        (ids[0], Record(on=dt.date(2024, 5, 6), result=OK)),
        bad(ids),
        (ids[4], Cancel(on=D, reason="revoked")),
    ]
    kept = list(events)
    with pytest.raises(RandSuperviseError):
        good.apply(events, cal)
    assert _snapshot(good) == before
    assert all(good.column(n).tolist() == a.tolist() for n, a in arrays.items())
    assert events == kept and all(a is b for a, b in zip(events, kept, strict=True))
    assert not good.state_codes().flags.writeable
    # the same state still takes the good events afterwards
    after = good.apply([events[0], events[1], events[3]], cal)
    assert after[ids[0]].state.value == "recorded" and good[ids[0]].state.value == "assigned"


def test_failed_batch_methods_leave_the_state_unchanged() -> None:
    start, ids, cal = year()
    before = _snapshot(start)
    days = [D] * 3
    for call in (
        lambda: start.inspect_many([*ids[:2], "nope"], days, cal),
        lambda: start.inspect_many(ids[:3], [D, D, "2024-04-30"], cal),
        lambda: start.record_many(ids[:3], days, OK),
        lambda: start.cancel_many(ids[:3], days, "bored"),
        lambda: start.inspect_many([ids[0], ids[1], ids[0]], days, cal),
    ):
        with pytest.raises(RandSuperviseError):
            call()
        assert _snapshot(start) == before
    assert isinstance(raises_naming(lambda: start.publish_many(ids[:1], [D])), IllegalTransition)


def test_visit_record_apply_failure_leaves_the_record() -> None:
    start, ids, cal = year()
    record = start[ids[0]]
    frozen = pickle.dumps(record)
    for event, calendar in ((Publish(on=D), cal), (Inspect(on=D), None), ("x", cal)):
        with pytest.raises(RandSuperviseError):
            record.apply(event, calendar)  # type: ignore[arg-type]
        assert pickle.dumps(record) == frozen
    assert isinstance(record, VisitRecord)


@settings(max_examples=50)
@given(on=garbage, reason=garbage)
def test_events_any_garbage_is_typed(on: Any, reason: Any) -> None:
    for build in (
        lambda: Inspect(on=on),
        lambda: Cancel(on=D, reason=reason),
        lambda: Cancel(on=on, reason="revoked", note=reason),
        lambda: Assign(on=D, team=reason),
        lambda: Record(on=on, result=reason),
    ):
        with contextlib.suppress(RandSuperviseError):
            event = build()
            assert isinstance(event.on, dt.date) and not isinstance(event.on, dt.datetime)


@settings(max_examples=30)
@given(ids=garbage, dates=garbage)
def test_batch_methods_any_garbage_is_typed_and_changes_nothing(ids: Any, dates: Any) -> None:
    start, _, cal = year()
    counts = start.counts()
    with contextlib.suppress(RandSuperviseError):
        start.inspect_many(ids, dates, cal)
    with contextlib.suppress(RandSuperviseError):
        start.cancel_many(ids, dates, "revoked")
    assert start.counts() == counts


def test_the_calendar_refuses_datetimes_as_the_lifecycle_does() -> None:
    when = dt.datetime(2024, 4, 30, 9)
    with pytest.raises(ValidationError):
        china().deadline(when)
    with pytest.raises(ValidationError):
        Inspect(on=when)


@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda t: t.sample_size("E", 10), ["risk_class"]),
        (lambda t: t.sample_size("A", -1), ["population"]),
        (lambda t: t.sample_size("A", 10.0), ["population"]),
        (lambda t: t.where(None), ["items"]),
        (lambda t: t.eligible_mask(None, sample_items()), ["registry"]),
    ],
)
def test_task_helpers_refuse_and_name_the_argument(call: Any, names: list[str]) -> None:
    raises_naming(lambda: call(Task(**TASK)), *names)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("visit", 5),
        ("state", "drawn"),
        ("team", ["Z-01"]),
        ("team", ("Z-01", None)),
        ("events", (5,)),
        ("inspected_on", "2024-04-30"),
        ("deadline", dt.datetime(2024, 5, 1)),
        ("result", "NO_PROBLEM"),
        ("cancel_reason", "revoked"),
    ],
)
def test_visit_record_refuses_bad_fields_when_built(field: str, value: Any) -> None:
    start, ids, _ = year()
    record = start[ids[0]]
    raises_naming(lambda: VisitRecord(**{"visit": record.visit, field: value}), field)


@pytest.mark.parametrize(("field", "value"), [("year", 0), ("year", "2024"), ("plan_digest", 5)])
def test_year_state_refuses_bad_year_and_digest(field: str, value: Any) -> None:
    start, _, _ = year()
    kwargs: dict[str, Any] = {"year": 2024, "plan_digest": "x", "records": start.records}
    raises_naming(lambda: YearState(**{**kwargs, field: value}), field)
