"""Frequency limits: the units a draw leaves out because they were inspected enough.

Invariants (MIIT rules: same item, same target, in principle at most once a year):

* The rule is written once, here: a unit is left out when, for one of the limited items,
  its count this year reached the item's ``yearly_frequency_limit``. Every draw path (the
  in-memory draw, the Dask draw, the plan, verification) calls :func:`frequency_reached`
  or :func:`frequency_exclusions`.
* The history's digest covers the entries of the limited items only, summed per
  (unit, item) and sorted (``docs/spec/digests.md``); the receipt records it with the
  number of digested entries (:func:`frequency_record`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from randsupervise._core.canonical import sha256_hex
from randsupervise.draw.allocation import ItemRule
from randsupervise.draw.policy import DrawPolicy
from randsupervise.draw.receipt import DRAW_VERSION
from randsupervise.errors import Problem, UnknownIdError, ValidationError
from randsupervise.model.targets import TargetRegistry

__all__ = [
    "HistoryEntry",
    "frequency_exclusions",
    "frequency_reached",
    "frequency_record",
]

#: ``(unit id, item id, times inspected for that item this year)``.
HistoryEntry = tuple[str, str, int]


def summed_entries(history: Iterable[HistoryEntry]) -> dict[tuple[str, str], int]:
    """Each ``(unit, item)``'s count, summed over the entries; every bad entry is named
    by its row.

    Examples:
        >>> summed_entries([("a", "K01", 1), ("a", "K01", 2)])
        {('a', 'K01'): 3}
    """
    counts: dict[tuple[str, str], int] = {}
    problems: list[Problem] = []
    for row, entry in enumerate(history):
        try:
            unit, item_id, n = entry
        except (TypeError, ValueError):
            problems.append(Problem(row=row, field="history", message=f"bad entry {entry!r}"))
            continue
        if not isinstance(unit, str) or not isinstance(item_id, str):
            problems.append(Problem(row=row, field="history", message="ids must be str"))
            continue
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            problems.append(
                Problem(row=row, id=unit, field="history", message="count must be int >= 0")
            )
            continue
        counts[unit, item_id] = counts.get((unit, item_id), 0) + n
    if problems:
        raise ValidationError(problems, what="frequency history")
    return counts


def present_ids(registry: TargetRegistry, ids: list[str]) -> list[str]:
    """The ids of ``ids`` that the register holds."""
    todo = list(ids)
    while todo:
        try:
            registry.index_of(todo)
        except UnknownIdError as e:
            gone = set(e.ids)
            todo = [u for u in todo if u not in gone]
            continue
        break
    return todo


def frequency_exclusions(
    registry: TargetRegistry,
    items: Sequence[ItemRule],
    history: Iterable[HistoryEntry] | None,
) -> tuple[tuple[str, ...], str | None, int]:
    """The frequency rule, written once: the ids a draw must leave out.

    A unit is left out when, for one of ``items``, its count in ``history`` reached that
    item's ``yearly_frequency_limit`` (MIIT rules: same item, same target, in principle at
    most once a year). Every draw path (the draw, the plan, verification) calls this.

    Returns:
        ``(excluded ids in UTF-8 byte order, history digest, number of digested entries)``;
        ``((), None, 0)`` without a history. The digest covers the entries of ``items``
        only, summed per (unit, item) and sorted (``docs/spec/digests.md``).

    Raises:
        ValidationError: a history without items, or bad entries (every one named by row).

    Examples:
        >>> reg = TargetRegistry.from_columns(id=["a", "b", "c"], risk_class="AAA")
        >>> k01 = ItemRule(id="K01", yearly_frequency_limit=1)
        >>> frequency_exclusions(reg, [k01], [("a", "K01", 1), ("b", "G02", 3)])[0]
        ('a',)
    """
    reached, digest, n_entries = frequency_reached(items, history)
    present = present_ids(registry, reached)
    return tuple(sorted(present, key=lambda s: s.encode("utf-8"))), digest, n_entries


def frequency_reached(
    items: Sequence[ItemRule], history: Iterable[HistoryEntry] | None
) -> tuple[list[str], str | None, int]:
    """The half of :func:`frequency_exclusions` that needs no register: the ids whose
    count reached a limit (sorted), the history digest and the number of digested
    entries. A partitioned draw computes it once and intersects it with each partition.

    Examples:
        >>> frequency_reached([ItemRule(id="K01", yearly_frequency_limit=1)],
        ...                   [("a", "K01", 1), ("z", "K01", 0)])[0]
        ['a']
    """
    if history is None:
        return [], None, 0
    if not items:
        raise ValidationError(
            [Problem(field="history", message="a frequency history needs the item it counts")]
        )
    limit_of = {r.id: r.yearly_frequency_limit for r in items}
    counts = {k: c for k, c in summed_entries(history).items() if k[1] in limit_of}
    entries = sorted([u, i, c] for (u, i), c in counts.items())
    digest = sha256_hex({"format": "randsupervise.history", "version": 1, "entries": entries})
    reached = sorted({u for (u, i), c in counts.items() if c >= limit_of[i]})
    return reached, digest, len(entries)


def frequency_record(
    policy: DrawPolicy,
    *,
    excluded: Sequence[str],
    history_digest: str | None,
    history_entries: int,
    version: int = DRAW_VERSION,
) -> dict[str, Any] | None:
    """The receipt's ``frequency_limit`` record (``None`` without a history or exclusions);
    every draw path (in memory, on Dask) writes it here."""
    if history_digest is None and not excluded:
        return None
    limited = policy.limited_items
    freq: dict[str, Any]
    if version >= 2:
        freq = {"items": {r.id: r.yearly_frequency_limit for r in limited}}
    else:
        item = limited[0] if limited else None
        freq = {
            "item": item.id if item else None,
            "limit": item.yearly_frequency_limit if item else None,
        }
    return freq | {
        "history_digest": history_digest,
        "history_entries": history_entries,
        "excluded": list(excluded),
    }
