"""The full demo: one year of the sample bureau, end to end, deterministic.

Invariants:

* Inputs are the embedded sample (``randsupervise.model.sample``), China's official
  2024 calendar and a public seed text. Nothing is read from files or the clock.
* The year is announced before it is drawn (``docs/spec/announcement.md``): the
  announcement (:func:`demo_announcement`, 5 January) fixes the register, the plan, every
  draw's stream and the seed's source, dice read on 15 January; the seed is made by that
  rule and the plan receipt is verified against the announcement.
* The plan carries out every item of the sample list (item coverage 100%): a split key
  task with random batch order for internet cafés, a joint task of the enforcement team
  and the fire brigade for entertainment venues that merges with the police's item in
  the same window (进一次门、查多项事), and one task per remaining item.
* The simulated inspections are pure functions of the seed: every outcome (inspection
  day, result, recording delay, publication, cancellations, the officer replaced) comes
  from the ticket function under streams ``"demo/outcomes/..."``; two runs are identical.
* Deadlines are ``calendar.deadline(inspected_on, 20)`` on the real calendar, for
  recording and for publication alike; a few recordings are late, a few publications
  are late although the recording was on time, a few visits stay unrecorded or
  unpublished, one is never carried out in its window, one is inspected after its window
  with a reason, so the report shows every case. The officer who records and publishes is
  the first member of the team (谁检查、谁录入、谁公开).
* Firms that cannot be contacted at their registered address get that result, published
  (they stay drawable); pending follow-ups (待后续处理) get a correction deadline, and most
  are closed later with a final result that is published again.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from randsupervise._core.report import VerifyReport
from randsupervise.assign import replace
from randsupervise.calendar import WorkCalendar, china
from randsupervise.cycle import (
    AnnualPlan,
    Batch,
    Cancel,
    CancelReason,
    Event,
    Feedback,
    FollowUp,
    Inspect,
    PlanRun,
    Publish,
    Record,
    ReplaceTeam,
    Task,
    YearState,
    announce_plan,
    feedback,
    run_plan,
    verify_plan,
)
from randsupervise.draw import Announcement, Seed, SeedRule, tickets_for_ids, uniforms
from randsupervise.errors import Problem, ValidationError
from randsupervise.metrics.report import YearReport, year_report
from randsupervise.model import TargetRegistry
from randsupervise.model.inspectors import InspectorPool
from randsupervise.model.items import ItemList
from randsupervise.model.results import InspectionResult, ResultCode
from randsupervise.model.sample import sample_inspectors, sample_items, sample_registry

__all__ = [
    "DemoReport",
    "demo_announcement",
    "demo_inputs",
    "demo_plan",
    "demo_seed_rule",
    "run_demo_year",
]

_TEAM = "文化市场综合行政执法大队"
_FIRE = "消防救援大队"
_POLICE = "公安局"
_RISK = {"A": 0.03, "B": 0.1, "C": 0.3, "D": 1.0}


def _d(year: int, m: int, d: int) -> _dt.date:
    return _dt.date(year, m, d)


def demo_plan(year: int = 2024) -> AnnualPlan:
    """The sample bureau's plan for ``year``: every item of ``sample_items()`` has a task.

    Examples:
        >>> plan = demo_plan()
        >>> len(plan.tasks), plan.item_ids == sample_items().ids
        (12, True)
        >>> plan.problems(sample_items())
        ()
    """
    q2 = Batch(id="Q2", start=_d(year, 4, 1), end=_d(year, 6, 28))
    q3 = Batch(id="Q3", start=_d(year, 7, 1), end=_d(year, 9, 27))
    q4 = Batch(id="Q4", start=_d(year, 10, 8), end=_d(year, 12, 13))
    h1 = Batch(id="H1", start=_d(year, 3, 1), end=_d(year, 6, 28))
    h2 = Batch(id="H2", start=_d(year, 9, 2), end=_d(year, 12, 13))

    def task(
        tid: str, items: Sequence[str], ratios: Any, batches: Sequence[Batch], **kw: Any
    ) -> Task:
        kw.setdefault("lead_department", _TEAM)
        return Task(id=tid, items=items, ratios=ratios, batches=batches, **kw)

    tasks = [
        # key item, high ratio for risky cafés: one draw, batch order by ticket (§三(二))
        task("net-key", ["K01"], _RISK, [h1, h2], split=True, target_filter={"industry": "网吧"}),
        task("net-licence", ["G04"], 0.1, [q2], target_filter={"industry": "网吧"}),
        # joint check: enforcement team + fire brigade (部门联合抽查)
        task(
            "venue-joint",
            ["K02", "K03"],
            _RISK,
            [q2, q4],
            split=True,
            partner_departments=[_FIRE],
            target_filter={"industry": "娱乐场所"},
        ),
        task(
            "venue-police",
            ["G06"],
            0.1,
            [q2],
            lead_department=_POLICE,
            target_filter={"industry": "娱乐场所"},
        ),
        task("shows", ["K04"], 0.2, [q2, q3]),
        task(
            "scenic",
            ["K05"],
            {"A": 0.2, "B": 0.2, "C": 0.5, "D": 1.0},
            [q2],
            target_filter={"industry": "A级旅游景区"},
        ),
        task("travel", ["G01"], 0.1, [q3], target_filter={"industry": "旅行社"}),
        task("books", ["G02"], 0.05, [q3], target_filter={"industry": "出版物零售"}),
        task("av-products", ["G03"], 0.1, [q2]),
        task("venue-filing", ["G05"], 0.2, [q3], target_filter={"industry": "演出场所"}),
        task("rural", ["G07"], 0.1, [q2], target_filter={"industry": "乡村旅游"}),
        task("conduct", ["G08"], 0.2, [q4]),
    ]
    return AnnualPlan(year=year, tasks=tasks, title=f"示例县文化和旅游局 {year} 年双随机抽查计划")


#: The dice read at the demo year's seed ceremony (the value the announced source gives).
DEMO_DICE = "3 1 4 1 5 9 2 6"


def demo_seed_rule(year: int = 2024) -> SeedRule:
    """Where the demo year's seed comes from: dice read aloud on 15 January."""
    return SeedRule(method="text", source=f"randsupervise demo {year}: dice", date=_d(year, 1, 15))


