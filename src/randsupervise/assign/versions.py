"""The assignment algorithm and receipt versions this release writes and recomputes.

Invariant: the last entry of :data:`ALGORITHM_VERSIONS` and :data:`RECEIPT_VERSIONS` is
what this release writes; an earlier one is accepted only to recompute receipts written
by earlier releases, and :func:`check_versions` refuses anything else (and, under
algorithm version 1, joint visits staffed per department, which that version did not know).
"""

from __future__ import annotations

from randsupervise.assign.problem import AssignmentProblem
from randsupervise.errors import Problem, ValidationError

__all__ = ["ALGORITHM", "ALGORITHM_VERSION", "ALGORITHM_VERSIONS", "RECEIPT_VERSIONS"]

ALGORITHM = "randsupervise-assign"
#: The assignment algorithm this release writes. Version 2 staffs a joint visit per
#: department (:class:`~randsupervise.assign.requests.JointRule`); version 1 knew only one
#: team with one officer of each department, and recomputing its receipts refuses joint
#: visits staffed per department.
ALGORITHM_VERSION = 2
ALGORITHM_VERSIONS = (1, 2)
#: Receipt versions this release writes (the last) and verifies: version 1 records the
#: seed's hex only and has no digest of its own; version 2 is the common receipt design.
RECEIPT_VERSIONS = (1, 2)


def check_versions(
    problem: AssignmentProblem, receipt_version: int, algorithm_version: int
) -> None:
    """Refuse an unknown receipt or algorithm version, and per-department joint visits
    under algorithm version 1."""
    for field, value, known in (
        ("receipt_version", receipt_version, RECEIPT_VERSIONS),
        ("algorithm_version", algorithm_version, ALGORITHM_VERSIONS),
    ):
        if value not in known:
            raise ValidationError([Problem(field=field, message=f"one of {list(known)}")])
    if algorithm_version == 1:
        bad = [
            Problem(
                id=v.id,
                field="joint_rule",
                message="assignment algorithm version 1 staffs a joint visit only as one "
                "team with one officer of each department (joint_rule='one_per_department')",
            )
            for v in problem.visits
            if v.per_department
        ]
        if bad:
            raise ValidationError(bad, what="assignment problem")
