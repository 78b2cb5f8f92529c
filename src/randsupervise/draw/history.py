"""What happened to the units in earlier periods: the one history input of a draw.

Invariants (plan §三(五); MIIT rules on inspection frequency):

* Frequency limits and burden spreading both read "what happened to this unit before":
  a :class:`History` holds both parts. ``entries`` is what the frequency limit reads
  (this year's ``(unit, item, count)`` entries, summed per unit and item); ``periods`` is
  what burden spreading reads (earlier periods' inspected units, oldest first, a
  :class:`~randsupervise.draw.coordination.BurdenHistory`). Either part may be absent
  (``None``), which is not the same as present and empty: an absent frequency part writes
  no ``frequency_limit`` record, an absent burden part allows no ``floor``.
* Every draw path (:func:`~randsupervise.draw.engine.draw`, the Dask draw, the plan,
  :func:`~randsupervise.draw.verify.verify`) takes it as ``history=``.
* :meth:`History.digest` is the one identity of the whole input. The draw receipt
  (version 2, frozen) still records each part on its own: the frequency part as
  ``frequency_limit.history_digest`` (over the limited items' entries only) and the burden
  part as ``burden.history.digest`` (``docs/burden.md``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

import attrs

from randsupervise._core.canonical import sha256_hex
from randsupervise.draw.coordination import BurdenHistory
from randsupervise.draw.frequency import HistoryEntry, summed_entries
from randsupervise.errors import Problem, ValidationError

__all__ = ["History"]

#: What :meth:`BurdenHistory.from_periods` takes: label -> ids, or id collections.
PeriodsInput = Sequence[Collection[str]] | Mapping[str, Collection[str]]


def _entries(v: Iterable[HistoryEntry] | None) -> tuple[HistoryEntry, ...] | None:
    if v is None:
        return None
    if isinstance(v, str | Mapping):
        raise ValidationError(
            [Problem(field="history", message="entries are (unit, item, count) triples")]
        )
    return tuple((u, i, c) for (u, i), c in sorted(summed_entries(v).items()))


def _periods(v: BurdenHistory | PeriodsInput | None) -> BurdenHistory | None:
    if v is None or isinstance(v, BurdenHistory):
        return v
    return BurdenHistory.from_periods(v)


@attrs.frozen(kw_only=True)
class History:
    """The units' history a draw reads: frequency entries and earlier periods.

    Attributes:
        entries: This year's ``(unit id, item id, count)`` entries, summed per (unit,
            item) and sorted; units whose count for a limited item reached its
            ``yearly_frequency_limit`` are not drawn. ``None``: no frequency history.
        periods: Earlier periods' inspected units, oldest first (what
            :meth:`BurdenHistory.from_periods` takes, or a ready
            :class:`~randsupervise.draw.coordination.BurdenHistory`): the input of burden
            spreading with the policy's ``floor``. ``None``: no burden spreading.

    Examples:
        >>> h = History(entries=[("a", "K01", 1)], periods={"2024": ["b"]})
        >>> h.entries, h.periods.labels
        ((('a', 'K01', 1),), ('2024',))
        >>> History.from_entries([("a", "K01", 1)]).periods is None
        True
        >>> History.from_periods([["b"]]).digest() == History.from_periods([{"b"}]).digest()
        True
    """

    entries: tuple[HistoryEntry, ...] | None = attrs.field(default=None, converter=_entries)
    periods: BurdenHistory | None = attrs.field(default=None, converter=_periods)

    @classmethod
    def from_entries(cls, entries: Iterable[HistoryEntry]) -> History:
        """The frequency part only: this year's ``(unit, item, count)`` entries."""
        return cls(entries=entries)

    @classmethod
    def from_periods(cls, periods: BurdenHistory | PeriodsInput) -> History:
        """The burden part only: earlier periods' inspected units, oldest first."""
        return cls(periods=periods)

    def digest(self) -> str:
        """SHA-256 hex digest of both parts: the canonical JSON of ``{"format":
        "randsupervise.draw-history", "version": 1, "entries": [[unit, item, count], ...]
        or null, "periods": the BurdenHistory digest or null}``. Receipts record the two
        parts separately (module notes)."""
        record: dict[str, Any] = {
            "format": "randsupervise.draw-history",
            "version": 1,
            "entries": None if self.entries is None else [list(e) for e in self.entries],
            "periods": None if self.periods is None else self.periods.digest(),
        }
        return sha256_hex(record)


def as_history(history: object) -> History:
    """``history`` as a :class:`History` (``None``: an empty one, both parts absent)."""
    if history is None:
        return History()
    if not isinstance(history, History):
        raise ValidationError(
            [
                Problem(
                    field="history",
                    message=f"expected a History, not {type(history).__name__}: "
                    "History.from_entries(...) for this year's frequency entries, "
                    "History.from_periods(...) for earlier periods' inspections",
                )
            ]
        )
    return history
