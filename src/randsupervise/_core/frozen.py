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
* :func:`readonly` is the one way a numpy array a value hands out is made read-only
  (architecture principle 2: registers and results are read-only arrays).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn, TypeVar

import numpy as np

__all__ = ["FrozenDict", "FrozenList", "freeze", "frozen_leaves", "readonly", "thaw"]

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
