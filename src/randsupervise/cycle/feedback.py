"""Feedback: the year's results move next year's risk classes (plan §三(七)).

Invariants:

* What each result code does is the table :data:`CODE_EFFECTS` (rules as data), each
  row citing its source; the rules that read it are :data:`FEEDBACK_RULES`, applied to
  each target's **published** results of the year, in this order:

  1. ``problem-found``: the distinct codes of the year's published results that record a
     problem each add their ``step`` (a minor finding 1, a grave one 2), so the class
     goes up by the sum (towards D), and the clean streak restarts at 0;
  2. ``clean-streak``: otherwise each clean published result (``NO_PROBLEM`` only) adds
     one to the target's streak of clean inspections (carried over from earlier years);
     when it reaches ``clean_threshold`` (default 2) the class goes **down one** (towards
     A) and the streak restarts. A result that says nothing about the activity
     ("activity not found", suspended, closed) is not clean: the streak stays;
  3. ``status``: a result with a registration-status code that ends the registration
     (deregistered, revoked, cancelled, moved out), or a cancellation because the target
     is gone, sets the target's status (it then drops out of next year's eligible
     populations). Suspension (歇业) and closure pending liquidation do not end the
     registration, so they leave the status alone and the target stays drawable;
  4. ``imported``: when the regulator's own classification is given (``classes``), it
     replaces the stepped class of every target it lists.

* Classes stay within A..D; a move is cut at the end of the range. The weight (risk
  score) is multiplied by ``weight_factor`` per step up and divided by it per step down
  (default 2, the doubling between classes of the sample register).
* Unpublished results move nothing: they do not count as done (plan §三(六)).
* Targets with a published result that is a ground for the list of abnormal operations
  (企业经营异常名录管理暂行办法 art. 4) are listed in :attr:`Feedback.abnormal_list`.
* The new register comes from ``TargetRegistry.apply``, so the change log and
  ``diff`` show exactly what moved; every move is explained per target.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import compress
from typing import Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.display import columns, html_table, table_repr
from randsupervise._core.validation import describe
from randsupervise.cycle.feedback_rules import (
    _BIT,
    _STATUS_OF_CANCEL,
    _STATUS_OF_CODE,
    CODE_EFFECTS,
    FEEDBACK_RULES,
    CodeEffect,
    FeedbackRule,
)
from randsupervise.cycle.lifecycle import YearState
from randsupervise.cycle.transitions import VisitState
from randsupervise.errors import Problem, UnknownIdError, ValidationError
from randsupervise.model import RiskClass, TargetRegistry, UpdateTarget
from randsupervise.model.results import InspectionResult, ResultCode

__all__ = [
    "CODE_EFFECTS",
    "FEEDBACK_RULES",
    "CodeEffect",
    "Feedback",
    "FeedbackRule",
    "TargetMove",
    "feedback",
]


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


#: The columns a repr shows.
_REPR_KEYS = ("target", "rule", "from_class", "to_class", "status", "visits")


@attrs.frozen(kw_only=True)
class Feedback:
    """Next year's register, the change log, the explained moves and the clean streaks."""

    registry: TargetRegistry = attrs.field(repr=False)
    changes: tuple[Any, ...] = attrs.field(repr=False)
    moves: tuple[TargetMove, ...] = attrs.field(repr=False)
    clean_streaks: Mapping[str, int] = attrs.field(repr=False)
    #: targets with a published result that is a ground for the list of abnormal
    #: operations (企业经营异常名录管理暂行办法 art. 4), sorted; they stay drawable
    abnormal_list: tuple[str, ...] = attrs.field(default=(), repr=False)

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

    def __repr__(self) -> str:
        head = "Feedback(" + ", ".join(f"{k}={v}" for k, v in self.counts().items()) + ")"
        return table_repr(head, self.to_records(), _REPR_KEYS)

    def _repr_html_(self) -> str:
        return html_table(repr(self).split("\n")[0], columns(self.to_records(), _REPR_KEYS))


