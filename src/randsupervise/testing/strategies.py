"""Hypothesis strategies for the library's domain objects, for users' own test suites.

Invariants (architecture page, "Adding a module": strategies in Hypothesis's own style):

* Names are plural nouns (``registries()``, ``item_lists()``, ``inspector_pools()``,
  ``calendars()``, ``seeds()``); every argument is keyword-only and validated when the
  strategy is *created*, raising :class:`hypothesis.errors.InvalidArgument` with a
  message naming the argument, as Hypothesis's own strategies do.
* Every generated value is a valid, fully built object: it passes the same validation a
  platform's data passes (plan §三(二) ratio caps, §三(三) registers, 《行政处罚法》 art. 42
  certificates), so a test built on it exercises the engine, not the validators.
* Values shrink toward small and simple ones: the empty or one-row register, ids
  ``"0"``, ``"1"``, risk class A, the first region, weight 1.0, a weekday-only calendar
  without holidays (or China's own calendar), the seed of the text ``"0"``. Simple
  leaves come first in every ``one_of`` and ``sampled_from``.
* Nothing here reads global random state: all randomness comes from Hypothesis's data.

Examples:
    >>> from hypothesis import given
    >>> from randsupervise.testing.strategies import registries, seeds
    >>> @given(registries(min_size=1, max_size=5), seeds())
    ... def test_digest_ignores_row_order(reg, seed):
    ...     assert reg.take(list(reversed(range(len(reg))))).digest() == reg.digest()
    >>> test_digest_ignores_row_order()
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Collection, Sequence
from typing import TypeVar

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from randsupervise.calendar import WorkCalendar, china
from randsupervise.cycle.plan import AnnualPlan, Batch, Task
from randsupervise.model.inspectors import Inspector, InspectorPool
from randsupervise.model.items import InspectionItem, ItemKind, ItemList
from randsupervise.model.targets import RiskClass, TargetKind, TargetRegistry, TargetStatus
from randsupervise.tickets.seed import Seed

__all__ = [
    "DEFAULT_REGIONS",
    "calendars",
    "inspector_pools",
    "item_lists",
    "plans",
    "registries",
    "seeds",
    "unit_ids",
]

T = TypeVar("T")

#: Regions used when a strategy is not given its own (the sample county's towns).
DEFAULT_REGIONS: tuple[str, ...] = ("东城镇", "西河镇", "南山乡", "北岭镇")

# Characters an id or a text may hold: no whitespace (ids may not have surrounding
# whitespace and numpy's str arrays drop trailing NULs), no control characters, no lone
# surrogates (not encodable as UTF-8, which the ticket function hashes).
_SAFE_CHARS = st.characters(
    blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"),
)
# ASCII digits first, so ids shrink toward "0", "1", ...
_ID_CHARS = st.one_of(st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUWXY"), _SAFE_CHARS)


# --------------------------------------------------------------------------- validation


def _check_size(
    min_size: object, max_size: object, *, lo: str = "min_size", hi: str = "max_size"
) -> None:
    if isinstance(min_size, bool) or not isinstance(min_size, int):
        raise InvalidArgument(f"{lo}={min_size!r} must be an integer")
    if min_size < 0:
        raise InvalidArgument(f"{lo}={min_size!r} must be at least 0")
    if max_size is None:
        return
    if isinstance(max_size, bool) or not isinstance(max_size, int):
        raise InvalidArgument(f"{hi}={max_size!r} must be None or an integer")
    if max_size < min_size:
        raise InvalidArgument(f"Cannot have {hi}={max_size!r} < {lo}={min_size!r}")


def _check_texts(name: str, values: object, *, allow_none: bool = True) -> tuple[str, ...] | None:
    """A non-empty collection of distinct non-empty strings without outer whitespace."""
    if values is None:
        if allow_none:
            return None
        raise InvalidArgument(f"{name} must not be None")
    if isinstance(values, str | bytes) or not isinstance(values, Collection):
        raise InvalidArgument(f"{name}={values!r} must be a collection of strings")
    out = tuple(dict.fromkeys(values))  # keeps the caller's order: the first one shrinks best
    if not out:
        raise InvalidArgument(f"{name} must not be empty")
    bad = [v for v in out if not isinstance(v, str) or not v or v != v.strip()]
    if bad:
        raise InvalidArgument(
            f"{name} holds {bad!r}: every value must be a non-empty str without outer spaces"
        )
    return out


def _check_members(name: str, values: object, allowed: Sequence[str]) -> tuple[str, ...] | None:
    """``values`` as enum values, in the caller's order; each must be one of ``allowed``."""
    if values is None:
        return None
    if isinstance(values, str | bytes) or not isinstance(values, Collection):
        raise InvalidArgument(f"{name}={values!r} must be a collection")
    out = tuple(dict.fromkeys(getattr(v, "value", v) for v in values))
    if not out:
        raise InvalidArgument(f"{name} must not be empty")
    unknown = [v for v in out if v not in allowed]
    if unknown:
        raise InvalidArgument(
            f"{name} holds unknown values {unknown!r}; expected some of {list(allowed)!r}"
        )
    return tuple(str(v) for v in out)


