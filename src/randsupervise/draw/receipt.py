"""Receipts: what a draw publishes so that anyone can recompute it.

Invariants (DESIGN principle 4; plan §三(二) "一公开"):

* A receipt is plain JSON-able data: the draw algorithm and its version, the ticket
  algorithm and its version, the seed (64 hex digits) and the public text it came from, the
  stream label, the register's content digest and size, the policy, the frequency-limit
  exclusions, and per stratum the population ``N``, the sample size ``n``, the selected ids
  in ticket order with their tickets (16 hex digits) and inclusion probabilities.
* ``receipt_digest`` is the SHA-256 of the canonical JSON of everything else
  (``randsupervise.model._digest``): publishing it next to the receipt pins every field.
* A burden-spread draw (:mod:`.coordination`) adds the key ``burden``: the method and its
  version, the history's digest and period labels, and per stratum the floor and the
  tiers. Receipts of draws without burden spreading have no such key (an optional key:
  their text and digest are what they were before the key existed).
* Nothing in a receipt depends on the register's row order.
* ``Receipt.from_json(r.to_json()) == r``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from randsupervise.draw.allocation import StratumAllocation
from randsupervise.draw.seed import Seed
from randsupervise.draw.tickets import TICKET_ALGORITHM, TICKET_VERSION
from randsupervise.errors import Problem, ValidationError
from randsupervise.model._digest import sha256_hex

if TYPE_CHECKING:  # the engine imports this module
    from randsupervise.draw.engine import Draw

__all__ = [
    "DRAW_ALGORITHM",
    "DRAW_VERSION",
    "OPTIONAL_RECEIPT_KEYS",
    "RECEIPT_KEYS",
    "Receipt",
    "receipt_from_parts",
    "receipt_of",
    "stratum_record",
]

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
#: Keys a receipt holds only when they apply, written after ``frequency_limit``.
OPTIONAL_RECEIPT_KEYS: tuple[str, ...] = ("burden",)
_ORDER = (*RECEIPT_KEYS[:10], *OPTIONAL_RECEIPT_KEYS, *RECEIPT_KEYS[10:])


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
    ``burden`` is ``None`` (and absent from the JSON) unless the draw spread the burden
    over a history: then a dict with ``method``, ``version``, ``history``
    (``digest`` and ``periods``) and ``strata`` (per stratum ``floor``, ``population``,
    ``sample_size`` and ``tiers``, each tier with ``last_inspected`` period labels,
    ``null`` for never, ``population`` and ``sample_size``).

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
    burden: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The receipt as a JSON-able dict, keys in :data:`RECEIPT_KEYS` order (with
        ``burden`` after ``frequency_limit`` when the draw has one)."""
        return {
            k: getattr(self, k)
            for k in _ORDER
            if k not in OPTIONAL_RECEIPT_KEYS or getattr(self, k) is not None
        }

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
        extra = sorted(set(data) - set(_ORDER))
        problems = [Problem(field=k, message="missing key") for k in missing]
        problems += [Problem(field=k, message="unknown key") for k in extra]
        if not problems and not isinstance(data["strata"], Mapping):
            problems.append(Problem(field="strata", message="must be an object"))
        if not problems and not isinstance(data["policy"], Mapping):
            problems.append(Problem(field="policy", message="must be an object"))
        if not problems and not isinstance(data.get("burden") or {}, Mapping):
            problems.append(Problem(field="burden", message="must be an object"))
        if problems:
            raise ValidationError(problems, what="receipt")
        return cls(**{k: data[k] for k in _ORDER if k in data})

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