def feedback(
    registry: TargetRegistry,
    state: YearState,
    *,
    clean_streaks: Mapping[str, int] | None = None,
    clean_threshold: int = 2,
    weight_factor: float = 2.0,
    classes: Mapping[str, str | RiskClass] | None = None,
) -> Feedback:
    """Apply :data:`FEEDBACK_RULES` to the year's published results.

    The rules run over the year's columns at once (architecture principle 7): counts per
    target by ``np.bincount``, the codes found per target as a bit mask, the status
    source as the last qualifying record per target; Python runs once per distinct
    result value and once per moved target (to write its explanation).

    Args:
        registry: This year's register.
        state: The year's visits.
        clean_streaks: Clean inspections in a row per target carried from earlier years.
        clean_threshold: Clean inspections in a row that lower the class one step.
        weight_factor: Weight multiplier per step up (divider per step down).
        classes: The regulator's own classification (target id → class ``"A"``-``"D"``);
            it replaces the stepped class of every target it lists (rule ``imported``).

    Returns:
        :class:`Feedback` with the new register (``registry.apply``), the change log, the
        moves explained per target, the updated clean streaks and the targets for the
        list of abnormal operations.

    Examples:
        >>> from randsupervise.cycle.sample import sample_year
        >>> year = sample_year()
        >>> fb = feedback(year.registry, year.state)
        >>> fb.counts()["problem-found"] > 0, fb.registry is not year.registry
        (True, True)
    """
    imported = _imported(registry, classes)
    streaks = dict(clean_streaks or {})
    if state.column("target").size == 0:
        only, upd_only = _import_moves(registry, imported, [], [], weight_factor)
        new_registry, log = registry.apply(upd_only)
        return Feedback(
            registry=new_registry, changes=log, moves=tuple(only), clean_streaks=streaks
        )
    r = _records(registry, state)
    t = _tally(r)
    step, reached = _steps(r, t, streaks, clean_threshold)
    abnormal_bits = sum(_BIT[c] for c in ResultCode if c.abnormal_list)
    abnormal = tuple(compress(r.tids.tolist(), ((t.found & abnormal_bits) != 0).tolist()))
    moves, changes = _target_moves(registry, r, t, step, reached, weight_factor)
    moves, changes = _import_moves(registry, imported, moves, changes, weight_factor)
    new_registry, log = registry.apply(changes)
    return Feedback(
        registry=new_registry,
        changes=log,
        moves=tuple(moves),
        clean_streaks=streaks,
        abnormal_list=abnormal,
    )


_Ints: TypeAlias = "npt.NDArray[np.int64]"
_Bools: TypeAlias = "npt.NDArray[np.bool_]"


@attrs.define(kw_only=True)
class _Records:
    """The year's records of targets the register holds, one entry per visit, grouped by
    target and within it in (publication day, visit id) order; unpublished last."""

    tids: npt.NDArray[np.str_]  # the targets, in id order
    pos: _Ints  # their register rows
    vids: npt.NDArray[np.str_]
    group: _Ints  # each record's target, a position in ``tids``
    published: _Bools
    prob: _Bools  # a published problem found
    clean: _Bools  # a published clean result
    status: _Ints  # the status a record sets, a position in ``status_names``; -1 none
    mask: _Ints  # the codes found, as bits
    order: _Ints  # where each record came from in ``results``
    results: npt.NDArray[np.object_]
    status_names: list[str]