def _check_strategy(name: str, value: object) -> None:
    if value is not None and not isinstance(value, st.SearchStrategy):
        raise InvalidArgument(f"{name}={value!r} must be None or a Hypothesis strategy")


def _check_bool(name: str, value: object, *, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, bool):
        kind = "True, False or None" if allow_none else "True or False"
        raise InvalidArgument(f"{name}={value!r} must be {kind}")


def _texts(max_size: int = 8) -> st.SearchStrategy[str]:
    return st.text(_ID_CHARS, min_size=1, max_size=max_size)


# --------------------------------------------------------------------------- leaves


def unit_ids(*, max_size: int = 18) -> st.SearchStrategy[str]:
    """Unit ids as a register accepts them: non-empty, no whitespace or control characters.

    Shrinks toward ``"0"``. Unicode ids (Chinese names, say) are generated too, because
    tickets hash the ids' UTF-8 bytes.

    Args:
        max_size: longest id, in characters (at least 1; a credit code has 18).

    Examples:
        >>> unit_ids(max_size=0)
        Traceback (most recent call last):
        ...
        hypothesis.errors.InvalidArgument: max_size=0 must be at least 1
    """
    if isinstance(max_size, bool) or not isinstance(max_size, int):
        raise InvalidArgument(f"max_size={max_size!r} must be an integer")
    if max_size < 1:
        raise InvalidArgument(f"max_size={max_size!r} must be at least 1")
    return _texts(max_size)


def seeds() -> st.SearchStrategy[Seed]:
    """Seeds as a ceremony makes them, each one verifiable: its :attr:`~Seed.source` is the
    public text it hashes from, so ``Seed.from_source(seed.source) == seed`` and a receipt
    of a draw under it verifies.

    Three kinds, simplest first: a short public text (shrinking toward
    ``Seed.from_text("0")``); two or three parties' texts
    (:meth:`Seed.from_contributions`); a published 64-hex-digit value such as a randomness
    beacon's output, hashed as text, which reaches seed bytes unrelated to short texts.
    None is bare bytes: a seed whose source does not rebuild it is one ``verify`` rejects.

    Examples:
        >>> from hypothesis import given
        >>> @given(seeds())
        ... def test_the_source_rebuilds_the_seed(seed):
        ...     assert Seed.from_source(seed.source) == seed
        >>> test_the_source_rebuilds_the_seed()
    """
    text = st.text(_ID_CHARS, min_size=1, max_size=16)
    from_text = text.map(Seed.from_text)
    from_parties = st.lists(text, min_size=2, max_size=3).map(Seed.from_contributions)
    from_beacon = st.binary(min_size=32, max_size=32).map(lambda b: Seed.from_text(b.hex()))
    return st.one_of(from_text, from_parties, from_beacon)


# --------------------------------------------------------------------------- registers


