"""The register's content digest ([register spec](spec/register.md)).

Invariants:

* Each row hashes to 64 bits by folding its columns in the fixed order
  :data:`DIGEST_COLUMNS` (``id, name, kind, region, industry, risk_class, status,
  weight``); changing that order is a versioned change of the digest
  (:data:`DIGEST_VERSION`).
* The digest hashes the *sorted* row hashes, so it does not depend on row order nor on
  how the register is split into shards (docs/architecture.md principle 3).
* A column's hashes are computed from its categories (one hash per category) or from
  the cached id fingerprints, never by hashing every cell when that can be avoided.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from randsupervise._core.validation import as_column, describe
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.register_cells import U64Array
from randsupervise.model.register_view import RegisterView
from randsupervise.tickets.fingerprint import mix64, value_hash

__all__ = ["registry_digest_from_row_hashes"]

#: Column order of the digest; changing it is a versioned change of the digest.
DIGEST_COLUMNS = ("id", "name", "kind", "region", "industry", "risk_class", "status", "weight")
DIGEST_VERSION = "randsupervise.registry.v1"


def column_hashes(reg: RegisterView, column: str) -> U64Array:
    """One 64-bit hash per row of ``column``'s cells (uncached: the register caches it)."""
    if column == "id":
        return reg.fingerprints
    if column == "name":
        # a name equal to the id (the default) hashes through the cached fingerprint;
        # only names that differ are hashed one by one
        h = mix64(reg.fingerprints ^ np.uint64(value_hash("name", "")))
        if reg.has_names:
            names = reg.column("name")
            differ = np.flatnonzero(names != reg.ids)
            h[differ] = np.fromiter(
                (value_hash("name", s) for s in names[differ].tolist()),
                dtype=np.uint64,
                count=differ.size,
            )
        return h
    if column == "weight":
        bits = reg.weights.astype("<f8").view("<u8").astype(np.uint64)
        return mix64(bits ^ np.uint64(value_hash("weight", "")))
    cats = reg.categories(column)
    lut = np.fromiter((value_hash(column, c) for c in cats), dtype=np.uint64, count=len(cats))
    return lut[reg.codes(column)] if len(reg) else np.zeros(0, dtype=np.uint64)


def row_hashes(reg: RegisterView) -> U64Array:
    """Each row's hash: the column hashes folded in :data:`DIGEST_COLUMNS` order."""
    acc = np.zeros(len(reg), dtype=np.uint64)
    for column in DIGEST_COLUMNS:
        np.bitwise_xor(acc, reg._column_hashes(column), out=acc)
        mix64(acc, out=acc)
    return acc


def registry_digest_from_row_hashes(row_hashes: Iterable[npt.ArrayLike]) -> str:
    """The register digest from the row hashes of its parts, in any order and split.

    A register split into shards (rows in any order, any partition) has the digest of
    :meth:`TargetRegistry.digest` when each shard hands in its
    :meth:`TargetRegistry.row_hashes`: the row hashes are merged and sorted before
    hashing, so neither the order of the parts nor the order within them matters.

    Examples:
        >>> from randsupervise.model.targets import TargetRegistry
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
    h.update(f"{DIGEST_VERSION}\n{','.join(DIGEST_COLUMNS)}\n{merged.size}\n".encode())
    h.update(merged.astype(">u8").tobytes())
    return h.hexdigest()


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
