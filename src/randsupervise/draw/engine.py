"""The draw: targets chosen by tickets, stratum by stratum, with a receipt.

Invariants (plan §三(二), §三(五); architecture principles 3, 4 and 7):

* A draw is a pure function of (register content, seed, stream label, policy, frequency
  history). Shuffling the register's rows changes nothing: not the selection, not its
  order, not the receipt.
* Tickets are computed once per draw, stratum by stratum, from fingerprints cached with
  the register; strata are found through codes cached with the register; no Python loop
  runs over units (only over the few units a tie leaves in doubt).
* **Targeted draws** (定向抽查) first keep the units matching the filter; **frequency
  limits** (MIIT: same item, same target at most once a year in principle) then drop the
  units whose count for the item this year already reached the item's
  ``yearly_frequency_limit``. Both are recorded in the receipt.
* Each stratum's units are selected by the policy's method (:mod:`.selection`); the
  selection is listed in ticket order.
* **Batch order** for key items (plan §三(二): "随机确定抽查批次顺序") is its own random
  decision with its own stream (architecture principle 9; :func:`batch_order`). Draw version 2:
  every selected unit, all strata merged, gets the ticket of the stream
  ``stream + "/batch-order"``; the units sorted by ``(batch ticket, UTF-8 id)`` are cut
  into ``batches`` consecutive groups whose sizes differ by at most one, the larger first.
  Version 1 cut the selection order itself, so the strata of the smallest sampling
  fractions (the lowest risk classes) filled the first batch under every seed; it is kept
  only so that version-1 draws still recompute.
* **Burden spreading** (plan §三(五), 无事不扰 / 利剑高悬; :mod:`.coordination`): with a
  :class:`~randsupervise.draw.coordination.BurdenHistory` (``burden=``) and a ``floor``,
  each stratum of the ``smallest`` method is drawn by history tiers
  (:func:`~randsupervise.draw.coordination.coordinated_select`): exact size, every unit at
  least the floor, exact per-unit probabilities. The receipt records the history's digest
  and the tiers; the floor is part of the policy.
* Every unit's inclusion probability is reported: ``n/N`` exactly for the equal-probability
  method, the tier's ``n_j/s_j`` exactly under burden spreading, ``p_i`` exactly for
  Poisson, and the target ``λ_i`` for Pareto / sequential Poisson (their achieved
  probabilities approximate ``λ_i``; see :mod:`.selection`).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, TypeGuard

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.canonical import sha256_hex
from randsupervise._core.display import html_summary, short
from randsupervise._core.frozen import readonly as _ro
from randsupervise._core.validation import check_label
from randsupervise.draw.allocation import (
    ALL_STRATUM,
    ROUNDING_RULES,
    ItemRule,
    StratumAllocation,
    allocate,
)
from randsupervise.draw.coordination import (
    BURDEN_METHOD,
    BURDEN_METHOD_VERSION,
    NEVER,
    BurdenHistory,
    BurdenTier,
    coordinated_select,
)
from randsupervise.draw.receipt import (
    DRAW_ALGORITHM,
    DRAW_VERSION,
    VERSIONS,
    Receipt,
    receipt_from_parts,
    stratum_record,
)
from randsupervise.draw.selection import (
    METHODS,
    pips_probabilities,
    select_order_sampling,
    select_poisson,
    select_smallest,
    ticket_order,
)
from randsupervise.errors import Problem, UnknownIdError, ValidationError
from randsupervise.model.targets import CATEGORICAL_COLUMNS, TargetRegistry
from randsupervise.tickets.function import tickets as _tickets
from randsupervise.tickets.function import tickets_for_ids
from randsupervise.tickets.seed import Seed, as_seed

__all__ = [
    "ALL_STRATUM",
    "DRAW_ALGORITHM",
    "DRAW_VERSION",
    "DRAW_VERSIONS",
    "Draw",
    "DrawPolicy",
    "HistoryEntry",
    "StratumDraw",
    "batch_order",
    "batch_stream",
    "cut_batches",
    "draw",
    "frequency_exclusions",
    "frequency_reached",
    "frequency_record",
    "run_policy",
]

_FILTER_COLUMNS = (*CATEGORICAL_COLUMNS, "risk_class")
IntArray = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]
F64Array = npt.NDArray[np.float64]
#: ``(unit id, item id, times inspected for that item this year)``.
HistoryEntry = tuple[str, str, int]


def _mapping(v: object, name: str) -> Mapping[Any, Any]:
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise ValidationError(
            [Problem(field=name, message=f"expected a mapping (stratum -> value), "
                     f"not {type(v).__name__}")],
            what="draw policy",
        )  # fmt: skip
    return v


def _label(k: object) -> str:
    return k.name if isinstance(k, enum.Enum) else str(k)


def _ratio_map(v: Mapping[str, float] | None) -> dict[str, float]:
    m = _mapping(v, "ratios")
    bad = [Problem(field="ratios", id=_label(k), message=f"a ratio is a number, not {x!r}")
           for k, x in m.items() if not _number(x)]  # fmt: skip
    if bad:
        raise ValidationError(bad, what="draw policy")
    return {_label(k): float(x) for k, x in sorted(m.items(), key=lambda kv: _label(kv[0]))}


def _count_map(v: Mapping[str, int] | None) -> dict[str, int]:
    m = _mapping(v, "counts")
    bad = [Problem(field="counts", id=_label(k), message=f"a count is an int >= 0, not {x!r}")
           for k, x in m.items()
           if isinstance(x, bool) or not isinstance(x, int | np.integer) or x < 0]  # fmt: skip
    if bad:
        raise ValidationError(bad, what="draw policy")
    return {_label(k): int(x) for k, x in sorted(m.items(), key=lambda kv: _label(kv[0]))}


def _value(v: object) -> str:
    if isinstance(v, enum.IntEnum):  # RiskClass: its letter
        return v.name
    if isinstance(v, enum.Enum):
        return str(v.value)
    return str(v)


def _where_map(v: Mapping[str, object] | None) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for col, want in sorted(_mapping(v, "where").items()):
        values: Collection[object] = (
            want if isinstance(want, Collection) and not isinstance(want, str) else [want]
        )
        out[str(col)] = tuple(sorted({_value(x) for x in values}))
    return out


def _item_rule(v: object) -> ItemRule | None:
    if v is None:
        return None
    try:
        return ItemRule.from_item(v)
    except (AttributeError, TypeError, ValueError):
        raise ValidationError(
            [Problem(field="item", message="expected an InspectionItem or ItemRule, not "
                     f"{type(v).__name__}")],
            what="draw policy",
        ) from None  # fmt: skip


def _item_rules(v: object) -> tuple[ItemRule, ...]:
    if v is None:
        return ()
    if isinstance(v, ItemRule | Mapping) or not isinstance(v, Iterable):
        raise ValidationError(
            [Problem(field="frequency_items", message="expected a sequence of items")]
        )
    rules = tuple(r for r in (_item_rule(x) for x in v) if r is not None)
    if len({r.id for r in rules}) != len(rules):
        raise ValidationError([Problem(field="frequency_items", message="an item is repeated")])
    return tuple(sorted(rules, key=lambda r: r.id.encode("utf-8")))


def _floor(v: object) -> object:
    if isinstance(v, Mapping):
        return {str(k): float(x) if _number(x) else x for k, x in sorted(v.items())}
    return float(v) if _number(v) else v


def _number(x: object) -> TypeGuard[float]:
    return isinstance(x, int | float | np.floating) and not isinstance(x, bool)


def _floor_problems(floor: object) -> list[Problem]:
    values = floor.items() if isinstance(floor, Mapping) else [(None, floor)]
    return [
        Problem(
            field="floor",
            id=k,
            message=f"floor must be a number in [0, 1] (or a mapping of them), got {x!r}",
        )
        for k, x in values
        if not (_number(x) and math.isfinite(float(x)) and 0 <= float(x) <= 1)
    ]


#: Draw versions this release computes (the receipt versions, :data:`.receipt.VERSIONS`).
#: Version 2 draws the batch order from its own stream; version 1 cut the selection order
#: into batches (kept so version-1 draws recompute).
DRAW_VERSIONS: tuple[int, ...] = tuple(VERSIONS)
#: The version new draws get.
_LATEST_VERSION = DRAW_VERSION
#: Appended to a draw's stream label to give the stream of its batch order (version 2).
_BATCH_ORDER_SUFFIX = "/batch-order"


def _check_version(version: object) -> int:
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


def _batch_layout(
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
    version = _check_version(version)
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
    version: int = _LATEST_VERSION,
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
    order, _ = _batch_layout(
        id_list,
        seed=as_seed(seed),
        stream=stream,
        batches=batches,
        version=version,
        fingerprints=fingerprints,
    )
    return cut_batches([id_list[k] for k in order.tolist()], batches)


@attrs.frozen(kw_only=True)
class DrawPolicy:
    """Everything that decides a draw besides the register, the seed and the stream.

    Attributes:
        stratify: Column whose categories are the strata (``"risk_class"``, ``"kind"``,
            ``"region"``, ``"industry"``, ``"status"``), or ``None`` for one stratum
            ``"ALL"``.
        method: ``"smallest"`` (equal probability, fixed size), ``"poisson"``,
            ``"pareto"`` or ``"sequential_poisson"`` (unequal probabilities by ``weight``).
        ratios: Stratum -> fraction of its population.
        counts: Stratum -> number of units.
        default_ratio: Ratio of strata named in neither (``None``: they draw nothing).
        rounding: ``"ceil"`` (default: "at least r"), ``"floor"`` or ``"half_up"``.
        min_per_stratum: Every non-empty stratum draws at least this many.
        item: The item drawn for (its cap and yearly frequency limit apply).
        where: Targeted-draw filter, column -> accepted values.
        batches: Number of batches the selection is cut into (:func:`batch_order`).
        floor: Burden spreading (method ``"smallest"`` only, with a history given to
            :func:`draw` as ``burden=``): every unit's least inclusion probability, one
            value or one per stratum (strata left out are drawn without coordination).
            ``None``: no burden spreading. Written into the policy record only when set.

    Examples:
        >>> p = DrawPolicy(ratios={"A": 0.03, "D": 1.0}, batches=2)
        >>> DrawPolicy.from_record(p.to_record()) == p
        True
    """

    stratify: str | None = "risk_class"
    method: str = "smallest"
    ratios: Mapping[str, float] = attrs.field(factory=dict, converter=_ratio_map)
    counts: Mapping[str, int] = attrs.field(factory=dict, converter=_count_map)
    default_ratio: float | None = None
    rounding: str = "ceil"
    min_per_stratum: int = 0
    item: ItemRule | None = attrs.field(default=None, converter=_item_rule)
    where: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, converter=_where_map)
    batches: int = 1
    floor: float | Mapping[str, float] | None = attrs.field(default=None, converter=_floor)
    frequency_items: tuple[ItemRule, ...] = attrs.field(default=(), converter=_item_rules)

    @property
    def limited_items(self) -> tuple[ItemRule, ...]:
        """The items whose yearly frequency limits apply: ``frequency_items``, or else the
        policy's ``item`` (MIIT: same item, same target, at most once a year)."""
        if self.frequency_items:
            return self.frequency_items
        return () if self.item is None else (self.item,)

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = [
            Problem(field=name, message=f"must be a str, not {type(value).__name__}")
            for name, value in (("stratify", self.stratify), ("method", self.method),
                                ("rounding", self.rounding))
            if not isinstance(value, str) and not (name == "stratify" and value is None)
        ]  # fmt: skip
        if problems:
            raise ValidationError(problems, what="draw policy")
        if self.stratify is not None and self.stratify not in _FILTER_COLUMNS:
            problems.append(
                Problem(
                    field="stratify",
                    message=f"cannot stratify by {self.stratify!r}; one of "
                    f"{sorted(_FILTER_COLUMNS)} or None",
                )
            )
        if self.method not in METHODS:
            problems.append(
                Problem(field="method", message=f"unknown method {self.method!r}; one of {METHODS}")
            )
        if self.rounding not in ROUNDING_RULES:
            problems.append(
                Problem(field="rounding", message=f"unknown rounding {self.rounding!r}")
            )
        bad = sorted(set(self.where) - set(_FILTER_COLUMNS))
        if bad:
            problems.append(
                Problem(field="where", message=f"cannot filter by {bad}; one of {_FILTER_COLUMNS}")
            )
        if isinstance(self.batches, bool) or not isinstance(self.batches, int) or self.batches < 1:
            problems.append(Problem(field="batches", message="must be an int >= 1"))
        if self.floor is not None:
            problems += _floor_problems(self.floor)
            if self.method != "smallest":
                problems.append(
                    Problem(
                        field="floor",
                        message="burden spreading (floor) works with the 'smallest' method "
                        f"only, not {self.method!r}",
                    )
                )
        if problems:
            raise ValidationError(problems, what="draw policy")

    def floor_of(self, stratum: str) -> float | None:
        """The floor of one stratum (``None``: drawn without coordination)."""
        if isinstance(self.floor, Mapping):
            return self.floor.get(stratum)
        return self.floor

    def to_record(self) -> dict[str, Any]:
        """The policy as plain JSON-able data (as written in receipts).

        ``floor`` appears only when set, so receipts of draws without burden spreading are
        what they were before burden spreading joined the policy.
        """
        record: dict[str, Any] = {
            "stratify": self.stratify,
            "method": self.method,
            "ratios": dict(self.ratios),
            "counts": dict(self.counts),
            "default_ratio": self.default_ratio,
            "rounding": self.rounding,
            "min_per_stratum": self.min_per_stratum,
            "item": None if self.item is None else self.item.to_record(),
            "where": {k: list(v) for k, v in self.where.items()},
            "batches": self.batches,
        }
        if self.floor is not None:
            record["floor"] = dict(self.floor) if isinstance(self.floor, Mapping) else self.floor
        if self.frequency_items:
            record["frequency_items"] = [r.to_record() for r in self.frequency_items]
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> DrawPolicy:
        """Rebuild a policy from :meth:`to_record`'s output."""
        try:
            item = record.get("item")
            return cls(
                stratify=record["stratify"],
                method=record["method"],
                ratios=record.get("ratios") or {},
                counts=record.get("counts") or {},
                default_ratio=record.get("default_ratio"),
                rounding=record.get("rounding", "ceil"),
                min_per_stratum=record.get("min_per_stratum", 0),
                item=None if item is None else ItemRule(**item),
                where=record.get("where") or {},
                batches=record.get("batches", 1),
                floor=record.get("floor"),
                frequency_items=[ItemRule(**r) for r in record.get("frequency_items", ())],
            )
        except (KeyError, TypeError, AttributeError) as e:
            raise ValidationError(
                [Problem(field="policy", message=f"malformed policy record: {e}")]
            ) from None


