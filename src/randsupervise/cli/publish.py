"""``randsupervise publish``: write what the bureau publishes, in every format.

Invariants, and the rule each comes from:

* Publications are made in memory by ``randsupervise.publish`` and only written here
  (architecture principle 10, adapters convert in memory; only the command line touches
  files).
* The file names are fixed by kind, year and task: the drawn lists link to the
  announcement by its name (``announcement``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from randsupervise.cli.inputs import _add_choice


def _publish_arguments(p: argparse.ArgumentParser) -> None:
    """write what the bureau publishes (announcement, plan, drawn lists, results)

    Write the year's announcement (before the seed), the plan and item list, each task's
    drawn list, or the year's results, in JSON, CSV, XLSX and HTML. The inputs are the
    embedded sample year (--sample; there is no plan file format yet).
    """
    p.add_argument("what", choices=["announcement", "plan", "task", "results"])
    p.add_argument("--sample", action="store_true", help="the embedded sample year (required)")
    p.add_argument(
        "--format",
        action="append",
        choices=["json", "csv", "xlsx", "html"],
        help="format to write; repeatable (default: every format)",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="directory to write into")
    _add_choice(p, "--lang", ("zh", "en"), "labels (default zh)")
    p.add_argument("--task", metavar="ID", help="task: only this task (default: every task)")
    form_help = "task: public (no risk class; default) or audit (classes and full receipts)"
    _add_choice(p, "--form", ("public", "audit"), form_help)
    encoding_help = "CSV encoding: UTF-8 with a byte-order mark (default) or GB18030"
    _add_choice(p, "--encoding", ("utf-8-sig", "gb18030"), encoding_help)


def _publication_files(
    pub: object, stem: str, formats: Sequence[str], encoding: str
) -> list[tuple[str, bytes]]:
    """The files of one publication: ``(file name, content)`` per format (and table)."""
    from randsupervise.publish import Publication, to_csv, to_html, to_json, to_xlsx

    assert isinstance(pub, Publication)
    out: list[tuple[str, bytes]] = []
    for fmt in formats:
        if fmt == "json":
            out.append((f"{stem}.json", to_json(pub).encode("utf-8")))
        elif fmt == "csv":
            single = len(pub.tables) == 1
            for t in pub.tables:
                name = f"{stem}.csv" if single else f"{stem}-{t.name}.csv"
                out.append((name, to_csv(pub, t.name, encoding=encoding)))
        elif fmt == "xlsx":
            out.append((f"{stem}.xlsx", to_xlsx(pub)))
        else:
            out.append((f"{stem}.html", to_html(pub).encode("utf-8")))
    return out


def _write_files(directory: str, files: Sequence[tuple[str, bytes]]) -> list[str]:
    import os

    os.makedirs(directory, exist_ok=True)
    written = []
    for name, data in files:
        path = os.path.join(directory, name)
        with open(path, "wb") as fh:
            fh.write(data)
        written.append(path)
    return written


def _year_publications(
    demo: object,
    what: str,
    *,
    lang: str,
    form: str = "public",
    task: str | None = None,
) -> list[tuple[str, object]]:
    """``(file stem, publication)`` for one kind of publication of the sample year."""
    from randsupervise.demo import DemoReport
    from randsupervise.publish import (
        publish_announcement,
        publish_plan,
        publish_results,
        publish_task,
    )

    assert isinstance(demo, DemoReport)
    year = demo.plan.year
    if what == "announcement":  # the name the drawn lists refer to (ANNOUNCEMENT_HREF)
        return [("announcement", publish_announcement(demo.announcement, lang=lang))]
    if what == "plan":
        return [(f"plan-{year}", publish_plan(demo.plan, demo.items, lang=lang))]
    if what == "results":
        pub = publish_results(demo.run, demo.state, demo.registry, demo.items, lang=lang)
        return [(f"results-{year}", pub)]
    tasks = [t.id for t in demo.plan.tasks] if task is None else [task]
    suffix = "" if form == "public" else "-audit"
    return [
        (
            f"task-{year}-{t}{suffix}",
            publish_task(
                demo.run,
                demo.registry,
                demo.items,
                t,
                form=form,
                lang=lang,
                announcement=demo.announcement,
            ),
        )
        for t in tasks
    ]


def _cmd_publish(args: argparse.Namespace) -> int:
    from randsupervise.demo import run_demo_year

    if not args.sample:
        print(
            "randsupervise publish: error: there is no plan file format yet; "
            "use --sample for the embedded sample year",
            file=sys.stderr,
        )
        return 2
    demo = run_demo_year(2024)
    if args.task is not None and args.task not in {t.id for t in demo.plan.tasks}:
        print(f"randsupervise publish: error: no task {args.task!r} in the plan", file=sys.stderr)
        return 2
    formats = args.format or ["json", "csv", "xlsx", "html"]
    files: list[tuple[str, bytes]] = []
    for stem, pub in _year_publications(
        demo, args.what, lang=args.lang, form=args.form, task=args.task
    ):
        files += _publication_files(pub, stem, formats, args.encoding)
    try:
        written = _write_files(args.out, files)
    except OSError as e:
        print(f"randsupervise publish: error: {e}", file=sys.stderr)
        return 2
    print("\n".join(written))
    return 0
