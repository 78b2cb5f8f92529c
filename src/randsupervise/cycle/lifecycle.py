"""The life of a visit: drawn → assigned → inspected → recorded → published, or cancelled.

This module holds :class:`YearState`, the year's visits. The lifecycle's other names
live in the modules that own them (and are exported once, by :mod:`randsupervise.cycle`):
the states, the transition table with each action's effect and the guards
(:mod:`randsupervise.cycle.transitions`), the events (:mod:`randsupervise.cycle.events`),
the deadlines (:mod:`randsupervise.cycle.deadlines`) and one visit's record
(:mod:`randsupervise.cycle.record`).

Invariants, each with the rule it comes from:

* The states and the moves between them are the table :data:`TRANSITIONS` (rules as
  data); anything not in it raises :class:`~randsupervise.errors.IllegalTransition`.
  The provincial platforms show three task states, to draw → drawn / in progress → done
  (BRIEF); :attr:`VisitState.platform_state` maps ours onto theirs.
* **Whoever inspects records and publishes** (谁检查、谁录入、谁公开): :class:`Record`,
  :class:`Publish` and :class:`FollowUp` name the acting officer (``by``), who must be
  on the visit's team; lateness is attributed to whoever held the step.
* Results are recorded **and published within 20 working days** of the inspection's
  completion (plan §三(六); 企业信息公示暂行条例 art. 6): one deadline,
  ``calendar.deadline(inspected_on, 20)`` (the completion day not counted), for both
  steps. A recording after it is ``late``, a publication after it ``publication_late``;
  each step is timed on its own, so a late publication is late even when the recording
  was on time.
* An inspection is carried out **within its batch window** (plan §三(五): tasks and
  batches with their timing). An inspection dated outside it is refused unless the event
  gives the reason (``outside_window``), which the record keeps and the metrics count.
  A visit whose window has ended without an inspection is *not carried out*.
* A result with the code ``FOLLOW_UP`` (发现问题待后续处理) is not final (plan §三(六)):
  :class:`Record` may set the correction deadline (``correct_by``); a later
  :class:`FollowUp` records the final result, which replaces the pending one (kept as
  ``pending``) and must be published again (``republished_on``).
* **Inspected but not published is not complete** (plan §三(六):
  "已实施检查但未进行公示的，视为未完成抽查检查"): only :attr:`VisitState.PUBLISHED` is
  complete.
* A result is an :class:`~randsupervise.model.results.InspectionResult`, a set of standard
  codes. The publication payload holds the inspection result only; later penalties are
  published under their own rules (plan §三(六)), so the payload has no field for them
  and leaves the free-text note out.
* A visit is cancelled **before** inspection only when its target is gone (deregistered,
  revoked, moved out). A target that cannot be contacted at its registered address is
  not gone: that is a result (``UNREACHABLE``, 通过登记的住所（经营场所）无法联系) that is
  recorded and published like any other and feeds the list of abnormal operations
  (企业经营异常名录管理暂行办法 art. 4); ``Cancel(reason="unreachable")`` is refused.
* Replacing an inspector (补抽) keeps the visit assigned with its new team, and is logged
  once: :meth:`YearState.replace_inspectors` restaffs the assignment and gives each
  visit still to inspect whose team changed one ``ReplaceTeam`` event, or changes
  nothing.
* Events carry their own dates (there is no clock); dates never go backwards. A date
  is a ``datetime.date``: a ``datetime`` (whose time of day would be cut off), an ISO
  string or anything else is refused when the event is built, as the calendar refuses
  datetimes (batch methods also take a ``datetime64[D]`` array).
* Values are immutable: every transition returns a new record, and a call that fails
  (an unknown visit id, an illegal move, a bad date) leaves the state and its
  arguments exactly as they were.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.display import columns, html_table, text_table
from randsupervise._core.validation import (
    as_column,
    check_int,
    check_one_of,
    date_problems,
    int_problems,
    is_text,
    text_problems,
    wrong_type,
)
from randsupervise.assign import Assignment, replace
from randsupervise.calendar import WorkCalendar
from randsupervise.cycle.deadlines import deadline_of, window_problem
from randsupervise.cycle.events import (
    _UNREACHABLE_IS_A_RESULT,
    Event,
    ReplaceTeam,
    _check_apply_args,
)
from randsupervise.cycle.record import VisitRecord
from randsupervise.cycle.rounds import apply_events
from randsupervise.cycle.run import PlanRun
from randsupervise.cycle.state import (
    _NAT,
    _RCODE,
    _SCODE,
    _STATES,
    _as_columns,
    _batch_moves,
    _Chunk,
    _Columns,
    _Dates,
    _dates,
    _day,
    _objects,
    _Static,
)
from randsupervise.cycle.transitions import Action, CancelReason, VisitState, by_problem
from randsupervise.cycle.visits import Visit
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.results import InspectionResult

__all__ = ["YearState"]


@attrs.frozen(kw_only=True)
class YearState:
    """Every visit of the year with its record; immutable, updated in batches.

    Build it with :meth:`start` (all visits drawn and assigned with the run's teams),
    then :meth:`apply` events, or use the batch methods :meth:`inspect_many`,
    :meth:`record_many`, :meth:`publish_many` and :meth:`cancel_many`, which move many
    visits at once with array operations. The state is held as columns (one array per
    field); ``state[visit_id]`` builds that visit's :class:`VisitRecord`, and
    :meth:`column` gives whole columns.

    Examples:
        >>> from datetime import date
        >>> from randsupervise.cycle.sample import sample_year
        >>> run, cal = sample_year().run, sample_year().calendar
        >>> state = YearState.start(run, date(2024, 2, 26))
        >>> ids = [v.id for v in run.visits[:3]]
        >>> state = state.inspect_many(ids, [date(2024, 4, 30)] * 3, cal)
        >>> state = state.record_many(ids, [date(2024, 5, 6)] * 3,
        ...                           InspectionResult(codes={"NO_PROBLEM"}))
        >>> state[ids[0]].state.value, state[ids[0]].deadline
        ('recorded', datetime.date(2024, 5, 30))
        >>> state.publish_many(ids[:1] + ids[:1], [date(2024, 5, 7)] * 2)
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: visit events: ... listed more than once
        >>> state.inspect_many(ids[:2], [date(2024, 5, 8)] * 2, cal)
        Traceback (most recent call last):
        ...
        randsupervise.errors.IllegalTransition: 2 visits: illegal transition -> inspect: ...
    """

    year: int
    plan_digest: str
    records: Mapping[str, VisitRecord] = attrs.field(repr=False, converter=_as_columns)

    def __attrs_post_init__(self) -> None:
        problems = int_problems(self.year, "year", min_value=1, max_value=9999)
        problems += text_problems(self.plan_digest, "plan_digest")
        if problems:
            raise ValidationError(problems, what="year state")

    @property
    def _cols(self) -> _Columns:
        return self.records  # type: ignore[return-value]

    @classmethod
    def start(cls, run: PlanRun, on: _dt.date) -> YearState:
        """All visits of ``run``, drawn and assigned on ``on`` with the run's teams."""
        problems = date_problems(on, "on")
        if not isinstance(run, PlanRun):
            problems.append(wrong_type(run, "run", "a PlanRun"))
        if problems:
            raise ValidationError(problems, what="YearState.start")
        static = _Static.of(run.visits)
        n = len(static.ids)
        teams = _objects((tuple(sorted(run.teams.get(i, ()))) for i in static.ids), n)
        day = np.full(n, np.datetime64(on, "D"))
        cols = _Columns(
            static=static,
            state=np.full(n, _SCODE[VisitState.ASSIGNED], dtype=np.int8),
            team=teams,
            replaced=_objects(((),) * n, n),
            inspected=_dates(n),
            deadline=_dates(n),
            recorded=_dates(n),
            published=_dates(n),
            last=day,
            cancel=np.full(n, -1, dtype=np.int8),
            result=_objects((None,) * n, n),
            events0=None,
            log=(_Chunk(action=Action.ASSIGN, idx=np.arange(n), on=day, payload=teams),),
        )
        return cls(year=run.year, plan_digest=run.digest, records=cols)

    def __getitem__(self, visit_id: str) -> VisitRecord:
        return self.records[visit_id]

    def __iter__(self) -> Iterator[VisitRecord]:
        return iter(self._cols.records())

    def __len__(self) -> int:
        return len(self.records)

    @property
    def visits(self) -> tuple[Visit, ...]:
        """The visits, in the order of the state (the run's batch order)."""
        return self._cols.static.visits

    def column(self, name: str) -> npt.NDArray[Any]:
        """One field of every visit, as a read-only array in :attr:`visits` order.

        Names: ``visit`` and ``target`` (the ids, str), ``state`` and
        ``cancel_reason`` (str; ``""`` when not cancelled),
        ``inspected_on``, ``deadline``, ``recorded_on``, ``published_on`` and
        ``last_date`` (``datetime64[D]``, ``NaT`` when not yet), ``late`` (bool), and
        ``team``, ``replaced``, ``result`` (objects: tuples of inspector ids, an
        :class:`~randsupervise.model.results.InspectionResult` or ``None``).

        Examples:
            >>> from randsupervise.cycle.sample import sample_year
            >>> sample_year().state.column("state")[:2].tolist()
            ['published', 'published']
        """
        return self._cols.column(name)

    def state_codes(self) -> npt.NDArray[np.int8]:
        """Each visit's state as its position in ``tuple(VisitState)`` (read-only)."""
        return self._cols.state

    # ------------------------------------------------------------------ transitions
    def apply(
        self, events: Iterable[tuple[str, Event]], calendar: WorkCalendar | None = None
    ) -> YearState:
        """A new state with ``(visit id, event)`` pairs applied in order.

        All or nothing: if any event is illegal the error of the first one (in the
        given order) is raised and ``self`` is unchanged (it is immutable anyway).
        Events are applied in rounds (each visit's first event, then its second, ...),
        each round with array operations; the outcome is the one of applying them one
        by one.
        """
        col = as_column(events, "events", what="visit events")
        pairs = col.tolist() if isinstance(col, np.ndarray) else col
        known = self._cols.static.index  # the year's ids are text: no need to look again
        shape = [
            wrong_type(p, "events", "a (visit id, event) pair", row=k)
            for k, p in enumerate(pairs)
            if not isinstance(p, tuple | list)
            or len(p) != 2
            or not ((type(p[0]) is str and p[0] in known) or is_text(p[0]))
        ]
        if shape:
            raise ValidationError(shape, what="visit events")
        _check_apply_args([e for _, e in pairs], calendar, rows=True)
        if not pairs:
            return self
        new, log = apply_events(self._cols, pairs, calendar)
        return self._with(new, log)

    def _with(self, new: Mapping[str, Any], log: tuple[_Chunk, ...]) -> YearState:
        cols = self._cols.evolve(**new, log=self._cols.log + log)
        return attrs.evolve(self, records=cols)

    def _batch(
        self, visit_ids: Iterable[str], dates: Iterable[Any], action: Action
    ) -> tuple[npt.NDArray[np.int64], _Dates, npt.NDArray[np.int8]]:
        return _batch_moves(self._cols, visit_ids, dates, action)

    def _moved(
        self,
        vi: npt.NDArray[np.int64],
        d: _Dates,
        nxt: npt.NDArray[np.int8],
        action: Action,
        payload: Any = None,
        *,
        by: Any = "",
        why: str = "",
        **cols: tuple[str, Any],
    ) -> YearState:
        c = self._cols
        new: dict[str, Any] = {}
        for f, val in {"state": nxt, "last": d, **dict(cols.values())}.items():
            arr = getattr(c, f).copy()
            arr[vi] = val
            new[f] = arr
        chunk = _Chunk(action=action, idx=vi, on=d, payload=payload, by=by, why=why)
        return self._with(new, (chunk,))

    def inspect_many(
        self,
        visit_ids: Iterable[str],
        dates: Iterable[Any],
        calendar: WorkCalendar,
        *,
        outside_window: str = "",
    ) -> YearState:
        """Inspect many visits at once; deadlines from one ``calendar.deadline`` call.

        ``outside_window`` is the reason for inspections dated outside their batch
        window (one reason for the batch); without it such inspections are refused.

        Raises:
            IllegalTransition: some visits are not assigned (all of them named).
            ValidationError: a date before a visit's previous event, a date outside the
                visit's window without a reason, a visit listed twice, or dates and ids
                of different lengths (every problem listed).
        """
        _check_apply_args((), calendar)
        problems = text_problems(outside_window, "outside_window", required=False)
        if calendar is None:
            problems.append(Problem(field="calendar", message="an inspection needs the calendar"))
        if problems:
            raise ValidationError(problems, what="visit events")
        vi, d, nxt = self._batch(visit_ids, dates, Action.INSPECT)
        st = self._cols.static
        out = np.flatnonzero((d < st.starts[vi]) | (d > st.ends[vi])) if not outside_window else ()
        if len(out):
            raise ValidationError(
                [
                    Problem(
                        id=st.ids[int(vi[k])],
                        field="on",
                        message=window_problem(st.visits[int(vi[k])], _day(d[k]), ""),  # type: ignore[arg-type]
                    )
                    for k in out
                ],
                what="visit events",
            )
        dl = deadline_of(calendar, d) if d.size else d
        return self._moved(
            vi,
            d,
            nxt,
            Action.INSPECT,
            why=outside_window,
            inspected=("inspected", d),
            deadline=("deadline", dl),
            outside=("outside", outside_window),
        )

    def record_many(
        self,
        visit_ids: Iterable[str],
        dates: Iterable[Any],
        results: InspectionResult | Iterable[InspectionResult],
        *,
        by: str = "",
    ) -> YearState:
        """Record the results of many inspected visits (one result for all, or one each).

        ``by`` is the acting officer, who must be on every visit's team.

        Raises:
            IllegalTransition: some visits are not inspected (all of them named).
            ValidationError: as :meth:`inspect_many`, a list of results whose length
                is not the number of visits, or a result that is not an
                :class:`~randsupervise.model.results.InspectionResult`.
        """
        vi, d, nxt = self._batch(visit_ids, dates, Action.RECORD)
        payload: Any
        if isinstance(results, InspectionResult):
            payload = results
        else:
            given = as_column(results, "results", what="visit events")
            each = given.tolist() if isinstance(given, np.ndarray) else given
            if len(each) != vi.size:
                # numpy would broadcast a one-element list over every visit
                raise ValidationError(
                    [
                        Problem(
                            field="results",
                            message=f"{len(each)} results for {vi.size} visits",
                        )
                    ],
                    what="visit events",
                )
            payload = _objects(each, vi.size)
            bad = [k for k, r in enumerate(payload) if not isinstance(r, InspectionResult)]
            if bad:
                raise ValidationError(
                    [
                        Problem(
                            id=self._cols.static.ids[int(vi[k])],
                            field="result",
                            message="not an InspectionResult",
                        )
                        for k in bad
                    ],
                    what="visit events",
                )
        self._check_by(vi, by)
        return self._moved(
            vi,
            d,
            nxt,
            Action.RECORD,
            payload,
            by=by,
            recorded=("recorded", d),
            result=("result", payload),
            recorded_by=("recorded_by", by),
            correct_by=("correct_by", _NAT),
        )

    def publish_many(
        self, visit_ids: Iterable[str], dates: Iterable[Any], *, by: str = ""
    ) -> YearState:
        """Publish many recorded visits; ``by`` is the acting officer (on every team).

        A visit whose pending result was replaced by a :class:`FollowUp` is published
        again: its ``republished_on`` is set, the first publication date kept.

        Raises:
            IllegalTransition: some visits are not recorded (all of them named).
            ValidationError: as :meth:`inspect_many`, or ``by`` not on a team.
        """
        vi, d, nxt = self._batch(visit_ids, dates, Action.PUBLISH)
        self._check_by(vi, by)
        c = self._cols
        again = ~np.isnat(c.published[vi])
        return self._moved(
            vi,
            d,
            nxt,
            Action.PUBLISH,
            by=by,
            published=("published", np.where(again, c.published[vi], d)),
            republished=("republished", np.where(again, d, c.republished[vi])),
            published_by=("published_by", np.where(again, c.published_by[vi], by)),
        )

    def _check_by(self, vi: npt.NDArray[np.int64], by: str) -> None:
        """Every visit's team holds the acting officer ``by`` (when one is named)."""
        problems = text_problems(by, "by", required=False)
        if by and not problems:
            c = self._cols
            problems = [
                Problem(id=c.static.ids[i], field="by", message=by_problem(by, c.team[i]))
                for i in vi.tolist()
                if by_problem(by, c.team[i])
            ]
        if problems:
            raise ValidationError(problems, what="visit events")

    def cancel_many(
        self,
        visit_ids: Iterable[str],
        dates: Iterable[Any],
        reason: CancelReason | str,
    ) -> YearState:
        """Cancel many visits before inspection, all for ``reason``.

        Raises:
            IllegalTransition: some visits are inspected or further (all of them named).
            ValidationError: as :meth:`inspect_many`.
        """
        if reason == "unreachable":
            raise ValidationError(
                [Problem(field="reason", message=_UNREACHABLE_IS_A_RESULT)], what="visit events"
            )
        why = check_one_of(reason, CancelReason, "reason", what="visit events")
        vi, d, nxt = self._batch(visit_ids, dates, Action.CANCEL)
        return self._moved(vi, d, nxt, Action.CANCEL, why, cancel=("cancel", _RCODE[why]))

    def replace_inspectors(
        self,
        assignment: Assignment,
        unavailable: Iterable[str],
        *,
        on: _dt.date,
        reason: str,
    ) -> tuple[Assignment, YearState]:
        """补抽 in one call: the new assignment and the year state that logs it once.

        ``assign.replace`` draws the replacements once (its receipt chain grows by one
        receipt); every visit whose team it changed and that is still to inspect (state
        ``assigned``) gets one :class:`ReplaceTeam` event dated ``on`` with ``reason``.
        A visit already inspected keeps, in the year, the team that inspected it; a
        cancelled visit is left as it is. All or nothing: when the replacement or an
        event fails, the error is raised and neither result exists (both inputs are
        immutable, so they stay as they were).

        Raises:
            UnknownIdError: an inspector is not in the pool.
            InfeasibleAssignment: the affected teams cannot be restaffed.
            ValidationError: a bad ``on`` or ``reason``; ``on`` before an affected
                visit's previous event; an assignment whose team of a visit still to
                inspect is not the year's team for it (every problem listed).

        Examples:
            >>> from datetime import date
            >>> from randsupervise.cycle.sample import sample_year
            >>> run = sample_year().run
            >>> state = YearState.start(run, date(2024, 2, 26))
            >>> gone = run.teams[run.visits[0].id][0]
            >>> after, state = state.replace_inspectors(
            ...     run.assignment, [gone], on=date(2024, 3, 1), reason=f"{gone} on leave")
            >>> gone in state[run.visits[0].id].team, gone in state[run.visits[0].id].replaced
            (False, True)
            >>> sorted(after.team(run.visits[0].id).members) == list(state[run.visits[0].id].team)
            True
        """
        problems = date_problems(on, "on") + text_problems(reason, "reason")
        if not isinstance(assignment, Assignment):
            problems.append(wrong_type(assignment, "assignment", "an Assignment"))
        if problems:
            raise ValidationError(problems, what="replace_inspectors")
        new = replace(assignment, unavailable)
        c = self._cols
        todo = _SCODE[VisitState.ASSIGNED]
        events: list[tuple[str, Event]] = []
        for old, team in zip(assignment.teams, new.teams, strict=True):
            i = c.static.index.get(team.visit)
            if i is None or c.state[i] != todo or old.members == team.members:
                continue
            if tuple(sorted(old.members)) != c.team[i]:
                problems.append(Problem(id=team.visit, field="assignment",
                                        message="its team is not the year's team"))  # fmt: skip
            events.append((team.visit, ReplaceTeam(on=on, team=team.members, reason=reason)))
        if problems:
            raise ValidationError(problems, what="replace_inspectors")
        return new, self.apply(events)

    # ------------------------------------------------------------------ views
    def counts(self) -> dict[str, int]:
        """Number of visits per state (every state listed)."""
        n = np.bincount(self._cols.state, minlength=len(_STATES))
        return {s.value: int(n[k]) for k, s in enumerate(_STATES)}

    def to_records(self) -> list[dict[str, Any]]:
        """One row per visit, for ``pandas.DataFrame(state.to_records())``."""
        c = self._cols
        return [c.record(i, ()).to_record() for i in range(len(c))]

    def __repr__(self) -> str:
        c = self.counts()
        return (
            f"YearState(year={self.year}, visits={len(self)}, "
            + ", ".join(f"{k}={v}" for k, v in c.items())
            + ")"
        )

    def _repr_html_(self) -> str:
        rows = self.to_records()
        keys = [
            "visit",
            "state",
            "team",
            "inspected_on",
            "deadline",
            "recorded_on",
            "late",
            "result",
            "published_on",
        ]
        return html_table(repr(self), columns(rows, keys))

    def to_text(self, max_rows: int = 20) -> str:
        check_int(max_rows, "max_rows", min_value=0, what="to_text")
        rows = self.to_records()
        keys = ["visit", "state", "inspected_on", "deadline", "recorded_on", "late"]
        return repr(self) + "\n" + text_table(columns(rows, keys), max_rows=max_rows, indent="  ")
