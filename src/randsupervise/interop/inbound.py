"""Registers and lists from the tables platforms and notebooks hold.

Invariants:

* One path for every library: the input becomes a ``pyarrow.Table``
  (:func:`~randsupervise.interop._tables.as_table`), the table's headers are mapped to
  fields, Chinese values are translated through the tables of
  :mod:`randsupervise.interop.labels`, and the result is built by the model's own
  constructors (:meth:`TargetRegistry.from_columns`, :meth:`InspectorPool.from_records`,
  :meth:`ItemList.from_records`), so every rule of the model applies unchanged.
* Columns stay columnar: categorical register columns are dictionary-encoded by Arrow
  and only their distinct values are translated in Python (no loop over rows in Python
  but the model's own).
* Null cells: in ``region`` and ``industry`` (and an empty string there) mean "not
  recorded"; a null ``name`` means the id; any other null is refused by the model naming
  its row. In inspector and item tables a null cell takes the field's default.
* Set-valued cells (an inspector's qualifications, expertise and regions; an item's
  target kinds and required qualifications) are Arrow lists, or strings split at
  ``separator`` (``";"`` by default, the full-width ``"；"`` too), each part trimmed and
  empty parts dropped: ``"网络文化;娱乐场所"`` is two values.
* Every problem names the row by its label (the DataFrame index) and the column by the
  caller's header.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np

from randsupervise._core.validation import describe
from randsupervise.errors import Problem, ValidationError
from randsupervise.interop._tables import (
    RowLabels,
    as_table,
    import_pyarrow,
    relabel,
    resolve_headers,
)
from randsupervise.interop.labels import (
    INSPECTOR_HEADERS,
    ITEM_HEADERS,
    ITEM_KIND_ALIASES,
    KIND_ALIASES,
    REGISTRY_HEADERS,
    RISK_ALIASES,
    STATUS_ALIASES,
)
from randsupervise.interop.outbound import MAX_KEY_ITEMS_KEY
from randsupervise.model import InspectorPool, ItemList, TargetRegistry

__all__ = ["DEFAULT_SEPARATOR", "inspectors_from", "items_from", "registry_from"]

#: The separator of set-valued cells (the full-width ``"；"`` is read as one too).
DEFAULT_SEPARATOR = ";"

_YES_NO: Mapping[str, bool] = {"是": True, "否": False, "true": True, "false": False}
_VALUE_ALIASES: Mapping[str, Mapping[str, str]] = {
    "status": STATUS_ALIASES,
    "kind": KIND_ALIASES,
    "risk_class": RISK_ALIASES,
}


def _missing_field(field: str, usual: Mapping[str, tuple[str, ...]], what: str) -> Problem:
    return Problem(
        field=field,
        message=f"no column for {field!r}: expected one of {[field, *usual[field]]} "
        f"or columns={{{field!r}: 'your header'}}",
    )


def _categorical(column: Any, field: str) -> Any:
    """A string column as an object array, translated through the field's aliases.

    Arrow dictionary-encodes it; only the distinct values are looked at in Python.
    """
    pa = import_pyarrow()
    if pa.types.is_null(column.type):  # a column with nothing in it (pandas: all None/NaN)
        column = column.cast(pa.string())
    if not (
        pa.types.is_string(column.type)
        or pa.types.is_large_string(column.type)
        or pa.types.is_dictionary(column.type)
    ):
        return column.to_numpy(zero_copy_only=False)  # numbers etc.: the model names them
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_encode()
    values: list[Any] = arr.dictionary.to_pylist()
    aliases = _VALUE_ALIASES.get(field, {})
    values = [aliases.get(v, v) if isinstance(v, str) else v for v in values]
    # a null cell: "not recorded" in region and industry, missing elsewhere
    values.append("" if field in ("region", "industry") else None)
    lut = np.empty(len(values), dtype=object)
    lut[:] = values
    idx = arr.indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False)
    return lut[idx]


def _text(column: Any) -> Any:
    """A column as a numpy array (str cells as str objects, nulls as None)."""
    return column.to_numpy(zero_copy_only=False)


def registry_from(
    table: object,
    *,
    columns: Mapping[str, str] | None = None,
    check_credit_codes: bool = False,
) -> TargetRegistry:
    """A :class:`~randsupervise.model.TargetRegistry` from a table.

    ``table`` is a ``pyarrow.Table``, a pandas or Polars ``DataFrame``, any object with
    ``__arrow_c_stream__``, or a mapping of column names to columns. ``columns`` maps
    register fields to the table's headers (``{"id": "信用代码"}``); fields it leaves out
    are found under their usual Chinese headers (:data:`~randsupervise.interop.labels.
    REGISTRY_HEADERS`: 统一社会信用代码, 企业名称, 主体类型, 所属区域, 行业, 风险等级,
    登记状态, 权重) or their own names. Other columns are ignored.

    Values may be Chinese: statuses (存续, 在业, 注销, 吊销, 迁出, ...), kinds (企业,
    个体工商户, ...), risk classes (低风险 ... 高风险, A-D, 0-3). ``id`` and ``risk_class``
    are required; the other fields take the defaults of :meth:`TargetRegistry.from_columns`.

    Raises :class:`~randsupervise.errors.ValidationError` naming every bad row by its
    label (a DataFrame's index label) and column by its header.

    Examples:
        >>> import pandas as pd
        >>> df = pd.DataFrame({"统一社会信用代码": ["T1", "T2"], "风险等级": ["低风险", "高风险"],
        ...                    "登记状态": ["存续", "注销"]}, index=[10, 11])
        >>> reg = registry_from(df)
        >>> reg["T2"].risk_class.name, reg["T2"].status
        ('D', 'deregistered')
        >>> registry_from(df.assign(风险等级=["低风险", "很高"]))
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: TargetRegistry: row 11, id 'T2', field '风险等级 ...
    """
    what = "TargetRegistry"
    t, labels = as_table(table, what=what)
    headers = resolve_headers(columns, t.column_names, REGISTRY_HEADERS, what=what)
    missing = [
        _missing_field(f, REGISTRY_HEADERS, what) for f in ("id", "risk_class") if f not in headers
    ]
    if missing:
        raise ValidationError(missing, what=what)
    kwargs: dict[str, Any] = {}
    for field, header in headers.items():
        col = t.column(header)
        if field in ("kind", "region", "industry", "status", "risk_class"):
            kwargs[field] = _categorical(col, field)
        else:
            kwargs[field] = _text(col)
    if "name" in headers and t.column(headers["name"]).null_count:
        null = np.flatnonzero(t.column(headers["name"]).is_null().to_numpy(zero_copy_only=False))
        names = np.array(kwargs["name"], dtype=object)
        names[null] = np.asarray(kwargs["id"], dtype=object)[null]  # a null name: the id
        kwargs["name"] = names
    try:
        return TargetRegistry.from_columns(
            **kwargs, check_credit_codes=check_credit_codes, allow_empty=("region", "industry")
        )
    except ValidationError as e:
        raise relabel(_with_chinese_hints(e), labels, headers, what=what) from None


def _with_chinese_hints(err: ValidationError) -> ValidationError:
    """``err`` with the Chinese spellings named next to the English values an unknown
    status, kind or risk class was compared with."""
    out = []
    for p in err.problems:
        aliases = _VALUE_ALIASES.get(p.field or "")
        if aliases and p.message.startswith("unknown"):
            shown = "、".join(list(dict.fromkeys(aliases))[:8])
            p = attrs.evolve(p, message=f"{p.message} (or in Chinese: {shown}, ...)")
        out.append(p)
    return ValidationError(out, what=err.what)


def _split(value: object, separator: str) -> object:
    """A set-valued cell as a list of its parts; other values unchanged (for the report)."""
    if isinstance(value, str):
        text = value.replace("；", ";") if separator == ";" else value
        return [p.strip() for p in text.split(separator) if p.strip()]
    return value


def _records(
    table: object,
    columns: Mapping[str, str] | None,
    usual: Mapping[str, tuple[str, ...]],
    convert: Mapping[str, Callable[[Any], Any]],
    what: str,
) -> tuple[list[dict[str, Any]], RowLabels, dict[str, str], Mapping[bytes, bytes]]:
    t, labels = as_table(table, what=what)
    headers = resolve_headers(columns, t.column_names, usual, what=what)
    missing = [_missing_field(f, usual, what) for f in ("id",) if f not in headers]
    if missing:
        raise ValidationError(missing, what=what)
    fields = list(headers)
    data = {f: t.column(headers[f]).to_pylist() for f in fields}
    rows: list[dict[str, Any]] = []
    for k in range(t.num_rows):
        row: dict[str, Any] = {}
        for f in fields:
            v = data[f][k]
            if v is None or (isinstance(v, float) and v != v):
                continue  # null: the field's default (a required field is then reported)
            row[f] = convert[f](v) if f in convert else v
        rows.append(row)
    return rows, labels, headers, t.schema.metadata or {}


def _flag(value: object) -> object:
    if isinstance(value, str) and value.strip().lower() in _YES_NO:
        return _YES_NO[value.strip().lower()]
    return value


def _integral(value: object) -> object:
    """A whole float (pandas stores an integer column with gaps as floats) as an int."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def inspectors_from(
    table: object, *, columns: Mapping[str, str] | None = None, separator: str = DEFAULT_SEPARATOR
) -> InspectorPool:
    """An :class:`~randsupervise.model.InspectorPool` from a table (one row per inspector).

    Headers map to fields as in :func:`registry_from` (usual headers:
    :data:`~randsupervise.interop.labels.INSPECTOR_HEADERS`). ``qualifications``,
    ``expertise`` and ``regions`` are lists or strings split at ``separator``; flags
    accept ``True``/``False`` and 是/否.

    Examples:
        >>> import pyarrow as pa
        >>> t = pa.table({"编号": ["I1"], "姓名": ["张三"], "部门": ["文旅局"], "持证": ["是"],
        ...               "执法证号": ["C-1"], "专业领域": ["网络文化;娱乐场所"],
        ...               "负责区域": ["东城镇"]})
        >>> sorted(inspectors_from(t)["I1"].expertise)
        ['娱乐场所', '网络文化']
    """
    what = "inspector pool"
    sep = _check_separator(separator, what)
    split = lambda v: _split(v, sep)  # noqa: E731
    convert = {
        "qualifications": split,
        "expertise": split,
        "regions": split,
        "certified": _flag,
        "available": _flag,
        "expert": _flag,
    }
    rows, labels, headers, _ = _records(table, columns, INSPECTOR_HEADERS, convert, what)
    try:
        return InspectorPool.from_records(rows)
    except ValidationError as e:
        raise relabel(e, labels, headers, what=what) from None


