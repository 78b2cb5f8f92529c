"""What the register's helper modules read of a register: its columns, as a protocol.

Invariants:

* A register is made of :class:`RegisterArrays`, and nothing else.
* The modules that check, hash, select and change a register (``register_digest``,
  ``register_select``, ``changes``) read it only through :class:`RegisterView`, so they
  never import :mod:`randsupervise.model.targets` (which imports them): no import cycle.
* Everything in the view is read-only; a register never changes (docs/architecture.md
  principle 2).
"""

from __future__ import annotations

from typing import Any, Protocol

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise.model.register_cells import IntArray, U64Array

__all__: list[str] = []


@attrs.frozen(kw_only=True, eq=False)
class RegisterArrays:
    """The arrays a register is made of (checked already; made read-only by the register)."""

    ids: npt.NDArray[np.str_]
    #: ``None``: every name is the id
    names: npt.NDArray[np.str_] | None
    codes: dict[str, IntArray]
    cats: dict[str, tuple[str, ...]]
    risk: npt.NDArray[np.int8]
    weights: npt.NDArray[np.float64]
    #: ``None``: not hashed yet (a register built for a partitioned draw's counting pass)
    fp: U64Array | None


class RegisterView(Protocol):
    """The columns of a register (``TargetRegistry`` is one)."""

    def __len__(self) -> int: ...

    @property
    def ids(self) -> npt.NDArray[np.str_]: ...

    @property
    def fingerprints(self) -> U64Array: ...

    @property
    def risk_codes(self) -> npt.NDArray[np.int8]: ...

    @property
    def weights(self) -> npt.NDArray[np.float64]: ...

    @property
    def has_names(self) -> bool: ...

    def codes(self, column: str) -> npt.NDArray[np.integer[Any]]: ...

    def categories(self, column: str) -> tuple[str, ...]: ...

    def column(self, column: str) -> npt.NDArray[Any]: ...

    def _column_hashes(self, column: str) -> U64Array: ...
