"""Seeds and the ticket function: the one source of randomness of the library.

Every random decision (selection, batch order, team choice, replacement) is a ticket of
(seed, stream label, unit id), computed here (architecture principle 3; ``docs/spec/tickets.md``).
This package sits just above ``_core``: the model caches fingerprints with it, and the
draw and assignment engines both take their tickets from it, without importing each
other.

* :mod:`.seed`: 32-byte seeds from public text or several parties' contributions.
* :mod:`.fingerprint`: the ids' 64-bit fingerprints and the 64-bit mixer.
* :mod:`.function`: the vectorised ticket function, uniforms, stream keys.
* :mod:`.reference`: an independent pure-Python implementation (standard library only).
"""

from __future__ import annotations

from randsupervise.tickets import function as _function
from randsupervise.tickets import seed as _seed
from randsupervise.tickets.fingerprint import fingerprint, fingerprints
from randsupervise.tickets.function import *  # noqa: F403
from randsupervise.tickets.seed import *  # noqa: F403

# The names of each module are listed once, in its own ``__all__``.
__all__ = ["fingerprint", "fingerprints"]
__all__ += _function.__all__
__all__ += _seed.__all__
