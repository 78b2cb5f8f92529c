"""Hostile input to the draw and assignment entry points: a typed error naming the
argument, never a raw exception and never silent acceptance."""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randsupervise.assign import VisitRequest, assign
from randsupervise.draw import BurdenHistory, Seed, draw
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
        ({"burden": {"A": None}}, "inspected"),
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
