"""`assign.verify(problem, receipts)`: the problem the draw was given verifies, and a problem
that differs from it in one input is caught, naming that input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
import pytest

from randsupervise.assign import (
    Assignment,
    AssignmentProblem,
    CancelReason,
    RegionRule,
    VisitRequest,
    announce_assignment,
    assign,
    cancel,
    replace,
    verify,
)
from randsupervise.draw import Seed
from randsupervise.draw.announcement import SeedRule
from randsupervise.model.inspectors import InspectorPool
from randsupervise.model.sample import sample_inspectors

DEPT = "文化市场综合行政执法大队"
DAY = dt.date(2024, 5, 6)
SEED = Seed.from_text("2024 ceremony: 2 7 1 8")


def _problem() -> AssignmentProblem:
    pool = sample_inspectors()
    visits = [
        VisitRequest(id=f"V{k}", target=f"T{k}", region="东城镇", departments=[DEPT],
                     date=DAY if k % 2 else None)
        for k in range(6)
    ]  # fmt: skip
    first = pool.sub_pool(department=DEPT, region="东城镇").ids[0]
    return AssignmentProblem(
        visits=visits,
        pool=pool,
        conflicts=[(first, "T0")],
        rotation=[(first, "T1")],
        load_limits=3,
        region_rule=RegionRule(allowed={"东城镇": {"东城镇", "西城镇"}}),
        certificates_valid_until={first: dt.date(2024, 12, 31)},
        unavailable_days=[(first, dt.date(2024, 1, 2))],
        apart=[(first, pool.ids[-1])],
        joint_load=2,
        period_limits=3,
    )


def _assign(problem: AssignmentProblem, seed: Seed) -> Assignment:
    rules = {f.name: getattr(problem, f.name) for f in attrs.fields(AssignmentProblem)}
    del rules["visits"], rules["pool"]
    return assign(problem.visits, problem.pool, seed=seed, stream="2024/teams", **rules)


PROBLEM = _problem()
A = _assign(PROBLEM, SEED)
_OUTSIDER = next(m for m in PROBLEM.pool.ids if not any(m in t.members for t in A.teams))
_ON_TEAM = A.teams[0].officers[0]

#: One change to each input of the problem (the name is the input the receipt records).
ONE_CHANGE: dict[str, Callable[[AssignmentProblem], AssignmentProblem]] = {
    "visits": lambda p: attrs.evolve(p, visits=p.visits[1:]),
    "pool": lambda p: attrs.evolve(
        p, pool=InspectorPool(inspectors=[m for m in p.pool if m.id != _OUTSIDER])
    ),
    "conflicts": lambda p: attrs.evolve(p, conflicts={*p.conflicts, (_OUTSIDER, "T3")}),
    "rotation": lambda p: attrs.evolve(p, rotation=set()),
    "load_limits": lambda p: attrs.evolve(p, load_limits=4),
    "region_rule": lambda p: attrs.evolve(p, region_rule=None),
    "certificates_valid_until": lambda p: attrs.evolve(
        p, certificates_valid_until={**p.certificates_valid_until, _OUTSIDER: DAY}
    ),
    "unavailable_days": lambda p: attrs.evolve(
        p, unavailable_days={*p.unavailable_days, (_ON_TEAM, dt.date(2024, 1, 3))}
    ),
    "apart": lambda p: attrs.evolve(p, apart={*p.apart, (_OUTSIDER, _ON_TEAM)}),
    "joint_load": lambda p: attrs.evolve(p, joint_load=3),
    "period_limits": lambda p: attrs.evolve(p, period_limits=4),
}


def test_every_input_of_the_problem_has_a_one_change_case() -> None:
    # a new input of AssignmentProblem must be checked here too
    assert set(ONE_CHANGE) == {f.name for f in attrs.fields(AssignmentProblem)}
    assert set(ONE_CHANGE) == set(A.receipt["inputs"])


def test_the_honest_problem_verifies_a_receipt_and_a_chain() -> None:
    assert verify(PROBLEM, A.receipts, expected_seed=SEED).ok
    chain = cancel(replace(A, [_ON_TEAM]), ["V5"], CancelReason.DEREGISTERED).receipts
    assert verify(PROBLEM, chain, expected_seed=SEED).ok
    assert verify(A.problem, A.receipts).ok


@pytest.mark.parametrize("name", sorted(ONE_CHANGE))
def test_a_one_input_change_is_caught_naming_that_input(name: str) -> None:
    changed = ONE_CHANGE[name](PROBLEM)
    assert changed.digests()[name] != PROBLEM.digests()[name]
    report = verify(changed, A.receipts)
    assert not report.ok
    assert [d.path for d in report.differences] == [f"inputs.{name}"]
    chain = replace(A, [_ON_TEAM]).receipts
    assert [d.path for d in verify(changed, chain).differences] == [f"[0].inputs.{name}"]


def test_an_announcement_is_checked_against_the_problem_it_was_made_from() -> None:
    rule = SeedRule(method="text", source="2024 ceremony", date="2024-01-15")
    announced = announce_assignment(PROBLEM, stream="2024/teams", seed_rule=rule,
                                    date="2024-01-05")  # fmt: skip
    seed = announced.seed(value="2 7 1 8")
    honest = _assign(PROBLEM, seed)
    assert verify(PROBLEM, honest.receipts, announcement=announced).ok
    other = announce_assignment(ONE_CHANGE["conflicts"](PROBLEM), stream="2024/teams",
                                seed_rule=rule, date="2024-01-05")  # fmt: skip
    report = verify(PROBLEM, honest.receipts, announcement=other)
    assert [d.path for d in report.differences] == ["inputs.conflicts"]
