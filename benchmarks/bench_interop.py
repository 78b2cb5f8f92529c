"""Benchmark: a register from an Arrow table against the same data as numpy arrays.

The goal: ``registry_from(arrow_table)`` builds a 1,000,000-row register within 1.2x the
time of ``TargetRegistry.from_columns`` on the same columns as numpy arrays (the
baseline; the Arrow path converts and then calls it). Each is run 3 times and min, median
and max are reported; the ratio is of the medians. Measured in the same run, for
context: the same data as a pandas DataFrame through ``registry_from`` (pandas to Arrow,
then the Arrow path), and pandas Series handed to ``from_columns`` directly (numpy reads
each Series through ``__array__``). The load average is reported with every row: on a
loaded machine the times are noisy and say so.

    python benchmarks/bench_interop.py            # 1,000,000 rows
    python benchmarks/bench_interop.py --quick    # 50,000 rows
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import pyarrow as pa

from bench_registry import make_columns
from randsupervise.interop import registry_from
from randsupervise.model import TargetRegistry

from _common import emit


def runs(fn: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Wall times of ``repeat`` runs of ``fn`` and its last result."""
    times = []
    result: Any = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return times, result


def spread(times: list[float]) -> dict[str, float]:
    return {
        "min_s": round(min(times), 4),
        "median_s": round(statistics.median(times), 4),
        "max_s": round(max(times), 4),
    }


def run(n: int, repeat: int) -> None:
    cols = make_columns(n)
    table = pa.table({k: pa.array(v) for k, v in cols.items()})
    frame = pd.DataFrame(cols)
    load = [round(x, 2) for x in os.getloadavg()]
    base, reg = runs(lambda: TargetRegistry.from_columns(**cols), repeat)
    ours, from_arrow = runs(lambda: registry_from(table), repeat)
    assert from_arrow.digest() == reg.digest()
    pandas_t, from_pandas = runs(lambda: registry_from(frame), repeat)
    assert from_pandas.digest() == reg.digest()
    series_t, _ = runs(lambda: TargetRegistry.from_columns(**{k: frame[k] for k in cols}), repeat)
    loaded = load[0] > (os.cpu_count() or 1) * 0.5
    common = {"rows": n, "runs": repeat, "load_avg": load, "machine_loaded": loaded}
    emit(
        f"registry_from_arrow_{n}",
        statistics.median(ours),
        "from_columns(numpy arrays)",
        statistics.median(base),
        goal_ratio=1.2,
        ours=spread(ours),
        baseline_runs=spread(base),
        **common,
    )
    emit(
        f"registry_from_pandas_{n}",
        statistics.median(pandas_t),
        "from_columns(numpy arrays)",
        statistics.median(base),
        ours=spread(pandas_t),
        **common,
    )
    emit(
        f"from_columns_pandas_series_{n}",
        statistics.median(series_t),
        "from_columns(numpy arrays)",
        statistics.median(base),
        ours=spread(series_t),
        **common,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small size (CI)")
    args = parser.parse_args()
    run(50_000 if args.quick else 1_000_000, repeat=3)


if __name__ == "__main__":
    main()
