"""Written as a new user's suite would be: our strategies and fairness checks, imported from
the public modules, find no problem with the library's draw and do find one in a draw
function that quietly drops the lexicographically largest id.

False-positive rate: check_inclusion_probabilities runs at alpha = 1e-3 (its default) on
fixed public seeds, so a fair draw fails with probability at most 1e-3 over the seeds, and
this file, derandomized in CI, gives the same verdict on every run.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings

from randsupervise.draw import Draw, Seed, draw
from randsupervise.model import TargetRegistry
from randsupervise.testing import (
    check_inclusion_probabilities,
    check_order_invariance,
    check_partition_invariance,
    check_receipt,
)
from randsupervise.testing.strategies import registries

RATIOS = {"A": 0.2, "B": 0.3, "C": 0.5, "D": 1.0}


def my_draw(registry: TargetRegistry, seed: Seed) -> Draw:
    """The platform's wrapper around the engine: one task's stratified draw."""
    return draw(registry, seed=seed, stream="2025/task-7", ratios=RATIOS)


class Tampered:
    """What a dishonest wrapper would hand on: the engine's probabilities, one id fewer."""

    def __init__(self, d: Draw) -> None:
        largest = max(d.registry.ids.tolist())
        self.ids = [i for i in d.ids if i != largest]
        self.inclusion_probabilities = d.inclusion_probabilities


def biased_draw(registry: TargetRegistry, seed: Seed) -> Tampered:
    return Tampered(my_draw(registry, seed))


# registers where every unit has a fair chance of being drawn and enough of them are
# random, so that 200 seeds have power against a unit never drawn (p >= 0.2 here)
small_registers = registries(min_size=2, max_size=25, statuses=["active"])


@settings(max_examples=8, deadline=None)
@given(small_registers)
def test_the_library_draw_passes_every_check(reg: TargetRegistry) -> None:
    check_inclusion_probabilities(my_draw, reg, seeds=200)
    check_order_invariance(my_draw, reg)
    check_partition_invariance(my_draw, reg)
    check_receipt(my_draw(reg, Seed.from_text("2025 ceremony")), reg, max_list_items=5)


@settings(max_examples=8, deadline=None)
@given(small_registers)
def test_a_draw_that_drops_the_largest_id_is_caught(reg: TargetRegistry) -> None:
    largest = max(reg.ids.tolist())
    with pytest.raises(AssertionError, match=re.escape(f"{largest!r}: reported p=")) as info:
        check_inclusion_probabilities(biased_draw, reg, seeds=200)
    assert "drawn 0 of 200 times" in str(info.value)
