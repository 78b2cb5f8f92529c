"""The feedback table: what each result code does to next year's class and status.

Invariants, each with the rule it comes from:

* What each result code does is the table :data:`CODE_EFFECTS` (rules as data), each
  row citing its source: a problem found raises the class (plan §三(七)), a grave one by
  two (企业信息公示暂行条例, 企业公示信息抽查暂行办法); only ``NO_PROBLEM`` is clean
  (plan §二 无事不扰); a code that ends the registration sets the status
  (市场主体登记管理条例), suspension and closure do not (art. 30).
* The rules that read it are :data:`FEEDBACK_RULES`, tried in their order by
  :func:`randsupervise.cycle.feedback.feedback`.
* A cancellation because the target is gone sets the status its reason names.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from randsupervise.cycle.transitions import CancelReason
from randsupervise.model.results import ResultCode

__all__ = ["CODE_EFFECTS", "FEEDBACK_RULES", "CodeEffect", "FeedbackRule"]


@attrs.frozen(kw_only=True)
class FeedbackRule:
    """One rule of the feedback table."""

    name: str
    step: int
    description: str
    source: str


#: The feedback rules, in the order they are tried.
FEEDBACK_RULES: tuple[FeedbackRule, ...] = (
    FeedbackRule(
        name="problem-found",
        step=+1,
        description="published results record problems: up by the sum of the distinct "
        "codes' steps (CODE_EFFECTS)",
        source="plan §三(七): results feed credit-risk classification",
    ),
    FeedbackRule(
        name="clean-streak",
        step=-1,
        description="clean_threshold clean published inspections in a row: one class down",
        source="plan §二 无事不扰; BRIEF: ratios differ per credit class",
    ),
    FeedbackRule(
        name="status",
        step=0,
        description="a result or a cancellation that ends the registration sets the status",
        source="plan §三(三) 两库动态管理",
    ),
    FeedbackRule(
        name="imported",
        step=0,
        description="the regulator's own classification replaces the stepped class",
        source="plan §三(七): classes come from credit-risk classification; BRIEF: "
        "信用风险分类 is the regulator's",
    ),
)


@attrs.frozen(kw_only=True)
class CodeEffect:
    """What one result code does to next year's class and status."""

    code: ResultCode
    #: classes up when found (0: none); summed over a target's distinct codes
    step: int
    #: counts as a clean inspection for the streak
    clean: bool
    #: the registration status it sets, or None
    status: str | None
    source: str


_C = ResultCode
_MINOR = "plan §三(七): a problem found raises the class"
_ABNORMAL = "企业经营异常名录管理暂行办法 art. 4: a ground for the list of abnormal operations"
_GRAVE = (
    "企业信息公示暂行条例 (concealment or falsification of public information leads to the "
    "abnormal list and, uncorrected, to the list of serious violations) and "
    "企业公示信息抽查暂行办法 (serious non-cooperation with a check): graver than a "
    "corrected problem"
)
_ENDS = "市场主体登记管理条例: the registration ends (注销, 吊销, 撤销) or moves away (迁出)"
_KEEPS = (
    "市场主体登记管理条例 art. 30: suspension (歇业) is temporary and a firm in liquidation "
    "is still registered; the target stays drawable"
)
#: What each result code does (rules as data).
CODE_EFFECTS: Mapping[ResultCode, CodeEffect] = {
    e.code: e
    for e in (
        CodeEffect(code=_C.NO_PROBLEM, step=0, clean=True, status=None,
                   source="plan §二 无事不扰: clean results lower the class over time"),
        CodeEffect(code=_C.CORRECTED, step=1, clean=False, status=None, source=_MINOR),
        CodeEffect(code=_C.FOLLOW_UP, step=1, clean=False, status=None, source=_MINOR),
        CodeEffect(code=_C.VIOLATION, step=1, clean=False, status=None, source=_MINOR),
        CodeEffect(code=_C.ACTIVITY_NOT_FOUND, step=0, clean=False, status=None,
                   source="BRIEF: no verdict on the activity (result CONTRADICTIONS): "
                   "neither clean nor a problem"),
        CodeEffect(code=_C.NOT_DISCLOSED, step=1, clean=False, status=None, source=_ABNORMAL),
        CodeEffect(code=_C.UNREACHABLE, step=1, clean=False, status=None, source=_ABNORMAL),
        CodeEffect(code=_C.FALSIFIED, step=2, clean=False, status=None, source=_GRAVE),
        CodeEffect(code=_C.NON_COOPERATION, step=2, clean=False, status=None, source=_GRAVE),
        CodeEffect(code=_C.DEREGISTERED, step=0, clean=False, status="deregistered",
                   source=_ENDS),
        CodeEffect(code=_C.REVOKED, step=0, clean=False, status="revoked", source=_ENDS),
        CodeEffect(code=_C.CANCELLED, step=0, clean=False, status="deregistered", source=_ENDS),
        CodeEffect(code=_C.MOVED_OUT, step=0, clean=False, status="moved_out", source=_ENDS),
        CodeEffect(code=_C.SUSPENDED, step=0, clean=False, status=None, source=_KEEPS),
        CodeEffect(code=_C.CLOSED, step=0, clean=False, status=None, source=_KEEPS),
    )
}  # fmt: skip

_STATUS_OF_CODE = {c: e.status for c, e in CODE_EFFECTS.items() if e.status is not None}
_STATUS_OF_CANCEL = {
    CancelReason.DEREGISTERED: "deregistered",
    CancelReason.REVOKED: "revoked",
    CancelReason.MOVED_OUT: "moved_out",
}
_CODES: tuple[ResultCode, ...] = tuple(ResultCode)
_BIT = {c: 1 << k for k, c in enumerate(_CODES)}
