"""A receipt's long columns are backed by arrays, and nothing else about it changes.

The selected ids, their tickets and their probabilities are kept as numpy arrays
(``randsupervise._core.frozen.deferred``) and written to both JSON forms from them; their
``str`` and ``float`` objects are made only when a reading needs them all. These tests
hold a receipt built from numpy columns equal to one built from Python lists, on arbitrary
columns: ids of one width and of many, non-ASCII ids, ids that need JSON escapes, empty
strata. Digest, canonical form, every readable indent, equality, hashing and parsing agree,
and a backed list behaves as the list it stands for.
"""

from __future__ import annotations

import copy
import json
import pickle
import string
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from randsupervise._core.canonical import canonical_json, json_text, string_list
from randsupervise._core.frozen import FrozenList, deferred, freeze, frozen_array, thaw
from randsupervise.draw.allocation import allocate
from randsupervise.draw.policy import DrawPolicy
from randsupervise.draw.receipt import Receipt, receipt_from_parts, stratum_record
from randsupervise.tickets.seed import Seed

#: printable ASCII but the quote and the backslash: ids written as they are
PLAIN = "".join(c for c in string.printable if c not in '"\\' and " " <= c <= "~")
#: characters that need an escape or are not ASCII
ODD = st.sampled_from(['"', "\\", "a\x00b", "\x01", "\n", "\x1f", "\x7f", "\u2028", "网", "😀"])
PLAIN_IDS = st.integers(1, 12).flatmap(
    lambda w: st.lists(st.text(PLAIN, min_size=w, max_size=w), max_size=60)
)
#: numpy drops a string's trailing NULs, so no register holds such an id
ANY_TEXT = st.text(max_size=6).filter(lambda s: not s.endswith("\x00"))
ANY_IDS = st.lists(st.text(PLAIN, max_size=8) | ANY_TEXT | ODD, max_size=40)
IDS = PLAIN_IDS | ANY_IDS | st.just(['","'] * 20)
PROBABILITIES = st.floats(0.0, 1.0, exclude_min=True) | st.sampled_from([0.03, 1.0, 1 / 3])
INDENTS = (None, 0, 1, 2, 4)


@st.composite
def columns(draw: Any) -> tuple[list[str], list[int], list[float]]:
    """A stratum's selection: ids, 64-bit tickets and probabilities (all equal or not)."""
    ids = draw(IDS)
    tickets = draw(st.lists(st.integers(0, 2**64 - 1), min_size=len(ids), max_size=len(ids)))
    if draw(st.booleans()):
        probs = [draw(PROBABILITIES)] * len(ids)
    else:
        probs = draw(st.lists(PROBABILITIES, min_size=len(ids), max_size=len(ids)))
    return ids, tickets, probs


def receipt(strata: dict[str, tuple[list[str], list[int], list[float]]], arrays: bool) -> Receipt:
    """A receipt of these selections, from numpy columns or from Python lists."""
    alloc = allocate({k: 100 for k in strata}, ratios={k: 0.5 for k in strata})
    records = {}
    for label, (ids, tickets, probs) in strata.items():
        if arrays:
            cols: tuple[Any, Any, Any] = (
                np.array(ids, dtype=np.str_),
                np.array(tickets, dtype=np.uint64),
                np.array(probs, dtype=np.float64),
            )
        else:
            cols = (list(ids), list(tickets), list(probs))
        records[label] = stratum_record(
            allocation=alloc[label], note="", inclusion_probability=None, expected_size=1.0,
            selected=cols[0], tickets=cols[1], probabilities=cols[2],
        )  # fmt: skip
    return receipt_from_parts(
        seed=Seed.from_text("columns"), stream="s", registry_digest="0" * 64,
        registry_size=100, policy=DrawPolicy(ratios=dict.fromkeys(strata, 0.5)).to_record(),
        strata=records, batches=None,
    )  # fmt: skip


STRATA = st.dictionaries(st.sampled_from("ABCD"), columns(), min_size=1, max_size=3)


