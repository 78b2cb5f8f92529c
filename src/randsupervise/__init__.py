"""randsupervise: the domain engine of 双随机、一公开 (double-random, one-public) supervision.

Random inspection targets drawn from a register, random inspectors assigned to them,
results published on time; every random decision reproducible and verifiable.

The package root re-exports the names most users need; every subpackage
(``model``, ``calendar``, ``draw``, ``assign``, ``cycle``, ``metrics``, ``testing``)
exports its full API. The root's ``verify`` is the one door for every receipt (draw,
assignment or plan: :mod:`randsupervise.receipts`); each package's own ``verify``,
``cancel`` and ``replace`` keep their names in their package. The functions ``draw`` and
``assign`` are not re-exported: their names are the subpackages' own
(``from randsupervise.draw import draw``).
"""

from __future__ import annotations

from randsupervise.assign import (
    Assignment,
    RegionRule,
    Team,
    VisitRequest,
    Witness,
)
from randsupervise.calendar import (
    DayKind,
    WorkCalendar,
    china,
)
from randsupervise.cycle import (
    AnnualPlan,
    Batch,
    PlanRun,
    Task,
    Visit,
    VisitState,
    YearState,
    feedback,
    run_plan,
)
from randsupervise.draw import (
    Announcement,
    BurdenHistory,
    Draw,
    DrawPolicy,
    History,
    Method,
    Receipt,
    Rounding,
    Seed,
    SeedRule,
    VerifyReport,
)
from randsupervise.errors import (
    CalendarDataMissing,
    IllegalTransition,
    InfeasibleAssignment,
    Problem,
    RandSuperviseError,
    UnknownIdError,
    ValidationError,
)
from randsupervise.metrics import (
    YearReport,
    year_report,
)
from randsupervise.model import (
    AddTarget,
    InspectionItem,
    InspectionResult,
    Inspector,
    InspectorPool,
    ItemKind,
    ItemList,
    RegistryDiff,
    RemoveTarget,
    ResultCode,
    RiskClass,
    Target,
    TargetKind,
    TargetRegistry,
    TargetStatus,
    UpdateTarget,
    is_valid_credit_code,
)
from randsupervise.receipts import read_receipt, verify

__version__ = "0.1.0.dev0"

__all__ = [
    "AddTarget",
    "Announcement",
    "AnnualPlan",
    "Assignment",
    "Batch",
    "BurdenHistory",
    "CalendarDataMissing",
    "DayKind",
    "Draw",
    "DrawPolicy",
    "History",
    "IllegalTransition",
    "InfeasibleAssignment",
    "InspectionItem",
    "InspectionResult",
    "Inspector",
    "InspectorPool",
    "ItemKind",
    "ItemList",
    "Method",
    "PlanRun",
    "Problem",
    "RandSuperviseError",
    "Receipt",
    "RegionRule",
    "RegistryDiff",
    "RemoveTarget",
    "ResultCode",
    "RiskClass",
    "Rounding",
    "Seed",
    "SeedRule",
    "Target",
    "TargetKind",
    "TargetRegistry",
    "TargetStatus",
    "Task",
    "Team",
    "UnknownIdError",
    "UpdateTarget",
    "ValidationError",
    "VerifyReport",
    "Visit",
    "VisitRequest",
    "VisitState",
    "Witness",
    "WorkCalendar",
    "YearReport",
    "YearState",
    "china",
    "feedback",
    "is_valid_credit_code",
    "read_receipt",
    "run_plan",
    "verify",
    "year_report",
]
