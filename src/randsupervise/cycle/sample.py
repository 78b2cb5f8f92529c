"""A small sample year: the embedded sample bureau's plan run and a few months of visits.

For examples and tests of the layers above the cycle (metrics, publications, interop),
which build what they need from it instead of reaching up to an application.

Invariants:

* Inputs are the embedded sample (:mod:`randsupervise.model.sample`), China's official
  calendar and the public seed text :data:`SAMPLE_SEED_TEXT`. Nothing is read from
  files or the clock; two calls return equal values.
* The year is announced (5 January) before its seed exists: the seed is what the
  announced rule makes of the public text read on 15 January.
* The plan has one task per item of the sample list, led by the item's department,
  drawing 5% of every risk class in one spring batch, so every item is carried out.
* The visits follow a fixed pattern by their position (no randomness): each visit is
  inspected on a working day of its window, recorded and published in time but for a
  few that are recorded late, left unrecorded or left unpublished; one result in seven
  is a correction and one in eleven a pending follow-up (待后续处理).
"""

from __future__ import annotations

import datetime as _dt

import attrs

from randsupervise.calendar import WorkCalendar, china
from randsupervise.cycle.announcement import announce_plan
from randsupervise.cycle.events import Event, Inspect, Publish, Record
from randsupervise.cycle.lifecycle import YearState
from randsupervise.cycle.plan import AnnualPlan
from randsupervise.cycle.run import PlanRun, run_plan
from randsupervise.cycle.tasks import Batch, Task
from randsupervise.draw import Announcement, SeedRule
from randsupervise.model import TargetRegistry
from randsupervise.model.inspectors import InspectorPool
from randsupervise.model.items import ItemList
from randsupervise.model.results import InspectionResult
from randsupervise.model.sample import sample_inspectors, sample_items, sample_registry
from randsupervise.tickets import Seed

__all__ = ["SAMPLE_SEED_TEXT", "SampleYear", "sample_plan", "sample_year"]

#: The public text read on the announced day, which the announced seed rule turns into
#: the sample year's seed.
SAMPLE_SEED_TEXT = "randsupervise sample year"


def sample_plan(year: int = 2024) -> AnnualPlan:
    """One task per item of ``sample_items()``, 5% of each risk class, April to June.

    Examples:
        >>> plan = sample_plan()
        >>> len(plan.tasks), plan.problems(sample_items())
        (13, ())
    """
    spring = Batch(id="Q2", start=_dt.date(year, 4, 1), end=_dt.date(year, 6, 28))
    tasks = [
        Task(
            id=it.id.lower(),
            items=[it.id],
            ratios=0.05,
            batches=[spring],
            lead_department=it.department,
        )
        for it in sample_items()
    ]
    return AnnualPlan(year=year, tasks=tasks, title=f"示例县 {year} 年抽查计划（样例）")


@attrs.frozen(kw_only=True)
class SampleYear:
    """The sample year's inputs, its announcement, its drawn plan and the visits' records
    as of ``as_of``."""

    announcement: Announcement = attrs.field(repr=False)
    plan: AnnualPlan = attrs.field(repr=False)
    registry: TargetRegistry = attrs.field(repr=False)
    items: ItemList = attrs.field(repr=False)
    pool: InspectorPool = attrs.field(repr=False)
    seed: Seed
    calendar: WorkCalendar = attrs.field(repr=False)
    run: PlanRun = attrs.field(repr=False)
    state: YearState = attrs.field(repr=False)
    as_of: _dt.date


def _events(run: PlanRun, calendar: WorkCalendar) -> list[tuple[str, Event]]:
    """The fixed pattern of the module notes, by each visit's position ``k``."""
    events: list[tuple[str, Event]] = []
    for k, v in enumerate(run.visits):
        on = calendar.add_workdays(v.start, k % 20)
        officer = sorted(run.teams[v.id])[0]
        codes = {"FOLLOW_UP"} if k % 11 == 5 else {"CORRECTED"} if k % 7 == 3 else {"NO_PROBLEM"}
        follow_up = calendar.add_workdays(on, 30) if "FOLLOW_UP" in codes else None
        # every 13th visit is recorded late (25 working days); every 17th never recorded
        rec_on = calendar.add_workdays(on, 25 if k % 13 == 12 else 3)
        events.append((v.id, Inspect(on=on)))
        if k % 17 == 16:
            continue
        result = InspectionResult(codes=codes)
        events.append((v.id, Record(on=rec_on, result=result, by=officer, correct_by=follow_up)))
        if k % 19 != 18:  # every 19th recorded but not published
            events.append((v.id, Publish(on=calendar.add_workdays(rec_on, 1), by=officer)))
    return events


def sample_year(year: int = 2024) -> SampleYear:
    """The sample plan announced, then drawn with the seed the announced rule makes of
    :data:`SAMPLE_SEED_TEXT`, and its visits.

    Examples:
        >>> y = sample_year()
        >>> len(y.run.draws), y.state.counts()["published"] > 0
        (13, True)
        >>> y.run.digest == sample_year().run.digest
        True
    """
    plan, registry, items = sample_plan(year), sample_registry(), sample_items()
    pool, calendar = sample_inspectors(), china()
    rule = SeedRule(method="text", source="randsupervise sample", date=_dt.date(year, 1, 15))
    announcement = announce_plan(
        plan, registry, items, pool, calendar, seed_rule=rule, date=_dt.date(year, 1, 5)
    )
    seed = announcement.seed(value=SAMPLE_SEED_TEXT)
    run = run_plan(plan, registry, items, pool, seed=seed, calendar=calendar)
    state = YearState.start(run, _dt.date(year, 3, 1)).apply(_events(run, calendar), calendar)
    return SampleYear(
        announcement=announcement,
        plan=plan,
        registry=registry,
        items=items,
        pool=pool,
        seed=seed,
        calendar=calendar,
        run=run,
        state=state,
        as_of=_dt.date(year, 12, 31),
    )
