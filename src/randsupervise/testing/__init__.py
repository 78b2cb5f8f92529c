"""Tools for users' own test suites: fairness checks and Hypothesis strategies.

``randsupervise.testing.fairness`` (exported here) needs only the runtime dependencies;
``randsupervise.testing.strategies`` needs the ``hypothesis`` extra
(``pip install 'randsupervise[hypothesis]'``) and is imported on its own.
"""

from __future__ import annotations

from randsupervise.testing.fairness import (
    BatchIndependenceReport,
    DrawFn,
    InclusionReport,
    InvarianceReport,
    ReceiptReport,
    ShardedDrawFn,
    Tampering,
    UniformityReport,
    UnitDeviation,
    check_assignment_uniformity,
    check_batch_independence,
    check_inclusion_probabilities,
    check_order_invariance,
    check_partition_invariance,
    check_receipt,
    public_seeds,
    runs_needed,
)

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
