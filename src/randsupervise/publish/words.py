"""The words of the publications, in Chinese and English, and a document's head.

Invariants (architecture principle 5, rules as data):

* Every label, column title and paragraph a publication shows is in one table per
  language (:data:`LANGS`): Chinese by default, English with ``lang="en"``; the JSON keys
  and codes do not depend on the language. Kinds, statuses and register columns have
  their official Chinese names.
* Every document opens with the same head: format, version, kind, language, title, year.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from randsupervise.errors import Problem, ValidationError
from randsupervise.publish.document import PUBLICATION_FORMAT, PUBLICATION_VERSION

__all__ = ["LANGS"]

LANGS: tuple[str, ...] = ("zh", "en")

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


def _head(kind: str, lang: str, title: str, year: int) -> dict[str, Any]:
    return {
        "format": PUBLICATION_FORMAT,
        "version": PUBLICATION_VERSION,
        "kind": kind,
        "lang": lang,
        "title": title,
        "year": year,
    }
