"""One published document: its JSON data, its tables and its page text.

Invariants (architecture principles 2 and 10):

* A :class:`Publication` holds one document as JSON data (``data``: the machine-readable
  form, ASCII keys, the shape of :data:`~randsupervise.publish.shapes.SHAPES`) and as
  tables (``tables``: what a person reads, column labels in the publication's language).
  Every format is rendered from those two, so the formats cannot disagree.
* Publications and tables are frozen values: the data is deeply frozen when built.
* Every document carries :data:`PUBLICATION_FORMAT` and :data:`PUBLICATION_VERSION`.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from randsupervise._core.frozen import freeze

__all__ = ["FORMATS", "PUBLICATION_FORMAT", "PUBLICATION_VERSION", "Publication", "Table", "iso"]

#: ``format`` written in every publication document, and its version.
PUBLICATION_FORMAT = "randsupervise.publication"
PUBLICATION_VERSION = 1
#: The formats a publication is rendered in.
FORMATS: tuple[str, ...] = ("json", "csv", "xlsx", "html")


def _strs(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def _rows(rows: Iterable[Iterable[object]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(str(c) for c in r) for r in rows)


@attrs.frozen(kw_only=True)
class Table:
    """One table of a publication: column labels and rows of text."""

    name: str
    title: str
    columns: tuple[str, ...] = attrs.field(converter=_strs)
    rows: tuple[tuple[str, ...], ...] = attrs.field(converter=_rows)


def _tables(tables: Iterable[Table]) -> tuple[Table, ...]:
    return tuple(tables)


@attrs.frozen(kw_only=True)
class Publication:
    """One published document: its JSON data, its tables and its page text.

    ``kind`` is ``"announcement"``, ``"plan"``, ``"drawn-list"`` or ``"results"``;
    ``paragraphs`` are shown above the tables on the HTML page; ``embedded`` maps a name
    to a record the page's verifier checks (drawn lists only: each draw's record, and the
    announcement its draws are checked against).
    """

    kind: str
    lang: str
    title: str
    data: Mapping[str, Any] = attrs.field(converter=freeze)
    tables: tuple[Table, ...] = attrs.field(converter=_tables)
    paragraphs: tuple[str, ...] = attrs.field(default=(), converter=_strs)
    embedded: Mapping[str, Any] = attrs.field(factory=dict, converter=freeze)


def _publication(
    data: Mapping[str, Any],
    *tables: Table,
    paragraphs: Iterable[str],
    title: str | None = None,
    embedded: Mapping[str, Any] | None = None,
) -> Publication:
    """The publication of ``data``: its kind, language and title are the data's own
    (``title`` when the page's differs)."""
    return Publication(
        kind=data["kind"],
        lang=data["lang"],
        title=data["title"] if title is None else title,
        data=data,
        tables=tables,
        paragraphs=paragraphs,
        embedded={} if embedded is None else embedded,
    )


def iso(d: _dt.date | None) -> str:
    """A date as ``YYYY-MM-DD`` (``""`` for none)."""
    return "" if d is None else d.isoformat()
