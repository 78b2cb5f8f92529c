"""Tests for randsupervise.model.inspectors: validation, sub-pools, digests, records."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.errors import UnknownIdError, ValidationError
from randsupervise.model.inspectors import Inspector, InspectorPool
from randsupervise.model.sample import sample_inspectors


def make(**overrides: Any) -> Inspector:
    fields: dict[str, Any] = {
        "id": "Z-01",
        "name": "示例执法队员 01",
        "department": "执法大队",
        "certified": True,
        "certificate_number": "ZF-0001",
        "qualifications": {"网络文化"},
        "expertise": {"网络技术"},
        "regions": {"东城镇"},
    }
    fields.update(overrides)
    return Inspector(**fields)


def fields_of(**overrides: Any) -> list[str | None]:
    with pytest.raises(ValidationError) as info:
        make(**overrides)
    return [p.field for p in info.value.problems]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", ""),
        ("name", " x"),
        ("department", 3),
        ("certified", "yes"),
        ("certified", 1),
        ("certificate_number", None),
        ("qualifications", "网络文化"),
        ("qualifications", {""}),
        ("expertise", {None}),
        ("regions", set()),
        ("regions", None),
        ("available", None),
        ("expert", 0),
    ],
)
def test_each_bad_field_is_reported_by_name(field: str, value: object) -> None:
    assert fields_of(**{field: value}) == [field]


def test_certificate_number_matches_certified() -> None:
    assert make(certified=False, certificate_number="").certificate_number is None
    assert make(certified=False, certificate_number=None).certificate_number is None
    assert fields_of(certified=False) == ["certificate_number"]
    assert fields_of(certified=True, certificate_number="") == ["certificate_number"]


def test_every_problem_reported_at_once() -> None:
    assert fields_of(id="", certified=True, certificate_number=None, regions=()) == [
        "id",
        "certificate_number",
        "regions",
    ]


@pytest.mark.parametrize(
    ("certified", "expert", "counts"),
    [(True, False, True), (True, True, False), (False, True, False), (False, False, False)],
)
def test_counts_toward_quota(certified: bool, expert: bool, counts: bool) -> None:
    person = make(certified=certified, expert=expert, certificate_number="C" if certified else None)
    assert person.counts_toward_quota is counts


def test_tags_are_qualifications_and_expertise() -> None:
    assert make().tags == frozenset({"网络文化", "网络技术"})


# --- pool ---------------------------------------------------------------------------------


def test_pool_lookup_and_order() -> None:
    pool = InspectorPool(inspectors=[make(id="B"), make(id="A"), make(id="C")])
    assert pool.ids == ("A", "B", "C")
    assert [p.id for p in pool] == ["A", "B", "C"]
    assert len(pool) == 3 and "A" in pool and "Q" not in pool
    assert pool["B"].id == "B" and pool.get("Q") is None
    with pytest.raises(UnknownIdError):
        pool["Q"]


def test_every_duplicate_reported() -> None:
    with pytest.raises(ValidationError) as info:
        InspectorPool(inspectors=[make(id="A"), make(id="A"), make(id="B"), make(id="A")])
    assert [(p.row, p.id) for p in info.value.problems] == [(1, "A"), (3, "A")]
    with pytest.raises(ValidationError) as info:
        InspectorPool(inspectors=[make(), {"id": "x"}])  # type: ignore[list-item]
    assert info.value.rows == (1,)


def test_sub_pools() -> None:
    pool = sample_inspectors()
    team = pool.sub_pool(department="文化市场综合行政执法大队")
    assert len(team) == 24
    assert all(p.department == "文化市场综合行政执法大队" for p in team)
    assert set(pool.by_department()) == set(pool.departments)
    assert sum(len(sub) for sub in pool.by_department().values()) == len(pool)
    for tag, sub in pool.by_tag().items():
        assert all(tag in p.tags for p in sub)
        assert {p.id for p in pool if tag in p.tags} == set(sub.ids)
    assert all(not p.certified for p in pool.sub_pool(certified=False))
    assert all("东城镇" in p.regions for p in pool.sub_pool(region="东城镇"))
    assert {p.id for p in pool.sub_pool(available=False)} == {"Z-21", "Z-22"}
    assert len(pool.sub_pool(region="nowhere")) == 0
    quota = pool.sub_pool(counts_toward_quota=True)
    assert all(p.certified and not p.expert for p in quota)


def test_with_availability_returns_a_new_pool() -> None:
    pool = sample_inspectors()
    back = pool.with_availability(["Z-21", "Z-22"], True)
    assert len(back.sub_pool(available=False)) == 0
    assert len(pool.sub_pool(available=False)) == 2  # unchanged
    with pytest.raises(UnknownIdError) as info:
        pool.with_availability(["Z-01", "nope", "gone"], False)
    assert info.value.ids == ("gone", "nope")
    assert pool["Z-01"].available


def test_records_round_trip() -> None:
    pool = sample_inspectors()
    assert InspectorPool.from_records(pool.to_records()) == pool


def test_from_records_reports_every_row() -> None:
    good = make().to_record()
    records = [
        good,
        {**good, "id": "Z-02", "certified": False},  # still has a certificate number
        {k: v for k, v in good.items() if k != "regions"} | {"id": "Z-03"},
        {**good, "id": "Z-04", "regions": []},
        {**good},  # duplicate Z-01
    ]
    with pytest.raises(ValidationError) as info:
        InspectorPool.from_records(records)
    assert [(p.row, p.id, p.field) for p in info.value.problems] == [
        (1, "Z-02", "certificate_number"),
        (2, "Z-03", "regions"),
        (3, "Z-04", "regions"),
        (4, "Z-01", "id"),
    ]


@given(st.permutations(range(40)))
def test_digest_does_not_depend_on_order(order: list[int]) -> None:
    pool = sample_inspectors()
    shuffled = InspectorPool(inspectors=[pool.inspectors[i] for i in order])
    assert shuffled == pool
    assert shuffled.digest() == pool.digest()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "Z-99"),
        ("name", "改名"),
        ("department", "其他"),
        ("certificate_number", "ZF-0002"),
        ("qualifications", {"网络文化", "旅游"}),
        ("expertise", set()),
        ("regions", {"东城镇", "西河镇"}),
        ("available", False),
        ("expert", True),
    ],
)
def test_digest_changes_when_any_field_changes(field: str, value: object) -> None:
    base = InspectorPool(inspectors=[make(), make(id="Z-02")])
    changed = InspectorPool(inspectors=[make(**{field: value}), make(id="Z-02")])
    assert changed.digest() != base.digest()


def test_digest_changes_with_certification() -> None:
    base = InspectorPool(inspectors=[make()])
    changed = InspectorPool(inspectors=[make(certified=False, certificate_number=None)])
    assert changed.digest() != base.digest()
