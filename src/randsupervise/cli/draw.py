"""``randsupervise draw``: draw from a register file and print the receipt.

Invariants, and the rule each comes from:

* The draw's options are defined once (:func:`_add_policy_options`) and read once
  (:func:`_draw_options`), for ``draw`` and ``announce`` alike, so an announcement
  announces exactly what the draw will do (architecture principle 8, one rule in one
  place).
* Flags that only make sense together (``--floor`` with ``--burden``, ``--history`` and
  ``--limit`` with ``--item``) are checked before any history file is read.
* Options that draw nothing are warned about on stderr (exit status 0): silence would
  hide them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from randsupervise.cli.inputs import (
    _add_register_options,
    _BadInput,
    _pairs,
    _read_burden,
    _read_limits,
    _read_registry,
    _text_arg,
)

if TYPE_CHECKING:
    from randsupervise.draw import DrawPolicy, History
    from randsupervise.model import TargetRegistry


def _draw_arguments(d: argparse.ArgumentParser) -> None:
    """draw targets from a CSV register and print the receipt (JSON)

    Draw targets from a CSV register (header; 'id' required; 'risk_class', 'weight',
    'kind', 'region', 'industry', 'status', 'name' optional). Strata are the risk
    classes when the column is present, else one stratum ALL.
    """
    d.add_argument(
        "--registry", required=True, help="CSV file of targets (or Parquet, with pyarrow)"
    )
    _add_register_options(d)
    d.add_argument("--seed", required=True, help="public seed text (e.g. dice digits)")
    d.add_argument("--stream", required=True, help="stream label of this task or batch")
    _add_policy_options(d)


def _add_policy_options(d: argparse.ArgumentParser) -> None:
    """The draw's options, as ``draw`` and ``announce`` take them (one definition)."""
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
        metavar="COLUMN=VALUE[,VALUE...]",
        help="targeted draw: keep rows whose COLUMN is one of the VALUEs (comma-separated; "
        "Chinese statuses and kinds such as 存续 are read as the register's); repeatable",
    )
    d.add_argument(
        "--method",
        default="smallest",
        choices=["smallest", "poisson", "pareto", "sequential_poisson"],
    )
    d.add_argument("--rounding", default="ceil", choices=["ceil", "floor", "half_up"])
    d.add_argument("--min-per-stratum", type=int, default=0)
    d.add_argument("--batches", type=int, default=1, help="cut the selection into k batches")
    d.add_argument(
        "--burden",
        metavar="HISTORY.json",
        help="burden spreading: the published history of earlier periods, a JSON object "
        "mapping period labels (oldest first) to lists of inspected ids; needs --floor",
    )
    d.add_argument(
        "--floor",
        action="append",
        default=[],
        metavar="F|CLASS=F",
        help="with --burden: every unit's least inclusion probability, one number for all "
        "strata or CLASS=F per stratum (repeatable; strata left out are not coordinated)",
    )
    d.add_argument(
        "--history",
        metavar="LIMITS.json",
        help="frequency limits: this year's inspections as a JSON list of "
        "[unit id, item id, count] entries; needs --item",
    )
    d.add_argument("--item", metavar="ID", help="the item drawn for (its frequency limit applies)")
    d.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="with --item: the item's yearly frequency limit (default 1)",
    )


def _where_column(column: str) -> str:
    """A ``--where`` column: a register field, or its usual platform header."""
    from randsupervise.interop.labels import REGISTRY_HEADERS

    for field, names in REGISTRY_HEADERS.items():
        if column in names:
            return field
    return column


def _where_values(column: str, value: str) -> list[str]:
    """The values of one ``--where``: comma-separated (ASCII or full-width comma),
    Chinese statuses and kinds read as the register's values."""
    from randsupervise.interop.labels import KIND_ALIASES, RISK_ALIASES, STATUS_ALIASES

    aliases = {"status": STATUS_ALIASES, "kind": KIND_ALIASES, "risk_class": RISK_ALIASES}
    table = aliases.get(_where_column(column.strip()), {})
    parts = [v.strip() for v in value.replace("，", ",").split(",")]
    if not all(parts):
        raise _BadInput(f"--where {column}={value!r}: an empty value")
    return [table.get(v, v) for v in parts]


