"""Selecting rows of a register: positions and masks (``take``), filters (定向抽查).

Invariants (plan §三(二), targeted draws; docs/architecture.md principle 6):

* Positions are a boolean mask of the register's length, or integer positions in
  ``[0, len)``; negative positions, floats, masks of another length and other shapes are
  refused naming ``positions`` (a negative position never wraps around).
* A filter keyword takes one value or a collection of them; an unknown ``kind``,
  ``status`` or risk class is an error (a typo would otherwise select nobody, silently),
  an unknown region or industry simply matches no row.
* Filters work on the dictionary codes: one comparison per category, then one
  vectorised ``isin`` over the rows.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from randsupervise._core.validation import as_column, describe, is_text
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.register_cells import category_message
from randsupervise.model.register_view import RegisterView
from randsupervise.model.risk import ALLOWED, CATEGORICAL_COLUMNS, RiskClass, enum_value

__all__: list[str] = []


def _refuse(message: str) -> ValidationError:
    return ValidationError(
        [Problem(field="positions", message=message)], what="TargetRegistry.take"
    )


def _list_positions(col: list[Any]) -> npt.NDArray[Any]:
    """A list of positions as an array: all booleans, or all integers."""
    if any(isinstance(v, bool | np.bool_) for v in col):
        if not all(isinstance(v, bool | np.bool_) for v in col):
            raise _refuse("mixes booleans with other values")
        return np.asarray(col, dtype=bool)
    if all(isinstance(v, int | np.integer) for v in col):
        try:
            return np.asarray(col, dtype=np.int64)
        except OverflowError:
            raise _refuse("a position is out of range") from None
    bad = next(v for v in col if not isinstance(v, int | np.integer))
    raise _refuse(f"must be integers or booleans, got {describe(bad)}")


def checked_positions(positions: object, length: int) -> npt.NDArray[Any]:
    """``positions`` checked against a register of ``length`` rows: a mask or int64 positions."""
    col = as_column(positions, "positions", what="TargetRegistry.take")
    if isinstance(col, list):
        col = _list_positions(col)
    if col.dtype.kind == "b":
        if col.size != length:
            raise _refuse(f"a mask needs {length} entries, got {col.size}")
        return col
    if col.dtype.kind not in "iu":
        raise _refuse(f"must be integers or booleans, not an array of dtype {col.dtype}")
    if col.size and (col.min() < 0 or col.max() >= length):
        bad_at = np.flatnonzero((col < 0) | (col >= length))
        shown = [int(col[k]) for k in bad_at[:10]]
        raise _refuse(f"positions {shown} are outside [0, {length})")
    return col.astype(np.int64, copy=False)


def _filter_cells(want: object) -> list[Any] | None:
    """One filter value or a collection of them (a set too) as a list; None if neither."""
    if isinstance(want, str | enum.Enum):
        return [want]
    if isinstance(want, np.ndarray) and want.ndim != 1:
        return None
    if isinstance(want, Iterable) and not isinstance(want, bytes | Mapping):
        try:
            return list(want)
        except Exception:  # an iterable that fails while read
            return None
    return None


def _filter_values(col: str, want: object, problems: list[Problem]) -> set[str] | None:
    """The values a filter keyword accepts, or ``None`` after adding its problems."""
    cells = _filter_cells(want)
    if cells is None:
        problems.append(
            Problem(
                field=col,
                message=f"must be a str or a collection of str, got {describe(want)} "
                f"({type(want).__name__})",
            )
        )
        return None
    values = [enum_value(w) for w in cells]
    bad = [v for v in values if not is_text(v)]
    if bad:
        problems.append(
            Problem(field=col, message=f"values must be strings, got {describe(bad[0])}")
        )
        return None
    return {v for v in values if is_text(v)}


def _risk_classes(risk_class: object) -> list[int]:
    cells = _filter_cells(risk_class)
    wanted: list[Any] = [risk_class] if cells is None else cells
    try:
        return [RiskClass.parse(r).value for r in wanted]
    except ValidationError as e:
        raise ValidationError(e.problems, what="filter") from None


def filter_mask(reg: RegisterView, wanted: Mapping[str, object]) -> npt.NDArray[np.bool_]:
    """Rows of ``reg`` matching every criterion of ``wanted`` (column to value(s); ``None``:
    any). Raises :class:`~randsupervise.errors.ValidationError` naming every bad keyword."""
    m = np.ones(len(reg), dtype=bool)
    problems: list[Problem] = []
    for col in CATEGORICAL_COLUMNS:
        want = wanted.get(col)
        values = None if want is None else _filter_values(col, want, problems)
        if values is None:
            continue
        allowed = ALLOWED[col]
        if allowed is not None and not values <= allowed:
            problems += [
                Problem(field=col, message=category_message(col, v) or "")
                for v in sorted(values - allowed, key=repr)
            ]
            continue
        keep = [c for c, v in enumerate(reg.categories(col)) if v in values]
        m &= np.isin(reg.codes(col), keep)
    if problems:
        raise ValidationError(problems, what="filter")
    if wanted.get("risk_class") is not None:
        m &= np.isin(reg.risk_codes, _risk_classes(wanted["risk_class"]))
    return m