def demo_inputs(
    year: int = 2024,
) -> tuple[AnnualPlan, TargetRegistry, ItemList, InspectorPool, Seed, WorkCalendar]:
    """Plan, register, item list, pool, seed and calendar of the demo year.

    The seed is the one the announced rule (:func:`demo_seed_rule`) makes from the dice.
    """
    seed = demo_seed_rule(year).seed(value=DEMO_DICE)
    return demo_plan(year), sample_registry(), sample_items(), sample_inspectors(), seed, china()


def demo_announcement(year: int = 2024) -> Announcement:
    """The demo year's announcement (抽查预告), published on 5 January, before the seed.

    Examples:
        >>> a = demo_announcement()
        >>> a.date, a.seed_rule.date, len(a.subject["draws"])
        ('2024-01-05', '2024-01-15', 13)
    """
    plan, registry, items, pool, _, calendar = demo_inputs(year)
    return announce_plan(
        plan, registry, items, pool, calendar, seed_rule=demo_seed_rule(year), date=_d(year, 1, 5)
    )


def _u(seed: Seed, stream: str, ids: Sequence[str]) -> list[float]:
    out: list[float] = uniforms(tickets_for_ids(list(ids), seed, stream)).tolist()
    return out


def simulate_year(run: PlanRun, calendar: WorkCalendar, drawn_on: _dt.date) -> YearState:
    """Simulated inspections, results, recording and publication, all from tickets."""
    seed = run.seed
    state = YearState.start(run, drawn_on)
    ids = [v.id for v in run.visits]
    u_day, u_res, u_rec, u_pub, u_fate = (
        _u(seed, f"demo/outcomes/{k}", ids) for k in ("day", "result", "record", "publish", "fate")
    )
    events: list[tuple[str, Event]] = []
    # 补抽: on 1 July one officer (of the visit with the smallest replacement ticket) goes
    # on long leave; the assignment engine replaces them in every team still to inspect
    u_rep = _u(seed, "demo/outcomes/replacement", ids)
    leave_on = _d(run.year, 7, 1)
    changed: dict[str, tuple[str, ...]] = {}
    gone = ""
    if ids:
        gone = run.teams[ids[int(np.argmin(u_rep))]][0]
        after = replace(run.assignment, [gone])
        changed = {
            t.visit: tuple(sorted(t.members))
            for t in after.teams
            if tuple(sorted(t.members)) != run.teams[t.visit]
        }
    for k, v in enumerate(run.visits):
        days = np.arange(
            np.datetime64(v.start, "D"), np.datetime64(v.end, "D") + np.timedelta64(1, "D")
        )
        work = days[calendar.is_workday(days)]
        if u_fate[k] < 0.01:  # the register was out of date: the target is gone
            reason = CancelReason.DEREGISTERED
            events.append((v.id, Cancel(on=v.start, reason=reason, note="found before the visit")))
            continue
        if u_fate[k] < 0.02:  # never carried out in its window: overdue, not carried out
            continue
        on = work[min(int(u_day[k] * work.size), work.size - 1)].item()
        why = ""
        if u_fate[k] < 0.025:  # inspected after its window, with the reason on record
            on = calendar.add_workdays(v.end, 3)
            why = "venue closed for renovation until after the batch window"
        team = run.teams[v.id]
        if v.id in changed and on >= leave_on:
            events.append(
                (v.id, ReplaceTeam(on=leave_on, team=changed[v.id], reason=f"{gone} on leave"))
            )
            team = changed[v.id]
        officer = sorted(team)[0]
        events.append((v.id, Inspect(on=on, outside_window=why)))
        result = _result(u_res[k])
        pending = ResultCode.FOLLOW_UP in result.codes
        correct_by = calendar.add_workdays(on, 30) if pending else None
        rec_on = _record_day(calendar, on, u_rec[k])
        events.append((v.id, Record(on=rec_on, result=result, by=officer, correct_by=correct_by)))
        if u_rec[k] > 0.985:  # never recorded: stays open, overdue
            events.pop()
            continue
        if u_pub[k] > 0.97:  # recorded but not published: not complete (§三(六))
            continue
        if u_pub[k] > 0.93:  # recorded in time, published after the deadline
            after = max(rec_on, calendar.deadline(on))
            pub_on = calendar.add_workdays(after, 1 + int((u_pub[k] - 0.93) * 100))
        else:
            pub_on = calendar.add_workdays(rec_on, 1 + int(u_pub[k] * 4))
        events.append((v.id, Publish(on=pub_on, by=officer)))
        if pending and correct_by is not None and u_fate[k] > 0.3:  # most follow-ups close
            closed_on = max(pub_on, calendar.add_workdays(correct_by, 2))
            final = InspectionResult(codes={"CORRECTED"})
            events.append((v.id, FollowUp(on=closed_on, result=final, by=officer)))
            events.append((v.id, Publish(on=calendar.add_workdays(closed_on, 1), by=officer)))
    return state.apply(events, calendar)