@given(STRATA)
def test_a_receipt_from_arrays_is_the_receipt_from_lists(strata: Any) -> None:
    def backed() -> Receipt:  # a fresh one per check: a check may fill the lists
        return receipt(strata, arrays=True)

    eager = receipt(strata, arrays=False)
    assert backed().receipt_digest == eager.receipt_digest == eager.computed_digest()
    assert backed().computed_digest() == eager.receipt_digest
    assert canonical_json(backed().strata) == canonical_json(eager.strata)
    assert canonical_json(backed().strata, "v1") == canonical_json(eager.strata, "v1")
    for indent in INDENTS:
        assert backed().to_json(indent=indent) == eager.to_json(indent=indent)
    assert backed() == eager and eager == backed() and backed() == backed()
    assert hash(backed()) == hash(eager)
    assert Receipt.from_json(backed().to_json()) == backed()
    assert backed() == Receipt.from_json(eager.to_json())
    assert backed().to_dict() == eager.to_dict()
    for label, (ids, tickets, probs) in strata.items():
        s = backed().strata[label]
        assert s["selected"] == ids and s["probabilities"] == probs
        assert s["tickets"] == [f"{t:016x}" for t in tickets]


def test_writing_a_receipt_makes_no_object_per_selected_unit() -> None:
    """The digest and both JSON forms are written from the arrays: the lists stay unfilled."""
    ids = [f"T{i:06}" for i in range(1000)]
    r = receipt({"A": (ids, list(range(1000)), [0.5] * 1000)}, arrays=True)
    r.to_json()
    r.to_json(indent=None)
    assert r == receipt({"A": (ids, list(range(1000)), [0.5] * 1000)}, arrays=True)
    for key in ("selected", "tickets", "probabilities"):
        assert type(r.strata["A"][key]).__name__ == "_Deferred"
    assert r.strata["A"]["selected"][-1] == "T000999"  # one element: still unfilled
    assert type(r.strata["A"]["selected"]).__name__ == "_Deferred"
    assert list(r.strata["A"]["selected"]) == ids  # every element: filled, a FrozenList
    assert type(r.strata["A"]["selected"]) is FrozenList


#: readings of a list, each compared between a backed list and the frozen list it stands for
READINGS: dict[str, Callable[[list[Any], list[Any]], Any]] = {
    "len": lambda x, e: len(x),
    "bool": lambda x, e: bool(x),
    "first": lambda x, e: x[0] if e else None,
    "last": lambda x, e: x[-1] if e else None,
    "slice": lambda x, e: x[1:3],
    "step": lambda x, e: x[::-2],
    "iter": lambda x, e: list(x),
    "reversed": lambda x, e: list(reversed(x)),
    "tuple": lambda x, e: tuple(x),
    "unpack": lambda x, e: [*x],
    "eq": lambda x, e: x == e,
    "eq_reflected": lambda x, e: e == x,
    "eq_plain": lambda x, e: list(e) == x,
    "ne": lambda x, e: x != e,
    "ne_reflected": lambda x, e: e != x,
    "eq_longer": lambda x, e: x == [*e, 0],
    "eq_last_changed": lambda x, e: x == [*e[:-1], "~"],
    "eq_other_kind": lambda x, e: x == frozen_array(np.zeros(len(e))),
    "eq_other_width": lambda x, e: x == string_list(np.array(["x"] * len(e) or ["x"])),
    "lt": lambda x, e: x < e,
    "le": lambda x, e: x <= e,
    "gt": lambda x, e: x > e,
    "ge": lambda x, e: x >= e,
    "lt_reflected": lambda x, e: list(e) < x,
    "gt_reflected": lambda x, e: [*e, ""] > x,
    "hash": lambda x, e: hash(x) == hash(freeze(list(e))),
    "contains": lambda x, e: e[0] in x if e else None,
    "contains_not": lambda x, e: "\ue000" in x,
    "count": lambda x, e: x.count(e[0]) if e else None,
    "index": lambda x, e: x.index(e[-1]) if e else None,
    "repr": lambda x, e: repr(x),
    "str": lambda x, e: f"{x}",
    "add": lambda x, e: x + [1],  # noqa: RUF005 (the list's own concatenation is read)
    "radd": lambda x, e: [1] + x,  # noqa: RUF005
    "radd_frozen": lambda x, e: freeze(["a"]) + x,
    "mul": lambda x, e: x * 2,
    "rmul": lambda x, e: 2 * x,
    "copy": lambda x, e: x.copy(),
    "copies_are_itself": lambda x, e: copy.copy(x) is x and copy.deepcopy(x) is x,
    "pickle": lambda x, e: pickle.loads(pickle.dumps(x)) == e,
    "thaw": lambda x, e: (thaw(x), type(thaw(x)) is list),
    "json": lambda x, e: json.dumps(x),
    "json_indent": lambda x, e: json.dumps(x, indent=1),
    "json_text": lambda x, e: json_text(x, indent=2),
    "json_text_flat": lambda x, e: json_text(x),
    "canonical": lambda x, e: canonical_json(x),
    "canonical_v1": lambda x, e: canonical_json(x, "v1"),
    "numpy": lambda x, e: np.asarray(x).tolist(),
    "sorted": lambda x, e: sorted(x),
    "set": lambda x, e: sorted(set(x)),
}


