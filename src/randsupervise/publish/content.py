"""What the bureau publishes (一公开): the plan, each task's drawn list, the results.

Invariants, each with the rule it comes from:

* **The announcement** (抽查预告; RFC 3797, ``docs/spec/announcement.md``): published
  before the seed exists, it is a publication too; the sealed announcement is kept
  unchanged in it, so its digest still checks. A drawn list made under it cites its date
  and digest with a reference to its page (:data:`ANNOUNCEMENT_HREF`) and embeds it, so
  the page's verifier compares every draw with what was announced.
* **The plan and the item list** (plan §三(一), §三(二), §三(五): the plan and the item
  list are published on the bureau's website): every item with its legal basis, kind
  (key or general), content, method, ratio cap and yearly frequency limit, the
  departments and windows of the tasks that carry it out; every task with its items,
  scope (定向 or 不定向), departments, per-class ratios or counts and batches.
* **A task's announcement and drawn list** (plan §三(六)): task number and name, type,
  items, scope, windows, the inspecting authority and its partners, the drawn firms
  (name and unified social credit code, or the register id of a product, project or
  conduct), the public seed text and how to check the draw. The **public form** lists
  no firm's risk class and embeds each draw's public record
  (:func:`~randsupervise.publish.records.public_record`); the **audit form** adds each
  firm's class and embeds the full draw receipts.
* **Results** (plan §三(六); the layout of the national enterprise credit information
  publicity system): per firm, one row per published inspection and task: type,
  inspecting authority, completion date, result in the official wording (the result
  codes' Chinese labels, :mod:`randsupervise.model.results`), publication date. Only
  published visits appear. **Never** a penalty (published under its own rules, plan
  §三(六)), an inspector's identity, the result's free-text note, or a risk class.
* Every function returns a :class:`~randsupervise.publish.formats.Publication`; nothing
  here reads or writes a file. Labels are Chinese by default, English with
  ``lang="en"``; the JSON keys and codes do not depend on the language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from randsupervise.cycle.lifecycle import VisitState, YearState
from randsupervise.cycle.plan import AnnualPlan, Task
from randsupervise.cycle.run import DrawRecord, PlanRun
from randsupervise.draw.announcement import Announcement, as_announcement
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.credit_code import is_valid_credit_code
from randsupervise.model.items import ItemKind, ItemList
from randsupervise.model.targets import TargetRegistry
from randsupervise.publish.formats import (
    PUBLICATION_FORMAT,
    PUBLICATION_VERSION,
    Publication,
    Table,
    iso,
)
from randsupervise.publish.records import public_record

__all__ = [
    "ANNOUNCEMENT_HREF",
    "FORMS",
    "LANGS",
    "publish_announcement",
    "publish_plan",
    "publish_results",
    "publish_task",
]

LANGS: tuple[str, ...] = ("zh", "en")
#: Where a drawn list refers to its announcement: the announcement's page, published
#: beside it (the command line writes ``announcement.html`` and ``announcement.json``).
ANNOUNCEMENT_HREF = "announcement.html"
#: The forms of a drawn list: ``public`` names no firm's risk class; ``audit`` does.
FORMS: tuple[str, ...] = ("public", "audit")

_KIND = {
    "zh": {
        "enterprise": "企业",
        "sole_trader": "个体工商户",
        "farmer_cooperative": "农民专业合作社",
        "other_entity": "其他主体",
        "product": "产品",
        "project": "项目",
        "conduct": "行为",
    },
    "en": {
        "enterprise": "enterprises",
        "sole_trader": "sole traders",
        "farmer_cooperative": "farmer co-operatives",
        "other_entity": "other entities",
        "product": "products",
        "project": "projects",
        "conduct": "conduct",
    },
}
_STATUS = {
    "zh": {
        "active": "存续",
        "suspended": "暂停营业",
        "unreachable": "无法联系",
        "deregistered": "已注销",
        "revoked": "已吊销",
        "moved_out": "已迁出",
    },
    "en": {
        "active": "active",
        "suspended": "suspended",
        "unreachable": "unreachable",
        "deregistered": "deregistered",
        "revoked": "revoked",
        "moved_out": "moved out",
    },
}
_COLUMN = {
    "zh": {"industry": "行业", "kind": "对象类型", "region": "区域", "status": "登记状态",
           "risk_class": "信用风险分类"},
    "en": {"industry": "industry", "kind": "kind", "region": "region", "status": "status",
           "risk_class": "credit-risk class"},
}  # fmt: skip

_W: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "sep": "、",
        "colon": "：",
        "semi": "；",
        "targeted": "定向抽查",
        "untargeted": "不定向抽查",
        "joint": "部门联合",
        "key": "重点检查事项",
        "general": "一般检查事项",
        "class": "{c}类",
        "none": "无",
        "all": "全部检查对象",
        "random_order": "随机确定批次顺序",
        "fixed_order": "各批次分别抽取",
        "plan_title": "{title}",
        "items_title": "随机抽查事项清单",
        "tasks_title": "抽查任务与批次",
        "task_title": "抽查任务公告及抽取结果：{id} {name}",
        "task_title_audit": "抽查任务抽取结果（审计版，含信用风险分类）：{id} {name}",
        "drawn_title": "抽取名单",
        "results_title": "{year}年度双随机抽查检查结果公示",
        "results_table": "抽查检查结果",
        # item columns
        "c_item_id": "事项编号",
        "c_item_name": "事项名称",
        "c_item_kind": "事项类别",
        "c_basis": "法律依据",
        "c_content": "检查内容",
        "c_method": "检查方式",
        "c_targets": "检查对象类型",
        "c_cap": "抽查比例上限",
        "c_limit": "同一对象年度检查次数上限",
        "c_departments": "实施部门",
        "c_ratio": "抽查比例",
        "c_windows": "抽查时间",
        "c_tasks": "抽查任务",
        "no_cap": "不设上限",
        # task columns
        "c_task_id": "任务编号",
        "c_task_name": "任务名称",
        "c_type": "抽查类型",
        "c_items": "抽查事项",
        "c_scope": "抽查范围",
        "c_lead": "牵头部门",
        "c_partners": "配合部门",
        "c_batches": "批次",
        "c_batch_order": "批次顺序",
        # drawn list
        "c_no": "序号",
        "c_firm": "检查对象名称",
        "c_code": "统一社会信用代码（或对象编号）",
        "c_batch": "批次",
        "c_window": "检查时间",
        "c_ticket": "抽签号",
        "c_risk": "信用风险分类",
        # results
        "c_authority": "检查实施机关",
        "c_completed": "检查完成日期",
        "c_result": "检查结果",
        "c_published": "公示日期",
        "p_plan": "本计划依据《{title}》制定，含随机抽查事项清单和年度抽查任务。信用风险分类"
        "为内部监管工具，本表仅列各类别的抽查比例，不公示任何检查对象的分类。",
        "p_task": "任务编号：{id}；任务名称：{name}；抽查类型：{type}；抽查事项：{items}；"
        "抽查范围：{scope}；检查实施机关：{lead}；配合部门：{partners}；检查时间：{windows}。",
        "p_seed": "随机种子原文（抽取前公布）：“{source}”；种子：{seed}。",
        "p_public": "本名单为公示版：不列出任何检查对象的信用风险分类。每次抽取附有公示记录"
        "（含审计回执摘要 receipt_digest），纪检监察等审计部门可凭审计回执和检查对象名录库"
        "完整复核。",
        "p_audit": "本名单为审计版：列出每个检查对象的信用风险分类，并附完整抽取回执，"
        "仅供审计使用，不得公开。",
        "p_results": "按照“谁检查、谁录入、谁公开”的原则，检查结果自检查完成之日起20个工作日内"
        "录入并公示，归集于相应检查对象名下。检查结果的公示只针对抽查行为本身，"
        "后续对检查对象作出的行政处罚按照公示行政处罚信息的规定另行公示。",
        "how_1": "任何人都可以用公布的种子原文重新计算种子、每个对象的抽签号和批次顺序"
        "（规则见项目文档“抽签号规范 v1”第1-8节）。",
        "how_2": "持有检查对象名录库文件者，可在本页下方的核验区载入该文件，浏览器会重新计算"
        "名录库摘要、各类别的抽取结果和回执摘要，显示“已核验”或不一致的字段。",
        "how_3": "也可用命令行核验：randsupervise verify 回执.json --registry 名录库.csv "
        '--seed-text "{source}"（退出码 0 为已核验，1 为不一致，2 为输入有误）。',
        "ann_title": "{year}年度双随机抽查预告",
        "ann_draws": "将要进行的抽取",
        "c_stream": "抽取流标签",
        "c_filter": "抽查范围（定向条件）",
        "c_field": "项目",
        "c_value": "内容",
        "ann_summary": "预告要点",
        "f_date": "预告发布日期",
        "f_digest": "预告摘要（announcement_digest）",
        "f_seed_method": "随机种子产生方式",
        "f_seed_source": "随机种子来源",
        "f_seed_date": "随机种子产生日期",
        "f_register": "检查对象名录库摘要",
        "f_register_size": "检查对象名录库条目数",
        "f_plan": "抽查计划摘要",
        "f_policy": "抽取规则摘要",
        "m_text": "公开来源的数值（种子原文 = 来源名称、一个空格、该来源给出的数值）",
        "m_contributions": "各方事先密封、事后公开的随机数（{n}方；缺一方时：{missing}）",
        "missing_void": "本次抽取作废",
        "missing_others": "由其他各方的随机数产生种子",
        "p_ann": "本预告在随机种子产生之前发布，写明将要进行的每一次抽取（抽查任务、批次、"
        "抽取流标签、抽查范围）、检查对象名录库的内容摘要和随机种子的来源与日期。"
        "抽取完成后，任何人都可以核对公布的抽取结果是否与本预告一致：同一名录库、同一规则、"
        "同一流标签，种子由预告的来源产生。",
        "p_ann_when": "预告发布日期：{date}；随机种子产生日期：{seed_date}（在预告之后）。"
        "预告摘要：{digest}。",
        "p_ann_check": "核验：randsupervise verify 回执.json ... --announcement announcement.json；"
        "各抽查任务的抽取名单页面也会在浏览器中核对其抽取是否与本预告一致。",
        "p_task_ann": "本次抽取依据{date}发布的抽查预告（摘要 {digest}，见 {href}）；"
        "随机种子于{seed_date}产生。本页的核验区会核对每次抽取与预告是否一致"
        "（名录库摘要、抽取规则、流标签、批次、种子原文的来源）。",
        "ann_link": "查看抽查预告",
    },
    "en": {
        "sep": ", ",
        "colon": ": ",
        "semi": "; ",
        "targeted": "targeted check",
        "untargeted": "untargeted check",
        "joint": "joint ",
        "key": "key item",
        "general": "general item",
        "class": "class {c}",
        "none": "none",
        "all": "every target",
        "random_order": "batch order drawn at random",
        "fixed_order": "each batch drawn separately",
        "plan_title": "{title}",
        "items_title": "Random inspection item list",
        "tasks_title": "Tasks and batches",
        "task_title": "Task announcement and drawn list: {id} {name}",
        "task_title_audit": "Drawn list, audit form (with credit-risk classes): {id} {name}",
        "drawn_title": "Drawn list",
        "results_title": "Random inspection results {year}",
        "results_table": "Inspection results",
        "c_item_id": "item",
        "c_item_name": "name",
        "c_item_kind": "kind",
        "c_basis": "legal basis",
        "c_content": "content",
        "c_method": "method",
        "c_targets": "target kinds",
        "c_cap": "ratio cap",
        "c_limit": "yearly limit per target",
        "c_departments": "departments",
        "c_ratio": "sampling ratio",
        "c_windows": "windows",
        "c_tasks": "tasks",
        "no_cap": "no cap",
        "c_task_id": "task",
        "c_task_name": "name",
        "c_type": "type",
        "c_items": "items",
        "c_scope": "scope",
        "c_lead": "lead department",
        "c_partners": "partner departments",
        "c_batches": "batches",
        "c_batch_order": "batch order",
        "c_no": "no.",
        "c_firm": "name",
        "c_code": "unified social credit code (or register id)",
        "c_batch": "batch",
        "c_window": "window",
        "c_ticket": "ticket",
        "c_risk": "credit-risk class",
        "c_authority": "inspecting authority",
        "c_completed": "completed on",
        "c_result": "result",
        "c_published": "published on",
        "p_plan": "Plan: {title}, with the random inspection item list and the year's tasks. "
        "Credit-risk classes are an internal tool: only each class's sampling ratio is "
        "shown, never a target's class.",
        "p_task": "Task {id}: {name}; type: {type}; items: {items}; scope: {scope}; "
        "inspecting authority: {lead}; partners: {partners}; windows: {windows}.",
        "p_seed": "Seed text (announced before the draw): \u201c{source}\u201d; seed: {seed}.",
        "p_public": "Public form: no target's credit-risk class is listed. Each draw carries "
        "its public record, which names the audit receipt (receipt_digest); auditors "
        "recheck everything with that receipt and the register.",
        "p_audit": "Audit form: every target's credit-risk class and the full draw receipts. "
        "For auditors only; not to be published.",
        "p_results": "Whoever inspects records and publishes: results are recorded and "
        "published within 20 working days of the inspection and filed under the target. "
        "The publication covers the inspection only; later penalties are published under "
        "their own rules.",
        "how_1": "Anyone can recompute the seed from its published text, every target's "
        "ticket and the batch order (ticket specification v1, sections 1-8).",
        "how_2": "Whoever holds the register file can load it into the check box on this "
        "page: the browser recomputes the register digest, every class's selection and "
        "the receipt digest, and shows 'verified' or the field that differs.",
        "how_3": "On the command line: randsupervise verify RECEIPT.json --registry "
        'REGISTER.csv --seed-text "{source}" (exit 0 verified, 1 differs, 2 bad input).',
        "ann_title": "Random inspection announcement {year}",
        "ann_draws": "Draws to be made",
        "c_stream": "stream label",
        "c_filter": "scope (targeted filter)",
        "c_field": "field",
        "c_value": "value",
        "ann_summary": "The announcement",
        "f_date": "published on",
        "f_digest": "announcement digest",
        "f_seed_method": "how the seed is made",
        "f_seed_source": "seed source",
        "f_seed_date": "seed date",
        "f_register": "register digest",
        "f_register_size": "register size",
        "f_plan": "plan digest",
        "f_policy": "policy digest",
        "m_text": "a public source's value (seed text = the source's name, one space, the "
        "value it gave)",
        "m_contributions": "contributions sealed beforehand and revealed afterwards ({n} "
        "parties; a missing one: {missing})",
        "missing_void": "the draw is void",
        "missing_others": "the seed is made from the other parties' reveals",
        "p_ann": "This announcement is published before the seed exists. It states every "
        "draw to be made (task, batches, stream label, scope), the register's content "
        "digest, and where and when the seed will come from. After the draw anyone can "
        "check that the published draws match it: the same register, rules and stream "
        "labels, and a seed made from the announced source.",
        "p_ann_when": "Published on {date}; the seed is made on {seed_date} (after it). "
        "Announcement digest: {digest}.",
        "p_ann_check": "Check: randsupervise verify RECEIPT.json ... --announcement "
        "announcement.json; each task's drawn-list page also checks in the browser that its "
        "draws match this announcement.",
        "p_task_ann": "Drawn under the announcement published on {date} (digest {digest}, "
        "see {href}); the seed was made on {seed_date}. The check box on this page compares "
        "every draw with the announcement (register digest, policy, stream, batches, the "
        "seed text's source).",
        "ann_link": "See the announcement",
    },
}


def _words(lang: str) -> Mapping[str, str]:
    if lang not in _W:
        raise ValidationError([Problem(field="lang", message=f"lang must be one of {LANGS}")])
    return _W[lang]


def _pct(x: float) -> str:
    return f"{x * 100:g}%"


def task_name(task: Task, items: ItemList, lang: str = "zh") -> str:
    """A task's display name: the names of its items (the plan model has no task title)."""
    return _words(lang)["sep"].join(items[i].name if i in items else i for i in task.items)


