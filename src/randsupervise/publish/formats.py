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
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import re
import struct
import zlib
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import Any

import attrs

from randsupervise._core.frozen import freeze, thaw
from randsupervise._core.strict_json import (
    ANY,
    ListOf,
    MapOf,
    Nullable,
    Obj,
    check_shape,
    parse,
)
from randsupervise.errors import Problem, ValidationError

__all__ = [
    "FORMATS",
    "PUBLICATION_FORMAT",
    "PUBLICATION_VERSION",
    "SHAPES",
    "Publication",
    "Table",
    "csv_bytes",
    "json_schema",
    "read_json",
    "to_csv",
    "to_html",
    "to_json",
    "to_xlsx",
    "verifier_script",
]

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


# ------------------------------------------------------------------------------ shapes
_TASK = Obj(
    required={
        "id": str,
        "name": str,
        "targeted": bool,
        "joint": bool,
        "type": str,
        "scope": MapOf(ListOf(str)),
        "scope_text": str,
        "items": ListOf(Obj(required={"id": str, "name": str, "kind": str})),
        "lead_department": str,
        "partner_departments": ListOf(str),
        "ratios": MapOf(float),
        "counts": MapOf(int),
        "random_batch_order": bool,
        "batches": ListOf(Obj(required={"id": str, "start": str, "end": str})),
        "stream": str,
    }
)
_ITEM = Obj(
    required={
        "id": str,
        "name": str,
        "kind": str,
        "kind_label": str,
        "department": str,
        "legal_basis": str,
        "content": str,
        "method": str,
        "target_kinds": ListOf(str),
        "ratio_cap": Nullable(float),
        "yearly_frequency_limit": int,
        "tasks": ListOf(str),
        "departments": ListOf(str),
        "windows": ListOf(Obj(required={"start": str, "end": str})),
    }
)
_FIRM = {"id": str, "name": str, "credit_code": Nullable(str)}
_HEAD = {"format": str, "version": int, "kind": str, "lang": str, "title": str, "year": int}
#: The shape of each kind of publication document (JSON), checked by :func:`read_json`;
#: ``docs/publish.md`` describes every field and :func:`json_schema` renders it as JSON
#: Schema.
SHAPES: Mapping[str, Obj] = {
    "announcement": Obj(
        required={
            **_HEAD,
            "announcement_kind": str,
            "date": str,
            "seed_date": str,
            "announcement_digest": str,
            "announcement": MapOf(ANY),
        }
    ),
    "plan": Obj(
        required={
            **_HEAD,
            "plan_digest": str,
            "items_digest": str,
            "items": ListOf(_ITEM),
            "tasks": ListOf(_TASK),
        }
    ),
    "drawn-list": Obj(
        required={
            **_HEAD,
            "form": str,
            "plan_title": str,
            "task": _TASK,
            "seed": str,
            "seed_source": str,
            "how_to_check": ListOf(str),
            "draws": ListOf(
                Obj(
                    required={
                        "stream": str,
                        "batches": ListOf(str),
                        "selected": ListOf(
                            Obj(
                                required={**_FIRM, "batch": str, "ticket": str},
                                optional={"risk_class": str},
                            )
                        ),
                        "record_digest": str,
                        "record": MapOf(ANY),
                    }
                )
            ),
        },
        optional={
            "announcement": Obj(
                required={"digest": str, "date": str, "seed_date": str, "href": str}
            )
        },
    ),
    "results": Obj(
        required={
            **_HEAD,
            "plan_title": str,
            "firms": ListOf(
                Obj(
                    required={
                        **_FIRM,
                        "inspections": ListOf(
                            Obj(
                                required={
                                    "task": str,
                                    "task_name": str,
                                    "type": str,
                                    "authority": ListOf(str),
                                    "completed_on": str,
                                    "result_codes": ListOf(str),
                                    "result": ListOf(str),
                                    "published_on": str,
                                }
                            )
                        ),
                    }
                )
            ),
        }
    ),
}