def _same_readings(backed: Callable[[], FrozenList], expected: list[Any]) -> None:
    for name, read in READINGS.items():
        x = backed()
        assert isinstance(x, FrozenList)
        assert read(x, expected) == read(freeze(list(expected)), expected), name
    x, y = backed(), backed()
    assert x == y and hash(x) == hash(y)
    assert backed() + backed() == expected + expected  # two unfilled operands
    assert (backed() < backed() + ["~"]) == (expected < [*expected, "~"])  # noqa: RUF005
    with pytest.raises(IndexError):
        backed()[len(expected)]
    with pytest.raises(IndexError):
        backed()[-len(expected) - 1]
    for change in (lambda v: v.append("x"), lambda v: v.__setitem__(0, "x"), lambda v: v.sort()):
        with pytest.raises(TypeError):
            change(backed())


@given(PLAIN_IDS)
def test_a_backed_id_list_reads_as_the_list(ids: list[str]) -> None:
    column = np.array(ids, dtype=np.str_)
    _same_readings(lambda: string_list(column), ids)
    if ids:
        assert type(string_list(column)).__name__ == "_Deferred"


@given(ANY_IDS)
def test_a_column_of_any_ids_reads_as_the_list(ids: list[str]) -> None:
    column = np.array(ids, dtype=np.str_)
    _same_readings(lambda: string_list(column), ids)


@given(
    st.lists(
        st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([0.0, -0.0, 1.0]),
        max_size=40,
    )
)
def test_a_backed_float_list_reads_as_the_list(xs: list[float]) -> None:
    column = np.array(xs, dtype=np.float64)
    _same_readings(lambda: frozen_array(column), xs)


def test_a_backed_list_is_a_copy_the_caller_cannot_change() -> None:
    column = np.array([0.5, 0.25])
    xs = frozen_array(column)
    column[0] = 9.0
    assert xs == [0.5, 0.25]
    ids = np.array(["a1", "b2"] * 10)
    backed = string_list(ids)
    ids[0] = "zz"
    assert backed[0] == "a1" and list(backed)[:1] == ["a1"]


def test_backed_lists_refuse_what_they_cannot_hold() -> None:
    with pytest.raises(ValueError):
        frozen_array(np.array(["a"]))
    with pytest.raises(ValueError):
        frozen_array(np.zeros((2, 2)))
    with pytest.raises(ValueError):
        deferred(list, np.zeros(2), fill=lambda _: [[], []], at=lambda i: [])


def test_lists_backed_in_different_ways_compare_by_their_elements() -> None:
    ids = ["T1", "T2"] * 10
    rows = np.frombuffer("".join(ids).encode(), dtype="S2")
    other = deferred(str, rows, fill=lambda _: list(ids), at=lambda i: ids[i])
    assert other == string_list(np.array(ids)) and string_list(np.array(ids)) == other
    assert frozen_array(np.arange(3)) == frozen_array(np.arange(3.0))
    assert frozen_array(np.arange(3.0)) == frozen_array(np.arange(3.0))
    assert frozen_array(np.arange(3.0)) != frozen_array(np.arange(1.0, 4.0))
