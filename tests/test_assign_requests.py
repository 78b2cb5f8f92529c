"""Tests for randsupervise.assign.requests: visit requests and the region rule."""

from __future__ import annotations

import pytest

from randsupervise.assign import MIN_TEAM_SIZE, RegionRule, VisitRequest, visits_digest
from randsupervise.errors import ValidationError


def test_min_team_size_is_two() -> None:
    assert MIN_TEAM_SIZE == 2


def test_every_problem_reported() -> None:
    with pytest.raises(ValidationError) as exc:
        VisitRequest(id="V", target="", region=" r", departments=(), team_size=1, experts=-1)
    fields = sorted(p.field or "" for p in exc.value.problems)
    assert fields == ["departments", "experts", "region", "target", "team_size"]


def test_joint_visit_needs_one_officer_per_department() -> None:
    with pytest.raises(ValidationError, match="3 departments need at least 3"):
        VisitRequest(id="V", target="T", region="r", departments=("a", "b", "c"))
    v = VisitRequest(id="V", target="T", region="r", departments=("a", "b", "c"), team_size=3)
    assert v.is_joint


def test_duplicate_department_refused() -> None:
    with pytest.raises(ValidationError, match="named twice"):
        VisitRequest(id="V", target="T", region="r", departments=("a", "a"))


def test_digest_depends_on_content_not_order() -> None:
    a = VisitRequest(id="A", target="T", region="r", departments=["d"], qualifications={"x"})
    b = VisitRequest(id="B", target="T", region="r", departments=["d"])
    c = VisitRequest(id="B", target="T", region="r", departments=["d"], team_size=3)
    assert visits_digest([a, b]) == visits_digest([b, a])
    assert visits_digest([a, b]) != visits_digest([a, c])


def test_region_rule() -> None:
    default = RegionRule()
    assert default.may_serve(frozenset({"r1", "r2"}), "r2")
    assert not default.may_serve(frozenset({"r1"}), "r2")
    mapped = RegionRule(allowed={"r2": ["r1"]})
    assert mapped.may_serve(frozenset({"r1"}), "r2")
    assert not mapped.may_serve(frozenset({"r2"}), "r2")  # the mapping is the full set
    assert RegionRule(serves_any=True).may_serve(frozenset({"x"}), "y")
    assert mapped.canonical() == {"serves_any": False, "allowed": {"r2": ["r1"]}}
