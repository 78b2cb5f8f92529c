"""Reading the command line's inputs: register files and JSON files.

Invariants, and the rule each comes from:

* A register file is read whole and checked whole: every bad row is reported at once,
  named by its line in the file (architecture principle 6, a batch reports every
  problem). CSV text is decoded in the encoding given or detected (UTF-8, UTF-8 with BOM,
  GB18030); platform headers and Chinese values are read through the one table of labels
  (``randsupervise.interop.labels``); a Parquet file goes through the interop path
  (architecture principle 10).
* A JSON file is read strictly: a duplicate key is bad input, and a history of the wrong
  shape names the file and the entry.
* Bad input of any kind raises :class:`_BadInput`: one line on stderr and exit status 2,
  never a traceback (:func:`_run_reporting`).
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from randsupervise.draw import BurdenHistory, HistoryEntry
    from randsupervise.errors import Problem
    from randsupervise.model import TargetRegistry

_T = TypeVar("_T")

_CSV_COLUMNS = ("id", "name", "risk_class", "weight", "kind", "region", "industry", "status")


class _BadInput(Exception):
    """Bad command-line input: reported as a message with exit status 2."""


def _run_reporting(
    run: Callable[[argparse.Namespace], int], args: argparse.Namespace, *, flatten: bool = True
) -> int:
    """Run one command; bad input is one line on stderr and exit status 2."""
    from randsupervise.errors import RandSuperviseError

    try:
        return run(args)
    except (_BadInput, RandSuperviseError) as e:
        message = " ".join(str(e).split()) if flatten else str(e)
        print(f"randsupervise {args.command}: error: {message}", file=sys.stderr)
        return 2


def _read_registry(
    path: str, encoding: str | None = None, column: Sequence[str] = ()
) -> tuple[TargetRegistry, bool]:
    """The register in ``path`` and whether it has a risk-class column.

    Every bad row is reported at once, named by its line in the file (the header is
    line 1; blank lines are skipped but counted). A Parquet file (``.parquet``) is read
    with pyarrow; a CSV file in ``encoding`` (detected when ``None``, see
    :func:`_decode`); platform headers are mapped by :func:`_register_fields`.
    """
    from randsupervise.errors import ValidationError
    from randsupervise.model import TargetRegistry

    mapping = _column_args(column)
    if path.lower().endswith((".parquet", ".pq")):
        return _read_parquet_registry(path, mapping)
    try:
        cols, lines = _csv_columns(path, _decode(path, _read_text(path), encoding), mapping)
    except OSError as e:
        raise _BadInput(f"cannot read {path}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise _BadInput(f"{path}: not UTF-8 text ({e.reason})") from None
    _translate_values(cols)
    has_risk = "risk_class" in cols
    kwargs: dict[str, object] = {k: v for k, v in cols.items() if k != "weight"}
    if not has_risk:
        kwargs["risk_class"] = ["B"] * len(cols["id"])  # no classes: one stratum ALL
    problems: list[Problem] = []
    if "weight" in cols:
        kwargs["weight"], problems = _weights(cols["weight"], cols["id"])
    try:
        reg = TargetRegistry.from_columns(**kwargs, allow_empty=("region", "industry"))  # type: ignore[arg-type]
    except ValidationError as e:
        problems += e.problems
    if problems:
        raise _BadInput(_problems_by_line(path, problems, lines, cols["id"]))
    return reg, has_risk


def _checked_header(header: list[str], keep: set[str], path: str) -> None:
    """A header with an ``id`` column, known columns and none twice; else bad input
    that says what most likely went wrong (another delimiter, capitals)."""
    if "id" not in header:
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


def _csv_columns(
    path: str, text: str, mapping: dict[str, str]
) -> tuple[dict[str, list[str]], list[int]]:
    """The kept columns of a CSV register's text, and the file line each row starts on."""
    import csv
    import io

    lines: list[int] = []
    with io.StringIO(text, newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader, None)
            if header is None:
                raise _BadInput(f"{path}: empty file (a header with 'id' is required)")
            header, keep = _register_fields([h.strip() for h in header], mapping, path)
            _checked_header(header, keep, path)
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
    return cols, lines


def _weights(values: list[str], ids: list[str]) -> tuple[list[float], list[Problem]]:
    """The weight column as numbers, and a problem for each value that is not one."""
    from randsupervise.errors import Problem

    weights: list[float] = []
    problems: list[Problem] = []
    for i, w in enumerate(values):
        try:
            weights.append(float(w))
        except ValueError:
            weights.append(1.0)  # a stand-in, so the register still reports other rows
            message = f"weight {w!r} is not a number"
            problems.append(Problem(row=i, id=ids[i] or None, field="weight", message=message))
    return weights, problems


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


def _text_arg(value: str, flag: str) -> str:
    """A command-line text that is valid Unicode (argv bytes that are not UTF-8 arrive as
    lone surrogates, which no seed or stream can be made of)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _BadInput(f"{flag}: not valid UTF-8 text") from None
    return value


def _read_text(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as e:
        raise _BadInput(f"cannot read {path}: {e.strerror or e}") from None


def _add_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    options: Callable[[argparse.ArgumentParser], None],
) -> argparse.ArgumentParser:
    """Add the subcommand ``name`` with the arguments ``options`` adds to it.

    The command's one-line help is the first paragraph of ``options``' docstring and its
    description the rest, so every command is declared the same way, in its own module.
    """
    doc = inspect.cleandoc(options.__doc__ or "")
    summary, _, description = doc.partition("\n\n")
    parser = sub.add_parser(
        name, help=" ".join(summary.split()), description=" ".join(description.split()) or None
    )
    options(parser)
    return parser


def _add_choice(p: argparse.ArgumentParser, flag: str, choices: Sequence[str], help: str) -> None:
    """Add ``flag``, one of ``choices``; the first choice is the default."""
    p.add_argument(flag, choices=list(choices), default=choices[0], help=help)
