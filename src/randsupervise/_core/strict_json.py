"""Strict JSON reading and shape checking, for receipts and everything else read back.

Invariants (architecture principle 4: receipts are parsed strictly):

* :func:`parse` reads RFC 8259 JSON and refuses, naming the JSON path of each: duplicate
  object keys (readers disagree on which one wins, so a duplicate could show a forged
  value to one reader and the true one to another), ``NaN``/``Infinity`` and numbers that
  overflow to them, integers beyond 2^53, strings with lone surrogates, and nesting
  deeper than ``max_depth``. Every problem found is reported, not only the first.
* What it returns is deeply frozen (:mod:`._core.frozen`).
* :func:`as_document` is the one way a document (a receipt, an announcement) is taken
  from its object, its dict form or its JSON text: the last two read strictly.
* :func:`check_shape` compares a parsed value with a *shape* (a small schema written as
  Python values, below) and reports every missing key, unknown key and wrong type with
  its path. Paths are written ``strata.A.selected[3]``; a key that is not a plain word
  is written ``["key"]``.

Shapes: ``str``, ``int``, ``float`` (any number), ``bool``, ``None``; ``Nullable(s)``;
``ListOf(s)``; ``MapOf(s)`` (any keys); ``Obj(required={...}, optional={...})``;
``OneOf(s1, s2)``; ``ANY``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any, Protocol, TypeVar

import attrs

from randsupervise._core.frozen import FrozenDict, FrozenList
from randsupervise._core.validation import has_utf8
from randsupervise.errors import Problem, ValidationError

__all__ = [
    "ANY",
    "ListOf",
    "MapOf",
    "Nullable",
    "Obj",
    "OneOf",
    "Readable",
    "as_document",
    "check_shape",
    "check_versioned_shape",
    "join_path",
    "parse",
]

_PLAIN = re.compile(r"[^.\[\]\"\s]+\Z")
_MAX_EXACT = 2**53


def join_path(path: str, key: str | int) -> str:
    """Extend a JSON path by one key or index.

    Examples:
        >>> join_path(join_path(join_path("", "strata"), "A"), 3)
        'strata.A[3]'
        >>> join_path("strata", "a.b")
        'strata["a.b"]'
    """
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _PLAIN.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


class _Pairs(list[tuple[str, Any]]):
    """An object as read, before duplicate keys are checked (with the path known)."""


class _NonFinite:
    def __init__(self, text: str) -> None:
        self.text = text


def _walk(value: Any, path: str, depth: int, max_depth: int, out: list[Problem]) -> Any:
    if depth > max_depth:
        out.append(Problem(field=path or "$", message=f"nested deeper than {max_depth} levels"))
        return None
    if isinstance(value, _Pairs):
        seen: dict[str, Any] = {}
        for k, v in value:
            p = join_path(path, k)
            if k in seen:
                out.append(Problem(field=p, message="duplicate key"))
                continue
            if not has_utf8(k):
                out.append(Problem(field=p, message="key holds a lone surrogate"))
            seen[k] = _walk(v, p, depth + 1, max_depth, out)
        return FrozenDict(seen)
    if isinstance(value, list):
        return FrozenList(
            _walk(v, join_path(path, i), depth + 1, max_depth, out) for i, v in enumerate(value)
        )
    if isinstance(value, _NonFinite):
        out.append(Problem(field=path or "$", message=f"{value.text} is not a JSON number"))
        return None
    if isinstance(value, float) and not math.isfinite(value):
        out.append(Problem(field=path or "$", message="number overflows to infinity"))
        return None
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _MAX_EXACT:
        out.append(Problem(field=path or "$", message="integer beyond 2^53 (not exact)"))
        return None
    if isinstance(value, str) and not has_utf8(value):
        out.append(Problem(field=path or "$", message="string holds a lone surrogate"))
        return None
    return value


def parse(text: str | bytes, *, what: str = "JSON", max_depth: int = 16) -> Any:
    """Parse JSON text strictly into a deeply frozen value.

    Args:
        text: The JSON text, or its UTF-8 bytes (a leading byte-order mark is ignored).
        what: What is being read, for the error message (``"receipt"``).
        max_depth: Deepest nesting accepted (objects and arrays).

    Raises:
        ValidationError: not UTF-8, not JSON, or any of the problems in the module notes;
            each :class:`~randsupervise.errors.Problem` names the JSON path in ``field``.

    Examples:
        >>> parse('{"a": [1, 2.5]}')
        {'a': [1, 2.5]}
        >>> parse('{"a": 1, "a": 2}', what="receipt")
        Traceback (most recent call last):
        randsupervise.errors.ValidationError: receipt: field 'a': duplicate key
        >>> parse('{"x": {"y": NaN}}')
        Traceback (most recent call last):
        randsupervise.errors.ValidationError: JSON: field 'x.y': NaN is not a JSON number
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValidationError(
                [Problem(message=f"not UTF-8 text (byte {e.start})")], what=what
            ) from None
    if not isinstance(text, str):
        raise ValidationError(
            [Problem(message=f"expected JSON text, got {type(text).__name__}")], what=what
        )
    text = text.removeprefix("\ufeff")
    try:
        raw = json.loads(text, object_pairs_hook=_Pairs, parse_constant=_NonFinite)
    except json.JSONDecodeError as e:
        msg = f"not JSON: {e.msg} (line {e.lineno}, column {e.colno})"
        raise ValidationError([Problem(message=msg)], what=what) from None
    except RecursionError:
        raise ValidationError(
            [Problem(message=f"nested deeper than {max_depth} levels")], what=what
        ) from None
    except ValueError as e:  # e.g. an integer with more digits than Python converts
        raise ValidationError([Problem(message=f"not JSON: {e}")], what=what) from None
    problems: list[Problem] = []
    value = _walk(raw, "", 0, max_depth, problems)
    if problems:
        raise ValidationError(problems, what=what)
    return value


