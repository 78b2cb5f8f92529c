"""The year to the letter of the rules: both steps timed, visits never carried out,
inspections outside their window, acting officers, result wording, follow-ups,
unreachable firms and the feedback table. Each test names the scenario it pins."""

from __future__ import annotations

from datetime import date

import pytest

from randsupervise.calendar import china
from randsupervise.cycle import (
    Cancel,
    FollowUp,
    Inspect,
    Publish,
    Record,
    VisitRecord,
    YearState,
    feedback,
)
from randsupervise.errors import ValidationError
from randsupervise.metrics import completion, duty_ledger, timeliness
from randsupervise.model import TargetRegistry
from randsupervise.model.inspectors import Inspector, InspectorPool
from randsupervise.model.results import InspectionResult, ResultCode

from visit_records import assigned

CAL = china()
OK = InspectionResult(codes={"NO_PROBLEM"})
POOL = InspectorPool(
    inspectors=[
        Inspector(id=i, name=i, department="d", certified=True, certificate_number=i,
                  regions={"r"})
        for i in ("Z-01", "Z-02")
    ]
)  # fmt: skip


def _assigned(tid: str = "T", k: int = 1) -> VisitRecord:
    return assigned(f"2024/{tid}/{k}", tid)


def _year(*records: VisitRecord) -> YearState:
    return YearState(year=2024, plan_digest="x", records={r.id: r for r in records})


# ----------------------------------------------------------------- 1. deadlines
def test_late_publication_is_late_even_when_recording_was_on_time() -> None:
    """Inspected 2024-09-30, recorded 10-08, published 2025-03-01."""
    r = _assigned().apply(Inspect(on=date(2024, 9, 30)), CAL)
    r = r.apply(Record(on=date(2024, 10, 8), result=OK, by="Z-01"))
    r = r.apply(Publish(on=date(2025, 3, 1), by="Z-02"))
    assert r.deadline == date(2024, 11, 1)
    assert not r.late and r.publication_late
    state = _year(r)
    t = timeliness(state, date(2025, 3, 1)).summary
    assert t["recorded_on_time"] == 1 and t["recorded_late"] == 0
    assert t["published_on_time"] == 0 and t["published_late"] == 1
    assert t["share_on_time"] == 0.0
    c = completion(state, as_of=date(2025, 3, 1)).summary
    assert c["published"] == 1 and c["published_late"] == 1 and c["published_on_time"] == 0
    led = {row["inspector"]: row for row in duty_ledger(state, POOL, date(2025, 3, 1)).rows}
    # lateness goes to whoever held the step: Z-02 published late, Z-01 recorded on time
    assert led["Z-02"]["publish_late"] == 1 and led["Z-01"]["publish_late"] == 0
    assert led["Z-01"]["record_late"] == 0 and led["Z-01"]["late"] == 1


def test_nothing_inspected_all_year_is_overdue_not_carried_out() -> None:
    """Drawn and assigned, window ended 2024-12-13, as of 2025-03-01."""
    state = _year(_assigned())
    t = timeliness(state, date(2025, 3, 1)).summary
    assert t["not_carried_out"] == 1 and t["overdue"] == 1
    assert t["share_on_time"] == 0.0
    assert timeliness(state, date(2024, 12, 13)).summary["overdue"] == 0  # window still open
    led = duty_ledger(state, POOL, date(2025, 3, 1)).summary
    assert led["not_carried_out"] == 2  # both members held the visit
    assert completion(state, as_of=date(2025, 3, 1)).summary["not_carried_out"] == 1


def test_overdue_publication_counts_separately_from_overdue_recording() -> None:
    a = _assigned("A").apply(Inspect(on=date(2024, 9, 30)), CAL)  # never recorded
    b = _assigned("B").apply(Inspect(on=date(2024, 9, 30)), CAL)
    b = b.apply(Record(on=date(2024, 10, 8), result=OK, by="Z-02"))  # never published
    t = timeliness(_year(a, b), date(2024, 11, 4)).summary
    assert t["record_overdue"] == 1 and t["publish_overdue"] == 2
    led = {r["inspector"]: r for r in duty_ledger(_year(a, b), POOL, date(2024, 11, 4)).rows}
    assert led["Z-02"]["publish_overdue"] == 2 and led["Z-01"]["publish_overdue"] == 1