def registries(
    *,
    min_size: int = 0,
    max_size: int | None = None,
    ids: st.SearchStrategy[str] | None = None,
    risk_classes: Collection[RiskClass | str] | None = None,
    kinds: Collection[TargetKind | str] | None = None,
    statuses: Collection[TargetStatus | str] | None = None,
    regions: Collection[str] | None = None,
    industries: Collection[str] | None = None,
    weights: st.SearchStrategy[float] | None = None,
) -> st.SearchStrategy[TargetRegistry]:
    """Target registers (检查对象名录库) of ``min_size`` to ``max_size`` rows.

    Args:
        min_size: fewest rows (default 0: the empty register is a case to handle).
        max_size: most rows (default: Hypothesis's usual collection sizes).
        ids: strategy for the ids (default :func:`unit_ids`); duplicates are discarded, so
            it must be able to produce ``min_size`` distinct values.
        risk_classes: classes to use (default all of A-D; the first is where
            shrinking goes).
        kinds: ``TargetKind`` values to use (default all seven).
        statuses: ``TargetStatus`` values (default all; pass ``["active"]`` for a register
            a draw takes every row of).
        regions: region names (default :data:`DEFAULT_REGIONS`).
        industries: industry names (default: the column is not recorded).
        weights: strategy for the weights (default: every weight 1.0). Values must be
            finite and >= 0.

    Raises:
        hypothesis.errors.InvalidArgument: for a bad argument, when the strategy is made.

    Examples:
        >>> registries(min_size=3, max_size=2)
        Traceback (most recent call last):
        ...
        hypothesis.errors.InvalidArgument: Cannot have max_size=2 < min_size=3
        >>> registries(statuses=["open"])
        Traceback (most recent call last):
        ...
        hypothesis.errors.InvalidArgument: statuses holds unknown values ['open']; ...
    """
    _check_size(min_size, max_size)
    _check_strategy("ids", ids)
    _check_strategy("weights", weights)
    risk = tuple(RiskClass) if risk_classes is None else _risk_classes(risk_classes)
    kind_values = _check_members("kinds", kinds, [k.value for k in TargetKind]) or tuple(
        k.value for k in TargetKind
    )
    status_values = _check_members("statuses", statuses, [s.value for s in TargetStatus]) or tuple(
        s.value for s in TargetStatus
    )
    region_values = _check_texts("regions", regions) or DEFAULT_REGIONS
    industry_values = _check_texts("industries", industries)
    id_strategy = unit_ids() if ids is None else ids

    @st.composite
    def build(draw: st.DrawFn) -> TargetRegistry:
        unit_ids = draw(st.lists(id_strategy, min_size=min_size, max_size=max_size, unique=True))
        n = len(unit_ids)

        def column(values: Sequence[T]) -> list[T]:
            return draw(st.lists(st.sampled_from(values), min_size=n, max_size=n))

        weight_column = None if weights is None else draw(st.lists(weights, min_size=n, max_size=n))
        if weight_column is not None:
            bad = [w for w in weight_column if not _is_weight(w)]
            if bad:
                raise InvalidArgument(f"weights produced {bad[0]!r}: a weight is finite and >= 0")
        return TargetRegistry.from_columns(
            id=unit_ids,
            risk_class=[int(r) for r in column(risk)],
            kind=column(kind_values),
            status=column(status_values),
            region=column(region_values),
            industry=None if industry_values is None else column(industry_values),
            weight=weight_column,
        )

    return build()


def _risk_classes(values: object) -> tuple[RiskClass, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Collection):
        raise InvalidArgument(f"risk_classes={values!r} must be a collection")
    out: list[RiskClass] = []
    for v in values:
        try:
            out.append(RiskClass.parse(v))
        except ValueError as e:
            raise InvalidArgument(f"risk_classes: {e}") from None
    if not out:
        raise InvalidArgument("risk_classes must not be empty")
    return tuple(dict.fromkeys(out))


def _is_weight(w: object) -> bool:
    return isinstance(w, int | float) and not isinstance(w, bool) and math.isfinite(w) and w >= 0


# --------------------------------------------------------------------------- item lists


