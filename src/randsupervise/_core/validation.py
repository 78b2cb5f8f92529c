"""Small checks of callers' arguments, shared by every package.

Invariants:

* Each check takes the value and the **name** of the argument, field or column it came
  from, and every message it produces names it, so the caller can tell which input is
  wrong without reading a traceback.
* Two forms, one rule: ``*_problems`` functions *return* problems
  (:class:`~randsupervise.errors.Problem`) so a batch collects every problem before one
  :class:`~randsupervise.errors.ValidationError` is raised (architecture principle 6);
  ``check_*`` functions raise that error at once and return the accepted value in its
  stored form (``int``, ``float``, ``datetime.date``, ``str``).
* Nothing is guessed: ``bool`` is not a number (``True`` is not ``1``), a string is not
  a number (``"0.5"`` is refused, not parsed), a ``datetime.datetime`` is not a date (its
  time of day and zone would be cut off silently), complex, NaN and infinite numbers are
  refused, and text must be encodable as UTF-8 (no lone surrogates) and free of NUL.
* Converters (``to_*``) turn accepted forms into the stored form (numpy numbers to Python
  numbers, str-valued enum members to their values, iterables to frozensets or tuples)
  and pass anything else through unchanged, so that validation can name it.
* :func:`as_column` normalises every array-like (list, tuple, numpy array, any other
  sequence or iterable) into one form at the boundary: a 1-D numpy array or a list.
* Messages show values through :func:`describe`: a short, safe ``repr`` that never
  raises and never floods a log with a huge value.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import enum
import math
import numbers
import reprlib
from collections.abc import Iterable, Mapping, Sequence, Set
from typing import Any, TypeGuard, TypeVar, cast

import numpy as np
import numpy.typing as npt

from randsupervise.errors import Problem, ValidationError

__all__ = [
    "as_column",
    "bool_problems",
    "check_bool",
    "check_date",
    "check_int",
    "check_one_of",
    "check_real",
    "check_text",
    "date_problems",
    "describe",
    "duplicate_problems",
    "ident_of",
    "int_problems",
    "is_text",
    "real_problems",
    "str_set_problems",
    "text_problems",
    "to_float",
    "to_int",
    "to_str_set",
    "to_tuple",
]

T = TypeVar("T")

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = _repr.maxtuple = _repr.maxset = _repr.maxdict = 6
_repr.maxlevel = 3


def describe(value: object) -> str:
    """A short ``repr`` of ``value`` for a message: truncated, and never raising.

    Examples:
        >>> describe("x" * 100)
        "'xxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxxxxxxxxxxxx'"
        >>> describe(True)
        'True'
    """
    try:
        return _repr.repr(value)
    except Exception:  # a hostile __repr__ must not hide the real problem
        return f"<{type(value).__name__} object>"


def wrong_type(value: object, field: str, want: str, **where: Any) -> Problem:
    """The problem of a ``value`` that is not ``want``: "must be <want>, got <value>".

    ``where`` locates it (``row``, ``id``), as :class:`~randsupervise.errors.Problem` does.

    Examples:
        >>> wrong_type(3, "calendar", "a WorkCalendar or None").message
        'must be a WorkCalendar or None, got 3'
    """
    return Problem(field=field, message=f"must be {want}, got {describe(value)}", **where)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool | np.bool_)


def has_utf8(value: str) -> bool:
    """Whether UTF-8 can encode ``value`` (it holds no lone surrogate): the one check of
    the library for text that must be hashed or written as JSON."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_text(value: object) -> TypeGuard[str]:
    """A ``str`` that UTF-8 can encode (no lone surrogates) and holds no NUL."""
    return isinstance(value, str) and "\x00" not in value and has_utf8(value)


def ident_of(value: object) -> str | None:
    """The id to name in problems: non-blank, encodable text, else ``None``."""
    return value if is_text(value) and value.strip() else None


