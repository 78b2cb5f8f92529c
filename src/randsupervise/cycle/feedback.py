"""Feedback: the year's results move next year's risk classes (seed §三(七)).

Invariants:

* The rules are the table :data:`FEEDBACK_RULES` (rules as data), applied to each
  target's **published** results of the year, in this order:

  1. ``problem-found``: any published result records a problem
     (``InspectionResult.problem_found``) → the class goes **up one** (towards D) and the
     clean streak restarts at 0;
  2. ``clean-streak``: otherwise each clean published result adds one to the target's
     streak of clean inspections (carried over from earlier years); when it reaches
     ``clean_threshold`` (default 2) the class goes **down one** (towards A) and the
     streak restarts.
  3. ``status``: a result with a registration-status code, or a cancellation because
     the target is gone, sets the target's status (it then drops out of next year's
     eligible populations).

* Classes stay within A..D; a move that would leave the range is not made. The weight
  (risk score) is multiplied by ``weight_factor`` per step up and divided by it per step
  down (default 2, the doubling between classes of the sample register).
* Unpublished results move nothing: they do not count as done (seed §三(六)).
* The new register comes from ``TargetRegistry.apply``, so the change log and
  ``diff`` show exactly what moved; every move is explained per target.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from randsupervise.cycle._display import html_table, text_table
from randsupervise.cycle.lifecycle import CancelReason, YearState
from randsupervise.model import RiskClass, TargetRegistry, UpdateTarget
from randsupervise.model.results import ResultCode

__all__ = ["FEEDBACK_RULES", "Feedback", "FeedbackRule", "TargetMove", "feedback"]


@attrs.frozen(kw_only=True)
class FeedbackRule:
    """One rule of the feedback table."""

    name: str
    step: int
    description: str
    source: str


#: The feedback rules, in the order they are tried.
FEEDBACK_RULES: tuple[FeedbackRule, ...] = (
    FeedbackRule(
        name="problem-found",
        step=+1,
        description="a published result records a problem: one class up",
        source="seed §三(七): results feed credit-risk classification",
    ),
    FeedbackRule(
        name="clean-streak",
        step=-1,
        description="clean_threshold clean published inspections in a row: one class down",
        source="seed §二 无事不扰; BRIEF: ratios differ per credit class",
    ),
    FeedbackRule(
        name="status",
        step=0,
        description="a registration-status result or a cancellation for a gone "
        "target sets the status",
        source="seed §三(三) 两库动态管理",
    ),
)

_STATUS_OF_CODE = {
    ResultCode.DEREGISTERED: "deregistered",
    ResultCode.REVOKED: "revoked",
    ResultCode.CANCELLED: "deregistered",
    ResultCode.MOVED_OUT: "moved_out",
    ResultCode.SUSPENDED: "suspended",
    ResultCode.CLOSED: "deregistered",
}
_STATUS_OF_CANCEL = {
    CancelReason.DEREGISTERED: "deregistered",
    CancelReason.REVOKED: "revoked",
    CancelReason.MOVED_OUT: "moved_out",
    CancelReason.UNREACHABLE: "unreachable",
}


@attrs.frozen(kw_only=True)
class TargetMove:
    """Why one target changed: rule, before and after, the visits behind it."""

    target: str
    rule: str
    from_class: str
    to_class: str
    from_weight: float
    to_weight: float
    status: str | None
    visits: tuple[str, ...]
    reason: str


@attrs.frozen(kw_only=True)
class Feedback:
    """Next year's register, the change log, the explained moves and the clean streaks."""

    registry: TargetRegistry = attrs.field(repr=False)
    changes: tuple[Any, ...] = attrs.field(repr=False)
    moves: tuple[TargetMove, ...] = attrs.field(repr=False)
    clean_streaks: Mapping[str, int] = attrs.field(repr=False)

    def counts(self) -> dict[str, int]:
        """Moves per rule."""
        out = {r.name: 0 for r in FEEDBACK_RULES}
        for m in self.moves:
            out[m.rule] += 1
        return out

    def explain(self, target_id: str) -> str:
        """Why ``target_id`` moved (or that it did not)."""
        found = [m.reason for m in self.moves if m.target == target_id]
        return "; ".join(found) if found else f"{target_id}: no change"

    def to_records(self) -> list[dict[str, Any]]:
        """One row per moved target, for ``pandas.DataFrame(feedback.to_records())``."""
        return [attrs.asdict(m) | {"visits": ",".join(m.visits)} for m in self.moves]

    def _columns(self) -> dict[str, list[Any]]:
        rows = self.to_records()
        keys = ["target", "rule", "from_class", "to_class", "status", "visits"]
        return {k: [r[k] for r in rows] for k in keys}

    def __repr__(self) -> str:
        head = "Feedback(" + ", ".join(f"{k}={v}" for k, v in self.counts().items()) + ")"
        return head + "\n" + text_table(self._columns(), max_rows=10, indent="  ")

    def _repr_html_(self) -> str:
        return html_table(repr(self).split("\n")[0], self._columns())


