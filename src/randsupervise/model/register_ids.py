"""The register's id column: text, unique, fingerprinted once.

Invariants (plan §三(三); ticket spec v1, step 1):

* Ids are unique, non-empty strings without surrounding whitespace, NUL or lone
  surrogates. They are opaque: no Unicode normalisation is applied.
* Every id's 64-bit fingerprint is computed once, here, when the register is built.
* Every bad id is named by its row, and every row of a repeated id names the others;
  duplicates are found through the fingerprints (sorted, O(N log N)), never by
  comparing strings pairwise.
* A column of ids that are all text is checked in bulk; only a column holding a bad
  id is looked at id by id (to name the rows).
* Hashing can be deferred (:func:`scan_ids` with ``hash_ids=False``, a partitioned
  draw's counting pass): the ids are checked the same way, and the fingerprints and the
  duplicate check come together later (:func:`hashed_ids`), so no register ever hands
  out fingerprints of ids that were not checked for duplicates.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from randsupervise._core.validation import is_text
from randsupervise.errors import Problem, UnknownIdError, ValidationError
from randsupervise.model.register_cells import CHUNK, IntArray, U64Array, chunks, id_message
from randsupervise.tickets.fingerprint import fingerprints as _fingerprints

__all__: list[str] = []


def nul_rows(ids: npt.NDArray[np.str_]) -> IntArray:
    """Rows of a numpy str array whose id holds a NUL character, in one vectorised pass.

    numpy drops a trailing NUL (it cannot be told from padding), so a NUL counts only
    before the id's last character. ``np.char.find(ids, "\\x00")`` cannot answer this
    (numpy strips the NUL from the needle too and finds the empty string in every row):
    the check reads the UTF-32 code units instead. Legend: a row holds a zero code unit
    (``maybe``), and, of those, one whose non-zero units are fewer than its length.

    Examples:
        >>> nul_rows(np.array(["ab", "a\\x00b", "ab\\x00", "\\x00a"])).tolist()
        [1, 3]
    """
    flat = np.ascontiguousarray(ids).reshape(-1)
    units = flat.view(np.uint32).reshape(flat.size, flat.dtype.itemsize // 4)
    maybe = np.flatnonzero((units == 0).any(axis=1))
    if not maybe.size:
        return maybe
    inside = np.count_nonzero(units[maybe], axis=1) < np.char.str_len(flat[maybe])
    out: IntArray = maybe[inside]
    return out


def _surrogate_problems(chunk: list[str], start: int) -> list[Problem]:
    """Every id of ``chunk`` holding a lone surrogate, named by its row."""
    bad = [k for k, v in enumerate(chunk) if not is_text(v)]
    return [Problem(row=start + k, field="id", message=id_message(chunk[k])) for k in bad]


def _fingerprint_array(
    ids_arr: npt.NDArray[np.str_], problems: list[Problem], *, hash_ids: bool = True
) -> list[U64Array]:
    """Fingerprints of a str array chunk by chunk; lone surrogates named and hashed as ``""``.

    Without ``hash_ids`` the chunks are only checked for lone surrogates (what hashing
    would find: UTF-8 refuses them), in bulk, and no fingerprint is returned.
    """
    fps = []
    for start, chunk in zip(itertools.count(0, CHUNK), chunks(ids_arr), strict=False):
        try:
            if hash_ids:
                fps.append(_fingerprints(chunk))
            else:
                "".join(chunk).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: name every such row
            problems += _surrogate_problems(chunk, start)
            if hash_ids:
                fps.append(_fingerprints([v if is_text(v) else "" for v in chunk]))
    return fps


def _padded_rows(ids_arr: npt.NDArray[np.str_], lengths: IntArray) -> IntArray:
    """Rows whose id starts or ends with whitespace (``str.isspace``, as ``str.strip``
    strips), found from each id's first and last code point without copying the ids.

    Examples:
        >>> ids = np.array(["a", " a", "a\u3000", "a b", "", "\t"])
        >>> _padded_rows(ids, np.char.str_len(ids).astype(np.int64)).tolist()
        [1, 2, 5]
    """
    rows = np.flatnonzero(lengths > 0)
    if not rows.size:
        return rows
    flat = np.ascontiguousarray(ids_arr).reshape(-1)
    units = flat.view(np.uint32).reshape(flat.size, flat.dtype.itemsize // 4)
    ends = np.concatenate([units[rows, 0], units[rows, lengths[rows] - 1]])
    # each distinct end character is asked once: the same rule as str.strip's
    values, inverse = np.unique(ends, return_inverse=True)
    space = np.fromiter((chr(int(c)).isspace() for c in values), dtype=bool, count=values.size)
    hit = space[inverse.reshape(-1)]
    out: IntArray = rows[hit[: rows.size] | hit[rows.size :]]
    return out


def _clean_list(
    given: list[Any], problems: list[Problem], *, hash_ids: bool = True
) -> tuple[list[str], list[U64Array]]:
    """Ids from a list (bad ones named and replaced by ``""``) and their fingerprints
    (none without ``hash_ids``)."""
    clean: list[str] = []
    if set(map(type, given)) <= {str} and "\x00" not in "".join(given):
        clean = given  # every id is text: checked in bulk, not one by one
    else:
        for i, v in enumerate(given):
            if isinstance(v, str) and "\x00" not in v:
                clean.append(v)
            else:
                problems.append(Problem(row=i, field="id", message=id_message(v)))
                clean.append("")
    try:
        if not hash_ids:
            "".join(clean).encode("utf-8")  # refuses a lone surrogate, as hashing would
            return clean, []
        return clean, [_fingerprints(clean)]
    except UnicodeEncodeError:  # a lone surrogate: name every such row (rare, so late)
        for i, v in enumerate(clean):
            if not is_text(v):
                problems.append(Problem(row=i, field="id", message=id_message(v)))
                clean[i] = ""
        return clean, [_fingerprints(clean)] if hash_ids else []


def scan_ids(
    values: Sequence[Any] | npt.NDArray[Any], *, hash_ids: bool = True
) -> tuple[npt.NDArray[np.str_], U64Array | None, IntArray, list[Problem]]:
    """One pass over the ids: type, emptiness, whitespace, fingerprints.

    Returns the ids as a str array of our own, their fingerprints (``None`` without
    ``hash_ids``: the same checks, hashing deferred to :func:`hashed_ids`), their lengths
    and the problems. The loop in Python is per id and happens once per register (hashing
    strings needs it); everything else about ids is vectorised.
    """
    problems: list[Problem] = []
    n = len(values)
    numpy_text = isinstance(values, np.ndarray) and values.dtype.kind == "U"
    # the rare column with a NUL inside an id is named row by row, as a list is
    if isinstance(values, np.ndarray) and numpy_text and not (n and nul_rows(values).size):
        ids_arr = np.array(values, copy=True)  # our own copy: the caller's stays theirs
        fps = _fingerprint_array(ids_arr, problems, hash_ids=hash_ids)
    else:
        given = values.tolist() if isinstance(values, np.ndarray) else list(values)
        clean, fps = _clean_list(given, problems, hash_ids=hash_ids)
        ids_arr = np.asarray(clean, dtype=str) if n else np.zeros(0, dtype="<U1")
    fp = None
    if hash_ids:
        fp = np.concatenate(fps) if fps else np.zeros(0, dtype=np.uint64)
    lengths = np.char.str_len(ids_arr).astype(np.int64) if n else np.zeros(0, dtype=np.int64)
    already = {p.row for p in problems}
    for i in np.flatnonzero(lengths == 0).tolist():
        if i not in already:
            problems.append(Problem(row=i, field="id", message="id is empty"))
    for i in _padded_rows(ids_arr, lengths).tolist():
        uid = str(ids_arr[i])
        problems.append(Problem(row=i, id=uid, field="id", message=id_message(uid)))
    return ids_arr, fp, lengths, problems


def hashed_ids(ids: npt.NDArray[np.str_]) -> U64Array:
    """The fingerprints of ids already checked by ``scan_ids(..., hash_ids=False)``, and
    the duplicate check that comes with them (its problems raised as the register build
    raises them: every row of a repeated id named)."""
    fp = np.concatenate(_fingerprint_array(ids, [])) if ids.size else np.zeros(0, np.uint64)
    problems = duplicate_problems(ids, fp, np.char.str_len(ids).astype(np.int64))
    if problems:
        raise ValidationError(problems, what="TargetRegistry")
    return fp


def positions_by_text(ids: npt.NDArray[np.str_], wanted: Sequence[str]) -> IntArray:
    """The row of each id of ``wanted`` (its first), found by comparing text: a register
    whose fingerprints are deferred finds a few ids without hashing all of its own.

    Raises :class:`~randsupervise.errors.UnknownIdError` naming every id not found.

    Examples:
        >>> positions_by_text(np.array(["a", "b", "c"]), ["c", "a"]).tolist()
        [2, 0]
    """
    want = frozenset(wanted)
    found: dict[str, int] = {}
    for start, part in zip(itertools.count(0, CHUNK), chunks(ids), strict=False):
        for k in [k for k, v in enumerate(part) if v in want]:
            found.setdefault(part[k], start + k)
    unknown = [u for u in wanted if u not in found]
    if unknown:
        raise UnknownIdError(unknown, where="TargetRegistry")
    return np.asarray([found[u] for u in wanted], dtype=np.int64)


def duplicate_problems(ids: npt.NDArray[np.str_], fp: U64Array, lengths: IntArray) -> list[Problem]:
    """Every row whose id also appears on another row (found through fingerprints)."""
    if ids.size < 2:
        return []
    sfp = np.sort(fp)  # the usual case, no repeat, needs no stable argsort
    if not (sfp[1:] == sfp[:-1]).any():
        return []
    order = np.argsort(fp, kind="stable")
    sfp = fp[order]
    same = sfp[1:] == sfp[:-1]
    if not same.any():
        return []
    groups: dict[int, list[int]] = {}
    for s in np.flatnonzero(same).tolist():
        groups.setdefault(int(sfp[s]), []).extend([int(order[s]), int(order[s + 1])])
    problems: list[Problem] = []
    for rows in groups.values():
        by_id: dict[str, list[int]] = {}
        for r in sorted(set(rows)):
            by_id.setdefault(str(ids[r]), []).append(r)
        for uid, rs in by_id.items():
            if len(rs) > 1 and lengths[rs[0]] > 0:
                problems += [
                    Problem(
                        row=r,
                        id=uid,
                        field="id",
                        message=f"duplicate id (also on rows {[x for x in rs if x != r]})",
                    )
                    for r in rs
                ]
    return problems