def _schema_of(shape: Any) -> dict[str, Any]:
    if shape is ANY:
        return {}
    if shape is str:
        return {"type": "string"}
    if shape is int:
        return {"type": "integer"}
    if shape is float:
        return {"type": "number"}
    if shape is bool:
        return {"type": "boolean"}
    if isinstance(shape, Nullable):
        inner = _schema_of(shape.shape)
        return {"anyOf": [inner, {"type": "null"}]}
    if isinstance(shape, ListOf):
        return {"type": "array", "items": _schema_of(shape.shape)}
    if isinstance(shape, MapOf):
        return {"type": "object", "additionalProperties": _schema_of(shape.shape)}
    assert isinstance(shape, Obj)
    props = {k: _schema_of(v) for k, v in {**shape.required, **shape.optional}.items()}
    return {
        "type": "object",
        "properties": props,
        "required": list(shape.required),
        "additionalProperties": False,
    }


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a publication document of ``kind``.

    Rendered from :data:`SHAPES`, the one definition :func:`read_json` checks against.

    Examples:
        >>> s = json_schema("results")
        >>> s["properties"]["kind"], s["required"][:3]
        ({'const': 'results'}, ['format', 'version', 'kind'])
    """
    out = _schema_of(SHAPES[kind])
    out["properties"]["format"] = {"const": PUBLICATION_FORMAT}
    out["properties"]["kind"] = {"const": kind}
    out["properties"]["lang"] = {"enum": ["zh", "en"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"randsupervise publication: {kind}",
        **out,
    }


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


# -------------------------------------------------------------------------------- XLSX
def _zip(files: Sequence[tuple[str, bytes]]) -> bytes:
    """A zip archive (deflate) of ``(name, content)`` pairs, built in memory."""
    out = bytearray()
    central = bytearray()
    stamp = (0, (1 << 5) | 1)  # 1980-01-01 00:00: fixed, so equal input gives equal bytes
    for name, data in files:
        raw = name.encode("utf-8")
        comp = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = comp.compress(data) + comp.flush()
        crc = zlib.crc32(data)
        head = struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0x0800, 8, *stamp, crc, len(packed), len(data),
            len(raw), 0,
        )  # fmt: skip
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x0800, 8, *stamp, crc, len(packed),
            len(data), len(raw), 0, 0, 0, 0, 0, len(out),
        ) + raw  # fmt: skip
        out += head + raw + packed
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(files), len(files), len(central), len(out), 0
    )
    return bytes(out + central + end)


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS = "http://schemas.openxmlformats.org"


def _col_name(k: int) -> str:
    s = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        s = chr(65 + r) + s
    return s


def _sheet_name(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name)
    return name


def _cell_text(s: str) -> str:
    # XML 1.0 forbids most control characters, even escaped
    s = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", s)
    return html.escape(s, quote=False)


def _sheet(t: Table) -> bytes:
    rows = []
    for r, row in enumerate((t.columns, *t.rows), start=1):
        bold = ' s="1"' if r == 1 else ""
        cells = "".join(
            f'<c r="{_col_name(c)}{r}" t="inlineStr"{bold}>'
            f'<is><t xml:space="preserve">{_cell_text(v)}</t></is></c>'
            for c, v in enumerate(row)
        )
        rows.append(f'<row r="{r}">{cells}</row>')
    widths = "".join(
        f'<col min="{k + 1}" max="{k + 1}" width="{min(60, 4 + 2 * max(len(x[k]) for x in (t.columns, *t.rows)))}" customWidth="1"/>'  # noqa: E501
        for k in range(len(t.columns))
    )
    return (
        _XML + f'<worksheet xmlns="{_NS}/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
        f"<cols>{widths}</cols><sheetData>{''.join(rows)}</sheetData></worksheet>"
    ).encode()


def to_xlsx(pub: Publication) -> bytes:
    """The publication as an XLSX workbook (bytes), one sheet per table, header row bold
    and frozen. Written with the standard library only."""
    used: set[str] = set()
    names = [_sheet_name(t.title, used) for t in pub.tables]
    rel = f"{_NS}/officeDocument/2006/relationships"
    sheets = "".join(
        f'<sheet name="{html.escape(n)}" sheetId="{k}" r:id="rId{k}"/>'
        for k, n in enumerate(names, start=1)
    )
    files: list[tuple[str, bytes]] = [
        (
            "[Content_Types].xml",
            (
                _XML
                + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'  # noqa: E501
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'  # noqa: E501
                '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'  # noqa: E501
                + "".join(
                    f'<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'  # noqa: E501
                    for k in range(1, len(names) + 1)
                )
                + "</Types>"
            ).encode(),
        ),
        (
            "_rels/.rels",
            (
                _XML
                + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ).encode(),
        ),
        (
            "xl/workbook.xml",
            (
                _XML + f'<workbook xmlns="{_NS}/spreadsheetml/2006/main" xmlns:r="{rel}">'
                f"<sheets>{sheets}</sheets></workbook>"
            ).encode(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            (
                _XML
                + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + "".join(
                    f'<Relationship Id="rId{k}" Type="{rel}/worksheet" Target="worksheets/sheet{k}.xml"/>'  # noqa: E501
                    for k in range(1, len(names) + 1)
                )
                + f'<Relationship Id="rId{len(names) + 1}" Type="{rel}/styles" Target="styles.xml"/>'  # noqa: E501
                "</Relationships>"
            ).encode(),
        ),
        (
            "xl/styles.xml",
            (
                _XML + f'<styleSheet xmlns="{_NS}/spreadsheetml/2006/main">'
                '<fonts count="2"><font><sz val="11"/></font><font><b/><sz val="11"/></font></fonts>'  # noqa: E501
                '<fills count="2"><fill><patternFill patternType="none"/></fill>'
                '<fill><patternFill patternType="gray125"/></fill></fills>'
                '<borders count="1"><border/></borders>'
                '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
                '<cellXfs count="2"><xf fontId="0"/><xf fontId="1" applyFont="1"/></cellXfs>'
                '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
                "</cellStyles>"
                "</styleSheet>"
            ).encode(),
        ),
    ]
    files += [(f"xl/worksheets/sheet{k}.xml", _sheet(t)) for k, t in enumerate(pub.tables, 1)]
    return _zip(files)


# -------------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
margin:2em auto;max-width:72em;padding:0 1em;color:#111;line-height:1.5}
h1{font-size:1.5em;border-bottom:2px solid #a00;padding-bottom:.3em}
h2{font-size:1.2em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em;font-size:.9em}
th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eee}
code,.mono{font-family:ui-monospace,"SFMono-Regular",Consolas,monospace;font-size:.9em;
word-break:break-all}
.rs-box{border:1px solid #999;padding:1em;margin:1em 0;background:#fafafa}
.rs-status{font-size:1.3em;font-weight:bold}
.rs-good{color:#060}.rs-bad{color:#a00}
textarea{width:100%;height:5em;font-family:monospace}
@media print{.rs-noprint{display:none}body{margin:0;max-width:none}
table{page-break-inside:auto}tr{page-break-inside:avoid}}
"""

