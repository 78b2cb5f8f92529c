"""The collector pause (``_core/gc_pause.py``) promises: the collector's state is restored
on return and on error, a caller's own ``gc.disable()`` is kept, concurrent calls never
re-enable it under each other, and results never depend on it."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

import pytest

import randsupervise._core.gc_pause as gc_pause
from randsupervise._core.gc_pause import gc_paused, paused_gc
from randsupervise.assign import VisitRequest, assign
from randsupervise.errors import ValidationError
from randsupervise.model.sample import sample_inspectors
from randsupervise.tickets.seed import Seed


@pytest.fixture(autouse=True)
def _collector_enabled() -> Iterator[None]:
    """Every test starts and ends with the collector enabled, as a process normally has it."""
    gc.enable()
    yield
    assert gc_pause._depth == 0
    gc.enable()


def test_the_collector_is_paused_inside_and_enabled_again_after_an_error() -> None:
    seen: list[bool] = []

    @gc_paused
    def fail() -> None:
        seen.append(gc.isenabled())
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fail()
    assert seen == [False]
    assert gc.isenabled()


def test_a_caller_who_disabled_the_collector_keeps_it_disabled() -> None:
    gc.disable()
    with paused_gc(), paused_gc():
        pass
    assert not gc.isenabled()


def test_one_thread_returning_does_not_enable_the_collector_under_another() -> None:
    inside, release, seen = threading.Event(), threading.Event(), []

    def long_call() -> None:
        with paused_gc():
            inside.set()
            release.wait(10)
            seen.append(gc.isenabled())

    t = threading.Thread(target=long_call)
    t.start()
    assert inside.wait(10)
    with paused_gc():  # a second, shorter engine call returns first
        pass
    assert not gc.isenabled()  # the first call is still running
    release.set()
    t.join(10)
    assert seen == [False]
    assert gc.isenabled()


def _visits() -> list[VisitRequest]:
    return [
        VisitRequest(id=f"V{k}", target=f"T{k}", region="东城镇",
                     departments=["文化市场综合行政执法大队"])
        for k in range(6)
    ]  # fmt: skip


def test_assign_runs_paused_and_gives_the_same_teams_with_the_collector_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool, seen = sample_inspectors(), []
    real = gc_pause.paused_gc

    @contextlib.contextmanager
    def spy() -> Iterator[None]:
        with real():
            seen.append(gc.isenabled())
            yield

    monkeypatch.setattr(gc_pause, "paused_gc", spy)
    paused = assign(_visits(), pool, seed=Seed.from_text("gc"), stream="s")
    assert seen == [False] and gc.isenabled()
    monkeypatch.setattr(gc_pause, "paused_gc", contextlib.nullcontext)
    running = assign(_visits(), pool, seed=Seed.from_text("gc"), stream="s")
    assert running.teams == paused.teams and running.receipt == paused.receipt


def test_assign_refusing_bad_input_leaves_the_collector_enabled() -> None:
    with pytest.raises(ValidationError):
        assign(_visits(), sample_inspectors(), seed=Seed.from_text("gc"), stream="")
    assert gc.isenabled()