@attrs.frozen(kw_only=True, eq=False)
class StratumDraw:
    """One stratum's part of a draw.

    ``positions`` are register rows and ``tickets`` their tickets, both in ticket order;
    ``probabilities`` the selected units' inclusion probabilities. ``inclusion_probability``
    is ``n / N`` for the equal-probability method (a burden-spread stratum of one tier
    included) and ``None`` otherwise. Under burden spreading, ``floor`` is the stratum's
    floor and ``tiers`` its history tiers (``None`` without burden spreading).
    """

    label: str
    allocation: StratumAllocation
    population: int
    positions: IntArray
    tickets: U64Array
    probabilities: F64Array
    inclusion_probability: float | None
    expected_size: float
    note: str
    population_positions: IntArray = attrs.field(repr=False)
    population_probabilities: F64Array | None = attrs.field(repr=False)
    register_ids: npt.NDArray[np.str_] = attrs.field(repr=False)
    floor: float | None = None
    tiers: tuple[BurdenTier, ...] | None = None

    @property
    def sample_size(self) -> int:
        """Number of units drawn in this stratum."""
        return int(self.positions.size)

    def __repr__(self) -> str:
        pi = "" if self.inclusion_probability is None else f", π={self.inclusion_probability:.4g}"
        note = f", note={self.note!r}" if self.note else ""
        return (
            f"<StratumDraw {self.label!r}: {self.sample_size} of {self.population}{pi}, "
            f"ids {short(self.ids)}{note}>"
        )

    @property
    def ids(self) -> tuple[str, ...]:
        """Ids of the units drawn, in ticket order."""
        return tuple(self.register_ids[self.positions].tolist())


