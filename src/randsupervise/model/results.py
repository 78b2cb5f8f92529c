"""Inspection results: the standard multi-select result codes and their combinations.

Invariants, each with the rule it comes from:

* A result is a **non-empty set** of codes (multi-select), drawn from the standard
  categories under which check results are filed in the National Enterprise Credit
  Information Publicity System (国家企业信用信息公示系统): the categories of
  《企业信息公示暂行条例》 (国务院令第654号) and 《企业公示信息抽查暂行办法》
  (原国家工商总局令第67号), as platforms use them for every 双随机 check, plus the
  registration-status codes. The table :data:`RESULT_CODE_TABLE` holds each code's
  Chinese and English label and its group; it is data, the code reading it is thin.
* Each code says whether it means **a problem was found** (fed back into credit-risk
  classification, plan §三(七)), whether it means **the target is gone** (the
  registration-status codes: the check could not take place), and whether it is a
  ground for the **list of abnormal operations** (企业经营异常名录管理暂行办法 art. 4:
  undisclosed or falsified public information, unreachable at the registered address).
  A target unreachable at its registered address is not gone: that is a result,
  published, and the target stays drawable.
* **Wording**: the national platform's wording (BRIEF) is each code's ``label_zh`` and is
  what output shows; the variants seen on platforms and in other years (e.g.
  发现问题经责令已改正, 不配合检查情节严重, 通过登记的住所无法联系) are ``aliases`` of the
  same code, read by :meth:`ResultCode.from_label` and accepted wherever codes are given.
  A department-specific "违反……相关规定" is the code ``VIOLATION``, its own wording kept
  in :attr:`InspectionResult.violation`.
* Some codes cannot be chosen together; the table :data:`CONTRADICTIONS` lists each
  rule with its reason. A result breaking any of them is refused, and every broken pair
  is reported.
* Results serialise to stable ASCII codes (``to_json`` / ``from_json``); labels may be
  reworded, codes never change.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from typing import Any, cast

import attrs

from randsupervise._core.canonical import canonical_json
from randsupervise._core.validation import describe, is_text
from randsupervise.errors import Problem, ValidationError

__all__ = [
    "CONTRADICTIONS",
    "RESULT_CODE_TABLE",
    "Contradiction",
    "InspectionResult",
    "ResultCode",
    "ResultCodeInfo",
    "ResultGroup",
    "result_problems",
]


class ResultGroup(str, enum.Enum):
    """What a result code speaks about."""

    #: the verdict on the business activity the check concerns
    OUTCOME = "outcome"
    #: whether the target let the check take place
    COOPERATION = "cooperation"
    #: whether the target could be reached at all
    CONTACT = "contact"
    #: the target's public-information duties (企业信息公示)
    DISCLOSURE = "disclosure"
    #: the target's registration status: the check could not take place
    STATUS = "status"


class ResultCode(str, enum.Enum):
    """A standard result code; the value is a stable ASCII id.

    Labels and flags come from :data:`RESULT_CODE_TABLE`.

    Examples:
        >>> ResultCode("UNREACHABLE").label_zh
        '通过登记的住所（经营场所）无法联系'
        >>> ResultCode.UNREACHABLE.problem_found, ResultCode.UNREACHABLE.target_gone
        (True, False)
        >>> ResultCode.from_label("已注销")
        <ResultCode.DEREGISTERED: 'DEREGISTERED'>
        >>> ResultCode.from_label("不配合检查情节严重").label_zh
        '不予配合情节严重'
        >>> ResultCode.from_label("违反《娱乐场所管理条例》相关规定")
        <ResultCode.VIOLATION: 'VIOLATION'>
    """

    NO_PROBLEM = "NO_PROBLEM"
    CORRECTED = "CORRECTED"
    FOLLOW_UP = "FOLLOW_UP"
    ACTIVITY_NOT_FOUND = "ACTIVITY_NOT_FOUND"
    NON_COOPERATION = "NON_COOPERATION"
    UNREACHABLE = "UNREACHABLE"
    NOT_DISCLOSED = "NOT_DISCLOSED"
    FALSIFIED = "FALSIFIED"
    DEREGISTERED = "DEREGISTERED"
    REVOKED = "REVOKED"
    CANCELLED = "CANCELLED"
    MOVED_OUT = "MOVED_OUT"
    SUSPENDED = "SUSPENDED"
    CLOSED = "CLOSED"
    VIOLATION = "VIOLATION"

    # Each code carries the fields of its row of RESULT_CODE_TABLE (set below the table);
    # label_zh, what output shows, is read from the row.
    #: An English label.
    label_en: str
    #: The :class:`ResultGroup` of the code.
    group: ResultGroup
    #: Whether the code records a problem (fed back into risk classes, plan §三(七)).
    problem_found: bool
    #: Whether the code means the target cannot be inspected: the visit is cancelled.
    target_gone: bool
    #: Whether the code is a ground for the list of abnormal operations (经营异常名录).
    abnormal_list: bool

    @property
    def info(self) -> ResultCodeInfo:
        """This code's row of :data:`RESULT_CODE_TABLE`."""
        return RESULT_CODE_TABLE[self]

    @property
    def label_zh(self) -> str:
        """The Chinese label, as shown on the publicity system."""
        return self.info.label_zh

    @classmethod
    def from_label(cls, label: str) -> ResultCode:
        """The code whose Chinese or English label, or one of whose aliases, is ``label``.

        Punctuation and spacing are not significant (``（经营场所）`` and ``(经营场所)``,
        ``、`` or none, are the same wording). A department-specific "违反……相关规定" is
        :attr:`VIOLATION`.

        Raises:
            ValueError: no code has that label (or the label names several codes).
        """
        if not isinstance(label, str):
            raise ValueError(f"a result label is text, got {describe(label)}")
        key = _norm(label)
        found = _BY_LABEL.get(key)
        if found is not None:
            return found
        if key.startswith("违反") and key.endswith("相关规定"):
            return cls.VIOLATION
        if key == _norm("检查对象已注销、被吊销、被撤销或迁出"):
            raise ValueError(
                f"{label!r} names four codes: give the one that applies "
                "(注销 DEREGISTERED, 被吊销 REVOKED, 撤销 CANCELLED, 迁出 MOVED_OUT)"
            )
        raise ValueError(f"no result code is labelled {label!r}")


