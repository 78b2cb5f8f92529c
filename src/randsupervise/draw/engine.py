"""The draw: targets chosen by tickets, stratum by stratum, with a receipt.

Invariants (plan §三(二), §三(五); DESIGN principles 3, 4 and 7):

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
  selection is listed in ticket order, which is also the **batch order** for key items
  (seed, §三(二): "随机确定抽查批次顺序"): the draw's units, merged across strata in ticket
  order, are cut into ``batches`` consecutive groups whose sizes differ by at most one.
* Every unit's inclusion probability is reported: ``n/N`` exactly for the equal-probability
  method, ``p_i`` exactly for Poisson, and the target ``λ_i`` for Pareto / sequential
  Poisson (their achieved probabilities approximate ``λ_i``; see :mod:`.selection`).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise.draw.allocation import ROUNDING_RULES, ItemRule, StratumAllocation, allocate
from randsupervise.draw.receipt import DRAW_ALGORITHM, DRAW_VERSION, Receipt, receipt_of
from randsupervise.draw.seed import Seed
from randsupervise.draw.selection import (
    METHODS,
    pips_probabilities,
    select_order_sampling,
    select_poisson,
    select_smallest,
    ticket_order,
)
from randsupervise.draw.tickets import tickets as _tickets
from randsupervise.errors import Problem, UnknownIdError, ValidationError
from randsupervise.model._digest import sha256_hex
from randsupervise.model.targets import CATEGORICAL_COLUMNS, TargetRegistry

__all__ = [
    "ALL_STRATUM",
    "DRAW_ALGORITHM",
    "DRAW_VERSION",
    "Draw",
    "DrawPolicy",
    "HistoryEntry",
    "StratumDraw",
    "draw",
    "run_policy",
]

#: The label of the single stratum of an unstratified draw.
ALL_STRATUM = "ALL"
_FILTER_COLUMNS = (*CATEGORICAL_COLUMNS, "risk_class")
IntArray = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]
F64Array = npt.NDArray[np.float64]
#: ``(unit id, item id, times inspected for that item this year)``.
HistoryEntry = tuple[str, str, int]


def _ratio_map(v: Mapping[str, float] | None) -> dict[str, float]:
    return {str(k): float(x) for k, x in sorted((v or {}).items())}


def _count_map(v: Mapping[str, int] | None) -> dict[str, int]:
    return {str(k): x for k, x in sorted((v or {}).items())}


def _value(v: object) -> str:
    if isinstance(v, enum.IntEnum):  # RiskClass: its letter
        return v.name
    if isinstance(v, enum.Enum):
        return str(v.value)
    return str(v)


def _where_map(v: Mapping[str, object] | None) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for col, want in sorted((v or {}).items()):
        values: Collection[object] = (
            want if isinstance(want, Collection) and not isinstance(want, str) else [want]
        )
        out[str(col)] = tuple(sorted({_value(x) for x in values}))
    return out


def _item_rule(v: object) -> ItemRule | None:
    return None if v is None else ItemRule.from_item(v)


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
        batches: Number of batches the selection is cut into, in ticket order.

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

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
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
        if problems:
            raise ValidationError(problems, what="draw policy")

    def to_record(self) -> dict[str, Any]:
        """The policy as plain JSON-able data (as written in receipts)."""
        return {
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
    is ``n / N`` for the equal-probability method and ``None`` otherwise.
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

    @property
    def sample_size(self) -> int:
        """Number of units drawn in this stratum."""
        return int(self.positions.size)

    @property
    def ids(self) -> tuple[str, ...]:
        """Ids of the units drawn, in ticket order."""
        return tuple(self.register_ids[self.positions].tolist())


def _ro(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a.setflags(write=False)
    return a


@attrs.frozen(kw_only=True, eq=False)
class Draw:
    """The result of :func:`draw`: the selection, its probabilities, batches and receipt.

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
    _cache: dict[str, Any] = attrs.field(factory=dict, init=False, repr=False)

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

    @property
    def batches(self) -> tuple[tuple[str, ...], ...]:
        """The selection cut into ``policy.batches`` consecutive groups in ticket order."""
        ids = self.ids
        k = self.policy.batches
        base, extra = divmod(len(ids), k)
        out = []
        start = 0
        for b in range(k):
            size = base + (1 if b < extra else 0)
            out.append(ids[start : start + size])
            start += size
        return tuple(out)

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


