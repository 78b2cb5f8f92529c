"""The library checks its own draw, partitioned draw, assignment and receipts with the
fairness checks it ships (randsupervise.testing.fairness), and the checks catch biased
stand-ins.

False-positive rates: every statistical check below runs with alpha = 1e-3 on fixed,
public seeds; a correct draw fails with probability at most 1e-3 over the choice of seeds,
and since the seeds are fixed a passing test passes on every run.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from randsupervise.assign import AssignmentProblem, VisitRequest, assign
from randsupervise.assign import verify as verify_assignment
from randsupervise.draw import Draw, DrawPolicy, History, Seed, draw, run_policy
from randsupervise.draw.dask import draw_dask
from randsupervise.model import InspectionItem, TargetRegistry, sample_inspectors, sample_registry
from randsupervise.testing.fairness import (
    _binomial_p_values,
    _power,
    check_assignment_uniformity,
    check_batch_independence,
    check_inclusion_probabilities,
    check_order_invariance,
    check_partition_invariance,
    check_receipt,
    public_seeds,
    runs_needed,
)
from randsupervise.testing.strategies import registries, seeds

RATIOS = {"A": 0.03, "B": 0.05, "C": 0.2, "D": 0.5}


@pytest.fixture(scope="module")
def sample() -> TargetRegistry:
    return sample_registry()


def stratified(registry: TargetRegistry, seed: Seed) -> Draw:
    return draw(registry, seed=seed, stream="2024/G01", ratios=RATIOS)


# --------------------------------------------------------------------------- inclusion


@pytest.mark.parametrize("method", ["smallest", "poisson"])
def test_exact_designs_match_their_probabilities(sample: TargetRegistry, method: str) -> None:
    # weights vary by risk class, so unequal-probability designs have unequal p
    reg = sample.take(np.arange(300))

    def run(r: TargetRegistry, s: Seed) -> Draw:
        return draw(r, seed=s, stream="2024/G02", ratios=RATIOS, method=method)

    # the smallest p (0.024 under Poisson) needs 541 seeds before a unit never drawn shows
    report = check_inclusion_probabilities(run, reg, seeds=560)
    assert report.passed and report.n_seeds == 560 and report.threshold < 1e-3
    assert report.underpowered == 0 and report.runs_needed is not None
    assert report.runs_needed <= 560


def test_pareto_matches_its_targets_within_a_tolerance() -> None:
    # Pareto πps reports target probabilities; achieved ones approximate them (Rosén 1997)
    reg = TargetRegistry.from_columns(
        id=[f"U{i:03}" for i in range(60)],
        risk_class=["B"] * 60,
        weight=[1.0 + (i % 5) for i in range(60)],
    )

    def run(r: TargetRegistry, s: Seed) -> Draw:
        return draw(r, seed=s, stream="pips", counts={"B": 12}, method="pareto")

    assert check_inclusion_probabilities(run, reg, seeds=300, tolerance=0.02).passed


def test_targeted_draw_with_an_item_cap_and_history(sample: TargetRegistry) -> None:
    item = InspectionItem(
        id="G09", name="n", department="d", kind="general", legal_basis="l", content="c",
        method="m", target_kinds={"enterprise"}, ratio_cap=0.5,
    )  # fmt: skip
    history = [(uid, "G09", 1) for uid in sample.ids[:40].tolist()]

    def run(r: TargetRegistry, s: Seed) -> Draw:
        return draw(r, seed=s, stream="G09", default_ratio=0.3, item=item,
                    history=History.from_entries(history),
                    where={"kind": "enterprise"})  # fmt: skip

    # the 40 units at their yearly limit are reported with p = 0 and must never be drawn
    report = check_inclusion_probabilities(run, sample, seeds=150)
    assert report.n_tested < len(sample)


def test_a_draw_that_drops_the_largest_id_is_caught() -> None:
    reg = TargetRegistry.from_columns(id=[f"T{i:02}" for i in range(40)], risk_class="ABCD" * 10)
    largest = max(reg.ids.tolist())

    class Biased:
        def __init__(self, d: Draw) -> None:
            self.ids = [i for i in d.ids if i != largest]
            self.inclusion_probabilities = d.inclusion_probabilities

    def biased(r: TargetRegistry, s: Seed) -> Biased:
        return Biased(stratified(r, s))

    with pytest.raises(AssertionError, match=rf"'{largest}': reported p=0\.5000, drawn 0 of 200"):
        check_inclusion_probabilities(biased, reg, seeds=200)


def test_a_draw_rerun_when_a_friend_is_drawn_is_caught(sample: TargetRegistry) -> None:
    # an operator who re-runs the draw (another stream) once when a friend's firm comes up
    reg = sample.take(np.arange(200))
    friend = reg.ids[reg.risk_codes == 2][0]

    def rerun(r: TargetRegistry, s: Seed) -> Draw:
        d = stratified(r, s)
        return stratified(r, Seed.from_text(s.hex + " again")) if friend in d.ids else d

    with pytest.raises(AssertionError, match=f"(?s)1 of 200 units deviate.*'{friend}'"):
        check_inclusion_probabilities(rerun, reg, seeds=300)


def test_selecting_an_unknown_or_repeated_id_fails(sample: TargetRegistry) -> None:
    p = np.full(len(sample), 0.5)
    with pytest.raises(AssertionError, match="not in the register"):
        check_inclusion_probabilities(lambda r, s: ["nope"], sample, seeds=2, probabilities=p)
    first = sample.ids[0]
    with pytest.raises(AssertionError, match="same id twice"):
        check_inclusion_probabilities(lambda r, s: [first, first], sample, seeds=2, probabilities=p)


@pytest.mark.parametrize("bad", [0, 1, -0.1, 2.0])
def test_alpha_must_be_a_rate(sample: TargetRegistry, bad: float) -> None:
    with pytest.raises(ValueError, match="alpha"):
        check_inclusion_probabilities(stratified, sample, seeds=2, alpha=bad)


def test_public_seeds_are_stable() -> None:
    assert public_seeds(3) == public_seeds(3)
    assert public_seeds(1)[0] == Seed.from_text("randsupervise.testing/0")
    with pytest.raises(ValueError):
        public_seeds(0)


# --------------------------------------------------------------------------- power
#
# A check that cannot detect the bias it tests for must not pass. The scenario: a large
# register drawn at 5% for 200 seeds, by a draw that never selects five units. Scaled
# down from 50,000 units to 5,000 so it runs in about a second; the numbers are exact:
# with m = 5000 units tested at alpha = 0.001, a unit never drawn is caught once
# 2 * 0.95^S < 0.001 / 5000, that is from S = 315 seeds (360 for 50,000 units).

SHIELDED = ("U0007", "U1234", "U2500", "U3333", "U4999")


@pytest.fixture(scope="module")
def large() -> TargetRegistry:
    return TargetRegistry.from_columns(id=[f"U{i:04}" for i in range(5000)], risk_class="A" * 5000)


class _Shielded:
    """A wrapper that never selects five units, yet reports the engine's probabilities."""

    def __init__(self, d: Draw) -> None:
        self.ids = [i for i in d.ids if i not in SHIELDED]
        self.inclusion_probabilities = d.inclusion_probabilities


