"""The demo year's report: the figures of the whole year, as JSON and as text.

Invariants:

* The report is a pure function of the demo year (:func:`run_demo_year`); its JSON form
  is identical across runs, and the English and Chinese texts show the figures of that
  JSON form.
* The seed is made by the announced rule from the dice (:data:`DEMO_DICE`) after the
  announcement, and the plan receipt is verified against the announcement
  (``verify_plan(..., announcement=...)``).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import attrs
import numpy as np

from randsupervise._core.report import VerifyReport
from randsupervise.calendar import WorkCalendar
from randsupervise.cycle import (
    AnnualPlan,
    Feedback,
    PlanRun,
    YearState,
    feedback,
    run_plan,
    verify_plan,
)
from randsupervise.demo.inputs import DEMO_DICE, demo_announcement, demo_inputs
from randsupervise.demo.outcomes import simulate_year
from randsupervise.draw import Announcement
from randsupervise.errors import Problem, ValidationError
from randsupervise.metrics import YearReport, year_report
from randsupervise.model import TargetRegistry
from randsupervise.model.inspectors import InspectorPool
from randsupervise.model.items import ItemList
from randsupervise.model.results import ResultCode

__all__ = ["DemoReport", "run_demo_year"]

#: Chinese names of the feedback rules, for the Chinese report.
_RULES_ZH = {
    "problem-found": "发现问题",
    "clean-streak": "连续检查未发现问题",
    "status": "登记状态变化",
    "imported": "采用监管部门分类",
}


@attrs.frozen(kw_only=True)
class DemoReport:
    """The demo year: inputs, the announcement made before the seed, the drawn plan, the
    visits, the metrics and the feedback.

    ``announced`` is the plan receipt verified against the announcement
    (``verify_plan(..., announcement=...)``)."""

    announcement: Announcement = attrs.field(repr=False)
    announced: VerifyReport = attrs.field(repr=False)
    plan: AnnualPlan = attrs.field(repr=False)
    registry: TargetRegistry = attrs.field(repr=False)
    items: ItemList = attrs.field(repr=False)
    pool: InspectorPool = attrs.field(repr=False)
    calendar: WorkCalendar = attrs.field(repr=False)
    run: PlanRun = attrs.field(repr=False)
    state: YearState = attrs.field(repr=False)
    report: YearReport = attrs.field(repr=False)
    feedback: Feedback = attrs.field(repr=False)

    def _joint_example(self) -> dict[str, Any] | None:
        """The first joint visit with its members per department (None without one)."""
        for v in self.run.visits:
            if v.is_joint:
                team = self.run.assignment.team(v.id)
                return {"visit": v.id, "by_department": dict(team.to_record()["by_department"])}
        return None

    def to_json_dict(self) -> dict[str, Any]:
        """The demo's figures as JSON-able data (identical across runs)."""
        visits = self.run.visits
        s = self.report.summary()
        moves = self.feedback.counts()
        before = np.bincount(self.registry.risk_codes, minlength=4).tolist()
        after = np.bincount(self.feedback.registry.risk_codes, minlength=4).tolist()
        return {
            "year": self.plan.year,
            "seed": self.run.seed.hex,
            "plan_digest": self.run.digest,
            "announcement": {
                "date": self.announcement.date,
                "digest": self.announcement.announcement_digest,
                "seed_date": self.announcement.seed_rule.date,
                "receipt_matches": self.announced.ok,
            },
            "tasks": len(self.plan.tasks),
            "draws": len(self.run.draws),
            "item_coverage": s["item_coverage"],
            "visits": {
                "total": len(visits),
                "joint": sum(v.is_joint for v in visits),
                "multi_item": sum(len(v.items) > 1 for v in visits),
                "by_state": self.state.counts(),
                "joint_example": self._joint_example(),
            },
            "timeliness": s["timeliness"],
            "unreachable": sum(
                r is not None and ResultCode.UNREACHABLE in r.codes
                for r in self.state.column("result").tolist()
            ),
            "completion": s["completion"],
            "workload": s["workload"],
            "duty_ledger": s["duty_ledger"],
            "visits_per_target": s["visits_per_target"],
            "yearly_inclusion": s["yearly_inclusion"],
            "feedback": {
                "moves": moves,
                "classes_before": dict(zip("ABCD", before, strict=True)),
                "classes_after": dict(zip("ABCD", after, strict=True)),
                "examples": [m.reason for m in self.feedback.moves[:3]],
                "abnormal_list": len(self.feedback.abnormal_list),
            },
        }

    def to_text(self, lang: str = "en") -> str:
        """A readable report of the year, in English (``lang="en"``) or Chinese (``"zh"``).

        Examples:
            >>> demo = run_demo_year()
            >>> demo.to_text(lang="zh").splitlines()[0].startswith("randsupervise 演示")
            True
        """
        if not isinstance(lang, str) or lang not in _HEAD:
            raise ValidationError([Problem(field="lang", message="'zh' or 'en'")])
        j = self.to_json_dict()
        if lang == "zh":
            return "\n".join([*self._head(j, "zh"), "", *_figures_zh(j, self)])
        return "\n".join(
            [*self._head(j, "en"), "", *_figures_en(j, self), "", *self._details_en(j)]
        )

    def _head(self, j: dict[str, Any], lang: str) -> list[str]:
        """The title, the announcement, the plan receipt checked against it, the seed and
        the calendar, in the words of ``lang``."""
        a = self.announcement
        verified, not_verified, sep = _VERIFIED[lang]
        check = (
            verified
            if self.announced.ok
            else not_verified + sep.join(d.path for d in self.announced.differences)
        )
        facts = {
            "title": self.plan.title, "date": a.date, "digest": a.announcement_digest,
            "source": a.seed_rule.source, "seed_date": a.seed_rule.date,
            "plan_digest": j["plan_digest"], "check": check, "seed": j["seed"],
            "calendar": self.calendar.name,
        }  # fmt: skip
        return [line.format(**facts) for line in _HEAD[lang]]

    def _details_en(self, j: dict[str, Any]) -> list[str]:
        """One problem visit of each kind, the duty ledger and the feedback."""
        fb = j["feedback"]
        # one example of each kind of problem, then the first others
        kinds: dict[str, Any] = {}
        for r in self.report.timeliness.rows:
            kinds.setdefault(r["status"].split(", ")[0], r)
        lines = ["deadlines (one visit of each kind):"]
        for r in list(kinds.values())[:8]:
            lines.append(
                f"  {r['visit']}: window to {r['window_end']}, inspected "
                f"{r['inspected_on'] or '—'}, deadline {r['deadline'] or '—'}, recorded "
                f"{r['recorded_on'] or '—'}, published {r['published_on'] or '—'} ({r['status']})"
            )
        lines += ["", self.report.ledger.to_text(max_rows=8), ""]
        lines.append(
            "feedback for next year: " + ", ".join(f"{k} {n}" for k, n in fb["moves"].items())
        )
        lines.append(
            "classes "
            + " ".join(f"{k}:{fb['classes_before'][k]}->{fb['classes_after'][k]}" for k in "ABCD")
        )
        lines += [f"  {e}" for e in fb["examples"]]
        return lines

    def __repr__(self) -> str:
        j = self.to_json_dict()
        return (
            f"DemoReport(year={j['year']}, visits={j['visits']['total']}, "
            f"item_coverage={j['item_coverage']['rate']}, plan_digest={j['plan_digest'][:16]}…)"
        )

    def _repr_html_(self) -> str:
        return self.report._repr_html_() + self.feedback._repr_html_()


