"""Hostile input to the model: every bad value is refused with a typed error naming it.

The promise (architecture principle 6): bad input raises a ``RandSuperviseError`` subclass
whose message names the argument, row or field; never a raw ``TypeError``, ``KeyError``,
``IndexError``, ``UnicodeEncodeError``... and nothing is silently accepted. A failed call
leaves every argument and existing object exactly as it was.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import math
import pickle
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randsupervise._core.validation import (
    as_column,
    check_date,
    check_int,
    check_one_of,
    check_real,
    check_text,
    describe,
)
from randsupervise.errors import RandSuperviseError, UnknownIdError, ValidationError
from randsupervise.model.changes import AddTarget, RemoveTarget, UpdateTarget
from randsupervise.model.credit_code import credit_code_check_character, credit_code_problems
from randsupervise.model.inspectors import Inspector, InspectorPool
from randsupervise.model.items import InspectionItem, ItemList
from randsupervise.model.register_digest import registry_digest_from_row_hashes
from randsupervise.model.results import InspectionResult
from randsupervise.model.risk import RiskClass, TargetKind, TargetStatus
from randsupervise.model.sample import sample_inspectors, sample_items
from randsupervise.model.target_row import Target
from randsupervise.model.targets import TargetRegistry

import hostile_helpers
from hostile_helpers import raises_naming

ITEM = dict(
    id="G1",
    name="n",
    department="d",
    kind="general",
    legal_basis="l",
    content="c",
    method="m",
    target_kinds={"enterprise"},
    ratio_cap=0.1,
)
INSPECTOR = dict(
    id="I1", name="n", department="d", certified=True, certificate_number="c", regions={"r"}
)
TARGET = dict(id="a", name="n", kind="enterprise", region="r", industry="i", risk_class="A")

#: Values no field of the model accepts where text, numbers or collections are wanted.
ODD: list[Any] = [
    None,
    True,
    10**30,
    math.nan,
    math.inf,
    1j,
    "\x00",
    "a\x00b",
    "\ud800",
    b"bytes",
    [["x"]],
    object(),
    dt.datetime(2024, 5, 1, 9),
    np.array(3),
    np.array([["a", "b"]]),
]

#: Hypothesis: anything at all, the nastier the better.
garbage = hostile_helpers.garbage(ODD, tuples=True)


def typed_or_accepted(call: Any) -> None:
    """Call; anything but success or a RandSuperviseError is a failure."""
    with contextlib.suppress(RandSuperviseError):
        call()


def registry() -> TargetRegistry:
    return TargetRegistry.from_columns(
        id=["a", "b", "c"], risk_class=["A", "B", "D"], region=["x", "y", "x"]
    )


# ------------------------------------------------------------------ _core.validation
@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: check_text(None, "label"), "label"),
        (lambda: check_text("", "label"), "label"),
        (lambda: check_text(" x", "label"), "label"),
        (lambda: check_text("a\x00", "label"), "label"),
        (lambda: check_text("a\ud800", "label"), "label"),
        (lambda: check_int(True, "n"), "n"),
        (lambda: check_int(2.0, "n"), "n"),
        (lambda: check_int("2", "n"), "n"),
        (lambda: check_int(0, "n", min_value=1), "n"),
        (lambda: check_real(True, "ratio"), "ratio"),
        (lambda: check_real("0.5", "ratio"), "ratio"),
        (lambda: check_real(1j, "ratio"), "ratio"),
        (lambda: check_real(math.nan, "ratio"), "ratio"),
        (lambda: check_real(10**400, "ratio"), "ratio"),
        (lambda: check_real(1.5, "ratio", max_value=1), "ratio"),
        (lambda: check_date(dt.datetime(2024, 1, 1), "on"), "on"),
        (lambda: check_date("2024-01-01", "on"), "on"),
        (lambda: check_one_of([1], RiskClass, "cls"), "cls"),
        (lambda: as_column(None, "col"), "col"),
        (lambda: as_column("abc", "col"), "col"),
        (lambda: as_column({"a": 1}, "col"), "col"),
        (lambda: as_column({1, 2}, "col"), "col"),
        (lambda: as_column(np.zeros((2, 2)), "col"), "col"),
    ],
)
def test_core_checks_refuse_and_name_the_argument(call: Any, name: str) -> None:
    err = raises_naming(call, name)
    assert isinstance(err, ValidationError)


def test_core_checks_accept_what_they_promise() -> None:
    assert check_int(np.int64(3), "n") == 3 and type(check_int(np.int64(3), "n")) is int
    assert check_real(np.float32(0.5), "r") == 0.5
    assert check_date(dt.date(2024, 1, 1), "on") == dt.date(2024, 1, 1)
    assert check_one_of("active", TargetStatus, "status") is TargetStatus.ACTIVE
    assert check_one_of(RiskClass.B, RiskClass, "cls") is RiskClass.B
    assert as_column((x for x in "ab"), "col") == ["a", "b"]


def test_describe_never_raises_and_stays_short() -> None:
    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert "Hostile" in describe(Hostile())
    assert len(describe("x" * 10_000)) < 80


# ------------------------------------------------------------------ register columns
@pytest.mark.parametrize(
    ("columns", "names"),
    [
        ({"id": None}, ["id"]),
        ({"id": 5}, ["id"]),
        ({"id": "ab"}, ["id"]),
        ({"id": np.array("a")}, ["id", "1-D"]),
        ({"id": np.array([["a", "b"]])}, ["id", "1-D"]),
        ({"id": {"a": 1, "b": 2}}, ["id"]),
        ({"id": [1, 2]}, ["row 0", "id"]),
        ({"id": [None, "b"]}, ["row 0", "id"]),
        ({"id": ["a\x00b", "b"]}, ["row 0", "NUL"]),
        ({"id": np.array(["a\x00b", "b"])}, ["row 0", "NUL"]),
        ({"id": ["\ud800", "b"]}, ["row 0", "id"]),
        ({"id": np.array(["\ud800", "b"])}, ["row 0", "id"]),
        ({"id": [["a"], "b"]}, ["row 0", "id"]),
        ({"id": ["a", "a"]}, ["duplicate"]),
        ({"id": [" a", "b"]}, ["row 0", "whitespace"]),
        ({"risk_class": [["A"], "B"]}, ["row 0", "risk_class"]),
        ({"risk_class": ["E", "B"]}, ["row 0", "risk_class"]),
        ({"risk_class": [1.0, "B"]}, ["row 0", "risk_class"]),
        ({"risk_class": None}, ["risk_class"]),
        ({"region": [["x"], "y"]}, ["row 0", "region"]),
        ({"region": [{"x": 1}, "y"]}, ["row 0", "region"]),
        ({"region": ["a\ud800", "y"]}, ["row 0", "region"]),
        ({"industry": ["a\x00", "y"]}, ["row 0", "industry"]),
        ({"kind": ["shop", "product"]}, ["row 0", "kind"]),
        ({"status": [1, "active"]}, ["row 0", "status"]),
        ({"name": ["\ud800", "y"]}, ["row 0", "name"]),
        ({"name": [None, "y"]}, ["row 0", "name"]),
        ({"weight": [True, "2"]}, ["row 0", "row 1", "weight"]),
        ({"weight": [1j, 2]}, ["row 0", "weight"]),
        ({"weight": np.array([1j, 2])}, ["row 0", "weight"]),
        ({"weight": np.array([True, False])}, ["row 0", "weight"]),
        ({"weight": [math.nan, 1.0]}, ["row 0", "weight"]),
        ({"weight": np.array([1.0, -math.inf])}, ["row 1", "weight"]),
        ({"weight": [10**400, 1]}, ["row 0", "weight"]),
        ({"weight": [-1, 1]}, ["row 0", "weight"]),
        ({"weight": [1.0]}, ["weight", "rows"]),
        ({"weight": 3.0}, ["weight"]),
        ({"check_credit_codes": "yes"}, ["check_credit_codes"]),
        ({"allow_empty": ["id"]}, ["allow_empty"]),
        ({"allow_empty": 5}, ["allow_empty"]),
    ],
)
def test_from_columns_refuses_and_names_column_and_row(
    columns: dict[str, Any], names: list[str]
) -> None:
    base: dict[str, Any] = {"id": ["a", "b"], "risk_class": ["A", "B"]}
    base.update(columns)
    err = raises_naming(lambda: TargetRegistry.from_columns(**base), *names)
    assert isinstance(err, ValidationError)


def test_from_columns_reads_every_array_like_alike() -> None:
    want = TargetRegistry.from_columns(id=["a", "b"], risk_class=["A", "B"], weight=[1, 2.5])
    for ids, risk, weight in [
        (("a", "b"), ("A", "B"), (1, 2.5)),
        (np.array(["a", "b"]), np.array(["A", "B"]), np.array([1.0, 2.5])),
        (np.array(["a", "b"], dtype=object), "AB", np.array([1, 2.5], dtype=object)),
        ((x for x in "ab"), iter("AB"), iter([np.int8(1), np.float32(2.5)])),
    ]:
        got = TargetRegistry.from_columns(id=ids, risk_class=risk, weight=weight)
        assert got.digest() == want.digest()


@settings(max_examples=60)
@given(column=st.sampled_from(["id", "risk_class", "region", "weight", "name"]), value=garbage)
def test_from_columns_any_garbage_is_typed(column: str, value: Any) -> None:
    base: dict[str, Any] = {"id": ["a", "b"], "risk_class": ["A", "B"]}
    base[column] = value
    typed_or_accepted(lambda: TargetRegistry.from_columns(**base))


@settings(max_examples=60)
@given(cells=st.lists(garbage, min_size=1, max_size=3))
def test_from_columns_garbage_cells_are_typed_and_name_a_row(cells: list[Any]) -> None:
    n = len(cells)
    for column in ("id", "region", "weight"):
        base: dict[str, Any] = {"id": [f"t{i}" for i in range(n)], "risk_class": ["A"] * n}
        base[column] = cells
        try:
            TargetRegistry.from_columns(**base)
        except ValidationError as err:
            assert all(p.field for p in err.problems)


# ------------------------------------------------------------------ register queries
@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda r: r.take([99]), ["positions", "99"]),
        (lambda r: r.take([-1]), ["positions"]),
        (lambda r: r.take([0.5]), ["positions"]),
        (lambda r: r.take([True, False]), ["positions", "3 entries"]),
        (lambda r: r.take([True, 1]), ["positions"]),
        (lambda r: r.take(np.array([[0]])), ["positions", "1-D"]),
        (lambda r: r.take(np.array(["a"])), ["positions"]),
        (lambda r: r.take(None), ["positions"]),
        (lambda r: r.take([2**70]), ["positions"]),
        (lambda r: r.target(99), ["position"]),
        (lambda r: r.target("a"), ["position"]),
        (lambda r: r.target(True), ["position"]),
        (lambda r: r.filter(region=[["x"]]), ["region"]),
        (lambda r: r.filter(region=5), ["region"]),
        (lambda r: r.filter(region=["\ud800"]), ["region"]),
        (lambda r: r.filter(kind="shop"), ["kind"]),
        (lambda r: r.filter(status=[None]), ["status"]),
        (lambda r: r.filter(risk_class="E"), ["risk_class"]),
        (lambda r: r.filter(risk_class=[["A"]]), ["risk_class"]),
        (lambda r: r.index_of("abc"), ["ids"]),
        (lambda r: r.index_of([5]), ["row 0", "id"]),
        (lambda r: r.index_of(["\ud800"]), ["row 0", "id"]),
        (lambda r: r.index_of(None), ["ids"]),
        (lambda r: r[5], ["id"]),
        (lambda r: r[["a"]], ["id"]),
        (lambda r: r.codes("colour"), ["colour"]),
        (lambda r: r.codes(np.array(["a", "b"])), ["column"]),
        (lambda r: r.categories(["region"]), ["column"]),
        (lambda r: r.column(np.array([])), ["column"]),
        (lambda r: r.strata_index(None), ["column"]),
        (lambda r: r.filter(kind=np.array(3)), ["kind"]),
        (lambda r: r.filter(risk_class=np.array(3)), ["risk_class"]),
        (lambda r: TargetRegistry.from_targets(None), ["targets"]),
        (lambda r: TargetRegistry.from_targets([5]), ["row 0", "Target"]),
        (lambda r: ItemList(items=[]).for_target_kind(np.array(["a", "b"])), ["kind"]),
    ],
)
def test_register_queries_refuse_and_name_the_argument(call: Any, names: list[str]) -> None:
    raises_naming(lambda: call(registry()), *names)


def test_unknown_ids_raise_unknown_id_error_which_is_a_key_error() -> None:
    reg = registry()
    with pytest.raises(KeyError) as info:
        reg["zz"]
    assert isinstance(info.value, UnknownIdError) and isinstance(info.value, LookupError)
    assert str(info.value) == "unknown id(s) in TargetRegistry: 'zz'"
    again = pickle.loads(pickle.dumps(info.value))
    assert again.ids == ("zz",) and str(again) == str(info.value)
    assert "zz" not in reg and ["a"] not in reg and "\ud800" not in reg  # type: ignore[comparison-overlap]


def test_take_still_takes_masks_positions_and_empty() -> None:
    reg = registry()
    assert reg.filter(region={"x"}).ids.tolist() == ["a", "c"]
    assert reg.filter(risk_class=np.array(["A", "D"])).ids.tolist() == ["a", "c"]
    assert reg.take([2, 0]).ids.tolist() == ["c", "a"]
    assert reg.take(np.array([True, False, True])).ids.tolist() == ["a", "c"]
    assert reg.take([]).ids.tolist() == [] and reg.take(np.zeros(0, np.uint8)).ids.size == 0


# ------------------------------------------------------------------ register changes
@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda: RemoveTarget(id=["a"]), ["id"]),
        (lambda: RemoveTarget(id=None), ["id"]),
        (lambda: RemoveTarget(id="a\x00"), ["id", "NUL"]),
        (lambda: RemoveTarget(id="a", reason=5), ["reason"]),
        (lambda: UpdateTarget(id="a", fields=None), ["fields"]),
        (lambda: UpdateTarget(id="a", fields=[("weight", 1)]), ["fields"]),
        (lambda: UpdateTarget(id=5, fields={}), ["id"]),
        (lambda: AddTarget(target="a"), ["target"]),
        (lambda: Target(**{**TARGET, "weight": True}), ["weight"]),
        (lambda: Target(**{**TARGET, "weight": 10**400}), ["weight"]),
        (lambda: Target(**{**TARGET, "id": "\ud800"}), ["id"]),
        (lambda: Target(**{**TARGET, "name": "a\ud800"}), ["name"]),
        (lambda: Target(**{**TARGET, "region": ["x"]}), ["region"]),
        (lambda: Target(**{**TARGET, "risk_class": "E"}), ["risk_class"]),
    ],
)
def test_register_changes_refuse_when_built(call: Any, names: list[str]) -> None:
    raises_naming(call, *names)


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ([RemoveTarget(id="zz")], ["row 0", "unknown id"]),
        ([5], ["row 0", "changes"]),
        (None, ["changes"]),
        ("abc", ["changes"]),
        ([UpdateTarget(id="a", fields={"weight": "2"})], ["row 0", "weight"]),
        ([UpdateTarget(id="a", fields={"weight": math.inf})], ["row 0", "weight"]),
        ([UpdateTarget(id="a", fields={"name": "\ud800"})], ["row 0", "name"]),
        ([UpdateTarget(id="a", fields={"region": ["x"]})], ["row 0", "region"]),
        ([UpdateTarget(id="a", fields={"colour": "red"})], ["row 0", "colour"]),
        ([UpdateTarget(id="a", fields={1: "red"})], ["row 0", "1"]),
        ([AddTarget(target=Target(id="a", name="n"))], ["row 0", "already"]),
        ([RemoveTarget(id="a"), RemoveTarget(id="a")], ["row 1", "already changed"]),
    ],
)
def test_apply_refuses_a_bad_batch_and_changes_nothing(changes: Any, names: list[str]) -> None:
    reg = registry()
    before_digest, before_records = reg.digest(), reg.to_columns()
    before_changes = copy.copy(changes)
    raises_naming(lambda: reg.apply(changes), *names)
    assert reg.digest() == before_digest and reg.to_columns() == before_records
    assert changes == before_changes


def test_apply_with_one_bad_change_leaves_register_and_batch_exactly_as_they_were() -> None:
    reg = registry()
    snapshot = pickle.dumps(reg.to_columns())
    arrays = {name: reg.column(name).copy() for name in ("id", "region", "weight")}
    batch = [
        RemoveTarget(id="a"),
        UpdateTarget(id="b", fields={"risk_class": "C"}),
        AddTarget(target=Target(id="d", name="n")),
        UpdateTarget(id="c", fields={"weight": -1}),  # the one bad change
    ]
    kept = list(batch)
    with pytest.raises(ValidationError) as info:
        reg.apply(batch)
    assert info.value.rows == (3,)
    assert pickle.dumps(reg.to_columns()) == snapshot
    assert all(np.array_equal(reg.column(k), v) for k, v in arrays.items())
    assert batch == kept and all(a is b for a, b in zip(batch, kept, strict=True))
    assert not reg.ids.flags.writeable
    new, _ = reg.apply(batch[:3])  # the good part still applies, from the same register
    assert sorted(new.ids.tolist()) == ["b", "c", "d"]


@settings(max_examples=50)
@given(value=garbage)
def test_apply_update_with_any_value_is_typed_and_leaves_the_register(value: Any) -> None:
    reg = registry()
    digest = reg.digest()
    for field in ("weight", "region", "name", "risk_class", "status", "kind"):
        try:
            change = UpdateTarget(id="a", fields={field: value})
            reg.apply([change])
        except RandSuperviseError:
            pass
    assert reg.digest() == digest


# ------------------------------------------------------------------ items, inspectors, results
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", None),
        ("id", "\ud800"),
        ("id", "a\x00"),
        ("name", ["n"]),
        ("kind", "big"),
        ("kind", ["key"]),
        ("target_kinds", None),
        ("target_kinds", {"shop"}),
        ("target_kinds", {"enterprise": 1}),
        ("target_kinds", np.array(["enterprise"]).reshape(1, 1)),
        ("ratio_cap", "0.1"),
        ("ratio_cap", True),
        ("ratio_cap", 1j),
        ("ratio_cap", math.nan),
        ("yearly_frequency_limit", 1.0),
        ("yearly_frequency_limit", 0),
        ("description", 5),
    ],
)
def test_inspection_item_refuses_and_names_the_field(field: str, value: Any) -> None:
    raises_naming(lambda: InspectionItem(**{**ITEM, field: value}), field)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("certified", 1),
        ("certificate_number", np.array(["a", "b"])),
        ("regions", {"r": 1}),
        ("regions", [["r"]]),
        ("available", "yes"),
        ("name", "\ud800"),
    ],
)
def test_inspector_refuses_and_names_the_field(field: str, value: Any) -> None:
    raises_naming(lambda: Inspector(**{**INSPECTOR, field: value}), field)


@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda: ItemList(items=None), ["items"]),
        (lambda: ItemList(items=np.array(3)), ["items"]),
        (lambda: ItemList(items=[5]), ["row 0", "items"]),
        (lambda: ItemList(items=[], max_key_items=True), ["max_key_items"]),
        (lambda: ItemList.from_records(None), ["records"]),
        (lambda: ItemList.from_records([{**ITEM, 1: "x"}]), ["row 0", "unknown field"]),
        (lambda: InspectorPool(inspectors=np.array(3)), ["inspectors"]),
        (lambda: InspectionResult(codes=np.array(3)), ["codes"]),
        (lambda: InspectionResult(codes=[["NO_PROBLEM"]]), ["codes"]),
        (lambda: InspectionResult(codes={"NO_PROBLEM"}, note="a\ud800"), ["note"]),
    ],
)
def test_collections_refuse_and_name_the_field(call: Any, names: list[str]) -> None:
    raises_naming(call, *names)


def test_lookups_with_unhashable_or_unknown_keys_raise_unknown_id_error() -> None:
    items = ItemList(items=[InspectionItem(**ITEM)])
    pool = InspectorPool(inspectors=[Inspector(**INSPECTOR)])
    for collection in (items, pool):
        for key in ("zz", ["G1"], None):
            with pytest.raises(UnknownIdError):
                collection[key]
            assert collection.get(key) is None and key not in collection
    raises_naming(lambda: pool.with_availability([["I1"]], False), "ids")
    raises_naming(lambda: pool.with_availability(["I1"], "no"), "available")
    raises_naming(lambda: pool.sub_pool(tag=["x"]), "tag")
    raises_naming(lambda: pool.sub_pool(certified=1), "certified")


@settings(max_examples=60)
@given(
    which=st.sampled_from(["item", "inspector", "result"]),
    field=st.sampled_from(list(ITEM) + list(INSPECTOR) + ["codes", "note"]),
    value=garbage,
)
def test_model_records_any_garbage_is_typed(which: str, field: str, value: Any) -> None:
    build: dict[str, tuple[Any, dict[str, Any]]] = {
        "item": (InspectionItem, ITEM),
        "inspector": (Inspector, INSPECTOR),
        "result": (InspectionResult, {"codes": {"NO_PROBLEM"}, "note": ""}),
    }
    cls, base = build[which]
    if field in base:
        typed_or_accepted(lambda: cls(**{**base, field: value}))


# ------------------------------------------------------------------ smaller entry points
@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda: RiskClass.parse("E"), ["risk_class"]),
        (lambda: RiskClass.parse(True), ["risk_class"]),
        (lambda: RiskClass.parse(np.bool_(True)), ["risk_class"]),
        (lambda: RiskClass.parse(4), ["risk_class"]),
        (lambda: RiskClass.parse(["A"]), ["risk_class"]),
        (lambda: RiskClass.parse(None), ["risk_class"]),
        (lambda: ItemList(items=[]).for_target_kind(["x"]), ["kind"]),
        (lambda: ItemList(items=[]).for_target_kind("shop"), ["kind"]),
        (lambda: ItemList(items=[]).check_key_items("2"), ["limit"]),
        (lambda: ItemList(items=[]).check_key_items(-1), ["limit"]),
        (lambda: InspectionResult.from_dict(5), ["mapping"]),
        (lambda: InspectionResult.from_dict({1: 2, "codes": ["NO_PROBLEM"]}), ["1"]),
        (lambda: InspectionResult.from_json(5), ["JSON"]),
        (lambda: InspectionResult.from_json("[" * 100_000), ["JSON"]),
        (lambda: InspectionResult.from_json('{"codes": 5}'), ["codes"]),
        (lambda: credit_code_check_character(5), ["first17"]),
        (lambda: credit_code_check_character("a" * 17), ["first17"]),
        (lambda: credit_code_problems(None), ["codes"]),
        (lambda: registry().diff("other"), ["other"]),
        (lambda: registry_digest_from_row_hashes([["x"]]), ["row_hashes", "row 0"]),
        (lambda: registry_digest_from_row_hashes([[-1]]), ["row_hashes"]),
        (lambda: registry_digest_from_row_hashes(None), ["row_hashes"]),
    ],
)
def test_smaller_entry_points_refuse_and_name_the_argument(call: Any, names: list[str]) -> None:
    raises_naming(call, *names)


def test_smaller_entry_points_still_answer_good_input() -> None:
    assert RiskClass.parse(np.int8(3)) is RiskClass.D
    assert credit_code_problems(["91350100M000100Y43", 5, "\ud800"]) == [(1, "5"), (2, "\ud800")]
    reg = registry()
    assert registry_digest_from_row_hashes([reg.row_hashes().tolist()]) == reg.digest()
    assert registry_digest_from_row_hashes([]) == registry().take([]).digest()


def test_array_likes_from_data_frames_are_read_as_columns() -> None:
    pd = pytest.importorskip("pandas")
    want = TargetRegistry.from_columns(id=["a", "b"], risk_class=["A", "B"], weight=[1.0, 2.0])
    got = TargetRegistry.from_columns(
        id=pd.Series(["a", "b"]), risk_class=pd.Series(["A", "B"]), weight=pd.Series([1.0, 2.0])
    )
    assert got.digest() == want.digest()
    raises_naming(
        lambda: TargetRegistry.from_columns(id=pd.Series(["a", None]), risk_class="AB"),
        "row 1",
        "id",
    )
    raises_naming(
        lambda: TargetRegistry.from_columns(id=pd.DataFrame({"x": ["a", "b"]}), risk_class="AB"),
        "id",
        "1-D",
    )


@pytest.mark.parametrize(
    ("weights", "bad_rows"),
    [
        ([1, 2.5, True], (2,)),
        ([1, 10**400, 2.0], (1,)),
        ([np.float32(1), np.bool_(True), 3], (1,)),
        ([1.0, -0.0, math.nan], (2,)),
        ([1, 2, "3"], (2,)),
    ],
)
def test_weight_cells_are_refused_by_row_on_the_fast_path_too(
    weights: list[Any], bad_rows: tuple[int, ...]
) -> None:
    with pytest.raises(ValidationError) as info:
        TargetRegistry.from_columns(id=["a", "b", "c"], risk_class="ABC", weight=weights)
    assert info.value.rows == bad_rows
    assert all(p.field == "weight" for p in info.value.problems)


#: Hostile values for any field of a record: common ones, then each record's own.
_ANY_FIELD = (
    st.none(),
    st.booleans(),
    st.text(max_size=3),
    st.lists(st.lists(st.integers(), max_size=1), max_size=2),
)
_KINDS = [k.value for k in TargetKind]
_ANY_INSPECTOR_FIELD = st.one_of(
    *_ANY_FIELD, st.integers(-2, 2), st.lists(st.text(max_size=3), max_size=3)
)
_ANY_ITEM_FIELD = st.one_of(
    *_ANY_FIELD,
    st.integers(-3, 3),
    st.floats(allow_nan=True),
    st.sampled_from(["key", "general", "enterprise", "网吧"]),
    st.lists(st.one_of(st.text(max_size=3), st.sampled_from(_KINDS)), max_size=3),
    st.frozensets(st.sampled_from(_KINDS)),
)


@pytest.mark.parametrize(
    ("build", "record", "anything", "derived"),
    [
        (
            Inspector,
            sample_inspectors()["Z-01"].to_record(),
            _ANY_INSPECTOR_FIELD,
            "certificate_number",
        ),
        (InspectionItem, sample_items()["G01"].to_record(), _ANY_ITEM_FIELD, "ratio_cap"),
    ],
    ids=["inspector", "item"],
)
@given(data=st.data())
def test_any_field_value_builds_a_record_or_raises_validation_error(
    build: Any, record: dict[str, Any], anything: Any, derived: str, data: st.DataObject
) -> None:
    # Bad input of any type is reported as a ValidationError naming the fields, never as
    # another exception; a record that builds has no problems.
    overrides = data.draw(st.dictionaries(st.sampled_from(sorted(record)), anything, max_size=4))
    try:
        built = build(**{**record, **overrides})
    except ValidationError as err:
        assert err.problems
        assert {p.field for p in err.problems} <= set(overrides) | {derived}
    else:
        assert built.problems() == []
