"""The command line: the only place in randsupervise that does I/O.

``python -m randsupervise demo`` runs the main job on the embedded sample data.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="randsupervise",
        description="Double-random, one-public supervision: demo, draw and verify.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the demo on the embedded sample data")
    demo.add_argument("--json", action="store_true", help="print JSON instead of a report")
    return parser


def cmd_demo(args: argparse.Namespace) -> int:
    print("randsupervise demo: sample data not built yet")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        return cmd_demo(args)
    parser.error(f"unknown command {args.command}")  # pragma: no cover
    return 2  # pragma: no cover


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
