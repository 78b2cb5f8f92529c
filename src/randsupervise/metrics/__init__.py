"""Metrics of the year: coverage, ratios, visits per target, workload, duty ledger, timeliness.

Each concept has its module: :mod:`~randsupervise.metrics.table` (the table every metric
returns), :mod:`~randsupervise.metrics.coverage`, :mod:`~randsupervise.metrics.deadlines`,
:mod:`~randsupervise.metrics.workload` and :mod:`~randsupervise.metrics.report` (all of
them in one value).
"""

from __future__ import annotations

from randsupervise.metrics.coverage import (
    inclusion_probabilities,
    item_coverage,
    ratio_achievement,
    repeat_inspection,
    unit_probabilities,
    visits_per_target,
    yearly_inclusion,
)
from randsupervise.metrics.deadlines import completion, timeliness
from randsupervise.metrics.report import YearReport, year_report
from randsupervise.metrics.table import Table
from randsupervise.metrics.workload import duty_ledger, gini, workload

__all__ = [
    "Table",
    "YearReport",
    "completion",
    "duty_ledger",
    "gini",
    "inclusion_probabilities",
    "item_coverage",
    "ratio_achievement",
    "repeat_inspection",
    "timeliness",
    "unit_probabilities",
    "visits_per_target",
    "workload",
    "year_report",
    "yearly_inclusion",
]
