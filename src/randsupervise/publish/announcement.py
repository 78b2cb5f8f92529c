"""The announcement (抽查预告) as published, before the seed exists.

Invariants, each with the rule it comes from:

* The announcement (RFC 3797, ``docs/spec/announcement.md``) is a publication too; the
  sealed announcement is kept unchanged in it, so its digest still checks and
  ``randsupervise verify --announcement`` reads it from the document.
* A drawn list refers to it by its page, :data:`ANNOUNCEMENT_HREF`, published beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from randsupervise.draw.announcement import Announcement, as_announcement
from randsupervise.publish.document import Publication, Table, _publication
from randsupervise.publish.words import _COLUMN, _head, _words

__all__ = ["ANNOUNCEMENT_HREF", "publish_announcement"]

#: Where a drawn list refers to its announcement: the announcement's page, published
#: beside it (the command line writes ``announcement.html`` and ``announcement.json``).
ANNOUNCEMENT_HREF = "announcement.html"


def _filter_text(where: Mapping[str, Any] | None, lang: str) -> str:
    w = _words(lang)
    if not where:
        return w["all"]
    parts = []
    for col, v in where.items():
        values = [v] if isinstance(v, str) else list(v)
        parts.append(f"{_COLUMN[lang].get(col, col)}{w['colon']}{w['sep'].join(values)}")
    return w["semi"].join(parts)


def publish_announcement(
    announcement: Announcement | Mapping[str, Any] | str | bytes, *, lang: str = "zh"
) -> Publication:
    """The announcement (抽查预告) as published before the seed exists: what will be drawn,
    from which register, and where and when the seed will come from.

    The document embeds the sealed announcement unchanged (``data["announcement"]``, what
    ``randsupervise verify --announcement`` reads), with a table of the draws (a year's
    plan: every task's draws, batches, stream labels and scope) and one of its key facts.

    Examples:
        >>> from randsupervise.cycle.sample import sample_year
        >>> p = publish_announcement(sample_year().announcement)
        >>> p.title, p.data["date"], p.data["seed_date"]
        ('2024年度双随机抽查预告', '2024-01-05', '2024-01-15')
        >>> p.tables[1].columns
        ('任务编号', '批次', '抽取流标签', '抽查范围（定向条件）')
        >>> p.tables[1].rows[0]
        ('g01', 'Q2', '2024/g01/Q2', '全部检查对象')
    """
    a = as_announcement(announcement)
    w = _words(lang)
    rule = a.seed_rule
    year = int(a.subject["year"]) if a.kind == "plan" else int(a.date[:4])
    title = w["ann_title"].format(year=year)
    data = {
        **_head("announcement", lang, title, year),
        "announcement_kind": a.kind,
        "date": a.date,
        "seed_date": rule.date,
        "announcement_digest": a.announcement_digest,
        "announcement": a.to_dict(),
    }
    columns = [w["c_task_id"], w["c_batches"], w["c_stream"], w["c_filter"]]
    facts = Table(
        name="announcement",
        title=w["ann_summary"],
        columns=[w["c_field"], w["c_value"]],
        rows=_announcement_facts(a, w),
    )
    draws = Table(name="draws", title=w["ann_draws"], columns=columns, rows=_announced(a, lang))
    when = w["p_ann_when"].format(date=a.date, seed_date=rule.date, digest=a.announcement_digest)
    return _publication(data, facts, draws, paragraphs=[w["p_ann"], when, w["p_ann_check"]])


def _announced(a: Announcement, lang: str) -> list[tuple[str, str, str, str]]:
    """The announced draws: task, batches, stream label and scope, one row each."""
    w = _words(lang)
    subject = a.subject
    if a.kind == "plan":
        return [
            (d["task"], w["sep"].join(d["batches"]), d["stream"], _filter_text(d["filter"], lang))
            for d in subject["draws"]
        ]
    if a.kind == "draw":
        where = subject["policy"].get("where")
        n = subject["policy"].get("batches", 1)
        return [("", str(n), subject["stream"], _filter_text(where, lang))]
    return [("", "", subject["stream"], "")]


def _announcement_facts(a: Announcement, w: Mapping[str, str]) -> list[tuple[str, str]]:
    """The announcement's key facts: date, digest, the seed's rule, and the digests of
    what it binds."""
    subject = a.subject
    rule = a.seed_rule
    if rule.method == "text":
        method = w["m_text"]
    else:
        method = w["m_contributions"].format(
            n=len(rule.parties), missing=w[f"missing_{rule.missing}"]
        )
    facts = [
        (w["f_date"], a.date),
        (w["f_digest"], a.announcement_digest),
        (w["f_seed_method"], method),
        (w["f_seed_source"], rule.source),
        (w["f_seed_date"], rule.date),
    ]
    for key, label in (
        ("registry_digest", "f_register"),
        ("registry_size", "f_register_size"),
        ("plan_digest", "f_plan"),
        ("policy_digest", "f_policy"),
    ):
        if key in subject:
            facts.append((w[label], str(subject[key])))
    return facts
