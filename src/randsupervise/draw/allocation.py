"""Allocation: how many units each stratum draws.

Invariants (plan §三(二) and §三(五); BRIEF "National rules"):

* A stratum's sample size comes from a **ratio** (a fraction of its population ``N``) or a
  **count**, never both. A stratum given neither takes the default ratio, or draws nothing.
* Rounding of ``r × N`` is exact: the ratio is read as the decimal it is written as
  (Python's shortest ``repr`` of the float, e.g. ``0.03``), so ``0.03 × 100`` is exactly 3,
  not 3.0000000000000004. The default rule is **ceil**, because the rules say "at least r"
  (企业公示信息抽查 "不低于3%"); ``floor`` and ``half_up`` are the alternatives.
* A **general item** (一般检查事项) has a ratio cap: asking for a ratio above the cap, or
  ending with more than ``ceil(cap × N)`` units in a stratum (through a count or a
  minimum), is an error that names the item and the stratum. **Key items**
  (重点检查事项) have no cap (plan §三(二)).
* ``min_per_stratum`` raises every non-empty stratum's size to at least that number.
* A size above ``N`` is clipped to ``N`` and the clipping is noted (it ends in the receipt);
  a ratio of 1 is a 100% stratum (e.g. listed abnormal firms, class D in some counties).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import attrs

from randsupervise.errors import Problem, ValidationError

__all__ = [
    "ALL_STRATUM",
    "ROUNDING_RULES",
    "ItemRule",
    "StratumAllocation",
    "allocate",
    "round_size",
]

#: The label of the single stratum of an unstratified draw.
ALL_STRATUM = "ALL"
#: Rounding rules for ``ratio × N``.
ROUNDING_RULES: tuple[str, ...] = ("ceil", "floor", "half_up")
_CAP_RULE = "plan §三(二): general items have a ratio cap, key items none"


def _exact(ratio: float) -> Fraction:
    """The ratio as the decimal it is written as (shortest round-trip repr)."""
    return Fraction(repr(float(ratio)))


def round_size(ratio: float, population: int, rounding: str = "ceil") -> int:
    """``ratio × population`` rounded by ``rounding``, computed exactly.

    Examples:
        >>> round_size(0.03, 100), round_size(0.03, 101), round_size(0.03, 101, "floor")
        (3, 4, 3)
        >>> round_size(0.05, 30, "half_up"), round_size(0.05, 50, "half_up")
        (2, 3)
    """
    x = _exact(ratio) * population
    if rounding == "ceil":
        return math.ceil(x)
    if rounding == "floor":
        return math.floor(x)
    if rounding == "half_up":
        return math.floor(x + Fraction(1, 2))
    raise ValidationError(
        [
            Problem(
                field="rounding", message=f"unknown rounding {rounding!r}; one of {ROUNDING_RULES}"
            )
        ]
    )


@attrs.frozen(kw_only=True)
class ItemRule:
    """What the draw needs to know about an inspection item (a copy, for the receipt).

    Examples:
        >>> ItemRule(id="G01", kind="general", ratio_cap=0.1).to_record()["ratio_cap"]
        0.1
    """

    id: str
    kind: str = "key"
    ratio_cap: float | None = None
    yearly_frequency_limit: int = 1

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        if not isinstance(self.id, str) or not self.id:
            problems.append(Problem(field="id", message="item id must be a non-empty str"))
        if self.kind not in ("key", "general"):
            problems.append(Problem(field="kind", message=f"unknown item kind {self.kind!r}"))
        cap = self.ratio_cap
        if self.kind == "general" and not (
            isinstance(cap, int | float) and not isinstance(cap, bool) and 0 < cap <= 1
        ):
            problems.append(
                Problem(
                    id=self.id,
                    field="ratio_cap",
                    message="a general item needs a ratio cap in (0, 1]",
                    rule=_CAP_RULE,
                )
            )
        lim = self.yearly_frequency_limit
        if isinstance(lim, bool) or not isinstance(lim, int) or lim < 1:
            problems.append(
                Problem(id=self.id, field="yearly_frequency_limit", message="must be an int >= 1")
            )
        if problems:
            raise ValidationError(problems, what="item rule")

    @classmethod
    def from_item(cls, item: Any) -> ItemRule:
        """From an :class:`~randsupervise.model.items.InspectionItem` (or anything alike)."""
        if isinstance(item, ItemRule):
            return item
        kind = getattr(item.kind, "value", item.kind)
        cap = item.ratio_cap
        return cls(
            id=item.id,
            kind=str(kind),
            ratio_cap=None if cap is None else float(cap),
            yearly_frequency_limit=int(getattr(item, "yearly_frequency_limit", 1)),
        )

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "ratio_cap": self.ratio_cap,
            "yearly_frequency_limit": self.yearly_frequency_limit,
        }


@attrs.frozen(kw_only=True)
class StratumAllocation:
    """The sample size of one stratum and how it was reached.

    ``requested`` is the size before clipping to the population; ``clipped`` tells whether
    it was clipped, and ``note`` says why in words (it is copied into the receipt).
    """

    stratum: str
    population: int
    ratio: float | None
    count: int | None
    requested: int
    sample_size: int
    clipped: bool
    note: str = ""


def _is_ratio(v: object) -> bool:
    return (
        isinstance(v, int | float)
        and not isinstance(v, bool)
        and math.isfinite(float(v))
        and 0 <= v <= 1
    )


def allocate(
    populations: Mapping[str, int],
    *,
    ratios: Mapping[str, float] | None = None,
    counts: Mapping[str, int] | None = None,
    default_ratio: float | None = None,
    rounding: str = "ceil",
    min_per_stratum: int = 0,
    item: ItemRule | None = None,
) -> dict[str, StratumAllocation]:
    """Sample sizes per stratum; every problem is reported at once.

    Args:
        populations: Stratum label -> number of eligible units ``N``.
        ratios: Stratum label -> fraction in ``[0, 1]``.
        counts: Stratum label -> number of units ``>= 0``.
        default_ratio: Ratio for strata named in neither mapping (``None``: they draw 0).
        rounding: ``"ceil"`` (default, "at least r"), ``"floor"`` or ``"half_up"``.
        min_per_stratum: Lower bound for every non-empty stratum.
        item: The item drawn for; a general item's cap is enforced.

    Raises:
        ValidationError: unknown strata, a stratum with both a ratio and a count, bad
            values, or a general item's cap exceeded (naming the item and the stratum).

    Examples:
        >>> a = allocate({"A": 1000, "B": 100, "D": 7}, ratios={"A": 0.03, "B": 0.05, "D": 1.0})
        >>> [(s.stratum, s.sample_size) for s in a.values()]
        [('A', 30), ('B', 5), ('D', 7)]
        >>> allocate({"A": 4}, counts={"A": 9})["A"].note
        'requested 9 > population 4: clipped to 4'
        >>> allocate({"A": 100}, ratios={"A": 0.2}, item=ItemRule(id="G1", kind="general",
        ...          ratio_cap=0.1))
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: allocation: id 'G1', field 'ratios': ...
    """
    ratios = dict(ratios or {})
    counts = dict(counts or {})
    problems: list[Problem] = []
    if rounding not in ROUNDING_RULES:
        problems.append(
            Problem(
                field="rounding", message=f"unknown rounding {rounding!r}; one of {ROUNDING_RULES}"
            )
        )
    if (
        isinstance(min_per_stratum, bool)
        or not isinstance(min_per_stratum, int)
        or min_per_stratum < 0
    ):
        problems.append(Problem(field="min_per_stratum", message="must be an int >= 0"))
    if default_ratio is not None and not _is_ratio(default_ratio):
        problems.append(Problem(field="default_ratio", message="must be a number in [0, 1]"))
    for label in sorted(set(ratios) | set(counts)):
        if label not in populations:
            problems.append(
                Problem(
                    field="strata",
                    message=f"unknown stratum {label!r}; known: {sorted(populations)}",
                )
            )
        if label in ratios and label in counts:
            problems.append(
                Problem(field="strata", message=f"stratum {label!r} has both a ratio and a count")
            )
    for label, r in ratios.items():
        if not _is_ratio(r):
            problems.append(
                Problem(field="ratios", message=f"ratio of {label!r} must be in [0, 1], got {r!r}")
            )
    for label, c in counts.items():
        if isinstance(c, bool) or not isinstance(c, int) or c < 0:
            problems.append(
                Problem(
                    field="counts", message=f"count of {label!r} must be an int >= 0, got {c!r}"
                )
            )
    cap = item.ratio_cap if item is not None and item.kind == "general" else None
    if cap is not None:
        asked = [(lbl, r) for lbl, r in ratios.items() if _is_ratio(r)]
        if default_ratio is not None and _is_ratio(default_ratio):
            asked.append(("(default)", default_ratio))
        for label, r in asked:
            if _exact(r) > _exact(cap):
                problems.append(
                    Problem(
                        id=item.id if item else None,
                        field="ratios",
                        message=f"general item {item.id if item else ''!r}: ratio {r} of "
                        f"stratum {label!r} exceeds the item's cap {cap}",
                        rule=_CAP_RULE,
                    )
                )
    if problems:
        raise ValidationError(problems, what="allocation")

    out: dict[str, StratumAllocation] = {}
    for label in sorted(populations):
        big_n = int(populations[label])
        ratio: float | None = None
        count: int | None = None
        if label in counts:
            count = int(counts[label])
            want = count
        else:
            ratio = ratios.get(label, default_ratio)
            want = 0 if ratio is None else round_size(float(ratio), big_n, rounding)
        if big_n > 0 and want < min_per_stratum:
            want = min_per_stratum
        size = min(want, big_n)
        note = f"requested {want} > population {big_n}: clipped to {big_n}" if want > big_n else ""
        if cap is not None and size > round_size(cap, big_n, "ceil"):
            problems.append(
                Problem(
                    id=item.id if item else None,
                    field="counts",
                    message=f"general item {item.id if item else ''!r}: {size} of {big_n} units "
                    f"in stratum {label!r} exceed the item's cap {cap} "
                    f"(at most {round_size(cap, big_n, 'ceil')})",
                    rule=_CAP_RULE,
                )
            )
        out[label] = StratumAllocation(
            stratum=label,
            population=big_n,
            ratio=None if ratio is None else float(ratio),
            count=count,
            requested=want,
            sample_size=size,
            clipped=want > big_n,
            note=note,
        )
    if problems:
        raise ValidationError(problems, what="allocation")
    return out
