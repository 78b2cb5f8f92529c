"""The data of one role's assignment problem (:class:`Phase`) and the pair tickets.

Invariants:

* **Pair tickets.** Each (visit, inspector) pair has the *pair fingerprint*
  ``mix64(fp(visit) XOR mix64(fp(inspector) XOR PAIR_SALT))`` (``fp`` the 64-bit id
  fingerprint, ``mix64`` the bijective mixer of the ticket function); its ticket is the
  ticket function applied to that fingerprint. This is the only randomness of the
  assignment engine.
* A :class:`Phase` is plain data: the greedy (``_greedy``) and the exact fallback
  (``_exact``) read it and never change it (only ``cap`` is copied by the greedy).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from randsupervise.assign.witness import Witness
from randsupervise.tickets.fingerprint import mix64
from randsupervise.tickets.function import tickets
from randsupervise.tickets.seed import Seed

__all__ = ["PAIR_SALT", "Phase", "build_ticket_keys", "build_tickets", "pair_fingerprints"]

PAIR_SALT = 0x9E3779B97F4A7C15
_UNLIMITED = 1 << 40
IntArray = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
BoolArray = npt.NDArray[np.bool_]


def pair_fingerprints(visit_fp: U64, inspector_fp: U64) -> U64:
    """Pair fingerprints ``mix64(fv XOR mix64(fi XOR PAIR_SALT))``, a ``len(fv) x len(fi)`` matrix.

    Examples:
        >>> import numpy as np
        >>> fv = np.array([1, 2], dtype=np.uint64); fi = np.array([3, 4, 5], dtype=np.uint64)
        >>> pair_fingerprints(fv, fi).shape
        (2, 3)
    """
    g = mix64(np.asarray(inspector_fp, dtype=np.uint64) ^ np.uint64(PAIR_SALT))
    m = np.asarray(visit_fp, dtype=np.uint64)[:, None] ^ g[None, :]
    return mix64(m, out=m)


class Phase:
    """One role's assignment problem (officers or experts), built by the caller.

    Per visit ``k``: ``cls[k]`` indexes ``cands`` (sorted pool indices of the eligible
    inspectors before per-pair exclusions); ``excl_pos[excl_ptr[k]:excl_ptr[k + 1]]``
    the positions in that array that are forbidden (recusal, rotation, members already
    on the team); ``maskid[k]`` indexes ``masks`` (one uint64 per candidate: bit ``b``
    set when the candidate meets the visit's requirement ``bitnames[maskid][b]``);
    ``U0[k]`` the requirement bits still to cover; ``need[k]`` the places to fill;
    ``trow[k]`` its row in ``tix[cls]``. ``tix[c]`` holds the top 40 bits of each pair
    ticket (``ticket >> 24``) of the class's visits (rows) and candidates (columns).
    """

    def __init__(self, role: str, ids: Sequence[str], cap: IntArray) -> None:
        self.role = role
        self.ids = tuple(ids)
        self.cap = cap
        self.visit_ids: list[str] = []
        self.cls: IntArray = np.zeros(0, dtype=np.int64)
        self.excl_ptr: IntArray = np.zeros(1, dtype=np.int64)
        self.excl_pos: IntArray = np.zeros(0, dtype=np.int64)
        self.maskid: IntArray = np.zeros(0, dtype=np.int64)
        self.U0: IntArray = np.zeros(0, dtype=np.int64)
        self.need: IntArray = np.zeros(0, dtype=np.int64)
        self.trow: IntArray = np.zeros(0, dtype=np.int64)
        self.cands: list[IntArray] = []
        self.tix: list[IntArray] = []
        # when set: every ``tix[c]`` is a view into this one buffer (plus one spare entry)
        self.tix_flat: IntArray | None = None
        self.masks: list[U64] = []
        self.bitnames: list[tuple[str, ...]] = []
        # pool index -> pool indices that may not serve on the same team (None: no pairs)
        self.apart: dict[int, IntArray] | None = None
        # pairs of visits that are parts of one team (apart pairs hold across them)
        self.links: list[tuple[int, int]] = []
        # the load each member of visit k carries (None: 1 for every visit)
        self.weight: IntArray | None = None
        # visit k -> {requirement bit: holders needed}, for counts above 1
        self.counts: dict[int, dict[int, int]] = {}
        # period index of visit k (-1: none) and what each inspector may still carry in
        # each period (rows: periods, columns: pool indices); None: no period limits
        self.vperiod: IntArray | None = None
        self.period_cap: IntArray | None = None
        self.period_names: list[str] = []

    def holders(self, k: int, b: int) -> int:
        """How many members of visit ``k`` must meet its requirement bit ``b``."""
        return self.counts.get(k, {}).get(b, 1)

    @property
    def exact_only(self) -> bool:
        """Loads or holder counts the greedy does not model: solved by the exact program."""
        return self.weight is not None or bool(self.counts) or self.period_cap is not None

    def fits(self, k: int, C: IntArray) -> BoolArray:
        """Which candidates ``C`` (pool indices) have the capacity to carry visit ``k``."""
        w = 1 if self.weight is None else int(self.weight[k])
        out: BoolArray = self.cap[C] >= w
        if self.period_cap is not None and self.vperiod is not None and self.vperiod[k] >= 0:
            out &= self.period_cap[self.vperiod[k], C] >= w
        return out

    def excl(self, k: int) -> IntArray | None:
        """Forbidden positions of visit ``k`` in its candidate array (``None``: none)."""
        a, b = int(self.excl_ptr[k]), int(self.excl_ptr[k + 1])
        return self.excl_pos[a:b] if b > a else None


class _Infeasible(Exception):
    def __init__(self, witness: Witness) -> None:
        self.witness = witness
        super().__init__(str(witness))


def build_tickets(fv: U64, fi: U64, seed: Seed, stream: str) -> U64:
    """Pair tickets for visits ``fv`` (rows) and candidates ``fi`` (columns)."""
    return tickets(pair_fingerprints(fv, fi), seed, stream)


def build_ticket_keys(fv: U64, fi: U64, seed: Seed, stream: str) -> IntArray:
    """The top 40 bits of the pair tickets (``ticket >> 24``), as int64 greedy keys."""
    t = build_tickets(fv, fi, seed, stream)
    np.right_shift(t, np.uint64(24), out=t)
    return t.view(np.int64)
