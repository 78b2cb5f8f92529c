"""Changes to the register (两库动态管理, plan §三(三)): batches, their log, diffs.

Invariants:

* A register never changes: :func:`apply_changes` returns a new register and the
  change log (the batch as applied); :func:`diff_registers` compares two versions by id.
* A batch is validated as a whole first: unknown ids, ids added while present, an id
  touched twice, fields that cannot be updated, bad field values. If anything is wrong
  nothing is applied and one :class:`~randsupervise.errors.ValidationError` names every
  problem, ``row`` being the change's position in the batch.
* An update is a removal and an addition of the updated row, so the rules of a row
  (:func:`~randsupervise.model.register_cells.row_problems`) are checked once, in one
  place; the categorical columns are re-encoded over the union of both versions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypeAlias, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.validation import as_column, describe, ident_of, is_text, text_problems
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.register_cells import IntArray, id_message, row_problems
from randsupervise.model.register_digest import DIGEST_COLUMNS
from randsupervise.model.register_view import RegisterArrays, RegisterView
from randsupervise.model.risk import CATEGORICAL_COLUMNS
from randsupervise.model.target_row import Target, as_dict

R = TypeVar("R", bound="ChangeableRegister")


class ChangeableRegister(RegisterView, Protocol):
    """A register that changes make a new version of (``TargetRegistry`` is one)."""

    def take(self: R, positions: npt.ArrayLike) -> R: ...

    def index_of(self, ids: Iterable[str]) -> IntArray: ...

    def __getitem__(self, unit_id: str) -> Target: ...

    def __contains__(self, unit_id: object) -> bool: ...

    @classmethod
    def from_targets(
        cls: type[R], targets: Iterable[Target], *, check_credit_codes: bool = False
    ) -> R: ...

    @classmethod
    def _make(cls: type[R], arrays: RegisterArrays) -> R: ...


__all__ = ["AddTarget", "RegistryChange", "RegistryDiff", "RemoveTarget", "UpdateTarget"]

#: The fields an update may set (every digest column but the id).
_UPDATABLE = frozenset(DIGEST_COLUMNS[1:])


def _change_problems(uid: object, reason: object) -> list[Problem]:
    """Problems of the id and reason of a register change (checked when it is built)."""
    out: list[Problem] = []
    if not is_text(uid) or not uid or uid != uid.strip():
        out.append(Problem(field="id", message=id_message(uid)))
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
    fields: Mapping[str, Any] = attrs.field(converter=as_dict)
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        problems = _change_problems(self.id, self.reason)
        if not isinstance(self.fields, Mapping):
            problems.append(
                Problem(
                    id=ident_of(self.id),
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


def _match(old: RegisterView, new: RegisterView) -> tuple[IntArray, IntArray, IntArray, IntArray]:
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


def diff_registers(old: RegisterView, new: RegisterView) -> RegistryDiff:
    """What changed from ``old`` to ``new``, by id (fields compared through their hashes)."""
    common_old, common_new, added, removed = _match(old, new)
    changed: dict[str, tuple[str, ...]] = {}
    if common_old.size:
        fields = DIGEST_COLUMNS[1:]
        diffs = {
            col: old._column_hashes(col)[common_old] != new._column_hashes(col)[common_new]
            for col in fields
        }
        any_diff = np.logical_or.reduce(list(diffs.values()))
        for k in np.flatnonzero(any_diff).tolist():
            changed[str(old.ids[common_old[k]])] = tuple(c for c in fields if diffs[c][k])
    return RegistryDiff(
        added=tuple(sorted(str(new.ids[i]) for i in added)),
        removed=tuple(sorted(str(old.ids[i]) for i in removed)),
        changed=dict(sorted(changed.items())),
    )


def _uid(change: RegistryChange) -> str:
    return change.target.id if isinstance(change, AddTarget) else change.id


def _one_change_problems(
    reg: ChangeableRegister, row: int, change: RegistryChange, present: bool
) -> list[Problem]:
    """What is wrong with one change against the register (the batch aside)."""
    uid = _uid(change)
    if isinstance(change, AddTarget):
        if present:
            return [
                Problem(
                    row=row, id=uid, field="id", message="cannot add: id already in the register"
                )
            ]
        return []
    if not present:
        return [Problem(row=row, id=uid, field="id", message="unknown id")]
    if not isinstance(change, UpdateTarget):
        return []
    bad = sorted(map(describe, set(change.fields) - _UPDATABLE))
    if bad:
        return [Problem(row=row, id=uid, field=",".join(bad), message="cannot update these fields")]
    current = attrs.asdict(reg[uid], recurse=False)
    current.update(change.fields)
    return [attrs.evolve(p, row=row) for p in row_problems(row, current, uid)]


def _batch_problems(reg: ChangeableRegister, batch: list[Any]) -> list[Problem]:
    """Every problem of a batch of changes against ``reg``."""
    problems: list[Problem] = []
    touched: dict[str, int] = {}
    for row, ch in enumerate(batch):
        if not isinstance(ch, AddTarget | RemoveTarget | UpdateTarget):
            message = (
                f"not a registry change (AddTarget, RemoveTarget, UpdateTarget): {describe(ch)}"
            )
            problems.append(Problem(row=row, field="changes", message=message))
            continue
        uid = _uid(ch)
        if not is_text(uid):  # only when a change was altered after it was built
            problems.append(Problem(row=row, field="id", message=id_message(uid)))
            continue
        if uid in touched:
            message = f"id already changed by change {touched[uid]} of this batch"
            problems.append(Problem(row=row, id=uid, message=message))
        touched.setdefault(uid, row)
        problems += _one_change_problems(reg, row, ch, uid in reg)
    return problems


def apply_changes(
    reg: R, changes: Iterable[RegistryChange]
) -> tuple[R, tuple[RegistryChange, ...]]:
    """``reg`` with a batch of changes applied, and the change log (see
    :meth:`TargetRegistry.apply`)."""
    col = as_column(changes, "changes", what="registry change batch")
    batch = col.tolist() if isinstance(col, np.ndarray) else col
    problems = _batch_problems(reg, batch)
    if problems:
        raise ValidationError(problems, what="registry change batch")
    removed = [c.id for c in batch if isinstance(c, RemoveTarget | UpdateTarget)]
    keep = np.ones(len(reg), dtype=bool)
    if removed:
        keep[reg.index_of(removed)] = False
    new_rows = [attrs.evolve(reg[c.id], **c.fields) for c in batch if isinstance(c, UpdateTarget)]
    new_rows += [c.target for c in batch if isinstance(c, AddTarget)]
    kept = reg.take(keep)
    return (_concat(kept, new_rows) if new_rows else kept), tuple(batch)


def _concat(base: R, rows: list[Target]) -> R:
    """``base`` plus new rows, re-encoding the categorical columns over the union."""
    extra = type(base).from_targets(rows)
    codes: dict[str, IntArray] = {}
    cats: dict[str, tuple[str, ...]] = {}
    for col in CATEGORICAL_COLUMNS:
        union = tuple(sorted(set(base.categories(col)) | set(extra.categories(col))))
        pos = {v: i for i, v in enumerate(union)}
        lut_a = np.asarray([pos[v] for v in base.categories(col)], dtype=np.int64)
        lut_b = np.asarray([pos[v] for v in extra.categories(col)], dtype=np.int64)
        a = lut_a[base.codes(col)] if len(base) else np.zeros(0, dtype=np.int64)
        codes[col] = np.concatenate([a, lut_b[extra.codes(col)]])
        cats[col] = union
    names = np.concatenate([base.column("name"), extra.column("name")])
    keep_names = base.has_names or any(t.name != t.id for t in rows)
    arrays = RegisterArrays(
        ids=np.concatenate([base.ids, extra.ids]),
        names=names if keep_names else None,
        codes=codes,
        cats=cats,
        risk=np.concatenate([base.risk_codes, extra.risk_codes]),
        weights=np.concatenate([base.weights, extra.weights]),
        fp=np.concatenate([base.fingerprints, extra.fingerprints]),
    )
    return type(base)._make(arrays)
