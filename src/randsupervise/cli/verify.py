"""``randsupervise verify``: recompute a published receipt of any kind and compare.

Invariants, and the rule each comes from:

* Every kind of receipt (draw, assignment chain, plan) goes through the one door,
  ``randsupervise.receipts`` (architecture principle 4, one receipt design); its kind is
  read from the file, never from a flag.
* Exit status 0: verified; 1: does not verify (every difference printed with its JSON
  path); 2: bad input, one line on stderr.
* An option that does not apply to the receipt's kind is bad input, not ignored.
"""

from __future__ import annotations

import argparse

from randsupervise.cli.announce import _add_announcement_options, _announcement_inputs
from randsupervise.cli.inputs import (
    _add_register_options,
    _BadInput,
    _read_burden,
    _read_json,
    _read_limits,
    _read_registry,
    _read_text,
    _text_arg,
)


def _verify_arguments(v: argparse.ArgumentParser) -> None:
    """verify a draw, assignment or plan receipt; exit 0 verified, 1 does not verify, 2 bad
    input

    Recompute a published receipt (draw, assignment or plan; its kind is read from the
    file) from its inputs and compare every field. Exit status 0: verified; 1: does not
    verify (every difference printed, with its JSON path); 2: bad input (missing,
    unreadable or malformed file, wrong kind, a needed input missing), with one line on
    stderr.
    """
    v.add_argument("receipt", help="receipt JSON file (draw, assignment chain, or plan)")
    v.add_argument("--registry", help="draw: the CSV (or Parquet) register drawn from")
    _add_register_options(v)
    v.add_argument(
        "--burden",
        metavar="HISTORY.json",
        help="draw: the published burden history of a burden-spread draw (required for one)",
    )
    v.add_argument(
        "--history",
        metavar="LIMITS.json",
        help="draw: the published frequency history of a frequency-limited draw (without "
        "it a receipt that excluded units does not verify)",
    )
    v.add_argument(
        "--visits", metavar="VISITS.json", help="assignment: the visits, a JSON list of objects"
    )
    v.add_argument(
        "--inspectors",
        metavar="POOL.json",
        help="assignment: the inspector register as it was at the draw, a JSON list of objects",
    )
    v.add_argument(
        "--sample",
        action="store_true",
        help="plan: the inputs are the embedded sample county's (register, items, "
        "inspectors, plan of the receipt's year, China's calendar)",
    )
    v.add_argument(
        "--seed-text",
        metavar="TEXT",
        help="the seed's public source as announced before the draw (e.g. the dice "
        "digits); the receipt's seed must be that one",
    )
    _add_announcement_options(v)


def _only_for(kind: str, args: argparse.Namespace, allowed: set[str]) -> None:
    """Options that do not apply to this kind of receipt are bad input, not ignored."""
    given = {
        "registry": args.registry, "burden": args.burden, "history": args.history,
        "visits": args.visits, "inspectors": args.inspectors, "sample": args.sample or None,
    }  # fmt: skip
    wrong = sorted(k for k, v in given.items() if v is not None and k not in allowed)
    if wrong:
        flags = ", ".join(f"--{k}" for k in wrong)
        raise _BadInput(f"{args.receipt}: a {kind} receipt does not take {flags}")


def _verify_kind(kind: str, receipt: object, args: argparse.Namespace) -> object:
    from randsupervise.assign import VisitRequest
    from randsupervise.receipts import verify

    seed = None if args.seed_text is None else _text_arg(args.seed_text, "--seed-text")
    announced = _announcement_inputs(args)
    if kind == "draw":
        _only_for(kind, args, {"registry", "burden", "history"})
        if args.registry is None:
            raise _BadInput(f"{args.receipt}: a draw receipt needs --registry REGISTER.csv")
        reg, _ = _read_registry(args.registry, args.encoding, args.column)
        from randsupervise.draw import History

        history = History(
            entries=None if args.history is None else _read_limits(args.history),
            periods=None if args.burden is None else _read_burden(args.burden),
        )
        return verify(receipt, registry=reg, history=history, expected_seed=seed, **announced)  # type: ignore[arg-type]
    if kind == "assignment":
        from randsupervise.model.inspectors import InspectorPool

        _only_for(kind, args, {"visits", "inspectors"})
        if args.visits is None or args.inspectors is None:
            raise _BadInput(
                f"{args.receipt}: an assignment receipt needs --visits VISITS.json and "
                "--inspectors POOL.json"
            )
        rows = _read_json(args.visits)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise _BadInput(f"{args.visits}: expected a JSON list of visit objects")
        try:
            visits = [VisitRequest(**r) for r in rows]
        except TypeError as e:
            raise _BadInput(f"{args.visits}: {e}") from None
        pool_rows = _read_json(args.inspectors)
        if not isinstance(pool_rows, list):
            raise _BadInput(f"{args.inspectors}: expected a JSON list of inspector objects")
        pool = InspectorPool.from_records(pool_rows)
        return verify(receipt, visits=visits, pool=pool, expected_seed=seed, **announced)  # type: ignore[arg-type]
    _only_for(kind, args, {"sample"})
    if not args.sample:
        raise _BadInput(
            f"{args.receipt}: a plan receipt needs its inputs; --sample verifies a plan of "
            "the embedded sample county"
        )
    from randsupervise.demo import demo_inputs

    year = receipt["year"]  # type: ignore[index]
    plan, registry, items, pool, _, cal = demo_inputs(int(year))
    return verify(receipt, plan=plan, registry=registry, items=items, pool=pool,  # type: ignore[arg-type]
                  calendar=cal, expected_seed=seed, **announced)  # fmt: skip


def _cmd_verify(args: argparse.Namespace) -> int:
    from randsupervise.receipts import read_receipt

    try:
        kind, receipt = read_receipt(_read_text(args.receipt))
    except RecursionError:  # pragma: no cover - parse() already bounds the depth
        raise _BadInput(f"{args.receipt}: nested too deeply") from None
    except Exception as e:
        from randsupervise.errors import RandSuperviseError

        if not isinstance(e, RandSuperviseError):
            raise
        raise _BadInput(f"{args.receipt}: {' '.join(str(e).split())}") from None
    report = _verify_kind(kind, receipt, args)
    print(report)
    if args.burden is None and any(
        getattr(d, "path", "") == "burden.history" for d in getattr(report, "differences", ())
    ):
        print("  hint: pass the published burden history with --burden HISTORY.json")
    return 0 if getattr(report, "ok", False) else 1