# -- shapes ---------------------------------------------------------------------------


@attrs.frozen
class Nullable:
    shape: Any


@attrs.frozen
class ListOf:
    shape: Any


@attrs.frozen
class MapOf:
    shape: Any


class OneOf:
    """Any one of the given shapes."""

    __slots__ = ("shapes",)

    def __init__(self, *shapes: Any) -> None:
        self.shapes: tuple[Any, ...] = shapes


@attrs.frozen(kw_only=True)
class Obj:
    required: Mapping[str, Any] = attrs.field(factory=dict)
    optional: Mapping[str, Any] = attrs.field(factory=dict)


ANY = object()

_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _type_ok(value: Any, t: type) -> bool:
    if t is bool:
        return isinstance(value, bool)
    if t is int:
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if t is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, t)


def _describe(shape: Any) -> str:
    if shape is None:
        return "null"
    if isinstance(shape, type):
        return _NAMES.get(shape, shape.__name__)
    if isinstance(shape, Nullable):
        return f"{_describe(shape.shape)} or null"
    if isinstance(shape, ListOf):
        return "an array"
    if isinstance(shape, MapOf | Obj):
        return "an object"
    if isinstance(shape, OneOf):
        return " or ".join(_describe(s) for s in shape.shapes)
    return "a value"


def _check(value: Any, shape: Any, path: str, out: list[Problem]) -> None:
    where = path or "$"
    if shape is ANY:
        return
    if shape is None:
        if value is not None:
            out.append(Problem(field=where, message="must be null"))
        return
    if isinstance(shape, Nullable):
        if value is not None:
            _check(value, shape.shape, path, out)
        return
    if isinstance(shape, OneOf):
        for s in shape.shapes:
            trial: list[Problem] = []
            _check(value, s, path, trial)
            if not trial:
                return
        out.append(Problem(field=where, message=f"must be {_describe(shape)}"))
        return
    if isinstance(shape, type):
        if not _type_ok(value, shape):
            got = "null" if value is None else type(value).__name__
            out.append(Problem(field=where, message=f"must be {_describe(shape)}, not {got}"))
        return
    if isinstance(shape, ListOf):
        if not isinstance(value, list):
            out.append(Problem(field=where, message="must be an array"))
            return
        for i, v in enumerate(value):
            _check(v, shape.shape, join_path(path, i), out)
        return
    if not isinstance(value, Mapping):
        out.append(Problem(field=where, message="must be an object"))
        return
    if isinstance(shape, MapOf):
        for k, v in value.items():
            _check(v, shape.shape, join_path(path, k), out)
        return
    assert isinstance(shape, Obj)
    for k, s in shape.required.items():
        if k not in value:
            out.append(Problem(field=join_path(path, k), message="missing key"))
        else:
            _check(value[k], s, join_path(path, k), out)
    for k, v in value.items():
        if k in shape.required:
            continue
        if k in shape.optional:
            _check(v, shape.optional[k], join_path(path, k), out)
        else:
            out.append(Problem(field=join_path(path, k), message="unknown key"))