@attrs.frozen(kw_only=True)
class ResultCodeInfo:
    """One row of the result-code table."""

    code: ResultCode
    label_zh: str
    label_en: str
    group: ResultGroup
    problem_found: bool
    target_gone: bool
    aliases: tuple[str, ...] = ()
    abnormal_list: bool = False


#: The flags of the table's third column: P problem found, G target gone, A a ground for
#: the list of abnormal operations; ``-`` none.
_FLAGS = {"P": "problem_found", "G": "target_gone", "A": "abnormal_list"}

#: The standard result codes (国家企业信用信息公示系统 抽查检查结果; 《企业信息公示暂行条例》;
#: 《企业公示信息抽查暂行办法》), one per line: code, group, flags, then ``label_zh |
#: label_en | aliases...``. ``label_zh`` is the national platform's wording (BRIEF), the
#: aliases the variants other platforms and years use. P: the target broke a rule.
#: A: a ground for the list of abnormal operations (企业经营异常名录管理暂行办法 art. 4).
#: G: the check cannot take place.
_TABLE = """
NO_PROBLEM         outcome     -   未发现问题 | no problem found
CORRECTED          outcome     P   发现问题已责令改正 | problem found, ordered to correct | 发现问题经责令已改正
FOLLOW_UP          outcome     P   发现问题待后续处理 | problem found, follow-up pending
ACTIVITY_NOT_FOUND outcome     -   未发现开展本次抽查涉及的经营活动 | activity covered by the check not found | 未发现本次抽查涉及的生产经营活动 | 未发现开展本次抽查涉及的生产经营活动
NON_COOPERATION    cooperation P   不予配合情节严重 | serious non-cooperation with the check | 不配合检查情节严重
UNREACHABLE        contact     PA  通过登记的住所（经营场所）无法联系 | cannot be contacted at the registered address (premises) | 通过登记的住所无法联系 | 通过登记的住所或者经营场所无法联系
NOT_DISCLOSED      disclosure  PA  未按规定公示应当公示的信息 | required information not disclosed
FALSIFIED          disclosure  PA  公示信息隐瞒真实情况、弄虚作假 | disclosed information concealed facts or was falsified
DEREGISTERED       status      G   检查对象已注销 | deregistered | 注销 | 已注销 | 被注销
REVOKED            status      G   检查对象被吊销 | business licence revoked | 吊销 | 被吊销 | 已吊销
CANCELLED          status      G   检查对象被撤销 | registration cancelled | 撤销 | 被撤销 | 已撤销
MOVED_OUT          status      G   检查对象已迁出 | moved out of the jurisdiction | 迁出 | 已迁出
SUSPENDED          status      G   已暂停营业 | business suspended | 暂停营业 | 歇业 | 已歇业
CLOSED             status      G   已关闭停业或正在组织清算 | closed, stopped trading or in liquidation | 已关闭 | 关闭 | 停业 | 正在组织清算
VIOLATION          outcome     P   违反相关规定 | violates the department's rules
"""  # noqa: E501 (one code a line)


