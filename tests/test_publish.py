"""What is published: contents, the public/audit forms, and every format."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import html
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from randsupervise._core.frozen import thaw
from randsupervise.cli import main
from randsupervise.cycle import Inspect, Publish, Record, YearState
from randsupervise.demo import DemoReport, run_demo_year
from randsupervise.model import InspectionResult
from randsupervise.publish import (
    Publication,
    class_bounds,
    json_schema,
    public_record,
    public_record_differences,
    publish_announcement,
    publish_plan,
    publish_results,
    publish_task,
    read_json,
    to_csv,
    to_html,
    to_json,
    to_xlsx,
)
from randsupervise.publish.register import register_csv

PENALTY_NOTE = "罚款人民币五千元 fine of 5000 yuan (penalty)"


@functools.cache
def demo() -> DemoReport:
    return run_demo_year(2024)


@functools.cache
def state_with_note() -> YearState:
    """The demo year plus one visit whose result carries a penalty in its free-text note."""
    d = demo()
    fresh = YearState.start(d.run, dt.date(2024, 2, 26))
    v = d.run.visits[0]
    on = v.start + dt.timedelta(days=1)
    result = InspectionResult(codes={"FOLLOW_UP"}, note=PENALTY_NOTE)
    events = [
        (v.id, Inspect(on=on)),
        (v.id, Record(on=on + dt.timedelta(days=2), result=result)),
        (v.id, Publish(on=on + dt.timedelta(days=3))),
    ]
    return fresh.apply(events, d.calendar)


def all_publications(lang: str = "zh", form: str = "public") -> list[Publication]:
    d = demo()
    out = [publish_plan(d.plan, d.items, lang=lang)]
    out += [publish_task(d.run, d.registry, d.items, t.id, form=form, lang=lang,
                         announcement=d.announcement)
            for t in d.plan.tasks]  # fmt: skip
    out.append(publish_results(d.run, d.state, d.registry, d.items, lang=lang))
    return out


def rendered(p: Publication) -> dict[str, str]:
    """Every format of a publication as text."""
    x = to_xlsx(p)
    with zipfile.ZipFile(io.BytesIO(x)) as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets"))
    return {
        "json": to_json(p),
        "csv": "".join(to_csv(p, t.name).decode("utf-8-sig") for t in p.tables),
        "xlsx": sheets,
        "html": to_html(p),
    }


def keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


# ---------------------------------------------------------------------- what is published
def test_results_never_hold_a_penalty_an_inspector_or_a_risk_class() -> None:
    d = demo()
    state = state_with_note()
    (visit,) = [r for r in state if r.result is not None and r.result.note]
    assert visit.team  # the visit had a team, and a note with a penalty
    for lang in ("zh", "en"):
        p = publish_results(d.run, state, d.registry, d.items, lang=lang)
        assert any(f["id"] == visit.visit.target_id for f in p.data["firms"])
        keys = keys_of(thaw(p.data))
        assert not keys & {"risk_class", "strata", "note", "team", "inspectors", "penalty"}
        for fmt, text in rendered(p).items():
            assert PENALTY_NOTE not in text and "5000" not in text, fmt
            for inspector in d.pool:
                assert inspector.id not in text, (fmt, inspector.id)
                assert inspector.name not in text, (fmt, inspector.name)
            for para in p.paragraphs:  # the page says penalties are published elsewhere
                text = text.replace(html.escape(para, quote=False), "")
            for word in ("风险", "risk", "处罚", "罚款", "penalt"):
                assert word not in text.lower(), (fmt, word)


def test_public_drawn_lists_name_no_class_and_no_inspector() -> None:
    d = demo()
    for p in all_publications("zh") + all_publications("en"):
        if p.kind != "drawn-list":
            continue
        data = thaw(p.data)
        assert "risk_class" not in keys_of(data["draws"])
        for draw in data["draws"]:
            record = draw["record"]
            assert record["format"] == "randsupervise.public-draw"
            for stratum in record["receipt"]["strata"].values():
                assert not {"selected", "tickets", "probabilities"} & set(stratum)
        for fmt, text in rendered(p).items():
            assert "风险分类</th>" not in text and "risk class</th>" not in text, fmt
            assert not re.search(r'"risk_class":\s*"[A-D]"', text), fmt
            for inspector in d.pool:
                assert inspector.id not in text and inspector.name not in text, fmt


def test_audit_form_lists_every_firm_under_its_class() -> None:
    d = demo()
    p = publish_task(d.run, d.registry, d.items, "net-key", form="audit")
    (draw,) = p.data["draws"]
    receipt = draw["record"]
    for firm in draw["selected"]:
        assert firm["id"] in receipt["strata"][firm["risk_class"]]["selected"]
    assert p.tables[0].columns[-1] == "信用风险分类"


def test_public_form_is_the_projection_of_its_receipt() -> None:
    for d in demo().run.draws:
        p = public_record(d.receipt)
        assert public_record_differences(p, d.receipt) == []
        assert p["receipt"]["receipt_digest"] == d.receipt["receipt_digest"]
        assert sorted(p["selected"]) == sorted(d.selected)
        forged = thaw(p)
        forged["receipt"]["strata"]["A"]["population"] += 1
        assert [x.path for x in public_record_differences(forged, d.receipt)] == [
            "public_digest",
            "receipt.strata.A.population",
        ]


def test_class_bounds_say_what_tickets_reveal() -> None:
    """A selected unit is consistent with its own class, always; and in the sample year
    the tickets alone single out some units' classes (the docs page quotes the figure)."""
    revealed = 0
    total = 0
    for d in demo().run.draws:
        bounds = class_bounds(d.receipt)
        for label, s in d.receipt["strata"].items():
            for uid in s["selected"]:
                assert label in bounds[uid]
                total += 1
                revealed += bounds[uid] == (label,)
    assert 0 < revealed < total


