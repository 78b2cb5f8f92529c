"""The announcement of a year's plan: one announcement covers every draw of the plan.

Invariants (``docs/spec/announcement.md``; the announcement itself is
:mod:`randsupervise.draw.announcement`):

* :func:`announce_plan` writes, before the seed exists, the plan (and its digest), the
  digests of the register, the item list and the inspector pool, the calendar's name,
  the plan receipt version, and every draw the plan will make in draw order: its task,
  batches, stream label and the task's target filter. The seed rule is the year's.
* :func:`check_plan_announcement` checks a plan receipt against it: the same plan,
  inputs and version, exactly the announced draws (a draw added, left out, renamed or
  re-run under another stream is a difference naming ``draws[i]``), each nested draw
  receipt made from the announced register, and a seed made by the announced rule.
  ``verify_plan(..., announcement=...)`` runs it along with the recomputation.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from randsupervise._core.report import Difference
from randsupervise.calendar import WorkCalendar
from randsupervise.cycle.draws import _draw_order, _draw_stream
from randsupervise.cycle.plan import AnnualPlan
from randsupervise.cycle.run import PLAN_VERSIONS
from randsupervise.draw.announcement import (
    Announcement,
    AnnouncementCheck,
    SeedRule,
    subject_list_differences,
    subject_value_differences,
)
from randsupervise.model import TargetRegistry
from randsupervise.model.inspectors import InspectorPool
from randsupervise.model.items import ItemList

__all__ = ["announce_plan", "check_plan_announcement"]

#: What a plan receipt records as it was announced, one value each.
_ANNOUNCED_VALUES = ("version", "year", "plan_digest", "registry_digest", "items_digest",
                     "pool_digest", "calendar")  # fmt: skip


def announce_plan(
    plan: AnnualPlan,
    registry: TargetRegistry,
    items: ItemList,
    pool: InspectorPool,
    calendar: WorkCalendar,
    *,
    seed_rule: SeedRule,
    date: _dt.date | str,
) -> Announcement:
    """The announcement of a year's plan: every draw it will make, and the seed rule.

    Raises:
        ValidationError: a bad seed rule, or the seed dated on or before ``date``.

    Examples:
        >>> from randsupervise.cycle.sample import SAMPLE_SEED_TEXT, sample_year
        >>> y = sample_year()
        >>> rule = SeedRule(method="text", source="randsupervise sample", date="2024-01-15")
        >>> a = announce_plan(y.plan, y.registry, y.items, y.pool, y.calendar, seed_rule=rule,
        ...                   date="2024-01-05")
        >>> first = a.subject["draws"][0]
        >>> len(a.subject["draws"]), first["stream"], first["batches"], first["filter"]
        (13, '2024/g01/Q2', ['Q2'], None)
        >>> a.seed(value=SAMPLE_SEED_TEXT) == y.seed   # the sample year's seed
        True
    """
    draws = []
    for _, task, bpos in _draw_order(plan):
        batch_ids = tuple(task.batches[b].id for b in bpos)
        draws.append(
            {
                "task": task.id,
                "batches": list(batch_ids),
                "stream": _draw_stream(plan.year, task, batch_ids),
                "filter": task.canonical()["target_filter"],
            }
        )
    subject = {
        "version": PLAN_VERSIONS[-1],
        "year": plan.year,
        "plan_digest": plan.digest(),
        "plan": plan.canonical(),
        "registry_digest": registry.digest(),
        "items_digest": items.digest(),
        "pool_digest": pool.digest(),
        "calendar": calendar.name,
        "draws": draws,
    }
    return Announcement.make(kind="plan", date=date, subject=subject, seed_rule=seed_rule)


def _subject_differences(
    receipt: Mapping[str, Any], subject: Mapping[str, Any]
) -> list[Difference]:
    """The plan receipt's plan, inputs and version, its draws, and each nested draw's
    register, against the announced ones."""
    diffs = subject_value_differences(receipt, subject, _ANNOUNCED_VALUES)
    got = [{k: d[k] for k in ("task", "batches", "stream")} for d in receipt["draws"]]
    want = [{k: d[k] for k in ("task", "batches", "stream")} for d in subject["draws"]]
    diffs += subject_list_differences("draws", "draws", got, want)
    for i, d in enumerate(receipt["draws"]):
        nested = d["receipt"].get("registry_digest")
        if nested != subject["registry_digest"]:
            diffs.append(
                Difference(
                    path=f"draws[{i}].receipt.registry_digest",
                    message="this draw was not made from the announced register",
                    receipt=nested,
                    recomputed=subject["registry_digest"],
                )
            )
    return diffs


#: ``check_plan_announcement(receipt, announcement, *, reveals=None)``: the differences
#: and notes of a (parsed) plan receipt against its announcement.
check_plan_announcement = AnnouncementCheck("plan", _subject_differences)