def shielding(registry: TargetRegistry, seed: Seed) -> _Shielded:
    return _Shielded(draw(registry, seed=seed, stream="2025/A", ratios={"A": 0.05}))


def test_too_few_seeds_to_see_a_shielded_unit_is_inconclusive(large: TargetRegistry) -> None:
    report = check_inclusion_probabilities(shielding, large, seeds=200, allow_inconclusive=True)
    # no unit deviates: before reports had a verdict, this counted as a pass
    assert report.failures == ()
    assert report.verdict == "inconclusive" and not report.passed
    assert report.underpowered == 5000 and report.runs_needed == 315
    assert "315 runs are needed" in str(report)
    with pytest.raises(AssertionError, match="inconclusive: 200 runs cannot detect a unit that "
                       "is never drawn in 5000 of 5000 units tested") as info:  # fmt: skip
        check_inclusion_probabilities(shielding, large, seeds=200)
    assert "315 runs are needed" in str(info.value)


def test_one_seed_fewer_than_needed_is_still_inconclusive(large: TargetRegistry) -> None:
    report = check_inclusion_probabilities(shielding, large, seeds=314, allow_inconclusive=True)
    assert report.verdict == "inconclusive" and report.runs_needed == 315


def test_runs_needed_plans_what_the_report_finds(large: TargetRegistry) -> None:
    p = [0.05] * len(large)
    assert runs_needed(p) == 315  # the report's number, before any draw
    looser, halved = runs_needed(p, alpha=0.01), runs_needed(p, effect=0.5)
    assert looser is not None and halved is not None and looser < 315 < halved
    assert runs_needed(p, tolerance=0.05) is None
    assert runs_needed([0.0, 1.0]) == 1
    with pytest.raises(ValueError):
        runs_needed([1.5])


