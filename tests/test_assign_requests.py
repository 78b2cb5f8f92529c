"""Tests for randsupervise.assign.requests: visit requests and the region rule."""

from __future__ import annotations

import attrs
import pytest

from randsupervise.assign import MIN_TEAM_SIZE, JointRule, RegionRule, VisitRequest, visits_digest
from randsupervise.errors import ValidationError


def test_min_team_size_is_two() -> None:
    assert MIN_TEAM_SIZE == 2


def test_every_problem_reported() -> None:
    with pytest.raises(ValidationError) as exc:
        VisitRequest(id="V", target="", region=" r", departments=(), team_size=1, experts=-1)
    fields = sorted(p.field or "" for p in exc.value.problems)
    assert fields == ["departments", "experts", "region", "target", "team_size"]


def test_joint_visit_one_team_form_needs_one_officer_per_department() -> None:
    one = JointRule.ONE_PER_DEPARTMENT
    with pytest.raises(ValidationError, match="3 departments need at least 3"):
        VisitRequest(id="V", target="T", region="r", departments=("a", "b", "c"), joint_rule=one)
    v = VisitRequest(
        id="V", target="T", region="r", departments=("a", "b", "c"), team_size=3, joint_rule=one
    )
    assert v.is_joint and not v.per_department and v.parts() == ()
    # the one-team form keeps the record (and so the digest) it always had
    assert "joint_rule" not in v.to_record()


def test_joint_visit_is_staffed_per_department_by_default() -> None:
    v = VisitRequest(id="V", target="T", region="r", departments=("a", "b", "c"))
    assert v.joint_rule is JointRule.PER_DEPARTMENT and v.per_department
    assert dict(v.sub_teams) == {"a": 2, "b": 2, "c": 2} and v.team_size == 6
    w = VisitRequest(
        id="V", target="T", region="r", departments=("a", "b"), qualifications={"q"},
        sub_teams={"b": 3, "a": 2}, department_qualifications={"b": ["消防"]},
    )  # fmt: skip
    assert w.team_size == 5
    assert w.parts() == (("a", 2, frozenset({"q"})), ("b", 3, frozenset({"消防"})))
    assert w.to_record()["sub_teams"] == {"a": 2, "b": 3}
    assert VisitRequest(**w.to_record()) == w  # the record reads back (command line input)
    assert visits_digest([w]) != visits_digest([attrs.evolve(w, sub_teams={"a": 3, "b": 2})])


def test_each_department_part_is_itself_lawful() -> None:
    with pytest.raises(ValidationError) as exc:
        VisitRequest(id="V", target="T", region="r", departments=("a", "b"), sub_teams={"a": 1})
    assert [p.field for p in exc.value.problems] == ["sub_teams", "sub_teams"]
    assert "at least 2" in str(exc.value) and "every department" in str(exc.value)
    with pytest.raises(ValidationError, match="departments not of the visit"):
        VisitRequest(
            id="V", target="T", region="r", departments=("a", "b"),
            department_qualifications={"c": {"x"}},
        )  # fmt: skip
    with pytest.raises(ValidationError, match="add up to 4"):
        VisitRequest(id="V", target="T", region="r", departments=("a", "b"), team_size=2)
    with pytest.raises(ValidationError, match="only for a joint visit"):
        VisitRequest(id="V", target="T", region="r", departments=("a",), sub_teams={"a": 2})
    with pytest.raises(ValidationError, match="joint_rule"):
        VisitRequest(id="V", target="T", region="r", departments=("a",), joint_rule="both")


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


def test_region_rule_refuses_what_is_not_a_rule() -> None:
    with pytest.raises(ValidationError) as exc:
        RegionRule(serves_any="yes", allowed={"r2": "r1", " r3": ["r1"]})  # type: ignore[arg-type]
    assert [p.field for p in exc.value.problems] == ["serves_any", "allowed", "allowed"]
    assert "must be True or False" in str(exc.value) and "a collection of str" in str(exc.value)
    with pytest.raises(ValidationError, match="a mapping of region to regions"):
        RegionRule(allowed=["r1"])


def test_visit_request_fields_are_checked_like_every_other_record() -> None:
    with pytest.raises(ValidationError) as exc:
        VisitRequest(
            id="V", target="T ", region="r", departments=("a", " b"),
            qualifications={"q", ""}, experts=True, date="2024-02-30",
            leader=1,  # type: ignore[arg-type]
        )  # fmt: skip
    fields = [p.field for p in exc.value.problems]
    assert fields == ["target", "departments", "qualifications", "leader", "date", "experts"]
    numpy = pytest.importorskip("numpy")
    v = VisitRequest(id="V", target="T", region="r", departments=("a",),
                     team_size=numpy.int64(3), experts=numpy.int64(1))  # fmt: skip
    assert type(v.team_size) is int and v.to_record()["team_size"] == 3
