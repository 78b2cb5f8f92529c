"""Cells of the register: what one cell may hold, and columns read in chunks.

Invariants (plan §三(三); docs/architecture.md principles 6 and 7):

* Ids and names are text (``str`` without NUL or lone surrogates); ids, regions and
  industries have no surrounding whitespace; ``kind`` and ``status`` take only their
  enumerations' values (:mod:`randsupervise.model.risk`); a weight is a finite number
  ``>= 0`` (never a bool, never a string read as a number).
* Every check *returns* its message or problems, so a whole register or batch is
  reported at once; nothing here raises for bad input.
* A column is read in chunks of :data:`CHUNK` cells, so a big numpy column never
  becomes one huge list of Python objects; categorical columns are dictionary-encoded
  (codes into categories) and an unhashable cell is a category of its own, named later
  by validation rather than failing here.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.validation import describe, is_text, real_problems
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.risk import ALLOWED, CATEGORICAL_COLUMNS, DEFAULTS, RiskClass, enum_value

IntArray: TypeAlias = npt.NDArray[np.int64]
U64Array: TypeAlias = npt.NDArray[np.uint64]

#: Cells read into one Python list at a time.
CHUNK = 1 << 16


def is_missing(v: object) -> bool:
    """``None`` or a float NaN: a cell with no value."""
    return v is None or (isinstance(v, float) and math.isnan(v))


def text_message(field: str, v: str) -> str:
    """Why a string is not text: a NUL, or a lone surrogate."""
    if "\x00" in v:
        return f"{field} contains a NUL character"
    return f"{field} {describe(v)} is not valid Unicode text (a lone surrogate?)"


def id_message(v: object) -> str:
    """Why ``v`` is not an id (called for a bad one)."""
    if isinstance(v, str) and not is_text(v):
        return text_message("id", v)
    if is_missing(v):
        return "id is missing"
    if not isinstance(v, str):
        return f"id must be a str, got {describe(v)} ({type(v).__name__})"
    if not v:
        return "id is empty"
    return f"id {describe(v)} has surrounding whitespace"


def category_message(col: str, v: object) -> str | None:
    """Why ``v`` is not a value of the categorical column ``col``; ``None`` if it is."""
    allowed = ALLOWED[col]
    if is_missing(v):
        return f"{col} is missing"
    if not isinstance(v, str):
        return f"{col} must be a str, got {describe(v)} ({type(v).__name__})"
    if allowed is not None:
        if v not in allowed:
            return f"unknown {col} {describe(v)}; expected one of {sorted(allowed)}"
        return None
    if not is_text(v):
        return text_message(col, v)
    if v != v.strip():
        return f"{col} {describe(v)} has surrounding whitespace"
    return None


def name_message(v: object) -> str | None:
    """Why ``v`` is not a name (empty, missing or not text); ``None`` if it is."""
    if not isinstance(v, str) or not v.strip():
        return "name is empty or missing"
    if not is_text(v):
        return text_message("name", v)
    return None


def row_problems(row: int, fields: Mapping[str, Any], unit_id: str | None) -> list[Problem]:
    """Scalar validation of one row; used for Target objects and change batches."""
    out: list[Problem] = []
    uid = fields.get("id")
    if not is_text(uid) or not uid or uid != uid.strip():
        out.append(Problem(row=row, id=unit_id, field="id", message=id_message(uid)))
    messages = [("name", name_message(fields.get("name")))]
    messages += [
        (col, category_message(col, enum_value(fields.get(col, DEFAULTS[col]))))
        for col in CATEGORICAL_COLUMNS
    ]
    out += [Problem(row=row, id=unit_id, field=f, message=m) for f, m in messages if m]
    try:
        RiskClass.parse(fields.get("risk_class"))
    except ValidationError as e:
        out += [attrs.evolve(p, row=row, id=unit_id) for p in e.problems]
    out += real_problems(
        fields.get("weight", 1.0), "weight", unit_id, min_value=0, row=row, what="a finite number"
    )
    return out


def chunks(values: Sequence[Any] | npt.NDArray[Any]) -> Iterator[list[Any]]:
    """Python lists of at most :data:`CHUNK` values, so big numpy columns never become one
    huge list of Python objects (peak memory stays near the arrays themselves)."""
    for start in range(0, len(values), CHUNK):
        part = values[start : start + CHUNK]
        yield part.tolist() if isinstance(part, np.ndarray) else list(part)


class _Cell:
    """An unhashable cell, kept as its own category so validation can name its rows."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


