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
    raise ValidationError(_rounding_problems(rounding))


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
        """Every field, in the order declared (the receipt's ``item`` record)."""
        return attrs.asdict(self)


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
    cap = item.ratio_cap if item is not None and item.kind == "general" else None
    problems = _request_problems(
        populations, ratios, counts, default_ratio, rounding, min_per_stratum
    )
    if item is not None and cap is not None:
        problems += _ratio_cap_problems(ratios, default_ratio, item.id, cap)
    if problems:
        raise ValidationError(problems, what="allocation")
    out: dict[str, StratumAllocation] = {}
    for label in sorted(populations):
        big_n = int(populations[label])
        ratio, count, want = _requested(label, big_n, ratios, counts, default_ratio, rounding)
        out[label] = _clipped(
            label, big_n, ratio, count, _with_minimum(want, big_n, min_per_stratum)
        )
        if item is not None and cap is not None:
            problems += _size_cap_problems(out[label], item.id, cap)
    if problems:
        raise ValidationError(problems, what="allocation")
    return out


def _rounding_problems(rounding: str) -> list[Problem]:
    if rounding in ROUNDING_RULES:
        return []
    message = f"unknown rounding {rounding!r}; one of {ROUNDING_RULES}"
    return [Problem(field="rounding", message=message)]


def _min_problems(min_per_stratum: int) -> list[Problem]:
    m = min_per_stratum
    if isinstance(m, bool) or not isinstance(m, int) or m < 0:
        return [Problem(field="min_per_stratum", message="must be an int >= 0")]
    return []


def _request_problems(
    populations: Mapping[str, int],
    ratios: Mapping[str, float],
    counts: Mapping[str, int],
    default_ratio: float | None,
    rounding: str,
    min_per_stratum: int,
) -> list[Problem]:
    """What is wrong with the request itself: a stratum is sized by a ratio or a count,
    never both, and only a known stratum (plan §三(二))."""
    problems = _rounding_problems(rounding) + _min_problems(min_per_stratum)
    if default_ratio is not None and not _is_ratio(default_ratio):
        problems.append(Problem(field="default_ratio", message="must be a number in [0, 1]"))
    for label in sorted(set(ratios) | set(counts)):
        if label not in populations:
            known = sorted(populations)
            message = f"unknown stratum {label!r}; known: {known}"
            problems.append(Problem(field="strata", message=message))
        if label in ratios and label in counts:
            message = f"stratum {label!r} has both a ratio and a count"
            problems.append(Problem(field="strata", message=message))
    for label, r in ratios.items():
        if not _is_ratio(r):
            message = f"ratio of {label!r} must be in [0, 1], got {r!r}"
            problems.append(Problem(field="ratios", message=message))
    for label, c in counts.items():
        if isinstance(c, bool) or not isinstance(c, int) or c < 0:
            message = f"count of {label!r} must be an int >= 0, got {c!r}"
            problems.append(Problem(field="counts", message=message))
    return problems


def _ratio_cap_problems(
    ratios: Mapping[str, float], default_ratio: float | None, item_id: str, cap: float
) -> list[Problem]:
    """A general item's cap on the ratio asked for (plan §三(二)), compared exactly."""
    asked = [(label, r) for label, r in ratios.items() if _is_ratio(r)]
    if default_ratio is not None and _is_ratio(default_ratio):
        asked.append(("(default)", default_ratio))
    return [
        Problem(
            id=item_id,
            field="ratios",
            message=f"general item {item_id!r}: ratio {r} of stratum {label!r} exceeds the "
            f"item's cap {cap}",
            rule=_CAP_RULE,
        )
        for label, r in asked
        if _exact(r) > _exact(cap)
    ]


def _requested(
    label: str,
    big_n: int,
    ratios: Mapping[str, float],
    counts: Mapping[str, int],
    default_ratio: float | None,
    rounding: str,
) -> tuple[float | None, int | None, int]:
    """The stratum's ratio, count and the size they ask for: a count as given, a ratio
    (its own or the default) rounded by ``rounding`` (module notes), else 0."""
    if label in counts:
        count = int(counts[label])
        return None, count, count
    ratio = ratios.get(label, default_ratio)
    if ratio is None:
        return None, None, 0
    return float(ratio), None, round_size(float(ratio), big_n, rounding)


def _with_minimum(want: int, big_n: int, min_per_stratum: int) -> int:
    """``min_per_stratum`` raises a non-empty stratum's size (an empty one stays 0)."""
    return max(want, min_per_stratum) if big_n > 0 else want


def _clipped(
    label: str, big_n: int, ratio: float | None, count: int | None, want: int
) -> StratumAllocation:
    """The size clipped to the population ``N``, the clipping noted for the receipt."""
    clipped = want > big_n
    return StratumAllocation(
        stratum=label,
        population=big_n,
        ratio=ratio,
        count=count,
        requested=want,
        sample_size=min(want, big_n),
        clipped=clipped,
        note=f"requested {want} > population {big_n}: clipped to {big_n}" if clipped else "",
    )


def _size_cap_problems(a: StratumAllocation, item_id: str, cap: float) -> list[Problem]:
    """A general item may not end with more than ``ceil(cap × N)`` units in a stratum,
    whatever the route (a count, a minimum) (plan §三(二))."""
    most = round_size(cap, a.population, "ceil")
    if a.sample_size <= most:
        return []
    message = (
        f"general item {item_id!r}: {a.sample_size} of {a.population} units in stratum "
        f"{a.stratum!r} exceed the item's cap {cap} (at most {most})"
    )
    return [Problem(id=item_id, field="counts", message=message, rule=_CAP_RULE)]