def _read_table(text: str) -> dict[ResultCode, ResultCodeInfo]:
    """The rows of :data:`_TABLE` by code, in the order of :class:`ResultCode`."""
    rows = {}
    for line in text.strip().splitlines():
        code, group, flags, labels = line.split(maxsplit=3)
        zh, en, *aliases = labels.split(" | ")
        rows[ResultCode(code)] = ResultCodeInfo(
            code=ResultCode(code),
            label_zh=zh,
            label_en=en,
            group=ResultGroup(group),
            aliases=tuple(aliases),
            **{field: letter in flags for letter, field in _FLAGS.items()},
        )
    return {code: rows[code] for code in ResultCode}


#: Each code's row: labels, group, flags and aliases (read from the table above).
RESULT_CODE_TABLE: Mapping[ResultCode, ResultCodeInfo] = _read_table(_TABLE)
for _code, _info in RESULT_CODE_TABLE.items():
    for _field in ("label_en", "group", *_FLAGS.values()):
        setattr(_code, _field, getattr(_info, _field))

_C = ResultCode


def _norm(label: str) -> str:
    """A label with punctuation and spaces dropped, for matching platform variants."""
    drop = " \t\u3000、，,。.（）()《》<>“”\"'"
    return "".join(ch for ch in label.strip() if ch not in drop)


_BY_LABEL: Mapping[str, ResultCode] = {
    _norm(text): code
    for code, info in RESULT_CODE_TABLE.items()
    for text in (info.label_zh, info.label_en, *info.aliases)
}


@attrs.frozen(kw_only=True)
class Contradiction:
    """A rule: a result may not hold a code of ``left`` and a *different* code of ``right``."""

    name: str
    left: frozenset[ResultCode]
    right: frozenset[ResultCode]
    reason: str

    def pairs(self, codes: frozenset[ResultCode]) -> list[tuple[ResultCode, ResultCode]]:
        """The offending pairs in ``codes`` as (left, right), each unordered pair once."""
        order = list(ResultCode)
        candidates = sorted(
            ((a, b) for a in codes & self.left for b in codes & self.right if a is not b),
            key=lambda p: (order.index(p[0]), order.index(p[1])),
        )
        seen: set[frozenset[ResultCode]] = set()
        out = []
        for a, b in candidates:
            if frozenset((a, b)) not in seen:
                seen.add(frozenset((a, b)))
                out.append((a, b))
        return out


_STATUS = frozenset(c for c in ResultCode if c.group is ResultGroup.STATUS)
_VERDICTS_ON_ACTIVITY = frozenset({_C.NO_PROBLEM, _C.CORRECTED, _C.FOLLOW_UP, _C.VIOLATION})

#: The sets of codes the rules below speak of, by the name the rules give them.
_SETS: Mapping[str, frozenset[ResultCode]] = {
    "no-problem": frozenset({_C.NO_PROBLEM}),
    "problem": frozenset(c for c in ResultCode if c.problem_found),
    "activity-not-found": frozenset({_C.ACTIVITY_NOT_FOUND}),
    "verdict": _VERDICTS_ON_ACTIVITY,
    "unreachable": frozenset({_C.UNREACHABLE}),
    "on-site": frozenset({*_VERDICTS_ON_ACTIVITY, _C.ACTIVITY_NOT_FOUND, _C.NON_COOPERATION}),
    "status": _STATUS,
    "not-status": frozenset(ResultCode) - _STATUS,
}

#: Codes that cannot be combined, one rule a line: its name, ``left ~ right`` (sets of
#: :data:`_SETS`), its reason. Pairs not listed are allowed, e.g. CORRECTED with FOLLOW_UP
#: (one problem corrected, another pending), UNREACHABLE with NOT_DISCLOSED or FALSIFIED
#: (a document check needs no visit), ACTIVITY_NOT_FOUND with a disclosure code.
_RULES = """
no-problem-vs-problem         no-problem ~ problem: 'no problem found' cannot stand beside a code that records a problem
activity-not-found-vs-verdict activity-not-found ~ verdict: when the activity was not found there is no verdict on it
unreachable-vs-on-site        unreachable ~ on-site: a target unreachable at its registered address was not inspected on site
status-stands-alone           status ~ not-status: a registration-status code records why no check took place
one-status                    status ~ status: a target has one registration status at a time
"""  # noqa: E501 (one rule a line)


