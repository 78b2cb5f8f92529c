"""Errors raised by randsupervise.

Invariants:

* Every error the library raises on purpose derives from :class:`RandSuperviseError`,
  so a caller can catch the library's errors with one ``except`` clause.
* Concrete errors also derive from the fitting built-in (``ValueError``,
  ``LookupError``) so code that does not know this library still handles them.
* Errors carry structured fields (row, id, field, rule) besides their message, so a
  platform can show the user exactly which input row is wrong.
* Validating a batch reports **every** problem found, not only the first
  (:class:`ValidationError` holds a tuple of :class:`Problem`).
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

__all__ = [
    "CalendarDataMissing",
    "IllegalTransition",
    "InfeasibleAssignment",
    "Problem",
    "RandSuperviseError",
    "UnknownIdError",
    "ValidationError",
]


class RandSuperviseError(Exception):
    """Root of every error raised by randsupervise on purpose."""


@attrs.frozen(kw_only=True)
class Problem:
    """One problem found while validating input.

    ``row`` is the 0-based position in the input batch (``None`` when the problem is
    not tied to a row), ``id`` the unit's id when known, ``field`` the column or
    attribute name, ``message`` a sentence a user can act on, and ``rule`` an optional
    short reference to the rule that was broken.

    Examples:
        >>> str(Problem(row=3, id="T1", field="risk_class", message="unknown class 'E'"))
        "row 3, id 'T1', field 'risk_class': unknown class 'E'"
    """

    message: str
    row: int | None = None
    id: str | None = None
    field: str | None = None
    rule: str | None = None

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.id is not None:
            where.append(f"id {self.id!r}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ValidationError(RandSuperviseError, ValueError):
    """Input failed validation; :attr:`problems` lists every problem found.

    Examples:
        >>> err = ValidationError([Problem(row=0, field="id", message="empty id"),
        ...                        Problem(row=2, field="id", message="empty id")])
        >>> [p.row for p in err.problems]
        [0, 2]
        >>> print(err)
        2 problems:
          row 0, field 'id': empty id
          row 2, field 'id': empty id
    """

    problems: tuple[Problem, ...]

    def __init__(self, problems: Iterable[Problem] | str, *, what: str | None = None) -> None:
        if isinstance(problems, str):
            problems = [Problem(message=problems)]
        self.problems = tuple(problems)
        if not self.problems:
            raise ValueError("ValidationError needs at least one problem")
        self.what = what
        super().__init__(self._render())

    def _render(self) -> str:
        head = f"{self.what}: " if self.what else ""
        if len(self.problems) == 1:
            return head + str(self.problems[0])
        shown = self.problems[:50]
        lines = [f"{head}{len(self.problems)} problems:"]
        lines += [f"  {p}" for p in shown]
        if len(self.problems) > len(shown):
            lines.append(f"  ... and {len(self.problems) - len(shown)} more")
        return "\n".join(lines)

    @property
    def rows(self) -> tuple[int, ...]:
        """The rows named by the problems, sorted, each once."""
        return tuple(sorted({p.row for p in self.problems if p.row is not None}))

    def __reduce__(self) -> tuple[object, ...]:  # keep pickling (multiprocessing) working
        return (_rebuild_validation_error, (self.problems, self.what))


def _rebuild_validation_error(problems: tuple[Problem, ...], what: str | None) -> ValidationError:
    return ValidationError(problems, what=what)


class UnknownIdError(RandSuperviseError, KeyError):
    """An id was asked for that the registry, pool, list, plan or year state does not hold.

    It is a :class:`KeyError` (so a mapping's callers catch it as they would any missing
    key) and therefore a :class:`LookupError`. :attr:`ids` holds every unknown id asked
    for, :attr:`where` names the collection.

    Examples:
        >>> err = UnknownIdError(["x"], where="item list")
        >>> isinstance(err, KeyError), str(err)
        (True, "unknown id(s) in item list: 'x'")
    """

    def __init__(self, ids: Iterable[object], *, where: str) -> None:
        self.ids = tuple(ids)
        self.where = where
        shown = ", ".join(_short(i) for i in self.ids[:10])
        more = f" and {len(self.ids) - 10} more" if len(self.ids) > 10 else ""
        self.message = f"unknown id(s) in {where}: {shown}{more}"
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would show the message quoted
        return self.message

    def __reduce__(self) -> tuple[object, ...]:  # keep pickling (multiprocessing) working
        return (_rebuild_unknown_id_error, (self.ids, self.where))


def _rebuild_unknown_id_error(ids: tuple[object, ...], where: str) -> UnknownIdError:
    return UnknownIdError(ids, where=where)


def _short(value: object) -> str:
    """A repr cut to 60 characters, so one huge id cannot flood a message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class CalendarDataMissing(RandSuperviseError, LookupError):
    """A date lies in a year the calendar holds no official schedule for.

    Never guessed silently: add the year's schedule (see the calendar docs) or opt in
    to provisional mode.
    """

    def __init__(self, year: int, *, covered: tuple[int, int] | None = None) -> None:
        self.year = year
        self.covered = covered
        span = f" (it covers {covered[0]}-{covered[1]})" if covered else ""
        super().__init__(
            f"no official working-day schedule for {year}{span}; add the year's State "
            "Council notice as one entry in randsupervise.calendar.china_data.SCHEDULES "
            "(see docs/calendar.md), or opt in to provisional mode with "
            "WorkCalendar.provisional(...)"
        )


class InfeasibleAssignment(RandSuperviseError):
    """No lawful inspector assignment exists; :attr:`witness` says why.

    The witness names the visits involved and the reason: a missing qualification or
    department, or a set of visits whose eligible inspectors lack capacity (a Hall
    violation).
    """

    def __init__(self, message: str, *, witness: object) -> None:
        self.witness = witness
        super().__init__(message)


class IllegalTransition(RandSuperviseError, ValueError):
    """A lifecycle transition not in the transition table was requested.

    ``visit``/``from_state`` name the first offending visit; a batch names every one in
    ``visits`` and ``from_states`` (same order).
    """

    def __init__(
        self,
        *,
        visit: str,
        from_state: str,
        to_state: str,
        visits: tuple[str, ...] = (),
        from_states: tuple[str, ...] = (),
        detail: str = "",
    ) -> None:
        self.visit = visit
        self.from_state = from_state
        self.to_state = to_state
        self.visits = visits or (visit,)
        self.from_states = from_states or (from_state,)
        if len(self.visits) > 1:
            listed = ", ".join(
                f"{v!r} ({f})" for v, f in zip(self.visits, self.from_states, strict=False)
            )
            msg = f"{len(self.visits)} visits: illegal transition -> {to_state}{detail}: {listed}"
        else:
            msg = f"visit {visit!r}: illegal transition {from_state} -> {to_state}{detail}"
        super().__init__(msg)