def _text_message(value: object, *, required: bool) -> str | None:
    if not isinstance(value, str):
        return f"must be a string, got {describe(value)} ({type(value).__name__})"
    if "\x00" in value:
        return f"contains a NUL character: {describe(value)}"
    if not is_text(value):
        return f"is not valid Unicode text (a lone surrogate?): {describe(value)}"
    if required and not value.strip():
        return "must not be empty"
    if value != value.strip():
        return f"has leading or trailing spaces: {describe(value)}"
    return None


def text_problems(
    value: object,
    field: str,
    ident: str | None = None,
    *,
    required: bool = True,
    row: int | None = None,
) -> list[Problem]:
    """Problems with a text field: a str, encodable, no NUL, non-empty when required,
    no outer spaces."""
    msg = _text_message(value, required=required)
    return [] if msg is None else [Problem(row=row, id=ident, field=field, message=msg)]


def _refuse(problems: list[Problem], what: str | None) -> None:
    """Raise the problems found in one argument, if any (a ``check_*`` function's end)."""
    if problems:
        raise ValidationError(problems, what=what)


def check_text(value: object, name: str, *, required: bool = True, what: str | None = None) -> str:
    """``value`` if it is acceptable text (see :func:`text_problems`), else raise.

    Examples:
        >>> check_text("ok", "id")
        'ok'
        >>> check_text("a\\ud800", "id")
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: field 'id': is not valid Unicode text ...
    """
    _refuse(text_problems(value, name, required=required), what)
    return cast(str, value)


def check_label(value: object, name: str, *, what: str | None = None) -> str:
    """A stream label or seed text: a non-empty ``str`` with a UTF-8 form (anything else in
    it is kept as written: the ticket specification hashes its bytes).

    Examples:
        >>> check_label("2024/批次-1", "stream")
        '2024/批次-1'
        >>> check_label("", "stream")
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: field 'stream': must be a non-empty str, got ''
    """
    ok = isinstance(value, str) and value != ""
    if ok:
        try:
            cast(str, value).encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError(
                [Problem(field=name, message="is not valid Unicode text (a lone surrogate)")],
                what=what,
            ) from None
        return cast(str, value)
    raise ValidationError(
        [Problem(field=name, message=f"must be a non-empty str, got {describe(value)}")],
        what=what,
    )


def bool_problems(value: object, field: str, ident: str | None = None) -> list[Problem]:
    """Problems with a flag: only ``True`` and ``False`` are accepted (not 0, 1 or "yes")."""
    if isinstance(value, bool):
        return []
    return [Problem(id=ident, field=field, message=f"must be True or False, got {describe(value)}")]


def check_bool(value: object, name: str, *, what: str | None = None) -> bool:
    """``value`` if it is ``True`` or ``False``, else raise."""
    _refuse(bool_problems(value, name), what)
    return cast(bool, value)


