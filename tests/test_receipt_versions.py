"""Receipts of every released version keep verifying (docs/stability.md).

The files under ``tests/fixtures/receipts/v1`` were written by release line 1 and are
never regenerated: each test reads one, rebuilds its inputs from the JSON beside it and
verifies it with today's code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from randsupervise.draw import History
from randsupervise.draw import verify as verify_draw
from randsupervise.draw.allocation import ItemRule
from randsupervise.draw.receipt import Receipt
from randsupervise.model import TargetRegistry

V1 = Path(__file__).parent / "fixtures" / "receipts" / "v1"


def _load(name: str) -> Any:
    return json.loads((V1 / name).read_text("utf-8"))


DRAWS = _load("draws.json")


@pytest.mark.parametrize("name", sorted(DRAWS["receipts"]))
def test_version_1_draw_receipts_verify(name: str) -> None:
    reg = TargetRegistry.from_columns(**DRAWS["register"])
    receipt = Receipt.from_dict(DRAWS["receipts"][name])
    assert receipt.version == 1
    history = History(
        entries=[tuple(h) for h in DRAWS["frequency_history"]] if name == "frequency" else None,
        periods=DRAWS["burden_history"] if name == "burden" else None,
    )
    seed_text = receipt.seed_source
    report = verify_draw(receipt, reg, history=history, expected_seed=seed_text)
    assert report.ok, str(report)
    # and a one-character change to the frozen text is caught
    text = json.dumps(DRAWS["receipts"][name], ensure_ascii=False)
    first = DRAWS["receipts"][name]["strata"]["D"]["selected"][0]
    tampered = text.replace(f'"{first}"', '"F999"', 1)
    assert not verify_draw(tampered, reg, history=history).ok


def test_version_1_frequency_item_is_read_from_the_policy() -> None:
    policy = DRAWS["receipts"]["frequency"]["policy"]
    assert ItemRule(**policy["item"]).id == DRAWS["frequency_item"]["id"]


ASSIGNMENT = _load("assignment.json")


def test_version_1_assignment_chain_verifies() -> None:
    from randsupervise.assign import AssignmentProblem, VisitRequest
    from randsupervise.assign import verify as verify_assignment
    from randsupervise.model.sample import sample_inspectors

    visits = [VisitRequest(**v) for v in ASSIGNMENT["visits"]]
    chain = ASSIGNMENT["receipts"]
    assert [r["version"] for r in chain] == [1, 1, 1]
    problem = AssignmentProblem(visits=visits, pool=sample_inspectors())
    report = verify_assignment(problem, chain)
    assert report.ok, str(report)
    assert any("no public source" in n for n in report.notes)
    text = json.dumps(chain, ensure_ascii=False)
    assert verify_assignment(problem, text).ok
    edited = json.loads(text)
    edited[1]["teams"][0]["officers"].reverse()
    bad = verify_assignment(problem, edited)
    assert not bad.ok and any(d.path.startswith("[1].teams[0]") for d in bad.differences)


def test_version_1_plan_receipt_verifies() -> None:
    from randsupervise.cycle import verify_plan
    from randsupervise.demo import demo_inputs

    receipt = _load("plan.json")["receipt"]
    assert receipt["version"] == 1 and "digest" in receipt
    plan, registry, items, pool, _seed, cal = demo_inputs(2024)
    report = verify_plan(receipt, plan, registry, items, pool, calendar=cal)
    assert report.ok, str(report)
    text = json.dumps(receipt, ensure_ascii=False)
    assert verify_plan(text, plan, registry, items, pool, calendar=cal).ok
    forged = json.loads(text)
    forged["draws"][0]["receipt"]["strata"]["A"]["selected"] = []
    bad = verify_plan(forged, plan, registry, items, pool, calendar=cal)
    assert "draws[0].receipt.strata.A.selected" in {d.path for d in bad.differences}
