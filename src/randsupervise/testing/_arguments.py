"""The arguments of the strategies, checked as Hypothesis checks its own; the characters
ids and texts are made of.

Invariants, each with the rule it comes from:

* Every argument is validated when the strategy is *created*, raising
  :class:`hypothesis.errors.InvalidArgument` with a message naming the argument, as
  Hypothesis's own strategies do (architecture page, "Adding a module").
* Ids and texts hold no whitespace, control characters or lone surrogates (ids may not
  have surrounding whitespace, numpy's str arrays drop trailing NULs, and the ticket
  function hashes UTF-8); ASCII digits come first, so ids shrink toward ``"0"``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from randsupervise.model.items import ItemKind, ItemList

# Characters an id or a text may hold: no whitespace (ids may not have surrounding
# whitespace and numpy's str arrays drop trailing NULs), no control characters, no lone
# surrogates (not encodable as UTF-8, which the ticket function hashes).
_SAFE_CHARS = st.characters(
    blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"),
)
# ASCII digits first, so ids shrink toward "0", "1", ...
_ID_CHARS = st.one_of(st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUWXY"), _SAFE_CHARS)


def _check_size(
    min_size: object, max_size: object, *, lo: str = "min_size", hi: str = "max_size"
) -> None:
    if isinstance(min_size, bool) or not isinstance(min_size, int):
        raise InvalidArgument(f"{lo}={min_size!r} must be an integer")
    if min_size < 0:
        raise InvalidArgument(f"{lo}={min_size!r} must be at least 0")
    if max_size is None:
        return
    if isinstance(max_size, bool) or not isinstance(max_size, int):
        raise InvalidArgument(f"{hi}={max_size!r} must be None or an integer")
    if max_size < min_size:
        raise InvalidArgument(f"Cannot have {hi}={max_size!r} < {lo}={min_size!r}")


def _check_texts(name: str, values: object, *, allow_none: bool = True) -> tuple[str, ...] | None:
    """A non-empty collection of distinct non-empty strings without outer whitespace."""
    if values is None:
        if allow_none:
            return None
        raise InvalidArgument(f"{name} must not be None")
    if isinstance(values, str | bytes) or not isinstance(values, Collection):
        raise InvalidArgument(f"{name}={values!r} must be a collection of strings")
    out = tuple(dict.fromkeys(values))  # keeps the caller's order: the first one shrinks best
    if not out:
        raise InvalidArgument(f"{name} must not be empty")
    bad = [v for v in out if not isinstance(v, str) or not v or v != v.strip()]
    if bad:
        raise InvalidArgument(
            f"{name} holds {bad!r}: every value must be a non-empty str without outer spaces"
        )
    return out


def _check_members(name: str, values: object, allowed: Sequence[str]) -> tuple[str, ...] | None:
    """``values`` as enum values, in the caller's order; each must be one of ``allowed``."""
    if values is None:
        return None
    if isinstance(values, str | bytes) or not isinstance(values, Collection):
        raise InvalidArgument(f"{name}={values!r} must be a collection")
    out = tuple(dict.fromkeys(getattr(v, "value", v) for v in values))
    if not out:
        raise InvalidArgument(f"{name} must not be empty")
    unknown = [v for v in out if v not in allowed]
    if unknown:
        raise InvalidArgument(
            f"{name} holds unknown values {unknown!r}; expected some of {list(allowed)!r}"
        )
    return tuple(str(v) for v in out)


def _check_strategy(name: str, value: object) -> None:
    if value is not None and not isinstance(value, st.SearchStrategy):
        raise InvalidArgument(f"{name}={value!r} must be None or a Hypothesis strategy")


def _check_bool(name: str, value: object, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, bool):
        kind = "True, False or None" if allow_none else "True or False"
        raise InvalidArgument(f"{name}={value!r} must be {kind}")


def _texts(max_size: int = 8) -> st.SearchStrategy[str]:
    return st.text(_ID_CHARS, min_size=1, max_size=max_size)


def _check_max_key_items(
    max_key_items: object, kind_values: tuple[str, ...], min_size: int
) -> None:
    if max_key_items is None:
        return
    if isinstance(max_key_items, bool) or not isinstance(max_key_items, int):
        raise InvalidArgument(f"max_key_items={max_key_items!r} must be None or an integer")
    if max_key_items < 0:
        raise InvalidArgument(f"max_key_items={max_key_items!r} must be at least 0")
    if kind_values == (ItemKind.KEY.value,) and min_size > max_key_items:
        raise InvalidArgument(
            f"min_size={min_size} key items cannot fit max_key_items={max_key_items}"
        )


def _check_plan_args(items: object, year: object, max_batches: object) -> None:
    if not isinstance(items, ItemList):
        raise InvalidArgument(f"items={items!r} must be an ItemList")
    if not len(items):
        raise InvalidArgument("items must hold at least one item to plan for")
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9998:
        raise InvalidArgument(f"year={year!r} must be an int between 1 and 9998")
    if isinstance(max_batches, bool) or not isinstance(max_batches, int):
        raise InvalidArgument(f"max_batches={max_batches!r} must be an integer")
    if max_batches < 1:
        raise InvalidArgument(f"max_batches={max_batches!r} must be at least 1")
