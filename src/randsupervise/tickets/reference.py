"""Ticket function version 1 and the batch order: the pure-Python reference implementation.

This module is written from ``docs/spec/tickets.md`` alone and imports nothing from the
rest of the library and nothing but the standard library's :mod:`hashlib` and
:mod:`unicodedata`, so that it is an independent check on the vectorised fast path in
:mod:`randsupervise.tickets.function`. Tests compare the two bit for bit.

It is deliberately plain and slow: one SHA-256 per id and per stream, integers masked to
64 bits by hand.
"""

from __future__ import annotations

import hashlib
import unicodedata

__all__ = [
    "reference_batches",
    "reference_seed_from_contributions",
    "reference_seed_from_text",
    "reference_select",
    "reference_ticket",
    "reference_uniform",
]

_M = 0xFFFFFFFFFFFFFFFF


def reference_seed_from_text(text: str) -> bytes:
    """Spec section "Seed": 32 bytes from public text."""
    canon = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(b"randsupervise.seed.v1\x00" + canon.encode("utf-8")).digest()


def reference_seed_from_contributions(texts: list[str]) -> bytes:
    """Spec section "Seed": 32 bytes from several parties' texts, in any order."""
    parts = sorted(reference_seed_from_text(t) for t in texts)
    return hashlib.sha256(b"randsupervise.seeds.v1\x00" + b"".join(parts)).digest()


def _fmix(x: int) -> int:
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & _M
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & _M
    x ^= x >> 33
    return x


def reference_ticket(seed: bytes, stream: str, unit_id: str) -> int:
    """Spec steps 1-3: the 64-bit ticket of ``unit_id`` in ``stream`` under ``seed``."""
    f = int.from_bytes(
        hashlib.sha256(b"randsupervise.id.v1\x00" + unit_id.encode("utf-8")).digest()[:8], "big"
    )
    key = hashlib.sha256(b"randsupervise.stream.v1\x00" + seed + stream.encode("utf-8")).digest()
    k0 = int.from_bytes(key[0:8], "big")
    k1 = int.from_bytes(key[8:16], "big")
    return _fmix(_fmix(f ^ k0) ^ k1)


def reference_uniform(ticket: int) -> float:
    """Spec step 4: the ticket as a number strictly between 0 and 1."""
    return ((ticket >> 12) * 2 + 1) / 2.0**53


def reference_select(seed: bytes, stream: str, ids: list[str], n: int) -> list[str]:
    """Spec "Selection": the ``n`` ids with the smallest (ticket, UTF-8 id) keys, in that order."""
    keyed = sorted((reference_ticket(seed, stream, i), i.encode("utf-8"), i) for i in ids)
    return [k[2] for k in keyed[:n]]


def reference_batches(
    seed: bytes, stream: str, ids: list[str], k: int, version: int = 2
) -> list[list[str]]:
    """Spec "Batch order": the selected ``ids`` (in selection order) cut into ``k`` batches.

    Version 2 orders the units by ``(ticket(seed, stream + "/batch-order", id), UTF-8 id)``;
    version 1 keeps the selection order. Either way the ordered units are cut into ``k``
    consecutive groups whose sizes differ by at most one, the larger groups first.
    """
    if version == 1:
        ordered = list(ids)
    elif version == 2:
        label = stream + "/batch-order"
        keyed = sorted((reference_ticket(seed, label, i), i.encode("utf-8"), i) for i in ids)
        ordered = [x[2] for x in keyed]
    else:
        raise ValueError(f"unknown draw version {version!r}")
    if k < 1:
        raise ValueError(f"need at least one batch, got {k!r}")
    base, extra = divmod(len(ordered), k)
    out = []
    start = 0
    for b in range(k):
        size = base + 1 if b < extra else base
        out.append(ordered[start : start + size])
        start += size
    return out