def _scope(task: Task, items: ItemList, lang: str) -> tuple[dict[str, list[str]], str]:
    where = task.where(items)
    w = _words(lang)
    parts = []
    for col, values in where.items():
        names = [
            _KIND[lang].get(v, v)
            if col == "kind"
            else _STATUS[lang].get(v, v)
            if col == "status"
            else w["class"].format(c=v)
            if col == "risk_class"
            else v
            for v in values
        ]
        parts.append(f"{_COLUMN[lang].get(col, col)}{w['colon']}{w['sep'].join(names)}")
    return {k: list(v) for k, v in where.items()}, w["semi"].join(parts) if parts else w["all"]


def _task_type(task: Task, lang: str) -> str:
    w = _words(lang)
    kind = w["targeted"] if task.target_filter else w["untargeted"]
    return (w["joint"] + kind) if len(task.departments) > 1 else kind


def _class_rates(task: Task, lang: str) -> str:
    w = _words(lang)
    out = [f"{w['class'].format(c=c.name)} {_pct(float(r))}" for c, r in task.ratios.items()]
    out += [f"{w['class'].format(c=c.name)} {n}" for c, n in task.counts.items()]
    return w["sep"].join(out)


def _task_data(task: Task, items: ItemList, lang: str) -> dict[str, Any]:
    scope, scope_text = _scope(task, items, lang)
    return {
        "id": task.id,
        "name": task_name(task, items, lang),
        "targeted": task.target_filter is not None,
        "joint": len(task.departments) > 1,
        "type": _task_type(task, lang),
        "scope": scope,
        "scope_text": scope_text,
        "items": [
            {"id": i, "name": items[i].name, "kind": items[i].kind.value}
            for i in task.items
            if i in items
        ],
        "lead_department": task.lead_department,
        "partner_departments": list(task.departments[1:]),
        "ratios": {c.name: float(r) for c, r in task.ratios.items()},
        "counts": {c.name: int(n) for c, n in task.counts.items()},
        "random_batch_order": task.split and len(task.batches) > 1,
        "batches": [b.canonical() for b in task.batches],
        "stream": task.stream,
    }


