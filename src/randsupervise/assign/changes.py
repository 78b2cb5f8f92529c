"""Changes to an assignment after the draw: replacement (补抽) and cancellation.

Invariants:

* **Replacement** (补抽, no national rule: log it, touch nothing else): only the teams that
  contained an inspector who became unavailable change; all other teams stay identical.
* **Cancellation** drops visits whose target is gone before inspection, for a
  :class:`CancelReason` (the registration status codes); no other team changes. A target
  unreachable at its registered address is not gone: that is a result of the check
  (``ResultCode.UNREACHABLE``), published, not a cancellation.
* Each change appends one receipt holding the digest of the previous one; the teams are
  re-checked against every lawfulness rule before they are returned.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence

import attrs

from randsupervise.assign.lawful import _checked
from randsupervise.assign.phases import Draw, Keep
from randsupervise.assign.receipt import _receipt
from randsupervise.assign.requests import VisitRequest
from randsupervise.assign.solve import _solve
from randsupervise.assign.team import Assignment, Team
from randsupervise.errors import InfeasibleAssignment, Problem, UnknownIdError, ValidationError

__all__ = ["CancelReason", "cancel", "replace"]


class CancelReason(str, enum.Enum):
    """Why a visit is cancelled before inspection: its target is gone (deregistered,
    licence revoked, moved out of the area), as the registration status codes say.

    Examples:
        >>> CancelReason("deregistered") is CancelReason.DEREGISTERED
        True
    """

    DEREGISTERED = "deregistered"
    REVOKED = "revoked"
    MOVED_OUT = "moved_out"


def _restaff(
    visits: Sequence[VisitRequest],
    affected: Sequence[Team],
    gone: set[str],
    used: tuple[Mapping[str, int], Mapping[tuple[str, str], int]],
    draw: Draw,
) -> tuple[list[Team], bool, set[str]]:
    """New teams for the ``affected`` visits of a replacement: (teams, exact fallback used,
    ids of the visits whose team was drawn anew).

    Every team first keeps its remaining members. When that is impossible, the exact check
    names the visits it cannot staff; only their teams are drawn anew, and the others try
    again to keep theirs. If the check names no team still keeping members (the conflict
    lies elsewhere), every affected team is drawn anew as a last attempt, so this fails
    only where drawing all of them anew fails too.
    """
    redrawn: set[str] = set()
    while True:
        keep = [t for t in affected if t.visit not in redrawn]
        keep_o = {t.visit: tuple(m for m in t.officers if m not in gone) for t in keep}
        keep_e = {t.visit: tuple(m for m in t.experts if m not in gone) for t in keep}
        taken, per = dict(used[0]), dict(used[1])
        by_id = {v.id: v for v in visits}
        for t in keep:
            load, label = draw.problem.load_of(by_id[t.visit]), by_id[t.visit].period_label()
            for m in keep_o[t.visit] + keep_e[t.visit]:
                taken[m] = taken.get(m, 0) + load
                if label is not None:
                    per[m, label] = per.get((m, label), 0) + load
        try:
            new, _, fallback = _solve(draw, visits, Keep(keep_o, keep_e, taken, per))
        except InfeasibleAssignment as exc:
            named = set(getattr(exc.witness, "visits", ())) & {t.visit for t in keep}
            if named:
                redrawn |= named
            elif keep:
                redrawn = {t.visit for t in affected}
            else:
                raise
            continue
        return new, fallback, redrawn


def replace(assignment: Assignment, unavailable: Iterable[str]) -> Assignment:
    """补抽: replace inspectors who became unavailable; every other team stays as it was.

    The new members are drawn under the stream ``f"{stream}/replace/{k}"`` (``k`` = 1 for
    the first change after the draw, 2 for the next, ...). The remaining members of an
    affected team are kept when the rules allow it; otherwise the affected team is drawn
    anew (only that team: the other affected teams still keep theirs). The receipt chain
    grows by one receipt; its event says whether any team was drawn anew
    (``whole_teams_redrawn``).

    Raises:
        UnknownIdError: an id is not in the pool.
        InfeasibleAssignment: the affected teams cannot be restaffed without moving others.

    Examples:
        >>> from randsupervise.model.sample import sample_inspectors
        >>> from randsupervise.assign import assign
        >>> from randsupervise.tickets.seed import Seed
        >>> pool = sample_inspectors()
        >>> vs = [VisitRequest(id=f"V{i}", target=f"T{i}", region="东城镇",
        ...                    departments=["文化市场综合行政执法大队"]) for i in range(5)]
        >>> a = assign(vs, pool, seed=Seed.from_text("demo"), stream="doc")
        >>> gone = a.team("V0").officers[0]
        >>> b = replace(a, [gone])
        >>> gone in b.team("V0").officers
        False
        >>> [a.team(v.id) == b.team(v.id) for v in vs if gone not in a.team(v.id).members]
        [True, True, True, True]
    """
    gone = sorted(set(unavailable))
    problem = assignment.problem
    new_pool = problem.pool.with_availability(gone, False)
    new_problem = attrs.evolve(problem, pool=new_pool)
    k = len(assignment.receipts)
    stream = f"{assignment.stream}/replace/{k}"
    gset = set(gone)
    affected = [t for t in assignment.teams if gset & set(t.members)]
    aff_ids = {t.visit for t in affected}
    others = [t for t in assignment.teams if t.visit not in aff_ids]
    used = (assignment.loads(others), assignment.period_loads(others))
    visits = [v for v in new_problem.visits if v.id in aff_ids]
    draw = Draw(new_problem, assignment.seed, stream)
    new, fallback, redrawn = _restaff(visits, affected, gset, used, draw)
    whole = bool(redrawn)
    # a leader still on the team stays leader; another is drawn only for a leader who left
    kept = {t.visit: t.leader for t in affected if t.leader is not None and t.leader not in gset}
    new = [
        attrs.evolve(t, leader=kept[t.visit])
        if t.visit in kept and kept[t.visit] in t.officers
        else t
        for t in new
    ]
    by_id = {t.visit: t for t in new}
    teams = tuple(by_id.get(t.visit, t) for t in assignment.teams)
    _checked(new_problem, teams)
    event = {"kind": "replace", "unavailable": gone, "stream": stream, "whole_teams_redrawn": whole}
    receipt = _receipt(
        new_problem, assignment.seed, assignment.stream, teams, event, assignment.receipt,
        fallback, version=assignment.version, algorithm_version=assignment.algorithm_version,
    )  # fmt: skip
    return attrs.evolve(
        assignment, teams=teams, problem=new_problem, receipts=(*assignment.receipts, receipt)
    )


def cancel(assignment: Assignment, visit_ids: Iterable[str], reason: CancelReason) -> Assignment:
    """Drop visits whose target is gone before inspection; no other team changes.

    ``reason`` is a :class:`CancelReason` (or its value); the receipt records its value.

    Raises:
        UnknownIdError: a visit id is not in the assignment.
        ValidationError: ``reason`` is not a :class:`CancelReason`.

    Examples:
        >>> from randsupervise.model.sample import sample_inspectors
        >>> from randsupervise.assign import assign
        >>> from randsupervise.tickets.seed import Seed
        >>> vs = [VisitRequest(id=f"V{i}", target=f"T{i}", region="东城镇",
        ...                    departments=["文化市场综合行政执法大队"]) for i in range(3)]
        >>> a = assign(vs, sample_inspectors(), seed=Seed.from_text("demo"), stream="doc")
        >>> b = cancel(a, ["V1"], CancelReason.DEREGISTERED)
        >>> [t.visit for t in b.teams], b.team("V2") == a.team("V2")
        (['V0', 'V2'], True)
        >>> b.receipt["event"]["reason"]
        'deregistered'
    """
    known = [r.value for r in CancelReason]
    if not isinstance(reason, str) or reason not in known:
        raise ValidationError(
            [Problem(field="reason", message=f"one of {known} (CancelReason), got {reason!r}")]
        )
    return _cancel_recorded(assignment, visit_ids, CancelReason(reason).value)


def _cancel_recorded(assignment: Assignment, visit_ids: Iterable[str], reason: str) -> Assignment:
    """:func:`cancel` recording ``reason`` as given: also the free text that receipts
    written by earlier releases hold, so that they are recomputed as they were."""
    drop = set(visit_ids)
    known = {t.visit for t in assignment.teams}
    unknown = sorted(drop - known)
    if unknown:
        raise UnknownIdError(unknown, where="assignment")
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError([Problem(field="reason", message="give the reason for cancelling")])
    problem = attrs.evolve(
        assignment.problem, visits=[v for v in assignment.problem.visits if v.id not in drop]
    )
    teams = tuple(t for t in assignment.teams if t.visit not in drop)
    event = {"kind": "cancel", "visits": sorted(drop), "reason": reason}
    receipt = _receipt(
        problem, assignment.seed, assignment.stream, teams, event, assignment.receipt, False,
        version=assignment.version, algorithm_version=assignment.algorithm_version,
    )  # fmt: skip
    return attrs.evolve(
        assignment, teams=teams, problem=problem, receipts=(*assignment.receipts, receipt)
    )
