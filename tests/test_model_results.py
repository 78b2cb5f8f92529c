"""Tests for randsupervise.model.results: the code table, contradictions, JSON."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from randsupervise.errors import ValidationError
from randsupervise.model.results import (
    CONTRADICTIONS,
    RESULT_CODE_TABLE,
    InspectionResult,
    ResultCode,
    ResultGroup,
    result_problems,
)

C = ResultCode
BRIEF_LABELS = {  # the national platform's wording (BRIEF), one per code
    "未发现问题",
    "发现问题已责令改正",
    "未发现开展本次抽查涉及的经营活动",
    "不予配合情节严重",
    "通过登记的住所（经营场所）无法联系",
    "发现问题待后续处理",
    "未按规定公示应当公示的信息",
    "公示信息隐瞒真实情况、弄虚作假",
    "检查对象已注销",
    "检查对象被吊销",
    "检查对象被撤销",
    "检查对象已迁出",
    "已暂停营业",
    "已关闭停业或正在组织清算",
    "违反相关规定",
}


def test_table_covers_every_code_with_the_brief_labels() -> None:
    assert set(RESULT_CODE_TABLE) == set(ResultCode)
    assert {c.label_zh for c in ResultCode} == BRIEF_LABELS
    for code, info in RESULT_CODE_TABLE.items():
        assert info.code is code
        assert code.value.isascii() and code.value.isupper()
        assert info.label_en
    assert len({c.label_en for c in ResultCode}) == len(ResultCode)


def test_flags() -> None:
    problems = {c for c in ResultCode if c.problem_found}
    assert problems == {
        C.CORRECTED,
        C.FOLLOW_UP,
        C.NON_COOPERATION,
        C.UNREACHABLE,
        C.NOT_DISCLOSED,
        C.FALSIFIED,
        C.VIOLATION,
    }
    gone = {c for c in ResultCode if c.target_gone}
    # unreachable at the registered address is a result: the target is not gone
    assert gone == {c for c in ResultCode if c.group is ResultGroup.STATUS}
    assert len(gone) == 6
    assert {c for c in ResultCode if c.abnormal_list} == {
        C.UNREACHABLE,
        C.NOT_DISCLOSED,
        C.FALSIFIED,
    }


def test_from_label() -> None:
    for code in ResultCode:
        assert ResultCode.from_label(code.label_zh) is code
        assert ResultCode.from_label(code.label_en) is code
    with pytest.raises(ValueError):
        ResultCode.from_label("正常")


def rules_broken(*codes: ResultCode) -> set[str]:
    return {p.rule for p in result_problems(set(codes)) if p.rule}


@pytest.mark.parametrize(
    ("codes", "rules"),
    [
        ((C.NO_PROBLEM, C.CORRECTED), {"no-problem-vs-problem"}),
        ((C.NO_PROBLEM, C.NOT_DISCLOSED), {"no-problem-vs-problem"}),
        ((C.NO_PROBLEM, C.UNREACHABLE), {"no-problem-vs-problem", "unreachable-vs-on-site"}),
        ((C.ACTIVITY_NOT_FOUND, C.NO_PROBLEM), {"activity-not-found-vs-verdict"}),
        ((C.ACTIVITY_NOT_FOUND, C.FOLLOW_UP), {"activity-not-found-vs-verdict"}),
        ((C.UNREACHABLE, C.NON_COOPERATION), {"unreachable-vs-on-site"}),
        ((C.UNREACHABLE, C.ACTIVITY_NOT_FOUND), {"unreachable-vs-on-site"}),
        ((C.DEREGISTERED, C.REVOKED), {"one-status"}),
        ((C.MOVED_OUT, C.NOT_DISCLOSED), {"status-stands-alone"}),
        ((C.CLOSED, C.UNREACHABLE), {"status-stands-alone"}),
    ],
)
def test_contradictions(codes: tuple[ResultCode, ...], rules: set[str]) -> None:
    assert rules_broken(*codes) == rules
    with pytest.raises(ValidationError):
        InspectionResult(codes=set(codes))


@pytest.mark.parametrize(
    "codes",
    [
        (C.CORRECTED, C.FOLLOW_UP),
        (C.CORRECTED, C.NOT_DISCLOSED, C.FALSIFIED),
        (C.UNREACHABLE, C.NOT_DISCLOSED),
        (C.UNREACHABLE, C.FALSIFIED),
        (C.ACTIVITY_NOT_FOUND, C.NOT_DISCLOSED),
        (C.NON_COOPERATION, C.FOLLOW_UP),
        (C.SUSPENDED,),
    ],
)
def test_allowed_combinations(codes: tuple[ResultCode, ...]) -> None:
    assert InspectionResult(codes=set(codes)).codes == frozenset(codes)


def test_every_single_code_is_a_valid_result() -> None:
    for code in ResultCode:
        assert InspectionResult(codes={code}).target_gone is code.target_gone


def test_every_conflicting_pair_reported() -> None:
    with pytest.raises(ValidationError) as info:
        InspectionResult(codes={C.DEREGISTERED, C.REVOKED, C.NO_PROBLEM})
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 3
    assert [p.rule for p in info.value.problems] == [
        "status-stands-alone",
        "status-stands-alone",
        "one-status",
    ]


def test_rejects_empty_unknown_and_bad_note() -> None:
    for bad in (set(), {"MAYBE"}, "NO_PROBLEM", None, {3}, [["NO_PROBLEM"]], [{"X"}]):
        with pytest.raises(ValidationError):
            InspectionResult(codes=bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as info:
        InspectionResult(codes={"NO_PROBLEM"}, note=None)  # type: ignore[arg-type]
    assert [p.field for p in info.value.problems] == ["note"]


def test_contradiction_table_is_consistent() -> None:
    names = [rule.name for rule in CONTRADICTIONS]
    assert len(names) == len(set(names))
    for rule in CONTRADICTIONS:
        assert rule.reason and rule.left and rule.right


@given(st.sets(st.sampled_from(list(ResultCode)), min_size=1))
def test_valid_iff_no_rule_broken(codes: set[ResultCode]) -> None:
    pairs = [
        (a, b)
        for rule in CONTRADICTIONS
        for a, b in itertools.product(codes & rule.left, codes & rule.right)
        if a is not b
    ]
    if pairs:
        with pytest.raises(ValidationError):
            InspectionResult(codes=codes)
    else:
        result = InspectionResult(codes=codes, note="记录")
        assert InspectionResult.from_json(result.to_json()) == result
        assert result.problem_found is any(c.problem_found for c in codes)
        assert len(result.labels_zh) == len(codes)


def test_json_is_stable() -> None:
    result = InspectionResult(codes={C.NOT_DISCLOSED, C.CORRECTED}, note="已整改")
    assert result.to_json() == '{"codes":["CORRECTED","NOT_DISCLOSED"],"note":"已整改"}'
    assert result.labels_en == ("problem found, ordered to correct",
                                "required information not disclosed")  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["not json", "[1]", '{"note": ""}', '{"codes": ["NO_PROBLEM"], "extra": 1}', '{"codes": []}'],
)
def test_from_json_rejects(text: str) -> None:
    with pytest.raises(ValidationError):
        InspectionResult.from_json(text)
