"""Draws on a Dask dataframe give the in-memory draw's selection and receipt, exactly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import dask.dataframe as dd
import pandas as pd
import pytest

from randsupervise.draw import Draw, DrawPolicy, History, draw
from randsupervise.draw.dask import draw_dask
from randsupervise.errors import ValidationError
from randsupervise.model import TargetRegistry

from dask_frames import frame as _frame
from dask_frames import in_memory

SEED = "dice 6 2 5 1 3 3 4"
POLICIES = [
    {"ratios": {"A": 0.03, "B": 0.05, "C": 0.2, "D": 1.0}},
    {"ratios": {"A": 0.1}, "counts": {"B": 7}, "min_per_stratum": 2, "batches": 3},
    {"stratify": "region", "default_ratio": 0.25, "where": {"risk_class": ["A", "B"]}},
    {"stratify": None, "counts": {"ALL": 11}},
]


def frame(n: int = 600) -> pd.DataFrame:
    return _frame(n, weights=True)


@pytest.mark.parametrize("npartitions", [1, 8])
@pytest.mark.parametrize("policy", POLICIES)
def test_dask_receipt_is_identical_to_the_in_memory_receipt(
    npartitions: int, policy: dict[str, object]
) -> None:
    df = frame()
    expected = draw(in_memory(df), seed=SEED, stream="2024/G01", **policy)  # type: ignore[arg-type]
    got = draw_dask(dd.from_pandas(df, npartitions=npartitions), seed=SEED, stream="2024/G01",
                    scheduler="synchronous", **policy)  # type: ignore[arg-type]  # fmt: skip
    assert isinstance(got, Draw) and got.registry is None  # one result type, no register
    assert got.receipt == expected.receipt
    assert got.receipt.to_json() == expected.receipt.to_json()
    assert got.ids == expected.ids
    assert got.batches == expected.batches
    assert {k: s.ids for k, s in got.strata.items()} == {
        k: s.ids for k, s in expected.strata.items()
    }
    assert (got.registry_size, got.register_digest) == (
        expected.registry_size,
        expected.register_digest,
    )
    with pytest.raises(ValidationError, match="holds no register"):
        got.positions  # noqa: B018


def test_shuffled_and_repartitioned_frames_give_the_same_receipt() -> None:
    df = frame(300)
    shuffled = df.sample(frac=1.0, random_state=7).reset_index(drop=True)  # test-side only
    a = draw_dask(dd.from_pandas(df, npartitions=3), seed=SEED, stream="s",
                  ratios={"A": 0.2, "B": 0.2}, scheduler="synchronous")  # fmt: skip
    b = draw_dask(dd.from_pandas(shuffled, npartitions=5), seed=SEED, stream="s",
                  ratios={"A": 0.2, "B": 0.2}, scheduler="synchronous")  # fmt: skip
    assert a.receipt == b.receipt


def test_a_ready_policy_and_the_threaded_scheduler() -> None:
    df = frame(200)
    expected = draw(in_memory(df), seed=SEED, stream="s", ratios={"C": 0.5})
    got = draw_dask(dd.from_pandas(df, npartitions=4), seed=SEED, stream="s",
                    policy=expected.policy, scheduler="threads")  # fmt: skip
    assert got.receipt == expected.receipt


def test_duplicate_ids_across_partitions_are_refused() -> None:
    df = frame(40)
    df.loc[39, "id"] = df.loc[0, "id"]
    with pytest.raises(ValidationError, match="more than one row"):
        draw_dask(dd.from_pandas(df, npartitions=4), seed=SEED, stream="s",
                  ratios={"A": 0.5}, scheduler="synchronous")  # fmt: skip


def test_bad_rows_name_their_partition() -> None:
    df = frame(40)
    df.loc[25, "risk_class"] = "E"
    with pytest.raises(ValidationError) as e:
        draw_dask(dd.from_pandas(df, npartitions=4), seed=SEED, stream="s",
                  ratios={"A": 0.5}, scheduler="synchronous")  # fmt: skip
    assert "partition" in str(e.value)
    assert e.value.problems[0].field == "risk_class"


def test_unsupported_methods_and_missing_columns_are_refused() -> None:
    ddf = dd.from_pandas(frame(20), npartitions=2)
    with pytest.raises(ValidationError, match="smallest"):
        draw_dask(ddf, seed=SEED, stream="s", policy=draw(
            in_memory(frame(20)), seed=SEED, stream="s", method="poisson", default_ratio=0.5
        ).policy, scheduler="synchronous")  # fmt: skip
    with pytest.raises(ValidationError, match="columns"):
        draw_dask(ddf.rename(columns={"id": "code"}), seed=SEED, stream="s",
                  ratios={"A": 0.5}, scheduler="synchronous")  # fmt: skip
    # a floor needs the history it spreads the burden over, as in memory
    with pytest.raises(ValidationError, match="history=") as e:
        draw_dask(ddf, seed=SEED, stream="s", policy=DrawPolicy(default_ratio=0.5, floor=0.1),
                  scheduler="synchronous")  # fmt: skip
    assert e.value.problems[0].field == "floor"


def test_a_policy_and_policy_arguments_together_are_refused() -> None:
    """As draw() does: the arguments would otherwise be ignored without a word."""
    ddf = dd.from_pandas(frame(20), npartitions=2)
    with pytest.raises(ValidationError, match="not both") as e:
        draw_dask(ddf, seed=SEED, stream="s", policy=DrawPolicy(default_ratio=0.5),
                  ratios={"A": 0.1}, batches=2, scheduler="synchronous")  # fmt: skip
    assert "['batches', 'ratios']" in e.value.problems[0].message
    with pytest.raises(ValidationError, match="Seed or a str"):
        draw_dask(ddf, seed=b"not text", stream="s", ratios={"A": 0.5})  # type: ignore[arg-type]


def test_the_core_imports_without_dask() -> None:
    code = (
        "import sys; sys.modules['dask'] = None\n"
        "import randsupervise, randsupervise.draw, randsupervise.draw.partition\n"
        "import randsupervise.draw.coordination\n"
        "assert 'dask.dataframe' not in sys.modules\n"
        "import randsupervise.draw.dask as m\n"
        "try:\n"
        "    m.draw_dask(None, seed='x', stream='s')\n"
        "except ImportError:\n"
        "    print('lazy')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "lazy"


def test_the_dask_receipt_verifies_and_empty_partitions_are_fine() -> None:
    from randsupervise.draw.verify import verify

    df = frame(200)
    df["risk_class"] = ["A"] * 50 + ["B"] * 150
    ddf = dd.from_pandas(df, npartitions=8, sort=False)
    only_a = ddf[ddf["risk_class"] == "A"]  # most partitions become empty
    got = draw_dask(only_a, seed=SEED, stream="s", ratios={"A": 0.1}, scheduler="synchronous")
    reg = in_memory(df[df["risk_class"] == "A"])
    assert got.receipt == draw(reg, seed=SEED, stream="s", ratios={"A": 0.1}).receipt
    assert verify(got.receipt, reg).ok
    assert not verify(got.receipt, in_memory(df)).ok


def _write_provinces(df: pd.DataFrame, root: Path, files: int) -> Path:
    """The register as partitioned Parquet, one file per "province" (row ranges)."""
    out = root / f"register-{files}"
    out.mkdir()
    bounds = [len(df) * k // files for k in range(files + 1)]
    for k in range(files):
        df.iloc[bounds[k] : bounds[k + 1]].to_parquet(out / f"province-{k:02}.parquet", index=False)
    return out


def test_partitioned_parquet_gives_the_in_memory_receipt_for_1_8_and_32_files(
    tmp_path: Path,
) -> None:
    pytest.importorskip("pyarrow")
    n = 200_000
    df = pd.DataFrame(
        {
            "id": [f"91{i:07}X" for i in range(n)],
            "risk_class": ["AAAAABBBCD"[(i * 7) % 10] for i in range(n)],
            "region": [("东城镇", "西城镇", "南山乡")[i % 3] for i in range(n)],
        }
    )
    ratios = {"A": 0.03, "B": 0.1, "C": 0.3, "D": 1.0}
    reg = TargetRegistry.from_columns(
        id=df["id"].to_numpy(),
        risk_class=df["risk_class"].to_numpy(),
        region=df["region"].to_numpy(),
    )
    expected = draw(reg, seed=SEED, stream="2025/省级", ratios=ratios, batches=4).receipt
    texts = set()
    for files in (1, 8, 32):
        ddf = dd.read_parquet(_write_provinces(df, tmp_path, files))
        got = draw_dask(ddf, seed=SEED, stream="2025/省级", ratios=ratios, batches=4,
                        scheduler="synchronous")  # fmt: skip
        assert ddf.npartitions == files
        assert got.receipt == expected
        texts.add(got.receipt.to_json())
    assert texts == {expected.to_json()}


def test_persisted_registers_give_the_same_receipt() -> None:
    df = frame(300)
    a = draw_dask(dd.from_pandas(df, npartitions=3), seed=SEED, stream="s",
                  ratios={"A": 0.2, "C": 0.5}, scheduler="synchronous")  # fmt: skip
    b = draw_dask(dd.from_pandas(df, npartitions=3), seed=SEED, stream="s",
                  ratios={"A": 0.2, "C": 0.5}, scheduler="synchronous", persist=True)  # fmt: skip
    assert a.receipt == b.receipt


@pytest.mark.parametrize("npartitions", [1, 8])
def test_frequency_limits_on_dask_give_the_in_memory_receipt(npartitions: int) -> None:
    from randsupervise.draw import ItemRule

    df = frame(600)
    k01 = ItemRule(id="K01", yearly_frequency_limit=1)
    ids = df["id"].tolist()
    history = [(ids[i], "K01", 1) for i in range(0, 600, 3)] + [("not-in-register", "K01", 2)]
    history += [(ids[1], "G02", 5)]  # another item's count is digested away
    policy = {
        "ratios": {"A": 0.2, "B": 0.5, "D": 1.0},
        "item": k01,
        "where": {"region": ["东城镇", "南山乡"]},
    }
    hist = History.from_entries(history)
    expected = draw(in_memory(df), seed=SEED, stream="s", history=hist, **policy)  # type: ignore[arg-type]
    got = draw_dask(dd.from_pandas(df, npartitions=npartitions), seed=SEED, stream="s",
                    history=hist, scheduler="synchronous", **policy)  # type: ignore[arg-type]  # fmt: skip
    assert expected.receipt.frequency_limit["excluded"]
    assert got.receipt == expected.receipt
    assert got.receipt.to_json() == expected.receipt.to_json()
