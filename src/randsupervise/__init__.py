"""randsupervise: the domain engine of 双随机、一公开 (double-random, one-public) supervision.

Random inspection targets drawn from a register, random inspectors assigned to them,
results published on time; every random decision reproducible and verifiable.

The package root re-exports the names most users need; every subpackage
(``model``, ``calendar``, ``draw``, ``assign``, ``cycle``, ``metrics``, ``testing``)
exports its full API. ``verify`` exists for draws and for assignments, so the root
names them ``verify_draw`` and ``verify_assignment``. The functions ``draw`` and
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
from randsupervise.assign import (
    cancel as cancel_visits,
)
from randsupervise.assign import (
    replace as replace_inspector,
)
from randsupervise.assign import (
    verify as verify_assignment,
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
    verify_plan,
)
from randsupervise.draw import (
    Announcement,
    BurdenHistory,
    Draw,
    DrawPolicy,
    Receipt,
    Seed,
    SeedRule,
    VerifyReport,
    coordinated_draw,
)
from randsupervise.draw import (
    verify as verify_draw,
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
    "IllegalTransition",
    "InfeasibleAssignment",
    "InspectionItem",
    "InspectionResult",
    "Inspector",
    "InspectorPool",
    "ItemKind",
    "ItemList",
    "PlanRun",
    "Problem",
    "RandSuperviseError",
    "Receipt",
    "RegionRule",
    "RegistryDiff",
    "RemoveTarget",
    "ResultCode",
    "RiskClass",
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
    "cancel_visits",
    "china",
    "coordinated_draw",
    "feedback",
    "is_valid_credit_code",
    "replace_inspector",
    "run_plan",
    "verify_assignment",
    "verify_draw",
    "verify_plan",
    "year_report",
]