def item_lists(
    *,
    min_size: int = 0,
    max_size: int | None = None,
    kinds: Collection[ItemKind | str] | None = None,
    target_kinds: Collection[TargetKind | str] | None = None,
    qualifications: Collection[str] | None = None,
    max_key_items: int | None = None,
) -> st.SearchStrategy[ItemList]:
    """Item lists (随机抽查事项清单): key items without a ratio cap, general items with one
    in ``[0.0001, 1]`` (plan §三(二)).

    Args:
        min_size: fewest items.
        max_size: most items.
        kinds: item kinds to use (default both, general first).
        target_kinds: ``TargetKind`` values the items may apply to (default all).
        qualifications: inspector tags an item may require (default a few; each item
            requires none to two of them).
        max_key_items: when given, the list's ``max_key_items`` and a bound on its key
            items; must be >= 0.

    Examples:
        >>> item_lists(kinds=["key"], min_size=2, max_key_items=1)
        Traceback (most recent call last):
        ...
        hypothesis.errors.InvalidArgument: min_size=2 key items cannot fit max_key_items=1
    """
    _check_size(min_size, max_size)
    kind_values = _check_members("kinds", kinds, [k.value for k in ItemKind]) or (
        ItemKind.GENERAL.value,
        ItemKind.KEY.value,
    )
    tk = _check_members("target_kinds", target_kinds, [k.value for k in TargetKind]) or tuple(
        k.value for k in TargetKind
    )
    tags = _check_texts("qualifications", qualifications) or ("网络文化", "娱乐场所", "旅游")
    if max_key_items is not None:
        if isinstance(max_key_items, bool) or not isinstance(max_key_items, int):
            raise InvalidArgument(f"max_key_items={max_key_items!r} must be None or an integer")
        if max_key_items < 0:
            raise InvalidArgument(f"max_key_items={max_key_items!r} must be at least 0")
        if kind_values == (ItemKind.KEY.value,) and min_size > max_key_items:
            raise InvalidArgument(
                f"min_size={min_size} key items cannot fit max_key_items={max_key_items}"
            )

    @st.composite
    def item(draw: st.DrawFn, item_id: str, kind: str) -> InspectionItem:
        cap = None
        if kind == ItemKind.GENERAL.value:
            cap = draw(
                st.one_of(
                    st.sampled_from((1.0, 0.1, 0.05)),
                    # caps below 1e-4 would round every sample to zero targets
                    st.floats(min_value=1e-4, max_value=1.0),
                )
            )
        return InspectionItem(
            id=item_id,
            name=draw(_texts()),
            department=draw(st.sampled_from(("执法大队", "市场监管所", "消防救援大队"))),
            kind=kind,
            legal_basis=draw(_texts()),
            content=draw(_texts()),
            method=draw(st.sampled_from(("现场检查", "书面检查", "网络巡查"))),
            target_kinds=draw(st.sets(st.sampled_from(tk), min_size=1, max_size=len(tk))),
            required_qualifications=draw(st.sets(st.sampled_from(tags), max_size=2)),
            ratio_cap=cap,
            yearly_frequency_limit=draw(st.integers(min_value=1, max_value=4)),
        )

    @st.composite
    def build(draw: st.DrawFn) -> ItemList:
        item_ids = draw(st.lists(_texts(6), min_size=min_size, max_size=max_size, unique=True))
        chosen = draw(
            st.lists(st.sampled_from(kind_values), min_size=len(item_ids), max_size=len(item_ids))
        )
        if max_key_items is not None:
            # keep key items within the bound by turning the excess into general items
            # (or, for a key-only list, by shortening it)
            kept, keys = [], 0
            for i, k in zip(item_ids, chosen, strict=True):
                if k == ItemKind.KEY.value:
                    if keys >= max_key_items:
                        if ItemKind.GENERAL.value not in kind_values:
                            continue
                        k = ItemKind.GENERAL.value
                    else:
                        keys += 1
                kept.append((i, k))
        else:
            kept = list(zip(item_ids, chosen, strict=True))
        return ItemList(items=[draw(item(i, k)) for i, k in kept], max_key_items=max_key_items)

    return build()


# --------------------------------------------------------------------------- inspectors


