"""Burden spreading and histories on Dask give the in-memory draw's receipt, byte for byte."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dask.dataframe as dd
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import randsupervise
from randsupervise.draw import DrawPolicy, History, ItemRule, draw
from randsupervise.draw.dask import draw_dask, history_from_dask
from randsupervise.draw.verify import verify
from randsupervise.errors import ValidationError

from dask_frames import frame, in_memory

SEED = "dice 2 7 1 8 2 8"
K01 = ItemRule(id="K01", yearly_frequency_limit=1)
POLICIES: list[dict[str, Any]] = [
    # one floor for every stratum, with the frequency limit applied before the tiers
    {"ratios": {"A": 0.2, "B": 0.3, "C": 0.5, "D": 1.0}, "floor": 0.05, "item": K01},
    # floors of some strata only (the others drawn plainly), a targeted draw
    {
        "stratify": "region",
        "default_ratio": 0.25,
        "where": {"risk_class": ["A", "B"]},
        "floor": {"东城镇": 0.1, "南山乡": 0.0},
    },
    # a rotation (floor 0) in one stratum, with batches
    {"stratify": None, "counts": {"ALL": 90}, "floor": 0.0, "batches": 3},
    # periods without a floor: one tier per stratum, recorded all the same
    {"ratios": {"A": 0.1, "C": 0.4}},
]


def history(df: pd.DataFrame, *, entries: bool) -> History:
    """Three earlier periods (ids outside the register too) and this year's entries."""
    ids = df["id"].tolist()
    periods = {
        "2022": [*ids[0:300:4], "gone-1"],
        "2023": ids[1:400:5],
        "2024": [*ids[2:600:7], "gone-2"],
    }
    found = [(ids[i], "K01", 1) for i in range(0, len(ids), 11)] if entries else None
    return History(entries=found, periods=periods)


@pytest.mark.parametrize("shuffled", [False, True])
@pytest.mark.parametrize("npartitions", [1, 8, 32])
@pytest.mark.parametrize("policy", POLICIES)
def test_a_burden_spread_dask_draw_has_the_in_memory_receipt_on_any_partitioning(
    policy: dict[str, Any], npartitions: int, shuffled: bool
) -> None:
    df = frame()
    hist = history(df, entries="item" in policy)
    expected = draw(in_memory(df), seed=SEED, stream="2025/G01", history=hist, **policy)
    assert expected.receipt.burden is not None
    rows = df.sample(frac=1.0, random_state=3) if shuffled else df  # test-side shuffle only
    got = draw_dask(dd.from_pandas(rows, npartitions=npartitions), seed=SEED,
                    stream="2025/G01", history=hist, scheduler="synchronous", **policy)  # fmt: skip
    assert got.receipt.to_json() == expected.receipt.to_json()
    assert got.batches == expected.batches
    for label, s in expected.strata.items():
        assert got.strata[label].ids == s.ids
        assert got.strata[label].tiers == s.tiers
        assert got.strata[label].probabilities.tolist() == s.probabilities.tolist()


def test_the_dask_receipt_verifies_against_the_register_and_history() -> None:
    df = frame()
    hist = history(df, entries=True)
    got = draw_dask(dd.from_pandas(df, npartitions=8), seed=SEED, stream="s", history=hist,
                    scheduler="synchronous", **POLICIES[0])  # fmt: skip
    reg = in_memory(df)
    assert verify(got.receipt, reg, history=hist).ok
    assert randsupervise.verify(got.receipt, registry=reg, history=hist).ok
    other = History(entries=hist.entries, periods={"2024": df["id"].tolist()[:50]})
    assert not verify(got.receipt, reg, history=other).ok


def test_persisted_registers_and_threads_give_the_same_burden_receipt() -> None:
    df = frame(300)
    hist = history(df, entries=False)
    kw: dict[str, Any] = {"seed": SEED, "stream": "s", "history": hist, "counts": {"A": 30},
                          "floor": {"A": 0.05}}  # fmt: skip
    expected = draw(in_memory(df), **kw).receipt.to_json()
    ddf = dd.from_pandas(df, npartitions=4)
    assert draw_dask(ddf, persist=True, scheduler="synchronous", **kw).receipt.to_json() == expected
    assert draw_dask(ddf, scheduler="threads", **kw).receipt.to_json() == expected


