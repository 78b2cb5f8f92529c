"""Targets and their register (检查对象名录库).

Invariants (plan §三(三); BRIEF "Glossary"):

* The register holds market entities (enterprises, sole traders, farmer co-operatives,
  other entities) and non-market targets (products, projects, conduct), each with a
  region, an industry, a credit-risk class A-D (sub-registers by risk, 子库) and a status.
* It is **columnar**: read-only numpy arrays, so ten million targets cost arrays, not
  objects. Categorical columns (kind, region, industry, status) are dictionary-encoded:
  integer codes into a sorted tuple of categories. Risk classes are codes 0-3 for A-D.
* Ids are unique, non-empty strings without surrounding whitespace. They are opaque: no
  Unicode normalisation is applied, so callers normalise before building.
* Every id's 64-bit fingerprint (ticket spec v1, step 1) is computed once when the
  register is built and cached with it; draws reuse it.
* The content digest does not depend on row order: it hashes the sorted per-row hashes.
* Building validates everything and reports **every** bad row at once; nothing is built
  when anything is wrong. Registers are immutable: ``apply`` (两库动态管理, plan §三(三))
  returns a new register and a change log; ``diff`` compares two versions.
"""

from __future__ import annotations

import enum
import hashlib
import itertools
import math
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.display import html_summary
from randsupervise._core.frozen import readonly as _readonly
from randsupervise._core.validation import (
    as_column,
    describe,
    is_text,
    real_problems,
    text_problems,
)
from randsupervise.errors import Problem, UnknownIdError, ValidationError
from randsupervise.model._validation import ident_of
from randsupervise.model.credit_code import valid_credit_code_mask
from randsupervise.tickets.fingerprint import fingerprints as _fingerprints
from randsupervise.tickets.fingerprint import mix64, value_hash

__all__ = [
    "CATEGORICAL_COLUMNS",
    "ENTITY_KINDS",
    "AddTarget",
    "RegistryChange",
    "RegistryDiff",
    "RemoveTarget",
    "RiskClass",
    "Target",
    "TargetKind",
    "TargetRegistry",
    "TargetStatus",
    "UpdateTarget",
    "registry_digest_from_row_hashes",
]


class RiskClass(enum.IntEnum):
    """Credit-risk classes (信用风险分类), ordered from low (A) to high (D) risk.

    Examples:
        >>> RiskClass.A < RiskClass.D
        True
        >>> RiskClass.parse("c").label_en
        'elevated risk'
    """

    A = 0
    B = 1
    C = 2
    D = 3

    @property
    def label_en(self) -> str:
        return ("low risk", "ordinary risk", "elevated risk", "high risk")[self.value]

    @property
    def label_zh(self) -> str:
        return ("低风险", "一般风险", "较高风险", "高风险")[self.value]

    @classmethod
    def parse(cls, value: object) -> RiskClass:
        """Accept a member, a letter (any case) or a code 0-3; raise
        :class:`~randsupervise.errors.ValidationError` (a ``ValueError``) naming
        ``risk_class`` otherwise (``True`` is not class B)."""
        if isinstance(value, RiskClass):
            return value
        if isinstance(value, str) and value.strip().upper() in cls.__members__:
            return cls[value.strip().upper()]
        if (
            isinstance(value, int | np.integer)
            and not isinstance(value, bool | np.bool_)
            and 0 <= value <= 3
        ):
            return cls(int(value))
        raise ValidationError(
            [
                Problem(
                    field="risk_class",
                    message=f"unknown risk class {describe(value)}: expected one of A, B, C, D",
                )
            ],
            what="RiskClass",
        )


class TargetKind(str, enum.Enum):
    """What a target is (plan §三(三)): market entities and non-market targets."""

    ENTERPRISE = "enterprise"
    SOLE_TRADER = "sole_trader"
    FARMER_COOPERATIVE = "farmer_cooperative"
    OTHER_ENTITY = "other_entity"
    PRODUCT = "product"
    PROJECT = "project"
    CONDUCT = "conduct"


#: Kinds registered under a unified social credit code (GB 32100-2015).
ENTITY_KINDS = frozenset(
    {
        TargetKind.ENTERPRISE.value,
        TargetKind.SOLE_TRADER.value,
        TargetKind.FARMER_COOPERATIVE.value,
        TargetKind.OTHER_ENTITY.value,
    }
)


class TargetStatus(str, enum.Enum):
    """Registration status; only active targets are normally drawn."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    UNREACHABLE = "unreachable"
    DEREGISTERED = "deregistered"
    REVOKED = "revoked"
    MOVED_OUT = "moved_out"


CATEGORICAL_COLUMNS: tuple[str, ...] = ("kind", "region", "industry", "status")
_ALLOWED: Mapping[str, frozenset[str] | None] = {
    "kind": frozenset(k.value for k in TargetKind),
    "status": frozenset(s.value for s in TargetStatus),
    "region": None,
    "industry": None,
}
_DEFAULTS = {"kind": TargetKind.ENTERPRISE.value, "region": "", "industry": "", "status": "active"}
_RISK_LETTERS = ("A", "B", "C", "D")
# Column order of the digest; changing it is a versioned change of the digest.
_DIGEST_COLUMNS = ("id", "name", "kind", "region", "industry", "risk_class", "status", "weight")
_DIGEST_VERSION = "randsupervise.registry.v1"

IntArray: TypeAlias = npt.NDArray[np.int64]
U64Array: TypeAlias = npt.NDArray[np.uint64]


def _enum_value(v: object) -> object:
    return v.value if isinstance(v, enum.Enum) else v


def _str_value(v: object) -> str:
    """Converter: enum members to their value; other values unchanged (validated later)."""
    out = _enum_value(v)
    return out  # type: ignore[return-value]


def _parse_risk(v: object) -> RiskClass:
    """Converter: a risk class as :meth:`RiskClass.parse` reads it; other values unchanged,
    so validation reports them together with the other fields' problems."""
    try:
        return RiskClass.parse(v)
    except ValidationError:
        return v  # type: ignore[return-value]


def _as_dict(m: Mapping[str, Any]) -> dict[str, Any]:
    """Converter: a mapping to a dict of its own; anything else kept for the report."""
    return dict(m) if isinstance(m, Mapping) else m


@attrs.frozen(kw_only=True)
class Target:
    """One inspection target, the row form of :class:`TargetRegistry`.

    Examples:
        >>> t = Target(id="91350100M000100Y43", name="示例网吧", kind="enterprise",
        ...            region="东城镇", industry="internet_cafe", risk_class="B")
        >>> t.risk_class, t.status
        (<RiskClass.B: 1>, 'active')
    """

    id: str
    name: str
    kind: str = attrs.field(default=TargetKind.ENTERPRISE.value, converter=_str_value)
    region: str = ""
    industry: str = ""
    risk_class: RiskClass = attrs.field(default=RiskClass.B, converter=_parse_risk)
    status: str = attrs.field(default=TargetStatus.ACTIVE.value, converter=_str_value)
    weight: float = 1.0

    def __attrs_post_init__(self) -> None:
        problems = _row_problems(0, attrs.asdict(self, recurse=False), self.id)
        if problems:
            raise ValidationError([attrs.evolve(p, row=None) for p in problems], what="Target")


