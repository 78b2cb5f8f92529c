"""The documentation in two languages: the built site's language switch, the note on
untranslated pages, links that work when the site is opened as files, the Chinese
README's doctests, and the glossary as the one source of the Chinese-English term pairs.

The site is built once for the module (``mkdocs build --strict``, a few seconds)."""

from __future__ import annotations

import enum
import importlib
import os
import pkgutil
import posixpath
import re
import subprocess
import sys
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import randsupervise

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GLOSSARY = DOCS / "glossary.md"
FALLBACK_NOTE = "本页尚无中文译文"
# Chinese pages promised by the project; other pages fall back to English with a note
TRANSLATED = [
    "index.md",
    "tutorial.md",
    "verify.md",
    "architecture.md",
    "publish.md",
    "explanation/fairness.md",
    "explanation/counting.md",
    "glossary.md",
]
# the national documents' wording that the Chinese pages use; each must be a glossary term
NATIONAL_TERMS = [
    "双随机、一公开",
    "检查对象名录库",
    "执法检查人员名录库",
    "随机抽查事项清单",
    "重点检查事项",
    "一般检查事项",
    "抽查比例",
    "联合抽查",
    "信用风险分类",
    "公示",
    "尽职照单免责",
]


# --- the built site -----------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.switch: dict[str, str] = {}
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        for key in ("href", "src"):
            if key in a and tag in ("a", "link", "script", "img"):
                self.links.append(a[key])
        if tag == "a" and "hreflang" in a and "md-select__link" in a.get("class", ""):
            self.switch[a["hreflang"]] = a["href"]


