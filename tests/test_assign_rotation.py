"""Rotation read from earlier assignments, "not the same pair twice", and recusal by firm
group, each checked against an independent brute force on small instances."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randsupervise.assign import (
    Assignment,
    VisitRequest,
    assign,
    group_recusal,
    pairs_served_together,
    rotation_from,
)
from randsupervise.errors import InfeasibleAssignment, ValidationError
from randsupervise.model.inspectors import Inspector, InspectorPool

TARGETS = ("T0", "T1", "T2", "T3")


def pool_of(n: int) -> InspectorPool:
    return InspectorPool(
        inspectors=[
            Inspector(
                id=f"A{i}",
                name=f"A{i}",
                department="A",
                certified=True,
                certificate_number=f"C-{i}",
                regions={"r"},
            )
            for i in range(n)
        ]
    )


def visits_on(targets: list[str], period: int) -> list[VisitRequest]:
    return [
        VisitRequest(id=f"P{period}V{k}", target=t, region="r", departments=["A"])
        for k, t in enumerate(targets)
    ]


def same_group(groups: dict[str, str], a: str, b: str) -> bool:
    return groups.get(a, "solo:" + a) == groups.get(b, "solo:" + b)


def brute_force_teams(
    pool: InspectorPool,
    visits: list[VisitRequest],
    earlier: list[tuple[list[VisitRequest], dict[str, tuple[str, ...]]]],
    groups: dict[str, str],
) -> list[tuple[tuple[str, ...], ...]]:
    """Every combination of 2-person teams in which nobody returns to a target (or a firm
    of its group) they served on in ``earlier``: written from the rule, not the code."""

    def returns(person: str, target: str) -> bool:
        return any(
            person in team and same_group(groups, target, v.target)
            for vs, teams in earlier
            for v in vs
            for team in (teams[v.id],)
        )

    options = [
        [t for t in itertools.combinations(pool.ids, 2) if not any(returns(p, v.target) for p in t)]
        for v in visits
    ]
    return list(itertools.product(*options))


@st.composite
def histories(draw: st.DrawFn) -> tuple[InspectorPool, list[Assignment], int, dict[str, str]]:
    pool = pool_of(draw(st.integers(2, 5)))
    earlier = []
    for period in range(draw(st.integers(0, 3))):
        targets = draw(st.lists(st.sampled_from(TARGETS), min_size=1, max_size=2, unique=True))
        earlier.append(
            assign(visits_on(targets, period), pool, seed=f"year {period}", stream="teams")
        )
    groups = draw(st.dictionaries(st.sampled_from(TARGETS), st.sampled_from(["G", "H"])))
    return pool, earlier, draw(st.integers(0, 3)), groups


@settings(max_examples=60, deadline=None)
@given(histories(), st.lists(st.sampled_from(TARGETS), min_size=1, max_size=2, unique=True))
def test_rotation_from_history_feasible_and_lawful_as_brute_force_says(
    case: tuple[InspectorPool, list[Assignment], int, dict[str, str]], targets: list[str]
) -> None:
    pool, earlier, periods, groups = case
    counted = earlier[len(earlier) - periods :] if periods else []
    record = [(list(a.problem.visits), {t.visit: t.members for t in a.teams}) for a in counted]
    visits = visits_on(targets, 99)
    lawful = brute_force_teams(pool, visits, record, groups)
    rotation = rotation_from(earlier, periods=periods, groups=groups)
    try:
        now = assign(visits, pool, seed="this year", stream="teams", rotation=rotation)
    except InfeasibleAssignment:
        assert lawful == [], "the brute force finds lawful teams the engine called infeasible"
        return
    chosen = tuple(tuple(sorted(now.team(v.id).members)) for v in visits)
    assert chosen in lawful


def test_rotation_county_practice_different_inspectors_each_round() -> None:
    """BRIEF: "rotation: different inspectors each round is common county practice"."""
    pool = pool_of(6)
    v = visits_on(["网吧-001"], 0)
    first = assign(v, pool, seed="2023", stream="teams")
    second = assign(
        v, pool, seed="2024", stream="teams", rotation=rotation_from([first], periods=1)
    )
    third = assign(
        v, pool, seed="2025", stream="teams", rotation=rotation_from([first, second], periods=2)
    )
    teams = [set(a.team(v[0].id).members) for a in (first, second, third)]
    assert teams[0].isdisjoint(teams[1]) and teams[2].isdisjoint(teams[0] | teams[1])
    # only the latest period counts when periods=1: the first year's officers may return
    assert rotation_from([first, second], periods=1) == rotation_from([second], periods=1)


def test_rotation_group_of_affiliated_firms_keeps_officers_off_the_sister_firm() -> None:
    pool = pool_of(4)
    first = assign(visits_on(["母公司"], 0), pool, seed="2023", stream="teams")
    groups = {"母公司": "集团甲", "子公司": "集团甲"}
    second = assign(
        visits_on(["子公司"], 1),
        pool,
        seed="2024",
        stream="teams",
        rotation=rotation_from([first], periods=1, groups=groups),
    )
    assert set(second.teams[0].members).isdisjoint(first.teams[0].members)


def test_rotation_witness_names_the_visit_when_history_leaves_too_few() -> None:
    pool = pool_of(3)
    first = assign(visits_on(["T0"], 0), pool, seed="2023", stream="teams")
    with pytest.raises(InfeasibleAssignment) as e:
        assign(
            visits_on(["T0"], 1),
            pool,
            seed="2024",
            stream="teams",
            rotation=rotation_from([first], periods=1),
        )
    assert e.value.witness.visits == ("P1V0",)
    assert "only 1 available" in str(e.value)


def test_not_the_same_pair_twice_in_n_periods() -> None:
    pool = pool_of(4)
    first = assign(visits_on(["T0", "T1"], 0), pool, seed="2023", stream="teams")
    together = pairs_served_together([first], periods=1)
    assert together == {tuple(sorted(t.members)) for t in first.teams}
    second = assign(visits_on(["T2", "T3"], 1), pool, seed="2024", stream="teams", apart=together)
    assert {tuple(sorted(t.members)) for t in second.teams}.isdisjoint(together)
    assert pairs_served_together([first], periods=0) == frozenset()


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 5),
    st.lists(st.tuples(st.integers(0, 4), st.sampled_from(TARGETS)), max_size=4),
    st.dictionaries(st.sampled_from(TARGETS), st.sampled_from(["G", "H"])),
    st.sampled_from(TARGETS),
)
def test_group_recusal_feasible_and_lawful_as_brute_force_says(
    n: int, raw: list[tuple[int, str]], groups: dict[str, str], target: str
) -> None:
    pool = pool_of(n)
    conflicts = [(f"A{i}", t) for i, t in raw if i < n]
    visit = visits_on([target], 0)
    free = [
        p
        for p in pool.ids
        if not any(c == p and same_group(groups, t, target) for c, t in conflicts)
    ]
    try:
        a = assign(
            visit, pool, seed="s", stream="teams", conflicts=group_recusal(conflicts, groups)
        )
    except InfeasibleAssignment as e:
        assert len(free) < 2
        assert e.witness.visits == ("P0V0",)
        return
    assert set(a.teams[0].members) <= set(free)


def test_group_recusal_witness_names_the_visit() -> None:
    """回避 from a firm group (行政处罚法 art. 43): two of three officers are related to the
    group's parent, so the subsidiary cannot get a lawful team of two."""
    groups = {"母公司": "集团甲", "子公司": "集团甲"}
    conflicts = group_recusal([("A0", "母公司"), ("A1", "母公司")], groups)
    with pytest.raises(InfeasibleAssignment) as e:
        assign(visits_on(["子公司"], 0), pool_of(3), seed="s", stream="t", conflicts=conflicts)
    assert e.value.witness.visits == ("P0V0",)
    assert "2 excluded by recusal" in str(e.value)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: rotation_from([], periods=-1), "periods"),
        (lambda: rotation_from([], periods=True), "periods"),
        (lambda: rotation_from("abc", periods=1), "earlier"),  # type: ignore[arg-type]
        (lambda: rotation_from([object()], periods=1), "earlier"),  # type: ignore[list-item]
        (lambda: rotation_from([], periods=1, groups=[("T0", "G")]), "groups"),  # type: ignore[arg-type]
        (lambda: group_recusal([("A0", "T0")], {"T0": 1}), "groups"),  # type: ignore[dict-item]
        (lambda: group_recusal(["A0"], None), "conflicts"),  # type: ignore[list-item]
    ],
)
def test_bad_inputs_name_the_field(call: object, field: str) -> None:
    with pytest.raises(ValidationError) as e:
        call()  # type: ignore[operator]
    assert field in str(e.value)