def test_inspection_outside_its_window_needs_a_reason_that_the_metrics_show() -> None:
    """Window 2024-09-02..12-13; inspected 2024-12-20."""
    with pytest.raises(ValidationError, match="outside the batch window"):
        _assigned().apply(Inspect(on=date(2024, 12, 20)), CAL)
    with pytest.raises(ValidationError, match="outside the batch window"):
        _year(_assigned()).apply([("2024/T/1", Inspect(on=date(2024, 12, 20)))], CAL)
    with pytest.raises(ValidationError, match="outside the batch window"):
        _year(_assigned()).inspect_many(["2024/T/1"], [date(2024, 8, 1)], CAL)
    r = _assigned().apply(
        Inspect(on=date(2024, 12, 20), outside_window="venue closed until 20 Dec"), CAL
    )
    assert r.outside_window == "venue closed until 20 Dec"
    state = _year(r)
    assert timeliness(state, date(2024, 12, 31)).summary["outside_window"] == 1
    assert state.column("outside_window").tolist() == ["venue closed until 20 Dec"]
    s = _year(_assigned()).inspect_many(
        ["2024/T/1"], [date(2024, 8, 1)], CAL, outside_window="complaint"
    )
    assert timeliness(s, date(2024, 8, 2)).summary["outside_window"] == 1


def test_the_acting_officer_is_on_the_team() -> None:
    r = _assigned().apply(Inspect(on=date(2024, 9, 30)), CAL)
    with pytest.raises(ValidationError, match="谁检查、谁录入"):
        r.apply(Record(on=date(2024, 10, 8), result=OK, by="X-99"))
    with pytest.raises(ValidationError, match="谁检查、谁录入"):
        _year(r).apply([("2024/T/1", Record(on=date(2024, 10, 8), result=OK, by="X-99"))])
    s = _year(r).record_many(["2024/T/1"], [date(2024, 10, 8)], OK, by="Z-01")
    s = s.publish_many(["2024/T/1"], [date(2024, 10, 9)], by="Z-01")
    assert s.column("recorded_by").tolist() == ["Z-01"]
    assert s.column("published_by").tolist() == ["Z-01"]
    assert s["2024/T/1"].recorded_by == "Z-01"


# ----------------------------------------------------------------- 2. results
def test_platform_wording_is_accepted_and_official_wording_given() -> None:
    variants = {
        "未发现问题": "NO_PROBLEM",
        "发现问题已责令改正": "CORRECTED",
        "发现问题经责令已改正": "CORRECTED",
        "发现问题待后续处理": "FOLLOW_UP",
        "未发现开展本次抽查涉及的经营活动": "ACTIVITY_NOT_FOUND",
        "未发现本次抽查涉及的生产经营活动": "ACTIVITY_NOT_FOUND",
        "通过登记的住所（经营场所）无法联系": "UNREACHABLE",
        "通过登记的住所无法联系": "UNREACHABLE",
        "不予配合情节严重": "NON_COOPERATION",
        "不配合检查情节严重": "NON_COOPERATION",
        "未按规定公示应当公示的信息": "NOT_DISCLOSED",
        "公示信息隐瞒真实情况弄虚作假": "FALSIFIED",
        "公示信息隐瞒真实情况、弄虚作假": "FALSIFIED",
        "已关闭停业或正在组织清算": "CLOSED",
        "注销": "DEREGISTERED",
        "被吊销": "REVOKED",
        "撤销": "CANCELLED",
        "迁出": "MOVED_OUT",
        "违反《娱乐场所管理条例》相关规定": "VIOLATION",
    }
    for label, code in variants.items():
        assert ResultCode.from_label(label).value == code, label
    assert InspectionResult(codes={"未发现问题"}).codes == {ResultCode.NO_PROBLEM}
    assert InspectionResult(codes={"不配合检查情节严重"}).labels_zh == ("不予配合情节严重",)
    assert ResultCode.UNREACHABLE.label_zh == "通过登记的住所（经营场所）无法联系"
    assert ResultCode.CORRECTED.label_zh == "发现问题已责令改正"
    with pytest.raises(ValidationError, match="from_label"):
        InspectionResult(codes={"查无此码"})
    # per-department "违反…相关规定": a problem found, the wording kept as the note
    r = InspectionResult.from_labels(["违反《娱乐场所管理条例》相关规定"])
    assert r.problem_found and r.codes == {ResultCode.VIOLATION}
    assert r.labels_zh == ("违反《娱乐场所管理条例》相关规定",)  # the department's wording kept


