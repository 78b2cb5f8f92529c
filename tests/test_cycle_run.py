"""Running the plan: draws, merged visits, teams, batch order, plan receipt and verify."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import attrs
import pytest

from randsupervise._core.canonical import sha256_hex
from randsupervise.cycle import PlanRun, run_plan, verify_plan
from randsupervise.cycle.visits import visits_digest
from randsupervise.demo import demo_inputs
from randsupervise.draw import batch_order
from randsupervise.errors import ValidationError
from randsupervise.model import TargetRegistry
from randsupervise.model.sample import sample_target_columns


@cache
def _run() -> PlanRun:
    plan, registry, items, pool, seed, cal = demo_inputs()
    return run_plan(plan, registry, items, pool, seed=seed, calendar=cal)


def test_run_is_deterministic_and_independent_of_register_order() -> None:
    plan, _registry, items, pool, seed, cal = demo_inputs()
    cols = sample_target_columns()
    rev = TargetRegistry.from_columns(**{k: v[::-1] for k, v in cols.items()})
    again = run_plan(plan, rev, items, pool, seed=seed, calendar=cal)
    assert again.digest == _run().digest
    assert [v.id for v in again.visits] == [v.id for v in _run().visits]


def test_visits_merge_tasks_in_overlapping_windows() -> None:
    run = _run()
    joint = [v for v in run.visits if "G06" in v.items and "K02" in v.items]
    assert joint, "the police item and the joint task share the Q2 window"
    for v in joint:
        assert v.departments[0] == "文化市场综合行政执法大队"
        assert set(v.departments) == {"文化市场综合行政执法大队", "消防救援大队", "公安局"}
        assert (v.start, v.end) == (v.start, v.end) and v.start <= v.end
        team = run.teams[v.id]
        assert len(team) >= 3
    # never the same item twice on one target (frequency limit 1)
    hits = Counter((v.target_id, i) for v in run.visits for i in v.items)
    assert max(hits.values()) == 1


def test_every_draw_selection_becomes_a_visit() -> None:
    run = _run()
    drawn = Counter()
    for d in run.draws:
        task = run.plan.task(d.task)
        for uid in d.selected:
            for i in task.items:
                drawn[(uid, i)] += 1
    visited = Counter((v.target_id, i) for v in run.visits for i in v.items)
    assert drawn == visited


def test_batch_order_is_by_window_start() -> None:
    starts = [v.start for v in _run().visits]
    assert starts == sorted(starts)


def test_verify_accepts_and_names_tampering() -> None:
    plan, registry, items, pool, _seed, cal = demo_inputs()
    run = _run()
    assert verify_plan(run.receipt, plan, registry, items, pool, calendar=cal).ok
    changed, _ = registry.apply([])  # an unchanged copy still verifies
    assert verify_plan(run.receipt, plan, changed, items, pool, calendar=cal).ok
    other = attrs.evolve(plan, title="another title")
    diffs = verify_plan(run.receipt, other, registry, items, pool, calendar=cal).differences
    assert {"plan_digest", "plan.title"} <= {d.path for d in diffs}
    forged = dict(run.receipt)
    forged["draws"] = run.receipt["draws"][:-1]
    rep = verify_plan(forged, plan, registry, items, pool, calendar=cal)
    assert not rep.ok and rep.differences[0].path == "receipt_digest"
    assert "changed after it was made" in rep.differences[0].message


def test_verify_refuses_a_malformed_draw_list_naming_the_path() -> None:
    plan, registry, items, pool, _seed, cal = demo_inputs()
    run = _run()
    for draws, path in ((None, "draws"), (7, "draws"), (["not a draw"], "draws[0]")):
        with pytest.raises(ValidationError) as e:
            verify_plan(dict(run.receipt, draws=draws), plan, registry, items, pool, calendar=cal)
        assert [p.field for p in e.value.problems] == [path]


def test_each_draw_of_a_plan_verifies_on_its_own_with_its_history() -> None:
    """Trust leak 2: a plan's draw receipts verify with ``draw.verify`` alone."""
    from randsupervise.draw import verify

    _plan, registry, *_ = demo_inputs()
    run = _run()
    limited = [d for d in run.draws if d.receipt["frequency_limit"]]
    assert limited, "the demo year has frequency-limited draws"
    assert any(d.receipt["frequency_limit"]["excluded"] for d in run.draws)
    for d in run.draws:
        report = verify(d.receipt, registry, history=d.history or None)
        assert report.ok, f"{d.stream}: {report}"
    # the exclusions are checked: a draw that excluded units fails without its history
    excluding = next(d for d in run.draws if d.receipt["frequency_limit"]["excluded"])
    bare = verify(excluding.receipt, registry)
    assert [x.path for x in bare.differences] == ["frequency_limit.history"]