#: The report's head in each language: title, announcement, plan receipt, seed, calendar.
_HEAD = {
    "en": (
        "randsupervise demo — {title}",
        "announcement (抽查预告) of {date}: digest {digest}; seed from '{source}' on {seed_date}",
        "plan receipt digest: {plan_digest}",
        "plan receipt against the announcement: {check}",
        "seed: {seed}",
        "calendar: {calendar}",
    ),
    "zh": (
        "randsupervise 演示 — {title}",
        "抽查预告（{date}）摘要 {digest}；随机种子来源“{source}”，取值日期 {seed_date}",
        "年度计划回执摘要：{plan_digest}",
        "计划回执与抽查预告核对：{check}",
        "随机种子：{seed}",
        "工作日历：{calendar}",
    ),
}

#: The plan receipt checked against the announcement: verified, not verified, separator.
_VERIFIED = {
    "en": (
        "verified (same register, plan, draws and stream labels; seed from the announced source)",
        "NOT verified: ",
        ", ",
    ),
    "zh": ("一致（名录库、计划、各次抽取与流标签相同，种子来自预告的来源）", "不一致：", "、"),
}


def _figures_en(j: dict[str, Any], demo: DemoReport) -> list[str]:
    """The year's figures in English, one line each."""
    v, cov, t = j["visits"], j["item_coverage"], j["timeliness"]
    c, w, vpt = j["completion"], j["workload"], j["visits_per_target"]
    ex = v["joint_example"]
    joint = (
        [
            f"joint visit {ex['visit']}, each department drawing its own part "
            "(与配合部门分别抽取各自的执法检查人员): "
            + "; ".join(f"{d} {', '.join(m)}" for d, m in ex["by_department"].items())
        ]
        if ex
        else []
    )
    return [
        f"tasks {j['tasks']}, draws {j['draws']}, visits {v['total']} "
        f"(joint {v['joint']}, several items {v['multi_item']})",
        *joint,
        "states: " + ", ".join(f"{k} {n}" for k, n in v["by_state"].items()),
        f"item coverage (开展率): {cov['carried_out']}/{cov['items']} = {cov['rate']:.0%}",
        f"recording (20 working days): on time {t['recorded_on_time']}, late "
        f"{t['recorded_late']}, overdue {t['record_overdue']} "
        f"({t['share_recorded_on_time']:.1%} on time)",
        f"publication (20 working days): on time {t['published_on_time']}, late "
        f"{t['published_late']}, overdue {t['publish_overdue']} "
        f"({t['share_published_on_time']:.1%} on time)",
        f"not carried out in the window: {t['not_carried_out']}; inspected outside the "
        f"window with a reason: {t['outside_window']}",
        f"both steps on time: {t['on_time']}/{t['settled']} settled visits "
        f"({t['share_on_time']:.1%})",
        f"follow-ups (待后续处理): {t['follow_ups_closed']} closed and published again, "
        f"{t['follow_ups_open']} open ({t['follow_ups_overdue']} past the correction "
        "deadline)",
        f"completion: {c['published']} published ({c['share_published']:.1%} of live "
        f"visits); inspected but not published: {c['inspected_not_published']}",
        f"unreachable at the registered address, published and still drawable: "
        f"{j['unreachable']}; for the list of abnormal operations: "
        f"{len(demo.feedback.abnormal_list)}",
        f"workload: {w['inspectors']} officers, min {w['min']}, median {w['median']}, "
        f"max {w['max']}, Gini {w['gini']}",
        f"visits saved by merging items on one target (进一次门、查多项事): "
        f"{vpt['visits_saved']} of {vpt['hits']} hits",
        "lowest yearly probability of being drawn, active targets (利剑高悬): "
        + ", ".join(f"{k} {j['yearly_inclusion'][f'min_{k}']:.1%}" for k in "ABCD"),
    ]


