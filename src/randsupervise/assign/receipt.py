"""The assignment receipt (``docs/spec/receipts.md``, kind ``"assignment"``).

Invariants: a receipt records the format, kind and version, the algorithm and ticket
versions, the seed with its public source (version 2), the stream, the event (assign,
replace or cancel), the digest of the previous receipt in the chain, the input digests,
whether the exact fallback ran, and the teams; version 2 carries its own
``receipt_digest`` (:func:`~randsupervise._core.envelope.seal`), version 1 none. A
receipt is deeply immutable once written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import scipy

from randsupervise._core.canonical import digest
from randsupervise._core.envelope import RECEIPT_FORMAT, seal
from randsupervise._core.frozen import freeze
from randsupervise.assign.problem import AssignmentProblem
from randsupervise.assign.team import Team
from randsupervise.assign.versions import ALGORITHM, ALGORITHM_VERSION, RECEIPT_VERSIONS
from randsupervise.tickets.function import TICKET_RECORD
from randsupervise.tickets.seed import Seed

__all__ = ["receipt_digest"]


def receipt_digest(receipt: Mapping[str, Any]) -> str:
    """The digest the next receipt in a chain records as ``previous``: the receipt's
    ``receipt_digest`` (version 2), or the SHA-256 of its version-1 canonical JSON."""
    if receipt.get("version") == 1 or "receipt_digest" not in receipt:
        return digest(dict(receipt), "v1")
    return digest({k: v for k, v in receipt.items() if k != "receipt_digest"})


def _receipt(
    problem: AssignmentProblem,
    seed: Seed,
    stream: str,
    teams: Sequence[Team],
    event: dict[str, Any],
    previous: Mapping[str, Any] | None,
    fallback: bool,
    records: Sequence[Mapping[str, Any]] | None = None,
    *,
    version: int = RECEIPT_VERSIONS[-1],
    algorithm_version: int = ALGORITHM_VERSION,
) -> Mapping[str, Any]:
    head: dict[str, Any] = (
        {"format": "randsupervise.assignment-receipt", "version": 1}
        if version == 1
        else {"format": RECEIPT_FORMAT, "kind": "assignment", "version": version}
    )
    body = {
        **head,
        "algorithm": ALGORITHM,
        "algorithm_version": algorithm_version,
        "ticket": dict(TICKET_RECORD),
        "seed": seed.hex,
        **({} if version == 1 else {"seed_source": seed.source}),
        "stream": stream,
        "event": event,
        "previous": receipt_digest(previous) if previous is not None else None,
        "inputs": problem.digests(),
        "exact_fallback": fallback,
        "solver": f"scipy {scipy.__version__} milp (HiGHS)" if fallback else None,
        "teams": records if records is not None else [t.to_record() for t in teams],
    }
    sealed: Mapping[str, Any] = freeze(body) if version == 1 else seal(body)
    return sealed
