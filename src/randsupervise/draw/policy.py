"""The draw policy: everything that decides a draw besides the register, seed and stream.

Invariants (architecture principle 8, one rule in one place):

* :class:`DrawPolicy` is the single source of a draw's options. Every draw path (the
  in-memory :func:`~randsupervise.draw.engine.draw`, the Dask draw, the plan, the CLI)
  builds or takes one; the keyword conveniences of those functions are typed by
  :class:`DrawOptions`, whose keys are exactly the policy's fields, and turned into a
  policy by :func:`policy_of` only.
* ``method`` and ``rounding`` are enums (:class:`Method`, :class:`Rounding`) whose values
  are the strings written in receipts (``Method.SMALLEST == "smallest"``), so
  :meth:`DrawPolicy.to_record` writes what it always wrote.
* A bad value is refused when the policy is built, with a :class:`ValidationError` naming
  the field.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, TypeGuard

import attrs
import numpy as np

from randsupervise.draw.allocation import ROUNDING_RULES, ItemRule, StratumAllocation, allocate
from randsupervise.draw.selection import METHODS
from randsupervise.errors import Problem, ValidationError
from randsupervise.model.targets import CATEGORICAL_COLUMNS

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["DrawOptions", "DrawPolicy", "Method", "Rounding", "policy_of"]

_FILTER_COLUMNS = (*CATEGORICAL_COLUMNS, "risk_class")


class Method(str, enum.Enum):
    """How a stratum's units are selected (:mod:`.selection`); the value is the name
    written in receipts.

    Examples:
        >>> Method.SMALLEST == "smallest", Method("poisson"), str(Method.PARETO)
        (True, <Method.POISSON: 'poisson'>, 'pareto')
    """

    #: Equal probability, fixed size: the ``n`` smallest tickets.
    SMALLEST = "smallest"
    #: Unequal probabilities by ``weight``, random size.
    POISSON = "poisson"
    #: Unequal probabilities by ``weight``, fixed size (Rosén's Pareto order sampling).
    PARETO = "pareto"
    #: Unequal probabilities by ``weight``, fixed size (Ohlsson's sequential Poisson).
    SEQUENTIAL_POISSON = "sequential_poisson"

    def __str__(self) -> str:
        return self.value


class Rounding(str, enum.Enum):
    """How a ratio times a population becomes a sample size
    (:func:`~randsupervise.draw.allocation.round_size`); the value is written in receipts.

    Examples:
        >>> Rounding.CEIL == "ceil", Rounding("half_up")
        (True, <Rounding.HALF_UP: 'half_up'>)
    """

    #: "At least r" (the default).
    CEIL = "ceil"
    FLOOR = "floor"
    HALF_UP = "half_up"

    def __str__(self) -> str:
        return self.value


assert {m.value for m in Method} == set(METHODS)
assert {r.value for r in Rounding} == set(ROUNDING_RULES)


def _enum_value(kind: type[enum.Enum], v: object) -> Any:
    """``v`` as a member of ``kind`` when it is one or its value; ``v`` unchanged otherwise
    (:meth:`DrawPolicy.__attrs_post_init__` then names the field, with every other bad
    field)."""
    if isinstance(v, str) and not isinstance(v, kind):
        try:
            return kind(v)
        except ValueError:
            return v
    return v


def _method(v: object) -> Method:
    out: Method = _enum_value(Method, v)
    return out


def _rounding(v: object) -> Rounding:
    out: Rounding = _enum_value(Rounding, v)
    return out


def _enum_problems(**fields: tuple[type[enum.Enum], object]) -> list[Problem]:
    """A problem for each field whose value is not a member of its enum."""
    problems = []
    for name, (kind, v) in fields.items():
        if isinstance(v, kind):
            continue
        message = (
            f"unknown {name} {v!r}; one of {[m.value for m in kind]}"
            if isinstance(v, str)
            else f"must be a str, not {type(v).__name__}"
        )
        problems.append(Problem(field=name, message=message))
    return problems


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


def _floor_problems(floor: object, method: object) -> list[Problem]:
    """The floor's rules: a number in [0, 1] (or one per stratum), with the ``smallest``
    method only (plan §三(五); ``docs/burden.md``)."""
    if floor is None:
        return []
    values = floor.items() if isinstance(floor, Mapping) else [(None, floor)]
    bad = [(k, f"floor must be a number in [0, 1] (or a mapping of them), got {x!r}")
           for k, x in values
           if not (_number(x) and math.isfinite(float(x)) and 0 <= float(x) <= 1)]  # fmt: skip
    if isinstance(method, Method) and method != Method.SMALLEST:
        bad.append((None, "burden spreading (floor) works with the 'smallest' method only, "
                    f"not {method.value!r}"))  # fmt: skip
    return [Problem(field="floor", id=k, message=m) for k, m in bad]


@attrs.frozen(kw_only=True)
class DrawPolicy:
    """Everything that decides a draw besides the register, the seed and the stream.

    Attributes:
        stratify: Column whose categories are the strata (``"risk_class"``, ``"kind"``,
            ``"region"``, ``"industry"``, ``"status"``), or ``None`` for one stratum
            ``"ALL"``.
        method: A :class:`Method` (or its value): ``"smallest"`` (equal probability,
            fixed size), ``"poisson"``, ``"pareto"`` or ``"sequential_poisson"`` (unequal
            probabilities by ``weight``).
        ratios: Stratum -> fraction of its population.
        counts: Stratum -> number of units.
        default_ratio: Ratio of strata named in neither (``None``: they draw nothing).
        rounding: A :class:`Rounding` (or its value): ``"ceil"`` (default: "at least
            r"), ``"floor"`` or ``"half_up"``.
        min_per_stratum: Every non-empty stratum draws at least this many.
        item: The item drawn for (its cap and yearly frequency limit apply).
        where: Targeted-draw filter, column -> accepted values.
        batches: Number of batches the selection is cut into
            (:func:`~randsupervise.draw.batches.batch_order`).
        floor: Burden spreading (method ``"smallest"`` only, with a history whose
            ``periods`` are given): every unit's least inclusion probability, one value or
            one per stratum (strata left out are drawn without coordination).
            ``None``: no burden spreading. Written into the policy record only when set.

    Examples:
        >>> p = DrawPolicy(ratios={"A": 0.03, "D": 1.0}, batches=2)
        >>> DrawPolicy.from_record(p.to_record()) == p
        True
        >>> p.method, p.to_record()["method"]
        (<Method.SMALLEST: 'smallest'>, 'smallest')
    """

    stratify: str | None = "risk_class"
    method: Method = attrs.field(default=Method.SMALLEST, converter=_method)
    ratios: Mapping[str, float] = attrs.field(factory=dict, converter=_ratio_map)
    counts: Mapping[str, int] = attrs.field(factory=dict, converter=_count_map)
    default_ratio: float | None = None
    rounding: Rounding = attrs.field(default=Rounding.CEIL, converter=_rounding)
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
        problems = _enum_problems(method=(Method, self.method), rounding=(Rounding, self.rounding))
        if self.stratify is not None and not isinstance(self.stratify, str):
            problems.append(
                Problem(field="stratify", message=f"must be a str, not "
                        f"{type(self.stratify).__name__}")
            )  # fmt: skip
        elif self.stratify is not None and self.stratify not in _FILTER_COLUMNS:
            problems.append(
                Problem(
                    field="stratify",
                    message=f"cannot stratify by {self.stratify!r}; one of "
                    f"{sorted(_FILTER_COLUMNS)} or None",
                )
            )
        bad = sorted(set(self.where) - set(_FILTER_COLUMNS))
        if bad:
            problems.append(
                Problem(field="where", message=f"cannot filter by {bad}; one of {_FILTER_COLUMNS}")
            )
        if isinstance(self.batches, bool) or not isinstance(self.batches, int) or self.batches < 1:
            problems.append(Problem(field="batches", message="must be an int >= 1"))
        problems += _floor_problems(self.floor, self.method)
        if problems:
            raise ValidationError(problems, what="draw policy")

    def allocate(self, populations: Mapping[str, int]) -> dict[str, StratumAllocation]:
        """Each stratum's sample size under this policy, from the strata's eligible
        populations (:func:`~randsupervise.draw.allocation.allocate`): what every draw
        path (in memory, on Dask) allocates with.

        Examples:
            >>> DrawPolicy(ratios={"A": 0.03}).allocate({"A": 100, "B": 5})["A"].sample_size
            3
        """
        return allocate(
            populations,
            ratios=self.ratios,
            counts=self.counts,
            default_ratio=self.default_ratio,
            rounding=self.rounding,
            min_per_stratum=self.min_per_stratum,
            item=self.item,
        )

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
            "method": self.method.value,
            "ratios": dict(self.ratios),
            "counts": dict(self.counts),
            "default_ratio": self.default_ratio,
            "rounding": self.rounding.value,
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


class DrawOptions(TypedDict, total=False):
    """The keyword conveniences of the draw functions: exactly :class:`DrawPolicy`'s
    fields (a test keeps the two equal), turned into a policy by :func:`policy_of`."""

    stratify: str | None
    method: Method | str
    ratios: Mapping[Any, float] | None
    counts: Mapping[Any, int] | None
    default_ratio: float | None
    rounding: Rounding | str
    min_per_stratum: int
    item: object | None
    where: Mapping[str, object] | None
    batches: int
    floor: float | Mapping[str, float] | None
    frequency_items: Iterable[object] | None


def policy_of(policy: DrawPolicy | None, **options: Unpack[DrawOptions]) -> DrawPolicy:
    """``policy``, or the :class:`DrawPolicy` built from the keyword ``options``; both at
    once is an error naming the options.

    Examples:
        >>> policy_of(None, counts={"A": 2}) == DrawPolicy(counts={"A": 2})
        True
        >>> policy_of(DrawPolicy(), batches=2)
        Traceback (most recent call last):
        ...
        randsupervise.errors.ValidationError: ...
    """
    unknown = sorted(set(options) - set(DrawOptions.__annotations__))
    if unknown:
        raise ValidationError([Problem(field=k, message="not a draw option") for k in unknown])
    if policy is None:
        return DrawPolicy(**options)
    if not isinstance(policy, DrawPolicy):
        raise ValidationError(
            [Problem(field="policy", message=f"expected a DrawPolicy, not {type(policy).__name__}")]
        )
    if options:
        raise ValidationError(
            [
                Problem(
                    field="policy",
                    message="give either a policy or the policy options, not both: "
                    f"{sorted(options)}",
                )
            ]
        )
    return policy
