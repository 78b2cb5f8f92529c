"""Burden spreading: floor, exact sizes, exact probabilities, fewer never inspected."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from randsupervise.draw import Draw, DrawPolicy, History, draw, run_policy
from randsupervise.draw.allocation import ItemRule
from randsupervise.draw.coordination import BurdenHistory, coordinated_select
from randsupervise.draw.receipt import Receipt
from randsupervise.draw.verify import verify
from randsupervise.errors import ValidationError
from randsupervise.model import AddTarget, RemoveTarget, Target, TargetRegistry
from randsupervise.tickets.function import tickets
from randsupervise.tickets.seed import Seed


def register(n: int, classes: str = "A", prefix: str = "U") -> TargetRegistry:
    return TargetRegistry.from_columns(
        id=[f"{prefix}{i:05}" for i in range(n)],
        risk_class=[classes[i % len(classes)] for i in range(n)],
    )


def spread(reg: TargetRegistry, history: object, **kw: object) -> Draw:
    """A burden-spread draw: the earlier periods as the history's periods."""
    return draw(reg, history=History.from_periods(history), **kw)  # type: ignore[arg-type]


def run_periods(
    reg: TargetRegistry, periods: int, *, ratio: float, floor: float | None, tag: str = ""
) -> tuple[set[str], list[float]]:
    """Draw ``periods`` periods, each seeing the history of the ones before."""
    history = BurdenHistory.empty()
    seen: set[str] = set()
    mins = []
    for p in range(periods):
        d = spread(reg, seed=Seed.from_text(f"{tag} period {p}"), stream=f"p{p}",
                             history=history, floor=floor, default_ratio=ratio)  # fmt: skip
        mins.append(float(d.inclusion_probabilities.min()))
        history = history.append(d.selected_ids(), label=f"p{p}")
        seen |= d.selected_ids()
    return seen, mins


@given(
    n_units=st.integers(1, 80),
    data=st.data(),
)
def test_floor_sizes_and_probabilities_hold_for_any_history(
    n_units: int, data: st.DataObject
) -> None:
    n = data.draw(st.integers(0, n_units))
    floor = data.draw(st.sampled_from([0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0]))
    if Fraction(repr(floor)) * n_units > n:
        floor = 0.0
    last = data.draw(st.lists(st.integers(-1, 6), min_size=n_units, max_size=n_units))
    ids = [f"id{i}" for i in range(n_units)]
    tk = tickets(np.arange(n_units, dtype=np.uint64), Seed.from_text("h"), "s")
    sel = coordinated_select(tk, ids, last, n, floor=floor)
    # exact size, no unit twice
    assert sel.positions.size == n == len(set(sel.positions.tolist()))
    # every unit keeps at least the floor; probabilities are exact tier ratios summing to n
    assert all(t.probability >= Fraction(repr(floor)) for t in sel.tiers)
    assert (sel.inclusion_probabilities >= floor).all()
    assert sum(t.sample_size for t in sel.tiers) == n
    assert sum(t.population for t in sel.tiers) == n_units
    assert math.isclose(float(sel.inclusion_probabilities.sum()), n, abs_tol=1e-9)
    # tiers partition the history periods in priority order (never first, oldest next)
    flat = [p for t in sel.tiers for p in t.periods]
    assert flat == sorted(set(last))
    # selection listed in ticket order
    assert tk[sel.positions].tolist() == sorted(tk[sel.positions].tolist())


def test_never_inspected_share_is_below_a_third_of_independent_draws() -> None:
    # the scenario: 10,000 units, ratio 0.2, ceil(1/0.2) = 5 periods, floor r/4
    reg = register(10_000)
    ours, mins = run_periods(reg, 5, ratio=0.2, floor=0.05)
    indep, _ = run_periods(reg, 5, ratio=0.2, floor=None)
    share_ours = 1 - len(ours) / len(reg)
    share_indep = 1 - len(indep) / len(reg)
    assert 0.30 < share_indep < 0.36  # about 0.8**5 = 0.328
    assert share_ours <= share_indep / 3
    assert share_ours == pytest.approx(0.0953, abs=0.002)  # the tiers' exact expectation
    assert min(mins) == pytest.approx(0.05)


