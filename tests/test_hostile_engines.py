"""Hostile input to the draw and assignment entry points: a typed error naming the
argument, never a raw exception and never silent acceptance."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randsupervise.assign import VisitRequest, assign
from randsupervise.draw import BurdenHistory, History, Seed, draw
from randsupervise.errors import RandSuperviseError, ValidationError
from randsupervise.model import TargetRegistry
from randsupervise.model.sample import sample_inspectors

REG = TargetRegistry.from_columns(id=["a", "b", "c", "d"], risk_class="ABCD")


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"ratios": True}, "ratios"),
        ({"ratios": 1j}, "ratios"),
        ({"ratios": b".."}, "ratios"),
        ({"ratios": {"A": "0.5"}}, "ratios"),
        ({"ratios": {"A": None}}, "ratios"),
        ({"counts": {"A": "1"}}, "counts"),
        ({"counts": {"A": True}}, "counts"),
        ({"counts": 5}, "counts"),
        ({"where": 3}, "where"),
        ({"item": 5}, "item"),
        ({"method": np.array(["smallest"])}, "method"),
        ({"rounding": ["ceil"]}, "rounding"),
        ({"stratify": np.array(1)}, "stratify"),
        ({"history": {"A": None}}, "history"),
        ({"burden": {"A": []}}, "burden"),
        ({"stream": None}, "stream"),
        ({"stream": ""}, "stream"),
        ({"stream": "x\ud800"}, "stream"),
        ({"seed": "x\ud800"}, "text"),
        ({"seed": 5}, "seed"),
    ],
)
def test_bad_draw_arguments_name_the_argument(bad: dict[str, Any], field: str) -> None:
    kwargs: dict[str, Any] = {"seed": "s", "stream": "t", "ratios": {"A": 0.5}, **bad}
    if "counts" in bad:
        kwargs.pop("ratios")
    with pytest.raises(ValidationError) as e:
        draw(REG, **kwargs)
    assert field in {p.field for p in e.value.problems}, str(e.value)


def test_bad_earlier_periods_name_the_field() -> None:
    with pytest.raises(ValidationError) as e:
        draw(REG, seed="s", stream="t", ratios={"A": 0.5},
             history=History.from_periods({"A": None}))  # type: ignore[dict-item]  # fmt: skip
    assert "inspected" in {p.field for p in e.value.problems}, str(e.value)


@pytest.mark.parametrize("stream", [None, "", "\udfff"])
def test_assign_refuses_a_stream_its_receipt_could_not_verify(stream: Any) -> None:
    v = VisitRequest(id="V1", target="a", region="东城镇", departments=["文化市场综合行政执法大队"])
    with pytest.raises(ValidationError) as e:
        assign([v], sample_inspectors(), seed="s", stream=stream)
    assert e.value.problems[0].field == "stream"


def test_contributions_must_be_a_list_of_texts() -> None:
    with pytest.raises(ValidationError, match="list of texts"):
        Seed.from_contributions("abc")
    with pytest.raises(ValidationError):
        Seed.from_contributions(["ok", "x\ud800"])
    with pytest.raises(ValidationError):
        BurdenHistory.from_periods(["abc"])


@settings(max_examples=80, deadline=None)
@given(
    ratios=st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=3),
        st.dictionaries(
            st.sampled_from(["A", "B", "E", ""]),
            st.one_of(st.floats(), st.text(max_size=2), st.none(), st.booleans()),
            max_size=3,
        ),
    ),
    stream=st.one_of(st.text(max_size=4), st.none(), st.integers()),
    batches=st.one_of(st.integers(-2, 4), st.floats(), st.text(max_size=2)),
)
def test_garbage_policies_raise_only_library_errors(ratios: Any, stream: Any, batches: Any) -> None:
    with contextlib.suppress(RandSuperviseError):
        draw(REG, seed="s", stream=stream, ratios=ratios, batches=batches)


# --------------------------------------------------------------------------- assignment

DEPT = "文化市场综合行政执法大队"


def _visit(i: int = 1) -> VisitRequest:
    return VisitRequest(id=f"V{i}", target=f"T{i}", region="东城镇", departments=[DEPT])


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (
            lambda: VisitRequest(id="V", target="T", region="东城镇", departments=np.array(3)),
            "departments",
        ),
        (
            lambda: VisitRequest(id="V", target="T", region="东城镇", departments=[["x"]]),
            "departments",
        ),
        (lambda: assign([{"id": "V"}], sample_inspectors(), seed="s", stream="t"), "visits"),
        (lambda: assign([5], sample_inspectors(), seed="s", stream="t"), "visits"),
        (lambda: assign(_visit(), sample_inspectors(), seed="s", stream="t"), "visits"),
        (lambda: assign([], [1, 2], seed="s", stream="t"), "pool"),
        (
            lambda: assign(
                [_visit()], sample_inspectors(), seed="s", stream="t", conflicts=[("a",)]
            ),
            "pairs",
        ),
        (
            lambda: assign([], sample_inspectors(), seed="s", stream="t", load_limits="3"),
            "load_limits",
        ),
        (
            lambda: assign([], sample_inspectors(), seed="s", stream="t", load_limits=2.5),
            "load_limits",
        ),
        (
            lambda: assign([], sample_inspectors(), seed="s", stream="t", region_rule="county"),
            "region_rule",
        ),
    ],
)
def test_bad_assignment_inputs_name_the_argument(call: Any, field: str) -> None:
    with pytest.raises(ValidationError) as e:
        call()
    assert field in {p.field for p in e.value.problems}, str(e.value)


def test_run_plan_names_every_input_of_the_wrong_type() -> None:
    from randsupervise.cycle import run_plan

    with pytest.raises(ValidationError) as e:
        run_plan(5, 6, 7, 8, seed=9, calendar=10)  # type: ignore[arg-type]
    assert [p.field for p in e.value.problems] == [
        "plan", "registry", "items", "pool", "seed", "calendar"]  # fmt: skip


# ------------------------------------------------------------------- nothing half-changes


def test_failed_replace_and_cancel_leave_the_assignment_and_arguments_unchanged() -> None:
    import copy

    from randsupervise._core.frozen import thaw
    from randsupervise.assign import CancelReason, cancel, replace

    pool = sample_inspectors()
    a = assign([_visit(i) for i in range(6)], pool, seed="s", stream="t")
    before = (a.teams, [thaw(r) for r in a.receipts], a.problem.pool.digest(), a.loads())
    gone = ["Z-01", "nobody"]
    gone_copy = copy.deepcopy(gone)
    with pytest.raises(RandSuperviseError):
        replace(a, gone)
    drop = ["V1", "V99"]
    with pytest.raises(RandSuperviseError):
        cancel(a, drop, CancelReason.DEREGISTERED)
    with pytest.raises(RandSuperviseError):
        cancel(a, ["V1"], "")
    assert (a.teams, [thaw(r) for r in a.receipts], a.problem.pool.digest(), a.loads()) == before
    assert gone == gone_copy and drop == ["V1", "V99"]


def test_receipt_conversions_never_share_state_with_the_caller() -> None:
    from randsupervise.draw import Receipt

    r = draw(REG, seed="s", stream="t", ratios={"A": 1.0}).receipt
    data = r.to_dict()
    again = Receipt.from_dict(data)
    data["strata"]["A"]["selected"].append("zzz")
    data["policy"]["ratios"]["A"] = 0.5
    assert again == r and again.to_dict() == r.to_dict() != data
    with pytest.raises(ValidationError):  # a failed conversion leaves the input as it was
        bad = r.to_dict()
        bad["strata"]["A"]["population"] = "many"
        snapshot = json.dumps(bad, sort_keys=True)
        try:
            Receipt.from_dict(bad)
        finally:
            assert json.dumps(bad, sort_keys=True) == snapshot
