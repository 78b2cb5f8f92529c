"""Turning callers' dates into day numbers, and day numbers back into their kind.

Invariants:

* A date is a day number: days since 1970-01-01, the integer inside
  ``numpy.datetime64[D]``. Everything past this module works on int64 day numbers.
* What comes in decides what goes out: a ``datetime.date`` gives a ``datetime.date``,
  a ``numpy.datetime64`` or an ISO string (``"2025-09-30"``) gives a
  ``numpy.datetime64[D]``, a sequence or array gives a numpy array of the same shape.
* Bad input is never guessed at: NaT, a ``datetime.datetime`` (its time of day and time
  zone would be dropped silently), a datetime64 with a time of day, a string that is not
  an ISO date, a mix of kinds in one sequence, and a non-integer ``n`` each raise
  :class:`~randsupervise.errors.ValidationError` naming every bad position.
* A count of working days is an integer of at most :data:`MAX_STEPS` in size (no
  calendar spans more days than that; a larger one would overflow int64). Booleans,
  floats and unsigned values beyond it are refused, never wrapped around (a uint64
  ``2**64 - 1`` would otherwise become ``-1`` and step backwards).
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from randsupervise._core.validation import describe
from randsupervise.errors import Problem, ValidationError

__all__ = ["MAX_STEPS", "Shape", "from_days", "to_days", "to_steps"]

#: The largest count of working days accepted (more than every day ``datetime.date``
#: can hold, far below the int64 limit the vectorised arithmetic works in).
MAX_STEPS = 2**40

_EPOCH_ORDINAL = _dt.date(1970, 1, 1).toordinal()


class Shape(enum.Enum):
    """How the caller passed dates, so answers come back the same way."""

    DATE = "date"
    DATETIME64 = "datetime64"
    ARRAY = "array"


def _scalar_day(value: object, row: int | None, field: str) -> int | Problem:
    """One element to a day number, or the problem with it."""
    if isinstance(value, _dt.datetime):
        return Problem(
            row=row,
            field=field,
            message=f"{value!r} is a datetime; pass a date (e.g. value.date())",
        )
    if isinstance(value, _dt.date):
        return value.toordinal() - _EPOCH_ORDINAL
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            return Problem(row=row, field=field, message="NaT is not a date")
        day = value.astype("datetime64[D]")
        if day != value:
            return Problem(row=row, field=field, message=f"{value!r} has a time of day")
        return int(day.astype(np.int64))
    if isinstance(value, str):
        try:
            parsed = _dt.date.fromisoformat(value)
        except ValueError:
            return Problem(row=row, field=field, message=f"{value!r} is not an ISO date")
        if len(value) != 10:
            return Problem(row=row, field=field, message=f"{value!r} is not an ISO date")
        return parsed.toordinal() - _EPOCH_ORDINAL
    return Problem(
        row=row, field=field, message=f"{describe(value)} ({type(value).__name__}) is not a date"
    )


def _kind_of(value: object) -> str:
    if isinstance(value, _dt.datetime):
        return "datetime"
    if isinstance(value, _dt.date):
        return "date"
    if isinstance(value, np.datetime64):
        return "datetime64"
    if isinstance(value, str):
        return "str"
    return type(value).__name__


def to_days(value: object, *, field: str = "d") -> tuple[NDArray[np.int64], Shape]:
    """Convert dates to int64 day numbers and remember how they came.

    Args:
        value: a date, a ``numpy.datetime64``, an ISO date string, or a sequence or
            array of one of these kinds.
        field: the argument's name, used in error messages.

    Returns:
        The day numbers (0-d for a scalar) and the :class:`Shape` to answer in.

    Raises:
        ValidationError: listing every element that is not a date.

    Examples:
        >>> import datetime
        >>> to_days(datetime.date(1970, 1, 2))
        (array(1), <Shape.DATE: 'date'>)
        >>> to_days(["1970-01-01", "1970-01-03"])[0]
        array([0, 2])
    """
    if isinstance(value, _dt.date | np.datetime64 | str):
        day = _scalar_day(value, None, field)
        if isinstance(day, Problem):
            raise ValidationError([day], what=f"bad {field}")
        shape = Shape.DATE if isinstance(value, _dt.date) else Shape.DATETIME64
        return np.asarray(day, dtype=np.int64), shape
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "M":
            return _from_datetime64_array(value, field), Shape.ARRAY
        if value.dtype.kind not in "OUS":
            raise ValidationError(
                [Problem(field=field, message=f"an array of dtype {value.dtype} holds no dates")],
                what=f"bad {field}",
            )
        items: list[Any] = (
            value.ravel().tolist() if value.dtype.kind == "O" else list(value.astype(str).ravel())
        )
        days = _from_items(items, field)
        return days.reshape(value.shape), Shape.ARRAY
    if isinstance(value, Sequence):
        return _from_items(list(value), field), Shape.ARRAY
    raise ValidationError(
        [Problem(field=field, message=f"{describe(value)} ({type(value).__name__}) is not a date")],
        what=f"bad {field}",
    )


def _from_datetime64_array(value: NDArray[Any], field: str) -> NDArray[np.int64]:
    flat = value.ravel()
    problems: list[Problem] = []
    nat = np.isnat(flat)
    problems += [Problem(row=int(i), field=field, message="NaT is not a date")
                 for i in np.flatnonzero(nat)]  # fmt: skip
    days = flat.astype("datetime64[D]")
    if np.datetime_data(value.dtype)[0] not in ("D", "W", "M", "Y"):
        timed = (days != flat) & ~nat
        problems += [Problem(row=int(i), field=field, message=f"{flat[i]!r} has a time of day")
                     for i in np.flatnonzero(timed)]  # fmt: skip
    if problems:
        raise ValidationError(problems, what=f"bad {field}")
    return days.view(np.int64).reshape(value.shape)


def _from_items(items: list[Any], field: str) -> NDArray[np.int64]:
    problems: list[Problem] = []
    kinds = [_kind_of(v) for v in items]
    first_good = next((k for k in kinds if k in ("date", "datetime64", "str")), None)
    out = np.empty(len(items), dtype=np.int64)
    for i, item in enumerate(items):
        if (
            first_good is not None
            and kinds[i] != first_good
            and kinds[i] in ("date", "datetime64", "str")
        ):
            problems.append(Problem(
                row=i, field=field,
                message=f"mixed types: {kinds[i]} among {first_good} values",
            ))  # fmt: skip
            continue
        day = _scalar_day(item, i, field)
        if isinstance(day, Problem):
            problems.append(day)
        else:
            out[i] = day
    if problems:
        raise ValidationError(problems, what=f"bad {field}")
    return out


def from_days(days: NDArray[np.int64], shape: Shape) -> Any:
    """Give day numbers back in the caller's shape.

    Examples:
        >>> import numpy as np
        >>> from_days(np.asarray(1), Shape.DATE)
        datetime.date(1970, 1, 2)
        >>> from_days(np.asarray(1), Shape.DATETIME64)
        np.datetime64('1970-01-02')
    """
    if shape is Shape.ARRAY:
        return days.astype(np.int64, copy=False).view("datetime64[D]")
    day = int(days)
    if shape is Shape.DATE:
        return _dt.date.fromordinal(day + _EPOCH_ORDINAL)
    return np.datetime64(day, "D")


def to_steps(n: object, *, field: str = "n") -> NDArray[np.int64]:
    """Validate a count of working days: an integer or an integer array.

    Examples:
        >>> to_steps(20)
        array(20)
        >>> to_steps(2.0)
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: bad n: field 'n': 2.0 is not an integer
    """

    def refuse(message: str) -> ValidationError:
        return ValidationError([Problem(field=field, message=message)], what=f"bad {field}")

    too_big = f"is beyond {MAX_STEPS} working days; no calendar spans that many"
    if isinstance(n, bool | np.bool_):
        raise refuse(f"{n!r} is a bool, not an integer")
    if isinstance(n, int | np.integer):
        if abs(int(n)) > MAX_STEPS:
            raise refuse(f"{describe(n)} {too_big}")
        return np.asarray(int(n), dtype=np.int64)
    if isinstance(n, list | tuple):
        flat: list[Any] = np.asarray(n, dtype=object).ravel().tolist() if n else []
        bad = [
            v for v in flat if isinstance(v, bool | np.bool_) or not isinstance(v, int | np.integer)
        ]
        if bad:
            raise refuse(f"{describe(bad[0])} is not an integer")
        if any(abs(int(v)) > MAX_STEPS for v in flat):
            raise refuse(f"an element {too_big}")
        return np.asarray(n, dtype=np.int64) if n else np.zeros(0, dtype=np.int64)
    if isinstance(n, np.ndarray):
        if n.size == 0:
            return n.astype(np.int64)
        if n.dtype.kind in "iu":
            # compare before converting: uint64 values above int64 would wrap around
            if n.max() > MAX_STEPS or (n.dtype.kind == "i" and n.min() < -MAX_STEPS):
                raise refuse(f"an element {too_big}")
            return n.astype(np.int64)
    raise refuse(f"{describe(n)} is not an integer")
