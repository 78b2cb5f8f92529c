"""Benchmark: randomised inspector assignment against one maximum flow.

Instance (full size): 100,000 visits, 3,000 inspectors in 30 regions (one region each),
teams of 2, 20 qualification tags (3 per inspector, 1 required per visit), 1% of the
eligible (visit, inspector) pairs in conflict, 10% joint visits (two departments), a
uniform load limit of 1.5 x the mean load. Baseline, measured in the same run:
one ``scipy.sparse.csgraph.maximum_flow`` (Dinic) over the same eligibility graph
(source -> visit capacity 2, visit -> eligible inspector 1, inspector -> sink the load
limit), graph already built. Prints one JSON object per run and one summary per shape
(min / median / max of ours, of the baseline and of the ratio; the load average).

Shapes (``--shape``, repeatable): ``10k`` (10,000 visits, 300 inspectors, 3 regions),
``100k`` (100,000 / 3,000 / 30 regions), ``100k-1region`` (100,000 / 3,000, all in one
region: the eligibility graph is one component, with about 240 million eligible pairs),
``30k-1region`` (30,000 / 900 in one region, about 21.5 million pairs: the one-component
shape at a size whose baseline graph fits in a few GB), ``joint-10k`` and ``joint-100k``.

Joint-heavy shapes (``joint-*``, or ``--joint-heavy``): the same, with 30% joint visits
staffed per department (each department's part two officers of its own, 部门联合抽查);
the baseline's graph then has one node per part (source -> part capacity 2, part -> its
department's eligible inspectors). The other shapes keep their joint visits in the
one-team form (one officer of each department), so their figures stay comparable with
earlier runs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import time
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_flow

from randsupervise.assign import JointRule, VisitRequest, assign
from randsupervise.model.inspectors import Inspector, InspectorPool
from randsupervise.tickets.seed import Seed

DEPTS = ("D0", "D1", "D2", "D3", "D4")


def instance(
    n_visits: int,
    n_insp: int,
    n_regions: int,
    n_tags: int = 20,
    seed: int = 7,
    joint_share: float = 0.10,
    per_department: bool = False,
):
    rng = np.random.default_rng(seed)  # benchmark data only; the engine never sees rng
    regions = [f"R{r:02d}" for r in range(n_regions)]
    tags = [f"Q{t:02d}" for t in range(n_tags)]
    ireg = np.arange(n_insp) % n_regions
    # 80% lead department, 5% each partner, in every region
    pattern = np.array([0] * 16 + [1, 2, 3, 4])
    idept = pattern[(np.arange(n_insp) // n_regions) % 20]
    itags = [rng.choice(n_tags, size=3, replace=False) for _ in range(n_insp)]
    people = [
        Inspector(
            id=f"I{i:05d}",
            name=f"inspector {i}",
            department=DEPTS[idept[i]],
            certified=True,
            certificate_number=f"C{i}",
            qualifications={tags[t] for t in itags[i]},
            regions={regions[ireg[i]]},
        )
        for i in range(n_insp)
    ]
    pool = InspectorPool(inspectors=people)
    vreg = rng.integers(0, n_regions, n_visits)
    joint = rng.random(n_visits) < joint_share
    rule = JointRule.PER_DEPARTMENT if per_department else JointRule.ONE_PER_DEPARTMENT
    partner = rng.integers(1, len(DEPTS), n_visits)
    vtag = rng.integers(0, n_tags, n_visits)
    visits = [
        VisitRequest(
            id=f"V{k:06d}",
            target=f"T{k:06d}",
            region=regions[vreg[k]],
            departments=("D0", DEPTS[partner[k]]) if joint[k] else ("D0",),
            qualifications={tags[vtag[k]]},
            joint_rule=rule,
        )
        for k in range(n_visits)
    ]
    # eligibility as arrays (pool ids are I00000.. so pool order = index order)
    by_rd = {}
    for i in range(n_insp):
        by_rd.setdefault((ireg[i], idept[i]), []).append(i)
    # units: the flow's demand nodes (a visit, or each part of a joint visit per department)
    rows, cols, demand, unit_visit = [], [], [], []
    for k in range(n_visits):
        ds = (0, partner[k]) if joint[k] else (0,)
        parts = [(d,) for d in ds] if per_department and joint[k] else [ds]
        for part in parts:
            u = len(demand)
            demand.append(2)
            unit_visit.append(k)
            for d in part:
                c = by_rd.get((vreg[k], d), [])
                rows.append(np.full(len(c), u))
                cols.append(np.array(c, dtype=np.int64))
    r = np.concatenate(rows)
    c = np.concatenate(cols)
    uv = np.array(unit_visit, dtype=np.int64)
    # 1% of the eligible pairs are conflicts
    pick = rng.random(r.size) < 0.01
    conflicts = [(f"I{c[e]:05d}", f"T{uv[r[e]]:06d}") for e in np.flatnonzero(pick)]
    r, c = r[~pick], c[~pick]
    limit = math.ceil(1.5 * sum(demand) / n_insp)
    return visits, pool, conflicts, limit, (r, c, np.array(demand, dtype=np.int64))


def baseline_graph(n_insp, limit, edges):
    r, c, demand = edges
    n_units = demand.size
    n = n_units + n_insp + 2
    s, t = n - 2, n - 1
    rows = np.concatenate([np.full(n_units, s), r, n_units + np.arange(n_insp)])
    cols = np.concatenate([np.arange(n_units), n_units + c, np.full(n_insp, t)])
    caps = np.concatenate([demand, np.ones(r.size, dtype=np.int64), np.full(n_insp, limit)]).astype(
        np.int32
    )
    return sp.csr_matrix((caps, (rows, cols)), shape=(n, n)), s, t


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


#: The shapes of the benchmark row: (visits, inspectors, regions, joint-heavy).
SHAPES = {
    "10k": (10_000, 300, 3, False),
    "100k": (100_000, 3_000, 30, False),
    "100k-1region": (100_000, 3_000, 1, False),
    "30k-1region": (30_000, 900, 1, False),
    "joint-10k": (10_000, 300, 3, True),
    "joint-100k": (100_000, 3_000, 30, True),
}


def run(n_visits: int, n_insp: int, n_regions: int, joint_heavy: bool = False) -> dict[str, object]:
    share = 0.30 if joint_heavy else 0.10
    visits, pool, conflicts, limit, edges = instance(
        n_visits, n_insp, n_regions, joint_share=share, per_department=joint_heavy
    )
    graph, s, t = baseline_graph(n_insp, limit, edges)
    t0 = time.perf_counter()
    flow = maximum_flow(graph, s, t)
    base = time.perf_counter() - t0
    del graph
    t0 = time.perf_counter()
    a = assign(
        visits,
        pool,
        seed=Seed.from_text("bench"),
        stream="bench/teams",
        conflicts=conflicts,
        load_limits=limit,
    )
    ours = time.perf_counter() - t0
    loads = np.array(list(a.loads().values()))
    return {
        "name": f"assign_{n_visits}v_{n_insp}i_{n_regions}r"
        + ("_joint30_per_department" if joint_heavy else ""),
        "ours_s": round(ours, 3),
        "baseline": "scipy.sparse.csgraph.maximum_flow (dinic) over the eligibility graph",
        "baseline_s": round(base, 3),
        "ratio": round(ours / base, 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "eligible_pairs": int(edges[0].size),
        "conflict_pairs": len(conflicts),
        "max_flow_value": int(flow.flow_value),
        "places": int(edges[2].sum()),
        "exact_fallback": a.receipt["exact_fallback"],
        "load_min": int(loads.min()),
        "load_max": int(loads.max()),
        "load_limit": limit,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def summary(rows: list[dict[str, Any]], shape: str, load_start: float) -> dict[str, Any]:
    """Min / median / max of the ratio, of our time and of the baseline's own time, with
    the machine's load average (1 minute) at the start and at the end of the runs."""

    def mmm(key: str) -> list[float]:
        xs = sorted(float(r[key]) for r in rows)
        return [xs[0], xs[len(xs) // 2], xs[-1]]

    return {
        "name": rows[0]["name"],
        "shape": shape,
        "runs": len(rows),
        "ratio_min_median_max": mmm("ratio"),
        "ours_s_min_median_max": mmm("ours_s"),
        "baseline_s_min_median_max": mmm("baseline_s"),
        "goal_ratio": 2.0,
        "goal_met": mmm("ratio")[1] <= 2.0,
        "load_average_1min_start_end": [round(load_start, 2), round(os.getloadavg()[0], 2)],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="only the shape 10k (10,000 visits)")
    ap.add_argument("--runs", type=int, default=1, help="runs of each shape, then a summary")
    ap.add_argument(
        "--shape",
        action="append",
        choices=sorted(SHAPES),
        help="a shape to run (repeat for several; default: 10k, 100k and 30k-1region; "
        "100k-1region needs about 20 GB)",
    )
    ap.add_argument(
        "--joint-heavy",
        action="store_true",
        help="the shapes joint-10k and joint-100k (30%% joint visits staffed per department)",
    )
    args = ap.parse_args()
    if args.shape:
        shapes = args.shape
    elif args.joint_heavy:
        shapes = ["joint-10k"] if args.quick else ["joint-10k", "joint-100k"]
    else:
        shapes = ["10k"] if args.quick else ["10k", "100k", "30k-1region"]
    for shape in shapes:
        *size, joint = SHAPES[shape]
        load_start = os.getloadavg()[0]
        rows = []
        for _ in range(args.runs):
            rows.append(run(*size, joint_heavy=joint))
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        print(json.dumps(summary(rows, shape, load_start), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