def test_floor_zero_is_a_rotation_nobody_twice_before_everybody_once() -> None:
    reg = register(50)
    seen: list[str] = []
    history = BurdenHistory.empty()
    for p in range(5):
        d = spread(reg, seed=Seed.from_text(f"r{p}"), stream="s", history=history,
                             floor=0.0, counts={"A": 10})  # fmt: skip
        seen += d.strata["A"].ids
        history = history.append(d.selected_ids())
    assert sorted(seen) == sorted(reg.ids.tolist())


def test_empirical_frequencies_match_the_reported_probabilities() -> None:
    # 60 units in four history tiers; 4,000 fixed seeds. Each unit's count is Binomial
    # (4000, pi) marginally; the statistic sums 60 squared z-scores. The fixed sample size
    # makes the counts negatively correlated, which only lowers the statistic, so the
    # chi-square(60) tail bound 1e-6 is a false-positive rate of at most one in a million.
    reg = register(60)
    ids = reg.ids.tolist()
    history = BurdenHistory.from_periods({"y1": ids[0:15], "y2": ids[10:30], "y3": ids[25:35]})
    runs = 4000
    counts = np.zeros(60)
    probs = None
    for s in range(runs):
        d = spread(reg, seed=Seed.from_text(f"mc {s}"), stream="s", history=history,
                             floor=0.1, counts={"A": 12})  # fmt: skip
        counts[reg.index_of(d.strata["A"].ids)] += 1
        probs = d.inclusion_probabilities if probs is None else probs
        assert np.array_equal(probs, d.inclusion_probabilities)  # fixed by the history
    assert probs is not None
    assert float(probs.min()) >= 0.1
    inner = (probs > 0) & (probs < 1)
    z2 = (counts - runs * probs) ** 2 / (runs * probs * (1 - probs))
    stat = float(z2[inner].sum())
    assert stats.chi2.sf(stat, df=int(inner.sum())) > 1e-6
    assert np.array_equal(counts[~inner], runs * probs[~inner])


def test_same_draw_for_shuffled_registers_and_reordered_history() -> None:
    reg = register(300, "ABCD")
    rows = np.random.default_rng(3).permutation(len(reg))  # test-side shuffling only
    shuffled = reg.take(rows)
    ids = reg.ids.tolist()
    h1 = BurdenHistory.from_periods({"2023": ids[:40], "2024": ids[30:90]})
    h2 = BurdenHistory.from_periods({"2023": ids[:40][::-1], "2024": ids[30:90][::-1]})
    kw = {"seed": Seed.from_text("order"), "stream": "2025", "floor": 0.05, "default_ratio": 0.2}
    a = spread(reg, history=h1, **kw)  # type: ignore[arg-type]
    b = spread(shuffled, history=h2, **kw)  # type: ignore[arg-type]
    assert a.receipt == b.receipt
    assert a.burden_record() == b.burden_record()
    pa = dict(zip(reg.ids.tolist(), a.inclusion_probabilities.tolist(), strict=True))
    pb = dict(zip(shuffled.ids.tolist(), b.inclusion_probabilities.tolist(), strict=True))
    assert pa == pb


def test_empty_history_is_the_plain_draw() -> None:
    reg = register(400, "ABCD")
    ratios = {"A": 0.03, "B": 0.05, "C": 0.2, "D": 1.0}
    plain = draw(reg, seed=Seed.from_text("p"), stream="s", ratios=ratios)
    coord = spread(reg, seed=Seed.from_text("p"), stream="s", history=[],
                             floor=0.01, ratios=ratios)  # fmt: skip
    for k, s in plain.strata.items():
        assert coord.strata[k].ids == s.ids
        assert coord.strata[k].tickets.tolist() == s.tickets.tolist()
    assert np.array_equal(coord.inclusion_probabilities, plain.inclusion_probabilities)