def _records(registry: TargetRegistry, state: YearState) -> _Records:
    """Each record's part in the rules, as columns (architecture principle 7)."""
    tids, tcode = np.unique(state.column("target"), return_inverse=True)
    tcode = tcode.reshape(-1)
    try:
        pos = registry.index_of(tids.tolist())
        known = np.ones(tids.size, dtype=bool)
    except UnknownIdError as err:
        known = ~np.isin(tids, np.asarray(err.ids, dtype=str))
        pos = registry.index_of(tids[known].tolist()) if known.any() else np.zeros(0, np.int64)
    keep = known[tcode]
    vids = state.column("visit")[keep]
    group = (np.cumsum(known) - 1)[tcode[keep]]
    pub_on = state.column("published_on")[keep]
    results = state.column("result")[keep]
    props, res_of = _result_props(results)
    published = (state.state_codes()[keep] == _PUBLISHED) & (res_of >= 0)
    status_names = sorted({*_STATUS_OF_CODE.values(), *_STATUS_OF_CANCEL.values()})
    rec_status = np.full(vids.size, -1, dtype=np.int64)
    cancel = state.column("cancel_reason")[keep]
    for why_cancel, name in _STATUS_OF_CANCEL.items():
        rec_status[cancel == why_cancel.value] = status_names.index(name)
    # index -1 (no result) reads the sentinel at the end of each per-result array
    by_result = np.asarray(
        [*(-1 if n is None else status_names.index(n) for n in props["status"]), -1],
        dtype=np.int64,
    )[res_of]
    rec_status = np.where(published & (by_result >= 0), by_result, rec_status)
    day = pub_on.astype(np.int64)
    day[np.isnat(pub_on)] = np.iinfo(np.int64).max
    order = np.lexsort((vids, day, group))
    return _Records(
        tids=tids[known],
        pos=pos,
        vids=vids[order],
        group=group[order],
        published=published[order],
        prob=(published & props["problem"][res_of])[order],
        clean=(published & props["clean"][res_of])[order],
        status=rec_status[order],
        mask=np.where(published, props["mask"][res_of], 0)[order],
        order=order,
        results=results,
        status_names=status_names,
    )


@attrs.define(kw_only=True)
class _Tally:
    """Per target: problems found, published and clean records, the codes found (bits)
    and its last record that sets a status (-1: none)."""

    n_prob: _Ints
    n_pub: _Ints
    n_clean: _Ints
    found: _Ints
    status_at: _Ints


def _tally(r: _Records) -> _Tally:
    n_t = r.tids.size
    found = np.zeros(n_t, dtype=np.int64)
    np.bitwise_or.at(found, r.group, r.mask)
    status_at = np.full(n_t, -1, dtype=np.int64)
    has = np.flatnonzero(r.status >= 0)
    np.maximum.at(status_at, r.group[has], has)
    return _Tally(
        n_prob=np.bincount(r.group, weights=r.prob, minlength=n_t).astype(np.int64),
        n_pub=np.bincount(r.group, weights=r.published, minlength=n_t).astype(np.int64),
        n_clean=np.bincount(r.group, weights=r.clean, minlength=n_t).astype(np.int64),
        found=found,
        status_at=status_at,
    )


def _steps(
    r: _Records, t: _Tally, streaks: dict[str, int], clean_threshold: int
) -> tuple[_Ints, _Ints]:
    """Each target's class step (rule 1 before rule 2) and the clean streak that
    triggered rule 2; ``streaks`` is updated in place."""
    # rule 1 (problem found: the sum of the distinct codes' steps) before rule 2
    step = np.zeros(r.tids.size, dtype=np.int64)
    for code, effect in CODE_EFFECTS.items():
        if effect.step:
            step += effect.step * ((t.found & _BIT[code]) != 0)
    step = np.where(t.n_prob > 0, step, 0)
    upd = t.n_pub > 0
    tid_list = r.tids.tolist()
    old = np.fromiter(
        (streaks.get(x, 0) for x in compress(tid_list, upd.tolist())), np.int64, int(upd.sum())
    )
    streak = np.zeros(r.tids.size, dtype=np.int64)
    streak[upd] = old
    streak = np.where(t.n_prob > 0, 0, streak + t.n_clean)
    lower = (t.n_prob == 0) & (t.n_clean > 0) & (streak >= clean_threshold)
    step[lower] = -1
    reached = streak.copy()  # the streak that triggered rule 2, for its explanation
    streak[lower] = 0
    streaks.update(zip(compress(tid_list, upd.tolist()), streak[upd].tolist(), strict=True))
    return step, reached