def _figures_zh(j: dict[str, Any], demo: DemoReport) -> list[str]:
    """The year's figures in Chinese: what a bureau reports upward, in its own terms."""
    v, cov, t = j["visits"], j["item_coverage"], j["timeliness"]
    c, w, fb = j["completion"], j["workload"], j["feedback"]
    vpt = j["visits_per_target"]
    return [
        f"抽查任务 {j['tasks']} 项，抽取 {j['draws']} 次，检查 {v['total']} 户次"
        f"（联合检查 {v['joint']}，一次检查多个事项 {v['multi_item']}）",
        f"事项开展率：{cov['carried_out']}/{cov['items']} = {cov['rate']:.0%}",
        f"录入（20 个工作日内）：按时 {t['recorded_on_time']}，逾期完成 "
        f"{t['recorded_late']}，尚未录入且已超期 {t['record_overdue']}"
        f"（按时率 {t['share_recorded_on_time']:.1%}）",
        f"公示（20 个工作日内）：按时 {t['published_on_time']}，逾期完成 "
        f"{t['published_late']}，尚未公示且已超期 {t['publish_overdue']}"
        f"（按时率 {t['share_published_on_time']:.1%}）",
        f"批次期限内未实施检查：{t['not_carried_out']}；经说明理由在批次期限外检查："
        f"{t['outside_window']}",
        f"待后续处理：已办结并再次公示 {t['follow_ups_closed']}，未办结 "
        f"{t['follow_ups_open']}（其中超过整改期限 {t['follow_ups_overdue']}）",
        f"已公示 {c['published']} 户次（占应检查的 {c['share_published']:.1%}）；"
        f"已检查未公示（视为未完成）：{c['inspected_not_published']}",
        f"通过登记的住所（经营场所）无法联系：{j['unreachable']}（已公示，仍在抽查范围内）；"
        f"列入经营异常名录建议：{len(demo.feedback.abnormal_list)}",
        f"检查人员工作量：{w['inspectors']} 人，最少 {w['min']}，中位数 {w['median']}，"
        f"最多 {w['max']}，基尼系数 {w['gini']}",
        f"进一次门、查多项事：{vpt['hits']} 次抽中合并后少上门 {vpt['visits_saved']} 次",
        "各风险类别在营对象全年被抽中的最低概率（利剑高悬）："
        + "，".join(f"{k} 类 {j['yearly_inclusion'][f'min_{k}']:.1%}" for k in "ABCD"),
        "",
        "信用风险分类反馈（下一年度）："
        + "，".join(f"{_RULES_ZH.get(k, k)} {n}" for k, n in fb["moves"].items()),
        "各类别户数："
        + " ".join(f"{k}:{fb['classes_before'][k]}→{fb['classes_after'][k]}" for k in "ABCD"),
    ]


