"""Tests for the columnar target register (model/targets.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.errors import RandSuperviseError, UnknownIdError, ValidationError
from randsupervise.model import RiskClass, Target, TargetRegistry
from randsupervise.model.changes import AddTarget, RemoveTarget, UpdateTarget
from randsupervise.tickets.fingerprint import fingerprint


def small() -> TargetRegistry:
    return TargetRegistry.from_columns(
        id=["T1", "T2", "T3", "T4"],
        name=["甲", "乙", "丙", "丁"],
        kind=["enterprise", "sole_trader", "product", "enterprise"],
        region=["东城镇", "西城镇", "东城镇", "南城镇"],
        industry=["internet_cafe", "travel_agency", "audio_video", "internet_cafe"],
        risk_class=["A", "B", "C", "D"],
        status=["active", "active", "active", "deregistered"],
        weight=[1.0, 2.0, 0.5, 3.0],
    )


def test_risk_classes_are_ordered_and_parsed() -> None:
    assert RiskClass.A < RiskClass.B < RiskClass.C < RiskClass.D
    assert RiskClass.parse("d") is RiskClass.D
    assert RiskClass.parse(2) is RiskClass.C
    for bad in ("E", "", None, 4, True, 1.0):
        with pytest.raises(ValueError):
            RiskClass.parse(bad)


def test_columns_are_read_only_and_typed() -> None:
    reg = small()
    for arr in (reg.ids, reg.fingerprints, reg.risk_codes, reg.weights, reg.codes("region")):
        assert not arr.flags.writeable
        with pytest.raises(ValueError):
            arr[0] = arr[1]
    assert reg.fingerprints.dtype == np.uint64
    assert reg.risk_codes.tolist() == [0, 1, 2, 3]
    assert reg.column("region").tolist() == ["东城镇", "西城镇", "东城镇", "南城镇"]
    assert reg.categories("region") == ("东城镇", "南城镇", "西城镇")


def test_fingerprints_are_computed_once_per_id() -> None:
    reg = small()
    assert [int(f) for f in reg.fingerprints] == [fingerprint(i) for i in reg.ids.tolist()]


def test_rows_round_trip_as_targets() -> None:
    reg = small()
    again = TargetRegistry.from_targets(list(reg))
    assert again.digest() == reg.digest()
    assert reg["T3"] == Target(
        id="T3", name="丙", kind="product", region="东城镇", industry="audio_video",
        risk_class="C", status="active", weight=0.5,
    )  # fmt: skip


def test_every_bad_row_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        TargetRegistry.from_columns(
            id=["a", "a", "", " b", None, "ok"],
            risk_class=["A", "E", "B", None, "C", "B"],
            region=["x", "", "x", "x", math.nan, "x"],
            weight=[1, 2, -1, math.nan, 3, 1],
            kind=["enterprise", "shop", "product", "product", "product", "conduct"],
        )
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, RandSuperviseError)
    found = {(p.row, p.field) for p in err.problems}
    assert {(0, "id"), (1, "id")} <= found  # both duplicates named
    assert (1, "risk_class") in found and (3, "risk_class") in found
    assert (1, "kind") in found
    assert (1, "region") in found and (4, "region") in found
    assert (2, "id") in found and (3, "id") in found and (4, "id") in found
    assert (2, "weight") in found and (3, "weight") in found
    assert 5 not in err.rows


def test_column_length_mismatch_is_reported() -> None:
    with pytest.raises(ValidationError, match="column has 1 rows"):
        TargetRegistry.from_columns(id=["a", "b"], risk_class=["A"])


def test_credit_codes_are_checked_only_when_asked_and_only_for_entities() -> None:
    ids = ["91350100M000100Y43", "91350100M000100Y44", "P-1"]
    kinds = ["enterprise", "enterprise", "product"]
    TargetRegistry.from_columns(id=ids, risk_class=["A"] * 3, kind=kinds)
    with pytest.raises(ValidationError) as info:
        TargetRegistry.from_columns(
            id=ids, risk_class=["A"] * 3, kind=kinds, check_credit_codes=True
        )
    assert [(p.row, p.rule) for p in info.value.problems] == [(1, "GB 32100-2015")]


@given(st.permutations(range(4)))
def test_digest_is_independent_of_row_order(perm: list[int]) -> None:
    reg = small()
    cols = reg.to_columns()
    shuffled = TargetRegistry.from_columns(**{k: [v[i] for i in perm] for k, v in cols.items()})
    assert shuffled.digest() == reg.digest()


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "戊"), ("kind", "project"), ("region", "北城镇"), ("industry", "x"),
     ("risk_class", "D"), ("status", "unreachable"), ("weight", 1.5), ("id", "T9")],
)  # fmt: skip
def test_digest_changes_when_any_field_of_one_row_changes(field: str, value: object) -> None:
    reg = small()
    cols = reg.to_columns()
    cols[field][0] = value
    assert TargetRegistry.from_columns(**cols).digest() != reg.digest()


def test_omitted_name_means_the_id() -> None:
    a = TargetRegistry.from_columns(id=["x", "y"], risk_class=["A", "B"])
    b = TargetRegistry.from_columns(id=["x", "y"], name=["x", "y"], risk_class=["A", "B"])
    assert a.digest() == b.digest()


def test_filters_select_and_combine() -> None:
    reg = small()
    assert reg.filter(region="东城镇").ids.tolist() == ["T1", "T3"]
    assert reg.filter(kind=["enterprise", "product"], status="active").ids.tolist() == ["T1", "T3"]
    assert reg.filter(risk_class=RiskClass.D).ids.tolist() == ["T4"]
    assert reg.filter(region="nowhere").ids.tolist() == []
    view = reg.filter(region="东城镇")
    assert not view.ids.flags.writeable
    assert view.fingerprints.tolist() == reg.fingerprints[[0, 2]].tolist()
    with pytest.raises(ValidationError):
        reg.filter(risk_class="Z")


def test_lookup_by_id() -> None:
    reg = small()
    assert reg.index_of(["T4", "T1"]).tolist() == [3, 0]
    assert "T2" in reg and "nope" not in reg and 5 not in reg
    with pytest.raises(UnknownIdError) as info:
        reg.index_of(["T1", "x", "y"])
    assert info.value.ids == ("x", "y")
    assert isinstance(info.value, LookupError)


def test_apply_returns_new_registry_and_log_and_leaves_old_untouched() -> None:
    reg = small()
    before = reg.digest()
    new, log = reg.apply(
        [
            RemoveTarget(id="T4", reason="deregistered"),
            UpdateTarget(id="T2", fields={"risk_class": "C", "region": "北城镇"}),
            AddTarget(target=Target(id="T5", name="戊", region="北城镇", risk_class="A")),
        ]
    )
    assert reg.digest() == before and len(reg) == 4
    assert sorted(new.ids.tolist()) == ["T1", "T2", "T3", "T5"]
    assert new["T2"].risk_class is RiskClass.C and new["T2"].region == "北城镇"
    assert len(log) == 3
    d = reg.diff(new)
    assert d.added == ("T5",) and d.removed == ("T4",)
    assert dict(d.changed) == {"T2": ("region", "risk_class")}
    assert not d.is_empty and reg.diff(reg).is_empty


def test_bad_change_batch_reports_everything_and_changes_nothing() -> None:
    reg = small()
    with pytest.raises(ValidationError) as info:
        reg.apply(
            [
                RemoveTarget(id="nope"),
                UpdateTarget(id="T1", fields={"risk_class": "Z"}),
                AddTarget(target=Target(id="T2", name="dup")),
                UpdateTarget(id="T3", fields={"colour": "red"}),
                RemoveTarget(id="T3"),
            ]
        )
    rows = info.value.rows
    assert rows == (0, 1, 2, 3, 4)
    assert len(reg) == 4 and reg["T1"].risk_class is RiskClass.A


def test_target_validates_itself() -> None:
    with pytest.raises(ValidationError) as info:
        Target(id="", name=" ", kind="shop", risk_class="B", weight=-1)
    assert {p.field for p in info.value.problems} == {"id", "name", "kind", "weight"}


def test_a_bad_risk_class_is_reported_with_the_other_fields() -> None:
    with pytest.raises(ValidationError) as info:
        Target(id="x", name="", risk_class="E")
    assert [p.field for p in info.value.problems] == ["name", "risk_class"]


def test_from_targets_names_every_non_target() -> None:
    with pytest.raises(ValidationError) as info:
        TargetRegistry.from_targets([1, Target(id="a", name="a"), "b"])  # type: ignore[list-item]
    assert info.value.rows == (0, 2)


def test_empty_registry() -> None:
    reg = TargetRegistry.from_columns(id=[], risk_class=[])
    assert len(reg) == 0 and reg.filter(region="x").ids.tolist() == []
    assert len(reg.digest()) == 64


def test_repr_and_records() -> None:
    reg = small()
    assert "4 targets" in repr(reg) and "A=1" in repr(reg)
    assert "<table>" in reg._repr_html_()
    rows = reg.to_records()  # rows, as every to_records() of the library
    assert len(rows) == len(reg) and rows[0]["id"] == reg.ids[0]
    assert (
        TargetRegistry.from_columns(
            **{k: [r[k] for r in rows] for k in rows[0]}, allow_empty=("region", "industry")
        ).digest()
        == reg.digest()
    )
    rec = reg.to_columns()
    assert set(rec) == {
        "id",
        "name",
        "kind",
        "region",
        "industry",
        "risk_class",
        "status",
        "weight",
    }
    assert all(len(v) == 4 for v in rec.values())


@given(
    st.lists(
        st.text(min_size=1, max_size=8)
        .map(str.strip)
        .filter(lambda s: bool(s) and "\x00" not in s),
        unique=True,
        max_size=30,
    )
)
def test_any_unique_ids_build_and_find(ids: list[str]) -> None:
    reg = TargetRegistry.from_columns(id=ids, risk_class=["B"] * len(ids))
    assert reg.index_of(ids).tolist() == list(range(len(ids)))


def test_ids_with_nul_are_rejected_because_numpy_strings_drop_them() -> None:
    with pytest.raises(ValidationError) as info:
        TargetRegistry.from_columns(id=["a\x00", "b"], risk_class=["A", "B"])
    assert [(p.row, p.field) for p in info.value.problems] == [(0, "id")]
    with pytest.raises(ValidationError):
        Target(id="x\x00y", name="n")


def test_allow_empty_reads_back_a_register_without_regions() -> None:
    reg = TargetRegistry.from_columns(id=["a", "b"], risk_class=["A", "B"])
    with pytest.raises(ValidationError):
        TargetRegistry.from_columns(**reg.to_columns())
    again = TargetRegistry.from_columns(**reg.to_columns(), allow_empty=("region", "industry"))
    assert again.digest() == reg.digest()


def test_filter_refuses_unknown_kinds_and_statuses_instead_of_matching_nobody() -> None:
    reg = small()
    with pytest.raises(ValidationError) as info:
        reg.filter(kind=["enterprise", "enterprize"], status="actvie")
    assert [p.field for p in info.value.problems] == ["kind", "status"]
    with pytest.raises(ValidationError):
        reg.filter(status="actvie")
    assert reg.filter(region="no such town").ids.tolist() == []


def test_negative_zero_weight_is_the_same_content_as_zero() -> None:
    a = TargetRegistry.from_columns(id=["x"], risk_class=["A"], weight=[0.0])
    b = TargetRegistry.from_columns(id=["x"], risk_class=["A"], weight=[-0.0])
    assert a.digest() == b.digest()


def test_lookup_with_a_non_string_id_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as info:
        small().index_of(["T1", 3])  # type: ignore[list-item]
    assert info.value.rows == (1,)


def test_a_register_hashed_on_first_use_is_the_register_from_columns() -> None:
    """``unhashed_registry`` (a partitioned draw's counting pass) checks every row but
    hashes no id until asked; then it is ``from_columns``'s register, duplicate check
    included."""
    from randsupervise.model.targets import unhashed_registry

    cols = {"id": ["b", "a", "c"], "risk_class": "ABD", "region": ["东", "西", "东"]}
    lazy, eager = unhashed_registry(**cols), TargetRegistry.from_columns(**cols)
    assert lazy.index_of(["c", "a"]).tolist() == [2, 1]  # found by text, nothing hashed
    with pytest.raises(UnknownIdError):
        lazy.index_of(["a", "zz"])
    assert lazy.take([2, 0]).ids.tolist() == ["c", "b"]
    assert lazy.fingerprints.tolist() == eager.fingerprints.tolist()
    assert (lazy.digest(), lazy.index_of(["c"]).tolist()) == (eager.digest(), [2])
    twice = unhashed_registry(id=["a", "b", "a"], risk_class="AAA")
    with pytest.raises(ValidationError, match="duplicate id"):
        twice.fingerprints  # noqa: B018
    bad = {"id": ["a", " b", "a"], "risk_class": "AEA"}
    with pytest.raises(ValidationError) as lazy_error:
        unhashed_registry(**bad)
    with pytest.raises(ValidationError) as eager_error:
        TargetRegistry.from_columns(**bad)
    assert lazy_error.value.problems == eager_error.value.problems


def test_ids_with_surrounding_whitespace_are_those_str_strip_changes() -> None:
    """Every code point at either end of an id, against ``str.strip`` itself."""
    from randsupervise.model.register_ids import scan_ids

    points = np.array([c for c in range(1, 0x110000) if not 0xD800 <= c < 0xE000], np.uint32)
    x = np.full(points.size, ord("x"), dtype=np.uint32)
    for pair in (np.stack([points, x], axis=1), np.stack([x, points], axis=1)):
        ids = np.ascontiguousarray(pair).view("U2").reshape(-1)
        flagged = {p.row for p in scan_ids(ids, hash_ids=False)[3]}
        strip = {i for i, s in enumerate(ids.tolist()) if s.strip() != s}
        assert flagged == strip and len(strip) == 29
