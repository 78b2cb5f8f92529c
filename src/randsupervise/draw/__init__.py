"""The verifiable draw engine: seeds, tickets, allocation, selection, receipts, verify."""

from __future__ import annotations

from randsupervise.draw.allocation import (
    ROUNDING_RULES,
    ItemRule,
    StratumAllocation,
    allocate,
    round_size,
)
from randsupervise.draw.engine import (
    ALL_STRATUM,
    Draw,
    DrawPolicy,
    HistoryEntry,
    StratumDraw,
    draw,
    run_policy,
)
from randsupervise.draw.receipt import DRAW_ALGORITHM, DRAW_VERSION, RECEIPT_KEYS, Receipt
from randsupervise.draw.seed import Seed, canonical_seed_text
from randsupervise.draw.selection import (
    METHODS,
    pips_probabilities,
    select_order_sampling,
    select_poisson,
    select_smallest,
    ticket_order,
)
from randsupervise.draw.tickets import (
    TICKET_ALGORITHM,
    TICKET_VERSION,
    StreamKey,
    stream_key,
    tickets,
    tickets_for_ids,
    uniforms,
)
from randsupervise.draw.verify import Difference, VerifyReport, verify

__all__ = [
    "ALL_STRATUM",
    "DRAW_ALGORITHM",
    "DRAW_VERSION",
    "METHODS",
    "RECEIPT_KEYS",
    "ROUNDING_RULES",
    "TICKET_ALGORITHM",
    "TICKET_VERSION",
    "Difference",
    "Draw",
    "DrawPolicy",
    "HistoryEntry",
    "ItemRule",
    "Receipt",
    "Seed",
    "StratumAllocation",
    "StratumDraw",
    "StreamKey",
    "VerifyReport",
    "allocate",
    "canonical_seed_text",
    "draw",
    "pips_probabilities",
    "round_size",
    "run_policy",
    "select_order_sampling",
    "select_poisson",
    "select_smallest",
    "stream_key",
    "ticket_order",
    "tickets",
    "tickets_for_ids",
    "uniforms",
    "verify",
]
