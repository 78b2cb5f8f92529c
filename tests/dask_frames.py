"""The small registers the Dask tests draw, as pandas frames, and the same register in
memory: one definition for every Dask test file."""

from __future__ import annotations

import pandas as pd

from randsupervise.model import TargetRegistry

#: The frame columns that are register columns (``in_memory`` reads those present).
REGISTER_COLUMNS = ("id", "risk_class", "region", "weight")


def frame(n: int = 600, *, named_every: int = 5, weights: bool = False) -> pd.DataFrame:
    """``n`` targets: credit-code-like ids, every ``named_every``-th a Chinese name;
    classes A A B C D in turn; three towns; with ``weights``, a weight 1-7."""
    columns = {
        "id": [f"9135{i:06}X" if i % named_every else f"商户-{i}" for i in range(n)],
        "risk_class": ["AABCD"[i % 5] for i in range(n)],
        "region": [("东城镇", "西城镇", "南山乡")[i % 3] for i in range(n)],
    }
    if weights:
        columns["weight"] = [1.0 + (i % 7) for i in range(n)]
    return pd.DataFrame(columns)


def in_memory(df: pd.DataFrame) -> TargetRegistry:
    """The frame's register, built in memory from its register columns."""
    return TargetRegistry.from_columns(
        **{c: df[c].tolist() for c in REGISTER_COLUMNS if c in df.columns}
    )
