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
from randsupervise.testing._arguments import (
    _ID_CHARS,
    _check_bool,
    _check_max_key_items,
    _check_members,
    _check_plan_args,
    _check_size,
    _check_strategy,
    _check_texts,
    _texts,
)
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
    _check_max_key_items(max_key_items, kind_values, min_size)

    @st.composite
    def build(draw: st.DrawFn) -> ItemList:
        item_ids = draw(st.lists(_texts(6), min_size=min_size, max_size=max_size, unique=True))
        chosen = draw(
            st.lists(st.sampled_from(kind_values), min_size=len(item_ids), max_size=len(item_ids))
        )
        kept = _within_key_bound(item_ids, chosen, kind_values, max_key_items)
        return ItemList(
            items=[draw(_items(i, k, tk, tags)) for i, k in kept], max_key_items=max_key_items
        )

    return build()


@st.composite
def _items(
    draw: st.DrawFn, item_id: str, kind: str, tk: tuple[str, ...], tags: tuple[str, ...]
) -> InspectionItem:
    """One item of a list: a general one with its ratio cap, a key one without."""
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


def _within_key_bound(
    item_ids: list[str], chosen: list[str], kind_values: tuple[str, ...], max_key_items: int | None
) -> list[tuple[str, str]]:
    """(id, kind) per item, keeping key items within ``max_key_items`` by turning the
    excess into general items (or, for a key-only list, by shortening it)."""
    if max_key_items is None:
        return list(zip(item_ids, chosen, strict=True))
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
    return kept


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
    _check_plan_args(items, year, max_batches)

    @st.composite
    def build(draw: st.DrawFn) -> AnnualPlan:
        tasks = []
        for n, group in enumerate(sorted(draw(_item_groups(items)), key=lambda g: g[0].id)):
            batches = draw(_windows(year, max_batches))
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


@st.composite
def _windows(draw: st.DrawFn, year: int, max_batches: int) -> list[Batch]:
    """One to ``max_batches`` ordered, non-overlapping windows covering ``year``."""
    first = _dt.date(year, 1, 1)
    days = (_dt.date(year, 12, 31) - first).days + 1
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
def _item_groups(draw: st.DrawFn, items: ItemList) -> list[list[InspectionItem]]:
    """The items grouped into tasks: each item may join the task of the item before it."""
    all_items = list(items)
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
    return grouped
