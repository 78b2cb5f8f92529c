"""Records and collections of records of the model (items, inspectors), written once.

The general checks (text, flags, numbers, dates, converters) live in
:mod:`randsupervise._core.validation` and are imported from there; this module adds
only what is particular to model records (:class:`CheckedRecord`: a record checks
itself when built and writes its plain record by one rule) and to collections of them
(:class:`Members`: sorted by id, looked up, iterated, digested alike).

Invariants:

* Every helper *returns* problems (:class:`~randsupervise.errors.Problem`) and never
  raises for bad input, so a caller collects every problem of an object or a batch
  before it raises one :class:`~randsupervise.errors.ValidationError` (docs/architecture.md
  principle 6: report every problem, not only the first).
* A record's plain form holds its fields in declaration order, enum members as their
  values and sets as sorted lists, so records and digests never depend on set order.
* A collection of members (an item list, an inspector pool) is kept sorted by id, so
  equality, iteration and digests never depend on input order; ids are unique, and
  every repeated occurrence is reported with its 0-based row.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast

import attrs
import numpy as np

from randsupervise._core.canonical import sha256_hex
from randsupervise._core.validation import as_column, describe, duplicate_problems, ident_of
from randsupervise.errors import Problem, UnknownIdError, ValidationError

__all__ = [
    "CheckedRecord",
    "Members",
    "get",
    "holds",
    "lookup",
    "members_by_id",
    "plain_record",
    "plain_value",
    "records_to_objects",
]


class _HasId(Protocol):
    @property
    def id(self) -> str: ...

    def to_record(self) -> dict[str, Any]: ...


M = TypeVar("M", bound=_HasId)


def lookup(index: Mapping[str, M], key: object, *, where: str) -> M:
    """``index[key]``; :class:`~randsupervise.errors.UnknownIdError` (a ``KeyError``) for
    any key it does not hold, an unhashable one included."""
    try:
        return index[key]  # type: ignore[index]
    except (KeyError, TypeError):
        raise UnknownIdError([key], where=where) from None


def get(index: Mapping[str, M], key: object, default: M | None) -> M | None:
    """``index.get(key, default)``, also for an unhashable key (never held)."""
    try:
        return index.get(key, default)  # type: ignore[call-overload, no-any-return]
    except TypeError:
        return default


def holds(index: Mapping[str, Any], key: object) -> bool:
    """``key in index``, ``False`` for an unhashable key."""
    try:
        return key in index
    except TypeError:
        return False


@attrs.frozen(kw_only=True)
class Members(Generic[M]):
    """A collection of members kept sorted by id (an item list, a pool), and its lookups.

    A subclass (a frozen attrs class) says in ``_spec`` which field holds its members, of
    which type, and the words for a member and for itself (in messages and
    :class:`~randsupervise.errors.UnknownIdError`); it may add problems of the whole in
    :meth:`_more_problems`, and defines :meth:`canonical`, the form its :meth:`digest`
    hashes.
    """

    _index: dict[str, M] = attrs.field(init=False, repr=False, eq=False, hash=False, factory=dict)
    #: The field holding the members, their type, a member's noun, the collection's name.
    _spec: ClassVar[tuple[str, type[Any], str, str]]

    @property
    def _where(self) -> str:
        return self._spec[3]

    def _members(self) -> tuple[M, ...]:
        members: tuple[M, ...] = getattr(self, self._spec[0])
        return members

    def _more_problems(self) -> list[Problem]:
        """Problems of the collection as a whole (its members sorted already)."""
        return []

    def __attrs_post_init__(self) -> None:
        """Sort the members by id and index them; raise every problem of the members
        (every one that is not a member, every repeated id) and of the collection."""
        field, member, noun, where = self._spec
        ordered, index, problems = members_by_id(
            getattr(self, field), member, field=field, noun=noun, what=where
        )
        object.__setattr__(self, field, ordered)
        object.__setattr__(self, "_index", index)
        problems += self._more_problems()
        if problems:
            raise ValidationError(problems, what=where)

    def canonical(self) -> dict[str, Any]:
        raise NotImplementedError

    def __getitem__(self, member_id: str) -> M:
        """The member with id ``member_id``; raises
        :class:`~randsupervise.errors.UnknownIdError` (a ``KeyError``)."""
        return lookup(self._index, member_id, where=self._where)

    def get(self, member_id: str, default: M | None = None) -> M | None:
        """The member with id ``member_id``, or ``default``."""
        return get(self._index, member_id, default)

    def __contains__(self, member_id: object) -> bool:
        return holds(self._index, member_id)

    def __iter__(self) -> Iterator[M]:
        """Iterate over the members in id order."""
        return iter(self._members())

    def __len__(self) -> int:
        return len(self._members())

    @property
    def ids(self) -> tuple[str, ...]:
        """The members' ids, sorted."""
        return tuple(m.id for m in self._members())

    def to_records(self) -> list[dict[str, Any]]:
        """The members as plain dicts in id order (``pandas.DataFrame`` accepts them)."""
        return [m.to_record() for m in self._members()]

    def digest(self) -> str:
        """SHA-256 hex of the canonical JSON form (see :meth:`canonical`).

        Independent of input order; changes when any field of any member changes.

        Examples:
            >>> from randsupervise.model.sample import sample_inspectors
            >>> pool = sample_inspectors()
            >>> pool.digest() == type(pool)(inspectors=reversed(pool.inspectors)).digest()
            True
        """
        return sha256_hex(self.canonical())