@attrs.frozen(kw_only=True, eq=False)
class Draw:
    """The result of :func:`draw`: the selection, its probabilities, batches and receipt.

    ``version`` is the draw version whose rules made it (:data:`DRAW_VERSIONS`; new draws
    are version 2): it decides the batch order (:func:`batch_order`) and is written into
    the receipt, so a verifier recomputes an older draw under its own rules.

    Examples:
        >>> reg = TargetRegistry.from_columns(id=[f"T{i:03}" for i in range(100)],
        ...                                   risk_class=["A", "B", "C", "D"] * 25)
        >>> d = draw(reg, seed="dice 3 1 4 1 5 9", stream="2024/batch-1",
        ...          ratios={"A": 0.1, "B": 0.2, "C": 0.4, "D": 1.0}, batches=3)
        >>> [(s.label, s.population, s.sample_size) for s in d.strata.values()]
        [('A', 25, 3), ('B', 25, 5), ('C', 25, 10), ('D', 25, 25)]
        >>> len(d.ids), [len(b) for b in d.batches]
        (43, [15, 14, 14])
        >>> d.strata["A"].inclusion_probability
        0.12
        >>> d.receipt.strata["A"]["selected"] == list(d.strata["A"].ids)
        True
    """

    registry: TargetRegistry
    seed: Seed
    stream: str
    policy: DrawPolicy
    strata: Mapping[str, StratumDraw]
    excluded: tuple[str, ...] = ()
    history_digest: str | None = None
    history_entries: int = 0
    burden: BurdenHistory | None = attrs.field(default=None, repr=False)
    version: int = attrs.field(default=_LATEST_VERSION)
    _cache: dict[str, Any] = attrs.field(factory=dict, init=False, repr=False)

    @version.validator
    def _valid_version(self, _attribute: object, value: object) -> None:
        _check_version(value)

    def __repr__(self) -> str:
        strata = ", ".join(
            f"{k}={s.sample_size}/{s.population}" for k, s in list(self.strata.items())[:8]
        )
        more = f", … {len(self.strata) - 8} more strata" if len(self.strata) > 8 else ""
        excluded = f", {len(self.excluded)} excluded" if self.excluded else ""
        return (
            f"<Draw {self.stream!r} v{self.version}: {len(self.positions)} of "
            f"{len(self.registry)} units ({strata}{more}) in {self.policy.batches} "
            f"batch(es), method {self.policy.method}{excluded}, {self.seed!r}>"
        )

    def _repr_html_(self) -> str:
        pos = self.positions[:5]
        ids = self.registry.ids[pos].tolist()
        pi = self.inclusion_probabilities
        return html_summary(
            f"Draw {self.stream}",
            {
                "selected": len(self.positions),
                "register": len(self.registry),
                **{k: f"{s.sample_size}/{s.population}" for k, s in self.strata.items()},
                "batches": self.policy.batches,
            },
            {
                "order": list(range(1, len(ids) + 1)),
                "id": ids,
                "batch": self.batch_of[: len(ids)].tolist(),
                "inclusion_probability": pi[pos].tolist(),
            },
            total=len(self.positions),
        )

    def _merged(self) -> tuple[IntArray, U64Array]:
        if "merged" not in self._cache:
            parts = [s.positions for s in self.strata.values()]
            tks = [s.tickets for s in self.strata.values()]
            pos = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
            tk = np.concatenate(tks) if tks else np.zeros(0, dtype=np.uint64)
            ids = self.registry.ids
            order = ticket_order(np.arange(pos.size), tk, lambda loc: ids[pos[loc]].tolist())
            self._cache["merged"] = (_ro(pos[order]), _ro(tk[order]))
        out: tuple[IntArray, U64Array] = self._cache["merged"]
        return out

    @property
    def positions(self) -> IntArray:
        """Register rows of every selected unit, all strata merged in ticket order."""
        return self._merged()[0]

    @property
    def tickets(self) -> U64Array:
        """Tickets of :attr:`positions`."""
        return self._merged()[1]

    @property
    def ids(self) -> tuple[str, ...]:
        """Ids of every selected unit in ticket order (the inspection order)."""
        return tuple(self.registry.ids[self.positions].tolist())

    def _layout(self) -> tuple[IntArray, IntArray]:
        if "batch_layout" not in self._cache:
            pos = self.positions
            order, batch_of = _batch_layout(
                self.ids,
                seed=self.seed,
                stream=self.stream,
                batches=self.policy.batches,
                version=self.version,
                fingerprints=self.registry.fingerprints[pos],
            )
            self._cache["batch_layout"] = (_ro(order), _ro(batch_of))
        out: tuple[IntArray, IntArray] = self._cache["batch_layout"]
        return out

    @property
    def batches(self) -> tuple[tuple[str, ...], ...]:
        """The selection cut into ``policy.batches`` batches by the rule of the draw's
        :attr:`version` (:func:`batch_order`); each batch lists its ids in batch order."""
        ids = self.ids
        return cut_batches([ids[k] for k in self._layout()[0].tolist()], self.policy.batches)

    @property
    def batch_of(self) -> IntArray:
        """Each selected unit's batch (0-based), parallel to :attr:`positions` and
        :attr:`ids`: the index of the batch of :attr:`batches` that holds it."""
        return self._layout()[1]

    def selected_ids(self) -> frozenset[str]:
        """Every selected id, as a set (e.g. for :meth:`BurdenHistory.append`)."""
        return frozenset(self.ids)

    def burden_record(self) -> dict[str, Any] | None:
        """The receipt's ``burden`` record, or ``None`` without burden spreading.

        Per stratum: the floor, the population, the sample size and the tiers in priority
        order, each with the period labels it covers (``None`` for never inspected), its
        population and sample size (their ratio is the exact inclusion probability).
        """
        h = self.burden
        if h is None:
            return None

        def label(p: int) -> str | None:
            return None if p == NEVER else h.labels[p]

        return {
            "method": BURDEN_METHOD,
            "version": BURDEN_METHOD_VERSION,
            "history": {"digest": h.digest(), "periods": list(h.labels)},
            "strata": {
                name: {
                    "floor": s.floor,
                    "population": s.population,
                    "sample_size": s.sample_size,
                    "tiers": [
                        {
                            "last_inspected": [label(p) for p in t.periods],
                            "population": t.population,
                            "sample_size": t.sample_size,
                        }
                        for t in s.tiers or ()
                    ],
                }
                for name, s in self.strata.items()
            },
        }

    @property
    def inclusion_probabilities(self) -> F64Array:
        """Every register row's inclusion probability (0 for rows not eligible)."""
        if "pi" not in self._cache:
            pi = np.zeros(len(self.registry), dtype=np.float64)
            for s in self.strata.values():
                if s.population_probabilities is not None:
                    pi[s.population_positions] = s.population_probabilities
                elif s.inclusion_probability is not None:
                    pi[s.population_positions] = s.inclusion_probability
            self._cache["pi"] = _ro(pi)
        out: F64Array = self._cache["pi"]
        return out

    @property
    def receipt(self) -> Receipt:
        """The :class:`~randsupervise.draw.receipt.Receipt` of this draw (built once)."""
        if "receipt" not in self._cache:
            self._cache["receipt"] = receipt_of(self)
        out: Receipt = self._cache["receipt"]
        return out