def _bounds(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f" in [{lo:g}, {hi:g}]"
    if lo is not None:
        return f" >= {lo:g}"
    if hi is not None:
        return f" <= {hi:g}"
    return ""


def int_problems(
    value: object,
    field: str,
    ident: str | None = None,
    *,
    min_value: int | None = None,
    max_value: int | None = None,
    row: int | None = None,
) -> list[Problem]:
    """Problems with an integer: ``int`` or a numpy integer (not bool, not 2.0, not "2")."""
    number = _as_int(value)
    return _out_of_bounds(number, value, field, ident, min_value, max_value, row, "an integer")


def _as_int(value: object) -> int | None:
    """``value`` as an ``int`` if it is an integer of an integer type, else None."""
    if isinstance(value, int | np.integer) and not _is_bool(value):
        return int(cast(Any, value))
    return None


def _as_real(value: object) -> float | None:
    """``value`` as a ``float`` if it is a finite real number of a numeric type, else None."""
    if not _is_real(value):
        return None
    try:
        number = float(cast(Any, value))
    except (OverflowError, ValueError, TypeError):
        return None
    return number if math.isfinite(number) else None


def _out_of_bounds(
    number: float | None,
    value: object,
    field: str,
    ident: str | None,
    min_value: float | None,
    max_value: float | None,
    row: int | None,
    what: str,
) -> list[Problem]:
    """One problem unless ``number`` (``value`` read, or None) lies within the bounds."""
    low_ok = number is not None and (min_value is None or number >= min_value)
    if low_ok and (max_value is None or cast(float, number) <= max_value):
        return []
    return [
        Problem(
            row=row,
            id=ident,
            field=field,
            message=f"must be {what}{_bounds(min_value, max_value)}, got "
            f"{describe(value)} ({type(value).__name__})",
        )
    ]


def check_int(
    value: object,
    name: str,
    *,
    min_value: int | None = None,
    max_value: int | None = None,
    what: str | None = None,
) -> int:
    """``value`` as an ``int`` if it is an integer within the bounds, else raise.

    Examples:
        >>> check_int(3, "n", min_value=1)
        3
        >>> check_int(True, "n")
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: field 'n': must be an integer, got True (bool)
    """
    _refuse(int_problems(value, name, min_value=min_value, max_value=max_value), what)
    return int(cast(Any, value))


def _is_real(value: object) -> bool:
    """A real number of a numeric type: int, float or numpy's (not bool, str, complex)."""
    return (
        isinstance(value, int | float | np.integer | np.floating | numbers.Real)
        and not _is_bool(value)
        and not isinstance(value, complex | np.complexfloating)
    )


def real_problems(
    value: object,
    field: str,
    ident: str | None = None,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    row: int | None = None,
    what: str = "a finite number",
) -> list[Problem]:
    """Problems with a real number: finite, of a numeric type, within the bounds."""
    number = _as_real(value)
    return _out_of_bounds(number, value, field, ident, min_value, max_value, row, what)


def check_real(
    value: object,
    name: str,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    what: str | None = None,
) -> float:
    """``value`` as a ``float`` if it is a finite real number within the bounds, else raise.

    Examples:
        >>> check_real(0.5, "ratio", min_value=0, max_value=1)
        0.5
        >>> check_real("0.5", "ratio")
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: field 'ratio': must be a finite number, got '0.5' ...
    """
    _refuse(real_problems(value, name, min_value=min_value, max_value=max_value), what)
    return float(cast(Any, value)) + 0.0


def date_problems(
    value: object, field: str, ident: str | None = None, *, row: int | None = None
) -> list[Problem]:
    """Problems with a date: a ``datetime.date``, and not a ``datetime.datetime``."""
    if isinstance(value, _dt.datetime):
        msg = f"must be a datetime.date, got a datetime {describe(value)}; pass value.date()"
    elif isinstance(value, _dt.date):
        return []
    else:
        msg = f"must be a datetime.date, got {describe(value)} ({type(value).__name__})"
    return [Problem(row=row, id=ident, field=field, message=msg)]


def check_date(value: object, name: str, *, what: str | None = None) -> _dt.date:
    """``value`` if it is a ``datetime.date`` (not a ``datetime``), else raise.

    Examples:
        >>> import datetime
        >>> check_date(datetime.datetime(2024, 5, 1, 9), "on")
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: field 'on': must be a datetime.date, got a ...
    """
    _refuse(date_problems(value, name), what)
    return cast(_dt.date, value)


def check_one_of(value: object, choices: Iterable[T], name: str, *, what: str | None = None) -> T:
    """The member of ``choices`` equal to ``value`` (an enum also by its value), else raise.

    Unhashable and odd values are refused with the choices listed, never a raw error.
    """
    options = list(choices)
    for option in options:
        try:
            same = option == value or (
                isinstance(option, enum.Enum) and not isinstance(value, enum.Enum)
                and option.value == value
            )  # fmt: skip
        except Exception:  # an odd __eq__ is simply not a match
            same = False
        if same is True:
            return option
    shown = [o.value if isinstance(o, enum.Enum) else o for o in options]
    raise ValidationError(
        [Problem(field=name, message=f"must be one of {shown}, got {describe(value)}")],
        what=what,
    )


def as_column(value: object, name: str, *, what: str | None = None) -> list[Any] | npt.NDArray[Any]:
    """One column of values as a 1-D numpy array or a list, whatever array-like came in.

    Accepted: a 1-D numpy array (returned as is), anything numpy reads as one through
    ``__array__`` (a pandas Series, an Arrow array), a list or tuple or other sequence, any
    other iterable but a mapping or set (read once into a list; sets have no row order).
    Refused with a :class:`ValidationError` naming ``name``: ``None``, a scalar, a str or
    bytes (a column of characters is never meant), a mapping, a set, a 0-d or 2-D array.

    Examples:
        >>> as_column(("a", "b"), "id")
        ['a', 'b']
        >>> as_column(5, "id")
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: field 'id': must be a column (list, tuple, ...
    """
    if not isinstance(value, np.ndarray | str | bytes | Mapping) and hasattr(value, "__array__"):
        with contextlib.suppress(Exception):  # one numpy cannot read is refused below
            value = np.asarray(value)
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise ValidationError(
                [
                    Problem(
                        field=name,
                        message=f"must be a 1-D array, got {value.ndim}-D of shape {value.shape}",
                    )
                ],
                what=what,
            )
        return value
    ok = isinstance(value, Iterable) and not isinstance(
        value, str | bytes | bytearray | Mapping | Set
    )
    if ok:
        try:
            return list(cast(Iterable[Any], value))
        except Exception:  # an iterable that fails while read is bad input too
            ok = False
    raise ValidationError(
        [
            Problem(
                field=name,
                message="must be a column (list, tuple, 1-D array or other iterable), got "
                f"{describe(value)} ({type(value).__name__})",
            )
        ],
        what=what,
    )


def to_str_set(value: Iterable[str | enum.Enum] | Any) -> frozenset[str]:
    """Convert a collection of strings or str-valued enum members to a frozenset of str.

    Anything else is passed through unchanged, so that validation can report it.
    """
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return cast(frozenset[str], value)
    if isinstance(value, np.ndarray) and value.ndim != 1:
        return cast(frozenset[str], value)
    try:
        return frozenset(v.value if isinstance(v, enum.Enum) else v for v in value)
    except TypeError:  # unhashable members: keep the raw value for the report
        return cast(frozenset[str], value)


def to_tuple(value: Iterable[T] | Any) -> tuple[T, ...]:
    """Any iterable but a string, a mapping or a 0-d/2-D array to a tuple; anything else
    kept for the report."""
    if isinstance(value, np.ndarray) and value.ndim != 1:
        return cast(tuple[T, ...], value)
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return cast(tuple[T, ...], value)
    try:
        return tuple(value)
    except Exception:  # an iterable that fails while read: kept for the report
        return cast(tuple[T, ...], value)


def to_int(value: int | None) -> int | None:
    """Integral numbers (numpy's too, from data frames) to ``int``; others kept for the report."""
    if isinstance(value, numbers.Integral) and not _is_bool(value):
        return int(value)
    return value


def to_float(value: float | None) -> float | None:
    """Real numbers (numpy's too) to ``float``; ``None`` and others kept for the report."""
    if _is_real(value):
        try:
            return float(cast(Any, value))
        except (OverflowError, ValueError, TypeError):
            return value
    return value


def str_set_problems(
    value: object, field: str, ident: str | None = None, *, non_empty: bool = False
) -> list[Problem]:
    """Problems with a set-of-strings field (members non-empty text)."""
    if not isinstance(value, frozenset):
        return [
            Problem(
                id=ident,
                field=field,
                message=f"must be a collection of strings, got {describe(value)}",
            )
        ]
    out = []
    if non_empty and not value:
        out.append(Problem(id=ident, field=field, message="must name at least one value"))
    bad = sorted(describe(v) for v in value if not is_text(v) or not v.strip())
    if bad:
        out.append(
            Problem(id=ident, field=field, message=f"members must be non-empty strings: {bad}")
        )
    return out


def duplicate_problems(ids: Sequence[tuple[int, str]], what: str) -> list[Problem]:
    """One problem per repeated occurrence of an id (every occurrence after the first)."""
    first: dict[str, int] = {}
    out = []
    for row, ident in ids:
        if ident in first:
            out.append(
                Problem(
                    row=row,
                    id=ident,
                    field="id",
                    message=f"duplicate {what} id (first at row {first[ident]})",
                )
            )
        else:
            first[ident] = row
    return out
