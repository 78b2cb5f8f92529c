"""Rotation and recusal derived from records: who served where before, and firm groups.

Invariants, each with the rule it comes from:

* **Rotation from history.** An inspector who served on a target in one of the last
  ``periods`` earlier periods is not drawn for that target again, nor for any target of the
  same group (affiliated firms). County practice: different inspectors each round (BRIEF,
  "rotation"); the plan states ``periods``. The pairs are read from the earlier
  periods' assignments, never typed by hand.
* **Not the same pair twice.** Two inspectors who served together in one of the last
  ``periods`` periods are kept apart (:func:`pairs_served_together`), the "apart" rule of
  :class:`~randsupervise.assign.AssignmentProblem`.
* **Recusal by group** (回避, 行政处罚法 art. 43: an officer with an interest in the case
  recuses): a conflict with one firm of a group is a conflict with every firm of it
  (:func:`group_recusal`).

Each function returns pairs in the forms :func:`~randsupervise.assign.assign` already
enforces (``rotation``/``conflicts``: (inspector id, target id); ``apart``: two inspector
ids), so completeness, witnesses, receipts and verification cover them unchanged: a
receipt digests the derived pairs, and a verifier derives them again from the same
records.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from randsupervise.assign.problem import Pair
from randsupervise.assign.team import Assignment
from randsupervise.errors import Problem, ValidationError

__all__ = ["group_recusal", "pairs_served_together", "rotation_from"]


def _groups(groups: Mapping[str, str] | None) -> dict[str, tuple[str, ...]]:
    """Group id -> its targets (sorted), from target id -> group id."""
    if groups is None:
        return {}
    if not isinstance(groups, Mapping):
        raise ValidationError([Problem(field="groups", message="must map target id -> group id")])
    members: dict[str, list[str]] = {}
    bad = [t for t, g in groups.items() if not isinstance(t, str) or not isinstance(g, str)]
    if bad:
        raise ValidationError(
            [Problem(field="groups", message=f"target and group ids must be str: {bad[:3]!r}")]
        )
    for target, group in groups.items():
        members.setdefault(group, []).append(target)
    return {g: tuple(sorted(ts)) for g, ts in members.items()}


def _spread(pairs: Iterable[Pair], groups: Mapping[str, str] | None) -> frozenset[Pair]:
    """Each (inspector, target) pair widened to every target of the target's group."""
    members = _groups(groups)
    out: set[Pair] = set()
    for inspector, target in pairs:
        group = None if groups is None else groups.get(target)
        for other in members[group] if group is not None else (target,):
            out.add((inspector, other))
    return frozenset(out)


def _last(earlier: Sequence[Assignment], periods: int) -> Sequence[Assignment]:
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 0:
        raise ValidationError([Problem(field="periods", message="must be an int >= 0")])
    if isinstance(earlier, str | bytes) or not isinstance(earlier, Sequence):
        raise ValidationError(
            [Problem(field="earlier", message="must be a sequence of Assignments, oldest first")]
        )
    for k, a in enumerate(earlier):
        if not isinstance(a, Assignment):
            raise ValidationError(
                [Problem(row=k, field="earlier", message=f"not an Assignment: {type(a).__name__}")]
            )
    return earlier[len(earlier) - periods :] if periods else ()


def rotation_from(
    earlier: Sequence[Assignment], *, periods: int, groups: Mapping[str, str] | None = None
) -> frozenset[Pair]:
    """The (inspector, target) pairs of the last ``periods`` assignments, for ``rotation=``.

    Args:
        earlier: Earlier periods' assignments, oldest first (each team's members on its
            visit's target; experts included, since they too should not return).
        periods: How many of the latest periods count (the plan's "within N periods";
            0: none).
        groups: Target id -> group id (affiliated firms): a pair on one firm of a group
            covers every firm of it. Targets not named form a group of their own.

    Raises:
        ValidationError: ``periods`` is not an int >= 0, ``earlier`` is not a sequence of
            assignments, or ``groups`` is not a mapping of str to str.

    Examples:
        >>> from randsupervise.assign import VisitRequest, assign
        >>> from randsupervise.model.sample import sample_inspectors
        >>> pool = sample_inspectors()
        >>> v = VisitRequest(id="V1", target="F1", region="东城镇",
        ...                  departments=["文化市场综合行政执法大队"])
        >>> y2023 = assign([v], pool, seed="2023 public text", stream="2023/teams")
        >>> pairs = rotation_from([y2023], periods=1, groups={"F1": "G", "F2": "G"})
        >>> sorted({t for _, t in pairs}), len(pairs) == 2 * len(y2023.team("V1").members)
        (['F1', 'F2'], True)
        >>> y2024 = assign([v], pool, seed="2024 public text", stream="2024/teams",
        ...                rotation=pairs)
        >>> set(y2024.team("V1").members) & set(y2023.team("V1").members)
        set()
    """
    served = (
        (member, target)
        for a in _last(earlier, periods)
        for target_of in ({v.id: v.target for v in a.problem.visits},)
        for team in a.teams
        for member in team.members
        for target in (target_of[team.visit],)
    )
    return _spread(served, groups)


def pairs_served_together(earlier: Sequence[Assignment], *, periods: int) -> frozenset[Pair]:
    """Every two inspectors who served on one team in the last ``periods`` assignments,
    for ``apart=`` ("not the same pair twice in N periods").

    Examples:
        >>> from randsupervise.assign import VisitRequest, assign
        >>> from randsupervise.model.sample import sample_inspectors
        >>> v = VisitRequest(id="V1", target="F1", region="东城镇",
        ...                  departments=["文化市场综合行政执法大队"])
        >>> a = assign([v], sample_inspectors(), seed="2023 public text", stream="s")
        >>> pairs_served_together([a], periods=1) == {tuple(sorted(a.team("V1").members))}
        True
    """
    out: set[Pair] = set()
    for a in _last(earlier, periods):
        for team in a.teams:
            members = sorted(team.members)
            out.update((x, y) for i, x in enumerate(members) for y in members[i + 1 :])
    return frozenset(out)


def group_recusal(conflicts: Iterable[Pair], groups: Mapping[str, str] | None) -> frozenset[Pair]:
    """Conflict pairs widened to every firm of the conflicted firm's group, for
    ``conflicts=`` (回避 from a firm group: affiliated companies, a family's firms).

    Examples:
        >>> sorted(group_recusal([("Z-01", "F1")], {"F1": "G", "F2": "G", "F3": "H"}))
        [('Z-01', 'F1'), ('Z-01', 'F2')]
    """
    pairs = list(conflicts)
    bad = [k for k, p in enumerate(pairs) if not (isinstance(p, tuple) and len(p) == 2)]
    if bad:
        raise ValidationError(
            [Problem(row=k, field="conflicts", message="must be an (inspector, target) pair")
             for k in bad]
        )  # fmt: skip
    return _spread(pairs, groups)
