"""A Dask draw hashes each id once, in its second pass, and still refuses every bad row.

The counting pass needs the strata and the eligible rows only, so it builds each
partition's register without fingerprints; the candidates pass hashes the ids (ticket
spec v1, step 1) and checks them for duplicates there. None of this changes a result:
the receipts stay those of the in-memory draw (``tests/test_draw_dask.py``).
"""

from __future__ import annotations

import hashlib
import importlib
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randsupervise.draw import History, ItemRule, draw
from randsupervise.draw.dask import _text_cells, draw_dask
from randsupervise.errors import ValidationError

from dask_frames import frame as _frame
from dask_frames import in_memory

SEED = "dice 6 2 5 1 3 3 4"


def frame(n: int = 400) -> pd.DataFrame:
    return _frame(n, named_every=7)


# the module (``randsupervise.tickets.fingerprint`` is also a function's name)
fingerprint_module = importlib.import_module("randsupervise.tickets.fingerprint")


class _CountingBase:
    """Stands for the fingerprint function's SHA-256 prefix state: counts the ids hashed."""

    def __init__(self) -> None:
        self.base = hashlib.sha256(fingerprint_module.ID_PREFIX)
        self.hashed = 0

    def copy(self) -> Any:
        self.hashed += 1
        return self.base.copy()


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> _CountingBase:
    c = _CountingBase()
    monkeypatch.setattr(fingerprint_module, "_BASE", c)
    return c


@pytest.mark.parametrize("persist", [False, True])
@pytest.mark.parametrize("npartitions", [1, 8])
def test_every_id_is_hashed_once_and_the_receipt_is_unchanged(
    counter: _CountingBase, npartitions: int, persist: bool
) -> None:
    df = frame()
    ddf = dd.from_pandas(df, npartitions=npartitions)
    got = draw_dask(ddf, seed=SEED, stream="s", ratios={"A": 0.1, "C": 0.5},
                    where={"region": ["东城镇", "南山乡"]}, scheduler="synchronous",
                    persist=persist)  # fmt: skip
    assert counter.hashed == len(df)  # the counting pass hashed none
    expected = draw(in_memory(df), seed=SEED, stream="s", ratios={"A": 0.1, "C": 0.5},
                    where={"region": ["东城镇", "南山乡"]})  # fmt: skip
    assert got.receipt.to_json() == expected.receipt.to_json()


def test_a_frequency_history_is_looked_up_without_hashing_the_partitions(
    counter: _CountingBase,
) -> None:
    df = frame()
    ids = df["id"].tolist()
    hist = History.from_entries([(ids[i], "K01", 1) for i in range(0, 400, 9)])
    k01 = ItemRule(id="K01", yearly_frequency_limit=1)
    got = draw_dask(dd.from_pandas(df, npartitions=4), seed=SEED, stream="s", item=k01,
                    history=hist, ratios={"A": 0.2}, scheduler="synchronous")  # fmt: skip
    assert counter.hashed == len(df)
    expected = draw(in_memory(df), seed=SEED, stream="s", item=k01, history=hist,
                    ratios={"A": 0.2})  # fmt: skip
    assert got.receipt.frequency_limit["excluded"]
    assert got.receipt.to_json() == expected.receipt.to_json()


@pytest.mark.parametrize("persist", [False, True])
def test_a_duplicate_id_inside_one_partition_is_refused_naming_the_partition(
    persist: bool,
) -> None:
    df = frame(40)
    df.loc[12, "id"] = df.loc[11, "id"]
    with pytest.raises(ValidationError) as e:
        draw_dask(dd.from_pandas(df, npartitions=4), seed=SEED, stream="s",
                  ratios={"A": 0.5}, scheduler="synchronous", persist=persist)  # fmt: skip
    assert "partition 1" in str(e.value)
    assert [(p.row, p.field) for p in e.value.problems] == [(1, "id"), (2, "id")]


def test_a_bad_row_and_a_duplicate_id_are_named_together() -> None:
    """Every problem of the partition at once, as the register build names them."""
    df = frame(40)
    df.loc[12, "id"] = df.loc[11, "id"]
    df.loc[15, "risk_class"] = "E"
    with pytest.raises(ValidationError) as e:
        draw_dask(dd.from_pandas(df, npartitions=4), seed=SEED, stream="s",
                  ratios={"A": 0.5}, scheduler="synchronous")  # fmt: skip
    assert "partition 1" in str(e.value)
    assert [(p.row, p.field) for p in e.value.problems] == [
        (1, "id"),
        (2, "id"),
        (5, "risk_class"),
    ]


def test_columns_the_register_does_not_read_are_left_out() -> None:
    df = frame(100)
    wide = df.assign(address=[f"路{i}号" for i in range(100)], phone=np.arange(100))
    a = draw_dask(dd.from_pandas(wide, npartitions=3), seed=SEED, stream="s",
                  ratios={"B": 0.5}, scheduler="synchronous")  # fmt: skip
    b = draw_dask(dd.from_pandas(df, npartitions=3), seed=SEED, stream="s",
                  ratios={"B": 0.5}, scheduler="synchronous")  # fmt: skip
    assert a.receipt == b.receipt


_TEXT = st.text(alphabet=st.sampled_from(["a", "Z", "0", " ", "\t", "\x00", "é", "-"]), max_size=5)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(cells=st.lists(_TEXT, max_size=12), dtype=st.sampled_from(["string[pyarrow]", "str"]))
def test_arrow_text_reaches_the_register_as_the_python_strings_do(
    cells: list[str], dtype: str
) -> None:
    """ASCII text held by Arrow becomes a numpy str array equal to numpy's own reading of
    the Python strings (same width); any other column stays as pandas gives it."""
    series = pd.Series(cells, dtype=dtype)
    got = _text_cells(series)
    python = series.tolist()
    if isinstance(got, np.ndarray) and got.dtype.kind == "U":
        expected = np.asarray(python, dtype=str)
        assert got.dtype == expected.dtype
        assert got.tolist() == python
    else:
        assert got.tolist() == python
        assert any("\x00" in c or not c.isascii() for c in cells) or not cells
