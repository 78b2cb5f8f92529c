"""The demo: one year of the sample bureau, end to end, deterministic.

An application of the whole library, above every other layer but the command line:
:mod:`~randsupervise.demo.inputs` (the plan, the seed rule and the announcement made
before the seed), :mod:`~randsupervise.demo.outcomes` (the simulated inspections, pure
functions of the seed) and :mod:`~randsupervise.demo.report` (the year run end to end:
the plan receipt verified against the announcement, the metrics and the feedback, as
JSON and as text in English or Chinese).
"""

from __future__ import annotations

from randsupervise.demo.inputs import (
    DEMO_DICE,
    demo_announcement,
    demo_inputs,
    demo_plan,
    demo_seed_rule,
)
from randsupervise.demo.outcomes import simulate_year
from randsupervise.demo.report import DemoReport, run_demo_year

__all__ = [
    "DEMO_DICE",
    "DemoReport",
    "demo_announcement",
    "demo_inputs",
    "demo_plan",
    "demo_seed_rule",
    "run_demo_year",
    "simulate_year",
]