def test_the_runs_needed_catch_every_shielded_unit(large: TargetRegistry) -> None:
    with pytest.raises(AssertionError, match="5 of 5000 units deviate") as info:
        check_inclusion_probabilities(shielding, large, seeds=315)
    for uid in SHIELDED:
        assert f"{uid!r}: reported p=0.0500, drawn 0 of 315 times" in str(info.value)


def test_a_fair_draw_with_the_runs_needed_passes(large: TargetRegistry) -> None:
    reg = large.take(np.arange(500))
    report = check_inclusion_probabilities(
        lambda r, s: draw(r, seed=s, stream="2025/A", ratios={"A": 0.05}), reg, seeds=270
    )
    assert report.verdict == "passed" and report.runs_needed is not None
    assert report.runs_needed <= 270


def _flagged_low(trials: int, p: float, tolerance: float, threshold: float) -> np.ndarray:
    """The counts the check flags as too low, by evaluating its test at every count."""
    counts = np.arange(trials + 1, dtype=np.int64)
    pv = _binomial_p_values(counts, trials, np.full(trials + 1, p), tolerance)
    return counts[(pv < threshold) & (counts < p * trials)]


@settings(max_examples=40, deadline=None)
@given(
    st.floats(min_value=0.02, max_value=0.95),
    st.integers(min_value=1, max_value=2000),
    st.sampled_from([0.0, 0.01]),
)
def test_runs_needed_for_a_unit_never_drawn_is_the_smallest(
    p: float, m: int, tolerance: float
) -> None:
    threshold = 1e-3 / m
    need = _power(np.array([p]), 1, threshold, tolerance, 1.0, 0.9).runs_needed
    assert need is not None
    # a count of 0 is flagged with `need` runs and not with one fewer
    assert 0 in _flagged_low(need, p, tolerance, threshold)
    assert need == 1 or 0 not in _flagged_low(need - 1, p, tolerance, threshold)


@pytest.mark.parametrize("p", [0.05, 0.2, 0.6])
def test_runs_needed_for_a_relative_shortfall_reach_the_stated_power(p: float) -> None:
    from scipy import stats

    threshold = 1e-3 / 100
    got = _power(np.array([p]), 10, threshold, 0.0, 0.5, 0.9)
    assert got.underpowered == 1 and got.runs_needed is not None
    flagged = _flagged_low(got.runs_needed, p, 0.0, threshold)
    # the chance that a unit drawn at half its probability lands among the flagged counts
    assert stats.binom.cdf(flagged.max(), got.runs_needed, p / 2) >= 0.9


@pytest.mark.parametrize("trials", [400, 401, 437, 512, 900])
def test_a_powered_run_never_needs_more_runs_than_it_made(trials: int) -> None:
    # the power of the exact test saw-tooths in the runs: a powered run must still report
    # a number no larger than its own
    p = np.array([0.1, 0.3])
    got = _power(p, trials, 1e-3 / 2, 0.0, 0.5, 0.9)
    if got.underpowered == 0:
        assert got.runs_needed is not None and got.runs_needed <= trials
    else:
        assert got.runs_needed is not None and got.runs_needed > 0


def test_a_shortfall_within_the_tolerance_is_never_detectable(sample: TargetRegistry) -> None:
    reg = sample.take(np.arange(50))
    with pytest.raises(AssertionError, match="no number of runs suffices"):
        check_inclusion_probabilities(stratified, reg, seeds=50, tolerance=0.25)