def _target_moves(
    registry: TargetRegistry,
    r: _Records,
    t: _Tally,
    step: _Ints,
    reached: _Ints,
    weight_factor: float,
) -> tuple[list[TargetMove], list[UpdateTarget]]:
    """The moves, cut at the ends of A..D; weights follow the steps made."""
    cls = registry.risk_codes[r.pos].astype(np.int64)
    new_cls = np.clip(cls + step, 0, len(RiskClass) - 1)
    step = new_cls - cls
    w = registry.weights[r.pos]
    new_w = w * np.power(float(weight_factor), step.astype(np.float64))
    new_w = np.where(step == 0, w, new_w)
    cur_status = registry.column("status")[r.pos]
    status_of = np.where(t.status_at >= 0, r.status[np.maximum(t.status_at, 0)], -1)
    new_status = np.asarray([*r.status_names, ""], dtype=str)[status_of]
    status_moves = (status_of >= 0) & (new_status != cur_status)
    starts = np.searchsorted(r.group, np.arange(r.tids.size + 1))
    moves: list[TargetMove] = []
    changes: list[UpdateTarget] = []
    for k in np.flatnonzero((step != 0) | status_moves).tolist():
        s = int(step[k])
        fields: dict[str, Any] = {}
        if s:
            fields.update(risk_class=RiskClass(int(new_cls[k])).name, weight=float(new_w[k]))
        status = str(new_status[k]) if status_moves[k] else None
        rule, why, moved = _why(r, range(int(starts[k]), int(starts[k + 1])), s, int(reached[k]))
        if status is not None:
            fields["status"] = status
            if not s:
                rule, why = "status", f"status {cur_status[k]} -> {status}"
                moved = [str(r.vids[int(t.status_at[k])])]
        tid, from_c = str(r.tids[k]), RiskClass(int(cls[k])).name
        to_c = fields.get("risk_class", from_c)
        reason = f"{tid}: {from_c} -> {to_c} by rule {rule}: {why}"
        if status is not None and rule != "status":
            reason += f"; status {cur_status[k]} -> {status}"
        changes.append(UpdateTarget(id=tid, fields=fields, reason=reason))
        moves.append(
            TargetMove(
                target=tid,
                rule=rule,
                from_class=from_c,
                to_class=to_c,
                from_weight=float(w[k]),
                to_weight=float(new_w[k]) if s else float(w[k]),
                status=status,
                visits=tuple(moved),
                reason=reason,
            )
        )
    return moves, changes


def _why(r: _Records, recs: range, step: int, reached: int) -> tuple[str, str, list[str]]:
    """The rule that stepped a target's class, why, and the visits behind it."""
    if step > 0:
        found = [j for j in recs if r.prob[j]]
        codes = sorted({c.value for j in found for c in r.results[r.order[j]].codes})
        return (
            "problem-found",
            f"problem found ({', '.join(codes)})",
            [str(r.vids[j]) for j in found],
        )
    if step < 0:
        moved = [str(r.vids[j]) for j in recs if r.published[j]]
        return "clean-streak", f"{reached} clean inspections in a row", moved
    return "", "", []


def _imported(
    registry: TargetRegistry, classes: Mapping[str, str | RiskClass] | None
) -> dict[str, RiskClass]:
    """The regulator's classes, checked: every id in the register, every class A-D."""
    if classes is None:
        return {}
    if not isinstance(classes, Mapping):
        raise ValidationError(
            [
                Problem(
                    field="classes",
                    message=f"must map target ids to classes, got {describe(classes)}",
                )
            ],
            what="feedback",
        )
    out: dict[str, RiskClass] = {}
    problems: list[Problem] = []
    for tid, c in classes.items():
        try:
            out[tid] = RiskClass.parse(c)
        except (ValueError, TypeError):
            problems.append(
                Problem(id=describe(tid), field="classes", message=f"not a class: {describe(c)}")
            )
    unknown = [t for t in out if not isinstance(t, str) or t not in registry]
    problems += [Problem(id=describe(t), field="classes", message="not in the register")
                 for t in unknown]  # fmt: skip
    if problems:
        raise ValidationError(problems, what="feedback")
    return out


