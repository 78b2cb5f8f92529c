"""The year's published results (plan §三(六)), aggregated under each firm.

Invariants, each with the rule it comes from:

* The layout of the national enterprise credit information publicity system: per firm,
  one row per published inspection and task: type, inspecting authority, completion
  date, result in the official wording (the result codes' Chinese labels,
  :mod:`randsupervise.model.results`), publication date. Only published visits appear.
* **Never** a penalty (published under its own rules, plan §三(六)), an inspector's
  identity, the result's free-text note, or a risk class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from randsupervise.cycle.lifecycle import YearState
from randsupervise.cycle.run import PlanRun
from randsupervise.cycle.transitions import VisitState
from randsupervise.model.items import ItemList
from randsupervise.model.targets import TargetRegistry
from randsupervise.publish.document import Publication, Table, _publication, iso
from randsupervise.publish.drawn_list import _firm
from randsupervise.publish.plan import _task_type, task_name
from randsupervise.publish.words import _head, _words

__all__ = ["publish_results"]


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
        >>> from randsupervise.cycle.sample import sample_year
        >>> y = sample_year()
        >>> p = publish_results(y.run, y.state, y.registry, y.items)
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
    table = Table(name="results", title=w["results_table"], columns=columns, rows=rows)
    return _publication(data, table, paragraphs=[w["p_results"]])