def _head(kind: str, lang: str, title: str, year: int) -> dict[str, Any]:
    return {
        "format": PUBLICATION_FORMAT,
        "version": PUBLICATION_VERSION,
        "kind": kind,
        "lang": lang,
        "title": title,
        "year": year,
    }


def _windows(task: Task) -> str:
    return "; ".join(f"{b.id} {b.start.isoformat()}~{b.end.isoformat()}" for b in task.batches)


def publish_plan(plan: AnnualPlan, items: ItemList, *, lang: str = "zh") -> Publication:
    """The plan and its item list, as published on the bureau's website.

    Examples:
        >>> from randsupervise.metrics.demo import demo_plan
        >>> from randsupervise.model.sample import sample_items
        >>> p = publish_plan(demo_plan(), sample_items())
        >>> [t.name for t in p.tables], len(p.data["items"]), p.data["items"][0]["kind_label"]
        (['items', 'tasks'], 13, '一般检查事项')
    """
    w = _words(lang)
    tasks_of: dict[str, list[Task]] = {}
    for t in plan.tasks:
        for i in t.items:
            tasks_of.setdefault(i, []).append(t)
    item_rows: list[dict[str, Any]] = []
    for it in items:
        ts = tasks_of.get(it.id, [])
        departments = sorted({d for t in ts for d in t.departments} | {it.department})
        windows = sorted({(b.start.isoformat(), b.end.isoformat()) for t in ts for b in t.batches})
        item_rows.append(
            {
                "id": it.id,
                "name": it.name,
                "kind": it.kind.value,
                "kind_label": w["key"] if it.kind is ItemKind.KEY else w["general"],
                "department": it.department,
                "legal_basis": it.legal_basis,
                "content": it.content,
                "method": it.method,
                "target_kinds": sorted(it.target_kinds),
                "ratio_cap": it.ratio_cap,
                "yearly_frequency_limit": it.yearly_frequency_limit,
                "tasks": [t.id for t in ts],
                "departments": departments,
                "windows": [{"start": s, "end": e} for s, e in windows],
            }
        )
    title = plan.title or str(plan.year)
    data = {
        **_head("plan", lang, title, plan.year),
        "plan_digest": plan.digest(),
        "items_digest": items.digest(),
        "items": item_rows,
        "tasks": [_task_data(t, items, lang) for t in plan.tasks],
    }
    sep = w["sep"]
    items_table = Table(
        name="items",
        title=w["items_title"],
        columns=[w[c] for c in ("c_item_id", "c_item_name", "c_item_kind", "c_basis",
                                "c_content", "c_method", "c_targets", "c_departments",
                                "c_ratio", "c_cap", "c_limit", "c_windows", "c_tasks")],
        rows=[
            (
                r["id"], r["name"], r["kind_label"], r["legal_basis"], r["content"], r["method"],
                sep.join(_KIND[lang].get(k, k) for k in r["target_kinds"]),
                sep.join(r["departments"]),
                "; ".join(f"{t.id}: {_class_rates(t, lang)}" for t in tasks_of.get(r["id"], [])),
                w["no_cap"] if r["ratio_cap"] is None else _pct(r["ratio_cap"]),
                str(r["yearly_frequency_limit"]),
                "; ".join(f"{x['start']}~{x['end']}" for x in r["windows"]),
                sep.join(r["tasks"]),
            )
            for r in item_rows
        ],
    )  # fmt: skip
    tasks_table = Table(
        name="tasks",
        title=w["tasks_title"],
        columns=[w[c] for c in ("c_task_id", "c_task_name", "c_type", "c_items", "c_scope",
                                "c_lead", "c_partners", "c_ratio", "c_batches",
                                "c_batch_order")],
        rows=[
            (
                t.id, task_name(t, items, lang), _task_type(t, lang), sep.join(t.items),
                _scope(t, items, lang)[1], t.lead_department,
                sep.join(t.departments[1:]) or w["none"], _class_rates(t, lang), _windows(t),
                w["random_order"] if t.split and len(t.batches) > 1 else w["fixed_order"],
            )
            for t in plan.tasks
        ],
    )  # fmt: skip
    return Publication(
        kind="plan",
        lang=lang,
        title=w["plan_title"].format(title=title),
        data=data,
        tables=(items_table, tasks_table),
        paragraphs=(w["p_plan"].format(title=title),),
    )


