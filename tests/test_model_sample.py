"""Tests for randsupervise.model.sample: determinism, counts, codes, feasibility."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

from randsupervise.model import sample
from randsupervise.model.credit_code import is_valid_credit_code
from randsupervise.model.items import ItemKind
from randsupervise.model.sample import (
    SAMPLE_REGIONS,
    _pick,
    sample_inspectors,
    sample_items,
    sample_target_columns,
)
from randsupervise.model.targets import ENTITY_KINDS, TargetKind, TargetRegistry

COLUMNS = ("id", "name", "kind", "region", "industry", "risk_class", "status", "weight")


@pytest.fixture(scope="module")
def cols() -> dict[str, list[object]]:
    return sample_target_columns()


def test_deterministic() -> None:
    assert sample_target_columns() == sample_target_columns()
    assert sample_inspectors() == sample_inspectors()
    assert sample_items() == sample_items()
    assert sample_inspectors().digest() == sample_inspectors().digest()
    assert sample_items().digest() == sample_items().digest()


def test_pick_is_a_pure_function_in_range() -> None:
    values = [_pick("x", i, 7) for i in range(700)]
    assert values == [_pick("x", i, 7) for i in range(700)]
    assert set(values) == set(range(7))
    assert values != [_pick("y", i, 7) for i in range(700)]


def test_no_random_module_used() -> None:
    tree = ast.parse(Path(sample.__file__).read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert "random" not in imported and "numpy" not in imported


def test_columns_shape(cols: dict[str, list[object]]) -> None:
    assert tuple(cols) == COLUMNS
    assert {len(v) for v in cols.values()} == {1500}
    assert len(set(cols["id"])) == 1500
    assert set(cols["region"]) == set(SAMPLE_REGIONS)
    assert set(cols["risk_class"]) == {"A", "B", "C", "D"}
    assert set(cols["status"]) == {"active", "deregistered", "unreachable"}
    assert all(isinstance(w, float) and w > 0 for w in cols["weight"])


def test_distributions(cols: dict[str, list[object]]) -> None:
    risk = Counter(cols["risk_class"])
    assert risk["A"] > risk["B"] > risk["C"] > risk["D"] > 0
    assert (risk["A"] + risk["B"]) / 1500 > 0.7
    status = Counter(cols["status"])
    assert status["active"] / 1500 > 0.9
    assert 0 < status["deregistered"] < 60 and 0 < status["unreachable"] < 60
    kinds = Counter(cols["kind"])
    assert set(kinds) == {k.value for k in TargetKind}
    regions = Counter(cols["region"])
    assert min(regions.values()) > 150
    industries = Counter(cols["industry"])
    assert {"网吧", "娱乐场所", "旅行社", "演出场所", "A级旅游景区"} <= set(industries)


def test_weights_follow_risk_class(cols: dict[str, list[object]]) -> None:
    bounds = {"A": (0.5, 1.0), "B": (1.0, 2.0), "C": (2.0, 4.0), "D": (4.0, 8.0)}
    for risk, weight in zip(cols["risk_class"], cols["weight"], strict=True):
        lo, hi = bounds[str(risk)]
        assert lo <= float(str(weight)) <= hi


def test_entity_ids_are_valid_credit_codes(cols: dict[str, list[object]]) -> None:
    for unit_id, kind in zip(cols["id"], cols["kind"], strict=True):
        if kind in ENTITY_KINDS:
            assert is_valid_credit_code(str(unit_id)), unit_id
            assert str(unit_id)[2:8] == "999901"
        else:
            assert str(unit_id)[0] in "PJB" and str(unit_id)[1] == "-"


def test_non_market_targets_are_active(cols: dict[str, list[object]]) -> None:
    for kind, status in zip(cols["kind"], cols["status"], strict=True):
        if kind not in ENTITY_KINDS:
            assert status == "active"


def test_names_are_plainly_fictional(cols: dict[str, list[object]]) -> None:
    assert all(str(n).startswith("示例") and " / Sample " in str(n) for n in cols["name"])
    assert all(p.name.startswith("示例") for p in sample_inspectors())


def test_builds_a_register_with_checked_credit_codes(cols: dict[str, list[object]]) -> None:
    registry = TargetRegistry.from_columns(**cols, check_credit_codes=True)  # type: ignore[arg-type]
    assert len(registry) == 1500


def test_inspectors() -> None:
    pool = sample_inspectors()
    assert len(pool) == 40
    assert len(pool.sub_pool(department="文化市场综合行政执法大队")) == 24
    team = pool.sub_pool(department="文化市场综合行政执法大队")
    assert sum(p.certified for p in team) > len(team) * 0.8
    experts = [p for p in pool if p.expert]
    assert len(experts) == 3 and not any(p.certified for p in experts)
    assert {"市场监督管理局", "消防救援大队", "公安局"} <= set(pool.departments)
    assert {"网络文化", "娱乐场所", "旅游", "演出", "消防", "出版物"} <= set(pool.tags)
    assert set(pool.regions) == set(SAMPLE_REGIONS)


def test_items() -> None:
    items = sample_items()
    assert 10 <= len(items) <= 14
    assert len(items.key_items) <= (items.max_key_items or 0)
    for item in items.general_items:
        assert item.ratio_cap is not None and 0.05 <= item.ratio_cap <= 0.2
    assert all(item.kind is ItemKind.KEY for item in items.key_items)
    assert all(item.legal_basis.startswith("《") for item in items)
    covered = set().union(*(item.target_kinds for item in items))
    assert covered == set(Counter(sample_target_columns()["kind"]))


def test_every_item_is_staffable_in_every_region() -> None:
    # Each check needs two certified non-expert officers holding the item's tags
    # (行政处罚法 art. 42); the sample must make every item feasible everywhere.
    pool = sample_inspectors()
    for item in sample_items():
        for region in SAMPLE_REGIONS:
            able = [
                p
                for p in pool.sub_pool(region=region, available=True, counts_toward_quota=True)
                if item.required_qualifications <= p.tags
            ]
            assert len(able) >= 2, (item.id, region)


def test_sample_data_and_digest_format_are_pinned() -> None:
    # Pinned values: a failure means the sample data or the canonical digest form changed;
    # either is a visible change (docs, receipts of demo draws) and belongs in the CHANGELOG.
    from randsupervise._core.canonical import sha256_hex

    assert sample_items().digest() == (
        "997e5a580ed3dd745b33ccd3eb6fb519bc60d3f492887c9269a4d27b82b3adf6"
    )
    assert sample_inspectors().digest() == (
        "4e2ae93758249fdf7e07fad08182900f3b869c35c8957b98c71bfe8a3be7635e"
    )
    assert sha256_hex(sample_target_columns()) == (
        "b2da75f9f2b454ccfa23f2af1157989705ae48df2bb4e132c54add5ff17d39af"
    )
