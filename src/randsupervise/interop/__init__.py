"""Tables in and out: Arrow, pandas and Polars, Chinese headers and values.

Everything goes through one path, the Arrow C stream interface (``__arrow_c_stream__``):
a pandas or Polars ``DataFrame`` or a ``pyarrow.Table`` comes in as an Arrow table
(:func:`registry_from`, :func:`inspectors_from`, :func:`items_from`), and every main
table goes out as one (:func:`to_arrow`), from which :func:`to_pandas` and
:func:`to_polars` are made. pyarrow is an optional dependency (``randsupervise[arrow]``),
imported only when a table is read or written.

Examples:
    >>> import pandas as pd
    >>> from randsupervise.interop import registry_from, to_arrow
    >>> df = pd.DataFrame({"统一社会信用代码": ["T1", "T2", "T3"],
    ...                    "风险等级": ["低风险", "一般风险", "高风险"],
    ...                    "登记状态": ["存续", "在业", "吊销"]})
    >>> reg = registry_from(df)
    >>> registry_from(to_arrow(reg)).digest() == reg.digest()
    True
"""

from __future__ import annotations

from randsupervise.interop.inbound import (
    DEFAULT_SEPARATOR,
    inspectors_from,
    items_from,
    registry_from,
)
from randsupervise.interop.labels import (
    INSPECTOR_HEADERS,
    ITEM_HEADERS,
    ITEM_KIND_ALIASES,
    KIND_ALIASES,
    REGISTRY_HEADERS,
    RISK_ALIASES,
    STATUS_ALIASES,
    ZH_LABELS,
)
from randsupervise.interop.outbound import to_arrow, to_pandas, to_polars
from randsupervise.interop.plan_file import plan_from_toml, plan_to_toml
from randsupervise.interop.progress import tqdm_progress

__all__ = [
    "DEFAULT_SEPARATOR",
    "INSPECTOR_HEADERS",
    "ITEM_HEADERS",
    "ITEM_KIND_ALIASES",
    "KIND_ALIASES",
    "REGISTRY_HEADERS",
    "RISK_ALIASES",
    "STATUS_ALIASES",
    "ZH_LABELS",
    "inspectors_from",
    "items_from",
    "plan_from_toml",
    "plan_to_toml",
    "registry_from",
    "to_arrow",
    "to_pandas",
    "to_polars",
    "tqdm_progress",
]
