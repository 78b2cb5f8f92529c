"""Fairness checks: one-line assertions a test suite makes about a draw or an assignment.

Each check runs a draw (or assignment) function many times, under seeds derived from
public text, and either returns a report or raises :class:`AssertionError` whose message
holds the numbers. The functions checked are plain callables, so a platform can check
its own wrapper around the engine, or an engine of its own.

Each check lives in the module of its concept and is re-exported here:
:mod:`~randsupervise.testing.inclusion`, :mod:`~randsupervise.testing.invariance`,
:mod:`~randsupervise.testing.uniformity`, :mod:`~randsupervise.testing.batches` and
:mod:`~randsupervise.testing.receipts`; the statistics they share are in
:mod:`~randsupervise.testing.power`, the seeds in :mod:`~randsupervise.testing.seeds`.

Invariants (architecture principles 3 and 4; BRIEF "Why randomness must be verifiable"):

* **Stated false-positive rate.** The statistical checks
  (:func:`check_inclusion_probabilities`, :func:`check_assignment_uniformity`) test every
  unit with an exact two-sided binomial test and a Bonferroni correction, so a correct
  draw fails with probability at most ``alpha`` over the choice of seeds, whatever the
  dependence between units within one draw (the union bound needs no independence).
  Units with probability 0 or 1 are checked exactly (never drawn / always drawn) and
  spend none of ``alpha``.
  :func:`check_batch_independence` tests the pooled batch × category table with
  Pearson's chi-square test, whose false-positive rate is ``alpha`` asymptotically
  (slightly less for fixed-size draws).
* **Deterministic.** Seeds are ``Seed.from_text("randsupervise.testing/<k>")`` unless
  given, so a check gives the same verdict on every run and every machine; a suite
  never flakes.
* **No pass without power.** A statistical check passes only if its seeds could have
  detected the effect it states (by default a unit, or an eligible inspector, never
  drawn) in every unit it tests; otherwise its verdict is "inconclusive", with the number
  of seeds that would do, and it raises unless the caller allows that.
* **Exact checks are exact.** Order invariance, partition invariance and receipt
  tampering compare values, with no statistics and no false positives.
* Nothing here reads global random state: permutations and partitions of a register come
  from the library's own ticket function under a testing stream.
"""

from __future__ import annotations

from randsupervise.testing.batches import BatchIndependenceReport, check_batch_independence
from randsupervise.testing.inclusion import InclusionReport, check_inclusion_probabilities
from randsupervise.testing.invariance import (
    InvarianceReport,
    check_order_invariance,
    check_partition_invariance,
)
from randsupervise.testing.outcomes import DrawFn, ShardedDrawFn
from randsupervise.testing.power import UnitDeviation, runs_needed
from randsupervise.testing.power import _binomial_p_values as _binomial_p_values
from randsupervise.testing.power import _power as _power
from randsupervise.testing.receipts import ReceiptReport, Tampering, check_receipt
from randsupervise.testing.seeds import public_seeds
from randsupervise.testing.uniformity import UniformityReport, check_assignment_uniformity

__all__ = [
    "BatchIndependenceReport",
    "DrawFn",
    "InclusionReport",
    "InvarianceReport",
    "ReceiptReport",
    "ShardedDrawFn",
    "Tampering",
    "UniformityReport",
    "UnitDeviation",
    "check_assignment_uniformity",
    "check_batch_independence",
    "check_inclusion_probabilities",
    "check_order_invariance",
    "check_partition_invariance",
    "check_receipt",
    "public_seeds",
    "runs_needed",
]
