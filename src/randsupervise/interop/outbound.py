"""Every main table out as Arrow, pandas or Polars, with real dates and categories.

Invariants:

* One builder per kind of object makes a ``pyarrow.Table``; pandas and Polars frames are
  made from that table (``to_pandas`` / ``polars.from_arrow``), so the three never drift.
* Types are real: dates are ``date32`` (pandas ``datetime64``), categorical columns
  (kind, region, industry, status, risk class, visit state, stratum) are dictionary
  columns (pandas ``Categorical``); risk classes are the letters A-D in that order.
* A register's table reads back as the same register: ``registry_from(to_arrow(reg))``
  has ``reg.digest()``, with English or Chinese (``lang="zh"``) headers.
* Column labels in Chinese (``lang="zh"``) come from
  :data:`~randsupervise.interop.labels.ZH_LABELS` (register and pool fields from their
  usual headers); the values are left as they are.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from randsupervise._core.validation import check_bool, check_one_of, describe
from randsupervise.cycle import DrawRecord, Feedback, PlanRun, YearState
from randsupervise.draw import Draw
from randsupervise.errors import Problem, ValidationError
from randsupervise.interop._tables import import_pyarrow
from randsupervise.interop.labels import INSPECTOR_HEADERS, ITEM_HEADERS, ZH_LABELS
from randsupervise.metrics import Table, YearReport
from randsupervise.model import InspectorPool, ItemList, RegistryDiff, TargetRegistry

__all__ = ["to_arrow", "to_pandas", "to_polars"]

_RISK = ("A", "B", "C", "D")
#: Schema metadata key of an item list's ``max_key_items`` (read back by ``items_from``).
MAX_KEY_ITEMS_KEY = "randsupervise.max_key_items"


def _dict_column(codes: Any, categories: Sequence[str]) -> Any:
    pa = import_pyarrow()
    return pa.DictionaryArray.from_arrays(
        pa.array(np.asarray(codes, dtype=np.int32), type=pa.int32()),
        pa.array(list(categories), type=pa.string()),
    )


def _categorical(values: Sequence[Any]) -> Any:
    """A dictionary column of ``values`` (nulls kept), categories in sorted order."""
    pa = import_pyarrow()
    cats = sorted({v for v in values if v is not None})
    pos = {c: k for k, c in enumerate(cats)}
    codes = pa.array([None if v is None else pos[v] for v in values], type=pa.int32())
    return pa.DictionaryArray.from_arrays(codes, pa.array(cats, type=pa.string()))


def _dates(values: Sequence[_dt.date | str | None]) -> Any:
    pa = import_pyarrow()
    out = [_dt.date.fromisoformat(v) if isinstance(v, str) else v for v in values]
    return pa.array(out, type=pa.date32())


def _registry(reg: TargetRegistry, **_: Any) -> Any:
    pa = import_pyarrow()
    cols: dict[str, Any] = {
        "id": pa.array(reg.ids, type=pa.string()),
        "name": pa.array(reg.column("name"), type=pa.string()),
    }
    for c in ("kind", "region", "industry"):
        cols[c] = _dict_column(reg.codes(c), reg.categories(c))
    cols["risk_class"] = _dict_column(reg.codes("risk_class"), _RISK)
    cols["status"] = _dict_column(reg.codes("status"), reg.categories("status"))
    cols["weight"] = pa.array(reg.weights, type=pa.float64())
    return pa.table(cols)


def _draw(d: Draw, *, population: bool = False, **_: Any) -> Any:
    """Selected units in ticket order (or every register row with ``population=True``)."""
    pa = import_pyarrow()
    reg = d.require_registry("the draw's table")
    n = len(reg)
    labels = list(d.strata)
    stratum = np.full(n, -1, dtype=np.int32)
    for k, s in enumerate(d.strata.values()):
        stratum[s.population_positions] = k
    pi = d.inclusion_probabilities
    pos = d.positions
    if population:
        rows = np.arange(n)
        selected = np.zeros(n, dtype=bool)
        selected[pos] = True
        order = np.zeros(n, dtype=np.int64)
        order[pos] = np.arange(1, pos.size + 1)
        batch = np.full(n, -1, dtype=np.int64)
        batch[pos] = d.batch_of
        ticket = np.zeros(n, dtype=np.uint64)
        ticket[pos] = d.tickets
        mask = ~selected
    else:
        rows = pos
        order = np.arange(1, pos.size + 1)
        batch = np.asarray(d.batch_of, dtype=np.int64)
        ticket = d.tickets
        selected = np.ones(pos.size, dtype=bool)
        mask = np.zeros(pos.size, dtype=bool)
    s_codes = stratum[rows]
    cols = {
        "order": pa.array(order, mask=mask, type=pa.int64()),
        "id": pa.array(reg.ids[rows], type=pa.string()),
        "name": pa.array(reg.column("name")[rows], type=pa.string()),
        "stratum": pa.DictionaryArray.from_arrays(
            pa.array(s_codes, mask=s_codes < 0, type=pa.int32()),
            pa.array(labels, type=pa.string()),
        ),
        "risk_class": _dict_column(reg.codes("risk_class")[rows], _RISK),
        "region": _dict_column(reg.codes("region")[rows], reg.categories("region")),
        "batch": pa.array(batch, mask=mask, type=pa.int64()),
        # 16 hex digits, as in the receipt (and a uint64 does not fit an SQL integer)
        "ticket": pa.array(
            [f"{int(t):016x}" for t in ticket.tolist()], mask=mask, type=pa.string()
        ),
        "inclusion_probability": pa.array(pi[rows], type=pa.float64()),
    }
    if population:
        cols["selected"] = pa.array(selected, type=pa.bool_())
    return pa.table(cols)


def _plan_run(run: PlanRun, **_: Any) -> Any:
    pa = import_pyarrow()
    vs = run.visits
    strs = pa.list_(pa.string())
    return pa.table(
        {
            "order": pa.array(range(1, len(vs) + 1), type=pa.int64()),
            "visit": pa.array([v.id for v in vs], type=pa.string()),
            "target": pa.array([v.target_id for v in vs], type=pa.string()),
            "risk_class": _dict_column([int(v.risk_class) for v in vs], _RISK),
            "region": _categorical([v.region for v in vs]),
            "batch": pa.array([list(v.batches) for v in vs], type=strs),
            "items": pa.array([list(v.items) for v in vs], type=strs),
            "departments": pa.array([list(v.departments) for v in vs], type=strs),
            "start": _dates([v.start for v in vs]),
            "end": _dates([v.end for v in vs]),
            "team": pa.array([list(run.teams.get(v.id, ())) for v in vs], type=strs),
        }
    )


def _draw_record(d: DrawRecord, **_: Any) -> Any:
    pa = import_pyarrow()
    n = len(d.selected)
    return pa.table(
        {
            "order": pa.array(range(1, n + 1), type=pa.int64()),
            "target": pa.array(list(d.selected), type=pa.string()),
            "risk_class": _dict_column([_RISK.index(c) for c in d.classes], _RISK),
            "batch": _categorical(list(d.batch_of)),
            "inclusion_probability": pa.array(list(d.probabilities), type=pa.float64()),
        }
    )


_STATE_KEYS = (
    "visit", "target", "risk_class", "items", "state", "team", "inspected_on", "deadline",
    "recorded_on", "late", "result", "published_on", "cancel_reason",
)  # fmt: skip


def _year_state(state: YearState, **_: Any) -> Any:
    pa = import_pyarrow()
    rows = state.to_records()
    col: dict[str, list[Any]] = {k: [r[k] for r in rows] for k in _STATE_KEYS}
    strs = pa.list_(pa.string())

    def split(values: list[str]) -> Any:
        return pa.array([v.split(",") if v else [] for v in values], type=strs)

    return pa.table(
        {
            "visit": pa.array(col["visit"], type=pa.string()),
            "target": pa.array(col["target"], type=pa.string()),
            "risk_class": _dict_column([_RISK.index(c) for c in col["risk_class"]], _RISK),
            "items": split(col["items"]),
            "state": _categorical(col["state"]),
            "team": split(col["team"]),
            "inspected_on": _dates(col["inspected_on"]),
            "deadline": _dates(col["deadline"]),
            "recorded_on": _dates(col["recorded_on"]),
            "late": pa.array(col["late"], type=pa.bool_()),
            "result": split(col["result"]),
            "published_on": _dates(col["published_on"]),
            "cancel_reason": _categorical(col["cancel_reason"]),
        }
    )


def _rows_table(rows: Sequence[Mapping[str, Any]]) -> Any:
    """Rows of plain values: ISO dates become dates, mixed columns text."""
    pa = import_pyarrow()
    keys: list[str] = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    cols: dict[str, Any] = {}
    for k in keys:
        values = [r.get(k) for r in rows]
        kinds = {type(v) for v in values if v is not None}
        if kinds == {str} and all(_is_iso_date(v) for v in values if v is not None):
            cols[k] = _dates(values)
            continue
        try:
            cols[k] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            cols[k] = pa.array([None if v is None else str(v) for v in values], type=pa.string())
    return pa.table(cols) if keys else pa.table({})


def _is_iso_date(v: str) -> bool:
    if len(v) != 10:
        return False
    try:
        _dt.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _year_report(rep: YearReport, **_: Any) -> Any:
    pa = import_pyarrow()
    rows = rep.to_records()
    numeric = [
        float(r["value"])
        if isinstance(r["value"], int | float) and not isinstance(r["value"], bool)
        else None
        for r in rows
    ]
    return pa.table(
        {
            "metric": _categorical([r["metric"] for r in rows]),
            "name": pa.array([r["name"] for r in rows], type=pa.string()),
            "value": pa.array(numeric, type=pa.float64()),
            "text": pa.array([str(r["value"]) for r in rows], type=pa.string()),
        }
    )


def _typed(rows: list[dict[str, Any]], types: Mapping[str, str]) -> Any:
    """Rows as a table of fixed column types (the same schema when there are no rows)."""
    pa = import_pyarrow()
    make = {
        "str": pa.string(),
        "strs": pa.list_(pa.string()),
        "bool": pa.bool_(),
        "float": pa.float64(),
        "int": pa.int64(),
    }
    schema = pa.schema([(k, make[t]) for k, t in types.items()])
    return pa.Table.from_pylist(rows, schema=schema)


_POOL_TYPES = {
    "id": "str", "name": "str", "department": "str", "certified": "bool",
    "certificate_number": "str", "qualifications": "strs", "expertise": "strs",
    "regions": "strs", "available": "bool", "expert": "bool",
}  # fmt: skip
_ITEM_TYPES = {
    "id": "str", "name": "str", "department": "str", "kind": "str", "legal_basis": "str",
    "content": "str", "method": "str", "target_kinds": "strs",
    "required_qualifications": "strs", "ratio_cap": "float", "yearly_frequency_limit": "int",
    "description": "str",
}  # fmt: skip


def _pool(pool: InspectorPool, **_: Any) -> Any:
    return _typed(pool.to_records(), _POOL_TYPES)


def _items(items: ItemList, **_: Any) -> Any:
    rows = items.to_records()
    t = _typed(rows, _ITEM_TYPES)
    t = t.set_column(t.column_names.index("kind"), "kind", _categorical([r["kind"] for r in rows]))
    if items.max_key_items is not None:  # a property of the list, kept with its table
        t = t.replace_schema_metadata({MAX_KEY_ITEMS_KEY: str(items.max_key_items)})
    return t


_BUILDERS: tuple[tuple[type, Callable[..., Any]], ...] = (
    (TargetRegistry, _registry),
    (Draw, _draw),
    (PlanRun, _plan_run),
    (DrawRecord, _draw_record),
    (YearState, _year_state),
    (YearReport, _year_report),
    (InspectorPool, _pool),
    (ItemList, _items),
    (Table, lambda t, **_: _rows_table(t.to_records())),
    (Feedback, lambda f, **_: _rows_table(f.to_records())),
    (RegistryDiff, lambda d, **_: _rows_table(d.to_records())),
)


def _labels_for(obj: object) -> Mapping[str, str]:
    if isinstance(obj, InspectorPool):
        return {**ZH_LABELS, **{f: h[0] for f, h in INSPECTOR_HEADERS.items()}}
    if isinstance(obj, ItemList):
        return {**ZH_LABELS, **{f: h[0] for f, h in ITEM_HEADERS.items()}}
    return ZH_LABELS


def to_arrow(obj: object, *, lang: str = "en", population: bool = False) -> Any:
    """``obj`` as a ``pyarrow.Table``.

    Accepted: a :class:`~randsupervise.model.TargetRegistry` (one row per target),
    :class:`~randsupervise.draw.Draw` (one row per selected unit in ticket order, with its
    stratum, 0-based batch, ticket (16 hex digits, as in the receipt) and inclusion
    probability; ``population=True`` gives
    every register row with ``selected``), :class:`~randsupervise.cycle.PlanRun` (one row
    per visit in batch order, with its batch ids, dates and team),
    :class:`~randsupervise.cycle.DrawRecord`, :class:`~randsupervise.cycle.YearState`,
    :class:`~randsupervise.metrics.YearReport`, a metrics
    :class:`~randsupervise.metrics.Table`, :class:`~randsupervise.cycle.Feedback`,
    :class:`~randsupervise.model.InspectorPool`, :class:`~randsupervise.model.ItemList`
    and :class:`~randsupervise.model.RegistryDiff`. ``lang="zh"`` labels the columns in
    Chinese.

    Examples:
        >>> from randsupervise.model import TargetRegistry
        >>> reg = TargetRegistry.from_columns(id=["T1", "T2"], risk_class=["A", "D"])
        >>> to_arrow(reg).column("risk_class").to_pylist()
        ['A', 'D']
        >>> to_arrow(reg, lang="zh").column_names[:3]
        ['统一社会信用代码', '企业名称', '主体类型']
    """
    language = check_one_of(lang, ("en", "zh"), "lang", what="to_arrow")
    check_bool(population, "population", what="to_arrow")
    for cls, build in _BUILDERS:
        if isinstance(obj, cls):
            table = build(obj, population=population)
            break
    else:
        raise ValidationError(
            [
                Problem(
                    field="obj",
                    message=f"cannot make a table of {describe(obj)} ({type(obj).__name__}); "
                    f"expected one of {[c.__name__ for c, _ in _BUILDERS]}",
                )
            ],
            what="to_arrow",
        )
    if language == "zh":
        names = _labels_for(obj)
        meta = table.schema.metadata
        table = table.rename_columns([names.get(c, c) for c in table.column_names])
        table = table.replace_schema_metadata(meta)
    return table


def to_pandas(obj: object, *, lang: str = "en", population: bool = False) -> Any:
    """``obj`` as a pandas ``DataFrame`` (see :func:`to_arrow` for what is accepted).

    Dates are ``datetime64`` columns, categorical columns ``Categorical``.

    Examples:
        >>> from randsupervise.model import TargetRegistry
        >>> reg = TargetRegistry.from_columns(id=["T1", "T2"], risk_class=["A", "D"])
        >>> str(to_pandas(reg)["risk_class"].dtype)
        'category'
    """
    table = to_arrow(obj, lang=lang, population=population)
    return table.to_pandas(date_as_object=False)


def to_polars(obj: object, *, lang: str = "en", population: bool = False) -> Any:
    """``obj`` as a Polars ``DataFrame`` (see :func:`to_arrow`); needs ``polars``."""
    table = to_arrow(obj, lang=lang, population=population)
    try:
        import polars
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("to_polars needs polars: pip install 'randsupervise[polars]'") from e
    return polars.from_arrow(table)