def test_uncoordinated_strata_and_full_census() -> None:
    reg = register(200, "AD")
    ids = reg.ids.tolist()
    history = BurdenHistory.from_periods([ids[:60]])
    d = spread(reg, seed=Seed.from_text("c"), stream="s", history=history,
                         floor={"A": 0.05}, ratios={"A": 0.2, "D": 1.0})  # fmt: skip
    assert d.strata["D"].floor is None and d.strata["D"].sample_size == 100
    assert [t.periods for t in d.strata["D"].tiers] == [(-1, 0)]
    assert len(d.strata["A"].tiers) == 2
    rows_d = reg.risk_codes == 3
    assert (d.inclusion_probabilities[rows_d] == 1.0).all()
    json.dumps(d.burden_record())  # JSON-able


def test_small_strata_merge_the_most_recent_tiers_to_keep_the_floor() -> None:
    ids = [f"s{i}" for i in range(10)]
    last = [-1, -1, -1, -1, -1, 0, 1, 2, 3, 4]
    tk = tickets(np.arange(10, dtype=np.uint64), Seed.from_text("m"), "s")
    sel = coordinated_select(tk, ids, last, 1, floor=0.1)
    assert [t.periods for t in sel.tiers] == [(-1, 0, 1, 2, 3, 4)]
    assert sel.inclusion_probabilities.tolist() == [0.1] * 10
    sel = coordinated_select(tk, ids, last, 3, floor=0.1)
    assert all(t.probability >= Fraction(1, 10) for t in sel.tiers)
    assert sel.tiers[0].periods == (-1,)


def test_births_and_deaths_move_nothing_else() -> None:
    reg = register(100)
    ids = reg.ids.tolist()
    history = BurdenHistory.from_periods({"2024": ids[:20]})
    grown, _ = reg.apply(
        [RemoveTarget(id=ids[0]), RemoveTarget(id=ids[50])]
        + [AddTarget(target=Target(id=f"N{i}", name=f"N{i}", risk_class="A")) for i in range(5)]
    )
    kw = {"seed": Seed.from_text("b"), "stream": "2025", "history": history, "floor": 0.05}
    d = spread(grown, counts={"A": 20}, **kw)  # type: ignore[arg-type]
    tiers = d.strata["A"].tiers
    # a new unit has no history: it joins the never-inspected tier; a removed id in the
    # history is simply absent
    assert [(t.periods, t.population) for t in tiers] == [((-1,), 84), ((0,), 19)]
    # tickets of the units present in both registers are unchanged
    t_old = dict(zip(ids, tickets(reg.fingerprints, Seed.from_text("b"), "2025").tolist(),
                     strict=True))  # fmt: skip
    for i, t in zip(d.strata["A"].ids, d.strata["A"].tickets.tolist(), strict=True):
        assert i.startswith("N") or t_old[i] == t


def test_history_digest_and_validation() -> None:
    h = BurdenHistory.from_periods({"a": ["x", "y"], "b": ["y"]})
    assert h.digest() != BurdenHistory.from_periods({"b": ["y"], "a": ["x", "y"]}).digest()
    assert h.digest() != BurdenHistory.from_periods({"a": ["x"], "b": ["y"]}).digest()
    assert h.digest() != BurdenHistory.from_periods({"a": ["x", "y"], "c": ["y"]}).digest()
    assert h.append(["z"], label="c").labels == ("a", "b", "c")
    assert len(h.recent(5)) == 2 and len(BurdenHistory.from_periods([["q"]])) == 1
    with pytest.raises(ValidationError):
        BurdenHistory(labels=("a", "a"), inspected=(["x"], ["y"]))
    with pytest.raises(ValidationError):
        BurdenHistory(labels=("a",), inspected=([""],))
    with pytest.raises(ValidationError):
        h.recent(-1)


