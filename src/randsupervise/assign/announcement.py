"""The announcement of an inspector assignment (随机选派检查人员), published before its seed.

Invariants (``docs/spec/announcement.md``; the announcement itself is
:mod:`randsupervise.draw.announcement`):

* :func:`announce_assignment` writes the assignment receipt version, the stream label and
  the digests of every input (visits, inspector pool, conflicts, rotation, load limits,
  region rule) as the receipt will record them (``AssignmentProblem.digests``), with the
  seed rule.
* :func:`check_assignment_announcement` checks the original receipt of a chain against
  it: the same version, stream and inputs, and a seed made by the announced rule.
  ``assign.verify(..., announcement=...)`` runs it along with the recomputation.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any

from randsupervise._core.report import Difference, diff_trees
from randsupervise.assign.assignment import RECEIPT_VERSIONS, AssignmentProblem, Pair
from randsupervise.assign.requests import RegionRule, VisitRequest
from randsupervise.draw.announcement import (
    Announcement,
    Reveal,
    SeedRule,
    announcement_differences,
    seed_rule_differences,
)
from randsupervise.model.inspectors import InspectorPool

__all__ = ["announce_assignment", "check_assignment_announcement"]


def announce_assignment(
    visits: Iterable[VisitRequest],
    pool: InspectorPool,
    *,
    stream: str,
    seed_rule: SeedRule,
    date: _dt.date | str,
    conflicts: Iterable[Pair] = (),
    rotation: Iterable[Pair] = (),
    load_limits: int | Mapping[str, int] | None = None,
    region_rule: RegionRule | None = None,
    certificates_valid_until: Mapping[str, _dt.date] | None = None,
    unavailable_days: Iterable[tuple[str, _dt.date]] = (),
    apart: Iterable[Pair] = (),
) -> Announcement:
    """The announcement of one assignment: its inputs and stream, and the seed rule (the
    inputs as :func:`~randsupervise.assign.assign` takes them).

    Raises:
        ValidationError: bad inputs or seed rule, or the seed dated on or before ``date``.
    """
    problem = AssignmentProblem(
        visits=visits,
        pool=pool,
        conflicts=conflicts,
        rotation=rotation,
        load_limits=load_limits,
        region_rule=region_rule,
        certificates_valid_until=certificates_valid_until,
        unavailable_days=unavailable_days,
        apart=apart,
    )
    subject = {"version": RECEIPT_VERSIONS[-1], "stream": stream, "inputs": problem.digests()}
    return Announcement.make(kind="assignment", date=date, subject=subject, seed_rule=seed_rule)


def check_assignment_announcement(
    receipt: Mapping[str, Any],
    announcement: Announcement,
    *,
    reveals: Iterable[Reveal | Mapping[str, Any]] | None = None,
) -> tuple[list[Difference], list[str]]:
    """Differences (paths within the original receipt) and notes of an assignment's
    original receipt against its announcement."""
    diffs = announcement_differences(announcement, "assignment")
    if announcement.kind == "assignment":
        subject = announcement.subject
        for key in ("version", "stream"):
            if receipt.get(key) != subject[key]:
                diffs.append(
                    Difference(
                        path=key,
                        message=f"not the announced {key}: receipt {receipt.get(key)!r}, "
                        f"announced {subject[key]!r}",
                        receipt=receipt.get(key),
                        recomputed=subject[key],
                    )
                )
        for d in diff_trees(receipt.get("inputs"), subject["inputs"], "inputs"):
            diffs.append(
                Difference(
                    path=d.path,
                    message="not the announced input",
                    receipt=d.receipt,
                    recomputed=d.recomputed,
                )
            )
    sd, notes = seed_rule_differences(
        str(receipt["seed"]), str(receipt.get("seed_source", "")), announcement.seed_rule, reveals
    )
    return diffs + sd, notes
