"""XLSX: one sheet per table, written with the standard library only.

Invariants (architecture principles 1 and 10: returned as ``bytes``, no file written):

* A workbook is a zip of SpreadsheetML parts with strings inline; no extra dependency is
  needed.
* Equal publications give equal bytes: the zip's timestamps are fixed.
"""

from __future__ import annotations

import html
import re
import struct
import zlib
from collections.abc import Sequence

from randsupervise.publish.document import Publication, Table

__all__ = ["to_xlsx"]


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
