"""Helpers shared by the test modules: hostile input for the "any input" properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st

from randsupervise.errors import RandSuperviseError


def garbage(odd: list[Any]) -> st.SearchStrategy[Any]:
    """Hypothesis: anything at all, the nastier the better; ``odd`` adds values of one's own.

    Scalars of every kind (huge integers, NaN, complex, lone surrogates, bytes, dates),
    nested in lists, tuples and dicts.
    """
    return st.recursive(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(min_value=-(2**70), max_value=2**70),
            st.floats(),
            st.complex_numbers(),
            st.text(alphabet=st.characters(codec=None), max_size=4),
            st.binary(max_size=3),
            st.dates(),
            st.datetimes(),
            st.sampled_from(odd),
        ),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.tuples(inner),
            st.dictionaries(st.one_of(st.text(max_size=2), st.integers()), inner, max_size=2),
        ),
        max_leaves=6,
    )


def raises_naming(call: Any, *names: str) -> RandSuperviseError:
    """Call; assert a RandSuperviseError whose message names every one of ``names``."""
    with pytest.raises(RandSuperviseError) as info:
        call()
    text = str(info.value)
    for name in names:
        assert name in text, (name, text)
    return info.value