def inspector_pools(
    *,
    min_size: int = 0,
    max_size: int | None = None,
    regions: Collection[str] | None = None,
    departments: Collection[str] | None = None,
    tags: Collection[str] | None = None,
    certified: bool | None = None,
    experts: bool = True,
    available: bool | None = None,
) -> st.SearchStrategy[InspectorPool]:
    """Inspector pools (执法检查人员名录库).

    A certified inspector always has a certificate number and a non-certified one none
    (国办 2025 opinion); every inspector serves at least one region.

    Args:
        min_size: fewest inspectors.
        max_size: most inspectors.
        regions: regions served (default :data:`DEFAULT_REGIONS`).
        departments: departments (default two, for joint checks).
        tags: qualification and expertise tags (default a few).
        certified: ``True`` for certified inspectors only, ``False`` for none, ``None``
            (default) for both (shrinking toward certified).
        experts: whether experts (who never count toward the quota) may appear.
        available: ``True``/``False`` to fix availability; ``None`` for both.

    Examples:
        >>> inspector_pools(certified="yes")
        Traceback (most recent call last):
        ...
        hypothesis.errors.InvalidArgument: certified='yes' must be True, False or None
    """
    _check_size(min_size, max_size)
    _check_bool("certified", certified, allow_none=True)
    _check_bool("experts", experts)
    _check_bool("available", available, allow_none=True)
    region_values = _check_texts("regions", regions) or DEFAULT_REGIONS
    dept_values = _check_texts("departments", departments) or ("执法大队", "市场监管所")
    tag_values = _check_texts("tags", tags) or ("网络文化", "娱乐场所", "旅游", "消防")

    @st.composite
    def person(draw: st.DrawFn, inspector_id: str) -> Inspector:
        is_certified = draw(st.booleans().map(lambda b: not b)) if certified is None else certified
        return Inspector(
            id=inspector_id,
            name=draw(_texts()),
            department=draw(st.sampled_from(dept_values)),
            certified=is_certified,
            certificate_number=f"ZF-{inspector_id}" if is_certified else None,
            qualifications=draw(st.sets(st.sampled_from(tag_values), max_size=2)),
            expertise=draw(st.sets(st.sampled_from(tag_values), max_size=1)),
            regions=draw(st.sets(st.sampled_from(region_values), min_size=1)),
            available=draw(st.booleans().map(lambda b: not b)) if available is None else available,
            expert=draw(st.booleans()) if experts else False,
        )

    @st.composite
    def build(draw: st.DrawFn) -> InspectorPool:
        inspector_ids = draw(st.lists(_texts(6), min_size=min_size, max_size=max_size, unique=True))
        return InspectorPool(inspectors=[draw(person(i)) for i in inspector_ids])

    return build()


# --------------------------------------------------------------------------- calendars

_WEEKMASKS = ("1111100", "1111110", "1111111", "0111110")


def calendars(
    *,
    min_date: _dt.date = _dt.date(2000, 1, 1),
    max_date: _dt.date = _dt.date(2040, 12, 31),
    min_days: int = 1,
    max_days: int = 800,
    include_china: bool = True,
) -> st.SearchStrategy[WorkCalendar]:
    """Working-day calendars: generic ones, and (optionally) China's official calendar.

    Generic calendars cover ``min_days`` to ``max_days`` consecutive days between
    ``min_date`` and ``max_date``, with a weekmask that has at least one working day,
    some holidays and some weekend days worked (调休). They shrink toward China's calendar
    (when included) or a one-day Monday-to-Friday calendar without holidays starting on
    ``min_date``.

    Args:
        min_date: earliest first day.
        max_date: latest last day.
        min_days: fewest days covered (at least 1).
        max_days: most days covered.
        include_china: also generate :func:`randsupervise.calendar.china` (both
            settings of ``adjusted_weekends_are_workdays``).

    Examples:
        >>> import datetime
        >>> calendars(min_date=datetime.date(2030, 1, 1), max_date=datetime.date(2029, 1, 1))
        Traceback (most recent call last):
        ...
        hypothesis.errors.InvalidArgument: Cannot have max_date=datetime.date(2029, 1, 1) < ...
    """
    for name, value in (("min_date", min_date), ("max_date", max_date)):
        if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
            raise InvalidArgument(f"{name}={value!r} must be a datetime.date")
    if max_date < min_date:
        raise InvalidArgument(f"Cannot have max_date={max_date!r} < min_date={min_date!r}")
    _check_size(min_days, max_days, lo="min_days", hi="max_days")
    if min_days < 1:
        raise InvalidArgument(f"min_days={min_days!r} must be at least 1")
    span = (max_date - min_date).days + 1
    if min_days > span:
        raise InvalidArgument(
            f"min_days={min_days} does not fit between min_date={min_date} and max_date={max_date}"
        )
    _check_bool("include_china", include_china)
    longest = min(max_days, span)

    @st.composite
    def generic(draw: st.DrawFn) -> WorkCalendar:
        days = draw(st.integers(min_value=min_days, max_value=longest))
        offset = draw(st.integers(min_value=0, max_value=span - days))
        start = min_date + _dt.timedelta(days=offset)
        end = start + _dt.timedelta(days=days - 1)
        weekmask = draw(st.sampled_from(_WEEKMASKS))
        day = st.integers(min_value=0, max_value=days - 1).map(
            lambda k: start + _dt.timedelta(days=k)
        )
        off = draw(st.sets(day, max_size=min(days, 20)))
        on = draw(st.sets(day, max_size=min(days, 5))) - off
        return WorkCalendar(
            start=start,
            end=end,
            weekmask=weekmask,
            holidays={d: "holiday" for d in sorted(off)},
            extra_workdays=sorted(on),
            name="generated",
        )

    if not include_china:
        return generic()
    return st.one_of(
        generic(),
        st.builds(china, adjusted_weekends_are_workdays=st.booleans().map(lambda b: not b)),
    )


