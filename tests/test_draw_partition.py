"""Partitioned draws: shard candidates merged equal the in-memory draw, exactly."""

from __future__ import annotations

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.draw.engine import draw
from randsupervise.draw.partition import (
    ALL_STRATUM,
    merge_candidates,
    order_by_ticket,
    shard_candidates,
    shard_candidates_from_arrays,
    smallest_tickets,
)
from randsupervise.errors import ValidationError
from randsupervise.model import TargetRegistry, registry_digest_from_row_hashes
from randsupervise.tickets.function import tickets
from randsupervise.tickets.seed import Seed

SEED = Seed.from_text("partition tests")
ID_CHARS = st.characters(blacklist_categories=("Cs", "Zs", "Cc"))


def registry(n: int, *, offset: int = 0) -> TargetRegistry:
    return TargetRegistry.from_columns(
        id=[f"U{i + offset:05}" for i in range(n)],
        risk_class=["ABCD"[i % 4] for i in range(n)],
        region=[("东城镇", "西城镇", "南山乡")[i % 3] for i in range(n)],
    )


def brute_force(reg: TargetRegistry, sizes: dict[str, int]) -> dict[str, list[str]]:
    """The draw by definition: per stratum, sort every unit by (ticket, UTF-8 id)."""
    tk = tickets(reg.fingerprints, SEED, "s").tolist()
    labels = np.asarray(reg.categories("risk_class"))[reg.risk_codes].tolist()
    ids = reg.ids.tolist()
    out: dict[str, list[str]] = {}
    for lab in sorted(set(labels)):
        units = sorted(
            (tk[i], ids[i].encode("utf-8"), ids[i]) for i in range(len(ids)) if labels[i] == lab
        )
        out[lab] = [u[2] for u in units[: sizes[lab]]]
    return out


@given(
    n=st.integers(0, 120),
    k=st.integers(1, 8),
    cuts=st.lists(st.integers(0, 7), min_size=120, max_size=120),
    sizes=st.fixed_dictionaries({c: st.integers(0, 40) for c in "ABCD"}),
    perm_seed=st.integers(0, 2**32 - 1),
)
def test_merged_shards_equal_the_in_memory_draw(
    n: int, k: int, cuts: list[int], sizes: dict[str, int], perm_seed: int
) -> None:
    reg = registry(n)
    rows = np.random.default_rng(perm_seed).permutation(n)  # test-side shuffling only
    shard_of = np.asarray(cuts[:n], dtype=np.int64) % k
    parts = [
        shard_candidates(reg.take(rows[shard_of == s]), seed=SEED, stream="s", sizes=sizes)
        for s in range(k)
    ]
    merged = merge_candidates(parts)
    whole = merge_candidates([shard_candidates(reg, seed=SEED, stream="s", sizes=sizes)])
    assert merged == whole
    assert merge_candidates(parts[::-1]) == whole
    assert merged.registry_digest == reg.digest()
    assert merged.n_units == n
    expected = brute_force(reg, sizes)
    for lab, s in merged.strata.items():
        assert list(s.selected) == expected.get(lab, [])
        assert s.population == int((reg.column("risk_class") == lab).sum())
        assert s.sample_size == min(sizes[lab], s.population)


def test_merge_equals_the_engine_draw() -> None:
    reg = registry(1000)
    d = draw(reg, seed=SEED, stream="s", ratios={"A": 0.03, "B": 0.05, "C": 0.2, "D": 1.0})
    sizes = {k: s.sample_size for k, s in d.strata.items()}
    parts = [
        shard_candidates(reg.take(np.arange(i, 1000, 7)), seed=SEED, stream="s", sizes=sizes)
        for i in range(7)
    ]
    merged = merge_candidates(parts)
    for k, s in d.strata.items():
        assert merged.strata[k].selected == s.ids
        assert list(merged.strata[k].tickets) == s.tickets.tolist()
        assert merged.strata[k].population == s.population


@given(st.lists(st.integers(0, 5), min_size=0, max_size=40), st.data())
def test_ticket_order_breaks_ties_by_utf8_ids(tks: list[int], data: st.DataObject) -> None:
    ids = data.draw(st.lists(st.text(ID_CHARS, min_size=1, max_size=4), min_size=len(tks),
                             max_size=len(tks), unique=True))  # fmt: skip
    tk = np.asarray(tks, dtype=np.uint64)
    want = sorted(range(len(tks)), key=lambda i: (tks[i], ids[i].encode("utf-8")))
    assert order_by_ticket(tk, ids).tolist() == want
    n = data.draw(st.integers(0, len(tks)))
    assert smallest_tickets(tk, ids, n).tolist() == want[:n]
    groups = data.draw(st.lists(st.integers(0, 2), min_size=len(tks), max_size=len(tks)))
    by_group = sorted(range(len(tks)), key=lambda i: (groups[i], tks[i], ids[i].encode("utf-8")))
    assert order_by_ticket(tk, ids, np.asarray(groups)).tolist() == by_group


@given(st.lists(st.integers(0, 3), min_size=0, max_size=60))
def test_registry_digest_merges_from_any_split(assign: list[int]) -> None:
    reg = registry(len(assign))
    a = np.asarray(assign, dtype=np.int64)
    parts = [reg.take(np.flatnonzero(a == s)).row_hashes() for s in range(4)]
    assert registry_digest_from_row_hashes(parts) == reg.digest()
    assert registry_digest_from_row_hashes(parts[::-1]) == reg.digest()