def _read_rules(text: str) -> tuple[Contradiction, ...]:
    """The rules of :data:`_RULES`, in their order."""
    rules = []
    for line in text.strip().splitlines():
        name, left, _, right, reason = line.split(maxsplit=4)
        rule = Contradiction(
            name=name, left=_SETS[left], right=_SETS[right.rstrip(":")], reason=reason
        )
        rules.append(rule)
    return tuple(rules)


#: The rules a result must keep (:func:`result_problems` reports every broken pair).
CONTRADICTIONS: tuple[Contradiction, ...] = _read_rules(_RULES)


def _to_code_set(value: Iterable[ResultCode | str] | Any) -> frozenset[ResultCode]:
    """Codes or their string values to a frozenset of codes; unknown values kept for the report."""
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return cast(frozenset[ResultCode], value)
    if getattr(value, "ndim", 1) != 1:  # a 0-d or 2-D numpy array: reported as it is
        return cast(frozenset[ResultCode], value)
    out: set[Any] = set()
    for v in value:
        try:
            out.add(ResultCode(v))
        except (ValueError, TypeError):
            try:
                out.add(ResultCode.from_label(v))  # the platform's wording, or a variant
                continue
            except ValueError:
                pass
            try:
                out.add(v)
            except TypeError:  # unhashable members: keep the raw value for the report
                return cast(frozenset[ResultCode], value)
    return cast(frozenset[ResultCode], frozenset(out))