def _history_exclusions(
    registry: TargetRegistry, item: ItemRule | None, history: Iterable[HistoryEntry] | None
) -> tuple[tuple[str, ...], str | None, int]:
    if history is None:
        return (), None, 0
    if item is None:
        raise ValidationError(
            [Problem(field="history", message="a frequency history needs the item it counts")]
        )
    counts: dict[str, int] = {}
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
        if item_id == item.id:
            counts[unit] = counts.get(unit, 0) + n
    if problems:
        raise ValidationError(problems, what="frequency history")
    entries = sorted([u, item.id, c] for u, c in counts.items())
    digest = sha256_hex({"format": "randsupervise.history", "version": 1, "entries": entries})
    reached = [u for u, c in counts.items() if c >= item.yearly_frequency_limit]
    present = _present(registry, reached)
    return tuple(sorted(present, key=lambda s: s.encode("utf-8"))), digest, len(entries)


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
) -> Draw:
    """Draw under a built :class:`DrawPolicy`, with the excluded ids already known.

    This is what :func:`draw` and :func:`~randsupervise.draw.verify.verify` both call.
    """
    if not isinstance(registry, TargetRegistry):
        raise ValidationError([Problem(field="registry", message="expected a TargetRegistry")])
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
    strata: dict[str, StratumDraw] = {}
    for label, pos, fp in sorted(zip(labels, positions, fps, strict=True)):
        a = alloc[label]
        t = _tickets(fp, seed, stream)

        def ids_for(loc: IntArray, pos: IntArray = pos) -> list[str]:
            out: list[str] = ids[pos[loc]].tolist()
            return out

        note = a.note
        lam: F64Array | None = None
        pi: float | None = None
        if policy.method == "smallest":
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
        )
    return Draw(
        registry=registry,
        seed=seed,
        stream=stream,
        policy=policy,
        strata=strata,
        excluded=excluded_t,
        history_digest=history_digest,
        history_entries=history_entries,
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
        batches: Number of batches, cut in ticket order.
        history: ``(unit id, item id, count this year)`` entries; units whose count for
            ``item`` reached its ``yearly_frequency_limit`` are not drawn.
        policy: A ready :class:`DrawPolicy` instead of the separate policy arguments.

    Raises:
        ValidationError: a bad policy, unknown strata, a general item's cap exceeded
            (naming the item), a bad history.

    Examples:
        >>> reg = TargetRegistry.from_columns(id=["a", "b", "c", "d"], risk_class="AABB")
        >>> d = draw(reg, seed="public text", stream="s", ratios={"A": 0.5, "B": 1.0})
        >>> {k: s.sample_size for k, s in d.strata.items()}
        {'A': 1, 'B': 2, 'C': 0, 'D': 0}
    """
    if policy is None:
        policy = DrawPolicy(
            stratify=stratify,
            method=method,
            ratios=ratios or {},
            counts=counts or {},
            default_ratio=default_ratio,
            rounding=rounding,
            min_per_stratum=min_per_stratum,
            item=item,
            where=where or {},
            batches=batches,
        )
    elif any(x is not None for x in (ratios, counts, default_ratio, item, where)) or (
        stratify,
        method,
        rounding,
        min_per_stratum,
        batches,
    ) != ("risk_class", "smallest", "ceil", 0, 1):
        raise ValidationError(
            [Problem(field="policy", message="give either policy= or the policy arguments")]
        )
    if isinstance(seed, str):
        seed = Seed.from_text(seed)
    if not isinstance(seed, Seed):
        raise ValidationError([Problem(field="seed", message="expected a Seed or a str")])
    excluded, digest, n_entries = _history_exclusions(registry, policy.item, history)
    return run_policy(
        registry,
        seed=seed,
        stream=stream,
        policy=policy,
        excluded=excluded,
        history_digest=digest,
        history_entries=n_entries,
    )