def _is_missing(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _row_problems(row: int, fields: Mapping[str, Any], unit_id: str | None) -> list[Problem]:
    """Scalar validation of one row; used for Target objects and change batches."""
    out: list[Problem] = []
    uid = fields.get("id")
    if not is_text(uid) or not uid or uid != uid.strip():
        out.append(Problem(row=row, id=unit_id, field="id", message=_id_message(uid)))
    name = fields.get("name")
    if not isinstance(name, str) or not name.strip():
        out.append(Problem(row=row, id=unit_id, field="name", message="name is empty or missing"))
    elif not is_text(name):
        out.append(Problem(row=row, id=unit_id, field="name", message=_text_message("name", name)))
    for col in CATEGORICAL_COLUMNS:
        v = _enum_value(fields.get(col, _DEFAULTS[col]))
        msg = _category_message(col, v)
        if msg:
            out.append(Problem(row=row, id=unit_id, field=col, message=msg))
    try:
        RiskClass.parse(fields.get("risk_class"))
    except ValidationError as e:
        out += [attrs.evolve(p, row=row, id=unit_id) for p in e.problems]
    out += real_problems(
        fields.get("weight", 1.0), "weight", unit_id, min_value=0, row=row, what="a finite number"
    )
    return out


def _text_message(field: str, v: str) -> str:
    if "\x00" in v:
        return f"{field} contains a NUL character"
    return f"{field} {describe(v)} is not valid Unicode text (a lone surrogate?)"


def _id_message(v: object) -> str:
    if isinstance(v, str) and not is_text(v):
        return _text_message("id", v)
    if _is_missing(v):
        return "id is missing"
    if not isinstance(v, str):
        return f"id must be a str, got {describe(v)} ({type(v).__name__})"
    if not v:
        return "id is empty"
    return f"id {describe(v)} has surrounding whitespace"


def _category_message(col: str, v: object) -> str | None:
    allowed = _ALLOWED[col]
    if _is_missing(v):
        return f"{col} is missing"
    if not isinstance(v, str):
        return f"{col} must be a str, got {describe(v)} ({type(v).__name__})"
    if allowed is not None:
        if v not in allowed:
            return f"unknown {col} {describe(v)}; expected one of {sorted(allowed)}"
        return None
    if not is_text(v):
        return _text_message(col, v)
    if v != v.strip():
        return f"{col} {describe(v)} has surrounding whitespace"
    return None


_CHUNK = 1 << 16


def _chunks(values: Sequence[Any] | npt.NDArray[Any]) -> Iterator[list[Any]]:
    """Python lists of at most ``_CHUNK`` values, so big numpy columns never become one
    huge list of Python objects (peak memory stays near the arrays themselves)."""
    for start in range(0, len(values), _CHUNK):
        part = values[start : start + _CHUNK]
        yield part.tolist() if isinstance(part, np.ndarray) else list(part)


class _Cell:
    """An unhashable cell, kept as its own category so validation can name its rows."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value


def _code_of(seen: dict[Any, int], v: object) -> int:
    try:
        return seen.setdefault(v, len(seen))
    except TypeError:  # unhashable (a list in a cell): reported by validation
        return seen.setdefault(_Cell(v), len(seen))


def _encode(values: Sequence[Any] | npt.NDArray[Any]) -> tuple[IntArray, tuple[Any, ...]]:
    """Dictionary-encode a column: codes into categories in first-seen order.

    An unhashable cell becomes a category of its own (its raw value), never an error
    here: validation names its row.
    """
    seen: dict[Any, int] = {}
    codes = np.empty(len(values), dtype=np.int64)
    pos = 0
    for part in _chunks(values):
        try:
            codes[pos : pos + len(part)] = [seen.setdefault(v, len(seen)) for v in part]
        except TypeError:
            codes[pos : pos + len(part)] = [_code_of(seen, v) for v in part]
        pos += len(part)
    return codes, tuple(k.value if isinstance(k, _Cell) else k for k in seen)


def _scan_ids(
    values: Sequence[Any] | npt.NDArray[Any],
) -> tuple[npt.NDArray[np.str_], U64Array, IntArray, list[Problem]]:
    """One pass over the ids: type, emptiness, whitespace, fingerprints.

    The loop in Python is per id and happens once per register (hashing strings needs
    it); everything else about ids is vectorised.
    """
    problems: list[Problem] = []
    n = len(values)
    if isinstance(values, np.ndarray) and values.dtype.kind == "U" and n:
        # numpy keeps a NUL inside a string (a trailing one it drops, as numpy does):
        # the same ids are refused as in a list; vectorised, then one look per bad row
        nul = np.flatnonzero(np.char.find(values, "\x00") >= 0)
        if nul.size:
            values = values.tolist()
    if isinstance(values, np.ndarray) and values.dtype.kind == "U":
        ids_arr = np.array(values, copy=True)  # our own copy: the caller's stays theirs
        fps = []
        for start, chunk in zip(itertools.count(0, _CHUNK), _chunks(ids_arr), strict=False):
            try:
                fps.append(_fingerprints(chunk))
            except UnicodeEncodeError:  # a lone surrogate: name every such row
                bad = [k for k, v in enumerate(chunk) if not is_text(v)]
                problems += [
                    Problem(row=start + k, field="id", message=_id_message(chunk[k])) for k in bad
                ]
                fps.append(_fingerprints([v if is_text(v) else "" for v in chunk]))
    else:
        given = values.tolist() if isinstance(values, np.ndarray) else list(values)
        clean: list[str] = []
        if set(map(type, given)) <= {str} and "\x00" not in "".join(given):
            clean = given  # every id is text: checked in bulk, not one by one
        else:
            for i, v in enumerate(given):
                if isinstance(v, str) and "\x00" not in v:
                    clean.append(v)
                else:
                    problems.append(Problem(row=i, field="id", message=_id_message(v)))
                    clean.append("")
        try:
            fps = [_fingerprints(clean)]
        except UnicodeEncodeError:  # a lone surrogate: name every such row (rare, so late)
            for i, v in enumerate(clean):
                if not is_text(v):
                    problems.append(Problem(row=i, field="id", message=_id_message(v)))
                    clean[i] = ""
            fps = [_fingerprints(clean)]
        ids_arr = np.asarray(clean, dtype=str) if n else np.zeros(0, dtype="<U1")
    fp = np.concatenate(fps) if fps else np.zeros(0, dtype=np.uint64)
    lengths = np.char.str_len(ids_arr).astype(np.int64) if n else np.zeros(0, dtype=np.int64)
    already = {p.row for p in problems}
    for i in np.flatnonzero(lengths == 0).tolist():
        if i not in already:
            problems.append(Problem(row=i, field="id", message="id is empty"))
    for start in range(0, n, _CHUNK):
        part = ids_arr[start : start + _CHUNK]
        padded = np.flatnonzero(
            (np.char.strip(part) != part) & (lengths[start : start + _CHUNK] > 0)
        )
        for k in padded.tolist():
            uid = str(part[k])
            problems.append(Problem(row=start + k, id=uid, field="id", message=_id_message(uid)))
    return ids_arr, fp, lengths, problems


def _change_problems(uid: object, reason: object) -> list[Problem]:
    """Problems of the id and reason of a register change (checked when it is built)."""
    out: list[Problem] = []
    if not is_text(uid) or not uid or uid != uid.strip():
        out.append(Problem(field="id", message=_id_message(uid)))
    out += text_problems(reason, "reason", ident_of(uid), required=False)
    return out


@attrs.frozen(kw_only=True)
class AddTarget:
    """Change: add a new target."""

    target: Target

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.target, Target):
            raise ValidationError(
                [Problem(field="target", message=f"must be a Target, got {describe(self.target)}")],
                what="AddTarget",
            )


@attrs.frozen(kw_only=True)
class RemoveTarget:
    """Change: remove a target (deregistered, moved out of the jurisdiction, ...)."""

    id: str
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        problems = _change_problems(self.id, self.reason)
        if problems:
            raise ValidationError(problems, what="RemoveTarget")


@attrs.frozen(kw_only=True)
class UpdateTarget:
    """Change: set some fields of a target.

    ``fields`` must be a mapping of any of ``name``, ``kind``, ``region``,
    ``industry``, ``risk_class``, ``status``, ``weight``; the names and values are
    checked by :meth:`TargetRegistry.apply` with the rest of the batch.
    """

    id: str
    fields: Mapping[str, Any] = attrs.field(converter=_as_dict)
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        problems = _change_problems(self.id, self.reason)
        ident = ident_of(self.id)
        if not isinstance(self.fields, Mapping):
            problems.append(
                Problem(
                    id=ident,
                    field="fields",
                    message=f"must be a mapping of field names to values, got "
                    f"{describe(self.fields)}",
                )
            )
        if problems:
            raise ValidationError(problems, what="UpdateTarget")


RegistryChange: TypeAlias = AddTarget | RemoveTarget | UpdateTarget


@attrs.frozen(kw_only=True)
class RegistryDiff:
    """What changed between two register versions; ids sorted.

    ``changed`` maps an id to the names of the fields that differ.
    """

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: Mapping[str, tuple[str, ...]]

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_records(self) -> list[dict[str, str]]:
        """One row per added, removed or changed id (for ``pandas.DataFrame``)."""
        rows = [{"id": i, "change": "added", "fields": ""} for i in self.added]
        rows += [{"id": i, "change": "removed", "fields": ""} for i in self.removed]
        rows += [
            {"id": i, "change": "changed", "fields": ",".join(f)} for i, f in self.changed.items()
        ]
        return rows


class TargetRegistry:
    """Columnar, immutable register of inspection targets (检查对象名录库).

    Build it with :meth:`from_columns` (fast, for millions of rows) or :meth:`from_targets`.

    Examples:
        >>> reg = TargetRegistry.from_columns(
        ...     id=["T1", "T2", "T3"], risk_class=["A", "D", "B"],
        ...     region=["东城镇", "西城镇", "东城镇"])
        >>> len(reg), reg.ids.tolist()
        (3, ['T1', 'T2', 'T3'])
        >>> reg.filter(region="东城镇").ids.tolist()
        ['T1', 'T3']
        >>> shuffled = TargetRegistry.from_columns(
        ...     id=["T3", "T1", "T2"], risk_class=["B", "A", "D"],
        ...     region=["东城镇", "东城镇", "西城镇"])
        >>> shuffled.digest() == reg.digest()
        True
    """

    __slots__ = (
        "_cache",
        "_cats",
        "_codes",
        "_fp",
        "_ids",
        "_names",
        "_risk",
        "_weights",
    )
    COLUMNS: ClassVar[tuple[str, ...]] = _DIGEST_COLUMNS

    _ids: npt.NDArray[np.str_]
    _names: npt.NDArray[np.str_] | None
    _codes: dict[str, IntArray]
    _cats: dict[str, tuple[str, ...]]
    _risk: npt.NDArray[np.int8]
    _weights: npt.NDArray[np.float64]
    _fp: U64Array
    _cache: dict[str, Any]

    def __init__(self) -> None:  # pragma: no cover - use the constructors
        raise TypeError("build a TargetRegistry with from_columns() or from_targets()")

    # ------------------------------------------------------------------ building
    @classmethod
    def _make(
        cls,
        *,
        ids: npt.NDArray[np.str_],
        names: npt.NDArray[np.str_] | None,
        codes: dict[str, IntArray],
        cats: dict[str, tuple[str, ...]],
        risk: npt.NDArray[np.int8],
        weights: npt.NDArray[np.float64],
        fp: U64Array,
    ) -> TargetRegistry:
        self = object.__new__(cls)
        self._ids = _readonly(ids)
        self._names = _readonly(names) if names is not None else None
        self._codes = {k: _readonly(v) for k, v in codes.items()}
        self._cats = dict(cats)
        self._risk = _readonly(risk)
        self._weights = _readonly(weights)
        self._fp = _readonly(fp)
        self._cache = {}
        return self

    @classmethod
    def from_columns(
        cls,
        *,
        id: Sequence[str] | npt.NDArray[Any],
        risk_class: Sequence[Any] | npt.NDArray[Any],
        name: Sequence[str] | npt.NDArray[Any] | None = None,
        kind: Sequence[str] | npt.NDArray[Any] | None = None,
        region: Sequence[str] | npt.NDArray[Any] | None = None,
        industry: Sequence[str] | npt.NDArray[Any] | None = None,
        status: Sequence[str] | npt.NDArray[Any] | None = None,
        weight: Sequence[float] | npt.NDArray[Any] | None = None,
        check_credit_codes: bool = False,
        allow_empty: Collection[str] = (),
    ) -> TargetRegistry:
        """Build a register from columns (one sequence or array per column).

        ``id`` and ``risk_class`` are required. Omitted columns take defaults: ``name``
        the id, ``kind`` ``"enterprise"``, ``region`` and ``industry`` ``""`` (not
        recorded), ``status`` ``"active"``, ``weight`` ``1.0``. A column that is given
        must have no empty, ``None`` or NaN cell.

        ``allow_empty`` names columns among ``region`` and ``industry`` whose empty cells
        mean "not recorded" rather than an error (as when reading back ``to_columns()``
        of a register built without them).

        With ``check_credit_codes=True`` the id of every market entity (``ENTITY_KINDS``)
        must be a valid unified social credit code (GB 32100-2015).

        Each column may be a list, a tuple, a 1-D numpy array or any other sequence or
        iterable (read once), and ``risk_class`` also a string of one letter per row
        (``"AABD"``); ``None`` (for a required column), a scalar, any other string, a
        mapping, a set, and 0-d or 2-D arrays are refused naming the column.

        Raises :class:`~randsupervise.errors.ValidationError` naming every bad row:
        duplicate or empty ids, ids that are not text (not a str, with a NUL or a lone
        surrogate), unknown risk classes, kinds or statuses, missing or unhashable cells,
        bad weights (bool, str, complex, NaN, infinite or negative), bad credit codes,
        columns of different lengths.
        """
        raw: dict[str, Any] = {
            "id": id,
            "risk_class": risk_class,
            "name": name,
            "kind": kind,
            "region": region,
            "industry": industry,
            "status": status,
            "weight": weight,
        }
        problems: list[Problem] = []
        given: dict[str, Any] = {}
        for col, values in raw.items():
            if values is None and col not in ("id", "risk_class"):
                given[col] = None
                continue
            if col == "risk_class" and isinstance(values, str):
                values = list(values)  # one class letter per row: "AABD"
            try:
                given[col] = as_column(values, col)
            except ValidationError as err:
                problems += err.problems
        bad_flags = [
            Problem(field=f, message=f"must be True or False, got {describe(v)}")
            for f, v in (("check_credit_codes", check_credit_codes),)
            if not isinstance(v, bool)
        ]
        problems += bad_flags
        try:
            empty_ok = frozenset(as_column(allow_empty, "allow_empty"))
        except (ValidationError, TypeError):
            empty_ok = frozenset()
            problems.append(
                Problem(
                    field="allow_empty",
                    message=f"must be a collection of column names, got {describe(allow_empty)}",
                )
            )
        if not empty_ok <= {"region", "industry"}:
            problems.append(
                Problem(
                    field="allow_empty",
                    message="may name only 'region' and 'industry', got "
                    f"{sorted(map(describe, empty_ok))}",
                )
            )
        if problems:
            raise ValidationError(problems, what="TargetRegistry")
        id, risk_class, name = given["id"], given["risk_class"], given["name"]
        weight = given["weight"]
        n = len(id)
        for col, values in given.items():
            if values is not None and len(values) != n:
                problems.append(
                    Problem(field=col, message=f"column has {len(values)} rows, id has {n}")
                )
        if problems:
            raise ValidationError(problems, what="TargetRegistry")

        ids_arr, fp, lengths, id_problems = _scan_ids(id)
        problems += id_problems
        problems += _duplicate_problems(ids_arr, fp, lengths)

        # risk class
        risk_codes, risk_cats = _encode(risk_class)
        risk_lut = np.zeros(len(risk_cats), dtype=np.int8)
        for c, v in enumerate(risk_cats):
            try:
                risk_lut[c] = RiskClass.parse(v).value
            except ValidationError as e:
                for i in np.flatnonzero(risk_codes == c).tolist():
                    problems += [attrs.evolve(p, row=i, id=_pid(ids_arr, i)) for p in e.problems]
        risk = risk_lut[risk_codes] if n else np.zeros(0, dtype=np.int8)

        codes: dict[str, IntArray] = {}
        cats: dict[str, tuple[str, ...]] = {}
        for col in CATEGORICAL_COLUMNS:
            values = given[col]
            if values is None:
                codes[col] = np.zeros(n, dtype=np.int64)
                cats[col] = (_DEFAULTS[col],)
                continue
            raw_codes, raw_cats = _encode(values)
            for c, v in enumerate(raw_cats):
                msg = _category_message(col, _enum_value(v))
                if msg is None and _enum_value(v) == "" and col not in empty_ok:
                    msg = f"{col} is empty"
                if msg:
                    for i in np.flatnonzero(raw_codes == c).tolist():
                        problems.append(Problem(row=i, id=_pid(ids_arr, i), field=col, message=msg))
            codes[col], cats[col] = _sorted_categories(
                raw_codes, tuple(str(_enum_value(v)) for v in raw_cats)
            )

        names_arr: npt.NDArray[np.str_] | None = None
        if name is not None:
            name_list = name.tolist() if isinstance(name, np.ndarray) else list(name)
            for i, v in enumerate(name_list):
                msg = None
                if not isinstance(v, str) or not v.strip():
                    msg = "name is empty or missing"
                elif not is_text(v):
                    msg = _text_message("name", v)
                if msg:
                    problems.append(Problem(row=i, id=_pid(ids_arr, i), field="name", message=msg))
            names_arr = np.asarray([v if is_text(v) else "" for v in name_list], dtype=str)

        if weight is None:
            weights = np.ones(n, dtype=np.float64)
        else:
            weights, bad_w = _weights(weight)
            for i in bad_w.tolist():
                problems.append(
                    Problem(
                        row=i,
                        id=_pid(ids_arr, i),
                        field="weight",
                        message="weight must be a finite number >= 0, got "
                        f"{describe(weight[i])} ({type(weight[i]).__name__})",
                    )
                )

        if check_credit_codes and n and not id_problems:
            entity_codes = [c for c, v in enumerate(cats["kind"]) if v in ENTITY_KINDS]
            is_entity = np.isin(codes["kind"], entity_codes)
            bad_cc = np.flatnonzero(is_entity & ~valid_credit_code_mask(ids_arr))
            for i in bad_cc.tolist():
                problems.append(
                    Problem(
                        row=i,
                        id=_pid(ids_arr, i),
                        field="id",
                        message="not a valid unified social credit code",
                        rule="GB 32100-2015",
                    )
                )

        if problems:
            problems.sort(key=lambda p: (p.row if p.row is not None else -1, p.field or ""))
            raise ValidationError(problems, what="TargetRegistry")
        return cls._make(
            ids=ids_arr, names=names_arr, codes=codes, cats=cats, risk=risk, weights=weights, fp=fp
        )

    @classmethod
    def from_targets(
        cls, targets: Iterable[Target], *, check_credit_codes: bool = False
    ) -> TargetRegistry:
        """Build a register from :class:`Target` objects."""
        given = as_column(targets, "targets", what="TargetRegistry")
        rows = given.tolist() if isinstance(given, np.ndarray) else given
        problems = [
            Problem(row=i, message=f"expected a Target, got {type(t).__name__}")
            for i, t in enumerate(rows)
            if not isinstance(t, Target)
        ]
        if problems:
            raise ValidationError(problems, what="TargetRegistry")
        return cls.from_columns(
            id=[t.id for t in rows],
            name=[t.name for t in rows],
            kind=[t.kind for t in rows],
            region=[t.region for t in rows],
            industry=[t.industry for t in rows],
            risk_class=[int(t.risk_class) for t in rows],
            status=[t.status for t in rows],
            weight=[t.weight for t in rows],
            check_credit_codes=check_credit_codes,
            allow_empty=("region", "industry"),
        )

    # ------------------------------------------------------------------ access
    def __len__(self) -> int:
        return int(self._ids.size)

    def __repr__(self) -> str:
        counts = np.bincount(self._risk, minlength=4) if len(self) else np.zeros(4, dtype=np.int64)
        by_class = ", ".join(f"{c}={int(k)}" for c, k in zip(_RISK_LETTERS, counts, strict=True))
        return f"<TargetRegistry {len(self)} targets ({by_class}), digest {self.digest()[:12]}…>"

    def _repr_html_(self) -> str:
        counts = np.bincount(self._risk, minlength=4) if len(self) else np.zeros(4, dtype=np.int64)
        head = self.take(np.arange(min(5, len(self))))
        return html_summary(
            "TargetRegistry",
            {
                "targets": len(self),
                **{c: int(k) for c, k in zip(_RISK_LETTERS, counts, strict=True)},
                "digest": self.digest()[:16] + "…",
            },
            head.to_columns(),
            total=len(self),
        )

    @property
    def ids(self) -> npt.NDArray[np.str_]:
        """Target ids in row order (read-only)."""
        return self._ids

    @property
    def fingerprints(self) -> U64Array:
        """The ids' 64-bit fingerprints (ticket spec v1, step 1), cached at build (read-only)."""
        return self._fp

    @property
    def risk_codes(self) -> npt.NDArray[np.int8]:
        """Risk classes as codes 0-3 for A-D (read-only)."""
        return self._risk

    @property
    def weights(self) -> npt.NDArray[np.float64]:
        """Selection weights (risk scores), >= 0 (read-only)."""
        return self._weights

    @property
    def has_names(self) -> bool:
        return self._names is not None

    def codes(self, column: str) -> npt.NDArray[np.integer[Any]]:
        """Integer codes of a categorical column (``risk_class`` included: 0-3)."""
        self._check_column(column, (*CATEGORICAL_COLUMNS, "risk_class"))
        if column == "risk_class":
            return self._risk
        self._check_column(column, CATEGORICAL_COLUMNS)
        return self._codes[column]

    def categories(self, column: str) -> tuple[str, ...]:
        """The categories the codes of ``column`` index into (sorted)."""
        self._check_column(column, (*CATEGORICAL_COLUMNS, "risk_class"))
        if column == "risk_class":
            return _RISK_LETTERS
        self._check_column(column, CATEGORICAL_COLUMNS)
        return self._cats[column]

    def column(self, column: str) -> npt.NDArray[Any]:
        """A column decoded to values (strings; floats for ``weight``)."""
        self._check_column(column, _DIGEST_COLUMNS)
        if column == "id":
            return self._ids
        if column == "name":
            return self._names if self._names is not None else self._ids
        if column == "weight":
            return self._weights
        cats = np.asarray(self.categories(column), dtype=str)
        out: npt.NDArray[Any] = cats[self.codes(column)]
        return out

    def _check_column(self, column: object, allowed: Collection[str]) -> None:
        if not is_text(column) or column not in allowed:
            name = column if is_text(column) else "column"
            raise ValidationError(
                [
                    Problem(
                        field=name,
                        message=f"unknown column {describe(column)}; expected one of "
                        f"{sorted(allowed)}",
                    )
                ],
                what="TargetRegistry",
            )

    def target(self, position: int) -> Target:
        """The row at ``position`` (an integer in ``[0, len)``) as a :class:`Target`."""
        p = self._position(position)
        return Target(
            id=str(self._ids[p]),
            name=str(self._names[p]) if self._names is not None else str(self._ids[p]),
            kind=self._cats["kind"][self._codes["kind"][p]],
            region=self._cats["region"][self._codes["region"][p]],
            industry=self._cats["industry"][self._codes["industry"][p]],
            risk_class=RiskClass(int(self._risk[p])),
            status=self._cats["status"][self._codes["status"][p]],
            weight=float(self._weights[p]),
        )

    def _position(self, position: object) -> int:
        if isinstance(position, int | np.integer) and not isinstance(position, bool | np.bool_):
            p = int(position)
            if 0 <= p < len(self):
                return p
        raise ValidationError(
            [
                Problem(
                    field="position",
                    message=f"must be an integer in [0, {len(self)}), got "
                    f"{describe(position)} ({type(position).__name__})",
                )
            ],
            what="TargetRegistry",
        )

    def __iter__(self) -> Iterator[Target]:
        return (self.target(i) for i in range(len(self)))

    def _lookup(self) -> tuple[U64Array, IntArray]:
        if "lookup" not in self._cache:
            order = np.argsort(self._fp, kind="stable")
            self._cache["lookup"] = (self._fp[order], order)
        lk: tuple[U64Array, IntArray] = self._cache["lookup"]
        return lk

    def index_of(self, ids: Iterable[str]) -> IntArray:
        """Row positions of ``ids``; raises :class:`UnknownIdError` naming every unknown id.

        ``ids`` is a list, tuple, array or other iterable of ids (not one bare string);
        an entry that is not text is a :class:`ValidationError` naming its row.
        """
        col = as_column(ids, "ids", what="index_of")
        wanted = col.tolist() if isinstance(col, np.ndarray) else col
        bad = [i for i, uid in enumerate(wanted) if not is_text(uid)]
        if bad:
            raise ValidationError(
                [Problem(row=i, field="id", message=_id_message(wanted[i])) for i in bad],
                what="index_of",
            )
        fp = _fingerprints(wanted)
        sorted_fp, order = self._lookup()
        pos = np.searchsorted(sorted_fp, fp)
        pos = np.minimum(pos, max(len(sorted_fp) - 1, 0))
        rows = order[pos] if len(order) else np.zeros(len(wanted), dtype=np.int64)
        found = (sorted_fp[pos] == fp) if len(order) else np.zeros(len(wanted), dtype=bool)
        out = np.empty(len(wanted), dtype=np.int64)
        unknown = []
        for k, uid in enumerate(wanted):
            if found[k] and self._ids[rows[k]] == uid:
                out[k] = rows[k]
                continue
            # a 64-bit fingerprint collision: fall back to an exact search
            hits = np.flatnonzero(self._ids == uid) if found[k] else np.zeros(0, dtype=np.int64)
            if hits.size:
                out[k] = hits[0]
            else:
                unknown.append(uid)
        if unknown:
            raise UnknownIdError(unknown, where="TargetRegistry")
        return out

    def __contains__(self, unit_id: object) -> bool:
        if not is_text(unit_id):
            return False
        try:
            self.index_of([unit_id])
        except UnknownIdError:
            return False
        return True

    def __getitem__(self, unit_id: str) -> Target:
        """The target with id ``unit_id``; :class:`UnknownIdError` (a ``KeyError``) if none."""
        return self.target(int(self.index_of([unit_id])[0]))

    # ------------------------------------------------------------------ views
    def take(self, positions: npt.ArrayLike) -> TargetRegistry:
        """A register of the rows at ``positions``.

        ``positions`` is a boolean mask of ``len(self)`` entries, or integer positions in
        ``[0, len)`` (a list, tuple or 1-D array; empty selects nobody). Negative positions,
        floats, masks of another length and other shapes are refused naming ``positions``.
        """
        idx = self._positions(positions)
        return TargetRegistry._make(
            ids=self._ids[idx],
            names=self._names[idx] if self._names is not None else None,
            codes={k: v[idx] for k, v in self._codes.items()},
            cats=self._cats,
            risk=self._risk[idx],
            weights=self._weights[idx],
            fp=self._fp[idx],
        )

    def _positions(self, positions: object) -> npt.NDArray[Any]:
        def refuse(message: str) -> ValidationError:
            return ValidationError(
                [Problem(field="positions", message=message)], what="TargetRegistry.take"
            )

        col = as_column(positions, "positions", what="TargetRegistry.take")
        if isinstance(col, list):
            if any(isinstance(v, bool | np.bool_) for v in col):
                if not all(isinstance(v, bool | np.bool_) for v in col):
                    raise refuse("mixes booleans with other values")
                col = np.asarray(col, dtype=bool)
            elif all(isinstance(v, int | np.integer) for v in col):
                try:
                    col = np.asarray(col, dtype=np.int64)
                except OverflowError:
                    raise refuse("a position is out of range") from None
            else:
                bad = next(v for v in col if not isinstance(v, int | np.integer))
                raise refuse(f"must be integers or booleans, got {describe(bad)}")
        if col.dtype.kind == "b":
            if col.size != len(self):
                raise refuse(f"a mask needs {len(self)} entries, got {col.size}")
            return col
        if col.dtype.kind not in "iu":
            raise refuse(f"must be integers or booleans, not an array of dtype {col.dtype}")
        if col.size and (col.min() < 0 or col.max() >= len(self)):
            bad_at = np.flatnonzero((col < 0) | (col >= len(self)))
            shown = [int(col[k]) for k in bad_at[:10]]
            raise refuse(f"positions {shown} are outside [0, {len(self)})")
        return col.astype(np.int64, copy=False)

    def mask(
        self,
        *,
        kind: str | Collection[str] | None = None,
        region: str | Collection[str] | None = None,
        industry: str | Collection[str] | None = None,
        risk_class: object | Collection[object] | None = None,
        status: str | Collection[str] | None = None,
    ) -> npt.NDArray[np.bool_]:
        """Boolean row mask for a targeted draw's filter (定向抽查); see :meth:`filter`.

        An unknown ``kind``, ``status`` or risk class is an error (a typo would otherwise
        select nobody); an unknown region or industry simply matches no row.
        """
        m = np.ones(len(self), dtype=bool)
        problems: list[Problem] = []
        for col, want in (
            ("kind", kind),
            ("region", region),
            ("industry", industry),
            ("status", status),
        ):
            if want is None:
                continue
            wanted_values = _filter_values(col, want, problems)
            if wanted_values is None:
                continue
            values = wanted_values
            allowed = _ALLOWED[col]
            if allowed is not None and not values <= allowed:
                # a typo in an enumerated column would otherwise select nobody, silently
                problems += [
                    Problem(field=col, message=_category_message(col, v) or "")
                    for v in sorted(values - allowed, key=repr)
                ]
                continue
            cats = self._cats[col]
            keep = [c for c, v in enumerate(cats) if v in values]
            m &= np.isin(self._codes[col], keep)
        if problems:
            raise ValidationError(problems, what="filter")
        if risk_class is not None:
            cells = _filter_cells(risk_class)
            wanted: list[Any] = [risk_class] if cells is None else cells
            try:
                classes = [RiskClass.parse(r).value for r in wanted]
            except ValidationError as e:
                raise ValidationError(e.problems, what="filter") from None
            m &= np.isin(self._risk, classes)
        return m

    def filter(
        self,
        *,
        kind: str | Collection[str] | None = None,
        region: str | Collection[str] | None = None,
        industry: str | Collection[str] | None = None,
        risk_class: object | Collection[object] | None = None,
        status: str | Collection[str] | None = None,
    ) -> TargetRegistry:
        """The targets matching every given criterion; each takes one value or a collection.

        Examples:
            >>> reg = TargetRegistry.from_columns(id=["a", "b", "c"], risk_class=["A", "C", "D"])
            >>> reg.filter(risk_class=["C", "D"]).ids.tolist()
            ['b', 'c']
        """
        return self.take(
            self.mask(
                kind=kind, region=region, industry=industry, risk_class=risk_class, status=status
            )
        )

    # ------------------------------------------------------------------ digest
    def _column_hashes(self, column: str) -> U64Array:
        key = f"h:{column}"
        if key not in self._cache:
            if column == "id":
                h = self._fp
            elif column == "name":
                # a name equal to the id (the default) hashes through the cached
                # fingerprint; only names that differ are hashed one by one
                h = mix64(self._fp ^ np.uint64(value_hash("name", "")))
                if self._names is not None:
                    differ = np.flatnonzero(self._names != self._ids)
                    h[differ] = np.fromiter(
                        (value_hash("name", s) for s in self._names[differ].tolist()),
                        dtype=np.uint64,
                        count=differ.size,
                    )
            elif column == "weight":
                bits = self._weights.astype("<f8").view("<u8").astype(np.uint64)
                h = mix64(bits ^ np.uint64(value_hash("weight", "")))
            else:
                cats = self.categories(column)
                lut = np.fromiter(
                    (value_hash(column, c) for c in cats), dtype=np.uint64, count=len(cats)
                )
                h = lut[self.codes(column)] if len(self) else np.zeros(0, dtype=np.uint64)
            self._cache[key] = h
        out: U64Array = self._cache[key]
        return out

    def strata_index(self, column: str) -> tuple[tuple[IntArray, ...], tuple[U64Array, ...]]:
        """Row positions and fingerprints per category of ``column``, cached (draw engine).

        ``positions[k]`` holds, ascending, the rows whose code is ``k`` (the ``k``-th entry of
        :meth:`categories`); ``fingerprints[k]`` their fingerprints, contiguous so a draw mixes
        tickets stratum by stratum without gathering. Computed once per register and column.

        Examples:
            >>> reg = TargetRegistry.from_columns(id=["a", "b", "c"], risk_class=["B", "A", "B"])
            >>> pos, fps = reg.strata_index("risk_class")
            >>> [p.tolist() for p in pos]
            [[1], [0, 2], [], []]
        """
        key = f"strata:{column}"
        if key not in self._cache:
            codes = self.codes(column)
            order = np.argsort(codes, kind="stable").astype(np.int64)
            bounds = np.searchsorted(
                codes[order], np.arange(len(self.categories(column)) + 1), side="left"
            )
            pos = tuple(_readonly(order[a:b]) for a, b in itertools.pairwise(bounds))
            fps = tuple(_readonly(self._fp[p]) for p in pos)
            self._cache[key] = (pos, fps)
        out: tuple[tuple[IntArray, ...], tuple[U64Array, ...]] = self._cache[key]
        return out

    def row_hashes(self) -> U64Array:
        """64-bit hash of each row's content, in row order (the digest's building block)."""
        if "rows" not in self._cache:
            acc = np.zeros(len(self), dtype=np.uint64)
            for column in _DIGEST_COLUMNS:
                np.bitwise_xor(acc, self._column_hashes(column), out=acc)
                mix64(acc, out=acc)
            self._cache["rows"] = _readonly(acc)
        rows: U64Array = self._cache["rows"]
        return rows

    def digest(self) -> str:
        """SHA-256 hex digest of the register's content, independent of row order.

        ``SHA-256("randsupervise.registry.v1\\n" + column names + "\\n" + row count +
        "\\n" + sorted row hashes as big-endian uint64)``. Row hashes fold the columns
        ``id, name, kind, region, industry, risk_class, status, weight`` in that order.
        """
        if "digest" not in self._cache:
            self._cache["digest"] = registry_digest_from_row_hashes([self.row_hashes()])
        d: str = self._cache["digest"]
        return d

    # ------------------------------------------------------------------ dynamic management
    def diff(self, other: TargetRegistry) -> RegistryDiff:
        """What changed from ``self`` (old) to ``other`` (new), by id.

        Examples:
            >>> old = TargetRegistry.from_columns(id=["a", "b"], risk_class=["A", "B"])
            >>> new = TargetRegistry.from_columns(id=["b", "c"], risk_class=["C", "A"])
            >>> d = old.diff(new)
            >>> d.added, d.removed, dict(d.changed)
            (('c',), ('a',), {'b': ('risk_class',)})
        """
        if not isinstance(other, TargetRegistry):
            raise ValidationError(
                [
                    Problem(
                        field="other", message=f"must be a TargetRegistry, got {describe(other)}"
                    )
                ],
                what="diff",
            )
        common_old, common_new, added, removed = _match(self, other)
        changed: dict[str, tuple[str, ...]] = {}
        if common_old.size:
            diffs = {
                col: self._column_hashes(col)[common_old] != other._column_hashes(col)[common_new]
                for col in _DIGEST_COLUMNS[1:]
            }
            any_diff = np.zeros(common_old.size, dtype=bool)
            for d in diffs.values():
                any_diff |= d
            for k in np.flatnonzero(any_diff).tolist():
                uid = str(self._ids[common_old[k]])
                changed[uid] = tuple(col for col in _DIGEST_COLUMNS[1:] if diffs[col][k])
        return RegistryDiff(
            added=tuple(sorted(str(other._ids[i]) for i in added)),
            removed=tuple(sorted(str(self._ids[i]) for i in removed)),
            changed=dict(sorted(changed.items())),
        )

    def apply(
        self, changes: Iterable[RegistryChange]
    ) -> tuple[TargetRegistry, tuple[RegistryChange, ...]]:
        """Apply a batch of changes; return the new register and the change log.

        The batch is validated as a whole first (unknown ids, ids added twice or already
        present, an id touched twice, bad field values); if anything is wrong nothing is
        applied and a :class:`ValidationError` lists every problem, with ``row`` the
        change's position in the batch.

        Examples:
            >>> reg = TargetRegistry.from_columns(id=["a", "b"], risk_class=["A", "B"])
            >>> new, log = reg.apply([RemoveTarget(id="a"),
            ...                       UpdateTarget(id="b", fields={"risk_class": "D"}),
            ...                       AddTarget(target=Target(id="c", name="C", risk_class="A"))])
            >>> sorted(new.ids.tolist()), new["b"].risk_class.name, len(log)
            (['b', 'c'], 'D', 3)
        """
        col = as_column(changes, "changes", what="registry change batch")
        batch = col.tolist() if isinstance(col, np.ndarray) else col
        problems: list[Problem] = []
        touched: dict[str, int] = {}
        existing_ids = [
            c.target.id if isinstance(c, AddTarget) else c.id
            for c in batch
            if isinstance(c, AddTarget | RemoveTarget | UpdateTarget)
        ]
        present = self._present(existing_ids)
        for row, ch in enumerate(batch):
            if not isinstance(ch, AddTarget | RemoveTarget | UpdateTarget):
                problems.append(
                    Problem(
                        row=row,
                        field="changes",
                        message=f"not a registry change (AddTarget, RemoveTarget, "
                        f"UpdateTarget): {describe(ch)}",
                    )
                )
                continue
            uid = ch.target.id if isinstance(ch, AddTarget) else ch.id
            if not is_text(uid):  # only when a change was altered after it was built
                problems.append(Problem(row=row, field="id", message=_id_message(uid)))
                continue
            if uid in touched:
                problems.append(
                    Problem(
                        row=row,
                        id=uid,
                        message=f"id already changed by change {touched[uid]} of this batch",
                    )
                )
            touched.setdefault(uid, row)
            if isinstance(ch, AddTarget):
                if present.get(uid, False):
                    problems.append(
                        Problem(
                            row=row,
                            id=uid,
                            field="id",
                            message="cannot add: id already in the register",
                        )
                    )
            elif not present.get(uid, False):
                problems.append(Problem(row=row, id=uid, field="id", message="unknown id"))
            elif isinstance(ch, UpdateTarget):
                bad = sorted(map(describe, set(ch.fields) - set(_DIGEST_COLUMNS[1:])))
                if bad:
                    problems.append(
                        Problem(
                            row=row,
                            id=uid,
                            field=",".join(bad),
                            message="cannot update these fields",
                        )
                    )
                else:
                    current = attrs.asdict(self[uid], recurse=False)
                    current.update(ch.fields)
                    problems += [attrs.evolve(p, row=row) for p in _row_problems(row, current, uid)]
        if problems:
            raise ValidationError(problems, what="registry change batch")

        removed = [c.id for c in batch if isinstance(c, RemoveTarget | UpdateTarget)]
        keep = np.ones(len(self), dtype=bool)
        if removed:
            keep[self.index_of(removed)] = False
        kept = self.take(keep)
        new_rows = [self[c.id] for c in batch if isinstance(c, UpdateTarget)]
        new_rows = [
            attrs.evolve(t, **c.fields)
            for t, c in zip(
                new_rows, [c for c in batch if isinstance(c, UpdateTarget)], strict=True
            )
        ]
        new_rows += [c.target for c in batch if isinstance(c, AddTarget)]
        result = _concat(kept, new_rows) if new_rows else kept
        return result, tuple(batch)

    def _present(self, ids: list[str]) -> dict[str, bool]:
        out: dict[str, bool] = {}
        for uid in ids:
            if is_text(uid):
                out[uid] = uid in self
        return out

    def to_records(self) -> list[dict[str, Any]]:
        """One dict per row, in row order, as every ``to_records()`` of the library returns
        (``pandas.DataFrame(registry.to_records())``); :meth:`to_columns` gives columns.

        Examples:
            >>> reg = TargetRegistry.from_columns(id=["a", "b"], risk_class="AB")
            >>> reg.to_records()[1]["id"], reg.to_records()[1]["risk_class"]
            ('b', 'B')
        """
        cols = self.to_columns()
        names = list(cols)
        return [dict(zip(names, row, strict=True)) for row in zip(*cols.values(), strict=True)]

    def to_columns(self) -> dict[str, list[Any]]:
        """Columns as lists, what :meth:`from_columns` takes back."""
        return {
            "id": self._ids.tolist(),
            "name": self.column("name").tolist(),
            "kind": self.column("kind").tolist(),
            "region": self.column("region").tolist(),
            "industry": self.column("industry").tolist(),
            "risk_class": np.asarray(_RISK_LETTERS)[self._risk].tolist(),
            "status": self.column("status").tolist(),
            "weight": self._weights.tolist(),
        }


def registry_digest_from_row_hashes(row_hashes: Iterable[npt.ArrayLike]) -> str:
    """The register digest from the row hashes of its parts, in any order and split.

    A register split into shards (rows in any order, any partition) has the digest of
    :meth:`TargetRegistry.digest` when each shard hands in its
    :meth:`TargetRegistry.row_hashes`: the row hashes are merged and sorted before
    hashing, so neither the order of the parts nor the order within them matters.

    Examples:
        >>> reg = TargetRegistry.from_columns(id=["a", "b", "c"], risk_class=["A", "B", "C"])
        >>> parts = [reg.take([2]).row_hashes(), reg.take([1, 0]).row_hashes()]
        >>> registry_digest_from_row_hashes(parts) == reg.digest()
        True
    """
    parts = as_column(row_hashes, "row_hashes", what="registry digest")
    arrays = []
    for k, a in enumerate(parts):
        arr = _uint64s(a)
        if arr is None:
            raise ValidationError(
                [
                    Problem(
                        row=k,
                        field="row_hashes",
                        message=f"must be an array of uint64 row hashes, got {describe(a)}",
                    )
                ],
                what="registry digest",
            )
        arrays.append(arr.reshape(-1))
    merged = np.sort(np.concatenate(arrays)) if arrays else np.zeros(0, dtype=np.uint64)
    h = hashlib.sha256()
    h.update(f"{_DIGEST_VERSION}\n{','.join(_DIGEST_COLUMNS)}\n{merged.size}\n".encode())
    h.update(merged.astype(">u8").tobytes())
    return h.hexdigest()


def _filter_cells(want: object) -> list[Any] | None:
    """One filter value or a collection of them (a set too) as a list; None if neither."""
    if isinstance(want, str | enum.Enum):
        return [want]
    if isinstance(want, np.ndarray) and want.ndim != 1:
        return None
    if isinstance(want, Iterable) and not isinstance(want, bytes | Mapping):
        try:
            return list(want)
        except Exception:  # an iterable that fails while read
            return None
    return None


def _filter_values(col: str, want: object, problems: list[Problem]) -> set[str] | None:
    """The values a filter keyword accepts, or ``None`` after adding its problems."""
    cells = _filter_cells(want)
    if cells is None:
        problems.append(
            Problem(
                field=col,
                message=f"must be a str or a collection of str, got {describe(want)} "
                f"({type(want).__name__})",
            )
        )
        return None
    values = [_enum_value(w) for w in cells]
    texts = {v for v in values if is_text(v)}
    bad = [v for v in values if not is_text(v)]
    if bad:
        problems.append(
            Problem(field=col, message=f"values must be strings, got {describe(bad[0])}")
        )
        return None
    return texts


def _uint64s(values: object) -> U64Array | None:
    """Values as a uint64 array if they are all integers in ``[0, 2**64)``, else None."""
    try:
        if isinstance(values, np.ndarray):
            if values.size == 0 and values.dtype.kind in "fiuO":
                return np.zeros(0, dtype=np.uint64)
            if values.dtype.kind == "u" or (values.dtype.kind == "i" and values.min() >= 0):
                return values.astype(np.uint64)
            if values.dtype.kind != "O":
                return None
            values = values.ravel().tolist()
        if isinstance(values, list | tuple) and all(
            isinstance(v, int | np.integer) and not isinstance(v, bool) and 0 <= v < 2**64
            for v in values
        ):
            return np.asarray([int(v) for v in values], dtype=np.uint64).reshape(-1)
    except (OverflowError, TypeError, ValueError):
        pass
    return None


def _pid(ids: npt.NDArray[np.str_], i: int) -> str | None:
    uid = str(ids[i])
    return uid or None


def _weights(
    column: Sequence[Any] | npt.NDArray[Any],
) -> tuple[npt.NDArray[np.float64], IntArray]:
    """A weight column as float64, and the rows whose cell is not a finite number >= 0.

    A numeric numpy array is checked in one vectorised pass; anything else cell by cell,
    because numpy would silently read ``True`` as 1 and ``"2"`` as 2.0.
    """
    n = len(column)
    if isinstance(column, np.ndarray) and column.dtype.kind in "iuf":
        with np.errstate(over="ignore", invalid="ignore"):
            # + 0.0 turns -0.0 into 0.0: equal weights must hash alike in the digest
            weights = column.astype(np.float64) + 0.0
        bad: IntArray = np.flatnonzero(~np.isfinite(weights) | (weights < 0))
        return weights, bad
    weights = np.ones(n, dtype=np.float64)
    bad_rows: list[int] = []
    for start, part in zip(itertools.count(0, _CHUNK), _chunks(column), strict=False):
        stop = start + len(part)
        if set(map(type, part)) <= _PLAIN_NUMBERS:  # the usual case: one vectorised pass
            try:
                with np.errstate(over="ignore", invalid="ignore"):
                    chunk = np.asarray(part, dtype=np.float64) + 0.0
            except OverflowError:  # an int too large for a float: cell by cell below
                pass
            else:
                weights[start:stop] = chunk
                bad_rows += (start + np.flatnonzero(~np.isfinite(chunk) | (chunk < 0))).tolist()
                continue
        for k, v in enumerate(part):
            if real_problems(v, "weight", min_value=0):
                bad_rows.append(start + k)
            else:
                weights[start + k] = float(v) + 0.0
    return weights, np.asarray(bad_rows, dtype=np.int64)


#: Cell types read as weights in one vectorised pass (bool is not among them).
_PLAIN_NUMBERS = frozenset({int, float, np.float64, np.float32, np.int64, np.int32})


def _sorted_categories(codes: IntArray, cats: tuple[str, ...]) -> tuple[IntArray, tuple[str, ...]]:
    order = sorted(range(len(cats)), key=lambda c: cats[c])
    remap = np.empty(len(cats), dtype=np.int64)
    remap[order] = np.arange(len(cats))
    new_codes = remap[codes] if codes.size else codes
    return new_codes, tuple(cats[c] for c in order)


def _duplicate_problems(
    ids: npt.NDArray[np.str_], fp: U64Array, lengths: IntArray
) -> list[Problem]:
    """Every row whose id also appears on another row (found through fingerprints)."""
    if ids.size < 2:
        return []
    order = np.argsort(fp, kind="stable")
    sfp = fp[order]
    same = sfp[1:] == sfp[:-1]
    if not same.any():
        return []
    problems: list[Problem] = []
    starts = np.flatnonzero(same)
    groups: dict[int, list[int]] = {}
    for s in starts.tolist():
        groups.setdefault(int(sfp[s]), []).extend([int(order[s]), int(order[s + 1])])
    for rows in groups.values():
        by_id: dict[str, list[int]] = {}
        for r in sorted(set(rows)):
            by_id.setdefault(str(ids[r]), []).append(r)
        for uid, rs in by_id.items():
            if len(rs) > 1 and lengths[rs[0]] > 0:
                for r in rs:
                    others = [x for x in rs if x != r]
                    problems.append(
                        Problem(
                            row=r,
                            id=uid,
                            field="id",
                            message=f"duplicate id (also on rows {others})",
                        )
                    )
    return problems


def _match(
    old: TargetRegistry, new: TargetRegistry
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Positions of common ids in old and new, and of ids only in new / only in old."""
    _, i_old, i_new = np.intersect1d(
        old.fingerprints, new.fingerprints, assume_unique=False, return_indices=True
    )
    ok = old.ids[i_old] == new.ids[i_new]
    i_old, i_new = i_old[ok], i_new[ok]
    in_old = np.zeros(len(old), dtype=bool)
    in_old[i_old] = True
    in_new = np.zeros(len(new), dtype=bool)
    in_new[i_new] = True
    return i_old, i_new, np.flatnonzero(~in_new), np.flatnonzero(~in_old)


def _concat(base: TargetRegistry, rows: list[Target]) -> TargetRegistry:
    """``base`` plus new rows, re-encoding the categorical columns over the union."""
    extra = TargetRegistry.from_targets(rows)
    codes: dict[str, IntArray] = {}
    cats: dict[str, tuple[str, ...]] = {}
    for col in CATEGORICAL_COLUMNS:
        union = tuple(sorted(set(base.categories(col)) | set(extra.categories(col))))
        pos = {v: i for i, v in enumerate(union)}
        lut_a = np.asarray([pos[v] for v in base.categories(col)], dtype=np.int64)
        lut_b = np.asarray([pos[v] for v in extra.categories(col)], dtype=np.int64)
        a = lut_a[base.codes(col)] if len(base) else np.zeros(0, dtype=np.int64)
        b = lut_b[extra.codes(col)]
        codes[col] = np.concatenate([a, b])
        cats[col] = union
    names: npt.NDArray[np.str_] | None = np.concatenate([base.column("name"), extra.column("name")])
    if not base.has_names and all(t.name == t.id for t in rows):
        names = None
    return TargetRegistry._make(
        ids=np.concatenate([base.ids, extra.ids]),
        names=names,
        codes=codes,
        cats=cats,
        risk=np.concatenate([base.risk_codes, extra.risk_codes]),
        weights=np.concatenate([base.weights, extra.weights]),
        fp=np.concatenate([base.fingerprints, extra.fingerprints]),
    )
