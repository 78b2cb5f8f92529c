"""Small helpers that render tables for ``__repr__``, ``_repr_html_`` and text reports.

Invariants: rendering is pure (strings in, strings out), escapes every cell for HTML and
never truncates silently: a cut table says how many rows it left out. A ``repr`` stays a
few lines whatever the size of the object (:func:`short`); ``_repr_html_`` shows a
summary and the first rows (:func:`html_summary`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["columns", "html_summary", "html_table", "short", "table_repr", "text_table"]


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list | tuple | frozenset | set):
        return ",".join(str(x) for x in v)
    return "" if v is None else str(v)


def columns(rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> dict[str, list[Any]]:
    """The ``keys`` columns of ``to_records()``-style rows, for the table helpers.

    Examples:
        >>> columns([{"a": 1, "b": 2}, {"a": 3, "b": 4}], ["b"])
        {'b': [2, 4]}
    """
    return {k: [r[k] for r in rows] for k in keys}


def table_repr(head: str, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]) -> str:
    """A ``repr``: its head line, then the first rows of the ``keys`` columns.

    Examples:
        >>> table_repr("Things(n=1)", [{"a": 1, "b": 2}], ["a"])
        'Things(n=1)\\n  a\\n  1'
    """
    return head + "\n" + text_table(columns(rows, keys), max_rows=5, indent="  ")


def _rows(columns: Mapping[str, Sequence[Any]]) -> int:
    return max((len(v) for v in columns.values()), default=0)


def html_table(title: str, columns: Mapping[str, Sequence[Any]], *, max_rows: int = 20) -> str:
    """An HTML table with a caption; at most ``max_rows`` rows, the rest counted.

    Examples:
        >>> html_table("t", {"a": [1, "<b>"]})
        '<table><caption>t</caption><tr><th>a</th></tr><tr><td>1</td></tr><tr><td>&lt;b&gt;</td></tr></table>'
    """
    n = _rows(columns)
    head = "".join(f"<th>{html.escape(k)}</th>" for k in columns)
    body = []
    for i in range(min(n, max_rows)):
        cells = "".join(f"<td>{html.escape(_cell(col[i]))}</td>" for col in columns.values())
        body.append(f"<tr>{cells}</tr>")
    more = (
        f"<tr><td colspan={len(columns)}>… {n - max_rows} more rows</td></tr>"
        if n > max_rows
        else ""
    )
    cap = f"<caption>{html.escape(title)}</caption>"
    return f"<table>{cap}<tr>{head}</tr>{''.join(body)}{more}</table>"


def text_table(
    columns: Mapping[str, Sequence[Any]], *, max_rows: int = 20, indent: str = ""
) -> str:
    """A plain-text table with aligned columns; at most ``max_rows`` rows, the rest counted.

    Examples:
        >>> print(text_table({"item": ["K01", "G01"], "rate": [1.0, 0.5]}))
        item  rate
        K01   1
        G01   0.5
    """
    n = _rows(columns)
    shown = min(n, max_rows)
    cells = [[_cell(col[i]) for i in range(shown)] for col in columns.values()]
    widths = [
        max([_width(k)] + [_width(c) for c in col]) for k, col in zip(columns, cells, strict=True)
    ]
    lines = [_line(list(columns), widths)]
    for i in range(shown):
        lines.append(_line([col[i] for col in cells], widths))
    if n > shown:
        lines.append(f"… {n - shown} more rows")
    return "\n".join(indent + line.rstrip() for line in lines)


def _width(s: str) -> int:
    # CJK characters take two columns in a terminal
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _line(values: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True))


def short(values: Sequence[Any], *, limit: int = 3) -> str:
    """The first ``limit`` values and how many more, for a one-line ``repr``.

    Examples:
        >>> short(["a", "b", "c", "d", "e"])
        "['a', 'b', 'c', … 2 more]"
        >>> short([])
        '[]'
    """
    shown = ", ".join(repr(v) for v in list(values[:limit]))
    more = f", … {len(values) - limit} more" if len(values) > limit else ""
    return f"[{shown}{more}]"


def html_summary(
    title: str,
    summary: Mapping[str, Any],
    columns: Mapping[str, Sequence[Any]],
    *,
    total: int | None = None,
) -> str:
    """A notebook view: a title, summary figures, and the first rows (``columns``), with
    the rows left out counted when ``total`` says how many there are in all.

    Examples:
        >>> view = html_summary("Pool", {"inspectors": 2}, {"id": ["A"]}, total=2)
        >>> view.startswith("<div><strong>Pool</strong> — inspectors: 2<table>")
        True
        >>> "<td>A</td>" in view, "… 1 more rows" in view
        (True, True)
    """
    figures = ", ".join(
        f"{html.escape(str(k))}: {html.escape(_cell(v))}" for k, v in summary.items()
    )
    shown = _rows(columns)
    table = html_table("", columns, max_rows=shown).replace("<caption></caption>", "")
    if total is not None and total > shown:
        more = f"<tr><td colspan={len(columns)}>… {total - shown} more rows</td></tr>"
        table = table[: -len("</table>")] + more + "</table>"
    return f"<div><strong>{html.escape(title)}</strong> — {figures}{table}</div>"
