"""Ticket function version 1: the vectorised fast path.

Invariants (``docs/spec/tickets.md``; every random decision of the library goes through
here, architecture principle 3):

* ``ticket(seed, stream, id) = mix(mix(fp(id) XOR k0) XOR k1)`` where ``fp`` is the id's
  64-bit fingerprint and ``(k0, k1)`` the first 16 bytes of
  ``SHA-256(b"randsupervise.stream.v1\\x00" + seed + UTF-8(stream))``.
* A ticket depends only on (seed, stream, id): never on input order, on the register's
  other rows, on how the register is partitioned, on numpy's version or on the machine.
* ``uniform(ticket) = (2 * (ticket >> 12) + 1) / 2**53``: strictly inside (0, 1), exact
  in binary64, so the reference and the fast path agree to the last bit.
* Selection order is ascending ``(ticket, UTF-8 bytes of id)``; the id breaks the (rare)
  ties of 64-bit tickets.
* Bit-identical to :mod:`randsupervise.tickets.reference` (tested on random unicode ids).

The fast path mixes cached fingerprints in cache-sized blocks, so ten million tickets cost
about as much as ten million calls of a numpy ``Generator``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from randsupervise._core.frozen import freeze
from randsupervise._core.strict_json import Obj
from randsupervise.errors import Problem, ValidationError
from randsupervise.tickets.fingerprint import fingerprints, mix64_block
from randsupervise.tickets.seed import Seed

__all__ = [
    "TICKET_ALGORITHM",
    "TICKET_RECORD",
    "TICKET_RECORD_SHAPE",
    "TICKET_VERSION",
    "StreamKey",
    "stream_key",
    "tickets",
    "tickets_for_ids",
    "uniforms",
]

TICKET_ALGORITHM = "randsupervise-ticket"
TICKET_VERSION = 1
#: The ticket function as every kind of receipt names it (ticket spec v1), and its shape.
TICKET_RECORD: Mapping[str, Any] = freeze(
    {"algorithm": TICKET_ALGORITHM, "version": TICKET_VERSION}
)
TICKET_RECORD_SHAPE = Obj(required={"algorithm": str, "version": int})
_STREAM_PREFIX = b"randsupervise.stream.v1\x00"
_BLOCK = 1 << 16  # 512 KiB of uint64: the working set stays in cache


class StreamKey:
    """The two 64-bit words that key one (seed, stream) pair."""

    __slots__ = ("k0", "k1", "stream")

    def __init__(self, k0: int, k1: int, stream: str) -> None:
        self.k0 = k0
        self.k1 = k1
        self.stream = stream

    def __repr__(self) -> str:
        return f"StreamKey(stream={self.stream!r}, k0={self.k0:#018x}, k1={self.k1:#018x})"


def stream_key(seed: Seed, stream: str) -> StreamKey:
    """Derive the key of ``stream`` under ``seed`` (spec step 2).

    Examples:
        >>> key = stream_key(Seed.from_text("demo"), "2024/task-1")
        >>> 0 <= key.k0 < 2**64 and 0 <= key.k1 < 2**64
        True
    """
    if not isinstance(stream, str) or not stream:
        raise ValidationError(
            [Problem(field="stream", message="stream label must be a non-empty str")]
        )
    digest = hashlib.sha256(_STREAM_PREFIX + seed.value + stream.encode("utf-8")).digest()
    return StreamKey(
        int.from_bytes(digest[0:8], "big"), int.from_bytes(digest[8:16], "big"), stream
    )


def tickets(
    fingerprints_: npt.NDArray[np.uint64], seed: Seed, stream: str
) -> npt.NDArray[np.uint64]:
    """Tickets for units given by their cached fingerprints (spec step 3).

    Examples:
        >>> import numpy as np
        >>> from randsupervise.tickets.reference import reference_ticket
        >>> seed = Seed.from_text("demo")
        >>> fp = tickets_for_ids(["a", "b"], seed, "s")
        >>> [int(t) for t in fp] == [reference_ticket(seed.value, "s", i) for i in "ab"]
        True
    """
    fp = np.asarray(fingerprints_, dtype=np.uint64)
    key = stream_key(seed, stream)
    k0 = np.uint64(key.k0)
    k1 = np.uint64(key.k1)
    flat = fp.reshape(-1)
    out = np.empty_like(flat)
    tmp = np.empty(min(_BLOCK, max(flat.size, 1)), dtype=np.uint64)
    for start in range(0, flat.size, _BLOCK):  # blocks of 65,536 units, not a loop per unit
        o = out[start : start + _BLOCK]
        t = tmp[: o.size]
        np.bitwise_xor(flat[start : start + _BLOCK], k0, out=o)
        mix64_block(o, t)
        np.bitwise_xor(o, k1, out=o)
        mix64_block(o, t)
    return out.reshape(fp.shape)


def tickets_for_ids(ids: Sequence[str], seed: Seed, stream: str) -> npt.NDArray[np.uint64]:
    """Tickets for ids given as strings (fingerprints computed on the way)."""
    return tickets(fingerprints(ids), seed, stream)


def uniforms(tickets_: npt.NDArray[np.uint64]) -> npt.NDArray[np.float64]:
    """Tickets as numbers strictly inside (0, 1) (spec step 4).

    Examples:
        >>> import numpy as np
        >>> uniforms(np.array([0, 2**64 - 1], dtype=np.uint64)).tolist() == [2.0**-53, 1 - 2.0**-53]
        True
    """
    t = np.asarray(tickets_, dtype=np.uint64)
    top = (t >> np.uint64(12)).astype(np.float64)  # < 2**52: exact in binary64
    out: npt.NDArray[np.float64] = (top * 2.0 + 1.0) * 2.0**-53
    return out
