"""Cross-region checks (异地交叉检查) for inspectors of several regions, and county-wide
staff, checked against a brute force written from the rule."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randsupervise.assign import AssignmentProblem, RegionRule, VisitRequest, assign, verify
from randsupervise.errors import InfeasibleAssignment, ValidationError
from randsupervise.model.inspectors import Inspector, InspectorPool

TOWNS = ("东城镇", "西河镇", "南山乡")
COUNTY = "全县"


def officer(i: int, regions: frozenset[str]) -> Inspector:
    return Inspector(
        id=f"Z{i}",
        name=f"Z{i}",
        department="A",
        certified=True,
        certificate_number=f"C{i}",
        regions=regions,
    )


def may_serve_by_hand(regions: frozenset[str], town: str, serves_any: bool) -> bool:
    """The rule read from the brief: never in one's own town; county staff anywhere;
    otherwise whoever the rule lets come from elsewhere (here: everybody or nobody)."""
    if town in regions:
        return False
    return COUNTY in regions or serves_any


@st.composite
def cases(draw: st.DrawFn) -> tuple[InspectorPool, list[VisitRequest], bool]:
    home = st.frozensets(st.sampled_from((*TOWNS, COUNTY)), min_size=1, max_size=2)
    pool = InspectorPool(
        inspectors=[officer(i, draw(home)) for i in range(draw(st.integers(2, 5)))]
    )
    visits = [
        VisitRequest(id=f"V{k}", target=f"T{k}", region=draw(st.sampled_from(TOWNS)),
                     departments=["A"])
        for k in range(draw(st.integers(1, 3)))
    ]  # fmt: skip
    return pool, visits, draw(st.booleans())


@settings(max_examples=80, deadline=None)
@given(cases())
def test_cross_region_checks_feasible_and_lawful_as_brute_force_says(
    case: tuple[InspectorPool, list[VisitRequest], bool],
) -> None:
    pool, visits, serves_any = case
    rule = RegionRule(serves_any=serves_any, exclude_home=True, county_wide=COUNTY)
    options = [
        [
            t
            for t in itertools.combinations(pool.ids, 2)
            if all(may_serve_by_hand(pool[m].regions, v.region, serves_any) for m in t)
        ]
        for v in visits
    ]
    problem = AssignmentProblem(visits=visits, pool=pool, region_rule=rule)
    try:
        a = assign(problem, seed="cross", stream="teams")
    except InfeasibleAssignment as e:
        assert any(not o for o in options), "brute force finds lawful teams"
        assert e.witness.visits
        return
    for v, lawful in zip(visits, options, strict=True):
        assert tuple(sorted(a.team(v.id).officers)) in lawful
    assert verify(problem, a.receipts).ok


def test_officer_of_two_towns_serves_neither_of_them() -> None:
    """异地交叉检查: an officer posted to 东城镇 and 西河镇 inspects in 南山乡 only."""
    pool = InspectorPool(
        inspectors=[
            officer(1, frozenset({"东城镇", "西河镇"})),
            officer(2, frozenset({"南山乡"})),
            officer(3, frozenset({COUNTY})),
            officer(4, frozenset({"东城镇"})),
        ]
    )
    rule = RegionRule(serves_any=True, exclude_home=True, county_wide=COUNTY)
    visit = VisitRequest(id="V1", target="T1", region="西河镇", departments=["A"])
    a = assign(AssignmentProblem(visits=[visit], pool=pool, region_rule=rule), seed="s",
               stream="t")  # fmt: skip
    members = set(a.team("V1").officers)
    assert "Z1" not in members and members <= {"Z2", "Z3", "Z4"}
    # without the rule, the officer of two towns would be eligible at home
    assert RegionRule(allowed={"西河镇": {"东城镇"}}).may_serve(
        frozenset({"东城镇", "西河镇"}), "西河镇"
    )


def test_county_wide_staff_serve_every_town() -> None:
    rule = RegionRule(county_wide=COUNTY)
    assert all(rule.may_serve(frozenset({COUNTY}), town) for town in TOWNS)
    assert not rule.may_serve(frozenset({"东城镇"}), "西河镇")
    assert RegionRule().may_serve(frozenset({COUNTY}), "西河镇") is False  # opt-in only


def test_cross_region_witness_names_the_visit() -> None:
    pool = InspectorPool(
        inspectors=[officer(1, frozenset({"东城镇"})), officer(2, frozenset({"东城镇"})),
                    officer(3, frozenset({"西河镇"}))]
    )  # fmt: skip
    rule = RegionRule(serves_any=True, exclude_home=True)
    visit = VisitRequest(id="V1", target="T1", region="东城镇", departments=["A"])
    with pytest.raises(InfeasibleAssignment) as e:
        assign(AssignmentProblem(visits=[visit], pool=pool, region_rule=rule), seed="s",
               stream="t")  # fmt: skip
    assert e.value.witness.visits == ("V1",)
    assert "only 1" in str(e.value)


def test_rules_left_unset_keep_the_region_rule_digest() -> None:
    assert RegionRule().canonical() == {"serves_any": False, "allowed": {}}
    assert RegionRule(exclude_home=True, county_wide=COUNTY).canonical() == {
        "serves_any": False,
        "allowed": {},
        "county_wide": COUNTY,
        "exclude_home": True,
    }


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"exclude_home": "yes"}, "exclude_home"), ({"county_wide": ""}, "county_wide"),
     ({"county_wide": 3}, "county_wide")],
)  # fmt: skip
def test_bad_region_rules_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as e:
        RegionRule(**kwargs)  # type: ignore[arg-type]
    assert field in str(e.value)