def _firm(registry: TargetRegistry, ids: Sequence[str]) -> list[dict[str, Any]]:
    names = registry.column("name")[registry.index_of(list(ids))].tolist() if ids else []
    return [
        {"id": i, "name": n, "credit_code": i if is_valid_credit_code(i) else None}
        for i, n in zip(ids, names, strict=True)
    ]


def _draws_of(run: PlanRun, task_id: str) -> list[DrawRecord]:
    out = [d for d in run.draws if d.task == task_id]
    if not out:
        raise ValidationError(
            [Problem(id=task_id, field="task", message="no draw of this task in the run")],
            what="drawn list",
        )
    return out


def publish_task(
    run: PlanRun,
    registry: TargetRegistry,
    items: ItemList,
    task_id: str,
    *,
    form: str = "public",
    lang: str = "zh",
    announcement: Announcement | Mapping[str, Any] | str | bytes | None = None,
) -> Publication:
    """A task's announcement and drawn list, with every draw's record for checking it.

    Args:
        run: The drawn year.
        registry: The register the year was drawn from (for the firms' names).
        items: The item list.
        task_id: The task.
        form: ``"public"`` (no risk class; public records embedded) or ``"audit"``
            (every firm's class; the draw receipts embedded).
        lang: ``"zh"`` or ``"en"``.
        announcement: The year's announcement (抽查预告), published before the seed
            existed: the document then gives its date and digest with a reference to its
            page (:data:`ANNOUNCEMENT_HREF`), and the HTML page embeds it, so that the
            browser verifier checks every draw against it.

    Examples:
        >>> from randsupervise.metrics.demo import run_demo_year
        >>> demo = run_demo_year()
        >>> p = publish_task(demo.run, demo.registry, demo.items, "net-key",
        ...                  announcement=demo.announcement)
        >>> p.data["announcement"]["date"], p.data["announcement"]["href"]
        ('2024-01-05', 'announcement.html')
        >>> p.tables[0].columns
        ('序号', '检查对象名称', '统一社会信用代码（或对象编号）', '批次', '检查时间', '抽签号')
        >>> "risk_class" in p.data["draws"][0]["selected"][0]
        False
    """
    if form not in FORMS:
        raise ValidationError([Problem(field="form", message=f"form must be one of {FORMS}")])
    w = _words(lang)
    task = run.plan.task(task_id)
    draws = _draws_of(run, task_id)
    windows = {b.id: f"{b.start.isoformat()}~{b.end.isoformat()}" for b in task.batches}
    out_draws = []
    embedded: dict[str, Any] = {}
    rows: list[tuple[str, ...]] = []
    for d in draws:
        record = public_record(d.receipt) if form == "public" else d.receipt
        batch_of = dict(zip(d.selected, d.batch_of, strict=True))
        listed = [str(i) for i in record["selected"]] if form == "public" else None
        ticket_of = {
            i: t
            for s in d.receipt["strata"].values()
            for i, t in zip(s["selected"], s["tickets"], strict=True)
        }
        ids = listed if listed is not None else list(d.selected)
        codes = registry.risk_codes[registry.index_of(ids)].tolist() if ids else []
        selected = []
        for firm, code in zip(_firm(registry, ids), codes, strict=True):
            entry = {**firm, "batch": batch_of[firm["id"]], "ticket": ticket_of[firm["id"]]}
            if form == "audit":
                entry["risk_class"] = "ABCD"[code]
            selected.append(entry)
        digest_key = "public_digest" if form == "public" else "receipt_digest"
        out_draws.append(
            {
                "stream": d.stream,
                "batches": list(d.batches),
                "selected": selected,
                "record_digest": str(record[digest_key]),
                "record": record,
            }
        )
        embedded[d.stream] = record
        for e in selected:
            row = [str(len(rows) + 1), e["name"], e["id"], e["batch"], windows[e["batch"]],
                   e["ticket"]]  # fmt: skip
            if form == "audit":
                row.append(e["risk_class"])
            rows.append(tuple(row))
    name = task_name(task, items, lang)
    title = w["task_title" if form == "public" else "task_title_audit"].format(
        id=task.id, name=name
    )
    source = run.seed.source
    tdata = _task_data(task, items, lang)
    columns = [w[c] for c in ("c_no", "c_firm", "c_code", "c_batch", "c_window", "c_ticket")]
    if form == "audit":
        columns.append(w["c_risk"])
    data = {
        **_head("drawn-list", lang, title, run.year),
        "form": form,
        "plan_title": run.plan.title,
        "task": tdata,
        "seed": run.seed.hex,
        "seed_source": source,
        "how_to_check": [w["how_1"], w["how_2"], w["how_3"].format(source=source)],
        "draws": out_draws,
    }
    ann_paragraphs: tuple[str, ...] = ()
    if announcement is not None:
        a = as_announcement(announcement)
        data["announcement"] = _announcement_reference(a)
        embedded["announcement"] = a.to_dict()
        ann_paragraphs = (w["p_task_ann"].format(**data["announcement"]),)
    paragraphs = (
        w["p_task"].format(
            id=task.id, name=name, type=tdata["type"], items=w["sep"].join(task.items),
            scope=tdata["scope_text"], lead=task.lead_department,
            partners=w["sep"].join(tdata["partner_departments"]) or w["none"],
            windows=_windows(task),
        ),
        w["p_seed"].format(source=source, seed=run.seed.hex),
        *ann_paragraphs,
        w["p_public" if form == "public" else "p_audit"],
        *data["how_to_check"],
    )  # fmt: skip
    return Publication(
        kind="drawn-list",
        lang=lang,
        title=title,
        data=data,
        tables=(Table(name="drawn", title=w["drawn_title"], columns=columns, rows=rows),),
        paragraphs=paragraphs,
        embedded=embedded,
    )


