"""Deeply immutable JSON values.

Invariants (architecture principle 4: receipts are deeply immutable):

* :func:`freeze` copies a JSON-like value into :class:`FrozenDict` and :class:`FrozenList`
  all the way down; nothing the caller holds afterwards can change the frozen copy, and
  the frozen copy cannot be changed in place (every mutating method raises ``TypeError``).
* Both types subclass ``dict`` and ``list`` so that ``json.dumps``, equality with plain
  dicts and lists, ``repr`` and ``isinstance`` checks keep working; they are hashable.
* :func:`thaw` returns a fresh plain copy (dicts and lists), so editing what
  ``to_dict()`` returns never reaches the receipt it came from.
* A :class:`FrozenList` may carry what was derived from it (its one element type, its
  canonical texts) in :meth:`FrozenList.derived`: the list cannot change, so neither can
  they, and a million ids are checked and joined once, not once per reading.
  :func:`frozen_leaves` builds such a list from values already known to be leaves of one
  type (a numpy array's ``tolist()``), without a check per element.
* A long column need not be Python objects at all: :func:`deferred` builds a frozen list
  *backed* by a numpy array (a receipt's million selected ids as bytes, their
  probabilities as floats) whose elements are made on the first reading that needs them
  all (iteration, slicing, ``repr``, hashing, comparison with another list), by one call
  of the column's ``fill``; its length and a single element are read from the array.
  Until then the canonical and readable JSON texts are written from the array
  (:mod:`randsupervise._core.canonical`). It is the same type, equal by value, hashing and
  behaving as the filled list does; once filled it *is* a plain :class:`FrozenList`. Two
  unfilled lists filled by one function from arrays of one dtype compare by their arrays
  (``fill`` is one-to-one: equal arrays, equal elements), so comparing two receipts makes
  no objects.
* :func:`readonly` is the one way a numpy array a value hands out is made read-only
  (architecture principle 2: registers and results are read-only arrays).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar

import numpy as np

__all__ = [
    "FrozenDict",
    "FrozenList",
    "deferred",
    "freeze",
    "frozen_array",
    "frozen_leaves",
    "readonly",
    "thaw",
]

_Array = TypeVar("_Array", bound=np.ndarray[Any, Any])


def _refuse(self: object, *args: object, **kwargs: object) -> NoReturn:
    raise TypeError(f"{type(self).__name__} is immutable: use thaw() for an editable copy")


_F = TypeVar("_F", bound="_Frozen")


class _Frozen:
    """What both frozen types share: a copy is the value itself; a pickle re-freezes."""

    __slots__ = ()

    def __copy__(self: _F) -> _F:
        return self

    def __deepcopy__(self: _F, memo: object) -> _F:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (freeze, (thaw(self),))


class FrozenDict(_Frozen, dict[str, Any]):
    """A ``dict`` that refuses every change (see the module notes).

    Examples:
        >>> d = freeze({"a": [1, 2]})
        >>> d["a"].append(3)
        Traceback (most recent call last):
        TypeError: FrozenList is immutable: use thaw() for an editable copy
        >>> d == {"a": [1, 2]}, thaw(d)["a"] is d["a"]
        (True, False)
    """

    __slots__ = ()
    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted((k, _hashable(v)) for k, v in self.items())))


class FrozenList(_Frozen, list[Any]):
    """A ``list`` that refuses every change (see the module notes)."""

    __slots__ = ("_derived",)
    _derived: dict[str, Any]

    def derived(self) -> dict[str, Any]:
        """What was derived from this list, kept with it (see the module notes).

        Examples:
            >>> frozen_leaves(["a", "b"], str).derived()
            {'kind': <class 'str'>}
        """
        try:
            out: dict[str, Any] = self._derived
        except AttributeError:
            out = self._derived = {}
        return out

    __setitem__ = __delitem__ = append = extend = insert = pop = remove = _refuse
    clear = reverse = sort = __iadd__ = __imul__ = _refuse

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(_hashable(v) for v in self))


class _Deferred(FrozenList):
    """A :class:`FrozenList` whose elements are not made yet (see :func:`deferred`).

    Every reading that needs the elements fills the list first, then answers as the list
    does; filling turns the object into a plain :class:`FrozenList`, so later readings
    run at the list's own speed. The length and a single element come from the backing
    array without filling.
    """

    __slots__ = ()

    def _fill(self) -> None:
        if type(self) is _Deferred:
            values = self._derived["fill"](self)
            # one C call replacing the whole (empty) content: were two threads to fill
            # the list at once, both would write the same elements
            list.__setitem__(self, slice(None), values)
            object.__setattr__(self, "__class__", FrozenList)  # now a list like any other

    def __len__(self) -> int:
        return len(self._derived["backing"])

    def __getitem__(self, index: Any) -> Any:
        if type(index) is int and type(self) is _Deferred:
            n = len(self)
            if not -n <= index < n:
                raise IndexError("list index out of range")
            return self._derived["at"](index % n)
        self._fill()
        return list.__getitem__(self, index)

    def __eq__(self, other: object) -> bool:
        if other is self:
            return True
        if type(self) is _Deferred and type(other) is _Deferred:
            mine, theirs = self._derived, other._derived
            a, b = mine["backing"], theirs["backing"]
            if mine["fill"] is theirs["fill"] and a.dtype == b.dtype:  # one mapping
                return a.shape == b.shape and bool(np.array_equal(a, b))
        _fill_all(self, other)
        return list.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __radd__(self, other: object) -> Any:
        # ``[...] + deferred`` ends in the left list's own concatenation, which reads this
        # list's elements directly: fill them, then let it run
        self._fill()
        return NotImplemented

    __hash__ = FrozenList.__hash__


def _fill_all(*values: object) -> None:
    # the list's own methods read the other operand's elements directly, not through
    # its methods: a deferred operand is filled too
    for v in values:
        if type(v) is _Deferred:
            v._fill()


def _filled(name: str) -> Callable[..., Any]:
    method = getattr(list, name)

    def call(self: _Deferred, *args: Any) -> Any:
        _fill_all(self, *args)
        return method(self, *args)

    call.__name__ = call.__qualname__ = name
    return call


# every other reading of a list's content fills it first (comparisons included, so that
# ``[...] < deferred`` tries these before the list's own, which would see no elements)
for _name in ("__iter__", "__reversed__", "__contains__", "__repr__", "__lt__", "__le__",
              "__gt__", "__ge__", "__add__", "__mul__", "__rmul__", "__sizeof__", "copy",
              "count", "index"):  # fmt: skip
    setattr(_Deferred, _name, _filled(_name))


def deferred(
    kind: type,
    backing: np.ndarray[Any, Any],
    *,
    fill: Callable[[FrozenList], list[Any]],
    at: Callable[[int], Any],
) -> FrozenList:
    """A frozen list of ``len(backing)`` leaves of type ``kind``, not made yet (module
    notes): ``fill(the_list)`` returns them all (it may read what the list derived
    already), ``at(i)`` the ``i``-th (``0 <= i < len``). The elements must be a
    one-to-one function of ``backing`` (one element per row), the same for every list
    ``fill`` fills from an array of that dtype. ``backing`` is kept read-only in
    :meth:`FrozenList.derived` with ``kind``; the caller must not change it afterwards
    (pass a copy).

    Examples:
        >>> cells = np.frombuffer(b"T1T2T3", dtype="S2")
        >>> ids = deferred(str, cells, fill=lambda _: [c.decode() for c in cells.tolist()],
        ...                at=lambda i: cells[i].decode())
        >>> len(ids), ids[-1], type(ids).__name__
        (3, 'T3', '_Deferred')
        >>> ids == ["T1", "T2", "T3"], type(ids).__name__, ids.derived()["kind"]
        (True, 'FrozenList', <class 'str'>)
    """
    if kind not in _LEAVES:
        raise ValueError(f"{kind.__name__} is not an immutable leaf type")
    out = _Deferred()
    out._derived = {"kind": kind, "backing": readonly(backing), "fill": fill, "at": at}
    return out


#: numpy dtype kinds a :func:`frozen_array` holds, with the element type they fill to
_ARRAY_KINDS = {"f": float, "i": int}


def frozen_array(array: np.ndarray[Any, Any]) -> FrozenList:
    """A frozen list of the numbers of a 1-d numpy array (floats or integers), backed by
    a read-only copy of it and filled by ``tolist()`` on the first reading that needs
    every element (:func:`deferred`); the copy is also ``derived()["array"]``.

    Examples:
        >>> xs = frozen_array(np.array([0.5, 0.25]))
        >>> xs[0], xs == [0.5, 0.25], xs.derived()["kind"]
        (0.5, True, <class 'float'>)
    """
    kind = _ARRAY_KINDS.get(array.dtype.kind)
    if kind is None or array.ndim != 1:
        raise ValueError(f"not a column of numbers: {array.dtype}, {array.ndim} dimensions")
    copy = readonly(np.array(array, dtype=np.float64 if kind is float else np.int64))
    out = deferred(kind, copy, fill=_array_values, at=lambda i: copy[i].item())
    out.derived()["array"] = copy
    return out


def _array_values(values: FrozenList) -> list[Any]:
    out: list[Any] = values.derived()["backing"].tolist()
    return out


def _hashable(v: Any) -> Any:
    return v if not isinstance(v, dict | list) else hash(v)


def freeze(value: Any) -> Any:
    """A deeply frozen copy of ``value`` (mappings, lists and tuples become frozen).

    Examples:
        >>> src = {"k": [{"x": 1}]}
        >>> f = freeze(src)
        >>> src["k"][0]["x"] = 2
        >>> f["k"][0]["x"]
        1
    """
    if isinstance(value, FrozenDict | FrozenList):
        return value
    if isinstance(value, Mapping):
        return FrozenDict({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        if _flat(value):  # a million ids: one C-level copy, not a call per element
            return FrozenList(value)
        return FrozenList(freeze(v) for v in value)
    return value


def frozen_leaves(
    values: list[Any], kind: type, *, array: np.ndarray[Any, Any] | None = None
) -> FrozenList:
    """A frozen list of ``values``, which the caller knows are all of the immutable leaf
    type ``kind`` (``str``, ``int``, ``float``; e.g. a numpy array's ``tolist()``): no
    check per element, and ``kind`` is kept in :meth:`FrozenList.derived`, with
    ``array`` (the values as a numpy array, made read-only) when given.

    Examples:
        >>> import numpy as np
        >>> frozen_leaves(np.arange(3.0).tolist(), float)
        [0.0, 1.0, 2.0]
    """
    if kind not in _LEAVES:
        raise ValueError(f"{kind.__name__} is not an immutable leaf type")
    out = FrozenList(values)
    out.derived()["kind"] = kind
    if array is not None:
        if len(array) != len(out):
            raise ValueError("the array and the values differ in length")
        out.derived()["array"] = readonly(array)
    return out


def thaw(value: Any) -> Any:
    """A plain, editable deep copy of ``value`` (dicts and lists)."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if _flat(value):
            return list(value)
        return [thaw(v) for v in value]
    return value


#: Element types that are immutable leaves: a list of only these is copied whole.
_LEAVES = frozenset({str, int, float, bool, type(None)})


def _flat(value: list[Any] | tuple[Any, ...]) -> bool:
    if isinstance(value, FrozenList) and getattr(value, "_derived", {}).get("kind") in _LEAVES:
        return True  # its one element type is known: no pass over it
    return len(value) > 8 and set(map(type, value)) <= _LEAVES


def readonly(array: _Array) -> _Array:
    """``array`` itself, flagged read-only (no copy): writing to it raises ``ValueError``.

    Examples:
        >>> import numpy as np
        >>> a = readonly(np.arange(3))
        >>> a[0] = 9
        Traceback (most recent call last):
        ValueError: assignment destination is read-only
    """
    array.setflags(write=False)
    return array