@attrs.frozen(kw_only=True)
class InspectionResult:
    """The result of one check: a non-empty, consistent set of result codes.

    Attributes:
        codes: :class:`ResultCode` members or their string values.
        note: Optional free text.
        violation: The department's own wording of a ``VIOLATION``
            ("违反……相关规定"), shown instead of the generic label.

    Raises:
        ValidationError: an empty set, unknown codes, or one problem per contradictory
            pair (the rule's name in ``Problem.rule``).

    Examples:
        >>> r = InspectionResult(codes={"CORRECTED", "NOT_DISCLOSED"})
        >>> r.problem_found, r.target_gone, r.labels_zh
        (True, False, ('发现问题已责令改正', '未按规定公示应当公示的信息'))
        >>> InspectionResult.from_json(r.to_json()) == r
        True
        >>> InspectionResult(codes={"NO_PROBLEM", "FOLLOW_UP", "DEREGISTERED"})
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: inspection result: 3 problems:
          field 'codes': NO_PROBLEM and FOLLOW_UP contradict: 'no problem found' cannot ...
          field 'codes': DEREGISTERED and NO_PROBLEM contradict: a registration-status ...
          field 'codes': DEREGISTERED and FOLLOW_UP contradict: a registration-status ...
    """

    codes: frozenset[ResultCode] = attrs.field(converter=_to_code_set)
    note: str = ""
    violation: str = ""

    def __attrs_post_init__(self) -> None:
        problems = result_problems(self.codes)
        for field in ("note", "violation"):
            if not is_text(getattr(self, field)):
                problems.append(
                    Problem(
                        field=field,
                        message=f"must be a string without NUL or lone surrogates, got "
                        f"{describe(getattr(self, field))}",
                    )
                )
        if (
            is_text(self.violation)
            and self.violation
            and (not isinstance(self.codes, frozenset) or ResultCode.VIOLATION not in self.codes)
        ):
            problems.append(
                Problem(field="violation", message="only a VIOLATION result carries its wording")
            )
        if problems:
            raise ValidationError(problems, what="inspection result")

    @property
    def ordered_codes(self) -> tuple[ResultCode, ...]:
        """The codes in table order."""
        return tuple(c for c in ResultCode if c in self.codes)

    @property
    def problem_found(self) -> bool:
        """Whether any code records a problem."""
        return any(c.problem_found for c in self.codes)

    @property
    def target_gone(self) -> bool:
        """Whether any code means the target could not be inspected."""
        return any(c.target_gone for c in self.codes)

    @property
    def labels_zh(self) -> tuple[str, ...]:
        """The Chinese labels (the platform's wording) in table order."""
        return tuple(
            self.violation if c is ResultCode.VIOLATION and self.violation else c.label_zh
            for c in self.ordered_codes
        )

    @classmethod
    def from_labels(cls, labels: Iterable[str], note: str = "") -> InspectionResult:
        """A result from the platform's wording (or its variants), one label per code.

        A department's "违反……相关规定" becomes ``VIOLATION`` with its wording kept.

        Examples:
            >>> r = InspectionResult.from_labels(["发现问题经责令已改正"])
            >>> r.labels_zh
            ('发现问题已责令改正',)
        """
        if isinstance(labels, str) or not isinstance(labels, Iterable):
            raise ValidationError(
                f"expected a collection of labels, got {describe(labels)}",
                what="inspection result",
            )
        codes: list[ResultCode] = []
        problems: list[Problem] = []
        violation = ""
        for k, label in enumerate(labels):
            try:
                code = ResultCode.from_label(label)
            except ValueError as err:
                problems.append(Problem(row=k, field="labels", message=str(err)))
                continue
            codes.append(code)
            if code is ResultCode.VIOLATION and _norm(label) != _norm(code.label_zh):
                violation = label
        if problems:
            raise ValidationError(problems, what="inspection result")
        return cls(codes=codes, note=note, violation=violation)

    @property
    def labels_en(self) -> tuple[str, ...]:
        """The English labels in table order."""
        return tuple(c.label_en for c in self.ordered_codes)

    def to_dict(self) -> dict[str, Any]:
        """``{"codes": [<code>, ...], "note": <str>}`` with codes in table order."""
        out: dict[str, Any] = {"codes": [c.value for c in self.ordered_codes], "note": self.note}
        if self.violation:
            out["violation"] = self.violation
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> InspectionResult:
        """Inverse of :meth:`to_dict`."""
        if not isinstance(data, Mapping):
            raise ValidationError(
                f"expected a mapping with 'codes' and 'note', got {describe(data)}",
                what="inspection result",
            )
        unknown = sorted(map(describe, set(data) - {"codes", "note", "violation"}))
        if unknown or "codes" not in data:
            problems = [Problem(field=k, message="unknown field") for k in unknown]
            if "codes" not in data:
                problems.append(Problem(field="codes", message="missing"))
            raise ValidationError(problems, what="inspection result")
        return cls(
            codes=data["codes"], note=data.get("note", ""), violation=data.get("violation", "")
        )

    def to_json(self) -> str:
        """Canonical JSON text of :meth:`to_dict` (stable ASCII codes, sorted keys).

        Examples:
            >>> InspectionResult(codes={"NO_PROBLEM"}).to_json()
            '{"codes":["NO_PROBLEM"],"note":""}'
        """
        return canonical_json(self.to_dict(), "v1")

    @classmethod
    def from_json(cls, text: str) -> InspectionResult:
        """Inverse of :meth:`to_json`; raises ``ValidationError`` on bad content."""
        if not isinstance(text, str | bytes | bytearray):
            raise ValidationError(
                f"expected JSON text, got {describe(text)}", what="inspection result"
            )
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as err:
            raise ValidationError(f"not JSON: {err}", what="inspection result") from None
        if not isinstance(data, Mapping):
            raise ValidationError("expected a JSON object", what="inspection result")
        return cls.from_dict(data)


def result_problems(codes: object) -> list[Problem]:
    """Every problem with a set of result codes; empty when it forms a valid result.

    Examples:
        >>> [p.rule for p in result_problems({ResultCode.UNREACHABLE, ResultCode.NO_PROBLEM})]
        ['no-problem-vs-problem', 'unreachable-vs-on-site']
        >>> result_problems({ResultCode.CORRECTED, ResultCode.FOLLOW_UP})
        []
    """
    if not isinstance(codes, frozenset | set):
        return [
            Problem(field="codes", message=f"must be a collection of codes, got {describe(codes)}")
        ]
    if not codes:
        return [Problem(field="codes", message="a result needs at least one code")]
    unknown = sorted(repr(c) for c in codes if not isinstance(c, ResultCode))
    if unknown:
        return [
            Problem(
                field="codes",
                message=f"unknown result code(s) {unknown}; expected "
                f"{[c.value for c in ResultCode]} or a platform wording that "
                "ResultCode.from_label reads (e.g. '未发现问题')",
            )
        ]
    fs = frozenset(cast(Iterable[ResultCode], codes))
    out = []
    for rule in CONTRADICTIONS:
        for a, b in rule.pairs(fs):
            out.append(
                Problem(
                    field="codes",
                    message=f"{a.value} and {b.value} contradict: {rule.reason}",
                    rule=rule.name,
                )
            )
    return out
