"""randsupervise: the domain engine of 双随机、一公开 (double-random, one-public) supervision.

Random inspection targets drawn from a register, random inspectors assigned to them,
results published on time; every random decision reproducible and verifiable.
"""

from __future__ import annotations

from randsupervise.errors import (
    CalendarDataMissing,
    IllegalTransition,
    InfeasibleAssignment,
    Problem,
    RandSuperviseError,
    UnknownIdError,
    ValidationError,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "CalendarDataMissing",
    "IllegalTransition",
    "InfeasibleAssignment",
    "Problem",
    "RandSuperviseError",
    "UnknownIdError",
    "ValidationError",
]
