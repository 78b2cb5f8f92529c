"""Chinese headers and values of platform tables, as data (architecture principle 5).

Invariants:

* Each table maps one spelling a platform uses to one value of the register; a value
  already in the register's own (English) form is accepted as is, so a table written by
  :func:`~randsupervise.interop.to_arrow` reads back unchanged.
* Matching is exact after nothing: no trimming, no case folding of Chinese text, no
  guessing. A value in no table is left for the register's validation, which names its
  row and column.
* Registration statuses (登记状态) follow the wording of the national enterprise credit
  information publicity system (存续（在营、开业、在册）, 吊销，未注销, 注销, 迁出, ...);
  the kinds of target follow plan §三(三) (企业, 个体工商户, 农民专业合作社, 其他主体;
  产品, 项目, 行为); risk classes follow the credit-risk classification
  (低风险/一般风险/较高风险/高风险 for A-D).
* Header tables list, per register field, the header names platforms commonly export;
  the caller's own mapping always wins over them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "INSPECTOR_HEADERS",
    "ITEM_HEADERS",
    "ITEM_KIND_ALIASES",
    "KIND_ALIASES",
    "REGISTRY_HEADERS",
    "RISK_ALIASES",
    "STATUS_ALIASES",
    "ZH_LABELS",
]


def _frozen(d: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(d)


#: 登记状态 → :class:`~randsupervise.model.TargetStatus` value.
STATUS_ALIASES: Mapping[str, str] = _frozen(
    {
        "存续": "active",
        "在业": "active",
        "在营": "active",
        "开业": "active",
        "在册": "active",
        "正常": "active",
        "存续（在营、开业、在册）": "active",
        "存续(在营、开业、在册)": "active",
        "停业": "suspended",
        "歇业": "suspended",
        "暂停营业": "suspended",
        "无法联系": "unreachable",
        "失联": "unreachable",
        "通过登记的住所（经营场所）无法联系": "unreachable",
        "注销": "deregistered",
        "已注销": "deregistered",
        "吊销": "revoked",
        "已吊销": "revoked",
        "吊销，未注销": "revoked",
        "吊销,未注销": "revoked",
        "撤销": "revoked",
        "迁出": "moved_out",
        "已迁出": "moved_out",
    }
)

#: 主体类型 / 对象类型 → :class:`~randsupervise.model.TargetKind` value.
KIND_ALIASES: Mapping[str, str] = _frozen(
    {
        "企业": "enterprise",
        "公司": "enterprise",
        "个体工商户": "sole_trader",
        "个体户": "sole_trader",
        "农民专业合作社": "farmer_cooperative",
        "农民专业合作社联合社": "farmer_cooperative",
        "合作社": "farmer_cooperative",
        "其他主体": "other_entity",
        "其他组织": "other_entity",
        "其他": "other_entity",
        "产品": "product",
        "项目": "project",
        "行为": "conduct",
    }
)

#: 风险等级 → risk-class letter (A low ... D high).
RISK_ALIASES: Mapping[str, str] = _frozen(
    {
        "低风险": "A",
        "一般风险": "B",
        "较高风险": "C",
        "高风险": "D",
        "低": "A",
        "一般": "B",
        "较高": "C",
        "高": "D",
        "A类": "A",
        "B类": "B",
        "C类": "C",
        "D类": "D",
        "A级": "A",
        "B级": "B",
        "C级": "C",
        "D级": "D",
    }
)

#: 事项类别 → :class:`~randsupervise.model.ItemKind` value.
ITEM_KIND_ALIASES: Mapping[str, str] = _frozen(
    {
        "重点检查事项": "key",
        "重点": "key",
        "一般检查事项": "general",
        "一般": "general",
    }
)

#: Register field → header names platforms commonly use (first match wins; the field's own
#: name is always accepted too).
REGISTRY_HEADERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "id": ("统一社会信用代码", "社会信用代码", "信用代码", "检查对象编号", "对象编号"),
        "name": ("企业名称", "检查对象名称", "对象名称", "主体名称", "名称"),
        "kind": ("主体类型", "对象类型", "市场主体类型"),
        "region": ("所属区域", "所属地区", "区域", "地区", "所属乡镇"),
        "industry": ("行业", "所属行业", "行业类别", "经营类别"),
        "risk_class": ("风险等级", "信用风险等级", "信用风险分类", "风险分类"),
        "status": ("登记状态", "经营状态", "状态"),
        "weight": ("权重",),
    }
)

#: Inspector field → usual headers of an inspector register (执法检查人员名录库).
INSPECTOR_HEADERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "id": ("人员编号", "编号"),
        "name": ("姓名",),
        "department": ("所属部门", "部门", "单位"),
        "certified": ("持证", "是否持证"),
        "certificate_number": ("执法证号", "执法证件号", "证件号"),
        "qualifications": ("资格", "资质"),
        "expertise": ("专业领域", "专长", "业务专长"),
        "regions": ("负责区域", "所属区域", "区域"),
        "available": ("可用", "是否可用"),
        "expert": ("专家", "是否专家"),
    }
)

#: Item field → usual headers of an item list (随机抽查事项清单).
ITEM_HEADERS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "id": ("事项编号", "编号"),
        "name": ("事项名称", "抽查事项", "名称"),
        "department": ("实施部门", "部门"),
        "kind": ("事项类别", "抽查类别", "类别"),
        "legal_basis": ("法律依据", "依据"),
        "content": ("检查内容", "内容"),
        "method": ("检查方式", "方式"),
        "target_kinds": ("检查对象", "对象类型"),
        "required_qualifications": ("所需资格",),
        "ratio_cap": ("比例上限", "抽查比例上限"),
        "yearly_frequency_limit": ("年度频次上限", "频次上限"),
        "description": ("说明", "备注"),
    }
)

#: Output column → Chinese label (``lang="zh"``). Labels of register fields are the first
#: header of :data:`REGISTRY_HEADERS`, so a ``lang="zh"`` table reads back as a register.
ZH_LABELS: Mapping[str, str] = _frozen(
    {
        **{field: names[0] for field, names in REGISTRY_HEADERS.items()},
        "order": "顺序",
        "stratum": "层",
        "batch": "批次",
        "ticket": "签号",
        "selected": "是否抽中",
        "inclusion_probability": "入样概率",
        "visit": "检查编号",
        "target": "检查对象",
        "items": "检查事项",
        "departments": "实施部门",
        "start": "开始日期",
        "end": "结束日期",
        "team": "检查人员",
        "state": "状态",
        "inspected_on": "检查日期",
        "deadline": "公示期限",
        "recorded_on": "录入日期",
        "late": "是否逾期",
        "result": "检查结果",
        "published_on": "公示日期",
        "cancel_reason": "取消原因",
        "metric": "指标",
        "value": "数值",
        "department": "部门",
        "certified": "持证",
        "certificate_number": "执法证号",
        "qualifications": "资格",
        "expertise": "专业领域",
        "regions": "负责区域",
        "available": "可用",
        "expert": "专家",
        "legal_basis": "法律依据",
        "content": "检查内容",
        "method": "检查方式",
        "target_kinds": "检查对象类型",
        "required_qualifications": "所需资格",
        "ratio_cap": "比例上限",
        "yearly_frequency_limit": "年度频次上限",
        "description": "说明",
    }
)
