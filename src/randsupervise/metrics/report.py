"""The year's report: every metric of :mod:`randsupervise.metrics.core` in one value.

Invariants: the report is computed, never stored state; it is a pure function of the
drawn plan, the visits' records, the registers and the ``as_of`` date. Text, JSON and
records forms hold the same figures.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import attrs

from randsupervise.cycle import PlanRun, YearState
from randsupervise.metrics.core import (
    Table,
    burden,
    completion,
    duty_ledger,
    inclusion_probabilities,
    item_coverage,
    ratio_achievement,
    timeliness,
    workload,
    yearly_inclusion,
)
from randsupervise.model import TargetRegistry
from randsupervise.model.inspectors import InspectorPool
from randsupervise.model.items import ItemList

__all__ = ["YearReport", "year_report"]


@attrs.frozen(kw_only=True)
class YearReport:
    """Every metric of one year, as of a date."""

    year: int
    as_of: _dt.date
    plan_digest: str
    coverage: Table
    ratios: Table
    probabilities: Table
    burden: Table
    workload: Table
    ledger: Table
    timeliness: Table
    completion: Table
    inclusion: Table

    @property
    def tables(self) -> tuple[Table, ...]:
        return (
            self.coverage,
            self.ratios,
            self.probabilities,
            self.burden,
            self.workload,
            self.ledger,
            self.timeliness,
            self.completion,
            self.inclusion,
        )

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
            "burden": dict(self.burden.summary),
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
        burden=burden(run, registry),
        workload=workload(state, pool),
        ledger=duty_ledger(state, pool, as_of),
        timeliness=timeliness(state, as_of),
        completion=completion(state, as_of),
        inclusion=yearly_inclusion(run, registry, items),
    )
