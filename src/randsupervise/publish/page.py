"""HTML: one self-contained page per publication, print-friendly.

Invariants (architecture principles 1 and 10: returned as ``str``, no file written):

* No network access at all: styles inline, no external script, font, image or link.
* A drawn list's page embeds its records and the browser verifier (``verifier.js``,
  package data) to recheck them, and the announcement its draws are checked against.
* Embedded JSON cannot close its script element.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any

from randsupervise._core.frozen import thaw
from randsupervise.publish.document import Publication, Table

__all__ = ["to_html", "verifier_script"]


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