# --------------------------------------------------------------------------- plans


def plans(
    items: ItemList,
    *,
    year: int = 2025,
    max_batches: int = 3,
) -> st.SearchStrategy[AnnualPlan]:
    """Annual plans for ``items`` that pass every plan-time check without a register.

    Every item is carried out by exactly one task (item coverage 100%, plan §三(二));
    items sharing a target kind are grouped into tasks at random, the lead department is
    one of the task's items' departments and the others join as partners; each task has
    one to ``max_batches`` ordered, non-overlapping windows inside ``year``, drawn per batch or
    once and split (random batch order); ratios keep a general item's yearly ratio within
    its cap and every item's planned load within its yearly frequency limit (MIIT rules).
    Shrinks toward few tasks and one batch for the whole year.

    Args:
        items: the item list the plan is for (at least one item).
        year: the plan's year.
        max_batches: most batches per task (at least 1).

    Examples:
        >>> from hypothesis import given
        >>> from randsupervise.model.sample import sample_items
        >>> @given(plans(sample_items()))
        ... def test_plans_are_lawful(plan):
        ...     assert plan.problems(sample_items()) == ()
        >>> test_plans_are_lawful()
        >>> plans(sample_items(), max_batches=0)
        Traceback (most recent call last):
        ...
        hypothesis.errors.InvalidArgument: max_batches=0 must be at least 1
    """
    if not isinstance(items, ItemList):
        raise InvalidArgument(f"items={items!r} must be an ItemList")
    if not len(items):
        raise InvalidArgument("items must hold at least one item to plan for")
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9998:
        raise InvalidArgument(f"year={year!r} must be an int between 1 and 9998")
    if isinstance(max_batches, bool) or not isinstance(max_batches, int):
        raise InvalidArgument(f"max_batches={max_batches!r} must be an integer")
    if max_batches < 1:
        raise InvalidArgument(f"max_batches={max_batches!r} must be at least 1")
    first = _dt.date(year, 1, 1)
    days = (_dt.date(year, 12, 31) - first).days + 1

    @st.composite
    def windows(draw: st.DrawFn) -> list[Batch]:
        k = draw(st.integers(min_value=1, max_value=max_batches))
        cuts = sorted(draw(st.sets(st.integers(1, days - 1), min_size=k - 1, max_size=k - 1)))
        bounds = [0, *cuts, days]
        return [
            Batch(
                id=f"B{j + 1}",
                start=first + _dt.timedelta(days=bounds[j]),
                end=first + _dt.timedelta(days=bounds[j + 1] - 1),
            )
            for j in range(k)
        ]

    @st.composite
    def build(draw: st.DrawFn) -> AnnualPlan:
        all_items = list(items)
        # group items into tasks: each item may join the task of the item before it
        joins = draw(st.lists(st.booleans(), min_size=len(all_items), max_size=len(all_items)))
        grouped: list[list[InspectionItem]] = []
        for join, it in zip(joins, all_items, strict=True):
            # a task's items must share a target kind, or no target could be drawn for all
            if (
                join
                and grouped
                and it.target_kinds.intersection(*(g.target_kinds for g in grouped[-1]))
            ):
                grouped[-1].append(it)
            else:
                grouped.append([it])
        tasks = []
        for n, group in enumerate(sorted(grouped, key=lambda g: g[0].id)):
            batches = draw(windows())
            split = len(batches) > 1 and draw(st.booleans())
            draws_per_year = 1 if split else len(batches)
            caps = [it.ratio_cap for it in group if it.ratio_cap is not None]
            bound = min([1.0, *caps]) / draws_per_year
            ratio = draw(
                st.one_of(
                    st.just(bound),
                    st.floats(min_value=bound / 100, max_value=bound),
                )
            )
            depts = list(dict.fromkeys(it.department for it in group))
            tasks.append(
                Task(
                    id=f"T{n + 1}",
                    items=[it.id for it in group],
                    lead_department=depts[0],
                    partner_departments=depts[1:],
                    ratios=ratio,
                    batches=batches,
                    split=split,
                )
            )
        return AnnualPlan(year=year, tasks=tasks, title=f"generated plan {year}")

    return build()
