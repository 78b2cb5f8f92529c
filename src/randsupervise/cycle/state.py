"""The year's visits as columns: one read-only array per field, one entry per visit.

Invariants, each with the rule it comes from:

* No Python loop over the visits on a hot path (architecture principle 7): the state is
  one numpy array per field, and the events a log of batches (:class:`_Chunk`); a
  :class:`~randsupervise.cycle.record.VisitRecord` is built only when a single visit is
  looked at.
* The columns hold what a record holds, field for field (:data:`_COLUMN_OF` names the
  column of each record field), so both are changed by the same effects
  (:mod:`randsupervise.cycle.transitions`).
* Every array is read-only; a change builds new columns (architecture principle 2).
* A batch names each visit once, every id known, one whole-day date per visit; bad
  batches are refused with every problem listed (architecture principle 6).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.validation import (
    as_column,
    date_problems,
    describe,
    ident_of,
    is_text,
    wrong_type,
)
from randsupervise.cycle.deadlines import late
from randsupervise.cycle.events import Assign, Cancel, Inspect, Publish, Record
from randsupervise.cycle.record import VisitRecord
from randsupervise.cycle.transitions import (
    TRANSITIONS,
    Action,
    CancelReason,
    VisitState,
    dated_before,
)
from randsupervise.cycle.visits import Visit
from randsupervise.errors import IllegalTransition, Problem, UnknownIdError, ValidationError

__all__: list[str] = []

_STATES: tuple[VisitState, ...] = tuple(VisitState)
_SCODE: Mapping[VisitState, int] = {s: k for k, s in enumerate(_STATES)}
_ACTIONS: tuple[Action, ...] = tuple(Action)
_ACODE: Mapping[Action, int] = {a: k for k, a in enumerate(_ACTIONS)}
_REASONS: tuple[CancelReason, ...] = tuple(CancelReason)
_RCODE: Mapping[CancelReason, int] = {r: k for k, r in enumerate(_REASONS)}
#: The transition table as an array: ``_NEXT[action code, state code]`` is the next
#: state's code, or -1 when the move is not in :data:`TRANSITIONS`.
_NEXT = np.full((len(_ACTIONS), len(_STATES)), -1, dtype=np.int8)
for _t in TRANSITIONS:
    _NEXT[_ACODE[_t.action], _SCODE[_t.source]] = _SCODE[_t.target]
del _t
_NAT = np.datetime64("NaT", "D")
_Dates: TypeAlias = "npt.NDArray[np.datetime64]"
_Objs: TypeAlias = "npt.NDArray[np.object_]"


def _day(x: np.datetime64) -> _dt.date | None:
    return None if np.isnat(x) else x.astype("datetime64[D]").item()


def _dates(n: int) -> _Dates:
    return np.full(n, _NAT, dtype="datetime64[D]")


def _objects(values: Iterable[Any], n: int) -> _Objs:
    out = np.empty(n, dtype=object)
    out[:] = list(values) if n else []
    return out


def _dates_of(dates: object, n: int) -> _Dates:
    """A batch's dates as ``datetime64[D]``: ``datetime.date`` values (not datetimes, not
    strings), or a ``datetime64`` array of whole days without NaT; one per visit."""
    if isinstance(dates, np.ndarray) and dates.dtype.kind == "M":
        flat = dates.reshape(-1)
        day = flat.astype("datetime64[D]")
        bad = np.flatnonzero(np.isnat(flat) | (day != flat))
        problems = [
            Problem(row=int(k), field="dates", message=f"not a whole day: {flat[k]!r}")
            for k in bad[:50].tolist()
        ]
    else:
        values = as_column(dates, "dates", what="visit events")
        listed = values.tolist() if isinstance(values, np.ndarray) else values
        problems = [p for k, v in enumerate(listed) for p in date_problems(v, "dates", row=k)]
        day = np.asarray(listed if not problems else [], dtype="datetime64[D]").reshape(-1)
    if problems:
        raise ValidationError(problems, what="visit events")
    if day.size != n:
        raise ValidationError(
            [Problem(field="dates", message=f"{day.size} dates for {n} visits")],
            what="visit events",
        )
    return day


#: ``date.toordinal()`` of 1970-01-01, day 0 of ``datetime64[D]``
_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()


def _days(dates: list[_dt.date]) -> _Dates:
    """Validated visits' dates as ``datetime64[D]``, through their ordinals: numpy reads a
    list of ``date`` objects one by one through a slow path (85 ms for 44,000 dates)."""
    ordinals = np.fromiter((d.toordinal() for d in dates), dtype=np.int64, count=len(dates))
    out: _Dates = (ordinals - _EPOCH_ORDINAL).view("datetime64[D]")
    return out


def _visit_positions(ids: object, index: Mapping[str, int]) -> npt.NDArray[np.int64]:
    """Positions of visit ids; ValidationError for entries that are not text,
    UnknownIdError naming every id the year does not hold."""
    values = as_column(ids, "visit_ids", what="visit events")
    listed = values.tolist() if isinstance(values, np.ndarray) else values
    try:  # the usual case: every entry is one of the year's ids, hence text
        pos = np.fromiter(map(index.__getitem__, listed), dtype=np.int64, count=len(listed))
        if all(isinstance(v, str) for v in listed):
            return pos
    except (KeyError, TypeError):
        pass  # below, every bad entry is named
    bad = [
        wrong_type(v, "visit_ids", "a visit id", row=k)
        for k, v in enumerate(listed)
        if not is_text(v)
    ]
    if bad:
        raise ValidationError(bad, what="visit events")
    unknown = [v for v in listed if v not in index]
    if unknown:
        raise UnknownIdError(unknown, where="year state")
    return np.fromiter((index[v] for v in listed), dtype=np.int64, count=len(listed))


@attrs.frozen(kw_only=True)
class _Chunk:
    """One batch of events of the log: visit positions, dates, and how to rebuild them."""

    action: Action | None  # None: ``events`` holds the event objects themselves
    idx: npt.NDArray[np.int64]
    on: _Dates
    events: _Objs | None = None
    payload: Any = None  # per-visit object array, or one value shared by the batch
    by: Any = ""  # the acting officer: per-visit object array or one id
    why: str = ""  # an inspection's reason for being outside its window

    def event(self, k: int) -> Any:
        if self.events is not None:
            return self.events[k]
        on = self.on[k].item()
        pay = self.payload[k] if isinstance(self.payload, np.ndarray) else self.payload
        by = self.by[k] if isinstance(self.by, np.ndarray) else self.by
        if self.action is Action.INSPECT:
            return Inspect(on=on, outside_window=self.why)
        if self.action is Action.RECORD:
            return Record(on=on, result=pay, by=by)
        if self.action is Action.PUBLISH:
            return Publish(on=on, by=by)
        if self.action is Action.CANCEL:
            return Cancel(on=on, reason=pay)
        return Assign(on=on, team=pay)


@attrs.frozen(kw_only=True)
class _Static:
    """What never changes during the year: the visits and their lookup."""

    visits: tuple[Visit, ...]
    ids: tuple[str, ...]
    index: Mapping[str, int]
    targets: npt.NDArray[np.str_]
    starts: _Dates
    ends: _Dates

    @classmethod
    def of(cls, visits: Iterable[Visit]) -> _Static:
        vs = tuple(visits)
        ids = tuple(v.id for v in vs)
        targets = np.asarray([v.target_id for v in vs], dtype=str).reshape(len(vs))
        targets.setflags(write=False)
        starts, ends = _days([v.start for v in vs]), _days([v.end for v in vs])
        starts.setflags(write=False)
        ends.setflags(write=False)
        return cls(
            visits=vs,
            ids=ids,
            index=dict(zip(ids, range(len(ids)), strict=True)),
            targets=targets,
            starts=starts,
            ends=ends,
        )


#: The columns filled as the year goes on, and what each holds before (one per visit):
#: a state may be built without them.
_BLANK: Mapping[str, Callable[[int], npt.NDArray[Any]]] = {
    "recorded_by": lambda n: _objects(("",) * n, n),
    "published_by": lambda n: _objects(("",) * n, n),
    "outside": lambda n: _objects(("",) * n, n),
    "correct_by": _dates,
    "pending": lambda n: _objects((None,) * n, n),
    "followed": _dates,
    "republished": _dates,
}


class _Columns(Mapping[str, VisitRecord]):
    """The year's visits as columns; a read-only mapping of visit id to record."""

    __slots__ = (
        "cancel",
        "correct_by",
        "deadline",
        "events0",
        "followed",
        "inspected",
        "last",
        "log",
        "outside",
        "pending",
        "published",
        "published_by",
        "recorded",
        "recorded_by",
        "replaced",
        "republished",
        "result",
        "state",
        "static",
        "team",
    )

    # the columns a state may be built without (see _BLANK)
    recorded_by: _Objs
    published_by: _Objs
    outside: _Objs
    correct_by: _Dates
    pending: _Objs
    followed: _Dates
    republished: _Dates

    def __init__(
        self,
        *,
        static: _Static,
        state: npt.NDArray[np.int8],
        team: _Objs,
        replaced: _Objs,
        inspected: _Dates,
        deadline: _Dates,
        recorded: _Dates,
        published: _Dates,
        last: _Dates,
        cancel: npt.NDArray[np.int8],
        result: _Objs,
        events0: _Objs | None,
        log: tuple[_Chunk, ...],
        **later: npt.NDArray[Any] | None,
    ) -> None:
        n = state.size
        self.static, self.state, self.team, self.replaced = static, state, team, replaced
        self.inspected, self.deadline, self.recorded = inspected, deadline, recorded
        self.published, self.last, self.cancel, self.result = published, last, cancel, result
        self.events0, self.log = events0, log
        unknown = sorted(set(later) - set(_BLANK))
        if unknown:
            raise TypeError(f"unknown columns {unknown}")
        for name, blank in _BLANK.items():
            given = later.get(name)
            setattr(self, name, blank(n) if given is None else given)
        for name in _MUTABLE:
            getattr(self, name).setflags(write=False)

    @classmethod
    def from_records(cls, records: Mapping[str, VisitRecord]) -> _Columns:
        if not isinstance(records, Mapping):
            raise ValidationError(
                [
                    Problem(
                        field="records",
                        message=f"must be a mapping of visit id to VisitRecord, got "
                        f"{describe(records)}",
                    )
                ],
                what="year state",
            )
        wrong = [
            Problem(id=ident_of(k), field="records", message=f"not a VisitRecord: {describe(r)}")
            for k, r in records.items()
            if not isinstance(r, VisitRecord)
        ]
        if wrong:
            raise ValidationError(wrong, what="year state")
        recs = list(records.values())
        n = len(recs)
        static = _Static.of(r.visit for r in recs)
        if list(records) != list(static.ids):
            raise ValidationError(
                [Problem(field="records", message="keys must be the records' visit ids")],
                what="year state",
            )

        def col(f: str) -> _Dates:
            return np.asarray(
                [_NAT if getattr(r, f) is None else getattr(r, f) for r in recs],
                dtype="datetime64[D]",
            ).reshape(n)

        return cls(
            static=static,
            state=np.asarray([_SCODE[r.state] for r in recs], dtype=np.int8).reshape(n),
            team=_objects((r.team for r in recs), n),
            replaced=_objects((r.replaced for r in recs), n),
            inspected=col("inspected_on"),
            deadline=col("deadline"),
            recorded=col("recorded_on"),
            published=col("published_on"),
            last=np.asarray(
                [_NAT if r.last_date is None else r.last_date for r in recs],
                dtype="datetime64[D]",
            ).reshape(n),
            cancel=np.asarray(
                [-1 if r.cancel_reason is None else _RCODE[r.cancel_reason] for r in recs],
                dtype=np.int8,
            ).reshape(n),
            result=_objects((r.result for r in recs), n),
            events0=_objects((r.events for r in recs), n),
            log=(),
            recorded_by=_objects((r.recorded_by for r in recs), n),
            published_by=_objects((r.published_by for r in recs), n),
            outside=_objects((r.outside_window for r in recs), n),
            correct_by=col("correct_by"),
            pending=_objects((r.pending for r in recs), n),
            followed=col("followed_up_on"),
            republished=col("republished_on"),
        )

    def evolve(self, **changes: Any) -> _Columns:
        fields = {k: getattr(self, k) for k in self.__slots__}
        fields.update(changes)
        return _Columns(**fields)

    # -- Mapping
    def __getitem__(self, visit_id: str) -> VisitRecord:
        if not is_text(visit_id) or visit_id not in self.static.index:
            raise UnknownIdError([visit_id], where="year state")
        return self.record(self.static.index[visit_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self.static.ids)

    def __len__(self) -> int:
        return len(self.static.ids)

    def events_of(self, i: int) -> tuple[Any, ...]:
        out = list(self.events0[i]) if self.events0 is not None else []
        for c in self.log:
            out += [c.event(int(k)) for k in np.flatnonzero(c.idx == i)]
        return tuple(out)

    def all_events(self) -> list[list[Any]]:
        if self.events0 is None:
            out: list[list[Any]] = [[] for _ in range(len(self))]
        else:
            out = [list(e) for e in self.events0]
        for c in self.log:
            for k, i in enumerate(c.idx.tolist()):
                out[i].append(c.event(k))
        return out

    def record(self, i: int, events: tuple[Any, ...] | None = None) -> VisitRecord:
        c = int(self.cancel[i])
        return VisitRecord(
            visit=self.static.visits[i],
            state=_STATES[int(self.state[i])],
            team=self.team[i],
            events=self.events_of(i) if events is None else events,
            inspected_on=_day(self.inspected[i]),
            deadline=_day(self.deadline[i]),
            recorded_on=_day(self.recorded[i]),
            result=self.result[i],
            published_on=_day(self.published[i]),
            cancel_reason=None if c < 0 else _REASONS[c],
            replaced=self.replaced[i],
            recorded_by=self.recorded_by[i],
            published_by=self.published_by[i],
            outside_window=self.outside[i],
            correct_by=_day(self.correct_by[i]),
            pending=self.pending[i],
            followed_up_on=_day(self.followed[i]),
            republished_on=_day(self.republished[i]),
        )

    def records(self) -> list[VisitRecord]:
        evs = self.all_events()
        return [self.record(i, tuple(evs[i])) for i in range(len(self))]

    def late(self) -> npt.NDArray[np.bool_]:
        return late(self.recorded, self.deadline)  # type: ignore[no-any-return]

    def publication_late(self) -> npt.NDArray[np.bool_]:
        return late(self.published, self.deadline)  # type: ignore[no-any-return]

    def column(self, name: str) -> npt.NDArray[Any]:
        """One field of every visit, read-only (see ``YearState.column``)."""
        if not is_text(name):
            raise ValidationError(
                [wrong_type(name, "name", "a column name")],
                what="YearState.column",
            )
        if name in _STORED:
            return getattr(self, _STORED[name])  # type: ignore[no-any-return]
        if name in _STATIC:
            return getattr(self.static, _STATIC[name])  # type: ignore[no-any-return]
        out: npt.NDArray[Any]
        if name in _TEXT:
            out = np.asarray(getattr(self, _TEXT[name]).tolist(), dtype=str).reshape(len(self))
        elif name == "visit":
            out = np.asarray(self.static.ids, dtype=str).reshape(len(self))
        elif name == "state":
            out = np.asarray([s.value for s in _STATES])[self.state]
        elif name == "cancel_reason":
            out = np.asarray(["", *(r.value for r in _REASONS)])[self.cancel + 1]
        elif name == "late":
            out = self.late()
        elif name == "publication_late":
            out = self.publication_late()
        else:
            known = sorted([*_STORED, *_STATIC, *_TEXT, *_COMPUTED])
            raise ValidationError(
                [
                    Problem(
                        field="name",
                        message=f"unknown column {describe(name)}; expected one of {known}",
                    )
                ],
                what="YearState.column",
            )
        out.setflags(write=False)
        return out


#: Columns handed out as stored (already read-only), by public name.
_STORED = {
    "inspected_on": "inspected",
    "deadline": "deadline",
    "recorded_on": "recorded",
    "published_on": "published",
    "last_date": "last",
    "team": "team",
    "replaced": "replaced",
    "result": "result",
    "correct_by": "correct_by",
    "pending": "pending",
    "followed_up_on": "followed",
    "republished_on": "republished",
}
_STATIC = {"target": "targets", "window_start": "starts", "window_end": "ends"}
_TEXT = {"recorded_by": "recorded_by", "published_by": "published_by", "outside_window": "outside"}
_COMPUTED = ("visit", "state", "cancel_reason", "late", "publication_late")


def _as_columns(v: Mapping[str, VisitRecord]) -> _Columns:
    return v if isinstance(v, _Columns) else _Columns.from_records(v)


def _illegal(ids: list[str], states: list[str], action: str) -> IllegalTransition:
    """One :class:`IllegalTransition` naming every bad visit (``.visits`` lists them)."""
    return IllegalTransition(
        visit=ids[0],
        from_state=states[0],
        to_state=action,
        visits=tuple(ids),
        from_states=tuple(states),
    )


def _batch_moves(
    c: _Columns, visit_ids: Iterable[str], dates: Iterable[Any], action: Action
) -> tuple[npt.NDArray[np.int64], _Dates, npt.NDArray[np.int8]]:
    """Positions, dates and next states of a batch of ``action``; raises on any bad visit
    (each named): an unknown or repeated id, an illegal move, a date going backwards."""
    vi = _visit_positions(visit_ids, c.static.index)
    d = _dates_of(dates, vi.size)
    srt = np.sort(vi)
    dup = np.unique(srt[1:][srt[1:] == srt[:-1]])
    if dup.size:
        once = "listed more than once"
        raise ValidationError(
            [Problem(id=c.static.ids[i], field="visit_ids", message=once) for i in dup.tolist()],
            what="visit events",
        )
    cur = c.state[vi]
    nxt = _NEXT[_ACODE[action], cur]
    bad = np.flatnonzero(nxt < 0)
    if bad.size:
        raise _illegal(
            [c.static.ids[i] for i in vi[bad].tolist()],
            [_STATES[s].value for s in cur[bad].tolist()],
            action.value,
        )
    prev = c.last[vi]
    back = np.flatnonzero(~np.isnat(prev) & (d < prev))
    if back.size:
        raise ValidationError(
            [
                Problem(
                    id=c.static.ids[int(vi[k])],
                    field="on",
                    message=dated_before(action, d[k], prev[k]),
                )
                for k in back.tolist()
            ],
            what="visit events",
        )
    return vi, d, nxt


_MUTABLE = (
    "state",
    "team",
    "replaced",
    "inspected",
    "deadline",
    "recorded",
    "published",
    "last",
    "cancel",
    "result",
    "recorded_by",
    "published_by",
    "outside",
    "correct_by",
    "pending",
    "followed",
    "republished",
)
