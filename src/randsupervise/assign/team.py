"""Teams and the assignment: the result of :func:`~randsupervise.assign.assign`.

Invariants: a :class:`Team` lists its officers (the quota) and experts (on top) in id
order, with its per-department parts and leader when the visit has them; an
:class:`Assignment` keeps its teams sorted by visit id and its receipts deeply immutable,
the original receipt first and one more per replacement or cancellation.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from randsupervise._core.frozen import FrozenDict, FrozenList, freeze
from randsupervise.assign.problem import AssignmentProblem
from randsupervise.assign.versions import ALGORITHM_VERSION, RECEIPT_VERSIONS
from randsupervise.errors import UnknownIdError
from randsupervise.tickets.seed import Seed

__all__ = ["Assignment", "Team"]


def period_loads(problem: AssignmentProblem, teams: Iterable[Team]) -> dict[tuple[str, str], int]:
    """The load per (inspector id, period) of ``teams``' visits that have a period."""
    by_id = {v.id: v for v in problem.visits}
    out: dict[tuple[str, str], int] = {}
    for t in teams:
        v = by_id[t.visit]
        label = v.period_label()
        if label is not None:
            for m in t.members:
                out[m, label] = out.get((m, label), 0) + problem.load_of(v)
    return out


@attrs.frozen(kw_only=True)
class Team:
    """The team of one visit: certified officers (the quota) and experts on top.

    Examples:
        >>> t = Team(visit="V1", officers=("Z-01", "Z-03"), experts=("E-01",))
        >>> t.members
        ('Z-01', 'Z-03', 'E-01')
    """

    visit: str
    officers: tuple[str, ...]
    experts: tuple[str, ...] = ()
    #: Of a joint visit staffed per department: (department, its officers) in the
    #: visit's department order; empty otherwise.
    by_department: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: The officer who leads the check (主办/主查人), when the visit asked for one.
    leader: str | None = None

    @property
    def members(self) -> tuple[str, ...]:
        """Officers, then experts."""
        return self.officers + self.experts

    def to_record(self) -> dict[str, Any]:
        """Plain JSON-able form (``by_department`` only when the team has parts)."""
        out: dict[str, Any] = {
            "visit": self.visit,
            "officers": list(self.officers),
            "experts": list(self.experts),
        }
        if self.by_department:
            out["by_department"] = {d: list(m) for d, m in self.by_department}
        if self.leader is not None:
            out["leader"] = self.leader
        return out


_NONE = FrozenList()


def frozen_record(team: Team) -> FrozenDict:
    """``freeze(team.to_record())``, built frozen (the same keys in the same order)."""
    out: dict[str, Any] = {
        "visit": team.visit,
        "officers": FrozenList(team.officers),
        "experts": FrozenList(team.experts) if team.experts else _NONE,
    }
    if team.by_department:
        out["by_department"] = FrozenDict({d: FrozenList(m) for d, m in team.by_department})
    if team.leader is not None:
        out["leader"] = team.leader
    return FrozenDict(out)


def _frozen_receipts(receipts: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    return tuple(freeze(r) for r in receipts)


def _visit_of(team: Team) -> str:
    return team.visit


@attrs.frozen(kw_only=True)
class Assignment:
    """Teams for every visit, with the receipt chain that lets anyone recompute them.

    ``teams`` is sorted by visit id; ``receipts`` holds the original receipt first and
    one more per replacement or cancellation; ``receipt`` is the last one.
    """

    teams: tuple[Team, ...]
    problem: AssignmentProblem = attrs.field(repr=False, eq=False)
    seed: Seed = attrs.field(repr=False)
    stream: str
    receipts: tuple[Mapping[str, Any], ...] = attrs.field(
        repr=False, eq=False, converter=_frozen_receipts
    )
    version: int = attrs.field(default=RECEIPT_VERSIONS[-1], repr=False)
    algorithm_version: int = attrs.field(default=ALGORITHM_VERSION, repr=False)

    @property
    def receipt(self) -> Mapping[str, Any]:
        """The latest receipt."""
        return self.receipts[-1]

    def team(self, visit_id: str) -> Team:
        """The team of one visit; raises ``UnknownIdError``.

        ``teams`` is sorted by visit id, so this is a binary search, not a scan.
        """
        i = bisect.bisect_left(self.teams, visit_id, key=_visit_of)
        if i < len(self.teams) and self.teams[i].visit == visit_id:
            return self.teams[i]
        raise UnknownIdError([visit_id], where="assignment")

    def loads(self, teams: Iterable[Team] | None = None) -> dict[str, int]:
        """The load per inspector of the pool (0 for those not assigned), id order: the
        visits served, a joint visit counting ``problem.joint_load``
        (:meth:`AssignmentProblem.load_of`); over ``teams`` (default: every team)."""
        out = dict.fromkeys(self.problem.pool.ids, 0)
        weight = self.problem.load_of
        by_id = {v.id: v for v in self.problem.visits} if self.problem.joint_load != 1 else {}
        for t in self.teams if teams is None else teams:
            w = weight(by_id[t.visit]) if by_id else 1
            for m in t.members:
                out[m] += w
        return out

    def period_loads(self, teams: Iterable[Team] | None = None) -> dict[tuple[str, str], int]:
        """The load per (inspector id, period) (:meth:`VisitRequest.period_label`) of the
        visits with a period, as :meth:`loads` counts it; over ``teams`` (default: all)."""
        return period_loads(self.problem, self.teams if teams is None else teams)

    def __len__(self) -> int:
        return len(self.teams)

    def __repr__(self) -> str:
        sizes = sorted({len(t.officers) + len(t.experts) for t in self.teams})
        used = len({m for t in self.teams for m in (*t.officers, *t.experts)})
        size = f"{sizes[0]}-{sizes[-1]}" if len(sizes) > 1 else (str(sizes[0]) if sizes else "-")
        return (
            f"<Assignment stream {self.stream!r}: {len(self.teams)} visits, teams of {size}, "
            f"{used} inspectors used, {len(self.receipts)} receipt(s)>"
        )