def _record_day(calendar: WorkCalendar, inspected: _dt.date, u: float) -> _dt.date:
    # most within 2-18 working days; about 6% late (21-26 working days)
    n = 2 + int(u * 17) if u < 0.92 else 21 + int((u - 0.92) * 80)
    out: _dt.date = calendar.add_workdays(inspected, n)
    return out


_RESULTS = (
    (0.78, {"NO_PROBLEM"}),
    (0.86, {"CORRECTED"}),
    (0.91, {"FOLLOW_UP"}),
    (0.94, {"CORRECTED", "NOT_DISCLOSED"}),
    (0.97, {"ACTIVITY_NOT_FOUND"}),
    (0.99, {"UNREACHABLE"}),  # cannot be contacted at the address: a result, published
    (1.01, {"NON_COOPERATION"}),
)


def _result(u: float) -> InspectionResult:
    for bound, codes in _RESULTS:
        if u < bound:
            return InspectionResult(codes=codes)
    raise AssertionError("unreachable")  # pragma: no cover


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
            "burden": s["burden"],
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
        if lang == "zh":
            return self._text_zh()
        if lang != "en":
            raise ValidationError([Problem(field="lang", message="'zh' or 'en'")])
        j = self.to_json_dict()
        v = j["visits"]
        cov = j["item_coverage"]
        t = j["timeliness"]
        c = j["completion"]
        w = j["workload"]
        fb = j["feedback"]
        rows = self.report.timeliness.rows
        # one example of each kind of problem, then the first others
        kinds: dict[str, Any] = {}
        for r in rows:
            kinds.setdefault(r["status"].split(", ")[0], r)
        late_rows = list(kinds.values())[:8]
        lines = [
            f"randsupervise demo — {self.plan.title}",
            f"announcement (抽查预告) of {self.announcement.date}: digest "
            f"{self.announcement.announcement_digest}; seed from "
            f"'{self.announcement.seed_rule.source}' on {self.announcement.seed_rule.date}",
            f"plan receipt digest: {j['plan_digest']}",
            "plan receipt against the announcement: "
            + (
                "verified (same register, plan, draws and stream labels; seed from the "
                "announced source)"
                if self.announced.ok
                else "NOT verified: " + ", ".join(d.path for d in self.announced.differences)
            ),
            f"seed: {j['seed']}",
            f"calendar: {self.calendar.name}",
            "",
            f"tasks {j['tasks']}, draws {j['draws']}, visits {v['total']} "
            f"(joint {v['joint']}, several items {v['multi_item']})",
            *(
                [
                    f"joint visit {ex['visit']}, each department drawing its own part "
                    "(与配合部门分别抽取各自的执法检查人员): "
                    + "; ".join(f"{d} {', '.join(m)}" for d, m in ex["by_department"].items())
                ]
                if (ex := v["joint_example"])
                else []
            ),
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
            f"{len(self.feedback.abnormal_list)}",
            f"workload: {w['inspectors']} officers, min {w['min']}, median {w['median']}, "
            f"max {w['max']}, Gini {w['gini']}",
            f"visits saved by merging items on one target (进一次门、查多项事): "
            f"{j['burden']['visits_saved']} of {j['burden']['hits']} hits",
            "lowest yearly probability of being drawn, active targets (利剑高悬): "
            + ", ".join(f"{k} {j['yearly_inclusion'][f'min_{k}']:.1%}" for k in "ABCD"),
            "",
            "deadlines (one visit of each kind):",
        ]
        for r in late_rows:
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
        return "\n".join(lines)

    def _text_zh(self) -> str:
        """The report in Chinese: the figures a bureau reports upward, in its own terms."""
        j = self.to_json_dict()
        v, cov, t = j["visits"], j["item_coverage"], j["timeliness"]
        c, w, fb = j["completion"], j["workload"], j["feedback"]
        a = self.announcement
        lines = [
            f"randsupervise 演示 — {self.plan.title}",
            f"抽查预告（{a.date}）摘要 {a.announcement_digest}；随机种子来源"
            f"“{a.seed_rule.source}”，取值日期 {a.seed_rule.date}",
            f"年度计划回执摘要：{j['plan_digest']}",
            "计划回执与抽查预告核对："
            + (
                "一致（名录库、计划、各次抽取与流标签相同，种子来自预告的来源）"
                if self.announced.ok
                else "不一致：" + "、".join(d.path for d in self.announced.differences)
            ),
            f"随机种子：{j['seed']}",
            f"工作日历：{self.calendar.name}",
            "",
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
            f"列入经营异常名录建议：{len(self.feedback.abnormal_list)}",
            f"检查人员工作量：{w['inspectors']} 人，最少 {w['min']}，中位数 {w['median']}，"
            f"最多 {w['max']}，基尼系数 {w['gini']}",
            f"进一次门、查多项事：{j['burden']['hits']} 次抽中合并后少上门 "
            f"{j['burden']['visits_saved']} 次",
            "各风险类别在营对象全年被抽中的最低概率（利剑高悬）："
            + "，".join(f"{k} 类 {j['yearly_inclusion'][f'min_{k}']:.1%}" for k in "ABCD"),
            "",
            "信用风险分类反馈（下一年度）："
            + "，".join(f"{_RULES_ZH.get(k, k)} {n}" for k, n in fb["moves"].items()),
            "各类别户数："
            + " ".join(f"{k}:{fb['classes_before'][k]}→{fb['classes_after'][k]}" for k in "ABCD"),
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        j = self.to_json_dict()
        return (
            f"DemoReport(year={j['year']}, visits={j['visits']['total']}, "
            f"item_coverage={j['item_coverage']['rate']}, plan_digest={j['plan_digest'][:16]}…)"
        )

    def _repr_html_(self) -> str:
        return self.report._repr_html_() + self.feedback._repr_html_()


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
    state = simulate_year(run, calendar, drawn_on=_d(year, 2, 26))
    as_of = _d(year + 1, 2, 28)
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
