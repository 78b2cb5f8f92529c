"""``randsupervise plan check|run``: a whole annual plan from a plan file.

Invariants, and the rule each comes from:

* The plan file is read by :func:`randsupervise.interop.plan_from_toml` (the format is
  ``docs/howto/plan-file.md``); a file that is not a plan is bad input (status 2, one
  line naming each TOML key path).
* ``plan check`` lists every problem of the plan against the items and the register
  before anything is drawn (plan §三(二): no item left without a task), exit status 1
  when there is any, 0 when none.
* ``plan run`` draws the year from the public seed text and writes the visits in batch
  order, the teams, the draws and the plan receipt into ``--out`` (only the command line
  touches files, architecture principle 10).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
from typing import Any


def _plan_arguments(p: argparse.ArgumentParser) -> None:
    """check or run an annual plan written in a plan file (TOML)

    Check a plan file against the item list and the register (every problem listed; exit
    1 when there is one), or run it: draw the year from the public seed and write the
    visits, teams, draws and plan receipt into --out.
    """
    p.add_argument("action", choices=["check", "run"])
    p.add_argument("plan_file", metavar="PLAN.toml", help="the plan (docs/howto/plan-file.md)")
    p.add_argument(
        "--sample",
        action="store_true",
        help="the register, item list and inspectors of the embedded sample county",
    )
    p.add_argument("--registry", help="the register (CSV or Parquet), as frozen for the year")
    p.add_argument("--items", metavar="ITEMS.json", help="the item list, a JSON list of objects")
    p.add_argument(
        "--inspectors", metavar="POOL.json", help="run: the inspector register, a JSON list"
    )
    p.add_argument("--seed", help="run: the public seed text (dice digits, lottery numbers)")
    p.add_argument("--out", metavar="DIR", help="run: directory to write into")


def _inputs(args: argparse.Namespace, *, pool_needed: bool) -> tuple[Any, Any, Any, Any]:
    """Plan, register, items and (when needed) inspectors, from files or the sample."""
    from randsupervise.cli.inputs import _BadInput, _read_json, _read_registry
    from randsupervise.interop import plan_from_toml
    from randsupervise.model import ItemList
    from randsupervise.model.inspectors import InspectorPool

    try:
        with open(args.plan_file, encoding="utf-8-sig") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as e:
        raise _BadInput(f"cannot read {args.plan_file}: {e}") from None
    plan = plan_from_toml(text)
    if args.sample:
        if args.registry or args.items or args.inspectors:
            raise _BadInput("--sample takes no --registry, --items or --inspectors")
        from randsupervise.model.sample import sample_inspectors, sample_items, sample_registry

        return plan, sample_registry(), sample_items(), sample_inspectors()
    needed = ["registry", "items"] + (["inspectors"] if pool_needed else [])
    missing = [f"--{n}" for n in needed if getattr(args, n) is None]
    if missing:
        raise _BadInput(f"give {', '.join(missing)} (or --sample)")
    registry, _ = _read_registry(args.registry)
    rows = _read_json(args.items)
    if not isinstance(rows, list):
        raise _BadInput(f"{args.items}: expected a JSON list of item objects")
    items = ItemList.from_records(rows)
    pool = None
    if pool_needed:
        pool_rows = _read_json(args.inspectors)
        if not isinstance(pool_rows, list):
            raise _BadInput(f"{args.inspectors}: expected a JSON list of inspector objects")
        pool = InspectorPool.from_records(pool_rows)
    return plan, registry, items, pool


def _cmd_plan(args: argparse.Namespace) -> int:
    from randsupervise.cli.inputs import _BadInput

    if args.action == "check":
        plan, registry, items, _ = _inputs(args, pool_needed=False)
        problems = plan.problems(items, registry)
        for p in problems:
            print(f"  {p}")
        print(f"plan {plan.year}: {len(problems)} problem(s), {len(plan.tasks)} task(s)")
        return 1 if problems else 0
    if args.seed is None or args.out is None:
        raise _BadInput("plan run needs --seed TEXT and --out DIR")
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    from randsupervise._core.frozen import thaw
    from randsupervise.calendar import china
    from randsupervise.cycle import run_plan
    from randsupervise.tickets import Seed

    plan, registry, items, pool = _inputs(args, pool_needed=True)
    run = run_plan(plan, registry, items, pool, seed=Seed.from_text(args.seed), calendar=china())
    os.makedirs(args.out, exist_ok=True)
    files = {
        "visits.csv": _csv(run.to_records()),
        "draws.csv": _csv(run.draw_records()),
        "teams.json": json.dumps(
            {k: list(v) for k, v in sorted(run.teams.items())}, ensure_ascii=False, indent=1
        ),
        f"plan-receipt-{plan.year}.json": json.dumps(
            thaw(run.receipt), ensure_ascii=False, indent=2
        ),
    }
    for name, text in files.items():
        with open(os.path.join(args.out, name), "w", encoding="utf-8-sig", newline="") as fh:
            fh.write(text)
    print(
        f"plan {plan.year}: {len(run.draws)} draws, {len(run.visits)} visits; written to "
        f"{os.path.abspath(args.out)}: {', '.join(files)} (verify the receipt with "
        "randsupervise verify)"
    )
    return 0


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()
