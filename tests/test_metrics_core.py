"""Metrics on the demo year, and the demo's determinism and completeness."""

from __future__ import annotations

import json
from functools import cache

from randsupervise.demo import DemoReport, run_demo_year
from randsupervise.metrics import gini, item_coverage, repeat_inspection
from randsupervise.model import TargetRegistry


@cache
def _demo() -> DemoReport:
    return run_demo_year()


def test_demo_json_has_required_keys_and_is_identical() -> None:
    j = _demo().to_json_dict()
    assert {"plan_digest", "item_coverage", "visits", "timeliness", "workload"} <= set(j)
    assert json.dumps(j, sort_keys=True) == json.dumps(run_demo_year().to_json_dict(),
                                                       sort_keys=True)  # fmt: skip
    assert j["item_coverage"]["rate"] == 1.0
    assert "plan receipt digest" in _demo().to_text()


def test_unpublished_visits_do_not_count_as_coverage_or_completion() -> None:
    d = _demo()
    comp = d.report.completion.summary
    assert comp["inspected_not_published"] > 0
    assert comp["published"] == d.state.counts()["published"]
    cov = item_coverage(d.items, d.state)
    for row in cov.rows:
        assert row["published"] <= row["inspected"] <= row["visits"]


def test_timeliness_matches_the_records() -> None:
    d = _demo()
    t = d.report.timeliness.summary
    assert t["recorded_late"] == sum(r.late for r in d.state)
    assert t["published_late"] == sum(r.publication_late for r in d.state)
    as_of = d.report.as_of
    assert t["record_overdue"] == sum(r.overdue(as_of) for r in d.state)
    assert t["publish_overdue"] == sum(r.publication_overdue(as_of) for r in d.state)
    assert t["not_carried_out"] == sum(r.not_carried_out(as_of) for r in d.state) > 0
    assert t["published_late"] > 0 and t["follow_ups_closed"] > 0
    assert t["on_time"] <= t["settled"] <= len(d.state)
    led = d.report.ledger.summary
    assert led["replaced_out"] > 0


def test_duty_ledger_counts_only_published_visits_as_done() -> None:
    d = _demo()
    led = d.report.ledger
    for row in led.rows:
        assert row["on_time"] + row["late"] + row["unpublished"] + row["open"] == row["assigned"]
    s = led.summary
    unpublished_team_slots = sum(len(r.team) for r in d.state if r.state.value == "recorded")
    assert s["unpublished"] == unpublished_team_slots > 0


def test_gini_and_repeat_inspection() -> None:
    assert gini([]) == 0.0 and gini([2, 2]) == 0.0
    assert abs(gini([1, 2, 3, 4]) - 0.25) < 1e-12
    reg = TargetRegistry.from_columns(id=[str(i) for i in range(10)], risk_class=["B"] * 10)
    row = repeat_inspection(reg, ["0", "1", "2", "3", "4"], ["0", "5"]).rows[1]
    assert row["repeats"] == 1 and row["expected_independent"] == 1.0


def test_reports_are_notebook_friendly() -> None:
    d = _demo()
    for obj in (d.report, d.feedback, d.state, d.run, d.plan):
        assert "<table>" in obj._repr_html_()
        assert repr(obj)
    recs = d.report.to_records()
    assert {"metric", "name", "value"} == set(recs[0])
    cols = d.report.workload.columns()
    assert len(cols["inspector"]) == len(cols["visits"])


def test_repeat_inspection_counts_per_class_and_ignores_unknown_ids() -> None:
    reg = TargetRegistry.from_columns(id=list("abcdefgh"), risk_class="AABBBCCD")
    rows = repeat_inspection(reg, ["a", "c", "d", "zz"], ["a", "b", "d", "e", "h"]).rows
    got = {r["class"]: (r["targets"], r["previous"], r["current"], r["repeats"]) for r in rows}
    assert got == {"A": (2, 1, 2, 1), "B": (3, 2, 2, 1), "C": (2, 0, 0, 0), "D": (1, 0, 1, 0)}
    assert rows[1]["expected_independent"] == 2 * 2 / 3
    assert all(type(r[k]) is int for r in rows for k in ("targets", "previous", "repeats"))