def test_pending_follow_up_is_closed_by_a_final_result_published_again() -> None:
    pending = InspectionResult(codes={"FOLLOW_UP"})
    r = _assigned().apply(Inspect(on=date(2024, 9, 30)), CAL)
    r = r.apply(Record(on=date(2024, 10, 8), result=pending, correct_by=date(2024, 11, 30)))
    r = r.apply(Publish(on=date(2024, 10, 9)))
    assert r.follow_up_open and r.correct_by == date(2024, 11, 30)
    state = _year(r)
    t = timeliness(state, date(2024, 12, 2)).summary
    assert t["follow_ups_open"] == 1 and t["follow_ups_overdue"] == 1
    final = InspectionResult(codes={"CORRECTED"})
    with pytest.raises(ValidationError, match="follow-up"):
        _assigned().apply(Inspect(on=date(2024, 9, 30)), CAL).apply(
            Record(on=date(2024, 10, 8), result=OK)
        ).apply(Publish(on=date(2024, 10, 9))).apply(FollowUp(on=date(2024, 11, 20), result=final))
    s = state.apply([("2024/T/1", FollowUp(on=date(2024, 11, 20), result=final, by="Z-01"))])
    rec = s["2024/T/1"]
    assert rec.state.value == "recorded" and rec.result == final and rec.pending == pending
    assert timeliness(s, date(2024, 12, 2)).summary["follow_ups_open"] == 1  # not yet public
    s = s.apply([("2024/T/1", Publish(on=date(2024, 11, 21)))])
    rec = s["2024/T/1"]
    assert rec.complete and rec.published_on == date(2024, 10, 9)
    assert rec.republished_on == date(2024, 11, 21)
    assert rec.publication()["result_zh"] == ["发现问题已责令改正"]
    assert timeliness(s, date(2024, 12, 2)).summary["follow_ups_open"] == 0


# ----------------------------------------------------------------- 3. unreachable
def test_unreachable_is_a_published_result_and_the_firm_stays_drawable() -> None:
    with pytest.raises(ValidationError, match="UNREACHABLE"):
        Cancel(on=date(2024, 9, 30), reason="unreachable")
    r = _assigned("U").apply(Inspect(on=date(2024, 9, 30)), CAL)
    r = r.apply(Record(on=date(2024, 10, 8), result=InspectionResult(codes={"UNREACHABLE"})))
    r = r.apply(Publish(on=date(2024, 10, 9)))
    assert r.publication()["result_zh"] == ["通过登记的住所（经营场所）无法联系"]
    reg = TargetRegistry.from_columns(id=["U"], risk_class=["B"])
    fb = feedback(reg, _year(r))
    assert fb.registry["U"].status == "active"
    assert fb.abnormal_list == ("U",)


# ----------------------------------------------------------------- 4. feedback
def _published(tid: str, k: int, codes: set[str]) -> VisitRecord:
    r = _assigned(tid, k).apply(Inspect(on=date(2024, 9, 30)), CAL)
    r = r.apply(Record(on=date(2024, 10, 8), result=InspectionResult(codes=codes)))
    return r.apply(Publish(on=date(2024, 10, 9)))


def test_activity_not_found_is_not_a_clean_inspection() -> None:
    reg = TargetRegistry.from_columns(id=["N"], risk_class=["B"])
    state = _year(_published("N", 1, {"ACTIVITY_NOT_FOUND"}),
                  _published("N", 2, {"ACTIVITY_NOT_FOUND"}))  # fmt: skip
    fb = feedback(reg, state)
    assert fb.registry["N"].risk_class.name == "B"


def test_suspension_does_not_exclude_the_firm_for_good() -> None:
    reg = TargetRegistry.from_columns(id=["S"], risk_class=["B"])
    fb = feedback(reg, _year(_published("S", 1, {"SUSPENDED"})))
    assert fb.registry["S"].status == "active"


def test_two_grave_findings_move_further_than_one_minor_finding() -> None:
    reg = TargetRegistry.from_columns(id=["G", "M"], risk_class=["A", "A"])
    state = _year(_published("G", 1, {"FALSIFIED", "NON_COOPERATION"}),
                  _published("M", 1, {"CORRECTED"}))  # fmt: skip
    fb = feedback(reg, state)
    assert fb.registry["M"].risk_class.name == "B"
    assert fb.registry["G"].risk_class.name == "D"


def test_the_regulators_own_classification_can_be_imported() -> None:
    reg = TargetRegistry.from_columns(id=["P", "Q"], risk_class=["B", "C"])
    fb = feedback(reg, _year(_published("P", 1, {"CORRECTED"})), classes={"P": "A", "Q": "D"})
    assert fb.registry["P"].risk_class.name == "A" and fb.registry["Q"].risk_class.name == "D"
    assert "imported" in fb.explain("Q")