def _import_moves(
    registry: TargetRegistry,
    imported: Mapping[str, RiskClass],
    moves: list[TargetMove],
    changes: list[UpdateTarget],
    weight_factor: float,
) -> tuple[list[TargetMove], list[UpdateTarget]]:
    """The moves with the regulator's classes put in place of the stepped ones."""
    if not imported:
        return moves, changes
    by_id = {m.target: k for k, m in enumerate(moves)}
    for tid in sorted(imported):
        t = registry[tid]
        to = imported[tid]
        k = by_id.get(tid)
        stepped = t.risk_class.name if k is None else moves[k].to_class
        status = None if k is None else moves[k].status
        if to.name == stepped and k is None:
            continue
        steps = int(to) - int(t.risk_class)
        weight = float(t.weight * float(weight_factor) ** steps)
        reason = f"{tid}: {t.risk_class.name} -> {to.name} by rule imported: the regulator's class"
        if stepped != to.name:
            reason += f" (the rules gave {stepped})"
        if status is not None:
            reason += f"; status {t.status} -> {status}"
        fields: dict[str, Any] = {"risk_class": to.name, "weight": weight}
        if status is not None:
            fields["status"] = status
        move = TargetMove(
            target=tid,
            rule="imported",
            from_class=t.risk_class.name,
            to_class=to.name,
            from_weight=float(t.weight),
            to_weight=weight,
            status=status,
            visits=() if k is None else moves[k].visits,
            reason=reason,
        )
        change = UpdateTarget(id=tid, fields=fields, reason=reason)
        if k is None:
            moves.append(move)
            changes.append(change)
        else:
            moves[k], changes[k] = move, change
    return moves, changes


_PUBLISHED = tuple(VisitState).index(VisitState.PUBLISHED)
_IDENTITY = np.frompyfunc(id, 1, 1)


def _result_props(
    results: npt.NDArray[np.object_],
) -> tuple[dict[str, Any], npt.NDArray[np.int64]]:
    """Properties per distinct result and each record's result index (-1: no result).

    Results are told apart by identity first (records of one batch share one object),
    then by value, so the Python work runs once per distinct result.
    """
    ident = np.asarray(_IDENTITY(results), dtype=np.int64).reshape(-1)
    _, first, inv = np.unique(ident, return_index=True, return_inverse=True)
    props: dict[str, list[Any]] = {"problem": [], "clean": [], "status": [], "mask": []}
    code_of: list[int] = []
    seen: dict[InspectionResult, int] = {}
    for j in first.tolist():
        r = results[j]
        if r is None:
            code_of.append(-1)
            continue
        k = seen.setdefault(r, len(seen))
        code_of.append(k)
        if k == len(props["problem"]):
            props["problem"].append(any(CODE_EFFECTS[c].step > 0 for c in r.codes))
            props["clean"].append(all(CODE_EFFECTS[c].clean for c in r.codes))
            props["mask"].append(sum(_BIT[c] for c in r.codes))
            status = None
            for c in r.ordered_codes:  # as the per-record rule reads them
                if c in _STATUS_OF_CODE:
                    status = _STATUS_OF_CODE[c]
            props["status"].append(status)
    arrays = {
        "problem": np.asarray([*props["problem"], False], dtype=bool),
        "clean": np.asarray([*props["clean"], False], dtype=bool),
        "mask": np.asarray([*props["mask"], 0], dtype=np.int64),
        "status": props["status"],
    }
    res_of = np.asarray(code_of, dtype=np.int64).reshape(-1)[inv.reshape(-1)]
    return arrays, res_of
