"""Embedded sample data: a fictional county culture-and-tourism bureau.

The sample mirrors the bureau of the seed plan (a county 文化和旅游局 with its
文化市场综合行政执法大队), with every name plainly fictional ("示例网吧 0001 / Sample
Internet Café 0001"). It is for demos, documentation and tests.

Invariants:

* **Deterministic and file-free.** Everything is computed in code; pseudo-random choices
  come from SHA-256 of a label and an index (:func:`_pick`), never from ``random`` or
  ``np.random``. Two calls return equal data, on every platform and numpy version.
* **Targets** (about 1,500): internet cafés, entertainment venues, travel agencies,
  performance venues, A-grade scenic spots, publication retailers, rural-tourism
  co-operatives, and the non-market kinds: products (published audio-visual products),
  projects (commercial performances) and conduct (plan §三(三)). Risk classes are mostly A
  and B, fewer C, few D; most targets are active, a few deregistered or unreachable.
* **Ids.** Market entities (enterprises, sole traders, farmer co-operatives, other
  entities) carry valid unified social credit codes (GB 32100-2015): characters 3-8 are
  the division code ``999901``, which no real division has, so no sample code can be a
  real organisation's; characters 9-17 carry a valid organisation code (GB 11714) whose
  body embeds a serial number, so codes are unique. Products, projects and conduct use
  ``P-0001``, ``J-0001`` and ``B-0001``.
* **Inspectors** (40): the enforcement team, mostly certified; partner departments for
  joint checks (market regulation, fire and rescue, public security); three experts who
  are not certified. For every item and every region at least two available inspectors
  who count toward the quota hold the item's required tags (tests check it).
* **Items** (13): key items without a ratio cap, general items capped at 5-20%, at most
  ``max_key_items = 6`` key items.
"""

from __future__ import annotations

import hashlib
from typing import Any

from randsupervise.model.credit_code import credit_code_check_character
from randsupervise.model.inspectors import Inspector, InspectorPool
from randsupervise.model.items import InspectionItem, ItemKind, ItemList
from randsupervise.model.targets import TargetRegistry

__all__ = [
    "SAMPLE_REGIONS",
    "sample_inspectors",
    "sample_items",
    "sample_registry",
    "sample_target_columns",
]

#: The fictional regions (towns and townships) of the sample county.
SAMPLE_REGIONS: tuple[str, ...] = ("东城镇", "西河镇", "南山乡", "北岭镇", "青松乡", "白沙镇")

_DIVISION = "999901"  # not a real administrative division: sample codes never collide
_BUREAU = "文化和旅游局"
_TEAM = "文化市场综合行政执法大队"
_MARKET = "市场监督管理局"
_FIRE = "消防救援大队"
_POLICE = "公安局"


