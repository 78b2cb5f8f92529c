"""Benchmark: a province-size year end to end, time per stage and peak memory.

Full size: 1,000,000 targets, 50 items, 5,000 inspectors. ``--quick``: 100,000 targets,
20 items, 1,000 inspectors. Stages and their baselines (measured in the same run):

* ``plan_check``: ``AnnualPlan.validate`` with the register; baseline: one
  ``registry.mask`` per task (the least work an exact per-target check needs).
* ``run_plan``: draws + visit merging + teams + receipt; baseline: the bare ``draw()``
  calls of the same tasks (the draw engine alone) plus one ``assign()`` of the same visits.
  Ours and the baseline are timed in turn, ``--repeat`` pairs (best of each), so a burst
  of load on a shared machine falls on both. Goal: ratio <= 1.2.
* ``run_plan_scaling``: the same year on a register ten times smaller (N/10 targets,
  inspectors / 10, the same items and tasks, so visits scale with N): t(N) / t(N/10) of
  ``run_plan`` (``ratio``) and of its baseline (``baseline_scaling``). Goal: <= 11.
* ``lifecycle``: every visit inspected, recorded and published with the batch methods
  (``inspect_many``, ``record_many``, ``publish_many``); baseline: the vectorised
  ``calendar.deadline`` over all inspection dates (the only computation the step needs).
  ``apply_events_s`` times the same moves given as one event object each to
  ``YearState.apply``.
* ``metrics``: the full year report; baseline: one ``np.bincount`` of visits per target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np

from randsupervise.calendar import WorkCalendar, china
from randsupervise.cycle import (
    AnnualPlan,
    Batch,
    Inspect,
    PlanRun,
    Publish,
    Record,
    Task,
    YearState,
    run_plan,
)
from randsupervise.cycle._engines import assign_teams
from randsupervise.draw import Seed, draw
from randsupervise.metrics import year_report
from randsupervise.model import InspectorPool, TargetRegistry
from randsupervise.model.items import InspectionItem, ItemList
from randsupervise.model.results import InspectionResult

from _common import emit

REGIONS = [f"R{r:02d}" for r in range(30)]
INDUSTRIES = [f"I{i:02d}" for i in range(25)]


def build(n: int, n_items: int, n_insp: int) -> tuple[TargetRegistry, ItemList, InspectorPool]:
    k = np.arange(n)
    reg = TargetRegistry.from_columns(
        id=np.char.add("T", k.astype(str)),
        risk_class=np.asarray(list("AAAABBBCCD"))[k * 7919 % 10],
        region=np.asarray(REGIONS)[k * 104729 % 30],
        industry=np.asarray(INDUSTRIES)[k * 1299709 % 25],
    )
    items = [
        InspectionItem(
            id=f"IT{i:02d}",
            name=f"item {i}",
            department="D",
            kind="key" if i < 5 else "general",
            legal_basis="l",
            content="c",
            method="m",
            target_kinds={"enterprise"},
            required_qualifications={f"Q{i % 20}"},
            ratio_cap=None if i < 5 else 0.05,
        )
        for i in range(n_items)
    ]
    # every inspector certified in department D, with two qualifications and two regions
    pool = InspectorPool.from_records(
        {
            "id": f"P{j:05d}",
            "name": f"p{j}",
            "department": "D",
            "certified": True,
            "certificate_number": f"C{j}",
            "qualifications": sorted({f"Q{j // 30 % 20}", f"Q{(j // 30 + 7) % 20}"}),
            "regions": sorted({REGIONS[j % 30], REGIONS[(7 * j + 3) % 30]}),
        }
        for j in range(n_insp)
    )
    return reg, ItemList(items=items, max_key_items=5), pool


def make_plan(items: ItemList) -> AnnualPlan:
    qs = [
        Batch(id="Q2", start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 28)),
        Batch(id="Q3", start=dt.date(2024, 7, 1), end=dt.date(2024, 9, 27)),
    ]
    tasks = []
    for k, it in enumerate(items):
        ind = INDUSTRIES[k % 25]
        ratios = {"A": 0.01, "B": 0.02, "C": 0.05, "D": 0.2} if k < 5 else 0.02
        tasks.append(
            Task(
                id=f"t{k}",
                items=[it.id],
                lead_department="D",
                ratios=ratios,
                target_filter={"industry": ind},
                batches=[qs[k % 2]],
            )
        )
    return AnnualPlan(year=2024, tasks=tasks)


def time_run_plan(
    year: tuple[TargetRegistry, ItemList, InspectorPool], seed: Seed, cal: WorkCalendar, repeat: int
) -> tuple[dict[str, float], PlanRun]:
    """Best times of ``run_plan`` and of its baseline (bare draws + ``assign()``), timed
    in turn ``repeat`` times: wall clock, and this process's CPU time (``*_cpu``), which a
    loaded machine disturbs less."""
    reg, items, pool = year
    plan = make_plan(items)
    best = {k: float("inf") for k in ("ours", "base", "ours_cpu", "base_cpu")}
    best.update(draw=0.0, assign=0.0)
    run = None
    clocks = (time.perf_counter, time.process_time)
    for _ in range(repeat):
        t0 = [c() for c in clocks]
        run = run_plan(plan, reg, items, pool, seed=seed, calendar=cal)
        t1 = [c() for c in clocks]
        for t in plan.tasks:
            for b in t.batches:
                ratios = {c.name: float(r) for c, r in t.ratios.items()}
                w = t.where(items)
                draw(reg, seed=seed, stream=f"bare/{t.id}/{b.id}", ratios=ratios, where=w)
        t2 = [c() for c in clocks]
        assign_teams(run.visits, pool, seed, "bare/teams")
        t3 = [c() for c in clocks]
        best["ours"] = min(best["ours"], t1[0] - t0[0])
        best["ours_cpu"] = min(best["ours_cpu"], t1[1] - t0[1])
        best["base_cpu"] = min(best["base_cpu"], t3[1] - t1[1])
        if t3[0] - t1[0] < best["base"]:
            best.update(base=t3[0] - t1[0], draw=t2[0] - t1[0], assign=t3[0] - t2[0])
    assert run is not None
    return best, run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="timed pairs of run_plan, baseline")
    a = ap.parse_args()
    n, n_items, n_insp = (100_000, 20, 1_000) if a.quick else (1_000_000, 50, 5_000)
    reg, items, pool = build(n, n_items, n_insp)
    reg.digest()  # fingerprints and row hashes are cached with the register, once
    plan = make_plan(items)
    seed = Seed.from_text("bench 2024")
    cal = china()
    size = {"targets": n, "items": n_items, "inspectors": n_insp}

    t0 = time.perf_counter()
    plan.validate(items, reg)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    for t in plan.tasks:
        t.eligible_mask(reg, items)
    base = time.perf_counter() - t0
    emit("cycle.plan_check", ours, "one registry.mask per task", base, **size)

    big, run = time_run_plan((reg, items, pool), seed, cal, a.repeat)
    emit("cycle.run_plan", big["ours"], "bare draw() per task + assign() of the same visits",
         big["base"], draw_s=round(big["draw"], 3), assign_s=round(big["assign"], 3),
         ours_cpu_s=round(big["ours_cpu"], 3), baseline_cpu_s=round(big["base_cpu"], 3),
         cpu_ratio=round(big["ours_cpu"] / big["base_cpu"], 3), visits=len(run.visits),
         pairs=a.repeat, **size)  # fmt: skip
    # a register ten times smaller, as many items, a tenth of the inspectors (at least 500,
    # so every qualification is held in every region)
    small_year = build(n // 10, n_items, max(500, n_insp // 10))
    small_year[0].digest()
    small, small_run = time_run_plan(small_year, seed, cal, a.repeat)
    emit("cycle.run_plan_scaling", big["ours"], f"run_plan at {n // 10} targets", small["ours"],
         baseline_scaling=round(big["base"] / small["base"], 2), baseline_s_n=round(big["base"], 3),
         baseline_s_n_10=round(small["base"], 3),
         cpu_scaling=round(big["ours_cpu"] / small["ours_cpu"], 2),
         baseline_cpu_scaling=round(big["base_cpu"] / small["base_cpu"], 2), visits=len(run.visits),
         visits_n_10=len(small_run.visits), **size)  # fmt: skip

    t0 = time.perf_counter()
    state = YearState.start(run, dt.date(2024, 3, 1))
    ok = InspectionResult(codes={"NO_PROBLEM"})
    ids = [v.id for v in run.visits]
    on = np.asarray([v.start for v in run.visits], dtype="datetime64[D]")
    state = state.inspect_many(ids, on, cal)
    state = state.record_many(ids, on + np.timedelta64(7, "D"), ok)
    state = state.publish_many(ids, on + np.timedelta64(9, "D"))
    ours = time.perf_counter() - t0
    # the same moves given one event object each, through the general YearState.apply
    t0 = time.perf_counter()
    events = []
    for v in run.visits:
        events.append((v.id, Inspect(on=v.start)))
        events.append((v.id, Record(on=v.start + dt.timedelta(days=7), result=ok)))
        events.append((v.id, Publish(on=v.start + dt.timedelta(days=9))))
    by_events = YearState.start(run, dt.date(2024, 3, 1)).apply(events, cal)
    t_events = time.perf_counter() - t0
    assert by_events.counts() == state.counts()
    starts = np.asarray([v.start for v in run.visits], dtype="datetime64[D]")
    t0 = time.perf_counter()
    cal.deadline(starts, 20)
    base = time.perf_counter() - t0
    emit(
        "cycle.lifecycle",
        ours,
        "vectorised calendar.deadline over all visits",
        base,
        apply_events_s=round(t_events, 3),
        visits=len(run.visits),
        **size,
    )

    t0 = time.perf_counter()
    year_report(run, state, registry=reg, items=items, pool=pool, as_of=dt.date(2025, 1, 31))
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    pos = reg.index_of([v.target_id for v in run.visits])
    np.bincount(pos, minlength=len(reg))
    base = time.perf_counter() - t0
    emit("cycle.metrics", ours, "np.bincount of visits per target", base, **size)


if __name__ == "__main__":
    main()
