"""The command line: the only place in randsupervise that does I/O.

``python -m randsupervise demo`` runs the main job on the embedded sample data.
``python -m randsupervise draw --registry T.csv --seed TEXT --stream NAME --ratio A=0.03``
prints a draw's receipt (JSON) on stdout; ``python -m randsupervise verify RECEIPT.json
--registry T.csv`` verifies a receipt of any kind (draw, assignment chain, plan): it exits
0 when the receipt recomputes exactly, 1 when it does not (printing every difference with
its JSON path) and 2 on bad input (one line on stderr, never a traceback; a bad register
names every bad row by its line in the CSV file).

A burden-spread draw (``draw --burden HISTORY.json --floor F``) and a frequency-limited
draw (``draw --history LIMITS.json --item ID --limit N``) read their published histories
from JSON files; ``verify`` takes the same files (``--burden``, ``--history``), the item
and floor being read from the receipt. A history file that cannot be read or has the
wrong shape is bad input (status 2, naming the file and the entry).

``announce --registry T.csv --stream NAME --ratio A=0.03 --seed-rule TEXT --seed-date D
--date D`` prints the announcement of a draw (JSON), to be published before the seed
exists; ``verify RECEIPT.json ... --announcement FILE [--reveals FILE]`` then checks the
receipt against it too. ``commit --party P --text T`` seals a contribution (a fresh salt
and its commitment) for a seed made from several parties' reveals.

The package holds one module per command group (``demo``, ``draw``, ``verify``,
``announce`` and ``commit``, ``publish``) and one for reading register and JSON files
(``inputs``); this module builds the parser and dispatches.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from randsupervise.cli.announce import (
    _announce_arguments,
    _cmd_announce,
    _cmd_commit,
    _commit_arguments,
)
from randsupervise.cli.demo import cmd_demo
from randsupervise.cli.draw import _cmd_draw, _draw_arguments
from randsupervise.cli.inputs import _add_choice, _add_command, _run_reporting
from randsupervise.cli.inputs import _read_registry as _read_registry  # where it always was
from randsupervise.cli.plan import _cmd_plan, _plan_arguments
from randsupervise.cli.publish import _cmd_publish, _publish_arguments
from randsupervise.cli.verify import _cmd_verify, _verify_arguments

__all__ = ["build_parser", "cmd_demo", "main"]


def _demo_arguments(demo: argparse.ArgumentParser) -> None:
    """run the demo on the embedded sample data"""
    demo.add_argument("--json", action="store_true", help="print JSON instead of a report")
    _add_choice(
        demo,
        "--lang",
        ("en", "zh"),
        "language of the text report (zh: the figures a bureau reports upward, in Chinese)",
    )
    demo.add_argument(
        "--publish",
        metavar="DIR",
        help="also write the year's publications (the announcement first, then the plan, "
        "drawn lists and results) in every format into DIR, and the auditors' material "
        "into DIR/audit",
    )


#: Every subcommand, in the order ``--help`` lists them, and what adds its arguments.
_COMMANDS: dict[str, Callable[[argparse.ArgumentParser], None]] = {
    "demo": _demo_arguments,
    "draw": _draw_arguments,
    "verify": _verify_arguments,
    "announce": _announce_arguments,
    "commit": _commit_arguments,
    "publish": _publish_arguments,
    "plan": _plan_arguments,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="randsupervise",
        description="Double-random, one-public supervision: demo, draw and verify.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, options in _COMMANDS.items():
        _add_command(sub, name, options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        return cmd_demo(args)
    if args.command == "draw":
        return _run_reporting(_cmd_draw, args, flatten=False)
    if args.command == "verify":
        return _run_reporting(_cmd_verify, args)
    if args.command == "announce":
        return _run_reporting(_cmd_announce, args)
    if args.command == "commit":
        return _run_reporting(_cmd_commit, args)
    if args.command == "publish":
        return _cmd_publish(args)
    if args.command == "plan":
        return _run_reporting(_cmd_plan, args)
    parser.error(f"unknown command {args.command}")  # pragma: no cover
    return 2  # pragma: no cover
