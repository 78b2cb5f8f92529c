"""``randsupervise demo``: the sample bureau's year, and its publications.

Invariants, and the rule each comes from:

* The demo runs the main job on the embedded sample data only (``randsupervise.demo``): plan,
  draws, visits, teams, results, deadlines on China's 2024 calendar, metrics, feedback.
* With ``--publish DIR`` the announcement comes first, as it was published before the
  seed existed; the auditors' material (register with risk classes, receipts, audit
  forms) goes to ``DIR/audit``, apart from what is published.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from randsupervise.cli.publish import _publication_files, _write_files, _year_publications


def cmd_demo(args: argparse.Namespace) -> int:
    # the full year of the sample bureau: plan, draws, visits,
    # teams, simulated results, deadlines on the 2024 calendar, metrics, feedback
    from randsupervise.demo import run_demo_year

    demo = run_demo_year(2024)
    if args.json:
        print(json.dumps(demo.to_json_dict(), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        print(demo.to_text(lang=args.lang))
    if args.publish:  # after the report; on stderr when stdout holds JSON
        _publish_demo_year(demo, args.publish, sys.stderr if args.json else sys.stdout)
    return 0


def _publish_demo_year(demo: object, directory: str, out: TextIO) -> None:
    """``demo --publish DIR``: every publication in every format, the audit material in
    DIR/audit (the register with its risk classes, the audit forms, the plan receipt)."""
    import os

    from randsupervise._core.frozen import thaw
    from randsupervise.demo import DemoReport
    from randsupervise.publish.register import register_csv

    assert isinstance(demo, DemoReport)
    formats = ["json", "csv", "xlsx", "html"]
    public: list[tuple[str, bytes]] = []
    # the announcement first: it was published before the seed existed
    for what in ("announcement", "plan", "task", "results"):
        for stem, pub in _year_publications(demo, what, lang="zh"):
            public += _publication_files(pub, stem, formats, "utf-8-sig")
    audit: list[tuple[str, bytes]] = [
        ("register.csv", register_csv(demo.registry)),
        (
            f"plan-receipt-{demo.plan.year}.json",
            json.dumps(thaw(demo.run.receipt), ensure_ascii=False, indent=2).encode("utf-8"),
        ),
    ]
    for stem, pub in _year_publications(demo, "task", lang="zh", form="audit"):
        audit += _publication_files(pub, stem, ["json", "html"], "utf-8-sig")
    for k, d in enumerate(demo.run.draws, start=1):
        name = f"draw-receipt-{k:02d}-{d.stream.replace('/', '-')}.json"
        audit.append((name, json.dumps(thaw(d.receipt), ensure_ascii=False, indent=2).encode()))
    _write_files(directory, public)
    _write_files(os.path.join(directory, "audit"), audit)
    where = os.path.abspath(directory)
    print(
        f"\npublications written to {directory}: the announcement (抽查预告, made before the "
        f"seed), the plan, {len(demo.plan.tasks)} drawn lists and the results, as JSON, CSV, "
        f"XLSX and HTML ({len(public)} files); the auditors' material (register with risk "
        f"classes, receipts, audit forms) to {os.path.join(directory, 'audit')} "
        f"({len(audit)} files): not for publication",
        f"open {os.path.join(where, 'announcement.html')} first, then a drawn list such as "
        f"{os.path.join(where, f'task-{demo.plan.year}-{demo.plan.tasks[0].id}.html')}",
        f"publications: {where}",
        sep="\n",
        file=out,
    )
