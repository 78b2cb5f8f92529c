"""Histories held by Dask dataframes (e.g. partitioned Parquet), read into one History.

Invariants (architecture principle 8: histories in one input type):

* A history holds visits, not the register: its size grows with the samples drawn
  (O(sample)), not with the register (O(register)). Its digests need every entry, so the
  partitions' rows are validated where they are read and come together on the client
  into one :class:`~randsupervise.draw.history.History`, equal to the one built in memory
  from the same rows (same entries, same periods, same digests).
* A bad row is named by its partition and its row within it, as a bad register row is by
  :func:`~randsupervise.draw.dask.draw_dask`; every bad row of a partition is reported.
* Dask is an optional extra, imported only inside functions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from randsupervise.draw.coordination import BurdenHistory
from randsupervise.draw.frequency import summed_entries
from randsupervise.draw.history import History
from randsupervise.errors import Problem, ValidationError

__all__ = ["history_from_dask"]


def history_from_dask(
    *,
    entries: Any = None,
    periods: Any = None,
    order: Sequence[str] | None = None,
    id_column: str = "id",
    scheduler: str | None = None,
) -> History:
    """The :class:`~randsupervise.draw.history.History` held by Dask dataframes (e.g.
    partitioned Parquet), read partition by partition.

    A history holds visits, not the register: its size grows with the samples drawn, not
    with the register, and its digests need every entry, so the partitions' rows come
    together on the client into one ``History``, the same as built in memory.

    Args:
        entries: this year's frequency entries, columns ``id_column``, ``item`` and
            ``count`` (what :meth:`History.from_entries` takes, one row per triple).
        periods: earlier periods' inspections, columns ``id_column`` and ``period`` (the
            period's label), one row per unit inspected in a period (what
            :meth:`History.from_periods` takes).
        order: the period labels oldest first; a label without rows is a period in which
            nobody was inspected. ``None``: the labels found, sorted as text (``"2023"``
            before ``"2024"``).
        id_column: the column holding the unit ids.
        scheduler: passed to ``dask.compute``.

    Raises:
        ValidationError: a missing column; bad rows (an id or label that is not a
            non-empty str, a count that is not an int >= 0), every one named by its row
            within its partition; a label not in ``order``.

    Examples:
        >>> import pandas as pd, dask.dataframe as dd
        >>> visits = pd.DataFrame({"id": ["a", "b", "b", "c"],
        ...                        "period": ["2023", "2023", "2024", "2024"]})
        >>> h = history_from_dask(periods=dd.from_pandas(visits, npartitions=2),
        ...                       scheduler="synchronous")
        >>> h.periods.labels
        ('2023', '2024')
        >>> h == History.from_periods({"2023": ["a", "b"], "2024": ["b", "c"]})
        True
    """
    found_entries = None
    if entries is not None:
        parts = _each_history_part(entries, _entries_part, id_column, scheduler)
        found_entries = [e for part in parts for e in part]
    burden = None
    if periods is not None:
        by_label: dict[str, set[str]] = {}
        for part in _each_history_part(periods, _periods_part, id_column, scheduler):
            for label, ids in part.items():
                by_label.setdefault(label, set()).update(ids)
        burden = BurdenHistory.from_periods(_ordered(by_label, order))
    return History(entries=found_entries, periods=burden)


def _each_history_part(
    frame: Any, step: Callable[..., Any], id_column: str, scheduler: str | None
) -> list[Any]:
    import dask as _dask  # optional extra: imported here so the core never needs it

    dask: Any = _dask
    kw: dict[str, Any] = {} if scheduler is None else {"scheduler": scheduler}
    tasks = [dask.delayed(step)(p, i, id_column) for i, p in enumerate(frame.to_delayed())]
    return list(dask.compute(*tasks, **kw))


def _history_columns(part: Any, index: int, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in part.columns]
    if missing:
        message = f"the history needs columns {list(columns)}, missing {missing}"
        raise ValidationError(
            [Problem(field=missing[0], message=message)], what=f"history partition {index}"
        )


def _entries_part(part: Any, index: int, id_column: str) -> list[tuple[str, str, int]]:
    """One partition's frequency entries, summed; bad rows named within the partition."""
    _history_columns(part, index, (id_column, "item", "count"))
    rows = zip(part[id_column].tolist(), part["item"].tolist(), part["count"].tolist(), strict=True)
    try:
        return [(u, i, c) for (u, i), c in summed_entries(rows).items()]
    except ValidationError as e:
        raise ValidationError(
            e.problems, what=f"history partition {index} (rows counted within it)"
        ) from None


def _periods_part(part: Any, index: int, id_column: str) -> dict[str, list[str]]:
    """One partition's inspections per period label; bad rows named within the partition."""
    _history_columns(part, index, (id_column, "period"))
    out: dict[str, list[str]] = {}
    problems: list[Problem] = []
    rows = zip(part[id_column].tolist(), part["period"].tolist(), strict=True)
    for row, (unit, label) in enumerate(rows):
        if not isinstance(unit, str) or not unit:
            message = f"an id must be a non-empty str, not {unit!r}"
            problems.append(Problem(row=row, field=id_column, message=message))
        elif not isinstance(label, str) or not label:
            message = f"a period label must be a non-empty str, not {label!r}"
            problems.append(Problem(row=row, id=unit, field="period", message=message))
        else:
            out.setdefault(label, []).append(unit)
    if problems:
        raise ValidationError(problems, what=f"history partition {index} (rows counted within it)")
    return out


def _ordered(by_label: dict[str, set[str]], order: Sequence[str] | None) -> dict[str, set[str]]:
    """The periods oldest first: by ``order``, or by label."""
    if order is None:
        return {label: by_label[label] for label in sorted(by_label)}
    unknown = sorted(set(by_label) - set(order))
    if unknown:
        raise ValidationError(
            [Problem(field="period", id=u, message="a label not in order=") for u in unknown],
            what="history",
        )
    return {label: by_label.get(label, set()) for label in order}