def check_shape(value: Any, shape: Any, *, what: str) -> None:
    """Raise :class:`~randsupervise.errors.ValidationError` listing every place where
    ``value`` does not have ``shape`` (see the module notes).

    Examples:
        >>> shape = Obj(required={"n": int, "ids": ListOf(str)})
        >>> check_shape({"n": 1, "ids": ["a"]}, shape, what="x")
        >>> check_shape({"n": "1", "ids": [2], "z": 0}, shape, what="x")
        Traceback (most recent call last):
        randsupervise.errors.ValidationError: x: 3 problems:
          field 'n': must be an integer, not str
          field 'ids[0]': must be a string, not int
          field 'z': unknown key
    """
    out: list[Problem] = []
    _check(value, shape, "", out)
    if out:
        raise ValidationError(out, what=what)


def check_versioned_shape(value: Mapping[str, Any], shapes: Mapping[int, Any], *, what: str) -> int:
    """The ``version`` of ``value``, once ``value`` has the shape of that version
    (``shapes[version]``, see :func:`check_shape`): one reading for every versioned record
    (receipts of each kind).

    Raises:
        ValidationError: an unknown version (naming the versions this release reads), or
            every place where ``value`` does not have its version's shape.

    Examples:
        >>> shapes = {1: Obj(required={"version": int, "n": int})}
        >>> check_versioned_shape({"version": 1, "n": 2}, shapes, what="x")
        1
        >>> check_versioned_shape({"version": 2}, shapes, what="x")
        Traceback (most recent call last):
        randsupervise.errors.ValidationError: x: field 'version': unknown x version 2; ... [1]
    """
    version = value.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version not in shapes:
        message = f"unknown {what} version {version!r}; this release reads {list(shapes)}"
        raise ValidationError([Problem(field="version", message=message)], what=what)
    check_shape(value, shapes[version], what=what)
    return version


_Doc = TypeVar("_Doc", bound="Readable")


class Readable(Protocol):
    """A document type read back from its JSON text or its dict form, strictly."""

    @classmethod
    def from_json(cls: type[_Doc], text: str | bytes) -> _Doc: ...

    @classmethod
    def from_dict(cls: type[_Doc], data: Mapping[str, Any]) -> _Doc: ...


def as_document(value: object, cls: type[_Doc], *, field: str, noun: str) -> _Doc:
    """``value`` itself when it is a ``cls``, else read from its JSON text or its dict form.

    Raises:
        ValidationError: anything else (naming ``field``: "expected ``noun``, not ..."), or
            what ``cls.from_json``/``cls.from_dict`` refuse.

    Examples:
        >>> class Note(dict):
        ...     @classmethod
        ...     def from_dict(cls, data): return cls(data)
        ...     @classmethod
        ...     def from_json(cls, text): return cls.from_dict(parse(text))
        >>> as_document('{"a": 1}', Note, field="note", noun="a note")
        {'a': 1}
        >>> as_document(3, Note, field="note", noun="a note")
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: field 'note': expected a note, not int
    """
    if isinstance(value, cls):
        return value
    if isinstance(value, str | bytes):
        return cls.from_json(value)
    if isinstance(value, Mapping):
        return cls.from_dict(value)
    message = f"expected {noun}, not {type(value).__name__}"
    raise ValidationError([Problem(field=field, message=message)])
