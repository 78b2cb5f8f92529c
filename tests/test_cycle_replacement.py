"""补抽 in the year: one call replaces an inspector in the assignment and the year state.

Scenario (plan §三(六), 补抽/替换): on 1 July one officer goes on long leave. Every team
of a visit still to inspect that holds them is restaffed by the assignment engine, once;
the year state logs one ``ReplaceTeam`` per such visit and shows the new team; a visit
already inspected keeps the team that inspected it; no other team changes; the new
assignment's receipt chain verifies. A call that fails changes nothing.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest

from randsupervise.assign import verify
from randsupervise.cycle import PlanRun, ReplaceTeam, YearState, run_plan
from randsupervise.demo import demo_inputs
from randsupervise.errors import UnknownIdError, ValidationError

LEAVE = date(2024, 7, 1)


@cache
def _year() -> tuple[PlanRun, YearState, str, list[str]]:
    """The demo year; the busiest officer's first two visits inspected before the leave."""
    plan, registry, items, pool, seed, calendar = demo_inputs(2024)
    run = run_plan(plan, registry, items, pool, seed=seed, calendar=calendar)
    load: dict[str, int] = {}
    for team in run.teams.values():
        for m in team:
            load[m] = load.get(m, 0) + 1
    gone = max(sorted(load), key=load.__getitem__)
    theirs = [v for v in run.visits if gone in run.teams[v.id]]
    done = [v.id for v in theirs[:2]]
    state = YearState.start(run, date(2024, 2, 26))
    state = state.inspect_many(done, [v.start for v in theirs[:2]], calendar)
    return run, state, gone, done


def test_one_call_replaces_every_team_still_to_inspect_and_nothing_else() -> None:
    run, state, gone, done = _year()
    after, year = state.replace_inspectors(
        run.assignment, [gone], on=LEAVE, reason=f"{gone} on long leave"
    )
    to_inspect = {v.id for v in run.visits if gone in run.teams[v.id]} - set(done)
    assert len(to_inspect) > 0 and len(after.receipts) == len(run.assignment.receipts) + 1
    for v in run.visits:
        record = year[v.id]
        if v.id in to_inspect:  # replaced: the new team, in the year and the assignment
            assert gone not in record.team and record.replaced == (gone,)
            assert record.team == tuple(sorted(after.team(v.id).members))
            replacing = [e for e in record.events if isinstance(e, ReplaceTeam)]
            assert [(e.on, e.reason) for e in replacing] == [(LEAVE, f"{gone} on long leave")]
        else:  # already inspected, or without the officer: the team is the drawn one
            assert record.team == run.teams[v.id] and record.replaced == ()
    assert {v for v in done if gone in year[v].team} == set(done)
    report = verify(run.assignment.problem, after.receipts)
    assert report.ok, report.differences


def test_a_failing_replacement_changes_neither_the_assignment_nor_the_year() -> None:
    run, state, gone, _ = _year()
    receipts, teams = run.assignment.receipts, run.assignment.teams
    records = state.to_records()
    with pytest.raises(ValidationError, match="before the previous event"):
        state.replace_inspectors(run.assignment, [gone], on=date(2024, 1, 2), reason="leave")
    with pytest.raises(UnknownIdError):
        state.replace_inspectors(run.assignment, ["NOBODY"], on=LEAVE, reason="leave")
    with pytest.raises(ValidationError) as err:
        state.replace_inspectors(run.assignment, [gone], on="2024-07-01", reason="")  # type: ignore[arg-type]
    assert {p.field for p in err.value.problems} == {"on", "reason"}
    assert run.assignment.receipts == receipts and run.assignment.teams == teams
    assert state.to_records() == records and all(
        not isinstance(e, ReplaceTeam) for r in state for e in r.events
    )


def test_an_assignment_that_is_not_the_years_is_refused() -> None:
    run, state, gone, done = _year()
    moved, _ = state.replace_inspectors(run.assignment, [gone], on=LEAVE, reason="leave")
    # the state before the replacement does not hold the officer who came in
    visit = next(v.id for v in run.visits if gone in run.teams[v.id] and v.id not in done)
    newcomer = sorted(set(moved.team(visit).members) - set(run.teams[visit]))[0]
    with pytest.raises(ValidationError, match="not the year's team"):
        state.replace_inspectors(moved, [newcomer], on=LEAVE, reason="leave")
