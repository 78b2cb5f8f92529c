"""Receipts: what a draw publishes so that anyone can recompute it.

Invariants (architecture principle 4; plan §三(二) "一公开"; ``docs/spec/receipts.md``):

* A receipt is plain JSON data: its format and kind (version 2 on), the draw algorithm and
  its version, the ticket algorithm and its version, the seed (64 hex digits) and the
  public text it came from, the stream label, the register's content digest and size, the
  policy, the frequency-limit record, and per stratum the population ``N``, the sample
  size ``n``, the selected ids in ticket order with their tickets (16 hex digits) and
  inclusion probabilities; the batches when there are several.
* ``receipt_digest`` is the SHA-256 of the canonical JSON of everything else. Version 2
  uses RFC 8785 (JCS); version 1 receipts keep the form they were written in
  (:data:`VERSIONS`), so they verify forever.
* A burden-spread draw (:mod:`.coordination`) adds the key ``burden``: the method and its
  version, the history's digest and period labels, and per stratum the floor and the
  tiers. Receipts of draws without burden spreading have no such key.
* A receipt is deeply immutable: its nested values are frozen copies, and
  :meth:`Receipt.to_dict` returns a fresh, editable copy.
* A receipt built from a draw keeps each stratum's selected ids, tickets and
  probabilities as numpy arrays (:func:`randsupervise._core.frozen.deferred`): reading
  one gives the same frozen list as ever, made on first reading; the digest and the JSON
  are written from the arrays, byte for byte the text of the lists. Such a receipt
  equals (and hashes as) the same receipt parsed from its JSON.
* :meth:`Receipt.from_json` parses strictly (:mod:`randsupervise._core.strict_json`):
  duplicate keys, non-finite numbers, wrong types, unknown or missing fields are a
  :class:`~randsupervise.errors.ValidationError` naming the JSON path.
* Nothing in a receipt depends on the register's row order.
* ``Receipt.from_json(r.to_json()) == r``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.canonical import Form, digest, json_text, string_list
from randsupervise._core.envelope import RECEIPT_FORMAT
from randsupervise._core.frozen import FrozenList, freeze, frozen_array, frozen_leaves, thaw
from randsupervise._core.strict_json import (
    ANY,
    ListOf,
    MapOf,
    Nullable,
    Obj,
    OneOf,
    as_document,
    check_shape,
    parse,
)
from randsupervise.draw.allocation import StratumAllocation
from randsupervise.errors import Problem, ValidationError
from randsupervise.tickets.function import TICKET_RECORD, TICKET_RECORD_SHAPE
from randsupervise.tickets.seed import Seed

__all__ = [
    "DRAW_ALGORITHM",
    "DRAW_VERSION",
    "OPTIONAL_RECEIPT_KEYS",
    "RECEIPT_FORMAT",
    "RECEIPT_KEYS",
    "VERSIONS",
    "Receipt",
    "as_receipt",
    "receipt_from_parts",
    "stratum_record",
]

#: Name and version of the draw algorithm written in receipts.
DRAW_ALGORITHM = "randsupervise-draw"
DRAW_VERSION = 2
#: Every draw receipt version this release verifies, with its canonical JSON form.
#: Version 1 cut batches in selection order; version 2 orders them by their own stream.
VERSIONS: Mapping[int, Form] = {1: "v1", 2: "jcs"}

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
#: Keys a receipt holds only when they apply: ``format`` and ``kind`` (version 2 on)
#: first, ``burden`` after ``frequency_limit``.
OPTIONAL_RECEIPT_KEYS: tuple[str, ...] = ("format", "kind", "burden")
_ORDER = ("format", "kind", *RECEIPT_KEYS[:10], "burden", *RECEIPT_KEYS[10:])


_NUM = float
_STRATUM = Obj(
    required={
        "population": int,
        "sample_size": int,
        "requested": int,
        "ratio": Nullable(_NUM),
        "count": Nullable(int),
        "clipped": bool,
        "note": str,
        "inclusion_probability": Nullable(_NUM),
        "expected_size": _NUM,
        "selected": ListOf(str),
        "tickets": ListOf(str),
        "probabilities": ListOf(_NUM),
    }
)
_ITEM = Obj(
    required={"id": str},
    optional={"kind": str, "ratio_cap": Nullable(_NUM), "yearly_frequency_limit": int},
)
_POLICY = Obj(
    required={
        "stratify": Nullable(str),
        "method": str,
        "ratios": MapOf(_NUM),
        "counts": MapOf(int),
        "default_ratio": Nullable(_NUM),
        "rounding": str,
        "min_per_stratum": int,
        "item": Nullable(_ITEM),
        "where": MapOf(ListOf(str)),
        "batches": int,
    },
    optional={"floor": OneOf(_NUM, MapOf(_NUM)), "frequency_items": ListOf(_ITEM)},
)
_FREQUENCY_COMMON = {
    "history_digest": Nullable(str),
    "history_entries": int,
    "excluded": ListOf(str),
}
_FREQUENCY = OneOf(
    Obj(required={"items": MapOf(int), **_FREQUENCY_COMMON}),
    Obj(required={"item": Nullable(str), "limit": Nullable(int), **_FREQUENCY_COMMON}),
)
_TIER = Obj(
    required={"last_inspected": ListOf(Nullable(str)), "population": int, "sample_size": int}
)
_BURDEN = Obj(
    required={
        "method": str,
        "version": int,
        "history": Obj(required={"digest": str, "periods": ListOf(str)}),
        "strata": MapOf(
            Obj(
                required={"population": int, "sample_size": int, "tiers": ListOf(_TIER)},
                optional={"floor": Nullable(_NUM)},
            )
        ),
    }
)
#: The shape of a draw receipt (what :meth:`Receipt.from_dict` accepts).
SHAPE = Obj(
    required={
        "algorithm": str,
        "version": int,
        "ticket": TICKET_RECORD_SHAPE,
        "seed": str,
        "seed_source": str,
        "stream": str,
        "registry_digest": str,
        "registry_size": int,
        "policy": _POLICY,
        "frequency_limit": Nullable(_FREQUENCY),
        "strata": MapOf(_STRATUM),
        "batches": Nullable(ListOf(ListOf(str))),
        "receipt_digest": str,
    },
    optional={"format": str, "kind": str, "burden": _BURDEN},
)
del ANY


def _int(v: Any) -> Any:
    """JSON numbers written as integers (``2.0``) read back as ints."""
    return int(v) if isinstance(v, float) and v.is_integer() else v


@attrs.frozen(kw_only=True)
class Receipt:
    """The published record of one draw (deeply immutable).

    ``strata`` maps a stratum label to a mapping with the keys ``population``,
    ``sample_size``, ``requested``, ``ratio``, ``count``, ``clipped``, ``note``,
    ``inclusion_probability`` (``n/N``, or ``None`` for unequal-probability methods),
    ``expected_size``, ``selected`` (ids in ticket order), ``tickets`` (16 hex digits each)
    and ``probabilities`` (each selected unit's inclusion probability).
    ``frequency_limit`` is ``None`` or a mapping with ``item``, ``limit``,
    ``history_digest``, ``history_entries`` and ``excluded`` (ids left out because they
    reached the limit). ``batches`` is ``None`` for one batch, else the ids per batch.
    ``burden`` is ``None`` (and absent from the JSON) unless the draw spread the burden
    over a history: then a mapping with ``method``, ``version``, ``history``
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
        >>> edited = r.to_dict()
        >>> edited["strata"]["A"]["selected"] = ["x3"]    # a copy: the receipt is unchanged
        >>> r.strata["A"]["selected"] == ["x3"]
        False
    """

    algorithm: str
    version: int
    ticket: Mapping[str, Any] = attrs.field(converter=freeze)
    seed: str
    seed_source: str
    stream: str
    registry_digest: str
    registry_size: int
    policy: Mapping[str, Any] = attrs.field(converter=freeze)
    frequency_limit: Mapping[str, Any] | None = attrs.field(converter=freeze)
    strata: Mapping[str, Mapping[str, Any]] = attrs.field(converter=freeze)
    batches: Sequence[Sequence[str]] | None = attrs.field(converter=freeze)
    receipt_digest: str
    burden: Mapping[str, Any] | None = attrs.field(default=None, converter=freeze)
    format: str | None = None
    kind: str | None = None

    def __repr__(self) -> str:
        strata = ", ".join(
            f"{k}={s.get('sample_size')}/{s.get('population')}"
            for k, s in list(self.strata.items())[:8]
        )
        more = f", … {len(self.strata) - 8} more" if len(self.strata) > 8 else ""
        return (
            f"<Receipt {self.kind or 'draw'} {self.algorithm} v{self.version} stream "
            f"{self.stream!r}: {strata}{more} of {self.registry_size} units, seed "
            f"{self.seed[:16]}…, digest {self.receipt_digest[:16]}…>"
        )

    @property
    def form(self) -> Form:
        """The canonical JSON form of this receipt's version (``"jcs"`` from version 2)."""
        return VERSIONS.get(self.version, "jcs")

    def to_dict(self) -> dict[str, Any]:
        """The receipt as a fresh, editable JSON-able dict, keys in the written order
        (optional keys only when set)."""
        return {
            k: thaw(getattr(self, k))
            for k in _ORDER
            if k not in OPTIONAL_RECEIPT_KEYS or getattr(self, k) is not None
        }

    def _members(self) -> dict[str, Any]:
        # the frozen values themselves: reading them needs no copy (they cannot change)
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
        """SHA-256 of the canonical JSON of :meth:`body`, in this version's form."""
        d = self._members()
        del d["receipt_digest"]
        return digest(d, self.form)

    def to_json(self, *, indent: int | None = 2) -> str:
        """JSON text (UTF-8 characters kept)."""
        return json_text(self._members(), indent=indent)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Receipt:
        """Rebuild a receipt from :meth:`to_dict`'s output (copied, then frozen).

        Raises:
            ValidationError: every missing key, unknown key and wrong type, each named by
                its JSON path.
        """
        check_shape(data, SHAPE, what="draw receipt")
        return cls(**{k: _int(data[k]) if k in ("version", "registry_size") else data[k]
                      for k in _ORDER if k in data})  # fmt: skip

    @classmethod
    def from_json(cls, text: str | bytes) -> Receipt:
        """Parse JSON text strictly (see the module notes)."""
        return cls.from_dict(parse(text, what="draw receipt"))


def _hex(t: int) -> str:
    return f"{t:016x}"


def _hex_all(tickets: Sequence[int] | npt.NDArray[np.uint64]) -> FrozenList:
    """16 lower-case hex digits per ticket; an array is written in one pass (the hex of its
    big-endian bytes, cut every 16 digits), not a format call per ticket."""
    if not isinstance(tickets, np.ndarray):
        return frozen_leaves([_hex(int(t)) for t in tickets], str)
    raw = np.ascontiguousarray(tickets, dtype=">u8").tobytes().hex().encode("ascii")
    return string_list(np.frombuffer(raw, dtype="S16"), plain=True)


def _strings(values: Sequence[str] | npt.NDArray[Any]) -> FrozenList:
    if isinstance(values, np.ndarray) and values.dtype.kind == "U":
        return string_list(values)
    if isinstance(values, np.ndarray):
        values = values.tolist()
    if set(map(type, values)) <= {str}:
        return frozen_leaves(list(values), str)
    return frozen_leaves([str(i) for i in values], str)


def _floats(values: Sequence[float] | npt.NDArray[Any]) -> FrozenList:
    if isinstance(values, np.ndarray):
        return frozen_array(np.asarray(values, dtype=np.float64))
    return frozen_leaves([float(p) for p in values], float)


def stratum_record(
    *,
    allocation: StratumAllocation,
    note: str,
    inclusion_probability: float | None,
    expected_size: float,
    selected: Sequence[str] | npt.NDArray[Any],
    tickets: Sequence[int] | npt.NDArray[np.uint64],
    probabilities: Sequence[float] | npt.NDArray[Any],
) -> dict[str, Any]:
    """One stratum's entry of :attr:`Receipt.strata` (see :class:`Receipt` for the keys).

    ``selected`` are the drawn ids in ticket order, ``tickets`` their 64-bit tickets and
    ``probabilities`` their inclusion probabilities (sequences or numpy arrays; arrays
    are converted in bulk).

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
        "selected": _strings(selected),
        "tickets": _hex_all(tickets),
        "probabilities": _floats(probabilities),
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
    version: int = DRAW_VERSION,
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
        policy: the policy record (:meth:`~randsupervise.draw.policy.DrawPolicy.to_record`).
        strata: per stratum its :func:`stratum_record`, written sorted by label.
        batches: ids per batch, or ``None`` for a single batch.
        frequency_limit: the frequency-limit record, or ``None``.
        burden: the burden-spreading record, or ``None``.
        version: the receipt version (:data:`VERSIONS`); earlier ones only to verify
            receipts written by earlier releases.

    Examples:
        >>> r = receipt_from_parts(seed=Seed.from_text("x"), stream="s", registry_digest="0" * 64,
        ...                        registry_size=0, policy={}, strata={}, batches=None)
        >>> r.receipt_digest == r.computed_digest(), "burden" in r.to_dict()
        (True, False)
    """
    if version not in VERSIONS:
        raise ValidationError([Problem(field="version", message=f"unknown version {version!r}")])
    body: dict[str, Any] = {
        "format": RECEIPT_FORMAT if version >= 2 else None,
        "kind": "draw" if version >= 2 else None,
        "algorithm": DRAW_ALGORITHM,
        "version": version,
        "ticket": dict(TICKET_RECORD),
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


def as_receipt(receipt: Receipt | Mapping[str, Any] | str | bytes) -> Receipt:
    """A :class:`Receipt` from a receipt, its dict form or its JSON text (parsed strictly).

    Raises:
        ValidationError: malformed, naming each bad JSON path.
    """
    return as_document(receipt, Receipt, field="receipt", noun="a receipt")