def _kinds(value: object, separator: str) -> object:
    parts = _split(value, separator)
    if isinstance(parts, list):
        return [KIND_ALIASES.get(p, p) if isinstance(p, str) else p for p in parts]
    return parts


def items_from(
    table: object,
    *,
    columns: Mapping[str, str] | None = None,
    separator: str = DEFAULT_SEPARATOR,
    max_key_items: int | None = None,
) -> ItemList:
    """An :class:`~randsupervise.model.ItemList` from a table (one row per item).

    Usual headers: :data:`~randsupervise.interop.labels.ITEM_HEADERS`. ``kind`` accepts
    重点检查事项/一般检查事项; ``target_kinds`` the Chinese kinds (企业;个体工商户), split at
    ``separator``. ``max_key_items`` defaults to the one a table written by
    :func:`~randsupervise.interop.to_arrow` carries in its schema metadata.

    Examples:
        >>> import pyarrow as pa
        >>> t = pa.table({"事项编号": ["K1"], "事项名称": ["网吧检查"], "实施部门": ["文旅局"],
        ...               "事项类别": ["重点检查事项"], "法律依据": ["条例"], "检查内容": ["c"],
        ...               "检查方式": ["现场检查"], "检查对象": ["企业;个体工商户"]})
        >>> it = items_from(t)["K1"]
        >>> it.kind.value, sorted(it.target_kinds)
        ('key', ['enterprise', 'sole_trader'])
    """
    what = "item list"
    sep = _check_separator(separator, what)
    convert = {
        "kind": lambda v: ITEM_KIND_ALIASES.get(v, v) if isinstance(v, str) else v,
        "target_kinds": lambda v: _kinds(v, sep),
        "required_qualifications": lambda v: _split(v, sep),
        "yearly_frequency_limit": _integral,
    }
    rows, labels, headers, meta = _records(table, columns, ITEM_HEADERS, convert, what)
    if max_key_items is None and meta.get(MAX_KEY_ITEMS_KEY.encode(), b"").isdigit():
        max_key_items = int(meta[MAX_KEY_ITEMS_KEY.encode()])  # written by to_arrow
    try:
        return ItemList.from_records(rows, max_key_items=max_key_items)
    except ValidationError as e:
        raise relabel(e, labels, headers, what=what) from None


def _check_separator(separator: object, what: str) -> str:
    if not isinstance(separator, str) or not separator or separator.isspace():
        raise ValidationError(
            [
                Problem(
                    field="separator",
                    message=f"must be a non-blank str, got {describe(separator)}",
                )
            ],
            what=what,
        )
    return separator
