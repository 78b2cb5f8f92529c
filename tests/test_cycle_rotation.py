"""Rotation through the plan: the plan states N periods, the teams read the earlier years'
assignments, and the plan receipt verifies only with the same history."""

from __future__ import annotations

import attrs
import pytest

from randsupervise.cycle import run_plan, verify_plan
from randsupervise.cycle.run import PlanRun
from randsupervise.cycle.sample import SampleYear, sample_plan, sample_year
from randsupervise.draw import Seed
from randsupervise.errors import ValidationError
from randsupervise.interop import plan_from_toml, plan_to_toml


@pytest.fixture(scope="module")
def first() -> SampleYear:
    return sample_year(2024)


def _served(run: PlanRun) -> dict[str, set[str]]:
    """Target -> everyone who served on it, read from the teams (not from the library's
    rotation pairs)."""
    out: dict[str, set[str]] = {}
    for v in run.assignment.problem.visits:
        out.setdefault(v.target, set()).update(run.assignment.team(v.id).members)
    return out


def _second(first: SampleYear, periods: int, **options: object) -> PlanRun:
    plan = attrs.evolve(sample_plan(2025), rotation_periods=periods)
    return run_plan(
        plan, first.registry, first.items, first.pool, seed=Seed.from_text("2025 public"),
        calendar=first.calendar, **options,  # type: ignore[arg-type]
    )  # fmt: skip


def test_rotation_stated_in_the_plan_keeps_last_years_officers_off_their_targets(
    first: SampleYear,
) -> None:
    before = _served(first.run)
    plain = _second(first, 0)
    repeats = [v for v in plain.assignment.problem.visits if v.target in before]
    assert repeats, "the sample years share targets"
    # without rotation some officer returns to a target (so the rule below is not vacuous)
    assert any(set(plain.assignment.team(v.id).members) & before[v.target] for v in repeats)
    rotated = _second(first, 1, earlier=[first.run.assignment])
    for v in rotated.assignment.problem.visits:
        assert not set(rotated.assignment.team(v.id).members) & before.get(v.target, set())


def test_rotation_through_firm_groups(first: SampleYear) -> None:
    before = _served(first.run)
    rotated = _second(first, 1, earlier=[first.run.assignment])
    # ten targets drawn this year, each grouped with a firm drawn last year (its sister)
    fresh = sorted({v.target for v in rotated.assignment.problem.visits} - set(before))[:10]
    groups = {t: f"G{k}" for k, t in enumerate(fresh)}
    groups.update({t: f"G{k}" for k, t in enumerate(sorted(before)[:10])})
    grouped = _second(first, 1, earlier=[first.run.assignment], target_groups=groups)
    members: dict[str, set[str]] = {}
    for t, g in groups.items():
        members.setdefault(g, set()).update(before.get(t, set()))
    grouped_visits = [v for v in grouped.assignment.problem.visits if v.target in fresh]
    assert grouped_visits
    # a sister firm's officers of last year would have been free without the groups
    assert any(
        set(rotated.assignment.team(v.id).members) & members[groups[v.target]]
        for v in grouped_visits
    )
    for v in grouped_visits:
        assert not set(grouped.assignment.team(v.id).members) & members[groups[v.target]]


def test_plan_receipt_verifies_only_with_the_same_history(first: SampleYear) -> None:
    rotated = _second(first, 1, earlier=[first.run.assignment])
    plan = rotated.plan
    inputs = (plan, first.registry, first.items, first.pool)
    good = verify_plan(
        rotated.receipt, *inputs, calendar=first.calendar, earlier=[first.run.assignment]
    )
    assert good.ok, good.differences
    bad = verify_plan(
        rotated.receipt,
        *inputs,
        calendar=first.calendar,
        earlier=[_second(first, 0).assignment],
    )
    assert not bad.ok
    assert any("assignment" in d.path for d in bad.differences)


def test_earlier_assignments_without_rotation_periods_are_refused(first: SampleYear) -> None:
    with pytest.raises(ValidationError) as e:
        _second(first, 0, earlier=[first.run.assignment])
    assert "earlier" in str(e.value) and "rotation_periods" in str(e.value)


def test_rotation_periods_in_the_plan_record_and_the_plan_file() -> None:
    plan = attrs.evolve(sample_plan(2025), rotation_periods=2)
    assert plan.canonical()["rotation_periods"] == 2
    assert "rotation_periods" not in sample_plan(2025).canonical()  # old digests kept
    assert plan_from_toml(plan_to_toml(plan)) == plan
    with pytest.raises(ValidationError) as e:
        attrs.evolve(plan, rotation_periods=-1)
    assert "rotation_periods" in str(e.value)


def test_team_rules_are_one_list_and_an_unknown_rule_is_named(first: SampleYear) -> None:
    """run_plan and verify_plan take the same TeamRules (written once); a misspelt rule
    is refused by name instead of being ignored."""
    import inspect

    from randsupervise.cycle import TeamRules

    for f in (run_plan, verify_plan):
        params = inspect.signature(f).parameters
        assert not set(TeamRules.__annotations__) & set(params)  # not spelled out again
        assert params["rules"].kind is inspect.Parameter.VAR_KEYWORD
    with pytest.raises(ValidationError) as e:
        _second(first, 0, conflict=[("Z-01", "T")])
    assert "conflict" in str(e.value) and "not a team rule" in str(e.value)