def _code_of(seen: dict[Any, int], v: object) -> int:
    try:
        return seen.setdefault(v, len(seen))
    except TypeError:  # unhashable (a list in a cell): reported by validation
        return seen.setdefault(_Cell(v), len(seen))


def encode(values: Sequence[Any] | npt.NDArray[Any]) -> tuple[IntArray, tuple[Any, ...]]:
    """Dictionary-encode a column: codes into categories in first-seen order.

    An unhashable cell becomes a category of its own (its raw value), never an error
    here: validation names its row.
    """
    seen: dict[Any, int] = {}
    codes = np.empty(len(values), dtype=np.int64)
    pos = 0
    for part in chunks(values):
        try:
            codes[pos : pos + len(part)] = [seen.setdefault(v, len(seen)) for v in part]
        except TypeError:
            codes[pos : pos + len(part)] = [_code_of(seen, v) for v in part]
        pos += len(part)
    return codes, tuple(k.value if isinstance(k, _Cell) else k for k in seen)


def sorted_categories(codes: IntArray, cats: tuple[str, ...]) -> tuple[IntArray, tuple[str, ...]]:
    """The same column with its categories sorted (codes renumbered to match)."""
    order = sorted(range(len(cats)), key=lambda c: cats[c])
    remap = np.empty(len(cats), dtype=np.int64)
    remap[order] = np.arange(len(cats))
    new_codes = remap[codes] if codes.size else codes
    return new_codes, tuple(cats[c] for c in order)


#: Cell types read as weights in one vectorised pass (bool is not among them).
_PLAIN_NUMBERS = frozenset({int, float, np.float64, np.float32, np.int64, np.int32})


def weights(
    column: Sequence[Any] | npt.NDArray[Any],
) -> tuple[npt.NDArray[np.float64], IntArray]:
    """A weight column as float64, and the rows whose cell is not a finite number >= 0.

    A numeric numpy array is checked in one vectorised pass; anything else cell by cell,
    because numpy would silently read ``True`` as 1 and ``"2"`` as 2.0.
    """
    if isinstance(column, np.ndarray) and column.dtype.kind in "iuf":
        with np.errstate(over="ignore", invalid="ignore"):
            # + 0.0 turns -0.0 into 0.0: equal weights must hash alike in the digest
            out = column.astype(np.float64) + 0.0
        return out, np.flatnonzero(~np.isfinite(out) | (out < 0))
    out = np.ones(len(column), dtype=np.float64)
    bad_rows: list[int] = []
    for start, part in zip(itertools.count(0, CHUNK), chunks(column), strict=False):
        if set(map(type, part)) <= _PLAIN_NUMBERS:  # the usual case: one vectorised pass
            try:
                with np.errstate(over="ignore", invalid="ignore"):
                    chunk = np.asarray(part, dtype=np.float64) + 0.0
            except OverflowError:  # an int too large for a float: cell by cell below
                pass
            else:
                out[start : start + len(part)] = chunk
                bad_rows += (start + np.flatnonzero(~np.isfinite(chunk) | (chunk < 0))).tolist()
                continue
        for k, v in enumerate(part):
            if real_problems(v, "weight", min_value=0):
                bad_rows.append(start + k)
            else:
                out[start + k] = float(v) + 0.0
    return out, np.asarray(bad_rows, dtype=np.int64)