def _announcement_reference(a: Announcement) -> dict[str, str]:
    return {
        "digest": a.announcement_digest,
        "date": a.date,
        "seed_date": a.seed_rule.date,
        "href": ANNOUNCEMENT_HREF,
    }


def _filter_text(where: Mapping[str, Any] | None, lang: str) -> str:
    w = _words(lang)
    if not where:
        return w["all"]
    parts = []
    for col, v in where.items():
        values = [v] if isinstance(v, str) else list(v)
        parts.append(f"{_COLUMN[lang].get(col, col)}{w['colon']}{w['sep'].join(values)}")
    return w["semi"].join(parts)


def publish_announcement(
    announcement: Announcement | Mapping[str, Any] | str | bytes, *, lang: str = "zh"
) -> Publication:
    """The announcement (抽查预告) as published before the seed exists: what will be drawn,
    from which register, and where and when the seed will come from.

    The document embeds the sealed announcement unchanged (``data["announcement"]``, what
    ``randsupervise verify --announcement`` reads), with a table of the draws (a year's
    plan: every task's draws, batches, stream labels and scope) and one of its key facts.

    Examples:
        >>> from randsupervise.metrics.demo import run_demo_year
        >>> demo = run_demo_year()
        >>> p = publish_announcement(demo.announcement)
        >>> p.title, p.data["date"], p.data["seed_date"]
        ('2024年度双随机抽查预告', '2024-01-05', '2024-01-15')
        >>> p.tables[1].columns
        ('任务编号', '批次', '抽取流标签', '抽查范围（定向条件）')
        >>> p.tables[1].rows[0]
        ('net-key', 'H1、H2', '2024/net-key', '行业：网吧')
    """
    a = as_announcement(announcement)
    w = _words(lang)
    subject = a.subject
    rule = a.seed_rule
    year = int(subject["year"]) if a.kind == "plan" else int(a.date[:4])
    if a.kind == "plan":
        draws = [
            (d["task"], w["sep"].join(d["batches"]), d["stream"], _filter_text(d["filter"], lang))
            for d in subject["draws"]
        ]
    elif a.kind == "draw":
        where = subject["policy"].get("where")
        n = subject["policy"].get("batches", 1)
        draws = [("", str(n), subject["stream"], _filter_text(where, lang))]
    else:
        draws = [("", "", subject["stream"], "")]
    if rule.method == "text":
        method = w["m_text"]
    else:
        method = w["m_contributions"].format(
            n=len(rule.parties), missing=w[f"missing_{rule.missing}"]
        )
    facts = [
        (w["f_date"], a.date),
        (w["f_digest"], a.announcement_digest),
        (w["f_seed_method"], method),
        (w["f_seed_source"], rule.source),
        (w["f_seed_date"], rule.date),
    ]
    if "registry_digest" in subject:
        facts.append((w["f_register"], str(subject["registry_digest"])))
    if "registry_size" in subject:
        facts.append((w["f_register_size"], str(subject["registry_size"])))
    if "plan_digest" in subject:
        facts.append((w["f_plan"], str(subject["plan_digest"])))
    if "policy_digest" in subject:
        facts.append((w["f_policy"], str(subject["policy_digest"])))
    title = w["ann_title"].format(year=year)
    data = {
        **_head("announcement", lang, title, year),
        "announcement_kind": a.kind,
        "date": a.date,
        "seed_date": rule.date,
        "announcement_digest": a.announcement_digest,
        "announcement": a.to_dict(),
    }
    columns = [w["c_task_id"], w["c_batches"], w["c_stream"], w["c_filter"]]
    return Publication(
        kind="announcement",
        lang=lang,
        title=title,
        data=data,
        tables=(
            Table(
                name="announcement",
                title=w["ann_summary"],
                columns=[w["c_field"], w["c_value"]],
                rows=facts,
            ),
            Table(name="draws", title=w["ann_draws"], columns=columns, rows=draws),
        ),
        paragraphs=(
            w["p_ann"],
            w["p_ann_when"].format(date=a.date, seed_date=rule.date, digest=a.announcement_digest),
            w["p_ann_check"],
        ),
    )