def stratum_record(
    *,
    allocation: StratumAllocation,
    note: str,
    inclusion_probability: float | None,
    expected_size: float,
    selected: Sequence[str],
    tickets: Sequence[int],
    probabilities: Sequence[float],
) -> dict[str, Any]:
    """One stratum's entry of :attr:`Receipt.strata` (see :class:`Receipt` for the keys).

    ``selected`` are the drawn ids in ticket order, ``tickets`` their 64-bit tickets and
    ``probabilities`` their inclusion probabilities.

    Examples:
        >>> from randsupervise.draw.allocation import allocate
        >>> a = allocate({"A": 4}, ratios={"A": 0.5})["A"]
        >>> rec = stratum_record(allocation=a, note="", inclusion_probability=0.5,
        ...                      expected_size=2.0, selected=["x", "y"], tickets=[1, 255],
        ...                      probabilities=[0.5, 0.5])
        >>> rec["population"], rec["sample_size"], rec["tickets"]
        (4, 2, ['0000000000000001', '00000000000000ff'])
    """
    return {
        "population": allocation.population,
        "sample_size": len(selected),
        "requested": allocation.requested,
        "ratio": allocation.ratio,
        "count": allocation.count,
        "clipped": allocation.clipped,
        "note": note,
        "inclusion_probability": inclusion_probability,
        "expected_size": expected_size,
        "selected": [str(i) for i in selected],
        "tickets": [_hex(int(t)) for t in tickets],
        "probabilities": [float(p) for p in probabilities],
    }


def receipt_from_parts(
    *,
    seed: Seed,
    stream: str,
    registry_digest: str,
    registry_size: int,
    policy: Mapping[str, Any],
    strata: Mapping[str, Mapping[str, Any]],
    batches: Sequence[Sequence[str]] | None,
    frequency_limit: Mapping[str, Any] | None = None,
    burden: Mapping[str, Any] | None = None,
) -> Receipt:
    """Assemble and seal a receipt from its parts (the algorithm and ticket versions are
    this release's; ``receipt_digest`` is computed).

    Every engine that draws (in memory, or over shards as
    :func:`~randsupervise.draw.dask.draw_dask`) builds its receipt here, so receipts
    cannot drift apart.

    Args:
        seed: the draw's seed (its hex and source text are written).
        stream: the stream label.
        registry_digest: the register's content digest.
        registry_size: rows in the register.
        policy: the policy record (:meth:`~randsupervise.draw.engine.DrawPolicy.to_record`).
        strata: per stratum its :func:`stratum_record`, written sorted by label.
        batches: ids per batch, or ``None`` for a single batch.
        frequency_limit: the frequency-limit record, or ``None``.
        burden: the burden-spreading record, or ``None``.

    Examples:
        >>> r = receipt_from_parts(seed=Seed.from_text("x"), stream="s", registry_digest="0" * 64,
        ...                        registry_size=0, policy={}, strata={}, batches=None)
        >>> r.receipt_digest == r.computed_digest(), "burden" in r.to_dict()
        (True, False)
    """
    body: dict[str, Any] = {
        "algorithm": DRAW_ALGORITHM,
        "version": DRAW_VERSION,
        "ticket": {"algorithm": TICKET_ALGORITHM, "version": TICKET_VERSION},
        "seed": seed.hex,
        "seed_source": seed.source,
        "stream": stream,
        "registry_digest": registry_digest,
        "registry_size": int(registry_size),
        "policy": dict(policy),
        "frequency_limit": None if frequency_limit is None else dict(frequency_limit),
        "strata": {k: dict(v) for k, v in sorted(strata.items())},
        "batches": None if batches is None else [list(b) for b in batches],
        "burden": None if burden is None else dict(burden),
    }
    unsealed = Receipt(**body, receipt_digest="")
    return attrs.evolve(unsealed, receipt_digest=unsealed.computed_digest())


def receipt_of(d: Draw) -> Receipt:
    """Build the receipt of a draw (called by :attr:`Draw.receipt`)."""
    strata = {
        label: stratum_record(
            allocation=s.allocation,
            note=s.note,
            inclusion_probability=s.inclusion_probability,
            expected_size=s.expected_size,
            selected=s.ids,
            tickets=s.tickets.tolist(),
            probabilities=s.probabilities.tolist(),
        )
        for label, s in d.strata.items()
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
    return receipt_from_parts(
        seed=d.seed,
        stream=d.stream,
        registry_digest=d.registry.digest(),
        registry_size=len(d.registry),
        policy=d.policy.to_record(),
        frequency_limit=freq,
        strata=strata,
        batches=d.batches if d.policy.batches > 1 else None,
        burden=d.burden_record(),
    )