def feedback(
    registry: TargetRegistry,
    state: YearState,
    *,
    clean_streaks: Mapping[str, int] | None = None,
    clean_threshold: int = 2,
    weight_factor: float = 2.0,
) -> Feedback:
    """Apply :data:`FEEDBACK_RULES` to the year's published results.

    Args:
        registry: This year's register.
        state: The year's visits.
        clean_streaks: Clean inspections in a row per target carried from earlier years.
        clean_threshold: Clean inspections in a row that lower the class one step.
        weight_factor: Weight multiplier per step up (divider per step down).

    Returns:
        :class:`Feedback` with the new register (``registry.apply``), the change log, the
        moves explained per target, and the updated clean streaks.
    """
    streaks = dict(clean_streaks or {})
    by_target: dict[str, list[Any]] = {}
    for r in state:
        by_target.setdefault(r.visit.target_id, []).append(r)
    moves: list[TargetMove] = []
    changes: list[UpdateTarget] = []
    for tid in sorted(by_target):
        if tid not in registry:
            continue
        recs = sorted(by_target[tid], key=lambda r: (str(r.published_on), r.id))
        t = registry[tid]
        published = [r for r in recs if r.complete and r.result is not None]
        status = None
        status_from: list[str] = []
        for r in recs:
            if r.cancel_reason is not None:
                status, status_from = _STATUS_OF_CANCEL[r.cancel_reason], [r.id]
            if r.complete and r.result is not None:
                for c in r.result.codes:
                    if c in _STATUS_OF_CODE:
                        status, status_from = _STATUS_OF_CODE[c], [r.id]
        step, rule, why, vids = 0, "", "", [r.id for r in published]
        problems = [r for r in published if r.result.problem_found]
        if problems:
            streaks[tid] = 0
            step, rule = +1, "problem-found"
            codes = sorted({c.value for r in problems for c in r.result.codes})
            why = f"problem found ({', '.join(codes)})"
            vids = [r.id for r in problems]
        elif published:
            clean = [r for r in published if not r.result.target_gone]
            streaks[tid] = streaks.get(tid, 0) + len(clean)
            if clean and streaks[tid] >= clean_threshold:
                step, rule = -1, "clean-streak"
                why = f"{streaks[tid]} clean inspections in a row"
                streaks[tid] = 0
        new_class = min(3, max(0, int(t.risk_class) + step))
        if new_class == int(t.risk_class):
            step = 0
        fields: dict[str, Any] = {}
        weight = t.weight
        if step:
            weight = t.weight * (weight_factor if step > 0 else 1.0 / weight_factor)
            fields.update(risk_class=RiskClass(new_class).name, weight=weight)
        if status is not None and status != t.status:
            fields["status"] = status
            if not step:
                rule, why, vids = "status", f"status {t.status} -> {status}", status_from
        if not fields:
            continue
        to_class = RiskClass(new_class).name if step else t.risk_class.name
        reason = f"{tid}: {t.risk_class.name} -> {to_class} by rule {rule}: {why}"
        if "status" in fields and rule != "status":
            reason += f"; status {t.status} -> {status}"
        changes.append(UpdateTarget(id=tid, fields=fields, reason=reason))
        moves.append(
            TargetMove(
                target=tid,
                rule=rule,
                from_class=t.risk_class.name,
                to_class=to_class,
                from_weight=t.weight,
                to_weight=weight,
                status=fields.get("status"),
                visits=tuple(vids),
                reason=reason,
            )
        )
    new_registry, log = registry.apply(changes)
    return Feedback(registry=new_registry, changes=log, moves=tuple(moves), clean_streaks=streaks)
