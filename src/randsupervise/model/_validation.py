"""Validation helpers shared by the record-like model objects (items, inspectors).

Invariants:

* Every helper *returns* problems (:class:`~randsupervise.errors.Problem`) and never
  raises for bad input, so a caller collects every problem of an object or a batch
  before it raises one :class:`~randsupervise.errors.ValidationError` (DESIGN.md
  principle 6: report every problem, not only the first).
* Converters (``to_*``) turn accepted forms into the stored form (str-valued enum
  members to their values, numpy numbers to Python numbers, iterables to frozensets or
  tuples) and pass anything else through unchanged, so validation can name it.
* A collection of members (an item list, an inspector pool) is kept sorted by id, so
  equality, iteration and digests never depend on input order; ids are unique, and
  every repeated occurrence is reported with its 0-based row.
"""

from __future__ import annotations

import enum
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar, cast

import attrs

from randsupervise.errors import Problem, ValidationError

__all__ = [
    "bool_problems",
    "duplicate_problems",
    "ident_of",
    "members_by_id",
    "records_to_objects",
    "str_set_problems",
    "text_problems",
    "to_float",
    "to_int",
    "to_str_set",
    "to_tuple",
]


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


M = TypeVar("M", bound=_HasId)


def to_str_set(value: Iterable[str | enum.Enum] | Any) -> frozenset[str]:
    """Convert a collection of strings or str-valued enum members to a frozenset of str.

    Anything else is passed through unchanged, so that validation can report it.
    """
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return cast(frozenset[str], value)
    try:
        return frozenset(v.value if isinstance(v, enum.Enum) else v for v in value)
    except TypeError:  # unhashable members: keep the raw value for the report
        return cast(frozenset[str], value)


def to_tuple(value: Iterable[M] | Any) -> tuple[M, ...]:
    """Any iterable but a string to a tuple; anything else kept for the report."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return cast(tuple[M, ...], value)
    return tuple(value)


def to_int(value: int | None) -> int | None:
    """Integral numbers (numpy's too, from data frames) to ``int``; others kept for the report."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return value


def to_float(value: float | None) -> float | None:
    """Real numbers (numpy's too) to ``float``; ``None`` and others kept for the report."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return value


def text_problems(
    value: object, field: str, ident: str | None, *, required: bool = True
) -> list[Problem]:
    """Problems with a text field: must be a str, non-empty when required, no outer spaces."""
    if not isinstance(value, str):
        return [Problem(id=ident, field=field, message=f"must be a string, got {value!r}")]
    if required and not value.strip():
        return [Problem(id=ident, field=field, message="must not be empty")]
    if value != value.strip():
        return [
            Problem(id=ident, field=field, message=f"has leading or trailing spaces: {value!r}")
        ]
    return []


def str_set_problems(
    value: object, field: str, ident: str | None, *, non_empty: bool = False
) -> list[Problem]:
    """Problems with a set-of-strings field."""
    if not isinstance(value, frozenset):
        return [
            Problem(
                id=ident, field=field, message=f"must be a collection of strings, got {value!r}"
            )
        ]
    out = []
    if non_empty and not value:
        out.append(Problem(id=ident, field=field, message="must name at least one value"))
    bad = sorted(repr(v) for v in value if not isinstance(v, str) or not v.strip())
    if bad:
        out.append(
            Problem(id=ident, field=field, message=f"members must be non-empty strings: {bad}")
        )
    return out


def bool_problems(value: object, field: str, ident: str | None) -> list[Problem]:
    """Problems with a flag: only ``True`` and ``False`` are accepted (not 0, 1 or "yes")."""
    if isinstance(value, bool):
        return []
    return [Problem(id=ident, field=field, message=f"must be True or False, got {value!r}")]


def ident_of(value: object) -> str | None:
    """The id to name in problems: a non-blank string, else ``None``."""
    return value if isinstance(value, str) and value.strip() else None


def duplicate_problems(ids: Sequence[tuple[int, str]], what: str) -> list[Problem]:
    """One problem per repeated occurrence of an id (every occurrence after the first)."""
    first: dict[str, int] = {}
    out = []
    for row, ident in ids:
        if ident in first:
            out.append(
                Problem(
                    row=row,
                    id=ident,
                    field="id",
                    message=f"duplicate {what} id (first at row {first[ident]})",
                )
            )
        else:
            first[ident] = row
    return out


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
            [Problem(field=field, message=f"must be a collection of {field}, got {members!r}")],
            what=what,
        )
    good: list[tuple[int, M]] = []
    problems: list[Problem] = []
    for row, member in enumerate(members):
        if isinstance(member, cls):
            good.append((row, member))
        else:
            problems.append(
                Problem(row=row, field=field, message=f"not an {cls.__name__}: {member!r}")
            )
    problems += duplicate_problems([(row, m.id) for row, m in good], noun)
    ordered = tuple(sorted((m for _, m in good), key=lambda m: m.id))
    return ordered, {m.id: m for m in ordered}, problems


def records_to_objects(
    records: Iterable[Mapping[str, Any]],
    build: Callable[..., M],
    fields: Sequence[str],
    required: Sequence[str],
    what: str,
) -> tuple[list[M], list[Problem]]:
    """Build one object per record; collect every problem tagged with its row.

    Duplicate ids are reported too, also among records that have other problems.
    """
    built: list[M] = []
    problems: list[Problem] = []
    ids: list[tuple[int, str]] = []
    for row, record in enumerate(records):
        if not isinstance(record, Mapping):
            problems.append(Problem(row=row, message=f"record must be a mapping, got {record!r}"))
            continue
        ident = ident_of(record.get("id"))
        if ident is not None:
            ids.append((row, ident))
        row_problems = [
            Problem(row=row, id=ident, field=str(k), message="unknown field")
            for k in sorted(map(str, record))
            if k not in fields
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
