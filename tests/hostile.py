"""Hostile inputs shared by the ``test_hostile_*`` modules: any value of any type, and
the check that a call refuses it with a library error naming the culprit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import strategies as st

from randsupervise.errors import RandSuperviseError

garbage = st.recursive(
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
        st.sampled_from([np.array(3), np.array([["a"]]), np.uint64(2**64 - 1), "\ud800"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=2), st.integers()), inner, max_size=2),
    ),
    max_leaves=6,
)


def raises_naming(call: Any, *names: str) -> RandSuperviseError:
    with pytest.raises(RandSuperviseError) as info:
        call()
    for name in names:
        assert name in str(info.value), (name, str(info.value))
    return info.value
