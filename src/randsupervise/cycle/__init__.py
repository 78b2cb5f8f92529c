"""The annual cycle: plan, draws, visits, teams, lifecycle with deadlines, feedback."""

from __future__ import annotations

from randsupervise.cycle.announcement import announce_plan, check_plan_announcement
from randsupervise.cycle.deadlines import RECORDING_WORKDAYS
from randsupervise.cycle.events import (
    Assign,
    Cancel,
    Event,
    FollowUp,
    Inspect,
    Publish,
    Record,
    ReplaceTeam,
)
from randsupervise.cycle.feedback import (
    CODE_EFFECTS,
    FEEDBACK_RULES,
    CodeEffect,
    Feedback,
    FeedbackRule,
    TargetMove,
    feedback,
)
from randsupervise.cycle.lifecycle import YearState
from randsupervise.cycle.plan import (
    CAP_SCOPES,
    FILTER_KEYS,
    AnnualPlan,
    Batch,
    CapScope,
    Task,
    eligible_masks,
    yearly_probabilities,
)
from randsupervise.cycle.record import VisitRecord
from randsupervise.cycle.run import (
    PLAN_VERSIONS,
    DrawRecord,
    PlanRun,
    TeamRules,
    run_plan,
)
from randsupervise.cycle.transitions import (
    TRANSITIONS,
    Action,
    CancelReason,
    Transition,
    VisitState,
)
from randsupervise.cycle.verify import read_plan_receipt, verify_plan
from randsupervise.cycle.visits import Visit

__all__ = [
    "CAP_SCOPES",
    "CODE_EFFECTS",
    "FEEDBACK_RULES",
    "FILTER_KEYS",
    "PLAN_VERSIONS",
    "RECORDING_WORKDAYS",
    "TRANSITIONS",
    "Action",
    "AnnualPlan",
    "Assign",
    "Batch",
    "Cancel",
    "CancelReason",
    "CapScope",
    "CodeEffect",
    "DrawRecord",
    "Event",
    "Feedback",
    "FeedbackRule",
    "FollowUp",
    "Inspect",
    "PlanRun",
    "Publish",
    "Record",
    "ReplaceTeam",
    "TargetMove",
    "Task",
    "TeamRules",
    "Transition",
    "Visit",
    "VisitRecord",
    "VisitState",
    "YearState",
    "announce_plan",
    "check_plan_announcement",
    "feedback",
    "read_plan_receipt",
    "run_plan",
    "verify_plan",
    "eligible_masks",
    "yearly_probabilities",
]