def test_a_floor_above_a_strata_fraction_is_refused_naming_the_stratum_as_in_memory() -> None:
    df = frame(200)
    hist = history(df, entries=False)
    kw: dict[str, Any] = {"seed": SEED, "stream": "s", "history": hist,
                          "ratios": {"A": 0.1, "B": 0.1},
                          "floor": {"A": 0.5, "B": 0.05}}  # fmt: skip
    with pytest.raises(ValidationError) as memory:
        draw(in_memory(df), **kw)
    with pytest.raises(ValidationError) as dask_:
        draw_dask(dd.from_pandas(df, npartitions=3), scheduler="synchronous", **kw)
    assert dask_.value.problems == memory.value.problems
    assert [p.id for p in dask_.value.problems] == ["A"]


def test_unequal_probability_methods_are_still_refused_with_a_history() -> None:
    ddf = dd.from_pandas(frame(40), npartitions=2)
    policy = DrawPolicy(method="pareto", default_ratio=0.5)
    with pytest.raises(ValidationError, match="'smallest' method") as e:
        draw_dask(ddf, policy, seed=SEED, stream="s", scheduler="synchronous",
                  history=History.from_periods({"2024": ["x"]}))  # fmt: skip
    assert e.value.problems[0].field == "method"


def _write(frame_: pd.DataFrame, root: Path, files: int) -> Path:
    """``frame_`` as partitioned Parquet: ``files`` files of row ranges."""
    root.mkdir()
    bounds = [len(frame_) * k // files for k in range(files + 1)]
    for k in range(files):
        part = frame_.iloc[bounds[k] : bounds[k + 1]]
        part.to_parquet(root / f"part-{k:02}.parquet", index=False)
    return root


def test_a_history_in_parquet_files_gives_the_in_memory_history_and_receipt(
    tmp_path: Path,
) -> None:
    pytest.importorskip("pyarrow")
    df = frame()
    hist = history(df, entries=True)
    assert hist.periods is not None and hist.entries is not None
    visits = pd.DataFrame(
        [(u, label) for label, ids in zip(hist.periods.labels, hist.periods.inspected,
                                           strict=True) for u in sorted(ids)],
        columns=["id", "period"],
    ).sample(frac=1.0, random_state=5)  # fmt: skip
    counts = pd.DataFrame(list(hist.entries) * 2, columns=["id", "item", "count"])  # summed
    read = history_from_dask(
        entries=dd.read_parquet(_write(counts, tmp_path / "entries", 3)),
        periods=dd.read_parquet(_write(visits, tmp_path / "periods", 4)),
        scheduler="synchronous",
    )
    doubled = History(entries=[(u, i, 2 * c) for u, i, c in hist.entries], periods=hist.periods)
    assert read == doubled and read.digest() == doubled.digest()
    register = dd.read_parquet(_write(df, tmp_path / "register", 5))
    got = draw_dask(register, seed=SEED, stream="s", history=read, scheduler="synchronous",
                    **POLICIES[0])  # fmt: skip
    expected = draw(in_memory(df), seed=SEED, stream="s", history=doubled, **POLICIES[0])
    assert got.receipt.to_json() == expected.receipt.to_json()


def test_period_order_and_empty_periods_follow_order() -> None:
    visits = dd.from_pandas(pd.DataFrame({"id": ["a", "b"], "period": ["秋", "春"]}),
                            npartitions=2)  # fmt: skip
    h = history_from_dask(periods=visits, order=["春", "夏", "秋"], scheduler="synchronous")
    assert h == History.from_periods({"春": ["b"], "夏": [], "秋": ["a"]})
    with pytest.raises(ValidationError, match="not in order") as e:
        history_from_dask(periods=visits, order=["春"], scheduler="synchronous")
    assert e.value.problems[0].id == "秋"


def test_a_bad_history_row_is_refused_naming_its_partition_and_row() -> None:
    visits = pd.DataFrame({"id": ["a", "b", "c", "", "e", "f"],
                           "period": ["2023", "2023", "2024", "2024", "2024", None]})  # fmt: skip
    with pytest.raises(ValidationError) as e:
        history_from_dask(periods=dd.from_pandas(visits, npartitions=2, sort=False),
                          scheduler="synchronous")  # fmt: skip
    assert "history partition 1" in str(e.value)
    assert [(p.row, p.field) for p in e.value.problems] == [(0, "id"), (2, "period")]
    counts = pd.DataFrame({"id": ["a", "b"], "item": ["K01", "K01"], "count": [1, -1]})
    with pytest.raises(ValidationError) as e:
        history_from_dask(entries=dd.from_pandas(counts, npartitions=1), scheduler="synchronous")
    assert [(p.row, p.id) for p in e.value.problems] == [(1, "b")]
    with pytest.raises(ValidationError, match="missing"):
        history_from_dask(entries=dd.from_pandas(counts[["id", "item"]], npartitions=1),
                          scheduler="synchronous")  # fmt: skip


@st.composite
def cases(draw_: st.DrawFn) -> tuple[pd.DataFrame, History, dict[str, Any], int]:
    """A small register, an earlier periods' history over it and a burden-spread policy."""
    n = draw_(st.integers(min_value=0, max_value=60))
    df = pd.DataFrame(
        {
            "id": [f"u{i}" for i in range(n)],
            "risk_class": draw_(st.lists(st.sampled_from("ABCD"), min_size=n, max_size=n)),
            "region": draw_(st.lists(st.sampled_from(["东", "西"]), min_size=n, max_size=n)),
        }
    )
    ids = [*df["id"], "gone"]
    periods = draw_(st.lists(st.sets(st.sampled_from(ids)), min_size=1, max_size=4))
    hist = History.from_periods({f"{2020 + k}": sorted(p) for k, p in enumerate(periods)})
    policy: dict[str, Any] = {
        "stratify": draw_(st.sampled_from(["risk_class", "region", None])),
        "default_ratio": draw_(st.sampled_from([0.3, 0.5, 1.0])),
        # floors up to the fraction and above it (refused, naming the stratum, either way)
        "floor": draw_(st.sampled_from([None, 0.0, 0.1, 0.25, 0.6])),
    }
    if draw_(st.booleans()):
        policy["where"] = {"risk_class": ["A", "B", "C"]}
    return df, hist, policy, draw_(st.integers(min_value=1, max_value=7))


@settings(max_examples=25, derandomize=True, deadline=None)
@given(cases())
def test_property_dask_and_in_memory_receipts_agree(
    case: tuple[pd.DataFrame, History, dict[str, Any], int],
) -> None:
    df, hist, policy, npartitions = case
    ddf = dd.from_pandas(df, npartitions=npartitions, sort=False)
    kw: dict[str, Any] = {"seed": SEED, "stream": "p", "history": hist, **policy}
    try:
        expected = draw(in_memory(df), **kw)
    except ValidationError as e:
        with pytest.raises(ValidationError) as refused:
            draw_dask(ddf, scheduler="synchronous", **kw)
        assert refused.value.problems == e.problems
        return
    got = draw_dask(ddf, scheduler="synchronous", **kw)
    assert got.receipt.to_json() == expected.receipt.to_json()


def test_shard_candidates_with_given_strata_checks_them() -> None:
    """Strata given as (labels, codes) keep candidates per code; bad codes are refused."""
    from randsupervise.draw import Seed, merge_candidates, shard_candidates

    reg = in_memory(frame(30))
    seed = Seed.from_text("x")
    codes = [i % 3 - 1 for i in range(30)]  # -1: in no stratum
    cut = shard_candidates(reg, seed=seed, stream="s", sizes={"p": 2, "q": 30},
                           strata=(["p", "q"], codes))  # fmt: skip
    merged = merge_candidates([cut])
    assert (merged.strata["p"].population, merged.strata["q"].population) == (10, 10)
    assert len(merged.strata["p"].selected) == 2
    for bad in ([0] * 29, [2] * 30, [-2] * 30):
        with pytest.raises(ValidationError, match="codes"):
            shard_candidates(reg, seed=seed, stream="s", sizes={"p": 1}, strata=(["p"], bad))
