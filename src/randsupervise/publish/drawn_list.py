"""A task's announcement and drawn list (plan §三(六)), in a public and an audit form.

Invariants, each with the rule it comes from:

* A drawn list gives the task number and name, type, items, scope, windows, the
  inspecting authority and its partners, the drawn firms (name and unified social credit
  code, or the register id of a product, project or conduct), the public seed text and
  how to check the draw (plan §三(六)).
* The **public form** lists no firm's risk class and embeds each draw's public record
  (:func:`~randsupervise.publish.records.public_record`); the **audit form** adds each
  firm's class and embeds the full draw receipts.
* Made under an announcement, it cites the announcement's date and digest with a
  reference to its page and embeds it, so the page's verifier compares every draw with
  what was announced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from randsupervise.cycle.plan import Task
from randsupervise.cycle.run import DrawRecord, PlanRun
from randsupervise.draw.announcement import Announcement, as_announcement
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.credit_code import is_valid_credit_code
from randsupervise.model.items import ItemList
from randsupervise.model.targets import TargetRegistry
from randsupervise.publish.announcement import ANNOUNCEMENT_HREF
from randsupervise.publish.document import Publication, Table, _publication
from randsupervise.publish.plan import _task_data, _windows, task_name
from randsupervise.publish.records import public_record
from randsupervise.publish.words import _head, _words

__all__ = ["FORMS", "publish_task"]

#: The forms of a drawn list: ``public`` names no firm's risk class; ``audit`` does.
FORMS: tuple[str, ...] = ("public", "audit")


def _firm(registry: TargetRegistry, ids: Sequence[str]) -> list[dict[str, Any]]:
    names = registry.column("name")[registry.index_of(list(ids))].tolist() if ids else []
    return [
        {"id": i, "name": n, "credit_code": i if is_valid_credit_code(i) else None}
        for i, n in zip(ids, names, strict=True)
    ]


def _draws_of(run: PlanRun, task_id: str) -> list[DrawRecord]:
    out = [d for d in run.draws if d.task == task_id]
    if not out:
        raise ValidationError(
            [Problem(id=task_id, field="task", message="no draw of this task in the run")],
            what="drawn list",
        )
    return out


def publish_task(
    run: PlanRun,
    registry: TargetRegistry,
    items: ItemList,
    task_id: str,
    *,
    form: str = "public",
    lang: str = "zh",
    announcement: Announcement | Mapping[str, Any] | str | bytes | None = None,
) -> Publication:
    """A task's announcement and drawn list, with every draw's record for checking it.

    Args:
        run: The drawn year.
        registry: The register the year was drawn from (for the firms' names).
        items: The item list.
        task_id: The task.
        form: ``"public"`` (no risk class; public records embedded) or ``"audit"``
            (every firm's class; the draw receipts embedded).
        lang: ``"zh"`` or ``"en"``.
        announcement: The year's announcement (抽查预告), published before the seed
            existed: the document then gives its date and digest with a reference to its
            page (:data:`ANNOUNCEMENT_HREF`), and the HTML page embeds it, so that the
            browser verifier checks every draw against it.

    Examples:
        >>> from randsupervise.cycle.sample import sample_year
        >>> y = sample_year()
        >>> p = publish_task(y.run, y.registry, y.items, "k01", announcement=y.announcement)
        >>> p.data["announcement"]["date"], p.data["announcement"]["href"]
        ('2024-01-05', 'announcement.html')
        >>> p.tables[0].columns
        ('序号', '检查对象名称', '统一社会信用代码（或对象编号）', '批次', '检查时间', '抽签号')
        >>> "risk_class" in p.data["draws"][0]["selected"][0]
        False
    """
    if form not in FORMS:
        raise ValidationError([Problem(field="form", message=f"form must be one of {FORMS}")])
    w = _words(lang)
    task = run.plan.task(task_id)
    out_draws = []
    embedded: dict[str, Any] = {}
    for d in _draws_of(run, task_id):
        entry, record = _draw_entry(d, registry, form)
        out_draws.append(entry)
        embedded[d.stream] = record
    name = task_name(task, items, lang)
    title = w["task_title" if form == "public" else "task_title_audit"].format(
        id=task.id, name=name
    )
    source = run.seed.source
    data = {
        **_head("drawn-list", lang, title, run.year),
        "form": form,
        "plan_title": run.plan.title,
        "task": _task_data(task, items, lang),
        "seed": run.seed.hex,
        "seed_source": source,
        "how_to_check": [w["how_1"], w["how_2"], w["how_3"].format(source=source)],
        "draws": out_draws,
    }
    if announcement is not None:
        a = as_announcement(announcement)
        data["announcement"] = _announcement_reference(a)
        embedded["announcement"] = a.to_dict()
    columns = [w[c] for c in ("c_no", "c_firm", "c_code", "c_batch", "c_window", "c_ticket")]
    if form == "audit":
        columns.append(w["c_risk"])
    rows = _drawn_rows(out_draws, task, form)
    table = Table(name="drawn", title=w["drawn_title"], columns=columns, rows=rows)
    return _publication(
        data, table, paragraphs=_task_paragraphs(task, data, run, w), embedded=embedded
    )


def _draw_entry(
    d: DrawRecord, registry: TargetRegistry, form: str
) -> tuple[dict[str, Any], Mapping[str, Any]]:
    """One draw of a drawn list (its firms, batches and tickets) and the record embedded
    for checking it: the public record, or in the audit form the receipt and classes."""
    record = public_record(d.receipt) if form == "public" else d.receipt
    batch_of = dict(zip(d.selected, d.batch_of, strict=True))
    listed = [str(i) for i in record["selected"]] if form == "public" else None
    ticket_of = {
        i: t
        for s in d.receipt["strata"].values()
        for i, t in zip(s["selected"], s["tickets"], strict=True)
    }
    ids = listed if listed is not None else list(d.selected)
    codes = registry.risk_codes[registry.index_of(ids)].tolist() if ids else []
    selected = []
    for firm, code in zip(_firm(registry, ids), codes, strict=True):
        entry = {**firm, "batch": batch_of[firm["id"]], "ticket": ticket_of[firm["id"]]}
        if form == "audit":
            entry["risk_class"] = "ABCD"[code]
        selected.append(entry)
    digest_key = "public_digest" if form == "public" else "receipt_digest"
    return {
        "stream": d.stream,
        "batches": list(d.batches),
        "selected": selected,
        "record_digest": str(record[digest_key]),
        "record": record,
    }, record


def _drawn_rows(draws: list[dict[str, Any]], task: Task, form: str) -> list[tuple[str, ...]]:
    """The drawn list's table: every drawn firm, numbered, draw by draw."""
    windows = {b.id: f"{b.start.isoformat()}~{b.end.isoformat()}" for b in task.batches}
    rows: list[tuple[str, ...]] = []
    for d in draws:
        for e in d["selected"]:
            row = [str(len(rows) + 1), e["name"], e["id"], e["batch"], windows[e["batch"]],
                   e["ticket"]]  # fmt: skip
            if form == "audit":
                row.append(e["risk_class"])
            rows.append(tuple(row))
    return rows


def _task_paragraphs(
    task: Task, data: Mapping[str, Any], run: PlanRun, w: Mapping[str, str]
) -> tuple[str, ...]:
    """The page text of a drawn list: the task, the seed, the announcement, the form and
    how to check it."""
    tdata = data["task"]
    ann = (w["p_task_ann"].format(**data["announcement"]),) if "announcement" in data else ()
    return (
        w["p_task"].format(
            id=task.id, name=tdata["name"], type=tdata["type"], items=w["sep"].join(task.items),
            scope=tdata["scope_text"], lead=task.lead_department,
            partners=w["sep"].join(tdata["partner_departments"]) or w["none"],
            windows=_windows(task),
        ),
        w["p_seed"].format(source=data["seed_source"], seed=run.seed.hex),
        *ann,
        w["p_public" if data["form"] == "public" else "p_audit"],
        *data["how_to_check"],
    )  # fmt: skip


def _announcement_reference(a: Announcement) -> dict[str, str]:
    return {
        "digest": a.announcement_digest,
        "date": a.date,
        "seed_date": a.seed_rule.date,
        "href": ANNOUNCEMENT_HREF,
    }
