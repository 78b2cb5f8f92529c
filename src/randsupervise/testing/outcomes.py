"""What a checked function returns, read one way by every check.

Invariants, each with the rule it comes from:

* A draw function may return a :class:`~randsupervise.draw.Draw`, any object with
  ``ids`` (and optionally ``inclusion_probabilities`` and ``receipt``), or a plain
  sequence of selected ids (:data:`DrawFn`), so a platform can check its own wrapper
  or an engine of its own.
* Selected ids are read as register rows; an id the register does not hold is an error
  naming it, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from randsupervise.draw.receipt import Receipt
from randsupervise.errors import RandSuperviseError
from randsupervise.model.targets import TargetRegistry
from randsupervise.tickets.seed import Seed

__all__ = ["DrawFn", "ShardedDrawFn"]


#: ``draw_fn(registry, seed)``: returns a :class:`~randsupervise.draw.Draw`, any object
#: with ``ids`` (the selected ids) and optionally ``inclusion_probabilities`` (one per
#: register row) and ``receipt``, or a plain sequence of selected ids.
DrawFn = Callable[[TargetRegistry, Seed], Any]
#: ``sharded_draw_fn(shards, seed)``: the same draw computed from the register's shards.
ShardedDrawFn = Callable[[Sequence[TargetRegistry], Seed], Any]
F64Array = npt.NDArray[np.float64]


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    """``obj.name``, or ``default`` when ``obj`` has no such attribute.

    A property of ``obj``'s class is always called, so an error inside it surfaces
    instead of passing for a missing attribute.
    """
    if hasattr(type(obj), name):
        return getattr(obj, name)
    return getattr(obj, name, default)


def _selected(result: Any) -> tuple[str, ...]:
    """The selected ids of a draw function's result."""
    ids = _attr(result, "ids", result)
    if isinstance(ids, str) or not isinstance(ids, Iterable):
        raise TypeError(
            f"a draw function must return a Draw, an object with .ids, or a sequence of ids; "
            f"got {type(result).__name__}"
        )
    return tuple(str(i) for i in ids)


def _reported(result: Any, registry: TargetRegistry) -> F64Array | None:
    pi = _attr(result, "inclusion_probabilities")
    if pi is None:
        return None
    arr = np.asarray(pi, dtype=np.float64)
    if arr.shape != (len(registry),):
        raise TypeError(
            f"inclusion_probabilities has shape {arr.shape}; expected one per register row "
            f"({len(registry)})"
        )
    return arr


def _receipt_dict(result: Any) -> dict[str, Any] | None:
    r = _attr(result, "receipt", result)
    if isinstance(r, Receipt):
        return r.to_dict()
    if isinstance(r, Mapping):
        return dict(r)
    return None


def _rows(registry: TargetRegistry, ids: Sequence[str], what: str) -> npt.NDArray[np.int64]:
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise AssertionError(f"{what} selected the same id twice: {dup}")
    try:
        return registry.index_of(list(ids)).astype(np.int64)
    except RandSuperviseError as e:
        raise AssertionError(f"{what} selected ids that are not in the register: {e}") from None
