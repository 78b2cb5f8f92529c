"""Regenerate ``digests_v1.json``: inputs and the digests the library gives for them.

Run ``PYTHONPATH=src python tests/vectors/generate_digests_v1.py`` only when the vectors
themselves are meant to change, which for version 1 is never (new cases may be added):
``tests/test_spec_vectors.py`` pins the committed file against the library and against
the outsider implementation written from ``docs/spec/``, so a diff in an existing case
means a digest changed.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from typing import Any

from randsupervise._core.canonical import sha256_hex
from randsupervise.assign import AssignmentProblem, RegionRule, VisitRequest, assign, visits_digest
from randsupervise.cycle import Visit
from randsupervise.cycle.plan import AnnualPlan, Batch, Task
from randsupervise.cycle.run import _teams_digest
from randsupervise.cycle.visits import visits_digest as plan_visits_digest
from randsupervise.draw import BurdenHistory, History, ItemRule, Seed, draw
from randsupervise.model import Inspector, InspectorPool, TargetRegistry
from randsupervise.model.items import InspectionItem, ItemList

OUT = pathlib.Path(__file__).with_name("digests_v1.json")

# ----------------------------------------------------------------------------- registers
_BASIC: dict[str, Any] = {
    "id": ["T-0001", "91350100M000100Y43", "网吧-001", "😀", "é", "e\u0301"],
    "name": ["T-0001", "示例有限公司", "星际网吧", "😀", "café", "Ünïcödé 名"],
    "kind": ["enterprise", "sole_trader", "enterprise", "product", "project", "conduct"],
    "region": ["东城镇", "西城镇", "东城镇", "南山乡", "东城镇", "青松乡"],
    "industry": ["food", "retail", "internet_cafe", "toys", "construction", "retail"],
    "risk_class": ["a", "B", 2, "d", "C", 0],
    "status": ["active", "suspended", "active", "unreachable", "active", "moved_out"],
    "weight": [1.0, 0.1, 2.5, 0.0, 1e-300, 123456789.125],
}


def _permuted(cols: dict[str, Any], order: list[int]) -> dict[str, Any]:
    return {k: [v[i] for i in order] if v is not None else None for k, v in cols.items()}


def _cols(**given: Any) -> dict[str, Any]:
    keys = ("id", "name", "kind", "region", "industry", "risk_class", "status", "weight")
    return {k: given.get(k) for k in keys}


REGISTERS: list[tuple[str, dict[str, Any], list[str], str]] = [
    ("register-basic", _cols(**_BASIC), [], "every column given; names equal to ids in two rows"),
    (
        "register-basic-permuted",
        _cols(**_permuted(_BASIC, [5, 3, 1, 0, 2, 4])),
        [],
        "the rows of register-basic in another order: the same digest",
    ),
    (
        "register-defaults",
        _cols(id=["a", "b", "网吧-002", "🎲"], risk_class=["A", "B", "C", "D"]),
        [],
        "only id and risk_class: every other column takes its default",
    ),
    (
        "register-defaults-explicit",
        _cols(
            id=["a", "b", "网吧-002", "🎲"],
            risk_class=["A", "B", "C", "D"],
            name=["a", "b", "网吧-002", "🎲"],
            kind=["enterprise"] * 4,
            region=[""] * 4,
            industry=[""] * 4,
            status=["active"] * 4,
            weight=[1.0] * 4,
        ),
        ["region", "industry"],
        "register-defaults with the defaults written out: the same digest",
    ),
    (
        "register-empty-optional",
        _cols(
            id=["r1", "r2", "r3"],
            risk_class=["B", "B", "C"],
            region=["东城镇", "", "西城镇"],
            industry=["", "food", ""],
        ),
        ["region", "industry"],
        "some region and industry cells empty (not recorded)",
    ),
    (
        "register-weights",
        _cols(
            id=["w1", "w2", "w3", "w4", "w5"],
            risk_class=["A"] * 5,
            weight=[0.1, 0.30000000000000004, 5e-324, 1.7976931348623157e308, 3],
        ),
        [],
        "weights as binary64 bit patterns: close floats, the smallest subnormal, the "
        "largest float and an integer weight",
    ),
    (
        "register-negative-zero",
        _cols(id=["z1", "z2"], risk_class=["A", "A"], weight=[-0.0, 0.0]),
        [],
        "-0.0 is stored and hashed as 0.0",
    ),
    ("register-empty", _cols(id=[], risk_class=[]), [], "no row"),
]


def _register(cols: dict[str, Any], allow_empty: list[str]) -> TargetRegistry:
    given = {k: v for k, v in cols.items() if v is not None}
    return TargetRegistry.from_columns(**given, allow_empty=tuple(allow_empty))


# ------------------------------------------------------------------------------ histories
BURDEN: list[tuple[str, list[tuple[str, list[str]]]]] = [
    ("burden-empty", []),
    ("burden-one-period", [("2024", ["T-0001", "a"])]),
    (
        "burden-three-periods",
        [
            ("2022年", ["网吧-001", "😀", "b", "a"]),
            ("2023", []),
            ("2024 上半年", ["e\u0301", "é", "a"]),
        ],
    ),
    ("burden-duplicates", [("p", ["x", "x", "y"])]),
]

FREQUENCY: list[tuple[str, str, int, list[list[Any]], list[str]]] = [
    ("frequency-empty", "K1", 1, [], ["a", "b"]),
    (
        "frequency-mixed",
        "K1",
        1,
        [["b", "K1", 1], ["a", "K1", 0], ["b", "G9", 3], ["z", "K1", 2], ["网吧-001", "K1", 1]],
        ["a", "b", "c", "网吧-001"],
    ),
    (
        "frequency-summed",
        "检查-01",
        2,
        [["😀", "检查-01", 1], ["😀", "检查-01", 1], ["é", "检查-01", 1], ["é", "K1", 5]],
        ["😀", "é", "e\u0301"],
    ),
]

EXCLUDED_IDS: list[list[str]] = [["b", "a", "网吧-001"], ["😀"]]

# ---------------------------------------------------------------------------- items, pools
ITEMS: list[tuple[str, int | None, list[dict[str, Any]]]] = [
    (
        "items-two",
        2,
        [
            {
                "id": "G01",
                "name": "营业执照公示",
                "department": "市场监管局",
                "kind": "general",
                "legal_basis": "《企业信息公示暂行条例》",
                "content": "公示信息",
                "method": "书面检查",
                "target_kinds": ["sole_trader", "enterprise"],
                "ratio_cap": 0.05,
            },
            {
                "id": "K01",
                "name": "网吧经营",
                "department": "文化市场综合行政执法大队",
                "kind": "key",
                "legal_basis": "《互联网上网服务营业场所管理条例》",
                "content": '未成年人入场\n"登记"',
                "method": "现场检查",
                "target_kinds": ["enterprise"],
                "required_qualifications": ["网络文化", "消防"],
                "yearly_frequency_limit": 2,
                "description": "😀",
            },
        ],
    ),
    ("items-empty", None, []),
]

_INSPECTORS: list[dict[str, Any]] = [
    {
        "id": "Z-02",
        "name": "张三",
        "department": "执法大队",
        "certified": True,
        "certificate_number": "ZF-0002",
        "qualifications": ["网络文化"],
        "regions": ["东城镇", "西城镇"],
    },
    {
        "id": "Z-01",
        "name": "李四",
        "department": "执法大队",
        "certified": True,
        "certificate_number": "ZF-0001",
        "regions": ["东城镇"],
        "available": False,
    },
    {
        "id": "Z-03",
        "name": "王五",
        "department": "执法大队",
        "certified": True,
        "certificate_number": "ZF-0003",
        "qualifications": ["网络文化"],
        "expertise": ["消防"],
        "regions": ["东城镇"],
    },
    {
        "id": "X-01",
        "name": "赵六",
        "department": "消防救援大队",
        "certified": True,
        "certificate_number": "XF-01",
        "expertise": ["消防"],
        "regions": ["东城镇"],
    },
    {
        "id": "X-02",
        "name": "孙七",
        "department": "消防救援大队",
        "certified": True,
        "certificate_number": "XF-02",
        "qualifications": ["消防"],
        "regions": ["东城镇", "西城镇"],
    },
    {
        "id": "E-01",
        "name": "专家 😀",
        "department": "局",
        "certified": False,
        "certificate_number": "",
        "expertise": ["消防", "电气"],
        "regions": ["东城镇", "西城镇"],
        "expert": True,
    },
    {
        "id": "E-02",
        "name": "专家二",
        "department": "局",
        "certified": False,
        "expertise": ["电气"],
        "regions": ["东城镇"],
        "expert": True,
    },
    {
        "id": "Z-04",
        "name": "周八",
        "department": "执法大队",
        "certified": True,
        "certificate_number": "ZF-0004",
        "qualifications": ["网络文化"],
        "regions": ["西城镇"],
    },
]

POOLS: list[tuple[str, list[dict[str, Any]]]] = [
    ("pool-eight", _INSPECTORS),
    ("pool-eight-reversed", list(reversed(_INSPECTORS))),
    ("pool-empty", []),
]

VISIT_REQUESTS: list[tuple[str, list[dict[str, Any]]]] = [
    (
        "visits-three",
        [
            {
                "id": "2024/T1/网吧-001",
                "target": "网吧-001",
                "region": "东城镇",
                "departments": ["执法大队", "消防救援大队"],
                "qualifications": ["网络文化"],
            },
            {
                "id": "2024/T1/T-0001",
                "target": "T-0001",
                "region": "东城镇",
                "departments": ["执法大队"],
                "qualifications": ["消防"],
                "team_size": 2,
                "experts": 1,
                "expert_tags": ["电气"],
            },
            {
                "id": "2024/T2/😀",
                "target": "😀",
                "region": "西城镇",
                "departments": ["执法大队"],
            },
        ],
    ),
    ("visits-none", []),
]

PAIRS: list[list[list[str]]] = [
    [],
    [["Z-02", "网吧-001"], ["X-01", "T-0001"], ["Z-02", "网吧-001"], ["E-01", "😀"]],
]
LOAD_LIMITS: list[Any] = [None, 3, {"Z-02": 1, "X-01": 0, "未知": 2}]
REGION_RULES: list[dict[str, Any]] = [
    {"serves_any": False, "allowed": {}},
    {"serves_any": False, "allowed": {"南山乡": ["青松乡", "南山乡"], "东城镇": ["西城镇"]}},
    {"serves_any": True, "allowed": {}},
]

# ---------------------------------------------------------------------------------- plans
PLANS: list[dict[str, Any]] = [
    {
        "year": 2024,
        "title": "2024 年度抽查计划",
        "tasks": [
            {
                "id": "T2",
                "items": ["K01", "G01", "K01"],
                "lead_department": "市场监管局",
                "partner_departments": ["消防救援大队", "文化市场综合行政执法大队"],
                "target_filter": {"region": ["西城镇", "东城镇"], "risk_class": "C"},
                "ratios": {"b": 0.05, "A": 0.03},
                "counts": {"D": 5},
                "batches": [
                    {"id": "Q2", "start": "2024-04-01", "end": "2024-06-30"},
                    {"id": "Q1", "start": "2024-01-02", "end": "2024-03-29"},
                ],
                "split": True,
            },
            {
                "id": "T1",
                "items": "K01",
                "lead_department": "文化市场综合行政执法大队",
                "ratios": 1,
                "batches": [{"id": "H2", "start": "2024-07-01", "end": "2024-12-31"}],
                "stream": "网吧/全年",
            },
        ],
    },
    {"year": 2025, "title": "", "tasks": []},
]


def _task(t: dict[str, Any]) -> Task:
    kw = dict(t)
    kw["batches"] = [
        Batch(
            id=b["id"],
            start=dt.date.fromisoformat(b["start"]),
            end=dt.date.fromisoformat(b["end"]),
        )
        for b in t["batches"]
    ]
    return Task(**kw)


def plan_of(p: dict[str, Any]) -> AnnualPlan:
    return AnnualPlan(year=p["year"], title=p["title"], tasks=[_task(t) for t in p["tasks"]])


PLAN_VISITS: list[list[dict[str, Any]]] = [
    [
        {
            "id": "2024/T1/网吧-001",
            "target_id": "网吧-001",
            "region": "东城镇",
            "risk_class": "B",
            "items": ["K01"],
            "departments": ["文化市场综合行政执法大队", "消防救援大队"],
            "qualifications": ["消防", "网络文化"],
            "start": "2024-04-01",
            "end": "2024-06-30",
            "tasks": ["T1"],
            "batches": ["T1/Q2"],
        },
        {
            "id": "2024/T2/a",
            "target_id": "a",
            "region": "",
            "risk_class": "D",
            "items": ["G01", "K01"],
            "departments": ["市场监管局"],
            "qualifications": [],
            "start": "2024-01-02",
            "end": "2024-03-29",
            "tasks": ["T2", "T3"],
            "batches": ["T2/Q1", "T3/Q1"],
        },
    ],
    [],
]


def visit_of(v: dict[str, Any]) -> Visit:
    kw = dict(v)
    for k in ("items", "departments", "tasks", "batches"):
        kw[k] = tuple(v[k])
    kw["qualifications"] = frozenset(v["qualifications"])
    kw["start"] = dt.date.fromisoformat(v["start"])
    kw["end"] = dt.date.fromisoformat(v["end"])
    return Visit(**kw)


TEAMS: list[dict[str, list[str]]] = [
    {"2024/T2/😀": ["Z-04", "Z-02"], "2024/T1/网吧-001": ["X-01", "Z-02", "E-01"]},
    {},
]

# ---------------------------------------------------------------------------- assignments
_OFFICERS = [
    {
        "id": f"{d}-{k:02}",
        "name": f"{d} {k}",
        "department": dept,
        "certified": True,
        "certificate_number": f"{d}{k}",
        "qualifications": (["网络文化"] if k % 3 == 0 or k == 8 else [])
        + (["消防"] if d == "X" else []),
        "regions": ["东城镇"] if k % 2 else ["东城镇", "西城镇"],
    }
    for d, dept, n in (("Z", "执法大队", 9), ("X", "消防救援大队", 4))
    for k in range(1, n + 1)
]
_EXPERTS = [
    {
        "id": f"E-{k:02}",
        "name": f"专家 {k}",
        "department": "局",
        "certified": False,
        "expertise": ["电气"] if k % 2 else ["电气", "消防"],
        "regions": ["东城镇", "西城镇"],
        "expert": True,
    }
    for k in range(1, 5)
]


def _visits(n: int) -> list[dict[str, Any]]:
    out = []
    for k in range(n):
        v: dict[str, Any] = {
            "id": f"2024/V{k:02}/目标-{k}",
            "target": f"目标-{k % 7}",
            "region": "西城镇" if k % 5 == 4 else "东城镇",
            "departments": ["执法大队", "消防救援大队"] if k % 3 == 1 else ["执法大队"],
        }
        if k % 4 == 2:
            v["qualifications"] = ["网络文化"]
        if k % 6 == 5:
            v["experts"] = 1 + (k % 2)
            v["expert_tags"] = ["电气"]
        if k % 3 == 1 and k % 2:
            v["team_size"] = 3
        out.append(v)
    return out


ASSIGNMENTS: list[dict[str, Any]] = [
    {
        "name": "assign-twelve",
        "seed_text": "2024 县局第一批",
        "stream": "2024/teams",
        "visits": _visits(12),
        "inspectors": _OFFICERS + _EXPERTS,
        "conflicts": [["Z-01", "目标-0"], ["X-02", "目标-1"]],
        "rotation": [["Z-03", "目标-2"]],
        "load_limits": None,
    },
    {
        "name": "assign-twelve-limited",
        "seed_text": "2024 县局第一批",
        "stream": "2024/teams/🎲",
        "visits": _visits(12),
        "inspectors": _OFFICERS + _EXPERTS,
        "conflicts": [],
        "rotation": [],
        "load_limits": {"X-01": 1, "Z-05": 0, "E-02": 1},
    },
    {
        "name": "assign-thirty-balanced",
        "seed_text": "dice: 3 6 1 2 5 5 4 1",
        "stream": "检查/分组",
        "visits": _visits(30),
        "inspectors": _OFFICERS + _EXPERTS,
        "conflicts": [["Z-02", "目标-3"]],
        "rotation": [],
        "load_limits": 8,
    },
]


def pool_of(records: list[dict[str, Any]]) -> InspectorPool:
    return InspectorPool(inspectors=[Inspector(**r) for r in records])


def main() -> None:
    out: dict[str, Any] = {
        "format": "randsupervise-digest-vectors",
        "version": 1,
        "spec": ["docs/spec/register.md", "docs/spec/digests.md", "docs/spec/assignment.md"],
    }
    regs = []
    for name, cols, allow_empty, note in REGISTERS:
        reg = _register(cols, allow_empty)
        regs.append(
            {
                "name": name,
                "note": note,
                "columns": cols,
                "allow_empty": allow_empty,
                "row_hashes": [f"{h:016x}" for h in reg.row_hashes().tolist()],
                "digest": reg.digest(),
            }
        )
    out["registers"] = regs
    out["burden_histories"] = [
        {
            "name": name,
            "periods": [[label, ids] for label, ids in periods],
            "digest": BurdenHistory.from_periods(dict(periods)).digest(),
        }
        for name, periods in BURDEN
    ]
    freq = []
    for name, item, limit, entries, ids in FREQUENCY:
        reg = TargetRegistry.from_columns(id=ids, risk_class=["A"] * len(ids))
        d = draw(
            reg,
            seed="frequency",
            stream="s",
            ratios={"A": 0.0},
            item=ItemRule(id=item, yearly_frequency_limit=limit),
            history=History.from_entries([tuple(e) for e in entries]),
        )
        fl = d.receipt.frequency_limit or {}
        freq.append(
            {
                "name": name,
                "item": item,
                "limit": limit,
                "register_ids": ids,
                "entries": entries,
                "history_digest": fl["history_digest"],
                "history_entries": fl["history_entries"],
                "excluded": fl["excluded"],
            }
        )
    out["frequency_histories"] = freq
    out["excluded_ids"] = [{"ids": ids, "digest": sha256_hex(sorted(ids))} for ids in EXCLUDED_IDS]
    out["item_lists"] = [
        {
            "name": name,
            "max_key_items": mk,
            "items": items,
            "digest": ItemList(
                items=[InspectionItem(**it) for it in items], max_key_items=mk
            ).digest(),
        }
        for name, mk, items in ITEMS
    ]
    out["pools"] = [
        {"name": name, "inspectors": recs, "digest": pool_of(recs).digest()} for name, recs in POOLS
    ]
    out["visit_requests"] = [
        {
            "name": name,
            "visits": vs,
            "digest": visits_digest([VisitRequest(**v) for v in vs]),
        }
        for name, vs in VISIT_REQUESTS
    ]
    empty_pool = pool_of([])
    out["pairs"] = [
        {
            "pairs": ps,
            "digest": AssignmentProblem(visits=[], pool=empty_pool, conflicts=ps).digests()[
                "conflicts"
            ],
        }
        for ps in PAIRS
    ]
    out["load_limits"] = [
        {
            "value": lim,
            "digest": AssignmentProblem(visits=[], pool=empty_pool, load_limits=lim).digests()[
                "load_limits"
            ],
        }
        for lim in LOAD_LIMITS
    ]
    out["region_rules"] = [
        {
            "rule": rr,
            "digest": AssignmentProblem(
                visits=[], pool=empty_pool, region_rule=RegionRule(**rr)
            ).digests()["region_rule"],
        }
        for rr in REGION_RULES
    ]
    out["plans"] = [{"plan": p, "digest": plan_of(p).digest()} for p in PLANS]
    out["plan_visits"] = [
        {"visits": vs, "digest": plan_visits_digest([visit_of(v) for v in vs])}
        for vs in PLAN_VISITS
    ]
    out["teams"] = [
        {"teams": t, "digest": _teams_digest({k: tuple(sorted(m)) for k, m in t.items()})}
        for t in TEAMS
    ]
    cases = []
    for case in ASSIGNMENTS:
        seed = Seed.from_text(case["seed_text"])
        a = assign(
            [VisitRequest(**v) for v in case["visits"]],
            pool_of(case["inspectors"]),
            seed=seed,
            stream=case["stream"],
            conflicts=[tuple(p) for p in case["conflicts"]],
            rotation=[tuple(p) for p in case["rotation"]],
            load_limits=case["load_limits"],
        )
        cases.append(
            {
                **case,
                "seed_hex": seed.hex,
                "exact_fallback": a.receipt["exact_fallback"],
                "inputs": a.receipt["inputs"],
                "teams": a.receipt["teams"],
            }
        )
    out["assignments"] = cases
    text = json.dumps(out, ensure_ascii=False, indent=1) + "\n"
    OUT.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
