"""Feedback rules: problems raise the class, clean streaks lower it, bounded A..D."""

from __future__ import annotations

from datetime import date

from randsupervise.calendar import china
from randsupervise.cycle import Assign, Inspect, Publish, Record, Visit, YearState, feedback
from randsupervise.model import TargetRegistry
from randsupervise.model.results import InspectionResult


def _state(results: dict[str, tuple[str, str]]) -> YearState:
    recs = {}
    for k, (tid, code) in enumerate(sorted(results.values())):
        v = Visit(id=f"2024/{tid}/{k}", target_id=tid, region="r", risk_class="A",
                  items=("K01",), departments=("d",), qualifications=frozenset(),
                  start=date(2024, 4, 1), end=date(2024, 6, 28), tasks=("t",),
                  batches=("t/Q2",))  # fmt: skip
        from randsupervise.cycle import VisitRecord

        r = VisitRecord(visit=v).apply(Assign(on=date(2024, 3, 1), team=("a", "b")))
        r = r.apply(Inspect(on=date(2024, 4, 8)), china())
        r = r.apply(Record(on=date(2024, 4, 9), result=InspectionResult(codes={code})))
        recs[v.id] = r.apply(Publish(on=date(2024, 4, 10)))
    return YearState(year=2024, plan_digest="x", records=recs)


def test_rules_move_classes_within_bounds_and_explain() -> None:
    reg = TargetRegistry.from_columns(id=["p", "d", "c", "s"], risk_class=["B", "D", "B", "A"],
                                      weight=[1.0, 4.0, 1.0, 0.5])  # fmt: skip
    st = _state({"1": ("p", "CORRECTED"), "2": ("d", "FOLLOW_UP"), "3": ("c", "NO_PROBLEM"),
                 "4": ("s", "DEREGISTERED")})  # fmt: skip
    fb = feedback(reg, st, clean_streaks={"c": 1})
    new = fb.registry
    assert new["p"].risk_class.name == "C" and new["p"].weight == 2.0
    assert new["d"].risk_class.name == "D"  # already at the top: no move
    assert new["c"].risk_class.name == "A" and fb.clean_streaks["c"] == 0
    assert new["s"].status == "deregistered"
    assert "problem-found" in fb.explain("p") and "CORRECTED" in fb.explain("p")
    assert fb.explain("d") == "d: no change"
    assert fb.counts() == {"problem-found": 1, "clean-streak": 1, "status": 1}
    assert len(fb.changes) == 3 and reg.diff(new).changed


def test_single_clean_result_only_extends_the_streak() -> None:
    reg = TargetRegistry.from_columns(id=["c"], risk_class=["B"])
    fb = feedback(reg, _state({"1": ("c", "NO_PROBLEM")}))
    assert fb.registry["c"].risk_class.name == "B" and fb.clean_streaks == {"c": 1}
