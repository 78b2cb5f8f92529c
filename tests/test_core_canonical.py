"""Canonical JSON's bulk paths write exactly the bytes of the element-by-element rule.

Receipts of big draws hold lists of a million ids, tickets and probabilities; those lists
are written in bulk (``randsupervise._core.canonical``). Every receipt digest depends on
those bytes, so the bulk text is compared with the plain recursion (the fast paths turned
off) and with the outsider checker written from ``docs/spec/receipts.md``, on arbitrary
JSON values, floats of every magnitude included.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from randsupervise._core import canonical
from randsupervise._core.canonical import canonical_json, json_text
from randsupervise._core.frozen import freeze, thaw

sys.path.insert(0, str(Path(__file__).parent / "outsider"))
import receipt_check

FLOATS = st.floats(allow_nan=False, allow_infinity=False)
NUMBERS = FLOATS | st.integers(-(2**53), 2**53)
TEXT = st.text()  # any code point, lone surrogates excluded by hypothesis
SCALARS = st.none() | st.booleans() | NUMBERS | TEXT
#: long homogeneous lists reach the bulk paths; mixed ones fall back to the recursion
LONG = (
    st.lists(FLOATS, min_size=16, max_size=60)
    | st.lists(
        st.sampled_from([0.5, 1.0, -0.0, 0.03, 1e-7, 1e21, 2.5e15, 1e-4]) | FLOATS,
        min_size=16,
        max_size=60,
    )
    | st.lists(TEXT, min_size=16, max_size=40)
    | st.lists(st.integers(-(2**53), 2**53), min_size=16, max_size=40)
    | st.lists(SCALARS, min_size=16, max_size=40)
)
VALUES = st.recursive(
    SCALARS | LONG,
    lambda inner: st.lists(inner, max_size=20) | st.dictionaries(TEXT, inner, max_size=6),
    max_leaves=200,
)


def plain(value: Any) -> str:
    """The element-by-element recursion, every bulk path turned off."""
    saved = canonical._FAST_MIN
    canonical._FAST_MIN = sys.maxsize
    try:
        return canonical_json(value)
    finally:
        canonical._FAST_MIN = saved


@given(VALUES)
def test_bulk_form_equals_the_plain_recursion(value: Any) -> None:
    fast = canonical_json(value)
    assert fast == plain(value) == receipt_check.jcs(value)
    assert canonical_json(freeze(value)) == fast  # the receipt's frozen copies, unchanged


@given(st.lists(FLOATS, min_size=16, max_size=200))
def test_bulk_floats_read_back_to_the_same_values(xs: list[float]) -> None:
    text = canonical_json(xs)
    assert text == plain(xs)
    assert [float(t) for t in text[1:-1].split(",")] == xs


def _edges() -> Iterator[float]:
    # the ends of the range where repr is the ECMAScript text, and integral floats
    for base in (1e-4, 1e-6, 1e-7, 1e15, 1e16, 1e21, 2.0**53, 0.1, 1.0):
        for x in (base, math.nextafter(base, 0), math.nextafter(base, math.inf)):
            yield x
            yield -x
    yield from (0.0, -0.0, 5e-324, 1.7976931348623157e308, 123456789012345680000.0)


def test_bulk_floats_at_the_edges_of_each_path() -> None:
    xs = list(_edges())
    assert canonical_json(xs) == plain(xs) == receipt_check.jcs(xs)
    for x in xs:
        assert canonical_json([x] * 20) == plain([x] * 20)


@pytest.mark.parametrize(
    "bad",
    [
        [0.5] * 20 + [math.nan],
        [1.0] * 20 + [math.inf],
        [1] * 20 + [2**53 + 1],
        ["a"] * 20 + ["\ud800"],
        ["网吧"] * 20 + ["x\udfff"],
    ],
)
def test_long_lists_without_a_canonical_form_are_refused(bad: list[Any]) -> None:
    with pytest.raises(ValueError):
        canonical_json(bad)


def test_flat_lists_are_copied_by_freeze_and_thaw() -> None:
    ids = [f"T{i}" for i in range(100)]
    frozen = freeze(ids)
    ids[0] = "changed"
    assert frozen[0] == "T0"
    with pytest.raises(TypeError):
        frozen.append("x")
    copy = thaw(frozen)
    copy[1] = "edited"
    assert frozen[1] == "T1" and type(copy) is list


@given(VALUES, st.sampled_from([None, 0, 1, 2, 4]))
def test_readable_text_is_exactly_json_dumps(value: Any, indent: int | None) -> None:
    expected = json.dumps(value, ensure_ascii=False, indent=indent, allow_nan=False)
    assert json_text(value, indent=indent) == expected
    assert json_text(freeze(value), indent=indent) == expected


@pytest.mark.parametrize("x", [0.0, -0.0, 0.5, 1.0, 1e-7, 1e21])
def test_readable_equal_floats_keep_their_repr(x: float) -> None:
    for indent in (None, 2):
        assert json_text([x] * 20, indent=indent) == json.dumps([x] * 20, indent=indent)


@pytest.mark.parametrize("odd", ['"', "\\", "\x01", "\n", "\x1f", "\x7f", "\u2028", "网", "😀"])
def test_long_string_lists_with_characters_to_escape(odd: str) -> None:
    for xs in (["T1"] * 19 + [f"a{odd}b"], [odd] * 20, ['","'] * 20):
        assert canonical_json(xs) == plain(xs) == receipt_check.jcs(xs)
        for indent in (None, 2):
            assert json_text(xs, indent=indent) == json.dumps(xs, ensure_ascii=False, indent=indent)


RECORDS = st.lists(
    st.dictionaries(
        st.text(max_size=6) | st.sampled_from(["visit", "officers", "experts", "部门"]),
        TEXT
        | st.lists(TEXT, max_size=4)
        | st.integers(-(2**60), 2**60)
        | st.none()
        | st.booleans()
        | FLOATS,
        max_size=5,
    ),
    min_size=16,
    max_size=40,
)


@given(RECORDS)
def test_long_lists_of_records_are_written_as_the_plain_recursion(records: list[Any]) -> None:
    """Team records (objects of text, lists of text and integers) are written in one
    sorted ``json.dumps``; a float, a big integer or a non-ASCII key sends them back to
    the recursion, so the bytes never change."""
    try:
        expected = plain(records)
    except ValueError:
        with pytest.raises(ValueError):
            canonical_json(records)
        return
    assert canonical_json(records) == expected == receipt_check.jcs(records)
    assert canonical_json(freeze(records)) == expected
