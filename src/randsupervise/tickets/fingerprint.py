"""Hashing primitives shared by the model and the draw engine.

Invariants:

* An id's *fingerprint* is the first 8 bytes, read big-endian, of
  ``SHA-256(b"randsupervise.id.v1\\x00" + UTF-8(id))``. It depends on the id alone, so it
  is computed once per register and cached with it (ticket spec v1, ``docs/spec/tickets.md``).
* :func:`mix64` is a bijection on 64-bit words (the finaliser of MurmurHash3, also known
  as ``fmix64``): every step is an xor-shift or an odd multiplication modulo 2**64. It is
  written once for numpy arrays and once for Python ints; both are pinned by test vectors.
* Value hashes for digests use SHA-256 with a domain-separating prefix, so a digest never
  depends on numpy's string layout, byte order or version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

__all__ = [
    "ID_PREFIX",
    "MASK64",
    "fingerprint",
    "fingerprints",
    "mix64",
    "mix64_block",
    "mix64_int",
    "value_hash",
]

MASK64 = (1 << 64) - 1
ID_PREFIX = b"randsupervise.id.v1\x00"
_M1 = 0xFF51AFD7ED558CCD
_M2 = 0xC4CEB9FE1A85EC53
_BASE = hashlib.sha256(ID_PREFIX)
_BLOCK = 1 << 16  # 512 KiB of uint64
_U_M1 = np.uint64(_M1)
_U_M2 = np.uint64(_M2)
_S33 = np.uint64(33)


def fingerprint(unit_id: str) -> int:
    """The 64-bit fingerprint of one id (ticket spec v1, step 1).

    Examples:
        >>> hex(fingerprint("T-0001"))
        '0x...'
    """
    h = _BASE.copy()
    h.update(unit_id.encode("utf-8"))
    return int.from_bytes(h.digest()[:8], "big")


def fingerprints(ids: Iterable[str]) -> npt.NDArray[np.uint64]:
    """Fingerprints of many ids as a ``uint64`` array (one hashlib call per id, done once).

    A numpy array of ids is turned into a list first: iterating the array makes a numpy
    scalar per id, which costs about half as much again as the hashing. The hashing stays
    on one core: hashlib keeps the GIL for inputs under 2048 bytes, so threads do not
    help, and a process pool lost to pickling on a shared two-core machine
    (``docs/benchmarks.md``).
    """
    if isinstance(ids, np.ndarray):
        ids = ids.tolist()
    base = _BASE
    out = bytearray()
    for unit_id in ids:
        h = base.copy()
        h.update(unit_id.encode("utf-8"))
        out += h.digest()[:8]
    return np.frombuffer(bytes(out), dtype=">u8").astype(np.uint64)


def mix64_int(x: int) -> int:
    """:func:`mix64` on one Python int (the reference form)."""
    x &= MASK64
    x ^= x >> 33
    x = (x * _M1) & MASK64
    x ^= x >> 33
    x = (x * _M2) & MASK64
    x ^= x >> 33
    return x


def mix64(
    x: npt.NDArray[np.uint64], *, out: npt.NDArray[np.uint64] | None = None
) -> npt.NDArray[np.uint64]:
    """Vectorised 64-bit mixer (``fmix64``), bit-identical to :func:`mix64_int`.

    Works in place on ``out`` when given (``out`` may be ``x``), so peak memory stays at
    the input plus one cache-sized scratch block.

    Examples:
        >>> import numpy as np
        >>> int(mix64(np.array([1], dtype=np.uint64))[0]) == mix64_int(1)
        True
    """
    if out is None:
        out = x.copy()
    elif out is not x:
        np.copyto(out, x)
    flat = out.reshape(-1)
    tmp = np.empty(min(_BLOCK, max(flat.size, 1)), dtype=np.uint64)
    for start in range(0, flat.size, _BLOCK):  # cache-sized blocks, not a loop per unit
        o = flat[start : start + _BLOCK]
        mix64_block(o, tmp[: o.size])
    return out


def mix64_block(o: npt.NDArray[np.uint64], tmp: npt.NDArray[np.uint64]) -> None:
    """:func:`mix64` in place on ``o``, with ``tmp`` (same size) as scratch space.

    The building block of every vectorised mix: callers keep ``o`` small enough to stay
    in cache (``_BLOCK`` words), which makes the mix about five times faster than on
    whole ten-million-element arrays.
    """
    np.right_shift(o, _S33, out=tmp)
    np.bitwise_xor(o, tmp, out=o)
    np.multiply(o, _U_M1, out=o)
    np.right_shift(o, _S33, out=tmp)
    np.bitwise_xor(o, tmp, out=o)
    np.multiply(o, _U_M2, out=o)
    np.right_shift(o, _S33, out=tmp)
    np.bitwise_xor(o, tmp, out=o)


def value_hash(column: str, value: str) -> int:
    """64-bit hash of one cell value for register digests.

    ``SHA-256(b"randsupervise.value.v1\\x00" + UTF-8(column) + b"\\x00" + UTF-8(value))``,
    first 8 bytes big-endian.
    """
    h = hashlib.sha256(b"randsupervise.value.v1\x00")
    h.update(column.encode("utf-8") + b"\x00" + value.encode("utf-8"))
    return int.from_bytes(h.digest()[:8], "big")