def test_batch_and_event_paths_agree_on_officers_follow_ups_and_windows() -> None:
    pending = InspectionResult(codes={"FOLLOW_UP"})
    final = InspectionResult(codes={"CORRECTED"})
    start = _year(_assigned("A"), _assigned("B"))
    ids = ["2024/A/1", "2024/B/1"]
    batch = start.inspect_many(ids, [date(2024, 12, 20)] * 2, CAL, outside_window="late")
    batch = batch.record_many(ids, [date(2024, 12, 23)] * 2, pending, by="Z-02")
    batch = batch.publish_many(ids, [date(2024, 12, 24)] * 2, by="Z-01")
    events = [
        (i, e)
        for i in ids
        for e in (
            Inspect(on=date(2024, 12, 20), outside_window="late"),
            Record(on=date(2024, 12, 23), result=pending, by="Z-02"),
            Publish(on=date(2024, 12, 24), by="Z-01"),
        )
    ]
    one_by_one = start.apply(events, CAL)
    assert batch.to_records() == one_by_one.to_records()
    follow = [(i, FollowUp(on=date(2025, 1, 6), result=final, by="Z-02")) for i in ids]
    batch = batch.apply(follow).publish_many(ids, [date(2025, 1, 7)] * 2, by="Z-02")
    one_by_one = one_by_one.apply([*follow, *((i, Publish(on=date(2025, 1, 7))) for i in ids)])
    for s in (batch, one_by_one):
        assert s.column("published_on").tolist() == [date(2024, 12, 24)] * 2
        assert s.column("republished_on").tolist() == [date(2025, 1, 7)] * 2
        assert s.column("published_by").tolist() == ["Z-01"] * 2
        assert timeliness(s, date(2025, 1, 8)).summary["follow_ups_closed"] == 2


def test_hostile_officers_and_reasons_are_refused_with_their_field() -> None:
    with pytest.raises(ValidationError, match="'by'"):
        Record(on=date(2024, 10, 8), result=OK, by=7)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="'outside_window'"):
        Inspect(on=date(2024, 10, 8), outside_window=b"x")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="'correct_by'"):
        Record(on=date(2024, 10, 8), result=OK, correct_by="2024-11-30")  # type: ignore[arg-type]
    state = _year(_assigned().apply(Inspect(on=date(2024, 9, 30)), CAL))
    with pytest.raises(ValidationError, match="谁检查"):
        state.record_many(["2024/T/1"], [date(2024, 10, 8)], OK, by="X-99")
    with pytest.raises(ValidationError, match="result UNREACHABLE"):
        _year(_assigned()).cancel_many(["2024/T/1"], [date(2024, 9, 3)], "unreachable")


def test_imported_classes_are_checked() -> None:
    reg = TargetRegistry.from_columns(id=["P"], risk_class=["B"])
    with pytest.raises(ValidationError, match="not a class"):
        feedback(reg, _year(), classes={"P": "E"})
    with pytest.raises(ValidationError, match="not in the register"):
        feedback(reg, _year(), classes={"Q": "A"})
    fb = feedback(reg, _year(), classes={"P": "D"})  # no visit at all: still imported
    assert fb.registry["P"].risk_class.name == "D" and fb.registry["P"].weight == 4.0


def test_every_result_code_has_one_effect_with_a_source() -> None:
    from randsupervise.cycle import CODE_EFFECTS

    assert set(CODE_EFFECTS) == set(ResultCode)
    for code, effect in CODE_EFFECTS.items():
        assert effect.code is code and effect.source
        assert (effect.step > 0) == code.problem_found
        assert not (effect.clean and (effect.step or effect.status))


def test_follow_up_open_means_the_same_on_a_record_and_in_the_metrics() -> None:
    pending = InspectionResult(codes={"FOLLOW_UP"})
    r = _assigned().apply(Inspect(on=date(2024, 9, 30)), CAL)
    r = r.apply(Record(on=date(2024, 10, 8), result=pending))
    assert not r.follow_up_open  # not published yet: nothing public to follow up
    assert timeliness(_year(r), date(2024, 10, 9)).summary["follow_ups_open"] == 0
    r = r.apply(Publish(on=date(2024, 10, 9)))
    assert r.follow_up_open
    assert timeliness(_year(r), date(2024, 10, 9)).summary["follow_ups_open"] == 1