def _pick(label: str, i: int, n: int) -> int:
    """A pseudo-random integer in ``[0, n)``, a pure function of ``label`` and ``i``.

    Examples:
        >>> _pick("region", 7, 6) == _pick("region", 7, 6)
        True
    """
    digest = hashlib.sha256(f"randsupervise.sample:{label}:{i}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % n


def _unit(label: str, i: int) -> float:
    """A pseudo-random float in ``[0, 1)`` from ``label`` and ``i`` (53 bits)."""
    return _pick(label, i, 1 << 53) / float(1 << 53)


def _choose(label: str, i: int, weighted: tuple[tuple[str, int], ...]) -> str:
    """One value from ``(value, weight)`` pairs, pseudo-randomly by ``label`` and ``i``."""
    r = _pick(label, i, sum(w for _, w in weighted))
    for value, w in weighted:
        if r < w:
            return value
        r -= w
    raise AssertionError("unreachable")  # pragma: no cover


# --- credit codes ----------------------------------------------------------------------

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_code(body8: str) -> str:
    """The 9-character organisation code (GB 11714): 8 digits and a check character."""
    total = sum(int(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body8 + {10: "X", 11: "0"}.get(check, str(check))


def _credit_code(authority: str, entity_kind: str, serial: int) -> str:
    """A valid credit code with a unique serial in the organisation-code body."""
    body = f"{_pick('org', serial, 10_000):04d}{serial:04d}"
    first17 = authority + entity_kind + _DIVISION + _org_code(body)
    return first17 + credit_code_check_character(first17)


# (authority, kind-of-entity) characters 1-2 of a credit code (GB 32100-2015 appendix):
# 9 = market regulation: 1 enterprise, 2 sole trader, 3 farmer co-operative;
# 1 = institutional establishment: 2 public institution (a museum, a theatre).
_CODE_PREFIX = {
    "enterprise": ("9", "1"),
    "sole_trader": ("9", "2"),
    "farmer_cooperative": ("9", "3"),
    "other_entity": ("1", "2"),
}

# --- targets -----------------------------------------------------------------------------

# (industry, zh name, en name, count, kind mix, id prefix for non-market kinds)
_SEGMENTS: tuple[tuple[str, str, str, int, tuple[tuple[str, int], ...], str], ...] = (
    ("网吧", "示例网吧", "Sample Internet Café", 360,
     (("enterprise", 3), ("sole_trader", 2)), ""),
    ("娱乐场所", "示例歌舞娱乐场所", "Sample Entertainment Venue", 420,
     (("enterprise", 1), ("sole_trader", 1)), ""),
    ("旅行社", "示例旅行社", "Sample Travel Agency", 180, (("enterprise", 1),), ""),
    ("演出场所", "示例剧场", "Sample Performance Venue", 90,
     (("enterprise", 3), ("other_entity", 1)), ""),
    ("A级旅游景区", "示例景区", "Sample Scenic Spot", 45,
     (("enterprise", 2), ("other_entity", 1)), ""),
    ("出版物零售", "示例书店", "Sample Bookshop", 245,
     (("enterprise", 1), ("sole_trader", 2)), ""),
    ("乡村旅游", "示例乡村旅游合作社", "Sample Rural Tourism Co-operative", 30,
     (("farmer_cooperative", 1),), ""),
    ("音像制品", "示例音像制品", "Sample Audio-Visual Product", 60, (("product", 1),), "P"),
    ("营业性演出", "示例营业性演出", "Sample Commercial Performance", 50,
     (("project", 1),), "J"),
    ("文化市场经营行为", "示例经营行为", "Sample Business Conduct", 20,
     (("conduct", 1),), "B"),
)  # fmt: skip

_RISK_MIX = (("A", 45), ("B", 35), ("C", 15), ("D", 5))
_STATUS_MIX = (("active", 95), ("deregistered", 3), ("unreachable", 2))
_RISK_BASE = {"A": 0.5, "B": 1.0, "C": 2.0, "D": 4.0}
# the non-market kinds have no registration status to lose
_ALWAYS_ACTIVE = frozenset({"product", "project", "conduct"})


def sample_target_columns() -> dict[str, list[Any]]:
    """Columns of the sample target register (1,500 targets).

    Keys: ``id``, ``name``, ``kind``, ``region``, ``industry``, ``risk_class``
    (``"A"``-``"D"``), ``status`` (``"active"``, ``"deregistered"``, ``"unreachable"``) and
    ``weight`` (a risk score: 0.5-1 for A, 1-2 for B, 2-4 for C, 4-8 for D). Pass them to
    ``TargetRegistry.from_columns(**columns)``.

    Examples:
        >>> cols = sample_target_columns()
        >>> len(cols["id"]), cols["name"][0], cols["kind"][0]
        (1500, '示例网吧 0001 / Sample Internet Café 0001', 'sole_trader')
        >>> cols == sample_target_columns()
        True
    """
    cols: dict[str, list[Any]] = {
        k: []
        for k in ("id", "name", "kind", "region", "industry", "risk_class", "status", "weight")
    }
    serial = 0
    for industry, zh, en, count, kinds, prefix in _SEGMENTS:
        for j in range(1, count + 1):
            serial += 1
            kind = _choose(f"kind:{industry}", j, kinds)
            if prefix:
                unit_id = f"{prefix}-{j:04d}"
            else:
                authority, entity = _CODE_PREFIX[kind]
                unit_id = _credit_code(authority, entity, serial)
            risk = _choose("risk", serial, _RISK_MIX)
            status = "active" if kind in _ALWAYS_ACTIVE else _choose("status", serial, _STATUS_MIX)
            base = _RISK_BASE[risk]
            cols["id"].append(unit_id)
            cols["name"].append(f"{zh} {j:04d} / {en} {j:04d}")
            cols["kind"].append(kind)
            cols["region"].append(SAMPLE_REGIONS[_pick("region", serial, len(SAMPLE_REGIONS))])
            cols["industry"].append(industry)
            cols["risk_class"].append(risk)
            cols["status"].append(status)
            cols["weight"].append(round(base * (1.0 + _unit("weight", serial)), 3))
    return cols


# --- inspectors ----------------------------------------------------------------------------

_CULTURE_TAGS = ("网络文化", "娱乐场所", "旅游", "演出", "出版物")
_EXTRA_EXPERTISE = ("安全生产", "财务审计", "网络技术", "音像鉴定", "导游服务")


def _everywhere_or_three(i: int) -> frozenset[str]:
    """Odd-numbered officers serve the whole county, even-numbered ones three regions."""
    if i % 2:
        return frozenset(SAMPLE_REGIONS)
    start = _pick("regions", i, len(SAMPLE_REGIONS))
    return frozenset(SAMPLE_REGIONS[(start + k) % len(SAMPLE_REGIONS)] for k in range(3))


def _officer(
    prefix: str, i: int, name: str, department: str, *, certified: bool = True, **more: Any
) -> Inspector:
    """The ``i``-th sample officer of a group: id ``<prefix>-<i>``, certificate number
    ``<prefix>F-999901-<i>`` when certified, county-wide unless ``regions`` says otherwise."""
    more.setdefault("regions", SAMPLE_REGIONS)
    return Inspector(
        id=f"{prefix}-{i:02d}",
        name=name,
        department=department,
        certified=certified,
        certificate_number=f"{prefix}F-999901-{i:04d}" if certified else None,
        **more,
    )


def sample_inspectors() -> InspectorPool:
    """The sample inspector register: 40 people in four departments plus experts.

    * ``Z-01``-``Z-24``: the culture-market enforcement team (文化市场综合行政执法大队);
      ``Z-23`` and ``Z-24`` are daily-supervision staff without a certificate, ``Z-21``
      and ``Z-22`` are unavailable (on leave).
    * ``S-01``-``S-05`` market regulation (市场监督管理局), ``F-01``-``F-04`` fire and
      rescue (消防救援大队), ``G-01``-``G-04`` public security (公安局): certified, serving
      the whole county, for joint checks.
    * ``E-01``-``E-03``: experts of the bureau, not certified.

    Examples:
        >>> pool = sample_inspectors()
        >>> pool.departments
        ('公安局', '市场监督管理局', '文化和旅游局', '文化市场综合行政执法大队', '消防救援大队')
        >>> sum(p.counts_toward_quota for p in pool)
        35
    """
    # each culture tag is held by about 2 in 5 officers, half of them county-wide
    people = [
        _officer(
            "Z",
            i,
            f"示例执法队员 {i:02d} / Sample Officer {i:02d}",
            _TEAM,
            certified=i <= 22,
            qualifications={_CULTURE_TAGS[(i - 1) % 5], _CULTURE_TAGS[(i + 1) % 5]},
            expertise={_EXTRA_EXPERTISE[_pick("expertise", i, len(_EXTRA_EXPERTISE))]},
            regions=_everywhere_or_three(i),
            available=i not in (21, 22),
        )
        for i in range(1, 25)
    ]
    partners = (
        ("S", _MARKET, 5, {"市场监管"}, {"价格", "广告"}),
        ("F", _FIRE, 4, {"消防"}, {"建筑消防"}),
        ("G", _POLICE, 4, {"治安"}, {"娱乐场所"}),
    )
    people += [
        _officer(
            prefix,
            i,
            f"示例{department}检查员 {i:02d} / Sample {prefix} Officer {i:02d}",
            department,
            qualifications=quals,
            expertise=extra,
        )
        for prefix, department, count, quals, extra in partners
        for i in range(1, count + 1)
    ]
    experts = ({"消防", "安全生产"}, {"演出", "音像鉴定"}, {"旅游", "导游服务"})
    people += [
        _officer(
            "E",
            i,
            f"示例专家 {i:02d} / Sample Expert {i:02d}",
            _BUREAU,
            certified=False,
            expertise=expertise,
            expert=True,
        )
        for i, expertise in enumerate(experts, start=1)
    ]
    return InspectorPool(inspectors=people)


# --- items ---------------------------------------------------------------------------------

_ENTITIES = ("enterprise", "sole_trader")

# id, name, department, kind, legal basis, content, method, target kinds, tags, cap
_ITEMS: tuple[tuple[str, str, str, ItemKind, str, str, str, tuple[str, ...],
                    tuple[str, ...], float | None], ...] = (
    ("K01", "互联网上网服务营业场所经营活动检查", _TEAM, ItemKind.KEY,
     "《互联网上网服务营业场所管理条例》",
     "接纳未成年人、实名登记、营业时间、违禁内容", "现场检查", _ENTITIES, ("网络文化",), None),
    ("K02", "娱乐场所经营活动检查", _TEAM, ItemKind.KEY, "《娱乐场所管理条例》",
     "经营许可、禁止内容、营业时间、安全设施", "现场检查", _ENTITIES, ("娱乐场所",), None),
    ("K03", "文化娱乐场所消防安全检查", _FIRE, ItemKind.KEY, "《中华人民共和国消防法》",
     "消防设施、疏散通道、安全出口", "现场检查", _ENTITIES, ("消防",), None),
    ("K04", "营业性演出活动检查", _TEAM, ItemKind.KEY, "《营业性演出管理条例》",
     "演出审批、演出内容、安全保卫", "现场检查", ("project",), ("演出",), None),
    ("K05", "A级旅游景区安全与服务质量检查", _TEAM, ItemKind.KEY,
     "《A级旅游景区质量等级管理办法》", "安全管理、游客承载量、服务质量", "现场检查",
     ("enterprise", "other_entity"), ("旅游",), None),
    ("G01", "旅行社经营行为检查", _TEAM, ItemKind.GENERAL, "《旅行社条例》",
     "经营许可、质量保证金、合同与导游委派", "现场检查、书面检查", ("enterprise",),
     ("旅游",), 0.1),
    ("G02", "出版物零售单位经营资质检查", _TEAM, ItemKind.GENERAL, "《出版管理条例》",
     "经营许可、进货来源、违禁出版物", "现场检查", _ENTITIES, ("出版物",), 0.05),
    ("G03", "音像制品内容与来源检查", _TEAM, ItemKind.GENERAL, "《音像制品管理条例》",
     "出版许可、内容合法性、来源", "抽样检验", ("product",), ("出版物",), 0.1),
    ("G04", "互联网上网服务营业场所证照公示检查", _TEAM, ItemKind.GENERAL,
     "《互联网上网服务营业场所管理条例》", "证照悬挂、信息公示", "现场检查", _ENTITIES,
     ("网络文化",), 0.15),
    ("G05", "演出场所经营单位备案检查", _TEAM, ItemKind.GENERAL, "《营业性演出管理条例》",
     "备案、安全设施、演出合同", "书面检查", ("enterprise", "other_entity"), ("演出",),
     0.2),
    ("G06", "娱乐场所治安管理检查", _POLICE, ItemKind.GENERAL, "《娱乐场所管理条例》",
     "从业人员登记、治安管理制度", "现场检查", _ENTITIES, ("治安",), 0.1),
    ("G07", "乡村旅游经营服务检查", _TEAM, ItemKind.GENERAL, "《中华人民共和国旅游法》",
     "安全提示、价格公示、服务合同", "现场检查", ("farmer_cooperative", "enterprise"),
     ("旅游",), 0.1),
    ("G08", "文化市场经营行为检查", _TEAM, ItemKind.GENERAL,
     "《文化市场综合行政执法管理办法》", "无证经营、超范围经营等经营行为", "现场检查、网络巡查",
     ("conduct",), ("网络文化",), 0.2),
)  # fmt: skip


def sample_items() -> ItemList:
    """The sample item list: 5 key and 8 general items, ``max_key_items = 6``.

    Examples:
        >>> items = sample_items()
        >>> len(items), len(items.key_items), items.max_key_items
        (13, 5, 6)
        >>> items["G02"].ratio_cap, items["K03"].department
        (0.05, '消防救援大队')
    """
    return ItemList(
        items=[
            InspectionItem(
                id=item_id,
                name=name,
                department=department,
                kind=kind,
                legal_basis=basis,
                content=content,
                method=method,
                target_kinds=frozenset(kinds),
                required_qualifications=frozenset(tags),
                ratio_cap=cap,
            )
            for item_id, name, department, kind, basis, content, method, kinds, tags, cap in _ITEMS
        ],
        max_key_items=6,
    )


def sample_registry() -> TargetRegistry:
    """The sample target register (1,500 targets), credit codes checked.

    Examples:
        >>> reg = sample_registry()
        >>> len(reg), reg.risk_codes.tolist().count(3)
        (1500, 75)
    """
    return TargetRegistry.from_columns(**sample_target_columns(), check_credit_codes=True)