#: The policy arguments of :func:`draw` with their defaults there.
_POLICY_ARGUMENTS: dict[str, object] = {
    "stratify": "risk_class",
    "method": "smallest",
    "ratios": None,
    "counts": None,
    "default_ratio": None,
    "rounding": "ceil",
    "min_per_stratum": 0,
    "item": None,
    "where": None,
    "batches": 1,
    "floor": None,
}


def _policy_from_arguments(policy: DrawPolicy | None, **arguments: Any) -> DrawPolicy:
    """``policy``, or the :class:`DrawPolicy` of the separate policy arguments (those of
    :func:`draw`, or a subset of them as ``draw_dask`` takes); both at once is an error
    naming the arguments that would be ignored."""
    if policy is None:
        return DrawPolicy(**arguments)
    given = sorted(
        k
        for k, v in arguments.items()
        if v is not _POLICY_ARGUMENTS[k] and v != _POLICY_ARGUMENTS[k]
    )
    if given:
        raise ValidationError(
            [
                Problem(
                    field="policy",
                    message=f"give either policy= or the policy arguments, not both: {given}",
                )
            ]
        )
    return policy


def frequency_exclusions(
    registry: TargetRegistry,
    items: Sequence[ItemRule],
    history: Iterable[HistoryEntry] | None,
) -> tuple[tuple[str, ...], str | None, int]:
    """The frequency rule, written once: the ids a draw must leave out.

    A unit is left out when, for one of ``items``, its count in ``history`` reached that
    item's ``yearly_frequency_limit`` (MIIT rules: same item, same target, in principle at
    most once a year). Every draw path (:func:`draw`, the plan, verification) calls this.

    Returns:
        ``(excluded ids in UTF-8 byte order, history digest, number of digested entries)``;
        ``((), None, 0)`` without a history. The digest covers the entries of ``items``
        only, summed per (unit, item) and sorted (``docs/spec/digests.md``).

    Raises:
        ValidationError: a history without items, or bad entries (every one named by row).

    Examples:
        >>> from randsupervise.model.targets import TargetRegistry
        >>> reg = TargetRegistry.from_columns(id=["a", "b", "c"], risk_class="AAA")
        >>> k01 = ItemRule(id="K01", yearly_frequency_limit=1)
        >>> frequency_exclusions(reg, [k01], [("a", "K01", 1), ("b", "G02", 3)])[0]
        ('a',)
    """
    reached, digest, n_entries = frequency_reached(items, history)
    present = _present(registry, reached)
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
        if item_id in limit_of:
            counts[unit, item_id] = counts.get((unit, item_id), 0) + n
    if problems:
        raise ValidationError(problems, what="frequency history")
    entries = sorted([u, i, c] for (u, i), c in counts.items())
    digest = sha256_hex({"format": "randsupervise.history", "version": 1, "entries": entries})
    reached = sorted({u for (u, i), c in counts.items() if c >= limit_of[i]})
    return reached, digest, len(entries)


