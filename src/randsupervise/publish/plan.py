"""The plan and its item list, as published (plan §三(一), §三(二), §三(五)).

Invariants, each with the rule it comes from:

* The plan and the item list are published on the bureau's website (plan §三(一),
  §三(二)): every item with its legal basis, kind (key or general), content, method,
  ratio cap and yearly frequency limit, the departments and windows of the tasks that
  carry it out; every task with its items, scope (定向 or 不定向), departments, per-class
  ratios or counts and batches.
* A task's description (:func:`task_name`, its type, scope and rates) is written here
  once and used by the drawn lists and the results too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from randsupervise.cycle.plan import AnnualPlan, Task
from randsupervise.model.items import InspectionItem, ItemKind, ItemList
from randsupervise.publish.document import Publication, Table, _publication
from randsupervise.publish.words import _COLUMN, _KIND, _STATUS, _head, _pct, _words

__all__ = ["publish_plan", "task_name"]


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


def _windows(task: Task) -> str:
    return "; ".join(f"{b.id} {b.start.isoformat()}~{b.end.isoformat()}" for b in task.batches)


def publish_plan(plan: AnnualPlan, items: ItemList, *, lang: str = "zh") -> Publication:
    """The plan and its item list, as published on the bureau's website.

    Examples:
        >>> from randsupervise.cycle.sample import sample_plan
        >>> from randsupervise.model.sample import sample_items
        >>> p = publish_plan(sample_plan(), sample_items())
        >>> [t.name for t in p.tables], len(p.data["items"]), p.data["items"][0]["kind_label"]
        (['items', 'tasks'], 13, '一般检查事项')
    """
    w = _words(lang)
    tasks_of: dict[str, list[Task]] = {}
    for t in plan.tasks:
        for i in t.items:
            tasks_of.setdefault(i, []).append(t)
    item_rows = [_item_row(it, tasks_of.get(it.id, []), w) for it in items]
    title = plan.title or str(plan.year)
    data = {
        **_head("plan", lang, title, plan.year),
        "plan_digest": plan.digest(),
        "items_digest": items.digest(),
        "items": item_rows,
        "tasks": [_task_data(t, items, lang) for t in plan.tasks],
    }
    return _publication(
        data,
        _items_table(item_rows, tasks_of, lang),
        _tasks_table(plan, items, lang),
        paragraphs=[w["p_plan"].format(title=title)],
        title=w["plan_title"].format(title=title),
    )


def _item_row(it: InspectionItem, ts: list[Task], w: Mapping[str, str]) -> dict[str, Any]:
    """One item of the published item list, with the tasks that carry it out."""
    departments = sorted({d for t in ts for d in t.departments} | {it.department})
    windows = sorted({(b.start.isoformat(), b.end.isoformat()) for t in ts for b in t.batches})
    return {
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


def _items_table(
    item_rows: list[dict[str, Any]], tasks_of: dict[str, list[Task]], lang: str
) -> Table:
    w = _words(lang)
    sep = w["sep"]
    return Table(
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


def _tasks_table(plan: AnnualPlan, items: ItemList, lang: str) -> Table:
    w = _words(lang)
    sep = w["sep"]
    return Table(
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
