"""Tools for users' own test suites: fairness checks and Hypothesis strategies.

``randsupervise.testing.fairness`` (exported here) needs only the runtime dependencies;
``randsupervise.testing.strategies`` needs the ``hypothesis`` extra
(``pip install 'randsupervise[hypothesis]'``) and is imported on its own.
"""

from __future__ import annotations

from randsupervise.testing import fairness as _fairness
from randsupervise.testing.fairness import *  # noqa: F403

__all__: list[str] = []
__all__ += _fairness.__all__