def test_run_reprs_and_records() -> None:
    run = _run()
    rows = run.to_records()
    assert len(rows) == len(run.visits) and rows[0]["order"] == 1
    assert "PlanRun(year=2024" in repr(run)
    assert "<table>" in run._repr_html_()
    assert {r["class"] for r in run.draw_records()} <= set("ABCD")


def test_receipt_digests_equal_the_canonical_json_of_the_records() -> None:
    # the receipt writes the canonical text directly; it must be byte for byte the
    # canonical JSON of the plain records, so receipts stay comparable
    run = _run()
    assert run.receipt["visits_digest"] == sha256_hex([v.canonical() for v in run.visits])
    teams = sorted([k, list(v)] for k, v in run.teams.items())
    assert run.receipt["assignment"]["teams_digest"] == sha256_hex(teams)
    assert visits_digest(run.visits[::-1]) == sha256_hex([v.canonical() for v in run.visits[::-1]])
    assert visits_digest([]) == sha256_hex([])


# ------------------------------------------------------------------ batch order, versions


def test_split_tasks_take_the_engines_batch_order() -> None:
    """A split task's units go to its batches by the draw engine's batch-order stream, not
    by their selection tickets (so class A does not fill the first window)."""
    run = _run()
    split = [d for d in run.draws if len(d.batches) > 1]
    assert split, "the demo year has split tasks"
    for d in split:
        groups = batch_order(d.selected, seed=run.seed, stream=d.stream, batches=len(d.batches))
        got = tuple(
            tuple(u for u, b in zip(d.selected, d.batch_of, strict=True) if b == bid)
            for bid in d.batches
        )
        assert [sorted(g) for g in got] == [sorted(g) for g in groups]
        assert d.receipt["batches"] == [list(g) for g in groups]


def test_new_plan_receipts_are_version_2() -> None:
    assert _run().receipt["version"] == 2


def test_frozen_version_1_plan_receipt_still_verifies() -> None:
    """Written by release line 1, whose split tasks were cut in selection order; verify_plan
    recomputes it under its own version."""
    path = Path(__file__).parent / "fixtures" / "receipts" / "v1" / "plan.json"
    frozen = json.loads(path.read_text(encoding="utf-8"))["receipt"]
    assert frozen["version"] == 1
    plan, registry, items, pool, _seed, cal = demo_inputs(2024)
    rep = verify_plan(frozen, plan, registry, items, pool, calendar=cal)
    assert rep.ok, rep.differences
    # the same year under version 2 selects the same units but cuts split tasks differently
    fresh = run_plan(plan, registry, items, pool, seed=_seed, calendar=cal).receipt
    old = {d["stream"]: d["receipt"] for d in frozen["draws"]}
    new = {d["stream"]: d["receipt"] for d in fresh["draws"]}
    assert old.keys() == new.keys()
    assert all(old[s]["strata"] == new[s]["strata"] for s in old)
    assert any(old[s]["batches"] != new[s]["batches"] for s in old if old[s]["batches"])


def test_an_unknown_plan_receipt_version_is_bad_input_naming_the_field() -> None:
    plan, registry, items, pool, _seed, cal = demo_inputs()
    for version in (3, "2", None, [2]):
        with pytest.raises(ValidationError) as e:
            verify_plan(
                dict(_run().receipt, version=version), plan, registry, items, pool, calendar=cal
            )
        assert e.value.problems[0].field == "version"
        assert f"unknown plan receipt version {version!r}" in str(e.value)
