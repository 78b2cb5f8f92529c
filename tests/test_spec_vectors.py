"""Digest and assignment vectors (``tests/vectors/digests_v1.json``) pinned twice: against
the library and against the outsider implementation written from ``docs/spec/`` with the
standard library only (``tests/outsider/outsider.py``)."""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from randsupervise._core.canonical import canonical_json, sha256_hex
from randsupervise.assign import (
    AssignmentProblem,
    JointRule,
    RegionRule,
    VisitRequest,
    assign,
    visits_digest,
)
from randsupervise.draw import BurdenHistory, History, ItemRule, Seed, draw
from randsupervise.errors import ValidationError
from randsupervise.model import TargetRegistry
from randsupervise.model.items import InspectionItem, ItemList
from randsupervise.model.targets import registry_digest_from_row_hashes

HERE = Path(__file__).parent
VECTORS: dict[str, Any] = json.loads(
    (HERE / "vectors" / "digests_v1.json").read_text(encoding="utf-8")
)


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


OUTSIDER = _load("spec_outsider", HERE / "outsider" / "outsider.py")
GEN = _load("spec_generate_digests_v1", HERE / "vectors" / "generate_digests_v1.py")


def _ids(cases: list[dict[str, Any]], key: str = "name") -> list[str]:
    return [str(c.get(key, k)) for k, c in enumerate(cases)]


