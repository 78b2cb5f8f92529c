"""A named table of rows with summary figures: what every metric returns.

Invariants: a table is a value (frozen); its rows and summary are plain JSON-able data;
text and HTML renderings show the same figures (``_core.display``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from randsupervise._core.display import html_table, text_table

__all__ = ["Table"]


def _rows(v: Iterable[Mapping[str, Any]]) -> tuple[Mapping[str, Any], ...]:
    return tuple(v)


@attrs.frozen(kw_only=True)
class Table:
    """A named table of rows with summary figures; notebook- and pandas-friendly.

    Examples:
        >>> t = Table(name="example", rows=({"a": 1},), summary={"total": 1})
        >>> t.to_records(), t.summary["total"]
        ([{'a': 1}], 1)
    """

    name: str
    rows: tuple[Mapping[str, Any], ...] = attrs.field(converter=_rows)
    summary: Mapping[str, Any] = attrs.field(factory=dict)

    def to_records(self) -> list[dict[str, Any]]:
        """The rows as dicts: ``pandas.DataFrame(table.to_records())``."""
        return [dict(r) for r in self.rows]

    def columns(self) -> dict[str, list[Any]]:
        keys: list[str] = []
        for r in self.rows:
            keys += [k for k in r if k not in keys]
        return {k: [r.get(k) for r in self.rows] for k in keys}

    def to_text(self, max_rows: int = 20) -> str:
        head = f"{self.name}: " + ", ".join(f"{k}={_fmt(v)}" for k, v in self.summary.items())
        if not self.rows:
            return head
        return head + "\n" + text_table(self.columns(), max_rows=max_rows, indent="  ")

    def __repr__(self) -> str:
        return self.to_text(max_rows=5)

    def _repr_html_(self) -> str:
        cap = f"{self.name}: " + ", ".join(f"{k}={_fmt(v)}" for k, v in self.summary.items())
        return html_table(cap, self.columns())


def _fmt(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def _share(a: int, b: int) -> float:
    return a / b if b else 1.0
