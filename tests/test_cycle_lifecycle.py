"""Lifecycle: the transition table, deadlines on the real calendar, immutability."""

from __future__ import annotations

from datetime import date

import pytest

from randsupervise.calendar import china
from randsupervise.cycle import (
    TRANSITIONS,
    Assign,
    Cancel,
    FollowUp,
    Inspect,
    Publish,
    Record,
    ReplaceTeam,
    Visit,
    VisitRecord,
    VisitState,
)
from randsupervise.errors import IllegalTransition, ValidationError
from randsupervise.model.results import InspectionResult

V = Visit(id="2024/T/1", target_id="T", region="东城镇", risk_class="A", items=("K01",),
          departments=("d",), qualifications=frozenset(), start=date(2024, 9, 2),
          end=date(2024, 12, 13), tasks=("t",), batches=("t/H2",))  # fmt: skip
OK = InspectionResult(codes={"NO_PROBLEM"})


def _assigned() -> VisitRecord:
    return VisitRecord(visit=V).apply(Assign(on=date(2024, 2, 26), team=("Z-03", "Z-01")))


def test_happy_path_and_deadline_counts_adjusted_working_saturday() -> None:
    r = _assigned().apply(Inspect(on=date(2024, 9, 30)), china())
    assert r.deadline == date(2024, 11, 1)  # Oct 1-7 off, Sat Oct 12 worked
    r = r.apply(Record(on=date(2024, 11, 1), result=OK))
    assert not r.late and not r.complete  # recorded, not yet published: not complete
    r = r.apply(Publish(on=date(2024, 11, 4)))
    assert r.complete and r.state.platform_state == "done"
    assert r.publication() == {
        "visit": "2024/T/1", "target": "T", "items": ["K01"], "departments": ["d"],
        "inspected_on": "2024-09-30", "result": ["NO_PROBLEM"], "result_zh": ["未发现问题"],
    }  # fmt: skip


def test_every_pair_outside_the_table_raises() -> None:
    allowed = {(t.action, t.source) for t in TRANSITIONS}
    events = {
        "assign": Assign(on=date(2024, 12, 31), team=("a", "b")),
        "replace_team": ReplaceTeam(on=date(2024, 12, 31), team=("a", "c")),
        "inspect": Inspect(on=date(2024, 12, 31), outside_window="after the window"),
        "record": Record(on=date(2024, 12, 31), result=OK),
        "publish": Publish(on=date(2024, 12, 31)),
        "follow_up": FollowUp(on=date(2024, 12, 31), result=OK),
        "cancel": Cancel(on=date(2024, 12, 31), reason="moved_out"),
    }
    pending = InspectionResult(codes={"FOLLOW_UP"})  # what a follow-up closes
    for state in VisitState:
        rec = VisitRecord(visit=V, state=state, result=pending)
        for name, ev in events.items():
            if (ev.action, state) in allowed:
                assert rec.apply(ev, china()).state is not None
            else:
                with pytest.raises(IllegalTransition):
                    rec.apply(ev, china())
            assert rec.state is state  # unchanged: values are immutable
            del name


def test_late_recording_flagged_and_replacement_logged() -> None:
    r = _assigned().apply(ReplaceTeam(on=date(2024, 7, 1), team=("Z-01", "Z-05")))
    assert r.state is VisitState.ASSIGNED and r.replaced == ("Z-03",)
    r = r.apply(Inspect(on=date(2024, 9, 30)), china())
    assert r.overdue(date(2024, 11, 4)) and not r.overdue(date(2024, 11, 1))
    r = r.apply(Record(on=date(2024, 11, 4), result=OK))
    assert r.late


def test_dates_never_go_backwards_and_inspection_needs_calendar() -> None:
    with pytest.raises(ValidationError):
        _assigned().apply(Inspect(on=date(2024, 1, 2)), china())
    with pytest.raises(ValidationError):
        _assigned().apply(Inspect(on=date(2024, 9, 30)))


def test_cancel_only_before_inspection() -> None:
    r = _assigned().apply(Cancel(on=date(2024, 9, 2), reason="deregistered"))
    assert r.state is VisitState.CANCELLED and r.cancel_reason.value == "deregistered"
    inspected = _assigned().apply(Inspect(on=date(2024, 9, 30)), china())
    with pytest.raises(IllegalTransition):
        inspected.apply(Cancel(on=date(2024, 10, 8), reason="moved_out"))


def test_batch_methods_match_event_by_event_and_name_every_bad_visit() -> None:
    from randsupervise.cycle import YearState, run_plan
    from randsupervise.demo import demo_inputs

    plan, registry, items, pool, seed, cal = demo_inputs(2024)
    run = run_plan(plan, registry, items, pool, seed=seed, calendar=cal)
    start = YearState.start(run, date(2024, 2, 26))
    ids = [v.id for v in run.visits]
    days = [v.start for v in run.visits]
    batch = start.inspect_many(ids, days, cal).record_many(ids, days, OK)
    batch = batch.cancel_many([], [], "moved_out").publish_many(ids[1:], days[1:])
    events = [(i, ev) for i, d in zip(ids, days, strict=True)
              for ev in (Inspect(on=d), Record(on=d, result=OK))]  # fmt: skip
    events += [(i, Publish(on=d)) for i, d in zip(ids[1:], days[1:], strict=True)]
    one_by_one = start.apply(events, cal)
    assert batch.to_records() == one_by_one.to_records()
    assert batch[ids[0]].events == one_by_one[ids[0]].events
    assert [r.to_record() for r in batch] == one_by_one.to_records()
    with pytest.raises(IllegalTransition) as err:
        batch.cancel_many(ids[:3], days[:3], "deregistered")
    assert err.value.visits == tuple(ids[:3]) and all(i in str(err.value) for i in ids[:3])
    with pytest.raises(ValidationError):
        start.inspect_many(ids[:1], [date(2024, 1, 2)], cal)  # before the assignment
    # all or nothing, and the first bad event in order is the one reported
    with pytest.raises(IllegalTransition) as first:
        start.apply([(ids[0], Inspect(on=days[0])), (ids[1], Publish(on=days[1])),
                     (ids[0], Publish(on=days[0]))], cal)  # fmt: skip
    assert first.value.visit == ids[1]
    assert start.counts()["assigned"] == len(ids)
    rebuilt = YearState(year=2024, plan_digest="x", records=dict(one_by_one.records))
    assert rebuilt.to_records() == one_by_one.to_records()
    assert rebuilt.column("visit").tolist() == ids == batch.column("visit").tolist()
    assert batch.column("target").tolist() == [v.target_id for v in run.visits]


def test_record_many_wants_one_result_or_one_per_visit() -> None:
    from randsupervise.cycle import YearState, run_plan
    from randsupervise.demo import demo_inputs

    plan, registry, items, pool, seed, cal = demo_inputs(2024)
    run = run_plan(plan, registry, items, pool, seed=seed, calendar=cal)
    ids = [v.id for v in run.visits[:3]]
    days = [date(2024, 4, 30)] * 3
    state = YearState.start(run, date(2024, 2, 26)).inspect_many(ids, days, cal)
    for results in ([OK], [OK, OK], [OK] * 4):  # a short list is not broadcast
        with pytest.raises(ValidationError, match=f"{len(results)} results for 3 visits"):
            state.record_many(ids, days, results)
    assert state.counts()["inspected"] == 3
    done = state.record_many(ids, days, [OK] * 3)
    assert [done[i].result for i in ids] == [OK] * 3