def _present(registry: TargetRegistry, ids: list[str]) -> list[str]:
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


def run_policy(
    registry: TargetRegistry,
    *,
    seed: Seed,
    stream: str,
    policy: DrawPolicy,
    excluded: Collection[str] = (),
    history_digest: str | None = None,
    history_entries: int = 0,
    burden: BurdenHistory | None = None,
    version: int = _LATEST_VERSION,
) -> Draw:
    """Draw under a built :class:`DrawPolicy`, with the excluded ids already known.

    This is what :func:`draw` and :func:`~randsupervise.draw.verify.verify` both call.
    ``burden`` is the inspection history of burden spreading (with ``policy.floor``).
    ``version`` is the draw version to compute (:data:`DRAW_VERSIONS`): the latest for a
    new draw, the receipt's own for a verifier recomputing an older one.
    """
    version = _check_version(version)
    if not isinstance(registry, TargetRegistry):
        raise ValidationError([Problem(field="registry", message="expected a TargetRegistry")])
    check_label(stream, "stream", what="draw")
    if not isinstance(seed, Seed):
        raise ValidationError([Problem(field="seed", message="expected a Seed")], what="draw")
    if burden is not None and not isinstance(burden, BurdenHistory):
        raise ValidationError([Problem(field="burden", message="expected a BurdenHistory")])
    if burden is None and policy.floor is not None:
        raise ValidationError(
            [
                Problem(
                    field="floor",
                    message="a floor needs the inspection history it spreads the burden "
                    "over: pass burden=BurdenHistory(...) (BurdenHistory.empty() for none)",
                )
            ]
        )
    if burden is not None and policy.method != "smallest":
        raise ValidationError(
            [
                Problem(
                    field="burden",
                    message="burden spreading works with the 'smallest' method only, "
                    f"not {policy.method!r}",
                )
            ]
        )
    ids = registry.ids
    # eligibility: targeted-draw filter, then frequency limits
    eligible: npt.NDArray[np.bool_] | None = None
    if policy.where:
        try:
            eligible = registry.mask(**{k: list(v) for k, v in policy.where.items()})
        except TypeError as e:  # pragma: no cover - columns are validated by DrawPolicy
            raise ValidationError([Problem(field="where", message=str(e))]) from None
    excluded_t = tuple(sorted(set(excluded), key=lambda s: s.encode("utf-8")))
    if excluded_t:
        if eligible is None:
            eligible = np.ones(len(registry), dtype=bool)
        eligible[registry.index_of(excluded_t)] = False

    if policy.stratify is None:
        labels: tuple[str, ...] = (ALL_STRATUM,)
        all_pos = np.arange(len(registry), dtype=np.int64)
        groups: tuple[tuple[IntArray, ...], tuple[U64Array, ...]] = (
            (all_pos,),
            (registry.fingerprints,),
        )
    else:
        labels = registry.categories(policy.stratify)
        groups = registry.strata_index(policy.stratify)
    positions = list(groups[0])
    fps = list(groups[1])
    if eligible is not None:
        for k, pos in enumerate(positions):
            keep = eligible[pos]
            positions[k] = pos[keep]
            fps[k] = fps[k][keep]

    alloc = allocate(
        {label: int(p.size) for label, p in zip(labels, positions, strict=True)},
        ratios=policy.ratios,
        counts=policy.counts,
        default_ratio=policy.default_ratio,
        rounding=policy.rounding,
        min_per_stratum=policy.min_per_stratum,
        item=policy.item,
    )
    # each unit's last inspected period, matched once for the whole register
    last = None if burden is None else burden.last_inspected(ids, registry.fingerprints)
    strata: dict[str, StratumDraw] = {}
    problems: list[Problem] = []
    for label, pos, fp in sorted(zip(labels, positions, fps, strict=True)):
        a = alloc[label]
        t = _tickets(fp, seed, stream)

        def ids_for(loc: IntArray, pos: IntArray = pos) -> list[str]:
            out: list[str] = ids[pos[loc]].tolist()
            return out

        note = a.note
        lam: F64Array | None = None
        pi: float | None = None
        floor: float | None = None
        tiers: tuple[BurdenTier, ...] | None = None
        if last is not None:
            floor = policy.floor_of(label)
            try:
                coord = coordinated_select(t, ids[pos], last[pos], a.sample_size, floor=floor)
            except ValidationError as e:
                problems += [attrs.evolve(p, id=label) for p in e.problems]
                continue
            sel, tiers, lam = coord.positions, coord.tiers, coord.inclusion_probabilities
            if len(tiers) <= 1:  # one tier: the plain draw, n/N for everybody
                pi = a.sample_size / a.population if a.population else 0.0
            probs = lam[sel]
            expected = float(a.sample_size)
        elif policy.method == "smallest":
            sel = select_smallest(t, a.sample_size, ids_for)
            pi = a.sample_size / a.population if a.population else 0.0
            probs = np.full(sel.size, pi, dtype=np.float64)
            expected = float(a.sample_size)
        else:
            lam, n_eff = pips_probabilities(registry.weights[pos], a.sample_size)
            if n_eff < a.sample_size:
                extra = f"only {n_eff} units of positive weight: sample size {n_eff}"
                note = f"{note}; {extra}" if note else extra
            if policy.method == "poisson":
                sel = select_poisson(t, lam, ids_for)
            else:
                sel = select_order_sampling(t, lam, n_eff, ids_for, method=policy.method)
            probs = lam[sel]
            expected = float(n_eff)
        strata[label] = StratumDraw(
            label=label,
            allocation=a,
            population=a.population,
            positions=_ro(pos[sel]),
            tickets=_ro(t[sel]),
            probabilities=_ro(probs),
            inclusion_probability=pi,
            expected_size=expected,
            note=note,
            population_positions=pos,
            population_probabilities=lam,
            register_ids=ids,
            floor=floor,
            tiers=tiers,
        )
    if problems:
        raise ValidationError(problems, what="burden-spread draw")
    return Draw(
        registry=registry,
        seed=seed,
        stream=stream,
        policy=policy,
        strata=strata,
        excluded=excluded_t,
        history_digest=history_digest,
        history_entries=history_entries,
        burden=burden,
        version=version,
    )


