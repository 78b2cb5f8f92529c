"""A real browser checks a published drawn list: headless Chromium opens the page from a
``file://`` path, is given the honest register and a tampered one, and shows 已核验
(verified) for the first and 未通过核验 (not verified), naming the field, for the second.
The page carries the year's announcement: it shows 与抽查预告一致 (matches the
announcement) for the announcement the year was drawn under, and 与抽查预告不一致 for one
that announced another stream label.

The register is handed over as a visitor pastes it: in the page's text box (the page
checks a register already there when it loads). The test also takes the screenshot of
the page shown in ``docs/publish.md``: with ``RANDSUPERVISE_UPDATE_SCREENSHOT=1`` it writes
``docs/img/publish-verified.png``.

Where no Chromium is installed the test is skipped with that reason, unless ``CI`` is set:
then it fails (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

import attrs
import pytest

from randsupervise.cycle import announce_plan
from randsupervise.demo import run_demo_year
from randsupervise.draw import draw
from randsupervise.model import TargetRegistry
from randsupervise.publish import Publication, public_record, publish_task, to_html
from randsupervise.publish.register import register_csv

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "docs" / "img" / "publish-verified.png"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--lang=zh-CN",
    # WebCrypto resolves asynchronously: let the page run before it is read
    "--virtual-time-budget=60000",
]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    reason = "no Chromium on this machine (Debian: apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser test")
    pytest.skip(reason)


def _run(browser: str, tmp: Path, url: str, *extra: str) -> str:
    profile = tmp / f"profile-{len(list(tmp.iterdir()))}"
    proc = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _page_with_register(page: str, register: str) -> str:
    """The page as a visitor sees it after pasting the register into the text box."""
    box = '<textarea id="rs-register-text" aria-label="register CSV">'
    assert page.count(box) == 1
    return page.replace(box, box + html.escape(register, quote=False))


def _announcement_status(dom: str) -> str:
    m = re.search(r'id="rs-announcement"[^>]*data-status="([^"]+)"[^>]*>([^<]*)<', dom)
    assert m, dom[:2000]
    return m.group(1) + " " + m.group(2)


def _status(dom: str) -> str:
    m = re.search(r'id="rs-status"[^>]*data-status="([^"]+)"[^>]*>([^<]*)<', dom)
    assert m, dom[:2000]
    return m.group(1) + " " + m.group(2)


def test_a_browser_verifies_the_honest_register_and_rejects_a_tampered_one(
    tmp_path: Path,
) -> None:
    browser = _chromium()
    demo = run_demo_year(2024)
    page = to_html(publish_task(demo.run, demo.registry, demo.items, "net-key",
                                announcement=demo.announcement))  # fmt: skip
    # an announcement of the same year that named another stream label for net-key
    task = demo.plan.tasks[0]
    other_plan = attrs.evolve(
        demo.plan, tasks=(attrs.evolve(task, stream=task.stream + "-b"), *demo.plan.tasks[1:])
    )
    first = demo.announcement
    other = announce_plan(other_plan, demo.registry, demo.items, demo.pool, demo.calendar,
                          seed_rule=first.seed_rule, date=first.date)  # fmt: skip
    page_other = to_html(publish_task(demo.run, demo.registry, demo.items, "net-key",
                                      announcement=other))  # fmt: skip
    honest = register_csv(demo.registry).decode("utf-8-sig")
    # one internet café's class changed from A to D: the kind of edit that would shield it
    lines = honest.splitlines()
    k = next(i for i, line in enumerate(lines) if ",网吧,A,active," in line)
    lines[k] = lines[k].replace(",网吧,A,active,", ",网吧,D,active,")
    tampered = "\r\n".join(lines) + "\r\n"

    good = tmp_path / "drawn-list.html"
    good.write_text(_page_with_register(page, honest), encoding="utf-8")
    bad = tmp_path / "drawn-list-tampered.html"
    bad.write_text(_page_with_register(page, tampered), encoding="utf-8")
    empty = tmp_path / "drawn-list-empty.html"
    empty.write_text(page, encoding="utf-8")

    dom = _run(browser, tmp_path, good.as_uri(), "--dump-dom")
    assert _status(dom) == "verified 已核验"
    assert _announcement_status(dom) == "matches 与抽查预告一致"
    assert 'data-status="not verified"' not in dom

    unannounced = tmp_path / "drawn-list-other-announcement.html"
    unannounced.write_text(_page_with_register(page_other, honest), encoding="utf-8")
    dom = _run(browser, tmp_path, unannounced.as_uri(), "--dump-dom")
    assert _announcement_status(dom) == "differs 与抽查预告不一致"
    assert _status(dom) == "not verified 未通过核验"
    assert 'data-announced="true"' in dom and "抽取流标签不是预告的标签" in dom

    dom = _run(browser, tmp_path, bad.as_uri(), "--dump-dom")
    assert _status(dom) == "not verified 未通过核验"
    assert "registry_digest" in dom and "strata." in dom

    dom = _run(browser, tmp_path, empty.as_uri(), "--dump-dom")
    assert _status(dom).startswith("partial ")  # without a register: seed, tickets, batches

    audit = tmp_path / "drawn-list-audit-en.html"
    page_en = to_html(publish_task(demo.run, demo.registry, demo.items, "net-key", form="audit",
                                   lang="en"))  # fmt: skip
    audit.write_text(_page_with_register(page_en, honest), encoding="utf-8")
    dom = _run(browser, tmp_path, audit.as_uri(), "--dump-dom")
    assert _status(dom) == "verified verified"

    shot = tmp_path / "page.png"
    _run(browser, tmp_path, good.as_uri(), "--window-size=1100,1500", f"--screenshot={shot}")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    if os.environ.get("RANDSUPERVISE_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        SCREENSHOT.write_bytes(data)
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG"), "docs/img/publish-verified.png"


def test_a_register_passed_in_the_address_is_checked(tmp_path: Path) -> None:
    """A link may carry a small register in its fragment (#register=<percent-encoded CSV>)."""
    browser = _chromium()
    reg = TargetRegistry.from_columns(id=[f"T-{i:02d}" for i in range(30)], risk_class="ABC" * 10)
    receipt = draw(reg, seed="dice 1 2 3", stream="s", ratios={"A": 0.3, "C": 1.0}).receipt
    page = Publication(kind="drawn-list", lang="zh", title="t", data={}, tables=[],
                       embedded={"s": public_record(receipt)})  # fmt: skip
    path = tmp_path / "small.html"
    path.write_text(to_html(page), encoding="utf-8")
    csv_text = register_csv(reg).decode("utf-8-sig")
    dom = _run(browser, tmp_path, path.as_uri() + "#register=" + quote(csv_text), "--dump-dom")
    assert _status(dom) == "verified 已核验"
    other = csv_text.replace("T-29,T-29,enterprise,,,C", "T-29,T-29,enterprise,,,A")
    dom = _run(browser, tmp_path, path.as_uri() + "#register=" + quote(other), "--dump-dom")
    assert _status(dom) == "not verified 未通过核验"