def test_duplicate_id_across_shards_is_refused() -> None:
    a = registry(10)
    b = registry(10, offset=9)  # U00009 in both
    sizes = dict.fromkeys("ABCD", 2)
    with pytest.raises(ValidationError, match="more than one row"):
        merge_candidates([shard_candidates(r, seed=SEED, stream="s", sizes=sizes) for r in (a, b)])


def test_shards_cut_differently_are_refused() -> None:
    reg = registry(20)
    sizes = dict.fromkeys("ABCD", 2)
    a = shard_candidates(reg.take(np.arange(10)), seed=SEED, stream="s", sizes=sizes)
    others = [
        shard_candidates(reg.take(np.arange(10, 20)), seed=Seed.from_text("x"), stream="s",
                         sizes=sizes),
        shard_candidates(reg.take(np.arange(10, 20)), seed=SEED, stream="t", sizes=sizes),
        shard_candidates(reg.take(np.arange(10, 20)), seed=SEED, stream="s",
                         sizes={**sizes, "A": 3}),
    ]  # fmt: skip
    for b in others:
        with pytest.raises(ValidationError) as e:
            merge_candidates([a, b])
        assert e.value.problems[0].row == 1
    with pytest.raises(ValidationError):
        merge_candidates([])


def test_a_shard_short_of_candidates_is_refused() -> None:
    """A shard that kept fewer than its n smallest (edited, or cut by hand) could hide a
    unit of the global draw: the merge names the shard and the stratum."""
    reg = registry(20)
    sizes = dict.fromkeys("ABCD", 2)
    a = shard_candidates(reg.take(np.arange(10)), seed=SEED, stream="s", sizes=sizes)
    b = shard_candidates(reg.take(np.arange(10, 20)), seed=SEED, stream="s", sizes=sizes)
    short = b.strata["A"]
    cut = attrs.evolve(short, ids=short.ids[:1], tickets=short.tickets[:1])
    forged = attrs.evolve(b, strata={**b.strata, "A": cut})
    with pytest.raises(ValidationError) as e:
        merge_candidates([a, forged])
    (p,) = e.value.problems
    assert (p.row, p.id, p.field) == (1, "A", "strata")
    assert merge_candidates([a, b]).strata["A"].sample_size == 2


def test_mask_and_unstratified_shards() -> None:
    reg = registry(200)
    mask = reg.mask(region="东城镇")
    sizes = {ALL_STRATUM: 5}
    parts = [
        shard_candidates(reg.take(rows), seed=SEED, stream="s", sizes=sizes, stratum_column=None,
                         mask=mask[rows])
        for rows in (np.arange(0, 120), np.arange(120, 200))
    ]  # fmt: skip
    merged = merge_candidates(parts)
    d = draw(reg, seed=SEED, stream="s", stratify=None, counts={ALL_STRATUM: 5},
             where={"region": "东城镇"})  # fmt: skip
    assert merged.strata[ALL_STRATUM].selected == d.strata[ALL_STRATUM].ids
    assert merged.strata[ALL_STRATUM].population == int(mask.sum())
    assert merged.registry_digest == reg.digest()  # the digest covers every row
    with pytest.raises(ValidationError, match="mask"):
        shard_candidates(reg, seed=SEED, stream="s", sizes=sizes, mask=[True])


def test_bare_arrays_give_the_same_selection_without_a_digest() -> None:
    reg = registry(100)
    sizes = dict.fromkeys("ABCD", 4)
    labels = reg.column("risk_class")
    from_arrays = merge_candidates(
        [
            shard_candidates_from_arrays(ids=reg.ids[s], strata=labels[s], seed=SEED, stream="s",
                                         sizes=sizes, fingerprints=reg.fingerprints[s])
            for s in (slice(0, 30), slice(30, 100))
        ]
    )  # fmt: skip
    from_registry = merge_candidates([shard_candidates(reg, seed=SEED, stream="s", sizes=sizes)])
    assert from_arrays.registry_digest is None
    assert from_arrays.selected() == from_registry.selected()
    hashed = shard_candidates_from_arrays(
        ids=reg.ids, strata=labels, seed=SEED, stream="s", sizes=sizes
    )
    assert merge_candidates([hashed]).selected() == from_registry.selected()


def test_bad_inputs_name_the_problem() -> None:
    with pytest.raises(ValidationError, match="no sample size"):
        shard_candidates_from_arrays(ids=["a"], strata=["A"], seed=SEED, stream="s", sizes={})
    with pytest.raises(ValidationError, match="int >= 0"):
        shard_candidates_from_arrays(ids=["a"], strata=["A"], seed=SEED, stream="s",
                                     sizes={"A": -1})  # fmt: skip
    with pytest.raises(ValidationError, match="strata"):
        shard_candidates_from_arrays(ids=["a", "b"], strata=["A"], seed=SEED, stream="s",
                                     sizes={"A": 1})  # fmt: skip
    with pytest.raises(ValidationError, match="TargetRegistry"):
        shard_candidates(["a"], seed=SEED, stream="s", sizes={})  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        smallest_tickets(np.zeros(2, dtype=np.uint64), ["a", "b"], -1)
