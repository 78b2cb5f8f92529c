"""The demo year's inputs: the sample bureau's plan, its seed rule and its announcement.

Invariants:

* Inputs are the embedded sample (``randsupervise.model.sample``), China's official
  2024 calendar and a public seed text. Nothing is read from files or the clock.
* The year is announced before it is drawn (``docs/spec/announcement.md``): the
  announcement (:func:`demo_announcement`, 5 January) fixes the register, the plan, every
  draw's stream and the seed's source, dice read on 15 January; the seed is made by that
  rule (:func:`demo_inputs`).
* The plan carries out every item of the sample list (item coverage 100%): a split key
  task with random batch order for internet cafés, a joint task of the enforcement team
  and the fire brigade for entertainment venues that merges with the police's item in
  the same window (进一次门、查多项事), and one task per remaining item.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import Any

from randsupervise.calendar import WorkCalendar, china
from randsupervise.cycle import AnnualPlan, Batch, Task, announce_plan
from randsupervise.draw import Announcement, Seed, SeedRule
from randsupervise.model import TargetRegistry
from randsupervise.model.inspectors import InspectorPool
from randsupervise.model.items import ItemList
from randsupervise.model.sample import sample_inspectors, sample_items, sample_registry

__all__ = ["DEMO_DICE", "demo_announcement", "demo_inputs", "demo_plan", "demo_seed_rule"]

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
