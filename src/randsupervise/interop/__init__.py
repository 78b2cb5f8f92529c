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

from randsupervise.interop import inbound as _inbound
from randsupervise.interop import labels as _labels
from randsupervise.interop import outbound as _outbound
from randsupervise.interop import plan_file as _plan_file
from randsupervise.interop import progress as _progress
from randsupervise.interop.inbound import *  # noqa: F403
from randsupervise.interop.labels import *  # noqa: F403
from randsupervise.interop.outbound import *  # noqa: F403
from randsupervise.interop.plan_file import *  # noqa: F403
from randsupervise.interop.progress import *  # noqa: F403

# Every submodule's public names, each list written once in its module.
__all__: list[str] = []
__all__ += _inbound.__all__
__all__ += _labels.__all__
__all__ += _outbound.__all__
__all__ += _plan_file.__all__
__all__ += _progress.__all__
