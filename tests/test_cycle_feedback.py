"""Feedback rules: problems raise the class, clean streaks lower it, bounded A..D."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from randsupervise.calendar import china
from randsupervise.cycle import (
    Cancel,
    CancelReason,
    Inspect,
    Publish,
    Record,
    TargetMove,
    VisitRecord,
    YearState,
    feedback,
)
from randsupervise.cycle.feedback import _STATUS_OF_CANCEL, _STATUS_OF_CODE, CODE_EFFECTS
from randsupervise.errors import ValidationError
from randsupervise.model import RiskClass, TargetRegistry, UpdateTarget
from randsupervise.model.results import InspectionResult, ResultCode

from visit_records import Q2, assigned


def _assigned(visit_id: str, tid: str) -> VisitRecord:
    """A one-item visit of the second quarter at ``tid``, assigned on 1 March."""
    return assigned(visit_id, tid, risk_class="A", window=Q2, team=("a", "b"), on=date(2024, 3, 1))


def _state(results: dict[str, tuple[str, str]]) -> YearState:
    recs = {}
    for k, (tid, code) in enumerate(sorted(results.values())):
        r = _assigned(f"2024/{tid}/{k}", tid)
        v = r.visit
        r = r.apply(Inspect(on=date(2024, 4, 8)), china())
        r = r.apply(Record(on=date(2024, 4, 9), result=InspectionResult(codes={code})))
        recs[v.id] = r.apply(Publish(on=date(2024, 4, 10)))
    return YearState(year=2024, plan_digest="x", records=recs)


def test_rules_move_classes_within_bounds_and_explain() -> None:
    reg = TargetRegistry.from_columns(
        id=["p", "d", "c", "s"], risk_class=["B", "D", "B", "A"], weight=[1.0, 4.0, 1.0, 0.5]
    )
    st = _state(
        {
            "1": ("p", "CORRECTED"),
            "2": ("d", "FOLLOW_UP"),
            "3": ("c", "NO_PROBLEM"),
            "4": ("s", "DEREGISTERED"),
        }
    )
    fb = feedback(reg, st, clean_streaks={"c": 1})
    new = fb.registry
    assert new["p"].risk_class.name == "C" and new["p"].weight == 2.0
    assert new["d"].risk_class.name == "D"  # already at the top: no move
    assert new["c"].risk_class.name == "A" and fb.clean_streaks["c"] == 0
    assert new["s"].status == "deregistered"
    assert "problem-found" in fb.explain("p") and "CORRECTED" in fb.explain("p")
    assert fb.explain("d") == "d: no change"
    assert fb.counts() == {"problem-found": 1, "clean-streak": 1, "status": 1, "imported": 0}
    assert len(fb.changes) == 3 and reg.diff(new).changed


def test_single_clean_result_only_extends_the_streak() -> None:
    reg = TargetRegistry.from_columns(id=["c"], risk_class=["B"])
    fb = feedback(reg, _state({"1": ("c", "NO_PROBLEM")}))
    assert fb.registry["c"].risk_class.name == "B" and fb.clean_streaks == {"c": 1}


# --------------------------------------------------------------------------------------
# The rules applied one target and one record at a time, as the module docstring states
# them: the vectorised feedback() must give the same moves, explanations and streaks.
def reference_feedback(
    registry: TargetRegistry,
    state: YearState,
    clean_streaks: dict[str, int] | None = None,
    clean_threshold: int = 2,
    weight_factor: float = 2.0,
) -> tuple[list[TargetMove], list[UpdateTarget], dict[str, int]]:
    streaks = dict(clean_streaks or {})
    by_target: dict[str, list[Any]] = {}
    for r in state:
        by_target.setdefault(r.visit.target_id, []).append(r)
    moves: list[TargetMove] = []
    changes: list[UpdateTarget] = []
    for tid in sorted(by_target):
        if tid not in registry:
            continue
        recs = sorted(by_target[tid], key=lambda r: (str(r.published_on), r.id))
        t = registry[tid]
        published = [r for r in recs if r.complete and r.result is not None]
        status = None
        status_from: list[str] = []
        for r in recs:
            if r.cancel_reason is not None:
                status, status_from = _STATUS_OF_CANCEL[r.cancel_reason], [r.id]
            if r.complete and r.result is not None:
                for c in r.result.ordered_codes:
                    if c in _STATUS_OF_CODE:
                        status, status_from = _STATUS_OF_CODE[c], [r.id]
        step, rule, why, vids = 0, "", "", [r.id for r in published]
        problems = [r for r in published if any(CODE_EFFECTS[c].step for c in r.result.codes)]
        if problems:
            streaks[tid] = 0
            found = {c for r in published for c in r.result.codes}
            step, rule = sum(CODE_EFFECTS[c].step for c in found), "problem-found"
            codes = sorted({c.value for r in problems for c in r.result.codes})
            why = f"problem found ({', '.join(codes)})"
            vids = [r.id for r in problems]
        elif published:
            clean = [r for r in published if all(CODE_EFFECTS[c].clean for c in r.result.codes)]
            streaks[tid] = streaks.get(tid, 0) + len(clean)
            if clean and streaks[tid] >= clean_threshold:
                step, rule = -1, "clean-streak"
                why = f"{streaks[tid]} clean inspections in a row"
                streaks[tid] = 0
        new_class = min(3, max(0, int(t.risk_class) + step))
        step = new_class - int(t.risk_class)
        fields: dict[str, Any] = {}
        weight = t.weight
        if step:
            weight = t.weight * weight_factor**step
            fields.update(risk_class=RiskClass(new_class).name, weight=weight)
        if status is not None and status != t.status:
            fields["status"] = status
            if not step:
                rule, why, vids = "status", f"status {t.status} -> {status}", status_from
        if not fields:
            continue
        to_class = RiskClass(new_class).name if step else t.risk_class.name
        reason = f"{tid}: {t.risk_class.name} -> {to_class} by rule {rule}: {why}"
        if "status" in fields and rule != "status":
            reason += f"; status {t.status} -> {status}"
        changes.append(UpdateTarget(id=tid, fields=fields, reason=reason))
        moves.append(
            TargetMove(
                target=tid,
                rule=rule,
                from_class=t.risk_class.name,
                to_class=to_class,
                from_weight=t.weight,
                to_weight=weight,
                status=fields.get("status"),
                visits=tuple(vids),
                reason=reason,
            )
        )
    return moves, changes, streaks


def _valid(codes: set[str]) -> bool:
    try:
        InspectionResult(codes=codes)
    except ValidationError:
        return False
    return True


CODE_SETS = [
    c
    for c in (
        [{x.value} for x in ResultCode]
        + [
            {"CORRECTED", "NOT_DISCLOSED"},
            {"FOLLOW_UP", "FALSIFIED"},
            {"UNREACHABLE", "MOVED_OUT"},
            {"DEREGISTERED", "REVOKED"},
            {"NON_COOPERATION", "FOLLOW_UP"},
        ]
    )
    if _valid(c)
]
TIDS = ["a", "b", "c", "d", "e"]


@st.composite
def years(draw: st.DrawFn) -> tuple[TargetRegistry, YearState, dict[str, int]]:
    n_t = len(TIDS)
    reg = TargetRegistry.from_columns(
        id=TIDS,
        risk_class=draw(st.lists(st.sampled_from("ABCD"), min_size=n_t, max_size=n_t)),
        weight=draw(st.lists(st.sampled_from([0.25, 1.0, 3.0]), min_size=n_t, max_size=n_t)),
        status=draw(
            st.lists(
                st.sampled_from(["active", "deregistered", "moved_out"]), min_size=n_t, max_size=n_t
            )
        ),
    )
    shared = InspectionResult(codes=draw(st.sampled_from(CODE_SETS)))
    recs = {}
    for k in range(draw(st.integers(0, 14))):
        tid = draw(st.sampled_from([*TIDS, "gone"]))  # "gone": not in the register
        r = _assigned(f"2024/{tid}/{k:02d}", tid)
        v = r.visit
        fate = draw(st.sampled_from(["cancel", "assigned", "inspected", "recorded", "published"]))
        if fate == "cancel":
            reason = draw(st.sampled_from(list(CancelReason)))
            recs[v.id] = r.apply(Cancel(on=date(2024, 3, 2), reason=reason))
            continue
        if fate != "assigned":
            r = r.apply(Inspect(on=date(2024, 4, 8)), china())
        if fate in ("recorded", "published"):
            res = (
                shared
                if draw(st.booleans())
                else InspectionResult(codes=draw(st.sampled_from(CODE_SETS)))
            )
            r = r.apply(Record(on=date(2024, 4, 9), result=res))
        if fate == "published":
            r = r.apply(Publish(on=date(2024, 4, 10 + draw(st.integers(0, 2)))))
        recs[v.id] = r
    streaks = draw(st.dictionaries(st.sampled_from([*TIDS, "old"]), st.integers(0, 3)))
    return reg, YearState(year=2024, plan_digest="x", records=recs), streaks


@given(years(), st.integers(1, 3))
def test_vectorised_feedback_equals_reference(
    case: tuple[TargetRegistry, YearState, dict[str, int]], threshold: int
) -> None:
    reg, state, streaks = case
    fb = feedback(reg, state, clean_streaks=streaks, clean_threshold=threshold)
    moves, changes, new_streaks = reference_feedback(reg, state, streaks, threshold)
    assert list(fb.moves) == moves
    assert [(c.id, c.fields, c.reason) for c in fb.changes] == [
        (c.id, c.fields, c.reason) for c in changes
    ]
    assert list(fb.clean_streaks.items()) == list(new_streaks.items())
    assert fb.registry.digest() == reg.apply(changes)[0].digest()
    for m in moves:
        assert type(m.from_weight) is float and type(m.to_weight) is float
