"""The year's report: every metric of :mod:`randsupervise.metrics` in one value.

Invariants: the report is computed, never stored state; it is a pure function of the
drawn plan, the visits' records, the registers and the ``as_of`` date. Text, JSON and
records forms hold the same figures.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import attrs

from randsupervise.cycle import PlanRun, YearState
from randsupervise.metrics.coverage import (
    inclusion_probabilities,
    item_coverage,
    ratio_achievement,
    visits_per_target,
    yearly_inclusion,
)
from randsupervise.metrics.deadlines import completion, timeliness
from randsupervise.metrics.table import Table
from randsupervise.metrics.workload import duty_ledger, workload
from randsupervise.model import TargetRegistry
from randsupervise.model.inspectors import InspectorPool
from randsupervise.model.items import ItemList

__all__ = ["YearReport", "year_report"]

#: The report's tables, in the order they are shown.
_TABLES = (
    "coverage",
    "ratios",
    "probabilities",
    "visits_per_target",
    "workload",
    "ledger",
    "timeliness",
    "completion",
    "inclusion",
)


@attrs.frozen(kw_only=True)
class YearReport:
    """Every metric of one year, as of a date: the plan receipt's digest, then one table
    per metric (:func:`year_report` computes them; :attr:`tables` lists them in order).
    """

    year: int
    as_of: _dt.date
    plan_digest: str
    coverage: Table
    ratios: Table
    probabilities: Table
    visits_per_target: Table
    workload: Table
    ledger: Table
    timeliness: Table
    completion: Table
    inclusion: Table

    @property
    def tables(self) -> tuple[Table, ...]:
        out: tuple[Table, ...] = tuple(getattr(self, name) for name in _TABLES)
        return out

    def summary(self) -> dict[str, Any]:
        """The headline figures, JSON-able."""
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "plan_digest": self.plan_digest,
            "item_coverage": dict(self.coverage.summary),
            "timeliness": dict(self.timeliness.summary),
            "completion": dict(self.completion.summary),
            "workload": dict(self.workload.summary),
            "duty_ledger": dict(self.ledger.summary),
            "visits_per_target": dict(self.visits_per_target.summary),
            "yearly_inclusion": dict(self.inclusion.summary),
        }

    def to_records(self) -> list[dict[str, Any]]:
        """One row per headline figure: ``metric``, ``name``, ``value``."""
        rows = []
        for t in self.tables:
            for k, v in t.summary.items():
                rows.append({"metric": t.name, "name": k, "value": v})
        return rows

    def to_text(self, max_rows: int = 8) -> str:
        head = f"Year {self.year} as of {self.as_of} — plan receipt {self.plan_digest}"
        return "\n\n".join([head, *(t.to_text(max_rows=max_rows) for t in self.tables)])

    def __repr__(self) -> str:
        s = self.summary()
        return (
            f"YearReport(year={self.year}, as_of={self.as_of}, "
            f"item_coverage={s['item_coverage']['rate']}, "
            f"on_time={s['timeliness']['share_on_time']}, "
            f"published={s['completion']['share_published']})"
        )

    def _repr_html_(self) -> str:
        return "".join(t._repr_html_() for t in self.tables)


def year_report(
    run: PlanRun,
    state: YearState,
    *,
    registry: TargetRegistry,
    items: ItemList,
    pool: InspectorPool,
    as_of: _dt.date,
) -> YearReport:
    """Compute every metric of the year as of ``as_of``."""
    return YearReport(
        year=run.year,
        as_of=as_of,
        plan_digest=run.digest,
        coverage=item_coverage(items, state),
        ratios=ratio_achievement(run, state),
        probabilities=inclusion_probabilities(run),
        visits_per_target=visits_per_target(run, registry),
        workload=workload(state, pool),
        ledger=duty_ledger(state, pool, as_of),
        timeliness=timeliness(state, as_of),
        completion=completion(state, as_of),
        inclusion=yearly_inclusion(run, registry, items),
    )
