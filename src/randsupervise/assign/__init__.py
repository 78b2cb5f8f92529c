"""Randomised inspector assignment: lawful teams, recusal, rotation, fair load, 补抽."""

from __future__ import annotations

from randsupervise.assign.announcement import announce_assignment, check_assignment_announcement
from randsupervise.assign.assignment import (
    ALGORITHM,
    ALGORITHM_VERSION,
    ALGORITHM_VERSIONS,
    RECEIPT_VERSIONS,
    Assignment,
    AssignmentProblem,
    CancelReason,
    ProblemOptions,
    Team,
    assign,
    cancel,
    receipt_digest,
    replace,
)
from randsupervise.assign.requests import MIN_TEAM_SIZE, JointRule, RegionRule, VisitRequest
from randsupervise.assign.rotation import group_recusal, pairs_served_together, rotation_from
from randsupervise.assign.verify import read_chain, verify
from randsupervise.assign.visit_digest import visits_digest
from randsupervise.assign.witness import Witness

__all__ = [
    "ALGORITHM",
    "ALGORITHM_VERSION",
    "ALGORITHM_VERSIONS",
    "MIN_TEAM_SIZE",
    "RECEIPT_VERSIONS",
    "Assignment",
    "AssignmentProblem",
    "CancelReason",
    "JointRule",
    "ProblemOptions",
    "RegionRule",
    "Team",
    "VisitRequest",
    "Witness",
    "announce_assignment",
    "assign",
    "cancel",
    "check_assignment_announcement",
    "group_recusal",
    "pairs_served_together",
    "read_chain",
    "receipt_digest",
    "replace",
    "rotation_from",
    "verify",
    "visits_digest",
]