def draw(
    registry: TargetRegistry,
    *,
    seed: Seed | str,
    stream: str,
    ratios: Mapping[str, float] | None = None,
    counts: Mapping[str, int] | None = None,
    default_ratio: float | None = None,
    stratify: str | None = "risk_class",
    method: str = "smallest",
    rounding: str = "ceil",
    min_per_stratum: int = 0,
    item: object | None = None,
    where: Mapping[str, object] | None = None,
    batches: int = 1,
    history: Iterable[HistoryEntry] | None = None,
    burden: BurdenHistory | Sequence[Collection[str]] | Mapping[str, Collection[str]] | None = None,
    floor: float | Mapping[str, float] | None = None,
    policy: DrawPolicy | None = None,
) -> Draw:
    """Draw inspection targets from ``registry``; see the module notes and ``docs/draw.md``.

    Args:
        registry: The register of targets (its content is digested into the receipt).
        seed: A :class:`Seed`, or public text turned into one by :meth:`Seed.from_text`.
        stream: The stream label of this task or batch (e.g. ``"2024/G01/batch-1"``); one
            seed serves many draws, each under its own label.
        ratios: Stratum -> fraction of its population (see :class:`DrawPolicy`).
        counts: Stratum -> number of units.
        default_ratio: Ratio of the strata named in neither mapping.
        stratify: Column whose categories are the strata, or ``None`` for ``"ALL"``.
        method: ``"smallest"``, ``"poisson"``, ``"pareto"`` or ``"sequential_poisson"``.
        rounding: ``"ceil"`` (default), ``"floor"`` or ``"half_up"``.
        min_per_stratum: Every non-empty stratum draws at least this many.
        item: An :class:`~randsupervise.model.items.InspectionItem` (or
            :class:`~randsupervise.draw.allocation.ItemRule`): its cap and frequency limit.
        where: Targeted-draw filter, column -> value or values.
        batches: Number of batches (:func:`batch_order`: their order comes from the
            draw's own batch-order stream).
        history: ``(unit id, item id, count this year)`` entries; units whose count for
            ``item`` reached its ``yearly_frequency_limit`` are not drawn.
        burden: Burden spreading across periods: the earlier periods' inspections, oldest
            first (a :class:`~randsupervise.draw.coordination.BurdenHistory`, or what
            :meth:`~randsupervise.draw.coordination.BurdenHistory.from_periods` takes).
            Distinct from ``history``, which counts this year's inspections per item.
        floor: With ``burden``: every unit's least inclusion probability, one value or one
            per stratum (see ``docs/burden.md``).
        policy: A ready :class:`DrawPolicy` instead of the separate policy arguments.

    Raises:
        ValidationError: a bad policy (or ``policy=`` together with policy arguments,
            naming them), unknown strata, a general item's cap exceeded (naming the item),
            a bad history, a floor above a stratum's sampling fraction (naming the stratum).

    Examples:
        >>> reg = TargetRegistry.from_columns(id=["a", "b", "c", "d"], risk_class="AABB")
        >>> d = draw(reg, seed="public text", stream="s", ratios={"A": 0.5, "B": 1.0})
        >>> {k: s.sample_size for k, s in d.strata.items()}
        {'A': 1, 'B': 2, 'C': 0, 'D': 0}

        Burden spreading with floor 0 (a rotation): ``b``, inspected last period, waits.

        >>> e = draw(reg, seed="public text", stream="s", counts={"A": 1},
        ...          burden={"2024": ["b"]}, floor={"A": 0.0})
        >>> [(t.population, t.sample_size) for t in e.strata["A"].tiers]
        [(1, 1), (1, 0)]
        >>> e.receipt.burden["history"]["periods"], e.receipt.policy["floor"]
        (['2024'], {'A': 0.0})
    """
    policy = _policy_from_arguments(
        policy,
        stratify=stratify,
        method=method,
        ratios=ratios,
        counts=counts,
        default_ratio=default_ratio,
        rounding=rounding,
        min_per_stratum=min_per_stratum,
        item=item,
        where=where,
        batches=batches,
        floor=floor,
    )
    seed = as_seed(seed)
    excluded, digest, n_entries = frequency_exclusions(registry, policy.limited_items, history)
    if burden is not None and not isinstance(burden, BurdenHistory):
        burden = BurdenHistory.from_periods(burden)
    return run_policy(
        registry,
        seed=seed,
        stream=stream,
        policy=policy,
        excluded=excluded,
        history_digest=digest,
        history_entries=n_entries,
        burden=burden,
    )


def frequency_record(
    policy: DrawPolicy,
    *,
    excluded: Sequence[str],
    history_digest: str | None,
    history_entries: int,
    version: int = _LATEST_VERSION,
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


def receipt_of(d: Draw) -> Receipt:
    """Build the receipt of a draw (called by :attr:`Draw.receipt`)."""
    strata = {
        label: stratum_record(
            allocation=s.allocation,
            note=s.note,
            inclusion_probability=s.inclusion_probability,
            expected_size=s.expected_size,
            selected=s.ids,
            tickets=s.tickets,
            probabilities=s.probabilities,
        )
        for label, s in d.strata.items()
    }
    version = d.version
    freq = frequency_record(
        d.policy,
        excluded=d.excluded,
        history_digest=d.history_digest,
        history_entries=d.history_entries,
        version=version,
    )
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
        version=version,
    )