def test_bad_requests_are_refused_with_reasons() -> None:
    reg = register(100)
    seed = Seed.from_text("x")
    with pytest.raises(ValidationError, match="sampling fraction") as e:
        spread(reg, seed=seed, stream="s", history=[], floor=0.3, default_ratio=0.2)
    assert e.value.problems[0].id == "A"
    with pytest.raises(ValidationError, match="floor"):
        spread(reg, seed=seed, stream="s", history=[], floor=1.5, default_ratio=0.2)
    with pytest.raises(ValidationError, match="unknown stratum"):
        spread(reg, seed=seed, stream="s", history=[], floor=0.1, counts={"Z": 1})
    with pytest.raises(ValidationError):
        spread(reg, seed=seed, stream="s", history=[], floor=0.1, counts={"A": -1})
    with pytest.raises(ValidationError, match="TargetRegistry"):
        spread([], seed=seed, stream="s", history=[], floor=0.1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="Seed"):
        spread(reg, seed=1, stream="s", history=[], floor=0.1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        coordinated_select(np.zeros(3, dtype=np.uint64), ["a", "b"], [-1, -1, -1], 1, floor=0)
    with pytest.raises(ValidationError):
        coordinated_select(np.zeros(2, dtype=np.uint64), ["a", "b"], [-1, -1], 3, floor=0)


def test_unstratified_draw_and_allocation_rules_as_in_the_engine() -> None:
    reg = register(101, "AB")
    history = BurdenHistory.from_periods([reg.ids[:30].tolist()])
    d = spread(reg, seed="u", stream="s", history=history, floor=0.02,
                         default_ratio=0.03, stratify=None)  # fmt: skip
    assert list(d.strata) == ["ALL"] and d.strata["ALL"].sample_size == 4  # ceil(3.03)
    plain = draw(reg, seed="u", stream="s", stratify=None, default_ratio=0.03)
    assert d.strata["ALL"].sample_size == plain.strata["ALL"].sample_size
    d = spread(reg, seed="u", stream="s", history=[], floor=None,
                         ratios={"A": 0.01}, min_per_stratum=3)  # fmt: skip
    plain = draw(reg, seed="u", stream="s", ratios={"A": 0.01}, min_per_stratum=3)
    assert {k: s.sample_size for k, s in d.strata.items()} == {"A": 3, "B": 3, "C": 0, "D": 0}
    assert {k: s.ids for k, s in d.strata.items()} == {k: s.ids for k, s in plain.strata.items()}


# ------------------------------------------------ one engine path, one receipt, verify
def _burden_case() -> tuple[TargetRegistry, BurdenHistory, dict[str, object]]:
    reg = register(240, "ABCD")
    ids = reg.ids.tolist()
    history = BurdenHistory.from_periods({"2023": ids[0:70], "2024": ids[50:130]})
    kw: dict[str, object] = {
        "seed": "ceremony 2025",
        "stream": "2025/task-1",
        "ratios": {"A": 0.2, "B": 0.3, "C": 0.3, "D": 1.0},
        "floor": {"A": 0.05, "B": 0.1, "C": 0.2},
        "batches": 2,
    }
    return reg, history, kw


_B_REG, _B_HISTORY, _B_KW = _burden_case()
_B_DRAW = draw(_B_REG, history=History.from_periods(_B_HISTORY), **_B_KW)  # type: ignore[arg-type]
_B_RECEIPT = _B_DRAW.receipt


def _reseal(data: dict[str, object]) -> Receipt:
    """The receipt as a forger would publish it: edited, with a fresh receipt_digest."""
    r = Receipt.from_dict(data)
    return Receipt.from_dict({**data, "receipt_digest": r.computed_digest()})


def test_the_burden_spread_draw_is_the_engine_draw_and_its_receipt_verifies() -> None:
    kw = {k: v for k, v in _B_KW.items() if k != "batches"}
    periods = dict(zip(_B_HISTORY.labels, _B_HISTORY.inspected, strict=True))
    c = draw(_B_REG, history=History(periods=periods), **kw)  # type: ignore[arg-type]
    seed, stream = kw.pop("seed"), kw.pop("stream")
    d = draw(_B_REG, DrawPolicy(**kw), seed=seed, stream=stream,  # type: ignore[arg-type]
             history=History.from_periods(_B_HISTORY))  # fmt: skip
    assert c.receipt == d.receipt
    assert c.burden_record() == d.receipt.burden
    assert np.array_equal(c.inclusion_probabilities, d.inclusion_probabilities)
    report = verify(_B_RECEIPT, _B_REG, history=History(periods=_B_HISTORY))
    assert report.ok, str(report)
    assert verify(_B_RECEIPT, _B_REG, history=History.from_periods(_B_HISTORY)).ok
    # the receipt survives JSON and still verifies; the history may come as a mapping
    text = _B_RECEIPT.to_json()
    assert Receipt.from_json(text) == _B_RECEIPT
    periods = dict(zip(_B_HISTORY.labels, _B_HISTORY.inspected, strict=True))
    assert verify(text, _B_REG, history=History(periods=periods)).ok


def test_the_receipt_records_floor_history_digest_and_tiers() -> None:
    r = _B_RECEIPT
    assert r.policy["floor"] == {"A": 0.05, "B": 0.1, "C": 0.2}
    assert r.burden is not None
    assert r.burden["history"] == {"digest": _B_HISTORY.digest(), "periods": ["2023", "2024"]}
    a = r.burden["strata"]["A"]
    assert a["floor"] == 0.05 and a["sample_size"] == r.strata["A"]["sample_size"]
    assert sum(t["population"] for t in a["tiers"]) == r.strata["A"]["population"]
    assert r.burden["strata"]["D"]["floor"] is None  # not coordinated: 100% stratum
    # per-unit probabilities are the tiers' exact ratios
    probs = {Fraction(t["sample_size"], t["population"]) for t in a["tiers"] if t["population"]}
    assert {Fraction(p).limit_denominator(10**6) for p in r.strata["A"]["probabilities"]} <= probs
    # a draw without burden spreading has no burden key: its JSON is as before
    plain = draw(_B_REG, seed="ceremony 2025", stream="2025/task-1", ratios={"A": 0.2}).receipt
    assert "burden" not in plain.to_dict() and "floor" not in plain.policy


def test_missing_wrong_or_unexpected_history_is_said_clearly() -> None:
    missing = verify(_B_RECEIPT, _B_REG)
    assert [d.where for d in missing.differences] == ["burden.history"]
    assert "pass it as verify(..., history=History(periods=" in str(missing)
    wrong_history = _B_HISTORY.recent(1)
    wrong = verify(_B_RECEIPT, _B_REG, history=History(periods=wrong_history))
    wheres = [d.where for d in wrong.differences]
    assert wheres[0] == "burden.history.digest"
    assert any(w.startswith("burden.strata.A.tiers") for w in wheres)
    assert any(w == "strata.A.selected" for w in wheres)
    plain = draw(_B_REG, seed="s", stream="t", ratios={"A": 0.2}).receipt
    unexpected = verify(plain, _B_REG, history=History(periods=_B_HISTORY))
    assert [d.where for d in unexpected.differences] == ["burden"]


def _changed_history(k: int, how: str) -> BurdenHistory:
    labels = list(_B_HISTORY.labels)
    periods = [set(p) for p in _B_HISTORY.inspected]
    ids = _B_REG.ids.tolist()
    p = k % len(periods)
    if how == "add":
        periods[p].add(next(i for i in ids[k % len(ids) :] + ids if i not in periods[p]))
    elif how == "drop":
        periods[p].discard(sorted(periods[p])[k % len(periods[p])])
    else:
        labels[p] = labels[p] + "-x"
    return BurdenHistory(labels=tuple(labels), inspected=tuple(periods))


@given(
    kind=st.sampled_from(
        [
            "history_add",
            "history_drop",
            "history_label",
            "floor",
            "seed",
            "register_row",
            "selected_id",
            "tier",
        ]
    ),
    k=st.integers(0, 10_000),
)
def test_any_single_change_to_a_burden_spread_draw_is_detected(kind: str, k: int) -> None:
    data = _B_RECEIPT.to_dict()
    reg, history = _B_REG, _B_HISTORY
    label = "ABC"[k % 3]
    if kind.startswith("history_"):
        history = _changed_history(k, kind.removeprefix("history_"))
    elif kind == "floor":
        floors = dict(data["policy"]["floor"])
        floors[label] = round(floors[label] + 0.01 * (1 + k % 5), 2)
        data["policy"] = {**data["policy"], "floor": floors}
    elif kind == "seed":
        data["seed"] = f"{(int(data['seed'], 16) ^ (1 << (k % 256))):064x}"
    elif kind == "register_row":
        cols = {"id": reg.ids.tolist(), "risk_class": list(reg.column("risk_class"))}
        row = k % len(reg)
        cols["risk_class"][row] = "D" if cols["risk_class"][row] != "D" else "A"
        reg = TargetRegistry.from_columns(**cols)
    elif kind == "selected_id":
        stratum = data["strata"][label]
        sel = list(stratum["selected"])
        outside = [i for i in reg.ids.tolist() if i not in sel]
        sel[k % len(sel)] = outside[k % len(outside)]
        data["strata"] = {**data["strata"], label: {**stratum, "selected": sel}}
    else:  # one unit moved between two tiers of a stratum
        b = data["burden"]
        s = b["strata"][label]
        tiers = [dict(t) for t in s["tiers"]]
        tiers[0]["sample_size"] += 1
        tiers[-1]["sample_size"] -= 1
        strata = {**b["strata"], label: {**s, "tiers": tiers}}
        data["burden"] = {**b, "strata": strata}
    report = verify(_reseal(data), reg, history=History(periods=history))
    assert not report.ok, kind


def test_burden_spreading_is_refused_where_it_cannot_apply() -> None:
    reg = register(100)
    with pytest.raises(ValidationError, match="needs the inspection history"):
        draw(reg, seed="s", stream="t", default_ratio=0.2, floor=0.05)
    with pytest.raises(ValidationError, match="'smallest' method"):
        draw(reg, seed="s", stream="t", default_ratio=0.2, method="pareto", floor=0.05,
             history=History.from_periods([]))  # fmt: skip
    with pytest.raises(ValidationError, match="'smallest' method"):
        run_policy(reg, seed=Seed.from_text("s"), stream="t",
                   policy=DrawPolicy(default_ratio=0.2, method="poisson"),
                   burden=BurdenHistory.empty())  # fmt: skip
    with pytest.raises(ValidationError, match="floor must be a number"):
        DrawPolicy(default_ratio=0.2, floor={"A": 2.0})
    with pytest.raises(ValidationError, match="policy"):
        draw(reg, seed="s", stream="t", policy=DrawPolicy(default_ratio=0.2), floor=0.1)
    p = DrawPolicy(default_ratio=0.2, floor=0.05)
    assert DrawPolicy.from_record(p.to_record()) == p


def test_frequency_limits_targets_and_burden_spreading_together() -> None:
    reg = register(200, "AB")
    ids = reg.ids.tolist()
    history = BurdenHistory.from_periods({"2024": ids[:60]})
    freq = [(i, "K1", 1) for i in ids[100:110]]
    both = History(entries=freq, periods=history)
    d = draw(reg, seed="z", stream="2025", default_ratio=0.25, floor=0.05, history=both,
             item=ItemRule(id="K1", kind="key"), where={"risk_class": ["A"]})  # fmt: skip
    assert set(d.ids).isdisjoint(ids[100:110])
    a = d.receipt.burden["strata"]["A"]  # type: ignore[index]
    assert sum(t["population"] for t in a["tiers"]) == 95  # 100 A units, 5 limited
    assert verify(d.receipt, reg, history=History(entries=freq, periods=history)).ok
    assert verify(d.receipt, reg, history=both).ok
    # the receipt records each part on its own; the history's own digest covers both
    assert d.receipt.burden["history"]["digest"] == history.digest()  # type: ignore[index]
    assert both.digest() not in (History(entries=freq).digest(), History(periods=history).digest())