def test_plan_lists_items_and_tasks() -> None:
    d = demo()
    p = publish_plan(d.plan, d.items)
    items = {i["id"]: i for i in p.data["items"]}
    assert set(items) == set(d.items.ids)
    assert items["K01"]["ratio_cap"] is None and items["K01"]["kind_label"] == "重点检查事项"
    assert items["G01"]["ratio_cap"] == 0.1 and items["G01"]["windows"]
    task = {t["id"]: t for t in p.data["tasks"]}
    assert task["venue-joint"]["joint"] and task["venue-joint"]["partner_departments"]
    assert task["net-key"]["random_batch_order"] and task["net-key"]["targeted"]
    assert not task["conduct"]["targeted"]
    assert p.tables[0].rows[0][0] == "G01"


def test_drawn_list_announces_the_task_and_the_seed() -> None:
    d = demo()
    p = publish_task(d.run, d.registry, d.items, "venue-joint")
    assert p.data["seed_source"] == d.run.seed.source
    assert p.data["task"]["type"] == "部门联合定向抽查"
    firms = p.data["draws"][0]["selected"]
    assert all(f["credit_code"] == f["id"] for f in firms)
    assert all(f["name"].startswith("示例") for f in firms)
    text = to_html(p)
    assert d.run.seed.source in text and "randsupervise verify" in text


def test_results_use_the_official_wording_and_group_by_firm() -> None:
    d = demo()
    p = publish_results(d.run, d.state, d.registry, d.items)
    ids = [f["id"] for f in p.data["firms"]]
    assert ids == sorted(ids, key=lambda s: s.encode())
    published = [r for r in d.state if r.state.value == "published"]
    assert sum(len(f["inspections"]) for f in p.data["firms"]) == sum(
        len(r.visit.tasks) for r in published
    )
    labels = {x for f in p.data["firms"] for i in f["inspections"] for x in i["result"]}
    from randsupervise.model.results import ResultCode

    official = {code.label_zh for code in ResultCode}  # the national platform's wording
    assert "未发现问题" in labels and labels <= official
    assert "通过登记的住所（经营场所）无法联系" in labels  # unreachable firms are published
    en = publish_results(d.run, d.state, d.registry, d.items, lang="en")
    assert en.tables[0].columns[-1] == "published on"
    assert "no problem found" in to_csv(en).decode("utf-8-sig")