@pytest.mark.parametrize("bad", [{"effect": 0.0}, {"effect": 1.5}, {"power": 1.0}, {"power": 0}])
def test_effect_and_power_are_validated(sample: TargetRegistry, bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        check_inclusion_probabilities(stratified, sample, seeds=1, **bad)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- invariance


@settings(max_examples=25)
@given(registries(max_size=40, statuses=["active"]), seeds())
def test_any_register_draws_independently_of_row_order(reg: TargetRegistry, seed: Seed) -> None:
    check_order_invariance(
        lambda r, s: draw(r, seed=s, stream="any", default_ratio=0.4), reg, seeds=[seed]
    )


@settings(max_examples=25)
@given(registries(max_size=40), st.sampled_from(["risk_class", "region", None]), seeds())
def test_any_register_draws_the_same_in_shards(
    reg: TargetRegistry, stratify: str | None, seed: Seed
) -> None:
    check_partition_invariance(
        lambda r, s: draw(r, seed=s, stream="any", default_ratio=0.3, stratify=stratify),
        reg,
        seeds=[seed],
        parts=(1, 2, 5),
    )


def test_order_dependent_draws_are_caught(sample: TargetRegistry) -> None:
    with pytest.raises(AssertionError, match="reversed rows"):
        check_order_invariance(lambda r, s: r.ids[:5].tolist(), sample)


def _in_row_order(registry: TargetRegistry, seed: Seed) -> list[str]:
    """The library's selection, listed in the order of the register's rows, as a query
    against a table would return it: the same set whatever the row order."""
    chosen = set(stratified(registry, seed).ids)
    return [i for i in registry.ids.tolist() if i in chosen]


def test_an_unordered_draw_is_compared_as_a_set(sample: TargetRegistry) -> None:
    reg = sample.take(np.arange(200))
    with pytest.raises(AssertionError, match=r"selected ids \(in order\): first difference"):
        check_order_invariance(_in_row_order, reg)
    report = check_order_invariance(_in_row_order, reg, ordered=False)
    assert report.compared == ("selected ids (in any order)",) and report.cases == 9
    # a Python set works the same way
    report = check_order_invariance(lambda r, s: set(_in_row_order(r, s)), reg, ordered=False)
    assert report.cases == 9


def test_an_unordered_draw_that_depends_on_row_order_is_still_caught(
    sample: TargetRegistry,
) -> None:
    with pytest.raises(AssertionError, match=r"selected ids \(in any order\)"):
        check_order_invariance(lambda r, s: set(r.ids[:5].tolist()), sample, ordered=False)
    with pytest.raises(ValueError, match="ordered"):
        check_order_invariance(_in_row_order, sample, ordered="no")  # type: ignore[arg-type]


def test_dask_draw_equals_the_in_memory_draw(sample: TargetRegistry) -> None:
    import dask.dataframe as dd
    import pandas as pd

    def sharded(shards: list[TargetRegistry], seed: Seed) -> Any:
        frames = [pd.DataFrame(s.to_records()) for s in shards]
        frames = [f for f in frames if len(f)]
        ddf = dd.from_pandas(pd.concat(frames), npartitions=max(1, len(frames)), sort=False)
        return draw_dask(ddf, seed=seed, stream="2024/G01", ratios=RATIOS, scheduler="synchronous")

    report = check_partition_invariance(
        stratified, sample.take(np.arange(300)), sharded_draw_fn=sharded, seeds=1, parts=(2, 3)
    )
    assert "receipt" in report.compared


def test_a_sharded_draw_returning_a_set_is_compared_as_a_set(sample: TargetRegistry) -> None:
    reg = sample.take(np.arange(120))

    def sharded(shards: list[TargetRegistry], seed: Seed) -> set[str]:
        # each shard's part of the whole draw, gathered shard by shard in no fixed order
        chosen = set(stratified(reg, seed).ids)
        return {i for s in reversed(shards) for i in s.ids.tolist() if i in chosen}

    report = check_partition_invariance(
        _in_row_order, reg, sharded_draw_fn=sharded, seeds=1, ordered=False
    )
    assert report.compared == ("selected ids (in any order)",)


def test_a_sharded_draw_that_loses_a_shard_is_caught(sample: TargetRegistry) -> None:
    def lossy(shards: list[TargetRegistry], seed: Seed) -> Any:
        return stratified(shards[0], seed)  # the other shards are lost

    with pytest.raises(AssertionError, match="partition invariance fails"):
        check_partition_invariance(stratified, sample, sharded_draw_fn=lossy, seeds=1)


# --------------------------------------------------------------------------- assignment


def _visits_and_eligible() -> tuple[list[VisitRequest], dict[str, list[str]]]:
    pool = sample_inspectors()
    dept = "文化市场综合行政执法大队"
    visits = [
        VisitRequest(id=f"V{k}", target=f"T{k}", region="东城镇", departments=[dept])
        for k in range(4)
    ]
    eligible = pool.sub_pool(
        department=dept, region="东城镇", counts_toward_quota=True, available=True
    ).ids
    return visits, {v.id: list(eligible) for v in visits}


def test_an_assignment_checked_with_too_few_seeds_is_inconclusive() -> None:
    pool = ["I1", "I2", "I3", "I4"]

    def fixed_pair(seed: Seed) -> dict[str, list[str]]:
        return {"V1": ["I1", "I2"]}  # never I3 or I4: unfair, but 10 seeds cannot tell

    report = check_assignment_uniformity(
        fixed_pair, eligible={"V1": pool}, seeds=10, allow_inconclusive=True
    )
    # each pair's p is 1/2: caught when 2 * 0.5^S < 0.001 / 4, from S = 13
    assert report.verdict == "inconclusive" and report.runs_needed == 13
    with pytest.raises(AssertionError, match="13 runs are needed"):
        check_assignment_uniformity(fixed_pair, eligible={"V1": pool}, seeds=10)
    with pytest.raises(AssertionError, match=r"4 of 4 .* pairs deviate"):
        check_assignment_uniformity(fixed_pair, eligible={"V1": pool}, seeds=13)


def test_assignment_is_uniform_among_interchangeable_officers() -> None:
    visits, eligible = _visits_and_eligible()
    pool = sample_inspectors()
    report = check_assignment_uniformity(
        lambda s: assign(visits, pool, seed=s, stream="2024/teams"), eligible=eligible, seeds=300
    )
    assert report.passed and report.n_pairs == sum(len(e) for e in eligible.values())


def test_an_assignment_that_prefers_the_first_officer_is_caught() -> None:
    visits, eligible = _visits_and_eligible()
    pool = sample_inspectors()
    first = min(eligible["V0"])

    def biased(s: Seed) -> dict[str, list[str]]:
        teams = {t.visit: list(t.officers) for t in assign(visits, pool, seed=s, stream="t").teams}
        if first not in teams["V0"]:
            teams["V0"][0] = first
        return teams

    with pytest.raises(AssertionError, match=f"visit 'V0': '{first}'"):
        check_assignment_uniformity(biased, eligible=eligible, seeds=200)


# --------------------------------------------------------------------------- batch order

BATCH_RATIOS = {"A": 0.03, "B": 0.1, "C": 0.3, "D": 1.0}


def test_the_librarys_batches_are_independent_of_class_region_and_kind(
    sample: TargetRegistry,
) -> None:
    def three_batches(r: TargetRegistry, s: Seed) -> Draw:
        return draw(r, seed=s, stream="2024/K01", ratios=BATCH_RATIOS, batches=3)

    report = check_batch_independence(three_batches, sample)
    assert report.passed and report.n_seeds == 200 and report.batches == 3
    assert report.categories == ("A", "B", "C", "D") and report.dof == 6
    assert sum(map(sum, report.table)) == 200 * (21 + 53 + 62 + 75)
    for column in ("region", "kind"):
        assert check_batch_independence(three_batches, sample, column=column).passed


def test_batches_cut_in_selection_order_are_caught(sample: TargetRegistry) -> None:
    """Draw version 1 (batches cut in selection order) and a wrapper that puts class A
    first are both caught, with the table in the message."""

    def version_1(r: TargetRegistry, s: Seed) -> Draw:
        return run_policy(r, seed=s, stream="2024/K01", version=1,
                          policy=DrawPolicy(ratios=BATCH_RATIOS, batches=3))  # fmt: skip

    with pytest.raises(AssertionError, match=r"batches depend on risk_class .*\n.*\n.*A"):
        check_batch_independence(version_1, sample)

    codes = sample.codes("risk_class")

    def a_first(r: TargetRegistry, s: Seed) -> list[list[str]]:
        d = draw(r, seed=s, stream="2024/K01", ratios=BATCH_RATIOS, batches=3)
        ids = sorted(d.ids, key=lambda i: codes[r.index_of([i])[0]] != 0)  # stable: A first
        sizes = [len(b) for b in d.batches]
        return [ids[sum(sizes[:b]) : sum(sizes[: b + 1])] for b in range(3)]

    with pytest.raises(AssertionError, match="p-value"):
        check_batch_independence(a_first, sample, seeds=50)


def test_batch_check_needs_batches_and_a_known_column(sample: TargetRegistry) -> None:
    with pytest.raises(ValueError, match="one batch under every seed"):
        check_batch_independence(stratified, sample, seeds=3)
    with pytest.raises(ValueError, match="unknown column"):
        check_batch_independence(stratified, sample, column="colour", seeds=3)
    with pytest.raises(TypeError, match="sequence of ids"):
        check_batch_independence(lambda r, s: ["T1", 2], sample, seeds=3)
    with pytest.raises(AssertionError, match="twice"):
        check_batch_independence(lambda r, s: [["x"], ["x"]], sample, seeds=3)


# --------------------------------------------------------------------------- receipts


@pytest.mark.parametrize("batches", [1, 3])
def test_every_single_tampering_of_a_draw_receipt_is_caught(
    sample: TargetRegistry, batches: int
) -> None:
    d = draw(sample, seed="2024 ceremony: 3 1 4 1 5", stream="2024/G01", ratios=RATIOS,
             batches=batches)  # fmt: skip
    report = check_receipt(d, sample, max_list_items=10)
    assert report.passed and len(report.tamperings) > 100
    wheres = {t.where for t in report.tamperings}
    assert {"seed", "stream", "registry_digest", "seed: another public seed"} <= wheres
    assert any(w.startswith("register: ") for w in wheres)
    assert all(t.where.startswith(("policy", "seed_source")) for t in report.harmless)


def test_frequency_limited_receipts_are_checked_with_their_history(sample: TargetRegistry) -> None:
    item = InspectionItem(
        id="K01", name="n", department="d", kind="key", legal_basis="l", content="c",
        method="m", target_kinds={"enterprise"},
    )  # fmt: skip
    history = [(uid, "K01", 1) for uid in sample.ids[:25].tolist()]
    d = draw(
        sample,
        seed="s",
        stream="K01",
        default_ratio=0.05,
        item=item,
        history=History.from_entries(history),
    )
    from randsupervise.draw import verify

    report = check_receipt(
        d, sample, verify_fn=lambda r, reg: verify(r, reg, history=history), max_list_items=5
    )
    assert report.passed


def test_assignment_receipts_resist_tampering() -> None:
    visits, _ = _visits_and_eligible()
    pool = sample_inspectors()
    a = assign(visits, pool, seed=Seed.from_text("ceremony"), stream="2024/teams")
    problem = AssignmentProblem(visits=visits, pool=pool)
    report = check_receipt(
        a, verify_fn=lambda r, _: verify_assignment(problem, r), unordered=("teams",)
    )
    assert report.passed and len(report.tamperings) > 20


def test_a_verifier_that_ignores_the_register_is_caught(sample: TargetRegistry) -> None:
    d = stratified(sample, Seed.from_text("x"))
    from randsupervise.draw import verify

    def blind(receipt: dict[str, Any], registry: TargetRegistry | None) -> bool:
        return not [x for x in verify(receipt, sample).differences]

    with pytest.raises(AssertionError, match=r"register: one row added \(register\): missed"):
        check_receipt(d, sample, verify_fn=blind, max_list_items=2)


def test_a_receipt_that_does_not_verify_fails_at_once(sample: TargetRegistry) -> None:
    d = stratified(sample, Seed.from_text("x"))
    with pytest.raises(AssertionError, match="does NOT verify") as info:
        check_receipt(d, sample.take(np.arange(10)))
    # verify's own differences, with the value in the receipt and the value recomputed
    assert "- registry_digest: " in str(info.value)
    assert f"receipt {d.receipt.registry_digest!r}" in str(info.value)


def test_a_seed_that_is_not_the_hash_of_its_source_is_named(sample: TargetRegistry) -> None:
    d = stratified(sample, Seed(value=bytes(32), source="not the source"))
    with pytest.raises(AssertionError, match="seed: the seed is not the hash of its stated"):
        check_receipt(d, sample)


@settings(max_examples=10, deadline=None)
@given(seeds())
def test_draws_under_generated_seeds_have_receipts_that_check(seed: Seed) -> None:
    reg = sample_registry().take(np.arange(40))
    d = draw(reg, seed=seed, stream="2024/G01", ratios=RATIOS)
    report = check_receipt(d, reg, max_list_items=2)
    assert report.passed
