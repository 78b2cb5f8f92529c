"""Burden spreading as one call: :func:`coordinated_draw` and the view it returns.

A thin convenience over the one draw function (architecture principle 8): it builds the
burden-spread draw with :func:`randsupervise.draw.engine.draw` (``burden=``, ``floor=``)
and views the result per stratum and tier. The rule itself (tiers, floor, selection)
lives in :mod:`randsupervise.draw.coordination`, which the engine uses.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from randsupervise.draw.coordination import BurdenHistory, BurdenTier
from randsupervise.draw.engine import Draw, draw
from randsupervise.draw.receipt import Receipt
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.targets import TargetRegistry
from randsupervise.tickets.seed import Seed

__all__ = ["CoordinatedDraw", "CoordinatedStratum", "coordinated_draw"]

FloatArray: TypeAlias = npt.NDArray[np.float64]


@attrs.frozen(kw_only=True)
class CoordinatedStratum:
    """One stratum of a coordinated draw.

    Attributes:
        population: eligible units ``N``.
        sample_size: units drawn ``n`` (exact).
        floor: the floor applied, or ``None`` when the stratum was not coordinated.
        tiers: the tiers in priority order, with their exact probabilities.
        selected: the drawn ids in ticket order.
        tickets: their tickets.
    """

    population: int
    sample_size: int
    floor: float | None
    tiers: tuple[BurdenTier, ...]
    selected: tuple[str, ...]
    tickets: tuple[int, ...]


@attrs.frozen(kw_only=True)
class CoordinatedDraw:
    """The result of :func:`coordinated_draw`: a view of the engine's burden-spread draw.

    Attributes:
        seed_hex: the seed's 64 hex digits.
        stream: the ticket stream's label.
        stratum_column: the column the strata come from (``None``: one stratum ``"ALL"``).
        history_labels: the history's period labels, oldest first.
        history_digest: :meth:`BurdenHistory.digest` of the history used.
        strata: per stratum (sorted by name) its :class:`CoordinatedStratum`.
        inclusion_probabilities: each register row's exact inclusion probability, as a
            float, in the register's row order (0 for rows of strata not drawn).
        draw: the engine's :class:`~randsupervise.draw.engine.Draw` (its receipt is
            :attr:`receipt`).
    """

    seed_hex: str
    stream: str
    stratum_column: str | None
    history_labels: tuple[str, ...]
    history_digest: str
    strata: Mapping[str, CoordinatedStratum]
    inclusion_probabilities: FloatArray = attrs.field(eq=False, repr=False)
    draw: Draw = attrs.field(eq=False, repr=False)

    @classmethod
    def from_draw(cls, d: Draw) -> CoordinatedDraw:
        """View a burden-spread :class:`~randsupervise.draw.engine.Draw` as this class."""
        if d.burden is None:
            raise ValidationError([Problem(field="burden", message="not a burden-spread draw")])
        return cls(
            seed_hex=d.seed.hex,
            stream=d.stream,
            stratum_column=d.policy.stratify,
            history_labels=d.burden.labels,
            history_digest=d.burden.digest(),
            strata={
                name: CoordinatedStratum(
                    population=s.population,
                    sample_size=s.sample_size,
                    floor=s.floor,
                    tiers=s.tiers or (),
                    selected=s.ids,
                    tickets=tuple(int(x) for x in s.tickets.tolist()),
                )
                for name, s in d.strata.items()
            },
            inclusion_probabilities=d.inclusion_probabilities,
            draw=d,
        )

    @property
    def receipt(self) -> Receipt:
        """The draw's receipt (the engine's format, with its ``burden`` record)."""
        return self.draw.receipt

    def selected(self) -> dict[str, list[str]]:
        """Selected ids per stratum, in ticket order."""
        return {k: list(v.selected) for k, v in self.strata.items()}

    def selected_ids(self) -> frozenset[str]:
        """Every selected id (for :meth:`BurdenHistory.append`)."""
        return frozenset(i for s in self.strata.values() for i in s.selected)

    def receipt_fragment(self) -> dict[str, Any]:
        """The receipt's ``burden`` record: the method, the history and per stratum tiers.

        Each tier lists the period labels it covers (``null`` for never inspected), its
        population and its sample size, whose ratio is the exact inclusion probability.
        """
        record = self.draw.burden_record()
        assert record is not None  # from_draw refuses a draw without burden spreading
        return record


def coordinated_draw(
    registry: TargetRegistry,
    *,
    seed: Seed | str,
    stream: str,
    history: BurdenHistory | Sequence[Collection[str]] | Mapping[str, Collection[str]],
    floor: float | Mapping[str, float] | None,
    ratios: Mapping[str, float] | None = None,
    counts: Mapping[str, int] | None = None,
    default_ratio: float | None = None,
    rounding: str = "ceil",
    min_per_stratum: int = 0,
    item: object | None = None,
    stratify: str | None = "risk_class",
) -> CoordinatedDraw:
    """Draw every stratum with the burden spread over the history (module notes).

    A convenience over :func:`~randsupervise.draw.engine.draw` with ``burden=history`` and
    ``floor=floor``: one engine, one receipt (:attr:`CoordinatedDraw.receipt`, checked by
    :func:`~randsupervise.draw.verify.verify` with ``burden=``). Sample sizes are allocated
    as by the plain draw and the tickets are the plain draw's, so with an empty history the
    two draws select the same units.

    Args:
        registry: the register; every row is eligible (filter it first for a targeted
            draw).
        seed: the period's seed, or public text turned into one.
        stream: the ticket stream's label (the same one a plain draw would use).
        history: the earlier periods' inspections, oldest first.
        floor: the least inclusion probability of every unit, one value or one per
            stratum; strata missing from a mapping, or ``None``, are drawn without
            coordination (for instance high-risk strata drawn at 100%).
        ratios: stratum -> fraction of its population.
        counts: stratum -> number of units.
        default_ratio: ratio of strata named in neither mapping (``None``: they draw 0).
        rounding: ``"ceil"`` (default: "at least r"), ``"floor"`` or ``"half_up"``.
        min_per_stratum: least sample size of every non-empty stratum.
        item: the item drawn for; a general item's ratio cap applies.
        stratify: the column whose categories are the strata, or ``None`` for one
            stratum ``"ALL"``.

    Returns:
        The selection per stratum, exact inclusion probabilities and the receipt.

    Raises:
        ValidationError: a bad allocation (see :func:`~randsupervise.draw.allocation.allocate`),
            a floor outside ``[0, n/N]`` (naming the stratum), a bad history.

    Examples:
        >>> reg = TargetRegistry.from_columns(id=[f"T{i:02}" for i in range(20)],
        ...                                   risk_class=["A"] * 20)
        >>> first = coordinated_draw(reg, seed="2024", stream="2024", history=[],
        ...                          floor=0.05, ratios={"A": 0.25})
        >>> history = BurdenHistory.from_periods({"2024": first.selected_ids()})
        >>> second = coordinated_draw(reg, seed="2025", stream="2025", history=history,
        ...                           floor=0.05, ratios={"A": 0.25})
        >>> len(second.strata["A"].selected)
        5
        >>> [(t.population, t.sample_size) for t in second.strata["A"].tiers]
        [(15, 4), (5, 1)]
        >>> len(second.selected_ids() & first.selected_ids())
        1
        >>> float(second.inclusion_probabilities.min())
        0.2
    """
    hist = history if isinstance(history, BurdenHistory) else BurdenHistory.from_periods(history)
    d = draw(
        registry,
        seed=seed,
        stream=stream,
        ratios=ratios,
        counts=counts,
        default_ratio=default_ratio,
        rounding=rounding,
        min_per_stratum=min_per_stratum,
        item=item,
        stratify=stratify,
        burden=hist,
        floor=floor,
    )
    return CoordinatedDraw.from_draw(d)
