"""Progress callbacks: counts go up to the total, and results do not change."""

from __future__ import annotations

import io
import sys
from typing import Any

import pytest

from randsupervise.cycle import PlanRun, run_plan
from randsupervise.demo import demo_inputs
from randsupervise.draw import draw, tickets_for_ids
from randsupervise.errors import ValidationError
from randsupervise.interop import tqdm_progress
from randsupervise.model import TargetRegistry
from randsupervise.testing import (
    check_assignment_uniformity,
    check_batch_independence,
    check_inclusion_probabilities,
)


class Calls:
    def __init__(self) -> None:
        self.seen: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int) -> None:
        self.seen.append((done, total))

    def assert_counted_to(self, total: int) -> None:
        assert self.seen == [(k, total) for k in range(1, total + 1)]


REG = TargetRegistry.from_columns(
    id=[f"T{i:03}" for i in range(60)], risk_class=["A", "B", "C", "D"] * 15
)


def _draw(registry: TargetRegistry, seed: object) -> object:
    return draw(registry, seed=seed, stream="2025/K01", batches=3, ratios={"A": 0.2, "D": 0.5})


def _year(inputs: tuple[Any, ...], **options: Any) -> PlanRun:
    """The demo year drawn from ``demo_inputs``' six values (seed and calendar by name)."""
    plan, registry, items, pool, seed, calendar = inputs
    return run_plan(plan, registry, items, pool, seed=seed, calendar=calendar, **options)


def test_run_plan_reports_each_draw_and_draws_the_same_year() -> None:
    inputs = demo_inputs(2024)
    calls = Calls()
    with_bar = _year(inputs, progress=calls)
    calls.assert_counted_to(len(with_bar.draws))
    assert with_bar.digest == _year(inputs).digest


def test_run_plan_refuses_a_progress_that_is_not_callable() -> None:
    with pytest.raises(ValidationError, match="progress"):
        _year(demo_inputs(2024), progress=3)  # type: ignore[arg-type]


def test_inclusion_check_reports_each_seed_and_keeps_its_verdict() -> None:
    calls = Calls()
    report = check_inclusion_probabilities(
        _draw, REG, seeds=40, allow_inconclusive=True, progress=calls
    )
    calls.assert_counted_to(40)
    assert report == check_inclusion_probabilities(_draw, REG, seeds=40, allow_inconclusive=True)


def test_batch_check_reports_each_seed_and_keeps_its_verdict() -> None:
    calls = Calls()
    report = check_batch_independence(_draw, REG, seeds=30, progress=calls)
    calls.assert_counted_to(30)
    assert report == check_batch_independence(_draw, REG, seeds=30)


def test_uniformity_check_reports_each_seed_and_keeps_its_verdict() -> None:
    pool = ["I1", "I2", "I3", "I4"]

    def two_smallest(seed: object) -> dict[str, list[str]]:
        t = tickets_for_ids(pool, seed, "V1").tolist()
        return {"V1": sorted(pool, key=lambda i: t[pool.index(i)])[:2]}

    calls = Calls()
    kw = {"eligible": {"V1": pool}, "seeds": 50}
    report = check_assignment_uniformity(two_smallest, progress=calls, **kw)  # type: ignore[arg-type]
    calls.assert_counted_to(50)
    assert report == check_assignment_uniformity(two_smallest, **kw)  # type: ignore[arg-type]


def test_checks_refuse_a_bad_progress_before_drawing() -> None:
    with pytest.raises(ValueError, match="progress"):
        check_inclusion_probabilities(_draw, REG, seeds=5, progress="bar")  # type: ignore[arg-type]


def test_tqdm_progress_draws_one_bar_per_operation() -> None:
    pytest.importorskip("tqdm", reason="the progress extra (tqdm) is missing")
    out = io.StringIO()
    bar = tqdm_progress("draws", file=out, mininterval=0)
    inputs = demo_inputs(2024)
    run = _year(inputs, progress=bar)
    n = len(run.draws)
    assert "draws: 100%" in out.getvalue() and f"{n}/{n}" in out.getvalue()
    assert run.digest == _year(inputs).digest
    check_batch_independence(_draw, REG, seeds=20, progress=bar)  # a new bar, same callback
    assert "20/20" in out.getvalue()


def test_without_tqdm_the_callback_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import fails as if not installed
    bar = tqdm_progress("draws")
    bar(1, 2)
    bar(2, 2)
    calls_free = _year(demo_inputs(2024), progress=bar)
    assert calls_free.digest == _year(demo_inputs(2024)).digest