def _floor_arg(values: list[str], strata: Sequence[str]) -> float | dict[str, float] | None:
    """``--floor`` values: one number for every stratum, or CLASS=F per stratum."""
    if not values:
        return None
    plain = [v for v in values if "=" not in v]
    if plain:
        if len(values) > 1:
            raise _BadInput(
                f"--floor {values}: give one number for every stratum or CLASS=F per "
                "stratum, not both and not two numbers"
            )
        try:
            return float(plain[0])
        except ValueError:
            raise _BadInput(f"--floor {plain[0]!r}: not a number") from None
    floors = _pairs(values, "floor", float)
    unknown = sorted(set(floors) - set(strata))
    if unknown:
        raise _BadInput(f"--floor: unknown stratum {unknown}; the strata are {list(strata)}")
    return floors


def _warn_empty(reg: TargetRegistry, result: object, where: Mapping[str, Sequence[str]]) -> None:
    """Warnings (stderr, exit 0) for options that draw nothing: silence would hide them."""
    strata = getattr(result, "strata", {})
    if where and all(s.population == 0 for s in strata.values()):
        shown = " ".join(f"{k}={','.join(v)}" for k, v in where.items())
        print(f"randsupervise draw: warning: --where {shown} matches no row of the register: "
              "nothing is drawn", file=sys.stderr)  # fmt: skip
    idle = [k for k, s in strata.items() if s.population > 0 and s.allocation.requested == 0]
    if idle:
        print(f"randsupervise draw: warning: stratum(s) {idle} have no --ratio or --count "
              "(nor a default --ratio '*=...'): they draw nothing", file=sys.stderr)  # fmt: skip


def _draw_options(
    args: argparse.Namespace, reg: TargetRegistry, has_risk: bool
) -> tuple[DrawPolicy, History]:
    """The draw's policy and history from the command line, as ``draw`` and
    ``announce_draw`` take them (flags that only make sense together are checked before a
    history is read)."""
    from randsupervise.draw import ALL_STRATUM, DrawPolicy, History, ItemRule

    ratios = _pairs(args.ratio, "ratio", float)
    default = ratios.pop("*", None)
    counts = _pairs(args.count, "count", int)
    where: dict[str, list[str]] = {}
    for item in args.where:
        col, sep, val = item.partition("=")
        if not sep or not col.strip():
            raise _BadInput(f"--where {item!r}: expected COLUMN=VALUE")
        where.setdefault(_where_column(col.strip()), []).extend(_where_values(col, val))
    strata = reg.categories("risk_class") if has_risk else (ALL_STRATUM,)
    floor = _floor_arg(args.floor, strata)
    # the flags that only make sense together, checked before any file is read
    if floor is not None and args.burden is None:
        raise _BadInput("--floor needs --burden HISTORY.json (the history it spreads over)")
    if args.burden is not None and floor is None:
        raise _BadInput("--burden needs --floor (F, or CLASS=F per stratum)")
    if args.history is not None and args.item is None:
        raise _BadInput("--history needs --item ID (the item whose inspections it counts)")
    if args.limit is not None and args.item is None:
        raise _BadInput("--limit needs --item ID")
    burden = None if args.burden is None else _read_burden(args.burden)
    history = None if args.history is None else _read_limits(args.history)
    item = None
    if args.item is not None:
        item = ItemRule(
            id=args.item, yearly_frequency_limit=1 if args.limit is None else args.limit
        )
    policy = DrawPolicy(
        ratios=ratios,
        counts=counts,
        default_ratio=default,
        stratify="risk_class" if has_risk else None,
        method=args.method,
        rounding=args.rounding,
        min_per_stratum=args.min_per_stratum,
        where=where,
        batches=args.batches,
        item=item,
        floor=floor,
    )
    return policy, History(entries=history, periods=burden)


def _cmd_draw(args: argparse.Namespace) -> int:
    from randsupervise.draw import draw

    _text_arg(args.seed, "--seed")
    _text_arg(args.stream, "--stream")
    reg, has_risk = _read_registry(args.registry, args.encoding, args.column)
    policy, history = _draw_options(args, reg, has_risk)
    result = draw(reg, policy, seed=args.seed, stream=args.stream, history=history)
    _warn_empty(reg, result, policy.where)
    sys.stdout.write(result.receipt.to_json() + "\n")
    return 0
