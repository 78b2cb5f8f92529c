"""A register from columns: every column checked, normalised and encoded at once.

Invariants (plan §三(三); docs/architecture.md principles 6 and 7):

* ``id`` and ``risk_class`` are required; an omitted column takes its default (``name``
  the id, ``kind`` ``"enterprise"``, ``region`` and ``industry`` ``""``, ``status``
  ``"active"``, ``weight`` 1.0). A given column has no empty, ``None`` or NaN cell,
  except ``region`` and ``industry`` cells named by ``allow_empty`` ("not recorded").
* Every column has as many rows as ``id``; a column that is not a 1-D sequence is
  refused naming it.
* Every bad row of every column is reported in one
  :class:`~randsupervise.errors.ValidationError`, sorted by row; nothing is built when
  anything is wrong.
* Categorical columns come out dictionary-encoded with sorted categories; risk classes
  as codes 0-3; the checks run per category, not per row, wherever they can.
* With ``check_credit_codes`` the id of every market entity must be a unified social
  credit code (GB 32100-2015).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.validation import as_column, describe, is_text
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.credit_code import valid_credit_code_mask
from randsupervise.model.register_cells import (
    IntArray,
    category_message,
    encode,
    name_message,
    sorted_categories,
    weights,
)
from randsupervise.model.register_ids import duplicate_problems, scan_ids
from randsupervise.model.register_view import RegisterArrays
from randsupervise.model.risk import (
    CATEGORICAL_COLUMNS,
    DEFAULTS,
    ENTITY_KINDS,
    RiskClass,
    enum_value,
)

__all__: list[str] = []

_REQUIRED = ("id", "risk_class")


def _pid(ids: npt.NDArray[np.str_], i: int) -> str | None:
    uid = str(ids[i])
    return uid or None


def _rows_problems(
    ids: npt.NDArray[np.str_], rows: IntArray, field: str, message: str, **extra: Any
) -> list[Problem]:
    """One problem per row of ``rows``, each naming its id."""
    return [
        Problem(row=i, id=_pid(ids, i), field=field, message=message, **extra)
        for i in rows.tolist()
    ]


def _argument_problems(check_credit_codes: object, allow_empty: object) -> list[Problem]:
    problems = []
    if not isinstance(check_credit_codes, bool):
        problems.append(
            Problem(
                field="check_credit_codes",
                message=f"must be True or False, got {describe(check_credit_codes)}",
            )
        )
    try:
        empty_ok = frozenset(as_column(allow_empty, "allow_empty"))
    except (ValidationError, TypeError):
        empty_ok = frozenset()
        problems.append(
            Problem(
                field="allow_empty",
                message=f"must be a collection of column names, got {describe(allow_empty)}",
            )
        )
    if not empty_ok <= {"region", "industry"}:
        problems.append(
            Problem(
                field="allow_empty",
                message="may name only 'region' and 'industry', got "
                f"{sorted(map(describe, empty_ok))}",
            )
        )
    return problems


def _given_columns(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """The columns as sequences (``None`` for an omitted optional one), and the problems."""
    problems: list[Problem] = []
    given: dict[str, Any] = {}
    for col, values in raw.items():
        if values is None and col not in _REQUIRED:
            given[col] = None
            continue
        if col == "risk_class" and isinstance(values, str):
            values = list(values)  # one class letter per row: "AABD"
        try:
            given[col] = as_column(values, col)
        except ValidationError as err:
            problems += err.problems
    return given, problems


def _length_problems(given: Mapping[str, Any]) -> list[Problem]:
    n = len(given["id"])
    return [
        Problem(field=col, message=f"column has {len(values)} rows, id has {n}")
        for col, values in given.items()
        if values is not None and len(values) != n
    ]


def _risk_column(
    values: Any, ids: npt.NDArray[np.str_], problems: list[Problem]
) -> npt.NDArray[np.int8]:
    """Risk classes as codes 0-3, each distinct cell parsed once."""
    risk_codes, risk_cats = encode(values)
    risk_lut = np.zeros(len(risk_cats), dtype=np.int8)
    for c, v in enumerate(risk_cats):
        try:
            risk_lut[c] = RiskClass.parse(v).value
        except ValidationError as e:
            for i in np.flatnonzero(risk_codes == c).tolist():
                problems += [attrs.evolve(p, row=i, id=_pid(ids, i)) for p in e.problems]
    return risk_lut[risk_codes] if len(ids) else np.zeros(0, dtype=np.int8)


def _categorical_column(
    col: str,
    values: Any,
    ids: npt.NDArray[np.str_],
    empty_ok: Collection[str],
    problems: list[Problem],
) -> tuple[IntArray, tuple[str, ...]]:
    """One categorical column encoded (sorted categories), each category checked once."""
    if values is None:
        return np.zeros(len(ids), dtype=np.int64), (DEFAULTS[col],)
    raw_codes, raw_cats = encode(values)
    for c, v in enumerate(raw_cats):
        msg = category_message(col, enum_value(v))
        if msg is None and enum_value(v) == "" and col not in empty_ok:
            msg = f"{col} is empty"
        if msg:
            problems += _rows_problems(ids, np.flatnonzero(raw_codes == c), col, msg)
    return sorted_categories(raw_codes, tuple(str(enum_value(v)) for v in raw_cats))


def _name_column(
    values: Any, ids: npt.NDArray[np.str_], problems: list[Problem]
) -> npt.NDArray[np.str_] | None:
    if values is None:
        return None
    name_list = values.tolist() if isinstance(values, np.ndarray) else list(values)
    for i, v in enumerate(name_list):
        msg = name_message(v)
        if msg:
            problems.append(Problem(row=i, id=_pid(ids, i), field="name", message=msg))
    return np.asarray([v if is_text(v) else "" for v in name_list], dtype=str)


def _weight_column(
    values: Any, ids: npt.NDArray[np.str_], problems: list[Problem]
) -> npt.NDArray[np.float64]:
    if values is None:
        return np.ones(len(ids), dtype=np.float64)
    out, bad = weights(values)
    for i in bad.tolist():
        problems.append(
            Problem(
                row=i,
                id=_pid(ids, i),
                field="weight",
                message="weight must be a finite number >= 0, got "
                f"{describe(values[i])} ({type(values[i]).__name__})",
            )
        )
    return out


def _credit_code_problems(
    ids: npt.NDArray[np.str_], codes: Mapping[str, IntArray], cats: Mapping[str, tuple[str, ...]]
) -> list[Problem]:
    """Market entities whose id is not a unified social credit code (GB 32100-2015)."""
    entity_codes = [c for c, v in enumerate(cats["kind"]) if v in ENTITY_KINDS]
    is_entity = np.isin(codes["kind"], entity_codes)
    bad = np.flatnonzero(is_entity & ~valid_credit_code_mask(ids))
    message = "not a valid unified social credit code"
    return _rows_problems(ids, bad, "id", message, rule="GB 32100-2015")


def build_columns(
    raw: Mapping[str, Any],
    *,
    check_credit_codes: object,
    allow_empty: object,
    hash_ids: bool = True,
) -> RegisterArrays:
    """Check and encode ``raw`` (column name to column); the arrays a register is made of.

    Without ``hash_ids`` the ids are checked but not hashed, and the duplicate check
    waits for the fingerprints (``fp`` is ``None``; see
    :func:`~randsupervise.model.register_ids.hashed_ids`), unless another problem is
    found: then the ids are hashed at once, so the error names every problem as it would.

    Raises :class:`~randsupervise.errors.ValidationError` naming every bad row.
    """
    given, problems = _given_columns(raw)
    problems += _argument_problems(check_credit_codes, allow_empty)
    if problems:
        raise ValidationError(problems, what="TargetRegistry")
    empty_ok = frozenset(as_column(allow_empty, "allow_empty"))
    problems = _length_problems(given)
    if problems:
        raise ValidationError(problems, what="TargetRegistry")
    ids, fp, lengths, id_problems = scan_ids(given["id"], hash_ids=hash_ids)
    problems += id_problems
    after_ids = len(problems)  # duplicates are named right after the ids' own problems
    risk = _risk_column(given["risk_class"], ids, problems)
    codes: dict[str, IntArray] = {}
    cats: dict[str, tuple[str, ...]] = {}
    for col in CATEGORICAL_COLUMNS:
        codes[col], cats[col] = _categorical_column(col, given[col], ids, empty_ok, problems)
    names = _name_column(given["name"], ids, problems)
    weight = _weight_column(given["weight"], ids, problems)
    if check_credit_codes and len(ids) and not id_problems:
        problems += _credit_code_problems(ids, codes, cats)
    if fp is None and problems:  # a deferred check still reports every problem
        ids, fp, lengths, _ = scan_ids(given["id"])
    if fp is not None:
        problems[after_ids:after_ids] = duplicate_problems(ids, fp, lengths)
    if problems:
        problems.sort(key=lambda p: (p.row if p.row is not None else -1, p.field or ""))
        raise ValidationError(problems, what="TargetRegistry")
    return RegisterArrays(
        ids=ids, names=names, codes=codes, cats=cats, risk=risk, weights=weight, fp=fp
    )
