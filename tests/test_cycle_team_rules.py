"""Load rules through the plan: per-batch limits and the load of a joint visit reach the
year's teams, and the plan receipt recomputes them."""

from __future__ import annotations

from collections import Counter

import pytest

from randsupervise.cycle import run_plan, verify_plan
from randsupervise.cycle.run import PlanRun
from randsupervise.cycle.sample import SampleYear, sample_year
from randsupervise.tickets import Seed


@pytest.fixture(scope="module")
def year() -> SampleYear:
    return sample_year(2024)


def _run(year: SampleYear, **rules: object) -> PlanRun:
    return run_plan(
        year.plan, year.registry, year.items, year.pool, seed=Seed.from_text("2024 loads"),
        calendar=year.calendar, **rules,  # type: ignore[arg-type]
    )  # fmt: skip


def _per_batch(run: PlanRun) -> Counter[tuple[str, str]]:
    """(inspector, batch) -> visits served, read from the visits and teams."""
    out: Counter[tuple[str, str]] = Counter()
    for v in run.visits:
        for m in run.teams[v.id]:
            out[m, v.batches[0]] += 1
    return out


def test_per_batch_limits_reach_the_teams_and_verify(year: SampleYear) -> None:
    plain = _per_batch(_run(year))
    limit = max(plain.values()) - 1
    assert limit >= 1, "the plain year has an inspector above the limit below"
    limited = _run(year, period_limits=limit)
    assert max(_per_batch(limited).values()) <= limit
    inputs = (limited.plan, year.registry, year.items, year.pool)
    assert verify_plan(limited.receipt, *inputs, calendar=year.calendar, period_limits=limit).ok
    assert not verify_plan(limited.receipt, *inputs, calendar=year.calendar).ok


def test_plans_without_the_rules_keep_their_receipts(year: SampleYear) -> None:
    assert _run(year).receipt == _run(year, joint_load=1).receipt
    plain = _run(year)
    assert plain.digest == _run(year).digest
