"""What the bureau publishes (一公开): the plan, each task's drawn list, the results.

Invariants, each with the rule it comes from:

* **The announcement** (抽查预告; RFC 3797, ``docs/spec/announcement.md``): published
  before the seed exists, it is a publication too; the sealed announcement is kept
  unchanged in it, so its digest still checks. A drawn list made under it cites its date
  and digest with a reference to its page (:data:`ANNOUNCEMENT_HREF`) and embeds it, so
  the page's verifier compares every draw with what was announced.
* **The plan and the item list** (plan §三(一), §三(二), §三(五): the plan and the item
  list are published on the bureau's website): every item with its legal basis, kind
  (key or general), content, method, ratio cap and yearly frequency limit, the
  departments and windows of the tasks that carry it out; every task with its items,
  scope (定向 or 不定向), departments, per-class ratios or counts and batches.
* **A task's announcement and drawn list** (plan §三(六)): task number and name, type,
  items, scope, windows, the inspecting authority and its partners, the drawn firms
  (name and unified social credit code, or the register id of a product, project or
  conduct), the public seed text and how to check the draw. The **public form** lists
  no firm's risk class and embeds each draw's public record
  (:func:`~randsupervise.publish.records.public_record`); the **audit form** adds each
  firm's class and embeds the full draw receipts.
* **Results** (plan §三(六); the layout of the national enterprise credit information
  publicity system): per firm, one row per published inspection and task: type,
  inspecting authority, completion date, result in the official wording (the result
  codes' Chinese labels, :mod:`randsupervise.model.results`), publication date. Only
  published visits appear. **Never** a penalty (published under its own rules, plan
  §三(六)), an inspector's identity, the result's free-text note, or a risk class.
* Every function returns a :class:`~randsupervise.publish.formats.Publication`; nothing
  reads or writes a file. Labels are Chinese by default, English with ``lang="en"``; the
  JSON keys and codes do not depend on the language.

Each document has its module: :mod:`~randsupervise.publish.announcement`,
:mod:`~randsupervise.publish.plan`, :mod:`~randsupervise.publish.drawn_list` and
:mod:`~randsupervise.publish.results`, with their words in
:mod:`~randsupervise.publish.words`; every name stays importable from here.
"""

from __future__ import annotations

from randsupervise.publish.announcement import ANNOUNCEMENT_HREF, publish_announcement
from randsupervise.publish.drawn_list import FORMS, publish_task
from randsupervise.publish.plan import publish_plan
from randsupervise.publish.plan import task_name as task_name
from randsupervise.publish.results import publish_results
from randsupervise.publish.words import LANGS

__all__ = [
    "ANNOUNCEMENT_HREF",
    "FORMS",
    "LANGS",
    "publish_announcement",
    "publish_plan",
    "publish_results",
    "publish_task",
]