# -------------------------------------------------------------------------------- formats
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_json_round_trip_and_schema(lang: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    announcement = publish_announcement(demo().announcement, lang=lang)
    for p in [announcement, *all_publications(lang), *all_publications(lang, form="audit")[1:-1]]:
        text = to_json(p)
        assert thaw(read_json(text)) == thaw(p.data)
        assert thaw(read_json(text.encode("utf-8"))) == json.loads(text)
        jsonschema.validate(json.loads(text), json_schema(p.kind))


def test_read_json_is_strict() -> None:
    from randsupervise.errors import ValidationError

    p = all_publications()[0]
    data = json.loads(to_json(p))
    data["extra"] = 1
    with pytest.raises(ValidationError, match="extra"):
        read_json(json.dumps(data))
    with pytest.raises(ValidationError, match="duplicate"):
        read_json('{"format": "randsupervise.publication", "format": "x"}')


def test_csv_has_a_bom_and_reads_back() -> None:
    p = all_publications()[-1]
    raw = to_csv(p)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == p.tables[0].columns
    assert [tuple(r) for r in rows[1:]] == list(p.tables[0].rows)
    gb = to_csv(p, encoding="gb18030")
    assert not gb.startswith(b"\xef\xbb\xbf") and gb.decode("gb18030") == raw.decode("utf-8-sig")
    with pytest.raises(ValueError):
        to_csv(p, encoding="latin-1")


def test_csv_cells_never_run_as_formulas(tmp_path: Path) -> None:
    from randsupervise.cli import _read_registry
    from randsupervise.model import TargetRegistry
    from randsupervise.publish import Table

    names = ['=HYPERLINK("x")', "+1+1", "-2", "@SUM(A1)", "-12.5", "普通"]
    table = Table(name="t", title="t", columns=["n"], rows=[[n] for n in names])
    p = Publication(kind="results", lang="zh", title="t", data={}, tables=[table])
    cells = [r[0] for r in csv.reader(io.StringIO(to_csv(p).decode("utf-8-sig"), newline=""))]
    assert cells[1:] == ['\'=HYPERLINK("x")', "'+1+1", "-2", "'@SUM(A1)", "-12.5", "普通"]
    # the register file is data read back by programs: written exactly
    reg = TargetRegistry.from_columns(id=["a", "b", "c"], name=names[:3], risk_class="ABC")
    path = tmp_path / "r.csv"
    path.write_bytes(register_csv(reg))
    assert _read_registry(str(path))[0].digest() == reg.digest()


def test_xlsx_opens_in_a_spreadsheet_reader() -> None:
    p = all_publications()[0]
    data = to_xlsx(p)
    assert data == to_xlsx(p)  # no time stamp: equal input, equal bytes
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        assert "xl/worksheets/sheet2.xml" in z.namelist()
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [t.title for t in p.tables]
    ws = wb[p.tables[0].title]
    assert tuple(c.value for c in ws[1]) == p.tables[0].columns
    assert tuple(c.value or "" for c in ws[2]) == p.tables[0].rows[0]


def test_html_pages_have_no_external_url() -> None:
    announcement = publish_announcement(demo().announcement)
    for p in [announcement, *all_publications(), *all_publications("en", form="audit")[1:-1]]:
        page = to_html(p)
        assert "http" not in page.lower().replace("http-equiv", "")
        for attr in re.findall(r"""(?:src|href|action)\s*=\s*["']?([^"' >]*)""", page, re.I):
            assert "//" not in attr and ":" not in attr, attr
        assert "<link" not in page and "@import" not in page and "url(" not in page
        assert "<script src" not in page
        if p.kind == "drawn-list":
            assert 'data-rs-document="' in page and "crypto.subtle" in page
        assert "@media print" in page


def test_html_embeds_records_that_cannot_end_the_script() -> None:
    d = demo()
    p = publish_task(d.run, d.registry, d.items, "shows")
    page = to_html(p)
    blocks = re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S)
    assert len(blocks) == len(p.data["draws"])
    assert [json.loads(b) for b in blocks] == [thaw(x["record"]) for x in p.data["draws"]]


def test_register_csv_reads_back_with_the_same_digest(tmp_path: Path) -> None:
    from randsupervise.cli import _read_registry

    d = demo()
    path = tmp_path / "register.csv"
    path.write_bytes(register_csv(d.registry))
    again, has_risk = _read_registry(str(path))
    assert has_risk and again.digest() == d.registry.digest()


