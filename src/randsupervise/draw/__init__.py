"""The verifiable draw engine: seeds, tickets, selection, receipts."""

from __future__ import annotations

from randsupervise.draw.seed import Seed, canonical_seed_text
from randsupervise.draw.tickets import (
    TICKET_ALGORITHM,
    TICKET_VERSION,
    StreamKey,
    stream_key,
    tickets,
    tickets_for_ids,
    uniforms,
)

__all__ = [
    "TICKET_ALGORITHM",
    "TICKET_VERSION",
    "Seed",
    "StreamKey",
    "canonical_seed_text",
    "stream_key",
    "tickets",
    "tickets_for_ids",
    "uniforms",
]
