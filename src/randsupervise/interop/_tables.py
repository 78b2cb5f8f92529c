"""One way in for every table: the Arrow C stream interface, and what comes with it.

Invariants:

* Every tabular input (a ``pyarrow.Table`` or ``RecordBatch``, a pandas or Polars
  ``DataFrame``, any object with ``__arrow_c_stream__``, or a mapping of column names to
  columns) becomes one ``pyarrow.Table`` through :func:`as_table`; nothing else here knows
  which library the data came from. pyarrow is imported only when a table is read, so
  the library imports without it.
* Rows keep their labels: a pandas ``DataFrame``'s index labels (a filtered frame keeps
  the labels of the rows it kept), else the 0-based positions. Problems found in a table
  are re-addressed to those labels by :func:`relabel`.
* Headers are resolved once, by :func:`resolve_headers`: the caller's mapping
  ``{field: header}`` first, then the usual headers of the table's kind, then the field's
  own name; two usual headers for one field, or a caller's header the table lacks, are
  errors naming them (never a silent choice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from randsupervise._core.validation import describe
from randsupervise.errors import Problem, ValidationError

__all__ = [
    "RowLabels",
    "as_table",
    "import_pyarrow",
    "relabel",
    "resolve_headers",
]

_INSTALL = "pip install 'randsupervise[arrow]'"


def import_pyarrow() -> Any:
    """The ``pyarrow`` module, or an ``ImportError`` that says how to install it."""
    try:
        import pyarrow
    except ImportError as e:  # pragma: no cover - the test environment has pyarrow
        raise ImportError(f"tables need pyarrow: {_INSTALL}") from e
    return pyarrow


class RowLabels:
    """The label of each row of an input table: index labels or positions."""

    __slots__ = ("_index",)

    def __init__(self, index: Any = None) -> None:
        self._index = index

    def __call__(self, row: int) -> object:
        if self._index is None:
            return row
        try:
            label = self._index[row]
        except Exception:  # an index that cannot be read: the position still names the row
            return row
        return label.item() if hasattr(label, "item") and not isinstance(label, str) else label


def _pandas_index(obj: object) -> Any:
    """The index of a pandas DataFrame, or None (duck-typed: pandas is not imported)."""
    module = type(obj).__module__ or ""
    if not module.startswith("pandas"):
        return None
    index = getattr(obj, "index", None)
    if index is None:
        return None
    # a default RangeIndex labels rows by position already
    if type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1:
        return None
    return index


def as_table(obj: object, *, what: str) -> tuple[Any, RowLabels]:
    """``obj`` as a ``pyarrow.Table`` and the labels of its rows.

    Refused with a :class:`ValidationError` naming ``table``: anything that is not a table
    (a list of rows, a string, ``None``), and tables whose columns are not uniquely named.
    """
    pa = import_pyarrow()
    labels = RowLabels(_pandas_index(obj))
    table: Any
    try:
        if isinstance(obj, pa.Table):
            table = obj
        elif isinstance(obj, pa.RecordBatch):
            table = pa.Table.from_batches([obj])
        elif labels._index is not None or type(obj).__module__.startswith("pandas"):
            # the index is kept as labels, not as a column
            table = pa.Table.from_pandas(obj, preserve_index=False)
        elif hasattr(obj, "__arrow_c_stream__"):
            table = pa.table(obj)
        elif isinstance(obj, Mapping):
            table = pa.table(dict(obj))
        else:
            raise TypeError
    except ValidationError:
        raise
    except Exception as e:
        if isinstance(e, TypeError) and not str(e):
            message = (
                "must be a table (pyarrow Table, pandas or Polars DataFrame, an object with "
                f"__arrow_c_stream__, or a mapping of columns), got {describe(obj)} "
                f"({type(obj).__name__})"
            )
        else:  # a table whose columns Arrow cannot read (e.g. numbers and text mixed)
            message = f"cannot be read as a table: {' '.join(str(e).split())[:300]}"
        raise ValidationError([Problem(field="table", message=message)], what=what) from None
    table = _plain_strings(pa, table)
    names = [str(n) for n in table.column_names]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        raise ValidationError(
            [Problem(field="table", message=f"column(s) {dups} appear more than once")],
            what=what,
        )
    return table, labels


def _plain_strings(pa: Any, table: Any) -> Any:
    """``table`` with string views (Polars' strings) as large strings: one string type
    downstream, whatever library wrote the table."""
    is_view = getattr(pa.types, "is_string_view", None)
    if is_view is None:  # pragma: no cover - pyarrow without string views
        return table
    fields = []
    for f in table.schema:
        if is_view(f.type):
            f = f.with_type(pa.large_string())
        elif pa.types.is_dictionary(f.type) and is_view(f.type.value_type):
            f = f.with_type(pa.dictionary(f.type.index_type, pa.large_string()))
        fields.append(f)
    schema = pa.schema(fields, metadata=table.schema.metadata)
    return table if schema.equals(table.schema) else table.cast(schema)


def resolve_headers(
    columns: object,
    present: Sequence[str],
    usual: Mapping[str, tuple[str, ...]],
    *,
    what: str,
) -> dict[str, str]:
    """``{field: header}`` for every field found in ``present`` (the table's headers)."""
    problems: list[Problem] = []
    given: dict[str, str] = {}
    if columns is not None:
        if not isinstance(columns, Mapping):
            raise ValidationError(
                [
                    Problem(
                        field="columns",
                        message="must be a mapping {field: header}, got "
                        f"{describe(columns)} ({type(columns).__name__})",
                    )
                ],
                what=what,
            )
        for field, header in columns.items():
            if field not in usual:
                problems.append(
                    Problem(
                        field="columns",
                        message=f"unknown field {describe(field)}; expected one of {sorted(usual)}",
                    )
                )
            elif not isinstance(header, str) or header not in present:
                problems.append(
                    Problem(
                        field="columns",
                        message=f"{field}={describe(header)}: the table has no such column; "
                        f"its columns are {list(present)[:30]}",
                    )
                )
            else:
                given[field] = header
    taken = set(given.values())
    out: dict[str, str] = dict(given)
    for field, names in usual.items():
        if field in out:
            continue
        found = [h for h in (field, *names) if h in present and h not in taken]
        if len(found) > 1:
            problems.append(
                Problem(
                    field=field,
                    message=f"columns {found} could each be {field!r}; say which with "
                    f"columns={{{field!r}: ...}}",
                )
            )
        elif found:
            out[field] = found[0]
    if problems:
        raise ValidationError(problems, what=what)
    return out


def relabel(
    err: ValidationError, labels: RowLabels, headers: Mapping[str, str], *, what: str
) -> ValidationError:
    """``err`` with each problem's row named by its label and its field by its header.

    An integer label replaces the row; any other label (a string, a date) is named in the
    message, the row staying the position.
    """
    out = []
    for p in err.problems:
        field = p.field
        if field is not None and field in headers and headers[field] != field:
            field = f"{headers[field]} ({field})"
        row: int | None = p.row
        message = p.message
        if p.row is not None:
            label = labels(p.row)
            if isinstance(label, int) and not isinstance(label, bool):
                row = label
            elif label != p.row:
                message = f"index label {describe(label)}: {message}"
            message = _relabel_rows(message, labels)
        out.append(attrs.evolve(p, row=row, field=field, message=message))
    return ValidationError(out, what=what)


def _relabel_rows(message: str, labels: RowLabels) -> str:
    """A message's "also on rows [1, 4]" with the rows named by their labels."""
    head, sep, rest = message.partition("also on rows [")
    if not sep or "]" not in rest:
        return message
    inner, _, tail = rest.partition("]")
    try:
        rows = [int(x) for x in inner.split(",") if x.strip()]
    except ValueError:
        return message
    return f"{head}also on rows [{', '.join(map(describe, map(labels, rows)))}]{tail}"
