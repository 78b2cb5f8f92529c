"""Registers the strategies of :mod:`randsupervise.testing.strategies` with Hypothesis.

Hypothesis calls :func:`_hypothesis_setup_hook` through the ``hypothesis`` entry point
declared in ``pyproject.toml`` (``[project.entry-points.hypothesis]``) when it is first
imported, so ``st.from_type(TargetRegistry)`` and ``@given(reg=...)`` with type hints
produce valid registers in any suite where randsupervise is installed. Registration
imports nothing heavy until a strategy is asked for: the strategies are resolved lazily.
"""

from __future__ import annotations

from collections.abc import Callable
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
    from randsupervise.tickets.seed import Seed

    # The strategies module is looked up only when a strategy is first resolved, not here:
    # Hypothesis runs this hook while ``import hypothesis`` is still in progress, and that
    # import may have been started by the strategies module itself (its first line imports
    # Hypothesis), which is then only partly initialised.
    pairs: list[tuple[type[Any], str]] = [
        (TargetRegistry, "registries"),
        (ItemList, "item_lists"),
        (InspectorPool, "inspector_pools"),
        (WorkCalendar, "calendars"),
        (Seed, "seeds"),
    ]
    for cls, name in pairs:
        st.register_type_strategy(cls, st.deferred(_strategy(name)))


def _strategy(name: str) -> Callable[[], Any]:
    """A definition for ``st.deferred``: ``randsupervise.testing.strategies.<name>()``,
    imported when first resolved (``st.deferred`` takes a plain function, not a partial)."""

    def definition() -> Any:
        from randsupervise.testing import strategies

        return getattr(strategies, name)()

    return definition
