"""The verifiable draw engine: seeds, tickets, allocation, selection, receipts, verify.

Each module keeps its own list of public names; this package re-exports them (whole lists
where the package exports a module whole) and writes no list twice.
"""

from __future__ import annotations

from randsupervise.draw import allocation as _allocation
from randsupervise.draw import batches as _batches
from randsupervise.draw import coordination as _coordination
from randsupervise.draw import engine as _engine
from randsupervise.draw import frequency as _frequency
from randsupervise.draw import history as _history
from randsupervise.draw import policy as _policy
from randsupervise.draw import result as _result
from randsupervise.draw import selection as _selection
from randsupervise.draw.allocation import (
    ALL_STRATUM as ALL_STRATUM,
)
from randsupervise.draw.allocation import (
    ROUNDING_RULES as ROUNDING_RULES,
)
from randsupervise.draw.allocation import (
    ItemRule as ItemRule,
)
from randsupervise.draw.allocation import (
    StratumAllocation as StratumAllocation,
)
from randsupervise.draw.allocation import (
    allocate as allocate,
)
from randsupervise.draw.allocation import (
    round_size as round_size,
)
from randsupervise.draw.announcement import (
    Announcement,
    Commitment,
    Reveal,
    SeedRule,
    announce_draw,
    check_announcement,
    commitment_of,
    read_reveals,
)
from randsupervise.draw.batches import (
    DRAW_VERSIONS as DRAW_VERSIONS,
)
from randsupervise.draw.batches import (
    batch_order as batch_order,
)
from randsupervise.draw.batches import (
    batch_stream as batch_stream,
)
from randsupervise.draw.batches import (
    cut_batches as cut_batches,
)
from randsupervise.draw.coordination import (
    BURDEN_METHOD as BURDEN_METHOD,
)
from randsupervise.draw.coordination import (
    BURDEN_METHOD_VERSION as BURDEN_METHOD_VERSION,
)
from randsupervise.draw.coordination import (
    BurdenHistory as BurdenHistory,
)
from randsupervise.draw.coordination import (
    BurdenTier as BurdenTier,
)
from randsupervise.draw.coordination import (
    CoordinatedSelection as CoordinatedSelection,
)
from randsupervise.draw.coordination import (
    coordinated_select as coordinated_select,
)
from randsupervise.draw.engine import (
    draw as draw,
)
from randsupervise.draw.engine import (
    run_policy as run_policy,
)
from randsupervise.draw.frequency import (
    HistoryEntry as HistoryEntry,
)
from randsupervise.draw.frequency import (
    frequency_exclusions as frequency_exclusions,
)
from randsupervise.draw.frequency import (
    frequency_reached as frequency_reached,
)
from randsupervise.draw.frequency import (
    frequency_record as frequency_record,
)
from randsupervise.draw.history import (
    History as History,
)
from randsupervise.draw.partition import (
    ShardCandidates,
    StratumCandidates,
    merge_candidates,
    shard_candidates,
    shard_candidates_from_arrays,
    smallest_tickets,
    stratum_codes,
)
from randsupervise.draw.policy import (
    DrawOptions as DrawOptions,
)
from randsupervise.draw.policy import (
    DrawPolicy as DrawPolicy,
)
from randsupervise.draw.policy import (
    Method as Method,
)
from randsupervise.draw.policy import (
    Rounding as Rounding,
)
from randsupervise.draw.policy import (
    policy_of as policy_of,
)
from randsupervise.draw.receipt import (
    DRAW_ALGORITHM,
    DRAW_VERSION,
    OPTIONAL_RECEIPT_KEYS,
    RECEIPT_KEYS,
    Receipt,
    receipt_from_parts,
    stratum_record,
)
from randsupervise.draw.result import (
    Draw as Draw,
)
from randsupervise.draw.result import (
    StratumDraw as StratumDraw,
)
from randsupervise.draw.selection import (
    METHODS as METHODS,
)
from randsupervise.draw.selection import (
    pips_probabilities as pips_probabilities,
)
from randsupervise.draw.selection import (
    select_order_sampling as select_order_sampling,
)
from randsupervise.draw.selection import (
    select_poisson as select_poisson,
)
from randsupervise.draw.selection import (
    select_smallest as select_smallest,
)
from randsupervise.draw.selection import (
    ticket_order as ticket_order,
)
from randsupervise.draw.verify import (
    Difference,
    VerifyReport,
    verify,
)
from randsupervise.tickets import function as _function
from randsupervise.tickets import seed as _seed
from randsupervise.tickets.function import (
    TICKET_ALGORITHM as TICKET_ALGORITHM,
)
from randsupervise.tickets.function import (
    TICKET_VERSION as TICKET_VERSION,
)
from randsupervise.tickets.function import (
    StreamKey as StreamKey,
)
from randsupervise.tickets.function import (
    stream_key as stream_key,
)
from randsupervise.tickets.function import (
    tickets as tickets,
)
from randsupervise.tickets.function import (
    tickets_for_ids as tickets_for_ids,
)
from randsupervise.tickets.function import (
    uniforms as uniforms,
)
from randsupervise.tickets.seed import (
    Seed as Seed,
)
from randsupervise.tickets.seed import (
    as_seed as as_seed,
)
from randsupervise.tickets.seed import (
    canonical_seed_text as canonical_seed_text,
)

# the names of other modules this package exports in part
__all__ = [
    "DRAW_ALGORITHM",
    "DRAW_VERSION",
    "OPTIONAL_RECEIPT_KEYS",
    "RECEIPT_KEYS",
    "Announcement",
    "Commitment",
    "Difference",
    "Receipt",
    "Reveal",
    "SeedRule",
    "ShardCandidates",
    "StratumCandidates",
    "VerifyReport",
    "announce_draw",
    "check_announcement",
    "commitment_of",
    "merge_candidates",
    "read_reveals",
    "receipt_from_parts",
    "shard_candidates",
    "shard_candidates_from_arrays",
    "smallest_tickets",
    "stratum_codes",
    "stratum_record",
    "verify",
]
# the modules this package exports whole
__all__ += _allocation.__all__
__all__ += _batches.__all__
__all__ += _coordination.__all__
__all__ += _engine.__all__
__all__ += _frequency.__all__
__all__ += _history.__all__
__all__ += _policy.__all__
__all__ += _result.__all__
__all__ += _selection.__all__
__all__ += _function.__all__
__all__ += _seed.__all__
