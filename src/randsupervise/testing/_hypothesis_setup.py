"""Registers the strategies of :mod:`randsupervise.testing.strategies` with Hypothesis.

Hypothesis calls :func:`_hypothesis_setup_hook` through the ``hypothesis`` entry point
declared in ``pyproject.toml`` (``[project.entry-points.hypothesis]``) when it is first
imported, so ``st.from_type(TargetRegistry)`` and ``@given(reg=...)`` with type hints
produce valid registers in any suite where randsupervise is installed. Registration
imports nothing heavy until a strategy is asked for: the strategies are resolved lazily.
"""

from __future__ import annotations

from typing import Any


def _hypothesis_setup_hook() -> None:
    """Register a strategy for each domain type (the entry point's target).

    Examples:
        >>> from hypothesis import given, strategies as st
        >>> from randsupervise.model import TargetRegistry
        >>> _hypothesis_setup_hook()
        >>> @given(st.from_type(TargetRegistry))
        ... def test_len(reg):
        ...     assert len(reg) == len(reg.ids)
        >>> test_len()
    """
    from hypothesis import strategies as st

    from randsupervise.calendar import WorkCalendar
    from randsupervise.model.inspectors import InspectorPool
    from randsupervise.model.items import ItemList
    from randsupervise.model.targets import TargetRegistry
    from randsupervise.testing import strategies as ours
    from randsupervise.tickets.seed import Seed

    pairs: list[tuple[type[Any], Any]] = [
        (TargetRegistry, ours.registries),
        (ItemList, ours.item_lists),
        (InspectorPool, ours.inspector_pools),
        (WorkCalendar, ours.calendars),
        (Seed, ours.seeds),
    ]
    for cls, make in pairs:
        st.register_type_strategy(cls, st.deferred(make))
