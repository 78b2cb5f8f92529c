"""The announcement of an inspector assignment (随机选派检查人员), published before its seed.

Invariants (``docs/spec/announcement.md``; the announcement itself is
:mod:`randsupervise.draw.announcement`):

* :func:`announce_assignment` writes the assignment receipt version, the stream label and
  the digests of every input of the
  :class:`~randsupervise.assign.assignment.AssignmentProblem` as the receipt will record
  them (``AssignmentProblem.digests``), with the seed rule.
* :func:`check_assignment_announcement` checks the original receipt of a chain against
  it: the same version, stream and inputs, and a seed made by the announced rule.
  ``assign.verify(problem, receipts, announcement=...)`` runs it along with the recomputation.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import Any

from randsupervise._core.report import Difference, diff_trees
from randsupervise.assign.assignment import RECEIPT_VERSIONS, AssignmentProblem
from randsupervise.draw.announcement import (
    Announcement,
    AnnouncementCheck,
    SeedRule,
    subject_value_differences,
)

__all__ = ["announce_assignment", "check_assignment_announcement"]


def announce_assignment(
    problem: AssignmentProblem, *, stream: str, seed_rule: SeedRule, date: _dt.date | str
) -> Announcement:
    """The announcement of one assignment: the digests of its problem's inputs, its stream
    and the seed rule.

    Raises:
        ValidationError: a bad seed rule, or the seed dated on or before ``date``.

    Examples:
        >>> from randsupervise.assign import VisitRequest
        >>> from randsupervise.model.sample import sample_inspectors
        >>> vs = [VisitRequest(id="V1", target="T1", region="东城镇",
        ...                    departments=["文化市场综合行政执法大队"])]
        >>> problem = AssignmentProblem(visits=vs, pool=sample_inspectors(), load_limits=3)
        >>> rule = SeedRule(method="text", source="dice, 2024-01-15", date="2024-01-15")
        >>> a = announce_assignment(problem, stream="2024/teams", seed_rule=rule,
        ...                         date="2024-01-05")
        >>> a.kind, a.subject["stream"], a.subject["inputs"] == problem.digests()
        ('assignment', '2024/teams', True)
    """
    subject = {"version": RECEIPT_VERSIONS[-1], "stream": stream, "inputs": problem.digests()}
    return Announcement.make(kind="assignment", date=date, subject=subject, seed_rule=seed_rule)


def _subject_differences(
    receipt: Mapping[str, Any], subject: Mapping[str, Any]
) -> list[Difference]:
    """The receipt's version, stream and input digests against the announced ones."""
    diffs = subject_value_differences(receipt, subject, ("version", "stream"))
    for d in diff_trees(receipt.get("inputs"), subject["inputs"], "inputs"):
        diffs.append(
            Difference(
                path=d.path,
                message="not the announced input",
                receipt=d.receipt,
                recomputed=d.recomputed,
            )
        )
    return diffs


#: ``check_assignment_announcement(receipt, announcement, *, reveals=None)``: the
#: differences (paths within the original receipt) and notes of an assignment's original
#: receipt against its announcement.
check_assignment_announcement = AnnouncementCheck("assignment", _subject_differences)
