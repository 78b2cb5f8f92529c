"""Tests for randsupervise.model.items: validation, lookup, digests, records."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.errors import UnknownIdError, ValidationError
from randsupervise.model.items import _TARGET_KIND_VALUES, InspectionItem, ItemKind, ItemList
from randsupervise.model.sample import sample_items
from randsupervise.model.targets import TargetKind


def make(**overrides: Any) -> InspectionItem:
    fields: dict[str, Any] = {
        "id": "G01",
        "name": "旅行社经营行为检查",
        "department": "执法大队",
        "kind": ItemKind.GENERAL,
        "legal_basis": "《旅行社条例》",
        "content": "经营许可",
        "method": "现场检查",
        "target_kinds": {"enterprise"},
        "required_qualifications": {"旅游"},
        "ratio_cap": 0.1,
    }
    fields.update(overrides)
    return InspectionItem(**fields)


def problems_of(**overrides: Any) -> list[tuple[str | None, str | None]]:
    with pytest.raises(ValidationError) as info:
        make(**overrides)
    return [(p.field, p.rule) for p in info.value.problems]


def test_target_kind_literals_match_the_register_enum() -> None:
    assert tuple(k.value for k in TargetKind) == _TARGET_KIND_VALUES


def test_enum_members_and_strings_are_accepted_and_stored_as_strings() -> None:
    item = make(kind="general", target_kinds=[TargetKind.ENTERPRISE, "product"])
    assert item.kind is ItemKind.GENERAL
    assert item.target_kinds == frozenset({"enterprise", "product"})
    assert all(type(k) is str for k in item.target_kinds)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", ""),
        ("id", " G01"),
        ("name", "   "),
        ("name", 5),
        ("department", None),
        ("legal_basis", ""),
        ("content", ""),
        ("method", ""),
        ("description", 3),
        ("kind", "urgent"),
        ("target_kinds", set()),
        ("target_kinds", {"shop"}),
        ("target_kinds", "enterprise"),
        ("required_qualifications", {""}),
        ("required_qualifications", 7),
        ("yearly_frequency_limit", 0),
        ("yearly_frequency_limit", 1.5),
        ("yearly_frequency_limit", True),
    ],
)
def test_each_bad_field_is_reported_by_name(field: str, value: object) -> None:
    assert [f for f, _ in problems_of(**{field: value})] == [field]


@pytest.mark.parametrize("cap", [None, 0, 0.0, -0.1, 1.01, float("nan"), float("inf"), True, "0.1"])
def test_general_item_needs_cap_in_unit_interval(cap: object) -> None:
    assert problems_of(ratio_cap=cap) == [("ratio_cap", "plan §三(二)")]


@pytest.mark.parametrize("cap", [1, 1.0, 0.05, 1e-9])
def test_general_item_accepts_caps_in_unit_interval(cap: float) -> None:
    assert make(ratio_cap=cap).ratio_cap == cap


def test_key_item_has_no_cap() -> None:
    assert make(kind="key", ratio_cap=None).ratio_cap is None
    assert problems_of(kind="key", ratio_cap=0.5) == [("ratio_cap", "plan §三(二)")]


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        make(name="", method="", target_kinds={"shop"}, ratio_cap=None, yearly_frequency_limit=0)
    assert [p.field for p in info.value.problems] == [
        "name",
        "method",
        "target_kinds",
        "ratio_cap",
        "yearly_frequency_limit",
    ]
    assert all(p.id == "G01" for p in info.value.problems)


def test_item_is_frozen() -> None:
    item = make()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        item.name = "x"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        attrs.evolve(item, ratio_cap=2.0)


# --- ItemList ---------------------------------------------------------------------------


def test_list_lookup_iteration_and_partition() -> None:
    items = ItemList(items=[make(id="G2"), make(id="K1", kind="key", ratio_cap=None), make()])
    assert items.ids == ("G01", "G2", "K1")
    assert [i.id for i in items] == list(items.ids)
    assert len(items) == 3
    assert items["K1"].kind is ItemKind.KEY
    assert items.get("nope") is None
    assert "G2" in items and "nope" not in items
    assert [i.id for i in items.key_items] == ["K1"]
    assert [i.id for i in items.general_items] == ["G01", "G2"]
    with pytest.raises(UnknownIdError) as info:
        items["nope"]
    assert isinstance(info.value, LookupError)
    assert info.value.ids == ("nope",)


def test_every_duplicate_id_is_reported_with_its_row() -> None:
    with pytest.raises(ValidationError) as info:
        ItemList(items=[make(id="A"), make(id="B"), make(id="A"), make(id="B"), make(id="A")])
    assert [(p.row, p.id) for p in info.value.problems] == [(2, "A"), (3, "B"), (4, "A")]


def test_non_items_are_reported() -> None:
    with pytest.raises(ValidationError) as info:
        ItemList(items=[make(), "G02", None])
    assert info.value.rows == (1, 2)
    with pytest.raises(ValidationError):
        ItemList(items=5)  # type: ignore[arg-type]


def test_key_item_limit() -> None:
    keys = [make(id=f"K{i}", kind="key", ratio_cap=None) for i in range(3)]
    assert len(ItemList(items=keys, max_key_items=3).key_items) == 3
    with pytest.raises(ValidationError) as info:
        ItemList(items=[*keys, make()], max_key_items=2)
    (problem,) = info.value.problems
    assert problem.field == "max_key_items" and problem.rule == "plan §三(二)"
    ok = ItemList(items=keys)
    assert ok.check_key_items() == ()
    assert len(ok.check_key_items(1)) == 1
    for bad in (-1, 1.5, True):
        with pytest.raises(ValidationError):
            ItemList(items=keys, max_key_items=bad)  # type: ignore[arg-type]


def test_duplicates_and_key_limit_reported_together() -> None:
    keys = [make(id="K", kind="key", ratio_cap=None), make(id="K", kind="key", ratio_cap=None)]
    with pytest.raises(ValidationError) as info:
        ItemList(items=keys, max_key_items=1)
    assert [p.field for p in info.value.problems] == ["id", "max_key_items"]


def test_records_round_trip() -> None:
    items = sample_items()
    again = ItemList.from_records(items.to_records(), max_key_items=items.max_key_items)
    assert again == items
    assert again.digest() == items.digest()


def test_from_records_reports_every_row() -> None:
    good = make().to_record()
    records = [
        good,
        {**good, "id": "G02", "ratio_cap": 3},
        {**good, "id": "G03", "colour": "red"},
        {k: v for k, v in good.items() if k != "method"} | {"id": "G04"},
        {**good, "id": "G01"},
        "not a record",
    ]
    with pytest.raises(ValidationError) as info:
        ItemList.from_records(records)  # type: ignore[arg-type]
    assert [(p.row, p.field) for p in info.value.problems] == [
        (1, "ratio_cap"),
        (2, "colour"),
        (3, "method"),
        (4, "id"),
        (5, None),
    ]


def test_for_target_kind_accepts_enum() -> None:
    items = sample_items()
    assert items.for_target_kind(TargetKind.CONDUCT) == items.for_target_kind("conduct")
    assert [i.id for i in items.for_target_kind("conduct")] == ["G08"]


# --- digests ------------------------------------------------------------------------------


@given(st.permutations(range(len(sample_items()))))
def test_digest_and_equality_do_not_depend_on_order(order: list[int]) -> None:
    base = sample_items()
    shuffled = ItemList(items=[base.items[i] for i in order], max_key_items=base.max_key_items)
    assert shuffled == base
    assert shuffled.digest() == base.digest()


CHANGES: list[tuple[str, Any]] = [
    ("name", "其他名称"),
    ("department", "其他部门"),
    ("legal_basis", "《其他条例》"),
    ("content", "其他内容"),
    ("method", "书面检查"),
    ("target_kinds", {"enterprise", "sole_trader"}),
    ("required_qualifications", {"旅游", "消防"}),
    ("ratio_cap", 0.11),
    ("yearly_frequency_limit", 2),
    ("description", "说明"),
]


@pytest.mark.parametrize(("field", "value"), CHANGES)
def test_digest_changes_when_any_field_changes(field: str, value: Any) -> None:
    base = ItemList(items=[make(), make(id="K1", kind="key", ratio_cap=None)])
    changed = ItemList(items=[make(**{field: value}), base["K1"]])
    assert changed.digest() != base.digest()


def test_digest_covers_id_kind_and_limit() -> None:
    base = ItemList(items=[make()])
    assert ItemList(items=[make(id="G02")]).digest() != base.digest()
    assert ItemList(items=[make(kind="key", ratio_cap=None)]).digest() != base.digest()
    assert ItemList(items=[make()], max_key_items=4).digest() != base.digest()


def test_digest_is_pinned() -> None:
    # The canonical form is part of the receipt format: a change here is a format change.
    one = ItemList(items=[make()])
    assert one.canonical()["format"] == "randsupervise.item-list"
    assert one.digest() == ItemList.from_records(one.to_records()).digest()
    assert len(one.digest()) == 64 and int(one.digest(), 16) >= 0


def test_numpy_numbers_are_accepted_as_plain_numbers() -> None:
    item = make(ratio_cap=np.float64(0.2), yearly_frequency_limit=np.int64(2))
    assert type(item.ratio_cap) is float and type(item.yearly_frequency_limit) is int
    assert ItemList(items=[item], max_key_items=np.int32(3)).max_key_items == 3