# ---------------------------------------------------------------------------------- CLI
def test_cli_publish_writes_each_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish", "plan", "--sample", "--out", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["plan-2024-items.csv", "plan-2024-tasks.csv", "plan-2024.html",
                     "plan-2024.json", "plan-2024.xlsx"]  # fmt: skip
    assert main(["publish", "task", "--sample", "--task", "shows", "--format", "csv",
                 "--lang", "en", "--encoding", "gb18030", "--out", str(tmp_path)]) == 0  # fmt: skip
    assert (tmp_path / "task-2024-shows.csv").read_bytes().decode("gb18030").startswith("no.,")
    assert main(["publish", "results", "--sample", "--format", "json", "--out", str(tmp_path)]) == 0
    read_json((tmp_path / "results-2024.json").read_bytes())
    capsys.readouterr()
    assert main(["publish", "task", "--out", str(tmp_path)]) == 2
    assert "--sample" in capsys.readouterr().err
    assert main(["publish", "task", "--sample", "--task", "nope", "--out", str(tmp_path)]) == 2


def test_demo_publish_writes_everything_and_keeps_audit_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--json", "--publish", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    json.loads(out)  # stdout stays JSON
    assert str(tmp_path) in err
    public = {p.name for p in tmp_path.iterdir() if p.is_file()}
    assert {f"task-2024-{t.id}.html" for t in demo().plan.tasks} <= public
    assert {"plan-2024.xlsx", "results-2024.csv", "results-2024.json"} <= public
    assert not any("audit" in n or "register" in n for n in public)
    audit = {p.name for p in (tmp_path / "audit").iterdir()}
    assert "register.csv" in audit and "task-2024-net-key-audit.html" in audit


# --------------------------------------------------------------------------- announcement
def test_the_announcement_is_published_with_the_sealed_object_unchanged() -> None:
    from randsupervise.draw import Announcement

    d = demo()
    a = d.announcement
    for lang in ("zh", "en"):
        p = publish_announcement(a, lang=lang)
        assert p.kind == "announcement" and p.lang == lang
        data = thaw(read_json(to_json(p)))
        assert Announcement.from_dict(data["announcement"]) == a  # what verify reads
        assert data["announcement_digest"] == a.announcement_digest == a.computed_digest()
        assert (data["date"], data["seed_date"], data["year"]) == ("2024-01-05", "2024-01-15", 2024)
        draws = p.tables[1].rows
        assert [r[2] for r in draws] == [x["stream"] for x in a.subject["draws"]]
        assert [r[2] for r in draws] == [x.stream for x in d.run.draws]  # announced = drawn
        page = to_html(p)
        assert a.announcement_digest in page and a.seed_rule.source in page
        assert 'data-rs-document="' not in page  # nothing to recompute on this page
    zh = to_html(publish_announcement(a))
    assert '<html lang="zh-CN">' in zh and "抽查预告" in zh and "随机种子产生日期" in zh
    en = to_html(publish_announcement(a, lang="en"))
    assert '<html lang="en">' in en and "announcement" in en.lower()
    # its JSON text and dict forms are accepted too
    assert publish_announcement(a.to_json()).data == publish_announcement(a.to_dict()).data


def test_a_drawn_list_cites_its_announcement_and_embeds_it() -> None:
    d = demo()
    a = d.announcement
    for form in ("public", "audit"):
        p = publish_task(d.run, d.registry, d.items, "net-key", form=form, announcement=a)
        ref = thaw(read_json(to_json(p)))["announcement"]
        assert ref == {"digest": a.announcement_digest, "date": "2024-01-05",
                       "seed_date": "2024-01-15", "href": "announcement.html"}  # fmt: skip
        assert any(a.announcement_digest in para for para in p.paragraphs)
        assert thaw(p.embedded["announcement"]) == a.to_dict()
        page = to_html(p)
        assert '<a href="announcement.html">抽查预告</a>' in page
        assert 'data-rs-document="announcement"' in page and 'id="rs-announcement"' in page
    # without an announcement the document is as before: no reference, nothing embedded
    plain = publish_task(d.run, d.registry, d.items, "net-key")
    assert "announcement" not in plain.data and "announcement" not in plain.embedded
    assert 'href="announcement.html"' not in to_html(plain)


def test_the_sample_year_is_announced_before_its_seed_and_matches_it() -> None:
    d = demo()
    assert d.announcement.date < d.announcement.seed_rule.date
    assert d.run.seed == d.announcement.seed(value="3 1 4 1 5 9 2 6")
    assert d.announced.ok, d.announced
    assert d.to_json_dict()["announcement"]["receipt_matches"] is True
    text = d.to_text()
    assert "plan receipt against the announcement: verified" in text
    assert d.announcement.announcement_digest in text
