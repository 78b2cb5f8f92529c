"""Metrics of the year: coverage, ratios, burden, workload, duty ledger, timeliness."""

from __future__ import annotations

from randsupervise.metrics.core import (
    Table,
    burden,
    completion,
    duty_ledger,
    gini,
    inclusion_probabilities,
    item_coverage,
    ratio_achievement,
    repeat_inspection,
    timeliness,
    unit_probabilities,
    workload,
    yearly_inclusion,
)
from randsupervise.metrics.demo import (
    DemoReport,
    demo_announcement,
    demo_inputs,
    demo_plan,
    demo_seed_rule,
    run_demo_year,
)
from randsupervise.metrics.report import YearReport, year_report

__all__ = [
    "DemoReport",
    "Table",
    "YearReport",
    "burden",
    "completion",
    "demo_announcement",
    "demo_inputs",
    "demo_plan",
    "demo_seed_rule",
    "duty_ledger",
    "gini",
    "inclusion_probabilities",
    "item_coverage",
    "ratio_achievement",
    "repeat_inspection",
    "run_demo_year",
    "timeliness",
    "unit_probabilities",
    "workload",
    "year_report",
    "yearly_inclusion",
]
