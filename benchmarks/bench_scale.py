"""Benchmark: national scale. The receipt of a big draw, a fresh register's fingerprints,
and a draw on Dask from a register stored as partitioned Parquet (one file per province).

Every ratio is measured side by side in one run: each repeat times ours and the baseline
back to back, and each row reports the min/median/max of the repeats and the load average.

(i)   ``receipt_*``: building the receipt of a draw and writing its JSON, against
      ``draw()`` itself (10M units, classes 50/30/15/5% A/B/C/D at ratios
      .03/.1/.3/1: about 1.4M selected). Goal: ``ratio <= 3``.
(ii)  ``fingerprints_*``: a fresh register's id fingerprints against one core of
      ``hashlib.sha256`` over the same ids with the same prefix (the bytes that must be
      hashed). Goal: ``ratio <= 1.2``. ``register_build_*`` is the whole register build
      against the same baseline, for context.
(iii) ``dask_parquet_*``: ``draw_dask`` over Parquet files on a local Dask process pool
      of 2 workers, against reading the same files on the same pool and counting the
      classes (the I/O floor). Peak memory per worker and on the client, throughput.
      ``dask_vs_*``: the same Dask times against the in-memory path on one process, in
      the same repeats: reading every file into one frame + ``draw()`` and its receipt of
      a built register (the goal: ``ratio <= 1.5``), and + building the register too.
      The receipts must be identical.
(iv)  ``dask_partitionings_*``: the receipt-identity promise at size: the ``--units``
      register written as 1, 8 and 32 files, each drawn by ``draw_dask``, and drawn in
      memory; the script fails unless all four receipt digests are equal.

    python benchmarks/bench_scale.py                 # 10M receipt/fingerprints, 50M Dask
    python benchmarks/bench_scale.py --dask-units 20000000
    python benchmarks/bench_scale.py --only dask --no-in-memory   # no whole-register process
    python benchmarks/bench_scale.py --quick         # small sizes (CI)
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from randsupervise.draw import draw
from randsupervise.model import TargetRegistry
from randsupervise.tickets.fingerprint import ID_PREFIX, fingerprints

from _common import emit

RATIOS = {"A": 0.03, "B": 0.1, "C": 0.3, "D": 1.0}
SHARES = [0.50, 0.30, 0.15, 0.05]
SEED = "bench dice 3 1 4 1 5"


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def spread(xs: list[float]) -> dict[str, float]:
    return {"min": round(min(xs), 4), "median": round(statistics.median(xs), 4),
            "max": round(max(xs), 4)}  # fmt: skip


def side_by_side(
    ours: Callable[[], Any], base: Callable[[], Any], repeat: int
) -> tuple[list[float], list[float]]:
    o: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        ours()
        o.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        base()
        b.append(time.perf_counter() - t0)
    return o, b


def ids_of(start: int, n: int) -> np.ndarray:
    return np.char.add("T", np.char.zfill(np.arange(start, start + n).astype("U10"), 10))


def classes_of(start: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(20240301 + start)
    return rng.choice(np.asarray(list("ABCD")), size=n, p=SHARES)


def row(name: str, o: list[float], b: list[float], baseline: str, **extra: Any) -> None:
    ratios = [x / y for x, y in zip(o, b, strict=True)]
    emit(name, statistics.median(o), baseline, statistics.median(b),
         ours=spread(o), base=spread(b), ratios=spread(ratios), load=load(),
         **extra)  # fmt: skip


def bench_receipt(n: int, repeat: int) -> None:
    reg = TargetRegistry.from_columns(id=ids_of(0, n), risk_class=classes_of(0, n))
    reg.strata_index("risk_class")
    reg.digest()
    draws: list[Any] = []
    d_s: list[float] = []
    r_s: list[float] = []
    j_s: list[float] = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        d = draw(reg, seed=SEED, stream="2025/national", ratios=RATIOS)
        d_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        r = d.receipt
        r_s.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        text = r.to_json(indent=None)
        j_s.append(time.perf_counter() - t0)
        draws.append(d)
    ours = [a + b for a, b in zip(r_s, j_s, strict=True)]
    row(f"receipt_{n}", ours, d_s, "draw() itself", units=n,
        selected=len(draws[0].positions), receipt_s=spread(r_s), to_json_s=spread(j_s),
        json_mb=round(len(text) / 2**20, 1))  # fmt: skip


def bench_fingerprints(n: int, repeat: int) -> None:
    ids = ids_of(0, n)
    prefix = ID_PREFIX

    def baseline() -> list[bytes]:
        sha = hashlib.sha256
        return [sha(prefix + s.encode("utf-8")).digest() for s in ids.tolist()]

    o, b = side_by_side(lambda: fingerprints(ids), baseline, repeat)
    row(f"fingerprints_{n}", o, b, "hashlib.sha256(prefix + id) per id, one core", units=n)
    risk = classes_of(0, n)
    o2, b2 = side_by_side(lambda: TargetRegistry.from_columns(id=ids, risk_class=risk),
                          baseline, repeat)  # fmt: skip
    row(f"register_build_{n}", o2, b2, "hashlib.sha256(prefix + id) per id, one core", units=n)


def write_parquet(root: Path, n: int, files: int, *, one_register: bool = False) -> None:
    """The register as ``files`` Parquet files. Each file's classes are drawn for that
    file, so registers of different ``files`` differ, unless ``one_register``: then the
    classes are drawn once for all ``n`` rows and split (the same register, cut apart)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    bounds = [n * k // files for k in range(files + 1)]
    whole = classes_of(0, n) if one_register else None
    for k in range(files):
        a, m = bounds[k], bounds[k + 1] - bounds[k]
        classes = whole[a : a + m] if whole is not None else classes_of(a, m)
        table = pa.table({"id": ids_of(a, m), "risk_class": classes})
        pq.write_table(table, root / f"province-{k:02}.parquet")


def _class_counts(part: Any) -> Any:
    return part["risk_class"].value_counts()


def _in_memory(root: Path, out: Any) -> None:
    """The in-memory path on one process (run in a forked child, so that its memory is
    its own): read every file into one frame, build the register, draw, receipt."""
    import pandas as pd

    from randsupervise.draw.dask import _text_cells  # the Dask path's own text reading

    t0 = time.perf_counter()
    df = pd.read_parquet(root)
    t1 = time.perf_counter()
    reg = TargetRegistry.from_columns(id=_text_cells(df["id"]),
                                      risk_class=_text_cells(df["risk_class"]))  # fmt: skip
    del df
    t2 = time.perf_counter()
    d = draw(reg, seed=SEED, stream="2025/national", ratios=RATIOS)
    digest = d.receipt.receipt_digest
    t3 = time.perf_counter()
    out.send({"read": t1 - t0, "build": t2 - t1, "draw": t3 - t2, "digest": digest,
              "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0})  # fmt: skip


def in_memory(root: Path) -> dict[str, Any]:
    ctx = multiprocessing.get_context("fork")
    here, there = ctx.Pipe()
    child = ctx.Process(target=_in_memory, args=(root, there))
    child.start()
    got: dict[str, Any] = here.recv()
    child.join()
    return got


def _peak_rss_mb(pid: int) -> float:
    """A live process's peak resident set (``VmHWM``), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def report_in_memory(n: int, o: list[float], mem: list[dict[str, Any]]) -> None:
    read = [m["read"] for m in mem]
    drawn = [m["draw"] for m in mem]
    built = [m["build"] for m in mem]
    peak = round(max(m["rss_mb"] for m in mem), 1)
    row(f"dask_vs_read_and_draw_{n}", o, [r + d for r, d in zip(read, drawn, strict=True)],
        "in memory, one process: read the files + draw and receipt of a built register",
        units=n, read_s=spread(read), draw_s=spread(drawn), in_memory_rss_mb=peak)  # fmt: skip
    both = [r + x + d for r, x, d in zip(read, built, drawn, strict=True)]
    row(f"dask_vs_read_build_draw_{n}", o, both,
        "in memory, one process: read the files + build the register + draw and receipt",
        units=n, build_s=spread(built), in_memory_rss_mb=peak)  # fmt: skip


def bench_dask(n: int, files: int, repeat: int, memory: bool) -> None:
    import dask
    import dask.dataframe as dd

    from randsupervise.draw.dask import draw_dask

    root = Path(tempfile.mkdtemp(prefix="randsupervise-bench-"))
    try:
        t0 = time.perf_counter()
        write_parquet(root, n, files)
        write_s = time.perf_counter() - t0
        size_mb = sum(p.stat().st_size for p in root.iterdir()) / 2**20
        digests = set()

        def ours() -> None:
            d = draw_dask(dd.read_parquet(root), seed=SEED, stream="2025/national",
                          ratios=RATIOS)  # fmt: skip
            digests.add(d.receipt.receipt_digest)

        def floor() -> None:
            ddf = dd.read_parquet(root, columns=["risk_class"])
            ddf.map_partitions(_class_counts, meta=("count", "i8")).compute()

        # one pool of 2 forked workers for every run: no start-up per compute
        pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"))
        o: list[float] = []
        b: list[float] = []
        mem: list[dict[str, Any]] = []
        with dask.config.set(scheduler="processes", pool=pool):
            for _ in range(repeat):  # side by side: ours, the read floor, in memory
                oo, bb = side_by_side(ours, floor, 1)
                o += oo
                b += bb
                if memory:
                    mem.append(in_memory(root))
                    digests.add(mem[-1]["digest"])
        workers = [_peak_rss_mb(pid) for pid in list(pool._processes)]
        pool.shutdown()
        assert len(digests) == 1, "the Dask and the in-memory receipts differ"
        client_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        row(f"dask_parquet_{n}", o, b, "read the Parquet and count classes, same pool",
            units=n, partitions=files, workers=2, parquet_mb=round(size_mb, 1),
            write_s=round(write_s, 1), units_per_s=round(n / statistics.median(o)),
            per_partition_s=round(statistics.median(o) * 2 / files, 3),
            peak_worker_rss_mb=[round(w, 1) for w in workers],
            peak_client_rss_mb=round(client_mb, 1), receipt_digest=digests.pop()[:16],
            cpus=os.cpu_count())  # fmt: skip
        if memory:
            report_in_memory(n, o, mem)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def bench_partitionings(n: int, counts: list[int]) -> None:
    """The same register written as 1, 8 and 32 files (``counts``), each drawn by
    ``draw_dask`` on 2 forked workers, and once in memory: one receipt digest for all,
    asserted; the times of each partitioning in the row (not a ratio goal)."""
    import dask
    import dask.dataframe as dd

    from randsupervise.draw.dask import draw_dask

    digests: dict[str, str] = {}
    times: dict[str, float] = {}
    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"))
    try:
        with dask.config.set(scheduler="processes", pool=pool):
            for files in counts:
                root = Path(tempfile.mkdtemp(prefix="randsupervise-bench-"))
                try:
                    write_parquet(root, n, files, one_register=True)
                    t0 = time.perf_counter()
                    d = draw_dask(dd.read_parquet(root), seed=SEED, stream="2025/national",
                                  ratios=RATIOS)  # fmt: skip
                    times[f"{files}_files_s"] = round(time.perf_counter() - t0, 3)
                    digests[f"{files}_files"] = d.receipt.receipt_digest
                    if files == counts[-1]:
                        digests["in_memory"] = in_memory(root)["digest"]
                finally:
                    shutil.rmtree(root, ignore_errors=True)
    finally:
        pool.shutdown()
    assert len(set(digests.values())) == 1, f"the partitionings' receipts differ: {digests}"
    emit(f"dask_partitionings_{n}", times[f"{counts[-1]}_files_s"],
         f"draw_dask of the same register in {counts[0]} file(s)", times[f"{counts[0]}_files_s"],
         units=n, receipt_digest=next(iter(digests.values()))[:16], same_receipt=True,
         compared=sorted(digests), load=load(), **times)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="small sizes (CI)")
    ap.add_argument("--units", type=int, default=10_000_000)
    ap.add_argument("--dask-units", type=int, default=50_000_000)
    ap.add_argument("--only", choices=["receipt", "fingerprints", "dask", "partitionings"],
                    default=None)  # fmt: skip
    ap.add_argument("--dask-repeat", type=int, default=3, help="repeats of the Dask rows")
    ap.add_argument("--no-in-memory", action="store_true",
                    help="Dask row without the in-memory baselines (they hold the whole "
                    "register on one process)")  # fmt: skip
    args = ap.parse_args()
    n, dn, files, repeat = args.units, args.dask_units, 32, 3
    if args.quick:
        n, dn, files = 200_000, 400_000, 8
    if args.only in (None, "receipt"):
        bench_receipt(n, repeat)
    if args.only in (None, "fingerprints"):
        bench_fingerprints(n, repeat)
    if args.only in (None, "dask"):
        bench_dask(dn, files, args.dask_repeat, not args.no_in_memory)
    if args.only in (None, "partitionings"):
        bench_partitionings(n, sorted({1, 8, files}))


if __name__ == "__main__":
    main()
