"""Ticket function v1: golden vectors pinned against the fast path and the reference."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.draw import Seed, stream_key, tickets, tickets_for_ids, uniforms
from randsupervise.draw.selection import select_smallest
from randsupervise.tickets.fingerprint import fingerprint, fingerprints
from randsupervise.tickets.reference import (
    reference_seed_from_contributions,
    reference_seed_from_text,
    reference_select,
    reference_ticket,
    reference_uniform,
)

VECTORS = json.loads(
    (Path(__file__).parent / "vectors" / "tickets_v1.json").read_text(encoding="utf-8")
)


def test_vector_file_is_version_1() -> None:
    assert VECTORS["spec"] == "randsupervise-ticket" and VECTORS["version"] == 1
    assert len(VECTORS["tickets"]) >= 50


def test_seeds_both_paths() -> None:
    for s in VECTORS["seeds"]:
        if "text" in s:
            assert Seed.from_text(s["text"]).hex == s["hex"]
            assert Seed.from_text(s["text"]).source == s["canonical"]
            assert reference_seed_from_text(s["text"]).hex() == s["hex"]
        else:
            assert Seed.from_contributions(s["contributions"]).hex == s["hex"]
            assert reference_seed_from_contributions(s["contributions"]).hex() == s["hex"]


def test_fingerprints_both_paths() -> None:
    ids = [f["id"] for f in VECTORS["fingerprints"]]
    fast = fingerprints(ids)
    for k, f in enumerate(VECTORS["fingerprints"]):
        assert bytes.fromhex(f["utf8_hex"]) == f["id"].encode("utf-8")
        assert int(f["fingerprint"]) == int(f["fingerprint_hex"], 16)
        assert fingerprint(f["id"]) == int(f["fingerprint"]) == int(fast[k])


def test_stream_keys() -> None:
    for k in VECTORS["stream_keys"]:
        key = stream_key(Seed.from_hex(k["seed"]), k["stream"])
        assert (f"{key.k0:016x}", f"{key.k1:016x}") == (k["k0"], k["k1"])


def test_tickets_and_uniforms_both_paths() -> None:
    groups: dict[tuple[str, str], list[dict[str, str]]] = {}
    for t in VECTORS["tickets"]:
        groups.setdefault((t["seed"], t["stream"]), []).append(t)
    for (seed_hex, stream), rows in groups.items():
        seed = Seed.from_hex(seed_hex)
        fast = tickets_for_ids([r["id"] for r in rows], seed, stream)
        fast_u = uniforms(fast)
        for k, r in enumerate(rows):
            want = int(r["ticket"])
            assert want == int(r["ticket_hex"], 16)
            assert int(fast[k]) == want
            assert reference_ticket(seed.value, stream, r["id"]) == want
            assert float(fast_u[k]) == float(r["uniform"]) == float.fromhex(r["uniform_hex"])
            assert reference_uniform(want) == float(r["uniform"])


def test_worked_example_steps() -> None:
    s = VECTORS["steps"]
    from randsupervise.tickets.fingerprint import mix64_int

    k0, k1 = int(s["k0"], 16), int(s["k1"], 16)
    x1 = int(s["fingerprint"], 16) ^ k0
    assert f"{x1:016x}" == s["f_xor_k0"]
    assert f"{mix64_int(x1):016x}" == s["fmix1"]
    x2 = mix64_int(x1) ^ k1
    assert f"{x2:016x}" == s["xor_k1"]
    assert f"{mix64_int(x2):016x}" == s["ticket"]


def test_selections_both_paths() -> None:
    for sel in VECTORS["selections"]:
        seed = Seed.from_hex(sel["seed"])
        ids = np.asarray(sel["ids"])
        t = tickets_for_ids(sel["ids"], seed, sel["stream"])
        got = select_smallest(t, sel["n"], lambda p, ids=ids: ids[p].tolist())
        assert ids[got].tolist() == sel["selected"]
        assert reference_select(seed.value, sel["stream"], sel["ids"], sel["n"]) == sel["selected"]


@given(
    ids=st.lists(st.text(min_size=0, max_size=12), min_size=1, max_size=30),
    stream=st.text(min_size=1, max_size=10),
    seed_text=st.text(min_size=1, max_size=20).filter(lambda s: s.split() != []),
)
def test_fast_path_equals_reference(ids: list[str], stream: str, seed_text: str) -> None:
    seed = Seed.from_text(seed_text)
    assert seed.value == reference_seed_from_text(seed_text)
    fast = tickets(fingerprints(ids), seed, stream)
    ref = [reference_ticket(seed.value, stream, i) for i in ids]
    assert [int(x) for x in fast] == ref
    assert uniforms(fast).tolist() == [reference_uniform(r) for r in ref]


def test_seed_source_rebuilds_the_seed_even_with_separators_in_texts() -> None:
    for seed in (
        Seed.from_text("dice 3 1 4"),
        Seed.from_contributions(["甲 | 乙", "丙", '"quoted", [brackets]']),
        Seed.from_hex("ab" * 32),
    ):
        assert Seed.from_source(seed.source) == seed


# The whitespace of seed texts exactly as docs/spec/tickets.md §1 lists it.
SPEC_WHITESPACE = [
    *range(0x09, 0x0E),
    *range(0x1C, 0x20),
    0x20,
    0x85,
    0xA0,
    0x1680,
    *range(0x2000, 0x200B),
    0x2028,
    0x2029,
    0x202F,
    0x205F,
    0x3000,
]


def test_spec_lists_exactly_the_whitespace_seed_texts_collapse() -> None:
    assert len(SPEC_WHITESPACE) == 29
    assert [c for c in range(0x110000) if chr(c).isspace()] == SPEC_WHITESPACE
    for c in SPEC_WHITESPACE:
        text = f"{chr(c)}a{chr(c)}{chr(c)}b{chr(c)}"
        assert Seed.from_text(text) == Seed.from_text("a b")
        assert reference_seed_from_text(text) == Seed.from_text("a b").value
    for kept in ("\u200b", "\ufeff"):  # zero-width space and byte-order mark: not whitespace
        assert Seed.from_text(f"a{kept}b") != Seed.from_text("a b")