_PAGE_WORDS = {
    "zh": {
        "check": "在浏览器中核验本次抽取",
        "how": "选择检查对象名录库文件（CSV），或把其内容粘贴到下面的文本框，然后点击“核验”。"
        "核验完全在本机浏览器中进行，不联网，不上传任何数据。",
        "file": "名录库文件：",
        "seed": "事先公布的随机种子原文（可选）：",
        "button": "核验",
        "announcement": "抽查预告",
        "generated": "本页由 randsupervise 生成，所有内容均为本地数据，无任何外部链接。",
    },
    "en": {
        "check": "Check this draw in your browser",
        "how": "Choose the register file (CSV), or paste its content into the box below, then "
        "press “Check”. Everything runs in this browser: nothing is sent anywhere.",
        "file": "Register file: ",
        "seed": "Seed text announced beforehand (optional): ",
        "button": "Check",
        "announcement": "The announcement",
        "generated": "Page made by randsupervise; everything on it is local, with no "
        "external link.",
    },
}


def verifier_script() -> str:
    """The browser verifier's source (``verifier.js``, shipped with the package)."""
    return resources.files("randsupervise.publish").joinpath("verifier.js").read_text("utf-8")


def _embed_json(value: Any) -> str:
    # inside <script>: "</" would end the element; "\/" is the same JSON string
    text = json.dumps(thaw(value), ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _html_table(t: Table) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in t.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in t.rows
    )
    return (
        f'<h2 id="{html.escape(t.name)}">{html.escape(t.title)}</h2>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def to_html(pub: Publication) -> str:
    """The publication as one self-contained HTML page (no network, print-friendly).

    A drawn list's page also embeds its records (``<script type="application/json">``)
    and the verifier, with a file input and a text box for the register.
    """
    w = _PAGE_WORDS["en" if pub.lang == "en" else "zh"]
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"en" if pub.lang == "en" else "zh-CN"}">',
        '<head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # no request may leave the page: not even for a favicon
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
        f"<title>{html.escape(pub.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(pub.title)}</h1>",
    ]
    parts += [f"<p>{html.escape(p)}</p>" for p in pub.paragraphs]
    ref = pub.data.get("announcement") if pub.kind == "drawn-list" else None
    if ref is not None:  # a relative link to the announcement's page, published beside it
        parts.append(
            f'<p><a href="{html.escape(str(ref["href"]))}">{html.escape(w["announcement"])}</a> '
            f"{html.escape(str(ref['date']))} <code>{html.escape(str(ref['digest']))}</code></p>"
        )
    if pub.embedded:
        parts += [
            '<section class="rs-box rs-noprint" id="rs-verifier">',
            f"<h2>{html.escape(w['check'])}</h2><p>{html.escape(w['how'])}</p>",
            f'<p><label>{html.escape(w["file"])}<input type="file" id="rs-register" '
            'accept=".csv,text/csv"></label></p>',
            '<p><textarea id="rs-register-text" aria-label="register CSV"></textarea></p>',
            f'<p><label>{html.escape(w["seed"])}<input type="text" id="rs-seed-text" size="50">'
            f'</label> <button type="button" id="rs-check">{html.escape(w["button"])}</button></p>',
            '<p id="rs-announcement" role="status"></p>',
            '<p id="rs-status" class="rs-status" role="status"></p><ul id="rs-result"></ul>',
            "</section>",
        ]
    parts += [_html_table(t) for t in pub.tables]
    parts.append(f'<p class="rs-noprint"><small>{html.escape(w["generated"])}</small></p>')
    for name, value in pub.embedded.items():
        parts.append(
            f'<script type="application/json" data-rs-document="{html.escape(name)}">'
            f"{_embed_json(value)}</script>"
        )
    if pub.embedded:
        parts.append(f"<script>\n{verifier_script()}</script>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def iso(d: _dt.date | None) -> str:
    """A date as ``YYYY-MM-DD`` (``""`` for none)."""
    return "" if d is None else d.isoformat()
