"""Pure domain objects: targets and their register, items, inspectors, risk classes, results.

The package exports the public names of its modules, each listed once, in its module's
``__all__``.
"""

from __future__ import annotations

from randsupervise.model import (
    changes,
    credit_code,
    inspectors,
    items,
    register_digest,
    results,
    risk,
    sample,
    target_row,
)
from randsupervise.model.changes import *  # noqa: F403
from randsupervise.model.credit_code import *  # noqa: F403
from randsupervise.model.inspectors import *  # noqa: F403
from randsupervise.model.items import *  # noqa: F403
from randsupervise.model.register_digest import *  # noqa: F403
from randsupervise.model.results import *  # noqa: F403
from randsupervise.model.risk import *  # noqa: F403
from randsupervise.model.sample import *  # noqa: F403
from randsupervise.model.target_row import *  # noqa: F403
from randsupervise.model.targets import TargetRegistry

__all__ = [
    *changes.__all__,
    *credit_code.__all__,
    *inspectors.__all__,
    *items.__all__,
    *register_digest.__all__,
    *results.__all__,
    *risk.__all__,
    *sample.__all__,
    *target_row.__all__,
    "TargetRegistry",
]
