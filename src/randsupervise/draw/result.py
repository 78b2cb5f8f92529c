"""The result of a draw, wherever it runs: :class:`Draw` and its strata.

Invariants (architecture principle 8: one result type for a draw):

* A :class:`Draw` is what the in-memory draw, the Dask draw and the plan's draws return.
  Drawn in memory it holds the register, so every selected unit has a register position
  and every register row an inclusion probability; drawn from a Dask dataframe it holds
  no register (``registry`` is ``None``) but the register's digest and size, and each
  stratum its selected ids and tickets. Its receipt is the same either way.
* The selection is listed in ticket order; the batch order is the rule of the draw's
  version (:mod:`.batches`); the receipt is built once, by :func:`receipt_of`.
* Every unit's inclusion probability is reported: ``n/N`` exactly for the equal-probability
  method, the tier's ``n_j/s_j`` exactly under burden spreading, ``p_i`` exactly for
  Poisson, and the target ``λ_i`` for Pareto / sequential Poisson.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise._core.display import html_summary, short
from randsupervise._core.frozen import readonly
from randsupervise.draw.allocation import StratumAllocation
from randsupervise.draw.batches import batch_layout, check_version, cut_batches
from randsupervise.draw.coordination import (
    BURDEN_METHOD,
    BURDEN_METHOD_VERSION,
    NEVER,
    BurdenHistory,
    BurdenTier,
)
from randsupervise.draw.frequency import frequency_record
from randsupervise.draw.policy import DrawPolicy
from randsupervise.draw.receipt import DRAW_VERSION, Receipt, receipt_from_parts, stratum_record
from randsupervise.draw.selection import ticket_order
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.targets import TargetRegistry
from randsupervise.tickets.seed import Seed

__all__ = ["Draw", "StratumDraw"]

IntArray = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]
F64Array = npt.NDArray[np.float64]


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


def _joined(parts: list[npt.NDArray[Any]], dtype: type[np.generic]) -> npt.NDArray[Any]:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


@attrs.frozen(kw_only=True, eq=False)
class Draw:
    """The result of a draw: the selection, its probabilities, batches and receipt.

    ``version`` is the draw version whose rules made it (:data:`.batches.DRAW_VERSIONS`;
    new draws are version 2): it decides the batch order (:func:`.batches.batch_order`)
    and is written into the receipt, so a verifier recomputes an older draw under its own
    rules.

    ``registry`` is ``None`` for a draw made without the register in memory (the Dask
    draw): ``registry_digest`` and ``registry_size`` then say what it was, each stratum
    holds its selected ids, and :attr:`positions` and :attr:`inclusion_probabilities`
    (facts about register rows) are not available.

    Examples:
        >>> from randsupervise.draw.engine import draw
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

    registry: TargetRegistry | None
    seed: Seed
    stream: str
    policy: DrawPolicy
    strata: Mapping[str, StratumDraw]
    excluded: tuple[str, ...] = ()
    history_digest: str | None = None
    history_entries: int = 0
    burden: BurdenHistory | None = attrs.field(default=None, repr=False)
    version: int = attrs.field(default=DRAW_VERSION)
    registry_digest: str = attrs.field(default="", repr=False)
    registry_size: int = attrs.field(default=0, repr=False)
    _cache: dict[str, Any] = attrs.field(factory=dict, init=False, repr=False)

    @version.validator
    def _valid_version(self, _attribute: object, value: object) -> None:
        check_version(value)

    def __attrs_post_init__(self) -> None:
        if self.registry is not None:  # the register's own size; its digest on demand
            object.__setattr__(self, "registry_size", len(self.registry))
        elif not self.registry_digest:
            raise ValidationError(
                [Problem(field="registry", message="a draw without a register needs its digest")]
            )

    def require_registry(self, what: str) -> TargetRegistry:
        """The register drawn from; a ValidationError naming ``what`` needed it when the
        draw holds none (a Dask draw)."""
        if self.registry is None:
            raise ValidationError(
                [Problem(field="registry", message=f"{what}: this draw holds no register "
                         "(it was drawn partition by partition); use ids and tickets")]
            )  # fmt: skip
        return self.registry

    @property
    def register_digest(self) -> str:
        """The digest of the register drawn from (recorded in the receipt)."""
        if self.registry is None:
            return self.registry_digest
        if "registry_digest" not in self._cache:
            self._cache["registry_digest"] = self.registry.digest()
        out: str = self._cache["registry_digest"]
        return out

    def __repr__(self) -> str:
        strata = ", ".join(
            f"{k}={s.sample_size}/{s.population}" for k, s in list(self.strata.items())[:8]
        )
        more = f", … {len(self.strata) - 8} more strata" if len(self.strata) > 8 else ""
        excluded = f", {len(self.excluded)} excluded" if self.excluded else ""
        return (
            f"<Draw {self.stream!r} v{self.version}: {len(self.ids)} of "
            f"{self.registry_size} units ({strata}{more}) in {self.policy.batches} "
            f"batch(es), method {self.policy.method}{excluded}, {self.seed!r}>"
        )

    def _repr_html_(self) -> str:
        ids = list(self.ids[:5])
        pi = {i: float(p) for s in self.strata.values()
              for i, p in zip(s.ids, s.probabilities.tolist(), strict=True)}  # fmt: skip
        return html_summary(
            f"Draw {self.stream}",
            {
                "selected": len(self.ids),
                "register": self.registry_size,
                **{k: f"{s.sample_size}/{s.population}" for k, s in self.strata.items()},
                "batches": self.policy.batches,
            },
            {
                "order": list(range(1, len(ids) + 1)),
                "id": ids,
                "batch": self.batch_of[: len(ids)].tolist(),
                "inclusion_probability": [pi[i] for i in ids],
            },
            total=len(self.ids),
        )

    def _merged(self) -> tuple[IntArray, U64Array, tuple[str, ...]]:
        """Every stratum's selection merged in ticket order: positions, tickets, ids."""
        if "merged" not in self._cache:
            strata = list(self.strata.values())
            pos = _joined([s.positions for s in strata], np.int64)
            tk = _joined([s.tickets for s in strata], np.uint64)
            ids = _joined([s.register_ids[s.positions] for s in strata], np.str_)
            order = ticket_order(np.arange(tk.size), tk, lambda loc: ids[loc].tolist())
            merged_ids = tuple(ids[order].tolist())
            self._cache["merged"] = (readonly(pos[order]), readonly(tk[order]), merged_ids)
        out: tuple[IntArray, U64Array, tuple[str, ...]] = self._cache["merged"]
        return out

    @property
    def positions(self) -> IntArray:
        """Register rows of every selected unit, all strata merged in ticket order."""
        self.require_registry("positions")
        return self._merged()[0]

    @property
    def tickets(self) -> U64Array:
        """Tickets of :attr:`ids` (of :attr:`positions`)."""
        return self._merged()[1]

    @property
    def ids(self) -> tuple[str, ...]:
        """Ids of every selected unit in ticket order (the inspection order)."""
        return self._merged()[2]

    def _layout(self) -> tuple[IntArray, IntArray]:
        if "batch_layout" not in self._cache:
            reg = self.registry
            order, batch_of = batch_layout(
                self.ids,
                seed=self.seed,
                stream=self.stream,
                batches=self.policy.batches,
                version=self.version,
                fingerprints=None if reg is None else reg.fingerprints[self.positions],
            )
            self._cache["batch_layout"] = (readonly(order), readonly(batch_of))
        out: tuple[IntArray, IntArray] = self._cache["batch_layout"]
        return out

    @property
    def batches(self) -> tuple[tuple[str, ...], ...]:
        """The selection cut into ``policy.batches`` batches by the rule of the draw's
        :attr:`version` (:func:`.batches.batch_order`); each batch lists its ids in batch order."""
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
            pi = np.zeros(len(self.require_registry("inclusion_probabilities")), dtype=np.float64)
            for s in self.strata.values():
                if s.population_probabilities is not None:
                    pi[s.population_positions] = s.population_probabilities
                elif s.inclusion_probability is not None:
                    pi[s.population_positions] = s.inclusion_probability
            self._cache["pi"] = readonly(pi)
        out: F64Array = self._cache["pi"]
        return out

    @property
    def receipt(self) -> Receipt:
        """The :class:`~randsupervise.draw.receipt.Receipt` of this draw (built once)."""
        if "receipt" not in self._cache:
            self._cache["receipt"] = receipt_of(self)
        out: Receipt = self._cache["receipt"]
        return out


def receipt_of(d: Draw) -> Receipt:
    """Build the receipt of a draw (called by :attr:`Draw.receipt`)."""
    strata = {
        label: stratum_record(
            allocation=s.allocation,
            note=s.note,
            inclusion_probability=s.inclusion_probability,
            expected_size=s.expected_size,
            selected=np.take(s.register_ids, s.positions),  # take: 2x indexing's speed
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
        registry_digest=d.register_digest,
        registry_size=d.registry_size,
        policy=d.policy.to_record(),
        frequency_limit=freq,
        strata=strata,
        batches=d.batches if d.policy.batches > 1 else None,
        burden=d.burden_record(),
        version=version,
    )