def _parse(page: Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _target(site: Path, page: Path, href: str) -> Path | None:
    """The file a relative link opens, as a browser does from a file:// page; None for
    links that leave the site (other schemes, absolute paths are reported by callers)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    if not path:  # "#anchor" on the same page
        return page
    base = page.parent.relative_to(site).as_posix()
    return site / posixpath.normpath(posixpath.join(base, path))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out


def _sources() -> list[str]:
    """The English source pages, as paths relative to docs/."""
    return sorted(
        p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md") if not p.name.endswith(".zh.md")
    )


def _html(source: str) -> str:
    return source[: -len(".md")] + ".html"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_switches_language_to_its_own_counterpart(site: Path, lang: str) -> None:
    problems = []
    for source in _sources():
        page = site / _html(source) if lang == "en" else site / "zh" / _html(source)
        assert page.is_file(), f"{page.relative_to(site)} was not built"
        links = _parse(page)
        assert links.lang == lang, f"{page.relative_to(site)}: <html lang={links.lang!r}>"
        expected = {"en": site / _html(source), "zh": site / "zh" / _html(source)}
        if set(links.switch) != set(expected):
            problems.append(f"{page.relative_to(site)}: switch offers {sorted(links.switch)}")
            continue
        for other, href in links.switch.items():
            # an absolute path would open the root of the disk from a file:// page
            target = None if href.startswith("/") else _target(site, page, href)
            if target != expected[other] or not target.is_file():
                problems.append(f"{page.relative_to(site)}: {other} link {href!r} is broken")
    assert not problems, "\n".join(problems)


def test_untranslated_pages_carry_the_fallback_note_and_translated_ones_do_not(
    site: Path,
) -> None:
    for source in _sources():
        translated = (DOCS / source.replace(".md", ".zh.md")).is_file()
        zh = (site / "zh" / _html(source)).read_text(encoding="utf-8")
        assert (FALLBACK_NOTE in zh) != translated, source
        assert FALLBACK_NOTE not in (site / _html(source)).read_text(encoding="utf-8"), source


def test_the_promised_pages_are_translated() -> None:
    missing = [p for p in TRANSLATED if not (DOCS / p.replace(".md", ".zh.md")).is_file()]
    assert not missing


def test_every_link_opens_a_file_also_from_a_file_url(site: Path) -> None:
    # with page/ URLs, file:// shows a folder listing: every link must name a file
    problems = []
    for page in site.rglob("*.html"):
        if page.name == "404.html":  # served by a web server at any depth: absolute links
            continue
        for href in _parse(page).links:
            if href.startswith(("mailto:", "javascript:", "data:")):
                continue
            if href.startswith("/"):
                problems.append(f"{page.relative_to(site)}: absolute link {href!r}")
                continue
            target = _target(site, page, href)
            if target is not None and not target.is_file():
                problems.append(f"{page.relative_to(site)}: {href!r} does not open a file")
    assert not problems, "\n".join(sorted(set(problems))[:40])


def test_every_chinese_page_has_an_english_original() -> None:
    orphans = [
        p.relative_to(DOCS).as_posix()
        for p in DOCS.rglob("*.zh.md")
        if not p.with_name(p.name.replace(".zh.md", ".md")).is_file()
    ]
    assert not orphans


def test_every_readme_and_every_chinese_page_is_doctested_by_make_test() -> None:
    # the pytest target names the READMEs one by one; a new language must be added there
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(ln for ln in makefile.splitlines() if "pytest" in ln and "README" in ln)
    for readme in ROOT.glob("README*.md"):
        assert readme.name in line.split(), f"{readme.name} is not doctested"
    # docs/ is collected with the doctest glob, which must take the page.zh.md files too
    assert "docs" in line.split()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    glob = re.search(r"--doctest-glob='([^']+)'", pyproject)
    assert glob and all(fnmatch(p.name, glob.group(1)) for p in DOCS.rglob("*.zh.md"))
    assert "README.zh-CN.md" in (ROOT / "README.md").read_text(encoding="utf-8")


# --- the glossary ---------------------------------------------------------------------


def _glossary_rows() -> list[dict[str, str]]:
    """The rows of the one glossary table, between its snippet markers in glossary.md."""
    text = GLOSSARY.read_text(encoding="utf-8")
    m = re.search(r"--8<-- \[start:terms\].*?\n(.*?)\n[^\n]*--8<-- \[end:terms\]", text, re.S)
    assert m, "glossary.md has no table between --8<-- [start:terms] and [end:terms]"
    lines = [ln.strip() for ln in m.group(1).strip().splitlines()]
    assert all(ln.startswith("|") for ln in lines), "the snippet holds only the table"

    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip("|").split("|")]

    header = cells(lines[0])
    return [dict(zip(header, cells(ln), strict=True)) for ln in lines[2:]]


def _terms(row: dict[str, str]) -> list[str]:
    return [t.strip() for t in row["中文"].split(" / ")]


def _chinese_labels() -> dict[str, str]:
    """Every Chinese label of an enum member in the library: label -> English label."""
    labels: dict[str, str] = {}
    for info in pkgutil.walk_packages(randsupervise.__path__, "randsupervise."):
        if info.name.endswith("__main__"):  # importing it must not run the command line
            continue
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # a module of an optional extra that is not installed
            continue
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, enum.Enum)
                and obj.__module__ == module.__name__
                and hasattr(obj, "label_zh")
            ):
                for member in obj:
                    labels[member.label_zh] = getattr(member, "label_en", "")
    return labels


def test_the_glossary_has_no_duplicate_term() -> None:
    terms = [t for row in _glossary_rows() for t in _terms(row)]
    assert terms, "the glossary table is empty"
    assert len(terms) == len(set(terms)), sorted({t for t in terms if terms.count(t) > 1})


def test_every_chinese_label_of_the_api_is_in_the_glossary_with_its_english() -> None:
    rows = {t: row for row in _glossary_rows() for t in _terms(row)}
    labels = _chinese_labels()
    assert "重点检查事项" in labels and "未发现问题" in labels  # the walk found the enums
    missing = sorted(set(labels) - set(rows))
    assert not missing, f"Chinese labels of the API missing from the glossary: {missing}"
    mismatched = {
        zh: (en, rows[zh]["English"])
        for zh, en in labels.items()
        if en and en.lower() not in rows[zh]["English"].lower()
    }
    assert not mismatched, f"the glossary pairs these differently from the API: {mismatched}"


def test_the_national_terms_are_in_the_glossary() -> None:
    terms = {t for row in _glossary_rows() for t in _terms(row)}
    assert [t for t in NATIONAL_TERMS if t not in terms] == []


def test_the_chinese_glossary_shows_the_same_table() -> None:
    zh = (DOCS / "glossary.zh.md").read_text(encoding="utf-8")
    assert '--8<-- "glossary.md:terms"' in zh
    assert not [ln for ln in zh.splitlines() if ln.lstrip().startswith("|")], (
        "glossary.zh.md must include the table from glossary.md, not hold a copy"
    )
