"""What the hostile-input tests share: the assertion that an error names its argument,
and Hypothesis's "anything at all" built around a module's own odd values."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

import pytest
from hypothesis import strategies as st

from randsupervise.errors import RandSuperviseError, ValidationError


def raises_naming(call: Any, *names: str) -> RandSuperviseError:
    """Call; assert a RandSuperviseError whose message names every one of ``names``."""
    with pytest.raises(RandSuperviseError) as info:
        call()
    text = str(info.value)
    for name in names:
        assert name in text, (name, text)
    return info.value


def garbage(
    odd: Sequence[Any], *, keys: st.SearchStrategy[Any] | None = None, tuples: bool = False
) -> st.SearchStrategy[Any]:
    """Anything at all, the nastier the better: scalars of every kind, ``odd``, and lists
    (``tuples`` too when asked) and dicts of them, keyed by ``keys`` (short text)."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),
        st.complex_numbers(),
        st.text(alphabet=st.characters(codec=None), max_size=4),
        st.binary(max_size=3),
        st.dates(),
        st.datetimes(),
        st.sampled_from(list(odd)),
    )
    key = st.text(max_size=2) if keys is None else keys

    def nest(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        shapes = [st.lists(inner, max_size=3), st.dictionaries(key, inner, max_size=2)]
        if tuples:
            shapes.insert(1, st.tuples(inner))
        return st.one_of(*shapes)

    return st.recursive(leaves, nest, max_leaves=6)


def builds_or_names_its_fields(
    make: Callable[..., Any], overrides: dict[str, Any], *, also: Collection[str] = ()
) -> None:
    """Build with ``overrides``: either a value with no problems, or a ValidationError
    whose every problem names an overridden field (or one of ``also``), never another
    exception."""
    try:
        value = make(**overrides)
    except ValidationError as err:
        assert err.problems
        assert {p.field for p in err.problems} <= set(overrides) | set(also)
    else:
        assert value.problems() == []