def _by_date(inspection: Mapping[str, Any]) -> tuple[str, str]:
    return (str(inspection["completed_on"]), str(inspection["task"]))


def publish_results(
    run: PlanRun,
    state: YearState,
    registry: TargetRegistry,
    items: ItemList,
    *,
    lang: str = "zh",
) -> Publication:
    """The year's published results, aggregated under each firm (module notes).

    One entry per published visit and task the visit served; a visit that merged several
    tasks (进一次门、查多项事) has one result, shown under each of them.

    Examples:
        >>> from randsupervise.metrics.demo import run_demo_year
        >>> demo = run_demo_year()
        >>> p = publish_results(demo.run, demo.state, demo.registry, demo.items)
        >>> p.tables[0].columns[-4:]
        ('检查实施机关', '检查完成日期', '检查结果', '公示日期')
        >>> sorted(p.data["firms"][0]["inspections"][0])[:4]
        ['authority', 'completed_on', 'published_on', 'result']
    """
    w = _words(lang)
    plan = run.plan
    per_firm: dict[str, list[dict[str, Any]]] = {}
    for rec in state:
        if rec.state is not VisitState.PUBLISHED or rec.result is None:
            continue
        for tid in rec.visit.tasks:
            task = plan.task(tid)
            per_firm.setdefault(rec.visit.target_id, []).append(
                {
                    "task": tid,
                    "task_name": task_name(task, items, lang),
                    "type": _task_type(task, lang),
                    "authority": list(task.departments),
                    "completed_on": iso(rec.inspected_on),
                    "result_codes": [c.value for c in rec.result.ordered_codes],
                    "result": list(rec.result.labels_zh if lang == "zh" else rec.result.labels_en),
                    "published_on": iso(rec.published_on),
                }
            )
    ids = sorted(per_firm, key=lambda s: s.encode("utf-8"))
    firms = [
        {**f, "inspections": sorted(per_firm[f["id"]], key=_by_date)} for f in _firm(registry, ids)
    ]
    sep = w["sep"]
    rows = [
        (
            f["id"], f["name"], x["task"], x["task_name"], x["type"], sep.join(x["authority"]),
            x["completed_on"], sep.join(x["result"]), x["published_on"],
        )
        for f in firms
        for x in f["inspections"]
    ]  # fmt: skip
    title = w["results_title"].format(year=run.year)
    data = {**_head("results", lang, title, run.year), "plan_title": plan.title, "firms": firms}
    columns = [w[c] for c in ("c_code", "c_firm", "c_task_id", "c_task_name", "c_type",
                              "c_authority", "c_completed", "c_result", "c_published")]  # fmt: skip
    return Publication(
        kind="results",
        lang=lang,
        title=title,
        data=data,
        tables=(Table(name="results", title=w["results_table"], columns=columns, rows=rows),),
        paragraphs=(w["p_results"],),
    )
