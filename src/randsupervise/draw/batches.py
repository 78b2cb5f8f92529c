"""The batch order of a draw: its own random decision, from its own stream.

Invariants (plan §三(二): "随机确定抽查批次顺序"; architecture principle 9;
``docs/spec/tickets.md``, "Batch order"):

* **Draw version 2**: every selected unit, all strata merged, gets the ticket of the
  stream ``stream + "/batch-order"``; the units sorted by ``(batch ticket, UTF-8 id)``
  are cut into ``batches`` consecutive groups whose sizes differ by at most one, the
  larger first. The batch of a unit is thus independent of its stratum.
* **Version 1** cut the selection order itself, so the strata of the smallest sampling
  fractions filled the first batch under every seed; it is kept only so that version-1
  draws still recompute.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from randsupervise.draw.receipt import DRAW_VERSION, VERSIONS
from randsupervise.draw.selection import ticket_order
from randsupervise.errors import Problem, ValidationError
from randsupervise.tickets.function import tickets as _tickets
from randsupervise.tickets.function import tickets_for_ids
from randsupervise.tickets.seed import Seed, as_seed

__all__ = ["DRAW_VERSIONS", "batch_order", "batch_stream", "cut_batches"]

IntArray = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]

#: Draw versions this release computes (the receipt versions, :data:`.receipt.VERSIONS`).
#: Version 2 draws the batch order from its own stream; version 1 cut the selection order
#: into batches (kept so version-1 draws recompute).
DRAW_VERSIONS: tuple[int, ...] = tuple(VERSIONS)
#: Appended to a draw's stream label to give the stream of its batch order (version 2).
_BATCH_ORDER_SUFFIX = "/batch-order"


def check_version(version: object) -> int:
    """``version`` if this release computes it; a :class:`ValidationError` otherwise."""
    if isinstance(version, bool) or not isinstance(version, int) or version not in DRAW_VERSIONS:
        raise ValidationError(
            [
                Problem(
                    field="version",
                    message=f"unknown draw version {version!r}; this release computes "
                    f"{list(DRAW_VERSIONS)}",
                )
            ]
        )
    return version


def batch_stream(stream: str) -> str:
    """The stream label of a draw's batch order: ``stream + "/batch-order"``.

    Examples:
        >>> batch_stream("2024/G01")
        '2024/G01/batch-order'
    """
    return stream + _BATCH_ORDER_SUFFIX


def _batch_sizes(n: int, k: int) -> list[int]:
    """Sizes of ``k`` consecutive groups of ``n`` units: they differ by at most one, the
    larger first."""
    base, extra = divmod(n, k)
    return [base + (1 if b < extra else 0) for b in range(k)]


def cut_batches(ids: Sequence[str], k: int) -> tuple[tuple[str, ...], ...]:
    """``ids`` (already in batch order) cut into ``k`` consecutive groups whose sizes
    differ by at most one, the larger first: the last step of :func:`batch_order`.

    Examples:
        >>> cut_batches(["a", "b", "c", "d", "e"], 3)
        (('a', 'b'), ('c', 'd'), ('e',))
    """
    ids = tuple(ids)
    out = []
    start = 0
    for size in _batch_sizes(len(ids), k):
        out.append(ids[start : start + size])
        start += size
    return tuple(out)


def batch_layout(
    ids: Sequence[str],
    *,
    seed: Seed,
    stream: str,
    batches: int,
    version: int,
    fingerprints: U64Array | None,
) -> tuple[IntArray, IntArray]:
    """The batch-order rule (``docs/spec/tickets.md``, "Batch order"), written once.

    Returns ``(order, batch_of)``: the positions of ``ids`` in batch order, and each
    unit's batch (0-based) parallel to ``ids``.
    """
    version = check_version(version)
    if isinstance(batches, bool) or not isinstance(batches, int) or batches < 1:
        raise ValidationError([Problem(field="batches", message="must be an int >= 1")])
    n = len(ids)
    local = np.arange(n, dtype=np.int64)
    if version == 1 or n < 2:
        order = local  # version 1: the selection order itself
    else:
        label = batch_stream(stream)
        if fingerprints is None:
            t = tickets_for_ids(ids, seed, label)
        else:
            t = _tickets(np.asarray(fingerprints, dtype=np.uint64), seed, label)
        order = ticket_order(local, t, lambda loc: [ids[k] for k in loc.tolist()])
    batch_of = np.empty(n, dtype=np.int64)
    batch_of[order] = np.repeat(np.arange(batches, dtype=np.int64), _batch_sizes(n, batches))
    return order, batch_of


def batch_order(
    ids: Sequence[str] | npt.NDArray[np.str_],
    *,
    seed: Seed | str,
    stream: str,
    batches: int,
    version: int = DRAW_VERSION,
    fingerprints: npt.NDArray[np.uint64] | None = None,
) -> tuple[tuple[str, ...], ...]:
    """The selected units cut into ``batches`` batches (plan §三(二): 随机确定抽查批次顺序).

    **Draw version 2**: every selected unit (all strata merged) gets a batch ticket
    ``ticket(seed, stream + "/batch-order", id)``; units are ordered by ``(batch ticket,
    UTF-8 bytes of id)`` ascending and cut into ``batches`` consecutive groups whose sizes
    differ by at most one, the larger groups first; each batch lists its ids in that
    order. The batch of a unit is thus independent of its stratum and of its selection
    ticket. **Version 1**: ``ids`` are cut in the order given (the selection order).

    Args:
        ids: the selected ids, all strata merged in selection order (the order matters for
            version 1 only).
        seed: the draw's seed (or public text for :meth:`Seed.from_text`).
        stream: the draw's stream label (not the derived batch-order label).
        batches: number of batches, at least 1.
        version: the draw version whose rule applies (see :data:`DRAW_VERSIONS`).
        fingerprints: the ids' fingerprints when already known (a register caches them),
            aligned with ``ids``; computed from the ids otherwise.

    Raises:
        ValidationError: an unknown version, or ``batches`` not an int >= 1.

    Examples:
        >>> ids = ["T1", "T2", "T3", "T4", "T5"]
        >>> batch_order(ids, seed="dice: 3 6 1 2 5 5 4 1", stream="2024/task-1", batches=2,
        ...             version=1)
        (('T1', 'T2', 'T3'), ('T4', 'T5'))
        >>> b = batch_order(ids, seed="dice: 3 6 1 2 5 5 4 1", stream="2024/task-1",
        ...                 batches=2)
        >>> [len(x) for x in b], sorted(b[0] + b[1]) == ids
        ([3, 2], True)
    """
    id_list: list[str] = ids.tolist() if isinstance(ids, np.ndarray) else list(ids)
    if fingerprints is not None and np.shape(fingerprints) != (len(id_list),):
        raise ValidationError(
            [Problem(field="fingerprints", message="need one fingerprint per id")]
        )
    order, _ = batch_layout(
        id_list,
        seed=as_seed(seed),
        stream=stream,
        batches=batches,
        version=version,
        fingerprints=fingerprints,
    )
    return cut_batches([id_list[k] for k in order.tolist()], batches)
