"""The demo command runs on the embedded sample and is deterministic; it announces the
year before drawing it, and ``demo --publish`` (``make demo``) writes the publications,
the announcement first, and says where."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from randsupervise.cli import main


def test_demo_json_is_deterministic_and_complete(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--json"]) == 0
    first = capsys.readouterr().out
    assert main(["demo", "--json"]) == 0
    second = capsys.readouterr().out
    assert first == second
    data = json.loads(first)
    assert data


def test_demo_text_report_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "randsupervise demo" in out


def test_demo_report_verifies_the_plan_receipt_against_the_announcement(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "announcement (抽查预告) of 2024-01-05" in out
    assert "plan receipt against the announcement: verified" in out
    assert main(["demo", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["announcement"]["receipt_matches"] is True
    assert data["announcement"]["date"] < data["announcement"]["seed_date"]


def test_demo_publish_writes_the_announcement_first_and_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "publication"
    assert main(["demo", "--publish", str(target)]) == 0
    out = capsys.readouterr().out
    # the report ends with where the files went
    last = out.rstrip("\n").splitlines()[-1]
    assert last == f"publications: {target.resolve()}"
    assert str(target.resolve() / "announcement.html") in out
    files = {p.name for p in target.iterdir()}
    assert {"announcement.json", "announcement.html", "plan-2024.json"} <= files
    assert "task-2024-net-key.html" in files and "results-2024.html" in files
    assert (target / "audit" / "register.csv").exists()
    published = json.loads((target / "announcement.json").read_text(encoding="utf-8"))
    assert published["kind"] == "announcement"
    digest = published["announcement"]["announcement_digest"]
    # every drawn list cites the announcement written beside it, by digest and link
    page = (target / "task-2024-net-key.html").read_text(encoding="utf-8")
    assert '<a href="announcement.html">' in page and digest in page
    task = json.loads((target / "task-2024-net-key.json").read_text(encoding="utf-8"))
    assert task["announcement"]["digest"] == digest
    # the published announcement is what the verifier reads
    code = main(["verify", str(target / "audit" / "plan-receipt-2024.json"), "--sample",
                 "--announcement", str(target / "announcement.json")])  # fmt: skip
    assert code == 0, capsys.readouterr()


def test_make_demo_publishes_into_publication_by_default() -> None:
    root = Path(__file__).resolve().parent.parent
    make = (root / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^PUBLISH \?= publication$", make, re.M)
    assert "--publish $(PUBLISH)" in make
    assert re.search(r"^LANG_REPORT \?= zh$", make, re.M)  # make demo shows the Chinese report
    ignored = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "publication/" in ignored


def test_demo_report_in_chinese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("randsupervise 演示")
    for words in ("事项开展率", "录入（20 个工作日内）", "公示（20 个工作日内）", "抽查预告"):
        assert words in out