def run_demo_year(year: int = 2024) -> DemoReport:
    """Run the sample bureau's whole year: the announcement first, then the plan's draws,
    visits, teams, results and feedback; the plan receipt is verified against the
    announcement.

    Examples:
        >>> demo = run_demo_year()
        >>> demo.to_json_dict()["item_coverage"]["rate"]
        1.0
        >>> demo.to_json_dict() == run_demo_year().to_json_dict()
        True
    """
    plan, registry, items, pool, _, calendar = demo_inputs(year)
    announcement = demo_announcement(year)  # published before the seed exists
    seed = announcement.seed(value=DEMO_DICE)
    run = run_plan(plan, registry, items, pool, seed=seed, calendar=calendar)
    announced = verify_plan(
        run.receipt, plan, registry, items, pool, calendar=calendar, announcement=announcement
    )
    state = simulate_year(run, calendar, drawn_on=_dt.date(year, 2, 26))
    as_of = _dt.date(year + 1, 2, 28)
    report = year_report(run, state, registry=registry, items=items, pool=pool, as_of=as_of)
    fb = feedback(registry, state)
    return DemoReport(
        announcement=announcement,
        announced=announced,
        plan=plan,
        registry=registry,
        items=items,
        pool=pool,
        calendar=calendar,
        run=run,
        state=state,
        report=report,
        feedback=fb,
    )
