"""Publication formats: JSON, CSV, XLSX and a self-contained HTML page, all in memory.

Invariants (architecture principles 1 and 10: publication formats are returned as ``str`` or
``bytes``; only the command line writes files):

* A :class:`Publication` holds one document as JSON data (``data``: the machine-readable
  form, ASCII keys, the shape of :data:`SHAPES`) and as tables (``tables``: what a person
  reads, column labels in the publication's language). Every format is rendered from
  those two, so the formats cannot disagree.
* JSON (:func:`to_json`) is UTF-8 text; :func:`read_json` reads it back strictly (the
  receipts' strict parser: duplicate keys, non-finite numbers, unknown or missing keys
  are refused) and ``read_json(to_json(p)) == p.data``.
* CSV (:func:`to_csv`): one table, RFC 4180 quoting, CRLF line ends, UTF-8 **with** a
  byte-order mark by default (so spreadsheet programs on Chinese Windows read it as
  UTF-8), or GB18030 without one (``encoding="gb18030"``) for older tools. A cell that a
  spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
  carriage return, other than a plain number) is written with a leading apostrophe.
* XLSX (:func:`to_xlsx`): one sheet per table, written with the standard library only
  (a zip of SpreadsheetML parts, strings inline); no extra dependency is needed.
* HTML (:func:`to_html`): one page, no network access at all: styles inline, no external
  script, font, image or link; print-friendly. A drawn list's page embeds its records
  and the browser verifier (``verifier.js``, package data) to recheck them.

This module renders JSON and CSV and reads JSON back; the document is
:mod:`~randsupervise.publish.document`, its shapes :mod:`~randsupervise.publish.shapes`,
the XLSX writer :mod:`~randsupervise.publish.xlsx` and the HTML page
:mod:`~randsupervise.publish.page`. Every name stays importable from here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from randsupervise._core.frozen import thaw
from randsupervise._core.strict_json import check_shape, parse
from randsupervise.errors import Problem, ValidationError

# Re-exported (``name as name``) so every name stays importable from here; each is
# listed in the ``__all__`` of the module that defines it.
from randsupervise.publish.document import FORMATS as FORMATS
from randsupervise.publish.document import PUBLICATION_FORMAT as PUBLICATION_FORMAT
from randsupervise.publish.document import PUBLICATION_VERSION as PUBLICATION_VERSION
from randsupervise.publish.document import Publication as Publication
from randsupervise.publish.document import Table as Table
from randsupervise.publish.document import iso as iso
from randsupervise.publish.page import to_html as to_html
from randsupervise.publish.page import verifier_script as verifier_script
from randsupervise.publish.shapes import SHAPES as SHAPES
from randsupervise.publish.shapes import json_schema as json_schema
from randsupervise.publish.xlsx import to_xlsx as to_xlsx

__all__ = ["csv_bytes", "read_json", "to_csv", "to_json"]


# -------------------------------------------------------------------------------- JSON
def to_json(pub: Publication, *, indent: int | None = 2) -> str:
    """The publication's JSON data as text (UTF-8 characters kept)."""
    return json.dumps(thaw(pub.data), ensure_ascii=False, indent=indent, allow_nan=False) + "\n"


def read_json(text: str | bytes) -> Any:
    """Read a publication document strictly and check its shape; returns frozen data.

    Raises:
        ValidationError: not JSON, a duplicate key, an unknown kind, or every key that is
            missing, unknown or of the wrong type (each named by its JSON path).
    """
    data = parse(text, what="publication", max_depth=24)
    if not isinstance(data, Mapping) or data.get("format") != PUBLICATION_FORMAT:
        raise ValidationError(
            [Problem(field="format", message=f"not a {PUBLICATION_FORMAT!r} document")],
            what="publication",
        )
    kind = data.get("kind")
    if kind not in SHAPES:
        raise ValidationError(
            [Problem(field="kind", message=f"unknown kind {kind!r}; one of {list(SHAPES)}")],
            what="publication",
        )
    check_shape(data, SHAPES[str(kind)], what=f"publication ({kind})")
    return data


# --------------------------------------------------------------------------------- CSV
_FORMULA = re.compile(r"[=+\-@\t\r]")
_NUMBER = re.compile(r"-?\d+(\.\d+)?\Z")


def _csv_field(value: str, guard: bool = True) -> str:
    # a spreadsheet runs a cell starting with = + - @ as a formula: a firm's name taken
    # from a register must not become one (a leading apostrophe keeps it text)
    if guard and _FORMULA.match(value) and not _NUMBER.match(value):
        value = "'" + value
    if any(c in value for c in ',"\r\n') or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


def _table(pub: Publication, name: str | None) -> Table:
    if name is None:
        return pub.tables[0]
    for t in pub.tables:
        if t.name == name:
            return t
    raise LookupError(f"no table {name!r}; tables: {[t.name for t in pub.tables]}")


def to_csv(pub: Publication, table: str | None = None, *, encoding: str = "utf-8-sig") -> bytes:
    """One table as CSV bytes (the first table by default).

    Args:
        table: The table's name (``Table.name``).
        encoding: ``"utf-8-sig"`` (UTF-8 with a byte-order mark, the default) or
            ``"gb18030"``.

    Raises:
        LookupError: no table of that name.
        ValueError: another encoding.
    """
    t = _table(pub, table)
    return csv_bytes(t.columns, t.rows, encoding=encoding)


def csv_bytes(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    encoding: str = "utf-8-sig",
    guard_formulas: bool = True,
) -> bytes:
    r"""A header and rows as CSV bytes (RFC 4180 quoting, CRLF line ends).

    ``guard_formulas=False`` writes every value exactly (for data files read back by a
    program, such as the register); publications keep the guard (module notes).

    Examples:
        >>> csv_bytes(["a", "b"], [["1", 'say "hi", twice']])
        b'\xef\xbb\xbfa,b\r\n1,"say ""hi"", twice"\r\n'
    """
    if encoding not in ("utf-8-sig", "gb18030"):
        raise ValueError(f"encoding must be 'utf-8-sig' or 'gb18030', not {encoding!r}")
    lines = [
        ",".join(_csv_field(c, guard_formulas) for c in row) for row in (tuple(columns), *rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