def test_the_outsider_uses_the_standard_library_only() -> None:
    tree = ast.parse((HERE / "outsider" / "outsider.py").read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
    assert modules - {"__future__"} <= set(sys.stdlib_module_names), modules


# ------------------------------------------------------------------------------ registers
@pytest.mark.parametrize("case", VECTORS["registers"], ids=_ids(VECTORS["registers"]))
def test_register_digest(case: dict[str, Any]) -> None:
    reg = GEN._register(case["columns"], case["allow_empty"])
    assert reg.digest() == case["digest"]
    assert [f"{h:016x}" for h in reg.row_hashes().tolist()] == case["row_hashes"]
    rows = OUTSIDER.register_row_hashes(case["columns"])
    assert [f"{h:016x}" for h in rows] == case["row_hashes"]
    assert OUTSIDER.register_digest(case["columns"]) == case["digest"]
    # shards: any partition, any order
    parts = [rows[1::2], rows[0::2][::-1]]
    assert OUTSIDER.register_digest_from_row_hashes(parts) == case["digest"]
    hashes = reg.row_hashes()
    assert registry_digest_from_row_hashes([hashes[1::2], hashes[0::2][::-1]]) == case["digest"]


def test_register_vectors_that_must_agree_do() -> None:
    by = {c["name"]: c["digest"] for c in VECTORS["registers"]}
    assert by["register-basic"] == by["register-basic-permuted"]
    assert by["register-defaults"] == by["register-defaults-explicit"]
    with pytest.raises(ValidationError, match="NUL"):  # two inputs cannot share a digest
        TargetRegistry.from_columns(id=["n1"], risk_class=["A"], name=["x\x00"])
    zeros = TargetRegistry.from_columns(id=["z1", "z2"], risk_class=["A", "A"], weight=[0.0, 0.0])
    assert by["register-negative-zero"] == zeros.digest()


# ------------------------------------------------------------------------------ histories
@pytest.mark.parametrize("case", VECTORS["burden_histories"], ids=_ids(VECTORS["burden_histories"]))
def test_burden_history_digest(case: dict[str, Any]) -> None:
    periods = [(label, ids) for label, ids in case["periods"]]
    assert BurdenHistory.from_periods(dict(periods)).digest() == case["digest"]
    assert OUTSIDER.burden_history_digest(periods) == case["digest"]


@pytest.mark.parametrize(
    "case", VECTORS["frequency_histories"], ids=_ids(VECTORS["frequency_histories"])
)
def test_frequency_history_digest(case: dict[str, Any]) -> None:
    ids = case["register_ids"]
    d = draw(
        TargetRegistry.from_columns(id=ids, risk_class=["A"] * len(ids)),
        seed="frequency",
        stream="s",
        ratios={"A": 0.0},
        item=ItemRule(id=case["item"], yearly_frequency_limit=case["limit"]),
        history=History.from_entries([tuple(e) for e in case["entries"]]),
    )
    fl = d.receipt.frequency_limit or {}
    got = (fl["history_digest"], fl["history_entries"], fl["excluded"])
    want = (case["history_digest"], case["history_entries"], case["excluded"])
    assert got == want
    digest, count = OUTSIDER.frequency_history(case["item"], case["entries"])
    excluded = OUTSIDER.frequency_excluded(case["item"], case["limit"], case["entries"], ids)
    assert (digest, count, excluded) == want


@pytest.mark.parametrize("case", VECTORS["excluded_ids"])
def test_plan_run_excluded_ids_digest(case: dict[str, Any]) -> None:
    assert sha256_hex(sorted(case["ids"])) == case["digest"]
    assert OUTSIDER.excluded_ids_digest(case["ids"]) == case["digest"]


# ------------------------------------------------------------------------- model inputs
@pytest.mark.parametrize("case", VECTORS["item_lists"], ids=_ids(VECTORS["item_lists"]))
def test_item_list_digest(case: dict[str, Any]) -> None:
    items = ItemList(
        items=[InspectionItem(**it) for it in case["items"]], max_key_items=case["max_key_items"]
    )
    assert items.digest() == case["digest"]
    assert OUTSIDER.item_list_digest(case["max_key_items"], case["items"]) == case["digest"]


@pytest.mark.parametrize("case", VECTORS["pools"], ids=_ids(VECTORS["pools"]))
def test_pool_digest(case: dict[str, Any]) -> None:
    assert GEN.pool_of(case["inspectors"]).digest() == case["digest"]
    assert OUTSIDER.pool_digest(case["inspectors"]) == case["digest"]


def version_1_request(record: dict[str, Any]) -> VisitRequest:
    """A request of the version-1 vectors: a joint visit there is one team with one officer
    of each department (the form assignment algorithm version 1 knew)."""
    return VisitRequest(**record, joint_rule=JointRule.ONE_PER_DEPARTMENT)


@pytest.mark.parametrize("case", VECTORS["visit_requests"], ids=_ids(VECTORS["visit_requests"]))
def test_visit_requests_digest(case: dict[str, Any]) -> None:
    assert visits_digest([version_1_request(v) for v in case["visits"]]) == case["digest"]
    assert OUTSIDER.visit_requests_digest(case["visits"]) == case["digest"]


def _problem(**kw: Any) -> AssignmentProblem:
    return AssignmentProblem(visits=[], pool=GEN.pool_of([]), **kw)


@pytest.mark.parametrize("case", VECTORS["pairs"])
def test_pairs_digest(case: dict[str, Any]) -> None:
    pairs = [tuple(p) for p in case["pairs"]]
    assert _problem(conflicts=pairs).digests()["conflicts"] == case["digest"]
    assert _problem(rotation=pairs).digests()["rotation"] == case["digest"]
    assert OUTSIDER.pairs_digest(case["pairs"]) == case["digest"]


@pytest.mark.parametrize("case", VECTORS["load_limits"])
def test_load_limits_digest(case: dict[str, Any]) -> None:
    assert _problem(load_limits=case["value"]).digests()["load_limits"] == case["digest"]
    assert OUTSIDER.load_limits_digest(case["value"]) == case["digest"]


@pytest.mark.parametrize("case", VECTORS["region_rules"])
def test_region_rule_digest(case: dict[str, Any]) -> None:
    rule = RegionRule(**case["rule"])
    assert _problem(region_rule=rule).digests()["region_rule"] == case["digest"]
    assert OUTSIDER.region_rule_digest(**case["rule"]) == case["digest"]


@pytest.mark.parametrize("case", VECTORS["plans"])
def test_plan_digest(case: dict[str, Any]) -> None:
    plan = GEN.plan_of(case["plan"])
    assert plan.digest() == case["digest"]
    assert OUTSIDER.plan_canonical(case["plan"]) == json.loads(json.dumps(plan.canonical()))
    assert OUTSIDER.plan_digest(case["plan"]) == case["digest"]


@pytest.mark.parametrize("case", VECTORS["plan_visits"])
def test_plan_visits_digest(case: dict[str, Any]) -> None:
    from randsupervise.cycle.visits import visits_digest as plan_visits_digest

    assert plan_visits_digest([GEN.visit_of(v) for v in case["visits"]]) == case["digest"]
    assert OUTSIDER.plan_visits_digest(case["visits"]) == case["digest"]


@pytest.mark.parametrize("case", VECTORS["teams"])
def test_teams_digest(case: dict[str, Any]) -> None:
    from randsupervise.cycle.run import _teams_digest

    teams = {k: tuple(sorted(m)) for k, m in case["teams"].items()}
    assert _teams_digest(teams) == case["digest"]
    assert OUTSIDER.teams_digest(case["teams"]) == case["digest"]


# ---------------------------------------------------------------------------- assignment
@pytest.mark.parametrize("case", VECTORS["assignments"], ids=_ids(VECTORS["assignments"]))
def test_assignment_teams(case: dict[str, Any]) -> None:
    seed = Seed.from_text(case["seed_text"])
    assert seed.hex == case["seed_hex"]
    a = assign(
        [version_1_request(v) for v in case["visits"]],
        GEN.pool_of(case["inspectors"]),
        seed=seed,
        stream=case["stream"],
        conflicts=[tuple(p) for p in case["conflicts"]],
        rotation=[tuple(p) for p in case["rotation"]],
        load_limits=case["load_limits"],
    )
    assert a.receipt["exact_fallback"] is case["exact_fallback"] is False
    assert a.receipt["teams"] == case["teams"]
    assert a.receipt["inputs"] == case["inputs"]

    out_seed = OUTSIDER.seed_from_text(case["seed_text"])
    assert out_seed.hex() == case["seed_hex"]
    teams = OUTSIDER.assign_greedy(
        out_seed,
        case["stream"],
        case["visits"],
        case["inspectors"],
        conflicts=case["conflicts"],
        rotation=case["rotation"],
        load_limits=case["load_limits"],
    )
    assert teams == case["teams"]
    assert {
        "visits": OUTSIDER.visit_requests_digest(case["visits"]),
        "pool": OUTSIDER.pool_digest(case["inspectors"]),
        "conflicts": OUTSIDER.pairs_digest(case["conflicts"]),
        "rotation": OUTSIDER.pairs_digest(case["rotation"]),
        "load_limits": OUTSIDER.load_limits_digest(case["load_limits"]),
        "region_rule": OUTSIDER.region_rule_digest(False, {}),
    } == case["inputs"]


# ------------------------------------------------------------------------ canonical JSON
_JSON_VALUES: list[Any] = [
    {"b": [1.0, 2.5], "a": "网吧", "c": None, "d": True, "e": False, "f": -7},
    [0.1, 1e16, 1e15, 123456789012345678.0, 1e-4, 9.999e-5, 1e-05, 5e-324, -0.0, 0.0],
    [1.7976931348623157e308, 2.5e-300, 100.0, 1234.5, -1e22, 0.30000000000000004],
    ["\x00\x01\x1f", '"\\', "\b\t\n\f\r", "\x7f", "\u2028\u2029", "😀", "e\u0301"],
    {"键": {"z": [], "a": {}}, "😀": "", "A": 1, "a": 2, "\u00e9": 3},
]


@pytest.mark.parametrize("value", _JSON_VALUES)
def test_outsider_canonical_json_v1_is_form_v1(value: Any) -> None:
    assert OUTSIDER.canonical_json_v1(value) == canonical_json(value, "v1")
