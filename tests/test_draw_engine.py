"""Draw engine: allocation, selection methods, targeted draws, frequency limits, receipts."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.draw import (
    DrawPolicy,
    History,
    ItemRule,
    Receipt,
    Seed,
    allocate,
    draw,
    pips_probabilities,
    round_size,
    run_policy,
    select_smallest,
    tickets_for_ids,
    verify,
)
from randsupervise.errors import ValidationError
from randsupervise.model import TargetRegistry
from randsupervise.model.items import InspectionItem
from randsupervise.tickets.reference import reference_select

RATIOS = {"A": 0.03, "B": 0.05, "C": 0.2, "D": 1.0}


def make_registry(n: int = 400, *, perm: np.ndarray | None = None) -> TargetRegistry:
    ids = np.asarray([f"T{i:05d}" for i in range(n)])
    risk = np.asarray(list("AAAABBBCCD") * (n // 10 + 1))[:n]
    region = np.asarray(["东城镇", "西城镇", "南城镇"] * (n // 3 + 1))[:n]
    weight = (np.arange(n) % 7 + 1).astype(float)
    if perm is not None:
        ids, risk, region, weight = ids[perm], risk[perm], region[perm], weight[perm]
    return TargetRegistry.from_columns(id=ids, risk_class=risk, region=region, weight=weight)


SEED = Seed.from_text("dice 6 2 5 1 3 4")


# ------------------------------------------------------------------ allocation
def test_rounding_is_exact_and_ceil_by_default() -> None:
    assert round_size(0.03, 100) == 3  # not ceil(3.0000000000000004) == 4
    assert round_size(0.07, 100) == 7
    assert round_size(0.03, 101) == 4
    assert round_size(0.03, 101, "floor") == 3
    assert round_size(0.025, 100, "half_up") == 3


def test_allocation_counts_min_clip_and_full_strata() -> None:
    a = allocate(
        {"A": 1000, "B": 10, "C": 3, "D": 0},
        ratios={"A": 0.001, "D": 1.0},
        counts={"B": 20},
        min_per_stratum=2,
    )
    assert a["A"].sample_size == 2  # ceil(1) raised to the minimum
    assert a["B"].sample_size == 10 and a["B"].clipped and "clipped" in a["B"].note
    assert a["C"].sample_size == 2  # no rule: 0, raised to the minimum
    assert a["D"].sample_size == 0  # empty stratum stays empty


def test_allocation_reports_every_problem() -> None:
    with pytest.raises(ValidationError) as e:
        allocate({"A": 5}, ratios={"A": 1.5, "Z": 0.1}, counts={"A": -1}, rounding="up")
    assert len(e.value.problems) >= 4


def test_general_item_cap_names_the_item() -> None:
    item = ItemRule(id="G07", kind="general", ratio_cap=0.05)
    with pytest.raises(ValidationError, match="G07"):
        allocate({"A": 100}, ratios={"A": 0.06}, item=item)
    with pytest.raises(ValidationError, match="G07"):
        allocate({"A": 100}, counts={"A": 6}, item=item)
    assert allocate({"A": 101}, ratios={"A": 0.05}, item=item)["A"].sample_size == 6
    key = ItemRule(id="K1", kind="key")
    assert allocate({"A": 10}, ratios={"A": 1.0}, item=key)["A"].sample_size == 10


def test_item_rule_from_inspection_item() -> None:
    item = InspectionItem(
        id="G01", name="n", department="d", kind="general", legal_basis="l", content="c",
        method="m", target_kinds={"enterprise"}, ratio_cap=0.1, yearly_frequency_limit=2,
    )  # fmt: skip
    rule = ItemRule.from_item(item)
    assert (rule.id, rule.kind, rule.ratio_cap, rule.yearly_frequency_limit) == (
        "G01", "general", 0.1, 2,
    )  # fmt: skip
    reg = make_registry()
    with pytest.raises(ValidationError, match="G01"):
        draw(reg, seed=SEED, stream="s", ratios={"A": 0.2}, item=item)


# ------------------------------------------------------------------ selection
def test_smallest_matches_reference_and_is_sorted() -> None:
    reg = make_registry(300)
    d = draw(reg, seed=SEED, stream="task-1", counts={"A": 17}, stratify="risk_class")
    a_ids = reg.ids[reg.risk_codes == 0].tolist()
    assert list(d.strata["A"].ids) == reference_select(SEED.value, "task-1", a_ids, 17)
    t = d.strata["A"].tickets
    assert (t[1:] >= t[:-1]).all()
    assert d.strata["A"].inclusion_probability == 17 / len(a_ids)


def test_ticket_ties_broken_by_utf8_id() -> None:
    t = np.asarray([7, 3, 7, 7, 1], dtype=np.uint64)
    ids = np.asarray(["zz", "b", "é", "a", "q"])
    got = select_smallest(t, 3, lambda p: ids[p].tolist())
    assert ids[got].tolist() == ["q", "b", "a"]  # 'a' < 'zz' < 'é' in UTF-8 bytes
    got4 = select_smallest(t, 4, lambda p: ids[p].tolist())
    assert ids[got4].tolist() == ["q", "b", "a", "zz"]


def test_pips_certainty_and_zero_weight() -> None:
    lam, n = pips_probabilities(np.asarray([0.0, 1.0, 1.0, 1.0, 100.0]), 2)
    assert n == 2 and lam.tolist() == [0.0, 1 / 3, 1 / 3, 1 / 3, 1.0]
    lam, n = pips_probabilities(np.asarray([0.0, 1.0, 2.0]), 5)
    assert n == 2 and lam.tolist() == [0.0, 1.0, 1.0]


@pytest.mark.parametrize("method", ["pareto", "sequential_poisson", "poisson"])
def test_weighted_methods(method: str) -> None:
    reg = make_registry(400)
    d = draw(reg, seed=SEED, stream="w", ratios={"B": 0.25, "C": 0.5}, method=method)
    s = d.strata["C"]
    pop_pi = d.inclusion_probabilities[s.population_positions]
    assert abs(pop_pi.sum() - s.expected_size) < 1e-9
    if method != "poisson":
        assert s.sample_size == s.allocation.sample_size
    assert s.inclusion_probability is None
    assert verify(d.receipt, reg).ok


# ------------------------------------------------------------------ engine
def test_order_invariance_of_the_receipt() -> None:
    perm = np.random.default_rng(5).permutation(400)
    for method in ("smallest", "pareto", "poisson"):
        kw = {"seed": SEED, "stream": "x", "ratios": RATIOS, "batches": 3, "method": method}
        a = draw(make_registry(400), **kw).receipt  # type: ignore[arg-type]
        b = draw(make_registry(400, perm=perm), **kw).receipt  # type: ignore[arg-type]
        assert a == b


def test_batches_are_chunks_of_the_batch_order_stream() -> None:
    d = draw(make_registry(), seed=SEED, stream="k", ratios=RATIOS, batches=4)
    flat = [i for b in d.batches for i in b]
    assert sorted(flat) == sorted(d.ids) and len(d.batches) == 4
    sizes = [len(b) for b in d.batches]
    assert sizes == sorted(sizes, reverse=True) and max(sizes) - min(sizes) <= 1
    assert (d.tickets[1:] >= d.tickets[:-1]).all()  # the selection stays in ticket order
    # draw version 2: the batches follow the tickets of the stream "k/batch-order"
    batch_tickets = tickets_for_ids(flat, SEED, "k/batch-order")
    assert (batch_tickets[1:] >= batch_tickets[:-1]).all()
    assert all(i in d.batches[b] for i, b in zip(d.ids, d.batch_of.tolist(), strict=True))
    # version 1 cut the selection order itself; the selection is the same
    v1 = run_policy(make_registry(), seed=SEED, stream="k", policy=d.policy, version=1)
    assert v1.version == 1 and v1.ids == d.ids
    assert tuple(i for b in v1.batches for i in b) == d.ids
    assert v1.batch_of.tolist() == sorted(v1.batch_of.tolist())


def test_unknown_draw_versions_are_refused() -> None:
    bad: object
    for bad in (0, 3, True, "2"):
        with pytest.raises(ValidationError, match="unknown draw version"):
            run_policy(make_registry(20), seed=SEED, stream="k", policy=DrawPolicy(),
                       version=bad)  # type: ignore[arg-type]  # fmt: skip


def test_targeted_draw_equals_smallest_among_filtered() -> None:
    reg = make_registry(600)
    d = draw(reg, seed=SEED, stream="f", counts={"C": 5}, where={"region": "东城镇"})
    sub = reg.filter(region="东城镇")
    d2 = draw(sub, seed=SEED, stream="f", counts={"C": 5})
    assert d.strata["C"].ids == d2.strata["C"].ids
    assert all(reg["" + i].region == "东城镇" for i in d.strata["C"].ids)
    # union-then-filter: the filtered units of a larger union draw are the smallest tickets
    # among the filtered units, so they are a prefix of the targeted draw's order
    big = draw(reg, seed=SEED, stream="f", counts={"C": 40})
    kept = [i for i in big.strata["C"].ids if reg[i].region == "东城镇"]
    full = draw(reg, seed=SEED, stream="f", counts={"C": len(kept)}, where={"region": "东城镇"})
    assert list(full.strata["C"].ids) == kept


def test_frequency_limits_exclude_and_are_recorded() -> None:
    reg = make_registry()
    item = ItemRule(id="K9", kind="key", yearly_frequency_limit=1)
    first = draw(reg, seed=SEED, stream="q1", ratios={"A": 0.1}, item=item)
    history = [(i, "K9", 1) for i in first.strata["A"].ids] + [("T-gone", "K9", 3)]
    history.append((first.strata["A"].ids[0], "OTHER", 5))
    second = draw(
        reg,
        seed=SEED,
        stream="q1",
        ratios={"A": 0.1},
        item=item,
        history=History.from_entries(history),
    )
    assert not set(first.strata["A"].ids) & set(second.strata["A"].ids)
    fl = second.receipt.frequency_limit
    assert fl is not None and sorted(fl["excluded"]) == sorted(first.strata["A"].ids)
    assert second.strata["A"].population == first.strata["A"].population - len(fl["excluded"])
    assert verify(second.receipt, reg, history=history).ok
    report = verify(second.receipt, reg)  # exclusions unchecked without the history
    assert not report.ok
    assert [x.where for x in report.differences] == ["frequency_limit.history"]
    bad = verify(second.receipt, reg, history=history[:-3])
    assert not bad.ok and any(
        "history" in d.where or "excluded" in d.where for d in bad.differences
    )
    with pytest.raises(ValidationError):
        draw(reg, seed=SEED, stream="q1", ratios={"A": 0.1}, history=History.from_entries(history))


def test_unstratified_and_other_columns() -> None:
    reg = make_registry()
    d = draw(reg, seed="x", stream="s", stratify=None, default_ratio=0.1)
    assert list(d.strata) == ["ALL"] and d.strata["ALL"].sample_size == 40
    r = draw(reg, seed="x", stream="s", stratify="region", counts={"东城镇": 2})
    assert r.strata["东城镇"].sample_size == 2 and r.strata["西城镇"].sample_size == 0


def test_policy_argument_and_bad_policies() -> None:
    p = DrawPolicy(ratios=RATIOS)
    reg = make_registry()
    assert (
        draw(reg, seed=SEED, stream="s", policy=p).receipt
        == draw(reg, seed=SEED, stream="s", ratios=RATIOS).receipt
    )
    with pytest.raises(ValidationError):
        draw(reg, seed=SEED, stream="s", policy=p, batches=2)
    with pytest.raises(ValidationError) as both:
        draw(reg, seed=SEED, stream="s", policy=p, ratios={}, stratify=None)
    assert "['ratios', 'stratify']" in both.value.problems[0].message
    with pytest.raises(ValidationError) as e:
        DrawPolicy(method="magic", stratify="colour", batches=0, where={"size": "big"})
    assert len(e.value.problems) == 4
    with pytest.raises(ValidationError):
        draw(reg, seed=SEED, stream="", ratios=RATIOS)


# ------------------------------------------------------------------ receipts and verify
def test_receipt_round_trip_and_keys() -> None:
    d = draw(make_registry(), seed=SEED, stream="r", ratios=RATIOS, batches=2)
    r = d.receipt
    data = json.loads(r.to_json())
    for k in ("algorithm", "seed", "stream", "registry_digest", "strata"):
        assert k in data
    assert set(data["strata"]["A"]) >= {"population", "sample_size", "selected"}
    assert Receipt.from_json(r.to_json()) == r
    assert Receipt.from_dict(data) == r
    with pytest.raises(ValidationError):
        Receipt.from_json("{}")
    with pytest.raises(ValidationError):
        Receipt.from_json("not json")


def _tamper(data: dict, kind: str, k: int) -> dict:  # type: ignore[type-arg]
    data = json.loads(json.dumps(data))
    strata = [s for s in sorted(data["strata"]) if data["strata"][s]["selected"]]
    label = strata[k % len(strata)]
    sel = data["strata"][label]["selected"]
    if kind == "seed":
        data["seed"] = Seed.from_text(f"other {k}").hex
    elif kind == "seed_text":
        s = Seed.from_text(f"other {k}")
        data["seed"], data["seed_source"] = s.hex, s.source
    elif kind == "ratio":
        data["policy"]["ratios"]["C"] = [0.1, 0.3, 0.25][k % 3]
    elif kind == "rounding":
        data["policy"]["rounding"] = ["floor", "half_up"][k % 2]
    elif kind == "method":
        data["policy"]["method"] = ["pareto", "poisson", "sequential_poisson"][k % 3]
    elif kind == "stream":
        data["stream"] = data["stream"] + "x"
    elif kind == "selected_id":
        sel[k % len(sel)] = f"T{(int(sel[k % len(sel)][1:]) + 1 + k) % 400:05d}"
    elif kind == "swap":
        i = k % len(sel)
        sel[i], sel[-1] = sel[-1], sel[i]
        if sel == data["strata"][label]["selected"] and len(sel) > 1:
            sel.reverse()
    elif kind == "ticket":
        t = data["strata"][label]["tickets"]
        t[k % len(t)] = f"{(int(t[k % len(t)], 16) ^ 1):016x}"
    return data


@given(
    kind=st.sampled_from(
        ["seed", "seed_text", "ratio", "rounding", "method", "stream", "selected_id", "ticket"]
    ),
    k=st.integers(0, 50),
)
def test_any_single_change_to_the_receipt_is_detected(kind: str, k: int) -> None:
    reg = _REG
    data = _RECEIPT.to_dict()
    changed = _tamper(data, kind, k)
    if changed == data:  # the change happened to be a no-op
        return
    assert not verify(changed, reg).ok


@given(
    row=st.integers(0, 399), field=st.sampled_from(["risk_class", "weight", "id", "drop", "add"])
)
def test_any_single_register_change_is_detected(row: int, field: str) -> None:
    cols = {k: v for k, v in _REG.to_columns().items() if k not in ("industry", "name")}
    if field == "risk_class":
        cols["risk_class"][row] = "D" if cols["risk_class"][row] != "D" else "A"
    elif field == "weight":
        cols["weight"][row] += 1.0
    elif field == "id":
        cols["id"][row] = cols["id"][row] + "-x"
    elif field == "drop":
        cols = {k: v[:row] + v[row + 1 :] for k, v in cols.items()}
    else:
        cols = {k: [*v, v[row]] for k, v in cols.items()}
        cols["id"][-1] = "NEW-1"
    other = TargetRegistry.from_columns(**cols)
    report = verify(_RECEIPT, other)
    assert not report.ok
    assert any(d.where == "registry_digest" for d in report.differences)


_REG = make_registry(400)
_RECEIPT = draw(_REG, seed=SEED, stream="prop", ratios=RATIOS, batches=2).receipt


def test_verify_lists_exact_differences() -> None:
    data = _RECEIPT.to_dict()
    bad = _tamper(data, "selected_id", 3)
    report = verify(bad, _REG)
    wheres = {d.where for d in report.differences}
    assert "receipt_digest" in wheres
    assert any(w.endswith(".selected") for w in wheres)
    assert "does NOT verify" in str(report)
    unsupported = dict(data, version=99)
    assert not verify(unsupported, _REG).ok


def test_a_frequency_limited_draw_that_excluded_nobody_verifies_without_history() -> None:
    reg = TargetRegistry.from_columns(id=[f"T{i}" for i in range(20)], risk_class=["B"] * 20)
    item = InspectionItem(
        id="K1", name="n", department="d", kind="key", legal_basis="l", content="c",
        method="m", target_kinds={"enterprise"},
    )  # fmt: skip
    d = draw(
        reg, seed="s", stream="K1", default_ratio=0.25, item=item, history=History.from_entries([])
    )
    report = verify(d.receipt, reg)
    assert report.ok and report.notes


# ------------------------------------------------------------ one policy, one history
def test_draw_options_are_exactly_the_policy_fields() -> None:
    """The keyword conveniences and the policy cannot drift apart."""
    import attrs

    from randsupervise.draw import DrawOptions

    assert set(DrawOptions.__annotations__) == {f.name for f in attrs.fields(DrawPolicy)}
    with pytest.raises(ValidationError) as e:
        draw(make_registry(20), seed=SEED, stream="s", ratio={"A": 0.1})  # type: ignore[call-arg]
    assert e.value.problems[0].field == "ratio"


def test_method_and_rounding_are_enums_with_the_receipt_strings() -> None:
    from randsupervise import Method as RootMethod
    from randsupervise import Rounding as RootRounding
    from randsupervise.draw import Method, Rounding

    assert (RootMethod, RootRounding) == (Method, Rounding)
    p = DrawPolicy(method="pareto", rounding="half_up", default_ratio=0.1)
    assert p.method is Method.PARETO and p.rounding is Rounding.HALF_UP
    assert p == DrawPolicy(method=Method.PARETO, rounding=Rounding.HALF_UP, default_ratio=0.1)
    record = p.to_record()
    assert (record["method"], record["rounding"]) == ("pareto", "half_up")
    assert type(record["method"]) is str and DrawPolicy.from_record(record) == p
    for field, value in (("method", "magic"), ("rounding", "up"), ("method", 3)):
        with pytest.raises(ValidationError) as e:
            DrawPolicy(**{field: value})  # type: ignore[arg-type]
        assert [x.field for x in e.value.problems] == [field]


def test_a_positional_policy_is_the_keyword_draw() -> None:
    reg = make_registry()
    p = DrawPolicy(ratios=RATIOS, batches=2)
    a = draw(reg, p, seed=SEED, stream="s")
    b = draw(reg, seed=SEED, stream="s", ratios=RATIOS, batches=2)
    assert a.receipt.to_json() == b.receipt.to_json()
    with pytest.raises(ValidationError, match="expected a DrawPolicy"):
        draw(reg, {"ratios": RATIOS}, seed=SEED, stream="s")  # type: ignore[arg-type]


def test_one_history_input_holds_both_parts() -> None:
    reg = make_registry(40)
    ids = reg.ids.tolist()
    item = ItemRule(id="K1", kind="key")
    entries = [(ids[0], "K1", 1), (ids[0], "K1", 1), (ids[1], "G2", 1)]
    h = History(entries=entries, periods={"2024": ids[:10]})
    assert h.entries == ((ids[0], "K1", 2), (ids[1], "G2", 1))  # summed and sorted
    assert History(entries=entries[::-1]).digest() == History(entries=entries).digest()
    assert len({h.digest(), History(entries=entries).digest(), History().digest()}) == 3
    d = draw(reg, seed=SEED, stream="s", default_ratio=0.5, item=item, floor=0.1, history=h)
    assert ids[0] in d.excluded and d.receipt.burden is not None
    assert d.receipt.frequency_limit["history_digest"] == draw(  # type: ignore[index]
        reg, seed=SEED, stream="s", default_ratio=0.5, item=item,
        history=History.from_entries(entries),
    ).receipt.frequency_limit["history_digest"]  # type: ignore[index]  # fmt: skip
    assert verify(d.receipt, reg, history=h).ok
    with pytest.raises(ValidationError, match="expected a History"):
        draw(reg, seed=SEED, stream="s", default_ratio=0.5, history=entries)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as e:
        History.from_entries([("a", "K1", -1)])
    assert e.value.problems[0].row == 0
