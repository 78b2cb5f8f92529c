"""The command line: the only place in randsupervise that does I/O.

``python -m randsupervise demo`` runs the main job on the embedded sample data.
``python -m randsupervise draw --registry T.csv --seed TEXT --stream NAME --ratio A=0.03``
prints a draw's receipt (JSON) on stdout; ``python -m randsupervise verify --registry
T.csv RECEIPT.json`` exits 0 when the receipt recomputes exactly, 1 when it does not
(printing every difference) and 2 on bad input (a message, no traceback; a bad register
names every bad row by its line in the CSV file).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from randsupervise.errors import Problem
    from randsupervise.model import TargetRegistry

_T = TypeVar("_T")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="randsupervise",
        description="Double-random, one-public supervision: demo, draw and verify.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the demo on the embedded sample data")
    demo.add_argument("--json", action="store_true", help="print JSON instead of a report")
    _add_draw_commands(sub)
    return parser


def cmd_demo(args: argparse.Namespace) -> int:
    # the full year of the sample bureau (issue: annual cycle): plan, draws, visits,
    # teams, simulated results, deadlines on the 2024 calendar, metrics, feedback
    from randsupervise.metrics.demo import run_demo_year

    demo = run_demo_year(2024)
    if args.json:
        print(json.dumps(demo.to_json_dict(), ensure_ascii=False, indent=2, sort_keys=True))
        return 0
    print(demo.to_text())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        return cmd_demo(args)
    if args.command in ("draw", "verify"):
        return _run_draw_command(args)
    parser.error(f"unknown command {args.command}")  # pragma: no cover
    return 2  # pragma: no cover


# --------------------------------------------------------------------------- draw / verify
_CSV_COLUMNS = ("id", "name", "risk_class", "weight", "kind", "region", "industry", "status")


class _BadInput(Exception):
    """Bad command-line input: reported as a message with exit status 2."""


def _add_draw_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    d = sub.add_parser(
        "draw",
        help="draw targets from a CSV register and print the receipt (JSON)",
        description="Draw targets from a CSV register (header; 'id' required; 'risk_class', "
        "'weight', 'kind', 'region', 'industry', 'status', 'name' optional). Strata are the "
        "risk classes when the column is present, else one stratum ALL.",
    )
    d.add_argument("--registry", required=True, help="CSV file of targets")
    d.add_argument("--seed", required=True, help="public seed text (e.g. dice digits)")
    d.add_argument("--stream", required=True, help="stream label of this task or batch")
    d.add_argument(
        "--ratio",
        action="append",
        default=[],
        metavar="CLASS=FRACTION",
        help="fraction of a stratum to draw (CLASS '*' sets the default); repeatable",
    )
    d.add_argument(
        "--count", action="append", default=[], metavar="CLASS=N", help="units to draw; repeatable"
    )
    d.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="COLUMN=VALUE",
        help="targeted draw: keep rows whose COLUMN is VALUE; repeatable",
    )
    d.add_argument(
        "--method",
        default="smallest",
        choices=["smallest", "poisson", "pareto", "sequential_poisson"],
    )
    d.add_argument("--rounding", default="ceil", choices=["ceil", "floor", "half_up"])
    d.add_argument("--min-per-stratum", type=int, default=0)
    d.add_argument("--batches", type=int, default=1, help="cut the selection into k batches")
    v = sub.add_parser(
        "verify",
        help="recompute a published draw; exit 0 if it matches, 1 if not, 2 on bad input",
    )
    v.add_argument("--registry", required=True, help="CSV file of targets")
    v.add_argument("receipt", help="receipt JSON file written by 'draw'")


def _read_registry(path: str) -> tuple[TargetRegistry, bool]:
    """The register in ``path`` and whether it has a risk-class column.

    Every bad row is reported at once, named by its line in the file (the header is
    line 1; blank lines are skipped but counted).
    """
    import csv

    from randsupervise.errors import Problem, ValidationError
    from randsupervise.model import TargetRegistry

    lines: list[int] = []  # the file line each data row starts on
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader, None)
                if header is None:
                    raise _BadInput(f"{path}: empty file (a header with 'id' is required)")
                header = [h.strip() for h in header]
                if "id" not in header:
                    raise _BadInput(f"{path}: no 'id' column in the header {header}")
                unknown = [h for h in header if h not in _CSV_COLUMNS]
                if unknown:
                    raise _BadInput(f"{path}: unknown column(s) {unknown}; known: {_CSV_COLUMNS}")
                if len(set(header)) != len(header):
                    raise _BadInput(f"{path}: a column appears twice in the header")
                cols: dict[str, list[str]] = {h: [] for h in header}
                names = list(header)
                end = reader.line_num
                for row in reader:
                    start, end = end + 1, reader.line_num
                    if not row:
                        continue
                    if len(row) != len(names):
                        raise _BadInput(
                            f"{path}, line {start}: {len(row)} fields, the header has {len(names)}"
                        )
                    for h, value in zip(names, row, strict=True):
                        cols[h].append(value)
                    lines.append(start)
            except csv.Error as e:
                raise _BadInput(f"{path}, line {reader.line_num}: {e}") from None
    except OSError as e:
        raise _BadInput(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise _BadInput(f"{path}: not UTF-8 text ({e.reason})") from None
    has_risk = "risk_class" in cols
    n = len(cols["id"])
    kwargs: dict[str, object] = {k: v for k, v in cols.items() if k != "weight"}
    if not has_risk:
        kwargs["risk_class"] = ["B"] * n  # no classes: everyone ordinary, one stratum ALL
    problems: list[Problem] = []
    if "weight" in cols:
        weights: list[float] = []
        for i, w in enumerate(cols["weight"]):
            try:
                weights.append(float(w))
            except ValueError:
                weights.append(1.0)  # a stand-in, so the register still reports other rows
                problems.append(
                    Problem(
                        row=i,
                        id=cols["id"][i] or None,
                        field="weight",
                        message=f"weight {w!r} is not a number",
                    )
                )
        kwargs["weight"] = weights
    try:
        reg = TargetRegistry.from_columns(**kwargs, allow_empty=("region", "industry"))  # type: ignore[arg-type]
    except ValidationError as e:
        problems += e.problems
    if problems:
        raise _BadInput(_problems_by_line(path, problems, lines, cols["id"]))
    return reg, has_risk


def _problems_by_line(path: str, problems: list[Problem], lines: list[int], ids: list[str]) -> str:
    """The problems of a CSV register, each named by its file line instead of its row."""
    import attrs

    rows_of: dict[str, list[int]] = {}
    for i, uid in enumerate(ids):
        rows_of.setdefault(uid, []).append(i)
    out = []
    for p in sorted(problems, key=lambda p: (-1 if p.row is None else p.row, p.field or "")):
        row = p.row
        if row is None:
            out.append(str(p))
            continue
        if p.field == "id" and p.message.startswith("duplicate id"):
            # the register names the other rows; a file's reader wants their lines
            others = [lines[r] for r in rows_of.get(str(p.id), []) if r != row]
            p = attrs.evolve(p, message=f"duplicate id (also on lines {others})")
        rest = str(attrs.evolve(p, row=None))
        out.append(f"line {lines[row]}{', ' if rest != p.message else ': '}{rest}")
    if len(out) == 1:
        return f"{path}: {out[0]}"
    more = [f"... and {len(out) - 50} more"] if len(out) > 50 else []  # as ValidationError
    return f"{path}: {len(out)} problems:\n  " + "\n  ".join(out[:50] + more)


def _pairs(values: list[str], what: str, convert: Callable[[str], _T]) -> dict[str, _T]:
    out: dict[str, _T] = {}
    for v in values:
        key, sep, val = v.partition("=")
        if not sep or not key.strip():
            raise _BadInput(f"--{what} {v!r}: expected CLASS=VALUE")
        try:
            out[key.strip()] = convert(val.strip())
        except ValueError:
            kind = getattr(convert, "__name__", "value")
            raise _BadInput(f"--{what} {v!r}: {val!r} is not a {kind}") from None
    return out


def _cmd_draw(args: argparse.Namespace) -> int:
    from randsupervise.draw import draw

    reg, has_risk = _read_registry(args.registry)
    ratios = _pairs(args.ratio, "ratio", float)
    default = ratios.pop("*", None)
    counts = _pairs(args.count, "count", int)
    where: dict[str, list[str]] = {}
    for item in args.where:
        col, sep, val = item.partition("=")
        if not sep or not col.strip():
            raise _BadInput(f"--where {item!r}: expected COLUMN=VALUE")
        where.setdefault(col.strip(), []).append(val.strip())
    result = draw(
        reg,
        seed=args.seed,
        stream=args.stream,
        ratios=ratios,
        counts=counts,
        default_ratio=default,
        stratify="risk_class" if has_risk else None,
        method=args.method,
        rounding=args.rounding,
        min_per_stratum=args.min_per_stratum,
        where=where,
        batches=args.batches,
    )
    sys.stdout.write(result.receipt.to_json() + "\n")
    return 0


def _cmd_verify(args: argparse.Namespace) -> int:
    from randsupervise.draw import Receipt, verify

    reg, _ = _read_registry(args.registry)
    try:
        with open(args.receipt, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as e:
        raise _BadInput(f"cannot read {args.receipt}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise _BadInput(f"{args.receipt}: not UTF-8 text ({e.reason})") from None
    report = verify(Receipt.from_json(text), reg)
    print(report)
    return 0 if report.ok else 1


def _run_draw_command(args: argparse.Namespace) -> int:
    from randsupervise.errors import RandSuperviseError

    try:
        return _cmd_draw(args) if args.command == "draw" else _cmd_verify(args)
    except (_BadInput, RandSuperviseError) as e:
        print(f"randsupervise {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