def plain_value(value: object) -> object:
    """A field's value as JSON-able data: an enum member as its value, a set as a sorted
    list, anything else unchanged."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value


def plain_record(member: object) -> dict[str, Any]:
    """An attrs record's fields, in field order, as a plain JSON-able dict
    (:func:`plain_value` of each)."""
    fields = attrs.fields(cast("type[attrs.AttrsInstance]", type(member)))
    return {a.name: plain_value(getattr(member, a.name)) for a in fields}


class CheckedRecord:
    """A record (a frozen attrs class) that checks itself when built.

    A subclass lists every problem of its fields in :meth:`problems` and names itself in
    ``_what``; building it raises them all in one
    :class:`~randsupervise.errors.ValidationError`.
    """

    __slots__ = ()
    _what: ClassVar[str]

    def problems(self) -> list[Problem]:
        raise NotImplementedError

    def __attrs_post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationError(problems, what=self._what)

    def to_record(self) -> dict[str, Any]:
        """The record as a plain JSON-able dict (sets as sorted lists, enums as values).

        Examples:
            >>> from randsupervise.model.items import InspectionItem
            >>> InspectionItem(id="K1", name="n", department="d", kind="key", legal_basis="l",
            ...     content="c", method="m", target_kinds={"product", "project"}
            ...     ).to_record()["target_kinds"]
            ['product', 'project']
        """
        return plain_record(self)


def members_by_id(
    members: object, cls: type[M], *, field: str, noun: str, what: str
) -> tuple[tuple[M, ...], dict[str, M], list[Problem]]:
    """Check the members of a collection; return them sorted by id, an id index, problems.

    ``members`` is the converted attribute (a tuple, or the raw value when it was not an
    iterable: then a :class:`ValidationError` is raised at once, as nothing else can be
    checked). The problems name every entry that is not a ``cls`` and every repeated id,
    with its 0-based row; when there are any, the sorted tuple and index hold the valid
    members only and must not be used to build an object.
    """
    if not isinstance(members, tuple):
        raise ValidationError(
            [
                Problem(
                    field=field, message=f"must be a collection of {field}, got {describe(members)}"
                )
            ],
            what=what,
        )
    good: list[tuple[int, M]] = []
    problems: list[Problem] = []
    for row, member in enumerate(members):
        if isinstance(member, cls):
            good.append((row, member))
        else:
            problems.append(
                Problem(row=row, field=field, message=f"not an {cls.__name__}: {describe(member)}")
            )
    problems += duplicate_problems([(row, m.id) for row, m in good], noun)
    ordered = tuple(sorted((m for _, m in good), key=lambda m: m.id))
    return ordered, {m.id: m for m in ordered}, problems


def records_to_objects(
    records: Iterable[Mapping[str, Any]], build: type[M], what: str
) -> tuple[list[M], list[Problem]]:
    """Build one ``build`` (an attrs class) per record; collect every problem tagged
    with its row.

    A record may hold the class's fields and must hold those without a default. Duplicate
    ids are reported too, also among records that have other problems.
    """
    declared = attrs.fields(cast("type[attrs.AttrsInstance]", build))
    fields = [a.name for a in declared]
    required = [a.name for a in declared if a.default is attrs.NOTHING]
    built: list[M] = []
    problems: list[Problem] = []
    ids: list[tuple[int, str]] = []
    rows = as_column(records, "records", what=f"{what} records")
    for row, record in enumerate(rows.tolist() if isinstance(rows, np.ndarray) else rows):
        if not isinstance(record, Mapping):
            problems.append(
                Problem(row=row, message=f"record must be a mapping, got {describe(record)}")
            )
            continue
        ident = ident_of(record.get("id"))
        if ident is not None:
            ids.append((row, ident))
        row_problems = [
            Problem(
                row=row,
                id=ident,
                field=k if isinstance(k, str) else describe(k),
                message="unknown field",
            )
            for k in sorted(record, key=describe)
            if not isinstance(k, str) or k not in fields
        ]
        row_problems += [
            Problem(row=row, id=ident, field=k, message="missing")
            for k in required
            if k not in record
        ]
        if row_problems:
            problems += row_problems
            continue
        try:
            built.append(build(**record))
        except ValidationError as err:
            problems += [attrs.evolve(p, row=row) for p in err.problems]
    problems += duplicate_problems(ids, what)
    # stable sort: within a row, field problems keep their order and duplicates come last
    problems.sort(key=lambda p: -1 if p.row is None else p.row)
    return built, problems
