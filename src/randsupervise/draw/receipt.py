"""Receipts: what a draw publishes so that anyone can recompute it.

Invariants (DESIGN principle 4; plan §三(二) "一公开"):

* A receipt is plain JSON-able data: the draw algorithm and its version, the ticket
  algorithm and its version, the seed (64 hex digits) and the public text it came from, the
  stream label, the register's content digest and size, the policy, the frequency-limit
  exclusions, and per stratum the population ``N``, the sample size ``n``, the selected ids
  in ticket order with their tickets (16 hex digits) and inclusion probabilities.
* ``receipt_digest`` is the SHA-256 of the canonical JSON of everything else
  (``randsupervise.model._digest``): publishing it next to the receipt pins every field.
* Nothing in a receipt depends on the register's row order.
* ``Receipt.from_json(r.to_json()) == r``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from randsupervise.draw.tickets import TICKET_ALGORITHM, TICKET_VERSION
from randsupervise.errors import Problem, ValidationError
from randsupervise.model._digest import sha256_hex

if TYPE_CHECKING:  # the engine imports this module
    from randsupervise.draw.engine import Draw

__all__ = ["DRAW_ALGORITHM", "DRAW_VERSION", "RECEIPT_KEYS", "Receipt", "receipt_of"]

#: Name and version of the draw algorithm written in receipts.
DRAW_ALGORITHM = "randsupervise-draw"
DRAW_VERSION = 1

#: Top-level keys of a receipt, in the order they are written.
RECEIPT_KEYS: tuple[str, ...] = (
    "algorithm",
    "version",
    "ticket",
    "seed",
    "seed_source",
    "stream",
    "registry_digest",
    "registry_size",
    "policy",
    "frequency_limit",
    "strata",
    "batches",
    "receipt_digest",
)


@attrs.frozen(kw_only=True)
class Receipt:
    """The published record of one draw.

    ``strata`` maps a stratum label to a dict with the keys ``population``,
    ``sample_size``, ``requested``, ``ratio``, ``count``, ``clipped``, ``note``,
    ``inclusion_probability`` (``n/N``, or ``None`` for unequal-probability methods),
    ``expected_size``, ``selected`` (ids in ticket order), ``tickets`` (16 hex digits each)
    and ``probabilities`` (each selected unit's inclusion probability).
    ``frequency_limit`` is ``None`` or a dict with ``item``, ``limit``,
    ``history_digest``, ``history_entries`` and ``excluded`` (ids left out because they
    reached the limit). ``batches`` is ``None`` for one batch, else the ids per batch.

    Examples:
        >>> from randsupervise.draw.engine import draw
        >>> from randsupervise.model.targets import TargetRegistry
        >>> reg = TargetRegistry.from_columns(id=["x1", "x2", "x3"], risk_class="AAB")
        >>> r = draw(reg, seed="demo", stream="s1", ratios={"A": 0.5}).receipt
        >>> r.strata["A"]["population"], r.strata["A"]["sample_size"], r.strata["B"]["selected"]
        (2, 1, [])
        >>> Receipt.from_json(r.to_json()) == r
        True
        >>> r.receipt_digest == r.computed_digest()
        True
    """

    algorithm: str
    version: int
    ticket: Mapping[str, Any]
    seed: str
    seed_source: str
    stream: str
    registry_digest: str
    registry_size: int
    policy: Mapping[str, Any]
    frequency_limit: Mapping[str, Any] | None
    strata: Mapping[str, Mapping[str, Any]]
    batches: list[list[str]] | None
    receipt_digest: str

    def to_dict(self) -> dict[str, Any]:
        """The receipt as a JSON-able dict, keys in :data:`RECEIPT_KEYS` order."""
        return {k: getattr(self, k) for k in RECEIPT_KEYS}

    def body(self) -> dict[str, Any]:
        """Everything but ``receipt_digest`` (what the digest covers)."""
        d = self.to_dict()
        del d["receipt_digest"]
        return d

    def computed_digest(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`body`."""
        return sha256_hex(self.body())

    def to_json(self, *, indent: int | None = 2) -> str:
        """JSON text (UTF-8 characters kept)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, allow_nan=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Receipt:
        """Rebuild a receipt from :meth:`to_dict`'s output; reports every missing key."""
        if not isinstance(data, Mapping):
            raise ValidationError([Problem(message="a receipt is a JSON object")], what="receipt")
        missing = [k for k in RECEIPT_KEYS if k not in data]
        extra = sorted(set(data) - set(RECEIPT_KEYS))
        problems = [Problem(field=k, message="missing key") for k in missing]
        problems += [Problem(field=k, message="unknown key") for k in extra]
        if not problems and not isinstance(data["strata"], Mapping):
            problems.append(Problem(field="strata", message="must be an object"))
        if not problems and not isinstance(data["policy"], Mapping):
            problems.append(Problem(field="policy", message="must be an object"))
        if problems:
            raise ValidationError(problems, what="receipt")
        return cls(**{k: data[k] for k in RECEIPT_KEYS})

    @classmethod
    def from_json(cls, text: str) -> Receipt:
        """Parse JSON text written by :meth:`to_json`."""
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, TypeError) as e:
            raise ValidationError([Problem(message=f"not JSON: {e}")], what="receipt") from None
        return cls.from_dict(data)


def _hex(t: int) -> str:
    return f"{t:016x}"


def receipt_of(d: Draw) -> Receipt:
    """Build the receipt of a draw (called by :attr:`Draw.receipt`)."""
    strata: dict[str, dict[str, Any]] = {}
    for label, s in d.strata.items():
        a = s.allocation
        strata[label] = {
            "population": s.population,
            "sample_size": s.sample_size,
            "requested": a.requested,
            "ratio": a.ratio,
            "count": a.count,
            "clipped": a.clipped,
            "note": s.note,
            "inclusion_probability": s.inclusion_probability,
            "expected_size": s.expected_size,
            "selected": list(s.ids),
            "tickets": [_hex(t) for t in s.tickets.tolist()],
            "probabilities": s.probabilities.tolist(),
        }
    freq: dict[str, Any] | None = None
    item = d.policy.item
    if d.history_digest is not None or d.excluded:
        freq = {
            "item": item.id if item else None,
            "limit": item.yearly_frequency_limit if item else None,
            "history_digest": d.history_digest,
            "history_entries": d.history_entries,
            "excluded": list(d.excluded),
        }
    body: dict[str, Any] = {
        "algorithm": DRAW_ALGORITHM,
        "version": DRAW_VERSION,
        "ticket": {"algorithm": TICKET_ALGORITHM, "version": TICKET_VERSION},
        "seed": d.seed.hex,
        "seed_source": d.seed.source,
        "stream": d.stream,
        "registry_digest": d.registry.digest(),
        "registry_size": len(d.registry),
        "policy": d.policy.to_record(),
        "frequency_limit": freq,
        "strata": strata,
        "batches": [list(b) for b in d.batches] if d.policy.batches > 1 else None,
    }
    return Receipt(**body, receipt_digest=sha256_hex(body))
