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
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

if TYPE_CHECKING:
    from randsupervise.draw import BurdenHistory, HistoryEntry
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
    demo.add_argument(
        "--publish",
        metavar="DIR",
        help="also write the year's publications (the announcement first, then the plan, "
        "drawn lists and results) in every format into DIR, and the auditors' material "
        "into DIR/audit",
    )
    _add_draw_commands(sub)
    _add_announce_commands(sub)
    _add_publish_command(sub)
    return parser


def cmd_demo(args: argparse.Namespace) -> int:
    # the full year of the sample bureau: plan, draws, visits,
    # teams, simulated results, deadlines on the 2024 calendar, metrics, feedback
    from randsupervise.metrics.demo import run_demo_year

    demo = run_demo_year(2024)
    if args.json:
        print(json.dumps(demo.to_json_dict(), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        print(demo.to_text())
    if args.publish:  # after the report; on stderr when stdout holds JSON
        _publish_demo_year(demo, args.publish, sys.stderr if args.json else sys.stdout)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        return cmd_demo(args)
    if args.command in ("draw", "verify"):
        return _run_draw_command(args)
    if args.command in ("announce", "commit"):
        return _run_announce_command(args)
    if args.command == "publish":
        return _cmd_publish(args)
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
    d.add_argument(
        "--registry", required=True, help="CSV file of targets (or Parquet, with pyarrow)"
    )
    _add_register_options(d)
    d.add_argument("--seed", required=True, help="public seed text (e.g. dice digits)")
    d.add_argument("--stream", required=True, help="stream label of this task or batch")
    _add_policy_options(d)
    v = sub.add_parser(
        "verify",
        help="verify a draw, assignment or plan receipt; exit 0 verified, 1 does not verify, "
        "2 bad input",
        description="Recompute a published receipt (draw, assignment or plan; its kind is "
        "read from the file) from its inputs and compare every field. Exit status 0: "
        "verified; 1: does not verify (every difference printed, with its JSON path); "
        "2: bad input (missing, unreadable or malformed file, wrong kind, a needed input "
        "missing), with one line on stderr.",
    )
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


def _read_registry(
    path: str, encoding: str | None = None, column: Sequence[str] = ()
) -> tuple[TargetRegistry, bool]:
    """The register in ``path`` and whether it has a risk-class column.

    Every bad row is reported at once, named by its line in the file (the header is
    line 1; blank lines are skipped but counted). A Parquet file (``.parquet``) is read
    with pyarrow; a CSV file in ``encoding`` (detected when ``None``, see
    :func:`_decode`); platform headers are mapped by :func:`_register_fields`.
    """
    import csv
    import io

    from randsupervise.errors import Problem, ValidationError
    from randsupervise.model import TargetRegistry

    mapping = _column_args(column)
    if path.lower().endswith((".parquet", ".pq")):
        return _read_parquet_registry(path, mapping)
    lines: list[int] = []  # the file line each data row starts on
    try:
        with io.StringIO(_decode(path, _read_text(path), encoding), newline="") as fh:
            reader = csv.reader(fh)
            try:
                header = next(reader, None)
                if header is None:
                    raise _BadInput(f"{path}: empty file (a header with 'id' is required)")
                header, keep = _register_fields([h.strip() for h in header], mapping, path)
                if "id" not in header:
                    # Say what most likely went wrong: another delimiter or capitals.
                    hint = ""
                    if len(header) == 1 and any(c in header[0] for c in ";\t|"):
                        hint = " (the file must be comma-separated)"
                    elif "id" in (h.lower() for h in header):
                        hint = " (column names are lower case: id, risk_class, ...)"
                    raise _BadInput(f"{path}: no 'id' column in the header {header}{hint}")
                unknown = [h for h in header if h in keep and h not in _CSV_COLUMNS]
                if unknown:
                    raise _BadInput(f"{path}: unknown column(s) {unknown}; known: {_CSV_COLUMNS}")
                kept = [h for h in header if h in keep]
                if len(set(kept)) != len(kept):
                    raise _BadInput(f"{path}: a column appears twice in the header")
                cols: dict[str, list[str]] = {h: [] for h in header if h in keep}
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
                        if h in cols:
                            cols[h].append(value)
                    lines.append(start)
            except csv.Error as e:
                raise _BadInput(f"{path}, line {reader.line_num}: {e}") from None
    except OSError as e:
        raise _BadInput(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise _BadInput(f"{path}: not UTF-8 text ({e.reason})") from None
    _translate_values(cols)
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


# --------------------------------------------------------------------------- register files
_ENCODINGS = {
    "utf-8": "UTF-8",
    "utf8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "gb18030": "GB18030",
    "gbk": "GBK",
    "gb2312": "GB2312",
}


def _add_register_options(p: argparse.ArgumentParser) -> None:
    """The options that say how to read a register file (draw and verify)."""
    p.add_argument(
        "--encoding",
        choices=sorted(_ENCODINGS),
        type=str.lower,
        help="text encoding of the CSV register (default: detected among UTF-8, UTF-8 with "
        "BOM and GB18030, which reads GBK and GB2312 files too; a non-UTF-8 file is named "
        "on stderr)",
    )
    p.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="FIELD=HEADER",
        help="read register FIELD (id, name, kind, region, industry, risk_class, status, "
        "weight) from the column HEADER; repeatable. Without it the usual platform headers "
        "(统一社会信用代码, 企业名称, 风险等级, 所属区域, 行业, 登记状态, ...) are recognised, "
        "and other columns of such a file are ignored",
    )


def _column_args(values: Sequence[str]) -> dict[str, str]:
    """``--column FIELD=HEADER`` options as ``{field: header}``."""
    out = _pairs(list(values), "column", str)
    unknown = sorted(set(out) - set(_CSV_COLUMNS))
    if unknown:
        raise _BadInput(f"--column: unknown field(s) {unknown}; the fields are {_CSV_COLUMNS}")
    return out


def _decode(path: str, data: bytes, encoding: str | None) -> str:
    """The text of a register file: in ``encoding``, or detected (UTF-8 with or without
    BOM, else GB18030). A detected encoding other than UTF-8 is named on stderr, so a
    reader sees how the file was taken."""
    if encoding is not None:
        codec = "utf-8-sig" if encoding in ("utf-8", "utf8") else encoding
        try:
            return data.decode(codec)
        except UnicodeDecodeError as e:
            raise _BadInput(
                f"{path}: not {_ENCODINGS[encoding]} text ({e.reason} at byte {e.start})"
            ) from None
    codec = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        if codec == "utf-8-sig":
            raise _BadInput(f"{path}: not UTF-8 text ({e.reason})") from None
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as e:
        raise _BadInput(
            f"{path}: neither UTF-8 nor GB18030 text ({e.reason} at byte {e.start}); "
            "give --encoding"
        ) from None
    print(f"randsupervise: read {path} as GB18030 (not UTF-8)", file=sys.stderr)
    return text


def _register_fields(
    header: list[str], mapping: dict[str, str], path: str
) -> tuple[list[str], set[str]]:
    """The header with platform names replaced by register fields, and the columns to keep.

    ``--column`` names first, then the usual headers (:data:`~randsupervise.interop.labels.
    REGISTRY_HEADERS`). A file that needed either is a platform export: its other columns
    are ignored. A file in the register's own names keeps every column (an unknown one is
    an error, as a typo would be).
    """
    from randsupervise.interop.labels import REGISTRY_HEADERS

    missing = sorted(h for h in mapping.values() if h not in header)
    if missing:
        raise _BadInput(f"{path}: --column names header(s) {missing} not in the file {header}")
    rename = {h: f for f, h in mapping.items()}
    for field, names in REGISTRY_HEADERS.items():
        if field in mapping or field in header:
            continue
        found = [h for h in names if h in header and h not in rename]
        if len(found) > 1:
            raise _BadInput(
                f"{path}: columns {found} could each be {field!r}; say which with "
                f"--column {field}=HEADER"
            )
        if found:
            rename[found[0]] = field
    if not rename:
        return header, set(header)
    out = [rename.get(h, h) for h in header]
    return out, {rename[h] for h in header if h in rename} | (set(header) & set(_CSV_COLUMNS))


def _translate_values(cols: dict[str, list[str]]) -> None:
    """Chinese statuses, kinds and risk classes in place, as the register's values."""
    from randsupervise.interop.labels import KIND_ALIASES, RISK_ALIASES, STATUS_ALIASES

    for field, aliases in (
        ("status", STATUS_ALIASES),
        ("kind", KIND_ALIASES),
        ("risk_class", RISK_ALIASES),
    ):
        if field in cols:
            cols[field] = [aliases.get(v, v) for v in cols[field]]


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


def _read_parquet_registry(path: str, mapping: dict[str, str]) -> tuple[TargetRegistry, bool]:
    """A Parquet register (needs pyarrow), read through the interop path."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise _BadInput(
            f"{path}: reading Parquet needs pyarrow: pip install 'randsupervise[arrow]'"
        ) from None
    from randsupervise.errors import ValidationError
    from randsupervise.interop import registry_from
    from randsupervise.interop.labels import REGISTRY_HEADERS

    try:
        table = pq.read_table(path)
    except OSError as e:
        raise _BadInput(f"cannot read {path}: {e}") from None
    except Exception as e:  # pyarrow's own errors for a file that is not Parquet
        raise _BadInput(f"{path}: not a Parquet file ({e})") from None
    names = set(table.column_names)
    has_risk = "risk_class" in mapping or bool(
        names & {"risk_class", *REGISTRY_HEADERS["risk_class"]}
    )
    if not has_risk:
        import pyarrow as pa

        table = table.append_column("risk_class", pa.array(["B"] * table.num_rows))
    try:
        return registry_from(table, columns=mapping or None), has_risk
    except ValidationError as e:
        raise _BadInput(f"{path}: {e}") from None


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
        if key.strip() in out:  # a repeated option is a mistake, not a change of mind
            raise _BadInput(f"--{what} {key.strip()!r} is given twice")
        try:
            out[key.strip()] = convert(val.strip())
        except ValueError:
            kind = getattr(convert, "__name__", "value")
            raise _BadInput(f"--{what} {v!r}: {val!r} is not a {kind}") from None
    return out


def _read_json(path: str) -> object:
    """The JSON value in ``path``; a duplicate key in an object is bad input."""

    def no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
        out: dict[str, object] = {}
        for key, value in pairs:
            if key in out:
                raise _BadInput(f"{path}: key {key!r} appears twice in an object")
            out[key] = value
        return out

    try:
        with open(path, encoding="utf-8-sig") as fh:
            text = fh.read()
    except OSError as e:
        raise _BadInput(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise _BadInput(f"{path}: not UTF-8 text ({e.reason})") from None
    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as e:
        raise _BadInput(f"{path}: not valid JSON: {e}") from None


def _id_list(path: str, where: str, value: object) -> list[str]:
    if not isinstance(value, list):
        raise _BadInput(f"{path}: {where}: expected a list of ids, got {type(value).__name__}")
    for k, uid in enumerate(value):
        if not isinstance(uid, str) or not uid:
            raise _BadInput(
                f"{path}: {where}, item {k}: ids must be non-empty strings, got {uid!r}"
            )
    return value


def _read_burden(path: str) -> BurdenHistory:
    """The burden history in ``path``: ``{"label": [ids], ...}`` with the periods oldest
    first (the object's key order), or ``[[ids], ...]`` (periods labelled 1, 2, ...)."""
    from randsupervise.draw import BurdenHistory
    from randsupervise.errors import ValidationError

    data = _read_json(path)
    periods: dict[str, list[str]] | list[list[str]]
    if isinstance(data, dict):
        periods = {}
        for label, ids in data.items():
            if not label:
                raise _BadInput(f"{path}: a period label is empty")
            periods[label] = _id_list(path, f"period {label!r}", ids)
    elif isinstance(data, list):
        periods = [_id_list(path, f"period {k + 1}", ids) for k, ids in enumerate(data)]
    else:
        raise _BadInput(
            f"{path}: expected a JSON object mapping period labels (oldest first) to lists "
            f"of inspected ids, got {type(data).__name__}"
        )
    try:
        return BurdenHistory.from_periods(periods)
    except ValidationError as e:  # pragma: no cover - the shapes are checked above
        raise _BadInput(f"{path}: {' '.join(str(e).split())}") from None


def _read_limits(path: str) -> list[HistoryEntry]:
    """The frequency history in ``path``: a list of ``[unit id, item id, count]``."""
    data = _read_json(path)
    if not isinstance(data, list):
        raise _BadInput(
            f"{path}: expected a JSON list of [unit id, item id, count] entries, "
            f"got {type(data).__name__}"
        )
    out: list[HistoryEntry] = []
    for k, entry in enumerate(data):
        if not (
            isinstance(entry, list)
            and len(entry) == 3
            and isinstance(entry[0], str)
            and entry[0]
            and isinstance(entry[1], str)
            and entry[1]
            and isinstance(entry[2], int)
            and not isinstance(entry[2], bool)
            and entry[2] >= 0
        ):
            raise _BadInput(
                f"{path}: entry {k}: expected [unit id, item id, count] with non-empty "
                f"string ids and an integer count >= 0, got {json.dumps(entry)[:80]}"
            )
        out.append((entry[0], entry[1], entry[2]))
    return out


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


def _text_arg(value: str, flag: str) -> str:
    """A command-line text that is valid Unicode (argv bytes that are not UTF-8 arrive as
    lone surrogates, which no seed or stream can be made of)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _BadInput(f"{flag}: not valid UTF-8 text") from None
    return value


def _warn_empty(reg: TargetRegistry, result: object, where: dict[str, list[str]]) -> None:
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


def _draw_options(args: argparse.Namespace, reg: TargetRegistry, has_risk: bool) -> dict[str, Any]:
    """The draw's options from the command line, as ``draw`` and ``announce_draw`` take
    them (flags that only make sense together are checked before a history is read)."""
    from randsupervise.draw import ALL_STRATUM, ItemRule

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
    return dict(
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
        history=history,
        burden=burden,
        floor=floor,
    )


def _cmd_draw(args: argparse.Namespace) -> int:
    from randsupervise.draw import draw

    _text_arg(args.seed, "--seed")
    _text_arg(args.stream, "--stream")
    reg, has_risk = _read_registry(args.registry, args.encoding, args.column)
    options = _draw_options(args, reg, has_risk)
    result = draw(reg, seed=args.seed, stream=args.stream, **options)
    _warn_empty(reg, result, options.get("where") or {})
    sys.stdout.write(result.receipt.to_json() + "\n")
    return 0


def _read_text(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as e:
        raise _BadInput(f"cannot read {path}: {e.strerror or e}") from None


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
        burden = None if args.burden is None else _read_burden(args.burden)
        history = None if args.history is None else _read_limits(args.history)
        return verify(receipt, registry=reg, history=history, burden=burden,  # type: ignore[arg-type]
                      expected_seed=seed, **announced)  # fmt: skip
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
    from randsupervise.metrics.demo import demo_inputs

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


def _run_draw_command(args: argparse.Namespace) -> int:
    from randsupervise.errors import RandSuperviseError

    try:
        return _cmd_draw(args) if args.command == "draw" else _cmd_verify(args)
    except (_BadInput, RandSuperviseError) as e:
        message = " ".join(str(e).split()) if args.command == "verify" else str(e)
        print(f"randsupervise {args.command}: error: {message}", file=sys.stderr)
        return 2


# --------------------------------------------------------------------- announce / commit
def _add_announcement_options(v: argparse.ArgumentParser) -> None:
    v.add_argument(
        "--announcement",
        metavar="ANNOUNCEMENT.json",
        help="the announcement published before the seed existed (randsupervise announce): "
        "the receipt must draw what it announced, with a seed made by its rule",
    )
    v.add_argument(
        "--reveals",
        metavar="REVEALS.json",
        help="with --announcement of sealed contributions: the published reveals, a JSON "
        'list of {"party", "salt", "text"}',
    )


def _add_announce_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    a = sub.add_parser(
        "announce",
        help="write the announcement of a draw (JSON) before its seed exists",
        description="Write the announcement (抽查预告) of a draw: the register's digest, the "
        "stream, the draw's options (as draw takes them) and the seed rule, to be published "
        "before the seed exists. The seed will be the text SEED-RULE, a space, and the value "
        "the source gives on SEED-DATE (randsupervise draw --seed 'SEED-RULE VALUE'); with "
        "--commitment, the seed is made from the reveals of the named parties' sealed "
        "contributions.",
    )
    a.add_argument("--registry", required=True, help="CSV file of targets, as frozen")
    _add_register_options(a)
    a.add_argument("--stream", required=True, help="stream label of this task or batch")
    _add_policy_options(a)
    a.add_argument(
        "--seed-rule",
        required=True,
        metavar="TEXT",
        help="the seed's public source, written at the head of the seed text (e.g. "
        "'双色球 2024年第025期 开奖号码'); with --commitment, where the reveals are published",
    )
    a.add_argument(
        "--seed-date",
        required=True,
        metavar="YYYY-MM-DD",
        help="the day the source gives its value (after --date)",
    )
    a.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the announcement's date")
    a.add_argument(
        "--commitment",
        action="append",
        default=[],
        metavar="PARTY=HEX",
        help="a party's commitment to its sealed contribution (randsupervise commit); "
        "repeatable; the seed is then made from the reveals",
    )
    a.add_argument(
        "--missing",
        choices=["void", "others"],
        help="with --commitment: a missing reveal voids the draw (void, the default) or "
        "the seed is made from the others' reveals (others)",
    )
    c = sub.add_parser(
        "commit",
        help="seal a contribution: print a fresh salt and the commitment (JSON)",
        description="Seal a contribution for a seed: prints a random 32-byte salt, the "
        "commitment to publish now, and the reveal to publish after the announcement "
        "(keep the salt secret until then).",
    )
    c.add_argument("--party", required=True, help="the party's name, as announced")
    c.add_argument("--text", required=True, help="the contribution text")


def _cmd_announce(args: argparse.Namespace) -> int:
    from randsupervise.draw import SeedRule, announce_draw

    reg, has_risk = _read_registry(args.registry, args.encoding, args.column)
    commitments: dict[str, str] = {}
    for value in args.commitment:
        party, sep, hex_digits = value.partition("=")
        if not sep or not party.strip():
            raise _BadInput(f"--commitment {value!r}: expected PARTY=HEX")
        if party.strip() in commitments:
            raise _BadInput(f"--commitment: party {party.strip()!r} named twice")
        commitments[party.strip()] = hex_digits.strip()
    if args.missing is not None and not commitments:
        raise _BadInput("--missing needs --commitment PARTY=HEX (the sealed contributions)")
    if commitments:
        rule = SeedRule(
            method="contributions",
            source=args.seed_rule,
            date=args.seed_date,
            parties=[{"party": p, "commitment": c} for p, c in commitments.items()],
            missing=args.missing or "void",
        )
    else:
        rule = SeedRule(method="text", source=args.seed_rule, date=args.seed_date)
    options = _draw_options(args, reg, has_risk)
    announcement = announce_draw(reg, stream=args.stream, seed_rule=rule, date=args.date, **options)
    sys.stdout.write(announcement.to_json() + "\n")
    return 0


def _cmd_commit(args: argparse.Namespace) -> int:
    import secrets

    from randsupervise.draw import commitment_of

    salt = secrets.token_hex(32)  # the CLI may use the OS's randomness; the library never does
    record = {
        "commitment": {"party": args.party, "commitment": commitment_of(args.text, salt)},
        "reveal": {"party": args.party, "salt": salt, "text": args.text},
    }
    sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return 0


def _read_announcement(data: bytes) -> object:
    """An announcement, from its own JSON or from its published document
    (``publish announcement``), which carries it unchanged."""
    from randsupervise._core.strict_json import parse
    from randsupervise.draw import Announcement
    from randsupervise.errors import Problem, ValidationError
    from randsupervise.publish import PUBLICATION_FORMAT, read_json

    head = parse(data, what="announcement", max_depth=24)
    if isinstance(head, dict) and head.get("format") == PUBLICATION_FORMAT:
        doc = read_json(data)
        if doc["kind"] != "announcement":
            raise ValidationError(
                [Problem(field="kind", message=f"a published {doc['kind']!r}, not an announcement")]
            )
        return Announcement.from_dict(doc["announcement"])
    return Announcement.from_json(data)


def _announcement_inputs(args: argparse.Namespace) -> dict[str, Any]:
    """``announcement=`` and ``reveals=`` for verify, from --announcement and --reveals."""
    from randsupervise.draw import read_reveals
    from randsupervise.errors import RandSuperviseError

    if args.announcement is None:
        if args.reveals is not None:
            raise _BadInput("--reveals needs --announcement ANNOUNCEMENT.json")
        return {}
    out: dict[str, Any] = {}
    for key, path, read in (
        ("announcement", args.announcement, _read_announcement),
        ("reveals", args.reveals, read_reveals),
    ):
        if path is None:
            continue
        try:
            out[key] = read(_read_text(path))
        except RandSuperviseError as e:
            raise _BadInput(f"{path}: {' '.join(str(e).split())}") from None
    return out


def _run_announce_command(args: argparse.Namespace) -> int:
    from randsupervise.errors import RandSuperviseError

    try:
        return _cmd_announce(args) if args.command == "announce" else _cmd_commit(args)
    except (_BadInput, RandSuperviseError) as e:
        print(f"randsupervise {args.command}: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 2


# ------------------------------------------------------------------------------- publish
def _add_publish_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "publish",
        help="write what the bureau publishes (announcement, plan, drawn lists, results)",
        description="Write the year's announcement (before the seed), the plan and item "
        "list, each task's drawn list, or the year's results, in JSON, CSV, XLSX and HTML. "
        "The inputs are the embedded sample year (--sample; there is no plan file format yet).",
    )
    p.add_argument("what", choices=["announcement", "plan", "task", "results"])
    p.add_argument("--sample", action="store_true", help="the embedded sample year (required)")
    p.add_argument(
        "--format",
        action="append",
        choices=["json", "csv", "xlsx", "html"],
        help="format to write; repeatable (default: every format)",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="directory to write into")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="labels (default zh)")
    p.add_argument("--task", metavar="ID", help="task: only this task (default: every task)")
    p.add_argument(
        "--form",
        choices=["public", "audit"],
        default="public",
        help="task: public (no risk class; default) or audit (classes and full receipts)",
    )
    p.add_argument(
        "--encoding",
        choices=["utf-8-sig", "gb18030"],
        default="utf-8-sig",
        help="CSV encoding: UTF-8 with a byte-order mark (default) or GB18030",
    )


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
    from randsupervise.metrics.demo import DemoReport
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
    from randsupervise.metrics.demo import run_demo_year

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


def _publish_demo_year(demo: object, directory: str, out: TextIO) -> None:
    """``demo --publish DIR``: every publication in every format, the audit material in
    DIR/audit (the register with its risk classes, the audit forms, the plan receipt)."""
    import os

    from randsupervise._core.frozen import thaw
    from randsupervise.metrics.demo import DemoReport
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
