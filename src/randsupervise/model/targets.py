"""Targets and their register (检查对象名录库).

Invariants (plan §三(三); BRIEF "Glossary"):

* The register holds market entities (enterprises, sole traders, farmer co-operatives,
  other entities) and non-market targets (products, projects, conduct), each with a
  region, an industry, a credit-risk class A-D (sub-registers by risk, 子库) and a status
  (the vocabularies: :mod:`randsupervise.model.risk`).
* It is **columnar**: read-only numpy arrays, so ten million targets cost arrays, not
  objects. Categorical columns (kind, region, industry, status) are dictionary-encoded:
  integer codes into a sorted tuple of categories. Risk classes are codes 0-3 for A-D.
* Ids are unique, non-empty strings without surrounding whitespace. They are opaque: no
  Unicode normalisation is applied, so callers normalise before building
  (:mod:`randsupervise.model.register_ids`).
* Every id's 64-bit fingerprint (ticket spec v1, step 1) is computed once when the
  register is built and cached with it; draws reuse it. (:func:`unhashed_registry`, for
  a partitioned draw's counting pass, defers it to first use, with the duplicate check.)
* The content digest does not depend on row order: it hashes the sorted per-row hashes
  (:mod:`randsupervise.model.register_digest`).
* Building validates everything and reports **every** bad row at once; nothing is built
  when anything is wrong (:mod:`randsupervise.model.register_columns`). Registers are
  immutable: ``apply`` (两库动态管理, plan §三(三)) returns a new register and a change
  log; ``diff`` compares two versions (:mod:`randsupervise.model.changes`).

The names defined in those modules are importable from here too.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.display import html_summary
from randsupervise._core.frozen import readonly
from randsupervise._core.validation import as_column, describe, is_text
from randsupervise.errors import Problem, UnknownIdError, ValidationError
from randsupervise.model.changes import (
    AddTarget,
    RegistryChange,
    RegistryDiff,
    RemoveTarget,
    UpdateTarget,
    apply_changes,
    diff_registers,
)
from randsupervise.model.register_cells import IntArray, U64Array, id_message
from randsupervise.model.register_columns import build_columns
from randsupervise.model.register_digest import (
    DIGEST_COLUMNS,
    column_hashes,
    registry_digest_from_row_hashes,
    row_hashes,
)
from randsupervise.model.register_ids import hashed_ids, positions_by_text
from randsupervise.model.register_select import checked_positions, filter_mask
from randsupervise.model.register_view import RegisterArrays
from randsupervise.model.risk import (
    CATEGORICAL_COLUMNS,
    ENTITY_KINDS,
    RISK_LETTERS,
    RiskClass,
    TargetKind,
    TargetStatus,
)
from randsupervise.model.target_row import Target
from randsupervise.tickets.fingerprint import fingerprints as _fingerprints

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

    __slots__ = ("_a", "_cache")
    COLUMNS: ClassVar[tuple[str, ...]] = DIGEST_COLUMNS

    #: the register's arrays, read-only
    _a: RegisterArrays
    _cache: dict[str, Any]

    def __init__(self) -> None:  # pragma: no cover - use the constructors
        raise TypeError("build a TargetRegistry with from_columns() or from_targets()")

    # ------------------------------------------------------------------ building
    @classmethod
    def _make(cls, arrays: RegisterArrays) -> TargetRegistry:
        self = object.__new__(cls)
        self._a = RegisterArrays(
            ids=readonly(arrays.ids),
            names=readonly(arrays.names) if arrays.names is not None else None,
            codes={k: readonly(v) for k, v in arrays.codes.items()},
            cats=dict(arrays.cats),
            risk=readonly(arrays.risk),
            weights=readonly(arrays.weights),
            fp=readonly(arrays.fp) if arrays.fp is not None else None,
        )
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
        raw = {
            "id": id,
            "risk_class": risk_class,
            "name": name,
            "kind": kind,
            "region": region,
            "industry": industry,
            "status": status,
            "weight": weight,
        }
        return cls._make(
            build_columns(raw, check_credit_codes=check_credit_codes, allow_empty=allow_empty)
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
        return int(self._a.ids.size)

    def __repr__(self) -> str:
        counts = (
            np.bincount(self._a.risk, minlength=4) if len(self) else np.zeros(4, dtype=np.int64)
        )
        by_class = ", ".join(f"{c}={int(k)}" for c, k in zip(RISK_LETTERS, counts, strict=True))
        return f"<TargetRegistry {len(self)} targets ({by_class}), digest {self.digest()[:12]}…>"

    def _repr_html_(self) -> str:
        counts = (
            np.bincount(self._a.risk, minlength=4) if len(self) else np.zeros(4, dtype=np.int64)
        )
        head = self.take(np.arange(min(5, len(self))))
        return html_summary(
            "TargetRegistry",
            {
                "targets": len(self),
                **{c: int(k) for c, k in zip(RISK_LETTERS, counts, strict=True)},
                "digest": self.digest()[:16] + "…",
            },
            head.to_columns(),
            total=len(self),
        )

    @property
    def ids(self) -> npt.NDArray[np.str_]:
        """Target ids in row order (read-only)."""
        return self._a.ids

    @property
    def fingerprints(self) -> U64Array:
        """The ids' 64-bit fingerprints (ticket spec v1, step 1), cached at build (read-only)."""
        fp = self._a.fp
        if fp is None:  # deferred (unhashed_registry): hashed and checked for duplicates now
            fp = readonly(hashed_ids(self._a.ids))
            self._a = attrs.evolve(self._a, fp=fp)
        return fp

    @property
    def risk_codes(self) -> npt.NDArray[np.int8]:
        """Risk classes as codes 0-3 for A-D (read-only)."""
        return self._a.risk

    @property
    def weights(self) -> npt.NDArray[np.float64]:
        """Selection weights (risk scores), >= 0 (read-only)."""
        return self._a.weights

    @property
    def has_names(self) -> bool:
        return self._a.names is not None

    def codes(self, column: str) -> npt.NDArray[np.integer[Any]]:
        """Integer codes of a categorical column (``risk_class`` included: 0-3)."""
        self._check_column(column, (*CATEGORICAL_COLUMNS, "risk_class"))
        if column == "risk_class":
            return self._a.risk
        self._check_column(column, CATEGORICAL_COLUMNS)
        return self._a.codes[column]

    def categories(self, column: str) -> tuple[str, ...]:
        """The categories the codes of ``column`` index into (sorted)."""
        self._check_column(column, (*CATEGORICAL_COLUMNS, "risk_class"))
        if column == "risk_class":
            return RISK_LETTERS
        self._check_column(column, CATEGORICAL_COLUMNS)
        return self._a.cats[column]

    def column(self, column: str) -> npt.NDArray[Any]:
        """A column decoded to values (strings; floats for ``weight``)."""
        self._check_column(column, DIGEST_COLUMNS)
        if column == "id":
            return self._a.ids
        if column == "name":
            return self._a.names if self._a.names is not None else self._a.ids
        if column == "weight":
            return self._a.weights
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
            id=str(self._a.ids[p]),
            name=str(self._a.names[p]) if self._a.names is not None else str(self._a.ids[p]),
            kind=self._a.cats["kind"][self._a.codes["kind"][p]],
            region=self._a.cats["region"][self._a.codes["region"][p]],
            industry=self._a.cats["industry"][self._a.codes["industry"][p]],
            risk_class=RiskClass(int(self._a.risk[p])),
            status=self._a.cats["status"][self._a.codes["status"][p]],
            weight=float(self._a.weights[p]),
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
            order = np.argsort(self.fingerprints, kind="stable")
            self._cache["lookup"] = (self.fingerprints[order], order)
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
                [Problem(row=i, field="id", message=id_message(wanted[i])) for i in bad],
                what="index_of",
            )
        if self._a.fp is None:  # deferred: a few ids are found by their text
            return positions_by_text(self._a.ids, wanted)
        fp = _fingerprints(wanted)
        sorted_fp, order = self._lookup()
        pos = np.searchsorted(sorted_fp, fp)
        pos = np.minimum(pos, max(len(sorted_fp) - 1, 0))
        rows = order[pos] if len(order) else np.zeros(len(wanted), dtype=np.int64)
        found = (sorted_fp[pos] == fp) if len(order) else np.zeros(len(wanted), dtype=bool)
        out = np.empty(len(wanted), dtype=np.int64)
        unknown = []
        for k, uid in enumerate(wanted):
            if found[k] and self._a.ids[rows[k]] == uid:
                out[k] = rows[k]
                continue
            # a 64-bit fingerprint collision: fall back to an exact search
            hits = np.flatnonzero(self._a.ids == uid) if found[k] else np.zeros(0, dtype=np.int64)
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
        idx = checked_positions(positions, len(self))
        arrays = RegisterArrays(
            ids=self._a.ids[idx],
            names=self._a.names[idx] if self._a.names is not None else None,
            codes={k: v[idx] for k, v in self._a.codes.items()},
            cats=self._a.cats,
            risk=self._a.risk[idx],
            weights=self._a.weights[idx],
            fp=self.fingerprints[idx],
        )
        return TargetRegistry._make(arrays)

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
        wanted = {
            "kind": kind,
            "region": region,
            "industry": industry,
            "risk_class": risk_class,
            "status": status,
        }
        return filter_mask(self, wanted)

    def filter(self, **criteria: Any) -> TargetRegistry:
        """The targets matching every given criterion: the keywords of :meth:`mask`
        (``kind``, ``region``, ``industry``, ``risk_class``, ``status``), each one value or
        a collection; ``self.take(self.mask(**criteria))``.

        Examples:
            >>> reg = TargetRegistry.from_columns(id=["a", "b", "c"], risk_class=["A", "C", "D"])
            >>> reg.filter(risk_class=["C", "D"]).ids.tolist()
            ['b', 'c']
        """
        return self.take(self.mask(**criteria))

    # ------------------------------------------------------------------ digest
    def _column_hashes(self, column: str) -> U64Array:
        key = f"h:{column}"
        if key not in self._cache:
            self._cache[key] = column_hashes(self, column)
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
            pos = tuple(readonly(order[a:b]) for a, b in itertools.pairwise(bounds))
            fps = tuple(readonly(self.fingerprints[p]) for p in pos)
            self._cache[key] = (pos, fps)
        out: tuple[tuple[IntArray, ...], tuple[U64Array, ...]] = self._cache[key]
        return out

    def row_hashes(self) -> U64Array:
        """64-bit hash of each row's content, in row order (the digest's building block)."""
        if "rows" not in self._cache:
            self._cache["rows"] = readonly(row_hashes(self))
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
        return diff_registers(self, other)

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
        return apply_changes(self, changes)

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
            "id": self._a.ids.tolist(),
            "name": self.column("name").tolist(),
            "kind": self.column("kind").tolist(),
            "region": self.column("region").tolist(),
            "industry": self.column("industry").tolist(),
            "risk_class": np.asarray(RISK_LETTERS)[self._a.risk].tolist(),
            "status": self.column("status").tolist(),
            "weight": self._a.weights.tolist(),
        }


def unhashed_registry(**columns: Any) -> TargetRegistry:
    """:meth:`TargetRegistry.from_columns` (default options) with the ids checked but not
    hashed until first use, the duplicate check with them (internal: a partitioned draw's
    counting pass needs no fingerprint). If the build finds a problem, every problem is
    named at once, duplicates included, as ``from_columns`` names them.

    Examples:
        >>> reg = unhashed_registry(id=["a", "b"], risk_class="AB")
        >>> reg.index_of(["b"]).tolist(), reg.digest() == TargetRegistry.from_columns(
        ...     id=["a", "b"], risk_class="AB").digest()
        ([1], True)
    """
    raw = {column: columns.get(column) for column in DIGEST_COLUMNS}
    arrays = build_columns(raw, check_credit_codes=False, allow_empty=(), hash_ids=False)
    return TargetRegistry._make(arrays)
